#include "tcdim.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csvio.h"
#include "diag.h"
#include "rin.h"
#include "tcline.h"
#include "xalloc.h"

uint64_t
tc_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n, v;

	while (n >= 8) {
		memcpy(&v, s, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	v = 0;
	if (n > 0)
		memcpy(&v, s, n);
	h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	h *= 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 32);
}

static void
st_grow(struct tc_strtab *t)
{
	size_t nsl = t->mask ? 2 * (t->mask + 1) : 64, j;
	uint32_t id;

	free(t->slot);
	t->slot = xcalloc(nsl, sizeof(*t->slot));
	t->mask = nsl - 1;
	for (id = 0; id < t->n; id++) {
		for (j = t->e[id].hash & t->mask; t->slot[j] != 0;
		    j = (j + 1) & t->mask)
			;
		t->slot[j] = (uint64_t)t->e[id].hash << 32 | (id + 1);
	}
}

static long
st_lookup(const struct tc_strtab *t, const char *s, size_t n, uint32_t h,
    size_t *at)
{
	size_t j;
	uint64_t v;
	uint32_t id;

	if (t->mask == 0) {
		*at = 0;
		return -1;
	}
	for (j = h & t->mask; (v = t->slot[j]) != 0; j = (j + 1) & t->mask) {
		if ((uint32_t)(v >> 32) != h)
			continue;
		id = (uint32_t)v - 1;
		if (t->e[id].len == n &&
		    memcmp(t->a.p + t->e[id].off, s, n) == 0)
			return (long)id;
	}
	*at = j;
	return -1;
}

uint32_t
tc_intern(struct tc_strtab *t, const char *s, size_t n, int *isnew)
{
	uint32_t h = (uint32_t)tc_hash(s, n), id;
	size_t at;
	long f;

	if ((f = st_lookup(t, s, n, h, &at)) >= 0) {
		if (isnew)
			*isnew = 0;
		return (uint32_t)f;
	}
	if (n > UINT32_MAX)
		diag_die(EX_DATAERR, "a string of more than 4 GB");
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->e = xreallocarray(t->e, t->cap, sizeof(*t->e));
	}
	id = t->n++;
	t->e[id].off = t->a.len;
	t->e[id].len = (uint32_t)n;
	t->e[id].hash = h;
	buf_add(&t->a, s, n);
	buf_addc(&t->a, '\0');
	if ((size_t)t->n * 2 >= (t->mask + 1))
		st_grow(t);
	else
		t->slot[at] = (uint64_t)h << 32 | (id + 1);
	if (isnew)
		*isnew = 1;
	return id;
}

long
tc_find(const struct tc_strtab *t, const char *s, size_t n)
{
	size_t at;

	return st_lookup(t, s, n, (uint32_t)tc_hash(s, n), &at);
}

void
tc_strtab_free(struct tc_strtab *t)
{
	buf_free(&t->a);
	free(t->e);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static inline size_t
u64slot(uint64_t k, size_t mask)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & mask;
}

long
tc_u64_get(const struct tc_u64map *m, uint64_t k)
{
	size_t j;

	if (m->mask == 0)
		return -1;
	for (j = u64slot(k, m->mask); m->v[j] != 0; j = (j + 1) & m->mask)
		if (m->k[j] == k)
			return (long)m->v[j] - 1;
	return -1;
}

void
tc_u64_put(struct tc_u64map *m, uint64_t k, uint32_t v)
{
	size_t j, i, old;
	uint64_t *ok;
	uint32_t *ov;

	if ((m->n + 1) * 4 >= (m->mask + 1) * 3 || m->mask == 0) {
		old = m->mask ? m->mask + 1 : 0;
		ok = m->k;
		ov = m->v;
		m->mask = (old ? 2 * old : 64) - 1;
		m->k = xcalloc(m->mask + 1, sizeof(*m->k));
		m->v = xcalloc(m->mask + 1, sizeof(*m->v));
		for (i = 0; i < old; i++)
			if (ov[i] != 0) {
				for (j = u64slot(ok[i], m->mask); m->v[j] != 0;
				    j = (j + 1) & m->mask)
					;
				m->k[j] = ok[i];
				m->v[j] = ov[i];
			}
		free(ok);
		free(ov);
	}
	for (j = u64slot(k, m->mask); m->v[j] != 0; j = (j + 1) & m->mask)
		if (m->k[j] == k) {
			m->v[j] = v + 1;
			return;
		}
	m->k[j] = k;
	m->v[j] = v + 1;
	m->n++;
}

