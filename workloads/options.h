/*
 * options.h — the workloads' command-line errors. Values are read with the
 * parsers both programs share (common/units.h, common/cpulist.h), so the
 * client, the server, `copyscope run` and sweep files agree on what they take.
 */
#ifndef COPYSCOPE_OPTIONS_H
#define COPYSCOPE_OPTIONS_H

#include "cpulist.h" /* IWYU pragma: export */
#include "units.h"   /* IWYU pragma: export */

#include <sched.h>

/* --cpus: parse_cpus, and every CPU one this process may run on
 * (cpu_list_available); else the one-line error naming the option.
 * 0, or 2 (the exit status for bad input). */
int parse_cpu_option(const char *prog, const char *arg, cpu_set_t *out);

/* --thread-cpus: parse_cpu_sequence (the order kept, each CPU once), and
 * every CPU one this process may run on; else the one-line error naming the
 * option. 0, or 2. */
int parse_thread_cpus_option(const char *prog, const char *arg, struct cpu_sequence *out);

/* Pins the calling thread to the CPU of connection conn in seq (the
 * (conn mod n)-th). 0, or -1 with errno set (pthread_setaffinity_np). */
int pin_connection_thread(const struct cpu_sequence *seq, uint64_t conn);

/* Names the calling thread "PREFIX-conn-N" (cut to the 15 characters the
 * kernel keeps), so /proc/PID/task/TID/comm, top and perf show which
 * connection a thread serves. Best effort: a refusal is ignored. */
void name_connection_thread(const char *prefix, uint64_t conn);

/* The one-line error for bad input, "PROG: OPT[ VAL]: expected WHAT", on
 * stderr; returns 2, the exit status for bad input. val may be NULL. */
int bad_input(const char *prog, const char *opt, const char *val, const char *expected);

#endif
