#ifndef ADSIG_EGMAP_H
#define ADSIG_EGMAP_H
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "egress.h"
#include "pasfeat.h"

/*
 * The egress feature mapping of pas-bid(1) (adsig(5) "Egress feature
 * mapping"): an egress schema file (SPEC-PAS.md section 6) whose
 * features also say which signal-derived number fills them.  The
 * servers ignore members they do not know, so the same file is a valid
 * schema for egress-noise.
 *
 * A source is a feature name of the decoded signal feature vector
 * (pasfeat.h, "KEY.STAT"), giving a number x:
 *
 *   boolean-feature           {"source":N}: true iff x > 0
 *   unsigned-integer-feature  {"source":N[,"min":A,"max":B]}
 *   signed-integer-feature    the same; with [L, H] the type's range
 *                             (0..2^S-1, or -2^(S-1)..2^(S-1)-1), the
 *                             value is round(x) without min and max,
 *                             else L + round((x - A) / (B - A) (H - L)),
 *                             both clamped to [L, H] (round: halves away
 *                             from zero); S is at most 52
 *   bucket-feature            {"sources":[S names]}: item j is x_j > 0;
 *                             or {"source":N[,"edges":[S-1 increasing
 *                             numbers]]}: the one item j = the number of
 *                             edges <= x is true (edges default to
 *                             1, 2, ..., S-1: a one-hot of min(x, S-1))
 *   histogram-feature         every sub-feature in "value" carries its
 *                             own "source" (and "min"/"max") as above
 *
 * NaN counts as 0.  Nothing prints or exits but xmalloc (exit 71).
 */

struct egmap_leaf {
	int		 src;		/* index of the source, -1: bucket one-hot */
	int		 is_bool;
	double		 lo, hi;	/* the integer range */
	int		 scaled;
	double		 a, b;		/* the source range */
};

struct egmap_feature {
	int		 onehot;	/* bucket by edges of one source */
	int		 src;
	double		*edges;
	size_t		 nedges;
};

struct egmap {
	struct egress_schema	*schema;
	struct pasfeat		 feat;		/* the distinct sources */
	char			**names;	/* their names, owned */
	size_t			 nsrc;
	struct egmap_feature	*f;		/* per schema feature */
	struct egmap_leaf	*leaf;		/* per schema leaf */
};

/* Parses a schema with its mapping (j borrowed).  0, or -1 with the
 * reason ("feature 2: no \"source\""). */
int	egmap_parse(struct egmap *m, const json_t *j, char *err,
	    size_t errlen);
/* egmap_parse of a file; reasons start with "PATH: ". */
int	egmap_load(struct egmap *m, const char *path, char *err,
	    size_t errlen);
void	egmap_free(struct egmap *m);			/* NULL-safe */

/* The source index of name, or -1. */
long	egmap_source(const struct egmap *m, const char *name);

/* The leaf values (egress_values of m->schema) for source values
 * xs[0..m->nsrc). */
void	egmap_values(const struct egmap *m, const double *xs,
	    struct egress_values *v);

/* Appends the payload JSON {"features":[...]} of SPEC-PAS.md section 6
 * for source values xs[0..m->nsrc) to b. */
void	egmap_payload(const struct egmap *m, const double *xs,
	    struct buf *b);

#endif
