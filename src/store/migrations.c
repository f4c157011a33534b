/* migrations.c — the versioned schema, written once for both dialects.
 *
 * Migration N is applied once, in its own transaction, and recorded in
 * schema_version. A released migration is never edited: change the schema by
 * appending migration N+1 (and the descriptors in schema.c). The DDL uses
 * @TOKENS@ for the few dialect differences (store_impl.h); everything else —
 * BIGINT cents, ON CONFLICT upserts, foreign keys — is the same SQL on both.
 * docs/schema.md documents every table and column.
 */
#include "store/store_impl.h"

#include "core/log.h"

#include <string.h>

/* The tables. Key columns are NOT NULL; "" stands for a missing optional key
 * part so that keys stay unique (SQL NULLs are distinct).
 *
 * Narrow tables are clustered on their natural key (SQLite WITHOUT ROWID: one
 * b-tree instead of table + index). The claim header (125 columns, mostly
 * NULL) and raw HL7 messages are wide rows, which SQLite stores better in a
 * rowid table beside a key index: measured 2.5x faster to load.
 *
 * medical_claim_line -> medical_claim is not a declared foreign key: the
 * store writes a claim's header with its lines in the same put and deletes
 * them together (store_delete_claim), and the declared constraint doubled
 * SQLite's per-line insert cost. */
