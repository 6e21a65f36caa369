#include "jw.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

static const u128 pow10_u128[] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
	(u128)10000000000000000000ULL * 10,
	(u128)10000000000000000000ULL * 100,
	(u128)10000000000000000000ULL * 1000,
};

/*
 * Rounds d = m / 2^q to P significant digits, d in [10^E, 10^(E+1)), as
 * printf does (exactly, ties to even): *n gets the digits, and the
 * function returns whether they read back to d.  Needs s = P-1-E in
 * [0, 22] and q <= 74 so that everything fits 128 bits.
 */
static int
round_digits(uint64_t m, int q, int E, int P, uint64_t *n, int lowgap)
{
	u128 num, two_q, r, diff, ten_s;
	uint64_t qt;
	int s = P - 1 - E, up;

	ten_s = pow10_u128[s];
	num = (u128)m * ten_s;
	two_q = (u128)1 << q;
	qt = (uint64_t)(num >> q);
	r = num & (two_q - 1);
	/* round half to even on the remainder r / 2^q */
	up = 2 * r > two_q || (2 * r == two_q && (qt & 1));
	*n = qt + (uint64_t)up;
	diff = up ? two_q - r : r;	/* |n * 2^q - m * 10^s| */
	/*
	 * Reads back to d iff |n/10^s - d| is below half the gap to the
	 * neighbouring double on that side (2^-q; the gap below a power of
	 * two is half as wide), or equal to it with m even (ties to even).
	 */
	if (!up && lowgap) {
		if (4 * diff != ten_s)
			return 4 * diff < ten_s;
		return 1;
	}
	if (2 * diff != ten_s)
		return 2 * diff < ten_s;
	return (m & 1) == 0;
}

/* %.Pg of n * 10^(X-P+1), n having P digits, into out. */
static int
fmt_g(char *out, int neg, uint64_t n, int P, int X)
{
	static const char two[201] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char dig[24];
	int nd = 0, i, len = 0;
	unsigned r;

	for (i = P - 1; i >= 1; i -= 2) {	/* two digits a division */
		r = (unsigned)(n % 100);
		n /= 100;
		dig[i] = two[2 * r + 1];
		dig[i - 1] = two[2 * r];
	}
	if (i == 0)
		dig[0] = (char)('0' + n % 10);
	nd = P;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;			/* %g drops trailing zeros */
	if (neg)
		out[len++] = '-';
	if (X < -4 || X >= P) {
		out[len++] = dig[0];
		if (nd > 1) {
			out[len++] = '.';
			for (i = 1; i < nd; i++)
				out[len++] = dig[i];
		}
		out[len++] = 'e';	/* as printf: a sign, 2 or 3 digits */
		out[len++] = X < 0 ? '-' : '+';
		if (X < 0)
			X = -X;
		if (X >= 100)
			out[len++] = (char)('0' + X / 100);
		out[len++] = (char)('0' + X / 10 % 10);
		out[len++] = (char)('0' + X % 10);
	} else if (X < 0) {
		out[len++] = '0';
		out[len++] = '.';
		for (i = -1; i > X; i--)
			out[len++] = '0';
		for (i = 0; i < nd; i++)
			out[len++] = dig[i];
	} else {
		for (i = 0; i <= X; i++)
			out[len++] = i < nd ? dig[i] : '0';
		if (nd > X + 1) {
			out[len++] = '.';
			for (i = X + 1; i < nd; i++)
				out[len++] = dig[i];
		}
	}
	out[len] = '\0';
	return len;
}

/*
 * The exact integer route for 1e-6 <= |d| < 1e15, the range of nearly
 * every probability, price and count; -1 outside it.
 */
