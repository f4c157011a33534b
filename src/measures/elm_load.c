/* elm_load.c — loading Library and ValueSet resources, compiling ELM JSON
 * into node trees.
 *
 * Definitions are compiled on first use, starting from what a measure asks
 * for, so an unsupported node type or a missing value set is reported only
 * when reachable — and then always, naming library, expression and node.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dir.h"
#include "core/mem.h"
#include "core/str.h"
#include "measures/elm_int.h"
#include "core/fastjson.h"

#define OPNAME(n) #n,
static const char *const op_names[] = { ELM_OPS(OPNAME) };

/* ---- engine, interning ---- */

elm_engine_t *elm_engine_new(void)
{
    elm_engine_t *eng = mem_calloc(1, sizeof *eng);
    eng->arena = arena_new(0);
    hmap_init_str(&eng->interned, 1024, true);
    hmap_init_str(&eng->code_index, 1024, false);
    return eng;
}

static void lib_free(elm_lib_t *lib)
{
    if (!lib)
        return;
    json_decref(lib->resource);
    json_decref(lib->elm);
    mem_free(lib);
}

void elm_engine_free(elm_engine_t *eng)
{
    if (!eng)
        return;
    for (int i = 0; i < eng->nlibs; i++)
        lib_free(eng->libs[i]);
    mem_free(eng->libs);
    for (int i = 0; i < eng->nvs; i++)
        mem_free(eng->vsets[i]);
    mem_free(eng->vsets);
    for (size_t i = 0; i < eng->ncodes; i++) {
        mem_free(eng->codes[i].key);
        mem_free(eng->codes[i].vs);
    }
    mem_free(eng->codes);
    hmap_free(&eng->code_index);
    mem_free(eng->retr);
    hmap_free(&eng->interned);
    mem_free(eng->rtypes);
    arena_free(eng->arena);
    mem_free(eng);
}

const char *elm_intern(elm_engine_t *eng, const char *s)
{
    if (!s)
        return NULL;
    const uint64_t *v = hmap_str_put(&eng->interned, s, strlen(s), NULL);
    return hmap_str_key(&eng->interned, v, NULL);
}

/* ---- value sets ---- */

/* The code table's index of system|code, found without building the key. */
static const uint64_t *code_find(const elm_engine_t *eng, const char *system, const char *code)
{
    const char *s = system ? system : "";
    hmap_key_t parts[3] = { { s, strlen(s) }, { "|", 1 }, { code, strlen(code) } };
    return hmap_str_get_parts(&eng->code_index, parts, 3);
}

static void vs_add(elm_engine_t *eng, elm_vs_t *vs, const char *system, const char *code)
{
    if (!code)
        return;
    const uint64_t *at = code_find(eng, system, code);
    size_t idx;
    if (at) {
        idx = (size_t)*at;
    } else {
        if (eng->ncodes == eng->capcodes) {
            eng->capcodes = eng->capcodes ? eng->capcodes * 2 : 1024;
            eng->codes = mem_realloc(eng->codes, eng->capcodes * sizeof *eng->codes);
        }
        size_t sl = system ? strlen(system) : 0, cl = strlen(code);
        char *key = mem_alloc(sl + cl + 2);
        if (sl)
            memcpy(key, system, sl);
        key[sl] = '|';
        memcpy(key + sl + 1, code, cl + 1);
        idx = eng->ncodes++;
        eng->codes[idx] = (vs_code_t){ .key = key };
        *hmap_str_put(&eng->code_index, key, sl + cl + 1, NULL) = idx;
    }
    vs_code_t *cd = &eng->codes[idx];
    if (elm_vs_has(vs, cd))
        return; /* listed twice in one value set */
    if (cd->n == cd->cap) {
        cd->cap = cd->cap ? cd->cap * 2 : 2;
        cd->vs = mem_realloc(cd->vs, cd->cap * sizeof *cd->vs);
    }
    cd->vs[cd->n++] = vs->idx;
    vs->n++;
}

const vs_code_t *elm_vs_code(const elm_engine_t *eng, const char *system, const char *code)
{
    if (!code)
        return NULL;
    const uint64_t *at = code_find(eng, system, code);
    return at ? &eng->codes[*at] : NULL;
}

elm_vs_t *elm_find_vs(elm_engine_t *eng, const char *url)
{
    for (int i = 0; i < eng->nvs; i++)
        if (strcmp(eng->vsets[i]->url, url) == 0)
            return eng->vsets[i];
    return NULL;
}

static void vs_contains(elm_engine_t *eng, elm_vs_t *vs, json_t *contains)
{
    size_t i;
    json_t *c;
    json_array_foreach(contains, i, c)
    {
        vs_add(eng, vs, json_string_value(json_object_get(c, "system")),
               json_string_value(json_object_get(c, "code")));
        json_t *sub = json_object_get(c, "contains");
        if (json_is_array(sub))
            vs_contains(eng, vs, sub);
    }
}

static int load_valueset(elm_engine_t *eng, json_t *r, const char *path, err_t *e)
{
    const char *url = json_string_value(json_object_get(r, "url"));
    if (!url)
        return err_at(e, ERR_INPUT, path, 0, 0, "/url", "ValueSet without url");
    elm_vs_t *vs = elm_find_vs(eng, url);
    if (!vs) {
        vs = mem_calloc(1, sizeof *vs);
        vs->url = elm_intern(eng, url);
        vs->idx = (uint32_t)eng->nvs;
        if (eng->nvs == eng->capvs) {
            eng->capvs = eng->capvs ? eng->capvs * 2 : 64;
            eng->vsets = mem_realloc(eng->vsets, (size_t)eng->capvs * sizeof *eng->vsets);
        }
        eng->vsets[eng->nvs++] = vs;
    }
    json_t *contains = json_object_get(json_object_get(r, "expansion"), "contains");
    if (json_is_array(contains)) {
        vs_contains(eng, vs, contains);
    } else {
        json_t *inc = json_object_get(json_object_get(r, "compose"), "include");
        size_t i;
        json_t *in;
        json_array_foreach(inc, i, in)
        {
            const char *sys = json_string_value(json_object_get(in, "system"));
            size_t k;
            json_t *c;
            json_array_foreach(json_object_get(in, "concept"), k, c)
                vs_add(eng, vs, sys, json_string_value(json_object_get(c, "code")));
        }
    }
    return 0;
}

