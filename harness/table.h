/*
 * table — per-cache-level miss tables of a results folder (copyscope table).
 *
 * It reads the folder through resultsdir.h and prints; every number shown
 * is a summary.csv cell, or a ratio of two cells.
 *
 * The table: rows strategy x message size for one thread count, per cache
 * level the misses, misses per KiB and the change against two-copy; then,
 * per size, the level with the largest reduction from two-copy to one-copy.
 * A physically implausible count (results_dir_check_count: below the L1
 * floor, or counted for under 5% of a window) carries a mark on its cells
 * ("!" or "?") and a footnote saying why; --format csv has a <level>_flag
 * column instead (below_floor, running_low), and no reduction uses it.
 * Without cache-miss data it says so and shows what was measured instead:
 * CPU time per byte, the user/kernel split, context switches and kernel
 * copies per message.
 *
 * Errors: -1 and one line in err naming the input and what was expected.
 */
#ifndef COPYSCOPE_TABLE_H
#define COPYSCOPE_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "resultsdir.h"

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
 * ("all" for every one) whose two counts are plausible: its event, and the
 * reduction in percent. NULL when two-copy or one-copy lack the numbers.
 */
const struct event_spec *table_largest_reduction(const struct results_dir *rd, const char *side,
						 long size, long threads, const char *level_filter,
						 double *reduction_pct);

/* Writes the tables for opt to out. -1 (err) when opt names no level of DIR. */
int table_write(FILE *out, const struct results_dir *rd, const struct table_options *opt, char *err,
		size_t errlen);

#endif
