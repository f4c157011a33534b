/* synth_run.c — the run: panel, calibration, worker threads and ordered output.
 *
 * Patients are generated in chunks of CHUNK by worker threads into per-chunk
 * buffers (one per output stream); the main thread writes chunks strictly in
 * order, so the files are byte-identical whatever the number of threads. A
 * ring of slots bounds memory: a worker waits until the writer has freed the
 * slot its chunk needs.
 */
#include "synth/synth_internal.h"

#include "core/log.h"
#include "core/mem.h"
#include "core/progress.h"
#include "core/str.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK 512

const char *const sy_stream_path[S_N] = {
    [S_ELIG] = "eligibility.csv",
    [S_MED] = "medical_claim.csv",
    [S_RX] = "pharmacy_claim.csv",
    [S_LAB] = "lab_result.csv",
    [S_PATIENT] = "fhir/Patient.ndjson",
    [S_ENCOUNTER] = "fhir/Encounter.ndjson",
    [S_CONDITION] = "fhir/Condition.ndjson",
    [S_OBSERVATION] = "fhir/Observation.ndjson",
    [S_PROCEDURE] = "fhir/Procedure.ndjson",
    [S_MEDREQ] = "fhir/MedicationRequest.ndjson",
    [S_IMMUNIZATION] = "fhir/Immunization.ndjson",
    [S_HL7] = "hl7/adt.hl7",
};

void synth_opts_default(synth_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->out_dir = ".";
    o->years = 1;
    o->end = date_from_ymd(2025, 12, 31);
    o->outputs = SYNTH_OUT_ALL;
    o->threads = 1;
    o->progress = 1;
}

int synth_outputs_parse(const char *s, unsigned *out)
{
    unsigned v = 0;
    const char *p = s;
    if (!s || !*s)
        return -1;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (str_eq(p, n, "claims"))
            v |= SYNTH_OUT_CLAIMS;
        else if (str_eq(p, n, "fhir"))
            v |= SYNTH_OUT_FHIR;
        else if (str_eq(p, n, "hl7"))
            v |= SYNTH_OUT_HL7;
        else if (str_eq(p, n, "all"))
            v |= SYNTH_OUT_ALL;
        else
            return -1;
        if (!e)
            break;
        p = e + 1;
    }
    if (!v)
        return -1;
    *out = v;
    return 0;
}

static int stream_enabled(unsigned outputs, int s)
{
    if (s <= S_LAB)
        return (outputs & SYNTH_OUT_CLAIMS) != 0;
    if (s == S_HL7)
        return (outputs & SYNTH_OUT_HL7) != 0;
    return (outputs & SYNTH_OUT_FHIR) != 0;
}

/* ---- the panel ---- */

