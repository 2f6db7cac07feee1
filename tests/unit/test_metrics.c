/* Derived numbers (harness/metrics.c): each has one formula, and a missing
 * input or a meaningless base gives NAN (an empty cell), never 0. */
#include <criterion/criterion.h>
#include <math.h>

#include "metrics.h"

Test(metrics, ratio_is_a_over_a_positive_b)
{
	cr_expect_float_eq(metric_ratio(3, 2), 1.5, 1e-12);
	cr_expect(isnan(metric_ratio(3, 0)));
	cr_expect(isnan(metric_ratio(3, -1)));
	cr_expect(isnan(metric_ratio(NAN, 2)));
	cr_expect(isnan(metric_ratio(3, NAN)));
}

Test(metrics, copied_share_is_a_percentage_of_completions)
{
	cr_expect_float_eq(metric_copied_pct(25, 100), 25.0, 1e-12);
	cr_expect_float_eq(metric_copied_pct(9070, 9070), 100.0, 1e-12);
	cr_expect(isnan(metric_copied_pct(0, 0)), "no completion: not known, not 0%%");
	cr_expect(isnan(metric_copied_pct(NAN, 10)));
}

Test(metrics, reduction_is_relative_to_two_copy)
{
	cr_expect_float_eq(metric_reduction_pct(40, 30), 25.0, 1e-12);
	cr_expect_float_eq(metric_reduction_pct(40, 50), -25.0, 1e-12);
	cr_expect(isnan(metric_reduction_pct(0, 5)));
	cr_expect(isnan(metric_reduction_pct(40, NAN)));
}

Test(metrics, user_and_busy_shares)
{
	cr_expect_float_eq(metric_user_pct(1, 3), 25.0, 1e-12);
	cr_expect(isnan(metric_user_pct(0, 0)));
	cr_expect_float_eq(metric_busy_pct(0.3, 0.4, 0.7), 100.0, 1e-9);
	cr_expect(isnan(metric_busy_pct(0.3, 0.4, 0)));
}
