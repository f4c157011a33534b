/* sqlite.c — the embedded store backend.
 *
 * One connection, WAL journal (readers never block the writer),
 * foreign_keys=ON, synchronous=NORMAL (durable at checkpoints, safe against
 * corruption). Every statement is prepared once per connection, lazily, and
 * reused. A put copies its values into a per-table batch (sq_batch_t); a full
 * batch, or what is left before any read or the commit, is written with one
 * multi-row upsert, parents before children (store.h, "Buffered puts").
 * Multi-row statements and no per-row statement overhead about doubled the
 * bulk-load rate. Medical and pharmacy claims are not rows here: they are
 * packed (sqclaims.h), since SQLite's cost per row and column bounded a row
 * per claim line near 120,000 lines/s. Dates are stored as ISO "YYYY-MM-DD"
 * text and instants as "YYYY-MM-DDTHH:MM:SSZ" so that the file reads well in
 * the sqlite3 shell.
 */
#include "store/store_impl.h"

#include "core/mem.h"
#include "core/str.h"
#include "store/sqlite/sqclaims.h"

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define SQ_MAX_PARAMS 96 /* parameters or result columns of a statement (a claim scan: 51) */
#define SQ_NTABLES    32
#define SQ_MAX_FILTER 6 /* key columns a scan may filter on */

/* An insert statement and which of its parameters hold a value: binding
 * NULL only where the previous row had a value saves most bind calls (most
 * columns of a claim are empty). */
typedef struct sq_insert {
    sqlite3_stmt *st;
    unsigned char set[SQ_MAX_PARAMS];
} sq_insert_t;

/* Rows of one table waiting to be written by one multi-row upsert
 * (store.h, "Errors": a put inside a transaction is buffered). Values are
 * copied, text into one arena that the statements bind from (SQLITE_STATIC:
 * the arena is not touched while a statement runs). */
#define SQ_BATCH 64 /* rows per statement; tails use the 8- and 1-row forms */

typedef struct sq_val {
    union {
        int64_t i;
        double d;
        size_t off; /* text: offset in the arena */
    } v;
    uint32_t len;
    unsigned char type; /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
} sq_val_t;

typedef struct sq_multi {
    sqlite3_stmt *st;
    int rows;
    unsigned char *set; /* parameters holding a value (the rest are NULL) */
} sq_multi_t;

typedef struct sq_batch {
    int nrows, cap;
    sq_val_t *vals; /* cap rows of t->ncols values */
    char *text;
    size_t tlen, tcap;
} sq_batch_t;

/* What one kind has staged: rows, or for claims finished packs
 * (sqclaims.h). */
typedef struct sq_staged {
    sq_batch_t rows;
    sqc_batch_t *packs; /* claims only */
} sq_staged_t;

/* A writer job is worth posting for this many bytes of packs. */
#define SQ_PACK_POST (256 * 1024)

typedef struct sq_kind {
    /* Two sets, so that puts stage into one while the writer thread writes
     * the other (sq_post). */
    sq_staged_t st[2];
    int cur;                           /* the set puts stage into */
    sq_multi_t rows_ins[3];            /* upserts of SQ_BATCH, 8 and 1 rows */
    sqlite3_stmt *scan[SQ_MAX_FILTER]; /* by the number of key columns filtered on */
    int64_t old_checked;               /* the delivery has_old was checked for */
    bool has_old;
} sq_kind_t;

/* The writer thread: full batches are written while the next ones are
 * parsed and staged, so a bulk load keeps both cores busy (SQLite's
 * per-row work is about as large as parsing a claim line). At most one job
 * is in flight; the connection is used by the writer only while a job is
 * in flight and by the caller's thread only when none is (sq_wait), so it
 * needs no mutex of its own (NOMUTEX). A failed job's error is reported
 * by the next put or read, which is allowed: puts inside a transaction are
 * buffered (store.h, "Errors"). */
typedef struct sq_writer {
    pthread_t th;
    bool started, quit, busy;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    signed char job[SK_COUNT]; /* per kind: the set to write, -1 none */
    int rc;                    /* the last job's failure, until sq_discard */
    err_t err;
} sq_writer_t;

typedef struct sq_store {
    store_t base;
    sqlite3 *db;
    sqc_t *claims; /* medical and pharmacy claims, packed */
    sq_kind_t kinds[SK_COUNT];
    sq_writer_t w;
    char *deferred[8]; /* CREATE INDEX statements to run before the commit */
    int ndeferred;
    sqlite3_stmt *count[SQ_NTABLES];
    sqlite3_stmt *begin, *commit, *rollback, *next_delivery, *file_seen;
    char scratch[SQ_MAX_PARAMS][STORE_TIME_FMT_LEN]; /* dates and instants being bound */
    char *lists[SQ_MAX_PARAMS];      /* packed lists being bound, by parameter (lazily made) */
    char *scan_lists[SQ_MAX_PARAMS]; /* lists being read, by result column (lazily made) */
} sq_store_t;

/* A STORE_LIST_MAX buffer of a slot array, made on first use and kept. */
static char *sq_slot(char **slots, int idx)
{
    if (!slots[idx])
        slots[idx] = mem_alloc(STORE_LIST_MAX);
    return slots[idx];
}

static int sq_flush_all(sq_store_t *q, err_t *e);
static void sq_discard(sq_store_t *q);
static int sq_restore_indexes(sq_store_t *q, bool build, err_t *e);

/* An ERR_DB error from the connection's last failure, naming the table and,
 * when SQLite names it ("NOT NULL constraint failed: t.c"), the column. */
