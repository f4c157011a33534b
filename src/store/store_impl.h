/* store_impl.h — what a store backend implements (private to src/store/).
 *
 * Like SQLite's VFS: a backend is a table of function pointers (store_vtab_t)
 * plus a struct that embeds store_t as its first member. store.c owns what
 * both backends share — URL dispatch, key validation, the transaction state
 * machine, migrations — so that the backends only speak SQL.
 *
 * The schema is described once, in kinds.def: every record kind maps to one
 * table (or, for medical claims, a line table joined with a header table)
 * whose columns are (name, type, offset into the record struct, ...).
 * schema.c makes the descriptors below from it; both backends build their
 * INSERT/UPSERT/SELECT statements and bind values from the descriptors, and
 * migrations.c builds the DDL from them, so a column is added in one place.
 */
#ifndef TRIPOD_STORE_STORE_IMPL_H
#define TRIPOD_STORE_STORE_IMPL_H

#include "core/buf.h"
#include "store/store.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

typedef enum store_col_type {
    SC_TEXT,  /* const char * */
    SC_INT,   /* int64_t, STORE_INT_NONE */
    SC_MONEY, /* money_t, STORE_MONEY_NONE */
    SC_DATE,  /* date_t, DATE_NONE */
    SC_TIME,  /* store_time_t, STORE_TIME_NONE */
    SC_REAL,  /* double, NAN */
    SC_FLAG,  /* int, STORE_FLAG_NONE */
    /* A repeating group (diagnosis_code_1..25) stored as ONE text column:
     * the items joined with '|', position kept ("E119||N183"), trailing
     * empty items dropped, NULL when all are empty. A 125-column claim header
     * cost SQLite ~15 us per row; packed, ~4. */
    SC_TEXT_LIST, /* const char *[n] */
    SC_DATE_LIST  /* date_t[n], items as YYYY-MM-DD */
} store_col_type_t;

#define STORE_LIST_MAX 1024 /* bytes of a packed list, NUL included */
#define STORE_LIST_SEP '|'

enum {
    SCF_KEY = 1,      /* part of the natural key */
    SCF_EMPTY_OK = 2, /* a key part that may be missing: stored as "" */
    SCF_NOT_NULL = 4, /* NOT NULL in the DDL (keys, REQ columns) */
    SCF_BYTEWISE = 8, /* text compared byte-wise: the dialect's @KEY@ type */
};

typedef struct store_col {
    const char *name;
    store_col_type_t type;
    unsigned flags;
    size_t off; /* offset of the field in the record struct */
    int n;      /* lists: the number of items */
    /* The rest of the description (kinds.def), read by the DDL generator
     * and the docs, not by the backends. */
    int migration;     /* the migration that adds the column */
    int item;          /* TEXT_ARRAY columns: 1..n (hcpcs_modifier_1..); else 0 */
    const char *check; /* CHECK (name <check>), or NULL */
    const char *ref;   /* REFERENCES <ref>, or NULL */
    const char *index; /* the name of an index on the column, or NULL */
    const char *doc;   /* one line for docs/schema.md */
} store_col_t;

typedef struct store_table {
    const char *name;
    const store_col_t *cols; /* the key columns come first */
    int ncols;
    int nkey;
    /* Lines of a claim carry the delivery that stored them (column load_seq)
     * so that a re-delivery can drop the lines of an older version. */
    bool has_load_seq;
    int migration;      /* the migration that creates the table */
    bool without_rowid; /* CLUSTERED: @WITHOUT_ROWID@ */
} store_table_t;

/* A foreign key of several columns (kinds.def SD_FKEY). */
typedef struct store_fkey {
    const store_table_t *table;
    const char *cols;   /* "a, b" */
    const char *parent; /* "parent (a, b)" */
} store_fkey_t;

/* The foreign keys of several columns, *n of them. */
const store_fkey_t *store_fkeys(int *n);

typedef enum store_kind {
#define SD_KIND(k, K, ...)     SK_##K,
#define SD_KIND_HDR(k, K, ...) SK_##K,
#define SD_COLUMN(...)
#define SD_FKEY(...)
#define SD_END(k)
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
#undef SD_FKEY
#undef SD_END
    SK_COUNT
} store_kind_t;

/* Kinds are listed parent before child, so loading buffered rows in kind
 * order never violates a foreign key that the input itself satisfies. */
