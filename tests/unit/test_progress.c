/* test_progress.c — silent off a terminal; rate-limited line on one. */
#define _XOPEN_SOURCE 700 /* posix_openpt and friends, for a pseudo-terminal */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/progress.h"

/* Points stderr at fd, returning the saved original. */
static int swap_stderr(int fd)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    return saved;
}

static void restore_stderr(int saved)
{
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

static void test_silent_when_not_a_tty(void **state)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = swap_stderr(fileno(tmp));
    progress_t *p = progress_new("generate", 100);
    assert_non_null(p);
    for (int i = 0; i < 100; i++)
        progress_add(p, 1);
    progress_set(p, 100);
    progress_done(p);
    progress_done(NULL);
    progress_set(NULL, 1);
    progress_add(NULL, 1);
    restore_stderr(saved);
    assert_int_equal(ftell(tmp), 0);
    fseek(tmp, 0, SEEK_END);
    assert_int_equal(ftell(tmp), 0);
    fclose(tmp);
}

/* Everything the master side of the pty has to read right now. */
static size_t drain(int master, char *buf, size_t cap)
{
    size_t got = 0;
    struct pollfd pfd = { master, POLLIN, 0 };
    while (got < cap - 1 && poll(&pfd, 1, 100) > 0) {
        ssize_t r = read(master, buf + got, cap - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    return got;
}

static int count_cr(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\r';
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void test_draws_on_a_tty(void **state)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        if (master >= 0)
            close(master);
        skip();
    }
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(slave >= 0);
    int saved = swap_stderr(slave);

    char out[8192];
    progress_t *p = progress_new("import", 1000);
    progress_set(p, 500); /* the first update draws at once */
    for (int i = 0; i < 200; i++)
        progress_add(p, 1); /* within 100 ms: rate-limited away */
    size_t n = drain(master, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(count_cr(out), 1);
    assert_non_null(strstr(out, "import"));
    assert_non_null(strstr(out, "50.0%"));
    assert_non_null(strstr(out, "500/1000"));
    assert_non_null(strstr(out, "ETA"));
    assert_non_null(strstr(out, "/s"));

    sleep_ms(120);
    progress_add(p, 300); /* 1000 of 1000 */
    drain(master, out, sizeof out);
    assert_int_equal(count_cr(out), 1);
    assert_non_null(strstr(out, "100.0%"));
    assert_non_null(strstr(out, "1000/1000"));

    progress_done(p); /* clears the line */
    drain(master, out, sizeof out);
    assert_string_equal(out, "\r\x1b[K");

    p = progress_new("scan", 0); /* unknown total: a count, no bar */
    progress_add(p, 42);
    drain(master, out, sizeof out);
    assert_non_null(strstr(out, "scan"));
    assert_non_null(strstr(out, "42"));
    assert_null(strstr(out, "%"));
    progress_done(p);
    drain(master, out, sizeof out);

    restore_stderr(saved);
    close(slave);
    close(master);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_silent_when_not_a_tty),
        cmocka_unit_test(test_draws_on_a_tty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
