/* test_rng.c — xoshiro256** reproducibility and distribution sanity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "core/rng.h"

/* Values computed independently from the reference splitmix64.c and
 * xoshiro256starstar.c of Blackman & Vigna. */
static void test_reference_sequence(void **state)
{
    rng_t r = { { 1, 2, 3, 4 } };
    static const uint64_t want[] = { 11520,
                                     0,
                                     1509978240,
                                     UINT64_C(1215971899390074240),
                                     UINT64_C(1216172134540287360),
                                     UINT64_C(607988272756665600) };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_true(rng_next(&r) == want[i]);
}

static void test_seed_is_splitmix64(void **state)
{
    rng_t r;
    rng_seed(&r, 0);
    assert_true(r.s[0] == UINT64_C(0xe220a8397b1dcdaf));
    assert_true(r.s[1] == UINT64_C(0x6e789e6aa1b965f4));
    assert_true(r.s[2] == UINT64_C(0x06c45d188009454f));
    assert_true(r.s[3] == UINT64_C(0xf88bb8a8724c81ec));
    static const uint64_t want0[] = { UINT64_C(0x99ec5f36cb75f2b4), UINT64_C(0xbf6e1f784956452a),
                                      UINT64_C(0x1a5f849d4933e6e0), UINT64_C(0x6aa594f1262d2d2c),
                                      UINT64_C(0xbba5ad4a1f842e59) };
    for (size_t i = 0; i < 5; i++)
        assert_true(rng_next(&r) == want0[i]);
    rng_seed(&r, 42);
    static const uint64_t want42[] = { UINT64_C(0x15780b2e0c2ec716), UINT64_C(0x6104d9866d113a7e),
                                       UINT64_C(0xae17533239e499a1), UINT64_C(0xecb8ad4703b360a1),
                                       UINT64_C(0xfde6dc7fe2ec5e64) };
    for (size_t i = 0; i < 5; i++)
        assert_true(rng_next(&r) == want42[i]);
}

static void test_determinism_and_streams(void **state)
{
    rng_t a, b;
    rng_seed(&a, 12345);
    rng_seed(&b, 12345);
    for (int i = 0; i < 1000; i++)
        assert_true(rng_next(&a) == rng_next(&b));
    rng_seed(&b, 12346);
    rng_seed(&a, 12345);
    int same = 0;
    for (int i = 0; i < 100; i++)
        same += rng_next(&a) == rng_next(&b);
    assert_int_equal(same, 0);
    /* Streams: reproducible, distinct, and (seed, stream) is ordered. */
    rng_seed2(&a, 7, 3);
    rng_seed2(&b, 7, 3);
    for (int i = 0; i < 100; i++)
        assert_true(rng_next(&a) == rng_next(&b));
    rng_t c, d, e;
    rng_seed2(&c, 7, 4);
    rng_seed2(&d, 3, 7);
    rng_seed2(&e, 5, 5); /* equal seed and stream must not cancel out */
    rng_seed2(&a, 7, 3);
    uint64_t x = rng_next(&a);
    assert_true(x != rng_next(&c));
    assert_true(x != rng_next(&d));
    assert_true((e.s[0] | e.s[1] | e.s[2] | e.s[3]) != 0);
    int zeros = 0;
    for (int i = 0; i < 100; i++)
        zeros += rng_next(&e) == 0;
    assert_true(zeros < 2);
}

static void test_uniform(void **state)
{
    rng_t r;
    rng_seed(&r, 1);
    double sum = 0, lo = 1, hi = 0;
    int buckets[10] = { 0 };
    const int n = 1000000;
    for (int i = 0; i < n; i++) {
        double u = rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        buckets[(int)(u * 10)]++;
    }
    assert_true(fabs(sum / n - 0.5) < 0.002);
    assert_true(lo < 1e-4 && hi > 1 - 1e-4);
    for (int i = 0; i < 10; i++)
        assert_true(abs(buckets[i] - n / 10) < n / 100);
}

static void test_below_unbiased(void **state)
{
    rng_t r;
    rng_seed(&r, 2);
    /* A chi-square test over 7 cells (not a power of two). */
    enum { K = 7, N = 700000 };
    int cnt[K] = { 0 };
    for (int i = 0; i < N; i++) {
        uint32_t v = rng_below(&r, K);
        assert_true(v < K);
        cnt[v]++;
    }
    double chi = 0, e = (double)N / K;
    for (int i = 0; i < K; i++)
        chi += (cnt[i] - e) * (cnt[i] - e) / e;
    assert_true(chi < 22.46); /* p = 0.001 for 6 degrees of freedom */
    assert_int_equal(rng_below(&r, 1), 0);
    /* A bound near 2^32 where naive modulo would be badly biased: values in
     * the top third must appear about a third of the time. */
    uint32_t big = 3000000000u;
    int top = 0;
    for (int i = 0; i < 30000; i++)
        top += rng_below(&r, big) >= 2000000000u;
    assert_true(top > 9400 && top < 10600);
}

