/* gz: deterministic gzip, bounded gunzip, clear errors. */
#include <stdlib.h>
#include <string.h>

#include "gz.h"
#include "testhex.h"
#include "unit.h"

/* Made by python3: gzip.compress(b"hello, hello, hello gzip\n",
 * compresslevel=9, mtime=0). */
static const char *PYGZ = "1f8b0800000000000203cb48cdc9c9d751c840a214d2ab"
    "320bb8002a0844a619000000";
/* python3: zlib.compressobj(6, zlib.DEFLATED, 31) over b"abc" * 10, the
 * same parameters through another binding (same zlib underneath). */
static const char *ABC10 = "1f8b08000000000000034b4c4a4ec48d0081fcb1481e"
    "000000";

int
main(void)
{
	unsigned char in[512], *big, *z, *z2, *out;
	size_t n, zn, zn2, on, i;
	char hex[256], err[128];

	n = th_unhex(in, sizeof(in), PYGZ);
	CHECK(gz_decompress(in, n, 1000, &out, &on, err, sizeof(err)) == 0);
	CHECK(on == 25 && memcmp(out, "hello, hello, hello gzip\n", 25) == 0);
	free(out);
	/* Exactly at the limit is fine, one byte under it is not. */
	CHECK(gz_decompress(in, n, 25, &out, &on, err, sizeof(err)) == 0);
	free(out);
	CHECK(gz_decompress(in, n, 24, &out, &on, err, sizeof(err)) == -1);
	CHECK_STR(err, "gzip: decompressed data exceeds 24 bytes");
	CHECK(out == NULL);

	/* Header: 1f 8b, deflate, no flags, mtime 0, xfl 0, OS 3. */
	for (i = 0; i < 30; i++)
		in[i] = "abc"[i % 3];
	CHECK(gz_compress(in, 30, &z, &zn, err, sizeof(err)) == 0);
	CHECK_STR(th_hex(hex, z, zn), ABC10);
	free(z);

	/* 200 KB of mixed data: deterministic, round trip. */
	big = malloc(200000);
	for (i = 0; i < 200000; i++)
		big[i] = (unsigned char)((i * 2654435761u) >> 13 ^ i / 1000);
	CHECK(gz_compress(big, 200000, &z, &zn, err, sizeof(err)) == 0);
	CHECK(gz_compress(big, 200000, &z2, &zn2, err, sizeof(err)) == 0);
	CHECK(zn == zn2 && memcmp(z, z2, zn) == 0);
	free(z2);
	CHECK(gz_decompress(z, zn, 200000, &out, &on, err, sizeof(err)) == 0);
	CHECK(on == 200000 && memcmp(out, big, on) == 0);
	free(out);

	/* Truncated, trailing garbage, a bad checksum, not gzip. */
	CHECK(gz_decompress(z, zn - 5, 200000, &out, &on, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "gzip: truncated data");
	CHECK(gz_decompress(z, zn / 2, 200000, &out, &on, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "gzip: truncated data");
	z2 = malloc(zn + 2);
	memcpy(z2, z, zn);
	memcpy(z2 + zn, "xx", 2);
	CHECK(gz_decompress(z2, zn + 2, 200000, &out, &on, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "gzip: 2 bytes of trailing data after the gzip stream");
	z2[zn - 6] ^= 0xff;		/* inside the CRC-32 */
	CHECK(gz_decompress(z2, zn, 200000, &out, &on, err, sizeof(err)) ==
	    -1);
	CHECK_STR(err, "gzip: corrupt data (incorrect data check)");
	CHECK(out == NULL);
	free(z2);
	CHECK(gz_decompress("BZh9", 4, 100, &out, &on, err, sizeof(err)) == -1);
	CHECK_STR(err, "gzip: not gzip data");
	CHECK(gz_decompress("", 0, 100, &out, &on, err, sizeof(err)) == -1);
	CHECK(gz_decompress("\x1f\x8b\x08", 3, 100, &out, &on, err,
	    sizeof(err)) == -1);
	free(z);

	/* A bomb: 10 MB of zeros stops at the 1 MiB limit. */
	big = realloc(big, 10000000);
	memset(big, 0, 10000000);
	CHECK(gz_compress(big, 10000000, &z, &zn, err, sizeof(err)) == 0);
	CHECK(zn < 20000);
	CHECK(gz_decompress(z, zn, 1 << 20, &out, &on, err, sizeof(err)) ==
	    -1);
	CHECK_STR(err, "gzip: decompressed data exceeds 1048576 bytes");
	free(z);
	free(big);

	/* A reused deflater gives gz_compress's bytes, call after call. */
	{
		struct gz_deflater *d = gz_deflater_new(err, sizeof(err));
		unsigned char msg[100];

		CHECK(d != NULL);
		for (i = 0; i < 3; i++) {
			memset(msg, 'a' + (int)i, sizeof(msg));
			CHECK(gz_deflater_compress(d, msg, sizeof(msg) - i, &z,
			    &zn, err, sizeof(err)) == 0);
			CHECK(gz_compress(msg, sizeof(msg) - i, &z2, &zn2, err,
			    sizeof(err)) == 0);
			CHECK(zn == zn2 && memcmp(z, z2, zn) == 0);
			free(z);
			free(z2);
		}
		gz_deflater_free(d);
		gz_deflater_free(NULL);
	}

	/* Empty input. */
	CHECK(gz_compress("", 0, &z, &zn, err, sizeof(err)) == 0);
	CHECK(gz_decompress(z, zn, 0, &out, &on, err, sizeof(err)) == 0);
	CHECK(on == 0);
	free(out);
	free(z);
	return unit_report();
}
