#ifndef ADSIG_XBASE_H
#define ADSIG_XBASE_H

/*
 * X25519(sk, 9), the public key of an X25519 secret key, computed
 * through libsodium's fixed-base Ed25519 multiplication (a table of
 * precomputed multiples, constant time in sk) instead of its
 * Montgomery ladder, which is about 2.3 times slower here.
 *
 * Why it is the same function: X25519 clamps sk exactly as
 * crypto_scalarmult_ed25519_base() does, the Ed25519 base point B maps
 * to the curve25519 base point u = 9 under the birational map
 * u = (1 + y) / (1 - y), and the map is a group homomorphism, so the
 * u-coordinate of [sk]9 is (1 + y) / (1 - y) with y that of [sk]B.
 * The clamped scalar is a multiple of 8 below 2^255 and not a multiple
 * of the group order, so 1 - y is never zero.
 *
 * Only that last step, one field inversion on the public point, is
 * our code (radix 2^51 arithmetic on unsigned __int128); it touches no
 * secret.  Where the compiler has no 128-bit integers, or libsodium
 * refuses the scalar, the ladder (crypto_scalarmult_base) answers.
 * tests/unit/test_xbase.c compares the two on random keys.
 *
 * Returns 0, or -1 when libsodium's ladder reports an all-zero result
 * (never for a clamped scalar).  Needs sodium_init() done.  Never
 * allocates.
 */
int	xbase(unsigned char pk[32], const unsigned char sk[32]);

/* The same through the ladder only: the reference the tests compare to. */
int	xbase_ladder(unsigned char pk[32], const unsigned char sk[32]);

#endif
