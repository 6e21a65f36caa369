#ifndef ADSIG_LRMODEL_H
#define ADSIG_LRMODEL_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "lr.h"

/*
 * The "logistic" model file of adsig(5) (pas-train writes it; pas-bid and
 * pas-train --predict read it), and the one place where a table cell
 * becomes a feature, so that training and scoring cannot disagree.
 *
 * A row is a set of named columns (f<i>, f<i>_<j> for decoded egress
 * payloads; any names for other tables).  Each model column has a kind:
 *
 *   categorical  the cell's text v gives the one-hot feature "col=v", of
 *                value 1; a blank cell is its own value, "col=".
 *   numeric      the cell, a decimal number x, gives the feature "col" of
 *                value x; a blank cell gives nothing.
 *   bucket       the number x falls in bucket k = the count of edges <= x
 *                (edges ascending; k from 0 to nedges), the one-hot
 *                feature "col@k"; a blank cell gives "col=".
 *
 * The text of a JSON cell: a string as it is; an integer in decimal; a
 * real as the JSON writer spells it (shortest round trip, "1.0" for an
 * integral real); true/false; null or a missing column is blank; arrays
 * and objects as their compact JSON.  CSV cells are their text (an empty
 * unquoted cell is blank).  So a row read from NDJSON and the same row
 * written as CSV by the tools give the same features.
 *
 * Weights are looked up by feature name; with hashing (hash_size > 0) by
 * FNV-1a-64(name) mod hash_size instead.  An unknown feature weighs 0.
 * The probability is sigmoid(bias + sum of weight x value).
 *
 * Nothing here prints or exits (allocation failures exit 71).  Functions
 * that fail return -1 with a short reason in err.
 */

enum lrm_kind { LRM_CATEGORICAL, LRM_NUMERIC, LRM_BUCKET };

struct lrm_col {
	char		*name;
	enum lrm_kind	 kind;
	double		*edges;		/* bucket: ascending, finite */
	size_t		 nedges;
};

struct lrm {
	char		*label;		/* for information; may be NULL */
	struct lrm_col	*cols;
	size_t		 ncols;
	uint32_t	 hash_size;	/* 0: weights by name */
	double		 bias;
	struct lr_fmap	*names;		/* dictionary: feature name -> index */
	double		*w;		/* by index (dictionary or hash) */
};

/* The name of a kind: "categorical", "numeric", "bucket". */
const char	*lrm_kind_name(enum lrm_kind k);

/*
 * The text of a JSON cell into b (cleared first).  Returns 1 for a value,
 * 0 for a blank (NULL or null).
 */
int	lrm_json_text(const json_t *v, struct buf *b);

/*
 * Parses a decimal number (no hex, inf, nan; leading and trailing blanks
 * not allowed) of len bytes.  0 with *x, or -1.
 */
int	lrm_parse_number(const char *s, size_t len, double *x);

/*
 * The feature of column c for a cell of len bytes (s NULL: blank): its
 * name into name (cleared first) and its value into *x.  Returns 1 for a
 * feature, 0 for none (a blank numeric cell), -1 when a numeric or bucket
 * cell is not a number (reason in err).
 */
int	lrm_feature(const struct lrm_col *c, const char *s, size_t len,
	    struct buf *name, double *x, char *err, size_t errlen);

/* Bucket index of x for edges (count of edges <= x). */
size_t	lrm_bucket(const double *edges, size_t nedges, double x);

/*
 * Reads a model: lrm_load from a file (reasons name it), lrm_parse from
 * JSON (j is only read).  Unknown members are ignored.  0 with *out, or
 * -1.
 */
int	lrm_load(const char *path, struct lrm **out, char *err, size_t errlen);
int	lrm_parse(const json_t *j, struct lrm **out, char *err, size_t errlen);
void	lrm_free(struct lrm *m);	/* NULL-safe */

/* The weight of a feature name of len bytes (0 when unknown). */
double	lrm_weight(const struct lrm *m, const char *name, size_t len);

/*
 * Scores a row given as a JSON object (columns by key; others ignored).
 * Returns 0 with *p, or -1 with a reason naming the column.
 */
int	lrm_score_json(const struct lrm *m, const json_t *row, double *p,
	    char *err, size_t errlen);

/*
 * Scores a row given as cells in the model's column order: cell[i] of
 * len[i] bytes, NULL for a blank.  Returns 0 with *p, or -1.
 */
int	lrm_score_cells(const struct lrm *m, const char *const *cell,
	    const size_t *len, double *p, char *err, size_t errlen);

/*
 * Writes a trained model as one line of JSON to b: type "logistic", the
 * label, the columns, hash_size, bias (the bias feature's weight times
 * its value), and the non-zero weights: "weights" by name (dictionary
 * mode), or "hashed_weights" by decimal index (hashing mode); a weight of
 * exactly 0 is left out, as an unknown feature weighs 0.  train, if not NULL, is written as member
 * "training" (informational).
 */
void	lrm_write(struct buf *b, const char *label, const struct lrm_col *cols,
	    size_t ncols, const struct lr_fmap *fmap, const struct lr_model *lm,
	    const json_t *train);

#endif
