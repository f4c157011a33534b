/* import_suite.c — `tripod import` end to end, on either backend:
 *   import_suite sqlite     each test gets a fresh SQLite file
 *   import_suite postgres   each test gets an empty schema (TRIPOD_TEST_PG_URL,
 *                           set by scripts/pg-tmp)
 * Covers detection by content, one transaction per file, idempotency,
 * claim re-delivery, leniency and strictness (exact error lines), FHIR JSON
 * pointers, Blue Button EOB counts, the Synthea FHIR/CSV agreement and the
 * Tuva practitioner and lab_result files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/codes.h"
#include "core/mem.h"
#include "core/str.h"
#include "ingest/import.h"
#include "store/store.h"
#include "../testdata.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *backend;
static char tmpdir[256];
static int test_no;

typedef struct fx {
    store_t *s;
    char url[512];
    char dir[600]; /* a fresh folder for this test's files */
    buf_t warnings;
    size_t chunk; /* import_opts_t.chunk_bytes of the imports (0: the default) */
} fx_t;

/* ---- fixtures ------------------------------------------------------------ */

static void pg_reset(const char *url)
{
    PGconn *c = PQconnectdb(url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, "SET client_min_messages = warning;"
                            " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("reset: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static void open_store(fx_t *f, int n)
{
    if (strcmp(backend, "sqlite") == 0) {
        snprintf(f->url, sizeof f->url, "%s/t%d-%d.db", tmpdir, test_no, n);
    } else {
        str_copy(f->url, getenv("TRIPOD_TEST_PG_URL"), sizeof f->url);
        pg_reset(f->url);
    }
    err_t e;
    err_clear(&e);
    if (store_open(f->url, &f->s, &e) != 0)
        fail_msg("store_open: %s (%s)", e.msg, e.field);
}

static int setup(void **state)
{
    fx_t *f = mem_calloc(1, sizeof *f);
    test_no++;
    snprintf(f->dir, sizeof f->dir, "%s/d%d", tmpdir, test_no);
    mkdir(f->dir, 0700);
    open_store(f, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    store_close(f->s);
    buf_free(&f->warnings);
    mem_free(f);
    return 0;
}

/* ---- helpers --------------------------------------------------------------- */

/* The samples of tests/data/ (testdata.h). */
static const char *refdata(void)
{
    return testdata_dir();
}

static char *path_in(fx_t *f, const char *name)
{
    static char p[2][800];
    static int k;
    k ^= 1;
    snprintf(p[k], sizeof p[k], "%s/%s", f->dir, name);
    return p[k];
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

static char *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    buf_t b = BUF_INIT;
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&b, chunk, k);
    fclose(fp);
    if (n)
        *n = b.len;
    if (!b.data)
        return mem_strdup("");
    return buf_take(&b);
}

/* The Tuva header of a kind ("medical_claim"), without its line end. */
static char *tuva_header(const char *kind)
{
    char p[800];
    snprintf(p, sizeof p, "%s/claims/tuva_input_layer_%s.csv", refdata(), kind);
    char *h = read_all(p, NULL);
    size_t n = strlen(h);
    while (n && (h[n - 1] == '\n' || h[n - 1] == '\r'))
        h[--n] = '\0';
    return h;
}

/* Appends a row for header hdr: values given as "column=value" strings (the
 * value written as is, so the caller quotes), NULL-terminated. */
static void row(buf_t *b, const char *hdr, ...)
{
    const char *args[64];
    int na = 0;
    va_list ap;
    va_start(ap, hdr);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && na < 64)
        args[na++] = a;
    va_end(ap);
    const char *p = hdr;
    bool first = true;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (!first)
            buf_putc(b, ',');
        first = false;
        for (int i = 0; i < na; i++) {
            const char *eq = strchr(args[i], '=');
            if ((size_t)(eq - args[i]) == n && strncmp(args[i], p, n) == 0) {
                buf_puts(b, eq + 1);
                break;
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
    buf_puts(b, "\n");
}

static void on_warn(void *ctx, const char *path, const char *msg)
{
    fx_t *f = ctx;
    buf_printf(&f->warnings, "%s: %s\n", path, msg);
}

/* Imports paths; returns import_paths' status; sum filled (free it). */
static int import(fx_t *f, import_summary_t *sum, err_t *e, int n, ...)
{
    const char *paths[16];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        paths[i] = va_arg(ap, const char *);
    va_end(ap);
    import_opts_t o = { .warn = on_warn, .ctx = f, .chunk_bytes = f->chunk };
    err_clear(e);
    return import_paths(f->s, paths, (size_t)n, &o, sum, e);
}

static int64_t count(store_t *s, const char *table)
{
    int64_t n = -1;
    err_t e;
    err_clear(&e);
    if (store_count(s, table, &n, &e) != 0)
        fail_msg("count %s: %s", table, e.msg);
    return n;
}

static void import_ok(fx_t *f, const char *path)
{
    import_summary_t sum;
    err_t e;
    int rc = import(f, &sum, &e, 1, path);
    if (rc != 0) {
        char line[1024];
        err_format(&e, line, sizeof line);
        fail_msg("import %s: %s", path, line);
    }
    import_summary_free(&sum);
}

/* The one error line of a failed import (err_format). */
static void import_fails(fx_t *f, const char *path, const char *want)
{
    import_summary_t sum;
    err_t e;
    int rc = import(f, &sum, &e, 1, path);
    assert_int_equal(rc, ERR_INPUT);
    assert_int_equal(sum.failed, 1);
    char line[1024];
    err_format(&e, line, sizeof line);
    if (strcmp(line, want) != 0)
        fail_msg("error line\n  got:  %s\n  want: %s", line, want);
    import_summary_free(&sum);
}

/* A small eligibility file for persons P1..Pn. */
static void write_eligibility(fx_t *f, const char *name, int n)
{
    char *h = tuva_header("eligibility");
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s\n", h);
    for (int i = 1; i <= n; i++) {
        char pid[32];
        snprintf(pid, sizeof pid, "person_id=P%d", i);
        row(&b, h, pid, "gender=female", "birth_date=1950-01-02", "payer=medicare", "plan=ffs",
            "enrollment_start_date=2024-01-01", "enrollment_end_date=2024-12-31", NULL);
    }
    write_file(path_in(f, name), b.data, b.len);
    buf_free(&b);
    mem_free(h);
}

/* ---- scans ------------------------------------------------------------------ */

typedef struct claim_view {
    buf_t text; /* every line, serialised */
} claim_view_t;

static int scan_med(void *ctx, const store_med_claim_t *r, err_t *e)
{
    (void)e;
    claim_view_t *v = ctx;
    char d1[DATE_FMT_LEN];
    date_format(r->claim_start_date, d1);
    buf_printf(&v->text, "%s|%lld|%s|%s|%s|%s|%lld|%s|%s\n", r->claim_id,
               (long long)r->claim_line_number, r->claim_type ? r->claim_type : "",
               r->person_id ? r->person_id : "", d1, r->hcpcs_code ? r->hcpcs_code : "",
               (long long)(r->paid_amount == STORE_MONEY_NONE ? -1 : r->paid_amount),
               r->diagnosis_code[0] ? r->diagnosis_code[0] : "",
               r->data_source ? r->data_source : "");
    return 0;
}

static char *med_claims(store_t *s)
{
    claim_view_t v = { BUF_INIT };
    err_t e;
    err_clear(&e);
    if (store_scan_med_claim(s, scan_med, &v, &e) != 0)
        fail_msg("scan: %s", e.msg);
    if (!v.text.data)
        return mem_strdup("");
    return buf_take(&v.text);
}

/* ---- tests: detection ------------------------------------------------------ */

static void test_detect_by_content(void **state)
{
    fx_t *f = *state;
    char p[800];
    /* Tuva files renamed to misleading extensions. */
    write_eligibility(f, "members.json", 2);
    char *h = tuva_header("medical_claim");
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s\n", h);
    row(&b, h, "claim_id=C1", "claim_line_number=1", "claim_type=professional", "person_id=P1",
        "claim_start_date=2024-03-01", "hcpcs_code=99214", "paid_amount=85.50", NULL);
    write_file(path_in(f, "claims.hl7"), b.data, b.len);
    buf_free(&b);
    mem_free(h);
    h = tuva_header("pharmacy_claim");
    buf_printf(&b, "%s\n", h);
    row(&b, h, "claim_id=R1", "claim_line_number=1", "person_id=P1", "ndc_code=00002322730",
        "dispensing_date=20240301", NULL);
    write_file(path_in(f, "rx.ndjson"), b.data, b.len);
    buf_free(&b);
    mem_free(h);
    /* FHIR, NDJSON, EOB NDJSON, HL7 and Synthea CSV likewise. */
    static const char bundle[] =
        "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":"
        "{\"resourceType\":\"Patient\",\"id\":\"F1\",\"gender\":\"male\","
        "\"birthDate\":\"1940-05-06\"}}]}";
    write_file(path_in(f, "bundle.csv"), bundle, strlen(bundle));
    static const char nd[] =
        "{\"resourceType\":\"Patient\",\"id\":\"N1\",\"gender\":\"female\"}\n"
        "{\"resourceType\":\"Condition\",\"id\":\"N1c\",\"subject\":{\"reference\":"
        "\"Patient/N1\"},\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\","
        "\"code\":\"E11.9\"}]}}\n";
    write_file(path_in(f, "patients.csv"), nd, strlen(nd));
    snprintf(p, sizeof p, "%s/claims/bluebutton_eob_200.ndjson", refdata());
    size_t n = 0;
    char *eob = read_all(p, &n);
    write_file(path_in(f, "eob.txt"), eob, n);
    mem_free(eob);
    snprintf(p, sizeof p, "%s/hl7v2/ADT-A01-01.hl7", refdata());
    char *hl7 = read_all(p, &n);
    write_file(path_in(f, "adt.csv"), hl7, n);
    mem_free(hl7);
    snprintf(p, sizeof p, "%s/synthea/csv/patients.csv", refdata());
    char *sp = read_all(p, &n);
    write_file(path_in(f, "people.json"), sp, n);
    mem_free(sp);
    static const char junk[] = "just some notes\nnothing to import\n";
    write_file(path_in(f, "README.csv"), junk, strlen(junk));

    struct {
        const char *name, *format;
    } want[] = {
        { "members.json", "tuva_eligibility" },
        { "claims.hl7", "tuva_medical_claim" },
        { "rx.ndjson", "tuva_pharmacy_claim" },
        { "bundle.csv", "fhir_json" },
        { "patients.csv", "fhir_ndjson" },
        { "eob.txt", "bluebutton_eob_ndjson" },
        { "adt.csv", "hl7v2" },
        { "people.json", "synthea_patients" },
        { "README.csv", "unknown" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *data = read_all(path_in(f, want[i].name), &n);
        bool syn;
        import_format_t fmt = import_detect(data, n, &syn);
        if (strcmp(import_format_name(fmt), want[i].format) != 0)
            fail_msg("%s detected as %s, want %s", want[i].name, import_format_name(fmt),
                     want[i].format);
        mem_free(data);
    }
    /* The folder loads whole; the unrecognised file is skipped, not failed. */
    import_summary_t sum;
    err_t e;
    int rc = import(f, &sum, &e, 1, f->dir);
    if (rc != 0)
        fail_msg("import: %s %s", e.field, e.msg);
    assert_int_equal(sum.failed, 0);
    assert_int_equal(sum.skipped, 1);
    assert_int_equal(sum.loaded, 8);
    import_summary_free(&sum);
    assert_int_equal(count(f->s, "medical_claim_line"), 1 + 165);
    assert_int_equal(count(f->s, "pharmacy_claim"), 1 + 35);
    assert_true(count(f->s, "patient") >= 2 + 1 + 1 + 11);
    assert_int_equal(count(f->s, "condition"), 1);
    assert_true(count(f->s, "hl7_message") >= 1);
    /* Named explicitly, an unrecognised file is an error. */
    char want_line[900];
    snprintf(want_line, sizeof want_line,
             "%s: unrecognised content: not a Tuva CSV, a Synthea CSV, FHIR JSON or NDJSON, "
             "nor HL7 v2",
             path_in(f, "README.csv"));
    import_fails(f, path_in(f, "README.csv"), want_line);
}

/* ---- tests: transactions and idempotency ------------------------------------ */

static void write_claims(fx_t *f, const char *name, int lines, int bad_line)
{
    char *h = tuva_header("medical_claim");
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s\n", h);
    for (int i = 2; i <= lines + 1; i++) { /* file line i holds claim line i-1 */
        char id[32], ln[48], dt[48], paid[48];
        snprintf(id, sizeof id, "claim_id=C%d", (i - 2) / 3);
        snprintf(ln, sizeof ln, "claim_line_number=%d", (i - 2) % 3 + 1);
        snprintf(dt, sizeof dt, "claim_start_date=%s", i == bad_line ? "2023-02-30" : "2024-03-01");
        snprintf(paid, sizeof paid, "paid_amount=%d.25", i);
        row(&b, h, id, ln, "claim_type=professional", "person_id=P1", dt, "hcpcs_code=99213", paid,
            "diagnosis_code_1=I10", NULL);
    }
    write_file(path_in(f, name), b.data, b.len);
    buf_free(&b);
    mem_free(h);
}

static void test_bad_line_5000_rolls_back(void **state)
{
    fx_t *f = *state;
    write_eligibility(f, "elig.csv", 3);
    import_ok(f, path_in(f, "elig.csv"));
    int64_t files = count(f->s, "source_file");
    write_claims(f, "med.csv", 6000, 5000);
    char *h = tuva_header("medical_claim");
    /* The column of claim_start_date on line 5000. */
    char want[1200];
    char *line = NULL;
    {
        size_t n = 0;
        char *all = read_all(path_in(f, "med.csv"), &n);
        line = all;
        for (int k = 1; k < 5000; k++)
            line = strchr(line, '\n') + 1;
        int col = 1;
        for (int k = 0; k < 7; k++) /* claim_start_date is the 8th column */
            col += (int)(strchr(line + col - 1, ',') - (line + col - 1)) + 1;
        snprintf(want, sizeof want, "%s:5000:%d: claim_start_date: invalid date '2023-02-30'",
                 path_in(f, "med.csv"), col);
        mem_free(all);
    }
    import_fails(f, path_in(f, "med.csv"), want);
    assert_int_equal(count(f->s, "medical_claim_line"), 0);
    assert_int_equal(count(f->s, "medical_claim"), 0);
    assert_int_equal(count(f->s, "source_file"), files);
    mem_free(h);
}

/* Claims CSVs of two chunks or more are parsed by two threads (tuva.c,
 * par_load); small chunks make a small file take that path. What it loads,
 * the records it counts and the error it reports must be those of one
 * thread reading the file through, wherever the chunks fall: quoted fields
 * with line breaks and commas, CRLF and LF lines, blank lines. */
static void write_messy_claims(fx_t *f, const char *name, int lines, int bad_line,
                               const char *bad_value)
{
    char *h = tuva_header("medical_claim");
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s\n", h);
    for (int i = 2; i <= lines + 1; i++) {
        char id[32], ln[48], dt[48], paid[48], src[64];
        snprintf(id, sizeof id, "claim_id=C%d", (i - 2) / 3);
        snprintf(ln, sizeof ln, "claim_line_number=%d", (i - 2) % 3 + 1);
        snprintf(dt, sizeof dt, "claim_start_date=%s", i == bad_line ? bad_value : "2024-03-01");
        snprintf(paid, sizeof paid, "paid_amount=%d.25", i);
        /* Every 7th row spans two lines inside a quoted field. */
        snprintf(src, sizeof src, "data_source=%s", i % 7 ? "src" : "\"multi\nline, \"\"q\"\"\"");
        row(&b, h, id, ln, "claim_type=professional", "person_id=P1", dt, "hcpcs_code=99213", paid,
            "diagnosis_code_1=I10", src, NULL);
        if (i % 5 == 0) { /* CRLF for some rows, and a blank line after them */
            b.len--;
            buf_puts(&b, "\r\n\n");
        }
    }
    write_file(path_in(f, name), b.data, b.len);
    buf_free(&b);
    mem_free(h);
}

static char *import_error(fx_t *f, const char *path, uint64_t *records)
{
    import_summary_t sum;
    err_t e;
    assert_int_equal(import(f, &sum, &e, 1, path), ERR_INPUT);
    *records = sum.nfiles ? (uint64_t)sum.files[0].records : 0;
    import_summary_free(&sum);
    char line[1024];
    err_format(&e, line, sizeof line);
    return mem_strdup(line);
}

static void test_claims_parsed_in_chunks(void **state)
{
    fx_t *f = *state;
    write_messy_claims(f, "med.csv", 3000, 0, NULL);
    f->chunk = 0; /* a file this small: one thread */
    import_ok(f, path_in(f, "med.csv"));
    char *one = med_claims(f->s);
    assert_int_equal(count(f->s, "medical_claim_line"), 3000);
    assert_non_null(strstr(one, "multi\nline, \"q\""));
    static const size_t chunks[] = { 97, 256, 4096 };
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        store_close(f->s);
        open_store(f, (int)i + 1);
        f->chunk = chunks[i];
        import_summary_t sum;
        err_t e;
        assert_int_equal(import(f, &sum, &e, 1, path_in(f, "med.csv")), 0);
        assert_int_equal(sum.files[0].records, 3000);
        import_summary_free(&sum);
        char *two = med_claims(f->s);
        assert_string_equal(one, two);
        mem_free(two);
    }
    mem_free(one);

    /* The first error in file order, at the same place, from either path:
     * a bad value deep in the file, a row with a field too many, a quote
     * that is never closed. */
    struct {
        int line;
        const char *value;
    } bad[] = { { 2400, "2023-02-30" }, { 1800, "2024-03-01,x" }, { 2999, "\"2024-03-01" } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu.csv", i);
        write_messy_claims(f, name, 3000, bad[i].line, bad[i].value);
        uint64_t r1, r2;
        f->chunk = 0;
        char *want = import_error(f, path_in(f, name), &r1);
        f->chunk = 256;
        char *got = import_error(f, path_in(f, name), &r2);
        assert_string_equal(got, want);
        assert_int_equal(r2, r1);
        mem_free(want);
        mem_free(got);
    }
    f->chunk = 0;
}

static void test_import_twice_changes_nothing(void **state)
{
    fx_t *f = *state;
    write_eligibility(f, "elig.csv", 3);
    write_claims(f, "med.csv", 30, 0);
    import_ok(f, f->dir);
    char *before = med_claims(f->s);
    int64_t lines = count(f->s, "medical_claim_line"), pats = count(f->s, "patient"),
            files = count(f->s, "source_file");
    assert_int_equal(lines, 30);
    assert_int_equal(files, 2);
    import_summary_t sum;
    err_t e;
    assert_int_equal(import(f, &sum, &e, 1, f->dir), 0);
    assert_int_equal(sum.loaded, 0);
    assert_int_equal(sum.skipped, 2);
    for (size_t i = 0; i < sum.nfiles; i++)
        assert_true(str_starts_with(sum.files[i].reason, "already loaded (content hash "));
    import_summary_free(&sum);
    char *after = med_claims(f->s);
    assert_string_equal(before, after);
    assert_int_equal(count(f->s, "medical_claim_line"), lines);
    assert_int_equal(count(f->s, "patient"), pats);
    assert_int_equal(count(f->s, "source_file"), files);
    mem_free(before);
    mem_free(after);
}

static void test_redelivery_replaces_claim(void **state)
{
    fx_t *f = *state;
    char *h = tuva_header("medical_claim");
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s\n", h);
    for (int i = 1; i <= 3; i++) {
        char ln[48];
        snprintf(ln, sizeof ln, "claim_line_number=%d", i);
        row(&b, h, "claim_id=CX", ln, "claim_type=professional", "person_id=P1",
            "paid_amount=10.00", "hcpcs_code=99213", NULL);
    }
    row(&b, h, "claim_id=CY", "claim_line_number=1", "claim_type=professional", "person_id=P2",
        "paid_amount=5.00", NULL);
    write_file(path_in(f, "v1.csv"), b.data, b.len);
    buf_reset(&b);
    buf_printf(&b, "%s\n", h);
    for (int i = 1; i <= 2; i++) {
        char ln[48];
        snprintf(ln, sizeof ln, "claim_line_number=%d", i);
        row(&b, h, "claim_id=CX", ln, "claim_type=professional", "person_id=P1",
            "paid_amount=20.00", "hcpcs_code=99214", NULL);
    }
    write_file(path_in(f, "v2.csv"), b.data, b.len);
    buf_free(&b);
    mem_free(h);
    import_ok(f, path_in(f, "v1.csv"));
    assert_int_equal(count(f->s, "medical_claim_line"), 4);
    import_ok(f, path_in(f, "v2.csv"));
    char *all = med_claims(f->s);
    assert_string_equal(all, "CX|1|professional|P1||99214|2000||\n"
                             "CX|2|professional|P1||99214|2000||\n"
                             "CY|1|professional|P2|||500||\n");
    mem_free(all);
}

/* ---- tests: leniency and strictness ------------------------------------------ */

static void test_lenient_csv(void **state)
{
    fx_t *f = *state;
    char *h = tuva_header("medical_claim");
    buf_t b = BUF_INIT;
    buf_puts(&b, "\xEF\xBB\xBF"); /* a UTF-8 BOM */
    buf_printf(&b, "%s,extra_col\r\n", h);
    /* CRLF, a quoted field with commas, quotes and a line break, a dotted
     * ICD-10 code in lower case, YYYYMMDD dates, a blank line, '$' amounts. */
    buf_t r = BUF_INIT;
    row(&r, h, "claim_id=L1", "claim_line_number=1", "claim_type=Professional", "person_id=P1",
        "claim_start_date=20240301", "claim_end_date=2024-03-02",
        "data_source=\"feed, \"\"north\"\"\nregion\"", "diagnosis_code_1= e11.9 ",
        "hcpcs_code=99214", "paid_amount=\"$1,234.50\"", NULL);
    r.data[r.len - 1] = '\0'; /* drop the \n: this row ends with ,extra\r\n */
    r.len--;
    buf_printf(&b, "%s,ignored\r\n\r\n", r.data);
    buf_free(&r);
    write_file(path_in(f, "lenient.csv"), b.data, b.len);
    buf_free(&b);
    mem_free(h);
    import_ok(f, path_in(f, "lenient.csv"));
    char *all = med_claims(f->s);
    assert_string_equal(all, "L1|1|professional|P1|2024-03-01|99214|123450|E119|"
                             "feed, \"north\"\nregion\n");
    mem_free(all);
    char want[900];
    snprintf(want, sizeof want, "%s: ignoring unknown columns: extra_col\n",
             path_in(f, "lenient.csv"));
    assert_string_equal(buf_cstr(&f->warnings), want);
}

typedef struct strict_case {
    const char *col_value; /* "column=value" replacing the default */
    const char *column;    /* the column named in the error */
    const char *msg;
} strict_case_t;

static void test_strict_csv(void **state)
{
    fx_t *f = *state;
    static const strict_case_t cases[] = {
        { "claim_start_date=2023-02-29", "claim_start_date", "invalid date '2023-02-29'" },
        { "claim_start_date=03/01/2024", "claim_start_date", "invalid date '03/01/2024'" },
        { "paid_amount=12.345", "paid_amount", "invalid amount '12.345'" },
        { "paid_amount=ten", "paid_amount", "invalid amount 'ten'" },
        { "claim_id=", "claim_id", "required value missing" },
        { "diagnosis_code_1=E11.9.9", "diagnosis_code_1", "invalid ICD-10-CM code 'E11.9.9'" },
        { "claim_type=capitated", "claim_type",
          "invalid claim type (want institutional, professional or dme) 'capitated'" },
        { "in_network_flag=maybe", "in_network_flag",
          "invalid flag (want 1/0, Y/N, true/false) 'maybe'" },
    };
    char *h = tuva_header("medical_claim");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_t b = BUF_INIT;
        buf_printf(&b, "%s\n", h);
        row(&b, h, "claim_id=S1", "claim_line_number=1", "claim_type=professional", "person_id=P1",
            NULL);
        /* The bad row is line 3; find its column from the header. */
        const char *name = cases[i].column;
        int col = 1, idx = 0;
        const char *p = h;
        while (strncmp(p, name, strlen(name)) != 0 || (p[strlen(name)] != ',' && p[strlen(name)]))
            p = strchr(p, ',') + 1, idx++;
        const char *defaults[] = { "claim_id=S2", "claim_line_number=1", "claim_type=professional",
                                   "person_id=P1" };
        const char *args[5];
        int na = 0;
        for (int k = 0; k < 4; k++)
            if (strncmp(defaults[k], cases[i].col_value, strlen(name)) != 0 ||
                defaults[k][strlen(name)] != '=')
                args[na++] = defaults[k];
        args[na++] = cases[i].col_value;
        while (na < 5)
            args[na++] = "x_unused=1";
        size_t start = b.len;
        row(&b, h, args[0], args[1], args[2], args[3], args[4], NULL);
        const char *l = b.data + start;
        for (int k = 0; k < idx; k++) {
            const char *c = strchr(l, ',');
            col += (int)(c - l) + 1;
            l = c + 1;
        }
        char fname[32];
        snprintf(fname, sizeof fname, "strict%zu.csv", i);
        write_file(path_in(f, fname), b.data, b.len);
        buf_free(&b);
        char want[900];
        snprintf(want, sizeof want, "%s:3:%d: %s: %s", path_in(f, fname), col, name, cases[i].msg);
        import_fails(f, path_in(f, fname), want);
    }
    assert_int_equal(count(f->s, "medical_claim_line"), 0);

    /* Structural errors. */
    static const char unterminated[] = "claim_id,claim_line_number,claim_type,person_id\n"
                                       "A,1,professional,P1\n"
                                       "B,1,\"professional,P1\n";
    write_file(path_in(f, "u.csv"), unterminated, strlen(unterminated));
    char want[900];
    snprintf(want, sizeof want, "%s:3:5: unterminated quoted field", path_in(f, "u.csv"));
    import_fails(f, path_in(f, "u.csv"), want);
    static const char fields[] = "claim_id,claim_line_number,claim_type,person_id\n"
                                 "A,1,professional,P1,extra\n";
    write_file(path_in(f, "n.csv"), fields, strlen(fields));
    snprintf(want, sizeof want, "%s:2:21: row has 5 fields, the header has 4", path_in(f, "n.csv"));
    import_fails(f, path_in(f, "n.csv"), want);
    static const char missing[] = "claim_id,claim_line_number,claim_type,person_id,hcpcs_code\n"
                                  "A,1,professional,,99213\n";
    write_file(path_in(f, "m.csv"), missing, strlen(missing));
    snprintf(want, sizeof want, "%s:2:18: person_id: required value missing", path_in(f, "m.csv"));
    import_fails(f, path_in(f, "m.csv"), want);
    static const char elig_bad[] = "person_id,payer,enrollment_start_date,birth_date\n"
                                   "P1,medicare,2024-01-01,1950-13-01\n";
    write_file(path_in(f, "e.csv"), elig_bad, strlen(elig_bad));
    snprintf(want, sizeof want, "%s:2:24: birth_date: invalid date '1950-13-01'",
             path_in(f, "e.csv"));
    import_fails(f, path_in(f, "e.csv"), want);
    assert_int_equal(count(f->s, "patient"), 0);
    mem_free(h);
}

/* ---- tests: FHIR ----------------------------------------------------------------- */

static void test_fhir_pointer_errors(void **state)
{
    fx_t *f = *state;
    static const char bundle[] =
        "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[\n"
        "{\"fullUrl\":\"urn:uuid:aaa\",\"resource\":{\"resourceType\":\"Patient\","
        "\"birthDate\":\"1950-01-01\"},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},\n"
        "{\"fullUrl\":\"urn:uuid:bbb\",\"resource\":{\"resourceType\":\"Patient\","
        "\"birthDate\":\"1980-02-30\"},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}]}";
    write_file(path_in(f, "b.json"), bundle, strlen(bundle));
    char want[900];
    snprintf(want, sizeof want, "%s: /entry/1/resource/birthDate: invalid date '1980-02-30'",
             path_in(f, "b.json"));
    import_fails(f, path_in(f, "b.json"), want);
    assert_int_equal(count(f->s, "patient"), 0);

    static const char nd[] =
        "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\n"
        "\n"
        "{\"resourceType\":\"Condition\",\"id\":\"c1\",\"subject\":{\"reference\":\"Patient/p1\"},"
        "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"44054006\"},"
        "{\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"XYZ\"}]}}\n";
    write_file(path_in(f, "c.ndjson"), nd, strlen(nd));
    snprintf(want, sizeof want, "%s:3: /code/coding/1/code: invalid ICD-10-CM code 'XYZ'",
             path_in(f, "c.ndjson"));
    import_fails(f, path_in(f, "c.ndjson"), want);

    static const char nosubj[] = "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\n"
                                 "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"code\":"
                                 "{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":"
                                 "\"4548-4\"}]}}\n";
    write_file(path_in(f, "o.ndjson"), nosubj, strlen(nosubj));
    snprintf(want, sizeof want, "%s:2: /subject: required reference to the patient missing",
             path_in(f, "o.ndjson"));
    import_fails(f, path_in(f, "o.ndjson"), want);

    static const char fk[] = "{\"resourceType\":\"Condition\",\"id\":\"c9\",\"subject\":"
                             "{\"reference\":\"Patient/nobody\"},\"code\":{\"coding\":[{\"system\":"
                             "\"http://snomed.info/sct\",\"code\":\"44054006\"}]}}\n";
    write_file(path_in(f, "fk.ndjson"), fk, strlen(fk));
    {
        /* The store may find the missing patient at the put or, buffering
         * puts, at the commit: either way the file fails saying so. */
        import_summary_t s2;
        err_t e2;
        assert_int_equal(import(f, &s2, &e2, 1, path_in(f, "fk.ndjson")), ERR_INPUT);
        char line[1024];
        err_format(&e2, line, sizeof line);
        assert_true(str_starts_with(line, path_in(f, "fk.ndjson")));
        if (!strstr(line, "neither stored nor in this file"))
            fail_msg("unexpected error line: %s", line);
        import_summary_free(&s2);
    }
    assert_int_equal(count(f->s, "condition"), 0);

    static const char broken[] = "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\n"
                                 "{\"resourceType\":\"Patient\",\"id\":\n";
    write_file(path_in(f, "j.ndjson"), broken, strlen(broken));
    import_summary_t sum;
    err_t e;
    assert_int_equal(import(f, &sum, &e, 1, path_in(f, "j.ndjson")), ERR_INPUT);
    assert_int_equal(e.line, 2);
    import_summary_free(&sum);
    assert_int_equal(count(f->s, "patient"), 0);
    assert_int_equal(count(f->s, "condition"), 0);
}

typedef struct obs_list {
    buf_t text;
} obs_list_t;

static int scan_obs(void *ctx, const store_observation_t *r, err_t *e)
{
    (void)e;
    obs_list_t *l = ctx;
    char d[DATE_FMT_LEN];
    date_format(r->effective_date, d);
    buf_printf(&l->text, "%s %s %s %s %g %s\n", r->observation_id, r->person_id, r->code, d,
               r->value_num, r->value_unit ? r->value_unit : "-");
    return 0;
}

static void test_fhir_transaction_bundle(void **state)
{
    fx_t *f = *state;
    static const char bundle[] =
        "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
        "{\"fullUrl\":\"urn:uuid:obs-1\",\"resource\":{\"resourceType\":\"Observation\","
        "\"status\":\"final\",\"category\":[{\"coding\":[{\"code\":\"vital-signs\"}]}],"
        "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"85354-9\"}]},"
        "\"subject\":{\"reference\":\"urn:uuid:pat-1\"},"
        "\"effectiveDateTime\":\"2024-03-01T22:30:00-05:00\",\"component\":["
        "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8480-6\"}]},"
        "\"valueQuantity\":{\"value\":142,\"unit\":\"mmHg\",\"code\":\"mm[Hg]\"}},"
        "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8462-4\"}]},"
        "\"valueQuantity\":{\"value\":91,\"unit\":\"mmHg\",\"code\":\"mm[Hg]\"}}]},"
        "\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}},"
        "{\"fullUrl\":\"urn:uuid:pat-1\",\"resource\":{\"resourceType\":\"Patient\","
        "\"id\":\"PX\",\"gender\":\"female\",\"birthDate\":\"1948\"},"
        "\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}]}";
    write_file(path_in(f, "tx.json"), bundle, strlen(bundle));
    import_ok(f, path_in(f, "tx.json"));
    obs_list_t l = { BUF_INIT };
    err_t e;
    err_clear(&e);
    assert_int_equal(store_scan_observation(f->s, scan_obs, &l, &e), 0);
    assert_string_equal(buf_cstr(&l.text), "obs-1/8462-4 PX 8462-4 2024-03-01 91 mm[Hg]\n"
                                           "obs-1/8480-6 PX 8480-6 2024-03-01 142 mm[Hg]\n");
    buf_free(&l.text);
}

/* ---- tests: Blue Button and HL7 ----------------------------------------------- */

typedef struct one_line {
    const char *claim_id;
    int found;
    money_t charge, paid;
    char dx[CODE_MAX];
    char type[32];
} one_line_t;

static int scan_one(void *ctx, const store_med_claim_t *r, err_t *e)
{
    (void)e;
    one_line_t *o = ctx;
    if (strcmp(r->claim_id, o->claim_id) != 0)
        return 0;
    o->found++;
    o->charge = r->charge_amount;
    o->paid = r->paid_amount;
    str_copy(o->dx, r->diagnosis_code[0] ? r->diagnosis_code[0] : "", sizeof o->dx);
    str_copy(o->type, r->claim_type ? r->claim_type : "", sizeof o->type);
    return 0;
}

static void test_bluebutton_eob(void **state)
{
    fx_t *f = *state;
    char p[800];
    snprintf(p, sizeof p, "%s/claims/bluebutton_eob_200.ndjson", refdata());
    import_ok(f, p);
    assert_int_equal(count(f->s, "medical_claim_line"), 165);
    assert_int_equal(count(f->s, "medical_claim"), 165);
    assert_int_equal(count(f->s, "pharmacy_claim"), 35);
    one_line_t o = { .claim_id = "carrier--10000000020519" };
    err_t e;
    err_clear(&e);
    assert_int_equal(store_scan_med_claim(f->s, scan_one, &o, &e), 0);
    assert_int_equal(o.found, 1);
    assert_int_equal(o.charge, 78633);
    assert_int_equal(o.paid, 0);
    assert_string_equal(o.dx, "E669");
    assert_string_equal(o.type, "professional");
    /* Again: skipped by its hash. */
    import_summary_t sum;
    assert_int_equal(import(f, &sum, &e, 1, p), 0);
    assert_int_equal(sum.skipped, 1);
    import_summary_free(&sum);
    assert_int_equal(count(f->s, "medical_claim_line"), 165);
}

static void test_hl7_folder(void **state)
{
    fx_t *f = *state;
    char p[800];
    snprintf(p, sizeof p, "%s/hl7v2", refdata());
    import_summary_t sum;
    err_t e;
    int rc = import(f, &sum, &e, 1, p);
    if (rc != 0) {
        char line[1024];
        err_format(&e, line, sizeof line);
        fail_msg("hl7 import: %s", line);
    }
    assert_true(sum.loaded >= 50);
    /* The samples reuse message control ids: a re-sent message replaces. */
    assert_true(count(f->s, "hl7_message") > 0);
    assert_true(count(f->s, "hl7_message") <= sum.counts[IK_HL7_MESSAGE]);
    import_summary_free(&sum);
}

/* ---- tests: Synthea FHIR vs CSV agreement ----------------------------------------- */

typedef struct facts {
    buf_t patients, encounters, conditions, observations;
} facts_t;

static int f_patient(void *ctx, const store_patient_t *r, err_t *e)
{
    (void)e;
    facts_t *x = ctx;
    char b[DATE_FMT_LEN], d[DATE_FMT_LEN];
    date_format(r->birth_date, b);
    date_format(r->death_date, d);
    buf_printf(&x->patients, "%s|%s|%s|%s|%s|%s\n", r->person_id, r->first_name, r->last_name,
               r->gender, b, d);
    return 0;
}

static int f_encounter(void *ctx, const store_encounter_t *r, err_t *e)
{
    (void)e;
    facts_t *x = ctx;
    char s[DATE_FMT_LEN];
    date_format(r->start_date, s);
    buf_printf(&x->encounters, "%s|%s|%s|%s|%s|%s|%s\n", r->encounter_id, r->person_id,
               r->class_code, r->type_system, r->type_code,
               r->organization_id ? r->organization_id : "", s);
    return 0;
}

static int f_condition(void *ctx, const store_condition_t *r, err_t *e)
{
    (void)e;
    facts_t *x = ctx;
    char o[DATE_FMT_LEN], a[DATE_FMT_LEN];
    date_format(r->onset_date, o);
    date_format(r->abatement_date, a);
    buf_printf(&x->conditions, "%s|%s|%s|%s|%s|%s|%s\n", r->person_id,
               r->encounter_id ? r->encounter_id : "", r->code_system, r->code, o, a,
               r->clinical_status ? r->clinical_status : "");
    return 0;
}

static int f_observation(void *ctx, const store_observation_t *r, err_t *e)
{
    (void)e;
    facts_t *x = ctx;
    char t[STORE_TIME_FMT_LEN];
    store_time_format(r->effective_time, t);
    /* "key\tvalue": numbers compared with a tolerance later (Synthea's CSV
     * rounds them to one decimal). */
    char v[1024];
    if (isnan(r->value_num))
        snprintf(v, sizeof v, "T%s", r->value_text ? r->value_text : "");
    else
        snprintf(v, sizeof v, "N%.17g %s", r->value_num, r->value_unit ? r->value_unit : "");
    buf_printf(&x->observations, "%s|%s|%s|%s\t%s\n", r->person_id,
               r->encounter_id ? r->encounter_id : "", r->code, t, v);
    return 0;
}

static void collect(store_t *s, facts_t *x)
{
    err_t e;
    err_clear(&e);
    assert_int_equal(store_scan_patient(s, f_patient, x, &e), 0);
    assert_int_equal(store_scan_encounter(s, f_encounter, x, &e), 0);
    assert_int_equal(store_scan_condition(s, f_condition, x, &e), 0);
    assert_int_equal(store_scan_observation(s, f_observation, x, &e), 0);
}

/* Lines of text as a sorted array (owned by the caller, in one block). */
static char **lines_of(const char *text, size_t *n)
{
    size_t cap = 16, k = 0;
    char **v = mem_alloc(cap * sizeof *v);
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (k == cap)
            v = mem_realloc(v, (cap *= 2) * sizeof *v);
        v[k++] = mem_strndup(p, len);
        p += len + (nl ? 1 : 0);
    }
    *n = k;
    for (size_t i = 1; i < k; i++) /* insertion sort is plenty for thousands */
        for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            char *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v;
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mem_free(v[i]);
    mem_free(v);
}

/* Every line of a (FHIR) is in b (CSV); returns how many of b were matched. */
static size_t subset(const char *what, char **a, size_t na, char **b, size_t nb)
{
    size_t j = 0, matched = 0;
    for (size_t i = 0; i < na; i++) {
        while (j < nb && strcmp(b[j], a[i]) < 0)
            j++;
        if (j >= nb || strcmp(b[j], a[i]) != 0)
            fail_msg("%s: the FHIR form has '%s' which the CSV form lacks", what, a[i]);
        j++;
        matched++;
    }
    return matched;
}

static bool is_fhir_patient(char **pats, size_t n, const char *line)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = strcspn(pats[i], "|");
        if (strncmp(pats[i], line, k) == 0 && line[k] == '|')
            return true;
    }
    return false;
}

