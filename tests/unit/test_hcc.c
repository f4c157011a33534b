/* test_hcc.c — CMS-HCC scores built by hand from the published tables.
 *
 * Every expected value below is the sum of rows copied from
 * ra_coefficients_2026.csv (model C24 = V24, C28 = V28), after mapping the
 * diagnoses with ra_dx_to_cc_2026.csv and applying ra_hierarchies_2026.csv
 * and the age/sex edits; the rows used are quoted next to each case. Each
 * case lists every factor the scorer must switch on, including those whose
 * coefficient is 0 (the HCC counts D1-D4 and the like).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/hcc.h"
#include "analytics/hcc_tables.h"

static hcc_tables_t *T;

static int setup(void **state)
{
    err_t e;
    err_clear(&e);
    if (hcc_tables_load(NULL, 2026, &T, &e) != 0) {
        char msg[1024];
        err_format(&e, msg, sizeof msg);
        fprintf(stderr, "cannot load the HCC tables: %s\n", msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    hcc_tables_free(T);
    T = NULL;
    return 0;
}

/* Scores model/segment for a patient with comma-separated canonical codes. */
static hcc_result_t score(hcc_model_t m, hcc_segment_t seg, int age, char sex, int orec,
                          bool medicaid, const char *codes)
{
    char buf[512];
    const char *dx[32];
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", codes);
    for (char *p = buf; *p && n < 32;) {
        dx[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    hcc_patient_t pt = { .age = age, .sex = sex, .orec = orec, .medicaid = medicaid };
    hcc_result_t r;
    err_t e;
    err_clear(&e);
    int rc = hcc_score(T, m, seg, &pt, dx, n, &r, &e);
    if (rc != 0)
        fail_msg("hcc_score failed: %s", e.msg);
    return r;
}

/* Checks the HCC list ("18 85"), the exact set of factors ("NAME=value",
 * NULL-terminated) and the score, which must equal both `total` (the hand
 * sum written in the test) and the sum of the listed factors. */
static void check(const hcc_result_t *r, const char *hccs, double total, const char *const *factors)
{
    char got[512] = "";
    size_t pos = 0;
    for (int i = 0; i < r->n_hccs && pos < sizeof got; i++)
        pos += (size_t)snprintf(got + pos, sizeof got - pos, "%s%d", i ? " " : "", r->hccs[i]);
    if (strcmp(got, hccs) != 0)
        fail_msg("HCCs '%s', want '%s'", got, hccs);
    int nwant = 0;
    double sum = 0.0;
    for (; factors[nwant]; nwant++) {
        const char *eq = strchr(factors[nwant], '=');
        assert_non_null(eq);
        double v = strtod(eq + 1, NULL);
        sum += v;
        bool found = false;
        for (int i = 0; i < r->n_factors && !found; i++)
            if (strlen(r->factors[i].name) == (size_t)(eq - factors[nwant]) &&
                strncmp(r->factors[i].name, factors[nwant], (size_t)(eq - factors[nwant])) == 0) {
                found = true;
                if (fabs(r->factors[i].value - v) > 1e-12)
                    fail_msg("%s = %g, want %g", r->factors[i].name, r->factors[i].value, v);
            }
        if (!found)
            fail_msg("factor %.*s missing", (int)(eq - factors[nwant]), factors[nwant]);
    }
    if (r->n_factors != nwant) {
        for (int i = 0; i < r->n_factors; i++)
            fprintf(stderr, "  factor %s = %g\n", r->factors[i].name, r->factors[i].value);
        fail_msg("%d factors, want %d", r->n_factors, nwant);
    }
    if (fabs(sum - total) > 1e-9)
        fail_msg("the hand total %.3f is not the sum of the listed rows %.3f", total, sum);
    if (fabs(r->score - total) > 1e-9)
        fail_msg("score %.6f, want %.3f", r->score, total);
}

#define F(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ------------------------------------------------------------------------ */
/* V24 */

/* hcc/SOURCE.md worked example: V24, CNA, male 70, E11.69 + I50.9.
 *   E1169 -> 18, I509 -> 85 (CMS-HCC Model V24)
 *   CNA_M70_74 0.394 + CNA_HCC18 0.302 + CNA_HCC85 0.331
 *   + CNA_DIABETES_CHF 0.121 + CNA_D2 0 = 1.148 */
static void test_v24_worked_example(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CNA, 70, 'M', 0, false, "E1169,I509");
    check(&r, "18 85", 1.148,
          F("CNA_M70_74=0.394", "CNA_HCC18=0.302", "CNA_HCC85=0.331", "CNA_DIABETES_CHF=0.121",
            "CNA_D2=0"));
    assert_int_equal(round(r.score * 1000), 1148);
}

/* Hierarchy 17 > 18, 19 (rows 17,18 and 17,19 of V24H86H1):
 *   E1010 -> 17, E1122 -> 18, E119 -> 19; only 17 remains.
 *   CNA_F75_79 0.451 + CNA_HCC17 0.302 + CNA_D1 0 = 0.753 */
static void test_v24_hierarchy_diabetes(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CNA, 77, 'F', 0, false, "E1010,E1122,E119");
    check(&r, "17", 0.753, F("CNA_F75_79=0.451", "CNA_HCC17=0.302", "CNA_D1=0"));
    /* Only 18 and 19: 18 > 19. CNA_HCC18 0.302 */
    r = score(HCC_V24, HCC_CNA, 77, 'F', 0, false, "E119,E1122");
    check(&r, "18", 0.753, F("CNA_F75_79=0.451", "CNA_HCC18=0.302", "CNA_D1=0"));
}

/* CHF x COPD, COPD x respiratory failure, CHF x renal, and a count:
 *   I509 -> 85, J449 -> 111, J9611 -> 84, N184 -> 137
 *   CNA_M80_84 0.556 + HCC85 0.331 + HCC111 0.335 + HCC84 0.282 + HCC137 0.289
 *   + CHF_gCopdCF 0.155 + gCopdCF_CARD_RESP_FAIL 0.363 + HCC85_gRenal_V24 0.156
 *   + D4 0.006 = 2.473 */
