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

Test(metrics, receivers_get_what_the_design_sends_them)
{
	/* bytes is what the client received; the server receives 8-byte requests in rr only */
	cr_expect_float_eq(metric_received_bytes("stream", "cli", 4096, 4), 4096, 1e-12);
	cr_expect_float_eq(metric_received_bytes("stream", "srv", 4096, 4), 0, 1e-12);
	cr_expect_float_eq(metric_received_bytes("rr", "cli", 4096, 4), 4096, 1e-12);
	cr_expect_float_eq(metric_received_bytes("rr", "srv", 4096, 4), 32, 1e-12);
	cr_expect(isnan(metric_received_bytes("bulk", "cli", 4096, 4)));
	cr_expect(isnan(metric_received_bytes("rr", "both", 4096, 4)));
}

Test(metrics, l1_floor_is_one_miss_per_line_received_by_a_side_apart_from_its_peer)
{
	/* the receiver of every byte: 1024 / 64 = 16 per KiB */
	cr_expect_float_eq(metric_l1_floor_per_kb("stream", "cli", 1 << 20, 64, 0.02), 16, 1e-12);
	cr_expect_float_eq(metric_l1_floor_per_kb("stream", "cli", 1 << 20, 64, 0.1), 16, 1e-12);
	/* rr's server receives 8 B per 256 B message: 16 x 8 / 256 per KiB of bytes */
	cr_expect_float_eq(metric_l1_floor_per_kb("rr", "srv", 256 * 1000, 1000, 0), 0.5, 1e-12);
	/* no floor: the sides shared CPUs, the overlap was not measured, nothing received */
	cr_expect(isnan(metric_l1_floor_per_kb("stream", "cli", 1 << 20, 64, 0.35)));
	cr_expect(isnan(metric_l1_floor_per_kb("stream", "cli", 1 << 20, 64, NAN)));
	cr_expect(isnan(metric_l1_floor_per_kb("stream", "srv", 1 << 20, 64, 0)));
}

Test(metrics, a_count_below_its_floor_or_counted_briefly_is_doubtful)
{
	cr_expect_eq(metric_count_doubt(20, 16, 1), COUNT_PLAUSIBLE);
	cr_expect_eq(metric_count_doubt(5, 16, 1), COUNT_BELOW_FLOOR);
	cr_expect_eq(metric_count_doubt(5, NAN, 1), COUNT_PLAUSIBLE, "no floor, no doubt");
	cr_expect_eq(metric_count_doubt(20, 16, 0.03), COUNT_RUNNING_LOW);
	cr_expect_eq(metric_count_doubt(20, 16, 0.05), COUNT_PLAUSIBLE);
	cr_expect_eq(metric_count_doubt(20, NAN, NAN), COUNT_PLAUSIBLE, "no fraction recorded");
	cr_expect_eq(metric_count_doubt(NAN, 16, 0.01), COUNT_PLAUSIBLE, "not measured: absent");
}

Test(metrics, core_overlap_counts_smt_siblings_as_one_core)
{
	int core_of[4] = {0, 0, 2, 2}; /* smt_siblings=0,1 2,3 */
	cr_expect_float_eq(metric_core_overlap("0:100", "2:100", core_of, 4), 0, 1e-12);
	cr_expect_float_eq(metric_core_overlap("0:100", "1:100", core_of, 4), 1, 1e-12,
			   "siblings share a core's L1");
	cr_expect_float_eq(metric_core_overlap("0:60;2:40", "2:100", core_of, 4), 0.4, 1e-12);
	cr_expect_float_eq(metric_core_overlap("0:100", "0:35;2:65", core_of, 4), 0.35, 1e-12);
	/* a CPU env.txt does not place is its own core */
	cr_expect_float_eq(metric_core_overlap("7:100", "8:100", core_of, 4), 0, 1e-12);
	cr_expect(isnan(metric_core_overlap("", "2:100", core_of, 4)), "not measured");
	cr_expect(isnan(metric_core_overlap("0=100", "2:100", core_of, 4)));
}

Test(metrics, copy_avoided_only_below_a_full_copied_share)
{
	cr_expect(metric_copy_avoided(3.0));
	cr_expect(metric_copy_avoided(99.99), "one completion in 10000 not copied is a page taken");
	cr_expect_not(metric_copy_avoided(100.0));
	cr_expect_not(metric_copy_avoided(NAN), "nothing counted: not known, not avoided");
}

Test(metrics, copied_shares_fold_the_counted_points)
{
	double pct[] = {100, NAN, 40, 3, 100};
	struct copied_shares cs;
	metric_copied_shares(pct, 5, &cs);
	cr_expect_eq(cs.points, 4);
	cr_expect_eq(cs.avoided, 2);
	cr_expect_float_eq(cs.lo, 3, 1e-12);
	cr_expect_float_eq(cs.hi, 100, 1e-12);
	double none[] = {NAN, NAN};
	metric_copied_shares(none, 2, &cs);
	cr_expect_eq(cs.points, 0);
	cr_expect_eq(cs.avoided, 0);
	cr_expect(isnan(cs.lo) && isnan(cs.hi));
}
