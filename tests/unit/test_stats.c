/*
 * Bootstrap intervals (stats.h): reproducible from the data alone, the input's
 * order and its NANs irrelevant, and a ratio significant only when the runs
 * are apart.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void expect_same(const struct interval *x, const struct interval *y)
{
	cr_expect(memcmp(x, y, sizeof(*x)) == 0, "{%.17g, %.17g, %.17g} != {%.17g, %.17g, %.17g}",
		  x->est, x->lo, x->hi, y->est, y->lo, y->hi);
}

static int is_nan_interval(const struct interval *iv)
{
	return isnan(iv->est) && isnan(iv->lo) && isnan(iv->hi);
}

/* ---- the median's interval ------------------------------------------------ */

Test(stats, same_values_give_the_same_interval)
{
	double v[] = {10.2, 9.7, 11.4, 10.9, 10.0, 9.1};
	struct interval x, y;
	cr_assert_eq(stats_median_ci(v, N(v), &x), 0);
	cr_assert_eq(stats_median_ci(v, N(v), &y), 0);
	expect_same(&x, &y);
	cr_expect_lt(x.lo, x.hi, "six different values: an interval of some width");
}

Test(stats, order_of_the_values_does_not_change_the_interval)
{
	double v[] = {10.2, 9.7, 11.4, 10.9, 10.0, 9.1, 12.5};
	double w[] = {12.5, 9.1, 10.9, 10.2, 11.4, 10.0, 9.7};
	struct interval x, y;
	stats_median_ci(v, N(v), &x);
	stats_median_ci(w, N(w), &y);
	expect_same(&x, &y);
}

Test(stats, nan_values_are_skipped)
{
	double v[] = {3.5, 4.25, 2.0, 5.5};
	double w[] = {NAN, 3.5, 4.25, NAN, 2.0, 5.5, NAN};
	struct interval x, y;
	stats_median_ci(v, N(v), &x);
	stats_median_ci(w, N(w), &y);
	expect_same(&x, &y);
}

Test(stats, input_is_left_as_it_was)
{
	double v[] = {3, 1, NAN, 2};
	struct interval x;
	stats_median_ci(v, N(v), &x);
	cr_expect_eq(v[0], 3);
	cr_expect_eq(v[1], 1);
	cr_expect(isnan(v[2]));
	cr_expect_eq(v[3], 2);
}

Test(stats, one_value_is_its_own_interval)
{
	double v[] = {NAN, 7.25};
	struct interval x;
	cr_assert_eq(stats_median_ci(v, N(v), &x), 0);
	cr_expect_eq(x.est, 7.25);
	cr_expect_eq(x.lo, 7.25);
	cr_expect_eq(x.hi, 7.25);
}

Test(stats, values_all_alike_give_an_interval_of_no_width)
{
	double v[] = {4, 4, 4, 4};
	struct interval x;
	stats_median_ci(v, N(v), &x);
	cr_expect_eq(x.est, 4);
	cr_expect_eq(x.lo, 4);
	cr_expect_eq(x.hi, 4);
}

Test(stats, no_value_gives_nan)
{
	double v[] = {NAN, NAN};
	struct interval x;
	cr_assert_eq(stats_median_ci(v, N(v), &x), 0);
	cr_expect(is_nan_interval(&x));
	cr_assert_eq(stats_median_ci(NULL, 0, &x), 0);
	cr_expect(is_nan_interval(&x));
}

Test(stats, estimate_is_the_median_as_summary_csv_has_it)
{
	double odd[] = {5, 1, 3}, even[] = {4, 1, 10, 2};
	struct interval x;
	stats_median_ci(odd, N(odd), &x);
	cr_expect_eq(x.est, 3);
	stats_median_ci(even, N(even), &x);
	cr_expect_eq(x.est, 3, "mean of the middle two");
}

Test(stats, interval_holds_the_estimate_and_lies_within_the_values)
{
	/* small, skewed and spread samples alike */
	double sets[][7] = {{1, 2, NAN, NAN, NAN, NAN, NAN}, {1, 2, 100, NAN, NAN, NAN, NAN},
			    {1, 1, 1, 50, NAN, NAN, NAN},    {9.5, 10, 10.5, 11, 30, NAN, NAN},
			    {0.1, 0.2, 0.2, 0.3, 5, 7, 1e6}, {-3, -1, 0, 2, 2, 2, 9}};
	for (size_t s = 0; s < N(sets); s++) {
		struct interval x;
		cr_assert_eq(stats_median_ci(sets[s], 7, &x), 0);
		double mn = INFINITY, mx = -INFINITY;
		for (size_t i = 0; i < 7; i++)
			if (!isnan(sets[s][i])) {
				mn = fmin(mn, sets[s][i]);
				mx = fmax(mx, sets[s][i]);
			}
		cr_expect(x.lo <= x.est && x.est <= x.hi, "set %zu: %g not in [%g, %g]", s, x.est,
			  x.lo, x.hi);
		cr_expect(mn <= x.lo && x.hi <= mx, "set %zu: [%g, %g] outside [%g, %g]", s, x.lo,
			  x.hi, mn, mx);
	}
}

