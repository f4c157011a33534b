/* model.h — logistic regression trained in C, with AUC and calibration.
 *
 * The engine predicts P(ED visit or inpatient admission in the next months)
 * from features known at a cutoff date. Features are standardised (mean 0,
 * sd 1 on the training rows); the model is fitted by Newton-Raphson (IRLS)
 * with a small ridge penalty so that separable or constant features cannot
 * diverge. Sums run over fixed row blocks in block order, so the fit is the
 * same with any number of threads.
 */
#ifndef TRIPOD_ANALYTICS_MODEL_H
#define TRIPOD_ANALYTICS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define LOGIT_MAXP 32

typedef struct logit {
    int p;
    double beta[LOGIT_MAXP + 1]; /* beta[0] intercept, beta[1+j] feature j (standardised) */
    double mean[LOGIT_MAXP], sd[LOGIT_MAXP];
    int iterations;
    double loglik;
} logit_t;

/* Fits on rows i with use[i] != 0 (use NULL = all). X is n x p row-major.
 * Returns 0, or -1 when there are no usable rows or only one outcome. */
int logit_fit(const float *X, const uint8_t *y, const uint8_t *use, size_t n, int p, double l2,
              int max_iter, int threads, logit_t *out);
double logit_predict(const logit_t *m, const float *x);
/* The k features contributing most to a high prediction: beta_j * z_j > 0,
 * largest first. Returns how many (<= k) were written to idx. */
int logit_top_factors(const logit_t *m, const float *x, int k, int *idx);

/* Area under the ROC curve (Mann-Whitney, ties counted half) over rows with
 * use[i] (NULL = all). NAN when a class is empty. */
double model_auc(const double *score, const uint8_t *y, const uint8_t *use, size_t n);
/* Deciles of predicted risk: mean prediction, observed rate and count each. */
void model_calibration(const double *pred, const uint8_t *y, const uint8_t *use, size_t n,
                       double mean_pred[10], double observed[10], long count[10]);

#endif
