/* cql_value.c — CQL values: constructors, dates with precision, UCUM,
 * comparison, equality and equivalence (CQL 1.5 reference, chapter 9).
 */
#include "measures/cql.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"

const cql_value_t cql_true_v = { .kind = CQL_BOOL, .u.b = true };
const cql_value_t cql_false_v = { .kind = CQL_BOOL, .u.b = false };
const cql_value_t cql_empty_list_v = { .kind = CQL_LIST, .u.list = { NULL, 0 } };

/* ---- three-valued logic (CQL §9.2) ---- */

cql_tri_t cql_and3(cql_tri_t a, cql_tri_t b)
{
    if (a == CQL_FALSE || b == CQL_FALSE)
        return CQL_FALSE;
    if (a == CQL_TRUE && b == CQL_TRUE)
        return CQL_TRUE;
    return CQL_UNKNOWN;
}

cql_tri_t cql_or3(cql_tri_t a, cql_tri_t b)
{
    if (a == CQL_TRUE || b == CQL_TRUE)
        return CQL_TRUE;
    if (a == CQL_FALSE && b == CQL_FALSE)
        return CQL_FALSE;
    return CQL_UNKNOWN;
}

cql_tri_t cql_not3(cql_tri_t a)
{
    return a == CQL_UNKNOWN ? CQL_UNKNOWN : (a == CQL_TRUE ? CQL_FALSE : CQL_TRUE);
}

cql_tri_t cql_implies3(cql_tri_t a, cql_tri_t b)
{
    return cql_or3(cql_not3(a), b);
}

cql_tri_t cql_xor3(cql_tri_t a, cql_tri_t b)
{
    if (a == CQL_UNKNOWN || b == CQL_UNKNOWN)
        return CQL_UNKNOWN;
    return a != b ? CQL_TRUE : CQL_FALSE;
}

/* ---- constructors ---- */

cql_value_t *cql_new(arena_t *a, cql_kind_t kind)
{
    cql_value_t *v = arena_alloc(a, sizeof *v);
    memset(v, 0, sizeof *v);
    v->kind = (uint8_t)kind;
    return v;
}

const cql_value_t *cql_int(arena_t *a, int64_t i)
{
    cql_value_t *v = cql_new(a, CQL_INT);
    v->u.i = i;
    return v;
}

const cql_value_t *cql_dec(arena_t *a, double d)
{
    cql_value_t *v = cql_new(a, CQL_DEC);
    v->u.d = d;
    return v;
}

const cql_value_t *cql_str(arena_t *a, const char *s)
{
    if (!s)
        return NULL;
    cql_value_t *v = cql_new(a, CQL_STR);
    v->u.s = s;
    return v;
}

const cql_value_t *cql_qty(arena_t *a, double val, const char *unit)
{
    cql_value_t *v = cql_new(a, CQL_QTY);
    v->u.q.v = val;
    v->u.q.unit = unit ? unit : "1";
    return v;
}

const cql_value_t *cql_dtv(arena_t *a, cql_kind_t kind, cql_dt_t dt)
{
    cql_value_t *v = cql_new(a, kind);
    v->u.dt = dt;
    return v;
}

const cql_value_t *cql_ivl(arena_t *a, const cql_value_t *lo, bool lc, const cql_value_t *hi,
                           bool hc)
{
    cql_value_t *v = cql_new(a, CQL_IVL);
    v->u.ivl.lo = lo;
    v->u.ivl.hi = hi;
    v->u.ivl.lc = lc;
    v->u.ivl.hc = hc;
    return v;
}

const cql_value_t *cql_fhir(arena_t *a, json_t *j, const char *type)
{
    if (!j || json_is_null(j))
        return NULL;
    cql_value_t *v = cql_new(a, CQL_FHIR);
    v->u.fhir.j = j;
    v->u.fhir.type = type;
    return v;
}

const cql_value_t *cql_code(arena_t *a, const char *code, const char *system, const char *version,
                            const char *display)
{
    cql_value_t *v = cql_new(a, CQL_CODE);
    v->u.code.code = code;
    v->u.code.system = system;
    v->u.code.version = version;
    v->u.code.display = display;
    return v;
}

const cql_value_t *cql_list(arena_t *a, const cql_value_t **items, int n)
{
    if (n == 0)
        return CQL_EMPTY_LIST;
    cql_value_t *v = cql_new(a, CQL_LIST);
    v->u.list.items = items;
    v->u.list.n = n;
    return v;
}

void cql_lb_push(arena_t *a, cql_lb_t *lb, const cql_value_t *v)
{
    if (lb->n == lb->cap) {
        int cap = lb->cap ? lb->cap * 2 : 8;
        const cql_value_t **items = arena_alloc(a, (size_t)cap * sizeof *items);
        if (lb->n)
            memcpy(items, lb->items, (size_t)lb->n * sizeof *items);
        lb->items = items;
        lb->cap = cap;
    }
    lb->items[lb->n++] = v;
}

const cql_value_t *cql_lb_done(arena_t *a, cql_lb_t *lb)
{
    return cql_list(a, lb->items, lb->n);
}

/* ---- calendar arithmetic (Hinnant's days_from_civil) ---- */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[(m - 1) % 12];
}

/* Milliseconds since 1970 of the components present (missing ones as their minimum). */
static int64_t dt_epoch_ms(const cql_dt_t *t)
{
    int mo = t->prec >= CQL_P_MONTH ? t->mo : 1;
    int d = t->prec >= CQL_P_DAY ? t->d : 1;
    int64_t days = days_from_civil(t->y, mo, d);
    int64_t ms = days * 86400000LL;
    if (t->prec >= CQL_P_HOUR)
        ms += (int64_t)t->h * 3600000LL;
    if (t->prec >= CQL_P_MINUTE)
        ms += (int64_t)t->mi * 60000LL;
    if (t->prec >= CQL_P_SECOND)
        ms += (int64_t)t->s * 1000LL;
    if (t->prec >= CQL_P_MS)
        ms += t->ms;
    return ms;
}

