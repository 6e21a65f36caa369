#ifndef ADSIG_UNIT_H
#define ADSIG_UNIT_H
/*
 * A minimal unit-test harness: each test_*.c is a program whose main()
 * runs CHECK* macros and ends with "return unit_report();", which prints
 * "NAME: N passed, N failed" and exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_pass, unit_fail;

#define CHECK(cond) do {						\
	if (cond)							\
		unit_pass++;						\
	else {								\
		unit_fail++;						\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
		    __FILE__, __LINE__, #cond);				\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0)		\
		unit_pass++;						\
	else {								\
		unit_fail++;						\
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, g_ ? g_ : "(null)",		\
		    w_ ? w_ : "(null)");				\
	}								\
} while (0)

/* Relative tolerance rel, absolute floor 1e-12. */
#define CHECK_NEAR(got, want, rel) do {					\
	double g_ = (got), w_ = (want);					\
	if (fabs(g_ - w_) <= (rel) * fabs(w_) + 1e-12)			\
		unit_pass++;						\
	else {								\
		unit_fail++;						\
		fprintf(stderr, "%s:%d: got %.17g, want %.17g\n",	\
		    __FILE__, __LINE__, g_, w_);			\
	}								\
} while (0)

static int
unit_report_named(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_pass, unit_fail);
	return unit_fail != 0;
}

#define unit_report() unit_report_named(__FILE__)

/*
 * The number of random cases to run: n, or n / 20 when ADSIG_UNIT_QUICK
 * is set (make check VALGRIND=1, where every case costs fifty times as
 * much and the point is memory errors, not another million numbers).
 */
static inline long
unit_n(long n)
{
	const char *q = getenv("ADSIG_UNIT_QUICK");

	return q != NULL && *q != '\0' && n >= 20 ? n / 20 : n;
}

#endif
