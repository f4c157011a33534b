/* drift_test.c — the generated schema against the released one.
 *
 * The DDL of every migration is generated from src/store/kinds.def. A
 * released migration has run on databases in the field, so what it creates
 * may never change: tests/store/legacy_migrations.sql is a frozen copy of the
 * SQL the released migrations ran, written by hand before the generator
 * existed. This test builds a schema from the frozen SQL and one from the
 * generated migrations and compares them column by column (SQLite: PRAGMA
 * table_info, index_list/index_info, foreign_key_list, CHECK clauses,
 * WITHOUT ROWID-ness, triggers; PostgreSQL: information_schema columns,
 * constraints, indexes, sequences, triggers). They must be identical.
 *
 *   drift_test sqlite      the SQLite checks (a temporary directory)
 *   drift_test postgres    the PostgreSQL checks, on TRIPOD_TEST_PG_URL
 *                          (run through scripts/pg-tmp)
 *   drift_test dump        prints the generated migrations in the frozen
 *                          format: append a migration's sections to
 *                          legacy_migrations.sql when it is released
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/store.h"
#include "store/store_impl.h"

#include <libpq-fe.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DRIFT_LEGACY_SQL
#error "DRIFT_LEGACY_SQL: the path of legacy_migrations.sql"
#endif

#define MAX_FROZEN 64

static char tmpdir[256];
static int nfiles;

/* ---- the frozen SQL ---------------------------------------------------------- */

/* Section "-- @@ migration N common|sqlite|postgres" of the frozen file. */
typedef struct frozen {
    int n; /* the highest migration frozen */
    char *common[MAX_FROZEN + 1], *sqlite[MAX_FROZEN + 1], *pg[MAX_FROZEN + 1];
} frozen_t;

static frozen_t frozen;

static void frozen_load(void)
{
    FILE *f = fopen(DRIFT_LEGACY_SQL, "r");
    if (!f)
        fail_msg("cannot open %s", DRIFT_LEGACY_SQL);
    buf_t part = BUF_INIT;
    char **into = NULL, line[4096];
    while (fgets(line, sizeof line, f)) {
        int v;
        char what[16];
        if (sscanf(line, "-- @@ migration %d %15s", &v, what) == 2) {
            if (into)
                *into = buf_take(&part);
            if (v < 1 || v > MAX_FROZEN)
                fail_msg("legacy_migrations.sql: migration %d", v);
            into = strcmp(what, "common") == 0   ? &frozen.common[v]
                   : strcmp(what, "sqlite") == 0 ? &frozen.sqlite[v]
                                                 : &frozen.pg[v];
            if (v > frozen.n)
                frozen.n = v;
            continue;
        }
        if (into)
            assert_int_equal(buf_puts(&part, line), 0);
    }
    if (into)
        *into = buf_take(&part);
    buf_free(&part);
    fclose(f);
    assert_true(frozen.n >= 5); /* 1..5 were released before the generator */
}

static void frozen_free(void)
{
    for (int i = 0; i <= MAX_FROZEN; i++) {
        mem_free(frozen.common[i]);
        mem_free(frozen.sqlite[i]);
        mem_free(frozen.pg[i]);
    }
}

/* The SQL of migrations 1..upto, as store_migrate runs them: the
 * schema_version table, then each migration's common and dialect SQL.
 * legacy: the frozen SQL of the released migrations (and the generated SQL
 * of any newer one, not frozen yet); else the generated. */
