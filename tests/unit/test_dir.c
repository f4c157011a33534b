/* test_dir.c — folder listings (core/dir.h): sorted names, the suffix
 * filter, hidden entries skipped, the recursive walk and its limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/dir.h"
#include "core/mem.h"

static char root[256];

static void touch(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
}

static void mkd(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    assert_int_equal(mkdir(p, 0700), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/tripod_test_dir_%d", (int)getpid());
    mkdir(root, 0700);
    /* Created out of order: the listing sorts. */
    touch("b.json");
    touch("a.json");
    touch("c.ndjson");
    touch("B.json");
    touch(".hidden.json");
    touch("._a.json");
    touch("notes.txt");
    mkd("sub.json"); /* a folder with a matching name is listed too */
    mkd("sub2");
    touch("sub2/z.json");
    mkd("sub2/deeper");
    touch("sub2/deeper/y.txt");
    mkd(".git");
    touch(".git/x.json");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static char *joined(char **names, size_t n)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? " " : "", names[i]);
    return buf_take(&b);
}

static void check_list(const char *suffix, const char *want)
{
    char **names;
    size_t n;
    err_t e;
    err_clear(&e);
    assert_int_equal(dir_list(root, suffix, &names, &n, &e), 0);
    char *got = joined(names, n);
    assert_string_equal(got, want);
    mem_free(got);
    dir_names_free(names, n);
}

static void test_list(void **state)
{
    (void)state;
    check_list(".json", "B.json a.json b.json sub.json");
    check_list(".ndjson", "c.ndjson");
    check_list(NULL, "B.json a.json b.json c.ndjson notes.txt sub.json sub2");
    check_list(".csv", "");
    char **names;
    size_t n;
    err_t e;
    err_clear(&e);
    assert_int_equal(dir_list(root, ".csv", &names, &n, &e), 0);
    assert_null(names);
    assert_int_equal(n, 0);
    dir_names_free(names, n);
}

static void test_missing(void **state)
{
    (void)state;
    char p[512];
    snprintf(p, sizeof p, "%s/nope", root);
    char **names = (char **)1;
    size_t n = 7;
    err_t e;
    err_clear(&e);
    assert_int_equal(dir_list(p, NULL, &names, &n, &e), ERR_IO);
    assert_null(names);
    assert_int_equal(n, 0);
    assert_string_equal(e.file, p);
    assert_non_null(strstr(e.msg, "cannot open folder"));
}

static int collect(void *ctx, const char *path, err_t *e)
{
    (void)e;
    buf_t *b = ctx;
    buf_printf(b, "%s\n", path + strlen(root) + 1);
    return 0;
}

static int stop_at_z(void *ctx, const char *path, err_t *e)
{
    collect(ctx, path, e);
    return strstr(path, "z.json") ? err_set(e, ERR_INPUT, "stop") : 0;
}

static void test_walk(void **state)
{
    (void)state;
    buf_t b = BUF_INIT;
    err_t e;
    err_clear(&e);
    assert_int_equal(dir_walk(root, collect, &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "B.json\na.json\nb.json\nc.ndjson\nnotes.txt\n"
                                      "sub2/deeper/y.txt\nsub2/z.json\n");
    /* A trailing slash is not doubled. */
    buf_reset(&b);
    char p[300];
    snprintf(p, sizeof p, "%s/", root);
    assert_int_equal(dir_walk(p, collect, &b, &e), 0);
    assert_non_null(strstr(buf_cstr(&b), "sub2/z.json"));
    /* The first non-zero return stops the walk. */
    buf_reset(&b);
    assert_int_equal(dir_walk(root, stop_at_z, &b, &e), ERR_INPUT);
    assert_string_equal(buf_cstr(&b), "B.json\na.json\nb.json\nc.ndjson\nnotes.txt\n"
                                      "sub2/deeper/y.txt\nsub2/z.json\n");
    buf_free(&b);
}

static void test_walk_depth(void **state)
{
    (void)state;
    char rel[512] = "deep";
    mkd(rel);
    for (int i = 0; i < 33; i++) {
        size_t n = strlen(rel);
        snprintf(rel + n, sizeof rel - n, "/d");
        mkd(rel);
    }
    char p[600];
    snprintf(p, sizeof p, "%s/deep", root);
    buf_t b = BUF_INIT;
    err_t e;
    err_clear(&e);
    assert_int_equal(dir_walk(p, collect, &b, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "nested too deep"));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_walk_depth),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
