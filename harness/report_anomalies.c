/*
 * report_anomalies — answer 6 of the report (report_parts.h): what was
 * unexpected, found by fixed checks (bumps in throughput vs size, ranking
 * flips, more misses yet faster, high variation, small segments), and the
 * largest shift of where the CPU went between two strategies.
 */
#include "report_parts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

void write_q6(FILE *out, const struct results_dir *rd)
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
