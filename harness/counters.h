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
 * A group the PMU cannot hold is split: counter_set_open() first enables each
 * hardware group of two or more events on the calling process for a moment
 * (once per plan); a group that never gets on the PMU there (time_running 0:
 * more events than the counters left, e.g. with the NMI watchdog holding one)
 * is opened as single events, which the kernel multiplexes. A group that
 * still never ran in a window is named in each member's reason, and split
 * from the next counter_set_open() of the plan on.
 *
 * Assuming a PMU (counter_plan_opts.assume_pmu, `copyscope events --pmu`):
 * generic names still resolve through libpfm4's perf PMU; every other name
 * is encoded for the assumed PMU (libpfm4 initialised with LIBPFM_FORCE_PMU
 * in a short-lived child process, so this process keeps its generic PMU).
 * Events encoded for a PMU this machine does not have are never opened: a
 * raw config means something else on another PMU.
 *
 * Memory: a plan owns its resolved events and is immutable once built (a
 * sweep shares one across runs), but for the groups it learnt to split; a
 * counter_set owns its file descriptors.
 * Errors: functions return -1 and write one line into err; an event that
 * cannot be counted is never an error, its reason is kept instead.
 */
#ifndef COPYSCOPE_COUNTERS_H
#define COPYSCOPE_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "eventfile.h"

#define COUNTER_REASON_MAX   320
#define COUNTER_PMU_NAME_MAX 64

struct counter_plan; /* opaque */
struct counter_set;  /* opaque */

/* Resolves every event of events (which may be freed afterwards). 0, or -1: bad input. */
int counter_plan_build(const struct event_set *events, struct counter_plan **plan, char *err,
		       size_t errlen);

/* What a plan may be told besides its events (every field optional). */
struct counter_plan_opts {
	/* A libpfm4 PMU name ("amd64_fam19h_zen3"): encode every name that is not
	 * generic for it, as on a machine that has it (copyscope events --pmu). */
	const char *assume_pmu;
	/* The event set of the PMU in question (pmusets.h): for a generic
	 * event the PMU lacks, the native event of the same level (else the
	 * same key) that the reason names instead. native_source names it. */
	const struct event_set *native;
	const char *native_source;
};
int counter_plan_build_opts(const struct event_set *events, const struct counter_plan_opts *opts,
			    struct counter_plan **plan, char *err, size_t errlen);
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
	const char *pmu;	 /* libpfm4's PMU that encoded it ("perf", "icl", ...; "tracefs") */
	int assumed;		 /* 1: encoded for the PMU assumed with assume_pmu */
	const char *native; /* the native event to count instead where the PMU lacks it, or NULL */
};
void counter_plan_describe(const struct counter_plan *plan, size_t i, struct counter_desc *d);

/* Test-opens event i on the calling process: 1 countable, 0 not (reason says why). */
int counter_probe(const struct counter_plan *plan, size_t i, char *reason, size_t len);

/* 1 when this machine exposes a hardware PMU (cycles can be opened), else 0 + reason. */
int counters_hw_pmu_available(char *reason, size_t len);

/*
 * What the kernel says about its hardware PMU: 1 a hardware event opens
 * (cycles, user level); 0 none is exposed (ENOENT, ENODEV, EOPNOTSUPP: most
 * VMs); -1 unknown (refused otherwise, e.g. EACCES under perf_event_paranoid).
 * reason: "yes", or the refusal.
 */
int counters_hw_pmu_state(char *reason, size_t len);

