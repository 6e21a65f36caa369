/*
 * The tag-CTR side files on arbitrary bytes (tcdim.h): an attribute's
 * mapping file (CSV from,to) and the materials file (NDJSON or CSV,
 * either of them gzipped), read under --skip-bad as the tools read them,
 * then used for a lookup.  The bytes go through a scratch file because
 * the loaders take paths.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "run.h"
#include "tcdim.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static struct run r;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct tc_dims d;
	struct tc_mats m;
	const char *out, *why;
	char tmp[16];
	size_t outn, n;
	int unmapped;
	FILE *fp;

	if (!init) {
		snprintf(path, sizeof(path), "/tmp/fuzz_tcdim.%ld",
		    (long)getpid());
		run_init(&r, "fuzz_tcdim", "usage: fuzz", NULL);
		r.skip_bad = 1;
		/* bad rows go to a rejects file, not to the fuzzer's log */
		if (out_open(&r.rejects, "/dev/null") != 0)
			abort();
		r.rejects_open = 1;
		init = 1;
	}
	if ((fp = fopen(path, "wb")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	if (fclose(fp) != 0)
		abort();

	r.status = 0;
	memset(&d, 0, sizeof(d));
	if (tc_dims_add_map(&d, &r, "province", path) == 0) {
		tc_dims_merge(&d, "province", 8, "Shenzhen", 8, tmp, &out,
		    &outn, &why, &unmapped);
		tc_dims_merge(&d, "hour", 4, "25", 2, tmp, &out, &outn, &why,
		    &unmapped);
	}
	tc_dims_free(&d);

	memset(&m, 0, sizeof(m));
	if (tc_mats_load(&m, &r, path) == 0)
		tc_mats_tags(&m, "m1", 2, &n);
	tc_mats_free(&m);
	r.rejects.b.len = 0;
	unlink(path);
	return 0;
}
