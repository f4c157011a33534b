/* synth_model.c — one patient's life, drawn from the patient's own random stream.
 *
 * The person: segment (aged Medicare, disabled Medicare, commercial), age, sex,
 * race, entitlement, dual status; four latent traits that are never written
 * out — frailty, engagement, social risk and a hidden acute-care risk with a
 * drift over time; chronic conditions drawn in dependency order from
 * logistic models whose intercepts synth_run.c solves so that the population
 * hits the prevalence targets of synth_tables.c.
 *
 * The events: month by month over the enrolled months of the period, Poisson
 * counts of office visits, ED visits and admissions whose rates grow with the
 * risk index; stays do not overlap; discharges lead to SNF, home health, TCM
 * visits and 30-day readmissions; screenings, labs, vaccines and fills follow
 * engagement. Every measured value (BP, A1c, eGFR...) is drawn here, so the
 * writers only format.
 */
#include "synth/synth_internal.h"

#include <math.h>
#include <stdlib.h>

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static double expo(rng_t *r, double mean)
{
    return -mean * log(1.0 - rng_uniform(r));
}

static int has(const sy_patient_t *p, int c)
{
    return (p->has >> c) & 1u;
}

static int pick_dx(rng_t *r, const sy_cond_def_t *cd)
{
    double w[16];
    int n = cd->ndx < 16 ? cd->ndx : 16;
    for (int i = 0; i < n; i++)
        w[i] = cd->dx[i].weight;
    return rng_weighted(r, w, n);
}

/* ---- demographics and latent traits ---- */
static void demographics(const sy_pop_t *pop, sy_patient_t *p, rng_t *r)
{
    static const double band_w[] = { 0.28, 0.26, 0.19, 0.13, 0.09, 0.04, 0.01 };
    double u = rng_uniform(r);
    int age;
    if (u < 0.85) {
        p->seg = SEG_AGED;
        age = 65 + 5 * rng_weighted(r, band_w, 7) + rng_range(r, 0, 4);
    } else if (u < 0.88) {
        p->seg = SEG_DISABLED;
        age = 64 - (int)(30.0 * rng_uniform(r) * rng_uniform(r));
    } else {
        p->seg = SEG_COMMERCIAL;
        age = rng_range(r, 18, 64);
    }
    double pf = p->seg == SEG_AGED       ? clampd(0.52 + 0.004 * (age - 65), 0.5, 0.68)
                : p->seg == SEG_DISABLED ? 0.48
                                         : 0.52;
    p->female = rng_bernoulli(r, pf);
    /* birth date: `age` years before the end of the period, any day of that year */
    int y, m, d;
    date_to_ymd(pop->end, &y, &m, &d);
    date_t b = date_from_ymd(y - age, m, d > 28 ? 28 : d) - rng_range(r, 0, 364);
    p->birth = b;
    p->age = date_age(b, pop->end);

    static const double race_w[] = { 0.76, 0.10, 0.04, 0.01, 0.09 };
    p->race = rng_weighted(r, race_w, 5);
    p->hispanic = (p->race == 0 || p->race == 4) ? rng_bernoulli(r, 0.11) : 0;

    /* latent traits */
    p->frailty = rng_normal(r, 0, 1);
    p->social = rng_normal(r, 0, 1);
    p->engagement = sigmoid(0.6 + 0.9 * rng_normal(r, 0, 1) - 0.35 * p->social);
    p->hidden = rng_normal(r, 0, 1);
    p->drift = rng_normal(r, 0, 0.35);

    if (p->seg == SEG_AGED) {
        static const double orec_w[] = { 0.815, 0.18, 0.003, 0.002 };
        p->orec = rng_weighted(r, orec_w, 4);
    } else if (p->seg == SEG_DISABLED) {
        static const double orec_w[] = { 0, 0.96, 0.03, 0.01 };
        p->orec = rng_weighted(r, orec_w, 4);
    } else {
        p->orec = -1;
    }
    if (p->seg == SEG_COMMERCIAL) {
        p->dual = 7; /* NA */
    } else {
        double pd = sigmoid((p->seg == SEG_AGED ? -2.3 : -0.5) + 1.0 * p->social);
        if (rng_bernoulli(r, pd)) {
            static const double dual_w[] = { 0, 0.10, 0.35, 0.08, 0.10, 0.07, 0.30 };
            p->dual = rng_weighted(r, dual_w, 7);
        } else {
            p->dual = 0;
        }
    }
}

/* The linear predictor of condition c without its intercept; -INFINITY when
 * the person is not eligible (sex). */
double sy_cond_lp(const sy_patient_t *p, int c)
{
    const sy_cond_def_t *cd = &sy_conds[c];
    if ((cd->sex == 'F' && !p->female) || (cd->sex == 'M' && p->female))
        return -INFINITY;
    double x = cd->b_age10 * (p->age - 75) / 10.0 + cd->b_frail * p->frailty +
               cd->b_female * p->female + cd->b_social * p->social;
    for (int k = 0; k < 5 && cd->deps[k].cond >= 0; k++)
        if (has(p, cd->deps[k].cond))
            x += cd->deps[k].log_or;
    return x;
}

/* Draws conditions with the given intercepts; used by the calibration with
 * intercepts still being solved (only conditions < upto are drawn). */
static void draw_conditions(const double *icept, sy_patient_t *p, rng_t *r, int upto)
{
    for (int c = 0; c < upto; c++) {
        double x = sy_cond_lp(p, c);
        double u = rng_uniform(r);
        if (x != -INFINITY && u < sigmoid(icept[c] + x))
            p->has |= 1u << c;
    }
}

static void finish_person(const sy_pop_t *pop, sy_patient_t *p, rng_t *r)
{
    /* ESRD entitlement implies ESRD */
    if (p->orec == 2 || p->orec == 3)
        p->has |= 1u << C_CKD;
    for (int c = 0; c < C_N; c++) {
        if (!has(p, c))
            continue;
        p->dx[c] = (uint8_t)pick_dx(r, &sy_conds[c]);
        double years_ago = 0.3 + expo(r, 7.0);
        double cap = p->age - 25.0;
        if (years_ago > cap)
            years_ago = cap > 0.5 ? cap : 0.5;
        p->onset[c] = pop->end - (date_t)(years_ago * 365.25);
    }
    if (p->orec == 2 || p->orec == 3)
        p->dx[C_CKD] = 5;
    if (has(p, C_DM) && has(p, C_CKD) && rng_bernoulli(r, 0.5))
        p->dx[C_DM] = 5; /* E1122 */
    p->esrd = has(p, C_CKD) && p->dx[C_CKD] == 5;
    p->tobacco = has(p, C_TOB) ? 2 : rng_bernoulli(r, p->age > 50 ? 0.38 : 0.2) ? 1 : 0;
    p->frail_dx = p->age >= 70 && p->frailty > 1.0 && rng_bernoulli(r, 0.6);

    /* SDOH needs: more likely with social risk, dual status, disability */
    double base =
        1.0 * p->social + 0.6 * (p->dual != 0 && p->dual != 7) + 0.5 * (p->seg == SEG_DISABLED);
    for (int k = 0; k < N_N; k++) {
        double t = sy_need_dx[k].weight;
        if (rng_bernoulli(r, sigmoid(log(t / (1 - t)) - 0.55 + base)))
            p->needs |= (uint8_t)(1u << k);
        if ((p->needs >> k & 1u) && rng_bernoulli(r, 0.3 + 0.5 * p->engagement))
            p->needs_known |= (uint8_t)(1u << k);
    }
}

