#ifndef ADSIG_SCOREUDF_H
#define ADSIG_SCOREUDF_H
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "score.h"
#include "udf.h"

/*
 * The seller's own scoreAd as a co-process (pas-score --udf-exec, DESIGN.md
 * "Plug-in logic"): one request line per bid,
 *
 *   {"fn":"scoreAd","args":[AD_METADATA,BID,AUCTION_CONFIG,null,
 *                           DEVICE_SIGNALS,{}]}
 *
 * the arguments of the real scoreAd(adMetadata, bid, auctionConfig,
 * trustedScoringSignals, browserSignals/deviceSignals,
 * directFromSellerSignals) in its order:
 *   AD_METADATA     {"ad_id":..,"render_url":..,"campaign":..,
 *                    "advertiser":..,"category":..} from the bid (members
 *                    the bid lacks are left out); never the egress
 *                    payloads, which are the buyer's;
 *   BID             the bid (CPM);
 *   AUCTION_CONFIG  {"auctionSignals":{"id":..,"ctx":{..}},
 *                    "sellerSignals":{"floor":F}}: the request's id and
 *                    ctx as they are (each left out when absent) and the
 *                    floor in force (0 for none);
 *   null            no trusted scoring signals in a replay;
 *   DEVICE_SIGNALS  {"interestGroupOwner":BUYER,"topWindowHostname":
 *                    ctx.app,"renderUrl":..} (the last two when known);
 *   {}              no directFromSellerSignals (as the real servers).
 * The answer line is scoreAd's return value: a number (the desirability)
 * or an object {"desirability":..,"rejectReason":..,...}; see
 * scoreudf_answer.  The functions never print and never exit.
 */

struct scoreudf {
	struct udf	 u;
	struct buf	 req;		/* the request line being built */
	struct buf	 cfg;		/* this auction's auctionConfig */
	const char	*publisher;	/* this auction's ctx.app, or NULL */
	unsigned long	 calls, failed, rejected;
};

/*
 * Starts the co-process (udf_start with the answer limit UDF_MAX_LINE).
 * Returns UDF_OK or UDF_ESYS with the reason in err.
 */
int	scoreudf_start(struct scoreudf *s, const char *cmd, int timeout_ms,
	    char *err, size_t errlen);

/*
 * Sets the request context of the next calls: the request's id and ctx
 * (each NULL when absent; ctx, when given, an object) and the floor.
 * id and ctx are borrowed until the next scoreudf_auction.
 */
void	scoreudf_auction(struct scoreudf *s, json_t *id, json_t *ctx,
	    double floor);

/* Appends the request line of bid b (without a newline) to out. */
void	scoreudf_request(const struct scoreudf *s, const struct score_bid *b,
	    struct buf *out);

/*
 * Judges an answer line.  A number is the desirability.  An object has
 * a number "desirability" and may have a string "rejectReason" (null is
 * none); without "desirability" it must have a rejectReason, and its
 * desirability is 0.  A rejectReason is one of the real names
 * (not-available, invalid-bid, bid-below-auction-floor,
 * pending-approval-by-exchange, disapproved-by-exchange,
 * blocked-by-publisher, language-exclusions, category-exclusions); any
 * other string counts as not-available, as on the real servers.
 * Other members (allowComponentAuction, ad, bid, ...) are ignored.
 * Returns SCORE_AD_REJECTED when the reason is not not-available,
 * else SCORE_AD_OK with *desirability (the caller rejects a
 * desirability <= 0), *reject set to the static reason name or NULL;
 * SCORE_AD_FAILED, with the reason in err, for anything else.
 */
int	scoreudf_answer(const char *ans, size_t len, double *desirability,
	    const char **reject, char *err, size_t errlen);

/*
 * One scoreAd call for bid b: request, answer, judgement.  Returns as
 * scoreudf_answer, or SCORE_AD_FAILED for a late or too long answer
 * (the co-process is restarted for the next call), or SCORE_AD_STOP
 * when the co-process died or could not be restarted (err says how:
 * "co-process exited with status N").  Counts calls, failed calls and
 * rejections.
 */
int	scoreudf_score(struct scoreudf *s, const struct score_bid *b,
	    double *desirability, const char **reject, char *err,
	    size_t errlen);

/* udf_close, and frees s's buffers.  NULL-safe. */
int	scoreudf_close(struct scoreudf *s, char *err, size_t errlen);

#endif