static void dt_from_epoch_ms(cql_dt_t *t, int64_t ms)
{
    int64_t days = ms >= 0 ? ms / 86400000LL : -((-ms + 86400000LL - 1) / 86400000LL);
    int64_t rem = ms - days * 86400000LL;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    t->y = (int16_t)y;
    t->mo = (int8_t)m;
    t->d = (int8_t)d;
    t->h = (int8_t)(rem / 3600000LL);
    t->mi = (int8_t)((rem / 60000LL) % 60);
    t->s = (int8_t)((rem / 1000LL) % 60);
    t->ms = (int16_t)(rem % 1000LL);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int cql_time_parse(const char *s, cql_dt_t *out)
{
    memset(out, 0, sizeof *out);
    const char *p = s;
    int v;
    if (*p == 'T')
        p++;
    if (digits(&p, 2, &v) || v > 23)
        return -1;
    out->h = (int8_t)v;
    out->prec = CQL_P_HOUR;
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &v) || v > 59)
            return -1;
        out->mi = (int8_t)v;
        out->prec = CQL_P_MINUTE;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &v) || v > 59)
                return -1;
            out->s = (int8_t)v;
            out->prec = CQL_P_SECOND;
            if (*p == '.') {
                p++;
                int ms = 0, n = 0;
                while (isdigit((unsigned char)*p)) {
                    if (n < 3)
                        ms = ms * 10 + (*p - '0');
                    n++;
                    p++;
                }
                if (n == 0)
                    return -1;
                for (; n < 3; n++)
                    ms *= 10;
                out->ms = (int16_t)ms;
                out->prec = CQL_P_MS;
            }
        }
    }
    return *p ? -1 : 0;
}

int cql_dt_parse(const char *s, cql_dt_t *out, bool *is_date)
{
    memset(out, 0, sizeof *out);
    *is_date = true;
    const char *p = s;
    int v;
    if (*p == '@')
        p++;
    if (digits(&p, 4, &v) || v < 1)
        return -1;
    out->y = (int16_t)v;
    out->prec = CQL_P_YEAR;
    if (*p == '-') {
        p++;
        if (digits(&p, 2, &v) || v < 1 || v > 12)
            return -1;
        out->mo = (int8_t)v;
        out->prec = CQL_P_MONTH;
        if (*p == '-') {
            p++;
            if (digits(&p, 2, &v) || v < 1 || v > days_in_month(out->y, out->mo))
                return -1;
            out->d = (int8_t)v;
            out->prec = CQL_P_DAY;
        }
    }
    if (*p != 'T')
        return *p ? -1 : 0;
    *is_date = false;
    p++;
    if (!*p)
        return 0; /* "2025-01-01T" is a DateTime of day precision */
    /* Time part: split off the offset. */
    char tbuf[32];
    size_t n = 0;
    while (p[n] && p[n] != 'Z' && p[n] != '+' && p[n] != '-' && n < sizeof tbuf - 1)
        n++;
    memcpy(tbuf, p, n);
    tbuf[n] = 0;
    cql_dt_t t;
    if (cql_time_parse(tbuf, &t))
        return -1;
    out->h = t.h;
    out->mi = t.mi;
    out->s = t.s;
    out->ms = t.ms;
    out->prec = t.prec;
    p += n;
    int off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, hh, mm = 0;
        p++;
        if (digits(&p, 2, &hh))
            return -1;
        if (*p == ':')
            p++;
        if (*p && digits(&p, 2, &mm))
            return -1;
        off = sign * (hh * 60 + mm);
    }
    if (*p)
        return -1;
    if (off) {
        int8_t prec = out->prec;
        cql_dt_t full = *out;
        full.prec = CQL_P_MS;
        if (prec < CQL_P_MS)
            full.ms = 0;
        if (prec < CQL_P_SECOND)
            full.s = 0;
        if (prec < CQL_P_MINUTE)
            full.mi = 0;
        dt_from_epoch_ms(&full, dt_epoch_ms(&full) - (int64_t)off * 60000LL);
        full.prec = prec;
        *out = full;
    }
    return 0;
}

void cql_dt_format(const cql_dt_t *t, cql_kind_t kind, char *out, size_t cap)
{
    if (kind == CQL_TIME) {
        snprintf(out, cap, "%02d:%02d:%02d.%03d", t->h, t->mi, t->s, t->ms);
        return;
    }
    size_t n = (size_t)snprintf(out, cap, "%04d", t->y);
    if (t->prec >= CQL_P_MONTH && n < cap)
        n += (size_t)snprintf(out + n, cap - n, "-%02d", t->mo);
    if (t->prec >= CQL_P_DAY && n < cap)
        n += (size_t)snprintf(out + n, cap - n, "-%02d", t->d);
    if (kind == CQL_DATE || t->prec < CQL_P_HOUR || n >= cap)
        return;
    n += (size_t)snprintf(out + n, cap - n, "T%02d", t->h);
    if (t->prec >= CQL_P_MINUTE && n < cap)
        n += (size_t)snprintf(out + n, cap - n, ":%02d", t->mi);
    if (t->prec >= CQL_P_SECOND && n < cap)
        n += (size_t)snprintf(out + n, cap - n, ":%02d", t->s);
    if (t->prec >= CQL_P_MS && n < cap)
        n += (size_t)snprintf(out + n, cap - n, ".%03d", t->ms);
    if (n < cap)
        snprintf(out + n, cap - n, "Z");
}

