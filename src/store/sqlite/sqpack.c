/* sqpack.c — the byte format of packed claims (see sqpack.h). */
#include "store/sqlite/sqpack.h"

#include <math.h>
#include <pthread.h>
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

/* A table's columns [from, ncols) grouped by how they are encoded: texts,
 * 64-bit integers (int, money, instants), dates, reals, flags, text lists,
 * date lists. Values are written in this order, each group in column order,
 * and the bitmap has one bit per column in the same order. Going through a
 * group at a time keeps the loops free of a per-column switch, whose
 * mispredicted jumps cost most of the encoding time. */
enum { G_TEXT, G_I64, G_DATE, G_REAL, G_FLAG, G_TLIST, G_DLIST, G_COUNT };

typedef struct plan {
    const store_table_t *t;
    int from, ncols;
    int n[G_COUNT];
    uint32_t off[G_COUNT][64];
    uint8_t items[G_COUNT][64]; /* lists: the number of items */
    const store_col_t *col[G_COUNT][64];
} plan_t;

static int group_of(store_col_type_t t)
{
    switch (t) {
    case SC_TEXT:
        return G_TEXT;
    case SC_INT:
    case SC_MONEY:
    case SC_TIME:
        return G_I64;
    case SC_DATE:
        return G_DATE;
    case SC_REAL:
        return G_REAL;
    case SC_FLAG:
        return G_FLAG;
    case SC_TEXT_LIST:
        return G_TLIST;
    case SC_DATE_LIST:
        return G_DLIST;
    }
    return G_TEXT;
}

static int plan_build(plan_t *p, const store_table_t *t, int from)
{
    memset(p, 0, sizeof *p);
    p->t = t;
    p->from = from;
    p->ncols = t->ncols - from;
    if (p->ncols > 64 || p->ncols < 0)
        return -1;
    for (int i = from; i < t->ncols; i++) {
        const store_col_t *c = &t->cols[i];
        int g = group_of(c->type);
        if ((g == G_TLIST || g == G_DLIST) && c->n > 64)
            return -1;
        p->off[g][p->n[g]] = (uint32_t)c->off;
        p->items[g][p->n[g]] = (uint8_t)c->n;
        p->col[g][p->n[g]] = c;
        p->n[g]++;
    }
    return 0;
}

/* The plans of the packed tables, built once; others are built per call. */
#define NPLANS 4
static plan_t plans[NPLANS];
static int nplans;
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;
static date_t date_lo, date_hi; /* the dates date_format writes (others: "") */

static void plans_init(void)
{
    char tmp[DATE_FMT_LEN];
    date_lo = date_from_ymd(1, 1, 1);
    date_hi = date_from_ymd(9999, 12, 31);
    /* Widen to what date_format really writes, should its range differ. */
    for (date_format(date_lo - 1, tmp); tmp[0]; date_format(date_lo - 1, tmp))
        date_lo--;
    for (date_format(date_hi + 1, tmp); tmp[0]; date_format(date_hi + 1, tmp))
        date_hi++;
    const store_kind_def_t *med = store_kind_def(SK_MED_CLAIM), *rx = store_kind_def(SK_RX_CLAIM);
    const struct {
        const store_table_t *t;
        int from;
    } want[] = { { med->table, 2 }, { med->header, 1 }, { rx->table, 2 } };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (plan_build(&plans[nplans], want[i].t, want[i].from) == 0)
            nplans++;
}

static const plan_t *plan_for(const store_table_t *t, int from, plan_t *tmp)
{
    pthread_once(&plans_once, plans_init);
    for (int i = 0; i < nplans; i++)
        if (plans[i].t == t && plans[i].from == from)
            return &plans[i];
    return plan_build(tmp, t, from) == 0 ? tmp : NULL;
}

/* Appends text v (n bytes, non-empty) at *at, growing b. */
static inline int put_text_at(buf_t *b, size_t *at, const char *v, size_t n)
{
    b->len = *at;
    uint8_t *o = room(b, n + VARINT_MAX + 1);
    if (!o)
        return -1;
    uint8_t *q = put_v(o, n);
    memcpy(q, v, n);
    q[n] = 0;
    *at += (size_t)(q - o) + n + 1;
    return 0;
}

