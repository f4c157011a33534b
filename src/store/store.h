/* store.h — the normalised store behind every part of Tripod.
 *
 * One interface, two backends behind a table of function pointers (like
 * SQLite's VFS): SQLite for a practice (embedded, one file) and PostgreSQL for
 * a health system or ACO. Both pass the same test suite (tests/store/).
 * docs/schema.md describes every table and column.
 *
 * Records. Each kind of record is a plain struct whose fields mirror the
 * columns of its table. Conventions for every field:
 *   const char *   text; NULL (or "") means missing. Codes are canonical
 *                  (core/codes.h: no dots, upper case). The store never keeps
 *                  the pointers past the call that received them.
 *   date_t         a day number (core/date.h); DATE_NONE means missing.
 *   store_time_t   seconds since 1970-01-01T00:00:00Z; STORE_TIME_NONE missing.
 *   money_t        integer cents (core/money.h); STORE_MONEY_NONE missing.
 *   int64_t        counts (days supply, refills); STORE_INT_NONE missing.
 *   double         quantities (units, pharmacy quantity); NAN missing.
 *   int flags      1 yes, 0 no, STORE_FLAG_NONE (-1) unknown.
 * Call store_<kind>_init() to set every field to "missing" before filling.
 *
 * Puts are insert-or-replace by NATURAL KEY (see each struct): putting the
 * same record twice changes nothing; a changed record with the same key
 * replaces the stored one. Key fields are required (ERR_INPUT naming
 * "table.column" when missing).
 *
 * Claims re-delivery. A medical or pharmacy claim is keyed by (claim_id,
 * claim_line_number). A DELIVERY is one transaction (store_begin ..
 * store_commit; a put outside a transaction is a delivery of its own). When a
 * delivery puts any line of a claim_id that an EARLIER delivery stored, all
 * the lines of that earlier version are dropped first: a corrected
 * re-delivery of a claim replaces the old version whole, and lines it no
 * longer carries disappear. So load every line of a claim in one transaction
 * (importers load one file per transaction). store_delete_claim removes a
 * claim explicitly (e.g. a void/reversal).
 *
 * Errors. Every function returns 0 or an ERR_* code and fills the caller's
 * err_t; store errors name the table (and column when known) in e->field. A
 * record refused as bad input before it reaches the database (ERR_INPUT: a
 * missing key, a claim code holding '|') leaves the transaction usable. Any
 * other error inside a transaction dooms it: later puts fail, store_commit
 * rolls back and fails, and store_rollback is always safe.
 *
 * Buffered puts. Both backends buffer the puts of a transaction and write
 * them in batches (SQLite: multi-row upserts of up to 64 rows, claims as
 * packs of many lines (sqlite/sqclaims.h); PostgreSQL: COPY into a staging
 * table and one set-based upsert), so a database error
 * (a foreign or unique key, a CHECK) may surface at a LATER put, read,
 * delete or store_commit rather than at the put at fault; the transaction is
 * doomed either way and store_commit fails. Batches are written parents
 * before children (patient before condition, ...), when a batch fills, and
 * always before any read, count, scan, delete or commit, so reads inside a
 * transaction see every put before them. A put of a child whose parent is
 * put LATER in the same transaction may therefore succeed where an
 * unbuffered store would have refused it; do not rely on that.
 *
 * Threads. A store_t is used by one thread at a time; open one per thread.
 */
#ifndef TRIPOD_STORE_STORE_H
#define TRIPOD_STORE_STORE_H

#include "core/date.h"
#include "core/err.h"
#include "core/money.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct store store_t;

typedef int64_t store_time_t;

#define STORE_TIME_NONE  INT64_MIN
#define STORE_MONEY_NONE INT64_MIN
#define STORE_INT_NONE   INT64_MIN
#define STORE_FLAG_NONE  (-1)

#define STORE_CLAIM_DX   25 /* Tuva input layer: diagnosis_code_1..25, diagnosis_poa_1..25 */
#define STORE_CLAIM_PX   25 /* procedure_code_1..25, procedure_date_1..25 */
#define STORE_CLAIM_MODS 5  /* hcpcs_modifier_1..5 */

/* ---- opening ---------------------------------------------------------- */

/* url: a SQLite file path, "sqlite:PATH", or a PostgreSQL conninfo URL
 * ("postgresql://..." or "postgres://..."). Creates the SQLite file when
 * missing and applies every pending schema migration (each once, in its own
 * transaction). *out is NULL on failure. */
int store_open(const char *url, store_t **out, err_t *e);
/* Rolls back an open transaction and frees s. NULL is fine. */
void store_close(store_t *s);
/* "sqlite" or "postgres". */
const char *store_backend(const store_t *s);
/* The schema version now in the database (the number of the last migration). */
int store_schema_version(store_t *s, int *out, err_t *e);
/* The schema version this build knows (what store_open migrates to). */
int store_schema_latest(void);

/* ---- transactions ----------------------------------------------------- */

