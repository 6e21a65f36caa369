/*
 * egress-ablate: how much model utility each bit of the egress payload
 * buys; the size/utility curve of DESIGN.md's ablation protocol.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "ablate.h"
#include "diag.h"
#include "egress.h"
#include "jw.h"
#include "lrtab.h"
#include "out.h"
#include "run.h"
#include "svg.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: egress-ablate [-hVv] [-C C] [--bits A=N,..] [--eps EPS]\n"
"                     [--features A,B,..] [--ignore A,..] [--numeric A,..]\n"
"                     [--repeats N] [--schema FILE] [--seed N] [--sizes N,..]\n"
"                     [--split-column COL | --test-fraction F] [--svg FILE]\n"
"                     [--threads N] [--utility auc|logloss] [--skip-bad]\n"
"                     -l COL [-o FILE] [file ...]";

static const char help[] =
"Runs the egress-size ablation: baseline, leave-one-out utility per bit,\n"
"an exact knapsack per payload size, a model per size, over repeats.\n"
"\n"
"  -l, --label COL        the label column\n"
"  --schema FILE          features are the schema's (columns f<i>, f<i>_<j>)\n"
"  --features A,B,..      features are these columns (default: all but\n"
"                         the label and the split column)\n"
"  --ignore A,..          columns left out of the default features\n"
"  --numeric A,..         numeric columns (the others are categorical)\n"
"  --bits A=N,..          bits of a column (default ceil(log2 cardinality))\n"
"  --sizes N,..           payload sizes in bits (default 5, 10, .. all)\n"
"  --utility auc|logloss  AUC - 0.5, or 1 - LL/LL_prior (default auc)\n"
"  --repeats N            random splits, for the error bars (default 3)\n"
"  --test-fraction F      test rows per split (default 0.25)\n"
"  --split-column COL     rows whose COL is \"test\" are the test set\n"
"  --seed N               reproducible splits\n"
"  -C C, --eps EPS        the trainer's, as pas-train(1) (1, 0.01)\n"
"  --threads N            models trained at once (default: the CPUs)\n"
"  --svg FILE             the curve as an SVG chart\n"
"  -o, --output FILE      the NDJSON rows (default stdout)\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          print the closing summary always\n"
"  -h, --help, -V, --version\n"
"\n"
"See egress-ablate(1).\n";

enum {
	OPT_FEATURES = RUN_OPT_TOOL, OPT_IGNORE, OPT_NUMERIC, OPT_SCHEMA,
	OPT_BITS, OPT_SIZES, OPT_UTILITY, OPT_REPEATS, OPT_TESTFRAC,
	OPT_SPLITCOL, OPT_EPS, OPT_THREADS, OPT_SVG
};

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ceil(log2(n)) for n >= 1. */
static uint32_t
log2_ceil(size_t n)
{
	uint32_t b = 0;

	while (b < 63 && ((size_t)1 << b) < n)
		b++;
	return b;
}

