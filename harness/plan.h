/*
 * plan — the runs of a sweep, in the order they run.
 *
 * The plan is every point of the grid (impls x modes x topologies x layouts
 * x busy_poll x sizes x threads) times reps (numbered from 1). Shuffled
 * order runs the reps in rounds: round r holds every point's rep r, in an
 * order drawn from the seed afresh for each round, so drift over time
 * spreads over all points and an interrupted sweep has even coverage. The
 * shuffle is splitmix64 + Fisher-Yates: the same seed gives the same order
 * on every machine. Sequential order is grid order, a point's reps together.
 * A run already in runs.csv (its point's columns and rep, schema.h) is
 * dropped on --resume.
 *
 * Memory: a run_plan owns its array; its strings point into the
 * sweep_config it was built from, which must outlive it.
 * Errors: -1 with one line in err.
 */
#ifndef COPYSCOPE_PLAN_H
#define COPYSCOPE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "sweepfile.h"

/* Per-run cost besides warm-up and duration: spawning, connecting, teardown (measured). */
#define SWEEP_RUN_OVERHEAD_S 0.2

struct planned_run {
	const char *impl, *mode, *topology, *layout;
	int busy_poll;
	unsigned long msg_size;
	unsigned threads;
	unsigned rep;
};

struct run_plan {
	size_t n;
	struct planned_run *runs;
};

/* The plan of cfg in run order (cfg->shuffled decides, with seed). 0 or -1 (ENOMEM). */
int run_plan_build(const struct sweep_config *cfg, uint64_t seed, struct run_plan *plan);

/*
 * Drops from plan every run that already has a row in runs (a runs.csv read
 * back, ok or failed), keeping the order of the rest; *done counts them.
 */
int run_plan_drop_done(struct run_plan *plan, const struct dataset *runs, size_t *done, char *err,
		       size_t errlen);

void run_plan_free(struct run_plan *plan);

/*
 * The raw log base name of a run: <impl>_<mode>_<size>B_<threads>t, then
 * _<layout> / _busypoll / _<topology> only where they differ from the
 * defaults (scattered, off, loopback), then _r<rep>.
 */
void planned_run_name(const struct planned_run *run, char *buf, size_t len);

/* Estimated wall time of n runs of cfg, seconds. */
double sweep_estimate_s(const struct sweep_config *cfg, size_t n);

#endif
