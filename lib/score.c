#include "score.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fnum.h"
#include "jmember.h"
#include "jw.h"
#include "xalloc.h"

static const char *const reason_names[SCORE_NREASONS] = {
	[SCORE_NONE] = "none",
	[SCORE_NO_BIDS] = "no_bids",
	[SCORE_BLOCKED] = "blocked",
	[SCORE_BELOW_FLOOR] = "below_floor",
	[SCORE_BUDGET] = "budget_exhausted",
	[SCORE_OUTBID] = "outbid",
	[SCORE_REJECTED] = "seller_rejected",
	[SCORE_FAILED] = "score_failed",
};

const char *
score_reason_name(enum score_reason r)
{
	return r < SCORE_NREASONS ? reason_names[r] : "?";
}

/* Rules. */

void
score_rules_add_advertiser(struct score_rules *r, const char *s, size_t n)
{
	strtab_intern(&r->adv, s, n, NULL);
}

void
score_rules_add_category(struct score_rules *r, const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == '/')
		n--;
	strtab_intern(&r->cat, s, n, NULL);
}

int
score_rules_blocked(const struct score_rules *r, const char *adv,
    const char *cat)
{
	const char *p;

	if (adv != NULL && r->adv.count > 0 &&
	    strtab_find(&r->adv, adv, strlen(adv)) >= 0)
		return 1;
	if (cat == NULL || r->cat.count == 0)
		return 0;
	/* the category and each of its ancestors: "a/b/c", "a/b", "a" */
	if (strtab_find(&r->cat, cat, strlen(cat)) >= 0)
		return 1;
	for (p = cat + strlen(cat); p > cat; p--)
		if (p[-1] == '/' && p - 1 > cat &&
		    strtab_find(&r->cat, cat, (size_t)(p - 1 - cat)) >= 0)
			return 1;
	return 0;
}

void
score_rules_free(struct score_rules *r)
{
	strtab_free(&r->adv);
	strtab_free(&r->cat);
}

/* Budgets. */

int
score_budgets_add(struct score_budgets *b, const char *ad_id, size_t n,
    const char *buyer, double remaining)
{
	size_t i;
	int added;

	i = strtab_intern(&b->ads, ad_id, n, &added);
	if (!added)
		return -1;
	if (i >= b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->remaining = xreallocarray(b->remaining, b->cap,
		    sizeof(*b->remaining));
		b->spent = xreallocarray(b->spent, b->cap, sizeof(*b->spent));
		b->wins = xreallocarray(b->wins, b->cap, sizeof(*b->wins));
		b->buyer = xreallocarray(b->buyer, b->cap, sizeof(*b->buyer));
	}
	b->remaining[i] = remaining;
	b->spent[i] = 0;
	b->wins[i] = 0;
	b->buyer[i] = buyer != NULL ? xstrdup(buyer) : NULL;
	return 0;
}

long
score_budgets_find(const struct score_budgets *b, const char *ad_id)
{
	return strtab_find(&b->ads, ad_id, strlen(ad_id));
}

int
score_budgets_can_pay(const struct score_budgets *b, long i, double price)
{
	double charge = price / 1000;

	return i < 0 || b->remaining[i] >= charge - 1e-9 * charge;
}

void
score_budgets_charge(struct score_budgets *b, long i, double price)
{
	double charge = price / 1000;

	if (i < 0)
		return;
	b->remaining[i] -= charge;
	if (b->remaining[i] < 0)
		b->remaining[i] = 0;	/* within the rounding tolerance */
	b->spent[i] += charge;
	b->wins[i]++;
}

void
score_budgets_free(struct score_budgets *b)
{
	size_t i;

	for (i = 0; i < b->ads.count; i++)
		free(b->buyer[i]);
	strtab_free(&b->ads);
	free(b->remaining);
	free(b->spent);
	free(b->wins);
	free(b->buyer);
	memset(b, 0, sizeof(*b));
}

/* The auction. */

