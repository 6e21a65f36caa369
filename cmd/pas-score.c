/*
 * pas-score: the seller's side of a Protected App Signals auction
 * replay: scoreAd over each request's bids, the winner, its price, the
 * win and loss reports, running budgets and a summary.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "diag.h"
#include "jmember.h"
#include "jw.h"
#include "rin.h"
#include "run.h"
#include "score.h"
#include "scoresum.h"
#include "scoreudf.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: pas-score [-hVv] [--second-price] [--blocked FILE] [--budgets FILE]\n"
"                 [--budgets-out FILE] [-o FILE] [--outcomes FILE]\n"
"                 [--rejects FILE] [--skip-bad] [--summary FILE]\n"
"                 [--udf-exec CMD] [--udf-timeout MS] [file ...]";

static const char help[] =
"Scores the bids of each request, picks and prices the winner, and writes\n"
"the auction result and the win and loss reports in place of the bids.\n"
"\n"
"  --second-price         price = max(floor, second bid) (default: the bid)\n"
"  --blocked FILE         seller rules: {\"advertiser\":..} or {\"category\":..}\n"
"                         lines (NDJSON or CSV)\n"
"  --budgets FILE         ad budgets (the ad catalog: ad_id, budget.remaining);\n"
"                         charged as the replay goes, in input order\n"
"  --budgets-out FILE     write the final budgets (CSV if FILE ends in .csv)\n"
"  --summary FILE         per buyer and campaign: bids, wins, impressions,\n"
"                         spend, CPM (CSV if FILE ends in .csv)\n"
"  --outcomes FILE        with --summary: outcomes joined by request id add\n"
"                         clicks, installs, CTR, CVR, CPC, CPA\n"
"  --udf-exec CMD         the seller's scoreAd as a co-process (default: built\n"
"                         in, desirability = bid)\n"
"  --udf-timeout MS       bound on each co-process answer (default 1000)\n"
"  --input-format FMT     auto (by name: .csv, .csv.gz), ndjson or csv\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          print the closing summary always\n"
"  --progress             show progress on stderr\n"
"  -h, --help, -V, --version\n"
"\n"
"See pas-score(1) and adsig(7).\n";

/* What became of a line. */
enum { LINE_STOP = -1, LINE_DECLINED, LINE_WROTE, LINE_SKIPPED };

enum { OPT_SECOND = RUN_OPT_TOOL, OPT_BLOCKED, OPT_BUDGETS, OPT_BUDGETS_OUT,
	OPT_SUMMARY, OPT_OUTCOMES, OPT_UDF, OPT_UDF_TIMEOUT };

#define MAX_FAIL_MSGS	100

struct ctx {
	struct run		*r;
	struct score_rules	 rules;
	struct score_budgets	 budgets;
	struct score_opts	 sopts;
	struct score_auction	 auc;
	struct scoresum		 sum;
	int			 summary;
	struct buf		 auction, reports, id;
	struct jmember		*mem;		/* the members of a line */
	struct jtape		 tape;		/* its bids, in fast() */
	size_t			 mcap;
	unsigned long		 requests, won, reasons[SCORE_NREASONS];
	/* --udf-exec */
	int			 use_udf;
	struct scoreudf		 udf;
	const struct rin	*in;		/* where the records are */
	unsigned long		 fail_msgs;
};

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* A number, or (from CSV) its decimal text.  Returns 0 or -1. */
static int
number(json_t *v, int from_csv, double *out)
{
	const char *s;
	char *end;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (!from_csv || !json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strspn(s, "0123456789+-.eE") != strlen(s))
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return end == s || *end != '\0' || errno == ERANGE ? -1 : 0;
}

/* A boolean, or (from CSV) "true" / "false".  Returns 0/1, or -1. */
static int
boolean(json_t *v, int from_csv)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (from_csv && json_is_string(v)) {
		if (strcmp(json_string_value(v), "true") == 0)
			return 1;
		if (strcmp(json_string_value(v), "false") == 0)
			return 0;
	}
	return -1;
}

