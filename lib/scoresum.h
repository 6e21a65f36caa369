#ifndef ADSIG_SCORESUM_H
#define ADSIG_SCORESUM_H
#include <stddef.h>

#include "buf.h"
#include "strtab.h"

/*
 * The summary of an auction replay (pas-score --summary): per buyer and
 * per (buyer, campaign), and in total, the valid bids, wins, impressions,
 * spend and CPM; given outcomes, also clicks, installs, CTR, CVR, CPC and
 * CPA.  Spend is in currency units: a win at price P (CPM) costs P/1000.
 *
 *   win_rate = wins / bids          cpm = 1000 spend / impressions
 *   ctr = clicks / impressions      cvr = installs / clicks
 *   cpc = spend / clicks            cpa = spend / installs
 *
 * A rate with a zero denominator is null.  Without outcomes every win is
 * an impression; with outcomes a win counts the impression, click and
 * install of the outcome of its request (joined by request id, and only
 * when the outcome's ad_id is the winner's), and nothing without one.
 */
struct scoresum_agg {
	unsigned long	bids, wins, impressions, clicks, installs;
	double		spend;
};

struct scoresum_outcome {
	char		*ad_id;
	unsigned char	 impression, click, install;
};

struct scoresum {
	int			 has_outcomes;
	struct strtab		 ids;		/* request id -> outcome */
	struct scoresum_outcome	*oc;
	size_t			 oc_cap;
	struct strtab		 keys;		/* "B" buyer, "C" buyer NUL campaign */
	struct scoresum_agg	*agg;
	size_t			 agg_cap;
	struct scoresum_agg	 total;
	unsigned long		 wins_without_outcome;
};

/*
 * Adds the outcome of request id[0..idn) (its id as compact JSON text,
 * so "r-1" and 7 are told apart).  Returns 0, or -1 if that request
 * already has one.  Any outcome added turns the outcome columns on.
 */
int	scoresum_add_outcome(struct scoresum *s, const char *id, size_t idn,
	    const char *ad_id, int impression, int click, int install);

/* A valid bid of buyer for campaign (NULL: counted for the buyer only). */
void	scoresum_bid(struct scoresum *s, const char *buyer,
	    const char *campaign);

/* A win at price of request id (NULL: none), for ad_id. */
void	scoresum_win(struct scoresum *s, const char *id, size_t idn,
	    const char *buyer, const char *campaign, const char *ad_id,
	    double price);

/*
 * Appends the rows: the total ("type":"total"), the buyers sorted
 * bytewise ("type":"buyer"), then the campaigns sorted by buyer and
 * campaign ("type":"campaign"); as NDJSON, or as CSV with a header.
 */
void	scoresum_write(const struct scoresum *s, struct buf *b, int csv);

void	scoresum_free(struct scoresum *s);

#endif
