#define _GNU_SOURCE	/* F_SETPIPE_SZ, where there is one */
#include "out.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "diag.h"
#include "xalloc.h"

/*
 * Temporary files not yet committed, for the exit and signal handlers.
 * A fixed table: a tool has at most a handful of outputs.
 */
#define OUT_MAXTMP	16
static char *volatile pending[OUT_MAXTMP];
static int handlers_set;

static void
unlink_pending(void)
{
	int i;

	for (i = 0; i < OUT_MAXTMP; i++)
		if (pending[i] != NULL)
			unlink(pending[i]);
}

static void
on_signal(int sig)
{
	unlink_pending();	/* unlink(2) is async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
track(char *tmp)
{
	struct sigaction sa;
	int i;

	if (!handlers_set) {
		handlers_set = 1;
		atexit(unlink_pending);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	for (i = 0; i < OUT_MAXTMP; i++)
		if (pending[i] == NULL) {
			pending[i] = tmp;
			return;
		}
}

static void
untrack(const char *tmp)
{
	int i;

	for (i = 0; i < OUT_MAXTMP; i++)
		if (pending[i] == tmp)
			pending[i] = NULL;
}

/*
 * A pipe 1 MB wide, the most Linux lets any process make it by default
 * (a pipe starts at 64 KB): a 64 KB flush then no longer fills it, and
 * the writer and the reader of a pipeline stop waking each other at
 * every flush.  Anything else, or a refusal, leaves it as it is.
 */
static void
wide_pipe(int fd)
{
#ifdef F_SETPIPE_SZ
	struct stat st;

	/* never narrower than a pipe the parent made wider already */
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    fcntl(fd, F_GETPIPE_SZ) < (1 << 20))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
	(void)fd;
#endif
}

int
out_open(struct out *o, const char *path)
{
	const char *slash, *base;
	struct stat st;
	size_t dirlen;
	mode_t mask;

	memset(o, 0, sizeof(*o));
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		wide_pipe(o->fd);
		return 0;
	}
	o->path = path;
	/*
	 * Only a regular file (or a new one) is replaced by rename: a device,
	 * a FIFO or a socket (-o /dev/null, -o /dev/stderr, a named pipe) is
	 * written in place, or the rename would replace the node itself.
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->fd = open(path, O_WRONLY)) == -1) {
			diag_warn("%s: %s", path, strerror(errno));
			return EX_CANTCREAT;
		}
		o->inplace = 1;
		return 0;
	}
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	o->tmp = xmalloc(dirlen + strlen(base) + 9);
	memcpy(o->tmp, path, dirlen);
	sprintf(o->tmp + dirlen, ".%s.XXXXXX", base);
	if ((o->fd = mkstemp(o->tmp)) == -1) {
		diag_warn("%s: %s", path, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return EX_CANTCREAT;
	}
	/* mkstemp makes 0600; give the file the mode a plain creat would. */
	mask = umask(0);
	umask(mask);
	fchmod(o->fd, 0666 & ~mask);
	track(o->tmp);
	return 0;
}

int
out_flush(struct out *o)
{
	size_t off = 0;
	ssize_t n;

	if (o->failed) {
		o->b.len = 0;
		return EX_IOERR;
	}
	while (off < o->b.len) {
		n = write(o->fd, o->b.p + off, o->b.len - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE) {
				/* A reader went away: end as SIGPIPE would. */
				unlink_pending();
				signal(SIGPIPE, SIG_DFL);
				raise(SIGPIPE);
			}
			o->failed = errno;
			diag_warn("%s: %s", o->path ? o->path : "<stdout>",
			    strerror(errno));
			o->b.len = 0;
			return EX_IOERR;
		}
		off += (size_t)n;
	}
	o->b.len = 0;
	return 0;
}

static void
drop_tmp(struct out *o)
{
	if (o->tmp != NULL) {
		untrack(o->tmp);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
}

int
out_commit(struct out *o)
{
	int ex;

	ex = out_flush(o);
	buf_free(&o->b);
	if (o->path == NULL)
		return ex;
	if (o->inplace) {
		if (close(o->fd) == -1 && ex == 0) {
			diag_warn("%s: %s", o->path, strerror(errno));
			ex = EX_IOERR;
		}
		o->fd = -1;
		return ex;
	}
	if (ex == 0 && o->durable && fsync(o->fd) == -1 && errno != EINVAL) {
		diag_warn("%s: %s", o->path, strerror(errno));
		ex = EX_IOERR;
	}
	if (close(o->fd) == -1 && ex == 0) {
		diag_warn("%s: %s", o->path, strerror(errno));
		ex = EX_IOERR;
	}
	o->fd = -1;
	if (ex == 0 && rename(o->tmp, o->path) == -1) {
		diag_warn("%s: %s", o->path, strerror(errno));
		ex = EX_CANTCREAT;
	}
	if (ex != 0) {
		drop_tmp(o);
		return ex;
	}
	untrack(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

void
out_abort(struct out *o)
{
	buf_free(&o->b);
	if (o->path != NULL && o->fd != -1) {
		close(o->fd);
		o->fd = -1;
	}
	drop_tmp(o);
}
