/*
 * pas-synth: a deterministic synthetic world for the PAS pipeline, and
 * outcomes for won impressions drawn from its hidden true model.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <sodium.h>

#include "diag.h"
#include "jw.h"
#include "model2t.h"
#include "pasfeat.h"
#include "rin.h"
#include "run.h"
#include "synth.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: pas-synth [-hVv] [--ads N] [--apps N] [--buyers N] [--ctr-base P]\n"
"                 [--independent-traits] [--true-features LIST]\n"
"                 [--true-scale X]\n"
"                 [--days N] [--devices N] [--dim N] [--dir DIR]\n"
"                 [--emit LIST] [-o FILE] [--publishers N] [--requests N]\n"
"                 [--seed N] [--sessions X] [--start TS] [--taglogs N]\n"
"       pas-synth --outcomes-for FILE --seed N [world flags] [-o FILE]\n"
"                 [--rejects FILE] [--skip-bad]";

static const char help[] =
"Writes a synthetic world (signal updates, requests, ads, the true model,\n"
"tag-CTR logs), or draws outcomes for the winners of auction results.\n"
"\n"
"  --emit LIST            signals,requests,ads,model,taglogs or all\n"
"                         (default signals,requests)\n"
"  --dir DIR              one file per type in DIR: world.ndjson (signals\n"
"                         and requests), ads.ndjson, model.json,\n"
"                         taglogs.ndjson\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --seed N               the world (without it: a random one, printed)\n"
"  --devices N            devices d-1..d-N (1000)\n"
"  --requests N           ad requests in all (10000)\n"
"  --ads N                ads a-1..a-N (200)\n"
"  --apps N               apps carrying the buyers' SDKs (200)\n"
"  --publishers N         publisher apps (50)\n"
"  --buyers N             adtech1.example.. (2)\n"
"  --dim N                embedding size d (8)\n"
"  --days N               span of the world, 1..60 (7)\n"
"  --start TS             its start, epoch seconds (1685577600)\n"
"  --sessions X           mean app sessions per device and day (6)\n"
"  --taglogs N            tag-CTR log lines (10000)\n"
"  --true-features LIST   the true model uses only these features (names\n"
"                         of adsig(5)); the others get zero weights\n"
"  --true-scale X         multiply the used features' true weights (1)\n"
"  --independent-traits   each app category's usage an independent trait\n"
"                         of the device; publishers independent of it\n"
"  --ctr-base P           click probability of an impression with no\n"
"                         install (0.02)\n"
"  --outcomes-for FILE    read auction results (pas-score output), write\n"
"                         an outcome per winner (needs the world's flags)\n"
"  --skip-bad, --rejects FILE, -v, --verbose, --progress\n"
"  -h, --help, -V, --version\n"
"\n"
"See pas-synth(1) and adsig(5).\n";

enum {
	OPT_DEVICES = RUN_OPT_TOOL, OPT_REQUESTS, OPT_ADS, OPT_APPS,
	OPT_PUBLISHERS, OPT_BUYERS, OPT_DIM, OPT_DAYS, OPT_START,
	OPT_SESSIONS, OPT_TAGLOGS, OPT_CTR, OPT_EMIT, OPT_DIR, OPT_OUTCOMES,
	OPT_TRUEFEAT, OPT_TRUESCALE, OPT_INDEP
};

enum { E_SIGNALS = 1, E_REQUESTS = 2, E_ADS = 4, E_MODEL = 8, E_TAGLOGS = 16 };

static int
parse_emit(struct run *r, const char *arg)
{
	static const char *const names[] = { "signals", "requests", "ads",
	    "model", "taglogs" };
	char *s = xstrdup(arg), *tok, *save = NULL;
	int mask = 0, i, hit;

	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "all") == 0) {
			mask |= 31;
			continue;
		}
		for (hit = 0, i = 0; i < 5; i++)
			if (strcmp(tok, names[i]) == 0) {
				mask |= 1 << i;
				hit = 1;
			}
		if (!hit)		/* exits: s is not freed */
			run_usage_error(r, "--emit: unknown type \"%s\" (signals,"
			    " requests, ads, model, taglogs, all)", tok);
	}
	free(s);
	if (mask == 0)
		run_usage_error(r, "--emit: no type given");
	return mask;
}

