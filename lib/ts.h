#ifndef ADSIG_TS_H
#define ADSIG_TS_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * Timestamps `ts` (adsig(7)): epoch seconds as a JSON integer or real
 * (a fraction allowed), or an RFC 3339 string such as
 * "2023-06-01T00:00:00Z", "2023-06-01t00:00:00.25+02:00" or, as RFC
 * 3339 section 5.6 permits, with a space instead of the "T".
 *
 * A time is kept as whole seconds (floor, so -0.5 is -1 s + 0.5) and
 * nanoseconds in [0, 1e9).  Comparing (sec, nsec) pairs orders times
 * exactly; tools that work in whole seconds use sec.
 *
 * Functions never print, never exit and never allocate.  They return 0,
 * or -1 after writing a short lowercase reason to err (errlen bytes; err
 * may be NULL).
 */
struct ts {
	int64_t		sec;
	int32_t		nsec;
};

/* Bounds: years 0000..9999 for strings, |sec| < 2^53 for numbers. */
#define TS_MAX_SEC	((int64_t)1 << 53)

/* Parses an RFC 3339 date-time of len bytes (no NUL needed). */
int	ts_parse_rfc3339(const char *s, size_t len, struct ts *out, char *err,
	    size_t errlen);

/* Parses a JSON ts: integer, finite real or RFC 3339 string. */
int	ts_from_json(const json_t *v, struct ts *out, char *err, size_t errlen);

/* <0, 0, >0 as a is before, equal to, after b. */
int	ts_cmp(const struct ts *a, const struct ts *b);

/* Milliseconds since the epoch (floor), for request_timestamp_ms. */
int64_t	ts_millis(const struct ts *t);

#endif
