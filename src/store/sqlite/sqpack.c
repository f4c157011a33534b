/* sqpack.c — the byte format of packed claims (see sqpack.h). */
#include "store/sqlite/sqpack.h"

#include <math.h>
#include <string.h>

#define VARINT_MAX 10 /* bytes of a 64-bit varint */

/* Room for n more bytes at the end of b (buf_reserve keeps the NUL). */
static inline uint8_t *room(buf_t *b, size_t n)
{
    if (b->cap - b->len < n + 1 || !b->data) {
        if (buf_reserve(b, n) != 0)
            return NULL;
    }
    return (uint8_t *)b->data + b->len;
}

static inline uint8_t *put_v(uint8_t *o, uint64_t v)
{
    while (v >= 0x80) {
        *o++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *o++ = (uint8_t)v;
    return o;
}

static inline uint64_t zz(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzz(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline uint64_t date_enc(date_t d)
{
    return d == DATE_NONE ? 0 : zz(d) + 1;
}

void sqp_put_varint(buf_t *b, uint64_t v)
{
    uint8_t *o = room(b, VARINT_MAX);
    if (o)
        b->len = (size_t)(put_v(o, v) - (uint8_t *)b->data);
}

int sqp_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    const uint8_t *s = *p;
    for (int shift = 0; shift < 64 && s < end; shift += 7) {
        uint8_t c = *s++;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *p = s;
            *v = r;
            return 0;
        }
    }
    return -1;
}

/* Bytes of a fixed-size bitmap of n bits. */
static inline size_t bitmap_len(int n)
{
    return (size_t)(n + 7) / 8;
}

/* The encoder writes into b's spare room, growing it only when a value
 * might not fit: one pass over the columns, the bitmaps patched in place. */
typedef struct enc {
    buf_t *b;
    size_t at; /* next byte */
} enc_t;

static inline uint8_t *enc_room(enc_t *w, size_t n)
{
    w->b->len = w->at;
    return room(w->b, n);
}

int sqp_encode_cols(buf_t *b, const store_table_t *t, int from, const void *rec)
{
    int ncols = t->ncols - from;
    if (ncols > 64)
        return -1;
    enc_t w = { b, b->len };
    size_t mlen = bitmap_len(ncols), mask_at = w.at;
    uint8_t *o = enc_room(&w, mlen);
    if (!o)
        return -1;
    memset(o, 0, mlen);
    w.at += mlen;
    for (int i = 0; i < ncols; i++) {
        const store_col_t *c = &t->cols[from + i];
        size_t start = w.at;
        switch (c->type) {
        case SC_TEXT: {
            const char *v = STORE_CFIELD(rec, c, const char *);
            if (!v || !v[0])
                continue;
            size_t n = strlen(v);
            if (!(o = enc_room(&w, n + VARINT_MAX + 1)))
                return -1;
            uint8_t *q = put_v(o, n);
            memcpy(q, v, n);
            q[n] = 0;
            w.at += (size_t)(q - o) + n + 1;
            break;
        }
        case SC_INT:
        case SC_MONEY:
        case SC_TIME: {
            int64_t v = STORE_CFIELD(rec, c, int64_t);
            if (v == INT64_MIN)
                continue;
            if (!(o = enc_room(&w, VARINT_MAX)))
                return -1;
            w.at += (size_t)(put_v(o, zz(v)) - o);
            break;
        }
        case SC_DATE: {
            date_t v = STORE_CFIELD(rec, c, date_t);
            if (v == DATE_NONE)
                continue;
            if (!(o = enc_room(&w, VARINT_MAX)))
                return -1;
            w.at += (size_t)(put_v(o, zz(v)) - o);
            break;
        }
        case SC_REAL: {
            double d = STORE_CFIELD(rec, c, double);
            if (isnan(d))
                continue;
            if (!(o = enc_room(&w, sizeof d)))
                return -1;
            memcpy(o, &d, sizeof d);
            w.at += sizeof d;
            break;
        }
        case SC_FLAG: {
            int v = STORE_CFIELD(rec, c, int);
            if (v != 0 && v != 1)
                continue;
            if (!(o = enc_room(&w, 1)))
                return -1;
            *o = (uint8_t)v;
            w.at++;
            break;
        }
        case SC_TEXT_LIST:
        case SC_DATE_LIST: {
            /* A bitmap of the items, then the items; nothing at all when
             * every item is missing. */
            if (c->n > 64)
                return -1;
            size_t ilen = bitmap_len(c->n), items_at = w.at;
            uint64_t items = 0;
            if (!(o = enc_room(&w, ilen)))
                return -1;
            w.at += ilen;
            for (int j = 0; j < c->n; j++) {
                if (c->type == SC_TEXT_LIST) {
                    const char *v = (&STORE_CFIELD(rec, c, const char *))[j];
                    if (!v || !v[0])
                        continue;
                    size_t n = strlen(v);
                    if (!(o = enc_room(&w, n + VARINT_MAX + 1)))
                        return -1;
                    uint8_t *q = put_v(o, n);
                    memcpy(q, v, n);
                    q[n] = 0;
                    w.at += (size_t)(q - o) + n + 1;
                } else {
                    date_t v = (&STORE_CFIELD(rec, c, date_t))[j];
                    if (v == DATE_NONE)
                        continue;
                    if (!(o = enc_room(&w, VARINT_MAX)))
                        return -1;
                    w.at += (size_t)(put_v(o, zz(v)) - o);
                }
                items |= UINT64_C(1) << j;
            }
            if (!items) {
                w.at = start;
                continue;
            }
            for (size_t k = 0; k < ilen; k++)
                ((uint8_t *)b->data)[items_at + k] = (uint8_t)(items >> (8 * k));
            break;
        }
        }
        ((uint8_t *)b->data)[mask_at + (size_t)i / 8] |= (uint8_t)(1u << (i % 8));
    }
    b->len = w.at;
    b->data[b->len] = '\0';
    return 0;
}

/* A text value at *p: its NUL-terminated start, or NULL when malformed. */
static const char *get_text(const uint8_t **p, const uint8_t *end)
{
    uint64_t n;
    if (sqp_get_varint(p, end, &n) != 0 || n >= (uint64_t)(end - *p) || (*p)[n] != 0)
        return NULL;
    const char *s = (const char *)*p;
    *p += n + 1;
    return s;
}

/* A bitmap of n bits at *p; -1 when short or a bit past n is set. */
static int get_bitmap(const uint8_t **p, const uint8_t *end, int n, uint64_t *out)
{
    size_t len = bitmap_len(n);
    if ((size_t)(end - *p) < len)
        return -1;
    uint64_t m = 0;
    for (size_t k = 0; k < len; k++)
        m |= (uint64_t)(*p)[k] << (8 * k);
    *p += len;
    if (n < 64 && (m >> n) != 0)
        return -1;
    *out = m;
    return 0;
}

int sqp_decode_cols(const uint8_t *p, const uint8_t *end, const store_table_t *t, int from,
                    void *rec)
{
    uint64_t mask, v;
    int ncols = t->ncols - from;
    if (ncols > 64 || get_bitmap(&p, end, ncols, &mask) != 0)
        return -1;
    for (int i = from; i < t->ncols; i++) {
        if (!(mask & (UINT64_C(1) << (i - from))))
            continue;
        const store_col_t *c = &t->cols[i];
        switch (c->type) {
        case SC_TEXT: {
            const char *s = get_text(&p, end);
            if (!s)
                return -1;
            STORE_FIELD(rec, c, const char *) = s;
            break;
        }
        case SC_INT:
        case SC_MONEY:
        case SC_TIME:
            if (sqp_get_varint(&p, end, &v) != 0)
                return -1;
            STORE_FIELD(rec, c, int64_t) = unzz(v);
            break;
        case SC_DATE:
            if (sqp_get_varint(&p, end, &v) != 0)
                return -1;
            STORE_FIELD(rec, c, date_t) = (date_t)unzz(v);
            break;
        case SC_REAL: {
            double d;
            if (end - p < (ptrdiff_t)sizeof d)
                return -1;
            memcpy(&d, p, sizeof d);
            p += sizeof d;
            STORE_FIELD(rec, c, double) = d;
            break;
        }
        case SC_FLAG:
            if (p >= end || *p > 1)
                return -1;
            STORE_FIELD(rec, c, int) = *p++;
            break;
        case SC_TEXT_LIST:
        case SC_DATE_LIST: {
            uint64_t items;
            if (c->n > 64 || get_bitmap(&p, end, c->n, &items) != 0)
                return -1;
            for (int j = 0; j < c->n && j < 64; j++) {
                if (!(items & (UINT64_C(1) << j)))
                    continue;
                if (c->type == SC_TEXT_LIST) {
                    const char *s = get_text(&p, end);
                    if (!s)
                        return -1;
                    (&STORE_FIELD(rec, c, const char *))[j] = s;
                } else {
                    if (sqp_get_varint(&p, end, &v) != 0)
                        return -1;
                    (&STORE_FIELD(rec, c, date_t))[j] = (date_t)unzz(v);
                }
            }
            break;
        }
        }
    }
    return p == end ? 0 : -1;
}

void sqp_put_line(buf_t *b, int64_t number, const uint8_t *cols, size_t n)
{
    uint8_t num[VARINT_MAX];
    size_t nn = (size_t)(put_v(num, zz(number)) - num);
    uint8_t *o = room(b, 2 * VARINT_MAX + n);
    if (!o)
        return;
    o = put_v(o, nn + n);
    memcpy(o, num, nn);
    memcpy(o + nn, cols, n);
    b->len = (size_t)(o + nn + n - (uint8_t *)b->data);
    b->data[b->len] = '\0';
}

void sqp_put_run(buf_t *b, const char *id, size_t idlen, date_t dmin, date_t dmax, uint64_t nlines,
                 const uint8_t *hdr, size_t hlen, const uint8_t *lines, size_t llen)
{
    uint8_t pre[6 * VARINT_MAX], *q = pre;
    q = put_v(q, idlen);
    size_t body = (size_t)(q - pre) + idlen + 1;
    uint8_t *mid = q;
    q = put_v(q, date_enc(dmin));
    q = put_v(q, date_enc(dmax));
    q = put_v(q, nlines);
    if (hdr)
        q = put_v(q, hlen);
    body += (size_t)(q - mid) + (hdr ? hlen : 0) + llen;
    uint8_t *o = room(b, VARINT_MAX + body);
    if (!o)
        return;
    o = put_v(o, body);
    memcpy(o, pre, (size_t)(mid - pre));
    o += mid - pre;
    memcpy(o, id, idlen);
    o[idlen] = 0;
    o += idlen + 1;
    memcpy(o, mid, (size_t)(q - mid));
    o += q - mid;
    if (hdr) {
        memcpy(o, hdr, hlen);
        o += hlen;
    }
    memcpy(o, lines, llen);
    b->len = (size_t)(o + llen - (uint8_t *)b->data);
    b->data[b->len] = '\0';
}

static int get_date(const uint8_t **p, const uint8_t *end, date_t *d)
{
    uint64_t v;
    if (sqp_get_varint(p, end, &v) != 0)
        return -1;
    *d = v == 0 ? DATE_NONE : (date_t)unzz(v - 1);
    return 0;
}

int sqp_run_next(const uint8_t **pp, const uint8_t *end, bool has_header, sqp_run_t *r)
{
    const uint8_t *p = *pp;
    if (p == end)
        return 0;
    uint64_t body, v;
    r->start = p;
    if (sqp_get_varint(&p, end, &body) != 0 || body > (uint64_t)(end - p))
        return -1;
    const uint8_t *bend = p + body;
    const char *id;
    if (sqp_get_varint(&p, bend, &v) != 0 || v >= (uint64_t)(bend - p) || p[v] != 0)
        return -1;
    id = (const char *)p;
    r->id = id;
    r->idlen = (size_t)v;
    p += v + 1;
    if (get_date(&p, bend, &r->dmin) != 0 || get_date(&p, bend, &r->dmax) != 0 ||
        sqp_get_varint(&p, bend, &r->nlines) != 0)
        return -1;
    r->hdr = NULL;
    r->hlen = 0;
    if (has_header) {
        if (sqp_get_varint(&p, bend, &v) != 0 || v > (uint64_t)(bend - p))
            return -1;
        r->hdr = p;
        r->hlen = (size_t)v;
        p += v;
    }
    r->lines = p;
    r->end = bend;
    r->len = (size_t)(bend - r->start);
    *pp = bend;
    return 1;
}

int sqp_line_next(const uint8_t **pp, const uint8_t *end, sqp_line_t *l)
{
    const uint8_t *p = *pp;
    if (p == end)
        return 0;
    uint64_t len, num;
    l->start = p;
    if (sqp_get_varint(&p, end, &len) != 0 || len > (uint64_t)(end - p))
        return -1;
    const uint8_t *lend = p + len;
    if (sqp_get_varint(&p, lend, &num) != 0)
        return -1;
    l->number = unzz(num);
    l->cols = p;
    l->end = lend;
    l->len = (size_t)(lend - l->start);
    *pp = lend;
    return 1;
}
