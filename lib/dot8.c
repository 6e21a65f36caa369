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

void
dot8_bounds_portable(const struct dot8_blocks *b, const struct dot8_sel *sel,
    size_t nsel, const struct dot8_query *q, float *bound, float *bmax)
{
	const uint32_t *row;
	int32_t D[8];
	float x, mx;
	size_t blk, i, j, p;
	uint32_t w;
	int l;

	for (i = 0; i < nsel; i++) {
		blk = sel[i].blk;
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
			if (sel[i].mask >> l & 1 && (x > mx || x != x))
				mx = x;
		}
		bmax[i] = mx;
	}
}

#ifdef HAVE_AVX2_VERSION

/*
 * The float part, from the 8 dot products s of block blk: its bounds
 * into bound, and the largest over the lanes of mb (NaN if one is NaN)
 * returned.
 */
__attribute__((target("avx2")))
static inline float
finish(const struct dot8_blocks *b, const struct dot8_query *q, __m256i s,
    size_t blk, unsigned mb, float *bound)
{
	const __m256i bit = _mm256_set_epi32(128, 64, 32, 16, 8, 4, 2, 1);
	size_t p = blk * 8;
	__m256i m;
	__m256 d, v;
	__m128 h;

	d = _mm256_cvtepi32_ps(s);
	d = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(q->t), d),
	    _mm256_set1_ps(q->r));
	d = _mm256_mul_ps(_mm256_loadu_ps(&b->scale[p]), d);
	v = _mm256_mul_ps(_mm256_set1_ps(q->qm), _mm256_loadu_ps(&b->err[p]));
	d = _mm256_add_ps(_mm256_add_ps(d, v), _mm256_loadu_ps(&b->qv[p]));
	_mm256_storeu_ps(&bound[p], d);
	if (_mm256_movemask_ps(_mm256_cmp_ps(d, d, _CMP_UNORD_Q)) & (int)mb)
		return NAN;
	m = _mm256_and_si256(_mm256_set1_epi32((int)mb), bit);
	m = _mm256_cmpeq_epi32(m, bit);
	v = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), d,
	    _mm256_castsi256_ps(m));
	h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	h = _mm_max_ps(h, _mm_movehl_ps(h, h));
	h = _mm_max_ss(h, _mm_movehdup_ps(h));
	return _mm_cvtss_f32(h);
}

/*
 * Per word j: the 16 bytes of ads 0-3 and of ads 4-7 widened to 16-bit
 * integers, multiplied by the query's four values and summed in pairs
 * (vpmaddwd): lane 2l + h of a sum holds ad l's dimensions 4j + 2h and
 * 4j + 2h + 1.  A horizontal add and a permutation put the 8 ads in
 * order.
 */
__attribute__((target("avx2")))
static void
bounds_avx2(const struct dot8_blocks *b, const struct dot8_sel *sel,
    size_t nsel, const struct dot8_query *q, float *bound, float *bmax)
{
	const unsigned char *row;
	__m256i lo, hi, qj, s;
	size_t blk, i, j;
	int64_t q4;
	unsigned mb;

	for (i = 0; i < nsel; i++) {
		blk = sel[i].blk;
		mb = sel[i].mask;
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
		bmax[i] = finish(b, q, s, blk, mb, bound);
	}
}

/*
 * The same with 512-bit registers: word j of all 8 ads (32 bytes)
 * widens to 32 16-bit integers at once, and lane 2l + h of the sum
 * holds ad l's dimensions 4j + 2h, 4j + 2h + 1; the pairs are added and
 * narrowed at the end.  The float part is the AVX2 one.
 */
__attribute__((target("avx512f,avx512bw")))
static void
bounds_avx512(const struct dot8_blocks *b, const struct dot8_sel *sel,
    size_t nsel, const struct dot8_query *q, float *bound, float *bmax)
{
	const unsigned char *row;
	__m512i acc, qj;
	__m256i s;
	size_t blk, i, j;
	int64_t q4;
	unsigned mb;

	for (i = 0; i < nsel; i++) {
		blk = sel[i].blk;
		mb = sel[i].mask;
		row = (const unsigned char *)&b->blk[blk * b->dw * 8];
		acc = _mm512_setzero_si512();
		for (j = 0; j < b->dw; j++) {
			memcpy(&q4, &q->q16[4 * j], sizeof(q4));
			qj = _mm512_set1_epi64(q4);
			acc = _mm512_add_epi32(acc, _mm512_madd_epi16(
			    _mm512_cvtepi8_epi16(_mm256_loadu_si256(
			    (const __m256i *)(const void *)(row + 32 * j))),
			    qj));
		}
		/* lane pairs (2l, 2l + 1) summed into the low half of
		 * 64-bit lane l, then narrowed */
		acc = _mm512_add_epi32(acc, _mm512_srli_epi64(acc, 32));
		s = _mm512_cvtepi64_epi32(acc);
		bmax[i] = finish(b, q, s, blk, mb, bound);
	}
}

int
dot8_bounds_avx2(const struct dot8_blocks *b, const struct dot8_sel *sel,
    size_t nsel, const struct dot8_query *q, float *bound, float *bmax)
{
	if (!__builtin_cpu_supports("avx2"))
		return 0;
	bounds_avx2(b, sel, nsel, q, bound, bmax);
	return 1;
}

int
dot8_bounds_avx512(const struct dot8_blocks *b, const struct dot8_sel *sel,
    size_t nsel, const struct dot8_query *q, float *bound, float *bmax)
{
	if (!__builtin_cpu_supports("avx512f") ||
	    !__builtin_cpu_supports("avx512bw"))
		return 0;
	bounds_avx512(b, sel, nsel, q, bound, bmax);
	return 1;
}

#else

int
dot8_bounds_avx2(const struct dot8_blocks *b, const struct dot8_sel *sel,
    size_t nsel, const struct dot8_query *q, float *bound, float *bmax)
{
	return 0;
}

int
dot8_bounds_avx512(const struct dot8_blocks *b, const struct dot8_sel *sel,
    size_t nsel, const struct dot8_query *q, float *bound, float *bmax)
{
	return 0;
}

#endif

void
dot8_bounds(const struct dot8_blocks *b, const struct dot8_sel *sel,
    size_t nsel, const struct dot8_query *q, float *bound, float *bmax)
{
	if (!dot8_bounds_avx512(b, sel, nsel, q, bound, bmax) &&
	    !dot8_bounds_avx2(b, sel, nsel, q, bound, bmax))
		dot8_bounds_portable(b, sel, nsel, q, bound, bmax);
}
