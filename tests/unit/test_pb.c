/*
 * pb: protobuf encoding and decoding of the auction-input messages.
 * Expected bytes are worked by hand from the protobuf encoding rules
 * (tag = field << 3 | wire type; varints little-endian base 128); the
 * long varints were computed with a separate three-line python3 varint
 * encoder: 1685580000000 -> 80d696a38731, -5 as int64 ->
 * fbffffffffffffffff01.
 */
#include <stdint.h>
#include <string.h>

#include "pb.h"
#include "testhex.h"
#include "unit.h"

static char hex[1024];

static const char *
enc_bi(const struct pb_buyer_input *m)
{
	unsigned char buf[256];
	size_t n = pb_buyer_input_size(m);

	if (pb_buyer_input_encode(m, buf) != n)
		return "size mismatch";
	return th_hex(hex, buf, n);
}

static const char *
enc_pai(const struct pb_pai *m)
{
	unsigned char buf[256];
	size_t n = pb_pai_size(m);

	if (pb_pai_encode(m, buf) != n)
		return "size mismatch";
	return th_hex(hex, buf, n);
}

#define B(s) ((struct pb_bytes){ (const unsigned char *)(s), sizeof(s) - 1 })

int
main(void)
{
	struct pb_buyer_input bi;
	struct pb_pai pai;
	struct pb_entry ents[2];
	unsigned char buf[256];
	char err[128];
	size_t n;

	/* BuyerInput{pas{signals 01 02 03, version 1}}:
	 * pas = 0a 03 010203 (field 1, len 3) 10 01 (field 2 varint 1);
	 * outer = 12 (field 2, len) 07 + pas. */
	memset(&bi, 0, sizeof(bi));
	bi.has_app_signals = 1;
	bi.app_signals.app_install_signals = B("\x01\x02\x03");
	bi.app_signals.encoding_version = 1;
	CHECK_STR(enc_bi(&bi), "12070a03010203" "1001");
	/* version 300 = 0b10_0101100 -> ac 02 */
	bi.app_signals.encoding_version = 300;
	CHECK_STR(enc_bi(&bi), "12080a03010203" "10ac02");
	/* version -1: int32 is sign-extended, ten bytes ff..ff 01 */
	bi.app_signals.app_install_signals = B("");
	bi.app_signals.encoding_version = -1;
	CHECK_STR(enc_bi(&bi), "120b" "10ffffffffffffffffff01");
	/* defaults omitted: an empty ProtectedAppSignals is 12 00 */
	bi.app_signals.encoding_version = 0;
	CHECK_STR(enc_bi(&bi), "1200");
	bi.has_app_signals = 0;
	CHECK(pb_buyer_input_size(&bi) == 0);

	/* Decode them back. */
	n = th_unhex(buf, sizeof(buf), "120b10ffffffffffffffffff01");
	CHECK(pb_buyer_input_decode(&bi, buf, n, err, sizeof(err)) == 0);
	CHECK(bi.has_app_signals && bi.app_signals.encoding_version == -1);
	CHECK(bi.app_signals.app_install_signals.len == 0);
	/* Unknown fields (varint 15, fixed32 9, fixed64 10, bytes 11) are
	 * skipped, inside and outside; two pas fields merge. */
	n = th_unhex(buf, sizeof(buf), "7805" "4d01020304"
	    "510102030405060708" "5a01ff"
	    "12090a030102037805" "1007"
	    "1202" "1009");
	CHECK(pb_buyer_input_decode(&bi, buf, n, err, sizeof(err)) == 0);
	CHECK(bi.has_app_signals && bi.app_signals.encoding_version == 9);
	CHECK(bi.app_signals.app_install_signals.len == 3 &&
	    memcmp(bi.app_signals.app_install_signals.p, "\1\2\3", 3) == 0);
	CHECK(pb_buyer_input_decode(&bi, buf, 0, err, sizeof(err)) == 0);
	CHECK(!bi.has_app_signals);

	/* Malformed input: every error stays inside the buffer. */
#define BAD_BI(h, msg) do {						\
	n = th_unhex(buf, sizeof(buf), h);				\
	CHECK(pb_buyer_input_decode(&bi, buf, n, err, sizeof(err)) == -1); \
	CHECK_STR(err, msg);						\
} while (0)
	BAD_BI("1208", "protobuf: field 2 runs past the end of its message");
	BAD_BI("12030a0501", "protobuf: field 1 runs past the end of its "
	    "message");
	BAD_BI("12021080", "protobuf: truncated varint");
	BAD_BI("78ffffffffffffffffffff01", "protobuf: varint longer than 10 "
	    "bytes");
	BAD_BI("0b", "protobuf: unsupported wire type 3 (field 1)");
	BAD_BI("0201", "protobuf: invalid field number");
	BAD_BI("4d0102", "protobuf: field 9 runs past the end of its message");
	BAD_BI("80", "protobuf: truncated varint");

	/* ProtectedAuctionInput, worked by hand:
	 *  entry "a" -> 1f 8b: 0a 07 | 0a 01 61 | 12 02 1f 8b
	 *  entry "bc" -> "":   0a 06 | 0a 02 62 63 | 12 00
	 *  publisher "p": 12 01 70; generation "g1": 22 02 67 31
	 *  egress true: 30 01; timestamp 1000 = 0x3e8 -> 38 e8 07 */
	ents[0].key = B("a");
	ents[0].value = B("\x1f\x8b");
	ents[1].key = B("bc");
	ents[1].value = B("");
	memset(&pai, 0, sizeof(pai));
	pai.buyer_input = ents;
	pai.nbuyer_input = 2;
	pai.publisher_name = B("p");
	pai.generation_id = B("g1");
	pai.enable_unlimited_egress = 1;
	pai.request_timestamp_ms = 1000;
	CHECK_STR(enc_pai(&pai), "0a070a0161" "12021f8b" "0a060a026263" "1200"
	    "120170" "22026731" "3001" "38e807");
	pai.request_timestamp_ms = 1685580000000;
	pai.enable_unlimited_egress = 0;
	pai.nbuyer_input = 0;
	CHECK_STR(enc_pai(&pai), "120170" "22026731" "3880d696a38731");
	pai.request_timestamp_ms = -5;
	CHECK_STR(enc_pai(&pai), "120170" "22026731" "38fbffffffffffffffff01");
	memset(&pai, 0, sizeof(pai));
	CHECK(pb_pai_size(&pai) == 0);

	/* Decode: fields in any order, unknown ones skipped. */
	n = th_unhex(buf, sizeof(buf), "38e807" "0a070a016112021f8b"
	    "2a03787878" "120170" "0a060a02626312007805" "22026731" "3001"
	    "0a00");
	CHECK(pb_pai_decode(&pai, buf, n, err, sizeof(err)) == 0);
	CHECK(pai.nbuyer_input == 3);
	CHECK(pai.buyer_input[0].key.len == 1 &&
	    memcmp(pai.buyer_input[0].key.p, "a", 1) == 0);
	CHECK(pai.buyer_input[0].value.len == 2 &&
	    memcmp(pai.buyer_input[0].value.p, "\x1f\x8b", 2) == 0);
	CHECK(pai.buyer_input[1].key.len == 2 &&
	    pai.buyer_input[1].value.len == 0);
	CHECK(pai.buyer_input[2].key.len == 0);	/* an empty entry */
	CHECK(pai.publisher_name.len == 1 && pai.publisher_name.p[0] == 'p');
	CHECK(pai.generation_id.len == 2 &&
	    memcmp(pai.generation_id.p, "g1", 2) == 0);
	CHECK(pai.enable_unlimited_egress == 1);
	CHECK(pai.request_timestamp_ms == 1000);
	pb_pai_clear(&pai);
	pb_pai_clear(NULL);
	n = th_unhex(buf, sizeof(buf), "38fbffffffffffffffff01");
	CHECK(pb_pai_decode(&pai, buf, n, err, sizeof(err)) == 0);
	CHECK(pai.request_timestamp_ms == -5 && pai.buyer_input == NULL);
	pb_pai_clear(&pai);

	/* Many entries grow the array. */
	for (n = 0; n < 20 * 4; n += 4)
		memcpy(buf + n, "\x0a\x02\x12\x00", 4);
	CHECK(pb_pai_decode(&pai, buf, n, err, sizeof(err)) == 0);
	CHECK(pai.nbuyer_input == 20);
	pb_pai_clear(&pai);

