/* test_csvread.c — the in-place CSV reader (src/core/csvread.c): fields,
 * quoting, line ends, positions, and the errors it names file:line:col.
 * Inputs that once crashed the fuzzers are kept at the end as regressions.
 * The reader scans 64 bytes at a time; a plain byte-by-byte reader kept here
 * as a reference checks it across block edges and on random input.
 * test_csvread_portable.c runs all of this again without SSE2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/csvread.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Reads src and renders every record as "line:[f@l:c|...]\n", or the error. */
static char *render(const char *src, size_t n)
{
    char *b = mem_alloc(n + 1);
    memcpy(b, src, n);
    b[n] = '\0';
    csvr_t r;
    csvr_init(&r, "t.csv", b, n);
    err_t e;
    err_clear(&e);
    buf_t out = BUF_INIT;
    int rc;
    while ((rc = csvr_next(&r, &e)) == 1) {
        /* filled lists the non-empty fields, in order. */
        size_t k = 0;
        for (size_t i = 0; i < r.nfields; i++) {
            assert_int_equal(strlen(r.fields[i].s), r.fields[i].n);
            if (r.fields[i].n > 0) {
                assert_true(k < r.nfilled);
                assert_int_equal(r.filled[k++], i);
            }
        }
        assert_int_equal(k, r.nfilled);
        buf_printf(&out, "%ld:", r.rec_line);
        for (size_t i = 0; i < r.nfields; i++)
            buf_printf(&out, "%s[%s@%ld:%ld]", i ? "|" : "", r.fields[i].s, r.fields[i].line,
                       r.fields[i].col);
        buf_putc(&out, '\n');
    }
    if (rc < 0) {
        char line[600];
        err_format(&e, line, sizeof line);
        buf_printf(&out, "error %s\n", line);
    }
    csvr_free(&r);
    mem_free(b);
    return out.data ? buf_take(&out) : mem_strdup("");
}

static void check(const char *src, const char *want)
{
    char *got = render(src, strlen(src));
    assert_string_equal(got, want);
    mem_free(got);
}

static void test_plain(void **state)
{
    (void)state;
    check("a,b\n1,2\n", "1:[a@1:1]|[b@1:3]\n2:[1@2:1]|[2@2:3]\n");
    check("a,b", "1:[a@1:1]|[b@1:3]\n"); /* no final line end */
    check("a,,c\n", "1:[a@1:1]|[@1:3]|[c@1:4]\n");
    check(",\n", "1:[@1:1]|[@1:2]\n");
    check("", "");
}

static void test_line_ends_and_bom(void **state)
{
    (void)state;
    check("\xEF\xBB\xBF"
          "a,b\r\n1,2\r\n",
          "1:[a@1:1]|[b@1:3]\n2:[1@2:1]|[2@2:3]\n");
    check("a\r\rb\n\n\nc\r\n", "1:[a@1:1]\n3:[b@3:1]\n6:[c@6:1]\n");
}

static void test_quotes(void **state)
{
    (void)state;
    check("\"a,b\",\"say \"\"hi\"\"\"\n", "1:[a,b@1:1]|[say \"hi\"@1:7]\n");
    /* A quoted line break: the next field's line and column follow it. */
    check("\"x\ny\",z\nw\n", "1:[x\ny@1:1]|[z@2:4]\n3:[w@3:1]\n");
    check("\"x\r\ny\",z\r\n", "1:[x\r\ny@1:1]|[z@2:4]\n");
    check("\"\",\"\"\n", "1:[@1:1]|[@1:4]\n");
}

static void test_errors(void **state)
{
    (void)state;
    check("a,b\n1,\"2\n", "1:[a@1:1]|[b@1:3]\nerror t.csv:2:3: unterminated quoted field\n");
    check("a,\"b\"c\n", "error t.csv:1:6: unexpected text after a closing quote\n");
    check("a,b\"c\n", "error t.csv:1:4: quote inside an unquoted field\n");
    const char nul[] = "a,b\0c\n";
    char *got = render(nul, sizeof nul - 1);
    assert_string_equal(got, "error t.csv:1:4: NUL byte in CSV\n");
    mem_free(got);
}

static void test_too_many_fields(void **state)
{
    (void)state;
    size_t n = CSVR_MAX_FIELDS + 10;
    char *src = mem_alloc(n + 1);
    memset(src, ',', n);
    src[n] = '\0';
    char *got = render(src, n);
    assert_true(strstr(got, "more than 4096 fields in one record") != NULL);
    mem_free(got);
    mem_free(src);
}

/* ---- the reference: one byte at a time -------------------------------- */

typedef struct ref {
    char *b;
    size_t len, pos, line_start;
    long line;
} ref_t;