static int dt_level(int prec)
{
    return prec >= CQL_P_SECOND ? CQL_P_SECOND : prec;
}

static int dt_comp(const cql_dt_t *t, int lvl)
{
    switch (lvl) {
    case CQL_P_YEAR:
        return t->y;
    case CQL_P_MONTH:
        return t->mo;
    case CQL_P_DAY:
        return t->d;
    case CQL_P_HOUR:
        return t->h;
    case CQL_P_MINUTE:
        return t->mi;
    default:
        return t->s * 1000 + (t->prec >= CQL_P_MS ? t->ms : 0);
    }
}

int cql_dt_cmp(const cql_dt_t *a, const cql_dt_t *b, int prec, int *res)
{
    int maxlvl = prec == CQL_P_NONE ? CQL_P_SECOND : dt_level(prec);
    int la = dt_level(a->prec), lb = dt_level(b->prec);
    for (int i = 0; i <= maxlvl; i++) {
        bool ha = la >= i, hb = lb >= i;
        if (!ha && !hb) {
            if (prec != CQL_P_NONE)
                return -1;
            *res = 0;
            return 0;
        }
        if (ha != hb)
            return -1;
        int x = dt_comp(a, i), y = dt_comp(b, i);
        if (x != y) {
            *res = x < y ? -1 : 1;
            return 0;
        }
    }
    *res = 0;
    return 0;
}

cql_dt_t cql_dt_min(void)
{
    cql_dt_t t = { 1, 1, 1, 0, 0, 0, 0, CQL_P_MS };
    return t;
}

cql_dt_t cql_dt_max(void)
{
    cql_dt_t t = { 9999, 12, 31, 23, 59, 59, 999, CQL_P_MS };
    return t;
}

void cql_dt_truncate(cql_dt_t *t, int p)
{
    if (p < 0 || p >= t->prec)
        return;
    t->prec = (int8_t)p;
    if (p < CQL_P_MS)
        t->ms = 0;
    if (p < CQL_P_SECOND)
        t->s = 0;
    if (p < CQL_P_MINUTE)
        t->mi = 0;
    if (p < CQL_P_HOUR)
        t->h = 0;
    if (p < CQL_P_DAY)
        t->d = 0;
    if (p < CQL_P_MONTH)
        t->mo = 0;
}

static int64_t unit_ms(int unit)
{
    switch (unit) {
    case CQL_P_WEEK:
        return 7 * 86400000LL;
    case CQL_P_DAY:
        return 86400000LL;
    case CQL_P_HOUR:
        return 3600000LL;
    case CQL_P_MINUTE:
        return 60000LL;
    case CQL_P_SECOND:
        return 1000LL;
    case CQL_P_MS:
        return 1;
    default:
        return 0;
    }
}

int cql_dt_add(cql_dt_t *t, int unit, int64_t n)
{
    int prec = t->prec;
    /* A quantity finer than the value is converted to the value's precision,
     * truncating (CQL §9.10 "Add" for Date/DateTime). */
    if (unit >= CQL_P_DAY && unit != CQL_P_MS + 1 && prec < CQL_P_DAY) {
        int64_t days = n * unit_ms(unit) / 86400000LL;
        if (prec == CQL_P_MONTH) {
            unit = CQL_P_MONTH;
            n = days / 30;
        } else {
            unit = CQL_P_YEAR;
            n = days / 365;
        }
    } else if (unit >= CQL_P_HOUR && unit <= CQL_P_MS && prec < unit && prec >= CQL_P_DAY) {
        int64_t ms = n * unit_ms(unit);
        int64_t u = unit_ms(prec == CQL_P_SECOND ? CQL_P_SECOND : prec);
        n = ms / u;
        unit = prec == CQL_P_SECOND ? CQL_P_SECOND : prec;
    }
    if (unit == CQL_P_YEAR || unit == CQL_P_MONTH) {
        int64_t idx = (int64_t)t->y * 12 + (t->mo ? t->mo - 1 : 0);
        idx += unit == CQL_P_YEAR ? n * 12 : n;
        int64_t y = idx >= 0 ? idx / 12 : -1;
        if (y < 1 || y > 9999)
            return -1;
        t->y = (int16_t)y;
        if (prec >= CQL_P_MONTH)
            t->mo = (int8_t)(idx % 12 + 1);
        if (prec >= CQL_P_DAY) {
            int dim = days_in_month(t->y, t->mo);
            if (t->d > dim)
                t->d = (int8_t)dim;
        }
        return 0;
    }
    int64_t ms = dt_epoch_ms(t) + n * unit_ms(unit);
    cql_dt_t r = *t;
    dt_from_epoch_ms(&r, ms);
    if (r.y < 1 || r.y > 9999)
        return -1;
    r.prec = (int8_t)prec;
    cql_dt_truncate(&r, prec);
    *t = r;
    return 0;
}

