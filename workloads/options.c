/* options.c — see options.h. */
#include "options.h"
#include "cpulist.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>

int parse_cpu_option(const char *prog, const char *arg, cpu_set_t *out)
{
	char why[192];
	if (parse_cpus(arg, out) < 0)
		return bad_input(prog, "--cpus", arg, "a CPU list like 0 or 0-1,3");
	if (cpu_list_available(arg, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s: --cpus %s: %s\n", prog, arg, why);
		return 2;
	}
	return 0;
}

int parse_thread_cpus_option(const char *prog, const char *arg, struct cpu_sequence *out)
{
	char why[192];
	if (parse_cpu_sequence(arg, out) < 0)
		return bad_input(prog, "--thread-cpus", arg,
				 "an ordered CPU list like 1,0 or 2-3,0-1, each CPU once");
	if (cpu_list_available(arg, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s: --thread-cpus %s: %s\n", prog, arg, why);
		return 2;
	}
	return 0;
}

int pin_connection_thread(const struct cpu_sequence *seq, uint64_t conn)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu_sequence_at(seq, conn), &set);
	int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

void name_connection_thread(const char *prefix, uint64_t conn)
{
	char name[16];
	snprintf(name, sizeof(name), "%s-conn-%llu", prefix, (unsigned long long)conn);
	(void)pthread_setname_np(pthread_self(), name);
}

int bad_input(const char *prog, const char *opt, const char *val, const char *expected)
{
	fprintf(stderr, "%s: %s%s%s: expected %s\n", prog, opt, val ? " " : "", val ? val : "",
		expected);
	return 2;
}
