#include "jmember.h"
#include "jfast.h"
#include "fnum.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *
skip_ws(struct jmember_it *it, const char *p)
{
	while (p < it->end && is_ws(*p)) {
		p++;
		it->ws = 1;
	}
	return p;
}

/* The first '"' in [p, end), or NULL. */
static const char *
next_quote(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"');
	int mask;

	for (; end - p >= 16; p += 16) {
		mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)p), quote));
		if (mask != 0)
			return p + __builtin_ctz((unsigned)mask);
	}
	for (; p < end; p++)
		if (*p == '"')
			return p;
	return NULL;
#else
	const char *q, *near;

	/* short strings by hand, long ones by memchr */
	near = end - p > 24 ? p + 24 : end;
	for (q = p; q < near && *q != '"'; q++)
		;
	if (q < near)
		return q;
	return q == end ? NULL : memchr(q, '"', (size_t)(end - q));
#endif
}

/* p at an opening quote: the position after the closing quote. */
static const char *
skip_string(const char *p, const char *end)
{
	const char *q, *b;

	for (p++; p < end; p = q + 1) {
		if ((q = next_quote(p, end)) == NULL)
			break;
		/* escaped when an odd number of backslashes precede it */
		for (b = q; b[-1] == '\\'; b--)
			;
		if (((q - b) & 1) == 0)
			return q + 1;
	}
	return end;
}

/* The bytes skip_value() must look at; all others are passed over. */
static const unsigned char special[256] = {
	['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1, [','] = 1,
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

/*
 * The end of the value at p; *ws set when white space occurs inside it
 * outside strings.
 */
static const char *
skip_value(const char *p, const char *end, int *ws)
{
	int depth = 0;

	*ws = 0;
	while (p < end) {
		while (!special[(unsigned char)*p])
			if (++p == end)
				return p;
		switch (*p) {
		case '"':
			p = skip_string(p, end);
			if (depth == 0)
				return p;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return p;	/* the enclosing object's end */
			if (--depth == 0)
				return p + 1;
			break;
		case ',':
			if (depth == 0)
				return p;
			break;
		default:	/* white space */
			if (depth == 0)
				return p;
			*ws = 1;
			break;
		}
		p++;
	}
	return p;
}

int
jmember_start(struct jmember_it *it, const char *text, size_t len)
{
	const char *p;

	it->end = text + len;
	it->ws = 0;
	p = skip_ws(it, text);
	if (p == it->end || *p != '{')
		return -1;
	it->p = p + 1;
	return 0;
}

const char *
jmember_stop(const struct jmember_it *it)
{
	return it->p < it->end && *it->p == '}' ? it->p + 1 : NULL;
}

int
jmember_key_is(const struct jmember *m, const char *k, size_t n)
{
	return m->keylen == n && memcmp(m->key, k, n) == 0;
}

size_t
jmember_all(const char *text, size_t len, size_t want, struct jmember **m,
    size_t *cap)
{
	struct jmember_it it;
	size_t n = 0;

	if (jmember_start(&it, text, len) != 0)
		return 0;
	for (;;) {
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 32;
			*m = xreallocarray(*m, *cap, sizeof(**m));
		}
		if (jmember_next(&it, &(*m)[n]) == 0)
			break;
		n++;
	}
	return !it.ws && n == want ? n : 0;
}

int
jmember_elem_start(struct jmember_it *it, const char *text, size_t len)
{
	const char *p;

	it->end = text + len;
	it->ws = 0;
	p = skip_ws(it, text);
	if (p == it->end || *p != '[')
		return -1;
	it->p = p + 1;
	return 0;
}

int
jmember_elem_next(struct jmember_it *it, const char **val, size_t *vallen)
{
	const char *p = skip_ws(it, it->p), *q;
	int ws;

	if (p < it->end && *p == ',')
		p = skip_ws(it, p + 1);
	if (p >= it->end || *p == ']') {
		it->p = it->end;
		return 0;
	}
	q = skip_value(p, it->end, &ws);
	*val = p;
	*vallen = (size_t)(q - p);
	it->ws |= ws;
	it->p = q;
	return 1;
}

int
jmember_next(struct jmember_it *it, struct jmember *m)
{
	const char *p = skip_ws(it, it->p), *q;
	int ws;

	if (p < it->end && *p == ',')
		p = skip_ws(it, p + 1);
	if (p >= it->end || *p != '"') {
		it->p = p;	/* the closing brace: jmember_stop() */
		return 0;
	}
	q = skip_string(p, it->end);
	m->key = p + 1;
	m->keylen = (size_t)(q - p) - 2;
	p = skip_ws(it, q);
	if (p < it->end && *p == ':')
		p++;
	p = skip_ws(it, p);
	q = skip_value(p, it->end, &ws);
	m->val = p;
	m->vallen = (size_t)(q - p);
	m->compact = !ws;
	it->ws |= ws;
	it->p = q;
	return 1;
}

/* The checking walk. */

struct chk {
	const unsigned char	*p, *end;
	int			 depth;
	struct jtape		*t;		/* or NULL: no tape */
	/* jmember_scan_tape: the top-level member whose value is taped */
	const char		*tkey;
	size_t			 tkeylen;
	struct jtape		*tsel;
	long			 tnode;
};

static int chk_value(struct chk *c);
static int chk_array(struct chk *c, size_t *count);

static int
hexval(int h)
{
	if (h >= '0' && h <= '9')
		return h - '0';
	if (h >= 'a' && h <= 'f')
		return h - 'a' + 10;
	if (h >= 'A' && h <= 'F')
		return h - 'A' + 10;
	return -1;
}

/*
 * The first byte at or after p that is not printable ASCII other than
 * '"' and '\\' (or end): sixteen bytes at a time with SSE2 (every
 * x86-64 has it), then eight at a time while they last.
 */
static const unsigned char *
plain_run(const unsigned char *p, const unsigned char *end)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t high = UINT64_C(0x8080808080808080);
	uint64_t w, q, b;
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\');
	const __m128i sp = _mm_set1_epi8(0x20);
	__m128i x;
	int mask;

	while (end - p >= 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* as signed bytes, >= 0x80 is below 0x20 too */
		mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(x, sp),
		    _mm_or_si128(_mm_cmpeq_epi8(x, quote),
		    _mm_cmpeq_epi8(x, bsl))));
		if (mask != 0)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	while (end - p >= 8) {
		memcpy(&w, p, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		/* a byte < 0x20, >= 0x80, '"' or '\\' sets its high bit */
		if (((w - ones * 0x20) | w | (q - ones) | (b - ones)) & high)
			break;
		p += 8;
	}
	while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
		p++;
	return p;
}