void sy_person(const sy_pop_t *pop, sy_patient_t *p, rng_t *r)
{
    demographics(pop, p, r);
    draw_conditions(pop->cond_icept, p, r, C_N);
    finish_person(pop, p, r);
}

/* Calibration helpers (synth_run.c): demographics only, then conditions drawn
 * one at a time as their intercepts are solved. */
void sy_calib_demo(const sy_pop_t *pop, sy_patient_t *p, rng_t *r)
{
    demographics(pop, p, r);
}
void sy_calib_draw(sy_patient_t *p, int c, double icept, double u)
{
    double x = sy_cond_lp(p, c);
    if (x != -INFINITY && u < sigmoid(icept + x))
        p->has |= 1u << c;
}
void sy_calib_finish(const sy_pop_t *pop, sy_patient_t *p, rng_t *r)
{
    finish_person(pop, p, r);
}

static int popcount8(unsigned v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* Log-scale acute-care risk: what raises ED visits and admissions. Partly
 * visible (conditions, SDOH, age), partly hidden (the `hidden` trait). */
double sy_risk_index(const sy_patient_t *p)
{
    double x = 0.30 * p->frailty + 0.20 * p->social + 0.15 * popcount8(p->needs) -
               0.6 * (p->engagement - 0.62) + 0.45 * p->hidden + 0.012 * (p->age - 75);
    for (int c = 0; c < C_N; c++)
        if (has(p, c))
            x += sy_conds[c].w_risk;
    if (has(p, C_CKD) && p->dx[C_CKD] >= 3)
        x += 0.3;
    if (p->seg == SEG_DISABLED)
        x += 0.3;
    if (p->dual != 0 && p->dual != 7)
        x += 0.15;
    if (p->seg == SEG_COMMERCIAL)
        x -= 1.0;
    return x;
}

double sy_death_index(const sy_patient_t *p)
{
    double x = 0.085 * (p->age - 75) + 0.5 * p->frailty + 0.3 * p->hidden;
    static const int serious[] = { C_CHF, C_COPD, C_DEM, C_CA_LUNG, C_CA_COLON, C_STROKE };
    for (size_t i = 0; i < sizeof serious / sizeof serious[0]; i++)
        if (has(p, serious[i]))
            x += 0.45;
    if (p->esrd)
        x += 1.0;
    return x;
}

int sy_enrolled(const sy_patient_t *p, date_t d)
{
    for (int i = 0; i < p->nspans; i++)
        if (d >= p->spans[i].start && d <= p->spans[i].end)
            return 1;
    return 0;
}

/* ---- events ---- */
static sy_event_t *add_event(sy_patient_t *p, int type, date_t start, date_t end)
{
    if (p->nev >= SY_MAX_EVENTS)
        return NULL;
    sy_event_t *e = &p->ev[p->nev++];
    memset(e, 0, sizeof *e);
    e->type = (uint8_t)type;
    e->start = start;
    e->end = end;
    e->org = -1;
    e->seq = p->nextseq++;
    return e;
}

static int cmp_event(const void *a, const void *b)
{
    const sy_event_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int pick_in(rng_t *r, sy_range_t g)
{
    return g.first + (int)rng_below(r, (uint32_t)(g.n > 0 ? g.n : 1));
}

/* One of two ranges, uniformly over their union (family + internal medicine). */
static int pick2(rng_t *r, sy_range_t a, sy_range_t b)
{
    int k = (int)rng_below(r, (uint32_t)(a.n + b.n > 0 ? a.n + b.n : 1));
    return k < a.n ? a.first + k : b.first + (k - a.n);
}

/* The same specialist for a patient and specialty, in or out of network by the
 * patient's leakage propensity. */
static int specialist(const sy_pop_t *pop, const sy_patient_t *p, int spec)
{
    uint64_t h = sy_mix(p->idx * 0x9e3779b97f4a7c15ull + (uint64_t)spec * 0x632be59bd9b4e019ull);
    double u = (double)(h >> 11) * (1.0 / 9007199254740992.0);
    sy_range_t g = u < p->leak ? pop->spec_out[spec] : pop->spec_in[spec];
    if (g.n == 0)
        g = pop->spec_in[spec];
    return g.first + (int)(sy_mix(h) % (uint64_t)g.n);
}

static int pcp_for_visit(const sy_pop_t *pop, const sy_patient_t *p, rng_t *r)
{
    double u = rng_uniform(r);
    if (u < 0.82)
        return p->pcp;
    if (u < 0.95)
        return pick2(r, pop->spec_in[SP_FAMILY], pop->spec_in[SP_INTERNAL]);
    return pick2(r, pop->spec_out[SP_FAMILY], pop->spec_out[SP_INTERNAL]);
}

/* Values of the trajectories at date d (years from the start of the period). */
static double years_from_start(const sy_pop_t *pop, date_t d)
{
    return (d - pop->start) / 365.25;
}

static double a1c_at(const sy_pop_t *pop, const sy_patient_t *p, date_t d, rng_t *r)
{
    double t = years_from_start(pop, d);
    return clampd(p->a1c0 + p->a1c_slope * t + rng_normal(r, 0, 0.25), 4.4, 14.5);
}

static double egfr_at(const sy_pop_t *pop, const sy_patient_t *p, date_t d, rng_t *r)
{
    double t = years_from_start(pop, d);
    return clampd(p->egfr0 + p->egfr_slope * t + rng_normal(r, 0, 2.5), 4, 130);
}

static double sbp_at(const sy_pop_t *pop, const sy_patient_t *p, date_t d, rng_t *r)
{
    double t = years_from_start(pop, d);
    return clampd(p->sbp0 + 2.0 * p->drift * t + rng_normal(r, 0, 8), 85, 215);
}

static void vitals(const sy_pop_t *pop, const sy_patient_t *p, sy_event_t *e, rng_t *r)
{
    double sbp = sbp_at(pop, p, e->start, r);
    double dbp = clampd(0.42 * sbp + 22 + rng_normal(r, 0, 6), 45, 125);
    double t = years_from_start(pop, e->start);
    double bmi = clampd(
        p->bmi0 - 0.25 * t * (has(p, C_CHF) + has(p, C_DEM)) + rng_normal(r, 0, 0.4), 15, 70);
    double hm = p->height_cm / 100.0;
    e->v[0] = (float)floor(sbp + 0.5);
    e->v[1] = (float)floor(dbp + 0.5);
    e->v[2] = (float)(floor(bmi * hm * hm * 10 + 0.5) / 10);
    e->v[3] = (float)(floor(bmi * 10 + 0.5) / 10);
    e->v[4] = (float)p->phq9;
}

/* Annual screening and preventive activity for year starting ys (may lie before
 * the period: then FHIR history only). */
static int event_hist(const sy_pop_t *pop, date_t d)
{
    return d < pop->start;
}

static void add_lab(const sy_pop_t *pop, sy_patient_t *p, rng_t *r, date_t d, unsigned labs)
{
    if (!labs)
        return;
    sy_event_t *e = add_event(p, EV_LAB, d, d);
    if (!e)
        return;
    e->labs = (uint8_t)labs;
    e->prac = pick_in(r, pop->org_in[ORG_LAB]);
    e->org = e->prac;
    if (event_hist(pop, d))
        e->flags |= EVF_HIST;
    e->v[0] = (float)(floor(a1c_at(pop, p, d, r) * 10 + 0.5) / 10);
    e->v[1] = (float)floor(egfr_at(pop, p, d, r) + 0.5);
    double uacr =
        has(p, C_CKD) ? 30 + expo(r, 120) : (has(p, C_DM) ? 8 + expo(r, 25) : 5 + expo(r, 8));
    e->v[2] = (float)floor(uacr + 0.5);
    e->v[3] = (float)floor(clampd(p->ldl0 + rng_normal(r, 0, 12), 35, 260) + 0.5);
    e->v[4] = (float)rng_bernoulli(r, 0.05); /* FIT positive */
}

/* One acute stay and what follows it; returns the day the patient is free again. */
typedef struct cand {
    date_t d;
    int readmit;
} cand_t;

static int cmp_cand(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    return (x->d > y->d) - (x->d < y->d);
}

static int pick_drg(const sy_patient_t *p, rng_t *r, int elective_ok)
{
    double w[64];
    int n = sy_ndrgs < 64 ? sy_ndrgs : 64;
    for (int i = 0; i < n; i++) {
        const sy_drg_t *g = &sy_drgs[i];
        double x = g->w;
        if (g->cond >= 0)
            x *= has(p, g->cond) ? 6.0 : 0.15;
        if (g->elective && !elective_ok)
            x = 0;
        if (g->cond < 0 && g->pcs && !g->elective && (p->age < 70 || p->frailty < 0))
            x *= 0.2;
        w[i] = x;
    }
    return rng_weighted(r, w, n);
}

/* ---- one patient's simulation ---------------------------------------------
 *
 * sy_simulate runs the steps below in order, one static function each, all
 * drawing from the patient's own stream: the order of the steps, and of the
 * draws inside each, is what makes a seed reproduce the same data. sim_t
 * carries what later steps need from earlier ones. */
typedef struct sim {
    const sy_pop_t *pop;
    sy_patient_t *p;
    rng_t *r;
    uint64_t idx;
    double e;             /* engagement */
    date_t last_alive;    /* the death date, else the end of the period */
    date_t hospice_start; /* DATE_NONE without hospice */
    date_t acute_until;   /* the last day of acute care (hospice stops it) */
    int terminal_admit;   /* death in hospital */
    cand_t cand[256];     /* admission candidates */
    int ncand;
} sim_t;

/* The month of the acute-care loop, cut at death. */
typedef struct sim_month {
    date_t ms, me, lim; /* first and last day; last day alive in it */
    int ndays;          /* days alive */
    double frac;        /* fraction of the month alive */
} sim_month_t;

/* The year of the preventive-care loop. */
typedef struct sim_year {
    date_t ys, ye, lim; /* first and last day; last day alive in it */
    int hist;           /* before the period: FHIR history only */
    int age_y;          /* age at its end */
    int span;           /* days alive */
} sim_year_t;

/* MBI format: C A AN N A AN N A A N N (letters without S L O I B Z). */
static void sim_mbi(sy_patient_t *p, uint64_t idx)
{
    static const char alpha[] = "ACDEFGHJKMNPQRTUVWXY";
    static const char alnum[] = "0123456789ACDEFGHJKMNPQRTUVWXY";
    uint64_t h = sy_mix(idx ^ 0x4d42490000000000ull);
    const char *pat = "CAXNAXNAANN";
    for (int i = 0; i < 11; i++) {
        switch (pat[i]) {
        case 'C':
            p->mbi[i] = (char)('1' + h % 9);
            h /= 9;
            break;
        case 'A':
            p->mbi[i] = alpha[h % 20];
            h /= 20;
            break;
        case 'X':
            p->mbi[i] = alnum[h % 30];
            h /= 30;
            break;
        default:
            p->mbi[i] = (char)('0' + h % 10);
            h /= 10;
            break;
        }
        if (h < 1000)
            h = sy_mix(h + idx + (uint64_t)i);
    }
    p->mbi[11] = 0;
}

/* Identity: patient id, MBI, name, address, phone. */
static void sim_identity(sim_t *s)
{
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    p->pid[0] = 'S';
    uint64_t v = s->idx + 1;
    for (int i = 9; i >= 1; i--) {
        p->pid[i] = (char)('0' + v % 10);
        v /= 10;
    }
    p->pid[10] = 0;
    sim_mbi(p, s->idx);
    p->first = p->female ? sy_first_f[rng_below(r, (uint32_t)sy_nfirst_f)]
                         : sy_first_m[rng_below(r, (uint32_t)sy_nfirst_m)];
    p->last = sy_last[rng_below(r, (uint32_t)sy_nlast)];
    p->street_no = rng_range(r, 10, 9899);
    p->street = (int)rng_below(r, (uint32_t)sy_nstreet);
    p->place = (int)rng_below(r, (uint32_t)sy_nplaces);
    p->phone = rng_range(r, 100, 199);
}

/* Attribution and networks. */
static void sim_networks(sim_t *s)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    p->pcp = pick2(r, pop->spec_in[SP_FAMILY], pop->spec_in[SP_INTERNAL]);
    p->leak = clampd(0.06 + 0.55 * rng_uniform(r) * rng_uniform(r), 0, 0.9);
    p->hospital = rng_bernoulli(r, 0.8) ? pick_in(r, pop->org_in[ORG_HOSP])
                                        : pick_in(r, pop->org_out[ORG_HOSP]);
    p->pharmacy = pick_in(r, pop->org_in[ORG_PHARM]);
}

/* Baselines of the trajectories. */
static void sim_baselines(sim_t *s)
{
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    p->height_cm = p->female ? rng_normal(r, 162, 7) : rng_normal(r, 176, 7);
    if (has(p, C_OBES))
        p->bmi0 = p->dx[C_OBES] == 1 ? 40.5 + expo(r, 3) : 30.5 + expo(r, 3.5);
    else
        p->bmi0 = clampd(rng_normal(r, 26, 3.0), 17.5, 29.8);
    p->insulin = has(p, C_DM) && rng_bernoulli(r, 0.22);
    if (has(p, C_DM))
        p->a1c0 = clampd(6.3 + 2.9 * pow(1 - e, 1.5) + rng_normal(r, 0, 0.8) + 0.4 * p->insulin,
                         5.6, 13.5);
    else
        p->a1c0 = clampd(rng_normal(r, 5.5, 0.3), 4.6, 6.3);
    p->a1c_slope = has(p, C_DM) ? 0.5 * p->drift + rng_normal(r, 0, 0.15) : 0.02;
    p->sbp0 = has(p, C_HTN) ? 121 + 26 * (1 - e) + rng_normal(r, 0, 11) + 0.25 * (p->age - 65)
                            : 116 + rng_normal(r, 0, 9) + 0.2 * (p->age - 50);
    if (has(p, C_CKD)) {
        static const double lo[] = { 60, 45, 30, 15, 8, 5 }, hi[] = { 89, 59, 44, 29, 14, 10 };
        int st = p->dx[C_CKD];
        p->egfr0 = lo[st] + (hi[st] - lo[st]) * rng_uniform(r);
        p->egfr_slope = -1.2 - 2.5 * (p->drift > 0 ? p->drift : 0) + rng_normal(r, 0, 0.6);
    } else {
        p->egfr0 = clampd(98 - 0.45 * (p->age - 40) + rng_normal(r, 0, 9), 61, 125);
        p->egfr_slope = -0.8;
    }
    p->ldl0 = has(p, C_HLD) ? rng_normal(r, 138, 25) : rng_normal(r, 108, 22);
    if (has(p, C_DEP))
        p->phq9 = (int)clampd(floor(5 + 11 * (1 - e) + rng_normal(r, 0, 4) + 0.5), 0, 27);
    else
        p->phq9 = rng_bernoulli(r, 0.07) ? rng_range(r, 5, 11) : rng_range(r, 0, 4);
}

/* Medications (bit per sy_meds row); statins also for diabetes and ASCVD. */
static void sim_meds(sim_t *s)
{
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    for (int m = 0; m < sy_nmeds && m < 32; m++) {
        const sy_med_t *md = &sy_meds[m];
        int ind = has(p, md->cond);
        if (md->cond == C_HLD)
            ind = ind || has(p, C_DM) || has(p, C_CAD) || has(p, C_STROKE) || has(p, C_PAD);
        if (md->rxnorm && strcmp(md->rxnorm, "311041") == 0)
            ind = p->insulin; /* the insulin row */
        else if (md->cond == C_DM)
            ind = ind && rng_bernoulli(r, md->share / (1 - 0.22 * 0.5));
        else
            ind = ind &&
                  rng_bernoulli(r, md->cond == C_HLD ? md->share * (0.75 + 0.35 * e) : md->share);
        if (ind)
            p->meds |= 1u << m;
    }
    /* statin therapy lowers LDL */
    for (int m = 0; m < sy_nmeds && m < 32; m++)
        if ((p->meds >> m & 1u) && sy_meds[m].cond == C_HLD) {
            p->ldl0 *= 0.62 + 0.2 * (1 - e);
            break;
        }
}

/* Enrollment: month-aligned spans inside the period. */
static void sim_enrollment(sim_t *s)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    date_t s0 = pop->start, s1 = pop->end;
    if (p->seg == SEG_AGED) {
        date_t b65 = date_add_months(p->birth, 65 * 12);
        if (b65 > s0)
            s0 = date_first_of_month(b65);
    } else if (p->seg == SEG_COMMERCIAL && rng_bernoulli(r, 0.10)) {
        s0 = date_first_of_month(s0 + (date_t)rng_below(r, (uint32_t)(s1 - s0 + 1)));
    }
    double leave_rate = p->seg == SEG_COMMERCIAL ? 0.12 : 0.03;
    double years = (s1 - s0 + 1) / 365.25;
    p->nspans = 0;
    if (rng_bernoulli(r, 1 - exp(-leave_rate * years))) {
        date_t leave = s0 + (date_t)rng_below(r, (uint32_t)(s1 - s0 + 1));
        leave = date_last_of_month(leave);
        p->spans[p->nspans++] = (sy_span_t){ s0, leave };
        if (rng_bernoulli(r, 0.3)) {
            date_t back = date_first_of_month(leave + 30 + rng_range(r, 0, 150));
            if (back <= s1)
                p->spans[p->nspans++] = (sy_span_t){ back, s1 };
        }
    } else {
        p->spans[p->nspans++] = (sy_span_t){ s0, s1 };
    }
}