/* Transactions do not nest: store_begin inside one is ERR_USAGE. */
int store_begin(store_t *s, err_t *e);
int store_commit(store_t *s, err_t *e);
int store_rollback(store_t *s, err_t *e);
bool store_in_transaction(const store_t *s);

/* ---- records ---------------------------------------------------------- */

/* organization — key: organization_id. */
typedef struct store_organization {
    const char *organization_id;
    const char *npi;
    const char *tin;
    const char *name;
    const char *organization_type; /* e.g. "practice", "hospital", "snf", "aco", "payer" */
    const char *parent_organization_id;
    const char *address;
    const char *city;
    const char *state;
    const char *zip_code;
    const char *phone;
    const char *data_source;
} store_organization_t;

/* practitioner — key: npi. organization_id, when given, must name a stored
 * organization (foreign key). */
typedef struct store_practitioner {
    const char *npi;
    const char *first_name;
    const char *last_name;
    const char *credential;     /* "MD", "NP", ... */
    const char *specialty_code; /* CMS specialty code or NUCC taxonomy */
    const char *specialty;      /* description, e.g. "Internal Medicine" */
    int primary_care_flag;      /* counts as a primary-care clinician for attribution */
    int in_network_flag;        /* in the ACO / practice network (leakage when 0) */
    const char *organization_id;
    const char *tin;
    const char *data_source;
} store_practitioner_t;

/* patient — key: person_id (the Tuva person_id). The social security number of
 * the Tuva eligibility layout is deliberately not stored. */
typedef struct store_patient {
    const char *person_id;
    const char *first_name;
    const char *middle_name;
    const char *last_name;
    const char *name_suffix;
    const char *gender; /* Tuva: "male", "female", "unknown" */
    const char *race;
    const char *ethnicity;
    date_t birth_date;
    date_t death_date;
    int death_flag;
    const char *address;
    const char *city;
    const char *state;
    const char *zip_code;
    const char *phone;
    const char *email;
    const char *data_source;
} store_patient_t;

/* enrollment — one eligibility span (Tuva eligibility grain).
 * key: (person_id, payer, plan, enrollment_start_date); a missing plan is
 * stored as "" so that the key stays unique. person_id must name a stored
 * patient (foreign key). */
typedef struct store_enrollment {
    const char *person_id;
    const char *member_id;
    const char *subscriber_id;
    const char *subscriber_relation;
    const char *payer;
    const char *payer_type; /* "medicare", "medicaid", "commercial", ... */
    const char *plan;
    date_t enrollment_start_date;
    date_t enrollment_end_date;
    /* CMS original reason for entitlement (OREC): 0 old age, 1 disability,
     * 2 ESRD, 3 disability and ESRD. Drives CMS-HCC segment choice. */
    const char *original_reason_entitlement_code;
    /* CMS dual status code: 00/NA non-dual, 01..08 partial/full duals. */
    const char *dual_status_code;
    /* CMS Medicare status (the Medicare segment): 10 aged, 11 aged+ESRD,
     * 20 disabled, 21 disabled+ESRD, 31 ESRD only. */
    const char *medicare_status_code;
    const char *group_id;
    const char *group_name;
    const char *enrollment_status;
    int hospice_flag;
    const char *snp_type;
    int medicaid_indicator;
    int long_term_institutional_flag;
    const char *part_d_raf_type;
    int low_income_subsidy_indicator;
    const char *metal_level;
    const char *csr_indicator;
    const char *esrd_status;
    const char *data_source;
    const char *file_name;
    date_t file_date;
} store_enrollment_t;

/* medical claim line — every column of the Tuva input layer medical_claim.
 * key: (claim_id, claim_line_number). Stored as a header (medical_claim, the
 * fields marked H, taken from the last line put for the claim) and lines
 * (medical_claim_line). See "Claims re-delivery" above. */
