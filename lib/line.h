#ifndef ADSIG_LINE_H
#define ADSIG_LINE_H
#include <stddef.h>

#include <zlib.h>

/*
 * A line reader for one input operand: a file or "-" for stdin, plain or
 * gzip (zlib decides by the magic bytes, never by the name; concatenated
 * gzip members are read as one stream).  Lines may be of any length.
 * "\n" and "\r\n" both end a line; the terminator is not returned.  A
 * UTF-8 byte-order mark at the very start is skipped.  Line numbers count
 * every line, blank or not, from 1.
 */
struct line_reader {
	gzFile		 gz;
	int		 fd;
	const char	*name;		/* "<stdin>" or the operand */
	unsigned long	 lineno;	/* number of the line last returned */
	char		*buf;		/* bytes read, not yet consumed */
	size_t		 cap, start, end;
	int		 eof, started;
};

/*
 * Opens path ("-" or NULL: stdin).  Returns 0, or -1 with errno set
 * (the caller reports "TOOL: path: strerror" and exits 66).
 */
int	line_open(struct line_reader *r, const char *path);

/*
 * The next line: *line points into the reader's buffer (valid until the
 * next call) and is NUL-terminated; *len excludes the terminator.
 * Returns 1 for a line, 0 at the end, -1 on a read error (bad gzip, I/O),
 * with a reason from line_error().
 */
int	line_next(struct line_reader *r, char **line, size_t *len);

const char	*line_error(struct line_reader *r);
/* Closes the stream (stdin too: nothing else reads it). NULL-safe fields. */
void		 line_close(struct line_reader *r);

#endif
