/*
 * scoresum by hand.  Bids: A/c1 twice, A/c2 once, B (no campaign) once.
 * Wins: r-1 A/c1 ad a1 at 2.0, r-2 A/c1 ad a1 at 1.0, r-3 B ad b1 at 4.0.
 * Spend = price / 1000: A/c1 0.003, B 0.004, total 0.007.
 * Without outcomes every win is an impression:
 *   total: bids 4, wins 3, win_rate 0.75, cpm = 1000 * 0.007 / 3
 *   A: bids 3, wins 2, cpm 1.5; A/c2: wins 0, cpm null; B: cpm 4.
 * Outcomes: r-1 a1 impression+click+install, r-2 a1 impression only,
 * r-3 for ad "zz" (not the winner's: no outcome).  Then:
 *   A: impressions 2, clicks 1, installs 1, ctr 0.5, cvr 1, cpc 0.003,
 *   cpa 0.003; B: impressions 0, cpm null, ctr null; total: impressions
 *   2, cpm 3.5, cpc = cpa = 0.007.
 */
#include <jansson.h>
#include <string.h>

#include "buf.h"
#include "scoresum.h"
#include "unit.h"

static json_t *rows;

static void
parse(const char *text)
{
	const char *p = text, *nl;

	json_decref(rows);
	rows = json_array();
	while ((nl = strchr(p, '\n')) != NULL) {
		json_array_append_new(rows, json_loadb(p, (size_t)(nl - p), 0,
		    NULL));
		p = nl + 1;
	}
}

static double
num(size_t i, const char *k)
{
	json_t *v = json_object_get(json_array_get(rows, i), k);

	return json_is_null(v) ? -1 : json_number_value(v);
}

static void
feed(struct scoresum *s)
{
	scoresum_bid(s, "A", "c1");
	scoresum_bid(s, "A", "c1");
	scoresum_bid(s, "A", "c2");
	scoresum_bid(s, "B", NULL);
	scoresum_win(s, "\"r-1\"", 5, "A", "c1", "a1", 2.0);
	scoresum_win(s, "\"r-2\"", 5, "A", "c1", "a1", 1.0);
	scoresum_win(s, "\"r-3\"", 5, "B", NULL, "b1", 4.0);
}

int
main(void)
{
	struct scoresum s = { 0 };
	struct buf b = { 0 };

	feed(&s);
	scoresum_write(&s, &b, 0);
	parse(b.p);
	CHECK(json_array_size(rows) == 5);
	CHECK_STR(strstr(b.p, "{\"type\":\"total\""), b.p);
	/* rows: total, A, B, A/c1, A/c2 */
	CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 1),
	    "buyer")), "A");
	CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 2),
	    "buyer")), "B");
	CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 4),
	    "campaign")), "c2");
	CHECK(num(0, "bids") == 4 && num(0, "wins") == 3);
	CHECK_NEAR(num(0, "win_rate"), 0.75, 1e-15);
	CHECK_NEAR(num(0, "spend"), 0.007, 1e-12);
	CHECK_NEAR(num(0, "cpm"), 7.0 / 3, 1e-12);
	CHECK(num(1, "bids") == 3 && num(1, "impressions") == 2);
	CHECK_NEAR(num(1, "cpm"), 1.5, 1e-12);
	CHECK_NEAR(num(2, "cpm"), 4, 1e-12);
	CHECK(num(4, "wins") == 0 && num(4, "cpm") == -1 &&
	    num(4, "win_rate") == 0);
	CHECK(json_object_get(json_array_get(rows, 0), "ctr") == NULL);
	/* CSV: a header, blanks for nulls */
	b.len = 0;
	scoresum_write(&s, &b, 1);
	CHECK(strncmp(b.p, "type,buyer,campaign,bids,wins,win_rate,impressions,"
	    "spend,cpm\ntotal,,,4,3,0.75,3,", 60) == 0);
	CHECK(strstr(b.p, "\ncampaign,A,c2,1,0,0.0,0,0.0,\n") != NULL);
	scoresum_free(&s);

	CHECK(scoresum_add_outcome(&s, "\"r-1\"", 5, "a1", 1, 1, 1) == 0);
	CHECK(scoresum_add_outcome(&s, "\"r-2\"", 5, "a1", 1, 0, 0) == 0);
	CHECK(scoresum_add_outcome(&s, "\"r-3\"", 5, "zz", 1, 1, 0) == 0);
	CHECK(scoresum_add_outcome(&s, "\"r-3\"", 5, "b1", 1, 1, 0) == -1);
	feed(&s);
	CHECK(s.wins_without_outcome == 1);
	b.len = 0;
	scoresum_write(&s, &b, 0);
	parse(b.p);
	CHECK(num(1, "impressions") == 2 && num(1, "clicks") == 1 &&
	    num(1, "installs") == 1);
	CHECK_NEAR(num(1, "ctr"), 0.5, 1e-15);
	CHECK_NEAR(num(1, "cvr"), 1, 1e-15);
	CHECK_NEAR(num(1, "cpc"), 0.003, 1e-12);
	CHECK_NEAR(num(1, "cpa"), 0.003, 1e-12);
	CHECK(num(2, "impressions") == 0 && num(2, "cpm") == -1 &&
	    num(2, "ctr") == -1 && num(2, "cpc") == -1);
	CHECK(num(0, "impressions") == 2);
	CHECK_NEAR(num(0, "cpm"), 3.5, 1e-12);
	CHECK_NEAR(num(0, "cpc"), 0.007, 1e-12);
	CHECK_NEAR(num(0, "cpa"), 0.007, 1e-12);
	json_decref(rows);
	buf_free(&b);
	scoresum_free(&s);
	return unit_report();
}
