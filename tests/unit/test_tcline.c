/*
 * The fast log-line scanner against jansson (the differential test the
 * fast path needs): on random lines, canonical, loose and broken alike,
 * whenever tcl_scan_fast accepts a line jansson must parse it too, and
 * the checked records (or the bad-record reasons) must be the same.
 */
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "rng.h"
#include "tcline.h"
#include "unit.h"

static struct rng r;

static const char *keys[] = {
	"ts", "ts", "channel", "plan", "material", "click", "tags", "attrs",
	"other", "\\u0074s", "pla\"n",
};

static const char *scalars[] = {
	"0", "-0", "12", "007", "-5", "1.5", "1e3", "1700000000",
	"123456789012345678", "1234567890123456789", "99999999999999999999",
	"true", "false", "null", "tru", "\"a\"", "\"\"", "\"ch-1\"",
	"\"\\n\"", "\"\\u00e9\"", "\"\xc3\xa9\"", "\"\xc3\"", "\"\xed\xa0\x80\"",
	"\"2023-11-14T22:13:20Z\"", "\"1700000000.5\"", "\"x\\\"y\"", "[]",
	"{}", "[\"a\"]", "1.", "\"\x01\"", "2.5e-05",
};

static const char *attrkeys[] = { "hour", "city", "os", "*", "uid", "hour" };

static void
put_scalar(struct buf *b)
{
	buf_adds(b, scalars[rng_below(&r, sizeof(scalars) / sizeof(*scalars))]);
}

static void
gen(struct buf *b)
{
	size_t i, n = rng_below(&r, 9), m;

	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		const char *k = keys[rng_below(&r, sizeof(keys) / sizeof(*keys))];

		if (i)
			buf_addc(b, ',');
		buf_printf(b, "\"%s\":", k);
		if (strcmp(k, "tags") == 0 && rng_below(&r, 4) != 0) {
			buf_addc(b, '[');
			for (m = rng_below(&r, 4); m > 0; m--) {
				put_scalar(b);
				if (m > 1)
					buf_addc(b, ',');
			}
			buf_addc(b, ']');
		} else if (strcmp(k, "attrs") == 0 && rng_below(&r, 4) != 0) {
			buf_addc(b, '{');
			for (m = rng_below(&r, 4); m > 0; m--) {
				buf_printf(b, "\"%s\":", attrkeys[rng_below(&r,
				    sizeof(attrkeys) / sizeof(*attrkeys))]);
				put_scalar(b);
				if (m > 1)
					buf_addc(b, ',');
			}
			buf_addc(b, '}');
		} else
			put_scalar(b);
	}
	buf_addc(b, '}');
}

/* A realistic canonical line, so that most lines take the fast path. */
static void
gen_good(struct buf *b)
{
	buf_printf(b, "{\"ts\":%u,\"channel\":\"ch-%u\",\"plan\":\"p-%u\","
	    "\"material\":\"m-%u\",\"tags\":[\"t%u\",\"t%u\"],\"attrs\":"
	    "{\"hour\":%u,\"city\":\"c\xc3\xa9%u\",\"uid\":%u},\"click\":%s}",
	    (unsigned)rng_below(&r, 2000000000), (unsigned)rng_below(&r, 9),
	    (unsigned)rng_below(&r, 9), (unsigned)rng_below(&r, 9),
	    (unsigned)rng_below(&r, 9), (unsigned)rng_below(&r, 9),
	    (unsigned)rng_below(&r, 24), (unsigned)rng_below(&r, 9),
	    (unsigned)rng_below(&r, 99999), rng_below(&r, 2) ? "true" :
	    "false");
}

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
		break;
	default:
		buf_addc(b, b->p[at]);
		memmove(b->p + at + 1, b->p + at, b->len - at - 1);
	}
}

