#ifndef ADSIG_RUN_H
#define ADSIG_RUN_H
#include <getopt.h>
#include <stdint.h>
#include <time.h>

#include "out.h"

/*
 * What every tool shares: the common options, the bad-record policy of
 * adsig(7), the closing summary and progress.
 *
 *   -h, --help            usage on stdout, exit 0
 *   -V, --version         version on stdout, exit 0
 *   -o, --output FILE     write FILE atomically instead of stdout
 *   --skip-bad            go on after a bad record (exit 0)
 *   --rejects FILE        with --skip-bad: bad records as NDJSON to FILE
 *   --seed N              reproducible randomness
 *   --progress            progress on stderr even when it is no terminal
 *   -v, --verbose         always print the closing summary
 *   --csv, --output-format ndjson|csv
 *   --input-format auto|ndjson|csv
 *
 * A tool puts RUN_LONGOPTS in its getopt_long table and RUN_SHORTOPTS in
 * its option string, and hands every option its own switch does not know
 * to run_option().
 */
enum {
	RUN_OPT_SKIP_BAD = 0x100, RUN_OPT_REJECTS, RUN_OPT_SEED,
	RUN_OPT_PROGRESS, RUN_OPT_CSV, RUN_OPT_OFORMAT, RUN_OPT_IFORMAT,
	RUN_OPT_TOOL = 0x200		/* tools number their own from here */
};

enum { RUN_FMT_AUTO, RUN_FMT_NDJSON, RUN_FMT_CSV };

#define RUN_SHORTOPTS	"hVo:v"
#define RUN_LONGOPTS							\
	{ "help",          no_argument,       NULL, 'h' },		\
	{ "version",       no_argument,       NULL, 'V' },		\
	{ "output",        required_argument, NULL, 'o' },		\
	{ "verbose",       no_argument,       NULL, 'v' },		\
	{ "skip-bad",      no_argument,       NULL, RUN_OPT_SKIP_BAD },	\
	{ "rejects",       required_argument, NULL, RUN_OPT_REJECTS },	\
	{ "seed",          required_argument, NULL, RUN_OPT_SEED },	\
	{ "progress",      no_argument,       NULL, RUN_OPT_PROGRESS },	\
	{ "csv",           no_argument,       NULL, RUN_OPT_CSV },	\
	{ "output-format", required_argument, NULL, RUN_OPT_OFORMAT },	\
	{ "input-format",  required_argument, NULL, RUN_OPT_IFORMAT }

struct run {
	/* set by the tool before parsing options */
	const char	*synopsis;	/* "usage: ..." lines, without a final \n */
	const char	*help;		/* option summary for --help */
	/* the common options */
	const char	*output;
	const char	*rejects_path;
	int		 skip_bad, verbose, progress;
	int		 out_format, in_format;
	int		 has_seed;
	uint64_t	 seed;
	/* state */
	struct out	 out;
	struct out	 rejects;
	int		 rejects_open;
	unsigned long	 read, wrote, used, rejected;
	int		 status;	/* first error's exit status, 0 if none */
	/* progress */
	int		 show_progress, progress_shown;
	struct timespec	 t0, tlast;
};

/* diag_init, sodium_init (exit 71 on failure), defaults. */
void	run_init(struct run *r, const char *argv0, const char *synopsis,
	    const char *help);

/* Handles a common option: returns 1, or 0 if ch is not one (then the
 * tool calls run_usage_error).  Bad values exit 64 with a message. */
int	run_option(struct run *r, int ch, const char *arg);

/* Usage on stderr and exit 64, after "TOOL: msg" when msg is not NULL. */
_Noreturn void	run_usage_error(struct run *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Option values: a finite decimal number, or an integer from lo to hi.
 * Anything else is a usage error (exit 64): "TOOL: OPT: "ARG" is not a
 * number" or "... is not an integer from LO to HI".
 */
double		run_real(struct run *r, const char *opt, const char *arg);
long long	run_integer(struct run *r, const char *opt, const char *arg,
		    long long lo, long long hi);

/* Opens the output and the rejects file.  Returns 0 or 73 (reported). */
int	run_start(struct run *r);

/*
 * A bad record at file:line whose original text is raw[0..rawlen).
 * Without --skip-bad: "TOOL: FILE:LINE: reason", r->status = 65, and
 * returns 65: the tool stops.  With --skip-bad: the record goes to the
 * rejects file (or its message to stderr), r->rejected++, returns 0.
 */
int	run_bad(struct run *r, const char *file, unsigned long line,
	    const char *raw, size_t rawlen, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));

/* Records an error status (the first one sticks). */
static inline void
run_fail(struct run *r, int ex)
{
	if (r->status == 0)
		r->status = ex;
}

/* Called once per record read; shows progress when asked to. */
void	run_progress(struct run *r);

/*
 * Ends the run: the summary line "TOOL: read N, wrote M, rejected R"
 * ("used U" instead of "wrote M" when consumer is set; extra, if not
 * NULL, is appended as ", extra") when anything was rejected or with
 * --verbose; commits -o and --rejects when the status is 0, else removes
 * them; closes stdout.  Returns the exit status.
 */
int	run_finish(struct run *r, int consumer, const char *extra);

#endif
