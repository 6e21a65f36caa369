#ifndef ADSIG_LRTAB_H
#define ADSIG_LRTAB_H
#include <stddef.h>
#include <stdint.h>

#include "lr.h"
#include "lrmodel.h"
#include "run.h"

/*
 * A training table read into memory for pas-train and egress-ablate:
 * rows of NDJSON objects or CSV with a header (through rin, so operands,
 * gzip, bad records and the summary counts are the common ones), turned
 * into sparse feature rows by lrm_feature (lrmodel.h), the same code
 * that scores them later.
 *
 * Columns: with a feature list, exactly those; without, every column of
 * the first record (the CSV header, or the first object's keys) except
 * the label, the split column and the ignored ones, and a later record
 * with another column is bad.  A column missing from a record is blank.
 * Columns named numeric are numeric; bucket columns are bucketed, with
 * given edges or with nquant quantile buckets whose edges come from the
 * non-blank values of every row read (labels unused); all others are
 * categorical.
 *
 * The label is positive for true, or a number > 0 ("1", "+1", "0.5");
 * negative for false, or a number <= 0; anything else, or a blank, makes
 * the record bad.
 *
 * Splits: with split_col, a row whose split cell is "test" is a test row
 * in every split.  Otherwise a row is a test row of split s with
 * probability test_fraction, drawn from the rng stream keyed by (seed,
 * the row's original text) (draw s of that stream), so splits do not
 * depend on the order or sharding of the input.  Without a seed the
 * draws come from a secure source.
 */
struct lrtab_bucket {
	const char	*col;
	size_t		 nquant;	/* > 1: quantile buckets */
	double		*edges;		/* else: these edges (ascending) */
	size_t		 nedges;
};

struct lrtab_opts {
	const char		 *label;
	char			**features;	/* NULL: all columns */
	size_t			  nfeatures;
	char			**ignore;
	size_t			  nignore;
	char			**numeric;
	size_t			  nnumeric;
	struct lrtab_bucket	 *buckets;
	size_t			  nbuckets;
	const char		 *split_col;
	double			  test_fraction;
	int			  nsplits;	/* >= 1 */
	uint32_t		  hash_size;	/* 0: a dictionary */
};

struct lrtab {
	struct lrm_col	*cols;		/* the feature columns */
	size_t		 ncols;
	struct lr_fmap	*fmap;
	uint32_t	*col_of;	/* dictionary: column of each feature */
	struct lr_rows	 rows;
	unsigned char	*test;		/* nsplits flags per row */
	int		 nsplits;
};

/*
 * Reads the operands into t (zeroed by the call).  Bad records go
 * through run_bad; run->read and run->used count.  Returns 0, or -1 when
 * the run must stop (run->status says why, a message was printed).
 */
int	lrtab_read(struct lrtab *t, const struct lrtab_opts *o, struct run *r,
	    char **paths, int npaths);

/* 1 when row i is a test row of split s. */
static inline int
lrtab_is_test(const struct lrtab *t, size_t i, int s)
{
	return t->test[i * (size_t)t->nsplits + (size_t)s];
}

/* Column index of a name, or -1. */
long	lrtab_col(const struct lrtab *t, const char *name);

void	lrtab_free(struct lrtab *t);

/*
 * Parses a --bucket operand "COL=N" (N >= 2 quantile buckets) or
 * "COL=E1:E2:..." (ascending edges).  Returns 0, or -1.  col points into
 * arg, which is modified.
 */
int	lrtab_parse_bucket(char *arg, struct lrtab_bucket *b);

/* Splits a comma-separated list in place into a new array of n strings. */
char	**lrtab_split_list(char *s, size_t *n);

#endif
