/* money.h — amounts as int64 cents.
 *
 * Claims carry dollars with cents; adding millions of them in floating point
 * loses cents, so every amount in Tripod is an integer count of cents.
 */
#ifndef TRIPOD_CORE_MONEY_H
#define TRIPOD_CORE_MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t money_t;

#define MONEY_FMT_LEN 32

/* Parses "1234", "1234.5", "1234.56", "-12.30", "+3", ".5", "$1,234.56" (a
 * leading $ and thousands commas in the right places are accepted). More than
 * two decimals are accepted only when the extra digits are zeros ("1.2300");
 * otherwise, and for anything unparseable or out of range, returns -1. */
int money_parse(const char *s, size_t n, money_t *out);
/* Writes "-1234.56" style (no $, no commas) into out. Returns its length. */
size_t money_format(money_t m, char *out, size_t n);
/* m * num / den rounded half away from zero, for shares and rates. den != 0.
 * Uses 128-bit intermediate arithmetic. */
money_t money_mul_div(money_t m, int64_t num, int64_t den);
/* m * rate rounded half away from zero (rates such as 0.5 sharing). */
money_t money_mul_rate(money_t m, double rate);
/* Dollars as a double, for reports and models only, never for sums. */
static inline double money_to_dollars(money_t m)
{
    return (double)m / 100.0;
}
/* Adds with overflow check: returns -1 on overflow, leaving *acc unchanged. */
int money_add(money_t *acc, money_t v);

#endif
