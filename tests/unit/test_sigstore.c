/*
 * sigstore: commands, whole-update rejection, quota eviction, TTL,
 * snapshots, marshalling, the built-in encoder and the failure rule.
 *
 * Base64 <-> bytes of the constants below come from python3:
 *   base64.b64decode(s).hex().upper()
 *   QTFj -> 413163 ("A1c")        YzEyWg== -> 6331325A ("c12Z")
 *   YUE5 -> 614139 ("aA9")        YTF6ZkMz -> 61317A664333 ("a1zfC3")
 *   YkIx -> 624231 ("bB1")        Z2gxMkQ= -> 6768313244 ("gh12D")
 *   ZDQ1Zw== -> 64343567 ("d45g") YzBE -> 633044 ("c0D")
 *   QQ== -> 41   QQA= -> 4100     QUJDREU= -> 4142434445 (5 bytes)
 *   QUJDRA== -> 41424344          +/8= -> FBFF (URL-safe spelling -_8=)
 *   eHk= -> 7879 ("xy")  Zm9v -> 666F6F ("foo")
 *   eA== -> 78  eQ== -> 79  eg== -> 7A
 * Keys are right-padded to 4 bytes, so QTFj is the key 41316300.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>
#include <sodium.h>

#include "sigstore.h"
#include "unit.h"

static struct sigstore_strtab st;
static struct sigstore_params P;
static char err[512];

/* base64 of 'a' * 101 and 'a' * 100 (python3 base64.b64encode). */
#define A101 "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh" \
	"YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh" \
	"YWFhYWE="
#define A100 "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh" \
	"YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh" \
	"YQ=="

static json_t *
js(const char *s)
{
	json_error_t je;
	json_t *v;

	if ((v = json_loads(s, 0, &je)) == NULL) {
		fprintf(stderr, "bad test json (%s): %s\n", je.text, s);
		exit(2);
	}
	return v;
}

static int
apj(struct sigstore_buyer *b, json_t *u, int64_t ts, const char *app,
    struct sigstore_stats *sx)
{
	int rc;

	err[0] = '\0';
	rc = sigstore_apply(b, &st, u, ts, app, &P, sx, err, sizeof(err));
	json_decref(u);
	return rc;
}

static int
ap(struct sigstore_buyer *b, const char *upd, int64_t ts, const char *app,
    struct sigstore_stats *sx)
{
	return apj(b, js(upd), ts, app, sx);
}

/* The whole store marshalled (every ctime >= 0 is inside the window). */
static char *
dump(const struct sigstore_buyer *b)
{
	struct sigstore_snap s;
	char *m;

	sigstore_snapshot(b, INT64_MAX, INT64_MAX, &s);
	m = sigstore_marshal(&s, &st, NULL);
	sigstore_snap_free(&s);
	return m;
}

static void
check_dump(const struct sigstore_buyer *b, const char *want)
{
	char *m = dump(b);

	CHECK_STR(m, want);
	free(m);
}

/* base64 of the 3 bytes 00 HH LL of i: the key 00HHLL00. */
static void
key_b64(char out[8], unsigned i)
{
	unsigned char k[3] = { 0, (unsigned char)(i >> 8), (unsigned char)i };

	sodium_bin2base64(out, 8, k, 3, sodium_base64_VARIANT_ORIGINAL);
}

/* {"put":{k(first): v, ..., k(first+count-1): v}}, v of vlen bytes. */
static json_t *
put_range(unsigned first, unsigned count, size_t vlen)
{
	unsigned char v[100];
	char k[8], b64[160];
	json_t *o = json_object(), *u = json_object();
	unsigned i;

	for (i = first; i < first + count; i++) {
		memset(v, (int)(i & 0xff), vlen);
		sodium_bin2base64(b64, sizeof(b64), v, vlen,
		    sodium_base64_VARIANT_ORIGINAL);
		key_b64(k, i);
		json_object_set_new(o, k, json_string(b64));
	}
	json_object_set_new(u, "put", o);
	return u;
}

static int
has_key_index(const struct sigstore_buyer *b, unsigned i)
{
	uint32_t j;

	for (j = 0; j < b->n; j++)
		if (b->sig[j].key[0] == 0 && b->sig[j].key[1] == (i >> 8) &&
		    b->sig[j].key[2] == (i & 0xff) && b->sig[j].key[3] == 0)
			return 1;
	return 0;
}

