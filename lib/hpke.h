#ifndef ADSIG_HPKE_H
#define ADSIG_HPKE_H
#include <stddef.h>
#include <stdint.h>

#include "rng.h"

/*
 * HPKE (RFC 9180) base mode for the one suite the Bidding and Auction
 * servers accept: DHKEM(X25519, HKDF-SHA256) 0x0020, HKDF-SHA256
 * 0x0001, AES-256-GCM 0x0002.  Labels are "HPKE-v1"; older drafts'
 * vectors will not match.  The AEAD is libsodium's, which exists only
 * on CPUs with AES-NI: every function that needs it fails with "AES-256-GCM
 * needs a CPU with AES-NI" when it is missing.
 *
 * Functions return 0, or -1 after writing a short lowercase reason to
 * err (errlen bytes; err may be NULL).  They never print, never exit and
 * never allocate.  Secrets are wiped from the stack before returning;
 * hpke_ctx_wipe() wipes a context.
 */

#define HPKE_KEM_X25519_SHA256	0x0020
#define HPKE_KDF_HKDF_SHA256	0x0001
#define HPKE_AEAD_AES256GCM	0x0002

#define HPKE_NSK	32	/* secret key */
#define HPKE_NPK	32	/* public key */
#define HPKE_NENC	32	/* encapsulated key */
#define HPKE_NSECRET	32	/* KEM shared secret */
#define HPKE_NK		32	/* AEAD key */
#define HPKE_NN		12	/* AEAD nonce */
#define HPKE_NT		16	/* AEAD tag */
#define HPKE_NH		32	/* KDF output */

/* An encryption context: the sender's or the receiver's. */
struct hpke_ctx {
	unsigned char	key[HPKE_NK];
	unsigned char	base_nonce[HPKE_NN];
	unsigned char	exporter_secret[HPKE_NH];
	uint64_t	seq;		/* next sequence number */
};

/*
 * 0 when libsodium is initialised and AES-256-GCM is usable here; else
 * -1 with the reason.  Calls sodium_init() (idempotent).
 */
int	hpke_available(char *err, size_t errlen);

/* pk = X25519(sk, 9): the public key of a secret key.  0 or -1. */
int	hpke_public_key(unsigned char pk[HPKE_NPK],
	    const unsigned char sk[HPKE_NSK]);

/* A fresh key pair; the secret key is drawn from r (NULL: secure random). */
void	hpke_keypair(unsigned char sk[HPKE_NSK], unsigned char pk[HPKE_NPK],
	    struct rng *r);

/*
 * DHKEM Encap with a given ephemeral secret key skE (32 bytes used as
 * is, X25519 clamps them): enc = pk(skE), shared_secret =
 * ExtractAndExpand(DH(skE, pkR), enc || pkR).  Fails on a public key
 * that gives the all-zero DH output (a small-order point).
 */
int	hpke_encap(unsigned char shared_secret[HPKE_NSECRET],
	    unsigned char enc[HPKE_NENC], const unsigned char pkR[HPKE_NPK],
	    const unsigned char skE[HPKE_NSK], char *err, size_t errlen);
/*
 * DHKEM Decap: the same shared secret from enc and skR.  pk(skR) is
 * computed once per thread for a run of calls with the same skR (the
 * thread keeps a hash of skR, not skR).
 */
int	hpke_decap(unsigned char shared_secret[HPKE_NSECRET],
	    const unsigned char enc[HPKE_NENC],
	    const unsigned char skR[HPKE_NSK], char *err, size_t errlen);

/*
 * SetupBaseS: the sender's context and enc for pkR and info.  skE is
 * the ephemeral secret key for test vectors; NULL draws it from rng
 * (rng NULL: secure random).
 */
int	hpke_setup_base_s(struct hpke_ctx *ctx, unsigned char enc[HPKE_NENC],
	    const unsigned char pkR[HPKE_NPK], const void *info, size_t infolen,
	    const unsigned char *skE, struct rng *rng, char *err,
	    size_t errlen);
/* SetupBaseR: the receiver's context from enc, skR and info. */
int	hpke_setup_base_r(struct hpke_ctx *ctx,
	    const unsigned char enc[HPKE_NENC],
	    const unsigned char skR[HPKE_NSK], const void *info,
	    size_t infolen, char *err, size_t errlen);

/*
 * Seal: ct (ptlen + HPKE_NT bytes, may not overlap pt) = AEAD of pt
 * with aad under the nonce of sequence number ctx->seq, which then
 * advances.  Fails when the sequence number is exhausted.
 */
int	hpke_seal(struct hpke_ctx *ctx, unsigned char *ct, const void *aad,
	    size_t aadlen, const void *pt, size_t ptlen, char *err,
	    size_t errlen);
/*
 * Open: pt (ctlen - HPKE_NT bytes) from ct.  On failure ("decryption
 * failed": wrong key or altered data) pt holds nothing of the message
 * and the sequence number does not advance.
 */
int	hpke_open(struct hpke_ctx *ctx, unsigned char *pt, const void *aad,
	    size_t aadlen, const void *ct, size_t ctlen, char *err,
	    size_t errlen);

/* Export (RFC 9180 section 5.3): L <= 8160 bytes of exporter output. */
int	hpke_export(const struct hpke_ctx *ctx, unsigned char *out, size_t L,
	    const void *exporter_context, size_t exlen, char *err,
	    size_t errlen);

/* Wipes the keys of ctx.  NULL-safe. */
void	hpke_ctx_wipe(struct hpke_ctx *ctx);

#endif