#define BAD_PAI(h, msg) do {						\
	n = th_unhex(buf, sizeof(buf), h);				\
	CHECK(pb_pai_decode(&pai, buf, n, err, sizeof(err)) == -1);	\
	CHECK_STR(err, msg);						\
	CHECK(pai.buyer_input == NULL);					\
} while (0)
	BAD_PAI("0a040a0561", "protobuf: field 1 runs past the end of its "
	    "message");
	BAD_PAI("0a020a00" "0a030a01ff", "protobuf: a buyer_input key is not "
	    "UTF-8");
	BAD_PAI("1202c328", "protobuf: publisher_name is not UTF-8");
	BAD_PAI("2203eda080", "protobuf: generation_id is not UTF-8");
	BAD_PAI("3080", "protobuf: truncated varint");
	BAD_PAI("0a00" "0f", "protobuf: unsupported wire type 7 (field 1)");

	/* UTF-8 edge cases. */
	CHECK(pb_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	CHECK(!pb_utf8_valid("\xc0\xaf", 2));		/* overlong '/' */
	CHECK(!pb_utf8_valid("\xe0\x80\xaf", 3));	/* overlong */
	CHECK(!pb_utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	CHECK(!pb_utf8_valid("\xe2\x82", 2));		/* truncated */
	CHECK(pb_utf8_valid("", 0));
	return unit_report();
}
