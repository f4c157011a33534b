/* test_synth.c — the synthetic population: its code tables against the
 * reference data, its prevalences and rates against the stated tolerances
 * (docs/synthetic-population.md), and a small written population: headers,
 * NPIs, identifiers across claims, FHIR and HL7, cost per member per month.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/codes.h"
#include "core/mem.h"
#include "refdata/refdata.h"
#include "synth/synth_internal.h"
#include "../testdata.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = mem_alloc((size_t)len + 1);
    size_t got = fread(p, 1, (size_t)len, f);
    p[got] = 0;
    fclose(f);
    if (n)
        *n = got;
    return p;
}

static char *ref_file(const char *rel, size_t *n)
{
    char path[1024];
    err_t e;
    err_clear(&e);
    if (refdata_path(rel, path, sizeof path, &e))
        fail_msg("%s: %s", e.file, e.msg);
    char *p = slurp(path, n);
    if (!p)
        fail_msg("cannot read reference file %s", path);
    return p;
}

/* A sample of tests/data/ (testdata.h). */
static char *test_file(const char *rel, size_t *n)
{
    char path[1024];
    char *p = slurp(testdata_path(rel, path, sizeof path), n);
    if (!p)
        fail_msg("cannot read test file %s (set TRIPOD_TESTDATA)", path);
    return p;
}

static void undot(const char *in, char *out, size_t cap)
{
    size_t k = 0;
    for (; *in && k + 1 < cap; in++)
        if (*in != '.')
            out[k++] = *in;
    out[k] = 0;
}

/* Is code in the value set file (expansion.contains[] or compose.include[].concept[])? */
static int vs_has(const char *file, const char *code)
{
    char rel[256];
    snprintf(rel, sizeof rel, "ecqm/valueset/%s", file);
    char path[1024];
    err_t e;
    err_clear(&e);
    if (refdata_path(rel, path, sizeof path, &e))
        fail_msg("%s: %s", e.file, e.msg);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        fail_msg("cannot load value set %s: %s", path, je.text);
    int found = 0;
    char want[64], got[64];
    undot(code, want, sizeof want);
    json_t *contains = json_object_get(json_object_get(root, "expansion"), "contains");
    size_t i;
    json_t *c;
    json_array_foreach(contains, i, c)
    {
        const char *v = json_string_value(json_object_get(c, "code"));
        undot(v ? v : "", got, sizeof got);
        if (strcmp(want, got) == 0)
            found = 1;
    }
    json_t *inc = json_object_get(json_object_get(root, "compose"), "include");
    json_t *x;
    json_array_foreach(inc, i, x)
    {
        size_t j;
        json_t *cc;
        json_array_foreach(json_object_get(x, "concept"), j, cc)
        {
            const char *v = json_string_value(json_object_get(cc, "code"));
            undot(v ? v : "", got, sizeof got);
            if (strcmp(want, got) == 0)
                found = 1;
        }
    }
    json_decref(root);
    return found;
}

/* "code,cc,model" rows of ra_dx_to_cc_2026.csv: is code mapped in model? */
static int hcc_mapped(const char *table, const char *code, const char *model)
{
    char pat[96];
    int n = snprintf(pat, sizeof pat, "\n%s,", code);
    for (const char *s = strstr(table, pat); s; s = strstr(s + 1, pat)) {
        const char *eol = strchr(s + 1, '\n');
        const char *m = strstr(s + (size_t)n, model);
        if (m && (!eol || m < eol))
            return 1;
    }
    return 0;
}

