#include "tagctr.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "csvio.h"
#include "diag.h"
#include "jw.h"
#include "wilson.h"
#include "xalloc.h"

#define NONE		0xFFFFFFFFu	/* tag: every line (the line totals) */
#define AV_IGNORE	0xFFFFFFFFu
#define AV_BAD		0xFFFFFFFEu
#define REC_C		0x80000000u	/* a count record */
#define REC_CLICK	0x40000000u
#define REC_C_WORDS	11

/*
 * Records, as 32-bit words:
 *   line:  cp, flags|nav, ts (2 words), tagset, av[nav]
 *   count: cp, REC_C, ts (2), av, tag, n (2), k (2), span
 */
struct store {
	uint32_t	*m;
	size_t		 len, cap, budget;	/* words */
	FILE		*f;			/* spilled words, unlinked */
	uint64_t	 fwords;
};

struct akey {
	uint32_t	 av, tag;
	int64_t		 b, span;
};

/* One partition's counts: open addressing over entry indices. */
struct agg {
	struct akey	*keys;
	double		*vals;
	uint32_t	*slotof;
	uint32_t	 n, cap, nv;
	uint32_t	*slot;
	size_t		 mask;
};

struct tail {
	uint64_t	 rq, ck;
	uint32_t	 len;
	char		 s[108];
};

struct tc {
	struct tc_opts	 o;
	struct tc_dims	*dims;
	const struct tc_mats *mats;
	struct tc_strtab chan, plan, attr, val, tag;
	struct tc_strtab rawcp;		/* channel \0 plan -> cp */
	uint32_t	*cp_chan, *cp_plan;
	uint64_t	*cp_words;
	size_t		 cpcap;
	struct tc_strtab rawattr;	/* attribute names as found */
	struct rawattr {
		struct tc_strtab vals;	/* raw values -> merged av */
		uint32_t	*res;
		size_t		 cap;
	}		*ra;
	uint32_t	*ra_last;	/* attribute at position i last line */
	size_t		 ra_lastn;
	struct tc_u64map avmap;		/* attr id << 32 | value id -> av */
	uint32_t	*av_attr, *av_val;
	uint32_t	 nav, avcap;
	struct tc_strtab rawtags;	/* material \0 tag \0 ... -> tag set */
	uint32_t	*ts_first, *ts_n;
	size_t		 tscap;
	uint32_t	*ts_ids;
	size_t		 nts_ids, ts_idcap;
	struct buf	 key;
	uint32_t	*avtmp, *tagtmp;
	size_t		 avtmpcap, tagtmpcap;
	struct store	 st;
	int		 have_ts;
	long long	 max_ts, now;
	unsigned long	 rows, outside;
	/* finishing */
	uint32_t	*fcp_of;		/* cp -> final cp */
	uint32_t	*chan_final;		/* channel -> pooled channel */
	struct tc_u64map fcpmap;
	uint32_t	*fcp_chan, *fcp_plan;
	uint64_t	*fcp_words;
	uint32_t	 nfcp;
	uint32_t	*avrank, *tagrank;
	uint32_t	*loc;			/* sort_rows: by av rank */
	struct buf	 pre;			/* texts of av and tag */
	size_t		*pre_av, *pre_tag;	/* offsets, length in next */
	struct agg	 agg;
	struct tail	*tails;
	int		 status;
};

static const char *hour_bad =
    "attribute \"hour\" must be an hour from 0 to 23 (day parts; "
    "--no-dayparts keeps any value)";

/* ---- the record store ---- */

static void
store_spill(struct store *s)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (s->f == NULL) {
		snprintf(path, sizeof(path), "%s/tagctr.XXXXXX",
		    dir != NULL && *dir != '\0' ? dir : "/tmp");
		if ((fd = mkstemp(path)) == -1 ||
		    (s->f = fdopen(fd, "w+")) == NULL)
			diag_die(EX_IOERR, "%s: %s", path, strerror(errno));
		unlink(path);
	}
	if (fwrite(s->m, sizeof(*s->m), s->len, s->f) != s->len)
		diag_die(EX_IOERR, "temporary file: %s", strerror(errno));
	s->fwords += s->len;
	s->len = 0;
}

static uint32_t *
store_put(struct store *s, size_t nw)
{
	uint32_t *p;

	if (s->len + nw > s->budget && s->len > 0)
		store_spill(s);
	if (s->len + nw > s->cap) {
		s->cap = s->cap ? 2 * s->cap : 65536;
		if (s->cap > s->budget && s->budget >= s->len + nw)
			s->cap = s->budget;
		if (s->cap < s->len + nw)
			s->cap = s->len + nw;
		s->m = xreallocarray(s->m, s->cap, sizeof(*s->m));
	}
	p = s->m + s->len;
	s->len += nw;
	return p;
}

static inline size_t
rec_words(const uint32_t *r)
{
	return (r[1] & REC_C) ? REC_C_WORDS : 5 + (r[1] & 0xFFFF);
}

static inline long long
rec_ts(const uint32_t *r)
{
	return (long long)((uint64_t)r[2] | (uint64_t)r[3] << 32);
}

static inline uint64_t
rec_u64(const uint32_t *r, int at)
{
	return (uint64_t)r[at] | (uint64_t)r[at + 1] << 32;
}

typedef void	scan_fn(struct tc *t, const uint32_t *rec, void *ctx);

/* Calls fn on every record: the spilled ones, then those in memory. */
static void
store_scan(struct tc *t, scan_fn *fn, void *ctx)
{
	struct store *s = &t->st;
	size_t cap = 1 << 20, have = 0, at, got, w;
	uint32_t *b;

	if (s->f != NULL && s->fwords > 0) {
		if (fflush(s->f) != 0 || fseek(s->f, 0, SEEK_SET) != 0)
			diag_die(EX_IOERR, "temporary file: %s",
			    strerror(errno));
		b = xmalloc(cap * sizeof(*b));
		for (;;) {
			got = fread(b + have, sizeof(*b), cap - have, s->f);
			if (got == 0 && ferror(s->f))
				diag_die(EX_IOERR, "temporary file: %s",
				    strerror(errno));
			have += got;
			at = 0;
			while (have - at >= 2 &&
			    have - at >= (w = rec_words(b + at))) {
				fn(t, b + at, ctx);
				at += w;
			}
			memmove(b, b + at, (have - at) * sizeof(*b));
			have -= at;
			if (got == 0)
				break;
		}
		free(b);
		if (fseek(s->f, 0, SEEK_END) != 0)
			diag_die(EX_IOERR, "temporary file: %s",
			    strerror(errno));
	}
	for (at = 0; at < s->len; at += rec_words(s->m + at))
		fn(t, s->m + at, ctx);
}

/* ---- building ---- */

struct tc *
tc_new(const struct tc_opts *o, struct tc_dims *dims,
    const struct tc_mats *mats)
{
	struct tc *t = xcalloc(1, sizeof(*t));

	t->o = *o;
	t->dims = dims;
	t->mats = mats;
	t->st.budget = o->budget / sizeof(uint32_t);
	if (t->st.budget < 4096)
		t->st.budget = 4096;
	/* av 0 is ("*", "*"): the pooled rows */
	tc_intern(&t->attr, "*", 1, NULL);
	tc_intern(&t->val, "*", 1, NULL);
	t->av_attr = xmalloc(64 * sizeof(uint32_t));
	t->av_val = xmalloc(64 * sizeof(uint32_t));
	t->avcap = 64;
	t->av_attr[0] = t->av_val[0] = 0;
	t->nav = 1;
	tc_u64_put(&t->avmap, 0, 0);
	return t;
}

