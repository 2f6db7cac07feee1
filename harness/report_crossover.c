/*
 * report_crossover — answers 4 and 5 of the report (report_parts.h): at what
 * message size one-copy, and each zero-copy strategy, overtakes two-copy,
 * per thread count, and what each side pays at the largest size; on the
 * remote topology, how many of zero-copy's completions were still copied
 * where it crosses.
 */
#include "report_parts.h"
#include "metrics.h"
#include "strategy_info.h"

#include <math.h>
#include <stdio.h>

/* A crossover between two measured sizes (indices into rd->sizes): the last
 * on one side of two-copy and the first on the other. */
struct xover {
	size_t from, to;
	int upward; /* 1: overtakes two-copy at `to`; 0: falls behind there */
};

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
static size_t write_median_crossings(FILE *out, const struct results_dir *rd, const char *impl,
				     long threads, const double *ratio, struct xover *xs)
{
	struct crossing cr[RESULTS_MAX_SIZES];
	char a[32], b[32];
	size_t n = metric_crossings(rd->sizes, ratio, rd->nsizes, cr, RESULTS_MAX_SIZES);
	if (n == 0) {
		write_no_crossing(out, rd, impl, ratio);
		return 0;
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = cr[k].before, j = i + 1;
		while (j < rd->nsizes && isnan(ratio[j]))
			j++;
		xs[k] = (struct xover){i, j, cr[k].upward};
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
	return n;
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
static size_t write_crossover_line(FILE *out, const struct results_dir *rd, const char *impl,
				   long threads, struct xover *xs)
{
	double ratio[RESULTS_MAX_SIZES];
	struct interval iv[RESULTS_MAX_SIZES];
	int side[RESULTS_MAX_SIZES];
	char a[32], b[32], r1[96], r2[96];
	fprintf(out, "- **%ld %s:** ", threads, threads_word(threads));
	if (speedups(rd, impl, threads, ratio) < 2) {
		fprintf(out, "not enough points with both %s and two-copy measured.\n", impl);
		return 0;
	}
	if (!results_dir_has_intervals(rd))
		return write_median_crossings(out, rd, impl, threads, ratio, xs);
	size_t with_interval = 0;
	for (size_t s = 0; s < rd->nsizes; s++) {
		ratio_at(rd, "two-copy", impl, rd->mode, rd->sizes[s], threads, "throughput_gbps",
			 &iv[s]);
		side[s] = isnan(ratio[s]) ? 0 : ratio_side(&iv[s]);
		with_interval += !isnan(ratio[s]) && has_interval(&iv[s]);
	}
	if (!with_interval) /* every point of this thread count ran once */
		return write_median_crossings(out, rd, impl, threads, ratio, xs);
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
			xs[n++] = (struct xover){prev, s, side[s] > 0};
		}
		prev = s;
	}
	if (n)
		fprintf(out, ".\n");
	else
		write_no_significant_crossing(out, rd, impl, ratio, iv, side);
	return n;
}

/*
 * On remote, where impl avoided copies somewhere: its copied share where it
 * crossed two-copy (at the sizes on either side), or at every size where it
 * did not cross, so that a crossover reads against how much was still copied.
 */
static void write_copied_at_crossings(FILE *out, const struct results_dir *rd, const char *impl,
				      long threads, const struct xover *xs, size_t n)
{
	char a[32], b[32], p[32], q[32], list[2048];
	if (n == 0) {
		if (copied_by_size(list, sizeof(list), rd, impl, threads)[0])
			fprintf(out,
				"  Its copied share at %ld %s (zc_copied ÷ zc_completions, "
				"medians): %s.\n",
				threads, threads_word(threads), list);
		return;
	}
	fprintf(out, "  Its copied share there (zc_copied ÷ zc_completions, medians): ");
	for (size_t k = 0; k < n; k++) {
		double at = copied_share(rd, impl, rd->sizes[xs[k].to], threads);
		fprintf(out, "%s%s %s two-copy from %s, where ", k ? "; then " : "",
			k ? "it" : impl, xs[k].upward ? "overtakes" : "falls behind",
			sz(a, (double)rd->sizes[xs[k].to]));
		if (isnan(at))
			fprintf(out, "its completions were not counted");
		else
			fprintf(out, "%s of its completions were copied",
				pct_text(p, sizeof(p), at));
		/* the sizes from the last on the other side up to the crossover */
		for (size_t s = xs[k].from, shown = 0; s < xs[k].to; s++) {
			double before = copied_share(rd, impl, rd->sizes[s], threads);
			if (!isnan(before))
				fprintf(out, "%s%s at %s", shown++ ? ", " : " (",
					pct_text(q, sizeof(q), before),
					sz(b, (double)rd->sizes[s]));
			if (s + 1 == xs[k].to && shown)
				fprintf(out, ")");
		}
	}
	fprintf(out, ".\n");
}

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
	struct copied_shares cs = {0, 0, NAN, NAN};
	if (is_remote(rd) && strategy_is_zerocopy(impl))
		copied_shares_of(rd, impl, &cs);
	for (size_t t = 0; t < rd->nthreads; t++) {
		struct xover xs[RESULTS_MAX_SIZES];
		size_t n = write_crossover_line(out, rd, impl, rd->threads[t], xs);
		if (cs.avoided)
			write_copied_at_crossings(out, rd, impl, rd->threads[t], xs, n);
	}
	if (rd->nsizes && rd->nthreads) {
		fprintf(out, "\nWhat each side pays, at the largest size:\n\n");
		write_sides_vs_two(out, rd, impl, rd->sizes[rd->nsizes - 1], rd->threads[0]);
		if (strategy_is_zerocopy(impl))
			write_zc_where_at(out, rd, impl, rd->sizes[rd->nsizes - 1], rd->threads[0]);
	}
	fprintf(out, "\n");
}

/* On remote, where every completion of impl was copied: its crossover is a
 * copying send's, as on loopback; say so, naming the topology. */
static void write_remote_all_copied(FILE *out, const struct results_dir *rd, const char *impl)
{
	struct copied_shares cs;
	char p[32];
	copied_shares_of(rd, impl, &cs);
	if (cs.points == 0 || cs.avoided)
		return;
	fprintf(out,
		"On this sweep's topology (**%s**) the far host copied every one of %s's "
		"completions too (%s at all %zu points; answer 1): its device took none of the "
		"pages, so here zero-copy is a send that still copies, as on loopback.\n\n",
		rd->topology, impl, pct_text(p, sizeof(p), cs.hi), cs.points);
}

void write_q4(FILE *out, const struct results_dir *rd)
{
	fprintf(out, "## 4. At what message size does one-copy overtake two-copy here?\n\n");
	write_crossovers(out, rd, "one-copy");
}

void write_q5(FILE *out, const struct results_dir *rd)
{
	fprintf(out, "## 5. At what message size does zero-copy overtake two-copy here?\n\n");
	size_t nzc = 0;
	for (size_t i = 0; i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i])) {
			fprintf(out, "### %s\n\n", rd->impls[i]);
			write_crossovers(out, rd, rd->impls[i]);
			if (is_remote(rd))
				write_remote_all_copied(out, rd, rd->impls[i]);
			if (write_tcp(out, rd, rd->impls[i]))
				fprintf(out, "\n");
			nzc++;
		}
	if (nzc == 0)
		fprintf(out, "Not measured: the sweep has no zero-copy strategy.\n\n");
	else if (!sampled(rd))
		write_not_sampled(out, "where each zero-copy strategy's server CPU went at the "
				       "largest size: page pinning, completions, the kernel copy");
}
