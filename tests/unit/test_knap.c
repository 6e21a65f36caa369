/* knap: hand examples, tie rules, and brute force over all subsets. */
#include <stdint.h>
#include <stdlib.h>

#include "knap.h"
#include "rng.h"
#include "unit.h"

#define MAXN	11

/*
 * Brute force: every subset of the items with gain > 0 (an item of gain
 * <= 0 is never taken, see knap.h), best by gain, then fewer bits, then
 * the lexicographically smaller ascending index list.  Gains are summed
 * in ascending index order, which is exact for the integer gains used
 * where ties matter.
 */
static size_t
brute(const uint32_t *cost, const double *gain, size_t n, uint32_t cap,
    size_t *best, double *bg, uint32_t *bb)
{
	size_t nb = 0, set[MAXN], m, i, k;
	uint32_t mask, bits;
	double g;
	int better;

	*bg = 0;
	*bb = 0;
	for (mask = 0; mask < (1u << n); mask++) {
		g = 0;
		bits = 0;
		m = 0;
		for (i = 0; i < n; i++) {
			if (mask & (1u << i)) {
				if (!(gain[i] > 0))
					break;
				g += gain[i];
				bits += cost[i];
				set[m++] = i;
			}
		}
		if (i < n || bits > cap)
			continue;
		if (g != *bg)
			better = g > *bg;
		else if (bits != *bb)
			better = bits < *bb;
		else {
			better = 0;
			for (k = 0; k < m && k < nb; k++) {
				if (set[k] != best[k]) {
					better = set[k] < best[k];
					break;
				}
			}
			if (k == m || k == nb)		/* a prefix */
				better = m < nb;
		}
		if (mask == 0 || better) {
			*bg = g;
			*bb = bits;
			for (k = 0; k < m; k++)
				best[k] = set[k];
			nb = m;
		}
	}
	return nb;
}

static int
same(const size_t *a, size_t na, const size_t *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static void
random_case(struct rng *r, int integer, int *bad_sets, int *bad_gain)
{
	uint32_t cost[MAXN], cap, c, bits, bb;
	double gain[MAXN], g, bg;
	size_t n, i, items[MAXN], ref[MAXN], m, nr;
	struct knap *k;
	char err[64];

	n = (size_t)rng_below(r, MAXN + 1);
	cap = 0;
	for (i = 0; i < n; i++) {
		cost[i] = (uint32_t)rng_below(r, 7);	/* 0..6 bits */
		if (integer)
			gain[i] = (double)rng_below(r, 8) - 2;	/* -2..5 */
		else
			gain[i] = rng_double(r) * 10 - 1;
		cap += cost[i];
	}
	cap += 1;
	k = knap_solve(cost, gain, n, cap, err, sizeof(err));
	if (k == NULL) {
		(*bad_sets)++;
		return;
	}
	for (c = 0; c <= cap; c++) {
		m = knap_best(k, c, items, &g, &bits);
		nr = brute(cost, gain, n, c, ref, &bg, &bb);
		if (!same(items, m, ref, nr) || bits != bb)
			(*bad_sets)++;
		if (fabs(g - bg) > 1e-12 * (1 + fabs(bg)))
			(*bad_gain)++;
	}
	knap_free(k);
}

int
main(void)
{
	/*
	 * By hand: costs 5 4 6 3, gains 10 40 30 50, capacity 10.  The
	 * pairs that fit: {0,1} 9 bits 50, {0,3} 8 bits 60, {1,2} 10 bits
	 * 70, {1,3} 7 bits 90, {2,3} 9 bits 80; no triple fits (min 12).
	 * Best {1,3}, gain 90, 7 bits.  At capacity 3 only {3}: 50.
	 */
	uint32_t c1[] = { 5, 4, 6, 3 };
	double g1[] = { 10, 40, 30, 50 };
	/* Ties: {0,1} and {2} both gain 2 in 4 bits: lower indices win. */
	uint32_t c2[] = { 2, 2, 4 };
	double g2[] = { 1, 1, 2 };
	/* {0} and {1} gain 1: fewer bits wins, {1}. */
	uint32_t c3[] = { 3, 2 };
	double g3[] = { 1, 1 };
	/* Zero- and negative-gain items are left out, even at no cost. */
	uint32_t c4[] = { 0, 1, 0, 2 };
	double g4[] = { 0, -1, 0.5, 0 };
	double gnan[] = { 1, NAN };
	size_t items[8], m;
	double g;
	uint32_t bits;
	struct knap *k;
	struct rng r;
	uint64_t seed = 7;
	char err[64];
	int i, bad_sets = 0, bad_gain = 0;

	k = knap_solve(c1, g1, 4, 10, err, sizeof(err));
	CHECK(k != NULL && knap_cap(k) == 10);
	m = knap_best(k, 10, items, &g, &bits);
	CHECK(m == 2 && items[0] == 1 && items[1] == 3);
	CHECK(g == 90 && bits == 7);
	m = knap_best(k, 3, items, &g, &bits);
	CHECK(m == 1 && items[0] == 3 && g == 50 && bits == 3);
	m = knap_best(k, 2, items, &g, &bits);
	CHECK(m == 0 && g == 0 && bits == 0);
	m = knap_best(k, 99, NULL, &g, NULL);		/* clamped to 10 */
	CHECK(m == 2 && g == 90);
	knap_free(k);

	k = knap_solve(c2, g2, 3, 4, err, sizeof(err));
	m = knap_best(k, 4, items, &g, &bits);
	CHECK(m == 2 && items[0] == 0 && items[1] == 1 && g == 2 && bits == 4);
	knap_free(k);

	k = knap_solve(c3, g3, 2, 3, err, sizeof(err));
	m = knap_best(k, 3, items, &g, &bits);
	CHECK(m == 1 && items[0] == 1 && bits == 2);
	knap_free(k);

	k = knap_solve(c4, g4, 4, 5, err, sizeof(err));
	m = knap_best(k, 5, items, &g, &bits);
	CHECK(m == 1 && items[0] == 2 && g == 0.5 && bits == 0);
	knap_free(k);

	k = knap_solve(NULL, NULL, 0, 3, err, sizeof(err));
	CHECK(k != NULL && knap_best(k, 3, items, &g, &bits) == 0 && g == 0);
	knap_free(k);
	knap_free(NULL);

	CHECK(knap_solve(c3, gnan, 2, 3, err, sizeof(err)) == NULL);
	CHECK_STR(err, "gain of item 1 is not a number");

	rng_init(&r, &seed, "knap", 4);
	for (i = 0; i < 300; i++)
		random_case(&r, i % 2 == 0, &bad_sets, &bad_gain);
	CHECK(bad_sets == 0);
	CHECK(bad_gain == 0);
	return unit_report();
}
