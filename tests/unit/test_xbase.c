/*
 * xbase: X25519(sk, 9) through the Ed25519 table equals libsodium's
 * ladder, on the RFC 7748 section 6.1 keys, on edge scalars and on
 * random ones.
 */
#include <string.h>

#include <sodium.h>

#include "testhex.h"
#include "unit.h"
#include "xbase.h"

static void
check_key(const char *skhex, const char *pkhex)
{
	unsigned char sk[32], pk[32];
	char hex[65];

	th_unhex(sk, sizeof(sk), skhex);
	CHECK(xbase(pk, sk) == 0);
	CHECK_STR(th_hex(hex, pk, 32), pkhex);
}

int
main(void)
{
	unsigned char sk[32], a[32], b[32];
	int i, same = 0, n = (int)unit_n(20000);

	if (sodium_init() < 0)
		return 1;
	/* RFC 7748 section 6.1: Alice's and Bob's key pairs */
	check_key("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	check_key("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

	/* edge scalars: all zero (libsodium's Ed25519 refuses it), all
	 * ones, one bit at a time */
	for (i = -2; i < 256; i++) {
		memset(sk, i == -1 ? 0xff : 0, sizeof(sk));
		if (i >= 0)
			sk[i / 8] = (unsigned char)(1u << (i % 8));
		CHECK(xbase(a, sk) == 0);
		CHECK(xbase_ladder(b, sk) == 0);
		CHECK(memcmp(a, b, 32) == 0);
	}

	/* random scalars */
	for (i = 0; i < n; i++) {
		randombytes_buf(sk, sizeof(sk));
		if (xbase(a, sk) == 0 && xbase_ladder(b, sk) == 0 &&
		    memcmp(a, b, 32) == 0)
			same++;
	}
	CHECK(same == n);
	return unit_report();
}
