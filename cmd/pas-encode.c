/*
 * pas-encode: the device of the Protected App Signals replay.  Applies
 * signal updates per device and buyer, encodes on the hourly clock,
 * and seals a ProtectedAuctionInput into every request.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <sodium.h>

#include "b64.h"
#include "diag.h"
#include "encoder.h"
#include "jw.h"
#include "keys.h"
#include "pai.h"
#include "paiview.h"
#include "pasdev.h"
#include "pmap.h"
#include "reorder.h"
#include "rin.h"
#include "run.h"
#include "sealq.h"
#include "sigstore.h"
#include "ts.h"
#include "udf.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: pas-encode [-hVv] --key-config FILE [-j THREADS] [--encoding-version V]\n"
"                  [--label auction|bhttp] [--max-failures N] [--max-size BYTES]\n"
"                  [--max-update BYTES] [-o FILE] [--period SECONDS]\n"
"                  [--quota-high BYTES] [--quota-low BYTES] [--rejects FILE]\n"
"                  [--reorder-window SECONDS] [--seed N] [--skip-bad]\n"
"                  [--ttl SECONDS] [--udf-exec CMD] [--udf-timeout MS] [file ...]\n"
"       pas-encode --open --secret-key FILE [--decode] [-o FILE] [file ...]";

static const char help[] =
"Applies signal updates per device and buyer, encodes them on the hourly\n"
"clock, and appends a sealed ProtectedAuctionInput (auction_input) to every\n"
"request.  Signals records are consumed; other records pass through.\n"
"\n"
"  --key-config FILE      the auction's public key (key config hex or JSON)\n"
"  --udf-exec CMD         encodeSignals co-process (default: built-in encoder)\n"
"  --udf-timeout MS       bound on each co-process answer (default 1000)\n"
"  --encoding-version V   the encoder version (default 0)\n"
"  --period SECONDS       encoding period (default 3600)\n"
"  --max-size BYTES       encoder maxSize (default 1536)\n"
"  --max-failures N       failures in a row that stop a version (default 3)\n"
"  --ttl SECONDS          signal and payload lifetime (default 5184000)\n"
"  --quota-high BYTES     eviction threshold per buyer (default 15360)\n"
"  --quota-low BYTES      eviction target (default 10240)\n"
"  --max-update BYTES     largest update, written compactly (default 10240)\n"
"  --reorder-window SECONDS  re-sort records up to this much out of order\n"
"  --label auction|bhttp  OHTTP label (default auction)\n"
"  -j, --threads N        sealing threads (default: the number of CPUs)\n"
"  --seed N               reproducible ephemeral keys (per request id)\n"
"  --open                 open auction_input instead (needs --secret-key)\n"
"  --secret-key FILE      the auction's secret key, mode 0600\n"
"  --decode               with --open: read payloads of the built-in encoder\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          print the closing summary always\n"
"  --progress             show progress on stderr\n"
"  -h, --help, -V, --version\n"
"\n"
"See pas-encode(1) and adsig(7).\n";

enum {
	OPT_KEYCONFIG = RUN_OPT_TOOL, OPT_UDF, OPT_UDF_TIMEOUT, OPT_VERSION,
	OPT_PERIOD, OPT_MAXSIZE, OPT_MAXFAIL, OPT_TTL, OPT_QHIGH, OPT_QLOW,
	OPT_MAXUPD, OPT_REORDER, OPT_LABEL, OPT_OPEN, OPT_SECRET, OPT_DECODE
};

#define MAX_FAIL_MSGS	100

struct enc {
	struct run		*r;
	struct pasdev_table	 t;
	struct ohttp_keyconfig	 kc;
	enum ohttp_label	 label;
	int			 threads;
	struct sealq		 q;		/* the batch */
	/* time order */
	struct ts		 last;
	int			 have_last;
	int64_t			 window;
	/* the encoder */
	int			 use_udf;
	struct udf		 udf;
	struct buf		 req;
	unsigned long		 fail_msgs;
	int			 fatal;
	/* counters */
	unsigned long		 passed, applied;
};

/* ---- the encoder ------------------------------------------------------ */

