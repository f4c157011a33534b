/* refdata.c — finding the reference-data folder and checking it against its
 * MANIFEST (see refdata.h). */
#include "refdata/refdata.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dir.h"
#include "core/mem.h"
#include "core/str.h"

#ifndef TRIPOD_SOURCE_REFDATA
#define TRIPOD_SOURCE_REFDATA "refdata"
#endif

#define HINT "set --refdata DIR or TRIPOD_REFDATA"

/* The choice, made once. */
static const char *refdata_override;
static char refdata_chosen[4096];
static const char *refdata_from = "no folder found";
static pthread_once_t refdata_once = PTHREAD_ONCE_INIT;

/* The manifest of the chosen folder, read at the first refdata_path(). */
typedef struct manifest_entry {
    char *path; /* relative, '/'-separated */
    unsigned char sha[32];
    bool checked; /* verified already in this process */
} manifest_entry_t;

typedef struct manifest {
    manifest_entry_t *e;
    size_t n;
} manifest_t;

static pthread_mutex_t manifest_lock = PTHREAD_MUTEX_INITIALIZER;
static manifest_t manifest_chosen;
static int manifest_state; /* 0 unread, 1 read, -1 none in the folder */

void refdata_set_dir(const char *dir)
{
    refdata_override = dir;
}

static bool has_manifest(const char *dir)
{
    char p[4200];
    struct stat st;
    return snprintf(p, sizeof p, "%s/MANIFEST", dir) < (int)sizeof p && stat(p, &st) == 0 &&
           S_ISREG(st.st_mode);
}

/* <dir of the running binary>/../share/tripod/refdata, when it exists. */
static bool installed_copy(char *out, size_t cap)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = 0;
    if (snprintf(out, cap, "%s/../share/tripod/refdata", exe) >= (int)cap)
        return false;
    return has_manifest(out);
}

static void choose(void)
{
    const char *env = getenv("TRIPOD_REFDATA");
    if (refdata_override && *refdata_override) {
        str_copy(refdata_chosen, refdata_override, sizeof refdata_chosen);
        refdata_from = "--refdata";
    } else if (env && *env) {
        str_copy(refdata_chosen, env, sizeof refdata_chosen);
        refdata_from = "TRIPOD_REFDATA";
    } else if (installed_copy(refdata_chosen, sizeof refdata_chosen)) {
        refdata_from = "the installed copy";
    } else {
        str_copy(refdata_chosen, TRIPOD_SOURCE_REFDATA, sizeof refdata_chosen);
        refdata_from = has_manifest(refdata_chosen) ? "the source tree" : "no folder found";
    }
}

const char *refdata_dir(void)
{
    pthread_once(&refdata_once, choose);
    return refdata_chosen;
}

const char *refdata_origin(void)
{
    pthread_once(&refdata_once, choose);
    return refdata_from;
}

/* ---- the manifest ------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const manifest_entry_t *)a)->path, ((const manifest_entry_t *)b)->path);
}

static void manifest_free(manifest_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        mem_free(m->e[i].path);
    mem_free(m->e);
    m->e = NULL;
    m->n = 0;
}

/* Reads DIR/MANIFEST: lines of 64 hex digits, two spaces, a path (the
 * format of sha256sum). Sorted by path for lookups. */
static int manifest_read(const char *dir, manifest_t *m, err_t *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "r");
    if (!f)
        return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot open the manifest: %s (" HINT ")",
                      strerror(errno));
    char line[4400];
    size_t cap = 0;
    long ln = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (!len)
            continue;
        bool ok = len > 66 && line[64] == ' ' && line[65] == ' ';
        unsigned char sha[32];
        for (int i = 0; ok && i < 32; i++) {
            int hi = hexval(line[2 * i]), lo = hexval(line[2 * i + 1]);
            ok = hi >= 0 && lo >= 0;
            sha[i] = (unsigned char)(hi * 16 + lo);
        }
        if (!ok) {
            rc = err_at(e, ERR_INPUT, path, ln, 0, NULL,
                        "not a manifest line (64 hex digits, two spaces, a path); "
                        "rewrite it with scripts/refdata-sync");
            break;
        }
        if (m->n == cap) {
            cap = cap ? cap * 2 : 256;
            m->e = mem_realloc(m->e, cap * sizeof *m->e);
        }
        manifest_entry_t *me = &m->e[m->n++];
        me->path = mem_strdup(line + 66);
        memcpy(me->sha, sha, sizeof sha);
        me->checked = false;
    }
    fclose(f);
    if (rc) {
        manifest_free(m);
        return rc;
    }
    if (m->n)
        qsort(m->e, m->n, sizeof *m->e, cmp_entry);
    return 0;
}

/* SHA-256 of a file; 0, or -1 with errno when it cannot be read. */
static int file_sha256(const char *path, unsigned char out[32])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&st, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        errno = EIO;
        return -1;
    }
    crypto_hash_sha256_final(&st, out);
    return 0;
}

/* Checks one entry: "" when whole, else what is wrong. */
static const char *entry_problem(const char *dir, const manifest_entry_t *me, char *path,
                                 size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, me->path);
    unsigned char sha[32];
    if (file_sha256(path, sha) != 0)
        return errno == ENOENT ? "missing" : "cannot be read";
    if (memcmp(sha, me->sha, sizeof sha) != 0)
        return "damaged: its SHA-256 differs from the MANIFEST";
    return "";
}

