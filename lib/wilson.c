#include "wilson.h"

#include <math.h>
#include <stddef.h>

static double
bound(double k, double n, double z, double sign)
{
	double p, z2, s;

	if (n == 0)
		return sign < 0 ? 0.0 : 1.0;
	p = k / n;
	z2 = z * z;
	s = (p + z2 / (2 * n) + sign * z * sqrt(p * (1 - p) / n +
	    z2 / (4 * n * n))) / (1 + z2 / n);
	if (s < 0)
		s = 0;
	if (s > 1)
		s = 1;
	return s;
}

double
wilson_lower(double k, double n, double z)
{
	return bound(k, n, z, -1.0);
}

double
wilson_upper(double k, double n, double z)
{
	return bound(k, n, z, 1.0);
}

const char *
wilson_check(double k, double n)
{
	if (!isfinite(k) || !isfinite(n))
		return "counts must be finite";
	if (k < 0 || n < 0)
		return "counts must not be negative";
	if (k > n)
		return "successes k exceed trials n";
	return NULL;
}

double
wilson_probit(double p)
{
	/* P. J. Acklam's rational approximation, relative error 1.15e-9. */
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
	    -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
	    -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
	    -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
	    2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r, x, e, u;

	if (!(p > 0 && p < 1))
		return NAN;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q +
		    c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - 0.02425) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r +
		    a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r +
		    b[4]) * r + 1);
	} else {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q +
		    c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	/* Two Halley steps against the exact CDF, 0.5 * erfc(-x / sqrt 2). */
	for (int i = 0; i < 2; i++) {
		e = 0.5 * erfc(-x / M_SQRT2) - p;
		u = e * sqrt(2 * M_PI) * exp(x * x / 2);
		x = x - u / (1 + x * u / 2);
	}
	return x;
}

double
wilson_z_for_confidence(double level)
{
	if (!(level > 0 && level < 1))
		return NAN;
	return wilson_probit(1 - (1 - level) / 2);
}
