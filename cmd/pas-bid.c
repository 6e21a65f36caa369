/*
 * pas-bid: generateBid of a Protected App Signals auction replay, inside
 * the trust boundary: pInstall of each buyer's candidates from the full
 * two_tower model (or a logistic model of the egress payload's columns),
 * the bid, the best candidate per buyer, and the egress payloads.
 * Removes the private "tee" from every record.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "bidmodel.h"
#include "catalog.h"
#include "diag.h"
#include "egmap.h"
#include "jmember.h"
#include "strtab.h"
#include "jw.h"
#include "model2t.h"
#include "rin.h"
#include "run.h"
#include "sigstore.h"
#include "udf.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: pas-bid [-hVv] --ads FILE [--egress-schema FILE] --model FILE\n"
"               [-o FILE] [--rejects FILE] [--schema FILE] [--shading F]\n"
"               [--skip-bad] [--temporary-egress-schema FILE]\n"
"               [--udf-exec CMD] [--udf-timeout MS] [file ...]";

static const char help[] =
"Bids for each buyer on its best candidate: pInstall from the two_tower\n"
"model (the user embedding in tee, the context and the ad embeddings) or\n"
"from a logistic model of the egress payload's columns (f<i>, f<i>_<j>),\n"
"bid = pInstall x value x 1000 x shading, and the egress payloads built\n"
"from the signal features by the schemas' mappings.  Writes \"bids\" and\n"
"removes \"tee\".\n"
"\n"
"  --ads FILE             the ad catalog (NDJSON or CSV, gzip or not)\n"
"  --model FILE           the two_tower or logistic model (adsig(5));\n"
"                         logistic needs --egress-schema\n"
"  --shading F            multiply every bid by F > 0 (default 1)\n"
"  --egress-schema FILE   schema and mapping of egress_payload\n"
"  --temporary-egress-schema FILE\n"
"                         schema and mapping of\n"
"                         temporary_unlimited_egress_payload\n"
"  --schema FILE          both of them\n"
"  --udf-exec CMD         generateBid co-process (default: built in)\n"
"  --udf-timeout MS       bound on each co-process answer (default 1000)\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          print the closing summary always\n"
"  --progress             show progress on stderr\n"
"  -h, --help, -V, --version\n"
"\n"
"See pas-bid(1) and adsig(7).\n";

enum { OPT_ADS = RUN_OPT_TOOL, OPT_MODEL, OPT_SHADING, OPT_EGRESS,
	OPT_TEMP, OPT_SCHEMA, OPT_UDF, OPT_UDF_TIMEOUT };

#define MAX_FAIL_MSGS	100

struct ctx {
	struct run		*r;
	struct catalog		 cat;
	struct model2t		 m;
	struct lrm		*lr;		/* a logistic model, or NULL */
	struct bidmodel_lr	 lrb;		/* lr on egress_payload's columns */
	struct egress_values	 vals;		/* egress_payload's values */
	double			 shading;
	struct egmap		 eg[2];		/* egress, temporary */
	int			 has_eg[2];
	int			 use_udf;
	struct udf		 udf;
	int			 fatal;
	/* scratch */
	struct jmember		*mem;
	size_t			 mcap;
	struct jtape		 tape;		/* of fast() */
	struct buf		 emb_text;	/* a context embedding's text */
	double			*emb;		/* and its numbers */
	long			*src_at[2];	/* feat_names index -> source */
	double			*u, *c, *xs[2];
	unsigned char		*payload;
	size_t			 paycap;
	struct buf		 bids, req;
	struct strtab		 feat_names;	/* what the mappings read */
	/* counters */
	unsigned long		 requests, buyers, bids_made, no_candidates,
				 udf_failed, fail_msgs, undecodable;
};

static const char *const egname[2] = {
	"egress_payload", "temporary_unlimited_egress_payload"
};

static void
opt_member(struct buf *b, const char *key, const char *val)
{
	if (val == NULL)
		return;
	buf_addc(b, ',');
	jw_string(b, key, strlen(key));
	buf_addc(b, ':');
	jw_string(b, val, strlen(val));
}

/*
 * The source values of the egress mappings for one buyer: tee.features
 * when it has the name, else the payload in tee.signals read by the
 * built-in decoder (all 0 when it does not decode).
 */
static void
egress_sources(struct ctx *c, json_t *tee)
{
	struct sigstore_feat *ent = NULL;
	json_t *sig = json_object_get(tee, "signals"), *feats, *v;
	size_t nent = 0, len = 0, i;
	const char *hex;
	int e, ok = 0;

	if (json_is_string(sig)) {
		hex = json_string_value(sig);
		len = json_string_length(sig) / 2;
		if (len + 1 > c->paycap) {
			c->paycap = len + 1;
			c->payload = xrealloc(c->payload, c->paycap);
		}
		ok = sodium_hex2bin(c->payload, c->paycap, hex,
		    json_string_length(sig), NULL, &len, NULL) == 0 &&
		    sigstore_decode(c->payload, len, &ent, &nent, NULL, 0) == 0;
	}
	if (!ok) {
		nent = 0;
		c->undecodable++;
	}
	feats = json_object_get(tee, "features");
	for (e = 0; e < 2; e++) {
		if (!c->has_eg[e])
			continue;
		pasfeat_vector(&c->eg[e].feat, ent, nent, c->xs[e]);
		for (i = 0; i < c->eg[e].nsrc; i++) {
			v = json_object_get(feats, c->eg[e].names[i]);
			if (json_is_number(v))
				c->xs[e][i] = json_number_value(v);
		}
	}
	free(ent);
}

