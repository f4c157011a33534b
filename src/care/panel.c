/* panel.c — loading the panel from the store (see panel.h).
 *
 * Scans come in natural-key order, so patients arrive sorted by person_id
 * (searches list them in that order) and are found through a hash map of
 * ids; per-patient lists (gaps, stays, ED visits)
 * are gathered as (patient, item) pairs, sorted by patient once, and each
 * patient points at its run.
 */
#include "care/panel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/hmap.h"
#include "core/mem.h"
#include "core/str.h"
#include "store/store.h"

typedef struct pidx_item {
    size_t pidx; /* the patient */
    size_t seq;  /* arrival order, so that the sort keeps it */
} pidx_item_t;

/* A growable array of items of one size with their patient index. */
typedef struct vec {
    void *items;
    pidx_item_t *keys;
    size_t n, cap, size;
} vec_t;

typedef struct npi_name {
    const char *npi, *name;
} npi_name_t;

struct panel {
    arena_t *a;
    panel_patient_t *pts;
    size_t n, cap;
    npi_name_t *docs;
    size_t ndocs, capdocs;
    hmap_t by_id, by_npi; /* person_id -> pts index, NPI -> docs index (keys in a) */
    date_t as_of, period_start, period_end;
    const char *population_json;
    vec_t gaps, hcc, stays, eds;
};

static const char *dup(arena_t *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static void *vec_push(vec_t *v, size_t pidx)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->items = mem_realloc(v->items, v->cap * v->size);
        v->keys = mem_realloc(v->keys, v->cap * sizeof *v->keys);
    }
    v->keys[v->n] = (pidx_item_t){ pidx, v->n };
    void *it = (char *)v->items + v->n * v->size;
    memset(it, 0, v->size);
    v->n++;
    return it;
}

static void vec_free(vec_t *v)
{
    mem_free(v->items);
    mem_free(v->keys);
}

static int cmp_key(const void *a, const void *b)
{
    const pidx_item_t *x = a, *y = b;
    if (x->pidx != y->pidx)
        return x->pidx < y->pidx ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts the items by patient into the arena; returns them, sets each
 * patient's start and count through set(). */
static void *vec_group(panel_t *p, vec_t *v, void (*set)(panel_patient_t *, const void *, size_t))
{
    if (!v->n)
        return NULL;
    qsort(v->keys, v->n, sizeof *v->keys, cmp_key);
    char *out = arena_alloc(p->a, v->n * v->size);
    for (size_t i = 0; i < v->n; i++)
        memcpy(out + i * v->size, (char *)v->items + v->keys[i].seq * v->size, v->size);
    for (size_t i = 0; i < v->n;) {
        size_t j = i;
        while (j < v->n && v->keys[j].pidx == v->keys[i].pidx)
            j++;
        set(&p->pts[v->keys[i].pidx], out + i * v->size, j - i);
        i = j;
    }
    return out;
}

static void set_gaps(panel_patient_t *pt, const void *items, size_t n)
{
    pt->gaps = items;
    pt->ngaps = n;
}
static void set_hcc(panel_patient_t *pt, const void *items, size_t n)
{
    pt->hcc_gaps = items;
    pt->nhcc_gaps = n;
}
static void set_stays(panel_patient_t *pt, const void *items, size_t n)
{
    pt->stays = items;
    pt->nstays = n;
}
static void set_eds(panel_patient_t *pt, const void *items, size_t n)
{
    pt->eds = items;
    pt->neds = n;
}

static long find_index(const panel_t *p, const char *id)
{
    const uint64_t *v = id ? hmap_str_getz(&p->by_id, id) : NULL;
    return v ? (long)*v : -1;
}

/* ---- the scans ---------------------------------------------------------- */

static int on_practitioner(void *ctx, const store_practitioner_t *r, err_t *e)
{
    (void)e;
    panel_t *p = ctx;
    if (p->ndocs == p->capdocs) {
        p->capdocs = p->capdocs ? p->capdocs * 2 : 256;
        p->docs = mem_realloc(p->docs, p->capdocs * sizeof *p->docs);
    }
    const char *cred = r->credential && *r->credential ? r->credential : NULL;
    const char *npi = dup(p->a, r->npi); /* the map borrows its keys: the arena's copy */
    if (npi) {
        bool added;
        *hmap_str_put(&p->by_npi, npi, strlen(npi), &added) = p->ndocs;
    }
    p->docs[p->ndocs++] = (npi_name_t){
        npi,
        arena_printf(p->a, "%s %s%s%s", r->first_name ? r->first_name : "",
                     r->last_name ? r->last_name : "", cred ? ", " : "", cred ? cred : ""),
    };
    return 0;
}

static int on_patient(void *ctx, const store_patient_t *r, err_t *e)
{
    (void)e;
    panel_t *p = ctx;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->pts = mem_realloc(p->pts, p->cap * sizeof *p->pts);
    }
    panel_patient_t *pt = &p->pts[p->n++];
    memset(pt, 0, sizeof *pt);
    pt->person_id = dup(p->a, r->person_id);
    bool added;
    *hmap_str_put(&p->by_id, pt->person_id, strlen(pt->person_id), &added) = p->n - 1;
    pt->first_name = dup(p->a, r->first_name);
    pt->last_name = dup(p->a, r->last_name);
    pt->gender = dup(p->a, r->gender);
    pt->phone = dup(p->a, r->phone);
    pt->address = dup(p->a, r->address);
    pt->city = dup(p->a, r->city);
    pt->state = dup(p->a, r->state);
    pt->zip_code = dup(p->a, r->zip_code);
    pt->birth_date = r->birth_date;
    pt->death_date = r->death_date;
    pt->risk_score = NAN;
    pt->probability = NAN;
    return 0;
}