/* Death, year by year, on an enrolled day; enrollment ends with it. */
static void sim_death(sim_t *s)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double hz = exp(pop->death_icept + sy_death_index(p));
    for (date_t ys = pop->start; ys <= pop->end; ys = date_add_months(ys, 12)) {
        if (rng_bernoulli(r, 1 - exp(-hz))) {
            date_t ye = date_add_months(ys, 12) - 1;
            if (ye > pop->end)
                ye = pop->end;
            date_t dd = ys + (date_t)rng_below(r, (uint32_t)(ye - ys + 1));
            if (sy_enrolled(p, dd)) {
                p->death = dd;
                break;
            }
        }
    }
    if (p->death != DATE_NONE) {
        for (int i = 0; i < p->nspans; i++) {
            if (p->spans[i].start > p->death) {
                p->nspans = i;
                break;
            }
            if (p->spans[i].end >= p->death)
                p->spans[i].end = date_last_of_month(p->death);
        }
    }
    s->last_alive = p->death != DATE_NONE ? p->death : pop->end;
}

/* Hospice before death (monthly claims), which ends acute care; or else,
 * sometimes, death in hospital. */
static void sim_hospice(sim_t *s)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    s->hospice_start = DATE_NONE;
    if (p->death != DATE_NONE && p->seg != SEG_COMMERCIAL && rng_bernoulli(r, 0.5)) {
        s->hospice_start = p->death - (date_t)(3 + expo(r, 45));
        if (s->hospice_start < pop->start)
            s->hospice_start = pop->start;
        for (date_t d = s->hospice_start; d <= p->death;) {
            date_t me = date_last_of_month(d);
            if (me > p->death)
                me = p->death;
            sy_event_t *h = add_event(p, EV_HOSPICE, d, me);
            if (h)
                h->org = h->prac = pick_in(r, pop->org_in[ORG_HOSPICE]);
            d = me + 1;
        }
    }
    s->acute_until = s->hospice_start != DATE_NONE ? s->hospice_start - 1 : s->last_alive;
    s->terminal_admit =
        p->death != DATE_NONE && s->hospice_start == DATE_NONE && rng_bernoulli(r, 0.4);
}

