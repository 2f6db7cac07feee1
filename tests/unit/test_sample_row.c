/*
 * Sampling's place in the inputs and the row: the event file's `sample` line
 * (eventfile.h), the sweep keys `sample` and `categories` (sweepfile.h), the
 * sampling columns (schema.h) and their cells (row.h): shares that sum to
 * 100, ns per byte from the side's CPU ns per byte, lost samples, the
 * frequency; empty where a side was not sampled.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "eventfile.h"
#include "results.h"
#include "row.h"
#include "sampler.h"
#include "schema.h"
#include "sweepfile.h"

static char err[1024];

/* --- the event file's sample line ------------------------------------------------ */

static int parse_events(const char *text, struct event_set *set)
{
	err[0] = '\0';
	return eventfile_parse(text, strlen(text), "t.events", set, err, sizeof(err));
}

Test(sample_line, absent_it_is_the_defaults)
{
	struct event_set set;
	cr_assert_eq(parse_events("cs - context-switches\n", &set), 0, "%s", err);
	cr_assert_eq(set.sample.line, 0);
	cr_assert_eq(set.sample.hz, SAMPLE_HZ_DEFAULT);
	cr_assert_eq(set.sample.n, 2);
	cr_assert_str_eq(set.sample.event[0], "cycles");
	cr_assert_str_eq(set.sample.event[1], "task-clock");
	eventfile_free(&set);
}

Test(sample_line, sets_frequency_and_events_and_is_no_counter)
{
	struct event_set set;
	cr_assert_eq(parse_events("cs - context-switches\n"
				  "  sample\thz=499 event=LLC-LOAD-MISSES,cpu-clock  # misses\n",
				  &set),
		     0, "%s", err);
	cr_assert_eq(set.n, 1, "the sample line is not an event");
	cr_assert_eq(set.sample.line, 2);
	cr_assert_eq(set.sample.hz, 499);
	cr_assert_eq(set.sample.n, 2);
	cr_assert_str_eq(set.sample.event[0], "LLC-LOAD-MISSES");
	cr_assert_str_eq(set.sample.event[1], "cpu-clock");
	eventfile_free(&set);
}

Test(sample_line, fields_are_optional)
{
	struct event_set set;
	cr_assert_eq(parse_events("sample hz=250\ncs - context-switches\n", &set), 0, "%s", err);
	cr_assert_eq(set.sample.hz, 250);
	cr_assert_str_eq(set.sample.event[1], "task-clock");
	eventfile_free(&set);
	cr_assert_eq(parse_events("sample\ncs - context-switches\n", &set), 0, "%s", err);
	cr_assert_eq(set.sample.line, 1);
	eventfile_free(&set);
}

static void expect_bad(const char *text, const char *fragment)
{
	struct event_set set;
	cr_assert_eq(parse_events(text, &set), -1, "accepted: %s", text);
	cr_assert_not_null(strstr(err, fragment), "message '%s' lacks '%s'", err, fragment);
	cr_assert_null(strchr(err, '\n'));
}

Test(sample_line, bad_input_names_file_and_line)
{
	expect_bad("cs - cs\nsample hz=0\n", "t.events:2: sample hz=0: expected hz=N, N from 1 to");
	expect_bad("cs - cs\nsample hz=10001\n", "t.events:2: sample hz=10001");
	expect_bad("cs - cs\nsample hz=99x\n", "t.events:2: sample hz=99x");
	expect_bad("sample freq=99\ncs - cs\n", "t.events:1: sample freq=99: expected hz=N and");
	expect_bad("sample hz=9 hz=10\ncs - cs\n", "t.events:1: sample hz=10");
	expect_bad("sample event=\ncs - cs\n", "t.events:1: sample event=: expected event names");
	expect_bad("sample event=a,,b\ncs - cs\n", "t.events:1: sample event=");
	expect_bad("sample event=a,b,c,d,e\ncs - cs\n", "t.events:1: sample event=: more than 4");
	expect_bad("sample hz=9\ncs - cs\nsample hz=10\n", "t.events:3: a second sample line");
	expect_bad("sample - cycles\n", "t.events:1: sample -: expected");
	expect_bad("sample hz=99\n", "t.events: no events");
}

