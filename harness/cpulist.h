/*
 * cpulist — CPU lists as taskset and the workloads' --cpus take them: "0",
 * "0-1,3". Checked by the harness before anything runs (run --server-cpus,
 * sweep server_cpus), so a typo is refused as bad input, not by a workload
 * mid-run.
 */
#ifndef COPYSCOPE_CPULIST_H
#define COPYSCOPE_CPULIST_H

#include <stddef.h>

/* 1 when s is a list of CPUs and ascending ranges, each CPU below CPU_SETSIZE; else 0. */
int cpu_list_valid(const char *s);

/*
 * Checks that every CPU of s (a list cpu_list_valid accepts) is one this
 * process may run on (sched_getaffinity), so a workload pinned to it can run
 * there. 0, or -1 with the reason in why, e.g. "CPU 7 is not available here
 * (expected CPUs from 0-1)". When the affinity cannot be read, nothing is
 * refused: the workload says so itself.
 */
int cpu_list_available(const char *s, char *why, size_t whylen);

#endif
