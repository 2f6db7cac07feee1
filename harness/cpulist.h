/*
 * cpulist — CPU lists as taskset and the workloads' --cpus take them: "0",
 * "0-1,3". Checked by the harness before anything runs (run --server-cpus,
 * sweep server_cpus), so a typo is refused as bad input, not by a workload
 * mid-run.
 */
#ifndef COPYSCOPE_CPULIST_H
#define COPYSCOPE_CPULIST_H

/* 1 when s is a list of CPUs and ascending ranges, each CPU below CPU_SETSIZE; else 0. */
int cpu_list_valid(const char *s);

#endif
