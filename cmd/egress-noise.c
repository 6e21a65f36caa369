/*
 * egress-noise: validate, noise and wire-encode the egress payloads of
 * Protected App Signals reports; with --decode, turn wire payloads back
 * into training rows.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csvio.h"
#include "diag.h"
#include "egress.h"
#include "jw.h"
#include "line.h"
#include "rin.h"
#include "rng.h"
#include "run.h"
#include "xalloc.h"

static const char synopsis[] =
"usage: egress-noise [-hVv] [--egress-schema FILE] [--limit BITS] [-p P]\n"
"                    [--schema FILE] [--seed N] [--skip-bad [--rejects FILE]]\n"
"                    [--temporary-egress-schema FILE] [-o FILE] [file ...]\n"
"       egress-noise --decode [-hVv] [--buyer NAME] [--csv]\n"
"                    [--egress-schema FILE] [--keep FIELDS]\n"
"                    [--kind egress|temporary]\n"
"                    [--outcomes FILE] [--schema FILE] [--skip-bad]\n"
"                    [--temporary-egress-schema FILE] [-o FILE] [file ...]";

static const char help[] =
"Validates each egress payload against its schema, noises it and replaces\n"
"it by its wire form (base64); an invalid payload becomes \"\".\n"
"\n"
"  --egress-schema FILE            schema of egress_payload\n"
"  --temporary-egress-schema FILE  schema of temporary_unlimited_egress_payload\n"
"  --schema FILE                   the schema of both\n"
"  --limit BITS           bit limit of egress_payload (default 0: cleared)\n"
"  -p, --p P              probability a payload is noised (default 0.01)\n"
"  --seed N               reproducible noise (a stream per record id)\n"
"  --decode               wire payloads -> one training row per payload\n"
"  --kind egress|temporary  which payload --decode reads\n"
"  --outcomes FILE        with --decode: join click and install by id\n"
"  --keep FIELDS          with --decode: copy these record fields first\n"
"  --buyer NAME           with --decode: only the payloads of this buyer\n"
"  --csv                  with --decode: write CSV with a header\n"
"  --input-format FMT     auto (by name: .csv, .csv.gz), ndjson or csv\n"
"  -o, --output FILE      write FILE atomically instead of stdout\n"
"  --skip-bad             go on after bad records; --rejects FILE keeps them\n"
"  -v, --verbose          print the closing summary always\n"
"  --progress             show progress on stderr\n"
"  -h, --help, -V, --version\n"
"\n"
"See egress-noise(1) and adsig(7).\n";

enum {
	OPT_ESCHEMA = RUN_OPT_TOOL, OPT_TSCHEMA, OPT_SCHEMA, OPT_LIMIT,
	OPT_DECODE, OPT_KIND, OPT_OUTCOMES, OPT_KEEP, OPT_BUYER
};

#define F_EGRESS	"egress_payload"
#define F_TEMP		"temporary_unlimited_egress_payload"

enum { K_EGRESS, K_TEMP };

struct ctx {
	struct run		*run;
	struct egress_schema	*schema[2];	/* K_EGRESS, K_TEMP */
	struct egress_values	 vals[2];
	size_t			 limit;
	double			 p;
	/* decode */
	int			 decode, kind;
	json_t			*outcomes;	/* id -> 0..3 (click | install << 1) */
	char			**keep;
	size_t			 nkeep;
	const char		*buyer;		/* --buyer */
	int			 header_done;
	/* counters */
	unsigned long		 payloads, invalid, cleared, rows, unmatched,
				 other_buyers;
};

static const char *const field_of[2] = { F_EGRESS, F_TEMP };

/* Splits a comma-separated list into a new array (strings point into s). */
static char **
split_list(char *s, size_t *n)
{
	char **v = NULL, *p;
	size_t k = 0;

	for (p = strtok(s, ","); p != NULL; p = strtok(NULL, ",")) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k++] = p;
	}
	*n = k;
	return v;
}

