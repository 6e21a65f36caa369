#ifndef ADSIG_PB_H
#define ADSIG_PB_H
#include <stddef.h>
#include <stdint.h>

/*
 * The few protobuf messages of a ProtectedAuctionInput (bidding-
 * auction-servers api/bidding_auction_servers.proto):
 *
 *   BuyerInput { ProtectedAppSignals protected_app_signals = 2; }
 *   ProtectedAppSignals { bytes app_install_signals = 1;
 *                         int32 encoding_version = 2; }
 *   ProtectedAuctionInput { map<string,bytes> buyer_input = 1;
 *       string publisher_name = 2; string generation_id = 4;
 *       bool enable_unlimited_egress = 6; int64 request_timestamp_ms = 7; }
 *
 * Encoding writes fields in field-number order and omits proto3
 * defaults (0, false, empty) as protobuf does; a map entry always
 * carries its key (1) and value (2), and entries keep the caller's
 * order (sort them for deterministic output).  Decoding is strict about
 * bounds (it never reads past the buffer), skips unknown fields of wire
 * types 0, 1, 2 and 5, merges repeated singular fields as protobuf does
 * (the last scalar wins), keeps map entries in wire order (duplicates
 * included; the caller decides), and checks that strings are UTF-8.
 *
 * Decoded bytes and strings are views into the input buffer, which must
 * outlive them; strings are not NUL-terminated.  Functions never print
 * or exit; decoders return 0, or -1 after writing a short lowercase
 * reason to err (errlen bytes, err may be NULL).
 */

struct pb_bytes {
	const unsigned char	*p;
	size_t			 len;
};

struct pb_app_signals {
	struct pb_bytes	app_install_signals;
	int32_t		encoding_version;
};

struct pb_buyer_input {
	int			has_app_signals;
	struct pb_app_signals	app_signals;
};

struct pb_entry {
	struct pb_bytes	key;
	struct pb_bytes	value;
};

struct pb_pai {
	struct pb_entry	*buyer_input;	/* see pb_pai_clear */
	size_t		 nbuyer_input;
	struct pb_bytes	 publisher_name;
	struct pb_bytes	 generation_id;
	int		 enable_unlimited_egress;
	int64_t		 request_timestamp_ms;
};

/* Encoded size, then encoding into out (which holds that many bytes). */
size_t	pb_buyer_input_size(const struct pb_buyer_input *m);
size_t	pb_buyer_input_encode(const struct pb_buyer_input *m,
	    unsigned char *out);
size_t	pb_pai_size(const struct pb_pai *m);
size_t	pb_pai_encode(const struct pb_pai *m, unsigned char *out);

/* Decoders; *m is overwritten (zeroed first). */
int	pb_buyer_input_decode(struct pb_buyer_input *m,
	    const unsigned char *buf, size_t len, char *err, size_t errlen);
/* On success m->buyer_input is allocated (xmalloc); pb_pai_clear frees. */
int	pb_pai_decode(struct pb_pai *m, const unsigned char *buf, size_t len,
	    char *err, size_t errlen);
/* Frees what pb_pai_decode allocated and zeroes *m.  NULL-safe. */
void	pb_pai_clear(struct pb_pai *m);

/* 1 if p[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
int	pb_utf8_valid(const void *p, size_t n);

#endif
