#include "catalog.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dot8.h"
#include "rin.h"
#include "run.h"
#include "xalloc.h"

const char *const catalog_field_name[CAT_NFIELDS] = {
	"lang", "geo", "slot", "size"
};

void
catalog_init(struct catalog *c, int dim)
{
	memset(c, 0, sizeof(*c));
	c->dim = dim;
	c->dimp = (dim + 7) / 8 * 8;
}

/* The value at a key, or at the dotted path when no key has that name. */
static json_t *
lookup(json_t *obj, const char *path)
{
	const char *dot;
	json_t *v;

	if ((v = json_object_get(obj, path)) != NULL)
		return v;
	while ((dot = strchr(path, '.')) != NULL) {
		v = json_object_getn(obj, path, (size_t)(dot - path));
		if (!json_is_object(v))
			return NULL;
		obj = v;
		path = dot + 1;
		if ((v = json_object_get(obj, path)) != NULL)
			return v;
	}
	return NULL;
}

/* A finite number, or (from CSV) its decimal text.  0 or -1. */
static int
number(const json_t *v, int from_csv, double *out)
{
	const char *s;
	char *end;

	if (json_is_number(v))
		*out = json_number_value(v);
	else if (from_csv && json_is_string(v)) {
		s = json_string_value(v);
		if (strspn(s, "0123456789+-.eE") != strlen(s))
			return -1;
		errno = 0;
		*out = strtod(s, &end);
		if (end == s || *end != '\0' || errno == ERANGE)
			return -1;
	} else
		return -1;
	return isfinite(*out) ? 0 : -1;
}

/* A JSON array, or (from CSV) one written as JSON text: a new reference. */
static json_t *
array(json_t *v, int from_csv)
{
	if (json_is_array(v))
		return json_incref(v);
	if (from_csv && json_is_string(v))
		return json_loads(json_string_value(v), JSON_REJECT_DUPLICATES,
		    NULL);
	return NULL;
}

static char *
opt_string(json_t *obj, const char *key, int *bad)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = 1;
		return NULL;
	}
	return xstrndup(json_string_value(v), json_string_length(v));
}

static void
ad_free(struct catalog_ad *a)
{
	int f;

	free(a->ad_id);
	free(a->render_url);
	free(a->campaign);
	free(a->advertiser);
	free(a->category);
	for (f = 0; f < CAT_NFIELDS; f++)
		free(a->target[f]);
}

static struct catalog_buyer *
get_buyer(struct catalog *c, const char *name, size_t len)
{
	int added;
	size_t i = strtab_intern(&c->names, name, len, &added);
	struct catalog_buyer *b;

	if (added) {
		c->b = xreallocarray(c->b, c->names.count, sizeof(*c->b));
		b = &c->b[i];
		memset(b, 0, sizeof(*b));
		b->name = xstrndup(name, len);
	}
	return &c->b[i];
}