static uint32_t
av_of(struct tc *t, const char *a, size_t an, const char *v, size_t vn)
{
	uint32_t ai = tc_intern(&t->attr, a, an, NULL);
	uint32_t vi = tc_intern(&t->val, v, vn, NULL);
	uint64_t k = (uint64_t)ai << 32 | vi;
	long f;

	if ((f = tc_u64_get(&t->avmap, k)) >= 0)
		return (uint32_t)f;
	if (t->nav == t->avcap) {
		t->avcap *= 2;
		t->av_attr = xreallocarray(t->av_attr, t->avcap,
		    sizeof(*t->av_attr));
		t->av_val = xreallocarray(t->av_val, t->avcap,
		    sizeof(*t->av_val));
	}
	t->av_attr[t->nav] = ai;
	t->av_val[t->nav] = vi;
	tc_u64_put(&t->avmap, k, t->nav);
	return t->nav++;
}

static uint32_t
cp_of(struct tc *t, const struct tcl_str *ch, const struct tcl_str *pl)
{
	uint32_t cp;
	int isnew;

	t->key.len = 0;
	buf_add(&t->key, ch->p, ch->n);
	buf_addc(&t->key, '\0');
	buf_add(&t->key, pl->p, pl->n);
	cp = tc_intern(&t->rawcp, t->key.p, t->key.len, &isnew);
	if (isnew) {
		if (cp >= t->cpcap) {
			t->cpcap = t->cpcap ? 2 * t->cpcap : 256;
			t->cp_chan = xreallocarray(t->cp_chan, t->cpcap,
			    sizeof(*t->cp_chan));
			t->cp_plan = xreallocarray(t->cp_plan, t->cpcap,
			    sizeof(*t->cp_plan));
			t->cp_words = xreallocarray(t->cp_words, t->cpcap,
			    sizeof(*t->cp_words));
		}
		t->cp_chan[cp] = tc_intern(&t->chan, ch->p, ch->n, NULL);
		t->cp_plan[cp] = tc_intern(&t->plan, pl->p, pl->n, NULL);
		t->cp_words[cp] = 0;
	}
	return cp;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
add_tag_id(struct tc *t, size_t *n, uint32_t id)
{
	if (*n == t->tagtmpcap) {
		t->tagtmpcap = t->tagtmpcap ? 2 * t->tagtmpcap : 32;
		t->tagtmp = xreallocarray(t->tagtmp, t->tagtmpcap,
		    sizeof(*t->tagtmp));
	}
	t->tagtmp[(*n)++] = id;
}

/* The tag set of a line: its tags, the materials file's, the identity. */
static uint32_t
tagset_of(struct tc *t, const struct tcl_rec *r)
{
	const uint32_t *mt;
	size_t i, n = 0, j, nm;
	uint32_t id;
	int isnew;

	t->key.len = 0;
	buf_add(&t->key, r->material.p, r->material.n);
	for (i = 0; i < r->ntag; i++) {
		buf_addc(&t->key, '\0');
		buf_add(&t->key, r->tags[i].p, r->tags[i].n);
	}
	id = tc_intern(&t->rawtags, t->key.p, t->key.len, &isnew);
	if (!isnew)
		return id;
	for (i = 0; i < r->ntag; i++)
		add_tag_id(t, &n, tc_intern(&t->tag, r->tags[i].p,
		    r->tags[i].n, NULL));
	mt = tc_mats_tags(t->mats, r->material.p, r->material.n, &nm);
	for (i = 0; i < nm; i++) {
		size_t tn;
		const char *ts = tc_str(&t->mats->tags, mt[i], &tn);

		add_tag_id(t, &n, tc_intern(&t->tag, ts, tn, NULL));
	}
	if (t->o.material_tag) {
		t->key.len = 0;
		buf_adds(&t->key, "material:");
		buf_add(&t->key, r->material.p, r->material.n);
		add_tag_id(t, &n, tc_intern(&t->tag, t->key.p, t->key.len,
		    NULL));
	}
	if (n > 1)
		qsort(t->tagtmp, n, sizeof(*t->tagtmp), cmp_u32);
	for (i = j = 0; i < n; i++)
		if (j == 0 || t->tagtmp[j - 1] != t->tagtmp[i])
			t->tagtmp[j++] = t->tagtmp[i];
	n = j;
	if (id >= t->tscap) {
		t->tscap = t->tscap ? 2 * t->tscap : 256;
		t->ts_first = xreallocarray(t->ts_first, t->tscap,
		    sizeof(*t->ts_first));
		t->ts_n = xreallocarray(t->ts_n, t->tscap, sizeof(*t->ts_n));
	}
	if (t->nts_ids + n > t->ts_idcap) {
		while (t->nts_ids + n > t->ts_idcap)
			t->ts_idcap = t->ts_idcap ? 2 * t->ts_idcap : 1024;
		t->ts_ids = xreallocarray(t->ts_ids, t->ts_idcap,
		    sizeof(*t->ts_ids));
	}
	t->ts_first[id] = (uint32_t)t->nts_ids;
	t->ts_n[id] = (uint32_t)n;
	if (n > 0)
		memcpy(t->ts_ids + t->nts_ids, t->tagtmp, n *
		    sizeof(*t->tagtmp));
	t->nts_ids += n;
	return id;
}

static void
see_ts(struct tc *t, long long newest)
{
	if (!t->have_ts || newest > t->max_ts)
		t->max_ts = newest;
	t->have_ts = 1;
}

const char *
tc_add_line(struct tc *t, const struct tcl_rec *r)
{
	const char *why, *mv;
	char tmp[16];
	size_t i, nav = 0, mn;
	uint32_t id, res, cp, ts, *w;
	long long sec;
	int isnew, unmapped;

	if (r->nattr > t->avtmpcap) {
		t->avtmpcap = r->nattr;
		t->avtmp = xreallocarray(t->avtmp, t->avtmpcap,
		    sizeof(*t->avtmp));
	}
	if (r->nattr > 0xFFFF)
		return "more than 65535 attributes";
	for (i = 0; i < r->nattr; i++) {
		struct rawattr *ra;
		uint32_t ai;

		/* lines name their attributes in the same order, mostly */
		if (i < t->ra_lastn && (ai = t->ra_last[i],
		    t->rawattr.e[ai].len == r->akey[i].n) &&
		    memcmp(tc_str(&t->rawattr, ai, NULL), r->akey[i].p,
		    r->akey[i].n) == 0)
			;
		else {
			ai = tc_intern(&t->rawattr, r->akey[i].p, r->akey[i].n,
			    &isnew);
			if (isnew) {
				t->ra = xreallocarray(t->ra, t->rawattr.n,
				    sizeof(*t->ra));
				memset(&t->ra[ai], 0, sizeof(*t->ra));
			}
			if (i >= t->ra_lastn) {
				t->ra_last = xreallocarray(t->ra_last, i + 1,
				    sizeof(*t->ra_last));
				t->ra_lastn = i + 1;
			}
			t->ra_last[i] = ai;
		}
		ra = &t->ra[ai];
		id = tc_intern(&ra->vals, r->aval[i].p, r->aval[i].n, &isnew);
		if (isnew) {
			if (id >= ra->cap) {
				ra->cap = ra->cap ? 2 * ra->cap : 64;
				ra->res = xreallocarray(ra->res, ra->cap,
				    sizeof(*ra->res));
			}
			switch (tc_dims_merge(t->dims, r->akey[i].p,
			    r->akey[i].n, r->aval[i].p, r->aval[i].n, tmp, &mv,
			    &mn, &why, &unmapped)) {
			case 1:
				res = av_of(t, r->akey[i].p, r->akey[i].n, mv,
				    mn);
				if (unmapped)
					t->dims->unmapped++;
				break;
			case 0:
				res = AV_IGNORE;
				break;
			default:
				res = AV_BAD;
			}
			ra->res[id] = res;
		}
		res = ra->res[id];
		if (res == AV_BAD)
			return hour_bad;
		if (res != AV_IGNORE)
			t->avtmp[nav++] = res;
	}
	sec = (long long)floor(r->ts);
	cp = cp_of(t, &r->channel, &r->plan);
	ts = tagset_of(t, r);
	w = store_put(&t->st, 5 + nav);
	w[0] = cp;
	w[1] = (r->click ? REC_CLICK : 0) | (uint32_t)nav;
	w[2] = (uint32_t)(uint64_t)sec;
	w[3] = (uint32_t)((uint64_t)sec >> 32);
	w[4] = ts;
	if (nav > 0)
		memcpy(w + 5, t->avtmp, nav * sizeof(*w));
	t->cp_words[cp] += 5 + nav;
	see_ts(t, sec);
	return NULL;
}

/* ---- count records ---- */

static const char *
cstr(json_t *obj, const char *key, struct tcl_str *out, int null_ok,
    int *present, char *msg, size_t msglen)
{
	json_t *v = json_object_get(obj, key);

	if (present)
		*present = 1;
	if (v == NULL || json_is_null(v)) {
		if (null_ok) {
			*present = 0;
			return NULL;
		}
		snprintf(msg, msglen, "no \"%s\" field", key);
		return msg;
	}
	if (!json_is_string(v)) {
		snprintf(msg, msglen, "\"%s\" must be a string", key);
		return msg;
	}
	out->p = json_string_value(v);
	out->n = json_string_length(v);
	return NULL;
}

static const char *
cint(json_t *obj, const char *key, int csv, long long *out, char *msg,
    size_t msglen)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	char *end;

	if (v == NULL) {
		snprintf(msg, msglen, "no \"%s\" field", key);
		return msg;
	}
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return NULL;
	}
	if (csv && json_is_string(v)) {
		s = json_string_value(v);
		errno = 0;
		*out = strtoll(s, &end, 10);
		if (*s != '\0' && *end == '\0' && errno == 0)
			return NULL;
	}
	snprintf(msg, msglen, "\"%s\" must be an integer", key);
	return msg;
}

