/*
 * tagctr-build: the hourly tag-CTR matrix from request/click logs.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "diag.h"
#include "line.h"
#include "out.h"
#include "rin.h"
#include "run.h"
#include "tagctr.h"
#include "tcdim.h"
#include "tcline.h"
#include "tcstate.h"
#include "wilson.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: tagctr-build [-hVv] [--combine counts|bounds] [--confidence LEVEL]\n"
"                    [--csv] [--dims LIST] [--emit-counts] [--from-counts]\n"
"                    [--map ATTR=FILE] [--materials FILE] [--no-dayparts]\n"
"                    [--no-material-tag] [--now TS] [-o FILE]\n"
"                    [--pool-similar T] [--rejects FILE] [-S SIZE]\n"
"                    [--similarity ATTR] [--skip-bad] [--state DIR]\n"
"                    [--weights LIST] [--weights-file FILE] [--window DUR]\n"
"                    [--windows W] [-z Z] [file ...]";

static const char help[] =
"Builds the tag click-through-rate matrix of tag-CTR log lines.\n"
"\n"
"  --now TS               end of the newest window (default: the start of\n"
"                         the hour after the newest ts read)\n"
"  --window DUR           window length: 3600, 90m, 6h, 1d (default 1d)\n"
"  --windows W            number of windows (default 5)\n"
"  --weights LIST         window weights, newest first (default (W-i+1)/W)\n"
"  --combine counts|bounds  weight the counts (default) or the bounds\n"
"  -z Z, --confidence L   Wilson z (default 2) or a two-sided level\n"
"  --dims LIST            the attributes used as dimensions (default all)\n"
"  --no-dayparts          keep hours as they are (default: 4 day parts)\n"
"  --map ATTR=FILE        merge ATTR's values by a CSV mapping from,to\n"
"  --materials FILE       material tags (NDJSON or CSV: material,tags)\n"
"  --no-material-tag      no material:<id> identity tag\n"
"  --weights-file FILE    write the dimension weights there\n"
"  --state DIR            hourly state: add the input's hours, drop old ones\n"
"  --emit-counts          write mergeable count records (map step)\n"
"  --from-counts          read count records (reduce step)\n"
"  --similarity ATTR      write the channel-pair cosine similarities\n"
"  --pool-similar T       pool channels with similarity >= T (with\n"
"                         --similarity ATTR)\n"
"  -S, --buffer-size SIZE records kept in memory before spilling (64M)\n"
"  --csv                  write CSV with a header instead of NDJSON\n"
"  --input-format FMT     auto (by name: .csv, .csv.gz), ndjson or csv\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          summary and dimension weights on stderr\n"
"  --progress             show progress on stderr\n"
"  -h, --help, -V, --version\n"
"\n"
"See tagctr-build(1) and adsig(7).\n";

enum {
	OPT_NOW = RUN_OPT_TOOL, OPT_WINDOW, OPT_WINDOWS, OPT_WEIGHTS,
	OPT_COMBINE, OPT_CONF, OPT_DIMS, OPT_NODAYPARTS, OPT_MAP, OPT_MATERIALS,
	OPT_NOMTAG, OPT_WFILE, OPT_STATE, OPT_EMIT, OPT_FROM, OPT_SIM, OPT_POOL
};

static size_t
parse_size(struct run *r, const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || errno != 0)
		run_usage_error(r, "-S: \"%s\" is not a size", arg);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end != '\0' || v < (1 << 16))
		run_usage_error(r, "-S: \"%s\" is not a size of 64K or more",
		    arg);
	return (size_t)v;
}

static long long
gcd(long long a, long long b)
{
	if (a < 0)
		a = -a;
	if (b < 0)
		b = -b;
	while (b != 0) {
		long long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

struct maparg {
	char	*attr;
	char	*path;
};

/* Reads the log lines of the operands into t. */
static void
read_logs(struct run *r, struct tc *t, char **paths, int npaths)
{
	struct rin in;
	struct tcl_raw raw;
	struct tcl_rec rec;
	const char *why;
	char msg[512];
	int rc;

	memset(&raw, 0, sizeof(raw));
	memset(&rec, 0, sizeof(rec));
	rin_init(&in, r, paths, npaths);
	in.lazy = 1;
	while ((rc = rin_next(&in)) == 1) {
		if (in.obj == NULL) {
			if (tcl_scan_fast(&raw, in.raw, in.rawlen) != 0) {
				if ((rc = rin_parse(&in)) == 1)
					continue;
				if (rc == -1)
					break;
				tcl_scan_json(&raw, in.obj);
			}
		} else if (in.is_csv)
			tcl_scan_csv(&raw, in.obj);
		else
			tcl_scan_json(&raw, in.obj);
		if ((why = tcl_check(&raw, &rec, msg, sizeof(msg))) == NULL)
			why = tc_add_line(t, &rec);
		if (why != NULL) {
			if (run_bad(r, in.file, in.line, in.raw, in.rawlen, "%s",
			    why) != 0)
				break;
			continue;
		}
		r->used++;
	}
	rin_close(&in);
	tcl_raw_free(&raw);
	tcl_rec_free(&rec);
}

