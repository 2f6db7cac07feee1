/*
 * Counters (counters.h): the scaling arithmetic, reasons for what cannot be
 * counted, name resolution, and counting this very process.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "eventfile.h"

static char err[512];

static struct counter_plan *plan_of(const char *text)
{
	struct event_set set;
	cr_assert_eq(eventfile_parse(text, strlen(text), "t.events", &set, err, sizeof(err)), 0,
		     "%s", err);
	struct counter_plan *plan = NULL;
	cr_assert_eq(counter_plan_build(&set, &plan, err, sizeof(err)), 0, "%s", err);
	eventfile_free(&set);
	return plan;
}

static int plan_fails(const char *text)
{
	struct event_set set;
	cr_assert_eq(eventfile_parse(text, strlen(text), "t.events", &set, err, sizeof(err)), 0,
		     "%s", err);
	struct counter_plan *plan = NULL;
	int rc = counter_plan_build(&set, &plan, err, sizeof(err));
	eventfile_free(&set);
	counter_plan_free(plan);
	return rc == -1 && plan == NULL;
}

/* --- arithmetic ----------------------------------------------------------- */

Test(counter_scale, always_running_is_the_raw_count)
{
	double v, r;
	counter_scale(1000, 5000, 5000, &v, &r);
	cr_assert_float_eq(v, 1000.0, 0);
	cr_assert_float_eq(r, 1.0, 0);
}

Test(counter_scale, multiplexed_half_the_time_doubles)
{
	double v, r;
	counter_scale(1000, 10000, 5000, &v, &r);
	cr_assert_float_eq(v, 2000.0, 1e-9);
	cr_assert_float_eq(r, 0.5, 1e-12);
}

Test(counter_scale, a_third_is_scaled_without_integer_truncation)
{
	double v, r;
	counter_scale(10, 3, 1, &v, &r);
	cr_assert_float_eq(v, 30.0, 1e-9);
	cr_assert_float_eq(r, 1.0 / 3.0, 1e-12);
	counter_scale(7, 3, 2, &v, &r);
	cr_assert_float_eq(v, 10.5, 1e-9);
}

/*
 * enabled == 0: the counter was never on during the window (never enabled, or
 * its task never ran), so the kernel observed nothing. That is "not measured":
 * an empty cell, never 0 (README, "CSV columns"), as for never_scheduled below.
 */
Test(counter_scale, never_enabled_is_unknown_not_zero)
{
	double v, r;
	counter_scale(0, 0, 0, &v, &r);
	cr_assert(isnan(v), "never enabled: value %g, expected NAN (an empty cell, never 0)", v);
	cr_assert(isnan(r), "never enabled: running %g, expected NAN", r);
}

Test(counter_scale, never_scheduled_is_unknown_not_zero)
{
	double v, r;
	counter_scale(0, 1000, 0, &v, &r);
	cr_assert(isnan(v));
	cr_assert_float_eq(r, 0.0, 0);
}

Test(counter_scale, running_past_enabled_is_clamped)
{
	double v, r;
	counter_scale(123, 1000, 1001, &v, &r);
	cr_assert_float_eq(v, 123.0, 0);
	cr_assert_float_eq(r, 1.0, 0);
}

Test(counter_scale, large_counts_do_not_overflow)
{
	double v, r;
	uint64_t raw = UINT64_C(1) << 62, enabled = UINT64_C(1) << 40, running = UINT64_C(1) << 39;
	counter_scale(raw, enabled, running, &v, &r);
	cr_assert_float_eq(v, ldexp(1.0, 63), ldexp(1.0, 30));
	cr_assert_float_eq(r, 0.5, 1e-12);
}

/* --- reasons ------------------------------------------------------------------ */

Test(counter_reason, no_pmu_is_explained)
{
	char buf[COUNTER_REASON_MAX];
	cr_assert_str_eq(counter_open_reason(ENOENT, PERF_TYPE_HARDWARE, buf, sizeof(buf)),
			 "no hardware PMU exposed (ENOENT)");
	cr_assert_str_eq(counter_open_reason(ENOENT, PERF_TYPE_HW_CACHE, buf, sizeof(buf)),
			 "no hardware PMU exposed (ENOENT)");
	cr_assert_str_eq(counter_open_reason(ENOENT, PERF_TYPE_TRACEPOINT, buf, sizeof(buf)),
			 "no such tracepoint in this kernel (ENOENT)");
}