static int
encode_cb(void *arg, const struct sigstore_snap *s,
    const struct sigstore_buyer *b, int64_t job, unsigned char *out,
    size_t *outlen, char *err, size_t errlen)
{
	struct enc *e = arg;
	const char *ans;
	size_t anslen;
	int rc;

	if (!e->use_udf)
		return sigstore_encode(s, job, e->t.p.max_size, out, outlen,
		    err, errlen) == 0 ? 0 : 1;
	e->req.len = 0;
	encoder_request(&e->req, s, &e->t.st, e->t.p.max_size);
	rc = udf_call(&e->udf, e->req.p, e->req.len, &ans, &anslen, err,
	    errlen);
	if (rc == UDF_EDEAD || rc == UDF_ESYS)
		return -1;
	if (rc != UDF_OK)
		return 1;
	return encoder_answer(ans, anslen, e->t.p.max_size, out, outlen, err,
	    errlen) == 0 ? 0 : 1;
}

static void
fail_cb(void *arg, const struct pasdev *d, const struct sigstore_buyer *b,
    int64_t job, const char *why)
{
	struct enc *e = arg;

	if (++e->fail_msgs > MAX_FAIL_MSGS)
		return;
	diag_warn("device \"%s\", buyer \"%s\", job %lld: encoding failed: "
	    "%s%s", d->id, sigstore_strtab_get(&e->t.st, b->name),
	    (long long)job, why, e->fail_msgs == MAX_FAIL_MSGS ?
	    " (further failures are only counted)" : "");
}

/* ---- records ---------------------------------------------------------- */

struct rec {
	json_t		*obj;
	const char	*raw;
	size_t		 rawlen;
	const char	*file;
	unsigned long	 line;
};

static int
bad(struct enc *e, const struct rec *x, const char *why)
{
	return run_bad(e->r, x->file, x->line, x->raw, x->rawlen, "%s",
	    why) != 0 ? -1 : 0;
}

/* A non-empty string member, or NULL. */
static const char *
member_str(json_t *o, const char *k, size_t *len)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_string(v) || json_string_length(v) == 0)
		return NULL;
	if (len != NULL)
		*len = json_string_length(v);
	return json_string_value(v);
}

static int
get_ts(json_t *o, struct ts *t, char *why, size_t whylen)
{
	json_t *v = json_object_get(o, "ts");

	if (v == NULL) {
		snprintf(why, whylen, "no \"ts\"");
		return -1;
	}
	return ts_from_json(v, t, why, whylen);
}

static int
in_order(struct enc *e, const struct ts *t, char *why, size_t whylen)
{
	if (e->have_last && ts_cmp(t, &e->last) < 0) {
		snprintf(why, whylen, "ts %lld%s is before %lld%s, the time "
		    "already reached (records must be in time order%s)",
		    (long long)t->sec, t->nsec ? "+" : "",
		    (long long)e->last.sec, e->last.nsec ? "+" : "",
		    e->window ? "; beyond --reorder-window" :
		    "; see --reorder-window");
		return -1;
	}
	e->last = *t;
	e->have_last = 1;
	return 0;
}

static int
stop_fatal(struct enc *e, const struct rec *x, const char *why)
{
	diag_at(x->file, x->line, "encoder: %s", why);
	run_fail(e->r, EX_SOFTWARE);
	e->fatal = 1;
	return -1;
}

static int
on_signals(struct enc *e, const struct rec *x)
{
	const char *dev, *buyer, *app;
	struct sigstore_stats st;
	struct pasdev *d;
	struct ts t;
	size_t dlen;
	json_t *app_v, *upd;
	char why[512];

	if (get_ts(x->obj, &t, why, sizeof(why)) != 0)
		return bad(e, x, why);
	if ((dev = member_str(x->obj, "device", &dlen)) == NULL)
		return bad(e, x, "signals record has no string \"device\"");
	if (memchr(dev, '\0', dlen) != NULL)
		return bad(e, x, "device id holds a NUL character");
	if ((buyer = member_str(x->obj, "buyer", NULL)) == NULL)
		return bad(e, x, "signals record has no string \"buyer\"");
	app_v = json_object_get(x->obj, "app");
	if (!json_is_string(app_v))
		return bad(e, x, "signals record has no string \"app\"");
	app = json_string_value(app_v);
	if ((upd = json_object_get(x->obj, "update")) == NULL)
		return bad(e, x, "signals record has no \"update\"");
	if (in_order(e, &t, why, sizeof(why)) != 0)
		return bad(e, x, why);
	d = pasdev_get(&e->t, dev, dlen, 1, t.sec);
	if (pasdev_advance(&e->t, d, t.sec, why, sizeof(why)) != 0)
		return stop_fatal(e, x, why);
	if (pasdev_apply(&e->t, d, buyer, app, upd, t.sec, &st, why,
	    sizeof(why)) != 0)
		return bad(e, x, why);
	e->applied++;
	e->r->used++;
	return 0;
}

