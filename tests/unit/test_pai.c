/* pai: seal and open a ProtectedAuctionInput; every error class. */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "gz.h"
#include "ohttp.h"
#include "pai.h"
#include "testhex.h"
#include "unit.h"

static const char *SK =
    "b77431ecfa8f4cfc30d6e467aafa06944dffe28cb9dd1409e33a3045f5adc8a1";
static const char *PK =
    "6d21cfe09fbea5122f9ebc2eb2a69fcc4f06408cd54aac934f012e76fcdcef62";

/*
 * The framed plaintext for one buyer, built by a separate python3
 * script (hand-written protobuf varints and fields, gzip by
 * zlib.compressobj(6, DEFLATED, 31)): buyer "b.example", payload
 * 01 02 03, version 2, publisher "com.pub", generation "r-1", unlimited
 * egress, timestamp 1685580000000.  The frame data, before padding.
 */
static const char *FRAME1 = "02000000430a2a0a09622e6578616d706c65121d1f8b08"
    "000000000000031362e76266646216600200bf76fd7d090000001207636f6d2e707562"
    "2203722d3130013880d696a38731";

static struct ohttp_keyconfig kc;
static unsigned char sk[32];

/* Seals an arbitrary frame-sized plaintext, for the error tests. */
static unsigned char *
seal_raw(const unsigned char *pt, size_t ptlen, size_t *n)
{
	unsigned char *out;

	*n = ohttp_encapsulated_len(OHTTP_LABEL_AUCTION, ptlen);
	out = malloc(*n);
	if (ohttp_encapsulate(&kc, OHTTP_LABEL_AUCTION, pt, ptlen, NULL, NULL,
	    out, NULL, 0) != 0)
		abort();
	return out;
}

int
main(void)
{
	static unsigned char big[70000], frame[2048], pt[4096];
	struct pai_buyer b[3], one;
	struct pai_input in;
	struct pai_opened o;
	struct gz_deflater *gzd;
	unsigned char eph[32], *s1, *s2, *raw, *gz;
	size_t n1, n2, n, ptlen, gzlen, i;
	uint64_t seed = 1;
	struct rng r;
	char err[256];
	int rc;

	th_unhex(sk, 32, SK);
	th_unhex(kc.pk, 32, PK);
	kc.key_id = 4;
	memset(eph, 0x77, 32);

	/* One buyer: the plaintext is the python-built frame, padded. */
	one.name = "b.example";
	one.payload = (const unsigned char *)"\1\2\3";
	one.len = 3;
	one.encoding_version = 2;
	memset(&in, 0, sizeof(in));
	in.buyers = &one;
	in.nbuyers = 1;
	in.publisher = "com.pub";
	in.generation_id = "r-1";
	in.timestamp_ms = 1685580000000;
	in.enable_unlimited_egress = 1;
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, eph, NULL, &s1,
	    &n1, err, sizeof(err)) == PAI_OK);
	CHECK(n1 == 1 + 7 + 32 + 1024 + 16);
	CHECK(memcmp(s1, "\x00\x04\x00\x20\x00\x01\x00\x02", 8) == 0);
	CHECK(ohttp_decapsulate(sk, 4, s1, n1, pt, &ptlen, NULL, err,
	    sizeof(err)) == 0);
	n = th_unhex(frame, sizeof(frame), FRAME1);
	CHECK(ptlen == 1024 && memcmp(pt, frame, n) == 0);
	for (rc = 1, i = n; i < ptlen; i++)
		if (pt[i] != 0)
			rc = 0;
	CHECK(rc);			/* zero padding */
	free(s1);

	/* Three buyers, given unsorted; opened sorted by name. */
	memset(big, 0x5a, 1500);
	b[0].name = "z.example";
	b[0].payload = big;
	b[0].len = 1500;
	b[0].encoding_version = 3;
	b[1].name = "a.example";
	b[1].payload = (const unsigned char *)"";
	b[1].len = 0;
	b[1].encoding_version = 0;
	b[2].name = "m.example";
	b[2].payload = (const unsigned char *)"\xff\x00\x01";
	b[2].len = 3;
	b[2].encoding_version = -1;
	in.buyers = b;
	in.nbuyers = 3;
	in.enable_unlimited_egress = 0;
	in.generation_id = NULL;
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, eph, NULL, &s1,
	    &n1, err, sizeof(err)) == PAI_OK);
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, eph, NULL, &s2,
	    &n2, err, sizeof(err)) == PAI_OK);
	CHECK(n1 == n2 && memcmp(s1, s2, n1) == 0);	/* deterministic */
	free(s2);
	gzd = gz_deflater_new(NULL, 0);		/* a kept compressor: same */
	for (i = 0; i < 2; i++) {
		CHECK(pai_seal(gzd, &in, &kc, OHTTP_LABEL_AUCTION, eph, NULL,
		    &s2, &n2, err, sizeof(err)) == PAI_OK);
		CHECK(n1 == n2 && memcmp(s1, s2, n1) == 0);
		free(s2);
	}
	gz_deflater_free(gzd);
	CHECK(pai_open(sk, 4, s1, n1, &o, err, sizeof(err)) == PAI_OK);
	CHECK(o.key_id == 4 && o.label == OHTTP_LABEL_AUCTION);
	CHECK(o.in.nbuyers == 3);
	CHECK_STR(o.in.buyers[0].name, "a.example");
	CHECK(o.in.buyers[0].len == 0 && o.in.buyers[0].encoding_version == 0);
	CHECK_STR(o.in.buyers[1].name, "m.example");
	CHECK(o.in.buyers[1].len == 3 &&
	    memcmp(o.in.buyers[1].payload, "\xff\x00\x01", 3) == 0);
	CHECK(o.in.buyers[1].encoding_version == -1);
	CHECK_STR(o.in.buyers[2].name, "z.example");
	CHECK(o.in.buyers[2].len == 1500 &&
	    memcmp(o.in.buyers[2].payload, big, 1500) == 0);
	CHECK(o.in.buyers[2].encoding_version == 3);
	CHECK_STR(o.in.publisher, "com.pub");
	CHECK_STR(o.in.generation_id, "");
	CHECK(o.in.timestamp_ms == 1685580000000);
	CHECK(o.in.enable_unlimited_egress == 0);
	pai_opened_free(&o);
	pai_opened_free(&o);		/* zeroed: harmless */
	pai_opened_free(NULL);

	/* Seeded rng: reproducible; secure random: not. */
	free(s1);
	rng_init(&r, &seed, "r-1", 3);
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, NULL, &r, &s2, &n2,
	    err, sizeof(err)) == PAI_OK);
	rng_init(&r, &seed, "r-1", 3);
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, NULL, &r, &s1, &n1,
	    err, sizeof(err)) == PAI_OK);
	CHECK(n1 == n2 && memcmp(s1, s2, n1) == 0);
	free(s2);
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, NULL, NULL, &s2,
	    &n2, err, sizeof(err)) == PAI_OK);
	CHECK(n1 == n2 && memcmp(s1, s2, n1) != 0);
	free(s2);

	/* The bhttp label opens too. */
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_BHTTP, NULL, NULL, &s2, &n2,
	    err, sizeof(err)) == PAI_OK);
	CHECK(n2 == n1 - 1 && s2[0] == 4);
	CHECK(pai_open(sk, -1, s2, n2, &o, err, sizeof(err)) == PAI_OK);
	CHECK(o.label == OHTTP_LABEL_BHTTP && o.in.nbuyers == 3);
	pai_opened_free(&o);
	free(s2);

	/* Error classes on open; *o is zeroed and err names no buyer. */
