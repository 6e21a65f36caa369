/*
 * b64: the table codec against libsodium's.  Encoding: every length up
 * to 400 of random bytes.  Decoding: valid encodings, then the same with
 * characters replaced, cut, padded or given too little room, compared
 * with sodium_base642bin() for status, length and bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "unit.h"

static int
ref_decode(unsigned char *bin, size_t cap, const char *s, size_t n,
    size_t *len)
{
	const char *end;

	if (sodium_base642bin(bin, cap, s, n, NULL, len, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || end != s + n)
		return -1;
	return 0;
}

int
main(void)
{
	static const char junk[] = "AZaz09+/==-_ \n.\x80\xff";
	unsigned char bin[512], got[512], want[512];
	char mine[800], ref[800];
	size_t n, m, cap, glen, wlen;
	int i, k, grc, wrc, enc_same = 0, dec_same = 0, valid = 0, trials = 0;

	if (sodium_init() < 0)
		return 1;
	for (n = 0; n <= 400; n++) {
		randombytes_buf(bin, n);
		b64_encode(mine, bin, n);
		sodium_bin2base64(ref, sizeof(ref), bin, n,
		    sodium_base64_VARIANT_ORIGINAL);
		if (strlen(mine) == B64_LEN(n) && strcmp(mine, ref) == 0)
			enc_same++;
	}
	CHECK(enc_same == 401);

	for (i = 0; i < 200000; i++) {
		n = randombytes_uniform(40);
		randombytes_buf(bin, n);
		b64_encode(mine, bin, n);
		m = strlen(mine);
		switch (randombytes_uniform(6)) {
		case 0:			/* as it is */
			break;
		case 1:			/* one character replaced */
		case 2:
			if (m > 0)
				mine[randombytes_uniform((uint32_t)m)] =
				    junk[randombytes_uniform(sizeof(junk) - 1)];
			break;
		case 3:			/* cut */
			if (m > 0)
				m = randombytes_uniform((uint32_t)m);
			break;
		case 4:			/* one more character */
			mine[m++] = junk[randombytes_uniform(sizeof(junk) - 1)];
			break;
		case 5:			/* a last character's bits changed */
			if (m > 0)
				for (k = (int)m - 1; k >= 0; k--)
					if (mine[k] != '=') {
						mine[k] = junk[randombytes_uniform(8)];
						break;
					}
			break;
		}
		cap = randombytes_uniform(8) == 0 ? randombytes_uniform(32) :
		    sizeof(got);
		memset(got, 0xaa, sizeof(got));
		memset(want, 0xaa, sizeof(want));
		glen = wlen = 12345;
		grc = b64_decode(got, cap, mine, m, &glen);
		wrc = ref_decode(want, cap, mine, m, &wlen);
		trials++;
		if (grc == wrc && (grc != 0 || (glen == wlen &&
		    memcmp(got, want, wlen) == 0)))
			dec_same++;
		else
			fprintf(stderr, "differs on \"%.*s\" cap %zu: %d/%zu "
			    "against %d/%zu\n", (int)m, mine, cap, grc, glen,
			    wrc, wlen);
		if (wrc == 0)
			valid++;
	}
	CHECK(dec_same == trials);
	CHECK(valid > 50000 && valid < trials - 50000);	/* both kinds */
	return unit_report();
}
