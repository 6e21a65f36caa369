#include "pasdev.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "xalloc.h"

#define ARENA_CHUNK	(1 << 20)

void
pasdev_params_default(struct pasdev_params *p)
{
	sigstore_params_default(&p->store);
	p->period = 3600;
	p->max_size = SIGSTORE_MAX_SIZE;
	p->max_fails = SIGSTORE_MAX_FAILS;
	p->version = 0;
}

void
pasdev_table_init(struct pasdev_table *t, const struct pasdev_params *p,
    pasdev_encode_fn encode, pasdev_fail_fn on_fail, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->p = *p;
	sigstore_strtab_init(&t->st);
	t->encode = encode;
	t->on_fail = on_fail;
	t->arg = arg;
	t->scratch = xmalloc(p->max_size ? p->max_size : 1);
}

static void
device_free(struct pasdev *d)
{
	uint32_t i;

	for (i = 0; i < d->sd.nbuyer; i++)
		free(d->pay[i].p);
	free(d->pay);
	sigstore_device_free(&d->sd);
}

void
pasdev_table_free(struct pasdev_table *t)
{
	uint32_t i;
	size_t c;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		device_free(&t->dev[i]);
	free(t->dev);
	free(t->slot);
	free(t->hash);
	for (c = 0; c < t->nchunks; c++)
		free(t->chunks[c]);
	free(t->chunks);
	free(t->scratch);
	sigstore_scratch_free(&t->sc);
	sigstore_strtab_free(&t->st);
	memset(t, 0, sizeof(*t));
}

int64_t
pasdev_offset(const char *id, size_t len, int64_t period)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	uint64_t v = 0;
	int i;

	crypto_hash_sha256(h, (const unsigned char *)id, len);
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return (int64_t)(v % (uint64_t)period);
}

/* floor(a / b) for b > 0 */
static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && a < 0) ? q - 1 : q;
}

static uint32_t
idhash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static const char *
arena_copy(struct pasdev_table *t, const char *s, size_t n)
{
	char *p;

	if (t->arena == NULL || t->arena_cap - t->arena_used < n + 1) {
		t->arena_cap = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;
		t->arena = xmalloc(t->arena_cap);
		t->arena_used = 0;
		t->chunks = xreallocarray(t->chunks, t->nchunks + 1,
		    sizeof(*t->chunks));
		t->chunks[t->nchunks++] = t->arena;
	}
	p = t->arena + t->arena_used;
	memcpy(p, s, n);
	p[n] = '\0';
	t->arena_used += n + 1;
	return p;
}

static void
rehash(struct pasdev_table *t)
{
	uint32_t ns = t->nslot ? t->nslot * 2 : 1024, i, j, *slot, *hash;

	slot = xcalloc(ns, sizeof(*slot));
	hash = xcalloc(ns, sizeof(*hash));
	for (i = 0; i < t->nslot; i++) {
		if (t->slot[i] == 0)
			continue;
		for (j = t->hash[i] & (ns - 1); slot[j] != 0; j = (j + 1) &
		    (ns - 1))
			;
		slot[j] = t->slot[i];
		hash[j] = t->hash[i];
	}
	free(t->slot);
	free(t->hash);
	t->slot = slot;
	t->hash = hash;
	t->nslot = ns;
}

struct pasdev *
pasdev_get(struct pasdev_table *t, const char *id, size_t len, int create,
    int64_t now)
{
	uint32_t h = idhash(id, len), j;
	struct pasdev *d;
	int64_t off;

	if (t->nslot != 0)
		for (j = h & (t->nslot - 1); t->slot[j] != 0;
		    j = (j + 1) & (t->nslot - 1)) {
			if (t->hash[j] != h)
				continue;
			d = &t->dev[t->slot[j] - 1];
			if (strncmp(d->id, id, len) == 0 && d->id[len] == '\0')
				return d;
		}
	if (!create)
		return NULL;
	if ((size_t)(t->n + 1) * 2 > t->nslot)
		rehash(t);
	for (j = h & (t->nslot - 1); t->slot[j] != 0;
	    j = (j + 1) & (t->nslot - 1))
		;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap + t->cap / 2 : 1024;
		t->dev = xreallocarray(t->dev, t->cap, sizeof(*t->dev));
	}
	d = &t->dev[t->n];
	memset(d, 0, sizeof(*d));
	d->id = arena_copy(t, id, len);
	off = pasdev_offset(id, len, t->p.period);
	d->next_job = off + (floordiv(now - off, t->p.period) + 1) *
	    t->p.period;
	t->slot[j] = ++t->n;
	t->hash[j] = h;
	return d;
}

struct sigstore_buyer *
pasdev_buyer(struct pasdev *d, uint32_t name, int create,
    struct pasdev_payload **pay)
{
	struct sigstore_buyer *b;
	uint32_t before = d->sd.nbuyer;

	b = sigstore_device_buyer(&d->sd, name, create);
	if (b == NULL)
		return NULL;
	if (d->sd.nbuyer != before) {
		d->pay = xreallocarray(d->pay, d->sd.nbuyer, sizeof(*d->pay));
		memset(&d->pay[before], 0, sizeof(*d->pay));
	}
	if (pay != NULL)
		*pay = &d->pay[b - d->sd.buyer];
	return b;
}

