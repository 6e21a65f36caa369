#include "ablate.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knap.h"
#include "metrics.h"
#include "xalloc.h"

/* A split: its train rows (for lr_train) and test rows. */
struct split {
	size_t	*train, ntrain;
	size_t	*test, ntest;
	double	 rate;		/* positives among the train rows */
};

/* One model to train: a set of groups on a split; its utility. */
struct task {
	const unsigned char	*inset;		/* ngroups flags */
	int			 split;
	double			 utility;
	int			 failed;
	char			 err[160];
};

struct pool {
	const struct ablate_in	*in;
	struct split		*splits;
	struct task		*tasks;
	size_t			 ntasks, next;
	pthread_mutex_t		 mu;
};

static double
utility_of(const struct ablate_in *in, const struct split *sp,
    const struct lr_model *m, int *ok)
{
	double *p = xcalloc(sp->ntest, sizeof(*p)), u = NAN, v, prior;
	int *y = xcalloc(sp->ntest, sizeof(*y));
	size_t i;

	for (i = 0; i < sp->ntest; i++) {
		p[i] = lr_predict_row(m, in->rows, sp->test[i]);
		y[i] = in->rows->y[sp->test[i]];
	}
	*ok = 0;
	if (in->utility == ABLATE_AUC) {
		if (metrics_auc(p, y, sp->ntest, &v) == 0) {
			u = v - 0.5;
			*ok = 1;
		}
	} else if (metrics_logloss(p, y, sp->ntest, &v) == 0 &&
	    metrics_logloss_const(sp->rate, y, sp->ntest, &prior) == 0 &&
	    prior > 0) {
		u = metrics_rig(v, prior);
		*ok = 1;
	}
	free(p);
	free(y);
	return u;
}

static void
run_task(struct pool *P, struct task *t)
{
	const struct ablate_in *in = P->in;
	struct split *sp = &P->splits[t->split];
	struct lr_params lp;
	struct lr_model m;
	unsigned char *use;
	uint32_t j;
	int ok;

	use = xcalloc(in->nfeat ? in->nfeat : 1, 1);
	for (j = 0; j < in->nfeat; j++)
		use[j] = t->inset[in->group_of[j]];
	lr_params_init(&lp);
	lp.C = in->C;
	lp.eps = in->eps;
	lp.use = use;
	lp.sel = sp->train;
	lp.nsel = sp->ntrain;
	if (lr_train(in->rows, in->nfeat, &lp, &m, t->err, sizeof(t->err)) !=
	    0) {
		t->failed = 1;
		free(use);
		return;
	}
	t->utility = utility_of(in, sp, &m, &ok);
	if (!ok) {
		t->failed = 1;
		snprintf(t->err, sizeof(t->err), "split %d: the utility is "
		    "undefined (a test set with one class)", t->split + 1);
	}
	lr_model_free(&m);
	free(use);
}

static void *
worker(void *arg)
{
	struct pool *P = arg;
	size_t k;

	for (;;) {
		pthread_mutex_lock(&P->mu);
		k = P->next++;
		pthread_mutex_unlock(&P->mu);
		if (k >= P->ntasks)
			return NULL;
		run_task(P, &P->tasks[k]);
	}
}

/* Trains every task; threads take the next task in turn. */
static int
run_all(struct pool *P, int nthreads, char *err, size_t errlen)
{
	pthread_t th[64];
	int i, started = 0;
	size_t k;

	P->next = 0;
	if (nthreads > 64)
		nthreads = 64;
	for (i = 1; i < nthreads && (size_t)i < P->ntasks; i++)
		if (pthread_create(&th[started], NULL, worker, P) == 0)
			started++;
	worker(P);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (k = 0; k < P->ntasks; k++)
		if (P->tasks[k].failed) {
			snprintf(err, errlen, "%s", P->tasks[k].err);
			return -1;
		}
	return 0;
}

static void
mean_sd(const double *x, size_t n, double *mean, double *sd)
{
	double s = 0, q = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i];
	*mean = s / (double)n;
	for (i = 0; i < n; i++)
		q += (x[i] - *mean) * (x[i] - *mean);
	*sd = n > 1 ? sqrt(q / (double)(n - 1)) : 0;
}

void
ablate_out_free(struct ablate_out *out, size_t nsizes)
{
	size_t i;

	free(out->drop_utility);
	if (out->sizes != NULL)
		for (i = 0; i < nsizes; i++)
			free(out->sizes[i].groups);
	free(out->sizes);
	memset(out, 0, sizeof(*out));
}

