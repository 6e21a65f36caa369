#include "sigstore.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "xalloc.h"
#include "diag.h"
#include "jsize.h"

#define STRTAB_MAX	(UINT32_C(1) << 24)	/* app ids are 24 bits */
#define SHOWN_MAX	40			/* key bytes quoted in messages */

static uint32_t
key32(const unsigned char k[4])
{
	return (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 |
	    (uint32_t)k[2] << 8 | (uint32_t)k[3];
}

static void
key_put(unsigned char k[4], uint32_t v)
{
	k[0] = (unsigned char)(v >> 24);
	k[1] = (unsigned char)(v >> 16);
	k[2] = (unsigned char)(v >> 8);
	k[3] = (unsigned char)v;
}

/* ---- string table ---------------------------------------------------- */

static uint32_t
strhash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

void
sigstore_strtab_init(struct sigstore_strtab *st)
{
	memset(st, 0, sizeof(*st));
}

void
sigstore_strtab_free(struct sigstore_strtab *st)
{
	uint32_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++)
		free(st->str[i]);
	free(st->str);
	free(st->slot);
	memset(st, 0, sizeof(*st));
}

/* Doubles the slots; st->str always has room for cap / 2 strings. */
static void
strtab_grow(struct sigstore_strtab *st)
{
	uint32_t ncap = st->cap != 0 ? st->cap * 2 : 64, i, j;
	uint32_t *ns;

	ns = xcalloc(ncap, sizeof(*ns));
	for (i = 0; i < st->n; i++) {
		j = strhash(st->str[i]) & (ncap - 1);
		while (ns[j] != 0)
			j = (j + 1) & (ncap - 1);
		ns[j] = i + 1;
	}
	free(st->slot);
	st->slot = ns;
	st->cap = ncap;
	st->str = xreallocarray(st->str, ncap / 2, sizeof(*st->str));
}

int
sigstore_strtab_intern(struct sigstore_strtab *st, const char *s,
    uint32_t *id)
{
	uint32_t j, k;

	if (st->cap == 0 || (st->n + 1) > st->cap / 2)
		strtab_grow(st);
	j = strhash(s) & (st->cap - 1);
	while ((k = st->slot[j]) != 0) {
		if (strcmp(st->str[k - 1], s) == 0) {
			*id = k - 1;
			return 0;
		}
		j = (j + 1) & (st->cap - 1);
	}
	if (st->n >= STRTAB_MAX)
		return -1;
	st->str[st->n] = xstrdup(s);
	st->slot[j] = ++st->n;
	*id = st->n - 1;
	return 0;
}

const char *
sigstore_strtab_get(const struct sigstore_strtab *st, uint32_t id)
{
	if (st == NULL || id >= st->n)
		return NULL;
	return st->str[id];
}

/* ---- buyer basics ---------------------------------------------------- */

void
sigstore_params_default(struct sigstore_params *p)
{
	p->high_water = SIGSTORE_HIGH_WATER;
	p->low_water = SIGSTORE_LOW_WATER;
	p->ttl = SIGSTORE_TTL;
	p->max_update = SIGSTORE_MAX_UPDATE;
}

void
sigstore_buyer_init(struct sigstore_buyer *b, uint32_t name)
{
	memset(b, 0, sizeof(*b));
	b->last_update = INT64_MIN;
	b->name = name;
	b->encoder = SIGSTORE_NONE;
	sigstore_fail_init(&b->fail);
}

void
sigstore_buyer_free(struct sigstore_buyer *b)
{
	if (b == NULL)
		return;
	free(b->sig);
	sigstore_buyer_init(b, b->name);
}

static unsigned char *
vbase(const struct sigstore_buyer *b)
{
	return (unsigned char *)(b->sig + b->n);
}

size_t
sigstore_size(const struct sigstore_buyer *b)
{
	return (size_t)b->n * SIGSTORE_MAX_KEY + b->vlen;
}

const unsigned char *
sigstore_value(const struct sigstore_buyer *b, uint32_t i)
{
	return vbase(b) + b->sig[i].off;
}

size_t
sigstore_buyer_bytes(const struct sigstore_buyer *b)
{
	return sizeof(*b) + (size_t)b->n * sizeof(*b->sig) + b->vlen;
}

int
sigstore_changed_since(const struct sigstore_buyer *b, int64_t since)
{
	return b->last_update != INT64_MIN && b->last_update >= since;
}

/* Oldest first: creation time, then insertion order (grp first). */
struct ord {
	int64_t		t;
	uint32_t	seq;
	uint32_t	i;
	uint32_t	grp;
};