Test(counter_reason, each_errno_names_itself)
{
	char buf[COUNTER_REASON_MAX];
	cr_assert_not_null(strstr(counter_open_reason(EACCES, 0, buf, sizeof(buf)), "(EACCES)"));
	cr_assert_not_null(strstr(buf, "perf_event_paranoid"));
	cr_assert_not_null(strstr(counter_open_reason(EPERM, 0, buf, sizeof(buf)), "(EPERM)"));
	cr_assert_not_null(strstr(counter_open_reason(ENODEV, 0, buf, sizeof(buf)), "(ENODEV)"));
	cr_assert_not_null(
	    strstr(counter_open_reason(EOPNOTSUPP, 0, buf, sizeof(buf)), "(EOPNOTSUPP)"));
	cr_assert_not_null(strstr(counter_open_reason(EBUSY, 0, buf, sizeof(buf)), "(EBUSY)"));
}

/* --- resolution --------------------------------------------------------------- */

Test(counter_plan, resolves_generic_software_and_tracepoint_names)
{
	struct counter_plan *plan = plan_of("cycles - PERF_COUNT_HW_CPU_CYCLES\n"
					    "l1 L1 L1-DCACHE-LOAD-MISSES\n"
					    "cs - context-switches\n"
					    "tc - PERF_COUNT_SW_TASK_CLOCK:u\n");
	cr_assert_eq(counter_plan_count(plan), 4);
	struct counter_desc d;
	counter_plan_describe(plan, 0, &d);
	cr_assert_eq(d.type, PERF_TYPE_HARDWARE);
	cr_assert_eq(d.config, PERF_COUNT_HW_CPU_CYCLES);
	cr_assert_str_eq(d.group, "cpu");
	cr_assert_not_null(strstr(d.fstr, "PERF_COUNT_HW_CPU_CYCLES"), "%s", d.fstr);
	counter_plan_describe(plan, 1, &d);
	cr_assert_eq(d.type, PERF_TYPE_HW_CACHE);
	cr_assert_str_eq(d.group, "cpu");
	cr_assert_str_eq(d.level, "L1");
	counter_plan_describe(plan, 2, &d);
	cr_assert_eq(d.type, PERF_TYPE_SOFTWARE);
	cr_assert_eq(d.config, PERF_COUNT_SW_CONTEXT_SWITCHES);
	cr_assert_str_eq(d.group, "software");
	counter_plan_describe(plan, 3, &d);
	cr_assert_not_null(strstr(d.fstr, ":u=1:k=0"), "modifier kept: %s", d.fstr);
	cr_assert_str_eq(counter_plan_event(plan, 3)->key, "tc");
	counter_plan_free(plan);
}

Test(counter_plan, unknown_name_is_bad_input_naming_file_line_and_name)
{
	cr_assert(plan_fails("a - cycles\nb - NO_SUCH_EVENT_XYZ\n"));
	cr_assert_not_null(strstr(err, "t.events:2: NO_SUCH_EVENT_XYZ: unknown event"), "%s", err);
}

Test(counter_plan, bad_modifier_is_bad_input)
{
	cr_assert(plan_fails("a - cycles:nonsense=3\n"));
	cr_assert_not_null(strstr(err, "t.events:1: cycles:nonsense=3"), "%s", err);
}

Test(counter_plan, malformed_tracepoint_is_bad_input)
{
	cr_assert(plan_fails("a - tracepoint:skb\n"));
	cr_assert_not_null(strstr(err, "expected tracepoint:<system>:<name>"), "%s", err);
	cr_assert(plan_fails("a - tracepoint:../..:id\n"));
}

/* A fake tracefs with one tracepoint fake:tp whose id is `id`. */
static void fake_tracefs(char *root, size_t len, const char *id)
{
	snprintf(root, len, "/tmp/copyscope-tracefs-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	char p[256];
	snprintf(p, sizeof(p), "%s/events", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/events/fake", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/events/fake/tp", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/events/fake/tp/id", root);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", id);
	fclose(f);
	setenv("COPYSCOPE_TRACEFS", root, 1);
}

static void remove_tracefs(const char *root)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
	unsetenv("COPYSCOPE_TRACEFS");
}

