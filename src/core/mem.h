/* mem.h — the one allocator wrapper.
 *
 * All heap memory goes through these. Out of memory is not recoverable for a
 * batch engine, so they print one line and abort rather than return NULL;
 * code that must survive large input uses caps (buf_t) and arenas instead.
 */
#ifndef TRIPOD_CORE_MEM_H
#define TRIPOD_CORE_MEM_H

#include <stddef.h>

void *mem_alloc(size_t n);                /* uninitialised */
void *mem_calloc(size_t count, size_t n); /* zeroed; checks count*n overflow */
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);
/* Prints "tripod: out of memory" and aborts: for callers whose own size
 * arithmetic overflows (arena, buffers), so every such failure looks alike. */
_Noreturn void mem_oom(void);

#endif
