/* cmd_analyze.c — `tripod analyze`: run the population engine.
 *
 *   tripod analyze --input DIR --out DIR [--as-of DATE] [options]
 *   tripod analyze --db DB [--as-of DATE] [options]
 *
 * --input reads the Tuva input-layer CSVs of DIR and writes patients.csv,
 * discharges.csv, ed_visits.csv, gaps.csv and population.json into --out;
 * --db reads the store and writes the results back to it. The population
 * summary also goes to stdout as one JSON object.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analytics/engine.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/str.h"
#include "measures/population.h"
#include "store/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The quality-measure step of analyze (docs/measures.md, docs/care-gaps.md):
 * every eCQM of the measures folder over every patient, for the calendar
 * year of the engine's as-of, with care gaps. */
typedef struct measures_step {
    bool skip;                /* --no-measures */
    const char *measures_dir; /* --measures DIR; NULL = <refdata>/ecqm */
    int threads;
} measures_step_t;

static int run_measures(const measures_step_t *ms, engine_t *en, const char *input, const char *db,
                        const char *out_dir, err_t *e)
{
    if (ms->skip)
        return 0;
    engine_summary_t sum;
    engine_summary(en, &sum);
    char asof[DATE_FMT_LEN];
    date_format(sum.as_of, asof);
    measures_analyze_opts_t mo = { 0 };
    mo.as_of = asof;
    mo.threads = ms->threads > 0 ? ms->threads : 2;
    mo.measures_dir = ms->measures_dir;
    mo.out_dir = out_dir;
    store_t *src = NULL, *dst = NULL;
    if (input) {
        /* Claims-only inputs have no clinical data to run measures over. */
        char fhir[4096];
        struct stat sb;
        snprintf(fhir, sizeof fhir, "%s/fhir", input);
        if (stat(fhir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            log_info("analyze.measures", "no FHIR folder in the input: quality measures skipped");
            return 0;
        }
        mo.input_dir = input;
    } else {
        /* One connection reads the patients, another writes the results. */
        int rc = store_open(db, &src, e);
        if (!rc)
            rc = store_open(db, &dst, e);
        if (rc) {
            store_close(src);
            return rc;
        }
        mo.store = src;
        mo.store_out = dst;
    }
    double t0 = now_s();
    int rc = measures_analyze(&mo, e);
    log_info("analyze.timing", "quality measures %.3fs", now_s() - t0);
    store_close(dst);
    store_close(src);
    return rc;
}

/* --db mode: read the store through its scans, run, and write the results
 * back in one transaction that replaces the results of the same as_of
 * (engine_save_store); --out also writes the CSV files. */
static int analyze_db(const char *db, const engine_settings_t *s, const char *out_dir, bool print,
                      const measures_step_t *ms)
{
    err_t e;
    err_clear(&e);
    store_t *st = NULL;
    int rc = store_open(db, &st, &e);
    if (rc)
        return cli_report("analyze", &e);
    int64_t started = (int64_t)time(NULL), run = 0;
    engine_t *en = engine_new(s);
    double t0 = now_s();
    rc = engine_load_store(en, st, &e);
    double t1 = now_s();
    if (!rc)
        rc = engine_run(en, &e);
    double t2 = now_s();
    if (!rc)
        rc = engine_save_store(en, st, started, &run, &e);
    double t3 = now_s();
    if (!rc && out_dir)
        rc = engine_write_csv(en, out_dir, &e);
    store_close(st);
    if (!rc)
        rc = run_measures(ms, en, NULL, db, out_dir, &e);
    if (rc) {
        engine_free(en);
        return cli_report("analyze", &e);
    }
    log_info("analyze.timing", "run %lld: load %.3fs run %.3fs store %.3fs", (long long)run,
             t1 - t0, t2 - t1, t3 - t2);
    if (print) {
        buf_t b = BUF_INIT;
        engine_population_json(en, &b);
        fputs(buf_cstr(&b), stdout);
        buf_free(&b);
    }
    engine_free(en);
    return CLI_OK;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tripod analyze --input DIR --out DIR [options]\n"
            "       tripod analyze --db DB [--out DIR] [options]\n\n"
            "Runs the population engine: attribution, member months, cost PMPM by service\n"
            "category, ED visits (NYU), readmissions, LACE, CMS-HCC risk, chronic conditions,\n"
            "HCC recapture and suspect gaps, risk tiers and the ED/admission model.\n\n"
            "options:\n"
            "  --input DIR        Tuva input-layer CSVs: eligibility.csv, medical_claim.csv,\n"
            "                     pharmacy_claim.csv (practitioner.csv, lab_result.csv optional)\n"
            "  --out DIR          write patients.csv, discharges.csv, ed_visits.csv, gaps.csv,\n"
            "                     population.json\n"
            "  --db DB            read from and write results to a store (SQLite path or\n"
            "                     postgresql:// URL); a re-run for the same --as-of\n"
            "                     replaces that date's results\n"
            "  --as-of DATE       analysis date (YYYY-MM-DD); default the latest service date\n"
            "  --window-months N  performance/attribution window (default 12)\n"
            "  --payment-year Y   CMS-HCC payment year for the V24/V28 blend\n"
            "  --threads N        worker threads (default: all CPUs)\n"
            "  --measures DIR     eCQM folder (Measure, Library, ValueSet JSON; default\n"
            "                     <refdata>/ecqm); every measure runs for the calendar year\n"
            "                     of the as-of date and derives care gaps\n"
            "  --no-measures      skip the quality measures\n"
            "  --quiet            do not print the population summary\n"
            "See docs/analytics.md for every rule.\n");
}

