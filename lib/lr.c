#include "lr.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define PAR_MIN_NNZ	32768	/* fewer entries: no threads */
#define MAX_THREADS	64

/* ---------------------------------------------------------------- rows */

void
lr_rows_init(struct lr_rows *r)
{
	memset(r, 0, sizeof(*r));
}

void
lr_rows_add(struct lr_rows *r, uint32_t idx, double val)
{
	if (r->nnz == r->cap_nnz) {
		r->cap_nnz = r->cap_nnz ? 2 * r->cap_nnz : 256;
		r->idx = xreallocarray(r->idx, r->cap_nnz, sizeof(*r->idx));
		r->val = xreallocarray(r->val, r->cap_nnz, sizeof(*r->val));
	}
	r->idx[r->nnz] = idx;
	r->val[r->nnz] = val;
	r->nnz++;
}

void
lr_rows_end(struct lr_rows *r, int label)
{
	if (r->rowptr == NULL || r->nrows == r->cap_rows) {
		r->cap_rows = r->cap_rows ? 2 * r->cap_rows : 64;
		r->y = xreallocarray(r->y, r->cap_rows, sizeof(*r->y));
		r->rowptr = xreallocarray(r->rowptr, r->cap_rows + 1,
		    sizeof(*r->rowptr));
		if (r->nrows == 0)
			r->rowptr[0] = 0;
	}
	r->y[r->nrows] = label > 0 ? 1 : -1;
	r->rowptr[++r->nrows] = r->nnz;
}

void
lr_rows_clear(struct lr_rows *r)
{
	r->nrows = 0;
	r->nnz = 0;
	if (r->rowptr != NULL)
		r->rowptr[0] = 0;
}

void
lr_rows_free(struct lr_rows *r)
{
	if (r == NULL)
		return;
	free(r->rowptr);
	free(r->idx);
	free(r->val);
	free(r->y);
	lr_rows_init(r);
}

/* ------------------------------------------------------------- problem */

/*
 * The training problem as the solver sees it: the selected rows with the
 * unused features dropped, held twice, by rows (CSR, for X v) and by
 * columns (CSC, for X^T u).  Without a selection or a mask the CSR is
 * the caller's own arrays, not a copy.  The bias is feature nfeat, kept
 * virtual: added last in each row's sum (where LIBLINEAR appends it) and
 * a column holding every row.  With the CSC form every output of X^T u
 * is one column's sum taken in row order, the order LIBLINEAR's row-wise
 * scatter adds in, and threads split the columns without sharing a sum.
 * Values are NULL when all are 1 (one-hot rows with bias 1 or none),
 * which saves the memory traffic.
 */
struct prob {
	size_t		 l;		/* rows */
	size_t		 n;		/* variables: features, bias */
	uint32_t	 nfeat;
	double		 C;
	double		 bias;		/* 0: none */
	const size_t	*rp;		/* CSR */
	const uint32_t	*ri;
	const double	*rv;
	size_t		*cp;		/* CSC; n + 1 entries */
	uint32_t	*ci;
	double		*cv;
	size_t		*own_rp;	/* the CSR when it is a copy */
	uint32_t	*own_ri;
	double		*own_rv;
	double		*y;		/* +1 or -1 */
	double		*yz;		/* y_i w.x_i, last fun() */
	double		*D;		/* sigma'(yz), last grad() */
	double		*t;		/* per-row scratch */
	int		 nthreads;
};

enum op {
	OP_FUN,		/* rows: yz, t = loss */
	OP_GRAD,	/* rows: D, t = C (sigma(yz) - 1) y */
	OP_HV,		/* rows: t = C D x.v */
	OP_XTV,		/* cols: out = v + X^T t */
	OP_PRECOND	/* cols: out = 1 + C sum D x^2 */
};

struct task {
	struct prob	*P;
	enum op		 op;
	const double	*v;
	double		*out;
	size_t		 lo, hi;
	pthread_t	 th;
	int		 started;
};

static double
row_dot(const struct prob *P, size_t i, const double *v)
{
	size_t k, e = P->rp[i + 1];
	double s = 0;

	if (P->rv == NULL) {
		for (k = P->rp[i]; k < e; k++)
			s += v[P->ri[k]];
		if (P->bias > 0)
			s += v[P->nfeat];
	} else {
		for (k = P->rp[i]; k < e; k++)
			s += v[P->ri[k]] * P->rv[k];
		if (P->bias > 0)
			s += v[P->nfeat] * P->bias;
	}
	return s;
}

