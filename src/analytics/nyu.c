/* nyu.c — loading and applying the NYU ED (Johnston ICD-10) table. */
#include "analytics/nyu.h"

#include <string.h>

#include "analytics/engine_internal.h"
#include "core/csvread.h"
#include "core/mem.h"
#include "core/str.h"
#include "refdata/refdata.h"

static const char *const nyu_names[NYU_NCLASS] = { "edcnnpa", "edcnpa", "epct",    "noner",
                                                   "injury",  "psych",  "alcohol", "drug" };

const char *nyu_class_name(int cls)
{
    return cls >= 0 && cls < NYU_NCLASS ? nyu_names[cls] : "unclassified";
}

int nyu_load(nyu_t *t, const char *path, err_t *e)
{
    memset(t, 0, sizeof *t);
    char buf[1024];
    if (!path) {
        int rc = refdata_path("ed/nyu_ed_johnston_icd10.csv", buf, sizeof buf, e);
        if (rc)
            return rc;
        path = buf;
    }
    csvr_file_t f;
    int rc = csvr_file_open(&f, path, e);
    if (rc)
        return rc;
    int col[NYU_NCLASS + 1]; /* icd10, then the classes */
    col[0] = csvr_file_col(&f, "icd10");
    for (int k = 0; k < NYU_NCLASS; k++)
        col[k + 1] = csvr_file_col(&f, nyu_names[k]);
    for (int k = 0; k <= NYU_NCLASS; k++)
        if (col[k] < 0) {
            csvr_file_close(&f);
            return err_at(e, ERR_INPUT, path, 1, 0, k ? nyu_names[k - 1] : "icd10",
                          "required column missing");
        }
    size_t cap = 0;
    int status = 0;
    hmap_init_u64(&t->map, 50000);
    while ((rc = csvr_next(&f.r, e)) == 1) {
        const csvr_field_t *fl = f.r.fields;
        size_t nf = f.r.nfields;
        uint64_t k = (size_t)col[0] < nf ? code_pack(fl[col[0]].s, fl[col[0]].n) : 0;
        if (!k)
            continue;
        if (t->n == cap) {
            cap = cap ? cap * 2 : 4096;
            t->p = mem_realloc(t->p, cap * sizeof *t->p);
        }
        for (int c = 0; c < NYU_NCLASS; c++) {
            double v = 0;
            const char *s = (size_t)col[c + 1] < nf ? fl[col[c + 1]].s : "";
            size_t n = (size_t)col[c + 1] < nf ? fl[col[c + 1]].n : 0;
            str_trim(&s, &n);
            if (n && str_to_double(s, n, &v) != 0) {
                status = err_at(e, ERR_INPUT, path, f.r.rec_line, fl[col[c + 1]].col, nyu_names[c],
                                "not a probability");
                goto out;
            }
            t->p[t->n][c] = (float)v;
        }
        *hmap_u64_put(&t->map, k, NULL) = t->n;
        t->n++;
    }
    if (rc < 0)
        status = ERR_INPUT;
out:
    csvr_file_close(&f);
    if (status)
        nyu_free(t);
    return status;
}

void nyu_free(nyu_t *t)
{
    hmap_free(&t->map);
    mem_free(t->p);
    memset(t, 0, sizeof *t);
}

const float *nyu_lookup(const nyu_t *t, uint64_t dx)
{
    const uint64_t *i = hmap_u64_get(&t->map, dx);
    return i ? t->p[*i] : NULL;
}

int nyu_argmax(const float *p)
{
    int best = 0;
    for (int c = 1; c < NYU_NCLASS; c++)
        if (p[c] > p[best])
            best = c;
    return best;
}
