#include "hkdf.h"

#include <string.h>

void
hkdf_key_init(struct hkdf_key *k, const void *key, size_t keylen)
{
	static const unsigned char none[1];

	/*
	 * HMAC pads its key with zeros to the block size, so an empty
	 * key is the same key as HashLen zero bytes.  libsodium wants a
	 * non-NULL pointer even for an empty key.
	 */
	crypto_auth_hmacsha256_init(&k->st, keylen > 0 ? key : none, keylen);
}

void
hkdf_key_wipe(struct hkdf_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

void
hkdf_extractk(unsigned char prk[HKDF_SHA256_LEN], const struct hkdf_key *salt,
    const struct hkdf_part *ikm, size_t nikm)
{
	crypto_auth_hmacsha256_state st = salt->st;
	size_t i;

	for (i = 0; i < nikm; i++)
		if (ikm[i].n > 0)
			crypto_auth_hmacsha256_update(&st, ikm[i].p, ikm[i].n);
	crypto_auth_hmacsha256_final(&st, prk);
	sodium_memzero(&st, sizeof(st));
}

void
hkdf_extractv(unsigned char prk[HKDF_SHA256_LEN], const void *salt,
    size_t saltlen, const struct hkdf_part *ikm, size_t nikm)
{
	struct hkdf_key k;

	hkdf_key_init(&k, salt, saltlen);
	hkdf_extractk(prk, &k, ikm, nikm);
	hkdf_key_wipe(&k);
}

void
hkdf_extract(unsigned char prk[HKDF_SHA256_LEN], const void *salt,
    size_t saltlen, const void *ikm, size_t ikmlen)
{
	struct hkdf_part part = { ikm, ikmlen };

	hkdf_extractv(prk, salt, saltlen, &part, 1);
}

int
hkdf_expandk(unsigned char *okm, size_t L, const struct hkdf_key *prk,
    const struct hkdf_part *info, size_t ninfo)
{
	crypto_auth_hmacsha256_state st;
	unsigned char t[HKDF_SHA256_LEN];
	unsigned char ctr;
	size_t done, k, i;

	if (L > HKDF_SHA256_MAXOUT)
		return -1;
	for (done = 0, ctr = 1; done < L; ctr++) {
		st = prk->st;
		if (done > 0)		/* T(i-1); T(0) is empty */
			crypto_auth_hmacsha256_update(&st, t, sizeof(t));
		for (i = 0; i < ninfo; i++)
			if (info[i].n > 0)
				crypto_auth_hmacsha256_update(&st, info[i].p,
				    info[i].n);
		crypto_auth_hmacsha256_update(&st, &ctr, 1);
		crypto_auth_hmacsha256_final(&st, t);
		k = L - done < sizeof(t) ? L - done : sizeof(t);
		memcpy(okm + done, t, k);
		done += k;
	}
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(t, sizeof(t));
	return 0;
}

int
hkdf_expandv(unsigned char *okm, size_t L,
    const unsigned char prk[HKDF_SHA256_LEN], const struct hkdf_part *info,
    size_t ninfo)
{
	struct hkdf_key k;
	int rv;

	hkdf_key_init(&k, prk, HKDF_SHA256_LEN);
	rv = hkdf_expandk(okm, L, &k, info, ninfo);
	hkdf_key_wipe(&k);
	return rv;
}

int
hkdf_expand(unsigned char *okm, size_t L,
    const unsigned char prk[HKDF_SHA256_LEN], const void *info,
    size_t infolen)
{
	struct hkdf_part part = { info, infolen };

	return hkdf_expandv(okm, L, prk, &part, 1);
}