static int sq_err(sq_store_t *q, const char *table, err_t *e)
{
    const char *msg = sqlite3_errmsg(q->db);
    int code = sqlite3_extended_errcode(q->db);
    char col[64] = "";
    const char *colon = strstr(msg, "failed: ");
    if (colon && table) {
        const char *dot = strchr(colon, '.');
        if (dot) {
            str_copy(col, dot + 1, sizeof col);
            col[strcspn(col, " ,")] = '\0';
        }
    }
    int rc;
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = store_err_db(e, table, NULL,
                          "%s: foreign key constraint failed (a referenced row"
                          " is missing or still referenced)",
                          table ? table : "store");
    else
        rc = store_err_db(e, table, col[0] ? col : NULL, "%s%s%s", table ? table : "",
                          table ? ": " : "", msg);
    if (e)
        e->constraint = code == SQLITE_CONSTRAINT_FOREIGNKEY   ? ERR_CONSTRAINT_FOREIGN_KEY
                        : code == SQLITE_CONSTRAINT_PRIMARYKEY ? ERR_CONSTRAINT_UNIQUE
                        : code == SQLITE_CONSTRAINT_UNIQUE     ? ERR_CONSTRAINT_UNIQUE
                        : code == SQLITE_CONSTRAINT_CHECK      ? ERR_CONSTRAINT_CHECK
                        : code == SQLITE_CONSTRAINT_NOTNULL    ? ERR_CONSTRAINT_NOT_NULL
                                                               : ERR_CONSTRAINT_NONE;
    return rc;
}

static int sq_prepare(sq_store_t *q, sqlite3_stmt **st, const char *sql, const char *table,
                      err_t *e)
{
    if (*st)
        return 0;
    if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return sq_err(q, table, e);
    }
    return 0;
}

/* Steps a statement that returns no rows (or whose rows are ignored). */
static int sq_run(sq_store_t *q, sqlite3_stmt *st, const char *table, err_t *e)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    int ret = rc == SQLITE_DONE ? 0 : sq_err(q, table, e);
    sqlite3_reset(st);
    return ret;
}

static int sq_exec(store_t *s, const char *sql, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    char *msg = NULL;
    if (sq_flush_all(q, e) != 0)
        return ERR_DB;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        store_err_db(e, NULL, NULL, "%s", msg ? msg : sqlite3_errmsg(q->db));
        sqlite3_free(msg);
        return ERR_DB;
    }
    return 0;
}

/* One integer from a query, without writing the buffered rows first. */
static int sq_query_raw(sq_store_t *q, const char *sql, int64_t *out, bool *isnull, err_t *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_err(q, NULL, e);
    int rc = sqlite3_step(st);
    int ret = 0;
    *isnull = true;
    *out = 0;
    if (rc == SQLITE_ROW) {
        *isnull = sqlite3_column_type(st, 0) == SQLITE_NULL;
        *out = sqlite3_column_int64(st, 0);
    } else if (rc != SQLITE_DONE) {
        ret = sq_err(q, NULL, e);
    }
    sqlite3_finalize(st);
    return ret;
}

static int sq_query_i64(store_t *s, const char *sql, int64_t *out, bool *isnull, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    int rc = sq_flush_all(q, e);
    return rc ? rc : sq_query_raw(q, sql, out, isnull, e);
}

static int sq_migrate_begin(store_t *s, err_t *e)
{
    return sq_exec(s, "BEGIN IMMEDIATE", e);
}

/* BEGIN IMMEDIATE takes the write lock up front: two writers then wait on
 * busy_timeout instead of deadlocking on a lock upgrade. */
