/*
 * score: the auction by hand.  The prices of ../shared/examples/README.md
 * section 3, ties, the seller's rules, the reasons, budgets.
 */
#include <jansson.h>
#include <string.h>

#include "buf.h"
#include "score.h"
#include "unit.h"

static struct score_auction a;
static json_t *bids;
static struct buf out;

/* Runs bids_json with floor; returns the auction's text. */
static const char *
run(const char *bids_json, double floor, const struct score_opts *o)
{
	char err[128];

	json_decref(bids);
	bids = json_loads(bids_json, 0, NULL);
	if (score_read_bids(&a, bids, err, sizeof(err)) != NULL)
		return err[0] ? "bad" : "bad";
	score_run(&a, o, floor);
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

static const char *
bad(const char *bids_json)
{
	static char err[128];

	json_decref(bids);
	bids = json_loads(bids_json, JSON_DECODE_ANY, NULL);
	return score_read_bids(&a, bids, err, sizeof(err)) ? err : "ok";
}

int
main(void)
{
	struct score_opts fp = { 0 }, sp = { .second_price = 1 }, o;
	struct score_rules rules = { 0 };
	struct score_budgets bud = { 0 };

	/* README section 3, floor 0.5: A 2.0, B 1.2 -> first 2.0, second 1.2 */
	CHECK_STR(run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":2.0},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1.2}]", 0.5, &fp),
	    "{\"winner\":{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":2.0,"
	    "\"price\":2.0,\"score\":2.0},\"scored\":2}");
	CHECK_STR(reports(), "[{\"buyer\":\"A\",\"type\":\"win\",\"ad_id\":\"a\","
	    "\"price\":2.0},{\"buyer\":\"B\",\"type\":\"loss\",\"ad_id\":\"b\","
	    "\"price\":2.0,\"reason\":\"outbid\"}]");
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":2.0},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1.2}]", 0.5, &sp);
	CHECK(a.winner == 0 && a.price == 1.2);
	/* A 0.8 only: first 0.8; second max(0.5, none) = 0.5 */
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":0.8}]", 0.5, &fp);
	CHECK(a.winner == 0 && a.price == 0.8);
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":0.8}]", 0.5, &sp);
	CHECK(a.winner == 0 && a.price == 0.5);
	/* no floor: the winner's bid */
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":0.8}]", 0, &sp);
	CHECK(a.winner == 0 && a.price == 0.8);
	/* A 0.4 only: below_floor, with a loss report at the floor */
	CHECK_STR(run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":0.4}]", 0.5,
	    &sp), "{\"winner\":null,\"reason\":\"below_floor\",\"scored\":1}");
	CHECK_STR(reports(), "[{\"buyer\":\"A\",\"type\":\"loss\",\"ad_id\":\"a\","
	    "\"price\":0.5,\"reason\":\"below_floor\"}]");
	/* a bid equal to the floor is not below it */
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":0.5}]", 0.5, &sp);
	CHECK(a.winner == 0 && a.price == 0.5);
	/* second price never below the floor: B 0.3 under floor 0.5 */
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":2},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":0.3}]", 0.5, &sp);
	CHECK(a.winner == 0 && a.price == 0.5 && a.bids[1].state ==
	    SCORE_BELOW_FLOOR);

	/* ties: the bytewise smaller buyer wins ("B" < "a"); price = bid */
	run("[{\"buyer\":\"a\",\"ad_id\":\"x\",\"bid\":1},"
	    "{\"buyer\":\"B\",\"ad_id\":\"y\",\"bid\":1}]", 0, &sp);
	CHECK(a.winner == 1 && a.price == 1);
	/* no bids: none, empty, zero and negative bids (not scored) */
	CHECK_STR(run("[]", 0, &fp),
	    "{\"winner\":null,\"reason\":\"no_bids\",\"scored\":0}");
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":0},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":-1}]", 0, &fp);
	CHECK(a.winner == -1 && a.reason == SCORE_NO_BIDS && a.scored == 0);
	CHECK_STR(reports(), "[]");
	CHECK(score_read_bids(&a, NULL, NULL, 0) == NULL && a.nbids == 0);

	/* rules: advertiser exact; category and its subtree */
	score_rules_add_advertiser(&rules, "bad-co", 6);
	score_rules_add_category(&rules, "games/", 6);
	CHECK(score_rules_blocked(&rules, "bad-co", NULL));
	CHECK(!score_rules_blocked(&rules, "bad-co2", NULL));
	CHECK(score_rules_blocked(&rules, NULL, "games"));
	CHECK(score_rules_blocked(&rules, NULL, "games/rpg"));
	CHECK(score_rules_blocked(&rules, NULL, "games/rpg/x"));
	CHECK(!score_rules_blocked(&rules, NULL, "gamesx"));
	CHECK(!score_rules_blocked(&rules, NULL, "news/games"));
	CHECK(!score_rules_blocked(&rules, NULL, NULL));
	o = fp;
	o.rules = &rules;
	/* all blocked -> blocked */
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":2,\"advertiser\":\"bad-co\"},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1,\"category\":\"games/rpg\"}]",
	    0.5, &o);
	CHECK(a.winner == -1 && a.reason == SCORE_BLOCKED && a.scored == 2);
	/* blocked and below floor -> below_floor (the furthest a bid got) */
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":2,\"advertiser\":\"bad-co\"},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":0.1}]", 0.5, &o);
	CHECK(a.winner == -1 && a.reason == SCORE_BELOW_FLOOR);
	/* a blocked higher bid sets no second price */
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":9,\"advertiser\":\"bad-co\"},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":3},"
	    "{\"buyer\":\"C\",\"ad_id\":\"c\",\"bid\":1}]", 0.5, &sp);
	CHECK(a.winner == 0 && a.price == 3);	/* without rules A wins, pays B's 3 */
	o = sp;
	o.rules = &rules;
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":9,\"advertiser\":\"bad-co\"},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":3},"
	    "{\"buyer\":\"C\",\"ad_id\":\"c\",\"bid\":1}]", 0.5, &o);
	CHECK(a.winner == 1 && a.price == 1);
	CHECK_STR(reports(), "[{\"buyer\":\"B\",\"type\":\"win\",\"ad_id\":\"b\","
	    "\"price\":1.0},{\"buyer\":\"A\",\"type\":\"loss\",\"ad_id\":\"a\","
	    "\"price\":3.0,\"reason\":\"blocked\"},{\"buyer\":\"C\",\"type\":"
	    "\"loss\",\"ad_id\":\"c\",\"price\":3.0,\"reason\":\"outbid\"}]");

	/*
	 * Budgets (second price, floor 0.5): a pays 1.2/1000 = 0.0012 per win
	 * against b's 1.2; a has 0.0025: two wins (0.0013, then 0.0001 left),
	 * the third time a cannot pay 0.0012 and b wins at max(0.5, none) =
	 * 0.5, charged 0.0005 of its 0.001; the next time b pays 0.0005 again
	 * (0 left, within rounding); then no ad can pay: budget_exhausted.
	 */
	CHECK(score_budgets_add(&bud, "a", 1, "A", 0.0025) == 0);
	CHECK(score_budgets_add(&bud, "b", 1, NULL, 0.001) == 0);
	CHECK(score_budgets_add(&bud, "a", 1, NULL, 1) == -1);
	o = sp;
	o.budgets = &bud;
