/*
 * autoreps — reps = auto: which points need another repetition.
 *
 * Every point first gets min_reps repetitions (the sweep's plan, in shuffled
 * rounds). Then, round after round, a point is repeated again while the 95%
 * interval of the median of its headline (schema_headline: throughput in
 * stream mode, p50 latency in rr; stats.h) is wider than +-target of the
 * median, until it has max_reps rows. A point whose ok runs give no value
 * (every run failed) is not repeated: failures are not noise.
 *
 * The budget (sweep.c) caps each extra round at the runs the time left
 * allows, widest intervals first: a point gets a further share of the budget
 * only while it needs one.
 *
 * Memory: an autoreps_state owns its array; autoreps_free().
 * Errors: -1 with one line in err.
 */
#ifndef COPYSCOPE_AUTOREPS_H
#define COPYSCOPE_AUTOREPS_H

#include <stddef.h>

#include "dataset.h"
#include "sweepfile.h"

struct autoreps_point {
	size_t point;	  /* grid index (plan.h) */
	unsigned rows;	  /* rows it has, ok or not: its next rep is rows + 1 */
	double halfwidth; /* relative half-width of its median's interval; NAN: unknown */
};

struct autoreps_state {
	size_t points;	  /* of the grid */
	size_t sure;	  /* within +-target */
	size_t exhausted; /* at max_reps, still wider */
	size_t failed;	  /* no ok value to judge */
	size_t n_next;	  /* to repeat: widest first */
	struct autoreps_point *next;
	double widest; /* the widest half-width among the points not sure; NAN if none */
};

/* Assesses the grid of cfg from runs (runs.csv read back). */
int autoreps_assess(const struct sweep_config *cfg, const struct dataset *runs,
		    struct autoreps_state *st, char *err, size_t errlen);

void autoreps_free(struct autoreps_state *st);

#endif