static void test_v24_interactions(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CNA, 81, 'M', 0, false, "I509,J449,J9611,N184");
    check(&r, "84 85 111 137", 2.473,
          F("CNA_M80_84=0.556", "CNA_HCC84=0.282", "CNA_HCC85=0.331", "CNA_HCC111=0.335",
            "CNA_HCC137=0.289", "CNA_CHF_gCopdCF=0.155", "CNA_gCopdCF_CARD_RESP_FAIL=0.363",
            "CNA_HCC85_gRenal_V24=0.156", "CNA_D4=0.006"));
}

/* HCC47 x cancer and HCC85 x HCC96:
 *   D849 -> 47, C50911 -> 12, I509 -> 85, I480 -> 96
 *   CNA_F65_69 0.323 + HCC12 0.15 + HCC47 0.665 + HCC85 0.331 + HCC96 0.268
 *   + HCC47_gCancer 0.838 + HCC85_HCC96 0.085 + D4 0.006 = 2.666 */
static void test_v24_immune_cancer_arrhythmia(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CNA, 68, 'F', 0, false, "D849,C50911,I509,I480");
    check(&r, "12 47 85 96", 2.666,
          F("CNA_F65_69=0.323", "CNA_HCC12=0.15", "CNA_HCC47=0.665", "CNA_HCC85=0.331",
            "CNA_HCC96=0.268", "CNA_HCC47_gCancer=0.838", "CNA_HCC85_HCC96=0.085", "CNA_D4=0.006"));
}

/* Ten payment HCCs: D10P.
 *   B20 1, A419 2, C7800 8, E1122 18, K7030 28, D849 47, F200 57, G8110 103,
 *   J449 111, N184 137 (no hierarchy among them)
 *   CNA_M85_89 0.686 + 0.335 + 0.352 + 2.659 + 0.302 + 0.363 + 0.665 + 0.524
 *   + 0.437 + 0.335 + 0.289 + HCC47_gCancer 0.838 + D10P 0.505 = 8.290 */
static void test_v24_d10p(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CNA, 86, 'M', 0, false,
                           "B20,A419,C7800,E1122,K7030,D849,F200,G8110,J449,N184");
    check(&r, "1 2 8 18 28 47 57 103 111 137", 8.290,
          F("CNA_M85_89=0.686", "CNA_HCC1=0.335", "CNA_HCC2=0.352", "CNA_HCC8=2.659",
            "CNA_HCC18=0.302", "CNA_HCC28=0.363", "CNA_HCC47=0.665", "CNA_HCC57=0.524",
            "CNA_HCC103=0.437", "CNA_HCC111=0.335", "CNA_HCC137=0.289", "CNA_HCC47_gCancer=0.838",
            "CNA_D10P=0.505"));
}

/* CND (community non-dual disabled), substance use x psychiatric:
 *   F1020 -> 55, F200 -> 57, E1122 -> 18, I509 -> 85
 *   CND_F45_54 0.348 + HCC18 0.351 + HCC55 0.279 + HCC57 0.352 + HCC85 0.447
 *   + DIABETES_CHF 0.024 + gSubstanceUseDisorder_gPsych 0.138 + D4 0 = 1.939 */
static void test_v24_cnd(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CND, 50, 'F', 1, false, "F1020,F200,E1122,I509");
    check(&r, "18 55 57 85", 1.939,
          F("CND_F45_54=0.348", "CND_HCC18=0.351", "CND_HCC55=0.279", "CND_HCC57=0.352",
            "CND_HCC85=0.447", "CND_DIABETES_CHF=0.024", "CND_gSubstanceUseDisorder_gPsych=0.138",
            "CND_D4=0"));
    assert_true(r.disabled);
    assert_false(r.orig_disabled);
}

/* CFA, originally disabled (OREC 1, now 82):
 *   J449 -> 111, I509 -> 85
 *   CFA_F80_84 0.716 + HCC85 0.371 + HCC111 0.43 + CHF_gCopdCF 0.23
 *   + OriginallyDisabled_Female 0.173 + D2 0 = 1.920 */
static void test_v24_cfa_originally_disabled(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CFA, 82, 'F', 1, false, "J449,I509");
    check(&r, "85 111", 1.920,
          F("CFA_F80_84=0.716", "CFA_HCC85=0.371", "CFA_HCC111=0.43", "CFA_CHF_gCopdCF=0.23",
            "CFA_OriginallyDisabled_Female=0.173", "CFA_D2=0"));
    assert_true(r.orig_disabled);
    /* The same woman entitled by age (OREC 0): no originally-disabled factor. */
    r = score(HCC_V24, HCC_CFA, 82, 'F', 0, false, "J449,I509");
    check(&r, "85 111", 1.747,
          F("CFA_F80_84=0.716", "CFA_HCC85=0.371", "CFA_HCC111=0.43", "CFA_CHF_gCopdCF=0.23",
            "CFA_D2=0"));
}

/* CFD: G8110 -> 103, B20 -> 1.
 *   CFD_M35_44 0.235 + HCC1 0.396 + HCC103 0.296 + D2 0 = 0.927 */
static void test_v24_cfd(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CFD, 40, 'M', 1, false, "G8110,B20");
    check(&r, "1 103", 0.927,
          F("CFD_M35_44=0.235", "CFD_HCC1=0.396", "CFD_HCC103=0.296", "CFD_D2=0"));
}

/* CPA: E1122 -> 18, N184 -> 137, I509 -> 85.
 *   CPA_M65_69 0.37 + HCC18 0.326 + HCC85 0.336 + HCC137 0.28
 *   + DIABETES_CHF 0.113 + HCC85_gRenal_V24 0.186 + D3 0 = 1.611 */
static void test_v24_cpa(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CPA, 66, 'M', 0, false, "E1122,N184,I509");
    check(&r, "18 85 137", 1.611,
          F("CPA_M65_69=0.37", "CPA_HCC18=0.326", "CPA_HCC85=0.336", "CPA_HCC137=0.28",
            "CPA_DIABETES_CHF=0.113", "CPA_HCC85_gRenal_V24=0.186", "CPA_D3=0"));
}

/* CPD: J449 -> 111, J9611 -> 84.
 *   CPD_F60_64 0.412 + HCC84 0.343 + HCC111 0.267 + gCopdCF_CARD_RESP_FAIL 0.479
 *   + D2 0 = 1.501 */
