#ifndef ADSIG_TAGCTR_H
#define ADSIG_TAGCTR_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "out.h"
#include "tcdim.h"
#include "tcline.h"

/*
 * The tag-CTR matrix (adsig(7): "Tag-CTR matrix row", "Tag CTR with time
 * windows", "Dimension weights", "Channel similarity").
 *
 * How it is built, for speed and memory:
 *  - every string is interned once (channels, plans, attribute values
 *    after merging, tags, tag sets of a material); a log line becomes a
 *    compact record of 32-bit ids (about 40 bytes for 5 attributes);
 *  - records are kept in memory up to a budget (-S) and spill to an
 *    unlinked temporary file beyond it;
 *  - at the end the (channel, plan) partitions are taken in output order,
 *    a group of them at a time (at most the budget of records), and each
 *    partition's keys are counted in one open-addressing table of
 *    per-window integer counts, then written and dropped.  So memory is
 *    the interned strings, the budget and the largest partition's keys:
 *    it grows with distinct keys, never with lines;
 *  - counts are kept per window as integers and weighted only when a row
 *    is written, in window order, so a sharded run (--emit-counts, then
 *    --from-counts) gives the same doubles, byte for byte.
 */

#define TC_MAXW	64

struct tc_opts {
	int		 nwin;			/* W */
	double		 w[TC_MAXW];		/* window weights */
	long long	 window;		/* seconds */
	int		 has_now;
	long long	 now;
	double		 z;
	int		 bounds;		/* --combine bounds */
	int		 material_tag;
	int		 csv;
	size_t		 budget;		/* bytes of records in memory */
	int		 emit;			/* write count records */
	long long	 span;			/* emit: bucket length */
	const char	*sim_attr;		/* --similarity */
	int		 pool;			/* --pool-similar */
	double		 pool_t;
	int		 verbose;		/* weights to stderr */
};

/* A count record (--emit-counts output, --from-counts input, state). */
struct tc_crec {
	struct tcl_str	 channel, plan, attr, value, tag;
	int		 has_tag;
	long long	 ts, span;
	uint64_t	 n, k;
};

/*
 * Where the output goes.  main: matrix, count or similarity rows;
 * weights: weight rows (NULL: after the matrix rows of their plan in
 * main, NDJSON only).  bucket_row, when set, takes the count rows of
 * --emit-counts instead of main, one row at a time with its bucket.
 */
struct tc_sink {
	struct out	*main;
	struct out	*weights;
	void		(*bucket_row)(void *ctx, long long bucket,
			    const char *row, size_t n);
	void		*ctx;
};

struct tc;

/* dims and mats are borrowed for the life of the tc. */
struct tc	*tc_new(const struct tc_opts *o, struct tc_dims *dims,
		    const struct tc_mats *mats);

/* Adds a checked log line.  Returns NULL, or why it is a bad record. */
const char	*tc_add_line(struct tc *t, const struct tcl_rec *rec);

/*
 * A count record from an object (NDJSON, or a CSV row of strings).
 * Returns NULL, or why it is a bad record.
 */
const char	*tc_crec_parse(json_t *obj, int csv, struct tc_crec *c,
		    char *msg, size_t msglen);
const char	*tc_add_counts(struct tc *t, const struct tc_crec *c);

/*
 * Writes the result.  Returns 0 or an exit status after a message.
 * Counters for the summary follow.
 */
int		 tc_finish(struct tc *t, struct tc_sink *s);
int		 tc_have_data(const struct tc *t);
long long	 tc_max_ts(const struct tc *t);
long long	 tc_now(const struct tc *t);
unsigned long	 tc_rows(const struct tc *t);
unsigned long	 tc_outside(const struct tc *t);
void		 tc_free(struct tc *t);

#endif
