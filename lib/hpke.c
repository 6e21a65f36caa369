#include "hpke.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "hkdf.h"
#include "diag.h"
#include "xbase.h"

static const unsigned char kem_suite[5] = { 'K', 'E', 'M', 0x00, 0x20 };
static const unsigned char hpke_suite[10] = {
	'H', 'P', 'K', 'E', 0x00, 0x20, 0x00, 0x01, 0x00, 0x02
};

/*
 * HMAC keyed with the empty salt, ready once per thread: the
 * extractions without a salt all start from it.
 */
static const struct hkdf_key *
no_salt(void)
{
	static _Thread_local struct hkdf_key k;
	static _Thread_local int ready;

	if (!ready) {
		hkdf_key_init(&k, NULL, 0);
		ready = 1;
	}
	return &k;
}

/* LabeledExtract(salt, label, ikm) of RFC 9180 section 4. */
static void
labeled_extractk(unsigned char prk[HKDF_SHA256_LEN], const unsigned char *suite,
    size_t suitelen, const struct hkdf_key *salt, const char *label,
    const void *ikm, size_t ikmlen)
{
	struct hkdf_part parts[4] = {
		{ "HPKE-v1", 7 }, { suite, suitelen },
		{ label, strlen(label) }, { ikm, ikmlen }
	};

	hkdf_extractk(prk, salt, parts, 4);
}

/* LabeledExpand(prk, label, info, L); L is small here, never fails. */
static void
labeled_expandk(unsigned char *out, size_t L, const unsigned char *suite,
    size_t suitelen, const struct hkdf_key *prk, const char *label,
    const void *info, size_t infolen)
{
	unsigned char len2[2] = { (unsigned char)(L >> 8), (unsigned char)L };
	struct hkdf_part parts[5] = {
		{ len2, 2 }, { "HPKE-v1", 7 }, { suite, suitelen },
		{ label, strlen(label) }, { info, infolen }
	};

	(void)hkdf_expandk(out, L, prk, parts, 5);
}

int
hpke_available(char *err, size_t errlen)
{
	if (sodium_init() < 0) {
		diag_errf(err, errlen, "cannot initialise libsodium");
		return -1;
	}
	if (!crypto_aead_aes256gcm_is_available()) {
		diag_errf(err, errlen, "AES-256-GCM needs a CPU with AES-NI");
		return -1;
	}
	return 0;
}

int
hpke_public_key(unsigned char pk[HPKE_NPK], const unsigned char sk[HPKE_NSK])
{
	if (sodium_init() < 0)
		return -1;
	return xbase(pk, sk);
}

void
hpke_keypair(unsigned char sk[HPKE_NSK], unsigned char pk[HPKE_NPK],
    struct rng *r)
{
	struct rng local;

	if (r == NULL) {
		rng_init(&local, NULL, NULL, 0);
		r = &local;
	}
	do
		rng_bytes(r, sk, HPKE_NSK);
	while (hpke_public_key(pk, sk) != 0);
	if (r == &local)
		sodium_memzero(&local, sizeof(local));
}

/* ExtractAndExpand(dh, enc || pkR) of DHKEM (RFC 9180 section 4.1). */
static void
extract_and_expand(unsigned char shared_secret[HPKE_NSECRET],
    const unsigned char dh[32], const unsigned char enc[HPKE_NENC],
    const unsigned char pkR[HPKE_NPK])
{
	unsigned char prk[HKDF_SHA256_LEN], kem_context[HPKE_NENC + HPKE_NPK];
	struct hkdf_key k;

	labeled_extractk(prk, kem_suite, sizeof(kem_suite), no_salt(),
	    "eae_prk", dh, 32);
	memcpy(kem_context, enc, HPKE_NENC);
	memcpy(kem_context + HPKE_NENC, pkR, HPKE_NPK);
	hkdf_key_init(&k, prk, sizeof(prk));
	labeled_expandk(shared_secret, HPKE_NSECRET, kem_suite,
	    sizeof(kem_suite), &k, "shared_secret", kem_context,
	    sizeof(kem_context));
	hkdf_key_wipe(&k);
	sodium_memzero(prk, sizeof(prk));
}

int
hpke_encap(unsigned char shared_secret[HPKE_NSECRET],
    unsigned char enc[HPKE_NENC], const unsigned char pkR[HPKE_NPK],
    const unsigned char skE[HPKE_NSK], char *err, size_t errlen)
{
	unsigned char dh[32];

	if (sodium_init() < 0) {
		diag_errf(err, errlen, "cannot initialise libsodium");
		return -1;
	}
	if (xbase_pair(enc, dh, skE, pkR) != 0) {
		/* libsodium refuses an all-zero result, as RFC 9180 asks */
		diag_errf(err, errlen, "invalid public key");
		sodium_memzero(dh, sizeof(dh));
		return -1;
	}
	extract_and_expand(shared_secret, dh, enc, pkR);
	sodium_memzero(dh, sizeof(dh));
	return 0;
}

