/* measure.c — Measure resources, population semantics, MeasureReport output,
 * and reading patients' FHIR data (folders, Bundles, NDJSON).
 */
#include "measures/measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/dir.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/fastjson.h"

typedef struct mgroup {
    char *id;
    char *expr[MPOP__COUNT]; /* CQL expression per population, NULL if absent */
    elm_def_t *def[MPOP__COUNT];
} mgroup_t;

struct measure {
    char *name, *url, *cms; /* cms: "CMS125" */
    char *library;          /* canonical URL of the primary library */
    json_t *resource;
    int ngroups;
    mgroup_t groups[MEASURE_MAX_GROUPS];
    elm_lib_t *lib;
    bool prepared;
};

struct measure_set {
    elm_engine_t *eng;
    measure_t **m;
    int n, cap;
};

static const char *const pop_codes[MPOP__COUNT] = {
    "initial-population", "denominator",         "denominator-exclusion",
    "numerator",          "numerator-exclusion", "denominator-exception"
};

const char *measure_pop_code(measure_pop_t p)
{
    return p < MPOP__COUNT ? pop_codes[p] : "?";
}

static int pop_index(const char *code)
{
    for (int i = 0; i < MPOP__COUNT; i++)
        if (code && strcmp(code, pop_codes[i]) == 0)
            return i;
    return -1;
}

static void measure_free(measure_t *m)
{
    if (!m)
        return;
    mem_free(m->name);
    mem_free(m->url);
    mem_free(m->cms);
    mem_free(m->library);
    for (int g = 0; g < m->ngroups; g++) {
        mem_free(m->groups[g].id);
        for (int p = 0; p < MPOP__COUNT; p++)
            mem_free(m->groups[g].expr[p]);
    }
    json_decref(m->resource);
    mem_free(m);
}

static int load_measure(measure_set_t *ms, const char *path, err_t *e)
{
    json_error_t je;
    json_t *r = fastjson_load_file(path, &je);
    if (!r)
        return err_at(e, ERR_INPUT, path, je.line, je.column, NULL, "%s", je.text);
    const char *rt = json_string_value(json_object_get(r, "resourceType"));
    if (!rt || strcmp(rt, "Measure") != 0) {
        json_decref(r);
        return 0;
    }
    measure_t *m = mem_calloc(1, sizeof *m);
    m->resource = r;
    const char *name = json_string_value(json_object_get(r, "name"));
    m->name = mem_strdup(name ? name : "");
    const char *url = json_string_value(json_object_get(r, "url"));
    m->url = mem_strdup(url ? url : "");
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(r, "identifier"), i, id)
    {
        const char *v = json_string_value(json_object_get(id, "value"));
        if (v && strncmp(v, "CMS", 3) == 0 && !m->cms) {
            size_t n = strlen(v);
            if (str_ends_with(v, "FHIR"))
                n -= 4;
            m->cms = mem_strndup(v, n);
        }
    }
    const char *lib = json_string_value(json_array_get(json_object_get(r, "library"), 0));
    if (!lib) {
        measure_free(m);
        return err_at(e, ERR_INPUT, path, 0, 0, "/library", "Measure names no library");
    }
    m->library = mem_strdup(lib);
    json_t *groups = json_object_get(r, "group");
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        if (m->ngroups == MEASURE_MAX_GROUPS)
            break;
        mgroup_t *mg = &m->groups[m->ngroups++];
        const char *gid = json_string_value(json_object_get(g, "id"));
        mg->id = mem_strdup(gid ? gid : "");
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(g, "population"), k, p)
        {
            const char *code = json_string_value(json_object_get(
                json_array_get(json_object_get(json_object_get(p, "code"), "coding"), 0), "code"));
            const char *expr =
                json_string_value(json_object_get(json_object_get(p, "criteria"), "expression"));
            int pi = pop_index(code);
            if (pi < 0 || !expr)
                continue; /* measure-observation and others: not for proportion counts */
            mem_free(mg->expr[pi]);
            mg->expr[pi] = mem_strdup(expr);
        }
    }
    if (ms->n == ms->cap) {
        ms->cap = ms->cap ? ms->cap * 2 : 16;
        ms->m = mem_realloc(ms->m, (size_t)ms->cap * sizeof *ms->m);
    }
    ms->m[ms->n++] = m;
    return 0;
}

