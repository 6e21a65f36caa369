/*
 * hpke: RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-256-GCM.  Expected values are published vectors, not our output.
 */
#include <string.h>

#include "hpke.h"
#include "rng.h"
#include "testhex.h"
#include "unit.h"

/*
 * Suite 0x0020/0x0001/0x0002, mode 0, first encryption (aad "Count-0").
 * RFC 9180 lists no vector for this suite; this one comes from
 * BoringSSL's crypto/hpke/hpke_test_vectors.txt (generated from the
 * CFRG test-vectors.json) as quoted by Tink's hpke_test_util.cc,
 * kTestX25519HkdfSha256Aes256Gcm.  It gives pkRm and skEm, not skRm.
 */
static const char *V_PKRM =
    "ac66bae9ffa270cf4a89ed9f274e30c0456babae2572aaaf002ff0d8884ab018";
static const char *V_SKEM =
    "28e212563a8b6f068af7ff17400ff1baf23612b7a738bbaf5dfb321b2b5b431a";
static const char *V_INFO = "4f6465206f6e2061204772656369616e2055726e";
static const char *V_PT =
    "4265617574792069732074727574682c20747275746820626561757479";
static const char *V_AAD = "436f756e742d30";
static const char *V_CT =
    "23ded2d5d90ea89d975dac4792b297240f194952d7421aacbff0474100052b6b"
    "b8aa58d18ef6c42b6960e2e28f";

/*
 * RFC 9180 appendix A.1.1 (same KEM, AES-128-GCM): the DHKEM values
 * do not depend on the AEAD, so enc and shared_secret are comparable.
 */
static const char *A1_SKEM =
    "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736";
static const char *A1_PKEM =
    "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431";
static const char *A1_SKRM =
    "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8";
static const char *A1_PKRM =
    "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d";
static const char *A1_SS =
    "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc";

