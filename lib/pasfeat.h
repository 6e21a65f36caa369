#ifndef ADSIG_PASFEAT_H
#define ADSIG_PASFEAT_H
#include <stddef.h>

#include <jansson.h>

#include "sigstore.h"

/*
 * The decoded signal feature vector of adsig(5): what the built-in
 * decoder's output (sigstore_decode: per key its count, recency bucket
 * and latest value) becomes as a fixed-length numeric vector x, the
 * input of a two_tower model's user tower (model2t.h).
 *
 * A feature is named "KEY.STAT".  KEY names a 4-byte signal key: either
 * its text, 1 to 4 characters of [A-Za-z0-9_] standing for those bytes
 * right-padded with zero bytes ("igam", "ab" = 61 62 00 00), or "0x" and
 * exactly 8 hex digits for any key ("0x69676100").  STAT is one of
 *
 *   present     1 if the key is in the payload, else 0
 *   count       its count (0..255)
 *   log_count   ln(1 + count)
 *   recency     bucket / 12 (the bucket as decoded, not capped)
 *   fresh       (12 - min(bucket, 12)) / 12: 1 in the hour the key was
 *               last written, falling to 1/12 at 1024-2047 hours
 *   value       the latest value read as a decimal number: the bytes
 *               match -?[0-9]+(\.[0-9]+)? (at most 30 bytes), else 0
 *   log_value   sign(v) * ln(1 + |v|) of that number v
 *
 * Every stat of a key absent from the payload is 0.  When a payload
 * holds a key twice (the built-in encoder never does so) the first
 * entry, the most recent one, counts.
 *
 * Nothing here exits except through xmalloc (exit 71), nothing prints.
 */

enum pasfeat_stat {
	PASFEAT_PRESENT, PASFEAT_COUNT, PASFEAT_LOG_COUNT, PASFEAT_RECENCY,
	PASFEAT_FRESH, PASFEAT_VALUE, PASFEAT_LOG_VALUE, PASFEAT_NSTAT
};

struct pasfeat_spec {
	unsigned char	key[4];
	int		stat;		/* enum pasfeat_stat */
};

struct pasfeat {
	struct pasfeat_spec	*spec;
	size_t			 n;
};

/* Longest name pasfeat_name writes, with its NUL. */
#define PASFEAT_NAME_MAX	24

/*
 * Parses n feature names into f (which the caller frees with
 * pasfeat_free).  Returns 0, or -1 with a reason such as
 *   feature 3 "igam.size": unknown stat "size"
 *   feature 0 "abcde.present": key "abcde" is not 1-4 characters of
 *     [A-Za-z0-9_] or 0x and 8 hex digits
 * A name may repeat (the same number twice in x).
 */
int	pasfeat_init(struct pasfeat *f, const char *const *names, size_t n,
	    char *err, size_t errlen);
/* The same from a JSON array of strings (borrowed). */
int	pasfeat_init_json(struct pasfeat *f, const json_t *names, char *err,
	    size_t errlen);
void	pasfeat_free(struct pasfeat *f);		/* NULL-safe */

/* Writes the canonical name of (key, stat) into out[PASFEAT_NAME_MAX]:
 * the text form when the key allows it, else the 0x form. */
void	pasfeat_name(const unsigned char key[4], int stat, char *out);

/* The number of a value as the "value" stat reads it (0 if none). */
double	pasfeat_value_number(const unsigned char *val, size_t len);

/* x[0..f->n) from decoded entries ent[0..nent). */
void	pasfeat_vector(const struct pasfeat *f,
	    const struct sigstore_feat *ent, size_t nent, double *x);

/*
 * x[0..f->n) from a built-in encoder payload p[0..n) (sigstore_decode,
 * then pasfeat_vector).  Returns 0, or -1 with the decoder's reason
 * ("payload: ...").
 */
int	pasfeat_payload(const struct pasfeat *f, const unsigned char *p,
	    size_t n, double *x, char *err, size_t errlen);

#endif
