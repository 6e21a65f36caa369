#include "xbase.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
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

/* Limbs below 2^52 again after an addition or subtraction. */
static inline void
fe_reduce(fe h)
{
	h[1] += h[0] >> 51; h[0] &= M51;
	h[2] += h[1] >> 51; h[1] &= M51;
	h[3] += h[2] >> 51; h[2] &= M51;
	h[4] += h[3] >> 51; h[3] &= M51;
	h[0] += 19 * (h[4] >> 51); h[4] &= M51;
}

/* All limbs of f, g and h below 2^52, before and after. */
static inline void
fe_add(fe h, const fe f, const fe g)
{
	int i;

	for (i = 0; i < 5; i++)
		h[i] = f[i] + g[i];
	fe_reduce(h);
}

static inline void
fe_sub(fe h, const fe f, const fe g)
{
	/* 4p in limbs: each above 2^52 > g's, so nothing goes negative */
	static const uint64_t four_p[5] = {
		4 * (M51 - 18), 4 * M51, 4 * M51, 4 * M51, 4 * M51
	};
	int i;

	for (i = 0; i < 5; i++)
		h[i] = f[i] + four_p[i] - g[i];
	fe_reduce(h);
}

/* f = g where mask is all ones, unchanged where it is zero. */
static inline void
fe_cmov(fe f, const fe g, uint64_t mask)
{
	int i;

	for (i = 0; i < 5; i++)
		f[i] ^= (f[i] ^ g[i]) & mask;
}

static int
fe_iszero(const fe f)
{
	unsigned char s[32];
	int i, acc = 0;

	fe_tobytes(s, f);
	for (i = 0; i < 32; i++)
		acc |= s[i];
	return acc == 0;
}

/* h = z^((p - 5) / 8) = z^(2^252 - 3), ref10's fe_pow22523 chain. */
static void
fe_pow22523(fe out, const fe z)
{
	fe t0, t1, t2;

	fe_sqn(t0, z, 1);		/* 2 */
	fe_sqn(t1, t0, 2);		/* 8 */
	fe_mul(t1, z, t1);		/* 9 */
	fe_mul(t0, t0, t1);		/* 11 */
	fe_sqn(t0, t0, 1);		/* 22 */
	fe_mul(t0, t1, t0);		/* 2^5 - 1 */
	fe_sqn(t1, t0, 5);
	fe_mul(t0, t1, t0);		/* 2^10 - 1 */
	fe_sqn(t1, t0, 10);
	fe_mul(t1, t1, t0);		/* 2^20 - 1 */
	fe_sqn(t2, t1, 20);
	fe_mul(t1, t2, t1);		/* 2^40 - 1 */
	fe_sqn(t1, t1, 10);
	fe_mul(t0, t1, t0);		/* 2^50 - 1 */
	fe_sqn(t1, t0, 50);
	fe_mul(t1, t1, t0);		/* 2^100 - 1 */
	fe_sqn(t2, t1, 100);
	fe_mul(t1, t2, t1);		/* 2^200 - 1 */
	fe_sqn(t1, t1, 50);
	fe_mul(t0, t1, t0);		/* 2^250 - 1 */
	fe_sqn(t0, t0, 2);		/* 2^252 - 4 */
	fe_mul(out, t0, z);		/* 2^252 - 3 */
}

/*
 * The twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 of Ed25519,
 * birationally equivalent to curve25519 by u = (1 + y) / (1 - y).
 * Coordinates and formulas are those of ref10 (Hisil, Wong, Carter
 * and Dawson, "Twisted Edwards curves revisited", 2008): the addition
 * is unified and complete on this curve, so it also doubles and adds
 * the neutral element.
 */
static const fe ed_d = {
	UINT64_C(929955233495203), UINT64_C(466365720129213),
	UINT64_C(1662059464998953), UINT64_C(2033849074728123),
	UINT64_C(1442794654840575)
};
static const fe ed_2d = {
	UINT64_C(1859910466990425), UINT64_C(932731440258426),
	UINT64_C(1072319116312658), UINT64_C(1815898335770999),
	UINT64_C(633789495995903)
};
static const fe sqrtm1 = {
	UINT64_C(1718705420411056), UINT64_C(234908883556509),
	UINT64_C(2233514472574048), UINT64_C(2117202627021982),
	UINT64_C(765476049583133)
};