/* ---- the merged stream of devices ------------------------------------ */

struct hent {
	int64_t		ts;
	uint32_t	dev;
};

static int
hless(const struct hent *a, const struct hent *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->dev < b->dev);
}

static void
hdown(struct hent *h, size_t n, size_t i)
{
	size_t c;
	struct hent t;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && hless(&h[c + 1], &h[c]))
			c++;
		if (!hless(&h[c], &h[i]))
			return;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
}

struct counts {
	unsigned long	signals, requests, ads, models, taglogs;
};

/* Signals and requests of every device, merged in time order. */
static int
world(struct run *r, const struct synth_world *w, int emit, struct out *o,
    struct counts *cn)
{
	struct synth_dev *dev;
	struct synth_bstate *bs;
	struct hent *h;
	size_t n = 0, i;
	int is_req;
	unsigned k;

	dev = xcalloc(w->devices, sizeof(*dev));
	bs = xcalloc((size_t)w->devices * w->buyers, sizeof(*bs));
	h = xcalloc(w->devices, sizeof(*h));
	for (i = 0; i < w->devices; i++) {
		synth_dev_init(w, (uint32_t)i, &dev[i], emit & E_SIGNALS,
		    emit & E_REQUESTS);
		if (synth_dev_next(&dev[i]) != INT64_MAX) {
			h[n].ts = synth_dev_next(&dev[i]);
			h[n].dev = (uint32_t)i;
			n++;
		}
	}
	for (i = n; i-- > 0;)
		hdown(h, n, i);
	while (n > 0) {
		i = h[0].dev;
		k = synth_dev_step(w, (uint32_t)i, &dev[i],
		    bs + i * w->buyers, &o->b, NULL, &is_req, NULL);
		if (is_req)
			cn->requests += k;
		else
			cn->signals += k;
		r->wrote += k;
		if ((h[0].ts = synth_dev_next(&dev[i])) == INT64_MAX)
			h[0] = h[--n];
		hdown(h, n, 0);
		if (out_maybe_flush(o) != 0) {
			run_fail(r, EX_IOERR);
			break;
		}
	}
	free(dev);
	free(bs);
	free(h);
	return r->status;
}

static int
generate(struct run *r, const struct synth_world *w, int emit,
    const char *dir)
{
	static const char *const fname[4] = { "world.ndjson", "ads.ndjson",
	    "model.json", "taglogs.ndjson" };
	struct out files[4], *o[4];
	struct counts cn = { 0, 0, 0, 0, 0 };
	struct model2t m;
	char *path[4] = { NULL, NULL, NULL, NULL }, extra[200];
	int j, ex, opened[4] = { 0, 0, 0, 0 };
	uint64_t t;
	uint32_t a;

	memset(files, 0, sizeof(files));
	for (j = 0; j < 4; j++) {
		files[j].fd = -1;
		o[j] = &r->out;
	}
	if (dir != NULL) {
		if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
			diag_warn("%s: %s", dir, strerror(errno));
			run_fail(r, EX_CANTCREAT);
			return run_finish(r, 0, NULL);
		}
		for (j = 0; j < 4; j++) {
			static const int need[4] = { E_SIGNALS | E_REQUESTS,
			    E_ADS, E_MODEL, E_TAGLOGS };
			if (!(emit & need[j]))
				continue;
			path[j] = xmalloc(strlen(dir) + strlen(fname[j]) + 2);
			sprintf(path[j], "%s/%s", dir, fname[j]);
			if ((ex = out_open(&files[j], path[j])) != 0) {
				run_fail(r, ex);
				goto done;
			}
			opened[j] = 1;
			o[j] = &files[j];
		}
	}
	if ((emit & (E_SIGNALS | E_REQUESTS)) &&
	    world(r, w, emit, o[0], &cn) != 0)
		goto done;
	if (emit & E_ADS)
		for (a = 0; a < w->ads; a++) {
			synth_ad(w, a, &o[1]->b);
			cn.ads++;
			r->wrote++;
			if (out_maybe_flush(o[1]) != 0) {
				run_fail(r, EX_IOERR);
				goto done;
			}
		}
	if (emit & E_MODEL) {
		synth_model(w, &m);
		model2t_write(&o[2]->b, &m);
		buf_addc(&o[2]->b, '\n');
		model2t_free(&m);
		cn.models++;
		r->wrote++;
	}
	if (emit & E_TAGLOGS)
		for (t = 0; t < w->taglogs; t++) {
			synth_taglog(w, t, &o[3]->b);
			cn.taglogs++;
			r->wrote++;
			if (out_maybe_flush(o[3]) != 0) {
				run_fail(r, EX_IOERR);
				goto done;
			}
		}