static void test_range(void **state)
{
    rng_t r;
    rng_seed(&r, 3);
    int seen_lo = 0, seen_hi = 0;
    for (int i = 0; i < 10000; i++) {
        int v = rng_range(&r, -2, 2);
        assert_true(v >= -2 && v <= 2);
        seen_lo += v == -2;
        seen_hi += v == 2;
    }
    assert_true(seen_lo > 1500 && seen_hi > 1500);
    assert_int_equal(rng_range(&r, 5, 5), 5);
    int neg = 0;
    for (int i = 0; i < 1000; i++)
        neg += rng_range(&r, INT_MIN, INT_MAX) < 0;
    assert_true(neg > 400 && neg < 600);
}

static void test_bernoulli(void **state)
{
    rng_t r;
    rng_seed(&r, 4);
    int hits = 0;
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(rng_bernoulli(&r, 0.0), 0);
        assert_int_equal(rng_bernoulli(&r, 1.0), 1);
        hits += rng_bernoulli(&r, 0.3);
    }
    assert_true(fabs(hits / 100000.0 - 0.3) < 0.005);
}

static void test_normal(void **state)
{
    rng_t r;
    rng_seed(&r, 5);
    const int n = 400000;
    double s = 0, s2 = 0;
    int within1 = 0;
    for (int i = 0; i < n; i++) {
        double x = rng_normal(&r, 10.0, 2.0);
        assert_true(isfinite(x));
        s += x;
        s2 += x * x;
        within1 += fabs(x - 10.0) < 2.0;
    }
    double mean = s / n, sd = sqrt(s2 / n - mean * mean);
    assert_true(fabs(mean - 10.0) < 0.02);
    assert_true(fabs(sd - 2.0) < 0.02);
    assert_true(fabs(within1 / (double)n - 0.6827) < 0.005);
    /* Pure per call: the same state gives the same normal. */
    rng_t a, b;
    rng_seed(&a, 9);
    rng_seed(&b, 9);
    rng_normal(&a, 0, 1);
    rng_uniform(&b);
    rng_uniform(&b);
    assert_true(rng_next(&a) == rng_next(&b)); /* exactly two draws used */
}

static void test_lognormal(void **state)
{
    rng_t r;
    rng_seed(&r, 6);
    int below = 0;
    for (int i = 0; i < 100000; i++) {
        double x = rng_lognormal(&r, log(100.0), 1.0);
        assert_true(x > 0);
        below += x < 100.0; /* the median is exp(mu) */
    }
    assert_true(abs(below - 50000) < 1000);
}

static void check_poisson(double lambda)
{
    rng_t r;
    rng_seed(&r, (uint64_t)(lambda * 1000));
    const int n = 200000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        int k = rng_poisson(&r, lambda);
        assert_true(k >= 0);
        s += k;
        s2 += (double)k * k;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    double tol = 5 * sqrt(lambda / n); /* five standard errors */
    if (fabs(mean - lambda) > tol)
        fail_msg("lambda %g: mean %g", lambda, mean);
    if (fabs(var / lambda - 1) > 0.03)
        fail_msg("lambda %g: variance %g", lambda, var);
}

static void test_poisson(void **state)
{
    check_poisson(0.25);
    check_poisson(0.6); /* ED visits per year */
    check_poisson(4.0);
    check_poisson(29.5); /* Knuth's method, top of its range */
    check_poisson(30.0); /* PTRS from here */
    check_poisson(100.0);
    check_poisson(5000.0);
    rng_t r;
    rng_seed(&r, 8);
    assert_int_equal(rng_poisson(&r, 0), 0);
    assert_int_equal(rng_poisson(&r, -1), 0);
    assert_int_equal(rng_poisson(&r, NAN), 0);
    /* P(X = 0) for lambda = 1 is e^-1. */
    int zeros = 0;
    for (int i = 0; i < 100000; i++)
        zeros += rng_poisson(&r, 1.0) == 0;
    assert_true(fabs(zeros / 100000.0 - exp(-1.0)) < 0.006);
}

static void test_weighted(void **state)
{
    rng_t r;
    rng_seed(&r, 10);
    const double w[] = { 1.0, 0.0, 3.0, -5.0, 6.0 };
    int cnt[5] = { 0 };
    for (int i = 0; i < 100000; i++) {
        int k = rng_weighted(&r, w, 5);
        assert_true(k >= 0 && k < 5);
        cnt[k]++;
    }
    assert_int_equal(cnt[1], 0);
    assert_int_equal(cnt[3], 0); /* negative weights count as zero */
    assert_true(abs(cnt[0] - 10000) < 600);
    assert_true(abs(cnt[2] - 30000) < 900);
    assert_true(abs(cnt[4] - 60000) < 900);
    const double single[] = { 0, 0, 2 };
    for (int i = 0; i < 100; i++)
        assert_int_equal(rng_weighted(&r, single, 3), 2);
    const double none[] = { 0, 0 };
    assert_int_equal(rng_weighted(&r, none, 2), 0);
    assert_int_equal(rng_weighted(&r, w, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_sequence),
        cmocka_unit_test(test_seed_is_splitmix64),
        cmocka_unit_test(test_determinism_and_streams),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_below_unbiased),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_bernoulli),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_lognormal),
        cmocka_unit_test(test_poisson),
        cmocka_unit_test(test_weighted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
