/* jarena.h — bump allocation for the jansson values of one patient.
 *
 * Parsing a patient's resources builds thousands of jansson values, each a
 * malloc, and freeing them walks them all again: about a third of a
 * population run. A JSON arena is a region of address space (reserved, not
 * committed) per thread; while it is the thread's current arena, jansson
 * allocates from it by bumping a pointer, and freeing such memory does
 * nothing. jarena_reset drops everything at once.
 *
 * jarena_install sets jansson's allocation functions once for the process
 * (json_set_alloc_funcs): outside a current arena they are mem_alloc and
 * mem_free (core/mem.h: out of memory aborts, as everywhere in Tripod), and
 * the free tells arena memory by its address, so values made before,
 * elsewhere or when an arena is full (it then falls back to mem_alloc) are
 * freed as always. Call it from one thread before others use jansson.
 */
#ifndef TRIPOD_MEASURES_JARENA_H
#define TRIPOD_MEASURES_JARENA_H

#include <stdbool.h>

typedef struct jarena jarena_t;

void jarena_install(void);
/* The calling thread's arena (created on first use, released when the
 * thread exits), or NULL when none can be had (then: plain mem_alloc). */
jarena_t *jarena_thread(void);
/* Forgets everything allocated from a (the values must no longer be used). */
void jarena_reset(jarena_t *a);
/* Makes a the calling thread's current arena (NULL: none). */
void jarena_use(jarena_t *a);
/* Whether every allocation since the last reset came from the arena (none
 * fell back to mem_alloc): the values then need no json_decref. */
bool jarena_whole(const jarena_t *a);

#endif
