#ifndef ADSIG_PASDEV_H
#define ADSIG_PASDEV_H
#include <stddef.h>
#include <stdint.h>

#include "sigstore.h"

/*
 * The device side of pas-encode: a table of devices, each with its
 * per-buyer signal stores (sigstore.h) and payloads, and the encoding
 * clock of DESIGN.md "The encoding clock":
 *
 *   jobs of device D run at offset(D) + j * period, offset(D) = the first
 *   8 bytes of SHA-256(D) as a big-endian integer, mod period;
 *   before a record at t, every job time J <= t not yet run runs: signals
 *   created before J - ttl and payloads encoded before J - ttl are
 *   dropped; a buyer whose store is then empty loses its payload; a
 *   buyer whose signals changed since its payload (an update at a time
 *   >= the payload's job time, or no payload) is encoded from the
 *   signals as they stood at J, and the payload is stamped J;
 *   then signals and payloads older than t - ttl are dropped.
 *
 * Jobs with nothing to encode are not run one by one: their only effect
 * (dropping what expired) is the same when done once at the last of
 * them, so a device idle for a year costs one step, not 8760.  A job
 * that may encode runs on its own; a failing encoder retries at each
 * following job until the failure rule blocks its version.
 *
 * The table owns the strings (device ids in an arena; buyers and apps
 * in the strtab).  Not thread-safe.  Nothing here prints or exits
 * except through xmalloc (exit 71).
 */

struct pasdev_params {
	struct sigstore_params	store;		/* quota, TTL, update size */
	int64_t			period;		/* 3600 */
	size_t			max_size;	/* 1536 */
	unsigned		max_fails;	/* 3 */
	int32_t			version;	/* encoding_version, 0 */
};

void	pasdev_params_default(struct pasdev_params *p);

/* One buyer's current payload. */
struct pasdev_payload {
	unsigned char	*p;		/* len bytes; NULL when len is 0 */
	int64_t		 encoded_at;	/* job time */
	int32_t		 version;
	uint16_t	 len;
	uint8_t		 has;		/* a payload is held */
};

struct pasdev {
	struct sigstore_device	 sd;	/* buyers, in order of creation */
	struct pasdev_payload	*pay;	/* pay[i] belongs to sd.buyer[i] */
	const char		*id;	/* in the table's arena */
	int64_t			 next_job;	/* first job time not run */
};

/*
 * The encoder called by a job: encodes the snapshot s of buyer b at
 * job time job into out (room for max_size bytes), sets *outlen.
 * Returns 0 on success, 1 for a failed encoding (err says why; the
 * failure rule counts it), -1 for an error that must stop the run (a
 * dead co-process).
 */
typedef int	(*pasdev_encode_fn)(void *arg, const struct sigstore_snap *s,
		    const struct sigstore_buyer *b, int64_t job,
		    unsigned char *out, size_t *outlen, char *err,
		    size_t errlen);

/* Called after each failed encoding (for reporting); may be NULL. */
typedef void	(*pasdev_fail_fn)(void *arg, const struct pasdev *d,
		    const struct sigstore_buyer *b, int64_t job,
		    const char *why);

struct pasdev_stats {
	unsigned long	jobs;		/* job steps run */
	unsigned long	encoded;	/* payloads made */
	unsigned long	failed;		/* failed encodings */
	unsigned long	blocked;	/* encodings skipped: version stopped */
	unsigned long	dropped;	/* payloads lost: empty store, TTL */
	unsigned long	expired;	/* signals dropped by the TTL */
};

struct pasdev_table {
	struct pasdev_params	 p;
	struct sigstore_strtab	 st;
	struct sigstore_scratch	 sc;		/* sigstore_apply_s's */
	struct pasdev		*dev;
	uint32_t		 n, cap;
	uint32_t		*slot;		/* index + 1, 0 empty */
	uint32_t		*hash;		/* per slot: the id's hash */
	uint32_t		 nslot;		/* a power of two */
	char			*arena;		/* current id chunk */
	size_t			 arena_used, arena_cap;
	char			**chunks;
	size_t			 nchunks;
	pasdev_encode_fn	 encode;
	pasdev_fail_fn		 on_fail;
	void			*arg;
	struct pasdev_stats	 stats;
	unsigned char		*scratch;	/* max_size bytes */
};

void	pasdev_table_init(struct pasdev_table *t, const struct pasdev_params *p,
	    pasdev_encode_fn encode, pasdev_fail_fn on_fail, void *arg);
void	pasdev_table_free(struct pasdev_table *t);

/* The job offset of a device id, in [0, period). */
int64_t	pasdev_offset(const char *id, size_t len, int64_t period);

/*
 * The device with id[0..len) (no NUL inside), or NULL when absent and
 * not create.  A new device's first job is the first job time after
 * now: the ones before it had nothing to do.  The pointer is valid until
 * the next creation.
 */
struct pasdev	*pasdev_get(struct pasdev_table *t, const char *id, size_t len,
	    int create, int64_t now);

/*
 * Brings d to time now: runs the due jobs, then drops what expired at
 * now.  Returns 0, or -1 when the encoder said stop (err set).
 */
int	pasdev_advance(struct pasdev_table *t, struct pasdev *d, int64_t now,
	    char *err, size_t errlen);

/* The store of buyer id name in d, created (with an empty payload slot)
 * when create is set.  Valid until the next creation in d. */
struct sigstore_buyer	*pasdev_buyer(struct pasdev *d, uint32_t name,
	    int create, struct pasdev_payload **pay);

/*
 * Applies a signal update to buyer in d at time ts (sigstore_apply; call
 * pasdev_advance(d, ts) first).  A REGISTER of update_encoder also
 * clears the buyer's failure count (a real device downloads the encoder
 * again).  Returns 0 or -1 with the rule broken in err.
 */
int	pasdev_apply(struct pasdev_table *t, struct pasdev *d,
	    const char *buyer, const char *app, const json_t *update,
	    int64_t ts, struct sigstore_stats *stats, char *err,
	    size_t errlen);

/* Heap bytes held for d (struct, buyers, signals, payloads, id), malloc
 * overhead excluded, and for the table's own index. */
size_t	pasdev_bytes(const struct pasdev *d);
size_t	pasdev_table_index_bytes(const struct pasdev_table *t);

#endif
