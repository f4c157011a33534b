/* main.c — `tripod`: dispatches to a subcommand.
 *
 * Global options come before the subcommand:
 *   --version         the version and the reference data's manifest hash
 *   --refdata DIR     the reference-data directory (see refdata.h)
 *   --log-level L     debug|info|warn|error|off (JSON lines on stderr)
 */
#include "cli/cli.h"
#include "core/log.h"
#include "refdata/refdata.h"

#include <stdio.h>
#include <string.h>

#ifndef TRIPOD_VERSION
#define TRIPOD_VERSION "0.0.0"
#endif

static const cli_command_t commands[] = {
    { "generate", "write a deterministic synthetic population (claims, FHIR, HL7 v2)",
      cmd_generate },
    { "import", "load claims, FHIR and HL7 v2 files into a store", cmd_import },
    { "info", "print what the store holds", cmd_info },
    { "analyze", "run the population engine (attribution, risk, utilisation, cost, measures)",
      cmd_analyze },
    { "report", "print a population summary a human can read", cmd_report },
    { "hcc", "score one patient with the CMS-HCC risk model", cmd_hcc },
    { "measure", "run published eCQMs (ELM) over patients' FHIR data", cmd_measure },
    { "mllp", "listen for HL7 v2 messages over MLLP and store them", cmd_mllp },
    { "serve", "serve the web workspace and the APIs", cmd_serve },
    { "user", "add, list, disable users and set their passwords", cmd_user },
    { "audit", "verify, head and list the hash-chained audit log", cmd_audit },
    { "refdata", "show where the reference tables are and verify them", cmd_refdata },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod [--refdata DIR] [--log-level LEVEL] <command> [options]\n\n"
               "Tripod: value-based primary care — population analytics, care coordination\n"
               "and patient outreach.\n\ncommands:\n");
    /* Commands whose part is not in this build are not listed. */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].run)
            fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'tripod <command> --help' describes each command.\n"
               "Exit codes: 0 success, 1 bad input, 2 misuse.\n");
}

int main(int argc, char **argv)
{
    int i = 1, version = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            version = 1;
        } else if (strcmp(argv[i], "--refdata") == 0 && i + 1 < argc) {
            refdata_set_dir(argv[++i]);
        } else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            log_level_t level;
            if (log_level_parse(argv[++i], &level) != 0) {
                fprintf(stderr, "tripod: unknown log level '%s'\n", argv[i]);
                return CLI_USAGE;
            }
            log_set_level(level);
        } else {
            fprintf(stderr, "tripod: unknown option '%s' (see 'tripod --help')\n", argv[i]);
            return CLI_USAGE;
        }
    }
    if (version) {
        /* The version, and which reference tables this binary reads: the
         * hash of their MANIFEST names the exact set. */
        char hex[65];
        refdata_manifest_hash(refdata_dir(), hex);
        printf("tripod %s\nrefdata %s %s (%s)\n", TRIPOD_VERSION, hex, refdata_dir(),
               refdata_origin());
        return CLI_OK;
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(argv[i], commands[c].name) == 0) {
            if (!commands[c].run) {
                fprintf(stderr, "tripod: '%s' is not part of this build\n", argv[i]);
                return CLI_USAGE;
            }
            return commands[c].run(argc - i, argv + i);
        }
    fprintf(stderr, "tripod: unknown command '%s' (see 'tripod --help')\n", argv[i]);
    return CLI_USAGE;
}