int measure_set_load(const char *dir, measure_set_t **out, err_t *e)
{
    measure_set_t *ms = mem_calloc(1, sizeof *ms);
    ms->eng = elm_engine_new();
    char path[4096];
    int rc = 0;
    snprintf(path, sizeof path, "%s/valueset", dir);
    rc = elm_load_valueset_dir(ms->eng, path, e);
    if (!rc) {
        snprintf(path, sizeof path, "%s/library", dir);
        rc = elm_load_library_dir(ms->eng, path, e);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/measure", dir);
        char **names;
        size_t n;
        rc = dir_list(path, ".json", &names, &n, e); /* by file name */
        for (size_t i = 0; i < n && !rc; i++) {
            char f[4400];
            if (snprintf(f, sizeof f, "%s/%s", path, names[i]) < (int)sizeof f)
                rc = load_measure(ms, f, e);
        }
        dir_names_free(names, n);
    }
    if (rc) {
        measure_set_free(ms);
        return rc;
    }
    *out = ms;
    return 0;
}

void measure_set_free(measure_set_t *ms)
{
    if (!ms)
        return;
    for (int i = 0; i < ms->n; i++)
        measure_free(ms->m[i]);
    mem_free(ms->m);
    elm_engine_free(ms->eng);
    mem_free(ms);
}

elm_engine_t *measure_set_engine(measure_set_t *ms)
{
    return ms->eng;
}

measure_t *measure_find(measure_set_t *ms, const char *key)
{
    for (int i = 0; i < ms->n; i++) {
        measure_t *m = ms->m[i];
        if (strcmp(m->name, key) == 0 || strcmp(m->url, key) == 0)
            return m;
        if (m->cms) {
            size_t l = strlen(m->cms);
            if (strncasecmp(key, m->cms, l) == 0 &&
                (key[l] == 0 || strcasecmp(key + l, "FHIR") == 0))
                return m;
        }
    }
    return NULL;
}

int measure_count(const measure_set_t *ms)
{
    return ms->n;
}

measure_t *measure_at(measure_set_t *ms, int i)
{
    return i >= 0 && i < ms->n ? ms->m[i] : NULL;
}

const char *measure_name(const measure_t *m)
{
    return m->name;
}

const char *measure_url(const measure_t *m)
{
    return m->url;
}

int measure_ngroups(const measure_t *m)
{
    return m->ngroups;
}

const char *measure_cms(const measure_t *m)
{
    return m->cms ? m->cms : m->name;
}

const char *measure_title(const measure_t *m)
{
    const char *t = json_string_value(json_object_get(m->resource, "title"));
    return t ? t : "";
}

const char *measure_group_id(const measure_t *m, int g)
{
    return g >= 0 && g < m->ngroups ? m->groups[g].id : "";
}

const json_t *measure_resource(const measure_t *m)
{
    return m->resource;
}

elm_lib_t *measure_library(const measure_t *m)
{
    return m->lib;
}

int measure_prepare(measure_set_t *ms, measure_t *m, err_t *e)
{
    if (m->prepared)
        return 0;
    m->lib = elm_find_lib(ms->eng, m->library);
    if (!m->lib)
        return err_set(e, ERR_INPUT, "measure %s: library %s not found", m->name, m->library);
    for (int g = 0; g < m->ngroups; g++)
        for (int p = 0; p < MPOP__COUNT; p++) {
            if (!m->groups[g].expr[p])
                continue;
            if (elm_compile_def(ms->eng, m->lib, m->groups[g].expr[p], &m->groups[g].def[p], e))
                return e->code;
        }
    m->prepared = true;
    return 0;
}

int measure_set_period(elm_ctx_t *ctx, const char *start, const char *end, err_t *e)
{
    cql_dt_t s, t;
    bool d1, d2;
    if (cql_dt_parse(start, &s, &d1) || !d1 || s.prec != CQL_P_DAY)
        return err_set(e, ERR_USAGE, "bad period start '%s' (want YYYY-MM-DD)", start);
    if (cql_dt_parse(end, &t, &d2) || !d2 || t.prec != CQL_P_DAY)
        return err_set(e, ERR_USAGE, "bad period end '%s' (want YYYY-MM-DD)", end);
    s.prec = CQL_P_MS;
    t.h = 23;
    t.mi = 59;
    t.s = 59;
    t.ms = 999;
    t.prec = CQL_P_MS;
    int r;
    if (cql_dt_cmp(&s, &t, CQL_P_NONE, &r) == 0 && r > 0)
        return err_set(e, ERR_USAGE, "period start %s is after its end %s", start, end);
    arena_t *a = elm_ctx_param_arena(ctx);
    const cql_value_t *ivl =
        cql_ivl(a, cql_dtv(a, CQL_DATETIME, s), true, cql_dtv(a, CQL_DATETIME, t), true);
    elm_ctx_set_param(ctx, "Measurement Period", ivl);
    return 0;
}

/* Population membership: true only for a Boolean true (or, for a
 * non-boolean population basis, a non-empty list). */
static int truthy(const cql_value_t *v)
{
    if (!v)
        return 0;
    if (v->kind == CQL_BOOL)
        return v->u.b;
    if (v->kind == CQL_LIST)
        return v->u.list.n > 0;
    return 1;
}

