#include "model2t.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "jw.h"
#include "xalloc.h"
#include "diag.h"
#include "jfile.h"

static void
zero(struct model2t *m)
{
	memset(m, 0, sizeof(*m));
	m->scale = 1;
}

int
model2t_init(struct model2t *m, int dim, const char *const *names, size_t n,
    char *err, size_t errlen)
{
	size_t i;

	zero(m);
	if (dim < 1 || dim > MODEL2T_MAX_DIM) {
		diag_errf(err, errlen, "dim %d is not in 1..%d", dim,
		    MODEL2T_MAX_DIM);
		return -1;
	}
	if (pasfeat_init(&m->feat, names, n, err, errlen) != 0)
		return -1;
	m->dim = dim;
	m->nfeat = n;
	m->feature = xcalloc(n > 0 ? n : 1, sizeof(char *));
	for (i = 0; i < n; i++)
		m->feature[i] = xstrdup(names[i]);
	m->user = xcalloc((size_t)dim * (n > 0 ? n : 1), sizeof(double));
	return 0;
}

static struct model2t_field *
field_get(const struct model2t *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nfield; i++)
		if (strcmp(m->field[i].name, name) == 0)
			return &m->field[i];
	return NULL;
}

void
model2t_set_field(struct model2t *m, const char *name, const char *val,
    const double *vec)
{
	struct model2t_field *f;
	size_t i, d = (size_t)m->dim;

	if ((f = field_get(m, name)) == NULL) {
		m->field = xreallocarray(m->field, m->nfield + 1,
		    sizeof(*m->field));
		f = &m->field[m->nfield++];
		memset(f, 0, sizeof(*f));
		f->name = xstrdup(name);
	}
	for (i = 0; i < f->n; i++)
		if (strcmp(f->val[i], val) == 0) {
			memcpy(f->vec + i * d, vec, d * sizeof(double));
			return;
		}
	f->val = xreallocarray(f->val, f->n + 1, sizeof(char *));
	f->vec = xreallocarray(f->vec, (f->n + 1) * d, sizeof(double));
	f->val[f->n] = xstrdup(val);
	memcpy(f->vec + f->n * d, vec, d * sizeof(double));
	f->n++;
}

/* Reads an array of n finite numbers into out.  0 or -1. */
static int
numbers(const json_t *a, size_t n, double *out)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(a) || json_array_size(a) != n)
		return -1;
	for (i = 0; i < n; i++) {
		v = json_array_get(a, i);
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return -1;
		out[i] = json_number_value(v);
	}
	return 0;
}

static int
load_context(struct model2t *m, const json_t *ctx, char *err, size_t errlen)
{
	const json_t *v, *tab, *vec;
	const char *fname, *val;
	double *tmp;

	if (!json_is_object(ctx)) {
		diag_errf(err, errlen, "\"context\" is not an object");
		return -1;
	}
	if ((v = json_object_get(ctx, "embedding")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_string(v)) {
			diag_errf(err, errlen, "context \"embedding\" is not a "
			    "string");
			return -1;
		}
		m->embedding = xstrdup(json_string_value(v));
	}
	if ((v = json_object_get(ctx, "scale")) != NULL) {
		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			diag_errf(err, errlen, "context \"scale\" is not a "
			    "number");
			return -1;
		}
		m->scale = json_number_value(v);
	}
	if ((v = json_object_get(ctx, "fields")) == NULL)
		return 0;
	if (!json_is_object(v)) {
		diag_errf(err, errlen, "context \"fields\" is not an object");
		return -1;
	}
	tmp = xmalloc((size_t)m->dim * sizeof(double));
	json_object_foreach((json_t *)v, fname, tab) {
		if (!json_is_object(tab)) {
			diag_errf(err, errlen, "context field \"%.40s\" is not an "
			    "object", fname);
			free(tmp);
			return -1;
		}
		json_object_foreach((json_t *)tab, val, vec) {
			if (numbers(vec, (size_t)m->dim, tmp) != 0) {
				diag_errf(err, errlen, "context field \"%.40s\" "
				    "value \"%.40s\": not an array of %d "
				    "numbers", fname, val, m->dim);
				free(tmp);
				return -1;
			}
			model2t_set_field(m, fname, val, tmp);
		}
	}
	free(tmp);
	return 0;
}

