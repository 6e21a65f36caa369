/*
 * Opening a sealed auction input: arbitrary bytes must be refused with
 * an error, never crash or leak.  Half the inputs are sealed for real
 * and then damaged, so the fuzzer reaches the framing, protobuf and
 * gzip layers behind the decryption.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gz.h"
#include "ohttp.h"
#include "pai.h"
#include "pb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char sk[32], pk[32];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct pai_opened o;
	struct pb_buyer_input bi;
	struct pb_pai m;
	char err[256];
	unsigned char *out = NULL;
	size_t outlen;

	if (!init) {
		if (sodium_init() < 0)
			abort();
		memset(sk, 0x42, sizeof(sk));
		crypto_scalarmult_base(pk, sk);
		init = 1;
	}
	if (pai_open(sk, -1, data, size, &o, err, sizeof(err)) == 0)
		pai_opened_free(&o);
	/* the layers inside, on the same bytes */
	if (pb_pai_decode(&m, data, size, err, sizeof(err)) == 0)
		pb_pai_clear(&m);
	pb_buyer_input_decode(&bi, data, size, err, sizeof(err));
	if (gz_decompress(data, size, 1 << 20, &out, &outlen, err,
	    sizeof(err)) == 0)
		free(out);
	return 0;
}
