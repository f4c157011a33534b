/* hcc.h — CMS-HCC risk scores (V24 and V28), payment-year blends, and the
 * eligible-claim filter for risk-adjustment diagnoses.
 *
 * A raw score is the sum of the relative factors ("coefficients") of the
 * variables that are switched on for a beneficiary in one segment of one
 * model, as in CMS's SAS software (V24: V2419P1M / V24 software; V28:
 * V2824T2M, AGESEXV2, V28I0ED1, V28115H1):
 *
 *   1. diagnoses -> condition categories (ra_dx_to_cc), after the age/sex
 *      edits (V28I0ED1 rows of ra_dx_edits; V24I0ED1 built in);
 *   2. hierarchies: a parent HCC drops its children (ra_hierarchies);
 *   3. the demographic cell: sex and age band (F65_69, M70_74 ...), or for new
 *      enrollees the NEF/NEM cell crossed with Medicaid and originally-
 *      disabled status (NMCAID_NORIGDIS_NEM70_74 ...);
 *   4. the HCCs, and the disease interactions (DIABETES_CHF, CHF_gCopdCF,
 *      HCC47_gCancer ... for V24; DIABETES_HF_V28, HF_KIDNEY_V28 ... for V28),
 *      the disabled interactions of the institutional segment, the
 *      originally-disabled (OriginallyDisabled_Female/Male, ORIGDS) and
 *      institutional-Medicaid (LTIMCAID) variables;
 *   5. the payment HCC count D1..D9, D10P (V28 everywhere; V24 in the
 *      community segments, as its coefficient table has them).
 *
 * Which variables exist in a segment is read from the coefficient table: a
 * variable that is on but has no coefficient in the segment adds nothing.
 * New-enrollee segments (NE, SNPNE) are demographic only.
 *
 * Everything here is a pure function of its arguments and the read-only
 * tables: safe to call from many threads at once.
 */
#ifndef TRIPOD_ANALYTICS_HCC_H
#define TRIPOD_ANALYTICS_HCC_H

#include <stdbool.h>
#include <stddef.h>

#include "analytics/hcc_tables.h"
#include "core/err.h"

/* Medicare-Medicaid dual status (MMR / dual_elgbl_cd: full 02, 04, 08;
 * partial 01, 03, 05, 06). */
typedef enum hcc_dual { HCC_DUAL_NONE = 0, HCC_DUAL_FULL, HCC_DUAL_PARTIAL } hcc_dual_t;

/* OREC (original reason for entitlement): 0 old age, 1 disability, 2 ESRD,
 * 3 disability and ESRD. HCC_OREC_UNKNOWN derives it from age: under 65 a
 * beneficiary is entitled by disability (1), otherwise by age (0). */
#define HCC_OREC_UNKNOWN (-1)

typedef struct hcc_patient {
    int age;            /* whole years, as of February 1 of the payment year (CMS) */
    char sex;           /* 'M' or 'F' */
    int orec;           /* 0-3, or HCC_OREC_UNKNOWN */
    bool medicaid;      /* Medicaid: NE/SNPNE MCAID cells, INS LTIMCAID */
    hcc_dual_t dual;    /* for hcc_segment_for: community dual segments */
    bool institutional; /* long-term institutional (90+ consecutive days) */
    bool new_enrollee;  /* fewer than 12 months of Part B in the data year */
    bool snp;           /* new enrollee in a C-SNP: SNPNE */
} hcc_patient_t;

/* The segment CMS would score a beneficiary in: INS, then NE/SNPNE, then the
 * community segment by dual status and age (65+ aged "A", else disabled "D"). */
hcc_segment_t hcc_segment_for(const hcc_patient_t *p);

/* Aged segments (CNA, CFA, CPA) are for ages 65+, disabled ones (CND, CFD,
 * CPD) for under 65; INS, NE and SNPNE take any age. */
bool hcc_segment_accepts_age(hcc_segment_t s, int age);

#define HCC_MAX_HCCS    128 /* V28 has 115 payment HCCs, V24 86 */
#define HCC_MAX_FACTORS 192

/* A variable that is on, with its coefficient. name is the full coefficient
 * name ("CNA_HCC18") and lives in the tables. */
typedef struct hcc_factor {
    const char *name;
    double value;
} hcc_factor_t;

