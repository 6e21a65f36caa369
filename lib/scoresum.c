#include "scoresum.h"

#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "jw.h"
#include "xalloc.h"

int
scoresum_add_outcome(struct scoresum *s, const char *id, size_t idn,
    const char *ad_id, int impression, int click, int install)
{
	struct scoresum_outcome *o;
	size_t i;
	int added;

	i = strtab_intern(&s->ids, id, idn, &added);
	if (!added)
		return -1;
	if (i >= s->oc_cap) {
		s->oc_cap = s->oc_cap ? 2 * s->oc_cap : 256;
		s->oc = xreallocarray(s->oc, s->oc_cap, sizeof(*s->oc));
	}
	o = &s->oc[i];
	o->ad_id = xstrdup(ad_id);
	o->impression = impression != 0;
	o->click = click != 0;
	o->install = install != 0;
	s->has_outcomes = 1;
	return 0;
}

/* The row of buyer (campaign NULL) or of (buyer, campaign). */
static struct scoresum_agg *
row(struct scoresum *s, const char *buyer, const char *campaign)
{
	struct buf k = { 0 };
	size_t i;
	int added;

	buf_addc(&k, campaign != NULL ? 'C' : 'B');
	buf_adds(&k, buyer);
	if (campaign != NULL) {
		buf_add(&k, "", 1);		/* the NUL between them */
		buf_adds(&k, campaign);
	}
	i = strtab_intern(&s->keys, k.p, k.len, &added);
	buf_free(&k);
	if (i >= s->agg_cap) {
		s->agg_cap = s->agg_cap ? 2 * s->agg_cap : 64;
		s->agg = xreallocarray(s->agg, s->agg_cap, sizeof(*s->agg));
	}
	if (added)
		memset(&s->agg[i], 0, sizeof(s->agg[i]));
	return &s->agg[i];
}

void
scoresum_bid(struct scoresum *s, const char *buyer, const char *campaign)
{
	s->total.bids++;
	row(s, buyer, NULL)->bids++;
	if (campaign != NULL)
		row(s, buyer, campaign)->bids++;
}

static void
add_win(struct scoresum_agg *a, double spend,
    const struct scoresum_outcome *o, int has_outcomes)
{
	a->wins++;
	a->spend += spend;
	if (!has_outcomes)
		a->impressions++;
	else if (o != NULL) {
		a->impressions += o->impression;
		a->clicks += o->click;
		a->installs += o->install;
	}
}

void
scoresum_win(struct scoresum *s, const char *id, size_t idn,
    const char *buyer, const char *campaign, const char *ad_id, double price)
{
	const struct scoresum_outcome *o = NULL;
	double spend = price / 1000;
	long i;

	if (s->has_outcomes) {
		if (id != NULL && (i = strtab_find(&s->ids, id, idn)) >= 0 &&
		    strcmp(s->oc[i].ad_id, ad_id) == 0)
			o = &s->oc[i];
		else
			s->wins_without_outcome++;
	}
	add_win(&s->total, spend, o, s->has_outcomes);
	add_win(row(s, buyer, NULL), spend, o, s->has_outcomes);
	if (campaign != NULL)
		add_win(row(s, buyer, campaign), spend, o, s->has_outcomes);
}

/* One output field: a string (NULL: null), a count, or a ratio. */
enum { F_STR, F_COUNT, F_RATIO, F_REAL };

struct field {
	const char	*name;
	int		 kind;
	const char	*s;
	size_t		 n;
	double		 num, den;
};

static void
value(struct buf *b, const struct field *f, int csv)
{
	switch (f->kind) {
	case F_STR:
		if (f->s == NULL)
			buf_adds(b, csv ? "" : "null");
		else if (csv)
			csv_put_field(b, f->s, f->n);
		else
			jw_string(b, f->s, f->n);
		break;
	case F_COUNT:
		jw_int(b, (long long)f->num);
		break;
	case F_REAL:
		jw_real(b, f->num);
		break;
	case F_RATIO:
		if (f->den == 0)
			buf_adds(b, csv ? "" : "null");
		else
			jw_real(b, f->num / f->den);
		break;
	}
}

