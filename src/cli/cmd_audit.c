/* cmd_audit.c — `tripod audit verify|head|list`: the hash-chained audit log.
 *
 *   verify   exit 0 when the chain is whole, 1 naming the first entry that
 *            was changed, removed or inserted
 *   head     {"seq":N,"hash":".."}: keep a copy elsewhere; a later head that
 *            does not extend it means the tail was cut
 *   list [--patient ID]   the entries as JSON lines ("who saw this record")
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/buf.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod audit verify --db DB\n"
               "       tripod audit head --db DB\n"
               "       tripod audit list --db DB [--patient ID]\n\n"
               "verify walks the whole chain; head prints the last entry's number and hash;\n"
               "list prints the entries (of one patient's record) as JSON lines.\n"
               "Exit codes: 0 whole / success, 1 the chain is broken or bad input, 2 misuse.\n");
}

static void put_str(buf_t *b, const char *k, const char *v)
{
    (void)buf_printf(b, ",\"%s\":", k);
    (void)(v ? buf_json_str(b, v, strlen(v)) : buf_puts(b, "null"));
}

typedef struct list_ctx {
    const char *patient;
    buf_t b;
} list_ctx_t;

static int on_entry(void *ctx, const store_audit_entry_t *r, err_t *e)
{
    (void)e;
    list_ctx_t *c = ctx;
    if (c->patient && (!r->patient_id || strcmp(r->patient_id, c->patient) != 0))
        return 0;
    char ts[STORE_TIME_FMT_LEN] = "";
    if (r->at != STORE_TIME_NONE)
        store_time_format(r->at, ts);
    buf_reset(&c->b);
    (void)buf_printf(&c->b, "{\"seq\":%lld,\"at\":\"%s\"", (long long)r->seq, ts);
    put_str(&c->b, "username", r->username);
    put_str(&c->b, "role", r->role);
    put_str(&c->b, "action", r->action);
    put_str(&c->b, "resource_type", r->resource_type);
    put_str(&c->b, "resource_id", r->resource_id);
    put_str(&c->b, "patient", r->patient_id);
    put_str(&c->b, "outcome", r->outcome);
    put_str(&c->b, "address", r->address);
    (void)buf_puts(&c->b, "}\n");
    fputs(buf_cstr(&c->b), stdout);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc < 2) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *act = argv[1], *db = NULL, *patient = NULL;
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc)
            return cli_usage_error("audit", "%s needs a value", argv[i]);
        if (strcmp(argv[i], "--db") == 0)
            db = argv[++i];
        else if (strcmp(argv[i], "--patient") == 0 && strcmp(act, "list") == 0)
            patient = argv[++i];
        else
            return cli_usage_error("audit", "unknown option '%s'", argv[i]);
    }
    if (!db)
        return cli_usage_error("audit", "--db is required");
    if (strcmp(act, "verify") && strcmp(act, "head") && strcmp(act, "list"))
        return cli_usage_error("audit", "unknown action '%s' (verify, head, list)", act);
    err_t e;
    err_clear(&e);
    store_t *s = NULL;
    if (store_open(db, &s, &e) != 0)
        return cli_report("audit", &e);
    int rc = 0, code = CLI_OK;
    if (!strcmp(act, "verify")) {
        audit_verdict_t v;
        rc = audit_verify(s, &v, &e);
        if (!rc) {
            printf("{\"whole\":%s,\"entries\":%lld,\"first_bad\":%lld}\n",
                   v.whole ? "true" : "false", (long long)v.entries, (long long)v.first_bad);
            if (!v.whole) {
                fprintf(stderr, "tripod audit: entry %lld: %s\n", (long long)v.first_bad, v.why);
                code = CLI_INPUT;
            }
        }
    } else if (!strcmp(act, "head")) {
        int64_t seq;
        char hash[AUDIT_HASH_HEX];
        rc = audit_head(s, &seq, hash, &e);
        if (!rc)
            printf("{\"seq\":%lld,\"hash\":\"%s\"}\n", (long long)seq, hash);
    } else {
        list_ctx_t c = { patient, BUF_INIT };
        rc = store_scan_audit_entry(s, on_entry, &c, &e);
        buf_free(&c.b);
    }
    store_close(s);
    return rc ? cli_report("audit", &e) : code;
}
