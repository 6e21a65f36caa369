/*
 * xbase: X25519 through tables of multiples equals libsodium's ladder,
 * on the RFC 7748 section 6.1 keys and shared secret, on edge scalars,
 * on random scalars and points, on points of small order, on points of
 * the twist and on u-coordinates that are not canonical.
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

/* X25519(sk, u) both ways: the same return code, and bytes on 0 */
static int
same_mul(const struct xbase_tab *t, const unsigned char sk[32],
    const unsigned char u[32])
{
	unsigned char a[32], b[32];
	int ra, rb;

	ra = xbase_tab_mul(a, t, sk);
	rb = crypto_scalarmult(b, sk, u) == 0 ? 0 : -1;
	return ra == rb && (ra != 0 || memcmp(a, b, 32) == 0);
}

/* t NULL: xbase_pair and its shared tables; else xbase_pair_tab */
static int
same_pair(const unsigned char sk[32], const unsigned char u[32],
    const struct xbase_tab *t)
{
	unsigned char pa[32], da[32], pb[32], db[32];
	int ra, rb;

	ra = t != NULL ? xbase_pair_tab(pa, da, sk, u, t) :
	    xbase_pair(pa, da, sk, u);
	rb = crypto_scalarmult(db, sk, u) == 0 ? 0 : -1;
	if (xbase_ladder(pb, sk) != 0 || memcmp(pa, pb, 32) != 0)
		return 0;
	return ra == rb && (ra != 0 || memcmp(da, db, 32) == 0);
}

static void
check_points(int n)
{
	/* RFC 7748 section 7 and libsodium: u of small order, and u = p - 1,
	 * p, p + 1 and 2^255 - 1 (not canonical, or no Edwards image) */
	static const char *odd[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"0900000000000000000000000000000000000000000000000000000000000080",
	};
	unsigned char sk[32], skr[32], u[32];
	struct xbase_tab *t;
	size_t i;
	int k, j, ok, tabled = 0, twist = 0;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		th_unhex(u, 32, odd[i]);
		t = xbase_tab_new(u);
		CHECK(t == NULL);	/* the ladder takes every one */
		for (ok = 1, k = 0; k < 16; k++) {
			randombytes_buf(sk, sizeof(sk));
			if (t != NULL && (!same_mul(t, sk, u) ||
			    !same_pair(sk, u, t)))
				ok = 0;
			if (!same_pair(sk, u, NULL))
				ok = 0;
		}
		CHECK(ok);
		xbase_tab_free(t);
	}

	/* small u: on the curve (a table) or on the twist (the ladder) */
	for (j = 0; j < 64; j++) {
		memset(u, 0, sizeof(u));
		u[0] = (unsigned char)j;
		if ((t = xbase_tab_new(u)) == NULL) {
			twist++;
			continue;
		}
		tabled++;
		for (ok = 1, k = 0; k < 8; k++) {	/* mostly with torsion */
			randombytes_buf(sk, sizeof(sk));
			ok &= same_mul(t, sk, u);
			ok &= same_pair(sk, u, t);
		}
		CHECK(ok);
		xbase_tab_free(t);
	}
#if defined(__SIZEOF_INT128__)
	CHECK(tabled > 10 && twist > 10);
#else
	CHECK(tabled == 0);		/* no tables: the ladder alone */
#endif

	/* random points of the curve, random and edge scalars */
	for (j = 0; j < n; j++) {
		randombytes_buf(skr, sizeof(skr));
		CHECK(xbase_ladder(u, skr) == 0);
		t = xbase_tab_new(u);
#if defined(__SIZEOF_INT128__)
		CHECK(t != NULL);
#endif
		for (ok = 1, k = -2; k < 256; k++) {
			if (j > 0 && k >= 0 && k % 16 != j % 16)
				continue;
			memset(sk, k == -1 ? 0xff : 0, sizeof(sk));
			if (k >= 0)
				sk[k / 8] = (unsigned char)(1u << (k % 8));
			if (t != NULL)
				ok &= same_mul(t, sk, u) & same_pair(sk, u, t);
		}
		for (k = 0; k < 16; k++) {
			randombytes_buf(sk, sizeof(sk));
			if (t != NULL)
				ok &= same_mul(t, sk, u) & same_pair(sk, u, t);
			ok &= same_pair(sk, u, NULL);	/* the shared tables */
		}
		CHECK(ok);
		xbase_tab_free(t);
	}
}

int
main(void)
{
	unsigned char sk[32], a[32], b[32], pk[32];
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

	/* RFC 7748 section 6.1: the shared secret, from both sides */
	{
		unsigned char ska[32], skb[32], pka[32], pkb[32], dh[32];
		char hex[65];

		th_unhex(ska, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
		th_unhex(skb, 32, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
		CHECK(xbase(pka, ska) == 0 && xbase(pkb, skb) == 0);
		CHECK(xbase_pair(pk, dh, ska, pkb) == 0);
		CHECK(memcmp(pk, pka, 32) == 0);
		CHECK_STR(th_hex(hex, dh, 32),
		    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
		CHECK(xbase_pair(pk, dh, skb, pka) == 0);
		CHECK_STR(th_hex(hex, dh, 32),
		    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	}
	check_points((int)unit_n(200));
	return unit_report();
}
