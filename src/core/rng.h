/* rng.h — a small, fast, reproducible random generator (xoshiro256**).
 *
 * Same seed, same sequence, on every machine: the synthetic population and the
 * model's train/test split depend on it. Seeded with splitmix64. A stream per
 * patient (rng_seed(seed ^ patient_index)) keeps output independent of
 * threading and of which outputs are written.
 */
#ifndef TRIPOD_CORE_RNG_H
#define TRIPOD_CORE_RNG_H

#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng_t;

void rng_seed(rng_t *r, uint64_t seed);
/* Seeds from two numbers mixed (e.g. the run's seed and a patient index). */
void rng_seed2(rng_t *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(rng_t *r);
double rng_uniform(rng_t *r);             /* [0, 1) */
uint32_t rng_below(rng_t *r, uint32_t n); /* [0, n), unbiased; n > 0 */
int rng_range(rng_t *r, int lo, int hi);  /* [lo, hi] inclusive */
int rng_bernoulli(rng_t *r, double p);    /* 1 with probability p */
double rng_normal(rng_t *r, double mean, double sd);
double rng_lognormal(rng_t *r, double mu, double sigma);
int rng_poisson(rng_t *r, double lambda);
/* Index drawn from weights[0..n-1] (non-negative, not all zero). */
int rng_weighted(rng_t *r, const double *weights, int n);

#endif
