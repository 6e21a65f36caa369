#include "egress.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "b64.h"
#include "jfile.h"
#include "xalloc.h"

/* Wire bodies up to this size are built on the stack. */
#define STACK_BYTES	256

static const char *const type_names[] = {
	[EGRESS_BOOLEAN] = "boolean-feature",
	[EGRESS_UNSIGNED] = "unsigned-integer-feature",
	[EGRESS_SIGNED] = "signed-integer-feature",
	[EGRESS_BUCKET] = "bucket-feature",
	[EGRESS_HISTOGRAM] = "histogram-feature",
};

static int	fail(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint64_t
mask(unsigned w)
{
	return w >= 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1;
}

/*
 * The signed value of a w-bit two's complement pattern, without
 * converting an out-of-range unsigned to int64_t (implementation-defined).
 */
static int64_t
sign_extend(uint64_t raw, unsigned w)
{
	if (((raw >> (w - 1)) & 1) == 0)
		return (int64_t)raw;
	return -(int64_t)(~raw & mask(w)) - 1;
}

const char *
egress_type_name(enum egress_type t)
{
	if ((unsigned)t >= sizeof(type_names) / sizeof(type_names[0]))
		return "unknown";
	return type_names[t];
}

static int
type_from_name(const char *name, enum egress_type *t)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(name, type_names[i]) == 0) {
			*t = (enum egress_type)i;
			return 0;
		}
	return -1;
}

/*
 * Reads the non-negative integer member key of o.  Returns 0 with *val,
 * 1 when absent, -1 when present but not a non-negative integer.
 */
static int
get_size(const json_t *o, const char *key, uint64_t *val)
{
	json_t *m;

	if ((m = json_object_get(o, key)) == NULL)
		return 1;
	if (!json_is_integer(m) || json_integer_value(m) < 0)
		return -1;
	*val = (uint64_t)json_integer_value(m);
	return 0;
}

/* A required integer size in [1, max] of feature i ("" or " item j"). */
static int
int_size(const json_t *o, const char *key, uint64_t max, uint64_t *val,
    const char *where, char *err, size_t errlen)
{
	switch (get_size(o, key, val)) {
	case 1:
		return fail(err, errlen, "%s: missing %s", where, key);
	case -1:
		return fail(err, errlen, "%s: %s is not a non-negative integer",
		    where, key);
	}
	if (*val == 0 || *val > max)
		return fail(err, errlen, "%s: %s %" PRIu64 " out of range 1..%"
		    PRIu64, where, key, *val, max);
	return 0;
}

static int
parse_histogram(const json_t *fo, struct egress_feature *f,
    const char *where, char *err, size_t errlen)
{
	const json_t *subs, *so, *nm;
	char where2[96];
	uint64_t size, sum = 0, declared;
	enum egress_type t;
	size_t j;

	subs = json_object_get(fo, "value");
	if (subs == NULL)
		return fail(err, errlen, "%s: histogram has no value array",
		    where);
	if (!json_is_array(subs))
		return fail(err, errlen, "%s: histogram value is not an array",
		    where);
	if (json_array_size(subs) == 0)
		return fail(err, errlen, "%s: histogram has no sub-features",
		    where);
	f->nsub = json_array_size(subs);
	f->sub = xcalloc(f->nsub, sizeof(*f->sub));
	for (j = 0; j < f->nsub; j++) {
		snprintf(where2, sizeof(where2), "%s: histogram item %zu",
		    where, j);
		so = json_array_get(subs, j);
		if (!json_is_object(so))
			return fail(err, errlen, "%s is not an object", where2);
		nm = json_object_get(so, "name");
		if (!json_is_string(nm))
			return fail(err, errlen, "%s: missing name", where2);
		if (type_from_name(json_string_value(nm), &t) != 0)
			return fail(err, errlen, "%s: unknown type \"%.40s\"",
			    where2, json_string_value(nm));
		if (t != EGRESS_UNSIGNED && t != EGRESS_SIGNED)
			return fail(err, errlen, "%s: %s is not allowed in a "
			    "histogram", where2, type_names[t]);
		if (int_size(so, "size", EGRESS_MAX_INT_BITS, &size, where2,
		    err, errlen) != 0)
			return -1;
		f->sub[j].type = t;
		f->sub[j].size = (unsigned)size;
		sum += size;
	}
	switch (get_size(fo, "size", &declared)) {
	case 1:
		return fail(err, errlen, "%s: missing size", where);
	case -1:
		return fail(err, errlen, "%s: size is not a non-negative "
		    "integer", where);
	}
	if (declared != sum)
		return fail(err, errlen, "%s: histogram size %" PRIu64
		    " is not the sum of its sub-feature sizes (%" PRIu64 ")",
		    where, declared, sum);
	f->size = (size_t)sum;
	f->nleaves = f->nsub;
	return 0;
}

