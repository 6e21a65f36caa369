#include "tcrank.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "rin.h"
#include "xalloc.h"

struct lrow {
	uint64_t	 blk;		/* cp << 32 | av */
	uint32_t	 tag;
	double		 ctr;
};

struct lweight {
	uint32_t	 cp, attr;
	double		 w;
};

struct tcr {
	int		 mtag;
	struct tc_strtab chan, plan, attr, val, tag;
	struct tc_u64map cpmap, avmap;
	uint32_t	*cp_chan, *cp_plan;
	uint32_t	 ncp, cpcap, nav;
	struct tc_strtab member;	/* member of a pooled channel */
	uint32_t	*member_of;
	/* loading */
	struct lrow	*rows;
	size_t		 nrows, caprows;
	struct lweight	*wts;
	size_t		 nwts, capwts;
	/* the index */
	uint32_t	*btag;		/* blocks' tags and ctrs, by block */
	double		*bctr;
	uint32_t	*bfirst, *bcount;
	uint32_t	*bav;			/* by block: its av */
	uint32_t	 nblk;
	uint32_t	*cpfirst, *cpcount;	/* by cp: its blocks, by av */
	uint32_t	*wfirst, *wcount;	/* by cp, into wts */
	long		*star;			/* by cp: the "*" block or -1 */
	/* material tag ids, cached by name */
	struct tc_strtab mc;
	uint32_t	*mc_first, *mc_count, *mc_ids;
	size_t		 mc_nids, mc_capids, mc_cap;
	/* scratch */
	struct buf	 key;
	long		*dblk;
	double		*dw;
	size_t		 ndcap;
	struct tcr_score *all;
	size_t		 allcap;
	uint32_t	*ptags;
	struct tcl_str	*pmats;
	size_t		 pcap;
	/*
	 * A request's table of the tags in its blocks: tstamp[tag] == gen
	 * when tag has an entry, tslot[tag] its index into tent, an entry
	 * holding the tag's ctr in each dimension's block and then in the
	 * "*" block (-1 when absent), nd + 1 doubles.
	 */
	uint32_t	*tstamp, *tslot;
	uint32_t	 gen;
	double		*tent;
	size_t		 tentcap;
	const double	**cent;			/* a candidate's entries */
	size_t		 centcap;
};

struct tcr *
tcr_new(int material_tag)
{
	struct tcr *m = xcalloc(1, sizeof(*m));

	m->mtag = material_tag;
	tc_intern(&m->attr, "*", 1, NULL);
	tc_intern(&m->val, "*", 1, NULL);
	tc_u64_put(&m->avmap, 0, 0);
	m->nav = 1;
	return m;
}

static uint32_t
cp_id(struct tcr *m, const char *c, size_t cn, const char *p, size_t pn)
{
	uint32_t ch = tc_intern(&m->chan, c, cn, NULL);
	uint32_t pl = tc_intern(&m->plan, p, pn, NULL);
	uint64_t k = (uint64_t)ch << 32 | pl;
	long f = tc_u64_get(&m->cpmap, k);

	if (f >= 0)
		return (uint32_t)f;
	if (m->ncp == m->cpcap) {
		m->cpcap = m->cpcap ? 2 * m->cpcap : 64;
		m->cp_chan = xreallocarray(m->cp_chan, m->cpcap,
		    sizeof(*m->cp_chan));
		m->cp_plan = xreallocarray(m->cp_plan, m->cpcap,
		    sizeof(*m->cp_plan));
	}
	m->cp_chan[m->ncp] = ch;
	m->cp_plan[m->ncp] = pl;
	tc_u64_put(&m->cpmap, k, m->ncp);
	return m->ncp++;
}

static const char *
sfield(json_t *o, const char *k, const char **s, size_t *n, char *msg,
    size_t msglen)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_string(v)) {
		snprintf(msg, msglen, v == NULL ? "no \"%s\" field" :
		    "\"%s\" must be a string", k);
		return msg;
	}
	*s = json_string_value(v);
	*n = json_string_length(v);
	return NULL;
}

static const char *
nfield(json_t *o, const char *k, int csv, double *d, char *msg,
    size_t msglen)
{
	json_t *v = json_object_get(o, k);
	char *end;

	if (json_is_number(v)) {
		*d = json_number_value(v);
		return NULL;
	}
	if (csv && json_is_string(v)) {
		errno = 0;
		*d = strtod(json_string_value(v), &end);
		if (end != json_string_value(v) && *end == '\0' &&
		    errno == 0 && isfinite(*d))
			return NULL;
	}
	snprintf(msg, msglen, v == NULL ? "no \"%s\" field" :
	    "\"%s\" must be a number", k);
	return msg;
}