int
ablate_run(const struct ablate_in *in, struct ablate_out *out, char *err,
    size_t errlen)
{
	struct pool P;
	struct split *sp;
	unsigned char *sets = NULL;
	struct knap *kn = NULL;
	uint32_t cap = 0;
	double *gain = NULL, *tmp = NULL, *base = NULL, m, sd;
	size_t R = (size_t)in->nsplits, G = in->ngroups, S = in->nsizes;
	size_t i, s, g, k, pos;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&P, 0, sizeof(P));
	P.in = in;
	pthread_mutex_init(&P.mu, NULL);
	P.splits = sp = xcalloc(R, sizeof(*sp));
	for (s = 0; s < R; s++) {
		sp[s].train = xcalloc(in->rows->nrows + 1, sizeof(size_t));
		sp[s].test = xcalloc(in->rows->nrows + 1, sizeof(size_t));
		for (i = pos = 0; i < in->rows->nrows; i++) {
			if (in->test[i * R + s])
				sp[s].test[sp[s].ntest++] = i;
			else {
				sp[s].train[sp[s].ntrain++] = i;
				pos += in->rows->y[i] > 0;
			}
		}
		if (sp[s].ntrain == 0 || sp[s].ntest == 0) {
			snprintf(err, errlen, "split %zu has no %s rows", s + 1,
			    sp[s].ntrain == 0 ? "train" : "test");
			goto done;
		}
		sp[s].rate = (double)pos / (double)sp[s].ntrain;
	}
	/* Sets: 0 all groups, 1 + g without g, 1 + G + z size z. */
	sets = xcalloc((1 + G + S) * (G ? G : 1), 1);
	for (g = 0; g < G; g++)
		sets[g] = 1;
	for (g = 0; g < G; g++)
		for (k = 0; k < G; k++)
			sets[(1 + g) * G + k] = k != g;
	P.tasks = xcalloc((1 + G + S) * R, sizeof(*P.tasks));

	/* Steps 1 and 2 together: they do not depend on each other. */
	P.ntasks = (1 + G) * R;
	for (k = 0; k < P.ntasks; k++) {
		P.tasks[k].inset = sets + (k / R) * G;
		P.tasks[k].split = (int)(k % R);
	}
	if (run_all(&P, in->nthreads, err, errlen) != 0)
		goto done;
	out->models += P.ntasks;
	base = xcalloc(R, sizeof(*base));
	tmp = xcalloc(R, sizeof(*tmp));
	for (s = 0; s < R; s++)
		base[s] = P.tasks[s].utility;
	mean_sd(base, R, &out->base_utility, &out->base_sd);
	out->drop_utility = xcalloc(G ? G : 1, sizeof(double));
	gain = xcalloc(G ? G : 1, sizeof(*gain));
	for (g = 0; g < G; g++) {
		for (s = 0; s < R; s++)
			tmp[s] = P.tasks[(1 + g) * R + s].utility;
		mean_sd(tmp, R, &out->drop_utility[g], &sd);
		gain[g] = out->base_utility - out->drop_utility[g];
	}

	/* Step 3: the knapsack over every size at once. */
	for (k = 0; k < S; k++)
		if (in->sizes[k] > cap)
			cap = in->sizes[k];
	if ((kn = knap_solve(in->bits, gain, G, cap, err, errlen)) == NULL)
		goto done;
	out->sizes = xcalloc(S ? S : 1, sizeof(*out->sizes));
	for (k = 0; k < S; k++) {
		struct ablate_size *z = &out->sizes[k];

		z->bits = in->sizes[k];
		z->groups = xcalloc(G ? G : 1, sizeof(*z->groups));
		z->ngroups = knap_best(kn, z->bits, z->groups, NULL,
		    &z->used_bits);
		for (g = 0; g < z->ngroups; g++)
			sets[(1 + G + k) * G + z->groups[g]] = 1;
	}

	/* Step 4. */
	P.ntasks = S * R;
	for (k = 0; k < P.ntasks; k++) {
		memset(&P.tasks[k], 0, sizeof(P.tasks[k]));
		P.tasks[k].inset = sets + (1 + G + k / R) * G;
		P.tasks[k].split = (int)(k % R);
	}
	if (run_all(&P, in->nthreads, err, errlen) != 0)
		goto done;
	out->models += P.ntasks;
	for (k = 0; k < S; k++) {
		for (s = 0; s < R; s++)
			tmp[s] = P.tasks[k * R + s].utility;
		mean_sd(tmp, R, &out->sizes[k].utility, &sd);
		for (s = 0; s < R; s++)
			tmp[s] = base[s] != 0 ? 100 * P.tasks[k * R + s].utility /
			    base[s] : NAN;
		mean_sd(tmp, R, &m, &sd);
		out->sizes[k].pct = m;
		out->sizes[k].sd = sd;
	}
	rc = 0;
done:
	if (rc != 0)
		ablate_out_free(out, S);
	knap_free(kn);
	for (s = 0; s < R; s++) {
		free(sp[s].train);
		free(sp[s].test);
	}
	free(sp);
	free(P.tasks);
	free(sets);
	free(gain);
	free(tmp);
	free(base);
	pthread_mutex_destroy(&P.mu);
	return rc;
}
