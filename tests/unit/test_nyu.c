/* test_nyu.c — NYU ED classification (Johnston ICD-10 table, ed/). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analytics/engine_internal.h"
#include "analytics/nyu.h"

static void test_lookup(void **state)
{
    (void)state;
    nyu_t t;
    err_t e;
    err_clear(&e);
    assert_int_equal(nyu_load(&t, NULL, &e), 0);
    assert_true(t.n > 40000);
    /* First data row of the table: A020 is epct with probability 1. */
    const float *p = nyu_lookup(&t, code_pack("A020", 4));
    assert_non_null(p);
    assert_true(fabsf(p[NYU_EPCT] - 1.0f) < 1e-6f);
    assert_int_equal(nyu_argmax(p), NYU_EPCT);
    assert_true(nyu_is_avoidable_class(nyu_argmax(p)));
    /* A039: edcnnpa .171, epct .457, noner .371 -> epct; dotted input packs the same. */
    p = nyu_lookup(&t, code_pack("A03.9", 5));
    assert_non_null(p);
    assert_int_equal(nyu_argmax(p), NYU_EPCT);
    assert_true(fabsf(p[NYU_NONER] - 0.3714285714f) < 1e-6f);
    /* Not in the table: unclassified. */
    assert_null(nyu_lookup(&t, code_pack("ZZZ99", 5)));
    nyu_free(&t);
}

/* Ties go to the first class in the Tuva `greatest` order. */
static void test_argmax_ties(void **state)
{
    (void)state;
    float p[NYU_NCLASS] = { 0 };
    p[NYU_EPCT] = 0.5f;
    p[NYU_NONER] = 0.5f;
    assert_int_equal(nyu_argmax(p), NYU_EPCT);
    p[NYU_EDCNNPA] = 0.5f;
    assert_int_equal(nyu_argmax(p), NYU_EDCNNPA);
    float q[NYU_NCLASS] = { 0 };
    q[NYU_INJURY] = 1.0f;
    assert_int_equal(nyu_argmax(q), NYU_INJURY);
    assert_false(nyu_is_avoidable_class(NYU_INJURY));
    assert_string_equal(nyu_class_name(NYU_NONER), "noner");
    assert_string_equal(nyu_class_name(-1), "unclassified");
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_lookup),
                                        cmocka_unit_test(test_argmax_ties) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
