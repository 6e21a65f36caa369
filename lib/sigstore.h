#ifndef ADSIG_SIGSTORE_H
#define ADSIG_SIGSTORE_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * The on-device Protected App Signals store (SPEC-PAS.md sections 1-3,
 * DESIGN.md "Signal update" and "The encoding clock"): signal updates,
 * quota and FIFO eviction, TTL, snapshots for the hourly encoding job,
 * the JSON marshalling handed to an encodeSignals plug-in, the built-in
 * encoder and its decoder, and the encoder failure rule.
 *
 * pas-encode keeps one store per (device, buyer) for many devices, so a
 * signal is 24 bytes plus its value, and a buyer's signals and values
 * live in ONE allocation: n signal records followed by their value bytes
 * (record i's value at offset off).  Strings (apps, buyers, encoder
 * endpoints) are interned once in a struct sigstore_strtab shared by all
 * devices.  Bytes per device for one buyer holding 20 signals of 20-byte
 * values: 16 (device) + 48 (buyer) + 20 * 24 + 400 = 944; measured with
 * glibc malloc over a million such devices, 980 bytes each (two
 * allocations: the buyer array and the signal block).
 *
 * Threads: functions touching different stores may run concurrently; a
 * strtab is not locked (intern from one thread, or lock around it).
 * Nothing here exits except through xmalloc (out of memory, exit 71) and
 * nothing prints.  Failing functions return -1 and write a short
 * lowercase reason into err[0..errlen) (NULL or 0 allowed: no message).
 */

/* Defaults: the real values (SPEC-PAS.md). */
#define SIGSTORE_HIGH_WATER	15360	/* eviction runs above this */
#define SIGSTORE_LOW_WATER	10240	/* ... and stops at or below this */
#define SIGSTORE_TTL		5184000	/* 60 days, seconds */
#define SIGSTORE_MAX_UPDATE	10240	/* update written compactly, bytes */
#define SIGSTORE_MAX_KEY	4
#define SIGSTORE_MAX_VALUE	100
#define SIGSTORE_MAX_SIZE	1536	/* encoder maxSize */
#define SIGSTORE_MAX_FAILS	3	/* failures in a row stop a version */
#define SIGSTORE_NONE		UINT32_MAX	/* "no string" strtab id */

/* ---- string table ---------------------------------------------------- */

/* Interned NUL-terminated strings with ids 0, 1, ... in order of first
 * sight, at most 2^24 of them (a signal holds its app in 24 bits). */
struct sigstore_strtab {
	char		**str;		/* id -> string, owned */
	uint32_t	 *slot;		/* open addressing: id + 1, 0 empty */
	uint32_t	  n;		/* strings */
	uint32_t	  cap;		/* slots, a power of two */
};

void	sigstore_strtab_init(struct sigstore_strtab *st);
/* Frees every string.  NULL-safe; st may be reused after init. */
void	sigstore_strtab_free(struct sigstore_strtab *st);
/* Sets *id to the id of s (copied on first sight).  Returns 0, or -1
 * when the table is full (2^24 strings). */
int	sigstore_strtab_intern(struct sigstore_strtab *st, const char *s,
	    uint32_t *id);
/* The string of id, borrowed from st; NULL for SIGSTORE_NONE or an
 * unknown id. */
const char	*sigstore_strtab_get(const struct sigstore_strtab *st,
	    uint32_t id);

/* ---- signals and one buyer's store ----------------------------------- */

/* One stored signal: 24 bytes on LP64. */
struct sigstore_signal {
	int64_t		ctime;		/* creation time, epoch seconds */
	uint32_t	seq;		/* insertion order within the buyer */
	uint32_t	off;		/* value offset in the value bytes */
	unsigned char	key[4];		/* right-padded with zero bytes */
	unsigned int	app : 24;	/* strtab id of the package name */
	unsigned int	len : 8;	/* value bytes, 0..100 */
};

