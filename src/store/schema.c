/* schema.c — the schema as data: record kinds, tables, columns.
 *
 * Must agree with the DDL in migrations.c (the store test suite puts and
 * scans back every column of every kind, so a mismatch fails it). The key
 * columns of each table come first, in key order.
 */
#include "core/str.h"
#include "store/store_impl.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#define C(st, f, t)                                                                                \
    {                                                                                              \
#f, t, 0, offsetof(st, f), 0                                                               \
    }
#define K(st, f, t)                                                                                \
    {                                                                                              \
#f, t, SCF_KEY, offsetof(st, f), 0                                                         \
    }
#define KE(st, f, t)                                                                               \
    {                                                                                              \
#f, t, SCF_KEY | SCF_EMPTY_OK, offsetof(st, f), 0                                          \
    }
#define A(st, f, i, name, t)                                                                       \
    {                                                                                              \
        name, t, 0, offsetof(st, f) + (i) * sizeof(((st *)0)->f[0]), 0                             \
    }
#define L(st, f, name, t)                                                                          \
    {                                                                                              \
        name, t, 0, offsetof(st, f), (int)(sizeof(((st *)0)->f) / sizeof(((st *)0)->f[0]))         \
    }

#define N(cols) ((int)(sizeof cols / sizeof cols[0]))

/* ---- organisations, practitioners, patients, enrolment ----------------- */

#define S store_organization_t
static const store_col_t organization_cols[] = {
    K(S, organization_id, SC_TEXT),
    C(S, npi, SC_TEXT),
    C(S, tin, SC_TEXT),
    C(S, name, SC_TEXT),
    C(S, organization_type, SC_TEXT),
    C(S, parent_organization_id, SC_TEXT),
    C(S, address, SC_TEXT),
    C(S, city, SC_TEXT),
    C(S, state, SC_TEXT),
    C(S, zip_code, SC_TEXT),
    C(S, phone, SC_TEXT),
    C(S, data_source, SC_TEXT),
};
#undef S
#define S store_practitioner_t
static const store_col_t practitioner_cols[] = {
    K(S, npi, SC_TEXT),
    C(S, first_name, SC_TEXT),
    C(S, last_name, SC_TEXT),
    C(S, credential, SC_TEXT),
    C(S, specialty_code, SC_TEXT),
    C(S, specialty, SC_TEXT),
    C(S, primary_care_flag, SC_FLAG),
    C(S, in_network_flag, SC_FLAG),
    C(S, organization_id, SC_TEXT),
    C(S, tin, SC_TEXT),
    C(S, data_source, SC_TEXT),
};
#undef S
#define S store_patient_t
static const store_col_t patient_cols[] = {
    K(S, person_id, SC_TEXT),  C(S, first_name, SC_TEXT),  C(S, middle_name, SC_TEXT),
    C(S, last_name, SC_TEXT),  C(S, name_suffix, SC_TEXT), C(S, gender, SC_TEXT),
    C(S, race, SC_TEXT),       C(S, ethnicity, SC_TEXT),   C(S, birth_date, SC_DATE),
    C(S, death_date, SC_DATE), C(S, death_flag, SC_FLAG),  C(S, address, SC_TEXT),
    C(S, city, SC_TEXT),       C(S, state, SC_TEXT),       C(S, zip_code, SC_TEXT),
    C(S, phone, SC_TEXT),      C(S, email, SC_TEXT),       C(S, data_source, SC_TEXT),
};
#undef S
#define S store_enrollment_t
static const store_col_t enrollment_cols[] = {
    K(S, person_id, SC_TEXT),
    K(S, payer, SC_TEXT),
    KE(S, plan, SC_TEXT),
    K(S, enrollment_start_date, SC_DATE),
    C(S, member_id, SC_TEXT),
    C(S, subscriber_id, SC_TEXT),
    C(S, subscriber_relation, SC_TEXT),
    C(S, payer_type, SC_TEXT),
    C(S, enrollment_end_date, SC_DATE),
    C(S, original_reason_entitlement_code, SC_TEXT),
    C(S, dual_status_code, SC_TEXT),
    C(S, medicare_status_code, SC_TEXT),
    C(S, group_id, SC_TEXT),
    C(S, group_name, SC_TEXT),
    C(S, enrollment_status, SC_TEXT),
    C(S, hospice_flag, SC_FLAG),
    C(S, snp_type, SC_TEXT),
    C(S, medicaid_indicator, SC_FLAG),
    C(S, long_term_institutional_flag, SC_FLAG),
    C(S, part_d_raf_type, SC_TEXT),
    C(S, low_income_subsidy_indicator, SC_FLAG),
    C(S, metal_level, SC_TEXT),
    C(S, csr_indicator, SC_TEXT),
    C(S, esrd_status, SC_TEXT),
    C(S, data_source, SC_TEXT),
    C(S, file_name, SC_TEXT),
    C(S, file_date, SC_DATE),
};
#undef S

/* ---- claims ------------------------------------------------------------ */

