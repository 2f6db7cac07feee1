/*
 * Sweep files (sweepfile.h) and the run plan made from them (sweep.h).
 */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"
#include "plan.h"
#include "sweepfile.h"
#include "units.h"

/* A scratch tree: ROOT/sweeps/ for sweep files, ROOT/events/ with two event files. */
static char root[64];
static char sweep_path[128];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void make_tree(void)
{
	char p[160];
	snprintf(root, sizeof(root), "/tmp/copyscope-sweepfile-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/sweeps", root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/events", root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/events/parte.events", root);
	write_file(p, "cycles - PERF_COUNT_HW_CPU_CYCLES\n");
	snprintf(p, sizeof(p), "%s/events/software.events", root);
	write_file(p, "task_clock - PERF_COUNT_SW_TASK_CLOCK\n");
	snprintf(sweep_path, sizeof(sweep_path), "%s/sweeps/t.ini", root);
}

static void remove_tree(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(sweepfile, .init = make_tree, .fini = remove_tree);

/* Aliases as the workloads' table has them. */
static int fake_resolve(const char *name, char *canon, size_t len, char *err, size_t errlen)
{
	static const char *const table[][2] = {
	    {"two-copy", "a1"}, {"one-copy", "a2"}, {"zero-copy", "a3"}, {"uring-zc", "a4"}};
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(name, table[i][0]) || !strcmp(name, table[i][1])) {
			snprintf(canon, len, "%s", table[i][0]);
			return 0;
		}
	snprintf(err, errlen,
		 "%s: unknown strategy (expected two-copy, one-copy, zero-copy or "
		 "uring-zc)",
		 name);
	return -1;
}

static const struct sweepfile_options opts = {.resolve_impl = fake_resolve};

static const char minimal[] = "impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\n";

static int parse(const char *text, struct sweep_config *cfg, char *err, size_t errlen)
{
	return sweepfile_parse(text, sweep_path, &opts, cfg, err, errlen);
}

/* Parses text expecting an error; err must start with "FILE:line:" and contain want. */
static void expect_error(const char *text, int line, const char *want)
{
	struct sweep_config cfg;
	char err[512] = "", prefix[256];
	cr_assert_eq(parse(text, &cfg, err, sizeof(err)), -1, "accepted: %s", text);
	snprintf(prefix, sizeof(prefix), "%s:%d: ", sweep_path, line);
	cr_expect_eq(strncmp(err, prefix, strlen(prefix)), 0, "err '%s' does not start '%s'", err,
		     prefix);
	cr_expect_not_null(strstr(err, want), "err '%s' lacks '%s'", err, want);
}

/* The first CPU this process may run on, and the last of the run of CPUs it starts. */
static void first_cpus(int *first, int *last)
{
	cpu_set_t set;
	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	*first = 0;
	while (!CPU_ISSET(*first, &set))
		(*first)++;
	*last = *first;
	while (*last + 1 < CPU_SETSIZE && CPU_ISSET(*last + 1, &set))
		(*last)++;
}