static const char *
load_one(struct tcr *m, json_t *o, int csv, char *msg, size_t msglen)
{
	const char *why, *c, *p, *a, *v, *t, *ty;
	size_t cn, pn, an, vn, tn, tyn;
	double d;
	uint32_t cp, av, ai, vi;
	long f;

	if ((why = sfield(o, "channel", &c, &cn, msg, msglen)) ||
	    (why = sfield(o, "plan", &p, &pn, msg, msglen)) ||
	    (why = sfield(o, "attr", &a, &an, msg, msglen)))
		return why;
	if (json_object_get(o, "type") != NULL) {
		if (sfield(o, "type", &ty, &tyn, msg, msglen) != NULL ||
		    strcmp(ty, "weights") != 0)
			return "not a matrix row or a weight row";
		if ((why = nfield(o, "weight", csv, &d, msg, msglen)))
			return why;
		if (m->nwts == m->capwts) {
			m->capwts = m->capwts ? 2 * m->capwts : 256;
			m->wts = xreallocarray(m->wts, m->capwts,
			    sizeof(*m->wts));
		}
		m->wts[m->nwts].cp = cp_id(m, c, cn, p, pn);
		m->wts[m->nwts].attr = tc_intern(&m->attr, a, an, NULL);
		m->wts[m->nwts++].w = d;
		return NULL;
	}
	if ((why = sfield(o, "value", &v, &vn, msg, msglen)) ||
	    (why = sfield(o, "tag", &t, &tn, msg, msglen)) ||
	    (why = nfield(o, "ctr", csv, &d, msg, msglen)))
		return why;
	cp = cp_id(m, c, cn, p, pn);
	ai = tc_intern(&m->attr, a, an, NULL);
	vi = tc_intern(&m->val, v, vn, NULL);
	if ((f = tc_u64_get(&m->avmap, (uint64_t)ai << 32 | vi)) < 0) {
		f = m->nav++;
		tc_u64_put(&m->avmap, (uint64_t)ai << 32 | vi, (uint32_t)f);
	}
	av = (uint32_t)f;
	if (m->nrows == m->caprows) {
		m->caprows = m->caprows ? 2 * m->caprows : 4096;
		m->rows = xreallocarray(m->rows, m->caprows, sizeof(*m->rows));
	}
	m->rows[m->nrows].blk = (uint64_t)cp << 32 | av;
	m->rows[m->nrows].tag = tc_intern(&m->tag, t, tn, NULL);
	m->rows[m->nrows++].ctr = d;
	return NULL;
}

int
tcr_load(struct tcr *m, struct run *r, const char *path)
{
	struct rin in;
	char *paths[1], msg[256];
	const char *why;
	unsigned long read0 = r->read, rej0 = r->rejected;
	int rc, st0 = r->status;

	paths[0] = (char *)path;
	rin_init(&in, r, paths, 1);
	while ((rc = rin_next(&in)) == 1) {
		if ((why = load_one(m, in.obj, in.is_csv, msg, sizeof(msg))) !=
		    NULL && run_bad(r, in.file, in.line, in.raw, in.rawlen,
		    "%s", why) != 0)
			break;
	}
	rin_close(&in);
	r->read = read0 + (r->rejected - rej0);
	if (r->status != st0 || rc == -1)
		return r->status ? r->status : EX_DATAERR;
	return 0;
}

static int
cmp_row(const void *a, const void *b)
{
	const struct lrow *x = a, *y = b;

	if (x->blk != y->blk)
		return x->blk < y->blk ? -1 : 1;
	return (x->tag > y->tag) - (x->tag < y->tag);
}

static int
cmp_wt(const void *a, const void *b)
{
	const struct lweight *x = a, *y = b;

	return (x->cp > y->cp) - (x->cp < y->cp);
}

