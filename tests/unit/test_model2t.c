/*
 * model2t: loading and validating the two_tower JSON, u = U x, the
 * context vector, pInstall, and writing.  Worked by hand:
 *
 *   U = [[1, 2], [0.5, -1]], x = [1, 3]       -> u = [7, -2.5]
 *   buyer b1: E = [0.5, -0.25], scale 2, slot banner T = [0.1, 0.2]
 *                                              -> c = [1.1, -0.3]
 *   a = [0.2, 0.4]: u.a = 1.4 - 1.0 = 0.4, c.a = 0.22 - 0.12 = 0.1,
 *   bias -1 -> logit -0.5, p = 1 / (1 + e^0.5) = 0.3775406687981454
 *   buyer b2 with slot "video": c = 0 -> logit -0.6,
 *   p = 1 / (1 + e^0.6) = 0.35434369377420455       (python3 math.exp)
 */
#include <stdlib.h>
#include <sysexits.h>

#include <jansson.h>

#include "model2t.h"
#include "unit.h"

static char err[256];

#define M0 "{\"type\":\"two_tower\",\"dim\":2,\"features\":[\"a.present\"," \
	"\"b.value\"],\"user\":[[1.0,2.0],[0.5,-1.0]],\"context\":{" \
	"\"embedding\":\"ce\",\"scale\":2.0,\"fields\":{\"slot\":{" \
	"\"banner\":[0.1,0.2]}}},\"bias\":-1.0}"

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
load(struct model2t *m, const char *s)
{
	json_t *j = js(s);
	int rc;

	err[0] = '\0';
	rc = model2t_from_json(m, j, err, sizeof(err));
	json_decref(j);
	return rc;
}

static void
worked(void)
{
	struct model2t m;
	struct buf b = { 0 };
	json_t *rec, *ad;
	double x[2] = { 1, 3 }, u[2], c[2], a[2];

	CHECK(load(&m, M0) == 0);
	CHECK(m.dim == 2 && m.nfeat == 2 && m.nfield == 1);
	model2t_user(&m, x, u);
	CHECK(u[0] == 7 && u[1] == -2.5);
	rec = js("{\"id\":\"r-1\",\"ctx\":{\"slot\":\"banner\",\"floor\":0.5},"
	    "\"buyer_signals\":{\"b1\":{\"ce\":[0.5,-0.25]}}}");
	CHECK(model2t_context(&m, rec, "b1", c, err, sizeof(err)) == 0);
	CHECK_NEAR(c[0], 1.1, 1e-15);
	CHECK_NEAR(c[1], -0.3, 1e-15);
	ad = js("{\"ad_id\":\"a-1\",\"embedding\":[0.2,0.4]}");
	CHECK(model2t_ad(&m, ad, a, err, sizeof(err)) == 0);
	CHECK_NEAR(model2t_logit(&m, u, c, a), -0.5, 1e-14);
	CHECK_NEAR(model2t_p(&m, u, c, a), 0.3775406687981454, 1e-13);
	json_decref(rec);

	rec = js("{\"ctx\":{\"slot\":\"video\"},\"buyer_signals\":{\"b1\":"
	    "{\"ce\":[1,1]}}}");
	CHECK(model2t_context(&m, rec, "b2", c, err, sizeof(err)) == 0);
	CHECK(c[0] == 0 && c[1] == 0);
	CHECK_NEAR(model2t_p(&m, u, c, a), 0.35434369377420455, 1e-13);
	CHECK_NEAR(model2t_p(&m, u, NULL, a), 0.35434369377420455, 1e-13);
	json_decref(rec);

	/* a request without ctx or buyer_signals: zero context */
	rec = js("{}");
	CHECK(model2t_context(&m, rec, "b1", c, err, sizeof(err)) == 0);
	CHECK(c[0] == 0 && c[1] == 0);
	json_decref(rec);
	rec = js("{\"buyer_signals\":{\"b1\":{\"ce\":[1,2,3]}}}");
	CHECK(model2t_context(&m, rec, "b1", c, err, sizeof(err)) == -1);
	CHECK_STR(err, "buyer_signals.b1.ce is not an array of 2 numbers");
	json_decref(rec);
	json_decref(ad);
	ad = js("{\"embedding\":[1]}");
	CHECK(model2t_ad(&m, ad, a, err, sizeof(err)) == -1);
	CHECK_STR(err, "\"embedding\" is not an array of 2 numbers");
	json_decref(ad);

	model2t_write(&b, &m);
	CHECK_STR(b.p, M0);
	buf_free(&b);
	model2t_free(&m);
	model2t_free(NULL);
}