#define X5(M, f, n, t)                                                                             \
    M(f, 0, n "_1", t), M(f, 1, n "_2", t), M(f, 2, n "_3", t), M(f, 3, n "_4", t),                \
        M(f, 4, n "_5", t)

#define S                 store_med_claim_t
#define MA(f, i, name, t) A(S, f, i, name, t)
static const store_col_t med_claim_cols[] = {
    K(S, claim_id, SC_TEXT),
    C(S, claim_type, SC_TEXT),
    C(S, person_id, SC_TEXT),
    C(S, member_id, SC_TEXT),
    C(S, payer, SC_TEXT),
    C(S, plan, SC_TEXT),
    C(S, claim_start_date, SC_DATE),
    C(S, claim_end_date, SC_DATE),
    C(S, admission_date, SC_DATE),
    C(S, discharge_date, SC_DATE),
    C(S, admit_source_code, SC_TEXT),
    C(S, admit_type_code, SC_TEXT),
    C(S, discharge_disposition_code, SC_TEXT),
    C(S, bill_type_code, SC_TEXT),
    C(S, drg_code_type, SC_TEXT),
    C(S, drg_code, SC_TEXT),
    C(S, billing_npi, SC_TEXT),
    C(S, billing_tin, SC_TEXT),
    C(S, facility_npi, SC_TEXT),
    C(S, diagnosis_code_type, SC_TEXT),
    L(S, diagnosis_code, "diagnosis_codes", SC_TEXT_LIST),
    L(S, diagnosis_poa, "diagnosis_poas", SC_TEXT_LIST),
    C(S, procedure_code_type, SC_TEXT),
    L(S, procedure_code, "procedure_codes", SC_TEXT_LIST),
    L(S, procedure_date, "procedure_dates", SC_DATE_LIST),
    C(S, data_source, SC_TEXT),
    C(S, file_name, SC_TEXT),
    C(S, file_date, SC_DATE),
    C(S, ingest_datetime, SC_TEXT),
};
static const store_col_t med_claim_line_cols[] = {
    K(S, claim_id, SC_TEXT),
    K(S, claim_line_number, SC_INT),
    C(S, claim_line_start_date, SC_DATE),
    C(S, claim_line_end_date, SC_DATE),
    C(S, place_of_service_code, SC_TEXT),
    C(S, revenue_center_code, SC_TEXT),
    C(S, service_unit_quantity, SC_REAL),
    C(S, hcpcs_code, SC_TEXT),
    X5(MA, hcpcs_modifier, "hcpcs_modifier", SC_TEXT),
    C(S, rendering_npi, SC_TEXT),
    C(S, rendering_tin, SC_TEXT),
    C(S, paid_date, SC_DATE),
    C(S, paid_amount, SC_MONEY),
    C(S, allowed_amount, SC_MONEY),
    C(S, charge_amount, SC_MONEY),
    C(S, coinsurance_amount, SC_MONEY),
    C(S, copayment_amount, SC_MONEY),
    C(S, deductible_amount, SC_MONEY),
    C(S, total_cost_amount, SC_MONEY),
    C(S, in_network_flag, SC_FLAG),
};
#undef MA
#undef S
#define S store_rx_claim_t
static const store_col_t rx_claim_cols[] = {
    K(S, claim_id, SC_TEXT),
    K(S, claim_line_number, SC_INT),
    C(S, person_id, SC_TEXT),
    C(S, member_id, SC_TEXT),
    C(S, payer, SC_TEXT),
    C(S, plan, SC_TEXT),
    C(S, prescribing_provider_npi, SC_TEXT),
    C(S, dispensing_provider_npi, SC_TEXT),
    C(S, dispensing_date, SC_DATE),
    C(S, ndc_code, SC_TEXT),
    C(S, quantity, SC_REAL),
    C(S, days_supply, SC_INT),
    C(S, refills, SC_INT),
    C(S, paid_date, SC_DATE),
    C(S, paid_amount, SC_MONEY),
    C(S, allowed_amount, SC_MONEY),
    C(S, charge_amount, SC_MONEY),
    C(S, coinsurance_amount, SC_MONEY),
    C(S, copayment_amount, SC_MONEY),
    C(S, deductible_amount, SC_MONEY),
    C(S, in_network_flag, SC_FLAG),
    C(S, data_source, SC_TEXT),
    C(S, file_name, SC_TEXT),
    C(S, file_date, SC_DATE),
    C(S, ingest_datetime, SC_TEXT),
};
#undef S

/* ---- clinical ---------------------------------------------------------- */

