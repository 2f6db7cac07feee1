/*
 * report_threads — answer 3 of the report (report_parts.h): how thread count
 * interacts with throughput, latency and cache contention, and where more
 * threads lost throughput.
 */
#include "report_parts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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
	fprintf(out,
		"Request-response latency, p50 / p99 (µs, medians of the repetitions) (%s):\n\n",
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

void write_q3(FILE *out, const struct results_dir *rd)
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
