/*
 * egress: schema parsing, payload validation, the wire form of
 * SPEC-PAS.md section 6, decoding into rows, and noise.
 *
 * Expected wire bytes are worked by hand in the comments (bits written
 * most significant first).  The base64 of those bytes, and the hex next
 * to it, were checked with an independent Python reference
 * (python3: concatenate each feature's bits as format(v % 2**S, '0Sb'),
 * features, bucket items and histogram items in reverse order, then
 * int(bits, 2).to_bytes(ceil(len/8), 'big') + bytes([version << 5]),
 * base64.b64encode); it agreed with every hand-worked value below.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "egress.h"
#include "rng.h"
#include "unit.h"

static struct egress_schema *
schema(const char *text)
{
	struct egress_schema *s = NULL;
	json_error_t jerr;
	json_t *j;
	char err[200];

	if ((j = json_loads(text, 0, &jerr)) == NULL) {
		fprintf(stderr, "bad test json: %s: %s\n", text, jerr.text);
		return NULL;
	}
	if (egress_schema_parse(j, &s, err, sizeof(err)) != 0)
		fprintf(stderr, "schema rejected: %s: %s\n", text, err);
	json_decref(j);
	return s;
}

/* Parses a schema that must be rejected; returns its reason. */
static const char *
schema_reason(const char *text)
{
	static char err[200];
	struct egress_schema *s = NULL;
	json_t *j;

	if ((j = json_loads(text, 0, NULL)) == NULL)
		return "bad test json";
	if (egress_schema_parse(j, &s, err, sizeof(err)) == 0) {
		egress_schema_free(s);
		snprintf(err, sizeof(err), "accepted");
	}
	json_decref(j);
	return err;
}

/* Validates and encodes payload text; returns the wire string or a mark. */
static const char *
wire(const struct egress_schema *s, const char *payload, size_t limit)
{
	static char buf[256];
	char err[200], *out = NULL;
	json_t *j;
	int rc;

	if (s == NULL || (j = json_loads(payload, 0, NULL)) == NULL)
		return "bad test input";
	rc = egress_payload_wire(s, j, limit, &out, err, sizeof(err));
	json_decref(j);
	if (rc < 0) {
		snprintf(buf, sizeof(buf), "invalid: %s", err);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", out);
	free(out);
	return buf;
}

/* 1 when the payload is rejected with a reason containing want. */
static int
rejected(const struct egress_schema *s, const char *payload, const char *want)
{
	const char *w = wire(s, payload, EGRESS_NO_LIMIT);

	if (strncmp(w, "invalid: ", 9) != 0 || strstr(w, want) == NULL) {
		fprintf(stderr, "payload %s: got \"%s\", want a reason with "
		    "\"%s\"\n", payload, w, want);
		return 0;
	}
	return 1;
}

#define S_SIGNED3 "{\"cddl_version\":\"1.0.0\",\"version\":5,\"features\":" \
	"[{\"name\":\"signed-integer-feature\",\"size\":3}]}"
#define P_SIGNED(v) "{\"features\":[{\"name\":\"signed-integer-feature\"," \
	"\"value\":" v "}]}"

static void
test_spec_vector(void)
{
	struct egress_schema *s;
	struct egress_values v;
	struct egress_cell c;
	char err[200];

	/*
	 * SPEC-PAS.md section 6: version 2, [unsigned 7 = 2, boolean true,
	 * histogram[signed 1 = -1]]: bits histogram|bool|uint =
	 * 1 1 0000010 -> 0x0182; header 2 << 5 = 0x40 -> 01 82 40 = "AYJA".
	 */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":2,\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"size\":7},"
	    "{\"name\":\"boolean-feature\"},"
	    "{\"name\":\"histogram-feature\",\"size\":1,\"value\":["
	    "{\"name\":\"signed-integer-feature\",\"size\":1}]}]}");
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK(s->total_bits == 9 && s->nfeatures == 3 && s->nleaves == 3);
	CHECK(egress_feature_bits(s, 0) == 7 && egress_feature_bits(s, 1) == 1
	    && egress_feature_bits(s, 2) == 1);
	CHECK_STR(wire(s, "{\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"value\":2},"
	    "{\"name\":\"boolean-feature\",\"value\":true},"
	    "{\"name\":\"histogram-feature\",\"value\":["
	    "{\"name\":\"signed-integer-feature\",\"value\":-1}]}]}",
	    EGRESS_NO_LIMIT), "AYJA");
	/* The real servers' limit of 0 bits clears it; 9 bits keeps it. */
	CHECK_STR(wire(s, "{\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"value\":2},"
	    "{\"name\":\"boolean-feature\",\"value\":true},"
	    "{\"name\":\"histogram-feature\",\"value\":["
	    "{\"name\":\"signed-integer-feature\",\"value\":-1}]}]}", 0), "");
	CHECK_STR(wire(s, "{\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"value\":2},"
	    "{\"name\":\"boolean-feature\",\"value\":true},"
	    "{\"name\":\"histogram-feature\",\"value\":["
	    "{\"name\":\"signed-integer-feature\",\"value\":-1}]}]}", 9),
	    "AYJA");

	/* Decoding gives the row f0=2, f1=1, f2_0=-1. */
	egress_values_init(&v, s);
	CHECK(egress_decode(s, "AYJA", &v, err, sizeof(err)) == 0);
	egress_cell(s, &v, 0, &c);
	CHECK_STR(c.name, "f0");
	CHECK(!c.is_signed && c.u == 2);
	CHECK_STR(c.text, "2");
	egress_cell(s, &v, 1, &c);
	CHECK_STR(c.name, "f1");
	CHECK_STR(c.text, "1");
	egress_cell(s, &v, 2, &c);
	CHECK_STR(c.name, "f2_0");
	CHECK(c.is_signed && c.i == -1);
	CHECK_STR(c.text, "-1");

	/* Rejected wire forms. */
	CHECK(egress_decode(s, "", &v, err, sizeof(err)) == 1);
	/* 01 82 41: protocol bits 1. */
	CHECK(egress_decode(s, "AYJB", &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "protocol") != NULL);
	/* 03 82 40: bit 9 set, above the 9 bits of the schema. */
	CHECK(egress_decode(s, "A4JA", &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "above") != NULL);
	/* 01 82 (2 bytes) and 01 82 40 00 (4 bytes): wrong length. */
	CHECK(egress_decode(s, "AYI=", &v, err, sizeof(err)) == -1);
	CHECK(egress_decode(s, "AYJAAA==", &v, err, sizeof(err)) == -1);
	CHECK(egress_decode(s, "AYJ", &v, err, sizeof(err)) == -1);
	CHECK(egress_decode(s, "AY!A", &v, err, sizeof(err)) == -1);
	CHECK(egress_decode(s, "AYJA\n", &v, err, sizeof(err)) == -1);
	CHECK(egress_decode(s, "AY-A", &v, err, sizeof(err)) == -1);
	egress_values_free(&v);
	egress_schema_free(s);

	/* The same bytes under a schema of version 3: header says 2. */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":3,\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"size\":7},"
	    "{\"name\":\"boolean-feature\"},"
	    "{\"name\":\"histogram-feature\",\"size\":1,\"value\":["
	    "{\"name\":\"signed-integer-feature\",\"size\":1}]}]}");
	egress_values_init(&v, s);
	CHECK(egress_decode(s, "AYJA", &v, err, sizeof(err)) == -1);
	CHECK(strstr(err, "version") != NULL);
	egress_values_free(&v);
	egress_schema_free(s);
}

