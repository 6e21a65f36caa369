/*
 * The table codecs that replaced libsodium's and strtod() on hot paths,
 * against them on arbitrary bytes: b64_decode() must give exactly what
 * sodium_base642bin() gives (status, length, bytes) for any input and
 * room, b64_encode() what sodium_bin2base64() writes, and fnum_parse()
 * strtod()'s double for every text it takes as a JSON number.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "fnum.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char got[4096], want[4096];
	static char enc[8192], ref[8192], num[64];
	const char *s = (const char *)data, *end;
	size_t cap, glen = 0, wlen = 0;
	double x, y;
	int grc, wrc;

	if (sodium_init() < 0 || size > 3000)
		return 0;
	/* the first byte picks the room, the rest is the text */
	cap = size > 0 ? (size_t)data[0] * 16 % sizeof(got) : sizeof(got);
	grc = b64_decode(got, cap, s, size, &glen);
	wrc = sodium_base642bin(want, cap, s, size, NULL, &wlen, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || end != s + size ? -1 : 0;
	if (grc != wrc || (grc == 0 && (glen != wlen ||
	    memcmp(got, want, wlen) != 0)))
		abort();
	b64_encode(enc, data, size);
	sodium_bin2base64(ref, sizeof(ref), data, size,
	    sodium_base64_VARIANT_ORIGINAL);
	if (strcmp(enc, ref) != 0)
		abort();
	if (size < sizeof(num) && fnum_parse(s, size, &x) == 0) {
		memcpy(num, s, size);
		num[size] = '\0';
		y = strtod(num, NULL);
		if (!(x == y ? signbit(x) == signbit(y) : isnan(x) && isnan(y)))
			abort();
	}
	return 0;
}
