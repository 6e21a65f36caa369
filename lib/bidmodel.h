#ifndef ADSIG_BIDMODEL_H
#define ADSIG_BIDMODEL_H
#include <stddef.h>

#include "egress.h"
#include "lrmodel.h"
#include "model2t.h"

/*
 * The pInstall model of pas-bid(1) --model: a "two_tower" model
 * (model2t.h) or a "logistic" model (lrmodel.h), told apart by the
 * file's "type" member; and a logistic model's reading of an egress
 * payload.
 *
 * A logistic model trained on rows of egress-noise --decode scores the
 * columns that decoding makes of a payload: column k of the schema is
 * named s->leaves[k].name ("f<i>", "f<i>_<j>") and its cell is the text
 * egress_cell() gives (booleans and bucket items "0"/"1", integers in
 * decimal), the very function --decode writes its rows with.  So the
 * payload pas-bid is about to send and the row the analyst decodes from
 * it give the same features.
 *
 * Nothing here prints or exits (allocation failures exit 71).  Failing
 * functions return -1 with a short reason in err[0..errlen).
 */

enum bidmodel_type { BIDMODEL_TWO_TOWER, BIDMODEL_LOGISTIC };

/*
 * Reads the model file at path: sets *type and fills *tt (two_tower) or
 * *lr (logistic, to be freed with lrm_free).  Returns 0, or EX_NOINPUT
 * (the file cannot be opened) or EX_DATAERR with the reason: "PATH:LINE: <jansson's message>" for a file that is not JSON
 * (or "PATH: <message>" when it cannot be read), "PATH: \"type\" is not
 * \"two_tower\" or \"logistic\"", or the reader's "PATH: reason".
 */
int	bidmodel_load(const char *path, enum bidmodel_type *type,
	    struct model2t *tt, struct lrm **lr, char *err, size_t errlen);

/* A logistic model bound to the columns of an egress schema. */
struct bidmodel_lr {
	const struct lrm		*m;
	const struct egress_schema	*s;
	size_t				*leaf;	/* per model column: its leaf */
	struct egress_cell		*cell;	/* per model column */
	const char			**text;
	size_t				*len;
};

/*
 * Binds m to the columns of s (both borrowed; they must outlive b).
 * Every column of the model must be a column of s, else -1 with
 * "the model's column \"x\" is not a column of the egress schema
 * (f0 .. f11)": a model trained on another payload's columns would
 * otherwise score every row as if that column were blank.  Columns of s
 * the model does not name are ignored.
 */
int	bidmodel_bind(struct bidmodel_lr *b, const struct lrm *m,
	    const struct egress_schema *s, char *err, size_t errlen);

/*
 * The model's probability for the payload values v (of b->s): 0 with
 * *p, or -1 with lrm_score_cells' reason (which integer cells cannot
 * give: every cell is a decimal integer).
 */
int	bidmodel_lr_p(struct bidmodel_lr *b, const struct egress_values *v,
	    double *p, char *err, size_t errlen);

void	bidmodel_unbind(struct bidmodel_lr *b);		/* NULL-safe */

#endif
