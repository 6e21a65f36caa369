#include "fnum.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Powers of ten that a double holds exactly. */
static const double pow10d[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

#if LDBL_MANT_DIG == 64
/* Powers of ten that an x87 long double holds exactly (5^27 < 2^64). */
static const long double pow10l[28] = {
	1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L,
	1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
	1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L
};

/*
 * The double nearest to m x 10^e (m < 2^64, |e| <= 27) when a correctly
 * rounded long double result rounds to double as the exact value would:
 * the long double is within half its ulp of the exact value, so unless
 * it lies within one of its ulps of a midpoint between two doubles (the
 * 11 bits below double precision 0x3ff, 0x400 or 0x401) both round the
 * same way.  Returns 0 with *x, or -1.
 */
static int
extended(uint64_t m, int e, double *x)
{
	static volatile long double one = 1.0L, eps = LDBL_EPSILON;
	long double v;
	uint64_t bits;

	/*
	 * The argument needs long double arithmetic that really keeps 64
	 * bits; an emulator may not (valgrind computes x87 operations in
	 * double precision), and then strtod decides.
	 */
	if (one + eps == one)
		return -1;
	v = e >= 0 ? (long double)m * pow10l[e] : (long double)m / pow10l[-e];
	memcpy(&bits, &v, sizeof(bits));	/* the 64-bit significand */
	bits &= 0x7ff;
	if (bits == 0x3ff || bits == 0x400 || bits == 0x401)
		return -1;
	*x = (double)v;
	return 0;
}
#endif

static int
slow(const char *s, size_t n, double *x)
{
	char tmp[128], *big = NULL, *p = tmp, *end;

	if (n >= sizeof(tmp))
		p = big = malloc(n + 1);
	if (p == NULL)
		return -1;
	memcpy(p, s, n);
	p[n] = '\0';
	*x = strtod(p, &end);
	free(big);
	return end == p ? -1 : 0;
}

int
fnum_parse(const char *s, size_t n, double *x)
{
	const char *p = s, *end = s + n;
	uint64_t m = 0;
	int neg = 0, digits = 0, e = 0, esign = 1, ex = 0, any = 0, lost = 0;
	double v;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == end || *p < '0' || *p > '9')
		return -1;
	if (*p == '0') {			/* no leading zeros */
		p++;
		any = 1;
	} else
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (digits < 19) {
				m = m * 10 + (uint64_t)(*p - '0');
				digits++;
			} else {
				if (*p != '0')
					lost = 1;
				e++;
			}
			any = 1;
		}
	if (p < end && *p == '.') {
		p++;
		if (p == end || *p < '0' || *p > '9')
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (m == 0 && *p == '0') {	/* leading zeros */
				e--;
				continue;
			}
			if (digits < 19) {
				m = m * 10 + (uint64_t)(*p - '0');
				digits++;
				e--;
			} else if (*p != '0')
				lost = 1;
		}
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			esign = *p++ == '-' ? -1 : 1;
		if (p == end || *p < '0' || *p > '9')
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (ex < 100000)
				ex = ex * 10 + (*p - '0');
	}
	if (p != end || !any)
		return -1;
	if (lost)		/* a nonzero digit beyond the 19th */
		return slow(s, n, x);
	e += esign * ex;
	if (m == 0) {
		*x = neg ? -0.0 : 0.0;
		return 0;
	}
	if (m <= (UINT64_C(1) << 53) && e >= -22 && e <= 22) {
		v = (double)m;
		v = e >= 0 ? v * pow10d[e] : v / pow10d[-e];
		*x = neg ? -v : v;
		return 0;
	}
#if LDBL_MANT_DIG == 64
	if (e >= -27 && e <= 27 && extended(m, e, &v) == 0) {
		*x = neg ? -v : v;
		return 0;
	}
#endif
	return slow(s, n, x);
}
