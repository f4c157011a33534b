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

/* ---- records ----------------------------------------------------------
 *
 * The record structs are generated from src/store/kinds.def, which describes
 * every kind once: its table, natural key (the KEY columns, in order), and
 * each field with its type, the migration that added it and one line of
 * documentation (docs/schema.md lists them). The structs, in kinds.def order:
 *
 *   store_organization_t   key organization_id
 *   store_practitioner_t   key npi; organization_id -> organization
 *   store_patient_t        key person_id (the Tuva person_id)
 *   store_enrollment_t     key (person_id, payer, plan, enrollment_start_date);
 *                          a missing plan is stored as "" so that the key
 *                          stays unique; person_id -> patient
 *   store_med_claim_t      every column of the Tuva medical_claim input layer;
 *                          key (claim_id, claim_line_number); stored as a
 *                          header (medical_claim: the HDR fields, from the
 *                          last line put for the claim) and lines
 *                          (medical_claim_line). The four repeating groups
 *                          (diagnosis_code[25], ...) are stored packed: their
 *                          items may not contain '|'. See "Claims
 *                          re-delivery" above.
 *   store_rx_claim_t       the Tuva pharmacy_claim; key (claim_id,
 *                          claim_line_number); re-delivery as medical claims
 *   store_encounter_t, store_condition_t, store_observation_t,
 *   store_procedure_t, store_medication_t, store_immunization_t
 *                          clinical records (FHIR R4 / US Core), keyed by
 *                          their id (the importer's resource id, unique in
 *                          the store: prefix it with the source when sources
 *                          may collide); person_id -> patient (import Patient
 *                          resources first); encounter_id is a plain
 *                          reference. code_system is a short name from
 *                          core/codes.h code_system_name(): "ICD10CM",
 *                          "SNOMED", "LOINC", "HCPCS", "RXNORM", "NDC", "CVX"
 *   store_hl7_message_t    a raw HL7 v2 message; key (sending_facility,
 *                          message_control_id) (MSH-4, MSH-10)
 *   store_adt_event_t      the encounter event of an ADT message; same key,
 *                          -> hl7_message
 *   store_source_file_t    the ledger of imported files; key content_hash
 *   results (what `tripod analyze --db` and the quality measures write
 *   back, replaced whole per analysis date or measurement period: clear,
 *   then put, in one transaction; docs/analytics.md has the rules):
 *   store_analysis_run_t   the ledger of engine runs; key run_id (the
 *                          store_transaction_id of the run's transaction)
 *   store_analysis_population_t, store_analysis_patient_t,
 *   store_analysis_discharge_t, store_analysis_ed_visit_t,
 *   store_analysis_gap_t   keyed by as_of first
 *   store_measure_result_t, store_care_gap_t, store_measure_summary_t
 *                          keyed by (period_start, period_end, measure_id,
 *                          group_id, ...)
 *   store_user_t, store_session_t, store_audit_entry_t
 *                          who signs in, their sessions, the hash-chained
 *                          audit log (append-only: the database refuses a
 *                          changed entry under an existing seq, ERR_DB)
 *
 * For each kind store.h declares:
 *   void store_<kind>_init(store_<kind>_t *r);   every field "missing"
 *   int store_put_<kind>(store_t *s, const store_<kind>_t *r, err_t *e);
 *                          (source_file: store_file_record)
 *   typedef int (*store_scan_<kind>_fn)(void *ctx, const store_<kind>_t *r,
 *                                       err_t *e);
 *   int store_scan_<kind>(store_t *s, [filter,] store_scan_<kind>_fn fn,
 *                         void *ctx, err_t *e);
 * where the filter of analysis_population, _patient, _discharge, _ed_visit
 * and _gap is date_t as_of, and that of measure_result, care_gap and
 * measure_summary is (date_t period_start, date_t period_end,
 * const char *measure_id) (see "reading").
 */

#define STORE_SD_CTYPE_ID         const char *
#define STORE_SD_CTYPE_TEXT       const char *
#define STORE_SD_CTYPE_DATE       date_t
#define STORE_SD_CTYPE_TIME       store_time_t
#define STORE_SD_CTYPE_MONEY      money_t
#define STORE_SD_CTYPE_INT        int64_t
#define STORE_SD_CTYPE_REAL       double
#define STORE_SD_CTYPE_FLAG       int
#define STORE_SD_CTYPE_TEXT_LIST  const char *
#define STORE_SD_CTYPE_DATE_LIST  date_t
#define STORE_SD_CTYPE_TEXT_ARRAY const char *
#define STORE_SD_DIM_ID(n)
#define STORE_SD_DIM_TEXT(n)
#define STORE_SD_DIM_DATE(n)
#define STORE_SD_DIM_TIME(n)
#define STORE_SD_DIM_MONEY(n)
#define STORE_SD_DIM_INT(n)
#define STORE_SD_DIM_REAL(n)
#define STORE_SD_DIM_FLAG(n)
#define STORE_SD_DIM_TEXT_LIST(n)  [n]
#define STORE_SD_DIM_DATE_LIST(n)  [n]
#define STORE_SD_DIM_TEXT_ARRAY(n) [n]

