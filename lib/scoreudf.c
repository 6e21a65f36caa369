#include "scoreudf.h"

#include <math.h>
#include <string.h>

#include "diag.h"
#include "jw.h"

/* The rejectReason names of Protected Audience; [0] is the default. */
static const char *const reasons[] = {
	"not-available", "invalid-bid", "bid-below-auction-floor",
	"pending-approval-by-exchange", "disapproved-by-exchange",
	"blocked-by-publisher", "language-exclusions", "category-exclusions"
};

int
scoreudf_start(struct scoreudf *s, const char *cmd, int timeout_ms,
    char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	return udf_start(&s->u, cmd, timeout_ms, UDF_MAX_LINE, err, errlen);
}

static void
member(struct buf *b, int *first, const char *k, const char *v)
{
	if (v == NULL)
		return;
	if (!*first)
		buf_addc(b, ',');
	*first = 0;
	jw_string(b, k, strlen(k));
	buf_addc(b, ':');
	jw_string(b, v, strlen(v));
}

void
scoreudf_auction(struct scoreudf *s, json_t *id, json_t *ctx, double floor)
{
	json_t *app = json_object_get(ctx, "app");
	struct buf *b = &s->cfg;

	s->publisher = json_is_string(app) ? json_string_value(app) : NULL;
	b->len = 0;
	buf_adds(b, "{\"auctionSignals\":{");
	if (id != NULL) {
		buf_adds(b, "\"id\":");
		jw_value(b, id);
	}
	if (ctx != NULL) {
		buf_adds(b, id != NULL ? ",\"ctx\":" : "\"ctx\":");
		jw_value(b, ctx);
	}
	buf_adds(b, "},\"sellerSignals\":{\"floor\":");
	jw_real(b, floor);
	buf_adds(b, "}}");
}

void
scoreudf_request(const struct scoreudf *s, const struct score_bid *b,
    struct buf *out)
{
	int first = 1;

	buf_adds(out, "{\"fn\":\"scoreAd\",\"args\":[{");
	member(out, &first, "ad_id", b->ad_id);
	member(out, &first, "render_url", b->render_url);
	member(out, &first, "campaign", b->campaign);
	member(out, &first, "advertiser", b->advertiser);
	member(out, &first, "category", b->category);
	buf_adds(out, "},");
	jw_real(out, b->bid);
	buf_addc(out, ',');
	if (s->cfg.len > 0)
		buf_add(out, s->cfg.p, s->cfg.len);
	else
		buf_adds(out, "{\"auctionSignals\":{},\"sellerSignals\":"
		    "{\"floor\":0.0}}");
	buf_adds(out, ",null,{");
	first = 1;
	member(out, &first, "interestGroupOwner", b->buyer);
	member(out, &first, "topWindowHostname", s->publisher);
	member(out, &first, "renderUrl", b->render_url);
	buf_adds(out, "},{}]}");
}

int
scoreudf_answer(const char *ans, size_t len, double *desirability,
    const char **reject, char *err, size_t errlen)
{
	json_t *j, *d, *r;
	const char *rs;
	size_t i;
	int rc = SCORE_AD_OK;

	*desirability = 0;
	*reject = NULL;
	j = json_loadb(ans, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	    NULL);
	if (json_is_number(j)) {
		*desirability = json_number_value(j);
		json_decref(j);
		return SCORE_AD_OK;
	}
	if (!json_is_object(j)) {
		diag_errf(err, errlen, j == NULL ? "the answer is not JSON" :
		    "the answer is neither a number nor an object");
		json_decref(j);
		return SCORE_AD_FAILED;
	}
	d = json_object_get(j, "desirability");
	r = json_object_get(j, "rejectReason");
	if (r != NULL && !json_is_null(r)) {
		if (!json_is_string(r)) {
			diag_errf(err, errlen, "rejectReason is not a string");
			json_decref(j);
			return SCORE_AD_FAILED;
		}
		rs = json_string_value(r);
		*reject = reasons[0];
		for (i = 1; i < sizeof(reasons) / sizeof(reasons[0]); i++)
			if (strcmp(rs, reasons[i]) == 0) {
				*reject = reasons[i];
				rc = SCORE_AD_REJECTED;
			}
	}
	if (json_is_number(d))
		*desirability = json_number_value(d);
	else if (d != NULL || *reject == NULL) {
		diag_errf(err, errlen, "the answer has no number "
		    "\"desirability\"");
		*reject = NULL;
		rc = SCORE_AD_FAILED;
	}
	json_decref(j);
	return rc;
}

int
scoreudf_score(struct scoreudf *s, const struct score_bid *b,
    double *desirability, const char **reject, char *err, size_t errlen)
{
	const char *ans;
	size_t anslen;
	int rc;

	s->req.len = 0;
	scoreudf_request(s, b, &s->req);
	s->calls++;
	rc = udf_call(&s->u, s->req.p, s->req.len, &ans, &anslen, err,
	    errlen);
	if (rc == UDF_EDEAD || rc == UDF_ESYS)
		return SCORE_AD_STOP;
	if (rc != UDF_OK)
		rc = SCORE_AD_FAILED;
	else
		rc = scoreudf_answer(ans, anslen, desirability, reject, err,
		    errlen);
	if (rc == SCORE_AD_FAILED)
		s->failed++;
	else if (rc == SCORE_AD_REJECTED || !(*desirability > 0) ||
	    !isfinite(*desirability))
		s->rejected++;
	return rc;
}

int
scoreudf_close(struct scoreudf *s, char *err, size_t errlen)
{
	int rv;

	if (s == NULL)
		return 0;
	rv = udf_close(&s->u, err, errlen);
	buf_free(&s->req);
	buf_free(&s->cfg);
	return rv;
}
