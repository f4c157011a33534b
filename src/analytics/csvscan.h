/* csvscan.h — the engine's CSV reader: mmap, split in chunks, read only the
 * columns asked for.
 *
 * RFC 4180 CSV: fields separated by commas, records by LF or CRLF; a field
 * may be quoted with '"', a quote inside it doubled (""), and a quoted field
 * may hold commas and line breaks. The file is mapped read-only; a reader
 * hands out (pointer, length) spans into the mapping, except for quoted
 * fields with doubled quotes, which are unescaped into the reader's scratch
 * buffer (valid until the next record).
 *
 * The body is split into chunks at record boundaries so that threads can parse
 * in parallel. A boundary is found by quote parity: the quotes before each
 * candidate offset are counted (in parallel), and the boundary moves to the
 * first line break outside quotes. Chunks without any quote take a fast path
 * that finds separators 16 bytes at a time (SSE2) — wide, mostly empty claim
 * rows are the common case.
 */
#ifndef TRIPOD_ANALYTICS_CSVSCAN_H
#define TRIPOD_ANALYTICS_CSVSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CSV_MAX_COLS 1024

typedef struct csv_file {
    char path[512];
    const char *data; /* the mapping (NULL for an empty file) */
    size_t size;
    size_t body; /* offset of the first record after the header */
    int ncols;
    char *names[CSV_MAX_COLS]; /* header names, owned */
} csv_file_t;

typedef struct csv_field {
    const char *p;
    uint32_t n;
} csv_field_t;

/* A chunk of whole records: [begin, end) byte offsets into the file. */
typedef struct csv_chunk {
    size_t begin, end;
    bool quotes; /* the chunk holds at least one '"' */
} csv_chunk_t;

/* Maps path and reads its header. ERR_IO when it cannot be opened, ERR_INPUT
 * for a missing or malformed header. */
int csv_open(csv_file_t *f, const char *path, err_t *e);
void csv_close(csv_file_t *f);
/* The index of the column named `name` (exact, case-insensitive), or -1. */
int csv_col(const csv_file_t *f, const char *name);
/* Splits the body into at most `want` chunks of whole records (fewer for small
 * files). `threads` threads count quotes. Returns the chunk count; *out is
 * mem_alloc'd. */
int csv_split(const csv_file_t *f, int want, int threads, csv_chunk_t **out);

/* Reads records of one chunk. `slot_of_col[c]` is the output slot of column
 * c, or -1 for a column not wanted; `nslots` the number of slots. */
typedef struct csv_reader {
    const csv_file_t *f;
    const int16_t *slot_of_col;
    int ncols_map; /* entries in slot_of_col */
    int nslots;
    const char *p, *end;
    bool quotes;
    char *scratch; /* unescaped quoted fields */
    size_t scratch_cap, scratch_len;
    const char *rec; /* start of the current record */
    const char *chunk_begin, *chunk_end;
} csv_reader_t;

void csv_reader_init(csv_reader_t *r, const csv_file_t *f, const csv_chunk_t *c,
                     const int16_t *slot_of_col, int ncols_map, int nslots);
/* Frees the reader and lets the kernel drop the chunk's pages from this
 * process (they stay in the page cache and fault back in if touched again),
 * so that reading a file larger than memory does not count it all in the
 * resident set. */
void csv_reader_free(csv_reader_t *r);
/* Fills fields[0..nslots-1] (empty spans for columns not present) and returns
 * 1, or 0 at the end of the chunk, or -1 for an unterminated quote (the place
 * goes into e via csv_where). Blank lines are skipped. */
int csv_next(csv_reader_t *r, csv_field_t *fields, err_t *e);
/* The 1-based line number of byte offset `off` (counts line breaks; slow, for
 * error messages only). */
long csv_line_of(const csv_file_t *f, size_t off);

#endif
