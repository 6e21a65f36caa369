/* rng: reproducible per-key streams, ranges, rough uniformity. */
#include <stdint.h>

#include "rng.h"
#include "unit.h"

int
main(void)
{
	struct rng a, b, c;
	uint64_t seed = 42, x;
	unsigned long counts[10] = { 0 };
	double sum = 0, sq = 0, v;
	int i, same = 1, in_range = 1;

	CHECK(rng_global_init() == 0);
	rng_init(&a, &seed, "r-1", 3);
	rng_init(&b, &seed, "r-1", 3);
	rng_init(&c, &seed, "r-2", 3);
	for (i = 0; i < 100; i++) {
		x = rng_u64(&a);
		if (x != rng_u64(&b))
			same = 0;
	}
	CHECK(same);			/* same seed and key: same stream */
	rng_init(&a, &seed, "r-1", 3);
	CHECK(rng_u64(&a) != rng_u64(&c));	/* another key: another stream */

	for (i = 0; i < 100000; i++) {
		x = rng_below(&a, 10);
		if (x >= 10)
			in_range = 0;
		else
			counts[x]++;
		v = rng_double(&b);
		if (v < 0 || v >= 1)
			in_range = 0;
	}
	CHECK(in_range);
	for (i = 0; i < 10; i++)	/* 10000 expected, sd about 95 */
		CHECK(counts[i] > 9500 && counts[i] < 10500);
	for (i = 0; i < 100000; i++) {
		v = rng_normal(&c);
		sum += v;
		sq += v * v;
	}
	CHECK(sum / 100000 > -0.02 && sum / 100000 < 0.02);
	CHECK(sq / 100000 > 0.97 && sq / 100000 < 1.03);
	CHECK(rng_parse_seed("18446744073709551615", &x) == 0 && x == UINT64_MAX);
	CHECK(rng_parse_seed("-1", &x) == -1);
	CHECK(rng_parse_seed("12x", &x) == -1);
	CHECK(rng_parse_seed("", &x) == -1);
	return unit_report();
}