/* The record's key for its noise stream: its id, else the line's bytes. */
static void
record_rng(struct ctx *c, struct rin *in, struct rng *g)
{
	const json_t *id = json_object_get(in->obj, "id");
	char tmp[32];

	if (!c->run->has_seed) {
		rng_init(g, NULL, NULL, 0);
		return;
	}
	if (json_is_string(id))
		rng_init(g, &c->run->seed, json_string_value(id),
		    json_string_length(id));
	else if (json_is_integer(id)) {
		snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(id));
		rng_init(g, &c->run->seed, tmp, strlen(tmp));
	} else
		rng_init(g, &c->run->seed, in->raw, in->rawlen);
}

/*
 * Replaces the payload at key of obj by its wire form.  Returns 0, or
 * the reason the record is bad (a payload of a kind without a schema).
 */
static const char *
noise_one(struct ctx *c, json_t *obj, int kind, struct rng *g, char *msg,
    size_t msglen)
{
	json_t *v = json_object_get(obj, field_of[kind]), *parsed = NULL;
	const struct egress_schema *s = c->schema[kind];
	char *wire = NULL;
	int ok;

	if (v == NULL)
		return NULL;
	if (s == NULL) {
		snprintf(msg, msglen, "%s without a schema (give --%s or "
		    "--schema)", field_of[kind], kind == K_EGRESS ?
		    "egress-schema" : "temporary-egress-schema");
		return msg;
	}
	c->payloads++;
	/* The real generateBid returns the payload as JSON text. */
	if (json_is_string(v))
		v = parsed = json_loadb(json_string_value(v),
		    json_string_length(v), JSON_REJECT_DUPLICATES, NULL);
	ok = v != NULL && egress_payload_validate(s, v, &c->vals[kind], NULL,
	    0) == 0;
	json_decref(parsed);
	if (!ok) {
		c->invalid++;
		json_object_set_new(obj, field_of[kind], json_string(""));
		return NULL;
	}
	egress_noise(&c->vals[kind], s, g, c->p);
	if (egress_encode(s, &c->vals[kind], kind == K_EGRESS ? c->limit :
	    EGRESS_NO_LIMIT, &wire) == 1)
		c->cleared++;
	json_object_set_new(obj, field_of[kind], json_string(wire));
	free(wire);
	return NULL;
}

/* The places payloads stand: the record itself and each of its reports. */
static const char *
noise_record(struct ctx *c, struct rin *in, char *msg, size_t msglen)
{
	json_t *reps, *r;
	struct rng g;
	const char *why;
	size_t i;
	int k;

	record_rng(c, in, &g);
	for (k = 0; k < 2; k++)
		if ((why = noise_one(c, in->obj, k, &g, msg, msglen)) != NULL)
			return why;
	reps = json_object_get(in->obj, "reports");
	json_array_foreach(reps, i, r) {
		if (!json_is_object(r))
			continue;
		for (k = 0; k < 2; k++)
			if ((why = noise_one(c, r, k, &g, msg, msglen)) !=
			    NULL)
				return why;
	}
	return NULL;
}

/* ------------------------------------------------------------ decode */

