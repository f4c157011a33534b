/* store_suite.c — one test suite, run against every store backend.
 *
 *   store_suite sqlite     each test gets a new SQLite file in a temp dir
 *   store_suite postgres   each test gets an empty schema in the database
 *                          named by TRIPOD_TEST_PG_URL (scripts/pg-tmp sets it)
 *
 * The tests assert behaviour the importers and the engine rely on: migrations
 * applied once, every column of every kind round-trips, puts replace by
 * natural key and are idempotent, claim re-delivery replaces a claim whole,
 * transactions roll back whole, foreign keys hold, errors name the table and
 * field, scans come in key order, and a 50,000-line bulk load commits whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/store.h"
#include "store/store_impl.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *backend; /* "sqlite" or "postgres" */
static char tmpdir[256];    /* SQLite: the directory of the test files */
static int test_no;

typedef struct fx {
    store_t *s;
    char url[512];
    arena_t *arena;
} fx_t;

/* ---- fixtures ------------------------------------------------------------ */

static void pg_reset(const char *url)
{
    PGconn *c = PQconnectdb(url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, "SET client_min_messages = warning;"
                            " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("reset: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static int setup(void **state)
{
    fx_t *f = mem_calloc(1, sizeof *f);
    f->arena = arena_new(0);
    if (strcmp(backend, "sqlite") == 0) {
        snprintf(f->url, sizeof f->url, "%s/t%d.db", tmpdir, ++test_no);
    } else {
        str_copy(f->url, getenv("TRIPOD_TEST_PG_URL"), sizeof f->url);
        pg_reset(f->url);
    }
    err_t e;
    err_clear(&e);
    if (store_open(f->url, &f->s, &e) != 0)
        fail_msg("store_open: %s (%s)", e.msg, e.field);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    store_close(f->s);
    arena_free(f->arena);
    mem_free(f);
    return 0;
}

/* Asserts that call succeeds; `call` names its error argument E. */
#define OK(call)                                                                                   \
    do {                                                                                           \
        err_t E_[1];                                                                               \
        err_t *E = E_;                                                                             \
        err_clear(E);                                                                              \
        int rc_ = (call);                                                                          \
        if (rc_ != 0)                                                                              \
            fail_msg("%s failed: %d %s [%s]", #call, rc_, E->msg, E->field);                       \
    } while (0)

static int64_t count(store_t *s, const char *table)
{
    int64_t n = -1;
    OK(store_count(s, table, &n, E));
    return n;
}

/* ---- records ------------------------------------------------------------- */

static void put_patient(store_t *s, const char *id)
{
    store_patient_t p;
    store_patient_init(&p);
    p.person_id = id;
    p.gender = "female";
    p.birth_date = date_from_ymd(1950, 6, 1);
    OK(store_put_patient(s, &p, E));
}

static void med_line(store_med_claim_t *c, const char *claim_id, int line, const char *person,
                     money_t paid)
{
    store_med_claim_init(c);
    c->claim_id = claim_id;
    c->claim_line_number = line;
    c->claim_type = "professional";
    c->person_id = person;
    c->payer = "medicare";
    c->plan = "ffs";
    c->claim_start_date = date_from_ymd(2024, 3, 1);
    c->claim_end_date = date_from_ymd(2024, 3, 2);
    c->claim_line_start_date = c->claim_start_date;
    c->hcpcs_code = "99214";
    c->diagnosis_code[0] = "E119";
    c->diagnosis_code[1] = "I10";
    c->paid_amount = paid;
    c->allowed_amount = paid + 1000;
    c->in_network_flag = 1;
}

/* Fills every column of a record with a value derived from (seed, column),
 * strings from the arena. Text values carry the characters COPY and SQL
 * must escape. */
static void fill(arena_t *a, const store_kind_def_t *k, const store_table_t *t, void *rec, int seed)
{
    for (int i = 0; i < t->ncols; i++) {
        const store_col_t *c = &t->cols[i];
        if (k->header && t == k->header && store_col_shared(k, c))
            continue;
        switch (c->type) {
        case SC_TEXT:
            STORE_FIELD(rec, c, const char *) =
                i % 7 == 3 ? arena_printf(a, "%s\t'q\"\\n%d\nline2\r ü", c->name, seed)
                           : arena_printf(a, "%s-%d", c->name, seed);
            break;
        case SC_INT:
            STORE_FIELD(rec, c, int64_t) = seed * 1000 + i;
            break;
        case SC_MONEY:
            STORE_FIELD(rec, c, money_t) = -123456789012LL + seed * 100 + i;
            break;
        case SC_DATE:
            STORE_FIELD(rec, c, date_t) = 19000 + seed * 10 + i;
            break;
        case SC_TIME:
            STORE_FIELD(rec, c, store_time_t) = 1700000000LL + seed * 3600 + i * 61;
            break;
        case SC_REAL:
            STORE_FIELD(rec, c, double) = seed + i / 3.0;
            break;
        case SC_FLAG:
            STORE_FIELD(rec, c, int) = (seed + i) % 2;
            break;
        case SC_TEXT_LIST: /* items 1-3 and 5 (a gap), and the last one */
            for (int j = 0; j < c->n; j++)
                (&STORE_FIELD(rec, c, const char *))[j] =
                    j < 3 || j == 4 || j == c->n - 1
                        ? arena_printf(a, "X%d%c%d", seed, 'A' + i % 26, j)
                        : NULL;
            break;
        case SC_DATE_LIST:
            for (int j = 0; j < c->n; j++)
                (&STORE_FIELD(rec, c, date_t))[j] =
                    j < 3 || j == 4 ? 19500 + seed * 30 + j : DATE_NONE;
            break;
        }
    }
}

static void fill_kind(arena_t *a, const store_kind_def_t *k, void *rec, int seed)
{
    k->init(rec);
    fill(a, k, k->table, rec, seed);
    if (k->header)
        fill(a, k, k->header, rec, seed);
}

static void assert_col_equal(const store_table_t *t, const store_col_t *c, const void *want,
                             const void *got)
{
    bool wm = store_col_missing(want, c), gm = store_col_missing(got, c);
    if (wm || gm) {
        if (wm != gm)
            fail_msg("%s.%s: missing %d, got missing %d", t->name, c->name, wm, gm);
        return;
    }
    switch (c->type) {
    case SC_TEXT:
        if (strcmp(STORE_CFIELD(want, c, const char *), STORE_CFIELD(got, c, const char *)) != 0)
            fail_msg("%s.%s: '%s' != '%s'", t->name, c->name, STORE_CFIELD(want, c, const char *),
                     STORE_CFIELD(got, c, const char *));
        break;
    case SC_INT:
    case SC_MONEY:
    case SC_TIME:
        if (STORE_CFIELD(want, c, int64_t) != STORE_CFIELD(got, c, int64_t))
            fail_msg("%s.%s: %lld != %lld", t->name, c->name,
                     (long long)STORE_CFIELD(want, c, int64_t),
                     (long long)STORE_CFIELD(got, c, int64_t));
        break;
    case SC_DATE:
        assert_int_equal(STORE_CFIELD(want, c, date_t), STORE_CFIELD(got, c, date_t));
        break;
    case SC_REAL:
        if (STORE_CFIELD(want, c, double) != STORE_CFIELD(got, c, double))
            fail_msg("%s.%s: %.17g != %.17g", t->name, c->name, STORE_CFIELD(want, c, double),
                     STORE_CFIELD(got, c, double));
        break;
    case SC_FLAG:
        assert_int_equal(STORE_CFIELD(want, c, int), STORE_CFIELD(got, c, int));
        break;
    case SC_TEXT_LIST:
        for (int j = 0; j < c->n; j++) {
            const char *w = (&STORE_CFIELD(want, c, const char *))[j];
            const char *g = (&STORE_CFIELD(got, c, const char *))[j];
            if ((w && *w) != (g != NULL) || (g && strcmp(w, g) != 0))
                fail_msg("%s.%s[%d]: '%s' != '%s'", t->name, c->name, j, w ? w : "(null)",
                         g ? g : "(null)");
        }
        break;
    case SC_DATE_LIST:
        for (int j = 0; j < c->n; j++)
            assert_int_equal((&STORE_CFIELD(want, c, date_t))[j],
                             (&STORE_CFIELD(got, c, date_t))[j]);
        break;
    }
}

static void assert_rec_equal(const store_kind_def_t *k, const void *want, const void *got)
{
    for (int i = 0; i < k->table->ncols; i++)
        assert_col_equal(k->table, &k->table->cols[i], want, got);
    if (k->header)
        for (int i = 0; i < k->header->ncols; i++)
            assert_col_equal(k->header, &k->header->cols[i], want, got);
}

/* Generic put and scan by kind, through the public typed functions: one case
 * per kind of src/store/kinds.def, by its api. */
#define SUITE_PUT_ALL(k)    store_put_##k(s, r, e)
#define SUITE_PUT_LEDGER(k) store_file_record(s, r, e)
#define SUITE_PUT_AS_OF     SUITE_PUT_ALL
#define SUITE_PUT_PERIOD    SUITE_PUT_ALL
#define SD_KIND(k, K, table, mig, layout, api)                                                     \
    case SK_##K:                                                                                   \
        return SUITE_PUT_##api(k);
#define SD_KIND_HDR(k, K, table, mig, layout, api, h, hm, hl) SD_KIND(k, K, table, mig, layout, api)
#define SD_COLUMN(...)
#define SD_FKEY(...)
#define SD_END(k)
static int put_kind(store_t *s, store_kind_t kind, const void *r, err_t *e)
{
    switch (kind) {
#include "store/kinds.def"
    case SK_COUNT:
        break;
    }
    return ERR_INTERNAL;
}
#undef SD_KIND

typedef struct collect {
    const store_kind_def_t *k;
    store_any_rec_t want[4];
    int nwant, seen;
} collect_t;

static int check_rec(void *ctx, const void *rec, err_t *e)
{
    collect_t *c = ctx;
    assert_true(c->seen < c->nwant);
    assert_rec_equal(c->k, &c->want[c->seen], rec);
    c->seen++;
    return 0;
}

#define SD_KIND(k, ...)                                                                            \
    static int cb_##k(void *ctx, const store_##k##_t *r, err_t *e)                                 \
    {                                                                                              \
        return check_rec(ctx, r, e);                                                               \
    }
#include "store/kinds.def"
#undef SD_KIND

#define SUITE_SCAN_ALL(k)    store_scan_##k(s, cb_##k, c, e)
#define SUITE_SCAN_LEDGER(k) store_scan_##k(s, cb_##k, c, e)
#define SUITE_SCAN_AS_OF(k)  store_scan_##k(s, DATE_NONE, cb_##k, c, e)
#define SUITE_SCAN_PERIOD(k) store_scan_##k(s, DATE_NONE, DATE_NONE, NULL, cb_##k, c, e)
#define SD_KIND(k, K, table, mig, layout, api)                                                     \
    case SK_##K:                                                                                   \
        return SUITE_SCAN_##api(k);
static int scan_kind(store_t *s, store_kind_t kind, collect_t *c, err_t *e)
{
    switch (kind) {
#include "store/kinds.def"
    case SK_COUNT:
        break;
    }
    return ERR_INTERNAL;
}
#undef SD_KIND
#undef SD_KIND_HDR
#undef SD_COLUMN
#undef SD_FKEY
#undef SD_END

/* Points the foreign keys of a filled record at rows that exist: the
 * fixture's patient "P", organization "ORG" and message ("FAC", "MSG"). */
static void satisfy_fks(store_kind_t kind, void *rec)
{
    const store_table_t *t = store_kind_def(kind)->table;
    for (int i = 0; i < t->ncols; i++) {
        const store_col_t *c = &t->cols[i];
        if (!c->ref)
            continue;
        if (str_starts_with(c->ref, "patient "))
            STORE_FIELD(rec, c, const char *) = "P";
        else if (str_starts_with(c->ref, "organization "))
            STORE_FIELD(rec, c, const char *) = "ORG";
        else
            fail_msg("%s.%s: a foreign key the fixture has no parent for", t->name, c->name);
    }
    if (kind == SK_ADT_EVENT) {
        ((store_adt_event_t *)rec)->sending_facility = "FAC";
        ((store_adt_event_t *)rec)->message_control_id = "MSG";
    }
}

static const char *main_table(store_kind_t kind)
{
    return store_kind_def(kind)->table->name;
}

/* ---- tests --------------------------------------------------------------- */

static void test_migrations(void **state)
{
    fx_t *f = *state;
    int v = 0;
    OK(store_schema_version(f->s, &v, E));
    assert_int_equal(v, store_schema_latest());
    assert_string_equal(store_backend(f->s), backend);
    put_patient(f->s, "P1");
    /* Re-opening applies nothing again and keeps the data. */
    store_close(f->s);
    f->s = NULL;
    OK(store_open(f->url, &f->s, E));
    OK(store_schema_version(f->s, &v, E));
    assert_int_equal(v, store_schema_latest());
    assert_int_equal(count(f->s, "patient"), 1);
    /* A second connection at the same time sees the same schema. */
    store_t *s2 = NULL;
    OK(store_open(f->url, &s2, E));
    int64_t n = 0;
    OK(store_count(s2, "patient", &n, E));
    assert_int_equal(n, 1);
    store_close(s2);
    /* Running the migrations again is a no-op. */
    OK(store_migrate(f->s, E));
    OK(store_schema_version(f->s, &v, E));
    assert_int_equal(v, store_schema_latest());
}

static void test_open_errors(void **state)
{
    (void)state;
    store_t *s = (store_t *)1;
    err_t e;
    err_clear(&e);
    assert_int_equal(store_open("", &s, &e), ERR_USAGE);
    assert_null(s);
    assert_int_not_equal(store_open("sqlite:/nonexistent-dir/x/y.db", &s, &e), 0);
    assert_null(s);
    assert_int_equal(store_open("postgresql://nobody@127.0.0.1:1/none", &s, &e), ERR_IO);
    assert_null(s);
    assert_null(strstr(e.msg, "nobody@")); /* the URL (it may hold a password) is not echoed */
}

/* Every column of every kind survives a put and a scan; a second put of the
 * same record changes nothing; a changed record with the same key replaces it. */
static void test_roundtrip_every_kind(void **state)
{
    fx_t *f = *state;
    store_organization_t org;
    store_organization_init(&org);
    org.organization_id = "ORG";
    OK(store_put_organization(f->s, &org, E));
    put_patient(f->s, "P");
    store_hl7_message_t msg;
    store_hl7_message_init(&msg);
    msg.sending_facility = "FAC";
    msg.message_control_id = "MSG";
    OK(store_put_hl7_message(f->s, &msg, E));

    for (int kind = 0; kind < SK_COUNT; kind++) {
        const store_kind_def_t *k = store_kind_def((store_kind_t)kind);
        collect_t *c = mem_calloc(1, sizeof *c);
        c->k = k;
        /* The rows the fixture put first are part of the expected scan. */
        int base = kind == SK_ORGANIZATION || kind == SK_PATIENT || kind == SK_HL7_MESSAGE;
        if (base) {
            k->init(&c->want[0]);
            const void *src = kind == SK_ORGANIZATION ? (const void *)&org
                              : kind == SK_PATIENT    ? NULL
                                                      : (const void *)&msg;
            if (src)
                memcpy(&c->want[0], src, k->size);
            else {
                store_patient_t *p = &c->want[0].patient;
                p->person_id = "P";
                p->gender = "female";
                p->birth_date = date_from_ymd(1950, 6, 1);
            }
        }
        int64_t before = count(f->s, main_table(kind));
        store_any_rec_t *r = &c->want[base];
        fill_kind(f->arena, k, r, 1);
        satisfy_fks((store_kind_t)kind, r);
        if (kind == SK_ADT_EVENT) {
            /* adt_event is keyed by its message: the only one there is. */
            c->nwant = 1;
        } else {
            c->nwant = base + 1;
        }
        err_t e;
        err_clear(&e);
        if (put_kind(f->s, (store_kind_t)kind, r, &e) != 0)
            fail_msg("put %s: %s [%s]", k->name, e.msg, e.field);
        assert_int_equal(count(f->s, main_table(kind)), before + 1);
        /* Idempotent. */
        if (put_kind(f->s, (store_kind_t)kind, r, &e) != 0)
            fail_msg("put again %s: %s", k->name, e.msg);
        assert_int_equal(count(f->s, main_table(kind)), before + 1);
        c->seen = 0;
        if (scan_kind(f->s, (store_kind_t)kind, c, &e) != 0)
            fail_msg("scan %s: %s [%s]", k->name, e.msg, e.field);
        assert_int_equal(c->seen, c->nwant);

        /* Replace: same key, every other column changed. */
        store_any_rec_t changed;
        fill_kind(f->arena, k, &changed, 2);
        for (int i = 0; i < k->table->nkey; i++)
            memcpy((char *)&changed + k->table->cols[i].off, (char *)r + k->table->cols[i].off,
                   k->table->cols[i].type == SC_DATE ? sizeof(date_t) : sizeof(int64_t));
        satisfy_fks((store_kind_t)kind, &changed);
        if (kind == SK_AUDIT_ENTRY) {
            /* The audit log is append-only: the database itself refuses a
             * changed entry under an existing number, and keeps the first. */
            err_clear(&e);
            assert_int_equal(put_kind(f->s, (store_kind_t)kind, &changed, &e), ERR_DB);
            assert_int_equal(count(f->s, main_table(kind)), before + 1);
            c->seen = 0;
            assert_int_equal(scan_kind(f->s, (store_kind_t)kind, c, &e), 0);
            assert_int_equal(c->seen, c->nwant);
            mem_free(c);
            continue;
        }
        if (put_kind(f->s, (store_kind_t)kind, &changed, &e) != 0)
            fail_msg("replace %s: %s [%s]", k->name, e.msg, e.field);
        assert_int_equal(count(f->s, main_table(kind)), before + 1);
        c->want[base] = changed;
        c->seen = 0;
        if (scan_kind(f->s, (store_kind_t)kind, c, &e) != 0)
            fail_msg("scan %s: %s [%s]", k->name, e.msg, e.field);
        assert_int_equal(c->seen, c->nwant);
        mem_free(c);
    }
}

static void test_missing_values_roundtrip(void **state)
{
    fx_t *f = *state;
    /* Only the keys: everything else comes back missing, not 0 or "". */
    store_enrollment_t en;
    put_patient(f->s, "P");
    store_enrollment_init(&en);
    en.person_id = "P";
    en.payer = "medicare";
    en.enrollment_start_date = date_from_ymd(2024, 1, 1);
    OK(store_put_enrollment(f->s, &en, E)); /* plan missing: stored as "" */
    en.plan = "";
    OK(store_put_enrollment(f->s, &en, E)); /* the same key */
    assert_int_equal(count(f->s, "enrollment"), 1);
    en.plan = "mapd";
    OK(store_put_enrollment(f->s, &en, E));
    assert_int_equal(count(f->s, "enrollment"), 2);

    store_med_claim_t c;
    store_med_claim_init(&c);
    c.claim_id = "C";
    c.claim_line_number = 1;
    OK(store_put_med_claim(f->s, &c, E));
    collect_t *col = mem_calloc(1, sizeof *col);
    col->k = store_kind_def(SK_MED_CLAIM);
    col->nwant = 1;
    col->want[0].med_claim = c;
    OK(store_scan_med_claim(f->s, cb_med_claim, col, E));
    assert_int_equal(col->seen, 1);
    mem_free(col);
}

/* Migration 3's medication order details and observation categories kept as
 * a '|'-joined list: written and read back as given; a row without the
 * details reads them as missing. */
static void test_order_details_roundtrip(void **state)
{
    fx_t *f = *state;
    put_patient(f->s, "P");
    store_medication_t m;
    store_medication_init(&m);
    assert_null(m.intent);
    assert_true(m.refills == STORE_INT_NONE && m.frequency == STORE_INT_NONE);
    assert_true(isnan(m.quantity) && isnan(m.dose_value) && isnan(m.period));
    m.medication_id = "M1";
    m.person_id = "P";
    m.kind = "request";
    m.code_system = "RXNORM";
    m.code = "197591";
    m.start_date = date_from_ymd(2025, 3, 2);
    m.days_supply = 30;
    m.intent = "order";
    m.category = "community|discharge";
    m.refills = 3;
    m.quantity = 2.5;
    m.quantity_unit = "mL";
    m.dose_value = 0.125;
    m.dose_unit = "mg";
    m.frequency = 2;
    m.period = 1;
    m.period_unit = "d";
    OK(store_put_medication(f->s, &m, E));
    store_medication_t bare;
    store_medication_init(&bare);
    bare.medication_id = "M2";
    bare.person_id = "P";
    bare.kind = "request";
    bare.code = "197591";
    OK(store_put_medication(f->s, &bare, E));
    collect_t *col = mem_calloc(1, sizeof *col);
    col->k = store_kind_def(SK_MEDICATION);
    col->nwant = 2;
    col->want[0].medication = m;
    col->want[1].medication = bare;
    OK(store_scan_medication(f->s, cb_medication, col, E));
    assert_int_equal(col->seen, 2);

    store_observation_t o;
    store_observation_init(&o);
    o.observation_id = "O1";
    o.person_id = "P";
    o.category = "social-history|survey";
    o.code_system = "LOINC";
    o.code = "72166-2";
    OK(store_put_observation(f->s, &o, E));
    memset(col, 0, sizeof *col);
    col->k = store_kind_def(SK_OBSERVATION);
    col->nwant = 1;
    col->want[0].observation = o;
    OK(store_scan_observation(f->s, cb_observation, col, E));
    assert_int_equal(col->seen, 1);
    mem_free(col);

    /* the list helpers */
    assert_true(store_list_has("social-history|survey", "survey"));
    assert_true(store_list_has("social-history|survey", "social-history"));
    assert_true(store_list_has("laboratory", "laboratory"));
    assert_false(store_list_has("social-history|survey", "surv"));
    assert_false(store_list_has("social-history|survey", "history"));
    assert_false(store_list_has(NULL, "survey"));
    assert_false(store_list_has("survey", ""));
    char list[24] = "";
    assert_int_equal(store_list_add(list, sizeof list, "social-history"), 0);
    assert_int_equal(store_list_add(list, sizeof list, "survey"), 0);
    assert_int_equal(store_list_add(list, sizeof list, "survey"), 0); /* once */
    assert_string_equal(list, "social-history|survey");
    assert_int_equal(store_list_add(list, sizeof list, "laboratory"), -1); /* no room */
    assert_int_equal(store_list_add(list, sizeof list, "a|b"), -1);
    assert_int_equal(store_list_add(list, sizeof list, ""), -1);
    assert_string_equal(list, "social-history|survey");
}

static void test_key_errors_name_field(void **state)
{
    fx_t *f = *state;
    err_t e;
    err_clear(&e);
    store_patient_t p;
    store_patient_init(&p);
    assert_int_equal(store_put_patient(f->s, &p, &e), ERR_INPUT);
    assert_string_equal(e.field, "patient.person_id");
    p.person_id = "";
    assert_int_equal(store_put_patient(f->s, &p, &e), ERR_INPUT);

    store_med_claim_t c;
    med_line(&c, "C1", 1, "P", 100);
    c.claim_line_number = STORE_INT_NONE;
    err_clear(&e);
    assert_int_equal(store_put_med_claim(f->s, &c, &e), ERR_INPUT);
    assert_string_equal(e.field, "medical_claim_line.claim_line_number");

    /* Packed lists refuse an item that holds the separator. */
    med_line(&c, "C1", 1, "P", 100);
    c.diagnosis_code[3] = "E11|9";
    err_clear(&e);
    assert_int_equal(store_put_med_claim(f->s, &c, &e), ERR_INPUT);
    assert_string_equal(e.field, "medical_claim.diagnosis_codes");
    /* ... and a list longer than a packed column holds. */
    med_line(&c, "C1", 1, "P", 100);
    const char *long_code = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int i = 0; i < STORE_CLAIM_PX; i++)
        c.procedure_code[i] = long_code;
    err_clear(&e);
    assert_int_equal(store_put_med_claim(f->s, &c, &e), ERR_INPUT);
    assert_string_equal(e.field, "medical_claim.procedure_codes");
    assert_int_equal(count(f->s, "medical_claim_line"), 0);
    /* Inside a transaction a refused list leaves it usable: the lines put
     * before and after it commit. */
    OK(store_begin(f->s, E));
    med_line(&c, "C0", 1, "P", 100);
    OK(store_put_med_claim(f->s, &c, E));
    med_line(&c, "C0", 2, "P", 100);
    c.diagnosis_poa[24] = "Y|N";
    err_clear(&e);
    assert_int_equal(store_put_med_claim(f->s, &c, &e), ERR_INPUT);
    assert_string_equal(e.field, "medical_claim.diagnosis_poas");
    med_line(&c, "C0", 3, "P", 100);
    OK(store_put_med_claim(f->s, &c, E));
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "medical_claim_line"), 2);
    OK(store_delete_claim(f->s, "C0", NULL, E));
    /* A full list of 25 fits and comes back whole. */
    med_line(&c, "C1", 1, "P", 100);
    for (int i = 0; i < STORE_CLAIM_DX; i++) {
        c.diagnosis_code[i] = i % 2 ? "S72001A" : "E119";
        c.diagnosis_poa[i] = "Y";
        c.procedure_date[i] = date_from_ymd(2024, 1, 1 + i);
    }
    OK(store_put_med_claim(f->s, &c, E));
    collect_t *col = mem_calloc(1, sizeof *col);
    col->k = store_kind_def(SK_MED_CLAIM);
    col->nwant = 1;
    col->want[0].med_claim = c;
    OK(store_scan_med_claim(f->s, cb_med_claim, col, E));
    assert_int_equal(col->seen, 1);
    mem_free(col);
    int64_t deleted;
    OK(store_delete_claim(f->s, "C1", &deleted, E));
    assert_int_equal(deleted, 1);

    store_enrollment_t en;
    store_enrollment_init(&en);
    en.person_id = "P";
    en.payer = "x";
    err_clear(&e);
    assert_int_equal(store_put_enrollment(f->s, &en, &e), ERR_INPUT);
    assert_string_equal(e.field, "enrollment.enrollment_start_date");

    /* A rejected record does not break the transaction around it. */
    OK(store_begin(f->s, E));
    err_clear(&e);
    assert_int_equal(store_put_patient(f->s, &(store_patient_t){ 0 }, &e), ERR_INPUT);
    put_patient(f->s, "P2");
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "patient"), 1);

    int64_t n;
    err_clear(&e);
    assert_int_equal(store_count(f->s, "no_such_table", &n, &e), ERR_USAGE);
    assert_string_equal(e.field, "no_such_table");
}

