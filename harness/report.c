/*
 * report — the Part E report of a results folder (see report.h): the
 * command, the header, the six answers in order, and the closing sections
 * (plausibility of the counts, within-run stability, failed runs).
 *
 * Each question has one writer, in its own file (report_parts.h lists them);
 * they share small readers of the base slice (report_slice.c) and one way of
 * writing numbers (report_text.c).
 * Wording rule: a sentence either quotes numbers of the CSV or says what the
 * strategy does by design; it never claims a cause the data does not show.
 */
#include "report.h"
#include "report_parts.h"
#include "atomicfile.h"
#include "figdata.h"
#include "metrics.h"
#include "placement.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "env.h"

/* ---- the frame ------------------------------------------------------------- */

static void env_value(const struct results_dir *rd, const char *key, char *buf, size_t len)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/env.txt", rd->path);
	if (env_read_key(path, key, buf, len) || !buf[0])
		snprintf(buf, len, "?");
}

/* The value of key in env.txt, "" when absent or empty. */
static const char *env_opt(const struct results_dir *rd, const char *key, char *buf, size_t len)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/env.txt", rd->path);
	if (env_read_key(path, key, buf, len))
		buf[0] = '\0';
	return buf;
}

/*
 * " (Xeon, 16 CPUs, kernel 6.1.0; iface eth1, driver mlx5_core, 25000 Mbit/s)":
 * what env.txt says of one end of the link, its keys named with prefix
 * ("remote_": the far host's description, hostdesc.h; "link_": this host's
 * interface toward it), the machine only with machine; "" when it says none.
 */
static const char *host_text(char *buf, size_t len, const struct results_dir *rd,
			     const char *prefix, int machine)
{
	static const struct {
		const char *key, *format;
		int group; /* 0: the machine, 1: its interface */
	} part[] = {{"cpu_model", "%s", 0},	{"cpus_online", "%s CPUs", 0},
		    {"kernel", "kernel %s", 0}, {"iface", "iface %s", 1},
		    {"driver", "driver %s", 1}, {"speed_mbps", "%s Mbit/s", 1}};
	char key[64], value[1100]; /* env_read_key's longest line */
	size_t used = 0;
	int last = -1;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(part) / sizeof(part[0]) && used < len; i++) {
		snprintf(key, sizeof(key), "%s%s", prefix, part[i].key);
		if ((!machine && part[i].group == 0) || !env_opt(rd, key, value, sizeof(value))[0])
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s",
					 last < 0		 ? " ("
					 : last != part[i].group ? "; "
								 : ", ");
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, part[i].format, value);
		last = part[i].group;
	}
	if (last >= 0 && used < len)
		snprintf(buf + used, len - used, ")");
	return buf;
}

/* Which hosts a remote sweep ran on, from what env.txt has of them: the
 * machine line above is the client's, the harness's own host. */
static void write_hosts(FILE *out, const struct results_dir *rd)
{
	char host[256], hosts[8], near[256], far[4096], link[4096];
	env_opt(rd, "remote_host", host, sizeof(host));
	env_opt(rd, "hosts", hosts, sizeof(hosts));
	if (!is_remote(rd) && !host[0] && strcmp(hosts, "2"))
		return;
	env_opt(rd, "host", near, sizeof(near));
	fprintf(out,
		"- Hosts (topology remote): the server on %s%s%s%s, counted there by "
		"`copyscope agent`; the client on %s%s%sthe machine above, which ran the "
		"sweep%s.\n",
		host[0] ? "**" : "another host (env.txt does not name it)", host,
		host[0] ? "**" : "", host_text(far, sizeof(far), rd, "remote_", 1),
		near[0] ? "**" : "", near, near[0] ? "**, " : "",
		host_text(link, sizeof(link), rd, "link_", 0));
}

static int has_rr(const struct results_dir *rd)
{
	long sizes[RESULTS_MAX_SIZES];
	return results_dir_axis(rd, "rr", "msg_size", sizes, RESULTS_MAX_SIZES) > 0;
}

/* "placement same (measured: same in 96 of 96 runs), ": the slice's placement
 * and what its ok runs measured; "" for a folder without placement. */
static void placement_text(const struct results_dir *rd, char *buf, size_t len)
{
	const char *value[8];
	size_t count[8], runs = 0, used;
	buf[0] = '\0';
	if (!rd->placement[0])
		return;
	size_t n = results_dir_placed(rd, value, count, 8, &runs);
	used = (size_t)snprintf(buf, len, "placement %s (measured: ", rd->placement);
	if (n == 0)
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "not recorded");
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used,
					 i == 0 ? "%s in %zu of %zu runs" : ", %s in %zu", value[i],
					 count[i], runs);
	if (used < len)
		snprintf(buf + used, len - used, "), ");
}

