/*
 * Key material from outside (keys.h, ohttp.h) on arbitrary bytes: a
 * public key file in either form (hex key config or the published
 * JSON), a binary key config, the JSON key list, and a secret key file
 * (through a scratch file of mode 0600, as keys_load_secret wants).  A
 * key that parses is encoded and parsed again to the same bytes.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpke.h"
#include "keys.h"
#include "ohttp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
roundtrip(const struct ohttp_keyconfig *kc)
{
	unsigned char enc[OHTTP_KEYCONFIG_LEN], enc2[OHTTP_KEYCONFIG_LEN];
	struct ohttp_keyconfig kc2;
	char err[256];

	ohttp_keyconfig_encode(kc, enc);
	if (ohttp_keyconfig_decode(&kc2, enc, sizeof(enc), err,
	    sizeof(err)) != 0)
		abort();
	ohttp_keyconfig_encode(&kc2, enc2);
	if (memcmp(enc, enc2, sizeof(enc)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct ohttp_keyconfig kc, *keys = NULL;
	unsigned char sk[HPKE_NSK];
	size_t n, i;
	char err[256];
	int fd;

	if (!init) {
		snprintf(path, sizeof(path), "/tmp/fuzz_keys.%ld",
		    (long)getpid());
		init = 1;
	}
	if (keys_parse_public((const char *)data, size, "fuzz", &kc, err,
	    sizeof(err)) == 0)
		roundtrip(&kc);
	if (ohttp_keyconfig_decode(&kc, data, size, err, sizeof(err)) == 0)
		roundtrip(&kc);
	if (ohttp_keys_json_parse((const char *)data, size, &keys, &n, err,
	    sizeof(err)) == 0) {
		for (i = 0; i < n; i++)
			roundtrip(&keys[i]);
		free(ohttp_keys_json_dump(keys, n));
		free(keys);
	}

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	keys_load_secret(path, sk, err, sizeof(err));
	keys_load_public(path, &kc, err, sizeof(err));
	unlink(path);
	return 0;
}
