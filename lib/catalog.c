#include "catalog.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
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

void
catalog_finish(struct catalog *c)
{
	struct catalog_buyer *b;
	struct catalog_ad *a;
	size_t i, j, k, nb, dp = (size_t)c->dimp, d = (size_t)c->dim;
	int f;
	float s;

	for (nb = 0; nb < c->names.count; nb++) {
		b = &c->b[nb];
		b->nwords = (b->n + 63) / 64;
		b->embf = xcalloc(b->n * dp + 1, sizeof(*b->embf));
		b->l1 = xcalloc(b->n + 1, sizeof(*b->l1));
		b->lnv = xcalloc(b->n + 1, sizeof(*b->lnv));
		b->live = xcalloc(b->nwords + 1, sizeof(*b->live));
		for (f = 0; f < CAT_NFIELDS; f++) {
			b->nolist[f] = xcalloc(b->nwords + 1, sizeof(uint64_t));
			b->bits[f] = xcalloc(b->vals[f].count + 1,
			    sizeof(*b->bits[f]));
			for (k = 0; k < b->vals[f].count; k++)
				b->bits[f][k] = xcalloc(b->nwords + 1,
				    sizeof(uint64_t));
		}
		for (i = 0; i < b->n; i++) {
			a = &b->ad[i];
			s = 0;
			for (j = 0; j < d; j++) {
				b->embf[i * dp + j] = (float)b->emb[i * d + j];
				s += fabsf(b->embf[i * dp + j]);
			}
			b->l1[i] = s;
			b->lnv[i] = a->value > 0 ? log(1000.0 * a->value) :
			    -INFINITY;
			if (a->remaining > 0)
				setbit(b->live, i);
			for (f = 0; f < CAT_NFIELDS; f++) {
				if (a->ntarget[f] < 0)
					setbit(b->nolist[f], i);
				for (k = 0; k < (size_t)(a->ntarget[f] < 0 ?
				    0 : a->ntarget[f]); k++)
					setbit(b->bits[f][a->target[f][k]], i);
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
		free(b->embf);
		free(b->l1);
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

void
catalog_filter(const struct catalog_buyer *b,
    const char *const val[CAT_NFIELDS], uint64_t *out)
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

/*
 * q . a over dp floats (a multiple of 8), in 8 lanes: a GNU vector type,
 * so the compiler emits SIMD instructions; catalog_topk, where it is
 * inlined, has a clone for AVX2 chosen at load time where the CPU has it.
 */
typedef float v8sf __attribute__((vector_size(32)));

static inline float
dotf(const float *q, const float *a, size_t dp)
{
	v8sf acc = { 0, 0, 0, 0, 0, 0, 0, 0 }, x, y;
	size_t j;

	for (j = 0; j < dp; j += 8) {
		memcpy(&x, q + j, sizeof(x));
		memcpy(&y, a + j, sizeof(y));
		acc += x * y;
	}
	return ((acc[0] + acc[4]) + (acc[1] + acc[5])) +
	    ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

__attribute__((target_clones("avx2", "default")))
void
catalog_topk(const struct catalog *c, const struct catalog_buyer *b,
    const uint64_t *mask, const struct model2t *m, const double *u,
    const double *cvec, size_t k, struct catalog_hit *out, size_t *nout,
    size_t *nexact)
{
	float qf[MODEL2T_MAX_DIM + 8];
	struct catalog_hit x;
	size_t i, w, j, n = 0, ne = 0, dp = (size_t)c->dimp;
	double q, qmax = 0, lnT = -INFINITY, coef, bound;
	uint64_t bits;

	for (j = 0; j < dp; j++) {
		q = j < (size_t)c->dim ? u[j] + (cvec != NULL ? cvec[j] : 0) :
		    0;
		qf[j] = (float)q;
		if (fabs(q) > qmax)
			qmax = fabs(q);
	}
	/*
	 * score = 1000 v sigmoid(z) < 1000 v e^z, so ln score < z + ln(1000
	 * v).  The float z differs from the double one by at most about
	 * (dp + 2) 2^-24 sum |q_j a_j| <= (dp + 2) 2^-24 qmax l1(a); the
	 * margin doubles that and adds 1e-9 for the logarithms.  An ad whose
	 * bound stays below ln T (T: the k-th best score so far) cannot
	 * enter and is not scored exactly.
	 */
	coef = 2.0 * ((double)dp + 8) * FLT_EPSILON * (qmax > 0 ? qmax : 0);
	for (w = 0; k > 0 && w < b->nwords; w++) {
		bits = mask[w];
		while (bits != 0) {
			i = w * 64 + (size_t)__builtin_ctzll(bits);
			bits &= bits - 1;
			if (n == k) {
				bound = (double)dotf(qf, &b->embf[i * dp], dp) +
				    m->bias + b->lnv[i] + coef * b->l1[i] +
				    1e-9 * (1 + fabs(lnT));
				if (bound < lnT)
					continue;
			}
			exact(c, b, (uint32_t)i, m, u, cvec, &x);
			ne++;
			if (offer(b, out, &n, k, &x) && n == k)
				lnT = out[0].score > 0 ? log(out[0].score) :
				    -INFINITY;
		}
	}
	heap_sort(b, out, n);
	*nout = n;
	if (nexact != NULL)
		*nexact = ne;
}