static void
test_commands(void)
{
	struct sigstore_buyer b;
	struct sigstore_stats sx;

	sigstore_buyer_init(&b, 0);
	CHECK(!sigstore_changed_since(&b, 0));

	/* put adds one value with the update's time and app. */
	CHECK(ap(&b, "{\"put\":{\"QTFj\":\"YzEyWg==\"}}", 100, "com.a",
	    &sx) == 0);
	CHECK(sx.added == 1 && sx.removed == 0 && sx.evicted == 0);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"6331325A\",\"time\":100,"
	    "\"app\":\"com.a\"}]}]");
	CHECK(sigstore_size(&b) == 8);		/* 4 + "c12Z" */

	/* put replaces every value of the key. */
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"Zm9v\"],"
	    "\"max_signals\":5}}}", 150, "com.a", NULL) == 0);
	CHECK(ap(&b, "{\"put\":{\"QTFj\":\"eHk=\"}}", 200, "com.b", &sx) == 0);
	CHECK(sx.added == 1 && sx.removed == 2);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"7879\",\"time\":200,"
	    "\"app\":\"com.b\"}]}]");

	/* put_if_not_present: nothing on a held key, adds on a new one. */
	CHECK(ap(&b, "{\"put_if_not_present\":{\"QTFj\":\"Zm9v\","
	    "\"YUE5\":\"YTF6ZkMz\"}}", 300, "com.c", &sx) == 0);
	CHECK(sx.added == 1 && sx.removed == 0);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"7879\",\"time\":200,"
	    "\"app\":\"com.b\"}]},{\"61413900\":[{\"val\":\"61317A664333\","
	    "\"time\":300,\"app\":\"com.c\"}]}]");
	/* Its value is validated even when the key is held (stricter than
	 * AOSP, which decodes only values it adds). */
	CHECK(ap(&b, "{\"put_if_not_present\":{\"QTFj\":\"" A101 "\"}}",
	    310, "com.c", NULL) == -1);
	CHECK_STR(err, "update: value of \"QTFj\" decodes to 101 bytes "
	    "(max 100)");

	/* remove: every value of the key; an absent key is fine. */
	CHECK(ap(&b, "{\"remove\":[\"YUE5\",\"YzBE\"]}", 400, "com.d",
	    &sx) == 0);
	CHECK(sx.removed == 1 && sx.added == 0);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"7879\",\"time\":200,"
	    "\"app\":\"com.b\"}]}]");

	/* Keys of exactly 4 bytes, and the empty key (00000000), are
	 * accepted; so is an empty value. */
	CHECK(ap(&b, "{\"put\":{\"QUJDRA==\":\"\",\"\":\"eA==\"}}", 500,
	    "com.e", &sx) == 0);
	check_dump(&b, "[{\"00000000\":[{\"val\":\"78\",\"time\":500,"
	    "\"app\":\"com.e\"}]},{\"41316300\":[{\"val\":\"7879\",\"time\":200,"
	    "\"app\":\"com.b\"}]},{\"41424344\":[{\"val\":\"\",\"time\":500,"
	    "\"app\":\"com.e\"}]}]");
	/* A 100-byte value is the largest accepted. */
	CHECK(ap(&b, "{\"put\":{\"YUE5\":\"" A100 "\"}}", 510, "com.e",
	    NULL) == 0);
	CHECK(ap(&b, "{\"remove\":[\"YUE5\",\"QUJDRA==\",\"\"]}", 520,
	    "com.e", NULL) == 0);
	/* Standard base64 with + and /. */
	CHECK(ap(&b, "{\"put\":{\"+/8=\":\"+/8=\"}}", 530, "com.e", NULL) == 0);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"7879\",\"time\":200,"
	    "\"app\":\"com.b\"}]},{\"FBFF0000\":[{\"val\":\"FBFF\",\"time\":530,"
	    "\"app\":\"com.e\"}]}]");
	CHECK(ap(&b, "{\"remove\":[\"+/8=\"]}", 540, "com.e", NULL) == 0);

	/* update_encoder: REGISTER records the endpoint. */
	CHECK(b.encoder == SIGSTORE_NONE);
	CHECK(ap(&b, "{\"update_encoder\":{\"action\":\"REGISTER\","
	    "\"endpoint\":\"https://enc.example/e.js\"}}", 600, "com.a",
	    &sx) == 0);
	CHECK(sx.encoder == 1 && sx.added == 0);
	CHECK_STR(sigstore_strtab_get(&st, b.encoder),
	    "https://enc.example/e.js");
	/* No action: nothing, but still a successful update. */
	CHECK(ap(&b, "{\"update_encoder\":{\"endpoint\":\"https://x\"}}", 700,
	    "com.a", &sx) == 0);
	CHECK(sx.encoder == 0);
	CHECK_STR(sigstore_strtab_get(&st, b.encoder),
	    "https://enc.example/e.js");
	CHECK(b.last_update == 700);

	/* Changed since: a successful update at a time >= the job time. */
	CHECK(sigstore_changed_since(&b, 700));
	CHECK(!sigstore_changed_since(&b, 701));
	CHECK(ap(&b, "{}", 650, "com.a", NULL) == 0);	/* older: max kept */
	CHECK(b.last_update == 700);
	CHECK(ap(&b, "{\"bogus\":1}", 800, "com.a", NULL) == -1);
	CHECK(!sigstore_changed_since(&b, 701));	/* failures don't count */
	sigstore_buyer_free(&b);
}

