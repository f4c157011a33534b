/* dir.c — folder listings (see dir.h). */
#include "core/dir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"

#define DIR_MAX_DEPTH 32

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int dir_list(const char *path, const char *suffix, char ***names, size_t *n, err_t *e)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(path);
    if (!d)
        return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot open folder: %s", strerror(errno));
    char **v = NULL;
    size_t len = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || (suffix && !str_ends_with(de->d_name, suffix)))
            continue;
        if (len == cap) {
            cap = cap ? cap * 2 : 32;
            v = mem_realloc(v, cap * sizeof *v);
        }
        v[len++] = mem_strdup(de->d_name);
    }
    closedir(d);
    if (len)
        qsort(v, len, sizeof *v, cmp_name);
    *names = v;
    *n = len;
    return 0;
}

void dir_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mem_free(names[i]);
    mem_free(names);
}

static int walk(const char *dir, int depth, dir_file_fn fn, void *ctx, err_t *e)
{
    if (depth > DIR_MAX_DEPTH)
        return err_set(e, ERR_USAGE, "%s: folders nested too deep", dir);
    char **names;
    size_t n;
    int rc = dir_list(dir, NULL, &names, &n, e);
    buf_t p = BUF_INIT;
    for (size_t i = 0; i < n && rc == 0; i++) {
        buf_reset(&p);
        buf_printf(&p, "%s%s%s", dir, str_ends_with(dir, "/") ? "" : "/", names[i]);
        struct stat st;
        if (stat(buf_cstr(&p), &st) != 0)
            continue; /* gone, or a dangling link */
        if (S_ISDIR(st.st_mode))
            rc = walk(buf_cstr(&p), depth + 1, fn, ctx, e);
        else if (S_ISREG(st.st_mode))
            rc = fn(ctx, buf_cstr(&p), e);
    }
    buf_free(&p);
    dir_names_free(names, n);
    return rc;
}

int dir_walk(const char *path, dir_file_fn fn, void *ctx, err_t *e)
{
    return walk(path, 0, fn, ctx, e);
}
