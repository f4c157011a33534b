/* test_store_source.c — the store as a patient source: FHIR built from
 * clinical rows (blood-pressure panel re-assembled from its component rows)
 * and from claims (a claims-only patient), evaluated by the engine.
 *
 *   test_store_source ECQM_DIR GAPS_TSV
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "measures/population.h"
#include "store/store.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static date_t D(const char *s)
{
    date_t d = DATE_NONE;
    date_parse(s, strlen(s), &d);
    return d;
}

static void fill(store_t *st)
{
    err_t e;
    err_clear(&e);
    store_patient_t p;
    store_patient_init(&p);
    p.person_id = "A1";
    p.gender = "female";
    p.birth_date = D("1955-03-01");
    CHECK(store_put_patient(st, &p, &e) == 0, "patient: %s", e.msg);
    p.person_id = "B2"; /* claims only */
    p.gender = "male";
    p.birth_date = D("1950-07-12");
    CHECK(store_put_patient(st, &p, &e) == 0, "patient: %s", e.msg);

    store_encounter_t en;
    store_encounter_init(&en);
    en.encounter_id = "A1-e1";
    en.person_id = "A1";
    en.status = "finished";
    en.class_code = "AMB";
    en.type_system = "HCPCS";
    en.type_code = "99214";
    en.start_date = en.end_date = D("2025-03-02");
    CHECK(store_put_encounter(st, &en, &e) == 0, "encounter: %s", e.msg);

    store_condition_t c;
    store_condition_init(&c);
    c.condition_id = "A1-c1";
    c.person_id = "A1";
    c.category = "problem-list-item";
    c.clinical_status = "active";
    c.code_system = "ICD10CM";
    c.code = "I10";
    c.onset_date = D("2020-01-01");
    CHECK(store_put_condition(st, &c, &e) == 0, "condition: %s", e.msg);

    /* the BP panel, one row per component */
    store_observation_t o;
    store_observation_init(&o);
    o.person_id = "A1";
    o.encounter_id = "A1-e1";
    o.status = "final";
    o.category = "vital-signs";
    o.code_system = "LOINC";
    o.effective_date = D("2025-03-02");
    o.value_unit = "mm[Hg]";
    o.observation_id = "A1-o1/8480-6";
    o.code = "8480-6";
    o.value_num = 152;
    CHECK(store_put_observation(st, &o, &e) == 0, "obs: %s", e.msg);
    o.observation_id = "A1-o1/8462-4";
    o.code = "8462-4";
    o.value_num = 94;
    CHECK(store_put_observation(st, &o, &e) == 0, "obs: %s", e.msg);

    /* several categories in one row ('|'-joined): smoking status is both
     * social-history and survey (CMS138 reads survey) */
    store_observation_init(&o);
    o.observation_id = "A1-o2";
    o.person_id = "A1";
    o.status = "final";
    o.category = "social-history|survey";
    o.code_system = "LOINC";
    o.code = "72166-2";
    o.effective_date = D("2025-03-02");
    o.value_system = "SNOMED";
    o.value_code = "8517006";
    CHECK(store_put_observation(st, &o, &e) == 0, "obs: %s", e.msg);

    /* an order with its details (migration 3), and one stored without them */
    store_medication_t md;
    store_medication_init(&md);
    md.medication_id = "A1-m1";
    md.person_id = "A1";
    md.kind = "request";
    md.status = "active";
    md.intent = "order";
    md.category = "community";
    md.code_system = "RXNORM";
    md.code = "197591";
    md.start_date = D("2025-03-02");
    md.days_supply = 30;
    md.dosage_text = "as directed";
    md.refills = 3;
    md.quantity = 60;
    md.quantity_unit = "{tbl}";
    md.dose_value = 1;
    md.dose_unit = "{tbl}";
    md.frequency = 2;
    md.period = 1;
    md.period_unit = "d";
    CHECK(store_put_medication(st, &md, &e) == 0, "medication: %s", e.msg);
    store_medication_init(&md);
    md.medication_id = "A1-m2";
    md.person_id = "A1";
    md.kind = "request";
    md.code_system = "RXNORM";
    md.code = "197591";
    md.start_date = D("2025-05-02");
    CHECK(store_put_medication(st, &md, &e) == 0, "medication: %s", e.msg);

    /* B2: a professional claim, office visit 99213 with I10, and a colonoscopy line */
    store_med_claim_t m;
    store_med_claim_init(&m);
    m.claim_id = "CLM1";
    m.claim_type = "professional";
    m.person_id = "B2";
    m.claim_start_date = m.claim_end_date = D("2025-04-10");
    m.diagnosis_code_type = "icd-10-cm";
    m.diagnosis_code[0] = "I10";
    m.diagnosis_code[1] = "E119";
    CHECK(store_begin(st, &e) == 0, "begin"); /* one delivery: every line of the claim */
    m.claim_line_number = 1;
    m.hcpcs_code = "99213";
    m.claim_line_start_date = m.claim_line_end_date = D("2025-04-10");
    CHECK(store_put_med_claim(st, &m, &e) == 0, "claim: %s", e.msg);
    m.claim_line_number = 2;
    m.hcpcs_code = "45378";
    CHECK(store_put_med_claim(st, &m, &e) == 0, "claim: %s", e.msg);
    CHECK(store_commit(st, &e) == 0, "commit: %s", e.msg);
}

