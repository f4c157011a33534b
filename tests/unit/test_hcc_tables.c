/* test_hcc_tables.c — loading HCC tables: small synthetic tables, and every
 * kind of damage reported as file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analytics/hcc.h"
#include "analytics/hcc_tables.h"

enum { DX, COEF, HIER, EDITS, CPT, CHRONIC, LABELS, NFILES };

static const char *const names[NFILES] = {
    "ra_dx_to_cc_2030.csv", "ra_coefficients_2030.csv",       "ra_hierarchies_2026.csv",
    "ra_dx_edits.csv",      "ra_eligible_cpt_hcpcs_2026.csv", "hcc_is_chronic.csv",
    "ra_labels_2026.csv",
};

static const char *const good[NFILES] = {
    "diagnosis_code,cc,model_name\n"
    "E1169,18,CMS-HCC Model V24\n"
    "E1169,37,CMS-HCC Model V28\n"
    "I509,85,CMS-HCC Model V24\n"
    "I509,226,CMS-HCC Model V28\n"
    "E1010,17,CMS-HCC Model V24\n"
    "E119,19,RxHCC Model V08\n",
    "coefficient,value,model_domain,model_version\n"
    "CNA_M70_74,0.5,CMS-HCC,C24\n"
    "CNA_HCC17,0.375,CMS-HCC,C24\n"
    "CNA_HCC18,0.25,CMS-HCC,C24\n"
    "CNA_HCC85,0.125,CMS-HCC,C24\n"
    "CNA_M70_74,0.5,CMS-HCC,C28\n"
    "CNA_HCC37,0.25,CMS-HCC,C28\n"
    "CNA_HCC226,0.125,CMS-HCC,C28\n"
    "Rx_CE_LowAged_RXHCC1,9,RxHCC,R08\n",
    "cc_parent,cc_child,model_domain,model_version,model_fullname\n"
    "17,18,CMS-HCC,V24,V24H86H1\n"
    "17,19,ESRD,V24,V24H86H1\n",
    "icd10,edit_type,sex,age_min,age_max,action,cc_override,model_name,description\n"
    "I509,age,,,17,invalid,,CMS-HCC Model V28,\"Heart failure, made up: invalid under 18\"\n",
    "cpt_hcpcs_code\n99214\nG0439\n",
    "hcc,is_chronic,model_version,model_domain\n"
    "HCC18,Y,V24,CMS-HCC\n"
    "HCC85,,V24,CMS-HCC\n"
    "HCC203,\"1,981,142\",V24,CMS-HCC\n",
    "cc,label,model_domain,model_version,model_fullname\n"
    "HCC18,\"Diabetes with Chronic Complications, \"\"quoted\"\"\",CMS-HCC,V24,V24H86L1\n"
    "HCC226,Heart Failure,CMS-HCC,V28,V28115L3",
};

static char dir[512];

static void write_file(const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/hcc/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Writes the good tables, with file `which` replaced by `text` (or left out
 * when text is NULL and which >= 0). */
static void make_tables(int which, const char *text)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tripod-hcc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    char sub[600];
    snprintf(sub, sizeof sub, "%s/hcc", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    for (int i = 0; i < NFILES; i++) {
        if (i == which && !text)
            continue;
        write_file(names[i], i == which ? text : good[i]);
    }
}

static void remove_tables(void)
{
    char path[1024];
    for (int i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/hcc/%s", dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/hcc", dir);
    rmdir(path);
    rmdir(dir);
}