/* Reads the outcomes file into c->outcomes.  Returns 0 or an exit status. */
static int
load_outcomes(struct ctx *c, const char *path)
{
	struct line_reader lr;
	json_error_t je;
	json_t *o = NULL, *id, *t, *ck, *in;
	char *line, tmp[32];
	const char *key;
	size_t len;
	int rc, bits;

	if (line_open(&lr, path) == -1) {
		diag_warn("%s: %s", path, strerror(errno));
		return EX_NOINPUT;
	}
	c->outcomes = json_object();
	while ((rc = line_next(&lr, &line, &len)) == 1) {
		if (len == 0)
			continue;
		if ((o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)) ==
		    NULL) {
			diag_at(lr.name, lr.lineno, "column %d: %s", je.column,
			    je.text);
			goto bad;
		}
		t = json_object_get(o, "type");
		if (!json_is_object(o) || (t != NULL && !(json_is_string(t) &&
		    strcmp(json_string_value(t), "outcome") == 0))) {
			json_decref(o);		/* not an outcome record */
			continue;
		}
		id = json_object_get(o, "id");
		if (json_is_string(id))
			key = json_string_value(id);
		else if (json_is_integer(id)) {
			snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(id));
			key = tmp;
		} else {
			diag_at(lr.name, lr.lineno, "outcome has no id");
			goto bad;
		}
		ck = json_object_get(o, "click");
		in = json_object_get(o, "install");
		if ((ck != NULL && !json_is_boolean(ck)) ||
		    (in != NULL && !json_is_boolean(in))) {
			diag_at(lr.name, lr.lineno, "click and install must "
			    "be true or false");
			goto bad;
		}
		if (json_object_get(c->outcomes, key) != NULL) {
			diag_at(lr.name, lr.lineno, "a second outcome for id "
			    "\"%s\"", key);
			goto bad;
		}
		bits = json_is_true(ck) | json_is_true(in) << 1;
		json_object_set_new(c->outcomes, key, json_integer(bits));
		json_decref(o);
	}
	o = NULL;
	if (rc == -1) {
		diag_at(lr.name, lr.lineno + 1, "%s", line_error(&lr));
		goto bad;
	}
	line_close(&lr);
	return 0;
bad:
	json_decref(o);
	line_close(&lr);
	return EX_DATAERR;
}

/* Text of a kept field for CSV: strings as they are, the rest as JSON. */
static void
csv_value(struct buf *b, const json_t *v)
{
	struct buf t = { 0 };

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		csv_put_field(b, json_string_value(v), json_string_length(v));
		return;
	}
	if (json_is_true(v) || json_is_false(v))
		buf_adds(&t, json_is_true(v) ? "true" : "false");
	else
		jw_value(&t, v);
	csv_put_field(b, t.p, t.len);
	buf_free(&t);
}

static void
csv_header(struct ctx *c, struct buf *b, const struct egress_schema *s)
{
	size_t k, n = 0;

	for (k = 0; k < c->nkeep; k++, n++) {
		if (n)
			buf_addc(b, ',');
		csv_put_field(b, c->keep[k], strlen(c->keep[k]));
	}
	for (k = 0; k < s->nleaves; k++, n++) {
		if (n)
			buf_addc(b, ',');
		buf_adds(b, s->leaves[k].name);
	}
	if (c->outcomes != NULL)
		buf_adds(b, n ? ",click,install" : "click,install");
	buf_addc(b, '\n');
}

/* One row for the decoded values of a payload of record obj. */
static void
write_row(struct ctx *c, const json_t *obj, int labels)
{
	const struct egress_schema *s = c->schema[c->kind];
	struct buf *b = &c->run->out.b;
	struct egress_cell cell;
	size_t k, n = 0;
	int csv = c->run->out_format == RUN_FMT_CSV;

	if (csv && !c->header_done) {
		csv_header(c, b, s);
		c->header_done = 1;
	}
	if (!csv)
		buf_addc(b, '{');
	for (k = 0; k < c->nkeep; k++, n++) {
		const json_t *v = json_object_get(obj, c->keep[k]);

		if (n)
			buf_addc(b, ',');
		if (csv)
			csv_value(b, v);
		else {
			jw_string(b, c->keep[k], strlen(c->keep[k]));
			buf_addc(b, ':');
			if (v == NULL)
				buf_adds(b, "null");
			else
				jw_value(b, v);
		}
	}
	for (k = 0; k < s->nleaves; k++, n++) {
		egress_cell(s, &c->vals[c->kind], k, &cell);
		if (n)
			buf_addc(b, ',');
		if (!csv) {
			buf_addc(b, '"');
			buf_adds(b, cell.name);
			buf_adds(b, "\":");
		}
		/* Above 2^63-1 a JSON integer cannot be read back: quote. */
		if (!csv && !cell.is_signed && cell.u > (uint64_t)INT64_MAX) {
			buf_addc(b, '"');
			buf_adds(b, cell.text);
			buf_addc(b, '"');
		} else
			buf_adds(b, cell.text);
	}
	if (c->outcomes != NULL) {
		if (csv)
			buf_printf(b, "%s%d,%d", n ? "," : "", labels & 1,
			    labels >> 1 & 1);
		else
			buf_printf(b, "%s\"click\":%d,\"install\":%d",
			    n ? "," : "", labels & 1, labels >> 1 & 1);
	}
	if (!csv)
		buf_addc(b, '}');
	buf_addc(b, '\n');
	c->rows++;
}

