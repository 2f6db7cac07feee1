/*
 * resultsdir — a results folder read back: summary.csv, events.events (which
 * keys count a cache level), runs.csv (failures) and env.txt, and the slice
 * of it that tables, figures and the report all show.
 *
 * The base slice: the sweep's first topology, the scattered layout and
 * busy-poll off when the sweep has them, and stream mode (rr when there is
 * no stream point). Strategies come in the strategies' own order
 * (common/strategy_info.c), then any other in the order they appear.
 *
 * Memory: a results_dir owns everything it holds; results_dir_free().
 * Errors: -1 and one line in err naming the input and what was expected.
 */
#ifndef COPYSCOPE_RESULTSDIR_H
#define COPYSCOPE_RESULTSDIR_H

#include <stddef.h>

#include "dataset.h"
#include "eventfile.h"

#define RESULTS_MAX_SIZES   64
#define RESULTS_MAX_THREADS 32
#define RESULTS_MAX_IMPLS   16

struct results_dir {
	char path[4096]; /* as given: for reading its files and for error messages */
	char name[4096]; /* its real name, for what is written: see results_dir_load */
	struct dataset summary;
	struct dataset runs;	 /* no rows when DIR has no runs.csv */
	struct event_set events; /* no events when DIR has no events.events */
	char hw_pmu[8];		 /* "yes", "no" or "" (env.txt) */
	char hw_pmu_reason[256]; /* env.txt's reason, or "" */
	/* the base slice */
	char mode[16], topology[64], layout[32], busy_poll[8];
	size_t nimpls, nsizes, nthreads;
	const char *impls[RESULTS_MAX_IMPLS]; /* design order, then newcomers */
	long sizes[RESULTS_MAX_SIZES];	      /* ascending, of the base mode */
	long threads[RESULTS_MAX_THREADS];    /* ascending, of the base mode */
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


#endif
