/* Log-linear histogram: percentiles within the promised precision. */
#include "histogram.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static struct histogram *h;

static void setup(void)
{
	h = malloc(sizeof(*h));
	histogram_init(h);
}

static void teardown(void)
{
	free(h);
}

TestSuite(histogram, .init = setup, .fini = teardown);

static void assert_near(uint64_t got, uint64_t want)
{
	double rel = (double)(got > want ? got - want : want - got) / (double)want;
	cr_assert(rel <= 1.0 / HISTOGRAM_SUB, "got %llu, want %llu", (unsigned long long)got,
		  (unsigned long long)want);
}

Test(histogram, empty_gives_zero)
{
	cr_assert_eq(histogram_percentile(h, 50), 0);
}

Test(histogram, small_values_are_exact)
{
	for (uint64_t v = 1; v <= 50; v++)
		histogram_record(h, v);
	cr_assert_eq(histogram_percentile(h, 50), 25);
	cr_assert_eq(histogram_percentile(h, 100), 50);
	cr_assert_eq(histogram_percentile(h, 1), 1);
}

Test(histogram, uniform_microseconds_give_their_percentiles)
{
	for (uint64_t us = 1; us <= 10000; us++)
		histogram_record(h, us * 1000);
	assert_near(histogram_percentile(h, 50), 5000 * 1000);
	assert_near(histogram_percentile(h, 90), 9000 * 1000);
	assert_near(histogram_percentile(h, 99), 9900 * 1000);
	assert_near(histogram_percentile(h, 99.9), 9990 * 1000);
	cr_assert_eq(histogram_percentile(h, 100), 10000 * 1000, "max is exact");
}

Test(histogram, tail_percentiles_see_rare_outliers)
{
	for (int i = 0; i < 990; i++)
		histogram_record(h, 20000);
	for (int i = 0; i < 10; i++)
		histogram_record(h, 5000000);
	assert_near(histogram_percentile(h, 50), 20000);
	assert_near(histogram_percentile(h, 99), 20000);
	assert_near(histogram_percentile(h, 99.9), 5000000);
}

Test(histogram, huge_values_do_not_overflow)
{
	histogram_record(h, UINT64_MAX);
	histogram_record(h, 1ull << 63);
	cr_assert_eq(histogram_percentile(h, 100), UINT64_MAX);
	assert_near(histogram_percentile(h, 50), 1ull << 63);
}

Test(histogram, merge_adds_counts_and_keeps_extremes)
{
	struct histogram *other = malloc(sizeof(*other));
	histogram_init(other);
	histogram_record(h, 100);
	histogram_record(other, 300000);
	histogram_merge(h, other);
	cr_assert_eq(h->count, 2);
	cr_assert_eq(h->min, 100);
	cr_assert_eq(h->max, 300000);
	assert_near(histogram_percentile(h, 50), 100);
	free(other);
}
