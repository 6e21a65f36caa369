#ifndef ADSIG_JSIZE_H
#define ADSIG_JSIZE_H
#include <stddef.h>

#include <jansson.h>

/*
 * The number of bytes json_dumpb(v, NULL, 0, JSON_COMPACT) returns for
 * an object or array v (0 where jansson fails: not an object or array,
 * invalid UTF-8 in a string or key), counted by walking the tree without
 * writing it.  Strings and keys are counted by jansson's escaping rules
 * (\" \\ \b \f \n \r \t, \uXXXX for other control characters, "/" and
 * non-ASCII as is), integers as %lld; reals and anything unusual (very
 * deep trees) are handed to json_dumpb itself.  tests/unit/test_jsize.c
 * compares both on random trees.
 */
size_t	jsize_compact(const json_t *v);

#endif
