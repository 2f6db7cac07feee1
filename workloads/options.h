/*
 * options.h — parsing of the workloads' command-line values.
 *
 * Each parser accepts the whole string or nothing: it returns 0 and stores
 * the value, or -1 leaving *out untouched; the caller names the option and
 * what it expects in its one-line error (exit status 2).
 */
#ifndef COPYSCOPE_OPTIONS_H
#define COPYSCOPE_OPTIONS_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>

/* Unsigned integer in [min, max]; an optional binary suffix K, M or G
 * (also KiB, MiB, GiB; any case) multiplies by 1024^n. The client's --size
 * and `copyscope run --size` both read sizes with it. */
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Decimal integer in [min, max], no suffix. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Seconds in [min, max]: a decimal number, digits or '.' first, with an
 * optional "s" or "ms" (as sweep files write them). */
int parse_seconds(const char *s, double min, double max, double *out);
/* A CPU list like "0", "0-3" or "0-1,3": every CPU below CPU_SETSIZE. */
int parse_cpus(const char *s, cpu_set_t *out);

/* --cpus: parse_cpus, and every CPU one this process may run on
 * (cpu_list_available, harness/cpulist.c, shared with the harness); else the
 * one-line error naming the option. 0, or 2 (the exit status for bad input). */
int parse_cpu_option(const char *prog, const char *arg, cpu_set_t *out);

/* The one-line error for bad input, "PROG: OPT[ VAL]: expected WHAT", on
 * stderr; returns 2, the exit status for bad input. val may be NULL. */
int bad_input(const char *prog, const char *opt, const char *val, const char *expected);

#endif
