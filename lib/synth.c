#include "synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jw.h"
#include "rng.h"
#include "xalloc.h"

/* ---- vocabularies ---------------------------------------------------- */

struct cat {
	const char	*code;		/* 3 letters of the signal keys */
	const char	*name;
	const char	*sub[4];	/* NULL-terminated when shorter */
};

static const struct cat cats[SYNTH_NCAT] = {
	{ "gam", "games",    { "rpg", "puzzle", "casual", "strategy" } },
	{ "soc", "social",   { "chat", "dating", "video", NULL } },
	{ "shp", "shopping", { "fashion", "deals", "groceries", NULL } },
	{ "fin", "finance",  { "banking", "crypto", "budget", NULL } },
	{ "trv", "travel",   { "flights", "hotels", "maps", NULL } },
	{ "nws", "news",     { "daily", "sports", "tech", NULL } },
	{ "mus", "music",    { "streaming", "podcasts", "radio", NULL } },
	{ "fit", "fitness",  { "running", "yoga", "diet", NULL } },
};

static const char *const company[16] = {
	"bluefox", "northwind", "pixelforge", "sunbeam", "redkite", "quartz",
	"moonlit", "tidal", "ember", "cobalt", "orchid", "granite", "lumen",
	"harbor", "velvet", "zephyr",
};

static const char *const extra_tag[8] = {
	"free", "premium", "new", "top", "kids", "family", "retro", "pro",
};

#define NGEO 8
static const char *const geo[NGEO] = {
	"US", "GB", "CA", "DE", "FR", "IN", "BR", "JP" };
static const char *const geo_lang[NGEO] = {
	"en", "en", "en", "de", "fr", "en", "pt", "ja" };
static const unsigned geo_w[NGEO] = { 30, 10, 8, 10, 8, 15, 12, 7 };

#define NSLOT 4
static const char *const slot[NSLOT] = {
	"banner", "interstitial", "rewarded", "native" };
static const char *const slot_size[NSLOT] = {
	"320x50", "320x480", "320x480", "1200x627" };
static const unsigned slot_w[NSLOT] = { 40, 30, 20, 10 };
static const double slot_g0[NSLOT] = { -0.6, 0.4, 0.8, 0 };

#define NCITY 16
static const char *const city[NCITY] = {
	"Shenzhen", "Guangzhou", "Dongguan", "Hangzhou", "Ningbo", "Nanjing",
	"Suzhou", "Chengdu", "Wuhan", "Xian", "Beijing", "Shanghai",
	"Qingdao", "Jinan", "Changsha", "Xiamen",
};
static const unsigned city_prov[NCITY] = {
	0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 8, 9, 10 };
#define NPROV 11
static const char *const browser[6] = {
	"chrome", "safari", "uc", "qq", "firefox", "edge" };

/* The keys of the world: 0..7 "i"+code (installs), 8..15 "o"+code
 * (opens), then purc, levl, sess, tier. */
enum { K_INST = 0, K_OPEN = SYNTH_NCAT, K_PURC = 2 * SYNTH_NCAT, K_LEVL,
	K_SESS, K_TIER };

#define MAX_INST	8	/* max_signals of installs */
#define MAX_OPEN	16	/* ... opens */
#define MAX_PURC	10	/* ... purchases */

static void
key_bytes(int k, unsigned char out[4])
{
	static const char *const fixed[4] = { "purc", "levl", "sess", "tier" };

	if (k < K_PURC) {
		out[0] = k < K_OPEN ? 'i' : 'o';
		memcpy(out + 1, cats[k % SYNTH_NCAT].code, 3);
	} else
		memcpy(out, fixed[k - K_PURC], 4);
}

static const char *const feature_names[] = {
	"igam.present", "igam.log_count", "igam.fresh",
	"ogam.log_count", "ogam.fresh", "ogam.log_value",
	"isoc.present", "isoc.log_count", "isoc.fresh",
	"osoc.log_count", "osoc.fresh", "osoc.log_value",
	"ishp.present", "ishp.log_count", "ishp.fresh",
	"oshp.log_count", "oshp.fresh", "oshp.log_value",
	"ifin.present", "ifin.log_count", "ifin.fresh",
	"ofin.log_count", "ofin.fresh", "ofin.log_value",
	"itrv.present", "itrv.log_count", "itrv.fresh",
	"otrv.log_count", "otrv.fresh", "otrv.log_value",
	"inws.present", "inws.log_count", "inws.fresh",
	"onws.log_count", "onws.fresh", "onws.log_value",
	"imus.present", "imus.log_count", "imus.fresh",
	"omus.log_count", "omus.fresh", "omus.log_value",
	"ifit.present", "ifit.log_count", "ifit.fresh",
	"ofit.log_count", "ofit.fresh", "ofit.log_value",
	"purc.log_count", "purc.log_value", "levl.log_value",
	"sess.log_value", "tier.log_value",
};
#define NFEAT (sizeof(feature_names) / sizeof(feature_names[0]))
#define PER_CAT 6
static const double cat_weight[PER_CAT] = { 0.35, 0.3, 0.25, 0.2, 0.3, 0.03 };

