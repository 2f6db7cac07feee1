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
	/* the crossover is the interval between significant sides; the medians' crossing beside */
	assert_has(text, "one-copy overtakes two-copy between **2 KiB and 8 KiB**: significantly "
			 "behind at 2 KiB (one-copy ÷ two-copy = 0.9 [");
	assert_has(text, "the medians cross 1.0 at ≈ 2896 B");
	/* 2 threads: 1.05 at 4 KiB is under the 10% margin, so the interval runs to 8 KiB */
	assert_has(text, "**2 threads:** one-copy overtakes two-copy between **2 KiB and 8 KiB**");
	assert_has(text, "the medians cross 1.0 at ≈ 4871 B");
	assert_has(text, "**4 threads:** **no significant crossover** within 256 B–64 KiB: one-copy "
			 "is significantly ahead at 8 KiB; not significantly different from two-copy "
			 "at 256 B–4 KiB, 16 KiB–64 KiB.");
	free(text);
}

Test(report, names_zero_copy_crossovers_for_both_zero_copy_strategies)
{
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "zero-copy overtakes two-copy between **16 KiB and 32 KiB**");
	assert_has(text, "≈ 23170 B");
	assert_has(text, "zero-copy overtakes two-copy between **8 KiB and 32 KiB**");
	assert_has(text, "≈ 13777 B");
	/* 4 threads: behind but at 8 KiB (under the margin) and 64 KiB (cv 15% widens it) */
	assert_has(text, "**no significant crossover** within 256 B–64 KiB: zero-copy is "
			 "significantly behind at 256 B–4 KiB, 16 KiB–32 KiB; not significantly "
			 "different from two-copy at 8 KiB, 64 KiB.");
	assert_has(text, "uring-zc overtakes two-copy between **8 KiB and 32 KiB**");
	assert_has(text, "≈ 11585 B");
	assert_has(text, "≈ 19484 B");
	assert_has(text, "**no significant crossover** within 256 B–64 KiB: uring-zc is "
			 "significantly behind at 256 B–32 KiB; not significantly different from "
			 "two-copy at 64 KiB.");
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
			 "against two-copy's 4608 B (4.5× smaller [4.5, 4.5])");
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
	/* reductions with their 95% intervals: 3 reps at +-1% each */
	assert_has(text,
		   "| 256 B | L1 | 40.0% fewer [38.8%, 41.2%] | 25.0% fewer [23.5%, 26.5%] |");
	assert_has(text,
		   "**LLC** (llc_misses) shows the most reduction: the largest at 7 of 9 sizes "
		   "(1 KiB–64 KiB); LLC reduction is significant at 7 of those 7.");
	free(text);
}

Test(report, without_pmu_says_misses_were_not_measured_and_shows_cpu_time)
{
	char *text = report_of("tests/fixtures/nopmu");
	assert_has(text, "Cache misses were **not measured** on this machine: no hardware PMU "
			 "exposed");
	assert_has(text, "| 256 B | 3.92 → 7.84 | +100.0% [+96.0%, +104.0%] | 20% → 20% |");
	assert_has(text, "More misses yet faster: not checked");
	assert_has(text, "one-copy overtakes two-copy between **2 KiB and 8 KiB**");
	free(text);
}

Test(report, cites_what_zero_copy_costs_each_side_per_byte)
{
	char *text = report_of("tests/fixtures/nopmu");
	/* one connection thread a side: the server near 98% of a CPU, the client below */
	assert_has(text,
		   "CPU per byte at 64 KiB, 1 thread (medians): server zero-copy 0.232 ns, "
		   "two-copy 0.3015 ns (-23% [-25%, -22%]), using 98% and 98% of a CPU; client "
		   "zero-copy 0.1562 ns, two-copy 0.2277 ns (-31% [-33%, -30%]), using 66% and "
		   "74% of a CPU");
	free(text);
}