/* A string at c->p (the quote); *esc set when it holds a backslash. */
static int
chk_string(struct chk *c, int *esc)
{
	const unsigned char *p = c->p + 1, *end = c->end;
	size_t k;
	int i, v, h;

	*esc = 0;
	for (;;) {
		p = plain_run(p, end);
		if (p == end || *p < 0x20)
			return -1;
		if (*p == '"')
			break;
		if (*p >= 0x80) {
			if ((k = jfast_utf8_len(p, end)) == 0)
				return -1;
			p += k;
			continue;
		}
		*esc = 1;
		if (end - p < 2)
			return -1;
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			continue;
		case 'u':
			if (end - p < 6)
				return -1;
			for (v = 0, i = 2; i < 6; i++) {
				if ((h = hexval(p[i])) < 0)
					return -1;
				v = v * 16 + h;
			}
			/* NUL and surrogates: jansson's rules, not ours */
			if (v == 0 || (v >= 0xD800 && v <= 0xDFFF))
				return -1;
			p += 6;
			continue;
		default:
			return -1;
		}
	}
	c->p = p + 1;
	return 0;
}

static int
digits(struct chk *c)
{
	int n = 0;
#ifdef __SSE2__
	const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
	__m128i t;
	unsigned mask;

	/* sixteen at a time: a digit less '0' is at most 9, unsigned */
	while (c->end - c->p >= 16) {
		t = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)
		    c->p), zero);
		mask = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		    _mm_max_epu8(t, nine), nine)) & 0xffff;
		if (mask != 0) {
			c->p += __builtin_ctz(mask);
			return n + __builtin_ctz(mask);
		}
		c->p += 16;
		n += 16;
	}
#endif
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		c->p++;
		n++;
	}
	return n;
}

/*
 * A number: the JSON grammar; integers of at most 18 digits (no 64-bit
 * overflow), reals with at most 200 integer digits and an exponent of at
 * most two digits (no double overflow).
 */
