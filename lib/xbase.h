#ifndef ADSIG_XBASE_H
#define ADSIG_XBASE_H

/*
 * X25519 with a fixed point: precomputed multiples instead of the
 * Montgomery ladder (about 41 us an operation here; from the tables,
 * 12-17 us, 34 us for the pair below).
 *
 * Why it is the same function: X25519(sk, u) clamps sk to a multiple
 * of 8 below 2^255 and returns the u-coordinate of [sk]P for a point P
 * with that u.  The twisted Edwards curve of Ed25519 is birationally
 * equivalent to curve25519 by u = (1 + y) / (1 - y); the map is a group
 * homomorphism, so u([sk]P) is (1 + y) / (1 - y) with y that of [sk]E,
 * E the Edwards image of P (either of the two: -E has the same y).
 * For a fixed E, [k 256^j]E (k = 1..8, j = 0..31) is computed once, and
 * [sk]E is 64 additions of table entries and 4 doublings: ref10's
 * ge_scalarmult_base, which libsodium runs for Ed25519, with a table
 * for any point instead of one for the base point alone.
 *
 * The arithmetic is our own (radix 2^51 on unsigned __int128, the
 * formulas of ref10) and constant time in sk: no branch and no memory
 * index depends on it.  tests/unit/test_xbase.c compares every
 * function with libsodium's ladder on RFC 7748's keys, edge scalars,
 * random keys and points, small-order and twist points.  Points whose
 * u is not canonical (>= p), that lie on the twist or have small order,
 * and compilers without 128-bit integers, go to the ladder
 * (crypto_scalarmult).
 *
 * Tables (30 KB each) are built on first use, about 2 ms: the base
 * point's once, and those of up to four other points, kept for the
 * life of the process and shared by its threads (a point the ladder
 * takes holds no place); a fifth point goes to the ladder.  Needs
 * sodium_init() done.  Only xbase_tab_new() allocates.
 */

struct xbase_tab;

/* pk = X25519(sk, 9), the public key of sk.  Returns 0. */
int	xbase(unsigned char pk[32], const unsigned char sk[32]);

/*
 * pk = X25519(sk, 9) and dh = X25519(sk, u), the two halves of a DHKEM
 * encapsulation, with one field inversion shared by both.  Returns 0,
 * or -1 when dh is all zero (u of small order), as libsodium's
 * crypto_scalarmult() does.
 */
int	xbase_pair(unsigned char pk[32], unsigned char dh[32],
	    const unsigned char sk[32], const unsigned char u[32]);
/*
 * The same with the caller's table t of the point u (from
 * xbase_tab_new; NULL: the ladder).  pk and dh must not overlap sk or
 * u, here and in xbase_pair.
 */
int	xbase_pair_tab(unsigned char pk[32], unsigned char dh[32],
	    const unsigned char sk[32], const unsigned char u[32],
	    const struct xbase_tab *t);

/*
 * A table of one's own, for the tests and for callers that manage
 * their points: NULL when u goes to the ladder (see above; a point of
 * small order too, and every point where the compiler has no 128-bit
 * integers) or memory is short.  xbase_tab_mul() is X25519(sk, u): 0, or -1 on an all-zero
 * result.
 */
struct xbase_tab *xbase_tab_new(const unsigned char u[32]);
int	xbase_tab_mul(unsigned char out[32], const struct xbase_tab *t,
	    const unsigned char sk[32]);
void	xbase_tab_free(struct xbase_tab *t);

/* X25519(sk, 9) through libsodium's ladder: the tests' reference. */
int	xbase_ladder(unsigned char pk[32], const unsigned char sk[32]);

#endif
