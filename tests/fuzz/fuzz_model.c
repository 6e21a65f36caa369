/*
 * The model loaders on arbitrary bytes (as JSON): the two_tower model
 * (model2t.h) and the logistic model (lrmodel.h).  A model that loads
 * is written back, loaded again and used once, so the fuzzer reaches
 * the code behind validation: no crash, no leak, and what is written
 * must load again.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "buf.h"
#include "lrmodel.h"
#include "model2t.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
two_tower(const json_t *j)
{
	struct model2t m, m2;
	struct buf b = { 0 };
	json_t *j2, *rec, *ad;
	json_error_t je;
	double *x, *u, *c, *a;
	char err[256];
	size_t i;

	if (model2t_from_json(&m, j, err, sizeof(err)) != 0)
		return;
	model2t_write(&b, &m);
	j2 = json_loadb(b.p, b.len, 0, &je);
	if (j2 == NULL || model2t_from_json(&m2, j2, err, sizeof(err)) != 0)
		abort();		/* what we write, we must read */
	model2t_free(&m2);
	json_decref(j2);
	x = calloc(m.nfeat + 1, sizeof(*x));
	u = calloc((size_t)m.dim, sizeof(*u));
	c = calloc((size_t)m.dim, sizeof(*c));
	a = calloc((size_t)m.dim, sizeof(*a));
	if (x == NULL || u == NULL || c == NULL || a == NULL)
		abort();
	for (i = 0; i < m.nfeat; i++)
		x[i] = 1;
	model2t_user(&m, x, u);
	rec = json_pack("{s:{s:s},s:{s:{s:[f,f]}}}", "ctx", "slot",
	    "interstitial", "buyer_signals", "b", "context_embedding", 0.5,
	    -0.5);
	ad = json_pack("{s:[f,f]}", "embedding", 1.0, 2.0);
	if (model2t_context(&m, rec, "b", c, err, sizeof(err)) == 0 &&
	    model2t_ad(&m, ad, a, err, sizeof(err)) == 0 &&
	    !(model2t_p(&m, u, c, a) >= 0))
		(void)0;	/* huge weights may overflow to nan: allowed */
	json_decref(rec);
	json_decref(ad);
	free(x);
	free(u);
	free(c);
	free(a);
	free(b.p);
	model2t_free(&m);
}

static void
logistic(const json_t *j)
{
	struct lrm *m = NULL;
	json_t *row;
	double p;
	char err[256];

	if (lrm_parse(j, &m, err, sizeof(err)) != 0)
		return;
	row = json_pack("{s:s,s:i,s:f,s:n}", "f0", "a", "f1", 3, "f2", 0.5,
	    "f3");
	lrm_score_json(m, row, &p, err, sizeof(err));
	json_decref(row);
	lrm_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *j;
	double x;

	lrm_parse_number((const char *)data, size, &x);
	if ((j = json_loadb((const char *)data, size,
	    JSON_REJECT_DUPLICATES, &je)) == NULL)
		return 0;
	two_tower(j);
	logistic(j);
	json_decref(j);
	return 0;
}
