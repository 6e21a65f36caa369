#ifndef ADSIG_TCRANK_H
#define ADSIG_TCRANK_H
#include <stddef.h>

#include "run.h"
#include "tcdim.h"
#include "tcline.h"

/*
 * Ranking materials with a tag-CTR matrix (adsig(7), "Ranking
 * materials"):
 *
 *   R_m = sum_d W_d * sum_{t in T_m} CTR(d = a_d, t)
 *
 * where a missing (value, tag) row falls back to the pooled "*" row of
 * the tag (0 when that is missing too), and a request's channel is found
 * among the pooled channels by its members ("CH1+CH2" holds CH1).
 *
 * The matrix is loaded once into blocks: one per (channel, plan, attr,
 * value), each a run of (tag, ctr) sorted by tag id; the blocks of a
 * (channel, plan) are contiguous and sorted by (attr, value), found
 * through one hash lookup and a binary search.  A request gathers the
 * tags of its blocks (one per dimension and the "*" block) into a table
 * indexed by tag id, so a candidate's tag is one lookup for every
 * dimension; the sums keep the formula's order, bit for bit.
 */
struct tcr;

struct tcr_score {
	const char	*mat;
	size_t		 n;
	double		 r;
};

struct tcr	*tcr_new(int material_tag);

/*
 * Loads matrix rows and weight rows ({"type":"weights",..}) from path,
 * NDJSON or CSV.  Bad rows go through run_bad; they count as read and
 * rejected.  Returns 0 or the exit status.
 */
int	tcr_load(struct tcr *m, struct run *r, const char *path);

/* Builds the index; call once after loading. */
void	tcr_index(struct tcr *m);

/*
 * Ranks the candidates cand[0..ncand) (ncand < 0: every material of the
 * plan known to the matrix) of a request; attributes akey/aval merge
 * through d.  Writes the top k scores, best first, ties to the bytewise
 * smaller material, to out (room for k) and returns how many, or -1 when
 * the (channel, plan) is not in the matrix.
 */
int	tcr_rank(struct tcr *m, const struct tc_dims *d,
	    const struct tc_mats *mats, struct tcl_str channel,
	    struct tcl_str plan, const struct tcl_str *akey,
	    const struct tcl_str *aval, size_t nattr,
	    const struct tcl_str *cand, long ncand, size_t k,
	    struct tcr_score *out);

/* Rows and blocks loaded, for the summary. */
size_t	tcr_rows(const struct tcr *m);
void	tcr_free(struct tcr *m);

#endif
