/* test_readmit.c — 30-day readmission rules (analytics/readmit.h) on edge cases
 * taken from the Tuva Project's readmission logic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analytics/engine_internal.h"
#include "analytics/readmit.h"

static readmit_stay_t stay(const char *admit, const char *disch, int disp, bool planned)
{
    readmit_stay_t s = { 0 };
    date_parse(admit, 10, &s.admit);
    date_parse(disch, 10, &s.disch);
    s.disp = (uint8_t)disp;
    s.has_dx = true;
    s.planned = planned;
    return s;
}

static date_t d(const char *s)
{
    date_t x;
    date_parse(s, 10, &x);
    return x;
}

/* Exactly 30 days from discharge to the next admission is a readmission; 31 is not. */
static void test_window_boundary(void **state)
{
    (void)state;
    readmit_stay_t s[3] = { stay("2025-01-01", "2025-01-05", 1, false),
                            stay("2025-02-04", "2025-02-06", 1, false),
                            stay("2025-03-09", "2025-03-10", 1, false) };
    readmit_flag(s, 3, d("2025-12-31"), 30);
    assert_int_equal(s[0].days_to_next, 30);
    assert_true(s[0].readmit30);
    assert_true(s[0].unplanned30);
    assert_int_equal(s[1].days_to_next, 31);
    assert_false(s[1].readmit30);
    assert_int_equal(s[2].days_to_next, -1);
    assert_true(s[0].index && s[1].index && s[2].index);
}

/* A planned next stay makes a readmission but not an unplanned one. */
static void test_planned_next(void **state)
{
    (void)state;
    readmit_stay_t s[2] = { stay("2025-01-01", "2025-01-05", 1, false),
                            stay("2025-01-10", "2025-01-12", 1, true) };
    readmit_flag(s, 2, d("2025-12-31"), 30);
    assert_true(s[0].readmit30);
    assert_false(s[0].unplanned30);
}

/* Transfers (02), against medical advice (07) and deaths (20) are not index
 * admissions; missing disposition disqualifies the stay. */
static void test_discharge_requirement(void **state)
{
    (void)state;
    readmit_stay_t s[4] = { stay("2025-01-01", "2025-01-02", 2, false),
                            stay("2025-02-01", "2025-02-02", 7, false),
                            stay("2025-03-01", "2025-03-02", 20, false),
                            stay("2025-04-01", "2025-04-02", READMIT_NO_DISP, false) };
    readmit_flag(s, 4, d("2025-12-31"), 30);
    assert_true(s[0].qualified && !s[0].index);
    assert_true(s[1].qualified && !s[1].index);
    assert_true(s[2].qualified && !s[2].index);
    assert_false(s[3].qualified);
}

/* Discharges within 30 days of the last discharge in the data are not index. */
static void test_time_requirement(void **state)
{
    (void)state;
    readmit_stay_t s[2] = { stay("2025-11-20", "2025-12-01", 1, false),
                            stay("2025-10-01", "2025-10-02", 1, false) };
    readmit_flag(s, 2, d("2025-12-20"), 30);
    /* Sorted by admit, October first. The cut-off is 2025-11-20. */
    assert_true(s[0].index);  /* discharged 2025-10-02 */
    assert_false(s[1].index); /* discharged 2025-12-01 */
}

/* Overlap is inclusive: a same-day transfer (B admitted the day A is
 * discharged) disqualifies both; a stay inside another too. */
static void test_overlap(void **state)
{
    (void)state;
    readmit_stay_t s[3] = { stay("2025-01-01", "2025-01-05", 1, false),
                            stay("2025-01-05", "2025-01-09", 1, false),
                            stay("2025-03-01", "2025-03-03", 1, false) };
    readmit_flag(s, 3, d("2025-12-31"), 30);
    assert_false(s[0].qualified);
    assert_false(s[1].qualified);
    assert_true(s[2].qualified);
    assert_false(s[0].readmit30);
    /* Admitted after discharge or a missing principal diagnosis: disqualified. */
    readmit_stay_t t[2] = { stay("2025-05-05", "2025-05-01", 1, false),
                            stay("2025-06-01", "2025-06-02", 1, false) };
    t[1].has_dx = false;
    readmit_flag(t, 2, d("2025-12-31"), 30);
    assert_false(t[0].qualified);
    assert_false(t[1].qualified);
}

/* Planned = potentially planned ICD-10-PCS and a principal diagnosis not on
 * the acute list (readmission/ tables). */
static void test_planned_rule(void **state)
{
    (void)state;
    readmit_refs_t r;
    err_t e;
    err_clear(&e);
    assert_int_equal(readmit_load(&r, NULL, &e), 0);
    uint64_t px = code_pack("0270046", 7); /* coronary dilation: potentially planned */
    uint64_t acute = code_pack("A150", 4); /* tuberculosis of lung: on the acute list */
    uint64_t chronic = code_pack("I2510", 5);
    assert_non_null(hmap_u64_get(&r.planned_px, px));
    assert_non_null(hmap_u64_get(&r.acute_dx, acute));
    assert_true(readmit_is_planned(&r, chronic, &px, 1));
    assert_false(readmit_is_planned(&r, acute, &px, 1));
    assert_false(readmit_is_planned(&r, chronic, NULL, 0));
    readmit_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_boundary),
        cmocka_unit_test(test_planned_next),
        cmocka_unit_test(test_discharge_requirement),
        cmocka_unit_test(test_time_requirement),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_planned_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
