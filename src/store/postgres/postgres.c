/* postgres.c — the server store backend (libpq).
 *
 * Bulk load. A put does not talk to the server: it appends the record as a
 * row of COPY text to a per-kind buffer. When the buffers pass a threshold,
 * and before any read, delete or commit, they are flushed in kind order
 * (parents before children): COPY FROM STDIN into a session temp table
 * stage_<kind> (made on first use), then one set-based upsert per table
 *   INSERT INTO t SELECT DISTINCT ON (key) ... ORDER BY key, ord DESC
 *   ON CONFLICT (key) DO UPDATE SET ...
 * (the last put of a key wins, as on SQLite), then TRUNCATE. Claims first
 * drop the lines older deliveries stored for the claim_ids being loaded.
 * The upserts are prepared once per session.
 *
 * Types: dates are DATE, instants TIMESTAMPTZ (the session runs in UTC),
 * money BIGINT cents; text keys use COLLATE "C" so that ORDER BY is byte-wise,
 * as on SQLite. Scans read through a cursor, 5,000 rows per fetch, with
 * dates as day numbers (date - 1970-01-01) and instants as epoch seconds.
 */
#include "store/store_impl.h"

#include "core/mem.h"
#include "core/str.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define PG_FLUSH_BYTES ((size_t)8 << 20) /* buffered COPY text that triggers a flush */
#define PG_FETCH_ROWS  5000

/* A record kind's buffered rows: part 0 for its table (claim lines), part 1
 * for the claim header, which is written only when it changes from the
 * previous line's (like the SQLite backend) so that a claim's header travels
 * once rather than once per line. */
typedef struct pg_kind {
    buf_t copy[2]; /* COPY text rows not yet sent, per part */
    bool prepared; /* tp_up_/tp_hdr_/tp_del_<kind> exist in this session */
    /* The stage tables exist: created in the open transaction (a rollback
     * takes them away again) or committed. Made on first use, so that a
     * connection that only reads creates none. */
    enum { PG_STAGE_NONE, PG_STAGE_TXN, PG_STAGE_DONE } stage;
    char *last_claim; /* header of this claim_id, in this delivery, is buffered */
    size_t last_cap;
    int64_t last_delivery;
    uint64_t last_hash;
} pg_kind_t;

typedef struct pg_store {
    store_t base;
    PGconn *conn;
    char *scan_lists[8]; /* lists being read, by list ordinal in the row (lazily made) */
    pg_kind_t kinds[SK_COUNT];
    size_t buffered; /* bytes in all copy buffers */
    int64_t ord;     /* put order, so that the last put of a key wins */
} pg_store_t;

/* An ERR_DB error from a failed result (or the connection), naming the table
 * and column the server names, else `table`. */
static int pg_err(pg_store_t *p, const PGresult *res, const char *table, err_t *e)
{
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *t = res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL;
    const char *c = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    if (!msg)
        msg = PQerrorMessage(p->conn);
    if (t && str_starts_with(t, "stage_"))
        t = NULL; /* a staging table is our own: name the real one */
    if (!t)
        t = table;
    char m[400];
    str_copy(m, msg, sizeof m);
    m[strcspn(m, "\n")] = '\0';
    if (detail && strlen(m) + 3 < sizeof m) {
        size_t n = strlen(m);
        snprintf(m + n, sizeof m - n, " (%s)", detail);
        m[strcspn(m, "\n")] = '\0';
    }
    int rc = store_err_db(e, t, c, "%s%s%s", t ? t : "", t ? ": " : "", m);
    /* SQLSTATE class 23, integrity constraint violation (PostgreSQL,
     * Appendix A): 23503 foreign key, 23505 unique, 23514 check, 23502 not null. */
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (e && state)
        e->constraint = !strcmp(state, "23503")   ? ERR_CONSTRAINT_FOREIGN_KEY
                        : !strcmp(state, "23505") ? ERR_CONSTRAINT_UNIQUE
                        : !strcmp(state, "23514") ? ERR_CONSTRAINT_CHECK
                        : !strcmp(state, "23502") ? ERR_CONSTRAINT_NOT_NULL
                                                  : ERR_CONSTRAINT_NONE;
    return rc;
}

/* Runs sql (possibly several statements); fails unless every result is
 * COMMAND_OK or TUPLES_OK. */