static int
on_request(struct enc *e, const struct rec *x)
{
	const char *dev, *name, *pub = NULL;
	struct pasdev_payload *pp;
	struct sigstore_buyer *sb;
	struct pasdev *d = NULL;
	struct sealq_job *j;
	struct ts t;
	size_t dlen, i, k, nb;
	json_t *id, *buyers, *ctx, *v;
	uint32_t nid;
	char why[512], idbuf[32];

	if (get_ts(x->obj, &t, why, sizeof(why)) != 0)
		return bad(e, x, why);
	if ((dev = member_str(x->obj, "device", &dlen)) == NULL)
		return bad(e, x, "request has no string \"device\"");
	id = json_object_get(x->obj, "id");
	if (json_is_integer(id))
		snprintf(idbuf, sizeof(idbuf), "%lld",
		    (long long)json_integer_value(id));
	else if (!json_is_string(id) || json_string_length(id) == 0)
		return bad(e, x, "request has no string \"id\"");
	buyers = json_object_get(x->obj, "buyers");
	if (!json_is_array(buyers))
		return bad(e, x, "request has no \"buyers\" array");
	nb = json_array_size(buyers);
	for (i = 0; i < nb; i++) {
		v = json_array_get(buyers, i);
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    memchr(json_string_value(v), '\0', json_string_length(v))) {
			snprintf(why, sizeof(why), "buyers entry %zu is not a "
			    "buyer name", i);
			return bad(e, x, why);
		}
		for (k = 0; k < i; k++)
			if (json_equal(v, json_array_get(buyers, k))) {
				snprintf(why, sizeof(why), "buyer \"%.80s\" is "
				    "listed twice", json_string_value(v));
				return bad(e, x, why);
			}
	}
	ctx = json_object_get(x->obj, "ctx");
	if (ctx != NULL && (v = json_object_get(ctx, "app")) != NULL) {
		if (!json_is_string(v))
			return bad(e, x, "ctx.app is not a string");
		pub = json_string_value(v);
	}
	if (in_order(e, &t, why, sizeof(why)) != 0)
		return bad(e, x, why);
	if ((d = pasdev_get(&e->t, dev, dlen, 0, t.sec)) != NULL &&
	    pasdev_advance(&e->t, d, t.sec, why, sizeof(why)) != 0)
		return stop_fatal(e, x, why);

	j = sealq_job(&e->q);
	j->rec = json_incref(x->obj);
	j->id = xstrdup(json_is_integer(id) ? idbuf : json_string_value(id));
	j->publisher = pub;
	j->ts_ms = ts_millis(&t);
	j->file = x->file;
	j->line = x->line;
	j->raw = xmemdup(x->raw, x->rawlen);
	j->rawlen = x->rawlen;
	j->b = xcalloc(nb ? nb : 1, sizeof(*j->b));
	for (i = 0; d != NULL && i < nb; i++) {
		name = json_string_value(json_array_get(buyers, i));
		if (sigstore_strtab_intern(&e->t.st, name, &nid) != 0)
			continue;
		if ((sb = pasdev_buyer(d, nid, 0, &pp)) == NULL || !pp->has)
			continue;
		j->b[j->nb].name = sigstore_strtab_get(&e->t.st, nid);
		j->b[j->nb].payload = pp->len ? xmemdup(pp->p, pp->len) : NULL;
		j->b[j->nb].len = pp->len;
		j->b[j->nb].encoded_at = pp->encoded_at;
		j->b[j->nb].version = pp->version;
		j->nb++;
	}
	return 0;
}