static void test_v24_cpd(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CPD, 62, 'F', 1, false, "J449,J9611");
    check(&r, "84 111", 1.501,
          F("CPD_F60_64=0.412", "CPD_HCC84=0.343", "CPD_HCC111=0.267",
            "CPD_gCopdCF_CARD_RESP_FAIL=0.479", "CPD_D2=0"));
}

/* INS, disabled (55, OREC 1), Medicaid:
 *   I509 -> 85, A419 -> 2, L89154 -> 157, F200 -> 57, J449 -> 111
 *   INS_F55_59 1.065 + HCC2 0.324 + HCC57 0.187 + HCC85 0.203 + HCC111 0.311
 *   + HCC157 0.854 + LTIMCAID 0.061 + CHF_gCopdCF 0.191
 *   + SEPSIS_PRESSURE_ULCER 0.155 + SCHIZOPHRENIA_gCopdCF 0.417
 *   + SCHIZOPHRENIA_CHF 0.127 + DISABLED_HCC85 0.279
 *   + DISABLED_PRESSURE_ULCER 0.544 = 4.718 (V24 INS has no count variables) */
static void test_v24_ins_disabled_medicaid(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_INS, 55, 'F', 1, true, "I509,A419,L89154,F200,J449");
    check(&r, "2 57 85 111 157", 4.718,
          F("INS_F55_59=1.065", "INS_HCC2=0.324", "INS_HCC57=0.187", "INS_HCC85=0.203",
            "INS_HCC111=0.311", "INS_HCC157=0.854", "INS_LTIMCAID=0.061", "INS_CHF_gCopdCF=0.191",
            "INS_SEPSIS_PRESSURE_ULCER=0.155", "INS_SCHIZOPHRENIA_gCopdCF=0.417",
            "INS_SCHIZOPHRENIA_CHF=0.127", "INS_DISABLED_HCC85=0.279",
            "INS_DISABLED_PRESSURE_ULCER=0.544"));
}

/* INS, aged and originally disabled: INS_ORIGDS is on (coefficient 0) and
 * the disabled interactions are off.
 *   INS_M70_74 1.329 + HCC85 0.203 + ORIGDS 0 = 1.532 */
static void test_v24_ins_origds(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_INS, 72, 'M', 1, false, "I509");
    check(&r, "85", 1.532, F("INS_M70_74=1.329", "INS_HCC85=0.203", "INS_ORIGDS=0"));
}

/* New enrollees: demographic cells only; diagnoses add nothing.
 *   NE_NMCAID_NORIGDIS_NEM67 0.582
 *   NE_MCAID_ORIGDIS_NEF70_74 1.887 (Medicaid, OREC 1 and 65+)
 *   NE_NMCAID_NORIGDIS_NEM65 0.518 (64 and entitled by age counts as 65)
 *   NE_NMCAID_NORIGDIS_NEM60_64 0.921 (64 and entitled by disability)
 *   SNPNE_MCAID_NORIGDIS_NEF55_59 2.095
 *   SNPNE_NMCAID_ORIGDIS_NEM95_GT 2.349 */
static void test_v24_new_enrollees(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_NE, 67, 'M', 0, false, "I509,E1169");
    check(&r, "18 85", 0.582, F("NE_NMCAID_NORIGDIS_NEM67=0.582"));
    r = score(HCC_V24, HCC_NE, 72, 'F', 1, true, "I509");
    check(&r, "85", 1.887, F("NE_MCAID_ORIGDIS_NEF70_74=1.887"));
    r = score(HCC_V24, HCC_NE, 64, 'M', 0, false, "");
    check(&r, "", 0.518, F("NE_NMCAID_NORIGDIS_NEM65=0.518"));
    r = score(HCC_V24, HCC_NE, 64, 'M', 1, false, "");
    check(&r, "", 0.921, F("NE_NMCAID_NORIGDIS_NEM60_64=0.921"));
    r = score(HCC_V24, HCC_SNPNE, 57, 'F', HCC_OREC_UNKNOWN, true, "");
    check(&r, "", 2.095, F("SNPNE_MCAID_NORIGDIS_NEF55_59=2.095"));
    r = score(HCC_V24, HCC_SNPNE, 97, 'M', 1, false, "");
    check(&r, "", 2.349, F("SNPNE_NMCAID_ORIGDIS_NEM95_GT=2.349"));
}

/* V24 age/sex edits (CMS V24I0ED1, built in):
 *   D66 in a female -> HCC48 not 46: CNA_F70_74 0.386 + CNA_HCC48 0.192 = 0.578
 *   D66 in a male stays 46: CNA_M70_74 0.394 + CNA_HCC46 1.372 = 1.766
 *   J449 under 18 -> HCC112: CND_F0_34 0.241 + CND_HCC112 0.237 = 0.478
 *   F3481 outside 6-18 is invalid: CND_M0_34 0.156
 *   F3481 at 12 -> 59: CND_M0_34 0.156 + CND_HCC59 0.164 = 0.320 */
static void test_v24_edits(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CNA, 70, 'F', 0, false, "D66");
    check(&r, "48", 0.578, F("CNA_F70_74=0.386", "CNA_HCC48=0.192", "CNA_D1=0"));
    r = score(HCC_V24, HCC_CNA, 70, 'M', 0, false, "D66");
    check(&r, "46", 1.766, F("CNA_M70_74=0.394", "CNA_HCC46=1.372", "CNA_D1=0"));
    r = score(HCC_V24, HCC_CND, 10, 'F', 1, false, "J449");
    check(&r, "112", 0.478, F("CND_F0_34=0.241", "CND_HCC112=0.237", "CND_D1=0"));
    r = score(HCC_V24, HCC_CND, 30, 'M', 1, false, "F3481");
    check(&r, "", 0.156, F("CND_M0_34=0.156"));
    r = score(HCC_V24, HCC_CND, 12, 'M', 1, false, "F3481");
    check(&r, "59", 0.320, F("CND_M0_34=0.156", "CND_HCC59=0.164", "CND_D1=0"));
}

/* ------------------------------------------------------------------------ */
/* V28 */

