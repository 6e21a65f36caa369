#ifndef ADSIG_TESTHEX_H
#define ADSIG_TESTHEX_H
/* Hex helpers shared by the unit tests (test code only). */
#include <stddef.h>
#include <string.h>

/* Decodes the hex string s into out (at most cap bytes); the byte count. */
static inline size_t
th_unhex(unsigned char *out, size_t cap, const char *s)
{
	size_t n = 0;
	int hi, lo;

	while (s[0] != '\0' && s[1] != '\0' && n < cap) {
		hi = s[0] <= '9' ? s[0] - '0' : (s[0] | 0x20) - 'a' + 10;
		lo = s[1] <= '9' ? s[1] - '0' : (s[1] | 0x20) - 'a' + 10;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return n;
}

/* Lower-case hex of p[0..n) into out, which holds 2n+1 chars. */
static inline char *
th_hex(char *out, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = "0123456789abcdef"[b[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[b[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

#endif