static void migrations_sql(bool legacy, bool pg, int upto, buf_t *out)
{
    const store_dialect_t *d = pg ? &store_dialect_pg : &store_dialect_sqlite;
    buf_t one = BUF_INIT;
    assert_int_equal(store_sql_subst(d,
                                     "CREATE TABLE IF NOT EXISTS schema_version (\n"
                                     "  version INTEGER NOT NULL PRIMARY KEY,\n"
                                     "  description TEXT NOT NULL,\n"
                                     "  applied_at @TIMESTAMP@ NOT NULL DEFAULT CURRENT_TIMESTAMP\n"
                                     ");\n",
                                     out),
                     0);
    int n;
    const store_migration_t *m = store_migrations(&n);
    for (int v = 1; v <= upto; v++) {
        const char *common, *extra;
        if (legacy && v <= frozen.n) {
            common = frozen.common[v] ? frozen.common[v] : "";
            extra = pg ? frozen.pg[v] : frozen.sqlite[v];
        } else {
            assert_true(v <= n && m[v - 1].version == v);
            if (!m[v - 1].sql)
                fail_msg("migration %d: no SQL generated (see the log)", v);
            common = m[v - 1].sql;
            extra = pg ? m[v - 1].sql_pg : m[v - 1].sql_sqlite;
        }
        assert_int_equal(store_sql_subst(d, common, &one), 0);
        assert_int_equal(buf_puts(out, buf_cstr(&one)), 0);
        if (extra)
            assert_int_equal(buf_puts(out, extra), 0);
        assert_int_equal(buf_printf(out,
                                    "INSERT INTO schema_version (version, description)"
                                    " VALUES (%d, 'x');\n",
                                    v),
                         0);
    }
    buf_free(&one);
}

/* Fails naming the first line where the two dumps differ. */
static void assert_same_dump(const char *what, const char *want, const char *got)
{
    if (strcmp(want, got) == 0)
        return;
    int line = 1;
    const char *w = want, *g = got, *wl = want, *gl = got;
    for (; *w && *w == *g; w++, g++)
        if (*w == '\n') {
            line++;
            wl = w + 1;
            gl = g + 1;
        }
    fail_msg("%s: the schemas differ at line %d of the dump:\n  released:  %.*s\n  generated: %.*s",
             what, line, (int)strcspn(wl, "\n"), wl, (int)strcspn(gl, "\n"), gl);
}

/* ---- SQLite ------------------------------------------------------------------ */

static void sq_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s\n-- %s", sql, msg ? msg : "?");
}

/* Appends every row of query q (bound to name) as "prefix|v1|v2|...\n". */
static void sq_rows(sqlite3 *db, const char *q, const char *name, const char *prefix, buf_t *out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", q, sqlite3_errmsg(db));
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        buf_puts(out, prefix);
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *v = sqlite3_column_text(st, i);
            buf_printf(out, "|%s", v ? (const char *)v : "NULL");
        }
        buf_putc(out, '\n');
    }
    sqlite3_finalize(st);
}

static bool sq_without_rowid(sqlite3 *db, const char *table)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT rowid FROM \"%s\" LIMIT 0", table);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
    sqlite3_finalize(st);
    return rc != SQLITE_OK;
}

/* The CHECK clauses of a CREATE TABLE statement, one a line. */
static void sq_checks(const char *sql, buf_t *out)
{
    for (const char *p = sql; (p = strstr(p, "CHECK (")) != NULL;) {
        const char *q = p + strlen("CHECK ");
        int depth = 0;
        do {
            depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
            q++;
        } while (*q && depth > 0);
        buf_printf(out, "  check|%.*s\n", (int)(q - p), p);
        p = q;
    }
}

/* A canonical text dump of everything the schema of db declares, except the
 * tables named in skip (NULL-terminated). */
static void sq_dump(sqlite3 *db, const char *const *skip, buf_t *out)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                                        " AND name NOT LIKE 'sqlite_%' ORDER BY name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        bool skipped = false;
        for (int i = 0; skip && skip[i]; i++)
            skipped |= strcmp(skip[i], t) == 0;
        if (skipped)
            continue;
        buf_printf(out, "table|%s|without_rowid=%d\n", t, sq_without_rowid(db, t));
        sq_rows(db,
                "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)", t,
                "  column", out);
        sq_rows(db,
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1) ORDER BY name",
                t, "  index", out);
        sq_rows(db,
                "SELECT il.name, ii.seqno, ii.cid, ii.name FROM pragma_index_list(?1) AS il,"
                " pragma_index_info(il.name) AS ii ORDER BY il.name, ii.seqno",
                t, "  index_column", out);
        sq_rows(db,
                "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete, match"
                " FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
                t, "  foreign_key", out);
        sq_checks((const char *)sqlite3_column_text(st, 1), out);
    }
    sqlite3_finalize(st);
    sq_rows(db,
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
            NULL, "trigger", out);
}

