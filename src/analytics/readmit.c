/* readmit.c — see readmit.h for the rules and their sources. */
#include "analytics/readmit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/engine_internal.h"
#include "core/csvread.h"
#include "core/mem.h"
#include "refdata/refdata.h"

static int load_codes(hmap_t *m, const char *dir, const char *rel, const char *col, err_t *e)
{
    char path[1024];
    if (dir) {
        int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
        if (n < 0 || (size_t)n >= sizeof path)
            return err_set(e, ERR_USAGE, "path too long");
    } else {
        int rc = refdata_path(rel, path, sizeof path, e);
        if (rc)
            return rc;
    }
    csvr_file_t f;
    int rc = csvr_file_open(&f, path, e);
    if (rc)
        return rc;
    int c = csvr_file_col(&f, col);
    if (c < 0) {
        csvr_file_close(&f);
        return err_at(e, ERR_INPUT, path, 1, 0, col, "required column missing");
    }
    hmap_init_u64(m, 4096);
    while ((rc = csvr_next(&f.r, e)) == 1) {
        const csvr_field_t *fl = f.r.fields;
        uint64_t k = (size_t)c < f.r.nfields ? code_pack(fl[c].s, fl[c].n) : 0;
        if (k) /* an empty or invalid code names nothing */
            *hmap_u64_put(m, k, NULL) = 1;
    }
    csvr_file_close(&f);
    return rc < 0 ? ERR_INPUT : 0;
}

int readmit_load(readmit_refs_t *r, const char *dir, err_t *e)
{
    memset(r, 0, sizeof *r);
    int rc =
        load_codes(&r->acute_dx, dir, "readmission/acute_diagnosis_icd_10_cm.csv", "icd_10_cm", e);
    if (!rc)
        rc = load_codes(&r->planned_px, dir, "readmission/potentially_planned_icd_10_pcs.csv",
                        "icd_10_pcs", e);
    if (rc)
        readmit_free(r);
    return rc;
}

void readmit_free(readmit_refs_t *r)
{
    hmap_free(&r->acute_dx);
    hmap_free(&r->planned_px);
}

bool readmit_is_planned(const readmit_refs_t *r, uint64_t principal_dx, const uint64_t *px, int npx)
{
    bool potentially = false;
    for (int i = 0; i < npx && !potentially; i++)
        potentially = hmap_u64_get(&r->planned_px, px[i]) != NULL;
    return potentially && !hmap_u64_get(&r->acute_dx, principal_dx);
}

static int cmp_stay(const void *a, const void *b)
{
    const readmit_stay_t *x = a, *y = b;
    if (x->admit != y->admit)
        return x->admit < y->admit ? -1 : 1;
    if (x->disch != y->disch)
        return x->disch < y->disch ? -1 : 1;
    return 0;
}

static bool between(date_t x, date_t lo, date_t hi)
{
    return x >= lo && x <= hi;
}

void readmit_flag(readmit_stay_t *s, int n, date_t last_disch, int window_days)
{
    if (n > 1)
        qsort(s, (size_t)n, sizeof *s, cmp_stay);
    for (int i = 0; i < n; i++) {
        s[i].qualified = s[i].admit != DATE_NONE && s[i].disch != DATE_NONE &&
                         s[i].admit <= s[i].disch && s[i].has_dx && s[i].disp != READMIT_NO_DISP;
        s[i].index = s[i].readmit30 = s[i].unplanned30 = false;
        s[i].days_to_next = -1;
    }
    /* Overlapping pairs disqualify both (dates present on both). */
    for (int i = 0; i < n; i++) {
        if (s[i].admit == DATE_NONE || s[i].disch == DATE_NONE)
            continue;
        for (int j = i + 1; j < n; j++) {
            if (s[j].admit == DATE_NONE || s[j].disch == DATE_NONE)
                continue;
            if (s[j].admit > s[i].disch && s[j].admit > s[i].admit)
                break; /* sorted by admit: no later stay can overlap i */
            if (between(s[i].admit, s[j].admit, s[j].disch) ||
                between(s[i].disch, s[j].admit, s[j].disch) ||
                between(s[j].admit, s[i].admit, s[i].disch) ||
                between(s[j].disch, s[i].admit, s[i].disch)) {
                s[i].qualified = false;
                s[j].qualified = false;
            }
        }
    }
    int prev = -1;
    for (int i = 0; i < n; i++) {
        if (!s[i].qualified)
            continue;
        s[i].index = s[i].disp != 2 && s[i].disp != 7 && s[i].disp != 20 &&
                     last_disch != DATE_NONE && s[i].disch <= last_disch - window_days;
        if (prev >= 0) {
            int days = s[i].admit - s[prev].disch;
            s[prev].days_to_next = days;
            s[prev].readmit30 = days <= window_days;
            s[prev].unplanned30 = days <= window_days && !s[i].planned;
        }
        prev = i;
    }
}
