#ifndef ADSIG_EGRESS_H
#define ADSIG_EGRESS_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rng.h"

/*
 * Egress payloads of Protected App Signals (SPEC-PAS.md section 6): the
 * ad-tech's schema, validation of the payload generateBid returns, the
 * wire form (base64 of a big-endian bit string plus a header byte), its
 * decoding into training rows, and the platform's noise.
 *
 * A payload is handled as a flat list of "leaves": one per boolean,
 * unsigned or signed feature, one per bucket item and one per histogram
 * sub-feature, in schema order.  Leaf 0 holds the least significant
 * bits of the wire integer, leaf 1 the next, and so on; this single rule
 * gives every ordering of the SPEC (feature 0 lowest, bucket item 0
 * lowest, the last histogram sub-feature highest).  Leaf k is also
 * column k of the row view ("f<i>" or "f<i>_<j>").
 *
 * Nothing here exits or prints.  Functions that can fail return -1 and
 * write a short lowercase reason to err (errlen bytes, always
 * NUL-terminated when errlen > 0; err may be NULL when errlen is 0).
 */

#define EGRESS_CDDL_VERSION	"1.0.0"
#define EGRESS_MAX_VERSION	7
#define EGRESS_MAX_INT_BITS	64	/* integer sizes are 1..64 */
#define EGRESS_MAX_BUCKETS	65536	/* bucket sizes are 1..65536 */
#define EGRESS_NO_LIMIT		SIZE_MAX	/* limit of the unlimited payload */

enum egress_type {
	EGRESS_BOOLEAN,		/* "boolean-feature" */
	EGRESS_UNSIGNED,	/* "unsigned-integer-feature" */
	EGRESS_SIGNED,		/* "signed-integer-feature" */
	EGRESS_BUCKET,		/* "bucket-feature" */
	EGRESS_HISTOGRAM	/* "histogram-feature" */
};

/* A histogram sub-feature: EGRESS_UNSIGNED or EGRESS_SIGNED. */
struct egress_sub {
	enum egress_type	 type;
	unsigned		 size;		/* bits, 1..64 */
};

struct egress_feature {
	enum egress_type	 type;
	size_t			 size;		/* bits of the feature */
	size_t			 nsub;		/* histogram only, else 0 */
	struct egress_sub	*sub;
	size_t			 first_leaf;	/* index of its first leaf */
	size_t			 nleaves;
};

/* A leaf: one integer of the wire form. */
struct egress_leaf {
	unsigned		 width;		/* bits, 1..64 */
	unsigned char		 is_signed;	/* two's complement */
	unsigned char		 is_bool;	/* a boolean or a bucket item */
	size_t			 feature;	/* i of f<i> */
	size_t			 offset;	/* first bit in the wire integer */
	const char		*name;		/* "f<i>" or "f<i>_<j>" */
};

/*
 * A parsed schema.  Every field is read-only for callers; free it with
 * egress_schema_free().
 */
struct egress_schema {
	int			 version;	/* 0..7 */
	size_t			 nfeatures;
	struct egress_feature	*features;
	size_t			 total_bits;	/* sum of the feature sizes */
	size_t			 nleaves;	/* = number of row columns */
	struct egress_leaf	*leaves;
	char			*names;		/* storage of the leaf names */
};

/*
 * The values of one payload: raw[k] is leaf k's bit pattern in its width
 * (two's complement for signed leaves; bits above the width are zero).
 * Initialise with egress_values_init() for a schema and reuse it for
 * every payload of that schema; release with egress_values_free().
 */
struct egress_values {
	size_t		 n;
	uint64_t	*raw;
};

/*
 * Parses and validates a schema: {"cddl_version":"1.0.0","version":V,
 * "features":[...]}.  Unknown members are ignored.  A bucket's size is
 * "size" ("buckets", the CDDL's name, is accepted when "size" is
 * absent).  A boolean may carry "size":1 and nothing else.  Integer sizes
 * are 1..64, bucket sizes 1..65536; a histogram's "value" lists at least
 * one unsigned or signed sub-feature and its "size" equals the sum of
 * theirs.  Returns 0 and sets *out (owned by the caller), or -1 with a
 * reason.  j is not modified or released.
 */
int	egress_schema_parse(const json_t *j, struct egress_schema **out,
	    char *err, size_t errlen);

/*
 * Reads the schema file at path and parses it.  Reasons name the file:
 * "PATH:LINE: <jansson's message>" or "PATH: feature 2: ...".
 */
