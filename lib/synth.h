#ifndef ADSIG_SYNTH_H
#define ADSIG_SYNTH_H
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "model2t.h"
#include "sigstore.h"

/*
 * The synthetic world of pas-synth(1): devices whose app usage becomes
 * signal updates, ad requests, an ad catalog per buyer, the hidden true
 * two_tower model, tag-CTR log lines, and outcomes drawn from the truth.
 *
 * Everything is a pure function of the parameters (seed and sizes) and
 * an index: device i's signal event k draws from the rng stream keyed
 * "s" i k, its request k from "r" i k, ad n from "a" n, and so on
 * (rng.h), so any part can be made again alone: pas-synth --outcomes-for
 * replays one device to the request it needs.  A device's events come in
 * time order (strictly increasing within each of its two processes);
 * the caller merges devices with a heap.
 *
 * Nothing here prints or exits except through xmalloc (exit 71).
 */

#define SYNTH_NCAT	8		/* app categories */
#define SYNTH_NKEY	(2 * SYNTH_NCAT + 4)	/* signal keys the world uses */
#define SYNTH_MAX_BUYERS	64
#define SYNTH_MAX_DAYS	60		/* the TTL: nothing expires */

struct synth_world {
	uint64_t	seed;
	uint32_t	devices;	/* d-1 .. d-N */
	uint64_t	requests;	/* in all, spread over the devices */
	uint32_t	ads;		/* a-1 .. a-N */
	uint32_t	apps;		/* >= SYNTH_NCAT */
	uint32_t	publishers;	/* >= 1 */
	uint32_t	buyers;		/* adtech1.example .. */
	int		dim;		/* embedding size d */
	uint32_t	days;		/* 1 .. SYNTH_MAX_DAYS */
	int64_t		start;		/* epoch seconds */
	double		sessions;	/* mean app sessions per device per day */
	uint64_t	taglogs;	/* tag-CTR log lines */
	double		ctr_base;	/* click probability without install */
	uint64_t	true_mask;	/* bit j: the true model uses feature j;
					   0: all features (the default) */
	double		true_scale;	/* multiplies the used features'
					   weights (1) */
	int		independent;	/* independent traits per category:
					   usage rates drawn apart, requests'
					   publishers uniform */
};

/* The defaults of pas-synth(1). */
void	synth_defaults(struct synth_world *w);
/* Checks the parameters; NULL or what is wrong (a static string). */
const char	*synth_check(const struct synth_world *w);

/* End of the world (exclusive) and start of requests. */
int64_t	synth_end(const struct synth_world *w);
int64_t	synth_req_start(const struct synth_world *w);

/* Names: into b, without quotes. */
void	synth_buyer_name(struct buf *b, uint32_t buyer);	/* 0-based */
void	synth_app_name(struct buf *b, const struct synth_world *w,
	    uint32_t app);					/* 0-based */

/* ---- the true model ------------------------------------------------- */

/* The feature names of the world (SYNTH_NFEAT of them, see adsig(5)). */
size_t	synth_feature_names(const char ***names);

/* Builds the hidden true model into m (freed with model2t_free). */
void	synth_model(const struct synth_world *w, struct model2t *m);

/* ---- devices ------------------------------------------------------- */

/* Per (device, buyer) state the generator needs for meaningful values. */
struct synth_bstate {
	uint32_t	sess_min;	/* cumulative session minutes */
	uint16_t	level;		/* game level */
	uint8_t		registered;	/* update_encoder sent */
	uint8_t		pad;
};

struct synth_dev {
	int64_t		next_sig;	/* INT64_MAX: no more */
	int64_t		next_req;	/* INT64_MAX: no more */
	double		req_pos;	/* last request's place in [0, 1) */
	double		rate;		/* sessions per second */
	uint32_t	sig_k, req_k, req_n;
	uint8_t		fav1, fav2, tier, geo;
	float		cat_cdf[SYNTH_NCAT];	/* independent: P(cat <= c) */
};

/* Sets up device i (0-based); with sig or req 0 that process is off. */
void	synth_dev_init(const struct synth_world *w, uint32_t i,
	    struct synth_dev *d, int sig, int req);

/* The time of the device's next event, INT64_MAX when done. */
static inline int64_t
synth_dev_next(const struct synth_dev *d)
{
	return d->next_sig <= d->next_req ? d->next_sig : d->next_req;
}

/*
 * What one device knows of its signals, per buyer and key (count,
 * latest time, latest value), exactly what sigstore would hold: the
 * world stays below the quota and within the TTL, so nothing is evicted
 * or expires.  Only --outcomes-for keeps one, for one device at a time.
 */
struct synth_keysum {
	int64_t		ctime;
	uint8_t		count;
	uint8_t		len;
	unsigned char	val[SIGSTORE_MAX_VALUE];
};

struct synth_sum {
	uint32_t		 nbuyer;
	struct synth_keysum	*key;		/* nbuyer * SYNTH_NKEY */
};

void	synth_sum_init(struct synth_sum *s, uint32_t nbuyer);
void	synth_sum_free(struct synth_sum *s);

/*
 * The decoded entries the built-in encoder would produce for buyer from
 * the summary at job time ts (at most SYNTH_NKEY, into ent; value bytes
 * borrowed from s).  Returns their number.
 */
size_t	synth_sum_entries(const struct synth_sum *s, uint32_t buyer,
	    int64_t ts, struct sigstore_feat *ent);

/*
 * The device's next event: writes its records (signal updates: one per
 * buyer of the app; or one request) into out when out is not NULL,
 * applies signal updates to sum when it is not NULL, and advances d.
 * bs[0..buyers) is the device's per-buyer state.  *is_req (may be NULL)
 * tells which it was; *req_k gets the request's number (1-based).
 * Returns the number of records.  d must not be done.
 */
unsigned	synth_dev_step(const struct synth_world *w, uint32_t i,
	    struct synth_dev *d, struct synth_bstate *bs, struct buf *out,
	    struct synth_sum *sum, int *is_req, uint32_t *req_k);

/* ---- ads, tag logs ---------------------------------------------------- */

/* Ad n (0-based: a-(n+1)) as one NDJSON line with newline. */
void	synth_ad(const struct synth_world *w, uint32_t n, struct buf *out);
/* Its buyer (0-based) and its embedding a[0..dim). */
uint32_t	synth_ad_buyer(const struct synth_world *w, uint32_t n);
void	synth_ad_embedding(const struct synth_world *w, uint32_t n,
	    double *a);

/* Tag-CTR log line n (0-based) with newline. */
void	synth_taglog(const struct synth_world *w, uint64_t n,
	    struct buf *out);

/* ---- outcomes ------------------------------------------------------- */

/*
 * The outcome of an impression with true install probability p, drawn
 * from the stream keyed "o" and the request id: one uniform v;
 * install = v < p, click = v < p + ctr_base (1 - p), so an install is
 * always clicked and P(install) = p exactly.  *delay gets the seconds
 * from the request to the outcome's ts.
 */
void	synth_outcome(const struct synth_world *w, const char *id, double p,
	    int *click, int *install, int64_t *delay);

#endif
