#include "keys.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "xalloc.h"
#include "diag.h"

static int
ishex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Reads at most cap bytes of fd into buf; the count, or -1 (errno). */
static ssize_t
read_all(int fd, unsigned char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap) {
		if ((r = read(fd, buf + n, cap - n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

int
keys_load_secret(const char *path, unsigned char sk[HPKE_NSK], char *err,
    size_t errlen)
{
	unsigned char buf[2 * HPKE_NSK + 2];
	struct stat st;
	ssize_t n;
	size_t i, binlen;
	int fd, rv = 0;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1) {
		diag_errf(err, errlen, "cannot open secret key %s: %s", path,
		    strerror(errno));
		return EX_NOINPUT;
	}
	/* fstat on the open file: no window between check and read */
	if (fstat(fd, &st) == -1) {
		diag_errf(err, errlen, "secret key %s: %s", path, strerror(errno));
		rv = EX_IOERR;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_errf(err, errlen, "secret key %s is not a regular file",
		    path);
		rv = EX_DATAERR;
		goto out;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH)) {
		diag_errf(err, errlen, "secret key %s is readable by group or "
		    "others (chmod 600)", path);
		rv = EX_NOPERM;
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH | S_IXGRP | S_IXOTH)) {
		diag_errf(err, errlen, "secret key %s is accessible by group or "
		    "others (chmod 600)", path);
		rv = EX_NOPERM;
		goto out;
	}
	if ((n = read_all(fd, buf, sizeof(buf))) == -1) {
		diag_errf(err, errlen, "secret key %s: %s", path, strerror(errno));
		rv = EX_IOERR;
		goto out;
	}
	for (i = 0; i < (size_t)n && i < 2 * HPKE_NSK; i++)
		if (!ishex(buf[i]))
			break;
	if (i != 2 * HPKE_NSK || (n == 2 * HPKE_NSK + 1 &&
	    buf[2 * HPKE_NSK] != '\n') || n > 2 * HPKE_NSK + 1 ||
	    sodium_hex2bin(sk, HPKE_NSK, (const char *)buf, 2 * HPKE_NSK,
	    NULL, &binlen, NULL) != 0 || binlen != HPKE_NSK) {
		diag_errf(err, errlen, "secret key %s: want 64 hex digits and a "
		    "newline", path);
		rv = EX_DATAERR;
	}
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return rv;
}

int
keys_write_file(const char *path, const void *data, size_t len,
    unsigned mode, int overwrite, char *err, size_t errlen)
{
	const unsigned char *p = data;
	char *tmp, *dcopy;
	size_t done = 0;
	ssize_t w;
	int fd, dfd, rv = EX_CANTCREAT;

	tmp = xmalloc(strlen(path) + sizeof(".XXXXXX"));
	strcpy(tmp, path);
	strcat(tmp, ".XXXXXX");
	/* mkstemp: O_CREAT|O_EXCL, mode 0600, in the target's directory */
	if ((fd = mkstemp(tmp)) == -1) {
		rv = errno == ENOSPC || errno == EDQUOT || errno == EIO ?
		    EX_IOERR : EX_CANTCREAT;
		diag_errf(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
		free(tmp);
		return rv;
	}
	if (fchmod(fd, (mode_t)mode) == -1)
		goto syserr;
	rv = EX_IOERR;			/* a full disk, an I/O error */
	while (done < len) {
		if ((w = write(fd, p + done, len - done)) == -1) {
			if (errno == EINTR)
				continue;
			goto syserr;
		}
		done += (size_t)w;
	}
	if (fsync(fd) == -1)
		goto syserr;
	if (close(fd) == -1) {
		fd = -1;
		goto syserr;
	}
	fd = -1;
	rv = EX_CANTCREAT;
	if (overwrite) {
		if (rename(tmp, path) == -1)
			goto syserr;
	} else {
		if (link(tmp, path) == -1) {
			if (errno == EEXIST) {
				diag_errf(err, errlen, "%s exists", path);
				goto fail;
			}
			goto syserr;
		}
		unlink(tmp);
	}
	/* Make the new name durable too; best effort. */
	dcopy = xstrdup(path);
	if ((dfd = open(dirname(dcopy), O_RDONLY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dcopy);
	free(tmp);
	return 0;
syserr:
	diag_errf(err, errlen, "cannot write %s: %s", path, strerror(errno));
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rv;
}

int
keys_write_secret(const char *path, const unsigned char sk[HPKE_NSK],
    int overwrite, char *err, size_t errlen)
{
	char hex[2 * HPKE_NSK + 2];
	int rv;

	sodium_bin2hex(hex, sizeof(hex), sk, HPKE_NSK);
	hex[2 * HPKE_NSK] = '\n';
	rv = keys_write_file(path, hex, 2 * HPKE_NSK + 1, 0600, overwrite, err,
	    errlen);
	sodium_memzero(hex, sizeof(hex));
	return rv;
}

int
keys_parse_public(const char *text, size_t len, const char *what,
    struct ohttp_keyconfig *kc, char *err, size_t errlen)
{
	struct ohttp_keyconfig *keys;
	unsigned char bin[512];
	char why[160];
	size_t nkeys, i, binlen;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
	    text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	while (len > 0 && (*text == '\n' || *text == '\r' || *text == ' ' ||
	    *text == '\t')) {
		text++;
		len--;
	}
	if (len > 0 && *text == '{') {
		if (ohttp_keys_json_parse(text, len, &keys, &nkeys, why,
		    sizeof(why)) != 0) {
			diag_errf(err, errlen, "%s: %s", what, why);
			return EX_DATAERR;
		}
		*kc = keys[0];
		free(keys);
		return 0;
	}
	for (i = 0; i < len; i++)
		if (!ishex((unsigned char)text[i]))
			break;
	if (len == 0 || i != len || len % 2 != 0 || len / 2 > sizeof(bin)) {
		diag_errf(err, errlen, "%s: want a key config in hex or the JSON "
		    "key form", what);
		return EX_DATAERR;
	}
	(void)sodium_hex2bin(bin, sizeof(bin), text, len, NULL, &binlen, NULL);
	if (ohttp_keyconfig_decode(kc, bin, binlen, why, sizeof(why)) != 0) {
		diag_errf(err, errlen, "%s: %s", what, why);
		return EX_DATAERR;
	}
	return 0;
}

int
keys_load_public(const char *path, struct ohttp_keyconfig *kc, char *err,
    size_t errlen)
{
	unsigned char *buf;
	ssize_t n;
	int fd, rv;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1) {
		diag_errf(err, errlen, "cannot open key config %s: %s", path,
		    strerror(errno));
		return EX_NOINPUT;
	}
	buf = xmalloc(KEYS_MAX_PUBLIC + 1);
	if ((n = read_all(fd, buf, KEYS_MAX_PUBLIC + 1)) == -1) {
		diag_errf(err, errlen, "key config %s: %s", path, strerror(errno));
		rv = EX_IOERR;
	} else if (n > KEYS_MAX_PUBLIC) {
		diag_errf(err, errlen, "key config %s: larger than %d bytes", path,
		    KEYS_MAX_PUBLIC);
		rv = EX_DATAERR;
	} else
		rv = keys_parse_public((const char *)buf, (size_t)n, path, kc,
		    err, errlen);
	free(buf);
	close(fd);
	return rv;
}
