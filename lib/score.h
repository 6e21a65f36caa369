#ifndef ADSIG_SCORE_H
#define ADSIG_SCORE_H
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "strtab.h"

/*
 * The seller's side of the auction (pas-score(1)): the seller's rules,
 * the running ad budgets, scoring one ad at a time, the winner, its
 * price, and the win and loss reports.  The functions never print and
 * never exit (but allocate through xalloc).
 */

/* Why a request has no winner, or why a bid lost. */
enum score_reason {
	SCORE_NONE,			/* a winner / the winning bid */
	SCORE_NO_BIDS,			/* no valid bid at all */
	SCORE_BLOCKED,			/* blocked by the seller's rules */
	SCORE_BELOW_FLOOR,		/* under ctx.floor */
	SCORE_BUDGET,			/* its ad could not pay its price */
	SCORE_OUTBID,			/* a loss: a better bid won */
	SCORE_REJECTED,			/* the seller's scoreAd rejected it */
	SCORE_FAILED,			/* its scoreAd call failed */
	SCORE_NREASONS
};

/*
 * "no_bids", "blocked", "below_floor", "budget_exhausted", "outbid",
 * "seller_rejected", "score_failed".
 */
const char	*score_reason_name(enum score_reason r);

/*
 * Seller rules: blocked advertisers (exact, bytewise) and categories.  A
 * category rule R blocks the category R itself and every category below
 * it, R + "/" + anything; a final "/" of R is ignored ("games" and
 * "games/" both block "games" and "games/rpg", not "gamesx").
 */
struct score_rules {
	struct strtab	adv, cat;
};

void	score_rules_add_advertiser(struct score_rules *r, const char *s,
	    size_t n);
void	score_rules_add_category(struct score_rules *r, const char *s,
	    size_t n);
/* 1 if an ad of advertiser adv in category cat (either NULL) is blocked. */
int	score_rules_blocked(const struct score_rules *r, const char *adv,
	    const char *cat);
void	score_rules_free(struct score_rules *r);

/*
 * Budgets per ad_id, in currency units (a price is CPM: one won
 * impression costs price / 1000).  An ad can pay a price when its
 * remaining budget is at least price / 1000, up to a relative 1e-9 so
 * that decimal rounding does not refuse a budget of exactly the price.
 */
struct score_budgets {
	struct strtab	 ads;
	double		*remaining, *spent;
	unsigned long	*wins;
	char		**buyer;	/* from the budgets file, or NULL */
	size_t		 cap;
};

/* Adds an ad; returns 0, or -1 when ad_id is already there. */
int	score_budgets_add(struct score_budgets *b, const char *ad_id,
	    size_t n, const char *buyer, double remaining);
/* The ad's index, or -1 for an ad without a budget (it always pays). */
long	score_budgets_find(const struct score_budgets *b, const char *ad_id);
int	score_budgets_can_pay(const struct score_budgets *b, long i,
	    double price);
void	score_budgets_charge(struct score_budgets *b, long i, double price);
void	score_budgets_free(struct score_budgets *b);

/* One bid of a request, borrowed from the record's JSON. */
struct score_bid {
	const char	*buyer, *ad_id;
	const char	*campaign, *advertiser, *category;	/* or NULL */
	const char	*render_url;				/* or NULL */
	double		 bid;
	double		 desirability;		/* scoreAd's, once scored */
	const char	*reject_reason;		/* scoreAd's rejectReason, or NULL */
	json_t		*payload, *tpayload;	/* the egress payloads, or NULL */
	const char	*praw, *tpraw;		/* or their text, moved as is */
	size_t		 prawlen, tprawlen;
	int		 valid;			/* finite and > 0 */
	enum score_reason state;		/* SCORE_NONE for the winner */
	long		 budget;		/* index in the budgets, or -1 */
};

struct score_auction;

