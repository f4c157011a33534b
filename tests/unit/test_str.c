/* test_str.c — the safe parsers and string helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

static void test_i64_valid(void **state)
{
    int64_t v;
    assert_int_equal(str_to_i64z("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(str_to_i64z("-0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(str_to_i64z("+42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(str_to_i64z("-17", &v), 0);
    assert_int_equal(v, -17);
    assert_int_equal(str_to_i64z("007", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(str_to_i64z("9223372036854775807", &v), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(str_to_i64z("-9223372036854775808", &v), 0);
    assert_int_equal(v, INT64_MIN);
    assert_int_equal(str_to_i64("123xyz", 3, &v), 0); /* exactly n bytes */
    assert_int_equal(v, 123);
}

static void test_i64_rejects(void **state)
{
    static const char *bad[] = {
        "",
        "-",
        "+",
        " 1",
        "1 ",
        "1a",
        "a1",
        "0x10",
        "1.0",
        "1e3",
        "--1",
        "+-1",
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999",
        "18446744073709551616",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 99;
        if (str_to_i64z(bad[i], &v) == 0)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(v, 99);
    }
    int64_t v;
    assert_int_equal(str_to_i64z(NULL, &v), -1);
    assert_int_equal(str_to_i64(NULL, 0, &v), -1);
    assert_int_equal(str_to_i64("12\0"
                                "3",
                                4, &v),
                     -1); /* an embedded NUL is junk */
}

static void test_int_range(void **state)
{
    int v;
    assert_int_equal(str_to_intz("2147483647", &v), 0);
    assert_int_equal(v, 2147483647);
    assert_int_equal(str_to_intz("-2147483648", &v), 0);
    assert_int_equal(v, -2147483647 - 1);
    assert_int_equal(str_to_intz("2147483648", &v), -1);
    assert_int_equal(str_to_intz("-2147483649", &v), -1);
    assert_int_equal(str_to_intz("12 ", &v), -1);
    assert_int_equal(str_to_int("65abc", 2, &v), 0);
    assert_int_equal(v, 65);
    assert_int_equal(str_to_intz(NULL, &v), -1);
}

static void test_double(void **state)
{
    double d;
    assert_int_equal(str_to_double("1.5", 3, &d), 0);
    assert_true(d == 1.5);
    assert_int_equal(str_to_double("-0.25", 5, &d), 0);
    assert_true(d == -0.25);
    assert_int_equal(str_to_double("1e3", 3, &d), 0);
    assert_true(d == 1000.0);
    assert_int_equal(str_to_double("1E-3", 4, &d), 0);
    assert_true(d == 0.001);
    assert_int_equal(str_to_double(".5", 2, &d), 0);
    assert_true(d == 0.5);
    assert_int_equal(str_to_double("5.", 2, &d), 0);
    assert_true(d == 5.0);
    assert_int_equal(str_to_double("+7", 2, &d), 0);
    assert_true(d == 7.0);
    assert_int_equal(str_to_double("2.5abc", 3, &d), 0);
    assert_true(d == 2.5);
    assert_int_equal(str_to_double("1e-400", 6, &d), 0); /* underflow is fine */
    assert_true(d == 0.0);
    /* Longer than the stack copy: goes through the heap. */
    char lng[300];
    memset(lng, '0', sizeof lng);
    lng[0] = '0';
    lng[1] = '.';
    lng[299] = '5';
    assert_int_equal(str_to_double(lng, 300, &d), 0);
    assert_true(d > 0 && d < 1e-290);
    static const char *bad[] = {
        "",   " 1", "1 ", "inf",   "-inf",   "nan",  "NAN", "infinity", "0x1p3", "1e",
        "e5", ".",  "-",  "1e400", "-1e400", "1.5.", "1,5", "1e+",      "++1",   "1d",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = 42;
        if (str_to_double(bad[i], strlen(bad[i]), &d) == 0)
            fail_msg("accepted '%s'", bad[i]);
        assert_true(d == 42);
    }
    assert_int_equal(str_to_double(NULL, 3, &d), -1);
}

/* Short plain decimals skip strtod: the double must be strtod's, bit for
 * bit, for every length, sign and place of the point. */
