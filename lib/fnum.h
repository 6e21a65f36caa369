#ifndef ADSIG_FNUM_H
#define ADSIG_FNUM_H
#include <stddef.h>

/*
 * Decimal text to double, exactly as strtod() rounds it, faster for
 * the numbers JSON writers emit (up to 19 significant digits, small
 * exponents): the digits are gathered into a 64-bit integer and scaled
 * by an exact power of ten in one correctly rounded operation (in
 * extended precision where the platform has it, with a check that the
 * second rounding to double cannot differ); anything else goes to
 * strtod().
 *
 * fnum_parse() reads s[0..n), which must be a whole JSON number (sign,
 * digits, fraction, exponent; no blanks): 0 with *x, or -1 when the
 * text is not such a number.  The result equals strtod() on the same
 * text, including -0.0, and overflow gives +-HUGE_VAL as strtod() does
 * (callers that refuse ERANGE must check isfinite()).
 * tests/unit/test_fnum.c compares it with strtod() on millions of
 * numbers.
 */
int	fnum_parse(const char *s, size_t n, double *x);

#endif