static void test_synthetic_tables(void **state)
{
    make_tables(-1, NULL);
    hcc_tables_t *t;
    err_t e;
    err_clear(&e);
    int rc = hcc_tables_load(dir, 2030, &t, &e);
    if (rc != 0)
        fail_msg("load failed: %s", e.msg);
    /* CNA_M70_74 0.5 + CNA_HCC18 0.25 + CNA_HCC85 0.125 = 0.875; the synthetic
     * table has no DIABETES_CHF or count coefficients, so they add nothing. */
    const char *dx[] = { "E1169", "I509" };
    hcc_patient_t p = { .age = 71, .sex = 'M', .orec = 0 };
    hcc_result_t r;
    assert_int_equal(hcc_score(t, HCC_V24, HCC_CNA, &p, dx, 2, &r, &e), 0);
    assert_true(fabs(r.score - 0.875) < 1e-12);
    assert_int_equal(r.n_factors, 3);
    /* Hierarchy 17 > 18: 0.5 + 0.375 + 0.125. */
    const char *dx2[] = { "E1169", "I509", "E1010" };
    assert_int_equal(hcc_score(t, HCC_V24, HCC_CNA, &p, dx2, 3, &r, &e), 0);
    assert_true(fabs(r.score - 1.0) < 1e-12);
    /* The made-up V28 edit (I509 invalid under 18) does not apply at 71. */
    assert_int_equal(hcc_score(t, HCC_V28, HCC_CNA, &p, dx, 2, &r, &e), 0);
    assert_true(fabs(r.score - 0.875) < 1e-12);
    const hcc_edit_t *ed = hcc_tables_edit(t, HCC_V28, "I509");
    assert_non_null(ed);
    assert_true(hcc_edit_applies(ed, 17, 'M'));
    assert_false(hcc_edit_applies(ed, 18, 'M'));
    /* Quoted fields with commas and doubled quotes; a last line without \n. */
    assert_string_equal(hcc_tables_label(t, HCC_V24, 18),
                        "Diabetes with Chronic Complications, \"quoted\"");
    assert_string_equal(hcc_tables_label(t, HCC_V28, 226), "Heart Failure");
    assert_int_equal(hcc_tables_is_chronic(t, HCC_V24, 18), 1);
    assert_int_equal(hcc_tables_is_chronic(t, HCC_V24, 85), -1);
    assert_true(hcc_tables_cpt_eligible(t, "G0439"));
    /* The ESRD hierarchy row and RxHCC rows are not CMS-HCC V24/V28. */
    assert_int_equal(hcc_tables_hierarchy_count(t, HCC_V24), 1);
    assert_int_equal(hcc_tables_coef_count(t, HCC_V24), 4);
    /* ...but the RxHCC mapping still makes E119 a known code. */
    assert_int_equal(hcc_tables_dx_status(t, "E119"), HCC_DX_MAPPED);
    assert_int_equal(hcc_tables_dx_status(t, "E1199"), HCC_DX_INVALID);
    /* The V24 edits are built in: D66 is not in this mapping, so nothing. */
    assert_non_null(hcc_tables_edit(t, HCC_V24, "D66"));
    hcc_tables_free(t);
    remove_tables();
}

/* Loads tables with one file replaced; expects an input error at file:line
 * (and field, when given). */
static void expect_error(int which, const char *text, long line, const char *field)
{
    make_tables(which, text);
    hcc_tables_t *t = (hcc_tables_t *)1;
    err_t e;
    err_clear(&e);
    int rc = hcc_tables_load(dir, 2030, &t, &e);
    char msg[1024];
    err_format(&e, msg, sizeof msg);
    remove_tables();
    assert_null(t);
    if (rc != (text ? ERR_INPUT : ERR_IO))
        fail_msg("%s: rc %d (%s)", names[which], rc, msg);
    if (!strstr(e.file, names[which]))
        fail_msg("error names '%s', want %s (%s)", e.file, names[which], msg);
    if (e.line != line)
        fail_msg("error at line %ld, want %ld (%s)", e.line, line, msg);
    if (field && strcmp(e.field, field) != 0)
        fail_msg("error field '%s', want %s (%s)", e.field, field, msg);
}