/* Compares the components finer than `lvl` down to the common precision. */
static int rest_cmp(const cql_dt_t *a, const cql_dt_t *b, int lvl)
{
    int common = dt_level(a->prec < b->prec ? a->prec : b->prec);
    for (int i = lvl + 1; i <= common; i++) {
        int x = dt_comp(a, i), y = dt_comp(b, i);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

int cql_dt_duration(const cql_dt_t *a, const cql_dt_t *b, int unit, int64_t *out)
{
    int need = unit == CQL_P_WEEK ? CQL_P_DAY : unit;
    if (dt_level(a->prec) < dt_level(need) || dt_level(b->prec) < dt_level(need))
        return -1;
    if (unit == CQL_P_YEAR || unit == CQL_P_MONTH) {
        int64_t d = unit == CQL_P_YEAR
                        ? (int64_t)b->y - a->y
                        : ((int64_t)b->y * 12 + b->mo) - ((int64_t)a->y * 12 + a->mo);
        int r = rest_cmp(b, a, unit);
        if (d > 0 && r < 0)
            d--;
        else if (d < 0 && r > 0)
            d++;
        *out = d;
        return 0;
    }
    int64_t diff;
    if (a->prec < CQL_P_HOUR || b->prec < CQL_P_HOUR) {
        diff =
            (days_from_civil(b->y, b->mo, b->d) - days_from_civil(a->y, a->mo, a->d)) * 86400000LL;
    } else {
        diff = dt_epoch_ms(b) - dt_epoch_ms(a);
    }
    *out = diff / unit_ms(unit);
    return 0;
}

int cql_dt_difference(const cql_dt_t *a, const cql_dt_t *b, int unit, int64_t *out)
{
    int need = unit == CQL_P_WEEK ? CQL_P_DAY : unit;
    if (dt_level(a->prec) < dt_level(need) || dt_level(b->prec) < dt_level(need))
        return -1;
    if (unit == CQL_P_YEAR) {
        *out = (int64_t)b->y - a->y;
        return 0;
    }
    if (unit == CQL_P_MONTH) {
        *out = ((int64_t)b->y * 12 + b->mo) - ((int64_t)a->y * 12 + a->mo);
        return 0;
    }
    cql_dt_t x = *a, y = *b;
    int tp = unit == CQL_P_WEEK ? CQL_P_DAY : unit;
    cql_dt_truncate(&x, tp);
    cql_dt_truncate(&y, tp);
    int64_t diff = dt_epoch_ms(&y) - dt_epoch_ms(&x);
    *out = diff / unit_ms(unit);
    return 0;
}

int cql_prec_from_name(const char *s)
{
    static const struct {
        const char *name;
        int prec;
    } names[] = {
        { "year", CQL_P_YEAR },      { "years", CQL_P_YEAR },      { "a", CQL_P_YEAR },
        { "month", CQL_P_MONTH },    { "months", CQL_P_MONTH },    { "mo", CQL_P_MONTH },
        { "week", CQL_P_WEEK },      { "weeks", CQL_P_WEEK },      { "wk", CQL_P_WEEK },
        { "day", CQL_P_DAY },        { "days", CQL_P_DAY },        { "d", CQL_P_DAY },
        { "hour", CQL_P_HOUR },      { "hours", CQL_P_HOUR },      { "h", CQL_P_HOUR },
        { "minute", CQL_P_MINUTE },  { "minutes", CQL_P_MINUTE },  { "min", CQL_P_MINUTE },
        { "second", CQL_P_SECOND },  { "seconds", CQL_P_SECOND },  { "s", CQL_P_SECOND },
        { "millisecond", CQL_P_MS }, { "milliseconds", CQL_P_MS }, { "ms", CQL_P_MS },
    };
    if (!s)
        return CQL_P_NONE;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0)
            return names[i].prec;
    return CQL_P_NONE;
}

/* ---- UCUM ----
 * The units the published eCQMs and their test data use, with their factor to
 * the base unit of each dimension (M g, L m, T s, P mm[Hg], N mol, U [iU], E eq).
 * Calendar words compare as their UCUM definite durations (year = a = 365.25 d,
 * month = mo = a/12), per CQL §"Quantities". */
enum { DM, DL, DT, DP, DN, DU, DE };
static const struct ucum_atom {
    const char *sym;
    double factor;
    int dim, exp;
} ucum_atoms[] = {
    { "g", 1, DM, 1 },
    { "mg", 1e-3, DM, 1 },
    { "ug", 1e-6, DM, 1 },
    { "kg", 1e3, DM, 1 },
    { "[lb_av]", 453.59237, DM, 1 },
    { "[oz_av]", 28.349523125, DM, 1 },
    { "m", 1, DL, 1 },
    { "cm", 1e-2, DL, 1 },
    { "mm", 1e-3, DL, 1 },
    { "km", 1e3, DL, 1 },
    { "[in_i]", 0.0254, DL, 1 },
    { "[ft_i]", 0.3048, DL, 1 },
    { "L", 1e-3, DL, 3 },
    { "l", 1e-3, DL, 3 },
    { "dL", 1e-4, DL, 3 },
    { "mL", 1e-6, DL, 3 },
    { "ms", 1e-3, DT, 1 },
    { "s", 1, DT, 1 },
    { "min", 60, DT, 1 },
    { "h", 3600, DT, 1 },
    { "d", 86400, DT, 1 },
    { "wk", 604800, DT, 1 },
    { "mo", 2629800, DT, 1 },
    { "a", 31557600, DT, 1 },
    { "millisecond", 1e-3, DT, 1 },
    { "milliseconds", 1e-3, DT, 1 },
    { "second", 1, DT, 1 },
    { "seconds", 1, DT, 1 },
    { "minute", 60, DT, 1 },
    { "minutes", 60, DT, 1 },
    { "hour", 3600, DT, 1 },
    { "hours", 3600, DT, 1 },
    { "day", 86400, DT, 1 },
    { "days", 86400, DT, 1 },
    { "week", 604800, DT, 1 },
    { "weeks", 604800, DT, 1 },
    { "month", 2629800, DT, 1 },
    { "months", 2629800, DT, 1 },
    { "year", 31557600, DT, 1 },
    { "years", 31557600, DT, 1 },
    { "mm[Hg]", 1, DP, 1 },
    { "mmHg", 1, DP, 1 },
    { "mol", 1, DN, 1 },
    { "mmol", 1e-3, DN, 1 },
    { "umol", 1e-6, DN, 1 },
    { "[iU]", 1, DU, 1 },
    { "[IU]", 1, DU, 1 },
    { "eq", 1, DE, 1 },
    { "meq", 1e-3, DE, 1 },
    { "%", 1e-2, -1, 0 },
    { "1", 1, -1, 0 },
};

static int ucum_term(const char *s, size_t n, int sign, double *factor, int dims[])
{
    if (n == 0)
        return -1;
    if (s[0] == '{') { /* annotation: dimensionless */
        return s[n - 1] == '}' ? 0 : -1;
    }
    int exp = 1;
    size_t an = n;
    if (isdigit((unsigned char)s[n - 1]) && !(n == 1 && s[0] == '1')) {
        size_t k = n;
        while (k > 0 && isdigit((unsigned char)s[k - 1]))
            k--;
        if (k == 0)
            return -1;
        exp = 0;
        for (size_t i = k; i < n; i++)
            exp = exp * 10 + (s[i] - '0');
        an = k;
        if (s[an - 1] == '-') {
            exp = -exp;
            an--;
        }
    }
    /* A trailing annotation such as "mg{creat}". */
    if (an > 1 && s[an - 1] == '}') {
        const char *o = memchr(s, '{', an);
        if (o)
            an = (size_t)(o - s);
    }
    for (size_t i = 0; i < sizeof ucum_atoms / sizeof ucum_atoms[0]; i++) {
        const struct ucum_atom *u = &ucum_atoms[i];
        if (strlen(u->sym) == an && memcmp(u->sym, s, an) == 0) {
            *factor *= pow(u->factor, exp * sign);
            if (u->dim >= 0)
                dims[u->dim] += u->exp * exp * sign;
            return 0;
        }
    }
    return -1;
}

int cql_ucum_canon(double v, const char *unit, double *out, int dims[CQL_UCUM_DIMS])
{
    memset(dims, 0, sizeof(int) * CQL_UCUM_DIMS);
    if (!unit || !*unit)
        unit = "1";
    double f = 1;
    const char *p = unit;
    int sign = 1;
    while (*p) {
        const char *q = p;
        int depth = 0;
        while (*q && (depth > 0 || (*q != '/' && *q != '.'))) {
            if (*q == '[' || *q == '{')
                depth++;
            else if (*q == ']' || *q == '}')
                depth--;
            q++;
        }
        if (q == p && *q == '/' && p == unit) {
            /* "/min": a leading division */
        } else if (ucum_term(p, (size_t)(q - p), sign, &f, dims)) {
            return -1;
        }
        if (*q == '/')
            sign = -1;
        p = *q ? q + 1 : q;
    }
    *out = v * f;
    return 0;
}

int cql_ucum_convert(double v, const char *from, const char *to, double *out)
{
    if (from && to && strcmp(from, to) == 0) {
        *out = v;
        return 0;
    }
    int d1[CQL_UCUM_DIMS], d2[CQL_UCUM_DIMS];
    double c1, c2;
    if (cql_ucum_canon(v, from, &c1, d1) || cql_ucum_canon(1, to, &c2, d2))
        return -1;
    if (memcmp(d1, d2, sizeof d1) != 0)
        return -1;
    *out = c1 / c2;
    return 0;
}

/* ---- FHIR primitives ---- */

static bool is_temporal_type(const char *t)
{
    return t && (strcmp(t, "dateTime") == 0 || strcmp(t, "instant") == 0 || strcmp(t, "date") == 0);
}

const cql_value_t *cql_prim(arena_t *a, const cql_value_t *v)
{
    if (!v || v->kind != CQL_FHIR)
        return v;
    json_t *j = v->u.fhir.j;
    const char *t = v->u.fhir.type;
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        if (is_temporal_type(t)) {
            cql_dt_t dt;
            bool is_date;
            if (cql_dt_parse(s, &dt, &is_date))
                return NULL;
            return cql_dtv(a, strcmp(t, "date") == 0 ? CQL_DATE : CQL_DATETIME, dt);
        }
        if (t && strcmp(t, "time") == 0) {
            cql_dt_t dt;
            if (cql_time_parse(s, &dt))
                return NULL;
            return cql_dtv(a, CQL_TIME, dt);
        }
        if (t && strcmp(t, "decimal") == 0) {
            double d;
            if (str_to_double(s, strlen(s), &d))
                return NULL;
            return cql_dec(a, d);
        }
        return cql_str(a, s);
    }
    if (json_is_integer(j)) {
        if (t && strcmp(t, "decimal") == 0)
            return cql_dec(a, (double)json_integer_value(j));
        return cql_int(a, json_integer_value(j));
    }
    if (json_is_real(j))
        return cql_dec(a, json_real_value(j));
    if (json_is_boolean(j))
        return cql_bool(json_is_true(j));
    return v;
}

