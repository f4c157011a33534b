/* cmd_measure.c — `tripod measure`: run published eCQMs over patients' FHIR data.
 *
 *   tripod measure --measure NAME|CMSnnn|all --period START/END [options] PATH...
 *
 * Prints one MeasureReport (type individual) per patient and measure as
 * NDJSON, or with --summary the population summary JSON; --gaps FILE writes
 * the care gaps as CSV. Runs on the population runner (measures/population.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/dir.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "measures/measure.h"
#include "measures/population.h"
#include "refdata/refdata.h"
#include "store/store.h"

int cmd_measure(int argc, char **argv);

static const char usage[] =
    "usage: tripod measure --measure NAME|CMSnnn[,...]|all --period START/END [options]\n"
    "                      (PATH... | --db DB)\n"
    "\n"
    "Runs published eCQMs (their ELM, value sets and Measure resources) over each\n"
    "patient's FHIR R4 / QI-Core data and prints one FHIR MeasureReport (type\n"
    "individual, one group per measure group, with population counts) per patient\n"
    "and measure as NDJSON.\n"
    "\n"
    "  --measure LIST         CMS165, CMS125FHIR, ControllingHighBloodPressureFHIR,\n"
    "                         a comma-separated list, or all (every measure of the folder)\n"
    "  --period START/END     measurement period, e.g. 2025-01-01/2025-12-31\n"
    "  --measures DIR         measure/, library/ and valueset/ folders\n"
    "                         (default: <refdata>/ecqm)\n"
    "  --threads N            worker threads (default 2)\n"
    "  --summary              print the summary JSON (counts and rates per measure\n"
    "                         group) instead of the MeasureReports\n"
    "  --gaps FILE            write the care gaps as CSV to FILE\n"
    "  --gap-table FILE       care-gap wording (default: <measures>/gaps.tsv, else the\n"
    "                         reference data's ecqm/gaps.tsv; docs/care-gaps.md)\n"
    "  --as-of DATE           date the gaps' due dates count from (default: period end)\n"
    "  --db DB                read the patients from the store (clinical rows and\n"
    "                         claims as FHIR, docs/measures.md) instead of PATHs\n"
    "  PATH                   a folder of FHIR NDJSON (Bulk Data, grouped by patient\n"
    "                         or not), a patient folder of FHIR resource files, a\n"
    "                         Bundle, or an NDJSON file\n"
    "\n"
    "Exit status: 0 ok, 1 bad input (the message names the file and JSON pointer\n"
    "or line), 2 misuse.\n";

/* Prints MeasureReports and forwards to the gap CSV sink. */
typedef struct report_sink {
    bool reports;
    const char *start, *end;
    mpop_sink_t gaps;
    buf_t b;
} report_sink_t;

static int report_patient(void *self, const mpop_opts_t *o, const mpop_patient_result_t *r,
                          err_t *e)
{
    report_sink_t *rs = self;
    if (rs->gaps.patient && rs->gaps.patient(rs->gaps.self, o, r, e))
        return e->code;
    if (!rs->reports)
        return 0;
    buf_reset(&rs->b);
    for (int k = 0; k < o->nmeasures; k++)
        if (r->results[k].ngroups)
            measure_report(o->measures[k], r->person_id, rs->start, rs->end, &r->results[k],
                           &rs->b);
    if (rs->b.len && fwrite(rs->b.data, 1, rs->b.len, stdout) != rs->b.len)
        return err_set(e, ERR_IO, "cannot write to standard output");
    return 0;
}

/* A folder holding *.ndjson files is read by the streaming NDJSON source. */
static bool is_ndjson_dir(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    char **names = NULL;
    size_t n = 0;
    err_t e;
    err_clear(&e);
    if (dir_list(path, ".ndjson", &names, &n, &e) != 0)
        return false;
    dir_names_free(names, n);
    return n > 0;
}

