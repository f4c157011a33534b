/* test_money.c — cents: parsing, formatting, rounding, overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/money.h"

static void check_parse(const char *s, money_t want)
{
    money_t m = 0;
    if (money_parse(s, strlen(s), &m) != 0)
        fail_msg("rejected '%s'", s);
    if (m != want)
        fail_msg("'%s' -> %lld, want %lld", s, (long long)m, (long long)want);
}

static void test_parse_valid(void **state)
{
    check_parse("1234", 123400);
    check_parse("1234.5", 123450);
    check_parse("1234.56", 123456);
    check_parse("-12.30", -1230);
    check_parse("+3", 300);
    check_parse(".5", 50);
    check_parse("-.05", -5);
    check_parse("$1,234.56", 123456);
    check_parse("1,234,567.89", 123456789);
    check_parse("-$5.00", -500);
    check_parse("$-5.00", -500);
    check_parse("1.2300", 123);
    check_parse("1.20000000000000000000", 120);
    check_parse("0", 0);
    check_parse("-0", 0);
    check_parse("0.01", 1);
    check_parse("007.10", 710);
    check_parse(" 12.00\t", 1200);
    check_parse("1.", 100);
    check_parse("999", 99900);
    check_parse("92233720368547758.07", INT64_MAX);
    check_parse("-92233720368547758.08", INT64_MIN);
    /* The plain form -?digits.dd has a path of its own: its edges. */
    check_parse("0.00", 0);
    check_parse("-0.00", 0);
    check_parse("-.00", 0);
    check_parse("00.01", 1);
    check_parse("186.94", 18694);
    check_parse("-186.94", -18694);
    check_parse("123456789012345.67", 12345678901234567);   /* 15 digits: the plain path */
    check_parse("-123456789012345.67", -12345678901234567); /* 15 digits: the plain path */
    check_parse("1234567890123456.78", 123456789012345678); /* 16: the full grammar */
    check_parse("-92233720368547758.08", INT64_MIN);
    money_t m;
    assert_int_equal(money_parse("12.34xyz", 5, &m), 0); /* n bytes only */
    assert_int_equal(m, 1234);
}

static void test_parse_rejects(void **state)
{
    static const char *bad[] = {
        "",
        " ",
        "1.234",
        "1.2301",
        "abc",
        "1,23",
        "1,2345",
        ",123",
        "1234,567",
        "12,34,567",
        "1,234,56",
        "1,,234",
        "1,234,",
        "1e3",
        "1.2.3",
        "$",
        "-",
        ".",
        "-.",
        "--1",
        "+-1",
        "-$-1",
        "1 234",
        "$$1",
        "1.-5",
        "0x10",
        "1-",
        "(12.30)",
        "12.30 USD",
        "92233720368547758.08",
        "-92233720368547758.09",
        "100000000000000000000",
        "99999999999999999999999999.00",
        ".123",
        "1.2x",
        "1.x2",
        "-1.0a",
        "a1.00",
        "1a.00",
        "--1.00",
        "-+1.00",
        "1-1.00",
        "1 .00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        money_t m = 777;
        if (money_parse(bad[i], strlen(bad[i]), &m) == 0)
            fail_msg("accepted '%s' as %lld", bad[i], (long long)m);
        assert_int_equal(m, 777);
    }
    assert_int_equal(money_parse(NULL, 0, NULL), -1);
}

/* Amounts as claims files write them, against the value built digit by
 * digit here. */
static void test_parse_plain_random(void **state)
{
    uint64_t x = 88172645463325252u; /* xorshift64 */
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char s[32];
        size_t n = 0;
        bool neg = x & 1;
        if (neg)
            s[n++] = '-';
        int digits = 1 + (int)((x >> 1) % 16); /* to 18 digits of cents: no overflow */
        int64_t want = 0;
        uint64_t r = x >> 8;
        for (int k = 0; k < digits + 2; k++) {
            if (k == digits)
                s[n++] = '.';
            int d = (int)(r % 10);
            r = r / 10 ? r / 10 : x * 2654435761u;
            s[n++] = (char)('0' + d);
            want = want * 10 + d;
        }
        money_t m = 0;
        if (money_parse(s, n, &m) != 0 || m != (neg ? -want : want))
            fail_msg("'%.*s' -> %lld, want %lld", (int)n, s, (long long)m,
                     (long long)(neg ? -want : want));
    }
}

