#include "tcline.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jw.h"
#include "xalloc.h"

/* Length of the valid, shortest-form UTF-8 sequence at p, or 0 (as
 * jansson decides). */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];

	if (c >= 0xC2 && c <= 0xDF)
		return end - p >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0)
			return 0;
		if (c == 0xED && p[1] >= 0xA0)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (end - p < 4 || (p[1] & 0xC0) != 0x80 ||
		    (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90)
			return 0;
		if (c == 0xF4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

/* A string without escapes at p (the quote); the position after it. */
static const char *
fstr(const char *p, const char *end, struct tcl_val *v)
{
	const unsigned char *s = (const unsigned char *)p + 1;
	const unsigned char *e = (const unsigned char *)end;
	size_t k;

	while (s < e) {
		if (*s == '"') {
			v->t = TCL_STRING;
			v->p = p + 1;
			v->n = (size_t)((const char *)s - (p + 1));
			return (const char *)s + 1;
		}
		if (*s == '\\' || *s < 0x20)
			return NULL;
		if (*s >= 0x80) {
			if ((k = utf8_len(s, e)) == 0)
				return NULL;
			s += k;
		} else
			s++;
	}
	return NULL;
}

static const char *
fword(const char *p, const char *end, const char *w, size_t n)
{
	return (size_t)(end - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

/* A string, a canonical integer of at most 18 digits, true, false, null. */
static const char *
fscalar(const char *p, const char *end, struct tcl_val *v)
{
	const char *q;
	long long x = 0;
	int neg = 0, nd = 0;

	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		return fstr(p, end, v);
	case 't':
		v->t = TCL_TRUE;
		return fword(p, end, "true", 4);
	case 'f':
		v->t = TCL_FALSE;
		return fword(p, end, "false", 5);
	case 'n':
		v->t = TCL_NULL;
		return fword(p, end, "null", 4);
	}
	q = p;
	if (*q == '-') {
		neg = 1;
		q++;
	}
	if (q >= end)
		return NULL;
	if (*q == '0') {
		if (neg)
			return NULL;	/* -0: jansson's integer 0, another text */
		q++;
		nd = 1;
	} else if (*q >= '1' && *q <= '9') {
		while (q < end && *q >= '0' && *q <= '9') {
			if (++nd > 18)
				return NULL;	/* jansson decides */
			x = x * 10 + (*q - '0');
			q++;
		}
	} else
		return NULL;
	if (q < end && (*q == '.' || *q == 'e' || *q == 'E' ||
	    (*q >= '0' && *q <= '9')))
		return NULL;		/* reals and leading zeros: jansson */
	v->t = TCL_INTEGER;
	v->i = neg ? -x : x;
	v->p = p;
	v->n = (size_t)(q - p);
	return q;
}

static void
raw_reset(struct tcl_raw *r)
{
	memset(&r->ts, 0, sizeof(r->ts));
	r->channel = r->plan = r->material = r->click = r->tags = r->attrs =
	    r->ts;
	r->ntag = r->nattr = 0;
	r->csv = 0;
}

static struct tcl_val *
push_tag(struct tcl_raw *r)
{
	if (r->ntag == r->captag) {
		r->captag = r->captag ? 2 * r->captag : 8;
		r->tagv = xreallocarray(r->tagv, r->captag, sizeof(*r->tagv));
	}
	memset(&r->tagv[r->ntag], 0, sizeof(*r->tagv));
	return &r->tagv[r->ntag++];
}

static struct tcl_kv *
push_attr(struct tcl_raw *r)
{
	if (r->nattr == r->capattr) {
		r->capattr = r->capattr ? 2 * r->capattr : 8;
		r->attrv = xreallocarray(r->attrv, r->capattr,
		    sizeof(*r->attrv));
	}
	memset(&r->attrv[r->nattr], 0, sizeof(*r->attrv));
	return &r->attrv[r->nattr++];
}

int
tcl_scan_fast(struct tcl_raw *r, const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	struct tcl_val key, *f;
	struct tcl_kv *kv;
	size_t i;

	raw_reset(r);
	if (len < 2 || *p != '{')
		return -1;
	p++;
	if (*p == '}')
		return p + 1 == end ? 0 : -1;
	for (;;) {
		if (p >= end || *p != '"' || (p = fstr(p, end, &key)) == NULL)
			return -1;
		if (p >= end || *p++ != ':')
			return -1;
		f = NULL;
		switch (key.n) {
		case 2:
			if (memcmp(key.p, "ts", 2) == 0)
				f = &r->ts;
			break;
		case 4:
			if (memcmp(key.p, "plan", 4) == 0)
				f = &r->plan;
			else if (memcmp(key.p, "tags", 4) == 0)
				f = &r->tags;
			break;
		case 5:
			if (memcmp(key.p, "click", 5) == 0)
				f = &r->click;
			else if (memcmp(key.p, "attrs", 5) == 0)
				f = &r->attrs;
			break;
		case 7:
			if (memcmp(key.p, "channel", 7) == 0)
				f = &r->channel;
			break;
		case 8:
			if (memcmp(key.p, "material", 8) == 0)
				f = &r->material;
			break;
		}
		if (f == NULL || f->t != TCL_ABSENT)
			return -1;	/* other keys, duplicates: jansson */
		if (f == &r->tags) {
			if (p >= end || *p++ != '[')
				return -1;
			f->t = TCL_ARRAY;
			if (p < end && *p == ']')
				p++;
			else
				for (;;) {
					if (p >= end || *p != '"' ||
					    (p = fstr(p, end, push_tag(r))) ==
					    NULL || p >= end)
						return -1;
					if (*p == ']') {
						p++;
						break;
					}
					if (*p++ != ',')
						return -1;
				}
		} else if (f == &r->attrs) {
			if (p >= end || *p++ != '{')
				return -1;
			f->t = TCL_OBJECT;
			if (p < end && *p == '}')
				p++;
			else
				for (;;) {
					if (p >= end || *p != '"' ||
					    (p = fstr(p, end, &key)) == NULL ||
					    p >= end || *p++ != ':')
						return -1;
					for (i = 0; i < r->nattr; i++)
						if (r->attrv[i].kn == key.n &&
						    memcmp(r->attrv[i].k, key.p,
						    key.n) == 0)
							return -1;
					kv = push_attr(r);
					kv->k = key.p;
					kv->kn = key.n;
					if ((p = fscalar(p, end, &kv->v)) == NULL ||
					    p >= end)
						return -1;
					if (*p == '}') {
						p++;
						break;
					}
					if (*p++ != ',')
						return -1;
				}
		} else if ((p = fscalar(p, end, f)) == NULL)
			return -1;
		if (p >= end)
			return -1;
		if (*p == '}')
			return p + 1 == end ? 0 : -1;
		if (*p++ != ',')
			return -1;
	}
}

static void
from_json(struct tcl_val *v, json_t *j)
{
	memset(v, 0, sizeof(*v));
	switch (json_typeof(j)) {
	case JSON_STRING:
		v->t = TCL_STRING;
		v->p = json_string_value(j);
		v->n = json_string_length(j);
		break;
	case JSON_INTEGER:
		v->t = TCL_INTEGER;
		v->i = json_integer_value(j);
		break;
	case JSON_REAL:
		v->t = TCL_REAL;
		v->d = json_real_value(j);
		break;
	case JSON_TRUE:
		v->t = TCL_TRUE;
		break;
	case JSON_FALSE:
		v->t = TCL_FALSE;
		break;
	case JSON_NULL:
		v->t = TCL_NULL;
		break;
	case JSON_ARRAY:
		v->t = TCL_ARRAY;
		break;
	case JSON_OBJECT:
		v->t = TCL_OBJECT;
		break;
	}
}

static void
get(struct tcl_val *v, json_t *obj, const char *key)
{
	json_t *j = json_object_get(obj, key);

	if (j == NULL)
		memset(v, 0, sizeof(*v));
	else
		from_json(v, j);
}

void
tcl_scan_json(struct tcl_raw *r, json_t *obj)
{
	json_t *a, *v;
	const char *k;
	size_t i;

	raw_reset(r);
	get(&r->ts, obj, "ts");
	get(&r->channel, obj, "channel");
	get(&r->plan, obj, "plan");
	get(&r->material, obj, "material");
	get(&r->click, obj, "click");
	get(&r->tags, obj, "tags");
	get(&r->attrs, obj, "attrs");
	if (json_is_array(a = json_object_get(obj, "tags")))
		json_array_foreach(a, i, v)
			from_json(push_tag(r), v);
	if (json_is_object(a = json_object_get(obj, "attrs")))
		json_object_foreach(a, k, v) {
			struct tcl_kv *kv = push_attr(r);

			kv->k = k;
			kv->kn = strlen(k);
			from_json(&kv->v, v);
		}
}

void
tcl_scan_csv(struct tcl_raw *r, json_t *obj)
{
	const char *k, *s, *bar;
	json_t *v;
	size_t n;

	raw_reset(r);
	r->csv = 1;
	json_object_foreach(obj, k, v) {
		struct tcl_val *f = NULL;

		if (strcmp(k, "ts") == 0)
			f = &r->ts;
		else if (strcmp(k, "channel") == 0)
			f = &r->channel;
		else if (strcmp(k, "plan") == 0)
			f = &r->plan;
		else if (strcmp(k, "material") == 0)
			f = &r->material;
		else if (strcmp(k, "click") == 0)
			f = &r->click;
		else if (strcmp(k, "tags") == 0) {
			r->tags.t = TCL_ARRAY;
			s = json_string_value(v);
			n = json_string_length(v);
			while (n > 0) {
				bar = memchr(s, '|', n);
				if (bar == NULL)
					bar = s + n;
				if (bar > s) {
					struct tcl_val *t = push_tag(r);

					t->t = TCL_STRING;
					t->p = s;
					t->n = (size_t)(bar - s);
				}
				n -= (size_t)(bar - s) + (bar < s + n);
				s = bar + 1;
			}
			continue;
		} else {
			struct tcl_kv *kv = push_attr(r);

			r->attrs.t = TCL_OBJECT;
			kv->k = k;
			kv->kn = strlen(k);
			from_json(&kv->v, v);
			continue;
		}
		from_json(f, v);
	}
}

int
tcl_parse_time(const char *s, size_t n, double *out)
{
	char tmp[64], *end;
	struct tm tm;
	const char *p;
	double frac = 0;
	long long t;
	int i, off = 0;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* a decimal number of epoch seconds */
	for (p = tmp; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p) && strchr("+-.eE", *p) == NULL)
			break;
	if (*p == '\0') {
		errno = 0;
		*out = strtod(tmp, &end);
		return end != tmp && *end == '\0' && errno != ERANGE &&
		    isfinite(*out) ? 0 : -1;
	}
	/* RFC 3339: YYYY-MM-DD[Tt ]HH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM) */
	if (n < 20)
		return -1;
	for (i = 0; i < 19; i++) {
		int want_digit = !(i == 4 || i == 7 || i == 10 || i == 13 ||
		    i == 16);

		if (want_digit != !!isdigit((unsigned char)tmp[i]))
			return -1;
	}
	if (tmp[4] != '-' || tmp[7] != '-' || tmp[13] != ':' ||
	    tmp[16] != ':' || (tmp[10] != 'T' && tmp[10] != 't' &&
	    tmp[10] != ' '))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(tmp) - 1900;
	tm.tm_mon = atoi(tmp + 5) - 1;
	tm.tm_mday = atoi(tmp + 8);
	tm.tm_hour = atoi(tmp + 11);
	tm.tm_min = atoi(tmp + 14);
	tm.tm_sec = atoi(tmp + 17);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	p = tmp + 19;
	if (*p == '.') {
		const char *q = p + 1;

		while (isdigit((unsigned char)*q))
			q++;
		if (q == p + 1)
			return -1;
		frac = strtod(p, NULL);
		p = q;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		off = 0;
	else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && p[3] == ':' &&
	    isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5]) &&
	    p[6] == '\0') {
		int hh = atoi(p + 1), mm = atoi(p + 4);

		if (hh > 23 || mm > 59)
			return -1;
		off = (hh * 60 + mm) * 60 * (*p == '-' ? -1 : 1);
	} else
		return -1;
	t = (long long)timegm(&tm);
	*out = (double)(t - off) + frac;
	return 0;
}

