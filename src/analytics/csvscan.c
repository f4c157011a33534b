/* csvscan.c — mmap'd, chunked, column-selective CSV reading (see csvscan.h). */
#include "analytics/csvscan.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "analytics/par.h"
#include "core/mem.h"
#include "core/str.h"

static char *header_name(const char *s, size_t n)
{
    str_trim(&s, &n);
    char *out = mem_strndup(s, n);
    for (size_t i = 0; i < n; i++)
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] - 'A' + 'a');
    return out;
}

int csv_open(csv_file_t *f, const char *path, err_t *e)
{
    memset(f, 0, sizeof *f);
    str_copy(f->path, path, sizeof f->path);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot stat: %s", strerror(errno));
    }
    f->size = (size_t)st.st_size;
    if (f->size > 0) {
        void *m = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            close(fd);
            return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot map: %s", strerror(errno));
        }
        madvise(m, f->size, MADV_SEQUENTIAL | MADV_WILLNEED);
        f->data = m;
    }
    close(fd);
    if (f->size == 0)
        return err_at(e, ERR_INPUT, path, 1, 0, NULL, "empty file: no header");

    /* The header: one record, fields possibly quoted (no escapes expected). */
    const char *p = f->data, *end = f->data + f->size;
    if (f->size >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* UTF-8 byte-order mark */
    for (;;) {
        const char *s = p;
        size_t n;
        if (p < end && *p == '"') {
            const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
            if (!q) {
                csv_close(f);
                return err_at(e, ERR_INPUT, path, 1, 0, NULL, "unterminated quote in header");
            }
            s = p + 1;
            n = (size_t)(q - s);
            p = q + 1;
            while (p < end && *p != ',' && *p != '\n')
                p++;
        } else {
            while (p < end && *p != ',' && *p != '\n')
                p++;
            n = (size_t)(p - s);
            if (n > 0 && s[n - 1] == '\r')
                n--;
        }
        if (f->ncols >= CSV_MAX_COLS) {
            csv_close(f);
            return err_at(e, ERR_INPUT, path, 1, 0, NULL, "more than %d columns", CSV_MAX_COLS);
        }
        f->names[f->ncols++] = header_name(s, n);
        if (p >= end || *p == '\n') {
            p = p < end ? p + 1 : p;
            break;
        }
        p++; /* the comma */
    }
    f->body = (size_t)(p - f->data);
    return 0;
}

void csv_close(csv_file_t *f)
{
    if (f->data)
        munmap((void *)f->data, f->size);
    for (int i = 0; i < f->ncols; i++)
        mem_free(f->names[i]);
    memset(f, 0, sizeof *f);
}

int csv_col(const csv_file_t *f, const char *name)
{
    for (int i = 0; i < f->ncols; i++)
        if (str_ieq(f->names[i], strlen(f->names[i]), name))
            return i;
    return -1;
}

/* Lets the kernel drop this process's pages of [b, e) of the mapping: whole
 * pages inside the range only, since a neighbour may be reading the pages at
 * either edge. The pages stay in the page cache and fault back in if touched
 * again, so a file larger than memory is not counted whole in the resident
 * set. */