static int
parse_feature(const json_t *fo, struct egress_feature *f, size_t i,
    char *err, size_t errlen)
{
	const json_t *nm;
	char where[32];
	uint64_t size = 0, alt = 0;
	int rc, rc2;

	snprintf(where, sizeof(where), "feature %zu", i);
	if (!json_is_object(fo))
		return fail(err, errlen, "%s is not an object", where);
	nm = json_object_get(fo, "name");
	if (!json_is_string(nm))
		return fail(err, errlen, "%s: missing name", where);
	if (type_from_name(json_string_value(nm), &f->type) != 0)
		return fail(err, errlen, "%s: unknown type \"%.40s\"", where,
		    json_string_value(nm));
	switch (f->type) {
	case EGRESS_BOOLEAN:
		rc = get_size(fo, "size", &size);
		if (rc == -1 || (rc == 0 && size != 1))
			return fail(err, errlen, "%s: boolean-feature size must "
			    "be 1", where);
		f->size = 1;
		f->nleaves = 1;
		return 0;
	case EGRESS_UNSIGNED:
	case EGRESS_SIGNED:
		if (int_size(fo, "size", EGRESS_MAX_INT_BITS, &size, where,
		    err, errlen) != 0)
			return -1;
		f->size = (size_t)size;
		f->nleaves = 1;
		return 0;
	case EGRESS_BUCKET:
		/* The servers read "size"; the CDDL calls it "buckets". */
		rc = get_size(fo, "size", &size);
		rc2 = get_size(fo, "buckets", &alt);
		if (int_size(fo, rc == 1 && rc2 != 1 ? "buckets" : "size",
		    EGRESS_MAX_BUCKETS, &size, where, err, errlen) != 0)
			return -1;
		if (rc == 0 && (rc2 == -1 || (rc2 == 0 && alt != size)))
			return fail(err, errlen, "%s: buckets and size differ",
			    where);
		f->size = f->nleaves = (size_t)size;
		return 0;
	case EGRESS_HISTOGRAM:
		return parse_histogram(fo, f, where, err, errlen);
	}
	return fail(err, errlen, "%s: unknown type", where);
}

