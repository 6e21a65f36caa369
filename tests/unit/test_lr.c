/*
 * lr: the optimum against an independent Newton solver (python3), the
 * stopping rule checked by a gradient computed here, separable data,
 * threads, feature masks and row selections, errors, the feature map.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lr.h"
#include "rng.h"
#include "unit.h"

/* The rows of tests/unit/lr_reference.py (keep the two in step). */
static void
tiny(struct lr_rows *r)
{
	lr_rows_add(r, 0, 1); lr_rows_add(r, 3, 0.5); lr_rows_end(r, 1);
	lr_rows_add(r, 0, 1); lr_rows_add(r, 4, 2.0); lr_rows_end(r, 1);
	lr_rows_add(r, 0, 1); lr_rows_add(r, 3, -1.0); lr_rows_end(r, 0);
	lr_rows_add(r, 1, 1); lr_rows_add(r, 3, 1.5); lr_rows_end(r, 1);
	lr_rows_add(r, 1, 1); lr_rows_add(r, 4, -0.5); lr_rows_end(r, 0);
	lr_rows_add(r, 1, 1); lr_rows_end(r, 0);
	lr_rows_add(r, 2, 1); lr_rows_add(r, 3, 2.0); lr_rows_add(r, 4, 1.0);
	lr_rows_end(r, 1);
	lr_rows_add(r, 2, 1); lr_rows_add(r, 3, -0.5); lr_rows_end(r, 0);
	lr_rows_add(r, 2, 1); lr_rows_end(r, 1);
	lr_rows_add(r, 0, 1); lr_rows_add(r, 4, -1.0); lr_rows_end(r, 0);
}

/*
 * python3 tests/unit/lr_reference.py: exact Newton on the dense problem
 * to |grad| < 1e-15.  Weights of features 0..4, then the bias weight.
 */
static const double ref_c1[6] = { 0.05407106909003199, -0.3890682129486475,
    0.17369735883755347, 1.0876561552255164, 0.8222035757504514,
    -0.1612997850210621 };
static const double ref_f1 = 4.593802628568389;
static const double ref_c4[6] = { 0.18432610229927557, -0.9658996071259336,
    0.5255919817932948, 2.1974271975416753, 1.4390536518258976,
    -0.2559815230333632 };
static const double ref_f4 = 12.524569090819124;

/*
 * grad f(w) = w + C sum_i (sigma(y_i w.x_i) - 1) y_i x_i, bias value 1,
 * written out directly from the objective (not through lr.c).  Returns
 * its norm.
 */
static double
gradnorm(const struct lr_rows *r, uint32_t nfeat, double C, const double *w)
{
	double *g = calloc(nfeat + 1, sizeof(*g)), z, s, nrm = 0;
	size_t i, k;

	memcpy(g, w, (nfeat + 1) * sizeof(*g));
	for (i = 0; i < r->nrows; i++) {
		z = w[nfeat];
		for (k = r->rowptr[i]; k < r->rowptr[i + 1]; k++)
			z += w[r->idx[k]] * r->val[k];
		s = 1 / (1 + exp(-r->y[i] * z));
		for (k = r->rowptr[i]; k < r->rowptr[i + 1]; k++)
			g[r->idx[k]] += C * (s - 1) * r->y[i] * r->val[k];
		g[nfeat] += C * (s - 1) * r->y[i];
	}
	for (k = 0; k <= nfeat; k++)
		nrm += g[k] * g[k];
	free(g);
	return sqrt(nrm);
}

/*
 * ncat one-hot columns of 10 values each (indices col*10 + value) and
 * one numeric feature (index ncat*10), labels drawn from a logistic
 * model with fixed weights.
 */
static void
synth(struct lr_rows *r, size_t n, int ncat, uint64_t seed)
{
	struct rng g;
	size_t i;
	int c, v;
	double z, x;

	rng_init(&g, &seed, "lr", 2);
	for (i = 0; i < n; i++) {
		z = -1;
		for (c = 0; c < ncat; c++) {
			v = (int)rng_below(&g, 10);
			lr_rows_add(r, (uint32_t)(c * 10 + v), 1);
			z += 0.3 * (v - 4.5) * (c % 2 ? 1 : -1) / 4.5;
		}
		x = rng_normal(&g);
		lr_rows_add(r, (uint32_t)(ncat * 10), x);
		z += 0.8 * x;
		lr_rows_end(r, rng_bernoulli(&g, 1 / (1 + exp(-z))));
	}
}

