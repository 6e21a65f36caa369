/*
 * ohttp: the two request vectors of SPEC-PAS.md section 4 (AOSP
 * ObliviousHttpTestFixtures.java), byte for byte, and their way back.
 */
#include <stdlib.h>
#include <string.h>

#include "ohttp.h"
#include "testhex.h"
#include "unit.h"

static const char *SK =
    "b77431ecfa8f4cfc30d6e467aafa06944dffe28cb9dd1409e33a3045f5adc8a1";
static const char *PK =
    "6d21cfe09fbea5122f9ebc2eb2a69fcc4f06408cd54aac934f012e76fcdcef62";
static const char *V_BHTTP =
    "040020000100021cf579aba45a10ba1d1ef06d91fca2aa9ed0a1150515653155405d"
    "0b18cb9a672ef2da3b97acee493624b9959f0fc6df008a6f0701c923c5a60ed0ed2c34";
static const char *V_AUCTION =
    "00040020000100021cf579aba45a10ba1d1ef06d91fca2aa9ed0a115051565315540"
    "5d0b18cb9a6770fbc40afc43d174f4b43cad7157d7b82b42f00aba7333d5f6c99891"
    "8cca";
static const char *PT = "test request 1";

int
main(void)
{
	struct ohttp_keyconfig kc, kc2, *keys;
	enum ohttp_label lab;
	unsigned char sk[32], pk[32], eph[32], cfg[64], out[256], pt[256];
	unsigned char vec[256];
	char hex[600], err[160], *json;
	size_t n, vlen, ptlen, nkeys;

	th_unhex(sk, 32, SK);
	th_unhex(pk, 32, PK);
	memset(eph, 0x77, sizeof(eph));	/* the fixture's ephemeral key */
	CHECK(hpke_public_key(out, sk) == 0);
	CHECK(memcmp(out, pk, 32) == 0);
	kc.key_id = 4;
	memcpy(kc.pk, pk, 32);

	/* Key config bytes, worked by hand from the layout. */
	ohttp_keyconfig_encode(&kc, cfg);
	CHECK_STR(th_hex(hex, cfg, OHTTP_KEYCONFIG_LEN),
	    "040020" "6d21cfe09fbea5122f9ebc2eb2a69fcc4f06408cd54aac934f012e76"
	    "fcdcef62" "0004" "0001" "0002");
	ohttp_keyconfig_hex(&kc, hex);
	CHECK(strlen(hex) == 82 && strncmp(hex, "040020", 6) == 0);
	CHECK(ohttp_keyconfig_decode(&kc2, cfg, OHTTP_KEYCONFIG_LEN, err,
	    sizeof(err)) == 0);
	CHECK(kc2.key_id == 4 && memcmp(kc2.pk, pk, 32) == 0);
	CHECK(ohttp_keyconfig_decode(&kc2, cfg, 40, err, sizeof(err)) ==
	    OHTTP_ECONFIG);
	cfg[2] = 0x21;
	CHECK(ohttp_keyconfig_decode(&kc2, cfg, 41, err, sizeof(err)) ==
	    OHTTP_ECONFIG);
	CHECK_STR(err, "key config has KEM 0x0021, not 0x0020");
	cfg[2] = 0x20;
	cfg[40] = 0x01;			/* AES-128-GCM only */
	CHECK(ohttp_keyconfig_decode(&kc2, cfg, 41, err, sizeof(err)) ==
	    OHTTP_ECONFIG);
	/* Two algorithm pairs, ours second: accepted. */
	cfg[36] = 0x08;
	memcpy(cfg + 41, "\x00\x01\x00\x02", 4);
	CHECK(ohttp_keyconfig_decode(&kc2, cfg, 45, err, sizeof(err)) == 0);

	/* Vector 1: "message/bhttp request". */
	n = ohttp_encapsulated_len(OHTTP_LABEL_BHTTP, strlen(PT));
	CHECK(n == 7 + 32 + 14 + 16);
	CHECK(ohttp_encapsulate(&kc, OHTTP_LABEL_BHTTP, PT, strlen(PT), eph,
	    NULL, out, err, sizeof(err)) == 0);
	CHECK_STR(th_hex(hex, out, n), V_BHTTP);

	/* Vector 2: "message/auction request", with the leading 0x00. */
	n = ohttp_encapsulated_len(OHTTP_LABEL_AUCTION, strlen(PT));
	CHECK(n == 1 + 7 + 32 + 14 + 16);
	CHECK(ohttp_encapsulate(&kc, OHTTP_LABEL_AUCTION, PT, strlen(PT), eph,
	    NULL, out, err, sizeof(err)) == 0);
	CHECK_STR(th_hex(hex, out, n), V_AUCTION);

	/* Both decapsulate to the request, each with its own label. */
	vlen = th_unhex(vec, sizeof(vec), V_BHTTP);
	CHECK(ohttp_decapsulate(sk, 4, vec, vlen, pt, &ptlen, &lab, err,
	    sizeof(err)) == 0);
	CHECK(ptlen == strlen(PT) && memcmp(pt, PT, ptlen) == 0);
	CHECK(lab == OHTTP_LABEL_BHTTP);
	vlen = th_unhex(vec, sizeof(vec), V_AUCTION);
	CHECK(ohttp_decapsulate(sk, -1, vec, vlen, pt, &ptlen, &lab, err,
	    sizeof(err)) == 0);
	CHECK(ptlen == strlen(PT) && memcmp(pt, PT, ptlen) == 0);
	CHECK(lab == OHTTP_LABEL_AUCTION);

	/* Wrong key id. */
	CHECK(ohttp_decapsulate(sk, 5, vec, vlen, pt, &ptlen, NULL, err,
	    sizeof(err)) == OHTTP_EKEYID);
	CHECK_STR(err, "request is for key id 4, not 5");

	/* Tampered ciphertext, enc, or key id byte: decryption fails. */
	vec[vlen - 1] ^= 0x01;
	memset(pt, 0, sizeof(pt));
	CHECK(ohttp_decapsulate(sk, 4, vec, vlen, pt, &ptlen, NULL, err,
	    sizeof(err)) == OHTTP_EDECRYPT);
	CHECK_STR(err, "decryption failed (wrong key or altered request)");
	CHECK(ptlen == 0 && memcmp(pt, PT, 4) != 0);
	vec[vlen - 1] ^= 0x01;
	vec[20] ^= 0x80;
	CHECK(ohttp_decapsulate(sk, 4, vec, vlen, pt, &ptlen, NULL, err,
	    sizeof(err)) == OHTTP_EDECRYPT);
	vec[20] ^= 0x80;
	vec[1] = 5;			/* key id is bound through info */
	CHECK(ohttp_decapsulate(sk, -1, vec, vlen, pt, &ptlen, NULL, err,
	    sizeof(err)) == OHTTP_EDECRYPT);
	vec[1] = 4;

	/* Wrong secret key. */
	sk[7] ^= 0x10;
	CHECK(ohttp_decapsulate(sk, 4, vec, vlen, pt, &ptlen, NULL, err,
	    sizeof(err)) == OHTTP_EDECRYPT);
	sk[7] ^= 0x10;

	/* Another suite, a truncated request, garbage. */
	vec[7] = 0x01;			/* AEAD 0x0001 */
	CHECK(ohttp_decapsulate(sk, 4, vec, vlen, pt, &ptlen, NULL, err,
	    sizeof(err)) == OHTTP_EHEADER);
	vec[7] = 0x02;
	CHECK(ohttp_decapsulate(sk, 4, vec, 1 + 7 + 32 + 15, pt, &ptlen, NULL,
	    err, sizeof(err)) == OHTTP_EHEADER);
	CHECK(ohttp_decapsulate(sk, 4, vec, 3, pt, &ptlen, NULL, err,
	    sizeof(err)) == OHTTP_EHEADER);
	CHECK(ohttp_decapsulate(sk, 4, vec, 0, pt, &ptlen, NULL, err,
	    sizeof(err)) == OHTTP_EHEADER);
	/* Empty plaintext is legal. */
	CHECK(ohttp_encapsulate(&kc, OHTTP_LABEL_AUCTION, "", 0, NULL, NULL,
	    out, err, sizeof(err)) == 0);
	CHECK(ohttp_decapsulate(sk, 4, out, 1 + 7 + 32 + 16, pt, &ptlen, NULL,
	    err, sizeof(err)) == 0 && ptlen == 0);

	/* Published JSON form (the base64 from python3 base64.b64encode). */
	json = ohttp_keys_json_dump(&kc, 1);
	CHECK_STR(json, "{\"keys\":[{\"id\":\"0400000000000000\",\"key\":"
	    "\"bSHP4J++pRIvnrwusqafzE8GQIzVSqyTTwEudvzc72I=\"}]}");
	CHECK(ohttp_keys_json_parse(json, strlen(json), &keys, &nkeys, err,
	    sizeof(err)) == 0);
	CHECK(nkeys == 1 && keys[0].key_id == 4 &&
	    memcmp(keys[0].pk, pk, 32) == 0);
	free(keys);
	free(json);
	json = "{\"keys\":[{\"id\":\"ab\",\"key\":\"bSHP4J++pRIvnrwusqafzE8GQI"
	    "zVSqyTTwEudvzc72I=\",\"x\":1},{\"id\":\"10ff\",\"key\":\"AAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}]}";
	CHECK(ohttp_keys_json_parse(json, strlen(json), &keys, &nkeys, err,
	    sizeof(err)) == 0);
	CHECK(nkeys == 2 && keys[0].key_id == 0xab && keys[1].key_id == 0x10);
	free(keys);
#define BAD(s) CHECK(ohttp_keys_json_parse(s, strlen(s), &keys, &nkeys, \
	    err, sizeof(err)) == OHTTP_ECONFIG && keys == NULL)
	BAD("{\"keys\":[]}");
	BAD("{\"keys\":[{\"id\":\"4\",\"key\":\"bSHP4J++pRIvnrwusqafzE8GQIzVSqy"
	    "TTwEudvzc72I=\"}]}");
	BAD("{\"keys\":[{\"id\":\"4g\",\"key\":\"bSHP4J++pRIvnrwusqafzE8GQIzVSq"
	    "yTTwEudvzc72I=\"}]}");
	BAD("{\"keys\":[{\"id\":\"40\",\"key\":\"bSHP4J++pRIvnrwusqafzE8GQIzVSq"
	    "yTTwEudvzc7=\"}]}");
	BAD("{\"keys\":[{\"id\":\"40\",\"key\":\"bSHP4J-_pRIvnrwusqafzE8GQIzVSq"
	    "yTTwEudvzc72I=\"}]}");
	BAD("{\"keys\":[{\"id\":40}]}");
	BAD("[1]");
	BAD("{\"keys\":");
	return unit_report();
}