/* A parsed egress payload of a generateBid answer: an object, or a JSON
 * string holding one.  A new reference or NULL. */
static json_t *
answer_payload(json_t *v)
{
	json_t *p;

	if (json_is_object(v))
		return json_incref(v);
	if (!json_is_string(v))
		return NULL;
	p = json_loadb(json_string_value(v), json_string_length(v),
	    JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(p)) {
		json_decref(p);
		return NULL;
	}
	return p;
}

static void
udf_fail(struct ctx *c, const char *buyer, const char *why)
{
	c->udf_failed++;
	if (++c->fail_msgs <= MAX_FAIL_MSGS)
		diag_warn("buyer \"%s\": generateBid failed: %s%s", buyer, why,
		    c->fail_msgs == MAX_FAIL_MSGS ?
		    " (further failures are only counted)" : "");
}

/*
 * generateBid by the co-process: returns 0 after appending a bid (or
 * none: a bid <= 0, a null ad), 1 for a failed call, -1 when it died.
 */
static int
udf_bid(struct ctx *c, json_t *rec, const char *buyer, json_t *cands,
    json_t *tee, int *nb)
{
	const struct catalog_ad *a;
	const struct catalog_buyer *cb;
	json_t *ans = NULL, *v, *ad, *p;
	const char *s, *id;
	size_t anslen, i;
	double bid;
	char err[256];
	int rc, e;

	c->req.len = 0;
	buf_adds(&c->req, "{\"fn\":\"generateBid\",\"args\":[");
	jw_value(&c->req, cands);
	buf_adds(&c->req, ",null,");
	v = json_object_get(json_object_get(rec, "buyer_signals"), buyer);
	if (v != NULL)
		jw_value(&c->req, v);
	else
		buf_adds(&c->req, "null");
	buf_addc(&c->req, ',');
	v = json_object_get(tee, "prepared");
	if (v != NULL)
		jw_value(&c->req, v);
	else {
		buf_adds(&c->req, "{\"features\":");
		v = json_object_get(tee, "features");
		if (v != NULL)
			jw_value(&c->req, v);
		else
			buf_adds(&c->req, "{}");
		buf_addc(&c->req, '}');
	}
	buf_addc(&c->req, ',');
	v = json_object_get(tee, "signals");
	if (v != NULL)
		jw_value(&c->req, v);
	else
		buf_adds(&c->req, "\"\"");
	buf_addc(&c->req, ',');
	v = json_object_get(tee, "encoding_version");
	if (v != NULL)
		jw_value(&c->req, v);
	else
		buf_addc(&c->req, '0');
	buf_adds(&c->req, ",1,{\"buyer\":");
	jw_string(&c->req, buyer, strlen(buyer));
	if ((v = json_object_get(rec, "id")) != NULL) {
		buf_adds(&c->req, ",\"id\":");
		jw_value(&c->req, v);
	}
	if ((v = json_object_get(rec, "ctx")) != NULL) {
		buf_adds(&c->req, ",\"ctx\":");
		jw_value(&c->req, v);
	}
	buf_adds(&c->req, "}]}");
	rc = udf_call(&c->udf, c->req.p, c->req.len, &s, &anslen, err,
	    sizeof(err));
	if (rc == UDF_EDEAD || rc == UDF_ESYS) {
		diag_warn("--udf-exec: %s", err);
		run_fail(c->r, EX_SOFTWARE);
		c->fatal = 1;
		return -1;
	}
	if (rc != UDF_OK) {
		udf_fail(c, buyer, err);
		return 1;
	}
	ans = json_loadb(s, anslen, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(ans)) {
		json_decref(ans);
		udf_fail(c, buyer, "the answer is not a JSON object");
		return 1;
	}
	ad = json_object_get(ans, "ad");
	v = json_object_get(ans, "bid");
	if (ad == NULL || json_is_null(ad) || (json_is_number(v) &&
	    json_number_value(v) <= 0)) {
		json_decref(ans);
		return 0;			/* no bid */
	}
	if (json_is_object(ad))
		ad = json_object_get(ad, "ad_id");
	if (!json_is_string(ad) || !json_is_number(v) ||
	    !isfinite(bid = json_number_value(v))) {
		json_decref(ans);
		udf_fail(c, buyer, "the answer has no ad id and finite bid");
		return 1;
	}
	id = json_string_value(ad);
	for (i = 0; i < json_array_size(cands); i++)
		if (json_equal(json_object_get(json_array_get(cands, i),
		    "ad_id"), ad))
			break;
	if (i == json_array_size(cands) || (a = catalog_find(&c->cat, id,
	    strlen(id), &cb, NULL)) == NULL) {
		json_decref(ans);
		udf_fail(c, buyer, "the answer's ad is not a candidate");
		return 1;
	}
	if (*nb > 0)
		buf_addc(&c->bids, ',');
	++*nb;
	buf_adds(&c->bids, "{\"buyer\":");
	jw_string(&c->bids, buyer, strlen(buyer));
	buf_adds(&c->bids, ",\"ad_id\":");
	jw_string(&c->bids, id, strlen(id));
	v = json_object_get(ans, "render");
	opt_member(&c->bids, "render_url", json_is_string(v) ?
	    json_string_value(v) : a->render_url);
	opt_member(&c->bids, "campaign", a->campaign);
	opt_member(&c->bids, "advertiser", a->advertiser);
	opt_member(&c->bids, "category", a->category);
	buf_adds(&c->bids, ",\"bid\":");
	jw_real(&c->bids, bid * c->shading);
	v = json_object_get(ans, "pInstall");
	if (json_is_number(v)) {
		buf_adds(&c->bids, ",\"p_install\":");
		jw_real(&c->bids, json_number_value(v));
	}
	for (e = 0; e < 2; e++) {
		p = answer_payload(json_object_get(ans, e == 0 ?
		    "egressPayload" : "temporaryUnlimitedEgressPayload"));
		if (p == NULL)
			continue;
		buf_adds(&c->bids, ",\"");
		buf_adds(&c->bids, egname[e]);
		buf_adds(&c->bids, "\":");
		jw_value(&c->bids, p);
		json_decref(p);
	}
	buf_addc(&c->bids, '}');
	c->bids_made++;
	json_decref(ans);
	return 0;
}