static void test_synthea_fhir_csv_agree(void **state)
{
    fx_t *f = *state;
    char p[800];
    /* Two stores are needed; the PostgreSQL run has one database. */
    if (strcmp(backend, "postgres") == 0)
        skip();
    snprintf(p, sizeof p, "%s/synthea/fhir", refdata());
    import_ok(f, p);
    fx_t g = { 0 };
    open_store(&g, 1);
    snprintf(p, sizeof p, "%s/synthea/csv", refdata());
    import_ok(&g, p);
    facts_t a = { 0 }, b = { 0 };
    collect(f->s, &a);
    collect(g.s, &b);
    store_close(g.s);

    size_t npa, npb;
    char **pa = lines_of(buf_cstr(&a.patients), &npa);
    char **pb = lines_of(buf_cstr(&b.patients), &npb);
    assert_int_equal(npa, 10);
    assert_int_equal(npb, 11); /* one patient's bundle is absent (SOURCE.md) */
    subset("patients", pa, npa, pb, npb);

    /* Encounters: the same ids, patients, classes, types and organisations.
     * The start date may differ by a day: FHIR gives local times with an
     * offset and the store keeps the local date; Synthea's CSV gives UTC. */
    size_t nea, neb;
    char **ea = lines_of(buf_cstr(&a.encounters), &nea);
    char **eb = lines_of(buf_cstr(&b.encounters), &neb);
    size_t shared = 0;
    for (size_t i = 0, j = 0; i < nea; i++) {
        size_t key = strlen(ea[i]) - 10; /* all but the date */
        while (j < neb && strncmp(eb[j], ea[i], key) < 0)
            j++;
        if (j >= neb || strncmp(eb[j], ea[i], key) != 0)
            fail_msg("encounter '%s' has no CSV twin", ea[i]);
        date_t da, db;
        assert_int_equal(date_parse(ea[i] + key, 10, &da), 0);
        assert_int_equal(date_parse(eb[j] + key, 10, &db), 0);
        assert_true(da - db <= 1 && db - da <= 1);
        shared++;
    }
    assert_int_equal(shared, 317);

    /* Conditions: identical facts (ids differ: the CSV has none). */
    size_t nca, ncb;
    char **ca = lines_of(buf_cstr(&a.conditions), &nca);
    char **cb0 = lines_of(buf_cstr(&b.conditions), &ncb);
    char **cb = mem_alloc((ncb ? ncb : 1) * sizeof *cb);
    size_t ncb2 = 0;
    for (size_t i = 0; i < ncb; i++)
        if (is_fhir_patient(pa, npa, cb0[i]))
            cb[ncb2++] = cb0[i];
    assert_int_equal(nca, 237);
    assert_int_equal(ncb2, 237);
    subset("conditions", ca, nca, cb, ncb2);

    /* Observations: every FHIR fact (panels as components) is in the CSV at
     * the same instant with the same value; the CSV adds QALY/DALY/QOLS. */
    size_t noa, nob;
    char **oa = lines_of(buf_cstr(&a.observations), &noa);
    char **ob = lines_of(buf_cstr(&b.observations), &nob);
    assert_int_equal(noa, 2621);
    for (size_t i = 0; i < noa; i++) {
        size_t key = strcspn(oa[i], "\t");
        bool found = false;
        /* Binary search for the first CSV line with this key. */
        size_t lo = 0, hi = nob;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strncmp(ob[mid], oa[i], key + 1) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t j = lo; j < nob && strncmp(ob[j], oa[i], key + 1) == 0 && !found; j++) {
            const char *va = oa[i] + key + 1, *vb = ob[j] + key + 1;
            if (va[0] == 'T' || vb[0] == 'T') {
                /* Synthea's CSV writer turns the commas of text into blanks. */
                found = strlen(va) == strlen(vb);
                for (; found && *va; va++, vb++)
                    found = *va == *vb || (*va == ',' && *vb == ' ');
            } else {
                char *ua, *ub;
                double da = strtod(va + 1, &ua), db = strtod(vb + 1, &ub);
                /* Synthea rounds differently in its two writers: to one
                 * decimal in the CSV, to four significant digits in FHIR. */
                found = fabs(da - db) <= fmax(0.051, 1e-4 * fabs(da)) && strcmp(ua, ub) == 0;
            }
        }
        if (!found)
            fail_msg("observation '%s' of the FHIR form is not in the CSV form", oa[i]);
    }

    free_lines(pa, npa);
    free_lines(pb, npb);
    free_lines(ea, nea);
    free_lines(eb, neb);
    free_lines(ca, nca);
    free_lines(cb0, ncb);
    mem_free(cb);
    free_lines(oa, noa);
    free_lines(ob, nob);
    buf_free(&a.patients);
    buf_free(&a.encounters);
    buf_free(&a.conditions);
    buf_free(&a.observations);
    buf_free(&b.patients);
    buf_free(&b.encounters);
    buf_free(&b.conditions);
    buf_free(&b.observations);
}