/* Reads count records (--from-counts) of the operands into t. */
static void
read_counts(struct run *r, struct tc *t, char **paths, int npaths)
{
	struct rin in;
	struct tc_crec c;
	const char *why;
	char msg[512];
	int rc;

	rin_init(&in, r, paths, npaths);
	while ((rc = rin_next(&in)) == 1) {
		if ((why = tc_crec_parse(in.obj, in.is_csv, &c, msg,
		    sizeof(msg))) == NULL)
			why = tc_add_counts(t, &c);
		if (why != NULL) {
			if (run_bad(r, in.file, in.line, in.raw, in.rawlen, "%s",
			    why) != 0)
				break;
			continue;
		}
		r->used++;
	}
	rin_close(&in);
}

/* Reads one state file into t; any flaw is an error (65 or 74). */
static int
read_state_file(struct tc *t, const char *path)
{
	struct line_reader lr;
	struct tc_crec c;
	json_error_t je;
	json_t *obj;
	const char *why;
	char *line, msg[512];
	size_t len;
	int rc, ex = 0;

	if (line_open(&lr, path) == -1) {
		diag_warn("%s: %s", path, strerror(errno));
		return EX_NOINPUT;
	}
	while ((rc = line_next(&lr, &line, &len)) == 1) {
		if (len == 0)
			continue;
		if ((obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)) ==
		    NULL || !json_is_object(obj)) {
			diag_at(path, lr.lineno, "not a count record");
			json_decref(obj);
			ex = EX_DATAERR;
			break;
		}
		if ((why = tc_crec_parse(obj, 0, &c, msg, sizeof(msg))) ==
		    NULL)
			why = tc_add_counts(t, &c);
		json_decref(obj);
		if (why != NULL) {
			diag_at(path, lr.lineno, "%s", why);
			ex = EX_DATAERR;
			break;
		}
	}
	if (rc == -1) {
		diag_at(path, lr.lineno + 1, "%s", line_error(&lr));
		ex = EX_DATAERR;
	}
	line_close(&lr);
	return ex;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "now",             required_argument, NULL, OPT_NOW },
		{ "window",          required_argument, NULL, OPT_WINDOW },
		{ "windows",         required_argument, NULL, OPT_WINDOWS },
		{ "weights",         required_argument, NULL, OPT_WEIGHTS },
		{ "combine",         required_argument, NULL, OPT_COMBINE },
		{ "z",               required_argument, NULL, 'z' },
		{ "confidence",      required_argument, NULL, OPT_CONF },
		{ "dims",            required_argument, NULL, OPT_DIMS },
		{ "no-dayparts",     no_argument,       NULL, OPT_NODAYPARTS },
		{ "map",             required_argument, NULL, OPT_MAP },
		{ "materials",       required_argument, NULL, OPT_MATERIALS },
		{ "no-material-tag", no_argument,       NULL, OPT_NOMTAG },
		{ "weights-file",    required_argument, NULL, OPT_WFILE },
		{ "state",           required_argument, NULL, OPT_STATE },
		{ "emit-counts",     no_argument,       NULL, OPT_EMIT },
		{ "from-counts",     no_argument,       NULL, OPT_FROM },
		{ "similarity",      required_argument, NULL, OPT_SIM },
		{ "pool-similar",    required_argument, NULL, OPT_POOL },
		{ "buffer-size",     required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct tc_opts o;
	struct tc_dims dims;
	struct tc_mats mats;
	struct tc_state st;
	struct tc_sink sink;
	struct out wout;
	struct run r;
	struct tc *t = NULL, *t2 = NULL;
	struct maparg *maps = NULL;
	const char *materials = NULL, *wfile = NULL, *statedir = NULL;
	char extra[256], *s, *tok, *save;
	size_t nmaps = 0, i;
	int ch, rc, nw_given = 0, from = 0, z_set = 0, conf_set = 0, wopen = 0;
	int nweights = 0, state_open = 0;
	double now_d;

	memset(&o, 0, sizeof(o));
	memset(&dims, 0, sizeof(dims));
	memset(&mats, 0, sizeof(mats));
	memset(&wout, 0, sizeof(wout));
	wout.fd = -1;
	o.nwin = 5;
	o.window = 86400;
	o.z = 2;
	o.material_tag = 1;
	o.budget = 64u << 20;
	dims.dayparts = 1;
	run_init(&r, argv[0], synopsis, help);
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS "z:S:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_NOW:
			if (tcl_parse_time(optarg, strlen(optarg), &now_d) != 0 ||
			    now_d != floor(now_d) || fabs(now_d) > 1e13)
				run_usage_error(&r, "--now: \"%s\" is not a time "
				    "in whole seconds", optarg);
			o.has_now = 1;
			o.now = (long long)now_d;
			break;
		case OPT_WINDOW:
			if ((o.window = tc_parse_duration(optarg)) <= 0)
				run_usage_error(&r, "--window: \"%s\" is not a "
				    "duration (3600, 90m, 6h, 1d)", optarg);
			break;
		case OPT_WINDOWS:
			o.nwin = (int)run_real(&r, "--windows", optarg);
			if (o.nwin < 1 || o.nwin > TC_MAXW ||
			    (double)o.nwin != strtod(optarg, NULL))
				run_usage_error(&r, "--windows: must be a whole "
				    "number from 1 to %d", TC_MAXW);
			nw_given = 1;
			break;
		case OPT_WEIGHTS:
			s = xstrdup(optarg);
			nweights = 0;
			for (tok = strtok_r(s, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				if (nweights == TC_MAXW)
					run_usage_error(&r, "--weights: more "
					    "than %d windows", TC_MAXW);
				o.w[nweights] = run_real(&r, "--weights",
				    tok);
				if (o.w[nweights] < 0)
					run_usage_error(&r, "--weights: must "
					    "not be negative");
				nweights++;
			}
			free(s);
			if (nweights == 0)
				run_usage_error(&r, "--weights: no weights");
			break;
		case OPT_COMBINE:
			if (strcmp(optarg, "counts") == 0)
				o.bounds = 0;
			else if (strcmp(optarg, "bounds") == 0)
				o.bounds = 1;
			else
				run_usage_error(&r, "--combine: \"%s\" is not "
				    "counts or bounds", optarg);
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
		case OPT_DIMS:
			s = xstrdup(optarg);
			for (tok = strtok_r(s, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				dims.only = xreallocarray(dims.only,
				    dims.nonly + 1, sizeof(*dims.only));
				dims.only[dims.nonly++] = xstrdup(tok);
			}
			free(s);
			if (dims.only == NULL)
				run_usage_error(&r, "--dims: no attributes");
			break;
		case OPT_NODAYPARTS:
			dims.dayparts = 0;
			break;
		case OPT_MAP:
			if ((s = strchr(optarg, '=')) == NULL || s == optarg ||
			    s[1] == '\0')
				run_usage_error(&r, "--map: \"%s\" is not "
				    "ATTR=FILE", optarg);
			maps = xreallocarray(maps, nmaps + 1, sizeof(*maps));
			maps[nmaps].attr = xstrndup(optarg,
			    (size_t)(s - optarg));
			maps[nmaps++].path = s + 1;
			break;
		case OPT_MATERIALS:
			materials = optarg;
			break;
		case OPT_NOMTAG:
			o.material_tag = 0;
			break;
		case OPT_WFILE:
			wfile = optarg;
			break;
		case OPT_STATE:
			statedir = optarg;
			break;
		case OPT_EMIT:
			o.emit = 1;
			break;
		case OPT_FROM:
			from = 1;
			break;
		case OPT_SIM:
			o.sim_attr = optarg;
			break;
		case OPT_POOL:
			o.pool_t = run_real(&r, "--pool-similar", optarg);
			o.pool = 1;
			break;
		case 'S':
			o.budget = parse_size(&r, optarg);
			break;
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	if (z_set && conf_set)
		run_usage_error(&r, "-z and --confidence are exclusive");
	if (nweights > 0) {
		if (nw_given && nweights != o.nwin)
			run_usage_error(&r, "--weights: %d weights for %d "
			    "windows", nweights, o.nwin);
		o.nwin = nweights;
	} else
		for (i = 0; i < (size_t)o.nwin; i++)
			o.w[i] = (double)(o.nwin - (int)i) / o.nwin;
	for (i = 0; i < (size_t)o.nwin && o.w[i] == 0; i++)
		;
	if (i == (size_t)o.nwin)
		run_usage_error(&r, "--weights: all weights are 0");
	if (o.pool && o.sim_attr == NULL)
		run_usage_error(&r, "--pool-similar needs --similarity ATTR");
	if (o.emit && o.sim_attr != NULL)
		run_usage_error(&r, "--emit-counts writes counts, not "
		    "similarities");
	if (statedir != NULL) {
		if (o.emit || from)
			run_usage_error(&r, "--state reads logs and writes the "
			    "matrix (no --emit-counts, --from-counts)");
		if (o.window % 3600 != 0)
			run_usage_error(&r, "--state needs a window of whole "
			    "hours");
		if (o.has_now && o.now % 3600 != 0)
			run_usage_error(&r, "--state needs --now on an hour "
			    "boundary");
	}
	if (wfile != NULL && o.emit)
		run_usage_error(&r, "--weights-file: --emit-counts writes no "
		    "weights");
	if (from && (nmaps > 0 || materials != NULL || dims.only != NULL ||
	    !dims.dayparts || !o.material_tag))
		run_usage_error(&r, "--from-counts: values were merged and "
		    "tagged by the map step (no --map, --materials, --dims, "
		    "--no-dayparts, --no-material-tag)");
	/* count buckets: whole within every window of any --now on this grid */
	o.span = gcd(3600, o.window);
	if (o.has_now)
		o.span = gcd(o.span, o.now);
	o.csv = r.out_format == RUN_FMT_CSV;
	o.verbose = r.verbose;
	argc -= optind;
	argv += optind;

	if ((rc = run_start(&r)) != 0)
		return diag_finish(rc);
	if (wfile != NULL) {
		if ((rc = out_open(&wout, wfile)) != 0) {
			run_fail(&r, rc);
			goto done;
		}
		wopen = 1;
	}
	if (statedir != NULL) {
		/* the hourly job's matrix: on disk before it replaces the
		 * last one, as the state is (adsig(7)) */
		r.out.durable = 1;
		wout.durable = 1;
		if ((rc = tcs_open(&st, statedir)) != 0) {
			state_open = 1;
			run_fail(&r, rc);
			goto done;
		}
		state_open = 1;
	}
	for (i = 0; i < nmaps && r.status == 0; i++)
		if ((rc = tc_dims_add_map(&dims, &r, maps[i].attr,
		    maps[i].path)) != 0)
			run_fail(&r, rc);
	if (materials != NULL && r.status == 0 &&
	    (rc = tc_mats_load(&mats, &r, materials)) != 0)
		run_fail(&r, rc);
	if (r.status != 0)
		goto done;

	memset(&sink, 0, sizeof(sink));
	sink.main = &r.out;
	sink.weights = wopen ? &wout : NULL;
	if (statedir == NULL) {
		t = tc_new(&o, &dims, &mats);
		if (from)
			read_counts(&r, t, argv, argc);
		else
			read_logs(&r, t, argv, argc);
		if (r.status == 0)
			run_fail(&r, tc_finish(t, &sink));
	} else {
		/* 1: this run's hours, as count files */
		struct tc_opts o1 = o;
		struct tc_sink s1;
		long long *hours, keep_from, now;
		char **paths;
		size_t nh;

		o1.emit = 1;
		o1.span = 3600;
		o1.sim_attr = NULL;
		o1.pool = 0;
		o1.csv = 0;
		t = tc_new(&o1, &dims, &mats);
		read_logs(&r, t, argv, argc);
		if (r.status != 0)
			goto done;
		memset(&s1, 0, sizeof(s1));
		s1.main = &r.out;
		s1.bucket_row = tcs_row;
		s1.ctx = &st;
		if ((rc = tc_finish(t, &s1)) != 0 ||
		    (rc = tcs_close_new(&st)) != 0) {
			run_fail(&r, rc);
			goto done;
		}
		/* 2: the matrix from the state as it will be */
		nh = tcs_hours(&st, &hours, &paths);
		now = o.has_now ? o.now : nh > 0 ? hours[nh - 1] + 3600 : 0;
		keep_from = now - (long long)o.nwin * o.window;
		o.has_now = 1;
		o.now = now;
		t2 = tc_new(&o, &dims, &mats);
		for (i = 0; i < nh; i++) {
			if (hours[i] >= keep_from && r.status == 0)
				run_fail(&r, read_state_file(t2, paths[i]));
			free(paths[i]);
		}
		free(paths);
		free(hours);
		if (r.status == 0)
			run_fail(&r, tc_finish(t2, &sink));
		if (r.status == 0)
			run_fail(&r, tcs_commit(&st, keep_from));
	}
done:
	if (wopen) {
		if (r.status == 0) {
			if ((rc = out_commit(&wout)) != 0)
				run_fail(&r, rc);
		} else
			out_abort(&wout);
	}
	if (state_open)
		tcs_close(&st);
	snprintf(extra, sizeof(extra), "rows %lu, outside the windows %lu, "
	    "values not in a mapping %lu", t2 ? tc_rows(t2) : t ? tc_rows(t) :
	    0, t2 ? tc_outside(t2) : t ? tc_outside(t) : 0, dims.unmapped);
	tc_free(t);
	tc_free(t2);
	tc_dims_free(&dims);
	tc_mats_free(&mats);
	for (i = 0; i < nmaps; i++)
		free(maps[i].attr);
	free(maps);
	for (i = 0; i < dims.nonly; i++)
		free(dims.only[i]);
	free(dims.only);
	return run_finish(&r, 1, extra);
}
