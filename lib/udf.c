#include "udf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xalloc.h"

extern char **environ;

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
udf_status_string(int ws, char *out, size_t outlen)
{
	if (WIFEXITED(ws))
		snprintf(out, outlen, "exited with status %d", WEXITSTATUS(ws));
	else if (WIFSIGNALED(ws))
		snprintf(out, outlen, "was killed by signal %d", WTERMSIG(ws));
	else
		snprintf(out, outlen, "stopped (wait status %d)", ws);
}

static long long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void
closefds(struct udf *u)
{
	if (u->wfd >= 0)
		close(u->wfd);
	if (u->rfd >= 0)
		close(u->rfd);
	u->wfd = u->rfd = -1;
	u->rlen = u->rpos = 0;
}

/* Reaps the child, waiting at most ms milliseconds; then SIGKILL. */
static void
reap(struct udf *u, int ms)
{
	long long end = now_ms() + ms;
	pid_t r;
	int ws;

	if (u->pid <= 0)
		return;
	for (;;) {
		r = waitpid(u->pid, &ws, WNOHANG);
		if (r == u->pid || (r == -1 && errno != EINTR))
			break;
		if (r == 0 && now_ms() >= end) {
			kill(u->pid, SIGKILL);
			r = waitpid(u->pid, &ws, 0);
			break;
		}
		if (r == 0)
			poll(NULL, 0, 5);
	}
	u->status = r == u->pid ? ws : 0;
	u->pid = 0;
}

static void
kill_child(struct udf *u)
{
	closefds(u);
	if (u->pid > 0) {
		kill(u->pid, SIGKILL);
		reap(u, 1000);
	}
}

static int
spawn(struct udf *u, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	int sv[2], pv[2], rc;
	char *argv[4];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		seterr(err, errlen, "co-process: socketpair: %s",
		    strerror(errno));
		return UDF_ESYS;
	}
	if (pipe(pv) == -1) {
		seterr(err, errlen, "co-process: pipe: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return UDF_ESYS;
	}
	fcntl(pv[0], F_SETFD, FD_CLOEXEC);
	fcntl(pv[1], F_SETFD, FD_CLOEXEC);
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = u->cmd;
	argv[3] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, pv[1], 1);
	rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	close(pv[1]);
	if (rc != 0) {
		seterr(err, errlen, "co-process: cannot run /bin/sh: %s",
		    strerror(rc));
		close(sv[0]);
		close(pv[0]);
		return UDF_ESYS;
	}
	/* The child reads its own end only; ours says EOF when we close. */
	shutdown(sv[0], SHUT_RD);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	fcntl(pv[0], F_SETFL, fcntl(pv[0], F_GETFL) | O_NONBLOCK);
	u->pid = pid;
	u->wfd = sv[0];
	u->rfd = pv[0];
	u->rlen = u->rpos = 0;
	u->starts++;
	return UDF_OK;
}

int
udf_start(struct udf *u, const char *cmd, int timeout_ms, size_t max_line,
    char *err, size_t errlen)
{
	memset(u, 0, sizeof(*u));
	u->cmd = xstrdup(cmd);
	u->timeout_ms = timeout_ms > 0 ? timeout_ms : UDF_TIMEOUT_MS;
	u->max_line = max_line > 0 ? max_line : UDF_MAX_LINE;
	u->wfd = u->rfd = -1;
	return spawn(u, err, errlen);
}

/* The co-process closed its output or its input: reap, record, fail. */
static int
died(struct udf *u, char *err, size_t errlen)
{
	char how[64];

	closefds(u);
	reap(u, u->timeout_ms);
	udf_status_string(u->status, how, sizeof(how));
	snprintf(u->deadmsg, sizeof(u->deadmsg), "co-process %s", how);
	u->dead = 1;
	seterr(err, errlen, "%s", u->deadmsg);
	return UDF_EDEAD;
}

static int
fail(struct udf *u, int code, char *err, size_t errlen, const char *msg)
{
	u->failed++;
	kill_child(u);
	seterr(err, errlen, "co-process %s (killed; restarted for the next "
	    "call)", msg);
	return code;
}