/* A whole Synthea output folder: the FHIR form loads, the CSV form of the
 * same population is skipped with the reason (it would double records). */
static void test_synthea_whole_folder(void **state)
{
    fx_t *f = *state;
    char p[800];
    snprintf(p, sizeof p, "%s/synthea", refdata());
    import_summary_t sum;
    err_t e;
    assert_int_equal(import(f, &sum, &e, 1, p), 0);
    assert_int_equal(sum.failed, 0);
    assert_int_equal(sum.loaded, 12); /* 10 patients' bundles, hospitals, practitioners */
    size_t csv_skipped = 0;
    for (size_t i = 0; i < sum.nfiles; i++)
        if (sum.files[i].status == IMPORT_SKIPPED && sum.files[i].reason &&
            strcmp(sum.files[i].reason,
                   "the FHIR form of this Synthea output is in the same import") == 0)
            csv_skipped++;
    assert_int_equal(csv_skipped, 8);
    import_summary_free(&sum);
    assert_int_equal(count(f->s, "patient"), 10);
    assert_int_equal(count(f->s, "condition"), 237);
}

/* ---- main ----------------------------------------------------------------------- */

/* ---- tests: Tuva practitioner and lab_result --------------------------------- */

static const char prac_hdr[] =
    "practitioner_id,npi,first_name,last_name,practice_affiliation,specialty,sub_specialty,"
    "data_source,file_name,ingest_datetime,primary_care_flag,in_network_flag";