Test(report, backs_the_one_copy_crossover_with_each_sides_cost)
{
	char *text = report_of("tests/fixtures/nopmu");
	const char *q4 = strstr(text, "## 4.");
	cr_assert_not_null(q4);
	const char *q5 = strstr(q4, "## 5.");
	cr_assert_not_null(q5);
	const char *line = strstr(q4, "server one-copy 0.1885 ns, two-copy 0.3015 ns (-37% [-39%, "
				      "-36%]), using 98% and 98% of a CPU");
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

/* ---- intervals (docs/confidence.md) --------------------------------------- */

Test(report, marks_zero_copys_losses_as_significant)
{
	char *text = report_of("tests/fixtures/pmu");
	/* 20 of 22: at 4 threads, 64 KiB, zero-copy's cv of 15% leaves 1 inside the
	 * interval, and at 4 threads, 8 KiB, it is behind by less than the 10% margin */
	assert_has(text, "**zero-copy** was the fastest strategy at 0 of 27 points and behind "
			 "two-copy at 22 (significantly at 20: the 95% interval of zero-copy ÷ "
			 "two-copy lies below 1, and two-copy is 10% or more faster)");
	assert_has(text, "[lo, hi] after a ratio or a change is its 95% interval");
	free(text);
}

Test(report, a_recorded_sweep_separates_significant_from_not)
{
	/* tests/golden/quick: 2 reps a point, measured on a 2-core VM */
	char *text = report_of("tests/golden/quick");
	assert_has(text, "not within 1 KiB–16 KiB: zero-copy is significantly behind two-copy at "
			 "every measured size");
	assert_has(text, "**no significant crossover** within 1 KiB–16 KiB: one-copy is not "
			 "significantly different from two-copy at 1 KiB–16 KiB");
	assert_has(text, ", no significant difference)");
	free(text);
}

Test(report, without_runs_says_intervals_are_unavailable)
{
	char dir[64];
	fixture_with_threads("tests/fixtures/pmu", "1", dir); /* summary.csv only */
	char *text = report_of(dir);
	assert_has(text, "Intervals are unavailable: this folder has no runs.csv");
	/* the medians' crossing, as before intervals */
	assert_has(text, "one-copy overtakes two-copy at **≈ 2896 B**");
	cr_expect_null(strstr(text, "significantly"), "%s", text);
	cr_expect_null(strstr(text, "no significant"), "%s", text);
	free(text);
	remove_fixture(dir);
}

/* ---- placement and plausibility: tests/fixtures/placed ------------------- */

void placed_folder(char *dir, int with_sweep); /* test_table.c */
void placed_folder_remove(const char *dir);

Test(report, states_the_placement_and_what_the_runs_measured)
{
	char dir[64];
	placed_folder(dir, 1);
	char *text = report_of(dir);
	assert_has(text, "Shown: topology loopback, placement spread (measured: spread in 17 of "
			 "18 runs, mixed in 1), layout scattered");
	free(text);
	placed_folder_remove(dir);
}

Test(report, old_folders_state_no_placement)
{
	char *text = report_of("tests/fixtures/pmu");
	cr_expect_null(strstr(text, "placement"), "%s", text);
	assert_has(text, "The L1 floor applied to 0 of the 432 counts: this folder has no "
			 "cpu_overlap column");
	free(text);
}

Test(report, lists_implausible_counts_and_leaves_them_out_of_the_answers)
{
	char dir[64];
	placed_folder(dir, 1);
	char *text = report_of(dir);
	const char *plaus = strstr(text, "## Plausibility of the counts");
	cr_assert_not_null(plaus, "%s", text);
	assert_has(plaus, "- client L1 (l1d_misses), one-copy, 16 KiB, 1 thread: 5 per KiB, below "
			  "the floor of 16.");
	assert_has(plaus, "- server LLC (llc_misses), one-copy, 16 KiB, 1 thread: 2 per KiB, "
			  "counted for 3% of a run's window.");
	/* the plausible ones are not listed: two-copy's 20 per KiB; zero-copy's 6 with a
	 * run that shared CPUs, and its 4 on SMT siblings (no floor) */
	cr_expect_null(strstr(plaus, "two-copy, 16 KiB"), "%s", plaus);
	cr_expect_null(strstr(plaus, "zero-copy"), "%s", plaus);
	assert_has(plaus, "The L1 floor applied to 4 of the 24 counts.");
	/* question 2 leaves the doubtful LLC count out, and says so */
	assert_has(text, "| 16 KiB | L1 | 40.0% fewer [40.0%, 40.0%] | implausible count, left out "
			 "(see below) |");
	free(text);
	placed_folder_remove(dir);
}

/* ---- where the CPU goes: tests/fixtures/sampled (make-sampled.sh) --------- */

#define SAMPLED "tests/fixtures/sampled"

Test(report, sampled_cites_what_zero_copys_server_spends_on_pinning_completions_and_the_copy)
{
	char *text = report_of(SAMPLED);
	const char *q1 = strstr(text, "## 1."), *q5 = strstr(text, "## 5.");
	cr_assert(q1 && q5, "%s", text);
	/* question 1: the smallest and the largest size; each share is its ns/B's part */
	assert_has(q1, "- **zero-copy**, where its server's CPU went (share of its samples and CPU "
		       "ns per byte, medians; [figure 8](figures/cpu-where.png)):\n"
		       "  - at 1 KiB, 1 thread: page pinning 10.0% (1.47 ns/B), zero-copy "
		       "completions 4.0% (0.587 ns/B), kernel copy 2.0% (0.293 ns/B); two-copy's "
		       "kernel copy: 20.0% (0.11 ns/B).\n"
		       "  - at 16 KiB, 1 thread: page pinning 25.0% (0.11 ns/B)");
	/* question 5: under what each side pays, the largest size */
	assert_has(q5, "  Where the server's CPU went at 16 KiB, 1 thread (share of its samples and "
		       "CPU ns per byte, medians; [figure 8](figures/cpu-where.png)): page pinning "
		       "25.0% (0.11 ns/B), zero-copy completions 3.0% (0.0132 ns/B), kernel copy "
		       "5.0% (0.022 ns/B); two-copy's kernel copy: 30.0% (0.0825 ns/B).\n");
	cr_expect_null(strstr(text, "Not sampled"), "%s", text);
	free(text);
}

Test(report, sampled_says_which_copies_disappear_from_two_copy_to_one_copy)
{
	char *text = report_of(SAMPLED);
	const char *q2 = strstr(text, "## 2.");
	cr_assert_not_null(q2, "%s", text);
	/* the user copy is gone (one-copy's runs all 0); the kernel copy grows, its
	 * interval from the runs (rep r scales CPU time by 1 + (r - 2) 0.02) */
	assert_has(q2, "| size | user copy (ns/B) | change | kernel copy (ns/B) | change |\n");
	assert_has(q2, "| 1 KiB | 0.0825 → 0 | -100% [-100%, -100%] | 0.11 → 0.22 | +100% [");
	assert_has(q2, "| 16 KiB | 0.0825 → 0 | -100% [-100%, -100%] | 0.0825 → 0.11 | +33% [");
	assert_has(q2, "Gone in one-copy (its median 0 where two-copy's is above 0): the user copy "
		       "at 2 of 2 sizes, the kernel copy at 0 of 2.");
	free(text);
}

Test(report, sampled_names_the_largest_shift_between_two_strategies_at_one_point)
{
	char *text = report_of(SAMPLED);
	const char *q6 = strstr(text, "## 6.");
	cr_assert_not_null(q6, "%s", text);
	/* the fixture's widest gap: the server's kernel copy at 16 KiB, 45% against 5% */
	assert_has(q6, "the server's kernel copy at 16 KiB, 1 thread, 45.0% [45.0%, 45.0%] of "
		       "one-copy's samples against 5.0% [5.0%, 5.0%] of zero-copy's, 40.0 "
		       "percentage points apart.");
	free(text);
}

Test(report, unsampled_says_once_per_answer_how_to_sample)
{
	static const char *const answers[] = {"## 1.", "## 2.", "## 5.", "## 6."};
	static const char what[] = "Not sampled: sweep with `sample = on` (or `copyscope run "
				   "--sample`) to see ";
	char *text = report_of("tests/fixtures/nopmu");
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	cr_expect_eq(n, 4, "%s", text);
	for (size_t i = 0; i < 4; i++) { /* each in its own answer */
		const char *at = strstr(text, answers[i]);
		const char *next = at ? strstr(at + 1, "\n## ") : NULL;
		const char *said = at ? strstr(at, what) : NULL;
		cr_expect(said && (!next || said < next), "%s has no sentence of its own",
			  answers[i]);
	}
	cr_expect_null(strstr(text, "where its server's CPU went"), "%s", text);
	cr_expect_null(strstr(text, "Which copies disappear"), "%s", text);
	assert_has(text, "[where the CPU goes](figures/cpu-where.png)");
	free(text);
}

Test(report, reads_the_sampled_categories_in_their_columns_order)
{
	struct results_dir rd;
	char err[1024];
	cr_assert_eq(results_dir_load(SAMPLED, &rd, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(rd.ncats, 11);
	cr_expect_str_eq(rd.cats[0], "user_copy");
	cr_expect_str_eq(rd.cats[6], "tcp_ip");
	cr_expect_str_eq(rd.cats[10], "other");
	cr_expect(results_dir_sampled(&rd, "srv") && results_dir_sampled(&rd, "cli"));
	cr_expect_str_eq(results_dir_category_label("zc_completion"), "zero-copy completions");
	cr_expect_str_eq(results_dir_category_label("my_own"), "my_own");
	results_dir_free(&rd);
	cr_assert_eq(results_dir_load("tests/fixtures/pmu", &rd, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(rd.ncats, 0);
	cr_expect_not(results_dir_sampled(&rd, "srv"));
	results_dir_free(&rd);
}

/* ---- the remote topology: tests/fixtures/remote (make-remote.sh) ---------- */

#include "summary.h"

#define REMOTE_NIC  "tests/fixtures/remote/nic"
#define REMOTE_VETH "tests/fixtures/remote/veth"

/* The text between heading (included) and the next "\n## ", NUL-ended in a
 * copy the caller frees: one answer of the report. */
static char *answer(const char *text, const char *heading)
{
	const char *at = strstr(text, heading);
	cr_assert_not_null(at, "no %s in:\n%s", heading, text);
	const char *next = strstr(at + 1, "\n## ");
	return strndup(at, next ? (size_t)(next - at) : strlen(at));
}

Test(report, remote_summary_is_what_copyscope_computes_from_its_runs)
{
	static const char *const dirs[] = {REMOTE_NIC, REMOTE_VETH};
	static const char *const order[] = {"two-copy", "one-copy", "zero-copy"};
	for (size_t i = 0; i < 2; i++) {
		char runs[256], sum[] = "/tmp/copyscope-remote-summary-XXXXXX", err[1024];
		char committed[256], cmd[1024];
		int fd = mkstemp(sum);
		cr_assert_geq(fd, 0);
		close(fd);
		snprintf(runs, sizeof(runs), "%s/runs.csv", dirs[i]);
		snprintf(committed, sizeof(committed), "%s/summary.csv", dirs[i]);
		cr_assert_eq(summary_write(runs, sum, order, 3, err, sizeof(err)), 0, "%s", err);
		snprintf(cmd, sizeof(cmd), "cmp -s %s %s", sum, committed);
		cr_expect_eq(system(cmd), 0, "%s differs from summary.c's %s: rerun make-remote.sh",
			     committed, sum);
		unlink(sum);
	}
}

Test(report, remote_header_names_the_hosts_from_env)
{
	char *text = report_of(REMOTE_NIC);
	assert_has(text,
		   "\n- Hosts (topology remote): the server on **far.example** (Fixture CPU "
		   "2000 @ 2.00GHz, 16 CPUs, kernel 6.1.0-21-amd64; iface ens1f0, driver "
		   "mlx5_core, 25000 Mbit/s), counted there by `copyscope agent`; the client on "
		   "**near.example**, the machine above, which ran the sweep (iface ens1f0, "
		   "driver mlx5_core, 25000 Mbit/s).\n- Sweep: ");
	assert_has(text, "Shown: topology remote, layout scattered");
	free(text);
}

Test(report, remote_header_without_host_keys_says_the_host_is_not_named)
{
	char dir[64], path[128], cmd[512];
	snprintf(dir, sizeof(dir), "/tmp/copyscope-remote-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cp %s/summary.csv %s/runs.csv %s/events.events %s/ && "
		 "grep -v -e '^remote_' -e '^link_' %s/env.txt >%s/env.txt",
		 REMOTE_NIC, REMOTE_NIC, REMOTE_NIC, dir, REMOTE_NIC, dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	char *text = report_of(dir);
	assert_has(text, "\n- Hosts (topology remote): the server on another host (env.txt does "
			 "not name it), counted there by `copyscope agent`; the client on "
			 "**near.example**, the machine above, which ran the sweep.\n");
	free(text);
	static const char *const files[] = {"summary.csv", "runs.csv", "events.events", "env.txt"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

Test(report, remote_q1_gives_the_copied_share_per_size_where_a_device_took_the_pages)
{
	char *text = report_of(REMOTE_NIC), *q1 = answer(text, "## 1.");
	assert_has(q1, "Data bound for a local socket is always copied (kernel "
		       "Documentation/networking/msg_zerocopy.rst). On this sweep's topology "
		       "(**remote**: the server, which sends, on another host) the copy is saved "
		       "only where that host's network device takes the pages:\n\n");
	assert_has(q1,
		   "- **zero-copy**: the far host's device took some of its pages: not every "
		   "completion was copied at 6 of 8 points (copied share, zc_copied ÷ "
		   "zc_completions, medians: 1 thread: 4 KiB 100.0%, 16 KiB 40.0%, 64 KiB 3.0%, "
		   "256 KiB 1.0%; 4 threads: 4 KiB 100.0%, 16 KiB 35.0%, 64 KiB 2.5%, 256 KiB "
		   "0.8%).\n");
	/* loopback's explanation is not given where the copy was avoided */
	cr_expect_null(strstr(q1, "Only a real NIC"), "%s", q1);
	cr_expect_null(strstr(q1, "and still copies"), "%s", q1);
	free(q1);
	free(text);
}

Test(report, remote_q1_says_where_zero_copy_paid_and_where_it_did_not)
{
	char *text = report_of(REMOTE_NIC), *q1 = answer(text, "## 1.");
	const char *paid = strstr(q1, "  Where it paid, with copies avoided (throughput "
				      "significantly above two-copy's and one-copy's):\n");
	const char *not = strstr(q1, "  Where it did not, with copies avoided:\n");
	cr_assert(paid && not &&paid < not, "%s", q1);
	char *paid_list = strndup(paid, (size_t)(not -paid));
	/* paid: 64 and 256 KiB at 1 thread, ahead of both, significantly */
	assert_has(paid_list,
		   "  - 64 KiB, 1 thread, 3.0% copied: zero-copy ÷ two-copy = 1.42 [1.36, "
		   "1.47]; ÷ one-copy = 1.35 [1.3, 1.4]; its server's CPU per byte "
		   "against two-copy's: -57% [");
	assert_has(paid_list, "  - 256 KiB, 1 thread, 1.0% copied: zero-copy ÷ two-copy = 1.68 [");
	size_t items = 0;
	for (const char *p = paid_list; (p = strstr(p, "\n  - ")); p++)
		items++;
	cr_expect_eq(items, 2, "%s", paid_list);
	/* not: 16 KiB (40% copied, behind), and at 4 threads the link caps every strategy */
	assert_has(not, "  - 16 KiB, 1 thread, 40.0% copied: zero-copy ÷ two-copy = 0.95 [0.913, "
			"0.989], no significant difference; ÷ one-copy = 0.905 [");
	assert_has(not, "  - 16 KiB, 4 threads, 35.0% copied: ");
	assert_has(not, "  - 64 KiB, 4 threads, 2.5% copied: ");
	assert_has(not,
		   "  - 256 KiB, 4 threads, 0.8% copied: zero-copy ÷ two-copy = 1 [0.965, "
		   "1.05], no significant difference; ÷ one-copy = 1 [0.965, 1.05], no "
		   "significant difference; its server's CPU per byte against two-copy's: -55% [");
	/* a point whose completions were all copied is in neither list */
	cr_expect_null(strstr(paid, "  - 4 KiB,"), "%s", q1);
	free(paid_list);
	free(q1);
	free(text);
}

Test(report, remote_q5_relates_the_crossover_to_the_copied_share)
{
	char *text = report_of(REMOTE_NIC), *q5 = answer(text, "## 5.");
	assert_has(q5, "- **1 thread:** zero-copy overtakes two-copy between **4 KiB and 64 KiB**");
	assert_has(q5,
		   "\n  Its copied share there (zc_copied ÷ zc_completions, medians): zero-copy "
		   "overtakes two-copy from 64 KiB, where 3.0% of its completions were copied "
		   "(100.0% at 4 KiB, 40.0% at 16 KiB).\n");
	/* 4 threads: no crossover, so the share at every size */
	assert_has(q5, "\n  Its copied share at 4 threads (zc_copied ÷ zc_completions, medians): "
		       "4 KiB 100.0%, 16 KiB 35.0%, 64 KiB 2.5%, 256 KiB 0.8%.\n");
	cr_expect_null(strstr(q5, "copied every one"), "%s", q5);
	/* answer 4 (one-copy) is not a zero-copy strategy: no share there */
	char *q4 = answer(text, "## 4.");
	cr_expect_null(strstr(q4, "copied share"), "%s", q4);
	free(q4);
	free(q5);
	free(text);
}

Test(report, remote_with_every_completion_copied_keeps_the_explanation_naming_remote)
{
	char *text = report_of(REMOTE_VETH), *q1 = answer(text, "## 1."),
	     *q5 = answer(text, "## 5.");
	assert_has(q1, "- **zero-copy**: the far host copied every one of its completions too "
		       "(100.0% at all 8 points): its kernel could not hand the pages to the "
		       "network device (a veth pair, as when the two hosts are network namespaces, "
		       "or a NIC or driver without scatter-gather or TSO), so on this topology "
		       "(**remote**) zero-copy paid those costs and still copied, as on loopback.");
	cr_expect_null(strstr(q1, "Where it paid"), "%s", q1);
	cr_expect_null(strstr(q1, "took some of its pages"), "%s", q1);
	assert_has(q5, "On this sweep's topology (**remote**) the far host copied every one of "
		       "zero-copy's completions too (100.0% at all 8 points; answer 1)");
	cr_expect_null(strstr(q5, "Its copied share"), "%s", q5);
	assert_has(text, "the server on **ci-far** (Fixture CPU 2000 @ 2.00GHz, 16 CPUs, kernel "
			 "6.1.0-21-amd64; iface veth1, driver veth, 10000 Mbit/s)");
	free(q5);
	free(q1);
	free(text);
}

Test(report, loopback_folders_get_none_of_the_remote_sentences)
{
	static const char *const dirs[] = {"tests/fixtures/pmu", "tests/fixtures/nopmu", SAMPLED,
					   "tests/golden/quick"};
	static const char *const remote_only[] = {"Hosts (topology remote)", "far host",
						  "copies avoided", "Its copied share",
						  "which sends, on another host"};
	for (size_t i = 0; i < 4; i++) {
		char *text = report_of(dirs[i]);
		for (size_t k = 0; k < 5; k++)
			cr_expect_null(strstr(text, remote_only[k]), "%s: %s", dirs[i],
				       remote_only[k]);
		free(text);
	}
	char *text = report_of("tests/fixtures/pmu");
	assert_has(text, "so on this sweep's topology (**loopback**: 127.0.0.1) zero-copy pays "
			 "those costs and still copies");
	free(text);
}
