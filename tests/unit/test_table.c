/*
 * Per-cache-level miss tables (table.h) over the fixture results folders of
 * tests/fixtures/ (see make-fixtures.sh for the values they hold). Tests run
 * from the repository root, as tests/run.sh does.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table.h"
#include "units.h"

#define PMU   "tests/fixtures/pmu"
#define NOPMU "tests/fixtures/nopmu"

static char err[1024];

static void load(const char *dir, struct results_dir *rd)
{
	cr_assert_eq(results_dir_load(dir, rd, err, sizeof(err)), 0, "%s", err);
}

static char *render(const struct results_dir *rd, struct table_options opt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	cr_assert_not_null(out);
	cr_assert_eq(table_write(out, rd, &opt, err, sizeof(err)), 0, "%s", err);
	fclose(out);
	return text;
}

static const struct table_options csv_all = {"all", "srv", 1, TABLE_CSV};

Test(table, csv_numbers_equal_the_fixture_summary)
{
	struct results_dir rd;
	load(PMU, &rd);
	char *text = render(&rd, csv_all);
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	cr_assert_str_eq(line,
			 "strategy,msg_size,L1_misses,L1_misses_per_kib,L1_vs_two_copy_pct,"
			 "L1_flag,LLC_misses,LLC_misses_per_kib,LLC_vs_two_copy_pct,LLC_flag");
	size_t rows = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *f[10], *rest = line;
		size_t n = 0;
		while (n < 10 && (f[n] = strsep(&rest, ",")))
			n++;
		cr_assert_eq(n, 10, "%s", line);
		cr_assert_str_eq(f[5], "", "the fixture's counts are plausible: %s", line);
		long row = results_dir_row(&rd, f[0], "stream", atol(f[1]), 1);
		cr_assert_geq(row, 0, "%s", line);
		cr_assert_eq(atof(f[2]), results_dir_num(&rd, row, "srv_l1d_misses_median"));
		cr_assert_eq(atof(f[3]), results_dir_num(&rd, row, "srv_l1d_misses_per_kb_median"));
		cr_assert_eq(atof(f[6]), results_dir_num(&rd, row, "srv_llc_misses_median"));
		cr_assert_eq(atof(f[7]), results_dir_num(&rd, row, "srv_llc_misses_per_kb_median"));
		rows++;
	}
	cr_assert_eq(rows, 4 * 9, "every strategy x size of the fixture");
	free(text);
	results_dir_free(&rd);
}

Test(table, change_against_two_copy_is_relative_to_two_copy_per_kib)
{
	struct results_dir rd;
	load(PMU, &rd);
	char *text = render(&rd, csv_all);
	/* fixture: one-copy L1 18/KiB vs two-copy 30/KiB at 256 B => -40% */
	cr_assert_not_null(strstr(text, "\none-copy,256,"), "%s", text);
	cr_assert_not_null(strstr(strstr(text, "\none-copy,256,"), ",18,-40.0000,"));
	free(text);
	results_dir_free(&rd);
}

Test(table, largest_reduction_moves_from_l1_to_llc_with_size)
{
	struct results_dir rd;
	double red = 0;
	load(PMU, &rd);
	const struct event_spec *ev = table_largest_reduction(&rd, "srv", 256, 1, "all", &red);
	cr_assert_not_null(ev);
	cr_assert_str_eq(ev->level, "L1");
	cr_assert_float_eq(red, 40.0, 1e-6);
	ev = table_largest_reduction(&rd, "srv", 65536, 1, "all", &red);
	cr_assert_str_eq(ev->level, "LLC");
	cr_assert_float_eq(red, 61.0, 1e-6);
	results_dir_free(&rd);
}

Test(table, level_option_keeps_only_that_level)
{
	struct results_dir rd;
	load(PMU, &rd);
	struct table_options opt = {"llc", "srv", 2, TABLE_TEXT};
	char *text = render(&rd, opt);
	cr_assert_not_null(strstr(text, "LLC misses"));
	cr_assert_null(strstr(text, "L1 misses"), "%s", text);
	cr_assert_not_null(strstr(text, "2 threads"));
	free(text);
	results_dir_free(&rd);
}

Test(table, unknown_level_or_thread_count_is_bad_input)
{
	struct results_dir rd;
	load(PMU, &rd);
	struct table_options opt = {"L2", "srv", 1, TABLE_TEXT};
	FILE *out = fopen("/dev/null", "w");
	cr_assert_eq(table_write(out, &rd, &opt, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "--level L2"), "%s", err);
	opt.level = "all";
	opt.threads = 3;
	cr_assert_eq(table_write(out, &rd, &opt, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "expected one of 1, 2, 4"), "%s", err);
	fclose(out);
	results_dir_free(&rd);
}

