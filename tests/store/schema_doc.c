/* schema_doc.c — docs/schema.md's column listings, from the description.
 *
 * Every table's column listing in docs/schema.md sits between
 *   <!-- BEGIN GENERATED: <table> ... -->  and  <!-- END GENERATED: <table> -->
 * and is made from src/store/kinds.def (through the descriptors of
 * schema.c); the prose around it is hand-written.
 *
 *   schema_doc check FILE   exit 1, naming the first difference, when a
 *                           listing differs from what the description
 *                           makes, a table has no listing, or a listing
 *                           names no table (ctest: store.schema_doc)
 *   schema_doc write FILE   rewrites the listings in place
 *   schema_doc print TABLE  prints one listing (to start a new section)
 */
#include "core/buf.h"
#include "core/mem.h"
#include "store/store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN_MARK "<!-- BEGIN GENERATED: "
#define END_MARK   "<!-- END GENERATED: "

static const char *doc_type(const store_col_t *c)
{
    switch (c->type) {
    case SC_TEXT:
        return "text";
    case SC_INT:
        return "count";
    case SC_MONEY:
        return "money";
    case SC_DATE:
        return "date";
    case SC_TIME:
        return "instant";
    case SC_REAL:
        return "quantity";
    case SC_FLAG:
        return "flag";
    case SC_TEXT_LIST:
    case SC_DATE_LIST:
        return "packed list";
    }
    return "?";
}

/* One row: "| name | type[, key...] | doc[ → parent][ (migration N)] |". A
 * TEXT_ARRAY (hcpcs_modifier_1..5) is one row; *used gets the columns it
 * took. */
static void doc_row(buf_t *b, const store_table_t *t, int i, int *used)
{
    const store_col_t *c = &t->cols[i];
    int j = i;
    if (c->item)
        while (j + 1 < t->ncols && t->cols[j + 1].item == t->cols[j].item + 1)
            j++;
    *used = j - i + 1;
    if (j > i)
        buf_printf(b, "| %s .. %s | ", c->name, t->cols[j].name);
    else
        buf_printf(b, "| %s | ", c->name);
    buf_puts(b, doc_type(c));
    if (c->flags & SCF_EMPTY_OK)
        buf_puts(b, ", key, \"\" when missing");
    else if (c->flags & SCF_KEY)
        buf_puts(b, ", key");
    else if (c->flags & SCF_NOT_NULL)
        buf_puts(b, ", required");
    char cell[512];
    int k = snprintf(cell, sizeof cell, "%s", c->doc);
    if (c->ref)
        k += snprintf(cell + k, sizeof cell - (size_t)k, "%s→ %.*s", k ? "; " : "",
                      (int)strcspn(c->ref, " "), c->ref);
    if (c->migration > t->migration)
        snprintf(cell + k, sizeof cell - (size_t)k, "%s(migration %d)", k ? " " : "", c->migration);
    buf_printf(b, cell[0] ? " | %s |\n" : " |%s |\n", cell);
}

static void doc_listing(buf_t *b, const store_table_t *t)
{
    buf_puts(b, "| column | type | |\n|---|---|---|\n");
    for (int i = 0, used = 1; i < t->ncols; i += used)
        doc_row(b, t, i, &used);
    if (t->has_load_seq)
        buf_puts(b, "| load_seq | count, required | the delivery that stored the line "
                    "(re-delivery) |\n");
    int nfk;
    const store_fkey_t *fk = store_fkeys(&nfk);
    for (int i = 0; i < nfk; i++)
        if (fk[i].table == t)
            buf_printf(b, "\n(%s) → %s.\n", fk[i].cols, fk[i].parent);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf_t b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    buf_puts(&b, "");
    return buf_take(&b);
}

/* Rewrites every generated section of doc into out; 1 when a section names
 * no table or does not end, and each table's section count in seen[]. */
static int regenerate(const char *doc, buf_t *out, int *seen)
{
    int n;
    const store_table_t *const *ts = store_tables(&n);
    const char *p = doc;
    for (const char *at; (at = strstr(p, BEGIN_MARK)) != NULL;) {
        const char *name = at + strlen(BEGIN_MARK), *eol = strchr(at, '\n');
        size_t len = strcspn(name, " -\n");
        int t = 0;
        while (t < n && !(strlen(ts[t]->name) == len && strncmp(ts[t]->name, name, len) == 0))
            t++;
        char end[128];
        snprintf(end, sizeof end, END_MARK "%.*s -->", (int)len, name);
        const char *stop = strstr(at, end);
        if (t == n || !eol || !stop) {
            fprintf(stderr, "schema_doc: the section of '%.*s' %s\n", (int)len, name,
                    t == n ? "names no table" : "has no end marker");
            return 1;
        }
        seen[t]++;
        buf_append(out, p, (size_t)(eol + 1 - p));
        doc_listing(out, ts[t]);
        p = stop;
    }
    buf_puts(out, p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "print") == 0) {
        const store_table_t *t = store_table_by_name(argv[2]);
        if (!t)
            return 2;
        buf_t b = BUF_INIT;
        doc_listing(&b, t);
        printf(BEGIN_MARK "%s (tests/store/schema_doc.c, from src/store/kinds.def) -->\n%s" END_MARK
                          "%s -->\n",
               t->name, buf_cstr(&b), t->name);
        buf_free(&b);
        return 0;
    }
    if (argc != 3 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "write") != 0)) {
        fprintf(stderr, "usage: schema_doc check|write docs/schema.md | print TABLE\n");
        return 2;
    }
    char *doc = read_all(argv[2]);
    if (!doc) {
        perror(argv[2]);
        return 2;
    }
    int n;
    const store_table_t *const *ts = store_tables(&n);
    int *seen = mem_calloc((size_t)n, sizeof *seen);
    buf_t out = BUF_INIT;
    int rc = regenerate(doc, &out, seen);
    for (int i = 0; rc == 0 && i < n; i++)
        if (seen[i] != 1) {
            fprintf(stderr, "schema_doc: %s: %d generated sections (want 1)\n", ts[i]->name,
                    seen[i]);
            rc = 1;
        }
    if (rc == 0 && strcmp(argv[1], "write") == 0) {
        FILE *f = fopen(argv[2], "wb");
        rc = !f || fwrite(buf_cstr(&out), 1, out.len, f) != out.len;
        if (f && fclose(f) != 0)
            rc = 1;
    } else if (rc == 0 && strcmp(buf_cstr(&out), doc) != 0) {
        const char *a = doc, *b = buf_cstr(&out), *la = a;
        int line = 1;
        for (; *a && *a == *b; a++, b++)
            if (*a == '\n') {
                line++;
                la = a + 1;
            }
        fprintf(stderr,
                "schema_doc: %s line %d differs from the description (src/store/kinds.def):\n"
                "  %.*s\nRegenerate: schema_doc write %s\n",
                argv[2], line, (int)strcspn(la, "\n"), la, argv[2]);
        rc = 1;
    }
    buf_free(&out);
    mem_free(seen);
    mem_free(doc);
    return rc;
}