static const char lab_hdr[] =
    "lab_result_id,person_id,patient_id,encounter_id,accession_number,source_code_type,"
    "source_code,source_description,source_component,normalized_code_type,normalized_code,"
    "normalized_description,normalized_component,status,result,result_date,collection_date,"
    "source_units,normalized_units,source_reference_range_low,source_reference_range_high,"
    "normalized_reference_range_low,normalized_reference_range_high,source_abnormal_flag,"
    "normalized_abnormal_flag,specimen,ordering_practitioner_id,data_source,file_name,"
    "ingest_datetime";

static void write_prac(fx_t *f, const char *name, const char *bad_npi)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s\n", prac_hdr);
    row(&b, prac_hdr, "practitioner_id=X1", "npi=1234567893", "first_name=Ann", "last_name=Lee",
        "practice_affiliation=\"Main St Clinic, LLC\"", "specialty=Family Medicine",
        "primary_care_flag=1", "in_network_flag=1", NULL);
    char npi[64];
    snprintf(npi, sizeof npi, "npi=%s", bad_npi ? bad_npi : "1500000009");
    row(&b, prac_hdr, "practitioner_id=X2", npi, "practice_affiliation=Columbus Hospital 1",
        "specialty=General Acute Care Hospital", "primary_care_flag=0", "in_network_flag=N", NULL);
    write_file(path_in(f, name), b.data, b.len);
    buf_free(&b);
}