size_t
synth_feature_names(const char ***names)
{
	*names = (const char **)feature_names;
	return NFEAT;
}

/* ---- parameters ------------------------------------------------------ */

void
synth_defaults(struct synth_world *w)
{
	memset(w, 0, sizeof(*w));
	w->seed = 1;
	w->devices = 1000;
	w->requests = 10000;
	w->ads = 200;
	w->apps = 200;
	w->publishers = 50;
	w->buyers = 2;
	w->dim = 8;
	w->days = 7;
	w->start = 1685577600;		/* 2023-06-01T00:00:00Z */
	w->sessions = 6;
	w->taglogs = 10000;
	w->ctr_base = 0.02;
	w->true_scale = 1;
}

const char *
synth_check(const struct synth_world *w)
{
	if (w->devices < 1)
		return "--devices must be at least 1";
	if (w->apps < SYNTH_NCAT)
		return "--apps must be at least 8 (one per category)";
	if (w->publishers < 1)
		return "--publishers must be at least 1";
	if (w->buyers < 1 || w->buyers > SYNTH_MAX_BUYERS)
		return "--buyers must be in 1..64";
	if (w->dim < 1 || w->dim > MODEL2T_MAX_DIM)
		return "--dim must be in 1..4096";
	if (w->days < 1 || w->days > SYNTH_MAX_DAYS)
		return "--days must be in 1..60 (the signals' TTL)";
	if (!(w->sessions > 0 && w->sessions <= 1000))
		return "--sessions must be in (0, 1000]";
	if (!(w->ctr_base >= 0 && w->ctr_base <= 1))
		return "--ctr-base must be in [0, 1]";
	if (!(w->true_scale >= 0 && w->true_scale <= 1000))
		return "--true-scale must be in [0, 1000]";
	if (w->start < 0 || w->start > (int64_t)1 << 40)
		return "--start must be epoch seconds in [0, 2^40]";
	return NULL;
}

int64_t
synth_end(const struct synth_world *w)
{
	return w->start + (int64_t)w->days * 86400;
}

/* Requests start after a warm-up of one day, or half the span. */
int64_t
synth_req_start(const struct synth_world *w)
{
	return w->start + (w->days >= 2 ? 86400 : 43200);
}

/* ---- helpers --------------------------------------------------------- */

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
}

/* The stream keyed (tag, a, b). */
static void
stream(struct rng *r, const struct synth_world *w, char tag, uint64_t a,
    uint64_t b)
{
	unsigned char k[17];

	k[0] = (unsigned char)tag;
	put64(k + 1, a);
	put64(k + 9, b);
	rng_init(r, &w->seed, k, sizeof(k));
}

static double
expo(struct rng *r)
{
	return -log(1.0 - rng_double(r));
}

static unsigned
pick(struct rng *r, const unsigned *wt, unsigned n)
{
	unsigned i, tot = 0, v;

	for (i = 0; i < n; i++)
		tot += wt[i];
	v = (unsigned)rng_below(r, tot);
	for (i = 0; i < n - 1; i++) {
		if (v < wt[i])
			return i;
		v -= wt[i];
	}
	return n - 1;
}

static double
round_to(double v, double scale)
{
	return round(v * scale) / scale + 0.0;	/* no -0.0 */
}

static unsigned
nsub(int c)
{
	unsigned n = 0;

	while (n < 4 && cats[c].sub[n] != NULL)
		n++;
	return n;
}

/* A unit vector (tag, idx) of size d into out. */
static void
direction(const struct synth_world *w, char tag, uint64_t idx, double *out)
{
	struct rng r;
	double s = 0;
	int i;

	stream(&r, w, tag, idx, 0);
	for (i = 0; i < w->dim; i++) {
		out[i] = rng_normal(&r);
		s += out[i] * out[i];
	}
	s = s > 0 ? sqrt(s) : 1;
	for (i = 0; i < w->dim; i++)
		out[i] /= s;
}

static void
addstr(struct buf *b, const char *s)
{
	jw_string(b, s, strlen(s));
}

static void
addb64(struct buf *b, const void *p, size_t n)
{
	char tmp[160];

	sodium_bin2base64(tmp, sizeof(tmp), p, n,
	    sodium_base64_VARIANT_ORIGINAL);
	buf_addc(b, '"');
	buf_adds(b, tmp);
	buf_addc(b, '"');
}

static void
addkey(struct buf *b, int k)
{
	unsigned char kb[4];

	key_bytes(k, kb);
	addb64(b, kb, 4);
}

static void
reals(struct buf *b, const double *v, int n)
{
	int i;

	buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		jw_real(b, v[i]);
	}
	buf_addc(b, ']');
}

