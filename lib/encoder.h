#ifndef ADSIG_ENCODER_H
#define ADSIG_ENCODER_H
#include <stddef.h>

#include "buf.h"
#include "sigstore.h"

/*
 * The encodeSignals step of the on-device encoding job (SPEC-PAS.md
 * section 3) as a line protocol for a co-process (udf.h):
 *
 *   request  {"signals":<sigstore_marshal of the snapshot>,"maxSize":N}
 *   answer   {"status":0,"results":"<hex>"}
 *
 * The answer is judged as AOSP's SignalsScriptEngine judges the
 * driver's result: "status" must be an integer and 0, "results" a
 * string of hex digits (either case, even length; "" is an empty
 * payload and a success), and the payload at most maxSize bytes.
 * Members other than these two are ignored.
 *
 * Functions never print or exit; allocation through xmalloc.
 */

/* Appends the request line (no newline) to b. */
void	encoder_request(struct buf *b, const struct sigstore_snap *s,
	    const struct sigstore_strtab *st, size_t max_size);

/*
 * Judges the answer ans[0..len).  On success the payload goes to
 * out[0..*outlen) (out holds max_size bytes) and 0 is returned; else -1
 * with a reason such as
 *   answer is not a JSON object
 *   answer has no integer "status"
 *   status 3 (not 0)
 *   answer has no string "results"
 *   results are not hex (odd length)
 *   results are not hex (character 7)
 *   results of 1600 bytes exceed maxSize 1536
 */
int	encoder_answer(const char *ans, size_t len, size_t max_size,
	    unsigned char *out, size_t *outlen, char *err, size_t errlen);

#endif
