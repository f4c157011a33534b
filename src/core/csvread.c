/* csvread.c — the in-place CSV reader (see csvread.h).
 *
 * A claims file is mostly short or empty unquoted fields (a Tuva medical
 * claim line is ~140 fields in ~400 bytes, most of them empty), so the cost
 * of a record is per field rather than per byte, and a loop that tests byte
 * after byte pays a mispredicted branch at the end of nearly every field. The
 * reader instead marks the bytes that end or complicate an unquoted field
 * (, " LF CR NUL) 64 at a time in a bit mask, and the commas among them in a
 * second one, then steps from one marked byte to the next with a count of
 * trailing zeros; a run of empty fields (consecutive commas) is taken in one
 * step. The masks are built with SSE2 where the compiler targets it (every
 * x86-64) and byte by byte elsewhere; both give the same bits (CSVR_PORTABLE
 * forces the second, for its test).
 */
#include "core/csvread.h"

#include "core/mem.h"
#include "core/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__) && !defined(CSVR_PORTABLE)
#include <emmintrin.h>
#define CSVR_SSE2 1
#endif

/* Bytes that end or complicate an unquoted field. */
static const unsigned char special[256] = {
    [','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1, ['\0'] = 1,
};

/* The scan of 64 bytes from base: bit i of all marks a special byte at
 * b[base + i], bit i of comma a comma. Past the end of the input there are no
 * bytes to read, so a block that reaches it is built byte by byte and marks
 * the end itself (bit len - base of all), which the reader takes for a line
 * end: a scan always stops at a set bit. */
typedef struct scan {
    uint64_t all, comma;
} scan_t;

#ifdef CSVR_SSE2
static inline scan_t scan_full(const char *p)
{
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), nul = _mm_setzero_si128();
    scan_t sc = { 0, 0 };
    for (int i = 0; i < 4; i++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i c = _mm_cmpeq_epi8(x, comma);
        __m128i other = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, lf)),
                                     _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, nul)));
        sc.comma |= (uint64_t)(uint32_t)_mm_movemask_epi8(c) << (16 * i);
        sc.all |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(c, other)) << (16 * i);
    }
    return sc;
}
#else
static inline scan_t scan_full(const char *p)
{
    scan_t sc = { 0, 0 };
    for (int i = 0; i < 64; i++) {
        sc.all |= (uint64_t)special[(unsigned char)p[i]] << i;
        sc.comma |= (uint64_t)(p[i] == ',') << i;
    }
    return sc;
}
#endif

/* The scan of the block at bp, the input ending at end (bp <= end). */
static inline scan_t scan_at(const char *bp, const char *end)
{
    if (end - bp >= 64)
        return scan_full(bp);
    scan_t sc = { UINT64_C(1) << (end - bp), 0 };
    for (int i = 0; i < end - bp; i++) {
        sc.all |= (uint64_t)special[(unsigned char)bp[i]] << i;
        sc.comma |= (uint64_t)(bp[i] == ',') << i;
    }
    return sc;
}

void csvr_init(csvr_t *r, const char *name, char *buf, size_t len)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->len = len;
    r->name = name;
    r->line = 1;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF) {
        r->pos = 3;
        r->line_start = 3;
    }
}

void csvr_reset(csvr_t *r, char *buf, size_t len)
{
    csvr_field_t *fields = r->fields;
    size_t *filled = r->filled;
    size_t cap = r->cap;
    csvr_init(r, r->name, buf, len);
    r->fields = fields;
    r->filled = filled;
    r->cap = cap;
}

void csvr_free(csvr_t *r)
{
    mem_free(r->fields);
    mem_free(r->filled);
    r->fields = NULL;
    r->filled = NULL;
    r->cap = r->nfields = r->nfilled = 0;
}

/* Makes room for at least one more field than the nf there are, or fails
 * naming the field that does not fit. */
