/*
 * report_tcp — what TCP did with a strategy's bytes (TCP_INFO columns;
 * figure 7), for the report (report_parts.h): bytes per data segment against
 * two-copy's and what held the sender back (answers 1 and 5), how more
 * threads changed the segments (answer 3), and segments far smaller than
 * two-copy's (answer 6).
 */
#include "report_parts.h"
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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
int write_tcp(FILE *out, const struct results_dir *rd, const char *impl)
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
size_t find_small_segments(FILE *out, const struct results_dir *rd)
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
void write_q3_segments(FILE *out, const struct results_dir *rd)
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
				fprintf(out, "; %s %.0f%% → %.0f%%",
					k ? "send buffer" : "receive window", x, y);
		}
		fprintf(out, "\n");
	}
	if (any)
		fprintf(out, "\n");
}
