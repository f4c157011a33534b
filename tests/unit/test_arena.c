/* test_arena.c — the bump allocator: alignment, growth, reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"

static void test_alignment_every_size(void **state)
{
    arena_t *a = arena_new(1024);
    for (size_t n = 0; n < 600; n++) {
        void *p = arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, n); /* ASan catches an overlap with the chunk end */
    }
    arena_free(a);
}

static void test_many_allocations_keep_content(void **state)
{
    enum { N = 100000 };
    arena_t *a = arena_new(0);
    static uint32_t *ptrs[N];
    for (uint32_t i = 0; i < N; i++) {
        size_t words = 1 + i % 13;
        ptrs[i] = arena_alloc(a, words * sizeof(uint32_t));
        for (size_t w = 0; w < words; w++)
            ptrs[i][w] = i * 31u + (uint32_t)w;
    }
    for (uint32_t i = 0; i < N; i++) {
        size_t words = 1 + i % 13;
        for (size_t w = 0; w < words; w++)
            assert_int_equal(ptrs[i][w], i * 31u + (uint32_t)w);
    }
    arena_free(a);
}

static void test_big_allocation_own_chunk(void **state)
{
    arena_t *a = arena_new(4096);
    char *small1 = arena_alloc(a, 100);
    char *big = arena_alloc(a, 1 << 20);
    assert_int_equal((uintptr_t)big % 16, 0);
    memset(big, 1, 1 << 20);
    char *small2 = arena_alloc(a, 100);
    /* The big block did not displace the current chunk: small allocations
     * keep coming from the first one, right after small1. */
    assert_true(small2 > small1 && small2 < small1 + 4096);
    assert_int_equal(arena_used(a), 100 + (1 << 20) + 100);
    arena_free(a);
}

static void test_used_and_reset(void **state)
{
    arena_t *a = arena_new(256);
    assert_int_equal(arena_used(a), 0);
    char *first = arena_alloc(a, 10);
    arena_alloc(a, 20);
    assert_int_equal(arena_used(a), 30);
    for (int i = 0; i < 100; i++)
        arena_alloc(a, 100); /* forces several chunks */
    assert_int_equal(arena_used(a), 30 + 100 * 100);
    arena_reset(a);
    assert_int_equal(arena_used(a), 0);
    /* The first block is reused: the next allocation lands where the first
     * one did. */
    char *again = arena_alloc(a, 10);
    assert_ptr_equal(first, again);
    for (int i = 0; i < 100; i++)
        memset(arena_alloc(a, 100), 7, 100);
    arena_reset(a);
    arena_reset(a);
    arena_free(a);
    arena_free(NULL);
}

static void test_zero_size_distinct(void **state)
{
    arena_t *a = arena_new(0);
    void *p = arena_alloc(a, 0);
    void *q = arena_alloc(a, 0);
    assert_ptr_not_equal(p, q);
    arena_free(a);
}

static void test_calloc_zeroes_reused_memory(void **state)
{
    arena_t *a = arena_new(1024);
    memset(arena_alloc(a, 512), 0xff, 512);
    arena_reset(a);
    unsigned char *z = arena_calloc(a, 64, 8);
    for (int i = 0; i < 512; i++)
        assert_int_equal(z[i], 0);
    assert_int_equal((uintptr_t)z % 16, 0);
    arena_free(a);
}

static void test_strings(void **state)
{
    arena_t *a = arena_new(64);
    assert_string_equal(arena_strdup(a, "hello"), "hello");
    assert_null(arena_strdup(a, NULL));
    assert_string_equal(arena_strndup(a, "hello", 3), "hel");
    assert_string_equal(arena_strndup(a, "hi", 10), "hi");
    assert_string_equal(arena_printf(a, "%s-%04d", "p", 42), "p-0042");
    char longer[300];
    memset(longer, 'z', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    char *s = arena_printf(a, "<%s>", longer); /* larger than the block */
    assert_int_equal(strlen(s), 301);
    assert_int_equal(s[0], '<');
    assert_int_equal(s[300], '>');
    arena_free(a);
}

/* A count * size overflow is out of memory: one line, then abort. */
static void test_calloc_overflow_aborts(void **state)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        arena_t *a = arena_new(0);
        arena_calloc(a, SIZE_MAX / 8, 16);
        _exit(0); /* not reached */
    }
    close(fds[1]);
    char buf[128];
    ssize_t r = read(fds[0], buf, sizeof buf - 1);
    buf[r > 0 ? r : 0] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    assert_string_equal(buf, "tripod: out of memory\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_every_size),
        cmocka_unit_test(test_many_allocations_keep_content),
        cmocka_unit_test(test_big_allocation_own_chunk),
        cmocka_unit_test(test_used_and_reset),
        cmocka_unit_test(test_zero_size_distinct),
        cmocka_unit_test(test_calloc_zeroes_reused_memory),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_calloc_overflow_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