static const char m1_sql[] =
    "CREATE TABLE organization (\n"
    "  organization_id @KEY@ NOT NULL PRIMARY KEY,\n"
    "  npi TEXT, tin TEXT, name TEXT, organization_type TEXT, parent_organization_id TEXT,\n"
    "  address TEXT, city TEXT, state TEXT, zip_code TEXT, phone TEXT, data_source TEXT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE practitioner (\n"
    "  npi @KEY@ NOT NULL PRIMARY KEY,\n"
    "  first_name TEXT, last_name TEXT, credential TEXT, specialty_code TEXT, specialty TEXT,\n"
    "  primary_care_flag SMALLINT CHECK (primary_care_flag IN (0, 1)),\n"
    "  in_network_flag SMALLINT CHECK (in_network_flag IN (0, 1)),\n"
    "  organization_id @KEY@ REFERENCES organization (organization_id),\n"
    "  tin TEXT, data_source TEXT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX practitioner_organization ON practitioner (organization_id);\n"
    "CREATE TABLE patient (\n"
    "  person_id @KEY@ NOT NULL PRIMARY KEY,\n"
    "  first_name TEXT, middle_name TEXT, last_name TEXT, name_suffix TEXT, gender TEXT,\n"
    "  race TEXT, ethnicity TEXT, birth_date @DATE@, death_date @DATE@,\n"
    "  death_flag SMALLINT CHECK (death_flag IN (0, 1)),\n"
    "  address TEXT, city TEXT, state TEXT, zip_code TEXT, phone TEXT, email TEXT,\n"
    "  data_source TEXT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE enrollment (\n"
    "  person_id @KEY@ NOT NULL REFERENCES patient (person_id),\n"
    "  payer @KEY@ NOT NULL, plan @KEY@ NOT NULL, enrollment_start_date @DATE@ NOT NULL,\n"
    "  member_id TEXT, subscriber_id TEXT, subscriber_relation TEXT, payer_type TEXT,\n"
    "  enrollment_end_date @DATE@, original_reason_entitlement_code TEXT,\n"
    "  dual_status_code TEXT, medicare_status_code TEXT, group_id TEXT, group_name TEXT,\n"
    "  enrollment_status TEXT, hospice_flag SMALLINT, snp_type TEXT, medicaid_indicator SMALLINT,\n"
    "  long_term_institutional_flag SMALLINT, part_d_raf_type TEXT,\n"
    "  low_income_subsidy_indicator SMALLINT, metal_level TEXT, csr_indicator TEXT,\n"
    "  esrd_status TEXT, data_source TEXT, file_name TEXT, file_date @DATE@,\n"
    "  PRIMARY KEY (person_id, payer, plan, enrollment_start_date)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE medical_claim (\n"
    "  claim_id @KEY@ NOT NULL PRIMARY KEY,\n"
    "  claim_type TEXT, person_id @KEY@, member_id TEXT, payer TEXT, plan TEXT,\n"
    "  claim_start_date @DATE@, claim_end_date @DATE@, admission_date @DATE@,\n"
    "  discharge_date @DATE@, admit_source_code TEXT, admit_type_code TEXT,\n"
    "  discharge_disposition_code TEXT, bill_type_code TEXT, drg_code_type TEXT, drg_code TEXT,\n"
    "  billing_npi TEXT, billing_tin TEXT, facility_npi TEXT, diagnosis_code_type TEXT,\n"
    /* The repeating groups of the Tuva layout (diagnosis_code_1..25,
     * diagnosis_poa_1..25, procedure_code_1..25, procedure_date_1..25), each
     * packed into one column: items joined with '|', positions kept,
     * trailing empty items dropped (store_impl.h, SC_TEXT_LIST). */
    "  diagnosis_codes TEXT, diagnosis_poas TEXT, procedure_code_type TEXT,\n"
    "  procedure_codes TEXT, procedure_dates TEXT,\n"
    "  data_source TEXT, file_name TEXT, file_date @DATE@, ingest_datetime TEXT\n"
    ");\n"
    "CREATE INDEX medical_claim_person ON medical_claim (person_id);\n"
    "CREATE TABLE medical_claim_line (\n"
    "  claim_id @KEY@ NOT NULL,\n"
    "  claim_line_number BIGINT NOT NULL,\n"
    "  claim_line_start_date @DATE@, claim_line_end_date @DATE@, place_of_service_code TEXT,\n"
    "  revenue_center_code TEXT, service_unit_quantity @REAL@, hcpcs_code TEXT,\n"
    "  hcpcs_modifier_1 TEXT, hcpcs_modifier_2 TEXT, hcpcs_modifier_3 TEXT,\n"
    "  hcpcs_modifier_4 TEXT, hcpcs_modifier_5 TEXT, rendering_npi TEXT, rendering_tin TEXT,\n"
    "  paid_date @DATE@, paid_amount BIGINT, allowed_amount BIGINT, charge_amount BIGINT,\n"
    "  coinsurance_amount BIGINT, copayment_amount BIGINT, deductible_amount BIGINT,\n"
    "  total_cost_amount BIGINT,\n"
    "  in_network_flag SMALLINT CHECK (in_network_flag IN (0, 1)),\n"
    "  load_seq BIGINT NOT NULL,\n"
    "  PRIMARY KEY (claim_id, claim_line_number)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE pharmacy_claim (\n"
    "  claim_id @KEY@ NOT NULL, claim_line_number BIGINT NOT NULL,\n"
    "  person_id @KEY@, member_id TEXT, payer TEXT, plan TEXT, prescribing_provider_npi TEXT,\n"
    "  dispensing_provider_npi TEXT, dispensing_date @DATE@, ndc_code TEXT, quantity @REAL@,\n"
    "  days_supply BIGINT, refills BIGINT, paid_date @DATE@, paid_amount BIGINT,\n"
    "  allowed_amount BIGINT, charge_amount BIGINT, coinsurance_amount BIGINT,\n"
    "  copayment_amount BIGINT, deductible_amount BIGINT,\n"
    "  in_network_flag SMALLINT CHECK (in_network_flag IN (0, 1)),\n"
    "  data_source TEXT, file_name TEXT, file_date @DATE@, ingest_datetime TEXT,\n"
    "  load_seq BIGINT NOT NULL,\n"
    "  PRIMARY KEY (claim_id, claim_line_number)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX pharmacy_claim_person ON pharmacy_claim (person_id);\n"
    "CREATE TABLE encounter (\n"
    "  encounter_id @KEY@ NOT NULL PRIMARY KEY,\n"
    "  person_id @KEY@ NOT NULL REFERENCES patient (person_id),\n"
    "  status TEXT, class_code TEXT, type_system TEXT, type_code TEXT,\n"
    "  start_date @DATE@, end_date @DATE@, practitioner_npi TEXT, organization_id TEXT,\n"
    "  reason_system TEXT, reason_code TEXT, discharge_disposition TEXT, data_source TEXT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX encounter_person ON encounter (person_id);\n"
    "CREATE TABLE condition (\n"
    "  condition_id @KEY@ NOT NULL PRIMARY KEY,\n"
    "  person_id @KEY@ NOT NULL REFERENCES patient (person_id),\n"
    "  encounter_id TEXT, category TEXT, clinical_status TEXT, verification_status TEXT,\n"
    "  code_system TEXT, code TEXT, onset_date @DATE@, abatement_date @DATE@,\n"
    "  recorded_date @DATE@, data_source TEXT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX condition_person ON condition (person_id);\n"
    "CREATE TABLE observation (\n"
    "  observation_id @KEY@ NOT NULL PRIMARY KEY,\n"
    "  person_id @KEY@ NOT NULL REFERENCES patient (person_id),\n"
    "  encounter_id TEXT, status TEXT, category TEXT, code_system TEXT, code TEXT,\n"
    "  effective_date @DATE@, effective_time @TIMESTAMP@, value_num @REAL@, value_unit TEXT,\n"
    "  value_system TEXT, value_code TEXT, value_text TEXT, data_source TEXT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX observation_person ON observation (person_id);\n"
    "CREATE TABLE procedure (\n"
    "  procedure_id @KEY@ NOT NULL PRIMARY KEY,\n"
    "  person_id @KEY@ NOT NULL REFERENCES patient (person_id),\n"
    "  encounter_id TEXT, status TEXT, code_system TEXT, code TEXT, performed_date @DATE@,\n"
    "  performer_npi TEXT, data_source TEXT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX procedure_person ON procedure (person_id);\n"
    "CREATE TABLE medication (\n"
    "  medication_id @KEY@ NOT NULL PRIMARY KEY,\n"
    "  person_id @KEY@ NOT NULL REFERENCES patient (person_id),\n"
    "  encounter_id TEXT, kind TEXT, status TEXT, code_system TEXT, code TEXT,\n"
    "  start_date @DATE@, end_date @DATE@, days_supply BIGINT, dosage_text TEXT,\n"
    "  prescriber_npi TEXT, data_source TEXT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX medication_person ON medication (person_id);\n"
    "CREATE TABLE immunization (\n"
    "  immunization_id @KEY@ NOT NULL PRIMARY KEY,\n"
    "  person_id @KEY@ NOT NULL REFERENCES patient (person_id),\n"
    "  encounter_id TEXT, status TEXT, code_system TEXT, code TEXT, occurrence_date @DATE@,\n"
    "  data_source TEXT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX immunization_person ON immunization (person_id);\n"
    /* Raw messages are large: a rowid table keeps them off the key b-tree. */
    "CREATE TABLE hl7_message (\n"
    "  sending_facility @KEY@ NOT NULL, message_control_id @KEY@ NOT NULL,\n"
    "  sending_application TEXT, message_type TEXT, event_type TEXT, version TEXT,\n"
    "  message_time @TIMESTAMP@, received_at @TIMESTAMP@, status TEXT, error TEXT, raw TEXT,\n"
    "  PRIMARY KEY (sending_facility, message_control_id)\n"
    ");\n"
    "CREATE TABLE adt_event (\n"
    "  sending_facility @KEY@ NOT NULL, message_control_id @KEY@ NOT NULL,\n"
    "  patient_identifier TEXT, identifier_authority TEXT, person_id TEXT, event_type TEXT,\n"
    "  event_time @TIMESTAMP@, patient_class TEXT, location TEXT, facility TEXT,\n"
    "  admit_type TEXT, admit_time @TIMESTAMP@, discharge_time @TIMESTAMP@,\n"
    "  discharge_disposition TEXT, attending_npi TEXT, diagnosis_code TEXT,\n"
    "  PRIMARY KEY (sending_facility, message_control_id),\n"
    "  FOREIGN KEY (sending_facility, message_control_id)\n"
    "    REFERENCES hl7_message (sending_facility, message_control_id)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX adt_event_patient ON adt_event (patient_identifier);\n"
    "CREATE TABLE source_file (\n"
    "  content_hash @KEY@ NOT NULL PRIMARY KEY,\n"
    "  name TEXT, format TEXT, loaded_at @TIMESTAMP@, records_read BIGINT,\n"
    "  records_loaded BIGINT, records_rejected BIGINT\n"
    ")@WITHOUT_ROWID@;\n";