int
catalog_add(struct catalog *c, json_t *ad, int from_csv, char *err,
    size_t errlen)
{
	struct catalog_ad a;
	struct catalog_buyer *b;
	json_t *t, *id, *buyer, *v, *list, *e;
	double *emb;
	size_t i, d = (size_t)c->dim;
	int f, bad = 0, added;
	char path[32];

	t = json_object_get(ad, "type");
	if (t != NULL && !(json_is_string(t) &&
	    strcmp(json_string_value(t), "ad") == 0))
		return 1;
	id = json_object_get(ad, "ad_id");
	buyer = json_object_get(ad, "buyer");
	if (!json_is_string(id) || json_string_length(id) == 0) {
		diag_errf(err, errlen, "no non-empty string \"ad_id\"");
		return -1;
	}
	if (!json_is_string(buyer) || json_string_length(buyer) == 0) {
		diag_errf(err, errlen, "no non-empty string \"buyer\"");
		return -1;
	}
	memset(&a, 0, sizeof(a));
	if (number(json_object_get(ad, "value"), from_csv, &a.value) != 0) {
		diag_errf(err, errlen, "\"value\" is not a finite number");
		return -1;
	}
	a.remaining = INFINITY;
	v = lookup(ad, "budget.remaining");
	if (v != NULL && !json_is_null(v) &&
	    number(v, from_csv, &a.remaining) != 0) {
		diag_errf(err, errlen, "budget.remaining is not a finite "
		    "number");
		return -1;
	}
	emb = xmalloc(d * sizeof(*emb));
	list = array(json_object_get(ad, "embedding"), from_csv);
	if (d > 0 && (list == NULL || json_array_size(list) != d))
		bad = 1;
	for (i = 0; !bad && i < d; i++)
		if (number(json_array_get(list, i), 0, &emb[i]) != 0)
			bad = 1;
	json_decref(list);
	if (bad) {
		free(emb);
		diag_errf(err, errlen, "\"embedding\" is not an array of %d "
		    "finite numbers", c->dim);
		return -1;
	}
	a.render_url = opt_string(ad, "render_url", &bad);
	a.campaign = opt_string(ad, "campaign", &bad);
	a.advertiser = opt_string(ad, "advertiser", &bad);
	a.category = opt_string(ad, "category", &bad);
	if (bad) {
		diag_errf(err, errlen, "render_url, campaign, advertiser and "
		    "category must be strings");
		goto fail;
	}
	b = get_buyer(c, json_string_value(buyer), json_string_length(buyer));
	for (f = 0; f < CAT_NFIELDS; f++) {
		a.ntarget[f] = -1;
		snprintf(path, sizeof(path), "targeting.%s",
		    catalog_field_name[f]);
		v = lookup(ad, path);
		if (v == NULL || json_is_null(v))
			continue;
		if ((list = array(v, from_csv)) == NULL) {
			diag_errf(err, errlen, "%s is not an array of strings",
			    path);
			goto fail;
		}
		a.target[f] = xreallocarray(NULL, json_array_size(list) + 1,
		    sizeof(uint32_t));
		a.ntarget[f] = 0;
		json_array_foreach(list, i, e) {
			if (!json_is_string(e)) {
				json_decref(list);
				diag_errf(err, errlen, "%s is not an array of "
				    "strings", path);
				goto fail;
			}
			a.target[f][a.ntarget[f]++] = (uint32_t)strtab_intern(
			    &b->vals[f], json_string_value(e),
			    json_string_length(e), NULL);
		}
		json_decref(list);
	}
	(void)strtab_intern(&c->ids, json_string_value(id),
	    json_string_length(id), &added);
	if (!added) {
		diag_errf(err, errlen, "ad_id \"%.80s\" is in the catalog "
		    "already", json_string_value(id));
		goto fail;
	}
	a.ad_id = xstrndup(json_string_value(id), json_string_length(id));
	if (c->ids.count > c->idcap) {
		c->idcap = c->idcap ? 2 * c->idcap : 64;
		c->id_buyer = xreallocarray(c->id_buyer, c->idcap,
		    sizeof(*c->id_buyer));
		c->id_ad = xreallocarray(c->id_ad, c->idcap,
		    sizeof(*c->id_ad));
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->ad = xreallocarray(b->ad, b->cap, sizeof(*b->ad));
		b->emb = xreallocarray(b->emb, b->cap * d, sizeof(*b->emb));
	}
	c->id_buyer[c->ids.count - 1] = (uint32_t)(b - c->b);
	c->id_ad[c->ids.count - 1] = (uint32_t)b->n;
	memcpy(&b->emb[b->n * d], emb, d * sizeof(*emb));
	b->ad[b->n++] = a;
	c->ads++;
	if (!(a.remaining > 0))
		c->out_of_budget++;
	free(emb);
	return 0;
fail:
	free(emb);
	ad_free(&a);
	return -1;
}

static void
setbit(uint64_t *w, size_t i)
{
	w[i / 64] |= (uint64_t)1 << (i % 64);
}

/*
 * The scan order: by targeting lists, field by field in sort_field
 * order (no list first, then the lists as sorted value indices), then
 * by index.  An ad with no lists (it passes every request) or with one
 * list lands next to the others that pass the same requests.
 */
