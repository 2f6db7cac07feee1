/* options.c — see options.h. */
#include "options.h"
#include "cpulist.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int parse_digits(const char *s, const char **end, uint64_t *out)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *e;
	unsigned long long v = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return -1;
	*end = e;
	*out = v;
	return 0;
}

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	if (parse_digits(s, &end, &v) < 0 || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	if (parse_digits(s, &end, &v) < 0)
		return -1;
	static const char *const suffixes[] = {"", "K", "M", "G"};
	static const char *const long_suffixes[] = {"", "KiB", "MiB", "GiB"};
	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(end, suffixes[i]) || !strcasecmp(end, long_suffixes[i])) {
			if (v > (max >> (10 * i)))
				return -1;
			v <<= 10 * i;
			if (v < min || v > max)
				return -1;
			*out = v;
			return 0;
		}
	}
	return -1;
}

int parse_seconds(const char *s, double min, double max, double *out)
{
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (*end && strcmp(end, "s"))
		return -1;
	if (errno || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_cpus(const char *s, cpu_set_t *out)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	const char *p = s;
	for (;;) {
		const char *end;
		uint64_t lo, hi;
		if (parse_digits(p, &end, &lo) < 0)
			return -1;
		hi = lo;
		if (*end == '-' && parse_digits(end + 1, &end, &hi) < 0)
			return -1;
		if (lo > hi || hi >= CPU_SETSIZE)
			return -1;
		for (uint64_t c = lo; c <= hi; c++)
			CPU_SET(c, &set);
		if (*end == '\0')
			break;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
	*out = set;
	return 0;
}

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
