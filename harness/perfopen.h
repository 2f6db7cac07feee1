/*
 * perfopen — the perf_event_open system call, close-on-exec, for every
 * module that opens counters (counters.c), per-CPU times (oncpu.c) and
 * sampling events (sampler.c). Not named perf_event_open: libpfm4's header
 * already declares one. Include it after the header that declares struct
 * perf_event_attr (linux/perf_event.h, or libpfm4's perfmon/pfmlib_perf_event.h).
 */
#ifndef COPYSCOPE_PERFOPEN_H
#define COPYSCOPE_PERFOPEN_H

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* An event on pid (0: this process) and cpu (-1: any), in group_fd's group
 * (-1: its own leader); the file descriptor, or -1 with errno. */
static inline int perf_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
}

#endif
