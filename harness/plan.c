/* plan — the runs of a sweep, in order; see plan.h. */
#include "plan.h"
#include "errmsg.h"
#include "splitmix.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void shuffle(struct planned_run *runs, size_t n, uint64_t *state)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(splitmix_next(state) % i);
		struct planned_run t = runs[i - 1];
		runs[i - 1] = runs[j];
		runs[j] = t;
	}
}

/* Point p of the grid, in grid order (impls outermost, threads innermost). */
struct planned_run run_plan_point(const struct sweep_config *cfg, size_t p)
{
	struct planned_run r;
	r.threads = cfg->threads[p % cfg->n_threads], p /= cfg->n_threads;
	r.msg_size = cfg->sizes[p % cfg->n_sizes], p /= cfg->n_sizes;
	r.placement = cfg->placements[p % cfg->n_placements], p /= cfg->n_placements;
	r.busy_poll = cfg->busy_poll[p % cfg->n_busy_poll], p /= cfg->n_busy_poll;
	r.layout = cfg->layouts[p % cfg->n_layouts], p /= cfg->n_layouts;
	r.topology = cfg->topologies[p % cfg->n_topologies], p /= cfg->n_topologies;
	r.mode = cfg->modes[p % cfg->n_modes], p /= cfg->n_modes;
	r.impl = cfg->impls[p];
	r.rep = 1;
	return r;
}

int run_plan_build(const struct sweep_config *cfg, uint64_t seed, struct run_plan *plan)
{
	size_t points = sweep_config_points(cfg);
	plan->n = points * cfg->reps;
	plan->runs = calloc(plan->n ? plan->n : 1, sizeof(*plan->runs));
	if (!plan->runs)
		return -1;
	uint64_t state = seed;
	for (unsigned rep = 1; rep <= cfg->reps; rep++) {
		struct planned_run *round = plan->runs + (size_t)(rep - 1) * points;
		for (size_t p = 0; p < points; p++) {
			round[p] = run_plan_point(cfg, p);
			round[p].rep = rep;
		}
		if (cfg->shuffled)
			shuffle(round, points, &state);
	}
	if (!cfg->shuffled) /* grid order, a point's reps together */
		for (size_t i = 0; i < plan->n; i++) {
			plan->runs[i] = run_plan_point(cfg, i / cfg->reps);
			plan->runs[i].rep = (unsigned)(i % cfg->reps) + 1;
		}
	return 0;
}

/* A run's identity as one string: how runs.csv rows and planned runs are matched. */
static void run_key(char *buf, size_t len, const char *impl, const char *mode, const char *topology,
		    const char *layout, int busy_poll, const char *placement, unsigned long size,
		    unsigned threads, unsigned rep)
{
	snprintf(buf, len, "%s|%s|%s|%s|%d|%s|%lu|%u|%u", impl, mode, topology, layout, busy_poll,
		 placement, size, threads, rep);
}

#define RUN_KEY_MAX 256

