/* population.c — the population runner (population.h): worker threads over
 * chunks of patients, ordered delivery, summary, CSV/JSON outputs, and the
 * batch mode `tripod analyze` calls.
 */
#include "measures/population.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "refdata/refdata.h"

double mpop_rate(const mpop_group_summary_t *g)
{
    int64_t num = g->counts[MPOP_NUMER];
    if (g->has[MPOP_NUMEX])
        num -= g->counts[MPOP_NUMEX];
    int64_t den = g->counts[MPOP_DENOM] - g->counts[MPOP_DENEX] - g->counts[MPOP_DENEXCEP];
    if (den <= 0)
        return -1;
    return (double)num / (double)den;
}

/* ---- the runner ---- */

typedef struct pat_out {
    const char *id;
    measure_result_t *res; /* [nmeasures] */
    mpop_gap_t *gaps;
    int ngaps;
} pat_out_t;

enum { SLOT_FREE, SLOT_WORKING, SLOT_READY };

typedef struct slot {
    int state;
    size_t chunk;
    size_t lo, hi;
    pat_out_t *pats;
    arena_t *arena;
    int rc;
    err_t err;
} slot_t;

typedef struct runner {
    const mpop_opts_t *o;
    mpop_source_t *src;
    const char *as_of;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    slot_t *slots;
    int nslots;
    size_t chunk;
    size_t next_chunk, end_chunk, base; /* chunks [next, end) of the window from base */
    size_t win_hi;
    bool stop;
    int64_t *errors; /* [nmeasures], under mu */
    int logged;
} runner_t;

static int eval_patient(runner_t *R, elm_ctx_t *ctx, size_t i, pat_out_t *po, arena_t *a, err_t *e)
{
    const mpop_opts_t *o = R->o;
    fhir_patient_t p = { 0 };
    if (R->src->load(R->src, i, &p, e)) {
        fhir_patient_t *pp = &p;
        for (size_t k = 0; !pp->arena && k < pp->n; k++)
            json_decref(pp->res[k]);
        mem_free(pp->res);
        mem_free(pp->id);
        return e->code ? e->code : ERR_INPUT;
    }
    po->id = arena_strdup(a, p.id ? p.id : "");
    po->res = arena_calloc(a, (size_t)o->nmeasures, sizeof *po->res);
    elm_ctx_begin(ctx, p.res, p.n);
    buf_t text = BUF_INIT, evid = BUF_INIT;
    int gcap = 0;
    for (int k = 0; k < o->nmeasures; k++) {
        measure_t *m = o->measures[k];
        err_t ie;
        err_clear(&ie);
        if (measure_eval_current(ctx, m, &po->res[k], &ie)) {
            memset(&po->res[k], 0, sizeof po->res[k]);
            pthread_mutex_lock(&R->mu);
            R->errors[k]++;
            bool log_it = R->logged < 5;
            R->logged++;
            pthread_mutex_unlock(&R->mu);
            if (log_it) {
                char msg[800];
                err_format(&ie, msg, sizeof msg);
                log_warn("measures.population", "patient %s, %s: %s", po->id, measure_cms(m), msg);
            }
            continue;
        }
        if (!o->gaps)
            continue;
        gap_vars_t v = { o->period_start, o->period_end, R->as_of, measure_title(m),
                         measure_cms(m) };
        for (int g = 0; g < po->res[k].ngroups; g++) {
            const gap_rule_t *rule = gap_table_rule(o->gaps, m, g);
            if (!rule || !gap_is_open(rule, po->res[k].counts[g]))
                continue;
            buf_reset(&text);
            buf_reset(&evid);
            err_clear(&ie);
            if (gap_render(rule, ctx, &v, &text, &evid, &ie)) {
                buf_reset(&text);
                buf_reset(&evid);
                buf_puts(&text, rule->text_none);
            }
            if (po->ngaps == gcap) {
                int ncap = gcap ? gcap * 2 : 4;
                mpop_gap_t *ng = arena_alloc(a, (size_t)ncap * sizeof *ng);
                if (po->ngaps)
                    memcpy(ng, po->gaps, (size_t)po->ngaps * sizeof *ng);
                po->gaps = ng;
                gcap = ncap;
            }
            mpop_gap_t *gp = &po->gaps[po->ngaps++];
            memset(gp, 0, sizeof *gp);
            gp->measure = k;
            gp->group = g;
            gp->cms = measure_cms(m);
            gp->text = arena_strdup(a, buf_cstr(&text));
            gp->evidence = arena_strdup(a, buf_cstr(&evid));
            gp->action = rule->action;
            gp->priority = rule->priority;
            gap_due(rule, &v, gp->due);
        }
    }
    buf_free(&text);
    buf_free(&evid);
    for (size_t k = 0; !p.arena && k < p.n; k++)
        json_decref(p.res[k]);
    mem_free(p.res);
    mem_free(p.id);
    return 0;
}

