#include "pasfeat.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "diag.h"

static const char *const statname[PASFEAT_NSTAT] = {
	"present", "count", "log_count", "recency", "fresh", "value",
	"log_value"
};

static int
textch(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses KEY of length n into key[4].  0 or -1. */
static int
parse_key(const char *s, size_t n, unsigned char key[4])
{
	size_t i;
	int hi, lo;

	memset(key, 0, 4);
	if (n == 10 && s[0] == '0' && s[1] == 'x') {
		for (i = 0; i < 4; i++) {
			if ((hi = hexval(s[2 + 2 * i])) < 0 ||
			    (lo = hexval(s[3 + 2 * i])) < 0)
				return -1;
			key[i] = (unsigned char)(hi << 4 | lo);
		}
		return 0;
	}
	if (n < 1 || n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (!textch((unsigned char)s[i]))
			return -1;
		key[i] = (unsigned char)s[i];
	}
	return 0;
}

static int
parse_one(const char *name, struct pasfeat_spec *sp, size_t idx, char *err,
    size_t errlen)
{
	const char *dot = strrchr(name, '.');
	int k;

	if (dot == NULL) {
		diag_errf(err, errlen, "feature %zu \"%.40s\": no \".STAT\"", idx,
		    name);
		return -1;
	}
	if (parse_key(name, (size_t)(dot - name), sp->key) != 0) {
		diag_errf(err, errlen, "feature %zu \"%.40s\": key \"%.*s\" is not "
		    "1-4 characters of [A-Za-z0-9_] or 0x and 8 hex digits",
		    idx, name, (int)(dot - name > 20 ? 20 : dot - name), name);
		return -1;
	}
	for (k = 0; k < PASFEAT_NSTAT; k++)
		if (strcmp(dot + 1, statname[k]) == 0) {
			sp->stat = k;
			return 0;
		}
	diag_errf(err, errlen, "feature %zu \"%.40s\": unknown stat \"%.20s\"",
	    idx, name, dot + 1);
	return -1;
}

int
pasfeat_init(struct pasfeat *f, const char *const *names, size_t n,
    char *err, size_t errlen)
{
	size_t i;

	f->n = 0;
	f->spec = n > 0 ? xcalloc(n, sizeof(*f->spec)) : NULL;
	for (i = 0; i < n; i++)
		if (parse_one(names[i], &f->spec[i], i, err, errlen) != 0) {
			pasfeat_free(f);
			return -1;
		}
	f->n = n;
	return 0;
}

int
pasfeat_init_json(struct pasfeat *f, const json_t *names, char *err,
    size_t errlen)
{
	size_t i, n;
	const json_t *v;

	f->n = 0;
	f->spec = NULL;
	if (!json_is_array(names)) {
		diag_errf(err, errlen, "features: not an array");
		return -1;
	}
	n = json_array_size(names);
	f->spec = n > 0 ? xcalloc(n, sizeof(*f->spec)) : NULL;
	for (i = 0; i < n; i++) {
		v = json_array_get(names, i);
		if (!json_is_string(v)) {
			diag_errf(err, errlen, "feature %zu is not a string", i);
			pasfeat_free(f);
			return -1;
		}
		if (parse_one(json_string_value(v), &f->spec[i], i, err,
		    errlen) != 0) {
			pasfeat_free(f);
			return -1;
		}
	}
	f->n = n;
	return 0;
}

void
pasfeat_free(struct pasfeat *f)
{
	if (f == NULL)
		return;
	free(f->spec);
	f->spec = NULL;
	f->n = 0;
}

void
pasfeat_name(const unsigned char key[4], int stat, char *out)
{
	size_t n = 4, i;
	int text = 1;

	while (n > 0 && key[n - 1] == 0)
		n--;
	if (n == 0)
		text = 0;
	for (i = 0; i < n; i++)
		if (!textch(key[i]))
			text = 0;
	if (stat < 0 || stat >= PASFEAT_NSTAT)
		stat = 0;
	if (text)
		snprintf(out, PASFEAT_NAME_MAX, "%.*s.%s", (int)n,
		    (const char *)key, statname[stat]);
	else
		snprintf(out, PASFEAT_NAME_MAX, "0x%02x%02x%02x%02x.%s",
		    key[0], key[1], key[2], key[3], statname[stat]);
}

double
pasfeat_value_number(const unsigned char *val, size_t len)
{
	char tmp[32];
	size_t i = 0, digits = 0, frac = 0;

	if (len == 0 || len > 30)
		return 0;
	if (val[0] == '-')
		i++;
	while (i < len && val[i] >= '0' && val[i] <= '9')
		i++, digits++;
	if (digits == 0)
		return 0;
	if (i < len && val[i] == '.') {
		i++;
		while (i < len && val[i] >= '0' && val[i] <= '9')
			i++, frac++;
		if (frac == 0)
			return 0;
	}
	if (i != len)
		return 0;
	memcpy(tmp, val, len);
	tmp[len] = '\0';
	return strtod(tmp, NULL);
}

static double
stat_of(const struct sigstore_feat *e, int stat)
{
	double v;

	if (e == NULL)
		return 0;
	switch (stat) {
	case PASFEAT_PRESENT:
		return 1;
	case PASFEAT_COUNT:
		return e->count;
	case PASFEAT_LOG_COUNT:
		return log1p((double)e->count);
	case PASFEAT_RECENCY:
		return e->bucket / 12.0;
	case PASFEAT_FRESH:
		return (12 - (e->bucket > 12 ? 12 : e->bucket)) / 12.0;
	case PASFEAT_VALUE:
		return pasfeat_value_number(e->val, e->len);
	case PASFEAT_LOG_VALUE:
		v = pasfeat_value_number(e->val, e->len);
		return v < 0 ? -log1p(-v) : log1p(v);
	}
	return 0;
}

void
pasfeat_vector(const struct pasfeat *f, const struct sigstore_feat *ent,
    size_t nent, double *x)
{
	const struct sigstore_feat *e;
	size_t i, j;

	for (i = 0; i < f->n; i++) {
		e = NULL;
		for (j = 0; j < nent; j++)
			if (memcmp(ent[j].key, f->spec[i].key, 4) == 0) {
				e = &ent[j];
				break;
			}
		x[i] = stat_of(e, f->spec[i].stat);
	}
}

int
pasfeat_payload(const struct pasfeat *f, const unsigned char *p, size_t n,
    double *x, char *err, size_t errlen)
{
	struct sigstore_feat *ent;
	size_t nent;

	if (sigstore_decode(p, n, &ent, &nent, err, errlen) != 0)
		return -1;
	pasfeat_vector(f, ent, nent, x);
	free(ent);
	return 0;
}