/* A failed put, however it surfaces, leaves the store as it was. */
static void expect_fk_failure(fx_t *f, store_kind_t kind, const void *rec, const char *table)
{
    int64_t before = count(f->s, table);
    err_t e;
    err_clear(&e);
    int rc = put_kind(f->s, kind, rec, &e);
    assert_int_equal(rc, ERR_DB);
    if (strstr(e.field, table) != e.field)
        fail_msg("error field '%s' does not name %s (%s)", e.field, table, e.msg);
    assert_non_null(strstr(e.msg, "foreign key"));
    assert_int_equal(e.constraint, ERR_CONSTRAINT_FOREIGN_KEY); /* a code callers test */
    assert_int_equal(count(f->s, table), before);
    assert_false(store_in_transaction(f->s));
}

static void test_foreign_keys(void **state)
{
    fx_t *f = *state;
    store_enrollment_t en;
    store_enrollment_init(&en);
    en.person_id = "NOBODY";
    en.payer = "medicare";
    en.enrollment_start_date = date_from_ymd(2024, 1, 1);
    expect_fk_failure(f, SK_ENROLLMENT, &en, "enrollment");

    store_condition_t cond;
    store_condition_init(&cond);
    cond.condition_id = "X";
    cond.person_id = "NOBODY";
    expect_fk_failure(f, SK_CONDITION, &cond, "condition");

    store_practitioner_t pr;
    store_practitioner_init(&pr);
    pr.npi = "1234567893";
    pr.organization_id = "NO-ORG";
    expect_fk_failure(f, SK_PRACTITIONER, &pr, "practitioner");
    pr.organization_id = NULL; /* no organisation is fine */
    OK(store_put_practitioner(f->s, &pr, E));

    store_adt_event_t ev;
    store_adt_event_init(&ev);
    ev.sending_facility = "F";
    ev.message_control_id = "M1";
    expect_fk_failure(f, SK_ADT_EVENT, &ev, "adt_event");

    /* With the parent present, the children load. */
    put_patient(f->s, "NOBODY");
    OK(store_put_enrollment(f->s, &en, E));
    OK(store_put_condition(f->s, &cond, E));
}

