/* engine_out.c — results: accessors, population.json and the CSV files. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "analytics/conditions.h"
#include "analytics/engine_internal.h"
#include "analytics/nyu.h"
#include "core/mem.h"
#include "core/str.h"

void engine_free(engine_t *en)
{
    if (!en)
        return;
    engine_tables_free(en);
    mem_free(en->r_npi);
    mem_free(en->r_step);
    mem_free(en->r_tier);
    mem_free(en->r_chronic);
    mem_free(en->r_ccm);
    mem_free(en->r_pcm);
    mem_free(en->r_mm);
    mem_free(en->r_cond);
    mem_free(en->r_risk);
    mem_free(en->r_hccn);
    mem_free(en->r_ed);
    mem_free(en->r_edav);
    mem_free(en->r_ip);
    mem_free(en->r_readm);
    mem_free(en->r_snf);
    mem_free(en->r_gaps);
    mem_free(en->r_cost);
    mem_free(en->r_prob);
    mem_free(en->r_fac);
    mem_free(en->feat);
    mem_free(en->label);
    mem_free(en->eds);
    mem_free(en->dis);
    mem_free(en->gaps);
    mem_free(en->leak_by_spec);
    mem_free(en);
}

size_t engine_patient_count(const engine_t *en)
{
    return en->pp.n;
}

void engine_patient(const engine_t *en, size_t p, engine_patient_t *o)
{
    memset(o, 0, sizeof *o);
    o->person_id = engine_person_id(en, p, &o->person_id_len);
    if (!en->ran)
        return;
    o->attributed_npi = en->r_npi[p];
    o->attribution_step = en->r_step[p];
    o->member_months = en->r_mm[p];
    o->risk_score = en->r_risk[p];
    o->hcc_count = en->r_hccn[p];
    o->tier = (engine_tier_t)en->r_tier[p];
    o->chronic_count = en->r_chronic[p];
    o->conditions = en->r_cond[p];
    o->ccm_eligible = en->r_ccm[p];
    o->pcm_eligible = en->r_pcm[p];
    o->ed_visits = en->r_ed[p];
    o->ed_avoidable = en->r_edav[p];
    o->ip_admits = en->r_ip[p];
    o->readmits = en->r_readm[p];
    o->snf_stays = en->r_snf[p];
    o->cost = en->r_cost[p];
    o->pmpm = en->r_mm[p] ? en->r_cost[p] / en->r_mm[p] : 0;
    o->probability = en->r_prob[p];
    for (int j = 0; j < ENGINE_TOP_FACTORS; j++)
        o->factors[j] = en->r_fac[p][j] >= 0 ? engine_feature_name(en->r_fac[p][j]) : NULL;
    o->gaps = en->r_gaps[p];
}

int engine_patient_find(const engine_t *en, const char *person_id)
{
    return engine_people_find(&en->pp, person_id, strlen(person_id));
}

void engine_summary(const engine_t *en, engine_summary_t *o)
{
    memset(o, 0, sizeof *o);
    o->patients = en->pp.n;
    o->as_of = en->as_of;
    if (!en->ran)
        return;
    int win_m0 = date_month_index(en->win_start) - en->month0;
    for (int m = win_m0 < 0 ? 0 : win_m0; m < NMONTHS; m++) {
        o->member_months += en->mm[m];
        for (int c = 0; c < NCAT; c++)
            o->cost += en->cost[m][c];
    }
    for (size_t p = 0; p < en->pp.n; p++)
        o->attributed += en->r_npi[p] != 0;
    o->pmpm = o->member_months ? money_to_dollars(o->cost) / (double)o->member_months : 0;
    o->ed_visits = en->ed_visits;
    o->ed_classified = en->ed_classified;
    o->ed_avoidable_argmax = en->ed_cls[NYU_NONER] + en->ed_cls[NYU_EPCT];
    o->ed_avoidable_share = en->ed_classified ? en->ed_avoid_sum / (double)en->ed_classified : 0;
    o->ip_admits = en->ip_admits;
    o->index_admits = en->index_admits;
    o->unplanned_readmits = en->unplanned30;
    o->readmission_rate = en->index_admits ? (double)en->unplanned30 / (double)en->index_admits : 0;
    o->snf_stays = en->snf_stays;
    o->auc_test = en->auc_test;
}

static void json_num(buf_t *b, double v)
{
    if (isfinite(v))
        buf_printf(b, "%.6g", v);
    else
        buf_puts(b, "null");
}

static void json_money(buf_t *b, money_t m)
{
    char s[MONEY_FMT_LEN];
    money_format(m, s, sizeof s);
    buf_puts(b, s);
}

static void month_name(int mi, char out[16])
{
    snprintf(out, 16, "%04d-%02d", mi / 12, mi % 12 + 1);
}

int engine_population_json(const engine_t *en, buf_t *b)
{
    engine_summary_t s;
    engine_summary(en, &s);
    char d1[DATE_FMT_LEN], d2[DATE_FMT_LEN];
    date_format(en->win_start, d1);
    date_format(en->as_of, d2);
    double k = s.member_months ? 12000.0 / (double)s.member_months : 0; /* per 1000 per year */
    buf_printf(b, "{\"as_of\":\"%s\",\"window\":{\"start\":\"%s\",\"end\":\"%s\"},", d2, d1, d2);
    buf_printf(b, "\"patients\":%zu,\"attributed\":%zu,\"member_months\":%ld,", s.patients,
               s.attributed, s.member_months);
    buf_puts(b, "\"cost\":{\"total\":");
    json_money(b, s.cost);
    buf_puts(b, ",\"pmpm\":");
    json_num(b, s.pmpm);
    buf_puts(b, ",\"pmpm_by_category\":{");
    int win_m0 = date_month_index(en->win_start) - en->month0;
    if (win_m0 < 0)
        win_m0 = 0;
    for (int c = 0; c < NCAT; c++) {
        money_t t = 0;
        for (int m = win_m0; m < NMONTHS; m++)
            t += en->cost[m][c];
        buf_printf(b, "%s\"%s\":", c ? "," : "", engine_cat_names[c]);
        json_num(b, s.member_months ? money_to_dollars(t) / (double)s.member_months : 0);
    }
    buf_puts(b, "},\"total_by_category\":{");
    for (int c = 0; c < NCAT; c++) {
        money_t t = 0;
        for (int m = win_m0; m < NMONTHS; m++)
            t += en->cost[m][c];
        buf_printf(b, "%s\"%s\":", c ? "," : "", engine_cat_names[c]);
        json_money(b, t);
    }
    buf_puts(b, "},\"by_month\":[");
    for (int m = 0; m < NMONTHS; m++) {
        char mn[16];
        month_name(en->month0 + m, mn);
        money_t t = 0;
        for (int c = 0; c < NCAT; c++)
            t += en->cost[m][c];
        buf_printf(b, "%s{\"month\":\"%s\",\"member_months\":%ld,\"cost\":", m ? "," : "", mn,
                   en->mm[m]);
        json_money(b, t);
        buf_puts(b, ",\"pmpm\":");
        json_num(b, en->mm[m] ? money_to_dollars(t) / (double)en->mm[m] : 0);
        buf_puts(b, ",\"pmpm_by_category\":{");
        for (int c = 0; c < NCAT; c++) {
            buf_printf(b, "%s\"%s\":", c ? "," : "", engine_cat_names[c]);
            json_num(b, en->mm[m] ? money_to_dollars(en->cost[m][c]) / (double)en->mm[m] : 0);
        }
        buf_puts(b, "}}");
    }
    buf_puts(b, "]},");
    buf_printf(b,
               "\"utilization\":{\"ed_visits\":%ld,\"ed_per_1000\":%.2f,\"ip_admits\":%ld,"
               "\"ip_per_1000\":%.2f,\"snf_stays\":%ld,\"snf_per_1000\":%.2f},",
               s.ed_visits, (double)s.ed_visits * k, s.ip_admits, (double)s.ip_admits * k,
               s.snf_stays, (double)s.snf_stays * k);
    buf_printf(b, "\"ed\":{\"visits\":%ld,\"classified\":%ld,\"avoidable_share\":", s.ed_visits,
               s.ed_classified);
    json_num(b, s.ed_avoidable_share);
    buf_puts(b, ",\"avoidable_share_incl_edcnpa\":");
    json_num(b, en->ed_classified ? en->ed_avoid_np_sum / (double)en->ed_classified : 0);
    buf_puts(b, ",\"by_class\":{");
    for (int c = 0; c < NYU_NCLASS; c++)
        buf_printf(b, "%s\"%s\":%ld", c ? "," : "", nyu_class_name(c), en->ed_cls[c]);
    buf_printf(b, ",\"unclassified\":%ld}},", s.ed_visits - s.ed_classified);
    buf_printf(b,
               "\"readmissions\":{\"index_admissions\":%ld,\"readmissions_30d\":%ld,"
               "\"unplanned_30d\":%ld,\"rate\":",
               s.index_admits, en->readmits30, s.unplanned_readmits);
    json_num(b, s.readmission_rate);
    buf_puts(b, "},\"leakage\":{\"specialist_spend\":");
    json_money(b, en->spec_total);
    buf_puts(b, ",\"out_of_network\":");
    json_money(b, en->leak_total);
    buf_puts(b, ",\"share\":");
    json_num(b, en->spec_total ? (double)en->leak_total / (double)en->spec_total : 0);
    buf_puts(b, ",\"by_specialty\":{");
    bool first = true;
    for (size_t sp = 0; sp <= en->prac.nspecs && en->leak_by_spec; sp++) {
        if (!en->leak_by_spec[sp])
            continue;
        const char *name = sp < en->prac.nspecs ? en->prac.specs[sp] : "Unknown";
        buf_puts(b, first ? "" : ",");
        buf_json_str(b, name, strlen(name));
        buf_puts(b, ":");
        json_money(b, en->leak_by_spec[sp]);
        first = false;
    }
    buf_puts(b, "}},");
    buf_printf(b, "\"care_management\":{\"ccm_eligible\":%ld,\"pcm_eligible\":%ld},", en->ccm,
               en->pcm);
    buf_printf(b, "\"tiers\":{\"low\":%ld,\"rising\":%ld,\"high\":%ld,\"critical\":%ld},",
               en->tiers[1], en->tiers[2], en->tiers[3], en->tiers[4]);
    buf_printf(b, "\"gaps\":%zu,", en->ngaps);
    buf_printf(b,
               "\"model\":{\"outcome\":\"ED visit or inpatient admission within %d months\","
               "\"fitted\":%s,\"train_rows\":%ld,\"train_rate\":",
               en->s.horizon_months, en->model_ok ? "true" : "false", en->train_n);
    json_num(b, en->train_rate);
    buf_printf(b, ",\"test_rows\":%ld,\"test_rate\":", en->test_n);
    json_num(b, en->test_rate);
    buf_puts(b, ",\"auc_train\":");
    json_num(b, en->auc_train);
    buf_puts(b, ",\"auc_test\":");
    json_num(b, en->auc_test);
    buf_puts(b, ",\"coefficients\":{\"intercept\":");
    json_num(b, en->model_beta[0]);
    for (int j = 0; j < NFEAT; j++) {
        buf_printf(b, ",\"%s\":", engine_feature_name(j));
        json_num(b, en->model_beta[j + 1]);
    }
    buf_puts(b, "},\"calibration\":[");
    for (int d = 0; d < 10; d++) {
        buf_printf(b, "%s{\"decile\":%d,\"n\":%ld,\"predicted\":", d ? "," : "", d + 1,
                   en->calib_n[d]);
        json_num(b, en->calib_pred[d]);
        buf_puts(b, ",\"observed\":");
        json_num(b, en->calib_obs[d]);
        buf_puts(b, "}");
    }
    buf_puts(b, "]}}\n");
    return 0;
}

