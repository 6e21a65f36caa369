#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static const char *progname = "adsig";

void
diag_init(const char *argv0)
{
	const char *p;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	p = strrchr(argv0, '/');
	progname = p != NULL ? p + 1 : argv0;
}

const char *
diag_progname(void)
{
	return progname;
}

void
diag_vat(const char *file, unsigned long line, const char *fmt, va_list ap)
{
	/* One fprintf per piece would interleave with other writers of stderr. */
	char msg[4096];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		msg[0] = '\0';
	if (file != NULL && line > 0)
		fprintf(stderr, "%s: %s:%lu: %s\n", progname, file, line, msg);
	else if (file != NULL)
		fprintf(stderr, "%s: %s: %s\n", progname, file, msg);
	else
		fprintf(stderr, "%s: %s\n", progname, msg);
}

void
diag_at(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vat(file, line, fmt, ap);
	va_end(ap);
}

void
diag_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vat(NULL, 0, fmt, ap);
	va_end(ap);
}

void
diag_die(int ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vat(NULL, 0, fmt, ap);
	va_end(ap);
	exit(ex);
}

int
diag_finish(int rv)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		diag_warn("<stdout>: %s", strerror(errno ? errno : EIO));
		fclose(stdout);
		return rv != 0 && rv != EX_OK ? rv : EX_IOERR;
	}
	if (fclose(stdout) == EOF) {
		diag_warn("<stdout>: %s", strerror(errno));
		return rv != 0 ? rv : EX_IOERR;
	}
	return rv;
}

void
diag_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
