/* reps = auto (harness/autoreps.c): which points get another repetition. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoreps.h"
#include "dataset.h"
#include "plan.h"
#include "sweepfile.h"

static const char grid[] = "impls = two-copy one-copy\nsizes = 1K\nthreads = 1\nmodes = stream rr\n"
			   "reps = auto\nmin_reps = 2\nmax_reps = 4\ntarget = 5%\nduration = 1\n";

static void load(const char *text, struct sweep_config *cfg)
{
	char err[512];
	cr_assert_eq(sweepfile_parse(text, "tests/x/sweeps/a.ini", NULL, cfg, err, sizeof(err)),
		     0, "%s", err);
}

/* runs.csv rows "impl,mode,status,gbps,p50" for the grid's 1K/1 thread points */
static void assess(const struct sweep_config *cfg, const char *rows, struct autoreps_state *st)
{
	char *csv, err[256];
	cr_assert_geq(asprintf(&csv,
			       "impl,mode,topology,layout,busy_poll,placement,msg_size,threads,rep,"
			       "status,throughput_gbps,lat_p50_us\n%s",
			       rows),
		      0);
	struct dataset ds;
	cr_assert_eq(dataset_parse(csv, strlen(csv), "runs.csv", &ds, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(autoreps_assess(cfg, &ds, st, err, sizeof(err)), 0, "%s", err);
	dataset_free(&ds);
	free(csv);
}

#define ROW(impl, mode, rep, status, gbps, p50)                                                  \
	impl "," mode ",loopback,scattered,0,free,1024,1," rep "," status "," gbps "," p50 "\n"

Test(autoreps, steady_points_stop_and_noisy_ones_repeat_widest_first)
{
	struct sweep_config cfg;
	load(grid, &cfg);
	cr_assert(cfg.reps_auto);
	cr_expect_eq(cfg.reps, 2, "the rounds every point gets: min_reps");
	struct autoreps_state st;
	assess(&cfg,
	       ROW("two-copy", "stream", "1", "ok", "10.0", "") ROW("two-copy", "stream", "2", "ok",
								    "10.1", "")
		   ROW("one-copy", "stream", "1", "ok", "10", "") ROW("one-copy", "stream", "2", "ok",
								      "20", "")
		       ROW("two-copy", "rr", "1", "ok", "", "30") ROW("two-copy", "rr", "2", "ok", "",
								      "36")
			   ROW("one-copy", "rr", "1", "ok", "", "40") ROW("one-copy", "rr", "2", "ok",
									  "", "40.1"),
	       &st);
	cr_expect_eq(st.points, 4);
	cr_expect_eq(st.sure, 2, "two-copy stream and one-copy rr are within 5%%");
	cr_assert_eq(st.n_next, 2);
	/* grid order: impl, mode: two-copy stream 0, two-copy rr 1, one-copy stream 2, one-copy rr 3 */
	cr_expect_eq(st.next[0].point, 2, "one-copy stream (10 vs 20) is the widest");
	cr_expect_eq(st.next[1].point, 1, "two-copy rr is judged by its p50 latency");
	cr_expect_eq(st.next[0].rows, 2, "its next rep is 3");
	cr_expect_float_eq(st.widest, st.next[0].halfwidth, 1e-12);
	autoreps_free(&st);
	sweepfile_free(&cfg);
}

Test(autoreps, max_reps_ends_a_point_and_failures_are_not_noise)
{
	struct sweep_config cfg;
	load(grid, &cfg);
	struct autoreps_state st;
	assess(&cfg,
	       ROW("two-copy", "stream", "1", "ok", "10", "") ROW("two-copy", "stream", "2", "ok",
								  "20", "")
		   ROW("two-copy", "stream", "3", "ok", "10", "")
		       ROW("two-copy", "stream", "4", "ok", "20", "")
			   ROW("one-copy", "stream", "1", "failed:timeout", "", "")
			       ROW("one-copy", "stream", "2", "failed:timeout", "", "")
				   ROW("two-copy", "rr", "1", "ok", "", "30")
				       ROW("two-copy", "rr", "2", "failed:timeout", "", ""),
	       &st);
	cr_expect_eq(st.exhausted, 1, "two-copy stream has max_reps rows");
	cr_expect_eq(st.failed, 1, "one-copy stream has no ok run to judge");
	/* two-copy rr: one ok value cannot be judged; one-copy rr: no row yet */
	cr_assert_eq(st.n_next, 2);
	cr_expect(isnan(st.next[0].halfwidth));
	cr_expect_eq(st.next[0].rows + st.next[1].rows, 2);
	autoreps_free(&st);
	sweepfile_free(&cfg);
}

Test(autoreps, a_point_below_min_reps_repeats_however_steady)
{
	struct sweep_config cfg;
	load("impls = two-copy\nsizes = 1K\nthreads = 1\nreps = auto\nmin_reps = 3\nduration = 1\n",
	     &cfg);
	cr_expect_eq(cfg.max_reps, SWEEP_AUTO_DEFAULT_MAX);
	cr_expect_float_eq(cfg.target, SWEEP_AUTO_DEFAULT_TARGET, 1e-12);
	struct autoreps_state st;
	assess(&cfg, ROW("two-copy", "stream", "1", "ok", "10", "")
			 ROW("two-copy", "stream", "2", "ok", "10", ""),
	       &st);
	cr_expect_eq(st.n_next, 1, "an interrupted sweep's point gets its min_reps");
	autoreps_free(&st);
	sweepfile_free(&cfg);
}

Test(autoreps, rounds_repeat_the_points_given_with_their_next_rep)
{
	struct sweep_config cfg;
	load(grid, &cfg);
	struct run_plan plan = {0};
	size_t points[] = {2, 1};
	unsigned reps[] = {3, 5};
	cr_assert_eq(run_plan_round(&cfg, 7, 3, points, reps, 2, &plan), 0);
	cr_assert_eq(plan.n, 2);
	int seen = 0;
	for (size_t i = 0; i < 2; i++) {
		if (!strcmp(plan.runs[i].impl, "one-copy") && !strcmp(plan.runs[i].mode, "stream")) {
			seen |= 1;
			cr_expect_eq(plan.runs[i].rep, 3);
		}
		if (!strcmp(plan.runs[i].impl, "two-copy") && !strcmp(plan.runs[i].mode, "rr")) {
			seen |= 2;
			cr_expect_eq(plan.runs[i].rep, 5);
		}
	}
	cr_expect_eq(seen, 3);
	run_plan_free(&plan);
	sweepfile_free(&cfg);
}

Test(autoreps, keys_are_checked)
{
	struct sweep_config cfg;
	char err[512];
	const char *bad[][2] = {
	    {"reps = 3\nmin_reps = 2\n", "min_reps: only with reps = auto"},
	    {"reps = auto\nmin_reps = 1\n", "min_reps: 1: expected a repetition count from 2"},
	    {"reps = auto\nmin_reps = 5\nmax_reps = 4\n", "min_reps 5 is above max_reps 4"},
	    {"reps = auto\ntarget = 0%\n", "target: 0%: expected"},
	    {"reps = auto\ntarget = 5x\n", "target: 5x: expected"},
	    {"reps = auto\nbudget = forever\n", "budget: forever: expected"},
	    {"reps = sometimes\n", "or auto"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), "impls = two-copy\nsizes = 1K\nthreads = 1\nduration = 1\n%s",
			 bad[i][0]);
		cr_expect_eq(sweepfile_parse(text, "a.ini", NULL, &cfg, err, sizeof(err)), -1, "%s",
			     bad[i][0]);
		cr_expect(strstr(err, bad[i][1]), "'%s' lacks '%s'", err, bad[i][1]);
	}
	cr_assert_eq(sweepfile_parse("impls = a\nsizes = 1K\nthreads = 1\nduration = 1\nreps = auto\n"
				     "target = 0.02\nbudget = 11m\n",
				     "a.ini", NULL, &cfg, err, sizeof(err)),
		     0, "%s", err);
	cr_expect_float_eq(cfg.target, 0.02, 1e-12);
	cr_expect_float_eq(cfg.budget_s, 660, 1e-9);
	sweepfile_free(&cfg);
}