/* ---- the code tables ---- */
static void test_codes_in_valuesets(void **state)
{
    (void)state;
    for (int c = 0; c < C_N; c++) {
        const sy_cond_def_t *cd = &sy_conds[c];
        if (!cd->valueset)
            continue;
        for (int k = 0; k < cd->ndx; k++)
            if (!vs_has(cd->valueset, cd->dx[k].code))
                fail_msg("%s code %s is not in %s", cd->key, cd->dx[k].code, cd->valueset);
    }
    for (int k = 0; k < K_N; k++)
        if (sy_codes[k].valueset && !vs_has(sy_codes[k].valueset, sy_codes[k].code))
            fail_msg("code %s (%s) is not in %s", sy_codes[k].code, sy_codes[k].display,
                     sy_codes[k].valueset);
    for (int m = 0; m < sy_nmeds; m++)
        if (sy_meds[m].valueset && !vs_has(sy_meds[m].valueset, sy_meds[m].rxnorm))
            fail_msg("RxNorm %s is not in %s", sy_meds[m].rxnorm, sy_meds[m].valueset);

    /* The codes CMS139 and CMS138 look for name exactly the value set of the measure's CQL
     * (so the loop above checks them against it). */
    static const struct {
        int k;
        const char *oid;
    } need[] = {
        { K_LOINC_FALLS_SCREEN, "2.16.840.1.113883.3.464.1003.118.12.1028" }, /* Falls Screening */
        { K_LOINC_TOBACCO, "2.16.840.1.113883.3.526.3.1278" },     /* Tobacco Use Screening */
        { K_SCT_SMOKER, "2.16.840.1.113883.3.526.3.1170" },        /* Tobacco User */
        { K_SCT_EX_SMOKER, "2.16.840.1.113883.3.526.3.1189" },     /* Tobacco Non User */
        { K_SCT_NEVER_SMOKER, "2.16.840.1.113883.3.526.3.1189" },  /* Tobacco Non User */
        { K_CPT_TOB_COUNSEL, "2.16.840.1.113883.3.526.3.509" },    /* Cessation Counseling */
        { K_RX_NICOTINE_PATCH, "2.16.840.1.113883.3.526.3.1190" }, /* Cessation Pharmacotherapy */
        { K_RX_VARENICLINE, "2.16.840.1.113883.3.526.3.1190" },
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        char file[96];
        snprintf(file, sizeof file, "valueset-%s.json", need[i].oid);
        const sy_code_t *c = &sy_codes[need[i].k];
        if (!c->valueset || strcmp(c->valueset, file) != 0)
            fail_msg("code %s must name value set %s", c->code, file);
        assert_true(vs_has(file, c->code));
    }
    /* CMS156: drugs of the high-risk medication value sets, each in its value set */
    static const char *const hrm[] = {
        "2.16.840.1.113883.3.464.1003.1059",        /* Potentially Harmful Sulfonylureas */
        "2.16.840.1.113883.3.464.1003.196.12.1480", /* Nonbenzodiazepine Hypnotics */
        "2.16.840.1.113883.3.464.1003.196.12.1522", /* Benzodiazepines */
    };
    for (size_t i = 0; i < sizeof hrm / sizeof hrm[0]; i++) {
        char file[96];
        snprintf(file, sizeof file, "valueset-%s.json", hrm[i]);
        int found = 0;
        for (int m = 0; m < sy_nmeds; m++)
            if (sy_meds[m].valueset && strcmp(sy_meds[m].valueset, file) == 0) {
                assert_non_null(sy_meds[m].rxnorm);
                assert_true(vs_has(file, sy_meds[m].rxnorm));
                found++;
            }
        if (!found)
            fail_msg("no drug of the CMS156 value set %s", file);
    }
}

static void test_hcc_flags(void **state)
{
    (void)state;
    char *t = ref_file("hcc/ra_dx_to_cc_2026.csv", NULL);
    for (int c = 0; c < C_N; c++) {
        const sy_cond_def_t *cd = &sy_conds[c];
        for (int k = 0; k < cd->ndx; k++) {
            const sy_dx_t *d = &cd->dx[k];
            int v24 = hcc_mapped(t, d->code, "CMS-HCC Model V24");
            int v28 = hcc_mapped(t, d->code, "CMS-HCC Model V28");
            if (v24 != !!(d->hcc & DX_V24) || v28 != !!(d->hcc & DX_V28))
                fail_msg("%s: %s maps V24=%d V28=%d, the table says %u", cd->key, d->code, v24, v28,
                         d->hcc);
        }
    }
    /* every HCC condition has at least one payment-HCC code */
    static const int hcc_conds[] = { C_DM, C_CKD,       C_CHF,     C_COPD,     C_AFIB,       C_DEM,
                                     C_RA, C_CA_BREAST, C_CA_LUNG, C_CA_COLON, C_CA_PROSTATE };
    for (size_t i = 0; i < sizeof hcc_conds / sizeof hcc_conds[0]; i++) {
        const sy_cond_def_t *cd = &sy_conds[hcc_conds[i]];
        int any = 0;
        for (int k = 0; k < cd->ndx; k++)
            any |= (cd->dx[k].hcc & DX_V28) != 0;
        if (!any)
            fail_msg("%s has no V28 payment HCC code", cd->key);
    }
    mem_free(t);
}

static void test_ed_dx_in_nyu(void **state)
{
    (void)state;
    char *t = ref_file("ed/nyu_ed_johnston_icd10.csv", NULL);
    for (int i = 0; i < sy_neddx; i++) {
        char pat[32];
        snprintf(pat, sizeof pat, "\n%s,", sy_eddx[i].code);
        if (!strstr(t, pat))
            fail_msg("ED diagnosis %s is not in the NYU ED table", sy_eddx[i].code);
    }
    mem_free(t);
}

static void test_code_formats(void **state)
{
    (void)state;
    char out[CODE_MAX];
    for (int c = 0; c < C_N; c++)
        for (int k = 0; k < sy_conds[c].ndx; k++) {
            const char *s = sy_conds[c].dx[k].code;
            assert_int_equal(code_norm_icd10cm(s, strlen(s), out, sizeof out), 0);
            assert_string_equal(out, s);
        }
    for (int k = 0; k < N_N; k++)
        assert_int_equal(
            code_norm_icd10cm(sy_need_dx[k].code, strlen(sy_need_dx[k].code), out, sizeof out), 0);
    for (int i = 0; i < sy_ndrgs; i++) {
        assert_int_equal(code_norm_icd10cm(sy_drgs[i].dx, strlen(sy_drgs[i].dx), out, sizeof out),
                         0);
        if (sy_drgs[i].pcs)
            assert_int_equal(
                code_norm_icd10pcs(sy_drgs[i].pcs, strlen(sy_drgs[i].pcs), out, sizeof out), 0);
    }
    for (int m = 0; m < sy_nmeds; m++) {
        assert_int_equal(strlen(sy_meds[m].ndc), 11);
        assert_int_equal(code_norm_ndc(sy_meds[m].ndc, 11, out, sizeof out), 0);
        assert_string_equal(out, sy_meds[m].ndc);
    }
    for (int k = 0; k < K_N; k++) {
        const sy_code_t *c = &sy_codes[k];
        code_system_t sys = code_system_from_uri(c->system);
        if (sys == CODE_LOINC || sys == CODE_SNOMED)
            if (code_norm(sys, c->code, strlen(c->code), out, sizeof out) != 0)
                fail_msg("%s is not a valid %s code", c->code, code_system_name(sys));
    }
    for (int i = 0; i < sy_nfees; i++)
        if (code_norm_hcpcs(sy_fees[i].code, strlen(sy_fees[i].code), out, sizeof out) != 0)
            fail_msg("fee code %s is not a valid CPT/HCPCS code", sy_fees[i].code);
}

