#include "b64.h"

#include <stdint.h>

#include <sodium.h>

static const char enc[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for the alphabet, 0xff for everything else ('=' included) */
static const unsigned char dec[256] = {
#define X 0xff
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
#undef X
};

void
b64_encode(char *out, const unsigned char *bin, size_t n)
{
	uint32_t w;

	for (; n >= 3; n -= 3, bin += 3, out += 4) {
		w = (uint32_t)bin[0] << 16 | (uint32_t)bin[1] << 8 | bin[2];
		out[0] = enc[w >> 18];
		out[1] = enc[w >> 12 & 63];
		out[2] = enc[w >> 6 & 63];
		out[3] = enc[w & 63];
	}
	if (n > 0) {
		w = (uint32_t)bin[0] << 16 | (n > 1 ? (uint32_t)bin[1] << 8 : 0);
		out[0] = enc[w >> 18];
		out[1] = enc[w >> 12 & 63];
		out[2] = n > 1 ? enc[w >> 6 & 63] : '=';
		out[3] = '=';
		out += 4;
	}
	*out = '\0';
}

/* libsodium's answer, for everything the table leaves. */
static int
slow(unsigned char *bin, size_t cap, const char *s, size_t n, size_t *len)
{
	const char *end;

	if (sodium_base642bin(bin, cap, s, n, NULL, len, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || end != s + n)
		return -1;
	return 0;
}

int
b64_decode(unsigned char *bin, size_t cap, const char *s, size_t n,
    size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t pad = 0, q, i, out;
	uint32_t a, b, c, d;

	if (n == 0 || n % 4 != 0)
		return slow(bin, cap, s, n, len);
	if (p[n - 1] == '=')
		pad = p[n - 2] == '=' ? 2 : 1;
	out = n / 4 * 3 - pad;
	if (out > cap)
		return slow(bin, cap, s, n, len);
	q = n / 4 - 1;			/* whole quads before the last */
	for (i = 0; i < q; i++, p += 4, bin += 3) {
		a = dec[p[0]];
		b = dec[p[1]];
		c = dec[p[2]];
		d = dec[p[3]];
		if ((a | b | c | d) & 0x80)
			return slow(bin - 3 * i, cap, s, n, len);
		a = a << 18 | b << 12 | c << 6 | d;
		bin[0] = (unsigned char)(a >> 16);
		bin[1] = (unsigned char)(a >> 8);
		bin[2] = (unsigned char)a;
	}
	a = dec[p[0]];
	b = dec[p[1]];
	c = pad == 2 ? 0 : dec[p[2]];
	d = pad >= 1 ? 0 : dec[p[3]];
	if ((a | b | c | d) & 0x80 ||
	    (pad == 2 && (b & 15) != 0) || (pad == 1 && (c & 3) != 0))
		return slow(bin - 3 * q, cap, s, n, len);
	a = a << 18 | b << 12 | c << 6 | d;
	bin[0] = (unsigned char)(a >> 16);
	if (pad < 2)
		bin[1] = (unsigned char)(a >> 8);
	if (pad < 1)
		bin[2] = (unsigned char)a;
	*len = out;
	return 0;
}