void
synth_buyer_name(struct buf *b, uint32_t buyer)
{
	buf_printf(b, "adtech%u.example", buyer + 1);
}

void
synth_app_name(struct buf *b, const struct synth_world *w, uint32_t app)
{
	int c = (int)(app % SYNTH_NCAT);

	(void)w;
	buf_printf(b, "com.%s.%s%u", company[(app * 7 + 3) % 16],
	    cats[c].sub[(app / SYNTH_NCAT) % nsub(c)], app + 1);
}

static void
publisher_name(struct buf *b, uint32_t p)
{
	buf_printf(b, "com.%s.%s%u", company[(p * 5 + 1) % 16],
	    cats[p % SYNTH_NCAT].name, p + 1);
}

/* ---- the true model ------------------------------------------------- */

void
synth_model(const struct synth_world *w, struct model2t *m)
{
	int d = w->dim, r;
	double *e, *g, *v;
	size_t j, c;
	struct rng rr;
	double wt, x;
	int used;

	if (model2t_init(m, d, feature_names, NFEAT, NULL, 0) != 0)
		abort();		/* the names are ours */
	e = xmalloc((size_t)d * sizeof(double));
	g = xmalloc((size_t)d * sizeof(double));
	v = xmalloc((size_t)d * sizeof(double));
	for (j = 0; j < NFEAT; j++) {
		if (j < SYNTH_NCAT * PER_CAT) {
			c = j / PER_CAT;
			wt = cat_weight[j % PER_CAT];
			direction(w, 'e', c, e);
		} else {
			switch (j - SYNTH_NCAT * PER_CAT) {
			case 0:	wt = 0.4; direction(w, 'g', 1, e); break;
			case 1:	wt = 0.1; direction(w, 'g', 1, e); break;
			case 2:	wt = 0.15; direction(w, 'e', 0, e); break;
			case 3:	wt = 0.05; direction(w, 'g', 2, e); break;
			default: wt = 0.3; direction(w, 'g', 1, e); break;
			}
		}
		stream(&rr, w, 'm', j, 0);
		/* --true-features: a truth blind to the other features */
		used = w->true_mask == 0 || (w->true_mask >> j & 1);
		for (r = 0; r < d; r++) {
			x = wt * e[r] + 0.1 * rng_normal(&rr) / sqrt(d);
			m->user[(size_t)r * NFEAT + j] = used ?
			    round_to(w->true_scale * x, 1e4) : 0;
		}
	}
	m->embedding = xstrdup("context_embedding");
	m->scale = 1;
	direction(w, 'g', 0, g);
	for (c = 0; c < NSLOT; c++) {
		for (r = 0; r < d; r++)
			v[r] = round_to(slot_g0[c] * g[r], 1e4);
		model2t_set_field(m, "slot", slot[c], v);
	}
	m->bias = -4.5;
	free(e);
	free(g);
	free(v);
}

/* The context embedding of publisher p: 0.5 e_cat + noise. */
static void
publisher_embedding(const struct synth_world *w, uint32_t p, double *out)
{
	struct rng r;
	int i;

	direction(w, 'e', p % SYNTH_NCAT, out);
	stream(&r, w, 'q', p, 0);
	for (i = 0; i < w->dim; i++)
		out[i] = round_to(0.5 * out[i] + 0.2 * rng_normal(&r) /
		    sqrt(w->dim), 1e4);
}

/* ---- devices ------------------------------------------------------- */

static uint64_t
dev_requests(const struct synth_world *w, uint32_t i)
{
	return w->requests / w->devices + (i < w->requests % w->devices);
}

/* The next request position after pos with left requests to come. */
static double
next_pos(struct rng *r, double pos, uint64_t left)
{
	return 1 - (1 - pos) * pow(1 - rng_double(r), 1.0 / (double)left);
}

static int64_t
req_time(const struct synth_world *w, double pos)
{
	int64_t a = synth_req_start(w), b = synth_end(w), t;

	t = a + (int64_t)floor(pos * (double)(b - a));
	return t < b ? t : b - 1;
}

static int64_t
sig_after(const struct synth_world *w, const struct synth_dev *d,
    struct rng *r, int64_t t)
{
	double gap = expo(r) / d->rate;

	if (gap > (double)(synth_end(w) - t))
		return INT64_MAX;
	t += 1 + (int64_t)gap;
	return t < synth_end(w) ? t : INT64_MAX;
}

/*
 * Independent traits: category c's session rate is sessions / 8 times
 * an independent log-normal (sigma 1, mean 1) of its own stream, the
 * device's rate their sum, and an event's category c has probability
 * rate_c / rate.  So the events of each category form independent
 * Poisson processes: what a device does in one category says nothing
 * of the others.
 */