static void check_format(money_t m, const char *want)
{
    char out[MONEY_FMT_LEN];
    size_t n = money_format(m, out, sizeof out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
    money_t back;
    assert_int_equal(money_parse(out, n, &back), 0);
    assert_int_equal(back, m);
}

static void test_format(void **state)
{
    check_format(0, "0.00");
    check_format(5, "0.05");
    check_format(-5, "-0.05");
    check_format(100, "1.00");
    check_format(-1230, "-12.30");
    check_format(123456, "1234.56");
    check_format(INT64_MAX, "92233720368547758.07");
    check_format(INT64_MIN, "-92233720368547758.08");
    char small[5];
    assert_int_equal(money_format(123456, small, sizeof small), 7);
    assert_string_equal(small, "1234");
}

static void test_mul_div_rounding(void **state)
{
    /* Half away from zero, every sign combination. */
    assert_int_equal(money_mul_div(5, 1, 2), 3);
    assert_int_equal(money_mul_div(-5, 1, 2), -3);
    assert_int_equal(money_mul_div(5, -1, 2), -3);
    assert_int_equal(money_mul_div(5, 1, -2), -3);
    assert_int_equal(money_mul_div(-5, -1, 2), 3);
    assert_int_equal(money_mul_div(-5, 1, -2), 3);
    assert_int_equal(money_mul_div(15, 1, 10), 2);
    assert_int_equal(money_mul_div(-15, 1, 10), -2);
    assert_int_equal(money_mul_div(-25, 1, 10), -3);
    assert_int_equal(money_mul_div(-24, 1, 10), -2);
    assert_int_equal(money_mul_div(-26, 1, 10), -3);
    /* Below and above half. */
    assert_int_equal(money_mul_div(1, 1, 3), 0);
    assert_int_equal(money_mul_div(2, 1, 3), 1);
    assert_int_equal(money_mul_div(-1, 1, 3), 0);
    assert_int_equal(money_mul_div(-2, 1, 3), -1);
    assert_int_equal(money_mul_div(0, 7, 3), 0);
    /* An odd denominator's exact half is impossible; an even one's is. */
    assert_int_equal(money_mul_div(1000001, 1, 2), 500001);
    assert_int_equal(money_mul_div(-1000001, 1, 2), -500001);
    /* 50% sharing of $1,234,567.89 of savings. */
    assert_int_equal(money_mul_div(123456789, 50, 100), 61728395);
}

static void test_mul_div_wide(void **state)
{
    /* The product overflows 64 bits, the result does not. */
    assert_int_equal(money_mul_div(INT64_MAX, 2, 2), INT64_MAX);
    assert_int_equal(money_mul_div(INT64_MAX, INT64_MAX, INT64_MAX), INT64_MAX);
    assert_int_equal(money_mul_div(INT64_MIN, 3, 3), INT64_MIN);
    assert_int_equal(money_mul_div(4000000000000000000LL, 3, 4), 3000000000000000000LL);
    assert_int_equal(money_mul_div(INT64_MAX, 1, INT64_MIN), -1);
    /* Out of range saturates. */
    assert_int_equal(money_mul_div(INT64_MAX, 2, 1), INT64_MAX);
    assert_int_equal(money_mul_div(INT64_MAX, -2, 1), INT64_MIN);
    assert_int_equal(money_mul_div(INT64_MIN, -1, 1), INT64_MAX);
    assert_int_equal(money_mul_div(100, 1, 0), 0); /* defensive */
}

static void test_mul_rate(void **state)
{
    assert_int_equal(money_mul_rate(10, 0.35), 4); /* 3.5, not 3.4999... */
    assert_int_equal(money_mul_rate(-10, 0.35), -4);
    assert_int_equal(money_mul_rate(100, 0.5), 50);
    assert_int_equal(money_mul_rate(1, 0.5), 1);
    assert_int_equal(money_mul_rate(-1, 0.5), -1);
    assert_int_equal(money_mul_rate(3, 0.5), 2);
    assert_int_equal(money_mul_rate(12345, 0.0), 0);
    assert_int_equal(money_mul_rate(12345, 1.0), 12345);
    assert_int_equal(money_mul_rate(12345, -1.0), -12345);
    assert_int_equal(money_mul_rate(100000, 0.075), 7500);
    assert_int_equal(money_mul_rate(INT64_MAX, 1.0), INT64_MAX);
    assert_int_equal(money_mul_rate(100, NAN), 0);
    assert_int_equal(money_mul_rate(100, INFINITY), 0);
    assert_int_equal(money_mul_rate(100, 1e12), 100000000000000LL);
}

static void test_add(void **state)
{
    money_t acc = 0;
    for (int i = 0; i < 1000000; i++)
        assert_int_equal(money_add(&acc, 1), 0); /* a million cents, exact */
    assert_int_equal(acc, 1000000);
    acc = INT64_MAX - 1;
    assert_int_equal(money_add(&acc, 1), 0);
    assert_int_equal(acc, INT64_MAX);
    assert_int_equal(money_add(&acc, 1), -1);
    assert_int_equal(acc, INT64_MAX); /* unchanged */
    acc = INT64_MIN;
    assert_int_equal(money_add(&acc, -1), -1);
    assert_int_equal(acc, INT64_MIN);
    assert_int_equal(money_add(&acc, INT64_MAX), 0);
    assert_int_equal(acc, -1);
    assert_true(fabs(money_to_dollars(123456) - 1234.56) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_plain_random), cmocka_unit_test(test_format),
        cmocka_unit_test(test_mul_div_rounding),   cmocka_unit_test(test_mul_div_wide),
        cmocka_unit_test(test_mul_rate),           cmocka_unit_test(test_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