static int grow(csvr_t *r, size_t nf, long line, long col, err_t *e)
{
    if (nf < r->cap)
        return 0;
    if (r->cap >= CSVR_MAX_FIELDS)
        return -err_at(e, ERR_INPUT, r->name, line, col, NULL, "more than %d fields in one record",
                       CSVR_MAX_FIELDS);
    r->cap = r->cap ? r->cap * 2 : 64;
    r->fields = mem_realloc(r->fields, r->cap * sizeof *r->fields);
    r->filled = mem_realloc(r->filled, r->cap * sizeof *r->filled);
    return 0;
}

/* Consumes a line end at pos (CR, LF or CRLF). */
static void eat_eol(csvr_t *r)
{
    if (r->pos < r->len && r->buf[r->pos] == '\r')
        r->pos++;
    if (r->pos < r->len && r->buf[r->pos] == '\n')
        r->pos++;
    r->line++;
    r->line_start = r->pos;
}

/* A quoted field starting at r->pos: unescapes "" in place (NUL-terminated,
 * *n bytes), counts the line breaks inside, and leaves r->pos on the byte
 * after the closing quote, which must end the field. */
static int quoted(csvr_t *r, long line, long col, size_t *n, err_t *e)
{
    char *b = r->buf;
    size_t len = r->len, start = r->pos;
    size_t in = start + 1, out = start;
    for (;;) {
        if (in >= len)
            return -err_at(e, ERR_INPUT, r->name, line, col, NULL, "unterminated quoted field");
        char c = b[in];
        if (c == '"') {
            if (in + 1 < len && b[in + 1] == '"') {
                b[out++] = '"';
                in += 2;
                continue;
            }
            in++;
            break;
        }
        if (c == '\0')
            return -err_at(e, ERR_INPUT, r->name, r->line, (long)(in - r->line_start) + 1, NULL,
                           "NUL byte in CSV");
        if (c == '\n' || (c == '\r' && !(in + 1 < len && b[in + 1] == '\n'))) {
            r->line++;
            r->line_start = in + 1;
        }
        b[out++] = c;
        in++;
    }
    r->pos = in;
    char term = r->pos < len ? b[r->pos] : '\n';
    if (term != ',' && term != '\n' && term != '\r')
        return -err_at(e, ERR_INPUT, r->name, r->line, (long)(r->pos - r->line_start) + 1, NULL,
                       "unexpected text after a closing quote");
    b[out] = '\0';
    *n = out - start;
    return 0;
}

/* Fills n empty fields, the first at s (line, col), the others after it,
 * and ends each with a NUL (over its comma). */
#ifdef CSVR_SSE2
static inline void empty_fields(csvr_field_t *f, size_t n, char *s, long line, long col)
{
    /* Two 16-byte stores a field, (s, n) and (line, col), each stepped by
     * one byte or column: half the stores of the plain loop. The field's
     * layout is checked below. */
    __m128i sn = _mm_set_epi64x(0, (long long)(intptr_t)s), lc = _mm_set_epi64x(col, line);
    const __m128i one_s = _mm_set_epi64x(0, 1), one_c = _mm_set_epi64x(1, 0);
    for (size_t j = 0; j < n; j++) {
        s[j] = '\0';
        _mm_storeu_si128((__m128i *)(void *)&f[j].s, sn);
        _mm_storeu_si128((__m128i *)(void *)&f[j].line, lc);
        sn = _mm_add_epi64(sn, one_s);
        lc = _mm_add_epi64(lc, one_c);
    }
}
_Static_assert(offsetof(csvr_field_t, s) == 0 && offsetof(csvr_field_t, n) == 8 &&
                   offsetof(csvr_field_t, line) == 16 && offsetof(csvr_field_t, col) == 24 &&
                   sizeof(char *) == 8 && sizeof(size_t) == 8 && sizeof(long) == 8,
               "csvr_field_t is four 8-byte words");
#else
static inline void empty_fields(csvr_field_t *f, size_t n, char *s, long line, long col)
{
    for (size_t j = 0; j < n; j++) {
        s[j] = '\0';
        f[j].s = s + j;
        f[j].n = 0;
        f[j].line = line;
        f[j].col = col + (long)j;
    }
}
#endif