static int select_measures(measure_set_t *ms, const char *list, measure_t ***out, int *n)
{
    int cap = measure_count(ms) + 8;
    measure_t **sel = mem_calloc((size_t)cap, sizeof *sel);
    *n = 0;
    if (!strcmp(list, "all")) {
        for (int k = 0; k < measure_count(ms); k++)
            sel[(*n)++] = measure_at(ms, k);
    } else {
        const char *p = list;
        while (*p) {
            size_t l = strcspn(p, ",");
            char key[512];
            snprintf(key, sizeof key, "%.*s", (int)l, p);
            measure_t *m = measure_find(ms, key);
            if (!m) {
                mem_free(sel);
                return cli_usage_error("measure", "unknown measure '%s'", key);
            }
            if (*n < cap)
                sel[(*n)++] = m;
            p += l;
            if (*p == ',')
                p++;
        }
    }
    *out = sel;
    return 0;
}

/* The command line, checked. */
typedef struct measure_args {
    const char *mname, *period, *mdir, *gaps_path, *table, *asof, *db;
    int threads;
    bool summary;
    const char **paths; /* argc + 1 slots */
    int npaths;
    char start[16], end[16];
} measure_args_t;

/* Fills a from argv; CLI_OK, or the exit code of a usage error it printed. */
static int parse_args(int argc, char **argv, measure_args_t *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--summary")) {
            a->summary = true;
            continue;
        }
        const char **slot = !strcmp(o, "--measure")     ? &a->mname
                            : !strcmp(o, "--period")    ? &a->period
                            : !strcmp(o, "--measures")  ? &a->mdir
                            : !strcmp(o, "--gaps")      ? &a->gaps_path
                            : !strcmp(o, "--gap-table") ? &a->table
                            : !strcmp(o, "--as-of")     ? &a->asof
                            : !strcmp(o, "--db")        ? &a->db
                                                        : NULL;
        bool threads = !strcmp(o, "--threads");
        if (slot || threads) {
            if (i + 1 >= argc)
                return cli_usage_error("measure", "%s needs a value", o);
            const char *v = argv[++i];
            if (slot)
                *slot = v;
            else if (str_to_intz(v, &a->threads) || a->threads < 1 || a->threads > 256)
                return cli_usage_error("measure", "--threads wants 1..256, got '%s'", v);
        } else if (o[0] == '-' && o[1]) {
            return cli_usage_error("measure", "unknown option %s", o);
        } else {
            a->paths[a->npaths++] = o;
        }
    }
    const char *miss = !a->mname                  ? "--measure is required"
                       : !a->period               ? "--period is required"
                       : a->npaths == 0 && !a->db ? "no PATH given"
                       : a->npaths > 0 && a->db   ? "PATH and --db exclude each other"
                                                  : NULL;
    const char *slash = a->period ? strchr(a->period, '/') : NULL;
    if (!miss && (!slash || (size_t)(slash - a->period) >= sizeof a->start ||
                  strlen(slash + 1) >= sizeof a->end))
        miss = "--period must be START/END (YYYY-MM-DD/YYYY-MM-DD)";
    if (miss)
        return cli_usage_error("measure", "%s", miss);
    memcpy(a->start, a->period, (size_t)(slash - a->period));
    a->start[slash - a->period] = 0;
    memcpy(a->end, slash + 1, strlen(slash + 1) + 1);
    return CLI_OK;
}

