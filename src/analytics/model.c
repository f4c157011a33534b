/* model.c — see model.h. */
#include "analytics/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/par.h"
#include "core/mem.h"

#define BLOCK 65536

typedef struct fit_ctx {
    const float *X;
    const uint8_t *y, *use;
    size_t n;
    int p;
    const logit_t *m;
    double (*g)[LOGIT_MAXP + 1];                      /* per block gradient */
    double (*h)[(LOGIT_MAXP + 1) * (LOGIT_MAXP + 1)]; /* per block Hessian */
    double *ll;
} fit_ctx_t;

static void standardise(const logit_t *m, const float *x, double *z)
{
    z[0] = 1.0;
    for (int j = 0; j < m->p; j++)
        z[j + 1] = m->sd[j] > 0 ? ((double)x[j] - m->mean[j]) / m->sd[j] : 0.0;
}

static double eta_of(const logit_t *m, const double *z)
{
    double eta = 0;
    for (int j = 0; j <= m->p; j++)
        eta += m->beta[j] * z[j];
    return eta;
}

static void fit_block(void *vctx, int task, int worker)
{
    fit_ctx_t *c = vctx;
    int q = c->p + 1;
    double *g = c->g[task], *h = c->h[task];
    memset(g, 0, sizeof c->g[0]);
    memset(h, 0, sizeof c->h[0]);
    double ll = 0, z[LOGIT_MAXP + 1];
    size_t lo = (size_t)task * BLOCK, hi = lo + BLOCK < c->n ? lo + BLOCK : c->n;
    for (size_t i = lo; i < hi; i++) {
        if (c->use && !c->use[i])
            continue;
        standardise(c->m, c->X + i * (size_t)c->p, z);
        double eta = eta_of(c->m, z);
        double mu = 1.0 / (1.0 + exp(-eta));
        double w = mu * (1 - mu);
        double r = (double)c->y[i] - mu;
        ll += c->y[i] ? log(mu > 1e-300 ? mu : 1e-300) : log(1 - mu > 1e-300 ? 1 - mu : 1e-300);
        for (int a = 0; a < q; a++) {
            g[a] += r * z[a];
            double wa = w * z[a];
            for (int b = 0; b <= a; b++)
                h[a * q + b] += wa * z[b];
        }
    }
    c->ll[task] = ll;
}

/* Solves A x = b for symmetric positive definite A (q x q, lower triangle
 * used) by Cholesky. Returns -1 when A is not positive definite. */
static int cholesky_solve(double *A, double *b, int q)
{
    for (int j = 0; j < q; j++) {
        double s = A[j * q + j];
        for (int k = 0; k < j; k++)
            s -= A[j * q + k] * A[j * q + k];
        if (s <= 0)
            return -1;
        double d = sqrt(s);
        A[j * q + j] = d;
        for (int i = j + 1; i < q; i++) {
            double t = A[i * q + j];
            for (int k = 0; k < j; k++)
                t -= A[i * q + k] * A[j * q + k];
            A[i * q + j] = t / d;
        }
    }
    for (int i = 0; i < q; i++) {
        double t = b[i];
        for (int k = 0; k < i; k++)
            t -= A[i * q + k] * b[k];
        b[i] = t / A[i * q + i];
    }
    for (int i = q - 1; i >= 0; i--) {
        double t = b[i];
        for (int k = i + 1; k < q; k++)
            t -= A[k * q + i] * b[k];
        b[i] = t / A[i * q + i];
    }
    return 0;
}

