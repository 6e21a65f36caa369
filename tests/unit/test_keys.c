/* keys: secret key files (mode, format), atomic writes, public forms. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "keys.h"
#include "testhex.h"
#include "unit.h"

static char dir[] = "/tmp/adsig-keys-XXXXXX";
static char path[256];

static void
put(const char *name, const char *content, mode_t mode)
{
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	fputs(content, fp);
	fclose(fp);
	chmod(path, mode);
}

static const char *SKHEX =
    "b77431ecfa8f4cfc30d6e467aafa06944dffe28cb9dd1409e33a3045f5adc8a1";
static const char *CFGHEX = "0400206d21cfe09fbea5122f9ebc2eb2a69fcc4f0640"
    "8cd54aac934f012e76fcdcef62000400010002";

int
main(void)
{
	struct ohttp_keyconfig kc;
	struct stat st;
	unsigned char sk[32], want[32];
	char err[512], line[200], buf[512];
	FILE *fp;

	CHECK(mkdtemp(dir) != NULL);
	th_unhex(want, 32, SKHEX);

	/* A good secret key, with and without the newline, 0600 or 0400. */
	snprintf(line, sizeof(line), "%s\n", SKHEX);
	put("a.sk", line, 0600);
	CHECK(keys_load_secret(path, sk, err, sizeof(err)) == 0);
	CHECK(memcmp(sk, want, 32) == 0);
	put("b.sk", SKHEX, 0400);
	CHECK(keys_load_secret(path, sk, err, sizeof(err)) == 0);

	/* Readable by group or others: EX_NOPERM, no key material shown. */
	put("c.sk", line, 0640);
	CHECK(keys_load_secret(path, sk, err, sizeof(err)) == EX_NOPERM);
	snprintf(buf, sizeof(buf), "secret key %s is readable by group or "
	    "others (chmod 600)", path);
	CHECK_STR(err, buf);
	CHECK(strstr(err, "b774") == NULL);
	put("d.sk", line, 0604);
	CHECK(keys_load_secret(path, sk, err, sizeof(err)) == EX_NOPERM);
	put("e.sk", line, 0620);
	CHECK(keys_load_secret(path, sk, err, sizeof(err)) == EX_NOPERM);

	/* Bad content: EX_DATAERR, and the message holds no key bytes. */
#define BADSK(content) do {						\
	put("bad.sk", content, 0600);					\
	CHECK(keys_load_secret(path, sk, err, sizeof(err)) == EX_DATAERR); \
	CHECK(strstr(err, "want 64 hex digits and a newline") != NULL);	\
	CHECK(strstr(err, "b774") == NULL);				\
} while (0)
	BADSK("");
	BADSK("b77431ecfa8f4cfc30d6e467aafa06944dffe28cb9dd1409e33a3045f5"
	    "adc8a");
	snprintf(buf, sizeof(buf), "%s\n\n", SKHEX);
	BADSK(buf);
	snprintf(buf, sizeof(buf), "%s0", SKHEX);
	BADSK(buf);
	snprintf(buf, sizeof(buf), "%s ", SKHEX);
	BADSK(buf);
	BADSK("g77431ecfa8f4cfc30d6e467aafa06944dffe28cb9dd1409e33a3045f5"
	    "adc8a1\n");

	/* Missing file, a directory. */
	snprintf(path, sizeof(path), "%s/none.sk", dir);
	CHECK(keys_load_secret(path, sk, err, sizeof(err)) == EX_NOINPUT);
	CHECK(keys_load_secret(dir, sk, err, sizeof(err)) == EX_DATAERR);

	/* Writing: mode 0600, content, no overwrite unless asked. */
	snprintf(path, sizeof(path), "%s/new.sk", dir);
	CHECK(keys_write_secret(path, want, 0, err, sizeof(err)) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	fp = fopen(path, "r");
	CHECK(fgets(buf, sizeof(buf), fp) != NULL);
	fclose(fp);
	CHECK_STR(buf, line);
	CHECK(keys_load_secret(path, sk, err, sizeof(err)) == 0);
	CHECK(memcmp(sk, want, 32) == 0);
	CHECK(keys_write_secret(path, want, 0, err, sizeof(err)) ==
	    EX_CANTCREAT);
	snprintf(buf, sizeof(buf), "%s exists", path);
	CHECK_STR(err, buf);
	CHECK(keys_write_secret(path, want, 1, err, sizeof(err)) == 0);
	CHECK(keys_write_file(path, "x\n", 2, 0644, 1, err, sizeof(err)) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644 &&
	    st.st_size == 2);
	snprintf(path, sizeof(path), "%s/no/such/dir/k.sk", dir);
	CHECK(keys_write_secret(path, want, 0, err, sizeof(err)) ==
	    EX_CANTCREAT);

	/* Public key: hex config, JSON form, garbage. */
	snprintf(buf, sizeof(buf), "  %s\n", CFGHEX);
	put("k.keyconfig", buf, 0644);
	CHECK(keys_load_public(path, &kc, err, sizeof(err)) == 0);
	CHECK(kc.key_id == 4 && kc.pk[0] == 0x6d && kc.pk[31] == 0x62);
	put("k.json", "{\"keys\":[{\"id\":\"0400000000000000\",\"key\":"
	    "\"bSHP4J++pRIvnrwusqafzE8GQIzVSqyTTwEudvzc72I=\"}]}\n", 0644);
	memset(&kc, 0, sizeof(kc));
	CHECK(keys_load_public(path, &kc, err, sizeof(err)) == 0);
	CHECK(kc.key_id == 4 && kc.pk[0] == 0x6d && kc.pk[31] == 0x62);
	put("bad.keyconfig", "0400206d21\n", 0644);
	CHECK(keys_load_public(path, &kc, err, sizeof(err)) == EX_DATAERR);
	snprintf(buf, sizeof(buf), "%s: key config too short (5 bytes)", path);
	CHECK_STR(err, buf);
	put("bad2.keyconfig", "hello\n", 0644);
	CHECK(keys_load_public(path, &kc, err, sizeof(err)) == EX_DATAERR);
	put("bad3.json", "{\"keys\":[]}", 0644);
	CHECK(keys_load_public(path, &kc, err, sizeof(err)) == EX_DATAERR);
	snprintf(path, sizeof(path), "%s/none.json", dir);
	CHECK(keys_load_public(path, &kc, err, sizeof(err)) == EX_NOINPUT);
	CHECK(keys_parse_public(CFGHEX, strlen(CFGHEX), "arg", &kc, err,
	    sizeof(err)) == 0);

	snprintf(buf, sizeof(buf), "rm -rf '%s'", dir);
	CHECK(system(buf) == 0);
	return unit_report();
}
