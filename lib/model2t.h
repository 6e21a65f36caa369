#ifndef ADSIG_MODEL2T_H
#define ADSIG_MODEL2T_H
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "pasfeat.h"

/*
 * The two_tower pInstall model of adsig(5) (DESIGN.md "Models"):
 *
 *   {"type":"two_tower","dim":d,
 *    "features":[names of x, see pasfeat.h],
 *    "user":[[d rows of |x| numbers]],
 *    "context":{"embedding":"context_embedding","scale":1.0,
 *               "fields":{"slot":{"interstitial":[d numbers], ...}, ...}},
 *    "bias":b}
 *
 *   u = U x                          (the private user tower)
 *   c = scale * E + sum_f T_f[ctx.f] (the context tower)
 *   pInstall = sigmoid(u . a + c . a + b)
 *
 * with E the array buyer_signals[BUYER][embedding] of the request (d
 * numbers; a zero vector when the request has none for the buyer), T_f
 * the table of field f (a zero vector when ctx.f is missing, not a
 * string, or not in the table) and a the ad's catalog "embedding".
 * "context" and each of its members are optional; "scale" defaults
 * to 1.  Other keys are ignored, so a model may carry notes.
 *
 * Nothing here exits except through xmalloc (exit 71); nothing prints.
 * Failing functions return -1 with a short reason in err[0..errlen).
 */

#define MODEL2T_MAX_DIM	4096

struct model2t_field {
	char	 *name;			/* the ctx field */
	size_t	  n;
	char	**val;			/* its values ... */
	double	 *vec;			/* ... and their n * dim numbers */
};

struct model2t {
	int			 dim;
	size_t			 nfeat;
	char			**feature;	/* names, owned */
	struct pasfeat		 feat;		/* parsed names */
	double			*user;		/* dim rows of nfeat, row-major */
	char			*embedding;	/* buyer_signals key, or NULL */
	double			 scale;
	struct model2t_field	*field;
	size_t			 nfield;
	double			 bias;
};

/*
 * Sets up m with dimension dim and n feature names (copied; they must
 * parse, see pasfeat_init), a zero user matrix, no context and bias 0,
 * for a caller that fills it in.  Returns 0 or -1 with the reason.
 */
int	model2t_init(struct model2t *m, int dim, const char *const *names,
	    size_t n, char *err, size_t errlen);
/* Adds (or replaces) the context vector vec[0..dim) of ctx.name == val. */
void	model2t_set_field(struct model2t *m, const char *name,
	    const char *val, const double *vec);

/* Reads and validates the JSON form (borrowed).  0, or -1 with reason. */
int	model2t_from_json(struct model2t *m, const json_t *j, char *err,
	    size_t errlen);
/*
 * model2t_from_json of a JSON file.  0, or with "FILE: reason" EX_NOINPUT
 * (it cannot be opened) or EX_DATAERR.
 */
int	model2t_load(struct model2t *m, const char *path, char *err,
	    size_t errlen);
void	model2t_free(struct model2t *m);		/* NULL-safe */

/* Writes m as one line of JSON (no newline) in the form above. */
void	model2t_write(struct buf *b, const struct model2t *m);

/* u[0..dim) = U x, x[0..nfeat). */
void	model2t_user(const struct model2t *m, const double *x, double *u);

/*
 * c[0..dim) for buyer from a request record (borrowed): its "ctx" and
 * "buyer_signals".  Returns 0, or -1 when buyer_signals.BUYER.EMBEDDING
 * is present but not an array of dim finite numbers.
 */
int	model2t_context(const struct model2t *m, const json_t *rec,
	    const char *buyer, double *c, char *err, size_t errlen);

/* a[0..dim) from an ad record's "embedding" (borrowed).  0 or -1. */
int	model2t_ad(const struct model2t *m, const json_t *ad, double *a,
	    char *err, size_t errlen);

/* u . a + c . a + b (c may be NULL: no context), and its sigmoid. */
double	model2t_logit(const struct model2t *m, const double *u,
	    const double *c, const double *a);
double	model2t_p(const struct model2t *m, const double *u, const double *c,
	    const double *a);

/* 1 / (1 + exp(-z)), without overflow for large |z|. */
double	model2t_sigmoid(double z);

#endif
