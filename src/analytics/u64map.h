/* u64map.h — the old uint64 map's names over core/hmap.h, for
 * analytics/engine_run.c only (being edited elsewhere as this goes in).
 * Delete this file once engine_run.c uses hmap_u64_get/put directly: every
 * other user of the map has moved.
 *
 * As before: key 0 is ignored by put and absent for get; values are
 * uint32; get gives the value or -1. */
#ifndef TRIPOD_ANALYTICS_U64MAP_H
#define TRIPOD_ANALYTICS_U64MAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/hmap.h"

typedef hmap_t u64map_t;

static inline void u64map_init(u64map_t *m, size_t expected)
{
    hmap_init_u64(m, expected);
}

static inline void u64map_free(u64map_t *m)
{
    hmap_free(m);
}

static inline void u64map_put(u64map_t *m, uint64_t key, uint32_t val)
{
    if (key)
        *hmap_u64_put(m, key, NULL) = val;
}

static inline int64_t u64map_get(const u64map_t *m, uint64_t key)
{
    const uint64_t *v = key ? hmap_u64_get(m, key) : NULL;
    return v ? (int64_t)*v : -1;
}

#endif