#define AB "[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":2.0},"	\
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":1.2}]"
	run(AB, 0.5, &o);
	CHECK(a.winner == 0 && a.price == 1.2);
	run(AB, 0.5, &o);
	CHECK(a.winner == 0 && a.price == 1.2);
	CHECK_NEAR(bud.remaining[0], 0.0001, 1e-9);
	CHECK_NEAR(bud.spent[0], 0.0024, 1e-12);
	CHECK(bud.wins[0] == 2);
	run(AB, 0.5, &o);
	CHECK(a.winner == 1 && a.price == 0.5 && a.bids[0].state == SCORE_BUDGET);
	CHECK_NEAR(bud.remaining[1], 0.0005, 1e-9);
	run(AB, 0.5, &o);
	CHECK(a.winner == 1 && a.price == 0.5);
	CHECK(bud.remaining[1] >= 0 && bud.remaining[1] < 1e-15);
	CHECK_STR(run(AB, 0.5, &o), "{\"winner\":null,\"reason\":"
	    "\"budget_exhausted\",\"scored\":2}");
	CHECK_STR(reports(), "[{\"buyer\":\"A\",\"type\":\"loss\",\"ad_id\":\"a\","
	    "\"price\":0.5,\"reason\":\"budget_exhausted\"},{\"buyer\":\"B\","
	    "\"type\":\"loss\",\"ad_id\":\"b\",\"price\":0.5,\"reason\":"
	    "\"budget_exhausted\"}]");
	/* an ad with no budget entry always pays; an exhausted one below it
	 * sets no second price */
	run("[{\"buyer\":\"C\",\"ad_id\":\"c\",\"bid\":3},"
	    "{\"buyer\":\"B\",\"ad_id\":\"b\",\"bid\":2}]", 0.5, &o);
	CHECK(a.winner == 0 && a.price == 0.5 && a.bids[1].state == SCORE_BUDGET);
	/* a budget of exactly the price pays it despite rounding: 0.0012 */
	score_budgets_free(&bud);
	score_budgets_add(&bud, "a", 1, NULL, 0.0012);
	run(AB, 0.5, &o);
	CHECK(a.winner == 0 && bud.wins[0] == 1 && bud.remaining[0] == 0);

	/* payloads move to the win report as they are */
	run("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":1,\"egress_payload\":"
	    "{\"features\":[]},\"temporary_unlimited_egress_payload\":null}]",
	    0, &fp);
	CHECK_STR(reports(), "[{\"buyer\":\"A\",\"type\":\"win\",\"ad_id\":\"a\","
	    "\"price\":1.0,\"egress_payload\":{\"features\":[]},"
	    "\"temporary_unlimited_egress_payload\":null}]");

	/* malformed bids */
	CHECK_STR(bad("{}"), "\"bids\" is not an array");
	CHECK_STR(bad("[1]"), "bids[0] is not an object");
	CHECK_STR(bad("[{\"ad_id\":\"a\",\"bid\":1}]"), "bids[0]: no string \"buyer\"");
	CHECK_STR(bad("[{\"buyer\":\"A\",\"ad_id\":7,\"bid\":1}]"),
	    "bids[0]: no string \"ad_id\"");
	CHECK_STR(bad("[{\"buyer\":\"A\",\"ad_id\":\"a\"}]"),
	    "bids[0]: \"bid\" is missing");
	CHECK_STR(bad("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":\"1\"}]"),
	    "bids[0]: \"bid\" is not a number");
	CHECK_STR(bad("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":1,\"category\":3}]"),
	    "bids[0]: campaign, advertiser and category must be strings");
	CHECK_STR(bad("[{\"buyer\":\"A\",\"ad_id\":\"a\",\"bid\":1},"
	    "{\"buyer\":\"A\",\"ad_id\":\"b\",\"bid\":2}]"),
	    "bids[1]: a second bid of buyer \"A\"");
	CHECK_STR(bad("null"), "ok");
	CHECK_STR(score_reason_name(SCORE_BUDGET), "budget_exhausted");

	json_decref(bids);
	buf_free(&out);
	score_rules_free(&rules);
	score_budgets_free(&bud);
	score_auction_free(&a);
	return unit_report();
}