static json_t *find(const fhir_patient_t *p, const char *type, const char *id)
{
    for (size_t i = 0; i < p->n; i++) {
        const char *rt = json_string_value(json_object_get(p->res[i], "resourceType"));
        const char *rid = json_string_value(json_object_get(p->res[i], "id"));
        if (rt && !strcmp(rt, type) && rid && !strcmp(rid, id))
            return p->res[i];
    }
    return NULL;
}

static const char *code0(json_t *cc, const char **system)
{
    json_t *c = json_array_get(json_object_get(cc, "coding"), 0);
    if (system)
        *system = json_string_value(json_object_get(c, "system"));
    return json_string_value(json_object_get(c, "code"));
}

typedef struct gaps {
    char text[2][512];
} gaps_t;

static int on_patient(void *self, const mpop_opts_t *o, const mpop_patient_result_t *r, err_t *e)
{
    (void)o;
    (void)e;
    gaps_t *g = self;
    for (int i = 0; i < r->ngaps && r->index < 2; i++)
        if (!strcmp(r->gaps[i].cms, "CMS165"))
            snprintf(g->text[r->index], sizeof g->text[0], "%s", r->gaps[i].text);
    return 0;
}

typedef struct gap_row {
    int n;
    char first[256], evidence[256];
} gap_row_t;

