/* test_population.c — the population runner over the official eCQM test
 * cases, care gaps, thread independence and the NDJSON folder source.
 *
 *   test_population ECQM_DIR GAPS_TSV
 *
 * 1. Every measure's official cases run as one population: the summary counts
 *    equal the sums of the cases.tsv columns.
 * 2. A care gap is derived exactly for the cases whose expected counts make
 *    one (denominator, not excluded, no exception, not numerator; numerator
 *    for inverse measures), and the evidence text of a few cases is checked
 *    against their resources.
 * 3. Results are byte-identical for 1, 2 and 3 threads and any chunk size.
 * 4. The NDJSON folder source gives the same patients whether the files are
 *    grouped by patient (streaming) or shuffled (offset index).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/fastjson.h"
#include "measures/population.h"

static int failures;
static const char *g_ecqm, *g_gaps;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

typedef struct row {
    char case_id[64];
    int group;
    int counts[MPOP__COUNT];
} row_t;

static int read_rows(const char *path, row_t **rows, int *n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[2048];
    int cap = 0;
    *rows = NULL;
    *n = 0;
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (header || !line[0]) {
            header = false;
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *rows = mem_realloc(*rows, (size_t)cap * sizeof **rows);
        }
        row_t *r = &(*rows)[(*n)++];
        memset(r, 0, sizeof *r);
        char *fields[16];
        int nf = 0;
        char *p = line;
        while (nf < 16) {
            fields[nf++] = p;
            char *t = strchr(p, '\t');
            if (!t)
                break;
            *t = 0;
            p = t + 1;
        }
        str_copy(r->case_id, fields[0], sizeof r->case_id);
        r->group = nf > 1 ? (int)strtol(fields[1], NULL, 10) : 1;
        for (int k = 0; k < MPOP__COUNT; k++)
            r->counts[k] =
                3 + k < nf && fields[3 + k][0] ? (int)strtol(fields[3 + k], NULL, 10) : 0;
    }
    fclose(f);
    return 0;
}

/* A sink that records everything as text (results and gaps, one line each). */
typedef struct rec {
    buf_t text;
    char **gap_keys; /* "person|group|text" */
    int ngaps, cap;
} rec_t;

static int rec_patient(void *self, const mpop_opts_t *o, const mpop_patient_result_t *r, err_t *e)
{
    (void)e;
    rec_t *rc = self;
    buf_printf(&rc->text, "%zu %s", r->index, r->person_id);
    for (int k = 0; k < o->nmeasures; k++)
        for (int g = 0; g < r->results[k].ngroups; g++)
            for (int p = 0; p < MPOP__COUNT; p++)
                buf_printf(&rc->text, " %d", r->results[k].counts[g][p]);
    for (int i = 0; i < r->ngaps; i++) {
        buf_printf(&rc->text, " | %s g%d %s / %s / %s / %s", r->gaps[i].cms, r->gaps[i].group,
                   r->gaps[i].text, r->gaps[i].action, r->gaps[i].due, r->gaps[i].priority);
        if (rc->ngaps == rc->cap) {
            rc->cap = rc->cap ? rc->cap * 2 : 64;
            rc->gap_keys = mem_realloc(rc->gap_keys, (size_t)rc->cap * sizeof *rc->gap_keys);
        }
        char key[1024];
        snprintf(key, sizeof key, "%s|%d|%s", r->person_id, r->gaps[i].group + 1, r->gaps[i].text);
        rc->gap_keys[rc->ngaps++] = mem_strdup(key);
    }
    buf_putc(&rc->text, '\n');
    return 0;
}

static void rec_free(rec_t *r)
{
    for (int i = 0; i < r->ngaps; i++)
        mem_free(r->gap_keys[i]);
    mem_free(r->gap_keys);
    buf_free(&r->text);
    memset(r, 0, sizeof *r);
}