static sqlite3 *sq_new(char *path, size_t n)
{
    snprintf(path, n, "%s/d%d.db", tmpdir, ++nfiles);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sq_exec(db, "PRAGMA foreign_keys = ON");
    return db;
}

/* After each released migration, the frozen and the generated SQL make the
 * same schema. */
static void test_sqlite_each_migration(void **state)
{
    (void)state;
    for (int v = 1; v <= frozen.n; v++) {
        char path[320];
        buf_t sql = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
        sqlite3 *old = sq_new(path, sizeof path), *gen = sq_new(path, sizeof path);
        migrations_sql(true, false, v, &sql);
        sq_exec(old, buf_cstr(&sql));
        migrations_sql(false, false, v, &sql);
        sq_exec(gen, buf_cstr(&sql));
        sq_dump(old, NULL, &want);
        sq_dump(gen, NULL, &got);
        char what[64];
        snprintf(what, sizeof what, "SQLite, migrations 1..%d", v);
        assert_true(strstr(buf_cstr(&want), "table|patient|") != NULL);
        assert_same_dump(what, buf_cstr(&want), buf_cstr(&got));
        sqlite3_close(old);
        sqlite3_close(gen);
        buf_free(&sql);
        buf_free(&want);
        buf_free(&got);
    }
}

/* A file store_open makes (the whole path: generated DDL, the backend's
 * dialect and its migrated hook) has the released schema, less the three
 * claim tables migration 4's hook drops in SQLite. */
static void test_sqlite_store_open(void **state)
{
    (void)state;
    char path[320];
    sqlite3 *old = sq_new(path, sizeof path);
    buf_t sql = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
    migrations_sql(true, false, store_schema_latest(), &sql);
    sq_exec(old, buf_cstr(&sql));
    static const char *const packed[] = { "medical_claim", "medical_claim_line", "pharmacy_claim",
                                          NULL };
    sq_dump(old, packed, &want);
    sqlite3_close(old);

    snprintf(path, sizeof path, "%s/d%d.db", tmpdir, ++nfiles);
    store_t *s = NULL;
    err_t e;
    err_clear(&e);
    if (store_open(path, &s, &e) != 0)
        fail_msg("store_open: %s", e.msg);
    int v = 0;
    assert_int_equal(store_schema_version(s, &v, &e), 0);
    store_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sq_dump(db, NULL, &got);
    sqlite3_close(db);
    assert_int_equal(v, store_schema_latest());
    assert_same_dump("SQLite, store_open", buf_cstr(&want), buf_cstr(&got));
    buf_free(&sql);
    buf_free(&want);
    buf_free(&got);
}

/* A file whose schema the released SQL made, with rows written by plain SQL
 * as the old store wrote them, opens without migrating and reads and writes
 * as before. */
static int cb_patient(void *ctx, const store_patient_t *r, err_t *e)
{
    (void)e;
    assert_string_equal(r->person_id, "P1");
    assert_string_equal(r->last_name, "Doe");
    assert_int_equal(r->birth_date, date_from_ymd(1950, 2, 28));
    assert_int_equal(r->death_flag, 0);
    assert_null(r->email);
    ++*(int *)ctx;
    return 0;
}

static int cb_medication(void *ctx, const store_medication_t *r, err_t *e)
{
    (void)e;
    assert_string_equal(r->medication_id, "M1");
    assert_int_equal(r->days_supply, 30);
    assert_int_equal(r->refills, 2);
    assert_true(r->quantity == 60.0);
    assert_string_equal(r->period_unit, "d");
    assert_true(isnan(r->dose_value)); /* NULL reads as NAN */
    ++*(int *)ctx;
    return 0;
}

