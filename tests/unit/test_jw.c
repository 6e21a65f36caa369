/* jw: the number writer against printf/strtod, and string escapes. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "jw.h"
#include "rng.h"
#include "unit.h"

static void
same(double d, int *bad)
{
	char a[40], b[40];

	jw_fmt_double(a, d);
	jw_fmt_double_ref(b, d);
	if (strcmp(a, b) != 0 || strtod(a, NULL) != d) {
		if ((*bad)++ < 10)
			fprintf(stderr, "%.17g: fast %s, reference %s\n", d, a, b);
	}
}

static const char *
w(const json_t *v)
{
	static struct buf b;

	b.len = 0;
	jw_value(&b, v);
	return b.p;
}

int
main(void)
{
	struct rng r;
	uint64_t seed = 7, bits;
	double d;
	int i, bad = 0;
	json_t *v;
	char tmp[40];

	rng_global_init();
	rng_init(&r, &seed, "jw", 2);
	/* random doubles of every magnitude around the fast range */
	for (i = 0; i < unit_n(2000000); i++) {
		d = rng_double(&r) * pow(10, (double)rng_below(&r, 30) - 10);
		if (rng_below(&r, 2))
			d = -d;
		same(d, &bad);
	}
	/* random bit patterns, powers of two and ten, short decimals */
	for (i = 0; i < unit_n(300000); i++) {
		bits = rng_u64(&r);
		memcpy(&d, &bits, sizeof(d));
		if (isfinite(d))
			same(d, &bad);
	}
	for (i = -1074; i < 1024; i++)
		same(ldexp(1, i), &bad);
	same(0.0, &bad);
	same(-0.0, &bad);
	for (i = -6; i < 15; i++) {
		same(pow(10, i), &bad);
		same(nextafter(pow(10, i), 0), &bad);
		same(nextafter(pow(10, i), INFINITY), &bad);
	}
	for (i = 0; i < unit_n(100000); i++) {
		snprintf(tmp, sizeof(tmp), "%d.%03d", i / 100, i % 1000);
		same(strtod(tmp, NULL), &bad);
		same((double)i / 7, &bad);
	}
	CHECK(bad == 0);

	/* spelled out: values worked by hand */
	jw_fmt_double(tmp, 0.1);
	CHECK_STR(tmp, "0.1");
	jw_fmt_double(tmp, 1.0 / 3);
	CHECK_STR(tmp, "0.3333333333333333");	/* 16 digits read back */
	jw_fmt_double(tmp, 0.1 + 0.2);
	CHECK_STR(tmp, "0.30000000000000004");	/* needs 17 */
	jw_fmt_double(tmp, 1e-7);
	CHECK_STR(tmp, "1e-07");
	jw_fmt_double(tmp, 2.5e-5);
	CHECK_STR(tmp, "2.5e-05");

	v = json_pack("{s:i,s:f,s:f,s:s,s:[b,n]}", "a", -12, "b", 1000.0,
	    "c", 0.5, "d", "q\"\\\n\x01\xc3\xa9", "e", 1);
	CHECK_STR(w(v), "{\"a\":-12,\"b\":1000.0,\"c\":0.5,"
	    "\"d\":\"q\\\"\\\\\\n\\u0001\xc3\xa9\",\"e\":[true,null]}");
	json_decref(v);
	return unit_report();
}