typedef struct store_med_claim {
    const char *claim_id; /* H */
    int64_t claim_line_number;
    const char *claim_type;  /* H: "institutional", "professional", "dme" */
    const char *person_id;   /* H (no foreign key: claims may precede eligibility) */
    const char *member_id;   /* H */
    const char *payer;       /* H */
    const char *plan;        /* H */
    date_t claim_start_date; /* H */
    date_t claim_end_date;   /* H */
    date_t claim_line_start_date;
    date_t claim_line_end_date;
    date_t admission_date;                  /* H */
    date_t discharge_date;                  /* H */
    const char *admit_source_code;          /* H */
    const char *admit_type_code;            /* H */
    const char *discharge_disposition_code; /* H */
    const char *place_of_service_code;
    const char *bill_type_code; /* H */
    const char *drg_code_type;  /* H: "ms-drg", "apr-drg" */
    const char *drg_code;       /* H */
    const char *revenue_center_code;
    double service_unit_quantity;
    const char *hcpcs_code;
    const char *hcpcs_modifier[STORE_CLAIM_MODS]; /* [0] is hcpcs_modifier_1 */
    const char *rendering_npi;
    const char *rendering_tin;
    const char *billing_npi;  /* H */
    const char *billing_tin;  /* H */
    const char *facility_npi; /* H */
    date_t paid_date;
    money_t paid_amount;
    money_t allowed_amount;
    money_t charge_amount;
    money_t coinsurance_amount;
    money_t copayment_amount;
    money_t deductible_amount;
    money_t total_cost_amount;
    /* The four repeating groups are stored packed, one column each (see
     * docs/schema.md): their items may not contain '|'. */
    const char *diagnosis_code_type;            /* H: "icd-10-cm", "icd-9-cm" */
    const char *diagnosis_code[STORE_CLAIM_DX]; /* H: [0] is diagnosis_code_1 (principal) */
    const char *diagnosis_poa[STORE_CLAIM_DX];  /* H: present on admission Y/N/U/W/1 */
    const char *procedure_code_type;            /* H: "icd-10-pcs", "icd-9-pcs" */
    const char *procedure_code[STORE_CLAIM_PX]; /* H */
    date_t procedure_date[STORE_CLAIM_PX];      /* H */
    int in_network_flag;
    const char *data_source;     /* H */
    const char *file_name;       /* H */
    date_t file_date;            /* H */
    const char *ingest_datetime; /* H: as delivered */
} store_med_claim_t;

/* pharmacy claim line — every column of the Tuva input layer pharmacy_claim.
 * key: (claim_id, claim_line_number); re-delivery as for medical claims. */
typedef struct store_rx_claim {
    const char *claim_id;
    int64_t claim_line_number;
    const char *person_id;
    const char *member_id;
    const char *payer;
    const char *plan;
    const char *prescribing_provider_npi;
    const char *dispensing_provider_npi;
    date_t dispensing_date;
    const char *ndc_code; /* 11 digits */
    double quantity;
    int64_t days_supply;
    int64_t refills;
    date_t paid_date;
    money_t paid_amount;
    money_t allowed_amount;
    money_t charge_amount;
    money_t coinsurance_amount;
    money_t copayment_amount;
    money_t deductible_amount;
    int in_network_flag;
    const char *data_source;
    const char *file_name;
    date_t file_date;
    const char *ingest_datetime;
} store_rx_claim_t;

/* Clinical records (FHIR R4 / US Core). Each is keyed by its id (the
 * importer's resource id, unique within the store; prefix it with the source
 * when sources may collide). person_id must name a stored patient (foreign
 * key: import Patient resources first). encounter_id is a plain reference,
 * not a foreign key. code_system is a short name from core/codes.h
 * code_system_name(): "ICD10CM", "SNOMED", "LOINC", "HCPCS", "RXNORM", "NDC",
 * "CVX", ... */

/* encounter — key: encounter_id. */
typedef struct store_encounter {
    const char *encounter_id;
    const char *person_id;
    const char *status;     /* FHIR: "finished", "in-progress", ... */
    const char *class_code; /* v3 ActCode: AMB, IMP, EMER, OBSENC, HH, VR, ... */
    const char *type_system;
    const char *type_code; /* e.g. CPT 99214 or SNOMED 185349003 */
    date_t start_date;
    date_t end_date;
    const char *practitioner_npi;
    const char *organization_id;
    const char *reason_system;
    const char *reason_code;
    const char *discharge_disposition;
    const char *data_source;
} store_encounter_t;

/* condition — key: condition_id. */
typedef struct store_condition {
    const char *condition_id;
    const char *person_id;
    const char *encounter_id;
    const char *category;        /* "problem-list-item", "encounter-diagnosis", ... */
    const char *clinical_status; /* "active", "resolved", ... */
    const char *verification_status;
    const char *code_system;
    const char *code;
    date_t onset_date;
    date_t abatement_date;
    date_t recorded_date;
    const char *data_source;
} store_condition_t;

/* observation — key: observation_id. A panel with components (blood pressure
 * 85354-9 = systolic 8480-6 + diastolic 8462-4) is stored as one row per
 * component, each with its own id (e.g. "<id>/8480-6") and code. */
typedef struct store_observation {
    const char *observation_id;
    const char *person_id;
    const char *encounter_id;
    const char *status;
    /* "vital-signs", "laboratory", "survey", "social-history"; several
     * categories joined with '|' ("social-history|survey"): test one with
     * store_list_has() */
    const char *category;
    const char *code_system;
    const char *code;
    date_t effective_date;
    store_time_t effective_time; /* the full instant when known */
    double value_num;            /* NAN when the value is not a quantity */
    const char *value_unit;      /* UCUM */
    const char *value_system;    /* when the value is a code */
    const char *value_code;
    const char *value_text;
    const char *data_source;
} store_observation_t;

/* procedure — key: procedure_id. */
typedef struct store_procedure {
    const char *procedure_id;
    const char *person_id;
    const char *encounter_id;
    const char *status;
    const char *code_system;
    const char *code;
    date_t performed_date;
    const char *performer_npi;
    const char *data_source;
} store_procedure_t;

