/* u64map.h — an open-addressing map from non-zero uint64 keys to uint32 values.
 *
 * Reference tables (NYU ED probabilities, readmission code lists, condition
 * codes) are keyed by packed codes; built once, then read by every thread
 * without locks.
 */
#ifndef TRIPOD_ANALYTICS_U64MAP_H
#define TRIPOD_ANALYTICS_U64MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct u64map {
    uint64_t *keys; /* 0 = empty slot */
    uint32_t *vals;
    size_t cap, n;
} u64map_t;

void u64map_init(u64map_t *m, size_t expected);
void u64map_free(u64map_t *m);
/* Inserts or replaces. Key 0 is ignored. */
void u64map_put(u64map_t *m, uint64_t key, uint32_t val);

static inline uint64_t u64map_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

/* The value, or -1 when absent. */
static inline int64_t u64map_get(const u64map_t *m, uint64_t key)
{
    if (!m->cap || !key)
        return -1;
    size_t mask = m->cap - 1;
    for (size_t i = u64map_hash(key) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key)
            return m->vals[i];
        if (!m->keys[i])
            return -1;
    }
}

#endif