static void write_labs(fx_t *f, const char *name, const char *bad_date)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s\n", lab_hdr);
    char rd[64];
    snprintf(rd, sizeof rd, "result_date=%s", bad_date ? bad_date : "2024-05-02");
    row(&b, lab_hdr, "lab_result_id=L1", "person_id=P1", "accession_number=A1",
        "source_code_type=LOINC", "source_code=4548-4", "normalized_code_type=loinc",
        "normalized_code=4548-4", "status=final", "result=7.4", rd, "collection_date=2024-05-01",
        "source_units=percent", "normalized_units=%", NULL);
    /* no normalized code; no result_date; a coded result; no id */
    row(&b, lab_hdr, "person_id=P2", "accession_number=A2", "source_code_type=loinc",
        "source_code=29771-3", "result=negative", "collection_date=2024-06-10", NULL);
    /* a local normalized code, the source LOINC wins; status not FHIR's */
    row(&b, lab_hdr, "lab_result_id=L3", "person_id=P2", "source_code_type=loinc",
        "source_code=13457-7", "normalized_code_type=local", "normalized_code=LDL1",
        "status=completed", "result=\" 117 \"", "result_date=20240701", "source_units=mg/dL", NULL);
    write_file(path_in(f, name), b.data, b.len);
    buf_free(&b);
}

