/*
 * resultsdir — a results folder read back: summary.csv, events.events (which
 * keys count a cache level), runs.csv (failures) and env.txt, and the slice
 * of it that tables, figures and the report all show.
 *
 * The base slice: the sweep's first topology, the scattered layout and
 * busy-poll off when the sweep has them, the sweep's first placement when
 * summary.csv has a placement column, and stream mode (rr when there is no
 * stream point). The first placement is the first value of the `placement`
 * key of DIR/sweep.ini (the sweep file as run) that summary.csv holds; without
 * one, the placement of the first row of runs.csv that has one (the order the
 * runs ran in), else that of summary.csv's first row. Strategies come in the
 * strategies' own order (common/strategy_info.c), then any other in the order
 * they appear.
 *
 * The repetitions: a summary row's point has its runs in runs.csv (the rows
 * whose columns before `rep` are the row's); the ok ones give the 95%
 * intervals of medians and of ratios (stats.h, docs/confidence.md).
 *
 * Memory: a results_dir owns everything it holds; results_dir_free().
 * Errors: -1 and one line in err naming the input and what was expected.
 */
#ifndef COPYSCOPE_RESULTSDIR_H
#define COPYSCOPE_RESULTSDIR_H

#include <stddef.h>

#include "categories.h"
#include "dataset.h"
#include "eventfile.h"
#include "metrics.h"
#include "stats.h"

#define RESULTS_MAX_SIZES   64
#define RESULTS_MAX_THREADS 32
#define RESULTS_MAX_IMPLS   16
#define RESULTS_MAX_REPS    1024 /* ok runs of one point read for an interval */
#define RESULTS_MAX_CPUS    1024 /* CPUs whose core env.txt can name */

struct results_dir {
	char path[4096]; /* as given: for reading its files and for error messages */
	char name[4096]; /* its real name, for what is written: see results_dir_load */
	struct dataset summary;
	struct dataset runs;	 /* no rows when DIR has no runs.csv */
	struct event_set events; /* no events when DIR has no events.events */
	char hw_pmu[8];		 /* "yes", "no" or "" (env.txt) */
	char hw_pmu_reason[256]; /* env.txt's reason, or "" */
	long *run_point;	 /* per runs.csv row: its summary row when the run is ok, else -1 */
	int intervals;		 /* some point has two ok runs: results_dir_has_intervals */
	int core_of[RESULTS_MAX_CPUS]; /* env.txt's smt_siblings: a CPU's core, -1 unknown */
	/* the base slice; placement is "" without a placement column */
	char mode[16], topology[64], layout[32], busy_poll[8], placement[16];
	size_t nimpls, nsizes, nthreads;
	const char *impls[RESULTS_MAX_IMPLS]; /* design order, then newcomers */
	long sizes[RESULTS_MAX_SIZES];	      /* ascending, of the base mode */
	long threads[RESULTS_MAX_THREADS];    /* ascending, of the base mode */
	/* the sampling categories (sample = on): the <c> of summary.csv's
	 * {srv,cli}_cat_<c>_pct_median columns, in their order (other last);
	 * none in a folder swept without sampling */
	size_t ncats;
	char cats[CATEGORY_MAX][CATEGORY_NAME_MAX + 1];
};

/*
 * Reads DIR; DIR and DIR/summary.csv must exist, the other files may not.
 * rd->name is DIR resolved (realpath: no symlink such as results/latest, which
 * moves): relative to the current folder when DIR lies below it, else absolute.
 */
int results_dir_load(const char *dir, struct results_dir *rd, char *err, size_t errlen);
void results_dir_free(struct results_dir *rd);

/* The summary row of (impl, mode, size, threads) in the base slice, or -1. */
long results_dir_row(const struct results_dir *rd, const char *impl, const char *mode, long size,
		     long threads);