/* The worked example's patient under V28: E1169 -> 37, I509 -> 226.
 *   CNA_M70_74 0.396 + HCC37 0.166 + HCC226 0.36 + DIABETES_HF_V28 0.112
 *   + D2 0 = 1.034 */
static void test_v28_example_patient(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CNA, 70, 'M', 0, false, "E1169,I509");
    check(&r, "37 226", 1.034,
          F("CNA_M70_74=0.396", "CNA_HCC37=0.166", "CNA_HCC226=0.36", "CNA_DIABETES_HF_V28=0.112",
            "CNA_D2=0"));
}

/* Hierarchies (V28115H1): 36 > 37, 38 and 221 > 222-227 (the heart
 * transplant rows of ra_hierarchies_2026).
 *   E1010 -> 36, E1122 -> 37, E119 -> 38, Z941 -> 221, I509 -> 226
 *   CNA_F75_79 0.465 + HCC36 0.166 + HCC221 1.053 + DIABETES_HF_V28 0.112
 *   (221 is in the HF group 221-226) + D2 0 = 1.796
 * and 191 > 253: G800 -> 191, G8110 -> 253.
 *   CND_M0_34 0.106 + CND_HCC191 0.743 + D1 0 = 0.849 */
static void test_v28_hierarchies(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CNA, 75, 'F', 0, false, "E1010,E1122,E119,Z941,I509");
    check(&r, "36 221", 1.796,
          F("CNA_F75_79=0.465", "CNA_HCC36=0.166", "CNA_HCC221=1.053", "CNA_DIABETES_HF_V28=0.112",
            "CNA_D2=0"));
    r = score(HCC_V28, HCC_CND, 30, 'M', 1, false, "G800,G8110");
    check(&r, "191", 0.849, F("CND_M0_34=0.106", "CND_HCC191=0.743", "CND_D1=0"));
}

/* Interactions and a non-zero count:
 *   I509 -> 226, J449 -> 280, J9611 -> 213, N184 -> 327, I480 -> 238
 *   CNA_M80_84 0.571 + HCC213 0.37 + HCC226 0.36 + HCC238 0.299 + HCC280 0.319
 *   + HCC327 0.514 + HF_CHR_LUNG_V28 0.078 + HF_KIDNEY_V28 0.176
 *   + CHR_LUNG_CARD_RESP_FAIL_V28 0.254 + HF_HCC238_V28 0.077 + D5 0.05 = 3.068 */
static void test_v28_interactions(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CNA, 80, 'M', 0, false, "I509,J449,J9611,N184,I480");
    check(&r, "213 226 238 280 327", 3.068,
          F("CNA_M80_84=0.571", "CNA_HCC213=0.37", "CNA_HCC226=0.36", "CNA_HCC238=0.299",
            "CNA_HCC280=0.319", "CNA_HCC327=0.514", "CNA_HF_CHR_LUNG_V28=0.078",
            "CNA_HF_KIDNEY_V28=0.176", "CNA_CHR_LUNG_CARD_RESP_FAIL_V28=0.254",
            "CNA_HF_HCC238_V28=0.077", "CNA_D5=0.05"));
}

/* D10P: B20 1, A419 2, C7800 17, E1122 37, K7030 64, F0390 127, F200 151,
 * G8110 253, J449 280, N184 327 (no hierarchy among them)
 *   CNA_M85_89 0.664 + 0.301 + 0.5 + 4.209 + 0.166 + 0.447 + 0.341 + 0.511
 *   + 0.387 + 0.319 + 0.514 + D10P 0.728 = 9.087 */
static void test_v28_d10p(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CNA, 88, 'M', 0, false,
                           "B20,A419,C7800,E1122,K7030,F0390,F200,G8110,J449,N184");
    check(&r, "1 2 17 37 64 127 151 253 280 327", 9.087,
          F("CNA_M85_89=0.664", "CNA_HCC1=0.301", "CNA_HCC2=0.5", "CNA_HCC17=4.209",
            "CNA_HCC37=0.166", "CNA_HCC64=0.447", "CNA_HCC127=0.341", "CNA_HCC151=0.511",
            "CNA_HCC253=0.387", "CNA_HCC280=0.319", "CNA_HCC327=0.514", "CNA_D10P=0.728"));
}

/* CND: F1020 -> 139, F200 -> 151, E1122 -> 37, I509 -> 226.
 *   CND_F45_54 0.34 + HCC37 0.191 + HCC139 0.207 + HCC151 0.38 + HCC226 0.442
 *   + DIABETES_HF_V28 0.023 + gSubUseDisorder_gPsych_V28 0.087 + D4 0 = 1.670 */
static void test_v28_cnd(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CND, 50, 'F', 1, false, "F1020,F200,E1122,I509");
    check(&r, "37 139 151 226", 1.670,
          F("CND_F45_54=0.34", "CND_HCC37=0.191", "CND_HCC139=0.207", "CND_HCC151=0.38",
            "CND_HCC226=0.442", "CND_DIABETES_HF_V28=0.023", "CND_gSubUseDisorder_gPsych_V28=0.087",
            "CND_D4=0"));
}

/* CFA, originally disabled: J449 -> 280, I509 -> 226.
 *   CFA_F80_84 0.665 + HCC226 0.406 + HCC280 0.39 + HF_CHR_LUNG_V28 0.109
 *   + OriginallyDisabled_Female 0.16 + D2 0 = 1.730 */
static void test_v28_cfa(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CFA, 82, 'F', 1, false, "J449,I509");
    check(&r, "226 280", 1.730,
          F("CFA_F80_84=0.665", "CFA_HCC226=0.406", "CFA_HCC280=0.39", "CFA_HF_CHR_LUNG_V28=0.109",
            "CFA_OriginallyDisabled_Female=0.16", "CFA_D2=0"));
}

/* CFD: G8110 -> 253, B20 -> 1.
 *   CFD_M35_44 0.204 + HCC1 0.237 + HCC253 0.39 + D2 0 = 0.831 */
static void test_v28_cfd(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CFD, 40, 'M', 1, false, "G8110,B20");
    check(&r, "1 253", 0.831,
          F("CFD_M35_44=0.204", "CFD_HCC1=0.237", "CFD_HCC253=0.39", "CFD_D2=0"));
}

