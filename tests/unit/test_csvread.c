/* test_csvread.c — the in-place CSV reader (src/ingest/csvread.c): fields,
 * quoting, line ends, positions, and the errors it names file:line:col.
 * Inputs that once crashed the fuzzers are kept at the end as regressions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/csvread.h"

#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),           cmocka_unit_test(test_line_ends_and_bom),
        cmocka_unit_test(test_quotes),          cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_many_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
