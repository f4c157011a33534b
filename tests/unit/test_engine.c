/* test_engine.c — the engine end to end on a small hand-made population
 * written with the exact Tuva input-layer headers: attribution edge cases,
 * member months and PMPM by category, ED visits and their NYU class,
 * readmissions and LACE, output files. */
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

#include "analytics/engine_internal.h"
#include "analytics/nyu.h"
#include "core/mem.h"
#include "refdata/refdata.h"
#include "../testdata.h"

static char dir[256];

/* Writes rows ("col=value;col=value") under the header of the reference file
 * claims/tuva_input_layer_<layer>.csv, or under `header` when layer is NULL. */
static void write_csv(const char *name, const char *layer, const char *header,
                      const char *const *rows, size_t nrows)
{
    char path[512], hdr[8192];
    if (layer) {
        char rel[128];
        snprintf(rel, sizeof rel, "claims/tuva_input_layer_%s.csv", layer);
        testdata_path(rel, path, sizeof path);
        FILE *h = fopen(path, "r");
        assert_non_null(h);
        assert_non_null(fgets(hdr, sizeof hdr, h));
        fclose(h);
        hdr[strcspn(hdr, "\r\n")] = 0;
    } else {
        assert_non_null(header);
        snprintf(hdr, sizeof hdr, "%s", header ? header : "");
    }
    char *cols[256];
    int ncols = 0;
    char hcopy[8192];
    snprintf(hcopy, sizeof hcopy, "%s", hdr);
    for (char *s = hcopy; s && ncols < 256;) {
        cols[ncols++] = s;
        char *c = strchr(s, ',');
        if (c)
            *c++ = 0;
        s = c;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", hdr);
    for (size_t r = 0; r < nrows; r++) {
        for (int c = 0; c < ncols; c++) {
            const char *v = "";
            size_t vn = 0;
            size_t cn = strlen(cols[c]);
            for (const char *p = rows[r]; *p;) {
                const char *end = strchr(p, ';');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                if (n > cn && strncmp(p, cols[c], cn) == 0 && p[cn] == '=') {
                    v = p + cn + 1;
                    vn = n - cn - 1;
                }
                p += n + (end ? 1 : 0);
            }
            fprintf(f, "%s%.*s", c ? "," : "", (int)vn, v);
        }
        fputc('\n', f);
    }
    fclose(f);
}

#define ELIG(id, sex, birth)                                                                       \
    "person_id=" id ";gender=" sex ";birth_date=" birth                                            \
    ";enrollment_start_date=2024-01-01;enrollment_end_date=2025-12-31;payer=medicare;"             \
    "original_reason_entitlement_code=0;dual_status_code=NA"
#define PROF(claim, id, date, hcpcs, npi, amt, dx)                                                 \
    "claim_id=" claim ";claim_line_number=1;claim_type=professional;person_id=" id                 \
    ";claim_start_date=" date ";claim_end_date=" date                                              \
    ";place_of_service_code=11;hcpcs_code=" hcpcs ";rendering_npi=" npi ";allowed_amount=" amt     \
    ";paid_amount=1;diagnosis_code_1=" dx
#define IP(claim, id, admit, disch, disp, dx, px, amt)                                             \
    "claim_id=" claim ";claim_line_number=1;claim_type=institutional;person_id=" id                \
    ";claim_start_date=" admit ";claim_end_date=" disch ";admission_date=" admit                   \
    ";discharge_date=" disch ";admit_type_code=1;discharge_disposition_code=" disp                 \
    ";bill_type_code=111;revenue_center_code=0120;allowed_amount=" amt ";diagnosis_code_1=" dx     \
    ";procedure_code_1=" px

static const char *const elig[] = {
    ELIG("A", "female", "1950-05-01"), ELIG("B", "male", "1948-02-29"),
    ELIG("C", "female", "1955-07-15"), ELIG("D", "male", "1940-01-01"),
    ELIG("E", "male", "1945-03-03"),   ELIG("F", "female", "1952-12-12"),
    ELIG("G", "female", "1960-06-06"),
};

#define PCP1 "1000000001"
#define PCP2 "1000000002"
#define SPEC "1000000003"

static const char *const med[] = {
    /* A: PCP1 2 x 100 = 200, PCP2 1 x 250: PCP2 by plurality; the specialist's
     * 1000 does not count in step 1. */
    PROF("a1", "A", "2025-02-01", "99213", PCP1, "100.00", "I10"),
    PROF("a2", "A", "2025-05-01", "99213", PCP1, "100.00", "I10"),
    PROF("a3", "A", "2025-03-01", "99214", PCP2, "250.00", "I10"),
    PROF("a4", "A", "2025-04-01", "99214", SPEC, "1000.00", "I10"),
    /* B: tie 150 / 150: the most recent visit (PCP1 in June) wins. */
    PROF("b1", "B", "2025-03-01", "99213", PCP2, "150.00", "E119"),
    PROF("b2", "B", "2025-06-01", "99213", PCP1, "150.00", "E119"),
    /* C: only a specialist's primary-care service: step 2. A non primary-care
     * code (71045, a chest x-ray) by PCP1 does not count. */
    PROF("c1", "C", "2025-04-01", "99214", SPEC, "120.00", "J449"),
    PROF("c2", "C", "2025-04-02", "71045", PCP1, "500.00", "J449"),
    /* D: a visit before the window only: not attributed. */
    PROF("d1", "D", "2024-06-01", "99213", PCP1, "90.00", "I10"),
    /* E: index stay, an unplanned readmission 15 days later, then a planned
     * stay (potentially planned procedure, non-acute principal diagnosis)
     * 13 days after that. */
    IP("e1", "E", "2025-02-01", "2025-02-05", "01", "I5023", "", "10000.00"),
    IP("e2", "E", "2025-02-20", "2025-02-25", "01", "J441", "", "8000.00"),
    IP("e3", "E", "2025-03-10", "2025-03-12", "01", "I2510", "0270046", "20000.00"),
    /* F: two overlapping stays: both disqualified. */
    IP("f1", "F", "2025-05-01", "2025-05-10", "01", "I5023", "", "5000.00"),
    IP("f2", "F", "2025-05-08", "2025-05-12", "01", "I5023", "", "5000.00"),
    /* G: one ED visit: facility (rev 0450, two lines) and professional (POS
     * 23) the same day; the facility's principal diagnosis classifies it. */
    "claim_id=g1;claim_line_number=1;claim_type=institutional;person_id=G;"
    "claim_start_date=2025-07-04;claim_end_date=2025-07-04;bill_type_code=0131;"
    "revenue_center_code=0450;hcpcs_code=99284;allowed_amount=600.00;diagnosis_code_1=A020",
    "claim_id=g1;claim_line_number=2;claim_type=institutional;person_id=G;"
    "claim_start_date=2025-07-04;claim_end_date=2025-07-04;bill_type_code=0131;"
    "revenue_center_code=0300;hcpcs_code=80053;allowed_amount=100.00;diagnosis_code_1=A020",
    /* G: diabetic test strips (HCPCS A4253) from a supplier: DME, although
     * the Tuva claim_type is professional. */
    PROF("g3", "G", "2025-08-01", "A4253", "1000000009", "45.00", "E119"),
    "claim_id=g2;claim_line_number=1;claim_type=professional;person_id=G;"
    "claim_start_date=2025-07-04;claim_end_date=2025-07-04;place_of_service_code=23;"
    "hcpcs_code=99284;rendering_npi=" SPEC ";allowed_amount=200.00;diagnosis_code_1=S0990XA",
    /* A claim of someone not in eligibility is skipped. */
    PROF("z1", "ZZ", "2025-02-01", "99213", PCP1, "100.00", "I10"),
};

static const char *const rx[] = {
    "claim_id=r1;claim_line_number=1;person_id=A;dispensing_date=2025-03-03;"
    "ndc_code=00093505601;days_supply=30;allowed_amount=12.50",
};

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tripod_test_engine_%d", (int)getpid());
    mkdir(dir, 0700);
    write_csv("eligibility.csv", "eligibility", NULL, elig, sizeof elig / sizeof *elig);
    write_csv("medical_claim.csv", "medical_claim", NULL, med, sizeof med / sizeof *med);
    write_csv("pharmacy_claim.csv", "pharmacy_claim", NULL, rx, sizeof rx / sizeof *rx);
    static const char *const prac[] = {
        "npi=" PCP1 ";specialty=Internal Medicine;in_network_flag=1",
        "npi=" PCP2 ";specialty=Family Practice;in_network_flag=1",
        "npi=" SPEC ";specialty=Cardiology;in_network_flag=0",
    };
    write_csv("practitioner.csv", NULL, "npi,specialty,in_network_flag", prac, 3);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *files[] = { "eligibility.csv",   "medical_claim.csv", "pharmacy_claim.csv",
                            "practitioner.csv",  "out/patients.csv",  "out/discharges.csv",
                            "out/ed_visits.csv", "out/gaps.csv",      "out/population.json" };
    char path[512];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/out", dir);
    rmdir(path);
    rmdir(dir);
    return 0;
}