static void release_pages(const char *b, const char *e)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)b + page - 1) & ~(page - 1);
    uintptr_t hi = (uintptr_t)e & ~(page - 1);
    if (b && hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* ---- splitting ---------------------------------------------------------- */

typedef struct split_ctx {
    const csv_file_t *f;
    size_t *nominal; /* want+1 offsets */
    size_t *quotes;  /* per nominal segment */
} split_ctx_t;

static void count_quotes(void *vctx, int task, int worker)
{
    split_ctx_t *c = vctx;
    const char *p = c->f->data + c->nominal[task];
    const char *end = c->f->data + c->nominal[task + 1];
    size_t n = 0;
    while (p < end && (p = memchr(p, '"', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    c->quotes[task] = n;
    release_pages(c->f->data + c->nominal[task], end);
}

int csv_split(const csv_file_t *f, int want, int threads, csv_chunk_t **out)
{
    size_t body = f->body, len = f->size > body ? f->size - body : 0;
    const size_t min_chunk = (size_t)1 << 20;
    if (want < 1)
        want = 1;
    if ((size_t)want > len / min_chunk + 1)
        want = (int)(len / min_chunk + 1);
    size_t *nominal = mem_calloc((size_t)want + 1, sizeof *nominal);
    size_t *quotes = mem_calloc((size_t)want, sizeof *quotes);
    for (int k = 0; k <= want; k++)
        nominal[k] = body + (size_t)((double)len * k / want);
    nominal[want] = f->size;
    split_ctx_t ctx = { f, nominal, quotes };
    par_run(threads, want, count_quotes, &ctx);

    csv_chunk_t *ch = mem_calloc((size_t)want, sizeof *ch);
    size_t before = 0; /* quotes in [body, nominal[k]) */
    size_t prev = body;
    int n = 0;
    for (int k = 0; k < want; k++) {
        size_t b;
        if (k == want - 1) {
            b = f->size;
        } else {
            before += quotes[k];
            /* Move to the first line break outside quotes at or after the
             * nominal boundary. */
            bool inq = (before & 1) != 0;
            const char *p = f->data + nominal[k + 1], *end = f->data + f->size;
            while (p < end && (inq || *p != '\n')) {
                if (*p == '"')
                    inq = !inq;
                p++;
            }
            b = p < end ? (size_t)(p - f->data) + 1 : f->size;
        }
        if (b <= prev)
            continue;
        bool q =
            quotes[k] > 0 || (k > 0 && quotes[k - 1] > 0) || (k + 1 < want && quotes[k + 1] > 0);
        ch[n++] = (csv_chunk_t){ prev, b, q };
        prev = b;
    }
    mem_free(nominal);
    mem_free(quotes);
    *out = ch;
    return n;
}

/* ---- reading ------------------------------------------------------------ */

void csv_reader_init(csv_reader_t *r, const csv_file_t *f, const csv_chunk_t *c,
                     const int16_t *slot_of_col, int ncols_map, int nslots)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    r->slot_of_col = slot_of_col;
    r->ncols_map = ncols_map;
    r->nslots = nslots;
    r->p = f->data + c->begin;
    r->end = f->data + c->end;
    r->quotes = c->quotes;
    r->chunk_begin = r->p;
    r->chunk_end = r->end;
}

void csv_reader_free(csv_reader_t *r)
{
    mem_free(r->scratch);
    r->scratch = NULL;
    if (r->chunk_begin && r->chunk_end > r->chunk_begin)
        release_pages(r->chunk_begin, r->chunk_end);
    r->chunk_begin = r->chunk_end = NULL;
}

long csv_line_of(const csv_file_t *f, size_t off)
{
    long line = 1;
    const char *p = f->data, *end = f->data + (off < f->size ? off : f->size);
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        line++;
        p++;
    }
    return line;
}

static inline void put_field(csv_reader_t *r, csv_field_t *fields, int col, const char *s,
                             const char *e)
{
    if (col < r->ncols_map) {
        int slot = r->slot_of_col[col];
        if (slot >= 0)
            fields[slot] = (csv_field_t){ s, (uint32_t)(e - s) };
    }
}

/* Quote-free records: every ',' ends a field and every '\n' a record. */
static void next_plain(csv_reader_t *r, csv_field_t *fields)
{
    const char *p = r->p, *fend = r->f->data + r->f->size;
    const char *s = p;
    int col = 0;
#ifdef __SSE2__
    const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n');
    while (p + 16 <= fend) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, nl)));
        while (m) {
            const char *q = p + __builtin_ctz(m);
            m &= m - 1;
            if (*q == ',') {
                put_field(r, fields, col++, s, q);
                s = q + 1;
            } else {
                const char *e = q > s && q[-1] == '\r' ? q - 1 : q;
                put_field(r, fields, col, s, e);
                r->p = q + 1;
                return;
            }
        }
        p += 16;
    }
