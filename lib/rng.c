#include "rng.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

int
rng_global_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
rng_init(struct rng *r, const uint64_t *seed, const void *key, size_t keylen)
{
	crypto_generichash_state st;
	unsigned char s8[8];
	int i;

	memset(r, 0, sizeof(*r));
	r->pos = sizeof(r->buf);
	if (seed == NULL) {
		randombytes_buf(r->key, sizeof(r->key));
		return;
	}
	for (i = 0; i < 8; i++)
		s8[i] = (unsigned char)(*seed >> (56 - 8 * i));
	crypto_generichash_init(&st, NULL, 0, sizeof(r->key));
	crypto_generichash_update(&st, s8, sizeof(s8));
	if (keylen > 0)
		crypto_generichash_update(&st, key, keylen);
	crypto_generichash_final(&st, r->key, sizeof(r->key));
}

int
rng_parse_seed(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static void
refill(struct rng *r)
{
	unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
	int i;

	for (i = 0; i < 8; i++)
		nonce[i] = (unsigned char)(r->block >> (56 - 8 * i));
	crypto_stream_chacha20(r->buf, sizeof(r->buf), nonce, r->key);
	r->block++;
	r->pos = 0;
}

void
rng_bytes(struct rng *r, void *out, size_t n)
{
	unsigned char *p = out;
	size_t k;

	while (n > 0) {
		if (r->pos == sizeof(r->buf))
			refill(r);
		k = sizeof(r->buf) - r->pos;
		if (k > n)
			k = n;
		memcpy(p, r->buf + r->pos, k);
		r->pos += k;
		p += k;
		n -= k;
	}
}

uint64_t
rng_u64(struct rng *r)
{
	unsigned char b[8];
	uint64_t v = 0;
	int i;

	rng_bytes(r, b, sizeof(b));
	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	uint64_t v, lim;

	if (n <= 1)
		return 0;
	/* Reject the top partial block so that every residue is equally likely. */
	lim = UINT64_MAX - UINT64_MAX % n;
	do
		v = rng_u64(r);
	while (v >= lim);
	return v % n;
}

double
rng_double(struct rng *r)
{
	return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

double
rng_normal(struct rng *r)
{
	double u, v, rad;

	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	do
		u = rng_double(r);
	while (u == 0.0);
	v = rng_double(r);
	rad = sqrt(-2.0 * log(u));
	r->spare = rad * sin(2.0 * M_PI * v);
	r->has_spare = 1;
	return rad * cos(2.0 * M_PI * v);
}

int
rng_bernoulli(struct rng *r, double p)
{
	if (p <= 0.0)
		return 0;
	if (p >= 1.0)
		return 1;
	return rng_double(r) < p;
}
