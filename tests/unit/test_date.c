/* test_date.c — civil dates, parsing, ages, federal holidays, business days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "store/store.h"

static date_t D(int y, int m, int d)
{
    date_t v = date_from_ymd(y, m, d);
    assert_int_not_equal(v, DATE_NONE);
    return v;
}

static date_t P(const char *s)
{
    date_t v = DATE_NONE;
    assert_int_equal(date_parse(s, strlen(s), &v), 0);
    return v;
}

static void test_known_days(void **state)
{
    assert_int_equal(date_from_ymd(1970, 1, 1), 0);
    assert_int_equal(date_from_ymd(1970, 1, 2), 1);
    assert_int_equal(date_from_ymd(1969, 12, 31), -1);
    assert_int_equal(date_from_ymd(2000, 2, 29), 11016);
    assert_int_equal(date_from_ymd(2024, 12, 31), 20088);
    assert_int_equal(date_from_ymd(1, 1, 1), -719162);
    assert_int_equal(date_from_ymd(9999, 12, 31), 2932896);
    int y, m, d;
    date_to_ymd(20088, &y, &m, &d);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
    date_to_ymd(-719162, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 10101);
}

static void test_invalid_ymd(void **state)
{
    assert_int_equal(date_from_ymd(2023, 2, 29), DATE_NONE);
    assert_int_equal(date_from_ymd(1900, 2, 29), DATE_NONE);
    assert_int_equal(date_from_ymd(2024, 4, 31), DATE_NONE);
    assert_int_equal(date_from_ymd(2024, 13, 1), DATE_NONE);
    assert_int_equal(date_from_ymd(2024, 0, 1), DATE_NONE);
    assert_int_equal(date_from_ymd(2024, 1, 0), DATE_NONE);
    assert_int_equal(date_from_ymd(0, 1, 1), DATE_NONE);
    assert_int_equal(date_from_ymd(10000, 1, 1), DATE_NONE);
    assert_false(date_is_valid_ymd(2024, 6, 31));
    assert_true(date_is_valid_ymd(2024, 2, 29));
}

static void test_leap_rules(void **state)
{
    assert_false(date_is_leap(1900)); /* century not divisible by 400 */
    assert_true(date_is_leap(2000));  /* divisible by 400 */
    assert_true(date_is_leap(2024));
    assert_false(date_is_leap(2023));
    assert_false(date_is_leap(2100));
    assert_true(date_is_leap(2400));
    assert_int_equal(date_days_in_month(1900, 2), 28);
    assert_int_equal(date_days_in_month(2000, 2), 29);
    assert_int_equal(date_days_in_month(2023, 2), 28);
    assert_int_equal(date_days_in_month(2024, 4), 30);
    assert_int_equal(date_days_in_month(2024, 12), 31);
    assert_int_equal(date_days_in_month(2024, 13), 0);
}

/* Walks the whole valid range day by day with a naive calendar and checks
 * both conversions against it. */
