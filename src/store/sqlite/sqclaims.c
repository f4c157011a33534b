/* sqclaims.c — packed claims in the SQLite backend (see sqclaims.h).
 *
 * Tables (migration 4, SQLite only):
 *   claim_pack (pack_id, kind, load_seq, nclaims, nlines, dmin, dmax, data)
 *     one row per pack; kind 1 medical, 2 pharmacy; dmin/dmax day numbers;
 *     data as sqpack.h. An index on (kind, nclaims, nlines, dmin, dmax)
 *     answers counts and date ranges without reading the blobs.
 *   claim_dir (id, data)
 *     id = kind << 16 | bucket; data the bucket's entries, each a varint
 *     id length, the claim_id bytes and a varint pack_id.
 */
#include "store/sqlite/sqclaims.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/sqlite/sqpack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKET_BITS 12
#define NBUCKET      (1 << NBUCKET_BITS)
#define PACK_TARGET  16384 /* bytes: a pack closes at the first claim after this */
#define NKIND        2
#define CACHE_SLOTS  256 /* packs a scan keeps decoded (direct-mapped by pack_id) */

/* ---- batches ------------------------------------------------------------- */

typedef struct pack_meta {
    int64_t id, delivery, nclaims, nlines;
    int kind;
    date_t dmin, dmax;
    size_t off, len;
} pack_meta_t;

struct sqc_batch {
    buf_t data;
    pack_meta_t *p;
    size_t n, cap;
};

sqc_batch_t *sqc_batch_new(void)
{
    sqc_batch_t *b = mem_calloc(1, sizeof *b);
    buf_init(&b->data, 0);
    return b;
}

void sqc_batch_free(sqc_batch_t *b)
{
    if (!b)
        return;
    buf_free(&b->data);
    mem_free(b->p);
    mem_free(b);
}

size_t sqc_batch_bytes(const sqc_batch_t *b)
{
    return b->n ? b->data.len + 1 : 0;
}

void sqc_batch_clear(sqc_batch_t *b)
{
    b->n = 0;
    buf_reset(&b->data);
}

/* ---- state --------------------------------------------------------------- */

enum {
    D_NEW = 1,  /* put in this transaction */
    D_FRAG = 2, /* put in several runs, or lines out of order: merge at settle */
};

/* A directory entry. pack 0: no stored version (deleted in this
 * transaction). */
typedef struct dent {
    const char *id; /* in the kind's arena, NUL-terminated */
    uint32_t idlen, flags;
    uint64_t hash;
    int64_t pack;
} dent_t;

typedef struct pair {
    int64_t pack;
    uint32_t ent;
} pair_t;

typedef struct kstate {
    const store_kind_def_t *k;
    int disk; /* 1 medical, 2 pharmacy */
    const store_col_t *dmin_col, *dmax_col;
    bool dates_in_header;
    /* The transaction's directory. */
    bool ready, has_old;
    dent_t *ents;
    uint32_t n, cap;
    uint32_t *slots; /* open addressing: entry index + 1, 0 empty */
    uint32_t nslots;
    arena_t *ids;
    uint8_t loaded[NBUCKET / 8], dirty[NBUCKET / 8];
    /* The open run. */
    bool in_run;
    uint32_t run_ent;
    buf_t run_lines, line_tmp, hdr, hdr_tmp;
    uint64_t run_nlines;
    int64_t run_last_line;
    date_t run_dmin, run_dmax;
    /* The open pack (pack_id 0: none). */
    buf_t pack;
    int64_t pack_id, pack_claims, pack_lines;
    date_t pack_dmin, pack_dmax;
    /* Pending work for sqc_settle. */
    pair_t *rm; /* runs to drop: (pack, entry) */
    size_t nrm, caprm;
    pair_t *frag; /* earlier packs of fragmented claims */
    size_t nfrag, capfrag;
    uint32_t *fragents; /* entries with D_FRAG */
    size_t nfragents, capfragents;
} kstate_t;

struct sqc {
    sqlite3 *db;
    kstate_t ks[NKIND];
    int64_t next_pack; /* 0: not read yet in this transaction */
    sqc_batch_t *sync; /* packs written by sqc_settle itself */
    sqlite3_stmt *ins, *get_pack, *upd_pack, *del_pack, *get_dir, *put_dir, *del_dir;
    buf_t scratch;
};

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    *cap = n;
    return mem_realloc(p, n * size);
}

static int kind_index(const store_kind_def_t *k)
{
    return k->kind == SK_MED_CLAIM ? 0 : 1;
}

static kstate_t *kstate(sqc_t *c, const store_kind_def_t *k)
{
    return &c->ks[kind_index(k)];
}

