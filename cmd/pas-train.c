/*
 * pas-train: L2 logistic regression (LIBLINEAR's objective and solver)
 * on rows of features; writes the "logistic" model of adsig(5), scores
 * rows with it, evaluates it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "csvio.h"
#include "diag.h"
#include "jw.h"
#include "lr.h"
#include "lrmodel.h"
#include "lrtab.h"
#include "metrics.h"
#include "rin.h"
#include "run.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: pas-train [-hVv] [-C C] [--bucket COL=N|COL=E1:E2:..] [--eps EPS]\n"
"                 [--eval] [--features A,B,..] [--hash-size N] [--ignore A,..]\n"
"                 [--numeric A,..] [--seed N] [--split-column COL |\n"
"                 --test-fraction F] [--threads N] [--skip-bad] -l COL\n"
"                 [-o MODEL] [file ...]\n"
"       pas-train --predict MODEL [-hVv] [--csv] [--field NAME] [--skip-bad]\n"
"                 [-o FILE] [file ...]";

static const char help[] =
"Trains an L2-regularised logistic regression (LIBLINEAR -s 0 -B 1) on\n"
"rows of features and writes the \"logistic\" model of adsig(5).\n"
"\n"
"  -l, --label COL        the label column (1/0, true/false, numbers > 0)\n"
"  --features A,B,..      feature columns (default: all but label, split)\n"
"  --ignore A,..          columns left out of the default features\n"
"  --numeric A,..         numeric columns (the others are categorical)\n"
"  --bucket COL=N         N quantile buckets; COL=E1:E2:.. given edges\n"
"  --hash-size N          hash feature names into N weights\n"
"  -C C                   inverse regularisation, LIBLINEAR's -c (1)\n"
"  --eps EPS              stopping tolerance, LIBLINEAR's -e (0.01)\n"
"  --threads N            threads (default: the online CPUs)\n"
"  --split-column COL     rows whose COL is \"test\" are the test set\n"
"  --test-fraction F      a random fraction F of rows is the test set\n"
"  --seed N               reproducible --test-fraction split\n"
"  --eval                 print {rows_train,rows_test,auc,logloss,base_logloss}\n"
"  --predict MODEL        score rows with MODEL: append \"p\"\n"
"  --field NAME           name of the score field (p)\n"
"  --csv                  with --predict: write CSV\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          print the closing summary always\n"
"  -h, --help, -V, --version\n"
"\n"
"See pas-train(1) and adsig(5).\n";

enum {
	OPT_FEATURES = RUN_OPT_TOOL, OPT_IGNORE, OPT_NUMERIC, OPT_BUCKET,
	OPT_HASH, OPT_EPS, OPT_THREADS, OPT_SPLITCOL, OPT_TESTFRAC, OPT_EVAL,
	OPT_PREDICT, OPT_FIELD, OPT_MAXITER
};

static int
default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* --predict: a filter appending the score to each row. */
static int
predict(struct run *r, const char *mpath, const char *field, char **argv,
    int argc)
{
	struct lrm *m;
	struct rin in;
	struct csvw cw;
	char err[300];
	const char *badkey;
	double p;
	int rc;

	if (lrm_load(mpath, &m, err, sizeof(err)) != 0) {
		if (access(mpath, R_OK) != 0) {
			diag_warn("%s: %s", mpath, strerror(errno));
			return diag_finish(EX_NOINPUT);
		}
		diag_warn("%s", err);
		return diag_finish(EX_DATAERR);
	}
	if ((rc = run_start(r)) != 0) {
		lrm_free(m);
		return diag_finish(rc);
	}
	rin_init(&in, r, argv, argc);
	csvw_init(&cw, NULL, 0);
	while ((rc = rin_next(&in)) == 1) {
		if (lrm_score_json(m, in.obj, &p, err, sizeof(err)) != 0) {
			if (run_bad(r, in.file, in.line, in.raw, in.rawlen,
			    "%s", err) != 0)
				break;
			continue;
		}
		json_object_set_new(in.obj, field, json_real(p));
		if (r->out_format == RUN_FMT_CSV) {
			if (csvw_record(&cw, &r->out.b, in.obj, &badkey) != 0) {
				if (run_bad(r, in.file, in.line, in.raw,
				    in.rawlen, "key \"%s\" is not a column of "
				    "the CSV output (the first record's keys)",
				    badkey) != 0)
					break;
				continue;
			}
		} else {
			jw_value(&r->out.b, in.obj);
			buf_addc(&r->out.b, '\n');
		}
		r->wrote++;
		if (out_maybe_flush(&r->out) != 0) {
			run_fail(r, EX_IOERR);
			break;
		}
	}
	rin_close(&in);
	csvw_free(&cw);
	lrm_free(m);
	return run_finish(r, 0, NULL);
}

