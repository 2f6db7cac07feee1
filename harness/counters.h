/*
 * counters — what to count (a plan resolved through libpfm4 and tracefs) and
 * counting it on a process (a counter_set of perf_event file descriptors).
 *
 * Plan: every event of an event_set is resolved once, before anything runs:
 *   - "tracepoint:<system>:<name>" from tracefs (<tracefs>/events/<sys>/<name>/id);
 *   - anything else through libpfm4 (pfm_get_os_event_encoding with
 *     PFM_OS_PERF_EVENT_EXT at user+kernel levels), so generic names
 *     ("cycles", "L1-DCACHE-LOAD-MISSES"), perf::... names, native PMU names
 *     and modifiers (":u", ":k") all work.
 * Test hook: COPYSCOPE_TRACEFS names the tracefs root to use instead of
 * /sys/kernel/tracing (a folder without events/ reads as "not mounted").
 * A name neither knows is bad input (counter_plan_build returns -1 with
 * "FILE:LINE: NAME: unknown event ..."). A known name this machine cannot
 * count (no hardware PMU, tracefs not mounted, not permitted) is NOT an
 * error: it is counted as "not measured" (an empty cell) with a reason.
 *
 * Counting: counter_set_open() opens every event DISABLED on a process with
 * inherit=1, so every thread it creates later is covered, grouped per PMU
 * (core PMU, software, tracepoint, each other PMU) so that ratios inside a
 * group are co-scheduled. Open it on a child that has not exec'd yet (see
 * spawn.h), then enable/disable at the window edges and read after disable.
 * Each counter is read on its own with TOTAL_TIME_ENABLED|RUNNING (never
 * PERF_FORMAT_GROUP): the kernel refuses group reads of inherited events
 * (EINVAL) before Linux 6.12, and since we read only after the group is
 * disabled, a group read would buy no atomicity anyway.
 *
 * Memory: a plan owns its resolved events and is immutable once built (a
 * sweep shares one across runs); a counter_set owns its file descriptors.
 * Errors: functions return -1 and write one line into err; an event that
 * cannot be counted is never an error, its reason is kept instead.
 */
#ifndef COPYSCOPE_COUNTERS_H
#define COPYSCOPE_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "eventfile.h"

#define COUNTER_REASON_MAX 160

struct counter_plan; /* opaque */
struct counter_set;  /* opaque */

/* Resolves every event of events (which may be freed afterwards). 0, or -1: bad input. */
int counter_plan_build(const struct event_set *events, struct counter_plan **plan, char *err,
		       size_t errlen);
void counter_plan_free(struct counter_plan *plan);

/* Number of events, and the i-th as given in the event file (plan order = file order). */
size_t counter_plan_count(const struct counter_plan *plan);
const struct event_spec *counter_plan_event(const struct counter_plan *plan, size_t i);

/* How event i was resolved (strings owned by the plan). */
struct counter_desc {
	const char *key, *level, *name; /* as in the event file */
	const char *fstr;  /* libpfm4's fully qualified string, or tracepoint:<sys>:<name> */
	const char *group; /* the PMU group it opens in: "cpu", "software", "tracepoint", ... */
	uint32_t type;	   /* perf_event_attr.type */
	uint64_t config;   /* perf_event_attr.config */
	const char *unavailable; /* non-NULL: known not countable before any open (reason) */
};
void counter_plan_describe(const struct counter_plan *plan, size_t i, struct counter_desc *d);

/* Test-opens event i on the calling process: 1 countable, 0 not (reason says why). */
int counter_probe(const struct counter_plan *plan, size_t i, char *reason, size_t len);

/* 1 when this machine exposes a hardware PMU (cycles can be opened), else 0 + reason. */
int counters_hw_pmu_available(char *reason, size_t len);

/*
 * Opens every counter of plan on pid (disabled, inherit=1). A counter that
 * cannot be opened is kept as "not counted" with its reason; -1 only when the
 * harness itself fails (out of memory, pid gone).
 */
int counter_set_open(const struct counter_plan *plan, pid_t pid, struct counter_set **set,
		     char *err, size_t errlen);
/* Window edges: cheap ioctls on the group leaders. 0 or -1. */
int counter_set_enable(struct counter_set *set);
int counter_set_disable(struct counter_set *set);

/* One counter's reading over the window. */
struct counter_value {
	int counted;	/* 0: not counted on this machine (reason says why); cells stay empty */
	double value;	/* count scaled by enabled/running; NAN when never enabled or never ran */
	double running; /* running/enabled in [0,1]; NAN when never enabled (the task never ran) */
	uint64_t raw, time_enabled, time_running;
	char reason[COUNTER_REASON_MAX];
};
/* Reads every counter into values[counter_plan_count()]; call after disable. 0 or -1. */
int counter_set_read(struct counter_set *set, struct counter_value *values, char *err,
		     size_t errlen);
/* Why counter i is not counted, or NULL when it is open. */
const char *counter_set_reason(const struct counter_set *set, size_t i);
void counter_set_close(struct counter_set *set);

/*
 * The arithmetic, exposed for tests: value = raw * enabled / running,
 * running fraction = running / enabled (clamped to 1). enabled == 0 (never
 * enabled, or the task never ran in the window: nothing was observed):
 * value = NAN, running = NAN, an empty cell, never 0. running == 0
 * with enabled > 0 (multiplexed out all along): value = NAN, running = 0.
 */
void counter_scale(uint64_t raw, uint64_t enabled, uint64_t running, double *value,
		   double *running_fraction);

/* A one-line reason for perf_event_open's errno on an event of perf type `type`. */
const char *counter_open_reason(int err, uint32_t type, char *buf, size_t len);

#endif