static const store_col_t *col_named(const store_table_t *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

sqc_t *sqc_new(sqlite3 *db)
{
    sqc_t *c = mem_calloc(1, sizeof *c);
    c->db = db;
    c->sync = sqc_batch_new();
    buf_init(&c->scratch, 0);
    for (int i = 0; i < NKIND; i++) {
        kstate_t *ks = &c->ks[i];
        ks->k = store_kind_def(i == 0 ? SK_MED_CLAIM : SK_RX_CLAIM);
        ks->disk = i + 1;
        if (ks->k->header) {
            ks->dmin_col = col_named(ks->k->header, "claim_start_date");
            ks->dmax_col = col_named(ks->k->header, "claim_end_date");
            ks->dates_in_header = true;
        } else {
            ks->dmin_col = ks->dmax_col = col_named(ks->k->table, "dispensing_date");
        }
        /* The buffers start empty (BUF_INIT is all zero, as calloc left them). */
    }
    return c;
}

static void kstate_reset(kstate_t *ks)
{
    ks->ready = ks->has_old = ks->in_run = false;
    ks->n = 0;
    if (ks->slots)
        memset(ks->slots, 0, ks->nslots * sizeof *ks->slots);
    if (ks->ids)
        arena_reset(ks->ids);
    memset(ks->loaded, 0, sizeof ks->loaded);
    memset(ks->dirty, 0, sizeof ks->dirty);
    buf_reset(&ks->pack);
    ks->pack_id = 0;
    ks->nrm = ks->nfrag = ks->nfragents = 0;
}

void sqc_end(sqc_t *c)
{
    for (int i = 0; i < NKIND; i++)
        kstate_reset(&c->ks[i]);
    c->next_pack = 0;
    sqc_batch_clear(c->sync);
}

void sqc_free(sqc_t *c)
{
    if (!c)
        return;
    for (int i = 0; i < NKIND; i++) {
        kstate_t *ks = &c->ks[i];
        mem_free(ks->ents);
        mem_free(ks->slots);
        if (ks->ids)
            arena_free(ks->ids);
        buf_t *bufs[] = { &ks->run_lines, &ks->line_tmp, &ks->hdr, &ks->hdr_tmp, &ks->pack };
        for (size_t j = 0; j < sizeof bufs / sizeof bufs[0]; j++)
            buf_free(bufs[j]);
        mem_free(ks->rm);
        mem_free(ks->frag);
        mem_free(ks->fragents);
    }
    sqlite3_stmt *sts[] = { c->ins,     c->get_pack, c->upd_pack, c->del_pack,
                            c->get_dir, c->put_dir,  c->del_dir };
    for (size_t i = 0; i < sizeof sts / sizeof sts[0]; i++)
        sqlite3_finalize(sts[i]);
    sqc_batch_free(c->sync);
    buf_free(&c->scratch);
    mem_free(c);
}

/* ---- SQL helpers --------------------------------------------------------- */

static int db_err(sqc_t *c, const char *table, err_t *e)
{
    return store_err_db(e, table, NULL, "%s: %s", table, sqlite3_errmsg(c->db));
}

static int prep(sqc_t *c, sqlite3_stmt **st, const char *sql, const char *table, err_t *e)
{
    if (*st)
        return 0;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return db_err(c, table, e);
    }
    return 0;
}

static int done(sqc_t *c, sqlite3_stmt *st, const char *table, err_t *e)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_err(c, table, e);
}

static int malformed(const char *what, int64_t id, err_t *e)
{
    return store_err_db(e, what, NULL, "%s %lld: malformed packed claims (is the file damaged?)",
                        what, (long long)id);
}

static inline void bind_date(sqlite3_stmt *st, int idx, date_t d)
{
    if (d == DATE_NONE)
        sqlite3_bind_null(st, idx);
    else
        sqlite3_bind_int64(st, idx, d);
}

/* ---- the directory ------------------------------------------------------- */

static inline uint32_t bucket_of(uint64_t h)
{
    return (uint32_t)(h >> (64 - NBUCKET_BITS));
}

static inline void set_bit(uint8_t *bits, uint32_t i)
{
    bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static inline bool has_bit(const uint8_t *bits, uint32_t i)
{
    return bits[i >> 3] & (1u << (i & 7));
}

/* The entry index of id, or -1. */
static int64_t dir_find(const kstate_t *ks, const char *id, size_t idlen, uint64_t h)
{
    if (!ks->nslots)
        return -1;
    uint32_t mask = ks->nslots - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        uint32_t s = ks->slots[i];
        if (!s)
            return -1;
        const dent_t *d = &ks->ents[s - 1];
        if (d->hash == h && d->idlen == idlen && memcmp(d->id, id, idlen) == 0)
            return s - 1;
    }
}

static void dir_rehash(kstate_t *ks, uint32_t nslots)
{
    mem_free(ks->slots);
    ks->slots = mem_calloc(nslots, sizeof *ks->slots);
    ks->nslots = nslots;
    uint32_t mask = nslots - 1;
    for (uint32_t j = 0; j < ks->n; j++) {
        uint32_t i = (uint32_t)ks->ents[j].hash & mask;
        while (ks->slots[i])
            i = (i + 1) & mask;
        ks->slots[i] = j + 1;
    }
}

/* Adds an entry (id not present). */
static uint32_t dir_add(kstate_t *ks, const char *id, size_t idlen, uint64_t h, int64_t pack,
                        uint32_t flags)
{
    if (!ks->ids)
        ks->ids = arena_new(1 << 20);
    size_t cap = ks->cap;
    ks->ents = grow(ks->ents, &cap, (size_t)ks->n + 1, sizeof *ks->ents);
    ks->cap = (uint32_t)cap;
    if ((uint64_t)(ks->n + 1) * 2 > ks->nslots)
        dir_rehash(ks, ks->nslots ? ks->nslots * 2 : 1024);
    dent_t *d = &ks->ents[ks->n];
    d->id = arena_strndup(ks->ids, id, idlen);
    d->idlen = (uint32_t)idlen;
    d->hash = h;
    d->pack = pack;
    d->flags = flags;
    uint32_t mask = ks->nslots - 1, i = (uint32_t)h & mask;
    while (ks->slots[i])
        i = (i + 1) & mask;
    ks->slots[i] = ks->n + 1;
    return ks->n++;
}

/* Calls fn for each entry of a bucket blob; -1 when malformed. */
typedef void (*bucket_fn)(void *ctx, const char *id, size_t idlen, int64_t pack);

static int bucket_each(const uint8_t *p, const uint8_t *end, bucket_fn fn, void *ctx)
{
    while (p < end) {
        uint64_t n, pack;
        if (sqp_get_varint(&p, end, &n) != 0 || n > (uint64_t)(end - p))
            return -1;
        const char *id = (const char *)p;
        p += n;
        if (sqp_get_varint(&p, end, &pack) != 0)
            return -1;
        fn(ctx, id, (size_t)n, (int64_t)pack);
    }
    return 0;
}

