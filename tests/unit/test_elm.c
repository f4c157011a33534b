/* test_elm.c — CQL semantics of the ELM interpreter: three-valued logic,
 * dates with precision, intervals, UCUM, equality, and small ELM libraries
 * evaluated end to end (queries, errors naming library/expression/node).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "measures/cql.h"
#include "measures/elm.h"

static cql_dt_t dt(const char *s)
{
    cql_dt_t t;
    bool is_date;
    assert_int_equal(cql_dt_parse(s, &t, &is_date), 0);
    return t;
}

static void test_three_valued(void **state)
{
    (void)state;
    const cql_tri_t T = CQL_TRUE, F = CQL_FALSE, U = CQL_UNKNOWN;
    /* CQL §9.2: and / or / not / implies truth tables. */
    assert_int_equal(cql_and3(T, T), T);
    assert_int_equal(cql_and3(T, U), U);
    assert_int_equal(cql_and3(F, U), F);
    assert_int_equal(cql_and3(U, U), U);
    assert_int_equal(cql_or3(F, F), F);
    assert_int_equal(cql_or3(T, U), T);
    assert_int_equal(cql_or3(F, U), U);
    assert_int_equal(cql_not3(U), U);
    assert_int_equal(cql_not3(T), F);
    assert_int_equal(cql_implies3(F, U), T);
    assert_int_equal(cql_implies3(T, U), U);
    assert_int_equal(cql_xor3(T, F), T);
    assert_int_equal(cql_xor3(T, U), U);
}

static void test_date_precision(void **state)
{
    (void)state;
    int r;
    cql_dt_t a = dt("2025-01-01"), b = dt("2025-01-01T10:00:00.000Z");
    /* Different precisions, equal as far as both go: uncertain (null). */
    assert_int_equal(cql_dt_cmp(&a, &b, CQL_P_NONE, &r), -1);
    /* ... but equal at day precision ("same day as"). */
    assert_int_equal(cql_dt_cmp(&a, &b, CQL_P_DAY, &r), 0);
    assert_int_equal(r, 0);
    cql_dt_t m = dt("2025-03"), d = dt("2025-04-01");
    assert_int_equal(cql_dt_cmp(&m, &d, CQL_P_NONE, &r), 0);
    assert_int_equal(r, -1);
    /* Offsets normalise to UTC. */
    cql_dt_t x = dt("2025-01-01T01:00:00+02:00"), y = dt("2024-12-31T23:00:00Z");
    assert_int_equal(cql_dt_cmp(&x, &y, CQL_P_NONE, &r), 0);
    assert_int_equal(r, 0);
    /* Seconds and milliseconds compare as one precision. */
    cql_dt_t s1 = dt("2025-01-01T00:00:00Z"), s2 = dt("2025-01-01T00:00:00.000Z");
    assert_int_equal(cql_dt_cmp(&s1, &s2, CQL_P_NONE, &r), 0);
    assert_int_equal(r, 0);
    cql_dt_t bad;
    bool is_date;
    assert_int_equal(cql_dt_parse("2023-02-29", &bad, &is_date), -1);
}

