#ifndef ADSIG_RNG_H
#define ADSIG_RNG_H
#include <stddef.h>
#include <stdint.h>

/*
 * Random numbers from libsodium.  A stream is a ChaCha20 key stream whose
 * key is BLAKE2b-256(seed as 8 big-endian bytes || record key), so with
 * --seed N every record (request id, device id, line content) gets its
 * own reproducible stream and a sharded run draws exactly what an
 * unsharded run draws.  Without a seed the key comes from
 * randombytes_buf(), a secure source.
 */
struct rng {
	unsigned char	key[32];
	uint64_t	block;		/* next ChaCha20 block (the nonce) */
	unsigned char	buf[64];
	size_t		pos;		/* bytes of buf used */
	int		has_spare;
	double		spare;		/* second normal of Box-Muller */
};

/* sodium_init(); returns 0, or -1 (the caller exits 71). Idempotent. */
int	rng_global_init(void);

/*
 * Keys r.  seed NULL means secure random (key and keylen then ignored).
 * Otherwise the stream depends only on (*seed, key[0..keylen)).
 */
void	rng_init(struct rng *r, const uint64_t *seed, const void *key,
	    size_t keylen);

/* Parses a --seed operand: a decimal integer in [0, 2^64). 0 or -1. */
int	rng_parse_seed(const char *s, uint64_t *out);

void		rng_bytes(struct rng *r, void *out, size_t n);
uint64_t	rng_u64(struct rng *r);
/* Uniform in [0, n), without modulo bias; n > 0. */
uint64_t	rng_below(struct rng *r, uint64_t n);
/* Uniform in [0, 1) with 53 random bits. */
double		rng_double(struct rng *r);
/* Standard normal (Box-Muller). */
double		rng_normal(struct rng *r);
/* 1 with probability p, else 0. */
int		rng_bernoulli(struct rng *r, double p);

#endif
