/* date.c — civil dates as day numbers, US federal holidays, business days.
 *
 * Conversions are Howard Hinnant's days_from_civil / civil_from_days
 * ("chrono-Compatible Low-Level Date Algorithms"), exact over the proleptic
 * Gregorian calendar, computed in 64 bits so no intermediate overflows.
 */
#include "core/date.h"

#include <string.h>

#define DATE_MIN_YEAR 1
#define DATE_MAX_YEAR 9999

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool date_is_leap(int y)
{
    /* Gregorian: every 4th year, except centuries not divisible by 400. */
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12)
        return 0;
    return (m == 2 && date_is_leap(y)) ? 29 : days[m - 1];
}

bool date_is_valid_ymd(int y, int m, int d)
{
    return y >= DATE_MIN_YEAR && y <= DATE_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 &&
           d <= date_days_in_month(y, m);
}

date_t date_from_ymd(int y, int m, int d)
{
    if (!date_is_valid_ymd(y, m, d))
        return DATE_NONE;
    return (date_t)days_from_civil(y, m, d);
}

void date_to_ymd(date_t d, int *y, int *m, int *day)
{
    int yy = 0, mm = 0, dd = 0;
    if (d != DATE_NONE) {
        int64_t y64;
        civil_from_days(d, &y64, &mm, &dd);
        yy = (int)y64;
    }
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (day)
        *day = dd;
}

