/*
 * oncpu — where a workload ran over the window: its on-CPU time on each CPU,
 * counted by the kernel.
 *
 * One task-clock counter per CPU this process may run on (perf_event_open
 * with pid = the workload, cpu = that CPU, inherit = 1: the kernel counts
 * the workload's threads only while they run there). Migrations are not
 * counted here: every shipped event file counts cpu_migrations. Opened disabled on a child that has not exec'd (spawn.h), enabled
 * and disabled at the window's edges with the other counters, read after.
 * Software events: no PMU needed. Above ONCPU_MAX CPUs nothing is counted.
 *
 * A counter that cannot be opened (perf_event_paranoid, seccomp) is not an
 * error: its sample is not measured, and the row's cells stay empty.
 * Memory: an oncpu owns its file descriptors; oncpu_close() frees it.
 */
#ifndef COPYSCOPE_ONCPU_H
#define COPYSCOPE_ONCPU_H

#include <stddef.h>
#include <sys/types.h>

#define ONCPU_MAX 256

struct oncpu;

struct oncpu_sample {
	size_t n;	       /* CPUs with a per-CPU count; 0: not measured */
	int cpu[ONCPU_MAX];
	double ns[ONCPU_MAX]; /* on-CPU nanoseconds there, in the window */
};

/* Opens the counters on pid; NULL only when out of memory. */
struct oncpu *oncpu_open(pid_t pid);
/* 0, or -1 with errno when a counter that was opened cannot be switched. */
int oncpu_enable(struct oncpu *o);
int oncpu_disable(struct oncpu *o);
void oncpu_read(const struct oncpu *o, struct oncpu_sample *s);
void oncpu_close(struct oncpu *o);

#endif