static int sq_begin(store_t *s, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    int rc;
    if ((rc = sq_prepare(q, &q->begin, "BEGIN IMMEDIATE", NULL, e)) != 0 ||
        (rc = sq_run(q, q->begin, NULL, e)) != 0)
        return rc;
    if ((rc = sq_prepare(q, &q->next_delivery,
                         "UPDATE store_meta SET value = value + 1 WHERE key = 'delivery'"
                         " RETURNING value",
                         "store_meta", e)) != 0)
        goto fail;
    if (sqlite3_step(q->next_delivery) != SQLITE_ROW) {
        rc = sq_err(q, "store_meta", e);
        sqlite3_reset(q->next_delivery);
        goto fail;
    }
    s->delivery = sqlite3_column_int64(q->next_delivery, 0);
    if ((rc = sq_run(q, q->next_delivery, "store_meta", e)) != 0)
        goto fail;
    return 0;
fail:
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int sq_commit(store_t *s, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    int rc = sq_flush_all(q, e);
    if (rc == 0)
        rc = sq_restore_indexes(q, true, e);
    if (rc == 0)
        rc = sq_prepare(q, &q->commit, "COMMIT", NULL, e);
    if (rc == 0)
        rc = sq_run(q, q->commit, NULL, e);
    sqc_end(q->claims);
    return rc;
}

static int sq_rollback(store_t *s, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    sq_discard(q);
    err_t ignore;
    sq_restore_indexes(q, false, &ignore);
    /* SQLite may already have rolled back on its own (e.g. SQLITE_FULL). */
    if (sqlite3_get_autocommit(q->db))
        return 0;
    int rc = sq_prepare(q, &q->rollback, "ROLLBACK", NULL, e);
    return rc ? rc : sq_run(q, q->rollback, NULL, e);
}

/* ---- binding and reading by descriptor ----------------------------------- */

static int sq_bind_col(sq_store_t *q, sq_insert_t *ins, int idx, const store_col_t *c,
                       const void *rec)
{
    sqlite3_stmt *st = ins->st;
    if (store_col_missing(rec, c)) {
        if (c->flags & SCF_EMPTY_OK)
            return sqlite3_bind_text(st, idx, "", 0, SQLITE_STATIC);
        if (!ins->set[idx])
            return SQLITE_OK;
        ins->set[idx] = 0;
        return sqlite3_bind_null(st, idx);
    }
    ins->set[idx] = 1;
    switch (c->type) {
    case SC_TEXT:
        return sqlite3_bind_text(st, idx, STORE_CFIELD(rec, c, const char *), -1, SQLITE_STATIC);
    case SC_INT:
    case SC_MONEY:
        return sqlite3_bind_int64(st, idx, STORE_CFIELD(rec, c, int64_t));
    case SC_DATE: {
        char *slot = q->scratch[idx % SQ_MAX_PARAMS];
        date_format(STORE_CFIELD(rec, c, date_t), slot);
        return sqlite3_bind_text(st, idx, slot, -1, SQLITE_STATIC);
    }
    case SC_TIME: {
        char *slot = q->scratch[idx % SQ_MAX_PARAMS];
        store_time_format(STORE_CFIELD(rec, c, store_time_t), slot);
        return sqlite3_bind_text(st, idx, slot, -1, SQLITE_STATIC);
    }
    case SC_REAL:
        return sqlite3_bind_double(st, idx, STORE_CFIELD(rec, c, double));
    case SC_FLAG:
        return sqlite3_bind_int(st, idx, STORE_CFIELD(rec, c, int));
    case SC_TEXT_LIST:
    case SC_DATE_LIST: {
        char *slot = sq_slot(q->lists, idx);
        size_t len;
        if (store_list_pack(c, rec, slot, &len) != 0)
            return SQLITE_TOOBIG; /* store.c checked the lists: unreachable */
        return sqlite3_bind_text(st, idx, slot, (int)len, SQLITE_STATIC);
    }
    }
    return SQLITE_MISUSE;
}

static int sq_read_col(sq_store_t *q, sqlite3_stmt *st, int idx, const store_col_t *c, void *rec,
                       const store_table_t *t, err_t *e)
{
    bool null = sqlite3_column_type(st, idx) == SQLITE_NULL;
    switch (c->type) {
    case SC_TEXT_LIST:
    case SC_DATE_LIST: {
        if (null)
            return 0; /* init left every item missing */
        int n = sqlite3_column_bytes(st, idx);
        const unsigned char *v = sqlite3_column_text(st, idx);
        char *slot = sq_slot(q->scan_lists, idx);
        if (n >= STORE_LIST_MAX)
            return store_err_db(e, t->name, c->name, "list longer than %d bytes", STORE_LIST_MAX);
        memcpy(slot, v, (size_t)n + 1);
        if (store_list_unpack(c, slot, rec) != 0)
            return store_err_db(e, t->name, c->name, "malformed list");
        return 0;
    }
    case SC_TEXT:
        STORE_FIELD(rec, c, const char *) = (const char *)sqlite3_column_text(st, idx);
        return 0;
    case SC_INT:
    case SC_MONEY:
        STORE_FIELD(rec, c, int64_t) = null ? INT64_MIN : sqlite3_column_int64(st, idx);
        return 0;
    case SC_REAL:
        STORE_FIELD(rec, c, double) = null ? NAN : sqlite3_column_double(st, idx);
        return 0;
    case SC_FLAG:
        STORE_FIELD(rec, c, int) = null ? STORE_FLAG_NONE : sqlite3_column_int(st, idx);
        return 0;
    case SC_DATE:
    case SC_TIME:
        break;
    }
    const char *v = (const char *)sqlite3_column_text(st, idx);
    int n = sqlite3_column_bytes(st, idx);
    if (c->type == SC_DATE) {
        date_t d = DATE_NONE;
        if (!null && date_parse(v, (size_t)n, &d) != 0)
            return store_err_db(e, t->name, c->name, "not a date: '%.*s'", n > 20 ? 20 : n, v);
        STORE_FIELD(rec, c, date_t) = d;
    } else {
        store_time_t tm = STORE_TIME_NONE;
        if (!null && store_time_parse(v, (size_t)n, &tm) != 0)
            return store_err_db(e, t->name, c->name, "not a time: '%.*s'", n > 30 ? 30 : n, v);
        STORE_FIELD(rec, c, store_time_t) = tm;
    }
    return 0;
}

/* ---- puts ---------------------------------------------------------------- */

/* Copies the columns of rec into the next row of b. */
static int sq_stage(sq_batch_t *b, const store_table_t *t, const void *rec, err_t *e)
{
    if (b->nrows == b->cap) {
        b->cap = SQ_BATCH;
        b->vals = mem_realloc(b->vals, (size_t)b->cap * (size_t)t->ncols * sizeof *b->vals);
    }
    sq_val_t *row = b->vals + (size_t)b->nrows * (size_t)t->ncols;
    for (int i = 0; i < t->ncols; i++) {
        const store_col_t *c = &t->cols[i];
        sq_val_t *v = &row[i];
        if (store_col_missing(rec, c)) {
            v->type = (c->flags & SCF_EMPTY_OK) ? SQLITE_TEXT : SQLITE_NULL;
            v->len = 0;
            v->v.off = 0;
            continue;
        }
        size_t need = 0;
        const char *txt = NULL;
        switch (c->type) {
        case SC_TEXT:
            txt = STORE_CFIELD(rec, c, const char *);
            need = strlen(txt);
            break;
        case SC_DATE:
        case SC_TIME:
            need = STORE_TIME_FMT_LEN;
            break;
        case SC_TEXT_LIST:
        case SC_DATE_LIST:
            need = STORE_LIST_MAX;
            break;
        case SC_INT:
        case SC_MONEY:
            v->type = SQLITE_INTEGER;
            v->v.i = STORE_CFIELD(rec, c, int64_t);
            continue;
        case SC_FLAG:
            v->type = SQLITE_INTEGER;
            v->v.i = STORE_CFIELD(rec, c, int);
            continue;
        case SC_REAL:
            v->type = SQLITE_FLOAT;
            v->v.d = STORE_CFIELD(rec, c, double);
            continue;
        }
        if (b->tlen + need + 1 > b->tcap) {
            b->tcap = (b->tlen + need + 1) * 2 < 4096 ? 4096 : (b->tlen + need + 1) * 2;
            b->text = mem_realloc(b->text, b->tcap);
        }
        char *out = b->text + b->tlen;
        size_t len = need;
        switch (c->type) {
        case SC_TEXT:
            memcpy(out, txt, need);
            break;
        case SC_DATE:
            date_format(STORE_CFIELD(rec, c, date_t), out);
            len = strlen(out);
            break;
        case SC_TIME:
            store_time_format(STORE_CFIELD(rec, c, store_time_t), out);
            len = strlen(out);
            break;
        default:
            if (store_list_pack(c, rec, out, &len) != 0) /* store.c checked: unreachable */
                return err_set(e, ERR_INTERNAL, "%s.%s: list too long", t->name, c->name);
            break;
        }
        v->type = SQLITE_TEXT;
        v->v.off = b->tlen;
        v->len = (uint32_t)len;
        b->tlen += len;
    }
    b->nrows++;
    return 0;
}

/* The upsert of `rows` rows into t, made on first use. */
static int sq_prepare_multi(sq_store_t *q, sq_multi_t *m, int rows, const store_table_t *t,
                            err_t *e)
{
    if (m->st)
        return 0;
    int np = t->ncols + t->has_load_seq;
    buf_t b = BUF_INIT;
    int rc = buf_printf(&b, "INSERT INTO %s (", t->name);
    rc |= store_sql_cols(&b, t, NULL);
    rc |= buf_puts(&b, t->has_load_seq ? ", load_seq) VALUES " : ") VALUES ");
    for (int r = 0; r < rows; r++) {
        rc |= buf_puts(&b, r ? ", (?" : "(?");
        for (int i = 1; i < np; i++)
            rc |= buf_puts(&b, ", ?");
        rc |= buf_puts(&b, ")");
    }
    rc |= store_sql_conflict(&b, t);
    if (rc != 0)
        rc = err_set(e, ERR_NOMEM, "statement too long");
    else
        rc = sq_prepare(q, &m->st, buf_cstr(&b), t->name, e);
    buf_free(&b);
    if (rc == 0) {
        m->rows = rows;
        m->set = mem_calloc((size_t)rows * (size_t)np, 1); /* all NULL to start with */
    }
    return rc;
}

/* Writes the buffered rows of b into t and empties b. */
static int sq_flush_batch(sq_store_t *q, sq_batch_t *b, sq_multi_t ins[3], const store_table_t *t,
                          err_t *e)
{
    static const int sizes[3] = { SQ_BATCH, 8, 1 };
    int np = t->ncols + t->has_load_seq, done = 0, rc = 0;
    while (rc == 0 && done < b->nrows) {
        int left = b->nrows - done, w = left >= sizes[0] ? 0 : left >= sizes[1] ? 1 : 2;
        /* Stay within the connection's limit on parameters. */
        if (w == 0 && sizes[0] * np > sqlite3_limit(q->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1))
            w = sizes[1] * np > sqlite3_limit(q->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1) ? 2 : 1;
        sq_multi_t *m = &ins[w];
        if ((rc = sq_prepare_multi(q, m, sizes[w], t, e)) != 0)
            break;
        for (int r = 0; r < m->rows; r++) {
            const sq_val_t *row = b->vals + (size_t)(done + r) * (size_t)t->ncols;
            int base = r * np;
            for (int i = 0; i < t->ncols; i++) {
                const sq_val_t *v = &row[i];
                int idx = base + i + 1, brc;
                if (v->type == SQLITE_NULL) {
                    if (!m->set[idx - 1])
                        continue;
                    m->set[idx - 1] = 0;
                    brc = sqlite3_bind_null(m->st, idx);
                } else {
                    m->set[idx - 1] = 1;
                    if (v->type == SQLITE_INTEGER)
                        brc = sqlite3_bind_int64(m->st, idx, v->v.i);
                    else if (v->type == SQLITE_FLOAT)
                        brc = sqlite3_bind_double(m->st, idx, v->v.d);
                    else
                        brc = sqlite3_bind_text(m->st, idx, v->len ? b->text + v->v.off : "",
                                                (int)v->len, SQLITE_STATIC);
                }
                if (brc != SQLITE_OK) {
                    rc = sq_err(q, t->name, e);
                    break;
                }
            }
            if (rc == 0 && t->has_load_seq &&
                sqlite3_bind_int64(m->st, base + np, q->base.delivery) != SQLITE_OK)
                rc = sq_err(q, t->name, e);
            if (rc != 0)
                break;
        }
        if (rc == 0)
            rc = sq_run(q, m->st, t->name, e);
        done += m->rows;
    }
    b->nrows = 0;
    b->tlen = 0;
    return rc;
}

/* Drops the secondary indexes of table for the rest of the transaction,
 * keeping their definitions for sq_restore_indexes (the commit). Building
 * an index from sorted keys once is much cheaper than inserting into it
 * for every row (pharmacy claims: about a quarter of SQLite's time). If the
 * transaction rolls back, so do the drops. */
static int sq_defer_indexes(sq_store_t *q, const char *table, err_t *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                           " AND tbl_name = ?1 AND sql IS NOT NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_err(q, table, e);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    buf_t drop = BUF_INIT;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (q->ndeferred == (int)(sizeof q->deferred / sizeof q->deferred[0]))
            break; /* more than any table has: the rest stay */
        q->deferred[q->ndeferred++] = mem_strdup((const char *)sqlite3_column_text(st, 1));
        buf_printf(&drop, "DROP INDEX \"%s\";", (const char *)sqlite3_column_text(st, 0));
    }
    int ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_err(q, table, e);
    sqlite3_finalize(st);
    if (ret == 0 && drop.len && sqlite3_exec(q->db, buf_cstr(&drop), NULL, NULL, NULL) != SQLITE_OK)
        ret = sq_err(q, table, e);
    buf_free(&drop);
    return ret;
}

