#ifndef ADSIG_KEYS_H
#define ADSIG_KEYS_H
#include <stddef.h>

#include "hpke.h"
#include "ohttp.h"

/*
 * Key files (adsig(5)):
 *   secret key  64 hex digits and a newline, mode 0600 (or 0400);
 *   key config  the OHTTP key config as hex and a newline;
 *   key JSON    {"keys":[{"id":"<hex>","key":"<b64>"}]} (see ohttp.h).
 *
 * Functions return a <sysexits.h> status for the tool to exit with:
 * 0, EX_NOINPUT (cannot open), EX_DATAERR (bad content), EX_NOPERM (a
 * secret key readable by group or others), EX_IOERR (read error),
 * EX_CANTCREAT (cannot write).  On error they write a short lowercase
 * reason naming the file to err (errlen bytes, err may be NULL); no
 * message ever holds secret material.  They never print or exit.
 */

/* Largest public key file read (a JSON list of keys fits easily). */
#define KEYS_MAX_PUBLIC	65536

/*
 * Loads a secret key.  The file must be a regular file not accessible
 * by group or others ("secret key FILE is readable by group or others
 * (chmod 600)", EX_NOPERM), holding exactly 64 hex digits and one
 * optional newline.  The buffers that held the key are wiped.
 */
int	keys_load_secret(const char *path, unsigned char sk[HPKE_NSK],
	    char *err, size_t errlen);

/*
 * Writes data to path atomically: a temporary file in the same
 * directory (O_CREAT|O_EXCL, the given mode), fsync, then rename (or,
 * with overwrite 0, link: an existing path is never replaced and gives
 * EX_CANTCREAT "FILE exists").  0, EX_IOERR when the data cannot be
 * written (a full disk), or EX_CANTCREAT.
 */
int	keys_write_file(const char *path, const void *data, size_t len,
	    unsigned mode, int overwrite, char *err, size_t errlen);

/* Writes sk as 64 hex digits and a newline with mode 0600. */
int	keys_write_secret(const char *path, const unsigned char sk[HPKE_NSK],
	    int overwrite, char *err, size_t errlen);

/*
 * Parses a public key from text: the key config in hex (whitespace
 * around it ignored) or the JSON form (its first key; text starting
 * with '{').  0 or EX_DATAERR; what names the source in messages.
 */
int	keys_parse_public(const char *text, size_t len, const char *what,
	    struct ohttp_keyconfig *kc, char *err, size_t errlen);
/* Loads a public key file in either form. */
int	keys_load_public(const char *path, struct ohttp_keyconfig *kc,
	    char *err, size_t errlen);

#endif
