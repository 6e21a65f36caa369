/*
 * The co-process answer judge (encoder.h, the encodeSignals protocol of
 * udf.h) on arbitrary answer lines: refused with a reason or accepted
 * with a payload of at most maxSize bytes, never a crash or a write
 * past the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoder.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 0, 1, 16, 1536 };
	unsigned char *out;
	size_t i, outlen;
	char err[256];

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* exactly max_size bytes, so ASan sees any overrun */
		out = malloc(sizes[i] > 0 ? sizes[i] : 1);
		if (out == NULL)
			abort();
		outlen = (size_t)-1;
		if (encoder_answer((const char *)data, size, sizes[i], out,
		    &outlen, err, sizeof(err)) == 0 && outlen > sizes[i])
			abort();
		free(out);
	}
	return 0;
}
