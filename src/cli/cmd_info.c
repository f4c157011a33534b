/* cmd_info.c — `tripod info --db DB`: what the store holds, as JSON.
 *
 * Prints one JSON object on stdout:
 *   {"backend":"sqlite","schema_version":2,
 *    "tables":{"organization":0,...,"source_file":3},
 *    "medical_claims":{"lines":..,"first":"2023-01-01","last":"2024-12-31"},
 *    "pharmacy_claims":{"lines":..,"first":..,"last":..},
 *    "enrollment":{"spans":..,"first":..,"last":..},
 *    "files_loaded":3}
 * Dates are null when the table is empty. Exit 0, 1 when the store cannot be
 * opened or read, 2 on misuse.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/str.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod info --db DB\n\n"
               "Prints a JSON summary of what the store DB holds: rows per table, the date\n"
               "range of medical and pharmacy claims and of enrolment, and the number of files\n"
               "loaded.\n\n"
               "options:\n"
               "  --db DB     a SQLite file (or sqlite:PATH) or a postgresql:// URL\n"
               "  -h, --help  this help\n\n"
               "Exit codes: 0 success, 1 the store cannot be opened or read, 2 misuse.\n");
}

static void put_date(buf_t *b, date_t d)
{
    if (d == DATE_NONE) {
        buf_puts(b, "null");
        return;
    }
    char s[DATE_FMT_LEN];
    date_format(d, s);
    buf_printf(b, "\"%s\"", s);
}

static void put_range(buf_t *b, const char *name, const char *count_name, int64_t n, date_t first,
                      date_t last)
{
    buf_printf(b, ",\"%s\":{\"%s\":%lld,\"first\":", name, count_name, (long long)n);
    put_date(b, first);
    buf_puts(b, ",\"last\":");
    put_date(b, last);
    buf_putc(b, '}');
}

int cmd_info(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    const char *db = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (str_starts_with(argv[i], "--db="))
            db = argv[i] + 5;
        else
            return cli_usage_error("info", "unexpected argument '%s'", argv[i]);
    }
    if (!db || !*db)
        return cli_usage_error("info", "--db is required");

    err_t e;
    err_clear(&e);
    /* Opening a SQLite path creates the file; `info` must not. */
    bool pg = str_starts_with(db, "postgres://") || str_starts_with(db, "postgresql://");
    const char *path = str_starts_with(db, "sqlite:") ? db + 7 : db;
    if (!pg && access(path, F_OK) != 0) {
        err_at(&e, ERR_INPUT, path, 0, 0, NULL, "no such store");
        return cli_report("info", &e);
    }
    store_t *s = NULL;
    if (store_open(db, &s, &e) != 0)
        return cli_report("info", &e);
    store_summary_t sum;
    int rc = store_summary(s, &sum, &e);
    if (rc != 0) {
        store_close(s);
        return cli_report("info", &e);
    }
    buf_t b = BUF_INIT;
    buf_printf(&b, "{\"backend\":\"%s\",\"schema_version\":%d,\"tables\":{", sum.backend,
               sum.schema_version);
    for (int i = 0; i < sum.ntables; i++)
        buf_printf(&b, "%s\"%s\":%lld", i ? "," : "", sum.tables[i].name,
                   (long long)sum.tables[i].rows);
    buf_putc(&b, '}');
    put_range(&b, "medical_claims", "lines", store_summary_rows(&sum, "medical_claim_line"),
              sum.med_claim_first, sum.med_claim_last);
    put_range(&b, "pharmacy_claims", "lines", store_summary_rows(&sum, "pharmacy_claim"),
              sum.rx_claim_first, sum.rx_claim_last);
    put_range(&b, "enrollment", "spans", store_summary_rows(&sum, "enrollment"),
              sum.enrollment_first, sum.enrollment_last);
    buf_printf(&b, ",\"files_loaded\":%lld}\n", (long long)sum.files_loaded);
    fputs(buf_cstr(&b), stdout);
    buf_free(&b);
    store_close(s);
    return fflush(stdout) == 0 ? CLI_OK : CLI_INPUT;
}
