#ifndef ADSIG_METRICS_H
#define ADSIG_METRICS_H
#include <stddef.h>

/*
 * Evaluation metrics for binary classifiers (pas-train --eval,
 * egress-ablate).  Labels are ints: y[i] > 0 is a positive, anything
 * else a negative, so both 0/1 and -1/+1 labels work.  Each function
 * returns 0 and writes *out, or -1 (leaving *out alone) when the value
 * is undefined, as the comment says.  Nothing is kept; inputs are read.
 */

/* Probabilities are clipped to [METRICS_PMIN, 1 - METRICS_PMIN]. */
#define METRICS_PMIN	1e-15

/*
 * Area under the ROC curve: the chance that a random positive scores
 * above a random negative, a tie counting one half (the average-rank
 * form of Mann-Whitney U).  O(n log n) time, n doubles of scratch.
 * -1 when n is 0, a class is absent, or a score is NaN.
 */
int	metrics_auc(const double *score, const int *y, size_t n, double *out);

/*
 * Mean log loss in nats per row, -[y log p + (1-y) log(1-p)], with p
 * clipped.  -1 when n is 0 or a p is NaN.
 */
int	metrics_logloss(const double *p, const int *y, size_t n, double *out);

/* The fraction of positives.  -1 when n is 0. */
int	metrics_rate(const int *y, size_t n, double *out);

/*
 * Log loss of predicting the constant p (clipped) for every row, as the
 * base-rate log loss with p the training rate.  -1 when n is 0 or p is
 * NaN.
 */
int	metrics_logloss_const(double p, const int *y, size_t n, double *out);

/*
 * Relative information gain 1 - ll / ll_prior: 0 for the base rate, 1
 * for a perfect model, negative when worse than the base rate.  NaN when
 * ll_prior is not positive.
 */
double	metrics_rig(double ll, double ll_prior);

#endif
