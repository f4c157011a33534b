/* static.c — the web app's files, from the web assets folder.
 *
 * Only regular files under the folder are served: a path with a "..", a
 * backslash or a NUL segment is refused before it reaches the file system,
 * and the resolved path (symbolic links followed) must still lie inside the
 * folder.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/str.h"
#include "http/http_internal.h"

#define STATIC_MAX_BYTES ((size_t)16 << 20)

static const struct {
    const char *ext, *type;
} static_types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".json", "application/json" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".ico", "image/x-icon" },
    { ".woff2", "font/woff2" },
    { ".txt", "text/plain; charset=utf-8" },
    { ".map", "application/json" },
};

static const char *type_of(const char *path)
{
    for (size_t i = 0; i < sizeof static_types / sizeof static_types[0]; i++)
        if (str_ends_with(path, static_types[i].ext))
            return static_types[i].type;
    return "application/octet-stream";
}

/* Refuses what could leave the folder, before any file system call. */
bool http_path_safe(const char *p)
{
    if (p[0] != '/' || strchr(p, '\\') || strstr(p, "//"))
        return false;
    for (const char *s = p; *s; s++)
        if (s[0] == '/' && s[1] == '.' && (s[2] == '.' || s[2] == '/' || s[2] == 0))
            return false; /* "/..", "/./", a trailing "/." and dot-files */
    return true;
}

int http_static(http_req_t *r, const char *web_dir)
{
    if (!web_dir || !http_path_safe(r->path))
        return -1;
    const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    char path[PATH_MAX], real[PATH_MAX], root[PATH_MAX];
    if (snprintf(path, sizeof path, "%s%s", web_dir, rel) >= (int)sizeof path)
        return -1;
    if (!realpath(web_dir, root) || !realpath(path, real))
        return -1;
    size_t rl = strlen(root);
    if (strncmp(real, root, rl) != 0 || real[rl] != '/')
        return -1;
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > STATIC_MAX_BYTES)
        return -1;
    FILE *f = fopen(real, "rb");
    if (!f)
        return -1;
    buf_reset(&r->out);
    int rc = buf_reserve(&r->out, (size_t)st.st_size + 1);
    size_t got = rc == 0 ? fread(r->out.data, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (rc != 0 || got != (size_t)st.st_size)
        return -1;
    r->out.len = got;
    r->out.data[got] = 0;
    r->status = 200;
    r->content_type = type_of(real);
    /* The shell is re-read on every load; its modules are versioned by
     * their paths, so they may be cached briefly. */
    http_add_header(r, "Cache-Control",
                    str_ends_with(real, ".html") ? "no-cache" : "public, max-age=300");
    return 0;
}
