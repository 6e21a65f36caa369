#include "rin.h"

#include <errno.h>
#include <string.h>
#include <sysexits.h>

#include "diag.h"
#include "jmember.h"

void
rin_init(struct rin *in, struct run *run, char **paths, int npaths)
{
	static char *dash[] = { "-" };

	memset(in, 0, sizeof(*in));
	in->run = run;
	in->paths = npaths > 0 ? paths : dash;
	in->npaths = npaths > 0 ? npaths : 1;
	in->jflags = JSON_REJECT_DUPLICATES;
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static void
close_operand(struct rin *in)
{
	if (!in->open)
		return;
	if (in->is_csv)
		csvin_close(&in->csv);
	else
		line_close(&in->lr);
	in->open = 0;
}

/* Opens the next operand; returns 1, 0 when none is left, -1 to stop. */
static int
open_next(struct rin *in)
{
	const char *path;
	int rc;

	while (in->next < in->npaths) {
		path = in->paths[in->next++];
		in->is_csv = in->run->in_format == RUN_FMT_CSV ||
		    (in->run->in_format == RUN_FMT_AUTO &&
		    (has_suffix(path, ".csv") || has_suffix(path, ".csv.gz")));
		if (in->is_csv) {
			rc = csvin_open(&in->csv, path);
			if (rc == 0) {
				in->file = in->csv.lr.name;
				in->open = 1;
				return 1;
			}
			if (rc == -1) {
				diag_warn("%s: %s", path, strerror(errno));
				run_fail(in->run, EX_NOINPUT);
				continue;
			}
			csvin_close(&in->csv);
			run_fail(in->run, rc);
			return -1;
		}
		if (line_open(&in->lr, path) == -1) {
			diag_warn("%s: %s", path, strerror(errno));
			run_fail(in->run, EX_NOINPUT);
			continue;
		}
		in->file = in->lr.name;
		in->open = 1;
		return 1;
	}
	return 0;
}

static int
read_error(struct rin *in, const char *why, unsigned long line)
{
	/* A truncated or corrupt gzip stream is bad data; anything else is I/O. */
	diag_at(in->file, line, "%s", why);
	run_fail(in->run, errno == 0 || strncmp(why, "gzip", 4) == 0 ||
	    strncmp(why, "truncated", 9) == 0 ? EX_DATAERR : EX_IOERR);
	return -1;
}

static int
next_csv(struct rin *in)
{
	struct csvin *c = &in->csv;
	const char *why, *f;
	char msg[128];
	size_t i, n;
	int rc;

	for (;;) {
		errno = 0;
		rc = csvin_next(c, &why);
		if (rc == 0)
			return 0;
		if (rc == -1)
			return read_error(in, why, c->row_line ? c->row_line :
			    c->lr.lineno);
		in->run->read++;
		in->line = c->row_line;
		in->raw = c->raw.p;
		in->rawlen = c->raw.len;
		if ((why = csvin_check_width(c, msg, sizeof(msg))) != NULL) {
			if (run_bad(in->run, in->file, in->line, in->raw,
			    in->rawlen, "%s", why) != 0)
				return -1;
			continue;
		}
		if (in->csv_raw)
			return 1;
		in->obj = json_object();
		for (i = 0; i < c->ncol; i++) {
			json_t *s;

			if ((f = csvin_field(c, i, &n)) == NULL)
				continue;
			if ((s = json_stringn(f, n)) == NULL)
				break;
			json_object_set_new(in->obj, c->hdr[i], s);
		}
		if (i == c->ncol)
			return 1;
		json_decref(in->obj);
		in->obj = NULL;
		if (run_bad(in->run, in->file, in->line, in->raw, in->rawlen,
		    "column \"%s\": invalid UTF-8", c->hdr[i]) != 0)
			return -1;
	}
}

int
rin_type_is(const json_t *obj, const char *type)
{
	const json_t *t = json_object_get(obj, "type");

	return json_is_string(t) && strcmp(json_string_value(t), type) == 0;
}

int
rin_parse(struct rin *in)
{
	json_error_t je;
	const char *why;
	size_t n;

	/*
	 * A compact line the checking scanner vouches for is built without
	 * jansson's parser (the same tree, faster; see jmember.h).
	 */
	if (in->jflags == JSON_REJECT_DUPLICATES &&
	    jmember_scan(in->raw, in->rawlen, in->mem, &n) == 0 &&
	    (in->obj = jmember_value(in->raw, in->rawlen)) != NULL)
		return 0;
	in->obj = json_loadb(in->raw, in->rawlen, in->jflags, &je);
	if (in->obj != NULL && json_is_object(in->obj))
		return 0;
	if (in->obj != NULL)
		why = "not a JSON object";
	else if (json_error_code(&je) == json_error_numeric_overflow)
		why = strstr(je.text, "integer") != NULL ?
		    "an integer too big for 64 bits (quote ids as strings)" :
		    "a number out of the range of a double";
	else
		why = NULL;
	json_decref(in->obj);
	in->obj = NULL;
	if (why != NULL) {
		if (run_bad(in->run, in->file, in->line, in->raw, in->rawlen,
		    "%s", why) != 0)
			return -1;
	} else if (run_bad(in->run, in->file, in->line, in->raw, in->rawlen,
	    "column %d: %s", je.column, je.text) != 0)
		return -1;
	return 1;
}

static int
next_ndjson(struct rin *in)
{
	char *line;
	size_t len;
	int rc;

	for (;;) {
		errno = 0;
		rc = line_next(&in->lr, &line, &len);
		if (rc == 0)
			return 0;
		if (rc == -1) {
			return read_error(in, line_error(&in->lr),
			    in->lr.lineno + 1);
		}
		if (len == 0)
			continue;		/* blank lines are skipped */
		in->run->read++;
		in->line = in->lr.lineno;
		in->raw = line;
		in->rawlen = len;
		if (in->lazy)
			return 1;
		rc = rin_parse(in);
		if (rc == 0)
			return 1;
		if (rc == -1)
			return -1;
	}
}

int
rin_next(struct rin *in)
{
	int rc;

	json_decref(in->obj);
	in->obj = NULL;
	for (;;) {
		if (!in->open) {
			rc = open_next(in);
			if (rc <= 0)
				return rc;
		}
		rc = in->is_csv ? next_csv(in) : next_ndjson(in);
		if (rc != 0) {
			if (rc == 1)
				run_progress(in->run);
			return rc;
		}
		close_operand(in);
	}
}

void
rin_close(struct rin *in)
{
	json_decref(in->obj);
	in->obj = NULL;
	close_operand(in);
}

json_t *
rin_lookup(json_t *obj, const char *path)
{
	const char *dot;
	json_t *v;

	if ((v = json_object_get(obj, path)) != NULL)
		return v;
	while ((dot = strchr(path, '.')) != NULL) {
		v = json_object_getn(obj, path, (size_t)(dot - path));
		if (!json_is_object(v))
			return NULL;
		obj = v;
		path = dot + 1;
		if ((v = json_object_get(obj, path)) != NULL)
			return v;
	}
	return NULL;
}
