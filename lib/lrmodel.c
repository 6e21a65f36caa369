#include "lrmodel.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfile.h"
#include "jw.h"
#include "xalloc.h"

/* Hash sizes above this are refused: the weights are held densely. */
#define LRM_MAX_HASH	(UINT32_C(1) << 28)

static int	fail(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *const kind_names[] = {
	[LRM_CATEGORICAL] = "categorical",
	[LRM_NUMERIC] = "numeric",
	[LRM_BUCKET] = "bucket",
};

const char *
lrm_kind_name(enum lrm_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "unknown";
}

int
lrm_json_text(const json_t *v, struct buf *b)
{
	b->len = 0;
	buf_add(b, "", 0);
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v))
		buf_add(b, json_string_value(v), json_string_length(v));
	else if (json_is_true(v))
		buf_adds(b, "true");
	else if (json_is_false(v))
		buf_adds(b, "false");
	else
		jw_value(b, v);
	return 1;
}

int
lrm_parse_number(const char *s, size_t len, double *x)
{
	char tmp[64], *end;
	size_t i;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    strchr("+-.eE", s[i]) != NULL) || s[i] == '\0')
			return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	*x = strtod(tmp, &end);
	if (end != tmp + len || errno == ERANGE || !isfinite(*x))
		return -1;
	return 0;
}