int logit_fit(const float *X, const uint8_t *y, const uint8_t *use, size_t n, int p, double l2,
              int max_iter, int threads, logit_t *out)
{
    memset(out, 0, sizeof *out);
    if (p < 1 || p > LOGIT_MAXP)
        return -1;
    out->p = p;
    /* Mean and sd per feature, and the outcome rate, over the used rows. */
    double cnt = 0, pos = 0;
    double s1[LOGIT_MAXP] = { 0 }, s2[LOGIT_MAXP] = { 0 };
    for (size_t i = 0; i < n; i++) {
        if (use && !use[i])
            continue;
        cnt++;
        pos += y[i] != 0;
        for (int j = 0; j < p; j++) {
            double v = X[i * (size_t)p + j];
            s1[j] += v;
            s2[j] += v * v;
        }
    }
    if (cnt < 2 || pos == 0 || pos == cnt)
        return -1;
    for (int j = 0; j < p; j++) {
        out->mean[j] = s1[j] / cnt;
        double var = s2[j] / cnt - out->mean[j] * out->mean[j];
        out->sd[j] = var > 1e-12 ? sqrt(var) : 0;
    }
    double rate = pos / cnt;
    out->beta[0] = log(rate / (1 - rate));
    int nblocks = (int)((n + BLOCK - 1) / BLOCK);
    int q = p + 1;
    fit_ctx_t c = { X, y, use, n, p, out, NULL, NULL, NULL };
    c.g = mem_calloc((size_t)nblocks, sizeof *c.g);
    c.h = mem_calloc((size_t)nblocks, sizeof *c.h);
    c.ll = mem_calloc((size_t)nblocks, sizeof *c.ll);
    double prev_ll = -INFINITY;
    for (int it = 0; it < max_iter; it++) {
        par_run(threads, nblocks, fit_block, &c);
        double g[LOGIT_MAXP + 1] = { 0 }, H[(LOGIT_MAXP + 1) * (LOGIT_MAXP + 1)] = { 0 };
        double ll = 0;
        for (int b = 0; b < nblocks; b++) {
            ll += c.ll[b];
            for (int a = 0; a < q; a++) {
                g[a] += c.g[b][a];
                for (int k = 0; k <= a; k++)
                    H[a * q + k] += c.h[b][a * q + k];
            }
        }
        /* Ridge on the features (not the intercept), scaled to the rows. */
        for (int a = 1; a < q; a++) {
            g[a] -= l2 * cnt * out->beta[a];
            H[a * q + a] += l2 * cnt;
        }
        out->loglik = ll;
        out->iterations = it + 1;
        if (cholesky_solve(H, g, q) != 0)
            break;
        double step = 0;
        for (int a = 0; a < q; a++) {
            out->beta[a] += g[a];
            step = fmax(step, fabs(g[a]));
        }
        if (step < 1e-6 || fabs(ll - prev_ll) < 1e-9 * fabs(ll))
            break;
        prev_ll = ll;
    }
    mem_free(c.g);
    mem_free(c.h);
    mem_free(c.ll);
    return 0;
}

double logit_predict(const logit_t *m, const float *x)
{
    double z[LOGIT_MAXP + 1];
    standardise(m, x, z);
    return 1.0 / (1.0 + exp(-eta_of(m, z)));
}

int logit_top_factors(const logit_t *m, const float *x, int k, int *idx)
{
    double z[LOGIT_MAXP + 1], best[LOGIT_MAXP];
    standardise(m, x, z);
    int n = 0;
    for (int j = 0; j < m->p; j++) {
        double c = m->beta[j + 1] * z[j + 1];
        if (c <= 0.05) /* too small to explain anything */
            continue;
        int pos = n < k ? n : k;
        while (pos > 0 && best[pos - 1] < c) {
            if (pos < k) {
                best[pos] = best[pos - 1];
                idx[pos] = idx[pos - 1];
            }
            pos--;
        }
        if (pos < k) {
            best[pos] = c;
            idx[pos] = j;
            if (n < k)
                n++;
        }
    }
    return n;
}

typedef struct scored {
    double s;
    uint8_t y;
} scored_t;

static int cmp_scored(const void *a, const void *b)
{
    double x = ((const scored_t *)a)->s, y = ((const scored_t *)b)->s;
    return x < y ? -1 : x > y ? 1 : 0;
}

static scored_t *collect(const double *score, const uint8_t *y, const uint8_t *use, size_t n,
                         size_t *m)
{
    scored_t *v = mem_alloc((n ? n : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!use || use[i])
            v[k++] = (scored_t){ score[i], (uint8_t)(y[i] != 0) };
    qsort(v, k, sizeof *v, cmp_scored);
    *m = k;
    return v;
}

double model_auc(const double *score, const uint8_t *y, const uint8_t *use, size_t n)
{
    size_t m;
    scored_t *v = collect(score, y, use, n, &m);
    double npos = 0, nneg = 0, rank_sum = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && v[j].s == v[i].s)
            j++;
        double avg_rank = (double)(i + 1 + j) / 2.0; /* ranks i+1..j */
        for (size_t k = i; k < j; k++) {
            if (v[k].y) {
                npos++;
                rank_sum += avg_rank;
            } else {
                nneg++;
            }
        }
        i = j;
    }
    mem_free(v);
    if (npos == 0 || nneg == 0)
        return NAN;
    return (rank_sum - npos * (npos + 1) / 2.0) / (npos * nneg);
}

void model_calibration(const double *pred, const uint8_t *y, const uint8_t *use, size_t n,
                       double mean_pred[10], double observed[10], long count[10])
{
    size_t m;
    scored_t *v = collect(pred, y, use, n, &m);
    for (int d = 0; d < 10; d++) {
        size_t lo = m * (size_t)d / 10, hi = m * (size_t)(d + 1) / 10;
        double sp = 0, so = 0;
        for (size_t i = lo; i < hi; i++) {
            sp += v[i].s;
            so += v[i].y;
        }
        count[d] = (long)(hi - lo);
        mean_pred[d] = hi > lo ? sp / (double)(hi - lo) : 0;
        observed[d] = hi > lo ? so / (double)(hi - lo) : 0;
    }
    mem_free(v);
}