static const char *rec_gap(const rec_t *r, const char *person, int group)
{
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s|%d|", person, group);
    for (int i = 0; i < r->ngaps; i++)
        if (str_starts_with(r->gap_keys[i], prefix))
            return r->gap_keys[i] + strlen(prefix);
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool run_pop(measure_set_t *ms, measure_t **m, int nm, const gap_table_t *gt,
                    const fhir_patients_t *ps, int threads, int chunk, rec_t *rec,
                    mpop_summary_t **S)
{
    mpop_source_t *src = NULL;
    err_t e;
    err_clear(&e);
    mpop_source_patients(ps, &src, &e);
    mpop_opts_t o = { .ms = ms,
                      .measures = m,
                      .nmeasures = nm,
                      .gaps = gt,
                      .period_start = "2025-01-01",
                      .period_end = "2025-12-31",
                      .threads = threads,
                      .chunk = chunk };
    mpop_sink_t sink = { rec, rec_patient };
    int rc = mpop_run(&o, src, &sink, S, &e);
    src->close(src);
    if (rc) {
        char msg[800];
        err_format(&e, msg, sizeof msg);
        CHECK(0, "mpop_run: %s", msg);
    }
    return rc == 0;
}

/* 1 + 2: every measure's cases as a population. */
static void test_official(measure_set_t *ms, gap_table_t *gt, const char *tdir)
{
    DIR *d = opendir(tdir);
    CHECK(d != NULL, "cannot open %s", tdir);
    if (!d)
        return;
    char *names[64];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < 64)
        if (de->d_name[0] != '.')
            names[nn++] = mem_strdup(de->d_name);
    closedir(d);
    qsort(names, (size_t)nn, sizeof *names, cmp_str);
    int total_cases = 0, total_gaps = 0;
    for (int mi = 0; mi < nn; mi++) {
        measure_t *m = measure_find(ms, names[mi]);
        char path[8192];
        snprintf(path, sizeof path, "%s/%s/cases.tsv", tdir, names[mi]);
        row_t *rows = NULL;
        int nrows = 0;
        if (!m || read_rows(path, &rows, &nrows)) {
            CHECK(0, "%s: no measure or cases", names[mi]);
            mem_free(names[mi]);
            continue;
        }
        fhir_patients_t ps = { 0 };
        char **case_of = mem_calloc((size_t)nrows + 1, sizeof *case_of); /* per patient */
        for (int i = 0; i < nrows; i++) {
            if (i > 0 && !strcmp(rows[i].case_id, rows[i - 1].case_id))
                continue;
            snprintf(path, sizeof path, "%s/%s/%s", tdir, names[mi], rows[i].case_id);
            err_t e;
            err_clear(&e);
            size_t before = ps.n;
            CHECK(fhir_patients_read(path, &ps, &e) == 0 && ps.n == before + 1, "read %s", path);
            case_of[before] = rows[i].case_id;
            total_cases++;
        }
        err_t e;
        err_clear(&e);
        CHECK(gap_table_bind(gt, ms, &m, 1, &e) == 0, "bind %s: %s", names[mi], e.msg);
        rec_t rec = { 0 };
        mpop_summary_t *S = NULL;
        if (run_pop(ms, &m, 1, gt, &ps, 2, 5, &rec, &S)) {
            /* 1. summary = sum of cases.tsv */
            for (int g = 0; g < measure_ngroups(m); g++)
                for (int p = 0; p < MPOP__COUNT; p++) {
                    int64_t want = 0;
                    for (int i = 0; i < nrows; i++)
                        if (rows[i].group == g + 1)
                            want += rows[i].counts[p];
                    CHECK(S->groups[0][g].counts[p] == want, "%s group %d %s: %lld, want %lld",
                          names[mi], g + 1, measure_pop_code((measure_pop_t)p),
                          (long long)S->groups[0][g].counts[p], (long long)want);
                }
            CHECK(S->patients == (int64_t)ps.n, "%s: patients", names[mi]);
            /* 2. a gap exactly where the expected counts make one */
            for (int i = 0; i < nrows; i++) {
                const gap_rule_t *rule = gap_table_rule(gt, m, rows[i].group - 1);
                bool want = gap_is_open(rule, rows[i].counts);
                const char *pid = NULL;
                for (size_t k = 0; k < ps.n; k++)
                    if (case_of[k] && !strcmp(case_of[k], rows[i].case_id))
                        pid = ps.p[k].id;
                bool got = pid && rec_gap(&rec, pid, rows[i].group) != NULL;
                CHECK(want == got, "%s case %s group %d: gap %d, want %d", names[mi],
                      rows[i].case_id, rows[i].group, got, want);
                total_gaps += want;
            }
        }
        /* evidence of a few cases, read off their resources */
        if (!strcmp(names[mi], "ControllingHighBloodPressureFHIR")) {
            /* Observation: 2025-01-01, systolic 140, diastolic 89 (NUMERFail SBP140DBP89) */
            const char *t = rec_gap(&rec, "bff7264b-35fc-402b-8a15-22c78e227064", 1);
            CHECK(t && !strcmp(t, "last BP 140/89 on 2025-01-01"), "CMS165 evidence: %s",
                  t ? t : "(none)");
        }
        if (!strcmp(names[mi], "DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR")) {
            /* an HbA1c (LOINC 17855-8) on 2025-01-01 without a value */
            const char *t = rec_gap(&rec, "ab29ab81-b4fc-4817-bd9c-98d8d4b4a3a3", 1);
            CHECK(t && !strcmp(t, "most recent HbA1c/GMI (no result) on 2025-01-01 (above 9% or "
                                  "without a result)"),
                  "CMS122 evidence: %s", t ? t : "(none)");
            /* no glycemic assessment at all */
            t = rec_gap(&rec, "090ad2fc-274b-4fef-bc5a-2077dbdc28f5", 1);
            CHECK(t && !strcmp(t, "no HbA1c result in 2025"), "CMS122 none: %s", t ? t : "(none)");
        }
        if (!strcmp(names[mi], "BreastCancerScreeningFHIR")) {
            /* 3. thread and chunk independence on one measure's cases */
            rec_t r1 = { 0 }, r3 = { 0 };
            mpop_summary_t *S1 = NULL, *S3 = NULL;
            run_pop(ms, &m, 1, gt, &ps, 1, 64, &r1, &S1);
            run_pop(ms, &m, 1, gt, &ps, 3, 1, &r3, &S3);
            CHECK(r1.text.len && r1.text.len == rec.text.len &&
                      !memcmp(r1.text.data, rec.text.data, r1.text.len),
                  "1 thread differs from 2");
            CHECK(r3.text.len == rec.text.len && !memcmp(r3.text.data, rec.text.data, r3.text.len),
                  "3 threads differ from 2");
            rec_free(&r1);
            rec_free(&r3);
            mpop_summary_free(S1);
            mpop_summary_free(S3);
        }
        mpop_summary_free(S);
        rec_free(&rec);
        fhir_patients_free(&ps);
        mem_free(case_of);
        mem_free(rows);
        mem_free(names[mi]);
    }
    printf("official cases as populations: %d cases, %d expected gaps\n", total_cases, total_gaps);
    CHECK(total_cases > 400, "only %d cases", total_cases);
}