/* The labels of record obj: 0 with *labels, or -1 when it has none. */
static int
labels_of(struct ctx *c, const json_t *obj, int *labels)
{
	const json_t *id = json_object_get(obj, "id"), *l;
	char tmp[32];

	*labels = 0;
	if (c->outcomes == NULL)
		return 0;
	if (json_is_string(id))
		l = json_object_get(c->outcomes, json_string_value(id));
	else if (json_is_integer(id)) {
		snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(id));
		l = json_object_get(c->outcomes, tmp);
	} else
		l = NULL;
	if (l == NULL)
		return -1;
	*labels = (int)json_integer_value(l);
	return 0;
}

/*
 * Decodes the chosen payload at obj (where names it for messages).
 * Returns NULL, or the reason the record is bad.
 */
static const char *
decode_one(struct ctx *c, const json_t *rec, const json_t *obj,
    const char *where, char *msg, size_t msglen)
{
	const json_t *v = json_object_get(obj, field_of[c->kind]);
	char why[160];
	int labels, rc;

	if (v == NULL)
		return NULL;
	if (c->buyer != NULL) {
		const json_t *b = json_object_get(obj, "buyer");

		if (!json_is_string(b) || strcmp(json_string_value(b),
		    c->buyer) != 0) {
			c->other_buyers++;
			return NULL;
		}
	}
	c->payloads++;
	if (!json_is_string(v)) {
		snprintf(msg, msglen, "%s%s is not a wire payload (a string)",
		    where, field_of[c->kind]);
		return msg;
	}
	rc = egress_decode(c->schema[c->kind], json_string_value(v),
	    &c->vals[c->kind], why, sizeof(why));
	if (rc == -1) {
		snprintf(msg, msglen, "%s%s: %s", where, field_of[c->kind],
		    why);
		return msg;
	}
	if (rc == 1) {
		c->cleared++;
		return NULL;
	}
	if (labels_of(c, rec, &labels) == -1) {
		c->unmatched++;
		return NULL;
	}
	write_row(c, rec, labels);
	return NULL;
}

/*
 * All payloads of a record are checked before any row is written, so a
 * bad record writes nothing.
 */
static const char *
decode_record(struct ctx *c, struct rin *in, char *msg, size_t msglen)
{
	json_t *reps, *r;
	char where[48];
	size_t i, mark = c->run->out.b.len;
	unsigned long rows = c->rows, pay = c->payloads, clr = c->cleared,
	    unm = c->unmatched, oth = c->other_buyers;
	int hdr = c->header_done;
	const char *why;

	why = decode_one(c, in->obj, in->obj, "", msg, msglen);
	reps = json_object_get(in->obj, "reports");
	json_array_foreach(reps, i, r) {
		if (why != NULL)
			break;
		if (!json_is_object(r))
			continue;
		snprintf(where, sizeof(where), "reports[%zu].", i);
		why = decode_one(c, in->obj, r, where, msg, msglen);
	}
	if (why != NULL) {
		c->run->out.b.len = mark;
		c->rows = rows;
		c->payloads = pay;
		c->cleared = clr;
		c->unmatched = unm;
		c->other_buyers = oth;
		c->header_done = hdr;
	}
	return why;
}