static void load_entry(void *ctx, const char *id, size_t idlen, int64_t pack)
{
    kstate_t *ks = ctx;
    dir_add(ks, id, idlen, str_hash(id, idlen), pack, 0);
}

/* Loads the stored entries of bucket b (or, b < 0, of every bucket not
 * loaded yet) into the in-memory directory. */
static int dir_load(sqc_t *c, kstate_t *ks, int b, err_t *e)
{
    int64_t lo = (int64_t)ks->disk << 16, hi = lo | (NBUCKET - 1);
    if (b >= 0)
        lo = hi = lo | b;
    int rc = prep(c, &c->get_dir, "SELECT id, data FROM claim_dir WHERE id BETWEEN ?1 AND ?2",
                  "claim_dir", e);
    if (rc)
        return rc;
    sqlite3_bind_int64(c->get_dir, 1, lo);
    sqlite3_bind_int64(c->get_dir, 2, hi);
    int step;
    while ((step = sqlite3_step(c->get_dir)) == SQLITE_ROW) {
        uint32_t bk = (uint32_t)(sqlite3_column_int64(c->get_dir, 0) & (NBUCKET - 1));
        if (has_bit(ks->loaded, bk))
            continue;
        const uint8_t *p = sqlite3_column_blob(c->get_dir, 1);
        int n = sqlite3_column_bytes(c->get_dir, 1);
        if (n > 0 && bucket_each(p, p + n, load_entry, ks) != 0) {
            sqlite3_reset(c->get_dir);
            return malformed("claim_dir", sqlite3_column_int64(c->get_dir, 0), e);
        }
    }
    sqlite3_reset(c->get_dir);
    if (step != SQLITE_DONE)
        return db_err(c, "claim_dir", e);
    if (b >= 0)
        set_bit(ks->loaded, (uint32_t)b);
    else
        memset(ks->loaded, 0xff, sizeof ks->loaded);
    return 0;
}

/* Writes the dirty buckets back. */
static int dir_write(sqc_t *c, kstate_t *ks, err_t *e)
{
    bool any = false;
    for (size_t i = 0; i < sizeof ks->dirty && !any; i++)
        any = ks->dirty[i] != 0;
    if (!any)
        return 0;
    buf_t *bk = mem_calloc(NBUCKET, sizeof *bk);
    for (uint32_t j = 0; j < ks->n; j++) {
        const dent_t *d = &ks->ents[j];
        uint32_t b = bucket_of(d->hash);
        if (d->pack == 0 || !has_bit(ks->dirty, b))
            continue;
        sqp_put_varint(&bk[b], d->idlen);
        buf_append(&bk[b], d->id, d->idlen);
        sqp_put_varint(&bk[b], (uint64_t)d->pack);
    }
    int rc = prep(c, &c->put_dir, "INSERT OR REPLACE INTO claim_dir (id, data) VALUES (?1, ?2)",
                  "claim_dir", e);
    if (rc == 0)
        rc = prep(c, &c->del_dir, "DELETE FROM claim_dir WHERE id = ?1", "claim_dir", e);
    for (uint32_t b = 0; b < NBUCKET && rc == 0; b++) {
        if (!has_bit(ks->dirty, b))
            continue;
        int64_t id = (int64_t)ks->disk << 16 | b;
        if (bk[b].len) {
            sqlite3_bind_int64(c->put_dir, 1, id);
            sqlite3_bind_blob(c->put_dir, 2, bk[b].data, (int)bk[b].len, SQLITE_STATIC);
            rc = done(c, c->put_dir, "claim_dir", e);
        } else {
            sqlite3_bind_int64(c->del_dir, 1, id);
            rc = done(c, c->del_dir, "claim_dir", e);
        }
    }
    for (uint32_t b = 0; b < NBUCKET; b++)
        buf_free(&bk[b]);
    mem_free(bk);
    if (rc == 0)
        memset(ks->dirty, 0, sizeof ks->dirty);
    return rc;
}

/* ---- puts ---------------------------------------------------------------- */

bool sqc_needs_db(const sqc_t *c, const store_kind_def_t *k)
{
    return !c->ks[kind_index(k)].ready || c->next_pack == 0;
}

static int read_next_pack(sqc_t *c, err_t *e)
{
    if (c->next_pack)
        return 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT coalesce(max(pack_id), 0) + 1 FROM claim_pack", -1, &st,
                           NULL) != SQLITE_OK)
        return db_err(c, "claim_pack", e);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        c->next_pack = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_err(c, "claim_pack", e);
}

/* The kind's first put in the transaction: does it hold older claims? Then
 * their directory is loaded, so that each put can tell a re-delivery. */
static int kind_ready(sqc_t *c, kstate_t *ks, err_t *e)
{
    int rc = read_next_pack(c, e);
    if (rc || ks->ready)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT EXISTS (SELECT 1 FROM claim_pack WHERE kind = ?1)", -1,
                           &st, NULL) != SQLITE_OK)
        return db_err(c, "claim_pack", e);
    sqlite3_bind_int(st, 1, ks->disk);
    rc = sqlite3_step(st);
    ks->has_old = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return db_err(c, "claim_pack", e);
    rc = 0;
    if (ks->has_old)
        rc = dir_load(c, ks, -1, e);
    else
        memset(ks->loaded, 0xff, sizeof ks->loaded); /* nothing stored: all known */
    if (rc == 0)
        ks->ready = true;
    return rc;
}

static inline void widen(date_t *lo, date_t *hi, date_t dlo, date_t dhi)
{
    if (dlo != DATE_NONE && (*lo == DATE_NONE || dlo < *lo))
        *lo = dlo;
    if (dhi != DATE_NONE && (*hi == DATE_NONE || dhi > *hi))
        *hi = dhi;
}

