/* sqpack.h — the byte format of packed claims in the SQLite backend.
 *
 * SQLite pays per row and per column: a claim line of 26 columns costs it
 * about 7 us, several times what it costs to parse the line. The SQLite
 * backend therefore stores claims packed (sqclaims.h): the lines of many
 * claims in one blob. This module is only the codec; it knows nothing of
 * SQL.
 *
 * A pack is SQP_FORMAT (one byte) followed by runs. A run is one claim:
 *   varint body_len, then the body:
 *     varint id_len, the claim_id bytes, a NUL
 *     varint dmin, varint dmax   (the run's date range, 0 = none, else zz(day) + 1)
 *     varint nlines
 *     medical claims only: varint header_len, the header's columns (below)
 *     nlines lines, each: varint line_len, then zz(claim_line_number) and the
 *     line's other columns (below); line_len covers both.
 * Columns [from, ncols) of a table are encoded grouped by type — texts,
 * 64-bit integers (int, money, instants), dates, reals, flags, text lists,
 * date lists, each group in column order — as a bitmap of those holding a
 * value (ceil(n/8) bytes, least significant bit first, one bit per column in
 * that order), then each value: text as varint length, bytes and a NUL
 * (decoding points into the blob: no copy); integers and dates zig-zag
 * varints; reals 8 bytes; flags one byte; lists a bitmap of their items (as
 * above), then the items. Fixed-size bitmaps let the encoder write in one
 * pass; grouping spares it a switch per column.
 * Integers are unsigned LEB128 ("varint"), signed ones zig-zag encoded.
 */
#ifndef TRIPOD_STORE_SQLITE_SQPACK_H
#define TRIPOD_STORE_SQLITE_SQPACK_H

#include "core/buf.h"
#include "core/date.h"
#include "store/store_impl.h"

#include <stdbool.h>
#include <stdint.h>

#define SQP_FORMAT 1

/* A run as read from a pack; pointers into the pack. */
typedef struct sqp_run {
    const uint8_t *start; /* the whole run (for copying it) */
    size_t len;
    const char *id; /* NUL-terminated */
    size_t idlen;
    date_t dmin, dmax; /* DATE_NONE when none */
    uint64_t nlines;
    const uint8_t *hdr; /* medical: the header's columns; else NULL */
    size_t hlen;
    const uint8_t *lines, *end; /* the line entries */
} sqp_run_t;

typedef struct sqp_line {
    const uint8_t *start; /* the whole entry, length prefix included */
    size_t len;
    int64_t number; /* claim_line_number */
    const uint8_t *cols, *end;
} sqp_line_t;

void sqp_put_varint(buf_t *b, uint64_t v);
/* Reads a varint at *p (advanced); -1 when malformed or past end. */
int sqp_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v);

/* Appends the encoding of columns [from, t->ncols) of rec; -1 out of memory
 * or when a table has more than 64 such columns; -2 (b unchanged, *bad_list
 * the column) when a list would not pack as store_list_pack packs it — the
 * rule both backends hold lists to, checked here while they are encoded. */
int sqp_encode_cols(buf_t *b, const store_table_t *t, int from, const void *rec,
                    const store_col_t **bad_list);
/* Sets the columns [from, t->ncols) of rec (initialised by the caller, so
 * absent values stay missing) from their encoding [p, end); text fields
 * point into it. -1 when malformed. */
int sqp_decode_cols(const uint8_t *p, const uint8_t *end, const store_table_t *t, int from,
                    void *rec);

/* Appends one line entry: number, then the encoded columns [cols, cols+n). */
void sqp_put_line(buf_t *b, int64_t number, const uint8_t *cols, size_t n);
/* Appends one run: lines is nlines entries made by sqp_put_line. hdr is
 * NULL for pharmacy claims. */
void sqp_put_run(buf_t *b, const char *id, size_t idlen, date_t dmin, date_t dmax, uint64_t nlines,
                 const uint8_t *hdr, size_t hlen, const uint8_t *lines, size_t llen);

/* Reads the next run at *p (advanced); has_header for medical packs. 1 when
 * a run was read, 0 at end, -1 when malformed. */
int sqp_run_next(const uint8_t **p, const uint8_t *end, bool has_header, sqp_run_t *r);
/* Reads the next line entry of a run: 1, 0 at the end, -1 malformed. */
int sqp_line_next(const uint8_t **p, const uint8_t *end, sqp_line_t *l);

#endif
