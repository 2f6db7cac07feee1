/*
 * metrics — every number derived from summary.csv cells, computed here once:
 * the report, the tables and the figures' data print them, and never compute
 * their own. Each takes cells (NAN when not measured) and gives NAN when an
 * input is missing or the ratio has no meaning (a zero or negative base).
 * Crossovers are found here too; the report's flips and bumps are still
 * found where they are printed (report.c).
 */
#ifndef COPYSCOPE_METRICS_H
#define COPYSCOPE_METRICS_H

#include <stddef.h>

/* a ÷ b, for b > 0: a strategy's throughput over two-copy's (the speed-up),
 * or a bar's end (min ÷ two-copy's max, max ÷ two-copy's min). */
double metric_ratio(double a, double b);

/* The share of zero-copy completions the kernel copied anyway, in percent:
 * 100 × zc_copied ÷ zc_completions. */
double metric_copied_pct(double copied, double completions);

/* How much smaller one-copy's count is than two-copy's, in percent of
 * two-copy's: (two − one) ÷ two × 100 (misses per KiB, CPU ns per byte). */
double metric_reduction_pct(double two, double one);

/* User time's share of a side's CPU time, in percent: user ÷ (user + sys). */
double metric_user_pct(double user_s, double sys_s);

/* A side's CPU time over the window, in percent of one CPU. */
double metric_busy_pct(double user_s, double sys_s, double window_s);

/* Where the speed-up curve crosses 1.0, interpolated linearly on log2(size). */
struct crossing {
	double size;   /* bytes */
	int upward;    /* 1: from <= 1 to > 1 (overtakes); 0: falls behind */
	size_t before; /* index of the measured point below the crossing */
};

/* The crossings of ratio[0..n-1] measured at sizes[0..n-1] (ascending; NANs skipped). */
size_t metric_crossings(const long *sizes, const double *ratio, size_t n, struct crossing *out,
			size_t max);

#endif