/* The delivery counter (store_impl.h: load_seq). PostgreSQL uses a sequence
 * so that concurrent importers do not serialise on one row. */
static const char m1_sqlite[] = "CREATE TABLE store_meta (key TEXT NOT NULL PRIMARY KEY,"
                                " value INTEGER NOT NULL) WITHOUT ROWID;\n"
                                "INSERT INTO store_meta (key, value) VALUES ('delivery', 0);\n";
static const char m1_pg[] = "CREATE SEQUENCE store_delivery_seq;\n";

/* Migration 2: the results the engine (tripod analyze --db) and the quality
 * measures write back. Keyed by analysis date / measurement period first, so
 * that a re-run clears its own rows with one range delete on the key. No
 * foreign keys: results are replaced whole and never outlive a re-run. */
static const char m2_sql[] =
    "CREATE TABLE analysis_run (\n"
    "  run_id BIGINT NOT NULL PRIMARY KEY,\n"
    "  as_of @DATE@, window_start @DATE@, window_months BIGINT, payment_year BIGINT,\n"
    "  engine_version TEXT, started_at @TIMESTAMP@, finished_at @TIMESTAMP@, patients BIGINT\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE analysis_population (\n"
    "  as_of @DATE@ NOT NULL PRIMARY KEY,\n"
    "  run_id BIGINT, patients BIGINT, attributed BIGINT, member_months BIGINT, cost BIGINT,\n"
    "  pmpm @REAL@, ed_visits BIGINT, ed_classified BIGINT, ed_avoidable_share @REAL@,\n"
    "  ip_admits BIGINT, index_admits BIGINT, unplanned_readmits BIGINT,\n"
    "  readmission_rate @REAL@, snf_stays BIGINT, auc_test @REAL@, tier_low BIGINT,\n"
    "  tier_rising BIGINT, tier_high BIGINT, tier_critical BIGINT, ccm_eligible BIGINT,\n"
    "  pcm_eligible BIGINT, gaps BIGINT, summary_json TEXT\n"
    ");\n"
    "CREATE TABLE analysis_patient (\n"
    "  as_of @DATE@ NOT NULL, person_id @KEY@ NOT NULL,\n"
    "  run_id BIGINT, attributed_npi TEXT, attribution_step BIGINT, member_months BIGINT,\n"
    "  risk_score @REAL@, hcc_count BIGINT, tier TEXT, chronic_count BIGINT, conditions TEXT,\n"
    "  ccm_eligible SMALLINT, pcm_eligible SMALLINT, ed_visits BIGINT, ed_avoidable BIGINT,\n"
    "  ip_admits BIGINT, readmissions BIGINT, snf_stays BIGINT, cost BIGINT, pmpm BIGINT,\n"
    "  probability @REAL@, top_factors TEXT, gaps BIGINT,\n"
    "  PRIMARY KEY (as_of, person_id)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE analysis_discharge (\n"
    "  as_of @DATE@ NOT NULL, person_id @KEY@ NOT NULL, admission_date @DATE@ NOT NULL,\n"
    "  run_id BIGINT, discharge_date @DATE@, principal_dx TEXT, discharge_disposition TEXT,\n"
    "  index_admission SMALLINT, planned SMALLINT, readmit_30 SMALLINT,\n"
    "  unplanned_readmit_30 SMALLINT, days_to_next_admission BIGINT, lace BIGINT,\n"
    "  charlson BIGINT,\n"
    "  PRIMARY KEY (as_of, person_id, admission_date)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE analysis_ed_visit (\n"
    "  as_of @DATE@ NOT NULL, person_id @KEY@ NOT NULL, visit_date @DATE@ NOT NULL,\n"
    "  run_id BIGINT, principal_dx TEXT, nyu_class TEXT, avoidable_probability @REAL@,\n"
    "  PRIMARY KEY (as_of, person_id, visit_date)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE analysis_gap (\n"
    "  as_of @DATE@ NOT NULL, person_id @KEY@ NOT NULL, kind @KEY@ NOT NULL,\n"
    "  hcc BIGINT NOT NULL, code @KEY@ NOT NULL,\n"
    "  run_id BIGINT, description TEXT, evidence TEXT,\n"
    "  PRIMARY KEY (as_of, person_id, kind, hcc, code)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE measure_result (\n"
    "  period_start @DATE@ NOT NULL, period_end @DATE@ NOT NULL, measure_id @KEY@ NOT NULL,\n"
    "  group_id @KEY@ NOT NULL, person_id @KEY@ NOT NULL,\n"
    "  ip BIGINT, denom BIGINT, denex BIGINT, numer BIGINT, numex BIGINT, denexcep BIGINT,\n"
    "  computed_at @TIMESTAMP@,\n"
    "  PRIMARY KEY (period_start, period_end, measure_id, group_id, person_id)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX measure_result_person ON measure_result (person_id);\n"
    "CREATE TABLE care_gap (\n"
    "  period_start @DATE@ NOT NULL, period_end @DATE@ NOT NULL, measure_id @KEY@ NOT NULL,\n"
    "  group_id @KEY@ NOT NULL, person_id @KEY@ NOT NULL,\n"
    "  gap_text TEXT, evidence TEXT, next_action TEXT, due_date @DATE@, priority TEXT,\n"
    "  computed_at @TIMESTAMP@,\n"
    "  PRIMARY KEY (period_start, period_end, measure_id, group_id, person_id)\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX care_gap_person ON care_gap (person_id);\n"
    "CREATE TABLE measure_summary (\n"
    "  period_start @DATE@ NOT NULL, period_end @DATE@ NOT NULL, measure_id @KEY@ NOT NULL,\n"
    "  group_id @KEY@ NOT NULL,\n"
    "  ip BIGINT, denom BIGINT, denex BIGINT, numer BIGINT, numex BIGINT, denexcep BIGINT,\n"
    "  rate @REAL@, computed_at @TIMESTAMP@,\n"
    "  PRIMARY KEY (period_start, period_end, measure_id, group_id)\n"
    ")@WITHOUT_ROWID@;\n";

