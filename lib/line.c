#include "line.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

#define LINE_CHUNK	(256 * 1024)

static char errbuf[256];

int
line_open(struct line_reader *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	if (path == NULL || strcmp(path, "-") == 0) {
		r->name = "<stdin>";
		r->fd = dup(STDIN_FILENO);
	} else {
		r->name = path;
		r->fd = open(path, O_RDONLY);
	}
	if (r->fd == -1)
		return -1;
	if ((r->gz = gzdopen(r->fd, "rb")) == NULL) {
		close(r->fd);
		errno = ENOMEM;
		return -1;
	}
	gzbuffer(r->gz, LINE_CHUNK);
	r->cap = LINE_CHUNK;
	r->buf = xmalloc(r->cap + 1);
	return 0;
}

const char *
line_error(struct line_reader *r)
{
	const char *msg;
	int zerr;

	msg = gzerror(r->gz, &zerr);
	if (zerr == Z_ERRNO)
		return strerror(errno);
	if (zerr == Z_BUF_ERROR)
		return "truncated gzip stream";
	if (msg == NULL || *msg == '\0')
		return "read error";
	snprintf(errbuf, sizeof(errbuf), "gzip: %s", msg);
	return errbuf;
}

/* Reads more bytes after r->end, moving or growing the buffer as needed. */
static int
fill(struct line_reader *r)
{
	int n;

	if (r->start > 0 && r->start == r->end)
		r->start = r->end = 0;
	if (r->cap - r->end < LINE_CHUNK / 2) {
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->cap - r->end < LINE_CHUNK / 2) {
			r->cap *= 2;
			r->buf = xrealloc(r->buf, r->cap + 1);
		}
	}
	n = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end > (1u << 30) ?
	    (1u << 30) : r->cap - r->end));
	if (n < 0)
		return -1;
	if (n == 0) {
		int zerr;

		gzerror(r->gz, &zerr);
		if (zerr != Z_OK)
			return -1;
		r->eof = 1;
	}
	r->end += (size_t)n;
	return 0;
}

int
line_next(struct line_reader *r, char **line, size_t *len)
{
	char *nl, *p;
	size_t scanned = 0, n;

	for (;;) {
		p = r->buf + r->start;
		nl = memchr(p + scanned, '\n', r->end - r->start - scanned);
		if (nl != NULL)
			break;
		if (r->eof) {
			if (r->start == r->end)
				return 0;
			nl = r->buf + r->end;	/* last line without '\n' */
			break;
		}
		scanned = r->end - r->start;
		if (fill(r) == -1)
			return -1;
	}
	p = r->buf + r->start;
	n = (size_t)(nl - p);
	r->start += n + (nl < r->buf + r->end ? 1 : 0);
	if (r->start > r->end)
		r->start = r->end;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	p[n] = '\0';
	r->lineno++;
	if (!r->started) {
		r->started = 1;
		if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
			p += 3;
			n -= 3;
		}
	}
	*line = p;
	*len = n;
	return 1;
}

void
line_close(struct line_reader *r)
{
	if (r->gz != NULL)
		gzclose(r->gz);	/* closes r->fd too */
	r->gz = NULL;
	free(r->buf);
	r->buf = NULL;
}