static const int sort_field[CAT_NFIELDS] = {
	CAT_SLOT, CAT_SIZE, CAT_LANG, CAT_GEO
};

struct sortkey {
	const struct catalog_ad	*a;
	uint32_t		*v[CAT_NFIELDS];	/* sorted copies */
	uint32_t		 i;
};

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

static int
cmp_sortkey(const void *x, const void *y)
{
	const struct sortkey *p = x, *q = y;
	long np, nq, j;
	int f, i;

	for (i = 0; i < CAT_NFIELDS; i++) {
		f = sort_field[i];
		np = p->a->ntarget[f];
		nq = q->a->ntarget[f];
		if ((np < 0) != (nq < 0))
			return np < 0 ? -1 : 1;
		for (j = 0; j < np && j < nq; j++)
			if (p->v[f][j] != q->v[f][j])
				return p->v[f][j] < q->v[f][j] ? -1 : 1;
		if (np != nq)
			return np < nq ? -1 : 1;
	}
	return (p->i > q->i) - (p->i < q->i);
}

/* Sets b->perm and b->rank. */
static void
scan_order(struct catalog_buyer *b)
{
	struct sortkey *key = xcalloc(b->n + 1, sizeof(*key));
	size_t i;
	long n;
	int f;

	for (i = 0; i < b->n; i++) {
		key[i].a = &b->ad[i];
		key[i].i = (uint32_t)i;
		for (f = 0; f < CAT_NFIELDS; f++) {
			if ((n = b->ad[i].ntarget[f]) <= 0)
				continue;
			key[i].v[f] = xreallocarray(NULL, (size_t)n,
			    sizeof(uint32_t));
			memcpy(key[i].v[f], b->ad[i].target[f],
			    (size_t)n * sizeof(uint32_t));
			qsort(key[i].v[f], (size_t)n, sizeof(uint32_t),
			    cmp_u32);
		}
	}
	qsort(key, b->n, sizeof(*key), cmp_sortkey);
	b->perm = xcalloc(b->n + 1, sizeof(*b->perm));
	b->rank = xcalloc(b->n + 1, sizeof(*b->rank));
	for (i = 0; i < b->n; i++) {
		b->perm[i] = key[i].i;
		b->rank[key[i].i] = (uint32_t)i;
		for (f = 0; f < CAT_NFIELDS; f++)
			free(key[i].v[f]);
	}
	free(key);
}

/* x rounded up to a float, never below x (+inf stays, NaN gives +inf). */
static float
float_up(double x)
{
	float f = (float)x;

	if (x != x)
		return INFINITY;
	return (double)f < x ? nextafterf(f, INFINITY) : f;
}

/*
 * Packs a[0..d) as 8-bit integers: a_j = s q_j + r_j, four dimensions a
 * word (dimension 4i + b in byte b of word i), into lane 0 of the
 * words w[0], w[8], ...; sets *s and returns the ad's room in the
 * bound of scan (see there): sum |r_j| plus c FLT_EPSILON times sum
 * (|s q_j| + |r_j|), rounded up.  An embedding too large for floats
 * gets s = 0 (every r_j = a_j).
 */
static float
pack(const double *a, size_t d, uint32_t *w, float *s)
{
	double mx = 0, e = 0, l1 = 0, hv, c = 2.0 * ((double)d + 8) + 16;
	long v;
	size_t j;

	for (j = 0; j < d; j++)
		if (fabs(a[j]) > mx)
			mx = fabs(a[j]);
	*s = mx < 1e30 ? (float)(mx / 127) : 0;
	for (j = 0; j < d; j++) {
		v = *s > 0 ? lrint(a[j] / *s) : 0;
		v = v > 127 ? 127 : v < -127 ? -127 : v;
		w[j / 4 * 8] |= (uint32_t)(v & 0xff) << (j % 4 * 8);
		hv = (double)*s * (double)v;	/* exact */
		e += fabs(a[j] - hv);
		l1 += fabs(hv);
	}
	return float_up((e + c * FLT_EPSILON * (l1 + e)) * (1 + 1e-9));
}

