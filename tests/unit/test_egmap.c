/*
 * egmap: the egress feature mapping of pas-bid(1).  Worked by hand on a
 * schema of every feature type; sources in order of first use are
 * a.present (0), a.count (1), b.value (2), b.present (3).
 *
 *   f0 boolean a.present           x > 0
 *   f1 unsigned 3 a.count          round(x) in [0, 7]
 *   f2 signed 3 b.value, min 0, max 1:  -4 + round(x * 7) in [-4, 3]
 *   f3 bucket 3 a.count, edges [2, 5]: item = number of edges <= x
 *   f4 bucket 2 sources a.present, b.present
 *   f5 histogram [unsigned 2 a.count, signed 3 b.value]
 *
 * xs = [1, 9, 0.5, 0]:  true; 9 -> 7; -4 + round(3.5) = 0; x = 9 -> item
 *   2; [true, false]; [min(9, 3) = 3, round(0.5) = 1 (halves away)]
 * xs = [0, -1, -2, 1]:  false; 0; -4 + round(-14) -> -4; item 0;
 *   [false, true]; [0, -2]
 */
#include <stdlib.h>

#include <jansson.h>

#include "egmap.h"
#include "unit.h"

static char err[256];

#define SCHEMA "{\"cddl_version\":\"1.0.0\",\"version\":2,\"features\":[" \
	"{\"name\":\"boolean-feature\",\"source\":\"a.present\"}," \
	"{\"name\":\"unsigned-integer-feature\",\"size\":3," \
	"\"source\":\"a.count\"}," \
	"{\"name\":\"signed-integer-feature\",\"size\":3,\"source\":" \
	"\"b.value\",\"min\":0,\"max\":1}," \
	"{\"name\":\"bucket-feature\",\"size\":3,\"source\":\"a.count\"," \
	"\"edges\":[2,5]}," \
	"{\"name\":\"bucket-feature\",\"size\":2,\"sources\":[\"a.present\"," \
	"\"b.present\"]}," \
	"{\"name\":\"histogram-feature\",\"size\":5,\"value\":[" \
	"{\"name\":\"unsigned-integer-feature\",\"size\":2,\"source\":" \
	"\"a.count\"},{\"name\":\"signed-integer-feature\",\"size\":3," \
	"\"source\":\"b.value\"}]}]}"

static int
parse(struct egmap *m, const char *s)
{
	json_t *j = json_loads(s, 0, NULL);
	int rc;

	if (j == NULL) {
		fprintf(stderr, "bad test json: %s\n", s);
		exit(2);
	}
	rc = egmap_parse(m, j, err, sizeof(err));
	json_decref(j);
	return rc;
}

static void
check_payload(struct egmap *m, const double *xs, const char *want)
{
	struct egress_values v1, v2;
	struct buf b = { 0 };
	json_t *j;
	size_t k;
	int same = 1;

	egmap_payload(m, xs, &b);
	CHECK_STR(b.p, want);
	j = json_loads(b.p, 0, NULL);
	egress_values_init(&v1, m->schema);
	egress_values_init(&v2, m->schema);
	CHECK(egress_payload_validate(m->schema, j, &v1, err, sizeof(err)) ==
	    0);
	egmap_values(m, xs, &v2);
	for (k = 0; k < v1.n; k++)
		if (v1.raw[k] != v2.raw[k])
			same = 0;
	CHECK(same);
	egress_values_free(&v1);
	egress_values_free(&v2);
	json_decref(j);
	buf_free(&b);
}