static void test_transactions(void **state)
{
    fx_t *f = *state;
    err_t e;
    err_clear(&e);
    assert_int_equal(store_commit(f->s, &e), ERR_USAGE);
    OK(store_rollback(f->s, E)); /* nothing open: fine */

    OK(store_begin(f->s, E));
    assert_true(store_in_transaction(f->s));
    assert_int_equal(store_begin(f->s, &e), ERR_USAGE);
    put_patient(f->s, "A");
    put_patient(f->s, "B");
    assert_int_equal(count(f->s, "patient"), 2); /* the transaction sees its own puts */
    OK(store_rollback(f->s, E));
    assert_false(store_in_transaction(f->s));
    assert_int_equal(count(f->s, "patient"), 0);

    /* An error dooms the whole transaction, wherever the backend reports it. */
    OK(store_begin(f->s, E));
    put_patient(f->s, "A");
    store_med_claim_t c;
    med_line(&c, "C1", 1, "A", 500);
    OK(store_put_med_claim(f->s, &c, E));
    store_condition_t cond;
    store_condition_init(&cond);
    cond.condition_id = "X";
    cond.person_id = "NOBODY";
    err_clear(&e);
    int rc = store_put_condition(f->s, &cond, &e);
    if (rc == 0) {
        /* PostgreSQL buffers: the error comes at the next flush. */
        rc = store_commit(f->s, &e);
        assert_int_equal(rc, ERR_DB);
        assert_non_null(strstr(e.field, "condition"));
    } else {
        assert_int_equal(rc, ERR_DB);
        /* Further work is refused until the rollback. */
        err_clear(&e);
        assert_int_equal(store_put_med_claim(f->s, &c, &e), ERR_USAGE);
        err_clear(&e);
        assert_int_equal(store_commit(f->s, &e), ERR_DB);
    }
    assert_false(store_in_transaction(f->s));
    assert_int_equal(count(f->s, "patient"), 0);
    assert_int_equal(count(f->s, "medical_claim_line"), 0);
    assert_int_equal(count(f->s, "medical_claim"), 0);

    /* The store works normally afterwards. */
    OK(store_begin(f->s, E));
    put_patient(f->s, "A");
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "patient"), 1);
}