static void *worker(void *arg)
{
    runner_t *R = arg;
    const mpop_opts_t *o = R->o;
    elm_ctx_t *ctx = elm_ctx_new(measure_set_engine(o->ms));
    err_t pe;
    err_clear(&pe);
    measure_set_period(ctx, o->period_start, o->period_end, &pe); /* checked by mpop_run */
    pthread_mutex_lock(&R->mu);
    for (;;) {
        while (!R->stop && R->next_chunk < R->end_chunk &&
               R->slots[R->next_chunk % (size_t)R->nslots].state != SLOT_FREE)
            pthread_cond_wait(&R->cv, &R->mu);
        if (R->stop)
            break;
        if (R->next_chunk >= R->end_chunk) {
            pthread_cond_wait(&R->cv, &R->mu);
            continue;
        }
        size_t c = R->next_chunk++;
        slot_t *s = &R->slots[c % (size_t)R->nslots];
        s->state = SLOT_WORKING;
        s->chunk = c;
        s->lo = c * R->chunk;
        s->hi = s->lo + R->chunk;
        if (s->hi > R->win_hi)
            s->hi = R->win_hi;
        pthread_mutex_unlock(&R->mu);
        arena_reset(s->arena);
        s->rc = 0;
        err_clear(&s->err);
        size_t np = s->hi - s->lo;
        s->pats = arena_calloc(s->arena, np ? np : 1, sizeof *s->pats);
        for (size_t i = s->lo; i < s->hi && !s->rc; i++)
            s->rc = eval_patient(R, ctx, i, &s->pats[i - s->lo], s->arena, &s->err);
        pthread_mutex_lock(&R->mu);
        s->state = SLOT_READY;
        pthread_cond_broadcast(&R->cv);
    }
    pthread_mutex_unlock(&R->mu);
    elm_ctx_free(ctx);
    return NULL;
}

static void summary_add(mpop_summary_t *S, const mpop_opts_t *o, const pat_out_t *po)
{
    S->patients++;
    for (int k = 0; k < o->nmeasures; k++) {
        const measure_result_t *r = &po->res[k];
        for (int g = 0; g < r->ngroups; g++) {
            mpop_group_summary_t *gs = &S->groups[k][g];
            for (int p = 0; p < MPOP__COUNT; p++) {
                if (r->counts[g][p] < 0)
                    continue;
                gs->has[p] = true;
                gs->counts[p] += r->counts[g][p];
            }
        }
    }
    for (int i = 0; i < po->ngaps; i++)
        S->groups[po->gaps[i].measure][po->gaps[i].group].gaps++;
}

void mpop_summary_free(mpop_summary_t *s)
{
    if (!s)
        return;
    mem_free(s->errors);
    mem_free(s->ngroups);
    mem_free(s->groups);
    mem_free(s);
}