/* CPA: E1122 -> 37, N184 -> 327, I509 -> 226.
 *   CPA_M65_69 0.375 + HCC37 0.166 + HCC226 0.311 + HCC327 0.484
 *   + DIABETES_HF_V28 0.164 + HF_KIDNEY_V28 0.14 + D3 0 = 1.640 */
static void test_v28_cpa(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CPA, 66, 'M', 0, false, "E1122,N184,I509");
    check(&r, "37 226 327", 1.640,
          F("CPA_M65_69=0.375", "CPA_HCC37=0.166", "CPA_HCC226=0.311", "CPA_HCC327=0.484",
            "CPA_DIABETES_HF_V28=0.164", "CPA_HF_KIDNEY_V28=0.14", "CPA_D3=0"));
}

/* CPD: J449 -> 280, J9611 -> 213.
 *   CPD_F60_64 0.414 + HCC213 0.493 + HCC280 0.234
 *   + CHR_LUNG_CARD_RESP_FAIL_V28 0.27 + D2 0 = 1.411 */
static void test_v28_cpd(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CPD, 62, 'F', 1, false, "J449,J9611");
    check(&r, "213 280", 1.411,
          F("CPD_F60_64=0.414", "CPD_HCC213=0.493", "CPD_HCC280=0.234",
            "CPD_CHR_LUNG_CARD_RESP_FAIL_V28=0.27", "CPD_D2=0"));
}

/* INS, disabled, Medicaid:
 *   I509 -> 226, A419 -> 2, L89154 -> 379, C7800 -> 17, G8110 -> 253, J449 -> 280
 *   INS_F55_59 0.949 + HCC2 0.605 + HCC17 1.952 + HCC226 0.217 + HCC253 0
 *   + HCC280 0.312 + HCC379 1.42 + LTIMCAID 0.13 + HF_CHR_LUNG_V28 0.145
 *   + DISABLED_CANCER_V28 0.367 + DISABLED_HF_V28 0.488
 *   + DISABLED_CHR_LUNG_V28 0.278 + DISABLED_ULCER_V28 0.537 + D6 0 = 7.400
 *   (253 hemiplegia is not in the NEURO group: DISABLED_NEURO_V28 stays off) */
static void test_v28_ins_disabled_medicaid(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_INS, 55, 'F', 1, true, "I509,A419,L89154,C7800,G8110,J449");
    check(&r, "2 17 226 253 280 379", 7.400,
          F("INS_F55_59=0.949", "INS_HCC2=0.605", "INS_HCC17=1.952", "INS_HCC226=0.217",
            "INS_HCC253=0", "INS_HCC280=0.312", "INS_HCC379=1.42", "INS_LTIMCAID=0.13",
            "INS_HF_CHR_LUNG_V28=0.145", "INS_DISABLED_CANCER_V28=0.367",
            "INS_DISABLED_HF_V28=0.488", "INS_DISABLED_CHR_LUNG_V28=0.278",
            "INS_DISABLED_ULCER_V28=0.537", "INS_D6=0"));
}

/* INS, aged, originally disabled: INS_M70_74 1.224 + HCC226 0.217 + ORIGDS 0
 * + D1 0 = 1.441 */
static void test_v28_ins_origds(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_INS, 72, 'M', 1, false, "I509");
    check(&r, "226", 1.441, F("INS_M70_74=1.224", "INS_HCC226=0.217", "INS_ORIGDS=0", "INS_D1=0"));
}

/* New enrollees (C28 rows):
 *   NE_NMCAID_NORIGDIS_NEM67 0.617, NE_MCAID_ORIGDIS_NEF70_74 2.021,
 *   NE_NMCAID_NORIGDIS_NEM65 0.567, NE_NMCAID_NORIGDIS_NEM60_64 1.057,
 *   SNPNE_MCAID_NORIGDIS_NEF55_59 1.989, SNPNE_NMCAID_ORIGDIS_NEM95_GT 2.346 */
static void test_v28_new_enrollees(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_NE, 67, 'M', 0, false, "I509");
    check(&r, "226", 0.617, F("NE_NMCAID_NORIGDIS_NEM67=0.617"));
    r = score(HCC_V28, HCC_NE, 72, 'F', 1, true, "");
    check(&r, "", 2.021, F("NE_MCAID_ORIGDIS_NEF70_74=2.021"));
    r = score(HCC_V28, HCC_NE, 64, 'M', 0, false, "");
    check(&r, "", 0.567, F("NE_NMCAID_NORIGDIS_NEM65=0.567"));
    r = score(HCC_V28, HCC_NE, 64, 'M', 1, false, "");
    check(&r, "", 1.057, F("NE_NMCAID_NORIGDIS_NEM60_64=1.057"));
    r = score(HCC_V28, HCC_SNPNE, 57, 'F', 1, true, "");
    check(&r, "", 1.989, F("SNPNE_MCAID_NORIGDIS_NEF55_59=1.989"));
    r = score(HCC_V28, HCC_SNPNE, 97, 'M', 1, false, "");
    check(&r, "", 2.346, F("SNPNE_NMCAID_ORIGDIS_NEM95_GT=2.346"));
}

/* V28 age/sex edits (ra_dx_edits.csv, V28I0ED1):
 *   D66,sex,2,,,override,112: female -> 112: CNA_F70_74 0.395 + HCC112 0.45 = 0.845
 *   a male keeps D66 -> 111: CNA_M70_74 0.396 + HCC111 4.639 = 5.035
 *   J449,age,,,17,invalid: at 8 it is dropped: CND_F0_34 0.238
 *   P040,age,,2,,invalid (newborn code): at 30 dropped: CND_F0_34 0.238;
 *     at 1 it maps to 137: 0.238 + CND_HCC137 0.365 = 0.603
 *   C50911,age,,,49,override,22 (breast cancer under 50): at 45 -> 22:
 *     CND_F45_54 0.34 + CND_HCC22 0.366 = 0.706; at 55 -> 23:
 *     CND_F55_59 0.385 + CND_HCC23 0.233 = 0.618 */