/* ---- comparison ---- */

static bool is_num(const cql_value_t *v)
{
    return v->kind == CQL_INT || v->kind == CQL_DEC;
}

static double num_of(const cql_value_t *v)
{
    return v->kind == CQL_INT ? (double)v->u.i : v->u.d;
}

static bool is_dt(const cql_value_t *v)
{
    return v->kind == CQL_DATE || v->kind == CQL_DATETIME || v->kind == CQL_TIME;
}

/* A string that looks like a date compared with a date: parse it. */
static const cql_value_t *coerce_dt(arena_t *a, const cql_value_t *v)
{
    if (v->kind != CQL_STR)
        return v;
    cql_dt_t dt;
    bool is_date;
    if (cql_dt_parse(v->u.s, &dt, &is_date))
        return v;
    return cql_dtv(a, is_date ? CQL_DATE : CQL_DATETIME, dt);
}

int cql_compare(arena_t *a, const cql_value_t *x, const cql_value_t *y, int prec, int *res)
{
    x = cql_prim(a, x);
    y = cql_prim(a, y);
    if (!x || !y)
        return -1;
    if (is_dt(x) && y->kind == CQL_STR)
        y = coerce_dt(a, y);
    else if (is_dt(y) && x->kind == CQL_STR)
        x = coerce_dt(a, x);
    if (is_num(x) && is_num(y)) {
        if (x->kind == CQL_INT && y->kind == CQL_INT)
            *res = x->u.i < y->u.i ? -1 : x->u.i > y->u.i;
        else {
            double p = num_of(x), q = num_of(y);
            *res = p < q ? -1 : p > q;
        }
        return 0;
    }
    if (is_dt(x) && is_dt(y)) {
        if ((x->kind == CQL_TIME) != (y->kind == CQL_TIME))
            return -1;
        return cql_dt_cmp(&x->u.dt, &y->u.dt, prec, res);
    }
    if (x->kind == CQL_STR && y->kind == CQL_STR) {
        int c = strcmp(x->u.s, y->u.s);
        *res = c < 0 ? -1 : c > 0;
        return 0;
    }
    if (x->kind == CQL_QTY && (y->kind == CQL_QTY || is_num(y))) {
        double p = x->u.q.v, q;
        if (y->kind == CQL_QTY) {
            if (cql_ucum_convert(y->u.q.v, y->u.q.unit, x->u.q.unit, &q))
                return -1;
        } else {
            q = num_of(y);
        }
        *res = p < q ? -1 : p > q;
        return 0;
    }
    if (is_num(x) && y->kind == CQL_QTY) {
        double p = num_of(x), q = y->u.q.v;
        *res = p < q ? -1 : p > q;
        return 0;
    }
    if (x->kind == CQL_BOOL && y->kind == CQL_BOOL) {
        *res = x->u.b == y->u.b ? 0 : (x->u.b ? 1 : -1);
        return 0;
    }
    return -1;
}

