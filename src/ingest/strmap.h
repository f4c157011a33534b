/* strmap.h — a string-keyed hash map for the importers.
 *
 * Open addressing, keys and values copied into the map's own arena. Used to
 * resolve FHIR references (fullUrl -> id), to know which organisations exist,
 * and to number repeated rows. Values are strings (or NULL).
 */
#ifndef TRIPOD_INGEST_STRMAP_H
#define TRIPOD_INGEST_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strmap strmap_t;

strmap_t *strmap_new(void);
void strmap_free(strmap_t *m);
/* Sets key to val (copied; val may be NULL). */
void strmap_put(strmap_t *m, const char *key, const char *val);
/* True when key is present; *val (may be NULL) gets its value. */
bool strmap_get(const strmap_t *m, const char *key, const char **val);
/* Increments a counter kept for key and returns its new value (1 first). */
long strmap_inc(strmap_t *m, const char *key);
size_t strmap_size(const strmap_t *m);

#endif
