/* cmd_serve.c — `tripod serve`: the web workspace, /api/ and /fhir/.
 *
 * SIGTERM and SIGINT stop it gracefully: it stops accepting, lets the
 * requests in flight finish (up to 10 s), then exits 0. The signals are
 * blocked in every thread and taken by sigwait here, so no handler runs in
 * a server thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/str.h"
#include "http/http.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tripod serve --db DB [--port 8080] [--bind 127.0.0.1] [--threads N]\n"
               "                    [--web DIR] [--access-log FILE|-] [--behind-tls]\n\n"
               "Serves the JSON API under /api/, the FHIR R4 API under /fhir/ and the web\n"
               "app's files, for the users of `tripod user`. Every request but sign-in, health\n"
               "and /fhir/metadata needs a session; every read of a patient's record is\n"
               "written to the audit log (`tripod audit`).\n\n"
               "options:\n"
               "  --db DB           the store (SQLite file or postgresql:// URL)\n"
               "  --port P          TCP port (default 8080; 0 picks a free one and prints it)\n"
               "  --bind ADDR       address to listen on (default 127.0.0.1, this machine only)\n"
               "  --threads N       handler threads (default: the number of cores)\n"
               "  --web DIR         the web app's files (default: none)\n"
               "  --access-log F    one JSON line per request, no patient data ('-' stdout)\n"
               "  --behind-tls      a TLS proxy in front: cookies get Secure and __Host-\n"
               "  --routes          print the route table (who may call what) as JSON\n\n"
               "SIGTERM or SIGINT stops it after the requests in flight.\n"
               "Exit codes: 0 stopped cleanly, 1 cannot start (store, port), 2 misuse.\n");
}

int cmd_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    if (argc == 2 && strcmp(argv[1], "--routes") == 0) {
        http_routes_dump(stdout); /* the permission matrix, for tests and docs */
        return CLI_OK;
    }
    http_config_t cfg = { .port = 8080 };
    const char *log_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--behind-tls") == 0) {
            cfg.behind_tls = true;
            continue;
        }
        if (!v)
            return cli_usage_error("serve", "%s needs a value", a);
        i++;
        if (strcmp(a, "--db") == 0)
            cfg.db = v;
        else if (strcmp(a, "--bind") == 0)
            cfg.bind = v;
        else if (strcmp(a, "--web") == 0)
            cfg.web_dir = v;
        else if (strcmp(a, "--access-log") == 0)
            log_path = v;
        else if (strcmp(a, "--port") == 0 || strcmp(a, "--threads") == 0) {
            char *end;
            long n = strtol(v, &end, 10);
            bool port = a[2] == 'p';
            if (*end || n < 0 || n > (port ? 65535 : 256))
                return cli_usage_error("serve", "%s takes a number from 0 to %d", a,
                                       port ? 65535 : 256);
            if (port)
                cfg.port = (uint16_t)n;
            else
                cfg.threads = (int)n;
        } else
            return cli_usage_error("serve", "unknown option '%s'", a);
    }
    if (!cfg.db)
        return cli_usage_error("serve", "--db is required");
    FILE *logf = NULL;
    if (log_path) {
        logf = strcmp(log_path, "-") == 0 ? stdout : fopen(log_path, "a");
        if (!logf) {
            fprintf(stderr, "tripod serve: %s: cannot open the access log\n", log_path);
            return CLI_INPUT;
        }
        cfg.access_log = logf;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by the server's threads */
    signal(SIGPIPE, SIG_IGN);
    err_t e;
    err_clear(&e);
    http_server_t *srv = NULL;
    if (http_server_start(&cfg, &srv, &e) != 0) {
        if (logf && logf != stdout)
            fclose(logf);
        return cli_report("serve", &e);
    }
    fprintf(stderr, "tripod serve: listening on http://%s:%u/\n", cfg.bind ? cfg.bind : "127.0.0.1",
            (unsigned)http_server_port(srv));
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "tripod serve: stopping (%s), finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_server_stop(srv, 10000);
    if (logf && logf != stdout)
        fclose(logf);
    return CLI_OK;
}