static void close_pack(kstate_t *ks, int64_t delivery, sqc_batch_t *out)
{
    if (!ks->pack_id)
        return;
    out->p = grow(out->p, &out->cap, out->n + 1, sizeof *out->p);
    pack_meta_t *m = &out->p[out->n++];
    m->id = ks->pack_id;
    m->kind = ks->disk;
    m->delivery = delivery;
    m->nclaims = ks->pack_claims;
    m->nlines = ks->pack_lines;
    m->dmin = ks->pack_dmin;
    m->dmax = ks->pack_dmax;
    m->off = out->data.len;
    m->len = ks->pack.len;
    buf_append(&out->data, ks->pack.data, ks->pack.len);
    buf_reset(&ks->pack);
    ks->pack_id = 0;
}

static void open_pack(sqc_t *c, kstate_t *ks)
{
    if (ks->pack_id)
        return;
    ks->pack_id = c->next_pack++;
    ks->pack_claims = ks->pack_lines = 0;
    ks->pack_dmin = ks->pack_dmax = DATE_NONE;
    buf_reset(&ks->pack);
    buf_putc(&ks->pack, SQP_FORMAT);
}

/* Appends a finished run to the open pack. */
static void add_run(sqc_t *c, kstate_t *ks, uint32_t ent, uint64_t nlines, date_t dmin, date_t dmax,
                    const uint8_t *hdr, size_t hlen, const uint8_t *lines, size_t llen)
{
    open_pack(c, ks);
    dent_t *d = &ks->ents[ent];
    sqp_put_run(&ks->pack, d->id, d->idlen, dmin, dmax, nlines,
                ks->k->header ? (hdr ? hdr : (const uint8_t *)"") : NULL, hlen, lines, llen);
    d->pack = ks->pack_id;
    ks->pack_claims++;
    ks->pack_lines += (int64_t)nlines;
    widen(&ks->pack_dmin, &ks->pack_dmax, dmin, dmax);
}

static void close_run(sqc_t *c, kstate_t *ks, int64_t delivery, sqc_batch_t *out)
{
    if (!ks->in_run)
        return;
    add_run(c, ks, ks->run_ent, ks->run_nlines, ks->run_dmin, ks->run_dmax,
            (const uint8_t *)ks->hdr.data, ks->hdr.len, (const uint8_t *)ks->run_lines.data,
            ks->run_lines.len);
    ks->in_run = false;
    if (ks->pack.len >= PACK_TARGET)
        close_pack(ks, delivery, out);
}

static void mark_frag(kstate_t *ks, uint32_t ent)
{
    if (ks->ents[ent].flags & D_FRAG)
        return;
    ks->ents[ent].flags |= D_FRAG;
    ks->fragents = grow(ks->fragents, &ks->capfragents, ks->nfragents + 1, sizeof *ks->fragents);
    ks->fragents[ks->nfragents++] = ent;
}

