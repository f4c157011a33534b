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
/* Points an initialised reader at another buffer (same rules as csvr_init,
 * lines counted from 1 again), keeping the memory of its field arrays: for
 * a reader that walks a large file one window of whole records at a time. */
void csvr_reset(csvr_t *r, char *buf, size_t len);
/* Reads the next record into r->fields / r->nfields (and r->filled /
 * r->nfilled). Returns 1 when a record was read, 0 at the end, -1 on
 * malformed CSV (e set to ERR_INPUT naming file:line:col). */
int csvr_next(csvr_t *r, err_t *e);
/* Bytes consumed so far (for progress). */
static inline size_t csvr_offset(const csvr_t *r)
{
    return r->pos;
}

/* A whole file read into memory, its header record read: for the small
 * reference tables, read one record after another by csvr_next(&f->r, e). */
typedef struct csvr_file {
    char *path;
    char *data; /* the file and a spare byte */
    size_t len;
    csvr_t r;           /* after the header */
    csvr_field_t *cols; /* the header's fields */
    size_t ncols;
} csvr_file_t;

/* ERR_IO when the file cannot be read, ERR_INPUT for a missing or malformed
 * header. On failure f holds nothing to free. */
int csvr_file_open(csvr_file_t *f, const char *path, err_t *e);
/* The index of the header column named `name` (blanks around the header's
 * name and ASCII case ignored), or -1. */
int csvr_file_col(const csvr_file_t *f, const char *name);
void csvr_file_close(csvr_file_t *f);

#endif
