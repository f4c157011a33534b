#include "cli/cli.h"
#include "refdata/refdata.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tripod %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'tripod %s --help')\n", cmd);
    va_end(ap);
    return CLI_USAGE;
}

int cli_report(const char *cmd, const err_t *e)
{
    /* An error in a reference table says which setting chooses the folder. */
    err_t with_hint = *e;
    refdata_hint(&with_hint);
    char line[1024];
    err_format(&with_hint, line, sizeof line);
    fprintf(stderr, "tripod %s: %s\n", cmd, line);
    return err_exit_code(e);
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}