/* A month's admission candidates and ED visits, at log-rate eta. */
static void sim_month_acute(sim_t *s, const sim_month_t *mo, double eta)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    date_t ms = mo->ms;
    int ndays = mo->ndays;
    int n_ip = rng_poisson(r, exp(pop->ip_icept + eta) / 12.0 * mo->frac);
    for (int k = 0; k < n_ip && s->ncand < 200; k++)
        s->cand[s->ncand++] = (cand_t){ ms + (date_t)rng_below(r, (uint32_t)ndays), 0 };
    int n_ed = rng_poisson(r, exp(pop->ed_icept + eta) / 12.0 * mo->frac);
    for (int k = 0; k < n_ed; k++) {
        date_t d = ms + (date_t)rng_below(r, (uint32_t)ndays);
        if (d > s->acute_until)
            continue;
        sy_event_t *x = add_event(p, EV_ED, d, d);
        if (!x)
            break;
        double w[64];
        for (int i = 0; i < sy_neddx && i < 64; i++)
            w[i] = sy_eddx[i].w * (sy_eddx[i].cond < 0 ? 1.0 : has(p, sy_eddx[i].cond) ? 4.0 : 0);
        x->sub = (int16_t)rng_weighted(r, w, sy_neddx < 64 ? sy_neddx : 64);
        static const double lvl_w[] = { 0.35, 0.45, 0.20 };
        x->level = (uint8_t)(3 + rng_weighted(r, lvl_w, 3));
        x->prac = pick_in(r, pop->spec_in[SP_EM]);
        x->org = p->hospital;
        if (rng_bernoulli(r, 0.2 + 0.1 * (p->age >= 80)))
            x->flags |= EVF_AMB;
    }
}

