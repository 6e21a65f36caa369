/*
 * bidmodel: the model file of pas-bid --model told apart by "type", and
 * a logistic model scoring the columns of an egress payload.  Worked by
 * hand on a schema of every leaf kind:
 *
 *   f0 boolean, f1 signed 3, f2 bucket 2 (f2_0, f2_1),
 *   f3 histogram [unsigned 2 (f3_0), signed 2 (f3_1)]
 *
 * payload: f0 true, f1 -2, f2 [false, true], f3 [3, -1]; the cells are
 * "1", "-2", "0", "1", "3", "-1" (egress-noise --decode's text).
 * model: bias 0.25; f1 categorical, f3_1 numeric, f2_1 categorical, f3_0
 * bucket with edges [1, 3]; weights f1=-2 0.5, f3_1 2, f2_1=1 -0.25,
 * f3_0@2 1, f0=1 100 (f0 is not a model column: ignored).
 *   f1 "-2"   -> f1=-2         +0.5
 *   f3_1 "-1" -> f3_1 x -1     -2
 *   f2_1 "1"  -> f2_1=1        -0.25
 *   f3_0 "3"  -> edges <= 3: 2 -> f3_0@2   +1
 *   z = 0.25 + 0.5 - 2 - 0.25 + 1 = -0.5
 *   p = 1 / (1 + e^0.5) = 0.3775406687981454 (python3)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "bidmodel.h"
#include "unit.h"

#define SCHEMA "{\"cddl_version\":\"1.0.0\",\"version\":1,\"features\":[" \
	"{\"name\":\"boolean-feature\"}," \
	"{\"name\":\"signed-integer-feature\",\"size\":3}," \
	"{\"name\":\"bucket-feature\",\"size\":2}," \
	"{\"name\":\"histogram-feature\",\"size\":4,\"value\":[" \
	"{\"name\":\"unsigned-integer-feature\",\"size\":2}," \
	"{\"name\":\"signed-integer-feature\",\"size\":2}]}]}"

#define PAYLOAD "{\"features\":[" \
	"{\"name\":\"boolean-feature\",\"value\":true}," \
	"{\"name\":\"signed-integer-feature\",\"value\":-2}," \
	"{\"name\":\"bucket-feature\",\"value\":[{\"value\":false}," \
	"{\"value\":true}]}," \
	"{\"name\":\"histogram-feature\",\"value\":[" \
	"{\"name\":\"unsigned-integer-feature\",\"value\":3}," \
	"{\"name\":\"signed-integer-feature\",\"value\":-1}]}]}"

#define MODEL "{\"type\":\"logistic\",\"format\":1,\"label\":\"install\"," \
	"\"columns\":[{\"name\":\"f1\",\"kind\":\"categorical\"}," \
	"{\"name\":\"f3_1\",\"kind\":\"numeric\"}," \
	"{\"name\":\"f2_1\",\"kind\":\"categorical\"}," \
	"{\"name\":\"f3_0\",\"kind\":\"bucket\",\"edges\":[1,3]}]," \
	"\"hash_size\":0,\"bias\":0.25,\"weights\":{\"f1=-2\":0.5," \
	"\"f3_1\":2,\"f2_1=1\":-0.25,\"f3_0@2\":1,\"f0=1\":100}}"

static char path[64], err[512];

/* Writes text to the scratch file; its path is in path. */
static void
put(const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static json_t *
parse(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);

	if (j == NULL) {
		fprintf(stderr, "bad test json: %s\n", s);
		exit(2);
	}
	return j;
}

