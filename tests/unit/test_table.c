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
	cr_assert_str_eq(line, "strategy,msg_size,L1_misses,L1_misses_per_kib,L1_vs_two_copy_pct,"
			       "LLC_misses,LLC_misses_per_kib,LLC_vs_two_copy_pct");
	size_t rows = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *f[8], *rest = line;
		size_t n = 0;
		while (n < 8 && (f[n] = strsep(&rest, ",")))
			n++;
		cr_assert_eq(n, 8, "%s", line);
		long row = results_dir_row(&rd, f[0], "stream", atol(f[1]), 1);
		cr_assert_geq(row, 0, "%s", line);
		cr_assert_eq(atof(f[2]), results_dir_num(&rd, row, "srv_l1d_misses_median"));
		cr_assert_eq(atof(f[3]), results_dir_num(&rd, row, "srv_l1d_misses_per_kb_median"));
		cr_assert_eq(atof(f[5]), results_dir_num(&rd, row, "srv_llc_misses_median"));
		cr_assert_eq(atof(f[6]), results_dir_num(&rd, row, "srv_llc_misses_per_kb_median"));
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
