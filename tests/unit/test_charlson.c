/* test_charlson.c — Charlson index: Quan 2005 ICD-10 codes, 1987 weights. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analytics/charlson.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int index_of(const char *const *codes, size_t n)
{
    charlson_result_t r;
    charlson_index(codes, n, &r);
    return r.index;
}

static void test_none(void **state)
{
    charlson_result_t r;
    charlson_index(NULL, 0, &r);
    assert_int_equal(r.index, 0);
    assert_int_equal(r.conditions, 0);
    /* Hypertension, hyperlipidaemia, a visit: no Charlson condition. */
    const char *codes[] = { "I10", "E785", "Z0000" };
    assert_int_equal(index_of(codes, N(codes)), 0);
}

/* MI (I21.4) 1 + CHF (I50.9) 1 + diabetes without complications (E11.9) 1 = 3 */
static void test_weights_one(void **state)
{
    const char *codes[] = { "I21.4", "I50.9", "E11.9" };
    charlson_result_t r;
    charlson_index(codes, N(codes), &r);
    assert_int_equal(r.index, 3);
    assert_int_equal(r.conditions,
                     (1u << CHARLSON_MI) | (1u << CHARLSON_CHF) | (1u << CHARLSON_DIABETES));
}

/* Each condition counts once: I21.4 and I21.9 and I25.2 are one MI = 1. */
static void test_once(void **state)
{
    const char *codes[] = { "I214", "I219", "I252" };
    assert_int_equal(index_of(codes, N(codes)), 1);
}

/* The severity hierarchy:
 *   E11.9 (1) with E11.22 (2): only complicated diabetes = 2
 *   K70.30 mild liver (1) with K72.10 severe (3): 3
 *   C34.90 malignancy (2) with C78.00 metastatic (6): 6 */
static void test_hierarchy(void **state)
{
    const char *dm[] = { "E119", "E1122" };
    assert_int_equal(index_of(dm, N(dm)), 2);
    const char *liver[] = { "K7030", "K7210" };
    assert_int_equal(index_of(liver, N(liver)), 3);
    const char *cancer[] = { "C3490", "C7800" };
    assert_int_equal(index_of(cancer, N(cancer)), 6);
    /* Each alone keeps its own weight. */
    const char *mild[] = { "K7030" };
    assert_int_equal(index_of(mild, 1), 1);
    const char *solid[] = { "C3490" };
    assert_int_equal(index_of(solid, 1), 2);
}

/* HIV B20 (6) + metastatic C78.00 (6) + hemiplegia G81.10 (2) + renal N18.4
 * (2) = 16 */
static void test_heavy(void **state)
{
    const char *codes[] = { "B20", "C7800", "G8110", "N184" };
    assert_int_equal(index_of(codes, N(codes)), 16);
}

/* Every condition at once: 8 conditions of weight 1 (MI, CHF, PVD, CEVD,
 * dementia, COPD, rheumatic, PUD) = 8; complicated diabetes 2, plegia 2,
 * renal 2, severe liver 3, metastatic 6, HIV 6 (mild liver, uncomplicated
 * diabetes and malignancy are dropped by the hierarchy) = 8 + 21 = 29. */
static void test_all(void **state)
{
    const char *codes[] = { "I219",  "I509",  "I739",  "I639",  "F0390", "J449",
                            "M0579", "K259",  "K7030", "E119",  "E1122", "G8110",
                            "N184",  "C3490", "K7210", "C7800", "B20" };
    charlson_result_t r;
    charlson_index(codes, N(codes), &r);
    assert_int_equal(r.index, 29);
    assert_int_equal(r.conditions & (1u << CHARLSON_MILD_LIVER), 0);
    assert_int_equal(r.conditions & (1u << CHARLSON_DIABETES), 0);
    assert_int_equal(r.conditions & (1u << CHARLSON_CANCER), 0);
    int weight_sum = 0;
    for (int c = 0; c < CHARLSON_COUNT; c++)
        weight_sum += charlson_weight((charlson_condition_t)c);
    assert_int_equal(weight_sum, 33); /* 10 x 1 + 4 x 2 + 3 + 6 + 6 */
}

/* Range edges of Quan's table and ICD-10-CM-only codes. */
static void test_code_edges(void **state)
{
    assert_int_equal(charlson_condition_of("I42.0"), CHARLSON_CHF);
    assert_int_equal(charlson_condition_of("I42.4"), -1); /* I42.5-I42.9 only */
    assert_int_equal(charlson_condition_of("I42.9"), CHARLSON_CHF);
    assert_int_equal(charlson_condition_of("I60.9"), CHARLSON_CEVD);
    assert_int_equal(charlson_condition_of("I69.354"), CHARLSON_CEVD);
    assert_int_equal(charlson_condition_of("I70.0"), CHARLSON_PVD);
    assert_int_equal(charlson_condition_of("J47.9"), CHARLSON_COPD);
    assert_int_equal(charlson_condition_of("J48"), -1);
    assert_int_equal(charlson_condition_of("F03.90"), CHARLSON_DEMENTIA);
    assert_int_equal(charlson_condition_of("F04"), -1);
    assert_int_equal(charlson_condition_of("K76.5"), CHARLSON_SEVERE_LIVER);
    assert_int_equal(charlson_condition_of("K76.1"), -1);
    assert_int_equal(charlson_condition_of("E10.65"), CHARLSON_DIABETES); /* E10.6 */
    assert_int_equal(charlson_condition_of("E10.21"), CHARLSON_DIABETES_COMP);
    assert_int_equal(charlson_condition_of("C44.91"), -1); /* skin: not a malignancy */
    assert_int_equal(charlson_condition_of("C43.9"), CHARLSON_CANCER);
    assert_int_equal(charlson_condition_of("C80.1"), CHARLSON_METASTATIC);
    assert_int_equal(charlson_condition_of("C81.90"), CHARLSON_CANCER);
    assert_int_equal(charlson_condition_of("C86.0"), -1); /* C81-C85, C88 */
    /* ICD-10-CM's C4A (Merkel cell) and C7A (neuroendocrine) lie between
     * Quan's ranges by spelling only; they are not in the table. */
    assert_int_equal(charlson_condition_of("C4A.9"), -1);
    assert_int_equal(charlson_condition_of("C7A.00"), -1);
    assert_int_equal(charlson_condition_of("Z99.2"), CHARLSON_RENAL);
    assert_int_equal(charlson_condition_of("Z49.31"), -1); /* Z49.0-Z49.2 */
    assert_int_equal(charlson_condition_of("b24"), CHARLSON_HIV);
    assert_int_equal(charlson_condition_of("not a code"), -1);
    assert_int_equal(charlson_condition_of(NULL), -1);
    assert_string_equal(charlson_condition_name(CHARLSON_METASTATIC), "metastatic_solid_tumour");
    assert_int_equal(charlson_weight(CHARLSON_SEVERE_LIVER), 3);
    assert_int_equal(charlson_weight(CHARLSON_COUNT), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none),       cmocka_unit_test(test_weights_one),
        cmocka_unit_test(test_once),       cmocka_unit_test(test_hierarchy),
        cmocka_unit_test(test_heavy),      cmocka_unit_test(test_all),
        cmocka_unit_test(test_code_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