static int
ord_cmp(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;

	if (x->grp != y->grp)
		return x->grp < y->grp ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

/* ---- update parsing -------------------------------------------------- */

enum { OP_PUT, OP_PINP, OP_APPEND, OP_REMOVE };

struct op {
	int64_t		max;		/* append: max_signals */
	uint32_t	key;		/* the 4 key bytes, big-endian */
	uint32_t	first;		/* first value in upd.val */
	uint32_t	nval;
	uint32_t	have;		/* stored values under the key */
	uint8_t		cmd;
};

struct pval {
	uint32_t	off;		/* in upd.bytes */
	uint8_t		len;
};

struct upd {
	struct sigstore_scratch *sc;	/* where the buffers come from */
	struct op	*op;		/* room for every entry: never moves */
	size_t		 nop;
	struct pval	*val;
	size_t		 nval, capval;
	unsigned char	*bytes;		/* decoded values */
	size_t		 nbytes, capbytes;
	uint32_t	*tab;		/* key -> op index + 1, 0 empty */
	uint32_t	 tabmask;
	const char	*endpoint;	/* REGISTER seen */
	char		*err;
	size_t		 errlen;
};

/*
 * n elements of size sz from the scratch buffer *p of *cap elements,
 * grown when short; zeroed when zero is set (calloc's contract).
 */
static void *
scratch(void **p, size_t *cap, size_t n, size_t sz, int zero)
{
	if (n == 0)
		n = 1;
	if (n > *cap) {
		free(*p);
		*p = xcalloc(n, sz);
		*cap = n;
		return *p;
	}
	if (zero)
		memset(*p, 0, n * sz);
	return *p;
}

static int	ufail(struct upd *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
ufail(struct upd *u, const char *fmt, ...)
{
	va_list ap;

	if (u->err != NULL && u->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(u->err, u->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * s[0..n) for a message, in buf (at least 4 * SHOWN_MAX + 8 bytes):
 * '"', '\\' and bytes outside printable ASCII escaped, cut with "...".
 */
static const char *
shown(char *buf, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < n && i < SHOWN_MAX; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hexd[c >> 4];
			buf[o++] = hexd[c & 15];
		} else
			buf[o++] = (char)c;
	}
	if (i < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

#define SHOWN_BUF	(4 * SHOWN_MAX + 8)

static uint32_t
tabslot(const struct upd *u, uint32_t key)
{
	uint32_t h = key * 2654435761u;

	return (h ^ (h >> 15)) & u->tabmask;
}

/* The op index + 1 of key, or 0. */
static uint32_t
tabfind(const struct upd *u, uint32_t key)
{
	uint32_t j = tabslot(u, key), k;

	while ((k = u->tab[j]) != 0) {
		if (u->op[k - 1].key == key)
			return k;
		j = (j + 1) & u->tabmask;
	}
	return 0;
}

/*
 * Decodes standard base64 s[0..n) after the bytes already decoded; sets
 * *len.  The bytes are kept only if the caller advances u->nbytes.
 */
static int
b64(struct upd *u, const char *s, size_t n, size_t *len)
{
	size_t need = n / 4 * 3 + 3;

	if (u->capbytes - u->nbytes < need) {
		u->capbytes = u->nbytes + need + u->capbytes;
		u->bytes = xrealloc(u->bytes, u->capbytes);
	}
	return b64_decode(u->bytes + u->nbytes, need, s, n, len);
}

/* Decodes key k and records a new op for it.  NULL after an error. */
static struct op *
touch(struct upd *u, const char *k, size_t kn, int cmd)
{
	char sb[SHOWN_BUF];
	unsigned char kb[4] = { 0, 0, 0, 0 };
	struct op *op;
	uint32_t key, j;
	size_t len;

	if (b64(u, k, kn, &len) == -1) {
		ufail(u, "update: key \"%s\" is not standard base64",
		    shown(sb, k, kn));
		return NULL;
	}
	if (len > SIGSTORE_MAX_KEY) {
		ufail(u, "update: key \"%s\" decodes to %zu bytes (max %d)",
		    shown(sb, k, kn), len, SIGSTORE_MAX_KEY);
		return NULL;
	}
	memcpy(kb, u->bytes + u->nbytes, len);
	key = key32(kb);
	if (tabfind(u, key) != 0) {
		ufail(u, "update: key \"%s\" touched twice", shown(sb, k, kn));
		return NULL;
	}
	op = &u->op[u->nop];
	memset(op, 0, sizeof(*op));
	op->key = key;
	op->cmd = (uint8_t)cmd;
	op->first = (uint32_t)u->nval;
	j = tabslot(u, key);
	while (u->tab[j] != 0)
		j = (j + 1) & u->tabmask;
	u->tab[j] = (uint32_t)++u->nop;
	return op;
}

/* Decodes one value for op (whose key is k, for messages). */
static int
addval(struct upd *u, struct op *op, const char *k, size_t kn,
    const json_t *v)
{
	char sb[SHOWN_BUF];
	size_t len;

	if (!json_is_string(v))
		return ufail(u, "update: value of \"%s\" is not a string",
		    shown(sb, k, kn));
	if (b64(u, json_string_value(v), json_string_length(v), &len) == -1)
		return ufail(u, "update: value of \"%s\" is not standard base64",
		    shown(sb, k, kn));
	if (len > SIGSTORE_MAX_VALUE)
		return ufail(u, "update: value of \"%s\" decodes to %zu bytes "
		    "(max %d)", shown(sb, k, kn), len, SIGSTORE_MAX_VALUE);
	if (u->nval == u->capval) {
		u->capval = u->capval != 0 ? u->capval * 2 : 16;
		u->val = xreallocarray(u->val, u->capval, sizeof(*u->val));
	}
	u->val[u->nval].off = (uint32_t)u->nbytes;
	u->val[u->nval].len = (uint8_t)len;
	u->nval++;
	u->nbytes += len;
	op->nval++;
	return 0;
}

/* Object keys with their length (jansson 2.14 allows NUL inside). */
static size_t
keylen(void *it, const char *k)
{
#if JANSSON_VERSION_HEX >= 0x020e00
	(void)k;
	return json_object_iter_key_len(it);
#else
	(void)it;
	return strlen(k);
#endif
}

/* put and put_if_not_present: {b64key: b64value} */
static int
cmd_kv(struct upd *u, json_t *o, int cmd, const char *name)
{
	struct op *op;
	const char *k;
	size_t kn;
	void *it;

	if (!json_is_object(o))
		return ufail(u, "update: \"%s\" is not an object", name);
	for (it = json_object_iter(o); it != NULL;
	    it = json_object_iter_next(o, it)) {
		k = json_object_iter_key(it);
		kn = keylen(it, k);
		if ((op = touch(u, k, kn, cmd)) == NULL)
			return -1;
		if (addval(u, op, k, kn, json_object_iter_value(it)) == -1)
			return -1;
	}
	return 0;
}

/* append: {b64key: {"values": [b64...], "max_signals": N}} */
static int
cmd_append(struct upd *u, json_t *o)
{
	char sb[SHOWN_BUF];
	json_t *a, *vals, *max;
	struct op *op;
	const char *k;
	size_t kn, i;
	void *it;

	if (!json_is_object(o))
		return ufail(u, "update: \"append\" is not an object");
	for (it = json_object_iter(o); it != NULL;
	    it = json_object_iter_next(o, it)) {
		k = json_object_iter_key(it);
		kn = keylen(it, k);
		a = json_object_iter_value(it);
		if ((op = touch(u, k, kn, OP_APPEND)) == NULL)
			return -1;
		if (!json_is_object(a))
			return ufail(u, "update: append to \"%s\" is not an "
			    "object", shown(sb, k, kn));
		vals = json_object_get(a, "values");
		if (!json_is_array(vals))
			return ufail(u, "update: append to \"%s\" has no "
			    "\"values\" array", shown(sb, k, kn));
		if ((max = json_object_get(a, "max_signals")) == NULL)
			max = json_object_get(a, "maxSignals");
		if (!json_is_integer(max))
			return ufail(u, "update: append to \"%s\" has no "
			    "integer \"max_signals\"", shown(sb, k, kn));
		op->max = (int64_t)json_integer_value(max);
		if ((int64_t)json_array_size(vals) > op->max)
			return ufail(u, "update: append to \"%s\" has %zu "
			    "values, more than max_signals %" PRId64,
			    shown(sb, k, kn), json_array_size(vals), op->max);
		for (i = 0; i < json_array_size(vals); i++)
			if (addval(u, op, k, kn, json_array_get(vals, i)) == -1)
				return -1;
	}
	return 0;
}

/* remove: [b64key, ...] */
static int
cmd_remove(struct upd *u, json_t *a)
{
	json_t *k;
	size_t i;

	if (!json_is_array(a))
		return ufail(u, "update: \"remove\" is not an array");
	for (i = 0; i < json_array_size(a); i++) {
		k = json_array_get(a, i);
		if (!json_is_string(k))
			return ufail(u, "update: remove entry %zu is not a "
			    "string", i);
		if (touch(u, json_string_value(k), json_string_length(k),
		    OP_REMOVE) == NULL)
			return -1;
	}
	return 0;
}

/* update_encoder: {"action": "REGISTER", "endpoint": URI} */
static int
cmd_encoder(struct upd *u, json_t *o)
{
	char sb[SHOWN_BUF];
	json_t *act, *ep;

	if (!json_is_object(o))
		return ufail(u, "update: \"update_encoder\" is not an object");
	if ((act = json_object_get(o, "action")) == NULL)
		return 0;			/* no action: nothing to do */
	if (!json_is_string(act))
		return ufail(u, "update: update_encoder action is not a "
		    "string");
	if (json_string_length(act) != 8 ||
	    memcmp(json_string_value(act), "REGISTER", 8) != 0)
		return ufail(u, "update: update_encoder action \"%s\" is not "
		    "REGISTER", shown(sb, json_string_value(act),
		    json_string_length(act)));
	ep = json_object_get(o, "endpoint");
	if (!json_is_string(ep))
		return ufail(u, "update: update_encoder REGISTER has no "
		    "string \"endpoint\"");
	u->endpoint = json_string_value(ep);
	return 0;
}

/* Entries in all commands that touch keys: room for the ops. */
static size_t
count_entries(json_t *update)
{
	json_t *v;
	size_t n = 0;
	void *it;

	for (it = json_object_iter(update); it != NULL;
	    it = json_object_iter_next(update, it)) {
		v = json_object_iter_value(it);
		if (json_is_object(v))
			n += json_object_size(v);
		else if (json_is_array(v))
			n += json_array_size(v);
	}
	return n;
}

static int
parse(struct upd *u, json_t *update, const struct sigstore_params *p)
{
	char sb[SHOWN_BUF];
	const char *k;
	json_t *v;
	size_t n, cap, kn;
	void *it;
	int rc;

	if (!json_is_object(update))
		return ufail(u, "update: not an object");
	n = jsize_compact(update);	/* json_dumpb's count, faster */
	if (n == 0)
		return ufail(u, "update: cannot be written as json");
	if (n > p->max_update)
		return ufail(u, "update: is %zu bytes written compactly "
		    "(max %zu)", n, p->max_update);

	n = count_entries(update);
	u->op = scratch(&u->sc->op, &u->sc->capop, n, sizeof(*u->op), 1);
	for (cap = 16; cap < 2 * n; cap *= 2)
		;
	u->tab = scratch(&u->sc->tab, &u->sc->captab, cap, sizeof(*u->tab),
	    1);
	u->tabmask = (uint32_t)(cap - 1);

	for (it = json_object_iter(update); it != NULL;
	    it = json_object_iter_next(update, it)) {
		k = json_object_iter_key(it);
		kn = keylen(it, k);
		v = json_object_iter_value(it);
		if (strcmp(k, "put") == 0 && kn == 3)
			rc = cmd_kv(u, v, OP_PUT, "put");
		else if (strcmp(k, "put_if_not_present") == 0 && kn == 18)
			rc = cmd_kv(u, v, OP_PINP, "put_if_not_present");
		else if (strcmp(k, "append") == 0 && kn == 6)
			rc = cmd_append(u, v);
		else if (strcmp(k, "remove") == 0 && kn == 6)
			rc = cmd_remove(u, v);
		else if (strcmp(k, "update_encoder") == 0 && kn == 14)
			rc = cmd_encoder(u, v);
		else
			rc = ufail(u, "update: unknown command \"%s\"",
			    shown(sb, k, kn));
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* ---- applying -------------------------------------------------------- */

/* A signal of the merged store before it is written back. */
struct ment {
	const unsigned char	*v;
	int64_t			 ctime;
	uint32_t		 seq;
	uint32_t		 app;
	unsigned char		 key[4];
	uint8_t			 len;
	uint8_t			 dead;
};

/* Which stored signals the commands remove; counts per op first. */
static uint32_t
mark_removed(const struct sigstore_buyer *b, struct upd *u,
    unsigned char *drop)
{
	struct ord *ord;
	struct op *op;
	uint32_t i, k, n, removed = 0;
	int64_t room;

	for (i = 0; i < b->n; i++)
		if ((k = tabfind(u, key32(b->sig[i].key))) != 0)
			u->op[k - 1].have++;

	ord = scratch(&u->sc->ord, &u->sc->capord, b->n, sizeof(*ord), 0);
	n = 0;
	for (i = 0; i < b->n; i++) {
		if ((k = tabfind(u, key32(b->sig[i].key))) == 0)
			continue;
		op = &u->op[k - 1];
		switch (op->cmd) {
		case OP_PUT:
		case OP_REMOVE:
			drop[i] = 1;
			removed++;
			break;
		case OP_APPEND:
			room = op->max - op->nval;	/* >= 0, checked */
			if ((int64_t)op->have > room) {
				ord[n].t = b->sig[i].ctime;
				ord[n].seq = b->sig[i].seq;
				ord[n].i = i;
				ord[n].grp = k;
				n++;
			}
			break;
		default:
			break;
		}
	}
	/* Append: the oldest have - room of each key go. */
	qsort(ord, n, sizeof(*ord), ord_cmp);
	for (i = 0; i < n; ) {
		op = &u->op[ord[i].grp - 1];
		room = op->max - op->nval;
		for (k = 0; i < n && &u->op[ord[i].grp - 1] == op; i++, k++)
			if ((int64_t)k < (int64_t)op->have - room) {
				drop[ord[i].i] = 1;
				removed++;
			}
	}
	return removed;
}

/* FIFO eviction of the merged store; returns the number evicted. */
static uint32_t
evict(struct ment *m, size_t nm, const struct sigstore_params *p,
    struct sigstore_scratch *sc)
{
	struct ord *ord;
	size_t i, total = 0;
	uint32_t evicted = 0;

	for (i = 0; i < nm; i++)
		total += SIGSTORE_MAX_KEY + m[i].len;
	if (total <= p->high_water)
		return 0;
	ord = scratch(&sc->ord, &sc->capord, nm, sizeof(*ord), 0);
	for (i = 0; i < nm; i++) {
		ord[i].t = m[i].ctime;
		ord[i].seq = m[i].seq;
		ord[i].i = (uint32_t)i;
		ord[i].grp = 0;
	}
	qsort(ord, nm, sizeof(*ord), ord_cmp);
	for (i = 0; i < nm && total > p->low_water; i++) {
		m[ord[i].i].dead = 1;
		total -= SIGSTORE_MAX_KEY + m[ord[i].i].len;
		evicted++;
	}
	return evicted;
}

/* Replaces b's signals with the live entries of m, in order. */
static void
rebuild(struct sigstore_buyer *b, const struct ment *m, size_t nm,
    int renumber)
{
	struct sigstore_signal *sig;
	unsigned char *vb;
	size_t i, n = 0, vlen = 0;

	for (i = 0; i < nm; i++)
		if (!m[i].dead) {
			n++;
			vlen += m[i].len;
		}
	sig = NULL;
	vb = NULL;
	if (n != 0) {
		sig = xmalloc(n * sizeof(*sig) + vlen);
		vb = (unsigned char *)(sig + n);
	}
	n = vlen = 0;
	for (i = 0; i < nm; i++) {
		if (m[i].dead)
			continue;
		sig[n].ctime = m[i].ctime;
		sig[n].seq = renumber ? (uint32_t)n : m[i].seq;
		sig[n].off = (uint32_t)vlen;
		memcpy(sig[n].key, m[i].key, 4);
		sig[n].app = m[i].app;
		sig[n].len = m[i].len;
		if (m[i].len != 0)
			memcpy(vb + vlen, m[i].v, m[i].len);
		vlen += m[i].len;
		n++;
	}
	free(b->sig);			/* after the copies: m points into it */
	b->sig = sig;
	b->n = (uint32_t)n;
	b->vlen = (uint32_t)vlen;
	if (renumber)
		b->next_seq = (uint32_t)n;
}

int
sigstore_apply(struct sigstore_buyer *b, struct sigstore_strtab *st,
    const json_t *update, int64_t ts, const char *app,
    const struct sigstore_params *p, struct sigstore_stats *stats,
    char *err, size_t errlen)
{
	struct sigstore_scratch sc;
	int rc;

	memset(&sc, 0, sizeof(sc));
	rc = sigstore_apply_s(b, st, update, ts, app, p, stats, &sc, err,
	    errlen);
	sigstore_scratch_free(&sc);
	return rc;
}

void
sigstore_scratch_free(struct sigstore_scratch *sc)
{
	free(sc->op);
	free(sc->tab);
	free(sc->val);
	free(sc->bytes);
	free(sc->drop);
	free(sc->m);
	free(sc->ord);
	memset(sc, 0, sizeof(*sc));
}

int
sigstore_apply_s(struct sigstore_buyer *b, struct sigstore_strtab *st,
    const json_t *update, int64_t ts, const char *app,
    const struct sigstore_params *p, struct sigstore_stats *stats,
    struct sigstore_scratch *sc, char *err, size_t errlen)
{
	struct sigstore_stats sx;
	struct upd u;
	struct ment *m = NULL;
	unsigned char *drop = NULL;
	const struct op *op;
	size_t nm, i, j, nnew;
	uint32_t appid, encid = SIGSTORE_NONE;
	int rc = -1, renumber;

	memset(&sx, 0, sizeof(sx));
	if (stats != NULL)
		*stats = sx;
	memset(&u, 0, sizeof(u));
	u.sc = sc;
	u.err = err;
	u.errlen = errlen;
	u.val = sc->val;		/* grown by parse, given back at out */
	u.capval = sc->capval;
	u.bytes = sc->bytes;
	u.capbytes = sc->capbytes;
	if (parse(&u, (json_t *)update, p) == -1)
		goto out;
	if (sigstore_strtab_intern(st, app, &appid) == -1 ||
	    (u.endpoint != NULL &&
	    sigstore_strtab_intern(st, u.endpoint, &encid) == -1)) {
		ufail(&u, "update: string table full");
		goto out;
	}

	drop = scratch(&sc->drop, &sc->capdrop, b->n, 1, 1);
	sx.removed = mark_removed(b, &u, drop);
	nnew = 0;
	for (i = 0; i < u.nop; i++)
		if (u.op[i].cmd != OP_PINP || u.op[i].have == 0)
			nnew += u.op[i].nval;
	sx.added = (uint32_t)nnew;
	nm = b->n - sx.removed + nnew;
	m = scratch(&sc->m, &sc->capm, nm, sizeof(*m), 0);
	renumber = b->next_seq > UINT32_MAX - nnew - 1;

	j = 0;
	for (i = 0; i < b->n; i++) {
		if (drop[i])
			continue;
		m[j].v = sigstore_value(b, (uint32_t)i);
		m[j].ctime = b->sig[i].ctime;
		m[j].seq = b->sig[i].seq;
		m[j].app = b->sig[i].app;
		memcpy(m[j].key, b->sig[i].key, 4);
		m[j].len = (uint8_t)b->sig[i].len;
		m[j].dead = 0;
		j++;
	}
	for (op = u.op; op < u.op + u.nop; op++) {
		if (op->cmd == OP_PINP && op->have != 0)
			continue;
		for (i = op->first; i < op->first + op->nval; i++) {
			m[j].v = u.bytes + u.val[i].off;
			m[j].ctime = ts;
			/* A renumbered store restarts at its size. */
			m[j].seq = renumber ? 0 : b->next_seq++;
			m[j].app = appid;
			key_put(m[j].key, op->key);
			m[j].len = u.val[i].len;
			m[j].dead = 0;
			j++;
		}
	}
	if (renumber)			/* insertion order is array order */
		for (i = 0; i < nm; i++)
			m[i].seq = (uint32_t)i;
	sx.evicted = evict(m, nm, p, sc);
	if (sx.removed != 0 || nnew != 0 || sx.evicted != 0)
		rebuild(b, m, nm, renumber);

	if (ts > b->last_update)
		b->last_update = ts;
	if (u.endpoint != NULL) {
		b->encoder = encid;
		sx.encoder = 1;
	}
	if (stats != NULL)
		*stats = sx;
	rc = 0;
out:
	sc->val = u.val;
	sc->capval = u.capval;
	sc->bytes = u.bytes;
	sc->capbytes = u.capbytes;
	return rc;
}

uint32_t
sigstore_expire(struct sigstore_buyer *b, int64_t now, int64_t ttl)
{
	unsigned char *ob, *nb;
	uint32_t i, j, n = 0, vlen = 0;
	int64_t cutoff = now - ttl;

	for (i = 0; i < b->n; i++)
		if (b->sig[i].ctime >= cutoff)
			n++;
	if (n == b->n)
		return 0;
	if (n == 0) {
		i = b->n;
		free(b->sig);
		b->sig = NULL;
		b->n = b->vlen = 0;
		return i;
	}
	/*
	 * In place: records first (they only move down), then values in
	 * order; a value's new place never passes the old place of the
	 * next value because offsets ascend with the index.
	 */
	ob = vbase(b);
	for (i = j = 0; i < b->n; i++)
		if (b->sig[i].ctime >= cutoff)
			b->sig[j++] = b->sig[i];
	nb = (unsigned char *)(b->sig + n);
	for (i = 0; i < n; i++) {
		memmove(nb + vlen, ob + b->sig[i].off, b->sig[i].len);
		b->sig[i].off = vlen;
		vlen += b->sig[i].len;
	}
	i = b->n - n;
	b->n = n;
	b->vlen = vlen;
	b->sig = xrealloc(b->sig, n * sizeof(*b->sig) + vlen);
	return i;
}

/* ---- snapshots and marshalling -------------------------------------- */

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void
sigstore_snapshot(const struct sigstore_buyer *b, int64_t j, int64_t ttl,
    struct sigstore_snap *out)
{
	const struct sigstore_signal *s;
	struct sigstore_ent *e;
	uint64_t *ord;
	int64_t lo = j - ttl;
	size_t i, n = 0;

	out->ent = NULL;
	out->n = 0;
	if (b->n == 0)
		return;
	ord = xmalloc(b->n * sizeof(*ord));
	for (i = 0; i < b->n; i++)
		if (b->sig[i].ctime >= lo && b->sig[i].ctime <= j)
			ord[n++] = (uint64_t)key32(b->sig[i].key) << 32 | i;
	/* The index breaks key ties: array order is insertion order. */
	qsort(ord, n, sizeof(*ord), u64_cmp);
	if (n != 0)
		out->ent = xmalloc(n * sizeof(*out->ent));
	for (i = 0; i < n; i++) {
		s = &b->sig[(uint32_t)ord[i]];
		e = &out->ent[i];
		e->val = sigstore_value(b, (uint32_t)ord[i]);
		e->ctime = s->ctime;
		e->seq = s->seq;
		e->app = s->app;
		memcpy(e->key, s->key, 4);
		e->len = (uint8_t)s->len;
	}
	out->n = n;
	free(ord);
}

void
sigstore_snap_free(struct sigstore_snap *s)
{
	if (s == NULL)
		return;
	free(s->ent);
	s->ent = NULL;
	s->n = 0;
}

struct buf {
	char	*p;
	size_t	 n, cap;
};

static void
buf_room(struct buf *b, size_t more)
{
	if (b->cap - b->n > more)
		return;
	while (b->cap - b->n <= more)
		b->cap = b->cap != 0 ? b->cap * 2 : 256;
	b->p = xrealloc(b->p, b->cap);
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_room(b, n);
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_hex(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t i;

	buf_room(b, 2 * n);
	for (i = 0; i < n; i++) {
		b->p[b->n++] = hexd[p[i] >> 4];
		b->p[b->n++] = hexd[p[i] & 15];
	}
}

/* A JSON string body: '"', '\\' and control bytes escaped. */
static void
buf_json(struct buf *b, const char *s)
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char c;
	char e[7];

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			buf_add(b, e, 2);
		} else if (c < 0x20) {
			memcpy(e, "\\u00", 4);
			e[4] = hexd[c >> 4];
			e[5] = hexd[c & 15];
			buf_add(b, e, 6);
		} else
			buf_add(b, s, 1);
	}
}

char *
sigstore_marshal(const struct sigstore_snap *s,
    const struct sigstore_strtab *st, size_t *lenp)
{
	const struct sigstore_ent *e;
	struct buf b = { NULL, 0, 0 };
	const char *app;
	char num[32];
	size_t i;

	buf_add(&b, "[", 1);
	for (i = 0; i < s->n; i++) {
		e = &s->ent[i];
		if (i == 0 || memcmp(e->key, e[-1].key, 4) != 0) {
			if (i != 0)
				buf_add(&b, "]},", 3);
			buf_add(&b, "{\"", 2);
			buf_hex(&b, e->key, 4);
			buf_add(&b, "\":[", 3);
		} else
			buf_add(&b, ",", 1);
		buf_add(&b, "{\"val\":\"", 8);
		buf_hex(&b, e->val, e->len);
		snprintf(num, sizeof(num), "\",\"time\":%" PRId64 ",\"app\":\"",
		    e->ctime);
		buf_str(&b, num);
		if ((app = sigstore_strtab_get(st, e->app)) != NULL)
			buf_json(&b, app);
		buf_add(&b, "\"}", 2);
	}
	if (s->n != 0)
		buf_add(&b, "]}", 2);
	buf_add(&b, "]", 1);
	buf_room(&b, 1);
	b.p[b.n] = '\0';
	if (lenp != NULL)
		*lenp = b.n;
	return b.p;
}

/* ---- the built-in encoder and its decoder --------------------------- */

struct grp {
	int64_t		t;		/* latest ctime of the key */
	uint32_t	seq;		/* ... and its seq */
	uint32_t	latest;		/* snapshot index of that value */
	uint32_t	count;
};

/* Most recent first. */
static int
grp_cmp(const void *a, const void *b)
{
	const struct grp *x = a, *y = b;

	if (x->t != y->t)
		return x->t > y->t ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq > y->seq ? -1 : 1;
	return 0;
}

/* The bit length of the whole hours from t to job (0 if none). */
static uint8_t
bucket(int64_t job, int64_t t)
{
	uint64_t h;
	uint8_t bits = 0;

	if (job <= t)
		return 0;
	for (h = (uint64_t)(job - t) / 3600; h != 0; h >>= 1)
		bits++;
	return bits;
}

int
sigstore_encode(const struct sigstore_snap *s, int64_t job,
    size_t max_size, unsigned char *out, size_t *outlen, char *err,
    size_t errlen)
{
	const struct sigstore_ent *e;
	struct grp *g;
	size_t i, ng = 0, pos;

	*outlen = 0;
	if (max_size < 1) {
		diag_errf(err, errlen, "encode: maxSize %zu leaves no room for "
		    "the version byte", max_size);
		return -1;
	}
	out[0] = SIGSTORE_ENC_V1;
	pos = 1;
	if (s->n == 0) {
		*outlen = pos;
		return 0;
	}
	g = xmalloc(s->n * sizeof(*g));
	for (i = 0; i < s->n; i++) {
		e = &s->ent[i];
		if (i == 0 || memcmp(e->key, e[-1].key, 4) != 0) {
			g[ng].t = e->ctime;
			g[ng].seq = e->seq;
			g[ng].latest = (uint32_t)i;
			g[ng].count = 0;
			ng++;
		}
		g[ng - 1].count++;
		if (e->ctime > g[ng - 1].t || (e->ctime == g[ng - 1].t &&
		    e->seq > g[ng - 1].seq)) {
			g[ng - 1].t = e->ctime;
			g[ng - 1].seq = e->seq;
			g[ng - 1].latest = (uint32_t)i;
		}
	}
	qsort(g, ng, sizeof(*g), grp_cmp);
	for (i = 0; i < ng; i++) {
		e = &s->ent[g[i].latest];
		if (max_size - pos < SIGSTORE_ENC_HDR + (size_t)e->len)
			break;			/* this and the staler ones */
		memcpy(out + pos, e->key, 4);
		out[pos + 4] = g[i].count > 255 ? 255 : (uint8_t)g[i].count;
		out[pos + 5] = bucket(job, e->ctime);
		out[pos + 6] = e->len;
		if (e->len != 0)
			memcpy(out + pos + SIGSTORE_ENC_HDR, e->val, e->len);
		pos += SIGSTORE_ENC_HDR + e->len;
	}
	free(g);
	*outlen = pos;
	return 0;
}

int
sigstore_decode(const unsigned char *p, size_t n, struct sigstore_feat **out,
    size_t *nout, char *err, size_t errlen)
{
	struct sigstore_feat *f;
	size_t pos, k = 0;

	*out = NULL;
	*nout = 0;
	if (n == 0) {
		diag_errf(err, errlen, "payload: empty");
		return -1;
	}
	if (p[0] != SIGSTORE_ENC_V1) {
		diag_errf(err, errlen, "payload: version %u is not %d", p[0],
		    SIGSTORE_ENC_V1);
		return -1;
	}
	for (pos = 1; pos < n; pos += SIGSTORE_ENC_HDR + p[pos + 6], k++) {
		if (n - pos >= SIGSTORE_ENC_HDR &&
		    p[pos + 6] > SIGSTORE_MAX_VALUE) {
			diag_errf(err, errlen, "payload: value at byte %zu has %u "
			    "bytes (max %d)", pos, p[pos + 6],
			    SIGSTORE_MAX_VALUE);
			return -1;
		}
		if (n - pos < SIGSTORE_ENC_HDR ||
		    n - pos - SIGSTORE_ENC_HDR < p[pos + 6]) {
			diag_errf(err, errlen, "payload: entry at byte %zu is cut "
			    "short", pos);
			return -1;
		}
	}
	if (k == 0)
		return 0;
	f = xmalloc(k * sizeof(*f));
	for (pos = 1, k = 0; pos < n; pos += SIGSTORE_ENC_HDR + p[pos + 6]) {
		memcpy(f[k].key, p + pos, 4);
		f[k].count = p[pos + 4];
		f[k].bucket = p[pos + 5];
		f[k].len = p[pos + 6];
		f[k].val = p + pos + SIGSTORE_ENC_HDR;
		k++;
	}
	*out = f;
	*nout = k;
	return 0;
}

/* ---- the failure rule ------------------------------------------------ */

void
sigstore_fail_init(struct sigstore_fail *f)
{
	f->version = 0;
	f->count = 0;
}

int
sigstore_fail_blocked(const struct sigstore_fail *f, int32_t version,
    unsigned limit)
{
	return f->version == version && f->count >= limit;
}

void
sigstore_fail_note(struct sigstore_fail *f, int32_t version, int ok)
{
	if (f->version != version) {
		f->version = version;
		f->count = 0;
	}
	if (ok)
		f->count = 0;
	else if (f->count < UINT8_MAX)
		f->count++;
}

/* ---- one device ------------------------------------------------------ */

struct sigstore_buyer *
sigstore_device_buyer(struct sigstore_device *d, uint32_t name, int create)
{
	uint32_t i;

	for (i = 0; i < d->nbuyer; i++)
		if (d->buyer[i].name == name)
			return &d->buyer[i];
	if (!create)
		return NULL;
	/* Devices hold few buyers: exact size beats slack. */
	d->buyer = xreallocarray(d->buyer, d->nbuyer + 1, sizeof(*d->buyer));
	sigstore_buyer_init(&d->buyer[d->nbuyer], name);
	return &d->buyer[d->nbuyer++];
}

void
sigstore_device_free(struct sigstore_device *d)
{
	uint32_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nbuyer; i++)
		free(d->buyer[i].sig);
	free(d->buyer);
	d->buyer = NULL;
	d->nbuyer = 0;
}

size_t
sigstore_device_bytes(const struct sigstore_device *d)
{
	size_t n = sizeof(*d);
	uint32_t i;

	for (i = 0; i < d->nbuyer; i++)
		n += sigstore_buyer_bytes(&d->buyer[i]);
	return n;
}
