/* strmap.c — open-addressing string map (see strmap.h). */
#include "ingest/strmap.h"

#include "core/arena.h"
#include "core/mem.h"
#include "core/str.h"

#include <string.h>

typedef struct slot {
    const char *key; /* NULL: empty */
    const char *val;
    long count;
    unsigned long long hash;
} slot_t;

struct strmap {
    arena_t *a;
    slot_t *slots;
    size_t cap; /* a power of two */
    size_t n;
};

strmap_t *strmap_new(void)
{
    strmap_t *m = mem_calloc(1, sizeof *m);
    m->a = arena_new(0);
    m->cap = 64;
    m->slots = mem_calloc(m->cap, sizeof *m->slots);
    return m;
}

void strmap_free(strmap_t *m)
{
    if (!m)
        return;
    arena_free(m->a);
    mem_free(m->slots);
    mem_free(m);
}

static slot_t *find(const strmap_t *m, const char *key, unsigned long long h)
{
    size_t i = (size_t)h & (m->cap - 1);
    for (;;) {
        slot_t *s = &m->slots[i];
        if (!s->key || (s->hash == h && strcmp(s->key, key) == 0))
            return s;
        i = (i + 1) & (m->cap - 1);
    }
}

static void grow(strmap_t *m)
{
    size_t oldcap = m->cap;
    slot_t *old = m->slots;
    m->cap *= 2;
    m->slots = mem_calloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key)
            *find(m, old[i].key, old[i].hash) = old[i];
    mem_free(old);
}

static slot_t *upsert(strmap_t *m, const char *key)
{
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    unsigned long long h = str_hash(key, strlen(key));
    slot_t *s = find(m, key, h);
    if (!s->key) {
        s->key = arena_strdup(m->a, key);
        s->hash = h;
        s->val = NULL;
        s->count = 0;
        m->n++;
    }
    return s;
}

void strmap_put(strmap_t *m, const char *key, const char *val)
{
    slot_t *s = upsert(m, key);
    s->val = val ? arena_strdup(m->a, val) : NULL;
}

bool strmap_get(const strmap_t *m, const char *key, const char **val)
{
    slot_t *s = find(m, key, str_hash(key, strlen(key)));
    if (!s->key)
        return false;
    if (val)
        *val = s->val;
    return true;
}

long strmap_inc(strmap_t *m, const char *key)
{
    return ++upsert(m, key)->count;
}

size_t strmap_size(const strmap_t *m)
{
    return m->n;
}