/* One record in time order.  0 to go on, -1 to stop. */
static int
process(struct enc *e, const struct rec *x)
{
	const char *type;
	int rc;

	type = json_string_value(json_object_get(x->obj, "type"));
	if (type != NULL && strcmp(type, "signals") == 0)
		rc = on_signals(e, x);
	else if (type != NULL && strcmp(type, "request") == 0)
		rc = on_request(e, x);
	else {
		sealq_raw(&e->q, x->raw, x->rawlen);
		e->passed++;
		rc = 0;
	}
	if (rc != 0 || sealq_full(&e->q))
		if (sealq_flush(&e->q) != 0)
			rc = -1;
	return rc;
}

/* ---- main loops ------------------------------------------------------- */

/* Processes the records due in the reorder window (all when drain). */
static int
release(struct enc *e, struct reorder *w, int drain)
{
	struct reorder_rec h;
	struct rec x;
	int rc = 0;

	while (rc == 0 && reorder_next(w, drain, &h)) {
		x.obj = h.obj;
		x.raw = h.raw;
		x.rawlen = h.rawlen;
		x.file = h.file;
		x.line = h.line;
		rc = process(e, &x);
		reorder_rec_free(&h);
	}
	return rc;
}

static void
encode_run(struct enc *e, struct rin *in)
{
	struct reorder w;
	struct rec x;
	struct ts key;
	const char *type;
	char why[512];
	int rc;

	reorder_init(&w, e->window);
	while ((rc = rin_next(in)) == 1) {
		run_progress(e->r);
		x.obj = in->obj;
		x.raw = in->raw;
		x.rawlen = in->rawlen;
		x.file = in->file;
		x.line = in->line;
		if (e->window == 0) {
			if (process(e, &x) != 0)
				break;
			continue;
		}
		/* Timed records are ordered by ts; others keep their place
		 * after the latest time seen before them. */
		type = json_string_value(json_object_get(x.obj, "type"));
		if (type != NULL && (strcmp(type, "signals") == 0 ||
		    strcmp(type, "request") == 0)) {
			if (get_ts(x.obj, &key, why, sizeof(why)) != 0) {
				if (bad(e, &x, why) != 0)
					break;
				continue;
			}
			if (e->have_last && ts_cmp(&key, &e->last) < 0) {
				if (in_order(e, &key, why, sizeof(why)) != 0 &&
				    bad(e, &x, why) != 0)
					break;
				continue;
			}
			reorder_push(&w, &key, x.obj, x.raw, x.rawlen, x.file,
			    x.line);
		} else
			reorder_push(&w, NULL, x.obj, x.raw, x.rawlen, x.file,
			    x.line);
		if (release(e, &w, 0) != 0)
			break;
	}
	if (rc == 0 && e->r->status == 0)
		release(e, &w, 1);
	if (!e->fatal)
		sealq_flush(&e->q);
	reorder_free(&w);
}

static int
open_run(struct run *r, struct rin *in, const unsigned char *sk, int decode)
{
	struct pai_opened o;
	unsigned char *ct;
	const char *b64;
	size_t len, ctlen;
	json_t *ai, *c;
	char err[256];
	int rc;

	while ((rc = rin_next(in)) == 1) {
		run_progress(r);
		ai = json_object_get(in->obj, "auction_input");
		if (ai == NULL) {
			buf_add(&r->out.b, in->raw, in->rawlen);
			buf_addc(&r->out.b, '\n');
			r->wrote++;
			goto next;
		}
		c = json_object_get(ai, "ciphertext");
		if (!json_is_string(c)) {
			if (run_bad(r, in->file, in->line, in->raw, in->rawlen,
			    "auction_input has no string \"ciphertext\"") != 0)
				return -1;
			continue;
		}
		b64 = json_string_value(c);
		len = json_string_length(c);
		ct = xmalloc(len / 4 * 3 + 3);
		if (b64_decode(ct, len / 4 * 3 + 3, b64, len, &ctlen) != 0) {
			free(ct);
			if (run_bad(r, in->file, in->line, in->raw, in->rawlen,
			    "auction_input ciphertext is not standard base64")
			    != 0)
				return -1;
			continue;
		}
		rc = pai_open(sk, -1, ct, ctlen, &o, err, sizeof(err));
		free(ct);
		if (rc != PAI_OK) {
			if (rc == PAI_ECRYPTO) {
				diag_warn("%s", err);
				run_fail(r, EX_OSERR);
				return -1;
			}
			if (run_bad(r, in->file, in->line, in->raw, in->rawlen,
			    "cannot open auction_input (%s): %s",
			    pai_error_class(rc), err) != 0)
				return -1;
			continue;
		}
		json_object_set_new(in->obj, "auction_input_opened",
		    paiview_json(&o, decode));
		pai_opened_free(&o);
		jw_value(&r->out.b, in->obj);
		buf_addc(&r->out.b, '\n');
		r->wrote++;
next:
		if (out_maybe_flush(&r->out) != 0) {
			run_fail(r, EX_IOERR);
			return -1;
		}
	}
	return rc == 0 ? 0 : -1;
}