void
catalog_finish(struct catalog *c)
{
	struct catalog_buyer *b;
	struct catalog_ad *a;
	size_t i, p, k, nb, d = (size_t)c->dim, np;
	double lnv;
	int f;

	for (nb = 0; nb < c->names.count; nb++) {
		b = &c->b[nb];
		scan_order(b);
		b->nwords = (b->n + 63) / 64;
		b->nblk = (b->n + 7) / 8;
		np = b->nblk * 8;
		b->blk = xcalloc(b->nblk * ((d + 3) / 4) * 8 + 1,
		    sizeof(*b->blk));
		b->scale = xcalloc(np + 1, sizeof(*b->scale));
		b->err = xcalloc(np + 1, sizeof(*b->err));
		b->qv = xcalloc(np + 1, sizeof(*b->qv));
		b->lnv = xcalloc(np + 1, sizeof(*b->lnv));
		b->live = xcalloc(b->nwords + 1, sizeof(*b->live));
		for (f = 0; f < CAT_NFIELDS; f++) {
			b->nolist[f] = xcalloc(b->nwords + 1, sizeof(uint64_t));
			b->bits[f] = xcalloc(b->vals[f].count + 1,
			    sizeof(*b->bits[f]));
			for (k = 0; k < b->vals[f].count; k++)
				b->bits[f][k] = xcalloc(b->nwords + 1,
				    sizeof(uint64_t));
		}
		for (p = 0; p < np; p++) {
			b->qv[p] = -INFINITY;	/* padding: never passes */
			b->lnv[p] = -INFINITY;
		}
		for (p = 0; p < b->n; p++) {
			i = b->perm[p];
			a = &b->ad[i];
			b->err[p] = pack(&b->emb[i * d], d,
			    &b->blk[p / 8 * ((d + 3) / 4) * 8 + p % 8],
			    &b->scale[p]);
			lnv = a->value > 0 ? log(1000.0 * a->value) : -INFINITY;
			b->lnv[p] = lnv;
			/* room for the float sum of scan (see there) */
			b->qv[p] = lnv > -INFINITY ? float_up(lnv + 32 *
			    FLT_EPSILON * fabs(lnv)) : -INFINITY;
			if (a->remaining > 0)
				setbit(b->live, p);
			for (f = 0; f < CAT_NFIELDS; f++) {
				if (a->ntarget[f] < 0)
					setbit(b->nolist[f], p);
				for (k = 0; k < (size_t)(a->ntarget[f] < 0 ?
				    0 : a->ntarget[f]); k++)
					setbit(b->bits[f][a->target[f][k]], p);
			}
		}
	}
}

int
catalog_load(struct catalog *c, const char *path)
{
	struct run side;
	struct rin in;
	char *paths[1] = { (char *)path }, msg[512];
	int rc;

	memset(&side, 0, sizeof(side));
	rin_init(&in, &side, paths, 1);
	while ((rc = rin_next(&in)) == 1)
		if (catalog_add(c, in.obj, in.is_csv, msg, sizeof(msg)) < 0) {
			run_bad(&side, in.file, in.line, in.raw, in.rawlen,
			    "%s", msg);
			break;
		}
	rin_close(&in);
	catalog_finish(c);
	return side.status;
}

void
catalog_free(struct catalog *c)
{
	struct catalog_buyer *b;
	size_t nb, i;
	int f;

	if (c == NULL)
		return;
	for (nb = 0; nb < c->names.count; nb++) {
		b = &c->b[nb];
		for (i = 0; i < b->n; i++)
			ad_free(&b->ad[i]);
		for (f = 0; f < CAT_NFIELDS; f++) {
			if (b->bits[f] != NULL)
				for (i = 0; i < b->vals[f].count; i++)
					free(b->bits[f][i]);
			free(b->bits[f]);
			free(b->nolist[f]);
			strtab_free(&b->vals[f]);
		}
		free(b->name);
		free(b->ad);
		free(b->emb);
		free(b->perm);
		free(b->rank);
		free(b->blk);
		free(b->scale);
		free(b->err);
		free(b->qv);
		free(b->lnv);
		free(b->live);
	}
	free(c->b);
	strtab_free(&c->names);
	strtab_free(&c->ids);
	free(c->id_buyer);
	free(c->id_ad);
	memset(c, 0, sizeof(*c));
}

