/*
 * report — the Part E report of a results folder (see report.h).
 *
 * Each question has one writer; they share small readers of the base slice.
 * Wording rule: a sentence either quotes numbers of the CSV or says what the
 * strategy does by design; it never claims a cause the data does not show.
 */
#include "report.h"
#include "units.h"
#include "atomicfile.h"
#include "figdata.h"
#include "metrics.h"
#include "placement.h"
#include "stats.h"
#include "strategy_info.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "env.h"

#define MAX_LIST 12 /* anomalies of one kind listed before "and N more" */

/* ---- readers --------------------------------------------------------------- */

/* stat is "median", "min", "max" or "cv" */
static double val(const struct results_dir *rd, const char *impl, const char *mode, long size,
		  long threads, const char *column, const char *stat)
{
	char col[160];
	snprintf(col, sizeof(col), "%s_%s", column, stat);
	return results_dir_num(rd, results_dir_row(rd, impl, mode, size, threads), col);
}

static double tput(const struct results_dir *rd, const char *impl, long size, long threads,
		   const char *stat)
{
	return val(rd, impl, rd->mode, size, threads, "throughput_gbps", stat);
}

static int has_impl(const struct results_dir *rd, const char *impl)
{
	for (size_t i = 0; i < rd->nimpls; i++)
		if (!strcmp(rd->impls[i], impl))
			return 1;
	return 0;
}

/* "[figure N](figures/NAME.png)": figures are named in figure_table only. */
static const char *fig_link(char *buf, size_t len, enum figure_id id)
{
	snprintf(buf, len, "[figure %d](figures/%s.png)", (int)id + 1, figure_table[id].name);
	return buf;
}

static const char *sz(char *buf, double bytes)
{
	format_size(buf, 32, bytes, SIZE_LONG);
	return buf;
}

static const char *threads_word(long t)
{
	return t == 1 ? "thread" : "threads";
}

/* "256 B–2 KiB, 16 KiB" from a mask over rd->sizes */
static void size_ranges(const struct results_dir *rd, const int *mask, char *buf, size_t len)
{
	char a[32], b[32];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < rd->nsizes; i++) {
		if (!mask[i])
			continue;
		size_t j = i;
		while (j + 1 < rd->nsizes && mask[j + 1])
			j++;
		used +=
		    (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s%s%s",
				     used ? ", " : "", sz(a, (double)rd->sizes[i]),
				     j > i ? "–" : "", j > i ? sz(b, (double)rd->sizes[j]) : "");
		if (used >= len)
			return;
		i = j;
	}
}

/* ---- intervals (docs/confidence.md) ---------------------------------------- */

/* impl's column over base's at one point of mode: the ratio of medians and
 * its 95% interval from both points' runs (lo, hi NAN without runs.csv). */
static void ratio_at(const struct results_dir *rd, const char *base, const char *impl,
		     const char *mode, long size, long th, const char *column, struct interval *iv)
{
	results_dir_ratio_ci(rd, results_dir_row(rd, base, mode, size, th),
			     results_dir_row(rd, impl, mode, size, th), column, iv);
}

static int has_interval(const struct interval *iv)
{
	return !isnan(iv->lo) && !isnan(iv->hi);
}

/* +1 / -1: the interval lies wholly above / below 1; 0: it holds 1, or there
 * is no interval (then the caller says "unavailable", never "no difference"). */
static int ratio_side(const struct interval *iv)
{
	return has_interval(iv) ? stats_ratio_side(iv) : 0;
}

/* "1.25 [1.21, 1.3]": a ratio and its interval; ", no significant difference"
 * when the interval holds 1. Without an interval, the ratio alone. */
static const char *ratio_text(char *buf, size_t len, const struct interval *iv)
{
	if (!has_interval(iv))
		snprintf(buf, len, "%.3g", iv->est);
	else
		snprintf(buf, len, "%.3g [%.3g, %.3g]%s", iv->est, iv->lo, iv->hi,
			 stats_ratio_side(iv) ? "" : ", no significant difference");
	return buf;
}

/* " [lo, hi]" of a ratio, or "" without an interval. */
static const char *ci_text(char *buf, size_t len, const struct interval *iv)
{
	if (!has_interval(iv))
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, " [%.3g, %.3g]", iv->lo, iv->hi);
	return buf;
}

/* x rounded to decimals, without the sign of a negative zero. */
static double unsigned_zero(double x, int decimals)
{
	double unit = pow(10, -decimals) / 2;
	return fabs(x) < unit ? 0 : x;
}

/* A ratio as a change in percent, "(r - 1) x 100": "-23% [-25%, -21%]", with
 * ", no significant difference" when the interval holds 1. decimals: at
 * least that many, more while a significant interval would read as 0. */
static const char *change_text(char *buf, size_t len, const struct interval *iv, int decimals)
{
	double e = (iv->est - 1) * 100, lo = (iv->lo - 1) * 100, hi = (iv->hi - 1) * 100;
	if (!has_interval(iv)) {
		snprintf(buf, len, "%+.*f%%", decimals, unsigned_zero(e, decimals));
		return buf;
	}
	int side = stats_ratio_side(iv);
	while (side && decimals < 3 &&
	       (!unsigned_zero(lo, decimals) || !unsigned_zero(hi, decimals)))
		decimals++;
	snprintf(buf, len, "%+.*f%% [%+.*f%%, %+.*f%%]%s", decimals, unsigned_zero(e, decimals),
		 decimals, unsigned_zero(lo, decimals), decimals, unsigned_zero(hi, decimals),
		 side ? "" : ", no significant difference");
	return buf;
}

/* ---- crossovers (questions 4 and 5) -------------------------------------- */


static size_t speedups(const struct results_dir *rd, const char *impl, long threads, double *ratio)
{
	size_t valid = 0;
	for (size_t s = 0; s < rd->nsizes; s++) {
		double a = tput(rd, impl, rd->sizes[s], threads, "median");
		double b = tput(rd, "two-copy", rd->sizes[s], threads, "median");
		ratio[s] = metric_ratio(a, b);
		valid += !isnan(ratio[s]);
	}
	return valid;
}

static void write_no_crossing(FILE *out, const struct results_dir *rd, const char *impl,
			      const double *ratio)
{
	char a[32], b[32], c[32];
	size_t first = rd->nsizes, last = 0, best = 0;
	for (size_t s = 0; s < rd->nsizes; s++) {
		if (isnan(ratio[s]))
			continue;
		first = first < s ? first : s;
		last = s;
		if (isnan(ratio[best]) || ratio[s] > ratio[best])
			best = s;
	}
	sz(a, (double)rd->sizes[first]);
	sz(b, (double)rd->sizes[last]);
	if (ratio[first] > 1)
		fprintf(out,
			"%s is ahead at every measured size, %s–%s (%s ÷ two-copy = %.3g at "
			"%s, %.3g at %s): no crossover within the range.\n",
			impl, a, b, impl, ratio[first], a, ratio[last], b);
	else
		fprintf(out,
			"not within %s–%s: %s stays at or below two-copy (closest: %s ÷ "
			"two-copy = %.3g at %s).\n",
			a, b, impl, impl, ratio[best], sz(c, (double)rd->sizes[best]));
}

/* Do impl's and two-copy's min–max throughput ranges overlap at this point? */
static int within_spread(const struct results_dir *rd, const char *impl, long size, long threads)
{
	double lo = tput(rd, impl, size, threads, "min"), hi = tput(rd, impl, size, threads, "max");
	double lo2 = tput(rd, "two-copy", size, threads, "min");
	double hi2 = tput(rd, "two-copy", size, threads, "max");
	return !isnan(lo) && !isnan(hi) && !isnan(lo2) && !isnan(hi2) && lo <= hi2 && lo2 <= hi;
}

/* Without intervals: where the medians cross 1.0, and whether the points
 * around a crossing overlap in their min-max spread. */
static void write_median_crossings(FILE *out, const struct results_dir *rd, const char *impl,
				   long threads, const double *ratio)
{
	struct crossing cr[RESULTS_MAX_SIZES];
	char a[32], b[32];
	size_t n = metric_crossings(rd->sizes, ratio, rd->nsizes, cr, RESULTS_MAX_SIZES);
	if (n == 0) {
		write_no_crossing(out, rd, impl, ratio);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = cr[k].before, j = i + 1;
		while (j < rd->nsizes && isnan(ratio[j]))
			j++;
		fprintf(out,
			"%s%s %s two-copy%s at **≈ %.0f B** (interpolated on the log2 size axis "
			"between %s, where %s ÷ two-copy = %.3g, and %s, where it is %.3g)",
			k ? "; then " : "", k ? "it" : impl,
			cr[k].upward ? "overtakes" : "falls behind",
			cr[k].upward && k ? " again" : "", cr[k].size, sz(a, (double)rd->sizes[i]),
			impl, ratio[i], sz(b, (double)rd->sizes[j]), ratio[j]);
		/* A crossing between points whose repetitions overlap may be noise: say so. */
		if (within_spread(rd, impl, rd->sizes[i], threads) ||
		    (j < rd->nsizes && within_spread(rd, impl, rd->sizes[j], threads)))
			fprintf(out, ", within the min–max spread of the repetitions");
	}
	fprintf(out, ".\n");
}

/* Where the medians cross 1.0 between sizes i and j, or 0. */
static double median_crossing(const struct results_dir *rd, const double *ratio, size_t i, size_t j)
{
	struct crossing cr[RESULTS_MAX_SIZES];
	size_t n = metric_crossings(rd->sizes, ratio, rd->nsizes, cr, RESULTS_MAX_SIZES);
	for (size_t k = 0; k < n; k++)
		if (cr[k].before >= i && cr[k].before < j)
			return cr[k].size;
	return 0;
}

/* No significant crossover: where impl is significantly ahead, behind, or
 * neither (side[s]: +1, -1, 0; NAN ratios left out). */
