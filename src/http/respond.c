/* respond.c — reading a request's arguments and writing its answer. */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "http/http_internal.h"

const char *http_arg(http_req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(http_req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void http_add_header(http_req_t *r, const char *name, const char *value)
{
    if (r->nheaders == HTTP_MAX_HEADERS)
        return; /* a fixed set per route: more is a bug the tests catch */
    r->headers[r->nheaders][0] = arena_strdup(r->arena, name);
    r->headers[r->nheaders][1] = arena_strdup(r->arena, value);
    r->nheaders++;
}

int http_reply_json(http_req_t *r, int status, json_t *v)
{
    buf_reset(&r->out);
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
    json_decref(v);
    if (!s) {
        r->status = 500;
        (void)buf_puts(&r->out, "{\"error\":{\"status\":500,\"message\":\"could not encode\"}}");
    } else {
        r->status = status;
        if (buf_puts(&r->out, s) != 0) {
            r->status = 500;
            buf_reset(&r->out);
        }
        free(s); /* lint:allow jansson's own allocation */
    }
    if (!r->content_type)
        r->content_type = r->route && (r->route->flags & ROUTE_FHIR) ? "application/fhir+json"
                                                                     : "application/json";
    return r->status;
}

/* FHIR R4 OperationOutcome.issue.code for a status. */
static const char *fhir_issue_code(int status)
{
    switch (status) {
    case 400:
        return "invalid";
    case 401:
        return "login";
    case 403:
        return "forbidden";
    case 404:
        return "not-found";
    case 405:
    case 406:
    case 415:
        return "not-supported";
    case 409:
        return "conflict";
    case 413:
        return "too-costly";
    case 429:
        return "throttled";
    default:
        return status >= 500 ? "exception" : "processing";
    }
}

int http_reply_error(http_req_t *r, int status, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *v;
    bool fhir = (r->route && (r->route->flags & ROUTE_FHIR)) || strncmp(r->path, "/fhir/", 6) == 0;
    if (fhir) {
        json_t *issue = json_pack("{s:s,s:s,s:s}", "severity", status >= 500 ? "fatal" : "error",
                                  "code", fhir_issue_code(status), "diagnostics", msg);
        if (field)
            json_object_set_new(issue, "expression", json_pack("[s]", field));
        v = json_pack("{s:s,s:[o]}", "resourceType", "OperationOutcome", "issue", issue);
        r->content_type = "application/fhir+json";
    } else {
        json_t *err = json_pack("{s:i,s:s}", "status", status, "message", msg);
        if (field)
            json_object_set_new(err, "field", json_string(field));
        v = json_pack("{s:o}", "error", err);
        r->content_type = "application/json";
    }
    return http_reply_json(r, status, v);
}

int http_gzip(const char *in, size_t n, buf_t *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip wrapper rather than zlib's */
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    uLong bound = deflateBound(&z, (uLong)n);
    buf_reset(out);
    if (buf_reserve(out, (size_t)bound + 1) != 0) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    out->len = z.total_out;
    out->data[out->len] = 0;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}
