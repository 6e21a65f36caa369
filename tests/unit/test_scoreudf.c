/*
 * scoreudf and the scoreAd hook of score_run: the request line of a bid,
 * the judgement of answers, the auction ranked by desirability and priced
 * from the bids, and calls to a real co-process.  Expected values are
 * worked by hand in the comments.
 */
#include <jansson.h>
#include <string.h>

#include "buf.h"
#include "score.h"
#include "scoreudf.h"
#include "unit.h"

static struct score_auction a;
static json_t *bids;
static struct buf out;
static int stop_seen;

/* Runs bids_json with floor; returns the auction's text. */
static const char *
run(const char *bids_json, double floor, const struct score_opts *o)
{
	char err[128];

	json_decref(bids);
	bids = json_loads(bids_json, 0, NULL);
	if (score_read_bids(&a, bids, err, sizeof(err)) != NULL)
		return "bad";
	if (score_run(&a, o, floor) != 0)
		return "stop";
	out.len = 0;
	score_write_auction(&out, &a);
	return out.p;
}

static const char *
reports(void)
{
	out.len = 0;
	score_write_reports(&out, &a);
	return out.p;
}

/*
 * A seller's scoreAd: games count half; advertiser "bad" is rejected as
 * blocked-by-publisher; category "spam" gets -1; buyer "F" fails; buyer
 * "S" stops the run.
 */
static int
fake(void *arg, const struct score_auction *x, size_t i, double *d,
    const char **reject)
{
	const struct score_bid *b = &x->bids[i];

	(void)arg;
	if (strcmp(b->buyer, "S") == 0) {
		stop_seen = 1;
		return SCORE_AD_STOP;
	}
	if (strcmp(b->buyer, "F") == 0)
		return SCORE_AD_FAILED;
	if (b->advertiser != NULL && strcmp(b->advertiser, "bad") == 0) {
		*reject = "blocked-by-publisher";
		return SCORE_AD_REJECTED;
	}
	if (b->category != NULL && strcmp(b->category, "spam") == 0)
		*d = -1;
	else if (b->category != NULL && strcmp(b->category, "games") == 0)
		*d = b->bid / 2;
	else
		*d = b->bid;
	return SCORE_AD_OK;
}

static void
test_request(void)
{
	struct scoreudf s;
	struct score_bid b;
	json_t *id = json_string("r-1"), *ctx = json_loads(
	    "{\"app\":\"com.pub\",\"floor\":0.5}", 0, NULL);

	memset(&s, 0, sizeof(s));
	memset(&b, 0, sizeof(b));
	b.buyer = "A";
	b.ad_id = "a-1";
	b.render_url = "https://r/1";
	b.category = "games";
	b.bid = 2;
	scoreudf_auction(&s, id, ctx, 0.5);
	out.len = 0;
	scoreudf_request(&s, &b, &out);
	buf_addc(&out, '\0');
	CHECK_STR(out.p, "{\"fn\":\"scoreAd\",\"args\":[{\"ad_id\":\"a-1\","
	    "\"render_url\":\"https://r/1\",\"category\":\"games\"},2.0,"
	    "{\"auctionSignals\":{\"id\":\"r-1\",\"ctx\":{\"app\":\"com.pub\","
	    "\"floor\":0.5}},\"sellerSignals\":{\"floor\":0.5}},null,"
	    "{\"interestGroupOwner\":\"A\",\"topWindowHostname\":\"com.pub\","
	    "\"renderUrl\":\"https://r/1\"},{}]}");
	/* no id, no ctx, no floor; a bare bid */
	scoreudf_auction(&s, NULL, NULL, 0);
	b.render_url = b.category = NULL;
	b.campaign = "c";
	b.advertiser = "adv";
	b.bid = 0.1;
	out.len = 0;
	scoreudf_request(&s, &b, &out);
	buf_addc(&out, '\0');
	CHECK_STR(out.p, "{\"fn\":\"scoreAd\",\"args\":[{\"ad_id\":\"a-1\","
	    "\"campaign\":\"c\",\"advertiser\":\"adv\"},0.1,"
	    "{\"auctionSignals\":{},\"sellerSignals\":{\"floor\":0.0}},null,"
	    "{\"interestGroupOwner\":\"A\"},{}]}");
	buf_free(&s.cfg);
	json_decref(id);
	json_decref(ctx);
}

