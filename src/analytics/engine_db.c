/* engine_db.c — the engine and the store: `tripod analyze --db`.
 *
 * Reading. The store's scans feed the row-at-a-time entry points
 * (engine_add_*), with the same field rules as the CSV loader
 * (engine_load.c): one person row per enrollment span, claim start else the
 * line's start date, allowed else paid amount, diagnosis_code_1..25 and
 * procedure_code_1..25 in position order, an explicit primary_care_flag over
 * the specialty rule. Scans come in natural-key order (person_id, then
 * claim_id and line), so a run over the store equals a run over CSVs written
 * in that order, bit for bit.
 *
 * Writing. One transaction per run: clear the run's as_of, put every result,
 * append the ledger row. The transaction's id is the run id.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/conditions.h"
#include "analytics/engine_internal.h"
#include "analytics/nyu.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/mem.h"
#include "store/store.h"

/* ---- reading -------------------------------------------------------------- */

/* Patients by person_id (scan order, byte-wise), for the enrollment join. */
typedef struct pat {
    const char *id;
    const char *gender;
    date_t birth, death;
} pat_t;

typedef struct load_ctx {
    engine_t *en;
    arena_t *arena;
    pat_t *pats;
    size_t npats, cap;
} load_ctx_t;

static int on_patient(void *vctx, const store_patient_t *r, err_t *e)
{
    (void)e;
    load_ctx_t *c = vctx;
    if (c->npats == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->pats = mem_realloc(c->pats, c->cap * sizeof *c->pats);
    }
    pat_t *p = &c->pats[c->npats++];
    p->id = arena_strdup(c->arena, r->person_id);
    p->gender = r->gender ? arena_strdup(c->arena, r->gender) : NULL;
    p->birth = r->birth_date;
    p->death = r->death_date;
    return 0;
}

