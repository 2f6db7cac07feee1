/*
 * summary — summary.csv from runs.csv: one row per point.
 *
 * A point is a distinct value of the identity columns: every column before
 * `rep` in runs.csv, which must include impl, mode, topology, layout,
 * busy_poll, msg_size and threads (a column added there later, such as mtu,
 * names points too). Its row holds those identity columns in runs.csv order,
 * then duration_s (of its first run), runs (rows of the point), failed (rows
 * whose status is not "ok"), then for every column X after `status` in
 * runs.csv: X_median, X_min, X_max, X_cv, X_ci_lo, X_ci_hi over the point's
 * ok runs, skipping empty cells:
 *   - median of an even count is the mean of the two middle values;
 *   - cv is the sample standard deviation (n - 1) over the mean, empty when
 *     fewer than 2 values or the mean is 0;
 *   - X_ci_lo and X_ci_hi are the 95% interval of the median
 *     (stats_median_ci: a bootstrap seeded from the values, so the same runs
 *     give the same cells everywhere); one value gives that value twice;
 *   - an X with no value in any ok run (not measured, or every run failed)
 *     gives six empty cells, never 0.
 * Rows are ordered by impl (in the order given, else by name), then by the
 * other identity columns in runs.csv order (numbers numerically), so a plot
 * can draw lines across sizes without sorting.
 *
 * Numbers: integers exactly; others with the fewest of 6 to 10 significant
 * digits that read back as the same double, else 10 (a value of runs.csv
 * comes back as written; a mean of two or a cv is rounded to 10 digits; an
 * interval's end is a value or a mean of two, like the median).
 *
 * Memory: summary_build fills a dataset the caller frees with dataset_free().
 * Errors: -1 with one line in err naming the file or column.
 */
#ifndef COPYSCOPE_SUMMARY_H
#define COPYSCOPE_SUMMARY_H

#include <stddef.h>

#include "dataset.h"

struct summary_stats {
	size_t n; /* values used (NANs skipped) */
	double median, min, max;
	double cv;	     /* NAN when undefined */
	double ci_lo, ci_hi; /* the median's 95% interval (stats.h); NAN when n is 0 */
};

/* Statistics of the non-NAN values among values[0..n-1] (the array is not
 * changed). -1 on ENOMEM only. */
int summary_stats_of(const double *values, size_t n, struct summary_stats *out);

/*
 * Summarises runs (a runs.csv in memory) into out. impl_order (may be NULL)
 * lists impls in the order their rows should come; others follow by name.
 */
int summary_build(const struct dataset *runs, const char *const *impl_order, size_t n_impl_order,
		  struct dataset *out, char *err, size_t errlen);

/* Writes a dataset as CSV to path through path.tmp + rename (never half-written). */
int summary_write_csv(const struct dataset *ds, const char *path, char *err, size_t errlen);

/* dataset_load(runs_path) + summary_build + summary_write_csv(summary_path). */
int summary_write(const char *runs_path, const char *summary_path, const char *const *impl_order,
		  size_t n_impl_order, char *err, size_t errlen);

/* Formats v as summary.csv writes it: "" for NAN. */
void summary_format_num(double v, char *buf, size_t len);

#endif