/* A month's primary-care office visits. */
static void sim_month_office(sim_t *s, const sim_month_t *mo, double pcp_rate)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    int n_pcp = rng_poisson(r, pcp_rate / 12.0 * mo->frac);
    for (int k = 0; k < n_pcp; k++) {
        date_t d = mo->ms + (date_t)rng_below(r, (uint32_t)mo->ndays);
        if (d > s->acute_until)
            continue;
        sy_event_t *x = add_event(p, EV_OFFICE, d, d);
        if (!x)
            break;
        x->prac = pcp_for_visit(pop, p, r);
        static const double lvl_w[] = { 0.40, 0.50, 0.10 };
        x->level = (uint8_t)(3 + rng_weighted(r, lvl_w, 3));
        x->flags |= EVF_BP;
        if (rng_bernoulli(r, 0.05))
            x->flags |= EVF_TELE;
        x->sub = -1;
        vitals(pop, p, x, r);
    }
}

/* A month's specialist visits, per condition since its onset. */
static void sim_month_specialists(sim_t *s, const sim_month_t *mo, double ivf)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    for (int c = 0; c < C_N; c++) {
        if (!has(p, c) || sy_conds[c].spec < 0 || p->onset[c] > mo->lim)
            continue;
        int n =
            rng_poisson(r, 1.5 * sy_conds[c].spec_visits * ivf * (0.6 + 0.8 * e) / 12.0 * mo->frac);
        for (int k = 0; k < n; k++) {
            date_t d = mo->ms + (date_t)rng_below(r, (uint32_t)mo->ndays);
            if (d > s->acute_until)
                continue;
            sy_event_t *x = add_event(p, EV_OFFICE, d, d);
            if (!x)
                break;
            x->prac = specialist(pop, p, sy_conds[c].spec);
            static const double lvl_w[] = { 0.35, 0.50, 0.15 };
            x->level = (uint8_t)(3 + rng_weighted(r, lvl_w, 3));
            x->sub = (int16_t)c;
            if (rng_bernoulli(r, 0.45)) /* hospital outpatient department */
                x->org = p->hospital;
            vitals(pop, p, x, r);
        }
    }
}

/* A month's recurring services: dialysis, oxygen, test strips, home health
 * for the frail, infusions. */
static void sim_month_services(sim_t *s, const sim_month_t *mo)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    uint64_t idx = s->idx;
    date_t ms = mo->ms, lim = mo->lim, acute_until = s->acute_until;
    if (p->esrd && ms <= acute_until) {
        sy_event_t *x = add_event(p, EV_DIALYSIS, ms, lim);
        if (x) {
            x->org = pick_in(r, pop->org_in[ORG_DIALYSIS]);
            x->prac = specialist(pop, p, SP_NEPHRO);
        }
    }
    if (has(p, C_COPD) && (sy_mix(idx * 7 + 3) % 4 == 0) && ms <= acute_until) {
        sy_event_t *x = add_event(p, EV_DME, ms, ms);
        if (x) {
            x->level = 1; /* oxygen */
            x->org = x->prac = pick_in(r, pop->org_in[ORG_DME]);
        }
    }
    if (p->insulin && date_month_index(ms) % 3 == 0) {
        sy_event_t *x = add_event(p, EV_DME, ms + 2, ms + 2);
        if (x) {
            x->level = 2; /* test strips */
            x->org = x->prac = pick_in(r, pop->org_in[ORG_DME]);
        }
    }
    if (p->seg != SEG_COMMERCIAL && p->age >= 75 && p->frailty > 0.8 && ms <= acute_until &&
        rng_bernoulli(r, 0.04)) {
        date_t hs = ms + rng_range(r, 0, 20);
        if (hs <= lim) {
            date_t he = hs + 29 > s->last_alive ? s->last_alive : hs + 29;
            sy_event_t *h = add_event(p, EV_HH, hs, he);
            if (h) {
                h->org = h->prac = pick_in(r, pop->org_in[ORG_HHA]);
                h->level = (uint8_t)rng_range(r, 4, 12);
                h->sub = -1;
            }
        }
    }
    int active_chemo = (has(p, C_CA_BREAST) || has(p, C_CA_COLON) || has(p, C_CA_LUNG)) &&
                       sy_mix(idx * 13 + 5) % 100 < 20;
    if (active_chemo && ms <= acute_until) {
        sy_event_t *x = add_event(p, EV_IMAGING, ms + 9, ms + 9);
        if (x) {
            x->level = 6; /* infusion */
            x->prac = specialist(pop, p, SP_ONC);
            x->org = p->hospital;
        }
    }
}

/* Acute care candidates and outpatient care, month by month. */
static void sim_months(sim_t *s)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    double e = s->e;
    double risk = sy_risk_index(p);
    int nchronic = 0;
    for (int c = 0; c < C_N; c++)
        nchronic += has(p, c);
    double pcp_rate =
        (p->seg == SEG_COMMERCIAL ? 1.3 + 0.4 * nchronic : 2.8 + 0.5 * nchronic) * (0.5 + 0.9 * e);
    double ivf = p->seg == SEG_COMMERCIAL ? 0.7 : 1.0;

    for (date_t ms = date_first_of_month(pop->start); ms <= pop->end; ms = date_add_months(ms, 1)) {
        date_t me = date_last_of_month(ms);
        if (!sy_enrolled(p, ms) || ms > s->last_alive)
            continue;
        sim_month_t mo = { ms, me, me < s->last_alive ? me : s->last_alive, 0, 0 };
        mo.ndays = mo.lim - ms + 1;
        mo.frac = mo.ndays / (double)(me - ms + 1);
        double t = years_from_start(pop, ms + 15);
        double eta = risk + p->drift * t;
        sim_month_acute(s, &mo, eta);
        sim_month_office(s, &mo, pcp_rate);
        sim_month_specialists(s, &mo, ivf);
        sim_month_services(s, &mo);
    }
}

/* Discharge disposition: 20 died, else 1 home, 3 SNF, 6 home health or 62
 * rehabilitation, SNF likelier with age, frailty and joint replacement. */
static int sim_disposition(sim_t *s, int g, int terminal)
{
    const sy_patient_t *p = s->p;
    int disp = 1;
    if (terminal) {
        disp = 20;
    } else {
        double psnf = p->seg == SEG_COMMERCIAL
                          ? 0.04
                          : clampd(0.10 + 0.012 * (p->age - 70) + 0.05 * p->frailty +
                                       (strcmp(sy_drgs[g].drg, "481") == 0 ||
                                        strcmp(sy_drgs[g].drg, "470") == 0) *
                                           0.25,
                                   0.03, 0.6);
        double u = rng_uniform(s->r);
        if (u < psnf)
            disp = 3;
        else if (u < psnf + 0.16)
            disp = 6;
        else if (u < psnf + 0.16 + 0.01)
            disp = 62;
    }
    return disp;
}

/* What follows a discharge on dis: a SNF stay, home health, a transitional
 * care visit, perhaps a 30-day readmission candidate. Returns the day the
 * patient is free again (the end of the SNF stay, else dis). */
