#ifndef ADSIG_RIN_H
#define ADSIG_RIN_H
#include <jansson.h>

#include "csvio.h"
#include "jmember.h"
#include "line.h"
#include "run.h"

/*
 * Record input over a tool's operands (none: stdin): NDJSON, or CSV with
 * a header when the operand is named *.csv or *.csv.gz or the tool was
 * given --input-format csv.  Each record becomes a JSON object; a CSV row
 * becomes an object of strings keyed by the header, blanks left out.
 *
 * Every problem is dealt with here, by the policy of adsig(7): an operand
 * that cannot be opened is reported and skipped (status 66), a line that
 * is not a JSON object or a CSV row of the wrong width is a bad record
 * (run_bad), a read error (I/O, truncated gzip) ends that operand.
 */
struct rin {
	struct run	 *run;
	char		**paths;
	int		  npaths, next;
	int		  lazy;		/* NDJSON: leave rec parsing to the tool */
	int		  csv_raw;	/* CSV: no obj; the tool reads in->csv */
	unsigned long	  jflags;	/* json_loadb flags */
	/* the open operand */
	int		  open, is_csv;
	struct line_reader lr;
	struct csvin	  csv;
	/* the current record */
	json_t		 *obj;		/* owned by rin until the next call */
	const char	 *file;
	unsigned long	  line;
	const char	 *raw;		/* original text, for rejects */
	size_t		  rawlen;
	struct jmember	  mem[JMEMBER_MAXKEYS];	/* scratch of rin_parse() */
};

/* paths/npaths: the operands (npaths 0 means stdin). */
void	rin_init(struct rin *in, struct run *run, char **paths, int npaths);

/*
 * The next record: 1 (in->obj set, or only in->raw with lazy NDJSON, or
 * only the fields in in->csv with csv_raw CSV),
 * 0 at the end of all input, or -1 when the run must stop
 * (in->run->status says why).  Bad records skipped under --skip-bad are
 * counted and never returned.  Counts run->read.
 */
int	rin_next(struct rin *in);

/* 1 when obj has a string "type" equal to type. */
int	rin_type_is(const json_t *obj, const char *type);

/*
 * Parses the lazily returned NDJSON line into in->obj.  Returns 0, 1 if
 * it was a bad record skipped under --skip-bad, or -1 to stop.
 */
int	rin_parse(struct rin *in);

/*
 * The value at a field name of a record: the key itself when the object
 * has it, else the dotted path through nested objects ("stats.clicks").
 * Borrowed; NULL when absent.
 */
json_t	*rin_lookup(json_t *obj, const char *path);

/* Frees the current record and closes the operand. */
void	rin_close(struct rin *in);

#endif