static void
test_load(void)
{
	enum bidmodel_type t = BIDMODEL_LOGISTIC;
	struct model2t tt;
	struct lrm *lr;
	char want[256];

	put("{\"type\":\"two_tower\",\"dim\":2,\"features\":[\"igam.present\"],"
	    "\"user\":[[1],[0.5]],\"bias\":-3}");
	CHECK(bidmodel_load(path, &t, &tt, &lr, err, sizeof(err)) == 0);
	CHECK(t == BIDMODEL_TWO_TOWER && lr == NULL && tt.dim == 2);
	CHECK(tt.bias == -3);
	model2t_free(&tt);

	put(MODEL);
	CHECK(bidmodel_load(path, &t, &tt, &lr, err, sizeof(err)) == 0);
	CHECK(t == BIDMODEL_LOGISTIC && lr != NULL && tt.dim == 0);
	CHECK(lr != NULL && lr->ncols == 4 && lr->bias == 0.25);
	lrm_free(lr);
	model2t_free(&tt);

	put("{\"type\":\"gbdt\"}");
	CHECK(bidmodel_load(path, &t, &tt, &lr, err, sizeof(err)) == EX_DATAERR);
	snprintf(want, sizeof(want), "%s: \"type\" is not \"two_tower\" or "
	    "\"logistic\"", path);
	CHECK_STR(err, want);
	put("[1]");
	CHECK(bidmodel_load(path, &t, &tt, &lr, err, sizeof(err)) == EX_DATAERR);
	CHECK_STR(err, want);
	put("{\"type\":\"logistic\",\"columns\":[]}");
	CHECK(bidmodel_load(path, &t, &tt, &lr, err, sizeof(err)) == EX_DATAERR);
	snprintf(want, sizeof(want), "%s: bias is not a number", path);
	CHECK_STR(err, want);
	CHECK(lr == NULL);
	put("{\"type\":\"two_tower\",\"dim\":0}");
	CHECK(bidmodel_load(path, &t, &tt, &lr, err, sizeof(err)) == EX_DATAERR);
	snprintf(want, sizeof(want), "%s: \"dim\" is not an integer in "
	    "1..4096", path);
	CHECK_STR(err, want);
	model2t_free(&tt);
	put("{\"type\":");
	CHECK(bidmodel_load(path, &t, &tt, &lr, err, sizeof(err)) == EX_DATAERR);
	snprintf(want, sizeof(want), "%s:1: ", path);
	CHECK(strncmp(err, want, strlen(want)) == 0);
}

static void
test_score(void)
{
	struct egress_schema *s;
	struct egress_values v;
	struct bidmodel_lr b;
	struct lrm *m, *bad;
	json_t *j;
	double p = 0;

	j = parse(SCHEMA);
	CHECK(egress_schema_parse(j, &s, err, sizeof(err)) == 0);
	json_decref(j);
	CHECK(s->nleaves == 6);
	egress_values_init(&v, s);
	j = parse(PAYLOAD);
	CHECK(egress_payload_validate(s, j, &v, err, sizeof(err)) == 0);
	json_decref(j);
	j = parse(MODEL);
	CHECK(lrm_parse(j, &m, err, sizeof(err)) == 0);
	json_decref(j);

	CHECK(bidmodel_bind(&b, m, s, err, sizeof(err)) == 0);
	CHECK(b.leaf[0] == 1 && b.leaf[1] == 5 && b.leaf[2] == 3 &&
	    b.leaf[3] == 4);
	CHECK(bidmodel_lr_p(&b, &v, &p, err, sizeof(err)) == 0);
	CHECK_NEAR(p, 0.3775406687981454, 1e-15);
	/* the same payload scored twice: the scratch cells are rewritten */
	p = 0;
	CHECK(bidmodel_lr_p(&b, &v, &p, err, sizeof(err)) == 0);
	CHECK_NEAR(p, 0.3775406687981454, 1e-15);
	bidmodel_unbind(&b);
	bidmodel_unbind(&b);		/* idempotent */
	bidmodel_unbind(NULL);

	/* a column of another schema (f4) is an error, not a blank */
	j = parse("{\"type\":\"logistic\",\"columns\":[{\"name\":\"f0\","
	    "\"kind\":\"categorical\"},{\"name\":\"f4\",\"kind\":"
	    "\"categorical\"}],\"bias\":0,\"weights\":{}}");
	CHECK(lrm_parse(j, &bad, err, sizeof(err)) == 0);
	json_decref(j);
	CHECK(bidmodel_bind(&b, bad, s, err, sizeof(err)) == -1);
	CHECK_STR(err, "the model's column \"f4\" is not a column of the "
	    "egress schema (f0 .. f3_1)");
	CHECK(b.leaf == NULL);
	lrm_free(bad);

	lrm_free(m);
	egress_values_free(&v);
	egress_schema_free(s);
}

int
main(void)
{
	int fd;

	snprintf(path, sizeof(path), "%s", "/tmp/test_bidmodel.XXXXXX");
	if ((fd = mkstemp(path)) < 0) {
		perror("mkstemp");
		return 2;
	}
	close(fd);
	test_load();
	test_score();
	unlink(path);
	return unit_report();
}