static void write_header(FILE *out, const struct results_dir *rd)
{
	char cpu[256], cpus[32], kernel[128], date[64], a[32], b[32];
	double runs = 0, failed = 0;
	env_value(rd, "cpu_model", cpu, sizeof(cpu));
	env_value(rd, "cpus", cpus, sizeof(cpus));
	env_value(rd, "kernel", kernel, sizeof(kernel));
	env_value(rd, "date", date, sizeof(date));
	for (size_t r = 0; r < rd->summary.nrows; r++) {
		double n = results_dir_num(rd, (long)r, "runs"),
		       f = results_dir_num(rd, (long)r, "failed");
		runs += isnan(n) ? 0 : n;
		failed += isnan(f) ? 0 : f;
	}
	fprintf(out, "# copyscope report: the Part E questions, answered from `%s`\n\n", rd->name);
	fprintf(out,
		"- Machine: %s, %s CPUs, kernel %s; hardware counters: %s%s%s%s; measured "
		"%s.\n",
		cpu, cpus, kernel, rd->hw_pmu[0] ? rd->hw_pmu : "unknown",
		rd->hw_pmu_reason[0] ? " (" : "", rd->hw_pmu_reason,
		rd->hw_pmu_reason[0] ? ")" : "", date);
	write_hosts(out, rd);
	char placement[512];
	placement_text(rd, placement, sizeof(placement));
	fprintf(out,
		"- Sweep: %zu points, %.0f runs, %.0f failed. Shown: topology %s, %slayout %s, "
		"busy-poll %s, %s mode%s, sizes %s–%s, threads",
		rd->summary.nrows, runs, failed, rd->topology, placement, rd->layout,
		strcmp(rd->busy_poll, "1") ? "off" : "on", rd->mode,
		strcmp(rd->mode, "rr") && has_rr(rd) ? " (latency: rr mode)" : "",
		rd->nsizes ? sz(a, (double)rd->sizes[0]) : "-",
		rd->nsizes ? sz(b, (double)rd->sizes[rd->nsizes - 1]) : "-");
	for (size_t t = 0; t < rd->nthreads; t++)
		fprintf(out, "%s %ld", t ? "," : "", rd->threads[t]);
	fprintf(out, "; strategies:");
	for (size_t i = 0; i < rd->nimpls; i++)
		fprintf(out, "%s %s", i ? "," : "", rd->impls[i]);
	fprintf(out, ".\n- Every number below is a cell of summary.csv (medians unless said), a "
		     "ratio of two, or a crossover interpolated between two. ");
	if (results_dir_has_intervals(rd))
		fprintf(out,
			"[lo, hi] after a ratio or a change is its 95%% interval, from the "
			"repetitions in runs.csv (bootstrap; docs/confidence.md). A difference "
			"is called significant when its interval leaves out no change (a ratio "
			"of 1) and it is %.0f%% or more (smaller ones did not hold from one "
			"sweep to the next here); otherwise the report says \"no significant "
			"difference\". ",
			(STATS_MIN_EFFECT - 1) * 100);
	else
		fprintf(out,
			"Intervals are unavailable: %s, so ratios come without them and no "
			"difference is called significant. ",
			rd->runs.nrows ? "no point has two ok repetitions in runs.csv"
				       : "this folder has no runs.csv (the repetitions' own "
					 "numbers)");
	fprintf(out, "Cache counts that are physically implausible are left out of every "
		     "answer ([plausibility](#plausibility-of-the-counts)).\n- Figures: ");
	for (size_t i = 0; i < FIG_COUNT; i++)
		fprintf(out, "%s[%s](figures/%s.png)", i ? ", " : "", figure_table[i].label,
			figure_table[i].name);
	fprintf(out, "; tables: [tables.md](tables.md).\n\n");
}

/* ---- plausibility of the counts (docs/counting.md) -------------------------- */

struct plausibility_tally {
	size_t checked, floored, found;
};

/* One line per implausible count of side's ev for impl (at most the first
 * MAX_LIST * 2 of the report), counted into tally. */
