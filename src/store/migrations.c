/* migrations.c — the versioned schema, written once for both dialects.
 *
 * Migration N is applied once, in its own transaction, and recorded in
 * schema_version. Its DDL is generated from the description (kinds.def,
 * through the descriptors of schema.c): CREATE TABLE for the kinds whose
 * migration is N, ALTER TABLE ADD COLUMN for the columns added in N to older
 * tables, CREATE INDEX for their indexes. What is not a table description —
 * a backend's own tables (SQLite's delivery counter, its claim packs), a
 * sequence, triggers, data moved by the backend's migrated hook — stays
 * hand-written beside it, below. A released migration is never edited:
 * change the schema by giving new kinds and columns the number N+1 and
 * appending migration N+1 here. The DDL uses @TOKENS@ for the few dialect
 * differences (store_impl.h); everything else — BIGINT cents, ON CONFLICT
 * upserts, foreign keys — is the same SQL on both. docs/schema.md documents
 * every table and column; tests/store/drift_test.c compares the schema made
 * here with the frozen SQL of the released migrations.
 */
#include "store/store_impl.h"

#include "core/log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

const store_dialect_t store_dialect_sqlite = { "TEXT", "TEXT", "TEXT", "REAL", " WITHOUT ROWID" };
const store_dialect_t store_dialect_pg = { "TEXT COLLATE \"C\"", "DATE", "TIMESTAMPTZ",
                                           "DOUBLE PRECISION", "" };

/* ---- hand-written SQL ------------------------------------------------------ */

/* Migration 1: the delivery counter (store_impl.h: load_seq). PostgreSQL
 * uses a sequence so that concurrent importers do not serialise on one row. */
static const char m1_sqlite[] = "CREATE TABLE store_meta (key TEXT NOT NULL PRIMARY KEY,"
                                " value INTEGER NOT NULL) WITHOUT ROWID;\n"
                                "INSERT INTO store_meta (key, value) VALUES ('delivery', 0);\n";
static const char m1_pg[] = "CREATE SEQUENCE store_delivery_seq;\n";

/* Migration 4: in SQLite, medical and pharmacy claims are packed
 * (src/store/sqlite/sqclaims.h): SQLite's cost per row and column bounded
 * a row per claim line near 120,000 lines/s. The backend's migrated hook
 * moves the claims of an older file into packs and drops the three claim
 * tables. PostgreSQL keeps them (COPY is not bound that way). */
static const char m4_sqlite[] =
    "CREATE TABLE claim_pack (\n"
    "  pack_id INTEGER PRIMARY KEY,\n"
    "  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),\n"
    "  load_seq BIGINT NOT NULL,\n"
    "  nclaims BIGINT NOT NULL, nlines BIGINT NOT NULL,\n"
    "  dmin INTEGER, dmax INTEGER,\n"
    "  data BLOB NOT NULL\n"
    ");\n"
    "CREATE INDEX claim_pack_kind ON claim_pack (kind, nclaims, nlines, dmin, dmax);\n"
    "CREATE TABLE claim_dir (id INTEGER PRIMARY KEY, data BLOB NOT NULL);\n";

/* Migration 5: the audit log is append-only in the database itself: a
 * trigger refuses a delete, and an update that changes an entry (a re-put of
 * the same entry is the store's idempotent no-op and passes). */
static const char m5_sqlite[] =
    "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE ON audit_entry\n"
    "  WHEN OLD.hash IS NOT NEW.hash OR OLD.seq IS NOT NEW.seq\n"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry\n"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n";
static const char m5_pg[] =
    "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF TG_OP = 'DELETE' OR OLD.hash IS DISTINCT FROM NEW.hash\n"
    "     OR OLD.seq IS DISTINCT FROM NEW.seq THEN\n"
    "    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = '23514';\n"
    "  END IF;\n"
    "  RETURN NEW;\n"
    "END $$;\n"
    "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry\n"
    "  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();\n";

