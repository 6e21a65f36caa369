/*
 * pas-retrieve: the buyer's side of a Protected App Signals auction,
 * inside the trust boundary: opens the sealed auction input, turns each
 * buyer's payload into features and the private user embedding
 * (prepareDataForAdRetrieval), and retrieves the top k ads of the
 * buyer's catalog by expected bid (the ad retrieval server).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <sodium.h>

#include "b64.h"
#include "catalog.h"
#include "diag.h"
#include "jmember.h"
#include "jw.h"
#include "keys.h"
#include "model2t.h"
#include "pai.h"
#include "rin.h"
#include "run.h"
#include "udf.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: pas-retrieve [-hVv] --ads FILE [-k N] --model FILE --secret-key FILE\n"
"                    [-o FILE] [--rejects FILE] [--skip-bad] [--udf-exec CMD]\n"
"                    [--udf-timeout MS] [file ...]";

static const char help[] =
"Opens each request's auction_input with the auction's secret key, builds\n"
"every buyer's features and private user embedding, and writes the top k\n"
"ads of the buyer's catalog by expected bid (candidates) and the private\n"
"data for pas-bid (tee) in place of auction_input.\n"
"\n"
"  --secret-key FILE      the auction's secret key, mode 0600\n"
"  --ads FILE             the ad catalog (NDJSON or CSV, gzip or not)\n"
"  --model FILE           the two_tower model (adsig(5))\n"
"  -k N                   candidates per buyer (default 10)\n"
"  --udf-exec CMD         prepareDataForAdRetrieval co-process\n"
"                         (default: the built-in decoder)\n"
"  --udf-timeout MS       bound on each co-process answer (default 1000)\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          print the closing summary always\n"
"  --progress             show progress on stderr\n"
"  -h, --help, -V, --version\n"
"\n"
"See pas-retrieve(1) and adsig(7).\n";

enum { OPT_SECRET = RUN_OPT_TOOL, OPT_ADS, OPT_MODEL, OPT_UDF,
	OPT_UDF_TIMEOUT };

#define MAX_FAIL_MSGS	100

struct adtext {
	char	*text;		/* NULL until first used */
	size_t	 head, len;	/* the score goes at text + head */
};

struct ctx {
	struct run		*r;
	unsigned char		 sk[HPKE_NSK];
	struct catalog		 cat;
	struct model2t		 m;
	size_t			 k;
	unsigned char		*dupfeat;	/* a name listed before */
	int			 use_udf;
	struct udf		 udf;
	int			 fatal;
	/* scratch */
	struct jmember		*mem;
	size_t			 mcap;
	double			*x, *u, *c;
	uint64_t		*mask;
	size_t			 maskcap;
	struct catalog_hit	*hits;
	struct adtext		**adtext;	/* per catalog buyer, per ad */
	struct buf		 cand, tee, req;
	unsigned char		*ct;
	size_t			 ctcap;
	/* counters */
	unsigned long		 requests, buyers, candidates, no_input,
				 no_payload, undecodable, udf_failed,
				 fail_msgs;
	unsigned long long	 exact, filtered;
};

/* Upper-case hex of p[0..n) as a JSON string. */
static void
hex_string(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		buf_addc(b, hx[p[i] >> 4]);
		buf_addc(b, hx[p[i] & 15]);
	}
	buf_addc(b, '"');
}

static void
opt_member(struct buf *b, const char *key, const char *val, int *first)
{
	if (val == NULL)
		return;
	if (!*first)
		buf_addc(b, ',');
	*first = 0;
	jw_string(b, key, strlen(key));
	buf_addc(b, ':');
	jw_string(b, val, strlen(val));
}

/*
 * A candidate's text but its score, made on the ad's first use and kept:
 * {"ad_id":..,"render_url":..,"score":  and  ,"meta":{..}}
 */
