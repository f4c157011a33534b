/* import.h — load files into the store, each detected by its content.
 *
 * `tripod import` hands this module paths (files or folders). Folders are
 * walked (hidden entries skipped); every file's format is detected from its
 * bytes, never its name:
 *   CSV      the Tuva input layer (eligibility, medical_claim, pharmacy_claim,
 *            practitioner, lab_result) by their key columns; Synthea CSVs by
 *            their headers
 *   JSON     a FHIR R4 Bundle (transaction, batch, collection, searchset...) or
 *            one resource; Bulk Data NDJSON (one resource per line), Blue
 *            Button ExplanationOfBenefit NDJSON included
 *   HL7 v2   a file starting with MSH (or a batch header), ADT messages
 * Files are loaded parents first (organisations, practitioners, patients,
 * then everything that refers to them), so a folder loads in one run.
 *
 * Each file is one transaction: it commits whole or the store is left as it
 * was. The content hash of its bytes (BLAKE2b-256) goes into the source_file ledger in the same
 * transaction, so importing the same bytes again is skipped. Records are
 * insert-or-replace by natural key, and a claim re-delivered in a later file
 * replaces the stored version (store.h, "Claims re-delivery"). A bad file
 * stops at its first hard error (err_t naming file:line:col and column, the
 * JSON pointer, or the HL7 segment-field), is rolled back, and the run goes on
 * with the next file. docs/import.md is the user's description.
 */
#ifndef TRIPOD_INGEST_IMPORT_H
#define TRIPOD_INGEST_IMPORT_H

#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum import_format {
    IMPORT_FMT_UNKNOWN = 0,
    IMPORT_FMT_TUVA_ELIGIBILITY,
    IMPORT_FMT_TUVA_MEDICAL_CLAIM,
    IMPORT_FMT_TUVA_PHARMACY_CLAIM,
    IMPORT_FMT_FHIR_JSON,      /* one JSON document: a Bundle or one resource */
    IMPORT_FMT_FHIR_NDJSON,    /* Bulk Data NDJSON */
    IMPORT_FMT_BLUEBUTTON_EOB, /* NDJSON whose first resource is an ExplanationOfBenefit */
    IMPORT_FMT_SYNTHEA_ORGANIZATIONS,
    IMPORT_FMT_SYNTHEA_PROVIDERS,
    IMPORT_FMT_SYNTHEA_PATIENTS,
    IMPORT_FMT_SYNTHEA_ENCOUNTERS,
    IMPORT_FMT_SYNTHEA_CONDITIONS,
    IMPORT_FMT_SYNTHEA_OBSERVATIONS,
    IMPORT_FMT_SYNTHEA_PROCEDURES,
    IMPORT_FMT_SYNTHEA_MEDICATIONS,
    IMPORT_FMT_SYNTHEA_IMMUNIZATIONS,
    IMPORT_FMT_SYNTHEA_OTHER, /* a Synthea CSV with no place in the store (claims, payers...) */
    IMPORT_FMT_HL7V2,
    IMPORT_FMT_TUVA_PRACTITIONER, /* Tuva input-layer practitioner (+ Tripod's flags) */
    IMPORT_FMT_TUVA_LAB_RESULT,   /* Tuva input-layer lab_result */
    IMPORT_FMT_COUNT
} import_format_t;

/* "tuva_medical_claim", "fhir_bundle", "hl7v2", ... (the ledger's format). */
const char *import_format_name(import_format_t f);

/* What a file's bytes are. n may be a prefix of the file (64 KiB is plenty).
 * *synthea is set when the content is Synthea output (CSV header or FHIR
 * marked by Synthea). Returns IMPORT_FMT_UNKNOWN for anything else. */
import_format_t import_detect(const char *buf, size_t n, bool *synthea);

/* Kinds of record counted by an import. */
typedef enum import_kind {
    IK_ORGANIZATION,
    IK_PRACTITIONER,
    IK_PATIENT,
    IK_ENROLLMENT,
    IK_MED_CLAIM_LINE,
    IK_RX_CLAIM_LINE,
    IK_ENCOUNTER,
    IK_CONDITION,
    IK_OBSERVATION,
    IK_PROCEDURE,
    IK_MEDICATION,
    IK_IMMUNIZATION,
    IK_HL7_MESSAGE,
    IK_ADT_EVENT,
    IK_COUNT
} import_kind_t;

/* "patient", "medical_claim_line", ... */
const char *import_kind_name(import_kind_t k);

typedef enum import_status { IMPORT_LOADED, IMPORT_SKIPPED, IMPORT_FAILED } import_status_t;

typedef struct import_file_result {
    char *path; /* as found (the argument, or below a folder argument) */
    import_format_t format;
    import_status_t status;
    char hash[65];   /* BLAKE2b-256, hex; "" when the file could not be read */
    char *reason;    /* skipped: why; failed: the error line (err_format) */
    err_t err;       /* failed: the error */
    int64_t records; /* records (rows, resources, messages) read */
    int64_t ignored; /* records read but not loaded (resource types the store has no place for) */
    int64_t counts[IK_COUNT];
    int64_t bytes;
    double seconds;
} import_file_result_t;

typedef struct import_summary {
    import_file_result_t *files;
    size_t nfiles;
    size_t loaded, skipped, failed;
    int64_t counts[IK_COUNT]; /* over the loaded files */
    double seconds;
} import_summary_t;

void import_summary_free(import_summary_t *sum);

typedef struct import_opts {
    /* Called once per warning (an unknown column, ...); NULL logs it. */
    void (*warn)(void *ctx, const char *path, const char *msg);
    /* Called now and then with bytes done and the total of the run. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    /* Called after each file (loaded, skipped or failed). */
    void (*file_done)(void *ctx, const import_file_result_t *r);
    void *ctx;
    /* Claims CSVs of at least two chunks are parsed by two threads in
     * chunks of about this many bytes; 0 means 1 MiB (tests make it small). */
    size_t chunk_bytes;
} import_opts_t;

/* Imports paths (files or folders) into s. Fills sum (free with
 * import_summary_free). Returns 0 when every file loaded or was skipped;
 * ERR_INPUT with e set to the first failed file's error when some failed
 * (the others still loaded); ERR_USAGE/ERR_IO when a path does not exist or
 * cannot be read. */
int import_paths(store_t *s, const char *const *paths, size_t npaths, const import_opts_t *o,
                 import_summary_t *sum, err_t *e);

/* Loads one buffer (already detected as fmt) into s inside the caller's
 * transaction, without the ledger. buf must be writable and hold len + 1
 * bytes (parsers work in place). name is used in errors. For the fuzzers and
 * tests. */
int import_buffer(store_t *s, import_format_t fmt, const char *name, char *buf, size_t len,
                  import_file_result_t *r, const import_opts_t *o, err_t *e);

#endif