/* medication — key: medication_id. FHIR MedicationRequest, MedicationStatement
 * or MedicationDispense. */
typedef struct store_medication {
    const char *medication_id;
    const char *person_id;
    const char *encounter_id;
    const char *kind;   /* "request", "statement", "dispense" */
    const char *status; /* "active", "completed", "stopped", ... */
    const char *code_system;
    const char *code;
    date_t start_date; /* authoredOn / effective start / whenHandedOver */
    date_t end_date;
    int64_t days_supply;
    const char *dosage_text;
    const char *prescriber_npi;
    const char *data_source;
    /* Migration 3: the order details the eCQMs read (MedicationRequest;
     * quantity and dose also from a MedicationDispense). Missing: NULL,
     * STORE_INT_NONE, NAN. */
    const char *intent;        /* "order", "plan", ...; a request without one reads as "order" */
    const char *category;      /* "community", "discharge", ...; several joined with '|' */
    int64_t refills;           /* dispenseRequest.numberOfRepeatsAllowed */
    double quantity;           /* dispenseRequest.quantity / quantity: value */
    const char *quantity_unit; /* its UCUM code ("mL", "{tbl}") */
    double dose_value;         /* dosage[0].doseAndRate[0].doseQuantity */
    const char *dose_unit;
    int64_t frequency;       /* dosage[0].timing.repeat: frequency times per period */
    double period;           /* period */
    const char *period_unit; /* periodUnit: "s", "min", "h", "d", "wk", "mo", "a" */
} store_medication_t;

/* immunization — key: immunization_id. */
typedef struct store_immunization {
    const char *immunization_id;
    const char *person_id;
    const char *encounter_id;
    const char *status;
    const char *code_system; /* "CVX" */
    const char *code;
    date_t occurrence_date;
    const char *data_source;
} store_immunization_t;

/* hl7_message — one raw HL7 v2 message as received.
 * key: (sending_facility, message_control_id) (MSH-4, MSH-10). */
typedef struct store_hl7_message {
    const char *sending_facility;    /* MSH-4 ("" when absent) */
    const char *message_control_id;  /* MSH-10 */
    const char *sending_application; /* MSH-3 */
    const char *message_type;        /* MSH-9.1, "ADT" */
    const char *event_type;          /* MSH-9.2, "A01" */
    const char *version;             /* MSH-12, "2.5.1" */
    store_time_t message_time;       /* MSH-7 */
    store_time_t received_at;
    const char *status; /* "received", "processed", "rejected", "duplicate" */
    const char *error;  /* why it was rejected; NULL otherwise */
    const char *raw;    /* the message, segments separated by CR */
} store_hl7_message_t;

/* adt_event — the encounter event an ADT message carries.
 * key: (sending_facility, message_control_id); must name a stored
 * hl7_message (foreign key). */
typedef struct store_adt_event {
    const char *sending_facility;
    const char *message_control_id;
    const char *patient_identifier;   /* PID-3 CX.1 */
    const char *identifier_authority; /* PID-3 CX.4 */
    const char *person_id;            /* the matched patient, when known (not a foreign key) */
    const char *event_type;      /* A01 admit, A02 transfer, A03 discharge, A04 register, A08 ... */
    store_time_t event_time;     /* EVN-2, else MSH-7 */
    const char *patient_class;   /* PV1-2: I, O, E, ... */
    const char *location;        /* PV1-3 as text */
    const char *facility;        /* PV1-3.4 or MSH-4 */
    const char *admit_type;      /* PV1-4 */
    store_time_t admit_time;     /* PV1-44 */
    store_time_t discharge_time; /* PV1-45 */
    const char *discharge_disposition; /* PV1-36 */
    const char *attending_npi;         /* PV1-7 */
    const char *diagnosis_code;        /* first DG1-3, canonical ICD-10-CM */
} store_adt_event_t;

/* source_file — the ledger of imported files (idempotent imports).
 * key: content_hash (a 256-bit hash of the bytes, 64 lower-case hex digits; the
 * importer's is BLAKE2b-256). */
typedef struct store_source_file {
    const char *content_hash;
    const char *name;   /* base name, no directories */
    const char *format; /* "tuva_medical_claim", "fhir_bundle", "hl7v2", ... */
    store_time_t loaded_at;
    int64_t records_read;
    int64_t records_loaded;
    int64_t records_rejected;
} store_source_file_t;

/* ---- results ------------------------------------------------------------
 *
 * What `tripod analyze --db` (the population engine) and the quality measures
 * write back. Results are replaced whole per analysis date (analysis_*) or per
 * measurement period (measure_*, care_gap): clear, then put, in one
 * transaction (store_clear_analysis, store_clear_measures). docs/schema.md
 * describes every column; docs/analytics.md every rule behind them. */