Test(counter_plan, tracepoint_id_comes_from_tracefs)
{
	char root[64];
	fake_tracefs(root, sizeof(root), "4242");
	struct counter_plan *plan = plan_of("rx - tracepoint:fake:tp\n");
	struct counter_desc d;
	counter_plan_describe(plan, 0, &d);
	cr_assert_eq(d.type, PERF_TYPE_TRACEPOINT);
	cr_assert_eq(d.config, 4242);
	cr_assert_str_eq(d.group, "tracepoint");
	cr_assert_null(d.unavailable);
	counter_plan_free(plan);
	cr_assert(plan_fails("rx - tracepoint:fake:nope\n"), "unknown tracepoint is bad input");
	cr_assert_not_null(strstr(err, "t.events:1: tracepoint:fake:nope: unknown tracepoint"),
			   "%s", err);
	remove_tracefs(root);
}

Test(counter_plan, tracefs_not_mounted_is_a_reason_not_an_error)
{
	setenv("COPYSCOPE_TRACEFS", "/nonexistent-tracefs", 1);
	struct counter_plan *plan = plan_of("rx - tracepoint:skb:skb_copy_datagram_iovec\n");
	struct counter_desc d;
	counter_plan_describe(plan, 0, &d);
	cr_assert_not_null(d.unavailable);
	cr_assert_str_eq(d.unavailable,
			 "tracefs not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
	char reason[COUNTER_REASON_MAX];
	cr_assert_eq(counter_probe(plan, 0, reason, sizeof(reason)), 0);
	cr_assert_str_eq(reason, d.unavailable);
	counter_plan_free(plan);
	unsetenv("COPYSCOPE_TRACEFS");
}

/* --- counting ------------------------------------------------------------------ */

static void burn_cpu_ms(double ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) * 1e3 + (double)(t.tv_nsec - t0.tv_nsec) / 1e6 <
		 ms);
}

static void *burner(void *arg)
{
	burn_cpu_ms(*(double *)arg);
	return NULL;
}