/* Every migration: its number, what it does, and the hand-written SQL that
 * goes after the generated DDL (NULL: none). */
static const struct {
    int version;
    const char *description;
    const char *sql_sqlite, *sql_pg;
} written[] = {
    { 1, "initial schema: organisations to source files", m1_sqlite, m1_pg },
    { 2, "results: analysis runs, patients, discharges, ED visits, gaps; measures", NULL, NULL },
    { 3, "medication order details: intent, category, refills, quantity, dose, timing", NULL,
      NULL },
    { 4, "claims packed in SQLite (PostgreSQL unchanged)", m4_sqlite, NULL },
    { 5, "users, sessions and the hash-chained audit log", m5_sqlite, m5_pg },
};

#define NMIGRATIONS ((int)(sizeof written / sizeof written[0]))

/* ---- the DDL, generated from the description ----------------------------- */

/* The claim kinds live in packs in SQLite from migration 4 on, not in these
 * tables: a later change to them would need the pack format too. */
#define STORE_CLAIMS_PACKED 4

static const char *ddl_type(const store_col_t *c)
{
    switch (c->type) {
    case SC_TEXT:
        return c->flags & SCF_BYTEWISE ? "@KEY@" : "TEXT";
    case SC_INT:
    case SC_MONEY:
        return "BIGINT";
    case SC_DATE:
        return "@DATE@";
    case SC_TIME:
        return "@TIMESTAMP@";
    case SC_REAL:
        return "@REAL@";
    case SC_FLAG:
        return "SMALLINT";
    case SC_TEXT_LIST:
    case SC_DATE_LIST:
        return "TEXT";
    }
    return "TEXT";
}

/* "name TYPE [NOT NULL] [PRIMARY KEY] [CHECK (...)] [REFERENCES ...]": a
 * single-column key is declared on the column, a longer one on the table. */
static int ddl_col(buf_t *b, const store_table_t *t, const store_col_t *c)
{
    int rc = buf_printf(b, "%s %s", c->name, ddl_type(c));
    if (c->flags & SCF_NOT_NULL)
        rc |= buf_puts(b, " NOT NULL");
    if ((c->flags & SCF_KEY) && t->nkey == 1)
        rc |= buf_puts(b, " PRIMARY KEY");
    if (c->check)
        rc |= buf_printf(b, " CHECK (%s %s)", c->name, c->check);
    if (c->ref)
        rc |= buf_printf(b, " REFERENCES %s", c->ref);
    return rc ? -1 : 0;
}

static bool is_claim_table(const store_table_t *t)
{
    for (int k = 0; k < SK_COUNT; k++) {
        const store_kind_def_t *d = store_kind_def((store_kind_t)k);
        if (d->redelivery && (d->table == t || d->header == t))
            return true;
    }
    return false;
}

static int ddl_create(buf_t *b, const store_table_t *t, int version, char *why, size_t nwhy)
{
    int rc = buf_printf(b, "CREATE TABLE %s (\n", t->name);
    for (int i = 0, out = 0; i < t->ncols; i++) {
        if (t->cols[i].migration < version) {
            snprintf(why, nwhy, "%s.%s: migration %d, before its table's (%d)", t->name,
                     t->cols[i].name, t->cols[i].migration, version);
            return -1;
        }
        if (t->cols[i].migration > version)
            continue; /* ALTER TABLE ADD COLUMN in its own migration */
        rc |= buf_puts(b, out++ ? ",\n  " : "  ");
        rc |= ddl_col(b, t, &t->cols[i]);
    }
    if (t->has_load_seq)
        rc |= buf_puts(b, ",\n  load_seq BIGINT NOT NULL");
    if (t->nkey > 1) {
        rc |= buf_puts(b, ",\n  PRIMARY KEY (");
        for (int i = 0; i < t->nkey; i++)
            rc |= buf_printf(b, "%s%s", i ? ", " : "", t->cols[i].name);
        rc |= buf_puts(b, ")");
    }
    int nfk;
    const store_fkey_t *fk = store_fkeys(&nfk);
    for (int i = 0; i < nfk; i++)
        if (fk[i].table == t)
            rc |= buf_printf(b, ",\n  FOREIGN KEY (%s) REFERENCES %s", fk[i].cols, fk[i].parent);
    rc |= buf_printf(b, "\n)%s;\n", t->without_rowid ? "@WITHOUT_ROWID@" : "");
    return rc ? -1 : 0;
}

