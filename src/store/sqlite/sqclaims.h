/* sqclaims.h — medical and pharmacy claims in the SQLite backend, packed.
 *
 * SQLite's cost is per row and per column (a 26-column claim line: ~7 us),
 * which bounds a row-per-line layout near 120,000 lines/s. Here a claim is a
 * "run" (its id, its header once, its lines) and consecutive runs share one
 * row of claim_pack (about 16 KB, ~40 medical lines): loading costs SQLite a
 * few bytes' worth of work per line. The logical tables medical_claim,
 * medical_claim_line and pharmacy_claim of docs/schema.md are what scans,
 * counts and date ranges return; the PostgreSQL backend stores them as rows.
 *
 * A directory maps each claim_id to the pack holding it: claim_dir, one row
 * per (kind, hash bucket of the id), so a load writes a few thousand
 * directory rows rather than one per claim. Within a transaction the
 * directory is held in memory (the buckets it touched), and written back
 * before any read and at the commit (sqc_settle).
 *
 * Re-delivery (store.h): when a transaction puts a claim_id that an earlier
 * transaction stored, the earlier run is dropped from its pack. A claim whose
 * lines arrive in several pieces, or repeat a line number, is merged into
 * one run at sqc_settle (the later line wins, the header of the last line
 * put is the claim's). So after every settle each claim is exactly one run,
 * lines in line-number order, in exactly one pack.
 *
 * Threads: sqc_put and everything else run on the store's thread; only
 * sqc_write may run on the writer thread, on a batch the store's thread no
 * longer touches, while no other function of this module runs.
 */
#ifndef TRIPOD_STORE_SQLITE_SQCLAIMS_H
#define TRIPOD_STORE_SQLITE_SQCLAIMS_H

#include "core/err.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdbool.h>

typedef struct sqc sqc_t;
typedef struct sqc_batch sqc_batch_t; /* finished packs waiting to be written */

sqc_t *sqc_new(sqlite3 *db);
void sqc_free(sqc_t *c);

sqc_batch_t *sqc_batch_new(void);
void sqc_batch_free(sqc_batch_t *b);
/* Bytes of packs in b (0 when empty). */
size_t sqc_batch_bytes(const sqc_batch_t *b);
void sqc_batch_clear(sqc_batch_t *b);
/* Inserts the packs of b and empties it (even on failure). */
int sqc_write(sqc_t *c, sqc_batch_t *b, err_t *e);

/* True when the next sqc_put of kind k reads the database (its first in the
 * transaction): the caller makes the connection idle first. */
bool sqc_needs_db(const sqc_t *c, const store_kind_def_t *k);
/* Adds a claim line; packs it finishes are appended to out. */
int sqc_put(sqc_t *c, const store_kind_def_t *k, const void *rec, int64_t delivery,
            sqc_batch_t *out, err_t *e);
/* Writes what the transaction holds back: the open packs, merged claims,
 * dropped runs, the directory. The connection must be idle and every batch
 * handed out written. */
int sqc_settle(sqc_t *c, int64_t delivery, err_t *e);
/* Forgets the transaction's state (after the commit, or a rollback). */
void sqc_end(sqc_t *c);

/* The claims (claims true) or lines of kind k. */
int sqc_count(sqc_t *c, const store_kind_def_t *k, bool claims, int64_t *n, err_t *e);
/* min and max of the kind's dates: medical claim_start_date/claim_end_date,
 * pharmacy dispensing_date (store_summary's ranges). */
int sqc_date_range(sqc_t *c, const store_kind_def_t *k, date_t *min, date_t *max, err_t *e);
/* Scans kind k in key order; nfilter 1 or 2 = one claim_id (and line). */
int sqc_scan(sqc_t *c, const store_kind_def_t *k, int nfilter, const void *filter,
             store_scan_raw_fn fn, void *ctx, err_t *e);
/* Drops claim_id from both kinds; *deleted gets the lines dropped. */
int sqc_delete(sqc_t *c, const char *claim_id, int64_t *deleted, err_t *e);

#endif
