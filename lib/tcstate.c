#include "tcstate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "tcdim.h"
#include "xalloc.h"

void
tcs_name(long long hour, char *out)
{
	time_t t = (time_t)hour;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 64, "%04d-%02d-%02dT%02dZ.counts.gz", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
}

/* The hour of a state file name, or -1 when it is not one. */
static int
parse_name(const char *name, long long *hour)
{
	struct tm tm;
	char back[64];
	int y, mo, d, h, n = 0;

	if (sscanf(name, "%4d-%2d-%2dT%2dZ.counts.gz%n", &y, &mo, &d, &h,
	    &n) != 4 || name[n] != '\0')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	*hour = (long long)timegm(&tm);
	tcs_name(*hour, back);
	return strcmp(back, name) == 0 ? 0 : -1;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static char *
path_in(const struct tc_state *s, const char *name)
{
	size_t n = strlen(s->dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", s->dir, name);
	return p;
}

int
tcs_open(struct tc_state *s, const char *dir)
{
	struct dirent *de;
	char *lock, pid[32];
	DIR *d;
	ssize_t n;
	long long h;

	memset(s, 0, sizeof(*s));
	s->lockfd = -1;
	s->dir = xstrdup(dir);
	if (mkdir(dir, 0777) == -1 && errno != EEXIST) {
		diag_warn("%s: %s", dir, strerror(errno));
		return EX_CANTCREAT;
	}
	lock = path_in(s, "lock");
	if ((s->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) ==
	    -1) {
		diag_warn("%s: %s", lock, strerror(errno));
		free(lock);
		return EX_CANTCREAT;
	}
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) == -1) {
		int e = errno;

		n = pread(s->lockfd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			diag_warn("%s: locked by another run%s%s%s; try again "
			    "later", dir, *pid ? " (pid " : "", pid,
			    *pid ? ")" : "");
		else
			diag_warn("%s: %s", lock, strerror(e));
		close(s->lockfd);
		s->lockfd = -1;
		free(lock);
		return EX_TEMPFAIL;
	}
	free(lock);
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(s->lockfd, 0) == -1 || pwrite(s->lockfd, pid, (size_t)n,
	    0) != n)
		diag_warn("%s/lock: %s", dir, strerror(errno));
	if ((d = opendir(dir)) == NULL) {
		diag_warn("%s: %s", dir, strerror(errno));
		return EX_NOINPUT;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, ".tmp.", 5) == 0) {
			char *p = path_in(s, de->d_name);

			unlink(p);	/* left by a run that died */
			free(p);
			continue;
		}
		if (parse_name(de->d_name, &h) != 0)
			continue;
		s->hours = xreallocarray(s->hours, s->nhours + 1,
		    sizeof(*s->hours));
		s->hours[s->nhours++] = h;
	}
	closedir(d);
	if (s->nhours > 0)
		qsort(s->hours, s->nhours, sizeof(*s->hours), cmp_ll);
	return 0;
}

void
tcs_row(void *ctx, long long bucket, const char *row, size_t n)
{
	struct tc_state *s = ctx;
	struct tcs_new *h = NULL;
	char name[64];
	size_t i;
	int fd;

	for (i = s->nnew; i > 0; i--)
		if (s->nw[i - 1].hour == bucket) {
			h = &s->nw[i - 1];
			break;
		}
	if (h == NULL) {
		s->nw = xreallocarray(s->nw, s->nnew + 1, sizeof(*s->nw));
		h = &s->nw[s->nnew++];
		memset(h, 0, sizeof(*h));
		h->hour = bucket;
		tcs_name(bucket, name);
		h->tmp = xmalloc(strlen(s->dir) + strlen(name) + 16);
		sprintf(h->tmp, "%s/.tmp.%s.XXXXXX", s->dir, name);
		if ((fd = mkstemp(h->tmp)) == -1 ||
		    (h->gz = gzdopen(fd, "wb6")) == NULL) {
			if (!s->failed)
				diag_warn("%s: %s", h->tmp, strerror(errno));
			s->failed = EX_CANTCREAT;
			return;
		}
	}
	if (h->gz == NULL)
		return;
	if (gzwrite(h->gz, row, (unsigned)n) != (int)n) {
		if (!s->failed)
			diag_warn("%s: write error", h->tmp);
		s->failed = EX_IOERR;
	}
}