/* 1 when a side-file record has a "type" other than want: skipped. */
static int
other_type(json_t *obj, const char *want)
{
	json_t *t = json_object_get(obj, "type");

	return t != NULL && !(json_is_string(t) &&
	    strcmp(json_string_value(t), want) == 0);
}

/*
 * Reads a side file (rules, budgets, outcomes): NDJSON or CSV by name,
 * gzip or not.  Its errors always stop the run (exit 65 with FILE:LINE,
 * 66 if it cannot be opened), --skip-bad or not: a rule or a budget
 * silently left out would change every auction after it.
 */
typedef const char *(*side_fn)(struct ctx *c, struct rin *in, char *msg,
    size_t msglen);

static int
read_side(struct ctx *c, const char *path, side_fn fn)
{
	struct run side;
	struct rin in;
	char *paths[1] = { (char *)path }, msg[512];
	const char *why;
	int rc;

	memset(&side, 0, sizeof(side));
	rin_init(&in, &side, paths, 1);
	while ((rc = rin_next(&in)) == 1)
		if ((why = fn(c, &in, msg, sizeof(msg))) != NULL) {
			run_bad(&side, in.file, in.line, in.raw, in.rawlen,
			    "%s", why);
			break;
		}
	rin_close(&in);
	return side.status;
}

static const char *
rule_line(struct ctx *c, struct rin *in, char *msg, size_t msglen)
{
	json_t *adv = json_object_get(in->obj, "advertiser");
	json_t *cat = json_object_get(in->obj, "category");

	if (json_is_null(adv))
		adv = NULL;
	if (json_is_null(cat))
		cat = NULL;
	if ((adv == NULL) == (cat == NULL))
		return "a rule names either an advertiser or a category";
	if (adv != NULL) {
		if (!json_is_string(adv) || json_string_length(adv) == 0)
			return "\"advertiser\" is not a non-empty string";
		score_rules_add_advertiser(&c->rules, json_string_value(adv),
		    json_string_length(adv));
	} else {
		if (!json_is_string(cat) || strspn(json_string_value(cat),
		    "/") == json_string_length(cat))
			return "\"category\" is not a non-empty string";
		score_rules_add_category(&c->rules, json_string_value(cat),
		    json_string_length(cat));
	}
	return NULL;
}

static const char *
budget_line(struct ctx *c, struct rin *in, char *msg, size_t msglen)
{
	json_t *id, *rem, *buyer;
	double v;

	if (other_type(in->obj, "ad"))
		return NULL;
	id = json_object_get(in->obj, "ad_id");
	if (!json_is_string(id))
		return "no string \"ad_id\"";
	rem = rin_lookup(in->obj, "budget.remaining");
	if (rem == NULL || json_is_null(rem))
		return NULL;			/* no budget: never limited */
	if (number(rem, in->is_csv, &v) == -1 || !isfinite(v) || v < 0)
		return "budget.remaining is not a number >= 0";
	buyer = json_object_get(in->obj, "buyer");
	if (score_budgets_add(&c->budgets, json_string_value(id),
	    json_string_length(id), json_is_string(buyer) ?
	    json_string_value(buyer) : NULL, v) == -1) {
		snprintf(msg, msglen, "ad_id \"%s\" has a budget already",
		    json_string_value(id));
		return msg;
	}
	return NULL;
}