Test(counter_set, unsupported_event_leaves_empty_cell_with_a_reason)
{
	char root[64];
	fake_tracefs(root, sizeof(root), "4000000000"); /* no kernel has this tracepoint id */
	struct counter_plan *plan = plan_of("tc - task-clock\nbogus - tracepoint:fake:tp\n");
	struct counter_set *set = NULL;
	cr_assert_eq(counter_set_open(plan, getpid(), &set, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(counter_set_reason(set, 0));
	cr_assert_not_null(counter_set_reason(set, 1));
	cr_assert_eq(counter_set_enable(set), 0);
	burn_cpu_ms(5);
	cr_assert_eq(counter_set_disable(set), 0);
	struct counter_value v[2];
	cr_assert_eq(counter_set_read(set, v, err, sizeof(err)), 0, "%s", err);
	cr_assert(v[0].counted);
	cr_assert_not(v[1].counted, "a counter the machine cannot count is not counted");
	cr_assert(isnan(v[1].value) && isnan(v[1].running), "never 0");
	cr_assert_neq(v[1].reason[0], '\0');
	counter_set_close(set);
	counter_plan_free(plan);
	remove_tracefs(root);
}

Test(counter_set, counts_only_between_enable_and_disable)
{
	struct counter_plan *plan = plan_of("tc - PERF_COUNT_SW_TASK_CLOCK\n");
	struct counter_set *set = NULL;
	cr_assert_eq(counter_set_open(plan, getpid(), &set, err, sizeof(err)), 0, "%s", err);
	burn_cpu_ms(30); /* before the window: not counted */
	counter_set_enable(set);
	burn_cpu_ms(10);
	counter_set_disable(set);
	burn_cpu_ms(30); /* after the window: not counted */
	struct counter_value v;
	cr_assert_eq(counter_set_read(set, &v, err, sizeof(err)), 0, "%s", err);
	cr_assert(v.counted);
	cr_assert_geq(v.value, 9e6, "window ~10 ms of CPU, got %.0f ns", v.value);
	cr_assert_lt(v.value, 35e6, "window only, got %.0f ns", v.value);
	cr_assert_float_eq(v.running, 1.0, 0, "software counters are never multiplexed");
	counter_set_close(set);
	counter_plan_free(plan);
}

/* A window that was never opened (enable never issued, or refused) measured nothing:
 * the counters are open, yet their values are unknown, not 0. */
Test(counter_set, opened_but_never_enabled_reads_as_unknown_not_zero)
{
	struct counter_plan *plan =
	    plan_of("tc - PERF_COUNT_SW_TASK_CLOCK\ncs - context-switches\n");
	struct counter_set *set = NULL;
	cr_assert_eq(counter_set_open(plan, getpid(), &set, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(counter_set_reason(set, 0));
	burn_cpu_ms(10); /* the task runs, but no window is ever opened */
	struct counter_value v[2];
	cr_assert_eq(counter_set_read(set, v, err, sizeof(err)), 0, "%s", err);
	for (int i = 0; i < 2; i++) {
		cr_assert(v[i].counted, "counter %d is open", i);
		cr_assert_eq(v[i].time_enabled, 0, "counter %d was never enabled", i);
		cr_assert(isnan(v[i].value), "counter %d never enabled: value %g, expected NAN", i,
			  v[i].value);
		cr_assert(isnan(v[i].running), "counter %d never enabled: running %g, expected NAN",
			  i, v[i].running);
	}
	counter_set_close(set);
	counter_plan_free(plan);
}

Test(counter_set, inherited_counters_cover_threads_created_later)
{
	struct counter_plan *plan = plan_of("tc - task-clock\ncs - context-switches\n");
	struct counter_set *set = NULL;
	cr_assert_eq(counter_set_open(plan, getpid(), &set, err, sizeof(err)), 0, "%s", err);
	counter_set_enable(set);
	pthread_t t;
	double ms = 50;
	cr_assert_eq(pthread_create(&t, NULL, burner, &ms), 0);
	pthread_join(t, NULL);
	counter_set_disable(set);
	struct counter_value v[2];
	cr_assert_eq(counter_set_read(set, v, err, sizeof(err)), 0, "%s", err);
	cr_assert_geq(v[0].value, 45e6, "the thread's 50 ms are in, got %.0f ns", v[0].value);
	cr_assert(v[1].counted);
	counter_set_close(set);
	counter_plan_free(plan);
}

Test(counter_set, hw_pmu_probe_answers_with_a_reason)
{
	char reason[COUNTER_REASON_MAX] = "";
	int yes = counters_hw_pmu_available(reason, sizeof(reason));
	if (yes)
		cr_assert_str_eq(reason, "yes");
	else
		cr_assert_not_null(strstr(reason, "("), "reason names the errno: %s", reason);
}

/* --- reasons that tell the truth (counter_reason: a pure function) ------------ */

static const char *reason_of(int e, uint32_t type, int hw, int paranoid, const char *native)
{
	static char buf[COUNTER_REASON_MAX];
	struct counter_reason_in in = {.err = e,
				       .type = type,
				       .hw = hw,
				       .paranoid = paranoid,
				       .name = "LLC-LOAD-MISSES",
				       .pmu = "amd64_fam19h_zen3",
				       .native = native,
				       .native_source = native ? "amd-zen3.events" : NULL};
	return counter_reason(&in, buf, sizeof(buf));
}

#define ZEN3_LLC "amd64_fam19h_zen3::ANY_DATA_CACHE_FILLS_FROM_SYSTEM:MEM_IO_LCL"

Test(counter_reason, no_hardware_pmu_at_all)
{
	cr_assert_str_eq(reason_of(ENOENT, PERF_TYPE_HW_CACHE, 0, 1, ZEN3_LLC),
			 "no hardware PMU exposed (ENOENT)");
	cr_assert_str_eq(reason_of(ENOENT, PERF_TYPE_HARDWARE, 0, 1, NULL),
			 "no hardware PMU exposed (ENOENT)");
	cr_assert_str_eq(reason_of(ENOENT, PERF_TYPE_RAW, 0, 1, NULL),
			 "no hardware PMU exposed (ENOENT)");
}

/* cycles opened, LLC-LOAD-MISSES did not: the PMU is there, the generic event is not. */
Test(counter_reason, pmu_without_that_generic_event_names_the_native_one)
{
	const char *r = reason_of(ENOENT, PERF_TYPE_HW_CACHE, 1, 1, ZEN3_LLC);
	cr_assert_null(strstr(r, "no hardware PMU"), "%s", r);
	cr_assert_not_null(
	    strstr(r, "amd64_fam19h_zen3 PMU has no generic LLC-LOAD-MISSES (ENOENT)"), "%s", r);
	cr_assert_not_null(strstr(r, ZEN3_LLC), "names the native event: %s", r);
	cr_assert_not_null(strstr(r, "amd-zen3.events"), "%s", r);
	r = reason_of(ENOENT, PERF_TYPE_HARDWARE, 1, 1, NULL);
	cr_assert_null(strstr(r, "no hardware PMU"), "%s", r);
	cr_assert_not_null(strstr(r, "has no generic LLC-LOAD-MISSES (ENOENT)"), "%s", r);
	r = reason_of(ENOENT, PERF_TYPE_RAW, 1, 1, NULL);
	cr_assert_str_eq(r, "the amd64_fam19h_zen3 PMU does not take this event (ENOENT)");
}

Test(counter_reason, not_permitted_gives_perf_event_paranoid_and_what_it_refuses)
{
	const char *r = reason_of(EACCES, PERF_TYPE_HARDWARE, -1, 3, NULL);
	cr_assert_not_null(strstr(r, "not permitted (EACCES): kernel.perf_event_paranoid is 3"),
			   "%s", r);
	cr_assert_not_null(strstr(r, "refuses every perf event"), "%s", r);
	r = reason_of(EACCES, PERF_TYPE_SOFTWARE, 1, 2, NULL);
	cr_assert_not_null(strstr(r, "kernel.perf_event_paranoid is 2"), "%s", r);
	cr_assert_not_null(strstr(r, "counting in the kernel"), "%s", r);
	r = reason_of(EPERM, PERF_TYPE_TRACEPOINT, 1, 1, NULL);
	cr_assert_not_null(
	    strstr(r, "not permitted (EPERM) although kernel.perf_event_paranoid is 1"), "%s", r);
	cr_assert_not_null(strstr(r, "seccomp"), "%s", r);
	r = reason_of(EPERM, PERF_TYPE_RAW, 1, -1, NULL);
	cr_assert_not_null(strstr(r, "although kernel.perf_event_paranoid is -1"), "%s", r);
	r = reason_of(EACCES, PERF_TYPE_RAW, 1, COUNTER_PARANOID_UNKNOWN, NULL);
	cr_assert_not_null(strstr(r, "not permitted (EACCES)"), "%s", r);
	cr_assert_not_null(strstr(r, "perf_event_paranoid (unreadable here)"), "%s", r);
}

Test(counter_reason, other_errnos_and_event_kinds)
{
	cr_assert_str_eq(reason_of(ENOENT, PERF_TYPE_TRACEPOINT, 1, 1, NULL),
			 "no such tracepoint in this kernel (ENOENT)");
	cr_assert_str_eq(reason_of(ENOENT, PERF_TYPE_SOFTWARE, 1, 1, NULL),
			 "not supported by this kernel (ENOENT)");
	cr_assert_str_eq(reason_of(ENODEV, PERF_TYPE_RAW, 1, 1, NULL),
			 "PMU not present on this machine (ENODEV)");
	cr_assert_str_eq(reason_of(EOPNOTSUPP, PERF_TYPE_RAW, 1, 1, NULL),
			 "not supported by this PMU for a task (EOPNOTSUPP)");
	cr_assert_str_eq(reason_of(EINVAL, PERF_TYPE_RAW, 1, 1, NULL),
			 "rejected by this kernel/PMU (EINVAL)");
	cr_assert_not_null(strstr(reason_of(EBUSY, PERF_TYPE_RAW, 1, 1, NULL), "(EBUSY)"));
}

/* --- a group that never ran (synthetic readings) -------------------------------- */

Test(counter_group, too_large_a_group_is_named_by_its_events_and_counters)
{
	/* cycles..llc in one PMU group, enabled 1 ms, never on the PMU; task_clock ran. */
	const char *keys[] = {"cycles",	   "instructions", "l1d_misses",
			      "l2_misses", "llc_misses",   "task_clock"};
	size_t leader[] = {0, 0, 0, 0, 0, 5};
	struct counter_value v[6];
	memset(v, 0, sizeof(v));
	for (int i = 0; i < 6; i++) {
		v[i].counted = 1;
		v[i].time_enabled = 1000000;
		v[i].time_running = i == 5 ? 1000000 : 0;
		v[i].raw = i == 5 ? 999 : 0;
		counter_scale(v[i].raw, v[i].time_enabled, v[i].time_running, &v[i].value,
			      &v[i].running);
	}
	struct counter_pmu icl = {.name = "icl", .desc = "Intel Icelake", .gp = 8, .fixed = 4};
	cr_assert_eq(counter_explain_never_ran(v, leader, keys, 6, &icl, 1), 1);
	for (int i = 0; i < 5; i++) {
		const char *r = v[i].reason;
		cr_assert_not_null(strstr(r, "never on the PMU (time_running 0)"), "%s", r);
		cr_assert_not_null(strstr(r, "its group of 5 (cycles, instructions, l1d_misses, "
					     "l2_misses, llc_misses) needs 5 counters"),
				   "%s", r);
		cr_assert_not_null(strstr(r, "icl offers at most 8 general-purpose and 4 fixed"),
				   "%s", r);
		cr_assert_not_null(strstr(r, "split into single events"), "%s", r);
		cr_assert(isnan(v[i].value) && v[i].running == 0.0, "an empty cell, running 0");
	}
	cr_assert_str_eq(v[5].reason, "", "a counter that ran has no reason");
}

Test(counter_group, a_lone_event_that_never_ran_and_an_unknown_pmu)
{
	const char *keys[] = {"l1d_misses", "l2_misses"};
	size_t leader[] = {0, 1}; /* two single-event groups */
	struct counter_value v[2];
	memset(v, 0, sizeof(v));
	v[0].counted = v[1].counted = 1;
	v[0].time_enabled = 500;
	v[1].time_enabled = 500;
	v[1].time_running = 250;
	cr_assert_eq(counter_explain_never_ran(v, leader, keys, 2, NULL, 0), 1);
	cr_assert_str_eq(v[0].reason, "never on the PMU (time_running 0): other events held every "
				      "counter it can use");
	cr_assert_str_eq(v[1].reason, "");
	/* never enabled (the task never ran): not a group that did not fit */
	memset(v, 0, sizeof(v));
	v[0].counted = v[1].counted = 1;
	size_t one[] = {0, 0};
	cr_assert_eq(counter_explain_never_ran(v, one, keys, 2, NULL, 1), 0);
	cr_assert_str_eq(v[0].reason, "");
}

/* --- an assumed PMU (--pmu) and the native event named in a reason ------------- */

static struct counter_plan *plan_assuming(const char *pmu, const char *text)
{
	struct event_set set;
	cr_assert_eq(eventfile_parse(text, strlen(text), "t.events", &set, err, sizeof(err)), 0,
		     "%s", err);
	struct counter_plan_opts o = {.assume_pmu = pmu};
	struct counter_plan *plan = NULL;
	int rc = counter_plan_build_opts(&set, &o, &plan, err, sizeof(err));
	eventfile_free(&set);
	return rc ? NULL : plan;
}

Test(counter_plan, assumed_pmu_encodes_native_names_for_it_and_generic_ones_as_ever)
{
	struct counter_plan *plan = plan_assuming(
	    "amd64_fam19h_zen3", "tc - task-clock\n"
				 "cyc - PERF_COUNT_HW_CPU_CYCLES\n"
				 "l2 L2 CORE_TO_L2_CACHEABLE_REQUEST_ACCESS_STATUS:LS_RD_BLK_C\n");
	cr_assert_not_null(plan, "%s", err);
	struct counter_desc d;
	counter_plan_describe(plan, 0, &d);
	cr_assert_eq(d.type, PERF_TYPE_SOFTWARE, "software events still resolve");
	cr_assert_str_eq(d.pmu, "perf");
	cr_assert_not(d.assumed);
	counter_plan_describe(plan, 1, &d);
	cr_assert_eq(d.type, PERF_TYPE_HARDWARE);
	cr_assert_str_eq(d.pmu, "perf");
	counter_plan_describe(plan, 2, &d);
	cr_assert_eq(d.type, PERF_TYPE_RAW);
	cr_assert(d.assumed);
	cr_assert_str_eq(d.pmu, "amd64_fam19h_zen3");
	cr_assert_not_null(strstr(d.fstr, "amd64_fam19h_zen3::CORE_TO_L2_CACHEABLE_REQUEST_ACCESS_"
					  "STATUS:LS_RD_BLK_C"),
			   "%s", d.fstr);
	cr_assert_eq(d.config & 0xff, 0x64, "PMCx064: %#llx", (unsigned long long)d.config);
	struct counter_pmu zen3;
	cr_assert_eq(counters_find_pmu("amd64_fam19h_zen3", &zen3), 0);
	if (!zen3.present) { /* never opened where the PMU is another */
		cr_assert_not_null(d.unavailable);
		cr_assert_not_null(strstr(d.unavailable, "encoded for amd64_fam19h_zen3 (--pmu)"),
				   "%s", d.unavailable);
		char reason[COUNTER_REASON_MAX];
		cr_assert_eq(counter_probe(plan, 2, reason, sizeof(reason)), 0);
	}
	counter_plan_free(plan);
}

Test(counter_plan, assumed_pmu_refuses_what_it_does_not_have)
{
	cr_assert_null(plan_assuming("amd64_fam19h_zen3", "x - L1D:REPLACEMENT\n"));
	cr_assert_not_null(
	    strstr(err, "t.events:1: L1D:REPLACEMENT: not an event of PMU amd64_fam19h_zen3"), "%s",
	    err);
	cr_assert_null(plan_assuming("no_such_pmu", "tc - task-clock\n"));
	cr_assert_not_null(strstr(err, "--pmu no_such_pmu: not a PMU this libpfm4 knows"), "%s",
			   err);
}

Test(counter_plan, a_name_for_a_pmu_this_machine_lacks_says_how_to_check_it)
{
	struct counter_pmu zen2;
	cr_assert_eq(counters_find_pmu("amd64_fam17h_zen2", &zen2), 0);
	if (zen2.present)
		cr_skip_test("this machine is a Zen 2");
	cr_assert(plan_fails("x L2 amd64_fam17h_zen2::CORE_TO_L2_CACHEABLE_REQUEST_ACCESS_STATUS:"
			     "LS_RD_BLK_C\n"));
	cr_assert_not_null(strstr(err, "amd64_fam17h_zen2 is not this machine's PMU"), "%s", err);
	cr_assert_not_null(strstr(err, "copyscope events --pmu amd64_fam17h_zen2"), "%s", err);
}

Test(counter_plan, a_generic_event_gets_the_native_one_of_its_level)
{
	static const char nat[] = "cycles - PERF_COUNT_HW_CPU_CYCLES\n"
				  "l1d_misses L1 L1D:REPLACEMENT\n"
				  "llc_misses LLC LONGEST_LAT_CACHE:MISS\n";
	static const char mine[] = "llc LLC LLC-LOAD-MISSES\n"
				   "cycles - cycles\n"
				   "tc - task-clock\n";
	struct event_set native, events;
	cr_assert_eq(eventfile_parse(nat, strlen(nat), "n.events", &native, err, sizeof(err)), 0);
	cr_assert_eq(eventfile_parse(mine, strlen(mine), "t.events", &events, err, sizeof(err)), 0);
	struct counter_plan_opts o = {.native = &native, .native_source = "intel-core.events"};
	struct counter_plan *plan = NULL;
	cr_assert_eq(counter_plan_build_opts(&events, &o, &plan, err, sizeof(err)), 0, "%s", err);
	struct counter_desc d;
	counter_plan_describe(plan, 0, &d);
	cr_assert_str_eq(d.native, "LONGEST_LAT_CACHE:MISS", "same level");
	counter_plan_describe(plan, 1, &d);
	cr_assert_str_eq(d.native, "PERF_COUNT_HW_CPU_CYCLES", "same key");
	counter_plan_describe(plan, 2, &d);
	cr_assert_null(d.native, "software events need none");
	counter_plan_free(plan);
	eventfile_free(&native);
	eventfile_free(&events);
}

Test(counter_pmu, libpfm4_names_this_machines_core_pmu_or_none)
{
	struct counter_pmu p;
	char others[256];
	if (counters_core_pmu(&p, NULL, others, sizeof(others)) == 0) {
		cr_assert_neq(p.name[0], '\0');
		cr_assert(p.present && p.core, "%s", p.name);
		struct counter_pmu again;
		cr_assert_eq(counters_find_pmu(p.name, &again), 0);
		cr_assert_str_eq(again.name, p.name);
	} else {
		cr_assert_str_eq(p.name, "");
	}
	struct counter_pmu perf;
	cr_assert_eq(counters_find_pmu("perf", &perf), 0);
	cr_assert_not(perf.core, "the OS's generic PMU is not a core PMU");
	cr_assert_eq(counters_find_pmu("no_such_pmu", &perf), -1);
}
