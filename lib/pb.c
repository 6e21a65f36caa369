#include "pb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "diag.h"

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

/* ---- encoding ---- */

static size_t
varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static unsigned char *
put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* A length-delimited field: tag, length, then the caller's bytes. */
static unsigned char *
put_len(unsigned char *p, unsigned field, size_t len)
{
	p = put_varint(p, (uint64_t)field << 3 | WT_LEN);
	return put_varint(p, len);
}

static unsigned char *
put_bytes(unsigned char *p, unsigned field, struct pb_bytes b)
{
	p = put_len(p, field, b.len);
	if (b.len > 0)
		memcpy(p, b.p, b.len);
	return p + b.len;
}

/* Size of a length-delimited field of body n, field numbers < 16. */
static size_t
len_field_size(size_t n)
{
	return 1 + varint_size(n) + n;
}

static size_t
app_signals_size(const struct pb_app_signals *s)
{
	size_t n = 0;

	if (s->app_install_signals.len > 0)
		n += len_field_size(s->app_install_signals.len);
	if (s->encoding_version != 0)	/* int32: sign-extended */
		n += 1 + varint_size((uint64_t)(int64_t)s->encoding_version);
	return n;
}

size_t
pb_buyer_input_size(const struct pb_buyer_input *m)
{
	return m->has_app_signals ?
	    len_field_size(app_signals_size(&m->app_signals)) : 0;
}

size_t
pb_buyer_input_encode(const struct pb_buyer_input *m, unsigned char *out)
{
	const struct pb_app_signals *s = &m->app_signals;
	unsigned char *p = out;

	if (!m->has_app_signals)
		return 0;
	p = put_len(p, 2, app_signals_size(s));
	if (s->app_install_signals.len > 0)
		p = put_bytes(p, 1, s->app_install_signals);
	if (s->encoding_version != 0) {
		*p++ = 2 << 3 | WT_VARINT;
		p = put_varint(p, (uint64_t)(int64_t)s->encoding_version);
	}
	return (size_t)(p - out);
}

static size_t
entry_size(const struct pb_entry *e)
{
	return len_field_size(e->key.len) + len_field_size(e->value.len);
}

size_t
pb_pai_size(const struct pb_pai *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nbuyer_input; i++)
		n += len_field_size(entry_size(&m->buyer_input[i]));
	if (m->publisher_name.len > 0)
		n += len_field_size(m->publisher_name.len);
	if (m->generation_id.len > 0)
		n += len_field_size(m->generation_id.len);
	if (m->enable_unlimited_egress)
		n += 2;
	if (m->request_timestamp_ms != 0)
		n += 1 + varint_size((uint64_t)m->request_timestamp_ms);
	return n;
}

size_t
pb_pai_encode(const struct pb_pai *m, unsigned char *out)
{
	unsigned char *p = out;
	size_t i;

	for (i = 0; i < m->nbuyer_input; i++) {
		p = put_len(p, 1, entry_size(&m->buyer_input[i]));
		p = put_bytes(p, 1, m->buyer_input[i].key);
		p = put_bytes(p, 2, m->buyer_input[i].value);
	}
	if (m->publisher_name.len > 0)
		p = put_bytes(p, 2, m->publisher_name);
	if (m->generation_id.len > 0)
		p = put_bytes(p, 4, m->generation_id);
	if (m->enable_unlimited_egress) {
		*p++ = 6 << 3 | WT_VARINT;
		*p++ = 1;
	}
	if (m->request_timestamp_ms != 0) {
		*p++ = 7 << 3 | WT_VARINT;
		p = put_varint(p, (uint64_t)m->request_timestamp_ms);
	}
	return (size_t)(p - out);
}

/* ---- decoding ---- */

struct rd {
	const unsigned char	*p, *end;
	char			*err;
	size_t			 errlen;
};

static int
get_varint(struct rd *r, uint64_t *v)
{
	unsigned shift;
	uint64_t x = 0;

	for (shift = 0; shift < 70; shift += 7) {
		if (r->p == r->end) {
			diag_errf(r->err, r->errlen, "protobuf: truncated varint");
			return -1;
		}
		x |= (uint64_t)(*r->p & 0x7f) << shift;
		if ((*r->p++ & 0x80) == 0) {
			*v = x;
			return 0;
		}
	}
	diag_errf(r->err, r->errlen, "protobuf: varint longer than 10 bytes");
	return -1;
}

/* Reads a tag; 0 at the end of the message, 1 on a tag, -1 on error. */
static int
get_tag(struct rd *r, uint32_t *field, unsigned *wt)
{
	uint64_t t;

	if (r->p == r->end)
		return 0;
	if (get_varint(r, &t) != 0)
		return -1;
	*field = (uint32_t)(t >> 3);
	*wt = (unsigned)(t & 7);
	if ((t >> 3) == 0 || (t >> 3) > 0x1fffffff) {
		diag_errf(r->err, r->errlen, "protobuf: invalid field number");
		return -1;
	}
	return 1;
}

static int
get_len(struct rd *r, uint32_t field, struct pb_bytes *b)
{
	uint64_t n;

	if (get_varint(r, &n) != 0)
		return -1;
	if (n > (uint64_t)(r->end - r->p)) {
		diag_errf(r->err, r->errlen, "protobuf: field %lu runs past the "
		    "end of its message", (unsigned long)field);
		return -1;
	}
	b->p = r->p;
	b->len = (size_t)n;
	r->p += n;
	return 0;
}