int
model2t_from_json(struct model2t *m, const json_t *j, char *err,
    size_t errlen)
{
	const json_t *v, *feats, *user, *row;
	const char **names = NULL;
	json_int_t dim;
	size_t i, n;

	zero(m);
	if (!json_is_object(j)) {
		diag_errf(err, errlen, "model is not a JSON object");
		return -1;
	}
	v = json_object_get(j, "type");
	if (!json_is_string(v) || strcmp(json_string_value(v),
	    "two_tower") != 0) {
		diag_errf(err, errlen, "\"type\" is not \"two_tower\"");
		return -1;
	}
	v = json_object_get(j, "dim");
	if (!json_is_integer(v) || (dim = json_integer_value(v)) < 1 ||
	    dim > MODEL2T_MAX_DIM) {
		diag_errf(err, errlen, "\"dim\" is not an integer in 1..%d",
		    MODEL2T_MAX_DIM);
		return -1;
	}
	feats = json_object_get(j, "features");
	if (!json_is_array(feats)) {
		diag_errf(err, errlen, "\"features\" is not an array");
		return -1;
	}
	n = json_array_size(feats);
	names = xcalloc(n > 0 ? n : 1, sizeof(*names));
	for (i = 0; i < n; i++)
		if ((names[i] = json_string_value(json_array_get(feats, i))) ==
		    NULL) {
			diag_errf(err, errlen, "feature %zu is not a string", i);
			free(names);
			return -1;
		}
	if (model2t_init(m, (int)dim, names, n, err, errlen) != 0) {
		free(names);
		return -1;
	}
	free(names);
	user = json_object_get(j, "user");
	if (!json_is_array(user) || json_array_size(user) != (size_t)dim) {
		diag_errf(err, errlen, "\"user\" is not an array of %d rows",
		    (int)dim);
		goto fail;
	}
	for (i = 0; i < (size_t)dim; i++) {
		row = json_array_get(user, i);
		if (numbers(row, n, m->user + i * n) != 0) {
			diag_errf(err, errlen, "\"user\" row %zu is not an array "
			    "of %zu numbers", i, n);
			goto fail;
		}
	}
	v = json_object_get(j, "bias");
	if (!json_is_number(v) || !isfinite(json_number_value(v))) {
		diag_errf(err, errlen, "\"bias\" is not a number");
		goto fail;
	}
	m->bias = json_number_value(v);
	if ((v = json_object_get(j, "context")) != NULL && !json_is_null(v) &&
	    load_context(m, v, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	model2t_free(m);
	return -1;
}

int
model2t_load(struct model2t *m, const char *path, char *err, size_t errlen)
{
	json_t *j;
	char why[200];
	int rc;

	zero(m);
	if ((j = jfile_load(path, &rc, err, errlen)) == NULL)
		return rc;
	rc = model2t_from_json(m, j, why, sizeof(why));
	if (rc != 0)
		diag_errf(err, errlen, "%s: %s", path, why);
	json_decref(j);
	return rc != 0 ? EX_DATAERR : 0;
}

void
model2t_free(struct model2t *m)
{
	size_t i, k;

	if (m == NULL)
		return;
	for (i = 0; i < m->nfeat; i++)
		free(m->feature[i]);
	free(m->feature);
	pasfeat_free(&m->feat);
	free(m->user);
	free(m->embedding);
	for (i = 0; i < m->nfield; i++) {
		for (k = 0; k < m->field[i].n; k++)
			free(m->field[i].val[k]);
		free(m->field[i].val);
		free(m->field[i].vec);
		free(m->field[i].name);
	}
	free(m->field);
	zero(m);
}

static void
reals(struct buf *b, const double *v, size_t n)
{
	size_t i;

	buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		jw_real(b, v[i]);
	}
	buf_addc(b, ']');
}

static void
str(struct buf *b, const char *s)
{
	jw_string(b, s, strlen(s));
}

void
model2t_write(struct buf *b, const struct model2t *m)
{
	size_t i, k, d = (size_t)m->dim;

	buf_printf(b, "{\"type\":\"two_tower\",\"dim\":%d,\"features\":[",
	    m->dim);
	for (i = 0; i < m->nfeat; i++) {
		if (i > 0)
			buf_addc(b, ',');
		str(b, m->feature[i]);
	}
	buf_adds(b, "],\"user\":[");
	for (i = 0; i < d; i++) {
		if (i > 0)
			buf_addc(b, ',');
		reals(b, m->user + i * m->nfeat, m->nfeat);
	}
	buf_adds(b, "],\"context\":{");
	if (m->embedding != NULL) {
		buf_adds(b, "\"embedding\":");
		str(b, m->embedding);
		buf_addc(b, ',');
	}
	buf_adds(b, "\"scale\":");
	jw_real(b, m->scale);
	if (m->nfield > 0) {
		buf_adds(b, ",\"fields\":{");
		for (i = 0; i < m->nfield; i++) {
			if (i > 0)
				buf_addc(b, ',');
			str(b, m->field[i].name);
			buf_adds(b, ":{");
			for (k = 0; k < m->field[i].n; k++) {
				if (k > 0)
					buf_addc(b, ',');
				str(b, m->field[i].val[k]);
				buf_addc(b, ':');
				reals(b, m->field[i].vec + k * d, d);
			}
			buf_addc(b, '}');
		}
		buf_addc(b, '}');
	}
	buf_adds(b, "},\"bias\":");
	jw_real(b, m->bias);
	buf_addc(b, '}');
}

void
model2t_user(const struct model2t *m, const double *x, double *u)
{
	size_t i, k;
	const double *row;
	double s;

	for (i = 0; i < (size_t)m->dim; i++) {
		row = m->user + i * m->nfeat;
		s = 0;
		for (k = 0; k < m->nfeat; k++)
			s += row[k] * x[k];
		u[i] = s;
	}
}

int
model2t_context(const struct model2t *m, const json_t *rec,
    const char *buyer, double *c, char *err, size_t errlen)
{
	const json_t *ctx, *v;
	const struct model2t_field *f;
	const char *s;
	size_t i, k, d = (size_t)m->dim;

	for (i = 0; i < d; i++)
		c[i] = 0;
	if (m->embedding != NULL && buyer != NULL &&
	    (v = json_object_get(json_object_get(rec, "buyer_signals"),
	    buyer)) != NULL &&
	    (v = json_object_get(v, m->embedding)) != NULL) {
		if (numbers(v, d, c) != 0) {
			diag_errf(err, errlen, "buyer_signals.%.60s.%.40s is not "
			    "an array of %d numbers", buyer, m->embedding,
			    m->dim);
			for (i = 0; i < d; i++)
				c[i] = 0;
			return -1;
		}
		for (i = 0; i < d; i++)
			c[i] *= m->scale;
	}
	ctx = json_object_get(rec, "ctx");
	for (i = 0; i < m->nfield; i++) {
		f = &m->field[i];
		if ((s = json_string_value(json_object_get(ctx, f->name))) ==
		    NULL)
			continue;
		for (k = 0; k < f->n; k++)
			if (strcmp(f->val[k], s) == 0) {
				for (size_t j = 0; j < d; j++)
					c[j] += f->vec[k * d + j];
				break;
			}
	}
	return 0;
}

int
model2t_ad(const struct model2t *m, const json_t *ad, double *a, char *err,
    size_t errlen)
{
	if (numbers(json_object_get(ad, "embedding"), (size_t)m->dim, a) !=
	    0) {
		diag_errf(err, errlen, "\"embedding\" is not an array of %d "
		    "numbers", m->dim);
		return -1;
	}
	return 0;
}

double
model2t_logit(const struct model2t *m, const double *u, const double *c,
    const double *a)
{
	double s = m->bias;
	size_t i;

	for (i = 0; i < (size_t)m->dim; i++)
		s += (u[i] + (c != NULL ? c[i] : 0)) * a[i];
	return s;
}

double
model2t_sigmoid(double z)
{
	double e;

	if (z >= 0)
		return 1 / (1 + exp(-z));
	e = exp(z);
	return e / (1 + e);
}

double
model2t_p(const struct model2t *m, const double *u, const double *c,
    const double *a)
{
	return model2t_sigmoid(model2t_logit(m, u, c, a));
}