static void
indep_rates(const struct synth_world *w, uint32_t i, struct synth_dev *d)
{
	double rc[SYNTH_NCAT], tot = 0, cum = 0;
	struct rng r;
	int c;

	stream(&r, w, 'u', i, 0);
	for (c = 0; c < SYNTH_NCAT; c++) {
		rc[c] = w->sessions / SYNTH_NCAT * exp(rng_normal(&r) - 0.5) /
		    86400;
		tot += rc[c];
	}
	for (c = 0; c < SYNTH_NCAT; c++) {
		cum += rc[c];
		d->cat_cdf[c] = (float)(cum / tot);
	}
	d->cat_cdf[SYNTH_NCAT - 1] = 1;
	d->rate = tot;
}

void
synth_dev_init(const struct synth_world *w, uint32_t i, struct synth_dev *d,
    int sig, int req)
{
	struct rng r;

	memset(d, 0, sizeof(*d));
	stream(&r, w, 'p', i, 0);
	d->fav1 = (uint8_t)rng_below(&r, SYNTH_NCAT);
	d->fav2 = (uint8_t)rng_below(&r, SYNTH_NCAT);
	d->tier = (uint8_t)(1 + rng_below(&r, 3));
	d->geo = (uint8_t)pick(&r, geo_w, NGEO);
	d->rate = w->sessions * exp(0.5 * rng_normal(&r) - 0.125) / 86400;
	if (w->independent)
		indep_rates(w, i, d);
	/* drawn either way, so that requests do not depend on sig */
	d->next_sig = sig_after(w, d, &r, w->start - 1);
	if (!sig)
		d->next_sig = INT64_MAX;
	d->req_n = req ? (uint32_t)dev_requests(w, i) : 0;
	d->next_req = INT64_MAX;
	if (d->req_n > 0) {
		d->req_pos = next_pos(&r, 0, d->req_n);
		d->next_req = req_time(w, d->req_pos);
	}
}

void
synth_sum_init(struct synth_sum *s, uint32_t nbuyer)
{
	s->nbuyer = nbuyer;
	s->key = xcalloc((size_t)nbuyer * SYNTH_NKEY, sizeof(*s->key));
}

void
synth_sum_free(struct synth_sum *s)
{
	if (s == NULL)
		return;
	free(s->key);
	s->key = NULL;
	s->nbuyer = 0;
}

static uint8_t
bucket(int64_t job, int64_t t)
{
	uint64_t h;
	uint8_t bits = 0;

	if (job <= t)
		return 0;
	for (h = (uint64_t)(job - t) / 3600; h != 0; h >>= 1)
		bits++;
	return bits;
}

size_t
synth_sum_entries(const struct synth_sum *s, uint32_t buyer, int64_t ts,
    struct sigstore_feat *ent)
{
	const struct synth_keysum *ks = s->key + (size_t)buyer * SYNTH_NKEY;
	size_t n = 0;
	int k;

	for (k = 0; k < SYNTH_NKEY; k++) {
		if (ks[k].count == 0)
			continue;
		key_bytes(k, ent[n].key);
		ent[n].count = ks[k].count;
		ent[n].bucket = bucket(ts, ks[k].ctime);
		ent[n].len = ks[k].len;
		ent[n].val = ks[k].val;
		n++;
	}
	return n;
}

/* The summary's view of the commands. */
static void
sum_set(struct synth_keysum *ks, int64_t ts, const char *v, unsigned count)
{
	size_t n = strlen(v);

	ks->count = (uint8_t)count;
	ks->ctime = ts;
	ks->len = (uint8_t)n;
	memcpy(ks->val, v, n);
}

/* One signal event of a device, before it is written per buyer. */
struct sigev {
	int64_t		ts;
	int		kind;		/* 0 session, 1 install, 2 uninstall */
	int		cat;
	uint32_t	app;
	uint32_t	secs, cents;
	int		levelup;
};

static void
dev_name(struct buf *b, uint32_t i)
{
	buf_printf(b, "d-%u", i + 1);
}

/* Writes (out) and applies (sum) the update of ev for buyer b. */
static unsigned
emit_sig(const struct synth_world *w, uint32_t i, const struct synth_dev *d,
    const struct sigev *ev, uint32_t b, struct synth_bstate *st,
    struct buf *out, struct synth_sum *sum)
{
	struct synth_keysum *ks = sum != NULL ?
	    sum->key + (size_t)b * SYNTH_NKEY : NULL;
	struct buf app = { 0 };
	char v[32], lv[16], tv[8];
	int first = !st->registered, lev = 0, k;
	const char *sep = "";

