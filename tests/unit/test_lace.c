/* test_lace.c — the LACE index (van Walraven et al., CMAJ 2010). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analytics/charlson.h"
#include "analytics/lace.h"

static void test_length_of_stay(void **state)
{
    /* <1 day 0, 1 1, 2 2, 3 3, 4-6 4, 7-13 5, 14+ 7 */
    static const int days[] = { 0, 1, 2, 3, 4, 6, 7, 13, 14, 100 };
    static const int points[] = { 0, 1, 2, 3, 4, 4, 5, 5, 7, 7 };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        if (lace_los_points(days[i]) != points[i])
            fail_msg("LOS %d: %d points, want %d", days[i], lace_los_points(days[i]), points[i]);
}

static void test_charlson_and_ed(void **state)
{
    /* Charlson 0-3 as is, 4+ -> 5; ED visits 0-3 as is, 4+ -> 4 */
    assert_int_equal(lace_charlson_points(0), 0);
    assert_int_equal(lace_charlson_points(3), 3);
    assert_int_equal(lace_charlson_points(4), 5);
    assert_int_equal(lace_charlson_points(12), 5);
    assert_int_equal(lace_ed_points(0), 0);
    assert_int_equal(lace_ed_points(3), 3);
    assert_int_equal(lace_ed_points(4), 4);
    assert_int_equal(lace_ed_points(9), 4);
}

static void test_scores(void **state)
{
    lace_result_t r;
    /* 5 days (4) + emergent (3) + Charlson 2 (2) + 1 ED visit (1) = 10: high. */
    lace_input_t in = { 5, true, 2, 1 };
    assert_int_equal(lace_score(&in, &r), 0);
    assert_int_equal(r.l, 4);
    assert_int_equal(r.a, 3);
    assert_int_equal(r.c, 2);
    assert_int_equal(r.e, 1);
    assert_int_equal(r.score, 10);
    assert_true(r.high_risk);
    /* 3 days (3) + emergent (3) + Charlson 3 (3) + no ED (0) = 9: not high. */
    in = (lace_input_t){ 3, true, 3, 0 };
    assert_int_equal(lace_score(&in, &r), 0);
    assert_int_equal(r.score, 9);
    assert_false(r.high_risk);
    /* Same day, elective, no comorbidity, no ED = 0. */
    in = (lace_input_t){ 0, false, 0, 0 };
    assert_int_equal(lace_score(&in, &r), 0);
    assert_int_equal(r.score, 0);
    /* The maximum: 20 days (7) + 3 + Charlson 6 (5) + 5 ED visits (4) = 19. */
    in = (lace_input_t){ 20, true, 6, 5 };
    assert_int_equal(lace_score(&in, &r), 0);
    assert_int_equal(r.score, 19);
    /* Negative counts are refused. */
    in = (lace_input_t){ -1, false, 0, 0 };
    assert_int_equal(lace_score(&in, &r), -1);
    in = (lace_input_t){ 1, false, 0, -2 };
    assert_int_equal(lace_score(&in, &r), -1);
}

/* With the Charlson index from codes: CHF I50.9 (1) + COPD J44.9 (1) +
 * diabetes with CKD E11.22 (2) + CKD N18.4 (2) = 6 -> 5 points; 8 days (5),
 * emergent (3), 2 ED visits (2): 5 + 3 + 5 + 2 = 15. */
static void test_with_charlson(void **state)
{
    const char *codes[] = { "I50.9", "J44.9", "E11.22", "N18.4" };
    charlson_result_t ch;
    charlson_index(codes, 4, &ch);
    assert_int_equal(ch.index, 6);
    lace_input_t in = { 8, true, ch.index, 2 };
    lace_result_t r;
    assert_int_equal(lace_score(&in, &r), 0);
    assert_int_equal(r.c, 5);
    assert_int_equal(r.score, 15);
    assert_true(r.high_risk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length_of_stay),
        cmocka_unit_test(test_charlson_and_ed),
        cmocka_unit_test(test_scores),
        cmocka_unit_test(test_with_charlson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