int
tcs_close_new(struct tc_state *s)
{
	size_t i;

	for (i = 0; i < s->nnew; i++)
		if (s->nw[i].gz != NULL) {
			if (gzclose(s->nw[i].gz) != Z_OK && !s->failed) {
				diag_warn("%s: write error", s->nw[i].tmp);
				s->failed = EX_IOERR;
			}
			s->nw[i].gz = NULL;
		}
	return s->failed;
}

size_t
tcs_hours(const struct tc_state *s, long long **hours, char ***paths)
{
	size_t n = 0, i, j;
	long long *h = xmalloc((s->nhours + s->nnew + 1) * sizeof(*h));
	char **p = xmalloc((s->nhours + s->nnew + 1) * sizeof(*p)), name[64];

	for (i = 0; i < s->nnew; i++)
		h[n++] = s->nw[i].hour;
	for (i = 0; i < s->nhours; i++) {
		for (j = 0; j < s->nnew; j++)
			if (s->nw[j].hour == s->hours[i])
				break;
		if (j == s->nnew)
			h[n++] = s->hours[i];
	}
	qsort(h, n, sizeof(*h), cmp_ll);
	for (i = 0; i < n; i++) {
		p[i] = NULL;
		for (j = 0; j < s->nnew; j++)
			if (s->nw[j].hour == h[i])
				p[i] = xstrdup(s->nw[j].tmp);
		if (p[i] == NULL) {
			tcs_name(h[i], name);
			p[i] = path_in(s, name);
		}
	}
	*hours = h;
	*paths = p;
	return n;
}

int
tcs_commit(struct tc_state *s, long long keep_from)
{
	char name[64], *p;
	size_t i;
	int dfd;

	for (i = 0; i < s->nnew; i++) {
		int fd;

		tcs_name(s->nw[i].hour, name);
		p = path_in(s, name);
		if ((fd = open(s->nw[i].tmp, O_RDONLY)) != -1) {
			fsync(fd);		/* on disk before it is renamed */
			close(fd);
		}
		if (chmod(s->nw[i].tmp, 0644) == -1 ||
		    rename(s->nw[i].tmp, p) == -1) {
			diag_warn("%s: %s", p, strerror(errno));
			free(p);
			return EX_IOERR;
		}
		free(p);
		free(s->nw[i].tmp);
		s->nw[i].tmp = NULL;
	}
	for (i = 0; i < s->nhours; i++)
		if (s->hours[i] < keep_from) {
			tcs_name(s->hours[i], name);
			p = path_in(s, name);
			if (unlink(p) == -1 && errno != ENOENT)
				diag_warn("%s: %s", p, strerror(errno));
			free(p);
		}
	for (i = 0; i < s->nnew; i++)
		if (s->nw[i].hour < keep_from) {
			tcs_name(s->nw[i].hour, name);
			p = path_in(s, name);
			unlink(p);
			free(p);
		}
	if ((dfd = open(s->dir, O_RDONLY | O_DIRECTORY)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void
tcs_close(struct tc_state *s)
{
	size_t i;

	for (i = 0; i < s->nnew; i++) {
		if (s->nw[i].gz != NULL)
			gzclose(s->nw[i].gz);
		if (s->nw[i].tmp != NULL) {
			unlink(s->nw[i].tmp);
			free(s->nw[i].tmp);
		}
	}
	free(s->nw);
	free(s->hours);
	if (s->lockfd != -1)
		close(s->lockfd);
	free(s->dir);
	memset(s, 0, sizeof(*s));
	s->lockfd = -1;
}