/* An added column must be one that rows already stored can read as missing. */
static int ddl_add(buf_t *b, const store_table_t *t, const store_col_t *c, char *why, size_t nwhy)
{
    if (c->flags & (SCF_KEY | SCF_NOT_NULL)) {
        snprintf(why, nwhy, "%s.%s: a column added to a table (migration %d) must be OPT", t->name,
                 c->name, c->migration);
        return -1;
    }
    int rc = buf_printf(b, "ALTER TABLE %s ADD COLUMN ", t->name);
    rc |= ddl_col(b, t, c);
    rc |= buf_puts(b, ";\n");
    return rc ? -1 : 0;
}

int store_migration_ddl(int version, buf_t *out, char *why, size_t nwhy)
{
    int n;
    const store_table_t *const *ts = store_tables(&n);
    buf_reset(out);
    snprintf(why, nwhy, "out of memory");
    for (int i = 0; i < n; i++) {
        const store_table_t *t = ts[i];
        if (t->migration > version)
            continue;
        bool create = t->migration == version, touched = create;
        if (create && ddl_create(out, t, version, why, nwhy) != 0)
            return -1;
        for (int j = 0; j < t->ncols; j++) {
            const store_col_t *c = &t->cols[j];
            if (c->migration != version)
                continue;
            touched = true;
            if (!create && ddl_add(out, t, c, why, nwhy) != 0)
                return -1;
            if (c->index &&
                buf_printf(out, "CREATE INDEX %s ON %s (%s);\n", c->index, t->name, c->name) != 0)
                return -1;
        }
        if (touched && version > STORE_CLAIMS_PACKED && is_claim_table(t)) {
            snprintf(why, nwhy,
                     "%s: SQLite keeps claims packed since migration %d (sqlite/sqpack.h): "
                     "change the pack format with the table",
                     t->name, STORE_CLAIMS_PACKED);
            return -1;
        }
    }
    return 0;
}

/* The migrations, their DDL generated once: a store_migrations() caller
 * gets the same text every time, valid for the life of the process. */
static store_migration_t migrations[NMIGRATIONS];
static buf_t migration_sql[NMIGRATIONS];
static pthread_once_t migrations_once = PTHREAD_ONCE_INIT;

static void make_migrations(void)
{
    char why[256];
    for (int i = 0; i < NMIGRATIONS; i++) {
        migrations[i] = (store_migration_t){ written[i].version, written[i].description, NULL,
                                             written[i].sql_sqlite, written[i].sql_pg };
        buf_init(&migration_sql[i], 0);
        if (store_migration_ddl(written[i].version, &migration_sql[i], why, sizeof why) == 0)
            migrations[i].sql = buf_cstr(&migration_sql[i]);
        else
            log_error("store.migrate", "migration %d: %s", written[i].version, why);
    }
}

const store_migration_t *store_migrations(int *n)
{
    pthread_once(&migrations_once, make_migrations);
    *n = NMIGRATIONS;
    return migrations;
}

int store_schema_latest(void)
{
    int n;
    const store_migration_t *m = store_migrations(&n);
    return m[n - 1].version;
}

