/* resultsdir — a results folder read back (see resultsdir.h). */
#include "resultsdir.h"
#include "errmsg.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "schema.h"
#include "strategy_info.h"


static const char *row_cell(const struct results_dir *rd, size_t row, const char *column)
{
	return dataset_cell(&rd->summary, row, dataset_col(&rd->summary, column));
}

static int in_base(const struct results_dir *rd, size_t row)
{
	return !strcmp(row_cell(rd, row, "topology"), rd->topology) &&
	       !strcmp(row_cell(rd, row, "layout"), rd->layout) &&
	       !strcmp(row_cell(rd, row, "busy_poll"), rd->busy_poll);
}

static int has_value(const struct results_dir *rd, const char *column, const char *value)
{
	for (size_t r = 0; r < rd->summary.nrows; r++)
		if (!strcmp(row_cell(rd, r, column), value))
			return 1;
	return 0;
}

static void add_impl(struct results_dir *rd, const char *impl)
{
	for (size_t i = 0; i < rd->nimpls; i++)
		if (!strcmp(rd->impls[i], impl))
			return;
	if (rd->nimpls < RESULTS_MAX_IMPLS)
		rd->impls[rd->nimpls++] = impl;
}

/* The base slice: first topology, scattered, busy-poll off, stream (see table.h). */
static void choose_base(struct results_dir *rd)
{
	snprintf(rd->topology, sizeof(rd->topology), "%s", row_cell(rd, 0, "topology"));
	snprintf(rd->layout, sizeof(rd->layout), "%s",
		 has_value(rd, "layout", "scattered") ? "scattered" : row_cell(rd, 0, "layout"));
	snprintf(rd->busy_poll, sizeof(rd->busy_poll), "%s",
		 has_value(rd, "busy_poll", "0") ? "0" : row_cell(rd, 0, "busy_poll"));
	snprintf(rd->mode, sizeof(rd->mode), "%s", "rr");
	for (size_t r = 0; r < rd->summary.nrows; r++)
		if (in_base(rd, r) && !strcmp(row_cell(rd, r, "mode"), "stream"))
			snprintf(rd->mode, sizeof(rd->mode), "%s", "stream");
	for (size_t i = 0; i < strategy_ninfos; i++) /* the strategies' own order first */
		if (has_value(rd, "impl", strategy_infos[i].name))
			add_impl(rd, strategy_infos[i].name);
	for (size_t r = 0; r < rd->summary.nrows; r++)
		add_impl(rd, row_cell(rd, r, "impl"));
	rd->nsizes = results_dir_axis(rd, rd->mode, "msg_size", rd->sizes, RESULTS_MAX_SIZES);
	rd->nthreads = results_dir_axis(rd, rd->mode, "threads", rd->threads, RESULTS_MAX_THREADS);
}

static int check_columns(const struct results_dir *rd, const char *file, char *err, size_t errlen)
{
	for (size_t i = 0; i < schema_npoint; i++)
		if (dataset_col(&rd->summary, schema_point[i]) < 0)
			return errmsg_set(err, errlen,
					  "%s: expected a column '%s' (a copyscope summary)", file,
					  schema_point[i]);
	if (rd->summary.nrows == 0)
		return errmsg_set(err, errlen, "%s: expected at least one point, found none", file);
	return 0;
}

static int load_optional(const struct results_dir *rd, const char *name, char *path, size_t len)
{
	struct stat st;
	snprintf(path, len, "%s/%s", rd->path, name);
	return stat(path, &st) == 0;
}

/*
 * The name written into tables.md and report.md: DIR with every symlink
 * resolved (results/latest moves on with the next sweep), relative to the
 * current folder when below it, else absolute.
 */
static void real_name(const char *dir, char *buf, size_t len)
{
	char real[PATH_MAX], cwd[PATH_MAX];
	size_t n;
	if (!realpath(dir, real)) {
		snprintf(buf, len, "%s", dir);
		return;
	}
	if (getcwd(cwd, sizeof(cwd)) && (n = strlen(cwd)) > 1 && !strncmp(real, cwd, n) &&
	    real[n] == '/')
		snprintf(buf, len, "%s", real + n + 1);
	else
		snprintf(buf, len, "%s", real);
}