static const struct adtext *
ad_text(struct ctx *c, const struct catalog_buyer *cb, uint32_t ad)
{
	const struct catalog_ad *a = &cb->ad[ad];
	struct adtext **tab = &c->adtext[cb - c->cat.b], *t;
	struct buf b = { 0 };
	int first = 1;

	if (*tab == NULL)
		*tab = xcalloc(cb->n + 1, sizeof(**tab));
	t = &(*tab)[ad];
	if (t->text != NULL)
		return t;
	buf_adds(&b, "{\"ad_id\":");
	jw_string(&b, a->ad_id, strlen(a->ad_id));
	if (a->render_url != NULL) {
		buf_adds(&b, ",\"render_url\":");
		jw_string(&b, a->render_url, strlen(a->render_url));
	}
	buf_adds(&b, ",\"score\":");
	t->head = b.len;
	buf_adds(&b, ",\"meta\":{");
	opt_member(&b, "campaign", a->campaign, &first);
	opt_member(&b, "advertiser", a->advertiser, &first);
	opt_member(&b, "category", a->category, &first);
	buf_adds(&b, first ? "\"value\":" : ",\"value\":");
	jw_real(&b, a->value);
	buf_adds(&b, "}}");
	t->len = b.len;
	t->text = b.p;
	return t;
}

static void
write_candidates(struct ctx *c, const struct catalog_buyer *cb, size_t n)
{
	const struct adtext *t;
	struct buf *b = &c->cand;
	size_t i;

	buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		t = ad_text(c, cb, c->hits[i].ad);
		if (i > 0)
			buf_addc(b, ',');
		buf_add(b, t->text, t->head);
		jw_real(b, c->hits[i].score);
		buf_add(b, t->text + t->head, t->len - t->head);
	}
	buf_addc(b, ']');
	c->candidates += n;
}

/*
 * x from the co-process: prepareDataForAdRetrieval(encodedOnDeviceSignals,
 * encodingVersion, auctionSignals, buyerSignals).  Its answer must be a
 * JSON object; its "features" object gives x by the model's names (a
 * missing name is 0).  Returns 0 with the answer (a new reference) in
 * *prep, 1 for a failed call (counted, reported), or -1 when the
 * co-process died (the run stops, exit 70).
 */
static int
udf_features(struct ctx *c, const struct pai_buyer *pb, json_t *rec,
    json_t **prep)
{
	const char *ans;
	size_t anslen, i;
	json_t *bs, *a, *f, *v;
	char err[256];
	int rc;

	*prep = NULL;
	c->req.len = 0;
	buf_adds(&c->req, "{\"fn\":\"prepareDataForAdRetrieval\",\"args\":[");
	hex_string(&c->req, pb->payload, pb->len);
	buf_addc(&c->req, ',');
	jw_int(&c->req, pb->encoding_version);
	buf_adds(&c->req, ",null,");
	bs = json_object_getn(json_object_get(rec, "buyer_signals"), pb->name,
	    strlen(pb->name));
	if (bs != NULL)
		jw_value(&c->req, bs);
	else
		buf_adds(&c->req, "null");
	buf_adds(&c->req, "]}");
	rc = udf_call(&c->udf, c->req.p, c->req.len, &ans, &anslen, err,
	    sizeof(err));
	if (rc == UDF_EDEAD || rc == UDF_ESYS) {
		diag_warn("--udf-exec: %s", err);
		run_fail(c->r, EX_SOFTWARE);
		c->fatal = 1;
		return -1;
	}
	if (rc == UDF_OK) {
		a = json_loadb(ans, anslen, JSON_REJECT_DUPLICATES, NULL);
		f = json_object_get(a, "features");
		if (json_is_object(f)) {
			for (i = 0; i < c->m.nfeat; i++) {
				v = json_object_get(f, c->m.feature[i]);
				c->x[i] = json_is_number(v) &&
				    isfinite(json_number_value(v)) ?
				    json_number_value(v) : 0;
			}
			*prep = a;
			return 0;
		}
		json_decref(a);
		snprintf(err, sizeof(err), "the answer is not a JSON object "
		    "with a \"features\" object");
	}
	c->udf_failed++;
	if (++c->fail_msgs <= MAX_FAIL_MSGS)
		diag_warn("buyer \"%s\": prepareDataForAdRetrieval failed: %s%s",
		    pb->name, err, c->fail_msgs == MAX_FAIL_MSGS ?
		    " (further failures are only counted)" : "");
	return 1;
}

