/* cmd_import.c — `tripod import --db DB PATH...`: load files and folders,
 * each file detected by its content and loaded in its own transaction
 * (ingest/import.h; docs/import.md).
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/progress.h"
#include "ingest/import.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tripod import --db DB [--json] [--quiet] PATH...\n\n"
            "Loads files and folders into the store. Each file's format is detected from\n"
            "its content, not its name: Tuva input-layer CSVs (eligibility, medical_claim,\n"
            "pharmacy_claim), FHIR R4 Bundles and resources, Bulk Data NDJSON (Blue Button\n"
            "ExplanationOfBenefit included), Synthea output (FHIR or CSV) and HL7 v2 files.\n"
            "Folders are walked. Each file is loaded in one transaction: whole or not at\n"
            "all; a file already loaded (same content hash) is skipped; a claim delivered again\n"
            "replaces the stored version. See docs/import.md.\n\n"
            "  --db DB     the store (SQLite path or postgresql:// URL)\n"
            "  --json      print a JSON summary on stdout\n"
            "  --quiet     no summary on stderr (errors and warnings still)\n\n"
            "Exit status: 0 all loaded or skipped, 1 a file was bad (one line each on\n"
            "stderr naming file:line:col, the JSON pointer or the HL7 segment-field; the\n"
            "other files are still loaded), 2 misuse.\n");
}

typedef struct ui {
    progress_t *bar;
    bool quiet;
} ui_t;

static void on_warn(void *ctx, const char *path, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "tripod import: warning: %s: %s\n", path, msg);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    ui_t *u = ctx;
    if (!u->bar)
        u->bar = progress_new("import", total);
    progress_set(u->bar, done);
}

static void on_file(void *ctx, const import_file_result_t *r)
{
    (void)ctx;
    if (r->status == IMPORT_FAILED)
        fprintf(stderr, "tripod import: %s\n", r->reason);
}

static const char *status_name(import_status_t s)
{
    return s == IMPORT_LOADED ? "loaded" : s == IMPORT_SKIPPED ? "skipped" : "failed";
}

static void counts_json(buf_t *b, const int64_t *counts)
{
    buf_puts(b, "{");
    bool first = true;
    for (int k = 0; k < IK_COUNT; k++) {
        if (!counts[k])
            continue;
        buf_printf(b, "%s\"%s\":%lld", first ? "" : ",", import_kind_name((import_kind_t)k),
                   (long long)counts[k]);
        first = false;
    }
    buf_puts(b, "}");
}

/* Rows a table gained: the distinct records the import added (a person
 * read both as a FHIR Patient and as an eligibility row is one). */
static int64_t added_of(const store_summary_t *before, const store_summary_t *after, int k)
{
    if (!before || !after)
        return -1;
    const char *name = import_kind_name((import_kind_t)k);
    int64_t a = store_summary_rows(after, name), b = store_summary_rows(before, name);
    return a < 0 || b < 0 ? -1 : a - b;
}

static void added_json(buf_t *b, const import_summary_t *sum, const store_summary_t *before,
                       const store_summary_t *after)
{
    buf_puts(b, "{");
    bool first = true;
    for (int k = 0; k < IK_COUNT; k++) {
        int64_t n = added_of(before, after, k);
        if (!sum->counts[k] || n < 0)
            continue;
        buf_printf(b, "%s\"%s\":%lld", first ? "" : ",", import_kind_name((import_kind_t)k),
                   (long long)n);
        first = false;
    }
    buf_puts(b, "}");
}

static void print_json(const import_summary_t *sum, const store_summary_t *before,
                       const store_summary_t *after)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"files\":[");
    for (size_t i = 0; i < sum->nfiles; i++) {
        const import_file_result_t *r = &sum->files[i];
        buf_printf(&b, "%s{\"path\":", i ? "," : "");
        buf_json_str(&b, r->path, strlen(r->path));
        buf_printf(&b, ",\"format\":\"%s\",\"status\":\"%s\"", import_format_name(r->format),
                   status_name(r->status));
        if (r->hash[0])
            buf_printf(&b, ",\"content_hash\":\"%s\"", r->hash);
        buf_printf(&b, ",\"bytes\":%lld,\"records\":%lld,\"ignored\":%lld,\"counts\":",
                   (long long)r->bytes, (long long)r->records, (long long)r->ignored);
        counts_json(&b, r->counts);
        if (r->reason) {
            buf_puts(&b, ",\"reason\":");
            buf_json_str(&b, r->reason, strlen(r->reason));
        }
        buf_printf(&b, ",\"seconds\":%.3f}", r->seconds);
    }
    buf_printf(&b, "],\"loaded\":%zu,\"skipped\":%zu,\"failed\":%zu,\"counts\":", sum->loaded,
               sum->skipped, sum->failed);
    counts_json(&b, sum->counts);
    buf_puts(&b, ",\"added\":");
    added_json(&b, sum, before, after);
    buf_printf(&b, ",\"seconds\":%.3f}\n", sum->seconds);
    fputs(buf_cstr(&b), stdout);
    buf_free(&b);
}

