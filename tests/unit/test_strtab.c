/* strtab: dense indices in insertion order, any bytes, growth. */
#include <stdio.h>
#include <string.h>

#include "strtab.h"
#include "unit.h"

int
main(void)
{
	struct strtab t = { 0 };
	char k[32];
	size_t i, n;
	int added, ok;

	CHECK(strtab_find(&t, "a", 1) == -1);
	CHECK(strtab_intern(&t, "a", 1, &added) == 0 && added);
	CHECK(strtab_intern(&t, "b", 1, &added) == 1 && added);
	CHECK(strtab_intern(&t, "a", 1, &added) == 0 && !added);
	CHECK(strtab_find(&t, "b", 1) == 1);
	CHECK(strtab_find(&t, "ab", 2) == -1);
	/* NUL bytes are part of a key; "" is a key */
	CHECK(strtab_intern(&t, "x\0y", 3, NULL) == 2);
	CHECK(strtab_find(&t, "x\0z", 3) == -1);
	CHECK(strtab_find(&t, "x", 1) == -1);
	CHECK(strtab_intern(&t, "", 0, NULL) == 3);
	CHECK(strtab_find(&t, "", 0) == 3);
	CHECK(memcmp(strtab_key(&t, 2, &n), "x\0y", 3) == 0 && n == 3);
	/* growth: 100000 keys keep their indices */
	for (i = 0; i < 100000; i++) {
		snprintf(k, sizeof(k), "key-%zu", i);
		strtab_intern(&t, k, strlen(k), NULL);
	}
	CHECK(t.count == 100004);
	for (ok = 1, i = 0; i < 100000; i++) {
		snprintf(k, sizeof(k), "key-%zu", i);
		if (strtab_find(&t, k, strlen(k)) != (long)(i + 4))
			ok = 0;
	}
	CHECK(ok);
	CHECK(strtab_find(&t, "key-100000", 10) == -1);
	strtab_free(&t);
	CHECK(t.count == 0 && strtab_find(&t, "a", 1) == -1);
	strtab_free(&t);
	return unit_report();
}
