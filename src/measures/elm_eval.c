/* elm_eval.c — evaluating compiled ELM over one patient's FHIR data.
 *
 * Semantics follow the CQL 1.5 reference (chapter 9): null propagation,
 * three-valued logic, temporal comparison at a precision, interval
 * boundaries (closed null = min/max of the point type, open null = unknown),
 * quantities compared after UCUM conversion.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/str.h"
#include "measures/elm_int.h"

typedef struct env_ent {
    const char *name;
    const cql_value_t *v;
} env_ent_t;

typedef struct param_ent {
    const char *name;
    const cql_value_t *v;
} param_ent_t;

struct elm_ctx {
    elm_engine_t *eng;
    arena_t *a;  /* per patient */
    arena_t *pa; /* parameters, context lifetime */
    param_ent_t params[16];
    int nparams;
    int nslots;
    const cql_value_t **memo;
    uint8_t *memo_state; /* 0 new, 1 computing, 2 done */
    env_ent_t *env;
    int env_n, env_cap, env_base;
    json_t *const *res;
    size_t nres;
    /* The current patient's resources by resourceType (elm_ctx_begin), so
     * that a retrieve walks only its own type. */
    struct rtype_bucket {
        const char *type;
        size_t *idx;
        size_t n, cap;
    } types[24];
    int ntypes;
    /* Per resource of the current patient (arena, lazily): its value and the
     * codes at the retrieve's code path, so that the many retrieves of one
     * type (one per value set) convert each resource's codes once. */
    struct res_cache {
        const cql_value_t *v;
        const char *code_path;
        const cql_value_t **codes;
        const vs_code_t **entries; /* codes' entries in the value-set code table */
        int ncodes;
        bool flags;     /* dnp and cancelled are known */
        bool dnp;       /* doNotPerform true */
        bool cancelled; /* status "cancelled" */
    } * rc;
    const cql_value_t *sort_item;
    bool failed;
    char errmsg[512];
    int nwarn;
    char warnmsg[512];
};

static const cql_value_t *ev(elm_ctx_t *c, const node_t *n);

elm_ctx_t *elm_ctx_new(elm_engine_t *eng)
{
    elm_ctx_t *c = mem_calloc(1, sizeof *c);
    c->eng = eng;
    c->a = arena_new(0);
    c->pa = arena_new(0);
    return c;
}

void elm_ctx_free(elm_ctx_t *c)
{
    if (!c)
        return;
    arena_free(c->a);
    arena_free(c->pa);
    mem_free(c->memo);
    mem_free(c->memo_state);
    mem_free(c->env);
    for (int t = 0; t < c->ntypes; t++)
        mem_free(c->types[t].idx);
    mem_free(c);
}

arena_t *elm_ctx_arena(elm_ctx_t *c)
{
    return c->a;
}

arena_t *elm_ctx_param_arena(elm_ctx_t *c)
{
    return c->pa;
}

void elm_ctx_set_param(elm_ctx_t *c, const char *name, const cql_value_t *v)
{
    const char *in = elm_intern(c->eng, name);
    for (int i = 0; i < c->nparams; i++)
        if (c->params[i].name == in) {
            c->params[i].v = v;
            return;
        }
    if (c->nparams < (int)(sizeof c->params / sizeof c->params[0])) {
        c->params[c->nparams].name = in;
        c->params[c->nparams++].v = v;
    }
}

void elm_ctx_begin(elm_ctx_t *c, json_t *const *resources, size_t n)
{
    arena_reset(c->a);
    if (c->nslots < c->eng->nslots) {
        c->nslots = c->eng->nslots;
        mem_free(c->memo);
        mem_free(c->memo_state);
        c->memo = mem_calloc((size_t)c->nslots, sizeof *c->memo);
        c->memo_state = mem_calloc((size_t)c->nslots, 1);
    } else {
        memset(c->memo_state, 0, (size_t)c->nslots);
    }
    c->res = resources;
    c->nres = n;
    c->rc = n ? arena_calloc(c->a, n, sizeof *c->rc) : NULL;
    for (int t = 0; t < c->ntypes; t++)
        c->types[t].n = 0;
    int used = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rt = json_string_value(json_object_get(resources[i], "resourceType"));
        if (!rt)
            continue;
        int t = 0;
        while (t < used && strcmp(c->types[t].type, rt) != 0)
            t++;
        if (t == used) {
            if (used == (int)(sizeof c->types / sizeof c->types[0]))
                continue; /* more types than any measure reads: the rest are ignored */
            /* The retrieves' interned name, so that they compare pointers. */
            for (int k = 0; k < c->eng->nrtypes; k++)
                if (strcmp(c->eng->rtypes[k], rt) == 0)
                    rt = c->eng->rtypes[k];
            c->types[t].type = rt;
            c->types[t].n = 0;
            used++;
            if (used > c->ntypes)
                c->ntypes = used;
        }
        struct rtype_bucket *b = &c->types[t];
        if (b->n == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 32;
            b->idx = mem_realloc(b->idx, b->cap * sizeof *b->idx);
        }
        b->idx[b->n++] = i;
    }
    for (int t = used; t < c->ntypes; t++) {
        c->types[t].n = 0;
        c->types[t].type = "";
    }
    c->env_n = c->env_base = 0;
    c->failed = false;
    c->errmsg[0] = 0;
    c->nwarn = 0;
    c->warnmsg[0] = 0;
}

/* A CQL Message with severity Error, or a FHIRHelpers conversion the data
 * does not allow: reported, and evaluation goes on with the Message's source
 * (as the reference engine, cql-execution, does). */
static void elm_warn(elm_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void elm_warn(elm_ctx_t *c, const char *fmt, ...)
{
    if (c->nwarn++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->warnmsg, sizeof c->warnmsg, fmt, ap);
        va_end(ap);
    }
}

int elm_ctx_warnings(const elm_ctx_t *c, const char **first)
{
    if (first)
        *first = c->nwarn ? c->warnmsg : NULL;
    return c->nwarn;
}

void elm_raise(elm_ctx_t *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
}

int elm_eval(elm_ctx_t *c, elm_def_t *def, const cql_value_t **out, err_t *e)
{
    if (c->nslots < c->eng->nslots) {
        /* Definitions compiled after begin: grow the memo table. */
        int old = c->nslots;
        c->nslots = c->eng->nslots;
        c->memo = mem_realloc(c->memo, (size_t)c->nslots * sizeof *c->memo);
        c->memo_state = mem_realloc(c->memo_state, (size_t)c->nslots);
        memset(c->memo_state + old, 0, (size_t)(c->nslots - old));
    }
    node_t ref = { 0 };
    ref.op = OP_ExpressionRef;
    ref.def = def;
    ref.slot = -1;
    *out = ev(c, &ref);
    if (c->failed)
        return err_set(e, ERR_INPUT, "%s", c->errmsg);
    return 0;
}

/* ---- environment ---- */

static void env_push(elm_ctx_t *c, const char *name, const cql_value_t *v)
{
    if (c->env_n == c->env_cap) {
        c->env_cap = c->env_cap ? c->env_cap * 2 : 64;
        c->env = mem_realloc(c->env, (size_t)c->env_cap * sizeof *c->env);
    }
    c->env[c->env_n].name = name;
    c->env[c->env_n++].v = v;
}

static bool env_get(elm_ctx_t *c, const char *name, const cql_value_t **v)
{
    for (int i = c->env_n - 1; i >= c->env_base; i--)
        if (c->env[i].name == name) {
            *v = c->env[i].v;
            return true;
        }
    return false;
}

/* ---- helpers ---- */

#define A (c->a)

static bool is_list(const cql_value_t *v)
{
    return v && v->kind == CQL_LIST;
}

static bool is_temporal(const cql_value_t *v)
{
    return v && (v->kind == CQL_DATE || v->kind == CQL_DATETIME || v->kind == CQL_TIME);
}

static const cql_value_t *P(elm_ctx_t *c, const cql_value_t *v)
{
    return cql_prim(A, v);
}

static const cql_value_t *evp(elm_ctx_t *c, const node_t *n)
{
    return n ? P(c, ev(c, n)) : NULL;
}

/* Items of a list value (a non-list counts as a list of one; null as empty). */
static int items_of(const cql_value_t *v, const cql_value_t *const **items, const cql_value_t **one)
{
    if (!v) {
        *items = NULL;
        return 0;
    }
    if (v->kind == CQL_LIST) {
        *items = v->u.list.items;
        return v->u.list.n;
    }
    *one = v;
    *items = one;
    return 1;
}

/* Identity used by distinct and union: null equals null. */
static bool same(elm_ctx_t *c, const cql_value_t *x, const cql_value_t *y)
{
    if (!x || !y)
        return x == y;
    if (x == y)
        return true;
    if (x->kind == CQL_FHIR && y->kind == CQL_FHIR && json_is_object(x->u.fhir.j))
        return x->u.fhir.j == y->u.fhir.j;
    return cql_equal(A, x, y) == CQL_TRUE;
}

static const cql_value_t *distinct_list(elm_ctx_t *c, const cql_value_t *const *items, int n)
{
    cql_lb_t lb = { 0 };
    for (int i = 0; i < n; i++) {
        bool dup = false;
        for (int k = 0; k < lb.n && !dup; k++)
            dup = same(c, lb.items[k], items[i]);
        if (!dup)
            cql_lb_push(A, &lb, items[i]);
    }
    return cql_lb_done(A, &lb);
}

static cql_tri_t cmp3(elm_ctx_t *c, const cql_value_t *x, const cql_value_t *y, int prec,
                      bool (*pred)(int))
{
    int r;
    if (cql_compare(A, x, y, prec, &r))
        return CQL_UNKNOWN;
    return pred(r) ? CQL_TRUE : CQL_FALSE;
}

static bool p_lt(int r)
{
    return r < 0;
}
static bool p_le(int r)
{
    return r <= 0;
}
static bool p_gt(int r)
{
    return r > 0;
}
static bool p_ge(int r)
{
    return r >= 0;
}
static bool p_eq(int r)
{
    return r == 0;
}

/* ---- FHIR model: element types needed to convert primitives ---- */

/* FHIR element types that decide how a primitive converts (date vs dateTime
 * vs string): the temporal elements of the resources the measures read.
 * Choice elements carry their type in the JSON key (effectiveDateTime). */
static const char *elem_type(const char *name)
{
    static const struct {
        const char *n, *t;
    } m[] = { { "birthDate", "date" },
              { "start", "dateTime" },
              { "end", "dateTime" },
              { "authoredOn", "dateTime" },
              { "recordedDate", "dateTime" },
              { "issued", "instant" },
              { "date", "dateTime" },
              { "created", "dateTime" },
              { "lastUpdated", "instant" },
              { "recorded", "instant" },
              { "whenHandedOver", "dateTime" },
              { "whenPrepared", "dateTime" },
              { "dateAsserted", "dateTime" },
              { "assertedDate", "dateTime" } };
    /* Cheap reject: all of them start with one of these letters. */
    switch (name[0]) {
    case 'a':
    case 'b':
    case 'c':
    case 'd':
    case 'e':
    case 'i':
    case 'l':
    case 'r':
    case 's':
    case 'w':
        break;
    default:
        return NULL;
    }
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i].n[0] == name[0] && strcmp(m[i].n, name) == 0)
            return m[i].t;
    return NULL;
}

/* The FHIR type named by a choice element's key suffix ("DateTime" ->
 * "dateTime"; complex types keep their name, pointing into the JSON key, which
 * lives as long as the resource). No engine state is touched: contexts run
 * concurrently over one engine. */