int
udf_call(struct udf *u, const char *req, size_t len, const char **ans,
    size_t *anslen, char *err, size_t errlen)
{
	struct pollfd pf[2];
	size_t off = 0, scan;
	long long end;
	ssize_t n;
	char *nl, msg[64];
	int rc, left, np;

	*ans = NULL;
	*anslen = 0;
	if (u->dead) {
		seterr(err, errlen, "%s", u->deadmsg);
		return UDF_EDEAD;
	}
	if (u->pid == 0 && (rc = spawn(u, err, errlen)) != UDF_OK)
		return rc;
	u->calls++;
	if (u->rpos < u->rlen)
		return fail(u, UDF_EEXTRA, err, errlen,
		    "wrote more than one line for a request");
	u->rlen = u->rpos = 0;
	scan = 0;
	end = now_ms() + u->timeout_ms;
	/* The request and its newline, then the answer up to a newline. */
	for (;;) {
		np = 0;
		if (off < len + 1) {
			pf[np].fd = u->wfd;
			pf[np++].events = POLLOUT;
		}
		pf[np].fd = u->rfd;
		pf[np++].events = POLLIN;
		left = (int)(end - now_ms());
		if (left <= 0) {
			snprintf(msg, sizeof(msg), "gave no answer within %d ms",
			    u->timeout_ms);
			return fail(u, UDF_ETIMEOUT, err, errlen, msg);
		}
		if (poll(pf, (nfds_t)np, left) == -1) {
			if (errno == EINTR)
				continue;
			seterr(err, errlen, "co-process: poll: %s",
			    strerror(errno));
			return UDF_ESYS;
		}
		if (np == 2 && (pf[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
			if (off < len)
				n = send(u->wfd, req + off, len - off,
				    MSG_NOSIGNAL);
			else
				n = send(u->wfd, "\n", 1, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			else if (n == -1 && errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR)
				return died(u, err, errlen);
		}
		if (!(pf[np - 1].revents & (POLLIN | POLLERR | POLLHUP)))
			continue;
		if (u->rcap - u->rlen < 65536) {
			u->rcap = u->rcap ? u->rcap * 2 : 65536;
			if (u->rcap < u->rlen + 65536)
				u->rcap = u->rlen + 65536;
			u->rbuf = xrealloc(u->rbuf, u->rcap);
		}
		n = read(u->rfd, u->rbuf + u->rlen, u->rcap - u->rlen - 1);
		if (n == 0)
			return died(u, err, errlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				continue;
			return died(u, err, errlen);
		}
		u->rlen += (size_t)n;
		if ((nl = memchr(u->rbuf + scan, '\n', u->rlen - scan)) !=
		    NULL) {
			if ((size_t)(nl - u->rbuf) > u->max_line)
				break;
			if (off < len + 1)	/* answered before it was asked */
				return fail(u, UDF_EEXTRA, err, errlen,
				    "answered before reading the request");
			*nl = '\0';
			*anslen = (size_t)(nl - u->rbuf);
			if (*anslen > 0 && u->rbuf[*anslen - 1] == '\r')
				u->rbuf[--*anslen] = '\0';
			*ans = u->rbuf;
			u->rpos = (size_t)(nl - u->rbuf) + 1;
			return UDF_OK;
		}
		scan = u->rlen;
		if (u->rlen > u->max_line)
			break;
	}
	snprintf(msg, sizeof(msg), "answer is longer than %zu bytes",
	    u->max_line);
	return fail(u, UDF_ETOOLONG, err, errlen, msg);
}

int
udf_close(struct udf *u, char *err, size_t errlen)
{
	char how[64];
	int rv = 0;

	if (u == NULL)
		return 0;
	if (u->pid > 0) {
		if (u->wfd >= 0) {
			close(u->wfd);
			u->wfd = -1;
		}
		reap(u, u->timeout_ms);
		if (u->status != 0) {
			udf_status_string(u->status, how, sizeof(how));
			seterr(err, errlen, "co-process %s", how);
			rv = -1;
		}
	} else if (u->dead) {
		seterr(err, errlen, "%s", u->deadmsg);
		rv = -1;
	}
	closefds(u);
	free(u->rbuf);
	free(u->cmd);
	u->rbuf = u->cmd = NULL;
	u->rcap = 0;
	return rv;
}