/* The tee entry of one buyer. */
static void
write_tee(struct ctx *c, const struct pai_buyer *pb, json_t *prep,
    const char *decode_error)
{
	struct buf *b = &c->tee;
	size_t i;
	int d = c->m.dim;

	buf_adds(b, "{\"encoding_version\":");
	jw_int(b, pb->encoding_version);
	buf_adds(b, ",\"signals\":");
	hex_string(b, pb->payload, pb->len);
	if (decode_error != NULL) {
		buf_adds(b, ",\"decode_error\":");
		jw_string(b, decode_error, strlen(decode_error));
	}
	if (prep != NULL) {
		buf_adds(b, ",\"prepared\":");
		jw_value(b, prep);
	}
	buf_adds(b, ",\"features\":{");
	for (i = 0; i < c->m.nfeat; i++) {
		if (c->dupfeat[i])
			continue;	/* a name twice: once in the object */
		if (i > 0)
			buf_addc(b, ',');
		jw_string(b, c->m.feature[i], strlen(c->m.feature[i]));
		buf_addc(b, ':');
		jw_real(b, c->x[i]);
	}
	buf_adds(b, "},\"user_embedding\":[");
	for (i = 0; i < (size_t)d; i++) {
		if (i > 0)
			buf_addc(b, ',');
		jw_real(b, c->u[i]);
	}
	buf_adds(b, "]}");
}

/*
 * One buyer of a request: appends "BUYER":[...] to c->cand and, when
 * it has a payload, "BUYER":{...} to c->tee.  Returns 0, 1 for a bad
 * record (reason in msg), or -1 to stop.
 */
static int
buyer(struct ctx *c, json_t *rec, const struct pai_opened *o,
    const char *name, size_t namelen, int *tee_first, char *msg,
    size_t msglen)
{
	const struct pai_buyer *pb = NULL;
	const struct catalog_buyer *cb;
	const char *val[CAT_NFIELDS];
	json_t *prep = NULL;
	char why[256];
	const char *derr = NULL;
	size_t i, n = 0, ne = 0, nf = 0;
	int rc;

	jw_string(&c->cand, name, namelen);
	buf_addc(&c->cand, ':');
	c->buyers++;
	for (i = 0; o != NULL && i < o->in.nbuyers; i++)
		if (strlen(o->in.buyers[i].name) == namelen &&
		    memcmp(o->in.buyers[i].name, name, namelen) == 0)
			pb = &o->in.buyers[i];
	if (pb == NULL) {
		c->no_payload++;
		buf_adds(&c->cand, "[]");
		return 0;
	}
	if (c->use_udf) {
		if ((rc = udf_features(c, pb, rec, &prep)) != 0) {
			buf_adds(&c->cand, "[]");
			return rc < 0 ? -1 : 0;
		}
	} else if (pasfeat_payload(&c->m.feat, pb->payload, pb->len, c->x,
	    why, sizeof(why)) != 0) {
		/* adsig(5): no feature vector, the buyer has no signals */
		memset(c->x, 0, c->m.nfeat * sizeof(*c->x));
		derr = why;
		c->undecodable++;
	}
	if (model2t_context(&c->m, rec, pb->name, c->c, why,
	    sizeof(why)) != 0) {
		json_decref(prep);
		snprintf(msg, msglen, "%s", why);
		return 1;
	}
	model2t_user(&c->m, c->x, c->u);
	if ((cb = catalog_buyer(&c->cat, name, namelen)) != NULL) {
		catalog_ctx_values(json_object_get(rec, "ctx"), val);
		catalog_retrieve(&c->cat, cb, val, &c->m, c->u, c->c, c->k,
		    c->mask, c->hits, &n, &nf, &ne);
		c->filtered += nf;
		c->exact += ne;
		write_candidates(c, cb, n);
	} else
		buf_adds(&c->cand, "[]");
	if (!*tee_first)
		buf_addc(&c->tee, ',');
	*tee_first = 0;
	jw_string(&c->tee, name, namelen);
	buf_addc(&c->tee, ':');
	write_tee(c, pb, prep, derr);
	json_decref(prep);
	return 0;
}

