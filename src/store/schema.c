/* schema.c — the schema as data: record kinds, tables, columns.
 *
 * Everything here is generated from kinds.def, the one description of every
 * kind; migrations.c makes the DDL from the same descriptors, so the two
 * cannot disagree. The key columns of each table come first, in key order.
 */
#include "core/str.h"
#include "store/store_impl.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#define N(a) ((int)(sizeof a / sizeof a[0]))

/* ---- the descriptors, from kinds.def ------------------------------------
 *
 * A table's descriptors are its key columns, in key order, then the others;
 * kinds.def lists a kind's fields in struct order, which may interleave the
 * two (enrollment keeps the Tuva field order). So every column is placed by a
 * designated initializer at a position that enums compute at compile time:
 * four passes number each column among the key and the other columns of its
 * kind's table and header (k_nrk, k_rk_<field>, ...), a fifth reserves each
 * table's slice of one array of every column, and a sixth fills it. A column
 * placed twice is a compile error (-Woverride-init). */

/* Token decoding: role -> which of the four groups a column belongs to. */
#define SD_ROWKEY_KEY(...)  __VA_ARGS__
#define SD_ROWKEY_KEYE(...) __VA_ARGS__
#define SD_ROWKEY_HKEY(...) __VA_ARGS__
#define SD_ROWKEY_REQ(...)
#define SD_ROWKEY_OPT(...)
#define SD_ROWKEY_HDR(...)
#define SD_ROWREST_KEY(...)
#define SD_ROWREST_KEYE(...)
#define SD_ROWREST_HKEY(...)
#define SD_ROWREST_REQ(...) __VA_ARGS__
#define SD_ROWREST_OPT(...) __VA_ARGS__
#define SD_ROWREST_HDR(...)
#define SD_HDRKEY_KEY(...)
#define SD_HDRKEY_KEYE(...)
#define SD_HDRKEY_HKEY(...) __VA_ARGS__
#define SD_HDRKEY_REQ(...)
#define SD_HDRKEY_OPT(...)
#define SD_HDRKEY_HDR(...)
#define SD_HDRREST_KEY(...)
#define SD_HDRREST_KEYE(...)
#define SD_HDRREST_HKEY(...)
#define SD_HDRREST_REQ(...)
#define SD_HDRREST_OPT(...)
#define SD_HDRREST_HDR(...) __VA_ARGS__
/* role -> flags */
#define SD_RFLAGS_KEY  (SCF_KEY | SCF_NOT_NULL)
#define SD_RFLAGS_KEYE (SCF_KEY | SCF_EMPTY_OK | SCF_NOT_NULL)
#define SD_RFLAGS_HKEY (SCF_KEY | SCF_NOT_NULL)
#define SD_RFLAGS_REQ  SCF_NOT_NULL
#define SD_RFLAGS_OPT  0
#define SD_RFLAGS_HDR  0
/* type -> descriptor type, flags, columns, list length, field offset of item i */
#define SD_SC_ID               SC_TEXT
#define SD_SC_TEXT             SC_TEXT
#define SD_SC_DATE             SC_DATE
#define SD_SC_TIME             SC_TIME
#define SD_SC_MONEY            SC_MONEY
#define SD_SC_INT              SC_INT
#define SD_SC_REAL             SC_REAL
#define SD_SC_FLAG             SC_FLAG
#define SD_SC_TEXT_LIST        SC_TEXT_LIST
#define SD_SC_DATE_LIST        SC_DATE_LIST
#define SD_SC_TEXT_ARRAY       SC_TEXT
#define SD_TFLAGS_ID           SCF_BYTEWISE
#define SD_TFLAGS_TEXT         0
#define SD_TFLAGS_DATE         0
#define SD_TFLAGS_TIME         0
#define SD_TFLAGS_MONEY        0
#define SD_TFLAGS_INT          0
#define SD_TFLAGS_REAL         0
#define SD_TFLAGS_FLAG         0
#define SD_TFLAGS_TEXT_LIST    0
#define SD_TFLAGS_DATE_LIST    0
#define SD_TFLAGS_TEXT_ARRAY   0
#define SD_NCOLS_ID(n)         1
#define SD_NCOLS_TEXT(n)       1
#define SD_NCOLS_DATE(n)       1
#define SD_NCOLS_TIME(n)       1
#define SD_NCOLS_MONEY(n)      1
#define SD_NCOLS_INT(n)        1
#define SD_NCOLS_REAL(n)       1
#define SD_NCOLS_FLAG(n)       1
#define SD_NCOLS_TEXT_LIST(n)  1
#define SD_NCOLS_DATE_LIST(n)  1
#define SD_NCOLS_TEXT_ARRAY(n) (n)
#define SD_LISTN_ID(n)         0
#define SD_LISTN_TEXT(n)       0
#define SD_LISTN_DATE(n)       0
#define SD_LISTN_TIME(n)       0
#define SD_LISTN_MONEY(n)      0
#define SD_LISTN_INT(n)        0
#define SD_LISTN_REAL(n)       0
#define SD_LISTN_FLAG(n)       0
#define SD_LISTN_TEXT_LIST(n)  (n)
#define SD_LISTN_DATE_LIST(n)  (n)
#define SD_LISTN_TEXT_ARRAY(n) 0
/* layout -> load_seq and re-delivery; clustered */
#define SD_LINES_CLUSTERED   false
#define SD_LINES_ROWID       false
#define SD_LINES_LINES       true
#define SD_CLUSTER_CLUSTERED true
#define SD_CLUSTER_ROWID     false
#define SD_CLUSTER_LINES     true

