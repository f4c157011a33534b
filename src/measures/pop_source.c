/* pop_source.c — patient sources of the population runner: a folder of
 * FHIR NDJSON (mapped and indexed by patient runs) and patients in memory.
 */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dir.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/fastjson.h"
#include "core/hmap.h"
#include "measures/jarena.h"
#include "measures/population.h"

/* ---- id -> ordinal map ---- */

typedef struct idmap {
    const char **ids; /* by ordinal: the map's copies */
    size_t n, cap;    /* ordinals */
    hmap_t map;       /* id -> ordinal */
} idmap_t;

static size_t idmap_get_or_add(idmap_t *m, const char *id, size_t len)
{
    bool added;
    uint64_t *v = hmap_str_put(&m->map, id, len, &added);
    if (!added)
        return (size_t)*v;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->ids = mem_realloc(m->ids, m->cap * sizeof *m->ids);
    }
    *v = m->n;
    m->ids[m->n] = hmap_str_key(&m->map, v, NULL);
    return m->n++;
}

static void idmap_free(idmap_t *m)
{
    mem_free(m->ids);
    hmap_free(&m->map);
}

/* ---- NDJSON folder ---- */

typedef struct run {
    uint32_t ord;  /* the patient */
    uint32_t line; /* 1-based line of the first resource */
    size_t off, len;
} run_t;

typedef struct nfile {
    char *path;
    const char *data; /* mapped */
    size_t size;
    run_t *runs;
    size_t nruns, cap;
    /* The resourceType of every indexed line ("" when none yet); mixed when
     * the lines have different (or unreadable) types. */
    char type[64];
    bool mixed;
} nfile_t;

typedef struct ndsrc {
    mpop_source_t base;
    nfile_t *f;
    size_t nf;
    idmap_t ids;
    size_t lines, skipped;
    bool grouped;
    char **want; /* NULL-terminated resource types to load; NULL = all */
} ndsrc_t;

/* Notes the resourceType of an indexed line in f. */
static void note_type(nfile_t *f, const char *rt, size_t rl)
{
    if (f->mixed)
        return;
    if (!rt || rl >= sizeof f->type || memchr(rt, '\\', rl)) {
        f->mixed = true;
    } else if (!f->type[0]) {
        memcpy(f->type, rt, rl);
        f->type[rl] = 0;
    } else if (strlen(f->type) != rl || memcmp(f->type, rt, rl) != 0) {
        f->mixed = true;
    }
}

/* Whether the file holds only resources no measure reads. */
static bool file_unwanted(const ndsrc_t *S, const nfile_t *f)
{
    if (!S->want || f->mixed || !f->type[0])
        return false;
    for (char **w = S->want; *w; w++)
        if (strcmp(*w, f->type) == 0)
            return false;
    return true;
}