static void test_double_plain_matches_strtod(void **state)
{
    uint64_t x = 0x9E3779B97F4A7C15u; /* xorshift64 */
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char s[40];
        size_t n = 0;
        int sign = (int)(x % 3);
        if (sign)
            s[n++] = sign == 1 ? '-' : '+';
        int digits = 1 + (int)((x >> 2) % 18);
        int point = (int)((x >> 7) % (unsigned)(digits + 2)) - 1; /* -1: no point */
        uint64_t r = x >> 12;
        for (int k = 0; k < digits; k++) {
            if (k == point)
                s[n++] = '.';
            s[n++] = (char)('0' + r % 10);
            r = r / 10 ? r / 10 : x * 0x2545F4914F6CDD1Du;
        }
        if (point == digits)
            s[n++] = '.';
        s[n] = '\0';
        double got = 0, want = strtod(s, NULL);
        if (str_to_double(s, n, &got) != 0 || memcmp(&got, &want, sizeof got) != 0)
            fail_msg("'%s' -> %.17g, strtod %.17g", s, got, want);
    }
    double d;
    assert_int_equal(str_to_double("-0", 2, &d), 0);
    assert_true(d == 0 && signbit(d));
    assert_int_equal(str_to_double("0.000000000000001", 17, &d), 0);
    assert_true(d == 1e-15);
    assert_int_equal(str_to_double("999999999999999", 15, &d), 0);
    assert_true(d == 999999999999999.0);
}

static void test_trim(void **state)
{
    const char *s = " \t\r\n abc \v\f";
    size_t n = strlen(s);
    str_trim(&s, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "abc", 3);
    const char *e = "   ";
    n = 3;
    str_trim(&e, &n);
    assert_int_equal(n, 0);
    const char *m = " a b ";
    n = 5;
    str_trim(&m, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(m, "a b", 3);
}

static void test_compare(void **state)
{
    assert_true(str_eq("abcdef", 3, "abc"));
    assert_false(str_eq("abcdef", 4, "abc"));
    assert_false(str_eq("abd", 3, "abc"));
    assert_true(str_eq("", 0, ""));
    assert_false(str_eq("a", 1, NULL));
    assert_true(str_ieq("LoInC", 5, "loinc"));
    assert_false(str_ieq("loinc", 5, "loin"));
    assert_false(str_ieq("loinz", 5, "loinc"));
    assert_true(str_starts_with("http://loinc.org", "http://"));
    assert_false(str_starts_with("http", "http://"));
    assert_true(str_starts_with("x", ""));
    assert_true(str_ends_with("patients.ndjson", ".ndjson"));
    assert_false(str_ends_with("json", ".ndjson"));
    assert_true(str_ends_with("abc", ""));
    assert_false(str_starts_with(NULL, "a"));
    assert_false(str_ends_with("a", NULL));
}

static void test_copy(void **state)
{
    char dst[6];
    assert_int_equal(str_copy(dst, "hello", sizeof dst), 5);
    assert_string_equal(dst, "hello");
    assert_int_equal(str_copy(dst, "hello world", sizeof dst), 11); /* truncated */
    assert_string_equal(dst, "hello");
    assert_int_equal(str_copy(dst, "", sizeof dst), 0);
    assert_string_equal(dst, "");
    dst[0] = 'x';
    assert_int_equal(str_copy(dst, "abc", 0), 3); /* writes nothing */
    assert_int_equal(dst[0], 'x');
    assert_int_equal(str_copy(dst, "abc", 1), 3);
    assert_string_equal(dst, "");
}

static void test_hash_fnv1a(void **state)
{
    /* Reference values of 64-bit FNV-1a. */
    assert_true(str_hash("", 0) == UINT64_C(0xcbf29ce484222325));
    assert_true(str_hash("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(str_hash("foobar", 6) == UINT64_C(0x85944171f73967e8));
    assert_true(str_hash("foobar", 3) == str_hash("foo", 3));
    assert_true(str_hash("ab", 2) != str_hash("ba", 2));
    /* Fed in pieces it is the same hash as over the whole. */
    assert_true(str_hash_add(str_hash_add(STR_HASH_INIT, "foo", 3), "bar", 3) ==
                UINT64_C(0x85944171f73967e8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_i64_valid),
        cmocka_unit_test(test_i64_rejects),
        cmocka_unit_test(test_int_range),
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_double_plain_matches_strtod),
        cmocka_unit_test(test_trim),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_hash_fnv1a),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