typedef int (*file_fn)(elm_engine_t *eng, const char *path, err_t *e);

static int each_json_file(elm_engine_t *eng, const char *dir, file_fn fn, err_t *e)
{
    char **names;
    size_t n;
    int rc = dir_list(dir, ".json", &names, &n, e);
    for (size_t i = 0; i < n && !rc; i++) {
        char path[4400];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) < (int)sizeof path)
            rc = fn(eng, path, e);
    }
    dir_names_free(names, n);
    return rc;
}

static int vs_file(elm_engine_t *eng, const char *path, err_t *e)
{
    json_error_t je;
    json_t *r = fastjson_load_file(path, &je);
    if (!r)
        return err_at(e, ERR_INPUT, path, je.line, je.column, NULL, "%s", je.text);
    int rc = 0;
    const char *rt = json_string_value(json_object_get(r, "resourceType"));
    if (rt && strcmp(rt, "ValueSet") == 0)
        rc = load_valueset(eng, r, path, e);
    json_decref(r);
    return rc;
}

int elm_load_valueset_dir(elm_engine_t *eng, const char *dir, err_t *e)
{
    return each_json_file(eng, dir, vs_file, e);
}

/* ---- libraries ---- */

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

static char *b64_decode(const char *s, size_t *outlen)
{
    size_t n = strlen(s);
    char *out = mem_alloc(n / 4 * 3 + 4);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[o] = 0;
    *outlen = o;
    return out;
}

static void named_list(elm_engine_t *eng, json_t *arr, lib_named_t **out, int *n)
{
    *n = (int)json_array_size(arr);
    *out = arena_calloc(eng->arena, (size_t)(*n ? *n : 1), sizeof **out);
    for (int i = 0; i < *n; i++) {
        json_t *d = json_array_get(arr, (size_t)i);
        (*out)[i].name = elm_intern(eng, json_string_value(json_object_get(d, "name")));
        (*out)[i].json = d;
    }
}

int elm_load_library_file(elm_engine_t *eng, const char *path, err_t *e)
{
    json_error_t je;
    json_t *r = fastjson_load_file(path, &je);
    if (!r)
        return err_at(e, ERR_INPUT, path, je.line, je.column, NULL, "%s", je.text);
    const char *rt = json_string_value(json_object_get(r, "resourceType"));
    if (!rt || strcmp(rt, "Library") != 0) {
        json_decref(r);
        return 0;
    }
    json_t *content = json_object_get(r, "content");
    json_t *elm = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(content, i, c)
    {
        const char *ct = json_string_value(json_object_get(c, "contentType"));
        const char *data = json_string_value(json_object_get(c, "data"));
        if (!ct || !data || strcmp(ct, "application/elm+json") != 0)
            continue;
        size_t len;
        char *txt = b64_decode(data, &len);
        elm = fastjson_parse(txt, len, &je);
        mem_free(txt);
        if (!elm) {
            json_decref(r);
            char ptr[64];
            snprintf(ptr, sizeof ptr, "/content/%zu/data", i);
            return err_at(e, ERR_INPUT, path, 0, 0, ptr, "ELM is not valid JSON: %s", je.text);
        }
        break;
    }
    if (!elm) {
        json_decref(r);
        return err_at(e, ERR_INPUT, path, 0, 0, "/content",
                      "Library has no application/elm+json content");
    }
    elm_lib_t *lib = mem_calloc(1, sizeof *lib);
    lib->resource = r;
    lib->elm = elm;
    json_t *L = json_object_get(elm, "library");
    json_t *id = json_object_get(L, "identifier");
    lib->name = elm_intern(eng, json_string_value(json_object_get(id, "id")));
    lib->version = elm_intern(eng, json_string_value(json_object_get(id, "version")));
    lib->url = elm_intern(eng, json_string_value(json_object_get(r, "url")));
    if (!lib->name) {
        lib_free(lib);
        return err_at(e, ERR_INPUT, path, 0, 0, "/content", "ELM library without identifier");
    }
    json_t *incs = json_object_get(json_object_get(L, "includes"), "def");
    lib->ninc = (int)json_array_size(incs);
    lib->inc = arena_calloc(eng->arena, (size_t)(lib->ninc ? lib->ninc : 1), sizeof *lib->inc);
    for (int k = 0; k < lib->ninc; k++) {
        json_t *d = json_array_get(incs, (size_t)k);
        const char *p = json_string_value(json_object_get(d, "path"));
        const char *slash = p ? strrchr(p, '/') : NULL;
        lib->inc[k].alias =
            elm_intern(eng, json_string_value(json_object_get(d, "localIdentifier")));
        lib->inc[k].name = elm_intern(eng, slash ? slash + 1 : p);
        lib->inc[k].version = elm_intern(eng, json_string_value(json_object_get(d, "version")));
    }
    json_t *defs = json_object_get(json_object_get(L, "statements"), "def");
    json_t *params = json_object_get(json_object_get(L, "parameters"), "def");
    int nd = (int)json_array_size(defs), np = (int)json_array_size(params);
    lib->ndefs = nd + np;
    lib->defs = arena_calloc(eng->arena, (size_t)(lib->ndefs ? lib->ndefs : 1), sizeof *lib->defs);
    for (int k = 0; k < lib->ndefs; k++) {
        elm_def_t *df = &lib->defs[k];
        json_t *d =
            k < nd ? json_array_get(defs, (size_t)k) : json_array_get(params, (size_t)(k - nd));
        df->json = d;
        df->lib = lib;
        df->name = elm_intern(eng, json_string_value(json_object_get(d, "name")));
        df->is_param = k >= nd;
        const char *ty = json_string_value(json_object_get(d, "type"));
        df->is_func = ty && strcmp(ty, "FunctionDef") == 0;
        df->slot = -1;
    }
    named_list(eng, json_object_get(json_object_get(L, "valueSets"), "def"), &lib->vs, &lib->nvs);
    named_list(eng, json_object_get(json_object_get(L, "codes"), "def"), &lib->codes, &lib->ncodes);
    named_list(eng, json_object_get(json_object_get(L, "codeSystems"), "def"), &lib->cs, &lib->ncs);
    if (eng->nlibs == eng->caplibs) {
        eng->caplibs = eng->caplibs ? eng->caplibs * 2 : 32;
        eng->libs = mem_realloc(eng->libs, (size_t)eng->caplibs * sizeof *eng->libs);
    }
    eng->libs[eng->nlibs++] = lib;
    return 0;
}

