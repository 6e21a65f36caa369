#ifndef ADSIG_PAI_H
#define ADSIG_PAI_H
#include <stddef.h>
#include <stdint.h>

#include "gz.h"
#include "ohttp.h"
#include "rng.h"

/*
 * The sealed ProtectedAuctionInput of SPEC-PAS.md section 4, end to end:
 *
 *   each buyer:  gzip(BuyerInput{protected_app_signals{payload, version}})
 *   outer:       ProtectedAuctionInput{buyer_input map, publisher_name,
 *                generation_id, enable_unlimited_egress,
 *                request_timestamp_ms}, not compressed
 *   framed:      frame.h, compression 2 (gzip)
 *   sealed:      OHTTP request (ohttp.h) to the auction's key config.
 *
 * Label: use OHTTP_LABEL_AUCTION ("message/auction request", output
 * starts with 0x00).  It is the media type the B&A services define for
 * this payload (bidding-auction-servers ohttp_utils.h,
 * kBiddingAuctionOhttpRequestLabel, and the B&A draft's request
 * encryption); their front ends also accept "message/bhttp request", so
 * pai_open reads both.
 *
 * Map entries are written sorted by buyer name (bytewise), as protobuf's
 * deterministic serialisation does, so a fixed ephemeral key (or a
 * seeded rng) gives the same bytes every run.
 *
 * Functions return PAI_OK (0) or a negative PAI_E* code after writing a
 * short lowercase reason to err (errlen bytes, err may be NULL).  An
 * error message never quotes decrypted content (buyers are named by
 * their position), and on error every decrypted buffer is wiped.  They
 * never print or exit; allocation is xmalloc (exit 71 on failure).
 */

enum {
	PAI_OK = 0,
	PAI_EINPUT = -1,	/* seal: bad input, too large, bad public key */
	PAI_EKEYID = -2,	/* open: request for another key id */
	PAI_EHEADER = -3,	/* open: not an OHTTP request of our suite */
	PAI_EDECRYPT = -4,	/* open: wrong key, or altered ciphertext */
	PAI_EFRAME = -5,	/* open: bad framing */
	PAI_EPROTO = -6,	/* open: bad protobuf */
	PAI_EGZIP = -7,		/* open: bad gzip in a buyer input */
	PAI_ECRYPTO = -8	/* libsodium init failed, or no AES-NI */
};

/* Decompressed size allowed for one buyer input (a zip bomb stops). */
#define PAI_MAX_BUYER_INPUT	(1 << 20)

struct pai_buyer {
	const char		*name;		/* UTF-8, no NUL */
	const unsigned char	*payload;	/* app_install_signals */
	size_t			 len;
	int32_t			 encoding_version;
};

struct pai_input {
	const struct pai_buyer	*buyers;
	size_t			 nbuyers;
	const char		*publisher;	/* NULL means "" */
	const char		*generation_id;	/* NULL means "" */
	int64_t			 timestamp_ms;
	int			 enable_unlimited_egress;
};

/*
 * Seals in for kc into a new buffer *out of *outlen bytes (caller
 * frees).  Buyer names must be distinct, and all strings UTF-8.  skE is
 * a fixed ephemeral secret key (tests); NULL draws it from rng (NULL:
 * secure random).  gz is a compressor kept across calls (gz.h); NULL
 * makes one for this call, which costs more than the sealing itself.
 * PAI_OK, PAI_EINPUT or PAI_ECRYPTO.
 */
int	pai_seal(struct gz_deflater *gz, const struct pai_input *in,
	    const struct ohttp_keyconfig *kc,
	    enum ohttp_label label, const unsigned char *skE, struct rng *rng,
	    unsigned char **out, size_t *outlen, char *err, size_t errlen);

/* An opened input; `in` points into storage owned by the struct. */
struct pai_opened {
	struct pai_input	 in;	/* buyers in wire order */
	uint8_t			 key_id;
	enum ohttp_label	 label;
	/* private */
	struct pai_buyer	*buyers_;
	unsigned char		*plain_;
	size_t			 plainlen_;
	unsigned char		**bufs_;
	size_t			*buflens_;
	size_t			 nbufs_;
	char			*strings_;
	size_t			 stringslen_;
};

/*
 * Opens a sealed input with the secret key sk.  key_id >= 0 must match
 * the request's (PAI_EKEYID); -1 accepts any.  A buyer input without
 * protected_app_signals opens as an empty payload of version 0.
 * Frame compression 0 (buyer inputs not compressed) is accepted too.
 * On success *o owns everything (pai_opened_free); on error *o is
 * zeroed.  Duplicate buyer names are a protobuf error.
 */
int	pai_open(const unsigned char sk[HPKE_NSK], int key_id,
	    const unsigned char *buf, size_t len, struct pai_opened *o,
	    char *err, size_t errlen);

/* Wipes and frees what pai_open allocated, then zeroes *o.  NULL-safe. */
void	pai_opened_free(struct pai_opened *o);

/* A fixed snake_case name for an error code, for counters: "decrypt". */
const char	*pai_error_class(int code);

#endif
