#include "jsize.h"

#include <stdint.h>

#include "jfast.h"

#define JSIZE_DEPTH	256	/* deeper: json_dumpb counts */

/* jansson's compact string: quotes and escapes.  0 on invalid UTF-8. */
static size_t
str_size(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n = 2, k;

	while (p < end) {
		if (*p >= 0x80) {
			if ((k = jfast_utf8_len(p, end)) == 0)
				return 0;
			n += k;
			p += k;
			continue;
		}
		if (*p == '"' || *p == '\\' || *p == '\b' || *p == '\f' ||
		    *p == '\n' || *p == '\r' || *p == '\t')
			n += 2;
		else if (*p < 0x20)
			n += 6;
		else
			n++;
		p++;
	}
	return n;
}

static size_t
int_size(json_int_t i)
{
	uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
	size_t n = i < 0 ? 2 : 1;

	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

/* The size of v, or 0 when the caller must ask json_dumpb. */
static size_t
walk(const json_t *v, int depth)
{
	const char *k;
	size_t n, i, m, s;
	void *it;

	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_TRUE:
		return 4;
	case JSON_FALSE:
		return 5;
	case JSON_INTEGER:
		return int_size(json_integer_value(v));
	case JSON_STRING:
		return str_size(json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		if (depth >= JSIZE_DEPTH)
			return 0;
		m = json_array_size(v);
		n = m > 0 ? 1 + m : 2;		/* brackets and commas */
		for (i = 0; i < m; i++) {
			if ((s = walk(json_array_get(v, i), depth + 1)) == 0)
				return 0;
			n += s;
		}
		return n;
	case JSON_OBJECT:
		if (depth >= JSIZE_DEPTH)
			return 0;
		m = json_object_size(v);
		n = m > 0 ? 1 + 2 * m : 2;	/* braces, colons, commas */
		for (it = json_object_iter((json_t *)(uintptr_t)v); it != NULL;
		    it = json_object_iter_next((json_t *)(uintptr_t)v, it)) {
			k = json_object_iter_key(it);
			if ((s = str_size(k, json_object_iter_key_len(it))) == 0 ||
			    (i = walk(json_object_iter_value(it), depth + 1)) == 0)
				return 0;
			n += s + i;
		}
		return n;
	case JSON_REAL:		/* jansson's own formatting */
		return json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
	default:
		return 0;
	}
}

size_t
jsize_compact(const json_t *v)
{
	size_t n;

	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if ((n = walk(v, 0)) != 0)
		return n;
	return json_dumpb(v, NULL, 0, JSON_COMPACT);
}