typedef struct prac_list {
    buf_t text;
} prac_list_t;

static int scan_prac(void *ctx, const store_practitioner_t *r, err_t *e)
{
    (void)e;
    prac_list_t *l = ctx;
    buf_printf(&l->text, "%s %s %s %s %d %d %s\n", r->npi, r->first_name ? r->first_name : "-",
               r->last_name ? r->last_name : "-", r->specialty ? r->specialty : "-",
               r->primary_care_flag, r->in_network_flag,
               r->organization_id ? r->organization_id : "-");
    return 0;
}

static int scan_lab(void *ctx, const store_observation_t *r, err_t *e)
{
    (void)e;
    prac_list_t *l = ctx;
    char d[DATE_FMT_LEN];
    date_format(r->effective_date, d);
    buf_printf(&l->text, "%s|%s|%s|%s|%s|%s|%s|", r->observation_id, r->person_id, r->status,
               r->category, r->code_system ? r->code_system : "-", r->code, d);
    if (isnan(r->value_num))
        buf_printf(&l->text, "-|");
    else
        buf_printf(&l->text, "%g|", r->value_num);
    buf_printf(&l->text, "%s|%s\n", r->value_text ? r->value_text : "-",
               r->value_unit ? r->value_unit : "-");
    return 0;
}

