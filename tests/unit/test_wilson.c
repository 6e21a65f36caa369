/* wilson: the bound, its checks, and the normal quantile. */
#include <math.h>

#include "unit.h"
#include "wilson.h"

int
main(void)
{
	/*
	 * By hand, z = 2: (2,2): p = 1, z^2/2n = 1, root = sqrt(0 + 4/16)
	 * = 0.5, lower = (1 + 1 - 1)/3 = 1/3, upper = 3/3 = 1.
	 * z = 1, (1,4): p = 0.25, z^2/2n = 0.125, root = sqrt(0.046875 +
	 * 0.015625) = 0.25, lower = 0.125/1.25 = 0.1, upper = 0.625/1.25 = 0.5.
	 */
	CHECK_NEAR(wilson_lower(2, 2, 2), 1.0 / 3, 1e-15);
	CHECK_NEAR(wilson_upper(2, 2, 2), 1.0, 1e-15);
	CHECK_NEAR(wilson_lower(1, 4, 1), 0.1, 1e-15);
	CHECK_NEAR(wilson_upper(1, 4, 1), 0.5, 1e-15);
	/* the design's worked example, 0.9440 (python3: 0.9440255077314117) */
	CHECK_NEAR(wilson_lower(99, 100, 2), 0.9440255077314117, 1e-14);
	/* the seed examples of tiny_tag: S(2,3) = 0.2025730, S(1.5,2) = 0.1924653 */
	CHECK_NEAR(wilson_lower(2, 3, 2), 0.2025730, 1e-6);
	CHECK_NEAR(wilson_lower(1.5, 2, 2), 0.1924653, 1e-6);
	CHECK(wilson_lower(0, 0, 2) == 0.0);
	CHECK(wilson_upper(0, 0, 2) == 1.0);
	CHECK(wilson_lower(0, 10, 2) == 0.0);
	CHECK(wilson_check(1, 2) == NULL);
	CHECK(wilson_check(3, 2) != NULL);
	CHECK(wilson_check(-1, 2) != NULL);
	CHECK(wilson_check(NAN, 2) != NULL);
	CHECK(wilson_check(1, INFINITY) != NULL);
	/* quantiles from tables (Abramowitz & Stegun 26.2): */
	CHECK_NEAR(wilson_z_for_confidence(0.95), 1.959963984540054, 1e-14);
	CHECK_NEAR(wilson_z_for_confidence(0.99), 2.5758293035489004, 1e-14);
	CHECK_NEAR(wilson_z_for_confidence(0.6826894921370859), 1.0, 1e-12);
	CHECK_NEAR(wilson_probit(0.5), 0.0, 1e-15);
	CHECK_NEAR(wilson_probit(1e-10), -6.361340902404056, 1e-12);
	CHECK_NEAR(wilson_probit(1 - 1e-10), 6.361340889697422, 1e-9);
	CHECK(isnan(wilson_z_for_confidence(1.0)));
	CHECK(isnan(wilson_z_for_confidence(0.0)));
	return unit_report();
}
