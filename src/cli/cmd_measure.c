/* cmd_measure.c — `tripod measure`: run a published eCQM over patients' FHIR data.
 *
 *   tripod measure --measure NAME|CMSnnn --period START/END PATH...
 *
 * Prints one MeasureReport (type individual) per patient as NDJSON.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/log.h"
#include "measures/measure.h"
#include "refdata/refdata.h"

int cmd_measure(int argc, char **argv);

static const char usage[] =
    "usage: tripod measure --measure NAME|CMSnnn --period START/END [--measures DIR] PATH...\n"
    "\n"
    "Runs a published eCQM (its ELM, value sets and Measure resource) over each\n"
    "patient's FHIR R4 / QI-Core data and prints one FHIR MeasureReport (type\n"
    "individual, one group per measure group, with population counts) per patient\n"
    "as NDJSON.\n"
    "\n"
    "  --measure NAME|CMSnnn  e.g. CMS165, CMS125FHIR or ControllingHighBloodPressureFHIR\n"
    "  --period START/END     measurement period, e.g. 2025-01-01/2025-12-31\n"
    "  --measures DIR         measure/, library/ and valueset/ folders\n"
    "                         (default: <refdata>/ecqm)\n"
    "  PATH                   a patient folder of FHIR resource files, a Bundle, or NDJSON\n"
    "\n"
    "Exit status: 0 ok, 1 bad input (the message names the file and JSON pointer\n"
    "or line), 2 misuse.\n";

int cmd_measure(int argc, char **argv)
{
    const char *mname = NULL, *period = NULL, *mdir = NULL;
    const char *paths[256];
    int npaths = 0;
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--measure") || !strcmp(a, "--period") || !strcmp(a, "--measures")) {
            if (i + 1 >= argc)
                return cli_usage_error("measure", "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--measure"))
                mname = v;
            else if (!strcmp(a, "--period"))
                period = v;
            else
                mdir = v;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("measure", "unknown option %s", a);
        } else {
            if (npaths == (int)(sizeof paths / sizeof paths[0]))
                return cli_usage_error("measure", "too many paths");
            paths[npaths++] = a;
        }
    }
    if (!mname)
        return cli_usage_error("measure", "--measure is required");
    if (!period)
        return cli_usage_error("measure", "--period is required");
    if (npaths == 0)
        return cli_usage_error("measure", "no PATH given");
    char start[16], end[16];
    const char *slash = strchr(period, '/');
    if (!slash || (size_t)(slash - period) >= sizeof start || strlen(slash + 1) >= sizeof end)
        return cli_usage_error("measure", "--period must be START/END (YYYY-MM-DD/YYYY-MM-DD)");
    memcpy(start, period, (size_t)(slash - period));
    start[slash - period] = 0;
    memcpy(end, slash + 1, strlen(slash + 1) + 1);

    char dirbuf[4096];
    if (!mdir) {
        if (refdata_path("ecqm", dirbuf, sizeof dirbuf))
            return cli_usage_error("measure", "reference-data path too long");
        mdir = dirbuf;
    }
    err_t e;
    err_clear(&e);
    measure_set_t *ms = NULL;
    elm_ctx_t *ctx = NULL;
    int rc = CLI_OK;
    if (measure_set_load(mdir, &ms, &e))
        return cli_report("measure", &e);
    measure_t *m = measure_find(ms, mname);
    if (!m) {
        measure_set_free(ms);
        return cli_usage_error("measure", "unknown measure '%s'", mname);
    }
    if (measure_prepare(ms, m, &e)) {
        rc = cli_report("measure", &e);
        goto done;
    }
    ctx = elm_ctx_new(measure_set_engine(ms));
    if (measure_set_period(ctx, start, end, &e)) {
        char msg[600];
        err_format(&e, msg, sizeof msg);
        rc = cli_usage_error("measure", "%s", msg);
        goto done;
    }
    buf_t out = BUF_INIT;
    for (int i = 0; i < npaths && rc == CLI_OK; i++) {
        fhir_patients_t ps = { 0 };
        if (fhir_patients_read(paths[i], &ps, &e)) {
            rc = cli_report("measure", &e);
            fhir_patients_free(&ps);
            break;
        }
        for (size_t k = 0; k < ps.n; k++) {
            measure_result_t r;
            if (measure_eval(ctx, m, ps.p[k].res, ps.p[k].n, &r, &e)) {
                err_where(&e, paths[i], 0, 0, NULL);
                rc = cli_report("measure", &e);
                break;
            }
            const char *warn;
            if (elm_ctx_warnings(ctx, &warn))
                log_warn("measure.data", "%s: %s", paths[i], warn);
            buf_reset(&out);
            measure_report(m, ps.p[k].id, start, end, &r, &out);
            fwrite(out.data, 1, out.len, stdout);
        }
        fhir_patients_free(&ps);
    }
    buf_free(&out);
done:
    elm_ctx_free(ctx);
    measure_set_free(ms);
    return rc;
}
