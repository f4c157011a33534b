/* test_hmap.c — the hash map: both key kinds, growth, keys that collide,
 * deletion (backward shift, across the end of the slots), many keys, and a
 * long random run checked against a plain array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/hmap.h"
#include "core/mem.h"
#include "core/rng.h"

/* Every slot is empty, or its entry is found from its home without
 * crossing an empty slot; and the count is right. */
static void check_invariants(const hmap_t *m)
{
    size_t used = 0;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->tags[i])
            continue;
        used++;
        size_t mask = m->cap - 1;
        size_t h = (size_t)(m->kind == HMAP_U64 ? hmap_mix(m->tags[i]) : m->tags[i]) & mask;
        for (size_t j = h; j != i; j = (j + 1) & mask)
            if (!m->tags[j])
                fail_msg("slot %zu unreachable from its home %zu", i, h);
    }
    assert_int_equal(used + (m->has_zero ? 1 : 0), m->n);
    assert_true(m->cap == 0 || m->n * 2 <= m->cap + 2);
}

static void test_u64_basics(void **state)
{
    (void)state;
    hmap_t m;
    hmap_init_u64(&m, 0);
    assert_null(hmap_u64_get(&m, 1));
    assert_null(hmap_u64_get(&m, 0));
    bool added;
    *hmap_u64_put(&m, 42, &added) = 7;
    assert_true(added);
    assert_int_equal(*hmap_u64_get(&m, 42), 7);
    assert_int_equal(*hmap_u64_put(&m, 42, &added), 7);
    assert_false(added);
    /* Key 0 and the largest key are keys like any other. */
    *hmap_u64_put(&m, 0, &added) = 100;
    assert_true(added);
    *hmap_u64_put(&m, UINT64_MAX, NULL) = 200;
    assert_int_equal(*hmap_u64_get(&m, 0), 100);
    assert_int_equal(*hmap_u64_get(&m, UINT64_MAX), 200);
    assert_int_equal(hmap_size(&m), 3);
    assert_true(hmap_u64_del(&m, 0));
    assert_false(hmap_u64_del(&m, 0));
    assert_null(hmap_u64_get(&m, 0));
    assert_true(hmap_u64_del(&m, 42));
    assert_false(hmap_u64_del(&m, 42));
    assert_false(hmap_u64_del(&m, 43));
    assert_int_equal(hmap_size(&m), 1);
    check_invariants(&m);
    hmap_clear(&m);
    assert_int_equal(hmap_size(&m), 0);
    assert_null(hmap_u64_get(&m, UINT64_MAX));
    hmap_free(&m);
    hmap_free(&m); /* twice is fine */
    /* A map whose slots were made at init. */
    hmap_init_u64(&m, 1000);
    assert_true(m.cap >= 2000);
    size_t cap = m.cap;
    for (uint64_t k = 1; k <= 1000; k++)
        *hmap_u64_put(&m, k, NULL) = k * 3;
    assert_int_equal(m.cap, cap); /* no growth needed */
    for (uint64_t k = 1; k <= 1000; k++)
        assert_int_equal(*hmap_u64_get(&m, k), k * 3);
    hmap_free(&m);
}

/* count keys whose slot is the same in every table of up to 2^16 slots. */
static void colliding_u64(uint64_t *out, int count, uint64_t low)
{
    int n = 0;
    for (uint64_t k = 1; n < count; k++)
        if ((hmap_mix(k) & 0xffff) == low)
            out[n++] = k;
}

