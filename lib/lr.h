#ifndef ADSIG_LR_H
#define ADSIG_LR_H
#include <stddef.h>
#include <stdint.h>

/*
 * L2-regularised logistic regression with LIBLINEAR's objective and
 * solver, so that pas-train and `liblinear-train -s 0 -B 1` agree on the
 * same rows:
 *
 *	min over w of  0.5 * |w|^2 + C * sum_i log(1 + exp(-y_i w.x_i))
 *
 * y_i in {-1, +1}; x_i is a sparse row with a bias feature appended (its
 * weight regularised like any other).  The solver is LIBLINEAR 2.x's
 * trust-region Newton method with preconditioned conjugate gradient
 * (Lin, Weng & Keerthi 2008; Hsia, Chiang & Lin 2018), started at w = 0
 * and stopped when |grad f(w)| <= eps * max(min(pos, neg), 1) / l *
 * |grad f(0)|.  Training is deterministic, and the result is the same to
 * the bit for any number of threads: every parallel step writes disjoint
 * outputs, and every sum is taken in a fixed order.
 *
 * Also here: struct lr_rows, a growable CSR matrix of labelled rows, and
 * struct lr_fmap, which names features (one-hot "col=value", numeric
 * "col") and turns names into indices.
 */

/*
 * Labelled sparse rows in CSR form: row i has entries rowptr[i] ..
 * rowptr[i+1]-1 of idx (feature index) and val (value), and label y[i],
 * +1 or -1.  Filled with lr_rows_add / lr_rows_end, or by hand (then
 * rowptr[0] must be 0 and the arrays consistent).  The struct owns its
 * arrays; lr_rows_free releases them.
 */
struct lr_rows {
	size_t		 nrows;
	size_t		 nnz;
	size_t		*rowptr;	/* nrows + 1 entries */
	uint32_t	*idx;		/* nnz entries */
	double		*val;		/* nnz entries */
	int		*y;		/* nrows entries, +1 or -1 */
	size_t		 cap_rows;	/* room in y (rowptr: one more) */
	size_t		 cap_nnz;	/* room in idx and val */
};

void	lr_rows_init(struct lr_rows *r);
/* Appends an entry to the row being built (the row after the last ended). */
void	lr_rows_add(struct lr_rows *r, uint32_t idx, double val);
/* Ends the row being built with its label: label > 0 is +1, else -1. */
void	lr_rows_end(struct lr_rows *r, int label);
/* Drops all rows, keeping the memory.  */
void	lr_rows_clear(struct lr_rows *r);
/* NULL-safe; leaves r empty and reusable. */
void	lr_rows_free(struct lr_rows *r);

struct lr_params {
	double		 C;		/* > 0; LIBLINEAR's -c */
	double		 eps;		/* tolerance; LIBLINEAR's -e */
	double		 bias;		/* -B value; <= 0: none */
	int		 max_iter;	/* Newton iterations at most */
	int		 nthreads;	/* threads for large problems, >= 1 */
	/*
	 * use: NULL, or nfeat flags; a feature whose flag is 0 is left
	 * out, exactly as if its entries were not in the rows (for
	 * ablation without copying the rows).
	 */
	const unsigned char *use;
	/* sel: NULL, or nsel row numbers to train on (a split). */
	const size_t	*sel;
	size_t		 nsel;
};

/* C 1, eps 0.01, bias 1, max_iter 1000, nthreads 1, all rows and features. */
void	lr_params_init(struct lr_params *p);

struct lr_model {
	uint32_t	 nfeat;
	double		 bias;		/* bias value, 0 if none */
	double		*w;		/* nfeat weights, then bias's */
	/* How training went. */
	int		 iters;		/* Newton iterations taken */
	int		 converged;	/* 1 if the stopping rule was met */
	double		 f;		/* objective at w */
	double		 gnorm0;	/* |grad f(0)| */
	double		 gnorm;		/* |grad f(w)| */
};

/*
 * Trains on rows (all of them, or p->sel) with feature indices below
 * nfeat.  On success returns 0 and fills *m, whose w the caller releases
 * with lr_model_free.  Returns -1 with a reason in err, and *m untouched,
 * when there are no rows, C or eps is not positive, a feature index is
 * nfeat or more, a value is not finite, or a selected row is out of
 * range.  Not converging within max_iter is not an error: see
 * m->converged.  rows and p are only read.
 */
int	lr_train(const struct lr_rows *rows, uint32_t nfeat,
	    const struct lr_params *p, struct lr_model *m, char *err,
	    size_t errlen);

/*
 * The margin w.x (bias included) and the probability of +1,
 * 1 / (1 + exp(-w.x)), for a sparse row of n entries.  Indices at or
 * above m->nfeat (features unseen in training) count as weight 0.
 */
double	lr_margin(const struct lr_model *m, const uint32_t *idx,
	    const double *val, size_t n);
double	lr_predict(const struct lr_model *m, const uint32_t *idx,
	    const double *val, size_t n);
/* lr_predict of row i of rows. */
double	lr_predict_row(const struct lr_model *m, const struct lr_rows *rows,
	    size_t i);
/* The logistic function 1 / (1 + exp(-z)), without overflow. */
double	lr_sigmoid(double z);

/* Releases m->w; NULL-safe. */
void	lr_model_free(struct lr_model *m);

/*
 * Feature names to indices.  In dictionary mode (hash_size 0) each new
 * name gets the next index 0, 1, 2, ... and its name can be read back;
 * names are interned, lookups are one hash and usually one compare.  In
 * hashing mode the index of a name is FNV-1a-64(name bytes) mod
 * hash_size, nothing is stored, and distinct names may share an index.
 * Categorical features are named "col=value" (a blank value is its own
 * value, "col="), numeric ones "col"; both share one namespace.
 */
struct lr_fmap;

struct lr_fmap	*lr_fmap_new(uint32_t hash_size);
void		 lr_fmap_free(struct lr_fmap *m);	/* NULL-safe */

/*
 * Looks up the name of len bytes.  Returns 1 with *out set when it is
 * known or was added (add non-zero), 0 when it is unknown and add is 0
 * (dictionary mode only), -1 when the dictionary already holds
 * UINT32_MAX names.
 */
int	lr_fmap_get(struct lr_fmap *m, const char *name, size_t len, int add,
	    uint32_t *out);
/* lr_fmap_get of "col=val", val being vallen bytes; no allocation. */
int	lr_fmap_cat(struct lr_fmap *m, const char *col, const char *val,
	    size_t vallen, int add, uint32_t *out);
/* lr_fmap_get of "col". */
int	lr_fmap_num(struct lr_fmap *m, const char *col, int add,
	    uint32_t *out);
/* Names held (dictionary), or hash_size: the nfeat to train with. */
uint32_t	 lr_fmap_size(const struct lr_fmap *m);
/* The name of index i (dictionary mode, i < size), else NULL. */
const char	*lr_fmap_name(const struct lr_fmap *m, uint32_t i);
/* 64-bit FNV-1a of n bytes, continuing from h (start: LR_FNV_INIT). */
uint64_t	 lr_fnv1a(uint64_t h, const void *p, size_t n);
#define LR_FNV_INIT	UINT64_C(0xcbf29ce484222325)

#endif