/* Builds the indexes sq_defer_indexes dropped (or, with build false, only
 * forgets them: the rollback restores them). */
static int sq_restore_indexes(sq_store_t *q, bool build, err_t *e)
{
    int rc = 0;
    for (int i = 0; i < q->ndeferred; i++) {
        if (build && rc == 0 && sqlite3_exec(q->db, q->deferred[i], NULL, NULL, NULL) != SQLITE_OK)
            rc = sq_err(q, NULL, e);
        mem_free(q->deferred[i]);
    }
    q->ndeferred = 0;
    return rc;
}

static void sq_clear(sq_staged_t *sg)
{
    sg->rows.nrows = 0;
    sg->rows.tlen = 0;
    if (sg->packs)
        sqc_batch_clear(sg->packs);
}

static bool sq_has_staged(const sq_staged_t *sg)
{
    return sg->rows.nrows > 0 || (sg->packs && sqc_batch_bytes(sg->packs) > 0);
}

/* Writes what kind k staged in sg. */
static int sq_write_staged(sq_store_t *q, int k, sq_staged_t *sg, err_t *e)
{
    if (sg->packs && sqc_batch_bytes(sg->packs) > 0)
        return sqc_write(q->claims, sg->packs, e);
    if (sg->rows.nrows == 0)
        return 0;
    sq_kind_t *kk = &q->kinds[k];
    const store_kind_def_t *kd = store_kind_def((store_kind_t)k);
    int rc = 0;
    if (kk->old_checked != q->base.delivery) {
        /* The kind's first write in the delivery: is its table empty? */
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT EXISTS (SELECT 1 FROM %s)", kd->table->name);
        int64_t n = 0;
        bool isnull;
        if ((rc = sq_query_raw(q, sql, &n, &isnull, e)) != 0)
            return rc;
        kk->has_old = n != 0;
        kk->old_checked = q->base.delivery;
        /* A load into an empty table (the first import, a first analysis
         * run): its secondary indexes are built once at the commit rather
         * than row by row. */
        if (!kk->has_old && (rc = sq_defer_indexes(q, kd->table->name, e)) != 0)
            return rc;
    }
    rc = sq_flush_batch(q, &sg->rows, kk->rows_ins, kd->table, e);
    sq_clear(sg);
    return rc;
}