static void
test_signed(void)
{
	struct egress_schema *s = schema(S_SIGNED3);
	struct egress_values v;
	struct egress_cell c;
	char err[200];

	/*
	 * Signed, size 3, version 5 (header 5 << 5 = 0xa0); the body is one
	 * byte holding the 3-bit two's complement pattern:
	 *   -4 -> 100 -> 04 a0 -> "BKA="     -1 -> 111 -> 07 a0 -> "B6A="
	 *   -3 -> 101 -> 05 a0 -> "BaA="      3 -> 011 -> 03 a0 -> "A6A="
	 *    0 -> 000 -> 00 a0 -> "AKA="
	 */
	CHECK_STR(wire(s, P_SIGNED("-4"), EGRESS_NO_LIMIT), "BKA=");
	CHECK_STR(wire(s, P_SIGNED("-1"), EGRESS_NO_LIMIT), "B6A=");
	CHECK_STR(wire(s, P_SIGNED("-3"), EGRESS_NO_LIMIT), "BaA=");
	CHECK_STR(wire(s, P_SIGNED("3"), EGRESS_NO_LIMIT), "A6A=");
	CHECK_STR(wire(s, P_SIGNED("0"), EGRESS_NO_LIMIT), "AKA=");
	/* -2^2 .. 2^2-1 is the range: -5 and 4 are out. */
	CHECK(rejected(s, P_SIGNED("-5"), "out of range"));
	CHECK(rejected(s, P_SIGNED("4"), "out of range"));
	CHECK(rejected(s, P_SIGNED("1.0"), "not an integer"));
	CHECK(rejected(s, P_SIGNED("\"1\""), "not an integer"));
	CHECK(rejected(s, P_SIGNED("true"), "not an integer"));

	egress_values_init(&v, s);
	CHECK(egress_decode(s, "BKA=", &v, err, sizeof(err)) == 0);
	egress_cell(s, &v, 0, &c);
	CHECK(c.is_signed && c.i == -4);
	CHECK(egress_decode(s, "A6A=", &v, err, sizeof(err)) == 0);
	egress_cell(s, &v, 0, &c);
	CHECK(c.is_signed && c.i == 3);
	/* "CKA=" is 08 a0: bit 3 set above the 3 bits of the schema. */
	CHECK(egress_decode(s, "CKA=", &v, err, sizeof(err)) == -1);
	egress_values_free(&v);
	egress_schema_free(s);

	/*
	 * Signed 64 at its minimum -2^63: pattern 1 followed by 63 zeros,
	 * 8 body bytes 80 00 .. 00, header 00 -> "gAAAAAAAAAAA".
	 */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":"
	    "[{\"name\":\"signed-integer-feature\",\"size\":64}]}");
	CHECK_STR(wire(s, "{\"features\":[{\"name\":\"signed-integer-feature\","
	    "\"value\":-9223372036854775808}]}", EGRESS_NO_LIMIT),
	    "gAAAAAAAAAAA");
	egress_values_init(&v, s);
	CHECK(egress_decode(s, "gAAAAAAAAAAA", &v, err, sizeof(err)) == 0);
	egress_cell(s, &v, 0, &c);
	CHECK(c.is_signed && c.i == INT64_MIN);
	CHECK_STR(c.text, "-9223372036854775808");
	egress_values_free(&v);
	egress_schema_free(s);
}

