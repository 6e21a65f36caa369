/*
 * dot8: the AVX2 and AVX-512 first passes of the catalog scan give the
 * same bits as the portable one, and both give the integer dot products a plain
 * 64-bit sum gives, on random blocks, selections and queries, at the
 * largest query values the caller allows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dot8.h"
#include "rng.h"
#include "unit.h"

static float
rnd_float(struct rng *r, double lo, double hi)
{
	return (float)(lo + (hi - lo) * rng_double(r));
}

int
main(void)
{
	struct rng r;
	struct dot8_blocks b;
	struct dot8_query q;
	uint32_t *blk;
	uint64_t *sel;
	struct dot8_sel *list;
	size_t nlist;
	int16_t *q16;
	float *scale, *err, *qv, *b1, *b2, *m1, *m2, want, mx;
	size_t nblk, dw, np, i, j, l, p;
	int trial, n = (int)unit_n(400), have[2] = { 0, 0 }, same = 1;
	int right = 1, v;
	long Q, D, x;

	{ uint64_t seed = 11; rng_init(&r, &seed, "dot8", 4); }
	for (trial = 0; trial < n; trial++) {
		nblk = 1 + rng_below(&r, 40);
		dw = 1 + rng_below(&r, trial % 10 == 0 ? 1024 : 16);
		np = nblk * 8;
		/* the caller's limit: sum 127 |q16_j| < 2^31 */
		Q = (long)(2147483647.0 / (127.0 * 4 * (double)dw));
		if (Q > 32767)
			Q = 32767;
		blk = calloc(nblk * dw * 8, sizeof(*blk));
		sel = calloc(nblk / 8 + 1, sizeof(*sel));
		q16 = calloc(dw * 4, sizeof(*q16));
		scale = calloc(np, sizeof(float));
		err = calloc(np, sizeof(float));
		qv = calloc(np, sizeof(float));
		b1 = calloc(np, sizeof(float));
		b2 = calloc(np, sizeof(float));
		m1 = calloc(nblk, sizeof(float));
		m2 = calloc(nblk, sizeof(float));
		for (i = 0; i < nblk * dw * 8; i++)
			blk[i] = trial % 7 == 0 ? 0x81818181u :	/* all -127 */
			    (uint32_t)rng_below(&r, UINT32_MAX);
		for (i = 0; i < dw * 4; i++)
			q16[i] = (int16_t)(trial % 7 == 0 ? -Q :
			    (long)rng_below(&r, (uint64_t)(2 * Q + 1)) - Q);
		for (i = 0; i < nblk / 8 + 1; i++)
			sel[i] = rng_below(&r, 3) == 0 ? 0 :
			    (rng_below(&r, UINT32_MAX) << 32) ^
			    rng_below(&r, UINT32_MAX);
		for (p = 0; p < np; p++) {
			scale[p] = rnd_float(&r, 0, 0.1);
			err[p] = rnd_float(&r, 0, 0.01);
			qv[p] = rnd_float(&r, -3, 8);
		}
		if (trial % 5 == 1)
			qv[rng_below(&r, np)] = NAN;
		q.q16 = q16;
		q.t = rnd_float(&r, 1e-6f, 1e-3f);
		q.r = rnd_float(&r, 0, 1e-3f);
		q.qm = rnd_float(&r, 0, 4);
		b.blk = blk;
		b.nblk = nblk;
		b.dw = dw;
		b.scale = scale;
		b.err = err;
		b.qv = qv;
		list = calloc(nblk, sizeof(*list));
		for (nlist = 0, i = 0; i < nblk; i++)
			if (((sel[i / 8] >> (i % 8 * 8)) & 0xff) != 0) {
				list[nlist].blk = (uint32_t)i;
				list[nlist++].mask = (uint32_t)(sel[i / 8] >>
				    (i % 8 * 8)) & 0xff;
			}
		dot8_bounds_portable(&b, list, nlist, &q, b1, m1);
		for (v = 0; v < 2; v++) {
			if (!(v == 0 ? dot8_bounds_avx2 : dot8_bounds_avx512)(
			    &b, list, nlist, &q, b2, m2))
				continue;
			have[v] = 1;
			for (j = 0; j < nlist; j++) {
				i = list[j].blk;
				if (memcmp(&b1[i * 8], &b2[i * 8],
				    8 * sizeof(float)) != 0 ||
				    memcmp(&m1[j], &m2[j], sizeof(float)) != 0)
					same = 0;
			}
		}
		/* the reference: 64-bit sums, then the formula of dot8.h */
		for (nlist = 0, i = 0; i < nblk; i++) {
			if (((sel[i / 8] >> (i % 8 * 8)) & 0xff) == 0)
				continue;
			mx = -INFINITY;
			for (l = 0; l < 8; l++) {
				p = i * 8 + l;
				for (D = 0, j = 0; j < dw * 4; j++) {
					x = (long)(blk[(i * dw + j / 4) * 8 +
					    l] >> (j % 4 * 8) & 0xff);
					D += (x - ((x & 0x80) << 1)) * q16[j];
				}
				want = (scale[p] * (q.t * (float)D + q.r) +
				    q.qm * err[p]) + qv[p];
				if (memcmp(&want, &b1[p], sizeof(float)) != 0)
					right = 0;
				if ((sel[i / 8] >> (i % 8 * 8 + l)) & 1 &&
				    (want > mx || want != want))
					mx = want;
			}
			if (memcmp(&mx, &m1[nlist++], sizeof(float)) != 0)
				right = 0;
		}
		free(list);
		free(blk); free(sel); free(q16); free(scale); free(err);
		free(qv); free(b1); free(b2); free(m1); free(m2);
	}
	CHECK(right);
	CHECK(same);
	if (!have[0] || !have[1])
		fprintf(stderr, "test_dot8: checked the portable version%s%s "
		    "(the others need a CPU that has them)\n",
		    have[0] ? ", AVX2" : "", have[1] ? ", AVX-512" : "");
	return unit_report();
}