int
tcl_scalar_text(const struct tcl_val *v, char *tmp, const char **p,
    size_t *n)
{
	int len;

	switch (v->t) {
	case TCL_STRING:
		*p = v->p;
		*n = v->n;
		return 0;
	case TCL_INTEGER:
		if (v->p != NULL) {	/* the fast scanner's canonical token */
			*p = v->p;
			*n = v->n;
			return 0;
		}
		len = snprintf(tmp, 40, "%lld", v->i);
		break;
	case TCL_REAL:
		if (!isfinite(v->d))
			return -1;
		len = jw_fmt_double(tmp, v->d);
		break;
	case TCL_TRUE:
		len = snprintf(tmp, 40, "true");
		break;
	case TCL_FALSE:
		len = snprintf(tmp, 40, "false");
		break;
	default:
		return -1;
	}
	*p = tmp;
	*n = (size_t)len;
	return 0;
}

/* An id (channel, plan, material): a string, or an integer as text. */
static const char *
id_field(const struct tcl_val *v, const char *name, struct tcl_str *out,
    struct buf *text, char *msg, size_t msglen)
{
	if (v->t == TCL_ABSENT) {
		snprintf(msg, msglen, "no \"%s\" field", name);
		return msg;
	}
	if (v->t == TCL_STRING) {
		out->p = v->p;
		out->n = v->n;
		return NULL;
	}
	if (v->t == TCL_INTEGER) {
		/* room was reserved: no reallocation moves earlier texts */
		out->p = text->p + text->len;
		out->n = (size_t)snprintf(text->p + text->len, 24, "%lld",
		    v->i);
		text->len += out->n + 1;
		return NULL;
	}
	snprintf(msg, msglen, "\"%s\" must be a string or an integer", name);
	return msg;
}

