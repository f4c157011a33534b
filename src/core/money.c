/* money.c — amounts as int64 cents. */
#include "core/money.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/str.h"

/* The form nearly every claims file writes, -?digits.dd with at most 15
 * digits before the point (so no overflow check), parsed straight; anything
 * else (and any input this rejects) goes through the full grammar below,
 * which gives the same value for this form. */
static bool money_plain(const char *s, size_t n, money_t *out)
{
    size_t i = s[0] == '-';
    if (n < i + 4 || n > i + 18 || s[n - 3] != '.')
        return false;
    unsigned d1 = (unsigned)(s[n - 2] - '0'), d2 = (unsigned)(s[n - 1] - '0');
    if (d1 > 9 || d2 > 9)
        return false;
    int64_t units = 0;
    for (; i < n - 3; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return false;
        units = units * 10 + d;
    }
    int64_t v = units * 100 + d1 * 10 + d2;
    if (out)
        *out = s[0] == '-' ? -v : v;
    return true;
}

/* Grammar, after trimming blanks:
 *   [sign] [$] [sign] int [. frac]   or   [sign] [$] . frac
 * with at most one sign, int either plain digits or digits grouped by commas
 * in threes ("1,234,567": first group 1-3 digits, the others exactly 3), and
 * frac any digits of which only the first two may be non-zero. The magnitude
 * is accumulated unsigned so INT64_MIN cents is reachable. */
int money_parse(const char *s, size_t n, money_t *out)
{
    if (!s)
        return -1;
    if (n >= 4 && money_plain(s, n, out))
        return 0;
    str_trim(&s, &n);
    size_t i = 0;
    bool neg = false, have_sign = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        have_sign = true;
        i++;
    }
    if (i < n && s[i] == '$')
        i++;
    if (!have_sign && i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t units = 0; /* whole dollars */
    size_t int_digits = 0, group = 0;
    bool grouped = false;
    for (; i < n; i++) {
        char c = s[i];
        if (c == ',') {
            /* A comma closes a group: the first of 1-3 digits, later ones 3. */
            if (int_digits == 0 || (grouped ? group != 3 : group > 3))
                return -1;
            grouped = true;
            group = 0;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        if (units > (limit / 100 - (uint64_t)(c - '0')) / 10)
            return -1;
        units = units * 10 + (uint64_t)(c - '0');
        int_digits++;
        group++;
    }
    if (grouped && group != 3)
        return -1;
    uint64_t cents = 0;
    size_t frac_digits = 0;
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, frac_digits++) {
            int d = s[i] - '0';
            if (frac_digits == 0)
                cents = (uint64_t)d * 10;
            else if (frac_digits == 1)
                cents += (uint64_t)d;
            else if (d != 0)
                return -1; /* sub-cent precision would be lost */
        }
    }
    if (i != n || int_digits + frac_digits == 0)
        return -1;
    if (units > (limit - cents) / 100)
        return -1;
    uint64_t mag = units * 100 + cents;
    if (out)
        *out = neg ? (money_t)(0 - mag) : (money_t)mag;
    return 0;
}

size_t money_format(money_t m, char *out, size_t n)
{
    char tmp[MONEY_FMT_LEN];
    size_t k = sizeof tmp;
    uint64_t mag = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
    tmp[--k] = '\0';
    tmp[--k] = (char)('0' + mag % 10);
    mag /= 10;
    tmp[--k] = (char)('0' + mag % 10);
    mag /= 10;
    tmp[--k] = '.';
    do {
        tmp[--k] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (m < 0)
        tmp[--k] = '-';
    return str_copy(out, tmp + k, out ? n : 0);
}

/* Rounds |p| / |den| half away from zero and applies the sign; results beyond
 * the int64 range saturate (they are meaningless as money anyway). */
money_t money_mul_div(money_t m, int64_t num, int64_t den)
{
    if (den == 0)
        return 0;
    __int128 p = (__int128)m * num;
    bool neg = (p < 0) != (den < 0);
    unsigned __int128 ap = p < 0 ? (unsigned __int128)(-p) : (unsigned __int128)p;
    unsigned __int128 ad = den < 0 ? (unsigned __int128)(-(__int128)den) : (unsigned __int128)den;
    unsigned __int128 q = ap / ad, r = ap % ad;
    if (r >= ad - r) /* 2r >= den without overflowing */
        q++;
    if (p == 0)
        return 0;
    if (!neg)
        return q > (unsigned __int128)INT64_MAX ? INT64_MAX : (money_t)q;
    if (q > (unsigned __int128)INT64_MAX + 1)
        return INT64_MIN;
    return (money_t)(-(__int128)q);
}

/* The rate is turned into an exact fraction of 10^9 first, so that a rate
 * written with up to nine decimals (0.35, 0.075) rounds as written, not as its
 * binary approximation (10 cents * 0.35 is 3.5 -> 4, not 3.4999... -> 3). */
money_t money_mul_rate(money_t m, double rate)
{
    if (!isfinite(rate))
        return 0;
    if (fabs(rate) < 9e9) {
        int64_t num = (int64_t)llround(rate * 1e9);
        return money_mul_div(m, num, 1000000000);
    }
    double v = round((double)m * rate);
    if (v >= 9223372036854775807.0)
        return INT64_MAX;
    if (v <= -9223372036854775808.0)
        return INT64_MIN;
    return (money_t)v;
}

int money_add(money_t *acc, money_t v)
{
    money_t r;
    if (__builtin_add_overflow(*acc, v, &r))
        return -1;
    *acc = r;
    return 0;
}