/* analysis_run — the ledger of engine runs, one row per run, kept when a
 * later run replaces the results of the same as_of. key: run_id (the
 * store_transaction_id of the transaction that wrote the run's results). */
typedef struct store_analysis_run {
    int64_t run_id;
    date_t as_of;          /* the analysis date */
    date_t window_start;   /* first day of the performance window */
    int64_t window_months; /* its length (12) */
    int64_t payment_year;  /* CMS-HCC payment year of the V24/V28 blend */
    const char *engine_version;
    store_time_t started_at, finished_at;
    int64_t patients;
} store_analysis_run_t;

/* analysis_population — the population summary of the results of as_of.
 * key: as_of. The headline numbers as columns (tripod report --db), and the
 * whole summary (population.json of analyze --out) in summary_json. */
typedef struct store_analysis_population {
    date_t as_of;
    int64_t run_id;
    int64_t patients, attributed, member_months;
    money_t cost; /* allowed, window, while enrolled */
    double pmpm;  /* dollars */
    int64_t ed_visits, ed_classified;
    double ed_avoidable_share; /* NYU noner + epct over classified */
    int64_t ip_admits, index_admits, unplanned_readmits;
    double readmission_rate; /* unplanned 30-day / index admissions */
    int64_t snf_stays;
    double auc_test; /* NAN when the model was not fitted */
    int64_t tier_low, tier_rising, tier_high, tier_critical;
    int64_t ccm_eligible, pcm_eligible, gaps;
    const char *summary_json;
} store_analysis_population_t;

/* analysis_patient — one patient's results. key: (as_of, person_id). */
typedef struct store_analysis_patient {
    date_t as_of;
    const char *person_id;
    int64_t run_id;
    const char *attributed_npi; /* NULL when not attributed */
    int64_t attribution_step;   /* 1 primary-care clinicians, 2 specialists, 0 none */
    int64_t member_months;      /* in the window */
    double risk_score;          /* CMS-HCC, blended and normalised */
    int64_t hcc_count;
    const char *tier; /* "low", "rising", "high", "critical" */
    int64_t chronic_count;
    const char *conditions; /* condition names joined with '|' */
    int ccm_eligible, pcm_eligible;
    int64_t ed_visits, ed_avoidable, ip_admits, readmissions, snf_stays;
    money_t cost, pmpm;
    double probability;      /* P(ED visit or admission within the horizon) */
    const char *top_factors; /* feature names joined with '|' */
    int64_t gaps;            /* HCC recapture + suspect gaps */
} store_analysis_patient_t;

/* analysis_discharge — an inpatient stay. key: (as_of, person_id,
 * admission_date) (stays with one admission date are merged). */
typedef struct store_analysis_discharge {
    date_t as_of;
    const char *person_id;
    date_t admission_date;
    int64_t run_id;
    date_t discharge_date;
    const char *principal_dx;
    const char *discharge_disposition;
    int index_admission, planned, readmit_30, unplanned_readmit_30;
    int64_t days_to_next_admission; /* STORE_INT_NONE when none follows */
    int64_t lace, charlson;
} store_analysis_discharge_t;

/* analysis_ed_visit — an ED visit (a day with ED claims). key: (as_of,
 * person_id, visit_date). */
typedef struct store_analysis_ed_visit {
    date_t as_of;
    const char *person_id;
    date_t visit_date;
    int64_t run_id;
    const char *principal_dx;
    const char *nyu_class;        /* NYU ED class, "unclassified" */
    double avoidable_probability; /* noner + epct; NAN when unclassified */
} store_analysis_ed_visit_t;

/* analysis_gap — an HCC recapture or suspect gap. key: (as_of, person_id,
 * kind, hcc, code). */
typedef struct store_analysis_gap {
    date_t as_of;
    const char *person_id;
    const char *kind; /* "recapture", "suspect" */
    int64_t hcc;      /* the V28 HCC (recapture); 0 for suspects */
    const char *code; /* suggested ICD-10-CM (suspects); "" when none */
    int64_t run_id;
    const char *description;
    const char *evidence;
} store_analysis_gap_t;

/* measure_result — one patient's populations in one measure group for a
 * measurement period (eCQM population counts: 0/1 for patient-based
 * measures, episodes otherwise). key: (period_start, period_end,
 * measure_id, group_id, person_id). */
typedef struct store_measure_result {
    date_t period_start, period_end;
    const char *measure_id; /* "CMS165" */
    const char *group_id;   /* the group's id, or its 1-based number */
    const char *person_id;
    int64_t ip, denom, denex, numer, numex, denexcep;
    store_time_t computed_at;
} store_measure_result_t;

/* care_gap — a patient in a denominator, not excluded, not in the numerator
 * (in it, for inverse measures). key: as measure_result. */
typedef struct store_care_gap {
    date_t period_start, period_end;
    const char *measure_id;
    const char *group_id;
    const char *person_id;
    const char *gap_text;
    const char *evidence;
    const char *next_action;
    date_t due_date;
    const char *priority; /* "high", "medium", "low" */
    store_time_t computed_at;
} store_care_gap_t;