static void list_implausible(FILE *out, const struct results_dir *rd, size_t k,
			     const struct event_spec *ev, const char *impl,
			     struct plausibility_tally *tally)
{
	static const char *const side[] = {"srv", "cli"}, *const name[] = {"server", "client"};
	char a[32];
	for (size_t t = 0; t < rd->nthreads; t++)
		for (size_t s = 0; s < rd->nsizes; s++) {
			long size = rd->sizes[s], th = rd->threads[t];
			struct count_check ck;
			results_dir_check_count(rd, results_dir_row(rd, impl, rd->mode, size, th),
						side[k], ev, &ck);
			tally->checked += !isnan(ck.per_kb);
			tally->floored += !isnan(ck.per_kb) && !isnan(ck.floor);
			if (ck.doubt == COUNT_PLAUSIBLE || tally->found++ >= MAX_LIST * 2)
				continue;
			fprintf(out, "- %s %s (%s), %s, %s, %ld %s: %.4g per KiB, ", name[k],
				ev->level, ev->key, impl, sz(a, (double)size), th, threads_word(th),
				ck.per_kb);
			if (ck.doubt == COUNT_BELOW_FLOOR)
				fprintf(out, "below the floor of %.3g.\n", ck.floor);
			else
				fprintf(out, "counted for %.0f%% of a run's window.\n",
					ck.running * 100);
		}
}

static void write_plausibility(FILE *out, const struct results_dir *rd)
{
	fprintf(out, "## Plausibility of the counts\n\n");
	if (!results_dir_has_misses(rd, "srv") && !results_dir_has_misses(rd, "cli")) {
		fprintf(out, "Not checked: cache misses were not measured.\n\n");
		return;
	}
	fprintf(out,
		"Each side's cache misses per KiB were checked against what the hardware "
		"allows (docs/counting.md): a side that ran on other cores than its peer in "
		"every run of a point (cpu_overlap at most %.1f, SMT siblings counting as one "
		"core) loads every byte it received from lines the other core wrote, so it "
		"misses L1 at least once per %d-byte "
		"line, %.0f times per KiB received; and a counter on the PMU for under %.0f%% "
		"of a run's window gives a scaled guess. A count that fails is implausible (the "
		"wrong event, process or window was counted) and is left out of every answer "
		"above:\n\n",
		PLACEMENT_SPREAD_MAX, METRIC_LINE_BYTES, 1024.0 / METRIC_LINE_BYTES,
		METRIC_RUNNING_MIN * 100);
	struct plausibility_tally tally = {0, 0, 0};
	for (size_t k = 0; k < 2; k++)
		for (size_t e = 0; e < rd->events.n; e++)
			for (size_t i = 0; i < rd->nimpls; i++)
				if (event_is_cache_level(&rd->events.ev[e]))
					list_implausible(out, rd, k, &rd->events.ev[e],
							 rd->impls[i], &tally);
	if (tally.found > MAX_LIST * 2)
		fprintf(out,
			"- … and %zu more (`copyscope table --side srv|cli` marks them all).\n",
			tally.found - MAX_LIST * 2);
	if (!tally.found)
		fprintf(out, "- None: all %zu counts are plausible.\n", tally.checked);
	fprintf(out, "\nThe L1 floor applied to %zu of the %zu counts", tally.floored,
		tally.checked);
	if (dataset_col(&rd->summary, "cpu_overlap_max") < 0)
		fprintf(out, ": this folder has no cpu_overlap column (results from before "
			     "copyscope measured where the two sides ran), so no floor could be "
			     "checked");
	fprintf(out, ".\n\n");
}

/* Runs whose throughput stepped between two modes within their window
 * (interval_step, workloads/intervals.h): counted, and the first listed. */