static const char *
outcome_line(struct ctx *c, struct rin *in, char *msg, size_t msglen)
{
	static const char *const names[3] = { "impression", "click", "install" };
	json_t *id, *ad;
	int f[3], i;

	if (other_type(in->obj, "outcome"))
		return NULL;
	id = json_object_get(in->obj, "id");
	if (!json_is_string(id) && !json_is_integer(id))
		return "no request \"id\" (a string or an integer)";
	if (!json_is_string(ad = json_object_get(in->obj, "ad_id")))
		return "no string \"ad_id\"";
	for (i = 0; i < 3; i++)
		if ((f[i] = boolean(json_object_get(in->obj, names[i]),
		    in->is_csv)) == -1) {
			snprintf(msg, msglen, "\"%s\" is not true or false",
			    names[i]);
			return msg;
		}
	c->id.len = 0;
	jw_value(&c->id, id);
	if (scoresum_add_outcome(&c->sum, c->id.p, c->id.len,
	    json_string_value(ad), f[0], f[1], f[2]) == -1)
		return "a second outcome for this request id";
	return NULL;
}

/*
 * Writes obj: every member in order, the bids left out and the auction
 * and reports put in (in place when present, else at the end).  When
 * the line is compact (no white space outside strings) the members are
 * copied byte for byte; otherwise all are written again by jw (compact,
 * same values).
 */
static void
emit(struct ctx *c, struct buf *b, struct rin *in, int request)
{
	const char *k;
	json_t *v;
	size_t i = 0;
	int raw, first = 1, had_auction = 0, had_reports = 0;

	raw = !in->is_csv && jmember_all(in->raw, in->rawlen,
	    json_object_size(in->obj), &c->mem, &c->mcap) > 0;
	buf_addc(b, '{');
	json_object_foreach(in->obj, k, v) {
		i++;
		if (request && strcmp(k, "bids") == 0)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		jw_string(b, k, strlen(k));
		buf_addc(b, ':');
		if (request && strcmp(k, "auction") == 0) {
			buf_add(b, c->auction.p, c->auction.len);
			had_auction = 1;
		} else if (request && strcmp(k, "reports") == 0) {
			buf_add(b, c->reports.p, c->reports.len);
			had_reports = 1;
		} else if (raw)
			buf_add(b, c->mem[i - 1].val, c->mem[i - 1].vallen);
		else
			jw_value(b, v);
	}
	if (request && !had_auction) {
		buf_adds(b, first ? "\"auction\":" : ",\"auction\":");
		buf_add(b, c->auction.p, c->auction.len);
		first = 0;
	}
	if (request && !had_reports) {
		buf_adds(b, first ? "\"reports\":" : ",\"reports\":");
		buf_add(b, c->reports.p, c->reports.len);
	}
	buf_add(b, "}\n", 2);
}

/*
 * The seller's scoreAd by the co-process (score_ad_fn).  A failed call
 * is reported (the first MAX_FAIL_MSGS) and counted; a co-process that
 * died stops the run with exit 70.
 */
static int
udf_score(void *arg, const struct score_auction *a, size_t i, double *d,
    const char **reject)
{
	struct ctx *c = arg;
	const struct score_bid *b = &a->bids[i];
	char err[256];
	int rc;

	rc = scoreudf_score(&c->udf, b, d, reject, err, sizeof(err));
	if (rc == SCORE_AD_STOP) {
		diag_at(c->in->file, c->in->line, "scoreAd: %s", err);
		run_fail(c->r, EX_SOFTWARE);
	} else if (rc == SCORE_AD_FAILED && ++c->fail_msgs <= MAX_FAIL_MSGS)
		diag_at(c->in->file, c->in->line, "buyer \"%s\", ad \"%s\": "
		    "scoreAd failed: %s%s", b->buyer, b->ad_id, err,
		    c->fail_msgs == MAX_FAIL_MSGS ?
		    " (further failures are only counted)" : "");
	return rc;
}

/*
 * One request, given its ctx, bids and id (each NULL when absent):
 * fills c->auction and c->reports.  Returns 0, 1 for a bad record (the
 * reason in msg), or -1 when the run must stop (said already).
 */