static size_t
fields(const struct scoresum *s, const struct scoresum_agg *a,
    const char *type, const char *buyer, size_t nb, const char *campaign,
    size_t nc, struct field *f)
{
	size_t n = 0;

#define STR(k, v, l)	f[n++] = (struct field){ k, F_STR, v, l, 0, 0 }
#define CNT(k, v)	f[n++] = (struct field){ k, F_COUNT, NULL, 0, (double)(v), 1 }
#define REAL(k, v)	f[n++] = (struct field){ k, F_REAL, NULL, 0, v, 1 }
#define RATIO(k, x, y)	f[n++] = (struct field){ k, F_RATIO, NULL, 0, x, y }
	STR("type", type, strlen(type));
	STR("buyer", buyer, nb);
	STR("campaign", campaign, nc);
	CNT("bids", a->bids);
	CNT("wins", a->wins);
	RATIO("win_rate", (double)a->wins, (double)a->bids);
	CNT("impressions", a->impressions);
	REAL("spend", a->spend);
	RATIO("cpm", 1000 * a->spend, (double)a->impressions);
	if (s->has_outcomes) {
		CNT("clicks", a->clicks);
		CNT("installs", a->installs);
		RATIO("ctr", (double)a->clicks, (double)a->impressions);
		RATIO("cvr", (double)a->installs, (double)a->clicks);
		RATIO("cpc", a->spend, (double)a->clicks);
		RATIO("cpa", a->spend, (double)a->installs);
	}
#undef STR
#undef CNT
#undef REAL
#undef RATIO
	return n;
}

static void
write_row(struct buf *b, const struct field *f, size_t n, int csv)
{
	size_t i;

	if (!csv)
		buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		if (!csv) {
			jw_string(b, f[i].name, strlen(f[i].name));
			buf_addc(b, ':');
		}
		value(b, &f[i], csv);
	}
	buf_adds(b, csv ? "\n" : "}\n");
}

static const struct strtab *sort_keys;

static int
cmp_key(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	size_t ni = sort_keys->lens[i], nj = sort_keys->lens[j];
	int c = memcmp(sort_keys->keys[i], sort_keys->keys[j],
	    ni < nj ? ni : nj);

	return c != 0 ? c : (ni > nj) - (ni < nj);
}

void
scoresum_write(const struct scoresum *s, struct buf *b, int csv)
{
	struct field f[16];
	size_t *ord, i, n, nk;
	const char *k, *nul;

	n = fields(s, &s->total, "total", NULL, 0, NULL, 0, f);
	if (csv) {
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addc(b, ',');
			buf_adds(b, f[i].name);
		}
		buf_addc(b, '\n');
	}
	write_row(b, f, n, csv);
	ord = xreallocarray(NULL, s->keys.count + 1, sizeof(*ord));
	for (i = 0; i < s->keys.count; i++)
		ord[i] = i;
	sort_keys = &s->keys;
	qsort(ord, s->keys.count, sizeof(*ord), cmp_key);
	for (i = 0; i < s->keys.count; i++) {
		k = strtab_key(&s->keys, ord[i], &nk);
		if (k[0] == 'B')
			n = fields(s, &s->agg[ord[i]], "buyer", k + 1, nk - 1,
			    NULL, 0, f);
		else {
			nul = memchr(k + 1, '\0', nk - 1);
			n = fields(s, &s->agg[ord[i]], "campaign", k + 1,
			    (size_t)(nul - k - 1), nul + 1,
			    nk - (size_t)(nul + 1 - k), f);
		}
		write_row(b, f, n, csv);
	}
	free(ord);
}

void
scoresum_free(struct scoresum *s)
{
	size_t i;

	for (i = 0; i < s->ids.count; i++)
		free(s->oc[i].ad_id);
	strtab_free(&s->ids);
	strtab_free(&s->keys);
	free(s->oc);
	free(s->agg);
	memset(s, 0, sizeof(*s));
}
