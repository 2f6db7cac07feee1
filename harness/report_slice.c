/*
 * report_slice — the report's readers of the base slice (report_parts.h):
 * summary cells, zero-copy's copied share, ratios of two points with their
 * 95% intervals, whether a cache count may be used, and the sampled
 * categories' cells.
 */
#include "report_parts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- readers --------------------------------------------------------------- */

/* stat is "median", "min", "max" or "cv" */
double val(const struct results_dir *rd, const char *impl, const char *mode, long size,
	   long threads, const char *column, const char *stat)
{
	char col[160];
	snprintf(col, sizeof(col), "%s_%s", column, stat);
	return results_dir_num(rd, results_dir_row(rd, impl, mode, size, threads), col);
}

double tput(const struct results_dir *rd, const char *impl, long size, long threads,
	    const char *stat)
{
	return val(rd, impl, rd->mode, size, threads, "throughput_gbps", stat);
}

double copied_share(const struct results_dir *rd, const char *impl, long size, long threads)
{
	return metric_copied_pct(
	    val(rd, impl, rd->mode, size, threads, "zc_copied", "median"),
	    val(rd, impl, rd->mode, size, threads, "zc_completions", "median"));
}

void copied_shares_of(const struct results_dir *rd, const char *impl, struct copied_shares *cs)
{
	double pct[RESULTS_MAX_SIZES * RESULTS_MAX_THREADS];
	size_t n = 0;
	for (size_t t = 0; t < rd->nthreads; t++)
		for (size_t s = 0; s < rd->nsizes; s++)
			pct[n++] = copied_share(rd, impl, rd->sizes[s], rd->threads[t]);
	metric_copied_shares(pct, n, cs);
}

int is_remote(const struct results_dir *rd)
{
	return !strcmp(rd->topology, "remote");
}

int has_impl(const struct results_dir *rd, const char *impl)
{
	for (size_t i = 0; i < rd->nimpls; i++)
		if (!strcmp(rd->impls[i], impl))
			return 1;
	return 0;
}

/* Whether impl's count of ev on side at (size, th) may be used (resultsdir.h). */
int plausible(const struct results_dir *rd, const char *impl, const char *side,
	      const struct event_spec *ev, long size, long th)
{
	struct count_check ck;
	results_dir_check_count(rd, results_dir_row(rd, impl, rd->mode, size, th), side, ev, &ck);
	return ck.doubt == COUNT_PLAUSIBLE;
}

/* ---- intervals (docs/confidence.md) ---------------------------------------- */

/* impl's column over base's at one point of mode: the ratio of medians and
 * its 95% interval from both points' runs (lo, hi NAN without runs.csv). */
void ratio_at(const struct results_dir *rd, const char *base, const char *impl, const char *mode,
	      long size, long th, const char *column, struct interval *iv)
{
	results_dir_ratio_ci(rd, results_dir_row(rd, base, mode, size, th),
			     results_dir_row(rd, impl, mode, size, th), column, iv);
}

int has_interval(const struct interval *iv)
{
	return !isnan(iv->lo) && !isnan(iv->hi);
}

/* +1 / -1: the interval lies wholly above / below 1; 0: it holds 1, or there
 * is no interval (then the caller says "unavailable", never "no difference"). */
int ratio_side(const struct interval *iv)
{
	return has_interval(iv) ? stats_ratio_side(iv) : 0;
}

/* ---- where the CPU goes (sampling; figure 8) -------------------------------- */

/* Whether either side was sampled (sample = on) in the base slice. */
int sampled(const struct results_dir *rd)
{
	return results_dir_sampled(rd, "srv") || results_dir_sampled(rd, "cli");
}

int has_cat(const struct results_dir *rd, const char *cat)
{
	for (size_t c = 0; c < rd->ncats; c++)
		if (!strcmp(rd->cats[c], cat))
			return 1;
	return 0;
}

/* "SIDE_cat_CAT_pct" or "SIDE_cat_CAT_ns_per_byte": a column of runs.csv, and
 * with a stat suffix of summary.csv. */
const char *cat_col(char *buf, size_t len, const char *side, const char *cat, const char *what)
{
	snprintf(buf, len, "%s_cat_%s_%s", side, cat, what);
	return buf;
}

/* impl's median of side's share (what "pct") or CPU ns per byte ("ns_per_byte")
 * in category cat, at (size, th). */
double cat_val(const struct results_dir *rd, const char *impl, long size, long th, const char *side,
	       const char *cat, const char *what)
{
	char col[CATEGORY_NAME_MAX + 48];
	return val(rd, impl, rd->mode, size, th, cat_col(col, sizeof(col), side, cat, what),
		   "median");
}