static int cb_enrollment(void *ctx, const store_enrollment_t *r, err_t *e)
{
    (void)e;
    assert_string_equal(r->payer, "medicare");
    assert_true(!r->plan || !r->plan[0]); /* "" stands for a missing key part */
    assert_int_equal(r->hospice_flag, 1);
    ++*(int *)ctx;
    return 0;
}

static int cb_hl7(void *ctx, const store_hl7_message_t *r, err_t *e)
{
    (void)e;
    assert_true(!r->sending_facility || !r->sending_facility[0]);
    assert_int_equal(r->message_time, 1709287200); /* 2024-03-01T10:00:00Z */
    ++*(int *)ctx;
    return 0;
}

static void test_sqlite_released_file_reads(void **state)
{
    (void)state;
    char path[320];
    sqlite3 *db = sq_new(path, sizeof path);
    buf_t sql = BUF_INIT;
    migrations_sql(true, false, frozen.n, &sql);
    sq_exec(db, buf_cstr(&sql));
    buf_free(&sql);
    /* What migration 4's hook did to a new file. */
    sq_exec(db,
            "DROP TABLE medical_claim_line; DROP TABLE medical_claim; DROP TABLE pharmacy_claim;");
    sq_exec(db, "INSERT INTO patient (person_id, last_name, birth_date, death_flag)"
                " VALUES ('P1', 'Doe', '1950-02-28', 0);"
                "INSERT INTO enrollment (person_id, payer, plan, enrollment_start_date,"
                " hospice_flag) VALUES ('P1', 'medicare', '', '2024-01-01', 1);"
                "INSERT INTO medication (medication_id, person_id, days_supply, refills,"
                " quantity, period_unit) VALUES ('M1', 'P1', 30, 2, 60.0, 'd');"
                "INSERT INTO hl7_message (sending_facility, message_control_id, message_time)"
                " VALUES ('', 'X1', '2024-03-01T10:00:00Z');");
    sqlite3_close(db);

    store_t *s = NULL;
    err_t e;
    err_clear(&e);
    if (store_open(path, &s, &e) != 0)
        fail_msg("store_open: %s", e.msg);
    int n = 0;
    assert_int_equal(store_scan_patient(s, cb_patient, &n, &e), 0);
    assert_int_equal(store_scan_enrollment(s, cb_enrollment, &n, &e), 0);
    assert_int_equal(store_scan_medication(s, cb_medication, &n, &e), 0);
    assert_int_equal(store_scan_hl7_message(s, cb_hl7, &n, &e), 0);
    assert_int_equal(n, 4);
    /* An upsert finds the released key: the same record replaces, not adds. */
    store_enrollment_t en;
    store_enrollment_init(&en);
    en.person_id = "P1";
    en.payer = "medicare";
    en.enrollment_start_date = date_from_ymd(2024, 1, 1);
    en.hospice_flag = 1;
    assert_int_equal(store_put_enrollment(s, &en, &e), 0);
    int64_t rows = 0;
    assert_int_equal(store_count(s, "enrollment", &rows, &e), 0);
    assert_int_equal(rows, 1);
    store_close(s);
}

/* The description keeps its own rules: every migration has SQL, every table
 * and column a migration that exists, the key columns first. */