/* The two_tower model's user and context vectors of one buyer, into
 * c->u and c->c.  0, or 1 (bad record, msg). */
static int
tower_inputs(struct ctx *c, json_t *rec, const char *buyer, json_t *tee,
    char *msg, size_t msglen)
{
	json_t *ue, *v;
	size_t j, d = (size_t)c->m.dim;
	char why[256];

	ue = json_object_get(tee, "user_embedding");
	if (!json_is_array(ue) || json_array_size(ue) != d) {
		snprintf(msg, msglen, "tee.%.80s.user_embedding is not an array "
		    "of %d numbers", buyer, c->m.dim);
		return 1;
	}
	for (j = 0; j < d; j++) {
		v = json_array_get(ue, j);
		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			snprintf(msg, msglen, "tee.%.80s.user_embedding is not "
			    "an array of %d numbers", buyer, c->m.dim);
			return 1;
		}
		c->u[j] = json_number_value(v);
	}
	if (model2t_context(&c->m, rec, buyer, c->c, why, sizeof(why)) != 0) {
		snprintf(msg, msglen, "%s", why);
		return 1;
	}
	return 0;
}

/*
 * The logistic model's pInstall of one buyer: the columns of the
 * egress_payload it is about to send, as egress-noise --decode makes
 * them.  The payload holds no ad, so every candidate gets this p.
 * Fills c->xs (egress_sources).  0, or 1 (bad record, msg).
 */
static int
logistic_p(struct ctx *c, json_t *tee, double *p, char *msg, size_t msglen)
{
	char why[256];

	egress_sources(c, tee);
	egmap_values(&c->eg[0], c->xs[0], &c->vals);
	if (bidmodel_lr_p(&c->lrb, &c->vals, p, why, sizeof(why)) != 0) {
		snprintf(msg, msglen, "the logistic model: %s", why);
		return 1;
	}
	return 0;
}

/* Appends the built-in bidder's bid on ad a to c->bids (the payloads
 * from c->xs). */
static void
write_bid(struct ctx *c, const char *buyer, size_t buyerlen,
    const struct catalog_ad *a, double bid, double p, int *nb)
{
	int e;

	if (*nb > 0)
		buf_addc(&c->bids, ',');
	++*nb;
	buf_adds(&c->bids, "{\"buyer\":");
	jw_string(&c->bids, buyer, buyerlen);
	buf_adds(&c->bids, ",\"ad_id\":");
	jw_string(&c->bids, a->ad_id, strlen(a->ad_id));
	opt_member(&c->bids, "render_url", a->render_url);
	opt_member(&c->bids, "campaign", a->campaign);
	opt_member(&c->bids, "advertiser", a->advertiser);
	opt_member(&c->bids, "category", a->category);
	buf_adds(&c->bids, ",\"bid\":");
	jw_real(&c->bids, bid);
	buf_adds(&c->bids, ",\"p_install\":");
	jw_real(&c->bids, p);
	for (e = 0; e < 2; e++) {
		if (!c->has_eg[e])
			continue;
		buf_adds(&c->bids, ",\"");
		buf_adds(&c->bids, egname[e]);
		buf_adds(&c->bids, "\":");
		egmap_payload(&c->eg[e], c->xs[e], &c->bids);
	}
	buf_addc(&c->bids, '}');
}