static date_t sim_post_acute(sim_t *s, int g, date_t dis, int disp)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    date_t last_alive = s->last_alive;
    date_t free_from = dis;
    if (disp == 3) {
        int snf_los = 6 + (int)expo(r, 18);
        if (snf_los > 100)
            snf_los = 100;
        date_t se = dis + snf_los;
        if (se > last_alive)
            se = last_alive;
        sy_event_t *sn = add_event(p, EV_SNF, dis, se);
        if (sn) {
            sn->org =
                pick_in(r, rng_bernoulli(r, 0.8) ? pop->org_in[ORG_SNF] : pop->org_out[ORG_SNF]);
            sn->prac = p->pcp;
            sn->disp = rng_bernoulli(r, 0.3) ? 6 : 1;
            sn->sub = (int16_t)g;
        }
        free_from = se;
    }
    if (disp == 6 || (disp == 3 && rng_bernoulli(r, 0.3))) {
        date_t hs = free_from + rng_range(r, 1, 3);
        if (hs <= last_alive) {
            date_t he = hs + 29 > last_alive ? last_alive : hs + 29;
            sy_event_t *h = add_event(p, EV_HH, hs, he);
            if (h) {
                h->org = h->prac = pick_in(r, pop->org_in[ORG_HHA]);
                h->level = (uint8_t)rng_range(r, 4, 12); /* visits */
                h->sub = (int16_t)g;
            }
        }
    }
    /* transitional care visit */
    if (rng_bernoulli(r, 0.45 + 0.35 * e)) {
        int within7 = rng_bernoulli(r, 0.45);
        date_t tv = free_from + (within7 ? rng_range(r, 2, 7) : rng_range(r, 8, 14));
        if (tv <= last_alive && sy_enrolled(p, tv)) {
            sy_event_t *v = add_event(p, EV_TCM, tv, tv);
            if (v) {
                v->prac = p->pcp;
                v->level = (uint8_t)(within7 ? 7 : 14);
                v->flags |= EVF_BP | EVF_MEDS;
                v->sub = -1;
                vitals(pop, p, v, r);
            }
        }
    }
    /* 30-day readmission: the hidden risk matters here too */
    double pr =
        sigmoid(pop->readmit_icept + 0.45 * p->frailty + 0.45 * p->hidden + 0.25 * p->social -
                0.8 * (e - 0.62) + 0.3 * has(p, C_CHF) + 0.3 * has(p, C_COPD) + 0.3 * p->esrd);
    if (s->ncand < 250 && rng_bernoulli(r, pr)) {
        double u = rng_uniform(r);
        s->cand[s->ncand++] = (cand_t){ dis + 1 + (date_t)(29 * u * u), 1 };
    }
    return free_from;
}

/* Candidate i (the earliest left) as a stay, unless the patient is busy,
 * not enrolled or past acute care. *busy is the last day of the previous
 * stay. Returns false when the event table is full. */
static bool sim_stay(sim_t *s, int i, date_t *busy)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    cand_t *cand = s->cand;
    qsort(cand + i, (size_t)(s->ncand - i), sizeof cand[0], cmp_cand);
    date_t d = cand[i].d;
    if (d < pop->start || (*busy != DATE_NONE && d <= *busy) || !sy_enrolled(p, d))
        return true;
    int terminal = cand[i].readmit == 2;
    if (!terminal && d > s->acute_until)
        return true;
    int elective = !cand[i].readmit && !terminal && rng_bernoulli(r, 0.12);
    int g = pick_drg(p, r, elective);
    elective = sy_drgs[g].elective;
    int los = 1 + rng_poisson(r, sy_drgs[g].los * (1 + 0.1 * p->frailty) - 1 > 0.2
                                     ? sy_drgs[g].los * (1 + 0.1 * p->frailty) - 1
                                     : 0.2);
    if (los > 30)
        los = 30;
    date_t dis = d + los;
    if (terminal) {
        dis = p->death;
        if (d > dis)
            d = dis;
    } else if (p->death != DATE_NONE && dis >= p->death) {
        return true;
    }
    /* A stay past the end of the period keeps its admission, without a
     * discharge. */
    sy_event_t *x = add_event(p, EV_IP, d, dis);
    if (!x)
        return false;
    x->sub = (int16_t)g;
    x->org = p->hospital;
    x->prac = pick_in(r, pop->spec_in[SP_HOSPITAL]);
    if (!elective && rng_bernoulli(r, 0.78))
        x->flags |= EVF_FROM_ED;
    if (elective)
        x->level = 3; /* admit type elective */
    else
        x->level = (x->flags & EVF_FROM_ED) ? 1 : 2;
    if (cand[i].readmit == 1)
        x->flags |= EVF_READMIT;
    if ((x->flags & EVF_FROM_ED) && rng_bernoulli(r, 0.45))
        x->flags |= EVF_AMB;
    int disp = sim_disposition(s, g, terminal);
    x->disp = (uint8_t)disp;
    *busy = dis;
    if (dis > pop->end || terminal)
        return true;
    *busy = sim_post_acute(s, g, dis, disp);
    return true;
}

/* Stays, in date order; readmissions are added as they arise. */
static void sim_stays(sim_t *s)
{
    /* terminal admission ending in death */
    if (s->terminal_admit && s->ncand < 250)
        s->cand[s->ncand++] = (cand_t){ s->p->death - rng_range(s->r, 0, 6), 2 };
    date_t busy = DATE_NONE;
    for (int i = 0; i < s->ncand; i++)
        if (!sim_stay(s, i, &busy))
            break;
}

/* The year's visit that carries screening (the AWV, or the first PCP visit)
 * and what is screened and done at it. */
static void sim_year_carrier(sim_t *s, const sim_year_t *y)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    date_t ys = y->ys, ye = y->ye;
    int hist = y->hist, age_y = y->age_y;
    sy_event_t *awv = NULL;
    double p_awv = (p->seg == SEG_COMMERCIAL || age_y < 65) ? 0.25 + 0.45 * e : 0.20 + 0.6 * e;
    if (!hist && rng_bernoulli(r, p_awv)) {
        date_t d = ys + (date_t)rng_below(r, (uint32_t)y->span);
        if (sy_enrolled(p, d) && d <= s->acute_until) {
            awv = add_event(p, EV_AWV, d, d);
            if (awv) {
                awv->prac = p->pcp;
                awv->flags |= EVF_BP | EVF_BMI | EVF_TOBACCO | EVF_MEDS;
                awv->sub = (int16_t)(rng_bernoulli(r, 0.12) ? 0 : 1); /* initial/subsequent */
                if (hist)
                    awv->flags |= EVF_HIST;
                vitals(pop, p, awv, r);
            }
        }
    }
    sy_event_t *carrier = awv;
    if (!carrier) {
        for (int i = 0; i < p->nev; i++) {
            sy_event_t *x = &p->ev[i];
            if (x->type == EV_OFFICE && x->sub < 0 && x->start >= ys && x->start <= ye &&
                (!carrier || x->start < carrier->start))
                carrier = x;
        }
        if (carrier)
            carrier->flags |= EVF_BMI | EVF_MEDS | (rng_bernoulli(r, 0.7) ? EVF_TOBACCO : 0);
    }
    if (carrier && rng_bernoulli(r, 0.5 + 0.45 * e)) {
        carrier->flags |= EVF_DEPSCR;
        if (carrier->v[4] >= 10 && rng_bernoulli(r, 0.55 + 0.35 * e))
            carrier->flags |= EVF_FOLLOWUP;
    }
    if (awv && p->needs_known && rng_bernoulli(r, 0.6))
        awv->flags |= EVF_SDOH;
    if (carrier && p->frail_dx)
        carrier->flags |= EVF_FALL;
    /* falls screening, 65+ (CMS139): part of nearly every AWV, less often at a PCP visit;
     * positive (at risk) with a past fall or with frailty and age */
    if (carrier && age_y >= 65 && rng_bernoulli(r, carrier == awv ? 0.9 : 0.25 + 0.4 * e)) {
        carrier->flags |= EVF_FALLSCR;
        if (p->frail_dx || rng_bernoulli(r, sigmoid(-1.3 + 0.7 * p->frailty + 0.04 * (age_y - 75))))
            carrier->flags |= EVF_FALLPOS;
    }
    /* current smokers whose status is recorded: cessation counselling (99406) and/or
     * pharmacotherapy, a nicotine patch or varenicline (CMS138 group 2) */
    if (carrier && (carrier->flags & EVF_TOBACCO) && p->tobacco == 2) {
        int counsel = rng_bernoulli(r, 0.4 + 0.4 * e);
        if (counsel)
            carrier->flags |= EVF_CESS;
        if (rng_bernoulli(r, counsel ? 0.35 : 0.08))
            carrier->flags |= rng_bernoulli(r, 0.6) ? EVF_CESS_NRT : EVF_CESS_VAR;
    }
}

