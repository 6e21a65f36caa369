#ifndef ADSIG_JMEMBER_H
#define ADSIG_JMEMBER_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * The top-level members of a JSON object as spans of its text, so a
 * filter that changes a few fields can copy the others byte for byte
 * instead of writing them again (writing reals is the dear part of
 * JSON output).  The text must be one JSON object that jansson already
 * accepted: the walk checks nothing but the structure it needs, and
 * keys come in the order jansson iterates them (insertion order).
 */
struct jmember {
	const char	*key;		/* raw key text between its quotes */
	size_t		 keylen;
	const char	*val;		/* the value's text */
	size_t		 vallen;
	int		 compact;	/* no white space in the value */
};

struct jmember_it {
	const char	*p, *end;
	int		 ws;		/* white space seen so far, anywhere */
};

/* Starts a walk over text[0..len).  Returns 0, or -1 if it is no object. */
int	jmember_start(struct jmember_it *it, const char *text, size_t len);

/*
 * The next member: 1, or 0 after the last one.  After the last one,
 * it->ws tells whether the object's text held any white space outside
 * strings (0: it is compact, as every adsig tool writes it).
 */
int	jmember_next(struct jmember_it *it, struct jmember *m);

/*
 * After jmember_next() returned 0: the position just past the object's
 * closing brace, or NULL when the walk did not end at one.  The text
 * given to jmember_start() may go on after the object (an element of an
 * array, say), so that a walk over the members also finds the object's
 * end without a second pass over its text.
 */
const char *jmember_stop(const struct jmember_it *it);

/* 1 when member m's key is the n bytes of k; JMEMBER_KEY for a literal. */
int	jmember_key_is(const struct jmember *m, const char *k, size_t n);
#define JMEMBER_KEY(m, lit)	jmember_key_is((m), (lit), sizeof(lit) - 1)

/*
 * The whole walk at once: the members of text[0..len) into *m, an array
 * of *cap entries grown (xalloc) as needed.  Returns their number when
 * the text is a compact object of exactly want members (so that they
 * match a parsed object of that size one to one and can be copied byte
 * for byte), else 0.
 */
size_t	jmember_all(const char *text, size_t len, size_t want,
	    struct jmember **m, size_t *cap);

/*
 * The same walk over the elements of a JSON array: jmember_elem_start()
 * returns -1 unless the text starts (after white space) with '[';
 * jmember_elem_next() gives each element's text in *val, *vallen and
 * returns 1, or 0 after the last one.  Like the member walk it trusts
 * text that jansson (or jmember_scan) accepted.
 */
int	jmember_elem_start(struct jmember_it *it, const char *text,
	    size_t len);
int	jmember_elem_next(struct jmember_it *it, const char **val,
	    size_t *vallen);

/*
 * The JSON value of text[0..len), one value of a line jmember_scan()
 * vouched for, built without jansson's parser: what json_loadb() with
 * JSON_DECODE_ANY gives for it (integers as integers, reals by strtod,
 * members in order), faster.  A string with escapes is left to
 * json_loadb().  Returns a new reference, or NULL for text that is no
 * single value.
 */
json_t	*jmember_value(const char *text, size_t len);

/*
 * A checking walk for hot paths: fills m[0..*n) with the top-level
 * members of text[0..len) and returns 0 only when the text is a
 * compact JSON object (no white space outside strings) that jansson
 * certainly accepts with JSON_REJECT_DUPLICATES: valid syntax and UTF-8,
 * no \u0000 or surrogate escapes, integers of at most 18 digits, reals
 * far from overflow, keys without escapes and no duplicate key at any
 * level (at most JMEMBER_MAXKEYS keys an object, JMEMBER_MAXDEPTH
 * levels).  Anything else returns -1: not necessarily bad, but the
 * caller must let jansson parse it (and report what is wrong).
 * tests/unit/test_jmember.c compares it with jansson on random lines.
 */
#define JMEMBER_MAXKEYS		64
#define JMEMBER_MAXDEPTH	64

int	jmember_scan(const char *text, size_t len, struct jmember *m,
	    size_t *n);

/*
 * The same checking walk, recording every value of the line once, in
 * the order of the text, so that a hot path can look up what it needs
 * without walking the text again.  Node 0 is the object itself; the
 * children of a container node i are i + 1, then each child's next,
 * until i's own next.  Keys and strings are raw text (keys never hold
 * escapes in a vouched line; strings with esc set do).
 */
enum jnode_type {
	JNODE_OBJECT = '{', JNODE_ARRAY = '[', JNODE_STRING = '"',
	JNODE_NUMBER = '0', JNODE_TRUE = 't', JNODE_FALSE = 'f',
	JNODE_NULL = 'n'
};

struct jnode {
	const char	*key;		/* member of an object: its key, else NULL */
	const char	*val;		/* the value's text (a string: with quotes) */
	uint32_t	 keylen, vallen;
	uint32_t	 next;		/* the node after this value's subtree */
	uint32_t	 n;		/* containers: the number of children */
	unsigned char	 type;		/* enum jnode_type */
	unsigned char	 esc;		/* a string with a backslash */
	unsigned char	 real;		/* a number with a fraction or exponent */
};

struct jtape {
	struct jnode	*v;
	size_t		 n, cap;	/* grown by xalloc, kept for reuse */
};

/*
 * 0 with t->v[0..t->n) for exactly the lines jmember_scan() accepts,
 * else -1.  jtape_find: the member key[0..len) of object node i, or -1
 * (also when i is no object).  jtape_number: the double jansson's
 * json_number_value() gives for a number node (integers converted from
 * their 64-bit value, reals as strtod() reads them).
 */
int	jtape_scan(const char *text, size_t len, struct jtape *t);
/* The same for a line that is any value, not only an object. */
int	jtape_scan_value(const char *text, size_t len, struct jtape *t);
/*
 * jmember_scan(), and the value of the top-level member key[0..keylen)
 * (when key is not NULL) on the tape t: *node is its node (with that key
 * set), or -1 when the object has no such member.
 */
int	jmember_scan_tape(const char *text, size_t len, struct jmember *m,
	    size_t *n, const char *key, size_t keylen, struct jtape *t,
	    long *node);
long	jtape_find(const struct jtape *t, long i, const char *key,
	    size_t len);
double	jtape_number(const struct jnode *v);
void	jtape_free(struct jtape *t);

#endif