static void
test_reference(void)
{
	struct lr_rows r;
	struct lr_params p;
	struct lr_model m;
	char err[128];
	int j;

	lr_rows_init(&r);
	tiny(&r);
	/*
	 * A tight eps: the solver then stops on LIBLINEAR's safeguard
	 * (actual and predicted reductions below 1e-12 f), some 1e-7 from
	 * the optimum in w and 1e-15 in f.
	 */
	lr_params_init(&p);
	p.eps = 1e-9;
	CHECK(lr_train(&r, 5, &p, &m, err, sizeof(err)) == 0);
	CHECK(m.nfeat == 5 && m.bias == 1 && m.iters >= 4);
	for (j = 0; j < 6; j++)
		CHECK_NEAR(m.w[j], ref_c1[j], 1e-6);
	CHECK_NEAR(m.f, ref_f1, 1e-12);
	lr_model_free(&m);

	p.C = 4;
	CHECK(lr_train(&r, 5, &p, &m, err, sizeof(err)) == 0);
	for (j = 0; j < 6; j++)
		CHECK_NEAR(m.w[j], ref_c4[j], 1e-6);
	CHECK_NEAR(m.f, ref_f4, 1e-12);
	lr_model_free(&m);

	/*
	 * Default eps 0.01: stops once |g| <= 0.01 * min(5,5) / 10 * |g0|,
	 * f within a small fraction of the optimum.
	 */
	lr_params_init(&p);
	CHECK(lr_train(&r, 5, &p, &m, err, sizeof(err)) == 0);
	CHECK(m.converged && m.iters >= 1);
	CHECK(m.f >= ref_f1 - 1e-12 && m.f <= ref_f1 * (1 + 1e-4));
	for (j = 0; j < 6; j++)
		CHECK(fabs(m.w[j] - ref_c1[j]) < 0.02);
	lr_model_free(&m);
	lr_rows_free(&r);
}

static void
test_gradient(void)
{
	struct lr_rows r;
	struct lr_params p;
	struct lr_model m;
	char err[128];
	double *zero, g0, g;
	size_t i, pos = 0, mn;

	lr_rows_init(&r);
	synth(&r, 3000, 5, 1);
	for (i = 0; i < r.nrows; i++)
		pos += r.y[i] > 0;
	mn = pos < r.nrows - pos ? pos : r.nrows - pos;
	lr_params_init(&p);
	p.C = 0.5;
	CHECK(lr_train(&r, 51, &p, &m, err, sizeof(err)) == 0);
	zero = calloc(52, sizeof(*zero));
	g0 = gradnorm(&r, 51, 0.5, zero);
	g = gradnorm(&r, 51, 0.5, m.w);
	/* LIBLINEAR's rule, with the gradient computed independently. */
	CHECK(g <= 0.01 * (double)mn / (double)r.nrows * g0 * (1 + 1e-9));
	CHECK_NEAR(m.gnorm0, g0, 1e-9);
	CHECK_NEAR(m.gnorm, g, 1e-6);
	CHECK(m.converged);
	/* The numeric feature's weight is near the generating 0.8. */
	CHECK(fabs(m.w[50] - 0.8) < 0.15);
	free(zero);
	lr_model_free(&m);
	lr_rows_free(&r);
}

static void
test_separable(void)
{
	struct lr_rows r;
	struct lr_params p;
	struct lr_model m;
	char err[128];
	uint32_t i1 = 1;
	double one = 1, mone = -1;
	int i, finite = 1;

	/* x = +1 -> y = +1 and x = -1 -> y = -1: separable by any w > 0. */
	lr_rows_init(&r);
	for (i = 0; i < 20; i++) {
		lr_rows_add(&r, 1, i % 2 ? 1 : -1);
		lr_rows_add(&r, 0, 1);
		lr_rows_end(&r, i % 2);
	}
	lr_params_init(&p);
	p.C = 1000;
	CHECK(lr_train(&r, 2, &p, &m, err, sizeof(err)) == 0);
	for (i = 0; i < 3; i++)
		finite &= isfinite(m.w[i]);
	CHECK(finite && isfinite(m.f));
	CHECK(m.w[1] > 1 && m.w[1] < 100);
	CHECK(lr_predict(&m, &i1, &one, 1) > 0.99);
	CHECK(lr_predict(&m, &i1, &mone, 1) < 0.01);
	CHECK(lr_predict_row(&m, &r, 1) > 0.99);
	lr_model_free(&m);

	/* One class only: still finite, leaning to that class. */
	lr_rows_clear(&r);
	for (i = 0; i < 5; i++) {
		lr_rows_add(&r, 0, 1);
		lr_rows_end(&r, 1);
	}
	CHECK(lr_train(&r, 1, &p, &m, err, sizeof(err)) == 0);
	CHECK(isfinite(m.w[0]) && isfinite(m.w[1]));
	CHECK(lr_predict_row(&m, &r, 0) > 0.99);
	lr_model_free(&m);
	lr_rows_free(&r);
}