static void test_date_arithmetic(void **state)
{
    (void)state;
    cql_dt_t t = dt("2024-01-31");
    assert_int_equal(cql_dt_add(&t, CQL_P_MONTH, 1), 0);
    assert_int_equal(t.mo, 2);
    assert_int_equal(t.d, 29); /* clamped to the month's end */
    t = dt("2024-02-29");
    assert_int_equal(cql_dt_add(&t, CQL_P_YEAR, 1), 0);
    assert_int_equal(t.y, 2025);
    assert_int_equal(t.d, 28);
    t = dt("2025-12-31T23:00:00.000Z");
    assert_int_equal(cql_dt_add(&t, CQL_P_HOUR, 2), 0);
    assert_int_equal(t.y, 2026);
    assert_int_equal(t.h, 1);
    /* Ages: whole years (CalculateAgeInYearsAt). */
    cql_dt_t birth = dt("1973-12-31"), at1 = dt("2025-12-31"), at2 = dt("2025-12-30");
    int64_t n;
    assert_int_equal(cql_dt_duration(&birth, &at1, CQL_P_YEAR, &n), 0);
    assert_int_equal(n, 52);
    assert_int_equal(cql_dt_duration(&birth, &at2, CQL_P_YEAR, &n), 0);
    assert_int_equal(n, 51);
    /* Duration vs difference: boundaries crossed. */
    cql_dt_t p = dt("2025-12-31"), q = dt("2026-01-01");
    assert_int_equal(cql_dt_duration(&p, &q, CQL_P_YEAR, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(cql_dt_difference(&p, &q, CQL_P_YEAR, &n), 0);
    assert_int_equal(n, 1);
    cql_dt_t h1 = dt("2025-01-01T10:00:00.000Z"), h2 = dt("2025-01-02T09:59:00.000Z");
    assert_int_equal(cql_dt_duration(&h1, &h2, CQL_P_DAY, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(cql_dt_difference(&h1, &h2, CQL_P_DAY, &n), 0);
    assert_int_equal(n, 1);
    /* Uncertain: a year-precision date has no months. */
    cql_dt_t y = dt("1950");
    assert_int_equal(cql_dt_duration(&y, &at1, CQL_P_MONTH, &n), -1);
}

static void test_intervals(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    const cql_value_t *lo = cql_dtv(a, CQL_DATETIME, dt("2025-01-01T00:00:00.000Z"));
    /* Closed null high: the maximum DateTime; open null: unknown. */
    const cql_value_t *open_end = cql_ivl(a, lo, true, NULL, true);
    const cql_value_t *e = cql_ivl_end(a, open_end);
    assert_non_null(e);
    assert_int_equal(e->u.dt.y, 9999);
    assert_null(cql_ivl_end(a, cql_ivl(a, lo, true, NULL, false)));
    /* Open integer boundaries: Interval(1, 5) starts at 2 and ends at 4. */
    const cql_value_t *iv = cql_ivl(a, cql_int(a, 1), false, cql_int(a, 5), false);
    assert_int_equal(cql_ivl_start(a, iv)->u.i, 2);
    assert_int_equal(cql_ivl_end(a, iv)->u.i, 4);
    /* An open DateTime boundary moves by one unit of its precision. */
    const cql_value_t *d = cql_dtv(a, CQL_DATE, dt("2025-03-01"));
    const cql_value_t *dv = cql_ivl(a, d, false, d, true);
    assert_int_equal(cql_ivl_start(a, dv)->u.dt.d, 2);
    arena_free(a);
}

static void test_ucum(void **state)
{
    (void)state;
    double v;
    assert_int_equal(cql_ucum_convert(1, "[lb_av]", "kg", &v), 0);
    assert_true(v > 0.45359 && v < 0.45360);
    assert_int_equal(cql_ucum_convert(100, "mg/dL", "g/L", &v), 0);
    assert_true(v > 0.9999 && v < 1.0001);
    assert_int_equal(cql_ucum_convert(50, "%", "1", &v), 0);
    assert_true(v > 0.4999 && v < 0.5001);
    assert_int_equal(cql_ucum_convert(70, "[in_i]", "cm", &v), 0);
    assert_true(v > 177.79 && v < 177.81);
    assert_int_equal(cql_ucum_convert(2, "wk", "d", &v), 0);
    assert_true(v > 13.99 && v < 14.01);
    assert_int_equal(cql_ucum_convert(1, "year", "months", &v), 0);
    assert_true(v > 11.99 && v < 12.01);
    assert_int_equal(cql_ucum_convert(25, "kg/m2", "kg/m2", &v), 0);
    assert_int_equal(cql_ucum_convert(1, "mm[Hg]", "kg", &v), -1); /* not commensurable */
    assert_int_equal(cql_ucum_convert(1, "furlong", "m", &v), -1); /* unknown */
}

static void test_equality(void **state)
{
    (void)state;
    arena_t *a = arena_new(0);
    const cql_value_t *s1 = cql_str(a, "Hello  World"), *s2 = cql_str(a, "hello world");
    assert_int_equal(cql_equal(a, s1, s2), CQL_FALSE);
    assert_true(cql_equivalent(a, s1, s2));
    assert_int_equal(cql_equal(a, NULL, s1), CQL_UNKNOWN);
    assert_true(cql_equivalent(a, NULL, NULL));
    const cql_value_t *c1 = cql_code(a, "E11.9", "http://hl7.org/fhir/sid/icd-10-cm", NULL, "x");
    const cql_value_t *c2 = cql_code(a, "E11.9", "http://hl7.org/fhir/sid/icd-10-cm", "2025", NULL);
    assert_true(cql_equivalent(a, c1, c2));
    const cql_value_t *q1 = cql_qty(a, 1, "g"), *q2 = cql_qty(a, 1000, "mg");
    assert_int_equal(cql_equal(a, q1, q2), CQL_TRUE);
    assert_int_equal(cql_equal(a, q1, cql_qty(a, 1, "m")), CQL_UNKNOWN);
    assert_int_equal(cql_equal(a, cql_int(a, 2), cql_dec(a, 2.0)), CQL_TRUE);
    /* A FHIR primitive compares as its System value. */
    json_t *j = json_string("2025-01-01");
    const cql_value_t *f = cql_fhir(a, j, "date");
    const cql_value_t *p = cql_prim(a, f);
    assert_int_equal(p->kind, CQL_DATE);
    json_decref(j);
    arena_free(a);
}

/* ---- end to end: a small ELM library ---- */

static char *b64(const char *s)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    char *out = malloc(n / 3 * 4 + 8);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    out[o] = 0;
    return out;
}

/* Writes a Library resource with the given ELM statements into dir. */
static void write_library(const char *dir, const char *name, const char *statements)
{
    char elm[8192];
    snprintf(elm, sizeof elm,
             "{\"library\":{\"identifier\":{\"id\":\"%s\",\"version\":\"1.0.0\"},"
             "\"statements\":{\"def\":[%s]}}}",
             name, statements);
    char *data = b64(elm);
    char path[700];
    if (snprintf(path, sizeof path, "%s/%s.json", dir, name) >= (int)sizeof path)
        fail();
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"resourceType\":\"Library\",\"url\":\"http://example.org/Library/%s\","
            "\"content\":[{\"contentType\":\"application/elm+json\",\"data\":\"%s\"}]}",
            name, data);
    fclose(f);
    free(data);
}

#define LIT_INT(v)                                                                                 \
    "{\"type\":\"Literal\",\"valueType\":\"{urn:hl7-org:elm-types:r1}Integer\",\"value\":\"" #v    \
    "\"}"

static void test_elm_query(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tripod_elm_XXXXXX", TRIPOD_BINARY_DIR);
    assert_non_null(mkdtemp(dir));
    /* define "Q": ({3, 1, 2}) X let Y: X * 10 where X > 1 return Y sort desc
     * define "N": null and false   -> false
     * define "Age": years between @1973-12-31 and @2025-12-31 */
    const char *defs = "{\"name\":\"Q\",\"context\":\"Patient\",\"expression\":{\"type\":\"Query\","
                       "\"source\":[{\"alias\":\"X\",\"expression\":{\"type\":\"List\",\"element\":"
                       "[" LIT_INT(3) "," LIT_INT(1) "," LIT_INT(
                           2) "]}}],"
                              "\"let\":[{\"identifier\":\"Y\",\"expression\":{\"type\":"
                              "\"Multiply\",\"operand\":["
                              "{\"type\":\"AliasRef\",\"name\":\"X\"}," LIT_INT(
                                  10) "]}}],"
                                      "\"relationship\":[],"
                                      "\"where\":{\"type\":\"Greater\",\"operand\":[{\"type\":"
                                      "\"AliasRef\",\"name\":\"X\"}," LIT_INT(
                                          1) "]},"
                                             "\"return\":{\"expression\":{\"type\":\"QueryLetRef\","
                                             "\"name\":\"Y\"}},"
                                             "\"sort\":{\"by\":[{\"type\":\"ByDirection\","
                                             "\"direction\":\"desc\"}]}}},"
                                             "{\"name\":\"N\",\"context\":\"Patient\","
                                             "\"expression\":{\"type\":\"And\",\"operand\":["
                                             "{\"type\":\"Null\"},{\"type\":\"Literal\","
                                             "\"valueType\":\"{urn:hl7-org:elm-types:r1}"
                                             "Boolean\",\"value\":\"false\"}]}},"
                                             "{\"name\":\"Bad\",\"context\":\"Patient\","
                                             "\"expression\":{\"type\":\"Frobnicate\"}}";
    write_library(dir, "TestLib", defs);
    elm_engine_t *eng = elm_engine_new();
    err_t e;
    err_clear(&e);
    assert_int_equal(elm_load_library_dir(eng, dir, &e), 0);
    elm_lib_t *lib = elm_find_lib(eng, "TestLib");
    assert_non_null(lib);
    elm_def_t *q, *nd, *bad;
    assert_int_equal(elm_compile_def(eng, lib, "Q", &q, &e), 0);
    assert_int_equal(elm_compile_def(eng, lib, "N", &nd, &e), 0);
    /* An unsupported node names library, expression and node. */
    assert_int_not_equal(elm_compile_def(eng, lib, "Bad", &bad, &e), 0);
    assert_non_null(strstr(e.msg, "TestLib"));
    assert_non_null(strstr(e.msg, "\"Bad\""));
    assert_non_null(strstr(e.msg, "Frobnicate"));
    err_clear(&e);
    elm_ctx_t *ctx = elm_ctx_new(eng);
    elm_ctx_begin(ctx, NULL, 0);
    const cql_value_t *v;
    assert_int_equal(elm_eval(ctx, q, &v, &e), 0);
    assert_non_null(v);
    assert_int_equal(v->kind, CQL_LIST);
    assert_int_equal(v->u.list.n, 2);
    assert_int_equal(v->u.list.items[0]->u.i, 30);
    assert_int_equal(v->u.list.items[1]->u.i, 20);
    assert_int_equal(elm_eval(ctx, nd, &v, &e), 0);
    assert_non_null(v);
    assert_false(v->u.b);
    elm_ctx_free(ctx);
    elm_engine_free(eng);
    char path[600];
    if (snprintf(path, sizeof path, "%s/TestLib.json", dir) < (int)sizeof path)
        unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_valued),
        cmocka_unit_test(test_date_precision),
        cmocka_unit_test(test_date_arithmetic),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_ucum),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_elm_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