int cmd_analyze(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    const char *input = NULL, *out = NULL, *db = NULL;
    bool quiet = false;
    measures_step_t ms = { false, NULL, 0 };
    engine_settings_t s;
    engine_settings_default(&s);
    s.progress = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quiet") == 0) {
            quiet = true;
            continue;
        }
        if (strcmp(a, "--no-measures") == 0) {
            ms.skip = true;
            continue;
        }
        if (!v)
            return cli_usage_error("analyze", "option %s needs a value", a);
        i++;
        if (strcmp(a, "--input") == 0) {
            input = v;
        } else if (strcmp(a, "--out") == 0) {
            out = v;
        } else if (strcmp(a, "--measures") == 0) {
            ms.measures_dir = v;
        } else if (strcmp(a, "--db") == 0) {
            db = v;
        } else if (strcmp(a, "--as-of") == 0) {
            if (date_parse(v, strlen(v), &s.as_of) != 0)
                return cli_usage_error("analyze", "--as-of: not a date: %s", v);
        } else if (strcmp(a, "--window-months") == 0) {
            if (str_to_intz(v, &s.window_months) != 0 || s.window_months < 1 ||
                s.window_months > 24)
                return cli_usage_error("analyze", "--window-months: 1 to 24");
        } else if (strcmp(a, "--payment-year") == 0) {
            if (str_to_intz(v, &s.payment_year) != 0 || s.payment_year < 2000)
                return cli_usage_error("analyze", "--payment-year: a year");
        } else if (strcmp(a, "--threads") == 0) {
            if (str_to_intz(v, &s.threads) != 0 || s.threads < 1 || s.threads > 256)
                return cli_usage_error("analyze", "--threads: 1 to 256");
        } else {
            return cli_usage_error("analyze", "unknown option %s", a);
        }
    }
    if (!input == !db)
        return cli_usage_error("analyze", "give exactly one of --input DIR or --db DB");
    if (input && !out)
        return cli_usage_error("analyze", "--input needs --out DIR");
    ms.threads = s.threads;
    if (db)
        return analyze_db(db, &s, out, !quiet, &ms);

    err_t e;
    err_clear(&e);
    double t0 = now_s();
    engine_t *en = engine_new(&s);
    int rc = engine_load_csv(en, input, &e);
    double t1 = now_s();
    if (!rc)
        rc = engine_run(en, &e);
    double t2 = now_s();
    if (!rc)
        rc = engine_write_csv(en, out, &e);
    double t3 = now_s();
    if (!rc)
        rc = run_measures(&ms, en, input, NULL, out, &e);
    if (rc) {
        engine_free(en);
        return cli_report("analyze", &e);
    }
    log_info("analyze.timing", "load %.3fs run %.3fs write %.3fs", t1 - t0, t2 - t1, t3 - t2);
    if (!quiet) {
        buf_t b = BUF_INIT;
        engine_population_json(en, &b);
        fputs(buf_cstr(&b), stdout);
        buf_free(&b);
    }
    engine_free(en);
    return CLI_OK;
}
