#ifndef ADSIG_B64_H
#define ADSIG_B64_H
#include <stddef.h>

/*
 * Standard base64 with padding (RFC 4648 section 4), by table: the
 * ciphertexts, payloads and signal keys it carries are public, so the
 * constant-time codec of libsodium, three to six times slower, buys
 * nothing here.
 */

/* The length of the encoding of n bytes, without a terminating NUL. */
#define B64_LEN(n)	(((n) + 2) / 3 * 4)

/* Writes the B64_LEN(n) characters of bin[0..n) to out, then a NUL. */
void	b64_encode(char *out, const unsigned char *bin, size_t n);

/*
 * Decodes s[0..n) into bin (at most cap bytes), sets *len.  Returns 0,
 * or -1 when s is not entirely standard padded base64 or does not fit.
 * The answer is exactly that of sodium_base642bin(bin, cap, s, n, NULL,
 * len, &end, sodium_base64_VARIANT_ORIGINAL) with end == s + n: input
 * the table does not take in one pass (a length that is not a multiple
 * of 4, any character outside the alphabet, non-zero trailing bits) is
 * handed to libsodium.  tests/unit/test_b64.c compares the two.
 */
int	b64_decode(unsigned char *bin, size_t cap, const char *s, size_t n,
	    size_t *len);

#endif
