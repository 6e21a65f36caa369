#ifndef ADSIG_WILSON_H
#define ADSIG_WILSON_H

/*
 * Wilson score interval for k successes in n trials (adsig(7), "Wilson
 * bounds"); k and n may be fractional (window-weighted counts):
 *
 *   p = k/n
 *   S = (p + z^2/(2n) -/+ z*sqrt(p(1-p)/n + z^2/(4n^2))) / (1 + z^2/n)
 *
 * n = 0 gives lower 0 and upper 1.  The caller checks 0 <= k <= n and
 * finiteness (wilson_check); the bounds are clamped to [0, 1] against
 * rounding.
 */
double	wilson_lower(double k, double n, double z);
double	wilson_upper(double k, double n, double z);

/* NULL when (k, n) are valid counts, else why not. */
const char	*wilson_check(double k, double n);

/*
 * The two-sided normal quantile for a confidence level in (0, 1):
 * z = Phi^-1(1 - (1 - level) / 2); 0.95 -> 1.959963984540054.
 * Returns NaN outside (0, 1).
 */
double	wilson_z_for_confidence(double level);

/* Phi^-1(p) for p in (0, 1), accurate to about 1e-15 (Acklam + one
 * Halley step on erfc). */
double	wilson_probit(double p);

#endif