/* 3 + 4: every measure over a small hand-made population held in NDJSON
 * files, grouped and shuffled, with 1 and 2 threads. */
static const char *const patients_nd[] = {
    "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"gender\":\"female\",\"birthDate\":"
    "\"1955-03-01\"}",
    "{\"resourceType\":\"Patient\",\"id\":\"p2\",\"gender\":\"male\",\"birthDate\":"
    "\"1950-07-12\"}",
    "{\"resourceType\":\"Patient\",\"id\":\"p3\",\"gender\":\"female\",\"birthDate\":"
    "\"1948-01-20\"}",
};
static const char *const enc_nd[] = {
    "{\"resourceType\":\"Encounter\",\"id\":\"e1\",\"status\":\"finished\",\"class\":{\"system\":"
    "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"AMB\"},\"type\":[{\"coding\":"
    "[{\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"99214\"}]}],\"subject\":{"
    "\"reference\":\"Patient/p1\"},\"period\":{\"start\":\"2025-03-02T10:00:00Z\",\"end\":"
    "\"2025-03-02T10:30:00Z\"}}",
    "{\"resourceType\":\"Encounter\",\"id\":\"e2\",\"status\":\"finished\",\"class\":{\"system\":"
    "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"AMB\"},\"type\":[{\"coding\":"
    "[{\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"99213\"}]}],\"subject\":{"
    "\"reference\":\"Patient/p2\"},\"period\":{\"start\":\"2025-05-02T10:00:00Z\",\"end\":"
    "\"2025-05-02T10:30:00Z\"}}",
    "{\"resourceType\":\"Encounter\",\"id\":\"e3\",\"status\":\"finished\",\"class\":{\"system\":"
    "\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"AMB\"},\"type\":[{\"coding\":"
    "[{\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"99214\"}]}],\"subject\":{"
    "\"reference\":\"Patient/p3\"},\"period\":{\"start\":\"2025-06-02T10:00:00Z\",\"end\":"
    "\"2025-06-02T10:30:00Z\"}}",
};
static const char *const cond_nd[] = {
    "{\"resourceType\":\"Condition\",\"id\":\"c1\",\"clinicalStatus\":{\"coding\":[{\"system\":"
    "\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"active\"}]},"
    "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/"
    "condition-category\",\"code\":\"problem-list-item\"}]}],\"code\":{\"coding\":[{\"system\":"
    "\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"I10\"}]},\"subject\":{\"reference\":"
    "\"Patient/p1\"},\"onsetDateTime\":\"2020-01-01\"}",
    "{\"resourceType\":\"Condition\",\"id\":\"c2\",\"clinicalStatus\":{\"coding\":[{\"system\":"
    "\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"active\"}]},"
    "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/"
    "condition-category\",\"code\":\"problem-list-item\"}]}],\"code\":{\"coding\":[{\"system\":"
    "\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"E11.9\"}]},\"subject\":{\"reference\":"
    "\"Patient/p2\"},\"onsetDateTime\":\"2019-01-01\"}",
    "{\"resourceType\":\"Condition\",\"id\":\"c3\",\"clinicalStatus\":{\"coding\":[{\"system\":"
    "\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"active\"}]},"
    "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/"
    "condition-category\",\"code\":\"problem-list-item\"}]}],\"code\":{\"coding\":[{\"system\":"
    "\"http://hl7.org/fhir/sid/icd-10-cm\",\"code\":\"I10\"}]},\"subject\":{\"reference\":"
    "\"Patient/p3\"},\"onsetDateTime\":\"2018-01-01\"}",
};
static const char *const obs_nd[] = {
    /* p1: BP 152/94 on 2025-03-02 (uncontrolled) */
    "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\",\"category\":[{"
    "\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/observation-category\","
    "\"code\":\"vital-signs\"}]}],\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":"
    "\"85354-9\"}]},\"subject\":{\"reference\":\"Patient/p1\"},\"encounter\":{\"reference\":"
    "\"Encounter/e1\"},\"effectiveDateTime\":\"2025-03-02T10:10:00Z\",\"component\":[{\"code\":{"
    "\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8480-6\"}]},\"valueQuantity\":{"
    "\"value\":152,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\",\"code\":"
    "\"mm[Hg]\"}},{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8462-4\"}]},"
    "\"valueQuantity\":{\"value\":94,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\","
    "\"code\":\"mm[Hg]\"}}]}",
    /* p2: HbA1c 9.6 % on 2025-05-02 (poor control) */
    "{\"resourceType\":\"Observation\",\"id\":\"o2\",\"status\":\"final\",\"category\":[{"
    "\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/observation-category\","
    "\"code\":\"laboratory\"}]}],\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":"
    "\"4548-4\"}]},\"subject\":{\"reference\":\"Patient/p2\"},\"effectiveDateTime\":"
    "\"2025-05-02T10:10:00Z\",\"valueQuantity\":{\"value\":9.6,\"unit\":\"%\",\"system\":"
    "\"http://unitsofmeasure.org\",\"code\":\"%\"}}",
    /* p3: BP 128/78 (controlled) */
    "{\"resourceType\":\"Observation\",\"id\":\"o3\",\"status\":\"final\",\"category\":[{"
    "\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/observation-category\","
    "\"code\":\"vital-signs\"}]}],\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":"
    "\"85354-9\"}]},\"subject\":{\"reference\":\"Patient/p3\"},\"encounter\":{"
    "\"reference\":\"Encounter/e3\"},\"effectiveDateTime\":"
    "\"2025-06-02T10:10:00Z\",\"component\":[{\"code\":{\"coding\":[{\"system\":"
    "\"http://loinc.org\",\"code\":\"8480-6\"}]},\"valueQuantity\":{\"value\":128,\"unit\":"
    "\"mmHg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mm[Hg]\"}},{\"code\":{"
    "\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8462-4\"}]},\"valueQuantity\":{"
    "\"value\":78,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\",\"code\":"
    "\"mm[Hg]\"}}]}",
};

