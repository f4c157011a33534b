/* store.c — the part of the store both backends share.
 *
 * URL dispatch, key validation, the transaction state machine (an error
 * inside a transaction dooms it, identically on both backends), implicit
 * one-put transactions, and the typed wrappers around the backend's
 * descriptor-driven put and scan.
 */
#include "store/store_impl.h"

#include "core/mem.h"
#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int store_err_db(err_t *e, const char *table, const char *column, const char *fmt, ...)
{
    char field[128];
    if (table && column)
        snprintf(field, sizeof field, "%s.%s", table, column);
    else
        snprintf(field, sizeof field, "%s", table ? table : "");
    char msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_at(e, ERR_DB, NULL, 0, 0, field[0] ? field : NULL, "%s", msg);
}

int store_open(const char *url, store_t **out, err_t *e)
{
    *out = NULL;
    if (!url || !*url)
        return err_set(e, ERR_USAGE, "no store given (a SQLite file or a postgresql:// URL)");
    store_t *s = NULL;
    int rc;
    if (str_starts_with(url, "postgresql://") || str_starts_with(url, "postgres://"))
        rc = store_pg_open(url, &s, e);
    else if (str_starts_with(url, "sqlite:"))
        rc = store_sqlite_open(url + strlen("sqlite:"), &s, e);
    else
        rc = store_sqlite_open(url, &s, e);
    if (rc != 0)
        return rc;
    if ((rc = store_migrate(s, e)) != 0) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void store_close(store_t *s)
{
    if (!s)
        return;
    if (s->in_txn) {
        err_t ignore;
        s->vt->rollback(s, &ignore);
        s->in_txn = false;
    }
    s->vt->close(s);
}

const char *store_backend(const store_t *s)
{
    return s->vt->name;
}

int store_schema_version(store_t *s, int *out, err_t *e)
{
    int64_t v = 0;
    bool isnull = false;
    int rc = s->vt->query_i64(s, "SELECT max(version) FROM schema_version", &v, &isnull, e);
    *out = rc == 0 && !isnull ? (int)v : 0;
    return rc;
}

/* ---- transactions -------------------------------------------------------- */

int store_begin(store_t *s, err_t *e)
{
    if (s->in_txn)
        return err_set(e, ERR_USAGE, "store_begin: a transaction is already open");
    int rc = s->vt->begin(s, e);
    if (rc == 0) {
        s->in_txn = true;
        s->doomed = false;
    }
    return rc;
}

int store_commit(store_t *s, err_t *e)
{
    if (!s->in_txn)
        return err_set(e, ERR_USAGE, "store_commit: no transaction is open");
    err_t ignore;
    if (s->doomed) {
        s->vt->rollback(s, &ignore);
        s->in_txn = s->doomed = false;
        return err_set(e, ERR_DB, "transaction rolled back: an earlier error aborted it");
    }
    int rc = s->vt->commit(s, e);
    if (rc != 0)
        s->vt->rollback(s, &ignore);
    s->in_txn = false;
    return rc;
}

int store_rollback(store_t *s, err_t *e)
{
    if (!s->in_txn)
        return 0;
    int rc = s->vt->rollback(s, e);
    s->in_txn = s->doomed = false;
    return rc;
}

bool store_in_transaction(const store_t *s)
{
    return s->in_txn;
}

/* Runs op inside the open transaction or, for writes outside one, in a
 * transaction of its own. A failed write dooms the open transaction; a read
 * dooms it only when the store failed (ERR_DB: PostgreSQL aborts the
 * transaction then), not when a scan callback stopped with its own code. */
typedef int (*store_op_fn)(store_t *s, void *arg, err_t *e);

static int run_op(store_t *s, store_op_fn op, void *arg, bool writes, err_t *e)
{
    if (s->in_txn) {
        if (s->doomed)
            return err_set(e, ERR_USAGE,
                           "the transaction was aborted by an earlier error; roll it back");
        int rc = op(s, arg, e);
        /* ERR_INPUT from a put is a record refused before it changed
         * anything (checks_claim_lists): the transaction goes on. */
        if (rc != 0 && ((writes && rc != ERR_INPUT) || rc == ERR_DB))
            s->doomed = true;
        return rc;
    }
    if (!writes)
        return op(s, arg, e);
    int rc = store_begin(s, e);
    if (rc != 0)
        return rc;
    rc = op(s, arg, e);
    if (rc == 0)
        return store_commit(s, e);
    err_t ignore;
    store_rollback(s, &ignore);
    return rc;
}

/* ---- puts ---------------------------------------------------------------- */

/* Lists must pack (no '|' inside an item, STORE_LIST_MAX in all) before a
 * backend sees them, so that a bad one is rejected input, not a failed
 * transaction. */
static int check_lists(const store_table_t *t, const void *rec, err_t *e)
{
    for (int i = 0; i < t->ncols; i++) {
        const store_col_t *c = &t->cols[i];
        if ((c->type == SC_TEXT_LIST || c->type == SC_DATE_LIST) && store_list_check(c, rec) != 0) {
            char field[128];
            snprintf(field, sizeof field, "%s.%s", t->name, c->name);
            return err_at(e, ERR_INPUT, NULL, 0, 0, field,
                          "%s: an item holds '%c' or the list is longer than %d bytes", field,
                          STORE_LIST_SEP, STORE_LIST_MAX - 1);
        }
    }
    return 0;
}

static int check_keys(const store_table_t *t, const void *rec, err_t *e)
{
    for (int i = 0; i < t->nkey; i++) {
        const store_col_t *c = &t->cols[i];
        if (!(c->flags & SCF_EMPTY_OK) && store_col_missing(rec, c)) {
            char field[128];
            snprintf(field, sizeof field, "%s.%s", t->name, c->name);
            return err_at(e, ERR_INPUT, NULL, 0, 0, field, "missing key field %s", field);
        }
    }
    return 0;
}

typedef struct put_arg {
    const store_kind_def_t *k;
    const void *rec;
} put_arg_t;

static int put_op(store_t *s, void *arg, err_t *e)
{
    put_arg_t *a = arg;
    return s->vt->put(s, a->k, a->rec, e);
}

static int put(store_t *s, store_kind_t kind, const void *rec, err_t *e)
{
    const store_kind_def_t *k = store_kind_def(kind);
    int rc = check_keys(k->table, rec, e);
    if (rc == 0 && k->header && !s->vt->checks_claim_lists)
        rc = check_lists(k->header, rec, e);
    if (rc != 0) {
        /* A rejected record is bad input, not a broken transaction: the
         * importer may count it and go on. */
        return rc;
    }
    put_arg_t a = { k, rec };
    return run_op(s, put_op, &a, true, e);
}

#define PUT(kind, KIND)                                                                            \
    int store_put_##kind(store_t *s, const store_##kind##_t *r, err_t *e)                          \
    {                                                                                              \
        return put(s, KIND, r, e);                                                                 \
    }
#define STORE_C_PUT_ALL(k, K)                                 PUT(k, SK_##K)
#define STORE_C_PUT_LEDGER(k, K)                              /* store_file_record */
#define STORE_C_PUT_AS_OF                                     STORE_C_PUT_ALL
#define STORE_C_PUT_PERIOD                                    STORE_C_PUT_ALL
#define SD_KIND(k, K, table, mig, layout, api)                STORE_C_PUT_##api(k, K)
#define SD_KIND_HDR(k, K, table, mig, layout, api, h, hm, hl) STORE_C_PUT_##api(k, K)
#define SD_COLUMN(...)
#define SD_FKEY(...)
#define SD_END(k)
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef PUT

int store_file_record(store_t *s, const store_source_file_t *r, err_t *e)
{
    return put(s, SK_SOURCE_FILE, r, e);
}

typedef struct delete_arg {
    const char *claim_id;
    int64_t *deleted;
} delete_arg_t;

static int delete_op(store_t *s, void *arg, err_t *e)
{
    delete_arg_t *a = arg;
    return s->vt->delete_claim(s, a->claim_id, a->deleted, e);
}

int store_delete_claim(store_t *s, const char *claim_id, int64_t *deleted, err_t *e)
{
    int64_t n = 0;
    if (!claim_id || !*claim_id)
        return err_at(e, ERR_INPUT, NULL, 0, 0, "medical_claim.claim_id", "missing claim_id");
    delete_arg_t a = { claim_id, &n };
    int rc = run_op(s, delete_op, &a, true, e);
    if (deleted)
        *deleted = rc == 0 ? n : 0;
    return rc;
}

/* Result clears: a key-prefix delete on each table of a family. */
typedef struct clear_arg {
    const store_kind_t *kinds;
    int nkinds, nfilter;
    const void *const *filters; /* a record per kind holding the key prefix */
    int64_t *deleted;
} clear_arg_t;

static int clear_op(store_t *s, void *arg, err_t *e)
{
    clear_arg_t *a = arg;
    for (int i = 0; i < a->nkinds; i++) {
        int64_t n = 0;
        int rc = s->vt->delete_prefix(s, store_kind_def(a->kinds[i])->table, a->nfilter,
                                      a->filters[i], &n, e);
        if (rc != 0)
            return rc;
        *a->deleted += n;
    }
    return 0;
}

int store_clear_analysis(store_t *s, date_t as_of, int64_t *deleted, err_t *e)
{
    int64_t n = 0;
    if (deleted)
        *deleted = 0;
    if (as_of == DATE_NONE)
        return err_set(e, ERR_USAGE, "store_clear_analysis: no analysis date");
    /* as_of is the first field of every analysis_* record but the ledger. */
    store_analysis_population_t pop;
    store_analysis_patient_t pat;
    store_analysis_discharge_t dis;
    store_analysis_ed_visit_t ed;
    store_analysis_gap_t gap;
    store_analysis_population_init(&pop);
    store_analysis_patient_init(&pat);
    store_analysis_discharge_init(&dis);
    store_analysis_ed_visit_init(&ed);
    store_analysis_gap_init(&gap);
    pop.as_of = pat.as_of = dis.as_of = ed.as_of = gap.as_of = as_of;
    static const store_kind_t kinds[] = { SK_ANALYSIS_POPULATION, SK_ANALYSIS_PATIENT,
                                          SK_ANALYSIS_DISCHARGE, SK_ANALYSIS_ED_VISIT,
                                          SK_ANALYSIS_GAP };
    const void *const filters[] = { &pop, &pat, &dis, &ed, &gap };
    clear_arg_t a = { kinds, 5, 1, filters, &n };
    int rc = run_op(s, clear_op, &a, true, e);
    if (deleted)
        *deleted = rc == 0 ? n : 0;
    return rc;
}

int store_clear_measures(store_t *s, date_t period_start, date_t period_end, const char *measure_id,
                         int64_t *deleted, err_t *e)
{
    int64_t n = 0;
    if (deleted)
        *deleted = 0;
    if (period_start == DATE_NONE || period_end == DATE_NONE)
        return err_set(e, ERR_USAGE, "store_clear_measures: no measurement period");
    store_measure_result_t res;
    store_care_gap_t gap;
    store_measure_summary_t sum;
    store_measure_result_init(&res);
    store_care_gap_init(&gap);
    store_measure_summary_init(&sum);
    res.period_start = gap.period_start = sum.period_start = period_start;
    res.period_end = gap.period_end = sum.period_end = period_end;
    res.measure_id = gap.measure_id = sum.measure_id = measure_id;
    static const store_kind_t kinds[] = { SK_MEASURE_RESULT, SK_CARE_GAP, SK_MEASURE_SUMMARY };
    const void *const filters[] = { &res, &gap, &sum };
    clear_arg_t a = { kinds, 3, measure_id && *measure_id ? 3 : 2, filters, &n };
    int rc = run_op(s, clear_op, &a, true, e);
    if (deleted)
        *deleted = rc == 0 ? n : 0;
    return rc;
}

int64_t store_transaction_id(const store_t *s)
{
    return s->in_txn ? s->delivery : 0;
}

/* ---- reads --------------------------------------------------------------- */

typedef struct seen_arg {
    const char *hash;
    bool *seen;
} seen_arg_t;

static int seen_op(store_t *s, void *arg, err_t *e)
{
    seen_arg_t *a = arg;
    return s->vt->file_seen(s, a->hash, a->seen, e);
}

int store_file_seen(store_t *s, const char *content_hash, bool *seen, err_t *e)
{
    *seen = false;
    if (!content_hash || !*content_hash)
        return err_at(e, ERR_USAGE, NULL, 0, 0, "source_file.content_hash", "missing hash");
    seen_arg_t a = { content_hash, seen };
    return run_op(s, seen_op, &a, false, e);
}

typedef struct count_arg {
    const store_table_t *t;
    int64_t *n;
} count_arg_t;

static int count_op(store_t *s, void *arg, err_t *e)
{
    count_arg_t *a = arg;
    return s->vt->count(s, a->t, a->n, e);
}

int store_count(store_t *s, const char *table, int64_t *n, err_t *e)
{
    *n = 0;
    const store_table_t *t = table ? store_table_by_name(table) : NULL;
    if (!t)
        return err_at(e, ERR_USAGE, NULL, 0, 0, table ? table : "", "no table named '%s'",
                      table ? table : "(null)");
    count_arg_t a = { t, n };
    return run_op(s, count_op, &a, false, e);
}

typedef struct scan_arg {
    const store_kind_def_t *k;
    int nfilter;
    const void *filter;
    store_scan_raw_fn fn;
    void *ctx;
} scan_arg_t;

static int scan_op(store_t *s, void *arg, err_t *e)
{
    scan_arg_t *a = arg;
    return s->vt->scan(s, a->k, a->nfilter, a->filter, a->fn, a->ctx, e);
}

static int scan_where(store_t *s, store_kind_t kind, int nfilter, const void *filter,
                      store_scan_raw_fn fn, void *ctx, err_t *e)
{
    scan_arg_t a = { store_kind_def(kind), nfilter, filter, fn, ctx };
    return run_op(s, scan_op, &a, false, e);
}

static int scan(store_t *s, store_kind_t kind, store_scan_raw_fn fn, void *ctx, err_t *e)
{
    return scan_where(s, kind, 0, NULL, fn, ctx, e);
}

/* The typed callbacks differ from the raw one only in the record pointer's
 * type; a trampoline keeps the call well-defined. */
#define SCAN(kind, KIND)                                                                           \
    typedef struct scan_##kind##_ctx {                                                             \
        store_scan_##kind##_fn fn;                                                                 \
        void *ctx;                                                                                 \
    } scan_##kind##_ctx_t;                                                                         \
    static int scan_##kind##_tramp(void *ctx, const void *rec, err_t *e)                           \
    {                                                                                              \
        scan_##kind##_ctx_t *c = ctx;                                                              \
        return c->fn(c->ctx, rec, e);                                                              \
    }                                                                                              \
    int store_scan_##kind(store_t *s, store_scan_##kind##_fn fn, void *ctx, err_t *e)              \
    {                                                                                              \
        scan_##kind##_ctx_t c = { fn, ctx };                                                       \
        return scan(s, KIND, scan_##kind##_tramp, &c, e);                                          \
    }

/* ---- security records by key ------------------------------------------ */

/* A scan filtered on the whole key: at most one record. */
#define GET(kind, KIND, keytype, keyfield)                                                         \
    typedef struct get_##kind##_ctx {                                                              \
        store_scan_##kind##_fn fn;                                                                 \
        void *ctx;                                                                                 \
    } get_##kind##_ctx_t;                                                                          \
    static int get_##kind##_tramp(void *ctx, const void *rec, err_t *e)                            \
    {                                                                                              \
        get_##kind##_ctx_t *c = ctx;                                                               \
        return c->fn(c->ctx, rec, e);                                                              \
    }                                                                                              \
    int store_get_##kind(store_t *s, keytype key, store_scan_##kind##_fn fn, void *ctx, err_t *e)  \
    {                                                                                              \
        store_##kind##_t f;                                                                        \
        store_##kind##_init(&f);                                                                   \
        f.keyfield = key;                                                                          \
        get_##kind##_ctx_t c = { fn, ctx };                                                        \
        return scan_where(s, KIND, 1, &f, get_##kind##_tramp, &c, e);                              \
    }
GET(user, SK_USER, const char *, username)
GET(session, SK_SESSION, const char *, session_hash)
GET(audit_entry, SK_AUDIT_ENTRY, int64_t, seq)
#undef GET

static int found_fn(void *ctx, const store_audit_entry_t *r, err_t *e)
{
    (void)r;
    (void)e;
    *(bool *)ctx = true;
    return 0;
}

static int audit_exists(store_t *s, int64_t seq, bool *found, err_t *e)
{
    *found = false;
    return store_get_audit_entry(s, seq, found_fn, found, e);
}

int store_last_audit_entry(store_t *s, store_scan_audit_entry_fn fn, void *ctx, err_t *e)
{
    /* Galloping then bisecting on "seq exists" finds some k present with
     * k + 1 absent: the last entry of a whole log, and in any log a seq
     * whose successor is free, so an append never lands on an entry. */
    bool found;
    int rc = audit_exists(s, 1, &found, e);
    if (rc || !found)
        return rc;
    int64_t lo = 1, hi = 2;
    while (!(rc = audit_exists(s, hi, &found, e)) && found) {
        lo = hi;
        hi *= 2;
    }
    while (!rc && hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (!(rc = audit_exists(s, mid, &found, e))) {
            if (found)
                lo = mid;
            else
                hi = mid;
        }
    }
    return rc ? rc : store_get_audit_entry(s, lo, fn, ctx, e);
}

typedef struct user_sessions {
    const char *username;
    char (*hashes)[65];
    size_t n, cap;
} user_sessions_t;

static int collect_session(void *ctx, const void *rec, err_t *e)
{
    (void)e;
    user_sessions_t *u = ctx;
    const store_session_t *r = rec;
    if (!r->username || strcmp(r->username, u->username) != 0)
        return 0;
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 8;
        u->hashes = mem_realloc(u->hashes, u->cap * sizeof *u->hashes);
    }
    str_copy(u->hashes[u->n++], r->session_hash, sizeof u->hashes[0]);
    return 0;
}

