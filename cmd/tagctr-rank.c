/*
 * tagctr-rank: the ad material with the best expected response, per
 * request, from a tag-CTR matrix.
 */
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
#include "rin.h"
#include "run.h"
#include "tcdim.h"
#include "tcline.h"
#include "tcrank.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: tagctr-rank [-hVv] [--csv] [-k N] -m MATRIX [--map ATTR=FILE]\n"
"                   [--materials FILE] [--no-dayparts] [--no-material-tag]\n"
"                   [-o FILE] [--rejects FILE] [--skip-bad]\n"
"                   [--weights-file FILE] [file ...]";

static const char help[] =
"Ranks the candidate materials of each request by the tag-CTR matrix.\n"
"\n"
"  -m, --matrix FILE      the matrix of tagctr-build (NDJSON or CSV)\n"
"  --weights-file FILE    dimension weights, when not in the matrix file\n"
"  --materials FILE       material tags (NDJSON or CSV: material,tags)\n"
"  -k N                   scores to write per request (default 3)\n"
"  --map ATTR=FILE        merge ATTR's values as tagctr-build did\n"
"  --no-dayparts          hours as they are (as tagctr-build --no-dayparts)\n"
"  --no-material-tag      materials without their material:<id> tag\n"
"  --csv                  write CSV with a header instead of NDJSON\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          print the closing summary always\n"
"  --progress             show progress on stderr\n"
"  -h, --help, -V, --version\n"
"\n"
"See tagctr-rank(1) and adsig(7).\n";

enum { OPT_MAP = RUN_OPT_TOOL, OPT_MATERIALS, OPT_NODAYPARTS, OPT_NOMTAG,
	OPT_WFILE };

struct req {
	struct tcl_str	 channel, plan;
	struct tcl_str	*akey, *aval, *cand;
	size_t		 nattr, capattr, ncand, capcand;
	long		 hascand;
	char		(*num)[40];
};

static const char *
id_of(json_t *v, const char *name, struct tcl_str *out, char *num,
    char *msg, size_t msglen)
{
	if (json_is_string(v)) {
		out->p = json_string_value(v);
		out->n = json_string_length(v);
		return NULL;
	}
	if (json_is_integer(v)) {
		out->n = (size_t)snprintf(num, 40, "%lld",
		    (long long)json_integer_value(v));
		out->p = num;
		return NULL;
	}
	snprintf(msg, msglen, v == NULL ? "no \"%s\" field" :
	    "\"%s\" must be a string or an integer", name);
	return msg;
}

static const char *
parse_req(json_t *o, struct req *q, char *msg, size_t msglen)
{
	json_t *a, *v;
	const char *k, *why;
	size_t i, n;

	if ((why = id_of(json_object_get(o, "channel"), "channel",
	    &q->channel, q->num[0], msg, msglen)) ||
	    (why = id_of(json_object_get(o, "plan"), "plan", &q->plan,
	    q->num[1], msg, msglen)))
		return why;
	q->nattr = 0;
	a = json_object_get(o, "attrs");
	if (a != NULL && !json_is_null(a) && !json_is_object(a))
		return "\"attrs\" must be an object";
	n = json_is_object(a) ? json_object_size(a) : 0;
	if (n + 2 > q->capattr) {
		q->capattr = n + 2;
		q->akey = xreallocarray(q->akey, q->capattr, sizeof(*q->akey));
		q->aval = xreallocarray(q->aval, q->capattr, sizeof(*q->aval));
		q->num = xreallocarray(q->num, q->capattr, sizeof(*q->num));
	}
	if (json_is_object(a))
		json_object_foreach(a, k, v) {
			struct tcl_val tv;

			memset(&tv, 0, sizeof(tv));
			if (json_is_null(v))
				continue;
			if (json_is_string(v)) {
				tv.t = TCL_STRING;
				tv.p = json_string_value(v);
				tv.n = json_string_length(v);
			} else if (json_is_integer(v)) {
				tv.t = TCL_INTEGER;
				tv.i = json_integer_value(v);
			} else if (json_is_real(v)) {
				tv.t = TCL_REAL;
				tv.d = json_real_value(v);
			} else if (json_is_boolean(v))
				tv.t = json_is_true(v) ? TCL_TRUE : TCL_FALSE;
			else {
				snprintf(msg, msglen, "attribute \"%s\" must be a "
				    "string, a number or a boolean", k);
				return msg;
			}
			q->akey[q->nattr].p = k;
			q->akey[q->nattr].n = strlen(k);
			tcl_scalar_text(&tv, q->num[q->nattr + 2],
			    &q->aval[q->nattr].p, &q->aval[q->nattr].n);
			q->nattr++;
		}
	q->hascand = 0;
	q->ncand = 0;
	a = json_object_get(o, "materials");
	if (a == NULL || json_is_null(a))
		return NULL;
	if (!json_is_array(a))
		return "\"materials\" must be an array of material ids";
	q->hascand = 1;
	n = json_array_size(a);
	if (n > q->capcand) {
		q->capcand = n;
		q->cand = xreallocarray(q->cand, n, sizeof(*q->cand));
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return "\"materials\" must be an array of material ids";
		q->cand[i].p = json_string_value(v);
		q->cand[i].n = json_string_length(v);
	}
	q->ncand = n;
	return NULL;
}