static void test_u64_collisions(void **state)
{
    (void)state;
    enum { N = 40 };
    uint64_t keys[N];
    /* Homes at the last slots, so that the cluster wraps around the end. */
    colliding_u64(keys, N, 0xffff);
    hmap_t m;
    hmap_init_u64(&m, 0);
    for (int i = 0; i < N; i++) {
        *hmap_u64_put(&m, keys[i], NULL) = (uint64_t)i;
        check_invariants(&m);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(*hmap_u64_get(&m, keys[i]), i);
    /* Deleting from the middle of the cluster keeps the rest reachable. */
    for (int i = 0; i < N; i += 3) {
        assert_true(hmap_u64_del(&m, keys[i]));
        check_invariants(&m);
    }
    for (int i = 0; i < N; i++) {
        uint64_t *v = hmap_u64_get(&m, keys[i]);
        if (i % 3 == 0)
            assert_null(v);
        else
            assert_int_equal(*v, i);
    }
    hmap_free(&m);
}

static void test_str_basics(void **state)
{
    (void)state;
    hmap_t m;
    hmap_init_str(&m, 0, true);
    char key[16] = "person-1";
    bool added;
    uint64_t *v = hmap_str_put(&m, key, strlen(key), &added);
    assert_true(added);
    *v = 5;
    /* A copied key does not depend on the caller's bytes. */
    size_t kn;
    const char *held = hmap_str_key(&m, v, &kn);
    assert_int_equal(kn, 8);
    assert_string_equal(held, "person-1");
    memcpy(key, "XXXXXXXX", 8);
    assert_null(hmap_str_getz(&m, key));
    assert_int_equal(*hmap_str_getz(&m, "person-1"), 5);
    /* Exactly n bytes: prefixes and extensions are other keys. */
    assert_null(hmap_str_get(&m, "person-12", 9));
    assert_int_equal(*hmap_str_get(&m, "person-12", 8), 5);
    assert_null(hmap_str_get(&m, "person-", 7));
    /* The empty key and keys holding NUL bytes. */
    *hmap_str_put(&m, "", 0, NULL) = 1;
    *hmap_str_put(&m, "a\0b", 3, NULL) = 2;
    *hmap_str_put(&m, "a\0c", 3, NULL) = 3;
    assert_int_equal(*hmap_str_get(&m, "", 0), 1);
    assert_int_equal(*hmap_str_get(&m, "a\0b", 3), 2);
    assert_int_equal(*hmap_str_get(&m, "a\0c", 3), 3);
    assert_null(hmap_str_get(&m, "a", 1));
    assert_int_equal(hmap_size(&m), 4);
    /* Values that are strings kept by the map. */
    char val[8] = "abc";
    const char *dup = hmap_strdup(&m, val);
    val[0] = 'z';
    assert_string_equal(dup, "abc");
    assert_null(hmap_strdup(&m, NULL));
    assert_true(hmap_str_del(&m, "a\0b", 3));
    assert_false(hmap_str_del(&m, "a\0b", 3));
    assert_int_equal(*hmap_str_get(&m, "a\0c", 3), 3);
    check_invariants(&m);
    hmap_clear(&m);
    assert_null(hmap_str_get(&m, "", 0));
    *hmap_str_put(&m, "again", 5, NULL) = 9;
    assert_int_equal(*hmap_str_getz(&m, "again"), 9);
    hmap_free(&m);

    /* Borrowed keys: the map holds the caller's pointer. */
    hmap_init_str(&m, 4, false);
    static const char *const words[] = { "alpha", "beta", "gamma" };
    for (int i = 0; i < 3; i++)
        *hmap_str_put(&m, words[i], strlen(words[i]), NULL) = (uint64_t)i;
    v = hmap_str_getz(&m, "beta");
    assert_ptr_equal(hmap_str_key(&m, v, NULL), words[1]);
    hmap_free(&m);
}

/* A key given in pieces is the key of their concatenation. */
static void test_str_parts(void **state)
{
    (void)state;
    hmap_t m;
    hmap_init_str(&m, 0, true);
    assert_null(hmap_str_get_parts(&m, NULL, 0));
    *hmap_str_put(&m, "http://loinc.org|4548-4", 23, NULL) = 1;
    *hmap_str_put(&m, "|x", 2, NULL) = 2;
    *hmap_str_put(&m, "", 0, NULL) = 3;
    hmap_key_t p[3] = { { "http://loinc.org", 16 }, { "|", 1 }, { "4548-4", 6 } };
    uint64_t *v = hmap_str_get_parts(&m, p, 3);
    assert_non_null(v);
    assert_int_equal(*v, 1);
    hmap_key_t q[3] = { { "", 0 }, { "|", 1 }, { "x", 1 } };
    assert_int_equal(*hmap_str_get_parts(&m, q, 3), 2);
    assert_int_equal(*hmap_str_get_parts(&m, q, 0), 3);
    /* Same bytes split elsewhere: the same key. */
    hmap_key_t r[2] = { { "http://loinc.org|45", 19 }, { "48-4", 4 } };
    assert_int_equal(*hmap_str_get_parts(&m, r, 2), 1);
    hmap_key_t s2[3] = { { "http://loinc.org", 16 }, { "|", 1 }, { "4548-5", 6 } };
    assert_null(hmap_str_get_parts(&m, s2, 3));
    hmap_key_t t[2] = { { "http://loinc.org", 16 }, { "|4548", 5 } };
    assert_null(hmap_str_get_parts(&m, t, 2));
    hmap_free(&m);
}

static void test_str_collisions(void **state)
{
    (void)state;
    /* Keys whose hashes agree in the low 16 bits: one slot for all of them
     * in every table of up to 2^16 slots. */
    enum { N = 24 };
    char keys[N][16];
    int n = 0;
    uint64_t want = 0;
    for (int k = 0; n < N; k++) {
        char s[16];
        int len = snprintf(s, sizeof s, "k%d", k);
        uint64_t t = hmap_str_tag(s, (size_t)len);
        if (n == 0)
            want = t & 0xffff;
        if ((t & 0xffff) == want)
            memcpy(keys[n++], s, sizeof s);
    }
    hmap_t m;
    hmap_init_str(&m, 0, true);
    for (int i = 0; i < N; i++)
        *hmap_str_put(&m, keys[i], strlen(keys[i]), NULL) = (uint64_t)i;
    check_invariants(&m);
    for (int i = 0; i < N; i++)
        assert_int_equal(*hmap_str_getz(&m, keys[i]), i);
    for (int i = 1; i < N; i += 2)
        assert_true(hmap_str_del(&m, keys[i], strlen(keys[i])));
    check_invariants(&m);
    for (int i = 0; i < N; i++) {
        uint64_t *v = hmap_str_getz(&m, keys[i]);
        if (i % 2)
            assert_null(v);
        else
            assert_int_equal(*v, i);
    }
    hmap_free(&m);
}

static void test_many_keys(void **state)
{
    (void)state;
    enum { N = 200000 };
    hmap_t u, s;
    hmap_init_u64(&u, 0);
    hmap_init_str(&s, 0, true);
    char key[32];
    for (uint64_t i = 0; i < N; i++) {
        /* Keys 0, 16, 32, ...: regular patterns must spread too. */
        *hmap_u64_put(&u, i << 4, NULL) = i;
        int len = snprintf(key, sizeof key, "S%08llu", (unsigned long long)i);
        *hmap_str_put(&s, key, (size_t)len, NULL) = i;
    }
    assert_int_equal(hmap_size(&u), N);
    assert_int_equal(hmap_size(&s), N);
    check_invariants(&u);
    check_invariants(&s);
    for (uint64_t i = 0; i < N; i++) {
        assert_int_equal(*hmap_u64_get(&u, i << 4), i);
        assert_null(hmap_u64_get(&u, (i << 4) + 1));
        int len = snprintf(key, sizeof key, "S%08llu", (unsigned long long)i);
        assert_int_equal(*hmap_str_get(&s, key, (size_t)len), i);
    }
    assert_null(hmap_str_getz(&s, "S99999999"));
    /* Delete every other key, then all. */
    for (uint64_t i = 0; i < N; i += 2)
        assert_true(hmap_u64_del(&u, i << 4));
    check_invariants(&u);
    for (uint64_t i = 0; i < N; i++) {
        uint64_t *v = hmap_u64_get(&u, i << 4);
        if (i % 2 == 0)
            assert_null(v);
        else
            assert_int_equal(*v, i);
    }
    for (uint64_t i = 1; i < N; i += 2)
        assert_true(hmap_u64_del(&u, i << 4));
    assert_int_equal(hmap_size(&u), 0);
    for (size_t i = 0; i < u.cap; i++)
        assert_int_equal(u.tags[i], 0);
    hmap_free(&u);
    hmap_free(&s);
}

/* Random puts, gets and deletes on a small key space (so that clusters,
 * wrap-around and deletes inside clusters are common), each checked against
 * a plain array. */
static void test_random_against_array(void **state)
{
    (void)state;
    enum { KEYS = 512, OPS = 200000 };
    uint64_t *ref = mem_calloc(KEYS, sizeof *ref);
    bool *in = mem_calloc(KEYS, sizeof *in);
    hmap_t u, s;
    hmap_init_u64(&u, 0);
    hmap_init_str(&s, 0, true);
    rng_t r;
    rng_seed(&r, 12345);
    char key[16];
    for (int op = 0; op < OPS; op++) {
        uint32_t k = rng_below(&r, KEYS);
        uint64_t uk = (uint64_t)k * 0x10000; /* k 0 gives key 0 */
        int len = snprintf(key, sizeof key, "%u", k);
        uint32_t what = rng_below(&r, 10);
        if (what < 5) {
            uint64_t v = rng_next(&r);
            bool a1, a2;
            *hmap_u64_put(&u, uk, &a1) = v;
            *hmap_str_put(&s, key, (size_t)len, &a2) = v;
            assert_int_equal(a1, !in[k]);
            assert_int_equal(a2, !in[k]);
            ref[k] = v;
            in[k] = true;
        } else if (what < 8) {
            bool d1 = hmap_u64_del(&u, uk), d2 = hmap_str_del(&s, key, (size_t)len);
            assert_int_equal(d1, in[k]);
            assert_int_equal(d2, in[k]);
            in[k] = false;
        } else {
            uint64_t *v1 = hmap_u64_get(&u, uk), *v2 = hmap_str_get(&s, key, (size_t)len);
            if (in[k]) {
                assert_non_null(v1);
                assert_non_null(v2);
                assert_int_equal(*v1, ref[k]);
                assert_int_equal(*v2, ref[k]);
            } else {
                assert_null(v1);
                assert_null(v2);
            }
        }
        if (op % 4096 == 0) {
            check_invariants(&u);
            check_invariants(&s);
        }
    }
    size_t n = 0;
    for (int k = 0; k < KEYS; k++) {
        n += in[k];
        uint64_t *v = hmap_u64_get(&u, (uint64_t)k * 0x10000);
        assert_true(in[k] ? v && *v == ref[k] : v == NULL);
    }
    assert_int_equal(hmap_size(&u), n);
    assert_int_equal(hmap_size(&s), n);
    hmap_free(&u);
    hmap_free(&s);
    mem_free(ref);
    mem_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u64_basics),           cmocka_unit_test(test_u64_collisions),
        cmocka_unit_test(test_str_basics),           cmocka_unit_test(test_str_parts),
        cmocka_unit_test(test_str_collisions),       cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_random_against_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
