/*
 * The Part E report (report.h) over the fixture results folders: the
 * crossovers the fixture was built with (make-fixtures.sh), its anomalies,
 * and what it says when cache misses were not measured.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "report.h"

static char *report_of(const char *dir)
{
	struct results_dir rd;
	char err[1024], *text = NULL;
	size_t len = 0;
	cr_assert_eq(results_dir_load(dir, &rd, err, sizeof(err)), 0, "%s", err);
	FILE *out = open_memstream(&text, &len);
	report_write(out, &rd);
	fclose(out);
	results_dir_free(&rd);
	return text;
}

#define assert_has(text, s) cr_assert_not_null(strstr(text, s), "missing: %s", s)

/*
 * A results folder in a new temporary folder dir (char[64]): the fixture's
 * events.events and env.txt as they are, and of its summary.csv the rows whose
 * threads column is threads.
 */
static void fixture_with_threads(const char *fixture, const char *threads, char *dir)
{
	static const char *const copied[] = {"events.events", "env.txt"};
	char from[256], to[256], *line = NULL;
	size_t cap = 0;
	int col = -1;
	snprintf(dir, 64, "/tmp/copyscope-report-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	for (size_t i = 0; i < 2; i++) {
		snprintf(from, sizeof(from), "%s/%s", fixture, copied[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, copied[i]);
		FILE *in = fopen(from, "r"), *out = fopen(to, "w");
		cr_assert(in && out, "%s", from);
		while (getline(&line, &cap, in) > 0)
			fputs(line, out);
		fclose(in);
		fclose(out);
	}
	snprintf(from, sizeof(from), "%s/summary.csv", fixture);
	snprintf(to, sizeof(to), "%s/summary.csv", dir);
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	cr_assert(in && out, "%s", from);
	for (int row = 0; getline(&line, &cap, in) > 0; row++) {
		char *copy = strdup(line), *rest = copy, *field;
		int keep = row == 0;
		for (int c = 0; (field = strsep(&rest, ",\n")); c++) {
			if (row == 0 && !strcmp(field, "threads"))
				col = c;
			if (row > 0 && c == col)
				keep = !strcmp(field, threads);
		}
		free(copy);
		if (keep)
			fputs(line, out);
	}
	cr_assert_geq(col, 0, "%s has no threads column", from);
	free(line);
	fclose(in);
	fclose(out);
}

static void remove_fixture(const char *dir)
{
	static const char *const files[] = {"events.events", "env.txt", "summary.csv"};
	char path[256];
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

Test(report, crossing_is_interpolated_on_the_log2_size_axis)
{
	long sizes[] = {2048, 4096, 8192};
	double ratio[] = {0.9, 1.1, 1.3};
	struct crossing cr[4];
	cr_assert_eq(metric_crossings(sizes, ratio, 3, cr, 4), 1);
	cr_assert(cr[0].upward);
	cr_assert_eq(cr[0].before, 0);
	cr_assert_float_eq(cr[0].size, exp2(11.5), 1e-6); /* 2896.3 B, not the linear 3072 */
}

Test(report, crossings_skip_unmeasured_points_and_see_falling_back)
{
	long sizes[] = {256, 512, 1024, 2048};
	double ratio[] = {0.5, NAN, 1.5, 0.5};
	struct crossing cr[4];
	cr_assert_eq(metric_crossings(sizes, ratio, 4, cr, 4), 2);
	cr_assert_float_eq(cr[0].size, 512, 1e-6); /* halfway between 256 and 1024 on log2 */
	cr_assert_eq(cr[1].upward, 0);
	cr_assert_float_eq(cr[1].size, exp2(10.5), 1e-6);
}

Test(report, names_one_copy_crossovers_per_thread_count)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "one-copy overtakes two-copy at **≈ 2896 B**");
	assert_has(text, "one-copy overtakes two-copy at **≈ 4871 B**");
	assert_has(text, "one-copy is ahead at every measured size, 256 B–64 KiB");
	free(text);
}

Test(report, names_zero_copy_crossovers_for_both_zero_copy_strategies)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "zero-copy overtakes two-copy at **≈ 23170 B**");
	assert_has(text, "zero-copy overtakes two-copy at **≈ 13777 B**");
	assert_has(text, "not within 256 B–64 KiB: zero-copy");
	assert_has(text, "uring-zc overtakes two-copy at **≈ 11585 B**");
	assert_has(text, "uring-zc overtakes two-copy at **≈ 19484 B**");
	free(text);
}

Test(report, names_the_throughput_dip_once)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "**two-copy, 4 threads: throughput dips at 8 KiB** to 28.73 Gbit/s");
	cr_assert_null(strstr(text, "peaks at 4 KiB"),
		       "the dip's neighbour is not a second anomaly");
	free(text);
}

Test(report, names_high_variation_and_the_failed_run)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "High variation: zero-copy, stream mode, 64 KiB, 4 threads, "
			 "throughput_gbps: cv 15.0%");
	assert_has(text, "one-copy, stream mode, 1024 B, 2 threads, rep 2: `failed:server_exit_1`");
	free(text);
}