static const pat_t *find_pat(const load_ctx_t *c, const char *id)
{
    size_t lo = 0, hi = c->npats;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->pats[mid].id, id);
        if (cmp == 0)
            return &c->pats[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int on_enrollment(void *vctx, const store_enrollment_t *r, err_t *e)
{
    load_ctx_t *c = vctx;
    const pat_t *p = find_pat(c, r->person_id);
    engine_person_row_t row = {
        .person_id = r->person_id,
        .sex = p ? p->gender : NULL,
        .birth = p ? p->birth : DATE_NONE,
        .death = p ? p->death : DATE_NONE,
        .enroll_start = r->enrollment_start_date,
        .enroll_end = r->enrollment_end_date,
        .orec = r->original_reason_entitlement_code,
        .dual = r->dual_status_code,
    };
    return engine_add_person(c->en, &row, e);
}

static int on_practitioner(void *vctx, const store_practitioner_t *r, err_t *e)
{
    load_ctx_t *c = vctx;
    const char *spec = r->specialty && *r->specialty ? r->specialty : r->specialty_code;
    const char *innet = r->in_network_flag == 1 ? "1" : r->in_network_flag == 0 ? "0" : "";
    int rc = engine_add_practitioner(c->en, r->npi, spec, innet, e);
    /* An explicit primary_care_flag overrides the specialty rule (as the
     * CSV loader does). */
    if (rc == 0 && (r->primary_care_flag == 0 || r->primary_care_flag == 1)) {
        uint32_t npi = (uint32_t)strtoul(r->npi, NULL, 10);
        int k = strlen(r->npi) == 10 ? engine_prac_find(&c->en->prac, npi) : -1;
        if (k >= 0)
            c->en->prac.pcp[k] = (uint8_t)r->primary_care_flag;
    }
    return rc;
}

static const char *flag_text(int f)
{
    return f == 1 ? "1" : f == 0 ? "0" : "";
}

static money_t allowed_else_paid(money_t allowed, money_t paid)
{
    return allowed != STORE_MONEY_NONE ? allowed : paid != STORE_MONEY_NONE ? paid : 0;
}

static int on_medical(void *vctx, const store_med_claim_t *r, err_t *e)
{
    load_ctx_t *c = vctx;
    const char *dx[STORE_CLAIM_DX], *px[STORE_CLAIM_PX];
    for (int i = 0; i < STORE_CLAIM_DX; i++)
        dx[i] = r->diagnosis_code[i];
    for (int i = 0; i < STORE_CLAIM_PX; i++)
        px[i] = r->procedure_code[i];
    engine_medical_row_t row = {
        .person_id = r->person_id ? r->person_id : "",
        .claim_id = r->claim_id,
        .claim_type = r->claim_type,
        .line = (int)r->claim_line_number,
        .start = r->claim_start_date != DATE_NONE ? r->claim_start_date : r->claim_line_start_date,
        .end = r->claim_end_date,
        .admit = r->admission_date,
        .discharge = r->discharge_date,
        .admit_type = r->admit_type_code,
        .discharge_disposition = r->discharge_disposition_code,
        .place_of_service = r->place_of_service_code,
        .bill_type = r->bill_type_code,
        .revenue_code = r->revenue_center_code,
        .hcpcs = r->hcpcs_code,
        .rendering_npi = r->rendering_npi,
        .in_network = flag_text(r->in_network_flag),
        .amount = allowed_else_paid(r->allowed_amount, r->paid_amount),
        .dx = dx,
        .ndx = STORE_CLAIM_DX,
        .px = px,
        .npx = STORE_CLAIM_PX,
    };
    return engine_add_medical(c->en, &row, e);
}

static int on_pharmacy(void *vctx, const store_rx_claim_t *r, err_t *e)
{
    load_ctx_t *c = vctx;
    int64_t days = r->days_supply;
    engine_pharmacy_row_t row = {
        .person_id = r->person_id ? r->person_id : "",
        .ndc = r->ndc_code,
        .prescriber_npi = r->prescribing_provider_npi,
        .in_network = flag_text(r->in_network_flag),
        .date = r->dispensing_date,
        .days_supply = days == STORE_INT_NONE || days < 0 ? 0
                       : days > 65535                     ? 65535
                                                          : (int)days,
        .amount = allowed_else_paid(r->allowed_amount, r->paid_amount),
    };
    return engine_add_pharmacy(c->en, &row, e);
}

/* Labs: numeric observations with a LOINC code (lab_result.csv in CSV mode). */
static int on_observation(void *vctx, const store_observation_t *r, err_t *e)
{
    load_ctx_t *c = vctx;
    if (!r->code || isnan(r->value_num) || r->effective_date == DATE_NONE)
        return 0;
    if (r->code_system && *r->code_system && strcmp(r->code_system, "LOINC") != 0)
        return 0;
    return engine_add_lab(c->en, r->person_id, r->code, r->effective_date, r->value_num, e);
}

int engine_load_store(engine_t *en, struct store *s, err_t *e)
{
    if (en->loaded || en->staged)
        return err_set(e, ERR_USAGE, "engine already loaded");
    load_ctx_t c = { .en = en, .arena = arena_new(0) };
    int rc = store_scan_patient(s, on_patient, &c, e);
    if (!rc)
        rc = store_scan_enrollment(s, on_enrollment, &c, e);
    arena_free(c.arena);
    mem_free(c.pats);
    c.arena = NULL;
    c.pats = NULL;
    if (!rc)
        rc = store_scan_practitioner(s, on_practitioner, &c, e);
    if (!rc)
        rc = store_scan_med_claim(s, on_medical, &c, e);
    if (!rc)
        rc = store_scan_rx_claim(s, on_pharmacy, &c, e);
    if (!rc)
        rc = store_scan_observation(s, on_observation, &c, e);
    if (!rc)
        rc = engine_load_done(en, e);
    return rc;
}

/* ---- writing ---------------------------------------------------------------- */

static const char *const tier_names[5] = { NULL, "low", "rising", "high", "critical" };

/* person_id of patient p as a NUL-terminated string in buf. */
static const char *pid(const engine_t *en, size_t p, buf_t *b)
{
    size_t n;
    const char *s = engine_person_id(en, p, &n);
    buf_reset(b);
    buf_append(b, s, n);
    return buf_cstr(b);
}

static int save_patients(const engine_t *en, store_t *s, int64_t run, buf_t *id, err_t *e)
{
    buf_t cond = BUF_INIT, fac = BUF_INIT;
    int rc = 0;
    for (size_t p = 0; p < en->pp.n && rc == 0; p++) {
        engine_patient_t r;
        engine_patient(en, p, &r);
        store_analysis_patient_t o;
        store_analysis_patient_init(&o);
        o.as_of = en->as_of;
        o.person_id = pid(en, p, id);
        o.run_id = run;
        char npi[16];
        if (r.attributed_npi) {
            snprintf(npi, sizeof npi, "%010u", r.attributed_npi);
            o.attributed_npi = npi;
        }
        o.attribution_step = r.attribution_step;
        o.member_months = r.member_months;
        o.risk_score = r.risk_score;
        o.hcc_count = r.hcc_count;
        o.tier = tier_names[r.tier >= 1 && r.tier <= 4 ? r.tier : 0];
        o.chronic_count = r.chronic_count;
        buf_reset(&cond);
        for (int k = 0; k < COND_COUNT; k++)
            if (r.conditions >> k & 1)
                buf_printf(&cond, "%s%s", cond.len ? "|" : "", cond_defs[k].name);
        o.conditions = cond.len ? buf_cstr(&cond) : NULL;
        o.ccm_eligible = r.ccm_eligible;
        o.pcm_eligible = r.pcm_eligible;
        o.ed_visits = r.ed_visits;
        o.ed_avoidable = r.ed_avoidable;
        o.ip_admits = r.ip_admits;
        o.readmissions = r.readmits;
        o.snf_stays = r.snf_stays;
        o.cost = r.cost;
        o.pmpm = r.pmpm;
        o.probability = r.probability;
        buf_reset(&fac);
        for (int j = 0; j < ENGINE_TOP_FACTORS && r.factors[j]; j++)
            buf_printf(&fac, "%s%s", j ? "|" : "", r.factors[j]);
        o.top_factors = fac.len ? buf_cstr(&fac) : NULL;
        o.gaps = r.gaps;
        rc = store_put_analysis_patient(s, &o, e);
    }
    buf_free(&cond);
    buf_free(&fac);
    return rc;
}

static int save_rows(const engine_t *en, store_t *s, int64_t run, buf_t *id, err_t *e)
{
    int rc = 0;
    for (size_t i = 0; i < en->ndis && rc == 0; i++) {
        const dis_row_t *d = &en->dis[i];
        store_analysis_discharge_t o;
        store_analysis_discharge_init(&o);
        char dx[9], disp[8];
        o.as_of = en->as_of;
        o.person_id = pid(en, (size_t)d->person, id);
        o.admission_date = d->admit;
        o.run_id = run;
        o.discharge_date = d->disch;
        code_unpack(d->dx, dx);
        o.principal_dx = dx;
        if (d->disp != NO_DISP) {
            snprintf(disp, sizeof disp, "%02d", d->disp);
            o.discharge_disposition = disp;
        }
        o.index_admission = d->index;
        o.planned = d->planned;
        o.readmit_30 = d->readmit30;
        o.unplanned_readmit_30 = d->unplanned30;
        o.days_to_next_admission = d->days_to_next >= 0 ? d->days_to_next : STORE_INT_NONE;
        o.lace = d->lace;
        o.charlson = d->charlson;
        rc = store_put_analysis_discharge(s, &o, e);
    }
    for (size_t i = 0; i < en->neds && rc == 0; i++) {
        const ed_row_t *v = &en->eds[i];
        store_analysis_ed_visit_t o;
        store_analysis_ed_visit_init(&o);
        char dx[9];
        o.as_of = en->as_of;
        o.person_id = pid(en, (size_t)v->person, id);
        o.visit_date = v->date;
        o.run_id = run;
        code_unpack(v->dx, dx);
        o.principal_dx = dx;
        o.nyu_class = nyu_class_name(v->cls);
        o.avoidable_probability = v->cls >= 0 ? v->avoidable : NAN;
        rc = store_put_analysis_ed_visit(s, &o, e);
    }
    for (size_t i = 0; i < en->ngaps && rc == 0; i++) {
        const gap_row_t *g = &en->gaps[i];
        store_analysis_gap_t o;
        store_analysis_gap_init(&o);
        char dx[9];
        o.as_of = en->as_of;
        o.person_id = pid(en, (size_t)g->person, id);
        o.kind = g->kind == 1 ? "recapture" : "suspect";
        o.hcc = g->hcc;
        code_unpack(g->code, dx);
        o.code = dx;
        o.run_id = run;
        o.description = g->what;
        o.evidence = g->evidence;
        rc = store_put_analysis_gap(s, &o, e);
    }
    return rc;
}

static int save_population(const engine_t *en, store_t *s, int64_t run, err_t *e)
{
    engine_summary_t m;
    engine_summary(en, &m);
    store_analysis_population_t o;
    store_analysis_population_init(&o);
    o.as_of = en->as_of;
    o.run_id = run;
    o.patients = (int64_t)m.patients;
    o.attributed = (int64_t)m.attributed;
    o.member_months = m.member_months;
    o.cost = m.cost;
    o.pmpm = m.pmpm;
    o.ed_visits = m.ed_visits;
    o.ed_classified = m.ed_classified;
    o.ed_avoidable_share = m.ed_avoidable_share;
    o.ip_admits = m.ip_admits;
    o.index_admits = m.index_admits;
    o.unplanned_readmits = m.unplanned_readmits;
    o.readmission_rate = m.readmission_rate;
    o.snf_stays = m.snf_stays;
    o.auc_test = isfinite(m.auc_test) ? m.auc_test : NAN;
    o.tier_low = en->tiers[TIER_LOW];
    o.tier_rising = en->tiers[TIER_RISING];
    o.tier_high = en->tiers[TIER_HIGH];
    o.tier_critical = en->tiers[TIER_CRITICAL];
    o.ccm_eligible = en->ccm;
    o.pcm_eligible = en->pcm;
    o.gaps = (int64_t)en->ngaps;
    buf_t json = BUF_INIT;
    engine_population_json(en, &json);
    o.summary_json = buf_cstr(&json);
    int rc = store_put_analysis_population(s, &o, e);
    buf_free(&json);
    return rc;
}

int engine_save_store(const engine_t *en, struct store *s, int64_t started_at, int64_t *run_id,
                      err_t *e)
{
    if (!en->ran)
        return err_set(e, ERR_USAGE, "engine_save_store before engine_run");
    if (run_id)
        *run_id = 0;
    int rc = store_begin(s, e);
    if (rc)
        return rc;
    int64_t run = store_transaction_id(s);
    buf_t id = BUF_INIT;
    rc = store_clear_analysis(s, en->as_of, NULL, e);
    if (!rc)
        rc = save_population(en, s, run, e);
    if (!rc)
        rc = save_patients(en, s, run, &id, e);
    if (!rc)
        rc = save_rows(en, s, run, &id, e);
    buf_free(&id);
    if (!rc) {
        store_analysis_run_t r;
        store_analysis_run_init(&r);
        r.run_id = run;
        r.as_of = en->as_of;
        r.window_start = en->win_start;
        r.window_months = en->s.window_months;
        r.payment_year =
            en->s.payment_year ? en->s.payment_year : date_month_index(en->as_of) / 12 + 1;
        r.engine_version = ENGINE_VERSION;
        r.started_at = started_at;
        r.finished_at = (store_time_t)time(NULL);
        r.patients = (int64_t)en->pp.n;
        rc = store_put_analysis_run(s, &r, e);
    }
    if (!rc)
        rc = store_commit(s, e);
    if (rc) {
        err_t ignore;
        store_rollback(s, &ignore);
        return rc;
    }
    if (run_id)
        *run_id = run;
    return 0;
}