static const char *doc_name(const panel_t *p, const char *npi)
{
    const uint64_t *v = npi ? hmap_str_getz(&p->by_npi, npi) : NULL;
    return v ? p->docs[*v].name : NULL;
}

static int on_result(void *ctx, const store_analysis_patient_t *r, err_t *e)
{
    (void)e;
    panel_t *p = ctx;
    long i = find_index(p, r->person_id);
    if (i < 0)
        return 0;
    panel_patient_t *pt = &p->pts[i];
    pt->analysed = true;
    pt->pcp_npi = dup(p->a, r->attributed_npi);
    pt->pcp_name = doc_name(p, r->attributed_npi);
    pt->risk_score = r->risk_score;
    pt->probability = r->probability;
    pt->tier = dup(p->a, r->tier);
    pt->conditions = dup(p->a, r->conditions);
    pt->top_factors = dup(p->a, r->top_factors);
    pt->hcc_count = r->hcc_count;
    pt->chronic_count = r->chronic_count;
    pt->ed_visits = r->ed_visits;
    pt->ed_avoidable = r->ed_avoidable;
    pt->ip_admits = r->ip_admits;
    pt->readmissions = r->readmissions;
    pt->ccm_eligible = r->ccm_eligible == 1;
    pt->pcm_eligible = r->pcm_eligible == 1;
    pt->cost = r->cost;
    pt->pmpm = r->pmpm;
    return 0;
}

static int on_hcc_gap(void *ctx, const store_analysis_gap_t *r, err_t *e)
{
    (void)e;
    panel_t *p = ctx;
    long i = find_index(p, r->person_id);
    if (i < 0)
        return 0;
    panel_hcc_gap_t *g = vec_push(&p->hcc, (size_t)i);
    *g = (panel_hcc_gap_t){ dup(p->a, r->kind), dup(p->a, r->code), dup(p->a, r->description),
                            dup(p->a, r->evidence), r->hcc };
    return 0;
}

static int on_stay(void *ctx, const store_analysis_discharge_t *r, err_t *e)
{
    (void)e;
    panel_t *p = ctx;
    long i = find_index(p, r->person_id);
    if (i < 0)
        return 0;
    panel_stay_t *s = vec_push(&p->stays, (size_t)i);
    *s = (panel_stay_t){ r->admission_date,
                         r->discharge_date,
                         dup(p->a, r->principal_dx),
                         dup(p->a, r->discharge_disposition),
                         r->unplanned_readmit_30 == 1,
                         r->lace };
    return 0;
}

static int on_ed(void *ctx, const store_analysis_ed_visit_t *r, err_t *e)
{
    (void)e;
    panel_t *p = ctx;
    long i = find_index(p, r->person_id);
    if (i < 0)
        return 0;
    panel_ed_t *v = vec_push(&p->eds, (size_t)i);
    *v = (panel_ed_t){ r->visit_date, dup(p->a, r->principal_dx), dup(p->a, r->nyu_class),
                       r->avoidable_probability };
    return 0;
}

static int on_population(void *ctx, const store_analysis_population_t *r, err_t *e)
{
    (void)e;
    panel_t *p = ctx;
    p->population_json = dup(p->a, r->summary_json);
    return 0;
}

static int on_summary_period(void *ctx, const store_measure_summary_t *r, err_t *e)
{
    (void)e;
    panel_t *p = ctx;
    if (p->period_end == DATE_NONE || r->period_end > p->period_end) {
        p->period_end = r->period_end;
        p->period_start = r->period_start;
    }
    return 0;
}