/* Migration 3: the medication order details the eCQMs read from a
 * MedicationRequest (CMS156 "more than one order" counts refills; the
 * cumulative-duration library reads quantity, dose and timing). Nullable
 * columns added at the end: rows stored before read them as missing.
 * observation.category needs no DDL: it now holds every category of the
 * resource joined with '|' (a single category reads as before). */
static const char m3_sql[] = "ALTER TABLE medication ADD COLUMN intent TEXT;\n"
                             "ALTER TABLE medication ADD COLUMN category TEXT;\n"
                             "ALTER TABLE medication ADD COLUMN refills BIGINT;\n"
                             "ALTER TABLE medication ADD COLUMN quantity @REAL@;\n"
                             "ALTER TABLE medication ADD COLUMN quantity_unit TEXT;\n"
                             "ALTER TABLE medication ADD COLUMN dose_value @REAL@;\n"
                             "ALTER TABLE medication ADD COLUMN dose_unit TEXT;\n"
                             "ALTER TABLE medication ADD COLUMN frequency BIGINT;\n"
                             "ALTER TABLE medication ADD COLUMN period @REAL@;\n"
                             "ALTER TABLE medication ADD COLUMN period_unit TEXT;\n";

/* Migration 4: in SQLite, medical and pharmacy claims are packed
 * (src/store/sqlite/sqclaims.h): SQLite's cost per row and column bounded
 * a row per claim line near 120,000 lines/s. The backend's migrated hook
 * moves the claims of an older file into packs and drops the three claim
 * tables. PostgreSQL keeps them (COPY is not bound that way). */
