/*
 * cpulist — CPU lists as taskset and the workloads' --cpus take them: "0",
 * "0-3", "0-1,3": ascending ranges of CPUs below CPU_SETSIZE. One parser for
 * the workloads' --cpus, `copyscope run --server-cpus` and sweep files'
 * server_cpus, so a typo is refused as bad input before anything runs, not
 * by a workload mid-run.
 *
 * The workloads' --thread-cpus takes an ordered list (struct cpu_sequence):
 * the same grammar, but the order of the items is kept ("1,0" is CPU 1, then
 * CPU 0) and connection i goes to the (i mod n)-th CPU. A CPU may appear
 * only once: cycling already repeats the list, so "0,1,1" is more likely a
 * typo than a wish, and a list of distinct CPUs is also a set, which
 * cpu_list_available checks as it checks --cpus.
 */
#ifndef COPYSCOPE_CPULIST_H
#define COPYSCOPE_CPULIST_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>

/* The CPUs of list s into *out; 0, or -1 (nothing stored) when s is not a list. */
int parse_cpus(const char *s, cpu_set_t *out);

/* An ordered list of distinct CPUs, as written. */
struct cpu_sequence {
	unsigned n;			 /* 1..CPU_SETSIZE */
	unsigned short cpu[CPU_SETSIZE]; /* in the order of the list */
};

/* The CPUs of list s, in its order, into *out; 0, or -1 (nothing stored)
 * when s is not a list or names a CPU twice ("0,1-2,1"). Ranges ascend
 * ("3-1" is refused, as by parse_cpus); "2-3,0-1" is 2, 3, 0, 1. */
int parse_cpu_sequence(const char *s, struct cpu_sequence *out);

/* The CPU of connection i: the (i mod n)-th of the sequence. */
int cpu_sequence_at(const struct cpu_sequence *seq, uint64_t i);

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