static void print_human(const import_summary_t *sum, const store_summary_t *before,
                        const store_summary_t *after)
{
    fprintf(stderr, "tripod import: %zu file%s loaded, %zu skipped, %zu failed in %.1f s\n",
            sum->loaded, sum->loaded == 1 ? "" : "s", sum->skipped, sum->failed, sum->seconds);
    bool any = false;
    for (int k = 0; k < IK_COUNT; k++)
        if (sum->counts[k]) {
            /* distinct records new in the store, and what was read when it
             * differs (the same record in two files, or already stored) */
            int64_t added = added_of(before, after, k);
            fprintf(stderr, "%s%s %lld",
                    any ? ", " : "  new records: ", import_kind_name((import_kind_t)k),
                    (long long)(added >= 0 ? added : sum->counts[k]));
            if (added >= 0 && added != sum->counts[k])
                fprintf(stderr, " (%lld read)", (long long)sum->counts[k]);
            any = true;
        }
    if (any)
        fputc('\n', stderr);
    int64_t ignored = 0;
    for (size_t i = 0; i < sum->nfiles; i++) {
        const import_file_result_t *r = &sum->files[i];
        if (r->status == IMPORT_SKIPPED)
            fprintf(stderr, "  skipped %s: %s\n", r->path, r->reason ? r->reason : "");
        else if (r->status == IMPORT_FAILED)
            fprintf(stderr, "  failed  %s (rolled back)\n", r->path);
        else
            ignored += r->ignored;
    }
    if (ignored)
        fprintf(stderr,
                "  %lld records of kinds the store does not hold were ignored (FHIR resource "
                "types such as DiagnosticReport, Claim, Provenance; see --json)\n",
                (long long)ignored);
}

int cmd_import(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    const char *db = NULL;
    bool json = false, quiet = false;
    const char **paths = (const char **)argv; /* reuses argv's storage: paths <= argc */
    size_t npaths = 0;
    bool opts_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = true;
        } else if (!opts_done && strcmp(a, "--db") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("import", "--db needs a value");
            db = argv[++i];
        } else if (!opts_done && strncmp(a, "--db=", 5) == 0) {
            db = a + 5;
        } else if (!opts_done && strcmp(a, "--json") == 0) {
            json = true;
        } else if (!opts_done && strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (!opts_done && a[0] == '-' && a[1]) {
            return cli_usage_error("import", "unknown option '%s'", a);
        } else {
            paths[npaths++] = a;
        }
    }
    if (!db)
        return cli_usage_error("import", "--db is required");
    if (npaths == 0)
        return cli_usage_error("import", "no file or folder to import");

    err_t e;
    err_clear(&e);
    store_t *s = NULL;
    if (store_open(db, &s, &e) != 0)
        return cli_report("import", &e);
    ui_t u = { NULL, quiet };
    import_opts_t o = { .warn = on_warn, .progress = on_progress, .file_done = on_file, .ctx = &u };
    import_summary_t sum;
    store_summary_t before = { 0 }, after = { 0 };
    if (store_summary(s, &before, &e) != 0) {
        store_close(s);
        return cli_report("import", &e);
    }
    int rc = import_paths(s, paths, npaths, &o, &sum, &e);
    progress_done(u.bar);
    err_t se;
    err_clear(&se);
    /* without a second summary the counts show what was read */
    bool have_after = store_summary(s, &after, &se) == 0;
    store_close(s);
    if (rc != 0 && sum.failed == 0) {
        /* A path that does not exist or a folder that cannot be read. */
        import_summary_free(&sum);
        return cli_report("import", &e);
    }
    if (json)
        print_json(&sum, &before, have_after ? &after : NULL);
    if (!quiet)
        print_human(&sum, &before, have_after ? &after : NULL);
    int code = sum.failed ? err_exit_code(&e) : CLI_OK;
    if (sum.failed && code == CLI_OK)
        code = CLI_INPUT;
    import_summary_free(&sum);
    return code;
}