static void
test_append(void)
{
	struct sigstore_buyer b;
	struct sigstore_stats sx;

	sigstore_buyer_init(&b, 0);
	/* Three values at 10, 20, 30. */
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"eA==\"],"
	    "\"max_signals\":10}}}", 10, "a", NULL) == 0);
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"eQ==\"],"
	    "\"max_signals\":10}}}", 20, "a", NULL) == 0);
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"eg==\"],"
	    "\"maxSignals\":10}}}", 30, "a", NULL) == 0);
	/* 3 stored + 2 new > 4: the oldest one (x, at 10) goes. */
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"Zm9v\",\"eHk=\"],"
	    "\"max_signals\":4}}}", 40, "a", &sx) == 0);
	CHECK(sx.added == 2 && sx.removed == 1);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"79\",\"time\":20,\"app\":\"a\"},"
	    "{\"val\":\"7A\",\"time\":30,\"app\":\"a\"},"
	    "{\"val\":\"666F6F\",\"time\":40,\"app\":\"a\"},"
	    "{\"val\":\"7879\",\"time\":40,\"app\":\"a\"}]}]");
	/* maxSignals (the doc's spelling) works; max_signals wins over it. */
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"eA==\"],"
	    "\"max_signals\":2,\"maxSignals\":9}}}", 50, "a", &sx) == 0);
	/* 4 stored, room for 2 - 1 = 1: the three oldest (20, 30, and the
	 * first-stored of the two at 40) go. */
	CHECK(sx.removed == 3);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"7879\",\"time\":40,\"app\":\"a\"},"
	    "{\"val\":\"78\",\"time\":50,\"app\":\"a\"}]}]");
	/* values == max_signals: every stored value goes. */
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"eQ==\"],"
	    "\"max_signals\":1}}}", 60, "a", &sx) == 0);
	CHECK(sx.removed == 2);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"79\",\"time\":60,\"app\":\"a\"}]}]");
	sigstore_buyer_free(&b);

	/* Oldest means creation time, not storage order: stored at 90 then
	 * (an out-of-order record) at 80; trimming one drops the one at 80. */
	sigstore_buyer_init(&b, 0);
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"eA==\"],"
	    "\"max_signals\":3}}}", 90, "a", NULL) == 0);
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"eQ==\"],"
	    "\"max_signals\":3}}}", 80, "a", NULL) == 0);
	CHECK(ap(&b, "{\"append\":{\"QTFj\":{\"values\":[\"eg==\"],"
	    "\"max_signals\":2}}}", 100, "a", NULL) == 0);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"78\",\"time\":90,\"app\":\"a\"},"
	    "{\"val\":\"7A\",\"time\":100,\"app\":\"a\"}]}]");

	/* Near the end of the sequence space seqs restart at 0 in storage
	 * order: 2 stored + 2 new -> seqs 0..3, next 4. */
	b.next_seq = UINT32_MAX - 2;
	CHECK(ap(&b, "{\"append\":{\"YUE5\":{\"values\":[\"eA==\",\"eQ==\"],"
	    "\"max_signals\":3}}}", 100, "a", NULL) == 0);
	CHECK(b.n == 4 && b.next_seq == 4 && b.sig[0].seq == 0 &&
	    b.sig[3].seq == 3);
	CHECK(b.sig[2].key[0] == 0x61 && *sigstore_value(&b, 2) == 'x' &&
	    *sigstore_value(&b, 3) == 'y');
	sigstore_buyer_free(&b);
}

/* Each bad update leaves the store exactly as it was. */
static void
reject(struct sigstore_buyer *b, const char *upd, const char *want)
{
	struct sigstore_stats sx;
	char *before = dump(b), *after;
	int64_t lu = b->last_update;
	uint32_t enc = b->encoder, n = b->n;

	CHECK(ap(b, upd, 99999, "com.bad", &sx) == -1);
	CHECK_STR(err, want);
	after = dump(b);
	CHECK_STR(after, before);
	CHECK(b->last_update == lu && b->encoder == enc && b->n == n);
	CHECK(sx.added == 0 && sx.removed == 0 && sx.evicted == 0);
	free(before);
	free(after);
}