static void test_description_rules(void **state)
{
    (void)state;
    int nm, nt;
    const store_migration_t *m = store_migrations(&nm);
    for (int i = 0; i < nm; i++) {
        assert_int_equal(m[i].version, i + 1);
        if (!m[i].sql)
            fail_msg("migration %d: the description is inconsistent (see the log)", i + 1);
    }
    assert_true(nm >= frozen.n);
    const store_table_t *const *ts = store_tables(&nt);
    for (int i = 0; i < nt; i++) {
        const store_table_t *t = ts[i];
        assert_true(t->migration >= 1 && t->migration <= nm);
        assert_true(t->nkey >= 1 && t->nkey <= t->ncols);
        for (int j = 0; j < t->ncols; j++) {
            const store_col_t *c = &t->cols[j];
            if (!c->name)
                fail_msg("%s: column %d has no descriptor", t->name, j);
            assert_true(c->migration >= t->migration && c->migration <= nm);
            assert_int_equal(!!(c->flags & SCF_KEY), j < t->nkey);
            assert_non_null(c->doc);
        }
    }
}

/* ---- PostgreSQL ---------------------------------------------------------------- */

static PGconn *pg;

static void pg_ok(const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%.300s\n-- %s", sql, PQerrorMessage(pg));
    PQclear(r);
}

/* Appends the rows of q as "prefix|v1|v2...\n", the schema's name dropped
 * from the text (index definitions name it). */
static void pg_rows(const char *q, const char *schema, const char *prefix, buf_t *out)
{
    const char *params[1] = { schema };
    PGresult *r = PQexecParams(pg, q, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s\n-- %s", q, PQerrorMessage(pg));
    char qual[80];
    snprintf(qual, sizeof qual, "%s.", schema);
    for (int i = 0; i < PQntuples(r); i++) {
        buf_puts(out, prefix);
        for (int j = 0; j < PQnfields(r); j++) {
            const char *v = PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j);
            buf_putc(out, '|');
            for (const char *p = v; *p;) {
                if (strncmp(p, qual, strlen(qual)) == 0) {
                    p += strlen(qual);
                    continue;
                }
                buf_putc(out, *p++);
            }
        }
        buf_putc(out, '\n');
    }
    PQclear(r);
}

static void pg_dump(const char *schema, buf_t *out)
{
    char path[128];
    snprintf(path, sizeof path, "SET search_path TO %s", schema);
    pg_ok(path);
    pg_rows("SELECT table_name, ordinal_position, column_name, data_type, is_nullable,"
            " collation_name, column_default, numeric_precision FROM information_schema.columns"
            " WHERE table_schema = $1 ORDER BY table_name, ordinal_position",
            schema, "column", out);
    pg_rows("SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)"
            " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1"
            " ORDER BY c.relname, k.conname",
            schema, "constraint", out);
    pg_rows("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1"
            " ORDER BY tablename, indexname",
            schema, "index", out);
    pg_rows("SELECT sequence_name, data_type, start_value, increment FROM"
            " information_schema.sequences WHERE sequence_schema = $1 ORDER BY sequence_name",
            schema, "sequence", out);
    pg_rows("SELECT event_object_table, trigger_name, event_manipulation, action_timing,"
            " action_statement FROM information_schema.triggers WHERE trigger_schema = $1"
            " ORDER BY event_object_table, trigger_name, event_manipulation",
            schema, "trigger", out);
    pg_rows("SELECT routine_name, routine_type FROM information_schema.routines"
            " WHERE routine_schema = $1 ORDER BY routine_name",
            schema, "routine", out);
}

/* The frozen SQL in schema legacy, store_open's own migrations (generated
 * DDL, the backend's dialect) in public: the same schema. */
