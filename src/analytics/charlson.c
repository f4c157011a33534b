/* charlson.c — Quan 2005 ICD-10 codes, Charlson 1987 weights (charlson.h). */
#include "analytics/charlson.h"

#include <stdbool.h>
#include <string.h>

#include "core/codes.h"

/* Code ranges "LO-HI" or single prefixes "LO", canonical (no dot). A code
 * matches when its first strlen(LO) characters lie in [LO, HI], position by
 * position digits where LO has digits, so that "C45-C58" does not take
 * ICD-10-CM's C4A. From Quan et al. 2005, Table 1 (ICD-10, Charlson). */
static const struct charlson_codes {
    const char *range;
    charlson_condition_t cond;
} charlson_table[] = {
    { "I21", CHARLSON_MI },
    { "I22", CHARLSON_MI },
    { "I252", CHARLSON_MI },

    { "I099", CHARLSON_CHF },
    { "I110", CHARLSON_CHF },
    { "I130", CHARLSON_CHF },
    { "I132", CHARLSON_CHF },
    { "I255", CHARLSON_CHF },
    { "I420", CHARLSON_CHF },
    { "I425-I429", CHARLSON_CHF },
    { "I43", CHARLSON_CHF },
    { "I50", CHARLSON_CHF },
    { "P290", CHARLSON_CHF },

    { "I70", CHARLSON_PVD },
    { "I71", CHARLSON_PVD },
    { "I731", CHARLSON_PVD },
    { "I738", CHARLSON_PVD },
    { "I739", CHARLSON_PVD },
    { "I771", CHARLSON_PVD },
    { "I790", CHARLSON_PVD },
    { "I792", CHARLSON_PVD },
    { "K551", CHARLSON_PVD },
    { "K558", CHARLSON_PVD },
    { "K559", CHARLSON_PVD },
    { "Z958", CHARLSON_PVD },
    { "Z959", CHARLSON_PVD },

    { "G45", CHARLSON_CEVD },
    { "G46", CHARLSON_CEVD },
    { "H340", CHARLSON_CEVD },
    { "I60-I69", CHARLSON_CEVD },

    { "F00-F03", CHARLSON_DEMENTIA },
    { "F051", CHARLSON_DEMENTIA },
    { "G30", CHARLSON_DEMENTIA },
    { "G311", CHARLSON_DEMENTIA },

    { "I278", CHARLSON_COPD },
    { "I279", CHARLSON_COPD },
    { "J40-J47", CHARLSON_COPD },
    { "J60-J67", CHARLSON_COPD },
    { "J684", CHARLSON_COPD },
    { "J701", CHARLSON_COPD },
    { "J703", CHARLSON_COPD },

    { "M05", CHARLSON_RHEUMATIC },
    { "M06", CHARLSON_RHEUMATIC },
    { "M315", CHARLSON_RHEUMATIC },
    { "M32-M34", CHARLSON_RHEUMATIC },
    { "M351", CHARLSON_RHEUMATIC },
    { "M353", CHARLSON_RHEUMATIC },
    { "M360", CHARLSON_RHEUMATIC },

    { "K25-K28", CHARLSON_PUD },

    { "B18", CHARLSON_MILD_LIVER },
    { "K700-K703", CHARLSON_MILD_LIVER },
    { "K709", CHARLSON_MILD_LIVER },
    { "K713-K715", CHARLSON_MILD_LIVER },
    { "K717", CHARLSON_MILD_LIVER },
    { "K73", CHARLSON_MILD_LIVER },
    { "K74", CHARLSON_MILD_LIVER },
    { "K760", CHARLSON_MILD_LIVER },
    { "K762-K764", CHARLSON_MILD_LIVER },
    { "K768", CHARLSON_MILD_LIVER },
    { "K769", CHARLSON_MILD_LIVER },
    { "Z944", CHARLSON_MILD_LIVER },

    /* E10-E14 .0 .1 .6 .8 .9: without chronic complications */
    { "E100-E101", CHARLSON_DIABETES },
    { "E106", CHARLSON_DIABETES },
    { "E108-E109", CHARLSON_DIABETES },
    { "E110-E111", CHARLSON_DIABETES },
    { "E116", CHARLSON_DIABETES },
    { "E118-E119", CHARLSON_DIABETES },
    { "E120-E121", CHARLSON_DIABETES },
    { "E126", CHARLSON_DIABETES },
    { "E128-E129", CHARLSON_DIABETES },
    { "E130-E131", CHARLSON_DIABETES },
    { "E136", CHARLSON_DIABETES },
    { "E138-E139", CHARLSON_DIABETES },
    { "E140-E141", CHARLSON_DIABETES },
    { "E146", CHARLSON_DIABETES },
    { "E148-E149", CHARLSON_DIABETES },
    /* E10-E14 .2-.5 .7: with chronic complications */
    { "E102-E105", CHARLSON_DIABETES_COMP },
    { "E107", CHARLSON_DIABETES_COMP },
    { "E112-E115", CHARLSON_DIABETES_COMP },
    { "E117", CHARLSON_DIABETES_COMP },
    { "E122-E125", CHARLSON_DIABETES_COMP },
    { "E127", CHARLSON_DIABETES_COMP },
    { "E132-E135", CHARLSON_DIABETES_COMP },
    { "E137", CHARLSON_DIABETES_COMP },
    { "E142-E145", CHARLSON_DIABETES_COMP },
    { "E147", CHARLSON_DIABETES_COMP },

    { "G041", CHARLSON_PLEGIA },
    { "G114", CHARLSON_PLEGIA },
    { "G801-G802", CHARLSON_PLEGIA },
    { "G81", CHARLSON_PLEGIA },
    { "G82", CHARLSON_PLEGIA },
    { "G830-G834", CHARLSON_PLEGIA },
    { "G839", CHARLSON_PLEGIA },

    { "I120", CHARLSON_RENAL },
    { "I131", CHARLSON_RENAL },
    { "N032-N037", CHARLSON_RENAL },
    { "N052-N057", CHARLSON_RENAL },
    { "N18", CHARLSON_RENAL },
    { "N19", CHARLSON_RENAL },
    { "N250", CHARLSON_RENAL },
    { "Z490-Z492", CHARLSON_RENAL },
    { "Z940", CHARLSON_RENAL },
    { "Z992", CHARLSON_RENAL },

    { "C00-C26", CHARLSON_CANCER },
    { "C30-C34", CHARLSON_CANCER },
    { "C37-C41", CHARLSON_CANCER },
    { "C43", CHARLSON_CANCER },
    { "C45-C58", CHARLSON_CANCER },
    { "C60-C76", CHARLSON_CANCER },
    { "C81-C85", CHARLSON_CANCER },
    { "C88", CHARLSON_CANCER },
    { "C90-C97", CHARLSON_CANCER },

    { "I850", CHARLSON_SEVERE_LIVER },
    { "I859", CHARLSON_SEVERE_LIVER },
    { "I864", CHARLSON_SEVERE_LIVER },
    { "I982", CHARLSON_SEVERE_LIVER },
    { "K704", CHARLSON_SEVERE_LIVER },
    { "K711", CHARLSON_SEVERE_LIVER },
    { "K721", CHARLSON_SEVERE_LIVER },
    { "K729", CHARLSON_SEVERE_LIVER },
    { "K765-K767", CHARLSON_SEVERE_LIVER },

    { "C77-C80", CHARLSON_METASTATIC },

    { "B20-B22", CHARLSON_HIV },
    { "B24", CHARLSON_HIV },
};

