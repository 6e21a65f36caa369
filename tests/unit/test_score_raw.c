/*
 * score_read_bids_raw() against score_read_bids() on random bids arrays:
 * whenever the raw reader accepts an array of a line jmember_scan()
 * vouched for, jansson must accept it too and the auction and reports
 * written from either reading must be the same bytes.  The generator
 * mixes what the raw reader must decline (escapes, reals and -0 in
 * payloads, wrong types, missing fields, a second bid of a buyer) with
 * what it must take, and the test checks that both happen often.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "jmember.h"
#include "rng.h"
#include "score.h"
#include "unit.h"

static struct rng r;

static const char *
pick(const char *const *v, size_t n)
{
	return v[rng_below(&r, n)];
}
#define PICK(v)	pick(v, sizeof(v) / sizeof(*(v)))

static const char *const buyers[] = { "\"b1\"", "\"b2\"", "\"b3\"",
	"\"b\\u0031\"", "\"b4\"", "5", "null", "\"\"" };
static const char *const ids[] = { "\"a-1\"", "\"a-2\"", "\"a\\/3\"",
	"\"\"", "7", "\"a-4\"" };
static const char *const prices[] = { "1", "2.5", "-0", "1e2", "0", "-3",
	"1E-2", "12345678901234", "true", "\"3\"", "0.30000000000000004",
	"17", "4.25", "null" };
static const char *const names[] = { "\"c\"", "null", "\"c\\/d\"", "7",
	"\"news/tech\"", "\"\"", "\"games\"" };
static const char *const payloads[] = {
	"{\"features\":[{\"name\":\"boolean-feature\",\"value\":true},"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":12}]}",
	"{\"v\":1.5}", "{\"v\":-0}", "{\"s\":\"a\\\"b\"}", "null", "[1,2]",
	"{\"e\":\"1e5\"}", "true", "{\"n\":-12,\"t\":false}", "{}",
	"{\"x\":[1e3]}", "{\"k\":\"-0.5\"}"
};
static const char *const keys[] = { "buyer", "ad_id", "bid", "campaign",
	"advertiser", "category", "egress_payload",
	"temporary_unlimited_egress_payload", "other", "render_url" };
#define NKEYS	(sizeof(keys) / sizeof(*keys))

static void
gen_bid(struct buf *b)
{
	size_t i, k, t, order[NKEYS];
	int first = 1;

	if (rng_below(&r, 30) == 0) {
		buf_adds(b, rng_below(&r, 2) ? "1" : "null");
		return;
	}
	for (i = 0; i < NKEYS; i++)
		order[i] = i;
	for (i = NKEYS - 1; i > 0; i--) {	/* shuffled key order */
		k = rng_below(&r, i + 1);
		t = order[i];
		order[i] = order[k];
		order[k] = t;
	}
	buf_addc(b, '{');
	for (i = 0; i < NKEYS; i++) {
		k = order[i];
		/* the three needed keys are there most of the time */
		if (rng_below(&r, k < 3 ? 25 : 3) == 0)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		buf_printf(b, "\"%s\":", keys[k]);
		switch (k) {
		case 0: buf_adds(b, rng_below(&r, 4) ? buyers[rng_below(&r,
			    3)] : PICK(buyers)); break;
		case 1: buf_adds(b, rng_below(&r, 4) ? ids[0] : PICK(ids));
			break;
		case 2: buf_adds(b, PICK(prices)); break;
		case 3: case 4: case 5: buf_adds(b, PICK(names)); break;
		case 6: case 7: buf_adds(b, PICK(payloads)); break;
		case 9: buf_adds(b, PICK(names)); break;
		default: buf_adds(b, PICK(payloads)); break;
		}
	}
	buf_addc(b, '}');
}

/*
 * The auction and reports of a, after score_run() with floor 1, and the
 * render_url of each bid (what a seller's scoreAd is shown).
 */
static void
result(struct score_auction *a, struct buf *out)
{
	struct score_opts o = { NULL, NULL, 1, NULL, NULL };
	size_t i;

	score_run(a, &o, 1);
	out->len = 0;
	score_write_auction(out, a);
	buf_addc(out, '|');
	score_write_reports(out, a);
	for (i = 0; i < a->nbids; i++) {
		buf_addc(out, '|');
		if (a->bids[i].render_url != NULL)
			buf_adds(out, a->bids[i].render_url);
		else
			buf_adds(out, "(none)");
	}
}

