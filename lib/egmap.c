#include "egmap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jfile.h"
#include "jw.h"
#include "xalloc.h"

#define EGMAP_MAX_BITS	52	/* integers exact in a double */

static long
source(struct egmap *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nsrc; i++)
		if (strcmp(m->names[i], name) == 0)
			return (long)i;
	m->names = xreallocarray(m->names, m->nsrc + 1, sizeof(*m->names));
	m->names[m->nsrc] = xstrdup(name);
	return (long)m->nsrc++;
}

long
egmap_source(const struct egmap *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nsrc; i++)
		if (strcmp(m->names[i], name) == 0)
			return (long)i;
	return -1;
}

/* The "source" of o (a feature or a histogram item) into *src. */
static int
get_source(struct egmap *m, const json_t *o, const char *where, int *src,
    char *err, size_t errlen)
{
	const json_t *s = json_object_get(o, "source");
	char why[160];
	const char *nm;
	struct pasfeat one;

	if (!json_is_string(s)) {
		diag_errf(err, errlen, "%s: no string \"source\"", where);
		return -1;
	}
	nm = json_string_value(s);
	if (pasfeat_init(&one, &nm, 1, why, sizeof(why)) != 0) {
		diag_errf(err, errlen, "%s: source %s", where,
		    strncmp(why, "feature 0 ", 10) == 0 ? why + 10 : why);
		return -1;
	}
	pasfeat_free(&one);
	*src = (int)source(m, nm);
	return 0;
}

/* An integer leaf: its range by type and size, and min/max. */
static int
int_leaf(struct egmap *m, const json_t *o, int is_signed, size_t size,
    const char *where, struct egmap_leaf *l, char *err, size_t errlen)
{
	const json_t *a = json_object_get(o, "min"), *b = json_object_get(o,
	    "max");

	if (size > EGMAP_MAX_BITS) {
		diag_errf(err, errlen, "%s: a mapped integer has at most %d "
		    "bits", where, EGMAP_MAX_BITS);
		return -1;
	}
	if (get_source(m, o, where, &l->src, err, errlen) != 0)
		return -1;
	l->lo = is_signed ? -ldexp(1, (int)size - 1) : 0;
	l->hi = is_signed ? ldexp(1, (int)size - 1) - 1 : ldexp(1, (int)size) -
	    1;
	if (a == NULL && b == NULL)
		return 0;
	if (!json_is_number(a) || !json_is_number(b) ||
	    !(json_number_value(b) > json_number_value(a))) {
		diag_errf(err, errlen, "%s: \"min\" and \"max\" must be numbers "
		    "with min < max", where);
		return -1;
	}
	l->scaled = 1;
	l->a = json_number_value(a);
	l->b = json_number_value(b);
	return 0;
}