struct p2	{ fe X, Y, Z; };		/* x = X/Z, y = Y/Z */
struct p3	{ fe X, Y, Z, T; };		/* and xy = T/Z */
struct p1p1	{ fe X, Y, Z, T; };		/* x = X/Z, y = Y/T */
struct pre	{ fe yplusx, yminusx, xy2d; };	/* an affine point */

/* The 32 x 8 multiples [k 256^j]P, k = 1..8, of a fixed point P. */
struct xbase_tab {
	struct pre	m[32][8];
};

static void
p1p1_to_p2(struct p2 *r, const struct p1p1 *p)
{
	fe_mul(r->X, p->X, p->T);
	fe_mul(r->Y, p->Y, p->Z);
	fe_mul(r->Z, p->Z, p->T);
}

static void
p1p1_to_p3(struct p3 *r, const struct p1p1 *p)
{
	fe_mul(r->X, p->X, p->T);
	fe_mul(r->Y, p->Y, p->Z);
	fe_mul(r->Z, p->Z, p->T);
	fe_mul(r->T, p->X, p->Y);
}

/* r = p + q, q affine (ref10's ge_madd) */
static void
madd(struct p1p1 *r, const struct p3 *p, const struct pre *q)
{
	fe a, b, c, d;

	fe_add(a, p->Y, p->X);
	fe_sub(b, p->Y, p->X);
	fe_mul(a, a, q->yplusx);
	fe_mul(b, b, q->yminusx);
	fe_mul(c, q->xy2d, p->T);
	fe_add(d, p->Z, p->Z);
	fe_sub(r->X, a, b);
	fe_add(r->Y, a, b);
	fe_add(r->Z, d, c);
	fe_sub(r->T, d, c);
}

/* r = 2p (ref10's ge_p2_dbl) */
static void
dbl(struct p1p1 *r, const struct p2 *p)
{
	fe xx, yy, zz2, s;

	fe_sq(xx, p->X);
	fe_sq(yy, p->Y);
	fe_sq(zz2, p->Z);
	fe_add(zz2, zz2, zz2);
	fe_add(s, p->X, p->Y);
	fe_sq(s, s);
	fe_add(r->Y, yy, xx);
	fe_sub(r->Z, yy, xx);
	fe_sub(r->X, s, r->Y);
	fe_sub(r->T, zz2, r->Z);
}

/* The affine form of p; public points only (the inversion is). */
static void
to_pre(struct pre *r, const struct p3 *p)
{
	fe zi, x, y;

	fe_invert(zi, p->Z);
	fe_mul(x, p->X, zi);
	fe_mul(y, p->Y, zi);
	fe_add(r->yplusx, y, x);
	fe_sub(r->yminusx, y, x);
	fe_mul(x, x, y);
	fe_mul(r->xy2d, x, ed_2d);
}

/*
 * The table of the curve25519 point with u-coordinate u, through the
 * Edwards point with y = (u - 1) / (u + 1) and either x.  -1 when u is
 * not canonical or the point lies on the twist: the ladder takes
 * those.  Not constant time: u is public.
 */
