#include "pmap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "run.h"
#include "xalloc.h"

#define PMAP_LINES	4096		/* lines per batch */
#define PMAP_BYTES	(1 << 20)	/* or bytes per batch */

struct line_ref {
	size_t		 off, len;	/* in data */
	size_t		 outoff, outlen; /* in out; outlen 0: slow */
	unsigned long	 lineno;
	const char	*file;
	json_t		*obj;		/* a CSV record: never fast */
	unsigned char	 fast;
};

enum { B_FREE, B_READY, B_BUSY, B_DONE };

struct batch {
	struct buf	 data;
	struct buf	 out;
	struct line_ref	*lines;
	size_t		 n, cap;
	int		 state;
};

struct pool {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work, done;
	struct batch	*b;
	int		 nb, quit;
	pmap_fast_fn	 fast;
	const void	*arg;
};

static void
map_batch(struct batch *bt, pmap_fast_fn fast, const void *arg)
{
	struct line_ref *l;
	size_t i, before;

	bt->out.len = 0;
	for (i = 0; i < bt->n; i++) {
		l = &bt->lines[i];
		before = bt->out.len;
		l->fast = l->obj == NULL && fast(arg, bt->data.p + l->off,
		    l->len, &bt->out);
		if (!l->fast)
			bt->out.len = before;
		l->outoff = before;
		l->outlen = bt->out.len - before;
	}
}