Test(sweepfile, full_file_gives_every_field)
{
	int first, last;
	first_cpus(&first, &last);
	char text[1024], client_cpus[32], server_cpus[16];
	snprintf(server_cpus, sizeof(server_cpus), "%d", first);
	snprintf(client_cpus, sizeof(client_cpus), "%d-%d,%d", first, last, first);
	snprintf(text, sizeof(text),
		 "# the grid\n"
		 "impls = two-copy, a2 zero-copy\n"
		 "sizes = 256 1K 64K 1M\n"
		 "threads = 1,2 , 4\n"
		 "modes = stream rr\n"
		 "layouts = scattered contiguous\n"
		 "busy_poll = both\n"
		 "topologies = loopback\n"
		 "reps = 3\n"
		 "duration = 500ms\n"
		 "warmup = 0.25s\n"
		 "events = software   # no PMU needed\n"
		 "server_cpus = %s\n"
		 "client_cpus = %s\n"
		 "order = sequential\n"
		 "seed = 12345678901\n",
		 server_cpus, client_cpus);
	struct sweep_config cfg;
	char err[512] = "";
	cr_assert_eq(parse(text, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(cfg.n_impls, 3);
	cr_expect_str_eq(cfg.impls[1], "one-copy");
	cr_expect_eq(cfg.n_sizes, 4);
	cr_expect_eq(cfg.sizes[0], 256);
	cr_expect_eq(cfg.sizes[1], 1024);
	cr_expect_eq(cfg.sizes[2], 65536);
	cr_expect_eq(cfg.sizes[3], 1048576);
	cr_expect_eq(cfg.n_threads, 3);
	cr_expect_eq(cfg.threads[2], 4);
	cr_expect_eq(cfg.n_modes, 2);
	cr_expect_eq(cfg.n_layouts, 2);
	cr_expect_eq(cfg.n_busy_poll, 2);
	cr_expect_eq(cfg.reps, 3);
	cr_expect_float_eq(cfg.duration_s, 0.5, 1e-12);
	cr_expect_float_eq(cfg.warmup_s, 0.25, 1e-12);
	char want[160];
	snprintf(want, sizeof(want), "%s/events/software.events", root);
	cr_expect_str_eq(cfg.events_path, want);
	cr_expect_eq(cfg.events_line, 12);
	cr_expect_str_eq(cfg.server_cpus, server_cpus);
	cr_expect_str_eq(cfg.client_cpus, client_cpus);
	cr_expect_eq(cfg.shuffled, 0);
	cr_expect_eq(cfg.seed_given, 1);
	cr_expect_eq(cfg.seed, 12345678901ull);
	cr_expect_eq(sweep_config_points(&cfg), 3 * 4 * 3 * 2 * 2 * 2);
	cr_expect_str_eq(cfg.name, "t");
	sweepfile_free(&cfg);
}

Test(sweepfile, defaults_fill_what_is_not_given)
{
	struct sweep_config cfg;
	char err[512] = "";
	cr_assert_eq(parse(minimal, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(cfg.modes[0], "stream");
	cr_expect_str_eq(cfg.layouts[0], "scattered");
	cr_expect_str_eq(cfg.topologies[0], "loopback");
	cr_expect_eq(cfg.n_busy_poll, 1);
	cr_expect_eq(cfg.busy_poll[0], 0);
	cr_expect_eq(cfg.reps, 1);
	cr_expect_eq(cfg.shuffled, 1);
	cr_expect_eq(cfg.seed_given, 0);
	cr_expect_not_null(strstr(cfg.events_path, "events/parte.events"));
	cr_expect_null(cfg.server_cpus);
	sweepfile_free(&cfg);
}

Test(sweepfile, sweep_section_and_continued_lists_are_accepted)
{
	const char *text = "[sweep]\nimpls = a1\nsizes = 256\n  1K 4K\n\tM\nthreads = 1\n"
			   "duration = 1\n";
	struct sweep_config cfg;
	char err[512] = "";
	/* "M" alone is not a size: the continuation line is parsed like the first */
	cr_assert_eq(parse(text, &cfg, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, ":5: sizes: M:"), "%s", err);
	text = "[sweep]\nimpls = a1\nsizes = 256\n  1K 4K\nthreads = 1\nduration = 1\n";
	cr_assert_eq(parse(text, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(cfg.n_sizes, 3);
	cr_expect_eq(cfg.sizes[2], 4096);
	sweepfile_free(&cfg);
}

Test(sweepfile, events_path_with_slash_is_taken_from_the_cwd)
{
	char text[512], ev[128];
	snprintf(ev, sizeof(ev), "%s/events/software.events", root);
	snprintf(text, sizeof(text), "%sevents = %s\n", minimal, ev);
	struct sweep_config cfg;
	char err[512] = "";
	cr_assert_eq(parse(text, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(cfg.events_path, ev);
	sweepfile_free(&cfg);
}

Test(sweepfile, events_override_replaces_the_key)
{
	char ev[128];
	snprintf(ev, sizeof(ev), "%s/events/software.events", root);
	struct sweepfile_options o = {.resolve_impl = fake_resolve, .events_path = ev};
	struct sweep_config cfg;
	char err[512] = "";
	cr_assert_eq(sweepfile_parse("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\n"
				     "events = nowhere\n",
				     sweep_path, &o, &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_expect_str_eq(cfg.events_path, ev);
	sweepfile_free(&cfg);
}

Test(sweepfile, load_reads_the_file_and_keeps_its_text)
{
	write_file(sweep_path, minimal);
	struct sweep_config cfg;
	char err[512] = "";
	cr_assert_eq(sweepfile_load(sweep_path, &opts, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(cfg.text, minimal);
	cr_expect_str_eq(cfg.path, sweep_path);
	sweepfile_free(&cfg);
}

Test(sweepfile, missing_file_names_the_file)
{
	struct sweep_config cfg;
	char err[512] = "";
	cr_assert_eq(sweepfile_load("/nonexistent/x.ini", &opts, &cfg, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "/nonexistent/x.ini: "), "%s", err);
}

Test(sweepfile, size_suffixes)
{
	unsigned long b;
	cr_expect_eq(sweep_parse_size("256", &b), 0);
	cr_expect_eq(b, 256);
	cr_expect_eq(sweep_parse_size("1K", &b), 0);
	cr_expect_eq(b, 1024);
	cr_expect_eq(sweep_parse_size("64k", &b), 0);
	cr_expect_eq(b, 65536);
	cr_expect_eq(sweep_parse_size("1M", &b), 0);
	cr_expect_eq(b, 1048576);
	cr_expect_eq(sweep_parse_size("64M", &b), 0);
	cr_expect_eq(sweep_parse_size("65M", &b), -1);
	cr_expect_eq(sweep_parse_size("12Q", &b), -1);
	cr_expect_eq(sweep_parse_size("0", &b), -1);
	cr_expect_eq(sweep_parse_size("7", &b), -1, "below the 8 fields of a message");
	cr_expect_eq(sweep_parse_size("8", &b), 0);
	cr_expect_eq(sweep_parse_size("-1", &b), -1);
	cr_expect_eq(sweep_parse_size("1KK", &b), -1);
	cr_expect_eq(sweep_parse_size("K", &b), -1);
	cr_expect_eq(sweep_parse_size("", &b), -1);
	cr_expect_eq(sweep_parse_size("99999999999999999999999", &b), -1);
}

/* Sweep files read sizes as the client and `copyscope run` do (common/units.c). */
Test(sweepfile, sizes_read_as_the_workloads_read_them)
{
	unsigned long b;
	uint64_t v;
	const char *forms[] = {"16KiB", "16kib", "1MiB", "64MiB", "16K"};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		cr_expect_eq(sweep_parse_size(forms[i], &b), 0, "%s", forms[i]);
		cr_expect_eq(parse_size(forms[i], MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE, &v), 0);
		cr_expect_eq(b, v, "%s", forms[i]);
	}
}

/* One bound for the longest window: sweep files, `run` and the client. */
Test(sweepfile, seconds_bound_is_the_shared_one)
{
	struct sweep_config cfg;
	char err[256];
	cr_expect_eq(sweepfile_parse("impls = a1\nsizes = 1K\nthreads = 1\nduration = 3600\n",
				     sweep_path, NULL, &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_expect(cfg.duration_s == SECONDS_MAX_S, "%g", cfg.duration_s);
	sweepfile_free(&cfg);
	cr_expect_neq(sweepfile_parse("impls = a1\nsizes = 1K\nthreads = 1\nduration = 3601\n",
				      sweep_path, NULL, &cfg, err, sizeof(err)),
		      0);
}

/* `uring-zc?`: optional. A resolver that says "left out of this build" (1)
 * drops it from the grid and names it; without the mark it is bad input. */
static int resolve_without_uring(const char *name, char *canonical, size_t len, char *err,
				 size_t errlen)
{
	if (!strcmp(name, "uring-zc")) {
		snprintf(err, errlen, "uring-zc: not in this build: install liburing-dev, then make");
		return 1;
	}
	snprintf(canonical, len, "%s", name);
	return 0;
}

Test(sweepfile, optional_strategy_missing_from_the_build_is_left_out_and_named)
{
	struct sweepfile_options opts = {.resolve_impl = resolve_without_uring};
	struct sweep_config cfg;
	char err[256];
	cr_assert_eq(sweepfile_parse("impls = two-copy uring-zc?\nsizes = 1K\nthreads = 1\nduration = 1\n",
				     sweep_path, &opts, &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(cfg.n_impls, 1);
	cr_expect_str_eq(cfg.impls[0], "two-copy");
	cr_assert_eq(cfg.n_left_out, 1);
	cr_expect_not_null(strstr(cfg.left_out[0], "install liburing-dev"));
	cr_expect_eq(cfg.impls_line, 1);
	sweepfile_free(&cfg);
}

Test(sweepfile, strategy_missing_from_the_build_without_the_mark_is_bad_input)
{
	struct sweepfile_options opts = {.resolve_impl = resolve_without_uring};
	struct sweep_config cfg;
	char err[256];
	cr_assert_neq(sweepfile_parse("impls = two-copy uring-zc\nsizes = 1K\nthreads = 1\nduration = 1\n",
				      sweep_path, &opts, &cfg, err, sizeof(err)),
		      0);
	cr_expect_not_null(
	    strstr(err, "t.ini:1: impls: uring-zc: not in this build: install liburing-dev, then make"),
	    "%s", err);
}

Test(sweepfile, only_optional_strategies_all_missing_is_bad_input)
{
	struct sweepfile_options opts = {.resolve_impl = resolve_without_uring};
	struct sweep_config cfg;
	char err[256];
	cr_assert_neq(sweepfile_parse("impls = uring-zc?\nsizes = 1K\nthreads = 1\nduration = 1\n",
				      sweep_path, &opts, &cfg, err, sizeof(err)),
		      0);
	cr_expect_not_null(strstr(err, "none of these strategies is in this build"), "%s", err);
}

Test(sweepfile, bad_size_names_its_line)
{
	expect_error("impls = a1\nsizes = 1K 12Q\nthreads = 1\nduration = 1\n", 2,
		     "sizes: 12Q: expected a size");
}

Test(sweepfile, zero_threads_is_refused)
{
	expect_error("impls = a1\nsizes = 1K\nthreads = 0\nduration = 1\n", 3, "threads: 0:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1 1025\nduration = 1\n", 3,
		     "threads: 1025:");
}

Test(sweepfile, empty_impls_is_refused)
{
	expect_error("impls =\nsizes = 1K\nthreads = 1\nduration = 1\n", 1,
		     "impls: expected at least one");
	expect_error("impls = , ,\nsizes = 1K\nthreads = 1\nduration = 1\n", 1,
		     "impls: expected at least one");
}

Test(sweepfile, unknown_impl_is_refused_through_the_resolver)
{
	expect_error("impls = a1 four-copy\nsizes = 1K\nthreads = 1\nduration = 1\n", 1,
		     "impls: four-copy: unknown strategy");
}

Test(sweepfile, alias_and_name_of_one_impl_are_a_duplicate)
{
	expect_error("impls = a1 two-copy\nsizes = 1K\nthreads = 1\nduration = 1\n", 1,
		     "listed twice");
	expect_error("impls = a1\nsizes = 1K 1024\nthreads = 1\nduration = 1\n", 2, "listed twice");
}

Test(sweepfile, zero_reps_is_refused)
{
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nreps = 0\n", 5,
		     "reps: 0:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nreps = 2x\n", 5,
		     "reps: 2x:");
}

Test(sweepfile, bad_durations_are_refused)
{
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 0\n", 4, "duration: 0:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = soon\n", 4, "duration:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1h\n", 4, "duration:");
	/* below what copyscope-client takes for --duration: it would refuse every run */
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 0.0001\n", 4,
		     "duration: 0.0001: expected seconds from 0.001");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 0.9ms\n", 4,
		     "duration: 0.9ms:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nwarmup = -1\n", 5,
		     "warmup:");
}

Test(sweepfile, the_shortest_window_the_client_takes_is_accepted)
{
	struct sweep_config cfg;
	char err[512] = "";
	cr_assert_eq(
	    parse("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1ms\n", &cfg, err, sizeof(err)),
	    0, "%s", err);
	cr_expect_eq(cfg.duration_s, DURATION_MIN_S);
	sweepfile_free(&cfg);
}

/* A CPU list the workloads could not pin to: refused here, not by every run. */
Test(sweepfile, cpus_this_machine_does_not_offer_are_refused)
{
	cpu_set_t set;
	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	int missing = CPU_SETSIZE - 1, first, last;
	while (missing >= 0 && CPU_ISSET(missing, &set))
		missing--;
	if (missing < 0)
		cr_skip_test("every CPU below CPU_SETSIZE is available");
	first_cpus(&first, &last);
	char text[256], want[128];
	snprintf(text, sizeof(text),
		 "impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nserver_cpus = %d\n", missing);
	snprintf(want, sizeof(want), "server_cpus: %d: CPU %d is not available here (expected CPUs",
		 missing, missing);
	expect_error(text, 5, want);
	snprintf(text, sizeof(text),
		 "impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nclient_cpus = %d,%d\n", first,
		 missing);
	snprintf(want, sizeof(want), "client_cpus: %d,%d: CPU %d is not available", first, missing,
		 missing);
	expect_error(text, 5, want);
}

Test(sweepfile, bad_choices_are_refused)
{
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nmodes = stream pingpong\n",
		     5, "modes: pingpong: expected stream or rr");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nlayouts = packed\n", 5,
		     "layouts: packed:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nbusy_poll = yes\n", 5,
		     "busy_poll: yes: expected off, on or both");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\ntopologies = wan\n", 5,
		     "topologies: wan:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\norder = random\n", 5,
		     "order: random:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nseed = -3\n", 5, "seed:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nserver_cpus = 3-1\n", 5,
		     "server_cpus: 3-1:");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nclient_cpus = 0,,1\n", 5,
		     "client_cpus:");
}

Test(sweepfile, unknown_key_is_refused)
{
	expect_error("impls = a1\nsizes = 1K\nthread = 1\nduration = 1\n", 3,
		     "thread: unknown key");
}

Test(sweepfile, unknown_section_is_refused)
{
	expect_error("impls = a1\n[grid]\nsizes = 1K\nthreads = 1\nduration = 1\n", 2,
		     "[grid]: unknown section");
}

Test(sweepfile, key_given_twice_is_refused)
{
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nthreads = 2\n", 5,
		     "given twice (first on line 3)");
}

Test(sweepfile, line_without_equals_is_refused)
{
	expect_error("impls = a1\nsizes 1K\nthreads = 1\nduration = 1\n", 2,
		     "expected KEY = VALUE");
}

Test(sweepfile, overlong_line_is_refused)
{
	char text[1024];
	snprintf(text, sizeof(text), "%s# %0600d\n", minimal, 0);
	expect_error(text, 5, "line longer than");
}

Test(sweepfile, missing_event_file_names_the_events_line)
{
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nevents = nope\n", 5,
		     "events/nope.events: No such file");
}

Test(sweepfile, missing_required_key_names_the_file)
{
	struct sweep_config cfg;
	char err[512] = "", want[256];
	cr_assert_eq(parse("impls = a1\nsizes = 1K\nduration = 1\n", &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: no threads key", sweep_path);
	cr_expect_not_null(strstr(err, want), "%s", err);
}

/* --- the plan -------------------------------------------------------------------- */

static void load_grid(const char *extra, struct sweep_config *cfg)
{
	char text[512], err[512] = "";
	snprintf(text, sizeof(text),
		 "impls = a1 a2\nsizes = 256 1K 4K\nthreads = 1 2\nduration = 1\nreps = 3\n%s",
		 extra);
	cr_assert_eq(parse(text, cfg, err, sizeof(err)), 0, "%s", err);
}

Test(sweepfile, shuffled_plan_runs_reps_in_rounds_of_every_point)
{
	struct sweep_config cfg;
	load_grid("", &cfg);
	struct run_plan plan;
	cr_assert_eq(run_plan_build(&cfg, 7, &plan), 0);
	cr_assert_eq(plan.n, 12 * 3);
	for (size_t i = 0; i < plan.n; i++)
		cr_expect_eq(plan.runs[i].rep, i / 12 + 1, "run %zu", i);
	/* every point once per round */
	for (size_t round = 0; round < 3; round++)
		for (size_t i = 0; i < 12; i++)
			for (size_t j = i + 1; j < 12; j++) {
				const struct planned_run *a = &plan.runs[round * 12 + i];
				const struct planned_run *b = &plan.runs[round * 12 + j];
				cr_expect(strcmp(a->impl, b->impl) || a->msg_size != b->msg_size ||
					  a->threads != b->threads);
			}
	run_plan_free(&plan);
	sweepfile_free(&cfg);
}

Test(sweepfile, same_seed_gives_same_order_and_another_seed_another)
{
	struct sweep_config cfg;
	load_grid("", &cfg);
	struct run_plan a, b, c;
	cr_assert_eq(run_plan_build(&cfg, 42, &a), 0);
	cr_assert_eq(run_plan_build(&cfg, 42, &b), 0);
	cr_assert_eq(run_plan_build(&cfg, 43, &c), 0);
	int same_ab = 1, same_ac = 1;
	for (size_t i = 0; i < a.n; i++) {
		char x[256], y[256], z[256];
		planned_run_name(&a.runs[i], x, sizeof(x));
		planned_run_name(&b.runs[i], y, sizeof(y));
		planned_run_name(&c.runs[i], z, sizeof(z));
		same_ab &= !strcmp(x, y);
		same_ac &= !strcmp(x, z);
	}
	cr_expect(same_ab);
	cr_expect_not(same_ac);
	run_plan_free(&a);
	run_plan_free(&b);
	run_plan_free(&c);
	sweepfile_free(&cfg);
}

Test(sweepfile, sequential_plan_is_grid_order_with_reps_together)
{
	struct sweep_config cfg;
	load_grid("order = sequential\n", &cfg);
	struct run_plan plan;
	cr_assert_eq(run_plan_build(&cfg, 1, &plan), 0);
	char name[256];
	planned_run_name(&plan.runs[0], name, sizeof(name));
	cr_expect_str_eq(name, "two-copy_stream_256B_1t_r1");
	planned_run_name(&plan.runs[2], name, sizeof(name));
	cr_expect_str_eq(name, "two-copy_stream_256B_1t_r3");
	planned_run_name(&plan.runs[3], name, sizeof(name));
	cr_expect_str_eq(name, "two-copy_stream_256B_2t_r1");
	planned_run_name(&plan.runs[plan.n - 1], name, sizeof(name));
	cr_expect_str_eq(name, "one-copy_stream_4096B_2t_r3");
	run_plan_free(&plan);
	sweepfile_free(&cfg);
}

Test(sweepfile, raw_names_add_only_what_differs_from_the_defaults)
{
	struct planned_run r = {"one-copy", "stream", "loopback", "scattered", 0, "free", 16384, 4, 2};
	char name[256];
	planned_run_name(&r, name, sizeof(name));
	cr_expect_str_eq(name, "one-copy_stream_16384B_4t_r2");
	r.layout = "contiguous";
	r.busy_poll = 1;
	r.topology = "netns";
	r.placement = "spread";
	planned_run_name(&r, name, sizeof(name));
	cr_expect_str_eq(name, "one-copy_stream_16384B_4t_contiguous_busypoll_netns_spread_r2");
}

Test(sweepfile, placement_is_a_grid_dimension_and_defaults_to_free)
{
	struct sweep_config cfg;
	char err[512];
	cr_assert_eq(parse("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\n", &cfg, err,
			   sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(cfg.n_placements, 1);
	cr_expect_str_eq(cfg.placements[0], "free");
	sweepfile_free(&cfg);
	cr_assert_eq(parse("impls = a1\nsizes = 1K\nthreads = 1 2\nduration = 1\n"
			   "placement = same spread\n",
			   &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(sweep_config_points(&cfg), 4);
	struct run_plan plan;
	cr_assert_eq(run_plan_build(&cfg, 1, &plan), 0);
	size_t same = 0;
	for (size_t i = 0; i < plan.n; i++)
		same += !strcmp(plan.runs[i].placement, "same");
	cr_expect_eq(same, 2);
	run_plan_free(&plan);
	sweepfile_free(&cfg);
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nplacement = near\n", 5,
		     "placement: near:");
}

Test(sweepfile, placement_that_pins_refuses_cpu_lists)
{
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nserver_cpus = 0\n"
		     "placement = free spread\n",
		     6, "placement spread pins the threads itself: drop server_cpus");
	struct sweep_config cfg;
	char err[512];
	cr_expect_eq(parse("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nclient_cpus = 0\n"
			   "placement = free\n",
			   &cfg, err, sizeof(err)),
		     0, "%s", err);
	sweepfile_free(&cfg);
}

Test(sweepfile, resume_drops_runs_already_in_runs_csv)
{
	struct sweep_config cfg;
	load_grid("", &cfg);
	struct run_plan plan;
	cr_assert_eq(run_plan_build(&cfg, 3, &plan), 0);
	/* written before placement was a column: its runs were unpinned, free */
	const char *csv = "impl,mode,topology,layout,busy_poll,msg_size,threads,rep,status\n"
			  "two-copy,stream,loopback,scattered,0,1024,2,3,ok\n"
			  "one-copy,stream,loopback,scattered,0,256,1,1,failed:timeout\n"
			  "one-copy,rr,loopback,scattered,0,256,1,1,ok\n";
	struct dataset ds;
	char err[256];
	cr_assert_eq(dataset_parse(csv, strlen(csv), "runs.csv", &ds, err, sizeof(err)), 0, "%s",
		     err);
	size_t done;
	cr_assert_eq(run_plan_drop_done(&plan, &ds, &done, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(done, 2); /* the rr row is not in this grid */
	cr_expect_eq(plan.n, 34);
	for (size_t i = 0; i < plan.n; i++) {
		char name[256];
		planned_run_name(&plan.runs[i], name, sizeof(name));
		cr_expect_str_neq(name, "two-copy_stream_1024B_2t_r3");
		cr_expect_str_neq(name, "one-copy_stream_256B_1t_r1");
	}
	dataset_free(&ds);
	run_plan_free(&plan);
	sweepfile_free(&cfg);
}

/* `events = auto`: the caller's choice for this machine (pmusets.h), else parte. */
Test(sweepfile, events_auto_takes_the_machines_set)
{
	struct sweepfile_options o = {.resolve_impl = fake_resolve, .auto_events_path = "/x/amd.events"};
	struct sweep_config cfg;
	char err[512];
	cr_assert_eq(sweepfile_parse("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nevents = auto\n",
				     sweep_path, &o, &cfg, err, sizeof(err)),
		     -1, "the file does not exist: refused, naming it");
	cr_expect_not_null(strstr(err, "/x/amd.events"), "%s", err);
	o.auto_events_path = NULL;
	cr_assert_eq(sweepfile_parse("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\nevents = auto\n",
				     sweep_path, &o, &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_expect(cfg.events_auto);
	cr_expect_not_null(strstr(cfg.events_path, "events/parte.events"), "%s", cfg.events_path);
	sweepfile_free(&cfg);
}

/* A section header is refused on its own line, with or without keys after it. */
Test(sweepfile, an_unknown_section_is_refused_on_its_own_line)
{
	expect_error("# c\n\n[swep]\nimpls = a1\nsizes = 1K\nthreads = 1\nduration = 1\n", 3,
		     "[swep]: unknown section");
	expect_error("impls = a1\nsizes = 1K\nthreads = 1\nduration = 1\n[sweeep]\n", 5,
		     "[sweeep]: unknown section");
	struct sweep_config cfg;
	char err[512];
	cr_expect_eq(parse("[Sweep]\nimpls = a1\nsizes = 1K\nthreads = 1\nduration = 1\n", &cfg, err,
			   sizeof(err)),
		     0, "%s", err);
	sweepfile_free(&cfg);
}