/* The best bid so far of one buyer: its ad, bid and pInstall. */
struct best {
	const struct catalog_ad	*a;
	double			 bid, p;
};

/*
 * Offers ad a (row ai of buyer cb) to *bb: the bid is pInstall (lr_p for
 * a logistic model, else the two-tower model's) x value x 1000 x shading;
 * the higher bid wins, a tie goes to the smaller ad_id.
 */
static void
offer(struct ctx *c, struct best *bb, const struct catalog_ad *a,
    const struct catalog_buyer *cb, size_t ai, double lr_p)
{
	double p, bid;

	p = c->lr != NULL ? lr_p : model2t_p(&c->m, c->u, c->c,
	    &cb->emb[ai * (size_t)c->m.dim]);
	bid = p * a->value * 1000 * c->shading;
	if (bb->a == NULL || bid > bb->bid || (bid == bb->bid &&
	    strcmp(a->ad_id, bb->a->ad_id) < 0)) {
		bb->a = a;
		bb->bid = bid;
		bb->p = p;
	}
}

/* The built-in generateBid of one buyer.  0, or 1 (bad record, msg). */
static int
builtin_bid(struct ctx *c, json_t *rec, const char *buyer, json_t *cands,
    json_t *tee, int *nb, char *msg, size_t msglen)
{
	const struct catalog_ad *a;
	struct best bb = { NULL, 0, 0 };
	const struct catalog_buyer *cb;
	json_t *cand, *id;
	size_t i, ai;
	double lr_p = 0;

	if (c->lr != NULL) {
		if (logistic_p(c, tee, &lr_p, msg, msglen) != 0)
			return 1;
	} else if (tower_inputs(c, rec, buyer, tee, msg, msglen) != 0)
		return 1;
	json_array_foreach(cands, i, cand) {
		id = json_object_get(cand, "ad_id");
		if (!json_is_string(id)) {
			snprintf(msg, msglen, "candidates.%.80s[%zu]: no string "
			    "\"ad_id\"", buyer, i);
			return 1;
		}
		a = catalog_find(&c->cat, json_string_value(id),
		    json_string_length(id), &cb, &ai);
		if (a == NULL || strcmp(cb->name, buyer) != 0) {
			snprintf(msg, msglen, "candidates.%.80s[%zu]: \"%.80s\" "
			    "is not an ad of the buyer in the catalog", buyer,
			    i, json_string_value(id));
			return 1;
		}
		offer(c, &bb, a, cb, ai, lr_p);
	}
	if (bb.a == NULL || !(bb.bid > 0))
		return 0;
	if (c->lr == NULL)
		egress_sources(c, tee);
	write_bid(c, buyer, strlen(buyer), bb.a, bb.bid, bb.p, nb);
	c->bids_made++;
	return 0;
}

/* One request: fills c->bids.  0, 1 (bad record, msg), -1 (stop). */
static int
request(struct ctx *c, json_t *rec, char *msg, size_t msglen)
{
	json_t *cands, *tee, *list, *bt;
	const char *buyer;
	int rc, nb = 0;

	cands = json_object_get(rec, "candidates");
	tee = json_object_get(rec, "tee");
	if (cands != NULL && !json_is_null(cands) && !json_is_object(cands)) {
		snprintf(msg, msglen, "\"candidates\" is not an object");
		return 1;
	}
	if (tee != NULL && !json_is_null(tee) && !json_is_object(tee)) {
		snprintf(msg, msglen, "\"tee\" is not an object");
		return 1;
	}
	c->bids.len = 0;
	buf_addc(&c->bids, '[');
	json_object_foreach(cands, buyer, list) {
		if (!json_is_array(list)) {
			snprintf(msg, msglen, "candidates.%.80s is not an array",
			    buyer);
			return 1;
		}
		c->buyers++;
		if (json_array_size(list) == 0) {
			c->no_candidates++;
			continue;
		}
		bt = json_object_get(tee, buyer);
		if (!json_is_object(bt)) {
			snprintf(msg, msglen, "tee has no object for buyer "
			    "\"%.80s\"", buyer);
			return 1;
		}
		if (c->use_udf)
			rc = udf_bid(c, rec, buyer, list, bt, &nb);
		else
			rc = builtin_bid(c, rec, buyer, list, bt, &nb, msg,
			    msglen);
		if (rc < 0)
			return -1;
		if (rc > 0 && !c->use_udf)
			return 1;
	}
	buf_addc(&c->bids, ']');
	c->requests++;
	return 0;
}

