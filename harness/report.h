/*
 * report — the Part E report of a results folder: copyscope report DIR
 * writes DIR/report.md (through DIR/report.md.tmp and a rename, so a reader
 * never sees half a report).
 *
 * It answers the six questions of Part E (docs/results.md) from summary.csv (with
 * events.events, env.txt, and runs.csv for failures and intervals), each with
 * the numbers it rests on and a link to its figure. Every number printed is a
 * CSV cell, a ratio of two cells, or a crossover interpolated between two
 * cells; every ratio and change carries its 95% interval from the point's
 * repetitions, and a difference is called significant only when that
 * interval leaves out 1 (docs/confidence.md); a crossover is the size
 * interval between significant sides. Cache counts that are physically
 * implausible (metrics.h) are listed and left out of every answer. Where
 * something was not measured the report says so and why, and shows what was
 * measured instead. The slice shown is the results_dir base slice
 * (resultsdir.h), its placement and what the runs measured in the header.
 * Where the folder was sampled (sample = on), answers 1, 2, 5 and 6 cite
 * where the CPU went (figure 8, docs/sampling.md); where it was not, each of
 * them says in one sentence how to get it.
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