static void test_full_range_against_naive_calendar(void **state)
{
    int y = 1, m = 1, d = 1;
    for (date_t t = date_from_ymd(1, 1, 1); t <= date_from_ymd(9999, 12, 31); t++) {
        int yy, mm, dd;
        date_to_ymd(t, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d)
            fail_msg("day %d: got %d-%d-%d, want %d-%d-%d", t, yy, mm, dd, y, m, d);
        if (date_from_ymd(y, m, d) != t)
            fail_msg("date_from_ymd(%d,%d,%d) != %d", y, m, d, t);
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int dim = m == 2 ? 28 + leap : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
        if (++d > dim) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    assert_int_equal(y, 10000);
}

static void test_round_trip_100k_days(void **state)
{
    date_t start = D(1900, 1, 1);
    for (date_t t = start; t < start + 100000; t++) {
        char s[DATE_FMT_LEN], c[9];
        date_format(t, s);
        date_format_compact(t, c);
        date_t back = DATE_NONE, back2 = DATE_NONE;
        assert_int_equal(date_parse(s, strlen(s), &back), 0);
        assert_int_equal(date_parse(c, strlen(c), &back2), 0);
        assert_int_equal(back, t);
        assert_int_equal(back2, t);
        assert_int_equal(date_weekday(t + 1), (date_weekday(t) + 1) % 7);
    }
}

static void test_weekday(void **state)
{
    assert_int_equal(date_weekday(0), 3);               /* 1970-01-01 Thursday */
    assert_int_equal(date_weekday(-1), 2);              /* 1969-12-31 Wednesday */
    assert_int_equal(date_weekday(D(2000, 1, 1)), 5);   /* Saturday */
    assert_int_equal(date_weekday(D(2024, 12, 31)), 1); /* Tuesday */
    assert_int_equal(date_weekday(D(2026, 7, 4)), 5);   /* Saturday */
    assert_int_equal(date_weekday(D(1, 1, 1)), 0);      /* proleptic Monday */
}

static void test_parse_strict(void **state)
{
    date_t d;
    assert_int_equal(P("2024-03-01"), D(2024, 3, 1));
    assert_int_equal(P("20240301"), D(2024, 3, 1));
    assert_int_equal(P("0001-01-01"), D(1, 1, 1));
    assert_int_equal(P("2000-02-29"), 11016);
    /* n bytes only: the rest of the buffer is not read. */
    assert_int_equal(date_parse("2024-03-01garbage", 10, &d), 0);
    assert_int_equal(d, D(2024, 3, 1));
    static const char *bad[] = {
        "",           "2024-3-01",   "2024-03-1",   "2024/03/01",          "2024-02-30",
        "2023-02-29", "1900-02-29",  "0000-01-01",  "2024-13-01",          "2024-00-10",
        "2024-01-00", " 2024-01-01", "2024-01-01 ", "2024-01-01T00:00:00", "2024010",
        "202401011",  "2024-0a-01",  "+024-01-01",  "-024-01-01",          "2024--1-01",
        "abcdefgh",   "20240230",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = 12345;
        if (date_parse(bad[i], strlen(bad[i]), &d) == 0)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(d, 12345); /* untouched on failure */
    }
    assert_int_equal(date_parse(NULL, 10, &d), -1);
}

/* date_parse takes its own straight-line path: it must agree with
 * date_from_ymd on every year and on month and day numbers in and just out
 * of range, in both spellings, and reject a non-digit in any digit place. */
static void test_parse_agrees_with_ymd(void **state)
{
    static const int days[] = { 0, 1, 9, 10, 27, 28, 29, 30, 31, 32, 39, 99 };
    for (int y = 0; y <= 9999; y++)
        for (int m = 0; m <= 13; m++)
            for (size_t k = 0; k < sizeof days / sizeof days[0]; k++) {
                int d = days[k];
                char iso[16], compact[16];
                snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
                snprintf(compact, sizeof compact, "%04d%02d%02d", y, m, d);
                date_t want = date_from_ymd(y, m, d), got = 12345, got2 = 12345;
                int rc = date_parse(iso, 10, &got), rc2 = date_parse(compact, 8, &got2);
                if (want == DATE_NONE) {
                    if (rc != -1 || rc2 != -1 || got != 12345 || got2 != 12345)
                        fail_msg("accepted %s / %s", iso, compact);
                } else if (rc != 0 || rc2 != 0 || got != want || got2 != want) {
                    fail_msg("%s / %s -> %d / %d, want %d", iso, compact, got, got2, want);
                }
            }
    char s[] = "2024-02-29";
    static const char junk[] = { '/', ':', ' ', 'a', '\0', (char)0xB2 };
    for (size_t i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        for (size_t j = 0; j < sizeof junk; j++) {
            char t[11];
            memcpy(t, s, sizeof t);
            t[i] = junk[j];
            date_t d = 12345;
            if (date_parse(t, 10, &d) != -1 || d != 12345)
                fail_msg("accepted junk at %zu", i);
        }
    }
    assert_int_equal(date_parse(s, 10, NULL), 0); /* out may be NULL */
}

static void test_parse_prefix(void **state)
{
    static const char *good[] = {
        "2024-03-01",
        "20240301",
        "2024-03-01T10:00:00Z",
        "2024-03-01T10:00:00.123Z",
        "2024-03-01T10:00:00.123456789+05:30",
        "2024-03-01T23:59:60-08:00",
        "2024-03-01T10:00",
        "2024-03-01T10",
        "2024-03-01T10:00:00+0100",
        "2024-03-01 10:00:00",
        "2024-03-01 10:00:00.000",
        "2024030110",
        "202403011030",
        "20240301103000",
        "20240301103000.1",
        "20240301103000.1234",
        "20240301103000.1234-0500",
        "20240301103000+0000",
        "20240301-0500",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        date_t d = DATE_NONE;
        if (date_parse_prefix(good[i], strlen(good[i]), &d) != 0)
            fail_msg("rejected '%s'", good[i]);
        assert_int_equal(d, D(2024, 3, 1));
    }
    static const char *bad[] = {
        "2024-03-01X",
        "2024-03-01T",
        "2024-03-01 ",
        "2024-03-01T25:00:00Z",
        "2024-03-01T10:61:00Z",
        "2024-03-01T10:00:00.Z",
        "2024-03-01T10:00:00+5:00",
        "2024-03-01T10:00:00ZZ",
        "2024-02-30T10:00:00Z",
        "2024-03",
        "2024",
        "2024030",
        "202403011",
        "20240301103",
        "20240301103000.12345",
        "20240301103000.",
        "20240301+05",
        "20240301Z",
        "20240301T1030",
        "20240231103000",
        "2024-03-01T10:00:00 ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        date_t d;
        if (date_parse_prefix(bad[i], strlen(bad[i]), &d) == 0)
            fail_msg("accepted '%s'", bad[i]);
    }
}

/* ---- timestamps: one grammar for dates and instants ---------------------
 *
 * core/date.c and store/store.c used to parse timestamps separately
 * (date_parse_prefix kept the date, store_time_parse the instant) and gave
 * different answers on some inputs: the rows marked "was:" below, with the
 * old answers. Now both are the one grammar of date.h; store_time_parse only
 * adds that blanks around are ignored. A row: the input, the date
 * date_parse_prefix gives (NULL: rejected), the instant date_parse_instant
 * gives (NULL: rejected); store_time_parse gives the instant of the trimmed
 * input. */
typedef struct stamp_case {
    const char *in, *date, *instant;
    const char *was; /* the old disagreement, for the record */
} stamp_case_t;

static const stamp_case_t stamp_cases[] = {
    { "2024-03-01", "2024-03-01", "2024-03-01T00:00:00Z", NULL },
    { "20240301", "2024-03-01", "2024-03-01T00:00:00Z", NULL },
    { "2024-03-01T10:00:00Z", "2024-03-01", "2024-03-01T10:00:00Z", NULL },
    { "2024-03-01T10:00:00.123Z", "2024-03-01", "2024-03-01T10:00:00Z", NULL },
    { "2024-03-01T10:00:00.123456789+05:30", "2024-03-01", "2024-03-01T04:30:00Z", NULL },
    { "2024-03-01T23:59:60-08:00", "2024-03-01", "2024-03-02T08:00:00Z", NULL },
    { "2024-03-01T10:00", "2024-03-01", "2024-03-01T10:00:00Z", NULL },
    { "2024-03-01T10:00Z", "2024-03-01", "2024-03-01T10:00:00Z", NULL },
    /* ISO 8601 reduced precision (hours); HL7 has the same. */
    { "2024-03-01T10", "2024-03-01", "2024-03-01T10:00:00Z", "store rejected" },
    { "2024-03-01T10Z", "2024-03-01", "2024-03-01T10:00:00Z", "store rejected" },
    { "2024-03-01T10:00:00+0100", "2024-03-01", "2024-03-01T09:00:00Z", NULL },
    /* ISO 8601 allows a zone of hours only; PostgreSQL writes +00. */
    { "2024-03-01T10:00:00+01", "2024-03-01", "2024-03-01T09:00:00Z", "date rejected" },
    { "2024-03-01T10:00:00.250+00", "2024-03-01", "2024-03-01T10:00:00Z", "date rejected" },
    { "2024-03-01T10:00:00-00:00", "2024-03-01", "2024-03-01T10:00:00Z", NULL },
    { "2024-03-01T10:00:00+14:00", "2024-03-01", "2024-02-29T20:00:00Z", NULL },
    /* No zone lies beyond +-14:00, no hour has 60 minutes: junk. */
    { "2024-03-01T10:00:00+15:00", NULL, NULL, "store: 2024-02-29T19:00:00Z" },
    { "2024-03-01T10:00:00+99:00", NULL, NULL, "store: 2024-02-26T07:00:00Z" },
    { "2024-03-01T10:00:00+05:60", NULL, NULL, "store: 2024-03-01T04:00:00Z" },
    { "2024-03-01T10:00:00+5:00", NULL, NULL, NULL },
    { "2024-03-01T10:00:00+05:", NULL, NULL, "store: 2024-03-01T05:00:00Z" },
    { "2024-03-01T10:00:00ZZ", NULL, NULL, NULL },
    /* A decimal sign needs a digit after it. */
    { "2024-03-01T10:00:00.Z", NULL, NULL, "store: 2024-03-01T10:00:00Z" },
    { "2024-03-01T10:00:00.", NULL, NULL, "store: 2024-03-01T10:00:00Z" },
    /* ISO 8601's decimal sign may be a comma (its preferred one). */
    { "2024-03-01T10:00:00,5Z", "2024-03-01", "2024-03-01T10:00:00Z", "date rejected" },
    /* A basic-format time after an extended-format date: ISO forbids the mix. */
    { "2024-03-01T1000", NULL, NULL, "store: 2024-03-01T10:00:00Z" },
    { "2024-03-01T100000Z", NULL, NULL, NULL },
    { "2024-03-01T10:0000", NULL, NULL, NULL },
    { "2024-03-01 10:00:00", "2024-03-01", "2024-03-01T10:00:00Z", NULL },
    { "2024-03-01 10:00:00.000", "2024-03-01", "2024-03-01T10:00:00Z", NULL },
    { "2024-03-01 05:00:00-05:00", "2024-03-01", "2024-03-01T10:00:00Z", NULL },
    { "2024-03-01t10:00:00z", NULL, NULL, NULL },
    /* A zone without a time is no ISO 8601 or FHIR form. */
    { "2024-03-01Z", NULL, NULL, "store: 2024-03-01T00:00:00Z" },
    { "2024-03-01+05:00", NULL, NULL, "store: 2024-02-29T19:00:00Z" },
    { "2024-03-01X", NULL, NULL, NULL },
    { "2024-03-01T", NULL, NULL, NULL },
    /* Blanks: the parsers are exact; store_time_parse trims first (see
     * test_stamps_agree), as it always has. */
    { "2024-03-01 ", NULL, NULL, "store trims: 2024-03-01T00:00:00Z" },
    { " 2024-03-01", NULL, NULL, "store trims: 2024-03-01T00:00:00Z" },
    { "2024-03-01T10:00:00Z ", NULL, NULL, "store trims: 2024-03-01T10:00:00Z" },
    { " 2024-03-01T10:00:00Z", NULL, NULL, "store trims: 2024-03-01T10:00:00Z" },
    { "2024-03-01Tjunk", NULL, NULL, NULL },
    { "2024-03-01T24:00:00Z", NULL, NULL, NULL },
    { "2024-03-01T25:00:00Z", NULL, NULL, NULL },
    { "2024-03-01T10:61:00Z", NULL, NULL, NULL },
    { "2024-03-01T10:00:61Z", NULL, NULL, NULL },
    { "2024-02-30T00:00:00Z", NULL, NULL, NULL },
    { "2024-02-29T00:00:00Z", "2024-02-29", "2024-02-29T00:00:00Z", NULL },
    { "2023-02-29T00:00:00Z", NULL, NULL, NULL },
    { "0000-01-01T00:00:00Z", NULL, NULL, NULL },
    { "0001-01-01T00:00:00Z", "0001-01-01", "0001-01-01T00:00:00Z", NULL },
    { "9999-12-31T23:59:59Z", "9999-12-31", "9999-12-31T23:59:59Z", NULL },
    { "1969-12-31T23:59:59Z", "1969-12-31", "1969-12-31T23:59:59Z", NULL },
    { "2024-03", NULL, NULL, NULL },
    { "2024", NULL, NULL, NULL },
    { "", NULL, NULL, NULL },
    { "2024030", NULL, NULL, NULL },
    /* HL7 DTM allows hours only. */
    { "2024030110", "2024-03-01", "2024-03-01T10:00:00Z", "store rejected" },
    { "202403011", NULL, NULL, NULL },
    { "202403011030", "2024-03-01", "2024-03-01T10:30:00Z", NULL },
    { "20240301103", NULL, NULL, NULL },
    { "20240301103000", "2024-03-01", "2024-03-01T10:30:00Z", NULL },
    { "20240301103000.1", "2024-03-01", "2024-03-01T10:30:00Z", NULL },
    { "20240301103000.1234", "2024-03-01", "2024-03-01T10:30:00Z", NULL },
    /* HL7 DTM: at most 4 decimals, at least one after the point. */
    { "20240301103000.12345", NULL, NULL, "store: 2024-03-01T10:30:00Z" },
    { "20240301103000.", NULL, NULL, "store: 2024-03-01T10:30:00Z" },
    { "20240301103000.1234-0500", "2024-03-01", "2024-03-01T15:30:00Z", NULL },
    { "20240301103000+0000", "2024-03-01", "2024-03-01T10:30:00Z", NULL },
    { "20240301100000+0000", "2024-03-01", "2024-03-01T10:00:00Z", NULL },
    { "202403011030+0500", "2024-03-01", "2024-03-01T05:30:00Z", NULL },
    /* HL7's zone is +/-ZZZZ: no hours-only zone, no colon, no Z. */
    { "20240301103000+05", NULL, NULL, "store: 2024-03-01T05:30:00Z" },
    { "20240301103000+05:00", NULL, NULL, "store: 2024-03-01T05:30:00Z" },
    { "20240301103000Z", NULL, NULL, "store: 2024-03-01T10:30:00Z" },
    /* HL7 DTM allows a zone after any precision: midnight there. */
    { "20240301-0500", "2024-03-01", "2024-03-01T05:00:00Z", "store rejected" },
    { "20240301+05", NULL, NULL, NULL },
    { "20240301Z", NULL, NULL, NULL },
    { "20240301T1030", NULL, NULL, NULL },
    { "20240301 1030", NULL, NULL, NULL },
    { "20240231103000", NULL, NULL, NULL },
    { "20240301256000", NULL, NULL, NULL },
    { "20240301106000", NULL, NULL, NULL },
    { "20240301103060", "2024-03-01", "2024-03-01T10:31:00Z", NULL },
};

/* "YYYY-MM-DDTHH:MM:SSZ" as seconds since the epoch. */
static int64_t instant_of(const char *s)
{
    int y, mo, d, h, mi, se;
    assert_int_equal(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se), 6);
    return (int64_t)D(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

static void test_stamps(void **state)
{
    for (size_t i = 0; i < sizeof stamp_cases / sizeof stamp_cases[0]; i++) {
        const stamp_case_t *c = &stamp_cases[i];
        size_t n = strlen(c->in);
        date_t d = DATE_NONE;
        int64_t t = 0;
        int rd = date_parse_prefix(c->in, n, &d), rt = date_parse_instant(c->in, n, &t);
        if ((rd == 0) != (c->date != NULL))
            fail_msg("date_parse_prefix('%s'): %s", c->in, rd == 0 ? "accepted" : "rejected");
        if ((rt == 0) != (c->instant != NULL))
            fail_msg("date_parse_instant('%s'): %s", c->in, rt == 0 ? "accepted" : "rejected");
        if (c->date) {
            char got[DATE_FMT_LEN];
            date_format(d, got);
            if (strcmp(got, c->date) != 0)
                fail_msg("date_parse_prefix('%s') = %s, want %s", c->in, got, c->date);
            if (t != instant_of(c->instant))
                fail_msg("date_parse_instant('%s') = %lld, want %s", c->in, (long long)t,
                         c->instant);
        }
    }
}

/* store_time_parse is date_parse_instant of the trimmed input, and the
 * store writes what it reads. */
static void test_stamps_agree(void **state)
{
    for (size_t i = 0; i < sizeof stamp_cases / sizeof stamp_cases[0]; i++) {
        const char *s = stamp_cases[i].in;
        size_t n = strlen(s), a = 0, b = n;
        while (a < b && s[a] == ' ')
            a++;
        while (b > a && s[b - 1] == ' ')
            b--;
        int64_t want = 0, got = 0;
        int rw = date_parse_instant(s + a, b - a, &want), rg = store_time_parse(s, n, &got);
        if (rw != rg || (rw == 0 && want != got))
            fail_msg("store_time_parse('%s') disagrees with date_parse_instant", s);
        if (rg == 0) {
            char f[STORE_TIME_FMT_LEN];
            int64_t back = 0;
            store_time_format(got, f);
            assert_int_equal(date_parse_instant(f, strlen(f), &back), 0);
            assert_true(back == got);
        }
    }
    int64_t t;
    assert_int_equal(date_parse_instant(NULL, 0, &t), -1);
    assert_int_equal(store_time_parse(NULL, 0, &t), -1);
}

static void test_format(void **state)
{
    char s[DATE_FMT_LEN], c[9];
    date_format(D(2024, 2, 29), s);
    assert_string_equal(s, "2024-02-29");
    date_format(D(7, 8, 9), s);
    assert_string_equal(s, "0007-08-09");
    date_format_compact(D(2024, 2, 29), c);
    assert_string_equal(c, "20240229");
    date_format(DATE_NONE, s);
    assert_string_equal(s, "");
    date_format_compact(DATE_NONE, c);
    assert_string_equal(c, "");
    date_format(D(1, 1, 1) - 1, s); /* year 0: no 4-digit form */
    assert_string_equal(s, "");
}

static void test_add_months(void **state)
{
    assert_int_equal(date_add_months(D(2024, 1, 31), 1), D(2024, 2, 29));
    assert_int_equal(date_add_months(D(2023, 1, 31), 1), D(2023, 2, 28));
    assert_int_equal(date_add_months(D(2024, 3, 31), -1), D(2024, 2, 29));
    assert_int_equal(date_add_months(D(2024, 5, 15), 12), D(2025, 5, 15));
    assert_int_equal(date_add_months(D(2024, 1, 15), -13), D(2022, 12, 15));
    assert_int_equal(date_add_months(D(2024, 12, 31), 2), D(2025, 2, 28));
    assert_int_equal(date_add_months(D(2024, 2, 29), 0), D(2024, 2, 29));
    assert_int_equal(date_add_months(D(9999, 12, 1), 1), DATE_NONE);
    assert_int_equal(date_add_months(DATE_NONE, 1), DATE_NONE);
    assert_int_equal(date_add_days(D(2024, 2, 28), 2), D(2024, 3, 1));
}

static void test_month_helpers(void **state)
{
    assert_int_equal(date_month_index(D(2024, 3, 15)) - date_month_index(D(2024, 1, 31)), 2);
    assert_int_equal(date_month_index(D(2024, 1, 1)) - date_month_index(D(2023, 12, 31)), 1);
    assert_int_equal(date_month_index(D(2024, 1, 1)), 2024 * 12);
    assert_int_equal(date_first_of_month(D(2024, 2, 17)), D(2024, 2, 1));
    assert_int_equal(date_last_of_month(D(2024, 2, 17)), D(2024, 2, 29));
    assert_int_equal(date_last_of_month(D(2023, 2, 1)), D(2023, 2, 28));
    assert_int_equal(date_last_of_month(D(2024, 12, 31)), D(2024, 12, 31));
    assert_int_equal(date_first_of_month(DATE_NONE), DATE_NONE);
}

static void test_age(void **state)
{
    date_t b = D(1950, 6, 15);
    assert_int_equal(date_age(b, D(2025, 6, 14)), 74);
    assert_int_equal(date_age(b, D(2025, 6, 15)), 75); /* on the birthday */
    assert_int_equal(date_age(b, D(2025, 6, 16)), 75);
    assert_int_equal(date_age(b, b), 0);
    assert_int_equal(date_age(b, b - 1), -1);
    assert_int_equal(date_age(DATE_NONE, b), -1);
    date_t leapling = D(2000, 2, 29);
    assert_int_equal(date_age(leapling, D(2001, 2, 28)), 0);
    assert_int_equal(date_age(leapling, D(2001, 3, 1)), 1); /* Mar 1 in common years */
    assert_int_equal(date_age(leapling, D(2004, 2, 28)), 3);
    assert_int_equal(date_age(leapling, D(2004, 2, 29)), 4);
    assert_int_equal(date_age(leapling, D(2065, 2, 28)), 64);
    assert_int_equal(date_age(leapling, D(2065, 3, 1)), 65); /* Medicare age */
    assert_int_equal(date_age(D(1999, 12, 31), D(2000, 1, 1)), 0);
    assert_int_equal(date_age(D(1999, 12, 31), D(2000, 12, 31)), 1);
}

typedef struct {
    int y, m, d;
} ymd_t;

/* Compares every day of a year with the expected observed holidays. The
 * expected lists are OPM's published federal holiday tables. */
static void check_year_holidays(int year, const ymd_t *want, size_t n)
{
    size_t found = 0;
    for (date_t t = D(year, 1, 1); t <= D(year, 12, 31); t++) {
        bool expect = false;
        for (size_t i = 0; i < n; i++)
            if (D(want[i].y, want[i].m, want[i].d) == t)
                expect = true;
        if (date_is_federal_holiday(t) != expect) {
            char s[DATE_FMT_LEN];
            date_format(t, s);
            fail_msg("%s: holiday %d, expected %d", s, !expect, expect);
        }
        if (expect) {
            found++;
            assert_true(date_weekday(t) < 5);
            assert_false(date_is_business_day(t));
        }
    }
    assert_int_equal(found, n);
}

static void test_holidays_2025(void **state)
{
    static const ymd_t h[] = {
        { 2025, 1, 1 },   { 2025, 1, 20 },  { 2025, 2, 17 },  { 2025, 5, 26 },
        { 2025, 6, 19 },  { 2025, 7, 4 },   { 2025, 9, 1 },   { 2025, 10, 13 },
        { 2025, 11, 11 }, { 2025, 11, 27 }, { 2025, 12, 25 },
    };
    check_year_holidays(2025, h, sizeof h / sizeof h[0]);
}

static void test_holidays_2026(void **state)
{
    /* July 4 2026 is a Saturday: observed Friday July 3. */
    static const ymd_t h[] = {
        { 2026, 1, 1 },   { 2026, 1, 19 },  { 2026, 2, 16 },  { 2026, 5, 25 },
        { 2026, 6, 19 },  { 2026, 7, 3 },   { 2026, 9, 7 },   { 2026, 10, 12 },
        { 2026, 11, 11 }, { 2026, 11, 26 }, { 2026, 12, 25 },
    };
    check_year_holidays(2026, h, sizeof h / sizeof h[0]);
    assert_int_equal(date_weekday(D(2026, 7, 4)), 5);
    assert_false(date_is_federal_holiday(D(2026, 7, 4)));
}

static void test_holidays_2027_2028_shifts(void **state)
{
    /* 2027: Juneteenth Sat -> Fri Jun 18; July 4 Sun -> Mon Jul 5; Christmas
     * Sat -> Fri Dec 24; and 2028-01-01 (Saturday) -> Fri Dec 31 2027. */
    static const ymd_t h27[] = {
        { 2027, 1, 1 },   { 2027, 1, 18 },  { 2027, 2, 15 },  { 2027, 5, 31 },
        { 2027, 6, 18 },  { 2027, 7, 5 },   { 2027, 9, 6 },   { 2027, 10, 11 },
        { 2027, 11, 11 }, { 2027, 11, 25 }, { 2027, 12, 24 }, { 2027, 12, 31 },
    };
    check_year_holidays(2027, h27, sizeof h27 / sizeof h27[0]);
    assert_int_equal(date_weekday(D(2028, 1, 1)), 5);
    assert_int_equal(date_weekday(D(2027, 12, 31)), 4);
    /* 2028 has no New Year's holiday of its own; Veterans Day Sat -> Fri. */
    static const ymd_t h28[] = {
        { 2028, 1, 17 }, { 2028, 2, 21 }, { 2028, 5, 29 },  { 2028, 6, 19 },  { 2028, 7, 4 },
        { 2028, 9, 4 },  { 2028, 10, 9 }, { 2028, 11, 10 }, { 2028, 11, 23 }, { 2028, 12, 25 },
    };
    check_year_holidays(2028, h28, sizeof h28 / sizeof h28[0]);
}

static void test_holiday_history(void **state)
{
    /* Juneteenth only from 2021 (Pub. L. 117-17). */
    assert_false(date_is_federal_holiday(D(2020, 6, 19)));
    assert_true(date_is_federal_holiday(D(2021, 6, 18))); /* Sat -> Fri */
    /* Inauguration Day is not included. */
    assert_false(date_is_federal_holiday(D(2025, 1, 21)));
    assert_false(date_is_federal_holiday(D(2021, 1, 20)));
    /* Sunday New Year's Day: observed Monday Jan 2 (2023). */
    assert_true(date_is_federal_holiday(D(2023, 1, 2)));
    assert_false(date_is_federal_holiday(D(2023, 1, 1)));
    /* Saturday New Year's Day 2022: observed Friday 2021-12-31. */
    assert_true(date_is_federal_holiday(D(2021, 12, 31)));
    assert_true(date_is_federal_holiday(D(2021, 12, 24)));
    /* MLK Day from 1986; Veterans Day on the 4th Monday of October 1971-77. */
    assert_false(date_is_federal_holiday(D(1985, 1, 21)));
    assert_true(date_is_federal_holiday(D(1986, 1, 20)));
    assert_true(date_is_federal_holiday(D(1975, 10, 27)));
    assert_false(date_is_federal_holiday(D(1975, 11, 11)));
    assert_false(date_is_federal_holiday(DATE_NONE));
}

static void test_business_days(void **state)
{
    assert_true(date_is_business_day(D(2025, 11, 26)));  /* Wednesday */
    assert_false(date_is_business_day(D(2025, 11, 27))); /* Thanksgiving */
    assert_false(date_is_business_day(D(2025, 11, 29))); /* Saturday */
    /* TCM: discharge Wednesday before Thanksgiving; 2 business days later is
     * Monday Dec 1 (Thursday holiday, Friday the 28th counts, weekend not). */
    assert_int_equal(date_add_business_days(D(2025, 11, 26), 1), D(2025, 11, 28));
    assert_int_equal(date_add_business_days(D(2025, 11, 26), 2), D(2025, 12, 1));
    /* Across Christmas 2025 (Thursday). */
    assert_int_equal(date_add_business_days(D(2025, 12, 23), 1), D(2025, 12, 24));
    assert_int_equal(date_add_business_days(D(2025, 12, 23), 2), D(2025, 12, 26));
    assert_int_equal(date_add_business_days(D(2025, 12, 24), 2), D(2025, 12, 29));
    /* Over a weekend and the New Year. */
    assert_int_equal(date_add_business_days(D(2025, 12, 31), 1), D(2026, 1, 2));
    assert_int_equal(date_add_business_days(D(2025, 12, 19), 2), D(2025, 12, 23));
    /* Friday before the observed July 3 2026 holiday. */
    assert_int_equal(date_add_business_days(D(2026, 7, 2), 1), D(2026, 7, 6));
    /* n = 0: the day itself, or the next business day. */
    assert_int_equal(date_add_business_days(D(2025, 11, 26), 0), D(2025, 11, 26));
    assert_int_equal(date_add_business_days(D(2025, 11, 29), 0), D(2025, 12, 1));
    assert_int_equal(date_add_business_days(D(2025, 11, 27), 0), D(2025, 11, 28));
    /* Discharge on a Saturday: the first business day is Monday. */
    assert_int_equal(date_add_business_days(D(2025, 3, 1), 1), D(2025, 3, 3));
    assert_int_equal(date_add_business_days(D(2025, 3, 1), 2), D(2025, 3, 4));
    assert_int_equal(date_add_business_days(DATE_NONE, 2), DATE_NONE);
}

static void test_business_days_between(void **state)
{
    assert_int_equal(date_business_days_between(D(2025, 11, 26), D(2025, 12, 1)), 2);
    assert_int_equal(date_business_days_between(D(2025, 12, 1), D(2025, 11, 26)), -2);
    assert_int_equal(date_business_days_between(D(2025, 11, 26), D(2025, 11, 26)), 0);
    /* 2025 has 261 weekdays and 11 holidays, none on weekends as observed. */
    assert_int_equal(date_business_days_between(D(2024, 12, 31), D(2025, 12, 31)), 250);
    /* Against a day-by-day count over a decade, in both directions. */
    date_t base = D(2019, 12, 1);
    for (int span = 0; span < 4000; span += 23) {
        for (int off = 0; off < 7; off++) {
            date_t a = base + off, b = base + off + span;
            int naive = 0;
            for (date_t t = a + 1; t <= b; t++)
                naive += date_is_business_day(t);
            assert_int_equal(date_business_days_between(a, b), naive);
            assert_int_equal(date_business_days_between(b, a), -naive);
        }
    }
}

/* The two holiday paths (per-day check and per-range count) agree for every
 * year from 1950 to 2100, across all the rule changes. */
static void test_holiday_paths_agree(void **state)
{
    for (int y = 1950; y <= 2100; y++) {
        date_t a = D(y - 1, 12, 31), b = D(y, 12, 31);
        int naive = 0;
        for (date_t t = a + 1; t <= b; t++)
            naive += date_is_business_day(t);
        if (date_business_days_between(a, b) != naive)
            fail_msg("year %d: %d vs %d", y, date_business_days_between(a, b), naive);
        assert_true(naive >= 248 && naive <= 255);
    }
}

static void test_add_and_between_agree(void **state)
{
    for (date_t d = D(2024, 1, 1); d < D(2029, 1, 1); d++) {
        for (int n = 1; n <= 15; n++) {
            date_t x = date_add_business_days(d, n);
            assert_true(date_is_business_day(x));
            assert_int_equal(date_business_days_between(d, x), n);
            assert_int_equal(date_business_days_between(d, x - 1), n - 1);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_days),
        cmocka_unit_test(test_invalid_ymd),
        cmocka_unit_test(test_leap_rules),
        cmocka_unit_test(test_full_range_against_naive_calendar),
        cmocka_unit_test(test_round_trip_100k_days),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_parse_strict),
        cmocka_unit_test(test_parse_agrees_with_ymd),
        cmocka_unit_test(test_parse_prefix),
        cmocka_unit_test(test_stamps),
        cmocka_unit_test(test_stamps_agree),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_add_months),
        cmocka_unit_test(test_month_helpers),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_holidays_2025),
        cmocka_unit_test(test_holidays_2026),
        cmocka_unit_test(test_holidays_2027_2028_shifts),
        cmocka_unit_test(test_holiday_history),
        cmocka_unit_test(test_business_days),
        cmocka_unit_test(test_business_days_between),
        cmocka_unit_test(test_holiday_paths_agree),
        cmocka_unit_test(test_add_and_between_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