/* Labs with the year's PCP visits; A1c target count by engagement. */
static void sim_year_labs(sim_t *s, const sim_year_t *y)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    int a1c_n = has(p, C_DM) ? 1 + (int)floor(2.6 * e + rng_uniform(r) * 0.8) : 0;
    if (has(p, C_DM) && rng_bernoulli(r, 0.12 * (1 - e)))
        a1c_n = 0; /* no A1c at all this year: a CMS122 gap */
    int lipid = (has(p, C_HLD) || has(p, C_DM) || has(p, C_CAD)) ? rng_bernoulli(r, 0.8)
                                                                 : rng_bernoulli(r, 0.3);
    int uacr = has(p, C_DM) && rng_bernoulli(r, 0.3 + 0.45 * e);
    int tsh = has(p, C_HYPOTHY) && rng_bernoulli(r, 0.8);
    int nvis = 0;
    for (int i = 0; i < p->nev; i++) {
        sy_event_t *x = &p->ev[i];
        if (x->type != EV_OFFICE || x->sub >= 0 || x->start < y->ys || x->start > y->ye)
            continue;
        unsigned labs = 0;
        if (a1c_n > 0) {
            labs |= LAB_A1C;
            a1c_n--;
        }
        if (lipid) {
            labs |= LAB_LIPID;
            lipid = 0;
        }
        if ((has(p, C_HTN) || has(p, C_CKD) || has(p, C_DM) || has(p, C_CHF)) &&
            (nvis == 0 || rng_bernoulli(r, 0.35)))
            labs |= LAB_BMP;
        if (uacr) {
            labs |= LAB_UACR;
            uacr = 0;
        }
        if (tsh) {
            labs |= LAB_TSH;
            tsh = 0;
        }
        if (rng_bernoulli(r, 0.15))
            labs |= LAB_CBC;
        add_lab(pop, p, r, x->start, labs);
        nvis++;
    }
    if (y->hist && has(p, C_DM)) {
        /* history: the clinical record holds last year's A1c and eGFR */
        add_lab(pop, p, r, y->ys + (date_t)rng_below(r, 365), LAB_A1C);
    }
}

/* The year's screenings: mammography, diabetic eye exam, influenza. */
static void sim_year_screening(sim_t *s, const sim_year_t *y)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    date_t ys = y->ys, lim = y->lim;
    int hist = y->hist, age_y = y->age_y, span = y->span;
    /* breast cancer screening, women 50-74 (CMS125 looks back 27 months) */
    if (p->female && age_y >= 50 && age_y <= 74 && rng_bernoulli(r, 0.18 + 0.4 * e)) {
        date_t d = ys + (date_t)rng_below(r, (uint32_t)span);
        if (hist || sy_enrolled(p, d)) {
            sy_event_t *x = add_event(p, EV_MAMMO, d, d);
            if (x) {
                x->prac = pick_in(r, pop->spec_in[SP_RADIO]);
                x->org = p->hospital;
                if (hist)
                    x->flags |= EVF_HIST;
            }
        }
    }
    /* diabetic eye exam */
    if (has(p, C_DM) && rng_bernoulli(r, 0.3 + 0.45 * e)) {
        date_t d = ys + (date_t)rng_below(r, (uint32_t)span);
        if (hist || sy_enrolled(p, d)) {
            sy_event_t *x = add_event(p, EV_EYE, d, d);
            if (x) {
                x->prac = specialist(pop, p, SP_OPHTH);
                if (hist)
                    x->flags |= EVF_HIST;
            }
        }
    }
    /* influenza, each season (September to December) */
    int yy, mm, dd;
    date_to_ymd(ys, &yy, &mm, &dd);
    date_t flu_lo = date_from_ymd(mm <= 9 ? yy : yy + 1, 9, 15);
    double pf = age_y >= 65 ? 0.35 + 0.5 * e : 0.2 + 0.4 * e;
    if (flu_lo <= lim && rng_bernoulli(r, pf)) {
        date_t d = flu_lo + rng_range(r, 0, 100);
        if (d <= lim && (hist || sy_enrolled(p, d))) {
            sy_event_t *x = add_event(p, EV_VACCINE, d, d);
            if (x) {
                x->level = (uint8_t)(age_y >= 65 ? K_CVX_FLU_HD : K_CVX_FLU_STD);
                x->prac = p->pcp;
                if (d < pop->start)
                    x->flags |= EVF_HIST;
            }
        }
    }
}

/* The year's imaging and therapy: echo for heart failure, DEXA, physical
 * therapy, oncology CT (not in history years). */
static void sim_year_imaging(sim_t *s, const sim_year_t *y)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    date_t ys = y->ys, lim = y->lim, acute_until = s->acute_until;
    int age_y = y->age_y, span = y->span;
    if (y->hist)
        return;
    if (has(p, C_CHF) && rng_bernoulli(r, 0.5)) {
        date_t d = ys + (date_t)rng_below(r, (uint32_t)span);
        if (sy_enrolled(p, d) && d <= acute_until) {
            sy_event_t *x = add_event(p, EV_IMAGING, d, d);
            if (x) {
                x->level = 1;
                x->prac = specialist(pop, p, SP_CARDIO);
                x->org = p->hospital;
            }
        }
    }
    if (p->female && age_y >= 65 && rng_bernoulli(r, 0.15 + 0.2 * has(p, C_OSTEO))) {
        date_t d = ys + (date_t)rng_below(r, (uint32_t)span);
        if (sy_enrolled(p, d) && d <= acute_until) {
            sy_event_t *x = add_event(p, EV_IMAGING, d, d);
            if (x) {
                x->level = 2;
                x->prac = pick_in(r, pop->spec_in[SP_RADIO]);
                x->org = p->hospital;
            }
        }
    }
    if ((has(p, C_OA) || has(p, C_STROKE)) && rng_bernoulli(r, 0.15)) {
        date_t d = ys + (date_t)rng_below(r, (uint32_t)span);
        for (int k = 0; k < 8; k++, d += 4) {
            if (d > lim || !sy_enrolled(p, d) || d > acute_until)
                break;
            sy_event_t *x = add_event(p, EV_IMAGING, d, d);
            if (!x)
                break;
            x->level = 3;
            x->prac = specialist(pop, p, SP_ORTHO);
            x->org = p->hospital;
        }
    }
    if ((has(p, C_CA_LUNG) || has(p, C_CA_COLON)) && rng_bernoulli(r, 0.6)) {
        date_t d = ys + (date_t)rng_below(r, (uint32_t)span);
        if (sy_enrolled(p, d) && d <= acute_until) {
            sy_event_t *x = add_event(p, EV_IMAGING, d, d);
            if (x) {
                x->level = 4;
                x->prac = pick_in(r, pop->spec_in[SP_RADIO]);
                x->org = p->hospital;
            }
        }
    }
}