#define S store_encounter_t
static const store_col_t encounter_cols[] = {
    K(S, encounter_id, SC_TEXT),
    C(S, person_id, SC_TEXT),
    C(S, status, SC_TEXT),
    C(S, class_code, SC_TEXT),
    C(S, type_system, SC_TEXT),
    C(S, type_code, SC_TEXT),
    C(S, start_date, SC_DATE),
    C(S, end_date, SC_DATE),
    C(S, practitioner_npi, SC_TEXT),
    C(S, organization_id, SC_TEXT),
    C(S, reason_system, SC_TEXT),
    C(S, reason_code, SC_TEXT),
    C(S, discharge_disposition, SC_TEXT),
    C(S, data_source, SC_TEXT),
};
#undef S
#define S store_condition_t
static const store_col_t condition_cols[] = {
    K(S, condition_id, SC_TEXT),    C(S, person_id, SC_TEXT),
    C(S, encounter_id, SC_TEXT),    C(S, category, SC_TEXT),
    C(S, clinical_status, SC_TEXT), C(S, verification_status, SC_TEXT),
    C(S, code_system, SC_TEXT),     C(S, code, SC_TEXT),
    C(S, onset_date, SC_DATE),      C(S, abatement_date, SC_DATE),
    C(S, recorded_date, SC_DATE),   C(S, data_source, SC_TEXT),
};
#undef S
#define S store_observation_t
static const store_col_t observation_cols[] = {
    K(S, observation_id, SC_TEXT), C(S, person_id, SC_TEXT),      C(S, encounter_id, SC_TEXT),
    C(S, status, SC_TEXT),         C(S, category, SC_TEXT),       C(S, code_system, SC_TEXT),
    C(S, code, SC_TEXT),           C(S, effective_date, SC_DATE), C(S, effective_time, SC_TIME),
    C(S, value_num, SC_REAL),      C(S, value_unit, SC_TEXT),     C(S, value_system, SC_TEXT),
    C(S, value_code, SC_TEXT),     C(S, value_text, SC_TEXT),     C(S, data_source, SC_TEXT),
};
#undef S
#define S store_procedure_t
static const store_col_t procedure_cols[] = {
    K(S, procedure_id, SC_TEXT),   C(S, person_id, SC_TEXT),     C(S, encounter_id, SC_TEXT),
    C(S, status, SC_TEXT),         C(S, code_system, SC_TEXT),   C(S, code, SC_TEXT),
    C(S, performed_date, SC_DATE), C(S, performer_npi, SC_TEXT), C(S, data_source, SC_TEXT),
};
#undef S
#define S store_medication_t
static const store_col_t medication_cols[] = {
    K(S, medication_id, SC_TEXT),
    C(S, person_id, SC_TEXT),
    C(S, encounter_id, SC_TEXT),
    C(S, kind, SC_TEXT),
    C(S, status, SC_TEXT),
    C(S, code_system, SC_TEXT),
    C(S, code, SC_TEXT),
    C(S, start_date, SC_DATE),
    C(S, end_date, SC_DATE),
    C(S, days_supply, SC_INT),
    C(S, dosage_text, SC_TEXT),
    C(S, prescriber_npi, SC_TEXT),
    C(S, data_source, SC_TEXT),
    /* migration 3 */
    C(S, intent, SC_TEXT),
    C(S, category, SC_TEXT),
    C(S, refills, SC_INT),
    C(S, quantity, SC_REAL),
    C(S, quantity_unit, SC_TEXT),
    C(S, dose_value, SC_REAL),
    C(S, dose_unit, SC_TEXT),
    C(S, frequency, SC_INT),
    C(S, period, SC_REAL),
    C(S, period_unit, SC_TEXT),
};
#undef S
#define S store_immunization_t
static const store_col_t immunization_cols[] = {
    K(S, immunization_id, SC_TEXT), C(S, person_id, SC_TEXT),   C(S, encounter_id, SC_TEXT),
    C(S, status, SC_TEXT),          C(S, code_system, SC_TEXT), C(S, code, SC_TEXT),
    C(S, occurrence_date, SC_DATE), C(S, data_source, SC_TEXT),
};
#undef S

/* ---- feeds and the file ledger ----------------------------------------- */

#define S store_hl7_message_t
static const store_col_t hl7_message_cols[] = {
    KE(S, sending_facility, SC_TEXT),
    K(S, message_control_id, SC_TEXT),
    C(S, sending_application, SC_TEXT),
    C(S, message_type, SC_TEXT),
    C(S, event_type, SC_TEXT),
    C(S, version, SC_TEXT),
    C(S, message_time, SC_TIME),
    C(S, received_at, SC_TIME),
    C(S, status, SC_TEXT),
    C(S, error, SC_TEXT),
    C(S, raw, SC_TEXT),
};
#undef S
#define S store_adt_event_t
static const store_col_t adt_event_cols[] = {
    KE(S, sending_facility, SC_TEXT),  K(S, message_control_id, SC_TEXT),
    C(S, patient_identifier, SC_TEXT), C(S, identifier_authority, SC_TEXT),
    C(S, person_id, SC_TEXT),          C(S, event_type, SC_TEXT),
    C(S, event_time, SC_TIME),         C(S, patient_class, SC_TEXT),
    C(S, location, SC_TEXT),           C(S, facility, SC_TEXT),
    C(S, admit_type, SC_TEXT),         C(S, admit_time, SC_TIME),
    C(S, discharge_time, SC_TIME),     C(S, discharge_disposition, SC_TEXT),
    C(S, attending_npi, SC_TEXT),      C(S, diagnosis_code, SC_TEXT),
};
#undef S
#define S store_source_file_t
static const store_col_t source_file_cols[] = {
    K(S, content_hash, SC_TEXT),    C(S, name, SC_TEXT),        C(S, format, SC_TEXT),
    C(S, loaded_at, SC_TIME),       C(S, records_read, SC_INT), C(S, records_loaded, SC_INT),
    C(S, records_rejected, SC_INT),
};
#undef S

