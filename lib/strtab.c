#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static uint64_t
hash(const char *k, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* The slot holding k, or the empty slot where it would go. */
static size_t
probe(const struct strtab *t, const char *k, size_t n, uint64_t h)
{
	size_t mask = t->nslots - 1, i = (size_t)(h ^ (h >> 32)) & mask;
	uint32_t s;

	while ((s = t->slots[i]) != 0) {
		if (t->lens[s - 1] == n && memcmp(t->keys[s - 1], k, n) == 0)
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

long
strtab_find(const struct strtab *t, const char *k, size_t n)
{
	size_t i;

	if (t->nslots == 0)
		return -1;
	i = probe(t, k, n, hash(k, n));
	return t->slots[i] == 0 ? -1 : (long)t->slots[i] - 1;
}

static void
rehash(struct strtab *t, size_t nslots)
{
	size_t i;

	free(t->slots);
	t->slots = xcalloc(nslots, sizeof(*t->slots));
	t->nslots = nslots;
	for (i = 0; i < t->count; i++)
		t->slots[probe(t, t->keys[i], t->lens[i],
		    hash(t->keys[i], t->lens[i]))] = (uint32_t)(i + 1);
}

size_t
strtab_intern(struct strtab *t, const char *k, size_t n, int *added)
{
	size_t i;

	if (added != NULL)
		*added = 0;
	if (t->nslots > 0) {
		i = probe(t, k, n, hash(k, n));
		if (t->slots[i] != 0)
			return t->slots[i] - 1;
	}
	if (2 * (t->count + 1) > t->nslots)
		rehash(t, t->nslots ? 2 * t->nslots : 16);
	if (t->count == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->keys = xreallocarray(t->keys, t->cap, sizeof(*t->keys));
		t->lens = xreallocarray(t->lens, t->cap, sizeof(*t->lens));
	}
	t->keys[t->count] = xmalloc(n + 1);
	memcpy(t->keys[t->count], k, n);
	t->keys[t->count][n] = '\0';
	t->lens[t->count] = n;
	t->slots[probe(t, k, n, hash(k, n))] = (uint32_t)(t->count + 1);
	if (added != NULL)
		*added = 1;
	return t->count++;
}

void
strtab_free(struct strtab *t)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		free(t->keys[i]);
	free(t->keys);
	free(t->lens);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
