/*
 * The pieces of the tag-CTR tools with hand-worked values: the CV ->
 * weight step of the seed example, durations, day parts, floor division,
 * the interner and the 64-bit map.
 */
#include <stdlib.h>

#include "tcdim.h"
#include "unit.h"

int
main(void)
{
	/*
	 * The seed's (sd, mean) pairs: CV = sd / mean = 0.349693, 1.12,
	 * 0.442748, 0.857143, 0.968254; sum 3.737838; weights CV / sum =
	 * 0.0935550, 0.299639, 0.118450, 0.229315, 0.259041, which the seed
	 * rounds to 0.094, 0.300, 0.118, 0.229, 0.259.
	 */
	const double sd[] = { 0.57, 0.28, 0.58, 0.72, 0.61 };
	const double mean[] = { 1.63, 0.25, 1.31, 0.84, 0.63 };
	const double seed[] = { 0.094, 0.300, 0.118, 0.229, 0.259 };
	const double zero[] = { 0, 0, 0 };
	struct tc_dims d;
	struct tc_strtab st;
	struct tc_u64map m;
	double cv[5], w[5], sum = 0;
	const char *out, *why;
	char tmp[16], name[32];
	size_t n, i;
	int un;

	tc_cv_weights(mean, sd, 5, cv, w);
	for (i = 0; i < 5; i++) {
		CHECK(fabs(w[i] - seed[i]) < 0.0005);
		sum += w[i];
	}
	CHECK_NEAR(cv[1], 1.12, 1e-12);
	CHECK_NEAR(w[1], 1.12 / (0.57 / 1.63 + 1.12 + 0.58 / 1.31 +
	    0.72 / 0.84 + 0.61 / 0.63), 1e-12);
	CHECK_NEAR(sum, 1.0, 1e-12);
	/* all CV 0 (or a mean of 0): equal weights */
	tc_cv_weights(zero, zero, 3, cv, w);
	CHECK(cv[0] == 0 && w[0] == 1.0 / 3 && w[2] == 1.0 / 3);

	CHECK(tc_parse_duration("3600") == 3600);
	CHECK(tc_parse_duration("90m") == 5400);
	CHECK(tc_parse_duration("6h") == 21600);
	CHECK(tc_parse_duration("1d") == 86400);
	CHECK(tc_parse_duration("30s") == 30);
	CHECK(tc_parse_duration("0") == -1);
	CHECK(tc_parse_duration("1w") == -1);
	CHECK(tc_parse_duration("-1h") == -1);
	CHECK(tc_parse_duration("1hh") == -1);

	CHECK(tc_floordiv(-10, 1800) == -1);
	CHECK(tc_floordiv(-1800, 1800) == -1);
	CHECK(tc_floordiv(1799, 1800) == 0);
	CHECK(tc_floordiv(0, 7) == 0);

	memset(&d, 0, sizeof(d));
	d.dayparts = 1;
	CHECK(tc_dims_merge(&d, "hour", 4, "0", 1, tmp, &out, &n, &why, &un) ==
	    1 && n == 5 && memcmp(out, "00-05", 5) == 0);
	CHECK(tc_dims_merge(&d, "hour", 4, "05", 2, tmp, &out, &n, &why, &un) ==
	    1 && memcmp(out, "00-05", 5) == 0);
	CHECK(tc_dims_merge(&d, "hour", 4, "6", 1, tmp, &out, &n, &why, &un) ==
	    1 && memcmp(out, "06-11", 5) == 0);
	CHECK(tc_dims_merge(&d, "hour", 4, "17", 2, tmp, &out, &n, &why, &un) ==
	    1 && memcmp(out, "12-17", 5) == 0);
	CHECK(tc_dims_merge(&d, "hour", 4, "23", 2, tmp, &out, &n, &why, &un) ==
	    1 && memcmp(out, "18-23", 5) == 0);
	CHECK(tc_dims_merge(&d, "hour", 4, "24", 2, tmp, &out, &n, &why, &un) ==
	    -1);
	CHECK(tc_dims_merge(&d, "hour", 4, "7.5", 3, tmp, &out, &n, &why,
	    &un) == -1);
	CHECK(tc_dims_merge(&d, "city", 4, "Lhasa", 5, tmp, &out, &n, &why,
	    &un) == 1 && n == 5 && !un);
	d.dayparts = 0;
	CHECK(tc_dims_merge(&d, "hour", 4, "24", 2, tmp, &out, &n, &why, &un) ==
	    1 && n == 2);

	memset(&st, 0, sizeof(st));
	for (i = 0; i < 5000; i++) {
		int isnew;

		snprintf(name, sizeof(name), "v%zu", i);
		CHECK(tc_intern(&st, name, strlen(name), &isnew) == i && isnew);
	}
	for (i = 0; i < 5000; i += 7) {
		int isnew;

		snprintf(name, sizeof(name), "v%zu", i);
		CHECK(tc_intern(&st, name, strlen(name), &isnew) == i && !isnew);
		CHECK_STR(tc_str(&st, (uint32_t)i, NULL), name);
	}
	CHECK(tc_find(&st, "v5000", 5) == -1);
	CHECK(tc_find(&st, "", 0) == -1);
	tc_strtab_free(&st);

	memset(&m, 0, sizeof(m));
	for (i = 0; i < 3000; i++)
		tc_u64_put(&m, (uint64_t)i * 0x100000001ULL, (uint32_t)i * 3);
	CHECK(tc_u64_get(&m, 7 * 0x100000001ULL) == 21);
	CHECK(tc_u64_get(&m, 0) == 0);
	CHECK(tc_u64_get(&m, 12345) == -1);
	tc_u64_put(&m, 0, 9);
	CHECK(tc_u64_get(&m, 0) == 9);
	CHECK(m.n == 3000);
	tc_u64map_free(&m);
	return unit_report();
}
