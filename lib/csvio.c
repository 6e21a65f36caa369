#include "csvio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "diag.h"
#include "jw.h"
#include "xalloc.h"

static void
on_field(void *s, size_t len, void *data)
{
	struct csvin *c = data;

	if (c->nf == c->capf) {
		c->capf = c->capf ? c->capf * 2 : 16;
		c->off = xreallocarray(c->off, c->capf, sizeof(*c->off));
		c->len = xreallocarray(c->len, c->capf, sizeof(*c->len));
		c->blank = xreallocarray(c->blank, c->capf, 1);
	}
	c->off[c->nf] = c->data.len;
	c->len[c->nf] = len;
	c->blank[c->nf] = s == NULL;
	if (s != NULL)
		buf_add(&c->data, s, len);
	buf_addc(&c->data, '\0');	/* keep the NUL: fields are C strings */
	c->nf++;
}

static void
on_row(int ch, void *data)
{
	struct csvin *c = data;

	(void)ch;
	c->row_done = 1;
}

static const char *
parse_error(struct csvin *c)
{
	return csv_error(&c->p) == CSV_EPARSE ? "malformed quoted field" :
	    csv_strerror(csv_error(&c->p));
}

int
csvin_next(struct csvin *c, const char **why)
{
	char *line;
	size_t len;
	int rc;

	c->nf = 0;
	c->data.len = 0;
	c->raw.len = 0;
	c->row_done = 0;
	c->at_row_start = 1;
	while (!c->row_done) {
		rc = line_next(&c->lr, &line, &len);
		if (rc == -1) {
			*why = line_error(&c->lr);
			return -1;
		}
		if (rc == 0) {
			if (c->at_row_start)
				return 0;
			if (csv_fini(&c->p, on_field, on_row, c) != 0 ||
			    !c->row_done) {
				*why = "unterminated quoted field at end of input";
				return -1;
			}
			break;
		}
		if (c->at_row_start) {
			if (len == 0)
				continue;	/* a blank line between rows */
			c->row_line = c->lr.lineno;
			c->at_row_start = 0;
		} else
			buf_addc(&c->raw, '\n');
		buf_add(&c->raw, line, len);
		if (csv_parse(&c->p, line, len, on_field, on_row, c) != len ||
		    csv_parse(&c->p, "\n", 1, on_field, on_row, c) != 1) {
			*why = parse_error(c);
			return -1;
		}
	}
	return 1;
}

const char *
csvin_check_width(struct csvin *c, char *msg, size_t msglen)
{
	if (c->nf == c->ncol)
		return NULL;
	snprintf(msg, msglen, "row has %zu fields, the header has %zu",
	    c->nf, c->ncol);
	return msg;
}

long
csvin_column(const struct csvin *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ncol; i++)
		if (strcmp(c->hdr[i], name) == 0)
			return (long)i;
	return -1;
}

int
csvin_open(struct csvin *c, const char *path)
{
	const char *why, *f;
	size_t i, j, n;
	int rc;

	memset(c, 0, sizeof(*c));
	if (line_open(&c->lr, path) == -1)
		return -1;
	if (csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0) {
		line_close(&c->lr);
		errno = ENOMEM;
		return -1;
	}
	rc = csvin_next(c, &why);
	if (rc != 1) {
		diag_at(c->lr.name, c->lr.lineno, "%s",
		    rc == 0 ? "no header row" : why);
		return EX_DATAERR;
	}
	c->ncol = c->nf;
	c->hdr = xcalloc(c->ncol, sizeof(*c->hdr));
	for (i = 0; i < c->ncol; i++) {
		f = csvin_field(c, i, &n);
		if (f == NULL || n == 0 || memchr(f, '\0', n) != NULL) {
			diag_at(c->lr.name, c->row_line,
			    "column %zu of the header has no name", i + 1);
			return EX_DATAERR;
		}
		c->hdr[i] = xstrndup(f, n);
		for (j = 0; j < i; j++)
			if (strcmp(c->hdr[j], c->hdr[i]) == 0) {
				diag_at(c->lr.name, c->row_line,
				    "duplicate column name \"%s\"", c->hdr[i]);
				return EX_DATAERR;
			}
	}
	return 0;
}

void
csvin_close(struct csvin *c)
{
	size_t i;

	if (c->hdr != NULL)
		for (i = 0; i < c->ncol; i++)
			free(c->hdr[i]);
	free(c->hdr);
	c->hdr = NULL;
	csv_free(&c->p);
	line_close(&c->lr);
	buf_free(&c->data);
	buf_free(&c->raw);
	free(c->off);
	free(c->len);
	free(c->blank);
	c->off = c->len = NULL;
	c->blank = NULL;
}

void
csv_put_field(struct buf *b, const char *s, size_t n)
{
	size_t i;
	int quote = 0;

	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		quote = 1;
	for (i = 0; i < n && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = 1;
	if (!quote) {
		buf_add(b, s, n);
		return;
	}
	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

void
csvw_init(struct csvw *w, const char *const *cols, size_t ncol)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	if (cols == NULL)
		return;
	w->cols = xcalloc(ncol ? ncol : 1, sizeof(*w->cols));
	for (i = 0; i < ncol; i++)
		w->cols[i] = xstrdup(cols[i]);
	w->ncol = ncol;
}

static void
put_value(struct buf *b, json_t *v)
{
	struct buf tmp = { 0 };

	switch (json_typeof(v)) {
	case JSON_STRING:
		csv_put_field(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_NULL:
		break;
	default:
		jw_value(&tmp, v);
		csv_put_field(b, tmp.p, tmp.len);
		buf_free(&tmp);
		break;
	}
}

int
csvw_record(struct csvw *w, struct buf *b, json_t *obj, const char **badkey)
{
	const char *key;
	json_t *v;
	size_t i, found = 0;

	if (w->cols == NULL) {
		w->ncol = json_object_size(obj);
		w->cols = xcalloc(w->ncol ? w->ncol : 1, sizeof(*w->cols));
		i = 0;
		json_object_foreach(obj, key, v)
			w->cols[i++] = xstrdup(key);
	}
	for (i = 0; i < w->ncol; i++)
		if (json_object_get(obj, w->cols[i]) != NULL)
			found++;
	if (found != json_object_size(obj)) {
		json_object_foreach(obj, key, v) {
			for (i = 0; i < w->ncol; i++)
				if (strcmp(w->cols[i], key) == 0)
					break;
			if (i == w->ncol) {
				*badkey = key;
				return -1;
			}
		}
	}
	if (!w->header_done) {
		for (i = 0; i < w->ncol; i++) {
			if (i > 0)
				buf_addc(b, ',');
			csv_put_field(b, w->cols[i], strlen(w->cols[i]));
		}
		buf_addc(b, '\n');
		w->header_done = 1;
	}
	for (i = 0; i < w->ncol; i++) {
		if (i > 0)
			buf_addc(b, ',');
		if ((v = json_object_get(obj, w->cols[i])) != NULL)
			put_value(b, v);
	}
	buf_addc(b, '\n');
	return 0;
}

void
csvw_free(struct csvw *w)
{
	size_t i;

	for (i = 0; i < w->ncol && w->cols != NULL; i++)
		free(w->cols[i]);
	free(w->cols);
	memset(w, 0, sizeof(*w));
}