static const struct {
    const char *name;
    int weight;
} conditions[CHARLSON_COUNT] = {
    [CHARLSON_MI] = { "myocardial_infarction", 1 },
    [CHARLSON_CHF] = { "congestive_heart_failure", 1 },
    [CHARLSON_PVD] = { "peripheral_vascular_disease", 1 },
    [CHARLSON_CEVD] = { "cerebrovascular_disease", 1 },
    [CHARLSON_DEMENTIA] = { "dementia", 1 },
    [CHARLSON_COPD] = { "chronic_pulmonary_disease", 1 },
    [CHARLSON_RHEUMATIC] = { "rheumatic_disease", 1 },
    [CHARLSON_PUD] = { "peptic_ulcer_disease", 1 },
    [CHARLSON_MILD_LIVER] = { "mild_liver_disease", 1 },
    [CHARLSON_DIABETES] = { "diabetes_without_complications", 1 },
    [CHARLSON_DIABETES_COMP] = { "diabetes_with_complications", 2 },
    [CHARLSON_PLEGIA] = { "hemiplegia_paraplegia", 2 },
    [CHARLSON_RENAL] = { "renal_disease", 2 },
    [CHARLSON_CANCER] = { "malignancy", 2 },
    [CHARLSON_SEVERE_LIVER] = { "moderate_severe_liver_disease", 3 },
    [CHARLSON_METASTATIC] = { "metastatic_solid_tumour", 6 },
    [CHARLSON_HIV] = { "aids_hiv", 6 },
};

/* The severity hierarchy: when the first is present the second is not counted. */
static const charlson_condition_t hierarchy[][2] = {
    { CHARLSON_SEVERE_LIVER, CHARLSON_MILD_LIVER },
    { CHARLSON_DIABETES_COMP, CHARLSON_DIABETES },
    { CHARLSON_METASTATIC, CHARLSON_CANCER },
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool range_matches(const char *range, const char *code)
{
    const char *dash = strchr(range, '-');
    size_t len = dash ? (size_t)(dash - range) : strlen(range);
    const char *hi = dash ? dash + 1 : range;
    if (strlen(code) < len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (is_digit(range[i]) && !is_digit(code[i]))
            return false;
    return strncmp(code, range, len) >= 0 && strncmp(code, hi, len) <= 0;
}

int charlson_condition_of(const char *icd10)
{
    char c[CODE_MAX];
    if (!icd10 || code_norm_icd10cm(icd10, strlen(icd10), c, sizeof c) != 0)
        return -1;
    for (size_t i = 0; i < sizeof charlson_table / sizeof charlson_table[0]; i++)
        if (range_matches(charlson_table[i].range, c))
            return (int)charlson_table[i].cond;
    return -1;
}

void charlson_index(const char *const *icd10, size_t n, charlson_result_t *out)
{
    uint32_t found = 0;
    for (size_t i = 0; i < n; i++) {
        int c = charlson_condition_of(icd10[i]);
        if (c >= 0)
            found |= 1u << c;
    }
    for (size_t i = 0; i < sizeof hierarchy / sizeof hierarchy[0]; i++)
        if (found & (1u << hierarchy[i][0]))
            found &= ~(1u << hierarchy[i][1]);
    out->conditions = found;
    out->index = 0;
    for (int c = 0; c < CHARLSON_COUNT; c++)
        if (found & (1u << c))
            out->index += conditions[c].weight;
}

int charlson_weight(charlson_condition_t c)
{
    return (unsigned)c < CHARLSON_COUNT ? conditions[c].weight : 0;
}

const char *charlson_condition_name(charlson_condition_t c)
{
    return (unsigned)c < CHARLSON_COUNT ? conditions[c].name : "?";
}
