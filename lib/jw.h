#ifndef ADSIG_JW_H
#define ADSIG_JW_H
#include <jansson.h>

#include "buf.h"

/*
 * The JSON writer of every tool: compact, keys in the object's order,
 * strings escaped minimally (", \, control characters; UTF-8 as is),
 * integers as integers, reals as the shortest of 15, 16 or 17
 * significant digits that reads back to the same double, with ".0"
 * added to an integral real so it stays a real.  Appends to b; borrows v.
 */
void	jw_value(struct buf *b, const json_t *v);
/* A finite double in the form above.  Non-finite values write null. */
void	jw_real(struct buf *b, double d);
void	jw_int(struct buf *b, long long i);
/* A JSON string literal with quotes, of s[0..n). */
void	jw_string(struct buf *b, const char *s, size_t n);
/*
 * The shortest "%.Ng" (N = 15, 16, 17) of d that strtod reads back as d,
 * into out (at least 32 bytes).  Returns the length.
 */
int	jw_fmt_double(char *out, double d);
/* The same by snprintf and strtod alone: the reference for tests. */
int	jw_fmt_double_ref(char *out, double d);

#endif