static int
chk_number(struct chk *c, int *isreal)
{
	int nint, nexp, real = 0;

	if (*c->p == '-')
		c->p++;
	if (c->p == c->end)
		return -1;
	if (*c->p == '0') {
		c->p++;
		nint = 1;
	} else if (*c->p >= '1' && *c->p <= '9')
		nint = digits(c);
	else
		return -1;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		real = 1;
		if (digits(c) == 0)
			return -1;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		real = 1;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if ((nexp = digits(c)) == 0 || nexp > 2)
			return -1;
	}
	*isreal = real;
	return real ? (nint > 200 ? -1 : 0) : (nint > 18 ? -1 : 0);
}

static int
chk_literal(struct chk *c, const char *lit, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

/*
 * An object at c->p; with top set, its members go to m (*n of them).
 */
/*
 * A key's fingerprint for the duplicate check: equal keys have equal
 * fingerprints, so only keys whose fingerprints agree are compared.
 */
static uint64_t
fingerprint(const unsigned char *k, size_t n)
{
	uint64_t a = 0, b = 0;
	size_t i;

	/*
	 * The first 8 bytes as a little-endian number.  A short key is
	 * gathered byte by byte: a memcpy of fewer than 8 bytes into a
	 * word read back at once stalls the load on the narrower stores.
	 */
	if (n >= 8)
		memcpy(&a, k, 8);
	else
		for (i = 0; i < n; i++)
			a |= (uint64_t)k[i] << (8 * i);
	if (n > 8)
		memcpy(&b, k + n - 8, 8);
	return (a * UINT64_C(0x9e3779b97f4a7c15)) ^
	    (b * UINT64_C(0xc2b2ae3d27d4eb4f)) ^ n;
}

/* Objects of more keys than CHK_LINEAR find duplicates by a hash set. */
#define CHK_LINEAR	8
#define CHK_SLOTS	(2 * JMEMBER_MAXKEYS)
#define FP_SLOT(fp)	((size_t)((fp) >> 32) % CHK_SLOTS)

static int
chk_object(struct chk *c, struct jmember *m, size_t *n)
{
	const unsigned char *key[JMEMBER_MAXKEYS];
	size_t klen[JMEMBER_MAXKEYS], nk = 0, i;
	uint64_t fp[JMEMBER_MAXKEYS];
	unsigned char slot[CHK_SLOTS];
	const unsigned char *v;
	size_t ti, h;
	int esc;

	c->p++;
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		if (n != NULL)
			*n = 0;
		return 0;
	}
	for (;;) {
		if (c->p == c->end || *c->p != '"' || nk == JMEMBER_MAXKEYS)
			return -1;
		key[nk] = c->p + 1;
		if (chk_string(c, &esc) == -1 || esc)
			return -1;
		klen[nk] = (size_t)(c->p - key[nk]) - 1;
		fp[nk] = fingerprint(key[nk], klen[nk]);
		if (nk < CHK_LINEAR) {
			for (i = 0; i < nk; i++)
				if (fp[i] == fp[nk] && klen[i] == klen[nk] &&
				    memcmp(key[i], key[nk], klen[nk]) == 0)
					return -1;
		} else {
			/* many keys: a hash set of the fingerprints */
			if (nk == CHK_LINEAR) {
				memset(slot, 0, sizeof(slot));
				for (i = 0; i < nk; i++) {
					for (h = FP_SLOT(fp[i]); slot[h] != 0;
					    h = (h + 1) % CHK_SLOTS)
						;
					slot[h] = (unsigned char)(i + 1);
				}
			}
			for (h = FP_SLOT(fp[nk]); slot[h] != 0;
			    h = (h + 1) % CHK_SLOTS) {
				i = slot[h] - 1u;
				if (fp[i] == fp[nk] && klen[i] == klen[nk] &&
				    memcmp(key[i], key[nk], klen[nk]) == 0)
					return -1;
			}
			slot[h] = (unsigned char)(nk + 1);
		}
		if (c->p == c->end || *c->p != ':')
			return -1;
		c->p++;
		v = c->p;
		if (m != NULL && c->tsel != NULL && klen[nk] == c->tkeylen &&
		    memcmp(key[nk], c->tkey, klen[nk]) == 0) {
			c->t = c->tsel;		/* this member's value only */
			c->tnode = (long)c->t->n;
		}
		ti = c->t != NULL ? c->t->n : 0;
		if (chk_value(c) == -1)
			return -1;
		if (c->t != NULL) {
			c->t->v[ti].key = (const char *)key[nk];
			c->t->v[ti].keylen = (uint32_t)klen[nk];
			if (m != NULL && c->tsel != NULL)
				c->t = NULL;
		}
		if (m != NULL) {
			m[nk].key = (const char *)key[nk];
			m[nk].keylen = klen[nk];
			m[nk].val = (const char *)v;
			m[nk].vallen = (size_t)(c->p - v);
			m[nk].compact = 1;
		}
		nk++;
		if (c->p == c->end)
			return -1;
		if (*c->p == '}') {
			c->p++;
			if (n != NULL)
				*n = nk;
			return 0;
		}
		if (*c->p != ',')
			return -1;
		c->p++;
	}
}