static void
test_reject(void)
{
	struct sigstore_buyer b;
	json_t *u, *keys, *enc;
	char k[8], *pad;
	unsigned i;

	sigstore_buyer_init(&b, 0);
	CHECK(ap(&b, "{\"put\":{\"QTFj\":\"YzEyWg==\",\"YUE5\":\"YTF6ZkMz\"},"
	    "\"append\":{\"YkIx\":{\"values\":[\"Z2gxMkQ=\"],\"max_signals\":3}}}",
	    1000, "com.ok", NULL) == 0);

	/* Every rejection carries a valid command first (put on QTFj). */
	reject(&b, "{\"put\":{\"QTFj\":\"eA==\"},\"bogus\":{}}",
	    "update: unknown command \"bogus\"");
	reject(&b, "[1]", "update: not an object");
	reject(&b, "{\"put\":{\"QTFj\":\"eA==\"},\"remove\":[\"QTF!\"]}",
	    "update: key \"QTF!\" is not standard base64");
	reject(&b, "{\"put\":{\"QTFj\":\"YzEyWg=\"}}",
	    "update: value of \"QTFj\" is not standard base64");
	reject(&b, "{\"put\":{\"QTFj\":\"YzEyWg==x\"}}",	/* trailing */
	    "update: value of \"QTFj\" is not standard base64");
	reject(&b, "{\"put\":{\"QTFj\":\"YzEy Wg==\"}}",
	    "update: value of \"QTFj\" is not standard base64");
	/* URL-safe: the same bytes as +/8= in the other alphabet. */
	reject(&b, "{\"put\":{\"QTFj\":\"eA==\",\"-_8=\":\"eA==\"}}",
	    "update: key \"-_8=\" is not standard base64");
	reject(&b, "{\"put\":{\"QTFj\":\"-_8=\"}}",
	    "update: value of \"QTFj\" is not standard base64");
	reject(&b, "{\"put\":{\"QTFj\":\"eA==\"},\"remove\":[\"QUJDREU=\"]}",
	    "update: key \"QUJDREU=\" decodes to 5 bytes (max 4)");
	reject(&b, "{\"put\":{\"QTFj\":\"eA==\",\"YUE5\":\"" A101 "\"}}",
	    "update: value of \"YUE5\" decodes to 101 bytes (max 100)");
	reject(&b, "{\"append\":{\"YkIx\":{\"values\":[\"eA==\",\"" A101 "\"],"
	    "\"max_signals\":5}}}",
	    "update: value of \"YkIx\" decodes to 101 bytes (max 100)");
	/* The same key twice in one command, and across commands. */
	reject(&b, "{\"remove\":[\"QTFj\",\"QTFj\"]}",
	    "update: key \"QTFj\" touched twice");
	/* QQ== and QQA= both pad to 41000000. */
	reject(&b, "{\"put\":{\"QQ==\":\"eA==\",\"QQA=\":\"eA==\"}}",
	    "update: key \"QQA=\" touched twice");
	reject(&b, "{\"put\":{\"QTFj\":\"eA==\"},\"remove\":[\"YUE5\",\"QTFj\"]}",
	    "update: key \"QTFj\" touched twice");
	reject(&b, "{\"put_if_not_present\":{\"YzBE\":\"eA==\"},"
	    "\"append\":{\"YzBE\":{\"values\":[],\"max_signals\":1}}}",
	    "update: key \"YzBE\" touched twice");
	reject(&b, "{\"put\":{\"QTFj\":\"eA==\"},\"append\":{\"YkIx\":"
	    "{\"values\":[\"eA==\",\"eQ==\",\"eg==\"],\"max_signals\":2}}}",
	    "update: append to \"YkIx\" has 3 values, more than max_signals 2");
	reject(&b, "{\"put\":{\"QTFj\":\"eA==\"},\"update_encoder\":"
	    "{\"action\":\"DELETE\",\"endpoint\":\"https://x\"}}",
	    "update: update_encoder action \"DELETE\" is not REGISTER");
	reject(&b, "{\"update_encoder\":{\"action\":1}}",
	    "update: update_encoder action is not a string");
	reject(&b, "{\"update_encoder\":{\"action\":\"REGISTER\"}}",
	    "update: update_encoder REGISTER has no string \"endpoint\"");
	/* Values of the wrong JSON type. */
	reject(&b, "{\"put\":[\"QTFj\"]}", "update: \"put\" is not an object");
	reject(&b, "{\"put_if_not_present\":\"QTFj\"}",
	    "update: \"put_if_not_present\" is not an object");
	reject(&b, "{\"append\":[]}", "update: \"append\" is not an object");
	reject(&b, "{\"remove\":{\"QTFj\":1}}",
	    "update: \"remove\" is not an array");
	reject(&b, "{\"update_encoder\":\"REGISTER\"}",
	    "update: \"update_encoder\" is not an object");
	reject(&b, "{\"put\":{\"QTFj\":7}}",
	    "update: value of \"QTFj\" is not a string");
	reject(&b, "{\"append\":{\"QTFj\":[\"eA==\"]}}",
	    "update: append to \"QTFj\" is not an object");
	reject(&b, "{\"append\":{\"QTFj\":{\"max_signals\":3}}}",
	    "update: append to \"QTFj\" has no \"values\" array");
	reject(&b, "{\"append\":{\"QTFj\":{\"values\":[],\"max_signals\":\"3\"}}}",
	    "update: append to \"QTFj\" has no integer \"max_signals\"");
	reject(&b, "{\"append\":{\"QTFj\":{\"values\":[7],\"max_signals\":3}}}",
	    "update: value of \"QTFj\" is not a string");
	reject(&b, "{\"remove\":[\"QTFj\",\"YUE5\",null]}",
	    "update: remove entry 2 is not a string");
	/* Long and odd keys are shown cut and escaped. */
	reject(&b, "{\"remove\":[\"\\n\\\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]}",
	    "update: key \"\\x0a\\\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...\" "
	    "is not standard base64");

	/*
	 * The 10 KiB rule on the update written compactly:
	 * {"remove":[k0,...,k999],"update_encoder":{"endpoint":"x...x"}}
	 *   {"remove":[                        11
	 *   1000 keys "XXXX", 6 bytes each   6000
	 *   999 commas                         999
	 *   ]                                    1
	 *   ,"update_encoder":{"endpoint":"    31
	 *   L bytes of x                         L
	 *   "}}                                  3
	 * = 7045 + L (python3 json.dumps(..., separators=(',',':')) agrees),
	 * so L = 3195 is exactly 10240 (allowed) and L = 3196 is 10241.
	 */
	pad = malloc(3197);
	memset(pad, 'x', 3196);
	pad[3196] = '\0';
	u = json_object();
	keys = json_array();
	for (i = 0; i < 1000; i++) {
		key_b64(k, i);
		json_array_append_new(keys, json_string(k));
	}
	json_object_set_new(u, "remove", keys);
	enc = json_object();
	json_object_set_new(enc, "endpoint", json_string(pad));
	json_object_set_new(u, "update_encoder", enc);
	json_incref(u);
	CHECK(apj(&b, u, 99999, "com.bad", NULL) == -1);
	CHECK_STR(err, "update: is 10241 bytes written compactly (max 10240)");
	CHECK(b.last_update == 1000 && b.n == 3);
	pad[3195] = '\0';
	json_object_set_new(enc, "endpoint", json_string(pad));
	CHECK(apj(&b, u, 99999, "com.ok", NULL) == 0);
	CHECK(b.last_update == 99999 && b.n == 3);	/* keys were absent */
	free(pad);
	sigstore_buyer_free(&b);
}