static int
str_is(const struct tcl_val *v, const char *w)
{
	size_t n = strlen(w), i;

	if (v->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (tolower((unsigned char)v->p[i]) != w[i])
			return 0;
	return 1;
}

const char *
tcl_check(const struct tcl_raw *r, struct tcl_rec *rec, char *msg,
    size_t msglen)
{
	const char *why, *p;
	char tmp[40];
	size_t i, n;

	rec->text.len = 0;
	buf_grow(&rec->text, (r->nattr + 4) * 41);
	rec->ntag = rec->nattr = 0;
	switch (r->ts.t) {
	case TCL_ABSENT:
		return "no \"ts\" field";
	case TCL_INTEGER:
		rec->ts = (double)r->ts.i;
		break;
	case TCL_REAL:
		rec->ts = r->ts.d;
		break;
	case TCL_STRING:
		if (tcl_parse_time(r->ts.p, r->ts.n, &rec->ts) == 0)
			break;
		/* FALLTHROUGH */
	default:
		return "\"ts\" is not a time (epoch seconds or RFC 3339)";
	}
	if (!(fabs(rec->ts) <= 1e13))
		return "\"ts\" is out of range";
	if ((why = id_field(&r->channel, "channel", &rec->channel, &rec->text,
	    msg, msglen)) != NULL ||
	    (why = id_field(&r->plan, "plan", &rec->plan, &rec->text, msg,
	    msglen)) != NULL ||
	    (why = id_field(&r->material, "material", &rec->material,
	    &rec->text, msg, msglen)) != NULL)
		return why;
	switch (r->click.t) {
	case TCL_ABSENT:
		return "no \"click\" field";
	case TCL_TRUE:
		rec->click = 1;
		break;
	case TCL_FALSE:
		rec->click = 0;
		break;
	case TCL_INTEGER:
		if (r->click.i == 0 || r->click.i == 1) {
			rec->click = (int)r->click.i;
			break;
		}
		return "\"click\" must be true or false";
	case TCL_STRING:
		if (r->csv && (str_is(&r->click, "true") ||
		    str_is(&r->click, "1"))) {
			rec->click = 1;
			break;
		}
		if (r->csv && (str_is(&r->click, "false") ||
		    str_is(&r->click, "0"))) {
			rec->click = 0;
			break;
		}
		/* FALLTHROUGH */
	default:
		return "\"click\" must be true or false";
	}
	if (r->tags.t == TCL_ARRAY) {
		if (r->ntag > rec->captag) {
			rec->captag = r->ntag;
			rec->tags = xreallocarray(rec->tags, rec->captag,
			    sizeof(*rec->tags));
		}
		for (i = 0; i < r->ntag; i++) {
			if (r->tagv[i].t != TCL_STRING)
				return "\"tags\" must be an array of strings";
			rec->tags[i].p = r->tagv[i].p;
			rec->tags[i].n = r->tagv[i].n;
		}
		rec->ntag = r->ntag;
	} else if (r->tags.t != TCL_ABSENT && r->tags.t != TCL_NULL)
		return "\"tags\" must be an array of strings";
	if (r->attrs.t == TCL_OBJECT) {
		if (r->nattr > rec->capattr) {
			rec->capattr = r->nattr;
			rec->akey = xreallocarray(rec->akey, rec->capattr,
			    sizeof(*rec->akey));
			rec->aval = xreallocarray(rec->aval, rec->capattr,
			    sizeof(*rec->aval));
		}
		for (i = 0; i < r->nattr; i++) {
			const struct tcl_kv *kv = &r->attrv[i];

			if (kv->v.t == TCL_NULL)
				continue;
			if (kv->kn == 1 && kv->k[0] == '*')
				return "attribute \"*\" is reserved (the pooled "
				    "rows)";
			if (tcl_scalar_text(&kv->v, tmp, &p, &n) != 0) {
				snprintf(msg, msglen, "attribute \"%.*s\" must "
				    "be a string, a number or a boolean",
				    (int)(kv->kn > 200 ? 200 : kv->kn), kv->k);
				return msg;
			}
			if (p == tmp) {
				memcpy(rec->text.p + rec->text.len, tmp, n + 1);
				p = rec->text.p + rec->text.len;
				rec->text.len += n + 1;
			}
			rec->akey[rec->nattr].p = kv->k;
			rec->akey[rec->nattr].n = kv->kn;
			rec->aval[rec->nattr].p = p;
			rec->aval[rec->nattr].n = n;
			rec->nattr++;
		}
	} else if (r->attrs.t != TCL_ABSENT && r->attrs.t != TCL_NULL)
		return "\"attrs\" must be an object";
	return NULL;
}

void
tcl_raw_free(struct tcl_raw *r)
{
	free(r->tagv);
	free(r->attrv);
	memset(r, 0, sizeof(*r));
}

void
tcl_rec_free(struct tcl_rec *rec)
{
	free(rec->tags);
	free(rec->akey);
	free(rec->aval);
	buf_free(&rec->text);
	memset(rec, 0, sizeof(*rec));
}