done:
	for (j = 0; j < 4; j++) {
		if (opened[j] && r->status == 0) {
			if ((ex = out_commit(&files[j])) != 0)
				run_fail(r, ex);
		} else if (opened[j])
			out_abort(&files[j]);
	}
	snprintf(extra, sizeof(extra), "signals %lu, requests %lu, ads %lu, "
	    "model %lu, taglogs %lu", cn.signals, cn.requests, cn.ads,
	    cn.models, cn.taglogs);
	ex = run_finish(r, 0, extra);
	for (j = 0; j < 4; j++)
		free(path[j]);
	return ex;
}

/* ---- outcomes ------------------------------------------------------- */

/* The device being replayed, kept between records. */
struct replay {
	uint32_t		 dev;		/* UINT32_MAX: none */
	uint32_t		 req_k;		/* requests passed */
	int64_t			 req_ts;	/* ts of the last one */
	struct synth_dev	 d;
	struct synth_bstate	*bs;
	struct synth_sum	 sum;
};

/*
 * Replays device i (0-based) up to its request k (1-based).  Returns 0
 * with the summary as it stood before that request and its ts in *ts, or
 * -1 when the device has fewer requests.
 */
static int
replay_to(const struct synth_world *w, struct replay *rp, uint32_t i,
    uint32_t k, int64_t *ts)
{
	int is_req;
	uint32_t rk = 0;

	if (rp->dev == i && rp->req_k == k) {
		*ts = rp->req_ts;
		return 0;
	}
	if (rp->dev != i || rp->req_k > k) {
		synth_dev_init(w, i, &rp->d, 1, 1);
		memset(rp->bs, 0, w->buyers * sizeof(*rp->bs));
		memset(rp->sum.key, 0, (size_t)w->buyers * SYNTH_NKEY *
		    sizeof(*rp->sum.key));
		rp->dev = i;
		rp->req_k = 0;
	}
	if (k > rp->d.req_n)
		return -1;
	while (synth_dev_next(&rp->d) != INT64_MAX) {
		/* stop before the request, with the summary as it stands */
		if (rp->d.next_req < rp->d.next_sig && rp->d.req_k + 1 == k) {
			rp->req_k = k;
			rp->req_ts = *ts = rp->d.next_req;
			return 0;
		}
		synth_dev_step(w, i, &rp->d, rp->bs, NULL, &rp->sum, &is_req,
		    &rk);
	}
	return -1;
}

/* "PREFIX<n>" with n a decimal in [1, max]; the number, or 0. */
static uint64_t
idnum(const char *s, const char *prefix, uint64_t max, const char **rest)
{
	size_t n = strlen(prefix);
	uint64_t v = 0;

	if (s == NULL || strncmp(s, prefix, n) != 0)
		return 0;
	s += n;
	if (*s < '1' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return 0;
		s++;
	}
	if (rest != NULL)
		*rest = s;
	else if (*s != '\0')
		return 0;
	return v;
}