/* ---- results (migration 2) ---------------------------------------------- */

#define S store_analysis_run_t
static const store_col_t analysis_run_cols[] = {
    K(S, run_id, SC_INT),        C(S, as_of, SC_DATE),       C(S, window_start, SC_DATE),
    C(S, window_months, SC_INT), C(S, payment_year, SC_INT), C(S, engine_version, SC_TEXT),
    C(S, started_at, SC_TIME),   C(S, finished_at, SC_TIME), C(S, patients, SC_INT),
};
#undef S
#define S store_analysis_population_t
static const store_col_t analysis_population_cols[] = {
    K(S, as_of, SC_DATE),
    C(S, run_id, SC_INT),
    C(S, patients, SC_INT),
    C(S, attributed, SC_INT),
    C(S, member_months, SC_INT),
    C(S, cost, SC_MONEY),
    C(S, pmpm, SC_REAL),
    C(S, ed_visits, SC_INT),
    C(S, ed_classified, SC_INT),
    C(S, ed_avoidable_share, SC_REAL),
    C(S, ip_admits, SC_INT),
    C(S, index_admits, SC_INT),
    C(S, unplanned_readmits, SC_INT),
    C(S, readmission_rate, SC_REAL),
    C(S, snf_stays, SC_INT),
    C(S, auc_test, SC_REAL),
    C(S, tier_low, SC_INT),
    C(S, tier_rising, SC_INT),
    C(S, tier_high, SC_INT),
    C(S, tier_critical, SC_INT),
    C(S, ccm_eligible, SC_INT),
    C(S, pcm_eligible, SC_INT),
    C(S, gaps, SC_INT),
    C(S, summary_json, SC_TEXT),
};
#undef S
#define S store_analysis_patient_t
static const store_col_t analysis_patient_cols[] = {
    K(S, as_of, SC_DATE),
    K(S, person_id, SC_TEXT),
    C(S, run_id, SC_INT),
    C(S, attributed_npi, SC_TEXT),
    C(S, attribution_step, SC_INT),
    C(S, member_months, SC_INT),
    C(S, risk_score, SC_REAL),
    C(S, hcc_count, SC_INT),
    C(S, tier, SC_TEXT),
    C(S, chronic_count, SC_INT),
    C(S, conditions, SC_TEXT),
    C(S, ccm_eligible, SC_FLAG),
    C(S, pcm_eligible, SC_FLAG),
    C(S, ed_visits, SC_INT),
    C(S, ed_avoidable, SC_INT),
    C(S, ip_admits, SC_INT),
    C(S, readmissions, SC_INT),
    C(S, snf_stays, SC_INT),
    C(S, cost, SC_MONEY),
    C(S, pmpm, SC_MONEY),
    C(S, probability, SC_REAL),
    C(S, top_factors, SC_TEXT),
    C(S, gaps, SC_INT),
};
#undef S
#define S store_analysis_discharge_t
static const store_col_t analysis_discharge_cols[] = {
    K(S, as_of, SC_DATE),
    K(S, person_id, SC_TEXT),
    K(S, admission_date, SC_DATE),
    C(S, run_id, SC_INT),
    C(S, discharge_date, SC_DATE),
    C(S, principal_dx, SC_TEXT),
    C(S, discharge_disposition, SC_TEXT),
    C(S, index_admission, SC_FLAG),
    C(S, planned, SC_FLAG),
    C(S, readmit_30, SC_FLAG),
    C(S, unplanned_readmit_30, SC_FLAG),
    C(S, days_to_next_admission, SC_INT),
    C(S, lace, SC_INT),
    C(S, charlson, SC_INT),
};
#undef S
#define S store_analysis_ed_visit_t
static const store_col_t analysis_ed_visit_cols[] = {
    K(S, as_of, SC_DATE),
    K(S, person_id, SC_TEXT),
    K(S, visit_date, SC_DATE),
    C(S, run_id, SC_INT),
    C(S, principal_dx, SC_TEXT),
    C(S, nyu_class, SC_TEXT),
    C(S, avoidable_probability, SC_REAL),
};
#undef S
#define S store_analysis_gap_t
static const store_col_t analysis_gap_cols[] = {
    K(S, as_of, SC_DATE),       K(S, person_id, SC_TEXT), K(S, kind, SC_TEXT),
    K(S, hcc, SC_INT),          KE(S, code, SC_TEXT),     C(S, run_id, SC_INT),
    C(S, description, SC_TEXT), C(S, evidence, SC_TEXT),
};
#undef S
#define S store_measure_result_t
static const store_col_t measure_result_cols[] = {
    K(S, period_start, SC_DATE), K(S, period_end, SC_DATE), K(S, measure_id, SC_TEXT),
    K(S, group_id, SC_TEXT),     K(S, person_id, SC_TEXT),  C(S, ip, SC_INT),
    C(S, denom, SC_INT),         C(S, denex, SC_INT),       C(S, numer, SC_INT),
    C(S, numex, SC_INT),         C(S, denexcep, SC_INT),    C(S, computed_at, SC_TIME),
};
#undef S
#define S store_care_gap_t
static const store_col_t care_gap_cols[] = {
    K(S, period_start, SC_DATE), K(S, period_end, SC_DATE),  K(S, measure_id, SC_TEXT),
    K(S, group_id, SC_TEXT),     K(S, person_id, SC_TEXT),   C(S, gap_text, SC_TEXT),
    C(S, evidence, SC_TEXT),     C(S, next_action, SC_TEXT), C(S, due_date, SC_DATE),
    C(S, priority, SC_TEXT),     C(S, computed_at, SC_TIME),
};
#undef S
#define S store_measure_summary_t
static const store_col_t measure_summary_cols[] = {
    K(S, period_start, SC_DATE), K(S, period_end, SC_DATE), K(S, measure_id, SC_TEXT),
    K(S, group_id, SC_TEXT),     C(S, ip, SC_INT),          C(S, denom, SC_INT),
    C(S, denex, SC_INT),         C(S, numer, SC_INT),       C(S, numex, SC_INT),
    C(S, denexcep, SC_INT),      C(S, rate, SC_REAL),       C(S, computed_at, SC_TIME),
};
#undef S