static int on_care_gap(void *ctx, const store_care_gap_t *r, err_t *e)
{
    (void)e;
    panel_t *p = ctx;
    long i = find_index(p, r->person_id);
    if (i < 0)
        return 0;
    panel_gap_t *g = vec_push(&p->gaps, (size_t)i);
    *g = (panel_gap_t){ dup(p->a, r->measure_id),
                        dup(p->a, r->group_id),
                        dup(p->a, r->gap_text),
                        dup(p->a, r->evidence),
                        dup(p->a, r->next_action),
                        dup(p->a, r->priority),
                        r->due_date };
    return 0;
}

int panel_load(store_t *s, panel_t **out, err_t *e)
{
    *out = NULL;
    panel_t *p = mem_calloc(1, sizeof *p);
    p->a = arena_new(1 << 20);
    p->as_of = p->period_start = p->period_end = DATE_NONE;
    hmap_init_str(&p->by_id, 0, false);
    hmap_init_str(&p->by_npi, 0, false);
    p->gaps.size = sizeof(panel_gap_t);
    p->hcc.size = sizeof(panel_hcc_gap_t);
    p->stays.size = sizeof(panel_stay_t);
    p->eds.size = sizeof(panel_ed_t);
    int rc = store_scan_practitioner(s, on_practitioner, p, e);
    if (!rc)
        rc = store_scan_patient(s, on_patient, p, e);
    if (!rc)
        rc = store_latest_analysis(s, &p->as_of, e);
    if (!rc && p->as_of != DATE_NONE) {
        rc = store_scan_analysis_patient(s, p->as_of, on_result, p, e);
        if (!rc)
            rc = store_scan_analysis_gap(s, p->as_of, on_hcc_gap, p, e);
        if (!rc)
            rc = store_scan_analysis_discharge(s, p->as_of, on_stay, p, e);
        if (!rc)
            rc = store_scan_analysis_ed_visit(s, p->as_of, on_ed, p, e);
        if (!rc)
            rc = store_scan_analysis_population(s, p->as_of, on_population, p, e);
    }
    if (!rc)
        rc = store_scan_measure_summary(s, DATE_NONE, DATE_NONE, NULL, on_summary_period, p, e);
    if (!rc && p->period_end != DATE_NONE)
        rc = store_scan_care_gap(s, p->period_start, p->period_end, NULL, on_care_gap, p, e);
    if (rc) {
        panel_free(p);
        return rc;
    }
    vec_group(p, &p->gaps, set_gaps);
    vec_group(p, &p->hcc, set_hcc);
    vec_group(p, &p->stays, set_stays);
    vec_group(p, &p->eds, set_eds);
    *out = p;
    return 0;
}

void panel_free(panel_t *p)
{
    if (!p)
        return;
    vec_free(&p->gaps);
    vec_free(&p->hcc);
    vec_free(&p->stays);
    vec_free(&p->eds);
    hmap_free(&p->by_id);
    hmap_free(&p->by_npi);
    mem_free(p->pts);
    mem_free(p->docs);
    arena_free(p->a);
    mem_free(p);
}

size_t panel_count(const panel_t *p)
{
    return p->n;
}

date_t panel_as_of(const panel_t *p)
{
    return p->as_of;
}

date_t panel_period_end(const panel_t *p)
{
    return p->period_end;
}

const char *panel_population_json(const panel_t *p)
{
    return p->population_json;
}

const panel_patient_t *panel_find(const panel_t *p, const char *person_id)
{
    long i = find_index(p, person_id);
    return i < 0 ? NULL : &p->pts[i];
}

const panel_patient_t *panel_at(const panel_t *p, size_t i)
{
    return i < p->n ? &p->pts[i] : NULL;
}

static bool prefix_ci(const char *s, const char *pre, size_t n)
{
    return s && strncasecmp(s, pre, n) == 0;
}

static bool matches(const panel_patient_t *pt, const panel_query_t *q, size_t tl)
{
    if (q->only_id && strcmp(pt->person_id, q->only_id) != 0)
        return false;
    if (tl && !prefix_ci(pt->first_name, q->text, tl) && !prefix_ci(pt->last_name, q->text, tl) &&
        strcmp(pt->person_id, q->text) != 0)
        return false;
    if (q->birth_date != DATE_NONE && pt->birth_date != q->birth_date)
        return false;
    if (q->pcp && *q->pcp && (!pt->pcp_npi || strcmp(pt->pcp_npi, q->pcp) != 0))
        return false;
    if (q->tier && *q->tier && (!pt->tier || strcmp(pt->tier, q->tier) != 0))
        return false;
    if (q->open_gaps && pt->ngaps == 0)
        return false;
    return true;
}

size_t panel_search(const panel_t *p, const panel_query_t *q, size_t offset, size_t limit,
                    const panel_patient_t **out)
{
    size_t tl = q->text ? strlen(q->text) : 0, total = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!matches(&p->pts[i], q, tl))
            continue;
        if (total >= offset && total - offset < limit)
            out[total - offset] = &p->pts[i];
        total++;
    }
    return total;
}