int store_delete_session(store_t *s, const char *session_hash, err_t *e)
{
    store_session_t f;
    store_session_init(&f);
    f.session_hash = session_hash;
    static const store_kind_t kinds[] = { SK_SESSION };
    const void *const filters[] = { &f };
    int64_t n = 0;
    clear_arg_t a = { kinds, 1, 1, filters, &n };
    return run_op(s, clear_op, &a, true, e);
}

int store_delete_user_sessions(store_t *s, const char *username, err_t *e)
{
    /* sessions are few: a scan, then one delete by key each */
    user_sessions_t u = { username, NULL, 0, 0 };
    int rc = scan_where(s, SK_SESSION, 0, NULL, collect_session, &u, e);
    for (size_t i = 0; !rc && i < u.n; i++)
        rc = store_delete_session(s, u.hashes[i], e);
    mem_free(u.hashes);
    return rc;
}

/* Result scans: a key-prefix filter (as_of; period and measure). */
#define SCAN_AS_OF(kind, KIND)                                                                     \
    typedef struct scan_##kind##_ctx {                                                             \
        store_scan_##kind##_fn fn;                                                                 \
        void *ctx;                                                                                 \
    } scan_##kind##_ctx_t;                                                                         \
    static int scan_##kind##_tramp(void *ctx, const void *rec, err_t *e)                           \
    {                                                                                              \
        scan_##kind##_ctx_t *c = ctx;                                                              \
        return c->fn(c->ctx, rec, e);                                                              \
    }                                                                                              \
    int store_scan_##kind(store_t *s, date_t as_of, store_scan_##kind##_fn fn, void *ctx,          \
                          err_t *e)                                                                \
    {                                                                                              \
        scan_##kind##_ctx_t c = { fn, ctx };                                                       \
        store_##kind##_t filter;                                                                   \
        store_##kind##_init(&filter);                                                              \
        filter.as_of = as_of;                                                                      \
        return scan_where(s, KIND, as_of == DATE_NONE ? 0 : 1, &filter, scan_##kind##_tramp, &c,   \
                          e);                                                                      \
    }

