/*
 * wilson: append Wilson score bounds to records carrying counts.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csvio.h"
#include "diag.h"
#include "jfast.h"
#include "jw.h"
#include "pmap.h"
#include "rin.h"
#include "run.h"
#include "wilson.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: wilson [-hVv] [--both | --upper] [--csv] [--confidence LEVEL]\n"
"              [-j THREADS] [-k FIELD] [--lower-field NAME] [-n FIELD] [-o FILE]\n"
"              [--rejects FILE] [--skip-bad] [--upper-field NAME] [-z Z]\n"
"              [file ...]";

static const char help[] =
"Appends the Wilson lower bound of k successes in n trials to each record.\n"
"\n"
"  -k, --k FIELD          successes field (default k; dotted paths a.b work)\n"
"  -n, --n FIELD          trials field (default n)\n"
"  -z Z                   normal quantile (default 2)\n"
"  --confidence LEVEL     two-sided level, sets z (0.95 -> 1.959964)\n"
"  --upper                write the upper bound instead of the lower\n"
"  --both                 write both bounds\n"
"  --lower-field NAME     name of the lower bound field (wilson_lower)\n"
"  --upper-field NAME     name of the upper bound field (wilson_upper)\n"
"  --csv                  write CSV with a header instead of NDJSON\n"
"  -j, --threads N        worker threads (default: the number of CPUs)\n"
"  --input-format FMT     auto (by name: .csv, .csv.gz), ndjson or csv\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          print the closing summary always\n"
"  --progress             show progress on stderr\n"
"  -h, --help, -V, --version\n"
"\n"
"See wilson(1) and adsig(7).\n";

enum { OPT_BOTH = RUN_OPT_TOOL, OPT_UPPER, OPT_CONF, OPT_LOWERF, OPT_UPPERF };

struct opts {
	const char	*kfield, *nfield;
	const char	*lower_name, *upper_name;
	double		 z;
	int		 lower, upper;
	int		 csv_out;
	struct csvw	 cw;
};

/* A CSV cell as a number: decimal notation only (no hex, inf, nan). */
static int
csv_number(const char *s, double *out)
{
	const char *p;
	char *end;

	for (p = s; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p) && strchr("+-.eE", *p) == NULL)
			return -1;
	errno = 0;
	*out = strtod(s, &end);
	return end == s || *end != '\0' || errno == ERANGE ? -1 : 0;
}

/* Fills *out with the count at field; NULL or the reason it is bad. */
static const char *
count(json_t *obj, const char *field, int from_csv, double *out, char *msg,
    size_t msglen)
{
	json_t *v;

	if ((v = rin_lookup(obj, field)) == NULL) {
		snprintf(msg, msglen, "no count field \"%s\"", field);
		return msg;
	}
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return NULL;
	}
	if (from_csv && json_is_string(v) &&
	    csv_number(json_string_value(v), out) == 0)
		return NULL;
	snprintf(msg, msglen, "count field \"%s\" is not a number", field);
	return msg;
}

static int
put_bound(json_t *obj, const char *name, double v)
{
	return json_object_set_new(obj, name, json_real(v));
}

/* One record through the jansson path; returns 0, or the bad-record reason. */
static const char *
one(struct opts *o, struct rin *in, char *msg, size_t msglen)
{
	const char *why;
	double k, n;

	if ((why = count(in->obj, o->kfield, in->is_csv, &k, msg, msglen)) ||
	    (why = count(in->obj, o->nfield, in->is_csv, &n, msg, msglen)))
		return why;
	if ((why = wilson_check(k, n)) != NULL)
		return why;
	if (o->lower)
		put_bound(in->obj, o->lower_name, wilson_lower(k, n, o->z));
	if (o->upper)
		put_bound(in->obj, o->upper_name, wilson_upper(k, n, o->z));
	return NULL;
}

/*
 * The fast path for canonical NDJSON lines (see jfast.h): the counts are
 * read by the narrow scanner and the bounds spliced in before the final
 * '}', which is byte for byte what the jansson path writes for such a
 * line.  Returns 1 when done, 0 to leave the line to the jansson path.
 * Runs on worker threads (pmap.h): it only reads o.
 */