/* The entries at rel or under rel/: [*lo, *hi). */
static void manifest_range(const manifest_t *m, const char *rel, size_t *lo, size_t *hi)
{
    size_t rl = strlen(rel);
    size_t a = 0, b = m->n;
    while (a < b) { /* first path >= rel */
        size_t mid = a + (b - a) / 2;
        if (strcmp(m->e[mid].path, rel) < 0)
            a = mid + 1;
        else
            b = mid;
    }
    size_t end = a;
    while (end < m->n && strncmp(m->e[end].path, rel, rl) == 0 &&
           (m->e[end].path[rl] == 0 || m->e[end].path[rl] == '/' || rl == 0))
        end++;
    *lo = a;
    *hi = end;
}

int refdata_path(const char *rel, char *out, size_t cap, err_t *e)
{
    const char *dir = refdata_dir();
    int n = snprintf(out, cap, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= cap)
        return err_at(e, ERR_USAGE, rel, 0, 0, NULL, "reference-data path too long (" HINT ")");
    pthread_mutex_lock(&manifest_lock);
    int rc = 0;
    if (manifest_state == 0) {
        if (!has_manifest(dir)) {
            manifest_state = -1;
        } else {
            rc = manifest_read(dir, &manifest_chosen, e);
            manifest_state = rc ? 0 : 1;
        }
    }
    if (rc == 0 && manifest_state == 1) {
        size_t lo, hi;
        manifest_range(&manifest_chosen, rel, &lo, &hi);
        if (lo == hi) {
            struct stat st;
            if (stat(out, &st) != 0)
                rc = err_at(e, ERR_IO, out, 0, 0, NULL,
                            "reference table missing and not in %s/MANIFEST "
                            "(reference data from %s; " HINT ")",
                            dir, refdata_from);
        }
        for (size_t i = lo; rc == 0 && i < hi; i++) {
            manifest_entry_t *me = &manifest_chosen.e[i];
            if (me->checked)
                continue;
            char path[4200];
            const char *why = entry_problem(dir, me, path, sizeof path);
            if (*why)
                rc = err_at(e, *why == 'd' ? ERR_INPUT : ERR_IO, path, 0, 0, NULL,
                            "reference table %s (reference data from %s; " HINT ")", why,
                            refdata_from);
            else
                me->checked = true;
        }
    } else if (rc == 0 && manifest_state == -1 && strcmp(refdata_from, "no folder found") == 0) {
        rc = err_at(e, ERR_IO, out, 0, 0, NULL,
                    "no reference data: %s/MANIFEST is missing and no installed copy was "
                    "found (" HINT ")",
                    dir);
    }
    pthread_mutex_unlock(&manifest_lock);
    return rc;
}

void refdata_hint(err_t *e)
{
    const char *dir = refdata_dir();
    size_t dl = strlen(dir);
    if (!e || e->code == ERR_OK || strncmp(e->file, dir, dl) != 0 || e->file[dl] != '/')
        return;
    char hint[128];
    snprintf(hint, sizeof hint, " (reference data from %s; " HINT ")", refdata_origin());
    /* refdata_path's own errors end with the hint already */
    size_t ml = strlen(e->msg), hl = strlen(hint);
    if (ml >= hl && strcmp(e->msg + ml - hl, hint) == 0)
        return;
    snprintf(e->msg + ml, sizeof e->msg - ml, "%s", hint);
}

bool refdata_manifest_hash(const char *dir, char hex[65])
{
    char path[4200];
    unsigned char sha[32];
    if (snprintf(path, sizeof path, "%s/MANIFEST", dir) >= (int)sizeof path ||
        file_sha256(path, sha) != 0) {
        str_copy(hex, "none", 65);
        return false;
    }
    sodium_bin2hex(hex, 65, sha, sizeof sha);
    return true;
}

/* ---- verifying a whole folder ------------------------------------------ */

/* The unlisted-file check: one walk's state. */
typedef struct walk {
    const manifest_t *m;
    size_t root_len;
    refdata_problem_fn fn;
    void *ctx;
    long problems;
} walk_t;

static int walk_file(void *ctx, const char *path, err_t *e)
{
    (void)e;
    walk_t *w = ctx;
    const char *rel = path + w->root_len;
    while (*rel == '/')
        rel++;
    if (strcmp(rel, "MANIFEST") == 0)
        return 0;
    manifest_entry_t key = { .path = (char *)rel };
    if (!bsearch(&key, w->m->e, w->m->n, sizeof key, cmp_entry)) {
        w->fn(w->ctx, path, "not in the MANIFEST");
        w->problems++;
    }
    return 0;
}

long refdata_verify(const char *dir, refdata_problem_fn fn, void *ctx, long *nfiles, err_t *e)
{
    manifest_t m;
    if (manifest_read(dir, &m, e))
        return -1;
    if (sodium_init() < 0) {
        manifest_free(&m);
        return err_set(e, ERR_INTERNAL, "libsodium failed to initialise"), -1;
    }
    long problems = 0;
    for (size_t i = 0; i < m.n; i++) {
        char path[4200];
        const char *why = entry_problem(dir, &m.e[i], path, sizeof path);
        if (*why) {
            fn(ctx, path, why);
            problems++;
        }
    }
    walk_t w = { &m, strlen(dir), fn, ctx, 0 };
    int wrc = dir_walk(dir, walk_file, &w, e);
    if (nfiles)
        *nfiles = (long)m.n;
    manifest_free(&m);
    return wrc ? -1 : problems + w.problems;
}
