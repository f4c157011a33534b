/* hmap.h — the one hash map: string or uint64 keys, uint64 values.
 *
 * Open addressing with linear probing, at most half full, so that a probe
 * sequence is short and a miss stops at the first empty slot. A map has one
 * kind of key, chosen at init:
 *   HMAP_U64  any uint64 (0 included), hashed with a multiply-xorshift mix;
 *   HMAP_STR  n bytes (any bytes, no NUL needed), hashed with FNV-1a
 *             (str_hash); copied into the map's arena (copy_keys), or
 *             borrowed: then the caller keeps them alive and unchanged.
 * Values are uint64 (an index, a count, a pointer through uintptr_t). get
 * and put return a pointer to the value: it stays valid until the next put
 * or del on the map (either may move the slots).
 *
 * Lookups are inline, for the hot loops (claims joined to patients, codes to
 * reference tables); a map that is only read may be shared by threads.
 * Iteration order is unspecified: callers that need an order keep their own
 * (the users here keep entries in arrays and map keys to indices).
 */
#ifndef TRIPOD_CORE_HMAP_H
#define TRIPOD_CORE_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/str.h"

typedef enum hmap_kind { HMAP_U64 = 1, HMAP_STR = 2 } hmap_kind_t;

typedef struct hmap_key {
    const char *s; /* NUL-terminated when copied */
    size_t n;
} hmap_key_t;

typedef struct hmap {
    /* Per slot, 0 = empty: HMAP_U64 the key itself (key 0 lives in zero),
     * HMAP_STR the key's hash (0 taken as 1). */
    uint64_t *tags;
    uint64_t *vals;
    hmap_key_t *keys; /* HMAP_STR: each slot's key */
    size_t cap;       /* slots: 0 (nothing allocated yet) or a power of two */
    size_t n;         /* entries */
    hmap_kind_t kind;
    bool copy_keys;
    bool has_zero; /* HMAP_U64: key 0 is present, its value in zero */
    uint64_t zero;
    arena_t *arena; /* copied keys and hmap_strdup, created when first needed */
} hmap_t;

/* expected: entries to make room for at once (0: grow from the first put). */
void hmap_init_u64(hmap_t *m, size_t expected);
void hmap_init_str(hmap_t *m, size_t expected, bool copy_keys);
/* Frees the slots, the copied keys and hmap_strdup's copies. The map is
 * left empty, of the same kind: it may be used again. */
void hmap_free(hmap_t *m);
/* Removes every entry, keeping the slots' memory. */
void hmap_clear(hmap_t *m);

static inline size_t hmap_size(const hmap_t *m)
{
    return m->n;
}

/* The slot a uint64 key starts probing from (before the mask). */
static inline uint64_t hmap_mix(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    return k;
}

/* The tag of a string key: its FNV-1a, never 0. */
static inline uint64_t hmap_str_tag(const char *s, size_t n)
{
    uint64_t h = str_hash(s, n);
    return h ? h : 1;
}

/* ---- uint64 keys ---- */

/* The value of key, or NULL when absent. */
static inline uint64_t *hmap_u64_get(const hmap_t *m, uint64_t key)
{
    if (key == 0)
        return m->has_zero ? (uint64_t *)&m->zero : NULL;
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)hmap_mix(key) & mask;; i = (i + 1) & mask) {
        uint64_t t = m->tags[i];
        if (t == key)
            return &m->vals[i];
        if (!t)
            return NULL;
    }
}

/* The value of key, added with value 0 when absent (*added tells; added
 * may be NULL). */
uint64_t *hmap_u64_put(hmap_t *m, uint64_t key, bool *added);
/* Removes key; false when it was absent. */
bool hmap_u64_del(hmap_t *m, uint64_t key);

/* ---- string keys ---- */

static inline uint64_t *hmap_str_get(const hmap_t *m, const char *s, size_t n)
{
    if (!m->cap)
        return NULL;
    uint64_t tag = hmap_str_tag(s, n);
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)tag & mask;; i = (i + 1) & mask) {
        uint64_t t = m->tags[i];
        if (!t)
            return NULL;
        if (t == tag && m->keys[i].n == n && memcmp(m->keys[i].s, s, n) == 0)
            return &m->vals[i];
    }
}

/* NUL-terminated convenience form. */
static inline uint64_t *hmap_str_getz(const hmap_t *m, const char *s)
{
    return hmap_str_get(m, s, strlen(s));
}

/* The value of the key made of parts[0..nparts) one after another, found
 * without building it (a key like "system|code"), or NULL. */
static inline uint64_t *hmap_str_get_parts(const hmap_t *m, const hmap_key_t *parts, int nparts)
{
    if (!m->cap)
        return NULL;
    uint64_t h = STR_HASH_INIT;
    size_t len = 0;
    for (int k = 0; k < nparts; k++) {
        h = str_hash_add(h, parts[k].s, parts[k].n);
        len += parts[k].n;
    }
    uint64_t tag = h ? h : 1;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)tag & mask;; i = (i + 1) & mask) {
        uint64_t t = m->tags[i];
        if (!t)
            return NULL;
        if (t != tag || m->keys[i].n != len)
            continue;
        const char *s = m->keys[i].s;
        int k = 0;
        for (; k < nparts && memcmp(s, parts[k].s, parts[k].n) == 0; k++)
            s += parts[k].n;
        if (k == nparts)
            return &m->vals[i];
    }
}

/* The value of key s[0..n), added with value 0 when absent (its key copied
 * when the map copies keys). */
uint64_t *hmap_str_put(hmap_t *m, const char *s, size_t n, bool *added);
bool hmap_str_del(hmap_t *m, const char *s, size_t n);
/* The key the map holds for a value pointer that get or put returned (the
 * copy, for a map that copies keys): stable until the map is freed or the
 * key deleted, whatever else is put. */
const char *hmap_str_key(const hmap_t *m, const uint64_t *val, size_t *n);

/* A copy of s in the map's arena (NULL for NULL), freed with the map: for
 * string values that should live as long as the map's keys. */
const char *hmap_strdup(hmap_t *m, const char *s);

#endif