static const char *choice_type(const char *suffix)
{
    static const char *const prims[][2] = { { "Boolean", "boolean" },
                                            { "Integer", "integer" },
                                            { "Decimal", "decimal" },
                                            { "String", "string" },
                                            { "Date", "date" },
                                            { "DateTime", "dateTime" },
                                            { "Instant", "instant" },
                                            { "Time", "time" },
                                            { "Uri", "uri" },
                                            { "Url", "url" },
                                            { "Code", "code" },
                                            { "Id", "id" },
                                            { "Canonical", "canonical" },
                                            { "Markdown", "markdown" },
                                            { "PositiveInt", "positiveInt" },
                                            { "UnsignedInt", "unsignedInt" },
                                            { "Base64Binary", "base64Binary" },
                                            { "Oid", "oid" },
                                            { "Uuid", "uuid" } };
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        if (prims[i][0][0] == suffix[0] && strcmp(prims[i][0], suffix) == 0)
            return prims[i][1];
    return suffix;
}

static const cql_value_t *wrap_json(elm_ctx_t *c, json_t *j, const char *type)
{
    if (json_is_array(j)) {
        size_t n = json_array_size(j);
        if (n == 0)
            return CQL_EMPTY_LIST;
        const cql_value_t **items = arena_alloc(A, n * sizeof *items);
        int k = 0;
        for (size_t i = 0; i < n; i++) {
            const cql_value_t *v = cql_fhir(A, json_array_get(j, i), type);
            if (v)
                items[k++] = v;
        }
        return cql_list(A, items, k);
    }
    return cql_fhir(A, j, type);
}

static const cql_value_t *fhir_prop(elm_ctx_t *c, const cql_value_t *v, const char *name)
{
    json_t *j = v->u.fhir.j;
    if (!json_is_object(j)) {
        if (strcmp(name, "value") == 0)
            return P(c, v);
        return NULL;
    }
    json_t *child = json_object_get(j, name);
    if (child)
        return wrap_json(c, child, elem_type(name));
    /* A choice element: name + type suffix (effectiveDateTime, valueQuantity). */
    size_t nl = strlen(name);
    const char *key;
    json_t *val;
    json_object_foreach(j, key, val)
    {
        if (strncmp(key, name, nl) == 0 && key[nl] >= 'A' && key[nl] <= 'Z')
            return wrap_json(c, val, choice_type(key + nl));
    }
    return NULL;
}

const cql_value_t *elm_property(elm_ctx_t *c, const cql_value_t *v, const char *name)
{
    if (!v)
        return NULL;
    switch (v->kind) {
    case CQL_LIST: {
        cql_lb_t lb = { 0 };
        for (int i = 0; i < v->u.list.n; i++) {
            const cql_value_t *r = elm_property(c, v->u.list.items[i], name);
            if (!r)
                continue;
            if (r->kind == CQL_LIST)
                for (int k = 0; k < r->u.list.n; k++)
                    cql_lb_push(A, &lb, r->u.list.items[k]);
            else
                cql_lb_push(A, &lb, r);
        }
        return cql_lb_done(A, &lb);
    }
    case CQL_FHIR:
        return fhir_prop(c, v, name);
    case CQL_TUPLE:
        for (int i = 0; i < v->u.tuple.n; i++)
            if (strcmp(v->u.tuple.names[i], name) == 0)
                return v->u.tuple.vals[i];
        return NULL;
    case CQL_CODE:
        if (!strcmp(name, "code"))
            return cql_str(A, v->u.code.code);
        if (!strcmp(name, "system"))
            return cql_str(A, v->u.code.system);
        if (!strcmp(name, "version"))
            return cql_str(A, v->u.code.version);
        if (!strcmp(name, "display"))
            return cql_str(A, v->u.code.display);
        return NULL;
    case CQL_CONCEPT:
        if (!strcmp(name, "codes"))
            return cql_list(A, v->u.concept.codes, v->u.concept.n);
        if (!strcmp(name, "display"))
            return cql_str(A, v->u.concept.display);
        return NULL;
    case CQL_IVL:
        if (!strcmp(name, "low"))
            return v->u.ivl.lo;
        if (!strcmp(name, "high"))
            return v->u.ivl.hi;
        if (!strcmp(name, "lowClosed"))
            return cql_bool(v->u.ivl.lc);
        if (!strcmp(name, "highClosed"))
            return cql_bool(v->u.ivl.hc);
        return NULL;
    case CQL_QTY:
        if (!strcmp(name, "value"))
            return cql_dec(A, v->u.q.v);
        if (!strcmp(name, "unit"))
            return cql_str(A, v->u.q.unit);
        return NULL;
    case CQL_RATIO:
        if (!strcmp(name, "numerator"))
            return v->u.ratio.num;
        if (!strcmp(name, "denominator"))
            return v->u.ratio.den;
        return NULL;
    default:
        return NULL;
    }
}

/* Guesses a FHIR complex type from the shape of its JSON. */
static const char *shape_type(json_t *j)
{
    if (json_is_string(j))
        return "string";
    if (json_is_boolean(j))
        return "boolean";
    if (json_is_integer(j))
        return "integer";
    if (json_is_real(j))
        return "decimal";
    if (!json_is_object(j))
        return NULL;
    json_t *rt = json_object_get(j, "resourceType");
    if (rt)
        return json_string_value(rt);
    if (json_object_get(j, "coding") || json_object_get(j, "text"))
        return "CodeableConcept";
    if (json_object_get(j, "start") || json_object_get(j, "end"))
        return "Period";
    if (json_object_get(j, "low") || json_object_get(j, "high"))
        return "Range";
    if (json_object_get(j, "numerator"))
        return "Ratio";
    if (json_object_get(j, "value") && !json_object_get(j, "url"))
        return "Quantity";
    if (json_object_get(j, "repeat") || json_object_get(j, "event"))
        return "Timing";
    if (json_object_get(j, "reference"))
        return "Reference";
    if (json_object_get(j, "code") || json_object_get(j, "system"))
        return "Coding";
    return NULL;
}

static const char *fhir_type_of(const cql_value_t *v)
{
    json_t *rt = json_is_object(v->u.fhir.j) ? json_object_get(v->u.fhir.j, "resourceType") : NULL;
    if (rt)
        return json_string_value(rt);
    if (v->u.fhir.type)
        return v->u.fhir.type;
    return shape_type(v->u.fhir.j);
}

static bool fhir_type_matches(const char *have, const char *want, json_t *j)
{
    if (!have)
        return false;
    if (strcmp(have, want) == 0)
        return true;
    if (json_is_object(j) && json_object_get(j, "resourceType"))
        return strcmp(want, "Resource") == 0 || strcmp(want, "DomainResource") == 0;
    /* FHIR profiles of Quantity and the string-like primitives. */
    if (strcmp(want, "Quantity") == 0)
        return !strcmp(have, "Age") || !strcmp(have, "Duration") || !strcmp(have, "Count") ||
               !strcmp(have, "Distance") || !strcmp(have, "SimpleQuantity");
    return false;
}

bool elm_is_type(elm_ctx_t *c, const cql_value_t *v, const ttype_t *t)
{
    if (!v)
        return false;
    switch (t->tk) {
    case TT_ANY:
        return true;
    case TT_LIST:
        return v->kind == CQL_LIST;
    case TT_INTERVAL:
        return v->kind == CQL_IVL;
    case TT_SYSTEM: {
        const cql_value_t *p = P(c, v);
        return p && p->kind == t->kind;
    }
    case TT_FHIR:
        if (v->kind != CQL_FHIR)
            return false;
        return fhir_type_matches(fhir_type_of(v), t->name, v->u.fhir.j);
    }
    return false;
}

/* ---- native FHIRHelpers ---- */

static json_t *jget(const cql_value_t *v, const char *k)
{
    if (!v || v->kind != CQL_FHIR || !json_is_object(v->u.fhir.j))
        return NULL;
    return json_object_get(v->u.fhir.j, k);
}

static const char *jgets(const cql_value_t *v, const char *k)
{
    return json_string_value(jget(v, k));
}

static const char *calendar_unit(const char *u)
{
    static const char *const m[][2] = { { "ms", "millisecond" }, { "s", "second" },
                                        { "min", "minute" },     { "h", "hour" },
                                        { "d", "day" },          { "wk", "week" },
                                        { "mo", "month" },       { "a", "year" } };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i][0], u) == 0)
            return m[i][1];
    return u;
}

static const cql_value_t *fh_quantity(elm_ctx_t *c, const cql_value_t *v, bool ignore_cmp)
{
    if (!v)
        return NULL;
    if (v->kind == CQL_QTY)
        return v;
    json_t *val = jget(v, "value");
    if (!json_is_number(val))
        return NULL;
    if (!ignore_cmp && jget(v, "comparator")) {
        elm_warn(c, "FHIRHelpers.ToQuantity: FHIR Quantity value has a comparator and cannot be "
                    "converted to a System.Quantity value");
        return NULL;
    }
    const char *sys = jgets(v, "system");
    if (sys && strcmp(sys, "http://unitsofmeasure.org") != 0 &&
        strcmp(sys, "http://hl7.org/fhirpath/CodeSystem/calendar-units") != 0) {
        elm_warn(c, "FHIRHelpers.ToQuantity: invalid FHIR Quantity code system %s", sys);
        return NULL;
    }
    const char *u = jgets(v, "code");
    if (!u)
        u = jgets(v, "unit");
    if (!u)
        u = "1";
    return cql_qty(A, json_number_value(val), calendar_unit(u));
}

static const cql_value_t *fh_dt(elm_ctx_t *c, json_t *j, bool open_start)
{
    (void)open_start;
    const char *s = json_string_value(j);
    if (!s)
        return NULL;
    cql_dt_t dt;
    bool is_date;
    if (cql_dt_parse(s, &dt, &is_date))
        return NULL;
    return cql_dtv(A, CQL_DATETIME, dt);
}

static const cql_value_t *fh_interval(elm_ctx_t *c, const cql_value_t *v)
{
    if (!v)
        return NULL;
    if (v->kind == CQL_IVL)
        return v;
    if (v->kind != CQL_FHIR)
        return NULL;
    const char *t = fhir_type_of(v);
    if (t && strcmp(t, "Period") == 0) {
        const cql_value_t *lo = fh_dt(c, jget(v, "start"), true);
        const cql_value_t *hi = fh_dt(c, jget(v, "end"), false);
        /* FHIRHelpers 4.4: an unknown start is an open boundary. */
        return cql_ivl(A, lo, lo != NULL, hi, true);
    }
    if (t && strcmp(t, "Range") == 0) {
        json_t *lo = jget(v, "low"), *hi = jget(v, "high");
        return cql_ivl(A, lo ? fh_quantity(c, cql_fhir(A, lo, "Quantity"), false) : NULL, true,
                       hi ? fh_quantity(c, cql_fhir(A, hi, "Quantity"), false) : NULL, true);
    }
    if (t && fhir_type_matches(t, "Quantity", v->u.fhir.j)) {
        const char *cmp = jgets(v, "comparator");
        const cql_value_t *q = fh_quantity(c, v, true);
        if (!cmp)
            return cql_ivl(A, q, true, q, true);
        if (!strcmp(cmp, "<"))
            return cql_ivl(A, NULL, true, q, false);
        if (!strcmp(cmp, "<="))
            return cql_ivl(A, NULL, true, q, true);
        if (!strcmp(cmp, ">="))
            return cql_ivl(A, q, true, NULL, true);
        return cql_ivl(A, q, false, NULL, true);
    }
    return NULL;
}

static const cql_value_t *fh_code(elm_ctx_t *c, const cql_value_t *v)
{
    if (!v || v->kind == CQL_CODE)
        return v;
    if (v->kind != CQL_FHIR)
        return NULL;
    return cql_code(A, jgets(v, "code"), jgets(v, "system"), jgets(v, "version"),
                    jgets(v, "display"));
}