int cmd_measure(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    measure_args_t A = { .threads = 2 };
    A.paths = mem_calloc((size_t)argc + 1, sizeof *A.paths);
    int rc = parse_args(argc, argv, &A);
    if (rc != CLI_OK) {
        mem_free(A.paths);
        return rc;
    }
    const char *mname = A.mname, *mdir = A.mdir, *gaps_path = A.gaps_path, *table = A.table,
               *asof = A.asof, *db = A.db;
    const char **paths = A.paths;
    int threads = A.threads, npaths = A.npaths;
    bool summary = A.summary;
    char *start = A.start, *end = A.end;

    char dirbuf[4096], tbuf[4096];
    if (!mdir) {
        err_t re;
        err_clear(&re);
        if (refdata_path("ecqm", dirbuf, sizeof dirbuf, &re)) {
            mem_free(paths);
            return cli_report("measure", &re);
        }
        mdir = dirbuf;
    }
    err_t e;
    err_clear(&e);
    measure_set_t *ms = NULL;
    measure_t **sel = NULL;
    gap_table_t *gt = NULL;
    mpop_csv_sink_t *cs = NULL;
    mpop_summary_t *total = NULL;
    report_sink_t rs = { .reports = !summary, .start = start, .end = end };
    buf_init(&rs.b, 0);
    int nsel = 0;
    if (measure_set_load(mdir, &ms, &e)) {
        rc = cli_report("measure", &e);
        goto done;
    }
    if ((rc = select_measures(ms, mname, &sel, &nsel)))
        goto done;
    for (int k = 0; k < nsel; k++)
        if (measure_prepare(ms, sel[k], &e)) {
            rc = cli_report("measure", &e);
            goto done;
        }
    if (gaps_path) {
        if (!table) {
            gap_table_default_path(mdir, tbuf, sizeof tbuf);
            table = tbuf[0] ? tbuf : NULL;
        }
        if ((table ? gap_table_load(table, &gt, &e) : gap_table_empty(&gt, &e)) ||
            gap_table_bind(gt, ms, sel, nsel, &e) ||
            mpop_csv_sink_open(NULL, gaps_path, &cs, &rs.gaps, &e)) {
            rc = cli_report("measure", &e);
            goto done;
        }
    }
    mpop_opts_t o = { .ms = ms,
                      .measures = sel,
                      .nmeasures = nsel,
                      .gaps = gt,
                      .period_start = start,
                      .period_end = end,
                      .as_of = asof,
                      .threads = threads };
    mpop_sink_t sink = { &rs, report_patient };
    if (db) {
        store_t *st = NULL;
        mpop_source_t *src = NULL;
        if (store_open(db, &st, &e) || mpop_source_store(st, &src, &e) ||
            mpop_run(&o, src, &sink, &total, &e))
            rc = cli_report("measure", &e);
        if (src)
            src->close(src);
        store_close(st);
    }
    for (int i = 0; i < npaths && rc == CLI_OK; i++) {
        mpop_source_t *src = NULL;
        fhir_patients_t ps = { 0 };
        if (is_ndjson_dir(paths[i])) {
            if (mpop_source_ndjson_dir(paths[i], &src, &e)) {
                rc = cli_report("measure", &e);
                break;
            }
        } else if (fhir_patients_read(paths[i], &ps, &e) || mpop_source_patients(&ps, &src, &e)) {
            rc = cli_report("measure", &e);
            fhir_patients_free(&ps);
            break;
        }
        mpop_summary_t *S = NULL;
        if (mpop_run(&o, src, &sink, &S, &e)) {
            if (e.code != ERR_USAGE)
                err_where(&e, paths[i], 0, 0, NULL);
            char msg[800];
            err_format(&e, msg, sizeof msg);
            rc = e.code == ERR_USAGE ? cli_usage_error("measure", "%s", msg)
                                     : cli_report("measure", &e);
        } else if (!total) {
            total = S;
        } else {
            mpop_summary_add(total, S);
            mpop_summary_free(S);
        }
        src->close(src);
        fhir_patients_free(&ps);
    }
    if (cs && mpop_csv_sink_close(cs, &e) && rc == CLI_OK)
        rc = cli_report("measure", &e);
    cs = NULL;
    if (rc == CLI_OK && summary && total) {
        buf_reset(&rs.b);
        mpop_summary_json(&o, total, &rs.b);
        fwrite(rs.b.data, 1, rs.b.len, stdout);
    }
done:
    mpop_csv_sink_close(cs, NULL);
    mpop_summary_free(total);
    buf_free(&rs.b);
    gap_table_free(gt);
    mem_free(sel);
    measure_set_free(ms);
    mem_free(paths);
    return rc;
}
