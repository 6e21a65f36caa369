#ifndef ADSIG_SEALQ_H
#define ADSIG_SEALQ_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "gz.h"
#include "ohttp.h"
#include "run.h"

/*
 * pas-encode's output in batches: requests to seal, in input order with
 * the records that pass through between them.  sealq_flush() seals the
 * batch's requests on q->threads threads (each with its own gzip
 * stream), then writes every record in input order to the run's output:
 * a request with auction_input appended (adsig(5)), a request that
 * cannot be sealed as a bad record ("cannot seal: ..."), a passed
 * record byte for byte.  The output does not depend on the number of
 * threads.  With the run's --seed, the ephemeral key of a request comes
 * from a stream keyed by (seed, request id).
 *
 * Not thread-safe itself: one thread fills and flushes the queue.
 * Allocation failures exit 71 (xalloc).
 */

/* One buyer's payload in a request; payload owned by the job. */
struct sealq_buyer {
	const char	*name;		/* must outlive the flush */
	unsigned char	*payload;	/* NULL when len is 0 */
	size_t		 len;
	int64_t		 encoded_at;
	int32_t		 version;
};

/* A request to seal, filled by the caller (sealq_job()). */
struct sealq_job {
	json_t			*rec;		/* owned: a reference */
	char			*id;		/* owned: generation id */
	const char		*publisher;	/* borrowed from rec; NULL: "" */
	int64_t			 ts_ms;
	struct sealq_buyer	*b;		/* owned, nb of them */
	size_t			 nb;
	const char		*file;		/* for messages */
	unsigned long		 line;
	char			*raw;		/* owned: the line, compact or not */
	size_t			 rawlen;
	/* the result, set by sealq_flush() */
	char			*out;
	size_t			 outlen;
	char			*err;
};

struct sealq_item;

struct sealq {
	struct run			*r;
	const struct ohttp_keyconfig	*kc;
	enum ohttp_label		 label;
	int				 threads;
	struct gz_deflater		**gz;
	struct sealq_item		*items;
	size_t				 nitems, capitems;
	struct sealq_job		*jobs;
	size_t				 njobs, capjobs;
	struct buf			 rawbuf;
	atomic_size_t			 next;
	unsigned long			 sealed;	/* requests written */
};

/* 0, or -1 with err set (zlib could not start).  kc must outlive q. */
int	sealq_init(struct sealq *q, struct run *r,
	    const struct ohttp_keyconfig *kc, enum ohttp_label label,
	    int threads, char *err, size_t errlen);

/* A record that passes through: raw[0..len) and a newline. */
void	sealq_raw(struct sealq *q, const char *raw, size_t len);

/* A new, zeroed request for the caller to fill; valid until a flush. */
struct sealq_job *sealq_job(struct sealq *q);

/* 1 when the batch should be flushed. */
int	sealq_full(const struct sealq *q);

/* Seals and writes the batch, then empties it.  0, or -1 to stop (the
 * run's status says why: a bad record without --skip-bad, an I/O
 * error). */
int	sealq_flush(struct sealq *q);

void	sealq_free(struct sealq *q);

#endif
