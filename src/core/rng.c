/* rng.c — xoshiro256** (Blackman & Vigna, 2018) seeded by splitmix64.
 *
 * Everything here is a pure function of the 256-bit state: no hidden caches,
 * so a stream gives the same numbers whatever else is drawn around it.
 */
#include "core/rng.h"

#include <math.h>
#include <stdbool.h>

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64 (Steele, Lea & Flood 2014; Vigna's reference splitmix64.c): the
 * seeding generator recommended by the xoshiro authors. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* The MurmurHash3 64-bit finaliser: a mixer with constants unrelated to
 * splitmix64, so that seed and stream cannot cancel out in rng_seed2. */
static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    k *= UINT64_C(0xc4ceb9fe1a85ec53);
    k ^= k >> 33;
    return k;
}

static void rng_fix_zero(rng_t *r)
{
    /* The all-zero state is the one fixed point of xoshiro. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = UINT64_C(0x9e3779b97f4a7c15);
}

void rng_seed(rng_t *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    rng_fix_zero(r);
}

void rng_seed2(rng_t *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t y = fmix64(stream ^ UINT64_C(0x6a09e667f3bcc909));
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x) ^ fmix64(y + (uint64_t)i * UINT64_C(0xd1b54a32d192ed03));
    rng_fix_zero(r);
}

uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* The top 53 bits as a multiple of 2^-53: every double in [0, 1) with that
 * spacing is equally likely. */
double rng_uniform(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Lemire, "Fast Random Integer Generation in an Interval" (2019): multiply
 * and reject the few low products that would bias the result. */
uint32_t rng_below(rng_t *r, uint32_t n)
{
    if (n == 0)
        return 0;
    uint64_t m = (rng_next(r) >> 32) * (uint64_t)n;
    uint32_t l = (uint32_t)m;
    if (l < n) {
        uint32_t t = (uint32_t)(-n) % n;
        while (l < t) {
            m = (rng_next(r) >> 32) * (uint64_t)n;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

int rng_range(rng_t *r, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)((int64_t)hi - (int64_t)lo) + 1;
    if (span > UINT32_MAX) /* the whole 32-bit range */
        return (int)((int64_t)lo + (int64_t)(rng_next(r) >> 32));
    return (int)((int64_t)lo + rng_below(r, (uint32_t)span));
}

/* Always draws once, whatever p, so streams stay aligned across callers. */
int rng_bernoulli(rng_t *r, double p)
{
    double u = rng_uniform(r);
    return u < p;
}

/* Box-Muller, keeping the cosine variate and discarding the sine one: the
 * state struct has no room for a spare, and purity beats the saved draw. */
double rng_normal(rng_t *r, double mean, double sd)
{
    double u1 = 1.0 - rng_uniform(r); /* (0, 1]: log is finite */
    double u2 = rng_uniform(r);
    double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
    return mean + sd * z;
}

double rng_lognormal(rng_t *r, double mu, double sigma)
{
    return exp(rng_normal(r, mu, sigma));
}

/* log(k!) for k >= 0 by Stirling's series (as in NumPy's random_loggam),
 * exact-enough and, unlike lgamma(), free of the global signgam. */
static double log_factorial(double k)
{
    static const double a[10] = { 8.333333333333333e-02, -2.777777777777778e-03,
                                  7.936507936507937e-04, -5.952380952380952e-04,
                                  8.417508417508418e-04, -1.917526917526918e-03,
                                  6.410256410256410e-03, -2.955065359477124e-02,
                                  1.796443723688307e-01, -1.39243221690590e+00 };
    double x = k + 1.0; /* log Gamma(k + 1) */
    if (x == 1.0 || x == 2.0)
        return 0.0;
    double x0 = x;
    int n = 0;
    if (x <= 7.0) {
        n = (int)(7 - x);
        x0 = x + n;
    }
    double x2 = 1.0 / (x0 * x0);
    double gl0 = a[9];
    for (int i = 8; i >= 0; i--) {
        gl0 *= x2;
        gl0 += a[i];
    }
    double gl = gl0 / x0 + 0.5 * log(2.0 * M_PI) + (x0 - 0.5) * log(x0) - x0;
    if (x <= 7.0) {
        for (int i = 1; i <= n; i++) {
            gl -= log(x0 - 1.0);
            x0 -= 1.0;
        }
    }
    return gl;
}

/* Hörmann's PTRS, "The transformed rejection method for generating Poisson
 * random variables" (1993): exact, O(1) expected draws for lambda >= 10. */
static int poisson_ptrs(rng_t *r, double lam)
{
    double slam = sqrt(lam), loglam = log(lam);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = rng_uniform(r) - 0.5;
        double v = rng_uniform(r);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + lam + 0.43);
        if (us >= 0.07 && v <= vr)
            return (int)k;
        if (k < 0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -lam + k * loglam - log_factorial(k))
            return (int)k;
    }
}

/* Knuth's product-of-uniforms method for small means (expected lambda + 1
 * draws; exp(-lambda) stays far from underflow below 30), PTRS above. */
int rng_poisson(rng_t *r, double lambda)
{
    if (!(lambda > 0))
        return 0;
    if (lambda < 30) {
        double limit = exp(-lambda), p = 1.0;
        int k = 0;
        do {
            k++;
            p *= rng_uniform(r);
        } while (p > limit);
        return k - 1;
    }
    if (lambda > 1e9) { /* beyond int range soon: the normal limit */
        double v = floor(rng_normal(r, lambda, sqrt(lambda)) + 0.5);
        return v > 2147483647.0 ? 2147483647 : (int)v;
    }
    return poisson_ptrs(r, lambda);
}

/* Negative and NaN weights count as zero. With no positive weight the answer
 * is 0 (callers promise it does not happen); n <= 0 gives -1. */
int rng_weighted(rng_t *r, const double *weights, int n)
{
    if (n <= 0)
        return -1;
    double total = 0;
    for (int i = 0; i < n; i++)
        if (weights[i] > 0)
            total += weights[i];
    double u = rng_uniform(r) * total;
    if (!(total > 0))
        return 0;
    double acc = 0;
    int last = 0;
    for (int i = 0; i < n; i++) {
        if (!(weights[i] > 0))
            continue;
        acc += weights[i];
        last = i;
        if (u < acc)
            return i;
    }
    return last; /* u rounded up to total: the last positive weight */
}
