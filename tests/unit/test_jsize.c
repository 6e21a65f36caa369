/*
 * jsize_compact against jansson's own json_dumpb(JSON_COMPACT) on random
 * trees: strings with every escape class, control characters, NUL,
 * non-ASCII and invalid UTF-8 (built with json_stringn_nocheck, which
 * jansson then refuses to write: both must give 0), integers at the
 * int64 limits, reals, nesting beyond the walker's depth limit.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "jsize.h"
#include "rng.h"
#include "unit.h"

static struct rng r;

static const char *frags[] = {
	"a", "key", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x01",
	"\x1f", " ", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
	"\xc3", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "\xff", "~",
};

static json_t *
rand_string(int bad_ok, char *buf, size_t *len)
{
	size_t n = rng_below(&r, 6), i, k;
	const char *f;

	*len = 0;
	for (i = 0; i < n; i++) {
		f = frags[rng_below(&r, sizeof(frags) / sizeof(*frags))];
		if (!bad_ok && (unsigned char)f[0] >= 0x80 &&
		    rng_below(&r, 8) != 0)
			f = "\xc3\xa9";
		k = strlen(f);
		memcpy(buf + *len, f, k);
		*len += k;
	}
	if (rng_below(&r, 10) == 0)
		buf[(*len)++] = '\0';	/* an embedded NUL */
	return json_stringn_nocheck(buf, *len);
}

static json_t *
gen(int depth)
{
	static const json_int_t ints[] = {
		0, 1, -1, 9, 10, -10, 99, 100, 123456789, INT64_MAX, INT64_MIN,
		INT64_MIN + 1, -1000000000000000000LL, 1000000000000000000LL
	};
	static const double reals[] = { 0.0, -0.0, 1.5, 0.1, 1e300, -2.5e-5,
	    1e17, 123456.789 };
	char buf[128];
	size_t n, i, len;
	json_t *v, *o;

	switch (rng_below(&r, depth > 4 ? 6 : 8)) {
	case 0:
		return json_null();
	case 1:
		return json_boolean(rng_below(&r, 2));
	case 2:
		return json_integer(ints[rng_below(&r,
		    sizeof(ints) / sizeof(*ints))]);
	case 3:
		return json_integer((json_int_t)rng_u64(&r));
	case 4:
		return json_real(reals[rng_below(&r,
		    sizeof(reals) / sizeof(*reals))]);
	case 5:
		return rand_string(1, buf, &len);
	case 6:
		o = json_array();
		n = rng_below(&r, 5);
		for (i = 0; i < n; i++)
			json_array_append_new(o, gen(depth + 1));
		return o;
	default:
		o = json_object();
		n = rng_below(&r, 5);
		for (i = 0; i < n; i++) {
			v = rand_string(rng_below(&r, 20) == 0, buf, &len);
			json_object_setn_new_nocheck(o, json_string_value(v),
			    len, gen(depth + 1));
			json_decref(v);
		}
		return o;
	}
}

int
main(void)
{
	uint64_t seed = 1;
	json_t *v, *deep, *a;
	size_t got, want;
	int i, zero = 0, mismatch = 0;

	rng_global_init();
	rng_init(&r, &seed, "jsize", 5);
	for (i = 0; i < 200000; i++) {
		v = gen(0);
		got = jsize_compact(v);
		want = json_dumpb(v, NULL, 0, JSON_COMPACT);
		if (got != want && mismatch++ < 5) {
			char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			fprintf(stderr, "jsize %zu, jansson %zu: %s\n", got,
			    want, s ? s : "(unwritable)");
			free(s);
		}
		zero += want == 0 && (json_is_object(v) || json_is_array(v));
		json_decref(v);
	}
	fprintf(stderr, "test_jsize: %d unwritable containers\n", zero);
	CHECK(mismatch == 0);
	CHECK(zero > 1000);		/* invalid UTF-8 seen */
	CHECK(zero < 40000);

	/* Hand-counted: {"a\"":[1,-20,"\u0001/\u00e9"],"":true} is
	 * 1 + 5 ("a\"" quoted: 2 + 1 + 2) + 1 + [1,-20,...]: 1 + 1 + 1 + 3 +
	 * 1 + (2 + 6 + 1 + 2) + 1 = 19, then "," + "" 2 + ":" + true 4 + "}"
	 * = 1 + 5 + 1 + 19 + 1 + 2 + 1 + 4 + 1 = 35. */
	v = json_object();
	a = json_array();
	json_array_append_new(a, json_integer(1));
	json_array_append_new(a, json_integer(-20));
	json_array_append_new(a, json_string("\x01/\xc3\xa9"));
	json_object_set_new(v, "a\"", a);
	json_object_set_new(v, "", json_true());
	CHECK(jsize_compact(v) == 35);
	json_decref(v);
	v = json_integer(5);
	CHECK(jsize_compact(v) == 0);		/* not a container */
	json_decref(v);

	/* 300 levels of [[...]]: past the walker's limit, jansson counts. */
	deep = json_array();
	for (i = 0; i < 299; i++) {
		a = json_array();
		json_array_append_new(a, deep);
		deep = a;
	}
	CHECK(jsize_compact(deep) == 600);
	json_decref(deep);
	return unit_report();
}