static const cql_value_t *fh_concept(elm_ctx_t *c, const cql_value_t *v)
{
    if (!v || v->kind == CQL_CONCEPT)
        return v;
    if (v->kind == CQL_LIST) {
        cql_lb_t lb = { 0 };
        for (int i = 0; i < v->u.list.n; i++)
            cql_lb_push(A, &lb, fh_concept(c, v->u.list.items[i]));
        return cql_lb_done(A, &lb);
    }
    if (v->kind != CQL_FHIR || !json_is_object(v->u.fhir.j))
        return NULL;
    cql_value_t *r = cql_new(A, CQL_CONCEPT);
    json_t *coding = jget(v, "coding");
    int n = (int)json_array_size(coding);
    r->u.concept.codes = arena_alloc(A, (size_t)(n ? n : 1) * sizeof *r->u.concept.codes);
    for (int i = 0; i < n; i++)
    r->u.concept.codes[i] = fh_code(c, cql_fhir(A, json_array_get(coding, (size_t)i), "Coding"));
    r->u.concept.n = n;
    r->u.concept.display = jgets(v, "text");
    return r;
}

static const cql_value_t *fh_ratio(elm_ctx_t *c, const cql_value_t *v)
{
    if (!v || v->kind != CQL_FHIR)
        return NULL;
    cql_value_t *r = cql_new(A, CQL_RATIO);
    r->u.ratio.num = fh_quantity(c, cql_fhir(A, jget(v, "numerator"), "Quantity"), false);
    r->u.ratio.den = fh_quantity(c, cql_fhir(A, jget(v, "denominator"), "Quantity"), false);
    return r;
}

static const cql_value_t *fh_value(elm_ctx_t *c, const cql_value_t *v)
{
    if (!v || v->kind != CQL_FHIR)
        return v;
    const char *t = fhir_type_of(v);
    if (!t)
        return v;
    json_t *j = v->u.fhir.j;
    if (!json_is_object(j))
        return P(c, v);
    if (!strcmp(t, "Period") || !strcmp(t, "Range"))
        return fh_interval(c, v);
    if (fhir_type_matches(t, "Quantity", j))
        return fh_quantity(c, v, false);
    if (!strcmp(t, "Ratio"))
        return fh_ratio(c, v);
    if (!strcmp(t, "CodeableConcept"))
        return fh_concept(c, v);
    if (!strcmp(t, "Coding"))
        return fh_code(c, v);
    return v;
}

static const cql_value_t *prim_as(elm_ctx_t *c, const cql_value_t *v, const char *type)
{
    if (!v || v->kind != CQL_FHIR)
        return v;
    cql_value_t t = *v;
    t.u.fhir.type = type;
    return P(c, &t);
}

#define NATIVE(name) static const cql_value_t *name(elm_ctx_t *c, const cql_value_t **a, int n)
NATIVE(nf_value)
{
    return n == 1 ? fh_value(c, a[0]) : NULL;
}
NATIVE(nf_interval)
{
    return n == 1 ? fh_interval(c, a[0]) : NULL;
}
NATIVE(nf_quantity)
{
    return n == 1 ? fh_quantity(c, a[0], false) : NULL;
}
NATIVE(nf_quantity_ic)
{
    return n == 1 ? fh_quantity(c, a[0], true) : NULL;
}
NATIVE(nf_concept)
{
    return n == 1 ? fh_concept(c, a[0]) : NULL;
}
NATIVE(nf_code)
{
    return n == 1 ? fh_code(c, a[0]) : NULL;
}
NATIVE(nf_ratio)
{
    return n == 1 ? fh_ratio(c, a[0]) : NULL;
}
NATIVE(nf_string)
{
    if (n != 1 || !a[0])
        return NULL;
    if (a[0]->kind == CQL_FHIR && json_is_string(a[0]->u.fhir.j))
        return cql_str(A, json_string_value(a[0]->u.fhir.j));
    return P(c, a[0]);
}
NATIVE(nf_boolean)
{
    return n == 1 ? prim_as(c, a[0], "boolean") : NULL;
}
NATIVE(nf_integer)
{
    return n == 1 ? prim_as(c, a[0], "integer") : NULL;
}
NATIVE(nf_decimal)
{
    return n == 1 ? prim_as(c, a[0], "decimal") : NULL;
}
NATIVE(nf_date)
{
    return n == 1 ? prim_as(c, a[0], "date") : NULL;
}
NATIVE(nf_datetime)
{
    return n == 1 ? prim_as(c, a[0], "dateTime") : NULL;
}
NATIVE(nf_time)
{
    return n == 1 ? prim_as(c, a[0], "time") : NULL;
}
NATIVE(nf_calendar_unit)
{
    const cql_value_t *s = n == 1 ? P(c, a[0]) : NULL;
    if (!s || s->kind != CQL_STR)
        return NULL;
    return cql_str(A, calendar_unit(s->u.s));
}

native_fn elm_fhirhelpers_native(const char *name)
{
    static const struct {
        const char *n;
        native_fn f;
    } m[] = { { "ToValue", nf_value },
              { "ToInterval", nf_interval },
              { "ToQuantity", nf_quantity },
              { "ToQuantityIgnoringComparator", nf_quantity_ic },
              { "ToConcept", nf_concept },
              { "ToCode", nf_code },
              { "ToRatio", nf_ratio },
              { "ToString", nf_string },
              { "ToBoolean", nf_boolean },
              { "ToInteger", nf_integer },
              { "ToDecimal", nf_decimal },
              { "ToDate", nf_date },
              { "ToDateTime", nf_datetime },
              { "ToTime", nf_time },
              { "ToCalendarUnit", nf_calendar_unit } };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i].n, name) == 0)
            return m[i].f;
    return NULL;
}

/* ---- retrieve ---- */

/* Whether one of codes is in vs, or matches wanted (cmp '=' equal, else
 * equivalent). entries: the codes' value-set table entries when known. */
static bool codes_match(elm_ctx_t *c, const cql_value_t *const *codes,
                        const vs_code_t *const *entries, int n, const elm_vs_t *vs,
                        const cql_value_t *wanted, char cmp)
{
    for (int i = 0; i < n; i++) {
        const cql_value_t *cd = codes[i];
        if (vs) {
            if (elm_vs_has(vs, entries ? entries[i]
                                       : elm_vs_code(c->eng, cd->u.code.system, cd->u.code.code)))
                return true;
            continue;
        }
        const cql_value_t *const *w;
        const cql_value_t *one;
        int nw = items_of(wanted, &w, &one);
        for (int k = 0; k < nw; k++) {
            if (!w[k])
                continue;
            if (cmp == '=' ? cql_equal(A, cd, w[k]) == CQL_TRUE : cql_equivalent(A, cd, w[k]))
                return true;
        }
    }
    return false;
}

static bool code_in(elm_ctx_t *c, const cql_value_t *codes_v, const elm_vs_t *vs,
                    const cql_value_t *wanted, char cmp)
{
    const cql_value_t **codes;
    int n = cql_codes_of(A, codes_v, &codes);
    return codes_match(c, codes, NULL, n, vs, wanted, cmp);
}

static bool has_code(json_t *cc, const char *code)
{
    size_t i;
    json_t *cd;
    json_array_foreach(json_object_get(cc, "coding"), i, cd)
    {
        const char *s = json_string_value(json_object_get(cd, "code"));
        if (s && strcmp(s, code) == 0)
            return true;
    }
    return false;
}

static bool has_category(json_t *res, const char *code)
{
    size_t i;
    json_t *cat;
    json_array_foreach(json_object_get(res, "category"), i, cat)
    {
        if (has_code(cat, code))
            return true;
    }
    return false;
}

static const cql_value_t *eval_retrieve(elm_ctx_t *c, const node_t *n)
{
    if (n->slot >= 0 && c->memo_state[n->slot] == 2)
        return c->memo[n->slot];
    const retrieve_t *r = n->r;
    const elm_vs_t *vs = NULL;
    const cql_value_t *wanted = NULL;
    if (r->codes) {
        if (r->codes->op == OP_ValueSetRef)
            vs = r->codes->vs;
        else
            wanted = ev(c, r->codes);
    }
    cql_lb_t lb = { 0 };
    const struct rtype_bucket *b = NULL;
    for (int t = 0; t < c->ntypes && !b; t++)
        if (c->types[t].n && c->types[t].type == r->type) /* both interned */
            b = &c->types[t];
    bool requests =
        b && (!strcmp(r->type, "MedicationRequest") || !strcmp(r->type, "ServiceRequest"));
    for (size_t k = 0; b && k < b->n; k++) {
        json_t *res = c->res[b->idx[k]];
        struct res_cache *rc = &c->rc[b->idx[k]];
        if (!rc->flags) {
            const char *st = json_string_value(json_object_get(res, "status"));
            rc->dnp = json_is_true(json_object_get(res, "doNotPerform"));
            rc->cancelled = st && strcmp(st, "cancelled") == 0;
            rc->flags = true;
        }
        if (r->profile == RP_NOT_REQUESTED && !rc->dnp)
            continue;
        if (r->profile == RP_NONE && requests && rc->dnp)
            continue;
        if (r->profile == RP_NOT_DONE && !rc->cancelled)
            continue;
        /* FHIR vital-signs profiles: the fixed LOINC code and category vital-signs. */
        if (r->fixed_code && (!has_code(json_object_get(res, "code"), r->fixed_code) ||
                              !has_category(res, "vital-signs")))
            continue;
        if (!rc->v)
            rc->v = cql_fhir(A, res, NULL);
        const cql_value_t *rv = rc->v;
        if (r->codes) {
            if (rc->code_path != r->code_path) {
                const cql_value_t *cv = elm_property(c, rv, r->code_path);
                const cql_value_t **codes;
                rc->ncodes = cql_codes_of(A, cv, &codes);
                rc->codes = codes;
                rc->entries = NULL;
                rc->code_path = r->code_path;
            }
            if (vs && !rc->entries && rc->ncodes) {
                const vs_code_t **en = arena_alloc(A, (size_t)rc->ncodes * sizeof *en);
                for (int i = 0; i < rc->ncodes; i++)
                    en[i] =
                        elm_vs_code(c->eng, rc->codes[i]->u.code.system, rc->codes[i]->u.code.code);
                rc->entries = en;
            }
            if (!codes_match(c, rc->codes, rc->entries, rc->ncodes, vs, wanted, r->comparator))
                continue;
        }
        cql_lb_push(A, &lb, rv);
    }
    const cql_value_t *out = cql_lb_done(A, &lb);
    if (n->slot >= 0) {
        c->memo[n->slot] = out;
        c->memo_state[n->slot] = 2;
    }
    return out;
}

/* ---- query ---- */

typedef struct qstate {
    elm_ctx_t *c;
    const query_t *q;
    const cql_value_t **srcv; /* evaluated sources */
    cql_lb_t out;
} qstate_t;

static bool rel_ok(elm_ctx_t *c, const qrel_t *rel)
{
    const cql_value_t *src = ev(c, rel->expr);
    const cql_value_t *const *items;
    const cql_value_t *one;
    int n = items_of(src, &items, &one);
    bool found = false;
    for (int i = 0; i < n && !found && !c->failed; i++) {
        if (!items[i])
            continue;
        env_push(c, rel->alias, items[i]);
        found = cql_tri_of(ev(c, rel->such)) == CQL_TRUE;
        c->env_n--;
    }
    return rel->without ? !found : found;
}