static void write_no_significant_crossing(FILE *out, const struct results_dir *rd, const char *impl,
					  const double *ratio, const struct interval *iv,
					  const int *side)
{
	int mask[4][RESULTS_MAX_SIZES];
	size_t count[4] = {0}, first = rd->nsizes, last = 0, best = 0;
	char a[32], b[32], c[32], r1[96], r2[96], list[512];
	for (size_t s = 0; s < rd->nsizes; s++) {
		/* by side + 1; 3: no interval (a point with one ok run) */
		int k = has_interval(&iv[s]) ? side[s] + 1 : 3;
		for (int j = 0; j < 4; j++)
			mask[j][s] = !isnan(ratio[s]) && k == j;
		if (isnan(ratio[s]))
			continue;
		count[k]++;
		first = first < s ? first : s;
		last = s;
		if (isnan(ratio[best]) || ratio[s] > ratio[best])
			best = s;
	}
	sz(a, (double)rd->sizes[first]);
	sz(b, (double)rd->sizes[last]);
	size_t valid = count[0] + count[1] + count[2] + count[3];
	if (count[2] == valid) {
		fprintf(out,
			"%s is significantly ahead at every measured size, %s–%s (%s ÷ two-copy "
			"= %s at %s, %s at %s): no crossover within the range.\n",
			impl, a, b, impl, ratio_text(r1, sizeof(r1), &iv[first]), a,
			ratio_text(r2, sizeof(r2), &iv[last]), b);
		return;
	}
	if (count[0] == valid) {
		fprintf(out,
			"not within %s–%s: %s is significantly behind two-copy at every measured "
			"size (closest: %s ÷ two-copy = %s at %s).\n",
			a, b, impl, impl, ratio_text(r1, sizeof(r1), &iv[best]),
			sz(c, (double)rd->sizes[best]));
		return;
	}
	/* indexed as mask; said ahead first, then behind, neither, unknown */
	static const char *const what[4] = {
	    "significantly behind at ", "not significantly different from two-copy at ",
	    "significantly ahead at ", "without an interval (one ok run) at "};
	static const int said[4] = {2, 0, 1, 3};
	fprintf(out, "**no significant crossover** within %s–%s: %s is", a, b, impl);
	for (size_t i = 0, n = 0; i < 4; i++) {
		if (!count[said[i]])
			continue;
		size_ranges(rd, mask[said[i]], list, sizeof(list));
		fprintf(out, "%s %s%s", n++ ? ";" : "", what[said[i]], list);
	}
	double m = median_crossing(rd, ratio, 0, rd->nsizes);
	if (m > 0)
		fprintf(out, " (the medians cross 1.0 at ≈ %.0f B, within the 95%% intervals)", m);
	fprintf(out, ".\n");
}

/*
 * A significant crossover lies between the last size where impl ÷ two-copy
 * is significantly on one side of 1 and the first where it is significantly
 * on the other (docs/confidence.md); sizes not significant in between do
 * not end it.
 */
static void write_crossover_line(FILE *out, const struct results_dir *rd, const char *impl,
				 long threads)
{
	double ratio[RESULTS_MAX_SIZES];
	struct interval iv[RESULTS_MAX_SIZES];
	int side[RESULTS_MAX_SIZES];
	char a[32], b[32], r1[96], r2[96];
	fprintf(out, "- **%ld %s:** ", threads, threads_word(threads));
	if (speedups(rd, impl, threads, ratio) < 2) {
		fprintf(out, "not enough points with both %s and two-copy measured.\n", impl);
		return;
	}
	if (!results_dir_has_intervals(rd)) {
		write_median_crossings(out, rd, impl, threads, ratio);
		return;
	}
	size_t with_interval = 0;
	for (size_t s = 0; s < rd->nsizes; s++) {
		ratio_at(rd, "two-copy", impl, rd->mode, rd->sizes[s], threads, "throughput_gbps",
			 &iv[s]);
		side[s] = isnan(ratio[s]) ? 0 : ratio_side(&iv[s]);
		with_interval += !isnan(ratio[s]) && has_interval(&iv[s]);
	}
	if (!with_interval) { /* every point of this thread count ran once */
		write_median_crossings(out, rd, impl, threads, ratio);
		return;
	}
	size_t n = 0, prev = rd->nsizes;
	for (size_t s = 0; s < rd->nsizes; s++) {
		if (!side[s])
			continue;
		if (prev < rd->nsizes && side[prev] != side[s]) {
			fprintf(out,
				"%s%s %s two-copy%s between **%s and %s**: significantly %s at %s "
				"(%s ÷ two-copy = %s), significantly %s at %s (%s)",
				n ? "; then " : "", n ? "it" : impl,
				side[s] > 0 ? "overtakes" : "falls behind",
				side[s] > 0 && n ? " again" : "", sz(a, (double)rd->sizes[prev]),
				sz(b, (double)rd->sizes[s]), side[prev] > 0 ? "ahead" : "behind", a,
				impl, ratio_text(r1, sizeof(r1), &iv[prev]),
				side[s] > 0 ? "ahead" : "behind", b,
				ratio_text(r2, sizeof(r2), &iv[s]));
			double m = median_crossing(rd, ratio, prev, s);
			if (m > 0)
				fprintf(out,
					"; the medians cross 1.0 at ≈ %.0f B (interpolated on the "
					"log2 size axis)",
					m);
			n++;
		}
		prev = s;
	}
	if (n)
		fprintf(out, ".\n");
	else
		write_no_significant_crossing(out, rd, impl, ratio, iv, side);
}

static void write_sides_vs_two(FILE *out, const struct results_dir *rd, const char *impl,
			       long size, long th);
static void write_zc_where_at(FILE *out, const struct results_dir *rd, const char *impl, long size,
			      long th);

static void write_crossovers(FILE *out, const struct results_dir *rd, const char *impl)
{
	if (!has_impl(rd, impl) || !has_impl(rd, "two-copy")) {
		fprintf(out, "Not measured: the sweep has no %s points.\n\n",
			has_impl(rd, impl) ? "two-copy" : impl);
		return;
	}
	char f5[96];
	fprintf(out,
		"%s ÷ two-copy throughput (medians, %s mode) per thread count; "
		"see %s.\n\n",
		impl, rd->mode, fig_link(f5, sizeof(f5), FIG_SPEEDUP));
	for (size_t t = 0; t < rd->nthreads; t++)
		write_crossover_line(out, rd, impl, rd->threads[t]);
	if (rd->nsizes && rd->nthreads) {
		fprintf(out, "\nWhat each side pays, at the largest size:\n\n");
		write_sides_vs_two(out, rd, impl, rd->sizes[rd->nsizes - 1], rd->threads[0]);
		if (strategy_is_zerocopy(impl))
			write_zc_where_at(out, rd, impl, rd->sizes[rd->nsizes - 1], rd->threads[0]);
	}
	fprintf(out, "\n");
}

/* ---- where the CPU goes (sampling; figure 8) -------------------------------- */

/* Whether either side was sampled (sample = on) in the base slice. */
static int sampled(const struct results_dir *rd)
{
	return results_dir_sampled(rd, "srv") || results_dir_sampled(rd, "cli");
}

static int has_cat(const struct results_dir *rd, const char *cat)
{
	for (size_t c = 0; c < rd->ncats; c++)
		if (!strcmp(rd->cats[c], cat))
			return 1;
	return 0;
}

/* "SIDE_cat_CAT_pct" or "SIDE_cat_CAT_ns_per_byte": a column of runs.csv, and
 * with a stat suffix of summary.csv. */
static const char *cat_col(char *buf, size_t len, const char *side, const char *cat,
			   const char *what)
{
	snprintf(buf, len, "%s_cat_%s_%s", side, cat, what);
	return buf;
}

/* impl's median of side's share (what "pct") or CPU ns per byte ("ns_per_byte")
 * in category cat, at (size, th). */
static double cat_val(const struct results_dir *rd, const char *impl, long size, long th,
		      const char *side, const char *cat, const char *what)
{
	char col[CATEGORY_NAME_MAX + 48];
	return val(rd, impl, rd->mode, size, th, cat_col(col, sizeof(col), side, cat, what),
		   "median");
}

/* One sentence where the folder was not sampled: how to get what it would show. */
static void write_not_sampled(FILE *out, const char *what)
{
	char f8[96];
	fprintf(out,
		"Not sampled: sweep with `sample = on` (or `copyscope run --sample`) to see %s "
		"(%s; docs/sampling.md).\n\n",
		what, fig_link(f8, sizeof(f8), FIG_CPU_WHERE));
}

/*
 * What zero-copy's server pays for by design, at (size, th): page pinning,
 * completions, and the kernel copy that loopback still makes (two-copy's
 * beside it), as shares of its samples and CPU ns per byte, into buf. ""
 * when none of them was sampled there.
 */
static const char *zc_where(char *buf, size_t len, const struct results_dir *rd, const char *impl,
			    long size, long th)
{
	static const char *const cats[] = {"pinning", "zc_completion", "kernel_copy"};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < 3 && used < len; k++) {
		double pct = cat_val(rd, impl, size, th, "srv", cats[k], "pct");
		double ns = cat_val(rd, impl, size, th, "srv", cats[k], "ns_per_byte");
		if (isnan(pct)) /* not sampled there, or not a category of this folder's */
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s %.1f%%", used ? ", " : "",
					 results_dir_category_label(cats[k]), pct);
		if (!isnan(ns) && used < len)
			used += (size_t)snprintf(buf + used, len - used, " (%.3g ns/B)", ns);
	}
	double two = cat_val(rd, "two-copy", size, th, "srv", "kernel_copy", "pct");
	double two_ns = cat_val(rd, "two-copy", size, th, "srv", "kernel_copy", "ns_per_byte");
	if (!used || used >= len || isnan(two) || !strcmp(impl, "two-copy"))
		return buf;
	used += (size_t)snprintf(buf + used, len - used, "; two-copy's kernel copy: %.1f%%", two);
	if (!isnan(two_ns) && used < len)
		snprintf(buf + used, len - used, " (%.3g ns/B)", two_ns);
	return buf;
}

/* Q5: under "what each side pays", where zero-copy's server CPU went. */
static void write_zc_where_at(FILE *out, const struct results_dir *rd, const char *impl, long size,
			      long th)
{
	char a[32], f8[96], text[1024];
	if (zc_where(text, sizeof(text), rd, impl, size, th)[0])
		fprintf(out,
			"  Where the server's CPU went at %s, %ld %s (share of its samples and CPU "
			"ns per byte, medians; %s): %s.\n",
			sz(a, (double)size), th, threads_word(th),
			fig_link(f8, sizeof(f8), FIG_CPU_WHERE), text);
}

/* Q1: where impl's server CPU went at the smallest and the largest size. */
static void write_zc_where(FILE *out, const struct results_dir *rd, const char *impl)
{
	char a[32], f8[96], text[1024];
	if (!rd->nsizes || !rd->nthreads)
		return;
	long th = rd->threads[0], pick[2] = {rd->sizes[0], rd->sizes[rd->nsizes - 1]};
	for (size_t p = 0, shown = 0; p < (rd->nsizes > 1 ? 2u : 1u); p++) {
		if (!zc_where(text, sizeof(text), rd, impl, pick[p], th)[0])
			continue;
		if (!shown++)
			fprintf(out,
				"- **%s**, where its server's CPU went (share of its samples and "
				"CPU ns per byte, medians; %s):\n",
				impl, fig_link(f8, sizeof(f8), FIG_CPU_WHERE));
		fprintf(out, "  - at %s, %ld %s: %s.\n", sz(a, (double)pick[p]), th,
			threads_word(th), text);
	}
}

/* ---- question 1: zero-copy ------------------------------------------------ */

struct loss {
	double pct, mine, theirs;
	long size, threads;
	const char *winner;
};

