/*
 * row — one run's row of runs.csv: the template (every column of the schema,
 * in order, the run's identity set and every measured cell empty) and its
 * filling from what the workloads printed and the counters read.
 *
 * A value not measured stays an empty cell, never 0: a counter that did not
 * count, a key a workload did not print, a ratio over zero.
 */
#ifndef COPYSCOPE_ROW_H
#define COPYSCOPE_ROW_H

#include "counters.h"
#include "results.h"
#include "run.h"
#include "sampler.h"

/* "loopback" unless spec names another topology; whether it is netns; whether
 * it is remote (the topology, with an agent to run the server). */
const char *run_spec_topology(const struct run_spec *spec);
int run_spec_is_netns(const struct run_spec *spec);
int run_spec_is_remote(const struct run_spec *spec);

/*
 * Fills row with every column of the contract, in order, identity and run
 * columns from spec, every measured cell empty: the header a run of spec
 * with plan will write (for checking --out before anything runs). 0 or -1.
 */
int row_template(const struct run_spec *spec, const struct counter_plan *plan,
		 struct result_row *row);

/* One side's output: its key=value lines, its counters' values (one per
 * event of the plan) and where it ran (oncpu.h). */
struct row_side {
	const char *out;
	const struct counter_value *values;
	const struct oncpu_sample *where;
	const struct sample_result *samples; /* sampler.h; NULL: not sampled */
};

/* The measured cells of a run that finished, into a row made by row_template:
 * the workloads' totals, where they ran, each event's count and running
 * fraction, the derived columns, and with spec->sample the sampling columns
 * (a side whose samples were not measured keeps them empty). */
void row_fill(struct result_row *row, const struct run_spec *spec, const struct counter_plan *plan,
	      const struct row_side *srv, const struct row_side *cli);

#endif