static void
test_threads_mask_sel(void)
{
	struct lr_rows r, r2;
	struct lr_params p;
	struct lr_model m1, m2, m3;
	unsigned char use[41];
	size_t *sel, nsel = 0, i, k;
	char err[128];

	/* 20000 rows of 4 + 1 + bias entries: above the threading floor. */
	lr_rows_init(&r);
	synth(&r, 20000, 3, 2);
	lr_params_init(&p);
	CHECK(lr_train(&r, 31, &p, &m1, err, sizeof(err)) == 0);
	p.nthreads = 2;
	CHECK(lr_train(&r, 31, &p, &m2, err, sizeof(err)) == 0);
	CHECK(memcmp(m1.w, m2.w, 32 * sizeof(double)) == 0);
	CHECK(m1.iters == m2.iters);
	lr_model_free(&m2);
	p.nthreads = 7;
	CHECK(lr_train(&r, 31, &p, &m2, err, sizeof(err)) == 0);
	CHECK(memcmp(m1.w, m2.w, 32 * sizeof(double)) == 0);
	lr_model_free(&m2);
	lr_model_free(&m1);

	/* Masking column 1 (indices 10..19) = removing its entries. */
	for (k = 0; k < 41; k++)
		use[k] = !(k >= 10 && k < 20);
	lr_rows_init(&r2);
	for (i = 0; i < r.nrows; i++) {
		for (k = r.rowptr[i]; k < r.rowptr[i + 1]; k++)
			if (use[r.idx[k]])
				lr_rows_add(&r2, r.idx[k], r.val[k]);
		lr_rows_end(&r2, r.y[i]);
	}
	lr_params_init(&p);
	p.use = use;
	p.nthreads = 2;
	CHECK(lr_train(&r, 31, &p, &m1, err, sizeof(err)) == 0);
	p.use = NULL;
	p.nthreads = 1;
	CHECK(lr_train(&r2, 31, &p, &m2, err, sizeof(err)) == 0);
	CHECK(memcmp(m1.w, m2.w, 32 * sizeof(double)) == 0);
	for (k = 10; k < 20; k++)
		CHECK(m1.w[k] == 0);
	lr_model_free(&m1);
	lr_model_free(&m2);

	/* Training on a selection = training on a copy of those rows. */
	sel = calloc(r.nrows, sizeof(*sel));
	lr_rows_clear(&r2);
	for (i = 0; i < r.nrows; i++) {
		if (i % 3 == 0)
			continue;
		sel[nsel++] = i;
		for (k = r.rowptr[i]; k < r.rowptr[i + 1]; k++)
			lr_rows_add(&r2, r.idx[k], r.val[k]);
		lr_rows_end(&r2, r.y[i]);
	}
	p.sel = sel;
	p.nsel = nsel;
	CHECK(lr_train(&r, 31, &p, &m1, err, sizeof(err)) == 0);
	p.sel = NULL;
	CHECK(lr_train(&r2, 31, &p, &m2, err, sizeof(err)) == 0);
	CHECK(memcmp(m1.w, m2.w, 32 * sizeof(double)) == 0);
	/* A bias value other than 1 and no bias at all also train. */
	p.bias = 2;
	CHECK(lr_train(&r2, 31, &p, &m3, err, sizeof(err)) == 0);
	CHECK(m3.bias == 2 && m3.converged);
	CHECK_NEAR(gradnorm(&r2, 31, 1, m1.w), m1.gnorm, 1e-6);
	lr_model_free(&m3);
	p.bias = 0;
	CHECK(lr_train(&r2, 31, &p, &m3, err, sizeof(err)) == 0);
	CHECK(m3.bias == 0 && m3.converged);
	lr_model_free(&m3);
	free(sel);
	lr_model_free(&m1);
	lr_model_free(&m2);
	lr_rows_free(&r2);
	lr_rows_free(&r);
}

static void
test_errors(void)
{
	struct lr_rows r;
	struct lr_params p;
	struct lr_model m;
	size_t bad = 10;
	char err[128];

	lr_rows_init(&r);
	lr_params_init(&p);
	CHECK(lr_train(&r, 3, &p, &m, err, sizeof(err)) == -1);
	CHECK_STR(err, "no training rows");
	tiny(&r);
	CHECK(lr_train(&r, 4, &p, &m, err, sizeof(err)) == -1);
	CHECK_STR(err, "row 1: feature index 4 out of range");
	p.C = 0;
	CHECK(lr_train(&r, 5, &p, &m, err, sizeof(err)) == -1);
	CHECK_STR(err, "C must be positive");
	lr_params_init(&p);
	p.sel = &bad;
	p.nsel = 1;
	CHECK(lr_train(&r, 5, &p, &m, err, sizeof(err)) == -1);
	CHECK_STR(err, "selected row 10 out of range");
	lr_rows_add(&r, 0, NAN);
	lr_rows_end(&r, 1);
	lr_params_init(&p);
	CHECK(lr_train(&r, 5, &p, &m, err, sizeof(err)) == -1);
	CHECK_STR(err, "row 10: value is not finite");
	lr_rows_free(&r);
	lr_rows_free(NULL);
	lr_model_free(NULL);
}