int measure_eval(elm_ctx_t *ctx, measure_t *m, json_t *const *res, size_t n, measure_result_t *out,
                 err_t *e)
{
    elm_ctx_begin(ctx, res, n);
    return measure_eval_current(ctx, m, out, e);
}

int measure_eval_current(elm_ctx_t *ctx, measure_t *m, measure_result_t *out, err_t *e)
{
    memset(out, 0, sizeof *out);
    out->ngroups = m->ngroups;
    for (int g = 0; g < m->ngroups; g++) {
        int in[MPOP__COUNT];
        for (int p = 0; p < MPOP__COUNT; p++) {
            in[p] = 0;
            if (!m->groups[g].def[p])
                continue;
            const cql_value_t *v;
            if (elm_eval(ctx, m->groups[g].def[p], &v, e))
                return e->code;
            in[p] = truthy(v);
        }
        int *c = out->counts[g];
        bool has[MPOP__COUNT];
        for (int p = 0; p < MPOP__COUNT; p++)
            has[p] = m->groups[g].def[p] != NULL;
        int ip = in[MPOP_IP];
        int den = ip && (has[MPOP_DENOM] ? in[MPOP_DENOM] : 1);
        int denex = den && in[MPOP_DENEX];
        int num = den && !denex && in[MPOP_NUMER];
        int numex = num && in[MPOP_NUMEX];
        int excep = den && !denex && !num && in[MPOP_DENEXCEP];
        int vals[MPOP__COUNT] = { ip, den, denex, num, numex, excep };
        for (int p = 0; p < MPOP__COUNT; p++)
            c[p] = has[p] ? vals[p] : -1;
    }
    return 0;
}

int measure_report(const measure_t *m, const char *patient_id, const char *start, const char *end,
                   const measure_result_t *r, buf_t *out)
{
    int rc = 0;
    rc |= buf_puts(out, "{\"resourceType\":\"MeasureReport\",\"status\":\"complete\","
                        "\"type\":\"individual\",\"measure\":");
    rc |= buf_json_str(out, m->url, strlen(m->url));
    rc |= buf_puts(out, ",\"subject\":{\"reference\":");
    char ref[300];
    snprintf(ref, sizeof ref, "Patient/%s", patient_id ? patient_id : "");
    rc |= buf_json_str(out, ref, strlen(ref));
    rc |= buf_puts(out, "},\"period\":{\"start\":");
    rc |= buf_json_str(out, start, strlen(start));
    rc |= buf_puts(out, ",\"end\":");
    rc |= buf_json_str(out, end, strlen(end));
    rc |= buf_puts(out, "},\"group\":[");
    for (int g = 0; g < r->ngroups; g++) {
        rc |= buf_puts(out, g ? ",{\"id\":" : "{\"id\":");
        rc |= buf_json_str(out, m->groups[g].id, strlen(m->groups[g].id));
        rc |= buf_puts(out, ",\"population\":[");
        bool first = true;
        for (int p = 0; p < MPOP__COUNT; p++) {
            if (r->counts[g][p] < 0)
                continue;
            rc |= buf_printf(out,
                             "%s{\"code\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/"
                             "CodeSystem/measure-population\",\"code\":\"%s\"}]},\"count\":%d}",
                             first ? "" : ",", pop_codes[p], r->counts[g][p]);
            first = false;
        }
        rc |= buf_puts(out, "]}");
    }
    rc |= buf_puts(out, "]}\n");
    return rc ? -1 : 0;
}

/* ---- reading patients ---- */

static fhir_patient_t *patient_add(fhir_patients_t *ps, const char *id)
{
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 16;
        ps->p = mem_realloc(ps->p, ps->cap * sizeof *ps->p);
    }
    fhir_patient_t *p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    p->id = mem_strdup(id ? id : "");
    return p;
}

static void patient_push(fhir_patient_t *p, json_t *r)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->res = mem_realloc(p->res, p->cap * sizeof *p->res);
    }
    p->res[p->n++] = json_incref(r);
}

void fhir_patients_free(fhir_patients_t *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        for (size_t k = 0; k < ps->p[i].n; k++)
            json_decref(ps->p[i].res[k]);
        mem_free(ps->p[i].res);
        mem_free(ps->p[i].id);
    }
    mem_free(ps->p);
    memset(ps, 0, sizeof *ps);
}

/* The patient a resource belongs to: "Patient/<id>" in subject, patient or beneficiary. */
static const char *patient_ref(json_t *r)
{
    static const char *const keys[] = { "subject", "patient", "beneficiary" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *ref =
            json_string_value(json_object_get(json_object_get(r, keys[i]), "reference"));
        if (!ref)
            continue;
        if (strncmp(ref, "Patient/", 8) == 0)
            return ref + 8;
        if (strncmp(ref, "urn:uuid:", 9) == 0)
            return ref + 9;
    }
    return NULL;
}