/* A failure inside a batch that is written while later puts are staged
 * (SQLite's writer thread, PostgreSQL's COPY buffer) surfaces at a later
 * put or at the commit, names the table, and leaves nothing of the
 * transaction. */
static void test_failure_in_bulk(void **state)
{
    fx_t *f = *state;
    put_patient(f->s, "A");
    OK(store_begin(f->s, E));
    err_t e;
    err_clear(&e);
    int rc = 0, puts = 0;
    char id[32];
    for (int i = 0; i < 1000 && rc == 0; i++, puts++) {
        store_condition_t cond;
        store_condition_init(&cond);
        snprintf(id, sizeof id, "X%d", i);
        cond.condition_id = id;
        cond.person_id = i == 100 ? "NOBODY" : "A";
        rc = store_put_condition(f->s, &cond, &e);
    }
    bool at_put = rc != 0;
    if (!at_put)
        rc = store_commit(f->s, &e);
    assert_int_equal(rc, ERR_DB);
    assert_true(puts > 100);
    if (strstr(e.field, "condition") != e.field)
        fail_msg("error field '%s' does not name condition (%s)", e.field, e.msg);
    assert_non_null(strstr(e.msg, "foreign key"));
    assert_int_equal(e.constraint, ERR_CONSTRAINT_FOREIGN_KEY);
    if (at_put) { /* the transaction is doomed: the commit refuses and rolls back */
        err_clear(&e);
        assert_int_equal(store_commit(f->s, &e), ERR_DB);
    }
    assert_false(store_in_transaction(f->s));
    assert_int_equal(count(f->s, "condition"), 0);
    assert_int_equal(count(f->s, "patient"), 1);
    /* The store works normally afterwards. */
    OK(store_begin(f->s, E));
    put_patient(f->s, "B");
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "patient"), 2);
}

typedef struct claims_seen {
    int n;
    char ids[16][32];
    int64_t lines[16];
    money_t paid[16];
    char dx1[16][16];
} claims_seen_t;

static int cb_claims(void *ctx, const store_med_claim_t *r, err_t *e)
{
    claims_seen_t *c = ctx;
    assert_true(c->n < 16);
    str_copy(c->ids[c->n], r->claim_id, sizeof c->ids[0]);
    c->lines[c->n] = r->claim_line_number;
    c->paid[c->n] = r->paid_amount;
    str_copy(c->dx1[c->n], r->diagnosis_code[0] ? r->diagnosis_code[0] : "", sizeof c->dx1[0]);
    c->n++;
    return 0;
}