static void *sq_writer_main(void *arg)
{
    sq_store_t *q = arg;
    sq_writer_t *w = &q->w;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->busy && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->busy)
            break; /* quit with nothing in flight */
        pthread_mutex_unlock(&w->mu);
        err_t e;
        err_clear(&e);
        int rc = 0;
        for (int k = 0; k < SK_COUNT; k++) {
            int set = w->job[k];
            if (set < 0)
                continue;
            if (rc == 0)
                rc = sq_write_staged(q, k, &q->kinds[k].st[set], &e);
            else
                sq_clear(&q->kinds[k].st[set]);
        }
        pthread_mutex_lock(&w->mu);
        if (rc != 0 && w->rc == 0) {
            w->rc = rc;
            w->err = e;
        }
        w->busy = false;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Waits until no job is in flight; returns the failure of an earlier job. */
static int sq_wait(sq_store_t *q, err_t *e)
{
    sq_writer_t *w = &q->w;
    if (!w->started)
        return 0;
    pthread_mutex_lock(&w->mu);
    while (w->busy)
        pthread_cond_wait(&w->cv, &w->mu);
    int rc = w->rc;
    if (rc != 0 && e)
        *e = w->err;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* Hands what kinds 0..upto staged to the writer thread (the kinds a full
 * batch of kind upto may reference: parents before children), and stages
 * further puts into their other sets. Writes them here when no thread can
 * be had. */
static int sq_post(sq_store_t *q, int upto, err_t *e)
{
    sq_writer_t *w = &q->w;
    int rc = sq_wait(q, e);
    if (rc != 0)
        return rc;
    if (!w->started) {
        if (pthread_mutex_init(&w->mu, NULL) != 0)
            goto sync;
        if (pthread_cond_init(&w->cv, NULL) != 0) {
            pthread_mutex_destroy(&w->mu);
            goto sync;
        }
        if (pthread_create(&w->th, NULL, sq_writer_main, q) != 0) {
            pthread_cond_destroy(&w->cv);
            pthread_mutex_destroy(&w->mu);
            goto sync;
        }
        w->started = true;
    }
    pthread_mutex_lock(&w->mu);
    for (int k = 0; k < SK_COUNT; k++) {
        sq_kind_t *kk = &q->kinds[k];
        w->job[k] = -1;
        if (k <= upto && sq_has_staged(&kk->st[kk->cur])) {
            w->job[k] = (signed char)kk->cur;
            kk->cur ^= 1;
        }
    }
    w->busy = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
sync:
    for (int k = 0; k <= upto && k < SK_COUNT && rc == 0; k++)
        rc = sq_write_staged(q, k, &q->kinds[k].st[q->kinds[k].cur], e);
    return rc;
}

/* Forgets everything staged or failed (the transaction is doomed, or
 * rolled back). */
static void sq_discard(sq_store_t *q)
{
    sq_wait(q, NULL);
    if (q->w.started) {
        pthread_mutex_lock(&q->w.mu);
        q->w.rc = 0;
        pthread_mutex_unlock(&q->w.mu);
    }
    for (int k = 0; k < SK_COUNT; k++) {
        sq_kind_t *kk = &q->kinds[k];
        sq_clear(&kk->st[0]);
        sq_clear(&kk->st[1]);
    }
    sqc_end(q->claims);
}

/* Writes everything staged, after the job in flight: before any read or
 * other statement, and at the commit. */
static int sq_flush_all(sq_store_t *q, err_t *e)
{
    if (!q->base.in_txn)
        return 0;
    int rc = sq_wait(q, e);
    for (int k = 0; k < SK_COUNT && rc == 0; k++)
        rc = sq_write_staged(q, k, &q->kinds[k].st[q->kinds[k].cur], e);
    if (rc == 0)
        rc = sqc_settle(q->claims, q->base.delivery, e);
    if (rc != 0)
        sq_discard(q); /* the transaction is doomed (store.c) */
    return rc;
}

/* Buffers the record; a full batch goes to the writer thread (with the
 * kinds it may reference), and everything is written at the latest before
 * a read or the commit. Claims go into packs (sqclaims.h). */
static int sq_put(store_t *s, const store_kind_def_t *k, const void *rec, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    sq_kind_t *kk = &q->kinds[k->kind];
    sq_staged_t *sg = &kk->st[kk->cur];
    int rc;
    if (k->redelivery) {
        /* The kind's first put in a transaction reads the database. */
        if (sqc_needs_db(q->claims, k) && (rc = sq_wait(q, e)) != 0)
            goto fail;
        if (!sg->packs)
            sg->packs = sqc_batch_new();
        if ((rc = sqc_put(q->claims, k, rec, s->delivery, sg->packs, e)) == ERR_INPUT)
            return rc; /* refused before anything changed: the transaction goes on */
        if (rc != 0)
            goto fail;
        if (sqc_batch_bytes(sg->packs) >= SQ_PACK_POST && (rc = sq_post(q, k->kind, e)) != 0)
            goto fail;
        return 0;
    }
    if ((rc = sq_stage(&sg->rows, k->table, rec, e)) != 0)
        goto fail;
    if (sg->rows.nrows == SQ_BATCH && (rc = sq_post(q, k->kind, e)) != 0)
        goto fail;
    return 0;
fail:
    sq_discard(q);
    return rc;
}

static int sq_delete_claim(store_t *s, const char *claim_id, int64_t *deleted, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    *deleted = 0;
    int rc = sq_flush_all(q, e);
    return rc ? rc : sqc_delete(q->claims, claim_id, deleted, e);
}

/* ---- reads --------------------------------------------------------------- */

static int sq_file_seen(store_t *s, const char *hash, bool *seen, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    int rc = sq_flush_all(q, e);
    if (rc)
        return rc;
    rc = sq_prepare(q, &q->file_seen, "SELECT 1 FROM source_file WHERE content_hash = ?1",
                    "source_file", e);
    if (rc)
        return rc;
    sqlite3_bind_text(q->file_seen, 1, hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(q->file_seen);
    *seen = rc == SQLITE_ROW;
    int ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_err(q, "source_file", e);
    sqlite3_reset(q->file_seen);
    return ret;
}

/* The claims kind whose logical table t is (its header table for
 * *header), or NULL: those tables are packed (sqclaims.h). */
static const store_kind_def_t *sq_claim_kind(const store_table_t *t, bool *header)
{
    static const store_kind_t kinds[] = { SK_MED_CLAIM, SK_RX_CLAIM };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const store_kind_def_t *k = store_kind_def(kinds[i]);
        if (k->table == t || k->header == t) {
            if (header)
                *header = k->header == t;
            return k;
        }
    }
    return NULL;
}

static int sq_count(store_t *s, const store_table_t *t, int64_t *n, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    bool header;
    const store_kind_def_t *ck = sq_claim_kind(t, &header);
    if (ck) {
        int rc = sq_flush_all(q, e);
        return rc ? rc : sqc_count(q->claims, ck, header, n, e);
    }
    int i = store_table_index(t);
    if (i < 0 || i >= SQ_NTABLES)
        return err_set(e, ERR_INTERNAL, "table %s not in the schema", t->name);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->name);
    int rc = sq_flush_all(q, e);
    if (rc == 0)
        rc = sq_prepare(q, &q->count[i], sql, t->name, e);
    if (rc)
        return rc;
    rc = sqlite3_step(q->count[i]);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(q->count[i], 0) : 0;
    int ret = rc == SQLITE_ROW ? 0 : sq_err(q, t->name, e);
    sqlite3_reset(q->count[i]);
    return ret;
}

