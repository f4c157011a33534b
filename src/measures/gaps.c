/* gaps.c — the care-gap table (gaps.h): loading, binding to measures,
 * rendering gap text with evidence from the measure's own ELM definitions.
 */
#include "measures/gaps.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/date.h"
#include "core/mem.h"
#include "core/str.h"
#include "refdata/refdata.h"

enum {
    F_MEASURE,
    F_GROUP,
    F_INVERSE,
    F_PRIORITY,
    F_DUE,
    F_EVIDENCE,
    F_FOUND,
    F_NONE,
    F_ACTION,
    NF
};

typedef struct gap_row {
    char *f[NF];
    int group; /* 0 = every group */
    long line;
} gap_row_t;

typedef struct gap_binding {
    const measure_t *m;
    gap_rule_t rules[MEASURE_MAX_GROUPS];
} gap_binding_t;

struct gap_table {
    char *path;
    gap_row_t *rows;
    int n, cap;
    gap_binding_t *b;
    int nb;
    arena_t *arena; /* generic texts */
};

static const char *field_names[NF] = { "measure",  "group",      "inverse",   "priority", "due",
                                       "evidence", "text_found", "text_none", "action" };

int gap_table_load(const char *path, gap_table_t **out, err_t *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_at(e, ERR_IO, path, 0, 0, NULL, "cannot open the care-gap table");
    gap_table_t *t = mem_calloc(1, sizeof *t);
    t->path = mem_strdup(path);
    t->arena = arena_new(4096);
    char line[4096];
    long ln = 0;
    int rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        ln++;
        size_t len = strcspn(line, "\r\n");
        if (line[len] == 0 && !feof(f)) {
            rc = err_at(e, ERR_INPUT, path, ln, 0, NULL, "line too long");
            break;
        }
        line[len] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        char *fields[NF];
        int nf = 0;
        char *p = line;
        while (nf < NF) {
            fields[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = 0;
            p = tab + 1;
        }
        if (nf != NF || strchr(p, '\t')) {
            rc = err_at(e, ERR_INPUT, path, ln, 0, NULL, "want %d tab-separated fields, got %d", NF,
                        nf);
            break;
        }
        if (!strcmp(fields[0], "measure"))
            continue; /* header */
        gap_row_t r = { .line = ln };
        if (strcmp(fields[F_GROUP], "*") != 0 && (str_to_intz(fields[F_GROUP], &r.group) ||
                                                  r.group < 1 || r.group > MEASURE_MAX_GROUPS)) {
            rc = err_at(e, ERR_INPUT, path, ln, 0, field_names[F_GROUP],
                        "want * or a group number, got '%s'", fields[F_GROUP]);
            break;
        }
        if (strcmp(fields[F_INVERSE], "yes") && strcmp(fields[F_INVERSE], "no")) {
            rc = err_at(e, ERR_INPUT, path, ln, 0, field_names[F_INVERSE], "want yes or no");
            break;
        }
        for (int k = 0; k < NF; k++)
            r.f[k] = mem_strdup(fields[k]);
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 16;
            t->rows = mem_realloc(t->rows, (size_t)t->cap * sizeof *t->rows);
        }
        t->rows[t->n++] = r;
    }
    fclose(f);
    if (rc) {
        gap_table_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int gap_table_empty(gap_table_t **out, err_t *e)
{
    (void)e;
    gap_table_t *t = mem_calloc(1, sizeof *t);
    t->path = mem_strdup("(none)");
    t->arena = arena_new(4096);
    *out = t;
    return 0;
}

void gap_table_default_path(const char *measures_dir, char *out, size_t cap)
{
    struct stat st;
    if (measures_dir && snprintf(out, cap, "%s/gaps.tsv", measures_dir) < (int)cap &&
        stat(out, &st) == 0)
        return;
    /* Tripod's own table in the reference data (refdata/ecqm/gaps.tsv), for
     * a measures folder of the user's that carries no wording. */
    err_t e;
    err_clear(&e);
    if (refdata_path("ecqm/gaps.tsv", out, cap, &e) == 0 && stat(out, &st) == 0)
        return;
    if (cap)
        out[0] = 0;
}

void gap_table_free(gap_table_t *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        for (int k = 0; k < NF; k++)
            mem_free(t->rows[i].f[k]);
    mem_free(t->rows);
    mem_free(t->b);
    mem_free(t->path);
    arena_free(t->arena);
    mem_free(t);
}

static bool row_names(const gap_row_t *r, const measure_t *m)
{
    const char *k = r->f[F_MEASURE];
    if (!strcmp(k, measure_name(m)) || !strcmp(k, measure_url(m)))
        return true;
    const char *cms = measure_cms(m);
    size_t l = strlen(cms);
    return strncasecmp(k, cms, l) == 0 && (k[l] == 0 || strcasecmp(k + l, "FHIR") == 0);
}

/* The description of a group's numerator in the Measure resource. */
static const char *numerator_description(const measure_t *m, int g)
{
    json_t *grp = json_array_get(json_object_get(measure_resource(m), "group"), (size_t)g);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(grp, "population"), i, p)
    {
        const char *code = json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(p, "code"), "coding"), 0), "code"));
        if (code && !strcmp(code, "numerator"))
            return json_string_value(json_object_get(p, "description"));
    }
    return NULL;
}

