/* cmd_report.c — `tripod report`: a population summary a human can read.
 *
 *   tripod report --input DIR [--as-of DATE]
 *   tripod report --db DB [--as-of DATE]
 *
 * --input runs the engine over the Tuva input-layer CSVs of DIR; --db reads
 * the results `tripod analyze --db` stored (the latest run, or the run of
 * --as-of). Both print the same lines from the same numbers.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/engine.h"
#include "cli/cli.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/store.h"

/* The numbers the report prints: a stored analysis_population row, or the
 * same fields filled from a run (report_from_engine). */
typedef store_analysis_population_t report_t;

static void report_from_engine(const engine_t *en, report_t *r)
{
    engine_summary_t m;
    engine_summary(en, &m);
    store_analysis_population_init(r);
    r->as_of = m.as_of;
    r->patients = (int64_t)m.patients;
    r->attributed = (int64_t)m.attributed;
    r->member_months = m.member_months;
    r->cost = m.cost;
    r->pmpm = m.pmpm;
    r->ed_visits = m.ed_visits;
    r->ed_avoidable_share = m.ed_avoidable_share;
    r->ip_admits = m.ip_admits;
    r->snf_stays = m.snf_stays;
    r->unplanned_readmits = m.unplanned_readmits;
    r->index_admits = m.index_admits;
    r->readmission_rate = m.readmission_rate;
    r->auc_test = m.auc_test;
    int64_t tiers[5] = { 0 };
    r->ccm_eligible = r->pcm_eligible = 0;
    for (size_t i = 0; i < engine_patient_count(en); i++) {
        engine_patient_t p;
        engine_patient(en, i, &p);
        tiers[p.tier >= 1 && p.tier <= 4 ? p.tier : 0]++;
        r->ccm_eligible += p.ccm_eligible;
        r->pcm_eligible += p.pcm_eligible;
    }
    r->tier_low = tiers[1];
    r->tier_rising = tiers[2];
    r->tier_high = tiers[3];
    r->tier_critical = tiers[4];
}

static void report_print(const report_t *r)
{
    char d[DATE_FMT_LEN];
    date_format(r->as_of, d);
    double k = r->member_months ? 12000.0 / (double)r->member_months : 0;
    printf("Population as of %s (12 months)\n", d);
    printf("  patients            %lld (%lld attributed)\n", (long long)r->patients,
           (long long)r->attributed);
    printf("  member months       %lld\n", (long long)r->member_months);
    printf("  total cost          $%.2f   PMPM $%.2f\n", money_to_dollars(r->cost), r->pmpm);
    printf("  ED visits           %lld (%.0f per 1000/yr), avoidable share %.1f%%\n",
           (long long)r->ed_visits, (double)r->ed_visits * k, 100.0 * r->ed_avoidable_share);
    printf("  admissions          %lld (%.0f per 1000/yr), SNF stays %lld\n",
           (long long)r->ip_admits, (double)r->ip_admits * k, (long long)r->snf_stays);
    printf("  readmissions        %lld unplanned of %lld index admissions (%.1f%%)\n",
           (long long)r->unplanned_readmits, (long long)r->index_admits,
           100.0 * r->readmission_rate);
    printf("  risk tiers          low %lld, rising %lld, high %lld, critical %lld\n",
           (long long)r->tier_low, (long long)r->tier_rising, (long long)r->tier_high,
           (long long)r->tier_critical);
    printf("  care management     %lld CCM eligible, %lld PCM eligible\n",
           (long long)r->ccm_eligible, (long long)r->pcm_eligible);
    if (isfinite(r->auc_test))
        printf("  ED/admission model  AUC %.3f on the later test window\n", r->auc_test);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod report --input DIR [--as-of DATE]\n"
               "       tripod report --db DB [--as-of DATE]\n\n"
               "Prints a population summary: members, cost PMPM, utilisation, avoidable ED\n"
               "visits, readmissions, risk tiers and the model's accuracy. --input runs the\n"
               "engine over Tuva CSVs; --db prints what `tripod analyze --db` stored (the\n"
               "latest run, or the run of --as-of).\n");
}

typedef struct found {
    report_t r; /* its strings are not kept: valid only during the scan */
    bool any;
} found_t;

static int on_population(void *ctx, const store_analysis_population_t *r, err_t *e)
{
    (void)e;
    found_t *f = ctx;
    f->r = *r;
    f->r.summary_json = NULL; /* valid only during the call */
    f->any = true;
    return 0;
}

/* Quality measures stored by `tripod analyze --db` for the calendar year of
 * the as-of date: one line per measure group with its rate, and the number of
 * open care gaps. Rows arrive in (measure, group) order. */