/* Opens auction_input into *o.  0, 1 (bad record, msg), or -1 (stop). */
static int
open_input(struct ctx *c, json_t *ai, struct pai_opened *o, char *msg,
    size_t msglen)
{
	json_t *ct = json_object_get(ai, "ciphertext"), *kid;
	const char *b64;
	size_t len, ctlen;
	char err[256];
	int rc, key_id = -1;

	if (!json_is_object(ai) || !json_is_string(ct)) {
		snprintf(msg, msglen, "auction_input has no string "
		    "\"ciphertext\"");
		return 1;
	}
	/* key_id, where given, is the key the header names (adsig(5)) */
	if ((kid = json_object_get(ai, "key_id")) != NULL &&
	    !json_is_null(kid)) {
		if (!json_is_integer(kid) || json_integer_value(kid) < 0 ||
		    json_integer_value(kid) > 255) {
			snprintf(msg, msglen, "auction_input key_id is not an "
			    "integer from 0 to 255");
			return 1;
		}
		key_id = (int)json_integer_value(kid);
	}
	b64 = json_string_value(ct);
	len = json_string_length(ct);
	if (len / 4 * 3 + 3 > c->ctcap) {
		c->ctcap = len / 4 * 3 + 3;
		c->ct = xrealloc(c->ct, c->ctcap);
	}
	if (b64_decode(c->ct, c->ctcap, b64, len, &ctlen) != 0) {
		snprintf(msg, msglen, "auction_input ciphertext is not "
		    "standard base64");
		return 1;
	}
	rc = pai_open(c->sk, key_id, c->ct, ctlen, o, err, sizeof(err));
	if (rc == PAI_OK)
		return 0;
	if (rc == PAI_ECRYPTO) {
		diag_warn("%s", err);
		run_fail(c->r, EX_OSERR);
		c->fatal = 1;
		return -1;
	}
	snprintf(msg, msglen, "cannot open auction_input (%s): %s",
	    pai_error_class(rc), err);
	return 1;
}

/* Writes the record without auction_input, with candidates and tee. */
static void
emit(struct ctx *c, struct buf *b, json_t *obj, const char *raw,
    size_t rawlen)
{
	const char *k;
	json_t *v;
	size_t i = 0, nraw = jmember_all(raw, rawlen,
	    json_object_size(obj), &c->mem, &c->mcap);
	int first = 1, had_cand = 0, had_tee = 0;

	buf_addc(b, '{');
	json_object_foreach(obj, k, v) {
		i++;
		if (strcmp(k, "auction_input") == 0)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		jw_string(b, k, strlen(k));
		buf_addc(b, ':');
		if (strcmp(k, "candidates") == 0) {
			buf_add(b, c->cand.p, c->cand.len);
			had_cand = 1;
		} else if (strcmp(k, "tee") == 0) {
			buf_add(b, c->tee.p, c->tee.len);
			had_tee = 1;
		} else if (nraw > 0)
			buf_add(b, c->mem[i - 1].val, c->mem[i - 1].vallen);
		else
			jw_value(b, v);
	}
	if (!had_cand) {
		buf_adds(b, first ? "\"candidates\":" : ",\"candidates\":");
		buf_add(b, c->cand.p, c->cand.len);
		first = 0;
	}
	if (!had_tee) {
		buf_adds(b, first ? "\"tee\":" : ",\"tee\":");
		buf_add(b, c->tee.p, c->tee.len);
	}
	buf_add(b, "}\n", 2);
}