void
tc_u64map_free(struct tc_u64map *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int
tc_dims_add_map(struct tc_dims *d, struct run *r, const char *attr,
    const char *path)
{
	struct csvin c;
	struct tc_amap *m;
	const char *why, *f, *t;
	long cf, ct, fid;
	size_t fn, tn;
	int rc, isnew;
	uint32_t fi, ti;

	memset(&c, 0, sizeof(c));
	rc = csvin_open(&c, path);
	if (rc == -1) {
		diag_warn("%s: %s", path, strerror(errno));
		return EX_NOINPUT;
	}
	if (rc != 0) {
		csvin_close(&c);
		return rc;
	}
	if ((cf = csvin_column(&c, "from")) < 0 ||
	    (ct = csvin_column(&c, "to")) < 0) {
		diag_at(path, 1, "a mapping file needs the columns from,to");
		csvin_close(&c);
		return EX_DATAERR;
	}
	d->maps = xreallocarray(d->maps, d->nmaps + 1, sizeof(*d->maps));
	m = &d->maps[d->nmaps++];
	memset(m, 0, sizeof(*m));
	m->attr = xstrdup(attr);
	while ((rc = csvin_next(&c, &why)) == 1) {
		char msg[128];

		r->read++;
		if ((why = csvin_check_width(&c, msg, sizeof(msg))) == NULL) {
			f = csvin_field(&c, (size_t)cf, &fn);
			t = csvin_field(&c, (size_t)ct, &tn);
			if (f == NULL || t == NULL)
				why = "a mapping row needs both from and to";
			else if ((fid = tc_find(&m->from, f, fn)) >= 0 &&
			    (ti = tc_intern(&m->to, t, tn, NULL),
			    m->to_of[fid] != ti))
				why = "a value mapped twice to different values";
		}
		if (why != NULL) {
			if (run_bad(r, c.lr.name, c.row_line, c.raw.p, c.raw.len,
			    "%s", why) != 0) {
				csvin_close(&c);
				return EX_DATAERR;
			}
			continue;
		}
		r->read--;		/* mapping rows are not input records */
		fi = tc_intern(&m->from, f, fn, &isnew);
		ti = tc_intern(&m->to, t, tn, NULL);
		if (isnew) {
			m->to_of = xreallocarray(m->to_of, m->from.n,
			    sizeof(*m->to_of));
			m->to_of[fi] = ti;
		}
	}
	if (rc == -1) {
		diag_at(c.lr.name, c.row_line ? c.row_line : c.lr.lineno, "%s",
		    why);
		csvin_close(&c);
		return EX_DATAERR;
	}
	csvin_close(&c);
	return 0;
}

static const char *dayparts[] = { "00-05", "06-11", "12-17", "18-23" };

int
tc_dims_merge(const struct tc_dims *d, const char *attr, size_t an,
    const char *val, size_t vn, char *tmp, const char **out, size_t *outn,
    const char **why, int *unmapped)
{
	size_t i;
	long f;
	int h;

	*unmapped = 0;
	if (d->only != NULL) {
		for (i = 0; i < d->nonly; i++)
			if (strlen(d->only[i]) == an &&
			    memcmp(d->only[i], attr, an) == 0)
				break;
		if (i == d->nonly)
			return 0;
	}
	for (i = 0; i < d->nmaps; i++)
		if (strlen(d->maps[i].attr) == an &&
		    memcmp(d->maps[i].attr, attr, an) == 0) {
			const struct tc_amap *m = &d->maps[i];

			if ((f = tc_find(&m->from, val, vn)) < 0) {
				*unmapped = 1;
				*out = val;
				*outn = vn;
			} else
				*out = tc_str(&m->to, m->to_of[f], outn);
			return 1;
		}
	if (d->dayparts && an == 4 && memcmp(attr, "hour", 4) == 0) {
		h = 0;
		for (i = 0; i < vn; i++) {
			if (!isdigit((unsigned char)val[i]) || i >= 4)
				break;
			h = h * 10 + (val[i] - '0');
		}
		if (vn == 0 || i < vn || h > 23) {
			*why = "attribute \"hour\" must be an hour from 0 to 23 "
			    "(day parts; --no-dayparts keeps any value)";
			return -1;
		}
		memcpy(tmp, dayparts[h / 6], 6);
		*out = tmp;
		*outn = 5;
		return 1;
	}
	*out = val;
	*outn = vn;
	return 1;
}

void
tc_dims_free(struct tc_dims *d)
{
	size_t i;

	for (i = 0; i < d->nmaps; i++) {
		free(d->maps[i].attr);
		tc_strtab_free(&d->maps[i].from);
		tc_strtab_free(&d->maps[i].to);
		free(d->maps[i].to_of);
	}
	free(d->maps);
	d->maps = NULL;
	d->nmaps = 0;
}

long long
tc_parse_duration(const char *s)
{
	char *end;
	long long v, mul = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v <= 0)
		return -1;
	if (*end != '\0') {
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: return -1;
		}
		if (end[1] != '\0')
			return -1;
	}
	if (v > 100LL * 365 * 86400 / mul)
		return -1;
	return v * mul;
}

