#ifndef ADSIG_TCLINE_H
#define ADSIG_TCLINE_H
#include <stddef.h>

#include <jansson.h>

#include "buf.h"

/*
 * Tag-CTR log lines (adsig(7), "Tag-CTR log line"): one request joined
 * with its click,
 *
 *   {"ts":..,"channel":..,"plan":..,"material":..,"tags":[..],
 *    "attrs":{..},"click":true}
 *
 * read by one of three scanners into the same raw form, then checked by
 * one function, so every path gives the same record and the same
 * message for a bad line:
 *
 *   tcl_scan_fast  the canonical lines tools write (compact, strings
 *                  without escapes, integers only): no allocation; it
 *                  refuses (-1) everything else, and the caller falls
 *                  back to jansson, which also reports syntax errors;
 *   tcl_scan_json  a parsed jansson object;
 *   tcl_scan_csv   a CSV row (an object of strings: ts, channel, plan,
 *                  material, tags as "a|b|c", click, and one column per
 *                  attribute).
 *
 * tests/unit/test_tcline.c checks fast against jansson on random lines.
 */

enum tcl_type {
	TCL_ABSENT, TCL_STRING, TCL_INTEGER, TCL_REAL, TCL_TRUE, TCL_FALSE,
	TCL_NULL, TCL_ARRAY, TCL_OBJECT
};

struct tcl_val {
	enum tcl_type	 t;
	const char	*p;		/* TCL_STRING: bytes (not NUL-ended) */
	size_t		 n;
	long long	 i;		/* TCL_INTEGER */
	double		 d;		/* TCL_REAL */
};

struct tcl_kv {
	const char	*k;
	size_t		 kn;
	struct tcl_val	 v;
};

/* The fields of a line as found; pointers into the line or the object. */
struct tcl_raw {
	struct tcl_val	 ts, channel, plan, material, click, tags, attrs;
	struct tcl_val	*tagv;		/* the elements of an array "tags" */
	size_t		 ntag, captag;
	struct tcl_kv	*attrv;		/* the members of an object "attrs" */
	size_t		 nattr, capattr;
	int		 csv;		/* strings stand for ts and click */
};

/* A checked line.  Strings point into the raw line or into rec's own
 * text buffer (integers written as text). */
struct tcl_str {
	const char	*p;
	size_t		 n;
};

struct tcl_rec {
	double		 ts;
	int		 click;
	struct tcl_str	 channel, plan, material;
	struct tcl_str	*tags;
	size_t		 ntag, captag;
	struct tcl_str	*akey, *aval;	/* attributes whose value is not null */
	size_t		 nattr, capattr;
	struct buf	 text;
};

/* 0 and r filled, or -1: not a canonical line (use jansson). */
int	tcl_scan_fast(struct tcl_raw *r, const char *line, size_t len);
/* obj must outlive r. */
void	tcl_scan_json(struct tcl_raw *r, json_t *obj);
/* A CSV row as rin gives it (strings); obj must outlive r. */
void	tcl_scan_csv(struct tcl_raw *r, json_t *obj);

/*
 * Checks r and fills rec.  Returns NULL, or the reason the line is a bad
 * record (in msg or a constant).
 */
const char	*tcl_check(const struct tcl_raw *r, struct tcl_rec *rec,
		    char *msg, size_t msglen);

void	tcl_raw_free(struct tcl_raw *r);
void	tcl_rec_free(struct tcl_rec *rec);

/*
 * A time: a decimal number of epoch seconds, or RFC 3339
 * ("2023-11-14T22:13:20Z", "...+08:00", fractions).  0 or -1.
 */
int	tcl_parse_time(const char *s, size_t n, double *out);

/*
 * The text of a scalar value: a string as is (*p = v->p), an integer in
 * decimal, a real as the JSON writer spells it, true/false (written to
 * tmp, at least 40 bytes).  Returns 0, or -1 for other types.
 */
int	tcl_scalar_text(const struct tcl_val *v, char *tmp, const char **p,
	    size_t *n);

#endif
