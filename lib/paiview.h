#ifndef ADSIG_PAIVIEW_H
#define ADSIG_PAIVIEW_H
#include <jansson.h>

#include "pai.h"

/*
 * The JSON view of an opened ProtectedAuctionInput (pas-encode --open;
 * pas-retrieve reads the same structure):
 *
 *   {"key_id":4,"label":"message/auction request",
 *    "publisher_name":"com.pub.news","generation_id":"r-1",
 *    "enable_unlimited_egress":false,"request_timestamp_ms":1685580000000,
 *    "buyer_input":{"adtech1.example":{"encoding_version":0,"bytes":34,
 *        "app_install_signals":"<HEX>"}}}
 *
 * Buyers in wire order (sorted by name when pas-encode sealed them);
 * hex upper-case as in SPEC-PAS.md section 3.  With decode set, each
 * buyer also gets "decoded": the built-in encoder's payload read back
 * (sigstore_decode) as [{"key":"<HEX8>","count":N,"bucket":N,
 * "value":"<HEX>"}, ...], or "decode_error":"payload: ..." when the
 * payload is not of that layout.
 *
 * Returns a new object (the caller json_decref()s it).  Never fails
 * except through allocation (exit 71).
 */
json_t	*paiview_json(const struct pai_opened *o, int decode);

/* Upper-case hex of p[0..n) as a new JSON string. */
json_t	*paiview_hex(const unsigned char *p, size_t n);

#endif