/* The descriptor of column `name` (item `item` of an array, 0 else; field
 * offset off) at position pos of the array of every column. */
#define SD_CELL(pos, name, item, off, k, f, type, n, role, mig, check, ref, index, doc)            \
    [pos] = { name,                                                                                \
              SD_SC_##type,                                                                        \
              SD_TFLAGS_##type | SD_RFLAGS_##role,                                                 \
              off,                                                                                 \
              SD_LISTN_##type(n),                                                                  \
              mig,                                                                                 \
              item,                                                                                \
              check,                                                                               \
              ref,                                                                                 \
              index,                                                                               \
              doc },
/* A TEXT_ARRAY field is n columns name_1..name_n (n a literal or a macro
 * for one, up to 8). */
#define SD_CAT_(a, b) a##b
#define SD_CAT(a, b)  SD_CAT_(a, b)
#define SD_ITEM(pos, name, i, k, f, ...)                                                           \
    SD_CELL(pos, name, i,                                                                          \
            offsetof(store_##k##_t, f) + (size_t)((i)-1) * sizeof(((store_##k##_t *)0)->f[0]), k,  \
            f, __VA_ARGS__)
#define SD_REP_1(pos, col, ...) SD_ITEM(pos, col "_1", 1, __VA_ARGS__)
#define SD_REP_2(pos, col, ...)                                                                    \
    SD_REP_1(pos, col, __VA_ARGS__) SD_ITEM(pos + 1, col "_2", 2, __VA_ARGS__)
#define SD_REP_3(pos, col, ...)                                                                    \
    SD_REP_2(pos, col, __VA_ARGS__) SD_ITEM(pos + 2, col "_3", 3, __VA_ARGS__)
#define SD_REP_4(pos, col, ...)                                                                    \
    SD_REP_3(pos, col, __VA_ARGS__) SD_ITEM(pos + 3, col "_4", 4, __VA_ARGS__)
#define SD_REP_5(pos, col, ...)                                                                    \
    SD_REP_4(pos, col, __VA_ARGS__) SD_ITEM(pos + 4, col "_5", 5, __VA_ARGS__)
#define SD_REP_6(pos, col, ...)                                                                    \
    SD_REP_5(pos, col, __VA_ARGS__) SD_ITEM(pos + 5, col "_6", 6, __VA_ARGS__)
#define SD_REP_7(pos, col, ...)                                                                    \
    SD_REP_6(pos, col, __VA_ARGS__) SD_ITEM(pos + 6, col "_7", 7, __VA_ARGS__)
#define SD_REP_8(pos, col, ...)                                                                    \
    SD_REP_7(pos, col, __VA_ARGS__) SD_ITEM(pos + 7, col "_8", 8, __VA_ARGS__)
#define SD_EMIT_SCALAR(pos, col, n, k, f, ...)                                                     \
    SD_CELL(pos, col, 0, offsetof(store_##k##_t, f), k, f, __VA_ARGS__)
#define SD_EMIT_ID                           SD_EMIT_SCALAR
#define SD_EMIT_TEXT                         SD_EMIT_SCALAR
#define SD_EMIT_DATE                         SD_EMIT_SCALAR
#define SD_EMIT_TIME                         SD_EMIT_SCALAR
#define SD_EMIT_MONEY                        SD_EMIT_SCALAR
#define SD_EMIT_INT                          SD_EMIT_SCALAR
#define SD_EMIT_REAL                         SD_EMIT_SCALAR
#define SD_EMIT_FLAG                         SD_EMIT_SCALAR
#define SD_EMIT_TEXT_LIST                    SD_EMIT_SCALAR
#define SD_EMIT_DATE_LIST                    SD_EMIT_SCALAR
#define SD_EMIT_TEXT_ARRAY(pos, col, n, ...) SD_CAT(SD_REP_, n)(pos, col, __VA_ARGS__)

#define SD_NO_FKEY(...)
#define SD_NO_END(k)

/* Passes 1-4: k_rk_<field> (the rank of a key column of k's table), k_nrk
 * (their number); k_rr_, k_nrr the other columns; k_hk_, k_nhk, k_hr_,
 * k_nhr the same for the header. A TEXT_ARRAY takes n ranks. */
#define SD_RANK(grp, k, f, type, n)                                                                \
    k##_##grp##_##f, k##_##grp##_##f##_last_ = k##_##grp##_##f + SD_NCOLS_##type(n) - 1,
#define SD_KIND(k, ...)                          enum {
#define SD_KIND_HDR(k, ...)                      enum {
#define SD_FKEY                                  SD_NO_FKEY
#define SD_COLUMN(k, f, col, type, n, role, ...) SD_ROWKEY_##role(SD_RANK(rk, k, f, type, n))
#define SD_END(k)                                                                                  \
    k##_nrk                                                                                        \
    }                                                                                              \
    ;
#include "store/kinds.def"
#undef SD_COLUMN
#undef SD_END
#define SD_COLUMN(k, f, col, type, n, role, ...) SD_ROWREST_##role(SD_RANK(rr, k, f, type, n))
#define SD_END(k)                                                                                  \
    k##_nrr                                                                                        \
    }                                                                                              \
    ;
#include "store/kinds.def"
#undef SD_COLUMN
#undef SD_END
#define SD_COLUMN(k, f, col, type, n, role, ...) SD_HDRKEY_##role(SD_RANK(hk, k, f, type, n))
#define SD_END(k)                                                                                  \
    k##_nhk                                                                                        \
    }                                                                                              \
    ;
