/* frame: the B&A request framing, buckets and checks (worked by hand). */
#include <string.h>

#include "frame.h"
#include "unit.h"

int
main(void)
{
	static unsigned char buf[FRAME_MAX + 16];
	const unsigned char *d;
	unsigned comp;
	size_t n, dlen, i;
	char err[128];
	int zero;

	/* Buckets: 5 + len rounded up to 1024, 2048, ..., 65536. */
	CHECK(frame_size(0) == 1024);
	CHECK(frame_size(1019) == 1024);	/* 5 + 1019 = 1024 */
	CHECK(frame_size(1020) == 2048);
	CHECK(frame_size(4091) == 4096);
	CHECK(frame_size(4092) == 8192);
	CHECK(frame_size(65531) == 65536);
	CHECK(frame_size(65532) == 0);

	/* "abc" with gzip: 42 00 00 00 03 61 62 63, then 1016 zeros. */
	memset(buf, 0xee, sizeof(buf));
	n = frame_wrap(buf, FRAME_GZIP, "abc", 3, err, sizeof(err));
	CHECK(n == 1024);
	CHECK(memcmp(buf, "\x02\x00\x00\x00\x03" "abc", 8) == 0);
	for (zero = 1, i = 8; i < 1024; i++)
		if (buf[i] != 0)
			zero = 0;
	CHECK(zero);
	CHECK(buf[1024] == 0xee);		/* nothing written beyond */
	CHECK(frame_unwrap(buf, n, &comp, &d, &dlen, err, sizeof(err)) == 0);
	CHECK(comp == FRAME_GZIP && dlen == 3 && d == buf + 5);
	CHECK(memcmp(d, "abc", 3) == 0);

	/* 300 bytes: length 00 00 01 2c; data already in place. */
	for (i = 0; i < 300; i++)
		buf[5 + i] = (unsigned char)i;
	n = frame_wrap(buf, FRAME_UNCOMPRESSED, buf + 5, 300, err, sizeof(err));
	CHECK(n == 1024 && memcmp(buf, "\x00\x00\x00\x01\x2c", 5) == 0);
	CHECK(buf[5 + 299] == (unsigned char)299);

	/* Too large. */
	CHECK(frame_wrap(buf, 2, buf, 65532, err, sizeof(err)) == 0);
	CHECK_STR(err, "frame: 65532 bytes do not fit in the largest frame "
	    "(65536 bytes)");
	CHECK(frame_wrap(buf, 2, buf + 5, 65531, err, sizeof(err)) == 65536);

	/* Checks on the way back. */
	n = frame_wrap(buf, FRAME_GZIP, "abc", 3, err, sizeof(err));
	CHECK(frame_unwrap(buf, 4, &comp, &d, &dlen, err, sizeof(err)) == -1);
	CHECK_STR(err, "frame: 4 bytes, shorter than its header");
	CHECK(frame_unwrap(buf, 7, &comp, &d, &dlen, err, sizeof(err)) == -1);
	CHECK_STR(err, "frame: length 3 runs past the 7 bytes of the frame");
	CHECK(frame_unwrap(buf, 8, &comp, &d, &dlen, err, sizeof(err)) == 0);
	buf[0] = 1 << 5 | 2;
	CHECK(frame_unwrap(buf, n, &comp, &d, &dlen, err, sizeof(err)) == -1);
	CHECK_STR(err, "frame: unsupported format version 1");
	buf[0] = 3;
	CHECK(frame_unwrap(buf, n, &comp, &d, &dlen, err, sizeof(err)) == -1);
	CHECK_STR(err, "frame: unknown compression 3");
	buf[0] = 2;
	buf[1] = 0xff;			/* 4 GB length */
	CHECK(frame_unwrap(buf, n, &comp, &d, &dlen, err, sizeof(err)) == -1);
	buf[1] = 0;
	buf[100] = 0x55;		/* padding is not inspected */
	CHECK(frame_unwrap(buf, n, &comp, &d, &dlen, err, sizeof(err)) == 0);
	return unit_report();
}
