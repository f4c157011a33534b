/* str.c — safe string and number parsing. */
#include "core/str.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* Decimal integer: optional sign, at least one digit, nothing else. Digits
 * are accumulated as a negative number so INT64_MIN parses without overflow. */
int str_to_i64(const char *s, size_t n, int64_t *out)
{
    if (!s || n == 0)
        return -1;
    if (n <= 18) {
        /* Up to 18 plain digits cannot overflow (the usual counts and line
         * numbers): no checks per digit. Anything else takes the loop below. */
        uint64_t v = 0;
        size_t i = 0;
        for (; i < n; i++) {
            unsigned d = (unsigned)(unsigned char)s[i] - '0';
            if (d > 9)
                break;
            v = v * 10 + d;
        }
        if (i == n) {
            if (out)
                *out = (int64_t)v;
            return 0;
        }
    }
    size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return -1;
    int64_t acc = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < '0' || c > '9')
            return -1;
        int d = c - '0';
        if (acc < (INT64_MIN + d) / 10)
            return -1;
        acc = acc * 10 - d;
    }
    if (!neg) {
        if (acc == INT64_MIN)
            return -1;
        acc = -acc;
    }
    if (out)
        *out = acc;
    return 0;
}

int str_to_int(const char *s, size_t n, int *out)
{
    int64_t v;
    if (str_to_i64(s, n, &v) != 0 || v < INT32_MIN || v > INT32_MAX)
        return -1;
    if (out)
        *out = (int)v;
    return 0;
}

/* Checks the plain decimal grammar [sign] digits [. digits] [e [sign] digits]
 * before strtod sees the text, because strtod also takes leading blanks, hex
 * floats, "inf" and "nan", none of which belong in our inputs. */
static bool is_decimal_float(const char *s, size_t n)
{
    size_t i = 0, mant = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        mant++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            mant++;
        }
    }
    if (mant == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            exp++;
        }
        if (exp == 0)
            return false;
    }
    return i == n;
}

/* Short plain decimals ([sign] digits [. digits], at most 15 digits, no
 * exponent: quantities such as "1" or "30.5") without strtod. Their digits
 * as an integer m are exact in a double (m < 2^53), and so is 10^k for
 * k <= 15, so m / 10^k is one correctly rounded division: the double
 * nearest the decimal, which is what strtod returns (Clinger's fast path).
 * Only where doubles are evaluated in double precision (FLT_EVAL_METHOD 0). */
static bool plain_decimal(const char *s, size_t n, double *out)
{
#if FLT_EVAL_METHOD == 0
    static const double pow10[16] = { 1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
    size_t i = s[0] == '-' || s[0] == '+';
    uint64_t m = 0;
    size_t digits = 0, point = n, k = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d <= 9) {
            m = m * 10 + d;
            digits++;
        } else if (s[i] == '.' && point == n) {
            point = i;
        } else {
            return false;
        }
    }
    if (digits == 0 || digits > 15)
        return false;
    if (point != n)
        k = n - 1 - point;
    double v = (double)m / pow10[k];
    *out = s[0] == '-' ? -v : v;
    return true;
#else
    (void)s;
    (void)n;
    (void)out;
    return false;
#endif
}

/* Finite values only. strtod follows the C locale's decimal point; Tripod
 * never calls setlocale, so that is '.'. */
int str_to_double(const char *s, size_t n, double *out)
{
    if (!s || n == 0)
        return -1;
    double fast;
    if (plain_decimal(s, n, &fast)) {
        if (out)
            *out = fast;
        return 0;
    }
    if (!is_decimal_float(s, n))
        return -1;
    char small[128];
    char *tmp = n < sizeof small ? small : mem_alloc(n + 1);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end = NULL;
    errno = 0;
    double v = strtod(tmp, &end);
    bool ok = end == tmp + n && isfinite(v);
    /* ERANGE with a finite result is underflow to (sub)normal/zero: keep it. */
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
        ok = false;
    if (tmp != small)
        mem_free(tmp);
    if (!ok)
        return -1;
    if (out)
        *out = v;
    return 0;
}

int str_to_i64z(const char *s, int64_t *out)
{
    if (!s)
        return -1;
    return str_to_i64(s, strlen(s), out);
}

int str_to_intz(const char *s, int *out)
{
    if (!s)
        return -1;
    return str_to_int(s, strlen(s), out);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

void str_trim(const char **s, size_t *n)
{
    if (!s || !n)
        return;
    if (!*s) {
        *n = 0;
        return;
    }
    const char *p = *s;
    size_t len = *n;
    while (len > 0 && is_blank(p[0])) {
        p++;
        len--;
    }
    while (len > 0 && is_blank(p[len - 1]))
        len--;
    *s = p;
    *n = len;
}

bool str_eq(const char *a, size_t an, const char *b)
{
    if (!b)
        return false;
    size_t bn = strlen(b);
    if (an != bn)
        return false;
    return an == 0 || (a && memcmp(a, b, an) == 0);
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ASCII-only case folding: codes, enum names and header names are ASCII, and
 * locale-dependent tolower() would make comparisons vary by machine. */
bool str_ieq(const char *a, size_t an, const char *b)
{
    if (!b)
        return false;
    size_t bn = strlen(b);
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    return true;
}

bool str_starts_with(const char *s, const char *prefix)
{
    if (!s || !prefix)
        return false;
    size_t pn = strlen(prefix);
    return strncmp(s, prefix, pn) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
    if (!s || !suffix)
        return false;
    size_t sn = strlen(s), xn = strlen(suffix);
    return xn <= sn && memcmp(s + sn - xn, suffix, xn) == 0;
}

size_t str_copy(char *dst, const char *src, size_t cap)
{
    if (!src)
        src = "";
    size_t len = strlen(src);
    if (dst && cap > 0) {
        size_t k = len < cap - 1 ? len : cap - 1;
        memcpy(dst, src, k);
        dst[k] = '\0';
    }
    return len;
}

/* FNV-1a, 64-bit: offset basis 14695981039346656037, prime 1099511628211. */
uint64_t str_hash_add(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

uint64_t str_hash(const void *p, size_t n)
{
    return str_hash_add(STR_HASH_INIT, p, n);
}
