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

/* The one-line error for bad input, "PROG: OPT[ VAL]: expected WHAT", on
 * stderr; returns 2, the exit status for bad input. val may be NULL. */
int bad_input(const char *prog, const char *opt, const char *val, const char *expected);

#endif