/* ---- security (migration 5) ------------------------------------------- */

#define S store_user_t
static const store_col_t user_cols[] = {
    K(S, username, SC_TEXT),      C(S, role, SC_TEXT),          C(S, patient_id, SC_TEXT),
    C(S, password_hash, SC_TEXT), C(S, disabled_flag, SC_FLAG), C(S, created_at, SC_TIME),
    C(S, updated_at, SC_TIME),
};
#undef S
#define S store_session_t
static const store_col_t session_cols[] = {
    K(S, session_hash, SC_TEXT),
    C(S, username, SC_TEXT),
    C(S, created_at, SC_TIME),
    C(S, last_seen_at, SC_TIME),
};
#undef S
#define S store_audit_entry_t
static const store_col_t audit_entry_cols[] = {
    K(S, seq, SC_INT),          C(S, at, SC_TIME),         C(S, username, SC_TEXT),
    C(S, role, SC_TEXT),        C(S, action, SC_TEXT),     C(S, resource_type, SC_TEXT),
    C(S, resource_id, SC_TEXT), C(S, patient_id, SC_TEXT), C(S, outcome, SC_TEXT),
    C(S, address, SC_TEXT),     C(S, prev_hash, SC_TEXT),  C(S, hash, SC_TEXT),
};
#undef S

#define TABLE(var, name, cols, nkey, seq)                                                          \
    static const store_table_t var = { name, cols, N(cols), nkey, seq }
TABLE(t_organization, "organization", organization_cols, 1, false);
TABLE(t_practitioner, "practitioner", practitioner_cols, 1, false);
TABLE(t_patient, "patient", patient_cols, 1, false);
TABLE(t_enrollment, "enrollment", enrollment_cols, 4, false);
TABLE(t_med_claim, "medical_claim", med_claim_cols, 1, false);
TABLE(t_med_claim_line, "medical_claim_line", med_claim_line_cols, 2, true);
TABLE(t_rx_claim, "pharmacy_claim", rx_claim_cols, 2, true);
TABLE(t_encounter, "encounter", encounter_cols, 1, false);
TABLE(t_condition, "condition", condition_cols, 1, false);
TABLE(t_observation, "observation", observation_cols, 1, false);
TABLE(t_procedure, "procedure", procedure_cols, 1, false);
TABLE(t_medication, "medication", medication_cols, 1, false);
TABLE(t_immunization, "immunization", immunization_cols, 1, false);
TABLE(t_hl7_message, "hl7_message", hl7_message_cols, 2, false);
TABLE(t_adt_event, "adt_event", adt_event_cols, 2, false);
TABLE(t_source_file, "source_file", source_file_cols, 1, false);
TABLE(t_analysis_run, "analysis_run", analysis_run_cols, 1, false);
TABLE(t_analysis_population, "analysis_population", analysis_population_cols, 1, false);
TABLE(t_analysis_patient, "analysis_patient", analysis_patient_cols, 2, false);
TABLE(t_analysis_discharge, "analysis_discharge", analysis_discharge_cols, 3, false);
TABLE(t_analysis_ed_visit, "analysis_ed_visit", analysis_ed_visit_cols, 3, false);
TABLE(t_analysis_gap, "analysis_gap", analysis_gap_cols, 5, false);
TABLE(t_measure_result, "measure_result", measure_result_cols, 5, false);
TABLE(t_care_gap, "care_gap", care_gap_cols, 5, false);
TABLE(t_measure_summary, "measure_summary", measure_summary_cols, 4, false);
TABLE(t_user, "app_user", user_cols, 1, false);
TABLE(t_session, "app_session", session_cols, 1, false);
TABLE(t_audit_entry, "audit_entry", audit_entry_cols, 1, false);