/* NPI check digit: Luhn over "80840" + the first nine digits (CMS NPI standard). */
static char npi_check(const char *nine)
{
    char d[15];
    memcpy(d, "80840", 5);
    memcpy(d + 5, nine, 9);
    int sum = 0;
    for (int i = 13, dbl = 1; i >= 0; i--, dbl = !dbl) {
        int v = d[i] - '0';
        if (dbl) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

static void make_npi(char out[11], int k, int org)
{
    /* 9 digits: 1 (people) or 1 (organisations too), then a scrambled sequence */
    uint64_t v = ((uint64_t)k * 7907u + (org ? 50000000u : 13u)) % 100000000u;
    out[0] = '1';
    for (int i = 8; i >= 1; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    out[9] = npi_check(out);
    out[10] = 0;
}

static void make_tin(char out[10], int k)
{
    uint64_t v = ((uint64_t)k * 104729u + 31337u) % 100000000u;
    out[0] = '8';
    for (int i = 8; i >= 1; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    out[9] = 0;
}

static const char *org_kind_name[ORG_N] = {
    [ORG_HOSP] = "Hospital",
    [ORG_SNF] = "Skilled Nursing Center",
    [ORG_HHA] = "Home Health",
    [ORG_LAB] = "Laboratory",
    [ORG_DME] = "Medical Supply",
    [ORG_HOSPICE] = "Hospice",
    [ORG_PHARM] = "Pharmacy",
    [ORG_DIALYSIS] = "Dialysis Center",
    [ORG_ASC] = "Endoscopy Center",
    [ORG_AMB] = "Ambulance Service",
    [ORG_GROUP] = "Primary Care Group",
};

static int scaled(uint64_t n, double per, int min)
{
    double v = (double)n / per;
    int k = (int)ceil(v);
    return k < min ? min : k;
}

static void build_panel(sy_pop_t *pop)
{
    uint64_t n = pop->o.patients;
    int spec_in_n[SP_N], spec_out_n[SP_N], org_in_n[ORG_N], org_out_n[ORG_N];
    for (int s = 0; s < SP_N; s++) {
        spec_in_n[s] = scaled(n, 8000, 1);
        spec_out_n[s] = scaled(n, 8000, 1);
    }
    spec_in_n[SP_FAMILY] = scaled(n, 2400, 3);
    spec_in_n[SP_INTERNAL] = scaled(n, 4000, 2);
    spec_out_n[SP_FAMILY] = scaled(n, 12000, 1);
    spec_out_n[SP_INTERNAL] = scaled(n, 12000, 1);
    spec_in_n[SP_EM] = scaled(n, 15000, 2);
    spec_out_n[SP_EM] = 0;
    spec_in_n[SP_HOSPITAL] = scaled(n, 10000, 2);
    spec_out_n[SP_HOSPITAL] = 0;
    spec_in_n[SP_RADIO] = scaled(n, 20000, 1);
    spec_out_n[SP_RADIO] = 0;
    for (int o = 0; o < ORG_N; o++) {
        org_in_n[o] = 1;
        org_out_n[o] = 0;
    }
    org_in_n[ORG_HOSP] = scaled(n, 250000, 2);
    org_out_n[ORG_HOSP] = scaled(n, 500000, 2);
    org_in_n[ORG_SNF] = scaled(n, 25000, 2);
    org_out_n[ORG_SNF] = scaled(n, 100000, 1);
    org_in_n[ORG_HHA] = scaled(n, 50000, 2);
    org_in_n[ORG_PHARM] = scaled(n, 10000, 3);
    org_in_n[ORG_DIALYSIS] = scaled(n, 100000, 1);
    org_in_n[ORG_GROUP] = scaled(n, 15000, 2);

    int total = 0;
    for (int s = 0; s < SP_N; s++)
        total += spec_in_n[s] + spec_out_n[s];
    for (int o = 0; o < ORG_N; o++)
        total += org_in_n[o] + org_out_n[o];
    pop->prac = mem_calloc((size_t)total, sizeof *pop->prac);
    pop->nprac = 0;
    rng_t r;
    rng_seed2(&r, pop->o.seed, 0xfeedfacecafeull);

    /* organisations first, so that groups exist when people are assigned */
    for (int o = 0; o < ORG_N; o++) {
        for (int in = 1; in >= 0; in--) {
            int cnt = in ? org_in_n[o] : org_out_n[o];
            sy_range_t *g = in ? &pop->org_in[o] : &pop->org_out[o];
            g->first = pop->nprac;
            g->n = cnt;
            for (int k = 0; k < cnt; k++) {
                sy_prac_t *x = &pop->prac[pop->nprac];
                make_npi(x->npi, pop->nprac, 1);
                make_tin(x->tin, pop->nprac);
                x->spec = -1;
                x->org = o;
                x->in_network = in;
                x->group = -1;
                const char *city = sy_places[(pop->nprac * 7) % sy_nplaces].city;
                snprintf(x->name, sizeof x->name, "%s %s %d", city, org_kind_name[o], k + 1);
                pop->nprac++;
            }
        }
    }
    for (int s = 0; s < SP_N; s++) {
        for (int in = 1; in >= 0; in--) {
            int cnt = in ? spec_in_n[s] : spec_out_n[s];
            sy_range_t *g = in ? &pop->spec_in[s] : &pop->spec_out[s];
            g->first = pop->nprac;
            g->n = cnt;
            for (int k = 0; k < cnt; k++) {
                sy_prac_t *x = &pop->prac[pop->nprac];
                make_npi(x->npi, pop->nprac, 0);
                make_tin(x->tin, pop->nprac);
                x->spec = s;
                x->org = -1;
                x->in_network = in;
                int fem = rng_bernoulli(&r, 0.45);
                x->first = fem ? sy_first_f[rng_below(&r, (uint32_t)sy_nfirst_f)]
                               : sy_first_m[rng_below(&r, (uint32_t)sy_nfirst_m)];
                x->last = sy_last[rng_below(&r, (uint32_t)sy_nlast)];
                x->group = in ? pop->org_in[ORG_GROUP].first + k % pop->org_in[ORG_GROUP].n : -1;
                pop->nprac++;
            }
        }
    }
}

/* ---- calibration ---- */
#define CALIB_N 20000

static double solve_mean_sigmoid(const double *x, int n, double target)
{
    double lo = -16, hi = 16;
    for (int it = 0; it < 34; it++) {
        double mid = (lo + hi) / 2, s = 0;
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (x[i] == -INFINITY)
                continue;
            s += 1.0 / (1.0 + exp(-(mid + x[i])));
            m++;
        }
        if ((m ? s / m : 0) < target)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* Solves the condition intercepts on a fixed pseudo-population (its own seed,
 * so the intercepts do not depend on the run's seed), then the intercepts of
 * the ED, admission, death and readmission rates. */
static void calibrate(sy_pop_t *pop)
{
    sy_patient_t *ps = mem_calloc(CALIB_N, sizeof *ps);
    double *x = mem_alloc(CALIB_N * sizeof *x);
    double *u = mem_alloc(CALIB_N * sizeof *u);
    rng_t r;
    for (int i = 0; i < CALIB_N; i++) {
        rng_seed2(&r, 0x7269706f64ull, (uint64_t)i);
        sy_calib_demo(pop, &ps[i], &r);
    }
    rng_seed2(&r, 0x63616c6962ull, 1);
    for (int c = 0; c < C_N; c++) {
        for (int i = 0; i < CALIB_N; i++) {
            x[i] = sy_cond_lp(&ps[i], c);
            u[i] = rng_uniform(&r);
        }
        pop->cond_icept[c] = solve_mean_sigmoid(x, CALIB_N, sy_conds[c].target);
        for (int i = 0; i < CALIB_N; i++)
            sy_calib_draw(&ps[i], c, pop->cond_icept[c], u[i]);
    }
    double s_acute = 0;
    for (int i = 0; i < CALIB_N; i++) {
        rng_seed2(&r, 0x66696e697368ull, (uint64_t)i);
        sy_calib_finish(pop, &ps[i], &r);
        double eta = sy_risk_index(&ps[i]);
        /* mean of exp(drift * t) over the period */
        double d = ps[i].drift, Y = pop->o.years;
        double m = fabs(d * Y) < 1e-9 ? 1.0 : (exp(d * Y) - 1) / (d * Y);
        s_acute += exp(eta) * m;
        x[i] = eta;
    }
    s_acute /= CALIB_N;
    /* targets per member-year: outpatient ED visits 0.60; admissions 0.25 of which
     * readmissions and terminal stays add ~14%, stays block ~3% of candidates */
    pop->ed_icept = log(0.60 / s_acute);
    pop->ip_icept = log(0.228 / s_acute);
    /* death: mean annual probability 4.0% */
    for (int i = 0; i < CALIB_N; i++)
        x[i] = sy_death_index(&ps[i]);
    {
        double lo = -20, hi = 5;
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2, s = 0;
            for (int i = 0; i < CALIB_N; i++)
                s += 1 - exp(-exp(mid + x[i]));
            if (s / CALIB_N < 0.040)
                lo = mid;
            else
                hi = mid;
        }
        pop->death_icept = (lo + hi) / 2;
    }
    /* readmission-specific probability after a discharge: ~11% averaged over
     * discharges (weighted by each person's admission rate); natural admissions
     * falling within 30 days bring the all-cause share to ~15% */
    {
        double *w = mem_alloc(CALIB_N * sizeof *w);
        for (int i = 0; i < CALIB_N; i++) {
            const sy_patient_t *q = &ps[i];
            w[i] = exp(sy_risk_index(q));
            x[i] = 0.45 * q->frailty + 0.45 * q->hidden + 0.25 * q->social -
                   0.8 * (q->engagement - 0.62) + 0.3 * ((q->has >> C_CHF) & 1u) +
                   0.3 * ((q->has >> C_COPD) & 1u) + 0.3 * q->esrd;
        }
        double lo = -10, hi = 5;
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2, s = 0, sw = 0;
            for (int i = 0; i < CALIB_N; i++) {
                s += w[i] / (1 + exp(-(mid + x[i])));
                sw += w[i];
            }
            if (s / sw < 0.135)
                lo = mid;
            else
                hi = mid;
        }
        pop->readmit_icept = (lo + hi) / 2;
        mem_free(w);
    }
    mem_free(ps);
    mem_free(x);
    mem_free(u);
}

sy_pop_t *sy_pop_create(const synth_opts_t *o)
{
    sy_dates_init();
    sy_claims_init();
    sy_pop_t *pop = mem_calloc(1, sizeof *pop);
    pop->o = *o;
    if (pop->o.threads < 1)
        pop->o.threads = 1;
    if (pop->o.years < 1)
        pop->o.years = 1;
    pop->end = o->end;
    pop->start = date_add_months(o->end + 1, -12 * pop->o.years);
    date_format(o->end, pop->file_date);
    build_panel(pop);
    calibrate(pop);
    return pop;
}

void sy_pop_destroy(sy_pop_t *pop)
{
    if (!pop)
        return;
    mem_free(pop->prac);
    mem_free(pop);
}

/* ---- threads ---- */
typedef struct slot {
    int state; /* 0 free, 1 in work, 2 ready */
    uint64_t chunk;
    buf_t out[S_N];
} slot_t;

typedef struct run {
    const sy_pop_t *pop;
    uint64_t nchunks;
    int nslots;
    slot_t *slots;
    uint64_t next; /* next chunk to hand out */
    int abort;     /* the writer failed: workers stop */
    pthread_mutex_t mu;
    pthread_cond_t cv_ready, cv_free;
} run_t;

static void gen_chunk(const sy_pop_t *pop, uint64_t chunk, slot_t *s, sy_patient_t *p)
{
    uint64_t lo = chunk * CHUNK, hi = lo + CHUNK;
    if (hi > pop->o.patients)
        hi = pop->o.patients;
    unsigned outs = pop->o.outputs;
    for (uint64_t i = lo; i < hi; i++) {
        sy_simulate(pop, i, p);
        if (outs & SYNTH_OUT_CLAIMS)
            sy_write_claims(pop, p, s->out);
        if (outs & SYNTH_OUT_FHIR)
            sy_write_fhir(pop, p, s->out);
        if (outs & SYNTH_OUT_HL7)
            sy_write_hl7(pop, p, s->out);
    }
}

static void *worker(void *arg)
{
    run_t *R = arg;
    sy_patient_t *p = mem_calloc(1, sizeof *p);
    p->ev = mem_alloc(SY_MAX_EVENTS * sizeof *p->ev);
    for (;;) {
        pthread_mutex_lock(&R->mu);
        uint64_t c = R->next;
        if (c >= R->nchunks || R->abort) {
            pthread_mutex_unlock(&R->mu);
            break;
        }
        R->next++;
        slot_t *s = &R->slots[c % (uint64_t)R->nslots];
        while (!(s->state == 0 && s->chunk == c) && !R->abort)
            pthread_cond_wait(&R->cv_free, &R->mu);
        if (R->abort) {
            pthread_mutex_unlock(&R->mu);
            break;
        }
        s->state = 1;
        pthread_mutex_unlock(&R->mu);

        gen_chunk(R->pop, c, s, p);

        pthread_mutex_lock(&R->mu);
        s->state = 2;
        pthread_cond_broadcast(&R->cv_ready);
        pthread_mutex_unlock(&R->mu);
    }
    mem_free(p->ev);
    mem_free(p);
    return NULL;
}

static int mkdir_p(const char *path, err_t *e)
{
    char tmp[4096];
    if (str_copy(tmp, path, sizeof tmp) >= sizeof tmp)
        return err_set(e, ERR_USAGE, "output path too long");
    for (char *q = tmp + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = 0;
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return err_at(e, ERR_IO, tmp, 0, 0, NULL, "cannot create directory: %s",
                          strerror(errno));
        *q = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return err_at(e, ERR_IO, tmp, 0, 0, NULL, "cannot create directory: %s", strerror(errno));
    return 0;
}

static int write_all(FILE *f, const buf_t *b, const char *path, err_t *e)
{
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        return err_at(e, ERR_IO, path, 0, 0, NULL, "write failed: %s", strerror(errno));
    return 0;
}

/* Writes b as the whole of dir/name (the panel files). */
static int write_file(const char *dir, const char *name, const buf_t *b, err_t *e)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return err_set(e, ERR_USAGE, "output path too long");
    FILE *f = fopen(path, "wb");
    if (!f)
        return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot open for writing: %s", strerror(errno));
    int rc = write_all(f, b, path, e);
    if (fclose(f) != 0 && !rc)
        rc = err_at(e, ERR_IO, path, 0, 0, NULL, "close failed");
    return rc;
}

int synth_run(const synth_opts_t *o, err_t *e)
{
    err_clear(e);
    if (o->patients < 1 || o->patients > SYNTH_MAX_PATIENTS)
        return err_set(e, ERR_USAGE, "--patients must be between 1 and %llu",
                       (unsigned long long)SYNTH_MAX_PATIENTS);
    if (o->years < 1 || o->years > SYNTH_MAX_YEARS)
        return err_set(e, ERR_USAGE, "--years must be between 1 and %d", SYNTH_MAX_YEARS);
    if (!(o->outputs & SYNTH_OUT_ALL))
        return err_set(e, ERR_USAGE, "no output selected");
    int y, m, d;
    date_to_ymd(o->end, &y, &m, &d);
    if (y < 1990 || y > 2100)
        return err_set(e, ERR_USAGE, "--end must lie between 1990 and 2100");

    sy_pop_t *pop = sy_pop_create(o);

    int rc = 0;
    FILE *files[S_N] = { 0 };
    char paths[S_N][4096];
    if ((rc = mkdir_p(o->out_dir, e)) != 0)
        goto done;
    if (o->outputs & SYNTH_OUT_FHIR) {
        snprintf(paths[0], sizeof paths[0], "%s/fhir", o->out_dir);
        if ((rc = mkdir_p(paths[0], e)) != 0)
            goto done;
    }
    if (o->outputs & SYNTH_OUT_HL7) {
        snprintf(paths[0], sizeof paths[0], "%s/hl7", o->out_dir);
        if ((rc = mkdir_p(paths[0], e)) != 0)
            goto done;
    }
    for (int s = 0; s < S_N; s++) {
        if (!stream_enabled(o->outputs, s))
            continue;
        int n = snprintf(paths[s], sizeof paths[s], "%s/%s", o->out_dir, sy_stream_path[s]);
        if (n < 0 || (size_t)n >= sizeof paths[s]) {
            rc = err_set(e, ERR_USAGE, "output path too long");
            goto done;
        }
        files[s] = fopen(paths[s], "wb");
        if (!files[s]) {
            rc = err_at(e, ERR_IO, paths[s], 0, 0, NULL, "cannot open for writing: %s",
                        strerror(errno));
            goto done;
        }
    }
    /* headers and the panel */
    if (o->outputs & SYNTH_OUT_CLAIMS) {
        const int ss[4] = { S_ELIG, S_MED, S_RX, S_LAB };
        const char *h[4] = { sy_hdr_elig, sy_hdr_med, sy_hdr_rx, sy_hdr_lab };
        for (int k = 0; k < 4; k++)
            if (fputs(h[k], files[ss[k]]) == EOF || fputc('\n', files[ss[k]]) == EOF) {
                rc = err_at(e, ERR_IO, paths[ss[k]], 0, 0, NULL, "write failed");
                goto done;
            }
        buf_t pb = BUF_INIT;
        sy_write_prac_csv(pop, &pb);
        rc = write_file(o->out_dir, "practitioner.csv", &pb, e);
        buf_free(&pb);
        if (rc)
            goto done;
    }
    if (o->outputs & SYNTH_OUT_FHIR) {
        buf_t pb = BUF_INIT, ob = BUF_INIT;
        sy_write_fhir_panel(pop, &pb, &ob);
        rc = write_file(o->out_dir, "fhir/Practitioner.ndjson", &pb, e);
        if (!rc)
            rc = write_file(o->out_dir, "fhir/Organization.ndjson", &ob, e);
        buf_free(&pb);
        buf_free(&ob);
        if (rc)
            goto done;
    }

    {
        run_t R;
        memset(&R, 0, sizeof R);
        R.pop = pop;
        R.nchunks = (o->patients + CHUNK - 1) / CHUNK;
        int nt = pop->o.threads;
        R.nslots = 2 * nt + 2;
        R.slots = mem_calloc((size_t)R.nslots, sizeof *R.slots);
        for (int i = 0; i < R.nslots; i++)
            R.slots[i].chunk = (uint64_t)i;
        pthread_mutex_init(&R.mu, NULL);
        pthread_cond_init(&R.cv_ready, NULL);
        pthread_cond_init(&R.cv_free, NULL);
        pthread_t *th = mem_calloc((size_t)nt, sizeof *th);
        int started = 0;
        for (int i = 0; i < nt; i++) {
            if (pthread_create(&th[i], NULL, worker, &R) != 0)
                break;
            started++;
        }
        progress_t *pg = o->progress ? progress_new("generate", o->patients) : NULL;
        if (started == 0) {
            rc = err_set(e, ERR_INTERNAL, "cannot start worker threads");
        } else {
            for (uint64_t c = 0; c < R.nchunks; c++) {
                slot_t *s = &R.slots[c % (uint64_t)R.nslots];
                pthread_mutex_lock(&R.mu);
                while (!(s->state == 2 && s->chunk == c))
                    pthread_cond_wait(&R.cv_ready, &R.mu);
                pthread_mutex_unlock(&R.mu);
                for (int k = 0; k < S_N && !rc; k++)
                    if (files[k])
                        rc = write_all(files[k], &s->out[k], paths[k], e);
                for (int k = 0; k < S_N; k++)
                    buf_reset(&s->out[k]);
                pthread_mutex_lock(&R.mu);
                s->state = 0;
                s->chunk = c + (uint64_t)R.nslots;
                pthread_cond_broadcast(&R.cv_free);
                pthread_mutex_unlock(&R.mu);
                if (pg) {
                    uint64_t done_n = (c + 1) * CHUNK;
                    progress_set(pg, done_n > o->patients ? o->patients : done_n);
                }
                if (rc) {
                    /* stop the workers; those waiting for a slot wake up and leave */
                    pthread_mutex_lock(&R.mu);
                    R.abort = 1;
                    pthread_cond_broadcast(&R.cv_free);
                    pthread_mutex_unlock(&R.mu);
                    break;
                }
            }
        }
        progress_done(pg);
        for (int i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        mem_free(th);
        for (int i = 0; i < R.nslots; i++)
            for (int k = 0; k < S_N; k++)
                buf_free(&R.slots[i].out[k]);
        mem_free(R.slots);
        pthread_mutex_destroy(&R.mu);
        pthread_cond_destroy(&R.cv_ready);
        pthread_cond_destroy(&R.cv_free);
    }

done:
    for (int s = 0; s < S_N; s++)
        if (files[s] && fclose(files[s]) != 0 && !rc)
            rc = err_at(e, ERR_IO, paths[s], 0, 0, NULL, "close failed: %s", strerror(errno));
    sy_pop_destroy(pop);
    if (!rc)
        log_info("generate.done", "%llu patients", (unsigned long long)o->patients);
    return rc;
}