/* Distinct values of a plain-mode column (a blank counts as one). */
static size_t
cardinality(const struct lrtab *t, size_t c)
{
	const struct lr_rows *rw = &t->rows;
	uint32_t j, n = lr_fmap_size(t->fmap);
	size_t i, k, m = 0, card = 0, rows_with = 0;
	double *v;

	if (t->cols[c].kind != LRM_NUMERIC) {
		for (j = 0; j < n; j++)
			card += t->col_of[j] == c;
		return card;
	}
	v = xcalloc(rw->nrows ? rw->nrows : 1, sizeof(*v));
	for (i = 0; i < rw->nrows; i++)
		for (k = rw->rowptr[i]; k < rw->rowptr[i + 1]; k++)
			if (t->col_of[rw->idx[k]] == c) {
				v[m++] = rw->val[k];
				rows_with++;
			}
	qsort(v, m, sizeof(*v), cmp_double);
	for (i = 0; i < m; i++)
		card += i == 0 || v[i] != v[i - 1];
	free(v);
	return card + (rows_with < rw->nrows);
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
		{ "schema",        required_argument, NULL, OPT_SCHEMA },
		{ "bits",          required_argument, NULL, OPT_BITS },
		{ "sizes",         required_argument, NULL, OPT_SIZES },
		{ "utility",       required_argument, NULL, OPT_UTILITY },
		{ "repeats",       required_argument, NULL, OPT_REPEATS },
		{ "test-fraction", required_argument, NULL, OPT_TESTFRAC },
		{ "split-column",  required_argument, NULL, OPT_SPLITCOL },
		{ "eps",           required_argument, NULL, OPT_EPS },
		{ "threads",       required_argument, NULL, OPT_THREADS },
		{ "svg",           required_argument, NULL, OPT_SVG },
		{ NULL, 0, NULL, 0 }
	};
	struct lrtab_opts o;
	struct lrtab t;
	struct run r;
	struct egress_schema *schema = NULL;
	struct ablate_in ai;
	struct ablate_out ao;
	struct out svgout;
	struct svg_point *pts = NULL;
	struct buf lab = { 0 };
	char **bitsarg = NULL, **names = NULL, **labels = NULL;
	char *sizesarg = NULL, err[300], extra[160] = "";
	const char *spath = NULL, *svgpath = NULL;
	uint32_t *gbits = NULL, *sizes = NULL, *group_of = NULL, total = 0, j;
	size_t nbits = 0, ngroups = 0, nsizes = 0, i, k, g;
	int ch, rc, has_frac = 0, repeats = 3, have_out = 0;
	struct buf *b;

	memset(&o, 0, sizeof(o));
	memset(&ai, 0, sizeof(ai));
	memset(&t, 0, sizeof(t));
	memset(&svgout, 0, sizeof(svgout));
	svgout.fd = -1;
	o.test_fraction = 0.25;
	ai.C = 1;
	ai.eps = 0.01;
	ai.utility = ABLATE_AUC;
	ai.nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ai.nthreads < 1)
		ai.nthreads = 1;
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
		case OPT_SCHEMA:
			spath = optarg;
			break;
		case OPT_BITS:
			bitsarg = lrtab_split_list(optarg, &nbits);
			break;
		case OPT_SIZES:
			sizesarg = optarg;
			break;
		case OPT_UTILITY:
			if (strcmp(optarg, "auc") == 0)
				ai.utility = ABLATE_AUC;
			else if (strcmp(optarg, "logloss") == 0)
				ai.utility = ABLATE_LOGLOSS;
			else
				run_usage_error(&r, "--utility: \"%s\" is not auc "
				    "or logloss", optarg);
			break;
		case OPT_REPEATS:
			repeats = (int)run_integer(&r, "--repeats", optarg, 1,
			    1000);
			break;
		case OPT_TESTFRAC:
			o.test_fraction = run_real(&r, "--test-fraction",
			    optarg);
			if (!(o.test_fraction > 0 && o.test_fraction < 1))
				run_usage_error(&r, "--test-fraction: must be "
				    "in (0, 1)");
			has_frac = 1;
			break;
		case OPT_SPLITCOL:
			o.split_col = optarg;
			break;
		case 'C':
			ai.C = run_real(&r, "-C", optarg);
			if (!(ai.C > 0))
				run_usage_error(&r, "-C: must be positive");
			break;
		case OPT_EPS:
			ai.eps = run_real(&r, "--eps", optarg);
			if (!(ai.eps > 0))
				run_usage_error(&r, "--eps: must be positive");
			break;
		case OPT_THREADS:
			ai.nthreads = (int)run_integer(&r, "--threads", optarg,
			    1, 64);
			break;
		case OPT_SVG:
			svgpath = optarg;
			break;
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (o.label == NULL)
		run_usage_error(&r, "no label: give --label COL");
	if (o.split_col != NULL && has_frac)
		run_usage_error(&r, "--split-column and --test-fraction are "
		    "exclusive");
	if (o.split_col != NULL && repeats > 1)
		run_usage_error(&r, "--split-column gives one split: use "
		    "--repeats 1, or --test-fraction for repeats");
	if (spath != NULL && (o.features != NULL || nbits > 0))
		run_usage_error(&r, "--schema sets the features and their bits");
	if (r.out_format == RUN_FMT_CSV)
		run_usage_error(&r, "the rows are NDJSON only");
	if (sizesarg != NULL) {
		char **sv = lrtab_split_list(sizesarg, &nsizes);

		sizes = xcalloc(nsizes ? nsizes : 1, sizeof(*sizes));
		for (i = 0; i < nsizes; i++)
			sizes[i] = (uint32_t)run_integer(&r, "--sizes", sv[i],
			    0, 1UL << 20);
		free(sv);
		qsort(sizes, nsizes, sizeof(*sizes), cmp_u32);
	}
	o.nsplits = repeats;
	if (o.split_col != NULL)
		o.test_fraction = 0;

	if (spath != NULL) {
		if (access(spath, R_OK) != 0) {
			diag_warn("%s: %s", spath, strerror(errno));
			return diag_finish(EX_NOINPUT);
		}
		if (egress_schema_load(spath, &schema, err, sizeof(err)) != 0) {
			diag_warn("%s", err);
			return diag_finish(EX_DATAERR);
		}
		/* the columns are the schema's leaves */
		o.nfeatures = schema->nleaves;
		o.features = xcalloc(o.nfeatures ? o.nfeatures : 1,
		    sizeof(*o.features));
		for (k = 0; k < schema->nleaves; k++)
			o.features[k] = (char *)schema->leaves[k].name;
	}
	if ((rc = run_start(&r)) != 0)
		goto out;
	have_out = 1;
	if (svgpath != NULL && (rc = out_open(&svgout, svgpath)) != 0) {
		run_fail(&r, rc);
		goto finish;
	}
	if (lrtab_read(&t, &o, &r, argv, argc) != 0)
		goto finish;

	/* Feature groups, their names and bits. */
	if (schema != NULL) {
		ngroups = schema->nfeatures;
		names = xcalloc(ngroups ? ngroups : 1, sizeof(*names));
		gbits = xcalloc(ngroups ? ngroups : 1, sizeof(*gbits));
		for (g = 0; g < ngroups; g++) {
			names[g] = xmalloc(24);
			snprintf(names[g], 24, "f%zu", g);
			gbits[g] = (uint32_t)egress_feature_bits(schema, g);
		}
	} else {
		ngroups = t.ncols;
		names = xcalloc(ngroups ? ngroups : 1, sizeof(*names));
		gbits = xcalloc(ngroups ? ngroups : 1, sizeof(*gbits));
		for (g = 0; g < ngroups; g++) {
			names[g] = xstrdup(t.cols[g].name);
			gbits[g] = log2_ceil(cardinality(&t, g));
		}
		for (i = 0; i < nbits; i++) {
			char *eq = strchr(bitsarg[i], '=');
			long c;

			if (eq == NULL)
				run_usage_error(&r, "--bits: want COL=N");
			*eq = '\0';
			if ((c = lrtab_col(&t, bitsarg[i])) < 0) {
				diag_warn("--bits: \"%s\" is not a feature "
				    "column", bitsarg[i]);
				run_fail(&r, EX_USAGE);
				goto finish;
			}
			gbits[c] = (uint32_t)run_integer(&r, "--bits", eq + 1,
			    0, 1UL << 20);
		}
	}
	group_of = xcalloc(lr_fmap_size(t.fmap) + 1, sizeof(*group_of));
	for (j = 0; j < lr_fmap_size(t.fmap); j++)
		group_of[j] = schema != NULL ?
		    (uint32_t)schema->leaves[t.col_of[j]].feature : t.col_of[j];
	for (g = 0; g < ngroups; g++)
		total += gbits[g];
	if (sizes == NULL) {
		for (j = 5; j < total; j += 5) {
			sizes = xreallocarray(sizes, nsizes + 1, sizeof(*sizes));
			sizes[nsizes++] = j;
		}
		sizes = xreallocarray(sizes, nsizes + 1, sizeof(*sizes));
		sizes[nsizes++] = total;
	}

	ai.rows = &t.rows;
	ai.nfeat = lr_fmap_size(t.fmap);
	ai.group_of = group_of;
	ai.ngroups = ngroups;
	ai.bits = gbits;
	ai.test = t.test;
	ai.nsplits = t.nsplits;
	ai.sizes = sizes;
	ai.nsizes = nsizes;
	if (ablate_run(&ai, &ao, err, sizeof(err)) != 0) {
		diag_warn("%s", err);
		run_fail(&r, EX_DATAERR);
		goto finish;
	}

	b = &r.out.b;
	buf_adds(b, "{\"step\":\"baseline\",\"utility\":");
	jw_real(b, ao.base_utility);
	buf_adds(b, ",\"sd\":");
	jw_real(b, ao.base_sd);
	buf_printf(b, ",\"repeats\":%d}\n", t.nsplits);
	for (g = 0; g < ngroups; g++) {
		buf_adds(b, "{\"step\":\"drop\",\"feature\":");
		jw_string(b, names[g], strlen(names[g]));
		buf_printf(b, ",\"bits\":%lu,\"utility\":", (unsigned long)gbits[g]);
		jw_real(b, ao.drop_utility[g]);
		buf_adds(b, ",\"utility_per_bit\":");
		if (gbits[g] > 0)
			jw_real(b, (ao.base_utility - ao.drop_utility[g]) /
			    gbits[g]);
		else
			buf_adds(b, "null");
		buf_adds(b, "}\n");
	}
	pts = xcalloc(nsizes ? nsizes : 1, sizeof(*pts));
	labels = xcalloc(nsizes ? nsizes : 1, sizeof(*labels));
	for (k = 0; k < nsizes; k++) {
		struct ablate_size *z = &ao.sizes[k];

		buf_printf(b, "{\"step\":\"size\",\"bits\":%lu,\"features\":[",
		    (unsigned long)z->bits);
		lab.len = 0;
		buf_add(&lab, "", 0);
		for (i = 0; i < z->ngroups; i++) {
			if (i) {
				buf_addc(b, ',');
				buf_addc(&lab, ',');
			}
			jw_string(b, names[z->groups[i]],
			    strlen(names[z->groups[i]]));
			buf_adds(&lab, names[z->groups[i]]);
		}
		buf_printf(b, "],\"payload_bits\":%lu,\"utility\":",
		    (unsigned long)z->used_bits);
		jw_real(b, z->utility);
		buf_adds(b, ",\"pct_of_baseline\":");
		jw_real(b, z->pct);
		buf_adds(b, ",\"sd\":");
		jw_real(b, z->sd);
		buf_adds(b, "}\n");
		labels[k] = xstrdup(z->ngroups ? lab.p : "(none)");
		pts[k].x = z->bits;
		pts[k].y = z->pct;
		pts[k].err = z->sd;
		pts[k].label = labels[k];
	}
	if (svgpath != NULL) {
		char title[200];

		snprintf(title, sizeof(title), "Model utility (%s) by egress "
		    "payload size, %d repeat%s", ai.utility == ABLATE_AUC ?
		    "AUC - 0.5" : "1 - LL/LL_prior", t.nsplits,
		    t.nsplits == 1 ? "" : "s");
		svg_curve(&svgout.b, pts, nsizes, title, "payload size (bits)",
		    "% of baseline utility (all features)", 100);
	}
	snprintf(extra, sizeof(extra), "features %zu, bits %lu, models %lu",
	    ngroups, (unsigned long)total, ao.models);
	ablate_out_free(&ao, nsizes);
finish:
	if (svgpath != NULL && svgout.fd != -1) {
		if (r.status == 0) {
			if ((rc = out_commit(&svgout)) != 0)
				run_fail(&r, rc);
		} else
			out_abort(&svgout);
	}
	rc = run_finish(&r, 1, r.status == 0 ? extra : NULL);
	goto freeall;
out:
	rc = diag_finish(rc);
freeall:
	(void)have_out;
	for (g = 0; g < ngroups; g++)
		free(names[g]);
	for (k = 0; labels != NULL && k < nsizes; k++)
		free(labels[k]);
	free(labels);
	free(names);
	free(pts);
	free(gbits);
	free(group_of);
	free(sizes);
	free(bitsarg);
	buf_free(&lab);
	lrtab_free(&t);
	free(o.features);
	free(o.ignore);
	free(o.numeric);
	egress_schema_free(schema);
	return rc;
}
