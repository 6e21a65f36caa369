/*
 * encoder: the encodeSignals request line.  By hand: "QTFj" is base64 of
 * "A1c" = 41 31 63, padded to 4 bytes 41316300; "YzEyWg==" is "c12Z" =
 * 63 31 32 5A.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "encoder.h"
#include "unit.h"

static int
ans(const char *a, unsigned char *pay, size_t *plen)
{
	return encoder_answer(a, strlen(a), 4, pay, plen, NULL, 0);
}

int
main(void)
{
	struct sigstore_strtab st;
	struct sigstore_params p;
	struct sigstore_buyer b;
	struct sigstore_snap s;
	struct buf out = { 0 };
	unsigned char pay[4];
	size_t plen;
	json_t *upd;

	sigstore_strtab_init(&st);
	sigstore_params_default(&p);
	sigstore_buyer_init(&b, 0);
	upd = json_loads("{\"put\":{\"QTFj\":\"YzEyWg==\"}}", 0, NULL);
	CHECK(sigstore_apply(&b, &st, upd, 1685577600, "com.x", &p, NULL,
	    NULL, 0) == 0);
	sigstore_snapshot(&b, 1685580000, SIGSTORE_TTL, &s);
	encoder_request(&out, &s, &st, 1536);
	CHECK_STR(out.p, "{\"signals\":[{\"41316300\":[{\"val\":\"6331325A\","
	    "\"time\":1685577600,\"app\":\"com.x\"}]}],\"maxSize\":1536}");
	sigstore_snap_free(&s);
	buf_free(&out);
	/* empty snapshot */
	sigstore_snapshot(&b, 0, SIGSTORE_TTL, &s);
	encoder_request(&out, &s, &st, 10);
	CHECK_STR(out.p, "{\"signals\":[],\"maxSize\":10}");
	sigstore_snap_free(&s);
	buf_free(&out);

	/* answers: "" is an empty payload; other members ignored */
	CHECK(ans("{\"status\":0,\"results\":\"\"}", pay, &plen) == 0 &&
	    plen == 0);
	CHECK(ans("{\"x\":1,\"status\":0,\"results\":\"aBcD\"}", pay,
	    &plen) == 0 && plen == 2 && pay[0] == 0xab &&
	    pay[1] == 0xcd);
	CHECK(ans("{\"status\":\"0\",\"results\":\"\"}", pay, &plen) == -1);
	CHECK(ans("{\"status\":0}", pay, &plen) ==
	    -1);
	CHECK(ans("[1]", pay, &plen) == -1);

	json_decref(upd);
	sigstore_buyer_free(&b);
	sigstore_strtab_free(&st);
	return unit_report();
}