const char *
tc_crec_parse(json_t *obj, int csv, struct tc_crec *c, char *msg,
    size_t msglen)
{
	const char *why;
	long long n, k;
	json_t *ty = json_object_get(obj, "type");

	if (!json_is_string(ty) || strcmp(json_string_value(ty), "counts") != 0)
		return "not a count record (\"type\":\"counts\")";
	if ((why = cstr(obj, "channel", &c->channel, 0, NULL, msg, msglen)) ||
	    (why = cstr(obj, "plan", &c->plan, 0, NULL, msg, msglen)) ||
	    (why = cstr(obj, "attr", &c->attr, 0, NULL, msg, msglen)) ||
	    (why = cstr(obj, "value", &c->value, 0, NULL, msg, msglen)) ||
	    (why = cstr(obj, "tag", &c->tag, 1, &c->has_tag, msg, msglen)) ||
	    (why = cint(obj, "ts", csv, &c->ts, msg, msglen)) ||
	    (why = cint(obj, "span", csv, &c->span, msg, msglen)) ||
	    (why = cint(obj, "n", csv, &n, msg, msglen)) ||
	    (why = cint(obj, "k", csv, &k, msg, msglen)))
		return why;
	if (c->span <= 0 || c->span > 100LL * 365 * 86400)
		return "\"span\" must be a positive number of seconds";
	if (c->ts < -10000000000000LL || c->ts > 10000000000000LL)
		return "\"ts\" is out of range";
	if (n < 0 || k < 0)
		return "counts must not be negative";
	if (k > n)
		return "clicks k exceed requests n";
	if ((c->attr.n == 1 && c->attr.p[0] == '*') !=
	    (c->value.n == 1 && c->value.p[0] == '*'))
		return "attr \"*\" goes with value \"*\" (the pooled rows)";
	c->n = (uint64_t)n;
	c->k = (uint64_t)k;
	return NULL;
}

const char *
tc_add_counts(struct tc *t, const struct tc_crec *c)
{
	uint32_t cp, av, tag, *w;

	cp = cp_of(t, &c->channel, &c->plan);
	if (c->attr.n == 1 && c->attr.p[0] == '*')
		av = 0;
	else
		av = av_of(t, c->attr.p, c->attr.n, c->value.p, c->value.n);
	tag = c->has_tag ? tc_intern(&t->tag, c->tag.p, c->tag.n, NULL) : NONE;
	w = store_put(&t->st, REC_C_WORDS);
	w[0] = cp;
	w[1] = REC_C;
	w[2] = (uint32_t)(uint64_t)c->ts;
	w[3] = (uint32_t)((uint64_t)c->ts >> 32);
	w[4] = av;
	w[5] = tag;
	w[6] = (uint32_t)c->n;
	w[7] = (uint32_t)(c->n >> 32);
	w[8] = (uint32_t)c->k;
	w[9] = (uint32_t)(c->k >> 32);
	w[10] = (uint32_t)c->span;
	t->cp_words[cp] += REC_C_WORDS;
	see_ts(t, c->ts + c->span - 1);
	return NULL;
}

/* ---- one partition's table ---- */

static inline size_t
akey_hash(const struct akey *k)
{
	uint64_t h = ((uint64_t)k->av << 32 | k->tag) * 0x9E3779B97F4A7C15ULL;

	h ^= (uint64_t)k->b * 0xc4ceb9fe1a85ec53ULL + (uint64_t)k->span;
	h ^= h >> 31;
	h *= 0xff51afd7ed558ccdULL;
	return (size_t)(h ^ (h >> 29));
}

static void
agg_rehash(struct agg *a, size_t nslots)
{
	uint32_t i;
	size_t j;

	free(a->slot);
	a->slot = xcalloc(nslots, sizeof(*a->slot));
	a->mask = nslots - 1;
	for (i = 0; i < a->n; i++) {
		for (j = akey_hash(&a->keys[i]) & a->mask; a->slot[j] != 0;
		    j = (j + 1) & a->mask)
			;
		a->slot[j] = i + 1;
		a->slotof[i] = (uint32_t)j;
	}
}

static double *
agg_get(struct agg *a, uint32_t av, uint32_t tag, int64_t b, int64_t span)
{
	struct akey k;
	size_t j;
	uint32_t v;

	k.av = av;
	k.tag = tag;
	k.b = b;
	k.span = span;
	for (j = akey_hash(&k) & a->mask; (v = a->slot[j]) != 0;
	    j = (j + 1) & a->mask) {
		struct akey *e = &a->keys[v - 1];

		if (e->av == av && e->tag == tag && e->b == b && e->span == span)
			return a->vals + (size_t)(v - 1) * a->nv;
	}
	if (a->n == a->cap) {
		a->cap *= 2;
		a->keys = xreallocarray(a->keys, a->cap, sizeof(*a->keys));
		a->slotof = xreallocarray(a->slotof, a->cap,
		    sizeof(*a->slotof));
		a->vals = xreallocarray(a->vals, (size_t)a->cap * a->nv,
		    sizeof(*a->vals));
	}
	v = a->n++;
	a->keys[v] = k;
	memset(a->vals + (size_t)v * a->nv, 0, a->nv * sizeof(*a->vals));
	if ((size_t)a->n * 2 > a->mask + 1)
		agg_rehash(a, 2 * (a->mask + 1));
	else {
		a->slot[j] = v + 1;
		a->slotof[v] = (uint32_t)j;
	}
	return a->vals + (size_t)v * a->nv;
}