static void q_row(qstate_t *s)
{
    elm_ctx_t *c = s->c;
    const query_t *q = s->q;
    int mark = c->env_n;
    for (int i = 0; i < q->nlet; i++)
        env_push(c, q->let[i].alias, ev(c, q->let[i].expr));
    bool ok = true;
    for (int i = 0; i < q->nrel && ok; i++)
        ok = rel_ok(c, &q->rel[i]);
    if (ok && q->where)
        ok = cql_tri_of(ev(c, q->where)) == CQL_TRUE;
    if (ok) {
        const cql_value_t *r;
        if (q->ret) {
            r = ev(c, q->ret);
        } else if (q->nsrc == 1) {
            r = c->env[mark - 1].v;
        } else {
            cql_value_t *t = cql_new(A, CQL_TUPLE);
            t->u.tuple.n = q->nsrc;
            t->u.tuple.names = arena_alloc(A, (size_t)q->nsrc * sizeof *t->u.tuple.names);
            t->u.tuple.vals = arena_alloc(A, (size_t)q->nsrc * sizeof *t->u.tuple.vals);
            for (int i = 0; i < q->nsrc; i++) {
                t->u.tuple.names[i] = q->src[i].alias;
                t->u.tuple.vals[i] = c->env[mark - q->nsrc + i].v;
            }
            r = t;
        }
        cql_lb_push(A, &s->out, r);
    }
    c->env_n = mark;
}

static void q_product(qstate_t *s, int k)
{
    elm_ctx_t *c = s->c;
    if (c->failed)
        return;
    if (k == s->q->nsrc) {
        q_row(s);
        return;
    }
    const cql_value_t *const *items;
    const cql_value_t *one;
    int n = items_of(s->srcv[k], &items, &one);
    for (int i = 0; i < n; i++) {
        if (!items[i])
            continue;
        env_push(c, s->q->src[k].alias, items[i]);
        q_product(s, k + 1);
        c->env_n--;
    }
}

static int sort_cmp(elm_ctx_t *c, const query_t *q, const cql_value_t *x, const cql_value_t *y)
{
    for (int i = 0; i < q->nsort; i++) {
        const qsort_t *s = &q->sort[i];
        const cql_value_t *kx = x, *ky = y;
        if (s->expr) {
            c->sort_item = x;
            kx = ev(c, s->expr);
            c->sort_item = y;
            ky = ev(c, s->expr);
            c->sort_item = NULL;
        } else if (s->path) {
            kx = elm_property(c, x, s->path);
            ky = elm_property(c, y, s->path);
        }
        int r = 0;
        kx = P(c, kx);
        ky = P(c, ky);
        if (!kx || !ky)
            r = (kx ? 1 : 0) - (ky ? 1 : 0); /* nulls first ascending */
        else if (cql_compare(A, kx, ky, CQL_P_NONE, &r))
            r = 0;
        if (r)
            return s->desc ? -r : r;
    }
    return 0;
}

static const cql_value_t *eval_query(elm_ctx_t *c, const node_t *n)
{
    const query_t *q = n->q;
    qstate_t s = { c, q, NULL, { 0 } };
    s.srcv = arena_alloc(A, (size_t)q->nsrc * sizeof *s.srcv);
    bool list_result = false;
    for (int i = 0; i < q->nsrc; i++) {
        s.srcv[i] = ev(c, q->src[i].expr);
        if (is_list(s.srcv[i]))
            list_result = true;
        else if (!s.srcv[i] && q->nsrc == 1)
            return NULL;
    }
    q_product(&s, 0);
    if (c->failed)
        return NULL;
    const cql_value_t *res = cql_lb_done(A, &s.out);
    if (q->ret && q->distinct)
        res = distinct_list(c, res->u.list.items, res->u.list.n);
    if (q->agg_expr) {
        const cql_value_t *items_v = res;
        if (q->agg_distinct)
            items_v = distinct_list(c, res->u.list.items, res->u.list.n);
        const cql_value_t *acc = q->agg_start ? ev(c, q->agg_start) : NULL;
        for (int i = 0; i < items_v->u.list.n; i++) {
            int mark = c->env_n;
            env_push(c, q->src[0].alias, items_v->u.list.items[i]);
            env_push(c, q->agg_alias, acc);
            acc = ev(c, q->agg_expr);
            c->env_n = mark;
        }
        return acc;
    }
    if (q->nsort && res->u.list.n > 1) {
        int m = res->u.list.n;
        const cql_value_t **v = arena_alloc(A, (size_t)m * sizeof *v);
        memcpy(v, res->u.list.items, (size_t)m * sizeof *v);
        for (int i = 1; i < m; i++) { /* stable insertion sort: lists are short */
            const cql_value_t *x = v[i];
            int k = i - 1;
            while (k >= 0 && sort_cmp(c, q, v[k], x) > 0) {
                v[k + 1] = v[k];
                k--;
            }
            v[k + 1] = x;
        }
        res = cql_list(A, v, m);
    }
    if (!list_result)
        return res->u.list.n ? res->u.list.items[0] : NULL;
    return res;
}

/* ---- arithmetic ---- */

static const cql_value_t *arith(elm_ctx_t *c, int op, const cql_value_t *x, const cql_value_t *y)
{
    if (!x || !y)
        return NULL;
    bool xi = x->kind == CQL_INT, yi = y->kind == CQL_INT;
    bool xn = xi || x->kind == CQL_DEC, yn = yi || y->kind == CQL_DEC;
    if (xn && yn) {
        double p = xi ? (double)x->u.i : x->u.d, q = yi ? (double)y->u.i : y->u.d;
        switch (op) {
        case OP_Add:
            return xi && yi ? cql_int(A, x->u.i + y->u.i) : cql_dec(A, p + q);
        case OP_Subtract:
            return xi && yi ? cql_int(A, x->u.i - y->u.i) : cql_dec(A, p - q);
        case OP_Multiply:
            return xi && yi ? cql_int(A, x->u.i * y->u.i) : cql_dec(A, p * q);
        case OP_Divide:
            return q == 0 ? NULL : cql_dec(A, p / q);
        case OP_TruncatedDivide:
            if (q == 0)
                return NULL;
            return xi && yi ? cql_int(A, x->u.i / y->u.i) : cql_dec(A, trunc(p / q));
        case OP_Modulo:
            if (q == 0)
                return NULL;
            return xi && yi ? cql_int(A, x->u.i % y->u.i) : cql_dec(A, fmod(p, q));
        }
        return NULL;
    }
    if (is_temporal(x) && y->kind == CQL_QTY && (op == OP_Add || op == OP_Subtract)) {
        int unit = cql_prec_from_name(y->u.q.unit);
        if (unit == CQL_P_NONE) {
            elm_raise(c, "cannot add a quantity in '%s' to a date", y->u.q.unit);
            return NULL;
        }
        int64_t k = (int64_t)trunc(y->u.q.v);
        cql_dt_t t = x->u.dt;
        if (cql_dt_add(&t, unit, op == OP_Add ? k : -k))
            return NULL;
        return cql_dtv(A, (cql_kind_t)x->kind, t);
    }
    if (x->kind == CQL_QTY && y->kind == CQL_QTY) {
        if (op == OP_Add || op == OP_Subtract) {
            double q;
            if (cql_ucum_convert(y->u.q.v, y->u.q.unit, x->u.q.unit, &q))
                return NULL;
            return cql_qty(A, op == OP_Add ? x->u.q.v + q : x->u.q.v - q, x->u.q.unit);
        }
        if (op == OP_Divide) {
            double q;
            if (y->u.q.v == 0)
                return NULL;
            if (!cql_ucum_convert(y->u.q.v, y->u.q.unit, x->u.q.unit, &q))
                return cql_qty(A, x->u.q.v / q, "1");
            return cql_qty(A, x->u.q.v / y->u.q.v,
                           arena_printf(A, "%s/%s", x->u.q.unit, y->u.q.unit));
        }
        if (op == OP_Multiply)
            return cql_qty(A, x->u.q.v * y->u.q.v,
                           arena_printf(A, "%s.%s", x->u.q.unit, y->u.q.unit));
    }
    if (x->kind == CQL_QTY && yn) {
        double q = yi ? (double)y->u.i : y->u.d;
        if (op == OP_Multiply)
            return cql_qty(A, x->u.q.v * q, x->u.q.unit);
        if (op == OP_Divide)
            return q == 0 ? NULL : cql_qty(A, x->u.q.v / q, x->u.q.unit);
    }
    if (xn && y->kind == CQL_QTY && op == OP_Multiply)
        return cql_qty(A, (xi ? (double)x->u.i : x->u.d) * y->u.q.v, y->u.q.unit);
    elm_raise(c, "unsupported operand types for arithmetic");
    return NULL;
}

/* ---- intervals ---- */

static bool is_ivl(const cql_value_t *v)
{
    return v && v->kind == CQL_IVL;
}

static cql_tri_t le3(elm_ctx_t *c, const cql_value_t *x, const cql_value_t *y, int prec)
{
    return cmp3(c, x, y, prec, p_le);
}

static cql_tri_t lt3(elm_ctx_t *c, const cql_value_t *x, const cql_value_t *y, int prec)
{
    return cmp3(c, x, y, prec, p_lt);
}

static cql_tri_t point_in(elm_ctx_t *c, const cql_value_t *p, const cql_value_t *ivl, int prec)
{
    if (!p || !ivl)
        return CQL_UNKNOWN;
    return cql_and3(le3(c, cql_ivl_start(A, ivl), p, prec), le3(c, p, cql_ivl_end(A, ivl), prec));
}

static cql_tri_t ivl_included(elm_ctx_t *c, const cql_value_t *x, const cql_value_t *y, int prec)
{
    if (!x || !y)
        return CQL_UNKNOWN;
    return cql_and3(le3(c, cql_ivl_start(A, y), cql_ivl_start(A, x), prec),
                    le3(c, cql_ivl_end(A, x), cql_ivl_end(A, y), prec));
}

static cql_tri_t ivl_overlaps(elm_ctx_t *c, const cql_value_t *x, const cql_value_t *y, int prec)
{
    if (!x || !y)
        return CQL_UNKNOWN;
    return cql_and3(le3(c, cql_ivl_start(A, x), cql_ivl_end(A, y), prec),
                    le3(c, cql_ivl_start(A, y), cql_ivl_end(A, x), prec));
}

static const cql_value_t *lo_of(elm_ctx_t *c, const cql_value_t *v)
{
    return is_ivl(v) ? cql_ivl_start(A, v) : v;
}

static const cql_value_t *hi_of(elm_ctx_t *c, const cql_value_t *v)
{
    return is_ivl(v) ? cql_ivl_end(A, v) : v;
}

static bool list_contains(elm_ctx_t *c, const cql_value_t *list, const cql_value_t *x)
{
    if (!list || list->kind != CQL_LIST)
        return false;
    for (int i = 0; i < list->u.list.n; i++)
        if (same(c, list->u.list.items[i], x))
            return true;
    return false;
}

static const cql_value_t *collapse(elm_ctx_t *c, const cql_value_t *list)
{
    if (!list)
        return NULL;
    cql_lb_t lb = { 0 };
    for (int i = 0; i < list->u.list.n; i++)
        if (list->u.list.items[i])
            cql_lb_push(A, &lb, list->u.list.items[i]);
    /* sort by start */
    for (int i = 1; i < lb.n; i++) {
        const cql_value_t *x = lb.items[i];
        int k = i - 1;
        while (k >= 0 && cmp3(c, cql_ivl_start(A, lb.items[k]), cql_ivl_start(A, x), CQL_P_NONE,
                              p_gt) == CQL_TRUE) {
            lb.items[k + 1] = lb.items[k];
            k--;
        }
        lb.items[k + 1] = x;
    }
    cql_lb_t out = { 0 };
    for (int i = 0; i < lb.n; i++) {
        const cql_value_t *cur = lb.items[i];
        if (out.n) {
            const cql_value_t *last = out.items[out.n - 1];
            const cql_value_t *le = cql_ivl_end(A, last);
            if (le3(c, cql_ivl_start(A, cur), cql_successor(A, le, 1), CQL_P_NONE) == CQL_TRUE) {
                const cql_value_t *ce = cql_ivl_end(A, cur);
                const cql_value_t *ne = cmp3(c, ce, le, CQL_P_NONE, p_gt) == CQL_TRUE ? ce : le;
                out.items[out.n - 1] = cql_ivl(A, cql_ivl_start(A, last), true, ne, true);
                continue;
            }
        }
        cql_lb_push(A, &out, cql_ivl(A, cql_ivl_start(A, cur), true, cql_ivl_end(A, cur), true));
    }
    return cql_lb_done(A, &out);
}

