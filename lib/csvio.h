#ifndef ADSIG_CSVIO_H
#define ADSIG_CSVIO_H
#include <stddef.h>

#include <csv.h>
#include <jansson.h>

#include "buf.h"
#include "line.h"

/*
 * CSV with a header row, read through libcsv over a line reader (so
 * plain or gzip, CRLF, BOM, any line length).  Quoted fields may hold
 * commas, quotes ("") and newlines.  An unquoted empty field is a blank,
 * a missing value (field pointer NULL); a quoted "" is an empty string.
 * Blank lines between rows are skipped.  Each row knows the line it
 * started on and its original text, for messages and rejects files.
 */
struct csvin {
	struct line_reader	 lr;
	struct csv_parser	 p;
	char			**hdr;		/* column names */
	size_t			 ncol;
	/* the current row: field i is data.p + off[i] (len[i]), or blank */
	struct buf		 data;
	size_t			*off, *len;
	unsigned char		*blank;
	size_t			 nf, capf;
	int			 row_done;
	int			 at_row_start;
	unsigned long		 row_line;	/* first line of the row */
	struct buf		 raw;		/* its text, lines joined by \n */
};

/*
 * Opens path ("-": stdin) and reads the header.  Returns 0; -1 with errno
 * when it cannot be opened (exit 66); 65 after reporting a bad header
 * (empty file, duplicate or empty column name) through diag.
 */
int	csvin_open(struct csvin *c, const char *path);

/*
 * Reads the next row.  Returns 1 (the fields are in c), 0 at the end, -1
 * on a read or syntax error with *why set (unterminated quote, bad gzip).
 * A row whose field count differs from the header is returned as is;
 * csvin_check_width() tells.
 */
int	csvin_next(struct csvin *c, const char **why);

/* NULL if the row has as many fields as the header, else a reason. */
const char	*csvin_check_width(struct csvin *c, char *msg, size_t msglen);

static inline const char *
csvin_field(const struct csvin *c, size_t i, size_t *len)
{
	if (i >= c->nf || c->blank[i]) {
		*len = 0;
		return NULL;
	}
	*len = c->len[i];
	return c->data.p + c->off[i];
}

/* Column index of name, or -1. */
long	csvin_column(const struct csvin *c, const char *name);
void	csvin_close(struct csvin *c);

/*
 * CSV output: one field, quoted when it holds a comma, quote, CR, LF or
 * leading/trailing space; fields of a row separated by commas.
 */
void	csv_put_field(struct buf *b, const char *s, size_t n);


/*
 * CSV output of JSON records.  The header is the keys of the first record
 * (or the columns given to csvw_init); values are written as text:
 * strings as they are, numbers as the JSON writer spells them, booleans
 * as true/false, null or a missing key as a blank, arrays and objects as
 * their compact JSON text.
 */
struct csvw {
	char	**cols;
	size_t	  ncol;
	int	  header_done;
};

/* cols NULL: take the first record's keys. */
void	csvw_init(struct csvw *w, const char *const *cols, size_t ncol);
/*
 * Appends the header (first call) and one row for obj to b.  Returns 0,
 * or -1 with *badkey set when obj has a key that is not a column (the
 * row is not written).
 */
int	csvw_record(struct csvw *w, struct buf *b, json_t *obj,
	    const char **badkey);
void	csvw_free(struct csvw *w);

#endif
