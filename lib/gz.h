#ifndef ADSIG_GZ_H
#define ADSIG_GZ_H
#include <stddef.h>

/*
 * In-memory gzip (RFC 1952) with zlib.
 *
 * gz_compress is deterministic: level 6, no name, mtime 0, OS byte 3
 * (zlib's Unix code), so the same input gives the same bytes on every
 * run (for a given zlib).  gz_decompress reads exactly one gzip member
 * and refuses anything after it, a truncated stream, a bad checksum, or
 * an output larger than the caller's limit (a zip bomb stops there).
 *
 * Both return 0 and a new buffer *out of *outlen bytes (caller frees;
 * allocation via xmalloc, which exits 71 on failure), or -1 with *out
 * NULL after writing a short lowercase reason to err (errlen bytes, err
 * may be NULL).  They never print or exit otherwise.
 */

#define GZ_LEVEL	6

int	gz_compress(const void *in, size_t inlen, unsigned char **out,
	    size_t *outlen, char *err, size_t errlen);

/*
 * A reusable compressor: setting up zlib's deflate state (about 256 KB)
 * costs far more than compressing a small payload, so a loop keeps one
 * and resets it between calls.  The output is identical to
 * gz_compress's.  Not to be shared between threads without a lock.
 * gz_deflater_new returns NULL (and err) if zlib cannot initialise;
 * gz_deflater_free is NULL-safe.
 */
struct gz_deflater;

struct gz_deflater	*gz_deflater_new(char *err, size_t errlen);
int	gz_deflater_compress(struct gz_deflater *d, const void *in,
	    size_t inlen, unsigned char **out, size_t *outlen, char *err,
	    size_t errlen);
void	gz_deflater_free(struct gz_deflater *d);
int	gz_decompress(const void *in, size_t inlen, size_t maxout,
	    unsigned char **out, size_t *outlen, char *err, size_t errlen);

#endif