static const char *fastest(const struct results_dir *rd, long size, long threads, double *v)
{
	const char *best = NULL;
	*v = NAN;
	for (size_t i = 0; i < rd->nimpls; i++) {
		double x = tput(rd, rd->impls[i], size, threads, "median");
		if (!isnan(x) && (!best || x > *v)) {
			best = rd->impls[i];
			*v = x;
		}
	}
	return best;
}

static void write_zc_losses(FILE *out, const struct results_dir *rd, const char *impl)
{
	size_t points = 0, led = 0, behind_two = 0, sig_behind = 0;
	struct loss worst = {.pct = 0, .winner = NULL};
	struct interval iv;
	char a[32], c[128];
	for (size_t t = 0; t < rd->nthreads; t++)
		for (size_t s = 0; s < rd->nsizes; s++) {
			long size = rd->sizes[s], th = rd->threads[t];
			double mine = tput(rd, impl, size, th, "median"), top;
			const char *winner = fastest(rd, size, th, &top);
			if (isnan(mine) || !winner)
				continue;
			points++;
			led += !strcmp(winner, impl);
			if (mine < tput(rd, "two-copy", size, th, "median")) {
				behind_two++;
				ratio_at(rd, "two-copy", impl, rd->mode, size, th,
					 "throughput_gbps", &iv);
				sig_behind += ratio_side(&iv) < 0;
			}
			double pct = (mine - top) / top * 100;
			if (strcmp(winner, impl) && (!worst.winner || pct < worst.pct))
				worst = (struct loss){pct, mine, top, size, th, winner};
		}
	fprintf(out,
		"- **%s** was the fastest strategy at %zu of %zu points and behind two-copy at "
		"%zu",
		impl, led, points, behind_two);
	if (behind_two && results_dir_has_intervals(rd))
		fprintf(out,
			" (significantly at %zu: the 95%% interval of %s ÷ two-copy lies below 1, "
			"and two-copy is %.0f%% or more faster)",
			sig_behind, impl, (STATS_MIN_EFFECT - 1) * 100);
	fprintf(out, ".");
	if (worst.winner) {
		ratio_at(rd, worst.winner, impl, rd->mode, worst.size, worst.threads,
			 "throughput_gbps", &iv);
		fprintf(out,
			" Its largest loss: %s with %ld %s, %.4g Gbit/s against %s's %.4g "
			"Gbit/s (%s).",
			sz(a, (double)worst.size), worst.threads, threads_word(worst.threads),
			worst.mine, worst.winner, worst.theirs, change_text(c, sizeof(c), &iv, 1));
	}
	fprintf(out, "\n");
}

static void write_fallback(FILE *out, const struct results_dir *rd, const char *impl)
{
	double lo = NAN, hi = NAN;
	size_t n = 0;
	for (size_t t = 0; t < rd->nthreads; t++)
		for (size_t s = 0; s < rd->nsizes; s++) {
			long size = rd->sizes[s], th = rd->threads[t];
			double done = val(rd, impl, rd->mode, size, th, "zc_completions", "median");
			double copied = val(rd, impl, rd->mode, size, th, "zc_copied", "median");
			double rate = metric_copied_pct(copied, done);
			if (isnan(rate))
				continue;
			lo = n && lo < rate ? lo : rate;
			hi = n && hi > rate ? hi : rate;
			n++;
		}
	if (n == 0)
		fprintf(out,
			"- **%s**: no zero-copy completions were counted (zc_completions is "
			"empty), so the copied-fallback rate is not known.\n",
			impl);
	else
		fprintf(out,
			"- **%s**: the kernel reported %.1f%%–%.1f%% of its completions as "
			"copied anyway (zc_copied ÷ zc_completions, medians, over %zu points).\n",
			impl, lo, hi, n);
}

/* Share of the window a side spent on a CPU: (user + system time) ÷ window. */
static double busy_share(const struct results_dir *rd, const char *impl, long size, long th,
			 const char *side)
{
	char u[32], k[32];
	snprintf(u, sizeof(u), "%s_utime_s", side);
	snprintf(k, sizeof(k), "%s_stime_s", side);
	double window =
	    results_dir_num(rd, results_dir_row(rd, impl, rd->mode, size, th), "duration_s");
	return metric_busy_pct(val(rd, impl, rd->mode, size, th, u, "median"),
			       val(rd, impl, rd->mode, size, th, k, "median"), window);
}

/*
 * What impl costs each side against two-copy at one point: CPU per byte and
 * how busy each side was. On loopback the sender's sendmsg also runs the
 * receive path, so the server is often the side near 100% of a CPU, and then
 * its cost per byte, not the client's, sets the throughput.
 */
static void write_sides_vs_two(FILE *out, const struct results_dir *rd, const char *impl,
			       long size, long th)
{
	static const char *const side[] = {"srv", "cli"}, *const name[] = {"server", "client"};
	char a[32], col[64];
	int shown = 0;
	for (int i = 0; i < 2; i++) {
		snprintf(col, sizeof(col), "%s_cpu_ns_per_byte", side[i]);
		double x = val(rd, impl, rd->mode, size, th, col, "median");
		double two = val(rd, "two-copy", rd->mode, size, th, col, "median");
		if (isnan(x) || isnan(two) || two <= 0)
			continue;
		if (!shown++)
			fprintf(out, "  CPU per byte at %s, %ld %s (medians): ", sz(a, (double)size),
				th, threads_word(th));
		else
			fprintf(out, "; ");
		struct interval iv;
		char c[128];
		ratio_at(rd, "two-copy", impl, rd->mode, size, th, col, &iv);
		fprintf(out, "%s %s %.4g ns, two-copy %.4g ns (%s)", name[i], impl, x, two,
			change_text(c, sizeof(c), &iv, 0));
		double busy = busy_share(rd, impl, size, th, side[i]);
		double busy2 = busy_share(rd, "two-copy", size, th, side[i]);
		if (!isnan(busy) && !isnan(busy2))
			fprintf(out, ", using %.0f%% and %.0f%% of a CPU", busy, busy2);
	}
	if (shown)
		fprintf(out, " (user + system time ÷ window).\n");
}

static void write_zc_cost(FILE *out, const struct results_dir *rd, const char *impl)
{
	const char *ctx = results_dir_key(rd, "PERF_COUNT_SW_CONTEXT_SWITCHES", "ctx_switches");
	char col[128], a[32];
	if (!ctx || rd->nsizes == 0 || !rd->nthreads)
		return;
	long size = rd->sizes[rd->nsizes - 1], th = rd->threads[0];
	snprintf(col, sizeof(col), "srv_%s_per_msg", ctx);
	double z = val(rd, impl, rd->mode, size, th, col, "median");
	double two = val(rd, "two-copy", rd->mode, size, th, col, "median");
	if (isnan(z) || isnan(two))
		return;
	fprintf(out,
		"  Server context switches per message at %s, %ld %s: %s %.4g, two-copy "
		"%.4g.\n",
		sz(a, (double)size), th, threads_word(th), impl, z, two);
	write_sides_vs_two(out, rd, impl, size, th);
}

/* ---- what TCP did (TCP_INFO columns; figure 7) ------------------------------ */

static double bytes_per_seg(const struct results_dir *rd, const char *impl, long size, long th)
{
	return val(rd, impl, rd->mode, size, th, "srv_tcp_bytes_per_seg", "median");
}

/* One line for impl at size, th: its sender's bytes per data segment against
 * two-copy's, and what held the sender back. Nothing without TCP_INFO columns. */
static int write_tcp_line(FILE *out, const struct results_dir *rd, const char *impl, long size,
			  long th)
{
	double seg = bytes_per_seg(rd, impl, size, th);
	if (isnan(seg))
		return 0;
	char a[32];
	fprintf(out, "  - at %s, %ld %s: TCP sent %.0f B per data segment", sz(a, (double)size), th,
		threads_word(th), seg);
	double two = bytes_per_seg(rd, "two-copy", size, th);
	struct interval iv;
	char r[96];
	/* the larger over the smaller: "N× fewer" or "N× more" */
	if (seg < two)
		ratio_at(rd, impl, "two-copy", rd->mode, size, th, "srv_tcp_bytes_per_seg", &iv);
	else
		ratio_at(rd, "two-copy", impl, rd->mode, size, th, "srv_tcp_bytes_per_seg", &iv);
	int same = has_interval(&iv) ? !stats_ratio_side(&iv) : iv.est < 1.05;
	if (strcmp(impl, "two-copy") && !isnan(two) && same)
		fprintf(out, " (two-copy: %.0f B, about the same%s)", two,
			has_interval(&iv) ? ": no significant difference" : "");
	else if (strcmp(impl, "two-copy") && !isnan(two))
		fprintf(out, " (two-copy: %.0f B, %.3g× %s%s)", two, iv.est,
			seg < two ? "fewer bytes per segment" : "more", ci_text(r, sizeof(r), &iv));
	double busy = val(rd, impl, rd->mode, size, th, "srv_tcp_busy_pct", "median");
	double rwnd = val(rd, impl, rd->mode, size, th, "srv_tcp_rwnd_limited_pct", "median");
	double sndbuf = val(rd, impl, rd->mode, size, th, "srv_tcp_sndbuf_limited_pct", "median");
	if (!isnan(busy) && !isnan(rwnd) && !isnan(sndbuf))
		fprintf(out,
			"; the sender was busy %.0f%% of the window, held back by the receive "
			"window %.0f%% and by the send buffer %.0f%%",
			busy, rwnd, sndbuf);
	fprintf(out, ".\n");
	return 1;
}

/* What TCP did with impl's bytes at the smallest and largest size, one
 * thread count: 1 when it wrote something. */
static int write_tcp(FILE *out, const struct results_dir *rd, const char *impl)
{
	if (!rd->nsizes || !rd->nthreads)
		return 0;
	long th = rd->threads[0];
	char f7[96];
	if (isnan(bytes_per_seg(rd, impl, rd->sizes[0], th)))
		return 0;
	fprintf(out, "- **%s**, what TCP did with its bytes (TCP_INFO, medians; %s):\n", impl,
		fig_link(f7, sizeof(f7), FIG_TCP));
	write_tcp_line(out, rd, impl, rd->sizes[0], th);
	if (rd->nsizes > 1)
		write_tcp_line(out, rd, impl, rd->sizes[rd->nsizes - 1], th);
	return 1;
}

/* Q6: a strategy whose segments are more than 4x smaller than two-copy's at
 * the same point: it pays the per-packet path that many times more often. */
