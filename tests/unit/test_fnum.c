/*
 * fnum_parse() against strtod(): the same double, bit for bit, for
 * every number of several million written the ways JSON writers write
 * them (shortest round trip, %.17g, %.15g, random digit strings with
 * exponents, halfway cases), and -1 for text that is no JSON number.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnum.h"
#include "rng.h"
#include "unit.h"

static struct rng r;
static long wrong;

static void
same(const char *s)
{
	double a, b;
	uint64_t x, y;

	b = strtod(s, NULL);
	if (fnum_parse(s, strlen(s), &a) != 0) {
		if (wrong++ < 5)
			fprintf(stderr, "refused: %s\n", s);
		return;
	}
	memcpy(&x, &a, 8);
	memcpy(&y, &b, 8);
	if (x != y && wrong++ < 5)
		fprintf(stderr, "%s: %.17g, strtod %.17g\n", s, a, b);
}

static double
random_double(void)
{
	uint64_t bits;
	double d;

	do {
		bits = rng_u64(&r);
		memcpy(&d, &bits, 8);
	} while (!isfinite(d));
	return d;
}

int
main(void)
{
	static const char *const bad[] = { "", "-", "+1", "01", "1.", ".5",
	    "1e", "1e+", "--1", "1.2.3", "0x10", "inf", "nan", " 1", "1 ",
	    "1e5x", "-.5" };
	char s[128];
	uint64_t seed = 3;
	double d, x;
	size_t i, k, n;
	int e;

	rng_global_init();
	rng_init(&r, &seed, "fnum", 4);
	/* by hand */
	CHECK(fnum_parse("0", 1, &x) == 0 && x == 0 && !signbit(x));
	CHECK(fnum_parse("-0", 2, &x) == 0 && x == 0 && signbit(x));
	CHECK(fnum_parse("-0.0e5", 6, &x) == 0 && x == 0 && signbit(x));
	CHECK(fnum_parse("1.5", 3, &x) == 0 && x == 1.5);
	CHECK(fnum_parse("2.5e-05", 7, &x) == 0 && x == 2.5e-05);
	CHECK(fnum_parse("1e400", 5, &x) == 0 && x == HUGE_VAL);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(fnum_parse(bad[i], strlen(bad[i]), &x) == -1);
	/* the shortest round trip and %.17g of random doubles */
	for (i = 0; i < (size_t)unit_n(1000000); i++) {
		d = random_double();
		for (k = 1; k <= 17; k++) {
			snprintf(s, sizeof(s), "%.*g", (int)k, d);
			if (k == 17 || strtod(s, NULL) == d)
				break;
		}
		same(s);
		snprintf(s, sizeof(s), "%.17g", d);
		same(s);
	}
	/* doubles of the sizes the tools write: [-1000, 1000], in %g forms */
	for (i = 0; i < (size_t)unit_n(2000000); i++) {
		d = ((double)(rng_u64(&r) >> 11) / 9007199254740992.0 - 0.5) *
		    pow(10, (double)rng_below(&r, 12) - 6);
		snprintf(s, sizeof(s), "%.*g", (int)(1 + rng_below(&r, 17)), d);
		same(s);
		snprintf(s, sizeof(s), "%.*f", (int)rng_below(&r, 20), d);
		same(s);
	}
	/* random digit strings: up to 25 digits, a point, an exponent */
	for (i = 0; i < (size_t)unit_n(2000000); i++) {
		n = 1 + rng_below(&r, 25);
		k = 0;
		if (rng_below(&r, 2))
			s[k++] = '-';
		s[k++] = (char)('1' + rng_below(&r, 9));
		for (size_t j = 1; j < n; j++)
			s[k++] = (char)('0' + rng_below(&r, 10));
		if (rng_below(&r, 2)) {
			memmove(s + k - n + 1 + 1, s + k - n + 1, n - 1);
			s[k - n + 1] = '.';
			k++;
			if (n == 1)
				s[k++] = '5';
		}
		if (rng_below(&r, 2)) {
			e = (int)rng_below(&r, 80) - 40;
			k += (size_t)snprintf(s + k, sizeof(s) - k, "e%d", e);
		}
		s[k] = '\0';
		same(s);
	}
	/* halfway cases between neighbouring doubles, written exactly */
	for (i = 0; i < (size_t)unit_n(200000); i++) {
		d = fabs(random_double());
		if (d < 1e-20 || d > 1e20)
			continue;
		x = nextafter(d, INFINITY);
		/* the exact midpoint (54 bits fit a long double), and near it */
		snprintf(s, sizeof(s), "%.60Lg", (long double)d +
		    ((long double)x - (long double)d) / 2);
		same(s);
		snprintf(s, sizeof(s), "%.19Lg", (long double)d +
		    ((long double)x - (long double)d) / 2);
		same(s);
	}
	CHECK(wrong == 0);
	return unit_report();
}
