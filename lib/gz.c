#include "gz.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "xalloc.h"
#include "diag.h"

struct gz_deflater {
	z_stream	z;
};

struct gz_deflater *
gz_deflater_new(char *err, size_t errlen)
{
	struct gz_deflater *d = xcalloc(1, sizeof(*d));

	/* windowBits 15 + 16: a gzip wrapper with a zero mtime, no name */
	if (deflateInit2(&d->z, GZ_LEVEL, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		diag_errf(err, errlen, "gzip: cannot initialise zlib");
		free(d);
		return NULL;
	}
	return d;
}

void
gz_deflater_free(struct gz_deflater *d)
{
	if (d == NULL)
		return;
	deflateEnd(&d->z);
	free(d);
}

int
gz_deflater_compress(struct gz_deflater *d, const void *in, size_t inlen,
    unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	z_stream *z = &d->z;
	unsigned char *buf;
	size_t cap;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (inlen > UINT_MAX / 2) {
		diag_errf(err, errlen, "gzip: input too large");
		return -1;
	}
	if (deflateReset(z) != Z_OK) {
		diag_errf(err, errlen, "gzip: cannot reset zlib");
		return -1;
	}
	cap = deflateBound(z, (uLong)inlen);
	buf = xmalloc(cap);
	z->next_in = (unsigned char *)(uintptr_t)in;	/* not const */
	z->avail_in = (uInt)inlen;
	z->next_out = buf;
	z->avail_out = (uInt)cap;
	rc = deflate(z, Z_FINISH);	/* one call: deflateBound */
	if (rc != Z_STREAM_END) {
		free(buf);
		diag_errf(err, errlen, "gzip: compression failed");
		return -1;
	}
	*out = buf;
	*outlen = cap - z->avail_out;
	return 0;
}

int
gz_compress(const void *in, size_t inlen, unsigned char **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct gz_deflater *d;
	int rv;

	*out = NULL;
	*outlen = 0;
	if ((d = gz_deflater_new(err, errlen)) == NULL)
		return -1;
	rv = gz_deflater_compress(d, in, inlen, out, outlen, err, errlen);
	gz_deflater_free(d);
	return rv;
}

int
gz_decompress(const void *in, size_t inlen, size_t maxout,
    unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	const unsigned char *src = in;
	z_stream z;
	unsigned char *buf;
	size_t cap, have;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (inlen < 2 || src[0] != 0x1f || src[1] != 0x8b) {
		diag_errf(err, errlen, "gzip: not gzip data");
		return -1;
	}
	if (inlen > UINT_MAX || maxout > UINT_MAX / 2) {
		diag_errf(err, errlen, "gzip: input too large");
		return -1;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK) {	/* gzip only */
		diag_errf(err, errlen, "gzip: cannot initialise zlib");
		return -1;
	}
	/* One byte beyond the limit tells "too large" from "exactly full". */
	cap = inlen < 64 ? 256 : 4 * inlen;
	if (cap > maxout + 1)
		cap = maxout + 1;
	buf = xmalloc(cap);
	z.next_in = (unsigned char *)(uintptr_t)src;
	z.avail_in = (uInt)inlen;
	have = 0;
	for (;;) {
		z.next_out = buf + have;
		z.avail_out = (uInt)(cap - have);
		rc = inflate(&z, Z_NO_FLUSH);
		have = cap - z.avail_out;
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR ||
		    rc == Z_MEM_ERROR) {
			diag_errf(err, errlen, "gzip: corrupt data (%s)",
			    z.msg != NULL ? z.msg : "invalid stream");
			goto fail;
		}
		if (have > maxout) {
			diag_errf(err, errlen, "gzip: decompressed data exceeds "
			    "%zu bytes", maxout);
			goto fail;
		}
		if (z.avail_in == 0 && z.avail_out > 0) {
			diag_errf(err, errlen, "gzip: truncated data");
			goto fail;
		}
		if (z.avail_out == 0) {	/* grow, up to maxout + 1 */
			cap = cap > (maxout + 1) / 2 ? maxout + 1 : 2 * cap;
			buf = xrealloc(buf, cap);
		}
	}
	if (have > maxout) {
		diag_errf(err, errlen, "gzip: decompressed data exceeds %zu bytes",
		    maxout);
		goto fail;
	}
	if (z.avail_in != 0) {
		diag_errf(err, errlen, "gzip: %u bytes of trailing data after the "
		    "gzip stream", z.avail_in);
		goto fail;
	}
	inflateEnd(&z);
	*out = buf;
	*outlen = have;
	return 0;
fail:
	inflateEnd(&z);
	free(buf);
	return -1;
}