static size_t find_small_segments(FILE *out, const struct results_dir *rd)
{
	size_t found = 0;
	for (size_t i = 0; i < rd->nimpls; i++)
		for (size_t t = 0; t < rd->nthreads; t++)
			for (size_t s = 0; s < rd->nsizes; s++) {
				long size = rd->sizes[s], th = rd->threads[t];
				double seg = bytes_per_seg(rd, rd->impls[i], size, th);
				double two = bytes_per_seg(rd, "two-copy", size, th);
				double shrink = metric_ratio(two, seg);
				if (!strcmp(rd->impls[i], "two-copy") || !(shrink > 4))
					continue;
				char a[32], r[96];
				struct interval iv;
				ratio_at(rd, rd->impls[i], "two-copy", rd->mode, size, th,
					 "srv_tcp_bytes_per_seg", &iv);
				fprintf(
				    out,
				    "- Smaller segments: %s, %ld %s, %s: %.0f B per data segment "
				    "against two-copy's %.0f B (%.3g× smaller%s): each segment "
				    "pays the per-packet path.\n",
				    rd->impls[i], th, threads_word(th), sz(a, (double)size), seg,
				    two, shrink, ci_text(r, sizeof(r), &iv));
				found++;
			}
	return found;
}

/* Q3: did more threads change the segments? At the largest size, each
 * strategy's bytes per segment at the fewest and the most threads. */
static void write_q3_segments(FILE *out, const struct results_dir *rd)
{
	if (rd->nthreads < 2 || !rd->nsizes)
		return;
	long size = rd->sizes[rd->nsizes - 1], lo = rd->threads[0],
	     hi = rd->threads[rd->nthreads - 1];
	int any = 0;
	char a[32];
	for (size_t i = 0; i < rd->nimpls; i++) {
		double a_seg = bytes_per_seg(rd, rd->impls[i], size, lo);
		double b_seg = bytes_per_seg(rd, rd->impls[i], size, hi);
		if (isnan(a_seg) || isnan(b_seg))
			continue;
		if (!any)
			fprintf(out,
				"What TCP did at %s, %ld → %ld threads (bytes per data segment; "
				"the sender's time held back by the receive window, by the send "
				"buffer):\n\n",
				sz(a, (double)size), lo, hi);
		any = 1;
		struct interval iv;
		char c[128];
		results_dir_ratio_ci(rd, results_dir_row(rd, rd->impls[i], rd->mode, size, lo),
				     results_dir_row(rd, rd->impls[i], rd->mode, size, hi),
				     "srv_tcp_bytes_per_seg", &iv);
		fprintf(out, "- %s: %.0f B → %.0f B (%s)", rd->impls[i], a_seg, b_seg,
			change_text(c, sizeof(c), &iv, 0));
		static const char *const limits[] = {"srv_tcp_rwnd_limited_pct",
						     "srv_tcp_sndbuf_limited_pct"};
		for (size_t k = 0; k < 2; k++) {
			double x = val(rd, rd->impls[i], rd->mode, size, lo, limits[k], "median");
			double y = val(rd, rd->impls[i], rd->mode, size, hi, limits[k], "median");
			if (!isnan(x) && !isnan(y))
				fprintf(out, "; %s %.0f%% → %.0f%%", k ? "send buffer" : "receive window",
					x, y);
		}
		fprintf(out, "\n");
	}
	if (any)
		fprintf(out, "\n");
}

static void write_q1(FILE *out, const struct results_dir *rd)
{
	size_t nzc = 0;
	fprintf(out, "## 1. Why does zero-copy not always give the best throughput?\n\n");
	for (size_t i = 0; i < rd->nimpls; i++)
		nzc += strategy_is_zerocopy(rd->impls[i]);
	if (nzc == 0) {
		fprintf(out, "No zero-copy strategy (");
		for (size_t i = 0, k = 0; i < strategy_ninfos; i++)
			if (strategy_infos[i].zerocopy)
				fprintf(out, "%s%s", k++ ? ", " : "", strategy_infos[i].name);
		fprintf(out, ") was measured in this sweep.\n\n");
		return;
	}
	char f1[96], f5[96], f6[96];
	fprintf(out, "Throughput medians, %s mode, every size and thread count (%s, %s, %s):\n\n",
		rd->mode, fig_link(f1, sizeof(f1), FIG_THROUGHPUT),
		fig_link(f5, sizeof(f5), FIG_SPEEDUP), fig_link(f6, sizeof(f6), FIG_ZEROCOPY));
	for (size_t i = 0; i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i]))
			write_zc_losses(out, rd, rd->impls[i]);
	fprintf(out, "\nCopied fallback:\n\n");
	for (size_t i = 0; i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i])) {
			write_fallback(out, rd, rd->impls[i]);
			write_zc_cost(out, rd, rd->impls[i]);
		}
	for (size_t i = 0; i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i]))
			write_tcp(out, rd, rd->impls[i]);
	for (size_t i = 0; sampled(rd) && i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i]))
			write_zc_where(out, rd, rd->impls[i]);
	fprintf(out, "\nZero-copy saves the copy of the sent bytes only when the kernel can hand "
		     "the pages to a device; in exchange it pins the pages and reports every "
		     "completion on the socket's error queue (io_uring: a notification CQE), and a "
		     "buffer is reused only after its completion. Data bound for a local socket is "
		     "always copied (kernel Documentation/networking/msg_zerocopy.rst), so ");
	if (!strcmp(rd->topology, "loopback") || !strcmp(rd->topology, "netns"))
		fprintf(out,
			"on this sweep's topology (**%s**: %s) zero-copy pays those costs "
			"and still copies; the copied-fallback rate above is the measure of it. "
			"Only a real NIC can show its gain.\n\n",
			rd->topology,
			!strcmp(rd->topology, "loopback") ? "127.0.0.1"
							  : "a veth pair between "
							    "two network namespaces");
	else
		fprintf(out,
			"the copied-fallback rate above says how often it paid those costs "
			"without saving the copy (topology: %s).\n\n",
			rd->topology);
	if (!sampled(rd))
		write_not_sampled(out, "what each zero-copy strategy's server spends on page "
				       "pinning, on completions and on the kernel copy that "
				       "loopback still makes");
}

/* ---- question 2: which cache level ---------------------------------------- */

static double reduction(const struct results_dir *rd, const char *column, long size, long th)
{
	double two = val(rd, "two-copy", rd->mode, size, th, column, "median");
	double one = val(rd, "one-copy", rd->mode, size, th, column, "median");
	return metric_reduction_pct(two, one);
}

/* Whether impl's count of ev on side at (size, th) may be used (resultsdir.h). */
static int plausible(const struct results_dir *rd, const char *impl, const char *side,
		     const struct event_spec *ev, long size, long th)
{
	struct count_check ck;
	results_dir_check_count(rd, results_dir_row(rd, impl, rd->mode, size, th), side, ev, &ck);
	return ck.doubt == COUNT_PLAUSIBLE;
}

/*
 * One-copy's reduction of ev's server misses per KiB from two-copy's, in
 * percent, and its 95% interval ((1 - ratio) x 100, so lo and hi swap): a
 * table cell. *significant: the interval lies on one side of 0.
 */
static void reduction_cell(const struct results_dir *rd, const struct event_spec *ev, long size,
			   long th, char *buf, size_t len, int *significant)
{
	char col[128];
	struct interval iv;
	*significant = 0;
	if (!plausible(rd, "two-copy", "srv", ev, size, th) ||
	    !plausible(rd, "one-copy", "srv", ev, size, th)) {
		snprintf(buf, len, "implausible count, left out (see below)");
		return;
	}
	snprintf(col, sizeof(col), "srv_%s_per_kb", ev->key);
	ratio_at(rd, "two-copy", "one-copy", rd->mode, size, th, col, &iv);
	double r = reduction(rd, col, size, th);
	if (isnan(r)) {
		snprintf(buf, len, "-");
		return;
	}
	int n = snprintf(buf, len, "%.1f%% %s", fabs(r), r >= 0 ? "fewer" : "more");
	if (!has_interval(&iv) || n < 0 || (size_t)n >= len)
		return;
	*significant = stats_ratio_side(&iv) != 0;
	/* as reductions: 1 - ratio, so the interval's ends swap */
	snprintf(buf + n, len - (size_t)n, " [%.1f%%, %.1f%%]%s",
		 unsigned_zero((1 - iv.hi) * 100, 1), unsigned_zero((1 - iv.lo) * 100, 1),
		 *significant ? "" : ", no significant difference");
}

static void write_q2_levels(FILE *out, const struct results_dir *rd, long th)
{
	const struct event_spec *best[RESULTS_MAX_SIZES];
	char a[32], cell[192], list[512];
	size_t sig = 0;
	fprintf(out, "| size | level with the largest reduction |");
	for (size_t e = 0; e < rd->events.n; e++)
		if (event_is_cache_level(&rd->events.ev[e]))
			fprintf(out, " %s (%s) |", rd->events.ev[e].level, rd->events.ev[e].key);
	fprintf(out, "\n|---|---|");
	for (size_t e = 0; e < rd->events.n; e++)
		if (event_is_cache_level(&rd->events.ev[e]))
			fprintf(out, "---:|");
	fprintf(out, "\n");
	int best_sig[RESULTS_MAX_SIZES] = {0};
	for (size_t s = 0; s < rd->nsizes; s++) {
		double red = 0;
		best[s] = table_largest_reduction(rd, "srv", rd->sizes[s], th, "all", &red);
		fprintf(out, "| %s | %s |", sz(a, (double)rd->sizes[s]),
			best[s] ? best[s]->level : "-");
		for (size_t e = 0; e < rd->events.n; e++) {
			const struct event_spec *ev = &rd->events.ev[e];
			int significant;
			if (!event_is_cache_level(ev))
				continue;
			reduction_cell(rd, ev, rd->sizes[s], th, cell, sizeof(cell), &significant);
			if (ev == best[s])
				best_sig[s] = significant;
			fprintf(out, " %s |", cell);
		}
		fprintf(out, "\n");
	}
	const struct event_spec *top = NULL;
	size_t topn = 0;
	for (size_t e = 0; e < rd->events.n; e++) {
		size_t n = 0;
		for (size_t s = 0; s < rd->nsizes; s++)
			n += best[s] == &rd->events.ev[e];
		if (n > topn) {
			top = &rd->events.ev[e];
			topn = n;
		}
	}
	if (!top)
		return;
	int mask[RESULTS_MAX_SIZES];
	for (size_t s = 0; s < rd->nsizes; s++) {
		mask[s] = best[s] == top;
		sig += mask[s] && best_sig[s];
	}
	size_ranges(rd, mask, list, sizeof(list));
	fprintf(out, "\n**%s** (%s) shows the most reduction: the largest at %zu of %zu sizes (%s)",
		top->level, top->key, topn, rd->nsizes, list);
	if (results_dir_has_intervals(rd))
		fprintf(out, "; %s reduction is significant at %zu of those %zu", top->level, sig,
			topn);
	fprintf(out, ".\n\n");
}

static double user_share(const struct results_dir *rd, const char *impl, long size, long th)
{
	double u = val(rd, impl, rd->mode, size, th, "srv_utime_s", "median");
	double k = val(rd, impl, rd->mode, size, th, "srv_stime_s", "median");
	return metric_user_pct(u, k);
}

