#ifndef ADSIG_ABLATE_H
#define ADSIG_ABLATE_H
#include <stddef.h>
#include <stdint.h>

#include "lr.h"

/*
 * The egress-size ablation protocol of DESIGN.md ("Ablation protocol"),
 * on rows already in memory:
 *
 *   1. baseline: a model with every feature group;
 *   2. drop: for each group a model without it; its gain is baseline
 *      utility - utility, its utility per bit gain / bits;
 *   3. for each size B, the groups of at most B bits with the largest
 *      total gain (an exact knapsack, knap.h; gains <= 0 never taken);
 *   4. a model per size.
 *
 * Every model is trained on the train rows of a split and measured on
 * its test rows, once per split (repeat); utilities are averaged over
 * the splits, the knapsack uses the averaged gains, and a size's
 * percentage of the baseline is the mean over splits of 100 u / u_base
 * with its sample standard deviation (0 with one split).
 *
 * Utility: ABLATE_AUC is AUC - 0.5; ABLATE_LOGLOSS is 1 - LL / LL_prior,
 * LL_prior the log loss of predicting the train rows' base rate.
 *
 * The models of a step are independent and run on nthreads threads, one
 * model per thread (lr_train with one thread each); results do not
 * depend on the number of threads.  A feature group is a set of feature
 * indices: group_of[j] for feature j (< nfeat).
 */
enum { ABLATE_AUC, ABLATE_LOGLOSS };

struct ablate_in {
	const struct lr_rows	*rows;
	uint32_t		 nfeat;
	const uint32_t		*group_of;	/* nfeat entries */
	size_t			 ngroups;
	const uint32_t		*bits;		/* ngroups entries */
	const unsigned char	*test;		/* nrows x nsplits flags */
	int			 nsplits;
	const uint32_t		*sizes;		/* ascending */
	size_t			 nsizes;
	int			 utility;
	double			 C, eps;
	int			 nthreads;
};

struct ablate_size {
	uint32_t	 bits;		/* the size asked for */
	uint32_t	 used_bits;	/* bits of the chosen groups */
	size_t		*groups;	/* chosen, ascending */
	size_t		 ngroups;
	double		 utility;	/* mean over splits */
	double		 pct, sd;	/* of the baseline, over splits */
};

struct ablate_out {
	double			 base_utility, base_sd;
	double			*drop_utility;	/* ngroups, mean over splits */
	struct ablate_size	*sizes;		/* nsizes */
	unsigned long		 models;	/* models trained */
};

/*
 * Runs the protocol.  Returns 0 and fills *out (release with
 * ablate_out_free), or -1 with a reason (a split without train or test
 * rows, a test set with one class under ABLATE_AUC, a solver error).
 */
int	ablate_run(const struct ablate_in *in, struct ablate_out *out,
	    char *err, size_t errlen);
void	ablate_out_free(struct ablate_out *out, size_t nsizes);

#endif