/* Failure rule bookkeeping for one (buyer, encoder version). */
struct sigstore_fail {
	int32_t		version;	/* the version the count is for */
	uint8_t		count;		/* consecutive failures, saturating */
};

/*
 * One buyer's store on one device.  sig[0..n) are in insertion order
 * (seq strictly increasing); the n records are followed, in the same
 * allocation, by vlen value bytes, record i's value at offset off
 * (offsets ascending with i).  Set up with sigstore_buyer_init.
 */
struct sigstore_buyer {
	struct sigstore_signal	*sig;		/* NULL when n == 0 */
	int64_t			 last_update;	/* INT64_MIN: none yet */
	uint32_t		 n;
	uint32_t		 vlen;
	uint32_t		 next_seq;
	uint32_t		 name;		/* strtab id of the buyer */
	uint32_t		 encoder;	/* strtab id of the endpoint, or
						   SIGSTORE_NONE */
	struct sigstore_fail	 fail;
};

struct sigstore_params {
	size_t		high_water;	/* SIGSTORE_HIGH_WATER */
	size_t		low_water;	/* SIGSTORE_LOW_WATER */
	int64_t		ttl;		/* SIGSTORE_TTL; >= 0 */
	size_t		max_update;	/* SIGSTORE_MAX_UPDATE */
};

/* What one update did (all zero after a failure). */
struct sigstore_stats {
	uint32_t	added;		/* values added by commands */
	uint32_t	removed;	/* stored values removed by commands */
	uint32_t	evicted;	/* values evicted by the quota (old or new) */
	int		encoder;	/* 1 if update_encoder REGISTERed */
};

void	sigstore_params_default(struct sigstore_params *p);
void	sigstore_buyer_init(struct sigstore_buyer *b, uint32_t name);
/* Frees the signals and re-initialises b (name kept).  NULL-safe. */
void	sigstore_buyer_free(struct sigstore_buyer *b);

/* Size by the quota's measure: sum over signals of 4 + value bytes. */
size_t	sigstore_size(const struct sigstore_buyer *b);
/* The value bytes of sig[i] (len of them); valid until b changes. */
const unsigned char	*sigstore_value(const struct sigstore_buyer *b,
	    uint32_t i);
/* Heap and record bytes held by b (sizeof(*b) included), for capacity
 * planning; malloc's own overhead excluded. */
size_t	sigstore_buyer_bytes(const struct sigstore_buyer *b);

/*
 * Applies one signal update (the fetchSignalUpdates body `update`,
 * borrowed) made at time ts by package app to b.  b, st, update, app and
 * p must not be NULL.
 *
 * The whole update is validated before anything changes; on any failure
 * b is untouched and -1 is returned with a reason starting "update: ",
 * one wording per rule, e.g.
 *   update: is 10300 bytes written compactly (max 10240)
 *   update: not an object
 *   update: unknown command "foo"
 *   update: "put" is not an object      ("remove" ... not an array)
 *   update: key "QTF-" is not standard base64
 *   update: key "QUJDREU=" decodes to 5 bytes (max 4)
 *   update: value of "QTFj" is not a string
 *   update: value of "QTFj" is not standard base64
 *   update: value of "YUE5" decodes to 101 bytes (max 100)
 *   update: key "QTFj" touched twice
 *   update: append to "QTFj" is not an object
 *   update: append to "QTFj" has no "values" array
 *   update: append to "QTFj" has no integer "max_signals"
 *   update: append to "QTFj" has 3 values, more than max_signals 2
 *   update: remove entry 2 is not a string        (entries count from 0)
 *   update: update_encoder action is not a string
 *   update: update_encoder action "DELETE" is not REGISTER
 *   update: update_encoder REGISTER has no string "endpoint"
 * Keys in messages are shown as written, cut to 40 characters, with
 * quotes, backslashes and control bytes escaped.
 *
 * Rules (SPEC-PAS.md section 1): commands put, put_if_not_present,
 * append (max_signals, or maxSignals when max_signals is absent),
 * remove, update_encoder; base64 is standard with padding
 * (sodium_base64_VARIANT_ORIGINAL) and nothing after it; keys decode to
 * at most 4 bytes, right-padded with zeros; values to at most 100 bytes
 * (put_if_not_present values are checked even when the key is present);
 * a key (after padding) may be touched once per update; the update
 * written with JSON_COMPACT is at most p->max_update bytes.  Every
 * command reads the store as it was before the update.  New values get
 * ctime ts, the app, and fresh seqs in document order.  Then, if the
 * size exceeds p->high_water, signals are evicted oldest first (ctime,
 * then seq) until it is <= p->low_water; new values may go too.
 * Expired signals are NOT dropped here: call sigstore_expire first
 * (DESIGN.md does so before every record).
 *
 * On success last_update becomes max(last_update, ts), a REGISTER sets
 * b->encoder (interned in st), app is interned in st, *stats (may be
 * NULL) is filled, and 0 is returned.  An update with no command (`{}`)
 * succeeds and still counts as an update.
 */