int elm_load_library_dir(elm_engine_t *eng, const char *dir, err_t *e)
{
    if (each_json_file(eng, dir, elm_load_library_file, e))
        return e->code;
    /* Resolve includes by name and version. */
    for (int i = 0; i < eng->nlibs; i++) {
        elm_lib_t *lib = eng->libs[i];
        for (int k = 0; k < lib->ninc; k++) {
            lib_inc_t *inc = &lib->inc[k];
            for (int j = 0; j < eng->nlibs; j++) {
                elm_lib_t *o = eng->libs[j];
                if (o->name == inc->name &&
                    (!inc->version || !o->version || o->version == inc->version)) {
                    inc->lib = o;
                    break;
                }
            }
        }
    }
    return 0;
}

elm_lib_t *elm_find_lib(elm_engine_t *eng, const char *name)
{
    for (int i = 0; i < eng->nlibs; i++) {
        elm_lib_t *l = eng->libs[i];
        if (strcmp(l->name, name) == 0 || (l->url && strcmp(l->url, name) == 0))
            return l;
        /* A canonical URL with a version suffix. */
        if (l->url && strncmp(l->url, name, strlen(l->url)) == 0 && name[strlen(l->url)] == '|')
            return l;
    }
    return NULL;
}

const char *elm_lib_name(const elm_lib_t *lib)
{
    return lib->name;
}

/* ---- compiling ---- */

typedef struct cc {
    elm_engine_t *eng;
    elm_lib_t *lib;
    elm_def_t *def;
    err_t *e;
    const char *where;
} cc_t;

static int compile_def(elm_engine_t *eng, elm_def_t *df, err_t *e);
static node_t *cnode(cc_t *c, json_t *j);

static node_t *nnew(cc_t *c, int op, int n)
{
    node_t *nd = arena_calloc(c->eng->arena, 1, sizeof *nd);
    nd->op = (uint16_t)op;
    nd->prec = CQL_P_NONE;
    nd->n = n;
    nd->slot = -1;
    nd->where = c->where;
    if (n > 0)
        nd->a = arena_calloc(c->eng->arena, (size_t)n, sizeof *nd->a);
    return nd;
}

static node_t *fail(cc_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static node_t *fail(cc_t *c, const char *fmt, ...)
{
    if (c->e->code == ERR_OK) {
        char msg[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        err_set(c->e, ERR_INPUT, "library %s, expression \"%s\": %s", c->lib->name,
                c->def ? c->def->name : "?", msg);
    }
    return NULL;
}

static const char *jstr(json_t *j, const char *k)
{
    return json_string_value(json_object_get(j, k));
}

static int op_from_name(const char *t)
{
    for (int i = 0; i < OP__COUNT; i++)
        if (strcmp(op_names[i], t) == 0)
            return i;
    return -1;
}

static int prec_of(json_t *j)
{
    const char *p = jstr(j, "precision");
    return p ? cql_prec_from_name(p) : CQL_P_NONE;
}

static const char *local_type(const char *qname, bool *system)
{
    *system = false;
    if (!qname)
        return NULL;
    if (qname[0] == '{') {
        const char *close = strchr(qname, '}');
        *system = strncmp(qname, "{urn:hl7-org:elm-types:r1}", 26) == 0;
        return close ? close + 1 : qname;
    }
    const char *dot = strchr(qname, '.');
    if (dot && strncmp(qname, "System.", 7) == 0) {
        *system = true;
        return dot + 1;
    }
    if (dot && strncmp(qname, "FHIR.", 5) == 0)
        return dot + 1;
    return qname;
}

static int system_kind(const char *t)
{
    static const struct {
        const char *n;
        int k;
    } m[] = { { "Boolean", CQL_BOOL },      { "Integer", CQL_INT }, { "Long", CQL_INT },
              { "Decimal", CQL_DEC },       { "String", CQL_STR },  { "Date", CQL_DATE },
              { "DateTime", CQL_DATETIME }, { "Time", CQL_TIME },   { "Quantity", CQL_QTY },
              { "Ratio", CQL_RATIO },       { "Code", CQL_CODE },   { "Concept", CQL_CONCEPT } };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i].n, t) == 0)
            return m[i].k;
    return 0;
}

