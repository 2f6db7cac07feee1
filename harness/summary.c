/*
 * summary — per-point statistics of runs.csv (see summary.h).
 */
#include "summary.h"
#include "atomicfile.h"
#include "results.h"
#include "schema.h"
#include "stats.h"
#include "errmsg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The columns that must name a point (schema_point); any other column
 * before `rep` names it too. */
#define ID_MAX	   32

/* The statistics of every measured column, in the order of their columns. */
static const char *const stat_suffix[] = {"_median", "_min", "_max", "_cv", "_ci_lo", "_ci_hi"};
#define NSTATS (sizeof(stat_suffix) / sizeof(stat_suffix[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int summary_stats_of(const double *values, size_t n, struct summary_stats *out)
{
	*out = (struct summary_stats){0, NAN, NAN, NAN, NAN, NAN, NAN};
	double *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(values[i]))
			v[k++] = values[i];
	if (k) {
		qsort(v, k, sizeof(*v), cmp_double);
		double sum = 0, sq = 0;
		for (size_t i = 0; i < k; i++)
			sum += v[i];
		double mean = sum / (double)k;
		for (size_t i = 0; i < k; i++)
			sq += (v[i] - mean) * (v[i] - mean);
		out->n = k;
		out->min = v[0];
		out->max = v[k - 1];
		out->median = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2.0;
		if (k >= 2 && mean != 0)
			out->cv = sqrt(sq / (double)(k - 1)) / fabs(mean);
	}
	struct interval ci;
	int rc = stats_median_ci(v, k, &ci);
	out->ci_lo = ci.lo;
	out->ci_hi = ci.hi;
	free(v);
	return rc;
}

void summary_format_num(double v, char *buf, size_t len)
{
	csv_format_num(v, CSV_NUM_EXACT, buf, len);
}

/* --- grouping rows into points ------------------------------------------------- */

struct sort_ctx {
	const struct dataset *runs;
	int col[ID_MAX]; /* the identity columns of runs, in file order */
	size_t ncol;
	int impl_col;
	const char *const *impl_order;
	size_t n_impl_order;
};

static size_t impl_rank(const struct sort_ctx *c, const char *impl)
{
	for (size_t i = 0; i < c->n_impl_order; i++)
		if (!strcmp(c->impl_order[i], impl))
			return i;
	return c->n_impl_order;
}

/* Numbers compare as numbers and come before anything else; the rest by text. */
static int cmp_cells(const struct sort_ctx *c, size_t a, size_t b, int col)
{
	const char *x = dataset_cell(c->runs, a, col), *y = dataset_cell(c->runs, b, col);
	double dx = dataset_num(c->runs, a, col), dy = dataset_num(c->runs, b, col);
	if (isnan(dx) || isnan(dy))
		return isnan(dx) && isnan(dy) ? strcmp(x, y) : isnan(dx) ? 1 : -1;
	return (dx > dy) - (dx < dy);
}

/* Compares the identities of two rows: <0, 0 (same point), >0. impl goes first. */
static int cmp_point(const struct sort_ctx *c, size_t a, size_t b)
{
	const char *x = dataset_cell(c->runs, a, c->impl_col);
	const char *y = dataset_cell(c->runs, b, c->impl_col);
	size_t rx = impl_rank(c, x), ry = impl_rank(c, y);
	int r = rx != ry ? (rx > ry) - (rx < ry) : strcmp(x, y);
	for (size_t i = 0; i < c->ncol && !r; i++)
		if (c->col[i] != c->impl_col)
			r = cmp_cells(c, a, b, c->col[i]);
	return r;
}

static int cmp_rows(const void *a, const void *b, void *ctx)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = cmp_point(ctx, x, y);
	return r ? r : (x > y) - (x < y); /* runs of a point keep file order */
}

/* --- building the summary dataset ------------------------------------------------ */

static int add_col(struct dataset *out, const char *name, const char *suffix)
{
	char *s;
	if (asprintf(&s, "%s%s", name, suffix) < 0)
		return -1;
	out->cols[out->ncols++] = s;
	return 0;
}

static int add_cell(struct dataset *out, size_t *k, const char *value)
{
	if (!(out->cells[(*k)++] = strdup(value)))
		return -1;
	return 0;
}

static int make_header(const struct sort_ctx *c, int status_col, struct dataset *out)
{
	const struct dataset *runs = c->runs;
	size_t nmeasured = runs->ncols - (size_t)status_col - 1;
	out->cols = calloc(c->ncol + 3 + NSTATS * nmeasured, sizeof(char *));
	if (!out->cols)
		return -1;
	for (size_t i = 0; i < c->ncol; i++)
		if (add_col(out, runs->cols[c->col[i]], ""))
			return -1;
	if (add_col(out, "duration_s", "") || add_col(out, "runs", "") ||
	    add_col(out, "failed", ""))
		return -1;
	for (size_t x = (size_t)status_col + 1; x < runs->ncols; x++)
		for (size_t s = 0; s < NSTATS; s++)
			if (add_col(out, runs->cols[x], stat_suffix[s]))
				return -1;
	return 0;
}