static void test_v28_edits(void **state)
{
    hcc_result_t r = score(HCC_V28, HCC_CNA, 70, 'F', 0, false, "D66");
    check(&r, "112", 0.845, F("CNA_F70_74=0.395", "CNA_HCC112=0.45", "CNA_D1=0"));
    r = score(HCC_V28, HCC_CNA, 70, 'M', 0, false, "D66");
    check(&r, "111", 5.035, F("CNA_M70_74=0.396", "CNA_HCC111=4.639", "CNA_D1=0"));
    r = score(HCC_V28, HCC_CND, 8, 'F', 1, false, "J449");
    check(&r, "", 0.238, F("CND_F0_34=0.238"));
    r = score(HCC_V28, HCC_CND, 30, 'F', 1, false, "P040");
    check(&r, "", 0.238, F("CND_F0_34=0.238"));
    r = score(HCC_V28, HCC_CND, 1, 'F', 1, false, "P040");
    check(&r, "137", 0.603, F("CND_F0_34=0.238", "CND_HCC137=0.365", "CND_D1=0"));
    r = score(HCC_V28, HCC_CND, 45, 'F', 1, false, "C50911");
    check(&r, "22", 0.706, F("CND_F45_54=0.34", "CND_HCC22=0.366", "CND_D1=0"));
    r = score(HCC_V28, HCC_CND, 55, 'F', 1, false, "C50911");
    check(&r, "23", 0.618, F("CND_F55_59=0.385", "CND_HCC23=0.233", "CND_D1=0"));
}

/* One code, two HCCs:
 *   B377 (candidal sepsis) -> 2 and 6 in V24:
 *     CNA_M65_69 0.308 + CNA_HCC2 0.352 + CNA_HCC6 0.424 + CNA_D2 0 = 1.084
 *   E08311 (diabetes with retinopathy and macular oedema) -> 37 and 298 in V28:
 *     CNA_F70_74 0.395 + CNA_HCC37 0.166 + CNA_HCC298 0.336 + CNA_D2 0 = 0.897 */
static void test_one_code_two_hccs(void **state)
{
    hcc_result_t r = score(HCC_V24, HCC_CNA, 66, 'M', 0, false, "B377");
    check(&r, "2 6", 1.084, F("CNA_M65_69=0.308", "CNA_HCC2=0.352", "CNA_HCC6=0.424", "CNA_D2=0"));
    r = score(HCC_V28, HCC_CNA, 73, 'F', 0, false, "E08311");
    check(&r, "37 298", 0.897,
          F("CNA_F70_74=0.395", "CNA_HCC37=0.166", "CNA_HCC298=0.336", "CNA_D2=0"));
}

/* ------------------------------------------------------------------------ */
/* Misuse and audits. */

static void test_errors(void **state)
{
    hcc_patient_t p = { .age = 50, .sex = 'M', .orec = 1 };
    hcc_result_t r;
    err_t e;
    err_clear(&e);
    assert_int_equal(hcc_score(T, HCC_V24, HCC_CNA, &p, NULL, 0, &r, &e), ERR_INPUT);
    p.age = 70;
    assert_int_equal(hcc_score(T, HCC_V24, HCC_CND, &p, NULL, 0, &r, &e), ERR_INPUT);
    p.sex = 'X';
    assert_int_equal(hcc_score(T, HCC_V24, HCC_CNA, &p, NULL, 0, &r, &e), ERR_USAGE);
    p.sex = 'F';
    p.age = -1;
    assert_int_equal(hcc_score(T, HCC_V24, HCC_INS, &p, NULL, 0, &r, &e), ERR_USAGE);
    p.age = 70;
    p.orec = 4;
    assert_int_equal(hcc_score(T, HCC_V24, HCC_INS, &p, NULL, 0, &r, &e), ERR_USAGE);
    p.orec = 0;
    /* Unmapped and unknown codes add nothing. */
    const char *dx[] = { "Z0000", "I10", "NOTACODE" };
    assert_int_equal(hcc_score(T, HCC_V28, HCC_CNA, &p, dx, 3, &r, &e), 0);
    assert_int_equal(r.n_hccs, 0);
    assert_int_equal(r.n_factors, 1);
}

static void test_segment_for(void **state)
{
    hcc_patient_t p = { .age = 70, .sex = 'F' };
    assert_int_equal(hcc_segment_for(&p), HCC_CNA);
    p.age = 40;
    assert_int_equal(hcc_segment_for(&p), HCC_CND);
    p.dual = HCC_DUAL_FULL;
    assert_int_equal(hcc_segment_for(&p), HCC_CFD);
    p.age = 65;
    assert_int_equal(hcc_segment_for(&p), HCC_CFA);
    p.dual = HCC_DUAL_PARTIAL;
    assert_int_equal(hcc_segment_for(&p), HCC_CPA);
    p.age = 64;
    assert_int_equal(hcc_segment_for(&p), HCC_CPD);
    p.new_enrollee = true;
    assert_int_equal(hcc_segment_for(&p), HCC_NE);
    p.snp = true;
    assert_int_equal(hcc_segment_for(&p), HCC_SNPNE);
    p.institutional = true;
    assert_int_equal(hcc_segment_for(&p), HCC_INS);
    hcc_segment_t s;
    assert_int_equal(hcc_segment_parse("snpne", &s), 0);
    assert_int_equal(s, HCC_SNPNE);
    assert_int_equal(hcc_segment_parse("XYZ", &s), -1);
    hcc_model_t m;
    assert_int_equal(hcc_model_parse("v28", &m), 0);
    assert_int_equal(m, HCC_V28);
    assert_int_equal(hcc_model_parse("V22", &m), -1);
    assert_string_equal(hcc_model_name(HCC_V24), "V24");
    assert_string_equal(hcc_segment_name(HCC_CPD), "CPD");
}

/* Every C24/C28 coefficient is a variable the scorer can switch on, and
 * each model has all nine segments. */