/* A table cell: the number in fmt, or "–" when it was not measured. */
static void cell_text(char *buf, size_t len, const char *fmt, double v)
{
	if (isnan(v))
		snprintf(buf, len, "–");
	else
		snprintf(buf, len, fmt, v);
}

static void write_q2_instead(FILE *out, const struct results_dir *rd, long th)
{
	const char *ctx = results_dir_key(rd, "PERF_COUNT_SW_CONTEXT_SWITCHES", "ctx_switches");
	const char *rx = results_dir_key(rd, "tracepoint:skb:skb_copy_datagram_iovec", "rx_copies");
	char a[32], c_ctx[128], c_rx[128];
	snprintf(c_ctx, sizeof(c_ctx), "srv_%s_per_msg", ctx ? ctx : "-");
	snprintf(c_rx, sizeof(c_rx), "cli_%s_per_msg", rx ? rx : "-");
	fprintf(
	    out,
	    "What was measured instead, two-copy → one-copy (server; kernel copies are the "
	    "client's receive copies, skb:skb_copy_datagram_iovec; `copyscope table` has "
	    "every strategy):\n\n"
	    "| size | CPU ns/B | change | user share of CPU time | context switches/msg | kernel "
	    "copies/msg |\n|---|---:|---:|---:|---:|---:|\n");
	int missing = 0;
	for (size_t s = 0; s < rd->nsizes; s++) {
		long size = rd->sizes[s];
		double r = reduction(rd, "srv_cpu_ns_per_byte", size, th);
		double v[8] = {
		    val(rd, "two-copy", rd->mode, size, th, "srv_cpu_ns_per_byte", "median"),
		    val(rd, "one-copy", rd->mode, size, th, "srv_cpu_ns_per_byte", "median"),
		    user_share(rd, "two-copy", size, th),
		    user_share(rd, "one-copy", size, th),
		    val(rd, "two-copy", rd->mode, size, th, c_ctx, "median"),
		    val(rd, "one-copy", rd->mode, size, th, c_ctx, "median"),
		    val(rd, "two-copy", rd->mode, size, th, c_rx, "median"),
		    val(rd, "one-copy", rd->mode, size, th, c_rx, "median"),
		};
		char cell[8][32];
		for (int i = 0; i < 8; i++) {
			missing |= isnan(v[i]);
			cell_text(cell[i], sizeof(cell[i]), i == 2 || i == 3 ? "%.0f%%" : "%.4g",
				  v[i]);
		}
		struct interval iv;
		char change[128];
		ratio_at(rd, "two-copy", "one-copy", rd->mode, size, th, "srv_cpu_ns_per_byte",
			 &iv);
		fprintf(out, "| %s | %s → %s | %s | ", sz(a, (double)size), cell[0], cell[1],
			isnan(r) ? "–" : change_text(change, sizeof(change), &iv, 1));
		fprintf(out, "%s → %s | %s → %s | %s → %s |\n", cell[2], cell[3], cell[4], cell[5],
			cell[6], cell[7]);
	}
	fprintf(out, missing ? "\n(–: not measured.)\n\n" : "\n");
}

/*
 * Which copies disappear from two-copy to one-copy: the server's CPU ns per
 * byte in the user-copy and kernel-copy categories, with the 95% interval of
 * each change; then at how many sizes one-copy's median is 0 where
 * two-copy's is not.
 */
static void write_q2_copies(FILE *out, const struct results_dir *rd, long th)
{
	static const char *const cats[] = {"user_copy", "kernel_copy"};
	char a[32], f8[96], col[CATEGORY_NAME_MAX + 48];
	size_t gone[2] = {0, 0}, both[2] = {0, 0};
	if (!sampled(rd)) {
		write_not_sampled(out, "which copies disappear between two-copy and one-copy, as "
				       "user-copy and kernel-copy CPU ns per byte");
		return;
	}
	if (!has_cat(rd, cats[0]) || !has_cat(rd, cats[1]))
		return; /* another category file: figure 8 has its categories */
	fprintf(out,
		"Which copies disappear, two-copy → one-copy (server, CPU ns per byte in each "
		"category from sampling, medians, %ld %s; %s):\n\n"
		"| size | user copy (ns/B) | change | kernel copy (ns/B) | change |\n"
		"|---|---:|---:|---:|---:|\n",
		th, threads_word(th), fig_link(f8, sizeof(f8), FIG_CPU_WHERE));
	for (size_t s = 0; s < rd->nsizes; s++) {
		long size = rd->sizes[s];
		fprintf(out, "| %s |", sz(a, (double)size));
		for (size_t k = 0; k < 2; k++) {
			double two =
			    cat_val(rd, "two-copy", size, th, "srv", cats[k], "ns_per_byte");
			double one =
			    cat_val(rd, "one-copy", size, th, "srv", cats[k], "ns_per_byte");
			char c2[32], c1[32], change[128];
			struct interval iv;
			cell_text(c2, sizeof(c2), "%.3g", two);
			cell_text(c1, sizeof(c1), "%.3g", one);
			ratio_at(rd, "two-copy", "one-copy", rd->mode, size, th,
				 cat_col(col, sizeof(col), "srv", cats[k], "ns_per_byte"), &iv);
			fprintf(out, " %s → %s | %s |", c2, c1,
				isnan(iv.est) ? "–" : change_text(change, sizeof(change), &iv, 0));
			both[k] += !isnan(two) && !isnan(one);
			gone[k] += two > 0 && one == 0;
		}
		fprintf(out, "\n");
	}
	fprintf(out,
		"\nGone in one-copy (its median 0 where two-copy's is above 0): the user copy at "
		"%zu of %zu sizes, the kernel copy at %zu of %zu.\n\n",
		gone[0], both[0], gone[1], both[1]);
}

static void write_q2(FILE *out, const struct results_dir *rd)
{
	char why[512];
	long th = rd->nthreads ? rd->threads[0] : 1;
	fprintf(out, "## 2. Which cache level shows the most reduction in misses (two-copy → "
		     "one-copy)?\n\n");
	if (!has_impl(rd, "two-copy") || !has_impl(rd, "one-copy")) {
		fprintf(out, "Not answered: the sweep lacks two-copy or one-copy.\n\n");
		return;
	}
	if (!results_dir_has_misses(rd, "srv")) {
		results_dir_why_no_misses(rd, why, sizeof(why));
		fprintf(out,
			"Cache misses were **not measured** on this machine: %s. The "
			"question cannot be answered from this data.\n\n",
			why);
		write_q2_instead(out, rd, th);
		write_q2_copies(out, rd, th);
		return;
	}
	char f3[96];
	fprintf(out,
		"Server misses per KiB transferred, medians, %s mode, %ld %s "
		"(%s; `copyscope table` has the counts):\n\n",
		rd->mode, th, threads_word(th), fig_link(f3, sizeof(f3), FIG_CACHE));
	write_q2_levels(out, rd, th);
	fprintf(out, "Why: two-copy gathers the eight fields into a staging buffer with memcpy "
		     "before send(), so every byte is read and written once more in user space "
		     "and the kernel then reads the staging buffer; one-copy hands the kernel the "
		     "fields as an iovec and skips that pass. The reduction is the misses of that "
		     "extra pass, and the table shows at which level they land for each size.\n\n");
	write_q2_copies(out, rd, th);
}

/* ---- question 3: thread count ------------------------------------------- */

static void write_thread_header(FILE *out, const long *threads, size_t n, const char *first,
				const char *last)
{
	fprintf(out, "| strategy | %s |", first);
	for (size_t t = 0; t < n; t++)
		fprintf(out, " %ld %s |", threads[t], threads_word(threads[t]));
	fprintf(out, "%s\n|---|---|", last ? last : "");
	for (size_t t = 0; t < n; t++)
		fprintf(out, "---:|");
	fprintf(out, "%s\n", last ? "---|" : "");
}

static void write_q3_throughput(FILE *out, const struct results_dir *rd)
{
	char a[32];
	long pick[2] = {rd->sizes[0], rd->sizes[rd->nsizes - 1]};
	char f1[96];
	fprintf(out,
		"Throughput (Gbit/s, medians, %s mode) at the smallest and largest size "
		"(%s):\n\n",
		rd->mode, fig_link(f1, sizeof(f1), FIG_THROUGHPUT));
	/* "best" of one thread count would be that count: no column then */
	int compare = rd->nthreads > 1;
	write_thread_header(out, rd->threads, rd->nthreads, "size", compare ? " best |" : NULL);
	for (size_t i = 0; i < rd->nimpls; i++)
		for (size_t p = 0; p < (rd->nsizes > 1 ? 2u : 1u); p++) {
			long best = 0;
			double top = NAN;
			fprintf(out, "| %s | %s |", rd->impls[i], sz(a, (double)pick[p]));
			for (size_t t = 0; t < rd->nthreads; t++) {
				double v =
				    tput(rd, rd->impls[i], pick[p], rd->threads[t], "median");
				fprintf(out, isnan(v) ? " - |" : " %.4g |", v);
				if (!isnan(v) && (isnan(top) || v > top)) {
					top = v;
					best = rd->threads[t];
				}
			}
			if (compare)
				fprintf(out, best ? " %ld |" : " - |", best);
			fprintf(out, "\n");
		}
	fprintf(out, "\n");
}

static void write_q3_latency(FILE *out, const struct results_dir *rd)
{
	long sizes[RESULTS_MAX_SIZES], threads[RESULTS_MAX_THREADS];
	size_t ns = results_dir_axis(rd, "rr", "msg_size", sizes, RESULTS_MAX_SIZES);
	size_t nt = results_dir_axis(rd, "rr", "threads", threads, RESULTS_MAX_THREADS);
	char a[32];
	if (ns == 0) {
		fprintf(out,
			"Latency: not measured (the sweep ran no request-response points).\n\n");
		return;
	}
	char f2[96];
	fprintf(out, "Request-response latency, p50 / p99 (µs, medians of the repetitions) (%s):\n\n",
		fig_link(f2, sizeof(f2), FIG_LATENCY));
	write_thread_header(out, threads, nt, "size", NULL);
	for (size_t i = 0; i < rd->nimpls; i++)
		for (size_t s = 0; s < ns; s++) {
			fprintf(out, "| %s | %s |", rd->impls[i], sz(a, (double)sizes[s]));
			for (size_t t = 0; t < nt; t++) {
				double p50 = val(rd, rd->impls[i], "rr", sizes[s], threads[t],
						 "lat_p50_us", "median");
				double p99 = val(rd, rd->impls[i], "rr", sizes[s], threads[t],
						 "lat_p99_us", "median");
				fprintf(out, isnan(p50) ? " - |" : " %.4g / %.4g |", p50, p99);
			}
			fprintf(out, "\n");
		}
	fprintf(out, "\n");
}