/* --- the sweep keys ------------------------------------------------------------- */

static const char grid[] = "impls = one-copy\nsizes = 256\nthreads = 1\nduration = 0.1\n";

static int parse_sweep(const char *extra, struct sweep_config *cfg)
{
	char text[1024];
	snprintf(text, sizeof(text), "%s%s", grid, extra);
	err[0] = '\0';
	return sweepfile_parse(text, "perfcfg/sweeps/t.ini", NULL, cfg, err, sizeof(err));
}

Test(sample_key, off_unless_the_file_says_on)
{
	struct sweep_config cfg;
	cr_assert_eq(parse_sweep("", &cfg), 0, "%s", err);
	cr_assert_eq(cfg.sample, SWEEP_SAMPLE_DEFAULT);
	sweepfile_free(&cfg);
	cr_assert_eq(parse_sweep("sample = on\n", &cfg), 0, "%s", err);
	cr_assert_eq(cfg.sample, 1);
	cr_assert_eq(cfg.sample_line, 5);
	cr_assert_str_eq(cfg.categories_path, "perfcfg/sweeps/../categories/default.cat");
	sweepfile_free(&cfg);
	cr_assert_eq(parse_sweep("sample = off\n", &cfg), 0, "%s", err);
	cr_assert_eq(cfg.sample, 0);
	cr_assert_null(cfg.categories_path);
	sweepfile_free(&cfg);
}

Test(sample_key, categories_names_a_file_beside_the_sweeps)
{
	struct sweep_config cfg;
	cr_assert_eq(parse_sweep("sample = on\ncategories = default\n", &cfg), 0, "%s", err);
	cr_assert_str_eq(cfg.categories_path, "perfcfg/sweeps/../categories/default.cat");
	cr_assert_eq(cfg.categories_line, 6);
	sweepfile_free(&cfg);
}

Test(sample_key, bad_values_are_file_line)
{
	struct sweep_config cfg;
	cr_assert_eq(parse_sweep("sample = yes\n", &cfg), -1);
	cr_assert_not_null(strstr(err, "t.ini:5: sample: yes: expected on or off"), "%s", err);
	cr_assert_eq(parse_sweep("categories = default\n", &cfg), -1);
	cr_assert_not_null(strstr(err, "t.ini:5: categories: only with sample = on"), "%s", err);
	cr_assert_eq(parse_sweep("sample = on\ncategories = nosuch\n", &cfg), -1);
	cr_assert_not_null(strstr(err, "t.ini:6: categories: perfcfg/sweeps/../categories/"
				       "nosuch.cat: No such file"),
			   "%s", err);
}

/* --- the columns and their cells ------------------------------------------------ */

struct names {
	char *v[512];
	size_t n;
};

static int collect(const char *name, void *ctx)
{
	struct names *c = ctx;
	if (c->n == 512)
		return -1;
	c->v[c->n++] = strdup(name);
	return 0;
}

static struct sample_plan *task_clock_plan(void)
{
	struct sample_spec spec = {.hz = 999, .n = 1, .event = {"task-clock"}};
	struct sample_plan *p = NULL;
	cr_assert_eq(sample_plan_build(&spec, "t.events", "perfcfg/categories/default.cat", &p, err,
				       sizeof(err)),
		     0, "%s", err);
	return p;
}

static struct counter_plan *plan_of(const char *text)
{
	struct event_set set;
	cr_assert_eq(parse_events(text, &set), 0, "%s", err);
	struct counter_plan *plan = NULL;
	cr_assert_eq(counter_plan_build(&set, &plan, err, sizeof(err)), 0, "%s", err);
	eventfile_free(&set);
	return plan;
}

