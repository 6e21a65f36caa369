/* hkdf: RFC 5869 appendix A test cases 1, 2 and 3 (SHA-256). */
#include <string.h>

#include "hkdf.h"
#include "testhex.h"
#include "unit.h"

int
main(void)
{
	unsigned char ikm[80], salt[80], info[80], prk[32], okm[82];
	struct hkdf_part parts[3];
	char hex[2 * 82 + 1];
	size_t i;

	/* Test case 1: IKM 22 x 0x0b, salt 00..0c, info f0..f9, L 42. */
	memset(ikm, 0x0b, 22);
	for (i = 0; i < 13; i++)
		salt[i] = (unsigned char)i;
	for (i = 0; i < 10; i++)
		info[i] = (unsigned char)(0xf0 + i);
	hkdf_extract(prk, salt, 13, ikm, 22);
	CHECK_STR(th_hex(hex, prk, 32), "077709362c2e32df0ddc3f0dc47bba63"
	    "90b6c73bb50f9c3122ec844ad7c2b3e5");
	CHECK(hkdf_expand(okm, 42, prk, info, 10) == 0);
	CHECK_STR(th_hex(hex, okm, 42), "3cb25f25faacd57a90434f64d0362f2a"
	    "2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

	/* The same with IKM and info split into parts. */
	parts[0].p = ikm;
	parts[0].n = 5;
	parts[1].p = NULL;
	parts[1].n = 0;
	parts[2].p = ikm + 5;
	parts[2].n = 17;
	hkdf_extractv(prk, salt, 13, parts, 3);
	CHECK_STR(th_hex(hex, prk, 32), "077709362c2e32df0ddc3f0dc47bba63"
	    "90b6c73bb50f9c3122ec844ad7c2b3e5");
	parts[0].p = info;
	parts[0].n = 3;
	parts[1].p = info + 3;
	parts[1].n = 7;
	CHECK(hkdf_expandv(okm, 42, prk, parts, 2) == 0);
	CHECK_STR(th_hex(hex, okm, 42), "3cb25f25faacd57a90434f64d0362f2a"
	    "2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

	/* Test case 2: IKM 00..4f, salt 60..af, info b0..ff, L 82. */
	for (i = 0; i < 80; i++) {
		ikm[i] = (unsigned char)i;
		salt[i] = (unsigned char)(0x60 + i);
		info[i] = (unsigned char)(0xb0 + i);
	}
	hkdf_extract(prk, salt, 80, ikm, 80);
	CHECK_STR(th_hex(hex, prk, 32), "06a6b88c5853361a06104c9ceb35b45c"
	    "ef760014904671014a193f40c15fc244");
	CHECK(hkdf_expand(okm, 82, prk, info, 80) == 0);
	CHECK_STR(th_hex(hex, okm, 82), "b11e398dc80327a1c8e7f78c596a4934"
	    "4f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
	    "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f"
	    "1d87");

	/* Test case 3: empty salt and info. */
	memset(ikm, 0x0b, 22);
	hkdf_extract(prk, NULL, 0, ikm, 22);
	CHECK_STR(th_hex(hex, prk, 32), "19ef24a32c717b167f33a91d6f648bdf"
	    "96596776afdb6377ac434c1c293ccb04");
	CHECK(hkdf_expand(okm, 42, prk, NULL, 0) == 0);
	CHECK_STR(th_hex(hex, okm, 42), "8da4e775a563c18f715f802a063c5a31"
	    "b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");

	CHECK(hkdf_expand(okm, HKDF_SHA256_MAXOUT + 1, prk, NULL, 0) == -1);
	return unit_report();
}