const struct catalog_buyer *
catalog_buyer(const struct catalog *c, const char *name, size_t len)
{
	long i = strtab_find(&c->names, name, len);

	return i < 0 ? NULL : &c->b[i];
}

const struct catalog_ad *
catalog_find(const struct catalog *c, const char *ad_id, size_t len,
    const struct catalog_buyer **bp, size_t *ip)
{
	long i = strtab_find(&c->ids, ad_id, len);
	const struct catalog_buyer *b;

	if (i < 0)
		return NULL;
	b = &c->b[c->id_buyer[i]];
	if (bp != NULL)
		*bp = b;
	if (ip != NULL)
		*ip = c->id_ad[i];
	return &b->ad[c->id_ad[i]];
}

void
catalog_ctx_values(const json_t *ctx, const char *val[CAT_NFIELDS])
{
	const json_t *v;
	int f;

	for (f = 0; f < CAT_NFIELDS; f++) {
		v = json_object_get(ctx, catalog_field_name[f]);
		val[f] = json_is_string(v) ? json_string_value(v) : NULL;
	}
}

/* catalog_filter over scan positions. */
static void
filter_pos(const struct catalog_buyer *b, const char *const val[CAT_NFIELDS],
    uint64_t *out)
{
	const uint64_t *hit[CAT_NFIELDS];
	size_t w;
	long k;
	int f;

	for (f = 0; f < CAT_NFIELDS; f++) {
		hit[f] = NULL;
		if (val[f] != NULL && (k = strtab_find(&b->vals[f], val[f],
		    strlen(val[f]))) >= 0)
			hit[f] = b->bits[f][k];
	}
	for (w = 0; w < b->nwords; w++) {
		uint64_t m = b->live[w];

		for (f = 0; f < CAT_NFIELDS; f++)
			m &= b->nolist[f][w] | (hit[f] != NULL ? hit[f][w] : 0);
		out[w] = m;
	}
}

void
catalog_filter(const struct catalog_buyer *b,
    const char *const val[CAT_NFIELDS], uint64_t *out)
{
	uint64_t *pos = xcalloc(b->nwords + 1, sizeof(*pos)), bits;
	size_t w;

	filter_pos(b, val, pos);
	memset(out, 0, b->nwords * sizeof(*out));
	for (w = 0; w < b->nwords; w++)
		for (bits = pos[w]; bits != 0; bits &= bits - 1)
			setbit(out, b->perm[w * 64 + (size_t)__builtin_ctzll(
			    bits)]);
	free(pos);
}

/* ---- top k ------------------------------------------------------------ */

/* 1 if hit x ranks before hit y: higher score, then smaller ad_id. */
static int
better(const struct catalog_buyer *b, const struct catalog_hit *x,
    const struct catalog_hit *y)
{
	if (x->score != y->score)
		return x->score > y->score;
	return strcmp(b->ad[x->ad].ad_id, b->ad[y->ad].ad_id) < 0;
}

