/* arena.h — bump allocation freed all at once.
 *
 * One arena per request, per import batch, per patient evaluated: everything
 * allocated from it lives until arena_reset or arena_free. Opaque.
 */
#ifndef TRIPOD_CORE_ARENA_H
#define TRIPOD_CORE_ARENA_H

#include <stddef.h>

typedef struct arena arena_t;

/* block_size: the size of each chunk taken from the heap (0 = 64 KiB). */
arena_t *arena_new(size_t block_size);
void arena_free(arena_t *a);
/* Frees everything allocated but keeps the first block for reuse. */
void arena_reset(arena_t *a);

/* 16-byte aligned; never NULL (aborts on out of memory like mem_alloc). */
void *arena_alloc(arena_t *a, size_t n);
void *arena_calloc(arena_t *a, size_t count, size_t n);
char *arena_strdup(arena_t *a, const char *s);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes handed out since creation or the last reset. */
size_t arena_used(const arena_t *a);

#endif
