/*
 * Rows and CSV files (results.h), and the run row's columns (run.h): the
 * header is stable, empty means not measured, and a file is never mixed.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "counters.h"
#include "dataset.h"
#include "eventfile.h"
#include "results.h"
#include "row.h"
#include "schema.h"
#include "run.h"

static char err[512];
static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/copyscope-results-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void two_cols(struct result_row *row, const char *a, const char *b)
{
	result_row_init(row);
	cr_assert_eq(result_row_set(row, "impl", "%s", a), 0);
	cr_assert_eq(result_row_set(row, "bytes", "%s", b), 0);
}

Test(result_row, set_keeps_column_order_and_replaces_in_place)
{
	struct result_row row;
	result_row_init(&row);
	result_row_set(&row, "b", "1");
	result_row_set(&row, "a", "2");
	result_row_set(&row, "b", "%d", 3);
	cr_assert_eq(row.n, 2);
	cr_assert_str_eq(row.names[0], "b");
	cr_assert_str_eq(result_row_get(&row, "b"), "3");
	cr_assert_null(result_row_get(&row, "c"));
	result_row_free(&row);
}

Test(result_row, numbers_print_exact_integers_and_six_digits)
{
	struct result_row row;
	result_row_init(&row);
	result_row_set_num(&row, "int", 123456789012.0);
	result_row_set_num(&row, "frac", 3.14159265);
	result_row_set_num(&row, "small", 1.5e-7);
	result_row_set_num(&row, "zero", -0.0);
	result_row_set_num(&row, "nan", NAN);
	result_row_set_num(&row, "inf", INFINITY);
	cr_assert_str_eq(result_row_get(&row, "int"), "123456789012");
	cr_assert_str_eq(result_row_get(&row, "frac"), "3.14159");
	cr_assert_str_eq(result_row_get(&row, "small"), "1.5e-07");
	cr_assert_str_eq(result_row_get(&row, "zero"), "0");
	cr_assert_str_eq(result_row_get(&row, "nan"), "", "not measured is empty, never 0");
	cr_assert_str_eq(result_row_get(&row, "inf"), "");
	result_row_free(&row);
}

Test(result_row, cells_with_commas_quotes_newlines_are_quoted)
{
	struct result_row row;
	two_cols(&row, "a,b", "say \"x\"\n");
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	results_write_header(m, &row);
	results_write_row(m, &row);
	fclose(m);
	cr_assert_str_eq(text, "impl,bytes\n\"a,b\",\"say \"\"x\"\"\n\"\n");
	struct dataset ds;
	cr_assert_eq(dataset_parse(text, len, "m", &ds, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(dataset_cell(&ds, 0, 1), "say \"x\"\n");
	dataset_free(&ds);
	free(text);
	result_row_free(&row);
}

Test(results_append, new_file_gets_header_then_rows_only)
{
	make_dir();
	char path[128];
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	struct result_row row;
	two_cols(&row, "one-copy", "100");
	cr_assert_eq(results_check_appendable(path, &row, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(access(path, F_OK), -1, "checking writes nothing");
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "[ -z \"$(ls -A '%s')\" ]", dir);
	cr_expect_eq(system(cmd), 0, "no probe file left in %s", dir);
	cr_assert_eq(results_append(path, &row, err, sizeof(err)), 0, "%s", err);
	result_row_set(&row, "bytes", "200");
	cr_assert_eq(results_append(path, &row, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(slurp(path), "impl,bytes\none-copy,100\none-copy,200\n");
	result_row_free(&row);
	remove_dir();
}

Test(results_append, different_header_is_refused_and_file_untouched)
{
	make_dir();
	char path[128];
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	struct result_row row;
	two_cols(&row, "one-copy", "100");
	cr_assert_eq(results_append(path, &row, err, sizeof(err)), 0, "%s", err);
	result_row_set(&row, "srv_cycles", "1");
	cr_assert_eq(results_check_appendable(path, &row, err, sizeof(err)), -1);
	cr_assert_eq(results_append(path, &row, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "different CSV header"), "%s", err);
	cr_assert_not_null(strstr(err, path), "%s", err);
	cr_assert_str_eq(slurp(path), "impl,bytes\none-copy,100\n");
	result_row_free(&row);
	remove_dir();
}

Test(results_append, header_prefix_is_not_the_same_header)
{
	make_dir();
	char path[128];
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	FILE *f = fopen(path, "w");
	fputs("impl,bytes,extra\nx,1,2\n", f);
	fclose(f);
	struct result_row row;
	two_cols(&row, "one-copy", "100");
	cr_assert_eq(results_append(path, &row, err, sizeof(err)), -1);
	result_row_free(&row);
	remove_dir();
}

Test(results_append, cut_short_last_row_is_refused)
{
	make_dir();
	char path[128];
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	FILE *f = fopen(path, "w");
	fputs("impl,bytes\nx,1", f);
	fclose(f);
	struct result_row row;
	two_cols(&row, "one-copy", "100");
	cr_assert_eq(results_append(path, &row, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "cut short"), "%s", err);
	result_row_free(&row);
	remove_dir();
}

Test(results_append, unwritable_place_is_refused_before_anything)
{
	struct result_row row;
	two_cols(&row, "one-copy", "100");
	cr_assert_eq(results_check_appendable("/nonexistent-dir/runs.csv", &row, err, sizeof(err)),
		     -1);
	cr_assert_not_null(strstr(err, "/nonexistent-dir/runs.csv"), "%s", err);
	cr_assert_eq(results_check_appendable("/tmp", &row, err, sizeof(err)), -1, "a folder");
	result_row_free(&row);
}

/* access(W_OK) says yes to root for /sys and /proc, where no file can be made. */
Test(results_append, folder_where_no_file_can_be_made_is_refused_even_for_root)
{
	struct result_row row;
	two_cols(&row, "one-copy", "100");
	const char *paths[] = {"/sys/copyscope-runs.csv", "/proc/copyscope-runs.csv"};
	const char *mounted[] = {"/sys/kernel", "/proc/self"}; /* else a plain folder */
	for (size_t i = 0; i < 2; i++) {
		if (access(mounted[i], F_OK))
			continue;
		cr_expect_eq(results_check_appendable(paths[i], &row, err, sizeof(err)), -1, "%s",
			     paths[i]);
		cr_expect_not_null(strstr(err, "cannot create it"), "%s", err);
		cr_expect_eq(access(paths[i], F_OK), -1, "%s: nothing made", paths[i]);
	}
	result_row_free(&row);
}