static void ref_field(buf_t *out, size_t *nf, const char *s, size_t n, long line, long col)
{
    buf_printf(out, "%s[", (*nf)++ ? "|" : "");
    buf_append(out, s, n);
    buf_printf(out, "@%ld:%ld]", line, col);
}

/* The reader's rules, plainly: renders like render(), errors included. */
static char *ref_render(const char *src, size_t n)
{
    ref_t r = { mem_alloc(n + 1), n, 0, 0, 1 };
    memcpy(r.b, src, n);
    buf_t out = BUF_INIT;
    if (n >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
        r.pos = r.line_start = 3;
    for (;;) {
        while (r.pos < n && (r.b[r.pos] == '\n' || r.b[r.pos] == '\r')) {
            if (r.b[r.pos] == '\r')
                r.pos++;
            if (r.pos < n && r.b[r.pos] == '\n')
                r.pos++;
            r.line++;
            r.line_start = r.pos;
        }
        if (r.pos >= n)
            break;
        buf_t rec = BUF_INIT;
        size_t nf = 0;
        long rec_line = r.line;
        const char *err = NULL;
        long eline = 0, ecol = 0;
        for (;;) {
            size_t start = r.pos;
            long line = r.line, col = (long)(start - r.line_start) + 1;
            char term;
            if (start < n && r.b[start] == '"') {
                size_t in = start + 1, o = start;
                for (;;) {
                    if (in >= n) {
                        err = "unterminated quoted field", eline = line, ecol = col;
                        break;
                    }
                    char c = r.b[in];
                    if (c == '"' && in + 1 < n && r.b[in + 1] == '"') {
                        r.b[o++] = '"', in += 2;
                        continue;
                    }
                    if (c == '"') {
                        in++;
                        break;
                    }
                    if (c == '\0') {
                        err = "NUL byte in CSV", eline = r.line;
                        ecol = (long)(in - r.line_start) + 1;
                        break;
                    }
                    if (c == '\n' || (c == '\r' && !(in + 1 < n && r.b[in + 1] == '\n')))
                        r.line++, r.line_start = in + 1;
                    r.b[o++] = c, in++;
                }
                if (err)
                    break;
                r.pos = in;
                term = r.pos < n ? r.b[r.pos] : '\n';
                if (term != ',' && term != '\n' && term != '\r') {
                    err = "unexpected text after a closing quote", eline = r.line;
                    ecol = (long)(r.pos - r.line_start) + 1;
                    break;
                }
                if (nf == CSVR_MAX_FIELDS) {
                    err = "more than 4096 fields in one record", eline = line, ecol = col;
                    break;
                }
                ref_field(&rec, &nf, r.b + start, o - start, line, col);
            } else {
                size_t p = start;
                while (p < n && !strchr(",\n\r\"", r.b[p]) && r.b[p] != '\0')
                    p++;
                if (p < n && (r.b[p] == '"' || r.b[p] == '\0')) {
                    err = r.b[p] == '"' ? "quote inside an unquoted field" : "NUL byte in CSV";
                    eline = line, ecol = (long)(p - r.line_start) + 1;
                    break;
                }
                if (nf == CSVR_MAX_FIELDS) {
                    err = "more than 4096 fields in one record", eline = line, ecol = col;
                    break;
                }
                r.pos = p;
                term = p < n ? r.b[p] : '\n';
                ref_field(&rec, &nf, r.b + start, p - start, line, col);
            }
            if (term == ',') {
                r.pos++;
                continue;
            }
            if (r.pos < n) {
                r.pos++;
                if (term == '\r' && r.pos < n && r.b[r.pos] == '\n')
                    r.pos++;
                r.line++;
                r.line_start = r.pos;
            }
            break;
        }
        if (err) {
            buf_printf(&out, "error t.csv:%ld:%ld: %s\n", eline, ecol, err);
            buf_free(&rec);
            break;
        }
        buf_printf(&out, "%ld:%s\n", rec_line, rec.data ? rec.data : "");
        buf_free(&rec);
    }
    mem_free(r.b);
    return out.data ? buf_take(&out) : mem_strdup("");
}

static void check_against_ref(const char *src, size_t n)
{
    char *got = render(src, n), *want = ref_render(src, n);
    if (strcmp(got, want) != 0)
        fail_msg("input '%.*s':\ngot  %s\nwant %s", (int)n, src, got, want);
    mem_free(got);
    mem_free(want);
}

/* Fields, runs of empty fields, quotes and errors at every offset around the
 * 64-byte blocks of the scan, and records that end just before, at or after
 * the end of a block. */
static void test_block_edges(void **state)
{
    (void)state;
    static const char *tails[] = {
        "a,b\n",     ",,,,,x\n", "\"q,\"\"\n\",z\n", ",\"\",\n", "x\"y,1\n",
        "\"ab\"c\n", "\"open,",  "a\r\nb,,\r",       ",,,",      "a,\0,b\n",
    };
    char src[400];
    for (size_t lead = 0; lead < 140; lead++)
        for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++)
            for (int commas = 0; commas < 2; commas++) {
                size_t n = 0;
                for (size_t i = 0; i < lead; i++)
                    src[n++] = commas && i % 3 ? ',' : (char)('a' + i % 26);
                size_t tl = t == 9 ? 6 : strlen(tails[t]); /* holds a NUL */
                memcpy(src + n, tails[t], tl);
                n += tl;
                check_against_ref(src, n);
            }
}