Test(table, without_pmu_says_so_and_shows_what_was_measured)
{
	struct results_dir rd;
	load(NOPMU, &rd);
	cr_assert_eq(results_dir_has_misses(&rd, "srv"), 0);
	struct table_options opt = {"all", "srv", 1, TABLE_MD};
	char *text = render(&rd, opt);
	cr_assert_not_null(strstr(text, "not measured on this machine: no hardware PMU exposed"),
			   "%s", text);
	cr_assert_not_null(strstr(text, "| CPU ns/B | user share | ctx sw/msg |"));
	/* two-copy 256 B: CPU ns/B 3.92 (98% of a CPU over 2 Gbit/s), 20% user, 0.01 ctx/msg,
	 * 1.016 rx copies/msg (make-fixtures.sh) */
	cr_assert_not_null(strstr(text, "| two-copy | 256 B | 3.92 | 20% | 0.01 | 1.016 |"), "%s",
			   text);
	free(text);
	results_dir_free(&rd);
}

Test(table, csv_numbers_have_six_significant_digits)
{
	struct results_dir rd;
	load(NOPMU, &rd);
	char *text = render(&rd, csv_all);
	/* not 3.9199999999999999 and 0.010000100000000001 */
	cr_assert_not_null(strstr(text, "\ntwo-copy,256,3.92,20.0000,0.0100001,1.01563\n"), "%s",
			   text);
	free(text);
	results_dir_free(&rd);
}

Test(table, names_the_results_folder_by_its_real_name)
{
	char dir[64], link[96], target[PATH_MAX];
	struct results_dir rd;
	snprintf(dir, sizeof(dir), "/tmp/copyscope-table-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/latest", dir);
	cr_assert_not_null(realpath(PMU, target));
	cr_assert_eq(symlink(target, link), 0);
	load(link, &rd);
	cr_expect_str_eq(rd.path, link);
	cr_expect_str_eq(rd.name, PMU, "below the current folder: relative to it");
	struct table_options opt = {"all", "srv", 1, TABLE_MD};
	char *text = render(&rd, opt);
	cr_expect_not_null(strstr(text, "; from " PMU "/summary.csv)"), "%s", text);
	free(text);
	results_dir_free(&rd);
	unlink(link);
	rmdir(dir);
}

Test(table, missing_folder_or_summary_is_an_error)
{
	struct results_dir rd;
	cr_assert_eq(results_dir_load("tests/fixtures/none", &rd, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "expected a results folder"));
	cr_assert_eq(results_dir_load("tests/fixtures", &rd, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "summary.csv: missing"), "%s", err);
}

Test(table, sizes_read_as_people_write_them)
{
	char buf[32];
	format_size(buf, sizeof(buf), 256, SIZE_LONG);
	cr_assert_str_eq(buf, "256 B");
	format_size(buf, sizeof(buf), 65536, SIZE_LONG);
	cr_assert_str_eq(buf, "64 KiB");
	format_size(buf, sizeof(buf), 2896.3, SIZE_LONG);
	cr_assert_str_eq(buf, "2896 B");
}

/* ---- the placed fixture: placement columns, plausibility ---------------- */

#include "summary.h"

#define PLACED "tests/fixtures/placed"

/*
 * tests/fixtures/placed as a results folder in a new temporary folder dir
 * (char[64]): its files (sweep.ini only when with_sweep), and summary.csv
 * built from its runs.csv by summary.c, as a sweep writes it. Shared with
 * test_report.c.
 */