/* Writes the record without tee, with the bids when it is a request. */
static void
emit(struct ctx *c, struct buf *b, json_t *obj, int req, const char *raw,
    size_t rawlen)
{
	const char *k;
	json_t *v;
	size_t i = 0, nraw = jmember_all(raw, rawlen,
	    json_object_size(obj), &c->mem, &c->mcap);
	int first = 1, had = 0;

	buf_addc(b, '{');
	json_object_foreach(obj, k, v) {
		i++;
		if (strcmp(k, "tee") == 0)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		jw_string(b, k, strlen(k));
		buf_addc(b, ':');
		if (req && strcmp(k, "bids") == 0) {
			buf_add(b, c->bids.p, c->bids.len);
			had = 1;
		} else if (nraw > 0)
			buf_add(b, c->mem[i - 1].val, c->mem[i - 1].vallen);
		else
			jw_value(b, v);
	}
	if (req && !had) {
		buf_adds(b, first ? "\"bids\":" : ",\"bids\":");
		buf_add(b, c->bids.p, c->bids.len);
	}
	buf_add(b, "}\n", 2);
}

/* What became of a line in fast(). */
enum { LINE_STOP = -1, LINE_DECLINED, LINE_DONE };

/*
 * The fast path works on the tape of one line (jmember.h) and only ever
 * finishes a request that the jansson path would bid on without a
 * complaint: anything it would reject, or that the tape does not show
 * plainly (a string with escapes the bidder reads), is DECLINED before
 * anything is written or counted, and the jansson path decides.  Its
 * counters are kept apart until the line is done.
 */
struct fcount {
	unsigned long	buyers, bids_made, no_candidates, undecodable;
};

/* Node i is a string without escapes: its text between the quotes. */
static int
plain_string(const struct jtape *t, long i, const char **s, size_t *n)
{
	if (i < 0 || t->v[i].type != JNODE_STRING || t->v[i].esc)
		return 0;
	*s = t->v[i].val + 1;
	*n = t->v[i].vallen - 2;
	return 1;
}

/* Node i is an array of n numbers: into out (all finite on a tape). */
static int
tape_numbers(const struct jtape *t, long i, size_t n, double *out)
{
	size_t j, k;

	if (i < 0 || t->v[i].type != JNODE_ARRAY || t->v[i].n != n)
		return 0;
	for (j = (size_t)i + 1, k = 0; k < n; j = t->v[j].next, k++) {
		if (t->v[j].type != JNODE_NUMBER)
			return 0;
		out[k] = jtape_number(&t->v[j]);
	}
	return 1;
}

/* egress_sources() of tee object bt.  0, or -1 (decline). */
static int
fast_sources(struct ctx *c, long bt, struct fcount *fc)
{
	const struct jtape *t = &c->tape;
	struct sigstore_feat *ent = NULL;
	const char *hex;
	size_t nent = 0, len = 0, hexlen, j;
	long sig = jtape_find(t, bt, "signals", 7), feats, k;
	int e, ok = 0;

	if (sig >= 0 && t->v[sig].type == JNODE_STRING) {
		if (!plain_string(t, sig, &hex, &hexlen))
			return -1;
		len = hexlen / 2;
		if (len + 1 > c->paycap) {
			c->paycap = len + 1;
			c->payload = xrealloc(c->payload, c->paycap);
		}
		ok = sodium_hex2bin(c->payload, c->paycap, hex, hexlen, NULL,
		    &len, NULL) == 0 && sigstore_decode(c->payload, len, &ent,
		    &nent, NULL, 0) == 0;
	}
	if (!ok) {
		nent = 0;
		fc->undecodable++;
	}
	for (e = 0; e < 2; e++)
		if (c->has_eg[e])
			pasfeat_vector(&c->eg[e].feat, ent, nent, c->xs[e]);
	free(ent);
	/* features named by the mappings override (no key twice: the scan) */
	feats = jtape_find(t, bt, "features", 8);
	if (feats < 0 || t->v[feats].type != JNODE_OBJECT)
		return 0;
	for (j = (size_t)feats + 1; j < t->v[feats].next; j = t->v[j].next) {
		if (t->v[j].type != JNODE_NUMBER || (k = strtab_find(
		    &c->feat_names, t->v[j].key, t->v[j].keylen)) < 0)
			continue;
		for (e = 0; e < 2; e++)
			if (c->src_at[e][k] >= 0)
				c->xs[e][c->src_at[e][k]] =
				    jtape_number(&t->v[j]);
	}
	return 0;
}

/*
 * model2t_context() from the tape: c->c for buyer.  0, or -1 (decline:
 * a bad embedding, or a ctx string with escapes the model may read).
 */