/*
 * pkR = pk(skR), remembered for the last skR of this thread: a receiver
 * opens every request with the same key, and the scalar multiplication
 * costs as much as the DH itself.  The cache holds a BLAKE2b hash of
 * skR, never skR.
 */
static int
receiver_public_key(unsigned char pkR[HPKE_NPK],
    const unsigned char skR[HPKE_NSK])
{
	static _Thread_local unsigned char hsk[32], pk[HPKE_NPK];
	static _Thread_local int cached;
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), skR, HPKE_NSK, NULL, 0);
	if (!cached || sodium_memcmp(h, hsk, sizeof(h)) != 0) {
		if (xbase(pk, skR) != 0)
			return -1;
		memcpy(hsk, h, sizeof(h));
		cached = 1;
	}
	memcpy(pkR, pk, HPKE_NPK);
	return 0;
}

int
hpke_decap(unsigned char shared_secret[HPKE_NSECRET],
    const unsigned char enc[HPKE_NENC], const unsigned char skR[HPKE_NSK],
    char *err, size_t errlen)
{
	unsigned char dh[32], pkR[HPKE_NPK];

	if (sodium_init() < 0) {
		diag_errf(err, errlen, "cannot initialise libsodium");
		return -1;
	}
	if (receiver_public_key(pkR, skR) != 0 ||
	    crypto_scalarmult(dh, skR, enc) != 0) {
		diag_errf(err, errlen, "invalid encapsulated key");
		sodium_memzero(dh, sizeof(dh));
		return -1;
	}
	extract_and_expand(shared_secret, dh, enc, pkR);
	sodium_memzero(dh, sizeof(dh));
	return 0;
}

/*
 * key_schedule_context = mode || psk_id_hash || info_hash.  The empty
 * psk_id's hash is a constant, and a sender or receiver uses one info
 * for every message: both are kept per thread, info_hash for the last
 * info seen (public values, not secrets).
 */
static void
schedule_context(unsigned char ksc[1 + 2 * HKDF_SHA256_LEN], const void *info,
    size_t infolen)
{
	enum { MAXINFO = 256 };
	static _Thread_local unsigned char psk_id_hash[HKDF_SHA256_LEN];
	static _Thread_local unsigned char info_hash[HKDF_SHA256_LEN];
	static _Thread_local unsigned char last[MAXINFO];
	static _Thread_local size_t lastlen;
	static _Thread_local int have_psk, have_info;

	ksc[0] = 0x00;				/* mode_base */
	if (!have_psk) {
		labeled_extractk(psk_id_hash, hpke_suite, sizeof(hpke_suite),
		    no_salt(), "psk_id_hash", NULL, 0);
		have_psk = 1;
	}
	memcpy(ksc + 1, psk_id_hash, HKDF_SHA256_LEN);
	if (have_info && infolen == lastlen &&
	    (infolen == 0 || memcmp(info, last, infolen) == 0)) {
		memcpy(ksc + 1 + HKDF_SHA256_LEN, info_hash, HKDF_SHA256_LEN);
		return;
	}
	labeled_extractk(ksc + 1 + HKDF_SHA256_LEN, hpke_suite,
	    sizeof(hpke_suite), no_salt(), "info_hash", info, infolen);
	if (infolen <= MAXINFO) {
		memcpy(info_hash, ksc + 1 + HKDF_SHA256_LEN, HKDF_SHA256_LEN);
		if (infolen > 0)
			memcpy(last, info, infolen);
		lastlen = infolen;
		have_info = 1;
	}
}

/* KeySchedule for mode_base with the default (empty) psk and psk_id. */
static void
key_schedule(struct hpke_ctx *ctx, const unsigned char ss[HPKE_NSECRET],
    const void *info, size_t infolen)
{
	unsigned char ksc[1 + 2 * HKDF_SHA256_LEN], secret[HKDF_SHA256_LEN];
	struct hkdf_key k;

	schedule_context(ksc, info, infolen);
	hkdf_key_init(&k, ss, HPKE_NSECRET);
	labeled_extractk(secret, hpke_suite, sizeof(hpke_suite), &k, "secret",
	    NULL, 0);
	hkdf_key_init(&k, secret, sizeof(secret));
	labeled_expandk(ctx->key, HPKE_NK, hpke_suite, sizeof(hpke_suite),
	    &k, "key", ksc, sizeof(ksc));
	labeled_expandk(ctx->base_nonce, HPKE_NN, hpke_suite,
	    sizeof(hpke_suite), &k, "base_nonce", ksc, sizeof(ksc));
	labeled_expandk(ctx->exporter_secret, HPKE_NH, hpke_suite,
	    sizeof(hpke_suite), &k, "exp", ksc, sizeof(ksc));
	ctx->seq = 0;
	hkdf_key_wipe(&k);
	sodium_memzero(secret, sizeof(secret));
}