static char *dump_tuva_extra(store_t *s)
{
    prac_list_t l = { BUF_INIT };
    err_t e;
    err_clear(&e);
    assert_int_equal(store_scan_practitioner(s, scan_prac, &l, &e), 0);
    assert_int_equal(store_scan_observation(s, scan_lab, &l, &e), 0);
    return buf_take(&l.text);
}

static void test_tuva_practitioner_lab_result(void **state)
{
    fx_t *f = *state;
    /* Misleading names: detection is by content. */
    write_eligibility(f, "zz_members.csv", 2);
    write_prac(f, "lab_result.csv", NULL);
    write_labs(f, "practitioner.json", NULL);
    import_summary_t sum;
    err_t e;
    /* Eligibility is last by name, yet loads before the labs. */
    int rc = import(f, &sum, &e, 1, f->dir);
    if (rc != 0) {
        char line[1024];
        err_format(&e, line, sizeof line);
        fail_msg("import: %s", line);
    }
    assert_int_equal(sum.loaded, 3);
    assert_int_equal(sum.files[0].format, IMPORT_FMT_TUVA_PRACTITIONER);
    assert_string_equal(import_format_name(sum.files[0].format), "tuva_practitioner");
    assert_int_equal(sum.files[1].format, IMPORT_FMT_TUVA_ELIGIBILITY);
    assert_int_equal(sum.files[2].format, IMPORT_FMT_TUVA_LAB_RESULT);
    assert_string_equal(import_format_name(sum.files[2].format), "tuva_lab_result");
    assert_int_equal(sum.counts[IK_PRACTITIONER], 2);
    assert_int_equal(sum.counts[IK_OBSERVATION], 3);
    import_summary_free(&sum);
    assert_int_equal(count(f->s, "practitioner"), 2);
    assert_int_equal(count(f->s, "observation"), 3);
    char *got = dump_tuva_extra(f->s);
    const char *want =
        "1234567893 Ann Lee Family Medicine 1 1 -\n"
        "1500000009 - - General Acute Care Hospital 0 0 -\n"
        "lab_result:L1|P1|final|laboratory|LOINC|4548-4|2024-05-02|7.4|-|%\n"
        "lab_result:L3|P2|final|laboratory|LOINC|13457-7|2024-07-01|117|-|mg/dL\n"
        "lab_result:P2:A2:29771-3:2024-06-10|P2|final|laboratory|LOINC|29771-3|2024-06-10|-|"
        "negative|-\n";
    if (strcmp(got, want) != 0)
        fail_msg("stored\n%s\nwant\n%s", got, want);

    /* Again: every file skipped, nothing changes. */
    assert_int_equal(import(f, &sum, &e, 1, f->dir), 0);
    assert_int_equal(sum.loaded, 0);
    assert_int_equal(sum.skipped, 3);
    import_summary_free(&sum);
    /* The same rows in other bytes: replaced by natural key, still the same. */
    char *h = read_all(path_in(f, "practitioner.json"), NULL);
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s\n", h);
    write_file(path_in(f, "labs-again.csv"), b.data, b.len);
    import_ok(f, path_in(f, "labs-again.csv"));
    char *again = dump_tuva_extra(f->s);
    assert_string_equal(got, again);
    assert_int_equal(count(f->s, "observation"), 3);
    buf_free(&b);
    mem_free(h);
    mem_free(again);
    mem_free(got);
}