static void json_safe(const char *s)
{
    if (!s)
        return;
    for (const char *c = s; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            fail_msg("table string needs JSON escaping: %s", s);
}

/* The FHIR writer copies table strings into JSON as they are. */
static void test_table_strings_json_safe(void **state)
{
    (void)state;
    for (int c = 0; c < C_N; c++)
        for (int k = 0; k < sy_conds[c].ndx; k++)
            json_safe(sy_conds[c].dx[k].display);
    for (int k = 0; k < N_N; k++)
        json_safe(sy_need_dx[k].display);
    for (int i = 0; i < sy_ndrgs; i++) {
        json_safe(sy_drgs[i].dx_display);
        if (strpbrk(sy_drgs[i].dx_display, "|^~&\\"))
            fail_msg("HL7 delimiter in %s", sy_drgs[i].dx_display);
    }
    for (int i = 0; i < sy_neddx; i++) {
        json_safe(sy_eddx[i].display);
        if (strpbrk(sy_eddx[i].display, "|^~&\\"))
            fail_msg("HL7 delimiter in %s", sy_eddx[i].display);
    }
    for (int m = 0; m < sy_nmeds; m++)
        json_safe(sy_meds[m].display);
    for (int k = 0; k < K_N; k++)
        json_safe(sy_codes[k].display);
    for (int i = 0; i < SP_N; i++)
        json_safe(sy_specs[i].name);
    for (int i = 0; i < sy_nfirst_f; i++)
        json_safe(sy_first_f[i]);
    for (int i = 0; i < sy_nfirst_m; i++)
        json_safe(sy_first_m[i]);
    for (int i = 0; i < sy_nlast; i++)
        json_safe(sy_last[i]);
    for (int i = 0; i < sy_nstreet; i++)
        json_safe(sy_street[i]);
    for (int i = 0; i < sy_nplaces; i++)
        json_safe(sy_places[i].city);
}

static void test_headers_match_reference(void **state)
{
    (void)state;
    static const char *const files[3] = { "claims/tuva_input_layer_eligibility.csv",
                                          "claims/tuva_input_layer_medical_claim.csv",
                                          "claims/tuva_input_layer_pharmacy_claim.csv" };
    const char *mine[3] = { sy_hdr_elig, sy_hdr_med, sy_hdr_rx };
    for (int i = 0; i < 3; i++) {
        char *t = test_file(files[i], NULL);
        char *nl = strpbrk(t, "\r\n");
        if (nl)
            *nl = 0;
        assert_string_equal(mine[i], t);
        mem_free(t);
    }
}

/* ---- the population: prevalence and rates on 20,000 simulated patients ---- */
#define POP_N 20000

typedef struct tally {
    double n, has[C_N], aged, member_years, ed, ip, discharges, readmits, deaths, dual;
} tally_t;

static void tally_patient(const sy_pop_t *pop, const sy_patient_t *p, tally_t *t)
{
    t->n++;
    for (int c = 0; c < C_N; c++)
        t->has[c] += (p->has >> c) & 1u;
    t->aged += p->age >= 65;
    t->deaths += p->death != DATE_NONE;
    t->dual += p->dual != 0 && p->dual != 7;
    for (int i = 0; i < p->nspans; i++)
        t->member_years +=
            (date_month_index(p->spans[i].end) - date_month_index(p->spans[i].start) + 1) / 12.0;
    for (int i = 0; i < p->nev; i++) {
        const sy_event_t *e = &p->ev[i];
        if (e->start < pop->start || e->start > pop->end)
            continue;
        if (e->type == EV_ED)
            t->ed++;
        if (e->type != EV_IP)
            continue;
        t->ip++;
        if (e->end > pop->end || e->disp == 20)
            continue;
        t->discharges++;
        for (int j = i + 1; j < p->nev; j++)
            if (p->ev[j].type == EV_IP && p->ev[j].start > e->end &&
                p->ev[j].start - e->end <= 30) {
                t->readmits++;
                break;
            }
    }
}

static void check(const char *what, double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("%s = %.4f, expected %.4f +/- %.4f", what, got, want, tol);
}

static void test_population_rates(void **state)
{
    (void)state;
    synth_opts_t o;
    synth_opts_default(&o);
    o.patients = POP_N;
    o.seed = 20250101;
    sy_pop_t *pop = sy_pop_create(&o);
    sy_patient_t *p = mem_calloc(1, sizeof *p);
    p->ev = mem_alloc(SY_MAX_EVENTS * sizeof *p->ev);
    tally_t t;
    memset(&t, 0, sizeof t);
    double women = 0, men = 0, has_f[C_N] = { 0 }, has_m[C_N] = { 0 };
    for (uint64_t i = 0; i < POP_N; i++) {
        sy_simulate(pop, i, p);
        tally_patient(pop, p, &t);
        if (p->female) {
            women++;
            for (int c = 0; c < C_N; c++)
                has_f[c] += (p->has >> c) & 1u;
        } else {
            men++;
            for (int c = 0; c < C_N; c++)
                has_m[c] += (p->has >> c) & 1u;
        }
    }
    /* the tolerances of docs/synthetic-population.md */
    check("share 65+", t.aged / t.n, 0.85, 0.02);
    check("hypertension", t.has[C_HTN] / t.n, 0.60, 0.03);
    check("hyperlipidaemia", t.has[C_HLD] / t.n, 0.50, 0.03);
    check("diabetes", t.has[C_DM] / t.n, 0.27, 0.025);
    check("ckd", t.has[C_CKD] / t.n, 0.24, 0.025);
    check("depression", t.has[C_DEP] / t.n, 0.18, 0.02);
    check("heart failure", t.has[C_CHF] / t.n, 0.14, 0.02);
    check("copd", t.has[C_COPD] / t.n, 0.11, 0.02);
    check("atrial fibrillation", t.has[C_AFIB] / t.n, 0.12, 0.02);
    check("ischaemic heart disease", t.has[C_CAD] / t.n, 0.22, 0.025);
    check("dementia", t.has[C_DEM] / t.n, 0.10, 0.02);
    for (int c = 0; c < C_N; c++) {
        const sy_cond_def_t *cd = &sy_conds[c];
        double got = cd->sex == 'F'   ? has_f[c] / women
                     : cd->sex == 'M' ? has_m[c] / men
                                      : t.has[c] / t.n;
        double tol = cd->target * 0.25 > 0.015 ? cd->target * 0.25 : 0.015;
        check(cd->key, got, cd->target, tol);
    }
    /* co-occurrence: diabetes raises CKD and heart failure */
    sy_patient_t *q = p;
    double dm = 0, dm_ckd = 0, nodm = 0, nodm_ckd = 0;
    for (uint64_t i = 0; i < 4000; i++) {
        sy_simulate(pop, i, q);
        int d = (q->has >> C_DM) & 1u, k = (q->has >> C_CKD) & 1u;
        dm += d;
        dm_ckd += d && k;
        nodm += !d;
        nodm_ckd += !d && k;
    }
    if (dm_ckd / dm < 1.5 * (nodm_ckd / nodm))
        fail_msg("CKD among diabetics %.3f is not well above %.3f", dm_ckd / dm, nodm_ckd / nodm);
    check("ED visits per member-year", t.ed / t.member_years, 0.60, 0.06);
    check("admissions per member-year", t.ip / t.member_years, 0.25, 0.03);
    check("30-day readmission share", t.readmits / t.discharges, 0.15, 0.03);
    check("deaths", t.deaths / t.n, 0.04, 0.01);
    mem_free(p->ev);
    mem_free(p);
    sy_pop_destroy(pop);
}

/* ---- a small written population ---- */
#define OUT_N 2000

static int npi_valid(const char *s, size_t n)
{
    if (n != 10)
        return 0;
    int sum = 24; /* the 80840 prefix */
    for (int i = 9, dbl = 0; i >= 0; i--, dbl = !dbl) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        int v = s[i] - '0';
        if (dbl) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

/* Splits a CSV line without quotes (the generator writes none) into fields. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *s = line; *s && n < max; s++)
        if (*s == ',') {
            *s = 0;
            f[n++] = s + 1;
        }
    return n;
}

static int col(const char *hdr, const char *name)
{
    char *h = mem_strdup(hdr);
    char *f[256];
    int n = split(h, f, 256), r = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            r = i;
    mem_free(h);
    return r;
}

/* Splits a CSV record in place, unquoting quoted fields ("" -> "). */
static int csv_split(char *line, char **f, int max)
{
    int n = 0;
    char *s = line;
    while (n < max) {
        char *o = s;
        f[n++] = o;
        if (*s == '"') {
            for (s++;; s++) {
                if (*s == '"' && s[1] == '"') {
                    *o++ = '"';
                    s++;
                } else if (*s == '"' || !*s) {
                    if (*s)
                        s++;
                    break;
                } else {
                    *o++ = *s;
                }
            }
        } else {
            while (*s && *s != ',')
                *o++ = *s++;
        }
        char c = *s;
        *o = 0;
        if (c != ',')
            break;
        s++;
    }
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* "person|loinc|date|value|unit" of a lab result, value at 3 decimals or as the word. */
static char *lab_key(const char *person, const char *code, const char *date, const char *value,
                     const char *unit)
{
    char k[256];
    char *end;
    double v = strtod(value, &end);
    if (*value && !*end)
        snprintf(k, sizeof k, "%s|%s|%.10s|%.3f|%s", person, code, date, v, unit);
    else
        snprintf(k, sizeof k, "%s|%s|%.10s|%s|%s", person, code, date, value, unit);
    return mem_strdup(k);
}

/* lab_result.csv and practitioner.csv of a written population: exact headers,
 * the same results as the laboratory FHIR Observations, the panel with its
 * primary-care and network flags, every claim NPI in the panel. */
static void check_labs_and_practitioners(const char *dir, char **persons, int npersons)
{
    static const char lab_hdr[] =
        "lab_result_id,person_id,patient_id,encounter_id,accession_number,source_code_type,"
        "source_code,source_description,source_component,normalized_code_type,normalized_code,"
        "normalized_description,normalized_component,status,result,result_date,collection_date,"
        "source_units,normalized_units,source_reference_range_low,source_reference_range_high,"
        "normalized_reference_range_low,normalized_reference_range_high,source_abnormal_flag,"
        "normalized_abnormal_flag,specimen,ordering_practitioner_id,data_source,file_name,"
        "ingest_datetime\n";
    static const char prac_hdr[] =
        "practitioner_id,npi,first_name,last_name,practice_affiliation,specialty,sub_specialty,"
        "data_source,file_name,ingest_datetime,primary_care_flag,in_network_flag\n";
    char path[512];
    size_t n = 0;

    /* practitioner.csv */
    snprintf(path, sizeof path, "%s/practitioner.csv", dir);
    char *pr = slurp(path, &n);
    assert_non_null(pr);
    assert_true(strncmp(pr, prac_hdr, strlen(prac_hdr)) == 0);
    int p_npi = col(sy_hdr_prac, "npi"), p_id = col(sy_hdr_prac, "practitioner_id"),
        p_spec = col(sy_hdr_prac, "specialty"), p_pcp = col(sy_hdr_prac, "primary_care_flag"),
        p_in = col(sy_hdr_prac, "in_network_flag"), p_first = col(sy_hdr_prac, "first_name");
    uint64_t *npis = mem_alloc(n / 20 * sizeof *npis);
    int nnpi = 0, pcp_in = 0, pcp_out = 0, spec_in = 0, spec_out = 0, orgs = 0;
    char *save = NULL;
    char *line = strtok_r(pr, "\n", &save);
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[16];
        assert_int_equal(csv_split(line, f, 16), 12);
        if (!npi_valid(f[p_npi], strlen(f[p_npi])))
            fail_msg("practitioner.csv: invalid NPI %s", f[p_npi]);
        assert_string_equal(f[p_id], f[p_npi]);
        assert_true(strcmp(f[p_pcp], "0") == 0 || strcmp(f[p_pcp], "1") == 0);
        assert_true(strcmp(f[p_in], "0") == 0 || strcmp(f[p_in], "1") == 0);
        int pcp_spec = strcmp(f[p_spec], "Family Medicine") == 0 ||
                       strcmp(f[p_spec], "Internal Medicine") == 0;
        assert_int_equal(f[p_pcp][0] == '1', pcp_spec);
        int in = f[p_in][0] == '1';
        if (!*f[p_first])
            orgs++;
        else if (pcp_spec)
            *(in ? &pcp_in : &pcp_out) += 1;
        else
            *(in ? &spec_in : &spec_out) += 1;
        npis[nnpi++] = strtoull(f[p_npi], NULL, 10);
    }
    assert_true(pcp_in > 0 && pcp_out > 0 && spec_in > 0 && spec_out > 0 && orgs > 0);
    qsort(npis, (size_t)nnpi, sizeof *npis, cmp_u64);
    for (int i = 1; i < nnpi; i++)
        assert_true(npis[i] != npis[i - 1]);
    /* as many rows as FHIR Practitioner and Organization resources */
    int nres = 0;
    static const char *const panel[2] = { "Practitioner", "Organization" };
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/fhir/%s.ndjson", dir, panel[k]);
        char *t = slurp(path, NULL);
        assert_non_null(t);
        for (const char *c = t; *c; c++)
            nres += *c == '\n';
        mem_free(t);
    }
    assert_int_equal(nres, nnpi);
    /* every NPI of the medical claims is in the panel */
    snprintf(path, sizeof path, "%s/medical_claim.csv", dir);
    char *mc = slurp(path, NULL);
    assert_non_null(mc);
    int m_npi[3] = { col(sy_hdr_med, "rendering_npi"), col(sy_hdr_med, "billing_npi"),
                     col(sy_hdr_med, "facility_npi") };
    save = NULL;
    line = strtok_r(mc, "\n", &save);
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[200];
        split(line, f, 200);
        for (int k = 0; k < 3; k++) {
            if (!*f[m_npi[k]])
                continue;
            uint64_t v = strtoull(f[m_npi[k]], NULL, 10);
            if (!bsearch(&v, npis, (size_t)nnpi, sizeof v, cmp_u64))
                fail_msg("medical claim NPI %s not in practitioner.csv", f[m_npi[k]]);
        }
    }
    mem_free(mc);

    /* lab_result.csv: the laboratory Observations, result for result */
    snprintf(path, sizeof path, "%s/lab_result.csv", dir);
    char *lr = slurp(path, &n);
    assert_non_null(lr);
    assert_true(strncmp(lr, lab_hdr, strlen(lab_hdr)) == 0);
    const char *lh = sy_hdr_lab;
    int l_person = col(lh, "person_id"), l_patient = col(lh, "patient_id"),
        l_rdate = col(lh, "result_date"), l_cdate = col(lh, "collection_date"),
        l_code = col(lh, "normalized_code"), l_scode = col(lh, "source_code"),
        l_type = col(lh, "source_code_type"), l_ntype = col(lh, "normalized_code_type"),
        l_res = col(lh, "result"), l_unit = col(lh, "normalized_units"),
        l_sunit = col(lh, "source_units"), l_ord = col(lh, "ordering_practitioner_id"),
        l_id = col(lh, "lab_result_id");
    size_t cap = n / 100 + 16, nlab = 0, nobs = 0;
    char **labs = mem_alloc(cap * sizeof *labs);
    char **ids = mem_alloc(cap * sizeof *ids);
    save = NULL;
    line = strtok_r(lr, "\n", &save);
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[40];
        assert_int_equal(csv_split(line, f, 40), 30);
        assert_true(nlab < cap);
        assert_non_null(bsearch(&f[l_person], persons, (size_t)npersons, sizeof *persons, cmp_str));
        assert_string_equal(f[l_patient], f[l_person]);
        assert_string_equal(f[l_rdate], f[l_cdate]);
        assert_string_equal(f[l_scode], f[l_code]);
        assert_string_equal(f[l_sunit], f[l_unit]);
        assert_string_equal(f[l_type], "loinc");
        assert_string_equal(f[l_ntype], "loinc");
        uint64_t ord = strtoull(f[l_ord], NULL, 10);
        assert_non_null(bsearch(&ord, npis, (size_t)nnpi, sizeof ord, cmp_u64));
        ids[nlab] = f[l_id];
        labs[nlab++] = lab_key(f[l_person], f[l_code], f[l_rdate], f[l_res], f[l_unit]);
    }
    assert_true(nlab > (size_t)npersons);
    qsort(ids, nlab, sizeof *ids, cmp_str);
    for (size_t i = 1; i < nlab; i++)
        if (strcmp(ids[i], ids[i - 1]) == 0)
            fail_msg("lab_result_id %s twice", ids[i]);
    snprintf(path, sizeof path, "%s/fhir/Observation.ndjson", dir);
    char *ob = slurp(path, NULL);
    assert_non_null(ob);
    char **obs = mem_alloc(cap * sizeof *obs);
    save = NULL;
    for (line = strtok_r(ob, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strstr(line, "\"code\":\"laboratory\""))
            continue;
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        assert_non_null(o);
        const char *ref =
            json_string_value(json_object_get(json_object_get(o, "subject"), "reference"));
        const char *code = json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(o, "code"), "coding"), 0), "code"));
        const char *when = json_string_value(json_object_get(o, "effectiveDateTime"));
        assert_true(ref && code && when && strncmp(ref, "Patient/", 8) == 0);
        json_t *q = json_object_get(o, "valueQuantity");
        char v[32];
        const char *unit = "";
        if (q) {
            snprintf(v, sizeof v, "%.3f", json_number_value(json_object_get(q, "value")));
            unit = json_string_value(json_object_get(q, "unit"));
        } else {
            const char *sct = json_string_value(json_object_get(
                json_array_get(
                    json_object_get(json_object_get(o, "valueCodeableConcept"), "coding"), 0),
                "code"));
            assert_non_null(sct);
            snprintf(v, sizeof v, "%s",
                     strcmp(sct, sy_codes[K_SCT_POSITIVE].code) == 0 ? "positive" : "negative");
        }
        assert_true(nobs < cap);
        obs[nobs++] = lab_key(ref + 8, code, when, v, unit);
        json_decref(o);
    }
    assert_int_equal(nobs, nlab);
    qsort(labs, nlab, sizeof *labs, cmp_str);
    qsort(obs, nobs, sizeof *obs, cmp_str);
    for (size_t i = 0; i < nlab; i++)
        if (strcmp(labs[i], obs[i]) != 0)
            fail_msg("lab_result %s <> Observation %s", labs[i], obs[i]);
    for (size_t i = 0; i < nlab; i++) {
        mem_free(labs[i]);
        mem_free(obs[i]);
    }
    mem_free(labs);
    mem_free(obs);
    mem_free(ids);
    mem_free(ob);
    mem_free(lr);
    mem_free(npis);
    mem_free(pr);
}

