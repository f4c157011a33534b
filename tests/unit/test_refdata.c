/* test_refdata.c — the reference-data folder checked against its MANIFEST:
 * whole files pass, a hand edit, a missing file and an unlisted file are each
 * named, and errors say which setting chooses the folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "refdata/refdata.h"

static char root[512];

static void write_file(const char *rel, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void hex_sha256(const char *text, char hex[65])
{
    unsigned char d[32];
    crypto_hash_sha256(d, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(hex, 65, d, sizeof d);
}

/* A folder of three files and the MANIFEST scripts/refdata-sync would write. */
static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/tripod-refdata-XXXXXX", tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(root));
    char p[1024];
    snprintf(p, sizeof p, "%s/hcc", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/ed", root);
    assert_int_equal(mkdir(p, 0755), 0);
    static const char *const files[][2] = { { "ed/nyu.csv", "icd10,noner\nA00,0.5\n" },
                                            { "hcc/a.csv", "x\n1\n" },
                                            { "hcc/b.csv", "y\n2\n" } };
    char manifest[2048] = "";
    for (size_t i = 0; i < 3; i++) {
        write_file(files[i][0], files[i][1]);
        char hex[65];
        hex_sha256(files[i][1], hex);
        size_t l = strlen(manifest);
        snprintf(manifest + l, sizeof manifest - l, "%s  %s\n", hex, files[i][0]);
    }
    write_file("MANIFEST", manifest);
    refdata_set_dir(root);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_chosen_folder(void **state)
{
    (void)state;
    assert_string_equal(refdata_dir(), root);
    assert_string_equal(refdata_origin(), "--refdata");
    char hex[65], want[65];
    assert_true(refdata_manifest_hash(root, hex));
    /* the manifest's own hash names the set */
    char mpath[1100];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST", root);
    FILE *f = fopen(mpath, "r");
    assert_non_null(f);
    char text[2048];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    hex_sha256(text, want);
    assert_string_equal(hex, want);
    assert_false(refdata_manifest_hash("/nonexistent-folder", hex));
    assert_string_equal(hex, "none");
}

static void problem_count(void *ctx, const char *path, const char *what)
{
    char *log = ctx;
    size_t l = strlen(log);
    snprintf(log + l, 4096 - l, "%s: %s\n", path + strlen(root) + 1, what);
}

/* Whole, then a hand edit, a missing file and an extra file: each named. */
static void test_verify(void **state)
{
    (void)state;
    char log[4096] = "";
    long nfiles = 0;
    err_t e;
    err_clear(&e);
    assert_int_equal(refdata_verify(root, problem_count, log, &nfiles, &e), 0);
    assert_int_equal(nfiles, 3);
    assert_string_equal(log, "");

    write_file("hcc/a.csv", "x\n9\n"); /* edited by hand */
    char p[1024];
    snprintf(p, sizeof p, "%s/hcc/b.csv", root);
    assert_int_equal(unlink(p), 0);
    write_file("ed/extra.csv", "z\n");
    assert_int_equal(refdata_verify(root, problem_count, log, &nfiles, &e), 3);
    assert_non_null(strstr(log, "hcc/a.csv: damaged"));
    assert_non_null(strstr(log, "hcc/b.csv: missing"));
    assert_non_null(strstr(log, "ed/extra.csv: not in the MANIFEST"));
}

/* refdata_path checks what it hands out: one line naming the file and the
 * setting to change. */
static void test_path_checks(void **state)
{
    (void)state;
    char out[1024];
    err_t e;
    err_clear(&e);
    assert_int_equal(refdata_path("ed/nyu.csv", out, sizeof out, &e), 0);
    assert_true(strncmp(out, root, strlen(root)) == 0);
    assert_int_equal(refdata_path("ed", out, sizeof out, &e), 0); /* a folder: all under it */

    write_file("ed/nyu.csv", "icd10,noner\nA00,0.9\n");
    /* already checked in this process: not hashed again */
    assert_int_equal(refdata_path("ed/nyu.csv", out, sizeof out, &e), 0);

    write_file("hcc/a.csv", "x\n9\n");
    assert_int_equal(refdata_path("hcc", out, sizeof out, &e), ERR_INPUT);
    assert_non_null(strstr(e.file, "hcc/a.csv"));
    assert_non_null(strstr(e.msg, "damaged"));
    assert_non_null(strstr(e.msg, "--refdata DIR or TRIPOD_REFDATA"));

    err_clear(&e);
    assert_int_equal(refdata_path("hcc/none.csv", out, sizeof out, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "missing"));

    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(refdata_path(big, out, sizeof out, &e), ERR_USAGE);
}

/* A loader's own error about a file inside the folder gets the hint once. */
static void test_hint(void **state)
{
    (void)state;
    err_t e;
    char p[1024];
    snprintf(p, sizeof p, "%s/ed/nyu.csv", root);
    err_at(&e, ERR_INPUT, p, 3, 0, "icd10", "required column missing");
    refdata_hint(&e);
    assert_non_null(strstr(e.msg, "required column missing (reference data from --refdata; "
                                  "set --refdata DIR or TRIPOD_REFDATA)"));
    size_t len = strlen(e.msg);
    refdata_hint(&e);
    assert_int_equal(strlen(e.msg), len);
    err_at(&e, ERR_INPUT, "/elsewhere/file.csv", 3, 0, NULL, "bad");
    refdata_hint(&e);
    assert_string_equal(e.msg, "bad");
}

/* A malformed manifest line is named by line. */
static void test_bad_manifest(void **state)
{
    (void)state;
    write_file("MANIFEST", "0123  short\n");
    err_t e;
    err_clear(&e);
    long nfiles;
    assert_int_equal(refdata_verify(root, problem_count, (char[4096]){ 0 }, &nfiles, &e), -1);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.file, "MANIFEST"));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chosen_folder), cmocka_unit_test(test_verify),
        cmocka_unit_test(test_path_checks),   cmocka_unit_test(test_hint),
        cmocka_unit_test(test_bad_manifest),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