typedef struct store_kind_def {
    store_kind_t kind;
    const char *name;            /* "med_claim" */
    const store_table_t *table;  /* the table a record is a row of (claim lines) */
    const store_table_t *header; /* medical claims: the header table; else NULL */
    bool redelivery;             /* claims: see "Claims re-delivery" in store.h */
    size_t size;                 /* sizeof the record struct */
    void (*init)(void *rec);
} store_kind_def_t;

const store_kind_def_t *store_kind_def(store_kind_t kind);
/* The table named name (any table of the schema, header tables included), or NULL. */
const store_table_t *store_table_by_name(const char *name);
/* Every table of the schema, in dependency order, for counts and summaries. */
const store_table_t *const *store_tables(int *n);
/* True when a header column is also a column of the line table (claim_id):
 * such columns are bound and read once, from the line table. */
bool store_col_shared(const store_kind_def_t *k, const store_col_t *c);

/* Appends the column list of t ("a, b, c"), each name prefixed by alias
 * ("t.a") when alias is not NULL. */
int store_sql_cols(buf_t *b, const store_table_t *t, const char *alias);
/* Appends " ON CONFLICT (keys) DO UPDATE SET c = excluded.c, ..." for t
 * (load_seq included when the table has it). */
int store_sql_conflict(buf_t *b, const store_table_t *t);
/* The table's index in store_tables(). */
int store_table_index(const store_table_t *t);

/* Field access by descriptor. */
#define STORE_FIELD(rec, col, type)  (*(type *)((char *)(rec) + (col)->off))
#define STORE_CFIELD(rec, col, type) (*(type const *)((const char *)(rec) + (col)->off))
/* True when the field holds no value (NULL/"" text, ..._NONE, NAN; a flag
 * other than 0 or 1; a list with every item missing). Inline: the bulk-load
 * path asks it for every column of every row. */
static inline bool store_col_missing(const void *rec, const store_col_t *c)
{
    switch (c->type) {
    case SC_TEXT: {
        const char *v = STORE_CFIELD(rec, c, const char *);
        return v == NULL || v[0] == '\0';
    }
    case SC_INT:
    case SC_MONEY:
    case SC_TIME:
        return STORE_CFIELD(rec, c, int64_t) == INT64_MIN;
    case SC_DATE:
        return STORE_CFIELD(rec, c, date_t) == DATE_NONE;
    case SC_REAL:
        return isnan(STORE_CFIELD(rec, c, double));
    case SC_FLAG: {
        int v = STORE_CFIELD(rec, c, int);
        return v != 0 && v != 1;
    }
    case SC_TEXT_LIST:
        for (int j = 0; j < c->n; j++) {
            const char *v = (&STORE_CFIELD(rec, c, const char *))[j];
            if (v && v[0])
                return false;
        }
        return true;
    case SC_DATE_LIST:
        for (int j = 0; j < c->n; j++)
            if ((&STORE_CFIELD(rec, c, date_t))[j] != DATE_NONE)
                return false;
        return true;
    }
    return true;
}

/* Packs a list column of rec into out[STORE_LIST_MAX]; *len = 0 when every
 * item is missing. Returns -1 when it does not fit or a text item holds the
 * separator. */
int store_list_pack(const store_col_t *c, const void *rec, char *out, size_t *len);
/* store_list_pack's verdict (0 or -1) without packing. */
int store_list_check(const store_col_t *c, const void *rec);
/* Unpacks packed (modified in place: items point into it) into rec's list.
 * Returns -1 for a malformed list. */
int store_list_unpack(const store_col_t *c, char *packed, void *rec);

/* FNV-1a over the values of a table's columns in rec: lets a backend skip
 * re-writing a claim header that the previous line already wrote. */
uint64_t store_row_hash(const store_table_t *t, const void *rec);

/* ---- the backend interface --------------------------------------------- */

typedef struct store_vtab store_vtab_t;

/* The base every backend struct starts with. */
struct store {
    const store_vtab_t *vt;
    bool in_txn;      /* a store_begin is open */
    bool doomed;      /* an error happened inside it: only rollback remains */
    int64_t delivery; /* the delivery (load_seq) of the open transaction */
};

/* Room for a record of any kind (scans fill one per row). */
typedef union store_any_rec {
#define SD_KIND(k, ...)     store_##k##_t k;
#define SD_KIND_HDR(k, ...) store_##k##_t k;
#define SD_COLUMN(...)
#define SD_FKEY(...)
#define SD_END(k)
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
#undef SD_FKEY
#undef SD_END
} store_any_rec_t;

/* Raw scan callback: rec is a record of the kind, filled by the backend. */
typedef int (*store_scan_raw_fn)(void *ctx, const void *rec, err_t *e);

