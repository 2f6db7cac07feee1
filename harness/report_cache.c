/*
 * report_cache — answer 2 of the report (report_parts.h): which cache level
 * shows the most reduction in misses from two-copy to one-copy, what was
 * measured instead where misses were not, and which copies disappear
 * (sampling; figure 8).
 */
#include "report_parts.h"
#include "metrics.h"
#include "table.h"

#include <math.h>
#include <stdio.h>

static double reduction(const struct results_dir *rd, const char *column, long size, long th)
{
	double two = val(rd, "two-copy", rd->mode, size, th, column, "median");
	double one = val(rd, "one-copy", rd->mode, size, th, column, "median");
	return metric_reduction_pct(two, one);
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

void write_q2(FILE *out, const struct results_dir *rd)
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