static bool str_eq0(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

int cql_codes_of(arena_t *a, const cql_value_t *v, const cql_value_t ***codes)
{
    *codes = NULL;
    if (!v)
        return 0;
    switch (v->kind) {
    case CQL_CODE: {
        const cql_value_t **c = arena_alloc(a, sizeof *c);
        c[0] = v;
        *codes = c;
        return 1;
    }
    case CQL_CONCEPT:
        *codes = v->u.concept
        .codes;
        return v->u.concept.n;
    case CQL_STR: {
        const cql_value_t **c = arena_alloc(a, sizeof *c);
        c[0] = cql_code(a, v->u.s, NULL, NULL, NULL);
        *codes = c;
        return 1;
    }
    case CQL_LIST: {
        cql_lb_t lb = { 0 };
        for (int i = 0; i < v->u.list.n; i++) {
            const cql_value_t **sub;
            int n = cql_codes_of(a, v->u.list.items[i], &sub);
            for (int k = 0; k < n; k++)
                cql_lb_push(a, &lb, sub[k]);
        }
        *codes = lb.items;
        return lb.n;
    }
    case CQL_FHIR: {
        json_t *j = v->u.fhir.j;
        if (json_is_string(j)) {
            const cql_value_t **c = arena_alloc(a, sizeof *c);
            c[0] = cql_code(a, json_string_value(j), NULL, NULL, NULL);
            *codes = c;
            return 1;
        }
        if (json_is_array(j)) {
            cql_lb_t lb = { 0 };
            size_t i;
            json_t *e;
            json_array_foreach(j, i, e)
            {
                const cql_value_t **sub;
                int n = cql_codes_of(a, cql_fhir(a, e, NULL), &sub);
                for (int k = 0; k < n; k++)
                    cql_lb_push(a, &lb, sub[k]);
            }
            *codes = lb.items;
            return lb.n;
        }
        if (!json_is_object(j))
            return 0;
        json_t *coding = json_object_get(j, "coding");
        if (json_is_array(coding)) {
            int n = (int)json_array_size(coding);
            const cql_value_t **c = arena_alloc(a, (size_t)(n ? n : 1) * sizeof *c);
            for (int i = 0; i < n; i++) {
                json_t *cd = json_array_get(coding, (size_t)i);
                c[i] = cql_code(a, json_string_value(json_object_get(cd, "code")),
                                json_string_value(json_object_get(cd, "system")),
                                json_string_value(json_object_get(cd, "version")),
                                json_string_value(json_object_get(cd, "display")));
            }
            *codes = c;
            return n;
        }
        json_t *code = json_object_get(j, "code");
        if (json_is_string(code)) {
            const cql_value_t **c = arena_alloc(a, sizeof *c);
            c[0] = cql_code(a, json_string_value(code),
                            json_string_value(json_object_get(j, "system")),
                            json_string_value(json_object_get(j, "version")),
                            json_string_value(json_object_get(j, "display")));
            *codes = c;
            return 1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

static bool fhir_is_code_like(const cql_value_t *v)
{
    if (v->kind != CQL_FHIR || !json_is_object(v->u.fhir.j))
        return false;
    return json_object_get(v->u.fhir.j, "coding") || json_object_get(v->u.fhir.j, "code");
}

cql_tri_t cql_equal(arena_t *a, const cql_value_t *x, const cql_value_t *y)
{
    x = cql_prim(a, x);
    y = cql_prim(a, y);
    if (!x || !y)
        return CQL_UNKNOWN;
    if ((is_num(x) || x->kind == CQL_QTY || is_dt(x) || x->kind == CQL_STR) &&
        (is_num(y) || y->kind == CQL_QTY || is_dt(y) || y->kind == CQL_STR) &&
        !(x->kind == CQL_STR && y->kind == CQL_STR)) {
        int r;
        if (cql_compare(a, x, y, CQL_P_NONE, &r))
            return (is_dt(x) && is_dt(y)) || (x->kind == CQL_QTY && y->kind == CQL_QTY)
                       ? CQL_UNKNOWN
                       : CQL_FALSE;
        return r == 0 ? CQL_TRUE : CQL_FALSE;
    }
    switch (x->kind) {
    case CQL_STR:
        return y->kind == CQL_STR && strcmp(x->u.s, y->u.s) == 0 ? CQL_TRUE : CQL_FALSE;
    case CQL_BOOL:
        return y->kind == CQL_BOOL && x->u.b == y->u.b ? CQL_TRUE : CQL_FALSE;
    case CQL_CODE:
        if (y->kind != CQL_CODE)
            return CQL_FALSE;
        return str_eq0(x->u.code.code, y->u.code.code) &&
                       str_eq0(x->u.code.system, y->u.code.system) &&
                       (!x->u.code.version || !y->u.code.version ||
                        strcmp(x->u.code.version, y->u.code.version) == 0)
                   ? CQL_TRUE
                   : CQL_FALSE;
    case CQL_CONCEPT:
        if (y->kind != CQL_CONCEPT || x->u.concept.n != y->u.concept.n)
            return CQL_FALSE;
        for (int i = 0; i < x->u.concept.n; i++)
            if (cql_equal(a, x->u.concept.codes[i], y->u.concept.codes[i]) != CQL_TRUE)
                return CQL_FALSE;
        return CQL_TRUE;
    case CQL_IVL: {
        if (y->kind != CQL_IVL)
            return CQL_FALSE;
        cql_tri_t lo = cql_equal(a, cql_ivl_start(a, x), cql_ivl_start(a, y));
        cql_tri_t hi = cql_equal(a, cql_ivl_end(a, x), cql_ivl_end(a, y));
        return cql_and3(lo, hi);
    }
    case CQL_LIST: {
        if (y->kind != CQL_LIST)
            return CQL_FALSE;
        if (x->u.list.n != y->u.list.n)
            return CQL_FALSE;
        cql_tri_t r = CQL_TRUE;
        for (int i = 0; i < x->u.list.n; i++)
            r = cql_and3(r, cql_equal(a, x->u.list.items[i], y->u.list.items[i]));
        return r;
    }
    case CQL_TUPLE: {
        if (y->kind != CQL_TUPLE || x->u.tuple.n != y->u.tuple.n)
            return CQL_FALSE;
        cql_tri_t r = CQL_TRUE;
        for (int i = 0; i < x->u.tuple.n; i++) {
            if (x->u.tuple.names[i] != y->u.tuple.names[i] &&
                strcmp(x->u.tuple.names[i], y->u.tuple.names[i]) != 0)
                return CQL_FALSE;
            const cql_value_t *p = x->u.tuple.vals[i], *q = y->u.tuple.vals[i];
            if (!p && !q)
                continue;
            r = cql_and3(r, cql_equal(a, p, q));
        }
        return r;
    }
    case CQL_RATIO:
        if (y->kind != CQL_RATIO)
            return CQL_FALSE;
        return cql_and3(cql_equal(a, x->u.ratio.num, y->u.ratio.num),
                        cql_equal(a, x->u.ratio.den, y->u.ratio.den));
    case CQL_FHIR:
        if (y->kind != CQL_FHIR)
            return CQL_FALSE;
        return x->u.fhir.j == y->u.fhir.j || json_equal(x->u.fhir.j, y->u.fhir.j) ? CQL_TRUE
                                                                                  : CQL_FALSE;
    default:
        return CQL_FALSE;
    }
}

static bool str_equiv(const char *a, const char *b)
{
    /* Case-insensitive, all whitespace runs equal (CQL §9.3 Equivalent). */
    while (*a && *b) {
        if (isspace((unsigned char)*a) && isspace((unsigned char)*b)) {
            while (isspace((unsigned char)*a))
                a++;
            while (isspace((unsigned char)*b))
                b++;
            continue;
        }
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++;
        b++;
    }
    return *a == *b;
}

static bool code_equiv(const cql_value_t *x, const cql_value_t *y)
{
    return str_eq0(x->u.code.code, y->u.code.code) && str_eq0(x->u.code.system, y->u.code.system);
}

bool cql_equivalent(arena_t *a, const cql_value_t *x, const cql_value_t *y)
{
    x = cql_prim(a, x);
    y = cql_prim(a, y);
    if (!x || !y)
        return !x && !y;
    bool xc = x->kind == CQL_CODE || x->kind == CQL_CONCEPT || fhir_is_code_like(x);
    bool yc = y->kind == CQL_CODE || y->kind == CQL_CONCEPT || fhir_is_code_like(y);
    if (xc && yc) {
        const cql_value_t **cx, **cy;
        int nx = cql_codes_of(a, x, &cx), ny = cql_codes_of(a, y, &cy);
        for (int i = 0; i < nx; i++)
            for (int k = 0; k < ny; k++)
                if (code_equiv(cx[i], cy[k]))
                    return true;
        return false;
    }
    if (x->kind == CQL_STR && y->kind == CQL_STR)
        return str_equiv(x->u.s, y->u.s);
    if (is_num(x) && is_num(y))
        return fabs(num_of(x) - num_of(y)) < 1e-8;
    if (x->kind == CQL_LIST && y->kind == CQL_LIST) {
        if (x->u.list.n != y->u.list.n)
            return false;
        for (int i = 0; i < x->u.list.n; i++)
            if (!cql_equivalent(a, x->u.list.items[i], y->u.list.items[i]))
                return false;
        return true;
    }
    if (x->kind == CQL_TUPLE && y->kind == CQL_TUPLE) {
        if (x->u.tuple.n != y->u.tuple.n)
            return false;
        for (int i = 0; i < x->u.tuple.n; i++)
            if (strcmp(x->u.tuple.names[i], y->u.tuple.names[i]) != 0 ||
                !cql_equivalent(a, x->u.tuple.vals[i], y->u.tuple.vals[i]))
                return false;
        return true;
    }
    if (x->kind == CQL_IVL && y->kind == CQL_IVL)
        return cql_equivalent(a, cql_ivl_start(a, x), cql_ivl_start(a, y)) &&
               cql_equivalent(a, cql_ivl_end(a, x), cql_ivl_end(a, y));
    return cql_equal(a, x, y) == CQL_TRUE;
}

/* ---- interval boundaries ---- */

const cql_value_t *cql_successor(arena_t *a, const cql_value_t *v, int dir)
{
    v = cql_prim(a, v);
    if (!v)
        return NULL;
    switch (v->kind) {
    case CQL_INT:
        return cql_int(a, v->u.i + dir);
    case CQL_DEC:
        return cql_dec(a, v->u.d + dir * 1e-8);
    case CQL_QTY:
        return cql_qty(a, v->u.q.v + dir * 1e-8, v->u.q.unit);
    case CQL_DATE:
    case CQL_DATETIME:
    case CQL_TIME: {
        cql_dt_t t = v->u.dt;
        if (cql_dt_add(&t, t.prec, dir))
            return v;
        return cql_dtv(a, (cql_kind_t)v->kind, t);
    }
    default:
        return v;
    }
}

static const cql_value_t *point_extreme(arena_t *a, const cql_value_t *other, bool max)
{
    other = cql_prim(a, other);
    if (!other)
        return NULL;
    switch (other->kind) {
    case CQL_INT:
        return cql_int(a, max ? INT64_MAX : INT64_MIN);
    case CQL_DEC:
        return cql_dec(a, max ? 1e28 : -1e28);
    case CQL_QTY:
        return cql_qty(a, max ? 1e28 : -1e28, other->u.q.unit);
    case CQL_DATE: {
        cql_dt_t t = max ? cql_dt_max() : cql_dt_min();
        cql_dt_truncate(&t, CQL_P_DAY);
        return cql_dtv(a, CQL_DATE, t);
    }
    case CQL_DATETIME:
        return cql_dtv(a, CQL_DATETIME, max ? cql_dt_max() : cql_dt_min());
    default:
        return NULL;
    }
}

const cql_value_t *cql_ivl_start(arena_t *a, const cql_value_t *ivl)
{
    if (!ivl || ivl->kind != CQL_IVL)
        return NULL;
    if (!ivl->u.ivl.lo)
        return ivl->u.ivl.lc ? point_extreme(a, ivl->u.ivl.hi, false) : NULL;
    return ivl->u.ivl.lc ? cql_prim(a, ivl->u.ivl.lo) : cql_successor(a, ivl->u.ivl.lo, 1);
}

const cql_value_t *cql_ivl_end(arena_t *a, const cql_value_t *ivl)
{
    if (!ivl || ivl->kind != CQL_IVL)
        return NULL;
    if (!ivl->u.ivl.hi)
        return ivl->u.ivl.hc ? point_extreme(a, ivl->u.ivl.lo, true) : NULL;
    return ivl->u.ivl.hc ? cql_prim(a, ivl->u.ivl.hi) : cql_successor(a, ivl->u.ivl.hi, -1);
}

/* ---- formatting ---- */

void cql_format(const cql_value_t *v, char *out, size_t cap)
{
    if (cap == 0)
        return;
    out[0] = 0;
    if (!v) {
        snprintf(out, cap, "null");
        return;
    }
    switch (v->kind) {
    case CQL_BOOL:
        snprintf(out, cap, "%s", v->u.b ? "true" : "false");
        break;
    case CQL_INT:
        snprintf(out, cap, "%lld", (long long)v->u.i);
        break;
    case CQL_DEC:
        snprintf(out, cap, "%.8g", v->u.d);
        break;
    case CQL_STR:
        snprintf(out, cap, "'%s'", v->u.s);
        break;
    case CQL_DATE:
    case CQL_DATETIME:
    case CQL_TIME: {
        char b[48];
        cql_dt_format(&v->u.dt, (cql_kind_t)v->kind, b, sizeof b);
        snprintf(out, cap, "@%s", b);
        break;
    }
    case CQL_QTY:
        snprintf(out, cap, "%.8g '%s'", v->u.q.v, v->u.q.unit);
        break;
    case CQL_CODE:
        snprintf(out, cap, "Code{%s|%s}", v->u.code.system ? v->u.code.system : "",
                 v->u.code.code ? v->u.code.code : "");
        break;
    case CQL_CONCEPT:
        snprintf(out, cap, "Concept{%d codes}", v->u.concept.n);
        break;
    case CQL_IVL: {
        char lo[64], hi[64];
        cql_format(v->u.ivl.lo, lo, sizeof lo);
        cql_format(v->u.ivl.hi, hi, sizeof hi);
        snprintf(out, cap, "Interval%c%s, %s%c", v->u.ivl.lc ? '[' : '(', lo, hi,
                 v->u.ivl.hc ? ']' : ')');
        break;
    }
    case CQL_LIST:
        snprintf(out, cap, "List{%d}", v->u.list.n);
        break;
    case CQL_TUPLE:
        snprintf(out, cap, "Tuple{%d}", v->u.tuple.n);
        break;
    case CQL_RATIO:
        snprintf(out, cap, "Ratio");
        break;
    case CQL_FHIR: {
        json_t *rt =
            json_is_object(v->u.fhir.j) ? json_object_get(v->u.fhir.j, "resourceType") : NULL;
        snprintf(out, cap, "FHIR.%s",
                 rt ? json_string_value(rt) : (v->u.fhir.type ? v->u.fhir.type : "?"));
        break;
    }
    default:
        snprintf(out, cap, "?");
    }
}
