/*
 * The Part E report (report.h) over the fixture results folders: the
 * crossovers the fixture was built with (make-fixtures.sh), its anomalies,
 * and what it says when cache misses were not measured.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static char *report_of(const char *dir)
{
	struct results_dir rd;
	char err[1024], *text = NULL;
	size_t len = 0;
	cr_assert_eq(results_dir_load(dir, &rd, err, sizeof(err)), 0, "%s", err);
	FILE *out = open_memstream(&text, &len);
	report_write(out, &rd);
	fclose(out);
	results_dir_free(&rd);
	return text;
}

#define assert_has(text, s) cr_assert_not_null(strstr(text, s), "missing: %s", s)

Test(report, crossing_is_interpolated_on_the_log2_size_axis)
{
	long sizes[] = {2048, 4096, 8192};
	double ratio[] = {0.9, 1.1, 1.3};
	struct crossing cr[4];
	cr_assert_eq(report_crossings(sizes, ratio, 3, cr, 4), 1);
	cr_assert(cr[0].upward);
	cr_assert_eq(cr[0].before, 0);
	cr_assert_float_eq(cr[0].size, exp2(11.5), 1e-6); /* 2896.3 B, not the linear 3072 */
}

Test(report, crossings_skip_unmeasured_points_and_see_falling_back)
{
	long sizes[] = {256, 512, 1024, 2048};
	double ratio[] = {0.5, NAN, 1.5, 0.5};
	struct crossing cr[4];
	cr_assert_eq(report_crossings(sizes, ratio, 4, cr, 4), 2);
	cr_assert_float_eq(cr[0].size, 512, 1e-6); /* halfway between 256 and 1024 on log2 */
	cr_assert_eq(cr[1].upward, 0);
	cr_assert_float_eq(cr[1].size, exp2(10.5), 1e-6);
}

Test(report, names_one_copy_crossovers_per_thread_count)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "one-copy overtakes two-copy at **≈ 2896 B**");
	assert_has(text, "one-copy overtakes two-copy at **≈ 4871 B**");
	assert_has(text, "one-copy is ahead at every measured size, 256 B–64 KiB");
	free(text);
}

Test(report, names_zero_copy_crossovers_for_both_zero_copy_strategies)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "zero-copy overtakes two-copy at **≈ 23170 B**");
	assert_has(text, "zero-copy overtakes two-copy at **≈ 13777 B**");
	assert_has(text, "not within 256 B–64 KiB: zero-copy");
	assert_has(text, "uring-zc overtakes two-copy at **≈ 11585 B**");
	assert_has(text, "uring-zc overtakes two-copy at **≈ 19484 B**");
	free(text);
}

Test(report, names_the_throughput_dip_once)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "**two-copy, 4 threads: throughput dips at 8 KiB** to 28.73 Gbit/s");
	cr_assert_null(strstr(text, "peaks at 4 KiB"),
		       "the dip's neighbour is not a second anomaly");
	free(text);
}

Test(report, names_high_variation_and_the_failed_run)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "High variation: zero-copy, stream mode, 64 KiB, 4 threads, "
			 "throughput_gbps: cv 15.0%");
	assert_has(text, "one-copy, stream mode, 1024 B, 2 threads, rep 4: `failed:server exited");
	free(text);
}

Test(report, cites_the_copied_fallback_rate_of_each_zero_copy_strategy)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "**zero-copy**: the kernel reported 100.0%–100.0% of its completions as "
			 "copied");
	assert_has(text, "**uring-zc**: the kernel reported 100.0%–100.0%");
	assert_has(text, "(**loopback**: 127.0.0.1)");
	free(text);
}

Test(report, answers_which_cache_level_from_the_misses)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "| 256 B | L1 | 40.0% fewer | 25.0% fewer |");
	assert_has(text,
		   "**LLC** (llc_misses) shows the most reduction: the largest at 7 of 9 sizes "
		   "(1 KiB–64 KiB)");
	free(text);
}

Test(report, without_pmu_says_misses_were_not_measured_and_shows_cpu_time)
{
	char *text = report_of("tests/fixtures/nopmu");
	assert_has(text, "Cache misses were **not measured** on this machine: no hardware PMU "
			 "exposed");
	assert_has(text, "| 256 B | 2.35 → 2.3 | -2.1% | 20% → 20% |");
	assert_has(text, "More misses yet faster: not checked");
	assert_has(text, "one-copy overtakes two-copy at **≈ 2896 B**");
	free(text);
}

Test(report, cites_what_zero_copy_costs_each_side_per_byte)
{
	char *text = report_of("tests/fixtures/nopmu");
	assert_has(text, "CPU per byte at 64 KiB, 1 thread (medians): server zero-copy 0.2578 ns, "
			 "two-copy 0.3578 ns (-28%), using 109% and 116% of a CPU; client zero-copy "
			 "0.4059 ns, two-copy 0.4059 ns (+0%), using 171% and 132% of a CPU");
	free(text);
}

Test(report, backs_the_one_copy_crossover_with_each_sides_cost)
{
	char *text = report_of("tests/fixtures/nopmu");
	const char *q4 = strstr(text, "## 4.");
	cr_assert_not_null(q4);
	const char *q5 = strstr(q4, "## 5.");
	cr_assert_not_null(q5);
	const char *line = strstr(q4, "server one-copy 0.3078 ns, two-copy 0.3578 ns (-14%), using "
				      "160% and 116% of a CPU");
	cr_expect(line && line < q5, "question 4 lacks the sides' cost:\n%s", text);
	free(text);
}