int	sigstore_apply(struct sigstore_buyer *b, struct sigstore_strtab *st,
	    const json_t *update, int64_t ts, const char *app,
	    const struct sigstore_params *p, struct sigstore_stats *stats,
	    char *err, size_t errlen);

/*
 * The same with the working memory of earlier calls: its buffers grow
 * to the largest update seen and are kept, so a run of updates does not
 * allocate and free them each time.  A zeroed scratch starts empty;
 * sigstore_scratch_free() frees it.  One scratch serves one thread.
 */
struct sigstore_scratch {
	void	*op, *tab, *val, *bytes, *drop, *m, *ord;
	size_t	 capop, captab, capval, capbytes, capdrop, capm, capord;
};

int	sigstore_apply_s(struct sigstore_buyer *b,
	    struct sigstore_strtab *st, const json_t *update, int64_t ts,
	    const char *app, const struct sigstore_params *p,
	    struct sigstore_stats *stats, struct sigstore_scratch *sc,
	    char *err, size_t errlen);
void	sigstore_scratch_free(struct sigstore_scratch *sc);

/* Drops the signals created before now - ttl (ctime < now - ttl; one
 * created exactly then stays).  Returns the number dropped. */
uint32_t	sigstore_expire(struct sigstore_buyer *b, int64_t now,
	    int64_t ttl);

/*
 * The encoding clock's "changed since its last payload": 1 if a
 * successful update at a time >= since has been applied, else 0.  With
 * no payload yet, test b->last_update != INT64_MIN instead.
 */
int	sigstore_changed_since(const struct sigstore_buyer *b, int64_t since);

/* ---- snapshots ------------------------------------------------------- */

struct sigstore_ent {
	const unsigned char	*val;	/* borrowed from the store */
	int64_t			 ctime;
	uint32_t		 seq;
	uint32_t		 app;
	unsigned char		 key[4];
	uint8_t			 len;
};

/* Entries sorted by key bytes ascending, then insertion order. */
struct sigstore_snap {
	struct sigstore_ent	*ent;
	size_t			 n;
};

/*
 * The signals as they stood at job time j: those with
 * j - ttl <= ctime <= j.  This equals the store's state at j only if no
 * record after j has been applied yet: the encoding clock (DESIGN.md)
 * runs every job time <= t before it applies a record at t, so that
 * holds in pas-encode; the ctime <= j test is only a safeguard.
 * out->ent borrows value bytes from b: it is valid until b changes.
 * Free with sigstore_snap_free.  Never fails.
 */
void	sigstore_snapshot(const struct sigstore_buyer *b, int64_t j,
	    int64_t ttl, struct sigstore_snap *out);
void	sigstore_snap_free(struct sigstore_snap *s);	/* NULL-safe */

