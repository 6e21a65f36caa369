#ifndef ADSIG_OUT_H
#define ADSIG_OUT_H
#include <stddef.h>

#include "buf.h"

/*
 * An output: standard output, or a file written atomically.  For a file,
 * bytes go to a temporary file in the same folder (".NAME.XXXXXX"), and
 * out_commit() renames it over NAME; until then NAME is untouched.  With
 * durable set, out_commit() fsyncs the file before the rename, so that
 * after a crash of the machine NAME is the old file or the whole new one
 * (state a cron job publishes: tagctr-build --state).  Stream outputs
 * leave that to the kernel, as sort -o and gzip do: the fsync of a
 * replay's gigabytes cost as much CPU as the tool itself.  A NAME that
 * exists and is not a regular file (/dev/null, a FIFO) is opened and
 * written in place instead.  A temporary file not committed is removed
 * by out_abort(), at exit, and on SIGINT/SIGTERM/SIGHUP, so a failed run
 * leaves nothing.
 *
 * Writes are buffered in o->b; tools append with buf_* and call
 * out_maybe_flush() once per record.  A closed pipe ends the tool by
 * SIGPIPE (the default disposition is kept), as Unix filters do.
 */
struct out {
	int		 fd;
	const char	*path;		/* NULL: stdout */
	char		*tmp;		/* temporary name, NULL when committed */
	struct buf	 b;
	int		 failed;	/* errno of the first write error */
	int		 inplace;	/* path is no regular file: written as is */
	int		 durable;	/* fsync before the rename */
	unsigned long	 records;
};

/*
 * Opens path (NULL or "-": stdout).  Returns 0, or EX_CANTCREAT (73)
 * after a message.
 */
int	out_open(struct out *o, const char *path);

/* Writes the buffer out. Returns 0, or EX_IOERR (74) after a message. */
int	out_flush(struct out *o);

static inline int
out_maybe_flush(struct out *o)
{
	return o->b.len >= 64 * 1024 ? out_flush(o) : 0;
}

/*
 * Flushes, and for a file: fsync (when durable), rename into place.  For stdout it
 * flushes only (diag_finish closes it).  Returns 0 or 74 after a message;
 * on failure the temporary file is removed.  Frees the buffer.
 */
int	out_commit(struct out *o);

/* Removes an uncommitted temporary file and frees the buffer. */
void	out_abort(struct out *o);

#endif