#define SCAN_PERIOD(kind, KIND)                                                                    \
    typedef struct scan_##kind##_ctx {                                                             \
        store_scan_##kind##_fn fn;                                                                 \
        void *ctx;                                                                                 \
    } scan_##kind##_ctx_t;                                                                         \
    static int scan_##kind##_tramp(void *ctx, const void *rec, err_t *e)                           \
    {                                                                                              \
        scan_##kind##_ctx_t *c = ctx;                                                              \
        return c->fn(c->ctx, rec, e);                                                              \
    }                                                                                              \
    int store_scan_##kind(store_t *s, date_t period_start, date_t period_end,                      \
                          const char *measure_id, store_scan_##kind##_fn fn, void *ctx, err_t *e)  \
    {                                                                                              \
        if ((period_start == DATE_NONE) != (period_end == DATE_NONE) ||                            \
            (measure_id && period_start == DATE_NONE))                                             \
            return err_set(e, ERR_USAGE, "store_scan_" #kind ": give a whole period");             \
        scan_##kind##_ctx_t c = { fn, ctx };                                                       \
        store_##kind##_t filter;                                                                   \
        store_##kind##_init(&filter);                                                              \
        filter.period_start = period_start;                                                        \
        filter.period_end = period_end;                                                            \
        filter.measure_id = measure_id;                                                            \
        int n = period_start == DATE_NONE ? 0 : measure_id && *measure_id ? 3 : 2;                 \
        return scan_where(s, KIND, n, &filter, scan_##kind##_tramp, &c, e);                        \
    }
#define STORE_C_SCAN_ALL(k, K)                                SCAN(k, SK_##K)
#define STORE_C_SCAN_LEDGER(k, K)                             SCAN(k, SK_##K)
#define STORE_C_SCAN_AS_OF(k, K)                              SCAN_AS_OF(k, SK_##K)
#define STORE_C_SCAN_PERIOD(k, K)                             SCAN_PERIOD(k, SK_##K)
#define SD_KIND(k, K, table, mig, layout, api)                STORE_C_SCAN_##api(k, K)
#define SD_KIND_HDR(k, K, table, mig, layout, api, h, hm, hl) STORE_C_SCAN_##api(k, K)
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
#undef SD_FKEY
#undef SD_END
#undef SCAN
#undef SCAN_AS_OF
#undef SCAN_PERIOD

typedef struct latest {
    int64_t run;
    date_t as_of;
} latest_t;

static int latest_cb(void *ctx, const store_analysis_population_t *r, err_t *e)
{
    (void)e;
    latest_t *l = ctx;
    if (r->run_id != STORE_INT_NONE && (l->as_of == DATE_NONE || r->run_id > l->run)) {
        l->run = r->run_id;
        l->as_of = r->as_of;
    }
    return 0;
}

int store_latest_analysis(store_t *s, date_t *as_of, err_t *e)
{
    latest_t l = { 0, DATE_NONE };
    int rc = store_scan_analysis_population(s, DATE_NONE, latest_cb, &l, e);
    *as_of = rc == 0 ? l.as_of : DATE_NONE;
    return rc;
}

typedef struct range_arg {
    const char *table, *col_min, *col_max;
    date_t *min, *max;
} range_arg_t;

static int range_op(store_t *s, void *arg, err_t *e)
{
    range_arg_t *a = arg;
    return s->vt->date_range(s, store_table_by_name(a->table), a->col_min, a->col_max, a->min,
                             a->max, e);
}

int64_t store_summary_rows(const store_summary_t *sum, const char *table)
{
    for (int i = 0; i < sum->ntables; i++)
        if (strcmp(sum->tables[i].name, table) == 0)
            return sum->tables[i].rows;
    return -1;
}

int store_summary(store_t *s, store_summary_t *out, err_t *e)
{
    memset(out, 0, sizeof *out);
    out->backend = store_backend(s);
    int rc = store_schema_version(s, &out->schema_version, e);
    if (rc != 0)
        return rc;
    int n;
    const store_table_t *const *ts = store_tables(&n);
    for (int i = 0; i < n && i < STORE_SUMMARY_MAX_TABLES; i++) {
        out->tables[i].name = ts[i]->name;
        if ((rc = store_count(s, ts[i]->name, &out->tables[i].rows, e)) != 0)
            return rc;
        if (strcmp(ts[i]->name, "source_file") == 0)
            out->files_loaded = out->tables[i].rows;
        out->ntables = i + 1;
    }
    range_arg_t ranges[] = {
        { "medical_claim", "claim_start_date", "claim_end_date", &out->med_claim_first,
          &out->med_claim_last },
        { "pharmacy_claim", "dispensing_date", "dispensing_date", &out->rx_claim_first,
          &out->rx_claim_last },
        { "enrollment", "enrollment_start_date", "enrollment_end_date", &out->enrollment_first,
          &out->enrollment_last },
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if ((rc = run_op(s, range_op, &ranges[i], false, e)) != 0)
            return rc;
    return 0;
}

/* ---- time helpers -------------------------------------------------------- */

void store_time_format(store_time_t t, char out[STORE_TIME_FMT_LEN])
{
    if (t == STORE_TIME_NONE) {
        out[0] = '\0';
        return;
    }
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    char d[DATE_FMT_LEN];
    date_format((date_t)days, d);
    snprintf(out, STORE_TIME_FMT_LEN, "%.10sT%02d:%02d:%02dZ", d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

/* The grammar is core/date.h's, the one parser of timestamps: the store adds
 * only that blanks around are ignored. */
int store_time_parse(const char *s, size_t n, store_time_t *out)
{
    if (!s)
        return -1;
    str_trim(&s, &n);
    return date_parse_instant(s, n, out);
}

/* ---- code lists ------------------------------------------------------------ */

bool store_list_has(const char *list, const char *item)
{
    if (!list || !item || !item[0])
        return false;
    size_t n = strlen(item);
    for (const char *p = list;;) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, item, n) == 0)
            return true;
        if (!end)
            return false;
        p = end + 1;
    }
}

int store_list_add(char *out, size_t n, const char *item)
{
    if (!item || !item[0] || strchr(item, '|') || n == 0)
        return -1;
    if (store_list_has(out, item))
        return 0;
    size_t len = strlen(out), in = strlen(item);
    if (len + (len > 0) + in + 1 > n)
        return -1;
    if (len > 0)
        out[len++] = '|';
    memcpy(out + len, item, in + 1);
    return 0;
}