static void write_q3_contention(FILE *out, const struct results_dir *rd)
{
	long size = rd->sizes[rd->nsizes - 1];
	char a[32], col[128];
	int misses = results_dir_has_misses(rd, "srv");
	const char *ctx = results_dir_key(rd, "PERF_COUNT_SW_CONTEXT_SWITCHES", "ctx_switches");
	fprintf(out, "%s at %s, server side:\n\n",
		misses ? "Cache contention: misses per KiB (medians)"
		       : "Cache misses were not measured here; context switches per message "
			 "(medians) instead",
		sz(a, (double)size));
	write_thread_header(out, rd->threads, rd->nthreads, "counter", NULL);
	for (size_t i = 0; i < rd->nimpls; i++)
		for (size_t e = 0; e < rd->events.n; e++) {
			const struct event_spec *ev = &rd->events.ev[e];
			if (misses ? !event_is_cache_level(ev) : (!ctx || strcmp(ev->key, ctx)))
				continue;
			snprintf(col, sizeof(col), misses ? "srv_%s_per_kb" : "srv_%s_per_msg",
				 ev->key);
			fprintf(out, "| %s | %s |", rd->impls[i], misses ? ev->level : ev->key);
			for (size_t t = 0; t < rd->nthreads; t++) {
				double v = val(rd, rd->impls[i], rd->mode, size, rd->threads[t],
					       col, "median");
				if (misses &&
				    !plausible(rd, rd->impls[i], "srv", ev, size, rd->threads[t]))
					fprintf(out, " implausible |");
				else
					fprintf(out, isnan(v) ? " - |" : " %.4g |", v);
			}
			fprintf(out, "\n");
		}
	fprintf(out, "\n");
}

/*
 * More threads, less throughput: significantly (the 95% interval of the
 * ratio lies below 1), or, without runs.csv, beyond the spread of the
 * repetitions (the best run with more threads below the worst with fewer).
 */
static int collapses(const struct results_dir *rd, const char *im, long size, long t0, long t1,
		     struct interval *iv)
{
	results_dir_ratio_ci(rd, results_dir_row(rd, im, rd->mode, size, t0),
			     results_dir_row(rd, im, rd->mode, size, t1), "throughput_gbps", iv);
	if (results_dir_has_intervals(rd))
		return ratio_side(iv) < 0;
	double lo0 = tput(rd, im, size, t0, "min"), hi1 = tput(rd, im, size, t1, "max");
	return !isnan(lo0) && !isnan(hi1) && hi1 < lo0;
}

static void write_q3_collapse(FILE *out, const struct results_dir *rd)
{
	char a[32], r[96];
	size_t found = 0;
	int runs = results_dir_has_intervals(rd);
	for (size_t i = 0; i < rd->nimpls; i++)
		for (size_t s = 0; s < rd->nsizes; s++)
			for (size_t t = 0; t + 1 < rd->nthreads; t++) {
				const char *im = rd->impls[i];
				long size = rd->sizes[s], t0 = rd->threads[t],
				     t1 = rd->threads[t + 1];
				struct interval iv;
				if (!collapses(rd, im, size, t0, t1, &iv) || found++ >= MAX_LIST)
					continue;
				fprintf(
				    out,
				    "- Collapse: %s at %s drops from %.4g Gbit/s with %ld %s to "
				    "%.4g with %ld (",
				    im, sz(a, (double)size), tput(rd, im, size, t0, "median"), t0,
				    threads_word(t0), tput(rd, im, size, t1, "median"), t1);
				if (runs)
					fprintf(out, "ratio %s, significant).\n",
						ratio_text(r, sizeof(r), &iv));
				else
					fprintf(out,
						"even the best run of %ld is below the worst of "
						"%ld).\n",
						t1, t0);
			}
	if (found > MAX_LIST)
		fprintf(out, "- … and %zu more.\n", found - MAX_LIST);
	if (!found)
		fprintf(out,
			"No collapse: for every strategy and size, adding threads never lost "
			"throughput %s.\n",
			runs ? "significantly (95% intervals of the ratio)"
			     : "beyond the spread of the repetitions");
	fprintf(out, "\n");
}

static void write_q3(FILE *out, const struct results_dir *rd)
{
	fprintf(out, "## 3. How does thread count interact with throughput, latency and cache "
		     "contention?\n\n");
	if (rd->nsizes == 0 || rd->nthreads == 0) {
		fprintf(out, "Not answered: no measured point.\n\n");
		return;
	}
	if (rd->nthreads == 1)
		fprintf(out,
			"Not answered: only one thread count was measured (%ld %s, %s mode), so "
			"there is nothing to compare. Add thread counts to the sweep file "
			"(`threads = 1 2 4 8`) to see how they interact. What was measured at "
			"%ld %s:\n\n",
			rd->threads[0], threads_word(rd->threads[0]), rd->mode, rd->threads[0],
			threads_word(rd->threads[0]));
	write_q3_throughput(out, rd);
	if (rd->nthreads > 1)
		write_q3_collapse(out, rd);
	write_q3_latency(out, rd);
	write_q3_contention(out, rd);
	write_q3_segments(out, rd);
}

/* ---- question 6: anomalies ---------------------------------------------- */

/*
 * A dip or a peak of throughput vs size whose min-max range misses both
 * neighbours'. One outlier also makes its neighbour look like the opposite
 * extreme; of two adjacent extremes only the one farther from its
 * neighbours' geometric mean is kept.
 */
static double bump(const struct results_dir *rd, const char *im, long th, size_t s)
{
	if (s == 0 || s + 1 >= rd->nsizes)
		return 0;
	long p = rd->sizes[s - 1], q = rd->sizes[s], r = rd->sizes[s + 1];
	double lo = tput(rd, im, q, th, "min"), hi = tput(rd, im, q, th, "max");
	if (!((hi < tput(rd, im, p, th, "min") && hi < tput(rd, im, r, th, "min")) ||
	      (lo > tput(rd, im, p, th, "max") && lo > tput(rd, im, r, th, "max"))))
		return 0;
	double m = tput(rd, im, q, th, "median");
	double around = sqrt(tput(rd, im, p, th, "median") * tput(rd, im, r, th, "median"));
	return fabs(log(m / around));
}

static size_t find_bumps(FILE *out, const struct results_dir *rd, const char *im, long th)
{
	char a[32], b[32], c[32];
	size_t found = 0;
	for (size_t s = 1; s + 1 < rd->nsizes; s++) {
		double d = bump(rd, im, th, s);
		if (!(d > 0) || bump(rd, im, th, s - 1) > d || bump(rd, im, th, s + 1) > d)
			continue;
		long p = rd->sizes[s - 1], q = rd->sizes[s], r = rd->sizes[s + 1];
		double m = tput(rd, im, q, th, "median"), mp = tput(rd, im, p, th, "median");
		fprintf(out,
			"- Non-monotonic: **%s, %ld %s: throughput %s at %s** to %.4g Gbit/s "
			"(runs %.4g–%.4g), between %.4g Gbit/s at %s and %.4g Gbit/s at %s — "
			"beyond the spread of the repetitions.\n",
			im, th, threads_word(th), m < mp ? "dips" : "peaks", sz(b, (double)q), m,
			tput(rd, im, q, th, "min"), tput(rd, im, q, th, "max"), mp,
			sz(a, (double)p), tput(rd, im, r, th, "median"), sz(c, (double)r));
		found++;
	}
	return found;
}

/* 1: x significantly ahead of y (the 95% interval of x ÷ y lies above 1),
 * -1: behind, 0: neither. Without runs.csv: beyond the min-max spread. */
static int order(const struct results_dir *rd, const char *x, const char *y, long size, long th)
{
	if (results_dir_has_intervals(rd)) {
		struct interval iv;
		ratio_at(rd, y, x, rd->mode, size, th, "throughput_gbps", &iv);
		return ratio_side(&iv);
	}
	if (tput(rd, x, size, th, "min") > tput(rd, y, size, th, "max"))
		return 1;
	if (tput(rd, x, size, th, "max") < tput(rd, y, size, th, "min"))
		return -1;
	return 0;
}

static size_t find_flips(FILE *out, const struct results_dir *rd, const char *x, const char *y,
			 long th)
{
	char a[32], b[32], c[32];
	size_t found = 0;
	for (size_t s = 1; s + 1 < rd->nsizes; s++) {
		int before = order(rd, x, y, rd->sizes[s - 1], th);
		int now = order(rd, x, y, rd->sizes[s], th);
		int after = order(rd, x, y, rd->sizes[s + 1], th);
		if (!before || before != after || now != -before)
			continue;
		fprintf(out, "- Ranking flip: %s vs %s, %ld %s: %s at %s and %s but %s at %s.\n", x,
			y, th, threads_word(th), before > 0 ? "ahead" : "behind",
			sz(a, (double)rd->sizes[s - 1]), sz(c, (double)rd->sizes[s + 1]),
			now > 0 ? "ahead" : "behind", sz(b, (double)rd->sizes[s]));
		found++;
	}
	return found;
}

/* The sizes where x has >10% more misses per KiB than y at some level, yet is faster. */
static int miss_paradox_sizes(const struct results_dir *rd, const char *x, const char *y, long th,
			      int *mask, char *levels, size_t len)
{
	char col[128];
	int any = 0;
	for (size_t s = 0; s < rd->nsizes; s++) {
		mask[s] = 0;
		if (order(rd, x, y, rd->sizes[s], th) <= 0)
			continue;
		for (size_t e = 0; e < rd->events.n; e++) {
			const struct event_spec *ev = &rd->events.ev[e];
			if (!event_is_cache_level(ev) ||
			    !plausible(rd, x, "srv", ev, rd->sizes[s], th) ||
			    !plausible(rd, y, "srv", ev, rd->sizes[s], th))
				continue;
			snprintf(col, sizeof(col), "srv_%s_per_kb", ev->key);
			double mx = val(rd, x, rd->mode, rd->sizes[s], th, col, "median");
			double my = val(rd, y, rd->mode, rd->sizes[s], th, col, "median");
			if (!(mx > my * 1.10))
				continue;
			mask[s] = any = 1;
			if (!strstr(levels, ev->level))
				snprintf(levels + strlen(levels), len - strlen(levels), "%s%s",
					 levels[0] ? "/" : "", ev->level);
		}
	}
	return any;
}

static size_t find_miss_paradox(FILE *out, const struct results_dir *rd, const char *x,
				const char *y)
{
	int mask[RESULTS_MAX_SIZES];
	char levels[128] = "", list[512], where[2048] = "";
	for (size_t t = 0; t < rd->nthreads; t++) {
		if (!miss_paradox_sizes(rd, x, y, rd->threads[t], mask, levels, sizeof(levels)))
			continue;
		size_ranges(rd, mask, list, sizeof(list));
		snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%ld %s: %s",
			 where[0] ? "; " : "", rd->threads[t], threads_word(rd->threads[t]), list);
	}
	if (!where[0])
		return 0;
	fprintf(out,
		"- More misses yet faster: **%s** had over 10%% more %s misses per KiB than "
		"%s yet higher throughput (%s) at %s.\n",
		x, levels, y, results_dir_has_intervals(rd) ? "significantly" : "beyond the spread",
		where);
	return 1;
}

