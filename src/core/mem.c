/* mem.c — the one allocator wrapper: out of memory aborts with one line. */
#include "core/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A batch engine cannot do anything useful without memory; say so in one
 * line (write(2) needs no allocation) and abort so a core dump shows where. */
_Noreturn void mem_oom(void)
{
    static const char msg[] = "tripod: out of memory\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    abort();
}

void *mem_alloc(size_t n)
{
    /* malloc(0) may return NULL; ask for one byte so NULL always means OOM. */
    void *p = malloc(n ? n : 1);
    if (!p)
        mem_oom();
    return p;
}

void *mem_calloc(size_t count, size_t n)
{
    if (n && count > SIZE_MAX / n)
        mem_oom();
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        mem_oom();
    return p;
}

void *mem_realloc(void *p, size_t n)
{
    /* realloc(p, 0) is implementation-defined (and deprecated in C23). */
    void *q = realloc(p, n ? n : 1);
    if (!q)
        mem_oom();
    return q;
}

void mem_free(void *p)
{
    free(p);
}

/* NULL in, NULL out: convenient for optional fields. */
char *mem_strdup(const char *s)
{
    if (!s)
        return NULL;
    return mem_strndup(s, strlen(s));
}

/* Copies at most n bytes, stopping early at a NUL, and terminates. */
char *mem_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    const char *nul = memchr(s, '\0', n);
    size_t len = nul ? (size_t)(nul - s) : n;
    if (len == SIZE_MAX)
        mem_oom();
    char *d = mem_alloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}
