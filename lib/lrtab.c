#include "lrtab.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "diag.h"
#include "rin.h"
#include "rng.h"
#include "xalloc.h"

/* Roles of an input column. */
enum { R_SKIP = -1, R_LABEL = -2, R_SPLIT = -3 };

struct reader {
	struct lrtab		*t;
	const struct lrtab_opts	*o;
	struct run		*run;
	json_t			*roles;		/* name -> role (or column) */
	int			 fixed;		/* columns settled */
	/* CSV: the header of the open operand, mapped */
	int			 opnd;		/* in->next of the mapped header */
	long			*hmap;		/* header index -> role */
	size_t			 nh;
	long			*cmap;		/* column -> header index, -1 */
	long			 hlabel, hsplit;
	/* quantile columns: column index, raw values per row */
	size_t			*qcol;
	size_t			 nq;
	double			*qv;
	size_t			 qcap;
	struct buf		 name, text;
	size_t			 cap_test, cap_col_of;
};

static int
in_list(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

char **
lrtab_split_list(char *s, size_t *n)
{
	char **v = NULL, *p, *save = NULL;
	size_t k = 0;

	for (p = strtok_r(s, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k++] = p;
	}
	*n = k;
	return v;
}

int
lrtab_parse_bucket(char *arg, struct lrtab_bucket *b)
{
	char *eq = strchr(arg, '='), *p, *end, *save = NULL;
	unsigned long n;

	memset(b, 0, sizeof(*b));
	if (eq == NULL || eq == arg || eq[1] == '\0')
		return -1;
	*eq = '\0';
	b->col = arg;
	if (strchr(eq + 1, ':') == NULL) {
		errno = 0;
		n = strtoul(eq + 1, &end, 10);
		if (*end != '\0' || errno != 0 || n < 2 || n > 100000)
			return -1;
		b->nquant = n;
		return 0;
	}
	for (p = strtok_r(eq + 1, ":", &save); p != NULL;
	    p = strtok_r(NULL, ":", &save)) {
		b->edges = xreallocarray(b->edges, b->nedges + 1,
		    sizeof(*b->edges));
		if (lrm_parse_number(p, strlen(p), &b->edges[b->nedges]) != 0 ||
		    (b->nedges > 0 && b->edges[b->nedges] <=
		    b->edges[b->nedges - 1])) {
			free(b->edges);
			b->edges = NULL;
			return -1;
		}
		b->nedges++;
	}
	return b->nedges > 0 ? 0 : -1;
}

long
lrtab_col(const struct lrtab *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

static const struct lrtab_bucket *
bucket_of(const struct lrtab_opts *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nbuckets; i++)
		if (strcmp(o->buckets[i].col, name) == 0)
			return &o->buckets[i];
	return NULL;
}

/* Adds a feature column. */
static void
add_col(struct reader *R, const char *name)
{
	struct lrtab *t = R->t;
	const struct lrtab_bucket *b = bucket_of(R->o, name);
	struct lrm_col *c;

	t->cols = xreallocarray(t->cols, t->ncols + 1, sizeof(*t->cols));
	c = &t->cols[t->ncols];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	if (in_list(R->o->numeric, R->o->nnumeric, name))
		c->kind = LRM_NUMERIC;
	else if (b != NULL) {
		c->kind = LRM_BUCKET;
		if (b->nquant == 0) {
			c->nedges = b->nedges;
			c->edges = xmemdup(b->edges, b->nedges *
			    sizeof(*b->edges));
		} else {
			R->qcol = xreallocarray(R->qcol, R->nq + 1,
			    sizeof(*R->qcol));
			R->qcol[R->nq++] = t->ncols;
		}
	}
	json_object_set_new(R->roles, name, json_integer((json_int_t)t->ncols));
	t->ncols++;
}

/* The role of a column name not seen before, once columns are settled. */
static long
role_of(struct reader *R, const char *name)
{
	json_t *v = json_object_get(R->roles, name);

	if (v != NULL)
		return (long)json_integer_value(v);
	if (strcmp(name, R->o->label) == 0)
		return R_LABEL;
	if (R->o->split_col != NULL && strcmp(name, R->o->split_col) == 0)
		return R_SPLIT;
	return R_SKIP;
}

/* Settles the columns from the first record's names. */
static void
settle(struct reader *R, const char *const *names, size_t n)
{
	const struct lrtab_opts *o = R->o;
	size_t i;

	R->fixed = 1;
	if (o->features != NULL) {
		for (i = 0; i < o->nfeatures; i++)
			add_col(R, o->features[i]);
		return;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], o->label) == 0 ||
		    (o->split_col && strcmp(names[i], o->split_col) == 0) ||
		    in_list(o->ignore, o->nignore, names[i]) ||
		    json_object_get(R->roles, names[i]) != NULL)
			continue;
		add_col(R, names[i]);
	}
	for (i = 0; i < o->nignore; i++)
		if (json_object_get(R->roles, o->ignore[i]) == NULL)
			json_object_set_new(R->roles, o->ignore[i],
			    json_integer(R_SKIP));
}

