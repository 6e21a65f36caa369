#ifndef ADSIG_STRTAB_H
#define ADSIG_STRTAB_H
#include <stddef.h>
#include <stdint.h>

/*
 * A string table: byte strings (any bytes, NUL included) to dense
 * indices 0, 1, 2, ... in the order they were first added, so a caller
 * keeps its per-key data in plain arrays indexed by them.  Open
 * addressing over 64-bit FNV-1a; each key is copied once.  A zeroed
 * struct is an empty table.  Allocation goes through xalloc (exit 71 on
 * out of memory).
 */
struct strtab {
	char		**keys;		/* keys[i]: a copy, NUL-terminated */
	size_t		 *lens;
	size_t		  count, cap;	/* keys held; room in keys/lens */
	uint32_t	 *slots;	/* index + 1, 0 for empty */
	size_t		  nslots;	/* a power of two, or 0 */
};

/* The index of k[0..n), or -1 when it is not in the table. */
long	strtab_find(const struct strtab *t, const char *k, size_t n);

/*
 * The index of k[0..n), added when new (*added, if not NULL, tells).
 */
size_t	strtab_intern(struct strtab *t, const char *k, size_t n, int *added);

static inline const char *
strtab_key(const struct strtab *t, size_t i, size_t *n)
{
	if (n != NULL)
		*n = t->lens[i];
	return t->keys[i];
}

/* Frees everything; the table is empty again.  NULL-safe fields. */
void	strtab_free(struct strtab *t);

#endif