static const char *
outcome_one(const struct synth_world *w, const struct model2t *m,
    struct replay *rp, json_t *rec, struct buf *b, int *won, char *msg,
    size_t msglen)
{
	json_t *auc, *win, *v;
	const char *id, *buyer, *ad_id, *rest, *dev;
	uint64_t di, rk, an;
	int64_t ts, want_ts, delay;
	struct sigstore_feat ent[SYNTH_NKEY];
	size_t nent;
	double *x, *u, *c, *a, p;
	uint32_t bi;
	int click, install;
	char devname[32];

	*won = 0;
	if (!json_is_object(auc = json_object_get(rec, "auction")))
		return "no \"auction\" object (not pas-score output)";
	win = json_object_get(auc, "winner");
	if (win == NULL || json_is_null(win))
		return NULL;
	if (!json_is_object(win))
		return "auction.winner is not an object or null";
	buyer = json_string_value(json_object_get(win, "buyer"));
	ad_id = json_string_value(json_object_get(win, "ad_id"));
	if (buyer == NULL || ad_id == NULL)
		return "auction.winner has no string \"buyer\" and \"ad_id\"";
	id = json_string_value(json_object_get(rec, "id"));
	dev = json_string_value(json_object_get(rec, "device"));
	v = json_object_get(rec, "ts");
	if (id == NULL || dev == NULL || !json_is_integer(v))
		return "no string \"id\", string \"device\" and integer \"ts\"";
	ts = json_integer_value(v);
	if ((di = idnum(id, "r-", w->devices, &rest)) == 0 || *rest != '-' ||
	    (rk = idnum(rest, "-", UINT32_MAX, NULL)) == 0) {
		snprintf(msg, msglen, "request id \"%.60s\" is not of this "
		    "world (r-DEVICE-N)", id);
		return msg;
	}
	snprintf(devname, sizeof(devname), "d-%" PRIu64, di);
	if (strcmp(dev, devname) != 0 ||
	    replay_to(w, rp, (uint32_t)(di - 1), (uint32_t)rk, &want_ts) !=
	    0 || want_ts != ts) {
		snprintf(msg, msglen, "request \"%.60s\" is not of this world "
		    "(give the --seed and size flags that made it)", id);
		return msg;
	}
	if ((an = idnum(ad_id, "a-", w->ads, NULL)) == 0) {
		snprintf(msg, msglen, "winner ad \"%.60s\" is not an ad of this "
		    "world", ad_id);
		return msg;
	}
	for (bi = 0; bi < w->buyers; bi++) {
		struct buf nb = { 0 };
		int eq;

		synth_buyer_name(&nb, bi);
		eq = strcmp(nb.p, buyer) == 0;
		buf_free(&nb);
		if (eq)
			break;
	}
	if (bi == w->buyers || synth_ad_buyer(w, (uint32_t)(an - 1)) != bi) {
		snprintf(msg, msglen, "winner ad \"%.60s\" is not an ad of "
		    "buyer \"%.60s\" in this world", ad_id, buyer);
		return msg;
	}
	x = xmalloc(m->nfeat * sizeof(double) + 1);
	u = xmalloc(4 * (size_t)m->dim * sizeof(double));
	c = u + m->dim;
	a = c + m->dim;
	nent = synth_sum_entries(&rp->sum, bi, ts, ent);
	pasfeat_vector(&m->feat, ent, nent, x);
	model2t_user(m, x, u);
	if (model2t_context(m, rec, buyer, c, msg, msglen) != 0) {
		free(x);
		free(u);
		return msg;
	}
	synth_ad_embedding(w, (uint32_t)(an - 1), a);
	p = model2t_p(m, u, c, a);
	free(x);
	free(u);
	synth_outcome(w, id, p, &click, &install, &delay);
	buf_adds(b, "{\"type\":\"outcome\",\"id\":");
	jw_string(b, id, strlen(id));
	buf_adds(b, ",\"ad_id\":");
	jw_string(b, ad_id, strlen(ad_id));
	buf_printf(b, ",\"impression\":true,\"click\":%s,\"install\":%s,"
	    "\"ts\":", click ? "true" : "false", install ? "true" : "false");
	jw_int(b, ts + delay);
	buf_adds(b, ",\"buyer\":");
	jw_string(b, buyer, strlen(buyer));
	buf_adds(b, ",\"p_install\":");
	jw_real(b, p);
	buf_adds(b, "}\n");
	*won = 1;
	return NULL;
}