static int
chk_array(struct chk *c, size_t *count)
{
	size_t k = 0;

	c->p++;
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		*count = 0;
		return 0;
	}
	for (;;) {
		if (chk_value(c) == -1 || c->p == c->end)
			return -1;
		k++;
		if (*c->p == ']') {
			c->p++;
			*count = k;
			return 0;
		}
		if (*c->p != ',')
			return -1;
		c->p++;
	}
}

static int
chk_value_at(struct chk *c, size_t *count, int *esc, int *real)
{
	int rc;

	if (c->p == c->end)
		return -1;
	switch (*c->p) {
	case '{':
	case '[':
		if (++c->depth > JMEMBER_MAXDEPTH)
			return -1;
		rc = *c->p == '{' ? chk_object(c, NULL, count) :
		    chk_array(c, count);
		c->depth--;
		return rc;
	case '"':
		return chk_string(c, esc);
	case 't':
		return chk_literal(c, "true", 4);
	case 'f':
		return chk_literal(c, "false", 5);
	case 'n':
		return chk_literal(c, "null", 4);
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return chk_number(c, real);
		return -1;
	}
}

/* A value at c->p; on the tape, when there is one, as a node. */
static int
chk_value(struct chk *c)
{
	struct jtape *t = c->t;
	struct jnode *v;
	const unsigned char *start = c->p;
	size_t i, count = 0;
	int esc = 0, real = 0;

	if (t == NULL)
		return chk_value_at(c, &count, &esc, &real);
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		if (t->cap > UINT32_MAX)
			return -1;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	i = t->n++;
	if (chk_value_at(c, &count, &esc, &real) == -1)
		return -1;
	if ((size_t)(c->p - start) > UINT32_MAX || t->n > UINT32_MAX)
		return -1;
	v = &t->v[i];
	v->key = NULL;
	v->keylen = 0;
	v->val = (const char *)start;
	v->vallen = (uint32_t)(c->p - start);
	v->next = (uint32_t)t->n;
	v->n = (uint32_t)count;
	v->type = *start == '-' || (*start >= '0' && *start <= '9') ?
	    JNODE_NUMBER : *start;
	v->esc = (unsigned char)esc;
	v->real = (unsigned char)real;
	return 0;
}

int
jmember_scan(const char *text, size_t len, struct jmember *m, size_t *n)
{
	return jmember_scan_tape(text, len, m, n, NULL, 0, NULL, NULL);
}

int
jmember_scan_tape(const char *text, size_t len, struct jmember *m,
    size_t *n, const char *key, size_t keylen, struct jtape *t, long *node)
{
	struct chk c;

	memset(&c, 0, sizeof(c));
	c.p = (const unsigned char *)text;
	c.end = c.p + len;
	c.depth = 1;
	c.tkey = key;
	c.tkeylen = keylen;
	c.tsel = key != NULL ? t : NULL;
	c.tnode = -1;
	if (c.tsel != NULL)
		c.tsel->n = 0;
	*n = 0;
	if (node != NULL)
		*node = -1;
	if (len < 2 || text[0] != '{' || len > UINT32_MAX)
		return -1;
	if (chk_object(&c, m, n) == -1 || c.p != c.end)
		return -1;
	if (node != NULL)
		*node = c.tnode;
	return 0;
}

