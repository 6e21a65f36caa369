#include "ts.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

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

/* n digits at s[*i]; -1 when they are not all digits. */
static int
digits(const char *s, size_t len, size_t *i, int n)
{
	int v = 0;

	for (; n > 0; n--, (*i)++) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[*i] - '0');
	}
	return v;
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
ts_parse_rfc3339(const char *s, size_t len, struct ts *out, char *err,
    size_t errlen)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	size_t i = 0;
	int y, mo, d, h, mi, sec, oh, om, sign, nd = 0, dim;
	int64_t ns = 0, t;

	if ((y = digits(s, len, &i, 4)) < 0 || i >= len || s[i++] != '-' ||
	    (mo = digits(s, len, &i, 2)) < 0 || i >= len || s[i++] != '-' ||
	    (d = digits(s, len, &i, 2)) < 0 || i >= len ||
	    (s[i] != 'T' && s[i] != 't' && s[i] != ' ') ||
	    (i++, (h = digits(s, len, &i, 2)) < 0) || i >= len ||
	    s[i++] != ':' || (mi = digits(s, len, &i, 2)) < 0 || i >= len ||
	    s[i++] != ':' || (sec = digits(s, len, &i, 2)) < 0)
		goto bad;
	if (i < len && s[i] == '.') {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			goto bad;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++)
			if (nd < 9)
				ns = ns * 10 + (s[i] - '0');
		for (; nd < 9; nd++)
			ns *= 10;
	}
	if (i >= len)
		goto bad;
	if (s[i] == 'Z' || s[i] == 'z') {
		sign = 0;
		oh = om = 0;
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		sign = s[i++] == '-' ? -1 : 1;
		if ((oh = digits(s, len, &i, 2)) < 0 || i >= len ||
		    s[i++] != ':' || (om = digits(s, len, &i, 2)) < 0)
			goto bad;
	} else
		goto bad;
	if (i != len)
		goto bad;
	if (mo < 1 || mo > 12)
		goto range;
	dim = mdays[mo - 1] + (mo == 2 && leap(y));
	/* A leap second (:60) is read as the next second, as timegm does. */
	if (d < 1 || d > dim || h > 23 || mi > 59 || sec > 60 || oh > 23 ||
	    om > 59)
		goto range;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= (int64_t)sign * (oh * 3600 + om * 60);
	out->sec = t;
	out->nsec = (int32_t)ns;
	return 0;
bad:
	seterr(err, errlen, "ts \"%.*s\" is not an RFC 3339 date-time",
	    (int)(len > 40 ? 40 : len), s);
	return -1;
range:
	seterr(err, errlen, "ts \"%.*s\" has a field out of range",
	    (int)(len > 40 ? 40 : len), s);
	return -1;
}

int
ts_from_json(const json_t *v, struct ts *out, char *err, size_t errlen)
{
	double d, f;
	json_int_t i;

	if (json_is_integer(v)) {
		i = json_integer_value(v);
		if (i >= TS_MAX_SEC || i <= -TS_MAX_SEC) {
			seterr(err, errlen, "ts %lld is out of range",
			    (long long)i);
			return -1;
		}
		out->sec = (int64_t)i;
		out->nsec = 0;
		return 0;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (!isfinite(d) || fabs(d) >= (double)TS_MAX_SEC) {
			seterr(err, errlen, "ts %g is out of range", d);
			return -1;
		}
		f = floor(d);
		out->sec = (int64_t)f;
		out->nsec = (int32_t)llround((d - f) * 1e9);
		if (out->nsec >= 1000000000) {
			out->sec++;
			out->nsec -= 1000000000;
		}
		return 0;
	}
	if (json_is_string(v))
		return ts_parse_rfc3339(json_string_value(v),
		    json_string_length(v), out, err, errlen);
	seterr(err, errlen, "ts is not a number or an RFC 3339 string");
	return -1;
}

int
ts_cmp(const struct ts *a, const struct ts *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	return (a->nsec > b->nsec) - (a->nsec < b->nsec);
}

int64_t
ts_millis(const struct ts *t)
{
	return t->sec * 1000 + t->nsec / 1000000;
}