static void
test_unsigned_bucket_histogram(void)
{
	struct egress_schema *s;
	struct egress_values v;
	struct egress_cell c;
	char err[200];
	const char *want[] = { "1", "-2", "1", "0", "1", "17" };
	const char *names[] = { "f0", "f1", "f2_0", "f2_1", "f2_2", "f3" };
	size_t k;

	/* Unsigned 8 = 255: ff, header 00 -> ff 00 -> "/wA="; 256 is out. */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":"
	    "[{\"name\":\"unsigned-integer-feature\",\"size\":8}]}");
	CHECK_STR(wire(s, "{\"features\":[{\"name\":\"unsigned-integer-feature"
	    "\",\"value\":255}]}", EGRESS_NO_LIMIT), "/wA=");
	CHECK(rejected(s, "{\"features\":[{\"name\":\"unsigned-integer-feature"
	    "\",\"value\":256}]}", "out of range"));
	CHECK(rejected(s, "{\"features\":[{\"name\":\"unsigned-integer-feature"
	    "\",\"value\":-1}]}", "out of range"));
	/* A total of 8 bits: limit 7 clears it, limit 8 keeps it. */
	CHECK_STR(wire(s, "{\"features\":[{\"name\":\"unsigned-integer-feature"
	    "\",\"value\":255}]}", 7), "");
	CHECK_STR(wire(s, "{\"features\":[{\"name\":\"unsigned-integer-feature"
	    "\",\"value\":255}]}", 8), "/wA=");
	egress_schema_free(s);

	/*
	 * Bucket of 2, item 0 least significant:
	 *   [true,false] -> 01 -> 01 00 -> "AQA="
	 *   [false,true] -> 10 -> 02 00 -> "AgA="
	 */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":"
	    "[{\"name\":\"bucket-feature\",\"size\":2}]}");
	CHECK(s != NULL && s->total_bits == 2 && s->nleaves == 2);
	CHECK_STR(wire(s, "{\"features\":[{\"name\":\"bucket-feature\",\"value\":"
	    "[{\"value\":true},{\"value\":false}]}]}", EGRESS_NO_LIMIT), "AQA=");
	CHECK_STR(wire(s, "{\"features\":[{\"name\":\"bucket-feature\",\"value\":"
	    "[{\"value\":false},{\"value\":true}]}]}", EGRESS_NO_LIMIT), "AgA=");
	CHECK(rejected(s, "{\"features\":[{\"name\":\"bucket-feature\",\"value\":"
	    "[{\"value\":true}]}]}", "array of 2"));
	CHECK(rejected(s, "{\"features\":[{\"name\":\"bucket-feature\",\"value\":"
	    "[true,false]}]}", "bucket item 0"));
	CHECK(rejected(s, "{\"features\":[{\"name\":\"bucket-feature\",\"value\":"
	    "[{\"value\":true},{\"value\":1}]}]}", "bucket item 1"));
	CHECK(rejected(s, "{\"features\":[{\"name\":\"bucket-feature\",\"value\":"
	    "true}]}", "array of 2"));
	egress_schema_free(s);

	/* Bucket of 3 named by "buckets": [false,true,true] -> 110 -> "BgA=". */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":"
	    "[{\"name\":\"bucket-feature\",\"buckets\":3}]}");
	CHECK_STR(wire(s, "{\"features\":[{\"name\":\"bucket-feature\",\"value\":"
	    "[{\"value\":false},{\"value\":true},{\"value\":true}]}]}",
	    EGRESS_NO_LIMIT), "BgA=");
	egress_schema_free(s);

	/*
	 * Histogram [uint2 = 2, sint3 = -3], the last item most
	 * significant: "101 10" = 10110 = 0x16 -> 16 00 -> "FgA=".
	 */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":"
	    "[{\"name\":\"histogram-feature\",\"size\":5,\"value\":["
	    "{\"name\":\"unsigned-integer-feature\",\"size\":2},"
	    "{\"name\":\"signed-integer-feature\",\"size\":3}]}]}");
	CHECK_STR(wire(s, "{\"features\":[{\"name\":\"histogram-feature\","
	    "\"value\":[{\"name\":\"unsigned-integer-feature\",\"value\":2},"
	    "{\"name\":\"signed-integer-feature\",\"value\":-3}]}]}",
	    EGRESS_NO_LIMIT), "FgA=");
	CHECK(rejected(s, "{\"features\":[{\"name\":\"histogram-feature\","
	    "\"value\":[{\"name\":\"unsigned-integer-feature\",\"value\":2}]}]}",
	    "array of 2"));
	CHECK(rejected(s, "{\"features\":[{\"name\":\"histogram-feature\","
	    "\"value\":[{\"name\":\"signed-integer-feature\",\"value\":1},"
	    "{\"name\":\"signed-integer-feature\",\"value\":-3}]}]}",
	    "histogram item 0 is"));
	CHECK(rejected(s, "{\"features\":[{\"name\":\"histogram-feature\","
	    "\"value\":[{\"name\":\"unsigned-integer-feature\",\"value\":4},"
	    "{\"name\":\"signed-integer-feature\",\"value\":-3}]}]}",
	    "out of range"));
	CHECK(rejected(s, "{\"features\":[{\"name\":\"histogram-feature\","
	    "\"value\":[{\"name\":\"unsigned-integer-feature\",\"value\":1},"
	    "{\"name\":\"signed-integer-feature\"}]}]}", "has no value"));
	egress_values_init(&v, s);
	CHECK(egress_decode(s, "FgA=", &v, err, sizeof(err)) == 0);
	egress_cell(s, &v, 0, &c);
	CHECK_STR(c.name, "f0_0");
	CHECK_STR(c.text, "2");
	egress_cell(s, &v, 1, &c);
	CHECK_STR(c.name, "f0_1");
	CHECK_STR(c.text, "-3");
	egress_values_free(&v);
	egress_schema_free(s);

	/*
	 * Features that cross a byte, version 3 (header 0x60):
	 * [boolean true, signed 4 = -2, bucket [true,false,true],
	 *  unsigned 5 = 17], 13 bits, most significant first:
	 *   f3 10001 | f2 101 | f1 1110 | f0 1 = 1000110111101
	 *   -> 000 1000110111101 = 0x11bd -> 11 bd 60 -> "Eb1g".
	 */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":3,\"features\":["
	    "{\"name\":\"boolean-feature\"},"
	    "{\"name\":\"signed-integer-feature\",\"size\":4},"
	    "{\"name\":\"bucket-feature\",\"size\":3},"
	    "{\"name\":\"unsigned-integer-feature\",\"size\":5}]}");
	CHECK_STR(wire(s, "{\"features\":["
	    "{\"name\":\"boolean-feature\",\"value\":true},"
	    "{\"name\":\"signed-integer-feature\",\"value\":-2},"
	    "{\"name\":\"bucket-feature\",\"value\":[{\"value\":true},"
	    "{\"value\":false},{\"value\":true}]},"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":17}]}",
	    EGRESS_NO_LIMIT), "Eb1g");
	egress_values_init(&v, s);
	CHECK(egress_decode(s, "Eb1g", &v, err, sizeof(err)) == 0);
	CHECK(s->nleaves == 6);
	for (k = 0; k < 6 && k < s->nleaves; k++) {
		egress_cell(s, &v, k, &c);
		CHECK_STR(c.name, names[k]);
		CHECK_STR(c.text, want[k]);
	}
	egress_values_free(&v);
	egress_schema_free(s);
}