/* 1 if s[0..n) is valid UTF-8. */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	unsigned c;

	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3;
		else
			return 0;
		if (i + need >= n)
			return 0;
		for (k = 1; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += need + 1;
	}
	return 1;
}

/*
 * Adds column c's feature for a cell to the row being built.  Returns 0,
 * or -1 with a reason.
 */
static int
add_cell(struct reader *R, size_t c, const char *s, size_t len, char *err,
    size_t errlen)
{
	struct lrtab *t = R->t;
	struct lrm_col *col = &t->cols[c];
	uint32_t idx, before;
	double x;
	int rc;

	if (col->kind == LRM_BUCKET && col->edges == NULL &&
	    bucket_of(R->o, col->name)->nquant > 0) {
		size_t q, i = t->rows.nrows;

		for (q = 0; R->qcol[q] != c; q++)
			;
		if ((i + 1) * R->nq > R->qcap) {
			R->qcap = R->qcap ? R->qcap * 2 : 1024 * R->nq;
			R->qv = xreallocarray(R->qv, R->qcap, sizeof(*R->qv));
		}
		if (s == NULL)
			x = NAN;
		else if (lrm_parse_number(s, len, &x) != 0) {
			snprintf(err, errlen, "column \"%s\": \"%.*s\" is not a "
			    "number", col->name, len > 40 ? 40 : (int)len, s);
			return -1;
		}
		R->qv[i * R->nq + q] = x;
		return 0;
	}
	rc = lrm_feature(col, s, len, &R->name, &x, err, errlen);
	if (rc <= 0)
		return rc;
	before = lr_fmap_size(t->fmap);
	if (lr_fmap_get(t->fmap, R->name.p, R->name.len, 1, &idx) != 1) {
		snprintf(err, errlen, "too many features");
		return -1;
	}
	if (t->col_of != NULL || R->o->hash_size == 0) {
		if (idx == before) {	/* a new name */
			if (!utf8_ok((const unsigned char *)R->name.p,
			    R->name.len)) {
				snprintf(err, errlen, "column \"%s\": invalid "
				    "UTF-8", col->name);
				return -1;
			}
			if (idx >= R->cap_col_of) {
				R->cap_col_of = R->cap_col_of ?
				    R->cap_col_of * 2 : 1024;
				t->col_of = xreallocarray(t->col_of,
				    R->cap_col_of, sizeof(*t->col_of));
			}
			t->col_of[idx] = (uint32_t)c;
		}
	}
	lr_rows_add(&t->rows, idx, x);
	return 0;
}

static int
parse_label(const char *s, size_t len, int *y)
{
	double x;

	if (s == NULL)
		return -1;
	if (len == 4 && memcmp(s, "true", 4) == 0) {
		*y = 1;
		return 0;
	}
	if (len == 5 && memcmp(s, "false", 5) == 0) {
		*y = 0;
		return 0;
	}
	if (lrm_parse_number(s, len, &x) != 0)
		return -1;
	*y = x > 0;
	return 0;
}

/* Ends the row: label and split flags; undoes the row on error. */
static int
end_row(struct reader *R, struct rin *in, const char *ls, size_t llen,
    int is_test_col, char *err, size_t errlen)
{
	struct lrtab *t = R->t;
	size_t i = t->rows.nrows;
	struct rng g;
	int y, s;

	if (parse_label(ls, llen, &y) != 0) {
		if (ls == NULL)
			snprintf(err, errlen, "no label \"%s\"", R->o->label);
		else
			snprintf(err, errlen, "label \"%s\": \"%.*s\" is not "
			    "0/1, true/false or a number", R->o->label,
			    llen > 40 ? 40 : (int)llen, ls);
		return -1;
	}
	if ((i + 1) * (size_t)t->nsplits > R->cap_test) {
		R->cap_test = R->cap_test ? R->cap_test * 2 :
		    1024 * (size_t)t->nsplits;
		t->test = xrealloc(t->test, R->cap_test);
	}
	if (R->o->split_col != NULL || R->o->test_fraction <= 0) {
		for (s = 0; s < t->nsplits; s++)
			t->test[i * (size_t)t->nsplits + (size_t)s] =
			    (unsigned char)is_test_col;
	} else {
		rng_init(&g, R->run->has_seed ? &R->run->seed : NULL, in->raw,
		    in->rawlen);
		for (s = 0; s < t->nsplits; s++)
			t->test[i * (size_t)t->nsplits + (size_t)s] =
			    rng_double(&g) < R->o->test_fraction;
	}
	lr_rows_end(&t->rows, y);
	return 0;
}

