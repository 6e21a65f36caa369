#include "run.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "diag.h"
#include "jw.h"
#include "rng.h"

void
run_init(struct run *r, const char *argv0, const char *synopsis,
    const char *help)
{
	memset(r, 0, sizeof(*r));
	diag_init(argv0);
	r->synopsis = synopsis;
	r->help = help;
	r->out.fd = -1;
	r->rejects.fd = -1;
	if (rng_global_init() == -1)
		diag_die(EX_OSERR, "cannot initialise libsodium");
}

_Noreturn static void
usage(struct run *r, FILE *fp, int ex)
{
	fprintf(fp, "%s\n", r->synopsis);
	if (ex == 0 && r->help != NULL)
		fprintf(fp, "\n%s", r->help);
	if (ex == 0)
		exit(diag_finish(0));
	exit(ex);
}

void
run_usage_error(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		diag_vat(NULL, 0, fmt, ap);
		va_end(ap);
	}
	usage(r, stderr, EX_USAGE);
}

static int
format_arg(struct run *r, const char *opt, const char *arg, int allow_auto)
{
	if (strcmp(arg, "ndjson") == 0 || strcmp(arg, "json") == 0)
		return RUN_FMT_NDJSON;
	if (strcmp(arg, "csv") == 0)
		return RUN_FMT_CSV;
	if (allow_auto && strcmp(arg, "auto") == 0)
		return RUN_FMT_AUTO;
	run_usage_error(r, "%s: unknown format \"%s\"", opt, arg);
}

int
run_option(struct run *r, int ch, const char *arg)
{
	switch (ch) {
	case 'h':
		usage(r, stdout, 0);
	case 'V':
		printf("%s (adsig) %s\n", diag_progname(), ADSIG_VERSION);
		exit(diag_finish(0));
	case 'o':
		r->output = arg;
		return 1;
	case 'v':
		r->verbose = 1;
		return 1;
	case RUN_OPT_SKIP_BAD:
		r->skip_bad = 1;
		return 1;
	case RUN_OPT_REJECTS:
		r->rejects_path = arg;
		return 1;
	case RUN_OPT_SEED:
		if (rng_parse_seed(arg, &r->seed) == -1)
			run_usage_error(r, "--seed: \"%s\" is not an integer "
			    "in [0, 2^64)", arg);
		r->has_seed = 1;
		return 1;
	case RUN_OPT_PROGRESS:
		r->progress = 1;
		return 1;
	case RUN_OPT_CSV:
		r->out_format = RUN_FMT_CSV;
		return 1;
	case RUN_OPT_OFORMAT:
		r->out_format = format_arg(r, "--output-format", arg, 0);
		return 1;
	case RUN_OPT_IFORMAT:
		r->in_format = format_arg(r, "--input-format", arg, 1);
		return 1;
	}
	return 0;
}

double
run_real(struct run *r, const char *opt, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno == ERANGE || !isfinite(v))
		run_usage_error(r, "%s: \"%s\" is not a number", opt, arg);
	return v;
}

long long
run_integer(struct run *r, const char *opt, const char *arg, long long lo,
    long long hi)
{
	const char *d = arg[0] == '-' ? arg + 1 : arg;
	long long v;
	char *end;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (*d < '0' || *d > '9' || *end != '\0' || errno != 0 || v < lo ||
	    v > hi)
		run_usage_error(r, "%s: \"%s\" is not an integer from %lld to "
		    "%lld", opt, arg, lo, hi);
	return v;
}

int
run_start(struct run *r)
{
	int ex;

	if (r->rejects_path != NULL && !r->skip_bad)
		run_usage_error(r, "--rejects needs --skip-bad");
	if ((ex = out_open(&r->out, r->output)) != 0)
		return ex;
	if (r->rejects_path != NULL) {
		if ((ex = out_open(&r->rejects, r->rejects_path)) != 0) {
			out_abort(&r->out);
			return ex;
		}
		r->rejects_open = 1;
	}
	r->show_progress = r->progress || isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	r->tlast = r->t0;
	return 0;
}

int
run_bad(struct run *r, const char *file, unsigned long line, const char *raw,
    size_t rawlen, const char *fmt, ...)
{
	struct buf *b;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!r->skip_bad) {
		diag_at(file, line, "%s", msg);
		run_fail(r, EX_DATAERR);
		return EX_DATAERR;
	}
	r->rejected++;
	if (!r->rejects_open) {
		diag_at(file, line, "%s", msg);
		return 0;
	}
	b = &r->rejects.b;
	buf_adds(b, "{\"file\":");
	jw_string(b, file, strlen(file));
	buf_adds(b, ",\"line\":");
	jw_int(b, (long long)line);
	buf_adds(b, ",\"reason\":");
	jw_string(b, msg, strlen(msg));
	buf_adds(b, ",\"record\":");
	jw_string(b, raw != NULL ? raw : "", raw != NULL ? rawlen : 0);
	buf_adds(b, "}\n");
	if (out_maybe_flush(&r->rejects) != 0) {
		run_fail(r, EX_IOERR);
		return EX_IOERR;
	}
	return 0;
}

static double
elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void
run_progress(struct run *r)
{
	struct timespec now;
	double t;

	if (!r->show_progress || (r->read & 8191) != 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (elapsed(&r->tlast, &now) < 1.0)
		return;
	r->tlast = now;
	t = elapsed(&r->t0, &now);
	fprintf(stderr, "\r%s: %lu records, %.0f records/s ", diag_progname(),
	    r->read, t > 0 ? (double)r->read / t : 0.0);
	r->progress_shown = 1;
}

int
run_finish(struct run *r, int consumer, const char *extra)
{
	int ex;

	if (r->progress_shown || r->progress) {
		/* the last word of the progress line: the whole run */
		struct timespec now;
		double t;

		clock_gettime(CLOCK_MONOTONIC, &now);
		t = elapsed(&r->t0, &now);
		fprintf(stderr, "\r%s: %lu records, %.0f records/s\n",
		    diag_progname(), r->read, t > 0 ? (double)r->read / t : 0.0);
	}
	if (r->rejected > 0 || r->verbose)
		fprintf(stderr, "%s: read %lu, %s %lu, rejected %lu%s%s\n",
		    diag_progname(), r->read, consumer ? "used" : "wrote",
		    consumer ? r->used : r->wrote, r->rejected,
		    extra != NULL ? ", " : "", extra != NULL ? extra : "");
	/* The rejects file first: -o appears only when everything worked. */
	if (r->rejects_open) {
		if (r->status == 0) {
			if ((ex = out_commit(&r->rejects)) != 0)
				run_fail(r, ex);
		} else
			out_abort(&r->rejects);
	}
	if (r->status == 0 || r->out.path == NULL) {
		/* stdout keeps what was written before an error, as jq does */
		if ((ex = out_commit(&r->out)) != 0)
			run_fail(r, ex);
	} else
		out_abort(&r->out);
	return diag_finish(r->status);
}
