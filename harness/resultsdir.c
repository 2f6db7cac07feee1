/* resultsdir — a results folder read back (see resultsdir.h). */
#include "resultsdir.h"
#include "errmsg.h"

#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "schema.h"
#include "strategy_info.h"


static const char *row_cell(const struct results_dir *rd, size_t row, const char *column)
{
	return dataset_cell(&rd->summary, row, dataset_col(&rd->summary, column));
}

/* A summary row without a placement column has placement "", as the slice. */
static int in_base(const struct results_dir *rd, size_t row)
{
	return !strcmp(row_cell(rd, row, "topology"), rd->topology) &&
	       !strcmp(row_cell(rd, row, "layout"), rd->layout) &&
	       !strcmp(row_cell(rd, row, "busy_poll"), rd->busy_poll) &&
	       !strcmp(row_cell(rd, row, "placement"), rd->placement);
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

/* inih handler: the value of the sweep file's placement key. */
static int placement_key(void *user, const char *section, const char *name, const char *value)
{
	(void)section;
	if (!strcmp(name, "placement"))
		snprintf(user, 256, "%s", value);
	return 1;
}

/*
 * The sweep's first placement (see resultsdir.h): the first word of
 * sweep.ini's placement list that summary.csv holds (a '#' ends the list),
 * else the first in runs.csv, else summary.csv's first row's.
 */
static void choose_placement(struct results_dir *rd)
{
	char path[4200], list[256] = "", *save = NULL;
	if (dataset_col(&rd->summary, "placement") < 0)
		return;
	snprintf(path, sizeof(path), "%s/sweep.ini", rd->path);
	if (ini_parse(path, placement_key, list) >= 0)
		for (char *w = strtok_r(list, " \t,", &save); w && w[0] != '#';
		     w = strtok_r(NULL, " \t,", &save))
			if (has_value(rd, "placement", w)) {
				snprintf(rd->placement, sizeof(rd->placement), "%s", w);
				return;
			}
	int col = dataset_col(&rd->runs, "placement");
	for (size_t r = 0; col >= 0 && r < rd->runs.nrows; r++) {
		const char *p = dataset_cell(&rd->runs, r, col);
		if (has_value(rd, "placement", p)) {
			snprintf(rd->placement, sizeof(rd->placement), "%s", p);
			return;
		}
	}
	snprintf(rd->placement, sizeof(rd->placement), "%s", row_cell(rd, 0, "placement"));
}

/* The base slice: first topology, scattered, busy-poll off, first placement, stream. */
static void choose_base(struct results_dir *rd)
{
	choose_placement(rd);
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

/* rd->core_of from env.txt's "smt_siblings=0,4 1,5 2 3": a core's CPUs,
 * comma-separated, cores space-separated; each CPU's core is its first CPU. */
static void read_cores(struct results_dir *rd, const char *env)
{
	char *groups = malloc(1 << 16), *save = NULL;
	for (size_t i = 0; i < RESULTS_MAX_CPUS; i++)
		rd->core_of[i] = -1;
	if (!groups || env_read_key(env, "smt_siblings", groups, 1 << 16)) {
		free(groups);
		return;
	}
	for (char *g = strtok_r(groups, " ", &save); g; g = strtok_r(NULL, " ", &save)) {
		long first = strtol(g, NULL, 10);
		for (char *p = g; *p;) {
			char *end;
			long cpu = strtol(p, &end, 10);
			if (end == p)
				break;
			if (cpu >= 0 && cpu < RESULTS_MAX_CPUS)
				rd->core_of[cpu] = (int)first;
			p = *end == ',' ? end + 1 : end;
		}
	}
	free(groups);
}

/*
 * rd->run_point: each ok run's summary row, the row whose every column
 * before runs.csv's `rep` holds the same cell (summary.csv copies them as
 * runs.csv has them). A run that is not ok, or of no row, gets -1.
 */
static int link_runs(struct results_dir *rd, char *err, size_t errlen)
{
	const struct dataset *runs = &rd->runs;
	int rep = dataset_col(runs, "rep"), status = dataset_col(runs, "status");
	if (runs->nrows == 0)
		return 0;
	rd->run_point = malloc(runs->nrows * sizeof(*rd->run_point));
	if (!rd->run_point)
		return errmsg_set(err, errlen, "%s/runs.csv: out of memory", rd->path);
	int scol[64];
	size_t nid = rep > 0 && rep <= 64 ? (size_t)rep : 0;
	for (size_t c = 0; c < nid; c++)
		scol[c] = dataset_col(&rd->summary, runs->cols[c]);
	size_t hint = 0; /* runs of one point sit together, as summary rows often do */
	for (size_t r = 0; r < runs->nrows; r++) {
		rd->run_point[r] = -1;
		if (nid == 0 || status < 0 || strcmp(dataset_cell(runs, r, status), "ok"))
			continue;
		for (size_t k = 0; k < rd->summary.nrows; k++) {
			size_t p = (hint + k) % rd->summary.nrows, c = 0;
			while (c < nid && scol[c] >= 0 &&
			       !strcmp(dataset_cell(&rd->summary, p, scol[c]),
				       dataset_cell(runs, r, (int)c)))
				c++;
			if (c == nid) {
				rd->run_point[r] = (long)p;
				hint = p;
				break;
			}
		}
	}
	/* intervals: some point with two ok runs */
	unsigned char *seen = calloc(rd->summary.nrows + 1, 1);
	if (!seen)
		return errmsg_set(err, errlen, "%s/runs.csv: out of memory", rd->path);
	for (size_t r = 0; r < runs->nrows && !rd->intervals; r++)
		if (rd->run_point[r] >= 0)
			rd->intervals = seen[rd->run_point[r]]++ > 0;
	free(seen);
	return 0;
}

/* rd->cats: the <c> of every SIDE_cat_<c>_pct_median column, first seen first. */
static void find_categories(struct results_dir *rd)
{
	static const char suffix[] = "_pct_median";
	const size_t np = strlen("srv_cat_"), ns = sizeof(suffix) - 1;
	for (size_t c = 0; c < rd->summary.ncols; c++) {
		const char *col = rd->summary.cols[c];
		size_t len = strlen(col);
		if (len <= np + ns ||
		    (strncmp(col, "srv_cat_", np) && strncmp(col, "cli_cat_", np)) ||
		    strcmp(col + len - ns, suffix) || len - np - ns > CATEGORY_NAME_MAX)
			continue;
		int n = (int)(len - np - ns);
		size_t i = 0;
		while (i < rd->ncats && (strlen(rd->cats[i]) != (size_t)n ||
					 strncmp(rd->cats[i], col + np, (size_t)n)))
			i++;
		if (i == rd->ncats && rd->ncats < CATEGORY_MAX)
			snprintf(rd->cats[rd->ncats++], sizeof(rd->cats[0]), "%.*s", n, col + np);
	}
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
	read_cores(rd, path);
	if (env_read_key(path, "hw_pmu", rd->hw_pmu, sizeof(rd->hw_pmu)))
		rd->hw_pmu[0] = '\0';
	if (env_read_key(path, "hw_pmu_reason", rd->hw_pmu_reason, sizeof(rd->hw_pmu_reason)))
		rd->hw_pmu_reason[0] = '\0';
	if (link_runs(rd, err, errlen))
		goto fail;
	choose_base(rd);
	find_categories(rd);
	return 0;
fail:
	results_dir_free(rd);
	return -1;
}

void results_dir_free(struct results_dir *rd)
{
	free(rd->run_point);
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

/* ---- sampling ------------------------------------------------------------------ */

int results_dir_sampled(const struct results_dir *rd, const char *side)
{
	char col[CATEGORY_NAME_MAX + 32];
	for (size_t c = 0; c < rd->ncats; c++) {
		snprintf(col, sizeof(col), "%s_cat_%s_pct_median", side, rd->cats[c]);
		for (size_t r = 0; r < rd->summary.nrows; r++)
			if (in_base(rd, r) && !isnan(results_dir_num(rd, (long)r, col)))
				return 1;
	}
	return 0;
}

const char *results_dir_category_label(const char *cat)
{
	/* perfcfg/categories/default.cat's, in its order */
	static const char *const label[][2] = {
	    {"user_copy", "user copy"},
	    {"kernel_copy", "kernel copy"},
	    {"pinning", "page pinning"},
	    {"zc_completion", "zero-copy completions"},
	    {"locks", "locks"},
	    {"netdev_softirq", "loopback/netdev/softirq"},
	    {"tcp_ip", "TCP/IP"},
	    {"skb_mm", "skb and memory"},
	    {"sched", "scheduling and wake-ups"},
	    {"syscall", "syscall entry/exit"},
	    {"other", "other"},
	};
	for (size_t i = 0; i < sizeof(label) / sizeof(label[0]); i++)
		if (!strcmp(label[i][0], cat))
			return label[i][1];
	return cat;
}

/* ---- the repetitions ------------------------------------------------------ */

int results_dir_has_intervals(const struct results_dir *rd)
{
	return rd->intervals;
}

size_t results_dir_run_values(const struct results_dir *rd, long row, const char *column,
			      double *out, size_t max)
{
	int col = dataset_col(&rd->runs, column);
	size_t n = 0;
	if (row < 0 || col < 0 || !rd->run_point)
		return 0;
	for (size_t r = 0; r < rd->runs.nrows && n < max; r++) {
		double v = rd->run_point[r] == row ? dataset_num(&rd->runs, r, col) : NAN;
		if (!isnan(v))
			out[n++] = v;
	}
	return n;
}

size_t results_dir_run_ratios(const struct results_dir *rd, long row, const char *num,
			      const char *den, double *out, size_t max)
{
	int cn = dataset_col(&rd->runs, num), cd = dataset_col(&rd->runs, den);
	size_t n = 0;
	if (row < 0 || cn < 0 || cd < 0 || !rd->run_point)
		return 0;
	for (size_t r = 0; r < rd->runs.nrows && n < max; r++) {
		if (rd->run_point[r] != row)
			continue;
		double v =
		    metric_ratio(dataset_num(&rd->runs, r, cn), dataset_num(&rd->runs, r, cd));
		if (!isnan(v))
			out[n++] = v;
	}
	return n;
}

static double summary_stat(const struct results_dir *rd, long row, const char *column,
			   const char *stat)
{
	char col[192];
	snprintf(col, sizeof(col), "%s_%s", column, stat);
	return results_dir_num(rd, row, col);
}

void results_dir_median_ci(const struct results_dir *rd, long row, const char *column,
			   struct interval *iv)
{
	double v[RESULTS_MAX_REPS];
	size_t n = results_dir_run_values(rd, row, column, v, RESULTS_MAX_REPS);
	double est = summary_stat(rd, row, column, "median");
	*iv = (struct interval){est, NAN, NAN};
	if (isnan(est))
		return;
	if (n >= 2 && stats_median_ci(v, n, iv) == 0) {
		iv->est = est; /* the cell shown; the runs' median is the same number */
		iv->lo = fmin(iv->lo, est);
		iv->hi = fmax(iv->hi, est);
		return;
	}
	*iv = (struct interval){est, summary_stat(rd, row, column, "ci_lo"),
				summary_stat(rd, row, column, "ci_hi")};
	if (isnan(iv->lo) || isnan(iv->hi))
		iv->lo = iv->hi = NAN;
}

void results_dir_ratio_ci(const struct results_dir *rd, long den, long num, const char *column,
			  struct interval *iv)
{
	double a[RESULTS_MAX_REPS], b[RESULTS_MAX_REPS];
	size_t na = results_dir_run_values(rd, den, column, a, RESULTS_MAX_REPS);
	size_t nb = results_dir_run_values(rd, num, column, b, RESULTS_MAX_REPS);
	double est = metric_ratio(summary_stat(rd, num, column, "median"),
				  summary_stat(rd, den, column, "median"));
	if (na >= 2 && nb >= 2 && stats_ratio_ci(a, na, b, nb, iv) == 0 && !isnan(iv->est))
		return;
	*iv = (struct interval){est, NAN, NAN};
}

size_t results_dir_placed(const struct results_dir *rd, const char **value, size_t *count,
			  size_t max, size_t *runs)
{
	int col = dataset_col(&rd->runs, "placed");
	size_t n = 0;
	*runs = 0;
	for (size_t r = 0; col >= 0 && rd->run_point && r < rd->runs.nrows; r++) {
		const char *p = dataset_cell(&rd->runs, r, col);
		if (rd->run_point[r] < 0 || !in_base(rd, (size_t)rd->run_point[r]) || !p[0])
			continue;
		(*runs)++;
		size_t i = 0;
		while (i < n && strcmp(value[i], p))
			i++;
		if (i == n && n < max) {
			value[n] = p;
			count[n++] = 0;
		}
		if (i < n)
			count[i]++;
	}
	return n;
}

/* ---- plausibility ----------------------------------------------------------- */

/*
 * How far apart the two sides ran at row: the largest over its ok runs of
 * the share of their time on cores both used (srv_cpus, cli_cpus and
 * env.txt's SMT siblings), at least summary.csv's cpu_overlap_max; without
 * the per-CPU columns, cpu_overlap_max alone. NAN when a run lacks them.
 */
static double overlap_max(const struct results_dir *rd, long row)
{
	double cpu = results_dir_num(rd, row, "cpu_overlap_max");
	int cs = dataset_col(&rd->runs, "srv_cpus"), cc = dataset_col(&rd->runs, "cli_cpus");
	if (cs < 0 || cc < 0 || !rd->run_point || isnan(cpu))
		return cpu;
	double worst = cpu;
	for (size_t r = 0; r < rd->runs.nrows; r++) {
		if (rd->run_point[r] != row)
			continue;
		double core = metric_core_overlap(dataset_cell(&rd->runs, r, cs),
						  dataset_cell(&rd->runs, r, cc), rd->core_of,
						  RESULTS_MAX_CPUS);
		if (isnan(core))
			return NAN;
		worst = fmax(worst, core);
	}
	return worst;
}

void results_dir_check_count(const struct results_dir *rd, long row, const char *side,
			     const struct event_spec *ev, struct count_check *out)
{
	char col[160];
	snprintf(col, sizeof(col), "%s_%s_per_kb_median", side, ev->key);
	out->per_kb = results_dir_num(rd, row, col);
	snprintf(col, sizeof(col), "%s_%s_running_min", side, ev->key);
	out->running = results_dir_num(rd, row, col);
	out->floor = NAN;
	if (!strcasecmp(ev->level, "L1"))
		out->floor = metric_l1_floor_per_kb(results_dir_cell(rd, row, "mode"), side,
						    results_dir_num(rd, row, "bytes_median"),
						    results_dir_num(rd, row, "msgs_median"),
						    overlap_max(rd, row));
	out->doubt = metric_count_doubt(out->per_kb, out->floor, out->running);
}

const char *results_dir_doubt_why(enum count_doubt doubt)
{
	switch (doubt) {
	case COUNT_BELOW_FLOOR:
		return "below the floor of one L1 miss per 64-byte line received (16 per KiB) "
		       "that a side on other cores than its peer cannot go under: the wrong event, "
		       "process or window was counted";
	case COUNT_RUNNING_LOW:
		return "its counter was on the PMU for under 5% of a run's window: the count is "
		       "a scaled guess";
	case COUNT_PLAUSIBLE:
		break;
	}
	return "";
}