static size_t find_high_cv(FILE *out, const struct results_dir *rd)
{
	static const char *const cols[] = {"throughput_gbps", "lat_p50_us", "lat_p99_us"};
	char a[32];
	size_t found = 0;
	for (size_t r = 0; r < rd->summary.nrows; r++)
		for (size_t c = 0; c < 3; c++) {
			char cv_col[64], med_col[64];
			snprintf(cv_col, sizeof(cv_col), "%s_cv", cols[c]);
			snprintf(med_col, sizeof(med_col), "%s_median", cols[c]);
			double cv = results_dir_num(rd, (long)r, cv_col);
			if (!(cv > 0.10))
				continue;
			if (found++ < MAX_LIST)
				fprintf(out,
					"- High variation: %s, %s mode, %s, %s %s, %s: cv "
					"%.1f%% (median %.4g).\n",
					results_dir_cell(rd, (long)r, "impl"),
					results_dir_cell(rd, (long)r, "mode"),
					sz(a, results_dir_num(rd, (long)r, "msg_size")),
					results_dir_cell(rd, (long)r, "threads"),
					threads_word((long)results_dir_num(rd, (long)r, "threads")),
					cols[c], cv * 100, results_dir_num(rd, (long)r, med_col));
		}
	if (found > MAX_LIST)
		fprintf(out, "- … and %zu more points with cv above 10%%.\n", found - MAX_LIST);
	return found;
}

/* A category's share at one point, more in one strategy than in another. */
struct shift {
	double points; /* more's share - less's, in percentage points */
	const char *side, *cat, *more, *less;
	long size, th;
};

/* Into *top: the pair of strategies whose shares of cat differ most at
 * (side, size, th), when they differ more than *top's. */
static void widest_pair(const struct results_dir *rd, const char *side, const char *cat, long size,
			long th, struct shift *top)
{
	for (size_t i = 0; i < rd->nimpls; i++)
		for (size_t j = 0; j < rd->nimpls; j++) {
			double x = cat_val(rd, rd->impls[i], size, th, side, cat, "pct");
			double y = cat_val(rd, rd->impls[j], size, th, side, cat, "pct");
			if (x - y > top->points)
				*top = (struct shift){x - y,	    side, cat, rd->impls[i],
						      rd->impls[j], size, th};
		}
}

/* "45.0% [44.0%, 46.0%]": impl's median share of the shift's category and its
 * 95% interval (the median alone without one). */
static const char *share_text(char *buf, size_t len, const struct results_dir *rd,
			      const struct shift *sh, const char *impl)
{
	char col[CATEGORY_NAME_MAX + 48];
	struct interval iv;
	results_dir_median_ci(rd, results_dir_row(rd, impl, rd->mode, sh->size, sh->th),
			      cat_col(col, sizeof(col), sh->side, sh->cat, "pct"), &iv);
	if (has_interval(&iv))
		snprintf(buf, len, "%.1f%% [%.1f%%, %.1f%%]", iv.est, iv.lo, iv.hi);
	else
		snprintf(buf, len, "%.1f%%", iv.est);
	return buf;
}

/* Q6: the largest shift of where the CPU went between two strategies at one
 * point, on either side. */
static void write_largest_shift(FILE *out, const struct results_dir *rd)
{
	static const char *const sides[] = {"srv", "cli"};
	struct shift top = {0, NULL, NULL, NULL, NULL, 0, 0};
	char a[32], f8[96], x[96], y[96];
	if (!sampled(rd)) {
		write_not_sampled(out, "which category's share shifts most between two strategies "
				       "at one point");
		return;
	}
	for (size_t k = 0; k < 2; k++)
		for (size_t c = 0; c < rd->ncats; c++)
			for (size_t t = 0; t < rd->nthreads; t++)
				for (size_t s = 0; s < rd->nsizes; s++)
					widest_pair(rd, sides[k], rd->cats[c], rd->sizes[s],
						    rd->threads[t], &top);
	if (!top.side)
		return;
	fprintf(out,
		"Where the CPU went shifted most between two strategies at one point (sampling, "
		"medians of each share with its 95%% interval; %s): the %s's %s at %s, %ld %s, "
		"%s of %s's samples against %s of %s's, %.1f percentage points apart.\n\n",
		fig_link(f8, sizeof(f8), FIG_CPU_WHERE),
		strcmp(top.side, "srv") ? "client" : "server", results_dir_category_label(top.cat),
		sz(a, (double)top.size), top.th, threads_word(top.th),
		share_text(x, sizeof(x), rd, &top, top.more), top.more,
		share_text(y, sizeof(y), rd, &top, top.less), top.less, top.points);
}

static void write_q6(FILE *out, const struct results_dir *rd)
{
	size_t found = 0;
	fprintf(out,
		"## 6. What was unexpected?\n\n"
		"Found automatically: throughput that is non-monotonic in message size beyond "
		"the min–max spread of the repetitions; two strategies whose order flips at one "
		"size and back at the next (%s); more cache misses yet faster (plausible counts "
		"only); cv above 10%%; data segments more than 4× smaller than two-copy's.\n\n",
		results_dir_has_intervals(rd) ? "each order significant: the 95% interval of the "
						"ratio lies on one side of 1"
					      : "each order beyond the min–max spread");
	for (size_t t = 0; t < rd->nthreads; t++)
		for (size_t i = 0; i < rd->nimpls; i++)
			found += find_bumps(out, rd, rd->impls[i], rd->threads[t]);
	for (size_t t = 0; t < rd->nthreads; t++)
		for (size_t i = 0; i < rd->nimpls; i++)
			for (size_t j = i + 1; j < rd->nimpls; j++)
				found +=
				    find_flips(out, rd, rd->impls[i], rd->impls[j], rd->threads[t]);
	if (results_dir_has_misses(rd, "srv")) {
		for (size_t i = 0; i < rd->nimpls; i++)
			for (size_t j = 0; j < rd->nimpls; j++)
				if (i != j)
					found +=
					    find_miss_paradox(out, rd, rd->impls[i], rd->impls[j]);
	} else {
		fprintf(out, "- More misses yet faster: not checked, cache misses were not "
			     "measured.\n");
	}
	found += find_high_cv(out, rd);
	found += find_small_segments(out, rd);
	if (!found)
		fprintf(out, "Nothing unexpected by these checks.\n");
	fprintf(out, "\n");
	write_largest_shift(out, rd);
}

/* ---- the frame ------------------------------------------------------------- */

static void env_value(const struct results_dir *rd, const char *key, char *buf, size_t len)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/env.txt", rd->path);
	if (env_read_key(path, key, buf, len) || !buf[0])
		snprintf(buf, len, "?");
}

static int has_rr(const struct results_dir *rd)
{
	long sizes[RESULTS_MAX_SIZES];
	return results_dir_axis(rd, "rr", "msg_size", sizes, RESULTS_MAX_SIZES) > 0;
}

/* "placement same (measured: same in 96 of 96 runs), ": the slice's placement
 * and what its ok runs measured; "" for a folder without placement. */
static void placement_text(const struct results_dir *rd, char *buf, size_t len)
{
	const char *value[8];
	size_t count[8], runs = 0, used;
	buf[0] = '\0';
	if (!rd->placement[0])
		return;
	size_t n = results_dir_placed(rd, value, count, 8, &runs);
	used = (size_t)snprintf(buf, len, "placement %s (measured: ", rd->placement);
	if (n == 0)
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "not recorded");
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used,
					 i == 0 ? "%s in %zu of %zu runs" : ", %s in %zu", value[i],
					 count[i], runs);
	if (used < len)
		snprintf(buf + used, len - used, "), ");
}

static void write_header(FILE *out, const struct results_dir *rd)
{
	char cpu[256], cpus[32], kernel[128], date[64], a[32], b[32];
	double runs = 0, failed = 0;
	env_value(rd, "cpu_model", cpu, sizeof(cpu));
	env_value(rd, "cpus", cpus, sizeof(cpus));
	env_value(rd, "kernel", kernel, sizeof(kernel));
	env_value(rd, "date", date, sizeof(date));
	for (size_t r = 0; r < rd->summary.nrows; r++) {
		double n = results_dir_num(rd, (long)r, "runs"),
		       f = results_dir_num(rd, (long)r, "failed");
		runs += isnan(n) ? 0 : n;
		failed += isnan(f) ? 0 : f;
	}
	fprintf(out, "# copyscope report: the Part E questions, answered from `%s`\n\n", rd->name);
	fprintf(out,
		"- Machine: %s, %s CPUs, kernel %s; hardware counters: %s%s%s%s; measured "
		"%s.\n",
		cpu, cpus, kernel, rd->hw_pmu[0] ? rd->hw_pmu : "unknown",
		rd->hw_pmu_reason[0] ? " (" : "", rd->hw_pmu_reason,
		rd->hw_pmu_reason[0] ? ")" : "", date);
	char placement[512];
	placement_text(rd, placement, sizeof(placement));
	fprintf(out,
		"- Sweep: %zu points, %.0f runs, %.0f failed. Shown: topology %s, %slayout %s, "
		"busy-poll %s, %s mode%s, sizes %s–%s, threads",
		rd->summary.nrows, runs, failed, rd->topology, placement, rd->layout,
		strcmp(rd->busy_poll, "1") ? "off" : "on", rd->mode,
		strcmp(rd->mode, "rr") && has_rr(rd) ? " (latency: rr mode)" : "",
		rd->nsizes ? sz(a, (double)rd->sizes[0]) : "-",
		rd->nsizes ? sz(b, (double)rd->sizes[rd->nsizes - 1]) : "-");
	for (size_t t = 0; t < rd->nthreads; t++)
		fprintf(out, "%s %ld", t ? "," : "", rd->threads[t]);
	fprintf(out, "; strategies:");
	for (size_t i = 0; i < rd->nimpls; i++)
		fprintf(out, "%s %s", i ? "," : "", rd->impls[i]);
	fprintf(out, ".\n- Every number below is a cell of summary.csv (medians unless said), a "
		     "ratio of two, or a crossover interpolated between two. ");
	if (results_dir_has_intervals(rd))
		fprintf(out,
			"[lo, hi] after a ratio or a change is its 95%% interval, from the "
			"repetitions in runs.csv (bootstrap; docs/confidence.md). A difference "
			"is called significant when its interval leaves out no change (a ratio "
			"of 1) and it is %.0f%% or more (smaller ones did not hold from one "
			"sweep to the next here); otherwise the report says \"no significant "
			"difference\". ",
			(STATS_MIN_EFFECT - 1) * 100);
	else
		fprintf(out,
			"Intervals are unavailable: %s, so ratios come without them and no "
			"difference is called significant. ",
			rd->runs.nrows ? "no point has two ok repetitions in runs.csv"
				       : "this folder has no runs.csv (the repetitions' own "
					 "numbers)");
	fprintf(out, "Cache counts that are physically implausible are left out of every "
		     "answer ([plausibility](#plausibility-of-the-counts)).\n- Figures: ");
	for (size_t i = 0; i < FIG_COUNT; i++)
		fprintf(out, "%s[%s](figures/%s.png)", i ? ", " : "", figure_table[i].label,
			figure_table[i].name);
	fprintf(out, "; tables: [tables.md](tables.md).\n\n");
}

