/* cmd_report.c — `tripod report`: a population summary a human can read.
 *
 *   tripod report --input DIR [--as-of DATE]
 *
 * Runs the engine over the Tuva input-layer CSVs of DIR and prints the
 * headline numbers. (--db DB needs the store's result tables; see
 * docs/analytics.md.)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/engine.h"
#include "cli/cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod report --input DIR [--as-of DATE] [--threads N]\n\n"
               "Prints a population summary: members, cost PMPM, utilisation, avoidable ED\n"
               "visits, readmissions, risk tiers and the model's accuracy.\n");
}

int cmd_report(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    const char *input = NULL;
    engine_settings_t s;
    engine_settings_default(&s);
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return cli_usage_error("report", "option %s needs a value", argv[i]);
        if (strcmp(argv[i], "--input") == 0)
            input = v;
        else if (strcmp(argv[i], "--as-of") == 0) {
            if (date_parse(v, strlen(v), &s.as_of) != 0)
                return cli_usage_error("report", "--as-of: not a date: %s", v);
        } else if (strcmp(argv[i], "--db") == 0)
            return cli_usage_error("report",
                                   "--db is not available in this build yet; use --input");
        else
            return cli_usage_error("report", "unknown option %s", argv[i]);
        i++;
    }
    if (!input)
        return cli_usage_error("report", "--input DIR is required");
    err_t e;
    err_clear(&e);
    engine_t *en = engine_new(&s);
    int rc = engine_load_csv(en, input, &e);
    if (!rc)
        rc = engine_run(en, &e);
    if (rc) {
        engine_free(en);
        return cli_report("report", &e);
    }
    engine_summary_t r;
    engine_summary(en, &r);
    char d[DATE_FMT_LEN];
    date_format(r.as_of, d);
    double k = r.member_months ? 12000.0 / (double)r.member_months : 0;
    printf("Population as of %s (12 months)\n", d);
    printf("  patients            %zu (%zu attributed)\n", r.patients, r.attributed);
    printf("  member months       %ld\n", r.member_months);
    printf("  total cost          $%.2f   PMPM $%.2f\n", money_to_dollars(r.cost), r.pmpm);
    printf("  ED visits           %ld (%.0f per 1000/yr), avoidable share %.1f%%\n", r.ed_visits,
           (double)r.ed_visits * k, 100.0 * r.ed_avoidable_share);
    printf("  admissions          %ld (%.0f per 1000/yr), SNF stays %ld\n", r.ip_admits,
           (double)r.ip_admits * k, r.snf_stays);
    printf("  readmissions        %ld unplanned of %ld index admissions (%.1f%%)\n",
           r.unplanned_readmits, r.index_admits, 100.0 * r.readmission_rate);
    long tiers[5] = { 0 };
    long ccm = 0, pcm = 0;
    for (size_t i = 0; i < engine_patient_count(en); i++) {
        engine_patient_t p;
        engine_patient(en, i, &p);
        tiers[p.tier >= 1 && p.tier <= 4 ? p.tier : 0]++;
        ccm += p.ccm_eligible;
        pcm += p.pcm_eligible;
    }
    printf("  risk tiers          low %ld, rising %ld, high %ld, critical %ld\n", tiers[1],
           tiers[2], tiers[3], tiers[4]);
    printf("  care management     %ld CCM eligible, %ld PCM eligible\n", ccm, pcm);
    if (isfinite(r.auc_test))
        printf("  ED/admission model  AUC %.3f on the later test window\n", r.auc_test);
    engine_free(en);
    return CLI_OK;
}