static void ttype_of(cc_t *c, json_t *name_j, json_t *spec, ttype_t *tt)
{
    memset(tt, 0, sizeof *tt);
    const char *qn = json_string_value(name_j);
    if (!qn && spec) {
        const char *st = jstr(spec, "type");
        if (st && strcmp(st, "NamedTypeSpecifier") == 0)
            qn = jstr(spec, "name");
        else if (st && strcmp(st, "ListTypeSpecifier") == 0) {
            tt->tk = TT_LIST;
            return;
        } else if (st && strcmp(st, "IntervalTypeSpecifier") == 0) {
            tt->tk = TT_INTERVAL;
            return;
        } else {
            tt->tk = TT_ANY; /* Choice and Tuple specifiers: structural, accepted */
            return;
        }
    }
    if (!qn)
        return;
    bool sys;
    const char *ln = local_type(qn, &sys);
    if (sys) {
        tt->tk = TT_SYSTEM;
        tt->kind = system_kind(ln);
        if (!tt->kind)
            tt->tk = TT_ANY;
    } else {
        tt->tk = TT_FHIR;
        tt->name = elm_intern(c->eng, ln);
    }
}

static elm_lib_t *lib_by_alias(cc_t *c, const char *alias)
{
    if (!alias)
        return c->lib;
    for (int i = 0; i < c->lib->ninc; i++)
        if (strcmp(c->lib->inc[i].alias, alias) == 0)
            return c->lib->inc[i].lib;
    return NULL;
}

static lib_named_t *find_named(lib_named_t *arr, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (arr[i].name && strcmp(arr[i].name, name) == 0)
            return &arr[i];
    return NULL;
}

/* Operands: "operand" as an array or a single object. */
static node_t *cops(cc_t *c, int op, json_t *j, const char *key)
{
    json_t *o = json_object_get(j, key);
    int n = json_is_array(o) ? (int)json_array_size(o) : (o ? 1 : 0);
    node_t *nd = nnew(c, op, n);
    for (int i = 0; i < n; i++) {
        nd->a[i] = cnode(c, json_is_array(o) ? json_array_get(o, (size_t)i) : o);
        if (!nd->a[i])
            return NULL;
    }
    nd->prec = (int8_t)prec_of(j);
    return nd;
}

static node_t *c_literal(cc_t *c, json_t *j)
{
    bool sys;
    const char *vt = local_type(jstr(j, "valueType"), &sys);
    const char *v = jstr(j, "value");
    node_t *nd = nnew(c, OP_Literal, 0);
    if (!v || !vt)
        return nd;
    arena_t *a = c->eng->arena;
    if (strcmp(vt, "Integer") == 0 || strcmp(vt, "Long") == 0) {
        int64_t i;
        if (str_to_i64(v, strlen(v), &i))
            return fail(c, "bad Integer literal %s", v);
        nd->lit = cql_int(a, i);
    } else if (strcmp(vt, "Decimal") == 0) {
        double d;
        if (str_to_double(v, strlen(v), &d))
            return fail(c, "bad Decimal literal %s", v);
        nd->lit = cql_dec(a, d);
    } else if (strcmp(vt, "Boolean") == 0) {
        nd->lit = cql_bool(strcmp(v, "true") == 0);
    } else if (strcmp(vt, "String") == 0) {
        nd->lit = cql_str(a, elm_intern(c->eng, v));
    } else {
        return fail(c, "unsupported Literal type %s", vt);
    }
    return nd;
}

static node_t *c_code_ref(cc_t *c, json_t *j)
{
    elm_lib_t *lib = lib_by_alias(c, jstr(j, "libraryName"));
    const char *name = jstr(j, "name");
    lib_named_t *cd = lib && name ? find_named(lib->codes, lib->ncodes, name) : NULL;
    if (!cd)
        return fail(c, "CodeRef to unknown code \"%s\"", name ? name : "?");
    const char *csname = jstr(json_object_get(cd->json, "codeSystem"), "name");
    lib_named_t *cs = csname ? find_named(lib->cs, lib->ncs, csname) : NULL;
    node_t *nd = nnew(c, OP_CodeRef, 0);
    nd->lit = cql_code(c->eng->arena, elm_intern(c->eng, jstr(cd->json, "id")),
                       cs ? elm_intern(c->eng, jstr(cs->json, "id")) : NULL,
                       cs ? elm_intern(c->eng, jstr(cs->json, "version")) : NULL,
                       elm_intern(c->eng, jstr(cd->json, "display")));
    return nd;
}

static node_t *c_vs_ref(cc_t *c, json_t *j)
{
    elm_lib_t *lib = lib_by_alias(c, jstr(j, "libraryName"));
    const char *name = jstr(j, "name");
    lib_named_t *vd = lib && name ? find_named(lib->vs, lib->nvs, name) : NULL;
    if (!vd)
        return fail(c, "ValueSetRef to unknown value set \"%s\"", name ? name : "?");
    const char *url = jstr(vd->json, "id");
    elm_vs_t *vs = url ? elm_find_vs(c->eng, url) : NULL;
    if (!vs) {
        return fail(c, "value set \"%s\" (%s) is missing", name, url ? url : "?");
    }
    node_t *nd = nnew(c, OP_ValueSetRef, 0);
    nd->vs = vs;
    nd->name = elm_intern(c->eng, name);
    return nd;
}