void placed_folder(char *dir, int with_sweep)
{
	static const char *const files[] = {"runs.csv", "events.events", "env.txt", "sweep.ini"};
	static const char *const order[] = {"two-copy", "one-copy", "zero-copy"};
	char from[256], to[256], sum[256], *line = NULL;
	size_t cap = 0;
	snprintf(dir, 64, "/tmp/copyscope-placed-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	for (size_t i = 0; i < (with_sweep ? 4u : 3u); i++) {
		snprintf(from, sizeof(from), "%s/%s", PLACED, files[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
		FILE *in = fopen(from, "r"), *out = fopen(to, "w");
		cr_assert(in && out, "%s", from);
		while (getline(&line, &cap, in) > 0)
			fputs(line, out);
		fclose(in);
		fclose(out);
	}
	free(line);
	snprintf(from, sizeof(from), "%s/runs.csv", dir);
	snprintf(sum, sizeof(sum), "%s/summary.csv", dir);
	cr_assert_eq(summary_write(from, sum, order, 3, err, sizeof(err)), 0, "%s", err);
}

void placed_folder_remove(const char *dir)
{
	static const char *const files[] = {"runs.csv",	 "events.events", "env.txt",
					    "sweep.ini", "summary.csv",	  "report.md"};
	char path[256];
	for (size_t i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

Test(table, base_slice_is_the_sweep_files_first_placement)
{
	char dir[64];
	struct results_dir rd;
	placed_folder(dir, 1);
	load(dir, &rd);
	/* runs.csv starts with `same` runs; sweep.ini says spread first */
	cr_expect_str_eq(rd.placement, "spread");
	results_dir_free(&rd);
	placed_folder_remove(dir);
	placed_folder(dir, 0);
	load(dir, &rd);
	cr_expect_str_eq(rd.placement, "same", "without sweep.ini: the first run's");
	results_dir_free(&rd);
	placed_folder_remove(dir);
}

Test(table, old_folders_have_no_placement)
{
	struct results_dir rd;
	load(PMU, &rd);
	cr_expect_str_eq(rd.placement, "");
	cr_expect_gt(results_dir_row(&rd, "two-copy", "stream", 256, 1), -1);
	results_dir_free(&rd);
}

Test(table, a_receivers_l1_count_below_the_floor_is_flagged)
{
	char dir[64];
	struct results_dir rd;
	placed_folder(dir, 1);
	load(dir, &rd);
	const struct event_spec *l1 = event_set_find(&rd.events, "l1d_misses");
	struct count_check ck;
	/* two-copy, 1 KiB, spread: 20 per KiB against the floor of 16 */
	results_dir_check_count(&rd, results_dir_row(&rd, "two-copy", "stream", 1024, 1), "cli", l1,
				&ck);
	cr_expect_eq(ck.doubt, COUNT_PLAUSIBLE);
	cr_expect_float_eq(ck.floor, 16, 1e-9);
	/* one-copy, 16 KiB, spread: 5 per KiB, below it */
	results_dir_check_count(&rd, results_dir_row(&rd, "one-copy", "stream", 16384, 1), "cli",
				l1, &ck);
	cr_expect_eq(ck.doubt, COUNT_BELOW_FLOOR);
	cr_expect_float_eq(ck.per_kb, 5, 1e-9);
	/* zero-copy, 16 KiB: one run shared CPUs (overlap 0.35), so no floor */
	results_dir_check_count(&rd, results_dir_row(&rd, "zero-copy", "stream", 16384, 1), "cli",
				l1, &ck);
	cr_expect_eq(ck.doubt, COUNT_PLAUSIBLE);
	cr_expect(isnan(ck.floor));
	/* zero-copy, 1 KiB: 4 per KiB, but its client ran on the server's SMT sibling,
	 * which shares the server's L1: no floor */
	results_dir_check_count(&rd, results_dir_row(&rd, "zero-copy", "stream", 1024, 1), "cli",
				l1, &ck);
	cr_expect_eq(ck.doubt, COUNT_PLAUSIBLE);
	cr_expect(isnan(ck.floor));
	/* the stream server receives nothing: no floor */
	results_dir_check_count(&rd, results_dir_row(&rd, "one-copy", "stream", 16384, 1), "srv",
				l1, &ck);
	cr_expect(isnan(ck.floor));
	results_dir_free(&rd);
	placed_folder_remove(dir);
}

Test(table, a_count_whose_counter_ran_under_5_percent_is_flagged)
{
	char dir[64];
	struct results_dir rd;
	placed_folder(dir, 1);
	load(dir, &rd);
	struct count_check ck;
	results_dir_check_count(&rd, results_dir_row(&rd, "one-copy", "stream", 16384, 1), "srv",
				event_set_find(&rd.events, "llc_misses"), &ck);
	cr_expect_eq(ck.doubt, COUNT_RUNNING_LOW);
	cr_expect_float_eq(ck.running, 0.03, 1e-9);
	results_dir_free(&rd);
	placed_folder_remove(dir);
}

Test(table, flagged_cells_carry_a_mark_and_a_footnote)
{
	char dir[64];
	struct results_dir rd;
	placed_folder(dir, 1);
	load(dir, &rd);
	char *text = render(&rd, (struct table_options){"all", "cli", 1, TABLE_MD});
	cr_expect_not_null(strstr(text, "placement spread"), "%s", text);
	cr_expect_not_null(strstr(text, "| one-copy | 16 KiB | 18310560 | 5 ! | -75.0% ! |"), "%s",
			   text);
	cr_expect_not_null(strstr(text, "| two-copy | 16 KiB | 48828160 | 20 | - |"), "%s", text);
	cr_expect_not_null(strstr(text, "- !: implausible, below the floor"), "%s", text);
	free(text);
	text = render(&rd, (struct table_options){"all", "srv", 1, TABLE_TEXT});
	cr_expect_not_null(strstr(text, "?: implausible, its counter was on the PMU for under 5%"),
			   "%s", text);
	/* the largest reduction leaves the doubtful LLC count out at 16 KiB */
	cr_expect_not_null(strstr(text, "16 KiB   L1: 40.0% fewer misses per KiB (a level whose "
					"count is implausible left out)"),
			   "%s", text);
	free(text);
	text = render(&rd, (struct table_options){"all", "cli", 1, TABLE_CSV});
	cr_expect_not_null(strstr(text, "L1_vs_two_copy_pct,L1_flag,"), "%s", text);
	cr_expect_not_null(strstr(text, ",below_floor,"), "%s", text);
	free(text);
	results_dir_free(&rd);
	placed_folder_remove(dir);
}

Test(table, the_fixtures_counts_are_all_plausible)
{
	struct results_dir rd;
	load(PMU, &rd);
	char *text = render(&rd, (struct table_options){"all", "cli", 1, TABLE_TEXT});
	cr_expect_null(strstr(text, "implausible"), "%s", text);
	free(text);
	results_dir_free(&rd);
}