static const store_table_t *const all_tables[] = {
    &t_organization,      &t_practitioner,
    &t_patient,           &t_enrollment,
    &t_med_claim,         &t_med_claim_line,
    &t_rx_claim,          &t_encounter,
    &t_condition,         &t_observation,
    &t_procedure,         &t_medication,
    &t_immunization,      &t_hl7_message,
    &t_adt_event,         &t_source_file,
    &t_analysis_run,      &t_analysis_population,
    &t_analysis_patient,  &t_analysis_discharge,
    &t_analysis_ed_visit, &t_analysis_gap,
    &t_measure_result,    &t_care_gap,
    &t_measure_summary,   &t_user,
    &t_session,           &t_audit_entry,
};

/* ---- init functions: every field "missing" ----------------------------- */

static void init_by_table(void *rec, const store_table_t *t)
{
    for (int i = 0; i < t->ncols; i++) {
        const store_col_t *c = &t->cols[i];
        switch (c->type) {
        case SC_TEXT:
            STORE_FIELD(rec, c, const char *) = NULL;
            break;
        case SC_INT:
        case SC_MONEY:
        case SC_TIME:
            STORE_FIELD(rec, c, int64_t) = INT64_MIN;
            break;
        case SC_DATE:
            STORE_FIELD(rec, c, date_t) = DATE_NONE;
            break;
        case SC_REAL:
            STORE_FIELD(rec, c, double) = NAN;
            break;
        case SC_FLAG:
            STORE_FIELD(rec, c, int) = STORE_FLAG_NONE;
            break;
        case SC_TEXT_LIST:
            for (int j = 0; j < c->n; j++)
                (&STORE_FIELD(rec, c, const char *))[j] = NULL;
            break;
        case SC_DATE_LIST:
            for (int j = 0; j < c->n; j++)
                (&STORE_FIELD(rec, c, date_t))[j] = DATE_NONE;
            break;
        }
    }
}

/* The "all missing" record of each kind is built once from the descriptors
 * and copied: an importer initialises one record per input row. */