static int bind_row(gap_table_t *t, measure_set_t *ms, const measure_t *m, const gap_row_t *r,
                    gap_rule_t *rule, err_t *e)
{
    memset(rule, 0, sizeof *rule);
    rule->inverse = !strcmp(r->f[F_INVERSE], "yes");
    rule->priority = r->f[F_PRIORITY];
    rule->due = r->f[F_DUE];
    rule->text_found = r->f[F_FOUND];
    rule->text_none = r->f[F_NONE];
    rule->action = r->f[F_ACTION];
    const char *ev = r->f[F_EVIDENCE];
    if (!strcmp(ev, "-") || !ev[0])
        return 0;
    elm_lib_t *lib = measure_library(m);
    while (*ev) {
        size_t n = strcspn(ev, ";");
        if (rule->nevidence == GAP_MAX_EVIDENCE)
            return err_at(e, ERR_INPUT, t->path, r->line, 0, "evidence",
                          "more than %d evidence expressions", GAP_MAX_EVIDENCE);
        char name[512];
        snprintf(name, sizeof name, "%.*s", (int)n, ev);
        err_t ie;
        err_clear(&ie);
        if (!lib || elm_compile_def(measure_set_engine(ms), lib, name,
                                    &rule->evidence[rule->nevidence], &ie)) {
            char msg[700];
            err_format(&ie, msg, sizeof msg);
            return err_at(e, ERR_INPUT, t->path, r->line, 0, "evidence", "%s: %s", measure_cms(m),
                          lib ? msg : "measure not prepared");
        }
        rule->nevidence++;
        ev += n;
        if (*ev == ';')
            ev++;
    }
    return 0;
}

static const char *improvement(const measure_t *m)
{
    json_t *c = json_array_get(
        json_object_get(json_object_get(measure_resource(m), "improvementNotation"), "coding"), 0);
    return json_string_value(json_object_get(c, "code"));
}

int gap_table_bind(gap_table_t *t, measure_set_t *ms, measure_t *const *measures, int n, err_t *e)
{
    mem_free(t->b);
    t->b = mem_calloc((size_t)(n > 0 ? n : 1), sizeof *t->b);
    t->nb = 0;
    for (int i = 0; i < n; i++) {
        const measure_t *m = measures[i];
        gap_binding_t *b = &t->b[t->nb++];
        b->m = m;
        for (int g = 0; g < measure_ngroups(m); g++) {
            const gap_row_t *best = NULL;
            for (int k = 0; k < t->n; k++) {
                const gap_row_t *r = &t->rows[k];
                if (!row_names(r, m) || (r->group && r->group != g + 1))
                    continue;
                if (!best || (r->group && !best->group))
                    best = r;
            }
            gap_rule_t *rule = &b->rules[g];
            if (best) {
                if (bind_row(t, ms, m, best, rule, e))
                    return e->code;
                continue;
            }
            /* Generic: from the Measure resource. The published FHIR eCQMs
             * carry a group-level improvementNotation that is not reliable
             * (CMS122 says "decrease" with display "increase"), so only the
             * Measure-level one decides an inverse measure. */
            memset(rule, 0, sizeof *rule);
            rule->generic = true;
            const char *imp = improvement(m);
            rule->inverse = imp && !strcmp(imp, "decrease");
            rule->priority = "medium";
            rule->due = "period-end";
            const char *title = measure_title(m);
            const char *desc = numerator_description(m, g);
            rule->text_none = arena_printf(t->arena, "%s: %s", title[0] ? title : measure_name(m),
                                           rule->inverse ? "in the numerator (inverse measure)"
                                                         : "numerator not met");
            rule->text_found = rule->text_none;
            rule->action = desc ? arena_printf(t->arena, "%s: %s",
                                               rule->inverse ? "Review" : "Close the gap", desc)
                                : "Review the measure's numerator criteria";
        }
    }
    return 0;
}