static elm_def_t *find_def(elm_lib_t *lib, const char *name, bool func, int nparams, int *count)
{
    elm_def_t *first = NULL;
    *count = 0;
    for (int i = 0; i < lib->ndefs; i++) {
        elm_def_t *d = &lib->defs[i];
        if (d->is_func != func || d->is_param || !d->name || strcmp(d->name, name) != 0)
            continue;
        if (func && (int)json_array_size(json_object_get(d->json, "operand")) != nparams)
            continue;
        if (!first)
            first = d;
        (*count)++;
    }
    return first;
}

static node_t *c_expr_ref(cc_t *c, json_t *j)
{
    const char *ln = jstr(j, "libraryName");
    elm_lib_t *lib = lib_by_alias(c, ln);
    const char *name = jstr(j, "name");
    if (!lib)
        return fail(c, "ExpressionRef to unknown library %s", ln ? ln : "?");
    int cnt;
    elm_def_t *d = find_def(lib, name ? name : "", false, 0, &cnt);
    if (!d)
        return fail(c, "ExpressionRef to unknown definition \"%s\"", name ? name : "?");
    if (compile_def(c->eng, d, c->e))
        return NULL;
    node_t *nd = nnew(c, OP_ExpressionRef, 0);
    nd->def = d;
    return nd;
}

static node_t *c_func_ref(cc_t *c, json_t *j)
{
    const char *ln = jstr(j, "libraryName");
    elm_lib_t *lib = lib_by_alias(c, ln);
    const char *name = jstr(j, "name");
    if (!lib || !name)
        return fail(c, "FunctionRef to unknown library %s", ln ? ln : "?");
    node_t *nd = cops(c, OP_FunctionRef, j, "operand");
    if (!nd)
        return NULL;
    nd->name = elm_intern(c->eng, name);
    if (strcmp(lib->name, "FHIRHelpers") == 0) {
        nd->native = elm_fhirhelpers_native(name);
        if (nd->native)
            return nd;
    }
    int cnt;
    elm_def_t *d = find_def(lib, name, true, nd->n, &cnt);
    if (!d)
        return fail(c, "FunctionRef to unknown function \"%s\"", name);
    if (cnt > 1) {
        /* Overloads: resolved by the operands' types at run time. */
        nd->cands = arena_calloc(c->eng->arena, (size_t)cnt, sizeof *nd->cands);
        for (int i = 0; i < lib->ndefs; i++) {
            elm_def_t *x = &lib->defs[i];
            if (x->is_func && x->name && strcmp(x->name, name) == 0 &&
                (int)json_array_size(json_object_get(x->json, "operand")) == nd->n) {
                if (compile_def(c->eng, x, c->e))
                    return NULL;
                nd->cands[nd->ncands++] = x;
            }
        }
    } else if (compile_def(c->eng, d, c->e)) {
        return NULL;
    }
    nd->def = d;
    return nd;
}

static node_t *c_param_ref(cc_t *c, json_t *j)
{
    elm_lib_t *lib = lib_by_alias(c, jstr(j, "libraryName"));
    const char *name = jstr(j, "name");
    if (!lib || !name)
        return fail(c, "ParameterRef to unknown parameter %s", name ? name : "?");
    node_t *nd = nnew(c, OP_ParameterRef, 0);
    nd->name = elm_intern(c->eng, name);
    for (int i = 0; i < lib->ndefs; i++) {
        elm_def_t *d = &lib->defs[i];
        if (d->is_param && strcmp(d->name, name) == 0) {
            if (compile_def(c->eng, d, c->e))
                return NULL;
            nd->def = d;
        }
    }
    return nd;
}

static node_t *c_property(cc_t *c, json_t *j)
{
    const char *path = jstr(j, "path");
    if (!path)
        return fail(c, "%s", "Property without path");
    json_t *src = json_object_get(j, "source");
    node_t *base;
    if (src) {
        base = cnode(c, src);
        if (!base)
            return NULL;
    } else {
        const char *scope = jstr(j, "scope");
        /* No scope: the translator's expansion of a Medication reference
         * ("with [Medication] M such that ... and code in VS") leaves the
         * innermost alias implicit; AliasRef without a name means that. */
        base = nnew(c, OP_AliasRef, 0);
        base->name = scope ? elm_intern(c->eng, scope) : NULL;
    }
    /* A dotted path is a chain of properties. */
    char buf[256];
    str_copy(buf, path, sizeof buf);
    char *p = buf;
    node_t *cur = base;
    while (p) {
        char *dot = strchr(p, '.');
        if (dot)
            *dot = 0;
        node_t *nd = nnew(c, OP_Property, 1);
        nd->a[0] = cur;
        nd->name = elm_intern(c->eng, p);
        cur = nd;
        p = dot ? dot + 1 : NULL;
    }
    return cur;
}

static bool same_retrieve(const retrieve_t *a, const retrieve_t *b)
{
    const elm_vs_t *va = a->codes ? a->codes->vs : NULL, *vb = b->codes ? b->codes->vs : NULL;
    return a->type == b->type && a->code_path == b->code_path && a->comparator == b->comparator &&
           a->profile == b->profile && va == vb &&
           (a->fixed_code == b->fixed_code ||
            (a->fixed_code && b->fixed_code && strcmp(a->fixed_code, b->fixed_code) == 0));
}

/* Gives nd a memo slot, the one of an identical retrieve compiled before
 * when its codes are a value set or absent: the result depends only on the
 * patient's resources then, and the twelve measures' libraries repeat many
 * retrieves ([Encounter: "Office Visit"]). */