static const char m4_sqlite[] =
    "CREATE TABLE claim_pack (\n"
    "  pack_id INTEGER PRIMARY KEY,\n"
    "  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),\n"
    "  load_seq BIGINT NOT NULL,\n"
    "  nclaims BIGINT NOT NULL, nlines BIGINT NOT NULL,\n"
    "  dmin INTEGER, dmax INTEGER,\n"
    "  data BLOB NOT NULL\n"
    ");\n"
    "CREATE INDEX claim_pack_kind ON claim_pack (kind, nclaims, nlines, dmin, dmax);\n"
    "CREATE TABLE claim_dir (id INTEGER PRIMARY KEY, data BLOB NOT NULL);\n";

/* Migration 5: who signs in, their sessions, and the audit log (src/audit/).
 * "user" and "session" are reserved words in PostgreSQL: the tables are
 * app_user and app_session. The audit log is append-only in the database
 * itself: a trigger refuses a delete, and an update that changes an entry
 * (a re-put of the same entry is the store's idempotent no-op and passes). */
static const char m5_sql[] =
    "CREATE TABLE app_user (\n"
    "  username @KEY@ NOT NULL PRIMARY KEY,\n"
    "  role TEXT NOT NULL, patient_id @KEY@, password_hash TEXT NOT NULL,\n"
    "  disabled_flag SMALLINT CHECK (disabled_flag IN (0, 1)),\n"
    "  created_at @TIMESTAMP@, updated_at @TIMESTAMP@\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE TABLE app_session (\n"
    "  session_hash @KEY@ NOT NULL PRIMARY KEY,\n"
    "  username @KEY@ NOT NULL, created_at @TIMESTAMP@, last_seen_at @TIMESTAMP@\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX app_session_user ON app_session (username);\n"
    "CREATE TABLE audit_entry (\n"
    "  seq BIGINT NOT NULL PRIMARY KEY,\n"
    "  at @TIMESTAMP@, username TEXT, role TEXT, action TEXT, resource_type TEXT,\n"
    "  resource_id TEXT, patient_id @KEY@, outcome TEXT, address TEXT,\n"
    "  prev_hash TEXT, hash TEXT NOT NULL\n"
    ")@WITHOUT_ROWID@;\n"
    "CREATE INDEX audit_entry_patient ON audit_entry (patient_id);\n";