static int mkdir_p(const char *dir, err_t *e)
{
    char tmp[1024];
    size_t n = str_copy(tmp, dir, sizeof tmp);
    if (n >= sizeof tmp)
        return err_set(e, ERR_USAGE, "path too long: %s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0777);
            *p = '/';
        }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return err_at(e, ERR_IO, dir, 0, 0, NULL, "cannot create: %s", strerror(errno));
    return 0;
}

static FILE *open_out(const char *dir, const char *name, err_t *e)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        err_at(e, ERR_IO, path, 0, 0, NULL, "cannot write: %s", strerror(errno));
    else
        setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

static int close_out(FILE *f, const char *dir, const char *name, err_t *e)
{
    if (fclose(f) != 0) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        return err_at(e, ERR_IO, path, 0, 0, NULL, "write failed: %s", strerror(errno));
    }
    return 0;
}

static void put_id(FILE *f, const engine_t *en, size_t p)
{
    size_t n;
    const char *s = engine_person_id(en, p, &n);
    bool quote = memchr(s, ',', n) || memchr(s, '"', n);
    if (!quote) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

static void put_csv_str(FILE *f, const char *s)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    if (quote)
        fputc('"', f);
}

static const char *const tier_names[5] = { "", "low", "rising", "high", "critical" };