static int
parse_feature(struct egmap *m, const json_t *fo, size_t i, char *err,
    size_t errlen)
{
	const struct egress_feature *f = &m->schema->features[i];
	struct egmap_feature *mf = &m->f[i];
	struct egmap_leaf *l = &m->leaf[f->first_leaf];
	const json_t *srcs, *edges, *e, *sub;
	char where[96];
	size_t j;

	snprintf(where, sizeof(where), "feature %zu", i);
	switch (f->type) {
	case EGRESS_BOOLEAN:
		l->is_bool = 1;
		return get_source(m, fo, where, &l->src, err, errlen);
	case EGRESS_UNSIGNED:
	case EGRESS_SIGNED:
		return int_leaf(m, fo, f->type == EGRESS_SIGNED, f->size,
		    where, l, err, errlen);
	case EGRESS_BUCKET:
		for (j = 0; j < f->nleaves; j++) {
			l[j].is_bool = 1;
			l[j].src = -1;
		}
		if ((srcs = json_object_get(fo, "sources")) != NULL) {
			if (!json_is_array(srcs) ||
			    json_array_size(srcs) != f->nleaves) {
				diag_errf(err, errlen, "%s: \"sources\" is not "
				    "an array of %zu names", where, f->nleaves);
				return -1;
			}
			for (j = 0; j < f->nleaves; j++) {
				json_t *tmp = json_object();

				json_object_set(tmp, "source",
				    json_array_get(srcs, j));
				snprintf(where, sizeof(where), "feature %zu: "
				    "bucket item %zu", i, j);
				if (get_source(m, tmp, where, &l[j].src, err,
				    errlen) != 0) {
					json_decref(tmp);
					return -1;
				}
				json_decref(tmp);
			}
			return 0;
		}
		mf->onehot = 1;
		if (get_source(m, fo, where, &mf->src, err, errlen) != 0)
			return -1;
		mf->nedges = f->nleaves - 1;
		mf->edges = xcalloc(mf->nedges + 1, sizeof(double));
		edges = json_object_get(fo, "edges");
		if (edges == NULL) {
			for (j = 0; j < mf->nedges; j++)
				mf->edges[j] = (double)(j + 1);
			return 0;
		}
		if (!json_is_array(edges) || json_array_size(edges) !=
		    mf->nedges) {
			diag_errf(err, errlen, "%s: \"edges\" is not an array "
			    "of %zu numbers", where, mf->nedges);
			return -1;
		}
		json_array_foreach(edges, j, e) {
			if (!json_is_number(e) || !isfinite(json_number_value(e))
			    || (j > 0 && !(json_number_value(e) >
			    mf->edges[j - 1]))) {
				diag_errf(err, errlen, "%s: \"edges\" must be "
				    "increasing finite numbers", where);
				return -1;
			}
			mf->edges[j] = json_number_value(e);
		}
		return 0;
	case EGRESS_HISTOGRAM:
		for (j = 0; j < f->nsub; j++) {
			sub = json_array_get(json_object_get(fo, "value"), j);
			snprintf(where, sizeof(where), "feature %zu: histogram "
			    "item %zu", i, j);
			if (int_leaf(m, sub, f->sub[j].type == EGRESS_SIGNED,
			    f->sub[j].size, where, &l[j], err, errlen) != 0)
				return -1;
		}
		return 0;
	}
	return -1;
}

int
egmap_parse(struct egmap *m, const json_t *j, char *err, size_t errlen)
{
	char why[200];
	size_t i;

	memset(m, 0, sizeof(*m));
	if (egress_schema_parse(j, &m->schema, err, errlen) != 0)
		return -1;
	m->f = xcalloc(m->schema->nfeatures + 1, sizeof(*m->f));
	m->leaf = xcalloc(m->schema->nleaves + 1, sizeof(*m->leaf));
	for (i = 0; i < m->schema->nfeatures; i++)
		if (parse_feature(m, json_array_get(json_object_get(j,
		    "features"), i), i, err, errlen) != 0)
			goto fail;
	if (pasfeat_init(&m->feat, (const char *const *)m->names, m->nsrc,
	    why, sizeof(why)) != 0) {
		diag_errf(err, errlen, "%s", why);
		goto fail;
	}
	return 0;
fail:
	egmap_free(m);
	return -1;
}

int
egmap_load(struct egmap *m, const char *path, char *err, size_t errlen)
{
	json_t *j;
	char why[256];
	int rc;

	memset(m, 0, sizeof(*m));
	if ((j = jfile_load(path, NULL, err, errlen)) == NULL)
		return -1;
	rc = egmap_parse(m, j, why, sizeof(why));
	json_decref(j);
	if (rc != 0)
		diag_errf(err, errlen, "%s: %s", path, why);
	return rc;
}

void
egmap_free(struct egmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	if (m->schema != NULL && m->f != NULL)
		for (i = 0; i < m->schema->nfeatures; i++)
			free(m->f[i].edges);
	for (i = 0; i < m->nsrc; i++)
		free(m->names[i]);
	free(m->names);
	free(m->f);
	free(m->leaf);
	pasfeat_free(&m->feat);
	egress_schema_free(m->schema);
	memset(m, 0, sizeof(*m));
}