static node_t *share_retrieve(elm_engine_t *eng, node_t *nd)
{
    const retrieve_t *r = nd->r;
    if (r->codes && r->codes->op != OP_ValueSetRef) {
        nd->slot = eng->nslots++;
        return nd;
    }
    for (int i = 0; i < eng->nretr; i++)
        if (same_retrieve(eng->retr[i]->r, r)) {
            nd->slot = eng->retr[i]->slot;
            return nd;
        }
    nd->slot = eng->nslots++;
    if (eng->nretr == eng->capretr) {
        eng->capretr = eng->capretr ? eng->capretr * 2 : 64;
        eng->retr = mem_realloc(eng->retr, (size_t)eng->capretr * sizeof *eng->retr);
    }
    eng->retr[eng->nretr++] = nd;
    return nd;
}

static node_t *c_retrieve(cc_t *c, json_t *j)
{
    bool sys;
    const char *dt = local_type(jstr(j, "dataType"), &sys);
    if (!dt)
        return fail(c, "%s", "Retrieve without dataType");
    if (json_array_size(json_object_get(j, "codeFilter")) ||
        json_array_size(json_object_get(j, "dateFilter")) ||
        json_array_size(json_object_get(j, "otherFilter")) || json_object_get(j, "dateProperty") ||
        json_object_get(j, "context"))
        return fail(c, "%s", "unsupported Retrieve filter (codeFilter/dateFilter/context)");
    node_t *nd = nnew(c, OP_Retrieve, 0);
    retrieve_t *r = arena_calloc(c->eng->arena, 1, sizeof *r);
    nd->r = r;
    r->type = elm_intern(c->eng, dt);
    int t = 0;
    while (t < c->eng->nrtypes && c->eng->rtypes[t] != r->type)
        t++;
    if (t == c->eng->nrtypes) {
        c->eng->rtypes = mem_realloc(c->eng->rtypes, (size_t)(t + 1) * sizeof *c->eng->rtypes);
        c->eng->rtypes[c->eng->nrtypes++] = r->type;
    }
    r->code_path = elm_intern(c->eng, jstr(j, "codeProperty"));
    const char *cmp = jstr(j, "codeComparator");
    r->comparator = !cmp || strcmp(cmp, "in") == 0 ? 'i' : cmp[0];
    json_t *codes = json_object_get(j, "codes");
    if (codes) {
        r->codes = cnode(c, codes);
        if (!r->codes)
            return NULL;
        if (!r->code_path)
            r->code_path = elm_intern(c->eng, "code");
    }
    /* Profiles whose constraints the data must meet (QI-Core 6): the negation
     * profiles and the FHIR vital-signs profiles fixed by code. */
    const char *tid = jstr(j, "templateId");
    if (tid) {
        if (strstr(tid, "qicore-observationnotdone") || strstr(tid, "qicore-observationcancelled"))
            r->profile = RP_NOT_DONE;
        else if (strstr(tid, "notrequested"))
            r->profile = RP_NOT_REQUESTED;
        else if (strcmp(tid, "http://hl7.org/fhir/StructureDefinition/bp") == 0)
            r->fixed_code = "85354-9";
        else if (strcmp(tid, "http://hl7.org/fhir/StructureDefinition/bmi") == 0)
            r->fixed_code = "39156-5";
        else if (strcmp(tid, "http://hl7.org/fhir/StructureDefinition/bodyweight") == 0)
            r->fixed_code = "29463-7";
        else if (strcmp(tid, "http://hl7.org/fhir/StructureDefinition/bodyheight") == 0)
            r->fixed_code = "8302-2";
    }
    return share_retrieve(c->eng, nd);
}

static node_t *c_query(cc_t *c, json_t *j)
{
    arena_t *a = c->eng->arena;
    node_t *nd = nnew(c, OP_Query, 0);
    query_t *q = arena_calloc(a, 1, sizeof *q);
    nd->q = q;
    json_t *src = json_object_get(j, "source");
    q->nsrc = (int)json_array_size(src);
    q->src = arena_calloc(a, (size_t)(q->nsrc ? q->nsrc : 1), sizeof *q->src);
    for (int i = 0; i < q->nsrc; i++) {
        json_t *s = json_array_get(src, (size_t)i);
        q->src[i].alias = elm_intern(c->eng, jstr(s, "alias"));
        if (!(q->src[i].expr = cnode(c, json_object_get(s, "expression"))))
            return NULL;
    }
    json_t *let = json_object_get(j, "let");
    q->nlet = (int)json_array_size(let);
    q->let = arena_calloc(a, (size_t)(q->nlet ? q->nlet : 1), sizeof *q->let);
    for (int i = 0; i < q->nlet; i++) {
        json_t *s = json_array_get(let, (size_t)i);
        q->let[i].alias = elm_intern(c->eng, jstr(s, "identifier"));
        if (!(q->let[i].expr = cnode(c, json_object_get(s, "expression"))))
            return NULL;
    }
    json_t *rel = json_object_get(j, "relationship");
    q->nrel = (int)json_array_size(rel);
    q->rel = arena_calloc(a, (size_t)(q->nrel ? q->nrel : 1), sizeof *q->rel);
    for (int i = 0; i < q->nrel; i++) {
        json_t *s = json_array_get(rel, (size_t)i);
        const char *t = jstr(s, "type");
        q->rel[i].without = t && strcmp(t, "Without") == 0;
        q->rel[i].alias = elm_intern(c->eng, jstr(s, "alias"));
        if (!(q->rel[i].expr = cnode(c, json_object_get(s, "expression"))) ||
            !(q->rel[i].such = cnode(c, json_object_get(s, "suchThat"))))
            return NULL;
    }
    json_t *w = json_object_get(j, "where");
    if (w && !(q->where = cnode(c, w)))
        return NULL;
    json_t *ret = json_object_get(j, "return");
    if (ret) {
        if (!(q->ret = cnode(c, json_object_get(ret, "expression"))))
            return NULL;
        json_t *dist = json_object_get(ret, "distinct");
        q->distinct = !dist || json_is_true(dist);
    }
    json_t *agg = json_object_get(j, "aggregate");
    if (agg) {
        q->agg_alias = elm_intern(c->eng, jstr(agg, "identifier"));
        if (!(q->agg_expr = cnode(c, json_object_get(agg, "expression"))))
            return NULL;
        json_t *st = json_object_get(agg, "starting");
        if (st && !(q->agg_start = cnode(c, st)))
            return NULL;
        q->agg_distinct = json_is_true(json_object_get(agg, "distinct"));
    }
    json_t *sort = json_object_get(json_object_get(j, "sort"), "by");
    q->nsort = (int)json_array_size(sort);
    q->sort = arena_calloc(a, (size_t)(q->nsort ? q->nsort : 1), sizeof *q->sort);
    for (int i = 0; i < q->nsort; i++) {
        json_t *s = json_array_get(sort, (size_t)i);
        const char *dir = jstr(s, "direction");
        q->sort[i].desc = dir && (strcmp(dir, "desc") == 0 || strcmp(dir, "descending") == 0);
        const char *t = jstr(s, "type");
        if (t && strcmp(t, "ByExpression") == 0) {
            if (!(q->sort[i].expr = cnode(c, json_object_get(s, "expression"))))
                return NULL;
        } else if (t && strcmp(t, "ByColumn") == 0) {
            q->sort[i].path = elm_intern(c->eng, jstr(s, "path"));
        }
    }
    return nd;
}