/* ---- the evaluator ---- */

static const cql_value_t *eval_func(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *argv[16];
    if (n->n > 16) {
        elm_raise(c, "%s: too many arguments", n->where);
        return NULL;
    }
    for (int i = 0; i < n->n; i++)
        argv[i] = ev(c, n->a[i]);
    if (n->native)
        return n->native(c, argv, n->n);
    elm_def_t *d = n->def;
    if (n->ncands > 1) {
        d = NULL;
        for (int k = 0; k < n->ncands && !d; k++) {
            elm_def_t *x = n->cands[k];
            bool ok = true;
            for (int i = 0; i < n->n && ok; i++)
                ok = !argv[i] || elm_is_type(c, argv[i], &x->ptypes[i]);
            if (ok)
                d = x;
        }
        if (!d)
            d = n->cands[0];
    }
    if (!d->body) {
        elm_raise(c, "%s: function %s has no body", n->where, d->name);
        return NULL;
    }
    int save_base = c->env_base, save_n = c->env_n;
    c->env_base = c->env_n;
    for (int i = 0; i < n->n; i++)
        env_push(c, d->params[i], argv[i]);
    const cql_value_t *r = ev(c, d->body);
    c->env_n = save_n;
    c->env_base = save_base;
    return r;
}

static const cql_value_t *eval_def(elm_ctx_t *c, elm_def_t *d)
{
    if (d->slot < 0)
        return NULL;
    if (c->memo_state[d->slot] == 2)
        return c->memo[d->slot];
    if (c->memo_state[d->slot] == 1) {
        elm_raise(c, "%s.%s: recursive definition", d->lib->name, d->name);
        return NULL;
    }
    c->memo_state[d->slot] = 1;
    int save_base = c->env_base, save_n = c->env_n;
    c->env_base = c->env_n;
    const cql_value_t *r = d->body ? ev(c, d->body) : NULL;
    c->env_n = save_n;
    c->env_base = save_base;
    c->memo[d->slot] = r;
    c->memo_state[d->slot] = 2;
    return r;
}

static const cql_value_t *eval_param(elm_ctx_t *c, const node_t *n)
{
    for (int i = 0; i < c->nparams; i++)
        if (c->params[i].name == n->name)
            return c->params[i].v;
    return n->def ? eval_def(c, n->def) : NULL;
}

static const cql_value_t *eval_datetime(elm_ctx_t *c, const node_t *n)
{
    cql_dt_t t = { 0 };
    int comps = n->op == OP_Time ? 4 : (n->op == OP_Date ? 3 : 7);
    int base = n->op == OP_Time ? CQL_P_HOUR : CQL_P_YEAR;
    int prec = -1;
    for (int i = 0; i < comps; i++) {
        const cql_value_t *v = evp(c, n->a[i]);
        if (!v)
            break;
        int64_t x = v->kind == CQL_INT ? v->u.i : (int64_t)v->u.d;
        int p = base + i;
        switch (p) {
        case CQL_P_YEAR:
            t.y = (int16_t)x;
            break;
        case CQL_P_MONTH:
            t.mo = (int8_t)x;
            break;
        case CQL_P_DAY:
            t.d = (int8_t)x;
            break;
        case CQL_P_HOUR:
            t.h = (int8_t)x;
            break;
        case CQL_P_MINUTE:
            t.mi = (int8_t)x;
            break;
        case CQL_P_SECOND:
            t.s = (int8_t)x;
            break;
        default:
            t.ms = (int16_t)x;
        }
        prec = p;
    }
    if (prec < 0)
        return NULL;
    t.prec = (int8_t)prec;
    if (n->op == OP_DateTime && n->a[7]) {
        const cql_value_t *tz = evp(c, n->a[7]);
        double off = tz ? (tz->kind == CQL_INT ? (double)tz->u.i : tz->u.d) : 0;
        if (off != 0 && prec >= CQL_P_HOUR)
            cql_dt_add(&t, CQL_P_MINUTE, (int64_t)llround(-off * 60));
    }
    return cql_dtv(A, n->op == OP_Time ? CQL_TIME : (n->op == OP_Date ? CQL_DATE : CQL_DATETIME),
                   t);
}

static const cql_value_t *to_date(elm_ctx_t *c, const cql_value_t *v, cql_kind_t kind)
{
    if (!v)
        return NULL;
    if (v->kind == CQL_STR) {
        cql_dt_t t;
        bool is_date;
        if (cql_dt_parse(v->u.s, &t, &is_date))
            return NULL;
        v = cql_dtv(A, is_date ? CQL_DATE : CQL_DATETIME, t);
    }
    if (v->kind != CQL_DATE && v->kind != CQL_DATETIME)
        return NULL;
    cql_dt_t t = v->u.dt;
    if (kind == CQL_DATE)
        cql_dt_truncate(&t, CQL_P_DAY);
    return cql_dtv(A, kind, t);
}

static const cql_value_t *aggregate(elm_ctx_t *c, const node_t *n, const cql_value_t *src)
{
    if (!src)
        return n->op == OP_Count ? cql_int(A, 0) : NULL;
    if (src->kind != CQL_LIST) {
        elm_raise(c, "%s: aggregate over a non-list", n->where);
        return NULL;
    }
    int cnt = 0;
    const cql_value_t *best = NULL, *sum = NULL;
    bool all = true, any = false;
    for (int i = 0; i < src->u.list.n; i++) {
        const cql_value_t *v = P(c, src->u.list.items[i]);
        if (!v)
            continue;
        cnt++;
        if (v->kind == CQL_BOOL) {
            all = all && v->u.b;
            any = any || v->u.b;
        }
        if (n->op == OP_Min || n->op == OP_Max) {
            int r;
            if (!best ||
                (!cql_compare(A, v, best, CQL_P_NONE, &r) && (n->op == OP_Min ? r < 0 : r > 0)))
                best = v;
        } else if (n->op == OP_Sum || n->op == OP_Avg) {
            sum = sum ? arith(c, OP_Add, sum, v) : v;
        }
    }
    switch (n->op) {
    case OP_Count:
        return cql_int(A, cnt);
    case OP_Min:
    case OP_Max:
        return best;
    case OP_Sum:
        return sum;
    case OP_Avg:
        return cnt ? arith(c, OP_Divide, sum, cql_dec(A, cnt)) : NULL;
    case OP_AllTrue:
        return cql_bool(all);
    case OP_AnyTrue:
        return cql_bool(any);
    default:
        return NULL;
    }
}

static const cql_value_t *set_op(elm_ctx_t *c, int op, const cql_value_t *x, const cql_value_t *y)
{
    if (is_ivl(x) || is_ivl(y)) {
        if (!x || !y)
            return NULL;
        if (op == OP_Intersect) {
            if (ivl_overlaps(c, x, y, CQL_P_NONE) != CQL_TRUE)
                return NULL;
            const cql_value_t *sx = cql_ivl_start(A, x), *sy = cql_ivl_start(A, y);
            const cql_value_t *ex = cql_ivl_end(A, x), *ey = cql_ivl_end(A, y);
            return cql_ivl(A, cmp3(c, sx, sy, CQL_P_NONE, p_ge) == CQL_TRUE ? sx : sy, true,
                           cmp3(c, ex, ey, CQL_P_NONE, p_le) == CQL_TRUE ? ex : ey, true);
        }
        if (op == OP_Union) {
            const cql_value_t *pair[2] = { x, y };
            const cql_value_t *col = collapse(c, cql_list(A, pair, 2));
            return col && col->u.list.n == 1 ? col->u.list.items[0] : NULL;
        }
        elm_raise(c, "unsupported interval set operation");
        return NULL;
    }
    if (op == OP_Union) {
        const cql_value_t *const *xi, *const *yi;
        const cql_value_t *o1, *o2;
        int nx = items_of(x, &xi, &o1), ny = items_of(y, &yi, &o2);
        cql_lb_t lb = { 0 };
        for (int i = 0; i < nx; i++)
            cql_lb_push(A, &lb, xi[i]);
        for (int i = 0; i < ny; i++)
            cql_lb_push(A, &lb, yi[i]);
        return distinct_list(c, lb.items, lb.n);
    }
    if (!x || !y)
        return op == OP_Except ? x : NULL;
    cql_lb_t lb = { 0 };
    for (int i = 0; i < x->u.list.n; i++) {
        bool in = list_contains(c, y, x->u.list.items[i]);
        if (op == OP_Intersect ? in : !in)
            cql_lb_push(A, &lb, x->u.list.items[i]);
    }
    return distinct_list(c, lb.items, lb.n);
}

