/* engine_run.c — the per-patient pass and the population summaries.
 *
 * Patients are split into blocks; each worker thread takes blocks and, for
 * each patient, groups the claim lines into claims and derives everything at
 * once (docs/analytics.md states each rule). Population totals go to
 * per-worker accumulators merged at the end, so nothing is shared while the
 * pass runs. The predictive model is then fitted on the features the pass
 * computed at the training cutoff, tested at the later cutoff and applied at
 * as_of.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/charlson.h"
#include "analytics/conditions.h"
#include "analytics/engine_internal.h"
#include "analytics/hcc.h"
#include "analytics/lace.h"
#include "analytics/model.h"
#include "analytics/nyu.h"
#include "analytics/par.h"
#include "analytics/readmit.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/progress.h"

const char *const engine_cat_names[NCAT] = {
    "inpatient", "outpatient", "professional", "ed", "snf", "home_health", "dme", "pharmacy"
};

/* Model features, computed at a cutoff date T from the 12 months before it. */
static const char *const feat_names[NFEAT] = { "age",
                                               "female",
                                               "dual",
                                               "ed_visits_12m",
                                               "ed_visits_6m",
                                               "admits_12m",
                                               "snf_stays_12m",
                                               "log_cost_12m",
                                               "chronic_count",
                                               "chf",
                                               "copd",
                                               "ckd",
                                               "diabetes",
                                               "depression",
                                               "dementia",
                                               "pcp_visits_12m",
                                               "log_rx_fills_12m",
                                               "discharge_90d" };

static const char *const feat_labels[NFEAT] = {
    "age",
    "female",
    "dual eligible",
    "ED visits in the last 12 months",
    "ED visits in the last 6 months",
    "admissions in the last 12 months",
    "SNF stays in the last 12 months",
    "high cost in the last 12 months",
    "number of chronic conditions",
    "heart failure",
    "COPD",
    "chronic kidney disease",
    "diabetes",
    "depression",
    "dementia",
    "primary-care visits",
    "many prescription fills",
    "discharged in the last 90 days",
};

/* Primary-care services for assignment, 42 CFR 425.400(c)(1): office and
 * outpatient E&M 99201-99215; nursing facility 99304-99318 (not in a SNF,
 * POS 31); domiciliary and rest home 99324-99340; home 99341-99350; online
 * digital E&M 99421-99423; CCM 99487, 99489-99491, 99437, 99439; PCM
 * 99424-99427; TCM 99495-99496; advance care planning 99497-99498; BHI 99484,
 * 99492-99494; IPPE/AWV G0402, G0438, G0439; G0463; virtual check-ins G2010,
 * G2012; G0506; G2211. */
typedef struct pc_codes {
    uint32_t lo[12], hi[12], single[8], nf_lo, nf_hi, ed_lo, ed_hi;
} pc_codes_t;

static void pc_codes_init(pc_codes_t *pc)
{
    static const char *const ranges[12][2] = {
        { "99201", "99215" }, { "99324", "99340" }, { "99341", "99350" }, { "99421", "99423" },
        { "99487", "99487" }, { "99489", "99491" }, { "99437", "99437" }, { "99439", "99439" },
        { "99424", "99427" }, { "99495", "99498" }, { "99484", "99484" }, { "99492", "99494" }
    };
    static const char *const singles[8] = { "G0402", "G0438", "G0439", "G0463",
                                            "G2010", "G2012", "G0506", "G2211" };
    for (int i = 0; i < 12; i++) {
        pc->lo[i] = hcpcs_lit(ranges[i][0]);
        pc->hi[i] = hcpcs_lit(ranges[i][1]);
    }
    for (int i = 0; i < 8; i++)
        pc->single[i] = hcpcs_lit(singles[i]);
    pc->nf_lo = hcpcs_lit("99304");
    pc->nf_hi = hcpcs_lit("99318");
    pc->ed_lo = hcpcs_lit("99281");
    pc->ed_hi = hcpcs_lit("99285");
}

static bool is_primary_care_service(const pc_codes_t *pc, uint32_t h, uint8_t pos)
{
    if (!h)
        return false;
    if (h >= pc->nf_lo && h <= pc->nf_hi)
        return pos != 31;
    for (int i = 0; i < 12; i++)
        if (h >= pc->lo[i] && h <= pc->hi[i])
            return true;
    for (int i = 0; i < 8; i++)
        if (h == pc->single[i])
            return true;
    return false;
}

/* Insulin products by NDC labeler-product (first 9 of the 11 digits), for the
 * "insulin without a diabetes diagnosis" suspect. */
static const uint64_t insulin_products[] = {
    /* Lantus 00088-2220, Humalog 00002-7510, Humulin R 00002-8215, Humulin N
     * 00002-8315, Novolog 00169-7501, Levemir 00169-3687 */
    882220ULL, 27510ULL, 28215ULL, 28315ULL, 1697501ULL, 1693687ULL,
};

static bool is_insulin(uint64_t ndc11)
{
    uint64_t prod = ndc11 / 100;
    for (size_t i = 0; i < sizeof insulin_products / sizeof insulin_products[0]; i++)
        if (prod == insulin_products[i])
            return true;
    return false;
}

/* eGFR LOINC codes (digits without the check-digit dash). */
static bool is_egfr(uint32_t l)
{
    static const uint32_t codes[] = { 339143, 486423, 486431, 622381, 882936,
                                      882944, 989798, 500447, 502104, 694059 };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i] == l)
            return true;
    return false;
}

static bool is_a1c(uint32_t l)
{
    return l == 45484 || l == 178566; /* 4548-4, 17856-6 */
}

/* ---- per-worker state --------------------------------------------------- */

typedef struct claim {
    uint64_t id;
    date_t start, end, admit, disch;
    money_t amount;
    uint32_t line0, nlines; /* into the worker's sorted line order */
    uint32_t dx0, ndx;      /* into the worker's claim dx pool */
    uint32_t px0, npx;
    uint32_t npi;
    uint16_t bill;
    uint8_t ctype, cat, atype, disp, pos;
    bool ed, edrev, dme, inpatient, snf, hcc_ok;
    int8_t innet;
    uint32_t charlson; /* condition mask of its diagnoses */
} claim_t;

typedef struct visit {
    date_t date;
    uint64_t dx, fac_dx, prof_dx;
    int cls;
    float avoid, avoid_np;
    bool classified;
} visit_t;

typedef struct stay {
    date_t admit, disch;
    uint64_t dx;
    uint8_t disp;
    bool acute, planned;
    uint32_t charlson;
} stay_t;

#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }
#define VEC_PUSH(vec, x)                                                                           \
    do {                                                                                           \
        if ((vec).n == (vec).cap) {                                                                \
            (vec).cap = (vec).cap ? (vec).cap * 2 : 64;                                            \
            (vec).v = mem_realloc((vec).v, (vec).cap * sizeof *(vec).v);                           \
        }                                                                                          \
        (vec).v[(vec).n++] = (x);                                                                  \
    } while (0)
#define VEC_RESERVE(vec, k)                                                                        \
    do {                                                                                           \
        if ((vec).cap < (k)) {                                                                     \
            (vec).cap = (k) + 64;                                                                  \
            (vec).v = mem_realloc((vec).v, (vec).cap * sizeof *(vec).v);                           \
        }                                                                                          \
    } while (0)

typedef struct line_ref {
    uint32_t line; /* index into the engine's med table */
    uint32_t dx0;  /* into med.dx */
    uint8_t ndx, npx;
    uint32_t px0;
} line_ref_t;