int engine_write_csv(const engine_t *en, const char *dir, err_t *e)
{
    if (!en->ran)
        return err_set(e, ERR_USAGE, "engine_write_csv before engine_run");
    int rc = mkdir_p(dir, e);
    if (rc)
        return rc;
    FILE *f = open_out(dir, "patients.csv", e);
    if (!f)
        return e->code;
    fputs("person_id,attributed_npi,attribution_step,member_months,risk_score,hcc_count,tier,"
          "chronic_count,conditions,ccm_eligible,pcm_eligible,ed_visits,ed_avoidable,ip_admits,"
          "readmissions,snf_stays,cost,pmpm,probability,top_factors,gaps\n",
          f);
    for (size_t p = 0; p < en->pp.n; p++) {
        engine_patient_t r;
        engine_patient(en, p, &r);
        put_id(f, en, p);
        char cost[MONEY_FMT_LEN], pmpm[MONEY_FMT_LEN];
        money_format(r.cost, cost, sizeof cost);
        money_format(r.pmpm, pmpm, sizeof pmpm);
        if (r.attributed_npi)
            fprintf(f, ",%010u", r.attributed_npi);
        else
            fputs(",", f);
        fprintf(f, ",%d,%d,%.3f,%d,%s,%d,", r.attribution_step, r.member_months, r.risk_score,
                r.hcc_count, tier_names[r.tier >= 1 && r.tier <= 4 ? r.tier : 0], r.chronic_count);
        bool first = true;
        for (int c = 0; c < COND_COUNT; c++)
            if (r.conditions >> c & 1) {
                fprintf(f, "%s%s", first ? "" : "|", cond_defs[c].name);
                first = false;
            }
        fprintf(f, ",%d,%d,%d,%d,%d,%d,%d,%s,%s,%.4f,", r.ccm_eligible, r.pcm_eligible, r.ed_visits,
                r.ed_avoidable, r.ip_admits, r.readmits, r.snf_stays, cost, pmpm, r.probability);
        for (int j = 0; j < ENGINE_TOP_FACTORS && r.factors[j]; j++)
            fprintf(f, "%s%s", j ? "|" : "", r.factors[j]);
        fprintf(f, ",%d\n", r.gaps);
    }
    if ((rc = close_out(f, dir, "patients.csv", e)) != 0)
        return rc;

    if (!(f = open_out(dir, "discharges.csv", e)))
        return e->code;
    fputs("person_id,admission_date,discharge_date,principal_dx,discharge_disposition,"
          "index_admission,planned,readmit_30,unplanned_readmit_30,days_to_next_admission,"
          "lace,charlson\n",
          f);
    for (size_t i = 0; i < en->ndis; i++) {
        const dis_row_t *d = &en->dis[i];
        char a[DATE_FMT_LEN], b[DATE_FMT_LEN], dx[9];
        date_format(d->admit, a);
        date_format(d->disch, b);
        code_unpack(d->dx, dx);
        put_id(f, en, (size_t)d->person);
        fprintf(f, ",%s,%s,%s,", a, b, dx);
        if (d->disp != NO_DISP)
            fprintf(f, "%02d", d->disp);
        fprintf(f, ",%d,%d,%d,%d,", d->index, d->planned, d->readmit30, d->unplanned30);
        if (d->days_to_next >= 0)
            fprintf(f, "%d", d->days_to_next);
        fprintf(f, ",%d,%d\n", d->lace, d->charlson);
    }
    if ((rc = close_out(f, dir, "discharges.csv", e)) != 0)
        return rc;

    if (!(f = open_out(dir, "ed_visits.csv", e)))
        return e->code;
    fputs("person_id,visit_date,principal_dx,nyu_class,avoidable_probability\n", f);
    for (size_t i = 0; i < en->neds; i++) {
        const ed_row_t *v = &en->eds[i];
        char a[DATE_FMT_LEN], dx[9];
        date_format(v->date, a);
        code_unpack(v->dx, dx);
        put_id(f, en, (size_t)v->person);
        fprintf(f, ",%s,%s,%s,", a, dx, nyu_class_name(v->cls));
        if (v->cls >= 0)
            fprintf(f, "%.4f", v->avoidable);
        fputc('\n', f);
    }
    if ((rc = close_out(f, dir, "ed_visits.csv", e)) != 0)
        return rc;

    if (!(f = open_out(dir, "gaps.csv", e)))
        return e->code;
    fputs("person_id,kind,hcc,code,description,evidence\n", f);
    for (size_t i = 0; i < en->ngaps; i++) {
        const gap_row_t *g = &en->gaps[i];
        char dx[9];
        code_unpack(g->code, dx);
        put_id(f, en, (size_t)g->person);
        fprintf(f, ",%s,", g->kind == 1 ? "recapture" : "suspect");
        if (g->hcc)
            fprintf(f, "%d", g->hcc);
        fprintf(f, ",%s,", dx);
        put_csv_str(f, g->what);
        fputc(',', f);
        put_csv_str(f, g->evidence);
        fputc('\n', f);
    }
    if ((rc = close_out(f, dir, "gaps.csv", e)) != 0)
        return rc;

    buf_t b = BUF_INIT;
    engine_population_json(en, &b);
    if (!(f = open_out(dir, "population.json", e))) {
        buf_free(&b);
        return e->code;
    }
    fwrite(buf_cstr(&b), 1, b.len, f);
    buf_free(&b);
    return close_out(f, dir, "population.json", e);
}
