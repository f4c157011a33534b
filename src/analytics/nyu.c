/* nyu.c — loading and applying the NYU ED (Johnston ICD-10) table. */
#include "analytics/nyu.h"

#include <string.h>

#include "analytics/csvscan.h"
#include "analytics/engine_internal.h"
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
    csv_file_t f;
    int rc = csv_open(&f, path, e);
    if (rc)
        return rc;
    int16_t *slot = mem_calloc((size_t)f.ncols, sizeof *slot);
    for (int c = 0; c < f.ncols; c++)
        slot[c] = -1;
    int code = csv_col(&f, "icd10");
    if (code < 0) {
        mem_free(slot);
        csv_close(&f);
        return err_at(e, ERR_INPUT, path, 1, 0, "icd10", "required column missing");
    }
    slot[code] = 0;
    for (int k = 0; k < NYU_NCLASS; k++) {
        int c = csv_col(&f, nyu_names[k]);
        if (c < 0) {
            mem_free(slot);
            csv_close(&f);
            return err_at(e, ERR_INPUT, path, 1, 0, nyu_names[k], "required column missing");
        }
        slot[c] = (int16_t)(k + 1);
    }
    csv_chunk_t whole = { f.body, f.size, true };
    csv_reader_t r;
    csv_reader_init(&r, &f, &whole, slot, f.ncols, NYU_NCLASS + 1);
    csv_field_t fl[NYU_NCLASS + 1];
    size_t cap = 0;
    int status = 0;
    u64map_init(&t->map, 50000);
    while ((rc = csv_next(&r, fl, e)) == 1) {
        uint64_t k = code_pack(fl[0].p, fl[0].n);
        if (!k)
            continue;
        if (t->n == cap) {
            cap = cap ? cap * 2 : 4096;
            t->p = mem_realloc(t->p, cap * sizeof *t->p);
        }
        for (int c = 0; c < NYU_NCLASS; c++) {
            double v = 0;
            const char *s = fl[c + 1].p;
            size_t n = fl[c + 1].n;
            str_trim(&s, &n);
            if (n && str_to_double(s, n, &v) != 0) {
                status = err_at(e, ERR_INPUT, path, csv_line_of(&f, (size_t)(r.rec - f.data)), 0,
                                nyu_names[c], "not a probability");
                goto out;
            }
            t->p[t->n][c] = (float)v;
        }
        u64map_put(&t->map, k, (uint32_t)t->n);
        t->n++;
    }
    if (rc < 0)
        status = ERR_INPUT;
out:
    csv_reader_free(&r);
    mem_free(slot);
    csv_close(&f);
    if (status)
        nyu_free(t);
    return status;
}

void nyu_free(nyu_t *t)
{
    u64map_free(&t->map);
    mem_free(t->p);
    memset(t, 0, sizeof *t);
}

const float *nyu_lookup(const nyu_t *t, uint64_t dx)
{
    int64_t i = u64map_get(&t->map, dx);
    return i < 0 ? NULL : t->p[i];
}

int nyu_argmax(const float *p)
{
    int best = 0;
    for (int c = 1; c < NYU_NCLASS; c++)
        if (p[c] > p[best])
            best = c;
    return best;
}