static int
str_eq(struct tcl_str a, struct tcl_str b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static int
same(const struct tcl_rec *a, const struct tcl_rec *b)
{
	size_t i;

	if (a->ts != b->ts || a->click != b->click ||
	    !str_eq(a->channel, b->channel) || !str_eq(a->plan, b->plan) ||
	    !str_eq(a->material, b->material) || a->ntag != b->ntag ||
	    a->nattr != b->nattr)
		return 0;
	for (i = 0; i < a->ntag; i++)
		if (!str_eq(a->tags[i], b->tags[i]))
			return 0;
	for (i = 0; i < a->nattr; i++)
		if (!str_eq(a->akey[i], b->akey[i]) ||
		    !str_eq(a->aval[i], b->aval[i]))
			return 0;
	return 1;
}

int
main(void)
{
	struct tcl_raw rf, rj;
	struct tcl_rec a, b;
	struct buf line;
	json_error_t je;
	json_t *obj;
	const char *wa, *wb;
	char ma[256], mb[256];
	uint64_t seed = 42;
	int i, fast, nfast = 0, ngood = 0, bad = 0;
	double t;

	memset(&rf, 0, sizeof(rf));
	memset(&rj, 0, sizeof(rj));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&line, 0, sizeof(line));
	rng_init(&r, &seed, "tcline", 6);
	for (i = 0; i < 200000; i++) {
		line.len = 0;
		if (i % 3 == 0)
			gen_good(&line);
		else
			gen(&line);
		if (rng_below(&r, 4) == 0)
			mutate(&line);
		fast = tcl_scan_fast(&rf, line.p, line.len);
		obj = json_loadb(line.p, line.len, JSON_REJECT_DUPLICATES, &je);
		if (obj == NULL || !json_is_object(obj)) {
			if (fast == 0 && bad++ < 5)
				fprintf(stderr, "fast accepted what jansson "
				    "refuses: %s\n", line.p);
			CHECK(fast != 0);
			json_decref(obj);
			continue;
		}
		if (fast != 0) {
			json_decref(obj);
			continue;
		}
		nfast++;
		tcl_scan_json(&rj, obj);
		wa = tcl_check(&rf, &a, ma, sizeof(ma));
		wb = tcl_check(&rj, &b, mb, sizeof(mb));
		if ((wa == NULL) != (wb == NULL) ||
		    (wa != NULL && strcmp(wa, wb) != 0) ||
		    (wa == NULL && !same(&a, &b))) {
			if (bad++ < 5)
				fprintf(stderr, "differ on %s: %s / %s\n", line.p,
				    wa ? wa : "ok", wb ? wb : "ok");
			CHECK(0);
		} else
			unit_pass++;
		ngood += wa == NULL;
		json_decref(obj);
	}
	/* the test must exercise the fast path, good lines and bad ones */
	CHECK(nfast > 60000);
	CHECK(ngood > 50000);
	CHECK(nfast - ngood > 1000);
	/* times: RFC 3339 and epoch seconds */
	CHECK(tcl_parse_time("2023-11-14T22:13:20Z", 20, &t) == 0 &&
	    t == 1700000000);
	CHECK(tcl_parse_time("2023-11-14T23:13:20.25+01:00", 28, &t) == 0 &&
	    t == 1700000000.25);
	CHECK(tcl_parse_time("1700000000.5", 12, &t) == 0 && t == 1700000000.5);
	CHECK(tcl_parse_time("2023-11-14 22:13:20z", 20, &t) == 0);
	CHECK(tcl_parse_time("2023-11-14T22:13:20", 19, &t) == -1);
	CHECK(tcl_parse_time("2023-13-14T22:13:20Z", 20, &t) == -1);
	CHECK(tcl_parse_time("yesterday", 9, &t) == -1);
	CHECK(tcl_parse_time("", 0, &t) == -1);
	tcl_raw_free(&rf);
	tcl_raw_free(&rj);
	tcl_rec_free(&a);
	tcl_rec_free(&b);
	buf_free(&line);
	return unit_report();
}