#include "store/kinds.def"
#undef SD_COLUMN
#undef SD_END
#define SD_COLUMN(k, f, col, type, n, role, ...) SD_HDRREST_##role(SD_RANK(hr, k, f, type, n))
#define SD_END(k)                                                                                  \
    k##_nhr                                                                                        \
    }                                                                                              \
    ;
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
#undef SD_END

/* Pass 5: each table's slice of all_cols, [k_row_at, k_row_at + ncols) and
 * the header's [k_hdr_at, ...) (empty without a header). */
enum {
#define SD_KIND(k, ...)                                                                            \
    k##_row_at, k##_row_last_ = k##_row_at + k##_nrk + k##_nrr - 1, k##_hdr_at,                    \
                k##_hdr_last_ = k##_hdr_at + k##_nhk + k##_nhr - 1,
#define SD_KIND_HDR SD_KIND
#define SD_COLUMN(...)
#define SD_END SD_NO_END
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
    SD_NCOLS_ALL
};

/* Pass 6: every column of every table. */
static const store_col_t all_cols[SD_NCOLS_ALL] = {
#define SD_KIND(...)
#define SD_KIND_HDR(...)
#define SD_COLUMN(k, f, col, type, n, role, ...)                                                   \
    SD_ROWKEY_##role(                                                                              \
        SD_EMIT_##type(k##_row_at + k##_rk_##f, col, n, k, f, type, n, role, __VA_ARGS__))         \
        SD_ROWREST_##role(SD_EMIT_##type(k##_row_at + k##_nrk + k##_rr_##f, col, n, k, f, type, n, \
                                         role, __VA_ARGS__))                                       \
            SD_HDRKEY_##role(                                                                      \
                SD_EMIT_##type(k##_hdr_at + k##_hk_##f, col, n, k, f, type, n, role, __VA_ARGS__)) \
                SD_HDRREST_##role(SD_EMIT_##type(k##_hdr_at + k##_nhk + k##_hr_##f, col, n, k, f,  \
                                                 type, n, role, __VA_ARGS__))
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
};