static node_t *c_elements(cc_t *c, int op, json_t *j)
{
    json_t *el = json_object_get(j, "element");
    int n = (int)json_array_size(el);
    node_t *nd = nnew(c, op, n);
    nd->names = arena_calloc(c->eng->arena, (size_t)(n ? n : 1), sizeof *nd->names);
    for (int i = 0; i < n; i++) {
        json_t *e = json_array_get(el, (size_t)i);
        nd->names[i] = elm_intern(c->eng, jstr(e, "name"));
        if (!(nd->a[i] = cnode(c, json_object_get(e, "value"))))
            return NULL;
    }
    return nd;
}

static node_t *c_named_operands(cc_t *c, int op, json_t *j, const char *const *keys, int n)
{
    node_t *nd = nnew(c, op, n);
    for (int i = 0; i < n; i++) {
        json_t *o = json_object_get(j, keys[i]);
        if (o && !(nd->a[i] = cnode(c, o)))
            return NULL;
    }
    nd->prec = (int8_t)prec_of(j);
    return nd;
}

static node_t *cnode(cc_t *c, json_t *j)
{
    if (c->e->code != ERR_OK)
        return NULL;
    const char *t = jstr(j, "type");
    if (!t)
        return fail(c, "%s", "ELM node without type");
    int op = op_from_name(t);
    if (op < 0)
        return fail(c, "unsupported ELM node type %s", t);
    node_t *nd;
    switch (op) {
    case OP_Null:
        return nnew(c, OP_Null, 0);
    case OP_Literal:
        return c_literal(c, j);
    case OP_Quantity: {
        nd = nnew(c, OP_Quantity, 0);
        json_t *v = json_object_get(j, "value");
        const char *u = jstr(j, "unit");
        nd->lit = cql_qty(c->eng->arena, json_number_value(v), elm_intern(c->eng, u ? u : "1"));
        return nd;
    }
    case OP_List:
        return cops(c, OP_List, j, "element");
    case OP_Tuple:
        return c_elements(c, OP_Tuple, j);
    case OP_Instance: {
        nd = c_elements(c, OP_Instance, j);
        if (nd)
            ttype_of(c, json_object_get(j, "classType"), NULL, &nd->tt);
        return nd;
    }
    case OP_Interval: {
        static const char *const keys[] = { "low", "high", "lowClosedExpression",
                                            "highClosedExpression" };
        nd = c_named_operands(c, OP_Interval, j, keys, 4);
        if (!nd)
            return NULL;
        if (json_is_true(json_object_get(j, "lowClosed")))
            nd->flags |= NF_LC;
        if (json_is_true(json_object_get(j, "highClosed")))
            nd->flags |= NF_HC;
        if (nd->a[2])
            nd->flags |= NF_LCEXPR;
        if (nd->a[3])
            nd->flags |= NF_HCEXPR;
        return nd;
    }
    case OP_DateTime:
    case OP_Date:
    case OP_Time: {
        static const char *const keys[] = { "year",   "month",  "day",         "hour",
                                            "minute", "second", "millisecond", "timezoneOffset" };
        static const char *const tkeys[] = { "hour", "minute", "second", "millisecond" };
        if (op == OP_Time)
            return c_named_operands(c, op, j, tkeys, 4);
        return c_named_operands(c, op, j, keys, op == OP_Date ? 3 : 8);
    }
    case OP_CodeRef:
        return c_code_ref(c, j);
    case OP_ValueSetRef:
        return c_vs_ref(c, j);
    case OP_ExpressionRef:
        return c_expr_ref(c, j);
    case OP_FunctionRef:
        return c_func_ref(c, j);
    case OP_ParameterRef:
        return c_param_ref(c, j);
    case OP_OperandRef:
    case OP_AliasRef:
    case OP_QueryLetRef:
    case OP_IdentifierRef:
        nd = nnew(c, op, 0);
        nd->name = elm_intern(c->eng, jstr(j, "name"));
        return nd;
    case OP_Property:
        return c_property(c, j);
    case OP_Retrieve:
        return c_retrieve(c, j);
    case OP_Query:
        return c_query(c, j);
    case OP_If: {
        static const char *const keys[] = { "condition", "then", "else" };
        return c_named_operands(c, op, j, keys, 3);
    }
    case OP_Case: {
        json_t *items = json_object_get(j, "caseItem");
        int ni = (int)json_array_size(items);
        nd = nnew(c, OP_Case, 2 + 2 * ni);
        json_t *cmp = json_object_get(j, "comparand");
        if (cmp) {
            nd->flags |= NF_COMPARAND;
            if (!(nd->a[0] = cnode(c, cmp)))
                return NULL;
        }
        json_t *el = json_object_get(j, "else");
        if (el && !(nd->a[1] = cnode(c, el)))
            return NULL;
        for (int i = 0; i < ni; i++) {
            json_t *it = json_array_get(items, (size_t)i);
            if (!(nd->a[2 + 2 * i] = cnode(c, json_object_get(it, "when"))) ||
                !(nd->a[3 + 2 * i] = cnode(c, json_object_get(it, "then"))))
                return NULL;
        }
        return nd;
    }
    case OP_Split: {
        static const char *const keys[] = { "stringToSplit", "separator" };
        return c_named_operands(c, op, j, keys, 2);
    }
    case OP_Substring: {
        static const char *const keys[] = { "stringToSub", "startIndex", "length" };
        return c_named_operands(c, op, j, keys, 3);
    }
    case OP_Message: {
        static const char *const keys[] = { "source", "condition", "code", "severity", "message" };
        return c_named_operands(c, op, j, keys, 5);
    }
    case OP_Count:
    case OP_Sum:
    case OP_Min:
    case OP_Max:
    case OP_Avg:
    case OP_First:
    case OP_Last:
    case OP_AllTrue:
    case OP_AnyTrue:
        return cops(c, op, j, "source");
    case OP_InValueSet:
    case OP_AnyInValueSet: {
        nd = nnew(c, op, 1);
        json_t *code = json_object_get(j, op == OP_InValueSet ? "code" : "codes");
        if (!(nd->a[0] = cnode(c, code)))
            return NULL;
        json_t *vs = json_object_get(j, "valueset");
        if (!vs)
            return fail(c, "%s without a static value set", t);
        node_t *v = c_vs_ref(c, vs);
        if (!v)
            return NULL;
        nd->vs = v->vs;
        return nd;
    }
    case OP_As:
    case OP_Is: {
        nd = cops(c, op, j, "operand");
        if (!nd)
            return NULL;
        if (op == OP_As)
            ttype_of(c, json_object_get(j, "asType"), json_object_get(j, "asTypeSpecifier"),
                     &nd->tt);
        else
            ttype_of(c, json_object_get(j, "isType"), json_object_get(j, "isTypeSpecifier"),
                     &nd->tt);
        return nd;
    }
    case OP_MinValue:
    case OP_MaxValue:
        nd = nnew(c, op, 0);
        ttype_of(c, json_object_get(j, "valueType"), NULL, &nd->tt);
        return nd;
    case OP_Today:
    case OP_Now:
        return nnew(c, op, 0);
    case OP_ToConcept:
    case OP_ToCode:
    default:
        nd = cops(c, op, j, "operand");
        return nd;
    }
}

