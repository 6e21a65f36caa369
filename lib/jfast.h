#ifndef ADSIG_JFAST_H
#define ADSIG_JFAST_H
#include <stddef.h>

/*
 * A narrow JSON scanner for hot paths.  It accepts only lines that are
 * "canonical": exactly what jw_value() writes for the value jansson
 * parses from them (no white space; strings with only the escapes jw
 * writes; integers without sign or leading zeros beyond "-N", 18 digits
 * at most; reals spelled as jw_real spells them; no duplicate keys; at
 * most 64 levels and 32 keys per object).  For such a line a tool may
 * splice new fields into the text instead of parsing and writing it,
 * and the bytes come out the same.  Everything else is refused, and the
 * caller falls back to jansson, which reports real errors.
 * tests/unit/test_jfast.c checks both paths on random lines.
 */
struct jfast_num {
	double	v;
	int	is_int;
};

/*
 * Checks that line[0..len) is a canonical JSON object, that keys[i] for
 * i < nvals are top-level keys with number values (into *vals[i]), and
 * that keys[i] for nvals <= i < nkeys are not top-level keys.
 * Returns 0, or -1 (fall back to jansson).
 */
int	jfast_flat_numbers(const char *line, size_t len,
	    const char *const *keys, size_t nkeys, struct jfast_num **vals,
	    size_t nvals);

/*
 * The length of the UTF-8 sequence at p (p < end): 2 to 4 for a valid
 * shortest-form sequence of a code point that is no surrogate and at most
 * U+10FFFF, 0 otherwise (ASCII included: callers handle it first).
 */
size_t	jfast_utf8_len(const unsigned char *p, const unsigned char *end);

/* 0 if line[0..len) is a canonical JSON value of any type, else -1. */
int	jfast_canonical(const char *line, size_t len);

#endif