static double
xval(const double *xs, int src)
{
	double x = xs[src];

	return isnan(x) ? 0 : x;
}

/* The integer of an integer leaf, in [lo, hi]. */
static double
int_value(const struct egmap_leaf *l, const double *xs)
{
	double x = xval(xs, l->src), q;

	if (l->scaled)
		q = l->lo + round((x - l->a) / (l->b - l->a) * (l->hi - l->lo));
	else
		q = round(x);
	if (!(q >= l->lo))
		q = l->lo;
	if (q > l->hi)
		q = l->hi;
	return q;
}

static size_t
onehot(const struct egmap_feature *mf, const double *xs)
{
	double x = xval(xs, mf->src);
	size_t j = 0;

	while (j < mf->nedges && mf->edges[j] <= x)
		j++;
	return j;
}

/* Leaf k's value as an integer (booleans 0/1). */
static double
leaf_value(const struct egmap *m, size_t k, const double *xs)
{
	const struct egmap_leaf *l = &m->leaf[k];
	const struct egress_leaf *el = &m->schema->leaves[k];
	const struct egmap_feature *mf = &m->f[el->feature];

	if (l->is_bool) {
		if (l->src < 0)
			return onehot(mf, xs) == k -
			    m->schema->features[el->feature].first_leaf;
		return xval(xs, l->src) > 0;
	}
	return int_value(l, xs);
}

void
egmap_values(const struct egmap *m, const double *xs, struct egress_values *v)
{
	const struct egress_leaf *el;
	double q;
	size_t k;
	int64_t i;

	for (k = 0; k < m->schema->nleaves; k++) {
		el = &m->schema->leaves[k];
		q = leaf_value(m, k, xs);
		if (el->is_signed) {
			i = (int64_t)q;
			v->raw[k] = (uint64_t)i & (el->width >= 64 ? UINT64_MAX :
			    (((uint64_t)1 << el->width) - 1));
		} else
			v->raw[k] = (uint64_t)q;
	}
}

static void
int_item(struct buf *b, const char *type, double q)
{
	buf_adds(b, "{\"name\":\"");
	buf_adds(b, type);
	buf_adds(b, "\",\"value\":");
	jw_int(b, (long long)q);
	buf_addc(b, '}');
}

void
egmap_payload(const struct egmap *m, const double *xs, struct buf *b)
{
	const struct egress_feature *f;
	size_t i, j, k;

	buf_adds(b, "{\"features\":[");
	for (i = 0; i < m->schema->nfeatures; i++) {
		f = &m->schema->features[i];
		k = f->first_leaf;
		if (i > 0)
			buf_addc(b, ',');
		switch (f->type) {
		case EGRESS_BOOLEAN:
			buf_adds(b, "{\"name\":\"boolean-feature\",\"value\":");
			buf_adds(b, leaf_value(m, k, xs) != 0 ? "true" :
			    "false");
			buf_addc(b, '}');
			break;
		case EGRESS_UNSIGNED:
		case EGRESS_SIGNED:
			int_item(b, egress_type_name(f->type),
			    leaf_value(m, k, xs));
			break;
		case EGRESS_BUCKET:
			buf_adds(b, "{\"name\":\"bucket-feature\",\"value\":[");
			for (j = 0; j < f->nleaves; j++) {
				if (j > 0)
					buf_addc(b, ',');
				buf_adds(b, leaf_value(m, k + j, xs) != 0 ?
				    "{\"value\":true}" : "{\"value\":false}");
			}
			buf_adds(b, "]}");
			break;
		case EGRESS_HISTOGRAM:
			buf_adds(b, "{\"name\":\"histogram-feature\","
			    "\"value\":[");
			for (j = 0; j < f->nsub; j++) {
				if (j > 0)
					buf_addc(b, ',');
				int_item(b, egress_type_name(f->sub[j].type),
				    leaf_value(m, k + j, xs));
			}
			buf_adds(b, "]}");
			break;
		}
	}
	buf_adds(b, "]}");
}
