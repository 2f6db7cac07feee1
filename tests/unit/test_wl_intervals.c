/* The window interval by interval: the series, its CSV, its cv and the
 * step detector's rule (intervals.h). */
#include "intervals.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_MAX 64

/* Deterministic noise: a normal deviate per call (Box-Muller over an LCG). */
static double normal(uint64_t *state)
{
	double u[2];
	for (int i = 0; i < 2; i++) {
		*state = *state * 6364136223846793005ull + 1442695040888963407ull;
		u[i] = ((double)(*state >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

/* n rates: `first` intervals at level a, the rest at level b, each with a
 * normal noise of cv `noise`. */
static void two_levels(double *x, size_t n, size_t first, double a, double b, double noise,
		       uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		double level = i < first ? a : b;
		x[i] = level * (1 + noise * normal(&seed));
	}
}

static struct interval_stability of(const double *x, size_t n)
{
	struct interval_stability st;
	interval_stability_of(x, n, &st);
	return st;
}

/* Flags among 200 steady series of n intervals at 17 Gbit/s, each with
 * normal noise of cv `noise` (seeds 1..200). */
static int steady_flags(size_t n, double noise)
{
	double x[N_MAX];
	int flags = 0;
	for (uint64_t seed = 1; seed <= 200; seed++) {
		two_levels(x, n, 0, 17, 17, noise, seed);
		struct interval_stability st = of(x, n);
		cr_assert_neq(st.step, -1);
		cr_assert(st.cv > 0 && st.cv < 3 * noise, "cv %f", st.cv);
		flags += st.step;
		if (!st.step)
			cr_assert(isnan(st.ratio), "a ratio only with a step");
	}
	return flags;
}

Test(intervals, steady_series_with_normal_noise_has_no_step)
{
	cr_assert_eq(steady_flags(10, 0.05), 0, "5%% noise, 10 intervals");
	cr_assert_eq(steady_flags(30, 0.05), 0, "5%% noise, 30 intervals");
}

Test(intervals, steady_series_with_10_percent_noise_rarely_has_a_step)
{
	/* about 1 in 700 at 10 intervals, none seen at 30 (intervals.h) */
	cr_assert_leq(steady_flags(10, 0.10), 2, "at most 1%%");
	cr_assert_leq(steady_flags(30, 0.10), 2, "at most 1%%");
}

Test(intervals, two_levels_12_then_22_gbps_is_a_step)
{
	double x[20];
	two_levels(x, 20, 10, 12, 22, 0.05, 7);
	struct interval_stability st = of(x, 20);
	cr_assert_eq(st.step, 1);
	cr_assert_eq(st.split, 10);
	cr_assert_float_eq(st.ratio, 22.0 / 12, 0.1);
	cr_assert(st.explained >= INTERVAL_STEP_EXPLAINED);
}

Test(intervals, a_drop_22_to_12_is_a_step_with_a_ratio_below_one)
{
	double x[20];
	two_levels(x, 20, 10, 22, 12, 0.05, 11);
	struct interval_stability st = of(x, 20);
	cr_assert_eq(st.step, 1);
	cr_assert_float_eq(st.ratio, 12.0 / 22, 0.05);
}

Test(intervals, a_step_three_intervals_from_an_end_is_found)
{
	double x[20];
	two_levels(x, 20, 3, 12, 22, 0.05, 3);
	struct interval_stability st = of(x, 20);
	cr_assert_eq(st.step, 1);
	cr_assert_eq(st.split, 3);
}

Test(intervals, a_difference_of_20_percent_or_less_is_no_step)
{
	double x[20];
	two_levels(x, 20, 10, 20, 23.8, 0, 1); /* 19%: however clean */
	cr_assert_eq(of(x, 20).step, 0);
	two_levels(x, 20, 10, 20, 24.4, 0, 1); /* 22% */
	cr_assert_eq(of(x, 20).step, 1);
}

Test(intervals, a_steady_ramp_is_no_step)
{
	/* 12 to 22 Gbit/s evenly: the best split explains 75%, under 80% */
	double x[20];
	for (size_t i = 0; i < 20; i++)
		x[i] = 12 + 10.0 * (double)i / 19;
	struct interval_stability st = of(x, 20);
	cr_assert_eq(st.step, 0);
	cr_assert(st.explained > 0.7 && st.explained < INTERVAL_STEP_EXPLAINED, "%f", st.explained);
}

Test(intervals, one_slow_interval_is_no_step)
{
	double x[20];
	two_levels(x, 20, 0, 17, 17, 0.02, 5);
	x[9] = 0;
	cr_assert_eq(of(x, 20).step, 0);
}

Test(intervals, shorter_than_two_segments_is_not_decided)
{
	double x[5] = {12, 12, 12, 22, 22};
	struct interval_stability st = of(x, 5);
	cr_assert_eq(st.step, -1);
	cr_assert(isnan(st.ratio));
	cr_assert(st.cv > 0, "the cv needs only two intervals");
	double y[6] = {12, 12, 12, 22, 22, 22};
	st = of(y, 6);
	cr_assert_eq(st.step, 1, "six intervals: one split, three on each side");
	cr_assert_eq(st.split, 3);
}

Test(intervals, one_interval_has_no_cv_and_no_step)
{
	double x[1] = {17};
	struct interval_stability st = of(x, 1);
	cr_assert_eq(st.n, 1);
	cr_assert(isnan(st.cv));
	cr_assert_eq(st.step, -1);
	st = of(NULL, 0);
	cr_assert_eq(st.n, 0);
	cr_assert(isnan(st.cv));
	cr_assert_eq(st.step, -1);
}

Test(intervals, all_zero_series_has_no_cv_and_no_step)
{
	double x[10] = {0};
	struct interval_stability st = of(x, 10);
	cr_assert(isnan(st.cv), "cv of a mean of 0 is undefined, not 0");
	cr_assert_eq(st.step, 0);
	cr_assert(isnan(st.ratio));
}

Test(intervals, constant_series_has_cv_zero_and_no_step)
{
	double x[10];
	for (size_t i = 0; i < 10; i++)
		x[i] = 17.25;
	struct interval_stability st = of(x, 10);
	cr_assert_float_eq(st.cv, 0, 1e-12);
	cr_assert_eq(st.step, 0);
}

Test(intervals, a_stall_that_ends_is_a_step_without_a_ratio)
{
	double x[10] = {0, 0, 0, 0, 17, 17, 17, 17, 17, 17};
	struct interval_stability st = of(x, 10);
	cr_assert_eq(st.step, 1);
	cr_assert(isnan(st.ratio), "17 / 0 is no number to print");
}

Test(intervals, cv_is_the_sample_standard_deviation_over_the_mean)
{
	double x[4] = {10, 20, 30, 40};
	/* mean 25, sum of squares 500, sample variance 500/3 */
	cr_assert_float_eq(of(x, 4).cv, sqrt(500.0 / 3) / 25, 1e-12);
}

Test(intervals, series_keeps_at_most_its_capacity)
{
	struct interval_series s;
	cr_assert_eq(interval_series_init(&s, 2), 0);
	struct interval_sample one = {.end_s = 0.1, .len_s = 0.1, .bytes = 1, .msgs = 1};
	for (int i = 0; i < 3; i++)
		interval_series_add(&s, &one);
	cr_assert_eq(s.n, 2);
	interval_series_free(&s);
	cr_assert_eq(interval_series_init(&s, 0), 0, "a window shorter than one interval");
	interval_series_add(&s, &one);
	cr_assert_eq(s.n, 0);
	interval_series_free(&s);
}

Test(intervals, rate_uses_the_measured_length)
{
	struct interval_sample late = {.len_s = 0.125, .bytes = 1250000000};
	cr_assert_float_eq(interval_gbps(&late), 80.0, 1e-9);
	struct interval_sample none = {.len_s = 0, .bytes = 5};
	cr_assert_float_eq(interval_gbps(&none), 0, 0);
}

static char *csv_of(const struct interval_series *s, bool round_trips)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	cr_assert_eq(interval_series_write_csv(s, f, round_trips), 0);
	fclose(f);
	return buf;
}

Test(intervals, csv_has_one_line_per_interval)
{
	struct interval_series s;
	cr_assert_eq(interval_series_init(&s, 2), 0);
	interval_series_add(&s, &(struct interval_sample){
				    .end_s = 0.1, .len_s = 0.1, .bytes = 125000000, .msgs = 7});
	interval_series_add(&s, &(struct interval_sample){
				    .end_s = 0.2, .len_s = 0.1, .bytes = 250000000, .msgs = 9});
	char *stream = csv_of(&s, false), *rr = csv_of(&s, true);
	cr_assert_str_eq(stream, "t_s,bytes,gbps\n"
				 "0.100000,125000000,10.000000\n"
				 "0.200000,250000000,20.000000\n");
	cr_assert_str_eq(rr, "t_s,bytes,gbps,round_trips\n"
			     "0.100000,125000000,10.000000,7\n"
			     "0.200000,250000000,20.000000,9\n");
	free(stream);
	free(rr);
	interval_series_free(&s);
}

Test(intervals, series_stability_reads_gbps)
{
	struct interval_series s;
	cr_assert_eq(interval_series_init(&s, 6), 0);
	for (int i = 0; i < 6; i++)
		interval_series_add(&s, &(struct interval_sample){
					    .len_s = 0.1, .bytes = i < 3 ? 150000000 : 275000000});
	struct interval_stability st;
	cr_assert_eq(interval_series_stability(&s, &st), 0);
	cr_assert_eq(st.step, 1);
	cr_assert_float_eq(st.mean_before, 12, 1e-9);
	cr_assert_float_eq(st.mean_after, 22, 1e-9);
	interval_series_free(&s);
}