/* Drops the entries of the row being built (after a bad cell); before
 * the first row ends there is no rowptr yet, and no entry to keep. */
static void
undo_row(struct lrtab *t)
{
	t->rows.nnz = t->rows.rowptr != NULL ?
	    t->rows.rowptr[t->rows.nrows] : 0;
}

/* Maps the header of a new CSV operand. */
static int
map_header(struct reader *R, struct rin *in, char *err, size_t errlen)
{
	struct csvin *c = &in->csv;
	size_t i;
	long role;

	if (!R->fixed)
		settle(R, (const char *const *)c->hdr, c->ncol);
	R->opnd = in->next;
	R->nh = c->ncol;
	R->hmap = xreallocarray(R->hmap, c->ncol ? c->ncol : 1,
	    sizeof(*R->hmap));
	R->cmap = xreallocarray(R->cmap, R->t->ncols ? R->t->ncols : 1,
	    sizeof(*R->cmap));
	for (i = 0; i < R->t->ncols; i++)
		R->cmap[i] = -1;
	R->hlabel = R->hsplit = -1;
	for (i = 0; i < c->ncol; i++) {
		role = role_of(R, c->hdr[i]);
		if (role == R_SKIP && R->o->features == NULL &&
		    !in_list(R->o->ignore, R->o->nignore, c->hdr[i])) {
			snprintf(err, errlen, "column \"%s\" is not a column "
			    "of the first input", c->hdr[i]);
			return -1;
		}
		R->hmap[i] = role;
		if (role >= 0)
			R->cmap[role] = (long)i;
		else if (role == R_LABEL)
			R->hlabel = (long)i;
		else if (role == R_SPLIT)
			R->hsplit = (long)i;
	}
	return 0;
}

static int
row_csv(struct reader *R, struct rin *in, char *err, size_t errlen)
{
	struct csvin *c = &in->csv;
	const char *s, *ls = NULL;
	size_t i, len, llen = 0;
	int is_test = 0;

	for (i = 0; i < R->t->ncols; i++) {
		if (R->cmap[i] < 0) {
			s = NULL;
			len = 0;
		} else
			s = csvin_field(c, (size_t)R->cmap[i], &len);
		if (add_cell(R, i, s, len, err, errlen) != 0)
			return -1;
	}
	if (R->hlabel >= 0)
		ls = csvin_field(c, (size_t)R->hlabel, &llen);
	if (R->hsplit >= 0) {
		s = csvin_field(c, (size_t)R->hsplit, &len);
		is_test = s != NULL && len == 4 && memcmp(s, "test", 4) == 0;
	}
	return end_row(R, in, ls, llen, is_test, err, errlen);
}