static const cql_value_t *eval_interval_rel(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *x = ev(c, n->a[0]), *y = ev(c, n->a[1]);
    int p = n->prec;
    x = is_ivl(x) || is_list(x) ? x : P(c, x);
    y = is_ivl(y) || is_list(y) ? y : P(c, y);
    switch (n->op) {
    case OP_In:
        if (is_list(y) || (!y && !is_ivl(x) && n->a[1]->op != OP_Interval && 0))
            return x ? cql_bool(list_contains(c, y, x)) : NULL;
        if (!y)
            return NULL;
        if (y->kind == CQL_LIST)
            return cql_bool(list_contains(c, y, x));
        if (is_ivl(x))
            return cql_tri_value(ivl_included(c, x, y, p));
        return cql_tri_value(point_in(c, x, y, p));
    case OP_Contains:
        if (is_list(x))
            return cql_bool(list_contains(c, x, y));
        return cql_tri_value(point_in(c, y, x, p));
    case OP_IncludedIn:
    case OP_Includes:
    case OP_ProperIncludedIn:
    case OP_ProperIncludes: {
        if (n->op == OP_Includes || n->op == OP_ProperIncludes) {
            const cql_value_t *t = x;
            x = y;
            y = t;
        }
        if (!x || !y)
            return NULL;
        if (is_list(x) || is_list(y)) {
            const cql_value_t *const *xi;
            const cql_value_t *o;
            int nx = items_of(x, &xi, &o);
            for (int i = 0; i < nx; i++)
                if (!list_contains(c, y, xi[i]))
                    return CQL_FALSEV;
            return CQL_TRUEV;
        }
        cql_tri_t r = is_ivl(x) ? ivl_included(c, x, y, p) : point_in(c, x, y, p);
        if (r == CQL_TRUE && (n->op == OP_ProperIncludedIn || n->op == OP_ProperIncludes))
            r = cql_not3(cql_equal(A, x, y));
        return cql_tri_value(r);
    }
    case OP_Overlaps:
        return cql_tri_value(ivl_overlaps(c, x, y, p));
    case OP_OverlapsBefore:
        return cql_tri_value(cql_and3(lt3(c, cql_ivl_start(A, x), cql_ivl_start(A, y), p),
                                      ivl_overlaps(c, x, y, p)));
    case OP_OverlapsAfter:
        return cql_tri_value(
            cql_and3(lt3(c, cql_ivl_end(A, y), cql_ivl_end(A, x), p), ivl_overlaps(c, x, y, p)));
    case OP_Before:
        if (!x || !y)
            return NULL;
        return cql_tri_value(lt3(c, hi_of(c, x), lo_of(c, y), p));
    case OP_After:
        if (!x || !y)
            return NULL;
        return cql_tri_value(lt3(c, hi_of(c, y), lo_of(c, x), p));
    case OP_SameOrBefore:
        if (!x || !y)
            return NULL;
        return cql_tri_value(le3(c, hi_of(c, x), lo_of(c, y), p));
    case OP_SameOrAfter:
        if (!x || !y)
            return NULL;
        return cql_tri_value(le3(c, hi_of(c, y), lo_of(c, x), p));
    case OP_SameAs:
        if (!x || !y)
            return NULL;
        if (is_ivl(x) && is_ivl(y))
            return cql_tri_value(
                cql_and3(cmp3(c, cql_ivl_start(A, x), cql_ivl_start(A, y), p, p_eq),
                         cmp3(c, cql_ivl_end(A, x), cql_ivl_end(A, y), p, p_eq)));
        return cql_tri_value(cmp3(c, x, y, p, p_eq));
    case OP_Starts:
        if (!x || !y)
            return NULL;
        return cql_tri_value(cql_and3(cmp3(c, cql_ivl_start(A, x), cql_ivl_start(A, y), p, p_eq),
                                      le3(c, cql_ivl_end(A, x), cql_ivl_end(A, y), p)));
    case OP_Ends:
        if (!x || !y)
            return NULL;
        return cql_tri_value(cql_and3(cmp3(c, cql_ivl_end(A, x), cql_ivl_end(A, y), p, p_eq),
                                      le3(c, cql_ivl_start(A, y), cql_ivl_start(A, x), p)));
    case OP_Meets:
    case OP_MeetsBefore:
    case OP_MeetsAfter: {
        if (!x || !y)
            return NULL;
        cql_tri_t b = cmp3(c, cql_successor(A, cql_ivl_end(A, x), 1), cql_ivl_start(A, y), p, p_eq);
        cql_tri_t a = cmp3(c, cql_successor(A, cql_ivl_end(A, y), 1), cql_ivl_start(A, x), p, p_eq);
        if (n->op == OP_MeetsBefore)
            return cql_tri_value(b);
        if (n->op == OP_MeetsAfter)
            return cql_tri_value(a);
        return cql_tri_value(cql_or3(a, b));
    }
    default:
        return NULL;
    }
}

/* ---- the evaluator ------------------------------------------------------
 *
 * ev() is one switch over the node's operator. Operators that take a line or
 * two stay in it; the others call one static function each, grouped below by
 * expression family, so that every node costs one dispatch and at most one
 * call (no tables, no allocation beyond what the operator itself makes). */

/* -- selectors: List, Tuple, Instance, Interval -- */

static const cql_value_t *ev_list(elm_ctx_t *c, const node_t *n)
{
    if (n->n == 0)
        return CQL_EMPTY_LIST;
    const cql_value_t **items = arena_alloc(A, (size_t)n->n * sizeof *items);
    for (int i = 0; i < n->n; i++)
        items[i] = ev(c, n->a[i]);
    return cql_list(A, items, n->n);
}

/* An Instance of a System structured type (Code, Quantity, Concept) from its
 * evaluated elements. */
static const cql_value_t *ev_system_instance(elm_ctx_t *c, const node_t *n,
                                             const cql_value_t *const *vals, int k)
{
    const cql_value_t *f[8] = { 0 };
    static const char *const code_f[] = { "code", "system", "version", "display" };
    for (int i = 0; i < k; i++) {
        for (int m = 0; m < 4; m++)
            if (!strcmp(n->names[i], code_f[m]))
                f[m] = P(c, vals[i]);
        if (!strcmp(n->names[i], "value"))
            f[4] = P(c, vals[i]);
        if (!strcmp(n->names[i], "unit"))
            f[5] = P(c, vals[i]);
        if (!strcmp(n->names[i], "codes"))
            f[6] = vals[i];
    }
#define SV(v) ((v) && (v)->kind == CQL_STR ? (v)->u.s : NULL)
    if (n->tt.kind == CQL_CODE)
        return cql_code(A, SV(f[0]), SV(f[1]), SV(f[2]), SV(f[3]));
    if (n->tt.kind == CQL_QTY) {
        if (!f[4])
            return NULL;
        return cql_qty(A, f[4]->kind == CQL_INT ? (double)f[4]->u.i : f[4]->u.d, SV(f[5]));
    }
    cql_value_t *cc = cql_new(A, CQL_CONCEPT);
    const cql_value_t **codes;
    cc->u.concept.n = cql_codes_of(A, f[6], &codes);
    cc->u.concept.codes = codes;
    cc->u.concept.display = SV(f[3]);
    return cc;
#undef SV
}

/* Tuple, and Instance (a tuple unless a System structured type). */
static const cql_value_t *ev_tuple(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *vals[32];
    int k = n->n < 32 ? n->n : 32;
    for (int i = 0; i < k; i++)
        vals[i] = ev(c, n->a[i]);
    if (n->op == OP_Instance && n->tt.tk == TT_SYSTEM &&
        (n->tt.kind == CQL_CODE || n->tt.kind == CQL_QTY || n->tt.kind == CQL_CONCEPT))
        return ev_system_instance(c, n, vals, k);
    cql_value_t *t = cql_new(A, CQL_TUPLE);
    t->u.tuple.n = k;
    t->u.tuple.names = arena_alloc(A, (size_t)(k ? k : 1) * sizeof(char *));
    t->u.tuple.vals = arena_alloc(A, (size_t)(k ? k : 1) * sizeof(cql_value_t *));
    for (int i = 0; i < k; i++) {
        t->u.tuple.names[i] = n->names[i];
        t->u.tuple.vals[i] = vals[i];
    }
    return t;
}

static const cql_value_t *ev_interval(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *lo = evp(c, n->a[0]), *hi = evp(c, n->a[1]);
    bool lc = n->flags & NF_LC, hc = n->flags & NF_HC;
    if (n->flags & NF_LCEXPR)
        lc = cql_tri_of(ev(c, n->a[2])) == CQL_TRUE;
    if (n->flags & NF_HCEXPR)
        hc = cql_tri_of(ev(c, n->a[3])) == CQL_TRUE;
    return cql_ivl(A, lo, lc, hi, hc);
}

/* -- references -- */

/* OperandRef, AliasRef, QueryLetRef: the innermost binding of the name (an
 * unnamed reference is the innermost binding of the current scope). */
static const cql_value_t *ev_operand_ref(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v;
    if (!n->name && c->env_n > c->env_base)
        return c->env[c->env_n - 1].v;
    if (env_get(c, n->name, &v))
        return v;
    elm_raise(c, "%s: unknown identifier %s", n->where, n->name);
    return NULL;
}

/* IdentifierRef: a binding, else a property of the item being sorted. */
static const cql_value_t *ev_identifier_ref(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v;
    if (env_get(c, n->name, &v))
        return v;
    return elm_property(c, c->sort_item, n->name);
}

/* -- logic, nullology, conditionals -- */

static const cql_value_t *ev_and(elm_ctx_t *c, const node_t *n)
{
    cql_tri_t r = CQL_TRUE;
    for (int i = 0; i < n->n && r != CQL_FALSE; i++)
        r = cql_and3(r, cql_tri_of(ev(c, n->a[i])));
    return cql_tri_value(r);
}

static const cql_value_t *ev_or(elm_ctx_t *c, const node_t *n)
{
    cql_tri_t r = CQL_FALSE;
    for (int i = 0; i < n->n && r != CQL_TRUE; i++)
        r = cql_or3(r, cql_tri_of(ev(c, n->a[i])));
    return cql_tri_value(r);
}

/* Coalesce of operands, or of the items of its one list operand. */
static const cql_value_t *ev_coalesce(elm_ctx_t *c, const node_t *n)
{
    if (n->n == 1) {
        const cql_value_t *l = ev(c, n->a[0]);
        if (is_list(l)) {
            for (int i = 0; i < l->u.list.n; i++)
                if (l->u.list.items[i])
                    return l->u.list.items[i];
            return NULL;
        }
        return l;
    }
    for (int i = 0; i < n->n; i++) {
        const cql_value_t *v = ev(c, n->a[i]);
        if (v)
            return v;
    }
    return NULL;
}

/* Case: operand 0 the comparand (NF_COMPARAND), 1 the else, then when/then
 * pairs. */
static const cql_value_t *ev_case(elm_ctx_t *c, const node_t *n)
{
    int items = (n->n - 2) / 2;
    const cql_value_t *cmp = (n->flags & NF_COMPARAND) ? ev(c, n->a[0]) : NULL;
    for (int i = 0; i < items; i++) {
        const cql_value_t *w = ev(c, n->a[2 + 2 * i]);
        bool hit = (n->flags & NF_COMPARAND) ? cql_equal(A, cmp, w) == CQL_TRUE
                                             : cql_tri_of(w) == CQL_TRUE;
        if (hit)
            return ev(c, n->a[3 + 2 * i]);
    }
    return ev(c, n->a[1]);
}

/* -- arithmetic (the binary operators are arith()) -- */

static const cql_value_t *ev_negate(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v)
        return NULL;
    if (v->kind == CQL_INT)
        return cql_int(A, -v->u.i);
    if (v->kind == CQL_DEC)
        return cql_dec(A, -v->u.d);
    if (v->kind == CQL_QTY)
        return cql_qty(A, -v->u.q.v, v->u.q.unit);
    return NULL;
}

/* Abs, Round, Truncate, Floor, Ceiling. */
static const cql_value_t *ev_rounding(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v)
        return NULL;
    if (v->kind == CQL_INT)
        return n->op == OP_Abs ? cql_int(A, v->u.i < 0 ? -v->u.i : v->u.i) : v;
    if (v->kind == CQL_QTY && n->op == OP_Abs)
        return cql_qty(A, fabs(v->u.q.v), v->u.q.unit);
    if (v->kind != CQL_DEC)
        return NULL;
    double d = v->u.d;
    switch (n->op) {
    case OP_Abs:
        return cql_dec(A, fabs(d));
    case OP_Round: {
        const cql_value_t *pr = n->n > 1 ? evp(c, n->a[1]) : NULL;
        double f = pow(10, pr && pr->kind == CQL_INT ? (double)pr->u.i : 0);
        return cql_dec(A, floor(d * f + 0.5) / f);
    }
    case OP_Truncate:
        return cql_int(A, (int64_t)trunc(d));
    case OP_Floor:
        return cql_int(A, (int64_t)floor(d));
    default:
        return cql_int(A, (int64_t)ceil(d));
    }
}

/* -- strings -- */

static const cql_value_t *ev_concatenate(elm_ctx_t *c, const node_t *n)
{
    size_t len = 0;
    const cql_value_t *parts[16];
    int k = n->n < 16 ? n->n : 16;
    for (int i = 0; i < k; i++) {
        parts[i] = evp(c, n->a[i]);
        if (!parts[i] || parts[i]->kind != CQL_STR)
            return NULL;
        len += strlen(parts[i]->u.s);
    }
    char *s = arena_alloc(A, len + 1);
    size_t o = 0;
    for (int i = 0; i < k; i++) {
        size_t l = strlen(parts[i]->u.s);
        memcpy(s + o, parts[i]->u.s, l);
        o += l;
    }
    s[o] = 0;
    return cql_str(A, s);
}

