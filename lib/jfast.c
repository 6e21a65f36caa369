#include "jfast.h"

#include <stdlib.h>
#include <string.h>

#include "jw.h"

#define JF_MAXDEPTH	64
#define JF_MAXKEYS	32

struct span {
	const char	*p;
	size_t		 n;
};

struct scan {
	const char	*p, *end;
	int		 depth;
	/* top-level bookkeeping */
	const char *const *keys;
	size_t		 nkeys, nvals;
	struct jfast_num **vals;
	size_t		 keylen[16];
	unsigned	 found;		/* bit i: keys[i] seen */
};

static int value(struct scan *s, struct span *numtext);

size_t
jfast_utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];

	if (c >= 0xC2 && c <= 0xDF)
		return end - p >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0)
			return 0;		/* overlong */
		if (c == 0xED && p[1] >= 0xA0)
			return 0;		/* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (end - p < 4 || (p[1] & 0xC0) != 0x80 ||
		    (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90)
			return 0;
		if (c == 0xF4 && p[1] >= 0x90)
			return 0;		/* beyond U+10FFFF */
		return 4;
	}
	return 0;
}

static int
hexlow(int c)
{
	return (c >= '0' && c <= '9') ? c - '0' :
	    (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* A canonical string at s->p (the opening quote); sets *sp to its body. */
static int
string(struct scan *s, struct span *sp)
{
	const unsigned char *p = (const unsigned char *)s->p + 1;
	const unsigned char *end = (const unsigned char *)s->end;
	size_t k;
	int h1, h2, v;

	sp->p = (const char *)p;
	for (;;) {
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' &&
		    *p != '\\')
			p++;
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
		/* a backslash: only the escapes jw_string writes */
		if (end - p < 2)
			return -1;
		switch (p[1]) {
		case '"': case '\\': case 'b': case 'f': case 'n': case 'r':
		case 't':
			p += 2;
			continue;
		case 'u':
			if (end - p < 6 || p[2] != '0' || p[3] != '0')
				return -1;
			h1 = hexlow(p[4]);
			h2 = hexlow(p[5]);
			if (h1 < 0 || h2 < 0)
				return -1;
			v = h1 * 16 + h2;
			/* \u0000 is refused by jansson; the others have short forms */
			if (v == 0 || v >= 0x20 || v == '\b' || v == '\f' ||
			    v == '\n' || v == '\r' || v == '\t')
				return -1;
			p += 6;
			continue;
		default:
			return -1;
		}
	}
	sp->n = (size_t)((const char *)p - sp->p);
	s->p = (const char *)p + 1;
	return 0;
}

static int
number(struct scan *s, struct span *text)
{
	const char *p = s->p, *start = p;
	char tmp[40], *copy;
	int real = 0, ndig = 0;
	double d;

	if (*p == '-')
		p++;
	if (p == s->end)
		return -1;
	if (*p == '0') {
		p++;
		ndig = 1;
	} else if (*p >= '1' && *p <= '9') {
		while (p < s->end && *p >= '0' && *p <= '9') {
			p++;
			ndig++;
		}
	} else
		return -1;
	if (p < s->end && *p == '.') {
		real = 1;
		p++;
		if (p == s->end || *p < '0' || *p > '9')
			return -1;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		real = 1;
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p == s->end || *p < '0' || *p > '9')
			return -1;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	text->p = start;
	text->n = (size_t)(p - start);
	if (!real) {
		if (ndig > 18 || (text->n == 2 && start[0] == '-' && start[1] == '0'))
			return -1;
	} else {
		/* canonical only if jw_real spells the value the same way */
		struct buf b = { tmp, 0, sizeof(tmp) };

		if (text->n >= sizeof(tmp))
			return -1;
		memcpy(tmp, start, text->n);
		tmp[text->n] = '\0';
		d = strtod(tmp, NULL);
		copy = tmp;
		jw_real(&b, d);
		if (b.p != copy) {		/* grew: cannot be equal */
			free(b.p);
			return -1;
		}
		if (b.len != text->n || memcmp(tmp, start, text->n) != 0)
			return -1;
	}
	s->p = p;
	return 0;
}

static int
literal(struct scan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int
is_int(const char *p, size_t n)
{
	return memchr(p, '.', n) == NULL && memchr(p, 'e', n) == NULL &&
	    memchr(p, 'E', n) == NULL;
}

/* A canonical integer of at most 18 digits: exact in 64 bits. */
static double
int_value(const char *p, size_t n)
{
	long long v = 0;
	size_t i = *p == '-';

	for (; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return (double)(*p == '-' ? -v : v);
}

static int
object(struct scan *s)
{
	struct span keys[JF_MAXKEYS], num;
	size_t nk = 0, i;
	int top = s->depth == 1;

	s->p++;					/* '{' */
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (s->p == s->end || *s->p != '"' || nk == JF_MAXKEYS)
			return -1;
		if (string(s, &keys[nk]) == -1)
			return -1;
		for (i = 0; i < nk; i++)
			if (keys[i].n == keys[nk].n &&
			    memcmp(keys[i].p, keys[nk].p, keys[i].n) == 0)
				return -1;	/* duplicate: jansson's error */
		if (s->p == s->end || *s->p != ':')
			return -1;
		s->p++;
		num.p = NULL;
		if (value(s, &num) == -1)
			return -1;
		if (top) {
			for (i = 0; i < s->nkeys; i++) {
				if (s->keylen[i] != keys[nk].n ||
				    memcmp(s->keys[i], keys[nk].p, keys[nk].n) != 0)
					continue;
				if (i >= s->nvals || num.p == NULL)
					return -1;
				s->found |= 1u << i;
				s->vals[i]->is_int = is_int(num.p, num.n);
				s->vals[i]->v = s->vals[i]->is_int ?
				    int_value(num.p, num.n) : strtod(num.p, NULL);
			}
		}
		nk++;
		if (s->p == s->end)
			return -1;
		if (*s->p == '}') {
			s->p++;
			return 0;
		}
		if (*s->p != ',')
			return -1;
		s->p++;
	}
}

static int
array(struct scan *s)
{
	struct span num;

	s->p++;					/* '[' */
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (value(s, &num) == -1)
			return -1;
		if (s->p == s->end)
			return -1;
		if (*s->p == ']') {
			s->p++;
			return 0;
		}
		if (*s->p != ',')
			return -1;
		s->p++;
	}
}

static int
value(struct scan *s, struct span *numtext)
{
	struct span sp;
	int rc;

	if (s->p == s->end)
		return -1;
	switch (*s->p) {
	case '{':
	case '[':
		if (++s->depth > JF_MAXDEPTH)
			return -1;
		rc = *s->p == '{' ? object(s) : array(s);
		s->depth--;
		return rc;
	case '"':
		return string(s, &sp);
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case 'n':
		return literal(s, "null", 4);
	default:
		return number(s, numtext);
	}
}

int
jfast_flat_numbers(const char *line, size_t len, const char *const *keys,
    size_t nkeys, struct jfast_num **vals, size_t nvals)
{
	struct scan s;
	struct span num;

	if (len < 2 || line[0] != '{' || nkeys > 16)
		return -1;
	memset(&s, 0, sizeof(s));
	s.p = line;
	s.end = line + len;
	s.keys = keys;
	s.nkeys = nkeys;
	s.nvals = nvals;
	s.vals = vals;
	for (size_t i = 0; i < nkeys; i++)
		s.keylen[i] = strlen(keys[i]);
	if (value(&s, &num) == -1 || s.p != s.end)
		return -1;
	if (nvals > 0 && s.found != (1u << nvals) - 1)
		return -1;
	return 0;
}

int
jfast_canonical(const char *line, size_t len)
{
	struct scan s;
	struct span num;

	memset(&s, 0, sizeof(s));
	s.p = line;
	s.end = line + len;
	s.depth = 1;	/* no top-level key bookkeeping */
	if (value(&s, &num) == -1 || s.p != s.end)
		return -1;
	return 0;
}
