/*
 * jfast against jansson + jw (the differential test the fast path needs):
 * on random lines, near-canonical and broken ones alike, whenever jfast
 * accepts a line, jansson must parse it and jw must write it back byte
 * for byte, and the numbers jfast reads must equal jansson's.
 */
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "jfast.h"
#include "jw.h"
#include "rng.h"
#include "unit.h"

static struct rng r;

static const char *pieces[] = {
	"\"a\"", "\"k\"", "\"n\"", "\"\\u0001\"", "\"\\u0000\"", "\"\\/\"",
	"\"\\u00e9\"", "\"\xc3\xa9\"", "\"\xc3\"", "\"\xed\xa0\x80\"",
	"\"\\n\\t\\\"\\\\\"", "\"\\u000a\"", "\"\\u001F\"", "\"\\u001f\"",
	"0", "-0", "12", "007", "-5", "1.5", "1.50", "1e3", "1000.0", "0.1",
	"0.30000000000000004", "0.3000000000000000444", "1E+2", "1e400",
	"123456789012345678", "1234567890123456789", "99999999999999999999",
	"true", "false", "null", "tru", "1.", ".5", "2.5e-05", "2.5E-05",
};

static void
gen(struct buf *b, int depth)
{
	size_t i, n;
	uint64_t c = rng_below(&r, depth > 3 ? 3 : 6);

	if (c < 3) {
		buf_adds(b, pieces[rng_below(&r, sizeof(pieces) / sizeof(*pieces))]);
		return;
	}
	n = rng_below(&r, 5);
	if (c == 3) {
		buf_addc(b, '[');
		for (i = 0; i < n; i++) {
			if (i)
				buf_addc(b, ',');
			gen(b, depth + 1);
		}
		buf_addc(b, ']');
		return;
	}
	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		buf_printf(b, "\"%c\":", (char)('a' + rng_below(&r, 14)));
		gen(b, depth + 1);
	}
	buf_addc(b, '}');
}

/* Random damage: a space, a dropped or doubled byte. */
static void
mutate(struct buf *b)
{
	size_t at;

	if (b->len == 0)
		return;
	at = rng_below(&r, b->len);
	switch (rng_below(&r, 3)) {
	case 0:
		buf_addc(b, ' ');
		memmove(b->p + at + 1, b->p + at, b->len - at - 1);
		b->p[at] = ' ';
		break;
	case 1:
		memmove(b->p + at, b->p + at + 1, b->len - at - 1);
		b->len--;
		b->p[b->len] = '\0';
		break;
	default:
		buf_addc(b, b->p[at]);
		break;
	}
}

int
main(void)
{
	struct buf line = { 0 }, back = { 0 };
	struct jfast_num kv, nv, *vals[2] = { &kv, &nv };
	const char *keys[3] = { "k", "n", "out" };
	uint64_t seed = 1;
	json_error_t je;
	json_t *v;
	int i, accepted = 0, flat = 0, mismatch = 0, nummismatch = 0;

	rng_global_init();
	rng_init(&r, &seed, "jfast", 5);
	for (i = 0; i < 300000; i++) {
		line.len = 0;
		if (rng_below(&r, 2)) {
			buf_adds(&line, "{\"k\":");
			gen(&line, 1);
			buf_adds(&line, ",\"n\":");
			gen(&line, 1);
			if (rng_below(&r, 2)) {
				buf_adds(&line, ",\"x\":");
				gen(&line, 1);
			}
			buf_addc(&line, '}');
		} else
			gen(&line, 0);
		if (rng_below(&r, 4) == 0)
			mutate(&line);
		if (jfast_canonical(line.p, line.len) != 0)
			continue;
		accepted++;
		v = json_loadb(line.p, line.len, JSON_REJECT_DUPLICATES |
		    JSON_DECODE_ANY, &je);
		back.len = 0;
		if (v != NULL)
			jw_value(&back, v);
		if (v == NULL || back.len != line.len ||
		    memcmp(back.p, line.p, line.len) != 0) {
			if (mismatch++ < 5)
				fprintf(stderr, "accepted %s, jansson+jw: %s\n",
				    line.p, v ? back.p : je.text);
		}
		if (v != NULL && jfast_flat_numbers(line.p, line.len, keys, 3,
		    vals, 2) == 0) {
			flat++;
			if (!json_is_number(json_object_get(v, "k")) ||
			    !json_is_number(json_object_get(v, "n")) ||
			    json_number_value(json_object_get(v, "k")) != kv.v ||
			    json_number_value(json_object_get(v, "n")) != nv.v)
				nummismatch++;
		}
		json_decref(v);
	}
	fprintf(stderr, "test_jfast: %d of 300000 lines canonical, %d flat\n",
	    accepted, flat);
	CHECK(accepted > 30000);	/* the test exercises the fast path */
	CHECK(flat > 500);
	CHECK(mismatch == 0);
	CHECK(nummismatch == 0);

	/* hand-picked refusals */
	CHECK(jfast_canonical("{\"a\":1,\"a\":2}", 13) == -1);
	CHECK(jfast_canonical("{\"a\": 1}", 8) == -1);
	CHECK(jfast_canonical("{\"a\":1e3}", 9) == -1);
	CHECK(jfast_canonical("{\"a\":1000.0}", 12) == 0);
	CHECK(jfast_canonical("{\"a\":\"\\/\"}", 10) == -1);
	CHECK(jfast_flat_numbers("{\"k\":1,\"n\":\"2\"}", 15, keys, 2, vals,
	    2) == -1);
	CHECK(jfast_flat_numbers("{\"k\":1,\"n\":2,\"out\":0}", 21, keys, 3,
	    vals, 2) == -1);
	CHECK(jfast_flat_numbers("{\"k\":1,\"n\":2}", 13, keys, 3, vals,
	    2) == 0 && kv.v == 1 && nv.v == 2);
	buf_free(&line);
	buf_free(&back);
	return unit_report();
}