static void
test_wide_and_empty(void)
{
	struct egress_schema *s;
	struct egress_values v;
	struct egress_cell c;
	char err[200], *out;

	/*
	 * 129 bits, version 1: [unsigned 64 = 0x0123456789abcdef,
	 * unsigned 64 = 0x7edcba9876543210, boolean true].  The integer is
	 * 1 << 128 | f1 << 64 | f0, 17 big-endian bytes:
	 *   01 | 7e dc ba 98 76 54 32 10 | 01 23 45 67 89 ab cd ef
	 * then header 1 << 5 = 0x20 -> "AX7cuph2VDIQASNFZ4mrze8g".
	 */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":1,\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"size\":64},"
	    "{\"name\":\"unsigned-integer-feature\",\"size\":64},"
	    "{\"name\":\"boolean-feature\",\"size\":1}]}");
	CHECK(s != NULL && s->total_bits == 129);
	CHECK_STR(wire(s, "{\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"value\":81985529216486895},"
	    "{\"name\":\"unsigned-integer-feature\","
	    "\"value\":9141386507638288912},"
	    "{\"name\":\"boolean-feature\",\"value\":true}]}", EGRESS_NO_LIMIT),
	    "AX7cuph2VDIQASNFZ4mrze8g");
	CHECK_STR(wire(s, "{\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"value\":81985529216486895},"
	    "{\"name\":\"unsigned-integer-feature\","
	    "\"value\":9141386507638288912},"
	    "{\"name\":\"boolean-feature\",\"value\":true}]}", 128), "");
	egress_values_init(&v, s);
	CHECK(egress_decode(s, "AX7cuph2VDIQASNFZ4mrze8g", &v, err,
	    sizeof(err)) == 0);
	CHECK(v.raw[0] == UINT64_C(0x0123456789abcdef));
	CHECK(v.raw[1] == UINT64_C(0x7edcba9876543210));
	CHECK(v.raw[2] == 1);
	/* All 64 bits set: beyond jansson, yet encoded and decoded. */
	v.raw[0] = UINT64_MAX;
	CHECK(egress_encode(s, &v, EGRESS_NO_LIMIT, &out) == 0);
	CHECK(egress_decode(s, out, &v, err, sizeof(err)) == 0);
	egress_cell(s, &v, 0, &c);
	CHECK_STR(c.text, "18446744073709551615");
	CHECK(egress_values_to_json(s, &v, err, sizeof(err)) == NULL);
	free(out);
	egress_values_free(&v);
	egress_schema_free(s);

	/* No features: a total of 0 bits is always cleared. */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":[]}");
	CHECK(s != NULL && s->total_bits == 0 && s->nleaves == 0);
	CHECK_STR(wire(s, "{\"features\":[]}", EGRESS_NO_LIMIT), "");
	egress_values_init(&v, s);
	CHECK(egress_encode(s, &v, EGRESS_NO_LIMIT, &out) == 1);
	CHECK_STR(out, "");
	free(out);
	CHECK(egress_decode(s, "AA==", &v, err, sizeof(err)) == -1);
	egress_values_free(&v);
	egress_schema_free(s);
}