/* A heap of the k best with the worst at the root. */
static void
sift_down(const struct catalog_buyer *b, struct catalog_hit *h, size_t n,
    size_t i)
{
	struct catalog_hit t;
	size_t l, w;

	for (;;) {
		l = 2 * i + 1;
		if (l >= n)
			return;
		w = l;
		if (l + 1 < n && better(b, &h[l], &h[l + 1]))
			w = l + 1;
		if (!better(b, &h[i], &h[w]))
			return;
		t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

static void
sift_up(const struct catalog_buyer *b, struct catalog_hit *h, size_t i)
{
	struct catalog_hit t;
	size_t p;

	while (i > 0) {
		p = (i - 1) / 2;
		if (!better(b, &h[p], &h[i]))
			return;
		t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

/* Offers a hit; returns 1 when it entered. */
static int
offer(const struct catalog_buyer *b, struct catalog_hit *h, size_t *n,
    size_t k, const struct catalog_hit *x)
{
	if (*n < k) {
		h[*n] = *x;
		sift_up(b, h, (*n)++);
		return 1;
	}
	if (!better(b, x, &h[0]))
		return 0;
	h[0] = *x;
	sift_down(b, h, *n, 0);
	return 1;
}

/* Sorts the heap best first. */
static void
heap_sort(const struct catalog_buyer *b, struct catalog_hit *h, size_t n)
{
	struct catalog_hit t;

	while (n > 1) {
		t = h[0];
		h[0] = h[n - 1];
		h[n - 1] = t;
		sift_down(b, h, --n, 0);
	}
}

static void
exact(const struct catalog *c, const struct catalog_buyer *b, uint32_t i,
    const struct model2t *m, const double *u, const double *cvec,
    struct catalog_hit *x)
{
	x->ad = i;
	x->p = model2t_p(m, u, cvec, &b->emb[(size_t)i * (size_t)c->dim]);
	x->score = x->p * b->ad[i].value * 1000;
}

void
catalog_topk_brute(const struct catalog *c, const struct catalog_buyer *b,
    const uint64_t *mask, const struct model2t *m, const double *u,
    const double *cvec, size_t k, struct catalog_hit *out, size_t *nout)
{
	struct catalog_hit x;
	size_t i, n = 0;

	for (i = 0; k > 0 && i < b->n; i++)
		if (mask[i / 64] >> (i % 64) & 1) {
			exact(c, b, (uint32_t)i, m, u, cvec, &x);
			offer(b, out, &n, k, &x);
		}
	heap_sort(b, out, n);
	*nout = n;
}

/* x rounded down to a float, never above x. */
static float
float_down(double x)
{
	float f = (float)x;

	return (double)f > x ? nextafterf(f, -INFINITY) : f;
}

/*
 * From the full heap: ln T less a margin for the logarithms, in double
 * and, less the bias, in float.
 */
static void
threshold(const struct catalog_hit *h, double bias, double *thr,
    float *thrf)
{
	double lnT = h[0].score > 0 ? log(h[0].score) : -INFINITY;

	*thr = lnT - 1e-9 * (1 + fabs(lnT));
	*thrf = float_down(*thr - bias - 1e-12 * (1 + fabs(*thr) +
	    fabs(bias)));
}

/* A min-heap of the k largest float bounds so far: the seeds. */
struct seed {
	float		 bnd;
	uint32_t	 pos;
};

static void
seed_offer(struct seed *h, size_t *n, size_t k, float bnd, uint32_t pos)
{
	struct seed t;
	size_t i, l, w;

	if (*n < k) {
		i = (*n)++;
		h[i].bnd = bnd;
		h[i].pos = pos;
		while (i > 0 && h[(i - 1) / 2].bnd > h[i].bnd) {
			t = h[i];
			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
		return;
	}
	if (!(bnd > h[0].bnd))
		return;
	h[0].bnd = bnd;
	h[0].pos = pos;
	for (i = 0;; i = w) {
		l = 2 * i + 1;
		if (l >= *n)
			return;
		w = l + 1 < *n && h[l + 1].bnd < h[l].bnd ? l + 1 : l;
		if (!(h[w].bnd < h[i].bnd))
			return;
		t = h[i];
		h[i] = h[w];
		h[w] = t;
	}
}

/*
 * The top k of the positions in sel (a bitset over scan positions; the
 * function clears some of its bits).
 *
 * With q = u + c, an ad's logit is z = q . a + bias and its score 1000
 * v sigmoid(z) < 1000 v e^z, so ln score < z + ln(1000 v).  The ad is
 * a = s qa + ra (qa: 8-bit integers, |qa_j| <= 127, see pack) and the
 * query q = t q16 + rq (q16: 16-bit integers, t a float), so
 *
 *	q . a = s t D + s (qa . rq) + (ra . q),	D = qa . q16,
 *
 * with D exact in 32-bit integers (lib/dot8, 8 ads of a block at once),
 * |qa . rq| <= r = 127 sum |rq_j| (rounded up) and |ra . q| <= qmax
 * sum |ra_j| <= qm g, g (pack) holding sum |ra_j| and room for a few
 * float roundings, more than the five of B below; qv, ln(1000 v)
 * rounded up, carries its own.  So B = (s (t D + r) + qm g) + qv >=
 * z - bias + ln(1000 v).  The pass keeps B of every ad, and each
 * block's largest B, and the k ads of the largest B (the seeds) are
 * scored exactly first: the k-th best of their scores
 * is a lower bound T of the final one.  The second pass skips every ad
 * whose B stays below ln T - bias; one that reaches it gets the tighter
 * bound ln(1000 v) + ln sigmoid(zub) in double (zub = B - ln(1000 v) +
 * bias >= z), and only an ad that passes that too is scored exactly, in
 * double, as pas-bid scores it, raising T as it enters.  As the bound
 * is tight, few ads besides the seeds are scored.
 */
static void
scan(const struct catalog *c, const struct catalog_buyer *b, uint64_t *sel,
    const struct model2t *m, const double *u, const double *cvec,
    size_t k, struct catalog_hit *out, size_t *nout, size_t *nexact)
{
	int16_t *q16;
	float qm, thrf = -INFINITY, *bound, *bmax, tf;
	struct catalog_hit x;
	struct dot8_blocks db;
	struct dot8_query dq;
	struct dot8_sel *bl;
	struct seed *seed;
	size_t blk, i, nbl, j, p, n = 0, ne = 0, ns = 0, d = (size_t)c->dim;
	size_t dw = (d + 3) / 4, w;
	double q, qmax = 0, thr = -INFINITY, zub, Q, rsum = 0;
	uint64_t bits;
	unsigned mb;
	long v;

	*nout = 0;
	if (nexact != NULL)
		*nexact = 0;
	if (k == 0)
		return;
	for (j = 0; j < d; j++) {
		q = u[j] + (cvec != NULL ? cvec[j] : 0);
		if (q != q) {		/* NaN: no bounds either */
			qmax = INFINITY;
			break;
		}
		if (fabs(q) > qmax)
			qmax = fabs(q);
	}
	if (!(qmax < 1e30)) {		/* NaN and inf too: no bounds */
		for (w = 0; w < b->nwords; w++)
			for (bits = sel[w]; bits != 0; bits &= bits - 1) {
				p = w * 64 + (size_t)__builtin_ctzll(bits);
				exact(c, b, b->perm[p], m, u, cvec, &x);
				ne++;
				offer(b, out, &n, k, &x);
			}
		goto done;
	}
	/*
	 * q in 16-bit integers: q_j = t q16_j + rq_j, |q16_j| <= Q, where
	 * Q keeps sum 127 |q16_j| below 2^31 (see dot8.h).
	 */
	Q = floor(2147483647.0 / (127.0 * 4 * (double)dw));
	if (Q > 32767)
		Q = 32767;
	tf = qmax > 0 ? (float)(qmax / Q) : 1;
	if (tf > 0 && qmax / tf > Q)	/* tf rounded down: one step more */
		tf = nextafterf(tf, INFINITY);
	q16 = xcalloc(dw * 4 + 4, sizeof(*q16));
	for (j = 0; j < d; j++) {
		q = u[j] + (cvec != NULL ? cvec[j] : 0);
		v = tf > 0 ? lrint(q / tf) : 0;
		v = v > (long)Q ? (long)Q : v < -(long)Q ? -(long)Q : v;
		q16[j] = (int16_t)v;
		rsum += fabs(q - (double)tf * (double)v);
	}
	qm = float_up(qmax * (1 + 1e-6));
	dq.q16 = q16;
	dq.t = tf;
	dq.r = float_up(127 * rsum * (1 + 1e-6));
	dq.qm = qm;
	db.blk = b->blk;
	db.nblk = b->nblk;
	db.dw = dw;
	db.scale = b->scale;
	db.err = b->err;
	db.qv = b->qv;
	/* the blocks with a selected lane, in order */
	bl = xmalloc((b->nblk + 1) * sizeof(*bl));
	for (nbl = 0, w = 0; w < b->nwords; w++)
		for (bits = sel[w]; bits != 0; bits &= ~((uint64_t)0xff <<
		    blk % 8 * 8)) {
			blk = w * 8 + (size_t)__builtin_ctzll(bits) / 8;
			bl[nbl].blk = (uint32_t)blk;
			bl[nbl++].mask = (uint32_t)(bits >> (blk % 8 * 8)) &
			    0xff;
		}
	bound = xmalloc((b->nblk * 8 + 1) * sizeof(*bound));
	bmax = xmalloc((nbl + 1) * sizeof(*bmax));
	dot8_bounds(&db, bl, nbl, &dq, bound, bmax);
	free(q16);
	/* a block whose largest bound stays below the seeds' least is skipped */
	seed = xmalloc((k + 1) * sizeof(*seed));
	for (i = 0; i < nbl; i++) {
		if (ns == k && !(bmax[i] > seed[0].bnd) && bmax[i] == bmax[i])
			continue;
		blk = bl[i].blk;
		for (mb = bl[i].mask; mb != 0; mb &= mb - 1) {
			p = blk * 8 + (size_t)__builtin_ctz(mb);
			if (ns < k || bound[p] > seed[0].bnd)
				seed_offer(seed, &ns, k, bound[p],
				    (uint32_t)p);
		}
	}
	for (j = 0; j < ns; j++) {
		p = seed[j].pos;
		sel[p / 64] &= ~((uint64_t)1 << (p % 64));
		exact(c, b, b->perm[p], m, u, cvec, &x);
		ne++;
		offer(b, out, &n, k, &x);
	}
	if (n == k)
		threshold(out, m->bias, &thr, &thrf);
	for (i = 0; n == k && i < nbl; i++) {
		if (bmax[i] < thrf)	/* NaN passes */
			continue;
		blk = bl[i].blk;
		mb = (unsigned)(sel[blk / 8] >> (blk % 8 * 8)) & 0xff;
		for (; mb != 0; mb &= mb - 1) {
			p = blk * 8 + (size_t)__builtin_ctz(mb);
			if (bound[p] < thrf)	/* T may have risen */
				continue;
			zub = (double)bound[p] - b->lnv[p] + m->bias;
			if (b->lnv[p] - log1p(exp(-zub)) < thr)
				continue;
			exact(c, b, b->perm[p], m, u, cvec, &x);
			ne++;
			if (offer(b, out, &n, k, &x))
				threshold(out, m->bias, &thr, &thrf);
		}
	}
	free(seed);
	free(bl);
	free(bmax);
	free(bound);
done:
	heap_sort(b, out, n);
	*nout = n;
	if (nexact != NULL)
		*nexact = ne;
}

void
catalog_topk(const struct catalog *c, const struct catalog_buyer *b,
    const uint64_t *mask, const struct model2t *m, const double *u,
    const double *cvec, size_t k, struct catalog_hit *out, size_t *nout,
    size_t *nexact)
{
	uint64_t *sel = xcalloc(b->nwords + 1, sizeof(*sel)), bits;
	size_t w;

	for (w = 0; w < b->nwords; w++)
		for (bits = mask[w]; bits != 0; bits &= bits - 1)
			setbit(sel, b->rank[w * 64 + (size_t)__builtin_ctzll(
			    bits)]);
	scan(c, b, sel, m, u, cvec, k, out, nout, nexact);
	free(sel);
}

void
catalog_retrieve(const struct catalog *c, const struct catalog_buyer *b,
    const char *const val[CAT_NFIELDS], const struct model2t *m,
    const double *u, const double *cvec, size_t k, uint64_t *sel,
    struct catalog_hit *out, size_t *nout, size_t *nfiltered,
    size_t *nexact)
{
	size_t w, nf = 0;

	filter_pos(b, val, sel);
	for (w = 0; w < b->nwords; w++)
		nf += (size_t)__builtin_popcountll(sel[w]);
	if (nfiltered != NULL)
		*nfiltered = nf;
	scan(c, b, sel, m, u, cvec, k, out, nout, nexact);
}
