/* hmap.c — the open-addressing hash map (see hmap.h). */
#include "core/hmap.h"

#include "core/mem.h"

#define HMAP_MIN_CAP 16

static void init(hmap_t *m, hmap_kind_t kind, size_t expected, bool copy_keys)
{
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->copy_keys = copy_keys;
    if (expected) {
        size_t cap = HMAP_MIN_CAP;
        while (cap < expected * 2)
            cap *= 2;
        m->cap = cap;
        m->tags = mem_calloc(cap, sizeof *m->tags);
        m->vals = mem_alloc(cap * sizeof *m->vals);
        if (kind == HMAP_STR)
            m->keys = mem_alloc(cap * sizeof *m->keys);
    }
}

void hmap_init_u64(hmap_t *m, size_t expected)
{
    init(m, HMAP_U64, expected, false);
}

void hmap_init_str(hmap_t *m, size_t expected, bool copy_keys)
{
    init(m, HMAP_STR, expected, copy_keys);
}

void hmap_free(hmap_t *m)
{
    mem_free(m->tags);
    mem_free(m->vals);
    mem_free(m->keys);
    arena_free(m->arena);
    hmap_kind_t kind = m->kind;
    bool copy = m->copy_keys;
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->copy_keys = copy;
}

void hmap_clear(hmap_t *m)
{
    if (m->cap)
        memset(m->tags, 0, m->cap * sizeof *m->tags);
    if (m->arena) /* copied keys and hmap_strdup values went with their entries */
        arena_reset(m->arena);
    m->n = 0;
    m->has_zero = false;
    m->zero = 0;
}

/* The slot an entry of this tag starts probing from. */
static inline size_t home(const hmap_t *m, uint64_t tag)
{
    return (size_t)(m->kind == HMAP_U64 ? hmap_mix(tag) : tag) & (m->cap - 1);
}

/* Doubles the slots (or makes the first ones) and puts every entry back. */
static void grow(hmap_t *m)
{
    size_t oldcap = m->cap;
    uint64_t *tags = m->tags, *vals = m->vals;
    hmap_key_t *keys = m->keys;
    m->cap = oldcap ? oldcap * 2 : HMAP_MIN_CAP;
    m->tags = mem_calloc(m->cap, sizeof *m->tags);
    m->vals = mem_alloc(m->cap * sizeof *m->vals);
    m->keys = m->kind == HMAP_STR ? mem_alloc(m->cap * sizeof *m->keys) : NULL;
    size_t mask = m->cap - 1;
    for (size_t i = 0; i < oldcap; i++) {
        if (!tags[i])
            continue;
        size_t j = home(m, tags[i]);
        while (m->tags[j])
            j = (j + 1) & mask;
        m->tags[j] = tags[i];
        m->vals[j] = vals[i];
        if (keys)
            m->keys[j] = keys[i];
    }
    mem_free(tags);
    mem_free(vals);
    mem_free(keys);
}

/* Room for one more entry at a load of at most one half. */
static inline void reserve_one(hmap_t *m)
{
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
}

uint64_t *hmap_u64_put(hmap_t *m, uint64_t key, bool *added)
{
    bool dummy;
    if (!added)
        added = &dummy;
    *added = false;
    if (key == 0) {
        if (!m->has_zero) {
            m->has_zero = true;
            m->zero = 0;
            m->n++;
            *added = true;
        }
        return &m->zero;
    }
    reserve_one(m);
    size_t mask = m->cap - 1;
    size_t i = (size_t)hmap_mix(key) & mask;
    for (; m->tags[i]; i = (i + 1) & mask)
        if (m->tags[i] == key)
            return &m->vals[i];
    m->tags[i] = key;
    m->vals[i] = 0;
    m->n++;
    *added = true;
    return &m->vals[i];
}

static arena_t *arena_of(hmap_t *m)
{
    if (!m->arena)
        m->arena = arena_new(0);
    return m->arena;
}

uint64_t *hmap_str_put(hmap_t *m, const char *s, size_t n, bool *added)
{
    bool dummy;
    if (!added)
        added = &dummy;
    *added = false;
    reserve_one(m);
    uint64_t tag = hmap_str_tag(s, n);
    size_t mask = m->cap - 1;
    size_t i = (size_t)tag & mask;
    for (; m->tags[i]; i = (i + 1) & mask)
        if (m->tags[i] == tag && m->keys[i].n == n && memcmp(m->keys[i].s, s, n) == 0)
            return &m->vals[i];
    const char *k = s;
    if (m->copy_keys) {
        char *c = arena_alloc(arena_of(m), n + 1);
        memcpy(c, s, n);
        c[n] = '\0';
        k = c;
    }
    m->tags[i] = tag;
    m->keys[i] = (hmap_key_t){ k, n };
    m->vals[i] = 0;
    m->n++;
    *added = true;
    return &m->vals[i];
}

/* Empties slot i and moves back the entries after it that could not be
 * found any more (backward-shift deletion: no tombstones, so that a miss
 * still stops at the first empty slot). */
static void remove_at(hmap_t *m, size_t i)
{
    size_t mask = m->cap - 1;
    for (size_t j = (i + 1) & mask; m->tags[j]; j = (j + 1) & mask) {
        size_t k = home(m, m->tags[j]);
        /* The entry at j stays when its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (k > i && k <= j) : (k > i || k <= j);
        if (stays)
            continue;
        m->tags[i] = m->tags[j];
        m->vals[i] = m->vals[j];
        if (m->keys)
            m->keys[i] = m->keys[j];
        i = j;
    }
    m->tags[i] = 0;
    m->n--;
}

bool hmap_u64_del(hmap_t *m, uint64_t key)
{
    if (key == 0) {
        if (!m->has_zero)
            return false;
        m->has_zero = false;
        m->n--;
        return true;
    }
    uint64_t *v = hmap_u64_get(m, key);
    if (!v)
        return false;
    remove_at(m, (size_t)(v - m->vals));
    return true;
}

bool hmap_str_del(hmap_t *m, const char *s, size_t n)
{
    uint64_t *v = hmap_str_get(m, s, n);
    if (!v)
        return false;
    remove_at(m, (size_t)(v - m->vals));
    return true;
}

const char *hmap_str_key(const hmap_t *m, const uint64_t *val, size_t *n)
{
    const hmap_key_t *k = &m->keys[val - m->vals];
    if (n)
        *n = k->n;
    return k->s;
}

const char *hmap_strdup(hmap_t *m, const char *s)
{
    return s ? arena_strdup(arena_of(m), s) : NULL;
}