	st->registered = 1;
	synth_app_name(&app, w, ev->app);
	if (ev->kind == 0) {
		st->sess_min += (ev->secs + 59) / 60;
		if (ev->cat == 0 && (ev->levelup || st->level == 0)) {
			if (st->level < UINT16_MAX)
				st->level++;
			lev = 1;
		}
	}
	snprintf(tv, sizeof(tv), "%u", d->tier);
	if (out != NULL) {
		buf_adds(out, "{\"type\":\"signals\",\"ts\":");
		jw_int(out, ev->ts);
		buf_adds(out, ",\"device\":\"");
		dev_name(out, i);
		buf_adds(out, "\",\"buyer\":\"");
		synth_buyer_name(out, b);
		buf_adds(out, "\",\"app\":");
		addstr(out, app.p);
		buf_adds(out, ",\"update\":{");
	}
	if (ev->kind == 0) {
		snprintf(v, sizeof(v), "%u", st->sess_min);
		snprintf(lv, sizeof(lv), "%u", st->level);
		if (out != NULL) {
			buf_adds(out, "\"put\":{");
			addkey(out, K_SESS);
			buf_addc(out, ':');
			addb64(out, v, strlen(v));
			if (lev) {
				buf_addc(out, ',');
				addkey(out, K_LEVL);
				buf_addc(out, ':');
				addb64(out, lv, strlen(lv));
			}
			buf_addc(out, '}');
			sep = ",";
		}
		if (ks != NULL) {
			sum_set(&ks[K_SESS], ev->ts, v, 1);
			if (lev)
				sum_set(&ks[K_LEVL], ev->ts, lv, 1);
		}
	}
	if (first || ev->kind == 1) {
		if (out != NULL) {
			buf_adds(out, sep);
			buf_adds(out, "\"put_if_not_present\":{");
			addkey(out, K_TIER);
			buf_addc(out, ':');
			addb64(out, tv, strlen(tv));
			buf_addc(out, '}');
			sep = ",";
		}
		if (ks != NULL && ks[K_TIER].count == 0)
			sum_set(&ks[K_TIER], ev->ts, tv, 1);
	}
	if (ev->kind == 0) {
		k = K_OPEN + ev->cat;
		snprintf(v, sizeof(v), "%u", ev->secs);
		if (out != NULL) {
			buf_adds(out, sep);
			buf_adds(out, "\"append\":{");
			addkey(out, k);
			buf_adds(out, ":{\"values\":[");
			addb64(out, v, strlen(v));
			buf_printf(out, "],\"max_signals\":%d}", MAX_OPEN);
			sep = ",";
		}
		if (ks != NULL)
			sum_set(&ks[k], ev->ts, v, ks[k].count < MAX_OPEN ?
			    ks[k].count + 1u : MAX_OPEN);
		if (ev->cents > 0) {
			snprintf(lv, sizeof(lv), "%u", ev->cents);
			if (out != NULL) {
				buf_addc(out, ',');
				addkey(out, K_PURC);
				buf_adds(out, ":{\"values\":[");
				addb64(out, lv, strlen(lv));
				buf_printf(out, "],\"max_signals\":%d}",
				    MAX_PURC);
			}
			if (ks != NULL)
				sum_set(&ks[K_PURC], ev->ts, lv,
				    ks[K_PURC].count < MAX_PURC ?
				    ks[K_PURC].count + 1u : MAX_PURC);
		}
		if (out != NULL)
			buf_addc(out, '}');
	} else if (ev->kind == 1) {
		k = K_INST + ev->cat;
		if (out != NULL) {
			buf_adds(out, sep);
			buf_adds(out, "\"append\":{");
			addkey(out, k);
			buf_adds(out, ":{\"values\":[");
			addb64(out, app.p, app.len);
			buf_printf(out, "],\"max_signals\":%d}}", MAX_INST);
			sep = ",";
		}
		if (ks != NULL)
			sum_set(&ks[k], ev->ts, app.p, ks[k].count < MAX_INST ?
			    ks[k].count + 1u : MAX_INST);
	} else {
		if (out != NULL) {
			buf_adds(out, sep);
			buf_adds(out, "\"remove\":[");
			addkey(out, K_INST + ev->cat);
			buf_addc(out, ',');
			addkey(out, K_OPEN + ev->cat);
			buf_addc(out, ']');
			sep = ",";
		}
		if (ks != NULL) {
			ks[K_INST + ev->cat].count = 0;
			ks[K_OPEN + ev->cat].count = 0;
		}
	}
	if (first && out != NULL) {
		buf_adds(out, sep);
		buf_adds(out, "\"update_encoder\":{\"action\":\"REGISTER\","
		    "\"endpoint\":\"https://");
		synth_buyer_name(out, b);
		buf_adds(out, "/pas/encoder.js\"}");
	}
	if (out != NULL)
		buf_adds(out, "}}\n");
	buf_free(&app);
	return 1;
}

/* The buyers whose SDK app j carries: j % B, and for a third of the
 * apps also the next one. */
static uint32_t
app_buyers(const struct synth_world *w, uint32_t app, uint32_t *b)
{
	uint32_t n = 0;

	b[n++] = app % w->buyers;
	if (w->buyers > 1 && (app / SYNTH_NCAT) % 3 == 0)
		b[n++] = (app + 1) % w->buyers;
	if (n == 2 && b[1] < b[0]) {
		uint32_t t = b[0];
		b[0] = b[1];
		b[1] = t;
	}
	return n;
}

