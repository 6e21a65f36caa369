#include "frame.h"
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

size_t
frame_size(size_t datalen)
{
	size_t b;

	if (datalen > FRAME_MAX - FRAME_HDR_LEN)
		return 0;
	for (b = FRAME_MIN; b < FRAME_HDR_LEN + datalen; b *= 2)
		;
	return b;
}

size_t
frame_wrap(unsigned char *out, unsigned compression, const void *data,
    size_t datalen, char *err, size_t errlen)
{
	size_t total = frame_size(datalen);

	if (total == 0) {
		diag_errf(err, errlen, "frame: %zu bytes do not fit in the "
		    "largest frame (%d bytes)", datalen, FRAME_MAX);
		return 0;
	}
	memmove(out + FRAME_HDR_LEN, data, datalen);
	out[0] = (unsigned char)(FRAME_VERSION << 5 | (compression & 0x1f));
	out[1] = (unsigned char)(datalen >> 24);
	out[2] = (unsigned char)(datalen >> 16);
	out[3] = (unsigned char)(datalen >> 8);
	out[4] = (unsigned char)datalen;
	memset(out + FRAME_HDR_LEN + datalen, 0,
	    total - FRAME_HDR_LEN - datalen);
	return total;
}

int
frame_unwrap(const unsigned char *buf, size_t len, unsigned *compression,
    const unsigned char **data, size_t *datalen, char *err, size_t errlen)
{
	size_t n;

	if (len < FRAME_HDR_LEN) {
		diag_errf(err, errlen, "frame: %zu bytes, shorter than its header",
		    len);
		return -1;
	}
	if (buf[0] >> 5 != FRAME_VERSION) {
		diag_errf(err, errlen, "frame: unsupported format version %u",
		    (unsigned)(buf[0] >> 5));
		return -1;
	}
	if ((buf[0] & 0x1f) > FRAME_GZIP) {
		diag_errf(err, errlen, "frame: unknown compression %u",
		    (unsigned)(buf[0] & 0x1f));
		return -1;
	}
	n = (size_t)buf[1] << 24 | (size_t)buf[2] << 16 |
	    (size_t)buf[3] << 8 | buf[4];
	if (n > len - FRAME_HDR_LEN) {
		diag_errf(err, errlen, "frame: length %zu runs past the %zu bytes "
		    "of the frame", n, len);
		return -1;
	}
	*compression = buf[0] & 0x1f;
	*data = buf + FRAME_HDR_LEN;
	*datalen = n;
	return 0;
}