static int cmp_key(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The keys of every row of runs, sorted, as an array of RUN_KEY_MAX strings. */
static char *done_keys(const struct dataset *runs, char *err, size_t errlen)
{
	/* run_key's order: the point's columns, then its rep */
	_Static_assert(SCHEMA_NPOINT == 7, "run_key takes the 7 point columns");
	int col[8];
	for (size_t i = 0; i < 8; i++) {
		const char *name = i < schema_npoint ? schema_point[i] : SCHEMA_REP;
		if ((col[i] = dataset_col(runs, name)) < 0) {
			errmsg_set(err, errlen, "no column %s (expected the columns of runs.csv)",
				   name);
			return NULL;
		}
	}
	int placement = dataset_col(runs, SCHEMA_PLACEMENT); /* absent: written unpinned */
	char *keys = malloc((runs->nrows ? runs->nrows : 1) * RUN_KEY_MAX);
	if (!keys) {
		errmsg_set(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t r = 0; r < runs->nrows; r++)
		run_key(keys + r * RUN_KEY_MAX, RUN_KEY_MAX, dataset_cell(runs, r, col[0]),
			dataset_cell(runs, r, col[1]), dataset_cell(runs, r, col[2]),
			dataset_cell(runs, r, col[3]), (int)dataset_num(runs, r, col[4]),
			placement < 0 ? "free" : dataset_cell(runs, r, placement),
			(unsigned long)dataset_num(runs, r, col[5]),
			(unsigned)dataset_num(runs, r, col[6]),
			(unsigned)dataset_num(runs, r, col[7]));
	qsort(keys, runs->nrows, RUN_KEY_MAX, cmp_key);
	return keys;
}

int run_plan_drop_done(struct run_plan *plan, const struct dataset *runs, size_t *done, char *err,
		       size_t errlen)
{
	*done = 0;
	char *keys = done_keys(runs, err, errlen);
	if (!keys)
		return -1;
	size_t kept = 0;
	for (size_t i = 0; i < plan->n; i++) {
		const struct planned_run *r = &plan->runs[i];
		char key[RUN_KEY_MAX];
		run_key(key, sizeof(key), r->impl, r->mode, r->topology, r->layout, r->busy_poll,
			r->placement, r->msg_size, r->threads, r->rep);
		if (runs->nrows && bsearch(key, keys, runs->nrows, RUN_KEY_MAX, cmp_key))
			(*done)++;
		else
			plan->runs[kept++] = *r;
	}
	plan->n = kept;
	free(keys);
	return 0;
}

struct point_key {
	char key[RUN_KEY_MAX];
	size_t point;
};

static int cmp_point_key(const void *a, const void *b)
{
	return strcmp(((const struct point_key *)a)->key, ((const struct point_key *)b)->key);
}

int run_plan_rows_points(const struct sweep_config *cfg, const struct dataset *runs,
			 long *point_of, char *err, size_t errlen)
{
	int col[SCHEMA_NPOINT];
	for (size_t i = 0; i < schema_npoint; i++)
		if ((col[i] = dataset_col(runs, schema_point[i])) < 0)
			return errmsg_set(err, errlen,
					  "no column %s (expected the columns of runs.csv)",
					  schema_point[i]);
	int placement = dataset_col(runs, SCHEMA_PLACEMENT);
	size_t n = sweep_config_points(cfg);
	struct point_key *keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys)
		return errmsg_set(err, errlen, "out of memory");
	for (size_t p = 0; p < n; p++) {
		struct planned_run r = run_plan_point(cfg, p);
		run_key(keys[p].key, RUN_KEY_MAX, r.impl, r.mode, r.topology, r.layout, r.busy_poll,
			r.placement, r.msg_size, r.threads, 0);
		keys[p].point = p;
	}
	qsort(keys, n, sizeof(*keys), cmp_point_key);
	for (size_t r = 0; r < runs->nrows; r++) {
		struct point_key k;
		run_key(k.key, RUN_KEY_MAX, dataset_cell(runs, r, col[0]),
			dataset_cell(runs, r, col[1]), dataset_cell(runs, r, col[2]),
			dataset_cell(runs, r, col[3]), (int)dataset_num(runs, r, col[4]),
			placement < 0 ? "free" : dataset_cell(runs, r, placement),
			(unsigned long)dataset_num(runs, r, col[5]),
			(unsigned)dataset_num(runs, r, col[6]), 0);
		const struct point_key *hit = n ? bsearch(&k, keys, n, sizeof(*keys), cmp_point_key)
						: NULL;
		point_of[r] = hit ? (long)hit->point : -1;
	}
	free(keys);
	return 0;
}

int run_plan_round(const struct sweep_config *cfg, uint64_t seed, unsigned round,
		   const size_t *points, const unsigned *reps, size_t n, struct run_plan *plan)
{
	run_plan_free(plan);
	plan->runs = calloc(n ? n : 1, sizeof(*plan->runs));
	if (!plan->runs)
		return -1;
	plan->n = n;
	for (size_t i = 0; i < n; i++) {
		plan->runs[i] = run_plan_point(cfg, points[i]);
		plan->runs[i].rep = reps[i];
	}
	uint64_t state = seed ^ (0x9e3779b97f4a7c15ull * round); /* a round's own order */
	if (cfg->shuffled)
		shuffle(plan->runs, n, &state);
	return 0;
}

void run_plan_free(struct run_plan *plan)
{
	free(plan->runs);
	plan->runs = NULL;
	plan->n = 0;
}

void planned_run_name(const struct planned_run *run, char *buf, size_t len)
{
	int pinned = strcmp(run->placement, "free");
	snprintf(buf, len, "%s_%s_%luB_%ut%s%s%s%s%s%s%s_r%u", run->impl, run->mode, run->msg_size,
		 run->threads, strcmp(run->layout, "scattered") ? "_" : "",
		 strcmp(run->layout, "scattered") ? run->layout : "",
		 run->busy_poll ? "_busypoll" : "", strcmp(run->topology, "loopback") ? "_" : "",
		 strcmp(run->topology, "loopback") ? run->topology : "", pinned ? "_" : "",
		 pinned ? run->placement : "", run->rep);
}

double sweep_estimate_s(const struct sweep_config *cfg, size_t n)
{
	return (double)n * (cfg->warmup_s + cfg->duration_s + SWEEP_RUN_OVERHEAD_S);
}