static const char *
judge(const char *ans, double *d, const char **reject)
{
	static char err[128];

	err[0] = '\0';
	switch (scoreudf_answer(ans, strlen(ans), d, reject, err,
	    sizeof(err))) {
	case SCORE_AD_OK:
		return "ok";
	case SCORE_AD_REJECTED:
		return "rejected";
	default:
		return err;
	}
}

static void
test_answer(void)
{
	const char *r;
	double d;

	CHECK_STR(judge("1.5", &d, &r), "ok");
	CHECK(d == 1.5 && r == NULL);
	CHECK_STR(judge(" 3 ", &d, &r), "ok");
	CHECK(d == 3);
	CHECK_STR(judge("-2", &d, &r), "ok");	/* the caller rejects it */
	CHECK(d == -2);
	CHECK_STR(judge("{\"desirability\":0.25,\"allowComponentAuction\":"
	    "true}", &d, &r), "ok");
	CHECK(d == 0.25 && r == NULL);
	CHECK_STR(judge("{\"desirability\":1,\"rejectReason\":\"not-available\"}",
	    &d, &r), "ok");
	CHECK(d == 1 && r != NULL && strcmp(r, "not-available") == 0);
	CHECK_STR(judge("{\"desirability\":1,\"rejectReason\":null}", &d, &r),
	    "ok");
	CHECK(r == NULL);
	CHECK_STR(judge("{\"desirability\":0,\"rejectReason\":"
	    "\"category-exclusions\"}", &d, &r), "rejected");
	CHECK(d == 0 && strcmp(r, "category-exclusions") == 0);
	/* a reason rejects even with a desirability > 0 */
	CHECK_STR(judge("{\"desirability\":5,\"rejectReason\":\"invalid-bid\"}",
	    &d, &r), "rejected");
	/* a reason without a desirability: desirability 0 */
	CHECK_STR(judge("{\"rejectReason\":\"blocked-by-publisher\"}", &d, &r),
	    "rejected");
	CHECK(d == 0 && strcmp(r, "blocked-by-publisher") == 0);
	/* an unknown reason is not-available, as on the real servers */
	CHECK_STR(judge("{\"desirability\":2,\"rejectReason\":\"nope\"}", &d,
	    &r), "ok");
	CHECK(d == 2 && strcmp(r, "not-available") == 0);
	CHECK_STR(judge("{\"rejectReason\":\"nope\"}", &d, &r), "ok");
	CHECK(d == 0);
	/* failed calls */
	CHECK_STR(judge("", &d, &r), "the answer is not JSON");
	CHECK_STR(judge("1.5 x", &d, &r), "the answer is not JSON");
	CHECK_STR(judge("\"1.5\"", &d, &r),
	    "the answer is neither a number nor an object");
	CHECK_STR(judge("null", &d, &r),
	    "the answer is neither a number nor an object");
	CHECK_STR(judge("[1]", &d, &r),
	    "the answer is neither a number nor an object");
	CHECK_STR(judge("{}", &d, &r),
	    "the answer has no number \"desirability\"");
	CHECK_STR(judge("{\"desirability\":\"1\"}", &d, &r),
	    "the answer has no number \"desirability\"");
	CHECK_STR(judge("{\"desirability\":\"1\",\"rejectReason\":"
	    "\"invalid-bid\"}", &d, &r),
	    "the answer has no number \"desirability\"");
	CHECK(r == NULL);
	CHECK_STR(judge("{\"desirability\":1,\"rejectReason\":7}", &d, &r),
	    "rejectReason is not a string");
	CHECK_STR(judge("{\"desirability\":1,\"desirability\":2}", &d, &r),
	    "the answer is not JSON");
}