static void
run_rows(struct task *tk)
{
	struct prob *P = tk->P;
	const double *v = tk->v;
	double yz, e, C = P->C;
	size_t i;

	for (i = tk->lo; i < tk->hi; i++) {
		switch (tk->op) {
		case OP_FUN:
			yz = P->y[i] * row_dot(P, i, v);
			P->yz[i] = yz;
			/* log(1 + exp(-yz)) without overflow */
			P->t[i] = yz >= 0 ? log1p(exp(-yz)) :
			    -yz + log1p(exp(yz));
			break;
		case OP_GRAD:
			/*
			 * With e = exp(-|yz|): sigma(-yz) is e/(1+e) or
			 * 1/(1+e), and D = e/(1+e)^2, both free of the
			 * cancellation in 1 - sigma.
			 */
			yz = P->yz[i];
			e = exp(-fabs(yz));
			P->D[i] = e / ((1 + e) * (1 + e));
			P->t[i] = -C * P->y[i] *
			    (yz >= 0 ? e / (1 + e) : 1 / (1 + e));
			break;
		case OP_HV:
			P->t[i] = C * P->D[i] * row_dot(P, i, v);
			break;
		default:
			break;
		}
	}
}

/* Column j of X^T t (op OP_XTV) or of 1 + C sum D x^2 (OP_PRECOND). */
static double
col_sum(const struct prob *P, enum op op, size_t j)
{
	const double *t = P->t, *D = P->D, *cv = P->cv;
	const uint32_t *ci = P->ci;
	double s = op == OP_XTV ? 0 : 1, b = P->bias, C = P->C;
	size_t i, k, e;

	if (j == P->nfeat) {		/* the bias: every row */
		if (op == OP_XTV && cv == NULL)
			for (i = 0; i < P->l; i++)
				s += t[i];
		else if (op == OP_XTV)
			for (i = 0; i < P->l; i++)
				s += t[i] * b;
		else if (cv == NULL)
			for (i = 0; i < P->l; i++)
				s += C * D[i];
		else
			for (i = 0; i < P->l; i++)
				s += b * b * C * D[i];
		return s;
	}
	e = P->cp[j + 1];
	if (op == OP_XTV && cv == NULL)
		for (k = P->cp[j]; k < e; k++)
			s += t[ci[k]];
	else if (op == OP_XTV)
		for (k = P->cp[j]; k < e; k++)
			s += t[ci[k]] * cv[k];
	else if (cv == NULL)
		for (k = P->cp[j]; k < e; k++)
			s += C * D[ci[k]];
	else
		for (k = P->cp[j]; k < e; k++)
			s += cv[k] * cv[k] * C * D[ci[k]];
	return s;
}

static void
run_cols(struct task *tk)
{
	size_t j;

	if (tk->op == OP_XTV)
		for (j = tk->lo; j < tk->hi; j++)
			tk->out[j] = tk->v[j] + col_sum(tk->P, OP_XTV, j);
	else
		for (j = tk->lo; j < tk->hi; j++)
			tk->out[j] = col_sum(tk->P, OP_PRECOND, j);
}

static void *
run_task(void *arg)
{
	struct task *tk = arg;

	if (tk->op == OP_XTV || tk->op == OP_PRECOND)
		run_cols(tk);
	else
		run_rows(tk);
	return NULL;
}