static void test_every_coefficient_reachable(void **state)
{
    for (int m = 0; m < HCC_MODEL_COUNT; m++) {
        size_t n = hcc_tables_coef_count(T, (hcc_model_t)m);
        assert_true(n > 1000);
        int per_segment[HCC_SEGMENT_COUNT] = { 0 };
        for (size_t i = 0; i < n; i++) {
            const hcc_coef_t *c = hcc_tables_coef_at(T, (hcc_model_t)m, i);
            const char *us = strchr(c->name, '_');
            assert_non_null(us);
            hcc_segment_t seg;
            char pre[8];
            snprintf(pre, sizeof pre, "%.*s", (int)(us - c->name), c->name);
            assert_int_equal(hcc_segment_parse(pre, &seg), 0);
            per_segment[seg]++;
            if (!hcc_variable_known((hcc_model_t)m, us + 1))
                fail_msg("%s: coefficient %s is not a variable the scorer knows",
                         hcc_model_name((hcc_model_t)m), c->name);
        }
        for (int s = 0; s < HCC_SEGMENT_COUNT; s++)
            assert_true(per_segment[s] > 50);
    }
    assert_false(hcc_variable_known(HCC_V24, "DIABETES_HF_V28"));
    assert_false(hcc_variable_known(HCC_V28, "DIABETES_CHF"));
}

/* ------------------------------------------------------------------------ */
/* Payment blend, normalisation and coding adjustment. */

static void test_payment(void **state)
{
    hcc_payment_settings_t s;
    assert_int_equal(hcc_payment_defaults(2024, &s), 0);
    assert_true(s.weight[HCC_V24] == 0.67 && s.weight[HCC_V28] == 0.33);
    assert_true(s.normalization[HCC_V24] == 1.146 && s.normalization[HCC_V28] == 1.015);
    assert_true(s.coding_adjustment == 0.059);
    /* Raw scores of the worked example's patient: V24 1.148, V28 1.034.
     * 2024: (0.67 * 1.148 / 1.146 + 0.33 * 1.034 / 1.015) * (1 - 0.059)
     *     = (0.671169 + 0.336177) * 0.941 = 0.947913 */
    double raw[HCC_MODEL_COUNT] = { 1.148, 1.034 };
    assert_true(fabs(hcc_payment_score(&s, raw) - 0.947913) < 1e-6);
    /* 2025: (0.33 * 1.148 / 1.153 + 0.67 * 1.034 / 1.045) * 0.941 = 0.933017 */
    assert_int_equal(hcc_payment_defaults(2025, &s), 0);
    assert_true(s.weight[HCC_V24] == 0.33 && s.normalization[HCC_V28] == 1.045);
    assert_true(fabs(hcc_payment_score(&s, raw) - 0.933017) < 1e-6);
    /* 2026: 100% V28: 1.034 / 1.067 * 0.941 = 0.911897; V24 is not read. */
    assert_int_equal(hcc_payment_defaults(2026, &s), 0);
    assert_true(s.weight[HCC_V24] == 0.0 && s.normalization[HCC_V28] == 1.067);
    raw[HCC_V24] = NAN;
    assert_true(fabs(hcc_payment_score(&s, raw) - 0.911897) < 1e-6);
    /* Settings, not constants: no adjustment, no normalisation -> the raw score. */
    s.coding_adjustment = 0.0;
    s.normalization[HCC_V28] = 1.0;
    assert_true(fabs(hcc_payment_score(&s, raw) - 1.034) < 1e-12);
    assert_int_equal(hcc_payment_defaults(2031, &s), -1);
    assert_int_equal(s.payment_year, 2031);
}

/* ------------------------------------------------------------------------ */
/* The eligible-claim filter (CMS encounter data filtering logic). */

static void test_claim_filter(void **state)
{
    const char *office[] = { "99214", "80053" };
    const char *lab[] = { "80053", "36415" };
    const char *clinic[] = { "g0463" }; /* any case */
    /* Professional: eligible with 99214 (on ra_eligible_cpt_hcpcs_2026), not
     * with lab codes only. */
    assert_true(hcc_claim_eligible(T, HCC_CLAIM_PROFESSIONAL, NULL, office, 2));
    assert_false(hcc_claim_eligible(T, HCC_CLAIM_PROFESSIONAL, NULL, lab, 2));
    assert_false(hcc_claim_eligible(T, HCC_CLAIM_PROFESSIONAL, NULL, NULL, 0));
    /* Inpatient 11X/41X: always, whatever the codes. */
    assert_true(hcc_claim_eligible(T, HCC_CLAIM_INSTITUTIONAL, "0111", NULL, 0));
    assert_true(hcc_claim_eligible(T, HCC_CLAIM_INSTITUTIONAL, "117", lab, 2));
    assert_true(hcc_claim_eligible(T, HCC_CLAIM_INSTITUTIONAL, "41", NULL, 0));
    /* Outpatient 12X 13X 43X 71X 73X 76X 77X 85X 87X: with an eligible code. */
    static const char *const outpatient[] = { "121", "131", "0131", "431", "711",
                                              "731", "761", "771",  "851", "871" };
    for (size_t i = 0; i < sizeof outpatient / sizeof outpatient[0]; i++) {
        if (!hcc_claim_eligible(T, HCC_CLAIM_INSTITUTIONAL, outpatient[i], clinic, 1))
            fail_msg("bill type %s with G0463 should be eligible", outpatient[i]);
        if (hcc_claim_eligible(T, HCC_CLAIM_INSTITUTIONAL, outpatient[i], lab, 2))
            fail_msg("bill type %s with lab codes only should not be", outpatient[i]);
    }
    /* Other bill types never: SNF 21X, home health 32X, hospice 81X, 14X. */
    static const char *const never[] = { "211", "321", "811", "141", "", "1", "X11", "01" };
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (hcc_claim_eligible(T, HCC_CLAIM_INSTITUTIONAL, never[i], office, 2))
            fail_msg("bill type '%s' should not be eligible", never[i]);
    assert_false(hcc_claim_eligible(T, HCC_CLAIM_INSTITUTIONAL, NULL, office, 2));
}

/* ------------------------------------------------------------------------ */
/* Table lookups. */

