/* test_engine_db.c — `tripod analyze --db`: the engine over the store.
 *
 * A deterministic population (enrolment spans, practitioners, office visits,
 * multi-line claims, ED visits, admissions with readmissions, SNF stays,
 * pharmacy fills, eGFR and HbA1c labs) is written twice: as Tuva input-layer
 * CSVs and into a store with store_put_*. The engine run from the store
 * (engine_load_store, through the engine_add_* row entry points) must give
 * the SAME results as the run from the CSVs: every patient field, every
 * discharge, ED visit and gap row, and population.json byte for byte. Then
 * the results written back (engine_save_store) must read back equal, and a
 * re-run for the same as_of must replace them (idempotent).
 *
 *   test_engine_db [sqlite|postgres]   postgres: TRIPOD_TEST_PG_URL (scripts/pg-tmp)
 *   test_engine_db make DIR            writes the CSVs into DIR/csv and DIR/store.db for
 *                                      the CLI test (tests/analytics/tests.cmake)
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "analytics/engine_internal.h"
#include "core/mem.h"
#include "core/rng.h"
#include "store/store.h"

static const char *backend = "sqlite";
static char tmp[256];

#define OK(call)                                                                                   \
    do {                                                                                           \
        err_t E_[1];                                                                               \
        err_t *E = E_;                                                                             \
        err_clear(E);                                                                              \
        int rc_ = (call);                                                                          \
        if (rc_ != 0)                                                                              \
            fail_msg("%s failed: %d %s [%s]", #call, rc_, E->msg, E->field);                       \
    } while (0)

/* ---- the population, written as CSV and into the store ------------------ */

typedef struct out {
    store_t *s;
    FILE *elig, *med, *rx, *prac, *lab;
    int claim_no, rx_no, lab_no;
} out_t;

static void put_date(FILE *f, date_t d)
{
    if (d != DATE_NONE) {
        char b[DATE_FMT_LEN];
        date_format(d, b);
        fputs(b, f);
    }
}

