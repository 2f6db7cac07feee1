/* options.c — see options.h. */
#include "options.h"
#include "cpulist.h"

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

int bad_input(const char *prog, const char *opt, const char *val, const char *expected)
{
	fprintf(stderr, "%s: %s%s%s: expected %s\n", prog, opt, val ? " " : "", val ? val : "",
		expected);
	return 2;
}
