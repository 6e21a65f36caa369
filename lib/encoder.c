#include "encoder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "xalloc.h"

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
encoder_request(struct buf *b, const struct sigstore_snap *s,
    const struct sigstore_strtab *st, size_t max_size)
{
	size_t n;
	char *m;

	m = sigstore_marshal(s, st, &n);
	buf_adds(b, "{\"signals\":");
	buf_add(b, m, n);
	buf_printf(b, ",\"maxSize\":%zu}", max_size);
	free(m);
}

static int
nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
encoder_answer(const char *ans, size_t len, size_t max_size,
    unsigned char *out, size_t *outlen, char *err, size_t errlen)
{
	json_t *a, *st, *res;
	const char *h;
	size_t n, i;
	int hi, lo, rc = -1;

	*outlen = 0;
	a = json_loadb(ans, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(a)) {
		seterr(err, errlen, "answer is not a JSON object");
		goto out;
	}
	st = json_object_get(a, "status");
	if (!json_is_integer(st)) {
		seterr(err, errlen, "answer has no integer \"status\"");
		goto out;
	}
	if (json_integer_value(st) != 0) {
		seterr(err, errlen, "status %lld (not 0)",
		    (long long)json_integer_value(st));
		goto out;
	}
	res = json_object_get(a, "results");
	if (!json_is_string(res)) {
		seterr(err, errlen, "answer has no string \"results\"");
		goto out;
	}
	h = json_string_value(res);
	n = json_string_length(res);
	if (n % 2 != 0) {
		seterr(err, errlen, "results are not hex (odd length)");
		goto out;
	}
	if (n / 2 > max_size) {
		seterr(err, errlen, "results of %zu bytes exceed maxSize %zu",
		    n / 2, max_size);
		goto out;
	}
	for (i = 0; i < n; i += 2) {
		if ((hi = nibble((unsigned char)h[i])) < 0 ||
		    (lo = nibble((unsigned char)h[i + 1])) < 0) {
			seterr(err, errlen, "results are not hex (character "
			    "%zu)", hi < 0 ? i + 1 : i + 2);
			*outlen = 0;
			goto out;
		}
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*outlen = n / 2;
	rc = 0;
out:
	json_decref(a);
	return rc;
}
