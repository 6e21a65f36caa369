/*
 * Signal updates on arbitrary bytes (as JSON), applied to a store that
 * persists across inputs, and the built-in payload decoder on the raw
 * bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "sigstore.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sigstore_strtab st;
	static struct sigstore_buyer b;
	static struct sigstore_params p;
	static int init;
	static int64_t ts = 1685577600;
	struct sigstore_feat *f = NULL;
	size_t nf;
	json_error_t je;
	json_t *u;
	char err[256];

	if (!init) {
		sigstore_strtab_init(&st);
		sigstore_params_default(&p);
		p.high_water = 2000;		/* small marks: eviction runs often */
		p.low_water = 1000;
		sigstore_buyer_init(&b, 0);
		init = 1;
	}
	if ((u = json_loadb((const char *)data, size, 0, &je)) != NULL) {
		sigstore_apply(&b, &st, u, ts, "com.example.app", &p, NULL,
		    err, sizeof(err));
		ts += 3600;
		sigstore_expire(&b, ts, 30 * 86400);
		json_decref(u);
	}
	if (sigstore_decode(data, size, &f, &nf, err, sizeof(err)) == 0)
		free(f);
	return 0;
}
