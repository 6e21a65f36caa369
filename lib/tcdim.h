#ifndef ADSIG_TCDIM_H
#define ADSIG_TCDIM_H
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "run.h"

/*
 * Small building blocks of the tag-CTR tools: a fast byte-string hash,
 * a string interner, a 64-bit-key map, and dimension merging (adsig(7),
 * "Dimension merging"), which tagctr-build and tagctr-rank share so that
 * a request's values merge exactly as the logs' did.
 */

uint64_t	tc_hash(const void *p, size_t n);

/*
 * Interned strings: dense ids from 0 in order of first sight.  Strings
 * are copied into one arena and NUL-terminated; tc_str() pointers stay
 * valid until the next tc_intern().
 */
struct tc_strent {
	uint64_t	 off;
	uint32_t	 len, hash;
};

struct tc_strtab {
	struct buf	 a;
	struct tc_strent *e;
	uint32_t	 n, cap;
	uint64_t	*slot;		/* hash << 32 | id + 1; 0 is empty */
	size_t		 mask;
};

uint32_t	tc_intern(struct tc_strtab *t, const char *s, size_t n,
		    int *isnew);
/* The id of s, or -1. */
long		tc_find(const struct tc_strtab *t, const char *s, size_t n);
static inline const char *
tc_str(const struct tc_strtab *t, uint32_t id, size_t *n)
{
	if (n != NULL)
		*n = t->e[id].len;
	return t->a.p + t->e[id].off;
}
void		tc_strtab_free(struct tc_strtab *t);

/* uint64 -> uint32 map. */
struct tc_u64map {
	uint64_t	*k;
	uint32_t	*v;		/* value + 1; 0 is empty */
	size_t		 mask, n;
};
/* The value of k, or -1. */
long		tc_u64_get(const struct tc_u64map *m, uint64_t k);
void		tc_u64_put(struct tc_u64map *m, uint64_t k, uint32_t v);
void		tc_u64map_free(struct tc_u64map *m);

/* One attribute's mapping file (CSV, columns from,to). */
struct tc_amap {
	char		*attr;
	struct tc_strtab from, to;
	uint32_t	*to_of;		/* from id -> to id */
};

struct tc_dims {
	int		 dayparts;	/* hour -> 00-05, 06-11, 12-17, 18-23 */
	char		**only;		/* --dims: NULL means every attribute */
	size_t		 nonly;
	struct tc_amap	*maps;
	size_t		 nmaps;
	unsigned long	 unmapped;	/* distinct values not in a mapping */
};

/*
 * Reads the mapping file of attribute attr.  A row with a blank from or
 * to, or a from mapped twice to different values, is a bad record
 * (run_bad: under --skip-bad the row is left out).  Returns 0 or the
 * exit status (66 cannot open, 65 bad data).
 */
int	tc_dims_add_map(struct tc_dims *d, struct run *r, const char *attr,
	    const char *path);

/*
 * Merges one attribute value.  Returns 1 with the merged value in
 * (*out, *outn) (pointing to val, to tmp (16 bytes) or into a map), 0
 * when the attribute is not a chosen dimension, -1 with *why when the
 * value cannot be merged (an hour that is not 0-23 under day parts).
 * *unmapped is set when a map exists and lacks the value.
 */
int	tc_dims_merge(const struct tc_dims *d, const char *attr, size_t an,
	    const char *val, size_t vn, char *tmp, const char **out,
	    size_t *outn, const char **why, int *unmapped);

void	tc_dims_free(struct tc_dims *d);

/*
 * The materials file (--materials): material -> tags, NDJSON
 * {"material":..,"tags":[..]} or CSV with columns material,tags
 * ("a|b|c").  A material listed twice gets the union of its tags.
 */
struct tc_mats {
	struct tc_strtab names, tags;
	uint32_t	*first, *count;	/* per material: its ids in ids[] */
	uint32_t	*ids;
	size_t		 nids;
};

/*
 * Loads path.  Bad rows go through run_bad; they count as read and
 * rejected, good rows are not input records.  Returns 0 or the exit
 * status.
 */
int	tc_mats_load(struct tc_mats *m, struct run *r, const char *path);
/* The tags of material (NULL, *n = 0 when not listed). */
const uint32_t	*tc_mats_tags(const struct tc_mats *m, const char *mat,
		    size_t mn, size_t *n);
void	tc_mats_free(struct tc_mats *m);

/*
 * A duration: seconds, or a number with s, m, h or d ("90m", "1d").
 * Returns the seconds (> 0), or -1.
 */
long long	tc_parse_duration(const char *s);

/*
 * The CV -> weight step of "Dimension weights": cv[i] = sd[i] / mean[i]
 * (0 when mean is 0), w[i] = cv[i] / sum cv (1/n each when every cv is
 * 0).
 */
void	tc_cv_weights(const double *mean, const double *sd, size_t n,
	    double *cv, double *w);

/* floor(a / b) for b > 0. */
static inline long long
tc_floordiv(long long a, long long b)
{
	long long q = a / b;

	return (a % b != 0 && a < 0) ? q - 1 : q;
}

#endif
