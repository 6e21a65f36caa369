#ifndef ADSIG_DOT8_H
#define ADSIG_DOT8_H
#include <stddef.h>
#include <stdint.h>

/*
 * The first pass of the catalog scan (lib/catalog.c): for blocks of 8
 * ads whose embeddings are 8-bit integers (catalog_finish's layout:
 * word j of a block holds dimensions 4j..4j+3 of ad l in its lane l,
 * dimension 4j + b in byte b), the exact integer dot products
 * D = sum_j qa_j q16_j with a query in 16-bit integers, and from them
 *
 *	bound = (scale (t D + r) + qm err) + qv
 *
 * in floats, in that order, lane by lane, for the blocks of the list
 * sel[0..nsel): into bound[8 blk + l], and into bmax[i] the largest
 * bound of the lanes that sel[i].mask selects (bit l: lane l; NaN when
 * one of them is NaN).
 *
 * The caller chooses q16 so that sum_j 127 |q16_j| < 2^31: the sums
 * never overflow.  dot8_bounds() runs the AVX-512 version where the CPU
 * has AVX-512 F and BW, else the AVX2 version where it has AVX2, else
 * the portable one; all give the same bits (tests/unit/test_dot8.c).
 */
struct dot8_query {
	const int16_t	*q16;	/* 4 * dw: the query, zero padded */
	float		 t;	/* the query's scale */
	float		 r;	/* added to t D before the scale */
	float		 qm;	/* times err */
};

struct dot8_sel {
	uint32_t	 blk;	/* a block */
	uint32_t	 mask;	/* its selected lanes, not 0 */
};

struct dot8_blocks {
	const uint32_t	*blk;	/* nblk blocks of dw x 8 words */
	size_t		 nblk, dw;
	const float	*scale, *err, *qv;	/* per position */
};

void	dot8_bounds(const struct dot8_blocks *b, const struct dot8_sel *sel,
	    size_t nsel, const struct dot8_query *q, float *bound,
	    float *bmax);
void	dot8_bounds_portable(const struct dot8_blocks *b,
	    const struct dot8_sel *sel, size_t nsel,
	    const struct dot8_query *q, float *bound, float *bmax);
/*
 * 0 when this CPU or compiler has no AVX2 (AVX-512 F and BW) version;
 * nothing is written then.
 */
int	dot8_bounds_avx2(const struct dot8_blocks *b,
	    const struct dot8_sel *sel, size_t nsel,
	    const struct dot8_query *q, float *bound, float *bmax);
int	dot8_bounds_avx512(const struct dot8_blocks *b,
	    const struct dot8_sel *sel, size_t nsel,
	    const struct dot8_query *q, float *bound, float *bmax);

#endif
