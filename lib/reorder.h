#ifndef ADSIG_REORDER_H
#define ADSIG_REORDER_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ts.h"

/*
 * A reorder window over a stream of records: timed records come out in
 * time order (ties in arrival order) once the latest time seen is at
 * least window seconds past theirs; an untimed record keeps its place
 * after the latest time seen before it.  Memory grows with the records
 * inside the window, not with the input.  Allocation failures exit 71.
 */
struct reorder_rec {
	json_t		*obj;		/* a reference */
	char		*raw;		/* a copy of the line */
	size_t		 rawlen;
	const char	*file;		/* borrowed */
	unsigned long	 line;
	struct ts	 key;
	unsigned long	 seq;
};

struct reorder {
	struct reorder_rec	*h;	/* a min-heap on (key, seq) */
	size_t			 n, cap;
	unsigned long		 seq;
	struct ts		 max;
	int			 have_max;
	int64_t			 window;
};

void	reorder_init(struct reorder *q, int64_t window);

/*
 * Holds a record: obj gains a reference, raw is copied, file is
 * borrowed.  key NULL: an untimed record.
 */
void	reorder_push(struct reorder *q, const struct ts *key, json_t *obj,
	    const char *raw, size_t rawlen, const char *file,
	    unsigned long line);

/*
 * The next record that is due (every held one when drain is set) into
 * *out, which the caller frees with reorder_rec_free(): 1, or 0 when
 * none is due.
 */
int	reorder_next(struct reorder *q, int drain, struct reorder_rec *out);

void	reorder_rec_free(struct reorder_rec *x);
void	reorder_free(struct reorder *q);

#endif