static void
test_auction(void)
{
	struct score_opts fp = { .score_ad = fake }, sp = { .second_price = 1,
	    .score_ad = fake }, o;
	struct score_budgets bud = { 0 };

	/*
	 * Floor 0.5: A (games) 2.0, B 1.2, D 1.1 -> desirabilities 1.0, 1.2,
	 * 1.1.  B wins; first price 1.2; second price = the bid of the
	 * runner-up by desirability, D's 1.1 (not A's higher 2.0).
	 */
#define ABD "[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":2.0,\"category\":" \
	    "\"games\"},{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1.2}," \
	    "{\"buyer\":\"D\",\"ad_id\":\"d\",\"bid\":1.1}]"
	CHECK_STR(run(ABD, 0.5, &fp), "{\"winner\":{\"buyer\":\"B\",\"ad_id\":"
	    "\"b\",\"bid\":1.2,\"price\":1.2,\"score\":1.2},\"scored\":3}");
	CHECK_STR(run(ABD, 0.5, &sp), "{\"winner\":{\"buyer\":\"B\",\"ad_id\":"
	    "\"b\",\"bid\":1.2,\"price\":1.1,\"score\":1.2},\"scored\":3}");
	CHECK_STR(reports(), "[{\"buyer\":\"B\",\"type\":\"win\",\"ad_id\":\"b\","
	    "\"price\":1.1},{\"buyer\":\"A\",\"type\":\"loss\",\"ad_id\":\"a\","
	    "\"price\":1.2,\"reason\":\"outbid\"},{\"buyer\":\"D\",\"type\":"
	    "\"loss\",\"ad_id\":\"d\",\"price\":1.2,\"reason\":\"outbid\"}]");
	/* A (games) 2.0, B 1.2: A is the runner-up, its 2.0 is capped: 1.2 */
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":2.0,\"category\":"
	    "\"games\"},{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1.2}]", 0.5, &sp);
	CHECK(a.winner == 1 && a.price == 1.2 && a.bids[0].desirability == 1);
	/* games 3.0 (1.5) beats B 1.2: it pays B's 1.2; its score is 1.5 */
	CHECK_STR(run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":3.0,"
	    "\"category\":\"games\"},{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1.2}]",
	    0.5, &sp), "{\"winner\":{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":3.0,"
	    "\"price\":1.2,\"score\":1.5},\"scored\":2}");
	/* equal desirabilities: the smaller buyer; games 2.4 vs B 1.2 */
	run("[{\"buyer\":\"C\",\"ad_id\":\"c\",\"bid\":2.4,\"category\":"
	    "\"games\"},{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1.2}]", 0, &sp);
	CHECK(a.winner == 1 && a.price == 1.2);

	/*
	 * Rejections: bad 3.0 (rejected with a reason), B 0.8 -> B wins;
	 * second price: no runner-up -> the floor 0.5.  The loss report
	 * carries the reason; it had to beat B's 0.8.
	 */
	CHECK_STR(run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":3,\"advertiser\":"
	    "\"bad\"},{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":0.8}]", 0.5, &sp),
	    "{\"winner\":{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":0.8,\"price\":"
	    "0.5,\"score\":0.8},\"scored\":2}");
	CHECK_STR(reports(), "[{\"buyer\":\"B\",\"type\":\"win\",\"ad_id\":\"b\","
	    "\"price\":0.5},{\"buyer\":\"A\",\"type\":\"loss\",\"ad_id\":\"a\","
	    "\"price\":0.8,\"reason\":\"seller_rejected\",\"reject_reason\":"
	    "\"blocked-by-publisher\"}]");
	/* desirability -1: rejected without a reason; nobody left */
	CHECK_STR(run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":3,\"category\":"
	    "\"spam\"}]", 0.5, &sp),
	    "{\"winner\":null,\"reason\":\"seller_rejected\",\"scored\":1}");
	CHECK_STR(reports(), "[{\"buyer\":\"A\",\"type\":\"loss\",\"ad_id\":\"a\","
	    "\"price\":0.5,\"reason\":\"seller_rejected\"}]");
	/* a failed call: the bid leaves; F 9 does not set B's price */
	CHECK_STR(run("[{\"buyer\":\"F\",\"ad_id\":\"f\",\"bid\":9},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1}]", 0.5, &sp),
	    "{\"winner\":{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1.0,\"price\":"
	    "0.5,\"score\":1.0},\"scored\":2}");
	CHECK(a.bids[0].state == SCORE_FAILED);
	/* reasons: rejected beats failed beats below_floor */
	run("[{\"buyer\":\"F\",\"ad_id\":\"f\",\"bid\":9},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":0.1}]", 0.5, &sp);
	CHECK(a.winner == -1 && a.reason == SCORE_FAILED);
	run("[{\"buyer\":\"F\",\"ad_id\":\"f\",\"bid\":9},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":2,\"category\":\"spam\"}]",
	    0.5, &sp);
	CHECK(a.winner == -1 && a.reason == SCORE_REJECTED);
	/* below the floor: never asked (S would stop the run) */
	CHECK_STR(run("[{\"buyer\":\"S\",\"ad_id\":\"s\",\"bid\":0.1}]", 0.5,
	    &sp), "{\"winner\":null,\"reason\":\"below_floor\",\"scored\":1}");
	CHECK(!stop_seen);
	CHECK_STR(run("[{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1},"
	    "{\"buyer\":\"S\",\"ad_id\":\"s\",\"bid\":1}]", 0.5, &sp), "stop");
	CHECK(stop_seen);

	/*
	 * Budgets, second price, floor 0.5, ABD (desirabilities A 1.0, D 1.1,
	 * B 1.2), b has 0.001.  From the lowest desirability up: A pays the
	 * floor 0.5 (kept); D would pay min(1.1, max(0.5, A's 2.0)) = 1.1
	 * (kept); B would pay max(0.5, D's 1.1) = 1.1 -> 0.0011 > 0.001:
	 * budget_exhausted.  D wins at 1.1.
	 */
	CHECK(score_budgets_add(&bud, "b", 1, "B", 0.001) == 0);
	o = sp;
	o.budgets = &bud;
	CHECK_STR(run(ABD, 0.5, &o), "{\"winner\":{\"buyer\":\"D\",\"ad_id\":"
	    "\"d\",\"bid\":1.1,\"price\":1.1,\"score\":1.1},\"scored\":3}");
	CHECK(a.bids[1].state == SCORE_BUDGET && bud.wins[0] == 0);
	score_budgets_free(&bud);
}