/* 1 when s[0..n) is UTF-8 that json_stringn() accepts. */
static int
utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t l;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((l = jfast_utf8_len(p, end)) == 0)
			return 0;
		p += l;
	}
	return 1;
}

/*
 * The output line without jansson, when it comes out the same: the
 * record's text is what jw_value() writes for it (jfast_canonical), the
 * record has neither "material" nor "scores" (jansson would replace them
 * in place), and every score and material can be written (a score that
 * is not finite, or a material that is no UTF-8, makes jansson leave the
 * member out).  The text is copied without its closing brace and the two
 * members are written after it, as json_object_set_new() puts them last.
 * Returns 0, or -1 to write the record through jansson.
 */
static int
splice(struct buf *b, const struct rin *in, const struct tcr_score *sc,
    int nsc)
{
	int i;

	if (in->is_csv || json_object_get(in->obj, "material") != NULL ||
	    json_object_get(in->obj, "scores") != NULL)
		return -1;
	for (i = 0; i < nsc; i++)
		if (!isfinite(sc[i].r) || !utf8_ok(sc[i].mat, sc[i].n))
			return -1;
	if (in->rawlen < 2 || jfast_canonical(in->raw, in->rawlen) != 0)
		return -1;
	buf_add(b, in->raw, in->rawlen - 1);
	buf_adds(b, in->rawlen > 2 ? ",\"material\":" : "\"material\":");
	if (nsc > 0)
		jw_string(b, sc[0].mat, sc[0].n);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"scores\":[");
	for (i = 0; i < nsc; i++) {
		buf_adds(b, i > 0 ? ",{\"material\":" : "{\"material\":");
		jw_string(b, sc[i].mat, sc[i].n);
		buf_adds(b, ",\"r\":");
		jw_real(b, sc[i].r);
		buf_addc(b, '}');
	}
	buf_adds(b, "]}\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "matrix",          required_argument, NULL, 'm' },
		{ "map",             required_argument, NULL, OPT_MAP },
		{ "materials",       required_argument, NULL, OPT_MATERIALS },
		{ "no-dayparts",     no_argument,       NULL, OPT_NODAYPARTS },
		{ "no-material-tag", no_argument,       NULL, OPT_NOMTAG },
		{ "weights-file",    required_argument, NULL, OPT_WFILE },
		{ NULL, 0, NULL, 0 }
	};
	struct tc_dims dims;
	struct tc_mats mats;
	struct run r;
	struct rin in;
	struct req q;
	struct csvw cw;
	struct tcr *m = NULL;
	struct tcr_score *sc;
	const char *matrix = NULL, *materials = NULL, *wfile = NULL, *why;
	const char *badkey;
	char msg[512], extra[128], *s, *end, **mattr = NULL, **mpath = NULL;
	size_t nmaps = 0, i;
	unsigned long unknown = 0;
	long k = 3;
	int ch, rc, mtag = 1, nsc;

	memset(&dims, 0, sizeof(dims));
	memset(&mats, 0, sizeof(mats));
	memset(&q, 0, sizeof(q));
	dims.dayparts = 1;
	run_init(&r, argv[0], synopsis, help);
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS "m:k:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'm':
			matrix = optarg;
			break;
		case 'k':
			errno = 0;
			k = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    k < 1 || k > 1000000)
				run_usage_error(&r, "-k: \"%s\" is not a count "
				    "from 1", optarg);
			break;
		case OPT_MAP:
			if ((s = strchr(optarg, '=')) == NULL || s == optarg ||
			    s[1] == '\0')
				run_usage_error(&r, "--map: \"%s\" is not "
				    "ATTR=FILE", optarg);
			mattr = xreallocarray(mattr, nmaps + 1, sizeof(*mattr));
			mpath = xreallocarray(mpath, nmaps + 1, sizeof(*mpath));
			mattr[nmaps] = xstrndup(optarg, (size_t)(s - optarg));
			mpath[nmaps++] = s + 1;
			break;
		case OPT_MATERIALS:
			materials = optarg;
			break;
		case OPT_NODAYPARTS:
			dims.dayparts = 0;
			break;
		case OPT_NOMTAG:
			mtag = 0;
			break;
		case OPT_WFILE:
			wfile = optarg;
			break;
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	if (matrix == NULL)
		run_usage_error(&r, "-m MATRIX is required");
	argc -= optind;
	argv += optind;
	if ((rc = run_start(&r)) != 0)
		return diag_finish(rc);
	m = tcr_new(mtag);
	for (i = 0; i < nmaps && r.status == 0; i++)
		run_fail(&r, tc_dims_add_map(&dims, &r, mattr[i], mpath[i]));
	if (r.status == 0 && materials != NULL)
		run_fail(&r, tc_mats_load(&mats, &r, materials));
	if (r.status == 0)
		run_fail(&r, tcr_load(m, &r, matrix));
	if (r.status == 0 && wfile != NULL)
		run_fail(&r, tcr_load(m, &r, wfile));
	sc = xmalloc((size_t)k * sizeof(*sc));
	q.capattr = 8;
	q.akey = xmalloc(q.capattr * sizeof(*q.akey));
	q.aval = xmalloc(q.capattr * sizeof(*q.aval));
	q.num = xmalloc(q.capattr * sizeof(*q.num));
	csvw_init(&cw, NULL, 0);
	if (r.status != 0)
		goto done;
	tcr_index(m);
	rin_init(&in, &r, argv, argc);
	while ((rc = rin_next(&in)) == 1) {
		json_t *arr, *one;

		if ((why = parse_req(in.obj, &q, msg, sizeof(msg))) != NULL) {
			if (run_bad(&r, in.file, in.line, in.raw, in.rawlen,
			    "%s", why) != 0)
				break;
			continue;
		}
		nsc = tcr_rank(m, &dims, &mats, q.channel, q.plan, q.akey,
		    q.aval, q.nattr, q.cand, q.hascand ? (long)q.ncand : -1,
		    (size_t)k, sc);
		if (nsc < 0) {
			unknown++;
			nsc = 0;
		}
		if (r.out_format != RUN_FMT_CSV &&
		    splice(&r.out.b, &in, sc, nsc) == 0)
			goto wrote;
		arr = json_array();
		for (i = 0; i < (size_t)nsc; i++) {
			one = json_object();
			json_object_set_new(one, "material",
			    json_stringn(sc[i].mat, sc[i].n));
			json_object_set_new(one, "r", json_real(sc[i].r));
			json_array_append_new(arr, one);
		}
		json_object_set_new(in.obj, "material", nsc > 0 ?
		    json_stringn(sc[0].mat, sc[0].n) : json_null());
		json_object_set_new(in.obj, "scores", arr);
		if (r.out_format == RUN_FMT_CSV) {
			if (csvw_record(&cw, &r.out.b, in.obj, &badkey) != 0) {
				if (run_bad(&r, in.file, in.line, in.raw,
				    in.rawlen, "key \"%s\" is not a column of "
				    "the CSV output (the first record's keys)",
				    badkey) != 0)
					break;
				continue;
			}
		} else {
			jw_value(&r.out.b, in.obj);
			buf_addc(&r.out.b, '\n');
		}
wrote:
		r.wrote++;
		if (out_maybe_flush(&r.out) != 0) {
			run_fail(&r, EX_IOERR);
			break;
		}
	}
	rin_close(&in);
done:
	snprintf(extra, sizeof(extra), "unknown plan %lu", unknown);
	csvw_free(&cw);
	free(sc);
	free(q.akey);
	free(q.aval);
	free(q.num);
	free(q.cand);
	tcr_free(m);
	tc_dims_free(&dims);
	tc_mats_free(&mats);
	for (i = 0; i < nmaps; i++)
		free(mattr[i]);
	free(mattr);
	free(mpath);
	if (unknown > 0)
		r.verbose = 1;
	return run_finish(&r, 0, extra);
}