int results_dir_load(const char *dir, struct results_dir *rd, char *err, size_t errlen)
{
	struct stat st;
	char path[4200];
	memset(rd, 0, sizeof(*rd));
	if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return errmsg_set(err, errlen,
				  "%s: expected a results folder (copyscope sweep --out DIR)",
				  dir ? dir : "(none)");
	snprintf(rd->path, sizeof(rd->path), "%s", dir);
	real_name(dir, rd->name, sizeof(rd->name));
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	if (stat(path, &st) != 0)
		return errmsg_set(err, errlen, "%s: missing (expected the summary of a sweep)",
				  path);
	if (dataset_load(path, &rd->summary, err, errlen) || check_columns(rd, path, err, errlen))
		goto fail;
	if (load_optional(rd, "runs.csv", path, sizeof(path)) &&
	    dataset_load(path, &rd->runs, err, errlen))
		goto fail;
	if (load_optional(rd, "events.events", path, sizeof(path)) &&
	    eventfile_load(path, &rd->events, err, errlen))
		goto fail;
	snprintf(path, sizeof(path), "%s/env.txt", dir);
	if (env_read_key(path, "hw_pmu", rd->hw_pmu, sizeof(rd->hw_pmu)))
		rd->hw_pmu[0] = '\0';
	if (env_read_key(path, "hw_pmu_reason", rd->hw_pmu_reason, sizeof(rd->hw_pmu_reason)))
		rd->hw_pmu_reason[0] = '\0';
	choose_base(rd);
	return 0;
fail:
	results_dir_free(rd);
	return -1;
}

void results_dir_free(struct results_dir *rd)
{
	dataset_free(&rd->summary);
	dataset_free(&rd->runs);
	eventfile_free(&rd->events);
	memset(rd, 0, sizeof(*rd));
}

long results_dir_row(const struct results_dir *rd, const char *impl, const char *mode, long size,
		     long threads)
{
	for (size_t r = 0; r < rd->summary.nrows; r++) {
		if (!in_base(rd, r) || strcmp(row_cell(rd, r, "impl"), impl) ||
		    strcmp(row_cell(rd, r, "mode"), mode))
			continue;
		if (atol(row_cell(rd, r, "msg_size")) == size &&
		    atol(row_cell(rd, r, "threads")) == threads)
			return (long)r;
	}
	return -1;
}

double results_dir_num(const struct results_dir *rd, long row, const char *column)
{
	if (row < 0)
		return NAN;
	return dataset_num(&rd->summary, (size_t)row, dataset_col(&rd->summary, column));
}

const char *results_dir_cell(const struct results_dir *rd, long row, const char *column)
{
	if (row < 0)
		return "";
	return row_cell(rd, (size_t)row, column);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

size_t results_dir_axis(const struct results_dir *rd, const char *mode, const char *column,
			long *out, size_t max)
{
	size_t n = 0;
	for (size_t r = 0; r < rd->summary.nrows; r++) {
		if (!in_base(rd, r) || strcmp(row_cell(rd, r, "mode"), mode))
			continue;
		long v = atol(row_cell(rd, r, column));
		size_t i = 0;
		while (i < n && out[i] != v)
			i++;
		if (i == n && n < max && v > 0)
			out[n++] = v;
	}
	qsort(out, n, sizeof(*out), cmp_long);
	return n;
}

int results_dir_has_misses(const struct results_dir *rd, const char *side)
{
	char col[128];
	for (size_t e = 0; e < rd->events.n; e++) {
		if (!event_is_cache_level(&rd->events.ev[e]))
			continue;
		snprintf(col, sizeof(col), "%s_%s_per_kb_median", side, rd->events.ev[e].key);
		for (size_t r = 0; r < rd->summary.nrows; r++)
			if (!isnan(results_dir_num(rd, (long)r, col)))
				return 1;
	}
	return 0;
}



const char *results_dir_key(const struct results_dir *rd, const char *event, const char *key)
{
	for (size_t e = 0; e < rd->events.n; e++)
		if (!strncmp(rd->events.ev[e].name, event, strlen(event)))
			return rd->events.ev[e].key;
	return event_set_find(&rd->events, key) ? key : NULL;
}

void results_dir_why_no_misses(const struct results_dir *rd, char *buf, size_t len)
{
	size_t nl = 0;
	for (size_t e = 0; e < rd->events.n; e++)
		nl += event_is_cache_level(&rd->events.ev[e]);
	if (nl == 0)
		snprintf(buf, len, "the event file (events.events) names no cache level");
	else if (!strcmp(rd->hw_pmu, "no") && !strncmp(rd->hw_pmu_reason, "no hardware PMU", 15))
		snprintf(buf, len, "%s", rd->hw_pmu_reason); /* env.txt says it whole */
	else if (!strcmp(rd->hw_pmu, "no"))
		snprintf(buf, len, "no hardware PMU exposed%s%s%s",
			 rd->hw_pmu_reason[0] ? " (" : "", rd->hw_pmu_reason,
			 rd->hw_pmu_reason[0] ? ")" : "");
	else
		snprintf(buf, len,
			 "the cache-level counters were not supported here "
			 "(copyscope events says why)");
}

