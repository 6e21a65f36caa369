/*
 * lrmodel: cells to features, the model file of adsig(5) and its worked
 * example, hashing by FNV-1a-64, errors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrmodel.h"
#include "unit.h"

static const char *
feat(const struct lrm_col *c, const char *s, double *x, int *rc)
{
	static struct buf b;

	*rc = lrm_feature(c, s, s ? strlen(s) : 0, &b, x, NULL, 0);
	return *rc == 1 ? b.p : "";
}

static void
test_features(void)
{
	double e[2] = { 25, 30 }, x;
	struct lrm_col cat = { "geo", LRM_CATEGORICAL, NULL, 0 };
	struct lrm_col num = { "age", LRM_NUMERIC, NULL, 0 };
	struct lrm_col bk = { "age", LRM_BUCKET, e, 2 };
	int rc;

	CHECK_STR(feat(&cat, "US", &x, &rc), "geo=US");
	CHECK(x == 1);
	CHECK_STR(feat(&cat, NULL, &x, &rc), "geo=");
	CHECK_STR(feat(&num, "2.5", &x, &rc), "age");
	CHECK(x == 2.5);
	feat(&num, NULL, &x, &rc);
	CHECK(rc == 0);
	feat(&num, "0x2", &x, &rc);
	CHECK(rc == -1);
	feat(&num, "nan", &x, &rc);
	CHECK(rc == -1);
	/* edges 25, 30: 24.9 -> 0, 25 -> 1, 29 -> 1, 30 -> 2, 1e9 -> 2 */
	CHECK_STR(feat(&bk, "24.9", &x, &rc), "age@0");
	CHECK_STR(feat(&bk, "25", &x, &rc), "age@1");
	CHECK_STR(feat(&bk, "29", &x, &rc), "age@1");
	CHECK_STR(feat(&bk, "30", &x, &rc), "age@2");
	CHECK_STR(feat(&bk, "1e9", &x, &rc), "age@2");
	CHECK_STR(feat(&bk, NULL, &x, &rc), "age=");
}

static void
test_json_text(void)
{
	struct buf b = { 0 };
	json_t *v;

	v = json_integer(3);
	CHECK(lrm_json_text(v, &b) == 1);
	CHECK_STR(b.p, "3");
	json_decref(v);
	v = json_real(1);
	lrm_json_text(v, &b);
	CHECK_STR(b.p, "1.0");
	json_decref(v);
	v = json_true();
	lrm_json_text(v, &b);
	CHECK_STR(b.p, "true");
	CHECK(lrm_json_text(json_null(), &b) == 0);
	CHECK(lrm_json_text(NULL, &b) == 0);
	buf_free(&b);
}

/* The example of adsig(5): {"f0":3,"age":"27"} scores 1/(1+exp(0.4)). */
static void
test_example(void)
{
	const char *text = "{\"type\":\"logistic\",\"format\":1,\"label\":"
	    "\"install\",\"columns\":[{\"name\":\"f0\",\"kind\":\"categorical\"},"
	    "{\"name\":\"age\",\"kind\":\"bucket\",\"edges\":[25.0,30.0]}],"
	    "\"hash_size\":0,\"bias\":-1.2,\"weights\":{\"f0=3\":0.8,\"f0=\":"
	    "-0.1,\"age@0\":0.2,\"age@2\":-0.3}}";
	const char *cells[2] = { "3", "27" };
	size_t lens[2] = { 1, 2 };
	struct lrm *m;
	json_t *j, *row;
	double p;
	char err[128];

	j = json_loads(text, 0, NULL);
	CHECK(lrm_parse(j, &m, err, sizeof(err)) == 0);
	row = json_loads("{\"f0\":3,\"age\":\"27\",\"other\":1}", 0, NULL);
	CHECK(lrm_score_json(m, row, &p, err, sizeof(err)) == 0);
	CHECK_NEAR(p, 1 / (1 + exp(0.4)), 1e-15);
	CHECK(lrm_score_cells(m, cells, lens, &p, err, sizeof(err)) == 0);
	CHECK_NEAR(p, 1 / (1 + exp(0.4)), 1e-15);
	/* blank f0 and age 20: -1.2 - 0.1 + 0.2 */
	json_decref(row);
	row = json_loads("{\"age\":20}", 0, NULL);
	CHECK(lrm_score_json(m, row, &p, err, sizeof(err)) == 0);
	CHECK_NEAR(p, 1 / (1 + exp(1.1)), 1e-15);
	json_decref(row);
	row = json_loads("{\"age\":\"old\"}", 0, NULL);
	CHECK(lrm_score_json(m, row, &p, err, sizeof(err)) == -1);
	CHECK_STR(err, "column \"age\": \"old\" is not a number");
	json_decref(row);
	lrm_free(m);
	json_decref(j);
}

static void
test_hashed_and_errors(void)
{
	struct lrm *m;
	json_t *j, *row;
	double p;
	char err[128];

	/* FNV-1a-64("a=x") mod 8, computed here byte by byte */
	unsigned long long h = 0xcbf29ce484222325ULL;
	const char *s = "a=x";
	char js[256];

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	snprintf(js, sizeof(js), "{\"type\":\"logistic\",\"columns\":[{\"name\":"
	    "\"a\",\"kind\":\"categorical\"}],\"hash_size\":8,\"bias\":0,"
	    "\"hashed_weights\":{\"%llu\":2.0}}", h % 8);
	j = json_loads(js, 0, NULL);
	CHECK(lrm_parse(j, &m, err, sizeof(err)) == 0);
	row = json_loads("{\"a\":\"x\"}", 0, NULL);
	CHECK(lrm_score_json(m, row, &p, err, sizeof(err)) == 0);
	CHECK_NEAR(p, 1 / (1 + exp(-2.0)), 1e-15);
	json_decref(row);
	json_decref(j);
	lrm_free(m);

#define BAD(text, want) do {						\
	j = json_loads(text, 0, NULL);					\
	CHECK(lrm_parse(j, &m, err, sizeof(err)) == -1);		\
	CHECK_STR(err, want);						\
	json_decref(j);							\
} while (0)
	BAD("{\"type\":\"two_tower\"}", "not a \"logistic\" model");
	BAD("{\"type\":\"logistic\",\"columns\":[],\"bias\":\"x\"}",
	    "bias is not a number");
	BAD("{\"type\":\"logistic\",\"columns\":[{\"name\":\"a\",\"kind\":"
	    "\"bucket\",\"edges\":[2,1]}],\"bias\":0,\"weights\":{}}",
	    "column \"a\": edges must be ascending numbers");
	BAD("{\"type\":\"logistic\",\"columns\":[{\"name\":\"a\",\"kind\":"
	    "\"words\"}],\"bias\":0,\"weights\":{}}",
	    "column \"a\": unknown kind \"words\"");
	BAD("{\"type\":\"logistic\",\"columns\":[],\"hash_size\":4,\"bias\":0,"
	    "\"hashed_weights\":{\"4\":1}}",
	    "hashed weight \"4\" is not an index below hash_size");
	BAD("{\"type\":\"logistic\",\"columns\":[],\"bias\":0}",
	    "weights is not an object");
}

int
main(void)
{
	test_features();
	test_json_text();
	test_example();
	test_hashed_and_errors();
	return unit_report();
}
