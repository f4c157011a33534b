/* engine.h — the population analytics engine.
 *
 * Loads claims (the Tuva input layer: eligibility, medical_claim,
 * pharmacy_claim, and optionally practitioner and lab_result) into columnar
 * arrays grouped by patient, then computes per patient, in parallel over
 * patient ranges: attribution and member months, cost by service category,
 * ED visits with their NYU class, inpatient stays with 30-day unplanned
 * readmissions and LACE, SNF stays, CMS-HCC risk, chronic conditions and
 * CCM/PCM eligibility, HCC recapture and suspect gaps, a risk tier and the
 * probability of an ED visit or admission in the next months. Population
 * summaries (PMPM by month and category, utilisation per 1000, readmission
 * rate, avoidable ED share, leakage, model AUC and calibration) come from the
 * same pass. docs/analytics.md states every rule.
 *
 * Two ways in: engine_load_csv() reads a folder of CSV files; the engine_add_*
 * functions take rows one at a time (the store's scan callbacks in --db mode),
 * followed by engine_load_done(). Then engine_run(), then read the results.
 */
#ifndef TRIPOD_ANALYTICS_ENGINE_H
#define TRIPOD_ANALYTICS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "core/money.h"

typedef struct engine_settings {
    date_t as_of;       /* the analysis date; DATE_NONE = the latest service date in the data */
    int window_months;  /* performance and attribution window ending at as_of (12) */
    int threads;        /* worker threads; 0 = the online CPUs */
    int readmit_days;   /* readmission window after discharge (30) */
    int horizon_months; /* prediction horizon of the model (6) */
    int payment_year;   /* CMS-HCC payment year for the V24/V28 blend; 0 = as_of's year + 1 */
    double hcc_normalization; /* divides the blended raw score; 0 = none (1.0) */
    bool progress;            /* a progress bar on a terminal */
} engine_settings_t;

void engine_settings_default(engine_settings_t *s);

typedef struct engine engine_t;

engine_t *engine_new(const engine_settings_t *s);
void engine_free(engine_t *en);

/* Reads DIR/eligibility.csv, DIR/medical_claim.csv, DIR/pharmacy_claim.csv
 * (required) and DIR/practitioner.csv, DIR/lab_result.csv (optional), by
 * header name. Bad input fails with the file, line and column named. */
int engine_load_csv(engine_t *en, const char *dir, err_t *e);

/* Row-at-a-time loading (store scans). Strings need not outlive the call.
 * Codes are given as in the source (normalised inside). */
typedef struct engine_person_row {
    const char *person_id;
    const char *sex; /* "male"/"female"/"M"/"F" */
    date_t birth, death;
    date_t enroll_start, enroll_end; /* one enrollment span; DATE_NONE = none */
    const char *orec;                /* original reason for entitlement: 0..3 */
    const char *dual;                /* dual status code: 01..10, NA */
} engine_person_row_t;

typedef struct engine_medical_row {
    const char *person_id, *claim_id, *claim_type;
    int line;
    date_t start, end, admit, discharge;
    const char *admit_type, *discharge_disposition, *place_of_service, *bill_type, *revenue_code;
    const char *hcpcs, *rendering_npi, *in_network;
    money_t amount;  /* allowed (or paid when allowed is missing) */
    const char **dx; /* ndx codes, dx[0] principal */
    int ndx;
    const char **px; /* ICD-10-PCS procedures */
    int npx;
} engine_medical_row_t;

typedef struct engine_pharmacy_row {
    const char *person_id, *ndc, *prescriber_npi, *in_network;
    date_t date;
    int days_supply;
    money_t amount;
} engine_pharmacy_row_t;

int engine_add_person(engine_t *en, const engine_person_row_t *r, err_t *e);
int engine_add_medical(engine_t *en, const engine_medical_row_t *r, err_t *e);
int engine_add_pharmacy(engine_t *en, const engine_pharmacy_row_t *r, err_t *e);
int engine_add_lab(engine_t *en, const char *person_id, const char *loinc, date_t date,
                   double value, err_t *e);