#define INIT(kind, type, ...)                                                                      \
    static type kind##_template;                                                                   \
    static pthread_once_t kind##_once = PTHREAD_ONCE_INIT;                                         \
    static void kind##_make_template(void)                                                         \
    {                                                                                              \
        static const store_table_t *const ts[] = { __VA_ARGS__ };                                  \
        memset(&kind##_template, 0, sizeof kind##_template);                                       \
        for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)                                      \
            init_by_table(&kind##_template, ts[i]);                                                \
    }                                                                                              \
    void store_##kind##_init(type *r)                                                              \
    {                                                                                              \
        pthread_once(&kind##_once, kind##_make_template);                                          \
        *r = kind##_template;                                                                      \
    }                                                                                              \
    static void init_##kind(void *r)                                                               \
    {                                                                                              \
        store_##kind##_init(r);                                                                    \
    }
INIT(organization, store_organization_t, &t_organization)
INIT(practitioner, store_practitioner_t, &t_practitioner)
INIT(patient, store_patient_t, &t_patient)
INIT(enrollment, store_enrollment_t, &t_enrollment)
INIT(med_claim, store_med_claim_t, &t_med_claim, &t_med_claim_line)
INIT(rx_claim, store_rx_claim_t, &t_rx_claim)
INIT(encounter, store_encounter_t, &t_encounter)
INIT(condition, store_condition_t, &t_condition)
INIT(observation, store_observation_t, &t_observation)
INIT(procedure, store_procedure_t, &t_procedure)
INIT(medication, store_medication_t, &t_medication)
INIT(immunization, store_immunization_t, &t_immunization)
INIT(hl7_message, store_hl7_message_t, &t_hl7_message)
INIT(adt_event, store_adt_event_t, &t_adt_event)
INIT(source_file, store_source_file_t, &t_source_file)
INIT(analysis_run, store_analysis_run_t, &t_analysis_run)
INIT(analysis_population, store_analysis_population_t, &t_analysis_population)
INIT(analysis_patient, store_analysis_patient_t, &t_analysis_patient)
INIT(analysis_discharge, store_analysis_discharge_t, &t_analysis_discharge)
INIT(analysis_ed_visit, store_analysis_ed_visit_t, &t_analysis_ed_visit)
INIT(analysis_gap, store_analysis_gap_t, &t_analysis_gap)
INIT(measure_result, store_measure_result_t, &t_measure_result)
INIT(care_gap, store_care_gap_t, &t_care_gap)
INIT(measure_summary, store_measure_summary_t, &t_measure_summary)
INIT(user, store_user_t, &t_user)
INIT(session, store_session_t, &t_session)
INIT(audit_entry, store_audit_entry_t, &t_audit_entry)

/* Parent kinds before children (store_impl.h). */
#define KIND(k, name, table, header, redelivery, type)                                             \
    {                                                                                              \
        k, #name, table, header, redelivery, sizeof(type), init_##name                             \
    }
static const store_kind_def_t kinds[SK_COUNT] = {
    KIND(SK_ORGANIZATION, organization, &t_organization, NULL, false, store_organization_t),
    KIND(SK_PRACTITIONER, practitioner, &t_practitioner, NULL, false, store_practitioner_t),
    KIND(SK_PATIENT, patient, &t_patient, NULL, false, store_patient_t),
    KIND(SK_ENROLLMENT, enrollment, &t_enrollment, NULL, false, store_enrollment_t),
    KIND(SK_MED_CLAIM, med_claim, &t_med_claim_line, &t_med_claim, true, store_med_claim_t),
    KIND(SK_RX_CLAIM, rx_claim, &t_rx_claim, NULL, true, store_rx_claim_t),
    KIND(SK_ENCOUNTER, encounter, &t_encounter, NULL, false, store_encounter_t),
    KIND(SK_CONDITION, condition, &t_condition, NULL, false, store_condition_t),
    KIND(SK_OBSERVATION, observation, &t_observation, NULL, false, store_observation_t),
    KIND(SK_PROCEDURE, procedure, &t_procedure, NULL, false, store_procedure_t),
    KIND(SK_MEDICATION, medication, &t_medication, NULL, false, store_medication_t),
    KIND(SK_IMMUNIZATION, immunization, &t_immunization, NULL, false, store_immunization_t),
    KIND(SK_HL7_MESSAGE, hl7_message, &t_hl7_message, NULL, false, store_hl7_message_t),
    KIND(SK_ADT_EVENT, adt_event, &t_adt_event, NULL, false, store_adt_event_t),
    KIND(SK_SOURCE_FILE, source_file, &t_source_file, NULL, false, store_source_file_t),
    KIND(SK_ANALYSIS_RUN, analysis_run, &t_analysis_run, NULL, false, store_analysis_run_t),
    KIND(SK_ANALYSIS_POPULATION, analysis_population, &t_analysis_population, NULL, false,
         store_analysis_population_t),
    KIND(SK_ANALYSIS_PATIENT, analysis_patient, &t_analysis_patient, NULL, false,
         store_analysis_patient_t),
    KIND(SK_ANALYSIS_DISCHARGE, analysis_discharge, &t_analysis_discharge, NULL, false,
         store_analysis_discharge_t),
    KIND(SK_ANALYSIS_ED_VISIT, analysis_ed_visit, &t_analysis_ed_visit, NULL, false,
         store_analysis_ed_visit_t),
    KIND(SK_ANALYSIS_GAP, analysis_gap, &t_analysis_gap, NULL, false, store_analysis_gap_t),
    KIND(SK_MEASURE_RESULT, measure_result, &t_measure_result, NULL, false, store_measure_result_t),
    KIND(SK_CARE_GAP, care_gap, &t_care_gap, NULL, false, store_care_gap_t),
    KIND(SK_MEASURE_SUMMARY, measure_summary, &t_measure_summary, NULL, false,
         store_measure_summary_t),
    KIND(SK_USER, user, &t_user, NULL, false, store_user_t),
    KIND(SK_SESSION, session, &t_session, NULL, false, store_session_t),
    KIND(SK_AUDIT_ENTRY, audit_entry, &t_audit_entry, NULL, false, store_audit_entry_t),
};

const store_kind_def_t *store_kind_def(store_kind_t kind)
{
    return &kinds[kind];
}

const store_table_t *store_table_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof all_tables / sizeof all_tables[0]; i++)
        if (strcmp(all_tables[i]->name, name) == 0)
            return all_tables[i];
    return NULL;
}

const store_table_t *const *store_tables(int *n)
{
    *n = N(all_tables);
    return all_tables;
}

bool store_col_shared(const store_kind_def_t *k, const store_col_t *c)
{
    if (!k->header)
        return false;
    for (int i = 0; i < k->table->ncols; i++)
        if (k->table->cols[i].off == c->off)
            return true;
    return false;
}

int store_list_pack(const store_col_t *c, const void *rec, char *out, size_t *len)
{
    size_t n = 0, keep = 0; /* keep: length up to the last non-empty item */
    for (int j = 0; j < c->n; j++) {
        if (j > 0) {
            if (n + 1 >= STORE_LIST_MAX)
                return -1;
            out[n++] = STORE_LIST_SEP;
        }
        if (c->type == SC_TEXT_LIST) {
            const char *v = (&STORE_CFIELD(rec, c, const char *))[j];
            size_t vn = v ? strlen(v) : 0;
            if (vn == 0)
                continue;
            if (memchr(v, STORE_LIST_SEP, vn) || n + vn >= STORE_LIST_MAX)
                return -1;
            memcpy(out + n, v, vn);
            n += vn;
        } else {
            date_t d = (&STORE_CFIELD(rec, c, date_t))[j];
            if (d == DATE_NONE)
                continue;
            if (n + DATE_FMT_LEN >= STORE_LIST_MAX)
                return -1;
            date_format(d, out + n);
            n += strlen(out + n);
        }
        keep = n;
    }
    out[keep] = '\0';
    *len = keep;
    return 0;
}