static int on_gap(void *ctx, const store_care_gap_t *r, err_t *e)
{
    (void)e;
    gap_row_t *g = ctx;
    if (g->n++ == 0) {
        snprintf(g->first, sizeof g->first, "%s", r->gap_text ? r->gap_text : "");
        snprintf(g->evidence, sizeof g->evidence, "%s", r->evidence ? r->evidence : "");
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_store_source ECQM_DIR GAPS_TSV\n");
        return 2;
    }
    char db[] = "/tmp/tripod-test-mstore-XXXXXX";
    int fd = mkstemp(db);
    if (fd >= 0)
        close(fd);
    err_t e;
    err_clear(&e);
    store_t *st = NULL;
    if (store_open(db, &st, &e)) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        unlink(db);
        return 1;
    }
    fill(st);
    mpop_source_t *src = NULL;
    CHECK(mpop_source_store(st, &src, &e) == 0, "source: %s", e.msg);
    if (src) {
        CHECK(src->count(src) == 2, "count %zu", src->count(src));
        CHECK(src->window(src, 0, 2, &e) == 0, "window: %s", e.msg);
        fhir_patient_t a = { 0 }, b = { 0 };
        CHECK(src->load(src, 0, &a, &e) == 0, "load A1: %s", e.msg);
        CHECK(src->load(src, 1, &b, &e) == 0, "load B2: %s", e.msg);
        /* the BP panel: one Observation 85354-9 with both components */
        json_t *bp = find(&a, "Observation", "A1-o1");
        const char *sys = NULL;
        CHECK(bp && !strcmp(code0(json_object_get(bp, "code"), &sys), "85354-9") &&
                  !strcmp(sys, "http://loinc.org"),
              "BP panel code");
        json_t *comps = json_object_get(bp, "component");
        CHECK(json_array_size(comps) == 2, "BP components: %zu", json_array_size(comps));
        double sbp = -1, dbp = -1;
        for (size_t i = 0; i < json_array_size(comps); i++) {
            json_t *cm = json_array_get(comps, i);
            const char *k = code0(json_object_get(cm, "code"), NULL);
            double v =
                json_number_value(json_object_get(json_object_get(cm, "valueQuantity"), "value"));
            if (k && !strcmp(k, "8480-6"))
                sbp = v;
            if (k && !strcmp(k, "8462-4"))
                dbp = v;
        }
        CHECK(sbp == 152 && dbp == 94, "BP %g/%g", sbp, dbp);
        CHECK(!find(&a, "Observation", "A1-o1/8480-6"), "component rows stay components");
        /* every stored category, each its own CodeableConcept */
        json_t *smk = find(&a, "Observation", "A1-o2");
        json_t *cats = json_object_get(smk, "category");
        CHECK(json_array_size(cats) == 2 &&
                  !strcmp(code0(json_array_get(cats, 0), &sys), "social-history") &&
                  !strcmp(sys, "http://terminology.hl7.org/CodeSystem/observation-category") &&
                  !strcmp(code0(json_array_get(cats, 1), NULL), "survey"),
              "observation categories: %zu", json_array_size(cats));
        /* the order's details as the eCQM libraries read them */
        json_t *mr = find(&a, "MedicationRequest", "A1-m1");
        json_t *dr = json_object_get(mr, "dispenseRequest");
        json_t *dq = json_object_get(dr, "quantity");
        json_t *esd = json_object_get(dr, "expectedSupplyDuration");
        CHECK(mr && !strcmp(json_string_value(json_object_get(mr, "intent")), "order") &&
                  json_integer_value(json_object_get(dr, "numberOfRepeatsAllowed")) == 3 &&
                  json_number_value(json_object_get(dq, "value")) == 60 &&
                  !strcmp(json_string_value(json_object_get(dq, "code")), "{tbl}") &&
                  json_number_value(json_object_get(esd, "value")) == 30 &&
                  !strcmp(code0(json_array_get(json_object_get(mr, "category"), 0), NULL),
                          "community"),
              "MedicationRequest dispenseRequest/intent/category");
        json_t *di = json_array_get(json_object_get(mr, "dosageInstruction"), 0);
        json_t *rep = json_object_get(json_object_get(di, "timing"), "repeat");
        json_t *dose =
            json_object_get(json_array_get(json_object_get(di, "doseAndRate"), 0), "doseQuantity");
        CHECK(di && !strcmp(json_string_value(json_object_get(di, "text")), "as directed") &&
                  json_integer_value(json_object_get(rep, "frequency")) == 2 &&
                  json_number_value(json_object_get(rep, "period")) == 1 &&
                  !strcmp(json_string_value(json_object_get(rep, "periodUnit")), "d") &&
                  json_number_value(json_object_get(dose, "value")) == 1,
              "MedicationRequest dosageInstruction");
        /* a row without the details: an order, no dispenseRequest */
        json_t *mr2 = find(&a, "MedicationRequest", "A1-m2");
        CHECK(mr2 && !strcmp(json_string_value(json_object_get(mr2, "intent")), "order") &&
                  !json_object_get(mr2, "dispenseRequest") &&
                  !json_object_get(mr2, "dosageInstruction") && !json_object_get(mr2, "category"),
              "MedicationRequest without details");
        json_t *cond = find(&a, "Condition", "A1-c1");
        CHECK(cond && !strcmp(code0(json_object_get(cond, "code"), NULL), "I10"), "A1 condition");
        /* claims: encounter typed by the CPT code, procedure, dx conditions (dotted) */
        json_t *enc = find(&b, "Encounter", "claim-CLM1-1");
        CHECK(enc &&
                  !strcmp(code0(json_array_get(json_object_get(enc, "type"), 0), &sys), "99213") &&
                  !strcmp(sys, "http://www.ama-assn.org/go/cpt"),
              "claims encounter");
        json_t *px = find(&b, "Procedure", "claim-CLM1-2-px");
        CHECK(px && !strcmp(code0(json_object_get(px, "code"), NULL), "45378"), "claims px");
        json_t *dx = find(&b, "Condition", "claim-CLM1-dx2");
        CHECK(dx && !strcmp(code0(json_object_get(dx, "code"), &sys), "E11.9") &&
                  !strcmp(sys, "http://hl7.org/fhir/sid/icd-10-cm"),
              "claims dx dotted");
        CHECK(dx && !strcmp(code0(json_array_get(json_object_get(dx, "category"), 0), NULL),
                            "encounter-diagnosis"),
              "claims dx category");
        CHECK(!find(&b, "Condition", "claim-CLM1-dx3"), "one condition per diagnosis");
        size_t nconds = 0;
        for (size_t i = 0; i < b.n; i++)
            nconds +=
                !strcmp(json_string_value(json_object_get(b.res[i], "resourceType")), "Condition");
        CHECK(nconds == 2, "diagnoses once per claim, not per line: %zu", nconds);
        fhir_patient_t *ps[2] = { &a, &b };
        for (int k = 0; k < 2; k++) {
            for (size_t i = 0; i < ps[k]->n; i++)
                json_decref(ps[k]->res[i]);
            mem_free(ps[k]->res);
            mem_free(ps[k]->id);
        }
        /* the engine over the store: CMS165 for both patients */
        measure_set_t *ms = NULL;
        gap_table_t *gt = NULL;
        CHECK(measure_set_load(argv[1], &ms, &e) == 0, "load: %s", e.msg);
        CHECK(gap_table_load(argv[2], &gt, &e) == 0, "gaps: %s", e.msg);
        measure_t *m = ms ? measure_find(ms, "CMS165") : NULL;
        CHECK(m && measure_prepare(ms, m, &e) == 0, "prepare: %s", e.msg);
        if (m && gt) {
            CHECK(gap_table_bind(gt, ms, &m, 1, &e) == 0, "bind: %s", e.msg);
            gaps_t g;
            memset(&g, 0, sizeof g);
            mpop_opts_t o = { .ms = ms,
                              .measures = &m,
                              .nmeasures = 1,
                              .gaps = gt,
                              .period_start = "2025-01-01",
                              .period_end = "2025-12-31",
                              .threads = 2,
                              .chunk = 1 };
            mpop_sink_t sink = { &g, on_patient };
            mpop_summary_t *S = NULL;
            CHECK(mpop_run(&o, src, &sink, &S, &e) == 0, "run: %s", e.msg);
            if (S) {
                CHECK(S->groups[0][0].counts[MPOP_DENOM] == 2, "denominator %lld",
                      (long long)S->groups[0][0].counts[MPOP_DENOM]);
                CHECK(S->groups[0][0].counts[MPOP_NUMER] == 0, "numerator");
            }
            CHECK(!strcmp(g.text[0], "last BP 152/94 on 2025-03-02"), "A1 gap: %s", g.text[0]);
            CHECK(!strcmp(g.text[1], "no blood pressure reading in 2025"), "B2 gap: %s", g.text[1]);
            mpop_summary_free(S);
        }
        gap_table_free(gt);
        measure_set_free(ms);
        src->close(src);
        /* the batch mode over the store, results into the store (a second
         * connection writes while the first reads) */
        store_t *w = NULL;
        CHECK(store_open(db, &w, &e) == 0, "second connection: %s", e.msg);
        measures_analyze_opts_t ao = { .store = st,
                                       .store_out = w,
                                       .measures_dir = argv[1],
                                       .gap_table = argv[2],
                                       .as_of = "2025-12-31" };
        CHECK(w && measures_analyze(&ao, &e) == 0, "measures_analyze: %s", e.msg);
        int64_t n = 0;
        CHECK(store_count(w, "care_gap", &n, &e) == 0 && n >= 2, "care_gap rows %lld",
              (long long)n);
        CHECK(store_count(w, "measure_summary", &n, &e) == 0 && n >= 12,
              "measure_summary rows %lld", (long long)n);
        CHECK(store_count(w, "measure_result", &n, &e) == 0 && n >= 24, "measure_result rows %lld",
              (long long)n);
        gap_row_t gr = { 0 };
        date_t p0 = D("2025-01-01"), p1 = D("2025-12-31");
        CHECK(store_scan_care_gap(w, p0, p1, "CMS165", on_gap, &gr, &e) == 0, "scan: %s", e.msg);
        CHECK(gr.n == 2 && !strcmp(gr.first, "last BP 152/94 on 2025-03-02") &&
                  !strcmp(gr.evidence, "152 mmHg; 94 mmHg; 2025-03-02"),
              "stored CMS165 gaps: %d, %s / %s", gr.n, gr.first, gr.evidence);
        /* a re-run replaces the period's rows */
        CHECK(measures_analyze(&ao, &e) == 0, "re-run: %s", e.msg);
        int64_t n2 = 0;
        store_count(w, "measure_result", &n2, &e);
        CHECK(n2 == n, "re-run rows %lld, first %lld", (long long)n2, (long long)n);
        store_close(w);
    }
    store_close(st);
    if (getenv("TRIPOD_KEEP_DB"))
        fprintf(stderr, "kept %s\n", db);
    else {
        char aux[64];
        unlink(db);
        snprintf(aux, sizeof aux, "%s-wal", db);
        unlink(aux);
        snprintf(aux, sizeof aux, "%s-shm", db);
        unlink(aux);
    }
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    else
        printf("test_store_source: ok\n");
    return failures ? 1 : 0;
}