static void
test_bad_schemas(void)
{
#define HDR "{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":"
	CHECK(strstr(schema_reason("[]"), "not an object") != NULL);
	CHECK(strstr(schema_reason("{\"version\":0,\"features\":[]}"),
	    "missing cddl_version") != NULL);
	CHECK(strstr(schema_reason("{\"cddl_version\":\"2.0.0\",\"version\":0,"
	    "\"features\":[]}"), "cddl_version") != NULL);
	CHECK(strstr(schema_reason("{\"cddl_version\":\"1.0.0\","
	    "\"features\":[]}"), "missing version") != NULL);
	CHECK(strstr(schema_reason("{\"cddl_version\":\"1.0.0\",\"version\":8,"
	    "\"features\":[]}"), "version 8 out of range") != NULL);
	CHECK(strstr(schema_reason("{\"cddl_version\":\"1.0.0\",\"version\":-1,"
	    "\"features\":[]}"), "out of range") != NULL);
	CHECK(strstr(schema_reason("{\"cddl_version\":\"1.0.0\","
	    "\"version\":\"1\",\"features\":[]}"), "not an integer") != NULL);
	CHECK(strstr(schema_reason("{\"cddl_version\":\"1.0.0\",\"version\":1}"),
	    "missing features") != NULL);
	CHECK(strstr(schema_reason("{\"cddl_version\":\"1.0.0\",\"version\":1,"
	    "\"features\":{}}"), "not an array") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"float-feature\"}]}"),
	    "feature 0: unknown type") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"size\":3}]}"),
	    "feature 0: missing name") != NULL);
	CHECK(strstr(schema_reason(HDR "[3]}"), "not an object") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"boolean-feature\"},"
	    "{\"name\":\"unsigned-integer-feature\"}]}"),
	    "feature 1: missing size") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"unsigned-integer-feature\","
	    "\"size\":0}]}"), "size 0 out of range") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"signed-integer-feature\","
	    "\"size\":65}]}"), "size 65 out of range") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"signed-integer-feature\","
	    "\"size\":2.5}]}"), "not a non-negative integer") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"bucket-feature\"}]}"),
	    "missing size") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"bucket-feature\","
	    "\"size\":0}]}"), "out of range") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"bucket-feature\","
	    "\"size\":2,\"buckets\":3}]}"), "differ") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"boolean-feature\","
	    "\"size\":2}]}"), "size must be 1") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"histogram-feature\","
	    "\"size\":4,\"value\":[{\"name\":\"unsigned-integer-feature\","
	    "\"size\":2},{\"name\":\"signed-integer-feature\",\"size\":3}]}]}"),
	    "not the sum") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"histogram-feature\","
	    "\"value\":[{\"name\":\"unsigned-integer-feature\","
	    "\"size\":2}]}]}"), "missing size") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"histogram-feature\","
	    "\"size\":1,\"value\":[{\"name\":\"boolean-feature\"}]}]}"),
	    "not allowed in a histogram") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"histogram-feature\","
	    "\"size\":0,\"value\":[]}]}"), "no sub-features") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"histogram-feature\","
	    "\"size\":1}]}"), "no value array") != NULL);
	CHECK(strstr(schema_reason(HDR "[{\"name\":\"histogram-feature\","
	    "\"size\":65,\"value\":[{\"name\":\"unsigned-integer-feature\","
	    "\"size\":65}]}]}"), "histogram item 0: size 65") != NULL);
	/* The upper edges are fine. */
	CHECK_STR(schema_reason(HDR "[{\"name\":\"unsigned-integer-feature\","
	    "\"size\":64},{\"name\":\"bucket-feature\",\"size\":65536}]}"),
	    "accepted");
