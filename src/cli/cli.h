/* cli.h — the `tripod` command's subcommands.
 *
 * Each subcommand is `int cmd_<name>(int argc, char **argv)` in its own file,
 * argv[0] being the subcommand's name. It returns the process exit code of
 * DESIGN.md: 0 success, 1 bad input (one line on stderr naming the place),
 * 2 misuse. Output meant for programs goes to stdout as JSON or NDJSON.
 */
#ifndef TRIPOD_CLI_CLI_H
#define TRIPOD_CLI_CLI_H

#include "core/err.h"

#define CLI_OK    0
#define CLI_INPUT 1
#define CLI_USAGE 2

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `tripod --help` */
    int (*run)(int argc, char **argv);
} cli_command_t;

/* Prints "tripod <cmd>: <message>" and a hint to use --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "tripod <cmd>: <formatted error>" and returns err_exit_code(e). */
int cli_report(const char *cmd, const err_t *e);
/* True when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

/* Declared weak so that a build of some parts only (TRIPOD_PARTS) still links;
 * main() reports a command whose part was not built. */
#define CLI_COMMAND(name) int cmd_##name(int argc, char **argv) __attribute__((weak))
CLI_COMMAND(generate);
CLI_COMMAND(import);
CLI_COMMAND(info);
CLI_COMMAND(analyze);
CLI_COMMAND(report);
CLI_COMMAND(hcc);
CLI_COMMAND(measure);
CLI_COMMAND(mllp);
CLI_COMMAND(serve);
CLI_COMMAND(audit);
CLI_COMMAND(refdata);
CLI_COMMAND(user);

#endif