/* ---- plausibility of the counts (docs/counting.md) -------------------------- */

struct plausibility_tally {
	size_t checked, floored, found;
};

/* One line per implausible count of side's ev for impl (at most the first
 * MAX_LIST * 2 of the report), counted into tally. */
static void list_implausible(FILE *out, const struct results_dir *rd, size_t k,
			     const struct event_spec *ev, const char *impl,
			     struct plausibility_tally *tally)
{
	static const char *const side[] = {"srv", "cli"}, *const name[] = {"server", "client"};
	char a[32];
	for (size_t t = 0; t < rd->nthreads; t++)
		for (size_t s = 0; s < rd->nsizes; s++) {
			long size = rd->sizes[s], th = rd->threads[t];
			struct count_check ck;
			results_dir_check_count(rd, results_dir_row(rd, impl, rd->mode, size, th),
						side[k], ev, &ck);
			tally->checked += !isnan(ck.per_kb);
			tally->floored += !isnan(ck.per_kb) && !isnan(ck.floor);
			if (ck.doubt == COUNT_PLAUSIBLE || tally->found++ >= MAX_LIST * 2)
				continue;
			fprintf(out, "- %s %s (%s), %s, %s, %ld %s: %.4g per KiB, ", name[k],
				ev->level, ev->key, impl, sz(a, (double)size), th, threads_word(th),
				ck.per_kb);
			if (ck.doubt == COUNT_BELOW_FLOOR)
				fprintf(out, "below the floor of %.3g.\n", ck.floor);
			else
				fprintf(out, "counted for %.0f%% of a run's window.\n",
					ck.running * 100);
		}
}

static void write_plausibility(FILE *out, const struct results_dir *rd)
{
	fprintf(out, "## Plausibility of the counts\n\n");
	if (!results_dir_has_misses(rd, "srv") && !results_dir_has_misses(rd, "cli")) {
		fprintf(out, "Not checked: cache misses were not measured.\n\n");
		return;
	}
	fprintf(out,
		"Each side's cache misses per KiB were checked against what the hardware "
		"allows (docs/counting.md): a side that ran on other cores than its peer in "
		"every run of a point (cpu_overlap at most %.1f, SMT siblings counting as one "
		"core) loads every byte it received from lines the other core wrote, so it "
		"misses L1 at least once per %d-byte "
		"line, %.0f times per KiB received; and a counter on the PMU for under %.0f%% "
		"of a run's window gives a scaled guess. A count that fails is implausible (the "
		"wrong event, process or window was counted) and is left out of every answer "
		"above:\n\n",
		PLACEMENT_SPREAD_MAX, METRIC_LINE_BYTES, 1024.0 / METRIC_LINE_BYTES,
		METRIC_RUNNING_MIN * 100);
	struct plausibility_tally tally = {0, 0, 0};
	for (size_t k = 0; k < 2; k++)
		for (size_t e = 0; e < rd->events.n; e++)
			for (size_t i = 0; i < rd->nimpls; i++)
				if (event_is_cache_level(&rd->events.ev[e]))
					list_implausible(out, rd, k, &rd->events.ev[e],
							 rd->impls[i], &tally);
	if (tally.found > MAX_LIST * 2)
		fprintf(out,
			"- … and %zu more (`copyscope table --side srv|cli` marks them all).\n",
			tally.found - MAX_LIST * 2);
	if (!tally.found)
		fprintf(out, "- None: all %zu counts are plausible.\n", tally.checked);
	fprintf(out, "\nThe L1 floor applied to %zu of the %zu counts", tally.floored,
		tally.checked);
	if (dataset_col(&rd->summary, "cpu_overlap_max") < 0)
		fprintf(out, ": this folder has no cpu_overlap column (results from before "
			     "copyscope measured where the two sides ran), so no floor could be "
			     "checked");
	fprintf(out, ".\n\n");
}

/* Runs whose throughput stepped between two modes within their window
 * (interval_step, workloads/intervals.h): counted, and the first listed. */
static void write_stability(FILE *out, const struct results_dir *rd)
{
	const struct dataset *runs = &rd->runs;
	int step = dataset_col(runs, "interval_step"), st = dataset_col(runs, "status");
	int ratio = dataset_col(runs, "interval_step_ratio");
	fprintf(out, "## Within-run stability\n\n");
	if (step < 0 || st < 0) {
		fprintf(out, "Not measured: this folder's runs.csv has no interval_step column "
			     "(results from before the client recorded its window interval by "
			     "interval).\n\n");
		return;
	}
	size_t judged = 0, found = 0;
	for (size_t r = 0; r < runs->nrows; r++) {
		if (strcmp(dataset_cell(runs, r, st), "ok") || !*dataset_cell(runs, r, step))
			continue;
		judged++;
		if (dataset_num(runs, r, step) != 1)
			continue;
		if (found++ < MAX_LIST * 2)
			fprintf(out, "- %s, %s mode, %s B, %s threads, rep %s: the later mode ran at "
				     "%s× the earlier\n",
				dataset_cell(runs, r, dataset_col(runs, "impl")),
				dataset_cell(runs, r, dataset_col(runs, "mode")),
				dataset_cell(runs, r, dataset_col(runs, "msg_size")),
				dataset_cell(runs, r, dataset_col(runs, "threads")),
				dataset_cell(runs, r, dataset_col(runs, "rep")),
				ratio >= 0 && *dataset_cell(runs, r, ratio)
				    ? dataset_cell(runs, r, ratio)
				    : "?");
	}
	if (found > MAX_LIST * 2)
		fprintf(out, "- … and %zu more (runs.csv's interval_step column has them all).\n",
			found - MAX_LIST * 2);
	if (!judged) {
		fprintf(out, "Not judged: no ok run had a window of 6 intervals or more (0.6 s at "
			     "the client's 100 ms), which a step between two modes needs "
			     "(docs/workloads.md).\n\n");
		return;
	}
	fprintf(out,
		"%s%zu of the %zu ok runs long enough to judge (6 intervals of the window or "
		"more) stepped between two throughput modes within their window "
		"(`interval_step` = 1: one split of the 100 ms intervals explains most of their "
		"variance, and the two means differ by more than 20%%; docs/workloads.md). Such "
		"a run measured two machines, one after the other%s.\n\n",
		found ? "\n" : "", found, judged,
		found ? "; raw/*.intervals.csv has each run's series" : "");
}

static void write_failures(FILE *out, const struct results_dir *rd)
{
	const struct dataset *runs = &rd->runs;
	int st = dataset_col(runs, "status");
	size_t found = 0;
	fprintf(out, "## Failed runs\n\n");
	for (size_t r = 0; st >= 0 && r < runs->nrows; r++) {
		const char *status = dataset_cell(runs, r, st);
		if (!strcmp(status, "ok"))
			continue;
		if (found++ < MAX_LIST * 2)
			fprintf(out, "- %s, %s mode, %s B, %s threads, rep %s: `%s`\n",
				dataset_cell(runs, r, dataset_col(runs, "impl")),
				dataset_cell(runs, r, dataset_col(runs, "mode")),
				dataset_cell(runs, r, dataset_col(runs, "msg_size")),
				dataset_cell(runs, r, dataset_col(runs, "threads")),
				dataset_cell(runs, r, dataset_col(runs, "rep")), status);
	}
	if (found > MAX_LIST * 2)
		fprintf(out, "- … and %zu more (runs.csv has them all).\n", found - MAX_LIST * 2);
	if (st < 0)
		fprintf(out, "runs.csv is missing: the failed runs are counted in summary.csv's "
			     "`failed` column only.\n");
	else if (!found)
		fprintf(out, "None: every run finished.\n");
	fprintf(out, "\nFailed runs are left out of every median, minimum and maximum above.\n");
}

void report_write(FILE *out, const struct results_dir *rd)
{
	write_header(out, rd);
	write_q1(out, rd);
	write_q2(out, rd);
	write_q3(out, rd);
	fprintf(out, "## 4. At what message size does one-copy overtake two-copy here?\n\n");
	write_crossovers(out, rd, "one-copy");
	fprintf(out, "## 5. At what message size does zero-copy overtake two-copy here?\n\n");
	size_t nzc = 0;
	for (size_t i = 0; i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i])) {
			fprintf(out, "### %s\n\n", rd->impls[i]);
			write_crossovers(out, rd, rd->impls[i]);
			if (write_tcp(out, rd, rd->impls[i]))
				fprintf(out, "\n");
			nzc++;
		}
	if (nzc == 0)
		fprintf(out, "Not measured: the sweep has no zero-copy strategy.\n\n");
	else if (!sampled(rd))
		write_not_sampled(out, "where each zero-copy strategy's server CPU went at the "
				       "largest size: page pinning, completions, the kernel copy");
	write_q6(out, rd);
	write_plausibility(out, rd);
	write_stability(out, rd);
	write_failures(out, rd);
}

/* ---- the command ------------------------------------------------------------ */

int cmd_report(int argc, char **argv)
{
	struct results_dir rd;
	char err[1024], path[4200];
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: copyscope report DIR\nWrites DIR/report.md: the Part E questions "
		       "answered from DIR/summary.csv.\n");
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		/* name the argument that is wrong: an option, or one folder too many */
		const char *bad = argc < 2 ? NULL : argv[1][0] == '-' ? argv[1] : argv[2];
		fprintf(stderr, "copyscope: report: %s%sexpected one results folder (DIR)\n",
			bad ? bad : "", bad ? ": " : "");
		return 2;
	}
	if (results_dir_load(argv[1], &rd, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s\n", err);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/report.md", rd.path);
	struct atomic_file af;
	if (atomic_open(&af, path, err, sizeof(err))) {
		/* an unwritable results folder is bad input: nothing was written */
		fprintf(stderr, "copyscope: cannot write %s (expected a writable results folder)\n", err);
		results_dir_free(&rd);
		return 2;
	}
	report_write(af.f, &rd);
	if (atomic_commit(&af, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s\n", err);
		results_dir_free(&rd);
		return 1;
	}
	printf("copyscope: report in %s\n", path);
	results_dir_free(&rd);
	return 0;
}