/* Is the RxNorm code of a MedicationRequest line one of the CMS156 high-risk drugs? */
static int line_has_hrm(const char *line)
{
    static const char *const oids[] = { "1003.1059.json", "196.12.1480.json", "196.12.1522.json" };
    char pat[48];
    for (int m = 0; m < sy_nmeds; m++) {
        const sy_med_t *md = &sy_meds[m];
        int hrm = 0;
        for (size_t i = 0; md->rxnorm && md->valueset && i < sizeof oids / sizeof oids[0]; i++)
            hrm |= strstr(md->valueset, oids[i]) != NULL;
        if (!hrm)
            continue;
        snprintf(pat, sizeof pat, "\"code\":\"%s\"", md->rxnorm);
        if (strstr(line, pat))
            return 1;
    }
    return 0;
}

/* What CMS139, CMS138 and CMS156 need is in the FHIR output: falls screenings and smoking
 * status as survey Observations, cessation counselling and pharmacotherapy, high-risk drugs
 * for a small share of patients. */
static void check_measure_inputs(const char *dir)
{
    char path[512];
    size_t n = 0;
    char *save = NULL;
    int falls = 0, tobacco = 0, smokers = 0, counsel = 0, cess_rx = 0, hrm_pat = 0;
    char last_pid[16] = "";

    snprintf(path, sizeof path, "%s/fhir/Observation.ndjson", dir);
    char *obs = slurp(path, &n);
    assert_non_null(obs);
    for (char *l = strtok_r(obs, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        int is_falls = strstr(l, "\"code\":\"73830-2\"") != NULL;
        int is_tob = strstr(l, "\"code\":\"72166-2\"") != NULL;
        if (!is_falls && !is_tob)
            continue;
        /* Status.isAssessmentPerformed: final and a survey category */
        assert_non_null(strstr(l, "\"status\":\"final\""));
        if (!strstr(l, "observation-category\",\"code\":\"survey\""))
            fail_msg("assessment without the survey category: %.200s", l);
        if (is_tob) {
            assert_non_null(strstr(l, "\"code\":\"social-history\""));
            tobacco++;
            smokers += strstr(l, "\"code\":\"77176002\"") != NULL;
        }
        falls += is_falls;
    }
    mem_free(obs);

    snprintf(path, sizeof path, "%s/fhir/Procedure.ndjson", dir);
    char *proc = slurp(path, &n);
    assert_non_null(proc);
    save = NULL;
    for (char *l = strtok_r(proc, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        counsel += strstr(l, "\"code\":\"99406\"") != NULL;
    mem_free(proc);

    snprintf(path, sizeof path, "%s/fhir/MedicationRequest.ndjson", dir);
    char *mr = slurp(path, &n);
    assert_non_null(mr);
    save = NULL;
    for (char *l = strtok_r(mr, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        cess_rx +=
            strstr(l, "\"code\":\"198030\"") != NULL || strstr(l, "\"code\":\"636676\"") != NULL;
        if (line_has_hrm(l)) {
            const char *s = strstr(l, "\"reference\":\"Patient/");
            assert_non_null(s);
            s += strlen("\"reference\":\"Patient/");
            size_t k = strcspn(s, "\"");
            assert_true(k < sizeof last_pid);
            if (strncmp(last_pid, s, k) != 0 || last_pid[k]) {
                memcpy(last_pid, s, k);
                last_pid[k] = 0;
                hrm_pat++;
            }
        }
    }
    mem_free(mr);

    /* falls screenings for most of the 65+ (85% of patients), smoking status for most
     * patients, ~10% of them smokers, some counselled or treated, high-risk drugs for a few */
    if (falls < OUT_N / 4 || tobacco < OUT_N / 2)
        fail_msg("falls screenings %d, tobacco status %d", falls, tobacco);
    if (smokers < tobacco / 25 || smokers > tobacco / 5)
        fail_msg("%d smokers among %d tobacco status records", smokers, tobacco);
    if (counsel < smokers / 4 || cess_rx < 1 || counsel > smokers || cess_rx > smokers)
        fail_msg("%d smokers, %d counselled, %d cessation orders", smokers, counsel, cess_rx);
    if (hrm_pat < OUT_N / 50 || hrm_pat > OUT_N / 8)
        fail_msg("%d of %d patients with high-risk medications", hrm_pat, OUT_N);
}

static void test_written_population(void **state)
{
    (void)state;
    char dir[] = "/tmp/tripod-synth-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    synth_opts_t o;
    synth_opts_default(&o);
    o.patients = OUT_N;
    o.seed = 99;
    o.out_dir = dir;
    o.threads = 2;
    o.progress = 0;
    err_t e;
    assert_int_equal(synth_run(&o, &e), 0);

    char path[512];
    size_t n = 0;
    /* headers: byte-identical to the reference files */
    static const char *const names[3] = { "eligibility", "medical_claim", "pharmacy_claim" };
    char *files[3];
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s.csv", dir, names[i]);
        files[i] = slurp(path, &n);
        assert_non_null(files[i]);
        char rel[128];
        snprintf(rel, sizeof rel, "claims/tuva_input_layer_%s.csv", names[i]);
        char *ref = test_file(rel, NULL);
        size_t hl = strcspn(ref, "\r\n");
        assert_memory_equal(files[i], ref, hl + 1);
        mem_free(ref);
    }
    /* eligibility: persons and member months */
    const char *eh = sy_hdr_elig;
    int e_person = col(eh, "person_id"), e_start = col(eh, "enrollment_start_date"),
        e_end = col(eh, "enrollment_end_date");
    char **persons = mem_calloc(OUT_N * 4, sizeof *persons);
    int npersons = 0;
    double member_months = 0;
    char *save = NULL;
    char *line = strtok_r(files[0], "\n", &save);
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[64];
        split(line, f, 64);
        date_t s, d;
        assert_int_equal(date_parse(f[e_start], 10, &s), 0);
        assert_int_equal(date_parse(f[e_end], 10, &d), 0);
        member_months += date_month_index(d) - date_month_index(s) + 1;
        if (!npersons || strcmp(persons[npersons - 1], f[e_person]) != 0)
            persons[npersons++] = f[e_person];
    }
    assert_int_equal(npersons, OUT_N);
    check_labs_and_practitioners(dir, persons, npersons);

    /* medical claims: NPIs valid, allowed by setting, person ids known */
    const char *mh = sy_hdr_med;
    int m_person = col(mh, "person_id"), m_allowed = col(mh, "allowed_amount"),
        m_paid = col(mh, "paid_amount"), m_bill = col(mh, "bill_type_code"),
        m_rnpi = col(mh, "rendering_npi"), m_bnpi = col(mh, "billing_npi"),
        m_fnpi = col(mh, "facility_npi");
    double allowed = 0, ip_allowed = 0, other_max = 0, cat[8] = { 0 };
    int ncols = 1;
    for (const char *c = mh; *c; c++)
        ncols += *c == ',';
    long lines = 0;
    save = NULL;
    line = strtok_r(files[1], "\n", &save);
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[200];
        int nf = split(line, f, 200);
        assert_int_equal(nf, ncols);
        int npis[3] = { m_rnpi, m_bnpi, m_fnpi };
        for (int k = 0; k < 3; k++)
            if (*f[npis[k]] && !npi_valid(f[npis[k]], strlen(f[npis[k]])))
                fail_msg("invalid NPI %s", f[npis[k]]);
        assert_true(f[m_person][0] == 'S');
        double a = strtod(f[m_allowed], NULL), pd = strtod(f[m_paid], NULL);
        assert_true(pd <= a + 0.001);
        allowed += a;
        const char *bt = f[m_bill];
        int k = !*bt                           ? 0
                : bt[0] == '1' && bt[1] == '1' ? 1
                : bt[0] == '1'                 ? 2
                : bt[0] == '2'                 ? 3
                                               : 4;
        cat[k] += a;
        if (k == 1)
            ip_allowed += a;
        lines++;
    }
    save = NULL;
    double rx = 0;
    line = strtok_r(files[2], "\n", &save);
    int x_allowed = col(sy_hdr_rx, "allowed_amount");
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[32];
        split(line, f, 32);
        rx += strtod(f[x_allowed], NULL);
    }
    cat[5] = rx;
    for (int k = 0; k < 6; k++)
        if (k != 1 && cat[k] > other_max)
            other_max = cat[k];
    double pmpm = (allowed + rx) / member_months;
    if (pmpm < 850 || pmpm > 1150)
        fail_msg("total allowed PMPM %.0f outside 850..1150", pmpm);
    if (ip_allowed < other_max)
        fail_msg("inpatient (%.0f) is not the largest category (%.0f)", ip_allowed, other_max);
    assert_true(lines > OUT_N * 15);

    /* FHIR: one Patient per person, same ids */
    snprintf(path, sizeof path, "%s/fhir/Patient.ndjson", dir);
    char *pat = slurp(path, &n);
    assert_non_null(pat);
    int k = 0;
    for (char *s = pat; (s = strstr(s, "{\"resourceType\":\"Patient\",\"id\":\"")); k++) {
        s += strlen("{\"resourceType\":\"Patient\",\"id\":\"");
        assert_memory_equal(s, persons[k], strlen(persons[k]));
    }
    assert_int_equal(k, OUT_N);
    mem_free(pat);

    /* HL7: messages start with MSH, A03 carries PV1-36, PID-3 names a person */
    snprintf(path, sizeof path, "%s/hl7/adt.hl7", dir);
    char *h = slurp(path, &n);
    assert_non_null(h);
    int msgs = 0, a03 = 0, cur_a03 = 0;
    save = NULL;
    for (char *seg = strtok_r(h, "\r", &save); seg; seg = strtok_r(NULL, "\r", &save)) {
        if (strncmp(seg, "MSH|", 4) == 0) {
            msgs++;
            cur_a03 = strstr(seg, "|ADT^A03^") != NULL;
            a03 += cur_a03;
        } else if (strncmp(seg, "PID|", 4) == 0) {
            assert_true(strncmp(seg, "PID|1||S", 8) == 0);
        } else if (strncmp(seg, "PV1|", 4) == 0) {
            int bars = 0;
            const char *s = seg;
            for (; *s && bars < 36; s++)
                bars += *s == '|';
            if (cur_a03 && (*s == '|' || !*s))
                fail_msg("A03 without PV1-36: %s", seg);
        } else {
            assert_true(strncmp(seg, "EVN|", 4) == 0 || strncmp(seg, "DG1|", 4) == 0);
        }
    }
    assert_true(msgs > 0);
    assert_true(a03 > 0);
    mem_free(h);

    check_measure_inputs(dir);

    for (int i = 0; i < 3; i++)
        mem_free(files[i]);
    mem_free(persons);
    /* remove the directory */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_outputs_parse(void **state)
{
    (void)state;
    unsigned v;
    assert_int_equal(synth_outputs_parse("claims,hl7", &v), 0);
    assert_int_equal(v, SYNTH_OUT_CLAIMS | SYNTH_OUT_HL7);
    assert_int_equal(synth_outputs_parse("all", &v), 0);
    assert_int_equal(v, SYNTH_OUT_ALL);
    assert_int_equal(synth_outputs_parse("fhir,xml", &v), -1);
    assert_int_equal(synth_outputs_parse("", &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* clang-format off */
        cmocka_unit_test(test_outputs_parse),
        cmocka_unit_test(test_headers_match_reference),
        cmocka_unit_test(test_table_strings_json_safe),
        cmocka_unit_test(test_code_formats),
        cmocka_unit_test(test_codes_in_valuesets),
        cmocka_unit_test(test_hcc_flags),
        cmocka_unit_test(test_ed_dx_in_nyu),
        cmocka_unit_test(test_population_rates),
        cmocka_unit_test(test_written_population),
        /* clang-format on */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