static int sq_date_range(store_t *s, const store_table_t *t, const char *col_min,
                         const char *col_max, date_t *min, date_t *max, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    const store_kind_def_t *ck = sq_claim_kind(t, NULL);
    if (ck) {
        /* The packs know the one range store_summary asks of each kind. */
        bool med = ck->kind == SK_MED_CLAIM;
        if (strcmp(col_min, med ? "claim_start_date" : "dispensing_date") != 0 ||
            strcmp(col_max, med ? "claim_end_date" : "dispensing_date") != 0)
            return err_set(e, ERR_INTERNAL, "%s: no date range of %s..%s", t->name, col_min,
                           col_max);
        int rc = sq_flush_all(q, e);
        return rc ? rc : sqc_date_range(q->claims, ck, min, max, e);
    }
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT min(%s), max(%s) FROM %s", col_min, col_max, t->name);
    sqlite3_stmt *st = NULL;
    int frc = sq_flush_all(q, e);
    if (frc)
        return frc;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_err(q, t->name, e);
    *min = *max = DATE_NONE;
    int ret = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < 2; i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            if (v && date_parse(v, strlen(v), i ? max : min) != 0)
                ret = store_err_db(e, t->name, i ? col_max : col_min, "not a date: '%.20s'", v);
        }
    } else {
        ret = sq_err(q, t->name, e);
    }
    sqlite3_finalize(st);
    return ret;
}

