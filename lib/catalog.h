#ifndef ADSIG_CATALOG_H
#define ADSIG_CATALOG_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "model2t.h"
#include "strtab.h"

/*
 * The buyers' ad catalog (DESIGN.md "Ad", adsig(5)) as pas-retrieve and
 * pas-bid use it: ads grouped by buyer, indexed for the targeting
 * filters, and their embeddings laid out for a fast exact top-k scan
 * by expected bid under a two_tower model (model2t.h).
 *
 *   targeting   lists "lang", "geo", "slot", "size" match the request's
 *               ctx member of the same name; a missing (or null) list
 *               matches every request; a list matches a request only
 *               when ctx holds a string equal to one of its items (an
 *               empty list matches nothing).
 *   budget      an ad whose budget.remaining is <= 0 is out of budget
 *               and never retrieved; an ad without a budget always is.
 *   score       the expected bid pInstall x value x 1000 (CPM), with
 *               pInstall = model2t_p(m, u, c, a) exactly.
 *
 * Nothing here prints or exits except catalog_load (which reports bad
 * lines through run_bad, see there) and xmalloc (exit 71).
 */

enum { CAT_LANG, CAT_GEO, CAT_SLOT, CAT_SIZE, CAT_NFIELDS };

/* "lang", "geo", "slot", "size". */
extern const char *const catalog_field_name[CAT_NFIELDS];

struct catalog_ad {
	char		*ad_id, *render_url;	/* render_url may be NULL */
	char		*campaign, *advertiser, *category;	/* or NULL */
	double		 value;			/* what an install is worth */
	double		 remaining;		/* budget.remaining, or inf */
	/* targeting lists as indices in the buyer's value table;
	 * ntarget[f] < 0: no list */
	uint32_t	*target[CAT_NFIELDS];
	long		 ntarget[CAT_NFIELDS];
};

struct catalog_buyer {
	char			*name;
	size_t			 n, cap;
	struct catalog_ad	*ad;
	double			*emb;		/* n rows of dim */
	/*
	 * Set by catalog_finish: the scan layout.  The ads are scanned in
	 * an order of their own (scan positions), sorted by targeting
	 * lists so that the ads one request passes lie in few runs; the
	 * original index breaks ties.  Positions go in blocks of 8, each
	 * holding its embeddings as 8-bit integers times a scale, four
	 * dimensions a word, dimension-major (the 8 ads' words side by
	 * side).
	 */
	uint32_t		*perm;		/* position -> ad index */
	uint32_t		*rank;		/* ad index -> position */
	size_t			 nblk;		/* blocks of 8 positions */
	uint32_t		*blk;		/* nblk blocks of dim/4 x 8 */
	float			*scale;		/* per position */
	float			*err;		/* bound room per position */
	float			*qv;		/* ln(1000 value), rounded up */
	double			*lnv;		/* ln(1000 value), -inf if <= 0 */
	size_t			 nwords;	/* of every bitset */
	/* bitsets over scan positions */
	uint64_t		*live;		/* in budget */
	struct strtab		 vals[CAT_NFIELDS];
	uint64_t		**bits[CAT_NFIELDS];	/* per value */
	uint64_t		*nolist[CAT_NFIELDS];
};

struct catalog {
	int			 dim, dimp;	/* dimp: dim rounded up to 8 */
	struct strtab		 names;		/* buyer names */
	struct catalog_buyer	*b;
	struct strtab		 ids;		/* ad_id -> global index */
	uint32_t		*id_buyer, *id_ad;
	size_t			 idcap;
	unsigned long		 ads, out_of_budget;
};

/*
 * An empty catalog for embeddings of size dim (1..MODEL2T_MAX_DIM), or
 * 0 for a catalog whose embeddings are not read (any or none: for a
 * model that does not use them; the scan then scores nothing useful).
 */
void	catalog_init(struct catalog *c, int dim);

