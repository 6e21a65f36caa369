/*
 * pas-keygen: an X25519 key pair for the auction side, written as the
 * secret key file, the OHTTP key config and the published JSON form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <sodium.h>

#include "diag.h"
#include "keys.h"
#include "ohttp.h"
#include "rng.h"
#include "run.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: pas-keygen [-hVv] [--force] [--key-id N] [--seed N] -o PREFIX";

static const char help[] =
"Writes an X25519 key pair for the auction:\n"
"  PREFIX.sk         the secret key, 64 hex digits and a newline, mode 0600\n"
"  PREFIX.keyconfig  the OHTTP key config, hex and a newline\n"
"  PREFIX.json       the published form {\"keys\":[{\"id\":..,\"key\":..}]}\n"
"\n"
"  --key-id N         the key id, 0 to 255 (default 0)\n"
"  -o, --output PREFIX  where to write the three files\n"
"  --force            replace existing files\n"
"  --seed N           derive the key from N and the key id (tests only)\n"
"  -v, --verbose      name the files written on stderr\n"
"  -h, --help, -V, --version\n"
"\n"
"See pas-keygen(1) and adsig(5).\n";

enum { OPT_KEYID = RUN_OPT_TOOL, OPT_FORCE };

static char *
cat(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	char *s = xmalloc(n + m + 1);

	memcpy(s, a, n);
	memcpy(s + n, b, m + 1);
	return s;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "key-id", required_argument, NULL, OPT_KEYID },
		{ "force",  no_argument,       NULL, OPT_FORCE },
		{ NULL, 0, NULL, 0 }
	};
	struct ohttp_keyconfig kc;
	unsigned char sk[HPKE_NSK];
	char hex[OHTTP_KEYCONFIG_HEXLEN + 2], err[512], *json, *p_sk, *p_kc,
	    *p_js, *end, seedkey[32];
	struct run r;
	struct rng g;
	long id = 0;
	int ch, force = 0, rc;

	run_init(&r, argv[0], synopsis, help);
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_KEYID:
			errno = 0;
			id = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || errno != 0 ||
			    id < 0 || id > 255)
				run_usage_error(&r, "--key-id: \"%s\" is not a "
				    "key id from 0 to 255", optarg);
			break;
		case OPT_FORCE:
			force = 1;
			break;
		case RUN_OPT_SKIP_BAD: case RUN_OPT_REJECTS: case RUN_OPT_CSV:
		case RUN_OPT_OFORMAT: case RUN_OPT_IFORMAT:
			run_usage_error(&r, "pas-keygen reads no records");
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	if (optind != argc)
		run_usage_error(&r, "unexpected operand \"%s\"", argv[optind]);
	if (r.output == NULL || *r.output == '\0' ||
	    strcmp(r.output, "-") == 0)
		run_usage_error(&r, "-o PREFIX is required (the files are "
		    "PREFIX.sk, PREFIX.keyconfig, PREFIX.json)");

	/* With --seed: a stream keyed by (seed, "pas-keygen <id>"). */
	snprintf(seedkey, sizeof(seedkey), "pas-keygen %ld", id);
	rng_init(&g, r.has_seed ? &r.seed : NULL, seedkey, strlen(seedkey));
	hpke_keypair(sk, kc.pk, &g);
	sodium_memzero(&g, sizeof(g));
	kc.key_id = (uint8_t)id;

	p_sk = cat(r.output, ".sk");
	p_kc = cat(r.output, ".keyconfig");
	p_js = cat(r.output, ".json");
	ohttp_keyconfig_hex(&kc, hex);
	strcat(hex, "\n");
	json = ohttp_keys_json_dump(&kc, 1);
	json = xrealloc(json, strlen(json) + 2);
	strcat(json, "\n");

	/* Public files first: a refusal to overwrite stops before the key. */
	rc = keys_write_file(p_kc, hex, strlen(hex), 0644, force, err,
	    sizeof(err));
	if (rc == 0)
		rc = keys_write_file(p_js, json, strlen(json), 0644, force, err,
		    sizeof(err));
	if (rc == 0)
		rc = keys_write_secret(p_sk, sk, force, err, sizeof(err));
	sodium_memzero(sk, sizeof(sk));
	if (rc != 0)
		diag_warn("%s%s", err, rc == EX_CANTCREAT && !force &&
		    strstr(err, " exists") != NULL ? " (--force replaces it)" :
		    "");
	else if (r.verbose)
		diag_warn("wrote %s, %s, %s (key id %ld)", p_sk, p_kc, p_js,
		    id);
	free(json);
	free(p_sk);
	free(p_kc);
	free(p_js);
	return diag_finish(rc);
}
