/*
 * plan — the runs of a sweep, in the order they run.
 *
 * The plan is every point of the grid (impls x modes x topologies x layouts
 * x busy_poll x placements x sizes x threads) times reps (numbered from 1). Shuffled
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
	const char *placement; /* "free", "same", "spread" */
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
 * _<layout> / _busypoll / _<topology> / _<placement> only where they differ
 * from the defaults (scattered, off, loopback, free), then _r<rep>.
 */
void planned_run_name(const struct planned_run *run, char *buf, size_t len);

/* Point p of the grid (0 <= p < sweep_config_points), rep 1. */
struct planned_run run_plan_point(const struct sweep_config *cfg, size_t p);

/*
 * The grid point of every row of runs (a runs.csv read back) into
 * point_of[0..runs->nrows-1]: its index, or -1 for a row of another grid.
 */
int run_plan_rows_points(const struct sweep_config *cfg, const struct dataset *runs,
			 long *point_of, char *err, size_t errlen);

/*
 * One more round (reps = auto): point points[i] with rep reps[i], shuffled
 * when cfg is (the order drawn from seed and round), into plan (replacing
 * what it held). 0 or -1 (ENOMEM).
 */
int run_plan_round(const struct sweep_config *cfg, uint64_t seed, unsigned round,
		   const size_t *points, const unsigned *reps, size_t n, struct run_plan *plan);

/* Estimated wall time of n runs of cfg, seconds. */
double sweep_estimate_s(const struct sweep_config *cfg, size_t n);

#endif