/* The value at *pp, of text ending at end; *pp moves past it. */
static json_t *
value_at(const char **pp, const char *end)
{
	const char *p = *pp, *q, *k;
	json_t *v, *x;
	char tmp[64], *e;
	double d;
	int ws;

	if (p >= end)
		return NULL;
	switch (*p) {
	case '{':
		v = json_object();
		p++;
		while (p < end && *p != '}') {
			if (*p == ',')
				p++;
			if (p >= end || *p != '"')
				goto bad;
			k = p + 1;
			q = skip_string(p, end);
			if (q >= end || *q != ':' || memchr(k, '\\',
			    (size_t)(q - k)) != NULL)
				goto bad;
			p = q + 1;
			/* keys of a vouched line: no escapes, no NUL */
			if ((x = value_at(&p, end)) == NULL ||
			    json_object_setn_new_nocheck(v, k,
			    (size_t)(q - 1 - k), x) != 0)
				goto bad;
		}
		break;
	case '[':
		v = json_array();
		p++;
		while (p < end && *p != ']') {
			if (*p == ',')
				p++;
			if ((x = value_at(&p, end)) == NULL ||
			    json_array_append_new(v, x) != 0)
				goto bad;
		}
		break;
	case '"':
		q = skip_string(p, end);
		if (memchr(p, '\\', (size_t)(q - p)) != NULL)
			v = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY, NULL);
		else
			v = json_stringn_nocheck(p + 1, (size_t)(q - p) - 2);
		*pp = q;
		return v;
	case 't':
		*pp = p + 4;
		return json_true();
	case 'f':
		*pp = p + 5;
		return json_false();
	case 'n':
		*pp = p + 4;
		return json_null();
	default:
		q = skip_value(p, end, &ws);
		if (q == p)
			return NULL;
		if (memchr(p, '.', (size_t)(q - p)) != NULL ||
		    memchr(p, 'e', (size_t)(q - p)) != NULL ||
		    memchr(p, 'E', (size_t)(q - p)) != NULL) {
			if (fnum_parse(p, (size_t)(q - p), &d) != 0)
				return NULL;
			v = json_real(d);
		} else {
			if ((size_t)(q - p) >= sizeof(tmp))
				return NULL;
			memcpy(tmp, p, (size_t)(q - p));
			tmp[q - p] = '\0';
			v = json_integer(strtoll(tmp, &e, 10));
			if (*e != '\0') {
				json_decref(v);
				return NULL;
			}
		}
		*pp = q;
		return v;
	}
	if (p >= end) {
bad:
		json_decref(v);
		return NULL;
	}
	*pp = p + 1;
	return v;
}

json_t *
jmember_value(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	json_t *v = value_at(&p, end);

	if (v != NULL && p != end) {
		json_decref(v);
		return NULL;
	}
	return v;
}

int
jtape_scan(const char *text, size_t len, struct jtape *t)
{
	if (len < 2 || text[0] != '{')
		return -1;
	return jtape_scan_value(text, len, t);
}

int
jtape_scan_value(const char *text, size_t len, struct jtape *t)
{
	struct chk c;

	memset(&c, 0, sizeof(c));
	c.p = (const unsigned char *)text;
	c.end = c.p + len;
	c.depth = 0;		/* the value itself is level 1 */
	c.t = t;
	t->n = 0;
	if (len == 0 || len > UINT32_MAX)
		return -1;
	if (chk_value(&c) == -1 || c.p != c.end)
		return -1;
	return 0;
}

long
jtape_find(const struct jtape *t, long i, const char *key, size_t len)
{
	const struct jnode *o;
	size_t j;

	if (i < 0 || t->v[i].type != JNODE_OBJECT)
		return -1;
	o = &t->v[i];
	for (j = (size_t)i + 1; j < o->next; j = t->v[j].next)
		if (t->v[j].keylen == len && memcmp(t->v[j].key, key,
		    len) == 0)
			return (long)j;
	return -1;
}

double
jtape_number(const struct jnode *v)
{
	const char *p = v->val, *end = v->val + v->vallen;
	long long x = 0;
	double d;
	int neg = 0;

	if (v->real) {
		if (fnum_parse(v->val, v->vallen, &d) != 0)
			return 0;	/* cannot happen: the scan checked it */
		return d;
	}
	/* at most 18 digits: no overflow; "-0" is the integer 0 */
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++)
		x = x * 10 + (*p - '0');
	return (double)(neg ? -x : x);
}

void
jtape_free(struct jtape *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}