/*
 * Adds one ad record (borrowed).  from_csv: the record came from a CSV
 * row, so numbers may be decimal text and the lists and the embedding
 * JSON array text ("[\"en\",\"fr\"]", "[0.1,0.2]"); nested members may be
 * given as dotted column names ("budget.remaining", "targeting.geo").
 * Returns 0, 1 for a record of another "type" (skipped), or -1 with the
 * reason (no string ad_id or buyer, a second ad_id, a value that is no
 * finite number, an embedding that is not dim finite numbers, a
 * targeting list that is not an array of strings, ...).
 */
int	catalog_add(struct catalog *c, json_t *ad, int from_csv, char *err,
	    size_t errlen);

/* Builds the scan layout and the targeting index; call once, after the
 * last catalog_add. */
void	catalog_finish(struct catalog *c);

/*
 * Reads a catalog file (NDJSON or CSV by name, gzip or not), adds every
 * ad and finishes.  A bad line stops: "TOOL: FILE:LINE: reason", and the
 * return is 65 (66 when the file cannot be opened); else 0.
 */
int	catalog_load(struct catalog *c, const char *path);

void	catalog_free(struct catalog *c);		/* NULL-safe */

/* The buyer's catalog, or NULL when it has no ads. */
const struct catalog_buyer *catalog_buyer(const struct catalog *c,
	    const char *name, size_t len);

/* Finds an ad by id: its buyer and index; NULL when absent. */
const struct catalog_ad *catalog_find(const struct catalog *c,
	    const char *ad_id, size_t len, const struct catalog_buyer **bp,
	    size_t *ip);

/*
 * The ads of b that pass the targeting filters for the ctx values
 * val[f] (NULL: the request has no string there) and the budget, as a
 * bitset out[0..b->nwords) over ad indices.
 */
void	catalog_filter(const struct catalog_buyer *b,
	    const char *const val[CAT_NFIELDS], uint64_t *out);

/* The ctx strings of a request's "ctx" object (borrowed; NULL-safe). */
void	catalog_ctx_values(const json_t *ctx, const char *val[CAT_NFIELDS]);

/* One retrieved ad. */
struct catalog_hit {
	double		 score;		/* pInstall x value x 1000 */
	double		 p;		/* pInstall */
	uint32_t	 ad;		/* index in the buyer */
};

/*
 * The best k ads of mask by score, best first, ties going to the
 * bytewise smaller ad_id, into out[0..*nout) (out has room for k).
 * u, cvec: the user and context vectors of model2t (cvec may be NULL).
 * The scan computes an upper bound of each ad's score from its 8-bit
 * embedding, scores the k ads of the largest bounds exactly, then
 * every other ad whose bound (and a tighter one in double) still
 * reaches the k-th best score: the exact score is model2t_p in double,
 * so the result is exactly that of catalog_topk_brute.
 * *exact (may be NULL) gets the number of exact scores computed.
 */
void	catalog_topk(const struct catalog *c, const struct catalog_buyer *b,
	    const uint64_t *mask, const struct model2t *m, const double *u,
	    const double *cvec, size_t k, struct catalog_hit *out,
	    size_t *nout, size_t *exact);

/* The same by scoring every ad of mask exactly: the reference. */
void	catalog_topk_brute(const struct catalog *c,
	    const struct catalog_buyer *b, const uint64_t *mask,
	    const struct model2t *m, const double *u, const double *cvec,
	    size_t k, struct catalog_hit *out, size_t *nout);

/*
 * catalog_filter and catalog_topk in one, the fast way: the ads of b
 * that pass the filters for val (as catalog_filter) and their best k
 * (as catalog_topk, exactly).  sel: scratch of b->nwords words.
 * *nfiltered (may be NULL) gets the number of ads that passed.
 */
void	catalog_retrieve(const struct catalog *c,
	    const struct catalog_buyer *b, const char *const val[CAT_NFIELDS],
	    const struct model2t *m, const double *u, const double *cvec,
	    size_t k, uint64_t *sel, struct catalog_hit *out, size_t *nout,
	    size_t *nfiltered, size_t *exact);

#endif
