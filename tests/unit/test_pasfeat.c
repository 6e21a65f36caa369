/*
 * pasfeat: feature names, value numbers, and the feature vector of a
 * payload built by hand.  Expected logs from python3:
 *   math.log(4) = 1.3862943611198906   math.log(13) = 2.5649493574615367
 *   math.log1p(3.5) = 1.5040773967762742   -math.log1p(2) = -1.0986122886681096
 */
#include <stdlib.h>

#include "pasfeat.h"
#include "unit.h"

static char err[256];

static int
init1(struct pasfeat *f, const char *name)
{
	err[0] = '\0';
	return pasfeat_init(f, &name, 1, err, sizeof(err));
}

static void
names(void)
{
	struct pasfeat f;
	char out[PASFEAT_NAME_MAX];
	static const unsigned char k1[4] = { 'i', 'g', 'a', 'm' };
	static const unsigned char k2[4] = { 'a', 'b', 0, 0 };
	static const unsigned char k3[4] = { 1, 2, 3, 4 };
	static const unsigned char k4[4] = { 'a', 0, 'b', 0 };
	static const unsigned char k5[4] = { 0, 0, 0, 0 };

	CHECK(init1(&f, "igam.present") == 0);
	CHECK(f.n == 1 && memcmp(f.spec[0].key, "igam", 4) == 0 &&
	    f.spec[0].stat == PASFEAT_PRESENT);
	pasfeat_free(&f);
	CHECK(init1(&f, "ab.log_value") == 0);
	CHECK(memcmp(f.spec[0].key, "ab\0\0", 4) == 0 &&
	    f.spec[0].stat == PASFEAT_LOG_VALUE);
	pasfeat_free(&f);
	CHECK(init1(&f, "0x0102030A.fresh") == 0);
	CHECK(memcmp(f.spec[0].key, "\x01\x02\x03\x0a", 4) == 0 &&
	    f.spec[0].stat == PASFEAT_FRESH);
	pasfeat_free(&f);
	/* a 4-character text key that starts with 0x is text */
	CHECK(init1(&f, "0x12.count") == 0);
	CHECK(memcmp(f.spec[0].key, "0x12", 4) == 0);
	pasfeat_free(&f);

	CHECK(init1(&f, "abcde.present") == -1);
	CHECK_STR(err, "feature 0 \"abcde.present\": key \"abcde\" is not 1-4 "
	    "characters of [A-Za-z0-9_] or 0x and 8 hex digits");
	CHECK(init1(&f, "igam.size") == -1);
	CHECK_STR(err, "feature 0 \"igam.size\": unknown stat \"size\"");
	CHECK(init1(&f, "igam") == -1);
	CHECK_STR(err, "feature 0 \"igam\": no \".STAT\"");
	CHECK(init1(&f, ".present") == -1);
	CHECK(init1(&f, "a-b.present") == -1);
	CHECK(init1(&f, "0x0102030g.present") == -1);
	CHECK(init1(&f, "0x010203.present") == -1);

	pasfeat_name(k1, PASFEAT_LOG_COUNT, out);
	CHECK_STR(out, "igam.log_count");
	pasfeat_name(k2, PASFEAT_RECENCY, out);
	CHECK_STR(out, "ab.recency");
	pasfeat_name(k3, PASFEAT_FRESH, out);
	CHECK_STR(out, "0x01020304.fresh");
	pasfeat_name(k4, PASFEAT_VALUE, out);
	CHECK_STR(out, "0x61006200.value");
	pasfeat_name(k5, PASFEAT_PRESENT, out);
	CHECK_STR(out, "0x00000000.present");
	/* every name written parses back to the same key and stat */
	CHECK(init1(&f, "0x61006200.value") == 0);
	CHECK(memcmp(f.spec[0].key, k4, 4) == 0 &&
	    f.spec[0].stat == PASFEAT_VALUE);
	pasfeat_free(&f);
	pasfeat_free(NULL);
}

static double
num(const char *s)
{
	return pasfeat_value_number((const unsigned char *)s, strlen(s));
}