static int
pick_cat(struct rng *r, const struct synth_world *w,
    const struct synth_dev *d)
{
	double u = rng_double(r);
	int c;

	if (w->independent) {
		for (c = 0; c < SYNTH_NCAT - 1; c++)
			if (u < d->cat_cdf[c])
				break;
		return c;
	}
	if (u < 0.45)
		return d->fav1;
	if (u < 0.70)
		return d->fav2;
	return (int)rng_below(r, SYNTH_NCAT);
}

static unsigned
sig_step(const struct synth_world *w, uint32_t i, struct synth_dev *d,
    struct synth_bstate *bs, struct buf *out, struct synth_sum *sum)
{
	struct rng r;
	struct sigev ev;
	uint32_t nc, buyers[2], nb, k;
	double u;
	unsigned n = 0;

	memset(&ev, 0, sizeof(ev));
	ev.ts = d->next_sig;
	stream(&r, w, 's', i, d->sig_k);
	u = rng_double(&r);
	ev.kind = u < 0.12 ? 1 : u < 0.14 ? 2 : 0;
	ev.cat = pick_cat(&r, w, d);
	nc = (w->apps - (uint32_t)ev.cat + SYNTH_NCAT - 1) / SYNTH_NCAT;
	ev.app = (uint32_t)ev.cat + SYNTH_NCAT * (uint32_t)rng_below(&r, nc);
	ev.secs = 10 + (uint32_t)fmin(3590, floor(240 * expo(&r)));
	ev.levelup = rng_double(&r) < 0.3;
	if (ev.kind == 0 && rng_double(&r) < 0.01 * d->tier * d->tier)
		ev.cents = 99 * (1 + (uint32_t)rng_below(&r, 20));
	nb = app_buyers(w, ev.app, buyers);
	for (k = 0; k < nb; k++)
		n += emit_sig(w, i, d, &ev, buyers[k], &bs[buyers[k]], out,
		    sum);
	d->sig_k++;
	d->next_sig = sig_after(w, d, &r, ev.ts);
	return n;
}

static unsigned
req_step(const struct synth_world *w, uint32_t i, struct synth_dev *d,
    struct buf *out)
{
	struct rng r;
	uint32_t p, b;
	unsigned s;
	double floor_base, fl, *emb;
	struct rng pr;
	int c;

	stream(&r, w, 'r', i, d->req_k);
	c = pick_cat(&r, w, d);
	p = (uint32_t)rng_below(&r, w->publishers);
	/* independent traits: the publisher does not depend on the device */
	if (rng_double(&r) < 0.5 && !w->independent) {
		/* a publisher of the chosen category, when there is one */
		uint32_t np = (w->publishers - (uint32_t)c + SYNTH_NCAT - 1) /
		    SYNTH_NCAT;
		if ((uint32_t)c < w->publishers)
			p = (uint32_t)c + SYNTH_NCAT *
			    (uint32_t)rng_below(&r, np);
	}
	s = pick(&r, slot_w, NSLOT);
	stream(&pr, w, 'P', p, 0);
	floor_base = 0.3 * exp(0.5 * rng_normal(&pr));
	fl = round_to(floor_base * (0.8 + 0.4 * rng_double(&r)) *
	    (s == 0 ? 0.5 : 1.5), 100);
	if (out != NULL) {
		buf_printf(out, "{\"type\":\"request\",\"id\":\"r-%u-%u\","
		    "\"ts\":", i + 1, d->req_k + 1);
		jw_int(out, d->next_req);
		buf_adds(out, ",\"device\":\"");
		dev_name(out, i);
		buf_printf(out, "\",\"channel\":\"ch-%u\",\"plan\":\"p-%u\","
		    "\"buyers\":[", p % 10 + 1, p % 30 + 1);
		for (b = 0; b < w->buyers; b++) {
			if (b > 0)
				buf_addc(out, ',');
			buf_addc(out, '"');
			synth_buyer_name(out, b);
			buf_addc(out, '"');
		}
		buf_adds(out, "],\"ctx\":{\"app\":\"");
		publisher_name(out, p);
		buf_printf(out, "\",\"lang\":\"%s\",\"geo\":\"%s\","
		    "\"os\":\"android\",\"slot\":\"%s\",\"size\":\"%s\","
		    "\"floor\":", geo_lang[d->geo], geo[d->geo], slot[s],
		    slot_size[s]);
		jw_real(out, fl);
		buf_adds(out, "},\"buyer_signals\":{");
		emb = xmalloc((size_t)w->dim * sizeof(double));
		publisher_embedding(w, p, emb);
		for (b = 0; b < w->buyers; b++) {
			if (b > 0)
				buf_addc(out, ',');
			buf_addc(out, '"');
			synth_buyer_name(out, b);
			buf_adds(out, "\":{\"context_embedding\":");
			reals(out, emb, w->dim);
			buf_addc(out, '}');
		}
		free(emb);
		buf_adds(out, "}}\n");
	}
	d->req_k++;
	if (d->req_k < d->req_n) {
		d->req_pos = next_pos(&r, d->req_pos, d->req_n - d->req_k);
		d->next_req = req_time(w, d->req_pos);
	} else
		d->next_req = INT64_MAX;
	return 1;
}