/* A cell of summary row (NAN / "" when the row is -1 or the column absent). */
double results_dir_num(const struct results_dir *rd, long row, const char *column);
const char *results_dir_cell(const struct results_dir *rd, long row, const char *column);

/* The sorted thread counts / message sizes measured in mode (base slice). */
size_t results_dir_axis(const struct results_dir *rd, const char *mode, const char *column,
			long *out, size_t max);

/* True when some cache-level event has a measured side_<key>_per_kb median. */
int results_dir_has_misses(const struct results_dir *rd, const char *side);

/*
 * The key of the event whose libpfm4/tracepoint name starts with event, else
 * the given key when events.events has it, else NULL.
 */
const char *results_dir_key(const struct results_dir *rd, const char *event, const char *key);

/* Why no cache misses were measured, for a sentence ("no hardware PMU exposed"). */
void results_dir_why_no_misses(const struct results_dir *rd, char *buf, size_t len);

/* ---- sampling (docs/sampling.md) ----------------------------------------- */

/* True when side ("srv" or "cli") was sampled at some point of the base
 * slice: one of its side_cat_<c>_pct medians is measured. */
int results_dir_sampled(const struct results_dir *rd, const char *side);

/* What the figures and the report call a category ("user copy", "TCP/IP");
 * a category of another category file is called by its own name. */
const char *results_dir_category_label(const char *cat);

/* ---- the repetitions (runs.csv) ---------------------------------------- */

/* True when some summary row has two ok runs or more in runs.csv: intervals
 * can be had. A point with one ok run has none (one value says nothing of
 * the spread), and neither has a folder without runs.csv. */
int results_dir_has_intervals(const struct results_dir *rd);

/* The values of column in the ok runs of summary row `row`, empty cells
 * skipped, at most max into out: how many. 0 for a row of -1, a column
 * runs.csv lacks, or no runs.csv. */
size_t results_dir_run_values(const struct results_dir *rd, long row, const char *column,
			      double *out, size_t max);

/* Per ok run of row, num ÷ den of that same run (runs with both measured and
 * den > 0), at most max into out: how many. For shares of one run's counts,
 * which must not be resampled apart. */
size_t results_dir_run_ratios(const struct results_dir *rd, long row, const char *num,
			      const char *den, double *out, size_t max);

/* The median of column at row (summary.csv's X_median) and its 95% interval:
 * from the point's ok runs when it has two or more, else summary.csv's
 * X_ci_lo and X_ci_hi; lo and hi NAN when neither is there. */
void results_dir_median_ci(const struct results_dir *rd, long row, const char *column,
			   struct interval *iv);

/* column's median at row num over its median at row den, and the 95%
 * interval of that ratio from both points' ok runs (stats_ratio_ci), two or
 * more each; without them, est is the ratio of summary.csv's medians and lo,
 * hi are NAN. */
void results_dir_ratio_ci(const struct results_dir *rd, long den, long num, const char *column,
			  struct interval *iv);

/* The `placed` values of the base slice's ok runs (first seen first) and how
 * many runs measured each, at most max: how many values. *runs: the slice's
 * ok runs with a `placed` cell. 0 without the column. */
size_t results_dir_placed(const struct results_dir *rd, const char **value, size_t *count,
			  size_t max, size_t *runs);

/* ---- plausibility (metrics.h, docs/counting.md) ------------------------- */

struct count_check {
	enum count_doubt doubt;
	double per_kb;	/* side_<key>_per_kb_median */
	double floor;	/* the L1 floor per KiB, NAN where none applies */
	double running; /* side_<key>_running_min, NAN when not recorded */
};

/* Whether side's count of ev at summary row `row` can be used: the floor
 * applies to L1 events only. */
void results_dir_check_count(const struct results_dir *rd, long row, const char *side,
			     const struct event_spec *ev, struct count_check *out);

/* A sentence's end for a doubt: why the count cannot be used. */
const char *results_dir_doubt_why(enum count_doubt doubt);

#endif