static int compile_def(elm_engine_t *eng, elm_def_t *df, err_t *e)
{
    if (df->state != DS_NEW)
        return 0;
    df->state = DS_COMPILING;
    char where[300];
    snprintf(where, sizeof where, "%s.%s", df->lib->name, df->name ? df->name : "?");
    cc_t c = { eng, df->lib, df, e, elm_intern(eng, where) };
    json_t *body = json_object_get(df->json, df->is_param ? "default" : "expression");
    if (df->is_func) {
        json_t *ops = json_object_get(df->json, "operand");
        df->nparams = (int)json_array_size(ops);
        df->params =
            arena_calloc(eng->arena, (size_t)(df->nparams ? df->nparams : 1), sizeof *df->params);
        df->ptypes =
            arena_calloc(eng->arena, (size_t)(df->nparams ? df->nparams : 1), sizeof *df->ptypes);
        for (int i = 0; i < df->nparams; i++) {
            json_t *o = json_array_get(ops, (size_t)i);
            df->params[i] = elm_intern(eng, jstr(o, "name"));
            ttype_of(&c, json_object_get(o, "operandType"),
                     json_object_get(o, "operandTypeSpecifier"), &df->ptypes[i]);
        }
        if (json_is_true(json_object_get(df->json, "external")) && !body) {
            df->state = DS_DONE;
            return err_set(e, ERR_INPUT,
                           "library %s, function \"%s\": external function not supported",
                           df->lib->name, df->name);
        }
    }
    if (body) {
        df->body = cnode(&c, body);
        if (!df->body)
            return e->code ? (int)e->code
                           : err_set(e, ERR_INPUT, "library %s, expression \"%s\": compile failed",
                                     df->lib->name, df->name);
    }
    if (!df->is_func)
        df->slot = eng->nslots++;
    df->state = DS_DONE;
    return 0;
}

int elm_retrieved_types(const elm_engine_t *eng, const char *const **types)
{
    *types = eng->rtypes;
    return eng->nrtypes;
}

int elm_compile_def(elm_engine_t *eng, elm_lib_t *lib, const char *name, elm_def_t **out, err_t *e)
{
    int cnt;
    elm_def_t *d = find_def(lib, name, false, 0, &cnt);
    if (!d)
        return err_set(e, ERR_INPUT, "library %s has no expression \"%s\"", lib->name, name);
    if (compile_def(eng, d, e))
        return e->code;
    *out = d;
    return 0;
}
