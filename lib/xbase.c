#include "xbase.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>

int
xbase_ladder(unsigned char pk[32], const unsigned char sk[32])
{
	return crypto_scalarmult_base(pk, sk) == 0 ? 0 : -1;
}

#if defined(__SIZEOF_INT128__)

__extension__ typedef unsigned __int128 u128;

/* A field element mod p = 2^255 - 19: five limbs of 51 bits. */
typedef uint64_t fe[5];

#define M51	((UINT64_C(1) << 51) - 1)

static void
fe_frombytes(fe h, const unsigned char s[32])
{
	uint64_t w[4];
	int i, k;

	for (i = 0; i < 4; i++)
		for (w[i] = 0, k = 7; k >= 0; k--)
			w[i] = w[i] << 8 | s[8 * i + k];
	h[0] = w[0] & M51;
	h[1] = (w[0] >> 51 | w[1] << 13) & M51;
	h[2] = (w[1] >> 38 | w[2] << 26) & M51;
	h[3] = (w[2] >> 25 | w[3] << 39) & M51;
	h[4] = (w[3] >> 12) & M51;	/* drops bit 255 */
}

/* h = the sums r0..r4 of products, limbs reduced below 2^52. */
static inline void
carry(fe h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
	uint64_t c;

	r1 += (uint64_t)(r0 >> 51);
	r2 += (uint64_t)(r1 >> 51);
	r3 += (uint64_t)(r2 >> 51);
	r4 += (uint64_t)(r3 >> 51);
	c = (uint64_t)(r4 >> 51);
	h[0] = ((uint64_t)r0 & M51) + 19 * c;
	h[1] = ((uint64_t)r1 & M51) + (h[0] >> 51);
	h[0] &= M51;
	h[2] = (uint64_t)r2 & M51;
	h[3] = (uint64_t)r3 & M51;
	h[4] = (uint64_t)r4 & M51;
}

/* Limbs below 2^54 in, below 2^52 out. */
static void
fe_mul(fe h, const fe f, const fe g)
{
	uint64_t g1 = 19 * g[1], g2 = 19 * g[2], g3 = 19 * g[3],
	    g4 = 19 * g[4];
	u128 r0, r1, r2, r3, r4;

	r0 = (u128)f[0] * g[0] + (u128)f[1] * g4 + (u128)f[2] * g3 +
	    (u128)f[3] * g2 + (u128)f[4] * g1;
	r1 = (u128)f[0] * g[1] + (u128)f[1] * g[0] + (u128)f[2] * g4 +
	    (u128)f[3] * g3 + (u128)f[4] * g2;
	r2 = (u128)f[0] * g[2] + (u128)f[1] * g[1] + (u128)f[2] * g[0] +
	    (u128)f[3] * g4 + (u128)f[4] * g3;
	r3 = (u128)f[0] * g[3] + (u128)f[1] * g[2] + (u128)f[2] * g[1] +
	    (u128)f[3] * g[0] + (u128)f[4] * g4;
	r4 = (u128)f[0] * g[4] + (u128)f[1] * g[3] + (u128)f[2] * g[2] +
	    (u128)f[3] * g[1] + (u128)f[4] * g[0];
	carry(h, r0, r1, r2, r3, r4);
}

/* h = f^2 with 15 products instead of 25; limbs as for fe_mul. */
static void
fe_sq(fe h, const fe f)
{
	uint64_t d0 = 2 * f[0], d1 = 2 * f[1], f3_19 = 19 * f[3],
	    f4_19 = 19 * f[4];
	u128 r0, r1, r2, r3, r4;

	r0 = (u128)f[0] * f[0] + (u128)d1 * f4_19 + (u128)(2 * f[2]) * f3_19;
	r1 = (u128)d0 * f[1] + (u128)(2 * f[2]) * f4_19 + (u128)f[3] * f3_19;
	r2 = (u128)d0 * f[2] + (u128)f[1] * f[1] + (u128)(2 * f[3]) * f4_19;
	r3 = (u128)d0 * f[3] + (u128)d1 * f[2] + (u128)f[4] * f4_19;
	r4 = (u128)d0 * f[4] + (u128)d1 * f[3] + (u128)f[2] * f[2];
	carry(h, r0, r1, r2, r3, r4);
}

/* h = f^(2^n) */
static void
fe_sqn(fe h, const fe f, int n)
{
	fe_sq(h, f);
	while (--n > 0)
		fe_sq(h, h);
}

