/* u64map.c — see u64map.h. */
#include "analytics/u64map.h"

#include <string.h>

#include "core/mem.h"

void u64map_init(u64map_t *m, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2)
        cap *= 2;
    m->keys = mem_calloc(cap, sizeof *m->keys);
    m->vals = mem_calloc(cap, sizeof *m->vals);
    m->cap = cap;
    m->n = 0;
}

void u64map_free(u64map_t *m)
{
    mem_free(m->keys);
    mem_free(m->vals);
    memset(m, 0, sizeof *m);
}

static void grow(u64map_t *m)
{
    u64map_t g;
    u64map_init(&g, m->cap);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i])
            u64map_put(&g, m->keys[i], m->vals[i]);
    u64map_free(m);
    *m = g;
}

void u64map_put(u64map_t *m, uint64_t key, uint32_t val)
{
    if (!key)
        return;
    if (!m->cap)
        u64map_init(m, 8);
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    size_t mask = m->cap - 1;
    for (size_t i = u64map_hash(key) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return;
        }
        if (!m->keys[i]) {
            m->keys[i] = key;
            m->vals[i] = val;
            m->n++;
            return;
        }
    }
}