/* Random bytes from the characters that matter, and rows of real width. */
static void test_random_against_ref(void **state)
{
    (void)state;
    static const char *const bits[] = { "a",    "bc", " ",  ",",    ",",  ",,,,,,,,", "\"",
                                        "\"\"", "\n", "\r", "\r\n", "x1", "\t" };
    uint64_t x = 0x2545F4914F6CDD1Du;
    char src[600];
    for (int i = 0; i < 20000; i++) {
        size_t n = 0;
        int k = (int)(x % 60);
        for (int j = 0; j < k; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const char *b = bits[x % (sizeof bits / sizeof bits[0])];
            size_t bl = strlen(b);
            if (n + bl >= sizeof src)
                break;
            memcpy(src + n, b, bl);
            n += bl;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (x % 7 == 0 && n > 0)
            src[x % n] = '\0';
        check_against_ref(src, n);
    }
}

/* csvr_reset: a reader moved to a window of the next records keeps its
 * field arrays and counts lines from 1 again. */
static void test_reset(void **state)
{
    (void)state;
    char a[] = "a,b,c\n1,2,3\n", b[] = "\"x\ny\",,z\n";
    csvr_t r;
    csvr_init(&r, "w.csv", a, sizeof a - 1);
    err_t e;
    err_clear(&e);
    assert_int_equal(csvr_next(&r, &e), 1);
    assert_int_equal(csvr_next(&r, &e), 1);
    assert_int_equal(r.line, 3);
    csvr_field_t *fields = r.fields;
    csvr_reset(&r, b, sizeof b - 1);
    assert_ptr_equal(r.fields, fields);
    assert_int_equal(r.line, 1);
    assert_int_equal(csvr_next(&r, &e), 1);
    assert_int_equal(r.nfields, 3);
    assert_string_equal(r.fields[0].s, "x\ny");
    assert_int_equal(r.fields[2].line, 2);
    assert_int_equal(r.nfilled, 2);
    assert_int_equal(csvr_next(&r, &e), 0);
    assert_int_equal(r.line, 3);
    csvr_free(&r);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* csvr_file_*: a whole file, its header, columns by name. */
static void test_whole_file(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "/tmp/tripod_test_csvread_%d.csv", (int)getpid());
    write_file(path, "\xEF\xBB\xBF Code ,\"Name\",prob\nE119,\"Diabetes, type 2\",0.5\n\nI10,,\n");
    csvr_file_t f;
    err_t e;
    err_clear(&e);
    assert_int_equal(csvr_file_open(&f, path, &e), 0);
    assert_int_equal(f.ncols, 3);
    assert_int_equal(csvr_file_col(&f, "code"), 0);
    assert_int_equal(csvr_file_col(&f, "NAME"), 1);
    assert_int_equal(csvr_file_col(&f, "prob"), 2);
    assert_int_equal(csvr_file_col(&f, "other"), -1);
    assert_int_equal(csvr_next(&f.r, &e), 1);
    assert_string_equal(f.r.fields[1].s, "Diabetes, type 2");
    assert_int_equal(f.r.rec_line, 2);
    assert_int_equal(csvr_next(&f.r, &e), 1);
    assert_string_equal(f.r.fields[0].s, "I10");
    assert_int_equal(f.r.rec_line, 4);
    assert_int_equal(csvr_next(&f.r, &e), 0);
    csvr_file_close(&f);
    csvr_file_close(&f); /* twice is fine */

    write_file(path, "");
    assert_int_equal(csvr_file_open(&f, path, &e), ERR_INPUT);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.msg, "empty file"));
    err_clear(&e);
    write_file(path, "a,\"b\n");
    assert_int_equal(csvr_file_open(&f, path, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "unterminated"));
    err_clear(&e);
    unlink(path);
    assert_int_equal(csvr_file_open(&f, path, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot open"));
    assert_null(f.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_line_ends_and_bom),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_block_edges),
        cmocka_unit_test(test_random_against_ref),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_whole_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