/* --- the run row's columns ---------------------------------------------- */

static struct counter_plan *plan_of(const char *text)
{
	struct event_set set;
	cr_assert_eq(eventfile_parse(text, strlen(text), "t.events", &set, err, sizeof(err)), 0);
	struct counter_plan *plan = NULL;
	cr_assert_eq(counter_plan_build(&set, &plan, err, sizeof(err)), 0, "%s", err);
	eventfile_free(&set);
	return plan;
}

static const struct run_spec spec = {.impl = "one-copy",
				     .mode = "stream",
				     .layout = "scattered",
				     .topology = "loopback",
				     .msg_size = 16384,
				     .threads = 2,
				     .duration_s = 1.5,
				     .warmup_s = 1};

struct names {
	const char *v[256];
	size_t n;
};

static int collect(const char *name, void *ctx)
{
	struct names *c = ctx;
	if (c->n == 256)
		return -1;
	c->v[c->n++] = strdup(name);
	return 0;
}

/* The row follows the schema (schema.c, whose order the docs pin) for this
 * event set: its counters between the workload and the derived columns. */
Test(run_row, columns_follow_the_contract_in_order)
{
	struct counter_plan *plan = plan_of("cycles - cycles\nl1d_misses L1 L1-DCACHE-LOAD-MISSES\n"
					    "task_clock - task-clock\n");
	struct result_row row;
	result_row_init(&row);
	cr_assert_eq(row_template(&spec, plan, &row), 0);
	struct names want = {.n = 0};
	cr_assert_eq(schema_columns(plan, collect, &want), 0);
	cr_assert_eq(row.n, want.n, "%zu columns, expected %zu", row.n, want.n);
	for (size_t i = 0; i < want.n; i++)
		cr_assert_str_eq(row.names[i], want.v[i], "column %zu", i);
	/* the event set's own columns, where the contract puts them */
	const char *want_after_workload[] = {"srv_cycles", "srv_cycles_running", "cli_cycles",
					     "cli_cycles_running", "srv_l1d_misses"};
	size_t first = schema_nfixed;
	for (size_t i = 0; i < 5; i++)
		cr_expect_str_eq(row.names[first + i], want_after_workload[i]);
	cr_expect_str_eq(row.names[row.n - 1], "cli_tcp_segs_per_msg");
	cr_assert_str_eq(result_row_get(&row, "duration_s"), "1.5");
	cr_assert_str_eq(result_row_get(&row, "threads"), "2");
	cr_assert_str_eq(result_row_get(&row, "srv_cycles"), "", "measured cells start empty");
	cr_assert_str_eq(result_row_get(&row, "srv_tcp_bytes_per_seg"), "");
	for (size_t i = 0; i < want.n; i++)
		free((char *)want.v[i]);
	result_row_free(&row);
	counter_plan_free(plan);
}