void mpop_summary_add(mpop_summary_t *into, const mpop_summary_t *from)
{
    into->patients += from->patients;
    into->seconds += from->seconds;
    for (int k = 0; k < into->nmeasures && k < from->nmeasures; k++) {
        into->errors[k] += from->errors[k];
        for (int g = 0; g < into->ngroups[k]; g++) {
            mpop_group_summary_t *a = &into->groups[k][g];
            const mpop_group_summary_t *b = &from->groups[k][g];
            for (int p = 0; p < MPOP__COUNT; p++) {
                a->counts[p] += b->counts[p];
                a->has[p] = a->has[p] || b->has[p];
            }
            a->gaps += b->gaps;
        }
    }
}

int mpop_run(const mpop_opts_t *o, mpop_source_t *src, const mpop_sink_t *sink,
             mpop_summary_t **summary, err_t *e)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (summary)
        *summary = NULL;
    for (int k = 0; k < o->nmeasures; k++)
        if (measure_prepare(o->ms, o->measures[k], e))
            return e->code;
    /* Check the period once, on a scratch context. */
    elm_ctx_t *probe = elm_ctx_new(measure_set_engine(o->ms));
    int prc = measure_set_period(probe, o->period_start, o->period_end, e);
    elm_ctx_free(probe);
    if (prc)
        return prc;
    json_decref(json_object()); /* seeds jansson's hash before threads start */
    if (src->only_types) {
        /* Resource types no measure retrieves need not be read (the
         * Patient is always kept). */
        const char *const *rt;
        int nrt = elm_retrieved_types(measure_set_engine(o->ms), &rt);
        const char **want = mem_calloc((size_t)nrt + 2, sizeof *want);
        want[0] = "Patient";
        for (int k = 0; k < nrt; k++)
            want[k + 1] = rt[k];
        src->only_types(src, want);
        mem_free(want);
    }

    runner_t R;
    memset(&R, 0, sizeof R);
    R.o = o;
    R.src = src;
    R.as_of = o->as_of ? o->as_of : o->period_end;
    int threads = o->threads > 0 ? o->threads : 2;
    R.chunk = (size_t)(o->chunk > 0 ? o->chunk : 64);
    R.nslots = threads * 4;
    R.slots = mem_calloc((size_t)R.nslots, sizeof *R.slots);
    for (int i = 0; i < R.nslots; i++)
        R.slots[i].arena = arena_new(1 << 16);
    R.errors = mem_calloc((size_t)(o->nmeasures > 0 ? o->nmeasures : 1), sizeof *R.errors);
    pthread_mutex_init(&R.mu, NULL);
    pthread_cond_init(&R.cv, NULL);

    mpop_summary_t *S = mem_calloc(1, sizeof *S);
    S->nmeasures = o->nmeasures;
    size_t nm = (size_t)(o->nmeasures > 0 ? o->nmeasures : 1);
    S->errors = mem_calloc(nm, sizeof *S->errors);
    S->ngroups = mem_calloc(nm, sizeof *S->ngroups);
    S->groups = mem_calloc(nm, sizeof *S->groups);
    for (int k = 0; k < o->nmeasures; k++)
        S->ngroups[k] = measure_ngroups(o->measures[k]);

    size_t n = src->count(src);
    size_t win = src->window ? (src->window_size ? src->window_size : 10000) : n;
    if (win < R.chunk)
        win = R.chunk;
    win = (win + R.chunk - 1) / R.chunk * R.chunk; /* windows hold whole chunks */
    R.next_chunk = R.end_chunk = 0;
    R.win_hi = 0;

    pthread_t *th = mem_calloc((size_t)threads, sizeof *th);
    int started = 0, rc = 0;
    for (; started < threads; started++)
        if (pthread_create(&th[started], NULL, worker, &R) != 0)
            break;
    if (started == 0)
        rc = err_set(e, ERR_INTERNAL, "cannot start worker threads");

    for (size_t lo = 0; lo < n && !rc; lo += win) {
        size_t hi = lo + win < n ? lo + win : n;
        if (src->window && src->window(src, lo, hi, e)) {
            rc = e->code ? e->code : ERR_INPUT;
            break;
        }
        size_t c0 = lo / R.chunk, c1 = (hi + R.chunk - 1) / R.chunk;
        pthread_mutex_lock(&R.mu);
        R.win_hi = hi;
        R.base = lo;
        R.next_chunk = c0;
        R.end_chunk = c1;
        pthread_cond_broadcast(&R.cv);
        for (size_t c = c0; c < c1 && !rc; c++) {
            slot_t *s = &R.slots[c % (size_t)R.nslots];
            while (!(s->state == SLOT_READY && s->chunk == c))
                pthread_cond_wait(&R.cv, &R.mu);
            pthread_mutex_unlock(&R.mu);
            if (s->rc) {
                *e = s->err;
                rc = s->rc;
            }
            for (size_t i = s->lo; i < s->hi && !rc; i++) {
                pat_out_t *po = &s->pats[i - s->lo];
                summary_add(S, o, po);
                if (sink && sink->patient) {
                    mpop_patient_result_t pr = { i, po->id, po->res, po->gaps, po->ngaps };
                    rc = sink->patient(sink->self, o, &pr, e);
                }
            }
            pthread_mutex_lock(&R.mu);
            s->state = SLOT_FREE;
            pthread_cond_broadcast(&R.cv);
        }
        if (rc) {
            /* let workers finish their chunks before stopping */
            for (int i = 0; i < R.nslots; i++)
                while (R.slots[i].state == SLOT_WORKING)
                    pthread_cond_wait(&R.cv, &R.mu);
        }
        pthread_mutex_unlock(&R.mu);
    }
    pthread_mutex_lock(&R.mu);
    R.stop = true;
    pthread_cond_broadcast(&R.cv);
    pthread_mutex_unlock(&R.mu);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    mem_free(th);
    for (int k = 0; k < o->nmeasures; k++)
        S->errors[k] = R.errors[k];
    if (R.logged > 5)
        log_warn("measures.population", "%d evaluations failed in all", R.logged);
    for (int i = 0; i < R.nslots; i++)
        arena_free(R.slots[i].arena);
    mem_free(R.slots);
    mem_free(R.errors);
    pthread_mutex_destroy(&R.mu);
    pthread_cond_destroy(&R.cv);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    S->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc || !summary)
        mpop_summary_free(S);
    else
        *summary = S;
    return rc;
}