static void *
worker(void *p)
{
	struct pool *pl = p;
	struct batch *bt;
	int i;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		bt = NULL;
		for (i = 0; i < pl->nb; i++)
			if (pl->b[i].state == B_READY) {
				bt = &pl->b[i];
				break;
			}
		if (bt == NULL) {
			if (pl->quit)
				break;
			pthread_cond_wait(&pl->work, &pl->mu);
			continue;
		}
		bt->state = B_BUSY;
		pthread_mutex_unlock(&pl->mu);
		map_batch(bt, pl->fast, pl->arg);
		pthread_mutex_lock(&pl->mu);
		bt->state = B_DONE;
		pthread_cond_broadcast(&pl->done);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

/* Writes a mapped batch in order; returns 0 or -1 to stop. */
static int
drain(struct batch *bt, struct rin *in, pmap_slow_fn slow, void *arg,
    struct out *o)
{
	struct line_ref *l;
	size_t i;

	for (i = 0; i < bt->n; i++) {
		l = &bt->lines[i];
		if (l->fast) {
			buf_add(&o->b, bt->out.p + l->outoff, l->outlen);
			in->run->wrote++;
		} else {
			/* the line becomes rin's current record */
			json_decref(in->obj);
			in->obj = l->obj;
			l->obj = NULL;
			in->raw = bt->data.p + l->off;
			in->rawlen = l->len;
			in->file = l->file;
			in->line = l->lineno;
			if (slow(arg, in) == -1)
				return -1;
		}
		if (out_maybe_flush(o) != 0) {
			run_fail(in->run, EX_IOERR);
			return -1;
		}
	}
	json_decref(in->obj);
	in->obj = NULL;
	bt->n = 0;
	bt->data.len = 0;
	return 0;
}

/* Reads lines into bt until it is full; returns rin_next's last result. */
static int
fill(struct batch *bt, struct rin *in)
{
	struct line_ref *l;
	int rc = 1;

	while (bt->n < PMAP_LINES && bt->data.len < PMAP_BYTES) {
		if ((rc = rin_next(in)) != 1)
			return rc;
		if (bt->n == bt->cap) {
			bt->cap = bt->cap ? bt->cap * 2 : 256;
			bt->lines = xreallocarray(bt->lines, bt->cap,
			    sizeof(*bt->lines));
		}
		l = &bt->lines[bt->n++];
		l->off = bt->data.len;
		l->len = in->rawlen;
		l->lineno = in->line;
		l->file = in->file;
		l->obj = json_incref(in->obj);
		buf_add(&bt->data, in->raw, in->rawlen);
		buf_addc(&bt->data, '\0');	/* lines stay C strings */
	}
	return rc;
}

static int
run_inline(struct rin *in, pmap_fast_fn fast, pmap_slow_fn slow, void *arg,
    struct out *o)
{
	size_t before;
	int rc;

	while ((rc = rin_next(in)) == 1) {
		before = o->b.len;
		if (in->obj == NULL && fast(arg, in->raw, in->rawlen, &o->b))
			in->run->wrote++;
		else {
			o->b.len = before;
			if (slow(arg, in) == -1)
				return -1;
		}
		if (out_maybe_flush(o) != 0) {
			run_fail(in->run, EX_IOERR);
			return -1;
		}
	}
	return rc;
}

int
pmap_run(struct rin *in, int nthreads, pmap_fast_fn fast, pmap_slow_fn slow,
    void *arg, struct out *o)
{
	struct pool pl;
	pthread_t *th;
	int i, nth, head = 0, tail = 0, rc = 1, result = 0, eof = 0;

	in->lazy = 1;
	if (nthreads <= 1)
		return run_inline(in, fast, slow, arg, o);
	memset(&pl, 0, sizeof(pl));
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.work, NULL);
	pthread_cond_init(&pl.done, NULL);
	pl.nb = 2 * nthreads + 2;
	pl.b = xcalloc((size_t)pl.nb, sizeof(*pl.b));
	pl.fast = fast;
	pl.arg = arg;
	th = xcalloc((size_t)nthreads, sizeof(*th));
	for (nth = 0; nth < nthreads; nth++)
		if (pthread_create(&th[nth], NULL, worker, &pl) != 0)
			break;
	if (nth == 0) {			/* no thread: do it here */
		free(th);
		free(pl.b);
		return run_inline(in, fast, slow, arg, o);
	}

	/* head: next batch to fill; tail: next batch to drain, in order */
	for (;;) {
		if (!eof && pl.b[head].state == B_FREE) {
			rc = fill(&pl.b[head], in);
			if (rc != 1)
				eof = 1;
			if (pl.b[head].n > 0) {
				pthread_mutex_lock(&pl.mu);
				pl.b[head].state = B_READY;
				pthread_cond_signal(&pl.work);
				pthread_mutex_unlock(&pl.mu);
				head = (head + 1) % pl.nb;
			}
			if (!eof)
				continue;
		}
		if (pl.b[tail].state == B_FREE)
			break;		/* nothing in flight: all done */
		pthread_mutex_lock(&pl.mu);
		while (pl.b[tail].state != B_DONE)
			pthread_cond_wait(&pl.done, &pl.mu);
		pthread_mutex_unlock(&pl.mu);
		if (result == 0 && drain(&pl.b[tail], in, slow, arg, o) == -1)
			result = -1;
		for (i = 0; i < (int)pl.b[tail].n; i++)
			json_decref(pl.b[tail].lines[i].obj);
		pl.b[tail].n = 0;
		pl.b[tail].data.len = 0;
		pl.b[tail].state = B_FREE;
		tail = (tail + 1) % pl.nb;
		if (result == -1)
			eof = 1;	/* stop reading; let the workers finish */
	}
	pthread_mutex_lock(&pl.mu);
	pl.quit = 1;
	pthread_cond_broadcast(&pl.work);
	pthread_mutex_unlock(&pl.mu);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < pl.nb; i++) {
		buf_free(&pl.b[i].data);
		buf_free(&pl.b[i].out);
		free(pl.b[i].lines);
	}
	free(pl.b);
	free(th);
	pthread_mutex_destroy(&pl.mu);
	pthread_cond_destroy(&pl.work);
	pthread_cond_destroy(&pl.done);
	if (result == -1 || rc == -1)
		return -1;
	return 0;
}

int
pmap_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}