static engine_t *run(int threads)
{
    engine_settings_t s;
    engine_settings_default(&s);
    date_parse("2025-12-31", 10, &s.as_of);
    s.threads = threads;
    engine_t *en = engine_new(&s);
    err_t e;
    err_clear(&e);
    int rc = engine_load_csv(en, dir, &e);
    if (rc) {
        char m[800];
        err_format(&e, m, sizeof m);
        fail_msg("load: %s", m);
    }
    assert_int_equal(engine_run(en, &e), 0);
    return en;
}

static void patient(engine_t *en, const char *id, engine_patient_t *p)
{
    int i = engine_patient_find(en, id);
    assert_true(i >= 0);
    engine_patient(en, (size_t)i, p);
}

static void test_attribution(void **state)
{
    (void)state;
    engine_t *en = run(2);
    engine_patient_t p;
    patient(en, "A", &p);
    assert_int_equal(p.attributed_npi, 1000000002u);
    assert_int_equal(p.attribution_step, 1);
    patient(en, "B", &p);
    assert_int_equal(p.attributed_npi, 1000000001u);
    patient(en, "C", &p);
    assert_int_equal(p.attributed_npi, 1000000003u);
    assert_int_equal(p.attribution_step, 2);
    patient(en, "D", &p);
    assert_int_equal(p.attributed_npi, 0u);
    assert_int_equal(p.attribution_step, 0);
    assert_int_equal(engine_patient_find(en, "ZZ"), -1);
    assert_int_equal(en->unknown_person_rows, 1);
    engine_free(en);
}