int
hpke_setup_base_s(struct hpke_ctx *ctx, unsigned char enc[HPKE_NENC],
    const unsigned char pkR[HPKE_NPK], const void *info, size_t infolen,
    const unsigned char *skE, struct rng *rng, char *err, size_t errlen)
{
	unsigned char ss[HPKE_NSECRET], eph[HPKE_NSK];
	struct rng local;
	int rv;

	if (hpke_available(err, errlen) != 0)
		return -1;
	if (skE == NULL) {
		/* Any 32 bytes are a key (X25519 clamps); encap derives pkE. */
		if (rng == NULL) {
			rng_init(&local, NULL, NULL, 0);
			rng = &local;
		}
		rng_bytes(rng, eph, sizeof(eph));
		if (rng == &local)
			sodium_memzero(&local, sizeof(local));
		skE = eph;
	}
	rv = hpke_encap(ss, enc, pkR, skE, err, errlen);
	if (rv == 0)
		key_schedule(ctx, ss, info, infolen);
	sodium_memzero(eph, sizeof(eph));
	sodium_memzero(ss, sizeof(ss));
	return rv;
}

int
hpke_setup_base_r(struct hpke_ctx *ctx, const unsigned char enc[HPKE_NENC],
    const unsigned char skR[HPKE_NSK], const void *info, size_t infolen,
    char *err, size_t errlen)
{
	unsigned char ss[HPKE_NSECRET];
	int rv;

	if (hpke_available(err, errlen) != 0)
		return -1;
	rv = hpke_decap(ss, enc, skR, err, errlen);
	if (rv == 0)
		key_schedule(ctx, ss, info, infolen);
	sodium_memzero(ss, sizeof(ss));
	return rv;
}

/* ComputeNonce(seq): base_nonce XOR I2OSP(seq, Nn). */
static void
compute_nonce(unsigned char nonce[HPKE_NN], const struct hpke_ctx *ctx)
{
	int i;

	memcpy(nonce, ctx->base_nonce, HPKE_NN);
	for (i = 0; i < 8; i++)
		nonce[HPKE_NN - 1 - i] ^= (unsigned char)(ctx->seq >> (8 * i));
}

int
hpke_seal(struct hpke_ctx *ctx, unsigned char *ct, const void *aad,
    size_t aadlen, const void *pt, size_t ptlen, char *err, size_t errlen)
{
	unsigned char nonce[HPKE_NN];
	unsigned long long clen;

	if (hpke_available(err, errlen) != 0)
		return -1;
	if (ctx->seq == UINT64_MAX) {
		diag_errf(err, errlen, "message limit reached");
		return -1;
	}
	compute_nonce(nonce, ctx);
	crypto_aead_aes256gcm_encrypt(ct, &clen, pt, ptlen, aad, aadlen, NULL,
	    nonce, ctx->key);
	ctx->seq++;
	return 0;
}

int
hpke_open(struct hpke_ctx *ctx, unsigned char *pt, const void *aad,
    size_t aadlen, const void *ct, size_t ctlen, char *err, size_t errlen)
{
	unsigned char nonce[HPKE_NN];
	unsigned long long plen;

	if (hpke_available(err, errlen) != 0)
		return -1;
	if (ctlen < HPKE_NT) {
		diag_errf(err, errlen, "ciphertext too short");
		return -1;
	}
	if (ctx->seq == UINT64_MAX) {
		diag_errf(err, errlen, "message limit reached");
		return -1;
	}
	compute_nonce(nonce, ctx);
	if (crypto_aead_aes256gcm_decrypt(pt, &plen, NULL, ct, ctlen, aad,
	    aadlen, nonce, ctx->key) != 0) {
		sodium_memzero(pt, ctlen - HPKE_NT);	/* leave nothing */
		diag_errf(err, errlen, "decryption failed");
		return -1;
	}
	ctx->seq++;
	return 0;
}

int
hpke_export(const struct hpke_ctx *ctx, unsigned char *out, size_t L,
    const void *exporter_context, size_t exlen, char *err, size_t errlen)
{
	unsigned char len2[2] = { (unsigned char)(L >> 8), (unsigned char)L };
	struct hkdf_part parts[5] = {
		{ len2, 2 }, { "HPKE-v1", 7 },
		{ hpke_suite, sizeof(hpke_suite) }, { "sec", 3 },
		{ exporter_context, exlen }
	};

	if (L > HKDF_SHA256_MAXOUT) {
		diag_errf(err, errlen, "export length %zu too large", L);
		return -1;
	}
	(void)hkdf_expandv(out, L, ctx->exporter_secret, parts, 5);
	return 0;
}

void
hpke_ctx_wipe(struct hpke_ctx *ctx)
{
	if (ctx != NULL)
		sodium_memzero(ctx, sizeof(*ctx));
}