/* ---- options ---------------------------------------------------------- */

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "key-config",       required_argument, NULL, OPT_KEYCONFIG },
		{ "udf-exec",         required_argument, NULL, OPT_UDF },
		{ "udf-timeout",      required_argument, NULL, OPT_UDF_TIMEOUT },
		{ "encoding-version", required_argument, NULL, OPT_VERSION },
		{ "period",           required_argument, NULL, OPT_PERIOD },
		{ "max-size",         required_argument, NULL, OPT_MAXSIZE },
		{ "max-failures",     required_argument, NULL, OPT_MAXFAIL },
		{ "ttl",              required_argument, NULL, OPT_TTL },
		{ "quota-high",       required_argument, NULL, OPT_QHIGH },
		{ "quota-low",        required_argument, NULL, OPT_QLOW },
		{ "max-update",       required_argument, NULL, OPT_MAXUPD },
		{ "reorder-window",   required_argument, NULL, OPT_REORDER },
		{ "label",            required_argument, NULL, OPT_LABEL },
		{ "threads",          required_argument, NULL, 'j' },
		{ "open",             no_argument,       NULL, OPT_OPEN },
		{ "secret-key",       required_argument, NULL, OPT_SECRET },
		{ "decode",           no_argument,       NULL, OPT_DECODE },
		{ NULL, 0, NULL, 0 }
	};
	static struct enc e;
	struct pasdev_params p;
	struct run r;
	struct rin in;
	unsigned char sk[HPKE_NSK];
	const char *keyconfig = NULL, *udf_cmd = NULL, *secret = NULL;
	char err[512], extra[512];
	int ch, rc, open_mode = 0, decode = 0, udf_timeout = UDF_TIMEOUT_MS,
	    reorder_set = 0;
	size_t bytes;
	uint32_t i;

	run_init(&r, argv[0], synopsis, help);
	pasdev_params_default(&p);
	e.r = &r;
	e.label = OHTTP_LABEL_AUCTION;
	e.threads = pmap_default_threads();
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS "j:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_KEYCONFIG:
			keyconfig = optarg;
			break;
		case OPT_UDF:
			udf_cmd = optarg;
			break;
		case OPT_UDF_TIMEOUT:
			udf_timeout = (int)run_integer(&r, "--udf-timeout", optarg, 1,
			    INT_MAX);
			break;
		case OPT_VERSION:
			p.version = (int32_t)run_integer(&r, "--encoding-version",
			    optarg, INT32_MIN, INT32_MAX);
			break;
		case OPT_PERIOD:
			p.period = run_integer(&r, "--period", optarg, 1, 1LL << 40);
			break;
		case OPT_MAXSIZE:
			p.max_size = (size_t)run_integer(&r, "--max-size", optarg, 1,
			    65535);
			break;
		case OPT_MAXFAIL:
			p.max_fails = (unsigned)run_integer(&r, "--max-failures",
			    optarg, 1, 255);
			break;
		case OPT_TTL:
			p.store.ttl = run_integer(&r, "--ttl", optarg, 0, 1LL << 40);
			break;
		case OPT_QHIGH:
			p.store.high_water = (size_t)run_integer(&r, "--quota-high",
			    optarg, 0, 1LL << 30);
			break;
		case OPT_QLOW:
			p.store.low_water = (size_t)run_integer(&r, "--quota-low",
			    optarg, 0, 1LL << 30);
			break;
		case OPT_MAXUPD:
			p.store.max_update = (size_t)run_integer(&r, "--max-update",
			    optarg, 0, 1LL << 30);
			break;
		case OPT_REORDER:
			e.window = run_integer(&r, "--reorder-window", optarg, 0,
			    1LL << 40);
			reorder_set = 1;
			break;
		case OPT_LABEL:
			if (strcmp(optarg, "auction") == 0)
				e.label = OHTTP_LABEL_AUCTION;
			else if (strcmp(optarg, "bhttp") == 0)
				e.label = OHTTP_LABEL_BHTTP;
			else
				run_usage_error(&r, "--label: \"%s\" is not "
				    "auction or bhttp", optarg);
			break;
		case 'j':
			e.threads = (int)run_integer(&r, "-j", optarg, 1, 64);
			break;
		case OPT_OPEN:
			open_mode = 1;
			break;
		case OPT_SECRET:
			secret = optarg;
			break;
		case OPT_DECODE:
			decode = 1;
			break;
		case RUN_OPT_CSV: case RUN_OPT_OFORMAT: case RUN_OPT_IFORMAT:
			run_usage_error(&r, "pas-encode reads and writes NDJSON "
			    "only");
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (p.store.low_water > p.store.high_water)
		run_usage_error(&r, "--quota-low is above --quota-high");
	if (open_mode) {
		if (secret == NULL)
			run_usage_error(&r, "--open needs --secret-key FILE");
		if (keyconfig != NULL || udf_cmd != NULL || reorder_set)
			run_usage_error(&r, "--open takes no --key-config, "
			    "--udf-exec or --reorder-window");
	} else {
		if (keyconfig == NULL)
			run_usage_error(&r, "--key-config FILE is required");
		if (secret != NULL || decode)
			run_usage_error(&r, "--secret-key and --decode go with "
			    "--open");
	}
	if (hpke_available(err, sizeof(err)) != 0)
		diag_die(EX_OSERR, "%s", err);

	if (open_mode) {
		if ((rc = keys_load_secret(secret, sk, err, sizeof(err))) != 0)
			diag_die(rc, "%s", err);
		if ((rc = run_start(&r)) != 0)
			return diag_finish(rc);
		rin_init(&in, &r, argv, argc);
		open_run(&r, &in, sk, decode);
		sodium_memzero(sk, sizeof(sk));
		rin_close(&in);
		return run_finish(&r, 0, NULL);
	}

	if ((rc = keys_load_public(keyconfig, &e.kc, err, sizeof(err))) != 0)
		diag_die(rc, "%s", err);
	if (sealq_init(&e.q, &r, &e.kc, e.label, e.threads, err,
	    sizeof(err)) != 0)
		diag_die(EX_OSERR, "%s", err);
	pasdev_table_init(&e.t, &p, encode_cb, fail_cb, &e);
	if (udf_cmd != NULL) {
		e.use_udf = 1;
		if (udf_start(&e.udf, udf_cmd, udf_timeout, UDF_MAX_LINE, err,
		    sizeof(err)) != UDF_OK)
			diag_die(EX_OSERR, "%s", err);
	}
	if ((rc = run_start(&r)) != 0)
		return diag_finish(rc);
	rin_init(&in, &r, argv, argc);
	encode_run(&e, &in);
	rin_close(&in);
	if (e.use_udf) {
		if (udf_close(&e.udf, err, sizeof(err)) != 0 && !e.fatal &&
		    !e.udf.dead)
			diag_warn("at exit: %s", err);
	}

	bytes = pasdev_table_index_bytes(&e.t);
	for (i = 0; i < e.t.n; i++)
		bytes += pasdev_bytes(&e.t.dev[i]);
	snprintf(extra, sizeof(extra), "used %lu signal updates, sealed %lu "
	    "requests, passed %lu, devices %u (%zu bytes of state), "
	    "encodings %lu, failed %lu%s", e.applied, e.q.sealed, e.passed,
	    e.t.n, bytes,
	    e.t.stats.encoded, e.t.stats.failed, e.t.stats.blocked ?
	    ", versions stopped by the failure rule" : "");
	if (e.t.stats.blocked)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
		    " %lu", e.t.stats.blocked);
	pasdev_table_free(&e.t);
	sealq_free(&e.q);
	buf_free(&e.req);
	return run_finish(&r, 0, extra);
}