/* Lays out the leaves and their column names. */
static void
build_leaves(struct egress_schema *s)
{
	struct egress_feature *f;
	struct egress_leaf *l;
	size_t i, j, k, namebytes = 0, pos = 0, off = 0;
	char tmp[48];

	s->nleaves = 0;
	for (i = 0; i < s->nfeatures; i++) {
		s->features[i].first_leaf = s->nleaves;
		s->nleaves += s->features[i].nleaves;
	}
	s->leaves = xcalloc(s->nleaves ? s->nleaves : 1, sizeof(*s->leaves));
	/* "f<i>_<j>" is at most 1 + 20 + 1 + 20 characters and a NUL. */
	for (i = 0; i < s->nfeatures; i++) {
		f = &s->features[i];
		if (f->type == EGRESS_BUCKET || f->type == EGRESS_HISTOGRAM) {
			for (j = 0; j < f->nleaves; j++)
				namebytes += (size_t)snprintf(tmp, sizeof(tmp),
				    "f%zu_%zu", i, j) + 1;
		} else
			namebytes += (size_t)snprintf(tmp, sizeof(tmp), "f%zu",
			    i) + 1;
	}
	s->names = xmalloc(namebytes ? namebytes : 1);
	for (i = 0; i < s->nfeatures; i++) {
		f = &s->features[i];
		for (j = 0; j < f->nleaves; j++) {
			k = f->first_leaf + j;
			l = &s->leaves[k];
			l->feature = i;
			l->offset = off;
			switch (f->type) {
			case EGRESS_BOOLEAN:
			case EGRESS_BUCKET:
				l->width = 1;
				l->is_bool = 1;
				break;
			case EGRESS_UNSIGNED:
			case EGRESS_SIGNED:
				l->width = (unsigned)f->size;
				l->is_signed = f->type == EGRESS_SIGNED;
				break;
			case EGRESS_HISTOGRAM:
				l->width = f->sub[j].size;
				l->is_signed = f->sub[j].type == EGRESS_SIGNED;
				break;
			}
			off += l->width;
			l->name = s->names + pos;
			if (f->type == EGRESS_BUCKET ||
			    f->type == EGRESS_HISTOGRAM)
				pos += (size_t)snprintf(s->names + pos,
				    namebytes - pos, "f%zu_%zu", i, j) + 1;
			else
				pos += (size_t)snprintf(s->names + pos,
				    namebytes - pos, "f%zu", i) + 1;
		}
	}
}

int
egress_schema_parse(const json_t *j, struct egress_schema **out, char *err,
    size_t errlen)
{
	struct egress_schema *s;
	const json_t *m, *fa;
	json_int_t ver;
	size_t i;

	*out = NULL;
	if (!json_is_object(j))
		return fail(err, errlen, "schema is not an object");
	m = json_object_get(j, "cddl_version");
	if (m == NULL)
		return fail(err, errlen, "missing cddl_version");
	if (!json_is_string(m) ||
	    strcmp(json_string_value(m), EGRESS_CDDL_VERSION) != 0)
		return fail(err, errlen, "unsupported cddl_version (want \""
		    EGRESS_CDDL_VERSION "\")");
	m = json_object_get(j, "version");
	if (m == NULL)
		return fail(err, errlen, "missing version");
	if (!json_is_integer(m))
		return fail(err, errlen, "version is not an integer");
	ver = json_integer_value(m);
	if (ver < 0 || ver > EGRESS_MAX_VERSION)
		return fail(err, errlen, "version %" JSON_INTEGER_FORMAT
		    " out of range 0..%d", ver, EGRESS_MAX_VERSION);
	fa = json_object_get(j, "features");
	if (fa == NULL)
		return fail(err, errlen, "missing features");
	if (!json_is_array(fa))
		return fail(err, errlen, "features is not an array");

	s = xcalloc(1, sizeof(*s));
	s->version = (int)ver;
	s->nfeatures = json_array_size(fa);
	s->features = xcalloc(s->nfeatures ? s->nfeatures : 1,
	    sizeof(*s->features));
	for (i = 0; i < s->nfeatures; i++) {
		if (parse_feature(json_array_get(fa, i), &s->features[i], i,
		    err, errlen) != 0) {
			egress_schema_free(s);
			return -1;
		}
		/* Sizes are capped, so this only guards absurd counts. */
		if (s->total_bits > SIZE_MAX - s->features[i].size) {
			egress_schema_free(s);
			return fail(err, errlen, "schema too large");
		}
		s->total_bits += s->features[i].size;
	}
	build_leaves(s);
	*out = s;
	return 0;
}

int
egress_schema_load(const char *path, struct egress_schema **out, char *err,
    size_t errlen)
{
	json_t *j;
	char why[160];
	int rc;

	*out = NULL;
	if ((j = jfile_load(path, NULL, err, errlen)) == NULL)
		return -1;
	rc = egress_schema_parse(j, out, why, sizeof(why));
	json_decref(j);
	if (rc != 0)
		return fail(err, errlen, "%s: %s", path, why);
	return 0;
}