static int
request(struct ctx *c, json_t *ctxv, json_t *bids, int bids_read, json_t *id,
    char *msg, size_t msglen)
{
	struct score_auction *a = &c->auc;
	struct score_bid *w;
	json_t *fl;
	const char *why;
	double floor = 0;
	size_t i;

	if (ctxv != NULL && !json_is_null(ctxv)) {
		if (!json_is_object(ctxv)) {
			snprintf(msg, msglen, "\"ctx\" is not an object");
			return 1;
		}
		fl = json_object_get(ctxv, "floor");
		if (fl != NULL && !json_is_null(fl)) {
			if (!json_is_number(fl) ||
			    (floor = json_number_value(fl)) < 0) {
				snprintf(msg, msglen, "ctx.floor is not a "
				    "number >= 0");
				return 1;
			}
		}
	}
	if (!bids_read && (why = score_read_bids(a, bids, msg, msglen)) != NULL)
		return 1;
	if (c->use_udf)
		scoreudf_auction(&c->udf, id, json_is_object(ctxv) ? ctxv :
		    NULL, floor);
	if (score_run(a, &c->sopts, floor) != 0)
		return -1;
	c->requests++;
	if (a->winner >= 0)
		c->won++;
	else
		c->reasons[a->reason]++;
	if (c->summary) {
		for (i = 0; i < a->nbids; i++)
			if (a->bids[i].valid)
				scoresum_bid(&c->sum, a->bids[i].buyer,
				    a->bids[i].campaign);
		if (a->winner >= 0) {
			w = &a->bids[a->winner];
			c->id.len = 0;
			if (json_is_string(id) || json_is_integer(id))
				jw_value(&c->id, id);
			scoresum_win(&c->sum, c->id.len ? c->id.p : NULL,
			    c->id.len, w->buyer, w->campaign, w->ad_id,
			    a->price);
		}
	}
	c->auction.len = 0;
	score_write_auction(&c->auction, a);
	c->reports.len = 0;
	score_write_reports(&c->reports, a);
	return 0;
}

/* A member's value as JSON (NULL when absent or unreadable). */
static json_t *
load_member(const struct jmember *m)
{
	return m == NULL ? NULL : json_loadb(m->val, m->vallen,
	    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
}

/*
 * The fast path for compact lines that jmember_scan() vouches for: only
 * ctx, bids and id are parsed; every other member is copied as it is.
 * Returns LINE_WROTE, LINE_SKIPPED (a bad record under --skip-bad),
 * LINE_DECLINED to leave it to the jansson path, or LINE_STOP.
 */
static int
fast(struct ctx *c, struct rin *in, char *msg, size_t msglen)
{
	struct jmember *m = c->mem, *mt = NULL, *mc = NULL, *mb = NULL,
	    *mi = NULL;
	struct buf *b = &c->r->out.b;
	json_t *ctxv, *bids, *id;
	size_t i, n;
	long bnode;
	int rc, raw, first = 1, had_auction = 0, had_reports = 0;

	if (in->is_csv || jmember_scan_tape(in->raw, in->rawlen, m, &n,
	    "bids", 4, &c->tape, &bnode) != 0)
		return LINE_DECLINED;
	for (i = 0; i < n; i++) {
		if (JMEMBER_KEY(&m[i], "type"))
			mt = &m[i];
		else if (JMEMBER_KEY(&m[i], "ctx"))
			mc = &m[i];
		else if (JMEMBER_KEY(&m[i], "bids"))
			mb = &m[i];
		else if (JMEMBER_KEY(&m[i], "id"))
			mi = &m[i];
	}
	if (mt == NULL || memchr(mt->val, '\\', mt->vallen) != NULL ||
	    !(mt->vallen == 9 && memcmp(mt->val, "\"request\"", 9) == 0)) {
		if (mt != NULL && memchr(mt->val, '\\', mt->vallen) != NULL)
			return LINE_DECLINED;	/* escaped: jansson decides */
		buf_add(b, in->raw, in->rawlen);
		buf_addc(b, '\n');
		return LINE_WROTE;
	}
	/* the bids without jansson when they allow it */
	if (mb == NULL) {
		c->auc.nbids = 0;
		raw = 1;
	} else
		raw = score_read_bids_tape(&c->auc, &c->tape, bnode) == 0;
	ctxv = load_member(mc);
	bids = raw ? NULL : load_member(mb);
	id = load_member(mi);
	if ((mc != NULL && ctxv == NULL) || (!raw && bids == NULL) ||
	    (mi != NULL && id == NULL))
		rc = LINE_DECLINED;	/* cannot happen: jansson decides */
	else if ((rc = request(c, ctxv, bids, raw, id, msg, msglen)) != 0)
		rc = rc < 0 || run_bad(c->r, in->file, in->line, in->raw,
		    in->rawlen, "%s", msg) != 0 ? LINE_STOP : LINE_SKIPPED;
	else
		rc = LINE_WROTE;
	json_decref(ctxv);
	json_decref(bids);
	json_decref(id);
	if (rc != LINE_WROTE)
		return rc;
	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (&m[i] == mb)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		buf_add(b, m[i].key - 1, m[i].keylen + 3);	/* "key": */
		if (JMEMBER_KEY(&m[i], "auction")) {
			buf_add(b, c->auction.p, c->auction.len);
			had_auction = 1;
		} else if (JMEMBER_KEY(&m[i], "reports")) {
			buf_add(b, c->reports.p, c->reports.len);
			had_reports = 1;
		} else
			buf_add(b, m[i].val, m[i].vallen);
	}
	if (!had_auction) {
		buf_adds(b, first ? "\"auction\":" : ",\"auction\":");
		buf_add(b, c->auction.p, c->auction.len);
		first = 0;
	}
	if (!had_reports) {
		buf_adds(b, first ? "\"reports\":" : ",\"reports\":");
		buf_add(b, c->reports.p, c->reports.len);
	}
	buf_add(b, "}\n", 2);
	return LINE_WROTE;
}

