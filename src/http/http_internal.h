/* http_internal.h — the server's parts, shared by the files of src/http/. */
#ifndef TRIPOD_HTTP_HTTP_INTERNAL_H
#define TRIPOD_HTTP_HTTP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "http/http.h"
#include "http/roles.h"

struct MHD_Connection;
typedef struct store store_t;

#define HTTP_MAX_PARAMS  4
#define HTTP_MAX_HEADERS 8

/* Who is asking: filled from the session cookie before the handler runs. */
typedef struct http_user {
    char username[64];
    role_t role;
    char patient_id[64]; /* the patient's own record, for role patient */
    char session_hash[65];
} http_user_t;

typedef struct http_req http_req_t;

/* A handler fills the response through the http_reply_* functions and
 * returns the status code it answered with. */
typedef int (*http_handler_fn)(http_req_t *r);

/* How a route is answered: by whom and with what shape. */
typedef enum route_flag {
    ROUTE_PUBLIC = 1 << 0,    /* no session needed (login, metadata, health) */
    ROUTE_AUDITED = 1 << 1,   /* a read or change of a patient's record: audited */
    ROUTE_WRITE = 1 << 2,     /* state-changing: CSRF checks apply */
    ROUTE_FHIR = 1 << 3,      /* errors as OperationOutcome, application/fhir+json */
    ROUTE_PATIENT_ID = 1 << 4 /* :id is a person_id: role patient only its own */
} route_flag_t;

typedef struct route {
    const char *method;  /* "GET", "POST" */
    const char *pattern; /* "/api/patients/:id"; ":name" captures one segment */
    http_handler_fn fn;
    uint32_t roles;      /* ROLE_BIT(...) of the roles allowed */
    uint32_t flags;      /* route_flag_t */
    const char *action;  /* audit action and docs: "patient.read" */
    const char *summary; /* one line for docs/api.md */
} route_t;

/* The table (routes.c). */
extern const route_t http_routes[];
extern const size_t http_nroutes;

/* Matches method and path against the table: the route, its captures in
 * params (pointers into the arena). NULL when no pattern matches;
 * *path_known tells whether the path matched with another method (405). */
const route_t *router_match(arena_t *a, const char *method, const char *path, const char **params,
                            int *nparams, bool *path_known);

struct http_req {
    http_server_t *srv;
    struct MHD_Connection *conn;
    arena_t *arena;
    const char *method;
    const char *path;
    const route_t *route;
    const char *params[HTTP_MAX_PARAMS];
    int nparams;
    buf_t body; /* the request body, capped by http_config_t.max_body */
    bool body_too_large;
    char addr[64]; /* the client's address */
    http_user_t user;
    bool signed_in;
    store_t *store; /* this thread's connection */
    /* the response */
    int status;
    buf_t out;
    const char *content_type;
    const char *headers[HTTP_MAX_HEADERS][2];
    int nheaders;
    const char *audit_patient; /* set by a handler that touched a patient's record */
    const char *audit_resource;
    const char *audit_id;
    double started_ms;
};

/* ---- replies (respond.c) ---- */
/* The value of a query argument, or NULL. */
const char *http_arg(http_req_t *r, const char *name);
/* A request header, or NULL. */
const char *http_header(http_req_t *r, const char *name);
/* Adds a response header (name and value are copied into the arena). */
void http_add_header(http_req_t *r, const char *name, const char *value);
/* Answers status with a JSON value (stolen). */
int http_reply_json(http_req_t *r, int status, json_t *v);
/* Answers an error: {"error":{"status":..,"message":..,"field":..}} for the
 * JSON API, an OperationOutcome for FHIR routes. field may be NULL. */
int http_reply_error(http_req_t *r, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- static files (static.c) ---- */
/* Serves web_dir/path for GET; returns 0 when it answered, -1 when no such
 * file (the caller answers 404). Refuses paths that leave web_dir. */
int http_static(http_req_t *r, const char *web_dir);
/* False for a path that could leave the folder ("..", "//", "\\", dot-files). */
bool http_path_safe(const char *p);
/* Percent-encodes all but RFC 3986's unreserved characters, into a. */
const char *http_url_escape(arena_t *a, const char *s);

/* ---- gzip (respond.c) ---- */
/* Compresses in into out (gzip); 0 on success. */
int http_gzip(const char *in, size_t n, buf_t *out);

/* ---- audit (audit_http.c) ---- */
/* One audit entry for this request: action NULL = the route's; outcome
 * "ok", "refused" or "failed". */
void http_audit(http_req_t *r, const char *action, const char *outcome);

/* The server's own state the handlers reach. */
const http_config_t *http_server_config(const http_server_t *s);
struct panel;
struct panel *http_server_panel(http_server_t *s);

#endif