size_t
lrm_bucket(const double *edges, size_t nedges, double x)
{
	size_t lo = 0, hi = nedges, mid;

	while (lo < hi) {		/* first edge > x */
		mid = lo + (hi - lo) / 2;
		if (edges[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
lrm_feature(const struct lrm_col *c, const char *s, size_t len,
    struct buf *name, double *x, char *err, size_t errlen)
{
	double v;

	name->len = 0;
	buf_adds(name, c->name);
	if (c->kind == LRM_CATEGORICAL || (c->kind == LRM_BUCKET &&
	    s == NULL)) {
		buf_addc(name, '=');
		if (s != NULL)
			buf_add(name, s, len);
		*x = 1;
		return 1;
	}
	if (s == NULL)
		return 0;
	if (lrm_parse_number(s, len, &v) != 0)
		return fail(err, errlen, "column \"%s\": \"%.*s\" is not a "
		    "number", c->name, len > 40 ? 40 : (int)len, s);
	if (c->kind == LRM_NUMERIC) {
		*x = v;
		return 1;
	}
	buf_printf(name, "@%zu", lrm_bucket(c->edges, c->nedges, v));
	*x = 1;
	return 1;
}

/* ------------------------------------------------------------ reading */

void
lrm_free(struct lrm *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->ncols; i++) {
		free(m->cols[i].name);
		free(m->cols[i].edges);
	}
	free(m->cols);
	free(m->label);
	lr_fmap_free(m->names);
	free(m->w);
	free(m);
}

static int
parse_cols(const json_t *ca, struct lrm *m, char *err, size_t errlen)
{
	const json_t *co, *nm, *kd, *ed, *e;
	struct lrm_col *c;
	size_t i, j;

	if (!json_is_array(ca))
		return fail(err, errlen, "columns is not an array");
	m->ncols = json_array_size(ca);
	m->cols = xcalloc(m->ncols ? m->ncols : 1, sizeof(*m->cols));
	for (i = 0; i < m->ncols; i++) {
		c = &m->cols[i];
		co = json_array_get(ca, i);
		nm = json_object_get(co, "name");
		kd = json_object_get(co, "kind");
		if (!json_is_string(nm) || !json_is_string(kd))
			return fail(err, errlen, "column %zu: needs a name and "
			    "a kind", i);
		c->name = xstrdup(json_string_value(nm));
		for (j = 0; j < 3; j++)
			if (strcmp(json_string_value(kd), kind_names[j]) == 0)
				break;
		if (j == 3)
			return fail(err, errlen, "column \"%s\": unknown kind "
			    "\"%.40s\"", c->name, json_string_value(kd));
		c->kind = (enum lrm_kind)j;
		if (c->kind != LRM_BUCKET)
			continue;
		ed = json_object_get(co, "edges");
		if (!json_is_array(ed))
			return fail(err, errlen, "column \"%s\": a bucket "
			    "column needs edges", c->name);
		c->nedges = json_array_size(ed);
		c->edges = xcalloc(c->nedges ? c->nedges : 1,
		    sizeof(*c->edges));
		for (j = 0; j < c->nedges; j++) {
			e = json_array_get(ed, j);
			if (!json_is_number(e) ||
			    (j > 0 && json_number_value(e) <= c->edges[j - 1]))
				return fail(err, errlen, "column \"%s\": edges "
				    "must be ascending numbers", c->name);
			c->edges[j] = json_number_value(e);
		}
	}
	return 0;
}

static int
parse_weights(const json_t *j, struct lrm *m, char *err, size_t errlen)
{
	const json_t *wo, *v;
	const char *key;
	size_t cap = 0;
	uint32_t idx;
	char *end;
	unsigned long long k;

	wo = json_object_get(j, m->hash_size ? "hashed_weights" : "weights");
	if (!json_is_object(wo))
		return fail(err, errlen, "%s is not an object", m->hash_size ?
		    "hashed_weights" : "weights");
	if (m->hash_size) {
		m->w = xcalloc(m->hash_size, sizeof(*m->w));
		json_object_foreach((json_t *)wo, key, v) {
			errno = 0;
			k = strtoull(key, &end, 10);
			if (*key < '0' || *key > '9' || *end != '\0' ||
			    k >= m->hash_size)
				return fail(err, errlen, "hashed weight \"%.40s\""
				    " is not an index below hash_size", key);
			if (!json_is_number(v))
				return fail(err, errlen, "weight of \"%.40s\" is "
				    "not a number", key);
			m->w[k] = json_number_value(v);
		}
		return 0;
	}
	m->names = lr_fmap_new(0);
	json_object_foreach((json_t *)wo, key, v) {
		if (!json_is_number(v))
			return fail(err, errlen, "weight of \"%.40s\" is not a "
			    "number", key);
		if (lr_fmap_get(m->names, key, strlen(key), 1, &idx) != 1)
			return fail(err, errlen, "too many weights");
		if (idx >= cap) {
			cap = cap ? cap * 2 : 1024;
			m->w = xreallocarray(m->w, cap, sizeof(*m->w));
		}
		m->w[idx] = json_number_value(v);
	}
	return 0;
}

int
lrm_parse(const json_t *j, struct lrm **out, char *err, size_t errlen)
{
	const json_t *t, *hs, *b, *lb;
	struct lrm *m;

	*out = NULL;
	if (!json_is_object(j))
		return fail(err, errlen, "model is not an object");
	t = json_object_get(j, "type");
	if (!json_is_string(t) || strcmp(json_string_value(t), "logistic") != 0)
		return fail(err, errlen, "not a \"logistic\" model");
	m = xcalloc(1, sizeof(*m));
	if ((lb = json_object_get(j, "label")) != NULL && json_is_string(lb))
		m->label = xstrdup(json_string_value(lb));
	hs = json_object_get(j, "hash_size");
	if (hs != NULL && (!json_is_integer(hs) || json_integer_value(hs) < 0 ||
	    json_integer_value(hs) > (json_int_t)LRM_MAX_HASH)) {
		lrm_free(m);
		return fail(err, errlen, "hash_size is not an integer in "
		    "0..2^28");
	}
	m->hash_size = hs != NULL ? (uint32_t)json_integer_value(hs) : 0;
	b = json_object_get(j, "bias");
	if (!json_is_number(b)) {
		lrm_free(m);
		return fail(err, errlen, "bias is not a number");
	}
	m->bias = json_number_value(b);
	if (parse_cols(json_object_get(j, "columns"), m, err, errlen) != 0 ||
	    parse_weights(j, m, err, errlen) != 0) {
		lrm_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

int
lrm_load(const char *path, struct lrm **out, char *err, size_t errlen)
{
	json_t *j;
	char why[200];
	int rc;

	*out = NULL;
	if ((j = jfile_load(path, NULL, err, errlen)) == NULL)
		return -1;
	rc = lrm_parse(j, out, why, sizeof(why));
	json_decref(j);
	if (rc != 0)
		return fail(err, errlen, "%s: %s", path, why);
	return 0;
}

double
lrm_weight(const struct lrm *m, const char *name, size_t len)
{
	uint32_t idx;

	if (m->hash_size)
		return m->w[lr_fnv1a(LR_FNV_INIT, name, len) % m->hash_size];
	if (lr_fmap_get(m->names, name, len, 0, &idx) != 1)
		return 0;
	return m->w[idx];
}

int
lrm_score_cells(const struct lrm *m, const char *const *cell,
    const size_t *len, double *p, char *err, size_t errlen)
{
	struct buf name = { 0 };
	double z = m->bias, x;
	size_t i;
	int rc = 0;

	for (i = 0; i < m->ncols; i++) {
		rc = lrm_feature(&m->cols[i], cell[i], len[i], &name, &x, err,
		    errlen);
		if (rc == -1)
			break;
		if (rc == 1)
			z += lrm_weight(m, name.p, name.len) * x;
		rc = 0;
	}
	buf_free(&name);
	if (rc == 0)
		*p = lr_sigmoid(z);
	return rc;
}

int
lrm_score_json(const struct lrm *m, const json_t *row, double *p, char *err,
    size_t errlen)
{
	struct buf text = { 0 }, name = { 0 };
	double z = m->bias, x;
	size_t i;
	int rc = 0, has;

	for (i = 0; i < m->ncols; i++) {
		has = lrm_json_text(json_object_get(row, m->cols[i].name),
		    &text);
		rc = lrm_feature(&m->cols[i], has ? text.p : NULL, text.len,
		    &name, &x, err, errlen);
		if (rc == -1)
			break;
		if (rc == 1)
			z += lrm_weight(m, name.p, name.len) * x;
		rc = 0;
	}
	buf_free(&text);
	buf_free(&name);
	if (rc == 0)
		*p = lr_sigmoid(z);
	return rc;
}

/* ------------------------------------------------------------ writing */

void
lrm_write(struct buf *b, const char *label, const struct lrm_col *cols,
    size_t ncols, const struct lr_fmap *fmap, const struct lr_model *lm,
    const json_t *train)
{
	uint32_t hs = 0, n = lr_fmap_size(fmap), i;
	const char *nm;
	size_t c, e;
	int first = 1;
	char tmp[16];

	if (lr_fmap_name(fmap, 0) == NULL && n > 0)
		hs = n;			/* hashing mode */
	buf_adds(b, "{\"type\":\"logistic\",\"format\":1,\"label\":");
	jw_string(b, label, strlen(label));
	buf_adds(b, ",\"columns\":[");
	for (c = 0; c < ncols; c++) {
		buf_adds(b, c ? ",{\"name\":" : "{\"name\":");
		jw_string(b, cols[c].name, strlen(cols[c].name));
		buf_printf(b, ",\"kind\":\"%s\"", kind_names[cols[c].kind]);
		if (cols[c].kind == LRM_BUCKET) {
			buf_adds(b, ",\"edges\":[");
			for (e = 0; e < cols[c].nedges; e++) {
				if (e)
					buf_addc(b, ',');
				jw_real(b, cols[c].edges[e]);
			}
			buf_addc(b, ']');
		}
		buf_addc(b, '}');
	}
	buf_printf(b, "],\"hash_size\":%lu,\"bias\":", (unsigned long)hs);
	jw_real(b, lm->bias > 0 ? lm->w[lm->nfeat] * lm->bias : 0.0);
	buf_adds(b, hs ? ",\"hashed_weights\":{" : ",\"weights\":{");
	for (i = 0; i < n && i < lm->nfeat; i++) {
		if (lm->w[i] == 0)	/* weighs what an unknown name weighs */
			continue;
		if (hs) {
			snprintf(tmp, sizeof(tmp), "%lu", (unsigned long)i);
			nm = tmp;
		} else
			nm = lr_fmap_name(fmap, i);
		if (!first)
			buf_addc(b, ',');
		first = 0;
		jw_string(b, nm, strlen(nm));
		buf_addc(b, ':');
		jw_real(b, lm->w[i]);
	}
	buf_addc(b, '}');
	if (train != NULL) {
		buf_adds(b, ",\"training\":");
		jw_value(b, train);
	}
	buf_adds(b, "}\n");
}