/* The jansson path, for every line fast() declines; returns as fast(). */
static int
slow(struct ctx *c, struct rin *in, char *msg, size_t msglen)
{
	int req, rc;

	if (in->obj == NULL && (rc = rin_parse(in)) != 0)
		return rc == 1 ? LINE_SKIPPED : LINE_STOP;
	req = rin_type_is(in->obj, "request");
	if (req && (rc = request(c, json_object_get(in->obj, "ctx"),
	    json_object_get(in->obj, "bids"), 0, json_object_get(in->obj, "id"),
	    msg, msglen)) != 0)
		return rc < 0 || run_bad(c->r, in->file, in->line, in->raw,
		    in->rawlen, "%s", msg) != 0 ? LINE_STOP : LINE_SKIPPED;
	emit(c, &c->r->out.b, in, req);
	return LINE_WROTE;
}

static int
write_budgets(struct ctx *c, const char *path)
{
	struct score_budgets *b = &c->budgets;
	struct out o;
	const char *id;
	size_t i, n;
	int csv = has_suffix(path, ".csv"), ex;

	memset(&o, 0, sizeof(o));
	o.fd = -1;
	if ((ex = out_open(&o, path)) != 0)
		return ex;
	if (csv)
		buf_adds(&o.b, "ad_id,buyer,budget.remaining,spent,wins\n");
	for (i = 0; i < b->ads.count; i++) {
		id = strtab_key(&b->ads, i, &n);
		if (csv) {
			csv_put_field(&o.b, id, n);
			buf_addc(&o.b, ',');
			if (b->buyer[i] != NULL)
				csv_put_field(&o.b, b->buyer[i],
				    strlen(b->buyer[i]));
			buf_addc(&o.b, ',');
			jw_real(&o.b, b->remaining[i]);
			buf_addc(&o.b, ',');
			jw_real(&o.b, b->spent[i]);
			buf_addc(&o.b, ',');
			jw_int(&o.b, (long long)b->wins[i]);
			buf_addc(&o.b, '\n');
		} else {
			buf_adds(&o.b, "{\"ad_id\":");
			jw_string(&o.b, id, n);
			if (b->buyer[i] != NULL) {
				buf_adds(&o.b, ",\"buyer\":");
				jw_string(&o.b, b->buyer[i],
				    strlen(b->buyer[i]));
			}
			buf_adds(&o.b, ",\"budget\":{\"remaining\":");
			jw_real(&o.b, b->remaining[i]);
			buf_adds(&o.b, "},\"spent\":");
			jw_real(&o.b, b->spent[i]);
			buf_adds(&o.b, ",\"wins\":");
			jw_int(&o.b, (long long)b->wins[i]);
			buf_adds(&o.b, "}\n");
		}
		if ((ex = out_maybe_flush(&o)) != 0) {
			out_abort(&o);
			return ex;
		}
	}
	return out_commit(&o);
}