static int
row_json(struct reader *R, struct rin *in, char *err, size_t errlen)
{
	const char *key, **names;
	json_t *v;
	size_t i, n;
	int has, is_test = 0, y_has;
	struct buf lb = { 0 };
	long role;

	if (!R->fixed) {
		n = json_object_size(in->obj);
		names = xcalloc(n ? n : 1, sizeof(*names));
		i = 0;
		json_object_foreach(in->obj, key, v)
			names[i++] = key;
		settle(R, names, n);
		free(names);
	}
	if (R->o->features == NULL) {
		json_object_foreach(in->obj, key, v) {
			role = role_of(R, key);
			if (role == R_SKIP && !in_list(R->o->ignore,
			    R->o->nignore, key)) {
				snprintf(err, errlen, "column \"%s\" is not a "
				    "column of the first record", key);
				return -1;
			}
		}
	}
	for (i = 0; i < R->t->ncols; i++) {
		has = lrm_json_text(json_object_get(in->obj,
		    R->t->cols[i].name), &R->text);
		if (add_cell(R, i, has ? R->text.p : NULL, R->text.len, err,
		    errlen) != 0)
			return -1;
	}
	if (R->o->split_col != NULL) {
		has = lrm_json_text(json_object_get(in->obj, R->o->split_col),
		    &R->text);
		is_test = has && strcmp(R->text.p, "test") == 0;
	}
	y_has = lrm_json_text(json_object_get(in->obj, R->o->label), &lb);
	i = (size_t)end_row(R, in, y_has ? lb.p : NULL, lb.len, is_test, err,
	    errlen);
	buf_free(&lb);
	return (int)i;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile edges, then the bucket features appended to every row. */
static int
finish_quantiles(struct reader *R, char *err, size_t errlen)
{
	struct lrtab *t = R->t;
	struct lr_rows nr;
	struct lrm_col *col;
	double *v, e;
	size_t q, i, k, n, m, nq;
	char tmp[40];
	uint32_t idx, before;

	n = t->rows.nrows;
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (q = 0; q < R->nq; q++) {
		col = &t->cols[R->qcol[q]];
		nq = bucket_of(R->o, col->name)->nquant;
		for (i = m = 0; i < n; i++)
			if (!isnan(R->qv[i * R->nq + q]))
				v[m++] = R->qv[i * R->nq + q];
		qsort(v, m, sizeof(*v), cmp_double);
		col->edges = xcalloc(nq, sizeof(*col->edges));
		col->nedges = 0;
		for (k = 1; k < nq && m > 0; k++) {
			e = v[k * m / nq];
			if (e > v[0] && (col->nedges == 0 ||
			    e > col->edges[col->nedges - 1]))
				col->edges[col->nedges++] = e;
		}
	}
	free(v);
	lr_rows_init(&nr);
	for (i = 0; i < n; i++) {
		for (k = t->rows.rowptr[i]; k < t->rows.rowptr[i + 1]; k++)
			lr_rows_add(&nr, t->rows.idx[k], t->rows.val[k]);
		for (q = 0; q < R->nq; q++) {
			double x = R->qv[i * R->nq + q], one;

			col = &t->cols[R->qcol[q]];
			if (!isnan(x))
				snprintf(tmp, sizeof(tmp), "%.17g", x);
			if (lrm_feature(col, isnan(x) ? NULL : tmp,
			    isnan(x) ? 0 : strlen(tmp),
			    &R->name, &one, err, errlen) != 1)
				return -1;
			before = lr_fmap_size(t->fmap);
			if (lr_fmap_get(t->fmap, R->name.p, R->name.len, 1,
			    &idx) != 1) {
				snprintf(err, errlen, "too many features");
				return -1;
			}
			if (R->o->hash_size == 0 && idx == before) {
				if (idx >= R->cap_col_of) {
					R->cap_col_of = R->cap_col_of ?
					    R->cap_col_of * 2 : 1024;
					t->col_of = xreallocarray(t->col_of,
					    R->cap_col_of, sizeof(*t->col_of));
				}
				t->col_of[idx] = (uint32_t)R->qcol[q];
			}
			lr_rows_add(&nr, idx, one);
		}
		lr_rows_end(&nr, t->rows.y[i]);
	}
	lr_rows_free(&t->rows);
	t->rows = nr;
	return 0;
}

int
lrtab_read(struct lrtab *t, const struct lrtab_opts *o, struct run *r,
    char **paths, int npaths)
{
	struct reader R;
	struct rin in;
	char err[300];
	int rc, ret = 0;

	memset(t, 0, sizeof(*t));
	memset(&R, 0, sizeof(R));
	R.t = t;
	R.o = o;
	R.run = r;
	R.roles = json_object();
	t->nsplits = o->nsplits > 0 ? o->nsplits : 1;
	t->fmap = lr_fmap_new(o->hash_size);
	lr_rows_init(&t->rows);
	rin_init(&in, r, paths, npaths);
	in.csv_raw = 1;
	while ((rc = rin_next(&in)) == 1) {
		if (in.is_csv) {
			if (in.next != R.opnd &&
			    map_header(&R, &in, err, sizeof(err)) != 0) {
				diag_at(in.file, 1, "%s", err);
				run_fail(r, EX_DATAERR);
				ret = -1;
				break;
			}
			rc = row_csv(&R, &in, err, sizeof(err));
		} else
			rc = row_json(&R, &in, err, sizeof(err));
		if (rc != 0) {
			undo_row(t);
			if (run_bad(r, in.file, in.line, in.raw, in.rawlen,
			    "%s", err) != 0) {
				ret = -1;
				break;
			}
			continue;
		}
		r->used++;
	}
	if (rc == -1)
		ret = -1;
	rin_close(&in);
	if (ret == 0 && R.nq > 0 && finish_quantiles(&R, err, sizeof(err)) !=
	    0) {
		diag_warn("%s", err);
		run_fail(r, EX_DATAERR);
		ret = -1;
	}
	if (ret == 0 && r->status != 0)
		ret = -1;
	json_decref(R.roles);
	free(R.hmap);
	free(R.cmap);
	free(R.qcol);
	free(R.qv);
	buf_free(&R.name);
	buf_free(&R.text);
	return ret;
}

void
lrtab_free(struct lrtab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].edges);
	}
	free(t->cols);
	lr_fmap_free(t->fmap);
	free(t->col_of);
	lr_rows_free(&t->rows);
	free(t->test);
	memset(t, 0, sizeof(*t));
}