int
main(void)
{
	struct hpke_ctx s, r;
	struct rng rg;
	unsigned char pkR[32], skR[32], skE[32], enc[32], ss[32], ss2[32];
	unsigned char info[64], pt[64], aad[16], ct[128], out[128];
	unsigned char zero[32] = { 0 };
	char hex[256], err[128];
	size_t infolen, ptlen, aadlen, i;
	uint64_t seed = 7;
	int allzero;

	if (hpke_available(err, sizeof(err)) != 0) {
		/* Without AES-NI nothing else can run; say so and fail. */
		CHECK_STR(err, "AES-256-GCM needs a CPU with AES-NI");
		CHECK(0);
		return unit_report();
	}

	/* The KEM against RFC 9180 A.1.1. */
	th_unhex(skE, 32, A1_SKEM);
	th_unhex(pkR, 32, A1_PKRM);
	th_unhex(skR, 32, A1_SKRM);
	CHECK(hpke_encap(ss, enc, pkR, skE, err, sizeof(err)) == 0);
	CHECK_STR(th_hex(hex, enc, 32), A1_PKEM);
	CHECK_STR(th_hex(hex, ss, 32), A1_SS);
	CHECK(hpke_decap(ss2, enc, skR, err, sizeof(err)) == 0);
	CHECK_STR(th_hex(hex, ss2, 32), A1_SS);
	CHECK(hpke_public_key(out, skR) == 0);
	CHECK_STR(th_hex(hex, out, 32), A1_PKRM);

	/* A small-order public key (all zeros) is refused. */
	CHECK(hpke_encap(ss, enc, zero, skE, err, sizeof(err)) == -1);
	CHECK_STR(err, "invalid public key");

	/* The full suite against the BoringSSL vector. */
	th_unhex(pkR, 32, V_PKRM);
	th_unhex(skE, 32, V_SKEM);
	infolen = th_unhex(info, sizeof(info), V_INFO);
	ptlen = th_unhex(pt, sizeof(pt), V_PT);
	aadlen = th_unhex(aad, sizeof(aad), V_AAD);
	CHECK(hpke_setup_base_s(&s, enc, pkR, info, infolen, skE, NULL, err,
	    sizeof(err)) == 0);
	CHECK(s.seq == 0);
	CHECK(hpke_seal(&s, ct, aad, aadlen, pt, ptlen, err, sizeof(err)) == 0);
	CHECK_STR(th_hex(hex, ct, ptlen + HPKE_NT), V_CT);
	CHECK(s.seq == 1);

	/* The info_hash kept per thread follows the info: another info,
	 * then the vector's again, gives the vector's ciphertext. */
	CHECK(hpke_setup_base_s(&s, enc, pkR, "other", 5, skE, NULL, err,
	    sizeof(err)) == 0);
	CHECK(hpke_seal(&s, ct, aad, aadlen, pt, ptlen, err, sizeof(err)) == 0);
	CHECK(strcmp(th_hex(hex, ct, ptlen + HPKE_NT), V_CT) != 0);
	CHECK(hpke_setup_base_s(&s, enc, pkR, info, infolen, skE, NULL, err,
	    sizeof(err)) == 0);
	CHECK(hpke_seal(&s, ct, aad, aadlen, pt, ptlen, err, sizeof(err)) == 0);
	CHECK_STR(th_hex(hex, ct, ptlen + HPKE_NT), V_CT);

	/* Round trip with a generated key pair, several messages. */
	rng_init(&rg, &seed, "hpke", 4);
	hpke_keypair(skR, pkR, &rg);
	CHECK(hpke_public_key(out, skR) == 0 && memcmp(out, pkR, 32) == 0);
	CHECK(hpke_setup_base_s(&s, enc, pkR, info, infolen, NULL, &rg, err,
	    sizeof(err)) == 0);
	CHECK(hpke_setup_base_r(&r, enc, skR, info, infolen, err,
	    sizeof(err)) == 0);
	CHECK(memcmp(s.key, r.key, 32) == 0);
	CHECK(memcmp(s.base_nonce, r.base_nonce, 12) == 0);
	for (i = 0; i < 3; i++) {
		CHECK(hpke_seal(&s, ct, aad, aadlen, pt, ptlen, err,
		    sizeof(err)) == 0);
		memset(out, 0xaa, sizeof(out));
		CHECK(hpke_open(&r, out, aad, aadlen, ct, ptlen + HPKE_NT, err,
		    sizeof(err)) == 0);
		CHECK(memcmp(out, pt, ptlen) == 0);
	}
	CHECK(r.seq == 3 && s.seq == 3);
	CHECK(hpke_export(&s, ss, 32, "ctx", 3, err, sizeof(err)) == 0);
	CHECK(hpke_export(&r, ss2, 32, "ctx", 3, err, sizeof(err)) == 0);
	CHECK(memcmp(ss, ss2, 32) == 0);

	/* A flipped bit, wrong aad, or a wrong key: decryption fails. */
	CHECK(hpke_seal(&s, ct, aad, aadlen, pt, ptlen, err, sizeof(err)) == 0);
	ct[5] ^= 0x01;
	memset(out, 0xaa, sizeof(out));
	CHECK(hpke_open(&r, out, aad, aadlen, ct, ptlen + HPKE_NT, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "decryption failed");
	CHECK(r.seq == 3);		/* did not advance */
	for (allzero = 1, i = 0; i < ptlen; i++)
		if (out[i] != 0)
			allzero = 0;
	CHECK(allzero);			/* nothing of the message left */
	ct[5] ^= 0x01;
	CHECK(hpke_open(&r, out, "x", 1, ct, ptlen + HPKE_NT, err,
	    sizeof(err)) == -1);
	CHECK(hpke_open(&r, out, aad, aadlen, ct, ptlen + HPKE_NT, err,
	    sizeof(err)) == 0);
	CHECK(hpke_open(&r, out, aad, aadlen, ct, 15, err, sizeof(err)) == -1);
	CHECK_STR(err, "ciphertext too short");
	skR[0] ^= 0x40;
	CHECK(hpke_setup_base_r(&r, enc, skR, info, infolen, err,
	    sizeof(err)) == 0);
	CHECK(hpke_open(&r, out, aad, aadlen, ct, ptlen + HPKE_NT, err,
	    sizeof(err)) == -1);

	/* The same seed gives the same ephemeral key; another does not. */
	rng_init(&rg, &seed, "e", 1);
	CHECK(hpke_setup_base_s(&s, enc, pkR, NULL, 0, NULL, &rg, NULL,
	    0) == 0);
	memcpy(ss, enc, 32);
	rng_init(&rg, &seed, "e", 1);
	CHECK(hpke_setup_base_s(&s, enc, pkR, NULL, 0, NULL, &rg, NULL,
	    0) == 0);
	CHECK(memcmp(ss, enc, 32) == 0);
	CHECK(hpke_setup_base_s(&s, enc, pkR, NULL, 0, NULL, NULL, NULL,
	    0) == 0);
	CHECK(memcmp(ss, enc, 32) != 0);

	/*
	 * Decap remembers pk(skR) per key: alternating two keys (the RFC
	 * one and a generated one, its secret from a fresh encap) gives
	 * each key's own secret every time.
	 */
	hpke_keypair(skR, pkR, &rg);
	th_unhex(skE, 32, A1_SKEM);
	CHECK(hpke_encap(ss, enc, pkR, skE, err, sizeof(err)) == 0);
	for (i = 0; i < 4; i++) {
		unsigned char sk1[32], pk1[32], enc1[32], ss1[32];

		th_unhex(sk1, 32, A1_SKRM);
		th_unhex(pk1, 32, A1_PKRM);
		CHECK(hpke_encap(ss1, enc1, pk1, skE, err, sizeof(err)) == 0);
		CHECK(hpke_decap(ss2, enc1, sk1, err, sizeof(err)) == 0);
		CHECK_STR(th_hex(hex, ss2, 32), A1_SS);
		CHECK(hpke_decap(ss2, enc, skR, err, sizeof(err)) == 0);
		CHECK(memcmp(ss2, ss, 32) == 0);
		if (i == 2)
			CHECK(hpke_decap(ss2, enc, skR, err, sizeof(err)) == 0 &&
			    memcmp(ss2, ss, 32) == 0);
	}

	hpke_ctx_wipe(&s);
	hpke_ctx_wipe(NULL);
	CHECK(memcmp(s.key, zero, 32) == 0);
	return unit_report();
}