void
egress_schema_free(struct egress_schema *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nfeatures; i++)
		free(s->features[i].sub);
	free(s->features);
	free(s->leaves);
	free(s->names);
	free(s);
}

size_t
egress_feature_bits(const struct egress_schema *s, size_t i)
{
	return s->features[i].size;
}

void
egress_values_init(struct egress_values *v, const struct egress_schema *s)
{
	v->n = s->nleaves;
	v->raw = xcalloc(v->n ? v->n : 1, sizeof(*v->raw));
}

void
egress_values_free(struct egress_values *v)
{
	if (v == NULL)
		return;
	free(v->raw);
	v->raw = NULL;
	v->n = 0;
}

/*
 * Where a payload error is: "feature I" or "feature I: histogram item J"
 * (j < 0 for the first).  Formatted only when there is an error.
 */
static const char *
where(char *buf, size_t len, size_t i, long j)
{
	if (j < 0)
		snprintf(buf, len, "feature %zu", i);
	else
		snprintf(buf, len, "feature %zu: histogram item %ld", i, j);
	return buf;
}

/* Checks a JSON integer against a leaf; stores its pattern in *raw. */
static int
check_int(const json_t *val, const struct egress_leaf *l, uint64_t *raw,
    size_t i, long j, char *err, size_t errlen)
{
	char w[80];
	json_int_t x;
	int64_t lo, hi;

	if (!json_is_integer(val))
		return fail(err, errlen, "%s: value is not an integer",
		    where(w, sizeof(w), i, j));
	x = json_integer_value(val);
	if (!l->is_signed) {
		if (x < 0 || (l->width < 64 && (uint64_t)x > mask(l->width)))
			return fail(err, errlen, "%s: %" JSON_INTEGER_FORMAT
			    " out of range for unsigned %u bits",
			    where(w, sizeof(w), i, j), x, l->width);
		*raw = (uint64_t)x;
		return 0;
	}
	if (l->width < 64) {
		hi = (int64_t)mask(l->width - 1);
		lo = -hi - 1;
		if (x < lo || x > hi)
			return fail(err, errlen, "%s: %" JSON_INTEGER_FORMAT
			    " out of range for signed %u bits",
			    where(w, sizeof(w), i, j), x, l->width);
	}
	*raw = (uint64_t)x & mask(l->width);
	return 0;
}