/* The SQL dialect differences, substituted into the migrations' DDL:
 * @KEY@ text key columns (byte-wise order), @DATE@, @TIMESTAMP@, @REAL@,
 * @WITHOUT_ROWID@ (SQLite's clustered tables). */
typedef struct store_dialect {
    const char *key, *date, *timestamp, *real, *without_rowid;
} store_dialect_t;

/* The two dialects (migrations.c), beside the DDL they complete. */
extern const store_dialect_t store_dialect_sqlite, store_dialect_pg;

struct store_vtab {
    const char *name;
    const store_dialect_t *dialect;
    void (*close)(store_t *s);
    /* Runs one or more statements with no result; used by migrations. */
    int (*exec)(store_t *s, const char *sql, err_t *e);
    /* Runs a query returning one integer (NULL gives *isnull = true). */
    int (*query_i64)(store_t *s, const char *sql, int64_t *out, bool *isnull, err_t *e);
    /* Starts the transaction that applies migrations; it must serialise
     * concurrent openers (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock). */
    int (*migrate_begin)(store_t *s, err_t *e);
    /* Transactions. begin also allocates s->delivery. Backends are called only
     * in the right state (store.c checks). */
    int (*begin)(store_t *s, err_t *e);
    int (*commit)(store_t *s, err_t *e);
    int (*rollback)(store_t *s, err_t *e);
    /* Insert-or-replace one record, inside a transaction; keys already checked. */
    int (*put)(store_t *s, const store_kind_def_t *k, const void *rec, err_t *e);
    int (*delete_claim)(store_t *s, const char *claim_id, int64_t *deleted, err_t *e);
    int (*file_seen)(store_t *s, const char *hash, bool *seen, err_t *e);
    int (*count)(store_t *s, const store_table_t *t, int64_t *n, err_t *e);
    /* min(col_min) and max(col_max) of date columns of table t. */
    int (*date_range)(store_t *s, const store_table_t *t, const char *col_min, const char *col_max,
                      date_t *min, date_t *max, err_t *e);
    /* Scans kind k; with nfilter > 0 only the rows whose first nfilter key
     * columns equal those of the record filter. */
    int (*scan)(store_t *s, const store_kind_def_t *k, int nfilter, const void *filter,
                store_scan_raw_fn fn, void *ctx, err_t *e);
    /* Deletes the rows of t whose first nfilter (>= 1) key columns equal
     * those of the record filter; *deleted gets the count. */
    int (*delete_prefix)(store_t *s, const store_table_t *t, int nfilter, const void *filter,
                         int64_t *deleted, err_t *e);
    /* Optional: moves data after migration `version`'s DDL, in its
     * transaction (SQLite: claims into packs). */
    int (*migrated)(store_t *s, int version, err_t *e);
    /* The backend's put refuses a claim whose lists would not pack
     * (store_list_check's rule) with ERR_INPUT, before changing anything;
     * store.c then does not check them first (SQLite: while packing). */
    bool checks_claim_lists;
};

/* Backend constructors: url is what follows the scheme for SQLite (a path),
 * the whole conninfo for PostgreSQL. They connect and configure; store.c
 * then runs the migrations. */
int store_sqlite_open(const char *path, store_t **out, err_t *e);
int store_pg_open(const char *conninfo, store_t **out, err_t *e);

/* ---- migrations (migrations.c) ------------------------------------------ */

typedef struct store_migration {
    int version;
    const char *description;
    /* Both dialects, with @TOKENS@: the DDL generated from kinds.def for the
     * kinds and columns with this migration number. NULL when the
     * description is inconsistent (store_migrate then fails; the drift test
     * names the reason). */
    const char *sql;
    const char *sql_sqlite; /* SQLite only (hand-written), or NULL */
    const char *sql_pg;     /* PostgreSQL only (hand-written), or NULL */
} store_migration_t;

const store_migration_t *store_migrations(int *n);
/* Writes the DDL of migration version generated from the description into
 * out (with @TOKENS@). -1 and a reason in why (at least 160 bytes) when the
 * description breaks a rule (a column added to an existing table that is a
 * key or NOT NULL, a claim table changed after migration 4, ...). */
int store_migration_ddl(int version, buf_t *out, char *why, size_t nwhy);
/* Writes sql with the dialect's tokens replaced into out. */
int store_sql_subst(const store_dialect_t *d, const char *sql, buf_t *out);
/* Applies the pending migrations (store_open calls it). */
int store_migrate(store_t *s, err_t *e);

/* Sets e to an ERR_DB error naming table (and column) in e->field. */
int store_err_db(err_t *e, const char *table, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