static void put_money(FILE *f, money_t m)
{
    if (m != STORE_MONEY_NONE)
        fprintf(f, "%lld.%02lld", (long long)(m / 100), (long long)(m % 100));
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static const char *flag(int f)
{
    return f == 1 ? "1" : f == 0 ? "0" : "";
}

static void emit_med(out_t *o, const store_med_claim_t *c)
{
    OK(store_put_med_claim(o->s, c, E));
    FILE *f = o->med;
    fprintf(f, "%s,%lld,%s,%s,", c->claim_id, (long long)c->claim_line_number, c->claim_type,
            c->person_id);
    put_date(f, c->claim_start_date);
    fputc(',', f);
    put_date(f, c->claim_end_date);
    fputc(',', f);
    put_date(f, c->claim_line_start_date);
    fputc(',', f);
    put_date(f, c->admission_date);
    fputc(',', f);
    put_date(f, c->discharge_date);
    fprintf(f, ",%s,%s,%s,%s,%s,%s,%s,", nz(c->admit_type_code), nz(c->discharge_disposition_code),
            nz(c->place_of_service_code), nz(c->bill_type_code), nz(c->revenue_center_code),
            nz(c->hcpcs_code), nz(c->rendering_npi));
    put_money(f, c->allowed_amount);
    fputc(',', f);
    put_money(f, c->paid_amount);
    fprintf(f, ",%s", flag(c->in_network_flag));
    for (int i = 0; i < 4; i++)
        fprintf(f, ",%s", nz(c->diagnosis_code[i]));
    fprintf(f, ",%s\n", nz(c->procedure_code[0]));
}

static const char med_header[] =
    "claim_id,claim_line_number,claim_type,person_id,claim_start_date,claim_end_date,"
    "claim_line_start_date,admission_date,discharge_date,admit_type_code,"
    "discharge_disposition_code,place_of_service_code,bill_type_code,revenue_center_code,"
    "hcpcs_code,rendering_npi,allowed_amount,paid_amount,in_network_flag,diagnosis_code_1,"
    "diagnosis_code_2,diagnosis_code_3,diagnosis_code_4,procedure_code_1\n";

#define NPRAC 6
static const struct {
    const char *npi, *specialty;
    int pcp, innet;
} pracs[NPRAC] = {
    { "1000000001", "Internal Medicine", 1, 1 },   { "1000000002", "Family Practice", 1, 1 },
    { "1000000003", "Nurse Practitioner", -1, 1 }, { "1000000004", "Cardiology", 0, 1 },
    { "1000000005", "Orthopedic Surgery", 0, 0 },  { "1000000006", "Dermatology", -1, -1 },
};

static const char *const chronic_dx[] = { "I10",  "E119", "N183", "I5022", "J449",
                                          "F329", "E785", "I480", "M810",  "G309" };
static const char *const ed_dx[] = { "J069", "R109", "S0990XA", "N390", "R079", "K0889", "J189" };
static const char *const ip_dx[] = { "I5023", "J441", "A419", "N179", "I214" };

static void claim_base(out_t *o, store_med_claim_t *c, const char *person, char *id, size_t idn,
                       const char *type, date_t from, date_t to)
{
    store_med_claim_init(c);
    snprintf(id, idn, "C%06d", ++o->claim_no);
    c->claim_id = id;
    c->claim_line_number = 1;
    c->claim_type = type;
    c->person_id = person;
    c->payer = "medicare";
    c->claim_start_date = from;
    c->claim_end_date = to;
    c->claim_line_start_date = from;
}

static void make_patient(out_t *o, rng_t *r, int i)
{
    char person[16];
    snprintf(person, sizeof person, "P%04d", i);
    const char *gender = rng_bernoulli(r, 0.55) ? "female" : "male";
    date_t birth =
        date_from_ymd(rng_range(r, 1932, 1975), rng_range(r, 1, 12), rng_range(r, 1, 28));
    date_t death =
        rng_bernoulli(r, 0.03) ? date_from_ymd(2025, rng_range(r, 1, 11), 15) : DATE_NONE;
    store_patient_t p;
    store_patient_init(&p);
    p.person_id = person;
    p.gender = gender;
    p.birth_date = birth;
    p.death_date = death;
    OK(store_put_patient(o->s, &p, E));

    /* One or two enrolment spans (a gap in the middle for some). */
    int nspans = rng_bernoulli(r, 0.15) ? 2 : 1;
    date_t starts[2] = { rng_bernoulli(r, 0.8) ? date_from_ymd(2023, 1, 1)
                                               : date_from_ymd(2024, rng_range(r, 1, 12), 1),
                         date_from_ymd(2025, 4, 1) };
    date_t ends[2] = { nspans == 2 ? date_from_ymd(2025, 1, 31) : date_from_ymd(2025, 12, 31),
                       date_from_ymd(2025, 12, 31) };
    const char *orec = rng_bernoulli(r, 0.8) ? "0" : "1";
    const char *dual = rng_bernoulli(r, 0.2) ? "02" : "NA";
    for (int s = 0; s < nspans; s++) {
        store_enrollment_t en;
        store_enrollment_init(&en);
        en.person_id = person;
        en.payer = "medicare";
        en.plan = "ffs";
        en.enrollment_start_date = starts[s];
        en.enrollment_end_date = ends[s];
        en.original_reason_entitlement_code = orec;
        en.dual_status_code = dual;
        OK(store_put_enrollment(o->s, &en, E));
        fprintf(o->elig, "%s,%s,", person, gender);
        put_date(o->elig, birth);
        fputc(',', o->elig);
        put_date(o->elig, death);
        fputc(',', o->elig);
        put_date(o->elig, starts[s]);
        fputc(',', o->elig);
        put_date(o->elig, ends[s]);
        fprintf(o->elig, ",medicare,ffs,%s,%s\n", orec, dual);
    }

    /* Chronic conditions, coded on the visits. */
    const char *dx[3];
    int ndx = rng_range(r, 1, 3);
    for (int k = 0; k < ndx; k++)
        dx[k] = chronic_dx[rng_below(r, 10)];
    int pcp = (int)rng_below(r, 3);
    date_t first = date_from_ymd(2023, 1, 1);
    int nvisits = rng_range(r, 0, 8);
    char id[16];
    for (int v = 0; v < nvisits; v++) {
        date_t d = first + (date_t)rng_below(r, 1090);
        int who = rng_bernoulli(r, 0.75) ? pcp : (int)rng_below(r, NPRAC);
        store_med_claim_t c;
        claim_base(o, &c, person, id, sizeof id, "professional", d, d);
        c.place_of_service_code = "11";
        c.hcpcs_code = rng_bernoulli(r, 0.1) ? "G0439" : rng_bernoulli(r, 0.5) ? "99214" : "99213";
        c.rendering_npi = pracs[who].npi;
        c.allowed_amount = rng_range(r, 8000, 25000);
        c.paid_amount = c.allowed_amount * 8 / 10;
        c.in_network_flag = v % 3 == 2 ? STORE_FLAG_NONE : pracs[who].innet;
        for (int k = 0; k < ndx; k++)
            c.diagnosis_code[k] = dx[k];
        emit_med(o, &c);
        if (rng_bernoulli(r, 0.3)) { /* a second line: a lab draw */
            c.claim_line_number = 2;
            c.hcpcs_code = "36415";
            c.allowed_amount = 300;
            c.paid_amount = STORE_MONEY_NONE;
            emit_med(o, &c);
        }
    }
    /* ED visits: a facility claim and the ED physician's. */
    int neds = rng_bernoulli(r, 0.3) ? rng_range(r, 1, 4) : 0;
    for (int v = 0; v < neds; v++) {
        date_t d = first + (date_t)rng_below(r, 1090);
        const char *edx = ed_dx[rng_below(r, 7)];
        store_med_claim_t c;
        claim_base(o, &c, person, id, sizeof id, "institutional", d, d);
        c.bill_type_code = "131";
        c.revenue_center_code = "0450";
        c.hcpcs_code = "99284";
        c.allowed_amount = rng_range(r, 50000, 200000);
        c.diagnosis_code[0] = edx;
        emit_med(o, &c);
        claim_base(o, &c, person, id, sizeof id, "professional", d, d);
        c.place_of_service_code = "23";
        c.hcpcs_code = "99284";
        c.rendering_npi = "1000000007";
        c.allowed_amount = 17500;
        c.diagnosis_code[0] = edx;
        emit_med(o, &c);
    }
    /* Admissions, some readmitted within 30 days, some to a SNF after. */
    int nadm = rng_bernoulli(r, 0.2) ? rng_range(r, 1, 2) : 0;
    for (int a = 0; a < nadm; a++) {
        date_t admit = first + (date_t)rng_below(r, 1000);
        for (int again = 0; again < 2; again++) {
            int los = rng_range(r, 0, 12);
            store_med_claim_t c;
            claim_base(o, &c, person, id, sizeof id, "institutional", admit, admit + los);
            c.admission_date = admit;
            c.discharge_date = admit + los;
            c.bill_type_code = "111";
            c.admit_type_code = rng_bernoulli(r, 0.7) ? "1" : "3";
            c.discharge_disposition_code = rng_bernoulli(r, 0.2) ? "03" : "01";
            c.revenue_center_code = "0120";
            c.allowed_amount = rng_range(r, 800000, 3000000);
            c.diagnosis_code[0] = ip_dx[rng_below(r, 5)];
            c.diagnosis_code[1] = dx[0];
            c.procedure_code[0] = rng_bernoulli(r, 0.2) ? "0DTJ4ZZ" : NULL;
            emit_med(o, &c);
            if (c.discharge_disposition_code[1] == '3') {
                store_med_claim_t snf;
                claim_base(o, &snf, person, id, sizeof id, "institutional", admit + los,
                           admit + los + 14);
                snf.admission_date = admit + los;
                snf.discharge_date = admit + los + 14;
                snf.bill_type_code = "211";
                snf.revenue_center_code = "0022";
                snf.allowed_amount = 700000;
                snf.diagnosis_code[0] = dx[0];
                emit_med(o, &snf);
            }
            if (!rng_bernoulli(r, 0.35))
                break;
            admit += los + rng_range(r, 3, 25);
        }
    }
    /* Pharmacy: insulin for some (a diabetes suspect without E11). */
    int nfills = rng_range(r, 0, 6);
    bool insulin = rng_bernoulli(r, 0.05);
    for (int k = 0; k < nfills; k++) {
        store_rx_claim_t x;
        store_rx_claim_init(&x);
        char rid[16];
        snprintf(rid, sizeof rid, "R%06d", ++o->rx_no);
        x.claim_id = rid;
        x.claim_line_number = 1;
        x.person_id = person;
        x.dispensing_date = first + (date_t)rng_below(r, 1090);
        x.ndc_code = insulin && k == 0 ? "00088222033" : "00093505698";
        x.days_supply = k % 4 == 3 ? STORE_INT_NONE : 30;
        x.allowed_amount = rng_range(r, 500, 40000);
        x.prescribing_provider_npi = pracs[pcp].npi;
        x.in_network_flag = 1;
        OK(store_put_rx_claim(o->s, &x, E));
        fprintf(o->rx, "%s,1,%s,", rid, person);
        put_date(o->rx, x.dispensing_date);
        fprintf(o->rx, ",%s,", x.ndc_code);
        put_money(o->rx, x.allowed_amount);
        fprintf(o->rx, ",,%s,", x.prescribing_provider_npi);
        if (x.days_supply != STORE_INT_NONE)
            fprintf(o->rx, "%lld", (long long)x.days_supply);
        fputs(",1\n", o->rx);
    }
    /* Labs: low eGFR twice 120 days apart (a CKD suspect), an HbA1c. */
    if (rng_bernoulli(r, 0.1)) {
        for (int k = 0; k < 3; k++) {
            store_observation_t ob;
            store_observation_init(&ob);
            char lid[16];
            snprintf(lid, sizeof lid, "L%06d", ++o->lab_no);
            ob.observation_id = lid;
            ob.person_id = person;
            ob.category = "laboratory";
            ob.code_system = "LOINC";
            ob.code = k < 2 ? "33914-3" : "4548-4";
            ob.effective_date = date_from_ymd(2025, 1, 10) + k * 120;
            ob.value_num = k < 2 ? 41.5 + k : 7.2;
            ob.value_unit = k < 2 ? "mL/min/{1.73_m2}" : "%";
            OK(store_put_observation(o->s, &ob, E));
            fprintf(o->lab, "%s,", person);
            put_date(o->lab, ob.effective_date);
            fprintf(o->lab, ",%s,%g\n", ob.code, ob.value_num);
        }
    }
}

/* Writes the population (n patients, seed) into s and dir/{eligibility,...}.csv. */
static void make_population(store_t *s, const char *dir, int n, uint64_t seed)
{
    out_t o = { .s = s };
    char path[512];
    FILE **files[] = { &o.elig, &o.med, &o.rx, &o.prac, &o.lab };
    static const char *const names[] = { "eligibility", "medical_claim", "pharmacy_claim",
                                         "practitioner", "lab_result" };
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s.csv", dir, names[i]);
        *files[i] = fopen(path, "w");
        assert_non_null(*files[i]);
    }
    fputs("person_id,gender,birth_date,death_date,enrollment_start_date,enrollment_end_date,"
          "payer,plan,original_reason_entitlement_code,dual_status_code\n",
          o.elig);
    fputs(med_header, o.med);
    fputs("claim_id,claim_line_number,person_id,dispensing_date,ndc_code,allowed_amount,"
          "paid_amount,prescribing_provider_npi,days_supply,in_network_flag\n",
          o.rx);
    fputs("npi,specialty,primary_care_flag,in_network_flag\n", o.prac);
    fputs("person_id,result_date,normalized_code,result\n", o.lab);
    OK(store_begin(s, E));
    for (int i = 0; i < NPRAC; i++) {
        store_practitioner_t p;
        store_practitioner_init(&p);
        p.npi = pracs[i].npi;
        p.specialty = pracs[i].specialty;
        p.primary_care_flag = pracs[i].pcp;
        p.in_network_flag = pracs[i].innet;
        OK(store_put_practitioner(s, &p, E));
        fprintf(o.prac, "%s,%s,%s,%s\n", p.npi, p.specialty, flag(p.primary_care_flag),
                flag(p.in_network_flag));
    }
    rng_t r;
    rng_seed(&r, seed);
    for (int i = 1; i <= n; i++)
        make_patient(&o, &r, i);
    OK(store_commit(s, E));
    for (int i = 0; i < 5; i++)
        fclose(*files[i]);
}

