/* charlson.h — the Charlson comorbidity index from ICD-10-CM codes.
 *
 * Conditions are found with the ICD-10 coding algorithm of Quan et al.,
 * "Coding algorithms for defining comorbidities in ICD-9-CM and ICD-10
 * administrative data", Med Care 2005;43(11):1130-9 (Table 1, Charlson
 * column), matched as code prefixes, and weighted with Charlson's original
 * weights (Charlson et al., J Chronic Dis 1987;40(5):373-83):
 *   1: myocardial infarction, congestive heart failure, peripheral vascular
 *      disease, cerebrovascular disease, dementia, chronic pulmonary disease,
 *      rheumatic disease, peptic ulcer disease, mild liver disease, diabetes
 *      without chronic complications;
 *   2: diabetes with chronic complications, hemiplegia or paraplegia, renal
 *      disease, any malignancy (including lymphoma and leukaemia, except
 *      malignant neoplasm of skin);
 *   3: moderate or severe liver disease;
 *   6: metastatic solid tumour, AIDS/HIV.
 * Each condition counts once. Where a condition has a milder form, only the
 * more severe counts: moderate/severe liver disease over mild liver disease,
 * diabetes with complications over diabetes without, metastatic solid tumour
 * over any malignancy. The index is the sum of the weights (0-29).
 */
#ifndef TRIPOD_ANALYTICS_CHARLSON_H
#define TRIPOD_ANALYTICS_CHARLSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum charlson_condition {
    CHARLSON_MI = 0,        /* myocardial infarction */
    CHARLSON_CHF,           /* congestive heart failure */
    CHARLSON_PVD,           /* peripheral vascular disease */
    CHARLSON_CEVD,          /* cerebrovascular disease */
    CHARLSON_DEMENTIA,      /* dementia */
    CHARLSON_COPD,          /* chronic pulmonary disease */
    CHARLSON_RHEUMATIC,     /* rheumatic (connective tissue) disease */
    CHARLSON_PUD,           /* peptic ulcer disease */
    CHARLSON_MILD_LIVER,    /* mild liver disease */
    CHARLSON_DIABETES,      /* diabetes without chronic complications */
    CHARLSON_DIABETES_COMP, /* diabetes with chronic complications */
    CHARLSON_PLEGIA,        /* hemiplegia or paraplegia */
    CHARLSON_RENAL,         /* renal disease */
    CHARLSON_CANCER,        /* any malignancy incl. lymphoma and leukaemia */
    CHARLSON_SEVERE_LIVER,  /* moderate or severe liver disease */
    CHARLSON_METASTATIC,    /* metastatic solid tumour */
    CHARLSON_HIV,           /* AIDS/HIV */
    CHARLSON_COUNT
} charlson_condition_t;

typedef struct charlson_result {
    uint32_t conditions; /* bit (1u << condition) for each condition counted,
                            after the severity hierarchy */
    int index;           /* the Charlson comorbidity index */
} charlson_result_t;

/* Computes the index from ICD-10-CM codes in any usual form ("I21.4",
 * "i214"); codes that are not valid ICD-10-CM are skipped. */
void charlson_index(const char *const *icd10, size_t n, charlson_result_t *out);
/* The condition a single code indicates, or -1 (CHARLSON_COUNT entries
 * apply; a code indicates at most one). */
int charlson_condition_of(const char *icd10);
int charlson_weight(charlson_condition_t c);
const char *charlson_condition_name(charlson_condition_t c);

#endif