static int
write_summary(struct ctx *c, const char *path)
{
	struct out o;
	int ex;

	memset(&o, 0, sizeof(o));
	o.fd = -1;
	if ((ex = out_open(&o, path)) != 0)
		return ex;
	scoresum_write(&c->sum, &o.b, has_suffix(path, ".csv"));
	return out_commit(&o);
}

/* A side file may be "-" only when the records do not come from stdin. */
static void
check_stdin(struct run *r, const char *opt, const char *path, int argc,
    char **argv)
{
	int i;

	if (path == NULL || strcmp(path, "-") != 0)
		return;
	if (argc == 0)
		run_usage_error(r, "%s -: standard input holds the records",
		    opt);
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			run_usage_error(r, "%s -: standard input holds the "
			    "records", opt);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "second-price", no_argument,       NULL, OPT_SECOND },
		{ "blocked",      required_argument, NULL, OPT_BLOCKED },
		{ "budgets",      required_argument, NULL, OPT_BUDGETS },
		{ "budgets-out",  required_argument, NULL, OPT_BUDGETS_OUT },
		{ "summary",      required_argument, NULL, OPT_SUMMARY },
		{ "outcomes",     required_argument, NULL, OPT_OUTCOMES },
		{ "udf-exec",     required_argument, NULL, OPT_UDF },
		{ "udf-timeout",  required_argument, NULL, OPT_UDF_TIMEOUT },
		{ NULL, 0, NULL, 0 }
	};
	const char *blocked = NULL, *budgets = NULL, *budgets_out = NULL;
	const char *summary = NULL, *outcomes = NULL, *udf_cmd = NULL;
	struct ctx c;
	struct run r;
	struct rin in;
	char msg[512], extra[640];
	int ch, rc, ex, udf_timeout = UDF_TIMEOUT_MS;

	memset(&c, 0, sizeof(c));
	run_init(&r, argv[0], synopsis, help);
	c.r = &r;
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_SECOND:
			c.sopts.second_price = 1;
			break;
		case OPT_BLOCKED:
			blocked = optarg;
			break;
		case OPT_BUDGETS:
			budgets = optarg;
			break;
		case OPT_BUDGETS_OUT:
			budgets_out = optarg;
			break;
		case OPT_SUMMARY:
			summary = optarg;
			break;
		case OPT_OUTCOMES:
			outcomes = optarg;
			break;
		case OPT_UDF:
			udf_cmd = optarg;
			break;
		case OPT_UDF_TIMEOUT:
			udf_timeout = (int)run_integer(&r, "--udf-timeout", optarg,
			    1, INT_MAX);
			break;
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (r.out_format == RUN_FMT_CSV)
		run_usage_error(&r, "records are NDJSON; a --summary FILE named "
		    "*.csv is CSV");
	if (budgets_out != NULL && budgets == NULL)
		run_usage_error(&r, "--budgets-out needs --budgets");
	if (outcomes != NULL && summary == NULL)
		run_usage_error(&r, "--outcomes needs --summary");
	check_stdin(&r, "--blocked", blocked, argc, argv);
	check_stdin(&r, "--budgets", budgets, argc, argv);
	check_stdin(&r, "--outcomes", outcomes, argc, argv);
	if ((summary != NULL && strcmp(summary, "-") == 0) ||
	    (budgets_out != NULL && strcmp(budgets_out, "-") == 0))
		if (r.output == NULL || strcmp(r.output, "-") == 0)
			run_usage_error(&r, "--summary - and --budgets-out - "
			    "need -o FILE for the records");

	ex = 0;
	if (blocked != NULL)
		ex = read_side(&c, blocked, rule_line);
	if (ex == 0 && budgets != NULL)
		ex = read_side(&c, budgets, budget_line);
	if (ex == 0 && outcomes != NULL)
		ex = read_side(&c, outcomes, outcome_line);
	if (ex != 0) {
		ex = diag_finish(ex);
		goto done;
	}
	c.sopts.rules = blocked != NULL ? &c.rules : NULL;
	c.sopts.budgets = budgets != NULL ? &c.budgets : NULL;
	c.summary = summary != NULL;
	if (udf_cmd != NULL) {
		if (scoreudf_start(&c.udf, udf_cmd, udf_timeout, msg,
		    sizeof(msg)) != UDF_OK)
			diag_die(EX_OSERR, "%s", msg);
		c.use_udf = 1;
		c.sopts.score_ad = udf_score;
		c.sopts.score_arg = &c;
	}

	if ((rc = run_start(&r)) != 0) {
		ex = diag_finish(rc);
		goto done;
	}
	rin_init(&in, &r, argv, argc);
	in.lazy = 1;
	c.in = &in;
	c.mcap = JMEMBER_MAXKEYS;
	c.mem = xreallocarray(NULL, c.mcap, sizeof(*c.mem));
	while ((rc = rin_next(&in)) == 1) {
		if ((rc = fast(&c, &in, msg, sizeof(msg))) == LINE_DECLINED)
			rc = slow(&c, &in, msg, sizeof(msg));
		if (rc == LINE_STOP)
			break;
		if (rc == LINE_WROTE)
			r.wrote++;
		if (out_maybe_flush(&r.out) != 0) {
			run_fail(&r, EX_IOERR);
			break;
		}
	}
	rin_close(&in);
	if (c.use_udf && scoreudf_close(&c.udf, msg, sizeof(msg)) != 0 &&
	    r.status == 0)
		diag_warn("at exit: %s", msg);
	c.use_udf = 0;
	if (r.status == 0 && budgets_out != NULL &&
	    (ex = write_budgets(&c, budgets_out)) != 0)
		run_fail(&r, ex);
	if (r.status == 0 && summary != NULL &&
	    (ex = write_summary(&c, summary)) != 0)
		run_fail(&r, ex);
	snprintf(extra, sizeof(extra), "requests %lu, won %lu, no_bids %lu, "
	    "below_floor %lu, blocked %lu, budget_exhausted %lu", c.requests,
	    c.won, c.reasons[SCORE_NO_BIDS], c.reasons[SCORE_BELOW_FLOOR],
	    c.reasons[SCORE_BLOCKED], c.reasons[SCORE_BUDGET]);
	if (udf_cmd != NULL)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
		    ", seller_rejected %lu, score_failed %lu, udf calls %lu, "
		    "udf failed %lu", c.reasons[SCORE_REJECTED],
		    c.reasons[SCORE_FAILED], c.udf.calls, c.udf.failed);
	if (c.sum.has_outcomes)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
		    ", wins without outcome %lu", c.sum.wins_without_outcome);
	ex = run_finish(&r, 0, extra);
done:
	if (c.use_udf)
		(void)scoreudf_close(&c.udf, NULL, 0);
	score_rules_free(&c.rules);
	score_budgets_free(&c.budgets);
	score_auction_free(&c.auc);
	scoresum_free(&c.sum);
	buf_free(&c.auction);
	buf_free(&c.reports);
	buf_free(&c.id);
	free(c.mem);
	jtape_free(&c.tape);
	return ex;
}