#define SD_KIND(k, ...)                    typedef struct store_##k {
#define SD_KIND_HDR(k, ...)                typedef struct store_##k {
#define SD_COLUMN(k, f, col, type, n, ...) STORE_SD_CTYPE_##type f STORE_SD_DIM_##type(n);
#define SD_FKEY(...)
#define SD_END(k)                                                                                  \
    }                                                                                              \
    store_##k##_t;
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
#undef SD_FKEY
#undef SD_END

/* The per-kind functions (see above), by the kind's api in kinds.def. */
#define STORE_SD_SCAN_TYPE(k)                                                                      \
    typedef int (*store_scan_##k##_fn)(void *ctx, const store_##k##_t *r, err_t *e);
#define STORE_SD_INIT_PUT(k)                                                                       \
    void store_##k##_init(store_##k##_t *r);                                                       \
    int store_put_##k(store_t *s, const store_##k##_t *r, err_t *e);                               \
    STORE_SD_SCAN_TYPE(k)
#define STORE_SD_API_ALL(k)                                                                        \
    STORE_SD_INIT_PUT(k)                                                                           \
    int store_scan_##k(store_t *s, store_scan_##k##_fn fn, void *ctx, err_t *e);
#define STORE_SD_API_LEDGER(k)                                                                     \
    void store_##k##_init(store_##k##_t *r);                                                       \
    STORE_SD_SCAN_TYPE(k)                                                                          \
    int store_scan_##k(store_t *s, store_scan_##k##_fn fn, void *ctx, err_t *e);
#define STORE_SD_API_AS_OF(k)                                                                      \
    STORE_SD_INIT_PUT(k)                                                                           \
    int store_scan_##k(store_t *s, date_t as_of, store_scan_##k##_fn fn, void *ctx, err_t *e);
#define STORE_SD_API_PERIOD(k)                                                                     \
    STORE_SD_INIT_PUT(k)                                                                           \
    int store_scan_##k(store_t *s, date_t period_start, date_t period_end, const char *measure_id, \
                       store_scan_##k##_fn fn, void *ctx, err_t *e);
#define SD_KIND(k, K, table, mig, layout, api)                STORE_SD_API_##api(k)
#define SD_KIND_HDR(k, K, table, mig, layout, api, h, hm, hl) STORE_SD_API_##api(k)
#define SD_COLUMN(...)
#define SD_FKEY(...)
#define SD_END(k)
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
#undef SD_FKEY
#undef SD_END

/* ---- writing ---------------------------------------------------------- */

/* store_put_audit_entry: ERR_DB with ERR_CONSTRAINT_CHECK (SQLite) or a
 * store error (PostgreSQL) when an entry with this seq but another hash
 * exists: the log is append-only. */

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
/* Results are scanned filtered: as_of DATE_NONE scans every analysis date;
 * period_start/period_end DATE_NONE every period (give both or neither),
 * measure_id NULL every measure (only with a period). Medical claim scans
 * return lines joined with their header. */

/* Security records by key: fn is called once when the record exists, not
 * at all when it does not. */
int store_get_user(store_t *s, const char *username, store_scan_user_fn fn, void *ctx, err_t *e);
int store_get_session(store_t *s, const char *session_hash, store_scan_session_fn fn, void *ctx,
                      err_t *e);
int store_delete_session(store_t *s, const char *session_hash, err_t *e);
/* Ends every session of a user (disabled, new password). */
int store_delete_user_sessions(store_t *s, const char *username, err_t *e);
/* The audit log entry seq; the last entry (the one whose successor does not
 * exist, found in O(log n) key probes). store_scan_audit_entry reads the log
 * in seq order. */
int store_get_audit_entry(store_t *s, int64_t seq, store_scan_audit_entry_fn fn, void *ctx,
                          err_t *e);
int store_last_audit_entry(store_t *s, store_scan_audit_entry_fn fn, void *ctx, err_t *e);

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
/* The rows of a table in a summary, -1 when the summary has no such table. */
int64_t store_summary_rows(const store_summary_t *sum, const char *table);

/* Time helpers for store_time_t: "YYYY-MM-DDTHH:MM:SSZ" (out >= 21 bytes). */
#define STORE_TIME_FMT_LEN 21
void store_time_format(store_time_t t, char out[STORE_TIME_FMT_LEN]);
/* date_parse_instant (core/date.h) of n bytes of s, blanks around ignored:
 * ISO 8601 / FHIR "YYYY-MM-DD[(T| )HH[:MM[:SS[.fff]]][Z|+HH[:MM]|-HHMM]]" (a
 * bare date is midnight UTC) and HL7 TS "YYYYMMDD[HH[MM[SS[.ffff]]]][+/-ZZZZ]".
 * Returns 0 or -1. */
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
