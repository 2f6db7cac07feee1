/*
 * summary.csv from runs.csv (summary.h): the statistics and which runs count.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "stats.h"
#include "summary.h"

/* runs.csv's columns as run.c writes them (README, "CSV columns"), the measured ones cut short:
 * a row is "impl,mode," LO "size,threads,rep,duration_s,warmup_s," OFF "status,bytes,..." */
static const char header[] =
    "impl,mode,topology,mtu,layout,busy_poll,msg_size,threads,rep,"
    "duration_s,warmup_s,offloads,status,bytes,throughput_gbps,lat_p50_us\n";
#define LO  "loopback,65536,scattered,0," /* topology, mtu, layout, busy_poll */
#define OFF "tso=on;gso=on;gro=on,"	  /* offloads */

static void build(const char *rows, struct dataset *sum)
{
	char *csv, err[256] = "";
	cr_assert_geq(asprintf(&csv, "%s%s", header, rows), 0);
	struct dataset runs;
	cr_assert_eq(dataset_parse(csv, strlen(csv), "runs.csv", &runs, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(summary_build(&runs, NULL, 0, sum, err, sizeof(err)), 0, "%s", err);
	dataset_free(&runs);
	free(csv);
}

static const char *cell(const struct dataset *ds, size_t row, const char *col)
{
	int c = dataset_col(ds, col);
	cr_assert_geq(c, 0, "no column %s", col);
	return dataset_cell(ds, row, c);
}

Test(summary, median_of_odd_count_is_the_middle_value)
{
	double v[] = {5, 1, 3};
	struct summary_stats st;
	cr_assert_eq(summary_stats_of(v, 3, &st), 0);
	cr_expect_eq(st.n, 3);
	cr_expect_float_eq(st.median, 3, 1e-12);
	cr_expect_float_eq(st.min, 1, 1e-12);
	cr_expect_float_eq(st.max, 5, 1e-12);
	cr_expect_float_eq(v[0], 5, 0, "input left as it was");
}

Test(summary, median_of_even_count_is_the_mean_of_the_middle_two)
{
	double v[] = {4, 1, 10, 2};
	struct summary_stats st;
	cr_assert_eq(summary_stats_of(v, 4, &st), 0);
	cr_expect_float_eq(st.median, 3, 1e-12);
}

Test(summary, cv_is_sample_stddev_over_mean)
{
	double v[] = {2, 4, 4, 4, 5, 5, 7, 9}; /* mean 5, sum of squares 32 */
	struct summary_stats st;
	cr_assert_eq(summary_stats_of(v, 8, &st), 0);
	cr_expect_float_eq(st.cv, sqrt(32.0 / 7.0) / 5.0, 1e-12);
}

Test(summary, cv_is_undefined_for_one_value_or_zero_mean)
{
	double one[] = {3}, zeros[] = {0, 0, 0};
	struct summary_stats st;
	summary_stats_of(one, 1, &st);
	cr_expect(isnan(st.cv));
	cr_expect_float_eq(st.median, 3, 0);
	summary_stats_of(zeros, 3, &st);
	cr_expect(isnan(st.cv));
	cr_expect_float_eq(st.median, 0, 0);
}

Test(summary, interval_of_the_median_holds_it_and_is_the_stats_one)
{
	double v[] = {10.5, 9.75, NAN, 11.25, 10, 12.5};
	struct summary_stats st;
	cr_assert_eq(summary_stats_of(v, 6, &st), 0);
	struct interval iv;
	cr_assert_eq(stats_median_ci(v, 6, &iv), 0);
	cr_expect_eq(st.ci_lo, iv.lo);
	cr_expect_eq(st.ci_hi, iv.hi);
	cr_expect(st.ci_lo <= st.median && st.median <= st.ci_hi, "%g not in [%g, %g]", st.median,
		  st.ci_lo, st.ci_hi);
	cr_expect(st.min <= st.ci_lo && st.ci_hi <= st.max);
}

Test(summary, empty_values_are_skipped_and_none_gives_nan)
{
	double v[] = {NAN, 7, NAN, 1};
	struct summary_stats st;
	summary_stats_of(v, 4, &st);
	cr_expect_eq(st.n, 2);
	cr_expect_float_eq(st.median, 4, 1e-12);
	double none[] = {NAN, NAN};
	summary_stats_of(none, 2, &st);
	cr_expect_eq(st.n, 0);
	cr_expect(isnan(st.median) && isnan(st.min) && isnan(st.max) && isnan(st.cv));
	cr_expect(isnan(st.ci_lo) && isnan(st.ci_hi));
}

Test(summary, numbers_read_back_as_written)
{
	char buf[64];
	summary_format_num(NAN, buf, sizeof(buf));
	cr_expect_str_eq(buf, "");
	summary_format_num(1234567890123.0, buf, sizeof(buf));
	cr_expect_str_eq(buf, "1234567890123");
	summary_format_num(-0.0, buf, sizeof(buf));
	cr_expect_str_eq(buf, "0");
	summary_format_num(1.25, buf, sizeof(buf));
	cr_expect_str_eq(buf, "1.25");
	summary_format_num(1.668437, buf, sizeof(buf));
	cr_expect_str_eq(buf, "1.668437");
	summary_format_num(1.0 / 3.0, buf, sizeof(buf));
	cr_expect_str_eq(buf, "0.3333333333", "at most 10 significant digits");
}

Test(summary, one_row_per_point_with_identity_and_counts)
{
	struct dataset sum;
	build("two-copy,stream," LO "1024,1,1,1,0.2," OFF "ok,100,1.5,\n"
	      "two-copy,stream," LO "1024,1,2,1,0.2," OFF "ok,300,2.5,\n"
	      "two-copy,stream," LO "256,1,1,1,0.2," OFF "ok,50,0.5,\n",
	      &sum);
	cr_assert_eq(sum.nrows, 2);
	/* the identity is every column before rep: impl..threads with mtu */
	cr_expect_str_eq(sum.cols[0], "impl");
	cr_expect_str_eq(sum.cols[3], "mtu");
	cr_expect_str_eq(sum.cols[7], "threads");
	cr_expect_str_eq(sum.cols[8], "duration_s");
	cr_expect_str_eq(sum.cols[9], "runs");
	cr_expect_str_eq(sum.cols[10], "failed");
	cr_expect_str_eq(sum.cols[11], "bytes_median");
	cr_expect_str_eq(sum.cols[14], "bytes_cv");
	cr_expect_str_eq(sum.cols[15], "bytes_ci_lo");
	cr_expect_str_eq(sum.cols[16], "bytes_ci_hi");
	cr_expect_str_eq(sum.cols[17], "throughput_gbps_median");
	cr_expect_eq(sum.ncols, 11 + 3 * 6);
	cr_expect_eq(dataset_col(&sum, "rep_median"), -1, "rep is identity, not measured");
	cr_expect_eq(dataset_col(&sum, "warmup_s_median"), -1);
	cr_expect_eq(dataset_col(&sum, "offloads"), -1, "offloads describes a run, not a point");
	cr_expect_eq(dataset_col(&sum, "offloads_median"), -1, "offloads is not measured");
	cr_expect_str_eq(cell(&sum, 0, "mtu"), "65536");
	/* sorted by size numerically: 256 before 1024 */
	cr_expect_str_eq(cell(&sum, 0, "msg_size"), "256");
	cr_expect_str_eq(cell(&sum, 1, "msg_size"), "1024");
	cr_expect_str_eq(cell(&sum, 1, "runs"), "2");
	cr_expect_str_eq(cell(&sum, 1, "failed"), "0");
	cr_expect_str_eq(cell(&sum, 1, "bytes_median"), "200");
	cr_expect_str_eq(cell(&sum, 1, "bytes_min"), "100");
	cr_expect_str_eq(cell(&sum, 1, "bytes_max"), "300");
	cr_expect_str_eq(cell(&sum, 1, "throughput_gbps_median"), "2");
	cr_expect_str_eq(cell(&sum, 0, "bytes_cv"), "", "one value: no cv");
	cr_expect_str_eq(cell(&sum, 0, "bytes_ci_lo"), "50",
			 "one value: the interval is that value");
	cr_expect_str_eq(cell(&sum, 0, "bytes_ci_hi"), "50");
	cr_expect_str_eq(cell(&sum, 1, "bytes_ci_lo"), "100",
			 "two values: the interval spans them");
	cr_expect_str_eq(cell(&sum, 1, "bytes_ci_hi"), "300");
	dataset_free(&sum);
}

Test(summary, failed_runs_are_counted_and_left_out)
{
	struct dataset sum;
	build("one-copy,rr," LO "4096,2,1,1,0.2," OFF "ok,100,1,10\n"
	      "one-copy,rr," LO "4096,2,2,1,0.2," OFF "failed:client_exit_1,,,\n"
	      /* run.c never fills a failed row; were it filled, it still would not count */
	      "one-copy,rr," LO "4096,2,3,1,0.2," OFF "failed:timeout,999,99,99\n"
	      "one-copy,rr," LO "4096,2,4,1,0.2," OFF "ok,200,2,30\n",
	      &sum);
	cr_assert_eq(sum.nrows, 1);
	cr_expect_str_eq(cell(&sum, 0, "runs"), "4");
	cr_expect_str_eq(cell(&sum, 0, "failed"), "2");
	cr_expect_str_eq(cell(&sum, 0, "bytes_median"), "150");
	cr_expect_str_eq(cell(&sum, 0, "bytes_max"), "200");
	cr_expect_str_eq(cell(&sum, 0, "lat_p50_us_median"), "20");
	cr_expect_str_eq(cell(&sum, 0, "bytes_ci_hi"), "200", "the failed run's 999 is left out");
	dataset_free(&sum);
}

Test(summary, column_never_measured_gives_empty_cells_never_zero)
{
	struct dataset sum;
	build("zero-copy,stream," LO "256,1,1,1,0.2," OFF "ok,100,1,\n"
	      "zero-copy,stream," LO "256,1,2,1,0.2," OFF "ok,100,1,\n",
	      &sum);
	cr_expect_str_eq(cell(&sum, 0, "lat_p50_us_median"), "");
	cr_expect_str_eq(cell(&sum, 0, "lat_p50_us_min"), "");
	cr_expect_str_eq(cell(&sum, 0, "lat_p50_us_max"), "");
	cr_expect_str_eq(cell(&sum, 0, "lat_p50_us_cv"), "");
	cr_expect_str_eq(cell(&sum, 0, "lat_p50_us_ci_lo"), "");
	cr_expect_str_eq(cell(&sum, 0, "lat_p50_us_ci_hi"), "");
	cr_expect_str_eq(cell(&sum, 0, "bytes_cv"), "0");
	cr_expect_str_eq(cell(&sum, 0, "bytes_ci_lo"), "100");
	cr_expect_str_eq(cell(&sum, 0, "bytes_ci_hi"), "100");
	dataset_free(&sum);
}

Test(summary, point_whose_runs_all_failed_has_a_row_of_empty_stats)
{
	struct dataset sum;
	build("a,stream," LO "256,1,1,1,0.2," OFF "failed:server_no_listen,,,\n", &sum);
	cr_assert_eq(sum.nrows, 1);
	cr_expect_str_eq(cell(&sum, 0, "failed"), "1");
	cr_expect_str_eq(cell(&sum, 0, "bytes_median"), "");
	cr_expect_str_eq(cell(&sum, 0, "bytes_ci_lo"), "");
	cr_expect_str_eq(cell(&sum, 0, "bytes_ci_hi"), "");
	dataset_free(&sum);
}

Test(summary, impl_order_decides_row_order)
{
	const char *csv_rows = "two-copy,stream," LO "256,1,1,1,0.2," OFF "ok,1,1,\n"
			       "zero-copy,stream," LO "256,1,1,1,0.2," OFF "ok,1,1,\n"
			       "one-copy,stream," LO "256,1,1,1,0.2," OFF "ok,1,1,\n";
	char *csv, err[256];
	cr_assert_geq(asprintf(&csv, "%s%s", header, csv_rows), 0);
	struct dataset runs, sum;
	cr_assert_eq(dataset_parse(csv, strlen(csv), "runs.csv", &runs, err, sizeof(err)), 0);
	const char *order[] = {"two-copy", "one-copy", "zero-copy"};
	cr_assert_eq(summary_build(&runs, order, 3, &sum, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(cell(&sum, 0, "impl"), "two-copy");
	cr_expect_str_eq(cell(&sum, 1, "impl"), "one-copy");
	cr_expect_str_eq(cell(&sum, 2, "impl"), "zero-copy");
	dataset_free(&sum);
	dataset_free(&runs);
	free(csv);
}

Test(summary, runs_without_identity_columns_is_an_error)
{
	const char *csv = "impl,mode,status,bytes\na,stream,ok,1\n";
	struct dataset runs, sum;
	char err[256] = "";
	cr_assert_eq(dataset_parse(csv, strlen(csv), "runs.csv", &runs, err, sizeof(err)), 0);
	cr_expect_eq(summary_build(&runs, NULL, 0, &sum, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "no column rep"), "%s", err);
	dataset_free(&runs);
	csv = "impl,mode,layout,busy_poll,msg_size,threads,rep,duration_s,status,bytes\n"
	      "a,stream,scattered,0,1,1,1,1,ok,1\n";
	cr_assert_eq(dataset_parse(csv, strlen(csv), "runs.csv", &runs, err, sizeof(err)), 0);
	cr_expect_eq(summary_build(&runs, NULL, 0, &sum, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "no column topology"), "%s", err);
	dataset_free(&runs);
}

Test(summary, another_column_before_rep_names_points_too)
{
	const char *csv =
	    "impl,mode,topology,mtu,layout,busy_poll,msg_size,threads,rep,duration_s,"
	    "warmup_s,offloads,status,bytes\n"
	    "a,stream,netns,1500,scattered,0,256,1,1,1,0,tso=on;gso=on;gro=off,ok,10\n"
	    "a,stream,netns,9000,scattered,0,256,1,1,1,0,tso=on;gso=on;gro=off,ok,30\n"
	    "a,stream,netns,1500,scattered,0,256,1,2,1,0,tso=on;gso=on;gro=off,ok,20\n";
	struct dataset runs, sum;
	char err[256] = "";
	cr_assert_eq(dataset_parse(csv, strlen(csv), "runs.csv", &runs, err, sizeof(err)), 0);
	cr_assert_eq(summary_build(&runs, NULL, 0, &sum, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(sum.nrows, 2);
	cr_expect_str_eq(sum.cols[3], "mtu");
	cr_expect_str_eq(cell(&sum, 0, "mtu"), "1500");
	cr_expect_str_eq(cell(&sum, 0, "bytes_median"), "15");
	cr_expect_str_eq(cell(&sum, 1, "mtu"), "9000");
	cr_expect_str_eq(cell(&sum, 1, "runs"), "1");
	dataset_free(&sum);
	dataset_free(&runs);
}

Test(summary, write_goes_through_a_temporary_file_and_reads_back)
{
	char dir[] = "/tmp/copyscope-summary-XXXXXX", runs_path[64], sum_path[64], tmp[80];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(runs_path, sizeof(runs_path), "%s/runs.csv", dir);
	snprintf(sum_path, sizeof(sum_path), "%s/summary.csv", dir);
	FILE *f = fopen(runs_path, "w");
	fprintf(f, "%s%s", header, "two-copy,stream," LO "256,1,1,1,0.2," OFF "ok,7,0.5,\n");
	fclose(f);
	char err[256] = "";
	cr_assert_eq(summary_write(runs_path, sum_path, NULL, 0, err, sizeof(err)), 0, "%s", err);
	snprintf(tmp, sizeof(tmp), "%s.tmp", sum_path);
	cr_expect_neq(access(tmp, F_OK), 0, "temporary file left behind");
	struct dataset sum;
	cr_assert_eq(dataset_load(sum_path, &sum, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(cell(&sum, 0, "bytes_median"), "7");
	cr_expect_str_eq(cell(&sum, 0, "throughput_gbps_max"), "0.5");
	dataset_free(&sum);
	unlink(sum_path);
	unlink(runs_path);
	rmdir(dir);
}

Test(summary, unreadable_runs_names_the_file)
{
	char err[256] = "";
	cr_expect_eq(summary_write("/nonexistent/runs.csv", "/nonexistent/summary.csv", NULL, 0,
				   err, sizeof(err)),
		     -1);
	cr_expect_not_null(strstr(err, "/nonexistent/runs.csv"), "%s", err);
}
