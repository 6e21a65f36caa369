#ifndef ADSIG_FRAME_H
#define ADSIG_FRAME_H
#include <stddef.h>

/*
 * The B&A request framing (data-plane-shared-libraries
 * src/communication/encoding_utils.cc):
 *
 *   byte 0     (format_version << 5) | compression
 *   bytes 1-4  data length, big-endian
 *   data, then zero bytes up to the smallest bucket >= 5 + length
 *   among 1024, 2048, ..., 65536 (a larger frame is an error).
 *
 * Format version is 0.  Compression 2 (gzip) says the buyer inputs
 * inside are gzip-compressed; 0 is none, 1 brotli.  frame_unwrap
 * checks the version, the compression id (0..2) and that the length
 * fits in the buffer; like the servers it does not look at the
 * padding, whose content and size carry no meaning.
 *
 * Functions never print or exit; they return 0, or -1 after writing a
 * short lowercase reason to err (errlen bytes, err may be NULL).
 */

#define FRAME_VERSION		0
#define FRAME_UNCOMPRESSED	0
#define FRAME_BROTLI		1
#define FRAME_GZIP		2
#define FRAME_HDR_LEN		5
#define FRAME_MIN		1024
#define FRAME_MAX		65536

/* The framed size of datalen bytes, or 0 when above FRAME_MAX. */
size_t	frame_size(size_t datalen);

/*
 * Frames data into out, which holds frame_size(datalen) bytes; data
 * may already sit at out + FRAME_HDR_LEN (memmove semantics).  Returns
 * the frame size, or 0 (and err) when too large.
 */
size_t	frame_wrap(unsigned char *out, unsigned compression,
	    const void *data, size_t datalen, char *err, size_t errlen);

/* Finds the data of a frame: *data points into buf. */
int	frame_unwrap(const unsigned char *buf, size_t len,
	    unsigned *compression, const unsigned char **data, size_t *datalen,
	    char *err, size_t errlen);

#endif
