/* test_model.c — logistic regression, AUC and calibration (analytics/model.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analytics/model.h"
#include "core/mem.h"
#include "core/rng.h"

/* Data drawn from a known logistic model: the fit recovers the signs and
 * rough sizes, ranks well, and is the same with 1 or 2 threads. */
static void test_fit_recovers(void **state)
{
    (void)state;
    size_t n = 20000;
    int p = 3;
    float *X = mem_alloc(n * (size_t)p * sizeof *X);
    uint8_t *y = mem_alloc(n);
    rng_t r;
    rng_seed(&r, 42);
    for (size_t i = 0; i < n; i++) {
        double a = rng_normal(&r, 0, 1), b = rng_normal(&r, 0, 1), c = rng_normal(&r, 0, 1);
        X[i * 3] = (float)a;
        X[i * 3 + 1] = (float)b;
        X[i * 3 + 2] = (float)c;
        double eta = -1.0 + 1.5 * a - 0.8 * b;
        y[i] = (uint8_t)(rng_uniform(&r) < 1 / (1 + exp(-eta)));
    }
    logit_t m1, m2;
    assert_int_equal(logit_fit(X, y, NULL, n, p, 0, 30, 1, &m1), 0);
    assert_int_equal(logit_fit(X, y, NULL, n, p, 0, 30, 2, &m2), 0);
    for (int j = 0; j <= p; j++)
        assert_true(m1.beta[j] == m2.beta[j]);
    /* Standardised features have sd ~1, so betas are close to the truth. */
    assert_true(fabs(m1.beta[0] + 1.0) < 0.15);
    assert_true(fabs(m1.beta[1] - 1.5) < 0.15);
    assert_true(fabs(m1.beta[2] + 0.8) < 0.15);
    assert_true(fabs(m1.beta[3]) < 0.1);
    double *s = mem_alloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++)
        s[i] = logit_predict(&m1, X + i * 3);
    double auc = model_auc(s, y, NULL, n);
    assert_true(auc > 0.75 && auc < 0.95);
    double mp[10], ob[10];
    long cnt[10];
    model_calibration(s, y, NULL, n, mp, ob, cnt);
    long tot = 0;
    for (int d = 0; d < 10; d++) {
        tot += cnt[d];
        assert_true(fabs(mp[d] - ob[d]) < 0.05); /* well calibrated in-sample */
        if (d)
            assert_true(mp[d] >= mp[d - 1]);
    }
    assert_int_equal(tot, (long)n);
    /* Top factor of a row with a large first feature is feature 0. */
    float x[3] = { 3.0f, 0.0f, 0.0f };
    int idx[3];
    assert_true(logit_top_factors(&m1, x, 3, idx) >= 1);
    assert_int_equal(idx[0], 0);
    mem_free(s);
    mem_free(X);
    mem_free(y);
}

static void test_auc_exact(void **state)
{
    (void)state;
    double s[4] = { 0.1, 0.2, 0.3, 0.4 };
    uint8_t y[4] = { 0, 0, 1, 1 };
    assert_true(fabs(model_auc(s, y, NULL, 4) - 1.0) < 1e-12);
    uint8_t z[4] = { 1, 1, 0, 0 };
    assert_true(fabs(model_auc(s, z, NULL, 4)) < 1e-12);
    double t[4] = { 0.5, 0.5, 0.5, 0.5 };
    assert_true(fabs(model_auc(t, y, NULL, 4) - 0.5) < 1e-12);
    uint8_t use[4] = { 1, 0, 1, 0 }; /* one negative (0.1) and one positive (0.3) */
    assert_true(fabs(model_auc(s, y, use, 4) - 1.0) < 1e-12);
    uint8_t none[4] = { 0, 0, 0, 0 };
    assert_true(isnan(model_auc(s, none, NULL, 4)));
    logit_t m;
    float X[4] = { 1, 2, 3, 4 };
    assert_int_equal(logit_fit(X, none, NULL, 4, 1, 0, 10, 1, &m), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_fit_recovers),
                                        cmocka_unit_test(test_auc_exact) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