int store_list_check(const store_col_t *c, const void *rec)
{
    /* store_list_pack's arithmetic, without the copy: every item but the
     * first is preceded by a separator; a text item is checked for the
     * separator while its length is taken. */
    size_t n = 0;
    if (c->type == SC_TEXT_LIST) {
        const char *const *v = &STORE_CFIELD(rec, c, const char *);
        for (int j = 0; j < c->n; j++) {
            if (j > 0 && ++n >= STORE_LIST_MAX)
                return -1;
            const char *it = v[j];
            if (!it)
                continue;
            size_t k = 0;
            for (; it[k]; k++)
                if (it[k] == STORE_LIST_SEP)
                    return -1;
            if (k && n + k >= STORE_LIST_MAX)
                return -1;
            n += k;
        }
        return 0;
    }
    const date_t *v = &STORE_CFIELD(rec, c, date_t);
    char tmp[DATE_FMT_LEN];
    for (int j = 0; j < c->n; j++) {
        if (j > 0 && ++n >= STORE_LIST_MAX)
            return -1;
        if (v[j] == DATE_NONE)
            continue;
        if (n + DATE_FMT_LEN >= STORE_LIST_MAX)
            return -1;
        date_format(v[j], tmp);
        n += strlen(tmp);
    }
    return 0;
}

int store_list_unpack(const store_col_t *c, char *packed, void *rec)
{
    char *p = packed;
    for (int j = 0; j < c->n; j++) {
        char *item = p, *end = NULL;
        if (p) {
            end = strchr(p, STORE_LIST_SEP);
            if (end)
                *end = '\0';
            p = end ? end + 1 : NULL;
        }
        bool empty = !item || !item[0];
        if (c->type == SC_TEXT_LIST) {
            (&STORE_FIELD(rec, c, const char *))[j] = empty ? NULL : item;
        } else {
            date_t d = DATE_NONE;
            if (!empty && date_parse(item, strlen(item), &d) != 0)
                return -1;
            (&STORE_FIELD(rec, c, date_t))[j] = d;
        }
    }
    return p ? -1 : 0; /* more items than the list holds */
}

uint64_t store_row_hash(const store_table_t *t, const void *rec)
{
    uint64_t h = STR_HASH_INIT;
    for (int i = 0; i < t->ncols; i++) {
        const store_col_t *c = &t->cols[i];
        if (store_col_missing(rec, c)) {
            h = str_hash_add(h, "\x01", 1); /* distinct from any value, including "" */
            continue;
        }
        switch (c->type) {
        case SC_TEXT: {
            const char *v = STORE_CFIELD(rec, c, const char *);
            h = str_hash_add(h, v, strlen(v) + 1); /* the NUL separates adjacent fields */
            break;
        }
        case SC_INT:
        case SC_MONEY:
        case SC_TIME:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(int64_t));
            break;
        case SC_DATE:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(date_t));
            break;
        case SC_REAL:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(double));
            break;
        case SC_FLAG:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(int));
            break;
        case SC_TEXT_LIST:
            for (int j = 0; j < c->n; j++) {
                const char *v = (&STORE_CFIELD(rec, c, const char *))[j];
                h = v ? str_hash_add(h, v, strlen(v) + 1) : str_hash_add(h, "\x01", 1);
            }
            break;
        case SC_DATE_LIST:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(date_t) * (size_t)c->n);
            break;
        }
    }
    return h;
}

int store_table_index(const store_table_t *t)
{
    for (int i = 0; i < N(all_tables); i++)
        if (all_tables[i] == t)
            return i;
    return -1;
}

int store_sql_cols(buf_t *b, const store_table_t *t, const char *alias)
{
    int rc = 0;
    for (int i = 0; i < t->ncols; i++)
        rc |= buf_printf(b, "%s%s%s%s", i ? ", " : "", alias ? alias : "", alias ? "." : "",
                         t->cols[i].name);
    return rc ? -1 : 0;
}

int store_sql_conflict(buf_t *b, const store_table_t *t)
{
    int rc = buf_puts(b, " ON CONFLICT (");
    for (int i = 0; i < t->nkey; i++)
        rc |= buf_printf(b, "%s%s", i ? ", " : "", t->cols[i].name);
    rc |= buf_puts(b, ") DO UPDATE SET ");
    for (int i = t->nkey; i < t->ncols; i++)
        rc |= buf_printf(b, "%s%s = excluded.%s", i > t->nkey ? ", " : "", t->cols[i].name,
                         t->cols[i].name);
    if (t->has_load_seq)
        rc |= buf_puts(b, ", load_seq = excluded.load_seq");
    return rc ? -1 : 0;
}