/* One request.  0, 1 (bad record, msg), -1 (stop). */
static int
request(struct ctx *c, json_t *rec, char *msg, size_t msglen)
{
	struct pai_opened o;
	json_t *ai, *bl, *e;
	size_t i, j;
	int rc = 0, opened = 0, tee_first = 1;

	memset(&o, 0, sizeof(o));
	ai = json_object_get(rec, "auction_input");
	bl = json_object_get(rec, "buyers");
	if (bl != NULL && !json_is_null(bl)) {
		if (!json_is_array(bl)) {
			snprintf(msg, msglen, "\"buyers\" is not an array");
			return 1;
		}
		json_array_foreach(bl, i, e)
			if (!json_is_string(e) || json_string_length(e) == 0) {
				snprintf(msg, msglen, "buyers[%zu] is not a "
				    "non-empty string", i);
				return 1;
			}
	}
	if (ai != NULL && !json_is_null(ai)) {
		if ((rc = open_input(c, ai, &o, msg, msglen)) != 0)
			return rc;
		opened = 1;
	} else
		c->no_input++;
	c->cand.len = c->tee.len = 0;
	buf_addc(&c->cand, '{');
	buf_addc(&c->tee, '{');
	if (json_is_array(bl)) {
		json_array_foreach(bl, i, e) {
			for (j = 0; j < i; j++)
				if (json_equal(json_array_get(bl, j), e))
					break;
			if (j < i)
				continue;	/* named twice */
			if (c->cand.len > 1)
				buf_addc(&c->cand, ',');
			if ((rc = buyer(c, rec, opened ? &o : NULL,
			    json_string_value(e), json_string_length(e),
			    &tee_first, msg, msglen)) != 0)
				break;
		}
	} else {
		for (i = 0; opened && i < o.in.nbuyers; i++) {
			if (c->cand.len > 1)
				buf_addc(&c->cand, ',');
			if ((rc = buyer(c, rec, &o, o.in.buyers[i].name,
			    strlen(o.in.buyers[i].name), &tee_first, msg,
			    msglen)) != 0)
				break;
		}
	}
	buf_addc(&c->cand, '}');
	buf_addc(&c->tee, '}');
	pai_opened_free(&o);
	if (rc == 0)
		c->requests++;
	return rc;
}

