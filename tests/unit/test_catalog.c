/*
 * catalog: loading ads, the targeting and budget filters, and the exact
 * top k.  The filters are worked by hand on five ads; the pruned scan
 * is compared with the brute-force scan (every ad scored exactly) on
 * random catalogs, with ties and values <= 0 thrown in.
 *
 * Hand-worked scores (dim 2, U = identity on x = [1, 0], so u = [1, 0];
 * no context; bias 0):
 *   a-1 embedding [0, 0], value 2: z = 0, p = 0.5, score 1000
 *   a-2 embedding [1, 0], value 1: z = 1, p = 0.7310585786300049,
 *       score 731.0585786300049
 *   a-3 embedding [0, 0], value 2 (ties with a-1: a-1 first by ad_id)
 */
#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "catalog.h"
#include "rng.h"
#include "unit.h"

static char err[256];

static json_t *
js(const char *s)
{
	json_error_t je;
	json_t *v;

	if ((v = json_loads(s, 0, &je)) == NULL) {
		fprintf(stderr, "bad test json (%s): %s\n", je.text, s);
		exit(2);
	}
	return v;
}

static int
add(struct catalog *c, const char *s, int csv)
{
	json_t *j = js(s);
	int rc = catalog_add(c, j, csv, err, sizeof(err));

	json_decref(j);
	return rc;
}

