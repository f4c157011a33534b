/* run_cases.c — runs every official eCQM test case and compares population
 * counts with tests/<Measure>/cases.tsv.
 *
 *   run_cases ECQM_DIR TESTS_DIR EXPECTED_PASS_TSV [--write] [--verbose] [--measure NAME]
 *
 * ECQM_DIR holds the measures (refdata/ecqm), TESTS_DIR the official cases
 * (tests/data/ecqm/tests).
 *
 * Prints "<Measure>: N/M cases pass" per measure and the total. Fails (exit 1)
 * when a case listed in EXPECTED_PASS_TSV fails or the total drops below the
 * number listed: the list only grows as the interpreter improves. --write
 * rewrites the list with the cases passing now.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "measures/measure.h"

typedef struct row {
    char case_id[64];
    int group;
    char name[256];
    int counts[MPOP__COUNT]; /* -1 = blank */
} row_t;

static int read_rows(const char *path, row_t **rows, int *n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[2048];
    int cap = 0;
    *rows = NULL;
    *n = 0;
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = false;
            continue;
        }
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0])
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *rows = mem_realloc(*rows, (size_t)cap * sizeof **rows);
        }
        row_t *r = &(*rows)[(*n)++];
        memset(r, 0, sizeof *r);
        char *fields[16];
        int nf = 0;
        char *p = line;
        while (nf < 16) {
            fields[nf++] = p;
            char *t = strchr(p, '\t');
            if (!t)
                break;
            *t = 0;
            p = t + 1;
        }
        str_copy(r->case_id, nf > 0 ? fields[0] : "", sizeof r->case_id);
        r->group = nf > 1 ? (int)strtol(fields[1], NULL, 10) : 1;
        str_copy(r->name, nf > 2 ? fields[2] : "", sizeof r->name);
        for (int k = 0; k < MPOP__COUNT; k++) {
            r->counts[k] = -1;
            if (3 + k < nf && fields[3 + k][0])
                str_to_intz(fields[3 + k], &r->counts[k]);
        }
    }
    fclose(f);
    return 0;
}

typedef struct idset {
    char **ids;
    int n, cap;
} idset_t;

static void idset_add(idset_t *s, const char *id)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->ids = mem_realloc(s->ids, (size_t)s->cap * sizeof *s->ids);
    }
    s->ids[s->n++] = mem_strdup(id);
}

static bool idset_has(const idset_t *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0)
            return true;
    return false;
}