static int pg_exec_t(pg_store_t *p, const char *sql, const char *table, err_t *e)
{
    PGresult *res = PQexec(p->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_err(p, res, table, e);
    PQclear(res);
    return rc;
}

static int pg_exec(store_t *s, const char *sql, err_t *e)
{
    return pg_exec_t((pg_store_t *)s, sql, NULL, e);
}

static int pg_query_i64(store_t *s, const char *sql, int64_t *out, bool *isnull, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    PGresult *res = PQexec(p->conn, sql);
    int rc = 0;
    *out = 0;
    *isnull = true;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_err(p, res, NULL, e);
    } else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
        *isnull = false;
        if (str_to_i64z(PQgetvalue(res, 0, 0), out) != 0)
            rc = err_set(e, ERR_DB, "not an integer: '%.30s'", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

/* The advisory lock serialises concurrent openers of a new database. */
static int pg_migrate_begin(store_t *s, err_t *e)
{
    return pg_exec(s, "BEGIN; SELECT pg_advisory_xact_lock(7368232)", e);
}

/* Drops what is buffered; the header memory goes too, since the rows that
 * carried it will never reach the server. */
static void pg_clear_buffers(pg_store_t *p)
{
    for (int k = 0; k < SK_COUNT; k++) {
        buf_reset(&p->kinds[k].copy[0]);
        buf_reset(&p->kinds[k].copy[1]);
        p->kinds[k].last_delivery = 0;
    }
    p->buffered = 0;
}

static int pg_begin(store_t *s, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    pg_clear_buffers(p);
    int64_t d;
    bool isnull;
    int rc = pg_query_i64(s, "BEGIN; SELECT nextval('store_delivery_seq')", &d, &isnull, e);
    if (rc != 0) {
        PQclear(PQexec(p->conn, "ROLLBACK"));
        return rc;
    }
    s->delivery = d;
    return 0;
}

/* ---- staging and flushing -------------------------------------------------- */

static const char *pg_type(store_col_type_t t)
{
    switch (t) {
    case SC_TEXT:
        return "TEXT";
    case SC_INT:
    case SC_MONEY:
        return "BIGINT";
    case SC_DATE:
        return "DATE";
    case SC_TIME:
        return "TIMESTAMPTZ";
    case SC_REAL:
        return "DOUBLE PRECISION";
    case SC_FLAG:
        return "SMALLINT";
    case SC_TEXT_LIST:
    case SC_DATE_LIST:
        return "TEXT";
    }
    return "TEXT";
}

/* Calls fn for every column a record of kind k carries: the table's, then the
 * header's not already in the table. */
#define FOR_KIND_COLS(k, c, ...)                                                                   \
    do {                                                                                           \
        for (int i_ = 0; i_ < (k)->table->ncols; i_++) {                                           \
            const store_col_t *c = &(k)->table->cols[i_];                                          \
            __VA_ARGS__;                                                                           \
        }                                                                                          \
        if ((k)->header)                                                                           \
            for (int i_ = 0; i_ < (k)->header->ncols; i_++) {                                      \
                const store_col_t *c = &(k)->header->cols[i_];                                     \
                if (!store_col_shared((k), c)) {                                                   \
                    __VA_ARGS__;                                                                   \
                }                                                                                  \
            }                                                                                      \
    } while (0)

/* Part 0 of a kind is its table, part 1 its header table. */
static const store_table_t *pg_part(const store_kind_def_t *k, int part)
{
    return part == 0 ? k->table : k->header;
}

static const char *const pg_stage_suffix[2] = { "", "_h" };

/* A kind's session temp tables, one per part, with no constraints:
 * constraint errors then come from the real tables and name them. */
static int pg_create_stage(pg_store_t *p, const store_kind_def_t *k, err_t *e)
{
    buf_t b = BUF_INIT;
    int rc = 0;
    for (int part = 0; part < 2 && pg_part(k, part); part++) {
        const store_table_t *t = pg_part(k, part);
        rc |= buf_printf(&b, "CREATE TEMP TABLE stage_%s%s (ord BIGINT", k->name,
                         pg_stage_suffix[part]);
        for (int i = 0; i < t->ncols; i++)
            rc |= buf_printf(&b, ", %s %s", t->cols[i].name, pg_type(t->cols[i].type));
        rc |= buf_puts(&b, ");\n");
    }
    if (rc != 0)
        rc = err_set(e, ERR_NOMEM, "statement too long");
    else
        rc = pg_exec_t(p, buf_cstr(&b), k->table->name, e);
    buf_free(&b);
    if (rc == 0)
        p->kinds[k->kind].stage = PG_STAGE_TXN;
    return rc;
}

static int pg_prepare(pg_store_t *p, const char *name, const char *sql, int nparams,
                      const char *table, err_t *e)
{
    PGresult *res = PQprepare(p->conn, name, sql, nparams, NULL);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_err(p, res, table, e);
    PQclear(res);
    return rc;
}

/* INSERT INTO t (cols[, load_seq]) SELECT DISTINCT ON (key) cols[, $1]
 * FROM stage ORDER BY key, ord DESC ON CONFLICT ... */
static int pg_upsert_sql(buf_t *b, const store_kind_def_t *k, int part)
{
    const store_table_t *t = pg_part(k, part);
    buf_reset(b);
    int rc = buf_printf(b, "INSERT INTO %s (", t->name);
    rc |= store_sql_cols(b, t, NULL);
    rc |= buf_puts(b,
                   t->has_load_seq ? ", load_seq) SELECT DISTINCT ON (" : ") SELECT DISTINCT ON (");
    for (int i = 0; i < t->nkey; i++)
        rc |= buf_printf(b, "%s%s", i ? ", " : "", t->cols[i].name);
    rc |= buf_puts(b, ") ");
    rc |= store_sql_cols(b, t, NULL);
    rc |= buf_printf(b, "%s FROM stage_%s%s ORDER BY ", t->has_load_seq ? ", $1::bigint" : "",
                     k->name, pg_stage_suffix[part]);
    for (int i = 0; i < t->nkey; i++)
        rc |= buf_printf(b, "%s, ", t->cols[i].name);
    rc |= buf_puts(b, "ord DESC");
    rc |= store_sql_conflict(b, t);
    return rc ? -1 : 0;
}

static int pg_prepare_kind(pg_store_t *p, const store_kind_def_t *k, err_t *e)
{
    buf_t b = BUF_INIT;
    char name[64];
    int rc = 0;
    if (p->kinds[k->kind].stage == PG_STAGE_NONE && (rc = pg_create_stage(p, k, e)) != 0)
        return rc;
    if (k->redelivery) {
        /* Lines an older delivery stored for the claims being loaded. */
        buf_printf(&b,
                   "DELETE FROM %s AS l USING (SELECT DISTINCT claim_id FROM stage_%s) AS s"
                   " WHERE l.claim_id = s.claim_id AND l.load_seq <> $1::bigint",
                   k->table->name, k->name);
        snprintf(name, sizeof name, "tp_del_%s", k->name);
        if ((rc = pg_prepare(p, name, buf_cstr(&b), 1, k->table->name, e)) != 0)
            goto done;
    }
    if (k->header) {
        if (pg_upsert_sql(&b, k, 1) != 0) {
            rc = err_set(e, ERR_NOMEM, "statement too long");
            goto done;
        }
        snprintf(name, sizeof name, "tp_hdr_%s", k->name);
        if ((rc = pg_prepare(p, name, buf_cstr(&b), 0, k->header->name, e)) != 0)
            goto done;
    }
    if (pg_upsert_sql(&b, k, 0) != 0) {
        rc = err_set(e, ERR_NOMEM, "statement too long");
        goto done;
    }
    snprintf(name, sizeof name, "tp_up_%s", k->name);
    if ((rc = pg_prepare(p, name, buf_cstr(&b), k->table->has_load_seq ? 1 : 0, k->table->name,
                         e)) != 0)
        goto done;
    p->kinds[k->kind].prepared = true;
done:
    buf_free(&b);
    return rc;
}

static int pg_exec_prepared(pg_store_t *p, const char *prefix, const store_kind_def_t *k,
                            int nparams, const char *table, err_t *e)
{
    char name[64], delivery[24];
    snprintf(name, sizeof name, "%s%s", prefix, k->name);
    snprintf(delivery, sizeof delivery, "%" PRId64, p->base.delivery);
    const char *params[1] = { delivery };
    PGresult *res = PQexecPrepared(p->conn, name, nparams, params, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_err(p, res, table, e);
    PQclear(res);
    return rc;
}

static int pg_copy(pg_store_t *p, const store_kind_def_t *k, int part, err_t *e)
{
    const store_table_t *t = pg_part(k, part);
    buf_t sql = BUF_INIT;
    int rc = buf_printf(&sql, "COPY stage_%s%s (ord, ", k->name, pg_stage_suffix[part]);
    rc |= store_sql_cols(&sql, t, NULL);
    rc |= buf_puts(&sql, ") FROM STDIN");
    if (rc != 0) {
        buf_free(&sql);
        return err_set(e, ERR_NOMEM, "statement too long");
    }
    PGresult *res = PQexec(p->conn, buf_cstr(&sql));
    buf_free(&sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = pg_err(p, res, t->name, e);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    const buf_t *b = &p->kinds[k->kind].copy[part];
    if (PQputCopyData(p->conn, b->data, (int)b->len) != 1 || PQputCopyEnd(p->conn, NULL) != 1)
        return pg_err(p, NULL, t->name, e);
    rc = 0;
    while ((res = PQgetResult(p->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_err(p, res, t->name, e);
        PQclear(res);
    }
    return rc;
}

static int pg_flush(pg_store_t *p, err_t *e)
{
    int rc = 0;
    for (int kind = 0; kind < SK_COUNT && rc == 0; kind++) {
        pg_kind_t *pk = &p->kinds[kind];
        if (pk->copy[0].len == 0 && pk->copy[1].len == 0)
            continue;
        const store_kind_def_t *k = store_kind_def((store_kind_t)kind);
        bool hdr = k->header && pk->copy[1].len > 0;
        char trunc[96];
        snprintf(trunc, sizeof trunc, "TRUNCATE stage_%s%s", k->name, hdr ? ", stage_" : "");
        if (hdr) {
            size_t n = strlen(trunc);
            snprintf(trunc + n, sizeof trunc - n, "%s_h", k->name);
        }
        if ((!pk->prepared && (rc = pg_prepare_kind(p, k, e)) != 0) ||
            (rc = pg_copy(p, k, 0, e)) != 0 || (hdr && (rc = pg_copy(p, k, 1, e)) != 0) ||
            (k->redelivery &&
             (rc = pg_exec_prepared(p, "tp_del_", k, 1, k->table->name, e)) != 0) ||
            (hdr && (rc = pg_exec_prepared(p, "tp_hdr_", k, 0, k->header->name, e)) != 0) ||
            (rc = pg_exec_prepared(p, "tp_up_", k, k->table->has_load_seq, k->table->name, e)) !=
                0 ||
            (rc = pg_exec_t(p, trunc, k->table->name, e)) != 0)
            break;
        buf_reset(&pk->copy[0]);
        buf_reset(&pk->copy[1]);
    }
    if (rc != 0)
        pg_clear_buffers(p);
    else
        p->buffered = 0;
    return rc;
}

/* Reads and deletes must see the puts before them. */
static int pg_sync(pg_store_t *p, err_t *e)
{
    return p->base.in_txn && p->buffered > 0 ? pg_flush(p, e) : 0;
}

static int pg_commit(store_t *s, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    int rc = p->buffered > 0 ? pg_flush(p, e) : 0;
    if (rc != 0)
        return rc;
    /* COMMIT of a failed transaction "succeeds" as a ROLLBACK: check the tag. */
    PGresult *res = PQexec(p->conn, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_err(p, res, NULL, e);
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = err_set(e, ERR_DB, "transaction rolled back by the server");
    PQclear(res);
    if (rc == 0)
        for (int k = 0; k < SK_COUNT; k++)
            if (p->kinds[k].stage == PG_STAGE_TXN)
                p->kinds[k].stage = PG_STAGE_DONE;
    return rc;
}

/* Stage tables created in a transaction that rolled back are gone, and the
 * statements prepared on them (which a rollback keeps) must go too. */
static void pg_forget_stages(pg_store_t *p)
{
    for (int kind = 0; kind < SK_COUNT; kind++) {
        pg_kind_t *pk = &p->kinds[kind];
        if (pk->stage != PG_STAGE_TXN)
            continue;
        const store_kind_def_t *k = store_kind_def((store_kind_t)kind);
        static const char *const prefixes[] = { "tp_up_", "tp_hdr_", "tp_del_" };
        for (int i = 0; i < 3 && pk->prepared; i++) {
            if ((i == 1 && !k->header) || (i == 2 && !k->redelivery))
                continue;
            char sql[64];
            snprintf(sql, sizeof sql, "DEALLOCATE %s%s", prefixes[i], k->name);
            PQclear(PQexec(p->conn, sql));
        }
        pk->prepared = false;
        pk->stage = PG_STAGE_NONE;
    }
}

static int pg_rollback(store_t *s, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    pg_clear_buffers(p);
    int rc = PQtransactionStatus(p->conn) == PQTRANS_IDLE ? 0 : pg_exec_t(p, "ROLLBACK", NULL, e);
    pg_forget_stages(p);
    return rc;
}

/* ---- puts: COPY text rows -------------------------------------------------- */

/* COPY text format: tab-separated, \N for NULL, backslash escapes. */
static int pg_copy_text(buf_t *b, const char *v)
{
    const char *run = v;
    for (const char *q = v; *q; q++) {
        const char *esc = NULL;
        switch (*q) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            continue;
        }
        if (buf_append(b, run, (size_t)(q - run)) != 0 || buf_puts(b, esc) != 0)
            return -1;
        run = q + 1;
    }
    return buf_puts(b, run);
}

static int pg_copy_col(buf_t *b, const store_col_t *c, const void *rec)
{
    if (buf_putc(b, '\t') != 0)
        return -1;
    if (store_col_missing(rec, c))
        return c->flags & SCF_EMPTY_OK ? 0 : buf_puts(b, "\\N");
    switch (c->type) {
    case SC_TEXT:
        return pg_copy_text(b, STORE_CFIELD(rec, c, const char *));
    case SC_INT:
    case SC_MONEY:
        return buf_printf(b, "%" PRId64, STORE_CFIELD(rec, c, int64_t));
    case SC_DATE: {
        char d[DATE_FMT_LEN];
        date_format(STORE_CFIELD(rec, c, date_t), d);
        return buf_puts(b, d);
    }
    case SC_TIME: {
        char t[STORE_TIME_FMT_LEN];
        store_time_format(STORE_CFIELD(rec, c, store_time_t), t);
        return buf_puts(b, t);
    }
    case SC_REAL:
        return buf_printf(b, "%.17g", STORE_CFIELD(rec, c, double));
    case SC_FLAG:
        return buf_putc(b, STORE_CFIELD(rec, c, int) ? '1' : '0');
    case SC_TEXT_LIST:
    case SC_DATE_LIST: {
        char list[STORE_LIST_MAX];
        size_t len;
        if (store_list_pack(c, rec, list, &len) != 0)
            return -1; /* store.c checked the lists: unreachable */
        return pg_copy_text(b, list);
    }
    }
    return -1;
}

static int pg_put_row(pg_store_t *p, const store_kind_def_t *k, int part, const void *rec, err_t *e)
{
    const store_table_t *t = pg_part(k, part);
    buf_t *b = &p->kinds[k->kind].copy[part];
    size_t before = b->len;
    int rc = buf_printf(b, "%" PRId64, ++p->ord);
    for (int i = 0; i < t->ncols; i++)
        rc |= pg_copy_col(b, &t->cols[i], rec);
    rc |= buf_putc(b, '\n');
    if (rc != 0) {
        b->len = before;
        if (b->data)
            b->data[before] = '\0';
        return err_at(e, ERR_NOMEM, NULL, 0, 0, t->name, "%s: record too large", t->name);
    }
    p->buffered += b->len - before;
    return 0;
}

static int pg_put(store_t *s, const store_kind_def_t *k, const void *rec, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    pg_kind_t *pk = &p->kinds[k->kind];
    int rc;
    if (k->header) {
        const char *claim_id = STORE_CFIELD(rec, &k->table->cols[0], const char *);
        uint64_t h = store_row_hash(k->header, rec);
        if (pk->last_delivery != s->delivery || h != pk->last_hash ||
            strcmp(pk->last_claim, claim_id) != 0) {
            if ((rc = pg_put_row(p, k, 1, rec, e)) != 0)
                return rc;
            size_t n = strlen(claim_id) + 1;
            if (n > pk->last_cap) {
                pk->last_cap = n < 64 ? 64 : n * 2;
                pk->last_claim = mem_realloc(pk->last_claim, pk->last_cap);
            }
            memcpy(pk->last_claim, claim_id, n);
            pk->last_delivery = s->delivery;
            pk->last_hash = h;
        }
    }
    if ((rc = pg_put_row(p, k, 0, rec, e)) != 0)
        return rc;
    return p->buffered >= PG_FLUSH_BYTES ? pg_flush(p, e) : 0;
}

static int pg_params(pg_store_t *p, const char *sql, const char *param, const char *table,
                     PGresult **out, err_t *e)
{
    const char *params[1] = { param };
    PGresult *res = PQexecParams(p->conn, sql, 1, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int rc = pg_err(p, res, table, e);
        PQclear(res);
        return rc;
    }
    *out = res;
    return 0;
}

static int pg_delete_claim(store_t *s, const char *claim_id, int64_t *deleted, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    int rc = pg_sync(p, e);
    *deleted = 0;
    static const struct {
        const char *sql, *table;
        bool counts;
    } steps[] = {
        { "DELETE FROM medical_claim_line WHERE claim_id = $1", "medical_claim_line", true },
        { "DELETE FROM medical_claim WHERE claim_id = $1", "medical_claim", false },
        { "DELETE FROM pharmacy_claim WHERE claim_id = $1", "pharmacy_claim", true },
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && rc == 0; i++) {
        PGresult *res = NULL;
        if ((rc = pg_params(p, steps[i].sql, claim_id, steps[i].table, &res, e)) != 0)
            break;
        int64_t n = 0;
        if (steps[i].counts && str_to_i64z(PQcmdTuples(res), &n) == 0)
            *deleted += n;
        PQclear(res);
    }
    /* The header is gone: the next line of this claim must send it again. */
    p->kinds[SK_MED_CLAIM].last_delivery = 0;
    return rc;
}

/* ---- reads --------------------------------------------------------------- */

static int pg_file_seen(store_t *s, const char *hash, bool *seen, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    PGresult *res = NULL;
    int rc = pg_sync(p, e);
    if (rc == 0 && (rc = pg_params(p, "SELECT 1 FROM source_file WHERE content_hash = $1", hash,
                                   "source_file", &res, e)) == 0) {
        *seen = PQntuples(res) > 0;
        PQclear(res);
    }
    return rc;
}

static int pg_count(store_t *s, const store_table_t *t, int64_t *n, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    int rc = pg_sync(p, e);
    if (rc)
        return rc;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->name);
    bool isnull;
    rc = pg_query_i64(s, sql, n, &isnull, e);
    if (rc)
        err_where(e, NULL, 0, 0, t->name);
    return rc;
}

static int pg_date_range(store_t *s, const store_table_t *t, const char *col_min,
                         const char *col_max, date_t *min, date_t *max, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    int rc = pg_sync(p, e);
    if (rc)
        return rc;
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT min(%s) - DATE '1970-01-01', max(%s) - DATE '1970-01-01' FROM %s", col_min,
             col_max, t->name);
    PGresult *res = PQexec(p->conn, sql);
    *min = *max = DATE_NONE;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_err(p, res, t->name, e);
    } else {
        for (int i = 0; i < 2; i++) {
            int v;
            if (!PQgetisnull(res, 0, i) && str_to_intz(PQgetvalue(res, 0, i), &v) == 0)
                *(i ? max : min) = v;
        }
    }
    PQclear(res);
    return rc;
}

static int pg_select_col(buf_t *b, const char *alias, const store_col_t *c)
{
    switch (c->type) {
    case SC_DATE:
        return buf_printf(b, ", %s.%s - DATE '1970-01-01'", alias, c->name);
    case SC_TIME:
        return buf_printf(b, ", extract(epoch FROM %s.%s)::bigint", alias, c->name);
    default:
        return buf_printf(b, ", %s.%s", alias, c->name);
    }
}

static int pg_read_col(pg_store_t *p, const PGresult *res, int row, int idx, int *nlist,
                       const store_col_t *c, void *rec, const store_table_t *t, err_t *e)
{
    bool null = PQgetisnull(res, row, idx);
    const char *v = PQgetvalue(res, row, idx);
    int bad = 0;
    switch (c->type) {
    case SC_TEXT_LIST:
    case SC_DATE_LIST: {
        if (null)
            return 0; /* init left every item missing */
        int slot = (*nlist)++;
        size_t n = strlen(v);
        if (slot >= (int)(sizeof p->scan_lists / sizeof p->scan_lists[0]) || n >= STORE_LIST_MAX)
            return store_err_db(e, t->name, c->name, "list too long");
        if (!p->scan_lists[slot])
            p->scan_lists[slot] = mem_alloc(STORE_LIST_MAX);
        memcpy(p->scan_lists[slot], v, n + 1);
        if (store_list_unpack(c, p->scan_lists[slot], rec) != 0)
            return store_err_db(e, t->name, c->name, "malformed list");
        return 0;
    }
    case SC_TEXT:
        STORE_FIELD(rec, c, const char *) = null ? NULL : v;
        break;
    case SC_INT:
    case SC_MONEY:
    case SC_TIME:
        STORE_FIELD(rec, c, int64_t) = INT64_MIN;
        if (!null)
            bad = str_to_i64z(v, &STORE_FIELD(rec, c, int64_t));
        break;
    case SC_DATE: {
        int d = 0;
        if (!null)
            bad = str_to_intz(v, &d);
        STORE_FIELD(rec, c, date_t) = null ? DATE_NONE : d;
        break;
    }
    case SC_REAL:
        STORE_FIELD(rec, c, double) = NAN;
        if (!null)
            bad = str_to_double(v, strlen(v), &STORE_FIELD(rec, c, double));
        break;
    case SC_FLAG:
        STORE_FIELD(rec, c, int) = null ? STORE_FLAG_NONE : v[0] == '1';
        break;
    }
    if (bad)
        return store_err_db(e, t->name, c->name, "unreadable value '%.30s'", v);
    return 0;
}

static int pg_scan_rows(pg_store_t *p, const store_kind_def_t *k, PGresult *res,
                        store_scan_raw_fn fn, void *ctx, err_t *e)
{
    store_any_rec_t rec;
    int rows = PQntuples(res);
    for (int r = 0; r < rows; r++) {
        k->init(&rec);
        int col = 1, rc = 0, nlist = 0; /* column 0 is the SELECT's leading constant */
        FOR_KIND_COLS(
            k, c, if (rc == 0) rc = pg_read_col(p, res, r, col++, &nlist, c, &rec, k->table, e));
        if (rc == 0)
            rc = fn(ctx, &rec, e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* A key value of filter as a text parameter: points at the record's string
 * or is formatted into slot. */
#define PG_MAX_FILTER 6
static const char *pg_param_text(const store_col_t *c, const void *filter, char slot[32])
{
    if (store_col_missing(filter, c))
        return "";
    switch (c->type) {
    case SC_TEXT:
        return STORE_CFIELD(filter, c, const char *);
    case SC_DATE:
        date_format(STORE_CFIELD(filter, c, date_t), slot);
        return slot;
    case SC_TIME:
        store_time_format(STORE_CFIELD(filter, c, store_time_t), slot);
        return slot;
    case SC_INT:
    case SC_MONEY:
        snprintf(slot, 32, "%" PRId64, STORE_CFIELD(filter, c, int64_t));
        return slot;
    case SC_FLAG:
        return STORE_CFIELD(filter, c, int) ? "1" : "0";
    default:
        return ""; /* lists and reals are never key columns */
    }
}

/* " WHERE a = $1::type AND b = $2::type" over the first n key columns, and
 * their values. */
static int pg_where(buf_t *b, const store_table_t *t, int n, const void *filter, const char *alias,
                    const char *params[PG_MAX_FILTER], char slots[PG_MAX_FILTER][32])
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        rc |= buf_printf(b, "%s%s%s%s = $%d::%s", i ? " AND " : " WHERE ", alias ? alias : "",
                         alias ? "." : "", t->cols[i].name, i + 1, pg_type(t->cols[i].type));
        params[i] = pg_param_text(&t->cols[i], filter, slots[i]);
    }
    return rc;
}

static int pg_delete_prefix(store_t *s, const store_table_t *t, int nfilter, const void *filter,
                            int64_t *deleted, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    *deleted = 0;
    if (nfilter < 1 || nfilter > t->nkey || nfilter > PG_MAX_FILTER)
        return err_set(e, ERR_INTERNAL, "%s: bad delete filter", t->name);
    int rc = pg_sync(p, e);
    if (rc)
        return rc;
    const char *params[PG_MAX_FILTER];
    char slots[PG_MAX_FILTER][32];
    buf_t b = BUF_INIT;
    int brc = buf_printf(&b, "DELETE FROM %s", t->name);
    brc |= pg_where(&b, t, nfilter, filter, NULL, params, slots);
    if (brc != 0) {
        buf_free(&b);
        return err_set(e, ERR_NOMEM, "statement too long");
    }
    PGresult *res = PQexecParams(p->conn, buf_cstr(&b), nfilter, NULL, params, NULL, NULL, 0);
    buf_free(&b);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_err(p, res, t->name, e);
    else if (str_to_i64z(PQcmdTuples(res), deleted) != 0)
        *deleted = 0;
    PQclear(res);
    return rc;
}

static int pg_scan(store_t *s, const store_kind_def_t *k, int nfilter, const void *filter,
                   store_scan_raw_fn fn, void *ctx, err_t *e)
{
    pg_store_t *p = (pg_store_t *)s;
    if (nfilter < 0 || nfilter > k->table->nkey || nfilter > PG_MAX_FILTER)
        return err_set(e, ERR_INTERNAL, "%s: bad scan filter", k->table->name);
    int rc = pg_sync(p, e);
    if (rc)
        return rc;
    bool own_txn = !s->in_txn;
    if (own_txn && (rc = pg_exec_t(p, "BEGIN", k->table->name, e)) != 0)
        return rc;
    const char *params[PG_MAX_FILTER];
    char slots[PG_MAX_FILTER][32];
    buf_t b = BUF_INIT;
    int brc = buf_puts(&b, "DECLARE tp_scan NO SCROLL CURSOR FOR SELECT 0");
    for (int i = 0; i < k->table->ncols; i++)
        brc |= pg_select_col(&b, "t", &k->table->cols[i]);
    if (k->header)
        for (int i = 0; i < k->header->ncols; i++)
            if (!store_col_shared(k, &k->header->cols[i]))
                brc |= pg_select_col(&b, "h", &k->header->cols[i]);
    brc |= buf_printf(&b, " FROM %s AS t", k->table->name);
    if (k->header)
        brc |= buf_printf(&b, " JOIN %s AS h ON h.%s = t.%s", k->header->name,
                          k->header->cols[0].name, k->header->cols[0].name);
    brc |= pg_where(&b, k->table, nfilter, filter, "t", params, slots);
    brc |= buf_puts(&b, " ORDER BY ");
    for (int i = 0; i < k->table->nkey; i++)
        brc |= buf_printf(&b, "%st.%s", i ? ", " : "", k->table->cols[i].name);
    if (brc != 0) {
        buf_free(&b);
        if (own_txn)
            PQclear(PQexec(p->conn, "ROLLBACK"));
        return err_set(e, ERR_NOMEM, "statement too long");
    }
    PGresult *dres =
        PQexecParams(p->conn, buf_cstr(&b), nfilter, NULL, nfilter ? params : NULL, NULL, NULL, 0);
    rc = PQresultStatus(dres) == PGRES_COMMAND_OK ? 0 : pg_err(p, dres, k->table->name, e);
    PQclear(dres);
    buf_free(&b);
    if (rc != 0) {
        if (own_txn)
            PQclear(PQexec(p->conn, "ROLLBACK"));
        return rc;
    }
    char fetch[64];
    snprintf(fetch, sizeof fetch, "FETCH %d FROM tp_scan", PG_FETCH_ROWS);
    for (;;) {
        PGresult *res = PQexec(p->conn, fetch);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            rc = pg_err(p, res, k->table->name, e);
            PQclear(res);
            break;
        }
        int rows = PQntuples(res);
        rc = rows ? pg_scan_rows(p, k, res, fn, ctx, e) : 0;
        PQclear(res);
        if (rc != 0 || rows < PG_FETCH_ROWS)
            break;
    }
    err_t ignore;
    if (own_txn)
        PQclear(PQexec(p->conn, rc == 0 ? "COMMIT" : "ROLLBACK"));
    else if (PQtransactionStatus(p->conn) == PQTRANS_INTRANS &&
             pg_exec_t(p, "CLOSE tp_scan", NULL, &ignore) != 0 && rc == 0)
        rc = err_set(e, ERR_DB, "cannot close the scan cursor");
    return rc;
}

/* ---- open and close ------------------------------------------------------ */

static void pg_close(store_t *s)
{
    pg_store_t *p = (pg_store_t *)s;
    for (int k = 0; k < SK_COUNT; k++) {
        buf_free(&p->kinds[k].copy[0]);
        buf_free(&p->kinds[k].copy[1]);
        mem_free(p->kinds[k].last_claim);
    }
    for (size_t i = 0; i < sizeof p->scan_lists / sizeof p->scan_lists[0]; i++)
        mem_free(p->scan_lists[i]);
    PQfinish(p->conn);
    mem_free(p);
}

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* notices ("... already exists, skipping") are not errors */
}

static const store_vtab_t pg_vtab = {
    .name = "postgres",
    .dialect = &store_dialect_pg,
    .close = pg_close,
    .exec = pg_exec,
    .query_i64 = pg_query_i64,
    .migrate_begin = pg_migrate_begin,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .put = pg_put,
    .delete_claim = pg_delete_claim,
    .file_seen = pg_file_seen,
    .count = pg_count,
    .date_range = pg_date_range,
    .scan = pg_scan,
    .delete_prefix = pg_delete_prefix,
};

int store_pg_open(const char *conninfo, store_t **out, err_t *e)
{
    *out = NULL;
    pg_store_t *p = mem_calloc(1, sizeof *p);
    p->base.vt = &pg_vtab;
    for (int k = 0; k < SK_COUNT; k++) {
        buf_init(&p->kinds[k].copy[0], 0);
        buf_init(&p->kinds[k].copy[1], 0);
    }
    p->conn = PQconnectdb(conninfo);
    if (PQstatus(p->conn) != CONNECTION_OK) {
        char msg[300];
        str_copy(msg, PQerrorMessage(p->conn), sizeof msg);
        msg[strcspn(msg, "\n")] = '\0';
        /* The conninfo may hold a password: do not echo it. */
        err_set(e, ERR_IO, "cannot connect to PostgreSQL: %s", msg);
        pg_close(&p->base);
        return ERR_IO;
    }
    PQsetNoticeProcessor(p->conn, pg_quiet, NULL);
    int rc = pg_exec_t(p,
                       "SET client_min_messages = warning; SET TimeZone = 'UTC';"
                       " SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3;"
                       /* the staged upserts sort up to 8 MiB of rows: in memory */
                       " SET work_mem = '64MB'",
                       NULL, e);
    if (rc != 0) {
        pg_close(&p->base);
        return rc;
    }
    *out = &p->base;
    return 0;
}