static void
test_filters(void)
{
	struct catalog c;
	const struct catalog_buyer *b;
	const char *val[CAT_NFIELDS] = { "en", "US", "banner", NULL };
	uint64_t mask[1];

	catalog_init(&c, 2);
	CHECK(add(&c, "{\"ad_id\":\"a-1\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":[0,0]}", 0) == 0);
	CHECK(add(&c, "{\"ad_id\":\"a-2\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":[0,0],\"targeting\":{\"lang\":[\"fr\"]}}", 0) == 0);
	CHECK(add(&c, "{\"ad_id\":\"a-3\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":[0,0],\"targeting\":{\"geo\":[\"CA\",\"US\"],"
	    "\"slot\":[\"banner\"]}}", 0) == 0);
	CHECK(add(&c, "{\"ad_id\":\"a-4\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":[0,0],\"budget\":{\"remaining\":0}}", 0) == 0);
	/* size listed: the request has no size, so it never matches */
	CHECK(add(&c, "{\"ad_id\":\"a-5\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":[0,0],\"targeting\":{\"size\":[\"320x50\"]}}", 0) ==
	    0);
	/* CSV: text numbers, JSON text lists, dotted names */
	CHECK(add(&c, "{\"ad_id\":\"a-6\",\"buyer\":\"B\",\"value\":\"1.5\","
	    "\"embedding\":\"[0.5,1]\",\"targeting.lang\":\"[\\\"en\\\"]\","
	    "\"budget.remaining\":\"3\"}", 1) == 0);
	CHECK(add(&c, "{\"ad_id\":\"a-1\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":[0,0]}", 0) == -1);
	CHECK_STR(err, "ad_id \"a-1\" is in the catalog already");
	CHECK(add(&c, "{\"ad_id\":\"a-9\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":[0]}", 0) == -1);
	CHECK_STR(err, "\"embedding\" is not an array of 2 finite numbers");
	CHECK(add(&c, "{\"ad_id\":\"a-9\",\"buyer\":\"B\",\"value\":\"1\","
	    "\"embedding\":[0,0]}", 0) == -1);
	CHECK_STR(err, "\"value\" is not a finite number");
	CHECK(add(&c, "{\"ad_id\":\"a-9\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":[0,0],\"targeting\":{\"geo\":\"US\"}}", 0) == -1);
	CHECK_STR(err, "targeting.geo is not an array of strings");
	CHECK(add(&c, "{\"type\":\"model\"}", 0) == 1);
	catalog_finish(&c);
	b = catalog_buyer(&c, "B", 1);
	CHECK(b != NULL && b->n == 6);
	CHECK(c.out_of_budget == 1);
	catalog_filter(b, val, mask);
	/* a-1 (no lists), a-3 (geo and slot match), a-6 (lang en) */
	CHECK(mask[0] == ((1u << 0) | (1u << 2) | (1u << 5)));
	val[CAT_LANG] = NULL;
	catalog_filter(b, val, mask);
	CHECK(mask[0] == ((1u << 0) | (1u << 2)));
	val[CAT_SIZE] = "320x50";
	catalog_filter(b, val, mask);
	CHECK(mask[0] == ((1u << 0) | (1u << 2) | (1u << 4)));
	CHECK(catalog_find(&c, "a-6", 3, NULL, NULL) != NULL &&
	    catalog_find(&c, "a-6", 3, NULL, NULL)->value == 1.5);
	CHECK(catalog_find(&c, "a-7", 3, NULL, NULL) == NULL);
	catalog_free(&c);
}

/* dim 0: embeddings are not read, whatever they are */
static void
test_no_embeddings(void)
{
	struct catalog c;
	const struct catalog_buyer *b;

	catalog_init(&c, 0);
	CHECK(add(&c, "{\"ad_id\":\"a-1\",\"buyer\":\"B\",\"value\":2,"
	    "\"embedding\":[1,2,3]}", 0) == 0);
	CHECK(add(&c, "{\"ad_id\":\"a-2\",\"buyer\":\"B\",\"value\":1}",
	    0) == 0);
	CHECK(add(&c, "{\"ad_id\":\"a-3\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":\"x\"}", 1) == 0);
	CHECK(add(&c, "{\"ad_id\":\"a-4\",\"buyer\":\"B\"}", 0) == -1);
	CHECK_STR(err, "\"value\" is not a finite number");
	catalog_finish(&c);
	b = catalog_buyer(&c, "B", 1);
	CHECK(b != NULL && b->n == 3);
	CHECK(catalog_find(&c, "a-1", 3, NULL, NULL) != NULL &&
	    catalog_find(&c, "a-1", 3, NULL, NULL)->value == 2);
	catalog_free(&c);
}

static void
test_hand(void)
{
	struct catalog c;
	struct model2t m;
	const struct catalog_buyer *b;
	const char *names[2] = { "a.present", "b.present" };
	struct catalog_hit h[3];
	uint64_t mask = 7;
	double u[2] = { 1, 0 };
	size_t n;

	CHECK(model2t_init(&m, 2, names, 2, err, sizeof(err)) == 0);
	catalog_init(&c, 2);
	add(&c, "{\"ad_id\":\"a-1\",\"buyer\":\"B\",\"value\":2,"
	    "\"embedding\":[0,0]}", 0);
	add(&c, "{\"ad_id\":\"a-2\",\"buyer\":\"B\",\"value\":1,"
	    "\"embedding\":[1,0]}", 0);
	add(&c, "{\"ad_id\":\"a-3\",\"buyer\":\"B\",\"value\":2,"
	    "\"embedding\":[0,0]}", 0);
	catalog_finish(&c);
	b = catalog_buyer(&c, "B", 1);
	catalog_topk(&c, b, &mask, &m, u, NULL, 2, h, &n, NULL);
	CHECK(n == 2);
	CHECK(h[0].ad == 0 && h[1].ad == 2);
	CHECK_NEAR(h[0].score, 1000, 1e-12);
	catalog_topk(&c, b, &mask, &m, u, NULL, 3, h, &n, NULL);
	CHECK(n == 3 && h[2].ad == 1);
	CHECK_NEAR(h[2].score, 731.0585786300049, 1e-12);
	CHECK_NEAR(h[2].p, 0.7310585786300049, 1e-12);
	mask = 2;
	catalog_topk(&c, b, &mask, &m, u, NULL, 3, h, &n, NULL);
	CHECK(n == 1 && h[0].ad == 1);
	catalog_free(&c);
	model2t_free(&m);
}

/*
 * Random catalogs: the pruned scan equals the brute force, exactly.
 * The last trials have large dimensions, where the query's 16-bit
 * integers get fewer levels so that the integer sums cannot overflow.
 */
static void
test_random(void)
{
	static const int big[] = { 517, 1500, 4096 };
	struct rng r;
	struct catalog c;
	struct model2t m;
	const struct catalog_buyer *b;
	const char *names[1] = { "a.present" };
	struct catalog_hit *h1, *h2;
	json_t *ad, *emb;
	uint64_t *mask;
	double *u = calloc(4096, sizeof(*u)), *cv = calloc(4096, sizeof(*cv));
	size_t n1, n2, i, j, nexact, total_exact = 0, total = 0;
	int trial, dim, nads, k, same = 1;
	char id[32];

	{ uint64_t seed = 7; rng_init(&r, &seed, "cat", 3); }
	for (trial = 0; trial < 63; trial++) {
		dim = 1 + (int)rng_below(&r, 37);
		nads = 1 + (int)rng_below(&r, 700);
		if (trial >= 60) {
			dim = big[trial - 60];
			nads = 1 + (int)rng_below(&r, 200);
		}
		k = 1 + (int)rng_below(&r, 20);
		CHECK(model2t_init(&m, dim, names, 1, err, sizeof(err)) == 0);
		m.bias = -6 + 4 * rng_double(&r);
		catalog_init(&c, dim);
		for (i = 0; i < (size_t)nads; i++) {
			ad = json_object();
			snprintf(id, sizeof(id), "a-%zu", i);
			json_object_set_new(ad, "ad_id", json_string(id));
			json_object_set_new(ad, "buyer", json_string("B"));
			/* a few ties: values and embeddings repeat */
			json_object_set_new(ad, "value", json_real(
			    rng_below(&r, 10) == 0 ? 0 : (double)(1 +
			    rng_below(&r, 4)) / 2));
			emb = json_array();
			for (j = 0; j < (size_t)dim; j++)
				json_array_append_new(emb, json_real(
				    rng_below(&r, 8) == 0 ? 0.25 :
				    rng_double(&r) * 2 - 1));
			json_object_set_new(ad, "embedding", emb);
			CHECK(catalog_add(&c, ad, 0, err, sizeof(err)) == 0);
			json_decref(ad);
		}
		catalog_finish(&c);
		b = catalog_buyer(&c, "B", 1);
		for (j = 0; j < (size_t)dim; j++) {
			u[j] = rng_double(&r) * 3 - 1.5;
			cv[j] = rng_double(&r) - 0.5;
		}
		mask = calloc(b->nwords + 1, sizeof(*mask));
		for (i = 0; i < b->n; i++)
			if (rng_below(&r, 4) != 0)
				mask[i / 64] |= (uint64_t)1 << (i % 64);
		h1 = calloc((size_t)k, sizeof(*h1));
		h2 = calloc((size_t)k, sizeof(*h2));
		catalog_topk(&c, b, mask, &m, u, trial % 2 ? cv : NULL,
		    (size_t)k, h1, &n1, &nexact);
		catalog_topk_brute(&c, b, mask, &m, u, trial % 2 ? cv : NULL,
		    (size_t)k, h2, &n2);
		if (n1 != n2)
			same = 0;
		for (i = 0; i < n1 && i < n2; i++)
			if (h1[i].ad != h2[i].ad || h1[i].score != h2[i].score)
				same = 0;
		total_exact += nexact;
		total += b->n;
		free(mask);
		free(h1);
		free(h2);
		catalog_free(&c);
		model2t_free(&m);
	}
	CHECK(same);
	/* the bound prunes: far fewer exact scores than ads */
	CHECK(total_exact < total / 2);
	free(u);
	free(cv);
}

static const char *const vocab[CAT_NFIELDS][4] = {
	{ "en", "fr", "de", "ja" }, { "US", "CA", "DE", "FR" },
	{ "banner", "native", "rewarded", "interstitial" },
	{ "320x50", "320x480", "300x250", "1200x627" }
};

/* A random targeting list (or none) of field f. */
static json_t *
rand_list(struct rng *r, int f)
{
	json_t *l;
	size_t i, n;

	if (rng_below(r, 2) == 0)
		return NULL;
	l = json_array();
	n = rng_below(r, 4);		/* 0: an empty list */
	for (i = 0; i < n; i++)
		json_array_append_new(l, json_string(vocab[f][rng_below(r,
		    4)]));
	return l;
}

/*
 * Random catalogs with targeting and budgets: catalog_retrieve (the
 * scan order, the 8-bit bounds, the seeds) gives exactly the hits of
 * catalog_filter and the brute force, and counts the same ads.  Some
 * trials use huge or tiny embeddings, or a user vector too large to
 * bound.
 */
static void
test_retrieve_random(void)
{
	struct rng r;
	struct catalog c;
	struct model2t m;
	const struct catalog_buyer *b;
	const char *names[1] = { "a.present" }, *val[CAT_NFIELDS];
	struct catalog_hit *h1, *h2;
	json_t *ad, *emb, *tg, *l;
	uint64_t *mask, *sel;
	double u[40], cv[40], base[40], mag, e;
	size_t n1, n2, i, j, nf, nexact, pop, total_exact = 0, total = 0;
	int trial, dim, nads, k, f, q, same = 1, kind;	/* total: of min(k, pop) */
	char id[32];

	{ uint64_t seed = 11; rng_init(&r, &seed, "ret", 3); }
	for (trial = 0; trial < 120; trial++) {
		dim = 1 + (int)rng_below(&r, 37);
		nads = 1 + (int)rng_below(&r, 900);
		k = 1 + (int)rng_below(&r, 20);
		kind = (int)rng_below(&r, 8);	/* 0: huge, 1: tiny a */
		for (j = 0; j < (size_t)dim; j++)
			base[j] = rng_double(&r) * 2 - 1;
		mag = kind == 0 ? 1e35 : kind == 1 ? 1e-40 : 1;
		CHECK(model2t_init(&m, dim, names, 1, err, sizeof(err)) == 0);
		m.bias = -6 + 4 * rng_double(&r);
		catalog_init(&c, dim);
		for (i = 0; i < (size_t)nads; i++) {
			ad = json_object();
			snprintf(id, sizeof(id), "a-%zu", i);
			json_object_set_new(ad, "ad_id", json_string(id));
			json_object_set_new(ad, "buyer", json_string("B"));
			json_object_set_new(ad, "value", json_real(
			    rng_below(&r, 10) == 0 ? 0 : rng_below(&r, 20) == 0 ?
			    -1 : (double)(1 + rng_below(&r, 4)) / 2));
			if (rng_below(&r, 3) == 0)
				json_object_set_new(ad, "budget", js(
				    rng_below(&r, 4) == 0 ?
				    "{\"remaining\":0}" : "{\"remaining\":5}"));
			emb = json_array();
			for (j = 0; j < (size_t)dim; j++) {
				e = rng_below(&r, 8) == 0 ? 0.25 :
				    rng_double(&r) * 2 - 1;
				if (kind == 3)	/* near twins: order below 2^-8 */
					e = base[j] + (rng_double(&r) - 0.5) *
					    1e-3;
				if (rng_below(&r, 16) == 0 && kind != 3)
					e *= 40;	/* one large entry */
				json_array_append_new(emb, json_real(e *
				    (rng_below(&r, 3) == 0 ? mag : 1)));
			}
			json_object_set_new(ad, "embedding", emb);
			tg = json_object();
			for (f = 0; f < CAT_NFIELDS; f++)
				if ((l = rand_list(&r, f)) != NULL)
					json_object_set_new(tg,
					    catalog_field_name[f], l);
			json_object_set_new(ad, "targeting", tg);
			CHECK(catalog_add(&c, ad, 0, err, sizeof(err)) == 0);
			json_decref(ad);
		}
		catalog_finish(&c);
		b = catalog_buyer(&c, "B", 1);
		mask = calloc(b->nwords + 1, sizeof(*mask));
		sel = calloc(b->nwords + 1, sizeof(*sel));
		h1 = calloc((size_t)k, sizeof(*h1));
		h2 = calloc((size_t)k, sizeof(*h2));
		for (q = 0; q < 6; q++) {
			for (j = 0; j < (size_t)dim; j++) {
				u[j] = (rng_double(&r) * 3 - 1.5) *
				    (q == 5 && kind == 2 ? 1e31 : 1);
				cv[j] = rng_double(&r) - 0.5;
			}
			for (f = 0; f < CAT_NFIELDS; f++)
				val[f] = rng_below(&r, 6) == 0 ? NULL :
				    rng_below(&r, 8) == 0 ? "xx" :
				    vocab[f][rng_below(&r, 4)];
			catalog_filter(b, val, mask);
			for (pop = 0, i = 0; i < b->nwords; i++)
				pop += (size_t)__builtin_popcountll(mask[i]);
			catalog_retrieve(&c, b, val, &m, u, q % 2 ? cv : NULL,
			    (size_t)k, sel, h1, &n1, &nf, &nexact);
			catalog_topk_brute(&c, b, mask, &m, u, q % 2 ? cv :
			    NULL, (size_t)k, h2, &n2);
			if (n1 != n2 || nf != pop)
				same = 0;
			for (i = 0; i < n1 && i < n2; i++)
				if (h1[i].ad != h2[i].ad ||
				    h1[i].score != h2[i].score ||
				    h1[i].p != h2[i].p)
					same = 0;
			if (kind >= 2 && q != 5) {
				total_exact += nexact;
				total += pop < (size_t)k ? pop : (size_t)k;
			}
		}
		free(mask);
		free(sel);
		free(h1);
		free(h2);
		catalog_free(&c);
		model2t_free(&m);
	}
	CHECK(same);
	/* the seeds and the bound: few exact scores beyond the k best */
	CHECK(total_exact < 2 * total);
}

int
main(void)
{
	test_filters();
	test_no_embeddings();
	test_hand();
	test_random();
	test_retrieve_random();
	return unit_report();
}