static int
fmt_fast(char *out, double d)
{
	uint64_t bits, m, n;
	int e2, q, E, P, neg, lowgap;
	double a;

	a = fabs(d);
	if (!(a >= 1e-6 && a < 1e15))
		return -1;
	memcpy(&bits, &d, sizeof(bits));
	neg = (int)(bits >> 63);
	e2 = (int)((bits >> 52) & 0x7ff);
	m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	q = 1075 - e2;			/* d = m / 2^q */
	lowgap = (bits & ((1ULL << 52) - 1)) == 0;
	/*
	 * a lies in [2^b, 2^(b+1)), b = e2 - 1023, so floor(log10(a)) is
	 * floor(b log10(2)) or one more (78913 / 2^18 is log10(2) to
	 * within 2^-21, exact enough for |b| <= 1100): settle E exactly
	 */
	E = e2 - 1023 >= 0 ? ((e2 - 1023) * 78913) >> 18 :
	    -(((1023 - e2) * 78913 + (1 << 18) - 1) >> 18);
	if (E < -6)
		E = -6;
	if (E > 14)
		E = 14;
	for (;;) {
		u128 t = ((u128)m * pow10_u128[16 - E]) >> q;

		if (t < pow10_u128[16] && E > -6)
			E--;
		else if (t >= pow10_u128[17] && E < 14)
			E++;
		else
			break;
		if (E < -6 || E > 14)
			return -1;
	}
	if (a < 1e-6 || E < -6)
		return -1;
	for (P = 15; P <= 17; P++) {
		int ok = round_digits(m, q, E, P, &n, lowgap);

		if (ok || P == 17) {
			if (n == (uint64_t)pow10_u128[P])	/* 9.99.. rounded up */
				return fmt_g(out, neg, n / 10, P, E + 1);
			return fmt_g(out, neg, n, P, E);
		}
	}
	return -1;
}

int
jw_fmt_double(char *out, double d)
{
	int n, prec;

	if ((n = fmt_fast(out, d)) >= 0)
		return n;
	if (d == 0) {			/* printf's "0" and "-0" */
		n = 0;
		if (signbit(d))
			out[n++] = '-';
		out[n++] = '0';
		out[n] = '\0';
		return n;
	}
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(out, 32, "%.*g", prec, d);
		if (prec == 17 || strtod(out, NULL) == d)
			break;
	}
	return n;
}

/* The slow, obviously right reference, for tests. */
int
jw_fmt_double_ref(char *out, double d)
{
	int n, prec;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(out, 32, "%.*g", prec, d);
		if (prec == 17 || strtod(out, NULL) == d)
			break;
	}
	return n;
}

void
jw_real(struct buf *b, double d)
{
	char tmp[40];
	int n;

	if (!isfinite(d)) {
		buf_add(b, "null", 4);
		return;
	}
	n = jw_fmt_double(tmp, d);
	if (memchr(tmp, '.', (size_t)n) == NULL &&
	    memchr(tmp, 'e', (size_t)n) == NULL) {	/* "1000" would read back an integer */
		tmp[n++] = '.';
		tmp[n++] = '0';
		tmp[n] = '\0';
	}
	buf_add(b, tmp, (size_t)n);
}

void
jw_int(struct buf *b, long long i)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u;

	u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (i < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
jw_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run;
	char esc[6];

	buf_addc(b, '"');
	while (p < end) {
		run = p;
		while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			buf_add(b, run, (size_t)(p - run));
		if (p == end)
			break;
		esc[0] = '\\';
		switch (*p) {
		case '"':  esc[1] = '"';  break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b';  break;
		case '\f': esc[1] = 'f';  break;
		case '\n': esc[1] = 'n';  break;
		case '\r': esc[1] = 'r';  break;
		case '\t': esc[1] = 't';  break;
		default:
			buf_add(b, "\\u00", 4);
			esc[0] = hex[*p >> 4];
			esc[1] = hex[*p & 15];
			break;
		}
		buf_add(b, esc, 2);
		p++;
	}
	buf_addc(b, '"');
}

void
jw_value(struct buf *b, const json_t *v)
{
	const char *key;
	json_t *val;
	size_t i, n;
	int first;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		buf_addc(b, '{');
		first = 1;
		/* json_object_foreach wants a non-const object; it does not modify it. */
		json_object_foreach((json_t *)v, key, val) {
			if (!first)
				buf_addc(b, ',');
			first = 0;
			jw_string(b, key, strlen(key));
			buf_addc(b, ':');
			jw_value(b, val);
		}
		buf_addc(b, '}');
		break;
	case JSON_ARRAY:
		buf_addc(b, '[');
		n = json_array_size(v);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addc(b, ',');
			jw_value(b, json_array_get(v, i));
		}
		buf_addc(b, ']');
		break;
	case JSON_STRING:
		jw_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jw_int(b, json_integer_value(v));
		break;
	case JSON_REAL:
		jw_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		buf_add(b, "true", 4);
		break;
	case JSON_FALSE:
		buf_add(b, "false", 5);
		break;
	case JSON_NULL:
	default:
		buf_add(b, "null", 4);
		break;
	}
}