const gap_rule_t *gap_table_rule(const gap_table_t *t, const measure_t *m, int g)
{
    if (!t || g < 0 || g >= MEASURE_MAX_GROUPS)
        return NULL;
    for (int i = 0; i < t->nb; i++)
        if (t->b[i].m == m)
            return g < measure_ngroups(m) ? &t->b[i].rules[g] : NULL;
    return NULL;
}

bool gap_is_open(const gap_rule_t *r, const int c[MPOP__COUNT])
{
    if (c[MPOP_DENOM] != 1 || c[MPOP_DENEX] == 1 || c[MPOP_DENEXCEP] == 1)
        return false;
    if (r && r->inverse)
        return c[MPOP_NUMER] == 1 && c[MPOP_NUMEX] != 1;
    return c[MPOP_NUMER] != 1;
}

/* ---- rendering evidence ---- */

static void fmt_number(double v, buf_t *out)
{
    if (fabs(v - round(v)) < 1e-9 && fabs(v) < 1e15)
        buf_printf(out, "%.0f", v);
    else
        buf_printf(out, "%g", v);
}

static void fmt_unit(const char *u, buf_t *out)
{
    if (!u || !u[0] || !strcmp(u, "1"))
        return;
    if (!strcmp(u, "%")) {
        buf_putc(out, '%');
        return;
    }
    buf_putc(out, ' ');
    buf_puts(out, !strcmp(u, "mm[Hg]") ? "mmHg" : u);
}

/* The clinically relevant date of a FHIR resource or element. */
static const char *fhir_date(json_t *j)
{
    static const char *const keys[] = {
        "effectiveDateTime", "performedDateTime", "occurrenceDateTime", "authoredOn", "issued",
        "recordedDate",      "onsetDateTime"
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *s = json_string_value(json_object_get(j, keys[i]));
        if (s)
            return s;
    }
    static const char *const periods[] = { "effectivePeriod", "performedPeriod", "period" };
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
        json_t *p = json_object_get(j, periods[i]);
        const char *s = json_string_value(json_object_get(p, "end"));
        if (!s)
            s = json_string_value(json_object_get(p, "start"));
        if (s)
            return s;
    }
    return NULL;
}

enum { M_FULL, M_NUM, M_DATE };

static void fmt_value(const cql_value_t *v, int mode, buf_t *out);

static void fmt_fhir(json_t *j, int mode, buf_t *out)
{
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        buf_printf(out, "%.*s", mode == M_DATE ? 10 : (int)strlen(s), s);
        return;
    }
    if (json_is_number(j)) {
        fmt_number(json_number_value(j), out);
        return;
    }
    if (mode == M_DATE) {
        const char *d = fhir_date(j);
        if (d)
            buf_printf(out, "%.10s", d);
        return;
    }
    json_t *q = json_object_get(j, "valueQuantity");
    if (!q && json_object_get(j, "value") && json_object_get(j, "unit"))
        q = j; /* a Quantity itself */
    if (q && json_is_number(json_object_get(q, "value"))) {
        fmt_number(json_number_value(json_object_get(q, "value")), out);
        if (mode == M_FULL) {
            const char *u = json_string_value(json_object_get(q, "code"));
            fmt_unit(u ? u : json_string_value(json_object_get(q, "unit")), out);
        }
        return;
    }
    json_t *cc = json_object_get(j, "valueCodeableConcept");
    if (!cc && json_object_get(j, "resourceType")) {
        buf_puts(out, "(no result)"); /* a resource without a value */
        return;
    }
    if (!cc)
        cc = j; /* a CodeableConcept itself */
    const char *txt = json_string_value(json_object_get(cc, "text"));
    json_t *c0 = json_array_get(json_object_get(cc, "coding"), 0);
    if (!txt)
        txt = json_string_value(json_object_get(c0, "display"));
    if (!txt)
        txt = json_string_value(json_object_get(c0, "code"));
    if (txt)
        buf_puts(out, txt);
}