static void
test_predict(void)
{
	double w[] = { 2, -1, 0.5 };
	struct lr_model m = { 2, 1, w, 0, 0, 0, 0, 0 };
	uint32_t idx[] = { 0, 1, 7 };
	double val[] = { 1, 3, 100 };

	CHECK(lr_sigmoid(0) == 0.5);
	CHECK(lr_sigmoid(-800) >= 0 && lr_sigmoid(-800) < 1e-300);
	CHECK(lr_sigmoid(800) == 1);
	/* 2*1 - 1*3 + 0.5 bias; index 7 is unseen and counts 0: -0.5 */
	CHECK(lr_margin(&m, idx, val, 3) == -0.5);
	CHECK_NEAR(lr_predict(&m, idx, val, 3), 1 / (1 + exp(0.5)), 1e-15);
	m.bias = 0;
	CHECK(lr_margin(&m, idx, val, 3) == -1);
}

static void
test_fmap(void)
{
	struct lr_fmap *f;
	uint32_t i, a, b, k;
	char name[32];
	int ok = 1;

	f = lr_fmap_new(0);
	CHECK(lr_fmap_cat(f, "os", "ios", 3, 1, &a) == 1 && a == 0);
	CHECK(lr_fmap_cat(f, "os", "android", 7, 1, &a) == 1 && a == 1);
	CHECK(lr_fmap_cat(f, "os", "ios", 3, 0, &a) == 1 && a == 0);
	CHECK(lr_fmap_cat(f, "os", "", 0, 1, &a) == 1 && a == 2);
	CHECK(lr_fmap_num(f, "price", 1, &a) == 1 && a == 3);
	CHECK(lr_fmap_get(f, "os=android", 10, 0, &a) == 1 && a == 1);
	CHECK(lr_fmap_cat(f, "os", "web", 3, 0, &a) == 0);
	CHECK(lr_fmap_size(f) == 4);
	CHECK_STR(lr_fmap_name(f, 1), "os=android");
	CHECK_STR(lr_fmap_name(f, 2), "os=");
	CHECK(lr_fmap_name(f, 4) == NULL);
	/* Many names: the table grows and every name keeps its index. */
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "%u", i);
		if (lr_fmap_cat(f, "id", name, strlen(name), 1, &k) != 1 ||
		    k != i + 4)
			ok = 0;
	}
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "id=%u", i);
		if (lr_fmap_get(f, name, strlen(name), 0, &k) != 1 ||
		    k != i + 4 || strcmp(lr_fmap_name(f, k), name) != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK(lr_fmap_size(f) == 20004);
	lr_fmap_free(f);
	lr_fmap_free(NULL);

	/*
	 * FNV-1a 64 test vectors (the FNV reference): "" cbf29ce484222325,
	 * "a" af63dc4c8601ec8c, "foobar" 85944171f73967e8.  Hashed indices
	 * from python3 (h % size): "a" % 1000 = 996, "foo=bar" % 1000 = 575,
	 * "foo=bar" % 2^20 = 866279.
	 */
	CHECK(lr_fnv1a(LR_FNV_INIT, "", 0) == UINT64_C(0xcbf29ce484222325));
	CHECK(lr_fnv1a(LR_FNV_INIT, "a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
	CHECK(lr_fnv1a(LR_FNV_INIT, "foobar", 6) ==
	    UINT64_C(0x85944171f73967e8));
	f = lr_fmap_new(1000);
	CHECK(lr_fmap_num(f, "a", 0, &a) == 1 && a == 996);
	CHECK(lr_fmap_cat(f, "foo", "bar", 3, 0, &b) == 1 && b == 575);
	CHECK(lr_fmap_size(f) == 1000 && lr_fmap_name(f, 0) == NULL);
	lr_fmap_free(f);
	f = lr_fmap_new(1u << 20);
	CHECK(lr_fmap_cat(f, "foo", "bar", 3, 1, &b) == 1 && b == 866279);
	lr_fmap_free(f);
}

int
main(void)
{
	test_reference();
	test_gradient();
	test_separable();
	test_threads_mask_sel();
	test_errors();
	test_predict();
	test_fmap();
	return unit_report();
}
