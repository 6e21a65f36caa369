/*
 * reorder: records out of order within the window come out sorted by
 * time, ties in arrival order; untimed records keep their place after
 * the latest time before them; a record is held until the latest time
 * is a window past it; drain releases the rest.
 */
#include <string.h>

#include "reorder.h"
#include "rng.h"
#include "unit.h"

static struct ts
at(int64_t sec)
{
	struct ts t;

	memset(&t, 0, sizeof(t));
	t.sec = sec;
	return t;
}

/* Pushes line i with time sec (untimed when sec < 0). */
static void
push(struct reorder *q, int64_t sec, unsigned long line)
{
	struct ts t = at(sec);
	json_t *o = json_object();

	reorder_push(q, sec < 0 ? NULL : &t, o, "{}", 2, "f", line);
	json_decref(o);			/* the queue holds its own */
}

/* The lines released now, as a string of their numbers. */
static void
take(struct reorder *q, int drain, char *out, size_t cap)
{
	struct reorder_rec x;
	size_t n = 0;

	out[0] = '\0';
	while (reorder_next(q, drain, &x)) {
		n += (size_t)snprintf(out + n, cap - n, "%s%lu", n ? " " : "",
		    x.line);
		reorder_rec_free(&x);
	}
}

int
main(void)
{
	struct reorder q;
	struct reorder_rec x;
	struct rng r;
	uint64_t seed = 3;
	char got[256];
	int64_t t[400];
	int i, k, sorted = 1;

	/* window 10: held until the latest time is 10 s past */
	reorder_init(&q, 10);
	push(&q, 100, 1);
	push(&q, 95, 2);
	push(&q, -1, 3);		/* untimed: after time 100 */
	push(&q, 100, 4);		/* a tie with line 1: after it */
	take(&q, 0, got, sizeof(got));
	CHECK_STR(got, "");		/* 100 - 10 = 90: nothing due */
	push(&q, 105, 5);
	take(&q, 0, got, sizeof(got));
	CHECK_STR(got, "2");		/* 95 <= 105 - 10 */
	push(&q, 110, 6);
	take(&q, 0, got, sizeof(got));
	CHECK_STR(got, "1 3 4");	/* 100 <= 110 - 10 */
	take(&q, 1, got, sizeof(got));
	CHECK_STR(got, "5 6");
	CHECK(q.n == 0 && !reorder_next(&q, 1, &x));
	reorder_free(&q);

	/* held records are freed by reorder_free (valgrind: no leak) */
	reorder_init(&q, 5);
	push(&q, 1, 1);
	push(&q, 2, 2);
	reorder_free(&q);

	/* random times within the window come out sorted */
	rng_global_init();
	rng_init(&r, &seed, "reorder", 7);
	reorder_init(&q, 50);
	for (i = 0; i < 400; i++) {
		t[i] = 1000 + i - (int64_t)rng_below(&r, 50);
		push(&q, t[i], (unsigned long)i);
	}
	for (k = 0, i = -1; reorder_next(&q, 1, &x); k++) {
		if (i >= 0 && (t[x.line] < t[i] ||
		    (t[x.line] == t[i] && (int)x.line < i)))
			sorted = 0;
		i = (int)x.line;
		reorder_rec_free(&x);
	}
	CHECK(k == 400 && sorted);
	reorder_free(&q);
	return unit_report();
}