/* AUC, log loss and base log loss of m on the rows whose test flag is want. */
static void
evaluate(const struct lrtab *t, const struct lr_model *m, int want,
    double base_rate, size_t *n_out, double *auc, double *ll, double *bll,
    int *auc_ok)
{
	size_t i, n = 0;
	double *p = xcalloc(t->rows.nrows ? t->rows.nrows : 1, sizeof(*p));
	int *y = xcalloc(t->rows.nrows ? t->rows.nrows : 1, sizeof(*y));

	for (i = 0; i < t->rows.nrows; i++) {
		if (lrtab_is_test(t, i, 0) != want)
			continue;
		p[n] = lr_predict_row(m, &t->rows, i);
		y[n++] = t->rows.y[i];
	}
	*n_out = n;
	*auc_ok = metrics_auc(p, y, n, auc) == 0;
	if (metrics_logloss(p, y, n, ll) != 0)
		*ll = NAN;
	if (metrics_logloss_const(base_rate, y, n, bll) != 0)
		*bll = NAN;
	free(p);
	free(y);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "label",         required_argument, NULL, 'l' },
		{ "features",      required_argument, NULL, OPT_FEATURES },
		{ "ignore",        required_argument, NULL, OPT_IGNORE },
		{ "numeric",       required_argument, NULL, OPT_NUMERIC },
		{ "bucket",        required_argument, NULL, OPT_BUCKET },
		{ "hash-size",     required_argument, NULL, OPT_HASH },
		{ "eps",           required_argument, NULL, OPT_EPS },
		{ "max-iter",      required_argument, NULL, OPT_MAXITER },
		{ "threads",       required_argument, NULL, OPT_THREADS },
		{ "split-column",  required_argument, NULL, OPT_SPLITCOL },
		{ "test-fraction", required_argument, NULL, OPT_TESTFRAC },
		{ "eval",          no_argument,       NULL, OPT_EVAL },
		{ "predict",       required_argument, NULL, OPT_PREDICT },
		{ "field",         required_argument, NULL, OPT_FIELD },
		{ NULL, 0, NULL, 0 }
	};
	struct lrtab_opts o;
	struct lr_params lp;
	struct lr_model lm;
	struct lrtab t;
	struct run r;
	const char *mpath = NULL, *field = "p";
	char err[300], extra[200];
	size_t i, ntrain = 0, pos = 0, ntest;
	size_t *sel = NULL;
	double auc = 0, ll, bll, rate, frac_set = 0;
	int ch, rc, eval = 0, auc_ok, trained = 0, has_frac = 0;
	json_t *train;
	FILE *evfp;

	memset(&o, 0, sizeof(o));
	o.nsplits = 1;
	lr_params_init(&lp);
	lp.nthreads = default_threads();
	run_init(&r, argv[0], synopsis, help);
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS "l:C:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'l':
			o.label = optarg;
			break;
		case OPT_FEATURES:
			o.features = lrtab_split_list(optarg, &o.nfeatures);
			break;
		case OPT_IGNORE:
			o.ignore = lrtab_split_list(optarg, &o.nignore);
			break;
		case OPT_NUMERIC:
			o.numeric = lrtab_split_list(optarg, &o.nnumeric);
			break;
		case OPT_BUCKET:
			o.buckets = xreallocarray(o.buckets, o.nbuckets + 1,
			    sizeof(*o.buckets));
			if (lrtab_parse_bucket(optarg,
			    &o.buckets[o.nbuckets]) != 0)
				run_usage_error(&r, "--bucket: want COL=N (N >= "
				    "2) or COL=E1:E2:.. (ascending)");
			o.nbuckets++;
			break;
		case OPT_HASH:
			o.hash_size = (uint32_t)run_integer(&r, "--hash-size",
			    optarg, 1, 1UL << 28);
			break;
		case 'C':
			lp.C = run_real(&r, "-C", optarg);
			if (!(lp.C > 0))
				run_usage_error(&r, "-C: must be positive");
			break;
		case OPT_EPS:
			lp.eps = run_real(&r, "--eps", optarg);
			if (!(lp.eps > 0))
				run_usage_error(&r, "--eps: must be positive");
			break;
		case OPT_MAXITER:
			lp.max_iter = (int)run_integer(&r, "--max-iter", optarg,
			    1, 1000000);
			break;
		case OPT_THREADS:
			lp.nthreads = (int)run_integer(&r, "--threads", optarg,
			    1, 256);
			break;
		case OPT_SPLITCOL:
			o.split_col = optarg;
			break;
		case OPT_TESTFRAC:
			frac_set = run_real(&r, "--test-fraction", optarg);
			if (frac_set < 0 || frac_set >= 1)
				run_usage_error(&r, "--test-fraction: must be "
				    "in [0, 1)");
			o.test_fraction = frac_set;
			has_frac = 1;
			break;
		case OPT_EVAL:
			eval = 1;
			break;
		case OPT_PREDICT:
			mpath = optarg;
			break;
		case OPT_FIELD:
			field = optarg;
			break;
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (mpath != NULL) {
		if (o.label || eval || o.split_col || has_frac || o.features ||
		    o.numeric || o.nbuckets || o.hash_size || o.ignore)
			run_usage_error(&r, "--predict takes the columns from "
			    "the model: no training options");
		rc = predict(&r, mpath, field, argv, argc);
		free(o.buckets);
		return rc;
	}
	if (o.label == NULL)
		run_usage_error(&r, "no label: give --label COL");
	if (o.split_col != NULL && has_frac)
		run_usage_error(&r, "--split-column and --test-fraction are "
		    "exclusive");
	if (r.out_format == RUN_FMT_CSV)
		run_usage_error(&r, "--csv goes with --predict");
	for (i = 0; i < o.nbuckets; i++) {
		size_t j;

		for (j = 0; j < o.nnumeric; j++)
			if (strcmp(o.numeric[j], o.buckets[i].col) == 0)
				run_usage_error(&r, "column \"%s\" is both "
				    "numeric and bucketed", o.numeric[j]);
	}

	if ((rc = run_start(&r)) != 0)
		return diag_finish(rc);
	rc = lrtab_read(&t, &o, &r, argv, argc);
	if (rc == 0) {
		sel = xcalloc(t.rows.nrows ? t.rows.nrows : 1, sizeof(*sel));
		for (i = 0; i < t.rows.nrows; i++)
			if (!lrtab_is_test(&t, i, 0)) {
				sel[ntrain++] = i;
				pos += t.rows.y[i] > 0;
			}
		if (ntrain == 0) {
			diag_warn("no training rows");
			run_fail(&r, EX_DATAERR);
		} else {
			lp.sel = sel;
			lp.nsel = ntrain;
			if (lr_train(&t.rows, lr_fmap_size(t.fmap), &lp, &lm,
			    err, sizeof(err)) != 0) {
				diag_warn("%s", err);
				run_fail(&r, EX_SOFTWARE);
			} else
				trained = 1;
		}
	}
	if (trained) {
		ntest = t.rows.nrows - ntrain;
		rate = (double)pos / (double)ntrain;
		if (!eval || r.output != NULL) {
			train = json_pack("{s:f,s:f,s:I,s:I,s:I,s:i,s:b}",
			    "C", lp.C, "eps", lp.eps,
			    "rows", (json_int_t)ntrain,
			    "positives", (json_int_t)pos,
			    "features", (json_int_t)lr_fmap_size(t.fmap),
			    "iterations", lm.iters, "converged", lm.converged);
			lrm_write(&r.out.b, o.label, t.cols, t.ncols, t.fmap,
			    &lm, train);
			json_decref(train);
		}
		if (eval) {
			struct buf b = { 0 };
			size_t n;

			evaluate(&t, &lm, ntest > 0, rate, &n, &auc, &ll, &bll,
			    &auc_ok);
			buf_printf(&b, "{\"rows_train\":%zu,\"rows_test\":%zu,"
			    "\"auc\":", ntrain, ntest);
			if (auc_ok)
				jw_real(&b, auc);
			else
				buf_adds(&b, "null");
			buf_adds(&b, ",\"logloss\":");
			jw_real(&b, ll);
			buf_adds(&b, ",\"base_logloss\":");
			jw_real(&b, bll);
			buf_adds(&b, "}\n");
			if (r.output != NULL) {
				evfp = stdout;
				fwrite(b.p, 1, b.len, evfp);
			} else
				buf_add(&r.out.b, b.p, b.len);
			buf_free(&b);
		}
		snprintf(extra, sizeof(extra), "train %zu, test %zu, features "
		    "%lu, iterations %d%s", ntrain, ntest,
		    (unsigned long)lr_fmap_size(t.fmap), lm.iters,
		    lm.converged ? "" : " (not converged)");
		lr_model_free(&lm);
	} else
		snprintf(extra, sizeof(extra), "no model");
	rc = run_finish(&r, 1, extra);
	lrtab_free(&t);
	free(sel);
	free(o.features);
	free(o.ignore);
	free(o.numeric);
	for (i = 0; i < o.nbuckets; i++)
		free(o.buckets[i].edges);
	free(o.buckets);
	return rc;
}
