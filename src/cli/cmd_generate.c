/* cmd_generate.c — `tripod generate`: the deterministic synthetic population.
 *
 *   tripod generate --patients N [--seed S] [--out DIR] [--years Y]
 *                   [--end YYYY-MM-DD] [--outputs claims,fhir,hl7] [--threads T]
 *                   [--no-progress]
 *
 * Exit 0 success, 1 a file could not be written, 2 misuse.
 */
#include "cli/cli.h"
#include "core/date.h"
#include "core/str.h"
#include "synth/synth.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD "generate"

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod generate --patients N [--seed S] [--out DIR] [--years Y]\n"
               "                       [--end YYYY-MM-DD] [--outputs LIST] [--threads T]\n"
               "\n"
               "Writes a synthetic Medicare-heavy primary-care population: Tuva input-layer\n"
               "claims (eligibility.csv, medical_claim.csv, pharmacy_claim.csv) with the\n"
               "lab results (lab_result.csv) and the practitioner panel (practitioner.csv),\n"
               "FHIR R4 NDJSON (fhir/<Type>.ndjson) and HL7 v2.5.1 ADT messages (hl7/adt.hl7) for\n"
               "the admissions and discharges of the last 30 days. The same options give\n"
               "byte-identical files, whatever the number of threads.\n"
               "\n"
               "  --patients N     number of patients (required, 1..100000000)\n"
               "  --seed S         random seed (default 1)\n"
               "  --out DIR        output directory, created if missing (default .)\n"
               "  --years Y        years of claims history ending at --end (default 1, max 10)\n"
               "  --end DATE       last day of the period (default 2025-12-31)\n"
               "  --outputs LIST   comma-separated: claims, fhir, hl7, all (default all)\n"
               "  --threads T      worker threads (default: the number of cores)\n"
               "  --no-progress    no progress bar (it shows only when stderr is a terminal)\n"
               "\n"
               "docs/synthetic-population.md describes the distributions and their sources.\n"
               "Exit codes: 0 success, 1 an output could not be written, 2 misuse.\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
    int64_t v;
    if (str_to_i64z(s, &v) != 0 || v < 0)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int cmd_generate(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    static const struct option longopts[] = {
        { "patients", required_argument, NULL, 'n' }, { "seed", required_argument, NULL, 's' },
        { "out", required_argument, NULL, 'o' },      { "years", required_argument, NULL, 'y' },
        { "end", required_argument, NULL, 'e' },      { "outputs", required_argument, NULL, 'O' },
        { "threads", required_argument, NULL, 't' },  { "no-progress", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
    };
    synth_opts_t o;
    synth_opts_default(&o);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = cores > 0 ? (int)(cores > 64 ? 64 : cores) : 1;
    int have_patients = 0;
    uint64_t v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_u64(optarg, &v) != 0 || v < 1 || v > SYNTH_MAX_PATIENTS)
                return cli_usage_error(CMD, "--patients must be a whole number from 1 to %llu",
                                       (unsigned long long)SYNTH_MAX_PATIENTS);
            o.patients = v;
            have_patients = 1;
            break;
        case 's':
            if (parse_u64(optarg, &v) != 0)
                return cli_usage_error(CMD, "--seed must be a non-negative whole number");
            o.seed = v;
            break;
        case 'o':
            if (!*optarg)
                return cli_usage_error(CMD, "--out must not be empty");
            o.out_dir = optarg;
            break;
        case 'y':
            if (parse_u64(optarg, &v) != 0 || v < 1 || v > SYNTH_MAX_YEARS)
                return cli_usage_error(CMD, "--years must be from 1 to %d", SYNTH_MAX_YEARS);
            o.years = (int)v;
            break;
        case 'e': {
            date_t d;
            int y, m, dd;
            if (date_parse(optarg, strlen(optarg), &d) != 0)
                return cli_usage_error(CMD, "--end must be a date YYYY-MM-DD");
            date_to_ymd(d, &y, &m, &dd);
            if (y < 1990 || y > 2100)
                return cli_usage_error(CMD, "--end must lie between 1990 and 2100");
            o.end = d;
            break;
        }
        case 'O':
            if (synth_outputs_parse(optarg, &o.outputs) != 0)
                return cli_usage_error(CMD, "--outputs takes claims, fhir, hl7 or all, "
                                            "comma-separated");
            break;
        case 't':
            if (parse_u64(optarg, &v) != 0 || v < 1 || v > 256)
                return cli_usage_error(CMD, "--threads must be from 1 to 256");
            o.threads = (int)v;
            break;
        case 'P':
            o.progress = 0;
            break;
        case ':':
            return cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (!have_patients)
        return cli_usage_error(CMD, "--patients is required");
    err_t e;
    if (synth_run(&o, &e) != 0)
        return cli_report(CMD, &e);
    return CLI_OK;
}
