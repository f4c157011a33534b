/* cmd_mllp.c — `tripod mllp`: receive HL7 v2 over MLLP into a store.
 *
 * Each message is stored in a transaction of its own (the raw message, and
 * its encounter event for ADT A01/A02/A03/A04/A08) and answered AA only
 * after the commit. A store_t serves one thread at a time, and SQLite takes
 * one writer at a time anyway, so connections share one store behind a mutex:
 * parsing and mapping run concurrently, the commits in turn.
 */
#include "cli/cli.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "ingest/adt.h"
#include "ingest/mllp.h"
#include "store/store.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct mllp_store_ctx {
    store_t *store;
    pthread_mutex_t mu;
} mllp_store_ctx_t;

/* The server the signal handler stops (a signal handler has no context). */
static mllp_server_t *volatile running_server;

static void on_signal(int sig)
{
    (void)sig;
    if (running_server)
        mllp_server_stop(running_server);
}

static int store_message(void *ctx, const hl7_msg_t *m, const char *raw, size_t len, err_t *e)
{
    mllp_store_ctx_t *c = ctx;
    arena_t *a = arena_new(0);
    adt_event_t *ev = NULL;
    int rc = adt_map(a, m, &ev, e);
    if (rc == 0) {
        pthread_mutex_lock(&c->mu);
        rc = store_begin(c->store, e);
        if (rc == 0)
            rc = adt_store(c->store, m, ev, (int64_t)time(NULL), e);
        if (rc == 0)
            rc = store_commit(c->store, e);
        else {
            err_t ignore;
            err_clear(&ignore);
            store_rollback(c->store, &ignore);
        }
        pthread_mutex_unlock(&c->mu);
    }
    arena_free(a);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod mllp --db DB [--port P] [--bind ADDR] [--max-frame BYTES]\n"
               "                   [--max-conns N] [--idle-timeout SECONDS]\n\n"
               "Listens for HL7 v2 messages framed with MLLP (0x0B ... 0x1C 0x0D) and stores\n"
               "each one (the raw message, and an encounter event for ADT A01 admit, A02\n"
               "transfer, A03 discharge, A04 registration, A08 update) in its own transaction,\n"
               "then answers with an HL7 ACK: AA once committed; AE with an ERR segment when\n"
               "the content is refused (e.g. PID-7 not a date); AR when the frame is not HL7,\n"
               "is too large, or the store failed (the sender should retry).\n\n"
               "  --db DB              the store (SQLite path or postgresql:// URL)\n"
               "  --port P             TCP port (default 2575; 0 picks a free one)\n"
               "  --bind ADDR          address to listen on (default 127.0.0.1)\n"
               "  --max-frame BYTES    largest message accepted (default 1048576)\n"
               "  --max-conns N        connections served at once (default 64)\n"
               "  --idle-timeout S     close a connection idle this long (default 300)\n\n"
               "Prints {\"listening\":ADDR,\"port\":P} on stdout when ready, and a JSON\n"
               "summary when it stops. SIGINT or SIGTERM stops it after the messages in\n"
               "progress are stored and answered. Exit codes: 0 stopped, 1 store or\n"
               "network failure, 2 misuse.\n");
}

static int parse_int_opt(const char *opt, const char *v, int lo, int hi, int *out)
{
    int x;
    if (str_to_intz(v, &x) != 0 || x < lo || x > hi)
        return cli_usage_error("mllp", "%s wants an integer from %d to %d, not '%s'", opt, lo, hi,
                               v);
    *out = x;
    return 0;
}

int cmd_mllp(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    const char *db = NULL, *bind = "127.0.0.1";
    int port = 2575, max_frame = (int)MLLP_DEFAULT_MAX_FRAME, max_conns = MLLP_DEFAULT_MAX_CONNS;
    int idle = 300;
    /* Every option takes a value. */
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (strcmp(a, "--db") != 0 && strcmp(a, "--port") != 0 && strcmp(a, "--bind") != 0 &&
            strcmp(a, "--max-frame") != 0 && strcmp(a, "--max-conns") != 0 &&
            strcmp(a, "--idle-timeout") != 0)
            return cli_usage_error("mllp", "unknown option '%s'", a);
        if (!v)
            return cli_usage_error("mllp", "%s needs a value", a);
        if (strcmp(a, "--db") == 0)
            db = v;
        else if (strcmp(a, "--bind") == 0)
            bind = v;
        else if (strcmp(a, "--port") == 0)
            rc = parse_int_opt(a, v, 0, 65535, &port);
        else if (strcmp(a, "--max-frame") == 0)
            rc = parse_int_opt(a, v, 1024, 1 << 30, &max_frame);
        else if (strcmp(a, "--max-conns") == 0)
            rc = parse_int_opt(a, v, 1, 4096, &max_conns);
        else
            rc = parse_int_opt(a, v, 1, 86400, &idle);
        if (rc)
            return rc;
    }
    if (!db)
        return cli_usage_error("mllp", "--db is required");

    err_t e;
    err_clear(&e);
    mllp_store_ctx_t ctx;
    memset(&ctx, 0, sizeof ctx);
    if (store_open(db, &ctx.store, &e) != 0)
        return cli_report("mllp", &e);
    pthread_mutex_init(&ctx.mu, NULL);

    mllp_config_t cfg = { 0 };
    cfg.bind = bind;
    cfg.port = port;
    cfg.max_frame = (size_t)max_frame;
    cfg.max_conns = max_conns;
    cfg.idle_timeout_ms = idle * 1000;
    cfg.handler = store_message;
    cfg.ctx = &ctx;
    mllp_server_t *srv = NULL;
    int status = mllp_server_open(&cfg, &srv, &e);
    if (status == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        running_server = srv;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        printf("{\"listening\":\"%s\",\"port\":%d}\n", bind, mllp_server_port(srv));
        fflush(stdout);
        log_info("mllp.listen", "listening on port %d", mllp_server_port(srv));
        status = mllp_server_run(srv, &e);
        running_server = NULL;
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        mllp_stats_t st;
        mllp_server_stats(srv, &st);
        printf("{\"connections\":%lu,\"frames\":%lu,\"aa\":%lu,\"ae\":%lu,\"ar\":%lu,"
               "\"dropped_partial\":%lu}\n",
               st.connections, st.frames, st.aa, st.ae, st.ar, st.dropped_partial);
        fflush(stdout);
        mllp_server_close(srv);
    }
    store_close(ctx.store);
    pthread_mutex_destroy(&ctx.mu);
    if (status != 0)
        return cli_report("mllp", &e);
    return CLI_OK;
}