void
tcr_index(struct tcr *m)
{
	size_t i, j;
	uint32_t b, cp, c;

	if (m->nrows > 1)
		qsort(m->rows, m->nrows, sizeof(*m->rows), cmp_row);
	m->btag = xmalloc((m->nrows + 1) * sizeof(*m->btag));
	m->bctr = xmalloc((m->nrows + 1) * sizeof(*m->bctr));
	m->bfirst = xmalloc((m->nrows + 1) * sizeof(*m->bfirst));
	m->bcount = xmalloc((m->nrows + 1) * sizeof(*m->bcount));
	m->bav = xmalloc((m->nrows + 1) * sizeof(*m->bav));
	m->star = xmalloc(((size_t)m->ncp + 1) * sizeof(*m->star));
	m->cpfirst = xcalloc((size_t)m->ncp + 1, sizeof(*m->cpfirst));
	m->cpcount = xcalloc((size_t)m->ncp + 1, sizeof(*m->cpcount));
	for (c = 0; c < m->ncp; c++)
		m->star[c] = -1;
	for (i = 0, b = 0; i < m->nrows; i = j, b++) {
		m->bfirst[b] = (uint32_t)i;
		for (j = i; j < m->nrows && m->rows[j].blk == m->rows[i].blk;
		    j++) {
			m->btag[j] = m->rows[j].tag;
			m->bctr[j] = m->rows[j].ctr;
		}
		m->bcount[b] = (uint32_t)(j - i);
		m->bav[b] = (uint32_t)m->rows[i].blk;
		cp = (uint32_t)(m->rows[i].blk >> 32);
		if (m->cpcount[cp]++ == 0)
			m->cpfirst[cp] = b;
		if ((uint32_t)m->rows[i].blk == 0)
			m->star[cp] = b;
	}
	m->tstamp = xcalloc((size_t)m->tag.n + 1, sizeof(*m->tstamp));
	m->tslot = xcalloc((size_t)m->tag.n + 1, sizeof(*m->tslot));
	m->nblk = b;
	free(m->rows);
	m->rows = NULL;
	if (m->nwts > 1)
		qsort(m->wts, m->nwts, sizeof(*m->wts), cmp_wt);
	m->wfirst = xcalloc((size_t)m->ncp + 1, sizeof(*m->wfirst));
	m->wcount = xcalloc((size_t)m->ncp + 1, sizeof(*m->wcount));
	for (i = m->nwts; i > 0; i--) {
		cp = m->wts[i - 1].cp;
		m->wfirst[cp] = (uint32_t)(i - 1);
		m->wcount[cp]++;
	}
	/* members of pooled channels ("a+b") find their pool */
	for (c = 0; c < m->chan.n; c++) {
		size_t n;
		const char *s = tc_str(&m->chan, c, &n), *plus, *e = s + n;

		if (memchr(s, '+', n) == NULL)
			continue;
		while (s < e) {
			plus = memchr(s, '+', (size_t)(e - s));
			if (plus == NULL)
				plus = e;
			if (tc_find(&m->chan, s, (size_t)(plus - s)) < 0) {
				uint32_t id = tc_intern(&m->member, s,
				    (size_t)(plus - s), NULL);

				m->member_of = xreallocarray(m->member_of,
				    m->member.n, sizeof(*m->member_of));
				m->member_of[id] = c;
			}
			s = plus + 1;
		}
	}
}

/* The matrix tag ids of a material: its tags and its identity tag. */
static const uint32_t *
mat_tags(struct tcr *m, const struct tc_mats *mats, const char *s, size_t n,
    size_t *cnt)
{
	const uint32_t *mt;
	size_t nm, i, first;
	long f;
	int isnew;
	uint32_t id = tc_intern(&m->mc, s, n, &isnew);

	if (!isnew) {
		*cnt = m->mc_count[id];
		return m->mc_ids + m->mc_first[id];
	}
	if (id >= m->mc_cap) {
		m->mc_cap = m->mc_cap ? 2 * m->mc_cap : 256;
		m->mc_first = xreallocarray(m->mc_first, m->mc_cap,
		    sizeof(*m->mc_first));
		m->mc_count = xreallocarray(m->mc_count, m->mc_cap,
		    sizeof(*m->mc_count));
	}
	mt = tc_mats_tags(mats, s, n, &nm);
	if (m->mc_nids + nm + 1 > m->mc_capids) {
		while (m->mc_nids + nm + 1 > m->mc_capids)
			m->mc_capids = m->mc_capids ? 2 * m->mc_capids : 1024;
		m->mc_ids = xreallocarray(m->mc_ids, m->mc_capids,
		    sizeof(*m->mc_ids));
	}
	first = m->mc_nids;
	for (i = 0; i < nm; i++) {
		size_t tn;
		const char *ts = tc_str(&mats->tags, mt[i], &tn);

		if ((f = tc_find(&m->tag, ts, tn)) >= 0)
			m->mc_ids[m->mc_nids++] = (uint32_t)f;
	}
	if (m->mtag) {
		m->key.len = 0;
		buf_adds(&m->key, "material:");
		buf_add(&m->key, s, n);
		if ((f = tc_find(&m->tag, m->key.p, m->key.len)) >= 0)
			m->mc_ids[m->mc_nids++] = (uint32_t)f;
	}
	/* a tag listed twice counts once */
	for (i = first; i < m->mc_nids; i++) {
		size_t j;

		for (j = first; j < i; j++)
			if (m->mc_ids[j] == m->mc_ids[i])
				break;
		if (j < i) {
			m->mc_ids[i--] = m->mc_ids[--m->mc_nids];
		}
	}
	m->mc_first[id] = (uint32_t)first;
	m->mc_count[id] = (uint32_t)(m->mc_nids - first);
	*cnt = m->mc_count[id];
	return m->mc_ids + first;
}

