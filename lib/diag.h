#ifndef ADSIG_DIAG_H
#define ADSIG_DIAG_H
#include <stdarg.h>
#include <stddef.h>

/*
 * Diagnostics and exit statuses.  Every message a tool prints goes
 * through here, in the form "TOOL: message" or "TOOL: FILE:LINE: message"
 * (GNU's format for non-interactive programs).  Exit statuses are the
 * subset of <sysexits.h> listed in adsig(7).
 */

#define ADSIG_VERSION	"0.1.0"

/* Sets the program name from argv[0] (its basename). */
void		 diag_init(const char *argv0);
const char	*diag_progname(void);

/* "TOOL: message\n" on stderr. */
void	diag_warn(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* "TOOL: FILE:LINE: message"; line 0 omits the line, file NULL both. */
void	diag_at(const char *file, unsigned long line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	diag_vat(const char *file, unsigned long line, const char *fmt,
	    va_list ap) __attribute__((format(printf, 3, 0)));
/* diag_warn, then exit(ex).  Never returns. */
_Noreturn void	diag_die(int ex, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * For library functions, which never print: formats a reason into the
 * caller's err[0..errlen) (nothing when err is NULL or errlen 0).
 */
void	diag_errf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Flushes and closes stdout.  Returns rv, or EX_IOERR after a message
 * when the flush or close fails (a full disk).  A closed pipe never
 * gets here: SIGPIPE ends the tool first, quietly, as for any filter.
 */
int	diag_finish(int rv);

/* The first non-zero of a and b: the first error decides the status. */
static inline int
diag_worst(int a, int b)
{
	return a != 0 ? a : b;
}

#endif