int store_sql_subst(const store_dialect_t *d, const char *sql, buf_t *out)
{
    static const char *const tokens[] = { "@KEY@", "@DATE@", "@TIMESTAMP@", "@REAL@",
                                          "@WITHOUT_ROWID@" };
    const char *repl[] = { d->key, d->date, d->timestamp, d->real, d->without_rowid };
    buf_reset(out);
    for (const char *p = sql; *p;) {
        const char *at = strchr(p, '@');
        if (!at)
            return buf_puts(out, p);
        if (buf_append(out, p, (size_t)(at - p)) != 0)
            return -1;
        size_t i = 0;
        for (; i < sizeof tokens / sizeof tokens[0]; i++)
            if (strncmp(at, tokens[i], strlen(tokens[i])) == 0)
                break;
        if (i == sizeof tokens / sizeof tokens[0]) {
            if (buf_putc(out, '@') != 0)
                return -1;
            p = at + 1;
            continue;
        }
        if (buf_puts(out, repl[i]) != 0)
            return -1;
        p = at + strlen(tokens[i]);
    }
    return 0;
}

/* Each pending migration runs in a transaction that also re-reads the
 * version under the migration lock, so two processes opening a new database
 * at once apply it once. */
int store_migrate(store_t *s, err_t *e)
{
    const store_vtab_t *vt = s->vt;
    int n;
    const store_migration_t *m = store_migrations(&n);
    int64_t cur = 0;
    bool isnull = false;
    err_t ignore;
    /* The common case, an up-to-date database, takes one query and no lock. */
    if (vt->query_i64(s, "SELECT max(version) FROM schema_version", &cur, &isnull, &ignore) == 0 &&
        !isnull && cur >= m[n - 1].version)
        return 0;
    buf_t sql = BUF_INIT;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if ((rc = vt->migrate_begin(s, e)) != 0)
            goto done;
        if (store_sql_subst(vt->dialect,
                            "CREATE TABLE IF NOT EXISTS schema_version (\n"
                            "  version INTEGER NOT NULL PRIMARY KEY,\n"
                            "  description TEXT NOT NULL,\n"
                            "  applied_at @TIMESTAMP@ NOT NULL DEFAULT CURRENT_TIMESTAMP\n"
                            ")",
                            &sql) != 0) {
            rc = err_set(e, ERR_NOMEM, "migration SQL too large");
            goto fail;
        }
        if ((rc = vt->exec(s, buf_cstr(&sql), e)) != 0)
            goto fail;
        if ((rc = vt->query_i64(s, "SELECT max(version) FROM schema_version", &cur, &isnull, e)) !=
            0)
            goto fail;
        if (!isnull && cur >= m[i].version) {
            if ((rc = vt->commit(s, e)) != 0)
                goto fail;
            continue;
        }
        const char *extra = strcmp(vt->name, "sqlite") == 0 ? m[i].sql_sqlite : m[i].sql_pg;
        if (!m[i].sql) {
            rc = err_set(e, ERR_INTERNAL,
                         "migration %d: the schema description is inconsistent (see the log)",
                         m[i].version);
            goto fail;
        }
        if (store_sql_subst(vt->dialect, m[i].sql, &sql) != 0 ||
            (extra && buf_puts(&sql, extra) != 0) ||
            buf_printf(&sql, "INSERT INTO schema_version (version, description) VALUES (%d, '%s');",
                       m[i].version, m[i].description) != 0) {
            rc = err_set(e, ERR_NOMEM, "migration SQL too large");
            goto fail;
        }
        if ((rc = vt->exec(s, buf_cstr(&sql), e)) != 0) {
            err_where(e, NULL, 0, 0, "schema_version");
            goto fail;
        }
        if (vt->migrated && (rc = vt->migrated(s, m[i].version, e)) != 0)
            goto fail;
        if ((rc = vt->commit(s, e)) != 0)
            goto fail;
        log_info("store.migrate", "applied schema migration %d", m[i].version);
    }
    goto done;
fail:
    vt->rollback(s, &ignore);
done:
    buf_free(&sql);
    return rc;
}