static double
parse_p(struct run *r, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno == ERANGE || !(v >= 0) ||
	    v > 1)
		run_usage_error(r, "-p: \"%s\" is not a probability in [0, 1]",
		    arg);
	return v;
}

static size_t
parse_limit(struct run *r, const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (arg[0] == '-' || arg[0] == '+')
		run_usage_error(r, "--limit: \"%s\" is not a number of bits",
		    arg);
	v = strtoull(arg, &end, 10);
	if (end == arg || *end != '\0' || errno == ERANGE || v > SIZE_MAX)
		run_usage_error(r, "--limit: \"%s\" is not a number of bits",
		    arg);
	return (size_t)v;
}

/* Loads a schema into *s.  Returns 0, or an exit status after a message. */
static int
load_schema(const char *path, struct egress_schema **s)
{
	char err[256];
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		diag_warn("%s: %s", path, strerror(errno));
		return EX_NOINPUT;
	}
	fclose(fp);
	if (egress_schema_load(path, s, err, sizeof(err)) != 0) {
		diag_warn("%s", err);
		return EX_DATAERR;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		RUN_LONGOPTS,
		{ "egress-schema",           required_argument, NULL, OPT_ESCHEMA },
		{ "temporary-egress-schema", required_argument, NULL, OPT_TSCHEMA },
		{ "schema",   required_argument, NULL, OPT_SCHEMA },
		{ "limit",    required_argument, NULL, OPT_LIMIT },
		{ "p",        required_argument, NULL, 'p' },
		{ "decode",   no_argument,       NULL, OPT_DECODE },
		{ "kind",     required_argument, NULL, OPT_KIND },
		{ "outcomes", required_argument, NULL, OPT_OUTCOMES },
		{ "keep",     required_argument, NULL, OPT_KEEP },
		{ "buyer",    required_argument, NULL, OPT_BUYER },
		{ NULL, 0, NULL, 0 }
	};
	const char *epath = NULL, *tpath = NULL, *spath = NULL, *opath = NULL;
	const char *why, *kind = NULL;
	struct ctx c;
	struct run r;
	struct rin in;
	char msg[512], extra[200], *keeparg = NULL;
	size_t n;
	int ch, rc, k;

	memset(&c, 0, sizeof(c));
	c.p = 0.01;
	c.run = &r;
	run_init(&r, argv[0], synopsis, help);
	while ((ch = getopt_long(argc, argv, RUN_SHORTOPTS "p:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_ESCHEMA:
			epath = optarg;
			break;
		case OPT_TSCHEMA:
			tpath = optarg;
			break;
		case OPT_SCHEMA:
			spath = optarg;
			break;
		case OPT_LIMIT:
			c.limit = parse_limit(&r, optarg);
			break;
		case 'p':
			c.p = parse_p(&r, optarg);
			break;
		case OPT_DECODE:
			c.decode = 1;
			break;
		case OPT_KIND:
			kind = optarg;
			break;
		case OPT_OUTCOMES:
			opath = optarg;
			break;
		case OPT_BUYER:
			c.buyer = optarg;
			break;
		case OPT_KEEP:
			keeparg = optarg;
			break;
		default:
			if (!run_option(&r, ch, optarg))
				run_usage_error(&r, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (spath != NULL && (epath != NULL || tpath != NULL))
		run_usage_error(&r, "--schema sets both schemas: give it alone");
	if (spath != NULL)
		epath = tpath = spath;
	if (epath == NULL && tpath == NULL)
		run_usage_error(&r, "no schema: give --egress-schema, "
		    "--temporary-egress-schema or --schema");
	if (!c.decode && (kind != NULL || opath != NULL || keeparg != NULL ||
	    c.buyer != NULL))
		run_usage_error(&r, "--kind, --outcomes, --keep and --buyer go "
		    "with --decode");
	if (!c.decode && r.out_format == RUN_FMT_CSV)
		run_usage_error(&r, "--csv goes with --decode (reports are "
		    "NDJSON)");
	if (c.decode) {
		if (kind == NULL)
			c.kind = tpath != NULL ? K_TEMP : K_EGRESS;
		else if (strcmp(kind, "egress") == 0)
			c.kind = K_EGRESS;
		else if (strcmp(kind, "temporary") == 0)
			c.kind = K_TEMP;
		else
			run_usage_error(&r, "--kind: \"%s\" is not egress or "
			    "temporary", kind);
		if ((c.kind == K_EGRESS ? epath : tpath) == NULL)
			run_usage_error(&r, "--kind %s: no schema for %s",
			    c.kind == K_EGRESS ? "egress" : "temporary",
			    field_of[c.kind]);
	}
	if (keeparg != NULL)
		c.keep = split_list(keeparg, &c.nkeep);

	rc = 0;
	if (epath != NULL)
		rc = load_schema(epath, &c.schema[K_EGRESS]);
	if (rc == 0 && tpath != NULL) {
		if (spath != NULL)
			c.schema[K_TEMP] = c.schema[K_EGRESS];
		else
			rc = load_schema(tpath, &c.schema[K_TEMP]);
	}
	for (k = 0; k < 2; k++)
		if (c.schema[k] != NULL)
			egress_values_init(&c.vals[k], c.schema[k]);
	if (rc == 0 && opath != NULL)
		rc = load_outcomes(&c, opath);
	if (rc == 0)
		rc = run_start(&r);
	if (rc != 0)
		goto out;
	rin_init(&in, &r, argv, argc);
	while ((rc = rin_next(&in)) == 1) {
		why = c.decode ? decode_record(&c, &in, msg, sizeof(msg)) :
		    noise_record(&c, &in, msg, sizeof(msg));
		if (why != NULL) {
			if (run_bad(&r, in.file, in.line, in.raw, in.rawlen,
			    "%s", why) != 0)
				break;
			continue;
		}
		if (c.decode)
			r.used++;
		else {
			jw_value(&r.out.b, in.obj);
			buf_addc(&r.out.b, '\n');
			r.wrote++;
		}
		if (out_maybe_flush(&r.out) != 0) {
			run_fail(&r, EX_IOERR);
			break;
		}
	}
	rin_close(&in);
	if (c.decode && r.out_format == RUN_FMT_CSV && !c.header_done)
		csv_header(&c, &r.out.b, c.schema[c.kind]);
	if (c.decode) {
		if (c.outcomes != NULL)
			snprintf(extra, sizeof(extra), "payloads %lu, rows %lu, "
			    "cleared %lu, no outcome %lu", c.payloads, c.rows,
			    c.cleared, c.unmatched);
		else
			snprintf(extra, sizeof(extra), "payloads %lu, rows %lu, "
			    "cleared %lu", c.payloads, c.rows, c.cleared);
		if (c.buyer != NULL) {
			n = strlen(extra);
			snprintf(extra + n, sizeof(extra) - n,
			    ", other buyers %lu", c.other_buyers);
		}
	} else {
		snprintf(extra, sizeof(extra), "payloads %lu, invalid %lu, "
		    "cleared %lu", c.payloads, c.invalid, c.cleared);
		if (c.invalid > 0)
			r.verbose = 1;	/* invalid payloads are always told */
	}
	rc = run_finish(&r, c.decode, extra);
	goto freeall;
out:
	rc = diag_finish(rc);
freeall:
	for (k = 0; k < 2; k++)
		egress_values_free(&c.vals[k]);
	if (c.schema[K_TEMP] != c.schema[K_EGRESS])
		egress_schema_free(c.schema[K_TEMP]);
	egress_schema_free(c.schema[K_EGRESS]);
	json_decref(c.outcomes);
	free(c.keep);
	return rc;
}