static void test_med_claim_redelivery(void **state)
{
    fx_t *f = *state;
    store_med_claim_t c;
    /* Delivery 1: C1 with lines 1, 2, 3 and C2 with line 1. */
    OK(store_begin(f->s, E));
    for (int line = 1; line <= 3; line++) {
        med_line(&c, "C1", line, "P", 100 * line);
        OK(store_put_med_claim(f->s, &c, E));
    }
    med_line(&c, "C2", 1, "P", 999);
    OK(store_put_med_claim(f->s, &c, E));
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "medical_claim"), 2);
    assert_int_equal(count(f->s, "medical_claim_line"), 4);

    /* Delivering the same again changes nothing. */
    OK(store_begin(f->s, E));
    for (int line = 1; line <= 3; line++) {
        med_line(&c, "C1", line, "P", 100 * line);
        OK(store_put_med_claim(f->s, &c, E));
    }
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "medical_claim_line"), 4);

    /* Delivery 2 corrects C1: two lines, line 2 re-priced, a new principal
     * diagnosis. Line 3 disappears; C2 is untouched. The lines arrive out of
     * order and interleaved with another claim. */
    OK(store_begin(f->s, E));
    med_line(&c, "C1", 2, "P", 250);
    c.diagnosis_code[0] = "I5022";
    OK(store_put_med_claim(f->s, &c, E));
    med_line(&c, "C3", 1, "P", 10);
    OK(store_put_med_claim(f->s, &c, E));
    med_line(&c, "C1", 1, "P", 100);
    c.diagnosis_code[0] = "I5022";
    OK(store_put_med_claim(f->s, &c, E));
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "medical_claim"), 3);
    assert_int_equal(count(f->s, "medical_claim_line"), 4);

    claims_seen_t seen = { 0 };
    OK(store_scan_med_claim(f->s, cb_claims, &seen, E));
    assert_int_equal(seen.n, 4);
    assert_string_equal(seen.ids[0], "C1");
    assert_int_equal(seen.lines[0], 1);
    assert_int_equal(seen.paid[0], 100);
    assert_string_equal(seen.dx1[0], "I5022");
    assert_string_equal(seen.ids[1], "C1");
    assert_int_equal(seen.lines[1], 2);
    assert_int_equal(seen.paid[1], 250);
    assert_string_equal(seen.ids[2], "C2");
    assert_int_equal(seen.paid[2], 999);
    assert_string_equal(seen.dx1[2], "E119");
    assert_string_equal(seen.ids[3], "C3");

    /* A put outside a transaction is a delivery of its own. */
    med_line(&c, "C1", 7, "P", 70);
    OK(store_put_med_claim(f->s, &c, E));
    assert_int_equal(count(f->s, "medical_claim_line"), 3); /* C1 is line 7 only now */

    /* Header fields: the last line put wins. */
    OK(store_begin(f->s, E));
    med_line(&c, "C4", 1, "P", 1);
    OK(store_put_med_claim(f->s, &c, E));
    med_line(&c, "C4", 2, "P", 2);
    c.diagnosis_code[0] = "Z0000";
    OK(store_put_med_claim(f->s, &c, E));
    OK(store_commit(f->s, E));
    memset(&seen, 0, sizeof seen);
    OK(store_scan_med_claim(f->s, cb_claims, &seen, E));
    assert_int_equal(seen.n, 5); /* C1 line 7, C2, C3, C4 lines 1 and 2 */
    assert_string_equal(seen.ids[3], "C4");
    assert_string_equal(seen.dx1[3], "Z0000");
    assert_string_equal(seen.dx1[4], "Z0000");
}

static void test_delete_claim(void **state)
{
    fx_t *f = *state;
    store_med_claim_t c;
    OK(store_begin(f->s, E));
    for (int line = 1; line <= 3; line++) {
        med_line(&c, "C1", line, "P", 100);
        OK(store_put_med_claim(f->s, &c, E));
    }
    med_line(&c, "C2", 1, "P", 100);
    OK(store_put_med_claim(f->s, &c, E));
    store_rx_claim_t rx;
    store_rx_claim_init(&rx);
    rx.claim_id = "C1"; /* ids of medical and pharmacy claims may meet */
    rx.claim_line_number = 1;
    OK(store_put_rx_claim(f->s, &rx, E));
    int64_t n = -1;
    OK(store_delete_claim(f->s, "C1", &n, E));
    assert_int_equal(n, 4);
    /* Within the same delivery the claim can come back. */
    med_line(&c, "C1", 9, "P", 1);
    OK(store_put_med_claim(f->s, &c, E));
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "medical_claim"), 2);
    assert_int_equal(count(f->s, "medical_claim_line"), 2);
    assert_int_equal(count(f->s, "pharmacy_claim"), 0);
    OK(store_delete_claim(f->s, "nope", &n, E));
    assert_int_equal(n, 0);
}

static void test_rx_claim_redelivery(void **state)
{
    fx_t *f = *state;
    store_rx_claim_t rx;
    store_rx_claim_init(&rx);
    rx.person_id = "P";
    rx.ndc_code = "00002322730";
    OK(store_begin(f->s, E));
    for (int line = 1; line <= 2; line++) {
        rx.claim_id = "R1";
        rx.claim_line_number = line;
        rx.paid_amount = 1000 * line;
        OK(store_put_rx_claim(f->s, &rx, E));
    }
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "pharmacy_claim"), 2);
    rx.claim_line_number = 1;
    rx.paid_amount = 5;
    OK(store_put_rx_claim(f->s, &rx, E));
    assert_int_equal(count(f->s, "pharmacy_claim"), 1);

    /* One delivery putting a claim's lines apart, one twice: they merge,
     * the later put of a line wins, and the claim's dates follow. */
    OK(store_begin(f->s, E));
    int order[] = { 3, 1, 0, 3, 2 }; /* 0: another claim between */
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        rx.claim_id = order[i] ? "R2" : "R3";
        rx.claim_line_number = order[i] ? order[i] : 1;
        rx.paid_amount = 100 * (int64_t)i;
        rx.dispensing_date = date_from_ymd(2024, 5, 1 + (int)i);
        OK(store_put_rx_claim(f->s, &rx, E));
    }
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "pharmacy_claim"), 1 + 3 + 1);
    store_summary_t sum;
    OK(store_summary(f->s, &sum, E));
    /* 1 May was R2 line 3's first put, replaced by its second (4 May). */
    assert_int_equal(sum.rx_claim_first, date_from_ymd(2024, 5, 2));
    assert_int_equal(sum.rx_claim_last, date_from_ymd(2024, 5, 5));
    /* R2 line 3 is the later of its two puts (paid 300, 4 May). */
    store_rx_claim_t key;
    store_rx_claim_init(&key);
    key.claim_id = "R2";
    key.claim_line_number = 3;
    collect_t *col = mem_calloc(1, sizeof *col);
    col->k = store_kind_def(SK_RX_CLAIM);
    col->nwant = 1;
    col->want[0].rx_claim = rx;
    col->want[0].rx_claim.claim_id = "R2";
    col->want[0].rx_claim.claim_line_number = 3;
    col->want[0].rx_claim.paid_amount = 300;
    col->want[0].rx_claim.dispensing_date = date_from_ymd(2024, 5, 4);
    OK(f->s->vt->scan(f->s, store_kind_def(SK_RX_CLAIM), 2, &key, check_rec, col, E));
    assert_int_equal(col->seen, 1);
    mem_free(col);
}

static void test_file_ledger(void **state)
{
    fx_t *f = *state;
    const char *hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    bool seen = true;
    OK(store_file_seen(f->s, hash, &seen, E));
    assert_false(seen);
    store_source_file_t sf;
    store_source_file_init(&sf);
    sf.content_hash = hash;
    sf.name = "medical_claim.csv";
    sf.format = "tuva_medical_claim";
    sf.loaded_at = 1735689600;
    sf.records_read = 10;
    sf.records_loaded = 9;
    sf.records_rejected = 1;
    /* The file and its ledger row commit (or not) together. */
    OK(store_begin(f->s, E));
    OK(store_file_record(f->s, &sf, E));
    OK(store_file_seen(f->s, hash, &seen, E));
    assert_true(seen);
    OK(store_rollback(f->s, E));
    OK(store_file_seen(f->s, hash, &seen, E));
    assert_false(seen);
    OK(store_file_record(f->s, &sf, E));
    OK(store_file_record(f->s, &sf, E));
    OK(store_file_seen(f->s, hash, &seen, E));
    assert_true(seen);
    assert_int_equal(count(f->s, "source_file"), 1);
}

typedef struct ids_seen {
    int n, stop_at;
    char ids[16][16];
} ids_seen_t;

static int cb_ids(void *ctx, const store_patient_t *r, err_t *e)
{
    ids_seen_t *c = ctx;
    if (c->stop_at && c->n == c->stop_at)
        return 42;
    str_copy(c->ids[c->n++], r->person_id, sizeof c->ids[0]);
    return 0;
}

