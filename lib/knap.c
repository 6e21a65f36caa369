#include "knap.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct knap {
	size_t		 n;
	uint32_t	 cap;
	uint32_t	*cost;		/* n entries */
	unsigned char	*take;		/* [i][c]: item i taken */
	double		*gain;		/* [c]: best gain */
	uint32_t	*bits;		/* cap + 1: its cost */
};

/*
 * Items are added from the last to the first, the row of values updated
 * in place with c descending (the classic 0/1 order).  When item i is
 * considered, row[c] is the best over items i+1..n-1, so take[i][c] says
 * whether the best over items i..n-1 at capacity c holds i.  A tie in
 * (gain, bits) takes i: the lexicographically smaller index list.
 */
struct knap *
knap_solve(const uint32_t *cost, const double *gain, size_t n, uint32_t cap,
    char *err, size_t errlen)
{
	struct knap *k;
	size_t i, w = (size_t)cap + 1;
	uint32_t c, ci;
	double g, cand;
	unsigned char *t;

	for (i = 0; i < n; i++) {
		if (isnan(gain[i])) {
			snprintf(err, errlen, "gain of item %zu is not a number",
			    i);
			return NULL;
		}
	}
	if (w == 0 || (n > 0 && w > SIZE_MAX / n)) {
		snprintf(err, errlen, "knapsack table too large");
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->n = n;
	k->cap = cap;
	k->cost = xcalloc(n ? n : 1, sizeof(*k->cost));
	if (n > 0)
		memcpy(k->cost, cost, n * sizeof(*cost));
	k->take = xcalloc(n ? n * w : 1, 1);
	k->gain = xcalloc(w, sizeof(*k->gain));
	k->bits = xcalloc(w, sizeof(*k->bits));
	for (i = n; i-- > 0;) {
		g = gain[i];
		ci = cost[i];
		if (!(g > 0) || ci > cap)
			continue;
		t = k->take + i * w;
		for (c = cap;; c--) {
			cand = k->gain[c - ci] + g;
			if (cand > k->gain[c] || (cand == k->gain[c] &&
			    k->bits[c - ci] + ci <= k->bits[c])) {
				k->gain[c] = cand;
				k->bits[c] = k->bits[c - ci] + ci;
				t[c] = 1;
			}
			if (c == ci)
				break;
		}
	}
	return k;
}

uint32_t
knap_cap(const struct knap *k)
{
	return k->cap;
}

size_t
knap_best(const struct knap *k, uint32_t c, size_t *items, double *gain,
    uint32_t *bits)
{
	size_t i, m = 0, w = (size_t)k->cap + 1;
	uint32_t left;

	if (c > k->cap)
		c = k->cap;
	if (gain != NULL)
		*gain = k->gain[c];
	if (bits != NULL)
		*bits = k->bits[c];
	left = c;
	for (i = 0; i < k->n; i++) {
		if (k->take[i * w + left]) {
			if (items != NULL)
				items[m] = i;
			m++;
			left -= k->cost[i];
		}
	}
	return m;
}

void
knap_free(struct knap *k)
{
	if (k == NULL)
		return;
	free(k->cost);
	free(k->take);
	free(k->gain);
	free(k->bits);
	free(k);
}