static void
agg_clear(struct agg *a)
{
	uint32_t i;

	if (a->mask + 1 > 4096 && (size_t)a->n * 16 < a->mask + 1)
		agg_rehash(a, 4096);	/* shrink after a big partition */
	for (i = 0; i < a->n; i++)
		a->slot[a->slotof[i]] = 0;
	a->n = 0;
}

static void
agg_init(struct agg *a, uint32_t nv)
{
	a->nv = nv;
	a->cap = 1024;
	a->keys = xmalloc(a->cap * sizeof(*a->keys));
	a->slotof = xmalloc(a->cap * sizeof(*a->slotof));
	a->vals = xmalloc((size_t)a->cap * nv * sizeof(*a->vals));
	a->n = 0;
	a->slot = NULL;
	agg_rehash(a, 4096);
}

/* ---- finishing ---- */

/* 0-based window of second ts, W or more when older; ts < now. */
static inline long long
window_of(const struct tc *t, long long ts)
{
	return tc_floordiv(t->now - 1 - ts, t->o.window);
}

static void
add_rec(struct tc *t, const uint32_t *r)
{
	struct agg *a = &t->agg;
	long long ts = rec_ts(r), i, i2, b, span;
	const uint32_t *tags;
	uint32_t ntag, nav, x, y, av;
	double *v, n, k;
	int click;

	if (r[1] & REC_C) {
		av = r[4];
		n = (double)rec_u64(r, 6);
		k = (double)rec_u64(r, 8);
		span = r[10];
		if (t->o.emit) {
			v = agg_get(a, av, r[5], ts, span);
			v[0] += n;
			v[1] += k;
			return;
		}
		if (ts >= t->now) {
			t->outside++;
			return;
		}
		i = window_of(t, ts);
		i2 = ts + span - 1 >= t->now ? -1 : window_of(t, ts + span - 1);
		if (i != i2) {
			if (t->status == 0)
				diag_warn("counts of [%lld, %lld) straddle a "
				    "window boundary: give the mappers the same "
				    "--window and --now", ts, ts + span);
			t->status = EX_DATAERR;
			return;
		}
		if (i >= t->o.nwin || t->o.w[i] == 0) {
			t->outside++;
			return;
		}
		v = agg_get(a, av, r[5], 0, 0);
		v[2 * i] += n;
		v[2 * i + 1] += k;
		return;
	}
	nav = r[1] & 0xFFFF;
	click = (r[1] & REC_CLICK) != 0;
	tags = t->ts_ids + t->ts_first[r[4]];
	ntag = t->ts_n[r[4]];
	if (t->o.emit) {
		b = tc_floordiv(ts, t->o.span) * t->o.span;
		span = t->o.span;
		i = 0;
	} else {
		if (ts >= t->now) {
			t->outside++;
			return;
		}
		i = window_of(t, ts);
		if (i >= t->o.nwin || t->o.w[i] == 0) {
			t->outside++;
			return;
		}
		b = span = 0;
	}
	for (x = 0; x <= nav; x++) {
		av = x == 0 ? 0 : r[4 + x];
		for (y = 0; y <= ntag; y++) {
			v = agg_get(a, av, y < ntag ? tags[y] : NONE, b, span);
			v[2 * i] += 1;
			v[2 * i + 1] += click;
		}
	}
}

static int
cmp_str_ids(const struct tc_strtab *t, uint32_t a, uint32_t b)
{
	size_t an, bn;
	const char *as = tc_str(t, a, &an), *bs = tc_str(t, b, &bn);
	int c = memcmp(as, bs, an < bn ? an : bn);

	return c != 0 ? c : (an > bn) - (an < bn);
}

/* qsort has no context argument: the table being sorted by is here. */
static const struct tc *sort_tc;
static const struct tc_strtab *sort_tab;

static int
cmp_byname(const void *a, const void *b)
{
	return cmp_str_ids(sort_tab, *(const uint32_t *)a,
	    *(const uint32_t *)b);
}

static int
cmp_av(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = cmp_str_ids(&sort_tc->attr, sort_tc->av_attr[x],
	    sort_tc->av_attr[y]);

	return c != 0 ? c : cmp_str_ids(&sort_tc->val, sort_tc->av_val[x],
	    sort_tc->av_val[y]);
}

static int
cmp_fcp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = cmp_str_ids(&sort_tc->chan, sort_tc->fcp_chan[x],
	    sort_tc->fcp_chan[y]);

	return c != 0 ? c : cmp_str_ids(&sort_tc->plan, sort_tc->fcp_plan[x],
	    sort_tc->fcp_plan[y]);
}

static uint32_t *
sorted_ids(uint32_t n, int (*cmp)(const void *, const void *))
{
	uint32_t *ids = xmalloc(((size_t)n + 1) * sizeof(*ids)), i;

	for (i = 0; i < n; i++)
		ids[i] = i;
	qsort(ids, n, sizeof(*ids), cmp);
	return ids;
}

static void
put_str(struct buf *b, int csv, const char *s, size_t n)
{
	if (csv)
		csv_put_field(b, s, n);
	else
		jw_string(b, s, n);
}

/* The texts of every av and tag, written once. */
static void
build_pre(struct tc *t)
{
	const char *s;
	size_t n;
	uint32_t i;
	int csv = t->o.csv;

	t->pre_av = xmalloc(((size_t)t->nav + 1) * sizeof(*t->pre_av));
	t->pre_tag = xmalloc(((size_t)t->tag.n + 2) * sizeof(*t->pre_tag));
	for (i = 0; i < t->nav; i++) {
		t->pre_av[i] = t->pre.len;
		s = tc_str(&t->attr, t->av_attr[i], &n);
		put_str(&t->pre, csv, s, n);
		buf_adds(&t->pre, csv ? "," : ",\"value\":");
		s = tc_str(&t->val, t->av_val[i], &n);
		put_str(&t->pre, csv, s, n);
		buf_adds(&t->pre, csv ? "," : ",\"tag\":");
	}
	t->pre_av[t->nav] = t->pre.len;
	for (i = 0; i < t->tag.n; i++) {
		t->pre_tag[i] = t->pre.len;
		s = tc_str(&t->tag, i, &n);
		put_str(&t->pre, csv, s, n);
		buf_adds(&t->pre, csv ? "," : t->o.emit ? ",\"ts\":" :
		    ",\"requests\":");
	}
	t->pre_tag[t->tag.n] = t->pre.len;
	buf_adds(&t->pre, csv ? "," : "null,\"ts\":");	/* NONE */
	t->pre_tag[t->tag.n + 1] = t->pre.len;
}

static inline void
put_pre(struct tc *t, struct buf *b, const size_t *off, uint32_t i)
{
	buf_add(b, t->pre.p + off[i], off[i + 1] - off[i]);
}

struct ent {
	uint64_t	 k;
	uint32_t	 i;
};

