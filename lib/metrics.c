#include "metrics.h"

#include <math.h>
#include <stdlib.h>

#include "xalloc.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
clip(double p)
{
	if (p < METRICS_PMIN)
		return METRICS_PMIN;
	if (p > 1 - METRICS_PMIN)
		return 1 - METRICS_PMIN;
	return p;
}

/*
 * Sorts the positives' and the negatives' scores apart and walks both:
 * each positive counts the negatives below it plus half those equal.
 * The counts are integers or halves, exact in a double below 2^52.
 */
int
metrics_auc(const double *score, const int *y, size_t n, double *out)
{
	double *pos, *neg, sum = 0;
	size_t i, np = 0, nn = 0, kp = 0, lo = 0, hi = 0;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (isnan(score[i]))
			return -1;
		if (y[i] > 0)
			np++;
	}
	if (np == 0 || np == n)
		return -1;
	pos = xmalloc(n * sizeof(*pos));
	neg = pos + np;
	for (i = 0; i < n; i++) {
		if (y[i] > 0)
			pos[kp++] = score[i];
		else
			neg[nn++] = score[i];
	}
	qsort(pos, np, sizeof(*pos), cmp_double);
	qsort(neg, nn, sizeof(*neg), cmp_double);
	for (i = 0; i < np; i++) {
		while (lo < nn && neg[lo] < pos[i])
			lo++;
		if (hi < lo)
			hi = lo;
		while (hi < nn && neg[hi] <= pos[i])
			hi++;
		sum += (double)lo + 0.5 * (double)(hi - lo);
	}
	free(pos);
	*out = sum / ((double)np * (double)nn);
	return 0;
}

int
metrics_logloss(const double *p, const int *y, size_t n, double *out)
{
	double sum = 0, q;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (isnan(p[i]))
			return -1;
		q = clip(p[i]);
		sum -= y[i] > 0 ? log(q) : log1p(-q);
	}
	*out = sum / (double)n;
	return 0;
}

int
metrics_rate(const int *y, size_t n, double *out)
{
	size_t i, np = 0;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if (y[i] > 0)
			np++;
	*out = (double)np / (double)n;
	return 0;
}

int
metrics_logloss_const(double p, const int *y, size_t n, double *out)
{
	double rate;

	if (isnan(p) || metrics_rate(y, n, &rate) == -1)
		return -1;
	p = clip(p);
	*out = -(rate * log(p) + (1 - rate) * log1p(-p));
	return 0;
}

double
metrics_rig(double ll, double ll_prior)
{
	if (!(ll_prior > 0))
		return NAN;
	return 1 - ll / ll_prior;
}