static void
test_hand(void)
{
	struct egmap m;
	double xs1[4] = { 1, 9, 0.5, 0 }, xs2[4] = { 0, -1, -2, 1 };

	CHECK(parse(&m, SCHEMA) == 0);
	CHECK(m.nsrc == 4);
	CHECK_STR(m.names[0], "a.present");
	CHECK_STR(m.names[3], "b.present");
	CHECK(egmap_source(&m, "b.value") == 2);
	CHECK(m.schema->total_bits == 1 + 3 + 3 + 3 + 2 + 5);
	check_payload(&m, xs1, "{\"features\":["
	    "{\"name\":\"boolean-feature\",\"value\":true},"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":7},"
	    "{\"name\":\"signed-integer-feature\",\"value\":0},"
	    "{\"name\":\"bucket-feature\",\"value\":[{\"value\":false},"
	    "{\"value\":false},{\"value\":true}]},"
	    "{\"name\":\"bucket-feature\",\"value\":[{\"value\":true},"
	    "{\"value\":false}]},"
	    "{\"name\":\"histogram-feature\",\"value\":["
	    "{\"name\":\"unsigned-integer-feature\",\"value\":3},"
	    "{\"name\":\"signed-integer-feature\",\"value\":1}]}]}");
	check_payload(&m, xs2, "{\"features\":["
	    "{\"name\":\"boolean-feature\",\"value\":false},"
	    "{\"name\":\"unsigned-integer-feature\",\"value\":0},"
	    "{\"name\":\"signed-integer-feature\",\"value\":-4},"
	    "{\"name\":\"bucket-feature\",\"value\":[{\"value\":true},"
	    "{\"value\":false},{\"value\":false}]},"
	    "{\"name\":\"bucket-feature\",\"value\":[{\"value\":false},"
	    "{\"value\":true}]},"
	    "{\"name\":\"histogram-feature\",\"value\":["
	    "{\"name\":\"unsigned-integer-feature\",\"value\":0},"
	    "{\"name\":\"signed-integer-feature\",\"value\":-2}]}]}");
	egmap_free(&m);
}

static void
test_errors(void)
{
	struct egmap m;

	CHECK(parse(&m, "{\"cddl_version\":\"1.0.0\",\"version\":1,"
	    "\"features\":[{\"name\":\"boolean-feature\"}]}") == -1);
	CHECK_STR(err, "feature 0: no string \"source\"");
	CHECK(parse(&m, "{\"cddl_version\":\"1.0.0\",\"version\":1,"
	    "\"features\":[{\"name\":\"boolean-feature\",\"source\":"
	    "\"abcde.present\"}]}") == -1);
	CHECK_STR(err, "feature 0: source \"abcde.present\": key \"abcde\" is "
	    "not 1-4 characters of [A-Za-z0-9_] or 0x and 8 hex digits");
	CHECK(parse(&m, "{\"cddl_version\":\"1.0.0\",\"version\":1,"
	    "\"features\":[{\"name\":\"unsigned-integer-feature\",\"size\":53,"
	    "\"source\":\"a.count\"}]}") == -1);
	CHECK_STR(err, "feature 0: a mapped integer has at most 52 bits");
	CHECK(parse(&m, "{\"cddl_version\":\"1.0.0\",\"version\":1,"
	    "\"features\":[{\"name\":\"unsigned-integer-feature\",\"size\":3,"
	    "\"source\":\"a.count\",\"min\":2,\"max\":2}]}") == -1);
	CHECK_STR(err, "feature 0: \"min\" and \"max\" must be numbers with "
	    "min < max");
	CHECK(parse(&m, "{\"cddl_version\":\"1.0.0\",\"version\":1,"
	    "\"features\":[{\"name\":\"bucket-feature\",\"size\":3,"
	    "\"source\":\"a.count\",\"edges\":[2,2]}]}") == -1);
	CHECK_STR(err, "feature 0: \"edges\" must be increasing finite "
	    "numbers");
	CHECK(parse(&m, "{\"cddl_version\":\"1.0.0\",\"version\":1,"
	    "\"features\":[{\"name\":\"bucket-feature\",\"size\":3,"
	    "\"sources\":[\"a.count\"]}]}") == -1);
	CHECK_STR(err, "feature 0: \"sources\" is not an array of 3 names");
	/* a schema error comes from egress.h */
	CHECK(parse(&m, "{\"cddl_version\":\"1.0.0\",\"version\":9,"
	    "\"features\":[]}") == -1);
}

/* The shipped examples: 20 bits, and every model feature unlimited. */
static void
test_examples(void)
{
	struct egmap m;

	CHECK(egmap_load(&m, "examples/egress-schema-20.json", err,
	    sizeof(err)) == 0);
	CHECK(m.schema != NULL && m.schema->total_bits == 20);
	CHECK(m.schema != NULL && m.schema->nfeatures == 12);
	egmap_free(&m);
	CHECK(egmap_load(&m, "examples/egress-schema-unlimited.json", err,
	    sizeof(err)) == 0);
	CHECK(m.schema != NULL && m.schema->nfeatures == 53);
	egmap_free(&m);
}

int
main(void)
{
	test_hand();
	test_errors();
	test_examples();
	return unit_report();
}