/* The first k in [0, m] with ptr[k] >= target (ptr ascending). */
static size_t
lower_bound(const size_t *ptr, size_t m, size_t target)
{
	size_t lo = 0, hi = m, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ptr[mid] < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Runs op over all rows or all columns, split in ranges of about equal
 * numbers of entries.  Each element's output depends on that element
 * alone, so the split, and a thread that failed to start (its range is
 * then run here), never change a bit of the result.
 */
static void
par(struct prob *P, enum op op, const double *v, double *out)
{
	struct task tk[MAX_THREADS];
	int cols = op == OP_XTV || op == OP_PRECOND;
	const size_t *ptr = cols ? P->cp : P->rp;
	size_t m = cols ? P->n : P->l, total = ptr[m], lo = 0, hi;
	int i, T = P->nthreads;

	if (T > MAX_THREADS)
		T = MAX_THREADS;
	if (T < 2 || total < PAR_MIN_NNZ)
		T = 1;
	for (i = 0; i < T; i++) {
		hi = i == T - 1 ? m :
		    lower_bound(ptr, m, total / (size_t)T * (size_t)(i + 1));
		if (hi < lo)
			hi = lo;
		tk[i].P = P;
		tk[i].op = op;
		tk[i].v = v;
		tk[i].out = out;
		tk[i].started = 0;
		tk[i].lo = lo;
		tk[i].hi = hi;
		lo = hi;
	}
	for (i = 1; i < T; i++)
		if (pthread_create(&tk[i].th, NULL, run_task, &tk[i]) == 0)
			tk[i].started = 1;
	run_task(&tk[0]);
	for (i = 1; i < T; i++) {
		if (tk[i].started)
			pthread_join(tk[i].th, NULL);
		else
			run_task(&tk[i]);
	}
}

static double
dot(const double *a, const double *b, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static double
utmv(const double *u, const double *M, const double *v, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += u[i] * M[i] * v[i];
	return s;
}

static void
axpy(double a, const double *x, double *y, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] += a * x[i];
}

/* f(w); leaves y_i w.x_i in P->yz for grad(). */
static double
fun(struct prob *P, const double *w)
{
	double f = 0;
	size_t i;

	par(P, OP_FUN, w, NULL);
	for (i = 0; i < P->n; i++)
		f += w[i] * w[i];
	f /= 2;
	for (i = 0; i < P->l; i++)
		f += P->C * P->t[i];
	return f;
}

/* grad f(w), w being the point of the last fun(); sets P->D. */
static void
grad(struct prob *P, const double *w, double *g)
{
	par(P, OP_GRAD, NULL, NULL);
	par(P, OP_XTV, w, g);
}

/* Hs = (I + C X^T D X) s. */
static void
hv(struct prob *P, const double *s, double *Hs)
{
	par(P, OP_HV, s, NULL);
	par(P, OP_XTV, s, Hs);
}

/* Diagonal preconditioner of LIBLINEAR 2.20 on: 0.99 + 0.01 diag(H). */
static void
precond(struct prob *P, double *M)
{
	size_t i;

	par(P, OP_PRECOND, NULL, M);
	for (i = 0; i < P->n; i++)
		M[i] = (1 - 0.01) + 0.01 * M[i];
}

struct work {
	double	*s, *r, *g, *M, *wn, *d, *Hd, *z;
};

/*
 * Preconditioned CG on H s = -g inside the trust region |s|_M <= delta
 * (tron.cpp's trpcg).  On return r = -g - H s.
 */
static size_t
trpcg(struct prob *P, struct work *W, double delta, int *boundary)
{
	size_t i, n = P->n;
	double *s = W->s, *r = W->r, *d = W->d, *Hd = W->Hd, *z = W->z;
	double *M = W->M, ztr, ztrnew, alpha, beta, cgtol, snorm;
	double stmd, stms, dtmd, dsq, rad;
	size_t it = 0, max_it = n > 5 ? n : 5;

	*boundary = 0;
	for (i = 0; i < n; i++) {
		s[i] = 0;
		r[i] = -W->g[i];
		z[i] = r[i] / M[i];
		d[i] = z[i];
	}
	ztr = dot(z, r, n);
	cgtol = 0.1 * sqrt(ztr);
	while (it < max_it) {
		if (sqrt(ztr) <= cgtol)
			break;
		it++;
		hv(P, d, Hd);
		alpha = ztr / dot(d, Hd, n);
		axpy(alpha, d, s, n);
		snorm = sqrt(utmv(s, M, s, n));
		if (snorm > delta) {
			/* Back, then to where s + alpha d meets |s|_M = delta. */
			*boundary = 1;
			axpy(-alpha, d, s, n);
			stmd = utmv(s, M, d, n);
			stms = utmv(s, M, s, n);
			dtmd = utmv(d, M, d, n);
			dsq = delta * delta;
			rad = sqrt(stmd * stmd + dtmd * (dsq - stms));
			if (stmd >= 0)
				alpha = (dsq - stms) / (stmd + rad);
			else
				alpha = (rad - stmd) / dtmd;
			axpy(alpha, d, s, n);
			axpy(-alpha, Hd, r, n);
			break;
		}
		axpy(-alpha, Hd, r, n);
		for (i = 0; i < n; i++)
			z[i] = r[i] / M[i];
		ztrnew = dot(z, r, n);
		beta = ztrnew / ztr;
		for (i = 0; i < n; i++)
			d[i] = beta * d[i] + z[i];
		ztr = ztrnew;
	}
	return it;
}

/*
 * Trust-region Newton (tron.cpp's TRON::tron, LIBLINEAR 2.20 to 2.3x):
 * the same constants, step acceptance, radius updates and safeguards.
 */
static void
tron(struct prob *P, double *w, double eps, int max_iter, struct lr_model *m)
{
	const double eta0 = 1e-4, eta1 = 0.25, eta2 = 0.75;
	const double sigma1 = 0.25, sigma2 = 0.5, sigma3 = 4;
	struct work W;
	size_t i, n = P->n;
	double delta, snorm, alpha, f, fnew, prered, actred, gs, gnorm;
	double gnorm0;
	int iter = 1, search = 1, boundary, adjusted = 0;
	double *buf;

	buf = xcalloc(8 * n, sizeof(*buf));
	W.s = buf;
	W.r = buf + n;
	W.g = buf + 2 * n;
	W.M = buf + 3 * n;
	W.wn = buf + 4 * n;
	W.d = buf + 5 * n;
	W.Hd = buf + 6 * n;
	W.z = buf + 7 * n;

	/* w starts at 0, so |grad f(0)| is the first gradient's norm. */
	for (i = 0; i < n; i++)
		w[i] = 0;
	f = fun(P, w);
	grad(P, w, W.g);
	gnorm0 = gnorm = sqrt(dot(W.g, W.g, n));
	m->converged = 0;
	if (gnorm <= eps * gnorm0) {
		search = 0;
		m->converged = 1;
	}
	precond(P, W.M);
	delta = sqrt(utmv(W.g, W.M, W.g, n));

	while (iter <= max_iter && search) {
		trpcg(P, &W, delta, &boundary);
		memcpy(W.wn, w, n * sizeof(*w));
		axpy(1, W.s, W.wn, n);
		gs = dot(W.g, W.s, n);
		prered = -0.5 * (gs - dot(W.s, W.r, n));
		fnew = fun(P, W.wn);
		actred = f - fnew;

		snorm = sqrt(utmv(W.s, W.M, W.s, n));
		if (iter == 1 && !adjusted) {
			if (snorm < delta)
				delta = snorm;
			adjusted = 1;
		}
		if (fnew - f - gs <= 0)
			alpha = sigma3;
		else
			alpha = fmax(sigma1, -0.5 * (gs / (fnew - f - gs)));

		if (actred < eta0 * prered)
			delta = fmin(alpha * snorm, sigma2 * delta);
		else if (actred < eta1 * prered)
			delta = fmax(sigma1 * delta,
			    fmin(alpha * snorm, sigma2 * delta));
		else if (actred < eta2 * prered)
			delta = fmax(sigma1 * delta,
			    fmin(alpha * snorm, sigma3 * delta));
		else if (boundary)
			delta = sigma3 * delta;
		else
			delta = fmax(delta, fmin(alpha * snorm, sigma3 * delta));

		if (actred > eta0 * prered) {
			iter++;
			memcpy(w, W.wn, n * sizeof(*w));
			f = fnew;
			grad(P, w, W.g);
			precond(P, W.M);
			gnorm = sqrt(dot(W.g, W.g, n));
			if (gnorm <= eps * gnorm0) {
				m->converged = 1;
				break;
			}
		}
		if (f < -1.0e+32)
			break;
		if (prered <= 0)
			break;
		if (fabs(actred) <= 1.0e-12 * fabs(f) &&
		    fabs(prered) <= 1.0e-12 * fabs(f))
			break;
	}
	m->iters = iter - 1;
	m->f = f;
	m->gnorm0 = gnorm0;
	m->gnorm = gnorm;
	free(buf);
}

static void
prob_free(struct prob *P)
{
	free(P->own_rp);
	free(P->own_ri);
	free(P->own_rv);
	free(P->cp);
	free(P->ci);
	free(P->cv);
	free(P->y);
	free(P->yz);
	free(P->D);
	free(P->t);
}

/* Checks the selected rows and sets P up.  0, or -1 with err. */
static int
prob_build(struct prob *P, const struct lr_rows *rows, uint32_t nfeat,
    const struct lr_params *p, char *err, size_t errlen)
{
	size_t l = p->sel ? p->nsel : rows->nrows, i, k, r, nnz = 0, *cur;
	int ones = p->bias <= 0 || p->bias == 1;
	uint32_t j;
	double v;

	memset(P, 0, sizeof(*P));
	for (i = 0; i < l; i++) {
		r = p->sel ? p->sel[i] : i;
		if (r >= rows->nrows) {
			snprintf(err, errlen, "selected row %zu out of range",
			    r);
			return -1;
		}
		for (k = rows->rowptr[r]; k < rows->rowptr[r + 1]; k++) {
			j = rows->idx[k];
			v = rows->val[k];
			if (j >= nfeat) {
				snprintf(err, errlen, "row %zu: feature index "
				    "%lu out of range", r, (unsigned long)j);
				return -1;
			}
			if (!isfinite(v)) {
				snprintf(err, errlen, "row %zu: value is not "
				    "finite", r);
				return -1;
			}
			if (p->use == NULL || p->use[j]) {
				nnz++;
				if (v != 1)
					ones = 0;
			}
		}
	}
	if ((uint64_t)l > UINT32_MAX) {
		snprintf(err, errlen, "too many rows");
		return -1;
	}
	P->l = l;
	P->nfeat = nfeat;
	P->bias = p->bias > 0 ? p->bias : 0;
	P->n = (size_t)nfeat + (P->bias > 0);
	P->C = p->C;
	P->nthreads = p->nthreads;
	P->y = xcalloc(l, sizeof(*P->y));
	for (i = 0; i < l; i++)
		P->y[i] = rows->y[p->sel ? p->sel[i] : i] > 0 ? 1 : -1;
	if (p->sel == NULL && p->use == NULL) {
		P->rp = rows->rowptr;
		P->ri = rows->idx;
		P->rv = ones ? NULL : rows->val;
	} else {
		P->rp = P->own_rp = xcalloc(l + 1, sizeof(*P->own_rp));
		P->ri = P->own_ri = xcalloc(nnz ? nnz : 1, sizeof(*P->own_ri));
		if (!ones)
			P->rv = P->own_rv = xcalloc(nnz ? nnz : 1,
			    sizeof(*P->own_rv));
		nnz = 0;
		for (i = 0; i < l; i++) {
			r = p->sel ? p->sel[i] : i;
			for (k = rows->rowptr[r]; k < rows->rowptr[r + 1];
			    k++) {
				j = rows->idx[k];
				if (p->use != NULL && !p->use[j])
					continue;
				P->own_ri[nnz] = j;
				if (!ones)
					P->own_rv[nnz] = rows->val[k];
				nnz++;
			}
			P->own_rp[i + 1] = nnz;
		}
	}

	/* Columns: counts, offsets, then rows in order into each. */
	P->cp = xcalloc(P->n + 1, sizeof(*P->cp));
	P->ci = xcalloc(nnz ? nnz : 1, sizeof(*P->ci));
	if (!ones)
		P->cv = xcalloc(nnz ? nnz : 1, sizeof(*P->cv));
	for (k = P->rp[0]; k < P->rp[l]; k++)
		P->cp[P->ri[k] + 1]++;
	for (k = 0; k < nfeat; k++)
		P->cp[k + 1] += P->cp[k];
	if (P->bias > 0)		/* for the split of work only */
		P->cp[P->n] = P->cp[nfeat] + l;
	cur = xmemdup(P->cp, (P->n + 1) * sizeof(*cur));
	for (i = 0; i < l; i++) {
		for (k = P->rp[i]; k < P->rp[i + 1]; k++) {
			r = cur[P->ri[k]]++;
			P->ci[r] = (uint32_t)i;
			if (!ones)
				P->cv[r] = P->rv[k];
		}
	}
	free(cur);
	P->yz = xcalloc(l, sizeof(*P->yz));
	P->D = xcalloc(l, sizeof(*P->D));
	P->t = xcalloc(l, sizeof(*P->t));
	return 0;
}

void
lr_params_init(struct lr_params *p)
{
	memset(p, 0, sizeof(*p));
	p->C = 1;
	p->eps = 0.01;
	p->bias = 1;
	p->max_iter = 1000;
	p->nthreads = 1;
}

int
lr_train(const struct lr_rows *rows, uint32_t nfeat,
    const struct lr_params *p, struct lr_model *m, char *err, size_t errlen)
{
	struct prob P;
	size_t i, pos = 0;
	double eps, *w;

	if (!(p->C > 0) || !isfinite(p->C)) {
		snprintf(err, errlen, "C must be positive");
		return -1;
	}
	if (!(p->eps > 0)) {
		snprintf(err, errlen, "eps must be positive");
		return -1;
	}
	if ((p->sel ? p->nsel : rows->nrows) == 0) {
		snprintf(err, errlen, "no training rows");
		return -1;
	}
	if (prob_build(&P, rows, nfeat, p, err, errlen) == -1) {
		prob_free(&P);
		return -1;
	}
	for (i = 0; i < P.l; i++)
		if (P.y[i] > 0)
			pos++;
	/* train_one(): eps * max(min(pos, neg), 1) / l */
	eps = p->eps * (double)(pos < P.l - pos ? pos : P.l - pos);
	if (pos == 0 || pos == P.l)
		eps = p->eps;
	eps /= (double)P.l;

	w = xcalloc(P.n ? P.n : 1, sizeof(*w));
	memset(m, 0, sizeof(*m));
	tron(&P, w, eps, p->max_iter > 0 ? p->max_iter : 0, m);
	m->nfeat = nfeat;
	m->bias = p->bias > 0 ? p->bias : 0;
	m->w = w;
	prob_free(&P);
	return 0;
}

double
lr_sigmoid(double z)
{
	double e;

	if (z >= 0)
		return 1 / (1 + exp(-z));
	e = exp(z);
	return e / (1 + e);
}

double
lr_margin(const struct lr_model *m, const uint32_t *idx, const double *val,
    size_t n)
{
	double s = 0;
	size_t k;

	for (k = 0; k < n; k++)
		if (idx[k] < m->nfeat)
			s += m->w[idx[k]] * val[k];
	if (m->bias > 0)
		s += m->w[m->nfeat] * m->bias;
	return s;
}

double
lr_predict(const struct lr_model *m, const uint32_t *idx, const double *val,
    size_t n)
{
	return lr_sigmoid(lr_margin(m, idx, val, n));
}

double
lr_predict_row(const struct lr_model *m, const struct lr_rows *rows, size_t i)
{
	size_t b = rows->rowptr[i];

	return lr_predict(m, rows->idx + b, rows->val + b,
	    rows->rowptr[i + 1] - b);
}

void
lr_model_free(struct lr_model *m)
{
	if (m == NULL)
		return;
	free(m->w);
	m->w = NULL;
}

/* ---------------------------------------------------------- feature map */

struct chunk {
	struct chunk	*next;
	char		 data[];
};

#define CHUNK_SIZE	65536

struct lr_fmap {
	uint32_t	 hash_size;	/* 0: dictionary mode */
	uint32_t	 count;
	uint32_t	*slot;		/* 0 empty, else index + 1 */
	size_t		 nslot;		/* a power of two */
	char		**name;
	size_t		*len;
	uint64_t	*hash;
	size_t		 cap;		/* room in name, len, hash */
	struct chunk	*arena;
	size_t		 used, room;	/* bytes of the newest chunk */
};

struct part {
	const char	*p;
	size_t		 n;
};

uint64_t
lr_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

struct lr_fmap *
lr_fmap_new(uint32_t hash_size)
{
	struct lr_fmap *m = xcalloc(1, sizeof(*m));

	m->hash_size = hash_size;
	if (hash_size == 0) {
		m->nslot = 1024;
		m->slot = xcalloc(m->nslot, sizeof(*m->slot));
	}
	return m;
}

void
lr_fmap_free(struct lr_fmap *m)
{
	struct chunk *c, *next;

	if (m == NULL)
		return;
	for (c = m->arena; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(m->slot);
	free(m->name);
	free(m->len);
	free(m->hash);
	free(m);
}

/* Slot of hash h: FNV's low bits are weak, so fold the high ones in. */
static size_t
home(const struct lr_fmap *m, uint64_t h)
{
	return (size_t)(h ^ (h >> 29) ^ (h >> 47)) & (m->nslot - 1);
}

static void
rehash(struct lr_fmap *m)
{
	size_t i, s;

	free(m->slot);
	m->nslot *= 2;
	m->slot = xcalloc(m->nslot, sizeof(*m->slot));
	for (i = 0; i < m->count; i++) {
		for (s = home(m, m->hash[i]); m->slot[s] != 0;
		    s = (s + 1) & (m->nslot - 1))
			;
		m->slot[s] = (uint32_t)i + 1;
	}
}

static char *
intern(struct lr_fmap *m, const struct part *pt, int np, size_t len)
{
	struct chunk *c;
	size_t sz;
	char *s, *q;
	int i;

	if (m->arena == NULL || m->room - m->used < len + 1) {
		sz = len + 1 > CHUNK_SIZE ? len + 1 : CHUNK_SIZE;
		c = xmalloc(sizeof(*c) + sz);
		c->next = m->arena;
		m->arena = c;
		m->used = 0;
		m->room = sz;
	}
	s = q = m->arena->data + m->used;
	for (i = 0; i < np; i++) {
		memcpy(q, pt[i].p, pt[i].n);
		q += pt[i].n;
	}
	*q = '\0';
	m->used += len + 1;
	return s;
}

static int
equal(const char *s, const struct part *pt, int np)
{
	int i;

	for (i = 0; i < np; i++) {
		if (memcmp(s, pt[i].p, pt[i].n) != 0)
			return 0;
		s += pt[i].n;
	}
	return 1;
}

/* The name made of np parts, laid end to end. */
static int
lookup(struct lr_fmap *m, const struct part *pt, int np, int add,
    uint32_t *out)
{
	uint64_t h = LR_FNV_INIT;
	size_t len = 0, s;
	uint32_t k;
	int i;

	for (i = 0; i < np; i++) {
		h = lr_fnv1a(h, pt[i].p, pt[i].n);
		len += pt[i].n;
	}
	if (m->hash_size != 0) {
		*out = (uint32_t)(h % m->hash_size);
		return 1;
	}
	for (s = home(m, h); (k = m->slot[s]) != 0;
	    s = (s + 1) & (m->nslot - 1)) {
		k--;
		if (m->hash[k] == h && m->len[k] == len &&
		    equal(m->name[k], pt, np)) {
			*out = k;
			return 1;
		}
	}
	if (!add)
		return 0;
	if (m->count == UINT32_MAX - 1)
		return -1;
	if (m->count == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->name = xreallocarray(m->name, m->cap, sizeof(*m->name));
		m->len = xreallocarray(m->len, m->cap, sizeof(*m->len));
		m->hash = xreallocarray(m->hash, m->cap, sizeof(*m->hash));
	}
	k = m->count++;
	m->name[k] = intern(m, pt, np, len);
	m->len[k] = len;
	m->hash[k] = h;
	m->slot[s] = k + 1;
	if (2 * (size_t)m->count > m->nslot)	/* load at most 1/2 */
		rehash(m);
	*out = k;
	return 1;
}

int
lr_fmap_get(struct lr_fmap *m, const char *name, size_t len, int add,
    uint32_t *out)
{
	struct part pt = { name, len };

	return lookup(m, &pt, 1, add, out);
}

int
lr_fmap_cat(struct lr_fmap *m, const char *col, const char *val,
    size_t vallen, int add, uint32_t *out)
{
	struct part pt[3] = {
		{ col, strlen(col) }, { "=", 1 }, { val, vallen }
	};

	return lookup(m, pt, 3, add, out);
}

int
lr_fmap_num(struct lr_fmap *m, const char *col, int add, uint32_t *out)
{
	return lr_fmap_get(m, col, strlen(col), add, out);
}

uint32_t
lr_fmap_size(const struct lr_fmap *m)
{
	return m->hash_size != 0 ? m->hash_size : m->count;
}

const char *
lr_fmap_name(const struct lr_fmap *m, uint32_t i)
{
	if (m->hash_size != 0 || i >= m->count)
		return NULL;
	return m->name[i];
}