/* measure_summary — population counts and rate of one measure group.
 * key: (period_start, period_end, measure_id, group_id). */
typedef struct store_measure_summary {
    date_t period_start, period_end;
    const char *measure_id;
    const char *group_id;
    int64_t ip, denom, denex, numer, numex, denexcep;
    double rate; /* performance rate; NAN when the denominator is empty */
    store_time_t computed_at;
} store_measure_summary_t;

/* ---- security (migration 5): users, sessions, the audit log ------------ */

/* user — a person who signs in. key: username. A patient user names their
 * own record (patient_id); the others none. */
typedef struct store_user {
    const char *username;
    const char *role;          /* "admin", "pcp", ... (http/roles.h) */
    const char *patient_id;    /* role patient: whose record; else NULL */
    const char *password_hash; /* argon2id, libsodium crypto_pwhash_str format */
    int disabled_flag;         /* 1: may not sign in */
    store_time_t created_at;
    store_time_t updated_at;
} store_user_t;

/* session — a signed-in browser. key: session_hash, the SHA-256 of the
 * random session id (the id itself is never stored). */
typedef struct store_session {
    const char *session_hash;
    const char *username;
    store_time_t created_at;   /* for the absolute time-out */
    store_time_t last_seen_at; /* for the idle time-out */
} store_session_t;

/* audit_entry — one entry of the hash-chained audit log (src/audit/).
 * key: seq, 1, 2, 3... Append-only: the database refuses to change an
 * entry's hash or to delete one. */
typedef struct store_audit_entry {
    int64_t seq;
    store_time_t at;
    const char *username, *role;
    const char *action;        /* "login", "patient.read", ... */
    const char *resource_type; /* "Patient", ... */
    const char *resource_id;
    const char *patient_id; /* whose record was touched */
    const char *outcome;    /* "ok", "refused", "failed" */
    const char *address;
    const char *prev_hash; /* the previous entry's hash; "" for the first */
    const char *hash;      /* SHA-256 over prev_hash and the fields above */
} store_audit_entry_t;

/* Set every field to "missing" (NULL, DATE_NONE, ..._NONE, NAN). */
void store_organization_init(store_organization_t *r);
void store_user_init(store_user_t *r);
void store_session_init(store_session_t *r);
void store_audit_entry_init(store_audit_entry_t *r);
void store_practitioner_init(store_practitioner_t *r);
void store_patient_init(store_patient_t *r);
void store_enrollment_init(store_enrollment_t *r);
void store_med_claim_init(store_med_claim_t *r);
void store_rx_claim_init(store_rx_claim_t *r);
void store_encounter_init(store_encounter_t *r);
void store_condition_init(store_condition_t *r);
void store_observation_init(store_observation_t *r);
void store_procedure_init(store_procedure_t *r);
void store_medication_init(store_medication_t *r);
void store_immunization_init(store_immunization_t *r);
void store_hl7_message_init(store_hl7_message_t *r);
void store_adt_event_init(store_adt_event_t *r);
void store_source_file_init(store_source_file_t *r);
void store_analysis_run_init(store_analysis_run_t *r);
void store_analysis_population_init(store_analysis_population_t *r);
void store_analysis_patient_init(store_analysis_patient_t *r);
void store_analysis_discharge_init(store_analysis_discharge_t *r);
void store_analysis_ed_visit_init(store_analysis_ed_visit_t *r);
void store_analysis_gap_init(store_analysis_gap_t *r);
void store_measure_result_init(store_measure_result_t *r);
void store_care_gap_init(store_care_gap_t *r);
void store_measure_summary_init(store_measure_summary_t *r);

/* ---- writing ---------------------------------------------------------- */

int store_put_organization(store_t *s, const store_organization_t *r, err_t *e);
int store_put_practitioner(store_t *s, const store_practitioner_t *r, err_t *e);
int store_put_patient(store_t *s, const store_patient_t *r, err_t *e);
int store_put_enrollment(store_t *s, const store_enrollment_t *r, err_t *e);
int store_put_med_claim(store_t *s, const store_med_claim_t *r, err_t *e);
int store_put_rx_claim(store_t *s, const store_rx_claim_t *r, err_t *e);
int store_put_encounter(store_t *s, const store_encounter_t *r, err_t *e);
int store_put_condition(store_t *s, const store_condition_t *r, err_t *e);
int store_put_observation(store_t *s, const store_observation_t *r, err_t *e);
int store_put_procedure(store_t *s, const store_procedure_t *r, err_t *e);
int store_put_medication(store_t *s, const store_medication_t *r, err_t *e);
int store_put_immunization(store_t *s, const store_immunization_t *r, err_t *e);
int store_put_hl7_message(store_t *s, const store_hl7_message_t *r, err_t *e);
int store_put_adt_event(store_t *s, const store_adt_event_t *r, err_t *e);