/* ---- summary JSON ---- */

int mpop_summary_json(const mpop_opts_t *o, const mpop_summary_t *s, buf_t *out)
{
    int rc = 0;
    rc |= buf_puts(out, "{\"period\":{\"start\":");
    rc |= buf_json_str(out, o->period_start, strlen(o->period_start));
    rc |= buf_puts(out, ",\"end\":");
    rc |= buf_json_str(out, o->period_end, strlen(o->period_end));
    const char *asof = o->as_of ? o->as_of : o->period_end;
    rc |= buf_puts(out, "},\"as_of\":");
    rc |= buf_json_str(out, asof, strlen(asof));
    rc |= buf_printf(out, ",\"patients\":%lld,\"measures\":[", (long long)s->patients);
    for (int k = 0; k < o->nmeasures; k++) {
        const measure_t *m = o->measures[k];
        rc |= buf_puts(out, k ? ",{\"id\":" : "{\"id\":");
        rc |= buf_json_str(out, measure_cms(m), strlen(measure_cms(m)));
        rc |= buf_puts(out, ",\"name\":");
        rc |= buf_json_str(out, measure_name(m), strlen(measure_name(m)));
        rc |= buf_puts(out, ",\"title\":");
        rc |= buf_json_str(out, measure_title(m), strlen(measure_title(m)));
        rc |= buf_printf(out, ",\"errors\":%lld,\"groups\":[", (long long)s->errors[k]);
        for (int g = 0; g < s->ngroups[k]; g++) {
            const mpop_group_summary_t *gs = &s->groups[k][g];
            rc |= buf_puts(out, g ? ",{\"id\":" : "{\"id\":");
            const char *gid = measure_group_id(m, g);
            rc |= buf_json_str(out, gid, strlen(gid));
            for (int p = 0; p < MPOP__COUNT; p++)
                if (gs->has[p])
                    rc |= buf_printf(out, ",\"%s\":%lld", measure_pop_code((measure_pop_t)p),
                                     (long long)gs->counts[p]);
            double rate = mpop_rate(gs);
            if (rate < 0)
                rc |= buf_puts(out, ",\"rate\":null");
            else
                rc |= buf_printf(out, ",\"rate\":%.4f", rate);
            rc |= buf_printf(out, ",\"gaps\":%lld}", (long long)gs->gaps);
        }
        rc |= buf_puts(out, "]}");
    }
    rc |= buf_printf(out, "],\"seconds\":%.3f}\n", s->seconds);
    return rc ? -1 : 0;
}

