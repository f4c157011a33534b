/* test_buf.c — growable buffers: the cap, JSON and CSV escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

static void test_empty_buffer(void **state)
{
    buf_t b = BUF_INIT;
    assert_string_equal(buf_cstr(&b), "");
    assert_null(b.data);
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_string_equal(buf_cstr(&b), "");
    buf_free(&b);
    assert_string_equal(buf_cstr(NULL), "");
}

static void test_append_grows(void **state)
{
    buf_t b;
    buf_init(&b, 0);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
    assert_int_equal(b.len, 10000);
    assert_int_equal(strlen(b.data), 10000);
    assert_true(b.cap > b.len);
    assert_int_equal(buf_puts(&b, "END"), 0);
    assert_string_equal(b.data + 10000, "END");
    buf_free(&b);
}

static void test_cap_is_exact(void **state)
{
    buf_t b;
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, "0123456789", 10), 0);
    assert_int_equal(b.len, 10);
    assert_true(b.cap <= 11); /* never more memory than the cap needs */
    assert_int_equal(buf_putc(&b, 'x'), -1);
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_int_equal(b.len, 10);
    assert_string_equal(buf_cstr(&b), "0123456789");
    buf_reset(&b);
    assert_int_equal(buf_append(&b, "01234567890", 11), -1); /* all or nothing */
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(buf_reserve(&b, 10), 0);
    assert_int_equal(buf_reserve(&b, 11), -1);
    assert_int_equal(buf_reserve(&b, SIZE_MAX), -1);
    buf_free(&b);
}

static void test_huge_max_does_not_wrap(void **state)
{
    buf_t b;
    buf_init(&b, SIZE_MAX);
    assert_int_equal(buf_puts(&b, "abc"), 0);
    assert_int_equal(buf_printf(&b, "%d", 123), 0);
    assert_string_equal(buf_cstr(&b), "abc123");
    assert_true(b.cap >= 7);
    assert_int_equal(buf_reserve(&b, SIZE_MAX - 2), -1);
    assert_string_equal(buf_cstr(&b), "abc123");
    buf_free(&b);
}

static void test_printf_over_cap_leaves_unchanged(void **state)
{
    buf_t b;
    buf_init(&b, 16);
    assert_int_equal(buf_printf(&b, "%s=%d", "abc", 12345), 0); /* 9 bytes */
    assert_string_equal(buf_cstr(&b), "abc=12345");
    /* "-0123456789" would make 20 > 16 bytes: fails, nothing written even
     * though vsnprintf touched the spare capacity. */
    assert_int_equal(buf_printf(&b, "-%s", "0123456789"), -1);
    assert_int_equal(b.len, 9);
    assert_string_equal(buf_cstr(&b), "abc=12345");
    assert_int_equal(buf_printf(&b, "%07d", 42), 0); /* exactly 16 */
    assert_string_equal(buf_cstr(&b), "abc=123450000042");
    assert_int_equal(buf_printf(&b, "%s", ""), 0);
    buf_free(&b);
}

static void test_printf_grows(void **state)
{
    buf_t b = BUF_INIT;
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(buf_printf(&b, "[%s]", big), 0);
    assert_int_equal(b.len, 5001);
    assert_int_equal(b.data[0], '[');
    assert_int_equal(b.data[5000], ']');
    buf_free(&b);
}

static void test_take_and_reset(void **state)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "hello");
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    assert_string_equal(buf_cstr(&b), "");
    buf_puts(&b, "world");
    char *s = buf_take(&b);
    assert_string_equal(s, "world");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    mem_free(s);
    s = buf_take(&b); /* empty: still a string */
    assert_string_equal(s, "");
    mem_free(s);
}

static char *json_of(const char *s, size_t n)
{
    buf_t b = BUF_INIT;
    assert_int_equal(buf_json_str(&b, s, n), 0);
    return buf_take(&b);
}