int engine_add_practitioner(engine_t *en, const char *npi, const char *specialty,
                            const char *in_network, err_t *e);
/* Groups the rows added by patient; engine_load_csv calls it itself. */
int engine_load_done(engine_t *en, err_t *e);

int engine_run(engine_t *en, err_t *e);

/* ---- results ------------------------------------------------------------ */

#define ENGINE_TOP_FACTORS 3

/* Risk tiers (docs/analytics.md). */
typedef enum engine_tier {
    TIER_LOW = 1,
    TIER_RISING = 2,
    TIER_HIGH = 3,
    TIER_CRITICAL = 4
} engine_tier_t;

typedef struct engine_patient {
    const char *person_id; /* not NUL-terminated: person_id_len bytes */
    size_t person_id_len;
    uint32_t attributed_npi; /* 0 = not attributed */
    int attribution_step;    /* 1 primary-care clinicians, 2 specialists, 0 none */
    int member_months;       /* in the window */
    double risk_score;       /* CMS-HCC (blended, normalised); 0 when unavailable */
    int hcc_count;
    engine_tier_t tier;
    int chronic_count;
    uint32_t conditions; /* bit i = chronic condition i (conditions.h) */
    bool ccm_eligible, pcm_eligible;
    int ed_visits, ed_avoidable; /* window; avoidable = NYU argmax noner or epct */
    int ip_admits, readmits, snf_stays;
    money_t cost;                            /* total allowed in the window while enrolled */
    money_t pmpm;                            /* cost / member months */
    double probability;                      /* P(ED visit or admission in the next horizon) */
    const char *factors[ENGINE_TOP_FACTORS]; /* NULL when fewer */
    int gaps;                                /* recapture + suspect gaps */
} engine_patient_t;

size_t engine_patient_count(const engine_t *en);
/* The index of a patient, or -1. */
int engine_patient_find(const engine_t *en, const char *person_id);
void engine_patient(const engine_t *en, size_t i, engine_patient_t *out);
/* The population summary as JSON (population.json). */
int engine_population_json(const engine_t *en, buf_t *out);
/* Writes patients.csv, discharges.csv, ed_visits.csv, gaps.csv and
 * population.json into dir (created if missing). */
int engine_write_csv(const engine_t *en, const char *dir, err_t *e);

/* Headline numbers, for reports and tests. */
typedef struct engine_summary {
    size_t patients, attributed;
    long member_months;
    money_t cost;
    double pmpm;
    long ed_visits, ed_classified, ed_avoidable_argmax;
    double ed_avoidable_share; /* probability-weighted noner + epct over classified visits */
    long ip_admits, index_admits, unplanned_readmits;
    double readmission_rate;
    long snf_stays;
    double auc_test;
    date_t as_of;
} engine_summary_t;

void engine_summary(const engine_t *en, engine_summary_t *out);

/* ---- the store (tripod analyze --db; engine_db.c) ------------------------ */

/* The engine version recorded with every stored run. */
#define ENGINE_VERSION "0.1.0"

struct store;

/* Reads the store through its scans, as engine_load_csv reads the CSVs:
 * patient + enrollment (one person row per enrollment span; patients without
 * enrollment are not in the claims population), practitioner, medical and
 * pharmacy claims, and numeric LOINC observations (the labs). Then calls
 * engine_load_done(). */
int engine_load_store(engine_t *en, struct store *s, err_t *e);

/* Writes the results of a run into the store's result tables (docs/schema.md,
 * "Results") in ONE transaction: clears the results of the run's as_of, puts
 * the population summary, every patient, discharge, ED visit and gap, and a
 * row of the run ledger (run_id = the transaction's id, started_at the time
 * the caller began loading, STORE_TIME_NONE for now). A re-run for the same
 * as_of replaces the earlier results whole; on error nothing is written.
 * *run_id (may be NULL) gets the run's id. */
int engine_save_store(const engine_t *en, struct store *s, int64_t started_at, int64_t *run_id,
                      err_t *e);

/* The model's feature names ("ed_visits_6m") and labels for people. */
const char *engine_feature_name(int j);
const char *engine_feature_label(int j);

#endif