static int
run_records(struct ctx *c, struct rin *in)
{
	struct run *r = c->r;
	char msg[512];
	int rc;

	while ((rc = rin_next(in)) == 1) {
		run_progress(r);
		if (!rin_type_is(in->obj, "request")) {
			buf_add(&r->out.b, in->raw, in->rawlen);
			buf_addc(&r->out.b, '\n');
			r->wrote++;
		} else if ((rc = request(c, in->obj, msg, sizeof(msg))) < 0) {
			sodium_memzero(c->tee.p, c->tee.len);
			return -1;
		} else if (rc > 0) {
			if (run_bad(r, in->file, in->line, in->raw, in->rawlen,
			    "%s", msg) != 0)
				return -1;
		} else {
			emit(c, &r->out.b, in->obj, in->raw, in->rawlen);
			r->wrote++;
		}
		if (c->tee.len > 0)
			sodium_memzero(c->tee.p, c->tee.len);
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
		{ "secret-key",  required_argument, NULL, OPT_SECRET },
		{ "ads",         required_argument, NULL, OPT_ADS },
		{ "model",       required_argument, NULL, OPT_MODEL },
		{ "udf-exec",    required_argument, NULL, OPT_UDF },
		{ "udf-timeout", required_argument, NULL, OPT_UDF_TIMEOUT },
		{ NULL, 0, NULL, 0 }
	};
	static struct ctx c;
	const char *secret = NULL, *ads = NULL, *model = NULL, *udf_cmd = NULL;
	struct run r;
	struct rin in;
	char err[512], extra[512];
	int ch, rc, ex, udf_timeout = UDF_TIMEOUT_MS;
	size_t maxn = 0, i, j;

	run_init(&r, argv[0], synopsis, help);
	c.r = &r;
	c.k = 10;
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS "k:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_SECRET:
			secret = optarg;
			break;
		case OPT_ADS:
			ads = optarg;
			break;
		case OPT_MODEL:
			model = optarg;
			break;
		case 'k':
			c.k = (size_t)run_integer(&r, "-k", optarg, 1, 100000);
			break;
		case OPT_UDF:
			udf_cmd = optarg;
			break;
		case OPT_UDF_TIMEOUT:
			udf_timeout = (int)run_integer(&r, "--udf-timeout",
			    optarg, 1, INT_MAX);
			break;
		case RUN_OPT_CSV: case RUN_OPT_OFORMAT:
			run_usage_error(&r, "pas-retrieve writes NDJSON only");
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (secret == NULL || ads == NULL || model == NULL)
		run_usage_error(&r, "--secret-key, --ads and --model are "
		    "required");
	for (i = 0; i < (size_t)argc; i++)
		if (strcmp(argv[i], "-") == 0 && strcmp(ads, "-") == 0)
			run_usage_error(&r, "--ads -: standard input holds the "
			    "records");
	if (argc == 0 && strcmp(ads, "-") == 0)
		run_usage_error(&r, "--ads -: standard input holds the records");
	if (hpke_available(err, sizeof(err)) != 0)
		diag_die(EX_OSERR, "%s", err);
	if ((rc = keys_load_secret(secret, c.sk, err, sizeof(err))) != 0)
		diag_die(rc, "%s", err);
	if ((rc = model2t_load(&c.m, model, err, sizeof(err))) != 0)
		diag_die(rc, "%s", err);
	catalog_init(&c.cat, c.m.dim);
	if ((ex = catalog_load(&c.cat, ads)) != 0) {
		ex = diag_finish(ex);
		goto done;
	}
	for (i = 0; i < c.cat.names.count; i++)
		if (c.cat.b[i].n > maxn)
			maxn = c.cat.b[i].n;
	c.dupfeat = xcalloc(c.m.nfeat + 1, 1);
	for (i = 0; i < c.m.nfeat; i++)
		for (j = 0; j < i && !c.dupfeat[i]; j++)
			c.dupfeat[i] = strcmp(c.m.feature[j],
			    c.m.feature[i]) == 0;
	c.x = xcalloc(c.m.nfeat + 1, sizeof(double));
	c.u = xcalloc((size_t)c.m.dim, sizeof(double));
	c.c = xcalloc((size_t)c.m.dim, sizeof(double));
	c.mask = xcalloc(maxn / 64 + 1, sizeof(uint64_t));
	c.hits = xcalloc(c.k, sizeof(*c.hits));
	c.adtext = xcalloc(c.cat.names.count + 1, sizeof(*c.adtext));
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
	rin_init(&in, &r, argv, argc);
	run_records(&c, &in);
	rin_close(&in);
	if (c.use_udf && udf_close(&c.udf, err, sizeof(err)) != 0 &&
	    !c.fatal && !c.udf.dead)
		diag_warn("at exit: %s", err);
	snprintf(extra, sizeof(extra), "requests %lu, buyers %lu, candidates "
	    "%lu, no input %lu, no payload %lu, undecodable %lu, udf failed "
	    "%lu, ads filtered in %llu, scored exactly %llu", c.requests,
	    c.buyers, c.candidates, c.no_input, c.no_payload, c.undecodable,
	    c.udf_failed, c.filtered, c.exact);
	ex = run_finish(&r, 0, extra);
done:
	sodium_memzero(c.sk, sizeof(c.sk));
	for (i = 0; c.adtext != NULL && i < c.cat.names.count; i++) {
		for (j = 0; c.adtext[i] != NULL && j < c.cat.b[i].n; j++)
			free(c.adtext[i][j].text);
		free(c.adtext[i]);
	}
	free(c.adtext);
	catalog_free(&c.cat);
	model2t_free(&c.m);
	free(c.dupfeat);
	free(c.x);
	free(c.u);
	free(c.c);
	free(c.mask);
	free(c.hits);
	free(c.ct);
	free(c.mem);
	buf_free(&c.cand);
	buf_free(&c.tee);
	buf_free(&c.req);
	return ex;
}