Test(run_row, netns_row_names_the_veth_mtu_before_any_run)
{
	struct counter_plan *plan = plan_of("cs - context-switches\n");
	struct run_spec netns = spec;
	netns.topology = "netns";
	struct result_row row;
	result_row_init(&row);
	cr_assert_eq(row_template(&netns, plan, &row), 0);
	cr_assert_str_eq(result_row_get(&row, "topology"), "netns");
	cr_assert_str_eq(result_row_get(&row, "mtu"), "1500", "the default veth MTU");
	cr_assert_str_eq(result_row_get(&row, "offloads"), "", "known once the link exists");
	netns.mtu = 9000;
	cr_assert_eq(row_template(&netns, plan, &row), 0);
	cr_assert_str_eq(result_row_get(&row, "mtu"), "9000");
	result_row_free(&row);
	counter_plan_free(plan);
}

Test(run_row, no_cycles_key_no_cycles_per_byte)
{
	struct counter_plan *plan = plan_of("cs - context-switches\n");
	struct result_row row;
	result_row_init(&row);
	cr_assert_eq(row_template(&spec, plan, &row), 0);
	cr_assert_null(result_row_get(&row, "srv_cycles_per_byte"));
	cr_assert_not_null(result_row_get(&row, "srv_cpu_ns_per_byte"));
	cr_assert_null(result_row_get(&row, "srv_cs_per_kb"), "level '-' has no per-kb column");
	cr_assert_not_null(result_row_get(&row, "cli_cs_per_msg"));
	result_row_free(&row);
	counter_plan_free(plan);
}

Test(run_row, same_spec_and_plan_give_the_same_header)
{
	struct counter_plan *plan = plan_of("cs - context-switches\n");
	struct result_row a, b;
	result_row_init(&a);
	result_row_init(&b);
	row_template(&spec, plan, &a);
	struct run_spec other = spec;
	other.impl = "two-copy";
	other.msg_size = 64;
	row_template(&other, plan, &b);
	cr_assert_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		cr_assert_str_eq(a.names[i], b.names[i]);
	result_row_free(&a);
	result_row_free(&b);
	counter_plan_free(plan);
}

Test(run_row, a_written_run_row_reads_back_through_libcsv)
{
	struct counter_plan *plan = plan_of("cycles - cycles\ncs - context-switches\n");
	struct result_row row;
	result_row_init(&row);
	cr_assert_eq(row_template(&spec, plan, &row), 0);
	result_row_set(&row, "status", "ok");
	result_row_set(&row, "bytes", "1048576");
	result_row_set_num(&row, "srv_cs", 42);
	result_row_set_num(&row, "srv_cs_running", 1);
	make_dir();
	char path[128];
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	cr_assert_eq(results_append(path, &row, err, sizeof(err)), 0, "%s", err);
	result_row_set(&row, "status", "failed:client_exit_1");
	cr_assert_eq(results_append(path, &row, err, sizeof(err)), 0, "%s", err);
	struct dataset ds;
	cr_assert_eq(dataset_load(path, &ds, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ds.ncols, row.n);
	cr_assert_eq(ds.nrows, 2);
	for (size_t i = 0; i < row.n; i++)
		cr_assert_str_eq(ds.cols[i], row.names[i]);
	cr_assert_str_eq(dataset_cell(&ds, 0, dataset_col(&ds, "status")), "ok");
	cr_assert_float_eq(dataset_num(&ds, 0, dataset_col(&ds, "srv_cs")), 42.0, 0);
	cr_assert(isnan(dataset_num(&ds, 0, dataset_col(&ds, "srv_cycles"))), "empty, never 0");
	cr_assert_str_eq(dataset_cell(&ds, 1, dataset_col(&ds, "status")), "failed:client_exit_1");
	dataset_free(&ds);
	result_row_free(&row);
	counter_plan_free(plan);
	remove_dir();
}