static void add_pair(pair_t **v, size_t *n, size_t *cap, int64_t pack, uint32_t ent)
{
    *v = grow(*v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = (pair_t){ pack, ent };
}

/* A new run of claim id: finds or adds its entry and notes what the
 * transaction must do about an earlier version. */
static void start_run(kstate_t *ks, const char *id, size_t idlen)
{
    uint64_t h = str_hash(id, idlen);
    int64_t i = dir_find(ks, id, idlen, h);
    uint32_t ent;
    if (i < 0) {
        ent = dir_add(ks, id, idlen, h, 0, D_NEW);
    } else {
        ent = (uint32_t)i;
        dent_t *d = &ks->ents[ent];
        if (d->flags & D_NEW) {
            /* Put earlier in this transaction: merged at settle. */
            add_pair(&ks->frag, &ks->nfrag, &ks->capfrag, d->pack, ent);
            mark_frag(ks, ent);
        } else if (d->pack) {
            /* Stored by an earlier transaction: that version goes. */
            add_pair(&ks->rm, &ks->nrm, &ks->caprm, d->pack, ent);
        }
        d->flags |= D_NEW;
    }
    set_bit(ks->dirty, bucket_of(h));
    ks->in_run = true;
    ks->run_ent = ent;
    ks->run_nlines = 0;
    ks->run_last_line = INT64_MIN;
    ks->run_dmin = ks->run_dmax = DATE_NONE;
    buf_reset(&ks->run_lines);
    buf_reset(&ks->hdr);
}

int sqc_put(sqc_t *c, const store_kind_def_t *k, const void *rec, int64_t delivery,
            sqc_batch_t *out, err_t *e)
{
    kstate_t *ks = kstate(c, k);
    int rc = kind_ready(c, ks, e);
    if (rc)
        return rc;
    const store_table_t *t = k->table;
    const char *id = STORE_CFIELD(rec, &t->cols[0], const char *);
    int64_t line = STORE_CFIELD(rec, &t->cols[1], int64_t);
    /* Encoded first: a list that would not pack is refused as input before
     * anything changes, so the transaction goes on (store.h, "Errors"). */
    const store_col_t *bad = NULL;
    const store_table_t *in = t;
    buf_reset(&ks->line_tmp);
    int erc = sqp_encode_cols(&ks->line_tmp, t, 2, rec, &bad);
    if (erc == 0 && k->header) {
        in = k->header;
        buf_reset(&ks->hdr_tmp);
        erc = sqp_encode_cols(&ks->hdr_tmp, k->header, 1, rec, &bad);
    }
    if (erc == -2 && bad) {
        char field[128];
        snprintf(field, sizeof field, "%s.%s", in->name, bad->name);
        return err_at(e, ERR_INPUT, NULL, 0, 0, field,
                      "%s: an item holds '%c' or the list is longer than %d bytes", field,
                      STORE_LIST_SEP, STORE_LIST_MAX - 1);
    }
    if (erc != 0)
        return err_set(e, ERR_NOMEM, "%s: claim line too large", in->name);
    size_t idlen = strlen(id);
    if (!ks->in_run || ks->ents[ks->run_ent].idlen != idlen ||
        memcmp(ks->ents[ks->run_ent].id, id, idlen) != 0) {
        close_run(c, ks, delivery, out);
        start_run(ks, id, idlen);
    }
    if (line <= ks->run_last_line)
        mark_frag(ks, ks->run_ent); /* out of order or repeated: merged at settle */
    ks->run_last_line = line;
    sqp_put_line(&ks->run_lines, line, (const uint8_t *)ks->line_tmp.data, ks->line_tmp.len);
    if (k->header) {
        /* The header of the last line put is the claim's (store.h). */
        if (ks->hdr_tmp.len != ks->hdr.len || memcmp(ks->hdr_tmp.data, ks->hdr.data, ks->hdr.len)) {
            buf_t tmp = ks->hdr;
            ks->hdr = ks->hdr_tmp;
            ks->hdr_tmp = tmp;
            ks->run_dmin = STORE_CFIELD(rec, ks->dmin_col, date_t);
            ks->run_dmax = STORE_CFIELD(rec, ks->dmax_col, date_t);
        }
    } else {
        date_t d = STORE_CFIELD(rec, ks->dmin_col, date_t);
        widen(&ks->run_dmin, &ks->run_dmax, d, d);
    }
    ks->run_nlines++;
    return 0;
}

int sqc_write(sqc_t *c, sqc_batch_t *b, err_t *e)
{
    if (b->n == 0)
        return 0;
    int rc = prep(c, &c->ins,
                  "INSERT INTO claim_pack (pack_id, kind, load_seq, nclaims, nlines, dmin, dmax,"
                  " data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                  "claim_pack", e);
    for (size_t i = 0; i < b->n && rc == 0; i++) {
        const pack_meta_t *m = &b->p[i];
        sqlite3_stmt *st = c->ins;
        sqlite3_bind_int64(st, 1, m->id);
        sqlite3_bind_int(st, 2, m->kind);
        sqlite3_bind_int64(st, 3, m->delivery);
        sqlite3_bind_int64(st, 4, m->nclaims);
        sqlite3_bind_int64(st, 5, m->nlines);
        bind_date(st, 6, m->dmin);
        bind_date(st, 7, m->dmax);
        sqlite3_bind_blob(st, 8, b->data.data + m->off, (int)m->len, SQLITE_STATIC);
        rc = done(c, st, "claim_pack", e);
    }
    sqc_batch_clear(b);
    return rc;
}

/* ---- reading packs ------------------------------------------------------- */

/* Copies pack id's blob into out. */
static int fetch_pack(sqc_t *c, int64_t id, buf_t *out, err_t *e)
{
    int rc =
        prep(c, &c->get_pack, "SELECT data FROM claim_pack WHERE pack_id = ?1", "claim_pack", e);
    if (rc)
        return rc;
    sqlite3_bind_int64(c->get_pack, 1, id);
    int step = sqlite3_step(c->get_pack);
    buf_reset(out);
    if (step == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(c->get_pack, 0);
        int n = sqlite3_column_bytes(c->get_pack, 0);
        if (n < 1 || ((const uint8_t *)p)[0] != SQP_FORMAT)
            rc = malformed("claim_pack", id, e);
        else if (buf_append(out, p, (size_t)n) != 0)
            rc = err_set(e, ERR_NOMEM, "claim_pack %lld: too large", (long long)id);
    } else if (step == SQLITE_DONE) {
        rc = store_err_db(e, "claim_pack", NULL, "claim_pack %lld: missing (is the file damaged?)",
                          (long long)id);
    } else {
        rc = db_err(c, "claim_pack", e);
    }
    sqlite3_reset(c->get_pack);
    return rc;
}

static int cmp_pair_pack(const void *a, const void *b)
{
    const pair_t *x = a, *y = b;
    return x->pack < y->pack ? -1 : x->pack > y->pack;
}

/* Rewrites pack id without the runs of the entries ents[0..n) (every run of
 * such a claim); *lines gets the lines dropped. Deletes the pack when nothing
 * is left. */
static int drop_runs(sqc_t *c, kstate_t *ks, int64_t id, const pair_t *ents, size_t n,
                     int64_t *lines, err_t *e)
{
    buf_t old = BUF_INIT;
    int rc = fetch_pack(c, id, &old, e);
    if (rc) {
        buf_free(&old);
        return rc;
    }
    buf_t *nu = &c->scratch;
    buf_reset(nu);
    buf_putc(nu, SQP_FORMAT);
    const uint8_t *p = (const uint8_t *)old.data + 1, *end = (const uint8_t *)old.data + old.len;
    int64_t nclaims = 0, nlines = 0;
    date_t dmin = DATE_NONE, dmax = DATE_NONE;
    sqp_run_t r;
    int got;
    while ((got = sqp_run_next(&p, end, ks->k->header != NULL, &r)) == 1) {
        bool drop = false;
        for (size_t i = 0; i < n && !drop; i++) {
            const dent_t *d = &ks->ents[ents[i].ent];
            drop = d->idlen == r.idlen && memcmp(d->id, r.id, r.idlen) == 0;
        }
        if (drop) {
            *lines += (int64_t)r.nlines;
            continue;
        }
        buf_append(nu, r.start, r.len);
        nclaims++;
        nlines += (int64_t)r.nlines;
        widen(&dmin, &dmax, r.dmin, r.dmax);
    }
    buf_free(&old);
    if (got < 0)
        return malformed("claim_pack", id, e);
    if (nclaims == 0) {
        if ((rc = prep(c, &c->del_pack, "DELETE FROM claim_pack WHERE pack_id = ?1", "claim_pack",
                       e)) != 0)
            return rc;
        sqlite3_bind_int64(c->del_pack, 1, id);
        return done(c, c->del_pack, "claim_pack", e);
    }
    if ((rc = prep(c, &c->upd_pack,
                   "UPDATE claim_pack SET nclaims = ?2, nlines = ?3, dmin = ?4, dmax = ?5,"
                   " data = ?6 WHERE pack_id = ?1",
                   "claim_pack", e)) != 0)
        return rc;
    sqlite3_stmt *st = c->upd_pack;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, nclaims);
    sqlite3_bind_int64(st, 3, nlines);
    bind_date(st, 4, dmin);
    bind_date(st, 5, dmax);
    sqlite3_bind_blob(st, 6, nu->data, (int)nu->len, SQLITE_STATIC);
    return done(c, st, "claim_pack", e);
}

/* Applies the pending drops, each pack rewritten once. */
static int apply_drops(sqc_t *c, kstate_t *ks, err_t *e)
{
    if (ks->nrm == 0)
        return 0;
    qsort(ks->rm, ks->nrm, sizeof *ks->rm, cmp_pair_pack);
    int rc = 0;
    int64_t ignore = 0;
    for (size_t i = 0; i < ks->nrm && rc == 0;) {
        size_t j = i;
        while (j < ks->nrm && ks->rm[j].pack == ks->rm[i].pack)
            j++;
        rc = drop_runs(c, ks, ks->rm[i].pack, ks->rm + i, j - i, &ignore, e);
        i = j;
    }
    ks->nrm = 0;
    return rc;
}

/* A line of a claim being merged. */
typedef struct mline {
    int64_t number;
    size_t seq, off, len; /* seq: put order; off/len: in the merge buffer */
} mline_t;

static int cmp_mline(const void *a, const void *b)
{
    const mline_t *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_pair_ent(const void *a, const void *b)
{
    const pair_t *x = a, *y = b;
    return x->ent < y->ent ? -1 : x->ent > y->ent;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Merges the runs of a fragmented claim into one run in a new pack; the
 * packs that held them (its earlier ones: fr[0..nfr)) get the claim
 * dropped. */
static int merge_claim(sqc_t *c, kstate_t *ks, uint32_t ent, const pair_t *fr, size_t nfr, err_t *e)
{
    dent_t *d = &ks->ents[ent];
    int64_t *packs = NULL;
    size_t np = 0, cap = 0;
    for (size_t i = 0; i < nfr; i++) {
        packs = grow(packs, &cap, np + 1, sizeof *packs);
        packs[np++] = fr[i].pack;
    }
    packs = grow(packs, &cap, np + 1, sizeof *packs);
    packs[np++] = d->pack;
    qsort(packs, np, sizeof *packs, cmp_i64);
    buf_t blob = BUF_INIT, lines = BUF_INIT, hdr = BUF_INIT;
    mline_t *ml = NULL;
    size_t nml = 0, capml = 0;
    int rc = 0;
    for (size_t i = 0; i < np && rc == 0; i++) {
        if (i > 0 && packs[i] == packs[i - 1])
            continue;
        if ((rc = fetch_pack(c, packs[i], &blob, e)) != 0)
            break;
        const uint8_t *p = (const uint8_t *)blob.data + 1, *end = p + blob.len - 1;
        sqp_run_t r;
        int got;
        while ((got = sqp_run_next(&p, end, ks->k->header != NULL, &r)) == 1) {
            if (r.idlen != d->idlen || memcmp(r.id, d->id, r.idlen) != 0)
                continue;
            if (r.hdr) {
                buf_reset(&hdr);
                buf_append(&hdr, r.hdr, r.hlen);
            }
            const uint8_t *q = r.lines;
            sqp_line_t l;
            int lg;
            while ((lg = sqp_line_next(&q, r.end, &l)) == 1) {
                ml = grow(ml, &capml, nml + 1, sizeof *ml);
                ml[nml] = (mline_t){ l.number, nml, lines.len, l.len };
                nml++;
                buf_append(&lines, l.start, l.len);
            }
            if (lg < 0)
                got = -1;
            if (got < 0)
                break;
        }
        if (got < 0)
            rc = malformed("claim_pack", packs[i], e);
        add_pair(&ks->rm, &ks->nrm, &ks->caprm, packs[i], ent);
    }
    if (rc == 0) {
        /* The later of two lines with one number wins. */
        if (nml > 1)
            qsort(ml, nml, sizeof *ml, cmp_mline);
        buf_t *run = &c->scratch;
        buf_reset(run);
        uint64_t n = 0;
        date_t dmin = DATE_NONE, dmax = DATE_NONE;
        store_any_rec_t *rec = mem_alloc(sizeof *rec);
        for (size_t i = 0; i < nml && rc == 0; i++) {
            if (i + 1 < nml && ml[i + 1].number == ml[i].number)
                continue;
            buf_append(run, lines.data + ml[i].off, ml[i].len);
            n++;
            if (!ks->dates_in_header) {
                const uint8_t *q = (const uint8_t *)lines.data + ml[i].off;
                sqp_line_t l;
                ks->k->init(rec);
                if (sqp_line_next(&q, q + ml[i].len, &l) != 1 ||
                    sqp_decode_cols(l.cols, l.end, ks->k->table, 2, rec) != 0)
                    rc = malformed("claim_pack", d->pack, e);
                date_t dd = STORE_CFIELD(rec, ks->dmin_col, date_t);
                widen(&dmin, &dmax, dd, dd);
            }
        }
        if (rc == 0 && ks->dates_in_header) {
            ks->k->init(rec);
            if (sqp_decode_cols((const uint8_t *)hdr.data, (const uint8_t *)hdr.data + hdr.len,
                                ks->k->header, 1, rec) != 0)
                rc = malformed("claim_pack", d->pack, e);
            dmin = STORE_CFIELD(rec, ks->dmin_col, date_t);
            dmax = STORE_CFIELD(rec, ks->dmax_col, date_t);
        }
        mem_free(rec);
        if (rc == 0)
            add_run(c, ks, ent, n, dmin, dmax, (const uint8_t *)hdr.data, hdr.len,
                    (const uint8_t *)run->data, run->len);
    }
    d->flags &= ~(uint32_t)D_FRAG;
    mem_free(packs);
    mem_free(ml);
    buf_free(&blob);
    buf_free(&lines);
    buf_free(&hdr);
    return rc;
}

int sqc_settle(sqc_t *c, int64_t delivery, err_t *e)
{
    int rc = 0;
    for (int i = 0; i < NKIND && rc == 0; i++) {
        kstate_t *ks = &c->ks[i];
        close_run(c, ks, delivery, c->sync);
        close_pack(ks, delivery, c->sync);
        if ((rc = sqc_write(c, c->sync, e)) != 0)
            break;
        /* Both lists in entry order, walked together: each claim finds its
         * earlier packs without a search. */
        if (ks->nfrag > 1)
            qsort(ks->frag, ks->nfrag, sizeof *ks->frag, cmp_pair_ent);
        if (ks->nfragents > 1)
            qsort(ks->fragents, ks->nfragents, sizeof *ks->fragents, cmp_u32);
        for (size_t j = 0, f = 0; j < ks->nfragents && rc == 0; j++) {
            uint32_t ent = ks->fragents[j];
            while (f < ks->nfrag && ks->frag[f].ent < ent)
                f++;
            size_t g = f;
            while (g < ks->nfrag && ks->frag[g].ent == ent)
                g++;
            rc = merge_claim(c, ks, ent, ks->frag + f, g - f, e);
            f = g;
        }
        ks->nfragents = ks->nfrag = 0;
        close_pack(ks, delivery, c->sync);
        if (rc == 0)
            rc = sqc_write(c, c->sync, e);
        if (rc == 0)
            rc = apply_drops(c, ks, e);
        if (rc == 0)
            rc = dir_write(c, ks, e);
    }
    return rc;
}

/* ---- counts and ranges --------------------------------------------------- */

int sqc_count(sqc_t *c, const store_kind_def_t *k, bool claims, int64_t *n, err_t *e)
{
    sqlite3_stmt *st = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(c->db,
                           claims
                               ? "SELECT coalesce(sum(nclaims), 0) FROM claim_pack WHERE kind = ?1"
                               : "SELECT coalesce(sum(nlines), 0) FROM claim_pack WHERE kind = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(c, "claim_pack", e);
    sqlite3_bind_int(st, 1, kstate(c, k)->disk);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_err(c, "claim_pack", e);
}

int sqc_date_range(sqc_t *c, const store_kind_def_t *k, date_t *min, date_t *max, err_t *e)
{
    sqlite3_stmt *st = NULL;
    *min = *max = DATE_NONE;
    if (sqlite3_prepare_v2(c->db, "SELECT min(dmin), max(dmax) FROM claim_pack WHERE kind = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return db_err(c, "claim_pack", e);
    sqlite3_bind_int(st, 1, kstate(c, k)->disk);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            *min = (date_t)sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            *max = (date_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_err(c, "claim_pack", e);
}

/* ---- scans --------------------------------------------------------------- */

/* A claim of the directory, for the ordered scan. */
typedef struct sent {
    const char *id;
    size_t idlen;
    int64_t pack;
} sent_t;

typedef struct sents {
    sent_t *v;
    size_t n, cap;
} sents_t;

static void collect_entry(void *ctx, const char *id, size_t idlen, int64_t pack)
{
    sents_t *s = ctx;
    s->v = grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = (sent_t){ id, idlen, pack };
}

/* Byte-wise order, a prefix first: SQLite's BINARY collation. */
static int cmp_id(const char *a, size_t an, const char *b, size_t bn)
{
    int r = memcmp(a, b, an < bn ? an : bn);
    if (r)
        return r;
    return an < bn ? -1 : an > bn;
}

static int cmp_sent(const void *a, const void *b)
{
    const sent_t *x = a, *y = b;
    return cmp_id(x->id, x->idlen, y->id, y->idlen);
}

/* A pack held for a scan, its runs indexed by id. */
typedef struct cpack {
    int64_t id; /* 0: empty slot */
    buf_t blob;
    sqp_run_t *runs;
    size_t nruns, cap;
} cpack_t;

static int cmp_run(const void *a, const void *b)
{
    const sqp_run_t *x = a, *y = b;
    return cmp_id(x->id, x->idlen, y->id, y->idlen);
}

static int cache_get(sqc_t *c, kstate_t *ks, cpack_t *slots, int64_t id, cpack_t **out, err_t *e)
{
    cpack_t *cp = &slots[(uint64_t)id % CACHE_SLOTS];
    *out = cp;
    if (cp->id == id)
        return 0;
    cp->id = 0;
    cp->nruns = 0;
    int rc = fetch_pack(c, id, &cp->blob, e);
    if (rc)
        return rc;
    const uint8_t *p = (const uint8_t *)cp->blob.data + 1, *end = p + cp->blob.len - 1;
    sqp_run_t r;
    int got;
    while ((got = sqp_run_next(&p, end, ks->k->header != NULL, &r)) == 1) {
        cp->runs = grow(cp->runs, &cp->cap, cp->nruns + 1, sizeof *cp->runs);
        cp->runs[cp->nruns++] = r;
    }
    if (got < 0)
        return malformed("claim_pack", id, e);
    if (cp->nruns > 1)
        qsort(cp->runs, cp->nruns, sizeof *cp->runs, cmp_run);
    cp->id = id;
    return 0;
}

/* Calls fn for the lines of claim (id, idlen) in pack cp; line > 0 only
 * that line. */
static int emit_claim(kstate_t *ks, cpack_t *cp, const char *id, size_t idlen, int64_t line,
                      store_any_rec_t *tmpl, store_any_rec_t *rec, store_scan_raw_fn fn, void *ctx,
                      err_t *e)
{
    sqp_run_t key = { .id = id, .idlen = idlen };
    const sqp_run_t *r = bsearch(&key, cp->runs, cp->nruns, sizeof *cp->runs, cmp_run);
    if (!r)
        return malformed("claim_dir", cp->id, e);
    const store_kind_def_t *k = ks->k;
    const store_table_t *t = k->table;
    k->init(tmpl);
    STORE_FIELD(tmpl, &t->cols[0], const char *) = r->id;
    if (k->header && sqp_decode_cols(r->hdr, r->hdr + r->hlen, k->header, 1, tmpl) != 0)
        return malformed("claim_pack", cp->id, e);
    const uint8_t *q = r->lines;
    sqp_line_t l;
    int got;
    while ((got = sqp_line_next(&q, r->end, &l)) == 1) {
        if (line > 0 && l.number != line)
            continue;
        memcpy(rec, tmpl, k->size);
        STORE_FIELD(rec, &t->cols[1], int64_t) = l.number;
        if (sqp_decode_cols(l.cols, l.end, t, 2, rec) != 0)
            return malformed("claim_pack", cp->id, e);
        int rc = fn(ctx, rec, e);
        if (rc)
            return rc;
    }
    return got < 0 ? malformed("claim_pack", cp->id, e) : 0;
}

int sqc_scan(sqc_t *c, const store_kind_def_t *k, int nfilter, const void *filter,
             store_scan_raw_fn fn, void *ctx, err_t *e)
{
    kstate_t *ks = kstate(c, k);
    const store_table_t *t = k->table;
    int64_t lo = (int64_t)ks->disk << 16, hi = lo | (NBUCKET - 1), line = 0;
    const char *want = NULL;
    size_t wantlen = 0;
    if (nfilter > 0) {
        want = STORE_CFIELD(filter, &t->cols[0], const char *);
        wantlen = strlen(want);
        lo = hi = lo | bucket_of(str_hash(want, wantlen));
        if (nfilter > 1)
            line = STORE_CFIELD(filter, &t->cols[1], int64_t);
    }
    /* The directory rows are copied out: the packs are read while they are
     * walked. */
    int rc = prep(c, &c->get_dir, "SELECT id, data FROM claim_dir WHERE id BETWEEN ?1 AND ?2",
                  "claim_dir", e);
    if (rc)
        return rc;
    buf_t dir = BUF_INIT;
    sqlite3_bind_int64(c->get_dir, 1, lo);
    sqlite3_bind_int64(c->get_dir, 2, hi);
    int step;
    size_t *ends = NULL, nends = 0, capends = 0;
    while ((step = sqlite3_step(c->get_dir)) == SQLITE_ROW) {
        buf_append(&dir, sqlite3_column_blob(c->get_dir, 1),
                   (size_t)sqlite3_column_bytes(c->get_dir, 1));
        ends = grow(ends, &capends, nends + 1, sizeof *ends);
        ends[nends++] = dir.len;
    }
    sqlite3_reset(c->get_dir);
    sents_t s = { 0 };
    if (step != SQLITE_DONE)
        rc = db_err(c, "claim_dir", e);
    for (size_t i = 0, at = 0; i < nends && rc == 0; at = ends[i++])
        if (bucket_each((const uint8_t *)dir.data + at, (const uint8_t *)dir.data + ends[i],
                        collect_entry, &s) != 0)
            rc = malformed("claim_dir", lo, e);
    mem_free(ends);
    if (rc == 0 && s.n > 1)
        qsort(s.v, s.n, sizeof *s.v, cmp_sent);
    cpack_t *slots = rc == 0 ? mem_calloc(CACHE_SLOTS, sizeof *slots) : NULL;
    store_any_rec_t *recs = mem_alloc(2 * sizeof *recs);
    for (size_t i = 0; i < s.n && rc == 0; i++) {
        const sent_t *en = &s.v[i];
        if (want && (en->idlen != wantlen || memcmp(en->id, want, wantlen) != 0))
            continue;
        cpack_t *cp;
        if ((rc = cache_get(c, ks, slots, en->pack, &cp, e)) != 0)
            break;
        rc = emit_claim(ks, cp, en->id, en->idlen, line, &recs[0], &recs[1], fn, ctx, e);
    }
    for (size_t i = 0; slots && i < CACHE_SLOTS; i++) {
        buf_free(&slots[i].blob);
        mem_free(slots[i].runs);
    }
    mem_free(slots);
    mem_free(recs);
    mem_free(s.v);
    buf_free(&dir);
    return rc;
}

/* ---- deletes ------------------------------------------------------------- */

int sqc_delete(sqc_t *c, const char *claim_id, int64_t *deleted, err_t *e)
{
    size_t idlen = strlen(claim_id);
    uint64_t h = str_hash(claim_id, idlen);
    uint32_t b = bucket_of(h);
    int rc = 0;
    for (int i = 0; i < NKIND && rc == 0; i++) {
        kstate_t *ks = &c->ks[i];
        if (!has_bit(ks->loaded, b) && (rc = dir_load(c, ks, (int)b, e)) != 0)
            break;
        int64_t j = dir_find(ks, claim_id, idlen, h);
        if (j < 0 || ks->ents[j].pack == 0)
            continue;
        dent_t *d = &ks->ents[j];
        pair_t one = { d->pack, (uint32_t)j };
        if ((rc = drop_runs(c, ks, d->pack, &one, 1, deleted, e)) != 0)
            break;
        d->pack = 0;
        d->flags = 0;
        set_bit(ks->dirty, b);
    }
    return rc;
}
