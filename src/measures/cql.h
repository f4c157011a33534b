/* cql.h — CQL values and the operators on them.
 *
 * A value is an immutable tagged union allocated from the evaluation arena of
 * one patient; a NULL pointer is CQL null. FHIR data is not converted up
 * front: a resource or element stays a jansson json_t (kind CQL_FHIR) and is
 * converted to System types only when the ELM asks (FHIRHelpers, ".value").
 *
 * Three-valued logic: functions returning a truth value use cql_tri_t
 * (CQL_FALSE, CQL_TRUE, CQL_UNKNOWN) so that null propagates.
 */
#ifndef TRIPOD_MEASURES_CQL_H
#define TRIPOD_MEASURES_CQL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"

typedef enum cql_kind {
    CQL_BOOL = 1,
    CQL_INT,
    CQL_DEC,
    CQL_STR,
    CQL_DATE,     /* System.Date: precision year..day */
    CQL_DATETIME, /* System.DateTime: precision year..millisecond */
    CQL_TIME,
    CQL_QTY,
    CQL_RATIO,
    CQL_CODE,
    CQL_CONCEPT,
    CQL_IVL,
    CQL_LIST,
    CQL_TUPLE,
    CQL_FHIR /* a FHIR resource or element as JSON */
} cql_kind_t;

/* Date/time precisions, coarsest first. Seconds and milliseconds compare as
 * one precision (CQL 1.5 §"Comparison operators": seconds as a decimal). */
typedef enum cql_prec {
    CQL_P_YEAR = 0,
    CQL_P_MONTH,
    CQL_P_DAY,
    CQL_P_HOUR,
    CQL_P_MINUTE,
    CQL_P_SECOND,
    CQL_P_MS,
    CQL_P_WEEK, /* only as a duration unit */
    CQL_P_NONE = -1
} cql_prec_t;

typedef enum cql_tri { CQL_FALSE = 0, CQL_TRUE = 1, CQL_UNKNOWN = 2 } cql_tri_t;

/* A date, datetime or time. DateTimes with a time part are kept normalised to
 * UTC (tz = 0); evaluation uses UTC as its default offset. */
typedef struct cql_dt {
    int16_t y;
    int8_t mo, d, h, mi, s;
    int16_t ms;
    int8_t prec; /* cql_prec_t: the finest component present */
} cql_dt_t;

typedef struct cql_value cql_value_t;

struct cql_value {
    uint8_t kind;
    union {
        bool b;
        int64_t i;
        double d;
        const char *s;
        cql_dt_t dt;
        struct {
            double v;
            const char *unit; /* UCUM or calendar word; "1" when none */
        } q;
        struct {
            const cql_value_t *num, *den;
        } ratio;
        struct {
            const char *code, *system, *version, *display;
        } code;
        struct {
            const cql_value_t **codes; /* CQL_CODE values */
            int n;
            const char *display;
        } concept;
        struct {
            const cql_value_t *lo, *hi;
            bool lc, hc; /* closed boundaries */
        } ivl;
        struct {
            const cql_value_t **items;
            int n;
        } list;
        struct {
            const char **names; /* interned */
            const cql_value_t **vals;
            int n;
        } tuple;
        struct {
            json_t *j;
            const char *type; /* FHIR type name when known ("dateTime", "Period"), else NULL */
        } fhir;
    } u;
};

extern const cql_value_t cql_true_v, cql_false_v;
#define CQL_TRUEV  (&cql_true_v)
#define CQL_FALSEV (&cql_false_v)

static inline const cql_value_t *cql_bool(bool b)
{
    return b ? CQL_TRUEV : CQL_FALSEV;
}
static inline const cql_value_t *cql_tri_value(cql_tri_t t)
{
    return t == CQL_UNKNOWN ? NULL : cql_bool(t == CQL_TRUE);
}
static inline cql_tri_t cql_tri_of(const cql_value_t *v)
{
    if (!v || v->kind != CQL_BOOL)
        return CQL_UNKNOWN;
    return v->u.b ? CQL_TRUE : CQL_FALSE;
}
cql_tri_t cql_and3(cql_tri_t a, cql_tri_t b);
cql_tri_t cql_or3(cql_tri_t a, cql_tri_t b);
cql_tri_t cql_not3(cql_tri_t a);
cql_tri_t cql_implies3(cql_tri_t a, cql_tri_t b);
cql_tri_t cql_xor3(cql_tri_t a, cql_tri_t b);

/* Constructors (arena-allocated). */
cql_value_t *cql_new(arena_t *a, cql_kind_t kind);
const cql_value_t *cql_int(arena_t *a, int64_t i);
const cql_value_t *cql_dec(arena_t *a, double d);
const cql_value_t *cql_str(arena_t *a, const char *s);
const cql_value_t *cql_qty(arena_t *a, double v, const char *unit);
const cql_value_t *cql_dtv(arena_t *a, cql_kind_t kind, cql_dt_t dt);
const cql_value_t *cql_ivl(arena_t *a, const cql_value_t *lo, bool lc, const cql_value_t *hi,
                           bool hc);