/* ---- fixtures ------------------------------------------------------------- */

static void pg_reset(const char *url)
{
    PGconn *c = PQconnectdb(url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, "SET client_min_messages = warning;"
                            " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("reset: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static store_t *open_store(const char *name)
{
    char url[600];
    if (strcmp(backend, "postgres") == 0) {
        snprintf(url, sizeof url, "%s", getenv("TRIPOD_TEST_PG_URL"));
        pg_reset(url);
    } else {
        snprintf(url, sizeof url, "%s/%s", tmp, name);
    }
    store_t *s = NULL;
    OK(store_open(url, &s, E));
    return s;
}

static engine_t *run_csv(const char *dir, date_t as_of, int threads)
{
    engine_settings_t st;
    engine_settings_default(&st);
    st.as_of = as_of;
    st.threads = threads;
    engine_t *en = engine_new(&st);
    OK(engine_load_csv(en, dir, E));
    OK(engine_run(en, E));
    return en;
}

static engine_t *run_store(store_t *s, date_t as_of, int threads)
{
    engine_settings_t st;
    engine_settings_default(&st);
    st.as_of = as_of;
    st.threads = threads;
    engine_t *en = engine_new(&st);
    OK(engine_load_store(en, s, E));
    OK(engine_run(en, E));
    return en;
}

/* ---- comparisons ------------------------------------------------------------ */

static void assert_same_results(const engine_t *a, const engine_t *b)
{
    assert_int_equal(engine_patient_count(a), engine_patient_count(b));
    assert_true(engine_patient_count(a) > 0);
    for (size_t p = 0; p < engine_patient_count(a); p++) {
        engine_patient_t x, y;
        engine_patient(a, p, &x);
        engine_patient(b, p, &y);
        assert_int_equal(x.person_id_len, y.person_id_len);
        assert_memory_equal(x.person_id, y.person_id, x.person_id_len);
        assert_int_equal(x.attributed_npi, y.attributed_npi);
        assert_int_equal(x.attribution_step, y.attribution_step);
        assert_int_equal(x.member_months, y.member_months);
        assert_true(x.risk_score == y.risk_score);
        assert_int_equal(x.hcc_count, y.hcc_count);
        assert_int_equal(x.tier, y.tier);
        assert_int_equal(x.conditions, y.conditions);
        assert_int_equal(x.ccm_eligible, y.ccm_eligible);
        assert_int_equal(x.pcm_eligible, y.pcm_eligible);
        assert_int_equal(x.ed_visits, y.ed_visits);
        assert_int_equal(x.ed_avoidable, y.ed_avoidable);
        assert_int_equal(x.ip_admits, y.ip_admits);
        assert_int_equal(x.readmits, y.readmits);
        assert_int_equal(x.snf_stays, y.snf_stays);
        assert_int_equal(x.cost, y.cost);
        assert_true(x.probability == y.probability);
        for (int j = 0; j < ENGINE_TOP_FACTORS; j++)
            assert_ptr_equal(x.factors[j], y.factors[j]);
        assert_int_equal(x.gaps, y.gaps);
    }
    assert_int_equal(a->ndis, b->ndis);
    assert_int_equal(a->neds, b->neds);
    assert_int_equal(a->ngaps, b->ngaps);
    if (a->ndis)
        assert_memory_equal(a->dis, b->dis, a->ndis * sizeof *a->dis);
    if (a->neds)
        assert_memory_equal(a->eds, b->eds, a->neds * sizeof *a->eds);
    if (a->ngaps)
        assert_memory_equal(a->gaps, b->gaps, a->ngaps * sizeof *a->gaps);
    buf_t ja = BUF_INIT, jb = BUF_INIT;
    engine_population_json(a, &ja);
    engine_population_json(b, &jb);
    assert_string_equal(buf_cstr(&ja), buf_cstr(&jb));
    buf_free(&ja);
    buf_free(&jb);
}

/* The stored rows equal the engine's results. */
typedef struct check {
    const engine_t *en;
    size_t next;
    int64_t run;
} check_t;

static int check_patient(void *ctx, const store_analysis_patient_t *r, err_t *e)
{
    (void)e;
    check_t *c = ctx;
    int p = engine_patient_find(c->en, r->person_id);
    assert_true(p >= 0);
    engine_patient_t x;
    engine_patient(c->en, (size_t)p, &x);
    assert_int_equal(r->run_id, c->run);
    assert_int_equal(r->member_months, x.member_months);
    assert_true(r->risk_score == x.risk_score);
    assert_true(r->probability == x.probability);
    assert_int_equal(r->cost, x.cost);
    assert_int_equal(r->pmpm, x.pmpm);
    assert_int_equal(r->ed_visits, x.ed_visits);
    assert_int_equal(r->ip_admits, x.ip_admits);
    assert_int_equal(r->readmissions, x.readmits);
    assert_int_equal(r->chronic_count, x.chronic_count);
    assert_int_equal(r->ccm_eligible, x.ccm_eligible);
    assert_int_equal(r->gaps, x.gaps);
    if (x.attributed_npi) {
        char npi[16];
        snprintf(npi, sizeof npi, "%010u", x.attributed_npi);
        assert_string_equal(r->attributed_npi, npi);
    } else {
        assert_null(r->attributed_npi);
    }
    assert_non_null(r->tier);
    if (x.factors[0])
        assert_non_null(strstr(r->top_factors, x.factors[0]));
    c->next++;
    return 0;
}

static int check_population(void *ctx, const store_analysis_population_t *r, err_t *e)
{
    (void)e;
    check_t *c = ctx;
    engine_summary_t m;
    engine_summary(c->en, &m);
    assert_int_equal(r->run_id, c->run);
    assert_int_equal(r->patients, (int64_t)m.patients);
    assert_int_equal(r->member_months, m.member_months);
    assert_int_equal(r->cost, m.cost);
    assert_int_equal(r->ip_admits, m.ip_admits);
    assert_int_equal(r->unplanned_readmits, m.unplanned_readmits);
    buf_t j = BUF_INIT;
    engine_population_json(c->en, &j);
    assert_string_equal(r->summary_json, buf_cstr(&j));
    buf_free(&j);
    c->next++;
    return 0;
}

static int count_run(void *ctx, const store_analysis_run_t *r, err_t *e)
{
    (void)e;
    check_t *c = ctx;
    assert_string_equal(r->engine_version, ENGINE_VERSION);
    assert_true(r->finished_at >= r->started_at);
    assert_int_equal(r->patients, (int64_t)engine_patient_count(c->en));
    c->next++;
    return 0;
}

static int64_t count(store_t *s, const char *table)
{
    int64_t n = -1;
    OK(store_count(s, table, &n, E));
    return n;
}

/* ---- tests ------------------------------------------------------------------ */

/* The row entry points and the CSV loader agree, on a store with 2 threads
 * and 1 (results do not depend on the thread count). */
static void test_store_equals_csv(void **state)
{
    (void)state;
    char dir[300];
    snprintf(dir, sizeof dir, "%s/csv", tmp);
    mkdir(dir, 0777);
    store_t *s = open_store("pop.db");
    make_population(s, dir, 400, 7);
    date_t as_of = date_from_ymd(2025, 12, 31);
    engine_t *a = run_csv(dir, as_of, 2);
    engine_t *b = run_store(s, as_of, 2);
    assert_true(a->ndis > 10 && a->neds > 10 && a->ngaps > 3); /* the population exercises them */
    assert_same_results(a, b);
    engine_t *c = run_store(s, as_of, 1);
    assert_same_results(a, c);
    engine_free(c);
    /* as_of from the data (DATE_NONE) too. */
    engine_t *d1 = run_csv(dir, DATE_NONE, 2), *d2 = run_store(s, DATE_NONE, 2);
    assert_same_results(d1, d2);
    engine_free(d1);
    engine_free(d2);

    /* Written back, read back equal; a re-run replaces (same rows, new run id). */
    int64_t run1 = 0, run2 = 0;
    OK(engine_save_store(b, s, 1700000000, &run1, E));
    assert_true(run1 > 0);
    int64_t npat = count(s, "analysis_patient"), ndis = count(s, "analysis_discharge");
    assert_int_equal(npat, (int64_t)engine_patient_count(b));
    assert_int_equal(ndis, (int64_t)b->ndis);
    assert_int_equal(count(s, "analysis_ed_visit"), (int64_t)b->neds);
    assert_int_equal(count(s, "analysis_gap"), (int64_t)b->ngaps);
    OK(engine_save_store(b, s, 1700000000, &run2, E));
    assert_true(run2 > run1);
    assert_int_equal(count(s, "analysis_patient"), npat);
    assert_int_equal(count(s, "analysis_discharge"), ndis);
    assert_int_equal(count(s, "analysis_population"), 1);
    check_t c2 = { b, 0, run2 };
    OK(store_scan_analysis_patient(s, as_of, check_patient, &c2, E));
    assert_int_equal(c2.next, engine_patient_count(b));
    c2.next = 0;
    OK(store_scan_analysis_population(s, as_of, check_population, &c2, E));
    assert_int_equal(c2.next, 1);
    c2.next = 0;
    OK(store_scan_analysis_run(s, count_run, &c2, E));
    assert_int_equal(c2.next, 2); /* the ledger keeps both runs */
    date_t latest;
    OK(store_latest_analysis(s, &latest, E));
    assert_int_equal(latest, as_of);

    /* Another as_of is a separate set of results. */
    engine_t *m = run_store(s, date_from_ymd(2025, 6, 30), 2);
    OK(engine_save_store(m, s, 1700000000, NULL, E));
    assert_int_equal(count(s, "analysis_population"), 2);
    assert_int_equal(count(s, "analysis_patient"), npat * 2);
    OK(store_latest_analysis(s, &latest, E));
    assert_int_equal(latest, date_from_ymd(2025, 6, 30));
    engine_free(m);

    engine_free(a);
    engine_free(b);
    store_close(s);
}

/* Row entry points on their own: unknown people are skipped and counted,
 * a claim without a start date is bad input, loading twice is misuse. */
static void test_add_rows(void **state)
{
    (void)state;
    engine_settings_t st;
    engine_settings_default(&st);
    st.as_of = date_from_ymd(2025, 12, 31);
    st.threads = 1;
    engine_t *en = engine_new(&st);
    engine_person_row_t p = { .person_id = "X1",
                              .sex = "F",
                              .birth = date_from_ymd(1950, 1, 1),
                              .death = DATE_NONE,
                              .enroll_start = date_from_ymd(2025, 1, 1),
                              .enroll_end = date_from_ymd(2025, 12, 31),
                              .orec = "0",
                              .dual = "NA" };
    OK(engine_add_person(en, &p, E));
    const char *dx[] = { "E11.9", "i10" };
    engine_medical_row_t m = { .person_id = "X1",
                               .claim_id = "c1",
                               .claim_type = "professional",
                               .line = 1,
                               .start = date_from_ymd(2025, 3, 1),
                               .end = DATE_NONE,
                               .admit = DATE_NONE,
                               .discharge = DATE_NONE,
                               .place_of_service = "11",
                               .hcpcs = "99214",
                               .rendering_npi = "1000000001",
                               .amount = 15000,
                               .dx = dx,
                               .ndx = 2 };
    OK(engine_add_medical(en, &m, E));
    m.person_id = "NOBODY";
    OK(engine_add_medical(en, &m, E));
    assert_int_equal(en->unknown_person_rows, 1);
    m.person_id = "X1";
    m.start = DATE_NONE;
    err_t e;
    err_clear(&e);
    assert_int_equal(engine_add_medical(en, &m, &e), ERR_INPUT);
    engine_pharmacy_row_t rx = { .person_id = "X1",
                                 .ndc = "00093505698",
                                 .date = date_from_ymd(2025, 4, 1),
                                 .days_supply = 30,
                                 .amount = 2000 };
    OK(engine_add_pharmacy(en, &rx, E));
    OK(engine_add_lab(en, "X1", "4548-4", date_from_ymd(2025, 5, 1), 7.1, E));
    OK(engine_load_done(en, E));
    assert_int_equal(engine_load_csv(en, tmp, &e), ERR_USAGE);
    OK(engine_run(en, E));
    engine_patient_t r;
    engine_patient(en, 0, &r);
    assert_int_equal(r.member_months, 12);
    assert_int_equal(r.cost, 15000 + 2000);
    assert_int_equal(r.attributed_npi, 1000000001u);
    engine_free(en);
}

/* engine_save_store before a run, and a store that fails mid-save, write nothing. */
static void test_save_errors(void **state)
{
    (void)state;
    store_t *s = open_store("err.db");
    engine_t *en = engine_new(NULL);
    err_t e;
    err_clear(&e);
    assert_int_equal(engine_save_store(en, s, 0, NULL, &e), ERR_USAGE);
    /* An open transaction: save cannot begin its own. */
    OK(store_begin(s, E));
    engine_person_row_t p = { .person_id = "X1",
                              .sex = "male",
                              .birth = date_from_ymd(1950, 1, 1),
                              .death = DATE_NONE,
                              .enroll_start = date_from_ymd(2025, 1, 1),
                              .enroll_end = date_from_ymd(2025, 12, 31) };
    OK(engine_add_person(en, &p, E));
    OK(engine_load_done(en, E));
    OK(engine_run(en, E));
    assert_int_equal(engine_save_store(en, s, 0, NULL, &e), ERR_USAGE);
    OK(store_rollback(s, E));
    assert_int_equal(count(s, "analysis_run"), 0);
    OK(engine_save_store(en, s, 0, NULL, E));
    assert_int_equal(count(s, "analysis_run"), 1);
    assert_int_equal(count(s, "analysis_patient"), 1);
    engine_free(en);
    store_close(s);
}

static void rm_tree(const char *d)
{
    static const char *const names[] = {
        "csv/eligibility.csv",
        "csv/medical_claim.csv",
        "csv/pharmacy_claim.csv",
        "csv/practitioner.csv",
        "csv/lab_result.csv",
        "csv",
        "pop.db",
        "pop.db-wal",
        "pop.db-shm",
        "err.db",
        "err.db-wal",
        "err.db-shm",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", d, names[i]);
        if (unlink(p) != 0)
            rmdir(p);
    }
    rmdir(d);
}

/* `test_engine_db make DIR`: the population for the CLI test. */
static int make_sample(const char *dir)
{
    snprintf(tmp, sizeof tmp, "%s", dir);
    char csv[600], db[600];
    snprintf(csv, sizeof csv, "%s/csv", dir);
    snprintf(db, sizeof db, "%s/store.db", dir);
    mkdir(dir, 0777);
    mkdir(csv, 0777);
    store_t *s = NULL;
    err_t e;
    err_clear(&e);
    if (store_open(db, &s, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    make_population(s, csv, 400, 7);
    store_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "make") == 0)
        return make_sample(argv[2]);
    if (argc > 1)
        backend = argv[1];
    if (strcmp(backend, "postgres") == 0 && !getenv("TRIPOD_TEST_PG_URL")) {
        fprintf(stderr, "test_engine_db postgres: TRIPOD_TEST_PG_URL is not set "
                        "(run it through scripts/pg-tmp)\n");
        return 2;
    }
    snprintf(tmp, sizeof tmp, "%s/tripod-engine-db-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_equals_csv),
        cmocka_unit_test(test_add_rows),
        cmocka_unit_test(test_save_errors),
    };
    char group[64];
    snprintf(group, sizeof group, "engine_db.%s", backend);
    int failed = _cmocka_run_group_tests(group, tests, sizeof tests / sizeof tests[0], NULL, NULL);
    rm_tree(tmp);
    return failed ? 1 : 0;
}
