/*
 * report — the Part E report of a results folder: copyscope report DIR
 * writes DIR/report.md (through DIR/report.md.tmp and a rename, so a reader
 * never sees half a report).
 *
 * It answers the six questions of Part E (docs/results.md) from summary.csv (with
 * events.events, env.txt, and runs.csv for failures), each with the numbers
 * it rests on and a link to its figure. Every number printed is a CSV cell,
 * a ratio of two cells, or a crossover interpolated between two cells; where
 * something was not measured the report says so and why, and shows what was
 * measured instead. The slice shown is the results_dir base slice (table.h).
 *
 * Errors: report_write() cannot fail on a loaded results_dir; cmd_report()
 * returns 2 with one line for a bad DIR and 1 when report.md can't be written.
 */
#ifndef COPYSCOPE_REPORT_H
#define COPYSCOPE_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "metrics.h"
#include "table.h"


/* Writes the whole report as Markdown. */
void report_write(FILE *out, const struct results_dir *rd);

#endif
