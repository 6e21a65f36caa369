#ifndef ADSIG_KNAP_H
#define ADSIG_KNAP_H
#include <stddef.h>
#include <stdint.h>

/*
 * Exact 0/1 knapsack over integer costs (bits) with real gains, for
 * egress-ablate's choice of the feature set with the most utility in a
 * payload of at most B bits.  One dynamic programme over items and
 * capacity answers every capacity 0..B.
 *
 * For a capacity c the chosen set S has total cost <= c and is, in this
 * order of preference:
 *   1. the largest total gain (compared exactly, as doubles);
 *   2. among those, the fewest bits;
 *   3. among those, the smallest list of indices, read in ascending order
 *      and compared lexicographically ({0,3} before {1,2}, {0} before {1}).
 * An item with gain <= 0 is never taken: it cannot raise the gain, and a
 * zero-gain, zero-cost item is left out so that the answer never holds
 * dead weight.  Gains are summed from the highest index down, so a set's
 * gain is the same double whatever the capacity that chose it.
 *
 * Time O(n * B), memory about 12 * n * (B + 1) bytes.
 */
struct knap;

/*
 * Solves for all capacities 0..cap.  cost and gain (n entries each) are
 * read, not kept; n may be 0.  Returns a new table that the caller frees
 * with knap_free, or NULL with a reason in err when a gain is NaN or the
 * table would not fit in memory (n * (cap + 1) overflows).
 */
struct knap	*knap_solve(const uint32_t *cost, const double *gain, size_t n,
		    uint32_t cap, char *err, size_t errlen);

/* The largest capacity the table answers. */
uint32_t	 knap_cap(const struct knap *k);

/*
 * The best set for capacity c (c > knap_cap is answered as knap_cap).
 * Writes the chosen indices in ascending order to items (room for n
 * entries; items may be NULL) and returns how many there are.  *gain and
 * *bits receive the set's total gain and cost; either may be NULL.
 */
size_t		 knap_best(const struct knap *k, uint32_t c, size_t *items,
		    double *gain, uint32_t *bits);

/* NULL-safe. */
void		 knap_free(struct knap *k);

#endif