void
tc_cv_weights(const double *mean, const double *sd, size_t n, double *cv,
    double *w)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		cv[i] = mean[i] != 0 ? sd[i] / mean[i] : 0;
		sum += cv[i];
	}
	for (i = 0; i < n; i++)
		w[i] = sum > 0 ? cv[i] / sum : 1.0 / (double)n;
}

int
tc_mats_load(struct tc_mats *m, struct run *r, const char *path)
{
	struct rin in;
	struct tcl_raw raw;
	struct tcl_rec rec;
	unsigned long read0 = r->read, rej0 = r->rejected;
	char *paths[1], msg[256];
	const char *why;
	uint32_t *lists = NULL, mid, tid;	/* pairs (material, tag) */
	size_t npair = 0, cap = 0, i, j;
	int rc, status0 = r->status;

	memset(&raw, 0, sizeof(raw));
	memset(&rec, 0, sizeof(rec));
	paths[0] = (char *)path;
	rin_init(&in, r, paths, 1);
	while ((rc = rin_next(&in)) == 1) {
		/* the line checker wants the other fields: lend it some */
		if (in.is_csv)
			tcl_scan_csv(&raw, in.obj);
		else
			tcl_scan_json(&raw, in.obj);
		raw.ts.t = TCL_INTEGER;
		raw.channel.t = raw.plan.t = TCL_INTEGER;
		raw.click.t = TCL_FALSE;
		raw.attrs.t = TCL_ABSENT;
		raw.nattr = 0;
		if ((why = tcl_check(&raw, &rec, msg, sizeof(msg))) != NULL) {
			if (run_bad(r, in.file, in.line, in.raw, in.rawlen,
			    "%s", why) != 0)
				break;
			continue;
		}
		mid = tc_intern(&m->names, rec.material.p, rec.material.n, NULL);
		for (i = 0; i < rec.ntag; i++) {
			tid = tc_intern(&m->tags, rec.tags[i].p, rec.tags[i].n,
			    NULL);
			if (npair + 1 > cap) {
				cap = cap ? 2 * cap : 256;
				lists = xreallocarray(lists, cap, 2 *
				    sizeof(*lists));
			}
			lists[2 * npair] = mid;
			lists[2 * npair + 1] = tid;
			npair++;
		}
	}
	rin_close(&in);
	tcl_raw_free(&raw);
	tcl_rec_free(&rec);
	r->read = read0 + (r->rejected - rej0);
	/* group the pairs by material: counting sort, duplicates dropped */
	m->first = xcalloc(m->names.n + 1, sizeof(*m->first));
	m->count = xcalloc(m->names.n + 1, sizeof(*m->count));
	for (i = 0; i < npair; i++)
		m->count[lists[2 * i]]++;
	for (i = 1; i <= m->names.n; i++)
		m->first[i] = m->first[i - 1] + m->count[i - 1];
	m->ids = xcalloc(npair + 1, sizeof(*m->ids));
	memset(m->count, 0, (m->names.n + 1) * sizeof(*m->count));
	for (i = 0; i < npair; i++) {
		mid = lists[2 * i];
		for (j = 0; j < m->count[mid]; j++)
			if (m->ids[m->first[mid] + j] == lists[2 * i + 1])
				break;
		if (j == m->count[mid])
			m->ids[m->first[mid] + m->count[mid]++] =
			    lists[2 * i + 1];
	}
	m->nids = npair;
	free(lists);
	if (r->status != status0 || rc == -1)
		return r->status ? r->status : EX_DATAERR;
	return 0;
}

const uint32_t *
tc_mats_tags(const struct tc_mats *m, const char *mat, size_t mn, size_t *n)
{
	long id;

	if (m == NULL || m->first == NULL ||
	    (id = tc_find(&m->names, mat, mn)) < 0) {
		*n = 0;
		return NULL;
	}
	*n = m->count[id];
	return m->ids + m->first[id];
}

void
tc_mats_free(struct tc_mats *m)
{
	tc_strtab_free(&m->names);
	tc_strtab_free(&m->tags);
	free(m->first);
	free(m->count);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}