typedef struct quality {
    int64_t gaps[128];  /* open care gaps per (measure, group) */
    char keys[128][96]; /* "measure|group" */
    int nkeys;
    char last_measure[32];
    int group_no; /* the group's ordinal within its measure, from 1 */
    bool header;
} quality_t;

static int quality_slot(quality_t *q, const char *measure, const char *group)
{
    char key[96];
    snprintf(key, sizeof key, "%s|%s", measure ? measure : "", group ? group : "");
    for (int i = 0; i < q->nkeys; i++)
        if (strcmp(q->keys[i], key) == 0)
            return i;
    if (q->nkeys == 128)
        return -1;
    str_copy(q->keys[q->nkeys], key, sizeof q->keys[0]);
    q->gaps[q->nkeys] = 0;
    return q->nkeys++;
}

static int on_gap(void *ctx, const store_care_gap_t *r, err_t *e)
{
    (void)e;
    int i = quality_slot(ctx, r->measure_id, r->group_id);
    if (i >= 0)
        ((quality_t *)ctx)->gaps[i]++;
    return 0;
}

static int on_summary(void *ctx, const store_measure_summary_t *r, err_t *e)
{
    (void)e;
    quality_t *q = ctx;
    if (!q->header) {
        printf("Quality measures\n");
        q->header = true;
    }
    int i = quality_slot(q, r->measure_id, r->group_id);
    const char *mid = r->measure_id ? r->measure_id : "";
    if (strcmp(q->last_measure, mid) != 0) {
        str_copy(q->last_measure, mid, sizeof q->last_measure);
        q->group_no = 0;
    }
    q->group_no++;
    /* A population the group does not define is stored as "missing" (< 0). */
    int64_t denom = r->denom > 0 ? r->denom : 0, denex = r->denex > 0 ? r->denex : 0,
            denexcep = r->denexcep > 0 ? r->denexcep : 0;
    int64_t eligible = denom - denex - denexcep;
    if (isfinite(r->rate))
        printf("  %-8s group %d  rate %5.1f%% of %lld eligible, %lld open gaps\n", mid, q->group_no,
               100.0 * r->rate, (long long)eligible, (long long)(i >= 0 ? q->gaps[i] : 0));
    else
        printf("  %-8s group %d  no eligible patients\n", mid, q->group_no);
    return 0;
}

static int report_quality(store_t *s, date_t as_of, err_t *e)
{
    int y, m, d;
    date_to_ymd(as_of, &y, &m, &d);
    date_t start = date_from_ymd(y, 1, 1), end = date_from_ymd(y, 12, 31);
    quality_t *q = mem_calloc(1, sizeof *q);
    int rc = store_scan_care_gap(s, start, end, NULL, on_gap, q, e);
    if (!rc)
        rc = store_scan_measure_summary(s, start, end, NULL, on_summary, q, e);
    mem_free(q);
    return rc;
}

static int report_db(const char *db, date_t as_of)
{
    err_t e;
    err_clear(&e);
    store_t *s = NULL;
    int rc = store_open(db, &s, &e);
    if (rc)
        return cli_report("report", &e);
    if (as_of == DATE_NONE)
        rc = store_latest_analysis(s, &as_of, &e);
    found_t f = { .any = false };
    if (!rc && as_of != DATE_NONE)
        rc = store_scan_analysis_population(s, as_of, on_population, &f, &e);
    if (rc) {
        store_close(s);
        return cli_report("report", &e);
    }
    if (!f.any) {
        store_close(s);
        char d[DATE_FMT_LEN];
        date_format(as_of, d);
        fprintf(stderr, "tripod report: no stored results%s%s; run `tripod analyze --db %s`\n",
                as_of != DATE_NONE ? " for " : "", as_of != DATE_NONE ? d : "", db);
        return CLI_INPUT;
    }
    report_print(&f.r);
    rc = report_quality(s, as_of, &e);
    store_close(s);
    if (rc)
        return cli_report("report", &e);
    return CLI_OK;
}

int cmd_report(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    const char *input = NULL, *db = NULL;
    engine_settings_t s;
    engine_settings_default(&s);
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return cli_usage_error("report", "option %s needs a value", argv[i]);
        if (strcmp(argv[i], "--input") == 0)
            input = v;
        else if (strcmp(argv[i], "--db") == 0)
            db = v;
        else if (strcmp(argv[i], "--as-of") == 0) {
            if (date_parse(v, strlen(v), &s.as_of) != 0)
                return cli_usage_error("report", "--as-of: not a date: %s", v);
        } else
            return cli_usage_error("report", "unknown option %s", argv[i]);
        i++;
    }
    if (!input == !db)
        return cli_usage_error("report", "give exactly one of --input DIR or --db DB");
    if (db)
        return report_db(db, s.as_of);
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
    report_t r;
    report_from_engine(en, &r);
    report_print(&r);
    engine_free(en);
    return CLI_OK;
}