/* Preventive care and screening, year by year (history years first). */
static void sim_years(sim_t *s)
{
    const sy_pop_t *pop = s->pop;
    int hist_years = 2;
    date_t first_year = date_add_months(pop->start, -12 * hist_years);
    for (date_t ys = first_year; ys <= pop->end; ys = date_add_months(ys, 12)) {
        sim_year_t y = { ys, date_add_months(ys, 12) - 1, 0, ys < pop->start, 0, 0 };
        y.age_y = date_age(s->p->birth, y.ye);
        if (y.age_y < 18)
            continue;
        y.lim = y.ye < s->last_alive ? y.ye : s->last_alive;
        if (y.lim < ys)
            break;
        y.span = y.lim - ys + 1;
        sim_year_carrier(s, &y);
        sim_year_labs(s, &y);
        sim_year_screening(s, &y);
        sim_year_imaging(s, &y);
    }
}

/* Colorectal screening (45-75): the last colonoscopy, or yearly FIT. */
static void sim_colorectal(sim_t *s)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    int age_end = p->age;
    if (age_end < 46 || age_end > 80)
        return;
    if (rng_bernoulli(r, 0.3 + 0.45 * e)) {
        date_t d = pop->end - (date_t)(rng_uniform(r) * 12 * 365.25);
        date_t a45 = date_add_months(p->birth, 45 * 12);
        if (d >= a45 && d <= s->last_alive && (d < pop->start || sy_enrolled(p, d))) {
            sy_event_t *x = add_event(p, EV_COLO, d, d);
            if (x) {
                x->prac = specialist(pop, p, SP_GI);
                x->org = pick_in(r, pop->org_in[ORG_ASC]);
                if (d < pop->start)
                    x->flags |= EVF_HIST;
            }
        }
    } else if (rng_bernoulli(r, 0.15 + 0.3 * e)) {
        for (date_t ys = pop->start; ys <= pop->end; ys = date_add_months(ys, 12)) {
            date_t d = ys + rng_range(r, 0, 330);
            if (d <= s->last_alive && sy_enrolled(p, d))
                add_lab(pop, p, r, d, LAB_FIT);
        }
    }
}

/* Once-in-years care: colorectal screening; pneumococcal (65+) and zoster
 * (50+) vaccines at any time in the last years; a walker for the frail. */
static void sim_once(sim_t *s)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    date_t last_alive = s->last_alive;
    sim_colorectal(s);
    if (p->age >= 66 && rng_bernoulli(r, 0.45 + 0.35 * e)) {
        date_t d = pop->end - (date_t)(rng_uniform(r) * 5 * 365.25);
        if (d <= last_alive && (d < pop->start || sy_enrolled(p, d))) {
            sy_event_t *x = add_event(p, EV_VACCINE, d, d);
            if (x) {
                x->level = K_CVX_PCV20;
                x->prac = p->pcp;
                if (d < pop->start)
                    x->flags |= EVF_HIST;
            }
        }
    }
    if (p->age >= 51 && rng_bernoulli(r, 0.25 + 0.3 * e)) {
        date_t d = pop->end - (date_t)(rng_uniform(r) * 4 * 365.25);
        for (int k = 0; k < 2; k++, d += rng_range(r, 60, 180)) {
            if (d > last_alive || !(d < pop->start || sy_enrolled(p, d)))
                break;
            sy_event_t *x = add_event(p, EV_VACCINE, d, d);
            if (!x)
                break;
            x->level = K_CVX_ZOSTER;
            x->prac = p->pcp;
            if (d < pop->start)
                x->flags |= EVF_HIST;
        }
    }
    if (p->frail_dx && p->age >= 75 && rng_bernoulli(r, 0.3)) {
        date_t d = pop->start + rng_range(r, 0, 300);
        if (d <= last_alive && sy_enrolled(p, d)) {
            sy_event_t *x = add_event(p, EV_DME, d, d);
            if (x) {
                x->level = 3; /* walker */
                x->org = x->prac = pick_in(r, pop->org_in[ORG_DME]);
            }
        }
    }
}

/* Pharmacy fills with adherence (proportion of days covered). */
static void sim_fills(sim_t *s)
{
    const sy_pop_t *pop = s->pop;
    sy_patient_t *p = s->p;
    rng_t *r = s->r;
    double e = s->e;
    double pdc = clampd(0.35 + 0.6 * e + rng_normal(r, 0, 0.1), 0.2, 1.0);
    int d90 = p->seg != SEG_COMMERCIAL ? rng_bernoulli(r, 0.5) : rng_bernoulli(r, 0.3);
    for (int m = 0; m < sy_nmeds && m < 32; m++) {
        if (!(p->meds >> m & 1u))
            continue;
        int days = (d90 && sy_meds[m].qty30 >= 4 && !sy_meds[m].brand) ? 90 : 30;
        date_t d = pop->start + rng_range(r, 0, days - 1);
        if (p->onset[sy_meds[m].cond] > d && p->onset[sy_meds[m].cond] <= pop->end)
            d = p->onset[sy_meds[m].cond] + rng_range(r, 0, 20);
        while (d <= pop->end && d <= s->last_alive) {
            if (sy_enrolled(p, d) && (s->hospice_start == DATE_NONE || d < s->hospice_start)) {
                sy_event_t *x = add_event(p, EV_FILL, d, d);
                if (!x)
                    break;
                x->sub = (int16_t)m;
                x->level = (uint8_t)(days == 90 ? 90 : 30);
                x->org = p->pharmacy;
                x->prac = p->pcp;
            }
            double gap = days * (1.0 / pdc - 1.0) * expo(r, 1.0);
            d += days + (date_t)(gap > 400 ? 400 : gap);
        }
    }
}

void sy_simulate(const sy_pop_t *pop, uint64_t idx, sy_patient_t *p)
{
    sy_event_t *ev = p->ev;
    memset(p, 0, sizeof *p);
    p->ev = ev;
    p->idx = idx;
    p->death = DATE_NONE;
    rng_t rr, *r = &rr;
    rng_seed2(r, pop->o.seed, idx);
    sy_person(pop, p, r);
    sim_t s = { .pop = pop, .p = p, .r = r, .idx = idx, .e = p->engagement };
    sim_identity(&s);
    sim_networks(&s);
    sim_baselines(&s);
    sim_meds(&s);
    sim_enrollment(&s);
    sim_death(&s);
    sim_hospice(&s);
    sim_months(&s);
    sim_stays(&s);
    sim_years(&s);
    sim_once(&s);
    sim_fills(&s);
    qsort(p->ev, (size_t)p->nev, sizeof p->ev[0], cmp_event);
}