static void test_pg_store_open(void **state)
{
    (void)state;
    const char *url = getenv("TRIPOD_TEST_PG_URL");
    store_t *s = NULL;
    err_t e;
    err_clear(&e);
    if (store_open(url, &s, &e) != 0)
        fail_msg("store_open: %s", e.msg);
    int v = 0;
    assert_int_equal(store_schema_version(s, &v, &e), 0);
    store_close(s);

    pg = PQconnectdb(url);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    pg_ok("SET client_min_messages TO warning");
    pg_ok("DROP SCHEMA IF EXISTS legacy CASCADE");
    pg_ok("CREATE SCHEMA legacy");
    pg_ok("SET search_path TO legacy");
    buf_t sql = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
    migrations_sql(true, true, store_schema_latest(), &sql);
    pg_ok(buf_cstr(&sql));
    pg_dump("legacy", &want);
    pg_dump("public", &got);
    assert_true(strstr(buf_cstr(&want), "column|patient|") != NULL);
    assert_int_equal(v, store_schema_latest());
    assert_same_dump("PostgreSQL, store_open", buf_cstr(&want), buf_cstr(&got));
    /* The generated SQL of each step, as the test of SQLite does. */
    for (int upto = 1; upto <= frozen.n; upto++) {
        buf_reset(&sql);
        buf_reset(&want);
        buf_reset(&got);
        pg_ok("DROP SCHEMA IF EXISTS legacy CASCADE; DROP SCHEMA IF EXISTS gen CASCADE;"
              " CREATE SCHEMA legacy; CREATE SCHEMA gen");
        pg_ok("SET search_path TO legacy");
        migrations_sql(true, true, upto, &sql);
        pg_ok(buf_cstr(&sql));
        pg_ok("SET search_path TO gen");
        buf_reset(&sql);
        migrations_sql(false, true, upto, &sql);
        pg_ok(buf_cstr(&sql));
        pg_dump("legacy", &want);
        pg_dump("gen", &got);
        char what[64];
        snprintf(what, sizeof what, "PostgreSQL, migrations 1..%d", upto);
        assert_same_dump(what, buf_cstr(&want), buf_cstr(&got));
    }
    pg_ok("DROP SCHEMA legacy CASCADE; DROP SCHEMA gen CASCADE");
    PQfinish(pg);
    pg = NULL;
    buf_free(&sql);
    buf_free(&want);
    buf_free(&got);
}

/* ---- main ------------------------------------------------------------------- */

static int dump(void)
{
    int n;
    const store_migration_t *m = store_migrations(&n);
    for (int i = 0; i < n; i++) {
        if (!m[i].sql) {
            fprintf(stderr, "migration %d: the description is inconsistent\n", m[i].version);
            return 1;
        }
        printf("-- @@ migration %d common\n%s", m[i].version, m[i].sql);
        if (m[i].sql_sqlite)
            printf("-- @@ migration %d sqlite\n%s", m[i].version, m[i].sql_sqlite);
        if (m[i].sql_pg)
            printf("-- @@ migration %d postgres\n%s", m[i].version, m[i].sql_pg);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "sqlite";
    if (strcmp(mode, "dump") == 0)
        return dump();
    frozen_load();
    int failed;
    if (strcmp(mode, "postgres") == 0) {
        if (!getenv("TRIPOD_TEST_PG_URL")) {
            fprintf(stderr, "drift_test postgres: TRIPOD_TEST_PG_URL is not set "
                            "(run it through scripts/pg-tmp)\n");
            return 2;
        }
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_pg_store_open) };
        failed = cmocka_run_group_tests_name("store.drift.postgres", tests, NULL, NULL);
    } else if (strcmp(mode, "sqlite") == 0) {
        snprintf(tmpdir, sizeof tmpdir, "%s/tripod-drift-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            return 1;
        }
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_description_rules),
            cmocka_unit_test(test_sqlite_each_migration),
            cmocka_unit_test(test_sqlite_store_open),
            cmocka_unit_test(test_sqlite_released_file_reads),
        };
        failed = cmocka_run_group_tests_name("store.drift.sqlite", tests, NULL, NULL);
        for (int i = 1; i <= nfiles; i++) {
            static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
            for (int j = 0; j < 4; j++) {
                char path[320];
                snprintf(path, sizeof path, "%s/d%d.db%s", tmpdir, i, suffix[j]);
                unlink(path);
            }
        }
        rmdir(tmpdir);
    } else {
        fprintf(stderr, "usage: drift_test sqlite|postgres|dump\n");
        return 2;
    }
    frozen_free();
    return failed ? 1 : 0;
}
