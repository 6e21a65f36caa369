#ifndef ADSIG_UDF_H
#define ADSIG_UDF_H
#include <stddef.h>
#include <sys/types.h>

/*
 * A co-process for plug-in logic (adsig(7), DESIGN.md "Plug-in logic"):
 * `--udf-exec CMD` runs CMD with /bin/sh -c once per run; each call
 * writes one request line (a JSON text without a newline, plus "\n") to
 * its standard input and reads one answer line from its standard output,
 * in order.  Its standard error is the tool's.  Used by pas-encode
 * (encodeSignals) and meant for pas-retrieve, pas-bid and pas-score: the
 * module knows nothing of JSON, only of lines.
 *
 * Every call is bounded by the timeout (--udf-timeout MS, default 1000),
 * measured from the start of the write to the end of the answer, with
 * poll(2): neither a co-process that stops reading nor one that stops
 * writing can hang the tool.  Memory is bounded too: an answer longer
 * than max_line bytes is a failed call.
 *
 * Outcomes of udf_call:
 *   UDF_OK        *ans holds the answer line (no newline, NUL-terminated,
 *                 borrowed until the next call).  Judging the answer
 *                 (JSON, status, ...) is the caller's business.
 *   UDF_ETIMEOUT  no complete answer in time;
 *   UDF_ETOOLONG  the answer line is longer than max_line;
 *   UDF_EEXTRA    the co-process wrote more than one line for the
 *                 previous request.
 *                 These three are failed calls: the co-process is killed
 *                 (SIGKILL) because its answers can no longer be matched
 *                 to requests, and started afresh by the next call.
 *   UDF_EDEAD     the co-process exited (or closed its standard output)
 *                 on its own: err says "co-process exited with status N"
 *                 or "... was killed by signal N".  The run must stop
 *                 (adsig tools exit 70); later calls return UDF_EDEAD.
 *   UDF_ESYS      it could not be started (fork, pipes): err says why.
 *
 * The write end is a socket (socketpair) written with MSG_NOSIGNAL, so a
 * dead co-process gives an error and never SIGPIPE, while the tool's
 * own standard output keeps the default SIGPIPE behaviour.  Descriptors
 * are close-on-exec, so co-processes inherit none of each other's.
 *
 * Not thread-safe: one struct udf per thread.  Functions never exit or
 * print; they write a short lowercase reason to err (errlen bytes, err
 * may be NULL).  Allocation is xmalloc (exit 71 on failure).
 */

enum {
	UDF_OK = 0,
	UDF_ETIMEOUT = -1,
	UDF_ETOOLONG = -2,
	UDF_EEXTRA = -3,
	UDF_EDEAD = -4,
	UDF_ESYS = -5
};

#define UDF_TIMEOUT_MS	1000		/* the default of --udf-timeout */
#define UDF_MAX_LINE	(16 << 20)	/* the default answer limit */

struct udf {
	char		*cmd;
	int		 timeout_ms;
	size_t		 max_line;
	pid_t		 pid;		/* 0: not running */
	int		 wfd, rfd;	/* its stdin (socket), its stdout */
	int		 dead;		/* exited on its own: no restart */
	char		*rbuf;		/* bytes read, not yet consumed */
	size_t		 rlen, rcap, rpos;
	/* counters */
	unsigned long	 calls, failed, starts;
	int		 status;	/* wait status once reaped */
	char		 deadmsg[160];
};

/*
 * Sets u up for cmd and starts the co-process now, so a command that
 * cannot run shows at once.  timeout_ms > 0; max_line > 0.  Returns
 * UDF_OK or UDF_ESYS.  (A command the shell cannot find starts, then
 * exits 127: the first call says so.)
 */
int	udf_start(struct udf *u, const char *cmd, int timeout_ms,
	    size_t max_line, char *err, size_t errlen);

/* One request, one answer; see the outcomes above.  req holds no '\n'. */
int	udf_call(struct udf *u, const char *req, size_t len, const char **ans,
	    size_t *anslen, char *err, size_t errlen);

/*
 * Closes the co-process's standard input and waits up to the timeout
 * for it to exit, then kills it.  Returns 0 when it exited with status
 * 0 (or was not running), else -1 with the reason in err.  Frees u's
 * buffers.  NULL-safe; safe after UDF_EDEAD.
 */
int	udf_close(struct udf *u, char *err, size_t errlen);

/* "exited with status N" / "was killed by signal N" for a wait status. */
void	udf_status_string(int wstatus, char *out, size_t outlen);

#endif