static int sq_prepare_scan(sq_store_t *q, const store_kind_def_t *k, int nfilter, sqlite3_stmt **st,
                           err_t *e)
{
    if (*st)
        return 0;
    const store_table_t *t = k->table;
    if (t->ncols + (k->header ? k->header->ncols : 0) > SQ_MAX_PARAMS)
        return err_set(e, ERR_INTERNAL, "%s: too many columns", t->name);
    buf_t b = BUF_INIT;
    int rc = buf_puts(&b, "SELECT ");
    rc |= store_sql_cols(&b, t, "t");
    if (k->header)
        for (int i = 0; i < k->header->ncols; i++)
            if (!store_col_shared(k, &k->header->cols[i]))
                rc |= buf_printf(&b, ", h.%s", k->header->cols[i].name);
    rc |= buf_printf(&b, " FROM %s AS t", t->name);
    if (k->header)
        rc |= buf_printf(&b, " JOIN %s AS h ON h.%s = t.%s", k->header->name,
                         k->header->cols[0].name, k->header->cols[0].name);
    for (int i = 0; i < nfilter; i++)
        rc |= buf_printf(&b, "%st.%s = ?%d", i ? " AND " : " WHERE ", t->cols[i].name, i + 1);
    rc |= buf_puts(&b, " ORDER BY ");
    for (int i = 0; i < t->nkey; i++)
        rc |= buf_printf(&b, "%st.%s", i ? ", " : "", t->cols[i].name);
    if (rc != 0)
        rc = err_set(e, ERR_NOMEM, "statement too long");
    else
        rc = sq_prepare(q, st, buf_cstr(&b), t->name, e);
    buf_free(&b);
    return rc;
}

/* Binds the first n key columns of filter to parameters 1..n of st. */
static int sq_bind_prefix(sq_store_t *q, sqlite3_stmt *st, const store_table_t *t, int n,
                          const void *filter, err_t *e)
{
    sq_insert_t ins = { .st = st };
    memset(ins.set, 1, sizeof ins.set);
    for (int i = 0; i < n; i++)
        if (sq_bind_col(q, &ins, i + 1, &t->cols[i], filter) != SQLITE_OK)
            return sq_err(q, t->name, e);
    return 0;
}

/* A scan in SQL of the kind's table(s). Claims are packed (sq_scan), except
 * in a database that migration 4 is converting (sq_migrated). */
static int sq_scan_sql(sq_store_t *q, const store_kind_def_t *k, int nfilter, const void *filter,
                       store_scan_raw_fn fn, void *ctx, err_t *e)
{
    sq_kind_t *kk = &q->kinds[k->kind];
    sqlite3_stmt *st = NULL;
    int rc = sq_prepare_scan(q, k, nfilter, &kk->scan[nfilter], e);
    if (rc)
        return rc;
    st = kk->scan[nfilter];
    if ((rc = sq_bind_prefix(q, st, k->table, nfilter, filter, e)) != 0)
        return rc;
    store_any_rec_t rec; /* on the stack: the widest, a claim line, is ~1.3 KiB */
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        k->init(&rec);
        int col = 0;
        for (int i = 0; i < k->table->ncols && rc == 0; i++)
            rc = sq_read_col(q, st, col++, &k->table->cols[i], &rec, k->table, e);
        if (k->header)
            for (int i = 0; i < k->header->ncols && rc == 0; i++)
                if (!store_col_shared(k, &k->header->cols[i]))
                    rc = sq_read_col(q, st, col++, &k->header->cols[i], &rec, k->header, e);
        if (rc == 0)
            rc = fn(ctx, &rec, e);
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = sq_err(q, k->table->name, e);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int sq_scan(store_t *s, const store_kind_def_t *k, int nfilter, const void *filter,
                   store_scan_raw_fn fn, void *ctx, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    if (nfilter < 0 || nfilter >= SQ_MAX_FILTER || nfilter > k->table->nkey)
        return err_set(e, ERR_INTERNAL, "%s: bad scan filter", k->table->name);
    int rc = sq_flush_all(q, e);
    if (rc)
        return rc;
    if (k->redelivery)
        return sqc_scan(q->claims, k, nfilter, filter, fn, ctx, e);
    return sq_scan_sql(q, k, nfilter, filter, fn, ctx, e);
}

/* Result clears (store_clear_*): rare, so prepared per call. */
static int sq_delete_prefix(store_t *s, const store_table_t *t, int nfilter, const void *filter,
                            int64_t *deleted, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    *deleted = 0;
    if (nfilter < 1 || nfilter > t->nkey || sq_claim_kind(t, NULL))
        return err_set(e, ERR_INTERNAL, "%s: bad delete filter", t->name);
    int rc = sq_flush_all(q, e);
    if (rc)
        return rc;
    buf_t b = BUF_INIT;
    rc = buf_printf(&b, "DELETE FROM %s", t->name);
    for (int i = 0; i < nfilter; i++)
        rc |= buf_printf(&b, "%s%s = ?%d", i ? " AND " : " WHERE ", t->cols[i].name, i + 1);
    sqlite3_stmt *st = NULL;
    if (rc != 0)
        rc = err_set(e, ERR_NOMEM, "statement too long");
    else if (sqlite3_prepare_v2(q->db, buf_cstr(&b), -1, &st, NULL) != SQLITE_OK)
        rc = sq_err(q, t->name, e);
    else if ((rc = sq_bind_prefix(q, st, t, nfilter, filter, e)) == 0 &&
             (rc = sq_run(q, st, t->name, e)) == 0)
        *deleted = sqlite3_changes(q->db);
    sqlite3_finalize(st);
    buf_free(&b);
    return rc;
}

/* ---- migration 4: claims into packs ------------------------------------- */

typedef struct sq_conv {
    sq_store_t *q;
    const store_kind_def_t *k;
    sqc_batch_t *batch;
} sq_conv_t;

static int sq_conv_line(void *ctx, const void *rec, err_t *e)
{
    sq_conv_t *cv = ctx;
    int rc = sqc_put(cv->q->claims, cv->k, rec, 0, cv->batch, e);
    if (rc == 0 && sqc_batch_bytes(cv->batch) >= SQ_PACK_POST)
        rc = sqc_write(cv->q->claims, cv->batch, e);
    return rc;
}

/* Reads the claims of the row-per-line tables (a file made before migration
 * 4), in key order, into packs, and drops those tables. Runs inside the
 * migration's transaction: all or nothing. */
static int sq_migrated(store_t *s, int version, err_t *e)
{
    sq_store_t *q = (sq_store_t *)s;
    if (version != 4)
        return 0;
    static const store_kind_t kinds[] = { SK_MED_CLAIM, SK_RX_CLAIM };
    sq_conv_t cv = { .q = q, .batch = sqc_batch_new() };
    int rc = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && rc == 0; i++) {
        cv.k = store_kind_def(kinds[i]);
        rc = sq_scan_sql(q, cv.k, 0, NULL, sq_conv_line, &cv, e);
        sq_kind_t *kk = &q->kinds[kinds[i]];
        sqlite3_finalize(kk->scan[0]); /* its tables are about to go */
        kk->scan[0] = NULL;
    }
    if (rc == 0)
        rc = sqc_write(q->claims, cv.batch, e);
    if (rc == 0)
        rc = sqc_settle(q->claims, 0, e);
    sqc_end(q->claims);
    sqc_batch_free(cv.batch);
    if (rc == 0 && sqlite3_exec(q->db,
                                "DROP TABLE medical_claim_line; DROP TABLE medical_claim;"
                                " DROP TABLE pharmacy_claim;",
                                NULL, NULL, NULL) != SQLITE_OK)
        rc = sq_err(q, "medical_claim", e);
    return rc;
}

