/* store_sink.c — population results into the store (population.h):
 * measure_result, care_gap and measure_summary rows (docs/schema.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "measures/population.h"

struct mpop_store_sink {
    store_t *st;
    date_t start, end;
    store_time_t now;
    char group[16]; /* "1", "2"... when a group has no id */
};

static const char *group_id(mpop_store_sink_t *ss, const measure_t *m, int g)
{
    const char *id = measure_group_id(m, g);
    if (id && id[0])
        return id;
    snprintf(ss->group, sizeof ss->group, "%d", g + 1);
    return ss->group;
}

static int64_t count(int c)
{
    return c < 0 ? STORE_INT_NONE : c;
}

static int ss_patient(void *self, const mpop_opts_t *o, const mpop_patient_result_t *r, err_t *e)
{
    mpop_store_sink_t *ss = self;
    for (int k = 0; k < o->nmeasures; k++) {
        const measure_result_t *mr = &r->results[k];
        for (int g = 0; g < mr->ngroups; g++) {
            store_measure_result_t row;
            store_measure_result_init(&row);
            row.period_start = ss->start;
            row.period_end = ss->end;
            row.measure_id = measure_cms(o->measures[k]);
            row.group_id = group_id(ss, o->measures[k], g);
            row.person_id = r->person_id;
            row.ip = count(mr->counts[g][MPOP_IP]);
            row.denom = count(mr->counts[g][MPOP_DENOM]);
            row.denex = count(mr->counts[g][MPOP_DENEX]);
            row.numer = count(mr->counts[g][MPOP_NUMER]);
            row.numex = count(mr->counts[g][MPOP_NUMEX]);
            row.denexcep = count(mr->counts[g][MPOP_DENEXCEP]);
            row.computed_at = ss->now;
            if (store_put_measure_result(ss->st, &row, e))
                return e->code;
        }
    }
    for (int i = 0; i < r->ngaps; i++) {
        const mpop_gap_t *gp = &r->gaps[i];
        store_care_gap_t row;
        store_care_gap_init(&row);
        row.period_start = ss->start;
        row.period_end = ss->end;
        row.measure_id = gp->cms;
        row.group_id = group_id(ss, o->measures[gp->measure], gp->group);
        row.person_id = r->person_id;
        row.gap_text = gp->text;
        row.evidence = gp->evidence[0] ? gp->evidence : NULL;
        row.next_action = gp->action;
        date_parse(gp->due, strlen(gp->due), &row.due_date);
        row.priority = gp->priority;
        row.computed_at = ss->now;
        if (store_put_care_gap(ss->st, &row, e))
            return e->code;
    }
    return 0;
}

int mpop_store_sink_open(store_t *st, const mpop_opts_t *o, mpop_store_sink_t **out,
                         mpop_sink_t *sink, err_t *e)
{
    mpop_store_sink_t *ss = mem_calloc(1, sizeof *ss);
    ss->st = st;
    ss->now = (store_time_t)time(NULL);
    if (date_parse(o->period_start, strlen(o->period_start), &ss->start) ||
        date_parse(o->period_end, strlen(o->period_end), &ss->end)) {
        mem_free(ss);
        return err_set(e, ERR_USAGE, "bad period %s/%s", o->period_start, o->period_end);
    }
    int rc = store_begin(st, e);
    for (int k = 0; !rc && k < o->nmeasures; k++)
        rc = store_clear_measures(st, ss->start, ss->end, measure_cms(o->measures[k]), NULL, e);
    if (rc) {
        err_t tmp;
        err_clear(&tmp);
        store_rollback(st, &tmp);
        mem_free(ss);
        return rc;
    }
    sink->self = ss;
    sink->patient = ss_patient;
    *out = ss;
    return 0;
}

int mpop_store_sink_close(mpop_store_sink_t *ss, const mpop_opts_t *o, const mpop_summary_t *s,
                          err_t *e)
{
    if (!ss)
        return 0;
    err_t tmp;
    if (!e) {
        err_clear(&tmp);
        e = &tmp;
    }
    int rc = 0;
    for (int k = 0; s && !rc && k < o->nmeasures; k++)
        for (int g = 0; !rc && g < s->ngroups[k]; g++) {
            const mpop_group_summary_t *gs = &s->groups[k][g];
            store_measure_summary_t row;
            store_measure_summary_init(&row);
            row.period_start = ss->start;
            row.period_end = ss->end;
            row.measure_id = measure_cms(o->measures[k]);
            row.group_id = group_id(ss, o->measures[k], g);
            int64_t *f[MPOP__COUNT] = { &row.ip,    &row.denom, &row.denex,
                                        &row.numer, &row.numex, &row.denexcep };
            for (int p = 0; p < MPOP__COUNT; p++)
                *f[p] = gs->has[p] ? gs->counts[p] : STORE_INT_NONE;
            double rate = mpop_rate(gs);
            row.rate = rate < 0 ? NAN : rate;
            row.computed_at = ss->now;
            rc = store_put_measure_summary(ss->st, &row, e);
        }
    if (s && !rc)
        rc = store_commit(ss->st, e);
    else
        store_rollback(ss->st, e);
    mem_free(ss);
    return rc;
}