/* ---- CSV sink ---- */

struct mpop_csv_sink {
    FILE *res, *gaps;
    char *res_path, *gaps_path;
    buf_t b;
};

static int csv_flush(FILE *f, const char *path, buf_t *b, err_t *e)
{
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        return err_at(e, ERR_IO, path, 0, 0, NULL, "write failed");
    buf_reset(b);
    return 0;
}

static int csv_patient(void *self, const mpop_opts_t *o, const mpop_patient_result_t *r, err_t *e)
{
    mpop_csv_sink_t *cs = self;
    buf_t *b = &cs->b;
    size_t idl = strlen(r->person_id);
    if (cs->res) {
        for (int k = 0; k < o->nmeasures; k++) {
            const measure_result_t *mr = &r->results[k];
            const char *cms = measure_cms(o->measures[k]);
            for (int g = 0; g < mr->ngroups; g++) {
                buf_csv_field(b, r->person_id, idl);
                buf_putc(b, ',');
                buf_csv_field(b, cms, strlen(cms));
                buf_printf(b, ",%d", g + 1);
                for (int p = 0; p < MPOP__COUNT; p++) {
                    buf_putc(b, ',');
                    if (mr->counts[g][p] >= 0)
                        buf_putc(b, (char)('0' + mr->counts[g][p]));
                }
                buf_putc(b, '\n');
            }
        }
        if (b->len > (1u << 16) && csv_flush(cs->res, cs->res_path, b, e))
            return e->code;
    }
    return 0;
}

/* Gap rows go through a second buffer-free path: they are few. */
static int csv_patient_all(void *self, const mpop_opts_t *o, const mpop_patient_result_t *r,
                           err_t *e)
{
    mpop_csv_sink_t *cs = self;
    if (csv_patient(self, o, r, e))
        return e->code;
    if (!cs->gaps || !r->ngaps)
        return 0;
    buf_t g = BUF_INIT;
    for (int i = 0; i < r->ngaps; i++) {
        const mpop_gap_t *gp = &r->gaps[i];
        const char *name = measure_name(o->measures[gp->measure]);
        buf_csv_field(&g, r->person_id, strlen(r->person_id));
        buf_putc(&g, ',');
        buf_csv_field(&g, gp->cms, strlen(gp->cms));
        buf_putc(&g, ',');
        buf_csv_field(&g, name, strlen(name));
        buf_printf(&g, ",%d,", gp->group + 1);
        buf_csv_field(&g, gp->text, strlen(gp->text));
        buf_putc(&g, ',');
        buf_csv_field(&g, gp->evidence, strlen(gp->evidence));
        buf_putc(&g, ',');
        buf_csv_field(&g, gp->action, strlen(gp->action));
        buf_printf(&g, ",%s,%s\n", gp->due, gp->priority);
    }
    int rc = 0;
    if (fwrite(g.data, 1, g.len, cs->gaps) != g.len)
        rc = err_at(e, ERR_IO, cs->gaps_path, 0, 0, NULL, "write failed");
    buf_free(&g);
    return rc;
}