/* ---- open and close ------------------------------------------------------ */

static void sq_close(store_t *s)
{
    sq_store_t *q = (sq_store_t *)s;
    sq_writer_t *w = &q->w;
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->quit = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->th, NULL);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
    }
    for (int k = 0; k < SK_COUNT; k++) {
        sq_kind_t *kk = &q->kinds[k];
        for (int j = 0; j < 3; j++) {
            sqlite3_finalize(kk->rows_ins[j].st);
            mem_free(kk->rows_ins[j].set);
        }
        for (int j = 0; j < 2; j++) {
            mem_free(kk->st[j].rows.vals);
            mem_free(kk->st[j].rows.text);
            sqc_batch_free(kk->st[j].packs);
        }
        for (int i = 0; i < SQ_MAX_FILTER; i++)
            sqlite3_finalize(kk->scan[i]);
    }
    sqc_free(q->claims);
    err_t ignore;
    sq_restore_indexes(q, false, &ignore);
    for (int i = 0; i < SQ_NTABLES; i++)
        sqlite3_finalize(q->count[i]);
    for (int i = 0; i < SQ_MAX_PARAMS; i++) {
        mem_free(q->lists[i]);
        mem_free(q->scan_lists[i]);
    }
    sqlite3_stmt *misc[] = { q->begin, q->commit, q->rollback, q->next_delivery, q->file_seen };
    for (size_t i = 0; i < sizeof misc / sizeof misc[0]; i++)
        sqlite3_finalize(misc[i]);
    sqlite3_close(q->db);
    mem_free(q);
}

static const store_vtab_t sq_vtab = {
    .name = "sqlite",
    .dialect = &store_dialect_sqlite,
    .close = sq_close,
    .exec = sq_exec,
    .query_i64 = sq_query_i64,
    .migrate_begin = sq_migrate_begin,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .put = sq_put,
    .delete_claim = sq_delete_claim,
    .file_seen = sq_file_seen,
    .count = sq_count,
    .date_range = sq_date_range,
    .scan = sq_scan,
    .delete_prefix = sq_delete_prefix,
    .migrated = sq_migrated,
    .checks_claim_lists = true,
};

/* SQLite's memory statistics cost a global mutex per allocation (a few per
 * row loaded); Tripod never reads them. sqlite3_config works only before
 * SQLite initialises and while no other thread uses it, hence a constructor
 * (before main); when SQLite is already initialised it does nothing. */
__attribute__((constructor)) static void sq_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_sqlite_open(const char *path, store_t **out, err_t *e)
{
    *out = NULL;
    if (!*path)
        return err_set(e, ERR_USAGE, "empty SQLite path");
    sq_store_t *q = mem_calloc(1, sizeof *q);
    q->base.vt = &sq_vtab;
    /* NOMUTEX: a store_t is used by one thread at a time (store.h), so
     * SQLite's per-call mutexes are pure overhead on the bulk-load path. */
    int rc = sqlite3_open_v2(
        path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err_at(e, ERR_IO, path, 0, 0, NULL, "cannot open SQLite database: %s",
               q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
        sq_close(&q->base);
        return ERR_IO;
    }
    sqlite3_extended_result_codes(q->db, 1);
    q->claims = sqc_new(q->db);
    sqlite3_busy_timeout(q->db, 10000);
    /* WAL: readers (the web server) never block an import. NORMAL sync in
     * WAL mode cannot corrupt the file; it may lose the last commits on
     * power loss, which a re-import restores (imports are idempotent). */
    char *msg = NULL;
    if (sqlite3_exec(q->db,
                     "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;"
                     " PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                     " PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        err_at(e, ERR_DB, path, 0, 0, NULL, "cannot configure SQLite database: %s",
               msg ? msg : sqlite3_errmsg(q->db));
        sqlite3_free(msg);
        sq_close(&q->base);
        return ERR_DB;
    }
    *out = &q->base;
    return 0;
}