static int
skip(struct rd *r, uint32_t field, unsigned wt)
{
	struct pb_bytes b;
	uint64_t v;
	size_t n;

	switch (wt) {
	case WT_VARINT:
		return get_varint(r, &v);
	case WT_LEN:
		return get_len(r, field, &b);
	case WT_I64:
	case WT_I32:
		n = wt == WT_I64 ? 8 : 4;
		if ((size_t)(r->end - r->p) < n) {
			diag_errf(r->err, r->errlen, "protobuf: field %lu runs "
			    "past the end of its message",
			    (unsigned long)field);
			return -1;
		}
		r->p += n;
		return 0;
	default:
		diag_errf(r->err, r->errlen, "protobuf: unsupported wire type %u "
		    "(field %lu)", wt, (unsigned long)field);
		return -1;
	}
}

static int
get_string(struct rd *r, uint32_t field, struct pb_bytes *b,
    const char *name)
{
	if (get_len(r, field, b) != 0)
		return -1;
	if (!pb_utf8_valid(b->p, b->len)) {
		diag_errf(r->err, r->errlen, "protobuf: %s is not UTF-8", name);
		return -1;
	}
	return 0;
}

static int
decode_app_signals(struct pb_app_signals *s, struct pb_bytes body,
    char *err, size_t errlen)
{
	struct rd r = { body.p, body.p + body.len, err, errlen };
	uint32_t field;
	unsigned wt;
	uint64_t v;
	int rc;

	while ((rc = get_tag(&r, &field, &wt)) == 1) {
		if (field == 1 && wt == WT_LEN)
			rc = get_len(&r, field, &s->app_install_signals);
		else if (field == 2 && wt == WT_VARINT) {
			rc = get_varint(&r, &v);
			s->encoding_version = (int32_t)(uint32_t)v;
		} else
			rc = skip(&r, field, wt);
		if (rc != 0)
			return -1;
	}
	return rc;
}

int
pb_buyer_input_decode(struct pb_buyer_input *m, const unsigned char *buf,
    size_t len, char *err, size_t errlen)
{
	struct rd r = { buf, buf + len, err, errlen };
	struct pb_bytes body;
	uint32_t field;
	unsigned wt;
	int rc;

	memset(m, 0, sizeof(*m));
	while ((rc = get_tag(&r, &field, &wt)) == 1) {
		if (field == 2 && wt == WT_LEN) {
			/* a repeated embedded message merges into the first */
			if (get_len(&r, field, &body) != 0 ||
			    decode_app_signals(&m->app_signals, body, err,
			    errlen) != 0)
				return -1;
			m->has_app_signals = 1;
		} else if (skip(&r, field, wt) != 0)
			return -1;
	}
	return rc;
}

static int
decode_entry(struct pb_entry *e, struct pb_bytes body, char *err,
    size_t errlen)
{
	struct rd r = { body.p, body.p + body.len, err, errlen };
	uint32_t field;
	unsigned wt;
	int rc;

	memset(e, 0, sizeof(*e));
	while ((rc = get_tag(&r, &field, &wt)) == 1) {
		if (field == 1 && wt == WT_LEN)
			rc = get_string(&r, field, &e->key,
			    "a buyer_input key");
		else if (field == 2 && wt == WT_LEN)
			rc = get_len(&r, field, &e->value);
		else
			rc = skip(&r, field, wt);
		if (rc != 0)
			return -1;
	}
	return rc;
}

int
pb_pai_decode(struct pb_pai *m, const unsigned char *buf, size_t len,
    char *err, size_t errlen)
{
	struct rd r = { buf, buf + len, err, errlen };
	struct pb_bytes body;
	uint32_t field;
	unsigned wt;
	uint64_t v;
	size_t cap = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	while ((rc = get_tag(&r, &field, &wt)) == 1) {
		if (field == 1 && wt == WT_LEN) {
			if (get_len(&r, field, &body) != 0)
				goto fail;
			if (m->nbuyer_input == cap) {
				cap = cap ? 2 * cap : 8;
				m->buyer_input = xreallocarray(m->buyer_input,
				    cap, sizeof(*m->buyer_input));
			}
			if (decode_entry(&m->buyer_input[m->nbuyer_input],
			    body, err, errlen) != 0)
				goto fail;
			m->nbuyer_input++;
			continue;
		}
		if (field == 2 && wt == WT_LEN)
			rc = get_string(&r, field, &m->publisher_name,
			    "publisher_name");
		else if (field == 4 && wt == WT_LEN)
			rc = get_string(&r, field, &m->generation_id,
			    "generation_id");
		else if ((field == 6 || field == 7) && wt == WT_VARINT) {
			rc = get_varint(&r, &v);
			if (field == 6)
				m->enable_unlimited_egress = v != 0;
			else
				m->request_timestamp_ms = (int64_t)v;
		} else
			rc = skip(&r, field, wt);
		if (rc != 0)
			goto fail;
	}
	if (rc == 0)
		return 0;
fail:
	pb_pai_clear(m);
	return -1;
}

void
pb_pai_clear(struct pb_pai *m)
{
	if (m == NULL)
		return;
	free(m->buyer_input);
	memset(m, 0, sizeof(*m));
}

int
pb_utf8_valid(const void *p, size_t n)
{
	const unsigned char *s = p, *end = s + n;
	unsigned c;
	size_t k, i;

	while (s < end) {
		c = *s;
		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3;
		else
			return 0;
		if ((size_t)(end - s) <= k)
			return 0;
		for (i = 1; i <= k; i++)
			if ((s[i] & 0xc0) != 0x80)
				return 0;
		if ((c == 0xe0 && s[1] < 0xa0) ||	/* overlong */
		    (c == 0xed && s[1] > 0x9f) ||	/* surrogate */
		    (c == 0xf0 && s[1] < 0x90) ||	/* overlong */
		    (c == 0xf4 && s[1] > 0x8f))		/* > U+10FFFF */
			return 0;
		s += k + 1;
	}
	return 1;
}
