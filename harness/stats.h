/*
 * stats — 95% confidence intervals from a point's repetitions, by the
 * bootstrap (percentile method), seeded from the data itself: the same values
 * give the same interval on every machine and in every command (summary.csv,
 * the report, the figures, `copyscope compare`, reps = auto).
 *
 * Values are the non-NAN entries of an array; NANs are skipped. An interval
 * that cannot be computed (no value; for a ratio, a side with no value or a
 * base with a value <= 0, where a resample's base median could be 0) is
 * {NAN, NAN, NAN}. With one value, or all values alike, the interval is
 * that value.
 *
 * The method, so that another tool can redo it:
 *   - the median of an even count is the mean of the middle two (as in
 *     summary.csv);
 *   - STATS_RESAMPLES resamples, each of n values drawn with replacement
 *     from the values sorted ascending, index ((x >> 32) * n) >> 32 for each
 *     64-bit output x of splitmix64 (as plan.c's shuffle); for a ratio each
 *     resample draws a's values, then b's;
 *   - the generator's seed is the 64-bit FNV-1a hash of the sorted values'
 *     IEEE-754 bit patterns (8 bytes each, least significant first, -0 as 0),
 *     each side followed by its count as 8 bytes (a ratio hashes a, then b):
 *     the order of the input does not matter;
 *   - the interval is the percentiles (1 - STATS_LEVEL) / 2 and
 *     1 - (1 - STATS_LEVEL) / 2 of the resampled statistics by nearest rank
 *     (the value of rank ceil(p * R), 1-based: 50 and 1950 of 2000), widened
 *     to hold the estimate where a skewed small sample leaves it out.
 *
 * Memory: nothing is kept between calls. Errors: -1 on ENOMEM only.
 */
#ifndef COPYSCOPE_STATS_H
#define COPYSCOPE_STATS_H

#include <stddef.h>

#define STATS_LEVEL	0.95 /* the confidence of every interval copyscope prints */
#define STATS_RESAMPLES 2000 /* bootstrap resamples per interval */

struct interval {
	double est; /* the estimate: the median, or the ratio of medians */
	double lo, hi;
};

/* The median of v[0..n-1] and its 95% interval. */
int stats_median_ci(const double *v, size_t n, struct interval *out);

/*
 * median(b) / median(a) and its 95% interval: a and b are resampled
 * independently (two strategies' runs of one point, or one point's runs in
 * two results folders).
 */
int stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, struct interval *out);

/*
 * The smallest difference copyscope calls significant: a ratio whose
 * estimate lies within [1 / STATS_MIN_EFFECT, STATS_MIN_EFFECT] is "no
 * significant difference" however narrow its interval. An interval from one
 * sweep's repetitions cannot see what changes between two sweeps (the
 * machine's state, where the scheduler put the unpinned threads): two sweeps
 * of the whole Part E grid on the 2-vCPU VM, back to back, gave per-point
 * ratios within 2.9% at the median, 9.7% at the 95th percentile and 18% at
 * the most (bench/RESULTS.md, "reproduce"); a 10% margin keeps answers that
 * hold from one sweep to the next, and every 2x answer.
 */
#define STATS_MIN_EFFECT 1.10

/* Whether a ratio differs from 1 significantly: +1 (above) or -1 (below)
 * when its interval lies wholly on that side of 1 and its estimate beyond
 * STATS_MIN_EFFECT; else 0 ("no significant difference"; also for NAN). */
int stats_ratio_side(const struct interval *ratio);

/* Half the interval's width over the estimate: 0.05 for +-5%; NAN when the
 * estimate is 0 or NAN. reps = auto stops a point when this is <= its target. */
double stats_rel_halfwidth(const struct interval *iv);

#endif
