/*
 * pmusets — which event file fits this machine's PMU.
 *
 * perfcfg/events/ holds one event set per PMU family, each giving every cache
 * level its best native event (intel-core, amd-zen2, amd-zen3, amd-zen4,
 * arm-neoverse), beside the generic parte.events. This module knows which
 * libpfm4 PMU each set serves (a table, pmuset_get) and picks the set:
 *
 *   - for the machine: the core PMU libpfm4 detects (pfm_get_pmu_info over
 *     the present PMUs), used only when the kernel exposes a hardware PMU
 *     (libpfm4 reads the CPU, not the kernel: a VM without a PMU still has
 *     one there); else parte.events, whose hardware events are empty cells
 *     with their reason;
 *   - for a PMU named with `copyscope events --pmu NAME`: NAME's set, its
 *     native events encoded for NAME (counters.h, assume_pmu) while generic
 *     names still go through libpfm4's perf PMU.
 *
 * Every choice says why, in one line (pmu_choice.why).
 * Errors: -1 with one line in err (errmsg.h).
 */
#ifndef COPYSCOPE_PMUSETS_H
#define COPYSCOPE_PMUSETS_H

#include <stddef.h>

#include "counters.h"
#include "eventfile.h"

#define PMUSET_GENERIC "parte.events"

/* One shipped event set. */
struct pmuset {
	const char *file;	 /* under perfcfg/events/: "intel-core.events" */
	const char *family;	 /* "Intel cores, Haswell to Sapphire Rapids" */
	const char *const *pmus; /* the libpfm4 PMU names it serves, NULL-terminated */
};

size_t pmuset_count(void);
const struct pmuset *pmuset_get(size_t i);
/* The set serving libpfm4 PMU `pmu`, or NULL. */
const struct pmuset *pmuset_for(const char *pmu);

/* What a choice is made from: all of it known before, so that it is pure. */
struct pmuset_in {
	const char *pmu;       /* the libpfm4 PMU: detected, or assumed; NULL or "" for none */
	const char *desc;      /* its description ("Intel Icelake"), or NULL */
	int assumed;	       /* 1: named by the user (--pmu), 0: detected */
	int hw;		       /* counters_hw_pmu_state(): 1 yes, 0 no hardware PMU, -1 unknown */
	const char *hw_reason; /* what the kernel said when hw is not 1 */
};

struct pmu_choice {
	char pmu[COUNTER_PMU_NAME_MAX]; /* the PMU the choice is about ("" none) */
	char desc[128];
	int assumed;
	int hw;
	const struct pmuset *set; /* NULL: the generic set */
	char file[64];		  /* set->file, or PMUSET_GENERIC */
	char why[512];		  /* one line: why this file */
};

/* The choice for in (pure). */
void pmuset_choose(const struct pmuset_in *in, struct pmu_choice *c);

/*
 * The choice for this machine (assume NULL), or for the PMU assume: 0, or
 * -1 when assume is not a PMU this libpfm4 build knows (err says which it
 * knows that have a set).
 */
int pmuset_detect(const char *assume, struct pmu_choice *c, char *err, size_t errlen);

/* The path of event file `file` beside the default one (perfcfg/events/,
 * under the current folder or next to the executable). */
void pmuset_path(const char *file, char *path, size_t len);

/*
 * Builds a plan for events with what the choice knows: its PMU assumed when
 * c->assumed, and its set (when it has one) naming the native event for a
 * generic one the PMU lacks. 0, or -1 (bad input, as counter_plan_build).
 */
int pmuset_plan_build(const struct event_set *events, const struct pmu_choice *c,
		      struct counter_plan **plan, char *err, size_t errlen);

/*
 * The default event file of `copyscope run` and of sweep files for this
 * machine: the set of its PMU, else parte.events; why says why (may be NULL).
 */
void pmuset_default_events(char *path, size_t len, char *why, size_t whylen);

#endif