static int
tab_init(struct xbase_tab *t, const unsigned char ub[32])
{
	static const fe one = { 1, 0, 0, 0, 0 };
	unsigned char back[32];
	fe u, num, den, y, yy, v, v3, x, chk;
	struct p3 cur, acc;
	struct p2 h;
	struct p1p1 r;
	int j, k;

	fe_frombytes(u, ub);
	fe_tobytes(back, u);
	if (memcmp(back, ub, 32) != 0)
		return -1;
	fe_sub(num, u, one);
	fe_add(den, u, one);
	if (fe_iszero(den))
		return -1;
	fe_invert(den, den);
	fe_mul(y, num, den);
	/* x^2 = (y^2 - 1) / (d y^2 + 1): ref10's square root */
	fe_sq(yy, y);
	fe_mul(v, yy, ed_d);
	fe_add(v, v, one);
	fe_sub(num, yy, one);
	fe_sq(v3, v);
	fe_mul(v3, v3, v);		/* v^3 */
	fe_sq(x, v3);
	fe_mul(x, x, v);
	fe_mul(x, x, num);		/* u v^7 */
	fe_pow22523(x, x);
	fe_mul(x, x, v3);
	fe_mul(x, x, num);		/* u v^3 (u v^7)^((p-5)/8) */
	fe_sq(chk, x);
	fe_mul(chk, chk, v);
	fe_sub(yy, chk, num);
	if (!fe_iszero(yy)) {
		fe_add(yy, chk, num);
		if (!fe_iszero(yy))
			return -1;	/* on the twist */
		fe_mul(x, x, sqrtm1);
	}
	memcpy(cur.X, x, sizeof(fe));
	memcpy(cur.Y, y, sizeof(fe));
	memcpy(cur.Z, one, sizeof(fe));
	fe_mul(cur.T, x, y);
	for (j = 0; j < 32; j++) {
		to_pre(&t->m[j][0], &cur);
		acc = cur;
		for (k = 1; k < 8; k++) {
			madd(&r, &acc, &t->m[j][0]);
			p1p1_to_p3(&acc, &r);
			to_pre(&t->m[j][k], &acc);
		}
		/* cur = 256 cur */
		memcpy(h.X, cur.X, sizeof(fe));
		memcpy(h.Y, cur.Y, sizeof(fe));
		memcpy(h.Z, cur.Z, sizeof(fe));
		for (k = 0; k < 7; k++) {
			dbl(&r, &h);
			p1p1_to_p2(&h, &r);
		}
		dbl(&r, &h);
		p1p1_to_p3(&cur, &r);
	}
	/* a point of small order: [8]P is the neutral element (0, 1) */
	fe_sub(yy, t->m[0][7].yplusx, one);
	fe_sub(chk, t->m[0][7].yminusx, one);
	if (fe_iszero(yy) && fe_iszero(chk))
		return -1;
	return 0;
}

/* t = [b]P from the row of multiples of P, b in -8..8; constant time. */
static void
select_pre(struct pre *t, const struct pre row[8], signed char b)
{
	uint32_t ub = (uint32_t)(int32_t)b, neg = ub >> 31;
	uint32_t babs = (ub ^ (0u - neg)) + neg, x;
	uint64_t mask;
	struct pre minus;
	int k;

	memset(t, 0, sizeof(*t));
	t->yplusx[0] = t->yminusx[0] = 1;	/* the neutral element */
	for (k = 0; k < 8; k++) {
		x = babs ^ (uint32_t)(k + 1);
		mask = 0 - (uint64_t)((x - 1) >> 31);	/* x == 0 */
		fe_cmov(t->yplusx, row[k].yplusx, mask);
		fe_cmov(t->yminusx, row[k].yminusx, mask);
		fe_cmov(t->xy2d, row[k].xy2d, mask);
	}
	memcpy(minus.yplusx, t->yminusx, sizeof(fe));
	memcpy(minus.yminusx, t->yplusx, sizeof(fe));
	memset(minus.xy2d, 0, sizeof(fe));
	fe_sub(minus.xy2d, minus.xy2d, t->xy2d);
	mask = 0 - (uint64_t)neg;
	fe_cmov(t->yplusx, minus.yplusx, mask);
	fe_cmov(t->yminusx, minus.yminusx, mask);
	fe_cmov(t->xy2d, minus.xy2d, mask);
}

/*
 * r = [a]P for the clamped scalar a (bit 255 clear), as ref10's
 * ge_scalarmult_base: 64 signed radix-16 digits, the odd ones first,
 * four doublings, then the even ones.  Constant time in a.
 */
