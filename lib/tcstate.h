#ifndef ADSIG_TCSTATE_H
#define ADSIG_TCSTATE_H
#include <stddef.h>

#include <zlib.h>

/*
 * The hourly state of tagctr-build (--state DIR): one gzip file of count
 * records per log hour, DIR/YYYY-MM-DDTHHZ.counts.gz (UTC), and a lock,
 * DIR/lock.
 *
 * A run takes the lock (flock, not blocking: a second run gets exit 75
 * at once), writes the hours of its input to temporary files
 * (DIR/.tmp.*), builds the matrix from the state as it will be, and only
 * then commits: renames the new hours over the old ones and removes the
 * hours older than the windows.  A run that fails or is killed before
 * the commit leaves the old state untouched; its temporary files are
 * removed by the next run.
 */
struct tcs_new {
	long long	 hour;
	char		*tmp;
	gzFile		 gz;
};

struct tc_state {
	char		*dir;
	int		 lockfd;
	long long	*hours;		/* hours on disk, ascending */
	size_t		 nhours;
	struct tcs_new	*nw;		/* hours written by this run */
	size_t		 nnew;
	int		 failed;	/* a write failed (reported) */
};

/* Creates DIR if needed, locks it, lists it.  Returns 0, 75 when the
 * lock is held, or another exit status, after a message. */
int	tcs_open(struct tc_state *s, const char *dir);

/* The sink of tagctr's count rows: a row of bucket (an hour). */
void	tcs_row(void *ctx, long long bucket, const char *row, size_t n);

/* Closes the new hour files.  0 or 74 after a message. */
int	tcs_close_new(struct tc_state *s);

/*
 * Every hour of the state as it will be (on disk and new), ascending,
 * with the file to read for each (new ones first).  Free *hours and
 * each (*paths)[i] and *paths.
 */
size_t	tcs_hours(const struct tc_state *s, long long **hours, char ***paths);

/* Renames the new hours into place, removes hours before keep_from.
 * 0 or 74 after a message. */
int	tcs_commit(struct tc_state *s, long long keep_from);

/* Removes the temporary files; releases the lock. */
void	tcs_close(struct tc_state *s);

/* The file name of an hour, into out (64 bytes). */
void	tcs_name(long long hour, char *out);

#endif
