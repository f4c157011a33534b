/* server.c — libmicrohttpd glue: one request's life from accept to log.
 *
 *   accept -> on_request (first call: a request context and its arena)
 *          -> on_request (body pieces, capped)
 *          -> on_request (last call: dispatch, then queue the answer)
 *          -> on_completed (access log line, arena freed)
 *
 * dispatch() is the one place that decides who may do what: it matches the
 * route, resolves the session, checks the role and the CSRF rules, runs the
 * handler and writes the audit entry, so no handler can forget one of them.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "care/panel.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "http/auth.h"
#include "http/http_internal.h"
#include "store/store.h"

#define GZIP_MIN_BYTES 1400 /* below one packet gzip saves nothing */

struct http_server {
    struct MHD_Daemon *d;
    http_config_t cfg;
    char bind[64];
    uint16_t port;
    atomic_int in_flight;
    atomic_uint_fast64_t requests;
    panel_t *panel;
    auth_t *auth;
    pthread_key_t store_key;
    pthread_mutex_t stores_lock;
    store_t **stores; /* every per-thread connection, closed at stop */
    size_t nstores, capstores;
    pthread_mutex_t log_lock;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const http_config_t *http_server_config(const http_server_t *s)
{
    return &s->cfg;
}

struct panel *http_server_panel(http_server_t *s)
{
    return s->panel;
}

auth_t *http_server_auth(http_server_t *s)
{
    return s->auth;
}

uint16_t http_server_port(const http_server_t *s)
{
    return s->port;
}

uint64_t http_server_requests(const http_server_t *s)
{
    return atomic_load(&s->requests);
}

/* This thread's store connection, opened at its first request. */
static store_t *thread_store(http_server_t *s, err_t *e)
{
    store_t *st = pthread_getspecific(s->store_key);
    if (st)
        return st;
    if (store_open(s->cfg.db, &st, e) != 0)
        return NULL;
    pthread_setspecific(s->store_key, st);
    pthread_mutex_lock(&s->stores_lock);
    if (s->nstores == s->capstores) {
        s->capstores = s->capstores ? s->capstores * 2 : 8;
        s->stores = mem_realloc(s->stores, s->capstores * sizeof *s->stores);
    }
    s->stores[s->nstores++] = st;
    pthread_mutex_unlock(&s->stores_lock);
    return st;
}

/* ---- one request -------------------------------------------------------- */

static void client_addr(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = 0;
    if (!ci || !ci->client_addr)
        return;
    char host[64];
    if (getnameinfo(ci->client_addr,
                    ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                           : sizeof(struct sockaddr_in),
                    host, sizeof host, NULL, 0, NI_NUMERICHOST) == 0)
        str_copy(out, host, cap);
}

/* State-changing requests must prove they come from our own pages, beyond
 * SameSite: a JSON body, the X-Requested-With header a form cannot send,
 * and no cross-site Origin or Sec-Fetch-Site. */
static const char *csrf_problem(http_req_t *r)
{
    const char *ct = http_header(r, "Content-Type");
    if (r->body.len && (!ct || strncmp(ct, "application/json", 16) != 0) &&
        (!ct || strncmp(ct, "application/fhir+json", 21) != 0))
        return "state-changing requests need Content-Type: application/json";
    const char *xrw = http_header(r, "X-Requested-With");
    if (!xrw || strcmp(xrw, "tripod") != 0)
        return "state-changing requests need the header X-Requested-With: tripod";
    const char *site = http_header(r, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        return "cross-site request refused";
    const char *origin = http_header(r, "Origin");
    const char *host = http_header(r, "Host");
    if (origin && host) {
        const char *o = strstr(origin, "://");
        if (!o || strcmp(o + 3, host) != 0)
            return "cross-origin request refused";
    }
    return NULL;
}

static void dispatch(http_req_t *r)
{
    http_server_t *s = r->srv;
    bool path_known = false;
    r->route = router_match(r->arena, r->method, r->path, r->params, &r->nparams, &path_known);
    if (!r->route) {
        if (strcmp(r->method, "GET") == 0 && strncmp(r->path, "/api/", 5) != 0 &&
            strncmp(r->path, "/fhir/", 6) != 0 && http_static(r, s->cfg.web_dir) == 0)
            return;
        if (path_known)
            http_reply_error(r, 405, NULL, "%s is not allowed here", r->method);
        else
            http_reply_error(r, 404, NULL, "no such resource");
        return;
    }
    if (r->body_too_large) {
        http_reply_error(r, 413, NULL, "request body larger than %zu bytes", s->cfg.max_body);
        return;
    }
    err_t e;
    err_clear(&e);
    r->store = thread_store(s, &e);
    if (!r->store) {
        log_error("http.store", "cannot open the store: %s", e.msg);
        http_reply_error(r, 503, NULL, "the store is not available");
        return;
    }
    /* Who is asking. */
    r->signed_in = auth_session_resolve(s->auth, r, &r->user) == 0;
    if (!(r->route->flags & ROUTE_PUBLIC)) {
        if (!r->signed_in) {
            http_reply_error(r, 401, NULL, "sign in first");
            http_audit(r, NULL, "refused");
            return;
        }
        if (!(r->route->roles & ROLE_BIT(r->user.role))) {
            http_reply_error(r, 403, NULL, "the role %s may not do this", role_name(r->user.role));
            http_audit(r, NULL, "refused");
            return;
        }
        if (r->user.role == ROLE_PATIENT && (r->route->flags & ROUTE_PATIENT_ID) &&
            (r->nparams < 1 || strcmp(r->params[0], r->user.patient_id) != 0)) {
            /* a patient reaches only their own record: as if it did not exist */
            http_reply_error(r, 404, NULL, "no such patient");
            r->audit_resource = "Patient";
            r->audit_patient = r->audit_id = r->nparams ? r->params[0] : NULL;
            http_audit(r, NULL, "refused");
            return;
        }
    }
    if (r->route->flags & ROUTE_WRITE) {
        const char *why = csrf_problem(r);
        if (why) {
            http_reply_error(r, 403, NULL, "%s", why);
            if (r->signed_in)
                http_audit(r, NULL, "refused");
            return;
        }
    }
    r->route->fn(r);
    if ((r->route->flags & ROUTE_AUDITED) && r->signed_in)
        http_audit(r, NULL, r->status < 400 ? "ok" : "failed");
}

/* ---- libmicrohttpd callbacks ------------------------------------------ */

static void write_access_log(http_req_t *r, size_t bytes)
{
    http_server_t *s = r->srv;
    if (!s->cfg.access_log)
        return;
    /* No patient data: the route's pattern, never the path with its ids. */
    char ts[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&s->log_lock);
    fprintf(s->cfg.access_log,
            "{\"ts\":\"%s\",\"method\":\"%s\",\"route\":%s%s%s,\"status\":%d,\"ms\":%.3f,"
            "\"bytes\":%zu,\"role\":%s%s%s}\n",
            ts, r->route ? r->route->method : "other", r->route ? "\"" : "",
            r->route ? r->route->pattern : "null", r->route ? "\"" : "", r->status,
            now_ms() - r->started_ms, bytes, r->signed_in ? "\"" : "",
            r->signed_in ? role_name(r->user.role) : "null", r->signed_in ? "\"" : "");
    fflush(s->cfg.access_log);
    pthread_mutex_unlock(&s->log_lock);
}

static void req_free(http_req_t *r)
{
    buf_free(&r->body);
    buf_free(&r->out);
    arena_free(r->arena);
    mem_free(r);
}

static enum MHD_Result queue_answer(http_req_t *r)
{
    const char *body = r->out.data ? r->out.data : "";
    size_t len = r->out.len;
    buf_t gz;
    buf_init(&gz, 0);
    const char *ae = http_header(r, "Accept-Encoding");
    bool zipped = false;
    if (len >= GZIP_MIN_BYTES && ae && strstr(ae, "gzip") && http_gzip(body, len, &gz) == 0 &&
        gz.len < len) {
        body = gz.data;
        len = gz.len;
        zipped = true;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    buf_free(&gz);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type",
                            r->content_type ? r->content_type : "application/json");
    if (zipped)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    bool api = strncmp(r->path, "/api/", 5) == 0 || strncmp(r->path, "/fhir/", 6) == 0;
    if (api)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i][0], r->headers[i][1]);
    r->out.len = len; /* what the log reports: bytes sent */
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    http_server_t *s = cls;
    http_req_t *r = *con_cls;
    if (!r) {
        r = mem_calloc(1, sizeof *r);
        r->srv = s;
        r->conn = c;
        r->arena = arena_new(16384);
        r->method = arena_strdup(r->arena, method);
        r->path = arena_strdup(r->arena, url);
        r->started_ms = now_ms();
        r->status = 500;
        buf_init(&r->body, s->cfg.max_body);
        buf_init(&r->out, 0);
        client_addr(c, r->addr, sizeof r->addr);
        atomic_fetch_add(&s->in_flight, 1);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->body_too_large && buf_append(&r->body, upload_data, *upload_size) != 0)
            r->body_too_large = true; /* read on and answer 413 at the end */
        *upload_size = 0;
        return MHD_YES;
    }
    dispatch(r);
    return queue_answer(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    http_server_t *s = cls;
    http_req_t *r = *con_cls;
    if (!r)
        return;
    write_access_log(r, r->out.len);
    atomic_fetch_add(&s->requests, 1);
    req_free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

/* ---- start and stop ----------------------------------------------------- */

int http_server_start(const http_config_t *cfg, http_server_t **out, err_t *e)
{
    *out = NULL;
    http_server_t *s = mem_calloc(1, sizeof *s);
    s->cfg = *cfg;
    str_copy(s->bind, cfg->bind ? cfg->bind : "127.0.0.1", sizeof s->bind);
    s->cfg.bind = s->bind;
    if (!s->cfg.max_body)
        s->cfg.max_body = (size_t)1 << 20;
    if (s->cfg.threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->cfg.threads = n > 0 ? (int)n : 2;
    }
    pthread_key_create(&s->store_key, NULL);
    pthread_mutex_init(&s->stores_lock, NULL);
    pthread_mutex_init(&s->log_lock, NULL);
    atomic_init(&s->in_flight, 0);
    atomic_init(&s->requests, 0);

    /* The store must open (and migrate) before we listen. */
    store_t *st = NULL;
    int rc = store_open(cfg->db, &st, e);
    if (!rc)
        rc = panel_load(st, &s->panel, e);
    if (!rc)
        rc = auth_new(&s->cfg, &s->auth, e);
    store_close(st);
    if (rc) {
        http_server_stop(s, 0);
        return rc;
    }

    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl;
    if (strchr(s->bind, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(cfg->port);
        sl = sizeof *a6;
        if (inet_pton(AF_INET6, s->bind, &a6->sin6_addr) != 1)
            rc = err_set(e, ERR_USAGE, "--bind %s: not an IPv6 address", s->bind);
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons(cfg->port);
        sl = sizeof *a4;
        if (inet_pton(AF_INET, s->bind, &a4->sin_addr) != 1)
            rc = err_set(e, ERR_USAGE, "--bind %s: not an IPv4 address", s->bind);
    }
    (void)sl;
    if (rc) {
        http_server_stop(s, 0);
        return rc;
    }
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (strchr(s->bind, ':'))
        flags |= MHD_USE_IPv6;
    s->d = MHD_start_daemon(
        flags, cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        /* headers and the first body piece share this; larger headers get 431 */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)1024, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (!s->d) {
        http_server_stop(s, 0);
        return err_set(e, ERR_IO, "cannot listen on %s:%u (in use, or not an address here)",
                       cfg->bind ? cfg->bind : "127.0.0.1", (unsigned)cfg->port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : cfg->port;
    *out = s;
    return 0;
}

void http_server_stop(http_server_t *s, int grace_ms)
{
    if (!s)
        return;
    if (s->d) {
        /* Stop accepting, let the requests in flight finish, then stop. */
        MHD_quiesce_daemon(s->d);
        for (int waited = 0; atomic_load(&s->in_flight) > 0 && waited < grace_ms; waited += 10)
            usleep(10000);
        MHD_stop_daemon(s->d);
    }
    for (size_t i = 0; i < s->nstores; i++)
        store_close(s->stores[i]);
    mem_free(s->stores);
    pthread_key_delete(s->store_key);
    pthread_mutex_destroy(&s->stores_lock);
    pthread_mutex_destroy(&s->log_lock);
    panel_free(s->panel);
    auth_free(s->auth);
    mem_free(s);
}