int store_put_analysis_run(store_t *s, const store_analysis_run_t *r, err_t *e);
int store_put_analysis_population(store_t *s, const store_analysis_population_t *r, err_t *e);
int store_put_analysis_patient(store_t *s, const store_analysis_patient_t *r, err_t *e);
int store_put_analysis_discharge(store_t *s, const store_analysis_discharge_t *r, err_t *e);
int store_put_analysis_ed_visit(store_t *s, const store_analysis_ed_visit_t *r, err_t *e);
int store_put_analysis_gap(store_t *s, const store_analysis_gap_t *r, err_t *e);
int store_put_measure_result(store_t *s, const store_measure_result_t *r, err_t *e);
int store_put_care_gap(store_t *s, const store_care_gap_t *r, err_t *e);
int store_put_measure_summary(store_t *s, const store_measure_summary_t *r, err_t *e);
int store_put_user(store_t *s, const store_user_t *r, err_t *e);
int store_put_session(store_t *s, const store_session_t *r, err_t *e);
/* ERR_DB with ERR_CONSTRAINT_CHECK (SQLite) or a store error (PostgreSQL)
 * when an entry with this seq but another hash exists: the log is
 * append-only. */
int store_put_audit_entry(store_t *s, const store_audit_entry_t *r, err_t *e);

/* Removes the results of analysis date as_of from analysis_population,
 * analysis_patient, analysis_discharge, analysis_ed_visit and analysis_gap
 * (the run ledger stays). A re-run clears, then puts, in one transaction, so
 * that it replaces the earlier run's results whole. *deleted (may be NULL)
 * gets the rows removed. */
int store_clear_analysis(store_t *s, date_t as_of, int64_t *deleted, err_t *e);
/* Removes measure_result, care_gap and measure_summary rows of the period
 * [period_start, period_end] and, when measure_id is not NULL, of that
 * measure only. */
int store_clear_measures(store_t *s, date_t period_start, date_t period_end, const char *measure_id,
                         int64_t *deleted, err_t *e);

/* The id of the open transaction (the delivery number of "Claims
 * re-delivery": unique and increasing per store), or 0 outside one. */
int64_t store_transaction_id(const store_t *s);

/* Removes every line of a medical claim (header included) and of a pharmacy
 * claim with this claim_id. *deleted (may be NULL) gets the number of lines
 * removed; a claim_id not stored is not an error (0 lines). */
int store_delete_claim(store_t *s, const char *claim_id, int64_t *deleted, err_t *e);

/* The imported-file ledger: an importer computes the content hash of a file, skips
 * it when store_file_seen says so, else loads it and calls store_file_record
 * in the same transaction, so that a file is loaded exactly once. */
int store_file_seen(store_t *s, const char *content_hash, bool *seen, err_t *e);
int store_file_record(store_t *s, const store_source_file_t *r, err_t *e);

/* ---- reading ---------------------------------------------------------- */

/* Rows of a table by its name ("patient", "medical_claim" (headers),
 * "medical_claim_line", "pharmacy_claim", ...; see docs/schema.md). An unknown
 * name is ERR_USAGE. */
int store_count(store_t *s, const char *table, int64_t *n, err_t *e);

/* Scans call fn once per record, in natural-key order (text compared
 * byte-wise), with a record valid only during the call (its strings point
 * into the backend's row). fn must not use the store. fn returns 0 to go on;
 * a non-zero return stops the scan and is returned by the scan (fn may fill e). */
