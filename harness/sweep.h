/*
 * sweep — a grid of runs (a sweep file) into a results folder, repeatable
 * and resumable: `copyscope sweep` (commands.h), carrying out a plan (plan.h).
 *
 * The command (cmd_sweep, commands.h) checks everything before it writes
 * anything (sweep file, impls through program_resolve_impl, event file through
 * counter_plan_build, the results folder: new or empty, or --resume), prints
 * the plan and its estimated wall time, then writes DIR/sweep.ini,
 * DIR/events.events, DIR/env.txt (env.h), and per run DIR/raw/NAME.server.log
 * and .client.log and one runs.csv row (results_append: flushed and
 * fsync'ed). summary.csv (summary.h) is rewritten at the end, also after an
 * interrupt. A run interrupted by SIGINT/SIGTERM leaves no row, so --resume
 * runs it again; a failed run keeps its row and is not run again.
 * Exit status: 0 every run ok; 1 some run failed (this time or before a
 * resume); 2 bad input or a harness error (a row that cannot be written);
 * 130 after SIGINT, 143 after SIGTERM (128 + the signal, as shells report).
 *
 */
#ifndef COPYSCOPE_SWEEP_H
#define COPYSCOPE_SWEEP_H

#endif
