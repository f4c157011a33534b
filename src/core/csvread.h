/* csvread.h — a streaming RFC 4180 CSV reader that knows where it is.
 *
 * Reads records from a writable buffer holding a whole file, in place: each
 * field is returned as a NUL-terminated string inside the buffer (the byte
 * after a field, a delimiter or line end, is overwritten with NUL, and a
 * quoted field is unescaped where it stands). So the buffer must be writable
 * and hold one spare byte past its end (len + 1 bytes), and the fields of a
 * record stay valid until the buffer is freed.
 *
 * Lenient: a UTF-8 byte-order mark, LF or CRLF line ends, quoted fields with
 * embedded commas, quotes ("") and line breaks, blank lines (skipped), a last
 * line without a line end. Strict: an unterminated quote, text after a closing
 * quote, a quote inside an unquoted field, a NUL byte. Every field carries the
 * 1-based line and column (bytes) where it starts, so that an importer can say
 * "file:line:col" for a bad value.
 */
#ifndef TRIPOD_CORE_CSVREAD_H
#define TRIPOD_CORE_CSVREAD_H

#include "core/err.h"

#include <stddef.h>

#define CSVR_MAX_FIELDS 4096 /* fields in one record (a hostile file cannot exceed it) */

typedef struct csvr_field {
    char *s;  /* NUL-terminated, in the buffer */
    size_t n; /* length */
    long line;
    long col;
} csvr_field_t;

typedef struct csvr {
    char *buf;
    size_t len;
    size_t pos;
    long line;         /* line of buf[pos] */
    size_t line_start; /* offset of the first byte of that line */
    const char *name;  /* for errors */
    csvr_field_t *fields;
    size_t nfields;
    /* The indices of the fields that are not empty, in order: a reader of
     * wide, sparse records (claims) visits these instead of every field. */
    size_t *filled;
    size_t nfilled;
    size_t cap;    /* of fields and filled */
    long rec_line; /* line where the current record starts */
} csvr_t;

/* buf holds len bytes plus one spare byte; name is used in errors. A UTF-8
 * byte-order mark at the start is skipped. */
void csvr_init(csvr_t *r, const char *name, char *buf, size_t len);
void csvr_free(csvr_t *r);
/* Reads the next record into r->fields / r->nfields (and r->filled /
 * r->nfilled). Returns 1 when a record was read, 0 at the end, -1 on
 * malformed CSV (e set to ERR_INPUT naming file:line:col). */
int csvr_next(csvr_t *r, err_t *e);
/* Bytes consumed so far (for progress). */
static inline size_t csvr_offset(const csvr_t *r)
{
    return r->pos;
}

#endif