static void nd_only_types(mpop_source_t *src, const char *const *types)
{
    ndsrc_t *S = (ndsrc_t *)src;
    if (S->want)
        for (char **w = S->want; *w; w++)
            mem_free(*w);
    mem_free(S->want);
    S->want = NULL;
    if (!types)
        return;
    size_t n = 0;
    while (types[n])
        n++;
    S->want = mem_calloc(n + 1, sizeof *S->want);
    for (size_t i = 0; i < n; i++)
        S->want[i] = mem_strdup(types[i]);
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* The string value of the first "key": "value" in [p, end) (no escapes in
 * the value); NULL when absent. */
static const char *find_str(const char *p, const char *end, const char *key, size_t *vlen)
{
    size_t kl = strlen(key);
    while (p < end) {
        const char *k = memmem(p, (size_t)(end - p), key, kl);
        if (!k)
            return NULL;
        const char *q = skip_ws(k + kl, end);
        if (q < end && *q == ':') {
            q = skip_ws(q + 1, end);
            if (q < end && *q == '"') {
                const char *v = q + 1, *ve = memchr(v, '"', (size_t)(end - v));
                if (!ve)
                    return NULL;
                *vlen = (size_t)(ve - v);
                return v;
            }
        }
        p = k + kl;
    }
    return NULL;
}

/* The id of the patient a line's resource references: the first
 * "reference": "Patient/<id>". */
static const char *patient_ref(const char *p, const char *end, size_t *len)
{
    const char *s = p;
    while (s < end) {
        const char *k = memmem(s, (size_t)(end - s), "\"Patient/", 9);
        if (!k)
            return NULL;
        const char *b = k - 1; /* back over ws and ':' to "reference" */
        while (b > p && (*b == ' ' || *b == '\t'))
            b--;
        if (b > p && *b == ':') {
            b--;
            while (b > p && (*b == ' ' || *b == '\t'))
                b--;
            if (b - p >= 10 && memcmp(b - 10, "\"reference\"", 11) == 0) {
                const char *v = k + 9, *ve = memchr(v, '"', (size_t)(end - v));
                if (!ve)
                    return NULL;
                *len = (size_t)(ve - v);
                return v;
            }
        }
        s = k + 9;
    }
    return NULL;
}

static void add_run(nfile_t *f, uint32_t ord, uint32_t line, size_t off, size_t len)
{
    if (f->nruns) {
        run_t *last = &f->runs[f->nruns - 1];
        if (last->ord == ord && last->off + last->len == off) {
            last->len += len;
            return;
        }
    }
    if (f->nruns == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 1024;
        f->runs = mem_realloc(f->runs, f->cap * sizeof *f->runs);
    }
    f->runs[f->nruns++] = (run_t){ ord, line, off, len };
}

static int cmp_run(const void *a, const void *b)
{
    const run_t *x = a, *y = b;
    if (x->ord != y->ord)
        return x->ord < y->ord ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

static int index_file(ndsrc_t *S, nfile_t *f, err_t *e)
{
    const char *p = f->data, *end = f->data + f->size;
    uint32_t line = 0;
    while (p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t full = (size_t)((nl ? nl + 1 : end) - p);
        const char *q = skip_ws(p, le);
        if (q < le) {
            size_t rl = 0, il;
            const char *rt = find_str(q, le, "\"resourceType\"", &rl);
            const char *id = NULL;
            if (rt && rl == 7 && memcmp(rt, "Patient", 7) == 0) {
                static const char head[] = "{\"resourceType\":\"Patient\",\"id\":\"";
                size_t hl = sizeof head - 1, ord;
                const char *idv = (size_t)(le - q) > hl && !memcmp(q, head, hl) ? q + hl : NULL;
                const char *ide = idv ? memchr(idv, '"', (size_t)(le - idv)) : NULL;
                if (ide && !memchr(idv, '\\', (size_t)(ide - idv))) {
                    /* the id right after resourceType, as Bulk Data writers put it */
                    ord = idmap_get_or_add(&S->ids, idv, (size_t)(ide - idv));
                } else {
                    json_error_t je;
                    json_t *j = fastjson_parse(q, (size_t)(le - q), &je);
                    if (!j)
                        return err_at(e, ERR_INPUT, f->path, line, je.column, NULL, "%s", je.text);
                    const char *pid = json_string_value(json_object_get(j, "id"));
                    ord = pid ? idmap_get_or_add(&S->ids, pid, strlen(pid)) : 0;
                    json_decref(j);
                    if (!pid)
                        return err_at(e, ERR_INPUT, f->path, line, 0, "/id", "Patient without id");
                }
                add_run(f, (uint32_t)ord, line, (size_t)(p - f->data), full);
                note_type(f, rt, rl);
                S->lines++;
            } else if ((id = patient_ref(q, le, &il))) {
                size_t ord = idmap_get_or_add(&S->ids, id, il);
                add_run(f, (uint32_t)ord, line, (size_t)(p - f->data), full);
                note_type(f, rt, rt ? rl : 0);
                S->lines++;
            } else {
                S->skipped++;
            }
        }
        p += full;
    }
    for (size_t i = 1; i < f->nruns; i++)
        if (f->runs[i].ord <= f->runs[i - 1].ord) {
            /* not grouped by patient in patient order: sort the runs */
            S->grouped = false;
            qsort(f->runs, f->nruns, sizeof *f->runs, cmp_run);
            break;
        }
    return 0;
}

static size_t nd_count(mpop_source_t *src)
{
    return ((ndsrc_t *)src)->ids.n;
}

static int nd_parse(ndsrc_t *S, size_t i, fhir_patient_t *out, err_t *e);

static int nd_load(mpop_source_t *src, size_t i, fhir_patient_t *out, err_t *e)
{
    ndsrc_t *S = (ndsrc_t *)src;
    memset(out, 0, sizeof *out);
    out->id = mem_strdup(S->ids.ids[i]);
    /* The previous patient this thread loaded is done with: its values go. */
    jarena_t *ja = jarena_thread();
    if (ja) {
        jarena_reset(ja);
        jarena_use(ja);
    }
    int rc = nd_parse(S, i, out, e);
    if (ja) {
        jarena_use(NULL);
        out->arena = jarena_whole(ja);
    }
    return rc;
}

static int nd_parse(ndsrc_t *S, size_t i, fhir_patient_t *out, err_t *e)
{
    for (size_t k = 0; k < S->nf; k++) {
        nfile_t *f = &S->f[k];
        if (file_unwanted(S, f))
            continue;
        size_t lo = 0, hi = f->nruns; /* first run with ord >= i */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (f->runs[mid].ord < i)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t r = lo; r < f->nruns && f->runs[r].ord == i; r++) {
            const char *p = f->data + f->runs[r].off, *end = p + f->runs[r].len;
            uint32_t line = f->runs[r].line;
            for (; p < end; line++) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *le = nl ? nl : end;
                if (skip_ws(p, le) < le) {
                    json_error_t je;
                    json_t *j = fastjson_parse(p, (size_t)(le - p), &je);
                    if (!j)
                        return err_at(e, ERR_INPUT, f->path, line, je.column, NULL, "%s", je.text);
                    if (out->n == out->cap) {
                        out->cap = out->cap ? out->cap * 2 : 64;
                        out->res = mem_realloc(out->res, out->cap * sizeof *out->res);
                    }
                    out->res[out->n++] = j;
                }
                p = nl ? nl + 1 : end;
            }
        }
    }
    return 0;
}