static void
built(void)
{
	static const char *const nm[] = { "a.present", "b.value" };
	static const double v[2] = { 0.1, 0.2 }, w[2] = { 0.5, 0.5 };
	struct model2t m, m2;
	struct buf b = { 0 }, b2 = { 0 };
	json_t *j;

	CHECK(model2t_init(&m, 2, nm, 2, err, sizeof(err)) == 0);
	m.user[0] = 1;
	m.user[1] = 2;
	m.user[2] = 0.5;
	m.user[3] = -1;
	m.embedding = strdup("ce");
	m.scale = 2;
	m.bias = -1;
	model2t_set_field(&m, "slot", "banner", w);
	model2t_set_field(&m, "slot", "banner", v);	/* replaces */
	model2t_write(&b, &m);
	CHECK_STR(b.p, M0);
	/* round trip */
	j = js(b.p);
	CHECK(model2t_from_json(&m2, j, err, sizeof(err)) == 0);
	model2t_write(&b2, &m2);
	CHECK_STR(b2.p, b.p);
	json_decref(j);
	model2t_free(&m2);
	model2t_free(&m);
	buf_free(&b);
	buf_free(&b2);

	CHECK(model2t_init(&m, 0, nm, 2, err, sizeof(err)) == -1);
	CHECK_STR(err, "dim 0 is not in 1..4096");
	/* no context: written with scale only */
	CHECK(model2t_init(&m, 1, nm, 1, err, sizeof(err)) == 0);
	model2t_write(&b, &m);
	CHECK_STR(b.p, "{\"type\":\"two_tower\",\"dim\":1,\"features\":"
	    "[\"a.present\"],\"user\":[[0.0]],\"context\":{\"scale\":1.0},"
	    "\"bias\":0.0}");
	buf_free(&b);
	model2t_free(&m);
}

static void
invalid(void)
{
	struct model2t m;
	static const struct {
		const char *json, *why;
	} t[] = {
		{ "[]", "model is not a JSON object" },
		{ "{\"type\":\"logistic\"}", "\"type\" is not \"two_tower\"" },
		{ "{\"type\":\"two_tower\",\"dim\":0}",
		  "\"dim\" is not an integer in 1..4096" },
		{ "{\"type\":\"two_tower\",\"dim\":1.5}",
		  "\"dim\" is not an integer in 1..4096" },
		{ "{\"type\":\"two_tower\",\"dim\":1}",
		  "\"features\" is not an array" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[1]}",
		  "feature 0 is not a string" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[\"a\"]}",
		  "feature 0 \"a\": no \".STAT\"" },
		{ "{\"type\":\"two_tower\",\"dim\":2,\"features\":[\"a.count\"],"
		  "\"user\":[[1]]}", "\"user\" is not an array of 2 rows" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[\"a.count\"],"
		  "\"user\":[[1,2]]}",
		  "\"user\" row 0 is not an array of 1 numbers" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[\"a.count\"],"
		  "\"user\":[[\"1\"]]}",
		  "\"user\" row 0 is not an array of 1 numbers" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[\"a.count\"],"
		  "\"user\":[[1]]}", "\"bias\" is not a number" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[\"a.count\"],"
		  "\"user\":[[1]],\"bias\":0,\"context\":[]}",
		  "\"context\" is not an object" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[\"a.count\"],"
		  "\"user\":[[1]],\"bias\":0,\"context\":{\"embedding\":1}}",
		  "context \"embedding\" is not a string" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[\"a.count\"],"
		  "\"user\":[[1]],\"bias\":0,\"context\":{\"scale\":\"x\"}}",
		  "context \"scale\" is not a number" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[\"a.count\"],"
		  "\"user\":[[1]],\"bias\":0,\"context\":{\"fields\":{\"slot\":"
		  "{\"banner\":[1,2]}}}}", "context field \"slot\" value "
		  "\"banner\": not an array of 1 numbers" },
		{ "{\"type\":\"two_tower\",\"dim\":1,\"features\":[\"a.count\"],"
		  "\"user\":[[1]],\"bias\":0,\"context\":{\"fields\":{\"slot\":"
		  "[]}}}", "context field \"slot\" is not an object" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(load(&m, t[i].json) == -1);
		CHECK_STR(err, t[i].why);
	}
	/* the smallest valid model; unknown keys are ignored */
	CHECK(load(&m, "{\"type\":\"two_tower\",\"dim\":1,\"features\":[],"
	    "\"user\":[[]],\"bias\":0.5,\"note\":\"x\"}") == 0);
	model2t_free(&m);
	CHECK(model2t_load(&m, "/nonexistent/model.json", err,
	    sizeof(err)) == EX_NOINPUT);
	CHECK(strncmp(err, "/nonexistent/model.json: ", 25) == 0);
}

static void
sigmoid(void)
{
	CHECK(model2t_sigmoid(0) == 0.5);
	CHECK(model2t_sigmoid(-1000) == 0);
	CHECK(model2t_sigmoid(1000) == 1);
	CHECK_NEAR(model2t_sigmoid(-0.5), 0.3775406687981454, 1e-15);
}

int
main(void)
{
	worked();
	built();
	invalid();
	sigmoid();
	return unit_report();
}