static void test_cost_and_member_months(void **state)
{
    (void)state;
    engine_t *en = run(1);
    engine_summary_t s;
    engine_summary(en, &s);
    assert_int_equal(s.patients, 7);
    assert_int_equal(s.member_months, 7 * 12);
    /* 2025 allowed: A 1450 + 12.50 rx, B 300, C 620, E 38000, F 10000,
     * G 900 + 45 DME (D's visit is in 2024). */
    assert_int_equal(s.cost, 145000 + 1250 + 30000 + 62000 + 3800000 + 1000000 + 90000 + 4500);
    int m0 = date_month_index(en->win_start) - en->month0;
    money_t cat[NCAT] = { 0 };
    for (int m = m0; m < NMONTHS; m++)
        for (int c = 0; c < NCAT; c++)
            cat[c] += en->cost[m][c];
    assert_int_equal(cat[CAT_IP], 4800000);
    assert_int_equal(cat[CAT_ED], 70000 + 20000);
    assert_int_equal(cat[CAT_PROF], 145000 + 30000 + 62000);
    assert_int_equal(cat[CAT_RX], 1250);
    assert_int_equal(cat[CAT_DME], 4500);
    assert_int_equal(cat[CAT_SNF] + cat[CAT_OP] + cat[CAT_HH], 0);
    /* D's 2024 visit is in its month of the 24-month series. */
    assert_int_equal(en->cost[m0 - 7][CAT_PROF], 9000); /* 2024-06 */
    engine_patient_t p;
    patient(en, "A", &p);
    assert_int_equal(p.cost, 146250);
    assert_int_equal(p.pmpm, 146250 / 12);
    engine_free(en);
}

static void test_ed_and_readmissions(void **state)
{
    (void)state;
    engine_t *en = run(2);
    engine_summary_t s;
    engine_summary(en, &s);
    assert_int_equal(s.ed_visits, 1);
    assert_int_equal(s.ed_classified, 1);
    assert_int_equal(en->neds, 1);
    assert_int_equal(en->eds[0].dx, code_pack("A020", 4)); /* facility dx, not S0990XA */
    assert_int_equal(en->eds[0].cls, NYU_EPCT);
    assert_true(fabs(s.ed_avoidable_share - 1.0) < 1e-6);
    /* E: 3 stays, all index; e1 -> e2 unplanned, e2 -> e3 planned. F: none. */
    assert_int_equal(s.ip_admits, 5);
    assert_int_equal(s.index_admits, 3);
    assert_int_equal(s.unplanned_readmits, 1);
    assert_int_equal(en->readmits30, 2);
    assert_int_equal(en->ndis, 5);
    const dis_row_t *e1 = NULL, *e2 = NULL, *e3 = NULL;
    int idx_e = engine_patient_find(en, "E");
    for (size_t i = 0; i < en->ndis; i++)
        if (en->dis[i].person == idx_e) {
            if (!e1)
                e1 = &en->dis[i];
            else if (!e2)
                e2 = &en->dis[i];
            else
                e3 = &en->dis[i];
        }
    assert_non_null(e3);
    assert_true(e1->unplanned30 && e1->days_to_next == 15);
    assert_true(e2->readmit30 && !e2->unplanned30 && e2->days_to_next == 13);
    assert_true(e3->planned);
    /* LACE of e1: LOS 4 -> 4, emergency admission -> 3, Charlson (CHF) 1 -> 1,
     * no ED visit -> 0: 8. */
    assert_int_equal(e1->charlson, 1);
    assert_int_equal(e1->lace, 8);
    engine_patient_t p;
    patient(en, "E", &p);
    assert_int_equal(p.ip_admits, 3);
    assert_int_equal(p.readmits, 1);
    assert_int_equal(p.tier, TIER_CRITICAL);
    patient(en, "G", &p);
    assert_int_equal(p.ed_visits, 1);
    assert_int_equal(p.ed_avoidable, 1);
    engine_free(en);
}