Test(report, names_the_smaller_segments_zero_copy_sends)
{
	/* fixture: zero-copy's segments hold 4 messages at 256 B, two-copy's 4096 + 2 x 256 B */
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "- Smaller segments: zero-copy, 1 thread, 256 B: 1024 B per data segment "
			 "against two-copy's 4608 B (4.5× smaller)");
	cr_assert_null(strstr(text, "Smaller segments: zero-copy, 1 thread, 512 B"),
		       "2.5× smaller is no anomaly");
	cr_assert_null(strstr(text, "Smaller segments: uring-zc"));
	free(text);
}

Test(report, cites_the_copied_fallback_rate_of_each_zero_copy_strategy)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "**zero-copy**: the kernel reported 100.0%–100.0% of its completions as "
			 "copied");
	assert_has(text, "**uring-zc**: the kernel reported 100.0%–100.0%");
	assert_has(text, "(**loopback**: 127.0.0.1)");
	free(text);
}

Test(report, answers_which_cache_level_from_the_misses)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "| 256 B | L1 | 40.0% fewer | 25.0% fewer |");
	assert_has(text,
		   "**LLC** (llc_misses) shows the most reduction: the largest at 7 of 9 sizes "
		   "(1 KiB–64 KiB)");
	free(text);
}

Test(report, without_pmu_says_misses_were_not_measured_and_shows_cpu_time)
{
	char *text = report_of("tests/fixtures/nopmu");
	assert_has(text, "Cache misses were **not measured** on this machine: no hardware PMU "
			 "exposed");
	assert_has(text, "| 256 B | 3.92 → 7.84 | +100.0% | 20% → 20% |");
	assert_has(text, "More misses yet faster: not checked");
	assert_has(text, "one-copy overtakes two-copy at **≈ 2896 B**");
	free(text);
}

Test(report, cites_what_zero_copy_costs_each_side_per_byte)
{
	char *text = report_of("tests/fixtures/nopmu");
	/* one connection thread a side: the server near 98% of a CPU, the client below */
	assert_has(text, "CPU per byte at 64 KiB, 1 thread (medians): server zero-copy 0.232 ns, "
			 "two-copy 0.3015 ns (-23%), using 98% and 98% of a CPU; client zero-copy "
			 "0.1562 ns, two-copy 0.2277 ns (-31%), using 66% and 74% of a CPU");
	free(text);
}

Test(report, backs_the_one_copy_crossover_with_each_sides_cost)
{
	char *text = report_of("tests/fixtures/nopmu");
	const char *q4 = strstr(text, "## 4.");
	cr_assert_not_null(q4);
	const char *q5 = strstr(q4, "## 5.");
	cr_assert_not_null(q5);
	const char *line = strstr(q4, "server one-copy 0.1885 ns, two-copy 0.3015 ns (-37%), using "
				      "98% and 98% of a CPU");
	cr_expect(line && line < q5, "question 4 lacks the sides' cost:\n%s", text);
	free(text);
}

Test(report, with_one_thread_count_says_there_is_nothing_to_compare)
{
	char dir[64];
	fixture_with_threads("tests/fixtures/nopmu", "1", dir);
	char *text = report_of(dir);
	const char *q3 = strstr(text, "## 3.");
	cr_assert_not_null(q3);
	const char *q4 = strstr(q3, "## 4.");
	cr_assert_not_null(q4);
	assert_has(q3, "Not answered: only one thread count was measured (1 thread, stream "
		       "mode), so there is nothing to compare.");
	/* no collapse claim, and no "best" column that could only say 1 */
	const char *claim = strstr(q3, "No collapse");
	cr_expect(!claim || claim > q4, "question 3 claims no collapse:\n%s", text);
	const char *best = strstr(q3, "best");
	cr_expect(!best || best > q4, "question 3 has a best column:\n%s", text);
	assert_has(q3, "| strategy | size | 1 thread |\n|---|---|---:|\n| two-copy | 256 B |");
	free(text);
	remove_fixture(dir);
}

Test(report, with_several_thread_counts_compares_them)
{
	char *text = report_of("tests/fixtures/nopmu");
	assert_has(text, "| strategy | size | 1 thread | 2 threads | 4 threads | best |");
	cr_assert_null(strstr(text, "only one thread count"));
	free(text);
}

Test(report, names_the_results_folder_by_its_real_name)
{
	char dir[64], link[96], target[PATH_MAX], real[PATH_MAX], head[PATH_MAX + 96];
	/* a symlink (as results/latest) to a folder below the current one */
	snprintf(dir, sizeof(dir), "/tmp/copyscope-report-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/latest", dir);
	cr_assert_not_null(realpath("tests/fixtures/pmu", target));
	cr_assert_eq(symlink(target, link), 0);
	char *text = report_of(link);
	assert_has(text, "answered from `tests/fixtures/pmu`\n");
	free(text);
	unlink(link);
	rmdir(dir);
	/* a folder outside the current one: its absolute path */
	fixture_with_threads("tests/fixtures/nopmu", "1", dir);
	cr_assert_not_null(realpath(dir, real));
	text = report_of(dir);
	snprintf(head, sizeof(head), "answered from `%s`\n", real);
	assert_has(text, head);
	free(text);
	remove_fixture(dir);
}