typedef struct worker {
    VEC(line_ref_t) lines;
    VEC(claim_t) claims;
    VEC(uint64_t) cdx; /* claim diagnoses */
    VEC(uint64_t) cpx;
    VEC(visit_t) visits;
    VEC(stay_t) stays;
    VEC(readmit_stay_t) rstays;
    VEC(uint64_t) dxs; /* scratch */
    VEC(ed_row_t) eds;
    VEC(dis_row_t) dis;
    VEC(gap_row_t) gaps;
    hmap_t charlson_cache; /* packed dx -> condition + 1 (0 = none) */
    hmap_t hcc_cpt_cache;  /* packed hcpcs -> 1 eligible, 2 not */
    hcc_result_t *hres;
    /* Population accumulators. */
    long mm[NMONTHS];
    money_t cost[NMONTHS][NCAT];
    long ed_visits, ed_classified, ed_cls[NYU_NCLASS];
    double ed_avoid, ed_avoid_np;
    long ip, index, readm, unpl, snf;
    money_t leak_total, spec_total;
    money_t *leak_by_spec;
    long pcm, ccm, tiers[5];
} worker_t;

typedef struct run_ctx {
    engine_t *en;
    nyu_t nyu;
    readmit_refs_t rr;
    cond_table_t cond;
    hcc_tables_t *hcc;
    hcc_payment_settings_t pay;
    worker_t *w;
    int nworkers;
    size_t block;
    int nblocks;
    date_t cut[3]; /* train, test, score */
    pc_codes_t pc;
    progress_t *prog;
} run_ctx_t;