/* The 1-based byte column of field k (0-based) on line ln of a file. */
static int column_of(const char *path, int ln, int k)
{
    char *all = read_all(path, NULL);
    char *line = all;
    for (int i = 1; i < ln; i++)
        line = strchr(line, '\n') + 1;
    int col = 1;
    for (int i = 0; i < k; i++) /* no quoted commas before field k in these rows */
        col += (int)(strchr(line + col - 1, ',') - (line + col - 1)) + 1;
    mem_free(all);
    return col;
}

static void test_tuva_practitioner_lab_result_bad_rows(void **state)
{
    fx_t *f = *state;
    write_eligibility(f, "elig.csv", 2);
    import_ok(f, path_in(f, "elig.csv"));
    int64_t files = count(f->s, "source_file");
    char want[1200];

    write_prac(f, "prac.csv", "12345ABCDE");
    snprintf(want, sizeof want, "%s:3:%d: npi: invalid NPI (want 10 digits) '12345ABCDE'",
             path_in(f, "prac.csv"), column_of(path_in(f, "prac.csv"), 3, 1));
    import_fails(f, path_in(f, "prac.csv"), want);
    assert_int_equal(count(f->s, "practitioner"), 0);

    write_labs(f, "labs.csv", "2023-02-29");
    snprintf(want, sizeof want, "%s:2:%d: result_date: invalid date '2023-02-29'",
             path_in(f, "labs.csv"), column_of(path_in(f, "labs.csv"), 2, 15));
    import_fails(f, path_in(f, "labs.csv"), want);
    assert_int_equal(count(f->s, "observation"), 0);

    /* A lab with neither date. */
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s\n", lab_hdr);
    row(&b, lab_hdr, "lab_result_id=L9", "person_id=P1", "source_code_type=loinc",
        "source_code=4548-4", "result=6.1", NULL);
    write_file(path_in(f, "nodate.csv"), b.data, b.len);
    snprintf(want, sizeof want,
             "%s:2:%d: result_date: no date (neither result_date nor collection_date)",
             path_in(f, "nodate.csv"), column_of(path_in(f, "nodate.csv"), 2, 15));
    import_fails(f, path_in(f, "nodate.csv"), want);

    /* A lab whose person is in no file and not stored. */
    buf_reset(&b);
    buf_printf(&b, "%s\n", lab_hdr);
    row(&b, lab_hdr, "lab_result_id=L8", "person_id=NOBODY", "source_code_type=loinc",
        "source_code=4548-4", "result=6.1", "result_date=2024-01-05", NULL);
    write_file(path_in(f, "nobody.csv"), b.data, b.len);
    import_summary_t sum;
    err_t e;
    assert_int_equal(import(f, &sum, &e, 1, path_in(f, "nobody.csv")), ERR_INPUT);
    assert_int_equal(sum.failed, 1);
    import_summary_free(&sum);
    buf_free(&b);

    assert_int_equal(count(f->s, "observation"), 0);
    assert_int_equal(count(f->s, "practitioner"), 0);
    assert_int_equal(count(f->s, "source_file"), files);
}

int main(int argc, char **argv)
{
    backend = argc > 1 ? argv[1] : "sqlite";
    if (strcmp(backend, "postgres") == 0 && !getenv("TRIPOD_TEST_PG_URL")) {
        fprintf(stderr, "import_suite postgres: TRIPOD_TEST_PG_URL is not set (run it through "
                        "scripts/pg-tmp)\n");
        return 77;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/tripod-import-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_detect_by_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_line_5000_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claims_parsed_in_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_twice_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redelivery_replaces_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lenient_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strict_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fhir_pointer_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fhir_transaction_bundle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bluebutton_eob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hl7_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_synthea_fhir_csv_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_synthea_whole_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tuva_practitioner_lab_result, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tuva_practitioner_lab_result_bad_rows, setup,
                                        teardown),
    };
    int failed = cmocka_run_group_tests_name(backend, tests, NULL, NULL);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "import_suite: could not remove %s\n", tmpdir);
    return failed ? 1 : 0;
}