static const cql_value_t *ev_split(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *s = evp(c, n->a[0]), *sep = evp(c, n->a[1]);
    if (!s || s->kind != CQL_STR)
        return NULL;
    if (!sep || sep->kind != CQL_STR || !*sep->u.s) {
        const cql_value_t **one = arena_alloc(A, sizeof *one);
        one[0] = s;
        return cql_list(A, one, 1);
    }
    cql_lb_t lb = { 0 };
    const char *p = s->u.s;
    size_t sl = strlen(sep->u.s);
    for (;;) {
        const char *q = strstr(p, sep->u.s);
        size_t l = q ? (size_t)(q - p) : strlen(p);
        cql_lb_push(A, &lb, cql_str(A, arena_strndup(A, p, l)));
        if (!q)
            break;
        p = q + sl;
    }
    return cql_lb_done(A, &lb);
}

/* Upper, Lower (ASCII). */
static const cql_value_t *ev_case_map(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *s = evp(c, n->a[0]);
    if (!s || s->kind != CQL_STR)
        return NULL;
    char *d = arena_strdup(A, s->u.s);
    for (char *p = d; *p; p++)
        *p = (char)(n->op == OP_Upper ? (*p >= 'a' && *p <= 'z' ? *p - 32 : *p)
                                      : (*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
    return cql_str(A, d);
}

/* StartsWith, EndsWith. */
static const cql_value_t *ev_affix(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *s = evp(c, n->a[0]), *p = evp(c, n->a[1]);
    if (!s || !p || s->kind != CQL_STR || p->kind != CQL_STR)
        return NULL;
    return cql_bool(n->op == OP_StartsWith ? str_starts_with(s->u.s, p->u.s)
                                           : str_ends_with(s->u.s, p->u.s));
}

static const cql_value_t *ev_substring(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *s = evp(c, n->a[0]), *st = evp(c, n->a[1]), *ln = evp(c, n->a[2]);
    if (!s || !st || s->kind != CQL_STR || st->kind != CQL_INT)
        return NULL;
    int64_t L = (int64_t)strlen(s->u.s);
    if (st->u.i < 0 || st->u.i >= L)
        return NULL;
    int64_t m = ln && ln->kind == CQL_INT ? ln->u.i : L - st->u.i;
    if (m > L - st->u.i)
        m = L - st->u.i;
    return cql_str(A, arena_strndup(A, s->u.s + st->u.i, (size_t)(m < 0 ? 0 : m)));
}

/* Length of a string or a list. */
static const cql_value_t *ev_length(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v)
        return NULL;
    if (v->kind == CQL_STR)
        return cql_int(A, (int64_t)strlen(v->u.s));
    if (v->kind == CQL_LIST)
        return cql_int(A, v->u.list.n);
    return NULL;
}

static const cql_value_t *ev_combine(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *l = ev(c, n->a[0]), *sep = n->n > 1 ? evp(c, n->a[1]) : NULL;
    if (!is_list(l))
        return NULL;
    char *out = arena_strdup(A, "");
    for (int i = 0; i < l->u.list.n; i++) {
        const cql_value_t *s = P(c, l->u.list.items[i]);
        if (!s || s->kind != CQL_STR)
            continue;
        out = arena_printf(A, "%s%s%s", out, *out && sep ? sep->u.s : "", s->u.s);
    }
    return cql_str(A, out);
}

/* -- lists (aggregates are aggregate(), Union/Intersect/Except set_op()) -- */

static const cql_value_t *ev_exists(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *l = ev(c, n->a[0]);
    if (!l)
        return CQL_FALSEV;
    if (!is_list(l))
        return CQL_TRUEV;
    for (int i = 0; i < l->u.list.n; i++)
        if (l->u.list.items[i])
            return CQL_TRUEV;
    return CQL_FALSEV;
}

/* First, Last. */
static const cql_value_t *ev_first_last(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *l = ev(c, n->a[0]);
    if (!is_list(l) || l->u.list.n == 0)
        return NULL;
    return l->u.list.items[n->op == OP_First ? 0 : l->u.list.n - 1];
}

static const cql_value_t *ev_indexer(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *l = ev(c, n->a[0]), *i = evp(c, n->a[1]);
    if (!is_list(l) || !i || i->kind != CQL_INT || i->u.i < 0 || i->u.i >= l->u.list.n)
        return NULL;
    return l->u.list.items[i->u.i];
}

static const cql_value_t *ev_singleton(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *l = ev(c, n->a[0]);
    if (!is_list(l))
        return l;
    if (l->u.list.n > 1) {
        elm_raise(c, "%s: SingletonFrom over a list of %d items", n->where, l->u.list.n);
        return NULL;
    }
    return l->u.list.n ? l->u.list.items[0] : NULL;
}

static const cql_value_t *ev_distinct(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *l = ev(c, n->a[0]);
    if (!is_list(l))
        return l;
    return distinct_list(c, l->u.list.items, l->u.list.n);
}

static const cql_value_t *ev_flatten(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *l = ev(c, n->a[0]);
    if (!is_list(l))
        return l;
    cql_lb_t lb = { 0 };
    for (int i = 0; i < l->u.list.n; i++) {
        const cql_value_t *e = l->u.list.items[i];
        if (is_list(e))
            for (int k = 0; k < e->u.list.n; k++)
                cql_lb_push(A, &lb, e->u.list.items[k]);
        else
            cql_lb_push(A, &lb, e);
    }
    return cql_lb_done(A, &lb);
}

/* Union, Intersect, Except over two or more operands, left to right. */
static const cql_value_t *ev_set_op(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *r = ev(c, n->a[0]);
    for (int i = 1; i < n->n; i++)
        r = set_op(c, n->op, r, ev(c, n->a[i]));
    return r;
}

static const cql_value_t *ev_to_list(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = ev(c, n->a[0]);
    if (!v)
        return CQL_EMPTY_LIST;
    const cql_value_t **one = arena_alloc(A, sizeof *one);
    one[0] = v;
    return cql_list(A, one, 1);
}

/* -- intervals (the relations are eval_interval_rel()) -- */

static const cql_value_t *ev_width(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = ev(c, n->a[0]);
    return v ? arith(c, OP_Subtract, cql_ivl_end(A, v), cql_ivl_start(A, v)) : NULL;
}

/* Expand a list of intervals into unit intervals per the quantity (CQL §9.15
 * Expand); the published measures expand date intervals by day. */
static const cql_value_t *ev_expand(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *l = ev(c, n->a[0]), *per = n->n > 1 ? evp(c, n->a[1]) : NULL;
    if (!is_list(l))
        return NULL;
    int unit = per && per->kind == CQL_QTY ? cql_prec_from_name(per->u.q.unit) : CQL_P_DAY;
    int64_t step = per && per->kind == CQL_QTY ? (int64_t)per->u.q.v : 1;
    if (step <= 0)
        return NULL;
    cql_lb_t lb = { 0 };
    for (int i = 0; i < l->u.list.n; i++) {
        const cql_value_t *s = cql_ivl_start(A, l->u.list.items[i]);
        const cql_value_t *e = cql_ivl_end(A, l->u.list.items[i]);
        if (!s || !e || !is_temporal(s))
            continue;
        cql_dt_t t = s->u.dt;
        for (int guard = 0; guard < 100000; guard++) {
            const cql_value_t *pt = cql_dtv(A, (cql_kind_t)s->kind, t);
            if (le3(c, pt, e, CQL_P_NONE) != CQL_TRUE)
                break;
            cql_dt_t nx = t;
            if (cql_dt_add(&nx, unit, step))
                break;
            const cql_value_t *hi = cql_successor(A, cql_dtv(A, (cql_kind_t)s->kind, nx), -1);
            cql_lb_push(A, &lb, cql_ivl(A, pt, true, hi, true));
            t = nx;
        }
    }
    return cql_lb_done(A, &lb);
}

/* -- date and time -- */

static const cql_value_t *ev_time_from(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v || v->kind != CQL_DATETIME || v->u.dt.prec < CQL_P_HOUR)
        return NULL;
    cql_dt_t t = v->u.dt;
    t.y = 0;
    t.mo = t.d = 0;
    return cql_dtv(A, CQL_TIME, t);
}

static const cql_value_t *ev_component_from(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!is_temporal(v) || v->u.dt.prec < n->prec)
        return NULL;
    const cql_dt_t *t = &v->u.dt;
    int64_t x;
    switch (n->prec) {
    case CQL_P_YEAR:
        x = t->y;
        break;
    case CQL_P_MONTH:
        x = t->mo;
        break;
    case CQL_P_DAY:
        x = t->d;
        break;
    case CQL_P_HOUR:
        x = t->h;
        break;
    case CQL_P_MINUTE:
        x = t->mi;
        break;
    case CQL_P_SECOND:
        x = t->s;
        break;
    default:
        x = t->ms;
    }
    return cql_int(A, x);
}

/* DurationBetween, DifferenceBetween, CalculateAgeAt. */
static const cql_value_t *ev_between(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *x = evp(c, n->a[0]), *y = evp(c, n->a[1]);
    if (x && x->kind == CQL_STR)
        x = to_date(c, x, CQL_DATETIME);
    if (!is_temporal(x) || !is_temporal(y))
        return NULL;
    int64_t r;
    int rc = n->op == OP_DifferenceBetween ? cql_dt_difference(&x->u.dt, &y->u.dt, n->prec, &r)
                                           : cql_dt_duration(&x->u.dt, &y->u.dt, n->prec, &r);
    return rc ? NULL : cql_int(A, r);
}

/* -- conversions -- */

static const cql_value_t *ev_to_decimal(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v)
        return NULL;
    if (v->kind == CQL_INT)
        return cql_dec(A, (double)v->u.i);
    if (v->kind == CQL_DEC)
        return v;
    if (v->kind == CQL_STR) {
        double d;
        return str_to_double(v->u.s, strlen(v->u.s), &d) ? NULL : cql_dec(A, d);
    }
    return NULL;
}

static const cql_value_t *ev_to_integer(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v)
        return NULL;
    if (v->kind == CQL_INT)
        return v;
    if (v->kind == CQL_STR) {
        int64_t i;
        return str_to_i64(v->u.s, strlen(v->u.s), &i) ? NULL : cql_int(A, i);
    }
    if (v->kind == CQL_BOOL)
        return cql_int(A, v->u.b);
    return NULL;
}

static const cql_value_t *ev_to_string(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v || v->kind == CQL_STR)
        return v;
    char buf[128];
    if (v->kind == CQL_DATE || v->kind == CQL_DATETIME || v->kind == CQL_TIME)
        cql_dt_format(&v->u.dt, (cql_kind_t)v->kind, buf, sizeof buf);
    else if (v->kind == CQL_QTY)
        snprintf(buf, sizeof buf, "%.8g '%s'", v->u.q.v, v->u.q.unit);
    else
        cql_format(v, buf, sizeof buf);
    return cql_str(A, arena_strdup(A, buf));
}

static const cql_value_t *ev_to_boolean(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v || v->kind == CQL_BOOL)
        return v;
    if (v->kind == CQL_STR) {
        if (!strcasecmp(v->u.s, "true") || !strcasecmp(v->u.s, "t") || !strcasecmp(v->u.s, "yes") ||
            !strcmp(v->u.s, "1"))
            return CQL_TRUEV;
        if (!strcasecmp(v->u.s, "false") || !strcasecmp(v->u.s, "f") || !strcasecmp(v->u.s, "no") ||
            !strcmp(v->u.s, "0"))
            return CQL_FALSEV;
    }
    return NULL;
}

static const cql_value_t *ev_to_quantity(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v || v->kind == CQL_QTY)
        return v;
    if (v->kind == CQL_INT)
        return cql_qty(A, (double)v->u.i, "1");
    if (v->kind == CQL_DEC)
        return cql_qty(A, v->u.d, "1");
    return NULL;
}