/* Appends the row of the point made of rows[0..n-1]. */
static int add_point(const struct sort_ctx *c, int duration_col, int status_col, const size_t *rows,
		     size_t n, struct dataset *out, double *scratch)
{
	const struct dataset *runs = c->runs;
	size_t k = out->nrows * out->ncols, failed = 0;
	char num[64];
	for (size_t i = 0; i < c->ncol; i++)
		if (add_cell(out, &k, dataset_cell(runs, rows[0], c->col[i])))
			return -1;
	for (size_t r = 0; r < n; r++)
		failed += strcmp(dataset_cell(runs, rows[r], status_col), "ok") != 0;
	if (add_cell(out, &k, dataset_cell(runs, rows[0], duration_col)))
		return -1;
	snprintf(num, sizeof(num), "%zu", n);
	if (add_cell(out, &k, num))
		return -1;
	snprintf(num, sizeof(num), "%zu", failed);
	if (add_cell(out, &k, num))
		return -1;
	for (size_t x = (size_t)status_col + 1; x < runs->ncols; x++) {
		size_t m = 0;
		for (size_t r = 0; r < n; r++)
			if (!strcmp(dataset_cell(runs, rows[r], status_col), "ok"))
				scratch[m++] = dataset_num(runs, rows[r], (int)x);
		struct summary_stats st;
		if (summary_stats_of(scratch, m, &st))
			return -1;
		double v[NSTATS] = {st.median, st.min, st.max, st.cv, st.ci_lo, st.ci_hi};
		for (size_t s = 0; s < NSTATS; s++) {
			summary_format_num(v[s], num, sizeof(num));
			if (add_cell(out, &k, num))
				return -1;
		}
	}
	out->nrows++;
	return 0;
}

static int build_rows(struct sort_ctx *c, int duration_col, int status_col, struct dataset *out)
{
	const struct dataset *runs = c->runs;
	size_t nrows = runs->nrows;
	size_t *order = malloc((nrows ? nrows : 1) * sizeof(*order));
	double *scratch = malloc((nrows ? nrows : 1) * sizeof(*scratch));
	out->cells = calloc((nrows ? nrows : 1) * out->ncols, sizeof(char *));
	out->cap = (nrows ? nrows : 1) * out->ncols;
	int rc = order && scratch && out->cells ? 0 : -1;
	if (!rc) {
		for (size_t i = 0; i < nrows; i++)
			order[i] = i;
		qsort_r(order, nrows, sizeof(*order), cmp_rows, c);
		for (size_t i = 0; i < nrows && !rc;) {
			size_t j = i + 1;
			while (j < nrows && !cmp_point(c, order[i], order[j]))
				j++;
			rc = add_point(c, duration_col, status_col, order + i, j - i, out, scratch);
			i = j;
		}
	}
	free(order);
	free(scratch);
	return rc;
}

int summary_build(const struct dataset *runs, const char *const *impl_order, size_t n_impl_order,
		  struct dataset *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct sort_ctx c = {.runs = runs, .impl_order = impl_order, .n_impl_order = n_impl_order};
	int rep_col = dataset_col(runs, SCHEMA_REP);
	if (rep_col < 0)
		return errmsg_set(err, errlen, "no column rep (expected the columns of runs.csv)");
	if (rep_col > ID_MAX)
		return errmsg_set(err, errlen, "more than %d columns before rep", ID_MAX);
	for (int i = 0; i < rep_col; i++)
		c.col[c.ncol++] = i;
	for (size_t i = 0; i < schema_npoint; i++) {
		int col = dataset_col(runs, schema_point[i]);
		if (col < 0 || col > rep_col)
			return errmsg_set(
			    err, errlen,
			    "no column %s before rep (expected the columns of runs.csv)",
			    schema_point[i]);
	}
	c.impl_col = dataset_col(runs, "impl");
	int duration_col = dataset_col(runs, "duration_s");
	int status_col = dataset_col(runs, "status");
	if (duration_col < 0 || status_col < 0)
		return errmsg_set(err, errlen, "no column %s (expected the columns of runs.csv)",
				  duration_col < 0 ? "duration_s" : "status");
	if (status_col < rep_col)
		return errmsg_set(err, errlen,
				  "status before rep (expected the columns of runs.csv)");
	if (make_header(&c, status_col, out) || build_rows(&c, duration_col, status_col, out)) {
		dataset_free(out);
		return errmsg_set(err, errlen, "out of memory");
	}
	return 0;
}

/* --- writing ---------------------------------------------------------------------- */

int summary_write_csv(const struct dataset *ds, const char *path, char *err, size_t errlen)
{
	struct atomic_file af;
	if (atomic_open(&af, path, err, errlen))
		return -1;
	csv_write_record(af.f, ds->cols, ds->ncols);
	for (size_t r = 0; r < ds->nrows; r++)
		csv_write_record(af.f, ds->cells + r * ds->ncols, ds->ncols);
	return atomic_commit(&af, err, errlen);
}

int summary_write(const char *runs_path, const char *summary_path, const char *const *impl_order,
		  size_t n_impl_order, char *err, size_t errlen)
{
	struct dataset runs, sum;
	if (dataset_load(runs_path, &runs, err, errlen))
		return -1;
	char why[256];
	int rc = summary_build(&runs, impl_order, n_impl_order, &sum, why, sizeof(why));
	dataset_free(&runs);
	if (rc)
		return errmsg_set(err, errlen, "%s: %s", runs_path, why);
	rc = summary_write_csv(&sum, summary_path, err, errlen);
	dataset_free(&sum);
	return rc;
}
