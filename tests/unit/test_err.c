/* test_err.c — error values, their one-line form and exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/err.h"

static void test_clear(void **state)
{
    err_t e;
    memset(&e, 0x5a, sizeof e);
    err_clear(&e);
    assert_int_equal(e.code, ERR_OK);
    assert_string_equal(e.file, "");
    assert_string_equal(e.field, "");
    assert_string_equal(e.msg, "");
    assert_int_equal(e.line, 0);
    assert_int_equal(e.col, 0);
    err_clear(NULL); /* harmless */
}

static void test_set_keeps_place(void **state)
{
    err_t e;
    err_clear(&e);
    err_where(&e, "claims.csv", 12, 0, "paid_amount");
    int rc = err_set(&e, ERR_INPUT, "bad amount '%s'", "1.234");
    assert_int_equal(rc, ERR_INPUT);
    assert_int_equal(e.code, ERR_INPUT);
    assert_string_equal(e.file, "claims.csv");
    assert_int_equal(e.line, 12);
    assert_string_equal(e.field, "paid_amount");
    assert_string_equal(e.msg, "bad amount '1.234'");
}

static void test_at_sets_everything(void **state)
{
    err_t e;
    err_clear(&e);
    int rc = err_at(&e, ERR_USAGE, "x.json", 3, 7, "/entry/0", "expected %d", 42);
    assert_int_equal(rc, ERR_USAGE);
    assert_string_equal(e.file, "x.json");
    assert_int_equal(e.line, 3);
    assert_int_equal(e.col, 7);
    assert_string_equal(e.field, "/entry/0");
    assert_string_equal(e.msg, "expected 42");
    /* NULL file and field clear a previous place. */
    err_at(&e, ERR_IO, NULL, 0, 0, NULL, "disk");
    assert_string_equal(e.file, "");
    assert_string_equal(e.field, "");
    assert_int_equal(e.line, 0);
}

static void test_where_fills_only_empty(void **state)
{
    err_t e;
    err_clear(&e);
    err_at(&e, ERR_INPUT, NULL, 5, 2, NULL, "bad");
    err_where(&e, "outer.csv", 99, 99, "col");
    assert_string_equal(e.file, "outer.csv");
    assert_int_equal(e.line, 5); /* the inner, precise place wins */
    assert_int_equal(e.col, 2);
    assert_string_equal(e.field, "col");
    err_where(&e, "other.csv", 1, 1, "x");
    assert_string_equal(e.file, "outer.csv");
    assert_string_equal(e.field, "col");
}

static void test_long_message_truncated(void **state)
{
    err_t e;
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_clear(&e);
    err_set(&e, ERR_INPUT, "%s", big);
    assert_int_equal(strlen(e.msg), sizeof e.msg - 1);
    err_at(&e, ERR_INPUT, big, 1, 1, big, "m");
    assert_int_equal(strlen(e.file), sizeof e.file - 1);
    assert_int_equal(strlen(e.field), sizeof e.field - 1);
}

static void check_format(const err_t *e, const char *want)
{
    char out[1024];
    size_t n = err_format(e, out, sizeof out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void test_format_parts(void **state)
{
    err_t e;
    err_clear(&e);
    err_at(&e, ERR_INPUT, "a.csv", 3, 14, "paid", "not a number");
    check_format(&e, "a.csv:3:14: paid: not a number");
    err_at(&e, ERR_INPUT, "a.csv", 3, 0, "paid", "not a number");
    check_format(&e, "a.csv:3: paid: not a number");
    err_at(&e, ERR_INPUT, "a.csv", 0, 0, NULL, "empty file");
    check_format(&e, "a.csv: empty file");
    err_at(&e, ERR_INPUT, NULL, 0, 0, "PID-7", "bad date");
    check_format(&e, "PID-7: bad date");
    err_at(&e, ERR_INPUT, NULL, 0, 0, NULL, "just this");
    check_format(&e, "just this");
    err_at(&e, ERR_INPUT, NULL, 8, 0, NULL, "stdin line");
    check_format(&e, "8: stdin line");
    err_at(&e, ERR_INPUT, "a.csv", 0, 5, NULL, "col without line");
    check_format(&e, "a.csv: col without line");
    /* No message: the code's name stands in. */
    err_at(&e, ERR_NOTFOUND, "p.json", 0, 0, NULL, NULL);
    check_format(&e, "p.json: notfound");
}

static void test_format_truncates(void **state)
{
    err_t e;
    err_clear(&e);
    err_at(&e, ERR_INPUT, "abcdef.csv", 10, 2, "f", "message");
    char out[8];
    size_t n = err_format(&e, out, sizeof out);
    assert_int_equal(n, strlen("abcdef.csv:10:2: f: message"));
    assert_string_equal(out, "abcdef.");
    assert_int_equal(err_format(&e, NULL, 0), n);
}

static void test_exit_codes(void **state)
{
    err_t e;
    err_clear(&e);
    assert_int_equal(err_exit_code(&e), 0);
    assert_int_equal(err_exit_code(NULL), 0);
    static const struct {
        err_code_t code;
        int exit;
    } cases[] = {
        { ERR_OK, 0 },    { ERR_INPUT, 1 }, { ERR_USAGE, 2 },    { ERR_IO, 1 },
        { ERR_NOMEM, 1 }, { ERR_DB, 1 },    { ERR_NOTFOUND, 1 }, { ERR_INTERNAL, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err_set(&e, cases[i].code, "x");
        assert_int_equal(err_exit_code(&e), cases[i].exit);
    }
}

static void test_code_names(void **state)
{
    assert_string_equal(err_code_name(ERR_OK), "ok");
    assert_string_equal(err_code_name(ERR_INPUT), "input");
    assert_string_equal(err_code_name(ERR_USAGE), "usage");
    assert_string_equal(err_code_name(ERR_IO), "io");
    assert_string_equal(err_code_name(ERR_NOMEM), "nomem");
    assert_string_equal(err_code_name(ERR_DB), "db");
    assert_string_equal(err_code_name(ERR_NOTFOUND), "notfound");
    assert_string_equal(err_code_name(ERR_INTERNAL), "internal");
    assert_string_equal(err_code_name((err_code_t)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_set_keeps_place),
        cmocka_unit_test(test_at_sets_everything),
        cmocka_unit_test(test_where_fills_only_empty),
        cmocka_unit_test(test_long_message_truncated),
        cmocka_unit_test(test_format_parts),
        cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_code_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
