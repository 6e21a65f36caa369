#ifndef ADSIG_PMAP_H
#define ADSIG_PMAP_H
#include "buf.h"
#include "out.h"
#include "rin.h"

/*
 * A parallel map over NDJSON lines, for tools whose per-line work has a
 * pure fast path.  The calling thread reads lines (rin in lazy mode)
 * into batches; worker threads run fast() on each line of a batch; the
 * calling thread then takes the batches in input order and, for each
 * line, writes what fast() produced or, where fast() declined, calls
 * slow() with the line set as in's current record (in->raw, in->file,
 * in->line; rin_parse() works as usual).  So the output and every
 * message come in input order, as with one thread.
 *
 * fast(arg, line, len, out) appends the output for the line to out and
 * returns 1, or returns 0 (appending nothing) to leave the line to
 * slow(); it runs on worker threads: it must only read arg.
 * slow(arg, in) returns 0 to go on, or -1 to stop the run.
 * Each line handled by fast() counts one in in->run->wrote.
 *
 * nthreads <= 1 runs everything on the calling thread.  Returns 0, or -1
 * when the run stopped (in->run->status says why).
 */
typedef int	(*pmap_fast_fn)(const void *arg, const char *line, size_t len,
		    struct buf *out);
typedef int	(*pmap_slow_fn)(void *arg, struct rin *in);

int	pmap_run(struct rin *in, int nthreads, pmap_fast_fn fast,
	    pmap_slow_fn slow, void *arg, struct out *o);

/* Worker threads worth starting on this machine (online CPUs, 1..8). */
int	pmap_default_threads(void);

#endif
