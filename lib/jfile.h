#ifndef ADSIG_JFILE_H
#define ADSIG_JFILE_H
#include <stddef.h>

#include <jansson.h>

/*
 * One JSON document from a side file (a model, a schema, a mapping),
 * duplicate keys refused: a new reference, or NULL after writing the
 * reason to err in the form every tool prints after its name:
 *
 *   PATH: strerror        the file cannot be opened (*code EX_NOINPUT)
 *   PATH:LINE: reason     it is not one JSON document (*code EX_DATAERR)
 *
 * code may be NULL.  Never prints, never exits.
 */
json_t	*jfile_load(const char *path, int *code, char *err, size_t errlen);

#endif