/*
 * The snapshot as the platform hands it to encodeSignals (SPEC-PAS.md
 * section 3), written compactly like AOSP's marshaller:
 *   [{"41316300":[{"val":"6331325A","time":1685577600,"app":"com.x"}]}]
 * One object per key, keys in ascending byte order, values in insertion
 * order, hex upper-case, "[]" when empty.  App names are JSON-escaped
 * (AOSP writes them raw; real package names need no escaping).
 * Returns a NUL-terminated string the caller frees; *lenp (may be NULL)
 * gets its length.
 */
char	*sigstore_marshal(const struct sigstore_snap *s,
	    const struct sigstore_strtab *st, size_t *lenp);

/* ---- the built-in encoder ------------------------------------------- */

/*
 * Payload layout, version 1 (all integers single unsigned bytes):
 *
 *   byte 0          SIGSTORE_ENC_V1 (1)
 *   then per key:   key[4]   the 4 key bytes
 *                   count    values of the key in the snapshot, max 255
 *                   bucket   recency of the key's latest value: with
 *                            h = floor((job - ctime) / 3600) hours,
 *                            bucket = 0 if h == 0, else
 *                            floor(log2(h)) + 1 (the bit length of h):
 *                            1: 1 h, 2: 2-3 h, 3: 4-7 h, ... 11: 1024-2047 h
 *                   len      value bytes, 0..100
 *                   value    the latest value (latest ctime, then the
 *                            last stored)
 *
 * Keys go most recent first (latest ctime descending, then latest seq
 * descending).  Entries are added while they fit in max_size; the first
 * that does not fit ends the payload, so truncation drops the stalest
 * keys and never a part of an entry.
 */
#define SIGSTORE_ENC_V1	1
#define SIGSTORE_ENC_HDR	7	/* bytes of an entry before its value */

/* Encodes s into out[0..max_size) and sets *outlen.  Returns 0, or -1
 * when max_size < 1.  An empty snapshot gives the version byte alone. */
int	sigstore_encode(const struct sigstore_snap *s, int64_t job,
	    size_t max_size, unsigned char *out, size_t *outlen,
	    char *err, size_t errlen);

struct sigstore_feat {
	const unsigned char	*val;	/* borrowed from the payload */
	unsigned char		 key[4];
	uint8_t			 count;
	uint8_t			 bucket;
	uint8_t			 len;
};

/*
 * Decodes a version 1 payload p[0..n).  On success *out is an array of
 * *nout entries in payload order (freed by the caller with free(3);
 * NULL when *nout is 0) and 0 is returned; on a payload that is empty,
 * of another version, or cut inside an entry, or with a value longer
 * than 100 bytes, -1 with a reason starting "payload: ".
 */
int	sigstore_decode(const unsigned char *p, size_t n,
	    struct sigstore_feat **out, size_t *nout, char *err,
	    size_t errlen);

/* ---- the encoder failure rule --------------------------------------- */

/* Count for version 0, zero failures. */
void	sigstore_fail_init(struct sigstore_fail *f);
/* 1 if encoding with this version has stopped: limit (normally
 * SIGSTORE_MAX_FAILS) failures in a row for it. */
int	sigstore_fail_blocked(const struct sigstore_fail *f, int32_t version,
	    unsigned limit);
/* Records one encoding with version: ok resets the count, a failure adds
 * one.  A version other than f->version starts a fresh count for it. */
void	sigstore_fail_note(struct sigstore_fail *f, int32_t version, int ok);

/* ---- one device's buyers -------------------------------------------- */

struct sigstore_device {
	struct sigstore_buyer	*buyer;		/* in order of creation */
	uint32_t		 nbuyer;
};

/* The store of the buyer with strtab id name, created empty when absent
 * and create is set (else NULL).  A pointer stays valid until the next
 * creation in the same device. */
struct sigstore_buyer	*sigstore_device_buyer(struct sigstore_device *d,
	    uint32_t name, int create);
void	sigstore_device_free(struct sigstore_device *d);	/* NULL-safe */
size_t	sigstore_device_bytes(const struct sigstore_device *d);

#endif