static int
outcomes(struct run *r, const struct synth_world *w, char *file)
{
	struct rin in;
	struct model2t m;
	struct replay rp;
	char msg[300], extra[100];
	const char *why;
	unsigned long nowin = 0;
	int rc, won;

	synth_model(w, &m);
	memset(&rp, 0, sizeof(rp));
	rp.dev = UINT32_MAX;
	rp.bs = xcalloc(w->buyers, sizeof(*rp.bs));
	synth_sum_init(&rp.sum, w->buyers);
	rin_init(&in, r, &file, 1);
	while ((rc = rin_next(&in)) == 1) {
		run_progress(r);
		if ((why = outcome_one(w, &m, &rp, in.obj, &r->out.b, &won,
		    msg, sizeof(msg))) != NULL) {
			if (run_bad(r, in.file, in.line, in.raw, in.rawlen,
			    "%s", why) != 0)
				break;
			continue;
		}
		r->used++;
		if (won)
			r->wrote++;
		else
			nowin++;
		if (out_maybe_flush(&r->out) != 0) {
			run_fail(r, EX_IOERR);
			break;
		}
	}
	rin_close(&in);
	free(rp.bs);
	synth_sum_free(&rp.sum);
	model2t_free(&m);
	snprintf(extra, sizeof(extra), "outcomes %lu, no winner %lu",
	    r->wrote, nowin);
	return run_finish(r, 1, extra);
}