static void
test_coprocess(void)
{
	struct scoreudf s;
	struct score_bid b;
	const char *r;
	char err[256];
	double d;

	memset(&b, 0, sizeof(b));
	b.buyer = "A";
	b.ad_id = "a";
	b.bid = 2;
	/* answers 3, then garbage, then a rejection, then dies with 5 */
	CHECK(scoreudf_start(&s, "read -r l; echo 3; read -r l; echo nope; "
	    "read -r l; echo '{\"desirability\":0}'; read -r l; exit 5", 20000,
	    err, sizeof(err)) == UDF_OK);
	scoreudf_auction(&s, NULL, NULL, 0);
	CHECK(scoreudf_score(&s, &b, &d, &r, err, sizeof(err)) == SCORE_AD_OK &&
	    d == 3);
	CHECK(scoreudf_score(&s, &b, &d, &r, err, sizeof(err)) ==
	    SCORE_AD_FAILED);
	CHECK_STR(err, "the answer is not JSON");
	CHECK(scoreudf_score(&s, &b, &d, &r, err, sizeof(err)) == SCORE_AD_OK &&
	    d == 0);
	CHECK(scoreudf_score(&s, &b, &d, &r, err, sizeof(err)) ==
	    SCORE_AD_STOP);
	CHECK_STR(err, "co-process exited with status 5");
	CHECK(s.calls == 4 && s.failed == 1 && s.rejected == 1);
	CHECK(scoreudf_close(&s, err, sizeof(err)) == -1);
	/* a late answer fails the call; the next call starts it afresh */
	CHECK(scoreudf_start(&s, "read -r l; exec sleep 60", 100, err,
	    sizeof(err)) == UDF_OK);
	CHECK(scoreudf_score(&s, &b, &d, &r, err, sizeof(err)) ==
	    SCORE_AD_FAILED);
	CHECK(strstr(err, "gave no answer within 100 ms") != NULL);
	CHECK(scoreudf_score(&s, &b, &d, &r, err, sizeof(err)) ==
	    SCORE_AD_FAILED);
	CHECK(s.u.starts == 2 && s.failed == 2);
	scoreudf_close(&s, NULL, 0);
	CHECK(scoreudf_close(NULL, NULL, 0) == 0);
}

int
main(void)
{
	test_request();
	test_answer();
	test_auction();
	test_coprocess();
	json_decref(bids);
	score_auction_free(&a);
	buf_free(&out);
	return unit_report();
}