static void fmt_value(const cql_value_t *v, int mode, buf_t *out)
{
    if (!v)
        return;
    char tmp[64];
    switch (v->kind) {
    case CQL_BOOL:
        buf_puts(out, v->u.b ? "yes" : "no");
        break;
    case CQL_INT:
        buf_printf(out, "%lld", (long long)v->u.i);
        break;
    case CQL_DEC:
        fmt_number(v->u.d, out);
        break;
    case CQL_STR:
        buf_puts(out, v->u.s);
        break;
    case CQL_DATE:
    case CQL_DATETIME: {
        cql_dt_t d = v->u.dt;
        if (d.prec > CQL_P_DAY)
            d.prec = CQL_P_DAY;
        cql_dt_format(&d, CQL_DATE, tmp, sizeof tmp);
        buf_puts(out, tmp);
        break;
    }
    case CQL_QTY:
        fmt_number(v->u.q.v, out);
        if (mode == M_FULL)
            fmt_unit(v->u.q.unit, out);
        break;
    case CQL_CODE:
        buf_puts(out, v->u.code.display ? v->u.code.display : v->u.code.code);
        break;
    case CQL_CONCEPT:
        if (v->u.concept.display)
            buf_puts(out, v->u.concept.display);
        else if (v->u.concept.n)
            fmt_value(v->u.concept.codes[0], mode, out);
        break;
    case CQL_IVL:
        fmt_value(v->u.ivl.hi ? v->u.ivl.hi : v->u.ivl.lo, mode, out);
        break;
    case CQL_LIST: /* the last item: evidence lists are sorted oldest first */
        if (v->u.list.n)
            fmt_value(v->u.list.items[v->u.list.n - 1], mode, out);
        break;
    case CQL_TUPLE:
        if (v->u.tuple.n)
            fmt_value(v->u.tuple.vals[v->u.tuple.n - 1], mode, out);
        break;
    case CQL_FHIR:
        fmt_fhir(v->u.fhir.j, mode, out);
        break;
    default:
        cql_format(v, tmp, sizeof tmp);
        buf_puts(out, tmp);
    }
}

static bool is_empty(const cql_value_t *v)
{
    return !v || (v->kind == CQL_LIST && v->u.list.n == 0);
}

int gap_render(const gap_rule_t *r, elm_ctx_t *ctx, const gap_vars_t *v, buf_t *text,
               buf_t *evidence, err_t *e)
{
    const cql_value_t *ev[GAP_MAX_EVIDENCE] = { 0 };
    for (int i = 0; i < r->nevidence; i++)
        if (elm_eval(ctx, r->evidence[i], &ev[i], e))
            return e->code;
    for (int i = 0; evidence && i < r->nevidence; i++) {
        if (is_empty(ev[i]))
            continue;
        if (evidence->len)
            buf_puts(evidence, "; ");
        fmt_value(ev[i], M_FULL, evidence);
    }
    const char *tpl = r->nevidence && !is_empty(ev[0]) ? r->text_found : r->text_none;
    for (const char *p = tpl; *p; p++) {
        if (*p != '{') {
            buf_putc(text, *p);
            continue;
        }
        const char *close = strchr(p, '}');
        if (!close) {
            buf_puts(text, p);
            break;
        }
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)(close - p - 1), p + 1);
        if (key[0] >= '1' && key[0] <= '9' && (key[1] == 0 || key[1] == ':')) {
            int k = key[0] - '1';
            int mode = !strcmp(key + 1, ":n") ? M_NUM : !strcmp(key + 1, ":date") ? M_DATE : M_FULL;
            if (k < r->nevidence)
                fmt_value(ev[k], mode, text);
        } else if (!strcmp(key, "year")) {
            buf_printf(text, "%.4s", v->start);
        } else if (!strcmp(key, "start")) {
            buf_puts(text, v->start);
        } else if (!strcmp(key, "end")) {
            buf_puts(text, v->end);
        } else if (!strcmp(key, "asof")) {
            buf_puts(text, v->asof);
        } else if (!strcmp(key, "title")) {
            buf_puts(text, v->title);
        } else if (!strcmp(key, "cms")) {
            buf_puts(text, v->cms);
        } else {
            buf_append(text, p, (size_t)(close - p + 1));
        }
        p = close;
    }
    return 0;
}

void gap_due(const gap_rule_t *r, const gap_vars_t *v, char out[11])
{
    date_t asof, base;
    if (date_parse(v->asof, strlen(v->asof), &asof))
        asof = DATE_NONE;
    const char *rule = r && r->due ? r->due : "period-end";
    const char *rest;
    if (str_starts_with(rule, "as-of")) {
        base = asof;
        rest = rule + 5;
    } else {
        if (date_parse(v->end, strlen(v->end), &base))
            base = asof;
        rest = str_starts_with(rule, "period-end") ? rule + 10 : "";
    }
    int days = 0;
    if ((*rest == '+' || *rest == '-') && str_to_intz(rest + 1, &days) == 0 && *rest == '-')
        days = -days;
    date_t due = date_add_days(base, days);
    if (asof != DATE_NONE && due < asof)
        due = date_add_days(asof, 30); /* the period is over: a month from now */
    char buf[DATE_FMT_LEN];
    date_format(due, buf);
    snprintf(out, 11, "%s", buf);
}
