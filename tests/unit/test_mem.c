/* test_mem.c — the allocator wrapper, including its out-of-memory exit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/mem.h"

static void test_alloc_and_realloc(void **state)
{
    char *p = mem_alloc(16);
    assert_non_null(p);
    memset(p, 'a', 16);
    p = mem_realloc(p, 1 << 20);
    assert_int_equal(p[15], 'a');
    p = mem_realloc(p, 0); /* shrinking to nothing still gives a block */
    assert_non_null(p);
    mem_free(p);
    mem_free(NULL);
    void *z = mem_alloc(0);
    assert_non_null(z);
    mem_free(z);
    void *n = mem_realloc(NULL, 8);
    assert_non_null(n);
    mem_free(n);
}

static void test_calloc_zeroes(void **state)
{
    unsigned char *p = mem_calloc(1000, 7);
    for (size_t i = 0; i < 7000; i++)
        assert_int_equal(p[i], 0);
    mem_free(p);
    mem_free(mem_calloc(0, 0));
}

static void test_strdup(void **state)
{
    char *s = mem_strdup("tripod");
    assert_string_equal(s, "tripod");
    mem_free(s);
    assert_null(mem_strdup(NULL));
    assert_null(mem_strndup(NULL, 3));
    s = mem_strndup("abcdef", 3);
    assert_string_equal(s, "abc");
    mem_free(s);
    s = mem_strndup("ab", 10); /* stops at the NUL */
    assert_string_equal(s, "ab");
    mem_free(s);
    s = mem_strndup("abc", 0);
    assert_string_equal(s, "");
    mem_free(s);
}

/* An overflowing calloc must abort with exactly one line on stderr. */
static void test_oom_aborts_with_one_line(void **state)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        mem_calloc(SIZE_MAX / 2, 4);
        _exit(0); /* not reached */
    }
    close(fds[1]);
    char buf[256];
    size_t got = 0;
    ssize_t r;
    while ((r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_string_equal(buf, "tripod: out of memory\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_and_realloc),
        cmocka_unit_test(test_calloc_zeroes),
        cmocka_unit_test(test_strdup),
        cmocka_unit_test(test_oom_aborts_with_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