static void test_tables(void **state)
{
    int ccs[HCC_DX_MAX_CC];
    assert_int_equal(hcc_tables_year(T), 2026);
    assert_int_equal(hcc_tables_dx_ccs(T, HCC_V24, "E1169", ccs, HCC_DX_MAX_CC), 1);
    assert_int_equal(ccs[0], 18);
    assert_int_equal(hcc_tables_dx_ccs(T, HCC_V28, "I509", ccs, HCC_DX_MAX_CC), 1);
    assert_int_equal(ccs[0], 226);
    assert_int_equal(hcc_tables_dx_ccs(T, HCC_V28, "Z0000", ccs, HCC_DX_MAX_CC), 0);
    /* E08311 maps to two V28 CCs. */
    assert_int_equal(hcc_tables_dx_ccs(T, HCC_V28, "E08311", ccs, HCC_DX_MAX_CC), 2);
    assert_int_equal(hcc_tables_dx_status(T, "E119"), HCC_DX_MAPPED);
    assert_int_equal(hcc_tables_dx_status(T, "E11999"), HCC_DX_INVALID); /* E11.9 is a leaf */
    assert_int_equal(hcc_tables_dx_status(T, "Z0000"), HCC_DX_UNMAPPED);
    /* C86.0 was split into C86.00/C86.01: a child is not declared invalid. */
    assert_int_equal(hcc_tables_dx_status(T, "C8609"), HCC_DX_UNMAPPED);
    assert_string_equal(hcc_tables_label(T, HCC_V24, 85), "Congestive Heart Failure");
    assert_string_equal(hcc_tables_label(T, HCC_V28, 226),
                        "Heart Failure, Except End-Stage and Acute");
    assert_int_equal(hcc_tables_is_chronic(T, HCC_V28, 37), 1);
    assert_int_equal(hcc_tables_is_chronic(T, HCC_V24, 85), 1);
    assert_int_equal(hcc_tables_is_chronic(T, HCC_V24, 37), -1); /* empty in the file */
    const hcc_coef_t *c = hcc_tables_coef(T, HCC_V24, "CNA_DIABETES_CHF");
    assert_non_null(c);
    assert_true(c->value == 0.121);
    assert_null(hcc_tables_coef(T, HCC_V24, "CNA_NOPE"));
    assert_true(hcc_tables_cpt_eligible(T, "99214"));
    assert_false(hcc_tables_cpt_eligible(T, "80053"));
    assert_true(hcc_tables_is_payment_hcc(T, HCC_V28, 226));
    assert_false(hcc_tables_is_payment_hcc(T, HCC_V28, 85));
    /* Hierarchy pair counts of V24H86H1 (72) and V28115H1 (149), and the
     * per-parent index agrees with the pairs. */
    assert_int_equal(hcc_tables_hierarchy_count(T, HCC_V24), 72);
    assert_int_equal(hcc_tables_hierarchy_count(T, HCC_V28), 149);
    for (int m = 0; m < HCC_MODEL_COUNT; m++) {
        size_t total = 0;
        for (int parent = 1; parent < HCC_CC_MAX; parent++) {
            const int *children;
            total += (size_t)hcc_tables_children(T, (hcc_model_t)m, parent, &children);
        }
        assert_int_equal(total, hcc_tables_hierarchy_count(T, (hcc_model_t)m));
    }
    const int *children;
    /* 221,222 ... 221,227 in ra_hierarchies_2026 */
    assert_int_equal(hcc_tables_children(T, HCC_V28, 221, &children), 6);
    assert_int_equal(children[0], 222);
    assert_int_equal(children[5], 227);
    assert_int_equal(hcc_tables_children(T, HCC_V24, 85, &children), 0);
    assert_null(children);
    int parent, child;
    hcc_tables_hierarchy_at(T, HCC_V24, 0, &parent, &child);
    assert_true(parent > 0 && child > 0);
    const hcc_edit_t *ed = hcc_tables_edit(T, HCC_V28, "D66");
    assert_non_null(ed);
    assert_true(hcc_edit_applies(ed, 40, 'F'));
    assert_false(hcc_edit_applies(ed, 40, 'M'));
}

/* ------------------------------------------------------------------------ */
/* One loaded table object shared by threads: the same answers everywhere. */

static void *score_many(void *arg)
{
    int *bad = arg;
    const char *dx[] = { "E1169", "I509" };
    hcc_patient_t p = { .age = 70, .sex = 'M', .orec = 0 };
    for (int i = 0; i < 2000; i++) {
        hcc_result_t r;
        err_t e;
        err_clear(&e);
        hcc_model_t m = (hcc_model_t)(i & 1);
        if (hcc_score(T, m, HCC_CNA, &p, dx, 2, &r, &e) != 0 ||
            fabs(r.score - (m == HCC_V24 ? 1.148 : 1.034)) > 1e-9)
            (*bad)++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    pthread_t th[4];
    int bad[4] = { 0 };
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, score_many, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(bad[i], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v24_worked_example),
        cmocka_unit_test(test_v24_hierarchy_diabetes),
        cmocka_unit_test(test_v24_interactions),
        cmocka_unit_test(test_v24_immune_cancer_arrhythmia),
        cmocka_unit_test(test_v24_d10p),
        cmocka_unit_test(test_v24_cnd),
        cmocka_unit_test(test_v24_cfa_originally_disabled),
        cmocka_unit_test(test_v24_cfd),
        cmocka_unit_test(test_v24_cpa),
        cmocka_unit_test(test_v24_cpd),
        cmocka_unit_test(test_v24_ins_disabled_medicaid),
        cmocka_unit_test(test_v24_ins_origds),
        cmocka_unit_test(test_v24_new_enrollees),
        cmocka_unit_test(test_v24_edits),
        cmocka_unit_test(test_v28_example_patient),
        cmocka_unit_test(test_v28_hierarchies),
        cmocka_unit_test(test_v28_interactions),
        cmocka_unit_test(test_v28_d10p),
        cmocka_unit_test(test_v28_cnd),
        cmocka_unit_test(test_v28_cfa),
        cmocka_unit_test(test_v28_cfd),
        cmocka_unit_test(test_v28_cpa),
        cmocka_unit_test(test_v28_cpd),
        cmocka_unit_test(test_v28_ins_disabled_medicaid),
        cmocka_unit_test(test_v28_ins_origds),
        cmocka_unit_test(test_v28_new_enrollees),
        cmocka_unit_test(test_v28_edits),
        cmocka_unit_test(test_one_code_two_hccs),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_segment_for),
        cmocka_unit_test(test_every_coefficient_reachable),
        cmocka_unit_test(test_payment),
        cmocka_unit_test(test_claim_filter),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