static void write_file(const char *dir, const char *name, const char *const *lines, int n,
                       const int *order)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL, "cannot write %s", path);
    if (!f)
        return;
    for (int i = 0; i < n; i++)
        fprintf(f, "%s\n", lines[order ? order[i] : i]);
    fclose(f);
}

static void remove_dir(const char *dir)
{
    const char *files[] = { "Patient.ndjson", "Encounter.ndjson", "Condition.ndjson",
                            "Observation.ndjson", "Practitioner.ndjson" };
    char path[4200];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void run_dir(measure_set_t *ms, gap_table_t *gt, const char *dir, int threads, rec_t *rec,
                    bool *grouped)
{
    mpop_source_t *src = NULL;
    err_t e;
    err_clear(&e);
    CHECK(mpop_source_ndjson_dir(dir, &src, &e) == 0, "ndjson source: %s", e.msg);
    if (!src)
        return;
    size_t lines = 0, skipped = 0;
    mpop_source_ndjson_stats(src, &lines, &skipped, grouped);
    CHECK(lines == 12 && skipped == 1, "lines %zu skipped %zu", lines, skipped);
    CHECK(src->count(src) == 3, "patients %zu", src->count(src));
    int nm = measure_count(ms);
    measure_t *all[64];
    for (int k = 0; k < nm && k < 64; k++)
        all[k] = measure_at(ms, k);
    CHECK(gap_table_bind(gt, ms, all, nm, &e) == 0, "bind: %s", e.msg);
    mpop_opts_t o = { .ms = ms,
                      .measures = all,
                      .nmeasures = nm,
                      .gaps = gt,
                      .period_start = "2025-01-01",
                      .period_end = "2025-12-31",
                      .as_of = "2025-12-31",
                      .threads = threads,
                      .chunk = 1 };
    mpop_sink_t sink = { rec, rec_patient };
    mpop_summary_t *S = NULL;
    CHECK(mpop_run(&o, src, &sink, &S, &e) == 0, "run: %s", e.msg);
    mpop_summary_free(S);
    src->close(src);
}

static void test_ndjson(measure_set_t *ms, gap_table_t *gt)
{
    char dir[] = "/tmp/tripod-test-mpop-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    static const char *const prac[] = { "{\"resourceType\":\"Practitioner\",\"id\":\"d1\"}" };
    write_file(dir, "Patient.ndjson", patients_nd, 3, NULL);
    write_file(dir, "Encounter.ndjson", enc_nd, 3, NULL);
    write_file(dir, "Condition.ndjson", cond_nd, 3, NULL);
    write_file(dir, "Observation.ndjson", obs_nd, 3, NULL);
    write_file(dir, "Practitioner.ndjson", prac, 1, NULL);
    rec_t a = { 0 }, b = { 0 }, c = { 0 };
    bool ga = false, gb = true;
    run_dir(ms, gt, dir, 1, &a, &ga);
    CHECK(ga, "generated-style files are grouped");
    /* the BP gap of p1 and the HbA1c gap of p2, with their evidence */
    const char *t = rec_gap(&a, "p1", 1);
    CHECK(a.text.data && strstr(a.text.data, "CMS165 g0 last BP 152/94 on 2025-03-02 / "),
          "p1 BP gap: %s", t ? t : "(none)");
    CHECK(a.text.data && strstr(a.text.data, "CMS122 g0 most recent HbA1c/GMI 9.6% on 2025-05-02"),
          "p2 HbA1c gap missing");
    CHECK(a.text.data && strstr(a.text.data, "/ 2026-01-30 / high"), "due as-of+30");
    /* p3 (128/78) is controlled: no CMS165 gap */
    const char *p3 = a.text.data ? strstr(a.text.data, "\n2 p3") : NULL;
    CHECK(p3 && !strstr(p3, "CMS165"), "p3 should have no BP gap: %s", p3 ? p3 : "");
    /* shuffled: the Observation file in reverse order, encounters rotated */
    static const int rev[] = { 2, 1, 0 }, rot[] = { 1, 2, 0 };
    write_file(dir, "Observation.ndjson", obs_nd, 3, rev);
    write_file(dir, "Encounter.ndjson", enc_nd, 3, rot);
    run_dir(ms, gt, dir, 2, &b, &gb);
    CHECK(!gb, "shuffled files are not grouped");
    CHECK(a.text.len == b.text.len && !memcmp(a.text.data, b.text.data, a.text.len),
          "shuffled files give different results:\n%s\n---\n%s", buf_cstr(&a.text),
          buf_cstr(&b.text));
    run_dir(ms, gt, dir, 3, &c, &gb);
    CHECK(a.text.len == c.text.len && !memcmp(a.text.data, c.text.data, a.text.len),
          "3 threads differ");
    rec_free(&a);
    rec_free(&b);
    rec_free(&c);
    /* the batch mode of `tripod analyze`: the three files */
    char out[4200], path[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    measures_analyze_opts_t ao = { .input_dir = dir,
                                   .out_dir = out,
                                   .measures_dir = g_ecqm,
                                   .gap_table = g_gaps,
                                   .as_of = "2025-12-31" };
    err_t e;
    err_clear(&e);
    CHECK(measures_analyze(&ao, &e) == 0, "measures_analyze: %s", e.msg);
    static const char *const outs[] = { "measure_results.csv", "measure_summary.json",
                                        "care_gaps.csv" };
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", out, outs[i]);
        FILE *f = fopen(path, "r");
        CHECK(f != NULL, "missing %s", outs[i]);
        char buf[65536];
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[n] = 0;
        if (f)
            fclose(f);
        if (i == 0)
            CHECK(strstr(buf, "\np1,CMS165,1,1,1,0,0,,\n") != NULL, "results row: %s", buf);
        if (i == 1) {
            json_error_t je;
            json_t *j = json_loads(buf, 0, &je);
            CHECK(j && json_integer_value(json_object_get(j, "patients")) == 3, "summary");
            json_decref(j);
        }
        if (i == 2)
            CHECK(strstr(buf, "p1,CMS165,ControllingHighBloodPressureFHIR,1,last BP 152/94 on "
                              "2025-03-02,") != NULL,
                  "gaps csv: %s", buf);
        unlink(path);
    }
    rmdir(out);
    remove_dir(dir);
}

/* fastjson gives what json_loadb gives, errors included. */
static void test_fastjson(void)
{
    static const char *const cases[] = {
        "{\"a\":1,\"b\":-2.5e3,\"c\":[true,false,null],\"d\":{}}",
        "{\"s\":\"tab\\t nl\\n quote\\\" slash\\/ u\\u00e9 pair\\ud83d\\ude00\"}",
        "{\"k\\u0041\":\"v\"}",
        "[1, 2 , 3]",
        " { \"ws\" : [ ] } ",
        "{\"big\":123456789012345678901234567890}",
        "{\"lead\":01}",
        "{\"dup\":1,\"dup\":2}",
        "{\"nul\":\"a\\u0000b\"}",
        "{\"lone\":\"\\udc00\"}",
        "{\"bad\":\"\\x\"}",
        "{\"trail\":1,}",
        "{\"a\":1} x",
        "\"scalar\"",
        "{\"utf8\":\"\xc3\xa9\"}",
        "{\"badutf8\":\"\xc3\"}",
        "{\"r\":1.0,\"i\":-0,\"e\":1E2}",
        "{\"\xc3\":1}",
        "{\"k\xc3\xa9\":1}",
        "{\"a\":1,\"\\u0061\":2}",
        "{\"a\":{\"b\":[{\"c\":\"d\"}]},\"b\":[]}",
        "",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t e1, e2;
        size_t n = strlen(cases[i]);
        json_t *a = fastjson_parse(cases[i], n, &e1);
        json_t *b = json_loadb(cases[i], n, 0, &e2);
        CHECK((!a && !b) || (a && b && json_equal(a, b)), "fastjson case %zu: %s", i, cases[i]);
        if (a && b) { /* integer and real stay apart (json_equal compares types) */
            json_t *r = json_object_get(a, "r");
            CHECK(!r || json_is_real(r), "1.0 is a real");
        }
        if (!a && !b)
            CHECK(e1.line == e2.line && e1.column == e2.column, "fastjson error place, case %zu",
                  i);
        json_decref(a);
        json_decref(b);
        /* The strict form is json_loadb with JSON_REJECT_DUPLICATES. */
        a = fastjson_parse_strict(cases[i], n, &e1);
        b = json_loadb(cases[i], n, JSON_REJECT_DUPLICATES, &e2);
        CHECK((!a && !b) || (a && b && json_equal(a, b)), "fastjson strict case %zu", i);
        if (!a && !b)
            CHECK(e1.line == e2.line && e1.column == e2.column && strcmp(e1.text, e2.text) == 0,
                  "fastjson strict error, case %zu", i);
        json_decref(a);
        json_decref(b);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: test_population ECQM_DIR TESTS_DIR GAPS_TSV\n");
        return 2;
    }
    g_ecqm = argv[1];
    g_gaps = argv[3];
    err_t e;
    err_clear(&e);
    measure_set_t *ms = NULL;
    gap_table_t *gt = NULL;
    if (measure_set_load(argv[1], &ms, &e) || gap_table_load(g_gaps, &gt, &e)) {
        char msg[800];
        err_format(&e, msg, sizeof msg);
        fprintf(stderr, "test_population: %s\n", msg);
        return 1;
    }
    for (int k = 0; k < measure_count(ms); k++)
        CHECK(measure_prepare(ms, measure_at(ms, k), &e) == 0, "prepare: %s", e.msg);
    test_fastjson();
    test_official(ms, gt, argv[2]);
    test_ndjson(ms, gt);
    gap_table_free(gt);
    measure_set_free(ms);
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    else
        printf("test_population: ok\n");
    return failures ? 1 : 0;
}