static int
fast(const void *arg, const char *line, size_t len, struct buf *b)
{
	const struct opts *o = arg;
	struct jfast_num kn, nn;
	const char *keys[4];
	struct jfast_num *vals[2];
	size_t nkeys = 0;
	double lo = 0, hi = 0;

	if (o->csv_out)
		return 0;
	keys[nkeys++] = o->kfield;
	keys[nkeys++] = o->nfield;
	if (o->lower)
		keys[nkeys++] = o->lower_name;
	if (o->upper)
		keys[nkeys++] = o->upper_name;
	vals[0] = &kn;
	vals[1] = &nn;
	if (jfast_flat_numbers(line, len, keys, nkeys, vals, 2) != 0)
		return 0;
	if (wilson_check(kn.v, nn.v) != NULL)
		return 0;		/* the jansson path reports it */
	if (o->lower)
		lo = wilson_lower(kn.v, nn.v, o->z);
	if (o->upper)
		hi = wilson_upper(kn.v, nn.v, o->z);
	buf_add(b, line, len - 1);
	if (len > 2)
		buf_addc(b, ',');
	if (o->lower) {
		jw_string(b, o->lower_name, strlen(o->lower_name));
		buf_addc(b, ':');
		jw_real(b, lo);
		if (o->upper)
			buf_addc(b, ',');
	}
	if (o->upper) {
		jw_string(b, o->upper_name, strlen(o->upper_name));
		buf_addc(b, ':');
		jw_real(b, hi);
	}
	buf_add(b, "}\n", 2);
	return 1;
}

/* Everything the fast path declines: jansson, and the bad-record policy. */
static int
slow(void *arg, struct rin *in)
{
	struct opts *o = arg;
	struct run *r = in->run;
	const char *why, *badkey;
	char msg[256];
	int rc;

	if (in->obj == NULL && (rc = rin_parse(in)) != 0)
		return rc == 1 ? 0 : -1;
	if ((why = one(o, in, msg, sizeof(msg))) != NULL)
		return run_bad(r, in->file, in->line, in->raw, in->rawlen,
		    "%s", why) != 0 ? -1 : 0;
	if (o->csv_out) {
		if (csvw_record(&o->cw, &r->out.b, in->obj, &badkey) != 0)
			return run_bad(r, in->file, in->line, in->raw,
			    in->rawlen, "key \"%s\" is not a column of the "
			    "CSV output (the first record's keys)", badkey) != 0 ?
			    -1 : 0;
	} else {
		jw_value(&r->out.b, in->obj);
		buf_addc(&r->out.b, '\n');
	}
	r->wrote++;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "k",           required_argument, NULL, 'k' },
		{ "n",           required_argument, NULL, 'n' },
		{ "z",           required_argument, NULL, 'z' },
		{ "confidence",  required_argument, NULL, OPT_CONF },
		{ "upper",       no_argument,       NULL, OPT_UPPER },
		{ "both",        no_argument,       NULL, OPT_BOTH },
		{ "lower-field", required_argument, NULL, OPT_LOWERF },
		{ "upper-field", required_argument, NULL, OPT_UPPERF },
		{ "threads",     required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .kfield = "k", .nfield = "n",
	    .lower_name = "wilson_lower", .upper_name = "wilson_upper", .z = 2.0,
	    .lower = 1 };
	struct run r;
	struct rin in;
	int ch, rc, z_set = 0, conf_set = 0, threads;

	run_init(&r, argv[0], synopsis, help);
	threads = pmap_default_threads();
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS "j:k:n:z:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'j':
			threads = (int)run_integer(&r, "-j", optarg, 1, 64);
			break;
		case 'k':
			o.kfield = optarg;
			break;
		case 'n':
			o.nfield = optarg;
			break;
		case 'z':
			o.z = run_real(&r, "-z", optarg);
			if (o.z < 0)
				run_usage_error(&r, "-z: must not be negative");
			z_set = 1;
			break;
		case OPT_CONF:
			o.z = wilson_z_for_confidence(run_real(&r,
			    "--confidence", optarg));
			if (isnan(o.z))
				run_usage_error(&r, "--confidence: \"%s\" is not "
				    "a level in (0, 1)", optarg);
			conf_set = 1;
			break;
		case OPT_UPPER:
			o.lower = 0;
			o.upper = 1;
			break;
		case OPT_BOTH:
			o.lower = o.upper = 1;
			break;
		case OPT_LOWERF:
			o.lower_name = optarg;
			break;
		case OPT_UPPERF:
			o.upper_name = optarg;
			break;
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	if (z_set && conf_set)
		run_usage_error(&r, "-z and --confidence are exclusive");
	if (o.lower && o.upper && strcmp(o.lower_name, o.upper_name) == 0)
		run_usage_error(&r, "the lower and upper fields have one name");
	argc -= optind;
	argv += optind;

	if ((rc = run_start(&r)) != 0)
		return diag_finish(rc);
	rin_init(&in, &r, argv, argc);
	o.csv_out = r.out_format == RUN_FMT_CSV;
	csvw_init(&o.cw, NULL, 0);
	if (pmap_run(&in, threads, fast, slow, &o, &r.out) == -1)
		run_fail(&r, r.status ? r.status : EX_SOFTWARE);
	rin_close(&in);
	csvw_free(&o.cw);
	return run_finish(&r, 0, NULL);
}