/* A string or null/absent field of a bid; -1 for another type. */
static int
opt_string(json_t *o, const char *k, const char **out)
{
	json_t *v = json_object_get(o, k);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

const char *
score_read_bids(struct score_auction *a, json_t *bids, char *err,
    size_t errlen)
{
	struct score_bid *b;
	json_t *e, *v;
	size_t i, j, n;

	a->nbids = 0;
	if (bids == NULL || json_is_null(bids))
		return NULL;
	if (!json_is_array(bids)) {
		diag_errf(err, errlen, "\"bids\" is not an array");
		return err;
	}
	n = json_array_size(bids);
	if (n > a->cap) {
		a->cap = n;
		a->bids = xreallocarray(a->bids, n, sizeof(*a->bids));
		a->rank = xreallocarray(a->rank, n, sizeof(*a->rank));
	}
	json_array_foreach(bids, i, e) {
		b = &a->bids[i];
		memset(b, 0, sizeof(*b));
		b->budget = -1;
		if (!json_is_object(e)) {
			diag_errf(err, errlen, "bids[%zu] is not an object", i);
			return err;
		}
		if (!json_is_string(v = json_object_get(e, "buyer"))) {
			diag_errf(err, errlen, "bids[%zu]: no string \"buyer\"",
			    i);
			return err;
		}
		b->buyer = json_string_value(v);
		if (!json_is_string(v = json_object_get(e, "ad_id"))) {
			diag_errf(err, errlen, "bids[%zu]: no string \"ad_id\"",
			    i);
			return err;
		}
		b->ad_id = json_string_value(v);
		if (!json_is_number(v = json_object_get(e, "bid"))) {
			diag_errf(err, errlen, "bids[%zu]: \"bid\" is %s", i,
			    v == NULL ? "missing" : "not a number");
			return err;
		}
		b->bid = json_number_value(v);
		if (opt_string(e, "campaign", &b->campaign) == -1 ||
		    opt_string(e, "advertiser", &b->advertiser) == -1 ||
		    opt_string(e, "category", &b->category) == -1) {
			diag_errf(err, errlen, "bids[%zu]: campaign, advertiser "
			    "and category must be strings", i);
			return err;
		}
		if (json_is_string(v = json_object_get(e, "render_url")))
			b->render_url = json_string_value(v);
		b->payload = json_object_get(e, "egress_payload");
		b->tpayload = json_object_get(e,
		    "temporary_unlimited_egress_payload");
		for (j = 0; j < i; j++)
			if (strcmp(a->bids[j].buyer, b->buyer) == 0) {
				diag_errf(err, errlen, "bids[%zu]: a second bid "
				    "of buyer \"%s\"", i, b->buyer);
				return err;
			}
		a->nbids = i + 1;
	}
	return NULL;
}

/*
 * Bid order: higher desirability first, then the bytewise smaller buyer,
 * then ad_id.
 */
static int
before(const struct score_bid *x, const struct score_bid *y)
{
	int c;

	if (x->desirability != y->desirability)
		return x->desirability > y->desirability;
	if ((c = strcmp(x->buyer, y->buyer)) != 0)
		return c < 0;
	return strcmp(x->ad_id, y->ad_id) < 0;
}

/*
 * The price a bid pays as winner: its bid (first price), or the floor or
 * the next bid (the runner-up by desirability), whichever is higher, or
 * its bid when there is neither; never more than its bid (a runner-up by
 * desirability may have bid more).
 */
static double
price_of(const struct score_auction *a, int second_price, double bid,
    int has_next, double next)
{
	double p;

	if (!second_price)
		return bid;
	if (has_next)
		p = next > a->floor ? next : a->floor;
	else
		p = a->floor > 0 ? a->floor : bid;
	return p < bid ? p : bid;
}

/*
 * The raw reader.  Strings are copied, NUL-terminated, into a->text;
 * since that buffer may move while it grows, a bid's string fields hold
 * offsets (cast to pointers) until every bid is read.
 */

/* A string without escapes: its offset in a->text, or -1. */
static long
raw_string(struct score_auction *a, const struct jmember *m)
{
	long off = (long)a->text.len;

	if (m->vallen < 2 || m->val[0] != '"' ||
	    memchr(m->val, '\\', m->vallen) != NULL)
		return -1;
	buf_add(&a->text, m->val + 1, m->vallen - 2);
	buf_addc(&a->text, '\0');
	return off;
}

/* A number as jansson reads it: an integer, or a real as strtod. */
static int
raw_number(const struct jmember *m, double *x)
{
	char tmp[64], *end;
	size_t i;

	if (m->vallen == 0 || m->vallen >= sizeof(tmp) ||
	    !(m->val[0] == '-' || (m->val[0] >= '0' && m->val[0] <= '9')))
		return -1;
	for (i = 0; i < m->vallen; i++)
		if (m->val[i] == '.' || m->val[i] == 'e' || m->val[i] == 'E')
			return fnum_parse(m->val, m->vallen, x);
	memcpy(tmp, m->val, m->vallen);
	tmp[m->vallen] = '\0';
	*x = (double)strtoll(tmp, &end, 10);
	return *end == '\0' ? 0 : -1;
}

#define OFF(o)	((const char *)(uintptr_t)(o))

/*
 * 1 when the subtree of node i is what jw_value() writes for it: no
 * string with an escape, no real and no number spelt -0 (keys and
 * strings of a vouched line are otherwise copied as they are; integers
 * have one spelling).
 */
static int
tape_canonical(const struct jtape *t, long i)
{
	const struct jnode *v;
	size_t j;

	for (j = (size_t)i; j < t->v[i].next; j++) {
		v = &t->v[j];
		if (v->esc || v->real || (v->type == JNODE_NUMBER &&
		    v->vallen >= 2 && v->val[0] == '-' && v->val[1] == '0'))
			return 0;
	}
	return 1;
}

int
score_read_bids_raw(struct score_auction *a, const char *text, size_t len)
{
	struct jtape t = { 0 };
	int rc;

	rc = jtape_scan_value(text, len, &t) == 0 ?
	    score_read_bids_tape(a, &t, 0) : -1;
	jtape_free(&t);
	return rc;
}

int
score_read_bids_tape(struct score_auction *a, const struct jtape *t,
    long node)
{
	const struct jnode *arr, *e, *v;
	struct jmember m;
	struct score_bid *b;
	size_t i, j, k, n = 0;
	long off;
	int have_bid;

	a->nbids = 0;
	a->text.len = 0;
	if (node < 0)
		return -1;
	arr = &t->v[node];
	if (arr->type == JNODE_NULL)
		return 0;
	if (arr->type != JNODE_ARRAY)
		return -1;
	for (i = (size_t)node + 1; i < arr->next; i = e->next) {
		e = &t->v[i];
		if (e->type != JNODE_OBJECT)
			return -1;
		if (n == a->cap) {
			a->cap = a->cap ? 2 * a->cap : 8;
			a->bids = xreallocarray(a->bids, a->cap,
			    sizeof(*a->bids));
			a->rank = xreallocarray(a->rank, a->cap,
			    sizeof(*a->rank));
		}
		b = &a->bids[n];
		memset(b, 0, sizeof(*b));
		b->budget = -1;
		have_bid = 0;
		/* string fields hold offset + 1 here: 0 is "absent" */
		for (k = i + 1; k < e->next; k = v->next) {
			v = &t->v[k];
			m.key = v->key;
			m.keylen = v->keylen;
			m.val = v->val;
			m.vallen = v->vallen;
			m.compact = 1;
			if (JMEMBER_KEY(&m, "buyer") ||
			    JMEMBER_KEY(&m, "ad_id")) {
				if ((off = raw_string(a, &m)) == -1)
					return -1;
				*(JMEMBER_KEY(&m, "buyer") ? &b->buyer :
				    &b->ad_id) = OFF(off + 1);
			} else if (JMEMBER_KEY(&m, "campaign") ||
			    JMEMBER_KEY(&m, "advertiser") ||
			    JMEMBER_KEY(&m, "category")) {
				if (v->type == JNODE_NULL)
					continue;
				if ((off = raw_string(a, &m)) == -1)
					return -1;
				*(JMEMBER_KEY(&m, "campaign") ? &b->campaign :
				    JMEMBER_KEY(&m, "advertiser") ?
				    &b->advertiser : &b->category) =
				    OFF(off + 1);
			} else if (JMEMBER_KEY(&m, "render_url")) {
				if (v->type != JNODE_STRING)
					continue;	/* not a string: none */
				if ((off = raw_string(a, &m)) == -1)
					return -1;
				b->render_url = OFF(off + 1);
			} else if (JMEMBER_KEY(&m, "bid")) {
				if (raw_number(&m, &b->bid) != 0)
					return -1;
				have_bid = 1;
			} else if (JMEMBER_KEY(&m, "egress_payload") ||
			    JMEMBER_KEY(&m,
			    "temporary_unlimited_egress_payload")) {
				if (!tape_canonical(t, (long)k))
					return -1;
				if (m.keylen == 14) {
					b->praw = m.val;
					b->prawlen = m.vallen;
				} else {
					b->tpraw = m.val;
					b->tprawlen = m.vallen;
				}
			}
		}
		if (b->buyer == NULL || b->ad_id == NULL || !have_bid)
			return -1;
		n++;
	}
	/* offsets to pointers, then the check of one bid per buyer */
	for (i = 0; i < n; i++) {
		b = &a->bids[i];
		b->buyer = a->text.p + ((uintptr_t)b->buyer - 1);
		b->ad_id = a->text.p + ((uintptr_t)b->ad_id - 1);
		if (b->campaign != NULL)
			b->campaign = a->text.p + ((uintptr_t)b->campaign - 1);
		if (b->advertiser != NULL)
			b->advertiser = a->text.p +
			    ((uintptr_t)b->advertiser - 1);
		if (b->category != NULL)
			b->category = a->text.p + ((uintptr_t)b->category - 1);
		if (b->render_url != NULL)
			b->render_url = a->text.p +
			    ((uintptr_t)b->render_url - 1);
		for (j = 0; j < i; j++)
			if (strcmp(a->bids[j].buyer, b->buyer) == 0)
				return -1;
	}
	a->nbids = n;
	return 0;
}

int
score_run(struct score_auction *a, const struct score_opts *o, double floor)
{
	struct score_bid *b;
	size_t i, k, m = 0;
	int has_next, any_blocked = 0, any_below = 0, any_budget = 0,
	    any_rejected = 0, any_failed = 0, rc;
	double next = 0, price;

	a->floor = floor;
	a->winner = -1;
	a->price = 0;
	a->scored = 0;
	for (i = 0; i < a->nbids; i++) {
		b = &a->bids[i];
		b->valid = isfinite(b->bid) && b->bid > 0;
		b->state = SCORE_NO_BIDS;
		b->desirability = b->bid;
		b->reject_reason = NULL;
		if (!b->valid)
			continue;
		a->scored++;
		if (o->rules != NULL &&
		    score_rules_blocked(o->rules, b->advertiser, b->category)) {
			b->state = SCORE_BLOCKED;
			any_blocked = 1;
		} else if (b->bid < floor) {
			b->state = SCORE_BELOW_FLOOR;
			any_below = 1;
		} else if (o->score_ad != NULL && (rc = o->score_ad(o->score_arg,
		    a, i, &b->desirability, &b->reject_reason)) != SCORE_AD_OK) {
			if (rc == SCORE_AD_STOP)
				return -1;
			b->state = rc == SCORE_AD_FAILED ? SCORE_FAILED :
			    SCORE_REJECTED;
			any_rejected |= rc != SCORE_AD_FAILED;
			any_failed |= rc == SCORE_AD_FAILED;
		} else if (!(b->desirability > 0) ||
		    !isfinite(b->desirability)) {
			b->state = SCORE_REJECTED;
			any_rejected = 1;
		} else {
			b->state = SCORE_OUTBID;
			/* insertion into rank, best first (few bids) */
			for (k = m; k > 0 && before(b, &a->bids[a->rank[k - 1]]);
			    k--)
				a->rank[k] = a->rank[k - 1];
			a->rank[k] = i;
			m++;
		}
	}
	if (o->budgets == NULL) {
		if (m > 0) {
			a->winner = (long)a->rank[0];
			a->price = price_of(a, o->second_price,
			    a->bids[a->rank[0]].bid, m > 1,
			    m > 1 ? a->bids[a->rank[1]].bid : 0);
		}
	} else {
		/*
		 * From the lowest eligible bid up: a bid whose ad cannot pay
		 * the price it would pay as winner is dropped; the bid that
		 * sets a second price is the nearest one below that was not
		 * dropped.  The last one kept is the winner.
		 */
		has_next = 0;
		for (k = m; k-- > 0;) {
			b = &a->bids[a->rank[k]];
			price = price_of(a, o->second_price, b->bid, has_next,
			    next);
			b->budget = score_budgets_find(o->budgets, b->ad_id);
			if (!score_budgets_can_pay(o->budgets, b->budget,
			    price)) {
				b->state = SCORE_BUDGET;
				any_budget = 1;
				continue;
			}
			a->winner = (long)a->rank[k];
			a->price = price;
			has_next = 1;
			next = b->bid;
		}
	}
	if (a->winner >= 0) {
		b = &a->bids[a->winner];
		b->state = SCORE_NONE;
		a->reason = SCORE_NONE;
		if (o->budgets != NULL)
			score_budgets_charge(o->budgets, b->budget, a->price);
	} else if (any_budget)
		a->reason = SCORE_BUDGET;
	else if (any_rejected)
		a->reason = SCORE_REJECTED;
	else if (any_failed)
		a->reason = SCORE_FAILED;
	else if (any_below)
		a->reason = SCORE_BELOW_FLOOR;
	else if (any_blocked)
		a->reason = SCORE_BLOCKED;
	else
		a->reason = SCORE_NO_BIDS;
	return 0;
}

static void
key(struct buf *b, const char *k)
{
	buf_addc(b, '"');
	buf_adds(b, k);
	buf_add(b, "\":", 2);
}

static void
str(struct buf *b, const char *s)
{
	jw_string(b, s, strlen(s));
}

void
score_write_auction(struct buf *b, const struct score_auction *a)
{
	const struct score_bid *w;

	buf_addc(b, '{');
	key(b, "winner");
	if (a->winner >= 0) {
		w = &a->bids[a->winner];
		buf_addc(b, '{');
		key(b, "buyer");
		str(b, w->buyer);
		buf_addc(b, ',');
		key(b, "ad_id");
		str(b, w->ad_id);
		buf_addc(b, ',');
		key(b, "bid");
		jw_real(b, w->bid);
		buf_addc(b, ',');
		key(b, "price");
		jw_real(b, a->price);
		buf_addc(b, ',');
		key(b, "score");
		jw_real(b, w->desirability);
		buf_addc(b, '}');
	} else {
		buf_adds(b, "null,");
		key(b, "reason");
		str(b, score_reason_name(a->reason));
	}
	buf_addc(b, ',');
	key(b, "scored");
	jw_int(b, (long long)a->scored);
	buf_addc(b, '}');
}

static void
report_head(struct buf *b, const struct score_bid *x, const char *type,
    double price)
{
	buf_addc(b, '{');
	key(b, "buyer");
	str(b, x->buyer);
	buf_addc(b, ',');
	key(b, "type");
	str(b, type);
	buf_addc(b, ',');
	key(b, "ad_id");
	str(b, x->ad_id);
	buf_addc(b, ',');
	key(b, "price");
	jw_real(b, price);
}

void
score_write_reports(struct buf *b, const struct score_auction *a)
{
	const struct score_bid *x;
	double beat;
	size_t i;
	int first = 1;

	buf_addc(b, '[');
	if (a->winner >= 0) {
		x = &a->bids[a->winner];
		report_head(b, x, "win", a->price);
		if (x->praw != NULL || x->payload != NULL) {
			buf_addc(b, ',');
			key(b, "egress_payload");
			if (x->praw != NULL)
				buf_add(b, x->praw, x->prawlen);
			else
				jw_value(b, x->payload);
		}
		if (x->tpraw != NULL || x->tpayload != NULL) {
			buf_addc(b, ',');
			key(b, "temporary_unlimited_egress_payload");
			if (x->tpraw != NULL)
				buf_add(b, x->tpraw, x->tprawlen);
			else
				jw_value(b, x->tpayload);
		}
		buf_addc(b, '}');
		first = 0;
	}
	/* the bid a loser had to beat: the winning bid, else the floor */
	beat = a->winner >= 0 ? a->bids[a->winner].bid : a->floor;
	for (i = 0; i < a->nbids; i++) {
		x = &a->bids[i];
		if (!x->valid || (long)i == a->winner)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = 0;
		report_head(b, x, "loss", beat);
		buf_addc(b, ',');
		key(b, "reason");
		str(b, score_reason_name(x->state));
		if (x->state == SCORE_REJECTED && x->reject_reason != NULL) {
			buf_addc(b, ',');
			key(b, "reject_reason");
			str(b, x->reject_reason);
		}
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
}

void
score_auction_free(struct score_auction *a)
{
	buf_free(&a->text);
	free(a->bids);
	free(a->rank);
	memset(a, 0, sizeof(*a));
}