/*
 * The seller's scoreAd for bid i of a, when it is not the built-in
 * desirability = bid (pas-score --udf-exec).  *reject starts NULL and
 * may be set to the seller's rejectReason (a static string).  Returns
 * SCORE_AD_OK with *desirability set (a desirability that is not > 0
 * rejects the bid), SCORE_AD_REJECTED (the bid leaves the auction),
 * SCORE_AD_FAILED (the bid leaves the auction, unscored) or
 * SCORE_AD_STOP (the run must end: score_run returns -1 at once).
 */
enum {
	SCORE_AD_OK,
	SCORE_AD_REJECTED,
	SCORE_AD_FAILED,
	SCORE_AD_STOP
};
typedef int	(*score_ad_fn)(void *arg, const struct score_auction *a,
		    size_t i, double *desirability, const char **reject);

struct score_opts {
	const struct score_rules *rules;	/* or NULL */
	struct score_budgets	 *budgets;	/* or NULL */
	int			  second_price;
	score_ad_fn		  score_ad;	/* NULL: desirability = bid */
	void			 *score_arg;
};

/* One request's auction; reused from request to request. */
struct score_auction {
	struct score_bid	*bids;
	size_t			 nbids, cap;
	size_t			*rank;		/* scratch */
	struct buf		 text;		/* strings of the raw reader */
	double			 floor;		/* 0: none */
	/* the result */
	long			 winner;	/* index in bids, or -1 */
	double			 price;
	enum score_reason	 reason;	/* when there is no winner */
	size_t			 scored;	/* valid bids scored */
};

/*
 * Reads a request's bids (a JSON array, or NULL for none) into a.
 * Returns NULL, or the reason the array is malformed (in err): not an
 * array, an element that is not an object, no string buyer or ad_id, a
 * bid that is no number, a campaign, advertiser or category that is
 * neither a string nor null, or two bids of one buyer.
 */
const char	*score_read_bids(struct score_auction *a, json_t *bids,
		    char *err, size_t errlen);

/*
 * The same for the text of a bids array in a line that jmember_scan()
 * vouched for (compact, valid, no duplicate keys), without jansson: 0
 * when every bid is well formed and its strings have no escapes, so
 * that the result equals score_read_bids() on the parsed array (the
 * egress payloads are kept as text and written back byte for byte,
 * which is their jansson rewrite when they hold no escape, no real and
 * no -0; otherwise the reader declines).  -1 declines: the caller must
 * parse the array and call score_read_bids(), which also names what
 * is wrong.
 */
int	score_read_bids_raw(struct score_auction *a, const char *text,
	    size_t len);
/*
 * The same from a tape (jmember.h): node is the array's node on t, as
 * jmember_scan_tape() gives it for the member "bids" (-1, no such
 * member, declines); score_read_bids_raw() tapes its text and calls
 * it.  The tape must stay until the auction is written.
 */
struct jtape;
int	score_read_bids_tape(struct score_auction *a, const struct jtape *t,
	    long node);

/*
 * Runs the auction over the bids read, with floor (CPM, >= 0; 0 for
 * none): the seller's rules and the floor remove bids; each bid left is
 * scored (desirability = bid, or o->score_ad, which may remove it too);
 * the budgets remove bids; the highest desirability wins, ties going to
 * the bytewise smaller buyer, then ad_id; the winner is priced from the
 * bids (the second price is the bid of the runner-up by desirability,
 * never more than the winner's own bid) and, with budgets, charged.
 * Fills a's result and each bid's state.  Returns 0, or -1 when
 * o->score_ad said SCORE_AD_STOP (a's result is then undefined).
 */
int	score_run(struct score_auction *a, const struct score_opts *o,
	    double floor);

/* The value of "auction": {"winner":{...}|null,...,"scored":N}. */
void	score_write_auction(struct buf *b, const struct score_auction *a);
/* The value of "reports": the win report first, then the losses. */
void	score_write_reports(struct buf *b, const struct score_auction *a);

void	score_auction_free(struct score_auction *a);

#endif
