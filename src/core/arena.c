/* arena.c — a chunked bump allocator.
 *
 * Chunks are taken from the heap with mem_alloc and chained; allocations bump
 * a pointer in the newest chunk. An allocation larger than a quarter of the
 * block size gets a chunk of its own (chained behind the current one), so a
 * single big string does not waste the rest of a half-used block.
 */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

#define ARENA_ALIGN         16
#define ARENA_DEFAULT_BLOCK ((size_t)64 * 1024)

typedef struct chunk {
    struct chunk *next; /* older chunk */
    size_t size;        /* usable bytes after the header */
    size_t used;        /* bytes consumed, including alignment padding */
} chunk_t;

struct arena {
    chunk_t *head;     /* the chunk bumped into; newest first */
    chunk_t *first;    /* the block kept by arena_reset */
    size_t block_size; /* size of a regular chunk */
    size_t handed_out; /* bytes returned to callers since creation/reset */
};

static unsigned char *chunk_data(chunk_t *c)
{
    return (unsigned char *)(c + 1);
}

/* Size is padded by ARENA_ALIGN - 1 so an aligned n-byte block always fits
 * whatever alignment malloc gave the chunk. */
static chunk_t *chunk_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(chunk_t) - ARENA_ALIGN)
        mem_oom();
    size += ARENA_ALIGN - 1;
    chunk_t *c = mem_alloc(sizeof(chunk_t) + size);
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

/* Returns the aligned address for n bytes in c, or NULL when it does not fit. */
static void *chunk_take(chunk_t *c, size_t n)
{
    uintptr_t base = (uintptr_t)chunk_data(c);
    uintptr_t cur = base + c->used;
    uintptr_t aligned = (cur + (ARENA_ALIGN - 1)) & ~(uintptr_t)(ARENA_ALIGN - 1);
    size_t pad = (size_t)(aligned - cur);
    size_t left = c->size - c->used;
    if (pad > left || n > left - pad)
        return NULL;
    c->used += pad + n;
    return (void *)aligned;
}

arena_t *arena_new(size_t block_size)
{
    arena_t *a = mem_alloc(sizeof *a);
    a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
    a->first = chunk_new(a->block_size);
    a->head = a->first;
    a->handed_out = 0;
    return a;
}

void arena_free(arena_t *a)
{
    if (!a)
        return;
    chunk_t *c = a->head;
    while (c) {
        chunk_t *next = c->next;
        mem_free(c);
        c = next;
    }
    mem_free(a);
}

void arena_reset(arena_t *a)
{
    if (!a)
        return;
    chunk_t *c = a->head;
    while (c) {
        chunk_t *next = c->next;
        if (c != a->first)
            mem_free(c);
        c = next;
    }
    a->first->next = NULL;
    a->first->used = 0;
    a->head = a->first;
    a->handed_out = 0;
}

void *arena_alloc(arena_t *a, size_t n)
{
    /* Zero-byte requests still get a distinct address. */
    if (n == 0)
        n = 1;
    void *p = chunk_take(a->head, n);
    if (!p) {
        if (n > a->block_size / 4) {
            /* Its own chunk, chained behind head so head keeps filling. */
            chunk_t *big = chunk_new(n);
            big->next = a->head->next;
            a->head->next = big;
            p = chunk_take(big, n);
        } else {
            chunk_t *c = chunk_new(a->block_size);
            c->next = a->head;
            a->head = c;
            p = chunk_take(c, n);
        }
    }
    a->handed_out += n;
    return p;
}

void *arena_calloc(arena_t *a, size_t count, size_t n)
{
    if (n && count > SIZE_MAX / n)
        mem_oom();
    size_t total = count * n;
    void *p = arena_alloc(a, total);
    memset(p, 0, total ? total : 1);
    return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
    if (!s)
        return NULL;
    return arena_strndup(a, s, strlen(s));
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    const char *nul = memchr(s, '\0', n);
    size_t len = nul ? (size_t)(nul - s) : n;
    char *d = arena_alloc(a, len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int w = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (w < 0) {
        va_end(ap2);
        char *empty = arena_alloc(a, 1);
        empty[0] = '\0';
        return empty;
    }
    char *d = arena_alloc(a, (size_t)w + 1);
    vsnprintf(d, (size_t)w + 1, fmt, ap2);
    va_end(ap2);
    return d;
}

size_t arena_used(const arena_t *a)
{
    return a ? a->handed_out : 0;
}