static void
tab_mul(struct p1p1 *r, const struct xbase_tab *t, const unsigned char a[32])
{
	signed char e[64], cy = 0;
	struct p3 h;
	struct p2 s;
	struct pre q;
	int i;

	for (i = 0; i < 32; i++) {
		e[2 * i] = (signed char)(a[i] & 15);
		e[2 * i + 1] = (signed char)(a[i] >> 4);
	}
	for (i = 0; i < 63; i++) {	/* digits -8..7, the last -8..8 */
		e[i] = (signed char)(e[i] + cy);
		cy = (signed char)((e[i] + 8) >> 4);
		e[i] = (signed char)(e[i] - cy * 16);
	}
	e[63] = (signed char)(e[63] + cy);

	memset(&h, 0, sizeof(h));
	h.Y[0] = h.Z[0] = 1;
	for (i = 1; i < 64; i += 2) {
		select_pre(&q, t->m[i / 2], e[i]);
		madd(r, &h, &q);
		p1p1_to_p3(&h, r);
	}
	memcpy(s.X, h.X, sizeof(fe));
	memcpy(s.Y, h.Y, sizeof(fe));
	memcpy(s.Z, h.Z, sizeof(fe));
	for (i = 0; i < 3; i++) {
		dbl(r, &s);
		p1p1_to_p2(&s, r);
	}
	dbl(r, &s);
	p1p1_to_p3(&h, r);
	for (i = 0; i < 64; i += 2) {
		select_pre(&q, t->m[i / 2], e[i]);
		madd(r, &h, &q);
		if (i < 62)
			p1p1_to_p3(&h, r);
	}
	sodium_memzero(e, sizeof(e));
	sodium_memzero(&q, sizeof(q));
	sodium_memzero(&h, sizeof(h));
	sodium_memzero(&s, sizeof(s));
}

/* The clamped copy of an X25519 secret key (RFC 7748 section 5). */
static void
clamp(unsigned char a[32], const unsigned char sk[32])
{
	memcpy(a, sk, 32);
	a[0] &= 248;
	a[31] &= 127;
	a[31] |= 64;
}

/* The table of the base point u = 9, built once. */
static struct xbase_tab base_tab;
static int base_ok;
static pthread_once_t base_once = PTHREAD_ONCE_INIT;

static void
base_init(void)
{
	static const unsigned char nine[32] = { 9 };

	base_ok = tab_init(&base_tab, nine) == 0;
}

/*
 * Tables of other points, built on first use under a lock and never
 * changed after: a reader sees the first ntab of them complete.
 */