static void test_scan_order_and_stop(void **state)
{
    fx_t *f = *state;
    const char *ids[] = { "b", "B", "a10", "A2", "a2", "_x", "A10", "\xc3\xa9" };
    const char *sorted[] = { "A10", "A2", "B", "_x", "a10", "a2", "b", "\xc3\xa9" };
    OK(store_begin(f->s, E));
    for (size_t i = 0; i < 8; i++)
        put_patient(f->s, ids[i]);
    OK(store_commit(f->s, E));
    ids_seen_t seen = { 0 };
    OK(store_scan_patient(f->s, cb_ids, &seen, E));
    assert_int_equal(seen.n, 8);
    for (int i = 0; i < 8; i++)
        assert_string_equal(seen.ids[i], sorted[i]);

    /* Numeric order of line numbers within a claim. */
    store_med_claim_t c;
    OK(store_begin(f->s, E));
    int lines[] = { 10, 2, 1 };
    for (int i = 0; i < 3; i++) {
        med_line(&c, "C", lines[i], "P", 1);
        OK(store_put_med_claim(f->s, &c, E));
    }
    OK(store_commit(f->s, E));
    claims_seen_t cs = { 0 };
    OK(store_scan_med_claim(f->s, cb_claims, &cs, E));
    assert_int_equal(cs.n, 3);
    assert_int_equal(cs.lines[0], 1);
    assert_int_equal(cs.lines[1], 2);
    assert_int_equal(cs.lines[2], 10);

    /* A callback stops the scan with its own code; the store stays usable,
     * inside a transaction too. */
    memset(&seen, 0, sizeof seen);
    seen.stop_at = 3;
    err_t e;
    err_clear(&e);
    assert_int_equal(store_scan_patient(f->s, cb_ids, &seen, &e), 42);
    assert_int_equal(seen.n, 3);
    assert_int_equal(count(f->s, "patient"), 8);
    OK(store_begin(f->s, E));
    put_patient(f->s, "Z");
    memset(&seen, 0, sizeof seen);
    seen.stop_at = 2;
    assert_int_equal(store_scan_patient(f->s, cb_ids, &seen, &e), 42);
    put_patient(f->s, "Y");
    OK(store_commit(f->s, E));
    assert_int_equal(count(f->s, "patient"), 10);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 50,000 claim lines (20,000 claims of 1-4 lines) in one transaction, built
 * without allocation the way an importer would. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double bulk_cpu_rate;

static double bulk_load(store_t *s, int first_claim, int nlines, bool poison)
{
    char claim_id[32], person[32];
    store_med_claim_t c;
    int claim = first_claim, line = 0, per = 1;
    double t0 = now_s(), c0 = cpu_s();
    OK(store_begin(s, E));
    for (int i = 0; i < nlines; i++) {
        if (line == per) {
            claim++;
            line = 0;
            per = 1 + claim % 4;
        }
        snprintf(claim_id, sizeof claim_id, "CLM%08d", claim);
        snprintf(person, sizeof person, "P%06d", claim % 5000);
        med_line(&c, claim_id, ++line, person, 1000 + i % 977);
        c.claim_type = claim % 5 ? "professional" : "institutional";
        c.diagnosis_code[2] = "N183";
        c.diagnosis_poa[0] = "Y";
        c.rendering_npi = "1234567893";
        c.billing_npi = "1234567893";
        c.place_of_service_code = "11";
        c.claim_line_end_date = c.claim_end_date;
        c.paid_date = c.claim_end_date + 20;
        c.charge_amount = c.allowed_amount * 2;
        OK(store_put_med_claim(s, &c, E));
    }
    err_t e;
    err_clear(&e);
    if (poison) {
        store_condition_t cond;
        store_condition_init(&cond);
        cond.condition_id = "X";
        cond.person_id = "NOBODY";
        int rc = store_put_condition(s, &cond, &e);
        if (rc == 0)
            rc = store_commit(s, &e);
        else
            store_rollback(s, &e);
        assert_int_equal(rc, ERR_DB);
        return 0;
    }
    OK(store_commit(s, E));
    bulk_cpu_rate = nlines / (cpu_s() - c0);
    return nlines / (now_s() - t0);
}

static void test_bulk_load(void **state)
{
    fx_t *f = *state;
    double rate = bulk_load(f->s, 0, 50000, false);
    assert_int_equal(count(f->s, "medical_claim_line"), 50000);
    int64_t claims = count(f->s, "medical_claim");
    assert_true(claims > 15000 && claims < 25000);
    /* CPU time is this process's only: for PostgreSQL the server's is not in it. */
    printf("[ bench    ] %s: 50000 claim lines in one transaction: %.0f lines/s"
           " (%.0f lines per second of this process's CPU)\n",
           backend, rate, bulk_cpu_rate);
    /* A failure at the end of a second bulk load leaves none of it. */
    bulk_load(f->s, 1000000, 50000, true);
    assert_int_equal(count(f->s, "medical_claim_line"), 50000);
    assert_int_equal(count(f->s, "medical_claim"), claims);
    /* Re-loading the first delivery is idempotent. */
    bulk_load(f->s, 0, 50000, false);
    assert_int_equal(count(f->s, "medical_claim_line"), 50000);
    assert_int_equal(count(f->s, "medical_claim"), claims);
}

static bool index_exists(fx_t *f, const char *name)
{
    char sql[200];
    if (strcmp(backend, "sqlite") == 0)
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '%s'", name);
    else
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_indexes WHERE indexname = '%s'", name);
    int64_t n = 0;
    bool isnull;
    OK(f->s->vt->query_i64(f->s, sql, &n, &isnull, E));
    return n == 1;
}

/* Puts 2000 conditions of 50 patients in one transaction; poison ends it
 * with a foreign-key failure, so that it rolls back. */
static void bulk_conditions(store_t *s, bool poison)
{
    char pid[16], cid[16];
    OK(store_begin(s, E));
    for (int i = 0; i < 50; i++) {
        snprintf(pid, sizeof pid, "P%06d", i);
        put_patient(s, pid);
    }
    store_condition_t c;
    for (int i = 0; i < 2000; i++) {
        store_condition_init(&c);
        snprintf(pid, sizeof pid, "P%06d", i % 50);
        snprintf(cid, sizeof cid, "C%06d", i);
        c.condition_id = cid;
        c.person_id = pid;
        c.code = "E119";
        OK(store_put_condition(s, &c, E));
    }
    if (poison) {
        c.condition_id = "X";
        c.person_id = "NOBODY";
        err_t e;
        err_clear(&e);
        int rc = store_put_condition(s, &c, &e);
        if (rc == 0)
            rc = store_commit(s, &e);
        else
            store_rollback(s, &e);
        assert_int_equal(rc, ERR_DB);
        return;
    }
    OK(store_commit(s, E));
}

/* A load into empty tables builds their secondary indexes at the commit
 * (SQLite); a load that rolls back leaves them as they were. */
static void test_indexes_after_bulk_load(void **state)
{
    fx_t *f = *state;
    assert_true(index_exists(f, "condition_person"));
    bulk_conditions(f->s, true);
    assert_true(index_exists(f, "condition_person"));
    assert_int_equal(count(f->s, "condition"), 0);
    bulk_conditions(f->s, false);
    assert_true(index_exists(f, "condition_person"));
    assert_int_equal(count(f->s, "condition"), 2000);
    /* The rebuilt index answers: conditions of one person, by person_id. */
    int64_t n = 0;
    bool isnull;
    OK(f->s->vt->query_i64(f->s, "SELECT count(*) FROM condition WHERE person_id = 'P000007'", &n,
                           &isnull, E));
    assert_int_equal(n, 40);
}

/* A SQLite file made before migration 4 kept claims a row per line; opening
 * it moves them into packs (sqclaims.h) and drops those tables, and the
 * claims then read back exactly and take re-deliveries as before. */
static void v3_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int cb_count_tables(void *ctx, int n, char **v, char **names)
{
    (void)n;
    (void)names;
    if (str_to_intz(v[0], (int *)ctx) != 0)
        *(int *)ctx = -1;
    return 0;
}

static void test_sqlite_v3_claims_move_into_packs(void **state)
{
    fx_t *f = *state;
    if (strcmp(backend, "sqlite") != 0)
        skip();
    char path[600];
    snprintf(path, sizeof path, "%s/v3-%d.db", tmpdir, test_no);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    /* Migrations 1..3 as they were applied, with SQLite's dialect. */
    const store_dialect_t d = { "TEXT", "TEXT", "TEXT", "REAL", " WITHOUT ROWID" };
    int nm;
    const store_migration_t *m = store_migrations(&nm);
    buf_t sql = BUF_INIT;
    v3_exec(db, "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                " description TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
    for (int i = 0; i < nm && m[i].version <= 3; i++) {
        assert_int_equal(store_sql_subst(&d, m[i].sql, &sql), 0);
        if (m[i].sql_sqlite)
            buf_puts(&sql, m[i].sql_sqlite);
        buf_printf(&sql, "INSERT INTO schema_version (version, description) VALUES (%d, 'x');",
                   m[i].version);
        v3_exec(db, buf_cstr(&sql));
    }
    buf_free(&sql);
    v3_exec(db, "INSERT INTO medical_claim (claim_id, claim_type, person_id, claim_start_date,"
                " claim_end_date, diagnosis_codes, procedure_dates) VALUES"
                " ('C2', 'institutional', 'P', '2023-03-01', '2023-03-04', 'E119||N183',"
                "  '2023-03-02'),"
                " ('C10', 'professional', 'P', '2023-01-05', '2023-01-05', NULL, NULL);"
                "INSERT INTO medical_claim_line (claim_id, claim_line_number, paid_amount,"
                " hcpcs_code, service_unit_quantity, in_network_flag, load_seq) VALUES"
                " ('C2', 2, 250, '99213', 1.5, 1, 1), ('C2', 1, 100, NULL, NULL, 0, 1),"
                " ('C10', 1, 999, '99214', NULL, NULL, 1);"
                "INSERT INTO pharmacy_claim (claim_id, claim_line_number, person_id,"
                " dispensing_date, ndc_code, days_supply, load_seq) VALUES"
                " ('R1', 1, 'P', '2024-02-29', '00002322730', 30, 1);");
    sqlite3_close(db);

    store_close(f->s);
    f->s = NULL;
    OK(store_open(path, &f->s, E));
    assert_int_equal(count(f->s, "medical_claim"), 2);
    assert_int_equal(count(f->s, "medical_claim_line"), 3);
    assert_int_equal(count(f->s, "pharmacy_claim"), 1);
    claims_seen_t seen = { 0 };
    OK(store_scan_med_claim(f->s, cb_claims, &seen, E));
    assert_int_equal(seen.n, 3);
    /* Key order: "C10" before "C2" (byte-wise), lines by number. */
    assert_string_equal(seen.ids[0], "C10");
    assert_int_equal(seen.paid[0], 999);
    assert_string_equal(seen.ids[1], "C2");
    assert_int_equal(seen.lines[1], 1);
    assert_int_equal(seen.paid[1], 100);
    assert_string_equal(seen.dx1[1], "E119");
    assert_int_equal(seen.lines[2], 2);
    assert_int_equal(seen.paid[2], 250);

    /* Every field of one line, through a filtered scan. */
    store_med_claim_t want, key;
    store_med_claim_init(&want);
    want.claim_id = "C2";
    want.claim_line_number = 2;
    want.claim_type = "institutional";
    want.person_id = "P";
    want.claim_start_date = date_from_ymd(2023, 3, 1);
    want.claim_end_date = date_from_ymd(2023, 3, 4);
    want.diagnosis_code[0] = "E119";
    want.diagnosis_code[2] = "N183";
    want.procedure_date[0] = date_from_ymd(2023, 3, 2);
    want.paid_amount = 250;
    want.hcpcs_code = "99213";
    want.service_unit_quantity = 1.5;
    want.in_network_flag = 1;
    collect_t *col = mem_calloc(1, sizeof *col);
    col->k = store_kind_def(SK_MED_CLAIM);
    col->nwant = 1;
    col->want[0].med_claim = want;
    store_med_claim_init(&key);
    key.claim_id = "C2";
    key.claim_line_number = 2;
    OK(f->s->vt->scan(f->s, store_kind_def(SK_MED_CLAIM), 2, &key, check_rec, col, E));
    assert_int_equal(col->seen, 1);
    mem_free(col);

    store_summary_t sum;
    OK(store_summary(f->s, &sum, E));
    assert_int_equal(sum.med_claim_first, date_from_ymd(2023, 1, 5));
    assert_int_equal(sum.med_claim_last, date_from_ymd(2023, 3, 4));
    assert_int_equal(sum.rx_claim_first, date_from_ymd(2024, 2, 29));

    int legacy = -1;
    sqlite3 *chk = NULL;
    assert_int_equal(sqlite3_open(path, &chk), SQLITE_OK);
    assert_int_equal(sqlite3_exec(chk,
                                  "SELECT count(*) FROM sqlite_master WHERE name IN"
                                  " ('medical_claim', 'medical_claim_line', 'pharmacy_claim')",
                                  cb_count_tables, &legacy, NULL),
                     SQLITE_OK);
    sqlite3_close(chk);
    assert_int_equal(legacy, 0);

    /* A re-delivery of C2 replaces the converted version. */
    store_med_claim_t c;
    med_line(&c, "C2", 1, "P", 5);
    OK(store_put_med_claim(f->s, &c, E));
    assert_int_equal(count(f->s, "medical_claim_line"), 2);
}

static void test_summary(void **state)
{
    fx_t *f = *state;
    store_summary_t sum;
    OK(store_summary(f->s, &sum, E));
    assert_string_equal(sum.backend, backend);
    assert_int_equal(sum.schema_version, store_schema_latest());
    assert_int_equal(sum.med_claim_first, DATE_NONE);
    assert_int_equal(sum.files_loaded, 0);
    assert_true(sum.ntables >= 16);

    put_patient(f->s, "P");
    store_med_claim_t c;
    med_line(&c, "C1", 1, "P", 1);
    c.claim_start_date = date_from_ymd(2023, 1, 5);
    OK(store_put_med_claim(f->s, &c, E));
    med_line(&c, "C2", 1, "P", 1);
    c.claim_end_date = date_from_ymd(2024, 12, 31);
    OK(store_put_med_claim(f->s, &c, E));
    store_rx_claim_t rx;
    store_rx_claim_init(&rx);
    rx.claim_id = "R";
    rx.claim_line_number = 1;
    rx.dispensing_date = date_from_ymd(2024, 2, 29);
    OK(store_put_rx_claim(f->s, &rx, E));
    store_source_file_t sf;
    store_source_file_init(&sf);
    sf.content_hash = "ab";
    OK(store_file_record(f->s, &sf, E));

    OK(store_summary(f->s, &sum, E));
    assert_int_equal(sum.med_claim_first, date_from_ymd(2023, 1, 5));
    assert_int_equal(sum.med_claim_last, date_from_ymd(2024, 12, 31));
    assert_int_equal(sum.rx_claim_first, date_from_ymd(2024, 2, 29));
    assert_int_equal(sum.rx_claim_last, date_from_ymd(2024, 2, 29));
    assert_int_equal(sum.enrollment_first, DATE_NONE);
    assert_int_equal(sum.files_loaded, 1);
    for (int i = 0; i < sum.ntables; i++) {
        if (strcmp(sum.tables[i].name, "medical_claim_line") == 0)
            assert_int_equal(sum.tables[i].rows, 2);
        if (strcmp(sum.tables[i].name, "patient") == 0)
            assert_int_equal(sum.tables[i].rows, 1);
    }
}

/* Results: filtered scans by analysis date / period (and measure), clears
 * that remove one run's or one period's rows only, inside a transaction. */
static int count_patient_cb(void *ctx, const store_analysis_patient_t *r, err_t *e)
{
    (void)e;
    int *n = ctx;
    assert_non_null(r->person_id);
    (*n)++;
    return 0;
}

static int count_result_cb(void *ctx, const store_measure_result_t *r, err_t *e)
{
    (void)e;
    int *n = ctx;
    assert_string_not_equal(r->measure_id, "");
    (*n)++;
    return 0;
}

static int count_gap_cb(void *ctx, const store_care_gap_t *r, err_t *e)
{
    (void)e;
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

static void test_results(void **state)
{
    fx_t *f = *state;
    date_t d1 = date_from_ymd(2024, 12, 31), d2 = date_from_ymd(2025, 6, 30);
    date_t p0 = date_from_ymd(2025, 1, 1), p1 = date_from_ymd(2025, 12, 31);
    OK(store_begin(f->s, E));
    int64_t run = store_transaction_id(f->s);
    assert_true(run > 0);
    for (int d = 0; d < 2; d++) {
        store_analysis_population_t pop;
        store_analysis_population_init(&pop);
        pop.as_of = d ? d2 : d1;
        pop.run_id = run + d; /* d2 is the later run */
        pop.summary_json = "{\"patients\":3}";
        OK(store_put_analysis_population(f->s, &pop, E));
        for (int i = 0; i < 3; i++) {
            store_analysis_patient_t p;
            store_analysis_patient_init(&p);
            p.as_of = pop.as_of;
            p.person_id = i == 0 ? "P1" : i == 1 ? "P2" : "P3";
            p.tier = "high";
            p.risk_score = 1.25 + i;
            OK(store_put_analysis_patient(f->s, &p, E));
        }
    }
    static const char *const measures[] = { "CMS122", "CMS165" };
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < 2; i++) {
            store_measure_result_t r;
            store_measure_result_init(&r);
            r.period_start = p0;
            r.period_end = p1;
            r.measure_id = measures[m];
            r.group_id = "1";
            r.person_id = i ? "P2" : "P1";
            r.ip = r.denom = 1;
            r.numer = i;
            OK(store_put_measure_result(f->s, &r, E));
            store_care_gap_t g;
            store_care_gap_init(&g);
            g.period_start = p0;
            g.period_end = p1;
            g.measure_id = measures[m];
            g.group_id = "1";
            g.person_id = r.person_id;
            g.gap_text = "HbA1c not done";
            g.due_date = p1;
            g.priority = "high";
            OK(store_put_care_gap(f->s, &g, E));
        }
    store_measure_summary_t sum;
    store_measure_summary_init(&sum);
    sum.period_start = p0;
    sum.period_end = p1;
    sum.measure_id = "CMS122";
    sum.group_id = "1";
    sum.denom = 2;
    sum.numer = 1;
    sum.rate = 0.5;
    OK(store_put_measure_summary(f->s, &sum, E));
    OK(store_commit(f->s, E));
    assert_int_equal(store_transaction_id(f->s), 0);

    int n = 0;
    OK(store_scan_analysis_patient(f->s, d1, count_patient_cb, &n, E));
    assert_int_equal(n, 3);
    n = 0;
    OK(store_scan_analysis_patient(f->s, DATE_NONE, count_patient_cb, &n, E));
    assert_int_equal(n, 6);
    date_t latest = DATE_NONE;
    OK(store_latest_analysis(f->s, &latest, E));
    assert_int_equal(latest, d2);
    n = 0;
    OK(store_scan_measure_result(f->s, p0, p1, "CMS165", count_result_cb, &n, E));
    assert_int_equal(n, 2);
    n = 0;
    OK(store_scan_measure_result(f->s, p0, p1, NULL, count_result_cb, &n, E));
    assert_int_equal(n, 4);
    n = 0;
    OK(store_scan_measure_result(f->s, p0, date_from_ymd(2025, 6, 30), NULL, count_result_cb, &n,
                                 E));
    assert_int_equal(n, 0);
    err_t e;
    err_clear(&e);
    assert_int_equal(store_scan_measure_result(f->s, p0, DATE_NONE, NULL, count_result_cb, &n, &e),
                     ERR_USAGE);

    /* Clearing one analysis date, inside a transaction, leaves the other;
     * a rollback brings the rows back. */
    int64_t deleted = 0;
    OK(store_begin(f->s, E));
    OK(store_clear_analysis(f->s, d1, &deleted, E));
    assert_int_equal(deleted, 4); /* 1 population + 3 patients */
    n = 0;
    OK(store_scan_analysis_patient(f->s, d1, count_patient_cb, &n, E));
    assert_int_equal(n, 0);
    OK(store_rollback(f->s, E));
    assert_int_equal(count(f->s, "analysis_patient"), 6);
    OK(store_clear_analysis(f->s, d1, &deleted, E));
    assert_int_equal(deleted, 4);
    assert_int_equal(count(f->s, "analysis_patient"), 3);
    assert_int_equal(count(f->s, "analysis_population"), 1);

    /* Clearing one measure of a period, then the whole period. */
    OK(store_clear_measures(f->s, p0, p1, "CMS165", &deleted, E));
    assert_int_equal(deleted, 4); /* 2 results + 2 gaps */
    n = 0;
    OK(store_scan_care_gap(f->s, p0, p1, NULL, count_gap_cb, &n, E));
    assert_int_equal(n, 2);
    OK(store_clear_measures(f->s, p0, p1, NULL, &deleted, E));
    assert_int_equal(deleted, 5);
    assert_int_equal(count(f->s, "measure_result") + count(f->s, "care_gap") +
                         count(f->s, "measure_summary"),
                     0);
    assert_int_equal(store_clear_measures(f->s, p0, DATE_NONE, NULL, &deleted, &e), ERR_USAGE);
}

static void test_time_helpers(void **state)
{
    (void)state;
    store_time_t t;
    char s[STORE_TIME_FMT_LEN];
    assert_int_equal(store_time_parse("2024-03-01T10:00:00Z", 20, &t), 0);
    store_time_format(t, s);
    assert_string_equal(s, "2024-03-01T10:00:00Z");
    store_time_t u;
    assert_int_equal(store_time_parse("2024-03-01 05:00:00-05:00", 25, &u), 0);
    assert_int_equal(u, t);
    assert_int_equal(store_time_parse("20240301100000+0000", 19, &u), 0);
    assert_int_equal(u, t);
    assert_int_equal(store_time_parse("202403011000", 12, &u), 0);
    assert_int_equal(u, t);
    assert_int_equal(store_time_parse("2024-03-01T10:00:00.250+00", 26, &u), 0);
    assert_int_equal(u, t);
    assert_int_equal(store_time_parse("2024-03-01", 10, &u), 0);
    assert_int_equal(u, t - 36000);
    assert_int_equal(store_time_parse("1969-12-31T23:59:59Z", 20, &u), 0);
    assert_int_equal(u, -1);
    store_time_format(-1, s);
    assert_string_equal(s, "1969-12-31T23:59:59Z");
    assert_int_equal(store_time_parse("2024-02-30T00:00:00Z", 20, &u), -1);
    assert_int_equal(store_time_parse("2024-03-01T25:00:00Z", 20, &u), -1);
    assert_int_equal(store_time_parse("2024-03-01Tjunk", 15, &u), -1);
}

/* `store_suite sample URL`: a small store for the `tripod info` test. */
static int make_sample(const char *url)
{
    store_t *s = NULL;
    err_t e;
    err_clear(&e);
    if (store_open(url, &s, &e) != 0) {
        fprintf(stderr, "sample: %s\n", e.msg);
        return 1;
    }
    int rc = store_begin(s, &e);
    store_patient_t p;
    store_patient_init(&p);
    p.person_id = "P1";
    rc = rc ? rc : store_put_patient(s, &p, &e);
    store_enrollment_t en;
    store_enrollment_init(&en);
    en.person_id = "P1";
    en.payer = "medicare";
    en.enrollment_start_date = date_from_ymd(2023, 1, 1);
    en.enrollment_end_date = date_from_ymd(2024, 12, 31);
    rc = rc ? rc : store_put_enrollment(s, &en, &e);
    store_med_claim_t c;
    for (int line = 1; line <= 2 && rc == 0; line++) {
        med_line(&c, "C1", line, "P1", 100);
        c.claim_start_date = date_from_ymd(2023, 2, 1);
        c.claim_end_date = date_from_ymd(2023, 2, 3);
        rc = store_put_med_claim(s, &c, &e);
    }
    store_source_file_t sf;
    store_source_file_init(&sf);
    sf.content_hash = "00";
    rc = rc ? rc : store_file_record(s, &sf, &e);
    rc = rc ? rc : store_commit(s, &e);
    if (rc != 0)
        fprintf(stderr, "sample: %s\n", e.msg);
    store_close(s);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "sample") == 0)
        return make_sample(argv[2]);
    if (argc == 5 && strcmp(argv[1], "bench") == 0) {
        /* store_suite bench URL NLINES NFILES: NFILES deliveries of NLINES
         * claim lines each into a new store, then the first delivery again
         * (re-delivery); prints lines/s in wall and this process's CPU time. */
        backend = "bench";
        store_t *s = NULL;
        err_t e;
        err_clear(&e);
        if (store_open(argv[2], &s, &e) != 0) {
            fprintf(stderr, "bench: %s\n", e.msg);
            return 1;
        }
        int n = 0, files = 0;
        if (str_to_intz(argv[3], &n) != 0 || str_to_intz(argv[4], &files) != 0 || n < 1) {
            fprintf(stderr, "usage: store_suite bench URL NLINES NFILES\n");
            return 2;
        }
        for (int i = 0; i <= files; i++) {
            int first = i < files ? i * n : 0;
            double rate = bulk_load(s, first, n, false);
            printf("%s %d lines: %.0f lines/s wall, %.0f lines/s CPU\n",
                   i < files ? "delivery" : "re-delivery", n, rate, bulk_cpu_rate);
        }
        store_close(s);
        return 0;
    }
    backend = argc > 1 ? argv[1] : "sqlite";
    if (strcmp(backend, "postgres") == 0) {
        if (!getenv("TRIPOD_TEST_PG_URL")) {
            fprintf(stderr, "store_suite postgres: TRIPOD_TEST_PG_URL is not set "
                            "(run it through scripts/pg-tmp)\n");
            return 2;
        }
    } else if (strcmp(backend, "sqlite") == 0) {
        snprintf(tmpdir, sizeof tmpdir, "%s/tripod-store-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            return 1;
        }
    } else {
        fprintf(stderr, "usage: store_suite sqlite|postgres\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test_setup_teardown(test_roundtrip_every_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_values_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_details_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_errors_name_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_in_bulk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indexes_after_bulk_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlite_v3_claims_move_into_packs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_med_claim_redelivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_claim_redelivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_ledger, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_order_and_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results, setup, teardown),
        cmocka_unit_test(test_time_helpers),
    };
    char group[64];
    snprintf(group, sizeof group, "store.%s", backend);
    int failed = _cmocka_run_group_tests(group, tests, sizeof tests / sizeof tests[0], NULL, NULL);
    /* The temp dir holds t<N>.db and its WAL files, nothing else. */
    for (int i = 1; tmpdir[0] && i <= test_no; i++) {
        static const char *const suffix[] = { "", "-wal", "-shm" };
        for (int j = 0; j < 3; j++) {
            char path[320];
            snprintf(path, sizeof path, "%s/t%d.db%s", tmpdir, i, suffix[j]);
            unlink(path);
        }
    }
    if (tmpdir[0] && rmdir(tmpdir) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return failed ? 1 : 0;
}