/* The bit mask of a comma-separated list of feature names. */
static uint64_t
true_features(struct run *r, const char *arg)
{
	const char **names;
	size_t n, i, len;
	const char *p = arg, *comma;
	uint64_t mask = 0;

	n = synth_feature_names(&names);
	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		for (i = 0; i < n && i < 64; i++)
			if (strlen(names[i]) == len && strncmp(names[i], p, len) == 0)
				break;
		if (i == n || i == 64)
			run_usage_error(r, "--true-features: no feature \"%.*s\" "
			    "(see adsig(5))", (int)len, p);
		mask |= (uint64_t)1 << i;
		p += len + (comma != NULL);
	}
	if (mask == 0)
		run_usage_error(r, "--true-features: an empty list");
	return mask;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "devices",      required_argument, NULL, OPT_DEVICES },
		{ "requests",     required_argument, NULL, OPT_REQUESTS },
		{ "ads",          required_argument, NULL, OPT_ADS },
		{ "apps",         required_argument, NULL, OPT_APPS },
		{ "publishers",   required_argument, NULL, OPT_PUBLISHERS },
		{ "buyers",       required_argument, NULL, OPT_BUYERS },
		{ "dim",          required_argument, NULL, OPT_DIM },
		{ "days",         required_argument, NULL, OPT_DAYS },
		{ "start",        required_argument, NULL, OPT_START },
		{ "sessions",     required_argument, NULL, OPT_SESSIONS },
		{ "taglogs",      required_argument, NULL, OPT_TAGLOGS },
		{ "ctr-base",     required_argument, NULL, OPT_CTR },
		{ "true-features", required_argument, NULL, OPT_TRUEFEAT },
		{ "true-scale",   required_argument, NULL, OPT_TRUESCALE },
		{ "independent-traits", no_argument, NULL, OPT_INDEP },
		{ "emit",         required_argument, NULL, OPT_EMIT },
		{ "dir",          required_argument, NULL, OPT_DIR },
		{ "outcomes-for", required_argument, NULL, OPT_OUTCOMES },
		{ NULL, 0, NULL, 0 }
	};
	struct synth_world w;
	struct run r;
	const char *dir = NULL, *why;
	char *ofor = NULL;
	int ch, rc, emit = E_SIGNALS | E_REQUESTS, emit_set = 0;

	run_init(&r, argv[0], synopsis, help);
	synth_defaults(&w);
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_DEVICES:
			w.devices = (uint32_t)run_integer(&r, "--devices",
			    optarg, 0, 100000000);
			break;
		case OPT_REQUESTS:
			w.requests = run_integer(&r, "--requests", optarg,
			    0, (uint64_t)1 << 40);
			break;
		case OPT_ADS:
			w.ads = (uint32_t)run_integer(&r, "--ads", optarg,
			    0, UINT32_MAX - 1);
			break;
		case OPT_APPS:
			w.apps = (uint32_t)run_integer(&r, "--apps", optarg,
			    0, 100000000);
			break;
		case OPT_PUBLISHERS:
			w.publishers = (uint32_t)run_integer(&r,
			    "--publishers", optarg, 0, 100000000);
			break;
		case OPT_BUYERS:
			w.buyers = (uint32_t)run_integer(&r, "--buyers",
			    optarg, 0, SYNTH_MAX_BUYERS);
			break;
		case OPT_DIM:
			w.dim = (int)run_integer(&r, "--dim", optarg,
			    0, MODEL2T_MAX_DIM);
			break;
		case OPT_DAYS:
			w.days = (uint32_t)run_integer(&r, "--days", optarg,
			    0, SYNTH_MAX_DAYS);
			break;
		case OPT_START:
			w.start = (int64_t)run_integer(&r, "--start", optarg,
			    0, (uint64_t)1 << 40);
			break;
		case OPT_SESSIONS:
			w.sessions = run_real(&r, "--sessions", optarg);
			break;
		case OPT_TAGLOGS:
			w.taglogs = run_integer(&r, "--taglogs", optarg,
			    0, (uint64_t)1 << 40);
			break;
		case OPT_CTR:
			w.ctr_base = run_real(&r, "--ctr-base", optarg);
			break;
		case OPT_TRUEFEAT:
			w.true_mask = true_features(&r, optarg);
			break;
		case OPT_TRUESCALE:
			w.true_scale = run_real(&r, "--true-scale", optarg);
			break;
		case OPT_INDEP:
			w.independent = 1;
			break;
		case OPT_EMIT:
			emit = parse_emit(&r, optarg);
			emit_set = 1;
			break;
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_OUTCOMES:
			ofor = optarg;
			break;
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	if (optind < argc)
		run_usage_error(&r, "unexpected operand \"%s\"", argv[optind]);
	if ((why = synth_check(&w)) != NULL)
		run_usage_error(&r, "%s", why);
	if (r.out_format == RUN_FMT_CSV)
		run_usage_error(&r, "--csv: pas-synth writes NDJSON only");
	if (dir != NULL && r.output != NULL)
		run_usage_error(&r, "--dir and -o are exclusive");
	if (ofor != NULL && (dir != NULL || emit_set))
		run_usage_error(&r, "--outcomes-for takes neither --dir nor "
		    "--emit");
	if (ofor == NULL && r.skip_bad)
		run_usage_error(&r, "--skip-bad is for --outcomes-for");
	if (r.has_seed)
		w.seed = r.seed;
	else if (ofor != NULL)
		run_usage_error(&r, "--outcomes-for needs the --seed of the "
		    "world");
	else {
		randombytes_buf(&w.seed, sizeof(w.seed));
		w.seed >>= 1;
		diag_warn("seed %" PRIu64 " (--seed %" PRIu64 " makes this "
		    "world again)", w.seed, w.seed);
	}
	if ((rc = run_start(&r)) != 0)
		return diag_finish(rc);
	if (ofor != NULL)
		return outcomes(&r, &w, ofor);
	return generate(&r, &w, emit, dir);
}