const cql_value_t *cql_fhir(arena_t *a, json_t *j, const char *type);
const cql_value_t *cql_code(arena_t *a, const char *code, const char *system, const char *version,
                            const char *display);
/* A list taking ownership of items (an arena array of n values). */
const cql_value_t *cql_list(arena_t *a, const cql_value_t **items, int n);
extern const cql_value_t cql_empty_list_v;
#define CQL_EMPTY_LIST (&cql_empty_list_v)

/* Growable list under construction (arena-backed). */
typedef struct cql_lb {
    const cql_value_t **items;
    int n, cap;
} cql_lb_t;
void cql_lb_push(arena_t *a, cql_lb_t *lb, const cql_value_t *v);
const cql_value_t *cql_lb_done(arena_t *a, cql_lb_t *lb);

/* ---- dates and times ---- */

/* Parses an ISO/FHIR date, dateTime or instant ("2025", "2025-03", "2025-03-01",
 * "2025-03-01T10:00:00.000Z", "2025-03-01T10:00:00+02:00"); a time part is
 * normalised to UTC. Returns 0 or -1. *is_date is set when there was no time. */
int cql_dt_parse(const char *s, cql_dt_t *out, bool *is_date);
/* Parses "hh[:mm[:ss[.fff]]]" (FHIR time). */
int cql_time_parse(const char *s, cql_dt_t *out);
/* Formats as ISO (DateTime with "Z" when it has a time part). */
void cql_dt_format(const cql_dt_t *dt, cql_kind_t kind, char *out, size_t cap);
/* Compares two temporal values component by component down to `prec` (or to
 * the finest precision when CQL_P_NONE). Sets *res to -1/0/1 and returns 0,
 * or returns -1 when the answer is uncertain (a component missing in one). */
int cql_dt_cmp(const cql_dt_t *a, const cql_dt_t *b, int prec, int *res);
/* Adds n units of precision unit (CQL_P_WEEK allowed); returns 0 or -1 when
 * the result leaves years 1..9999. Month and year additions clamp the day. */
int cql_dt_add(cql_dt_t *dt, int unit, int64_t n);
/* Whole units from a to b (DurationBetween) or boundaries crossed
 * (DifferenceBetween). Returns 0 or -1 when uncertain. */
int cql_dt_duration(const cql_dt_t *a, const cql_dt_t *b, int unit, int64_t *out);
int cql_dt_difference(const cql_dt_t *a, const cql_dt_t *b, int unit, int64_t *out);
/* Truncates to precision p (coarser only). */
void cql_dt_truncate(cql_dt_t *dt, int p);
cql_dt_t cql_dt_min(void);
cql_dt_t cql_dt_max(void);
/* "year", "Year", "years" -> CQL_P_YEAR ...; UCUM "a","mo","wk","d","h","min","s","ms"
 * too. Returns CQL_P_NONE when not a time unit. */
int cql_prec_from_name(const char *s);

/* ---- quantities (UCUM) ---- */

/* Converts v in unit `from` to unit `to`. Returns 0 or -1 when the units are
 * not commensurable or unknown. */
int cql_ucum_convert(double v, const char *from, const char *to, double *out);
/* Canonical form: value in base units (g, m, s, mm[Hg], mol, [iU], eq) and the
 * exponent of each base dimension. Returns 0 or -1 for an unknown unit. */
#define CQL_UCUM_DIMS 7
int cql_ucum_canon(double v, const char *unit, double *out, int dims[CQL_UCUM_DIMS]);

/* ---- generic operators ---- */

/* Converts a FHIR primitive wrapper (kind CQL_FHIR holding a JSON string,
 * number or boolean) to its System value; other values are returned as is. */
const cql_value_t *cql_prim(arena_t *a, const cql_value_t *v);
/* Order comparison for Integer, Decimal, String, Date, DateTime, Time,
 * Quantity at an optional precision: 0 with *res, or -1 for null/uncertain
 * or incomparable. */
int cql_compare(arena_t *a, const cql_value_t *x, const cql_value_t *y, int prec, int *res);
/* CQL Equal (=) and Equivalent (~). */
cql_tri_t cql_equal(arena_t *a, const cql_value_t *x, const cql_value_t *y);
bool cql_equivalent(arena_t *a, const cql_value_t *x, const cql_value_t *y);
/* Converts a Code, Concept, FHIR Coding/CodeableConcept to a Concept-like code
 * list; returns the count and sets *codes. */
int cql_codes_of(arena_t *a, const cql_value_t *v, const cql_value_t ***codes);

/* Interval boundaries as closed values: a closed null boundary is the minimum
 * (maximum) of the point type, an open boundary its successor (predecessor);
 * an open null boundary is unknown (NULL). */
const cql_value_t *cql_ivl_start(arena_t *a, const cql_value_t *ivl);
const cql_value_t *cql_ivl_end(arena_t *a, const cql_value_t *ivl);
const cql_value_t *cql_successor(arena_t *a, const cql_value_t *v, int dir);

/* Debug/JSON rendering of a value (tests, error messages). */
void cql_format(const cql_value_t *v, char *out, size_t cap);

#endif
