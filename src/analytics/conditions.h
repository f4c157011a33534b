/* conditions.h — the chronic conditions the engine tracks.
 *
 * A documented list after the CMS Chronic Conditions Data Warehouse (CCW)
 * "chronic conditions" algorithms, simplified to ICD-10-CM category prefixes
 * (docs/analytics.md lists every code). A condition is present when, within
 * the 24 months ending at the analysis date, a diagnosis in its list appears
 * on one inpatient or SNF claim or on claims of two different dates (the CCW's
 * usual "1 inpatient or 2 other claims" rule).
 *
 * Care-management eligibility (DESIGN.md): CCM 99490 needs 2+ chronic
 * conditions; PCM 99424/99426 one high-risk condition (high_risk below).
 */
#ifndef TRIPOD_ANALYTICS_CONDITIONS_H
#define TRIPOD_ANALYTICS_CONDITIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hmap.h"

enum {
    COND_HYPERTENSION,
    COND_HYPERLIPIDEMIA,
    COND_DIABETES,
    COND_CKD,
    COND_CHF,
    COND_COPD,
    COND_ASTHMA,
    COND_DEPRESSION,
    COND_AFIB,
    COND_IHD,
    COND_STROKE,
    COND_DEMENTIA,
    COND_CANCER,
    COND_OSTEOPOROSIS,
    COND_ARTHRITIS,
    COND_ANEMIA,
    COND_HYPOTHYROIDISM,
    COND_SMI,
    COND_LIVER,
    COND_HIV,
    COND_ANXIETY,
    COND_COUNT
};

typedef struct cond_def {
    const char *name;  /* snake_case, used in files */
    const char *label; /* for people */
    bool high_risk;    /* qualifies alone for PCM */
    const char *codes; /* ICD-10-CM prefixes, comma-separated, no dots */
} cond_def_t;

extern const cond_def_t cond_defs[COND_COUNT];

/* Prefix lookup: packed 3-, 4- and 5-character prefixes -> condition mask. */
typedef struct cond_table {
    hmap_t prefixes;
} cond_table_t;

void cond_table_init(cond_table_t *t);
void cond_table_free(cond_table_t *t);
/* The conditions a packed ICD-10-CM code belongs to (bit i = condition i). */
uint32_t cond_mask(const cond_table_t *t, uint64_t dx);

#endif