/* A PMU as libpfm4 describes it (pfm_get_pmu_info). */
struct counter_pmu {
	char name[COUNTER_PMU_NAME_MAX]; /* "icl", "amd64_fam19h_zen3"; "" for none */
	char desc[128];			 /* "Intel Icelake" */
	int present;   /* libpfm4 detects it on this machine (CPUID, /proc/cpuinfo) */
	int core;      /* a core PMU (not uncore, not the OS's generic one) */
	int gp, fixed; /* the counters libpfm4 lists for it (an upper bound; 0: unknown) */
};
/*
 * The core PMU libpfm4 detects on this machine: the first present PMU of type
 * core, preferring one `prefer` accepts (NULL: any). 0, or -1 when libpfm4
 * detects none (p->name ""). others gets the other present core PMUs,
 * space-separated ("" when none). libpfm4 detects from the CPU, not from
 * the kernel: a VM without a PMU still has one here (see counters_hw_pmu_state).
 */
int counters_core_pmu(struct counter_pmu *p, int (*prefer)(const char *name), char *others,
		      size_t len);
/* A PMU this libpfm4 build knows by name, present or not: 0, or -1 when it does not. */
int counters_find_pmu(const char *name, struct counter_pmu *p);

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
	/* not counted: why; counted but never on the PMU (time_running 0): why
	 * (its group, see counter_explain_never_ran); else "". */
	char reason[COUNTER_REASON_MAX];
};
/* Reads every counter into values[counter_plan_count()]; call after disable. 0 or -1. */
int counter_set_read(struct counter_set *set, struct counter_value *values, char *err,
		     size_t errlen);
/* Why counter i is not counted, or NULL when it is open. */
const char *counter_set_reason(const struct counter_set *set, size_t i);
/* Why counter i was opened alone, out of its PMU group (that group never ran
 * together here), or NULL when it was not split off. */
const char *counter_set_note(const struct counter_set *set, size_t i);
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

/*
 * A one-line reason for perf_event_open's errno on an event of perf type
 * `type`, knowing nothing of the machine (a hardware ENOENT reads "no
 * hardware PMU exposed"); perf_event_paranoid is read from /proc.
 */
const char *counter_open_reason(int err, uint32_t type, char *buf, size_t len);

#define COUNTER_PARANOID_UNKNOWN (-1000)

/* Everything a reason depends on, so that it can be computed (and tested) alone. */
struct counter_reason_in {
	int err;       /* perf_event_open's errno */
	uint32_t type; /* the event's perf type */
	int hw;	       /* counters_hw_pmu_state(): 1 cycles opens, 0 no hardware PMU, -1 unknown */
	int paranoid;  /* kernel.perf_event_paranoid, or COUNTER_PARANOID_UNKNOWN */
	const char *name;	   /* the event as given, or NULL */
	const char *pmu;	   /* the core PMU libpfm4 detects ("icl"), or NULL */
	const char *native;	   /* the native event to use instead, or NULL */
	const char *native_source; /* where that comes from ("intel-core.events"), or NULL */
};
/*
 * The reason, by case:
 *   ENOENT, a core event, hw 0 (or -1): "no hardware PMU exposed (ENOENT)";
 *   ENOENT, a generic hardware/cache event, hw 1: this PMU has no such
 *     generic event, and the native one to count instead;
 *   ENOENT, a raw (native) event, hw 1: this PMU does not take that event;
 *   EACCES/EPERM: not permitted, with perf_event_paranoid's value and what
 *     that value refuses; ENODEV, EOPNOTSUPP, EINVAL, tracepoints: as named.
 */
const char *counter_reason(const struct counter_reason_in *in, char *buf, size_t len);

/*
 * Explains the groups that never ran: every counter v[i] counted with
 * time_enabled > 0 and time_running 0 gets, in v[i].reason, the events of its
 * group (those j with leader[j] == leader[i], named keys[j]), how many
 * counters it needs, and what pmu offers (pmu may be NULL or have gp 0:
 * unknown). split says the plan will open them alone from the next set on.
 * Returns the number of groups (of any size) that never ran.
 */
size_t counter_explain_never_ran(struct counter_value *v, const size_t *leader,
				 const char *const *keys, size_t n, const struct counter_pmu *pmu,
				 int split);

#endif