/* h = z^(p - 2) = 1/z, by the addition chain of ref10's fe_invert. */
static void
fe_invert(fe out, const fe z)
{
	fe t0, t1, t2, t3;

	fe_sqn(t0, z, 1);		/* 2 */
	fe_sqn(t1, t0, 2);		/* 8 */
	fe_mul(t1, z, t1);		/* 9 */
	fe_mul(t0, t0, t1);		/* 11 */
	fe_sqn(t2, t0, 1);		/* 22 */
	fe_mul(t1, t1, t2);		/* 2^5 - 1 */
	fe_sqn(t2, t1, 5);
	fe_mul(t1, t2, t1);		/* 2^10 - 1 */
	fe_sqn(t2, t1, 10);
	fe_mul(t2, t2, t1);		/* 2^20 - 1 */
	fe_sqn(t3, t2, 20);
	fe_mul(t2, t3, t2);		/* 2^40 - 1 */
	fe_sqn(t2, t2, 10);
	fe_mul(t1, t2, t1);		/* 2^50 - 1 */
	fe_sqn(t2, t1, 50);
	fe_mul(t2, t2, t1);		/* 2^100 - 1 */
	fe_sqn(t3, t2, 100);
	fe_mul(t2, t3, t2);		/* 2^200 - 1 */
	fe_sqn(t2, t2, 50);
	fe_mul(t1, t2, t1);		/* 2^250 - 1 */
	fe_sqn(t1, t1, 5);		/* 2^255 - 32 */
	fe_mul(out, t1, t0);		/* 2^255 - 21 = p - 2 */
}

/* The canonical 32 bytes of h (limbs below 2^52). */
static void
fe_tobytes(unsigned char s[32], const fe f)
{
	uint64_t h[5], q, w[4];
	int i, k;

	memcpy(h, f, sizeof(h));
	for (k = 0; k < 2; k++) {	/* limbs below 2^51 */
		h[1] += h[0] >> 51; h[0] &= M51;
		h[2] += h[1] >> 51; h[1] &= M51;
		h[3] += h[2] >> 51; h[2] &= M51;
		h[4] += h[3] >> 51; h[3] &= M51;
		h[0] += 19 * (h[4] >> 51); h[4] &= M51;
	}
	/* q = 1 when h >= p: then h + 19 carries out of bit 255 */
	q = (h[0] + 19) >> 51;
	q = (h[1] + q) >> 51;
	q = (h[2] + q) >> 51;
	q = (h[3] + q) >> 51;
	q = (h[4] + q) >> 51;
	h[0] += 19 * q;
	h[1] += h[0] >> 51; h[0] &= M51;
	h[2] += h[1] >> 51; h[1] &= M51;
	h[3] += h[2] >> 51; h[2] &= M51;
	h[4] += h[3] >> 51; h[3] &= M51;
	h[4] &= M51;			/* drops 2^255: h - p */
	w[0] = h[0] | h[1] << 51;
	w[1] = h[1] >> 13 | h[2] << 38;
	w[2] = h[2] >> 26 | h[3] << 25;
	w[3] = h[3] >> 39 | h[4] << 12;
	for (i = 0; i < 4; i++)
		for (k = 0; k < 8; k++)
			s[8 * i + k] = (unsigned char)(w[i] >> (8 * k));
}

int
xbase(unsigned char pk[32], const unsigned char sk[32])
{
	unsigned char ed[32];
	fe y, num, den, inv;
	/* 2p in limbs, so that 2p - y stays positive */
	static const uint64_t two_p[5] = {
		2 * (M51 - 18), 2 * M51, 2 * M51, 2 * M51, 2 * M51
	};
	int i;

	if (crypto_scalarmult_ed25519_base(ed, sk) != 0)
		return xbase_ladder(pk, sk);
	fe_frombytes(y, ed);		/* y < p, the sign of x dropped */
	for (i = 0; i < 5; i++) {
		num[i] = y[i];
		den[i] = two_p[i] - y[i];
	}
	num[0] += 1;			/* 1 + y */
	den[0] += 1;			/* 1 - y + 2p */
	fe_invert(inv, den);
	fe_mul(num, num, inv);
	fe_tobytes(pk, num);
	return 0;
}

#else

int
xbase(unsigned char pk[32], const unsigned char sk[32])
{
	return xbase_ladder(pk, sk);
}

#endif