static void idset_free(idset_t *s)
{
    for (int i = 0; i < s->n; i++)
        mem_free(s->ids[i]);
    mem_free(s->ids);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: run_cases ECQM_DIR TESTS_DIR EXPECTED_PASS_TSV [--write] "
                        "[--verbose] [--measure NAME]\n");
        return 2;
    }
    const char *dir = argv[1], *tests_dir = argv[2], *expected_path = argv[3];
    bool write = false, verbose = getenv("TRIPOD_MEASURES_VERBOSE") != NULL;
    const char *only = NULL;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "--write"))
            write = true;
        else if (!strcmp(argv[i], "--verbose"))
            verbose = true;
        else if (!strcmp(argv[i], "--measure") && i + 1 < argc)
            only = argv[++i];
    }
    idset_t expected = { 0 }, passed = { 0 };
    FILE *ef = fopen(expected_path, "r");
    if (ef) {
        char line[256];
        while (fgets(line, sizeof line, ef)) {
            line[strcspn(line, "\r\n\t")] = 0;
            if (line[0] && line[0] != '#')
                idset_add(&expected, line);
        }
        fclose(ef);
    }
    err_t e;
    err_clear(&e);
    measure_set_t *ms;
    if (measure_set_load(dir, &ms, &e)) {
        char msg[1024];
        err_format(&e, msg, sizeof msg);
        fprintf(stderr, "run_cases: %s\n", msg);
        return 1;
    }
    elm_ctx_t *ctx = elm_ctx_new(measure_set_engine(ms));
    if (measure_set_period(ctx, "2025-01-01", "2025-12-31", &e))
        return 1;
    char tdir[4096];
    snprintf(tdir, sizeof tdir, "%s", tests_dir);
    DIR *d = opendir(tdir);
    if (!d) {
        fprintf(stderr, "run_cases: cannot open %s\n", tdir);
        return 1;
    }
    char **mnames = NULL;
    int nm = 0, mcap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (nm == mcap) {
            mcap = mcap ? mcap * 2 : 16;
            mnames = mem_realloc(mnames, (size_t)mcap * sizeof *mnames);
        }
        mnames[nm++] = mem_strdup(de->d_name);
    }
    closedir(d);
    if (nm)
        qsort(mnames, (size_t)nm, sizeof *mnames, cmp_str);
    int total = 0, total_pass = 0, regressions = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int mi = 0; mi < nm; mi++) {
        const char *mname = mnames[mi];
        if (only && strcmp(only, mname) != 0)
            continue;
        char path[8192];
        if (snprintf(path, sizeof path, "%s/%s/cases.tsv", tdir, mname) >= (int)sizeof path)
            continue;
        row_t *rows;
        int nrows;
        if (read_rows(path, &rows, &nrows))
            continue;
        measure_t *m = measure_find(ms, mname);
        err_clear(&e);
        bool prepared = m && measure_prepare(ms, m, &e) == 0;
        if (!prepared) {
            char msg[1024];
            if (m)
                err_format(&e, msg, sizeof msg);
            else
                snprintf(msg, sizeof msg, "no Measure resource");
            printf("%s: cannot prepare: %s\n", mname, msg);
        }
        int cases = 0, pass = 0;
        for (int i = 0; i < nrows; i++) {
            if (i > 0 && strcmp(rows[i].case_id, rows[i - 1].case_id) == 0)
                continue;
            cases++;
            bool ok = prepared;
            char why[1024] = "";
            if (ok) {
                char cdir[8192];
                if (snprintf(cdir, sizeof cdir, "%s/%s/%s", tdir, mname, rows[i].case_id) >=
                    (int)sizeof cdir)
                    cdir[0] = 0;
                fhir_patients_t ps = { 0 };
                err_clear(&e);
                measure_result_t res;
                if (fhir_patients_read(cdir, &ps, &e) || ps.n != 1) {
                    ok = false;
                    snprintf(why, sizeof why, "cannot read case (%zu patients)", ps.n);
                } else if (measure_eval(ctx, m, ps.p[0].res, ps.p[0].n, &res, &e)) {
                    ok = false;
                    err_format(&e, why, sizeof why);
                } else {
                    for (int k = i; k < nrows && !strcmp(rows[k].case_id, rows[i].case_id); k++) {
                        int g = rows[k].group - 1;
                        if (g < 0 || g >= res.ngroups) {
                            ok = false;
                            snprintf(why, sizeof why, "no group %d", g + 1);
                            break;
                        }
                        for (int p = 0; p < MPOP__COUNT; p++) {
                            int want = rows[k].counts[p];
                            int got = res.counts[g][p] < 0 ? 0 : res.counts[g][p];
                            if (want >= 0 && want != got) {
                                ok = false;
                                size_t l = strlen(why);
                                snprintf(why + l, sizeof why - l, " g%d %s want %d got %d;", g + 1,
                                         measure_pop_code((measure_pop_t)p), want, got);
                            }
                        }
                    }
                }
                fhir_patients_free(&ps);
            }
            total++;
            if (ok) {
                pass++;
                total_pass++;
                idset_add(&passed, rows[i].case_id);
            } else {
                if (idset_has(&expected, rows[i].case_id)) {
                    regressions++;
                    printf("  REGRESSION %s %s (%s):%s\n", mname, rows[i].case_id, rows[i].name,
                           why);
                } else if (verbose) {
                    printf("  FAIL %s %s (%s):%s\n", mname, rows[i].case_id, rows[i].name, why);
                }
            }
        }
        printf("%s: %d/%d cases pass\n", mname, pass, cases);
        mem_free(rows);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("total: %d/%d pass (%.2f s)\n", total_pass, total, secs);
    int rc = 0;
    if (!only && total_pass < expected.n) {
        printf("total passes %d dropped below the %d in %s\n", total_pass, expected.n,
               expected_path);
        rc = 1;
    }
    if (regressions) {
        printf("%d regressions\n", regressions);
        rc = 1;
    }
    if (write && !only) {
        qsort(passed.ids, (size_t)passed.n, sizeof *passed.ids, cmp_str);
        FILE *wf = fopen(expected_path, "w");
        if (wf) {
            fprintf(wf,
                    "# case ids of tests/<Measure>/cases.tsv known to pass (run_cases --write)\n");
            for (int i = 0; i < passed.n; i++)
                fprintf(wf, "%s\n", passed.ids[i]);
            fclose(wf);
        }
    }
    for (int i = 0; i < nm; i++)
        mem_free(mnames[i]);
    mem_free(mnames);
    idset_free(&expected);
    idset_free(&passed);
    elm_ctx_free(ctx);
    measure_set_free(ms);
    return rc;
}
