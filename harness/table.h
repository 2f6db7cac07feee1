/*
 * table — per-cache-level miss tables of a results folder (copyscope table).
 *
 * A results_dir is a results folder read for reading back: summary.csv,
 * events.events (which keys count a cache level), runs.csv (failures) and
 * env.txt. Tables, figures and the report all show one "base" slice of the
 * sweep: its first topology, the scattered layout and busy-poll off when the
 * sweep has them, and stream mode (rr when there is no stream point). Every
 * number shown is a summary.csv cell, or a ratio of two cells.
 *
 * The table: rows strategy x message size for one thread count, per cache
 * level the misses, misses per KiB and the change against two-copy; then,
 * per size, the level with the largest reduction from two-copy to one-copy.
 * Without cache-miss data it says so and shows what was measured instead:
 * CPU time per byte, the user/kernel split, context switches and kernel
 * copies per message.
 *
 * Memory: a results_dir owns everything it holds; results_dir_free().
 * Errors: -1 and one line in err naming the input and what was expected.
 */
#ifndef COPYSCOPE_TABLE_H
#define COPYSCOPE_TABLE_H

#include <stddef.h>
#include <stdio.h>

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

/* Human size: "256 B", "4 KiB", "2896 B". */
void format_size(char *buf, size_t len, double bytes);

enum table_format { TABLE_TEXT, TABLE_MD, TABLE_CSV };

struct table_options {
	const char *level; /* "all" or a level name of events.events */
	const char *side;  /* "srv" or "cli" */
	long threads;
	enum table_format format;
};

/*
 * The level with the largest reduction of misses per KiB from two-copy to
 * one-copy at (size, threads) on side, among levels matching level_filter
 * ("all" for every one): its event, and the reduction in percent. NULL
 * when two-copy or one-copy lack the numbers.
 */
const struct event_spec *table_largest_reduction(const struct results_dir *rd, const char *side,
						 long size, long threads, const char *level_filter,
						 double *reduction_pct);

/* Writes the tables for opt to out. -1 (err) when opt names no level of DIR. */
int table_write(FILE *out, const struct results_dir *rd, const struct table_options *opt, char *err,
		size_t errlen);

#endif