static void write_stability(FILE *out, const struct results_dir *rd)
{
	const struct dataset *runs = &rd->runs;
	int step = dataset_col(runs, "interval_step"), st = dataset_col(runs, "status");
	int ratio = dataset_col(runs, "interval_step_ratio");
	fprintf(out, "## Within-run stability\n\n");
	if (step < 0 || st < 0) {
		fprintf(out, "Not measured: this folder's runs.csv has no interval_step column "
			     "(results from before the client recorded its window interval by "
			     "interval).\n\n");
		return;
	}
	size_t judged = 0, found = 0;
	for (size_t r = 0; r < runs->nrows; r++) {
		if (strcmp(dataset_cell(runs, r, st), "ok") || !*dataset_cell(runs, r, step))
			continue;
		judged++;
		if (dataset_num(runs, r, step) != 1)
			continue;
		if (found++ < MAX_LIST * 2)
			fprintf(out,
				"- %s, %s mode, %s B, %s threads, rep %s: the later mode ran at "
				"%s× the earlier\n",
				dataset_cell(runs, r, dataset_col(runs, "impl")),
				dataset_cell(runs, r, dataset_col(runs, "mode")),
				dataset_cell(runs, r, dataset_col(runs, "msg_size")),
				dataset_cell(runs, r, dataset_col(runs, "threads")),
				dataset_cell(runs, r, dataset_col(runs, "rep")),
				ratio >= 0 && *dataset_cell(runs, r, ratio)
				    ? dataset_cell(runs, r, ratio)
				    : "?");
	}
	if (found > MAX_LIST * 2)
		fprintf(out, "- … and %zu more (runs.csv's interval_step column has them all).\n",
			found - MAX_LIST * 2);
	if (!judged) {
		fprintf(out, "Not judged: no ok run had a window of 6 intervals or more (0.6 s at "
			     "the client's 100 ms), which a step between two modes needs "
			     "(docs/workloads.md).\n\n");
		return;
	}
	fprintf(out,
		"%s%zu of the %zu ok runs long enough to judge (6 intervals of the window or "
		"more) stepped between two throughput modes within their window "
		"(`interval_step` = 1: one split of the 100 ms intervals explains most of their "
		"variance, and the two means differ by more than 20%%; docs/workloads.md). Such "
		"a run measured two machines, one after the other%s.\n\n",
		found ? "\n" : "", found, judged,
		found ? "; raw/*.intervals.csv has each run's series" : "");
}

static void write_failures(FILE *out, const struct results_dir *rd)
{
	const struct dataset *runs = &rd->runs;
	int st = dataset_col(runs, "status");
	size_t found = 0;
	fprintf(out, "## Failed runs\n\n");
	for (size_t r = 0; st >= 0 && r < runs->nrows; r++) {
		const char *status = dataset_cell(runs, r, st);
		if (!strcmp(status, "ok"))
			continue;
		if (found++ < MAX_LIST * 2)
			fprintf(out, "- %s, %s mode, %s B, %s threads, rep %s: `%s`\n",
				dataset_cell(runs, r, dataset_col(runs, "impl")),
				dataset_cell(runs, r, dataset_col(runs, "mode")),
				dataset_cell(runs, r, dataset_col(runs, "msg_size")),
				dataset_cell(runs, r, dataset_col(runs, "threads")),
				dataset_cell(runs, r, dataset_col(runs, "rep")), status);
	}
	if (found > MAX_LIST * 2)
		fprintf(out, "- … and %zu more (runs.csv has them all).\n", found - MAX_LIST * 2);
	if (st < 0)
		fprintf(out, "runs.csv is missing: the failed runs are counted in summary.csv's "
			     "`failed` column only.\n");
	else if (!found)
		fprintf(out, "None: every run finished.\n");
	fprintf(out, "\nFailed runs are left out of every median, minimum and maximum above.\n");
}

void report_write(FILE *out, const struct results_dir *rd)
{
	write_header(out, rd);
	write_q1(out, rd);
	write_q2(out, rd);
	write_q3(out, rd);
	write_q4(out, rd);
	write_q5(out, rd);
	write_q6(out, rd);
	write_plausibility(out, rd);
	write_stability(out, rd);
	write_failures(out, rd);
}

/* ---- the command ------------------------------------------------------------ */

int cmd_report(int argc, char **argv)
{
	struct results_dir rd;
	char err[1024], path[4200];
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: copyscope report DIR\nWrites DIR/report.md: the Part E questions "
		       "answered from DIR/summary.csv.\n");
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		/* name the argument that is wrong: an option, or one folder too many */
		const char *bad = argc < 2 ? NULL : argv[1][0] == '-' ? argv[1] : argv[2];
		fprintf(stderr, "copyscope: report: %s%sexpected one results folder (DIR)\n",
			bad ? bad : "", bad ? ": " : "");
		return 2;
	}
	if (results_dir_load(argv[1], &rd, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s\n", err);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/report.md", rd.path);
	struct atomic_file af;
	if (atomic_open(&af, path, err, sizeof(err))) {
		/* an unwritable results folder is bad input: nothing was written */
		fprintf(stderr, "copyscope: cannot write %s (expected a writable results folder)\n",
			err);
		results_dir_free(&rd);
		return 2;
	}
	report_write(af.f, &rd);
	if (atomic_commit(&af, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s\n", err);
		results_dir_free(&rd);
		return 1;
	}
	printf("copyscope: report in %s\n", path);
	results_dir_free(&rd);
	return 0;
}