/* Validates the histogram value val of feature i into dst[0..nsub). */
static int
check_histogram(const struct egress_schema *s, const struct egress_feature *f,
    size_t i, const json_t *val, uint64_t *dst, int store, char *err,
    size_t errlen)
{
	const json_t *it, *nm, *iv;
	char w[80];
	size_t j;

	if (!json_is_array(val) || json_array_size(val) != f->nsub)
		return fail(err, errlen, "feature %zu: histogram value is not "
		    "an array of %zu items", i, f->nsub);
	for (j = 0; j < f->nsub; j++) {
		it = json_array_get(val, j);
		nm = json_object_get(it, "name");
		if (!json_is_string(nm))
			return fail(err, errlen, "%s has no name",
			    where(w, sizeof(w), i, (long)j));
		if (strcmp(json_string_value(nm),
		    type_names[f->sub[j].type]) != 0)
			return fail(err, errlen, "%s is \"%.40s\", schema has "
			    "%s", where(w, sizeof(w), i, (long)j),
			    json_string_value(nm), type_names[f->sub[j].type]);
		if ((iv = json_object_get(it, "value")) == NULL)
			return fail(err, errlen, "%s has no value",
			    where(w, sizeof(w), i, (long)j));
		if (check_int(iv, &s->leaves[f->first_leaf + j],
		    &dst[store ? j : 0], i, (long)j, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int
egress_payload_validate(const struct egress_schema *s, const json_t *payload,
    struct egress_values *v, char *err, size_t errlen)
{
	const struct egress_feature *f;
	const json_t *fa, *e, *nm, *val, *iv;
	uint64_t scratch, *dst;
	size_t i, j, n;

	if (!json_is_object(payload))
		return fail(err, errlen, "payload is not an object");
	fa = json_object_get(payload, "features");
	if (!json_is_array(fa))
		return fail(err, errlen, "payload has no features array");
	n = json_array_size(fa);
	if (n != s->nfeatures)
		return fail(err, errlen, "payload has %zu features, schema "
		    "has %zu", n, s->nfeatures);
	for (i = 0; i < n; i++) {
		f = &s->features[i];
		e = json_array_get(fa, i);
		if (!json_is_object(e))
			return fail(err, errlen, "feature %zu is not an object",
			    i);
		nm = json_object_get(e, "name");
		if (!json_is_string(nm))
			return fail(err, errlen, "feature %zu has no name", i);
		if (strcmp(json_string_value(nm), type_names[f->type]) != 0)
			return fail(err, errlen, "feature %zu is \"%.40s\", "
			    "schema has %s", i, json_string_value(nm),
			    type_names[f->type]);
		if ((val = json_object_get(e, "value")) == NULL)
			return fail(err, errlen, "feature %zu has no value", i);
		/* Without v, every leaf goes to one scratch word. */
		dst = v != NULL ? v->raw + f->first_leaf : &scratch;
		switch (f->type) {
		case EGRESS_BOOLEAN:
			if (!json_is_boolean(val))
				return fail(err, errlen, "feature %zu: value "
				    "is not a boolean", i);
			*dst = json_is_true(val);
			break;
		case EGRESS_UNSIGNED:
		case EGRESS_SIGNED:
			if (check_int(val, &s->leaves[f->first_leaf], dst, i,
			    -1, err, errlen) != 0)
				return -1;
			break;
		case EGRESS_BUCKET:
			if (!json_is_array(val) ||
			    json_array_size(val) != f->nleaves)
				return fail(err, errlen, "feature %zu: bucket "
				    "value is not an array of %zu items", i,
				    f->nleaves);
			for (j = 0; j < f->nleaves; j++) {
				iv = json_object_get(json_array_get(val, j),
				    "value");
				if (!json_is_boolean(iv))
					return fail(err, errlen, "feature %zu: "
					    "bucket item %zu is not "
					    "{\"value\":bool}", i, j);
				dst[v != NULL ? j : 0] = json_is_true(iv);
			}
			break;
		case EGRESS_HISTOGRAM:
			if (check_histogram(s, f, i, val, dst, v != NULL, err,
			    errlen) != 0)
				return -1;
			break;
		}
	}
	return 0;
}

/*
 * The body is one big-endian integer of nbytes bytes; bit b of that
 * integer is bit b % 8 of byte nbytes - 1 - b / 8.  Leaves are written
 * at their offsets, a byte at a time.
 */
static void
put_bits(unsigned char *body, size_t nbytes, size_t b, uint64_t x,
    unsigned w)
{
	unsigned sh, k;

	while (w > 0) {
		sh = (unsigned)(b & 7);
		k = 8 - sh < w ? 8 - sh : w;
		body[nbytes - 1 - b / 8] |=
		    (unsigned char)((x & mask(k)) << sh);
		x >>= k;
		b += k;
		w -= k;
	}
}

static uint64_t
get_bits(const unsigned char *body, size_t nbytes, size_t b, unsigned w)
{
	uint64_t x = 0;
	unsigned sh, k, got = 0;

	while (got < w) {
		sh = (unsigned)(b & 7);
		k = 8 - sh < w - got ? 8 - sh : w - got;
		x |= (uint64_t)((body[nbytes - 1 - b / 8] >> sh) & mask(k))
		    << got;
		got += k;
		b += k;
	}
	return x;
}

int
egress_encode(const struct egress_schema *s, const struct egress_values *v,
    size_t limit, char **out)
{
	unsigned char stackbuf[STACK_BYTES], *buf;
	size_t nbytes, k, b64len;
	const struct egress_leaf *l;

	if (s->total_bits == 0 || s->total_bits > limit) {
		*out = xstrdup("");
		return 1;
	}
	nbytes = s->total_bits / 8 + (s->total_bits % 8 != 0);
	buf = nbytes + 1 <= sizeof(stackbuf) ? stackbuf : xmalloc(nbytes + 1);
	memset(buf, 0, nbytes + 1);
	for (k = 0; k < s->nleaves; k++) {
		l = &s->leaves[k];
		put_bits(buf, nbytes, l->offset, v->raw[k] & mask(l->width),
		    l->width);
	}
	/* The header byte follows the body: version, then protocol 0. */
	buf[nbytes] = (unsigned char)(s->version << 5);
	b64len = B64_LEN(nbytes + 1) + 1;
	*out = xmalloc(b64len);
	b64_encode(*out, buf, nbytes + 1);
	if (buf != stackbuf)
		free(buf);
	return 0;
}

int
egress_payload_wire(const struct egress_schema *s, const json_t *payload,
    size_t limit, char **out, char *err, size_t errlen)
{
	struct egress_values v;
	int rc;

	*out = NULL;
	egress_values_init(&v, s);
	if (egress_payload_validate(s, payload, &v, err, errlen) != 0)
		rc = -1;
	else
		rc = egress_encode(s, &v, limit, out);
	egress_values_free(&v);
	return rc;
}

int
egress_decode(const struct egress_schema *s, const char *b64,
    struct egress_values *v, char *err, size_t errlen)
{
	unsigned char stackbuf[STACK_BYTES], *buf;
	size_t len, nbytes, want, binlen, k;
	unsigned hdr, top;
	int rc = -1;

	len = strlen(b64);
	if (len == 0)
		return 1;
	if (s->total_bits == 0)
		return fail(err, errlen, "schema has no bits, payload must be "
		    "empty");
	nbytes = s->total_bits / 8 + (s->total_bits % 8 != 0);
	want = nbytes + 1;
	/* Standard base64 with padding: 4 characters per 3 bytes. */
	if (len % 4 != 0 || len / 4 != want / 3 + (want % 3 != 0))
		return fail(err, errlen, "payload of %zu base64 characters, "
		    "schema needs %zu bytes", len, want);
	buf = want <= sizeof(stackbuf) ? stackbuf : xmalloc(want);
	if (b64_decode(buf, want, b64, len, &binlen) != 0) {
		fail(err, errlen, "payload is not valid base64");
		goto out;
	}
	if (binlen != want) {
		fail(err, errlen, "payload of %zu bytes, schema needs %zu",
		    binlen, want);
		goto out;
	}
	hdr = buf[nbytes];
	if ((int)(hdr >> 5) != s->version) {
		fail(err, errlen, "payload version %u, schema version %d",
		    hdr >> 5, s->version);
		goto out;
	}
	if ((hdr & 0x1f) != 0) {
		fail(err, errlen, "payload protocol %u, want 0", hdr & 0x1f);
		goto out;
	}
	top = (unsigned)(s->total_bits % 8);
	if (top != 0 && (buf[0] >> top) != 0) {
		fail(err, errlen, "payload has bits set above its %zu bits",
		    s->total_bits);
		goto out;
	}
	for (k = 0; k < s->nleaves; k++)
		v->raw[k] = get_bits(buf, nbytes, s->leaves[k].offset,
		    s->leaves[k].width);
	rc = 0;
out:
	if (buf != stackbuf)
		free(buf);
	return rc;
}

void
egress_cell(const struct egress_schema *s, const struct egress_values *v,
    size_t k, struct egress_cell *c)
{
	const struct egress_leaf *l = &s->leaves[k];

	c->name = l->name;
	c->is_signed = l->is_signed;
	if (l->is_signed) {
		c->i = sign_extend(v->raw[k] & mask(l->width), l->width);
		c->u = 0;
		snprintf(c->text, sizeof(c->text), "%" PRId64, c->i);
	} else {
		c->u = v->raw[k] & mask(l->width);
		c->i = 0;
		snprintf(c->text, sizeof(c->text), "%" PRIu64, c->u);
	}
}

/* The JSON integer of leaf k, or NULL when it does not fit. */
static json_t *
leaf_json(const struct egress_schema *s, const struct egress_values *v,
    size_t k)
{
	const struct egress_leaf *l = &s->leaves[k];
	uint64_t raw = v->raw[k] & mask(l->width);

	if (l->is_signed)
		return json_integer(sign_extend(raw, l->width));
	if (raw > (uint64_t)INT64_MAX)
		return NULL;
	return json_integer((json_int_t)raw);
}

json_t *
egress_values_to_json(const struct egress_schema *s,
    const struct egress_values *v, char *err, size_t errlen)
{
	const struct egress_feature *f;
	json_t *root, *fa, *val, *x;
	size_t i, j, k;

	root = json_object();
	fa = json_array();
	json_object_set_new(root, "features", fa);
	for (i = 0; i < s->nfeatures; i++) {
		f = &s->features[i];
		k = f->first_leaf;
		switch (f->type) {
		case EGRESS_BOOLEAN:
			val = json_boolean(v->raw[k] & 1);
			break;
		case EGRESS_UNSIGNED:
		case EGRESS_SIGNED:
			if ((val = leaf_json(s, v, k)) == NULL)
				goto toobig;
			break;
		case EGRESS_BUCKET:
			val = json_array();
			for (j = 0; j < f->nleaves; j++)
				json_array_append_new(val, json_pack("{s:b}",
				    "value", (int)(v->raw[k + j] & 1)));
			break;
		case EGRESS_HISTOGRAM:
		default:
			val = json_array();
			for (j = 0; j < f->nsub; j++) {
				if ((x = leaf_json(s, v, k + j)) == NULL) {
					json_decref(val);
					goto toobig;
				}
				json_array_append_new(val, json_pack("{s:s,s:o}",
				    "name", type_names[f->sub[j].type],
				    "value", x));
			}
			break;
		}
		json_array_append_new(fa, json_pack("{s:s,s:o}", "name",
		    type_names[f->type], "value", val));
	}
	return root;
toobig:
	json_decref(root);
	fail(err, errlen, "feature %zu: unsigned value above 2^63-1 does not "
	    "fit a json integer", i);
	return NULL;
}

static void
fill_random(const struct egress_schema *s, struct rng *r,
    struct egress_values *v, int json_safe)
{
	const struct egress_leaf *l;
	size_t k;

	for (k = 0; k < s->nleaves; k++) {
		l = &s->leaves[k];
		if (l->width < 64)
			v->raw[k] = rng_below(r, (uint64_t)1 << l->width);
		else if (json_safe && !l->is_signed)
			v->raw[k] = rng_below(r, (uint64_t)1 << 63);
		else	/* every 64-bit pattern is a valid value */
			v->raw[k] = rng_u64(r);
	}
}

void
egress_values_random(const struct egress_schema *s, struct rng *r,
    struct egress_values *v)
{
	fill_random(s, r, v, 0);
}

json_t *
egress_payload_random(const struct egress_schema *s, struct rng *r)
{
	struct egress_values v;
	json_t *j;

	egress_values_init(&v, s);
	fill_random(s, r, &v, 1);
	j = egress_values_to_json(s, &v, NULL, 0);
	egress_values_free(&v);
	return j;
}

int
egress_noise(struct egress_values *v, const struct egress_schema *s,
    struct rng *r, double p)
{
	if (!rng_bernoulli(r, p))
		return 0;
	fill_random(s, r, v, 0);
	return 1;
}