static void
drop_payload(struct pasdev_table *t, struct pasdev_payload *p)
{
	if (!p->has)
		return;
	free(p->p);
	memset(p, 0, sizeof(*p));
	t->stats.dropped++;
}

/* What expires at time now; at a job also the empty-store rule. */
static void
expire(struct pasdev_table *t, struct pasdev *d, int64_t now, int job)
{
	struct sigstore_buyer *b;
	uint32_t i;

	for (i = 0; i < d->sd.nbuyer; i++) {
		b = &d->sd.buyer[i];
		t->stats.expired += sigstore_expire(b, now, t->p.store.ttl);
		if (d->pay[i].has && (d->pay[i].encoded_at < now -
		    t->p.store.ttl || (job && b->n == 0)))
			drop_payload(t, &d->pay[i]);
	}
}

/* The buyer's store must be encoded at this job. */
static int
pending(const struct pasdev_table *t, const struct pasdev *d, uint32_t i)
{
	const struct sigstore_buyer *b = &d->sd.buyer[i];
	const struct pasdev_payload *p = &d->pay[i];

	if (b->n == 0)
		return 0;
	if (p->has ? !sigstore_changed_since(b, p->encoded_at) :
	    b->last_update == INT64_MIN)
		return 0;
	return !sigstore_fail_blocked(&b->fail, t->p.version, t->p.max_fails);
}

static int
encode(struct pasdev_table *t, struct pasdev *d, uint32_t i, int64_t job,
    char *err, size_t errlen)
{
	struct sigstore_buyer *b = &d->sd.buyer[i];
	struct pasdev_payload *p = &d->pay[i];
	struct sigstore_snap s;
	size_t len = 0;
	char why[256];
	int rc;

	sigstore_snapshot(b, job, t->p.store.ttl, &s);
	why[0] = '\0';
	rc = t->encode(t->arg, &s, b, job, t->scratch, &len, why,
	    sizeof(why));
	sigstore_snap_free(&s);
	if (rc < 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (rc == 0 && len > t->p.max_size) {
		snprintf(why, sizeof(why), "payload of %zu bytes exceeds "
		    "maxSize %zu", len, t->p.max_size);
		rc = 1;
	}
	sigstore_fail_note(&b->fail, t->p.version, rc == 0);
	if (rc != 0) {
		t->stats.failed++;
		if (sigstore_fail_blocked(&b->fail, t->p.version,
		    t->p.max_fails))
			t->stats.blocked++;
		if (t->on_fail != NULL)
			t->on_fail(t->arg, d, b, job, why);
		return 0;
	}
	p->p = len ? xrealloc(p->p, len) : (free(p->p), NULL);
	if (len)
		memcpy(p->p, t->scratch, len);
	p->len = (uint16_t)len;
	p->encoded_at = job;
	p->version = t->p.version;
	p->has = 1;
	t->stats.encoded++;
	return 0;
}

int
pasdev_advance(struct pasdev_table *t, struct pasdev *d, int64_t now,
    char *err, size_t errlen)
{
	int64_t J, last;
	uint32_t i;
	int any;

	while (d->next_job <= now) {
		J = d->next_job;
		t->stats.jobs++;
		expire(t, d, J, 1);
		for (any = 0, i = 0; i < d->sd.nbuyer; i++)
			if (pending(t, d, i)) {
				any = 1;
				if (encode(t, d, i, J, err, errlen) != 0)
					return -1;
			}
		if (any) {
			d->next_job = J + t->p.period;
			continue;
		}
		/* Idle jobs up to now only drop what expires: once, last. */
		last = J + (now - J) / t->p.period * t->p.period;
		if (last != J)
			expire(t, d, last, 1);
		d->next_job = last + t->p.period;
	}
	expire(t, d, now, 0);
	return 0;
}

int
pasdev_apply(struct pasdev_table *t, struct pasdev *d, const char *buyer,
    const char *app, const json_t *update, int64_t ts,
    struct sigstore_stats *stats, char *err, size_t errlen)
{
	struct sigstore_stats sx;
	struct sigstore_buyer *b;
	uint32_t name;

	if (sigstore_strtab_intern(&t->st, buyer, &name) != 0) {
		snprintf(err, errlen, "too many distinct buyers and apps");
		return -1;
	}
	b = pasdev_buyer(d, name, 1, NULL);
	if (sigstore_apply_s(b, &t->st, update, ts, app, &t->p.store, &sx,
	    &t->sc, err, errlen) != 0)
		return -1;
	if (sx.encoder)
		b->fail.count = 0;
	if (stats != NULL)
		*stats = sx;
	return 0;
}

size_t
pasdev_bytes(const struct pasdev *d)
{
	size_t n = sizeof(*d) - sizeof(d->sd) + sigstore_device_bytes(&d->sd);
	uint32_t i;

	n += strlen(d->id) + 1;
	n += d->sd.nbuyer * sizeof(*d->pay);
	for (i = 0; i < d->sd.nbuyer; i++)
		n += d->pay[i].len;
	return n;
}

size_t
pasdev_table_index_bytes(const struct pasdev_table *t)
{
	return (size_t)t->nslot * 2 * sizeof(uint32_t) +
	    (size_t)(t->cap - t->n) * sizeof(struct pasdev);
}