/* The tables: k_table (the rows of kind k) and k_header. */
#define SD_TABLE(var, tname, at, nk, nr, lines, mig, layout)                                       \
    static const store_table_t var = { .name = tname,                                              \
                                       .cols = &all_cols[at],                                      \
                                       .ncols = (nk) + (nr),                                       \
                                       .nkey = nk,                                                 \
                                       .has_load_seq = lines,                                      \
                                       .migration = mig,                                           \
                                       .without_rowid = SD_CLUSTER_##layout };
#define SD_KIND(k, K, table, mig, layout, api)                                                     \
    SD_TABLE(k##_table, table, k##_row_at, k##_nrk, k##_nrr, SD_LINES_##layout, mig, layout)
#define SD_KIND_HDR(k, K, table, mig, layout, api, h, hmig, hlayout)                               \
    SD_KIND(k, K, table, mig, layout, api)                                                         \
    SD_TABLE(k##_header, h, k##_hdr_at, k##_nhk, k##_nhr, false, hmig, hlayout)
#define SD_COLUMN(...)
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR

/* Headers first: medical_claim before medical_claim_line, as tripod info
 * lists them. */
static const store_table_t *const all_tables[] = {
#define SD_KIND(k, ...)     &k##_table,
#define SD_KIND_HDR(k, ...) &k##_header, &k##_table,
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
};

/* A +1 for the terminator: there may be none. */
static const store_fkey_t all_fkeys[] = {
#define SD_KIND(...)
#define SD_KIND_HDR(...)
#undef SD_FKEY
#define SD_FKEY(k, cols, parent) { &k##_table, cols, parent },
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_FKEY
    { NULL, NULL, NULL },
};
#undef SD_COLUMN
#undef SD_END

/* ---- init functions: every field "missing" ----------------------------- */

static void init_by_table(void *rec, const store_table_t *t)
{
    for (int i = 0; i < t->ncols; i++) {
        const store_col_t *c = &t->cols[i];
        switch (c->type) {
        case SC_TEXT:
            STORE_FIELD(rec, c, const char *) = NULL;
            break;
        case SC_INT:
        case SC_MONEY:
        case SC_TIME:
            STORE_FIELD(rec, c, int64_t) = INT64_MIN;
            break;
        case SC_DATE:
            STORE_FIELD(rec, c, date_t) = DATE_NONE;
            break;
        case SC_REAL:
            STORE_FIELD(rec, c, double) = NAN;
            break;
        case SC_FLAG:
            STORE_FIELD(rec, c, int) = STORE_FLAG_NONE;
            break;
        case SC_TEXT_LIST:
            for (int j = 0; j < c->n; j++)
                (&STORE_FIELD(rec, c, const char *))[j] = NULL;
            break;
        case SC_DATE_LIST:
            for (int j = 0; j < c->n; j++)
                (&STORE_FIELD(rec, c, date_t))[j] = DATE_NONE;
            break;
        }
    }
}

/* The "all missing" record of each kind is built once from the descriptors
 * and copied: an importer initialises one record per input row. */
#define SD_INIT(k, ...)                                                                            \
    static store_##k##_t k##_template;                                                             \
    static pthread_once_t k##_once = PTHREAD_ONCE_INIT;                                            \
    static void k##_make_template(void)                                                            \
    {                                                                                              \
        static const store_table_t *const ts[] = { __VA_ARGS__ };                                  \
        memset(&k##_template, 0, sizeof k##_template);                                             \
        for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)                                      \
            init_by_table(&k##_template, ts[i]);                                                   \
    }                                                                                              \
    void store_##k##_init(store_##k##_t *r)                                                        \
    {                                                                                              \
        pthread_once(&k##_once, k##_make_template);                                                \
        *r = k##_template;                                                                         \
    }                                                                                              \
    static void init_##k(void *r)                                                                  \
    {                                                                                              \
        store_##k##_init(r);                                                                       \
    }
#define SD_KIND(k, ...)     SD_INIT(k, &k##_table)
#define SD_KIND_HDR(k, ...) SD_INIT(k, &k##_header, &k##_table)
#define SD_COLUMN(...)
#define SD_FKEY(...)
#define SD_END(k)
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR

/* Parent kinds before children (store_impl.h): kinds.def's order. */
static const store_kind_def_t kinds[SK_COUNT] = {
#define SD_KIND(k, K, table, mig, layout, api)                                                     \
    [SK_##K] = { SK_##K, #k, &k##_table, NULL, SD_LINES_##layout, sizeof(store_##k##_t), init_##k },
#define SD_KIND_HDR(k, K, table, mig, layout, api, h, hmig, hlayout)                               \
    [SK_##K] = { SK_##K,  #k, &k##_table, &k##_header, SD_LINES_##layout, sizeof(store_##k##_t),   \
                 init_##k },
#include "store/kinds.def"
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
#undef SD_FKEY
#undef SD_END
};

_Static_assert(sizeof all_tables / sizeof all_tables[0] <= STORE_SUMMARY_MAX_TABLES,
               "store_summary_t holds STORE_SUMMARY_MAX_TABLES tables: raise it (store.h)");

const store_fkey_t *store_fkeys(int *n)
{
    *n = (int)(sizeof all_fkeys / sizeof all_fkeys[0]) - 1;
    return all_fkeys;
}

const store_kind_def_t *store_kind_def(store_kind_t kind)
{
    return &kinds[kind];
}

const store_table_t *store_table_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof all_tables / sizeof all_tables[0]; i++)
        if (strcmp(all_tables[i]->name, name) == 0)
            return all_tables[i];
    return NULL;
}

const store_table_t *const *store_tables(int *n)
{
    *n = N(all_tables);
    return all_tables;
}

bool store_col_shared(const store_kind_def_t *k, const store_col_t *c)
{
    if (!k->header)
        return false;
    for (int i = 0; i < k->table->ncols; i++)
        if (k->table->cols[i].off == c->off)
            return true;
    return false;
}

int store_list_pack(const store_col_t *c, const void *rec, char *out, size_t *len)
{
    size_t n = 0, keep = 0; /* keep: length up to the last non-empty item */
    for (int j = 0; j < c->n; j++) {
        if (j > 0) {
            if (n + 1 >= STORE_LIST_MAX)
                return -1;
            out[n++] = STORE_LIST_SEP;
        }
        if (c->type == SC_TEXT_LIST) {
            const char *v = (&STORE_CFIELD(rec, c, const char *))[j];
            size_t vn = v ? strlen(v) : 0;
            if (vn == 0)
                continue;
            if (memchr(v, STORE_LIST_SEP, vn) || n + vn >= STORE_LIST_MAX)
                return -1;
            memcpy(out + n, v, vn);
            n += vn;
        } else {
            date_t d = (&STORE_CFIELD(rec, c, date_t))[j];
            if (d == DATE_NONE)
                continue;
            if (n + DATE_FMT_LEN >= STORE_LIST_MAX)
                return -1;
            date_format(d, out + n);
            n += strlen(out + n);
        }
        keep = n;
    }
    out[keep] = '\0';
    *len = keep;
    return 0;
}

int store_list_check(const store_col_t *c, const void *rec)
{
    /* store_list_pack's arithmetic, without the copy: every item but the
     * first is preceded by a separator; a text item is checked for the
     * separator while its length is taken. */
    size_t n = 0;
    if (c->type == SC_TEXT_LIST) {
        const char *const *v = &STORE_CFIELD(rec, c, const char *);
        for (int j = 0; j < c->n; j++) {
            if (j > 0 && ++n >= STORE_LIST_MAX)
                return -1;
            const char *it = v[j];
            if (!it)
                continue;
            size_t k = 0;
            for (; it[k]; k++)
                if (it[k] == STORE_LIST_SEP)
                    return -1;
            if (k && n + k >= STORE_LIST_MAX)
                return -1;
            n += k;
        }
        return 0;
    }
    const date_t *v = &STORE_CFIELD(rec, c, date_t);
    char tmp[DATE_FMT_LEN];
    for (int j = 0; j < c->n; j++) {
        if (j > 0 && ++n >= STORE_LIST_MAX)
            return -1;
        if (v[j] == DATE_NONE)
            continue;
        if (n + DATE_FMT_LEN >= STORE_LIST_MAX)
            return -1;
        date_format(v[j], tmp);
        n += strlen(tmp);
    }
    return 0;
}

int store_list_unpack(const store_col_t *c, char *packed, void *rec)
{
    char *p = packed;
    for (int j = 0; j < c->n; j++) {
        char *item = p, *end = NULL;
        if (p) {
            end = strchr(p, STORE_LIST_SEP);
            if (end)
                *end = '\0';
            p = end ? end + 1 : NULL;
        }
        bool empty = !item || !item[0];
        if (c->type == SC_TEXT_LIST) {
            (&STORE_FIELD(rec, c, const char *))[j] = empty ? NULL : item;
        } else {
            date_t d = DATE_NONE;
            if (!empty && date_parse(item, strlen(item), &d) != 0)
                return -1;
            (&STORE_FIELD(rec, c, date_t))[j] = d;
        }
    }
    return p ? -1 : 0; /* more items than the list holds */
}

uint64_t store_row_hash(const store_table_t *t, const void *rec)
{
    uint64_t h = STR_HASH_INIT;
    for (int i = 0; i < t->ncols; i++) {
        const store_col_t *c = &t->cols[i];
        if (store_col_missing(rec, c)) {
            h = str_hash_add(h, "\x01", 1); /* distinct from any value, including "" */
            continue;
        }
        switch (c->type) {
        case SC_TEXT: {
            const char *v = STORE_CFIELD(rec, c, const char *);
            h = str_hash_add(h, v, strlen(v) + 1); /* the NUL separates adjacent fields */
            break;
        }
        case SC_INT:
        case SC_MONEY:
        case SC_TIME:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(int64_t));
            break;
        case SC_DATE:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(date_t));
            break;
        case SC_REAL:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(double));
            break;
        case SC_FLAG:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(int));
            break;
        case SC_TEXT_LIST:
            for (int j = 0; j < c->n; j++) {
                const char *v = (&STORE_CFIELD(rec, c, const char *))[j];
                h = v ? str_hash_add(h, v, strlen(v) + 1) : str_hash_add(h, "\x01", 1);
            }
            break;
        case SC_DATE_LIST:
            h = str_hash_add(h, (const char *)rec + c->off, sizeof(date_t) * (size_t)c->n);
            break;
        }
    }
    return h;
}

int store_table_index(const store_table_t *t)
{
    for (int i = 0; i < N(all_tables); i++)
        if (all_tables[i] == t)
            return i;
    return -1;
}

int store_sql_cols(buf_t *b, const store_table_t *t, const char *alias)
{
    int rc = 0;
    for (int i = 0; i < t->ncols; i++)
        rc |= buf_printf(b, "%s%s%s%s", i ? ", " : "", alias ? alias : "", alias ? "." : "",
                         t->cols[i].name);
    return rc ? -1 : 0;
}

int store_sql_conflict(buf_t *b, const store_table_t *t)
{
    int rc = buf_puts(b, " ON CONFLICT (");
    for (int i = 0; i < t->nkey; i++)
        rc |= buf_printf(b, "%s%s", i ? ", " : "", t->cols[i].name);
    rc |= buf_puts(b, ") DO UPDATE SET ");
    for (int i = t->nkey; i < t->ncols; i++)
        rc |= buf_printf(b, "%s%s = excluded.%s", i > t->nkey ? ", " : "", t->cols[i].name,
                         t->cols[i].name);
    if (t->has_load_seq)
        rc |= buf_puts(b, ", load_seq = excluded.load_seq");
    return rc ? -1 : 0;
}