/* Column c of row r of ds as a number (NAN when empty), failing on a missing column. */
static double run_num(const struct dataset *ds, size_t r, const char *c)
{
	int col = dataset_col(ds, c);
	cr_assert_geq(col, 0, "runs.csv has no column %s", c);
	return dataset_num(ds, r, col);
}

/*
 * What the fixtures hold could have been measured: in today's columns, a
 * failed row as run.c writes it, and no run using more CPU than it had (one
 * connection thread per side and thread count, env.txt's CPUs for both).
 */
static void check_fixture_physics(const char *dir)
{
	struct results_dir rd;
	char err[1024], path[256], buf[64];
	cr_assert_eq(results_dir_load(dir, &rd, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/env.txt", dir);
	cr_assert_eq(env_read_key(path, "cpus", buf, sizeof(buf)), 0, "%s: no cpus=", path);
	double cpus = atof(buf);
	const struct dataset *runs = &rd.runs;
	cr_assert_gt(runs->nrows, 0, "%s: no runs.csv", dir);
	int status = dataset_col(runs, "status"), mtu = dataset_col(runs, "mtu");
	int offloads = dataset_col(runs, "offloads"), tc = dataset_col(runs, "srv_task_clock");
	cr_assert(status == 12 && mtu == 3 && offloads == 11, "%s: not the columns of runs.csv",
		  dir);
	size_t failed = 0;
	for (size_t r = 0; r < runs->nrows; r++) {
		const char *st = dataset_cell(runs, r, status);
		cr_assert_str_neq(dataset_cell(runs, r, mtu), "", "%s row %zu: no mtu", dir, r + 1);
		cr_assert_str_neq(dataset_cell(runs, r, offloads), "", "%s row %zu", dir, r + 1);
		if (strcmp(st, "ok")) {
			failed++;
			cr_assert_eq(strncmp(st, "failed:", 7), 0, "%s row %zu: %s", dir, r + 1,
				     st);
			cr_assert_eq(strcspn(st, " ,"), strlen(st),
				     "run.c's reasons have no spaces: %s", st);
			for (size_t c = (size_t)status + 1; c < runs->ncols; c++)
				cr_assert_str_eq(dataset_cell(runs, r, (int)c), "",
						 "%s row %zu (%s): %s filled", dir, r + 1, st,
						 runs->cols[c]);
			continue;
		}
		double window = run_num(runs, r, "duration_s"),
		       threads = run_num(runs, r, "threads");
		double size = run_num(runs, r, "msg_size"), bytes = run_num(runs, r, "bytes");
		double srv = run_num(runs, r, "srv_utime_s") + run_num(runs, r, "srv_stime_s");
		double cli = run_num(runs, r, "cli_utime_s") + run_num(runs, r, "cli_stime_s");
		cr_assert_leq(srv / window, threads,
			      "%s row %zu: server %.0f%% of a CPU, %.0f threads", dir, r + 1,
			      srv / window * 100, threads);
		cr_assert_leq(cli / window, threads,
			      "%s row %zu: client %.0f%% of a CPU, %.0f threads", dir, r + 1,
			      cli / window * 100, threads);
		cr_assert_leq((srv + cli) / window, cpus, "%s row %zu: %.2f CPUs of %.0f", dir,
			      r + 1, (srv + cli) / window, cpus);
		cr_assert_float_eq(bytes, run_num(runs, r, "msgs") * size, 0, "%s row %zu", dir,
				   r + 1);
		cr_assert_float_eq(run_num(runs, r, "throughput_gbps"), bytes * 8 / window / 1e9,
				   1e-6, "%s row %zu", dir, r + 1);
		if (tc >= 0) /* task-clock is CPU time too */
			cr_assert_float_eq(dataset_num(runs, r, tc) / 1e9, srv, 1e-5, "%s row %zu",
					   dir, r + 1);
		double cycles = run_num(runs, r, "srv_cycles");
		if (!isnan(cycles)) /* env.txt's 3.00 GHz */
			cr_assert_leq(cycles / srv / 1e9, 3.0 * (1 + 1e-5), "%s row %zu", dir,
				      r + 1);
	}
	cr_assert_eq(failed, 1, "%s: the fixture has one failed run", dir);
	results_dir_free(&rd);
}

Test(report, fixtures_hold_what_a_sweep_could_have_measured)
{
	check_fixture_physics("tests/fixtures/pmu");
	check_fixture_physics("tests/fixtures/nopmu");
}
