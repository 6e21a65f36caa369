/*
 * The checking scanners that read most lines without jansson's parser,
 * against jansson on arbitrary bytes: a line jmember_scan() vouches for
 * must be an object jansson accepts (duplicates refused), jtape_scan()
 * must vouch for exactly the same lines, and for a vouched line the
 * tape's members, their numbers and jmember_value()'s trees must be
 * jansson's.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jmember.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_number(double a, double b)
{
	return a == b ? signbit(a) == signbit(b) : isnan(a) && isnan(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jtape t;
	struct jmember m[JMEMBER_MAXKEYS];
	const char *text = (const char *)data, *k;
	json_t *v, *tree, *mv;
	size_t n;
	long i;
	int scan, tape;

	v = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
	scan = jmember_scan(text, size, m, &n) == 0;
	tape = jtape_scan(text, size, &t) == 0;
	if (scan != tape)
		abort();		/* the two walks disagree */
	if (scan) {
		if (v == NULL || !json_is_object(v) || n != json_object_size(v))
			abort();	/* vouched for what jansson refuses */
		if ((tree = jmember_value(text, size)) == NULL ||
		    !json_equal(tree, v))
			abort();	/* another tree than jansson's */
		json_decref(tree);
		json_object_foreach(v, k, mv) {
			i = jtape_find(&t, 0, k, strlen(k));
			if (i < 0)
				abort();	/* a member the tape lost */
			if (t.v[i].type == JNODE_NUMBER &&
			    (!json_is_number(mv) || !same_number(
			    jtape_number(&t.v[i]), json_number_value(mv))))
				abort();	/* another number */
			if ((tree = jmember_value(t.v[i].val,
			    t.v[i].vallen)) == NULL || !json_equal(tree, mv))
				abort();	/* another member value */
			json_decref(tree);
		}
	}
	json_decref(v);
	return 0;
}