static int
fast_context(struct ctx *c, long rec, const char *buyer, size_t blen)
{
	const struct jtape *t = &c->tape;
	const struct model2t *m = &c->m;
	const struct model2t_field *f;
	size_t i, k, d = (size_t)m->dim, n;
	long v, ctx;
	const char *s;

	for (i = 0; i < d; i++)
		c->c[i] = 0;
	if (m->embedding != NULL && (v = jtape_find(t, jtape_find(t, rec,
	    "buyer_signals", 13), buyer, blen)) >= 0 && (v = jtape_find(t, v,
	    m->embedding, strlen(m->embedding))) >= 0) {
		/* the buyers of a request often share one context: the
		 * numbers of the text read last are kept */
		if (t->v[v].vallen != c->emb_text.len || memcmp(t->v[v].val,
		    c->emb_text.p, c->emb_text.len) != 0) {
			c->emb_text.len = 0;
			if (!tape_numbers(t, v, d, c->emb))
				return -1;
			buf_add(&c->emb_text, t->v[v].val, t->v[v].vallen);
		}
		for (i = 0; i < d; i++)
			c->c[i] = c->emb[i] * m->scale;
	}
	ctx = jtape_find(t, rec, "ctx", 3);
	for (i = 0; ctx >= 0 && i < m->nfield; i++) {
		f = &m->field[i];
		v = jtape_find(t, ctx, f->name, strlen(f->name));
		if (v < 0 || t->v[v].type != JNODE_STRING)
			continue;
		if (!plain_string(t, v, &s, &n))
			return -1;
		for (k = 0; k < f->n; k++)
			if (strlen(f->val[k]) == n && memcmp(f->val[k], s,
			    n) == 0) {
				for (size_t j = 0; j < d; j++)
					c->c[j] += f->vec[k * d + j];
				break;
			}
	}
	return 0;
}

/* builtin_bid() from the tape: list and bt are nodes.  0, or -1. */
static int
fast_bid(struct ctx *c, long rec, const struct jnode *b, long list, long bt,
    int *nb, struct fcount *fc)
{
	const struct jtape *t = &c->tape;
	const struct catalog_ad *a;
	struct best bb = { NULL, 0, 0 };
	const struct catalog_buyer *cb;
	size_t j, ai, idlen, d = (size_t)c->m.dim;
	double lr_p = 0;
	const char *id;
	char why[256];

	if (c->lr != NULL) {
		if (fast_sources(c, bt, fc) != 0)
			return -1;
		egmap_values(&c->eg[0], c->xs[0], &c->vals);
		if (bidmodel_lr_p(&c->lrb, &c->vals, &lr_p, why,
		    sizeof(why)) != 0)
			return -1;
	} else if (!tape_numbers(t, jtape_find(t, bt, "user_embedding", 14),
	    d, c->u) || fast_context(c, rec, b->key, b->keylen) != 0)
		return -1;
	for (j = (size_t)list + 1; j < t->v[list].next; j = t->v[j].next) {
		if (!plain_string(t, jtape_find(t, (long)j, "ad_id", 5), &id,
		    &idlen) || (a = catalog_find(&c->cat, id, idlen, &cb,
		    &ai)) == NULL || strlen(cb->name) != b->keylen ||
		    memcmp(cb->name, b->key, b->keylen) != 0)
			return -1;
		offer(c, &bb, a, cb, ai, lr_p);
	}
	if (bb.a == NULL || !(bb.bid > 0))
		return 0;
	if (c->lr == NULL && fast_sources(c, bt, fc) != 0)
		return -1;
	write_bid(c, b->key, b->keylen, bb.a, bb.bid, bb.p, nb);
	fc->bids_made++;
	return 0;
}

/* request() from the tape: fills c->bids.  0, or -1 (decline). */
static int
fast_request(struct ctx *c, struct fcount *fc)
{
	const struct jtape *t = &c->tape;
	long cands = jtape_find(t, 0, "candidates", 10);
	long tee = jtape_find(t, 0, "tee", 3), bt;
	size_t j;
	int nb = 0;

	if ((cands >= 0 && t->v[cands].type != JNODE_NULL &&
	    t->v[cands].type != JNODE_OBJECT) || (tee >= 0 &&
	    t->v[tee].type != JNODE_NULL && t->v[tee].type != JNODE_OBJECT))
		return -1;
	c->bids.len = 0;
	buf_addc(&c->bids, '[');
	for (j = (size_t)cands + 1; cands >= 0 && j < t->v[cands].next;
	    j = t->v[j].next) {
		if (t->v[j].type != JNODE_ARRAY)
			return -1;
		fc->buyers++;
		if (t->v[j].n == 0) {
			fc->no_candidates++;
			continue;
		}
		bt = jtape_find(t, tee, t->v[j].key, t->v[j].keylen);
		if (bt < 0 || t->v[bt].type != JNODE_OBJECT ||
		    fast_bid(c, 0, &t->v[j], (long)j, bt, &nb, fc) != 0)
			return -1;
	}
	buf_addc(&c->bids, ']');
	return 0;
}

/*
 * The fast path for compact lines that jmember_scan() vouches for, with
 * the built-in bidder: one checking pass records the line's values
 * (jtape_scan), the bidder reads what it needs from there, and every
 * member but tee is copied to the output as it is.  Returns LINE_DONE,
 * LINE_DECLINED (the jansson path decides) or LINE_STOP.
 */
