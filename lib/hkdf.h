#ifndef ADSIG_HKDF_H
#define ADSIG_HKDF_H
#include <stddef.h>

#include <sodium.h>

/*
 * HKDF-SHA256 (RFC 5869) on libsodium's HMAC-SHA256.  The inputs may
 * be given as several parts that are hashed as their concatenation,
 * so HPKE's labelled inputs need no temporary buffers.  Never prints,
 * never exits, never allocates.
 */

#define HKDF_SHA256_LEN		32			/* HashLen */
#define HKDF_SHA256_MAXOUT	(255 * HKDF_SHA256_LEN)	/* largest L */

struct hkdf_part {
	const void	*p;	/* may be NULL when n is 0 */
	size_t		 n;
};

/* PRK = HMAC(salt, ikm).  An empty salt means HashLen zero bytes. */
void	hkdf_extract(unsigned char prk[HKDF_SHA256_LEN], const void *salt,
	    size_t saltlen, const void *ikm, size_t ikmlen);
/* The same with salt and ikm given as the concatenation of parts. */
void	hkdf_extractv(unsigned char prk[HKDF_SHA256_LEN],
	    const void *salt, size_t saltlen,
	    const struct hkdf_part *ikm, size_t nikm);

/*
 * OKM = the first L bytes of T(1) | T(2) | ... (RFC 5869 section 2.3).
 * Returns 0, or -1 when L exceeds HKDF_SHA256_MAXOUT (okm untouched).
 */
int	hkdf_expand(unsigned char *okm, size_t L,
	    const unsigned char prk[HKDF_SHA256_LEN], const void *info,
	    size_t infolen);
int	hkdf_expandv(unsigned char *okm, size_t L,
	    const unsigned char prk[HKDF_SHA256_LEN],
	    const struct hkdf_part *info, size_t ninfo);

/*
 * An HMAC key made ready once: a salt used for several extractions, or
 * a PRK used for several expansions, costs its two key blocks once
 * instead of on every call.  hkdf_key_wipe() wipes it.
 */
struct hkdf_key {
	crypto_auth_hmacsha256_state	st;
};

void	hkdf_key_init(struct hkdf_key *k, const void *key, size_t keylen);
void	hkdf_key_wipe(struct hkdf_key *k);
/* hkdf_extractv() with the salt made ready in k. */
void	hkdf_extractk(unsigned char prk[HKDF_SHA256_LEN],
	    const struct hkdf_key *salt, const struct hkdf_part *ikm,
	    size_t nikm);
/* hkdf_expandv() with the PRK made ready in k. */
int	hkdf_expandk(unsigned char *okm, size_t L, const struct hkdf_key *prk,
	    const struct hkdf_part *info, size_t ninfo);

#endif