/* Groups a flat list of resources into patients. */
static void group_resources(json_t **res, size_t n, fhir_patients_t *out)
{
    size_t first = out->n;
    for (size_t i = 0; i < n; i++) {
        const char *rt = json_string_value(json_object_get(res[i], "resourceType"));
        if (rt && strcmp(rt, "Patient") == 0) {
            fhir_patient_t *p = patient_add(out, json_string_value(json_object_get(res[i], "id")));
            patient_push(p, res[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const char *rt = json_string_value(json_object_get(res[i], "resourceType"));
        if (!rt || strcmp(rt, "Patient") == 0 || strcmp(rt, "MeasureReport") == 0)
            continue;
        const char *pid = patient_ref(res[i]);
        fhir_patient_t *target = NULL;
        for (size_t k = first; k < out->n && pid; k++)
            if (strcmp(out->p[k].id, pid) == 0)
                target = &out->p[k];
        if (!target && out->n - first == 1)
            target = &out->p[first]; /* one patient: shared resources (Organization...) are its */
        if (!target && !pid) {
            for (size_t k = first; k < out->n; k++) /* unowned: visible to every patient */
                patient_push(&out->p[k], res[i]);
            continue;
        }
        if (target)
            patient_push(target, res[i]);
    }
}

static void collect(json_t *r, json_t ***arr, size_t *n, size_t *cap)
{
    const char *rt = json_string_value(json_object_get(r, "resourceType"));
    if (rt && strcmp(rt, "Bundle") == 0) {
        size_t i;
        json_t *en;
        json_array_foreach(json_object_get(r, "entry"), i, en)
        {
            json_t *res = json_object_get(en, "resource");
            if (json_is_object(res))
                collect(res, arr, n, cap);
        }
        return;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *arr = mem_realloc(*arr, *cap * sizeof **arr);
    }
    (*arr)[(*n)++] = json_incref(r);
}

static int read_file_resources(const char *path, json_t ***arr, size_t *n, size_t *cap, err_t *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot open file");
    buf_t b = BUF_INIT;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(&b, chunk, got)) {
            fclose(f);
            buf_free(&b);
            return err_at(e, ERR_NOMEM, path, 0, 0, NULL, "file too large");
        }
    fclose(f);
    const char *s = buf_cstr(&b);
    json_error_t je;
    json_t *r = fastjson_parse(s, b.len, &je);
    int rc = 0;
    if (r) {
        if (!json_is_object(r))
            rc = err_at(e, ERR_INPUT, path, 0, 0, "", "not a FHIR resource (a JSON object)");
        else if (!json_is_string(json_object_get(r, "resourceType")))
            rc = err_at(e, ERR_INPUT, path, 0, 0, "/resourceType", "missing resourceType");
        else
            collect(r, arr, n, cap);
        json_decref(r);
    } else {
        /* NDJSON: one resource per line. */
        long line = 0;
        const char *p = s;
        while (*p && !rc) {
            line++;
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            size_t k = 0;
            while (k < len && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r'))
                k++;
            if (k < len) {
                json_t *lr = fastjson_parse(p, len, &je);
                if (!lr)
                    rc = err_at(e, ERR_INPUT, path, line, je.column, NULL, "%s", je.text);
                else if (!json_is_object(lr) ||
                         !json_is_string(json_object_get(lr, "resourceType")))
                    rc = err_at(e, ERR_INPUT, path, line, 0, "/resourceType",
                                "missing resourceType");
                else
                    collect(lr, arr, n, cap);
                json_decref(lr);
            }
            p = nl ? nl + 1 : p + len;
        }
    }
    buf_free(&b);
    return rc;
}

int fhir_patients_read(const char *path, fhir_patients_t *out, err_t *e)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return err_at(e, ERR_INPUT, path, 0, 0, NULL, "no such file or directory");
    json_t **arr = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (S_ISDIR(st.st_mode)) {
        char **names;
        size_t nn;
        if ((rc = dir_list(path, NULL, &names, &nn, e)) != 0)
            return rc;
        for (size_t i = 0; i < nn && !rc; i++) {
            char f[4400];
            if ((str_ends_with(names[i], ".json") || str_ends_with(names[i], ".ndjson")) &&
                snprintf(f, sizeof f, "%s/%s", path, names[i]) < (int)sizeof f)
                rc = read_file_resources(f, &arr, &n, &cap, e);
        }
        dir_names_free(names, nn);
    } else {
        rc = read_file_resources(path, &arr, &n, &cap, e);
    }
    if (!rc)
        group_resources(arr, n, out);
    for (size_t i = 0; i < n; i++)
        json_decref(arr[i]);
    mem_free(arr);
    return rc;
}