static int
fast(struct ctx *c, struct rin *in)
{
	struct run *r = c->r;
	struct jtape *t = &c->tape;
	struct buf *b = &r->out.b;
	struct fcount fc = { 0, 0, 0, 0 };
	const struct jnode *v;
	size_t i;
	long type, tee;
	int req, first = 1, had = 0;

	if (c->use_udf || in->is_csv ||
	    jtape_scan(in->raw, in->rawlen, t) != 0)
		return LINE_DECLINED;
	type = jtape_find(t, 0, "type", 4);
	tee = jtape_find(t, 0, "tee", 3);
	if (type >= 0 && t->v[type].esc)
		return LINE_DECLINED;
	req = type >= 0 && t->v[type].vallen == 9 &&
	    memcmp(t->v[type].val, "\"request\"", 9) == 0;
	if (!req && tee < 0) {
		buf_add(b, in->raw, in->rawlen);
		buf_addc(b, '\n');
		r->wrote++;
		return LINE_DONE;
	}
	if (req) {
		if (fast_request(c, &fc) != 0)
			return LINE_DECLINED;
		c->buyers += fc.buyers;
		c->bids_made += fc.bids_made;
		c->no_candidates += fc.no_candidates;
		c->undecodable += fc.undecodable;
		c->requests++;
	}
	buf_addc(b, '{');
	for (i = 1; i < t->v[0].next; i = v->next) {
		v = &t->v[i];
		if ((long)i == tee)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		buf_add(b, v->key - 1, v->keylen + 3);	/* "key": */
		if (req && v->keylen == 4 && memcmp(v->key, "bids", 4) == 0) {
			buf_add(b, c->bids.p, c->bids.len);
			had = 1;
		} else
			buf_add(b, v->val, v->vallen);
	}
	if (req && !had) {
		buf_adds(b, first ? "\"bids\":" : ",\"bids\":");
		buf_add(b, c->bids.p, c->bids.len);
	}
	buf_add(b, "}\n", 2);
	r->wrote++;
	return LINE_DONE;
}