static void nd_close(mpop_source_t *src)
{
    ndsrc_t *S = (ndsrc_t *)src;
    for (size_t k = 0; k < S->nf; k++) {
        if (S->f[k].data && S->f[k].size)
            munmap((void *)S->f[k].data, S->f[k].size);
        mem_free(S->f[k].runs);
        mem_free(S->f[k].path);
    }
    mem_free(S->f);
    idmap_free(&S->ids);
    nd_only_types(src, NULL);
    mem_free(S);
}

void mpop_source_ndjson_stats(mpop_source_t *src, size_t *lines, size_t *skipped, bool *grouped)
{
    ndsrc_t *S = (ndsrc_t *)src;
    if (lines)
        *lines = S->lines;
    if (skipped)
        *skipped = S->skipped;
    if (grouped)
        *grouped = S->grouped;
}

/* Patient files first (their order is the patients' order), then by name. */
static int cmp_fname(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int px = str_starts_with(x, "Patient"), py = str_starts_with(y, "Patient");
    if (px != py)
        return py - px;
    return strcmp(x, y);
}

int mpop_source_ndjson_dir(const char *dir, mpop_source_t **out, err_t *e)
{
    char **names;
    size_t nn;
    int rc = dir_list(dir, ".ndjson", &names, &nn, e);
    if (rc)
        return rc;
    if (nn) /* Patient files first (dir_list's order otherwise) */
        qsort(names, nn, sizeof *names, cmp_fname);
    ndsrc_t *S = mem_calloc(1, sizeof *S);
    hmap_init_str(&S->ids.map, 0, true);
    S->base.count = nd_count;
    S->base.load = nd_load;
    S->base.close = nd_close;
    S->base.only_types = nd_only_types;
    S->grouped = true;
    jarena_install();
    S->f = mem_calloc(nn ? nn : 1, sizeof *S->f);
    for (size_t i = 0; i < nn; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        mem_free(names[i]);
        if (rc)
            continue;
        nfile_t *f = &S->f[S->nf++];
        f->path = mem_strdup(path);
        int fd = open(path, O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            if (fd >= 0)
                close(fd);
            rc = err_at(e, ERR_IO, path, 0, 0, NULL, "cannot open file");
            continue;
        }
        f->size = (size_t)st.st_size;
        if (f->size) {
            void *m = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m == MAP_FAILED) {
                f->size = 0;
                rc = err_at(e, ERR_IO, path, 0, 0, NULL, "cannot map file");
            } else {
                f->data = m;
                madvise(m, f->size, MADV_SEQUENTIAL);
            }
        }
        close(fd);
        if (!rc && f->size)
            rc = index_file(S, f, e);
    }
    mem_free(names);
    if (rc) {
        nd_close(&S->base);
        return rc;
    }
    *out = &S->base;
    return 0;
}

/* ---- patients in memory ---- */

typedef struct memsrc {
    mpop_source_t base;
    const fhir_patients_t *ps;
} memsrc_t;

static size_t mem_count(mpop_source_t *src)
{
    return ((memsrc_t *)src)->ps->n;
}

static int mem_load(mpop_source_t *src, size_t i, fhir_patient_t *out, err_t *e)
{
    (void)e;
    const fhir_patient_t *p = &((memsrc_t *)src)->ps->p[i];
    memset(out, 0, sizeof *out);
    out->id = mem_strdup(p->id);
    out->res = mem_calloc(p->n ? p->n : 1, sizeof *out->res);
    for (size_t k = 0; k < p->n; k++)
        out->res[k] = json_incref(p->res[k]);
    out->n = out->cap = p->n;
    return 0;
}

static void mem_close(mpop_source_t *src)
{
    mem_free(src);
}

int mpop_source_patients(const fhir_patients_t *ps, mpop_source_t **out, err_t *e)
{
    (void)e;
    memsrc_t *S = mem_calloc(1, sizeof *S);
    S->base.count = mem_count;
    S->base.load = mem_load;
    S->base.close = mem_close;
    S->ps = ps;
    *out = &S->base;
    return 0;
}
