-- legacy_migrations.sql — the released migrations as migrations.c wrote them by
-- hand before the schema was generated from src/store/kinds.def (commit 62e2411),
-- frozen. Never edit: tests/store/drift_test.c checks that the generated
-- migrations make exactly the schema these made, so that databases in the field
-- keep working. A section is "-- @@ migration N common|sqlite|postgres": the
-- SQL for both dialects (with the @TOKENS@ of store_impl.h), then SQLite's and
-- PostgreSQL's own.
-- @@ migration 1 common
CREATE TABLE organization (
  organization_id @KEY@ NOT NULL PRIMARY KEY,
  npi TEXT, tin TEXT, name TEXT, organization_type TEXT, parent_organization_id TEXT,
  address TEXT, city TEXT, state TEXT, zip_code TEXT, phone TEXT, data_source TEXT
)@WITHOUT_ROWID@;
CREATE TABLE practitioner (
  npi @KEY@ NOT NULL PRIMARY KEY,
  first_name TEXT, last_name TEXT, credential TEXT, specialty_code TEXT, specialty TEXT,
  primary_care_flag SMALLINT CHECK (primary_care_flag IN (0, 1)),
  in_network_flag SMALLINT CHECK (in_network_flag IN (0, 1)),
  organization_id @KEY@ REFERENCES organization (organization_id),
  tin TEXT, data_source TEXT
)@WITHOUT_ROWID@;
CREATE INDEX practitioner_organization ON practitioner (organization_id);
CREATE TABLE patient (
  person_id @KEY@ NOT NULL PRIMARY KEY,
  first_name TEXT, middle_name TEXT, last_name TEXT, name_suffix TEXT, gender TEXT,
  race TEXT, ethnicity TEXT, birth_date @DATE@, death_date @DATE@,
  death_flag SMALLINT CHECK (death_flag IN (0, 1)),
  address TEXT, city TEXT, state TEXT, zip_code TEXT, phone TEXT, email TEXT,
  data_source TEXT
)@WITHOUT_ROWID@;
CREATE TABLE enrollment (
  person_id @KEY@ NOT NULL REFERENCES patient (person_id),
  payer @KEY@ NOT NULL, plan @KEY@ NOT NULL, enrollment_start_date @DATE@ NOT NULL,
  member_id TEXT, subscriber_id TEXT, subscriber_relation TEXT, payer_type TEXT,
  enrollment_end_date @DATE@, original_reason_entitlement_code TEXT,
  dual_status_code TEXT, medicare_status_code TEXT, group_id TEXT, group_name TEXT,
  enrollment_status TEXT, hospice_flag SMALLINT, snp_type TEXT, medicaid_indicator SMALLINT,
  long_term_institutional_flag SMALLINT, part_d_raf_type TEXT,
  low_income_subsidy_indicator SMALLINT, metal_level TEXT, csr_indicator TEXT,
  esrd_status TEXT, data_source TEXT, file_name TEXT, file_date @DATE@,
  PRIMARY KEY (person_id, payer, plan, enrollment_start_date)
)@WITHOUT_ROWID@;
CREATE TABLE medical_claim (
  claim_id @KEY@ NOT NULL PRIMARY KEY,
  claim_type TEXT, person_id @KEY@, member_id TEXT, payer TEXT, plan TEXT,
  claim_start_date @DATE@, claim_end_date @DATE@, admission_date @DATE@,
  discharge_date @DATE@, admit_source_code TEXT, admit_type_code TEXT,
  discharge_disposition_code TEXT, bill_type_code TEXT, drg_code_type TEXT, drg_code TEXT,
  billing_npi TEXT, billing_tin TEXT, facility_npi TEXT, diagnosis_code_type TEXT,
  diagnosis_codes TEXT, diagnosis_poas TEXT, procedure_code_type TEXT,
  procedure_codes TEXT, procedure_dates TEXT,
  data_source TEXT, file_name TEXT, file_date @DATE@, ingest_datetime TEXT
);
CREATE INDEX medical_claim_person ON medical_claim (person_id);
CREATE TABLE medical_claim_line (
  claim_id @KEY@ NOT NULL,
  claim_line_number BIGINT NOT NULL,
  claim_line_start_date @DATE@, claim_line_end_date @DATE@, place_of_service_code TEXT,
  revenue_center_code TEXT, service_unit_quantity @REAL@, hcpcs_code TEXT,
  hcpcs_modifier_1 TEXT, hcpcs_modifier_2 TEXT, hcpcs_modifier_3 TEXT,
  hcpcs_modifier_4 TEXT, hcpcs_modifier_5 TEXT, rendering_npi TEXT, rendering_tin TEXT,
  paid_date @DATE@, paid_amount BIGINT, allowed_amount BIGINT, charge_amount BIGINT,
  coinsurance_amount BIGINT, copayment_amount BIGINT, deductible_amount BIGINT,
  total_cost_amount BIGINT,
  in_network_flag SMALLINT CHECK (in_network_flag IN (0, 1)),
  load_seq BIGINT NOT NULL,
  PRIMARY KEY (claim_id, claim_line_number)
)@WITHOUT_ROWID@;
CREATE TABLE pharmacy_claim (
  claim_id @KEY@ NOT NULL, claim_line_number BIGINT NOT NULL,
  person_id @KEY@, member_id TEXT, payer TEXT, plan TEXT, prescribing_provider_npi TEXT,
  dispensing_provider_npi TEXT, dispensing_date @DATE@, ndc_code TEXT, quantity @REAL@,
  days_supply BIGINT, refills BIGINT, paid_date @DATE@, paid_amount BIGINT,
  allowed_amount BIGINT, charge_amount BIGINT, coinsurance_amount BIGINT,
  copayment_amount BIGINT, deductible_amount BIGINT,
  in_network_flag SMALLINT CHECK (in_network_flag IN (0, 1)),
  data_source TEXT, file_name TEXT, file_date @DATE@, ingest_datetime TEXT,
  load_seq BIGINT NOT NULL,
  PRIMARY KEY (claim_id, claim_line_number)
)@WITHOUT_ROWID@;
CREATE INDEX pharmacy_claim_person ON pharmacy_claim (person_id);
CREATE TABLE encounter (
  encounter_id @KEY@ NOT NULL PRIMARY KEY,
  person_id @KEY@ NOT NULL REFERENCES patient (person_id),
  status TEXT, class_code TEXT, type_system TEXT, type_code TEXT,
  start_date @DATE@, end_date @DATE@, practitioner_npi TEXT, organization_id TEXT,
  reason_system TEXT, reason_code TEXT, discharge_disposition TEXT, data_source TEXT
)@WITHOUT_ROWID@;
CREATE INDEX encounter_person ON encounter (person_id);
CREATE TABLE condition (
  condition_id @KEY@ NOT NULL PRIMARY KEY,
  person_id @KEY@ NOT NULL REFERENCES patient (person_id),
  encounter_id TEXT, category TEXT, clinical_status TEXT, verification_status TEXT,
  code_system TEXT, code TEXT, onset_date @DATE@, abatement_date @DATE@,
  recorded_date @DATE@, data_source TEXT
)@WITHOUT_ROWID@;
CREATE INDEX condition_person ON condition (person_id);
CREATE TABLE observation (
  observation_id @KEY@ NOT NULL PRIMARY KEY,
  person_id @KEY@ NOT NULL REFERENCES patient (person_id),
  encounter_id TEXT, status TEXT, category TEXT, code_system TEXT, code TEXT,
  effective_date @DATE@, effective_time @TIMESTAMP@, value_num @REAL@, value_unit TEXT,
  value_system TEXT, value_code TEXT, value_text TEXT, data_source TEXT
)@WITHOUT_ROWID@;
CREATE INDEX observation_person ON observation (person_id);
CREATE TABLE procedure (
  procedure_id @KEY@ NOT NULL PRIMARY KEY,
  person_id @KEY@ NOT NULL REFERENCES patient (person_id),
  encounter_id TEXT, status TEXT, code_system TEXT, code TEXT, performed_date @DATE@,
  performer_npi TEXT, data_source TEXT
)@WITHOUT_ROWID@;
CREATE INDEX procedure_person ON procedure (person_id);
CREATE TABLE medication (
  medication_id @KEY@ NOT NULL PRIMARY KEY,
  person_id @KEY@ NOT NULL REFERENCES patient (person_id),
  encounter_id TEXT, kind TEXT, status TEXT, code_system TEXT, code TEXT,
  start_date @DATE@, end_date @DATE@, days_supply BIGINT, dosage_text TEXT,
  prescriber_npi TEXT, data_source TEXT
)@WITHOUT_ROWID@;
CREATE INDEX medication_person ON medication (person_id);
CREATE TABLE immunization (
  immunization_id @KEY@ NOT NULL PRIMARY KEY,
  person_id @KEY@ NOT NULL REFERENCES patient (person_id),
  encounter_id TEXT, status TEXT, code_system TEXT, code TEXT, occurrence_date @DATE@,
  data_source TEXT
)@WITHOUT_ROWID@;
CREATE INDEX immunization_person ON immunization (person_id);
CREATE TABLE hl7_message (
  sending_facility @KEY@ NOT NULL, message_control_id @KEY@ NOT NULL,
  sending_application TEXT, message_type TEXT, event_type TEXT, version TEXT,
  message_time @TIMESTAMP@, received_at @TIMESTAMP@, status TEXT, error TEXT, raw TEXT,
  PRIMARY KEY (sending_facility, message_control_id)
);
CREATE TABLE adt_event (
  sending_facility @KEY@ NOT NULL, message_control_id @KEY@ NOT NULL,
  patient_identifier TEXT, identifier_authority TEXT, person_id TEXT, event_type TEXT,
  event_time @TIMESTAMP@, patient_class TEXT, location TEXT, facility TEXT,
  admit_type TEXT, admit_time @TIMESTAMP@, discharge_time @TIMESTAMP@,
  discharge_disposition TEXT, attending_npi TEXT, diagnosis_code TEXT,
  PRIMARY KEY (sending_facility, message_control_id),
  FOREIGN KEY (sending_facility, message_control_id)
    REFERENCES hl7_message (sending_facility, message_control_id)
)@WITHOUT_ROWID@;
CREATE INDEX adt_event_patient ON adt_event (patient_identifier);
CREATE TABLE source_file (
  content_hash @KEY@ NOT NULL PRIMARY KEY,
  name TEXT, format TEXT, loaded_at @TIMESTAMP@, records_read BIGINT,
  records_loaded BIGINT, records_rejected BIGINT
)@WITHOUT_ROWID@;
-- @@ migration 1 sqlite
CREATE TABLE store_meta (key TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO store_meta (key, value) VALUES ('delivery', 0);
-- @@ migration 1 postgres
CREATE SEQUENCE store_delivery_seq;
-- @@ migration 2 common
CREATE TABLE analysis_run (
  run_id BIGINT NOT NULL PRIMARY KEY,
  as_of @DATE@, window_start @DATE@, window_months BIGINT, payment_year BIGINT,
  engine_version TEXT, started_at @TIMESTAMP@, finished_at @TIMESTAMP@, patients BIGINT
)@WITHOUT_ROWID@;
CREATE TABLE analysis_population (
  as_of @DATE@ NOT NULL PRIMARY KEY,
  run_id BIGINT, patients BIGINT, attributed BIGINT, member_months BIGINT, cost BIGINT,
  pmpm @REAL@, ed_visits BIGINT, ed_classified BIGINT, ed_avoidable_share @REAL@,
  ip_admits BIGINT, index_admits BIGINT, unplanned_readmits BIGINT,
  readmission_rate @REAL@, snf_stays BIGINT, auc_test @REAL@, tier_low BIGINT,
  tier_rising BIGINT, tier_high BIGINT, tier_critical BIGINT, ccm_eligible BIGINT,
  pcm_eligible BIGINT, gaps BIGINT, summary_json TEXT
);
CREATE TABLE analysis_patient (
  as_of @DATE@ NOT NULL, person_id @KEY@ NOT NULL,
  run_id BIGINT, attributed_npi TEXT, attribution_step BIGINT, member_months BIGINT,
  risk_score @REAL@, hcc_count BIGINT, tier TEXT, chronic_count BIGINT, conditions TEXT,
  ccm_eligible SMALLINT, pcm_eligible SMALLINT, ed_visits BIGINT, ed_avoidable BIGINT,
  ip_admits BIGINT, readmissions BIGINT, snf_stays BIGINT, cost BIGINT, pmpm BIGINT,
  probability @REAL@, top_factors TEXT, gaps BIGINT,
  PRIMARY KEY (as_of, person_id)
)@WITHOUT_ROWID@;
CREATE TABLE analysis_discharge (
  as_of @DATE@ NOT NULL, person_id @KEY@ NOT NULL, admission_date @DATE@ NOT NULL,
  run_id BIGINT, discharge_date @DATE@, principal_dx TEXT, discharge_disposition TEXT,
  index_admission SMALLINT, planned SMALLINT, readmit_30 SMALLINT,
  unplanned_readmit_30 SMALLINT, days_to_next_admission BIGINT, lace BIGINT,
  charlson BIGINT,
  PRIMARY KEY (as_of, person_id, admission_date)
)@WITHOUT_ROWID@;
CREATE TABLE analysis_ed_visit (
  as_of @DATE@ NOT NULL, person_id @KEY@ NOT NULL, visit_date @DATE@ NOT NULL,
  run_id BIGINT, principal_dx TEXT, nyu_class TEXT, avoidable_probability @REAL@,
  PRIMARY KEY (as_of, person_id, visit_date)
)@WITHOUT_ROWID@;
CREATE TABLE analysis_gap (
  as_of @DATE@ NOT NULL, person_id @KEY@ NOT NULL, kind @KEY@ NOT NULL,
  hcc BIGINT NOT NULL, code @KEY@ NOT NULL,
  run_id BIGINT, description TEXT, evidence TEXT,
  PRIMARY KEY (as_of, person_id, kind, hcc, code)
)@WITHOUT_ROWID@;
CREATE TABLE measure_result (
  period_start @DATE@ NOT NULL, period_end @DATE@ NOT NULL, measure_id @KEY@ NOT NULL,
  group_id @KEY@ NOT NULL, person_id @KEY@ NOT NULL,
  ip BIGINT, denom BIGINT, denex BIGINT, numer BIGINT, numex BIGINT, denexcep BIGINT,
  computed_at @TIMESTAMP@,
  PRIMARY KEY (period_start, period_end, measure_id, group_id, person_id)
)@WITHOUT_ROWID@;
CREATE INDEX measure_result_person ON measure_result (person_id);
CREATE TABLE care_gap (
  period_start @DATE@ NOT NULL, period_end @DATE@ NOT NULL, measure_id @KEY@ NOT NULL,
  group_id @KEY@ NOT NULL, person_id @KEY@ NOT NULL,
  gap_text TEXT, evidence TEXT, next_action TEXT, due_date @DATE@, priority TEXT,
  computed_at @TIMESTAMP@,
  PRIMARY KEY (period_start, period_end, measure_id, group_id, person_id)
)@WITHOUT_ROWID@;
CREATE INDEX care_gap_person ON care_gap (person_id);
CREATE TABLE measure_summary (
  period_start @DATE@ NOT NULL, period_end @DATE@ NOT NULL, measure_id @KEY@ NOT NULL,
  group_id @KEY@ NOT NULL,
  ip BIGINT, denom BIGINT, denex BIGINT, numer BIGINT, numex BIGINT, denexcep BIGINT,
  rate @REAL@, computed_at @TIMESTAMP@,
  PRIMARY KEY (period_start, period_end, measure_id, group_id)
)@WITHOUT_ROWID@;
-- @@ migration 3 common
ALTER TABLE medication ADD COLUMN intent TEXT;
ALTER TABLE medication ADD COLUMN category TEXT;
ALTER TABLE medication ADD COLUMN refills BIGINT;
ALTER TABLE medication ADD COLUMN quantity @REAL@;
ALTER TABLE medication ADD COLUMN quantity_unit TEXT;
ALTER TABLE medication ADD COLUMN dose_value @REAL@;
ALTER TABLE medication ADD COLUMN dose_unit TEXT;
ALTER TABLE medication ADD COLUMN frequency BIGINT;
ALTER TABLE medication ADD COLUMN period @REAL@;
ALTER TABLE medication ADD COLUMN period_unit TEXT;
-- @@ migration 4 common
-- @@ migration 4 sqlite
CREATE TABLE claim_pack (
  pack_id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
  load_seq BIGINT NOT NULL,
  nclaims BIGINT NOT NULL, nlines BIGINT NOT NULL,
  dmin INTEGER, dmax INTEGER,
  data BLOB NOT NULL
);
CREATE INDEX claim_pack_kind ON claim_pack (kind, nclaims, nlines, dmin, dmax);
CREATE TABLE claim_dir (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
-- @@ migration 5 common
CREATE TABLE app_user (
  username @KEY@ NOT NULL PRIMARY KEY,
  role TEXT NOT NULL, patient_id @KEY@, password_hash TEXT NOT NULL,
  disabled_flag SMALLINT CHECK (disabled_flag IN (0, 1)),
  created_at @TIMESTAMP@, updated_at @TIMESTAMP@
)@WITHOUT_ROWID@;
CREATE TABLE app_session (
  session_hash @KEY@ NOT NULL PRIMARY KEY,
  username @KEY@ NOT NULL, created_at @TIMESTAMP@, last_seen_at @TIMESTAMP@
)@WITHOUT_ROWID@;
CREATE INDEX app_session_user ON app_session (username);
CREATE TABLE audit_entry (
  seq BIGINT NOT NULL PRIMARY KEY,
  at @TIMESTAMP@, username TEXT, role TEXT, action TEXT, resource_type TEXT,
  resource_id TEXT, patient_id @KEY@, outcome TEXT, address TEXT,
  prev_hash TEXT, hash TEXT NOT NULL
)@WITHOUT_ROWID@;
CREATE INDEX audit_entry_patient ON audit_entry (patient_id);
-- @@ migration 5 sqlite
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE ON audit_entry
  WHEN OLD.hash IS NOT NEW.hash OR OLD.seq IS NOT NEW.seq
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- @@ migration 5 postgres
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.hash IS DISTINCT FROM NEW.hash
     OR OLD.seq IS DISTINCT FROM NEW.seq THEN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
