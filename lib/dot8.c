#include "dot8.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define HAVE_AVX2_VERSION 1
#include <immintrin.h>
#endif

/* the signed byte b of w */
static inline int32_t
sbyte(uint32_t w, int b)
{
	int32_t x = (int32_t)(w >> (8 * b) & 0xff);

	return x - ((x & 0x80) << 1);
}

static unsigned
block_sel(const uint64_t *sel, size_t blk)
{
	return (unsigned)(sel[blk / 8] >> (blk % 8 * 8)) & 0xff;
}

void
dot8_bounds_portable(const struct dot8_blocks *b, const uint64_t *sel,
    const struct dot8_query *q, float *bound, float *bmax)
{
	const uint32_t *row;
	int32_t D[8];
	float x, mx;
	size_t blk, j, p;
	uint32_t w;
	int l;

	for (blk = 0; blk < b->nblk; blk++) {
		if (block_sel(sel, blk) == 0)
			continue;
		row = &b->blk[blk * b->dw * 8];
		memset(D, 0, sizeof(D));
		for (j = 0; j < b->dw; j++)
			for (l = 0; l < 8; l++) {
				w = row[j * 8 + (size_t)l];
				D[l] += sbyte(w, 0) * q->q16[4 * j] +
				    sbyte(w, 1) * q->q16[4 * j + 1] +
				    sbyte(w, 2) * q->q16[4 * j + 2] +
				    sbyte(w, 3) * q->q16[4 * j + 3];
			}
		mx = -INFINITY;
		for (l = 0; l < 8; l++) {
			p = blk * 8 + (size_t)l;
			x = (b->scale[p] * (q->t * (float)D[l] + q->r) +
			    q->qm * b->err[p]) + b->qv[p];
			bound[p] = x;
			if (block_sel(sel, blk) >> l & 1 && (x > mx || x != x))
				mx = x;
		}
		bmax[blk] = mx;
	}
}

#ifdef HAVE_AVX2_VERSION

/*
 * Per word j: the 16 bytes of ads 0-3 and of ads 4-7 widened to 16-bit
 * integers, multiplied by the query's four values and summed in pairs
 * (vpmaddwd): lane 2l + h of a sum holds ad l's dimensions 4j + 2h and
 * 4j + 2h + 1.  A horizontal add and a permutation put the 8 ads in
 * order.
 */
__attribute__((target("avx2")))
static void
bounds_avx2(const struct dot8_blocks *b, const uint64_t *sel,
    const struct dot8_query *q, float *bound, float *bmax)
{
	const __m256i bit = _mm256_set_epi32(128, 64, 32, 16, 8, 4, 2, 1);
	const unsigned char *row;
	__m256i lo, hi, qj, s, m;
	__m256 d, v;
	__m128 h;
	size_t blk, j, p;
	int64_t q4;
	unsigned mb;

	for (blk = 0; blk < b->nblk; blk++) {
		if ((mb = block_sel(sel, blk)) == 0)
			continue;
		row = (const unsigned char *)&b->blk[blk * b->dw * 8];
		lo = hi = _mm256_setzero_si256();
		for (j = 0; j < b->dw; j++) {
			memcpy(&q4, &q->q16[4 * j], sizeof(q4));
			qj = _mm256_set1_epi64x(q4);
			lo = _mm256_add_epi32(lo, _mm256_madd_epi16(
			    _mm256_cvtepi8_epi16(_mm_loadu_si128(
			    (const __m128i *)(const void *)(row + 32 * j))),
			    qj));
			hi = _mm256_add_epi32(hi, _mm256_madd_epi16(
			    _mm256_cvtepi8_epi16(_mm_loadu_si128(
			    (const __m128i *)(const void *)(row + 32 * j +
			    16))), qj));
		}
		/* [0 1 4 5 | 2 3 6 7] -> [0 1 2 3 | 4 5 6 7] */
		s = _mm256_permute4x64_epi64(_mm256_hadd_epi32(lo, hi),
		    _MM_SHUFFLE(3, 1, 2, 0));
		p = blk * 8;
		d = _mm256_cvtepi32_ps(s);
		d = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(q->t), d),
		    _mm256_set1_ps(q->r));
		d = _mm256_mul_ps(_mm256_loadu_ps(&b->scale[p]), d);
		v = _mm256_mul_ps(_mm256_set1_ps(q->qm),
		    _mm256_loadu_ps(&b->err[p]));
		d = _mm256_add_ps(_mm256_add_ps(d, v),
		    _mm256_loadu_ps(&b->qv[p]));
		_mm256_storeu_ps(&bound[p], d);
		/* the largest over the lanes of sel; NaN if one is NaN */
		m = _mm256_and_si256(_mm256_set1_epi32((int)mb), bit);
		m = _mm256_cmpeq_epi32(m, bit);
		if (_mm256_movemask_ps(_mm256_cmp_ps(d, d, _CMP_UNORD_Q)) &
		    (int)mb) {
			bmax[blk] = NAN;
			continue;
		}
		v = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), d,
		    _mm256_castsi256_ps(m));
		h = _mm_max_ps(_mm256_castps256_ps128(v),
		    _mm256_extractf128_ps(v, 1));
		h = _mm_max_ps(h, _mm_movehl_ps(h, h));
		h = _mm_max_ss(h, _mm_movehdup_ps(h));
		bmax[blk] = _mm_cvtss_f32(h);
	}
}

int
dot8_bounds_avx2(const struct dot8_blocks *b, const uint64_t *sel,
    const struct dot8_query *q, float *bound, float *bmax)
{
	if (!__builtin_cpu_supports("avx2"))
		return 0;
	bounds_avx2(b, sel, q, bound, bmax);
	return 1;
}

#else

int
dot8_bounds_avx2(const struct dot8_blocks *b, const uint64_t *sel,
    const struct dot8_query *q, float *bound, float *bmax)
{
	return 0;
}

#endif

void
dot8_bounds(const struct dot8_blocks *b, const uint64_t *sel,
    const struct dot8_query *q, float *bound, float *bmax)
{
	if (!dot8_bounds_avx2(b, sel, q, bound, bmax))
		dot8_bounds_portable(b, sel, q, bound, bmax);
}