static const cql_value_t *ev_to_concept(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = evp(c, n->a[0]);
    if (!v || v->kind == CQL_CONCEPT)
        return v;
    cql_value_t *r = cql_new(A, CQL_CONCEPT);
    const cql_value_t **codes;
    r->u.concept.n = cql_codes_of(A, v, &codes);
    r->u.concept.codes = codes;
    return r;
}

static const cql_value_t *ev_convert_quantity(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *q = evp(c, n->a[0]), *u = evp(c, n->a[1]);
    if (!q || !u || q->kind != CQL_QTY || u->kind != CQL_STR)
        return NULL;
    double r;
    if (cql_ucum_convert(q->u.q.v, q->u.q.unit, u->u.s, &r))
        return NULL;
    return cql_qty(A, r, u->u.s);
}

/* -- types and terminology -- */

static const cql_value_t *ev_as(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = ev(c, n->a[0]);
    if (!v || n->tt.tk == TT_ANY)
        return v;
    if (n->tt.tk == TT_SYSTEM) {
        const cql_value_t *p = P(c, v);
        if (p && p->kind == n->tt.kind)
            return p;
        if (p && n->tt.kind == CQL_DATETIME && p->kind == CQL_DATE)
            return to_date(c, p, CQL_DATETIME);
        if (p && n->tt.kind == CQL_DEC && p->kind == CQL_INT)
            return cql_dec(A, (double)p->u.i);
        return NULL;
    }
    return elm_is_type(c, v, &n->tt) ? v : NULL;
}

/* InValueSet, AnyInValueSet. */
static const cql_value_t *ev_in_valueset(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *v = ev(c, n->a[0]);
    if (!v)
        return n->op == OP_InValueSet ? NULL : CQL_FALSEV;
    return cql_bool(code_in(c, v, n->vs, NULL, 'i'));
}

/* MinValue, MaxValue of a point type. */
static const cql_value_t *ev_min_max_value(elm_ctx_t *c, const node_t *n)
{
    bool mx = n->op == OP_MaxValue;
    switch (n->tt.kind) {
    case CQL_INT:
        return cql_int(A, mx ? INT32_MAX : INT32_MIN);
    case CQL_DEC:
        return cql_dec(A, mx ? 99999999999999999999.99999999 : -99999999999999999999.99999999);
    case CQL_DATETIME:
        return cql_dtv(A, CQL_DATETIME, mx ? cql_dt_max() : cql_dt_min());
    case CQL_DATE: {
        cql_dt_t t = mx ? cql_dt_max() : cql_dt_min();
        cql_dt_truncate(&t, CQL_P_DAY);
        return cql_dtv(A, CQL_DATE, t);
    }
    default:
        elm_raise(c, "%s: unsupported %s type", n->where, mx ? "MaxValue" : "MinValue");
        return NULL;
    }
}

/* Message: its source, with a warning when the condition holds and the
 * severity is Error. */
static const cql_value_t *ev_message(elm_ctx_t *c, const node_t *n)
{
    const cql_value_t *src = ev(c, n->a[0]);
    if (cql_tri_of(evp(c, n->a[1])) == CQL_TRUE) {
        const cql_value_t *sev = evp(c, n->a[3]), *msg = evp(c, n->a[4]);
        if (sev && sev->kind == CQL_STR && !strcasecmp(sev->u.s, "Error"))
            elm_warn(c, "%s: %s", n->where, msg && msg->kind == CQL_STR ? msg->u.s : "error");
    }
    return src;
}

static const cql_value_t *ev(elm_ctx_t *c, const node_t *n)
{
    if (c->failed || !n)
        return NULL;
    switch (n->op) {
    case OP_Null:
        return NULL;
    case OP_Literal:
    case OP_Quantity:
    case OP_CodeRef:
        return n->lit;
    case OP_ValueSetRef:
        elm_raise(c, "%s: value set \"%s\" used as a value", n->where, n->name);
        return NULL;
    case OP_List:
        return ev_list(c, n);
    case OP_Tuple:
    case OP_Instance:
        return ev_tuple(c, n);
    case OP_Interval:
        return ev_interval(c, n);
    case OP_DateTime:
    case OP_Date:
    case OP_Time:
        return eval_datetime(c, n);
    case OP_ExpressionRef:
        return eval_def(c, n->def);
    case OP_FunctionRef:
        return eval_func(c, n);
    case OP_ParameterRef:
        return eval_param(c, n);
    case OP_OperandRef:
    case OP_AliasRef:
    case OP_QueryLetRef:
        return ev_operand_ref(c, n);
    case OP_IdentifierRef:
        return ev_identifier_ref(c, n);
    case OP_Property:
        return elm_property(c, ev(c, n->a[0]), n->name);
    case OP_Retrieve:
        return eval_retrieve(c, n);
    case OP_Query:
        return eval_query(c, n);
    case OP_And:
        return ev_and(c, n);
    case OP_Or:
        return ev_or(c, n);
    case OP_Xor:
        return cql_tri_value(cql_xor3(cql_tri_of(ev(c, n->a[0])), cql_tri_of(ev(c, n->a[1]))));
    case OP_Implies:
        return cql_tri_value(cql_implies3(cql_tri_of(ev(c, n->a[0])), cql_tri_of(ev(c, n->a[1]))));
    case OP_Not:
        return cql_tri_value(cql_not3(cql_tri_of(evp(c, n->a[0]))));
    case OP_IsNull:
        return cql_bool(evp(c, n->a[0]) == NULL);
    case OP_IsTrue:
        return cql_bool(cql_tri_of(evp(c, n->a[0])) == CQL_TRUE);
    case OP_IsFalse:
        return cql_bool(cql_tri_of(evp(c, n->a[0])) == CQL_FALSE);
    case OP_Coalesce:
        return ev_coalesce(c, n);
    case OP_If:
        return cql_tri_of(ev(c, n->a[0])) == CQL_TRUE ? ev(c, n->a[1]) : ev(c, n->a[2]);
    case OP_Case:
        return ev_case(c, n);
    case OP_Equal:
        return cql_tri_value(cql_equal(A, ev(c, n->a[0]), ev(c, n->a[1])));
    case OP_NotEqual:
        return cql_tri_value(cql_not3(cql_equal(A, ev(c, n->a[0]), ev(c, n->a[1]))));
    case OP_Equivalent:
        return cql_bool(cql_equivalent(A, ev(c, n->a[0]), ev(c, n->a[1])));
    case OP_Less:
        return cql_tri_value(cmp3(c, ev(c, n->a[0]), ev(c, n->a[1]), n->prec, p_lt));
    case OP_LessOrEqual:
        return cql_tri_value(cmp3(c, ev(c, n->a[0]), ev(c, n->a[1]), n->prec, p_le));
    case OP_Greater:
        return cql_tri_value(cmp3(c, ev(c, n->a[0]), ev(c, n->a[1]), n->prec, p_gt));
    case OP_GreaterOrEqual:
        return cql_tri_value(cmp3(c, ev(c, n->a[0]), ev(c, n->a[1]), n->prec, p_ge));
    case OP_Add:
    case OP_Subtract:
    case OP_Multiply:
    case OP_Divide:
    case OP_Modulo:
    case OP_TruncatedDivide:
        return arith(c, n->op, evp(c, n->a[0]), evp(c, n->a[1]));
    case OP_Negate:
        return ev_negate(c, n);
    case OP_Abs:
    case OP_Round:
    case OP_Truncate:
    case OP_Floor:
    case OP_Ceiling:
        return ev_rounding(c, n);
    case OP_Concatenate:
        return ev_concatenate(c, n);
    case OP_Split:
        return ev_split(c, n);
    case OP_Upper:
    case OP_Lower:
        return ev_case_map(c, n);
    case OP_StartsWith:
    case OP_EndsWith:
        return ev_affix(c, n);
    case OP_Substring:
        return ev_substring(c, n);
    case OP_Length:
        return ev_length(c, n);
    case OP_Exists:
        return ev_exists(c, n);
    case OP_Count:
    case OP_Sum:
    case OP_Min:
    case OP_Max:
    case OP_Avg:
    case OP_AllTrue:
    case OP_AnyTrue:
        return aggregate(c, n, ev(c, n->a[0]));
    case OP_First:
    case OP_Last:
        return ev_first_last(c, n);
    case OP_Indexer:
        return ev_indexer(c, n);
    case OP_SingletonFrom:
        return ev_singleton(c, n);
    case OP_Distinct:
        return ev_distinct(c, n);
    case OP_Flatten:
        return ev_flatten(c, n);
    case OP_Union:
    case OP_Intersect:
    case OP_Except:
        return ev_set_op(c, n);
    case OP_ToList:
        return ev_to_list(c, n);
    case OP_Start:
        return cql_ivl_start(A, ev(c, n->a[0]));
    case OP_End:
        return cql_ivl_end(A, ev(c, n->a[0]));
    case OP_Width:
        return ev_width(c, n);
    case OP_In:
    case OP_Contains:
    case OP_IncludedIn:
    case OP_Includes:
    case OP_ProperIncludedIn:
    case OP_ProperIncludes:
    case OP_Overlaps:
    case OP_OverlapsBefore:
    case OP_OverlapsAfter:
    case OP_Before:
    case OP_After:
    case OP_SameAs:
    case OP_SameOrBefore:
    case OP_SameOrAfter:
    case OP_Meets:
    case OP_MeetsBefore:
    case OP_MeetsAfter:
    case OP_Starts:
    case OP_Ends:
        return eval_interval_rel(c, n);
    case OP_Collapse:
        return collapse(c, ev(c, n->a[0]));
    case OP_Expand:
        return ev_expand(c, n);
    case OP_DateFrom:
        return to_date(c, evp(c, n->a[0]), CQL_DATE);
    case OP_ToDate:
        return to_date(c, evp(c, n->a[0]), CQL_DATE);
    case OP_ToDateTime:
        return to_date(c, evp(c, n->a[0]), CQL_DATETIME);
    case OP_TimeFrom:
        return ev_time_from(c, n);
    case OP_DateTimeComponentFrom:
        return ev_component_from(c, n);
    case OP_DurationBetween:
    case OP_DifferenceBetween:
    case OP_CalculateAgeAt:
        return ev_between(c, n);
    case OP_ToDecimal:
        return ev_to_decimal(c, n);
    case OP_ToInteger:
        return ev_to_integer(c, n);
    case OP_ToString:
        return ev_to_string(c, n);
    case OP_ToBoolean:
        return ev_to_boolean(c, n);
    case OP_ToQuantity:
        return ev_to_quantity(c, n);
    case OP_ToConcept:
        return ev_to_concept(c, n);
    case OP_ToCode:
        return fh_code(c, ev(c, n->a[0]));
    case OP_ConvertQuantity:
        return ev_convert_quantity(c, n);
    case OP_As:
        return ev_as(c, n);
    case OP_Is:
        return cql_bool(elm_is_type(c, ev(c, n->a[0]), &n->tt));
    case OP_InValueSet:
    case OP_AnyInValueSet:
        return ev_in_valueset(c, n);
    case OP_MinValue:
    case OP_MaxValue:
        return ev_min_max_value(c, n);
    case OP_Message:
        return ev_message(c, n);
    case OP_Predecessor:
        return cql_successor(A, evp(c, n->a[0]), -1);
    case OP_Successor:
        return cql_successor(A, evp(c, n->a[0]), 1);
    case OP_Combine:
        return ev_combine(c, n);
    case OP_Today:
    case OP_Now:
    case OP_CalculateAge:
        elm_raise(c, "%s: %s depends on the clock and is not supported", n->where,
                  n->op == OP_Today ? "Today()" : "Now()");
        return NULL;
    default:
        elm_raise(c, "%s: unsupported ELM node", n->where);
        return NULL;
    }
}
