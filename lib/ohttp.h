#ifndef ADSIG_OHTTP_H
#define ADSIG_OHTTP_H
#include <stddef.h>
#include <stdint.h>

#include "hpke.h"
#include "rng.h"

/*
 * Oblivious HTTP request encapsulation (RFC 9458 section 4.3) as the
 * Bidding and Auction services use it, with the single HPKE suite
 * 0x0020/0x0001/0x0002 (see hpke.h):
 *
 *   hdr  = key_id(1) | kem_id(2) | kdf_id(2) | aead_id(2)
 *   info = label | 0x00 | hdr
 *   encapsulated request = [0x00] | hdr | enc(32) | ct
 *
 * The leading 0x00 is present with the B&A label "message/auction
 * request" and absent with RFC 9458's "message/bhttp request"; the
 * decapsulation recognises both forms as the servers do (data-plane-
 * shared-libraries ohttp_utils.h, ParseEncapsulatedRequest).
 *
 * Key config (41 bytes): key_id(1) | 0x0020 | pk(32) | 0x0004 | 0x0001
 * | 0x0002.  Published form: {"keys":[{"id":"<hex>","key":"<b64>"}]},
 * key_id = the first two hex digits of id, key = standard base64 of pk.
 *
 * Functions return 0 or a negative OHTTP_E* code after writing a short
 * lowercase reason to err (errlen bytes, err may be NULL).  They never
 * print or exit; only the JSON functions allocate (xmalloc: exit 71).
 */

enum ohttp_label {
	OHTTP_LABEL_BHTTP = 0,		/* "message/bhttp request" */
	OHTTP_LABEL_AUCTION = 1		/* "message/auction request" */
};

#define OHTTP_HDR_LEN		7
#define OHTTP_KEYCONFIG_LEN	41
#define OHTTP_KEYCONFIG_HEXLEN	(2 * OHTTP_KEYCONFIG_LEN)
/* Bytes an encapsulated request adds to its plaintext, at most. */
#define OHTTP_OVERHEAD		(1 + OHTTP_HDR_LEN + HPKE_NENC + HPKE_NT)

enum {
	OHTTP_OK = 0,
	OHTTP_ECONFIG = -1,	/* malformed key config or key JSON */
	OHTTP_EKEYID = -2,	/* request for another key id */
	OHTTP_EHEADER = -3,	/* not a request of our suite */
	OHTTP_EDECRYPT = -4,	/* wrong key, or altered request */
	OHTTP_ECRYPTO = -5	/* libsodium init failed, or no AES-NI */
};

struct ohttp_keyconfig {
	uint8_t		key_id;
	unsigned char	pk[HPKE_NPK];
};

/* "message/bhttp request" or "message/auction request". */
const char	*ohttp_label_string(enum ohttp_label label);

/* The 41 bytes of kc. */
void	ohttp_keyconfig_encode(const struct ohttp_keyconfig *kc,
	    unsigned char out[OHTTP_KEYCONFIG_LEN]);
/*
 * Parses one key config of exactly len bytes.  It must name KEM 0x0020
 * and list the pair (0x0001, 0x0002) among its symmetric algorithms
 * (others are allowed and ignored).  0 or OHTTP_ECONFIG.
 */
int	ohttp_keyconfig_decode(struct ohttp_keyconfig *kc,
	    const unsigned char *buf, size_t len, char *err, size_t errlen);
/* Lower-case hex of the key config, NUL-terminated, no newline. */
void	ohttp_keyconfig_hex(const struct ohttp_keyconfig *kc,
	    char out[OHTTP_KEYCONFIG_HEXLEN + 1]);

/*
 * Parses the published JSON form into a new array *keys of *nkeys >= 1
 * entries (caller frees with free(3)).  Every entry needs "id" (at
 * least two hex digits) and "key" (base64 of 32 bytes).  Other members
 * are ignored.  0 or OHTTP_ECONFIG (then *keys is NULL).
 */
int	ohttp_keys_json_parse(const char *text, size_t len,
	    struct ohttp_keyconfig **keys, size_t *nkeys, char *err,
	    size_t errlen);
/*
 * The published JSON form of keys[0..n), compact, without a newline,
 * as a new string (caller frees).  An id is written as 16 upper-case hex
 * digits: the key id followed by fourteen zeros ("0400000000000000").
 */
char	*ohttp_keys_json_dump(const struct ohttp_keyconfig *keys, size_t n);

/* Size of the encapsulated request of a plaintext of ptlen bytes. */
size_t	ohttp_encapsulated_len(enum ohttp_label label, size_t ptlen);

/*
 * Encapsulates pt for kc into out, which holds
 * ohttp_encapsulated_len(label, ptlen) bytes.  skE is a fixed ephemeral
 * secret key (test vectors); NULL draws it from rng (NULL: secure
 * random).  0, OHTTP_ECONFIG (an unusable public key) or OHTTP_ECRYPTO.
 */
int	ohttp_encapsulate(const struct ohttp_keyconfig *kc,
	    enum ohttp_label label, const void *pt, size_t ptlen,
	    const unsigned char *skE, struct rng *rng, unsigned char *out,
	    char *err, size_t errlen);

/*
 * Decapsulates in[0..inlen) with the secret key sk.  key_id >= 0 must
 * match the request's key id (OHTTP_EKEYID otherwise); -1 accepts any.
 * pt must hold inlen bytes; *ptlen gets the plaintext length and *label
 * (may be NULL) the form found.  On any error pt holds nothing of the
 * plaintext.  Returns 0, OHTTP_EHEADER, OHTTP_EKEYID, OHTTP_EDECRYPT
 * or OHTTP_ECRYPTO.
 */
int	ohttp_decapsulate(const unsigned char sk[HPKE_NSK], int key_id,
	    const unsigned char *in, size_t inlen, unsigned char *pt,
	    size_t *ptlen, enum ohttp_label *label, char *err, size_t errlen);

#endif