#undef HDR
}

static void
test_bad_payloads(void)
{
	struct egress_schema *s;

	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":["
	    "{\"name\":\"boolean-feature\"},"
	    "{\"name\":\"unsigned-integer-feature\",\"size\":3}]}");
	CHECK(rejected(s, "[]", "not an object"));
	CHECK(rejected(s, "{}", "no features array"));
	CHECK(rejected(s, "{\"features\":{}}", "no features array"));
	CHECK(rejected(s, "{\"features\":["
	    "{\"name\":\"boolean-feature\",\"value\":true}]}",
	    "1 features, schema has 2"));
	CHECK(rejected(s, "{\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"value\":1},"
	    "{\"name\":\"boolean-feature\",\"value\":true}]}",
	    "feature 0 is \"unsigned-integer-feature\""));
	CHECK(rejected(s, "{\"features\":[7,"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":1}]}",
	    "feature 0 is not an object"));
	CHECK(rejected(s, "{\"features\":[{\"value\":true},"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":1}]}",
	    "feature 0 has no name"));
	CHECK(rejected(s, "{\"features\":[{\"name\":\"boolean-feature\"},"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":1}]}",
	    "feature 0 has no value"));
	CHECK(rejected(s, "{\"features\":["
	    "{\"name\":\"boolean-feature\",\"value\":1},"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":1}]}",
	    "not a boolean"));
	CHECK(rejected(s, "{\"features\":["
	    "{\"name\":\"boolean-feature\",\"value\":false},"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":8}]}",
	    "feature 1: 8 out of range for unsigned 3 bits"));
	/* Unsigned 3 = 7, boolean false: 1110 = 0x0e -> 0e 00 -> "DgA=". */
	CHECK_STR(wire(s, "{\"features\":["
	    "{\"name\":\"boolean-feature\",\"value\":false},"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":7}]}",
	    EGRESS_NO_LIMIT), "DgA=");
	egress_schema_free(s);
}

