/* http.h — `tripod serve`: the HTTP server under the web workspace, the JSON
 * API (/api/) and the FHIR R4 API (/fhir/).
 *
 * Built on libmicrohttpd (Debian's libmicrohttpd12): a pool of threads polls
 * the sockets and runs the handlers; each request gets its own memory arena,
 * freed when the response is sent (h2o's pattern), and its own store
 * connection per thread (a store_t is used by one thread at a time).
 *
 * Every route is one row of the declarative table in routes.c — method,
 * path pattern, handler, the roles allowed, whether it is audited — which the
 * permission tests, docs/api.md and the CapabilityStatement all read, so no
 * endpoint exists outside it.
 */
#ifndef TRIPOD_HTTP_HTTP_H
#define TRIPOD_HTTP_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

typedef struct http_server http_server_t;

typedef struct http_config {
    const char *db;      /* store URL (SQLite path or postgresql://) */
    const char *bind;    /* address to listen on; NULL = "127.0.0.1" */
    uint16_t port;       /* 0 = a free port chosen by the system (tests) */
    int threads;         /* handler threads; 0 = the number of cores */
    const char *web_dir; /* static files; NULL = none served */
    FILE *access_log;    /* JSON lines, one per request; NULL = none */
    bool behind_tls;     /* cookies get Secure and the __Host- prefix */
    int session_idle_s;  /* idle time-out of a session; 0 = 30 min */
    int session_max_s;   /* absolute time-out; 0 = 12 h */
    int max_hashes;      /* concurrent password hashes (64 MiB each); 0 = 2 */
    size_t max_body;     /* request bodies above this are refused (413); 0 = 1 MiB */
    bool quiet;          /* no "listening on" line */
} http_config_t;

/* Opens the store, loads the panel and starts listening. */
int http_server_start(const http_config_t *cfg, http_server_t **out, err_t *e);
/* The port actually bound (useful with port 0). */
uint16_t http_server_port(const http_server_t *s);
/* Stops accepting, lets requests in flight finish (up to grace_ms), frees. */
void http_server_stop(http_server_t *s, int grace_ms);
/* Prints the route table as JSON (method, pattern, roles, flags, action,
 * summary per route): the permission matrix the tests and docs check. */
void http_routes_dump(FILE *f);
/* Requests answered so far. */
uint64_t http_server_requests(const http_server_t *s);

#endif