static void test_outputs(void **state)
{
    (void)state;
    engine_t *en = run(2);
    char out[512], path[600];
    snprintf(out, sizeof out, "%s/out", dir);
    err_t e;
    err_clear(&e);
    assert_int_equal(engine_write_csv(en, out, &e), 0);
    snprintf(path, sizeof path, "%s/patients.csv", out);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n++;
    fclose(f);
    assert_int_equal(n, 8);
    buf_t b = BUF_INIT;
    engine_population_json(en, &b);
    assert_non_null(strstr(buf_cstr(&b), "\"member_months\":84"));
    assert_non_null(strstr(buf_cstr(&b), "\"Cardiology\":"));
    buf_free(&b);
    engine_free(en);
}

/* Bad input names the file, line and column. */
static void test_bad_input(void **state)
{
    (void)state;
    static const char *const bad[] = {
        PROF("x1", "A", "2025-02-30", "99213", PCP1, "100.00", "I10"),
    };
    write_csv("medical_claim.csv", "medical_claim", NULL, bad, 1);
    engine_t *en = engine_new(NULL);
    err_t e;
    err_clear(&e);
    assert_int_equal(engine_load_csv(en, dir, &e), ERR_INPUT);
    assert_int_equal(e.line, 2);
    assert_string_equal(e.field, "claim_start_date");
    assert_non_null(strstr(e.file, "medical_claim.csv"));
    engine_free(en);
    write_csv("medical_claim.csv", "medical_claim", NULL, med, sizeof med / sizeof *med);
}

/* Writes a medical_claim.csv of n lines of person A (about 1 KB each, so
 * that the file is read in several chunks and several windows each); line
 * `quoted` holds a quoted field with a line break and a doubled quote, line
 * `bad` (0: none) an impossible date. Returns the file line of the bad one. */
static long write_big_medical(int n, int quoted, int bad)
{
    char path[512], pad[1001];
    memset(pad, 'x', 1000);
    pad[1000] = '\0';
    snprintf(path, sizeof path, "%s/medical_claim.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "claim_id,claim_line_number,person_id,claim_start_date,allowed_amount,"
               "diagnosis_code_1,pad\n");
    long line = 2, bad_line = 0;
    for (int i = 1; i <= n; i++) {
        if (i == bad)
            bad_line = line;
        fprintf(f, "c%d,1,A,%s,10.00,I10,%s\n", i, i == bad ? "2025-02-30" : "2025-03-01",
                i == quoted ? "\"two\nlines, \"\"quoted\"\"\"" : pad);
        line += i == quoted ? 2 : 1;
    }
    fclose(f);
    return bad_line;
}

/* Many chunks and windows: every line is read once, and an error's line is
 * the file's, whatever chunk and window it falls in. */
static void test_chunked_lines(void **state)
{
    (void)state;
    enum { N = 12000 };
    for (int threads = 1; threads <= 3; threads += 2) {
        write_big_medical(N, 500, 0);
        engine_t *en = run(threads);
        assert_int_equal(en->med.n, N);
        engine_free(en);
        int bads[] = { 3, 499, 501, 6001, N };
        for (size_t k = 0; k < sizeof bads / sizeof bads[0]; k++) {
            long want = write_big_medical(N, 500, bads[k]);
            engine_settings_t s;
            engine_settings_default(&s);
            s.threads = threads;
            en = engine_new(&s);
            err_t e;
            err_clear(&e);
            assert_int_equal(engine_load_csv(en, dir, &e), ERR_INPUT);
            if (e.line != want)
                fail_msg("threads %d, bad line %d: error at line %ld, want %ld", threads, bads[k],
                         e.line, want);
            /* "c<digits>,1,A," comes before the date. */
            assert_int_equal(e.col, 8 + (bads[k] >= 10) + (bads[k] >= 100) + (bads[k] >= 1000) +
                                        (bads[k] >= 10000));
            assert_string_equal(e.field, "claim_start_date");
            engine_free(en);
        }
    }
    write_csv("medical_claim.csv", "medical_claim", NULL, med, sizeof med / sizeof *med);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attribution),         cmocka_unit_test(test_cost_and_member_months),
        cmocka_unit_test(test_ed_and_readmissions), cmocka_unit_test(test_outputs),
        cmocka_unit_test(test_bad_input),           cmocka_unit_test(test_chunked_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
