/*
 * report_parts — what the files of the report share; only report*.c include
 * it (report.h is the module's contract). The pieces:
 *
 *   report.c            the command, the header, the closing sections
 *   report_slice.c      readers of the base slice (resultsdir.h)
 *   report_text.c       how numbers are written: sizes, ratios, changes
 *   report_zerocopy.c   answer 1, and what zero-copy pays (answer 5)
 *   report_cache.c      answer 2
 *   report_threads.c    answer 3
 *   report_crossover.c  answers 4 and 5
 *   report_anomalies.c  answer 6
 *   report_tcp.c        what TCP did (answers 1, 3, 5 and 6)
 *
 * A cell that was not measured reads as NAN; nothing here fails. A function
 * that returns const char * writes into the caller's buf and returns it, so
 * it can sit among a printf's arguments; a size (sz) needs 32 bytes.
 */
#ifndef COPYSCOPE_REPORT_PARTS_H
#define COPYSCOPE_REPORT_PARTS_H

#include <stddef.h>
#include <stdio.h>

#include "eventfile.h"
#include "figdata.h"
#include "metrics.h"
#include "resultsdir.h"
#include "stats.h"

#define MAX_LIST 12 /* anomalies of one kind listed before "and N more" */

/* ---- reading the base slice (report_slice.c) ---- */

/* impl's summary cell "column_stat" at one point of mode; stat is "median",
 * "min", "max" or "cv". */
double val(const struct results_dir *rd, const char *impl, const char *mode, long size,
	   long threads, const char *column, const char *stat);
/* impl's throughput (Gbit/s) in the slice's mode. */
double tput(const struct results_dir *rd, const char *impl, long size, long threads,
	    const char *stat);
/* impl's copied share at one point: zc_copied ÷ zc_completions of the
 * medians, in percent (metric_copied_pct). */
double copied_share(const struct results_dir *rd, const char *impl, long size, long threads);
/* impl's copied shares over the slice's points, folded (metric_copied_shares). */
void copied_shares_of(const struct results_dir *rd, const char *impl, struct copied_shares *cs);
/* Whether the slice's topology is remote: the server on another host, whose
 * device may take zero-copy's pages. */
int is_remote(const struct results_dir *rd);
/* Whether the slice measured impl. */
int has_impl(const struct results_dir *rd, const char *impl);
/* Whether impl's count of ev on side at (size, th) may be used. */
int plausible(const struct results_dir *rd, const char *impl, const char *side,
	      const struct event_spec *ev, long size, long th);
/* impl's column over base's at one point: ratio of medians and 95% interval. */
void ratio_at(const struct results_dir *rd, const char *base, const char *impl, const char *mode,
	      long size, long th, const char *column, struct interval *iv);
/* Whether iv has both ends (without runs.csv it has none). */
int has_interval(const struct interval *iv);
/* +1 / -1: iv wholly above / below 1; 0: it holds 1, or there is none. */
int ratio_side(const struct interval *iv);
/* Whether either side was sampled (sample = on). */
int sampled(const struct results_dir *rd);
/* Whether the folder's category file has cat. */
int has_cat(const struct results_dir *rd, const char *cat);
/* The column "SIDE_cat_CAT_WHAT" (what: "pct" or "ns_per_byte"). */
const char *cat_col(char *buf, size_t len, const char *side, const char *cat, const char *what);
/* impl's median of side's cat_col at (size, th). */
double cat_val(const struct results_dir *rd, const char *impl, long size, long th, const char *side,
	       const char *cat, const char *what);

/* ---- writing numbers (report_text.c) ---- */

/* "[figure N](figures/NAME.png)" */
const char *fig_link(char *buf, size_t len, enum figure_id id);
/* A size in bytes, "16 KiB"; buf holds 32 bytes. */
const char *sz(char *buf, double bytes);
/* "thread" or "threads" */
const char *threads_word(long t);
/* "256 B–2 KiB, 16 KiB" from a mask over rd->sizes */
void size_ranges(const struct results_dir *rd, const int *mask, char *buf, size_t len);
/* "1.25 [1.21, 1.3]", with ", no significant difference" when iv holds 1 */
const char *ratio_text(char *buf, size_t len, const struct interval *iv);
/* " [lo, hi]", or "" without an interval */
const char *ci_text(char *buf, size_t len, const struct interval *iv);
/* x rounded to decimals, without the sign of a negative zero */
double unsigned_zero(double x, int decimals);
/* A share in percent, "3.0%": one decimal, more (up to 3) while a share
 * strictly between 0 and 100 would read as 0.0% or 100.0%. */
const char *pct_text(char *buf, size_t len, double pct);
/* A ratio as a change in percent: "-23% [-25%, -21%]" */
const char *change_text(char *buf, size_t len, const struct interval *iv, int decimals);
/* The sentence where the folder was not sampled: how to see what. */
void write_not_sampled(FILE *out, const char *what);

/* ---- the answers, each a "## N." section ---- */

void write_q1(FILE *out, const struct results_dir *rd); /* report_zerocopy.c */
void write_q2(FILE *out, const struct results_dir *rd); /* report_cache.c */
void write_q3(FILE *out, const struct results_dir *rd); /* report_threads.c */
void write_q4(FILE *out, const struct results_dir *rd); /* report_crossover.c */
void write_q5(FILE *out, const struct results_dir *rd); /* report_crossover.c */
void write_q6(FILE *out, const struct results_dir *rd); /* report_anomalies.c */

/* ---- lines more than one answer shows ---- */

/* report_zerocopy.c: CPU per byte and busy share of each side, impl against
 * two-copy at one point (answers 1 and 5). */
void write_sides_vs_two(FILE *out, const struct results_dir *rd, const char *impl, long size,
			long th);
/* report_zerocopy.c: where zero-copy's server CPU went at one point, when
 * sampled (answer 5). */
void write_zc_where_at(FILE *out, const struct results_dir *rd, const char *impl, long size,
		       long th);
/* report_zerocopy.c: "4 KiB 100.0%, 16 KiB 40.0%": impl's copied share at
 * each size of thread count th (answers 1 and 5). */
const char *copied_by_size(char *buf, size_t len, const struct results_dir *rd, const char *impl,
			   long th);
/* report_tcp.c: what TCP did with impl's bytes at the smallest and largest
 * size (answers 1 and 5); 1 when it wrote something. */
int write_tcp(FILE *out, const struct results_dir *rd, const char *impl);
/* report_tcp.c: how more threads changed the segments (answer 3). */
void write_q3_segments(FILE *out, const struct results_dir *rd);
/* report_tcp.c: segments over 4x smaller than two-copy's, one line each
 * (answer 6); how many. */
size_t find_small_segments(FILE *out, const struct results_dir *rd);

#endif