Test(stats, more_repetitions_give_a_narrower_interval)
{
	double few[] = {9, 10, 11, 12, 8};
	double many[50];
	for (size_t i = 0; i < N(many); i++)
		many[i] = few[i % N(few)];
	struct interval x, y;
	stats_median_ci(few, N(few), &x);
	stats_median_ci(many, N(many), &y);
	cr_expect_lt(y.hi - y.lo, x.hi - x.lo, "[%g, %g] vs [%g, %g]", y.lo, y.hi, x.lo, x.hi);
}

/* The method as stats.h states it, written out again (qsort instead of counts
 * and quickselect): the two must agree to the bit. */
static uint64_t ref_hash(uint64_t h, const double *v, size_t n)
{
	for (size_t i = 0; i <= n; i++) {
		uint64_t bits = i < n ? 0 : (uint64_t)n;
		if (i < n)
			memcpy(&bits, &v[i], 8);
		for (int b = 0; b < 8; b++) {
			h ^= (bits >> (8 * b)) & 0xff;
			h *= 1099511628211ull;
		}
	}
	return h;
}

static uint64_t ref_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int ref_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

Test(stats, interval_is_the_documented_method)
{
	enum { n = 40 };
	double v[n], sorted[n], draw[n], t[STATS_RESAMPLES];
	for (size_t i = 0; i < n; i++) /* 40 distinct values, not in order */
		v[i] = (double)((i * 17) % n) + 0.125 * (double)(i % 3);
	memcpy(sorted, v, sizeof(v));
	qsort(sorted, n, sizeof(double), ref_cmp);
	uint64_t state = ref_hash(14695981039346656037ull, sorted, n);
	for (size_t r = 0; r < STATS_RESAMPLES; r++) {
		for (size_t i = 0; i < n; i++)
			draw[i] = sorted[((ref_next(&state) >> 32) * n) >> 32];
		qsort(draw, n, sizeof(double), ref_cmp);
		t[r] = (draw[n / 2 - 1] + draw[n / 2]) / 2.0;
	}
	qsort(t, STATS_RESAMPLES, sizeof(double), ref_cmp);
	struct interval x;
	stats_median_ci(v, n, &x);
	cr_expect_eq(x.est, (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0);
	cr_expect_eq(x.lo, fmin(t[49], x.est), "rank 50 of 2000: %.17g vs %.17g", x.lo, t[49]);
	cr_expect_eq(x.hi, fmax(t[1949], x.est), "rank 1950 of 2000: %.17g vs %.17g", x.hi,
		     t[1949]);
}

/* ---- the ratio's interval ------------------------------------------------- */

static const double base[] = {10.0, 10.2, 9.9, 10.1, 9.8};

Test(stats, ratio_of_runs_twice_as_fast_is_significant)
{
	double twice[N(base)];
	for (size_t i = 0; i < N(base); i++)
		twice[i] = 2 * base[i];
	struct interval r;
	cr_assert_eq(stats_ratio_ci(base, N(base), twice, N(twice), &r), 0);
	cr_expect_float_eq(r.est, 2, 1e-12);
	cr_expect(r.lo <= r.est && r.est <= r.hi);
	cr_expect_eq(stats_ratio_side(&r), 1, "[%g, %g]", r.lo, r.hi);
	cr_assert_eq(stats_ratio_ci(twice, N(twice), base, N(base), &r), 0);
	cr_expect_float_eq(r.est, 0.5, 1e-12);
	cr_expect_eq(stats_ratio_side(&r), -1, "[%g, %g]", r.lo, r.hi);
}

Test(stats, ratio_of_overlapping_runs_is_not_significant)
{
	double a[] = {9, 10, 11, 12, 8}, b[] = {10, 9.5, 11.5, 8.5, 10.5};
	struct interval r;
	cr_assert_eq(stats_ratio_ci(a, N(a), b, N(b), &r), 0);
	cr_expect(r.lo < 1 && 1 < r.hi, "[%g, %g]", r.lo, r.hi);
	cr_expect_eq(stats_ratio_side(&r), 0);
}

Test(stats, ratio_of_runs_with_themselves_is_one_and_not_significant)
{
	struct interval r;
	cr_assert_eq(stats_ratio_ci(base, N(base), base, N(base), &r), 0);
	cr_expect_eq(r.est, 1);
	cr_expect_eq(stats_ratio_side(&r), 0);
}

Test(stats, ratio_is_reproducible_and_ignores_order_and_nan)
{
	double a[] = {1, 2, 3, 4}, b[] = {2, 3, 5, 7, 11};
	double a2[] = {4, NAN, 2, 3, 1}, b2[] = {11, 7, 5, 3, 2, NAN};
	struct interval x, y;
	stats_ratio_ci(a, N(a), b, N(b), &x);
	stats_ratio_ci(a2, N(a2), b2, N(b2), &y);
	expect_same(&x, &y);
	cr_expect(x.lo <= x.est && x.est <= x.hi);
}

Test(stats, ratio_of_one_value_each_is_that_ratio)
{
	double a[] = {4}, b[] = {6};
	struct interval r;
	stats_ratio_ci(a, 1, b, 1, &r);
	cr_expect_eq(r.est, 1.5);
	cr_expect_eq(r.lo, 1.5);
	cr_expect_eq(r.hi, 1.5);
	cr_expect_eq(stats_ratio_side(&r), 1, "no spread: any difference is one");
}

Test(stats, ratio_without_a_usable_base_or_values_is_nan)
{
	double none[] = {NAN}, zero[] = {0, 5, 6}, neg[] = {-1, 2}, b[] = {1, 2};
	struct interval r;
	cr_assert_eq(stats_ratio_ci(none, 1, b, 2, &r), 0);
	cr_expect(is_nan_interval(&r), "base without a value");
	cr_assert_eq(stats_ratio_ci(b, 2, none, 1, &r), 0);
	cr_expect(is_nan_interval(&r), "no value to divide");
	cr_assert_eq(stats_ratio_ci(zero, 3, b, 2, &r), 0);
	cr_expect(is_nan_interval(&r), "a base value of 0");
	cr_assert_eq(stats_ratio_ci(neg, 2, b, 2, &r), 0);
	cr_expect(is_nan_interval(&r), "a negative base value");
	cr_expect_eq(stats_ratio_side(&r), 0, "NAN: no significant difference");
}

Test(stats, side_says_where_the_interval_lies_against_one)
{
	struct interval above = {1.5, 1.01, 2}, below = {0.5, 0.2, 0.99}, across = {1.2, 0.9, 1.4};
	struct interval edge = {1.2, 1, 1.4};
	cr_expect_eq(stats_ratio_side(&above), 1);
	cr_expect_eq(stats_ratio_side(&below), -1);
	cr_expect_eq(stats_ratio_side(&across), 0);
	cr_expect_eq(stats_ratio_side(&edge), 0, "an interval that reaches 1 holds it");
}

Test(stats, a_difference_under_the_margin_is_not_significant_however_narrow)
{
	struct interval small_up = {1.05, 1.04, 1.06}, small_down = {0.95, 0.94, 0.96};
	struct interval at_margin = {STATS_MIN_EFFECT, 1.05, 1.15};
	struct interval below_margin = {1 / STATS_MIN_EFFECT, 0.85, 0.95};
	cr_expect_eq(stats_ratio_side(&small_up), 0, "5%% faster, tightly: still no answer");
	cr_expect_eq(stats_ratio_side(&small_down), 0);
	cr_expect_eq(stats_ratio_side(&at_margin), 1);
	cr_expect_eq(stats_ratio_side(&below_margin), -1);
	/* twice as fast is an answer with any margin copyscope would choose */
	struct interval twice = {2, 1.8, 2.2};
	cr_expect_eq(stats_ratio_side(&twice), 1);
}

Test(stats, relative_half_width_is_half_the_width_over_the_estimate)
{
	struct interval iv = {10, 9, 11}, neg = {-10, -11, -9}, zero = {0, -1, 1};
	struct interval none = {NAN, NAN, NAN};
	cr_expect_float_eq(stats_rel_halfwidth(&iv), 0.1, 1e-12);
	cr_expect_float_eq(stats_rel_halfwidth(&neg), 0.1, 1e-12);
	cr_expect(isnan(stats_rel_halfwidth(&zero)));
	cr_expect(isnan(stats_rel_halfwidth(&none)));
}
