/* metrics: AUC with ties, log loss with clipping, base rate, RIG. */
#include <math.h>

#include "metrics.h"
#include "unit.h"

int
main(void)
{
	/*
	 * Positives 0.35, 0.8; negatives 0.1, 0.4.  Of the 4 pairs the
	 * positive wins 0.35>0.1, 0.8>0.1, 0.8>0.4 and loses 0.35<0.4: 3/4.
	 */
	double s1[] = { 0.1, 0.4, 0.35, 0.8 };
	int y1[] = { 0, 0, 1, 1 };
	/*
	 * Ties.  Ascending: 0.1 (neg) rank 1; 0.3 (pos, neg) ranks 2,3 ->
	 * 2.5 each; 0.7 (pos, pos) ranks 4,5 -> 4.5 each.  Positive rank
	 * sum 2.5 + 4.5 + 4.5 = 11.5; U = 11.5 - 3*4/2 = 5.5; AUC 5.5/6.
	 * Labels -1/+1 here.
	 */
	double s2[] = { 0.3, 0.3, 0.7, 0.7, 0.1 };
	int y2[] = { 1, -1, 1, 1, -1 };
	/* All scores equal: every pair a tie, 1/2. */
	double s3[] = { 2, 2, 2, 2 };
	int y3[] = { 1, 0, 0, 1 };
	/* Perfectly reversed: 0. */
	double s4[] = { 0.9, 0.8, 0.2, 0.1 };
	int y4[] = { 0, 0, 1, 1 };
	double s5[] = { 0.5, NAN };
	int y5[] = { 1, 0 };
	/* -(ln 0.8 + ln 0.6) / 2 = (0.2231435513 + 0.5108256238) / 2 */
	double p6[] = { 0.8, 0.4 };
	int y6[] = { 1, 0 };
	/*
	 * Clipped: p 1 becomes 1 - 1e-15, and with y 0 costs -ln(1 - that).
	 * 1 - 1e-15 is not a double: the nearest leaves 1 - p =
	 * 9.992007221626409e-16, so the cost is 34.53957599234088, not
	 * 15 ln 10 = 34.5387763949107 (python3: -math.log1p(-(1-1e-15)),
	 * the value sklearn's log_loss gives too).  p 0 with y 0 costs ~0.
	 */
	double p7[] = { 1, 0 };
	int y7[] = { 0, 0 };
	int y8[] = { 1, 0, 0, 0 };
	double v = -1;

	CHECK(metrics_auc(s1, y1, 4, &v) == 0);
	CHECK_NEAR(v, 0.75, 1e-15);
	CHECK(metrics_auc(s2, y2, 5, &v) == 0);
	CHECK_NEAR(v, 5.5 / 6, 1e-15);
	CHECK(metrics_auc(s3, y3, 4, &v) == 0);
	CHECK_NEAR(v, 0.5, 1e-15);
	CHECK(metrics_auc(s4, y4, 4, &v) == 0);
	CHECK(v == 0);
	v = 7;
	CHECK(metrics_auc(s1, y1 + 2, 2, &v) == -1);	/* positives only */
	CHECK(metrics_auc(s1, y1, 2, &v) == -1);	/* negatives only */
	CHECK(metrics_auc(s1, y1, 0, &v) == -1);
	CHECK(metrics_auc(s5, y5, 2, &v) == -1);
	CHECK(v == 7);

	/* Values from python3: -(math.log(0.8)+math.log(0.6))/2 etc. */
	CHECK(metrics_logloss(p6, y6, 2, &v) == 0);
	CHECK_NEAR(v, 0.3669845875401002, 1e-14);
	CHECK(metrics_logloss(p7, y7, 1, &v) == 0);
	CHECK_NEAR(v, 34.53957599234088, 1e-12);
	CHECK(metrics_logloss(p7, y7, 2, &v) == 0);
	CHECK_NEAR(v, 17.26978799617044, 1e-12);
	CHECK(metrics_logloss(p7 + 1, y7, 1, &v) == 0);
	CHECK(v > 0 && v < 2e-15);
	CHECK(metrics_logloss(p6, y6, 0, &v) == -1);
	CHECK(metrics_logloss(s5, y5, 2, &v) == -1);

	CHECK(metrics_rate(y8, 4, &v) == 0);
	CHECK(v == 0.25);
	CHECK(metrics_rate(y8, 0, &v) == -1);
	/* -(0.25 ln 0.25 + 0.75 ln 0.75) */
	CHECK(metrics_logloss_const(0.25, y8, 4, &v) == 0);
	CHECK_NEAR(v, 0.5623351446188083, 1e-14);
	CHECK(metrics_logloss_const(0.5, y8, 4, &v) == 0);
	CHECK_NEAR(v, 0.6931471805599453, 1e-14);
	/* The same as the per-row form with a constant prediction. */
	{
		double pc[] = { 0.25, 0.25, 0.25, 0.25 }, w;

		CHECK(metrics_logloss(pc, y8, 4, &w) == 0);
		CHECK_NEAR(w, 0.5623351446188083, 1e-14);
	}
	CHECK(metrics_logloss_const(NAN, y8, 4, &v) == -1);

	CHECK_NEAR(metrics_rig(0.5, 1.0), 0.5, 1e-15);
	CHECK(metrics_rig(0.5623351446188083, 0.5623351446188083) == 0);
	CHECK(metrics_rig(0.7, 0.5) < 0);
	CHECK(isnan(metrics_rig(0.5, 0)));
	return unit_report();
}