static const char m5_sqlite[] =
    "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE ON audit_entry\n"
    "  WHEN OLD.hash IS NOT NEW.hash OR OLD.seq IS NOT NEW.seq\n"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry\n"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n";
static const char m5_pg[] =
    "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF TG_OP = 'DELETE' OR OLD.hash IS DISTINCT FROM NEW.hash\n"
    "     OR OLD.seq IS DISTINCT FROM NEW.seq THEN\n"
    "    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = '23514';\n"
    "  END IF;\n"
    "  RETURN NEW;\n"
    "END $$;\n"
    "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry\n"
    "  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();\n";

static const store_migration_t migrations[] = {
    { 1, "initial schema: organisations to source files", m1_sql, m1_sqlite, m1_pg },
    { 2, "results: analysis runs, patients, discharges, ED visits, gaps; measures", m2_sql, NULL,
      NULL },
    { 3, "medication order details: intent, category, refills, quantity, dose, timing", m3_sql,
      NULL, NULL },
    { 4, "claims packed in SQLite (PostgreSQL unchanged)", "", m4_sqlite, NULL },
    { 5, "users, sessions and the hash-chained audit log", m5_sql, m5_sqlite, m5_pg },
};

const store_migration_t *store_migrations(int *n)
{
    *n = (int)(sizeof migrations / sizeof migrations[0]);
    return migrations;
}