#define STORE_SCAN_FN(kind)                                                                        \
    typedef int (*store_scan_##kind##_fn)(void *ctx, const store_##kind##_t *r, err_t *e);         \
    int store_scan_##kind(store_t *s, store_scan_##kind##_fn fn, void *ctx, err_t *e)
STORE_SCAN_FN(organization);
STORE_SCAN_FN(practitioner);
STORE_SCAN_FN(patient);
STORE_SCAN_FN(enrollment);
STORE_SCAN_FN(med_claim); /* lines joined with their header */
STORE_SCAN_FN(rx_claim);
STORE_SCAN_FN(encounter);
STORE_SCAN_FN(condition);
STORE_SCAN_FN(observation);
STORE_SCAN_FN(procedure);
STORE_SCAN_FN(medication);
STORE_SCAN_FN(immunization);
STORE_SCAN_FN(hl7_message);
STORE_SCAN_FN(adt_event);
STORE_SCAN_FN(source_file);
#undef STORE_SCAN_FN

/* Scans of results, in natural-key order, filtered: as_of DATE_NONE scans
 * every analysis date; period_start/period_end DATE_NONE every period (give
 * both or neither), measure_id NULL every measure (only with a period). */
#define STORE_SCAN_AS_OF(kind)                                                                     \
    typedef int (*store_scan_##kind##_fn)(void *ctx, const store_##kind##_t *r, err_t *e);         \
    int store_scan_##kind(store_t *s, date_t as_of, store_scan_##kind##_fn fn, void *ctx, err_t *e)
STORE_SCAN_AS_OF(analysis_population);
STORE_SCAN_AS_OF(analysis_patient);
STORE_SCAN_AS_OF(analysis_discharge);
STORE_SCAN_AS_OF(analysis_ed_visit);
STORE_SCAN_AS_OF(analysis_gap);
#undef STORE_SCAN_AS_OF
#define STORE_SCAN_PERIOD(kind)                                                                    \
    typedef int (*store_scan_##kind##_fn)(void *ctx, const store_##kind##_t *r, err_t *e);         \
    int store_scan_##kind(store_t *s, date_t period_start, date_t period_end,                      \
                          const char *measure_id, store_scan_##kind##_fn fn, void *ctx, err_t *e)
STORE_SCAN_PERIOD(measure_result);
STORE_SCAN_PERIOD(care_gap);
STORE_SCAN_PERIOD(measure_summary);
#undef STORE_SCAN_PERIOD
/* Security records by key: fn is called once when the record exists, not
 * at all when it does not. */
typedef int (*store_scan_user_fn)(void *ctx, const store_user_t *r, err_t *e);
typedef int (*store_scan_session_fn)(void *ctx, const store_session_t *r, err_t *e);
typedef int (*store_scan_audit_entry_fn)(void *ctx, const store_audit_entry_t *r, err_t *e);
int store_get_user(store_t *s, const char *username, store_scan_user_fn fn, void *ctx, err_t *e);
int store_scan_user(store_t *s, store_scan_user_fn fn, void *ctx, err_t *e);
int store_get_session(store_t *s, const char *session_hash, store_scan_session_fn fn, void *ctx,
                      err_t *e);
int store_scan_session(store_t *s, store_scan_session_fn fn, void *ctx, err_t *e);
int store_delete_session(store_t *s, const char *session_hash, err_t *e);
/* Ends every session of a user (disabled, new password). */
int store_delete_user_sessions(store_t *s, const char *username, err_t *e);
/* The audit log in seq order; the entry seq; the last entry (the one whose
 * successor does not exist, found in O(log n) key probes). */
int store_scan_audit_entry(store_t *s, store_scan_audit_entry_fn fn, void *ctx, err_t *e);
int store_get_audit_entry(store_t *s, int64_t seq, store_scan_audit_entry_fn fn, void *ctx,
                          err_t *e);
int store_last_audit_entry(store_t *s, store_scan_audit_entry_fn fn, void *ctx, err_t *e);

/* Every run of the ledger, by run_id. */
typedef int (*store_scan_analysis_run_fn)(void *ctx, const store_analysis_run_t *r, err_t *e);
int store_scan_analysis_run(store_t *s, store_scan_analysis_run_fn fn, void *ctx, err_t *e);
/* The analysis date of the latest run (highest run_id) whose results are
 * still stored; DATE_NONE when there is none. */
int store_latest_analysis(store_t *s, date_t *as_of, err_t *e);

/* What the store holds, for `tripod info`. */
#define STORE_SUMMARY_MAX_TABLES 40
typedef struct store_summary {
    const char *backend; /* "sqlite" or "postgres" */
    int schema_version;
    int ntables;
    struct {
        const char *name; /* static string */
        int64_t rows;
    } tables[STORE_SUMMARY_MAX_TABLES];
    date_t med_claim_first; /* min(claim_start_date) of medical claims; DATE_NONE when none */
    date_t med_claim_last;  /* max(claim_end_date) */
    date_t rx_claim_first;  /* min(dispensing_date) of pharmacy claims */
    date_t rx_claim_last;
    date_t enrollment_first; /* min(enrollment_start_date) */
    date_t enrollment_last;  /* max(enrollment_end_date) */
    int64_t files_loaded;    /* rows of source_file */
} store_summary_t;

int store_summary(store_t *s, store_summary_t *out, err_t *e);

/* Time helpers for store_time_t: "YYYY-MM-DDTHH:MM:SSZ" (out >= 21 bytes). */
#define STORE_TIME_FMT_LEN 21
void store_time_format(store_time_t t, char out[STORE_TIME_FMT_LEN]);
/* Accepts ISO 8601 "YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH[:MM]|-HH[:MM]]", a
 * bare date (midnight UTC), and HL7 TS "YYYYMMDD[HHMM[SS[.f]]][+/-ZZZZ]".
 * n bytes of s, blanks around ignored. Returns 0 or -1. */
int store_time_parse(const char *s, size_t n, store_time_t *out);

/* Code lists in one text column (observation.category, medication.category):
 * the codes joined with '|', no empty items, no duplicates.
 * store_list_has: whether list (NULL: empty) holds item exactly.
 * store_list_add: appends item to the list in out (size n, NUL-terminated,
 * "" when empty) unless it is there already; -1 when it does not fit or item
 * is empty or holds a '|'. */
bool store_list_has(const char *list, const char *item);
int store_list_add(char *out, size_t n, const char *item);

#endif