/* The block of cp for av, or -1: cp's blocks are sorted by av. */
static long
cp_block(const struct tcr *m, uint32_t cp, uint32_t av)
{
	uint32_t lo = m->cpfirst[cp], hi = lo + m->cpcount[cp], mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->bav[mid] < av)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->cpfirst[cp] + m->cpcount[cp] && m->bav[lo] == av ?
	    (long)lo : -1;
}

/*
 * Enters block b's ctrs as column x of the request's tag table (nd + 1
 * columns).  A tag listed twice in a block keeps its first ctr, as a
 * binary search for the first match would find.
 */
static void
table_add(struct tcr *m, long b, size_t x, size_t nd, size_t *nent)
{
	const uint32_t *t;
	const double *v;
	uint32_t i, n, tag;
	double *e;
	size_t k;

	if (b < 0)
		return;
	t = m->btag + m->bfirst[b];
	v = m->bctr + m->bfirst[b];
	n = m->bcount[b];
	for (i = 0; i < n; i++) {
		tag = t[i];
		if (i > 0 && t[i - 1] == tag)
			continue;
		if (m->tstamp[tag] != m->gen) {
			if ((*nent + 1) * (nd + 1) > m->tentcap) {
				m->tentcap = 2 * (*nent + 1) * (nd + 1);
				m->tent = xreallocarray(m->tent, m->tentcap,
				    sizeof(*m->tent));
			}
			m->tstamp[tag] = m->gen;
			m->tslot[tag] = (uint32_t)*nent;
			e = m->tent + *nent * (nd + 1);
			for (k = 0; k <= nd; k++)
				e[k] = -1;
			++*nent;
		}
		m->tent[(size_t)m->tslot[tag] * (nd + 1) + x] = v[i];
	}
}

static int
better(const struct tcr_score *a, const struct tcr_score *b)
{
	int c;

	if (a->r != b->r)
		return a->r > b->r;
	c = memcmp(a->mat, b->mat, a->n < b->n ? a->n : b->n);
	return c != 0 ? c < 0 : a->n < b->n;
}