int store_schema_latest(void)
{
    int n;
    const store_migration_t *m = store_migrations(&n);
    return m[n - 1].version;
}

int store_sql_subst(const store_dialect_t *d, const char *sql, buf_t *out)
{
    static const char *const tokens[] = { "@KEY@", "@DATE@", "@TIMESTAMP@", "@REAL@",
                                          "@WITHOUT_ROWID@" };
    const char *repl[] = { d->key, d->date, d->timestamp, d->real, d->without_rowid };
    buf_reset(out);
    for (const char *p = sql; *p;) {
        const char *at = strchr(p, '@');
        if (!at)
            return buf_puts(out, p);
        if (buf_append(out, p, (size_t)(at - p)) != 0)
            return -1;
        size_t i = 0;
        for (; i < sizeof tokens / sizeof tokens[0]; i++)
            if (strncmp(at, tokens[i], strlen(tokens[i])) == 0)
                break;
        if (i == sizeof tokens / sizeof tokens[0]) {
            if (buf_putc(out, '@') != 0)
                return -1;
            p = at + 1;
            continue;
        }
        if (buf_puts(out, repl[i]) != 0)
            return -1;
        p = at + strlen(tokens[i]);
    }
    return 0;
}

/* Each pending migration runs in a transaction that also re-reads the
 * version under the migration lock, so two processes opening a new database
 * at once apply it once. */
int store_migrate(store_t *s, err_t *e)
{
    const store_vtab_t *vt = s->vt;
    int n;
    const store_migration_t *m = store_migrations(&n);
    int64_t cur = 0;
    bool isnull = false;
    err_t ignore;
    /* The common case, an up-to-date database, takes one query and no lock. */
    if (vt->query_i64(s, "SELECT max(version) FROM schema_version", &cur, &isnull, &ignore) == 0 &&
        !isnull && cur >= m[n - 1].version)
        return 0;
    buf_t sql = BUF_INIT;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if ((rc = vt->migrate_begin(s, e)) != 0)
            goto done;
        if (store_sql_subst(vt->dialect,
                            "CREATE TABLE IF NOT EXISTS schema_version (\n"
                            "  version INTEGER NOT NULL PRIMARY KEY,\n"
                            "  description TEXT NOT NULL,\n"
                            "  applied_at @TIMESTAMP@ NOT NULL DEFAULT CURRENT_TIMESTAMP\n"
                            ")",
                            &sql) != 0) {
            rc = err_set(e, ERR_NOMEM, "migration SQL too large");
            goto fail;
        }
        if ((rc = vt->exec(s, buf_cstr(&sql), e)) != 0)
            goto fail;
        if ((rc = vt->query_i64(s, "SELECT max(version) FROM schema_version", &cur, &isnull, e)) !=
            0)
            goto fail;
        if (!isnull && cur >= m[i].version) {
            if ((rc = vt->commit(s, e)) != 0)
                goto fail;
            continue;
        }
        const char *extra = strcmp(vt->name, "sqlite") == 0 ? m[i].sql_sqlite : m[i].sql_pg;
        if (store_sql_subst(vt->dialect, m[i].sql, &sql) != 0 ||
            (extra && buf_puts(&sql, extra) != 0) ||
            buf_printf(&sql, "INSERT INTO schema_version (version, description) VALUES (%d, '%s');",
                       m[i].version, m[i].description) != 0) {
            rc = err_set(e, ERR_NOMEM, "migration SQL too large");
            goto fail;
        }
        if ((rc = vt->exec(s, buf_cstr(&sql), e)) != 0) {
            err_where(e, NULL, 0, 0, "schema_version");
            goto fail;
        }
        if (vt->migrated && (rc = vt->migrated(s, m[i].version, e)) != 0)
            goto fail;
        if ((rc = vt->commit(s, e)) != 0)
            goto fail;
        log_info("store.migrate", "applied schema migration %d", m[i].version);
    }
    goto done;
fail:
    vt->rollback(s, &ignore);
done:
    buf_free(&sql);
    return rc;
}