unsigned
synth_dev_step(const struct synth_world *w, uint32_t i, struct synth_dev *d,
    struct synth_bstate *bs, struct buf *out, struct synth_sum *sum,
    int *is_req, uint32_t *req_k)
{
	if (d->next_sig <= d->next_req) {
		if (is_req != NULL)
			*is_req = 0;
		return sig_step(w, i, d, bs, out, sum);
	}
	if (is_req != NULL)
		*is_req = 1;
	if (req_k != NULL)
		*req_k = d->req_k + 1;
	return req_step(w, i, d, out);
}

/* ---- ads ------------------------------------------------------------ */

struct campaign {
	int		cat;
	unsigned	sub, adv;
	double		value;
};

static void
campaign_of(const struct synth_world *w, uint32_t n, struct campaign *cp)
{
	struct rng r;

	stream(&r, w, 'c', n / 4, 0);
	cp->cat = (int)rng_below(&r, SYNTH_NCAT);
	cp->sub = (unsigned)rng_below(&r, nsub(cp->cat));
	cp->adv = (unsigned)rng_below(&r, 16);
	cp->value = round_to(2 * exp(0.6 * rng_normal(&r) - 0.18), 100);
	if (cp->value < 0.05)
		cp->value = 0.05;
}

uint32_t
synth_ad_buyer(const struct synth_world *w, uint32_t n)
{
	return (n / 4) % w->buyers;
}

void
synth_ad_embedding(const struct synth_world *w, uint32_t n, double *a)
{
	struct campaign cp;
	struct rng r;
	double *g;
	int i;

	campaign_of(w, n, &cp);
	g = xmalloc((size_t)w->dim * sizeof(double));
	direction(w, 'e', (uint64_t)cp.cat, a);
	direction(w, 'g', 0, g);
	stream(&r, w, 'b', n, 0);
	for (i = 0; i < w->dim; i++)
		a[i] = round_to(a[i] + 0.5 * g[i] + 0.3 * rng_normal(&r) /
		    sqrt(w->dim), 1e4);
	free(g);
}

/* A list of 1..max distinct items of names[0..n) into b as JSON. */
static void
subset(struct buf *b, struct rng *r, const char *const *names, unsigned n,
    unsigned max)
{
	unsigned k = 1 + (unsigned)rng_below(r, max), i, used = 0, j;

	buf_addc(b, '[');
	for (i = 0; i < k; i++) {
		j = (unsigned)rng_below(r, n);
		if (used & (1u << j))
			continue;
		if (used != 0)
			buf_addc(b, ',');
		used |= 1u << j;
		addstr(b, names[j]);
	}
	buf_addc(b, ']');
}

void
synth_ad(const struct synth_world *w, uint32_t n, struct buf *out)
{
	struct campaign cp;
	struct rng r;
	double *a, budget;
	const char *sep = "";
	static const char *const langs[5] = { "en", "de", "fr", "pt", "ja" };

	campaign_of(w, n, &cp);
	stream(&r, w, 'a', n, 0);
	buf_printf(out, "{\"ad_id\":\"a-%u\",\"buyer\":\"", n + 1);
	synth_buyer_name(out, synth_ad_buyer(w, n));
	buf_printf(out, "\",\"campaign\":\"c-%u\",\"advertiser\":\"%s-%s\","
	    "\"category\":\"%s/%s\",\"render_url\":\"https://", n / 4 + 1,
	    company[cp.adv], cats[cp.cat].name, cats[cp.cat].name,
	    cats[cp.cat].sub[cp.sub]);
	synth_buyer_name(out, synth_ad_buyer(w, n));
	buf_printf(out, "/ads/a-%u.html\",\"targeting\":{", n + 1);
	if (rng_double(&r) < 0.3) {
		buf_adds(out, "\"lang\":");
		subset(out, &r, langs, 5, 2);
		sep = ",";
	}
	if (rng_double(&r) < 0.5) {
		buf_adds(out, sep);
		buf_adds(out, "\"geo\":");
		subset(out, &r, geo, NGEO, 3);
		sep = ",";
	}
	if (rng_double(&r) < 0.4) {
		buf_adds(out, sep);
		buf_adds(out, "\"slot\":");
		subset(out, &r, slot, NSLOT, 2);
		sep = ",";
	}
	if (rng_double(&r) < 0.2) {
		buf_adds(out, sep);
		buf_adds(out, "\"size\":");
		subset(out, &r, slot_size, NSLOT, 2);
	}
	budget = round_to(50 * exp(rng_normal(&r) - 0.5), 100);
	buf_adds(out, "},\"budget\":{\"remaining\":");
	jw_real(out, budget);
	buf_adds(out, "},\"value\":");
	jw_real(out, cp.value);
	buf_adds(out, ",\"tags\":[");
	addstr(out, cats[cp.cat].sub[cp.sub]);
	buf_addc(out, ',');
	addstr(out, cats[cp.cat].name);
	buf_addc(out, ',');
	addstr(out, extra_tag[rng_below(&r, 8)]);
	buf_adds(out, "],\"embedding\":");
	a = xmalloc((size_t)w->dim * sizeof(double));
	synth_ad_embedding(w, n, a);
	reals(out, a, w->dim);
	free(a);
	buf_adds(out, "}\n");
}

