/* autoreps — reps = auto: which points need another repetition; see autoreps.h. */
#include "autoreps.h"
#include "errmsg.h"
#include "plan.h"
#include "schema.h"
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Widest first; unknown (NAN) widths first of all. */
static int cmp_width(const void *a, const void *b)
{
	double x = ((const struct autoreps_point *)a)->halfwidth;
	double y = ((const struct autoreps_point *)b)->halfwidth;
	if (isnan(x) || isnan(y))
		return isnan(y) - isnan(x);
	return (x < y) - (x > y);
}

int autoreps_assess(const struct sweep_config *cfg, const struct dataset *runs,
		    struct autoreps_state *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	st->widest = NAN;
	st->points = sweep_config_points(cfg);
	size_t nrows = runs->nrows;
	long *point_of = malloc((nrows ? nrows : 1) * sizeof(*point_of));
	double *values = malloc((nrows ? nrows : 1) * sizeof(*values));
	st->next = calloc(st->points ? st->points : 1, sizeof(*st->next));
	if (!point_of || !values || !st->next) {
		free(point_of);
		free(values);
		autoreps_free(st);
		return errmsg_set(err, errlen, "out of memory");
	}
	int rc = run_plan_rows_points(cfg, runs, point_of, err, errlen);
	int status = dataset_col(runs, "status");
	if (!rc && status < 0)
		rc = errmsg_set(err, errlen, "no column status (expected the columns of runs.csv)");
	for (size_t p = 0; p < st->points && !rc; p++) {
		struct planned_run r = run_plan_point(cfg, p);
		int col = dataset_col(runs, schema_headline(r.mode));
		unsigned rows = 0;
		size_t n = 0;
		for (size_t i = 0; i < nrows; i++) {
			if (point_of[i] != (long)p)
				continue;
			rows++;
			if (col >= 0 && !strcmp(dataset_cell(runs, i, status), "ok"))
				values[n++] = dataset_num(runs, i, col);
		}
		struct interval iv;
		if (stats_median_ci(values, n, &iv)) {
			rc = errmsg_set(err, errlen, "out of memory");
			break;
		}
		/* one value has no spread to judge: it needs another */
		double hw = n >= SWEEP_AUTO_MIN_REPS ? stats_rel_halfwidth(&iv) : NAN;
		if (rows >= cfg->min_reps) {
			if (isnan(iv.est)) {
				st->failed++;
				continue;
			}
			if (!isnan(hw) && hw <= cfg->target) {
				st->sure++;
				continue;
			}
		}
		if (isnan(st->widest) || (!isnan(hw) && hw > st->widest))
			st->widest = hw;
		if (rows >= cfg->max_reps) {
			st->exhausted++;
			continue;
		}
		st->next[st->n_next++] = (struct autoreps_point){p, rows, hw};
	}
	free(point_of);
	free(values);
	if (rc) {
		autoreps_free(st);
		return -1;
	}
	qsort(st->next, st->n_next, sizeof(*st->next), cmp_width);
	return 0;
}

void autoreps_free(struct autoreps_state *st)
{
	free(st->next);
	st->next = NULL;
	st->n_next = 0;
}
