/*
 * cpulist — CPU lists as taskset and the workloads' --cpus take them: "0",
 * "0-3", "0-1,3": ascending ranges of CPUs below CPU_SETSIZE. One parser for
 * the workloads' --cpus, `copyscope run --server-cpus` and sweep files'
 * server_cpus, so a typo is refused as bad input before anything runs, not
 * by a workload mid-run.
 */
#ifndef COPYSCOPE_CPULIST_H
#define COPYSCOPE_CPULIST_H

#include <sched.h>
#include <stddef.h>

/* The CPUs of list s into *out; 0, or -1 (nothing stored) when s is not a list. */
int parse_cpus(const char *s, cpu_set_t *out);

/* 1 when s is a list parse_cpus accepts; else 0. */
int cpu_list_valid(const char *s);

/*
 * Checks that every CPU of s (a list parse_cpus accepts) is one this process
 * may run on (sched_getaffinity), so a workload pinned to it can run there.
 * 0, or -1 with the reason in why, e.g. "CPU 7 is not available here
 * (expected CPUs from 0-1)". When the affinity cannot be read, or s is not a
 * list, nothing is refused here: the caller's parse_cpus says so.
 */
int cpu_list_available(const char *s, char *why, size_t whylen);

#endif