/* ---- tag-CTR logs ---------------------------------------------------- */

#define NTAG (4 * SYNTH_NCAT + 8)

static const char *
tag_name(unsigned t)
{
	if (t < 4 * SYNTH_NCAT) {
		const char *s = cats[t / 4].sub[t % 4];
		return s != NULL ? s : cats[t / 4].name;
	}
	return extra_tag[t - 4 * SYNTH_NCAT];
}

static double
effect(const struct synth_world *w, char tag, uint64_t idx, double sd)
{
	struct rng r;

	stream(&r, w, tag, idx, 0);
	return sd * rng_normal(&r);
}

void
synth_taglog(const struct synth_world *w, uint64_t n, struct buf *out)
{
	static const unsigned ch_w[10] = { 100, 50, 33, 25, 20, 17, 14, 12,
	    11, 10 };
	static const double daypart[4] = { -0.3, 0, 0.2, 0.3 };
	struct rng r, mr;
	int64_t span = synth_end(w) - w->start, ts;
	unsigned ch, plan, mat, hour, ci, os, br, ntags, t, tags[3], i, j;
	double z;
	int dup;

	ts = w->start + (int64_t)((double)n * (double)span /
	    (double)(w->taglogs > 0 ? w->taglogs : 1));
	stream(&r, w, 't', n, 0);
	ch = pick(&r, ch_w, 10);
	plan = ch * 3 + (unsigned)rng_below(&r, 3);
	mat = plan * 8 + (unsigned)rng_below(&r, 8);
	hour = (unsigned)((ts / 3600 + 8) % 24);	/* China time */
	ci = (unsigned)rng_below(&r, NCITY);
	os = rng_double(&r) < 0.75 ? 0 : 1;
	br = (unsigned)rng_below(&r, 6);
	stream(&mr, w, 'M', mat, 0);
	ntags = 2 + (unsigned)rng_below(&mr, 2);
	for (i = 0; i < ntags; i++) {
		do {
			t = (unsigned)rng_below(&mr, NTAG);
			for (dup = 0, j = 0; j < i; j++)
				dup |= tags[j] == t;
		} while (dup);
		tags[i] = t;
	}
	z = -4 + daypart[hour / 6] + (os ? 0.2 : 0) +
	    effect(w, 'C', city_prov[ci], 0.3);
	for (i = 0; i < ntags; i++)
		z += effect(w, 'T', tags[i], 0.5);
	buf_adds(out, "{\"ts\":");
	jw_int(out, ts);
	buf_printf(out, ",\"channel\":\"ch-%u\",\"plan\":\"p-%u\","
	    "\"material\":\"m-%u\",\"tags\":[", ch + 1, plan + 1, mat + 1);
	for (i = 0; i < ntags; i++) {
		if (i > 0)
			buf_addc(out, ',');
		addstr(out, tag_name(tags[i]));
	}
	buf_printf(out, "],\"attrs\":{\"hour\":%u,\"city\":\"%s\","
	    "\"browser\":\"%s\",\"os\":\"%s\",\"uid\":\"u-%u\"},"
	    "\"click\":%s}\n", hour, city[ci], browser[br],
	    os ? "ios" : "android", 1 + (unsigned)rng_below(&r, w->devices),
	    rng_double(&r) < 1 / (1 + exp(-z)) ? "true" : "false");
}

/* ---- outcomes ------------------------------------------------------- */

void
synth_outcome(const struct synth_world *w, const char *id, double p,
    int *click, int *install, int64_t *delay)
{
	struct rng r;
	size_t n = strlen(id);
	unsigned char *k = xmalloc(n + 1);
	double v;

	k[0] = 'o';
	memcpy(k + 1, id, n);
	rng_init(&r, &w->seed, k, n + 1);
	free(k);
	v = rng_double(&r);
	*install = v < p;
	*click = v < p + w->ctr_base * (1 - p);
	*delay = 0;
	if (*click)
		*delay = 2 + (int64_t)rng_below(&r, 60);
	if (*install)
		*delay += 60 + (int64_t)rng_below(&r, 600);
}
