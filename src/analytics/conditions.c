/* conditions.c — the chronic-condition code lists (see conditions.h). */
#include "analytics/conditions.h"

#include <string.h>

#include "analytics/engine_internal.h"

/* ICD-10-CM categories after the CCW condition algorithms (chronic conditions
 * reference list, ccwdata.org), reduced to their category-level prefixes. */
const cond_def_t cond_defs[COND_COUNT] = {
    { "hypertension", "Hypertension", false, "I10,I11,I12,I13,I15,I16" },
    { "hyperlipidemia", "Hyperlipidemia", false, "E78" },
    { "diabetes", "Diabetes", true, "E08,E09,E10,E11,E13" },
    { "ckd", "Chronic kidney disease", true, "N18,I12,I13,N19" },
    { "chf", "Heart failure", true, "I50,I110,I130,I132,I0981" },
    { "copd", "COPD", true, "J41,J42,J43,J44,J47" },
    { "asthma", "Asthma", false, "J45" },
    { "depression", "Depression", false, "F32,F33,F341" },
    { "afib", "Atrial fibrillation", false, "I48" },
    { "ihd", "Ischemic heart disease", false, "I20,I21,I22,I23,I24,I25" },
    { "stroke", "Stroke / TIA", true, "I63,G45" },
    { "dementia", "Alzheimer's disease and dementia", true, "F01,F02,F03,G30,G311" },
    { "cancer", "Cancer (breast, colorectal, lung, prostate, endometrial, bladder)", true,
      "C18,C19,C20,C34,C50,C54,C61,C67" },
    { "osteoporosis", "Osteoporosis", false, "M80,M81" },
    { "arthritis", "Rheumatoid arthritis / osteoarthritis", false, "M05,M06,M15,M16,M17,M18,M19" },
    { "anemia", "Anemia", false, "D50,D51,D52,D53,D55,D56,D57,D58,D59,D60,D61,D62,D63,D64" },
    { "hypothyroidism", "Hypothyroidism", false, "E03" },
    { "smi", "Schizophrenia and bipolar disorder", true, "F20,F25,F31" },
    { "liver", "Chronic liver disease and cirrhosis", true, "K70,K74" },
    { "hiv", "HIV/AIDS", true, "B20" },
    { "anxiety", "Anxiety disorders", false, "F41" },
};

void cond_table_init(cond_table_t *t)
{
    hmap_init_u64(&t->prefixes, 256);
    for (int c = 0; c < COND_COUNT; c++) {
        const char *s = cond_defs[c].codes;
        while (*s) {
            const char *e = strchr(s, ',');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            uint64_t k = code_pack(s, n);
            *hmap_u64_put(&t->prefixes, k, NULL) |= 1u << c; /* added as 0 */
            s += n + (e ? 1 : 0);
        }
    }
}

void cond_table_free(cond_table_t *t)
{
    hmap_free(&t->prefixes);
}

uint32_t cond_mask(const cond_table_t *t, uint64_t dx)
{
    uint32_t m = 0;
    for (int k = 3; k <= 5; k++) {
        const uint64_t *v = hmap_u64_get(&t->prefixes, code_prefix(dx, k));
        if (v)
            m |= (uint32_t)*v;
    }
    return m;
}