static void test_json_escapes(void **state)
{
    char *j = json_of("a\"b\\c", 5);
    assert_string_equal(j, "\"a\\\"b\\\\c\"");
    mem_free(j);
    j = json_of("\n\t\x01\x1f", 4);
    assert_string_equal(j, "\"\\u000a\\u0009\\u0001\\u001f\"");
    mem_free(j);
    j = json_of("nul\0in", 6);
    assert_string_equal(j, "\"nul\\u0000in\"");
    mem_free(j);
    j = json_of("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14); /* valid UTF-8 kept */
    assert_string_equal(j, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    mem_free(j);
    j = json_of("x\xff"
                "y\xc3",
                4); /* invalid bytes and a cut sequence */
    assert_string_equal(j, "\"x\\ufffdy\\ufffd\"");
    mem_free(j);
    j = json_of("\xed\xa0\x80", 3); /* a UTF-16 surrogate is not UTF-8 */
    assert_string_equal(j, "\"\\ufffd\\ufffd\\ufffd\"");
    mem_free(j);
    j = json_of(NULL, 5);
    assert_string_equal(j, "\"\"");
    mem_free(j);
}

/* Whatever bytes go in, jansson must parse the result, and get back the
 * input when it was valid UTF-8. */
static void test_json_round_trip_with_jansson(void **state)
{
    unsigned char all[256];
    for (int i = 1; i < 128; i++)
        all[i - 1] = (unsigned char)i;
    char *j = json_of((const char *)all, 127);
    json_error_t err;
    json_t *v = json_loads(j, JSON_DECODE_ANY, &err);
    assert_non_null(v);
    assert_true(json_is_string(v));
    assert_int_equal(json_string_length(v), 127);
    assert_memory_equal(json_string_value(v), all, 127);
    json_decref(v);
    mem_free(j);
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)(255 - i);
    j = json_of((const char *)all, 256); /* ends in a NUL byte */
    v = json_loads(j, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    assert_non_null(v);
    json_decref(v);
    mem_free(j);
}

static void test_json_over_cap_unchanged(void **state)
{
    buf_t b;
    buf_init(&b, 12);
    buf_puts(&b, "k:");
    assert_int_equal(buf_json_str(&b, "\x01\x02", 2), -1); /* needs 14 */
    assert_string_equal(buf_cstr(&b), "k:");
    assert_int_equal(b.len, 2);
    assert_int_equal(buf_json_str(&b, "12345678", 8), 0); /* exactly 12 */
    assert_string_equal(buf_cstr(&b), "k:\"12345678\"");
    buf_free(&b);
}

static void check_csv(const char *in, const char *want)
{
    buf_t b = BUF_INIT;
    assert_int_equal(buf_csv_field(&b, in, strlen(in)), 0);
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

static void test_csv_rfc4180(void **state)
{
    check_csv("plain", "plain");
    check_csv("", "");
    check_csv("a,b", "\"a,b\"");
    check_csv("say \"hi\"", "\"say \"\"hi\"\"\"");
    check_csv("\"", "\"\"\"\"");
    check_csv("line1\nline2", "\"line1\nline2\"");
    check_csv("cr\r", "\"cr\r\"");
    check_csv(" spaces ", " spaces "); /* blanks alone need no quotes */
    buf_t b;
    buf_init(&b, 6);
    buf_puts(&b, "x,");
    assert_int_equal(buf_csv_field(&b, "a\"b", 3), -1); /* "a""b" is 6 */
    assert_string_equal(buf_cstr(&b), "x,");
    assert_int_equal(buf_csv_field(&b, "abcd", 4), 0);
    assert_string_equal(buf_cstr(&b), "x,abcd");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_buffer),
        cmocka_unit_test(test_append_grows),
        cmocka_unit_test(test_cap_is_exact),
        cmocka_unit_test(test_huge_max_does_not_wrap),
        cmocka_unit_test(test_printf_over_cap_leaves_unchanged),
        cmocka_unit_test(test_printf_grows),
        cmocka_unit_test(test_take_and_reset),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_round_trip_with_jansson),
        cmocka_unit_test(test_json_over_cap_unchanged),
        cmocka_unit_test(test_csv_rfc4180),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