static void
test_eviction(void)
{
	struct sigstore_buyer b;
	struct sigstore_stats sx;
	struct sigstore_params q;
	json_t *u;
	unsigned i;
	int ok;

	/*
	 * Sizes: a signal is 4 + value bytes, so a 96-byte value is 100.
	 * ts 1000: keys 0..59 x 100 = 6000
	 * ts 2000: keys 60..119 x 100 = 6000            total 12000
	 * ts 3000: keys 120..153 x 100 = 3400 and key 154 with a 36-byte
	 *          value (40)                           total 15440
	 * 15440 > 15360, so evict the oldest (all at ts 1000, a tie broken
	 * by storage order, keys 0, 1, ...): after k of them the size is
	 * 15440 - 100 k; k = 51 leaves 10340 > 10240, k = 52 leaves exactly
	 * 10240 <= 10240 and eviction stops.  Keys 52..59 survive.
	 */
	sigstore_buyer_init(&b, 0);
	CHECK(apj(&b, put_range(0, 60, 96), 1000, "a", NULL) == 0);
	CHECK(apj(&b, put_range(60, 60, 96), 2000, "a", NULL) == 0);
	CHECK(sigstore_size(&b) == 12000);
	u = put_range(120, 34, 96);
	json_object_set_new(json_object_get(u, "put"), "AACa",	/* key 154 */
	    json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAA"));				/* 48 chars = 36 bytes */
	CHECK(apj(&b, u, 3000, "a", &sx) == 0);
	CHECK(sx.added == 35 && sx.evicted == 52);
	CHECK(sigstore_size(&b) == 10240);
	CHECK(b.n == 8 + 60 + 35);
	ok = 1;
	for (i = 0; i < 52; i++)
		if (has_key_index(&b, i))
			ok = 0;
	for (i = 52; i < 155; i++)
		if (!has_key_index(&b, i))
			ok = 0;
	CHECK(ok);
	CHECK(b.sig[0].ctime == 1000 && b.sig[0].key[2] == 52);
	sigstore_buyer_free(&b);

	/*
	 * Exactly at the high-water mark nothing goes:
	 * 6000 + 6000 + 33 x 100 + one 56-byte value (60) = 15360.
	 * Then one empty value (size 4): 15364 > 15360, evict k of the
	 * ts-1000 keys with 15364 - 100 k <= 10240: k = 52 (10164).
	 */
	sigstore_buyer_init(&b, 0);
	CHECK(apj(&b, put_range(0, 60, 96), 1000, "a", NULL) == 0);
	CHECK(apj(&b, put_range(60, 60, 96), 2000, "a", NULL) == 0);
	u = put_range(120, 33, 96);
	json_object_set_new(json_object_get(u, "put"), "AACZ",	/* key 153 */
	    json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAA="));	/* 76 chars = 56 bytes */
	CHECK(apj(&b, u, 3000, "a", &sx) == 0);
	CHECK(sx.evicted == 0 && sigstore_size(&b) == 15360);
	CHECK(ap(&b, "{\"put\":{\"QTFj\":\"\"}}", 4000, "a", &sx) == 0);
	CHECK(sx.evicted == 52 && sigstore_size(&b) == 10164);
	CHECK(!has_key_index(&b, 51) && has_key_index(&b, 52));
	sigstore_buyer_free(&b);

	/*
	 * Ties across updates: three updates all at ts 500.
	 * 60 x 100 + 60 x 100 + 35 x 100 = 15500 > 15360; 15500 - 100 k
	 * <= 10240 needs k = 53 (10200; k = 52 leaves 10300).  Storage
	 * order decides: keys 0..52 go, key 53 stays.
	 */
	sigstore_buyer_init(&b, 0);
	CHECK(apj(&b, put_range(0, 60, 96), 500, "a", NULL) == 0);
	CHECK(apj(&b, put_range(60, 60, 96), 500, "a", NULL) == 0);
	CHECK(apj(&b, put_range(120, 35, 96), 500, "a", &sx) == 0);
	CHECK(sx.evicted == 53 && sigstore_size(&b) == 10200);
	CHECK(!has_key_index(&b, 52) && has_key_index(&b, 53));
	sigstore_buyer_free(&b);

	/*
	 * New values are evicted too (marks as parameters): high 1000,
	 * low 500; an empty store takes 11 x 100 = 1100 > 1000; keep
	 * 1100 - 100 k <= 500: k = 6, the first six stored (keys 0..5).
	 */
	sigstore_params_default(&q);
	q.high_water = 1000;
	q.low_water = 500;
	sigstore_buyer_init(&b, 0);
	u = put_range(0, 11, 96);
	CHECK(sigstore_apply(&b, &st, u, 10, "a", &q, &sx, err,
	    sizeof(err)) == 0);
	json_decref(u);
	CHECK(sx.added == 11 && sx.evicted == 6 && sigstore_size(&b) == 500);
	CHECK(!has_key_index(&b, 5) && has_key_index(&b, 6));
	sigstore_buyer_free(&b);
}

static void
test_ttl_snapshot(void)
{
	struct sigstore_buyer b;
	struct sigstore_snap s;
	char *m;

	sigstore_buyer_init(&b, 0);
	CHECK(ap(&b, "{\"put\":{\"QTFj\":\"YzEyWg==\"}}", 100, "a", NULL) == 0);
	CHECK(ap(&b, "{\"put\":{\"YUE5\":\"YTF6ZkMz\"}}", 200, "b", NULL) == 0);
	CHECK(ap(&b, "{\"put\":{\"YkIx\":\"Z2gxMkQ=\"}}", 300, "c", NULL) == 0);

	/* Snapshot at 250 with ttl 100: 150 <= ctime <= 250, only YUE5. */
	sigstore_snapshot(&b, 250, 100, &s);
	m = sigstore_marshal(&s, &st, NULL);
	CHECK_STR(m, "[{\"61413900\":[{\"val\":\"61317A664333\",\"time\":200,"
	    "\"app\":\"b\"}]}]");
	free(m);
	sigstore_snap_free(&s);
	/* Both ends are inclusive: at 300 with ttl 100, 200 and 300. */
	sigstore_snapshot(&b, 300, 100, &s);
	CHECK(s.n == 2);
	sigstore_snap_free(&s);
	/* Nothing before the first signal: "[]". */
	sigstore_snapshot(&b, 99, SIGSTORE_TTL, &s);
	m = sigstore_marshal(&s, &st, NULL);
	CHECK(s.n == 0);
	CHECK_STR(m, "[]");
	free(m);
	sigstore_snap_free(&s);

	/* TTL: at 200 + 5184000 the cutoff is 200; ctime 100 < 200 goes,
	 * 200 (exactly at the cutoff) stays. */
	CHECK(sigstore_expire(&b, 200 + SIGSTORE_TTL, SIGSTORE_TTL) == 1);
	check_dump(&b, "[{\"61413900\":[{\"val\":\"61317A664333\",\"time\":200,"
	    "\"app\":\"b\"}]},{\"62423100\":[{\"val\":\"6768313244\",\"time\":300,"
	    "\"app\":\"c\"}]}]");
	CHECK(sigstore_size(&b) == 4 + 6 + 4 + 5);
	CHECK(sigstore_expire(&b, 200 + SIGSTORE_TTL, SIGSTORE_TTL) == 0);
	CHECK(sigstore_expire(&b, 301 + SIGSTORE_TTL, SIGSTORE_TTL) == 2);
	CHECK(b.n == 0 && b.sig == NULL && sigstore_size(&b) == 0);
	check_dump(&b, "[]");
	sigstore_buyer_free(&b);
}

/*
 * The store of DESIGN.md's example update, for marshalling and encoding:
 * QTFj=c12Z at 1685577600 by com.example.game, then at 1685577700 by
 * com.b: append YkIx gh12D, d45g (seqs 1, 2) and put_if_not_present
 * YUE5 a1zfC3 (seq 3).
 */
static void
example_store(struct sigstore_buyer *b)
{
	sigstore_buyer_init(b, 0);
	CHECK(ap(b, "{\"put\":{\"QTFj\":\"YzEyWg==\"}}", 1685577600,
	    "com.example.game", NULL) == 0);
	CHECK(ap(b, "{\"append\":{\"YkIx\":{\"values\":[\"Z2gxMkQ=\","
	    "\"ZDQ1Zw==\"],\"max_signals\":20}},\"put_if_not_present\":"
	    "{\"YUE5\":\"YTF6ZkMz\"},\"remove\":[\"YzBE\"]}", 1685577700,
	    "com.b", NULL) == 0);
}

static void
test_marshal(void)
{
	struct sigstore_buyer b;
	size_t len;
	char *m;
	struct sigstore_snap s;
	/* Keys ascending (41.. < 61.. < 62..), values in insertion order,
	 * hex from the table at the top. */
	static const char want[] =
	    "[{\"41316300\":[{\"val\":\"6331325A\",\"time\":1685577600,"
	    "\"app\":\"com.example.game\"}]},"
	    "{\"61413900\":[{\"val\":\"61317A664333\",\"time\":1685577700,"
	    "\"app\":\"com.b\"}]},"
	    "{\"62423100\":[{\"val\":\"6768313244\",\"time\":1685577700,"
	    "\"app\":\"com.b\"},{\"val\":\"64343567\",\"time\":1685577700,"
	    "\"app\":\"com.b\"}]}]";

	example_store(&b);
	sigstore_snapshot(&b, 1685577700, SIGSTORE_TTL, &s);
	m = sigstore_marshal(&s, &st, &len);
	CHECK_STR(m, want);
	CHECK(len == sizeof(want) - 1);
	free(m);
	sigstore_snap_free(&s);
	sigstore_buyer_free(&b);

	/* An app name that needs escaping stays valid JSON. */
	sigstore_buyer_init(&b, 0);
	CHECK(ap(&b, "{\"put\":{\"QTFj\":\"\"}}", 5, "a\"b\\c\n", NULL) == 0);
	check_dump(&b, "[{\"41316300\":[{\"val\":\"\",\"time\":5,"
	    "\"app\":\"a\\\"b\\\\c\\u000a\"}]}]");
	sigstore_buyer_free(&b);
}

static void
test_encoder(void)
{
	struct sigstore_buyer b;
	struct sigstore_snap s;
	struct sigstore_feat *f;
	struct sigstore_stats sx;
	unsigned char out[SIGSTORE_MAX_SIZE], bad[40];
	size_t n, nf, i;
	json_t *u;
	int ok;
	/*
	 * Job at J = 1685577600 + 4 h + 50 s = 1685592050.
	 * YUE5: latest seq 3 at ...700: (J - 1685577700) / 3600 = 14350 /
	 *   3600 = 3.99 -> h 3 -> bucket 2 (bit length of 3); count 1.
	 * YkIx: latest d45g (seq 2) at ...700: bucket 2; count 2.
	 * QTFj: at ...600: 14450 / 3600 = 4.01 -> h 4 -> bucket 3; count 1.
	 * Most recent first: YUE5 (t 700, seq 3), YkIx (700, seq 2), QTFj.
	 */
	static const unsigned char want[] = {
		0x01,
		0x61, 0x41, 0x39, 0x00, 1, 2, 6,
		    0x61, 0x31, 0x7A, 0x66, 0x43, 0x33,
		0x62, 0x42, 0x31, 0x00, 2, 2, 4, 0x64, 0x34, 0x35, 0x67,
		0x41, 0x31, 0x63, 0x00, 1, 3, 4, 0x63, 0x31, 0x32, 0x5A,
	};

	example_store(&b);
	sigstore_snapshot(&b, 1685592050, SIGSTORE_TTL, &s);
	CHECK(sigstore_encode(&s, 1685592050, SIGSTORE_MAX_SIZE, out, &n,
	    err, sizeof(err)) == 0);
	CHECK(n == sizeof(want) && memcmp(out, want, n) == 0);

	CHECK(sigstore_decode(out, n, &f, &nf, err, sizeof(err)) == 0);
	CHECK(nf == 3);
	if (nf == 3) {
		CHECK(memcmp(f[0].key, "aA9\0", 4) == 0 && f[0].count == 1 &&
		    f[0].bucket == 2 && f[0].len == 6 &&
		    memcmp(f[0].val, "a1zfC3", 6) == 0);
		CHECK(memcmp(f[1].key, "bB1\0", 4) == 0 && f[1].count == 2 &&
		    f[1].bucket == 2 && f[1].len == 4 &&
		    memcmp(f[1].val, "d45g", 4) == 0);
		CHECK(memcmp(f[2].key, "A1c\0", 4) == 0 && f[2].count == 1 &&
		    f[2].bucket == 3 && f[2].len == 4 &&
		    memcmp(f[2].val, "c12Z", 4) == 0);
	}
	free(f);

	/* Truncation keeps whole entries, most recent first:
	 * 1 + 13 + 11 = 25 fits two; 24 only the first. */
	CHECK(sigstore_encode(&s, 1685592050, 25, out, &n, err,
	    sizeof(err)) == 0);
	CHECK(n == 25 && memcmp(out, want, 25) == 0);
	CHECK(sigstore_encode(&s, 1685592050, 24, out, &n, err,
	    sizeof(err)) == 0);
	CHECK(n == 14 && memcmp(out, want, 14) == 0);
	CHECK(sigstore_encode(&s, 1685592050, 0, out, &n, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "encode: maxSize 0 leaves no room for the version byte");
	sigstore_snap_free(&s);
	sigstore_buyer_free(&b);

	/* Decoder errors. */
	CHECK(sigstore_decode(want, 0, &f, &nf, err, sizeof(err)) == -1);
	CHECK_STR(err, "payload: empty");
	memcpy(bad, want, sizeof(want));
	bad[0] = 2;
	CHECK(sigstore_decode(bad, sizeof(want), &f, &nf, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "payload: version 2 is not 1");
	CHECK(sigstore_decode(want, sizeof(want) - 1, &f, &nf, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "payload: entry at byte 25 is cut short");
	CHECK(sigstore_decode(want, 3, &f, &nf, err, sizeof(err)) == -1);
	CHECK_STR(err, "payload: entry at byte 1 is cut short");
	memcpy(bad, "\x01" "AAAA\x01\x00\x65", 8);	/* len 101 */
	CHECK(sigstore_decode(bad, 8, &f, &nf, err, sizeof(err)) == -1);
	CHECK_STR(err, "payload: value at byte 1 has 101 bytes (max 100)");
	CHECK(sigstore_decode(want, 1, &f, &nf, err, sizeof(err)) == 0);
	CHECK(nf == 0 && f == NULL);

	/*
	 * 16 keys of 100-byte values put one per hour (key i at hour i):
	 * an entry is 7 + 100 = 107 bytes; 1 + 14 x 107 = 1499 <= 1536 and
	 * 1 + 15 x 107 = 1606 > 1536, so the 14 newest (keys 15..2) stay
	 * and the two stalest (keys 1, 0) are dropped.  Job at hour 16:
	 * key i is 16 - i hours old, bucket = bit length of 16 - i.
	 */
	sigstore_buyer_init(&b, 0);
	for (i = 0; i < 16; i++)
		CHECK(apj(&b, put_range((unsigned)i, 1, 100),
		    (int64_t)i * 3600, "a", NULL) == 0);
	sigstore_snapshot(&b, 16 * 3600, SIGSTORE_TTL, &s);
	CHECK(sigstore_encode(&s, 16 * 3600, SIGSTORE_MAX_SIZE, out, &n, err,
	    sizeof(err)) == 0);
	CHECK(n == 1499);
	CHECK(sigstore_decode(out, n, &f, &nf, err, sizeof(err)) == 0);
	CHECK(nf == 14);
	ok = 1;
	for (i = 0; i < nf; i++) {
		unsigned key = 15 - (unsigned)i, age = 16 - key, bits = 0;

		while (age >> bits)
			bits++;		/* 1 h -> 1, 2-3 h -> 2, 4-7 -> 3 */
		if (f[i].key[2] != key || f[i].count != 1 ||
		    f[i].bucket != bits || f[i].len != 100 ||
		    f[i].val[0] != key || f[i].val[99] != key)
			ok = 0;
	}
	CHECK(ok);
	CHECK(f[0].bucket == 1 && f[13].bucket == 4);	/* 1 h, 14 h */
	free(f);
	sigstore_snap_free(&s);
	sigstore_buyer_free(&b);

	/* The count saturates at 255: 300 empty values of one key. */
	sigstore_buyer_init(&b, 0);
	u = js("{\"append\":{\"QTFj\":{\"values\":[],\"max_signals\":300}}}");
	for (i = 0; i < 300; i++)
		json_array_append_new(json_object_get(json_object_get(
		    json_object_get(u, "append"), "QTFj"), "values"),
		    json_string(""));
	CHECK(apj(&b, u, 7200, "a", &sx) == 0);
	CHECK(sx.added == 300 && b.n == 300);
	sigstore_snapshot(&b, 7200, SIGSTORE_TTL, &s);
	CHECK(sigstore_encode(&s, 7200, SIGSTORE_MAX_SIZE, out, &n, err,
	    sizeof(err)) == 0);
	CHECK(n == 8 && out[5] == 255 && out[6] == 0 && out[7] == 0);
	sigstore_snap_free(&s);
	sigstore_buyer_free(&b);
}

static void
test_fail_rule(void)
{
	struct sigstore_fail f;

	sigstore_fail_init(&f);
	CHECK(!sigstore_fail_blocked(&f, 0, SIGSTORE_MAX_FAILS));
	sigstore_fail_note(&f, 0, 0);
	sigstore_fail_note(&f, 0, 0);
	CHECK(!sigstore_fail_blocked(&f, 0, SIGSTORE_MAX_FAILS));
	sigstore_fail_note(&f, 0, 1);		/* a success resets */
	sigstore_fail_note(&f, 0, 0);
	sigstore_fail_note(&f, 0, 0);
	CHECK(!sigstore_fail_blocked(&f, 0, SIGSTORE_MAX_FAILS));
	sigstore_fail_note(&f, 0, 0);		/* third in a row */
	CHECK(sigstore_fail_blocked(&f, 0, SIGSTORE_MAX_FAILS));
	CHECK(!sigstore_fail_blocked(&f, 1, SIGSTORE_MAX_FAILS));
	sigstore_fail_note(&f, 1, 0);		/* a new version counts anew */
	CHECK(f.version == 1 && f.count == 1);
	CHECK(!sigstore_fail_blocked(&f, 1, SIGSTORE_MAX_FAILS));
}

static void
test_device_strtab(void)
{
	struct sigstore_device d = { NULL, 0 };
	struct sigstore_buyer *b1, *b2;
	uint32_t a, c, x;
	char name[16];
	int i, ok = 1;

	CHECK(sigstore_strtab_intern(&st, "adtech1.example", &a) == 0);
	CHECK(sigstore_strtab_intern(&st, "adtech2.example", &c) == 0);
	CHECK(sigstore_strtab_intern(&st, "adtech1.example", &x) == 0 &&
	    x == a);
	CHECK(sigstore_strtab_get(&st, SIGSTORE_NONE) == NULL);
	CHECK(sigstore_device_buyer(&d, a, 0) == NULL);
	b1 = sigstore_device_buyer(&d, a, 1);
	CHECK(b1 != NULL && b1->name == a && b1->last_update == INT64_MIN);
	CHECK(ap(b1, "{\"put\":{\"QTFj\":\"eA==\"}}", 1, "a", NULL) == 0);
	b2 = sigstore_device_buyer(&d, c, 1);
	CHECK(b2 != NULL && b2->n == 0 && d.nbuyer == 2);
	b1 = sigstore_device_buyer(&d, a, 0);
	CHECK(b1 != NULL && b1->n == 1);
	CHECK(sigstore_device_bytes(&d) == sizeof(d) + 2 * sizeof(*b1) +
	    sizeof(struct sigstore_signal) + 1);
	sigstore_device_free(&d);

	/* Many strings: ids dense and stable across growth. */
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "app%d", i);
		if (sigstore_strtab_intern(&st, name, &x) != 0 ||
		    strcmp(sigstore_strtab_get(&st, x), name) != 0)
			ok = 0;
	}
	CHECK(sigstore_strtab_intern(&st, "app17", &a) == 0);
	CHECK(sigstore_strtab_intern(&st, "app4999", &c) == 0 && c == a + 4982);
	CHECK(ok);
}

int
main(void)
{
	sigstore_strtab_init(&st);
	sigstore_params_default(&P);
	CHECK(sizeof(struct sigstore_signal) == 24);
	test_commands();
	test_append();
	test_reject();
	test_eviction();
	test_ttl_snapshot();
	test_marshal();
	test_encoder();
	test_fail_rule();
	test_device_strtab();
	sigstore_strtab_free(&st);
	return unit_report();
}