static int
run_records(struct ctx *c, struct rin *in)
{
	struct run *r = c->r;
	char msg[512];
	int rc, req;

	while ((rc = rin_next(in)) == 1) {
		run_progress(r);
		if ((rc = fast(c, in)) == LINE_STOP)
			return -1;
		if (rc == LINE_DONE)
			goto flush;
		if (in->obj == NULL && (rc = rin_parse(in)) != 0) {
			if (rc == 1)
				goto flush;	/* rejected, --skip-bad */
			return -1;
		}
		req = rin_type_is(in->obj, "request");
		if (!req && json_object_get(in->obj, "tee") == NULL) {
			buf_add(&r->out.b, in->raw, in->rawlen);
			buf_addc(&r->out.b, '\n');
			r->wrote++;
		} else if (req && (rc = request(c, in->obj, msg,
		    sizeof(msg))) < 0)
			return -1;
		else if (req && rc > 0) {
			/* the record holds tee: its text never leaves */
			if (run_bad(r, in->file, in->line, "", 0, "%s", msg) != 0)
				return -1;
		} else {
			emit(c, &r->out.b, in->obj, req, in->raw, in->rawlen);
			r->wrote++;
		}
flush:
		if (out_maybe_flush(&r->out) != 0) {
			run_fail(r, EX_IOERR);
			return -1;
		}
	}
	return rc == 0 ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "ads",                     required_argument, NULL, OPT_ADS },
		{ "model",                   required_argument, NULL, OPT_MODEL },
		{ "shading",                 required_argument, NULL, OPT_SHADING },
		{ "egress-schema",           required_argument, NULL, OPT_EGRESS },
		{ "temporary-egress-schema", required_argument, NULL, OPT_TEMP },
		{ "schema",                  required_argument, NULL, OPT_SCHEMA },
		{ "udf-exec",                required_argument, NULL, OPT_UDF },
		{ "udf-timeout",             required_argument, NULL,
		    OPT_UDF_TIMEOUT },
		{ NULL, 0, NULL, 0 }
	};
	static struct ctx c;
	const char *ads = NULL, *model = NULL, *udf_cmd = NULL, *schema[2] = {
	    NULL, NULL };
	struct run r;
	struct rin in;
	char err[512], extra[512];
	int ch, rc, ex, e, udf_timeout = UDF_TIMEOUT_MS;
	enum bidmodel_type mtype;
	size_t i;

	run_init(&r, argv[0], synopsis, help);
	c.r = &r;
	c.shading = 1;
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_ADS:
			ads = optarg;
			break;
		case OPT_MODEL:
			model = optarg;
			break;
		case OPT_SHADING:
			c.shading = run_real(&r, "--shading", optarg);
			if (!(c.shading > 0))
				run_usage_error(&r, "--shading: \"%s\" is not a "
				    "number > 0", optarg);
			break;
		case OPT_EGRESS:
			schema[0] = optarg;
			break;
		case OPT_TEMP:
			schema[1] = optarg;
			break;
		case OPT_SCHEMA:
			schema[0] = schema[1] = optarg;
			break;
		case OPT_UDF:
			udf_cmd = optarg;
			break;
		case OPT_UDF_TIMEOUT:
			udf_timeout = (int)run_integer(&r, "--udf-timeout",
			    optarg, 1, INT_MAX);
			break;
		case RUN_OPT_CSV: case RUN_OPT_OFORMAT:
			run_usage_error(&r, "pas-bid writes NDJSON only");
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (ads == NULL || model == NULL)
		run_usage_error(&r, "--ads and --model are required");
	for (i = 0; i < (size_t)argc; i++)
		if (strcmp(argv[i], "-") == 0 && strcmp(ads, "-") == 0)
			run_usage_error(&r, "--ads -: standard input holds the "
			    "records");
	if (argc == 0 && strcmp(ads, "-") == 0)
		run_usage_error(&r, "--ads -: standard input holds the records");
	if ((rc = bidmodel_load(model, &mtype, &c.m, &c.lr, err,
	    sizeof(err))) != 0)
		diag_die(rc, "%s", err);
	if (mtype == BIDMODEL_LOGISTIC && schema[0] == NULL)
		run_usage_error(&r, "--model %s is a logistic model of the "
		    "egress_payload's columns: give --egress-schema (or "
		    "--schema)", model);
	for (e = 0; e < 2; e++) {
		if (schema[e] == NULL)
			continue;
		if (access(schema[e], R_OK) != 0)
			diag_die(EX_NOINPUT, "%s: %s", schema[e],
			    strerror(errno));
		if (egmap_load(&c.eg[e], schema[e], err, sizeof(err)) != 0)
			diag_die(EX_DATAERR, "%s", err);
		c.has_eg[e] = 1;
		c.xs[e] = xcalloc(c.eg[e].nsrc + 1, sizeof(double));
	}
	if (c.lr != NULL) {
		if (bidmodel_bind(&c.lrb, c.lr, c.eg[0].schema, err,
		    sizeof(err)) != 0)
			diag_die(EX_DATAERR, "%s: %s", model, err);
		egress_values_init(&c.vals, c.eg[0].schema);
	}
	/* a logistic model reads no embeddings: dim 0 */
	catalog_init(&c.cat, c.lr != NULL ? 0 : c.m.dim);
	if ((ex = catalog_load(&c.cat, ads)) != 0) {
		ex = diag_finish(ex);
		goto done;
	}
	c.u = xcalloc((size_t)c.m.dim, sizeof(double));
	c.c = xcalloc((size_t)c.m.dim, sizeof(double));
	c.emb = xcalloc((size_t)c.m.dim + 1, sizeof(double));
	if (udf_cmd != NULL) {
		c.use_udf = 1;
		if (udf_start(&c.udf, udf_cmd, udf_timeout, UDF_MAX_LINE, err,
		    sizeof(err)) != UDF_OK)
			diag_die(EX_OSERR, "%s", err);
	}
	if ((rc = run_start(&r)) != 0) {
		ex = diag_finish(rc);
		goto done;
	}
	for (e = 0; e < 2; e++)
		for (i = 0; c.has_eg[e] && i < c.eg[e].nsrc; i++)
			strtab_intern(&c.feat_names, c.eg[e].names[i],
			    strlen(c.eg[e].names[i]), NULL);
	for (e = 0; e < 2; e++) {
		c.src_at[e] = xcalloc(c.feat_names.count + 1, sizeof(long));
		for (i = 0; i < c.feat_names.count; i++)
			c.src_at[e][i] = -1;
		for (i = 0; c.has_eg[e] && i < c.eg[e].nsrc; i++)
			c.src_at[e][strtab_find(&c.feat_names,
			    c.eg[e].names[i], strlen(c.eg[e].names[i]))] =
			    (long)i;
	}
	rin_init(&in, &r, argv, argc);
	in.lazy = 1;
	run_records(&c, &in);
	rin_close(&in);
	if (c.use_udf && udf_close(&c.udf, err, sizeof(err)) != 0 &&
	    !c.fatal && !c.udf.dead)
		diag_warn("at exit: %s", err);
	snprintf(extra, sizeof(extra), "requests %lu, buyers %lu, bids %lu, "
	    "no candidates %lu, udf failed %lu", c.requests, c.buyers,
	    c.bids_made, c.no_candidates, c.udf_failed);
	ex = run_finish(&r, 0, extra);
done:
	catalog_free(&c.cat);
	model2t_free(&c.m);
	bidmodel_unbind(&c.lrb);
	lrm_free(c.lr);
	egress_values_free(&c.vals);
	for (e = 0; e < 2; e++) {
		egmap_free(&c.eg[e]);
		free(c.xs[e]);
	}
	free(c.u);
	free(c.c);
	free(c.emb);
	buf_free(&c.emb_text);
	free(c.payload);
	free(c.mem);
	jtape_free(&c.tape);
	free(c.src_at[0]);
	free(c.src_at[1]);
	strtab_free(&c.feat_names);
	buf_free(&c.bids);
	buf_free(&c.req);
	return ex;
}