static int cmp_line(const void *a, const void *b, const engine_t *en)
{
    const line_ref_t *x = a, *y = b;
    uint64_t cx = en->med.claim[x->line], cy = en->med.claim[y->line];
    if (cx != cy)
        return cx < cy ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Small insertion sort, merge-free: patients have tens of lines. */
static void sort_lines(line_ref_t *v, size_t n, const engine_t *en)
{
    for (size_t i = 1; i < n; i++) {
        line_ref_t t = v[i];
        size_t j = i;
        while (j > 0 && cmp_line(&v[j - 1], &t, en) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
    }
}

static int cmp_claim_date(const void *a, const void *b)
{
    const claim_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static bool is_ed_rev(uint16_t rev)
{
    return (rev >= 450 && rev <= 459) || rev == 981;
}

/* DMEPOS HCPCS: Tuva's DME service category is professional claims with HCPCS
 * E0100-E8002 (equipment); we add the Level II supply and device ranges
 * A4000-A8999 (e.g. A4253 test strips) and K0000-K0999, which Medicare also
 * pays through the DME MACs. The Tuva input layer has no "dme" claim_type,
 * so without this the DME category could never fill on Tuva data. */
#define HC_D(c) ((c) >= 'A' ? (uint32_t)((c) - 'A' + 11) : (uint32_t)((c) - '0' + 1))
/* hcpcs_lit() as a constant expression (same base-37 packing). */
#define HC_LIT(s)                                                                                  \
    ((((HC_D(s[0]) * 37 + HC_D(s[1])) * 37 + HC_D(s[2])) * 37 + HC_D(s[3])) * 37 + HC_D(s[4]))
static bool is_dme_hcpcs(uint32_t h)
{
    return h && ((h >= HC_LIT("E0100") && h <= HC_LIT("E8002")) ||
                 (h >= HC_LIT("A4000") && h <= HC_LIT("A8999")) ||
                 (h >= HC_LIT("K0000") && h <= HC_LIT("K0999")));
}

/* Service category of a claim (docs/analytics.md). */
static uint8_t claim_category(const claim_t *c)
{
    if (c->ctype == CT_DME || (c->ctype == CT_PROF && c->dme))
        return CAT_DME;
    if (c->ctype == CT_INST) {
        int tob = c->bill / 10;
        if (tob == 11)
            return CAT_IP;
        if (tob == 21 || tob == 18)
            return CAT_SNF;
        if (tob == 32 || tob == 33 || tob == 34)
            return CAT_HH;
        if (c->edrev)
            return CAT_ED;
        return CAT_OP;
    }
    if (c->pos == 23)
        return CAT_ED;
    return CAT_PROF;
}

static int charlson_of(worker_t *w, uint64_t dx)
{
    const uint64_t *v = hmap_u64_get(&w->charlson_cache, dx);
    if (v)
        return (int)*v - 1;
    char s[9];
    code_unpack(dx, s);
    int c = charlson_condition_of(s);
    *hmap_u64_put(&w->charlson_cache, dx, NULL) = (uint64_t)(c + 1);
    return c;
}

static int charlson_from_mask(uint32_t m)
{
    if (m & (1u << CHARLSON_SEVERE_LIVER))
        m &= ~(1u << CHARLSON_MILD_LIVER);
    if (m & (1u << CHARLSON_DIABETES_COMP))
        m &= ~(1u << CHARLSON_DIABETES);
    if (m & (1u << CHARLSON_METASTATIC))
        m &= ~(1u << CHARLSON_CANCER);
    int idx = 0;
    for (int c = 0; c < CHARLSON_COUNT; c++)
        if (m & (1u << c))
            idx += charlson_weight((charlson_condition_t)c);
    return idx;
}

static bool hcpcs_hcc_eligible(run_ctx_t *c, worker_t *w, uint32_t h)
{
    if (!h || !c->hcc)
        return false;
    const uint64_t *v = hmap_u64_get(&w->hcc_cpt_cache, h);
    if (!v) {
        char s[6];
        hcpcs_unpack(h, s);
        uint64_t *added = hmap_u64_put(&w->hcc_cpt_cache, h, NULL);
        *added = hcc_tables_cpt_eligible(c->hcc, s) ? 1 : 2;
        v = added;
    }
    return *v == 1;
}

/* CMS's filter (hcc.h): inpatient 11X/41X always; outpatient types with an
 * eligible CPT/HCPCS; professional with an eligible CPT/HCPCS. */
static bool claim_hcc_eligible(run_ctx_t *c, worker_t *w, const claim_t *cl)
{
    const engine_t *en = c->en;
    if (cl->ctype == CT_INST) {
        int tob = cl->bill / 10;
        if (tob == 11 || tob == 41)
            return true;
        if (!(tob == 12 || tob == 13 || tob == 43 || tob == 71 || tob == 73 || tob == 76 ||
              tob == 77 || tob == 85 || tob == 87))
            return false;
    } else if (cl->ctype != CT_PROF) {
        return false;
    }
    for (uint32_t k = 0; k < cl->nlines; k++)
        if (hcpcs_hcc_eligible(c, w, en->med.hcpcs[w->lines.v[cl->line0 + k].line]))
            return true;
    return false;
}

static int month_slot(const run_ctx_t *c, date_t d)
{
    int m = date_month_index(d) - c->en->month0;
    return m >= 0 && m < NMONTHS ? m : -1;
}

/* Enrolled at any day of the calendar month of index mi. */
static bool enrolled_month(const engine_t *en, size_t p, int mi)
{
    int y = mi / 12, m = mi % 12 + 1;
    date_t first = date_from_ymd(y, m, 1);
    date_t last = first + date_days_in_month(y, m) - 1;
    for (size_t s = en->span_off[p]; s < en->span_off[p + 1]; s++)
        if (en->spans.start[s] <= last && en->spans.end[s] >= first)
            return true;
    return false;
}

static bool enrolled_on(const engine_t *en, size_t p, date_t d)
{
    for (size_t s = en->span_off[p]; s < en->span_off[p + 1]; s++)
        if (en->spans.start[s] <= d && en->spans.end[s] >= d)
            return true;
    return false;
}

static void add_gap(worker_t *w, int32_t p, uint8_t kind, int hcc, uint64_t code, const char *what,
                    const char *evidence)
{
    gap_row_t g = { p, kind, (int16_t)hcc, code, { 0 }, { 0 } };
    snprintf(g.what, sizeof g.what, "%s", what);
    snprintf(g.evidence, sizeof g.evidence, "%s", evidence);
    VEC_PUSH(w->gaps, g);
}

/* Features at cutoff T from the 12 months (T-12m, T]. */
static void features_at(run_ctx_t *c, worker_t *w, size_t p, date_t T, float *f, uint8_t *label)
{
    const engine_t *en = c->en;
    date_t lo = date_add_months(T, -12), lo6 = date_add_months(T, -6);
    date_t hi_label = date_add_months(T, c->en->s.horizon_months);
    memset(f, 0, NFEAT * sizeof *f);
    int age = en->pp.birth[p] != DATE_NONE ? date_age(en->pp.birth[p], T) : 70;
    f[0] = (float)(age < 0 ? 0 : age) / 10.0f;
    f[1] = en->pp.sex[p] == 2;
    f[2] = en->pp.dual[p];
    bool outcome = false;
    for (size_t i = 0; i < w->visits.n; i++) {
        date_t d = w->visits.v[i].date;
        if (d > lo && d <= T)
            f[3]++;
        if (d > lo6 && d <= T)
            f[4]++;
        if (d > T && d <= hi_label)
            outcome = true;
    }
    for (size_t i = 0; i < w->stays.n; i++) {
        const stay_t *s = &w->stays.v[i];
        if (s->admit > lo && s->admit <= T)
            f[5]++;
        if (s->disch != DATE_NONE && s->disch <= T && s->disch > T - 90)
            f[17] = 1;
        if (s->admit > T && s->admit <= hi_label)
            outcome = true;
    }
    double cost = 0;
    uint32_t cond = 0;
    for (size_t k = 0; k < w->claims.n; k++) {
        const claim_t *cl = &w->claims.v[k];
        if (cl->start <= lo || cl->start > T)
            continue;
        cost += money_to_dollars(cl->amount);
        if (cl->snf)
            f[6]++;
        for (uint32_t j = 0; j < cl->ndx; j++)
            cond |= cond_mask(&c->cond, w->cdx.v[cl->dx0 + j]);
        for (uint32_t j = 0; j < cl->nlines; j++)
            if (is_primary_care_service(&c->pc, en->med.hcpcs[w->lines.v[cl->line0 + j].line],
                                        cl->pos))
                f[15]++;
    }
    int fills = 0;
    for (size_t r = en->rx_off[p]; r < en->rx_off[p + 1]; r++)
        if (en->rx.date[r] > lo && en->rx.date[r] <= T) {
            fills++;
            cost += money_to_dollars(en->rx.amount[r]);
        }
    f[7] = (float)log1p(cost > 0 ? cost : 0);
    f[8] = (float)__builtin_popcount(cond);
    f[9] = (cond >> COND_CHF) & 1;
    f[10] = (cond >> COND_COPD) & 1;
    f[11] = (cond >> COND_CKD) & 1;
    f[12] = (cond >> COND_DIABETES) & 1;
    f[13] = (cond >> COND_DEPRESSION) & 1;
    f[14] = (cond >> COND_DEMENTIA) & 1;
    f[16] = (float)log1p(fills);
    if (f[3] > 10)
        f[3] = 10;
    if (f[15] > 24)
        f[15] = 24;
    if (label)
        *label = outcome;
}

/* ---- one patient ---------------------------------------------------------
 *
 * analyze_patient runs the numbered steps below in order, one static function
 * each; pat_t carries what a step hands on to later ones (the claims, visits
 * and stays themselves live in the worker's vectors). */

/* An attribution candidate (step 3 gathers them, step 4 picks one). */
typedef struct pat_cand {
    uint32_t npi;
    money_t amt;
    date_t last;
    bool pcp;
} pat_cand_t;

typedef struct pat {
    run_ctx_t *c;
    worker_t *w;
    engine_t *en;
    const med_tab_t *m;
    size_t p;
    date_t as_of, ws;
    bool enrolled[NMONTHS]; /* 2: enrolled in month slot k */
    int mm_win;             /* 2: member months in the window */
    money_t cost;           /* 3: spend in the window */
    pat_cand_t cands[16];   /* 3 */
    int ncand;
    uint32_t att; /* 4: attributed NPI and the step that chose it */
    int step;
    int ed_win, ed_av;              /* 5 */
    int snf_win, ip_win, readm_win; /* 6 */
    uint32_t cond_seen, cond_ok;    /* 7 */
    int chronic;
    bool high_risk;
    VEC(uint64_t) prior; /* 7: last year's HCC-eligible diagnoses, for 9 */
    double risk;         /* 8 */
    int nh;
} pat_t;

/* Step 1 for one claim: folds the sorted lines from i that share its claim id
 * into a claim_t; returns the first line of the next claim. */
static size_t pat_claim(pat_t *x, size_t i)
{
    run_ctx_t *c = x->c;
    worker_t *w = x->w;
    const med_tab_t *m = x->m;
    size_t j = i;
    uint64_t id = m->claim[w->lines.v[i].line];
    claim_t cl = { 0 };
    cl.id = id;
    cl.start = cl.end = cl.admit = cl.disch = DATE_NONE;
    cl.disp = NO_DISP;
    cl.innet = -1;
    cl.line0 = (uint32_t)i;
    cl.dx0 = (uint32_t)w->cdx.n;
    cl.px0 = (uint32_t)w->cpx.n;
    for (; j < w->lines.n && m->claim[w->lines.v[j].line] == id; j++) {
        const line_ref_t *lr = &w->lines.v[j];
        size_t l = lr->line;
        if (cl.start == DATE_NONE || m->start[l] < cl.start)
            cl.start = m->start[l];
        if (cl.end == DATE_NONE || m->end[l] > cl.end)
            cl.end = m->end[l];
        if (m->admit[l] != DATE_NONE)
            cl.admit = m->admit[l];
        if (m->disch[l] != DATE_NONE)
            cl.disch = m->disch[l];
        /* Header fields: the first line that has them. */
        if (cl.disp == NO_DISP)
            cl.disp = m->disp[l];
        if (!cl.atype)
            cl.atype = m->atype[l];
        if (!cl.ctype)
            cl.ctype = m->ctype[l];
        if (!cl.bill)
            cl.bill = m->bill[l];
        if (m->pos[l] == 23 || !cl.pos)
            cl.pos = m->pos[l] ? m->pos[l] : cl.pos;
        if (!cl.npi)
            cl.npi = m->npi[l];
        if (m->innet[l] == 0 || cl.innet < 0)
            cl.innet = m->innet[l] >= 0 ? m->innet[l] : cl.innet;
        cl.edrev |= is_ed_rev(m->rev[l]);
        cl.dme |= is_dme_hcpcs(m->hcpcs[l]);
        cl.amount += m->amount[l];
        for (int k = 0; k < lr->ndx; k++) {
            uint64_t d = m->dx[lr->dx0 + k];
            bool dup = false;
            for (uint32_t q = cl.dx0; q < w->cdx.n && !dup; q++)
                dup = w->cdx.v[q] == d;
            if (!dup)
                VEC_PUSH(w->cdx, d);
        }
        for (int k = 0; k < lr->npx; k++)
            VEC_PUSH(w->cpx, m->px[lr->px0 + k]);
    }
    cl.nlines = (uint32_t)(j - i);
    cl.ndx = (uint32_t)w->cdx.n - cl.dx0;
    cl.npx = (uint32_t)w->cpx.n - cl.px0;
    cl.inpatient = cl.ctype == CT_INST && cl.bill / 10 == 11;
    cl.snf = cl.ctype == CT_INST && cl.bill / 10 == 21;
    cl.cat = claim_category(&cl);
    if (cl.ctype == CT_INST)
        cl.ed = cl.edrev && !cl.inpatient && !cl.snf;
    else if (cl.ctype == CT_PROF) {
        cl.ed = cl.pos == 23;
        for (uint32_t k = 0; k < cl.nlines && !cl.ed; k++) {
            uint32_t h = m->hcpcs[w->lines.v[i + k].line];
            cl.ed = h >= c->pc.ed_lo && h <= c->pc.ed_hi;
        }
    }
    for (uint32_t k = 0; k < cl.ndx; k++) {
        int cc = charlson_of(w, w->cdx.v[cl.dx0 + k]);
        if (cc >= 0)
            cl.charlson |= 1u << cc;
    }
    VEC_PUSH(w->claims, cl);
    return j;
}

/* 1. Lines -> claims, in date order. */
static void pat_claims(pat_t *x)
{
    engine_t *en = x->en;
    worker_t *w = x->w;
    const med_tab_t *m = x->m;
    size_t a = en->med_off[x->p], b = en->med_off[x->p + 1];
    w->lines.n = w->claims.n = w->cdx.n = w->cpx.n = 0;
    w->visits.n = w->stays.n = 0;
    VEC_RESERVE(w->lines, b - a);
    size_t dxi = en->dx_off[x->p], pxi = en->px_off[x->p];
    for (size_t i = a; i < b; i++) {
        w->lines.v[w->lines.n++] =
            (line_ref_t){ (uint32_t)i, (uint32_t)dxi, m->ndx[i], m->npx[i], (uint32_t)pxi };
        dxi += m->ndx[i];
        pxi += m->npx[i];
    }
    sort_lines(w->lines.v, w->lines.n, en);
    for (size_t i = 0; i < w->lines.n;)
        i = pat_claim(x, i);
    if (w->claims.n > 1) /* v is NULL until a worker's first claim */
        qsort(w->claims.v, w->claims.n, sizeof *w->claims.v, cmp_claim_date);
}

/* 2. Member months. */
static void pat_member_months(pat_t *x)
{
    engine_t *en = x->en;
    int win_m0 = date_month_index(x->ws) - en->month0;
    for (int k = 0; k < NMONTHS; k++) {
        x->enrolled[k] = enrolled_month(en, x->p, en->month0 + k);
        if (x->enrolled[k]) {
            x->w->mm[k]++;
            if (k >= win_m0)
                x->mm_win++;
        }
    }
}

/* Step 3 for one professional line in the window: specialist leakage, and
 * the line's NPI as an attribution candidate. */
static void pat_prof_line(pat_t *x, const claim_t *cl, size_t l)
{
    engine_t *en = x->en;
    worker_t *w = x->w;
    const med_tab_t *m = x->m;
    bool have_prac = en->prac.n > 0;
    uint32_t npi = m->npi[l];
    int pr = engine_prac_find(&en->prac, npi);
    bool pcp = have_prac ? pr >= 0 && en->prac.pcp[pr] : true;
    /* Specialist leakage: professional spend with specialists, out of
     * network by the claim's flag or else the practitioner's. */
    if (have_prac && !pcp) {
        w->spec_total += m->amount[l];
        int innet = m->innet[l] >= 0 ? m->innet[l] : pr >= 0 ? en->prac.innet[pr] : -1;
        if (innet == 0) {
            w->leak_total += m->amount[l];
            w->leak_by_spec[pr >= 0 ? en->prac.spec[pr] : en->prac.nspecs] += m->amount[l];
        }
    } else if (!have_prac && m->innet[l] == 0) {
        w->spec_total += m->amount[l];
        w->leak_total += m->amount[l];
    }
    if (!npi || !is_primary_care_service(&x->c->pc, m->hcpcs[l], cl->pos))
        return;
    int q = 0;
    while (q < x->ncand && x->cands[q].npi != npi)
        q++;
    if (q == x->ncand) {
        if (x->ncand == 16)
            return;
        x->cands[x->ncand++] = (pat_cand_t){ npi, 0, DATE_NONE, pcp };
    }
    x->cands[q].amt += m->amount[l];
    if (cl->start > x->cands[q].last)
        x->cands[q].last = cl->start;
}

/* 3. Cost by month and category (claims in enrolled months), leakage,
 *    attribution candidates. */
static void pat_cost(pat_t *x)
{
    engine_t *en = x->en;
    worker_t *w = x->w;
    date_t as_of = x->as_of, ws = x->ws;
    for (size_t k = 0; k < w->claims.n; k++) {
        const claim_t *cl = &w->claims.v[k];
        int ms = month_slot(x->c, cl->start);
        bool in_win = cl->start >= ws && cl->start <= as_of;
        if (ms >= 0 && x->enrolled[ms] && cl->start <= as_of) {
            w->cost[ms][cl->cat] += cl->amount;
            if (in_win)
                x->cost += cl->amount;
        }
        if (!in_win || cl->ctype != CT_PROF)
            continue;
        for (uint32_t j = 0; j < cl->nlines; j++)
            pat_prof_line(x, cl, w->lines.v[cl->line0 + j].line);
    }
    for (size_t r = en->rx_off[x->p]; r < en->rx_off[x->p + 1]; r++) {
        int ms = month_slot(x->c, en->rx.date[r]);
        if (ms >= 0 && x->enrolled[ms] && en->rx.date[r] <= as_of) {
            w->cost[ms][CAT_RX] += en->rx.amount[r];
            if (en->rx.date[r] >= ws)
                x->cost += en->rx.amount[r];
        }
    }
}

/* 4. Attribution: step 1 primary-care clinicians, step 2 specialists;
 *    plurality of allowed charges, ties to the most recent visit, then
 *    the lower NPI. */
static void pat_attribute(pat_t *x)
{
    const pat_cand_t *cands = x->cands;
    for (int st = 1; st <= 2 && !x->att; st++) {
        int best = -1;
        for (int q = 0; q < x->ncand; q++) {
            if (cands[q].pcp != (st == 1))
                continue;
            if (best < 0 || cands[q].amt > cands[best].amt ||
                (cands[q].amt == cands[best].amt &&
                 (cands[q].last > cands[best].last ||
                  (cands[q].last == cands[best].last && cands[q].npi < cands[best].npi))))
                best = q;
        }
        if (best >= 0 && cands[best].amt > 0) {
            x->att = cands[best].npi;
            x->step = st;
        }
    }
}

/* 5. ED visits: a day with ED claims (outpatient facility with an ED
 *    revenue code, or professional in POS 23 / ED E&M 99281-99285). The
 *    principal diagnosis is the facility claim's, else the lowest
 *    professional one. */
static void pat_ed_visits(pat_t *x)
{
    run_ctx_t *c = x->c;
    worker_t *w = x->w;
    for (size_t k = 0; k < w->claims.n; k++) {
        const claim_t *cl = &w->claims.v[k];
        if (!cl->ed)
            continue;
        uint64_t dx = cl->ndx ? w->cdx.v[cl->dx0] : 0;
        visit_t *v = w->visits.n ? &w->visits.v[w->visits.n - 1] : NULL;
        if (!v || v->date != cl->start) {
            visit_t nv = { 0 };
            nv.date = cl->start;
            VEC_PUSH(w->visits, nv);
            v = &w->visits.v[w->visits.n - 1];
        }
        uint64_t *slot = cl->ctype == CT_INST ? &v->fac_dx : &v->prof_dx;
        if (dx && (!*slot || dx < *slot))
            *slot = dx;
    }
    for (size_t k = 0; k < w->visits.n; k++)
        w->visits.v[k].dx = w->visits.v[k].fac_dx ? w->visits.v[k].fac_dx : w->visits.v[k].prof_dx;
    for (size_t k = 0; k < w->visits.n; k++) {
        visit_t *v = &w->visits.v[k];
        const float *pr = v->dx ? nyu_lookup(&c->nyu, v->dx) : NULL;
        v->classified = pr != NULL;
        v->cls = pr ? nyu_argmax(pr) : -1;
        if (pr) {
            v->avoid = pr[NYU_NONER] + pr[NYU_EPCT];
            v->avoid_np = v->avoid + pr[NYU_EDCNPA];
        }
        if (v->date < x->ws || v->date > x->as_of)
            continue;
        x->ed_win++;
        w->ed_visits++;
        if (pr) {
            w->ed_classified++;
            w->ed_cls[v->cls]++;
            w->ed_avoid += v->avoid;
            w->ed_avoid_np += v->avoid_np;
            if (nyu_is_avoidable_class(v->cls))
                x->ed_av++;
        }
        /* Padding zeroed too: output rows are compared bytewise (tests). */
        ed_row_t row;
        memset(&row, 0, sizeof row);
        row.person = (int32_t)x->p;
        row.date = v->date;
        row.dx = v->dx;
        row.cls = (int8_t)v->cls;
        row.avoidable = v->avoid;
        VEC_PUSH(w->eds, row);
    }
}

/* 6a. Inpatient stays (claims of the same admission date merge), SNF. */
static void pat_stays(pat_t *x)
{
    worker_t *w = x->w;
    date_t last_snf = DATE_NONE;
    for (size_t k = 0; k < w->claims.n; k++) {
        const claim_t *cl = &w->claims.v[k];
        if (cl->snf) {
            date_t d = cl->admit != DATE_NONE ? cl->admit : cl->start;
            if (d >= x->ws && d <= x->as_of && d != last_snf) {
                x->snf_win++;
                w->snf++;
            }
            last_snf = d;
            continue;
        }
        if (!cl->inpatient)
            continue;
        date_t ad = cl->admit != DATE_NONE ? cl->admit : cl->start;
        date_t di = cl->disch != DATE_NONE ? cl->disch : cl->end;
        stay_t *prev = NULL;
        for (size_t q = 0; q < w->stays.n; q++)
            if (w->stays.v[q].admit == ad)
                prev = &w->stays.v[q];
        bool planned = readmit_is_planned(&x->c->rr, cl->ndx ? w->cdx.v[cl->dx0] : 0,
                                          w->cpx.v + cl->px0, (int)cl->npx);
        if (prev) {
            if (di > prev->disch) {
                prev->disch = di;
                if (cl->disp != NO_DISP)
                    prev->disp = cl->disp;
            }
            prev->planned |= planned;
            prev->acute |= cl->atype == 1 || cl->atype == 2 || cl->edrev;
            prev->charlson |= cl->charlson;
            if (!prev->dx && cl->ndx)
                prev->dx = w->cdx.v[cl->dx0];
            continue;
        }
        stay_t s = { ad,
                     di,
                     cl->ndx ? w->cdx.v[cl->dx0] : 0,
                     cl->disp,
                     cl->atype == 1 || cl->atype == 2 || cl->edrev,
                     planned,
                     cl->charlson };
        VEC_PUSH(w->stays, s);
    }
}

/* 6b. The stays sorted as readmit_flag sorts them, and its index and
 *     readmission flags. */
static void pat_readmits(pat_t *x)
{
    worker_t *w = x->w;
    w->rstays.n = 0;
    VEC_RESERVE(w->rstays, w->stays.n + 1);
    for (size_t k = 0; k < w->stays.n; k++) {
        const stay_t *s = &w->stays.v[k];
        readmit_stay_t r = { 0 };
        r.admit = s->admit;
        r.disch = s->disch;
        r.disp = s->disp;
        r.has_dx = s->dx != 0;
        r.planned = s->planned;
        w->rstays.v[w->rstays.n++] = r;
    }
    /* readmit_flag sorts; sort the stays the same way first so both align. */
    for (size_t i = 1; i < w->stays.n; i++) {
        stay_t t = w->stays.v[i];
        size_t j = i;
        while (j > 0 &&
               (w->stays.v[j - 1].admit > t.admit ||
                (w->stays.v[j - 1].admit == t.admit && w->stays.v[j - 1].disch > t.disch))) {
            w->stays.v[j] = w->stays.v[j - 1];
            j--;
        }
        w->stays.v[j] = t;
    }
    for (size_t i = 0; i < w->stays.n; i++) {
        w->rstays.v[i].admit = w->stays.v[i].admit;
        w->rstays.v[i].disch = w->stays.v[i].disch;
        w->rstays.v[i].disp = w->stays.v[i].disp;
        w->rstays.v[i].has_dx = w->stays.v[i].dx != 0;
        w->rstays.v[i].planned = w->stays.v[i].planned;
    }
    readmit_flag(w->rstays.v, (int)w->rstays.n, x->en->last_disch, x->en->s.readmit_days);
}

/* 6c. One discharge row per stay discharged in the window, with its LACE
 *     score: Charlson over the stay's diagnoses and the prior 12 months'
 *     claims; ED visits in the 6 months before admission. */
static void pat_discharges(pat_t *x)
{
    worker_t *w = x->w;
    for (size_t k = 0; k < w->stays.n; k++) {
        const stay_t *s = &w->stays.v[k];
        const readmit_stay_t *r = &w->rstays.v[k];
        if (s->disch == DATE_NONE || s->disch < x->ws || s->disch > x->as_of)
            continue;
        x->ip_win++;
        w->ip++;
        if (r->index) {
            w->index++;
            if (r->readmit30)
                w->readm++;
            if (r->unplanned30) {
                w->unpl++;
                x->readm_win++;
            }
        }
        uint32_t cm = s->charlson;
        date_t lo = date_add_months(s->admit, -12);
        for (size_t q = 0; q < w->claims.n; q++) {
            const claim_t *cl = &w->claims.v[q];
            if (cl->start >= lo && cl->start <= s->disch)
                cm |= cl->charlson;
        }
        int ch = charlson_from_mask(cm);
        int ed6 = 0;
        date_t lo6 = date_add_months(s->admit, -6);
        for (size_t q = 0; q < w->visits.n; q++)
            if (w->visits.v[q].date >= lo6 && w->visits.v[q].date < s->admit)
                ed6++;
        lace_input_t li = { s->disch - s->admit, s->acute, ch, ed6 };
        lace_result_t lr = { 0 };
        if (lace_score(&li, &lr) != 0)
            lr.score = -1;
        dis_row_t d; /* padding zeroed, as for ED rows */
        memset(&d, 0, sizeof d);
        d.person = (int32_t)x->p;
        d.admit = s->admit;
        d.disch = s->disch;
        d.dx = s->dx;
        d.disp = s->disp;
        d.index = r->index;
        d.planned = s->planned;
        d.readmit30 = r->readmit30;
        d.unplanned30 = r->unplanned30;
        d.lace = (int8_t)lr.score;
        d.charlson = (int8_t)(ch > 127 ? 127 : ch);
        d.days_to_next = (int16_t)(r->days_to_next > 32767 ? 32767 : r->days_to_next);
        VEC_PUSH(w->dis, d);
    }
}

/* 7. Diagnoses of the current and prior year; chronic conditions over
 *    24 months (1 inpatient/SNF claim or 2 dates). */
static void pat_conditions(pat_t *x)
{
    run_ctx_t *c = x->c;
    worker_t *w = x->w;
    date_t prior_start = date_add_months(x->ws, -12);
    date_t cond_first[COND_COUNT];
    for (int k = 0; k < COND_COUNT; k++)
        cond_first[k] = DATE_NONE;
    w->dxs.n = 0;
    for (size_t k = 0; k < w->claims.n; k++) {
        claim_t *cl = &w->claims.v[k];
        if (cl->start < prior_start || cl->start > x->as_of)
            continue;
        for (uint32_t j = 0; j < cl->ndx; j++) {
            uint32_t cm = cond_mask(&c->cond, w->cdx.v[cl->dx0 + j]);
            while (cm) {
                int ci = __builtin_ctz(cm);
                cm &= cm - 1;
                if (cl->inpatient || cl->snf ||
                    (x->cond_seen >> ci & 1 && cond_first[ci] != cl->start))
                    x->cond_ok |= 1u << ci;
                if (!(x->cond_seen >> ci & 1))
                    cond_first[ci] = cl->start;
                x->cond_seen |= 1u << ci;
            }
        }
        if (!c->hcc || !claim_hcc_eligible(c, w, cl))
            continue;
        for (uint32_t j = 0; j < cl->ndx; j++) {
            if (cl->start >= x->ws)
                VEC_PUSH(w->dxs, w->cdx.v[cl->dx0 + j]);
            else
                VEC_PUSH(x->prior, w->cdx.v[cl->dx0 + j]);
        }
    }
    x->chronic = __builtin_popcount(x->cond_ok);
    for (int k = 0; k < COND_COUNT; k++)
        if ((x->cond_ok >> k & 1) && cond_defs[k].high_risk)
            x->high_risk = true;
}

/* The first 64 distinct codes of v[0..n) unpacked into strs, ptrs pointing at
 * them, as hcc_score takes diagnoses; returns how many. */
static size_t pat_dx_strings(const uint64_t *v, size_t n, char (*strs)[9], const char **ptrs)
{
    size_t nd = 0;
    for (size_t k = 0; k < n && nd < 64; k++) {
        bool dup = false;
        for (size_t q = 0; q < k && !dup; q++)
            dup = v[q] == v[k];
        if (dup)
            continue;
        code_unpack(v[k], strs[nd]);
        ptrs[nd] = strs[nd];
        nd++;
    }
    return nd;
}

/* 9. Recapture: chronic V28 HCCs coded last year, not yet this year. */
static void pat_recapture(pat_t *x, const hcc_patient_t *hp, hcc_segment_t seg, const int *cur_hccs,
                          int ncur_hccs)
{
    run_ctx_t *c = x->c;
    worker_t *w = x->w;
    hcc_result_t *res = w->hres;
    char strs[64][9];
    const char *ptrs[64];
    size_t nd = pat_dx_strings(x->prior.v, x->prior.n, strs, ptrs);
    err_t e;
    err_clear(&e);
    if (!nd || hcc_score(c->hcc, HCC_V28, seg, hp, ptrs, nd, res, &e) != 0)
        return;
    for (int k = 0; k < res->n_hccs; k++) {
        int h = res->hccs[k];
        bool have = false;
        for (int q = 0; q < ncur_hccs && !have; q++)
            have = cur_hccs[q] == h;
        if (have || hcc_tables_is_chronic(c->hcc, HCC_V28, h) != 1)
            continue;
        const char *evid = "";
        for (size_t q = 0; q < nd; q++) {
            int ccs[HCC_DX_MAX_CC];
            int nc = hcc_tables_dx_ccs(c->hcc, HCC_V28, ptrs[q], ccs, HCC_DX_MAX_CC);
            for (int z = 0; z < nc; z++)
                if (ccs[z] == h)
                    evid = ptrs[q];
            if (*evid)
                break;
        }
        char ev[96];
        snprintf(ev, sizeof ev, "HCC %d coded last year (%s), not yet this year", h,
                 *evid ? evid : "?");
        const char *label = hcc_tables_label(c->hcc, HCC_V28, h);
        add_gap(w, (int32_t)x->p, 1, h, *evid ? code_pack(evid, strlen(evid)) : 0,
                label ? label : "chronic HCC", ev);
    }
}

/* 8. CMS-HCC score on the current year's eligible diagnoses: the
 *    payment-year blend of V24 and V28, normalised; then 9. */
static void pat_hcc(pat_t *x)
{
    run_ctx_t *c = x->c;
    worker_t *w = x->w;
    engine_t *en = x->en;
    size_t p = x->p;
    int cur_hccs[HCC_MAX_HCCS], ncur_hccs = 0;
    hcc_patient_t hp = { 0 };
    date_t feb1 = date_from_ymd(c->pay.payment_year, 2, 1);
    hp.age = en->pp.birth[p] != DATE_NONE ? date_age(en->pp.birth[p], feb1) : 70;
    if (hp.age < 0)
        hp.age = 0;
    hp.sex = en->pp.sex[p] == 2 ? 'F' : 'M';
    hp.orec = en->pp.orec[p] <= 3 ? en->pp.orec[p] : HCC_OREC_UNKNOWN;
    hp.dual = en->pp.dual[p] ? HCC_DUAL_FULL : HCC_DUAL_NONE;
    hp.medicaid = en->pp.dual[p];
    hp.new_enrollee = x->mm_win < 12;
    char strs[64][9];
    const char *ptrs[64];
    size_t nd = pat_dx_strings(w->dxs.v, w->dxs.n, strs, ptrs);
    double raw[HCC_MODEL_COUNT] = { 0 };
    hcc_segment_t seg = hcc_segment_for(&hp);
    hcc_result_t *res = w->hres;
    for (int mo = 0; mo < HCC_MODEL_COUNT; mo++) {
        if (c->pay.weight[mo] <= 0 && mo != HCC_V28)
            continue;
        err_t e;
        err_clear(&e);
        if (hcc_score(c->hcc, (hcc_model_t)mo, seg, &hp, ptrs, nd, res, &e) == 0) {
            raw[mo] = res->score;
            if (mo == HCC_V28) {
                x->nh = res->n_hccs;
                ncur_hccs = res->n_hccs;
                memcpy(cur_hccs, res->hccs, (size_t)res->n_hccs * sizeof(int));
            }
        }
    }
    x->risk = hcc_payment_score(&c->pay, raw);
    if (en->s.hcc_normalization > 0)
        x->risk /= en->s.hcc_normalization;
    pat_recapture(x, &hp, seg, cur_hccs, ncur_hccs);
}

/* 10. Suspects from labs and drugs. */
static void pat_suspects(pat_t *x)
{
    engine_t *en = x->en;
    size_t p = x->p;
    date_t as_of = x->as_of;
    date_t lo24 = date_add_months(as_of, -24);
    date_t first_low = DATE_NONE, second_low = DATE_NONE;
    float v1 = 0, v2 = 0, a1c = 0;
    date_t a1c_date = DATE_NONE;
    for (size_t l = en->lab_off[p]; l < en->lab_off[p + 1]; l++) {
        date_t d = en->lab.date[l];
        if (d < lo24 || d > as_of)
            continue;
        if (is_egfr(en->lab.loinc[l]) && en->lab.value[l] < 60) {
            if (first_low == DATE_NONE || d < first_low) {
                first_low = d;
                v1 = en->lab.value[l];
            }
        }
        if (is_a1c(en->lab.loinc[l]) && en->lab.value[l] >= 6.5f && d > a1c_date) {
            a1c_date = d;
            a1c = en->lab.value[l];
        }
    }
    if (first_low != DATE_NONE)
        for (size_t l = en->lab_off[p]; l < en->lab_off[p + 1]; l++) {
            date_t d = en->lab.date[l];
            if (is_egfr(en->lab.loinc[l]) && en->lab.value[l] < 60 && d <= as_of &&
                d >= first_low + 90 && (second_low == DATE_NONE || d < second_low)) {
                second_low = d;
                v2 = en->lab.value[l];
            }
        }
    bool ckd = x->cond_seen >> COND_CKD & 1, dm = x->cond_seen >> COND_DIABETES & 1;
    if (second_low != DATE_NONE && !ckd) {
        char ev[96], d1[DATE_FMT_LEN], d2[DATE_FMT_LEN];
        date_format(first_low, d1);
        date_format(second_low, d2);
        snprintf(ev, sizeof ev, "eGFR %.0f on %s and %.0f on %s, no CKD diagnosis", v1, d1, v2, d2);
        add_gap(x->w, (int32_t)p, 2, 0, code_pack("N1830", 5), "CKD stage 3 (suspected)", ev);
    }
    if (!dm) {
        date_t ins = DATE_NONE;
        for (size_t r = en->rx_off[p]; r < en->rx_off[p + 1]; r++)
            if (en->rx.date[r] >= lo24 && en->rx.date[r] <= as_of && is_insulin(en->rx.ndc[r]))
                ins = en->rx.date[r];
        char ev[96], d1[DATE_FMT_LEN];
        if (ins != DATE_NONE) {
            date_format(ins, d1);
            snprintf(ev, sizeof ev, "insulin filled %s, no diabetes diagnosis", d1);
            add_gap(x->w, (int32_t)p, 2, 0, code_pack("E119", 4), "Diabetes (suspected)", ev);
        } else if (a1c_date != DATE_NONE) {
            date_format(a1c_date, d1);
            snprintf(ev, sizeof ev, "HbA1c %.1f%% on %s, no diabetes diagnosis", a1c, d1);
            add_gap(x->w, (int32_t)p, 2, 0, code_pack("E119", 4), "Diabetes (suspected)", ev);
        }
    }
}

/* 12. Results and the tier rule (docs/analytics.md). */
static void pat_results(pat_t *x)
{
    engine_t *en = x->en;
    worker_t *w = x->w;
    size_t p = x->p;
    double risk = x->risk;
    int chronic = x->chronic;
    int tier = TIER_LOW;
    if (risk >= 3.0 || x->ip_win >= 2 || x->readm_win >= 1)
        tier = TIER_CRITICAL;
    else if (risk >= 1.5 || x->ip_win >= 1 || x->ed_win >= 2 || chronic >= 4)
        tier = TIER_HIGH;
    else if (risk >= 1.0 || x->ed_win >= 1 || chronic >= 2)
        tier = TIER_RISING;
    en->r_npi[p] = x->att;
    en->r_step[p] = (uint8_t)x->step;
    en->r_mm[p] = (int16_t)x->mm_win;
    en->r_risk[p] = (float)risk;
    en->r_hccn[p] = (uint8_t)(x->nh > 255 ? 255 : x->nh);
    en->r_tier[p] = (uint8_t)tier;
    en->r_chronic[p] = (uint8_t)chronic;
    en->r_cond[p] = x->cond_ok;
    en->r_ccm[p] = chronic >= 2;
    en->r_pcm[p] = x->high_risk;
    en->r_ed[p] = (uint16_t)x->ed_win;
    en->r_edav[p] = (uint16_t)x->ed_av;
    en->r_ip[p] = (uint16_t)x->ip_win;
    en->r_readm[p] = (uint16_t)x->readm_win;
    en->r_snf[p] = (uint16_t)x->snf_win;
    en->r_cost[p] = x->cost;
    w->tiers[tier]++;
    w->ccm += chronic >= 2;
    w->pcm += x->high_risk;
}

static void analyze_patient(run_ctx_t *c, worker_t *w, size_t p)
{
    engine_t *en = c->en;
    pat_t x = { .c = c, .w = w, .en = en, .m = &en->med, .p = p };
    x.as_of = en->as_of;
    x.ws = en->win_start;
    pat_claims(&x);        /* 1 */
    pat_member_months(&x); /* 2 */
    pat_cost(&x);          /* 3 */
    pat_attribute(&x);     /* 4 */
    pat_ed_visits(&x);     /* 5 */
    pat_stays(&x);         /* 6 */
    pat_readmits(&x);
    pat_discharges(&x);
    pat_conditions(&x); /* 7 */
    if (c->hcc)
        pat_hcc(&x); /* 8, 9 */
    mem_free(x.prior.v);
    pat_suspects(&x); /* 10 */
    /* 11. Model features at the three cutoffs. */
    for (int k = 0; k < 3; k++)
        features_at(c, w, p, c->cut[k], en->feat + ((size_t)k * en->pp.n + p) * NFEAT,
                    k < 2 ? &en->label[(size_t)k * en->pp.n + p] : NULL);
    pat_results(&x); /* 12 */
}

static void run_block(void *vctx, int task, int worker)
{
    run_ctx_t *c = vctx;
    worker_t *w = &c->w[worker];
    size_t lo = (size_t)task * c->block, hi = lo + c->block;
    if (hi > c->en->pp.n)
        hi = c->en->pp.n;
    for (size_t p = lo; p < hi; p++)
        analyze_patient(c, w, p);
    if (c->prog && worker == 0)
        progress_set(c->prog, hi);
}

/* ---- the model ---------------------------------------------------------- */

typedef struct score_ctx {
    engine_t *en;
    logit_t *m;
    double *pred_test;
    size_t block;
} score_ctx_t;

static void score_block(void *vctx, int task, int worker)
{
    score_ctx_t *s = vctx;
    engine_t *en = s->en;
    size_t n = en->pp.n, lo = (size_t)task * s->block, hi = lo + s->block;
    if (hi > n)
        hi = n;
    for (size_t p = lo; p < hi; p++) {
        const float *xt = en->feat + (1 * n + p) * NFEAT;
        const float *xs = en->feat + (2 * n + p) * NFEAT;
        s->pred_test[p] = logit_predict(s->m, xt);
        en->r_prob[p] = (float)logit_predict(s->m, xs);
        int idx[ENGINE_TOP_FACTORS];
        int k = logit_top_factors(s->m, xs, ENGINE_TOP_FACTORS, idx);
        for (int j = 0; j < ENGINE_TOP_FACTORS; j++)
            en->r_fac[p][j] = (int8_t)(j < k ? idx[j] : -1);
    }
}

static void fit_model(engine_t *en)
{
    size_t n = en->pp.n;
    uint8_t *use_train = mem_calloc(n ? n : 1, 1), *use_test = mem_calloc(n ? n : 1, 1);
    date_t t1 = date_add_months(en->as_of, -2 * en->s.horizon_months);
    date_t t2 = date_add_months(en->as_of, -en->s.horizon_months);
    long pos_train = 0, pos_test = 0;
    for (size_t p = 0; p < n; p++) {
        /* Members enrolled at the cutoff and alive through it. */
        bool alive1 = en->pp.death[p] == DATE_NONE || en->pp.death[p] > t1;
        bool alive2 = en->pp.death[p] == DATE_NONE || en->pp.death[p] > t2;
        use_train[p] = alive1 && enrolled_on(en, p, t1);
        use_test[p] = alive2 && enrolled_on(en, p, t2);
        en->train_n += use_train[p];
        en->test_n += use_test[p];
        pos_train += use_train[p] && en->label[p];
        pos_test += use_test[p] && en->label[n + p];
    }
    en->train_rate = en->train_n ? (double)pos_train / (double)en->train_n : 0;
    en->test_rate = en->test_n ? (double)pos_test / (double)en->test_n : 0;
    logit_t m;
    en->model_ok =
        logit_fit(en->feat, en->label, use_train, n, NFEAT, 1e-4, 25, en->s.threads, &m) == 0;
    double *pred = mem_calloc(n ? n : 1, sizeof *pred);
    if (en->model_ok) {
        for (int j = 0; j <= NFEAT; j++)
            en->model_beta[j] = m.beta[j];
        for (int j = 0; j < NFEAT; j++) {
            en->feat_mean[j] = m.mean[j];
            en->feat_sd[j] = m.sd[j];
        }
        score_ctx_t s = { en, &m, pred, 16384 };
        par_run(en->s.threads, (int)((n + s.block - 1) / s.block), score_block, &s);
        /* Train AUC from the train features. */
        double *ptr = mem_calloc(n ? n : 1, sizeof *ptr);
        for (size_t p = 0; p < n; p++)
            if (use_train[p])
                ptr[p] = logit_predict(&m, en->feat + p * NFEAT);
        en->auc_train = model_auc(ptr, en->label, use_train, n);
        mem_free(ptr);
        en->auc_test = model_auc(pred, en->label + n, use_test, n);
        model_calibration(pred, en->label + n, use_test, n, en->calib_pred, en->calib_obs,
                          en->calib_n);
    } else {
        en->auc_train = en->auc_test = NAN;
        for (size_t p = 0; p < n; p++) {
            en->r_prob[p] = (float)en->train_rate;
            for (int j = 0; j < ENGINE_TOP_FACTORS; j++)
                en->r_fac[p][j] = -1;
        }
    }
    mem_free(pred);
    mem_free(use_train);
    mem_free(use_test);
}

const char *engine_feature_name(int j)
{
    return j >= 0 && j < NFEAT ? feat_names[j] : "";
}

const char *engine_feature_label(int j)
{
    return j >= 0 && j < NFEAT ? feat_labels[j] : "";
}

/* ---- entry -------------------------------------------------------------- */

static int cmp_ed(const void *a, const void *b)
{
    const ed_row_t *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    return x->date < y->date ? -1 : x->date > y->date;
}

static int cmp_dis(const void *a, const void *b)
{
    const dis_row_t *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->admit != y->admit)
        return x->admit < y->admit ? -1 : 1;
    return x->disch < y->disch ? -1 : x->disch > y->disch;
}

static int cmp_gap(const void *a, const void *b)
{
    const gap_row_t *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->hcc != y->hcc)
        return x->hcc < y->hcc ? -1 : 1;
    return x->code < y->code ? -1 : x->code > y->code;
}

static void results_alloc(engine_t *en)
{
    size_t n = en->pp.n ? en->pp.n : 1;
    en->r_npi = mem_calloc(n, sizeof *en->r_npi);
    en->r_step = mem_calloc(n, 1);
    en->r_tier = mem_calloc(n, 1);
    en->r_chronic = mem_calloc(n, 1);
    en->r_ccm = mem_calloc(n, 1);
    en->r_pcm = mem_calloc(n, 1);
    en->r_mm = mem_calloc(n, sizeof *en->r_mm);
    en->r_cond = mem_calloc(n, sizeof *en->r_cond);
    en->r_risk = mem_calloc(n, sizeof *en->r_risk);
    en->r_hccn = mem_calloc(n, 1);
    en->r_ed = mem_calloc(n, sizeof *en->r_ed);
    en->r_edav = mem_calloc(n, sizeof *en->r_edav);
    en->r_ip = mem_calloc(n, sizeof *en->r_ip);
    en->r_readm = mem_calloc(n, sizeof *en->r_readm);
    en->r_snf = mem_calloc(n, sizeof *en->r_snf);
    en->r_gaps = mem_calloc(n, sizeof *en->r_gaps);
    en->r_cost = mem_calloc(n, sizeof *en->r_cost);
    en->r_prob = mem_calloc(n, sizeof *en->r_prob);
    en->r_fac = mem_calloc(n, sizeof *en->r_fac);
    en->feat = mem_calloc(3 * n * NFEAT, sizeof *en->feat);
    en->label = mem_calloc(2 * n, 1);
}

static void worker_free(worker_t *w)
{
    mem_free(w->lines.v);
    mem_free(w->claims.v);
    mem_free(w->cdx.v);
    mem_free(w->cpx.v);
    mem_free(w->visits.v);
    mem_free(w->stays.v);
    mem_free(w->rstays.v);
    mem_free(w->dxs.v);
    mem_free(w->eds.v);
    mem_free(w->dis.v);
    mem_free(w->gaps.v);
    mem_free(w->leak_by_spec);
    mem_free(w->hres);
    hmap_free(&w->charlson_cache);
    hmap_free(&w->hcc_cpt_cache);
}

int engine_run(engine_t *en, err_t *e)
{
    int rc = 0;
    if (!en->loaded && (rc = engine_load_done(en, e)) != 0)
        return rc;
    if (en->ran)
        return err_set(e, ERR_USAGE, "engine already ran");
    run_ctx_t c = { 0 };
    c.en = en;
    rc = nyu_load(&c.nyu, NULL, e);
    if (rc)
        return rc;
    rc = readmit_load(&c.rr, NULL, e);
    if (rc) {
        nyu_free(&c.nyu);
        return rc;
    }
    cond_table_init(&c.cond);
    pc_codes_init(&c.pc);

    /* Dates. as_of defaults to the latest service date in the data. */
    en->as_of = en->s.as_of;
    if (en->as_of == DATE_NONE) {
        en->as_of = en->med.max_date;
        for (size_t r = 0; r < en->rx.n; r++)
            if (en->as_of == DATE_NONE || en->rx.date[r] > en->as_of)
                en->as_of = en->rx.date[r];
        if (en->as_of == DATE_NONE)
            en->as_of = date_from_ymd(2025, 12, 31);
    }
    en->win_start = date_first_of_month(date_add_months(en->as_of, -(en->s.window_months - 1)));
    en->month0 = date_month_index(en->as_of) - (NMONTHS - 1);
    /* The last discharge in the data up to as_of (index time requirement). */
    en->last_disch = en->med.max_disch;
    if (en->last_disch == DATE_NONE || en->last_disch > en->as_of)
        en->last_disch = en->as_of;
    c.cut[0] = date_add_months(en->as_of, -2 * en->s.horizon_months);
    c.cut[1] = date_add_months(en->as_of, -en->s.horizon_months);
    c.cut[2] = en->as_of;

    /* CMS-HCC tables of the payment year (2025 or 2026 tables available). */
    int py = en->s.payment_year ? en->s.payment_year : 0;
    if (!py) {
        int y, mo, d;
        date_to_ymd(en->as_of, &y, &mo, &d);
        py = y + 1;
    }
    hcc_payment_defaults(py, &c.pay);
    int table_year = py <= 2025 ? 2025 : 2026;
    err_t he;
    err_clear(&he);
    if (hcc_tables_load(NULL, table_year, &c.hcc, &he) != 0) {
        char msg[600];
        err_format(&he, msg, sizeof msg);
        log_warn("analyze.hcc", "CMS-HCC tables not loaded, risk scores are 0: %s", msg);
        c.hcc = NULL;
    }

    results_alloc(en);
    c.nworkers = en->s.threads;
    c.w = mem_calloc((size_t)c.nworkers, sizeof *c.w);
    for (int k = 0; k < c.nworkers; k++) {
        c.w[k].leak_by_spec = mem_calloc(en->prac.nspecs + 1, sizeof(money_t));
        hmap_init_u64(&c.w[k].charlson_cache, 4096);
        hmap_init_u64(&c.w[k].hcc_cpt_cache, 1024);
        c.w[k].hres = mem_alloc(sizeof *c.w[k].hres);
    }
    c.block = 4096;
    c.nblocks = (int)((en->pp.n + c.block - 1) / c.block);
    if (en->s.progress)
        c.prog = progress_new("analyze", en->pp.n);
    par_run(c.nworkers, c.nblocks, run_block, &c);
    progress_done(c.prog);

    /* Merge the workers. */
    en->leak_by_spec = mem_calloc(en->prac.nspecs + 1, sizeof(money_t));
    size_t ne = 0, nd = 0, ng = 0;
    for (int k = 0; k < c.nworkers; k++) {
        ne += c.w[k].eds.n;
        nd += c.w[k].dis.n;
        ng += c.w[k].gaps.n;
    }
    en->eds = mem_alloc((ne ? ne : 1) * sizeof *en->eds);
    en->dis = mem_alloc((nd ? nd : 1) * sizeof *en->dis);
    en->gaps = mem_alloc((ng ? ng : 1) * sizeof *en->gaps);
    for (int k = 0; k < c.nworkers; k++) {
        worker_t *w = &c.w[k];
        if (w->eds.n)
            memcpy(en->eds + en->neds, w->eds.v, w->eds.n * sizeof *en->eds);
        en->neds += w->eds.n;
        if (w->dis.n)
            memcpy(en->dis + en->ndis, w->dis.v, w->dis.n * sizeof *en->dis);
        en->ndis += w->dis.n;
        if (w->gaps.n)
            memcpy(en->gaps + en->ngaps, w->gaps.v, w->gaps.n * sizeof *en->gaps);
        en->ngaps += w->gaps.n;
        for (int mth = 0; mth < NMONTHS; mth++) {
            en->mm[mth] += w->mm[mth];
            for (int cat = 0; cat < NCAT; cat++)
                en->cost[mth][cat] += w->cost[mth][cat];
        }
        en->ed_visits += w->ed_visits;
        en->ed_classified += w->ed_classified;
        for (int q = 0; q < NYU_NCLASS; q++)
            en->ed_cls[q] += w->ed_cls[q];
        en->ed_avoid_sum += w->ed_avoid;
        en->ed_avoid_np_sum += w->ed_avoid_np;
        en->ip_admits += w->ip;
        en->index_admits += w->index;
        en->readmits30 += w->readm;
        en->unplanned30 += w->unpl;
        en->snf_stays += w->snf;
        en->leak_total += w->leak_total;
        en->spec_total += w->spec_total;
        for (size_t s = 0; s <= en->prac.nspecs; s++)
            en->leak_by_spec[s] += w->leak_by_spec[s];
        en->pcm += w->pcm;
        en->ccm += w->ccm;
        for (int t = 0; t < 5; t++)
            en->tiers[t] += w->tiers[t];
        worker_free(w);
    }
    mem_free(c.w);
    /* Output rows in patient order (workers took blocks in any order). */
    qsort(en->eds, en->neds, sizeof *en->eds, cmp_ed);
    qsort(en->dis, en->ndis, sizeof *en->dis, cmp_dis);
    qsort(en->gaps, en->ngaps, sizeof *en->gaps, cmp_gap);
    for (size_t g = 0; g < en->ngaps; g++)
        en->r_gaps[en->gaps[g].person]++;

    fit_model(en);

    hcc_tables_free(c.hcc);
    cond_table_free(&c.cond);
    readmit_free(&c.rr);
    nyu_free(&c.nyu);
    en->ran = true;
    return 0;
}