#define OPEN_FAILS(buf, len, kid, code) do {				\
	memset(&o, 0xee, sizeof(o));					\
	CHECK(pai_open(sk, kid, buf, len, &o, err, sizeof(err)) == code); \
	CHECK(o.in.buyers == NULL && o.in.nbuyers == 0);		\
	CHECK(strstr(err, "example") == NULL);				\
} while (0)
	OPEN_FAILS(s1, n1, 5, PAI_EKEYID);
	CHECK_STR(err, "request is for key id 4, not 5");
	CHECK_STR(pai_error_class(PAI_EKEYID), "key_id");
	s1[3] = 0x21;			/* KEM 0x0021 */
	OPEN_FAILS(s1, n1, 4, PAI_EHEADER);
	s1[3] = 0x20;
	OPEN_FAILS(s1, 20, 4, PAI_EHEADER);
	s1[n1 - 1] ^= 1;
	OPEN_FAILS(s1, n1, 4, PAI_EDECRYPT);
	CHECK_STR(err, "decryption failed (wrong key or altered request)");
	s1[n1 - 1] ^= 1;
	s1[100] ^= 1;		/* inside the padding, still caught */
	OPEN_FAILS(s1, n1, 4, PAI_EDECRYPT);
	s1[100] ^= 1;
	sk[0] ^= 0x08;
	OPEN_FAILS(s1, n1, 4, PAI_EDECRYPT);
	sk[0] ^= 0x08;
	CHECK(pai_open(sk, 4, s1, n1, &o, err, sizeof(err)) == PAI_OK);
	pai_opened_free(&o);
	free(s1);

	/* Bad framing: version 1; a length past the end; brotli. */
	memset(frame, 0, 1024);
	frame[0] = 1 << 5 | 2;
	raw = seal_raw(frame, 1024, &n);
	OPEN_FAILS(raw, n, 4, PAI_EFRAME);
	CHECK_STR(err, "frame: unsupported format version 1");
	free(raw);
	memcpy(frame, "\x02\x00\x00\x04\x00", 5);	/* 1024 + 5 > 1024 */
	raw = seal_raw(frame, 1024, &n);
	OPEN_FAILS(raw, n, 4, PAI_EFRAME);
	free(raw);
	memcpy(frame, "\x01\x00\x00\x00\x00", 5);
	raw = seal_raw(frame, 1024, &n);
	OPEN_FAILS(raw, n, 4, PAI_EFRAME);
	CHECK_STR(err, "frame: unsupported compression 1");
	free(raw);
	raw = seal_raw(frame, 3, &n);
	OPEN_FAILS(raw, n, 4, PAI_EFRAME);
	free(raw);

	/* Bad protobuf: a truncated field; a duplicate buyer. */
	frame_wrap(frame, FRAME_GZIP, "\x0a\x05\x0a", 3, NULL, 0);
	raw = seal_raw(frame, 1024, &n);
	OPEN_FAILS(raw, n, 4, PAI_EPROTO);
	CHECK_STR(err, "protobuf: field 1 runs past the end of its message");
	free(raw);
	frame_wrap(frame, FRAME_UNCOMPRESSED, "\x0a\x05\x0a\x01x\x12\x00"
	    "\x0a\x05\x0a\x01x\x12\x00", 14, NULL, 0);
	raw = seal_raw(frame, 1024, &n);
	OPEN_FAILS(raw, n, 4, PAI_EPROTO);
	CHECK_STR(err, "protobuf: a buyer appears twice");
	free(raw);
	/* Uncompressed frame with a good BuyerInput opens. */
	frame_wrap(frame, FRAME_UNCOMPRESSED, "\x0a\x09\x0a\x01x\x12\x04"
	    "\x12\x02\x10\x07", 11, NULL, 0);
	raw = seal_raw(frame, 1024, &n);
	CHECK(pai_open(sk, 4, raw, n, &o, err, sizeof(err)) == PAI_OK);
	CHECK(o.in.nbuyers == 1 && o.in.buyers[0].encoding_version == 7);
	pai_opened_free(&o);
	free(raw);
	/* ...and with a bad one fails as protobuf. */
	frame_wrap(frame, FRAME_UNCOMPRESSED, "\x0a\x07\x0a\x01x\x12\x02"
	    "\x12\x05", 9, NULL, 0);
	raw = seal_raw(frame, 1024, &n);
	OPEN_FAILS(raw, n, 4, PAI_EPROTO);
	CHECK_STR(err, "buyer input 0: protobuf: field 2 runs past the end "
	    "of its message");
	free(raw);

	/* Bad gzip in a buyer input: not gzip; gzip of a bad BuyerInput. */
	frame_wrap(frame, FRAME_GZIP, "\x0a\x08\x0a\x01x\x12\x03" "abc", 10,
	    NULL, 0);
	raw = seal_raw(frame, 1024, &n);
	OPEN_FAILS(raw, n, 4, PAI_EGZIP);
	CHECK_STR(err, "buyer input 0: gzip: not gzip data");
	CHECK_STR(pai_error_class(PAI_EGZIP), "gzip");
	free(raw);
	CHECK(gz_compress("\x12\x05", 2, &gz, &gzlen, NULL, 0) == 0);
	memcpy(pt, "\x0a\x00\x0a\x01x\x12\x00", 7);
	pt[1] = (unsigned char)(5 + gzlen);
	pt[6] = (unsigned char)gzlen;
	memcpy(pt + 7, gz, gzlen);
	frame_wrap(frame, FRAME_GZIP, pt, 7 + gzlen, NULL, 0);
	raw = seal_raw(frame, 1024, &n);
	OPEN_FAILS(raw, n, 4, PAI_EPROTO);
	free(raw);
	free(gz);

	/* Seal errors: duplicate names, too large, bad UTF-8. */
	b[1].name = "z.example";
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, NULL, NULL, &s1,
	    &n1, err, sizeof(err)) == PAI_EINPUT && s1 == NULL);
	CHECK_STR(err, "buyer \"z.example\" appears twice");
	b[1].name = "a.example";
	rng_init(&r, &seed, "big", 3);		/* incompressible */
	rng_bytes(&r, big, sizeof(big));
	b[0].len = sizeof(big);
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, NULL, NULL, &s1,
	    &n1, err, sizeof(err)) == PAI_EINPUT);
	CHECK(strstr(err, "does not fit in the largest frame (65536 bytes)") !=
	    NULL);
	b[0].len = 10;
	b[0].name = "\xc0\xaf";
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, NULL, NULL, &s1,
	    &n1, err, sizeof(err)) == PAI_EINPUT);
	CHECK_STR(err, "buyer 0: name is not UTF-8");
	b[0].name = "z.example";

	/* No buyers at all is a valid (if useless) input. */
	in.nbuyers = 0;
	CHECK(pai_seal(NULL, &in, &kc, OHTTP_LABEL_AUCTION, NULL, NULL, &s1,
	    &n1, err, sizeof(err)) == PAI_OK);
	CHECK(pai_open(sk, 4, s1, n1, &o, err, sizeof(err)) == PAI_OK);
	CHECK(o.in.nbuyers == 0);
	CHECK_STR(o.in.publisher, "com.pub");
	pai_opened_free(&o);
	free(s1);
	return unit_report();
}