int sqp_encode_cols(buf_t *b, const store_table_t *t, int from, const void *rec,
                    const store_col_t **bad_list)
{
    plan_t tmp;
    const plan_t *p = plan_for(t, from, &tmp);
    if (!p)
        return -1;
    const char *r = rec;
    size_t at = b->len, mlen = bitmap_len(p->ncols);
    /* Room for the bitmap and every fixed-size value at once. */
    uint8_t *o = room(b, mlen + VARINT_MAX * (size_t)(p->n[G_I64] + p->n[G_DATE]) +
                             8 * (size_t)p->n[G_REAL] + (size_t)p->n[G_FLAG]);
    if (!o)
        return -1;
    size_t mask_at = at;
    uint64_t mask = 0;
    int bit = 0;
    const store_col_t *badc = NULL; /* a list that would not pack */
    at += mlen;
    for (int k = 0; k < p->n[G_TEXT]; k++, bit++) {
        const char *v = *(const char *const *)(r + p->off[G_TEXT][k]);
        if (!v || !v[0])
            continue;
        if (put_text_at(b, &at, v, strlen(v)) != 0)
            return -1;
        mask |= UINT64_C(1) << bit;
    }
    /* The fixed-size values: room was made above, less the texts since. */
    b->len = at;
    if (!(o = room(b, VARINT_MAX * (size_t)(p->n[G_I64] + p->n[G_DATE]) + 8 * (size_t)p->n[G_REAL] +
                          (size_t)p->n[G_FLAG])))
        return -1;
    for (int k = 0; k < p->n[G_I64]; k++, bit++) {
        int64_t v = *(const int64_t *)(r + p->off[G_I64][k]);
        if (v == INT64_MIN)
            continue;
        o = put_v(o, zz(v));
        mask |= UINT64_C(1) << bit;
    }
    for (int k = 0; k < p->n[G_DATE]; k++, bit++) {
        date_t v = *(const date_t *)(r + p->off[G_DATE][k]);
        if (v == DATE_NONE)
            continue;
        o = put_v(o, zz(v));
        mask |= UINT64_C(1) << bit;
    }
    for (int k = 0; k < p->n[G_REAL]; k++, bit++) {
        double v;
        memcpy(&v, r + p->off[G_REAL][k], sizeof v);
        if (isnan(v))
            continue;
        memcpy(o, &v, sizeof v);
        o += sizeof v;
        mask |= UINT64_C(1) << bit;
    }
    for (int k = 0; k < p->n[G_FLAG]; k++, bit++) {
        int v = *(const int *)(r + p->off[G_FLAG][k]);
        if (v != 0 && v != 1)
            continue;
        *o++ = (uint8_t)v;
        mask |= UINT64_C(1) << bit;
    }
    at = (size_t)(o - (uint8_t *)b->data);
    /* Lists: a bitmap of the items, then the items; nothing when every item
     * is missing. */
    for (int k = 0; k < p->n[G_TLIST]; k++, bit++) {
        const char *const *v = (const char *const *)(r + p->off[G_TLIST][k]);
        int nitems = p->items[G_TLIST][k];
        size_t ilen = bitmap_len(nitems), start = at;
        uint64_t items = 0;
        b->len = at;
        if (!room(b, ilen))
            return -1;
        at += ilen;
        size_t n = 0; /* store_list_pack's length so far: the list must pack */
        for (int j = 0; j < nitems; j++) {
            if (j > 0 && ++n >= STORE_LIST_MAX) {
                badc = p->col[G_TLIST][k];
                goto bad;
            }
            if (!v[j] || !v[j][0])
                continue;
            size_t len = strlen(v[j]);
            if (memchr(v[j], STORE_LIST_SEP, len) || n + len >= STORE_LIST_MAX) {
                badc = p->col[G_TLIST][k];
                goto bad;
            }
            n += len;
            if (put_text_at(b, &at, v[j], len) != 0)
                return -1;
            items |= UINT64_C(1) << j;
        }
        if (!items) {
            at = start;
            continue;
        }
        for (size_t q = 0; q < ilen; q++)
            ((uint8_t *)b->data)[start + q] = (uint8_t)(items >> (8 * q));
        mask |= UINT64_C(1) << bit;
    }
    for (int k = 0; k < p->n[G_DLIST]; k++, bit++) {
        const date_t *v = (const date_t *)(r + p->off[G_DLIST][k]);
        int nitems = p->items[G_DLIST][k];
        uint64_t items = 0;
        size_t n = 0; /* as for text lists; a date packs as 10 bytes or none */
        for (int j = 0; j < nitems; j++) {
            if (j > 0 && ++n >= STORE_LIST_MAX) {
                badc = p->col[G_DLIST][k];
                goto bad;
            }
            if (v[j] == DATE_NONE)
                continue;
            if (n + DATE_FMT_LEN >= STORE_LIST_MAX) {
                badc = p->col[G_DLIST][k];
                goto bad;
            }
            n += v[j] >= date_lo && v[j] <= date_hi ? DATE_FMT_LEN - 1 : 0;
            items |= UINT64_C(1) << j;
        }
        if (!items)
            continue;
        size_t ilen = bitmap_len(nitems);
        b->len = at;
        if (!(o = room(b, ilen + VARINT_MAX * (size_t)nitems)))
            return -1;
        for (size_t q = 0; q < ilen; q++)
            o[q] = (uint8_t)(items >> (8 * q));
        uint8_t *q = o + ilen;
        for (int j = 0; j < nitems; j++)
            if (v[j] != DATE_NONE)
                q = put_v(q, zz(v[j]));
        at += (size_t)(q - o);
        mask |= UINT64_C(1) << bit;
    }
    for (size_t q = 0; q < mlen; q++)
        ((uint8_t *)b->data)[mask_at + q] = (uint8_t)(mask >> (8 * q));
    b->len = at;
    b->data[at] = '\0';
    return 0;
bad:
    if (bad_list)
        *bad_list = badc;
    b->len = mask_at;
    b->data[mask_at] = '\0';
    return -2;
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
    plan_t tmp;
    const plan_t *pl = plan_for(t, from, &tmp);
    uint64_t mask, v;
    if (!pl || get_bitmap(&p, end, pl->ncols, &mask) != 0)
        return -1;
    char *r = rec;
    int bit = 0;
    for (int k = 0; k < pl->n[G_TEXT]; k++, bit++) {
        if (!(mask >> bit & 1))
            continue;
        const char *s = get_text(&p, end);
        if (!s)
            return -1;
        *(const char **)(r + pl->off[G_TEXT][k]) = s;
    }
    for (int k = 0; k < pl->n[G_I64]; k++, bit++) {
        if (!(mask >> bit & 1))
            continue;
        if (sqp_get_varint(&p, end, &v) != 0)
            return -1;
        int64_t x = unzz(v);
        memcpy(r + pl->off[G_I64][k], &x, sizeof x);
    }
    for (int k = 0; k < pl->n[G_DATE]; k++, bit++) {
        if (!(mask >> bit & 1))
            continue;
        if (sqp_get_varint(&p, end, &v) != 0)
            return -1;
        date_t d = (date_t)unzz(v);
        memcpy(r + pl->off[G_DATE][k], &d, sizeof d);
    }
    for (int k = 0; k < pl->n[G_REAL]; k++, bit++) {
        if (!(mask >> bit & 1))
            continue;
        if (end - p < 8)
            return -1;
        memcpy(r + pl->off[G_REAL][k], p, 8);
        p += 8;
    }
    for (int k = 0; k < pl->n[G_FLAG]; k++, bit++) {
        if (!(mask >> bit & 1))
            continue;
        if (p >= end || *p > 1)
            return -1;
        int f = *p++;
        memcpy(r + pl->off[G_FLAG][k], &f, sizeof f);
    }
    for (int g = G_TLIST; g <= G_DLIST; g++) {
        for (int k = 0; k < pl->n[g]; k++, bit++) {
            if (!(mask >> bit & 1))
                continue;
            uint64_t items;
            int nitems = pl->items[g][k];
            if (get_bitmap(&p, end, nitems, &items) != 0 || items == 0)
                return -1;
            for (int j = 0; j < nitems; j++) {
                if (!(items >> j & 1))
                    continue;
                if (g == G_TLIST) {
                    const char *s = get_text(&p, end);
                    if (!s)
                        return -1;
                    ((const char **)(r + pl->off[g][k]))[j] = s;
                } else {
                    if (sqp_get_varint(&p, end, &v) != 0)
                        return -1;
                    ((date_t *)(r + pl->off[g][k]))[j] = (date_t)unzz(v);
                }
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