/* A record being read: where the scan and the fields are. */
typedef struct rec {
    char *bp;         /* the scan block (its first byte) */
    scan_t sc;        /* its bits, those before fs cleared as consumed */
    char *fs;         /* where the current field starts */
    const char *col0; /* fs - col0 is the field's column */
    long line;
    csvr_field_t *f, *fend; /* the next free field; the end of the room */
    size_t *fl;             /* the next free slot of filled */
} rec_t;

/* The fast path: the fields that end in a comma. A run of empty fields
 * (commas in a row, found in the comma mask) is taken in one step, a field
 * with text as the lowest set bit of the mask, then cleared. It stops at any
 * other set bit (a quote, a line end, the end of the input, a NUL) and when
 * the fields are full, leaving that field to the slow path. Its state is in
 * locals, so that little but the scan is carried from one field to the next. */
static void fast_fields(rec_t *rs, csvr_field_t *fields, const char *end)
{
    char *bp = rs->bp;
    scan_t sc = rs->sc;
    char *fs = rs->fs;
    const char *col0 = rs->col0;
    long line = rs->line;
    csvr_field_t *f = rs->f, *fend = rs->fend;
    size_t *fl = rs->fl;
    for (;;) {
        while (!sc.all) {
            bp += 64;
            sc = scan_at(bp, end);
        }
        unsigned off = (unsigned)__builtin_ctzll(sc.all);
        if (!((sc.comma >> off) & 1) || f == fend)
            break;
        char *p = bp + off;
        long col = (long)(fs - col0);
        if (p == fs) {
            /* Empty fields up to the next byte that is not a comma (or the
             * end of the block), as many as there is room for. */
            uint64_t rest = ~(sc.comma >> off);
            size_t run = rest ? (size_t)__builtin_ctzll(rest) : 64;
            if (run > (size_t)(fend - f))
                run = (size_t)(fend - f);
            empty_fields(f, run, fs, line, col);
            f += run;
            fs += run;
            off += (unsigned)run;
            sc.all = off < 64 ? sc.all & (~UINT64_C(0) << off) : 0;
        } else {
            sc.all &= sc.all - 1;
            *p = '\0';
            f->s = fs;
            f->n = (size_t)(p - fs);
            f->line = line;
            f->col = col;
            *fl++ = (size_t)(f++ - fields);
            fs = p + 1;
        }
    }
    rs->bp = bp;
    rs->sc = sc;
    rs->fs = fs;
    rs->f = f;
    rs->fl = fl;
}

/* Fields go through the fast path while they can, and one at a time through
 * the slow path otherwise: a quoted field (a quote at the start of a field is
 * a set bit too), the last field of the record, a field that needs more room,
 * an error. */
