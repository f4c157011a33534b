/* router.c — matching a request against the route table.
 *
 * Patterns are literal segments and ":name" captures of one whole segment
 * ("/api/patients/:id"). The table is small (tens of rows) and scanned in
 * order, so the first matching row wins; a capture never matches an empty
 * segment, "." or "..".
 */
#include <stdbool.h>
#include <string.h>

#include "http/http_internal.h"

/* Compares one pattern with the path; fills params on success. */
static bool match_one(arena_t *a, const char *pat, const char *path, const char **params,
                      int *nparams)
{
    int n = 0;
    while (*pat && *path) {
        if (*pat != '/' || *path != '/')
            return false;
        pat++;
        path++;
        const char *pe = strchr(pat, '/'), *se = strchr(path, '/');
        size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
        size_t sl = se ? (size_t)(se - path) : strlen(path);
        if (pl && pat[0] == ':') {
            if (sl == 0 || n == HTTP_MAX_PARAMS || (sl == 1 && path[0] == '.') ||
                (sl == 2 && path[0] == '.' && path[1] == '.'))
                return false;
            params[n++] = arena_strndup(a, path, sl);
        } else if (pl != sl || memcmp(pat, path, pl) != 0) {
            return false;
        }
        pat += pl;
        path += sl;
    }
    if (*pat || *path)
        return false;
    *nparams = n;
    return true;
}

const route_t *router_match(arena_t *a, const char *method, const char *path, const char **params,
                            int *nparams, bool *path_known)
{
    *path_known = false;
    *nparams = 0;
    for (size_t i = 0; i < http_nroutes; i++) {
        const route_t *rt = &http_routes[i];
        int n = 0;
        if (!match_one(a, rt->pattern, path, params, &n))
            continue;
        if (strcmp(rt->method, method) == 0) {
            *nparams = n;
            return rt;
        }
        *path_known = true;
    }
    return NULL;
}
