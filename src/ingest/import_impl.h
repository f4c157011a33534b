/* import_impl.h — what the loaders of src/ingest/ share (private).
 *
 * A loader reads one file's bytes (writable, len + 1) and puts records into
 * the store inside the transaction import.c opened. It counts what it loads
 * in r->counts, reports warnings through warn(), progress through
 * import_tick(), and fails with ERR_INPUT naming the place at fault.
 */
#ifndef TRIPOD_INGEST_IMPORT_IMPL_H
#define TRIPOD_INGEST_IMPORT_IMPL_H

#include "core/arena.h"
#include "ingest/import.h"
#include "core/hmap.h"

/* State of one run (several files). Zeroed at the start of the run. */
typedef struct import_run {
    hmap_t orgs; /* organisation ids known to be stored (lazily filled; a set) */
    bool orgs_loaded;
} import_run_t;

typedef struct import_ctx {
    store_t *s;
    const char *name; /* the path, for errors */
    char *buf;
    size_t len;
    import_file_result_t *r;
    const import_opts_t *o;
    uint64_t done_before; /* bytes of the run before this file */
    uint64_t total;       /* bytes of the run */
    unsigned tick;
    import_run_t *run;
    /* The file's content hash is computed by another thread while the file loads;
     * once it is known and found in the ledger, the load stops early. */
    struct import_hasher *hasher;
    bool seen_checked;
    bool seen; /* the file turned out to be loaded already */
} import_ctx_t;

/* Waits until the first upto bytes of c->buf are read (the file is read on
 * another thread while it loads) and returns how many are: fewer only when
 * the file ended early (it changed, or could not be read). */
size_t import_wait(import_ctx_t *c, size_t upto);
/* Reports a warning (once per file for each kind: the caller decides). */
void import_warn(import_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Call every few thousand records with the offset reached in the file:
 * reports progress and returns non-zero (e set) when the load must stop
 * because the file is already in the ledger; the loader returns that code. */
int import_tick(import_ctx_t *c, size_t offset, err_t *e);
/* True when organization_id is stored (or put earlier in this run). */
bool import_org_known(import_ctx_t *c, const char *organization_id, err_t *e);
void import_org_add(import_ctx_t *c, const char *organization_id);

/* The loaders. */
int tuva_load(import_ctx_t *c, import_format_t fmt, err_t *e);
int synthea_load(import_ctx_t *c, import_format_t fmt, err_t *e);
int fhir_load_json(import_ctx_t *c, err_t *e);
int fhir_load_ndjson(import_ctx_t *c, err_t *e);

/* Shared value parsers for CSV loaders: each reads a NUL-terminated field
 * (surrounding blanks ignored) and returns 0, or -1 (the caller reports). */
int import_parse_date(const char *s, size_t n, date_t *out); /* ISO, YYYYMMDD, dateTime */
/* Sex and flag words: core/value.h. */

#endif