int csvr_next(csvr_t *r, err_t *e)
{
    char *b = r->buf;
    size_t len = r->len;
    r->nfields = r->nfilled = 0;
    /* Blank lines between records are skipped. */
    while (r->pos < len && (b[r->pos] == '\n' || b[r->pos] == '\r'))
        eat_eol(r);
    if (r->pos >= len)
        return 0;
    r->rec_line = r->line;
    /* The scan is rebuilt per record: between calls the caller may change
     * the bytes of the fields it was given. */
    rec_t rs;
    rs.bp = rs.fs = b + r->pos;
    rs.sc = scan_at(rs.bp, b + len);
    rs.col0 = b + r->line_start - 1;
    rs.line = r->line;
    rs.f = r->fields;
    rs.fend = r->fields + r->cap;
    rs.fl = r->filled;
    for (;;) {
        fast_fields(&rs, r->fields, b + len);
        size_t pos = (size_t)(rs.fs - b), nf = (size_t)(rs.f - r->fields), n = 0;
        size_t p = (size_t)(rs.bp - b) + (size_t)__builtin_ctzll(rs.sc.all);
        long line = rs.line, col = (long)(rs.fs - rs.col0);
        char term = p < len ? b[p] : '\n';
        r->nfields = nf;
        r->nfilled = (size_t)(rs.fl - r->filled);
        if (term == '"' && p == pos) {
            r->pos = pos;
            r->line = line;
            r->line_start = (size_t)(rs.col0 + 1 - b);
            if (quoted(r, line, col, &n, e) != 0)
                return -1;
            term = r->pos < len ? b[r->pos] : '\n';
        } else if (term == '"' || term == '\0') {
            r->pos = pos;
            return -err_at(e, ERR_INPUT, r->name, line, (long)(p - pos) + col, NULL,
                           term == '"' ? "quote inside an unquoted field" : "NUL byte in CSV");
        } else {
            b[p] = '\0'; /* the spare byte when p == len */
            n = p - pos;
            r->pos = p;
            rs.sc.all &= rs.sc.all - 1;
        }
        if (grow(r, nf, line, col, e) != 0)
            return -1;
        csvr_field_t *f = r->fields + nf;
        f->s = b + pos;
        f->n = n;
        f->line = line;
        f->col = col;
        if (n > 0)
            r->filled[r->nfilled++] = nf;
        r->nfields = ++nf;
        rs.f = r->fields + nf;
        rs.fend = r->fields + r->cap;
        rs.fl = r->filled + r->nfilled;
        if (term == ',') {
            rs.fs = b + r->pos + 1;
            if (p == r->pos)
                continue; /* an unquoted field: the scan is still good */
            /* After a quoted field, which may have moved on by lines. */
            rs.line = r->line;
            rs.col0 = b + r->line_start - 1;
            rs.bp = rs.fs;
            rs.sc = scan_at(rs.bp, b + len);
            continue;
        }
        /* Line end (or end of input): the record is complete. A CR that we
         * overwrote with NUL for an unquoted field still counts as a CR. */
        if (r->pos < len) {
            r->pos++; /* the CR or LF (already overwritten when unquoted) */
            if (term == '\r' && r->pos < len && b[r->pos] == '\n')
                r->pos++;
            r->line++;
            r->line_start = r->pos;
        }
        return 1;
    }
}

/* ---- whole files ---- */

/* Reads the file into f->data (len + 1 bytes). */
static int read_whole(csvr_file_t *f, err_t *e)
{
    int fd = open(f->path, O_RDONLY);
    if (fd < 0)
        return err_at(e, ERR_IO, f->path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return err_at(e, ERR_IO, f->path, 0, 0, NULL, "cannot stat: %s", strerror(err));
    }
    size_t want = (size_t)st.st_size;
    f->data = mem_alloc(want + 1);
    while (f->len < want) {
        ssize_t k = read(fd, f->data + f->len, want - f->len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int err = errno;
            close(fd);
            return err_at(e, ERR_IO, f->path, 0, 0, NULL, "cannot read: %s", strerror(err));
        }
        if (k == 0)
            break;
        f->len += (size_t)k;
    }
    close(fd);
    f->data[f->len] = '\0';
    return 0;
}

int csvr_file_open(csvr_file_t *f, const char *path, err_t *e)
{
    memset(f, 0, sizeof *f);
    f->path = mem_strdup(path);
    int rc = read_whole(f, e);
    if (!rc) {
        csvr_init(&f->r, f->path, f->data, f->len);
        int got = csvr_next(&f->r, e);
        if (got < 0)
            rc = ERR_INPUT;
        else if (got == 0)
            rc = err_at(e, ERR_INPUT, f->path, 1, 0, NULL, "empty file: no header");
    }
    if (rc) {
        csvr_file_close(f);
        return rc;
    }
    f->ncols = f->r.nfields;
    f->cols = mem_alloc((f->ncols ? f->ncols : 1) * sizeof *f->cols);
    memcpy(f->cols, f->r.fields, f->ncols * sizeof *f->cols);
    return 0;
}

int csvr_file_col(const csvr_file_t *f, const char *name)
{
    for (size_t i = 0; i < f->ncols; i++) {
        const char *s = f->cols[i].s;
        size_t n = f->cols[i].n;
        str_trim(&s, &n);
        if (str_ieq(s, n, name))
            return (int)i;
    }
    return -1;
}

void csvr_file_close(csvr_file_t *f)
{
    if (f->data)
        csvr_free(&f->r);
    mem_free(f->cols);
    mem_free(f->data);
    mem_free(f->path);
    memset(f, 0, sizeof *f);
}