static void
ent_sort(struct ent *e, size_t n)
{
	size_t i, j, lo, hi;
	struct ent p, x;

	while (n > 16) {
		/* median of three, Hoare partition */
		lo = 0;
		hi = n - 1;
		i = n / 2;
		if (e[i].k < e[lo].k) { x = e[i]; e[i] = e[lo]; e[lo] = x; }
		if (e[hi].k < e[lo].k) { x = e[hi]; e[hi] = e[lo]; e[lo] = x; }
		if (e[hi].k < e[i].k) { x = e[hi]; e[hi] = e[i]; e[i] = x; }
		p = e[i];
		i = 0;
		j = n - 1;
		for (;;) {
			while (e[i].k < p.k)
				i++;
			while (p.k < e[j].k)
				j--;
			if (i >= j)
				break;
			x = e[i]; e[i] = e[j]; e[j] = x;
			i++;
			j--;
		}
		/* recurse on the smaller part */
		if (j + 1 < n - j - 1) {
			ent_sort(e, j + 1);
			e += j + 1;
			n -= j + 1;
		} else {
			ent_sort(e + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (i = 1; i < n; i++) {
		x = e[i];
		for (j = i; j > 0 && e[j - 1].k > x.k; j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

/*
 * Sorts e[0..n) by k = avrank << 32 | tagrank: a counting sort by the
 * partition's distinct values, then each value's few tags.  tmp has room
 * for n entries.
 */
static void
sort_rows(struct tc *t, struct ent *e, size_t n, struct ent *tmp)
{
	struct ent *d;
	uint32_t nd = 0, av, j;
	size_t i, *pos;

	if (n < 64) {
		ent_sort(e, n);
		return;
	}
	d = xmalloc((n + 1) * sizeof(*d));
	for (i = 0; i < n; i++) {
		av = (uint32_t)(e[i].k >> 32);		/* a rank: unique */
		if (t->loc[av] == UINT32_MAX) {
			t->loc[av] = nd;
			d[nd].k = av;
			d[nd++].i = 0;
		}
		d[t->loc[av]].i++;
	}
	ent_sort(d, nd);
	pos = xmalloc(((size_t)nd + 1) * sizeof(*pos));
	for (i = 0, j = 0; j < nd; j++) {
		pos[j] = i;
		i += d[j].i;
		t->loc[d[j].k] = j;
	}
	pos[nd] = n;
	for (i = 0; i < n; i++)
		tmp[pos[t->loc[e[i].k >> 32]]++] = e[i];
	for (i = 0, j = 0; j < nd; j++) {
		ent_sort(tmp + i, d[j].i);
		i += d[j].i;
		t->loc[d[j].k] = UINT32_MAX;
	}
	memcpy(e, tmp, n * sizeof(*e));
	free(pos);
	free(d);
}

/* The window-weighted requests and clicks of one entry. */
static void
fold(const struct tc *t, const double *v, double *rq, double *ck)
{
	double r = 0, c = 0;
	int i;

	for (i = 0; i < t->o.nwin; i++) {
		r += t->o.w[i] * v[2 * i];
		c += t->o.w[i] * v[2 * i + 1];
	}
	*rq = r;
	*ck = c;
}

/* Its ctr: S(clicks, requests), or with --combine bounds the weighted
 * mean of the windows' bounds. */
static double
ctr_of(const struct tc *t, const double *v, double rq, double ck)
{
	double sb = 0, sw = 0;
	int i;

	if (!t->o.bounds)
		return wilson_lower(ck, rq, t->o.z);
	for (i = 0; i < t->o.nwin; i++) {
		sb += t->o.w[i] * wilson_lower(v[2 * i + 1], v[2 * i], t->o.z);
		sw += t->o.w[i];
	}
	return sb / sw;
}

static void
put_tail(struct tc *t, struct buf *b, double rq, double ck, double ctr)
{
	int csv = t->o.csv;

	jw_real(b, rq);
	buf_adds(b, csv ? "," : ",\"clicks\":");
	jw_real(b, ck);
	buf_adds(b, csv ? "," : ",\"ctr\":");
	jw_real(b, ctr);
	buf_adds(b, csv ? "\n" : "}\n");
}

/* The tail of a row from a small cache: (requests, clicks) repeat a lot. */
static void
tail_cached(struct tc *t, struct buf *b, double rq, double ck)
{
	uint64_t x, y;
	struct tail *c;
	size_t at;

	memcpy(&x, &rq, 8);
	memcpy(&y, &ck, 8);
	c = &t->tails[((x * 0x9E3779B97F4A7C15ULL) ^ (y * 0xc4ceb9fe1a85ec53ULL))
	    >> 52];
	if (c->len != 0 && c->rq == x && c->ck == y) {
		buf_add(b, c->s, c->len);
		return;
	}
	at = b->len;
	put_tail(t, b, rq, ck, wilson_lower(ck, rq, t->o.z));
	if (b->len - at < sizeof(c->s)) {
		c->rq = x;
		c->ck = y;
		c->len = (uint32_t)(b->len - at);
		memcpy(c->s, b->p + at, c->len);
	}
}

static void
put_cp(struct tc *t, struct buf *b, uint32_t f, const char *type)
{
	const char *s;
	size_t n;
	int csv = t->o.csv;

	if (!csv) {
		buf_addc(b, '{');
		if (type != NULL)
			buf_printf(b, "\"type\":\"%s\",", type);
		buf_adds(b, "\"channel\":");
	} else if (type != NULL)
		buf_printf(b, "%s,", type);
	s = tc_str(&t->chan, t->fcp_chan[f], &n);
	put_str(b, csv, s, n);
	buf_adds(b, csv ? "," : ",\"plan\":");
	s = tc_str(&t->plan, t->fcp_plan[f], &n);
	put_str(b, csv, s, n);
	buf_adds(b, csv ? "," : ",\"attr\":");
}

static int
flush_out(struct tc *t, struct out *o)
{
	if (out_maybe_flush(o) != 0) {
		if (t->status == 0)
			t->status = EX_IOERR;
		return -1;
	}
	return 0;
}

static void
write_weights(struct tc *t, struct tc_sink *s, uint32_t f, struct ent *e,
    size_t n)
{
	struct out *o = s->weights != NULL ? s->weights : s->main;
	struct buf *b = &o->b;
	double *mean, *sd, *cv, *wt, sw, swx, swd, x, rq, ck;
	uint32_t *attr;
	size_t i, j, na = 0, a0;
	const char *str;
	size_t sn;

	if (n == 0)
		return;
	mean = xmalloc(n * sizeof(*mean));
	sd = xmalloc(n * sizeof(*sd));
	cv = xmalloc(n * sizeof(*cv));
	wt = xmalloc(n * sizeof(*wt));
	attr = xmalloc(n * sizeof(*attr));
	for (i = 0; i < n; i = j) {
		a0 = t->av_attr[t->agg.keys[e[i].i].av];
		sw = swx = 0;
		for (j = i; j < n && t->av_attr[t->agg.keys[e[j].i].av] == a0;
		    j++) {
			fold(t, t->agg.vals + (size_t)e[j].i * t->agg.nv, &rq,
			    &ck);
			x = wilson_lower(ck, rq, t->o.z);
			sw += rq;
			swx += rq * x;
		}
		mean[na] = sw > 0 ? swx / sw : 0;
		swd = 0;
		for (j = i; j < n && t->av_attr[t->agg.keys[e[j].i].av] == a0;
		    j++) {
			fold(t, t->agg.vals + (size_t)e[j].i * t->agg.nv, &rq,
			    &ck);
			x = wilson_lower(ck, rq, t->o.z) - mean[na];
			swd += rq * x * x;
		}
		sd[na] = sw > 0 ? sqrt(swd / sw) : 0;
		attr[na++] = (uint32_t)a0;
	}
	tc_cv_weights(mean, sd, na, cv, wt);
	for (i = 0; i < na; i++) {
		if (t->o.verbose) {
			const char *cs = tc_str(&t->chan, t->fcp_chan[f], NULL);
			const char *ps = tc_str(&t->plan, t->fcp_plan[f], NULL);

			diag_warn("weights %s %s %s: mean %.6g, sd %.6g, CV "
			    "%.6g, weight %.6g", cs, ps,
			    tc_str(&t->attr, attr[i], NULL), mean[i], sd[i],
			    cv[i], wt[i]);
		}
		if (t->o.csv && s->weights == NULL)
			continue;	/* CSV: only to --weights-file */
		if (t->o.csv) {
			buf_adds(b, "weights,");
			str = tc_str(&t->chan, t->fcp_chan[f], &sn);
			csv_put_field(b, str, sn);
			buf_addc(b, ',');
			str = tc_str(&t->plan, t->fcp_plan[f], &sn);
			csv_put_field(b, str, sn);
			buf_addc(b, ',');
			str = tc_str(&t->attr, attr[i], &sn);
			csv_put_field(b, str, sn);
			buf_addc(b, ',');
		} else {
			buf_adds(b, "{\"type\":\"weights\",\"channel\":");
			str = tc_str(&t->chan, t->fcp_chan[f], &sn);
			jw_string(b, str, sn);
			buf_adds(b, ",\"plan\":");
			str = tc_str(&t->plan, t->fcp_plan[f], &sn);
			jw_string(b, str, sn);
			buf_adds(b, ",\"attr\":");
			str = tc_str(&t->attr, attr[i], &sn);
			jw_string(b, str, sn);
			buf_adds(b, ",\"mean\":");
		}
		jw_real(b, mean[i]);
		buf_adds(b, t->o.csv ? "," : ",\"sd\":");
		jw_real(b, sd[i]);
		buf_adds(b, t->o.csv ? "," : ",\"cv\":");
		jw_real(b, cv[i]);
		buf_adds(b, t->o.csv ? "," : ",\"weight\":");
		jw_real(b, wt[i]);
		buf_adds(b, t->o.csv ? "\n" : "}\n");
		flush_out(t, o);
	}
	free(mean);
	free(sd);
	free(cv);
	free(wt);
	free(attr);
}

static int
cmp_emit(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	const struct akey *p = &sort_tc->agg.keys[x->i];
	const struct akey *q = &sort_tc->agg.keys[y->i];

	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return (p->span > q->span) - (p->span < q->span);
}

/* Writes the rows of final partition f from t->agg. */
static void
write_partition(struct tc *t, struct tc_sink *s, uint32_t f)
{
	struct agg *a = &t->agg;
	struct out *o = s->main;
	struct buf *b = &o->b, rowb, pfx;
	struct ent *e, *wl;
	size_t n = 0, nw = 0, i;
	double rq, ck;
	uint32_t tagr;

	e = xmalloc(((size_t)a->n + 1) * sizeof(*e));
	wl = xmalloc(2 * ((size_t)a->n + 1) * sizeof(*wl));
	for (i = 0; i < a->n; i++) {
		const struct akey *k = &a->keys[i];

		if (t->o.emit) {
			tagr = k->tag == NONE ? 0 : t->tagrank[k->tag] + 1;
			e[n].k = (uint64_t)t->avrank[k->av] << 32 | tagr;
			e[n++].i = (uint32_t)i;
		} else if (k->tag == NONE) {
			if (k->av != 0) {
				wl[nw].k = t->avrank[k->av];
				wl[nw++].i = (uint32_t)i;
			}
		} else {
			e[n].k = (uint64_t)t->avrank[k->av] << 32 |
			    t->tagrank[k->tag];
			e[n++].i = (uint32_t)i;
		}
	}
	if (t->o.emit) {
		sort_tc = t;
		qsort(e, n, sizeof(*e), cmp_emit);
		memset(&rowb, 0, sizeof(rowb));
		for (i = 0; i < n; i++) {
			const struct akey *k = &a->keys[e[i].i];
			const double *v = a->vals + (size_t)e[i].i * a->nv;
			struct buf *rb = s->bucket_row != NULL ? &rowb : b;

			rowb.len = 0;
			put_cp(t, rb, f, "counts");
			put_pre(t, rb, t->pre_av, k->av);
			put_pre(t, rb, t->pre_tag, k->tag == NONE ? t->tag.n :
			    k->tag);
			buf_printf(rb, t->o.csv ? "%lld,%lld,%.0f,%.0f\n" :
			    "%lld,\"span\":%lld,\"n\":%.0f,\"k\":%.0f}\n",
			    (long long)k->b, (long long)k->span, v[0], v[1]);
			t->rows++;
			if (s->bucket_row != NULL)
				s->bucket_row(s->ctx, k->b, rowb.p, rowb.len);
			else if (flush_out(t, o) != 0)
				break;
		}
		buf_free(&rowb);
		goto done;
	}
	sort_rows(t, e, n, wl + nw);
	memset(&pfx, 0, sizeof(pfx));
	put_cp(t, &pfx, f, NULL);
	for (i = 0; i < n; i++) {
		const struct akey *k = &a->keys[e[i].i];
		const double *v = a->vals + (size_t)e[i].i * a->nv;

		fold(t, v, &rq, &ck);
		if (rq == 0)
			continue;
		buf_add(b, pfx.p, pfx.len);
		put_pre(t, b, t->pre_av, k->av);
		put_pre(t, b, t->pre_tag, k->tag);
		if (t->o.bounds)
			put_tail(t, b, rq, ck, ctr_of(t, v, rq, ck));
		else
			tail_cached(t, b, rq, ck);
		t->rows++;
		if (flush_out(t, o) != 0)
			goto done;
	}
	ent_sort(wl, nw);
	write_weights(t, s, f, wl, nw);
	buf_free(&pfx);
done:
	free(e);
	free(wl);
}

/* ---- similarity and pooling ---- */

struct simctx {
	uint32_t	 attr;
	const uint32_t	*rank;		/* t->avrank */
	struct tc_u64map idx;		/* channel << 32 | av rank -> row */
	double		*cnt;		/* W counts per row */
	uint64_t	*key;
	size_t		 n, cap;
};

static void
sim_add(struct simctx *c, int W, uint32_t ch, uint32_t av, long long i,
    double n)
{
	uint64_t k = (uint64_t)ch << 32 | c->rank[av];
	long r = tc_u64_get(&c->idx, k);

	if (r < 0) {
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 256;
			c->cnt = xreallocarray(c->cnt, c->cap * (size_t)W,
			    sizeof(*c->cnt));
			c->key = xreallocarray(c->key, c->cap, sizeof(*c->key));
		}
		r = (long)c->n++;
		memset(c->cnt + (size_t)r * W, 0, (size_t)W * sizeof(*c->cnt));
		c->key[r] = k;
		tc_u64_put(&c->idx, k, (uint32_t)r);
	}
	c->cnt[(size_t)r * W + i] += n;
}

static void
sim_rec(struct tc *t, const uint32_t *r, void *vctx)
{
	struct simctx *c = vctx;
	long long ts = rec_ts(r), i;
	uint32_t ch = t->cp_chan[r[0]], x, nav;

	if (ts >= t->now)
		return;
	i = window_of(t, ts);
	if (i >= t->o.nwin || t->o.w[i] == 0)
		return;
	if (r[1] & REC_C) {
		if (r[5] == NONE && r[4] != 0 && t->av_attr[r[4]] == c->attr &&
		    window_of(t, ts + (long long)r[10] - 1) == i)
			sim_add(c, t->o.nwin, ch, r[4], i,
			    (double)rec_u64(r, 6));
		return;
	}
	nav = r[1] & 0xFFFF;
	for (x = 0; x < nav; x++)
		if (t->av_attr[r[5 + x]] == c->attr)
			sim_add(c, t->o.nwin, ch, r[5 + x], i, 1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t
uf_find(uint32_t *p, uint32_t x)
{
	while (p[x] != x)
		x = p[x] = p[p[x]];
	return x;
}

/*
 * Cosine similarities of the channels' request vectors over the values
 * of o.sim_attr; written as rows, or (with o.pool) turned into pools.
 */
static void
similarity(struct tc *t, struct tc_sink *s)
{
	struct simctx c;
	struct buf *b = &s->main->b;
	uint32_t nch = t->chan.n, *byname, *first, *cnt, *par, i, j, x, y;
	uint64_t *ord;
	double *val, *norm, dot, cosv;
	size_t r, p, q;
	long a;

	memset(&c, 0, sizeof(c));
	a = tc_find(&t->attr, t->o.sim_attr, strlen(t->o.sim_attr));
	c.attr = a < 0 ? 0xFFFFFFF0u : (uint32_t)a;
	/*
	 * Each channel's vector is summed in the order of the values'
	 * names (avrank), not of their ids, which depend on the order the
	 * input came in: lines and count files give the same bits.
	 */
	c.rank = t->avrank;
	if (a >= 0)
		store_scan(t, sim_rec, &c);
	/* rows sorted by (channel, av): each channel's vector is a range */
	ord = xmalloc((c.n + 1) * sizeof(*ord));
	val = xmalloc((c.n + 1) * sizeof(*val));
	for (r = 0; r < c.n; r++)
		ord[r] = c.key[r];
	qsort(ord, c.n, sizeof(*ord), cmp_u64);
	first = xcalloc((size_t)nch + 1, sizeof(*first));
	cnt = xcalloc((size_t)nch + 1, sizeof(*cnt));
	norm = xcalloc((size_t)nch + 1, sizeof(*norm));
	for (r = 0; r < c.n; r++) {
		long row = tc_u64_get(&c.idx, ord[r]);
		double v = 0;
		int k;

		for (k = 0; k < t->o.nwin; k++)
			v += t->o.w[k] * c.cnt[(size_t)row * t->o.nwin + k];
		val[r] = v;
		x = (uint32_t)(ord[r] >> 32);
		if (cnt[x]++ == 0)
			first[x] = (uint32_t)r;
	}
	for (x = 0; x < nch; x++) {
		for (dot = 0, r = first[x]; r < first[x] + cnt[x]; r++)
			dot += val[r] * val[r];
		norm[x] = sqrt(dot);
	}
	sort_tab = &t->chan;
	byname = sorted_ids(nch, cmp_byname);
	par = xmalloc(((size_t)nch + 1) * sizeof(*par));
	for (x = 0; x < nch; x++)
		par[x] = x;
	for (i = 0; i < nch; i++)
		for (j = i + 1; j < nch; j++) {
			x = byname[i];
			y = byname[j];
			dot = 0;
			p = first[x];
			q = first[y];
			while (p < first[x] + cnt[x] && q < first[y] + cnt[y]) {
				uint32_t ap = (uint32_t)ord[p], aq =
				    (uint32_t)ord[q];

				if (ap == aq)
					dot += val[p++] * val[q++];
				else if (ap < aq)
					p++;
				else
					q++;
			}
			cosv = norm[x] > 0 && norm[y] > 0 ?
			    dot / (norm[x] * norm[y]) : 0;
			if (cosv > 1)
				cosv = 1;
			if (t->o.pool) {
				if (norm[x] > 0 && norm[y] > 0 &&
				    cosv >= t->o.pool_t)
					par[uf_find(par, x)] = uf_find(par, y);
				continue;
			}
			{
				const char *sa, *sb;
				size_t na, nb;

				sa = tc_str(&t->chan, x, &na);
				sb = tc_str(&t->chan, y, &nb);
				if (t->o.csv) {
					buf_adds(b, "similarity,");
					csv_put_field(b, t->o.sim_attr,
					    strlen(t->o.sim_attr));
					buf_addc(b, ',');
					csv_put_field(b, sa, na);
					buf_addc(b, ',');
					csv_put_field(b, sb, nb);
					buf_addc(b, ',');
				} else {
					buf_adds(b, "{\"type\":\"similarity\","
					    "\"attr\":");
					jw_string(b, t->o.sim_attr,
					    strlen(t->o.sim_attr));
					buf_adds(b, ",\"a\":");
					jw_string(b, sa, na);
					buf_adds(b, ",\"b\":");
					jw_string(b, sb, nb);
					buf_adds(b, ",\"cosine\":");
				}
				jw_real(b, cosv);
				buf_adds(b, t->o.csv ? "\n" : "}\n");
				t->rows++;
				if (flush_out(t, s->main) != 0)
					goto out;
			}
		}
	if (t->o.pool) {
		/* members in name order; the pool's name joins them by + */
		struct buf name;

		memset(&name, 0, sizeof(name));
		t->chan_final = xmalloc(((size_t)nch + 1) *
		    sizeof(*t->chan_final));
		for (x = 0; x < nch; x++)
			t->chan_final[x] = x;
		for (i = 0; i < nch; i++) {
			uint32_t root = uf_find(par, byname[i]), members = 0;

			if (t->chan_final[byname[i]] != byname[i] ||
			    uf_find(par, byname[i]) != root)
				continue;
			name.len = 0;
			for (j = i; j < nch; j++)
				if (uf_find(par, byname[j]) == root) {
					size_t sn;
					const char *sn_p = tc_str(&t->chan,
					    byname[j], &sn);

					if (members++)
						buf_addc(&name, '+');
					buf_add(&name, sn_p, sn);
				}
			if (members < 2)
				continue;
			if (t->o.verbose)
				diag_warn("pooled %s (cosine of %s >= %g)",
				    name.p, t->o.sim_attr, t->o.pool_t);
			{
				uint32_t pid = tc_intern(&t->chan, name.p,
				    name.len, NULL);

				for (j = i; j < nch; j++)
					if (uf_find(par, byname[j]) == root)
						t->chan_final[byname[j]] = pid;
			}
		}
		buf_free(&name);
	}
out:
	free(byname);
	free(par);
	free(first);
	free(cnt);
	free(norm);
	free(ord);
	free(val);
	free(c.cnt);
	free(c.key);
	tc_u64map_free(&c.idx);
}

/* ---- partitions in output order ---- */

struct gather {
	uint32_t	 lo, hi;	/* ranks of the group */
	uint32_t	*rank;		/* final cp -> rank */
	size_t		*pos;		/* by rank - lo: next word */
	uint32_t	*dst;
};

static void
gather_rec(struct tc *t, const uint32_t *r, void *vctx)
{
	struct gather *g = vctx;
	uint32_t k = g->rank[t->fcp_of[r[0]]];
	size_t w;

	if (k < g->lo || k >= g->hi)
		return;
	w = rec_words(r);
	memcpy(g->dst + g->pos[k - g->lo], r, w * sizeof(*r));
	g->pos[k - g->lo] += w;
}

static void
direct_rec(struct tc *t, const uint32_t *r, void *vctx)
{
	struct gather *g = vctx;

	if (g->rank[t->fcp_of[r[0]]] == g->lo)
		add_rec(t, r);
}

static void
write_header(struct tc *t, struct tc_sink *s)
{
	if (!t->o.csv)
		return;
	if (t->o.sim_attr != NULL && !t->o.pool)
		buf_adds(&s->main->b, "type,attr,a,b,cosine\n");
	else if (t->o.emit) {
		if (s->bucket_row == NULL)
			buf_adds(&s->main->b, "type,channel,plan,attr,value,"
			    "tag,ts,span,n,k\n");
	} else
		buf_adds(&s->main->b, "channel,plan,attr,value,tag,requests,"
		    "clicks,ctr\n");
	if (s->weights != NULL && !t->o.emit)
		buf_adds(&s->weights->b, "type,channel,plan,attr,mean,sd,cv,"
		    "weight\n");
}

int
tc_finish(struct tc *t, struct tc_sink *s)
{
	struct gather g;
	uint32_t *order, *rank, i, cp, lo, hi, k;
	uint64_t words;
	size_t *start, at;
	long f;

	write_header(t, s);
	if (!t->have_ts)
		return 0;
	t->now = t->o.has_now ? t->o.now :
	    tc_floordiv(t->max_ts, 3600) * 3600 + 3600;
	/* av ranks by attribute and value name: similarity and the rows */
	sort_tc = t;
	order = sorted_ids(t->nav, cmp_av);
	t->avrank = xmalloc(((size_t)t->nav + 1) * sizeof(*t->avrank));
	for (i = 0; i < t->nav; i++)
		t->avrank[order[i]] = i;
	free(order);
	if (t->o.sim_attr != NULL) {
		similarity(t, s);
		if (!t->o.pool)
			return t->status;
	}
	/* final partitions: pooled channels merge theirs */
	t->fcp_of = xmalloc(((size_t)t->rawcp.n + 1) * sizeof(*t->fcp_of));
	t->fcp_chan = xmalloc(((size_t)t->rawcp.n + 1) * sizeof(uint32_t));
	t->fcp_plan = xmalloc(((size_t)t->rawcp.n + 1) * sizeof(uint32_t));
	t->fcp_words = xcalloc((size_t)t->rawcp.n + 1, sizeof(uint64_t));
	for (cp = 0; cp < t->rawcp.n; cp++) {
		uint32_t ch = t->chan_final ? t->chan_final[t->cp_chan[cp]] :
		    t->cp_chan[cp];
		uint64_t key = (uint64_t)ch << 32 | t->cp_plan[cp];

		if ((f = tc_u64_get(&t->fcpmap, key)) < 0) {
			f = t->nfcp++;
			tc_u64_put(&t->fcpmap, key, (uint32_t)f);
			t->fcp_chan[f] = ch;
			t->fcp_plan[f] = t->cp_plan[cp];
		}
		t->fcp_of[cp] = (uint32_t)f;
		t->fcp_words[f] += t->cp_words[cp];
	}
	sort_tc = t;
	order = sorted_ids(t->nfcp, cmp_fcp);
	rank = xmalloc(((size_t)t->nfcp + 1) * sizeof(*rank));
	for (i = 0; i < t->nfcp; i++)
		rank[order[i]] = i;
	{
		uint32_t *ids;

		t->loc = xmalloc(((size_t)t->nav + 1) * sizeof(*t->loc));
		memset(t->loc, 0xff, ((size_t)t->nav + 1) * sizeof(*t->loc));
		sort_tab = &t->tag;
		ids = sorted_ids(t->tag.n, cmp_byname);
		t->tagrank = xmalloc(((size_t)t->tag.n + 1) *
		    sizeof(*t->tagrank));
		for (i = 0; i < t->tag.n; i++)
			t->tagrank[ids[i]] = i;
		free(ids);
	}
	build_pre(t);
	if (!t->o.bounds && !t->o.emit)
		t->tails = xcalloc(4096, sizeof(*t->tails));
	agg_init(&t->agg, t->o.emit ? 2 : 2 * (uint32_t)t->o.nwin);
	memset(&g, 0, sizeof(g));
	g.rank = rank;
	for (lo = 0; lo < t->nfcp && t->status == 0; lo = hi) {
		words = t->fcp_words[order[lo]];
		for (hi = lo + 1; hi < t->nfcp &&
		    words + t->fcp_words[order[hi]] <= t->st.budget; hi++)
			words += t->fcp_words[order[hi]];
		g.lo = lo;
		g.hi = hi;
		if (hi == lo + 1) {
			/* one partition: straight from the store */
			store_scan(t, direct_rec, &g);
			write_partition(t, s, order[lo]);
			agg_clear(&t->agg);
			continue;
		}
		start = xmalloc(((size_t)(hi - lo) + 1) * sizeof(*start));
		g.pos = xmalloc(((size_t)(hi - lo) + 1) * sizeof(*g.pos));
		for (at = 0, k = lo; k < hi; k++) {
			start[k - lo] = g.pos[k - lo] = at;
			at += t->fcp_words[order[k]];
		}
		start[hi - lo] = at;
		g.dst = xmalloc((at + 1) * sizeof(*g.dst));
		store_scan(t, gather_rec, &g);
		for (k = lo; k < hi && t->status == 0; k++) {
			for (at = start[k - lo]; at < start[k - lo + 1];
			    at += rec_words(g.dst + at))
				add_rec(t, g.dst + at);
			write_partition(t, s, order[k]);
			agg_clear(&t->agg);
		}
		free(g.dst);
		free(g.pos);
		free(start);
	}
	free(order);
	free(rank);
	return t->status;
}

int
tc_have_data(const struct tc *t)
{
	return t->have_ts;
}

long long
tc_max_ts(const struct tc *t)
{
	return t->max_ts;
}

long long
tc_now(const struct tc *t)
{
	return t->now;
}

unsigned long
tc_rows(const struct tc *t)
{
	return t->rows;
}

unsigned long
tc_outside(const struct tc *t)
{
	return t->outside;
}

void
tc_free(struct tc *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	tc_strtab_free(&t->chan);
	tc_strtab_free(&t->plan);
	tc_strtab_free(&t->attr);
	tc_strtab_free(&t->val);
	tc_strtab_free(&t->tag);
	tc_strtab_free(&t->rawcp);
	for (i = 0; i < t->rawattr.n; i++) {
		tc_strtab_free(&t->ra[i].vals);
		free(t->ra[i].res);
	}
	free(t->ra);
	free(t->ra_last);
	tc_strtab_free(&t->rawattr);
	tc_strtab_free(&t->rawtags);
	tc_u64map_free(&t->avmap);
	tc_u64map_free(&t->fcpmap);
	free(t->cp_chan);
	free(t->cp_plan);
	free(t->cp_words);
	free(t->av_attr);
	free(t->av_val);
	free(t->ts_first);
	free(t->ts_n);
	free(t->ts_ids);
	buf_free(&t->key);
	free(t->avtmp);
	free(t->tagtmp);
	free(t->st.m);
	if (t->st.f != NULL)
		fclose(t->st.f);
	free(t->fcp_of);
	free(t->chan_final);
	free(t->fcp_chan);
	free(t->fcp_plan);
	free(t->fcp_words);
	free(t->avrank);
	free(t->tagrank);
	free(t->loc);
	buf_free(&t->pre);
	free(t->pre_av);
	free(t->pre_tag);
	free(t->agg.keys);
	free(t->agg.vals);
	free(t->agg.slotof);
	free(t->agg.slot);
	free(t->tails);
	free(t);
}