static void
test_load(void)
{
	struct egress_schema *s;
	char path[] = "/tmp/test_egress_XXXXXX", err[300];
	FILE *fp;
	int fd;

	if ((fd = mkstemp(path)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		CHECK(0);
		return;
	}
	fputs("{\"cddl_version\":\"1.0.0\",\"version\":4,\"features\":[\n"
	    "{\"name\":\"bucket-feature\",\"size\":4}]}\n", fp);
	fclose(fp);
	CHECK(egress_schema_load(path, &s, err, sizeof(err)) == 0);
	CHECK(s != NULL && s->version == 4 && s->total_bits == 4);
	egress_schema_free(s);
	fp = fopen(path, "w");
	fputs("{\"cddl_version\":\"1.0.0\",\"version\":4,\"features\":[\n"
	    "{\"name\":\"bucket-feature\",\"size\":-4}]}\n", fp);
	fclose(fp);
	CHECK(egress_schema_load(path, &s, err, sizeof(err)) == -1);
	CHECK(s == NULL && strncmp(err, path, strlen(path)) == 0 &&
	    strstr(err, "feature 0") != NULL);
	fp = fopen(path, "w");
	fputs("{\"cddl_version\":\"1.0.0\",\n\"version\":4,,\n", fp);
	fclose(fp);
	CHECK(egress_schema_load(path, &s, err, sizeof(err)) == -1);
	CHECK(strncmp(err, path, strlen(path)) == 0 &&
	    strstr(err, ":2:") != NULL);
	unlink(path);
	CHECK(egress_schema_load(path, &s, err, sizeof(err)) == -1);
	CHECK(strstr(err, path) != NULL);
}

/* A random valid schema with 1..8 features, built as JSON text. */
static json_t *
random_schema_json(struct rng *r)
{
	static const unsigned edges[] = { 1, 2, 3, 7, 8, 9, 31, 32, 33, 63, 64 };
	json_t *fa, *f, *subs;
	size_t i, j, n, nsub, sum;
	unsigned size;

	fa = json_array();
	n = 1 + rng_below(r, 8);
	for (i = 0; i < n; i++) {
		switch (rng_below(r, 5)) {
		case 0:
			f = json_pack("{s:s}", "name", "boolean-feature");
			break;
		case 1:
		case 2:
			size = rng_below(r, 2) ? edges[rng_below(r, 11)] :
			    1 + (unsigned)rng_below(r, 64);
			f = json_pack("{s:s,s:i}", "name", rng_below(r, 2) ?
			    "signed-integer-feature" :
			    "unsigned-integer-feature", "size", (int)size);
			break;
		case 3:
			f = json_pack("{s:s,s:i}", "name", "bucket-feature",
			    "size", 1 + (int)rng_below(r, 20));
			break;
		default:
			subs = json_array();
			nsub = 1 + rng_below(r, 4);
			sum = 0;
			for (j = 0; j < nsub; j++) {
				size = rng_below(r, 2) ?
				    edges[rng_below(r, 11)] :
				    1 + (unsigned)rng_below(r, 64);
				sum += size;
				json_array_append_new(subs, json_pack(
				    "{s:s,s:i}", "name", rng_below(r, 2) ?
				    "signed-integer-feature" :
				    "unsigned-integer-feature", "size",
				    (int)size));
			}
			f = json_pack("{s:s,s:i,s:o}", "name",
			    "histogram-feature", "size", (int)sum, "value",
			    subs);
			break;
		}
		json_array_append_new(fa, f);
	}
	return json_pack("{s:s,s:i,s:o}", "cddl_version", "1.0.0", "version",
	    (int)rng_below(r, 8), "features", fa);
}

static void
test_roundtrip(void)
{
	struct egress_schema *s;
	struct egress_values v, w;
	struct rng r;
	uint64_t seed = 20240601;
	json_t *sj, *pj, *back;
	char err[200], *out, *out2;
	size_t k, nbytes, bad_rt = 0, bad_json = 0, bad_len = 0, over64 = 0;
	int i;

	rng_init(&r, &seed, "egress-roundtrip", 16);
	for (i = 0; i < 10000; i++) {
		sj = random_schema_json(&r);
		if (egress_schema_parse(sj, &s, err, sizeof(err)) != 0) {
			fprintf(stderr, "random schema rejected: %s\n", err);
			CHECK(0);
			json_decref(sj);
			continue;
		}
		if (s->total_bits > 64)
			over64++;
		egress_values_init(&v, s);
		egress_values_init(&w, s);
		/* Full-range values: encode, decode, compare. */
		egress_values_random(s, &r, &v);
		if (egress_encode(s, &v, EGRESS_NO_LIMIT, &out) != 0)
			bad_rt++;
		nbytes = (s->total_bits + 7) / 8 + 1;
		if (strlen(out) != 4 * ((nbytes + 2) / 3))
			bad_len++;
		if (egress_decode(s, out, &w, err, sizeof(err)) != 0 ||
		    memcmp(v.raw, w.raw, s->nleaves * sizeof(*v.raw)) != 0)
			bad_rt++;
		free(out);
		/* JSON payloads: validate, encode, decode, rebuild, compare. */
		pj = egress_payload_random(s, &r);
		if (egress_payload_validate(s, pj, NULL, err, sizeof(err)) != 0)
			bad_json++;	/* validation alone, values dropped */
		if (egress_payload_wire(s, pj, EGRESS_NO_LIMIT, &out, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "random payload rejected: %s\n", err);
			bad_json++;
		} else {
			back = NULL;
			if (egress_decode(s, out, &w, err, sizeof(err)) != 0 ||
			    (back = egress_values_to_json(s, &w, err,
			    sizeof(err))) == NULL || !json_equal(back, pj))
				bad_json++;
			/* Re-encoding what was decoded gives the same text. */
			if (egress_encode(s, &w, EGRESS_NO_LIMIT, &out2) != 0 ||
			    strcmp(out, out2) != 0)
				bad_json++;
			free(out2);
			json_decref(back);
		}
		free(out);
		for (k = 0; k < s->nleaves; k++)
			if (s->leaves[k].width < 64 &&
			    (v.raw[k] >> s->leaves[k].width) != 0)
				bad_rt++;
		json_decref(pj);
		egress_values_free(&v);
		egress_values_free(&w);
		egress_schema_free(s);
		json_decref(sj);
	}
	CHECK(bad_rt == 0);
	CHECK(bad_json == 0);
	CHECK(bad_len == 0);
	CHECK(over64 > 1000);		/* many payloads beyond 64 bits */
}

static void
test_noise(void)
{
	struct egress_schema *s;
	struct egress_values v, orig;
	struct rng r;
	uint64_t seed = 7, counts[16] = { 0 };
	unsigned long chosen = 0, changed_unchosen = 0, top = 0, neg = 0;
	double chi2 = 0, e;
	int i, k;

	/*
	 * Unsigned 4 (16 values) and a boolean.  Every payload starts as
	 * (5, true); a chosen one gets uniform values.
	 */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"size\":4},"
	    "{\"name\":\"boolean-feature\"}]}");
	if (s == NULL) {
		CHECK(0);
		return;
	}
	egress_values_init(&v, s);
	egress_values_init(&orig, s);
	orig.raw[0] = 5;
	orig.raw[1] = 1;
	rng_init(&r, &seed, "egress-noise", 12);
	for (i = 0; i < 100000; i++) {
		v.raw[0] = orig.raw[0];
		v.raw[1] = orig.raw[1];
		if (egress_noise(&v, s, &r, 0.01)) {
			chosen++;
			counts[v.raw[0]]++;
		} else if (v.raw[0] != 5 || v.raw[1] != 1)
			changed_unchosen++;
	}
	/*
	 * Chosen ~ Binomial(100000, 0.01): mean 1000, sd sqrt(990) = 31.5.
	 * Its exact 0.05% and 99.95% quantiles are 898 and 1105 (python3:
	 * cumulative sums of the pmf via math.lgamma); the normal
	 * approximation 1000 +- 3.29 * 31.5 = [896.5, 1103.5] agrees.
	 */
	CHECK(chosen >= 898 && chosen <= 1105);
	CHECK(changed_unchosen == 0);
	/*
	 * Chi-square of the 16 replaced values against uniform, 15 degrees
	 * of freedom.  99.9% critical value: 37.697 (standard table);
	 * Wilson-Hilferty: 15 * (1 - 2/135 + 3.0902 * sqrt(2/135))^3
	 * = 37.84, so the table value is the stricter one.
	 */
	e = chosen / 16.0;
	for (k = 0; k < 16; k++)
		chi2 += (counts[k] - e) * (counts[k] - e) / e;
	CHECK(chi2 < 37.697);
	egress_values_free(&v);
	egress_values_free(&orig);
	egress_schema_free(s);

	/*
	 * 64-bit sizes cover their whole range: with p = 1 over 10000
	 * payloads, the top bit of an unsigned 64 and the sign of a signed
	 * 64 are each Binomial(10000, 1/2): 5000 +- 3.29 * 50 -> [4836,
	 * 5164] at 99.9%.
	 */
	s = schema("{\"cddl_version\":\"1.0.0\",\"version\":0,\"features\":["
	    "{\"name\":\"unsigned-integer-feature\",\"size\":64},"
	    "{\"name\":\"signed-integer-feature\",\"size\":64}]}");
	egress_values_init(&v, s);
	chosen = 0;
	for (i = 0; i < 10000; i++) {
		chosen += (unsigned long)egress_noise(&v, s, &r, 1.0);
		top += v.raw[0] >> 63;
		neg += v.raw[1] >> 63;
	}
	CHECK(chosen == 10000);
	CHECK(top >= 4836 && top <= 5164);
	CHECK(neg >= 4836 && neg <= 5164);
	CHECK(egress_noise(&v, s, &r, 0.0) == 0);
	egress_values_free(&v);
	egress_schema_free(s);
}

int
main(void)
{
	CHECK(rng_global_init() == 0);
	test_spec_vector();
	test_signed();
	test_unsigned_bucket_histogram();
	test_wide_and_empty();
	test_bad_schemas();
	test_bad_payloads();
	test_load();
	test_roundtrip();
	test_noise();
	return unit_report();
}
