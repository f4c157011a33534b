/* date.h — civil dates as day numbers.
 *
 * A date_t is the number of days since 1970-01-01 in the proleptic Gregorian
 * calendar (negative before). Arithmetic is integer arithmetic; conversions use
 * Howard Hinnant's days_from_civil / civil_from_days algorithms.
 */
#ifndef TRIPOD_CORE_DATE_H
#define TRIPOD_CORE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t date_t;

#define DATE_NONE    INT32_MIN /* "no date" (a missing value) */
#define DATE_FMT_LEN 11        /* "YYYY-MM-DD" + NUL */

/* Valid years are 1..9999. Returns DATE_NONE for an impossible date. */
date_t date_from_ymd(int y, int m, int d);
void date_to_ymd(date_t d, int *y, int *m, int *day);
bool date_is_valid_ymd(int y, int m, int d);
int date_days_in_month(int y, int m);
bool date_is_leap(int y);

/* Parses exactly "YYYY-MM-DD" or "YYYYMMDD" (n bytes of s, no NUL needed).
 * Returns 0, or -1 for anything else including impossible dates (2023-02-29). */
int date_parse(const char *s, size_t n, date_t *out);
/* Timestamps: one grammar, two answers. Accepted (n bytes of s, exactly):
 *   ISO 8601 / FHIR  YYYY-MM-DD[(T| )HH[:MM[:SS[(.|,)f...]]][zone]], zone
 *                    Z, +HH, +HH:MM or +HHMM (or -), within +-14:00
 *   HL7 v2 DTM/TS    YYYYMMDD[HH[MM[SS[.f{1,4}]]]][+/-HHMM]
 * date_parse_prefix keeps the date as written ("2024-03-01T23:00:00-05:00"
 * is 2024-03-01); date_parse_instant gives the instant, seconds since
 * 1970-01-01T00:00:00Z: no zone reads as UTC, a bare date as its midnight,
 * fractions of a second are dropped and a leap second (:60) is the next
 * minute's first. Both return 0, or -1 for anything else. */
int date_parse_prefix(const char *s, size_t n, date_t *out);
int date_parse_instant(const char *s, size_t n, int64_t *out);
/* Writes "YYYY-MM-DD" (or "" for DATE_NONE) into out[DATE_FMT_LEN]. */
void date_format(date_t d, char out[DATE_FMT_LEN]);
/* Writes "YYYYMMDD" into out[9]. */
void date_format_compact(date_t d, char out[9]);

static inline date_t date_add_days(date_t d, int32_t n)
{
    return d + n;
}
/* Adds months, clamping the day to the month's end (Jan 31 + 1 month = Feb 28/29). */
date_t date_add_months(date_t d, int months);
/* 0 = Monday ... 6 = Sunday (ISO 8601). */
int date_weekday(date_t d);
/* Whole years of age on date `at` for someone born on `birth` (a person born on
 * Feb 29 turns a year older on Mar 1 in non-leap years). -1 if at < birth. */
int date_age(date_t birth, date_t at);
/* Months between two dates' calendar months: (2024-03-xx) - (2024-01-xx) = 2. */
int date_month_index(date_t d); /* y*12 + (m-1) */
date_t date_first_of_month(date_t d);
date_t date_last_of_month(date_t d);

/* US federal holidays (5 U.S.C. 6103) as observed: a Saturday holiday is
 * observed on the Friday before, a Sunday one on the Monday after. Includes
 * Juneteenth from 2021 on. */
bool date_is_federal_holiday(date_t d);
/* Monday to Friday and not an observed federal holiday. Used by the TCM rule
 * "interactive contact within 2 business days of discharge". */
bool date_is_business_day(date_t d);
/* The date n business days after d (n >= 0; n = 0 gives d itself when d is a
 * business day, else the next business day). */
date_t date_add_business_days(date_t d, int n);
/* Business days in (from, to]: the count of business days after `from` up to
 * and including `to`. Negative when to < from. */
int date_business_days_between(date_t from, date_t to);

#endif