/* Reads exactly k ASCII digits; -1 when any is not a digit. */
static int read_digits(const char *s, size_t k)
{
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Two ASCII digits as a number, or a value above 99 when either is not a
 * digit (so every range check below rejects it). */
static inline unsigned two_digits(const char *s)
{
    unsigned a = (unsigned)(unsigned char)s[0] - '0', b = (unsigned)(unsigned char)s[1] - '0';
    return a <= 9 && b <= 9 ? a * 10 + b : 100;
}

/* A claim line carries half a dozen dates, so this is straight-line code:
 * the checks of date_is_valid_ymd, then days_from_civil in unsigned 32-bit
 * arithmetic, which is exact here because the year is 1..9999 (no negative
 * era, no overflow). */
static int ymd_parse(const char *y4, const char *m2, const char *d2, date_t *out)
{
    unsigned hi = two_digits(y4), lo = two_digits(y4 + 2), m = two_digits(m2), d = two_digits(d2);
    if (hi > 99 || lo > 99 || m - 1 > 11 || d - 1 > 30)
        return -1;
    unsigned y = hi * 100 + lo;
    if (y == 0 || (d > 28 && d > (unsigned)date_days_in_month((int)y, (int)m)))
        return -1;
    if (out) {
        unsigned yy = y - (m <= 2); /* from March, so that Feb 29 ends a year */
        unsigned era = yy / 400, yoe = yy % 400;
        unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        *out = (date_t)((int32_t)(era * 146097 + doe) - 719468);
    }
    return 0;
}

int date_parse(const char *s, size_t n, date_t *out)
{
    if (!s)
        return -1;
    if (n == 10) {
        if (s[4] != '-' || s[7] != '-')
            return -1;
        return ymd_parse(s, s + 5, s + 8, out);
    }
    if (n == 8)
        return ymd_parse(s, s + 4, s + 6, out);
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The parts of a timestamp as written. */
typedef struct stamp {
    date_t date;
    int32_t secs;   /* since midnight, as written: 23:59:60 (a leap second) is 86400 */
    int32_t offset; /* the zone, seconds east of UTC; 0 when none is given */
} stamp_t;

/* Two digits at s[at] (within n) no greater than max, else -1. */
static int two_at(const char *s, size_t n, size_t at, int max)
{
    if (at + 2 > n)
        return -1;
    int v = read_digits(s + at, 2);
    return v > max ? -1 : v;
}

/* The zone that ends a timestamp, the whole of s[0..n): none, or (iso)
 * "Z", "+HH", "+HH:MM", or "+HHMM" (also HL7's only form). Real zones lie
 * within +-14:00. */
static int parse_zone(const char *s, size_t n, bool iso, int32_t *offset)
{
    *offset = 0;
    if (n == 0)
        return 0;
    if (iso && n == 1 && s[0] == 'Z')
        return 0;
    if ((s[0] != '+' && s[0] != '-') || !(n == 5 || (iso && (n == 3 || n == 6))))
        return -1;
    int hh = two_at(s, n, 1, 14), mm = 0;
    if (n == 6 && s[3] != ':')
        return -1;
    if (n > 3)
        mm = two_at(s, n, n - 2, 59);
    if (hh < 0 || mm < 0)
        return -1;
    *offset = (s[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
    return 0;
}

/* After an ISO 8601 / FHIR date: nothing, or 'T' (or a blank, as SQL and
 * many CSV exports write it), HH[:MM[:SS[(.|,)f...]]] and a zone. */
static int parse_iso_time(const char *s, size_t n, stamp_t *st)
{
    if (n == 0)
        return 0;
    if (s[0] != 'T' && s[0] != ' ')
        return -1;
    int hh = two_at(s, n, 1, 23), mm = 0, ss = 0;
    size_t i = 3;
    if (hh < 0)
        return -1;
    if (i < n && s[i] == ':') {
        if ((mm = two_at(s, n, i + 1, 59)) < 0)
            return -1;
        i += 3;
        if (i < n && s[i] == ':') {
            if ((ss = two_at(s, n, i + 1, 60)) < 0) /* 60: a leap second */
                return -1;
            i += 3;
            if (i < n && (s[i] == '.' || s[i] == ',')) { /* ISO 8601 allows both */
                size_t f = ++i;
                while (i < n && is_digit(s[i]))
                    i++;
                if (i == f)
                    return -1;
            }
        }
    }
    st->secs = hh * 3600 + mm * 60 + ss;
    return parse_zone(s + i, n - i, true, &st->offset);
}

/* After an HL7 v2 DTM/TS date (v2.5 2A.3.22):
 * [HH[MM[SS[.S[S[S[S]]]]]]][+/-ZZZZ]. */
static int parse_hl7_time(const char *s, size_t n, stamp_t *st)
{
    static const int limit[3] = { 23, 59, 60 }, unit[3] = { 3600, 60, 1 };
    size_t i = 0;
    st->secs = 0;
    for (int part = 0; part < 3; part++) {
        if (i + 2 > n || !is_digit(s[i]))
            break;
        int v = two_at(s, n, i, limit[part]);
        if (v < 0)
            return -1;
        st->secs += v * unit[part];
        i += 2;
        if (part == 2 && i < n && s[i] == '.') {
            size_t f = ++i;
            while (i < n && is_digit(s[i]))
                i++;
            if (i == f || i - f > 4)
                return -1;
        }
    }
    return parse_zone(s + i, n - i, false, &st->offset);
}

/* The one timestamp grammar of date_parse_prefix and date_parse_instant. */
static int parse_stamp(const char *s, size_t n, stamp_t *st)
{
    st->secs = 0;
    st->offset = 0;
    if (!s || n < 8)
        return -1;
    if (n >= 10 && s[4] == '-')
        return date_parse(s, 10, &st->date) == 0 ? parse_iso_time(s + 10, n - 10, st) : -1;
    return date_parse(s, 8, &st->date) == 0 ? parse_hl7_time(s + 8, n - 8, st) : -1;
}

int date_parse_prefix(const char *s, size_t n, date_t *out)
{
    if ((n == 10 || n == 8) && date_parse(s, n, out) == 0) /* the common case: a bare date */
        return 0;
    stamp_t st;
    if (parse_stamp(s, n, &st) != 0)
        return -1;
    *out = st.date;
    return 0;
}

int date_parse_instant(const char *s, size_t n, int64_t *out)
{
    stamp_t st;
    if (parse_stamp(s, n, &st) != 0)
        return -1;
    *out = (int64_t)st.date * 86400 + st.secs - st.offset;
    return 0;
}

/* Writes v as exactly k digits (v >= 0 and < 10^k by the callers' checks). */
static void put_digits(char *o, int v, int k)
{
    for (int i = k - 1; i >= 0; i--) {
        o[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void date_format(date_t d, char out[DATE_FMT_LEN])
{
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    /* DATE_NONE and dates outside years 1..9999 have no 4-digit form. */
    if (d == DATE_NONE || y < DATE_MIN_YEAR || y > DATE_MAX_YEAR) {
        out[0] = '\0';
        return;
    }
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, dd, 2);
    out[10] = '\0';
}

void date_format_compact(date_t d, char out[9])
{
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    if (d == DATE_NONE || y < DATE_MIN_YEAR || y > DATE_MAX_YEAR) {
        out[0] = '\0';
        return;
    }
    put_digits(out, y, 4);
    put_digits(out + 4, m, 2);
    put_digits(out + 6, dd, 2);
    out[8] = '\0';
}

date_t date_add_months(date_t d, int months)
{
    if (d == DATE_NONE)
        return DATE_NONE;
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    int64_t idx = (int64_t)y * 12 + (m - 1) + months;
    int64_t ny = floor_div(idx, 12);
    int nm = (int)(idx - ny * 12) + 1;
    if (ny < DATE_MIN_YEAR || ny > DATE_MAX_YEAR)
        return DATE_NONE;
    int dim = date_days_in_month((int)ny, nm);
    if (dd > dim)
        dd = dim;
    return (date_t)days_from_civil(ny, nm, dd);
}

int date_weekday(date_t d)
{
    /* 1970-01-01 was a Thursday (ISO 3 when Monday is 0). */
    int64_t w = ((int64_t)d + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int date_age(date_t birth, date_t at)
{
    if (birth == DATE_NONE || at == DATE_NONE || at < birth)
        return -1;
    int by, bm, bd, ay, am, ad;
    date_to_ymd(birth, &by, &bm, &bd);
    date_to_ymd(at, &ay, &am, &ad);
    int age = ay - by;
    /* Not yet had this year's birthday. A Feb 29 birthday compares as later
     * than Feb 28, so in common years the new age starts on Mar 1. */
    if (am < bm || (am == bm && ad < bd))
        age--;
    return age;
}

int date_month_index(date_t d)
{
    int y, m;
    date_to_ymd(d, &y, &m, NULL);
    return y * 12 + (m - 1);
}

date_t date_first_of_month(date_t d)
{
    if (d == DATE_NONE)
        return DATE_NONE;
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    return d - (dd - 1);
}

date_t date_last_of_month(date_t d)
{
    if (d == DATE_NONE)
        return DATE_NONE;
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    return d + (date_days_in_month(y, m) - dd);
}

/* ---- US federal holidays ------------------------------------------------
 *
 * 5 U.S.C. 6103(a) names the legal public holidays. The rules are data: one
 * row per holiday and period, because Congress moved several of them (the
 * Uniform Monday Holiday Act, Pub. L. 90-363, from 1971; Veterans Day back to
 * November 11 from 1978, Pub. L. 94-97; Martin Luther King Jr. Day from 1986,
 * Pub. L. 98-144; Juneteenth from 2021, Pub. L. 117-17). Inauguration Day
 * (6103(c)) is deliberately absent: it is a holiday only for federal employees
 * in the Washington, D.C. area, not a business-day rule for Medicare.
 *
 * Observance (6103(b) and Executive Order 11582): a holiday on a Saturday is
 * observed on the Friday before, one on a Sunday on the Monday after. New
 * Year's Day on a Saturday is therefore observed on December 31 of the
 * previous year.
 */

typedef enum { H_FIXED, H_NTH_WEEKDAY, H_LAST_WEEKDAY } holiday_kind_t;

typedef struct holiday_rule {
    holiday_kind_t kind;
    int month;
    int day;      /* H_FIXED: day of month; else the nth (1-based) */
    int weekday;  /* 0 = Monday ... 6 = Sunday, for the weekday kinds */
    int from, to; /* years in force, inclusive */
} holiday_rule_t;

enum { MON = 0, THU = 3 };

static const holiday_rule_t holiday_rules[] = {
    { H_FIXED, 1, 1, 0, 1870, 9999 },           /* New Year's Day */
    { H_NTH_WEEKDAY, 1, 3, MON, 1986, 9999 },   /* Birthday of Martin Luther King, Jr. */
    { H_FIXED, 2, 22, 0, 1880, 1970 },          /* Washington's Birthday, before 1971 */
    { H_NTH_WEEKDAY, 2, 3, MON, 1971, 9999 },   /* Washington's Birthday */
    { H_FIXED, 5, 30, 0, 1888, 1970 },          /* Memorial Day, before 1971 */
    { H_LAST_WEEKDAY, 5, 0, MON, 1971, 9999 },  /* Memorial Day */
    { H_FIXED, 6, 19, 0, 2021, 9999 },          /* Juneteenth National Independence Day */
    { H_FIXED, 7, 4, 0, 1870, 9999 },           /* Independence Day */
    { H_NTH_WEEKDAY, 9, 1, MON, 1894, 9999 },   /* Labor Day */
    { H_FIXED, 10, 12, 0, 1937, 1970 },         /* Columbus Day, before 1971 */
    { H_NTH_WEEKDAY, 10, 2, MON, 1971, 9999 },  /* Columbus Day */
    { H_FIXED, 11, 11, 0, 1938, 1970 },         /* Armistice / Veterans Day */
    { H_NTH_WEEKDAY, 10, 4, MON, 1971, 1977 },  /* Veterans Day, 1971-1977 */
    { H_FIXED, 11, 11, 0, 1978, 9999 },         /* Veterans Day */
    { H_LAST_WEEKDAY, 11, 0, THU, 1870, 1941 }, /* Thanksgiving, before 1942 */
    { H_NTH_WEEKDAY, 11, 4, THU, 1942, 9999 },  /* Thanksgiving Day (4th Thursday) */
    { H_FIXED, 12, 25, 0, 1870, 9999 },         /* Christmas Day */
};

#define N_HOLIDAY_RULES (sizeof holiday_rules / sizeof holiday_rules[0])
#define MAX_HOLIDAYS    N_HOLIDAY_RULES

/* The actual (not observed) date of a rule in year y. */
static date_t holiday_actual(const holiday_rule_t *r, int y)
{
    date_t first = (date_t)days_from_civil(y, r->month, 1);
    switch (r->kind) {
    case H_FIXED:
        return first + (r->day - 1);
    case H_NTH_WEEKDAY: {
        int shift = (r->weekday - date_weekday(first) + 7) % 7;
        return first + shift + 7 * (r->day - 1);
    }
    case H_LAST_WEEKDAY: {
        date_t last = first + date_days_in_month(y, r->month) - 1;
        int back = (date_weekday(last) - r->weekday + 7) % 7;
        return last - back;
    }
    }
    return DATE_NONE;
}

static date_t holiday_observed(date_t actual)
{
    int wd = date_weekday(actual);
    if (wd == 5) /* Saturday: the Friday before */
        return actual - 1;
    if (wd == 6) /* Sunday: the Monday after */
        return actual + 1;
    return actual;
}

/* The observed holidays of year y's holidays (one may fall on Dec 31 of y-1);
 * returns how many were written. */
static int holidays_of_year(int y, date_t out[MAX_HOLIDAYS])
{
    int k = 0;
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR)
        return 0;
    for (size_t i = 0; i < N_HOLIDAY_RULES; i++) {
        const holiday_rule_t *r = &holiday_rules[i];
        if (y < r->from || y > r->to)
            continue;
        out[k++] = holiday_observed(holiday_actual(r, y));
    }
    return k;
}

bool date_is_federal_holiday(date_t d)
{
    if (d == DATE_NONE)
        return false;
    int wd = date_weekday(d);
    if (wd >= 5) /* observed holidays always fall on weekdays */
        return false;
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    /* Only rules of this month can match: observance shifts a holiday by a
     * day, and no holiday but New Year's Day sits on a month's first or last
     * day (Jan 1 on a Saturday is handled below). */
    for (size_t i = 0; i < N_HOLIDAY_RULES; i++) {
        const holiday_rule_t *r = &holiday_rules[i];
        if (r->month == m && y >= r->from && y <= r->to &&
            holiday_observed(holiday_actual(r, y)) == d)
            return true;
    }
    /* Next year's New Year's Day observed on Friday, December 31. */
    if (m == 12 && dd == 31 && y < DATE_MAX_YEAR && wd == 4)
        return date_weekday((date_t)days_from_civil(y + 1, 1, 1)) == 5;
    return false;
}

bool date_is_business_day(date_t d)
{
    if (d == DATE_NONE)
        return false;
    return date_weekday(d) < 5 && !date_is_federal_holiday(d);
}

date_t date_add_business_days(date_t d, int n)
{
    if (d == DATE_NONE)
        return DATE_NONE;
    int step = n < 0 ? -1 : 1;
    int64_t left = n < 0 ? -(int64_t)n : n;
    date_t cur = d;
    if (left == 0) {
        while (!date_is_business_day(cur))
            cur++;
        return cur;
    }
    while (left > 0) {
        cur += step;
        if (date_is_business_day(cur))
            left--;
    }
    return cur;
}

/* Weekdays (Mon-Fri) among all days <= x, relative to Monday 1970-01-05: a
 * prefix count, so W(b) - W(a) counts the weekdays in (a, b]. */
static int64_t weekdays_upto(int64_t x)
{
    int64_t k = x - 4;
    int64_t q = floor_div(k, 7);
    int64_t r = k - q * 7; /* 0 = Monday */
    return 5 * q + (r + 1 < 5 ? r + 1 : 5);
}

/* Business days in (a, b], a <= b: weekdays minus the observed holidays in
 * the range, which by construction never fall on a weekend. */
static int64_t business_days_in(date_t a, date_t b)
{
    int64_t count = weekdays_upto(b) - weekdays_upto(a);
    int ya, yb;
    date_to_ymd(a, &ya, NULL, NULL);
    date_to_ymd(b, &yb, NULL, NULL);
    /* Year y's list may reach back to Dec 31 of y-1, hence yb + 1. */
    for (int y = ya; y <= yb + 1; y++) {
        date_t hol[MAX_HOLIDAYS];
        int k = holidays_of_year(y, hol);
        for (int i = 0; i < k; i++)
            if (hol[i] > a && hol[i] <= b)
                count--;
    }
    return count;
}

int date_business_days_between(date_t from, date_t to)
{
    if (from == DATE_NONE || to == DATE_NONE)
        return 0;
    if (to >= from)
        return (int)business_days_in(from, to);
    return -(int)business_days_in(to, from);
}