static void
numbers(void)
{
	CHECK(num("17") == 17);
	CHECK(num("3.5") == 3.5);
	CHECK(num("-2") == -2);
	CHECK(num("007") == 7);
	CHECK(num("") == 0);
	CHECK(num("1e3") == 0);
	CHECK(num("1.") == 0);
	CHECK(num(".5") == 0);
	CHECK(num("-") == 0);
	CHECK(num("abc") == 0);
	CHECK(num("12 ") == 0);
	CHECK(num("com.example.app") == 0);
	CHECK(num("1234567890123456789012345678901") == 0);	/* 31 bytes */
}

static void
vector(void)
{
	/*
	 * version 1; "igam" count 3 bucket 0 no value; "levl" count 1
	 * bucket 5 value "12"; "omus" count 2 bucket 13 value "3.5";
	 * "igam" again (a second entry is ignored) count 9.
	 */
	static const unsigned char p[] = {
		1,
		'i', 'g', 'a', 'm', 3, 0, 0,
		'l', 'e', 'v', 'l', 1, 5, 2, '1', '2',
		'o', 'm', 'u', 's', 2, 13, 3, '3', '.', '5',
		'i', 'g', 'a', 'm', 9, 1, 0,
	};
	static const char *const nm[] = {
		"igam.present", "igam.count", "igam.log_count", "igam.fresh",
		"igam.log_value", "levl.fresh", "levl.recency", "levl.value",
		"levl.log_value", "omus.fresh", "omus.recency",
		"omus.log_value", "xxxx.present", "xxxx.log_count",
		"xxxx.fresh", "xxxx.recency", "xxxx.value",
	};
	static const unsigned char neg[] = { 1, 'n', 0, 0, 0, 1, 0, 2, '-',
	    '2' };
	static const unsigned char bad[] = { 2 };
	const char *nn = "n.log_value";
	struct pasfeat f;
	double x[17];
	size_t n = sizeof(nm) / sizeof(nm[0]);

	CHECK(pasfeat_init(&f, nm, n, err, sizeof(err)) == 0);
	CHECK(pasfeat_payload(&f, p, sizeof(p), x, err, sizeof(err)) == 0);
	CHECK(x[0] == 1);
	CHECK(x[1] == 3);
	CHECK_NEAR(x[2], 1.3862943611198906, 1e-15);
	CHECK(x[3] == 1);			/* bucket 0 */
	CHECK(x[4] == 0);			/* no value */
	CHECK_NEAR(x[5], 7.0 / 12, 1e-15);	/* (12 - 5) / 12 */
	CHECK_NEAR(x[6], 5.0 / 12, 1e-15);
	CHECK(x[7] == 12);
	CHECK_NEAR(x[8], 2.5649493574615367, 1e-15);
	CHECK(x[9] == 0);			/* bucket 13 > 12 */
	CHECK_NEAR(x[10], 13.0 / 12, 1e-15);
	CHECK_NEAR(x[11], 1.5040773967762742, 1e-15);
	CHECK(x[12] == 0 && x[13] == 0 && x[14] == 0 && x[15] == 0 &&
	    x[16] == 0);
	pasfeat_free(&f);

	CHECK(pasfeat_init(&f, &nn, 1, err, sizeof(err)) == 0);
	CHECK(pasfeat_payload(&f, neg, sizeof(neg), x, err, sizeof(err)) == 0);
	CHECK_NEAR(x[0], -1.0986122886681096, 1e-15);
	err[0] = '\0';
	CHECK(pasfeat_payload(&f, bad, sizeof(bad), x, err, sizeof(err)) ==
	    -1);
	CHECK(strncmp(err, "payload: ", 9) == 0);
	/* the version byte alone: nothing present */
	CHECK(pasfeat_payload(&f, p, 1, x, err, sizeof(err)) == 0);
	CHECK(x[0] == 0);
	pasfeat_free(&f);
}

int
main(void)
{
	names();
	numbers();
	vector();
	return unit_report();
}