int mpop_csv_sink_open(const char *results_path, const char *gaps_path, mpop_csv_sink_t **out,
                       mpop_sink_t *sink, err_t *e)
{
    mpop_csv_sink_t *cs = mem_calloc(1, sizeof *cs);
    buf_init(&cs->b, 0);
    if (results_path) {
        cs->res_path = mem_strdup(results_path);
        cs->res = fopen(results_path, "w");
        if (!cs->res) {
            mpop_csv_sink_close(cs, NULL);
            return err_at(e, ERR_IO, results_path, 0, 0, NULL, "cannot create file");
        }
        fputs("person_id,measure,group,initial_population,denominator,denominator_exclusion,"
              "numerator,numerator_exclusion,denominator_exception\n",
              cs->res);
    }
    if (gaps_path) {
        cs->gaps_path = mem_strdup(gaps_path);
        cs->gaps = fopen(gaps_path, "w");
        if (!cs->gaps) {
            mpop_csv_sink_close(cs, NULL);
            return err_at(e, ERR_IO, gaps_path, 0, 0, NULL, "cannot create file");
        }
        fputs("person_id,measure,measure_name,group,gap,evidence,next_action,due_date,priority\n",
              cs->gaps);
    }
    sink->self = cs;
    sink->patient = csv_patient_all;
    *out = cs;
    return 0;
}

int mpop_csv_sink_close(mpop_csv_sink_t *cs, err_t *e)
{
    if (!cs)
        return 0;
    int rc = 0;
    err_t tmp;
    if (!e) {
        err_clear(&tmp);
        e = &tmp;
    }
    if (cs->res) {
        rc = csv_flush(cs->res, cs->res_path, &cs->b, e);
        if (fclose(cs->res) != 0 && !rc)
            rc = err_at(e, ERR_IO, cs->res_path, 0, 0, NULL, "write failed");
    }
    if (cs->gaps && fclose(cs->gaps) != 0 && !rc)
        rc = err_at(e, ERR_IO, cs->gaps_path, 0, 0, NULL, "write failed");
    buf_free(&cs->b);
    mem_free(cs->res_path);
    mem_free(cs->gaps_path);
    mem_free(cs);
    return rc;
}

/* ---- the batch mode ---- */

typedef struct tee {
    mpop_sink_t a, b;
} tee_t;

static int tee_patient(void *self, const mpop_opts_t *o, const mpop_patient_result_t *r, err_t *e)
{
    tee_t *t = self;
    if (t->a.patient && t->a.patient(t->a.self, o, r, e))
        return e->code;
    if (t->b.patient && t->b.patient(t->b.self, o, r, e))
        return e->code;
    return 0;
}