Test(sample_columns, come_after_every_other_column_side_by_side)
{
	struct sample_plan *p = task_clock_plan();
	struct counter_plan *plan = plan_of("task_clock - task-clock\n");
	struct run_spec spec = {.impl = "two-copy",
				.mode = "stream",
				.layout = "scattered",
				.msg_size = 16384,
				.threads = 1,
				.duration_s = 1,
				.sample = p};
	struct result_row row;
	result_row_init(&row);
	cr_assert_eq(row_template(&spec, plan, &row), 0);
	struct names base = {.n = 0}, extra = {.n = 0};
	cr_assert_eq(schema_columns(plan, collect, &base), 0);
	cr_assert_eq(schema_sample_columns(sample_plan_categories(p), collect, &extra), 0);
	cr_assert_eq(row.n, base.n + extra.n);
	cr_assert_str_eq(row.names[base.n], "sample_hz");
	cr_assert_str_eq(extra.v[1], "srv_samples");
	cr_assert_str_eq(extra.v[2], "srv_samples_lost");
	cr_assert_str_eq(extra.v[5], "srv_cat_user_copy_pct");
	size_t nc = categories_count(sample_plan_categories(p));
	cr_assert_str_eq(extra.v[5 + nc - 1], "srv_cat_other_pct");
	cr_assert_str_eq(extra.v[5 + nc], "cli_cat_user_copy_pct");
	cr_assert_str_eq(extra.v[5 + 2 * nc], "srv_cat_user_copy_ns_per_byte");
	cr_assert_eq(extra.n, 5 + 4 * nc);
	for (size_t i = 0; i < extra.n; i++) {
		cr_assert_str_eq(row.names[base.n + i], extra.v[i]);
		cr_assert_str_eq(row.values[base.n + i], "", "%s not measured yet", extra.v[i]);
		free(extra.v[i]);
	}
	for (size_t i = 0; i < base.n; i++)
		free(base.v[i]);
	spec.sample = NULL;
	struct result_row plain;
	result_row_init(&plain);
	cr_assert_eq(row_template(&spec, plan, &plain), 0);
	cr_assert_null(result_row_get(&plain, "sample_hz"), "no sampling, no columns");
	result_row_free(&plain);
	result_row_free(&row);
	counter_plan_free(plan);
	sample_plan_free(p);
}

Test(sample_columns, shares_sum_to_100_and_scale_cpu_ns_per_byte)
{
	struct sample_plan *p = task_clock_plan();
	struct counter_plan *plan = plan_of("task_clock - task-clock\n");
	struct run_spec spec = {.impl = "two-copy",
				.mode = "stream",
				.layout = "scattered",
				.msg_size = 16384,
				.threads = 1,
				.duration_s = 1,
				.sample = p};
	struct result_row row;
	result_row_init(&row);
	cr_assert_eq(row_template(&spec, plan, &row), 0);
	/* server: 2 s of CPU for 1e9 bytes = 2 ns per byte; 4 samples, 1 lost */
	struct counter_value srv_v = {.counted = 1, .value = 2e9, .running = 1};
	struct counter_value cli_v = {.counted = 1, .value = 1e9, .running = 1};
	struct sample_result srv = {.measured = 1, .samples = 4, .lost = 1};
	srv.per_category[0] = 1; /* user_copy */
	srv.per_category[categories_other(sample_plan_categories(p))] = 3;
	struct sample_result cli = {.measured = 0};
	const char *out = "bytes=1000000000\nmsgs=61035\n";
	row_fill(&row, &spec, plan, &(struct row_side){out, &srv_v, NULL, &srv},
		 &(struct row_side){out, &cli_v, NULL, &cli});
	cr_assert_str_eq(result_row_get(&row, "sample_hz"), "999");
	cr_assert_str_eq(result_row_get(&row, "srv_samples"), "4");
	cr_assert_str_eq(result_row_get(&row, "srv_samples_lost"), "1");
	cr_assert_str_eq(result_row_get(&row, "srv_cat_user_copy_pct"), "25");
	cr_assert_str_eq(result_row_get(&row, "srv_cat_other_pct"), "75");
	cr_assert_str_eq(result_row_get(&row, "srv_cat_kernel_copy_pct"), "0");
	cr_assert_str_eq(result_row_get(&row, "srv_cat_user_copy_ns_per_byte"), "0.5");
	cr_assert_str_eq(result_row_get(&row, "srv_cat_other_ns_per_byte"), "1.5");
	cr_assert_str_eq(result_row_get(&row, "cli_samples"), "", "not sampled: empty, never 0");
	cr_assert_str_eq(result_row_get(&row, "cli_cat_user_copy_pct"), "");
	result_row_free(&row);
	counter_plan_free(plan);
	sample_plan_free(p);
}
