/*
 * cputopo — the CPUs this process may run on (sched_getaffinity), and how
 * they sit: which package, which physical core (SMT siblings share one), which
 * last-level cache. Read from sysfs (/sys/devices/system/cpu/cpuN/topology
 * and cache/indexK). Placement chooses CPUs from it (placement.h), and env.txt
 * records it, so a results folder says which CPUs shared what.
 *
 * Unknown fields (a kernel without the file) read as -1: such CPUs count as
 * one package, one cache, and each its own core.
 *
 * Errors: -1 with one line in err (the affinity cannot be read).
 */
#ifndef COPYSCOPE_CPUTOPO_H
#define COPYSCOPE_CPUTOPO_H

#include <stddef.h>
#include <stdio.h>

#define CPUTOPO_MAX 1024

struct cpu_place {
	int cpu;
	int package; /* physical_package_id */
	int core;    /* the first CPU of its core_cpus_list (its SMT siblings) */
	int llc;     /* the first CPU sharing its last-level cache */
};

struct cpu_topo {
	size_t n; /* CPUs this process may run on, ascending */
	struct cpu_place cpus[CPUTOPO_MAX];
};

/* This process's CPUs and their places. The sysfs root is
 * /sys/devices/system/cpu, or $COPYSCOPE_SYSFS_CPU (tests). */
int cputopo_read(struct cpu_topo *t, char *err, size_t errlen);

/* One line per distinct group, for env.txt: "cpu_topology=N CPUs, P packages,
 * C cores, L last-level caches", then "smt_siblings=0,4 1,5 ..." and
 * "llc_shared=0-3 4-7" (CPU lists). */
void cputopo_describe(const struct cpu_topo *t, FILE *out);

#endif