int	egress_schema_load(const char *path, struct egress_schema **out,
	    char *err, size_t errlen);

/* NULL-safe. */
void	egress_schema_free(struct egress_schema *s);

/* Bits of feature i (i < s->nfeatures). */
size_t	egress_feature_bits(const struct egress_schema *s, size_t i);

/* The schema's name of a type ("boolean-feature", ...). */
const char	*egress_type_name(enum egress_type t);

/* Sizes v for s, all zero.  Never fails (allocation exits 71). */
void	egress_values_init(struct egress_values *v,
	    const struct egress_schema *s);
/* Releases v's storage; NULL-safe; v may be initialised again. */
void	egress_values_free(struct egress_values *v);

/*
 * Validates payload {"features":[{"name":TYPE,"value":V}, ...]} against
 * s: one entry per schema feature in order, names equal to the schema's,
 * booleans true/false, integers JSON integers in range (unsigned
 * 0..2^S-1, signed -2^(S-1)..2^(S-1)-1), buckets arrays of S
 * {"value":bool}, histograms arrays of {"name":..,"value":n} matching the
 * sub-features.  Unknown members are ignored.  Returns 0 and, when v is
 * not NULL (initialised for s), stores the values in v; or -1 with a
 * reason (v then holds garbage).
 */
int	egress_payload_validate(const struct egress_schema *s,
	    const json_t *payload, struct egress_values *v, char *err,
	    size_t errlen);

/*
 * Wire form of v.  limit is the payload kind's bit limit
 * (EGRESS_NO_LIMIT for none).  Returns 0 and sets *out to the base64
 * string, or 1 and sets *out to "" when the payload is cleared (total of
 * 0 bits, or more than limit).  *out is allocated; the caller frees it.
 */
int	egress_encode(const struct egress_schema *s,
	    const struct egress_values *v, size_t limit, char **out);

/*
 * Validates payload and encodes it: 0 or 1 as egress_encode, or -1 with
 * a reason (then *out is NULL).  A convenience for one-off calls; a
 * stream should keep one egress_values.
 */
int	egress_payload_wire(const struct egress_schema *s,
	    const json_t *payload, size_t limit, char **out, char *err,
	    size_t errlen);

/*
 * Decodes a wire payload (NUL-terminated base64) of schema s into v
 * (initialised for s).  Returns 0; 1 when b64 is "" (a cleared payload:
 * v is left alone); -1 with a reason when b64 is not standard padded
 * base64, its length is not ceil(total/8) + 1 bytes, the header's
 * version differs from the schema's, the protocol bits are not 0, or the
 * bits above the total are not 0.
 */
int	egress_decode(const struct egress_schema *s, const char *b64,
	    struct egress_values *v, char *err, size_t errlen);

/*
 * The row view: column k (k < s->nleaves) is named s->leaves[k].name.
 * A cell gives the integer value of a column: booleans and bucket items
 * 0/1, unsigned values in u, signed values in i (is_signed set), and
 * text, the value in decimal, ready for NDJSON or CSV.
 */
struct egress_cell {
	const char	*name;		/* owned by the schema */
	int		 is_signed;
	int64_t		 i;
	uint64_t	 u;
	char		 text[24];
};
void	egress_cell(const struct egress_schema *s,
	    const struct egress_values *v, size_t k, struct egress_cell *c);

/*
 * Rebuilds the payload JSON of v (new reference).  Returns NULL with a
 * reason when an unsigned value exceeds 2^63-1, which JSON integers of
 * jansson cannot hold.
 */
json_t	*egress_values_to_json(const struct egress_schema *s,
	    const struct egress_values *v, char *err, size_t errlen);

/* Fills v with a uniformly random valid value of every leaf. */
void	egress_values_random(const struct egress_schema *s, struct rng *r,
	    struct egress_values *v);

/*
 * A random valid payload of s as JSON (new reference), for tests and
 * synthetic data.  Uniform like egress_values_random, except that
 * 64-bit unsigned values are drawn below 2^63 so that jansson can hold
 * them.
 */
json_t	*egress_payload_random(const struct egress_schema *s, struct rng *r);

/*
 * Noise: with probability p (one rng_bernoulli draw) replaces every
 * value of v by a uniformly random valid value of its type, else leaves
 * v alone.  Returns 1 when v was replaced, else 0; this is for tests
 * and counters only, and must never reach a tool's output.
 */
int	egress_noise(struct egress_values *v, const struct egress_schema *s,
	    struct rng *r, double p);

#endif
