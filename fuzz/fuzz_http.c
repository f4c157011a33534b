/* fuzz_http.c — the server's own request parsing: any bytes as a request
 * line's method and path go through the router and the static-file path
 * check, and query values through the escaper used for paging links.
 * Invariants: a capture is one non-empty segment that is neither "." nor
 * "..", a path the check accepts never climbs out of its folder, and an
 * escaped value holds only unreserved characters and %XX. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/http_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a = arena_new(4096);
    char *s = arena_strndup(a, (const char *)data, size); /* stops at a NUL, as MHD does */
    char *sp = strchr(s, ' ');
    const char *method = "GET", *path = s;
    if (sp) {
        *sp = 0;
        method = s;
        path = sp + 1;
    }
    const char *params[HTTP_MAX_PARAMS];
    int n = 0;
    bool known;
    const route_t *rt = router_match(a, method, path, params, &n, &known);
    if (rt)
        for (int i = 0; i < n; i++)
            if (!params[i][0] || strchr(params[i], '/') || !strcmp(params[i], ".") ||
                !strcmp(params[i], ".."))
                abort();
    if (http_path_safe(path)) {
        if (path[0] != '/' || strstr(path, "/..") || strstr(path, "//") || strchr(path, '\\'))
            abort();
    }
    const char *esc = http_url_escape(a, path);
    for (const char *p = esc; *p; p++) {
        if (*p == '%') {
            if (!p[1] || !p[2])
                abort();
            p += 2;
        } else if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || strchr("-._~", *p))) {
            abort();
        }
    }
    arena_free(a);
    return 0;
}