typedef struct hcc_result {
    hcc_model_t model;
    hcc_segment_t segment;
    int n_hccs;
    int hccs[HCC_MAX_HCCS]; /* payment HCCs after edits and hierarchies, ascending */
    int n_factors;
    hcc_factor_t factors[HCC_MAX_FACTORS]; /* demographic cell first, then HCCs,
                                              interactions, the count; includes
                                              variables whose coefficient is 0 */
    double score;                          /* raw risk score: the sum of the factors */
    bool disabled;                         /* DISABL: age < 65 and OREC != 0 */
    bool orig_disabled;                    /* ORIGDS: OREC = 1 and not DISABL */
} hcc_result_t;

/* Scores one beneficiary in one model and segment. dx holds canonical
 * ICD-10-CM codes (no dot, upper case); codes the model does not map are
 * ignored, as CMS does. Returns 0, or ERR_USAGE for impossible arguments
 * (age outside 0-130, sex not M/F, OREC outside 0-3) and ERR_INPUT when the
 * segment has no age/sex factor for the patient (e.g. CNA at age 50). */
int hcc_score(const hcc_tables_t *t, hcc_model_t model, hcc_segment_t segment,
              const hcc_patient_t *p, const char *const *dx, size_t ndx, hcc_result_t *out,
              err_t *e);

/* True when var, a coefficient name without its segment prefix ("HCC18",
 * "DIABETES_CHF", "M70_74", "NMCAID_ORIGDIS_NEF65", "D10P"), is a variable
 * hcc_score can switch on in model m. An audit of a new table release: every
 * coefficient must be reachable, or the scorer would silently ignore it. */
bool hcc_variable_known(hcc_model_t m, const char *var);

/* ------------------------------------------------------------------------ */
/* Payment: blend, normalisation and MA coding-pattern adjustment.
 *
 *   payment = (sum over models of weight[m] * raw[m] / normalization[m])
 *             * (1 - coding_adjustment)
 *
 * These are settings: hcc_payment_defaults fills the published values of a
 * payment year (docs/hcc.md lists them with their sources); a contract or an
 * analyst may change any of them. */
typedef struct hcc_payment_settings {
    int payment_year;
    double weight[HCC_MODEL_COUNT];        /* blend weights, summing to 1 */
    double normalization[HCC_MODEL_COUNT]; /* FFS normalisation factor per model */
    double coding_adjustment;              /* MA coding pattern adjustment, 0.059 = 5.9% */
} hcc_payment_settings_t;

/* The published settings of payment years 2024-2026. Returns 0, or -1 (and
 * the 2026 settings with payment_year set) for a year it does not know. */
int hcc_payment_defaults(int payment_year, hcc_payment_settings_t *out);
/* raw[m] is the raw score of model m; models of weight 0 are not read. */
double hcc_payment_score(const hcc_payment_settings_t *s, const double raw[HCC_MODEL_COUNT]);

/* ------------------------------------------------------------------------ */
/* Which claims are acceptable sources of risk-adjustment diagnoses (CMS,
 * "Encounter Data Diagnosis Filtering Logic", final, December 2015; type of
 * bill 87X added by CMS's July 2021 memo on encounter data edits 20495 and
 * 01415):
 *   - professional claims: a service with a CPT/HCPCS code on CMS's list of
 *     risk-adjustment eligible codes;
 *   - institutional inpatient, type of bill 11X and 41X: always;
 *   - institutional outpatient, type of bill 12X, 13X, 43X, 71X, 73X, 76X,
 *     77X, 85X and 87X: with a service on the eligible CPT/HCPCS list;
 *   - any other type of bill (SNF 21X, home health 32X, hospice 81X, ...):
 *     never. */
typedef enum hcc_claim_kind {
    HCC_CLAIM_PROFESSIONAL = 0,
    HCC_CLAIM_INSTITUTIONAL
} hcc_claim_kind_t;

/* bill_type: the institutional type of bill as 3 digits ("111"), 4 with a
 * leading zero ("0111") or 2 ("11"); ignored for professional claims.
 * hcpcs: the claim's CPT/HCPCS codes (any case; invalid ones are skipped). */
bool hcc_claim_eligible(const hcc_tables_t *t, hcc_claim_kind_t kind, const char *bill_type,
                        const char *const *hcpcs, size_t n);

#endif