int
tcr_rank(struct tcr *m, const struct tc_dims *d, const struct tc_mats *mats,
    struct tcl_str channel, struct tcl_str plan, const struct tcl_str *akey,
    const struct tcl_str *aval, size_t nattr, const struct tcl_str *cand,
    long ncand, size_t k, struct tcr_score *out)
{
	long ch, pl, cp, f, star;
	size_t i, j, nd, nt, nk = 0, na, nent;
	const uint32_t *tags;
	char tmp[16];
	const char *mv, *why;
	size_t mn;
	int un;

	if ((ch = tc_find(&m->chan, channel.p, channel.n)) < 0 &&
	    (f = tc_find(&m->member, channel.p, channel.n)) >= 0)
		ch = m->member_of[f];
	if (ch < 0 || (pl = tc_find(&m->plan, plan.p, plan.n)) < 0 ||
	    (cp = tc_u64_get(&m->cpmap, (uint64_t)ch << 32 | (uint64_t)pl)) <
	    0)
		return -1;
	star = m->star[cp];
	/* the request's block of each weighted dimension */
	nd = m->wcount[cp];
	if (nd > m->ndcap) {
		m->ndcap = nd;
		m->dblk = xreallocarray(m->dblk, nd, sizeof(*m->dblk));
		m->dw = xreallocarray(m->dw, nd, sizeof(*m->dw));
	}
	for (i = 0; i < nd; i++) {
		const struct lweight *w = &m->wts[m->wfirst[cp] + i];
		size_t an;
		const char *as = tc_str(&m->attr, w->attr, &an);

		m->dw[i] = w->w;
		m->dblk[i] = -1;
		for (j = 0; j < nattr; j++)
			if (akey[j].n == an && memcmp(akey[j].p, as, an) == 0)
				break;
		if (j == nattr || tc_dims_merge(d, as, an, aval[j].p, aval[j].n,
		    tmp, &mv, &mn, &why, &un) != 1)
			continue;
		if ((f = tc_find(&m->val, mv, mn)) < 0 ||
		    (f = tc_u64_get(&m->avmap, (uint64_t)w->attr << 32 |
		    (uint64_t)f)) < 0)
			continue;
		m->dblk[i] = cp_block(m, (uint32_t)cp, (uint32_t)f);
	}
	/* the table of the tags in the request's blocks */
	if (++m->gen == 0) {
		memset(m->tstamp, 0, ((size_t)m->tag.n + 1) *
		    sizeof(*m->tstamp));
		m->gen = 1;
	}
	nent = 0;
	for (i = 0; i < nd; i++)
		table_add(m, m->dblk[i], i, nd, &nent);
	table_add(m, star, nd, nd, &nent);
	/* no candidates given: the plan's materials (its identity rows) */
	if (ncand < 0) {
		ncand = 0;
		if (star >= 0) {
			if (m->bcount[star] > m->pcap) {
				m->pcap = m->bcount[star];
				m->pmats = xreallocarray(m->pmats, m->pcap,
				    sizeof(*m->pmats));
			}
			for (i = 0; i < m->bcount[star]; i++) {
				size_t tn;
				const char *ts = tc_str(&m->tag,
				    m->btag[m->bfirst[star] + i], &tn);

				if (tn > 9 && memcmp(ts, "material:", 9) == 0) {
					m->pmats[ncand].p = ts + 9;
					m->pmats[ncand++].n = tn - 9;
				}
			}
		}
		cand = m->pmats;
	}
	na = (size_t)ncand;
	if (na > m->allcap) {
		m->allcap = na;
		m->all = xreallocarray(m->all, na, sizeof(*m->all));
	}
	for (i = 0; i < na; i++) {
		double r = 0, c, s;
		const double *e;
		size_t x, y;

		tags = mat_tags(m, mats, cand[i].p, cand[i].n, &nt);
		if (nt > m->centcap) {
			m->centcap = nt;
			m->cent = xreallocarray(m->cent, nt, sizeof(*m->cent));
		}
		for (y = 0; y < nt; y++)
			m->cent[y] = m->tstamp[tags[y]] == m->gen ?
			    m->tent + (size_t)m->tslot[tags[y]] * (nd + 1) :
			    NULL;
		/* the sums in the order of the formula, for the same bits */
		for (x = 0; x < nd; x++) {
			s = 0;
			for (y = 0; y < nt; y++) {
				if ((e = m->cent[y]) == NULL ||
				    ((c = e[x]) < 0 && (c = e[nd]) < 0))
					c = 0;
				s += c;
			}
			r += m->dw[x] * s;
		}
		m->all[i].mat = cand[i].p;
		m->all[i].n = cand[i].n;
		m->all[i].r = r;
	}
	/* the top k by insertion; a candidate named twice counts once */
	for (i = 0; i < na; i++) {
		for (j = 0; j < nk; j++)
			if (out[j].n == m->all[i].n &&
			    memcmp(out[j].mat, m->all[i].mat, out[j].n) == 0)
				break;
		if (j < nk)
			continue;
		if (nk == k && (k == 0 || !better(&m->all[i], &out[k - 1])))
			continue;
		j = nk < k ? nk++ : k - 1;
		while (j > 0 && better(&m->all[i], &out[j - 1])) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = m->all[i];
	}
	return (int)nk;
}

size_t
tcr_rows(const struct tcr *m)
{
	return m->nblk ? m->bfirst[m->nblk - 1] + m->bcount[m->nblk - 1] : 0;
}

void
tcr_free(struct tcr *m)
{
	if (m == NULL)
		return;
	tc_strtab_free(&m->chan);
	tc_strtab_free(&m->plan);
	tc_strtab_free(&m->attr);
	tc_strtab_free(&m->val);
	tc_strtab_free(&m->tag);
	tc_strtab_free(&m->member);
	tc_strtab_free(&m->mc);
	tc_u64map_free(&m->cpmap);
	tc_u64map_free(&m->avmap);
	free(m->cp_chan);
	free(m->cp_plan);
	free(m->member_of);
	free(m->rows);
	free(m->wts);
	free(m->btag);
	free(m->bctr);
	free(m->bfirst);
	free(m->bcount);
	free(m->bav);
	free(m->cpfirst);
	free(m->cpcount);
	free(m->tstamp);
	free(m->tslot);
	free(m->tent);
	free(m->cent);
	free(m->wfirst);
	free(m->wcount);
	free(m->star);
	free(m->mc_first);
	free(m->mc_count);
	free(m->mc_ids);
	buf_free(&m->key);
	free(m->dblk);
	free(m->dw);
	free(m->all);
	free(m->ptags);
	free(m->pmats);
	free(m);
}