int
main(void)
{
	struct score_auction ra = { 0 }, ja = { 0 };
	struct jmember m[JMEMBER_MAXKEYS];
	struct buf line = { 0 }, o1 = { 0 }, o2 = { 0 };
	uint64_t seed = 7;
	json_t *v;
	char err[256];
	size_t i, n, k, nb;
	int taken = 0, declined = 0, wrong = 0;

	rng_global_init();
	rng_init(&r, &seed, "score_raw", 9);
	for (i = 0; i < 100000; i++) {
		line.len = 0;
		buf_adds(&line, "{\"type\":\"request\",\"bids\":[");
		nb = rng_below(&r, 5);
		for (k = 0; k < nb; k++) {
			if (k)
				buf_addc(&line, ',');
			gen_bid(&line);
		}
		buf_adds(&line, "]}");
		if (jmember_scan(line.p, line.len, m, &n) != 0 || n != 2)
			continue;
		if (score_read_bids_raw(&ra, m[1].val, m[1].vallen) != 0) {
			declined++;
			continue;
		}
		taken++;
		v = json_loadb(line.p, line.len, JSON_REJECT_DUPLICATES, NULL);
		if (v == NULL || score_read_bids(&ja, json_object_get(v,
		    "bids"), err, sizeof(err)) != NULL) {
			wrong++;
			fprintf(stderr, "raw took, jansson did not: %s\n",
			    line.p);
		} else {
			result(&ra, &o1);
			result(&ja, &o2);
			if (o1.len != o2.len || memcmp(o1.p, o2.p, o1.len)) {
				wrong++;
				if (wrong < 5)
					fprintf(stderr, "differ: %s\n  raw %.*s\n"
					    "  jansson %.*s\n", line.p,
					    (int)o1.len, o1.p, (int)o2.len,
					    o2.p);
			}
		}
		json_decref(v);
	}
	fprintf(stderr, "score_raw: %d taken, %d declined\n", taken, declined);
	CHECK(wrong == 0);
	CHECK(taken > 5000);
	CHECK(declined > 5000);

	/* by hand: an empty array, null, and a winner's payload moved */
	CHECK(score_read_bids_raw(&ra, "[]", 2) == 0 && ra.nbids == 0);
	CHECK(score_read_bids_raw(&ra, "null", 4) == 0 && ra.nbids == 0);
	CHECK(score_read_bids_raw(&ra, "{}", 2) == -1);
	{
		const char *t = "[{\"buyer\":\"x\",\"ad_id\":\"a\",\"bid\":3,"
		    "\"egress_payload\":{\"f\":[true,7]}}]";

		CHECK(score_read_bids_raw(&ra, t, strlen(t)) == 0);
		result(&ra, &o1);
		CHECK_STR(o1.p, "{\"winner\":{\"buyer\":\"x\",\"ad_id\":\"a\","
		    "\"bid\":3.0,\"price\":1.0,\"score\":3.0},\"scored\":1}|"
		    "[{\"buyer\":\"x\",\"type\":\"win\",\"ad_id\":\"a\","
		    "\"price\":1.0,\"egress_payload\":{\"f\":[true,7]}}]|"
		    "(none)");
	}
	{
		const char *t = "[{\"buyer\":\"x\",\"ad_id\":\"a\",\"bid\":3,"
		    "\"render_url\":\"https://r.example/1\"},{\"buyer\":\"y\","
		    "\"ad_id\":\"b\",\"bid\":2,\"render_url\":null}]";

		CHECK(score_read_bids_raw(&ra, t, strlen(t)) == 0);
		CHECK_STR(ra.bids[0].render_url, "https://r.example/1");
		CHECK(ra.bids[1].render_url == NULL);
	}
	score_auction_free(&ra);
	score_auction_free(&ja);
	buf_free(&line);
	buf_free(&o1);
	buf_free(&o2);
	return unit_report();
}