#define NTAB	4
static struct {
	unsigned char		u[32];
	struct xbase_tab	t;
} tabs[NTAB];
static atomic_size_t ntab;
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct xbase_tab *
tab_for(const unsigned char u[32])
{
	size_t i, n = atomic_load_explicit(&ntab, memory_order_acquire);
	const struct xbase_tab *t = NULL;

	for (i = 0; i < n; i++)
		if (memcmp(tabs[i].u, u, 32) == 0)
			return &tabs[i].t;
	pthread_mutex_lock(&tab_lock);
	n = atomic_load_explicit(&ntab, memory_order_relaxed);
	for (i = 0; i < n; i++)
		if (memcmp(tabs[i].u, u, 32) == 0)
			break;
	if (i < n)
		t = &tabs[i].t;
	else if (n < NTAB && tab_init(&tabs[n].t, u) == 0) {
		/* a point the ladder takes never holds a slot */
		memcpy(tabs[n].u, u, 32);
		t = &tabs[n].t;
		atomic_store_explicit(&ntab, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&tab_lock);
	return t;
}

/* u = (1 + y) / (1 - y) = (T + Y) / (T - Y) of a p1p1 result */
static void
u_parts(fe num, fe den, const struct p1p1 *r)
{
	fe_add(num, r->T, r->Y);
	fe_sub(den, r->T, r->Y);
}

struct xbase_tab *
xbase_tab_new(const unsigned char u[32])
{
	struct xbase_tab *t;

	if ((t = malloc(sizeof(*t))) == NULL)
		return NULL;
	if (tab_init(t, u) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

int
xbase_tab_mul(unsigned char out[32], const struct xbase_tab *t,
    const unsigned char sk[32])
{
	unsigned char a[32];
	struct p1p1 r;
	fe num, den;

	clamp(a, sk);
	tab_mul(&r, t, a);
	u_parts(num, den, &r);
	fe_invert(den, den);
	fe_mul(num, num, den);
	fe_tobytes(out, num);
	sodium_memzero(a, sizeof(a));
	sodium_memzero(&r, sizeof(r));
	sodium_memzero(num, sizeof(num));
	sodium_memzero(den, sizeof(den));
	return sodium_is_zero(out, 32) ? -1 : 0;
}

int
xbase(unsigned char pk[32], const unsigned char sk[32])
{
	pthread_once(&base_once, base_init);
	if (!base_ok)
		return xbase_ladder(pk, sk);
	return xbase_tab_mul(pk, &base_tab, sk);
}

int
xbase_pair(unsigned char pk[32], unsigned char dh[32],
    const unsigned char sk[32], const unsigned char u[32])
{
	pthread_once(&base_once, base_init);
	return xbase_pair_tab(pk, dh, sk, u, base_ok ? tab_for(u) : NULL);
}

int
xbase_pair_tab(unsigned char pk[32], unsigned char dh[32],
    const unsigned char sk[32], const unsigned char u[32],
    const struct xbase_tab *t)
{
	unsigned char a[32];
	struct p1p1 r;
	fe n1, d1, n2, d2, inv, w;

	pthread_once(&base_once, base_init);
	if (!base_ok || t == NULL) {
		if (crypto_scalarmult(dh, sk, u) != 0) {
			(void)xbase(pk, sk);
			return -1;
		}
		return xbase(pk, sk);
	}
	clamp(a, sk);
	tab_mul(&r, &base_tab, a);
	u_parts(n1, d1, &r);
	tab_mul(&r, t, a);
	u_parts(n2, d2, &r);
	/* one inversion for both: 1/d1 = d2/(d1 d2), 1/d2 = d1/(d1 d2) */
	fe_mul(w, d1, d2);
	fe_invert(inv, w);
	fe_mul(w, inv, d2);
	fe_mul(n1, n1, w);
	fe_mul(w, inv, d1);
	fe_mul(n2, n2, w);
	fe_tobytes(pk, n1);
	fe_tobytes(dh, n2);
	sodium_memzero(a, sizeof(a));
	sodium_memzero(&r, sizeof(r));
	sodium_memzero(n1, sizeof(n1));
	sodium_memzero(d1, sizeof(d1));
	sodium_memzero(n2, sizeof(n2));
	sodium_memzero(d2, sizeof(d2));
	sodium_memzero(inv, sizeof(inv));
	sodium_memzero(w, sizeof(w));
	/*
	 * A point of small order gives the neutral element, u = 0, and
	 * d2 = 0 made pk zero too: pk is computed again, alone.
	 */
	if (sodium_is_zero(dh, 32)) {
		(void)xbase(pk, sk);
		return -1;
	}
	return 0;
}

#else

int
xbase(unsigned char pk[32], const unsigned char sk[32])
{
	return xbase_ladder(pk, sk);
}

int
xbase_pair(unsigned char pk[32], unsigned char dh[32],
    const unsigned char sk[32], const unsigned char u[32])
{
	return xbase_pair_tab(pk, dh, sk, u, NULL);
}

int
xbase_pair_tab(unsigned char pk[32], unsigned char dh[32],
    const unsigned char sk[32], const unsigned char u[32],
    const struct xbase_tab *t)
{
	int rc = crypto_scalarmult(dh, sk, u) == 0 ? 0 : -1;

	(void)t;
	if (xbase_ladder(pk, sk) != 0)
		return -1;
	return rc;
}

/* No tables here: every point goes to the ladder. */
struct xbase_tab *
xbase_tab_new(const unsigned char u[32])
{
	(void)u;
	return NULL;
}

int
xbase_tab_mul(unsigned char out[32], const struct xbase_tab *t,
    const unsigned char sk[32])
{
	(void)out;
	(void)t;
	(void)sk;
	return -1;		/* never called: there is no table */
}

#endif

void
xbase_tab_free(struct xbase_tab *t)
{
	free(t);
}