static void test_damaged_tables(void **state)
{
    expect_error(COEF,
                 "coefficient,value,model_domain,model_version\n"
                 "CNA_M70_74,0.5,CMS-HCC,C24\n"
                 "CNA_HCC18,abc,CMS-HCC,C24\n",
                 3, "value");
    expect_error(COEF,
                 "coefficient,value,model_domain,model_version\n"
                 "CNA_M70_74,0.5,CMS-HCC,C24\n"
                 "CNA_M70_74,0.6,CMS-HCC,C24\n",
                 3, "coefficient");
    expect_error(COEF,
                 "coefficient,value,model_domain,model_version\n"
                 "XYZ_HCC18,0.5,CMS-HCC,C24\n",
                 2, "coefficient");
    expect_error(COEF, "coef,value,model_domain,model_version\n", 1, NULL);
    expect_error(COEF, "", 1, NULL);
    expect_error(DX,
                 "diagnosis_code,cc,model_name\n"
                 "E11.69,18,CMS-HCC Model V24\n",
                 2, "diagnosis_code");
    expect_error(DX,
                 "diagnosis_code,cc,model_name\n"
                 "E1169,18,CMS-HCC Model V24\n"
                 "\n"
                 "I509,85\n",
                 4, NULL);
    expect_error(DX,
                 "diagnosis_code,cc,model_name\n"
                 "E1169,x18,CMS-HCC Model V24\n",
                 2, "cc");
    expect_error(DX,
                 "diagnosis_code,cc,model_name\n"
                 "E1169,900,CMS-HCC Model V28\n",
                 2, "cc");
    expect_error(HIER,
                 "cc_parent,cc_child,model_domain,model_version,model_fullname\n"
                 "17,18,CMS-HCC,V24,V24H86H1\n"
                 "x,19,CMS-HCC,V24,V24H86H1\n",
                 3, "cc_parent");
    expect_error(EDITS,
                 "icd10,edit_type,sex,age_min,age_max,action,cc_override,model_name,description\n"
                 "D66,sex,3,,,override,112,CMS-HCC Model V28,x\n",
                 2, "sex");
    expect_error(EDITS,
                 "icd10,edit_type,sex,age_min,age_max,action,cc_override,model_name,description\n"
                 "D66,sex,2,,,override,,CMS-HCC Model V28,x\n",
                 2, "cc_override");
    expect_error(EDITS,
                 "icd10,edit_type,sex,age_min,age_max,action,cc_override,model_name,description\n"
                 "D66,weird,2,,,invalid,,CMS-HCC Model V28,x\n",
                 2, "edit_type");
    expect_error(EDITS,
                 "icd10,edit_type,sex,age_min,age_max,action,cc_override,model_name,description\n"
                 "J449,age,,,,invalid,,CMS-HCC Model V28,x\n",
                 2, "age_min");
    expect_error(CPT, "cpt_hcpcs_code\n99214\n9921\n", 3, "cpt_hcpcs_code");
    expect_error(CHRONIC,
                 "hcc,is_chronic,model_version,model_domain\n"
                 "HCC18,maybe,V24,CMS-HCC\n",
                 2, "is_chronic");
    expect_error(LABELS,
                 "cc,label,model_domain,model_version,model_fullname\n"
                 "HCC18,\"Diabetes,CMS-HCC,V24,V24H86L1\n",
                 2, NULL);
    expect_error(LABELS,
                 "cc,label,model_domain,model_version,model_fullname\n"
                 "HCC18,\"Diabetes\"x,CMS-HCC,V24,V24H86L1\n",
                 2, NULL);
    expect_error(LABELS,
                 "cc,label,model_domain,model_version,model_fullname\n"
                 "CC18,Diabetes,CMS-HCC,V24,V24H86L1\n",
                 2, "cc");
    /* A missing file is an I/O error naming it. */
    expect_error(CPT, NULL, 0, NULL);
}

static void test_crlf_and_missing_dir(void **state)
{
    make_tables(CPT, "cpt_hcpcs_code\r\n99214\r\n");
    hcc_tables_t *t;
    err_t e;
    err_clear(&e);
    assert_int_equal(hcc_tables_load(dir, 2030, &t, &e), 0);
    assert_true(hcc_tables_cpt_eligible(t, "99214"));
    hcc_tables_free(t);
    remove_tables();
    assert_int_equal(hcc_tables_load("/nonexistent-tripod-dir", 2030, &t, &e), ERR_IO);
    assert_null(t);
    assert_int_equal(hcc_tables_load(NULL, 1800, &t, &e), ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic_tables),
        cmocka_unit_test(test_damaged_tables),
        cmocka_unit_test(test_crlf_and_missing_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