int measures_analyze(const measures_analyze_opts_t *ao, err_t *e)
{
    char mdir[4096], start[16], end[16], gpath[4096], path[4200];
    if ((!ao->out_dir && !ao->store_out) || (!ao->input_dir && !ao->store))
        return err_set(e, ERR_USAGE,
                       "measures: an input (folder or store) and an output "
                       "(folder or store) are needed");
    const char *asof = ao->as_of;
    if (ao->period_start && ao->period_end) {
        snprintf(start, sizeof start, "%s", ao->period_start);
        snprintf(end, sizeof end, "%s", ao->period_end);
    } else if (asof && strlen(asof) >= 4) {
        snprintf(start, sizeof start, "%.4s-01-01", asof);
        snprintf(end, sizeof end, "%.4s-12-31", asof);
    } else {
        return err_set(e, ERR_USAGE, "measures: an as-of date or a period is needed");
    }
    if (ao->measures_dir)
        snprintf(mdir, sizeof mdir, "%s", ao->measures_dir);
    else if (refdata_path("ecqm", mdir, sizeof mdir, e))
        return e->code;
    if (ao->gap_table)
        snprintf(gpath, sizeof gpath, "%s", ao->gap_table);
    else
        gap_table_default_path(mdir, gpath, sizeof gpath);

    measure_set_t *ms = NULL;
    gap_table_t *gt = NULL;
    mpop_source_t *src = NULL;
    mpop_csv_sink_t *cs = NULL;
    mpop_store_sink_t *ss = NULL;
    mpop_summary_t *S = NULL;
    measure_t **sel = NULL;
    int rc = measure_set_load(mdir, &ms, e);
    if (rc)
        goto done;
    int nm = measure_count(ms);
    sel = mem_calloc((size_t)(nm ? nm : 1), sizeof *sel);
    for (int k = 0; k < nm; k++) {
        sel[k] = measure_at(ms, k);
        if ((rc = measure_prepare(ms, sel[k], e)))
            goto done;
    }
    if (gpath[0]) {
        if ((rc = gap_table_load(gpath, &gt, e)))
            goto done;
    } else {
        /* no table anywhere: every measure gets the generic wording */
        if ((rc = gap_table_empty(&gt, e)))
            goto done;
    }
    if ((rc = gap_table_bind(gt, ms, sel, nm, e)))
        goto done;
    if (ao->input_dir) {
        struct stat st;
        snprintf(path, sizeof path, "%s/fhir", ao->input_dir);
        rc = mpop_source_ndjson_dir(
            stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? path : ao->input_dir, &src, e);
    } else {
        rc = mpop_source_store(ao->store, &src, e);
    }
    if (rc)
        goto done;
    mpop_opts_t o = { .ms = ms,
                      .measures = sel,
                      .nmeasures = nm,
                      .gaps = gt,
                      .period_start = start,
                      .period_end = end,
                      .as_of = asof,
                      .threads = ao->threads };
    tee_t tee;
    memset(&tee, 0, sizeof tee);
    char rpath[4200];
    if (ao->out_dir) {
        mkdir(ao->out_dir, 0777);
        snprintf(rpath, sizeof rpath, "%s/measure_results.csv", ao->out_dir);
        snprintf(path, sizeof path, "%s/care_gaps.csv", ao->out_dir);
        if ((rc = mpop_csv_sink_open(rpath, path, &cs, &tee.a, e)))
            goto done;
    }
    if (ao->store_out && (rc = mpop_store_sink_open(ao->store_out, &o, &ss, &tee.b, e)))
        goto done;
    mpop_sink_t sink = { &tee, tee_patient };
    rc = mpop_run(&o, src, &sink, &S, e);
    int crc = mpop_csv_sink_close(cs, rc ? NULL : e);
    cs = NULL;
    if (!rc)
        rc = crc;
    crc = mpop_store_sink_close(ss, &o, rc ? NULL : S, rc ? NULL : e);
    ss = NULL;
    if (!rc)
        rc = crc;
    if (!rc && ao->out_dir) {
        buf_t b = BUF_INIT;
        mpop_summary_json(&o, S, &b);
        snprintf(path, sizeof path, "%s/measure_summary.json", ao->out_dir);
        FILE *f = fopen(path, "w");
        if (!f || fwrite(b.data, 1, b.len, f) != b.len)
            rc = err_at(e, ERR_IO, path, 0, 0, NULL, "cannot write file");
        if (f && fclose(f) != 0 && !rc)
            rc = err_at(e, ERR_IO, path, 0, 0, NULL, "write failed");
        buf_free(&b);
    }
done:
    mpop_csv_sink_close(cs, NULL);
    if (ss) /* opened, run not reached: roll back */
        mpop_store_sink_close(ss, NULL, NULL, NULL);
    mpop_summary_free(S);
    if (src)
        src->close(src);
    gap_table_free(gt);
    mem_free(sel);
    measure_set_free(ms);
    return rc;
}