#endif
    for (; p < fend; p++) {
        if (*p == ',') {
            put_field(r, fields, col++, s, p);
            s = p + 1;
        } else if (*p == '\n') {
            const char *e = p > s && p[-1] == '\r' ? p - 1 : p;
            put_field(r, fields, col, s, e);
            r->p = p + 1;
            return;
        }
    }
    const char *e = p > s && p[-1] == '\r' ? p - 1 : p;
    put_field(r, fields, col, s, e);
    r->p = fend;
}

static void scratch_reserve(csv_reader_t *r, size_t extra)
{
    if (r->scratch_len + extra <= r->scratch_cap)
        return;
    size_t cap = r->scratch_cap ? r->scratch_cap : 4096;
    while (cap < r->scratch_len + extra)
        cap *= 2;
    r->scratch = mem_realloc(r->scratch, cap);
    r->scratch_cap = cap;
}

/* Records that may hold quoted fields. Returns 0, or -1 on an unterminated
 * quote. Unescaped fields are kept as scratch offsets and pointed at once the
 * record is complete (the scratch buffer may move while it grows). */
static int next_quoted(csv_reader_t *r, csv_field_t *fields)
{
    const char *p = r->p, *fend = r->f->data + r->f->size;
    int col = 0;
    uint32_t scratch_off[64];
    int scratch_slot[64], nscratch = 0;
    r->scratch_len = 0;
    for (;;) {
        const char *s = p, *e;
        if (p < fend && *p == '"') {
            const char *q = p + 1;
            bool escaped = false;
            for (;;) {
                q = memchr(q, '"', (size_t)(fend - q));
                if (!q)
                    return -1;
                if (q + 1 < fend && q[1] == '"') {
                    escaped = true;
                    q += 2;
                    continue;
                }
                break;
            }
            s = p + 1;
            e = q;
            p = q + 1;
            while (p < fend && *p != ',' && *p != '\n')
                p++; /* lenient: ignore anything between the closing quote and the separator */
            int slot = col < r->ncols_map ? r->slot_of_col[col] : -1;
            if (escaped && slot >= 0 && nscratch < 64) {
                scratch_reserve(r, (size_t)(e - s));
                uint32_t off = (uint32_t)r->scratch_len;
                for (const char *c = s; c < e; c++) {
                    r->scratch[r->scratch_len++] = *c;
                    if (*c == '"')
                        c++;
                }
                fields[slot].n = (uint32_t)r->scratch_len - off;
                scratch_off[nscratch] = off;
                scratch_slot[nscratch++] = slot;
            } else {
                put_field(r, fields, col, s, e);
            }
        } else {
            while (p < fend && *p != ',' && *p != '\n')
                p++;
            bool rec_end = p >= fend || *p == '\n';
            e = rec_end && p > s && p[-1] == '\r' ? p - 1 : p;
            put_field(r, fields, col, s, e);
        }
        col++;
        if (p >= fend) {
            r->p = fend;
            break;
        }
        if (*p == '\n') {
            r->p = p + 1;
            break;
        }
        p++; /* comma */
    }
    for (int i = 0; i < nscratch; i++)
        fields[scratch_slot[i]].p = r->scratch + scratch_off[i];
    return 0;
}

int csv_next(csv_reader_t *r, csv_field_t *fields, err_t *e)
{
    for (;;) {
        if (r->p >= r->end)
            return 0;
        /* Skip blank lines. */
        if (*r->p == '\n') {
            r->p++;
            continue;
        }
        if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n') {
            r->p += 2;
            continue;
        }
        break;
    }
    for (int i = 0; i < r->nslots; i++)
        fields[i] = (csv_field_t){ "", 0 };
    r->rec = r->p;
    if (!r->quotes) {
        next_plain(r, fields);
        return 1;
    }
    if (next_quoted(r, fields) != 0) {
        size_t off = (size_t)(r->rec - r->f->data);
        err_at(e, ERR_INPUT, r->f->path, csv_line_of(r->f, off), 0, NULL,
               "unterminated quoted field");
        return -1;
    }
    return 1;
}
