/*
 * cpulist — see cpulist.h.
 */
#include "cpulist.h"
#include "units.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

int parse_cpu_sequence(const char *s, struct cpu_sequence *out)
{
	struct cpu_sequence seq; /* filled here, stored only once s is all read */
	cpu_set_t seen;
	if (parse_cpus(s, &seen) < 0)
		return -1;
	CPU_ZERO(&seen);
	seq.n = 0;
	/* parse_cpus accepted s: every item is a range below CPU_SETSIZE, so
	 * distinct CPUs fit in seq.cpu */
	for (const char *p = s;; p++) {
		uint64_t lo, hi;
		parse_digits(p, &p, &lo);
		hi = lo;
		if (*p == '-')
			parse_digits(p + 1, &p, &hi);
		for (uint64_t c = lo; c <= hi; c++) {
			if (CPU_ISSET(c, &seen))
				return -1;
			CPU_SET(c, &seen);
			seq.cpu[seq.n++] = (unsigned short)c;
		}
		if (*p == '\0')
			break;
	}
	out->n = seq.n;
	memcpy(out->cpu, seq.cpu, seq.n * sizeof(seq.cpu[0]));
	return 0;
}

int cpu_sequence_at(const struct cpu_sequence *seq, uint64_t i)
{
	return seq->cpu[i % seq->n];
}

int cpu_list_valid(const char *s)
{
	cpu_set_t set;
	return parse_cpus(s, &set) == 0;
}

/* The CPUs of set as a list ("0-1,4"), cut with "..." when it does not fit. */
static void format_set(const cpu_set_t *set, char *out, size_t len)
{
	size_t n = 0;
	out[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, set))
			continue;
		int last = c;
		while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
			last++;
		char item[32];
		if (last == c)
			snprintf(item, sizeof(item), "%s%d", n ? "," : "", c);
		else
			snprintf(item, sizeof(item), "%s%d-%d", n ? "," : "", c, last);
		size_t k = strlen(item);
		if (n + k + 4 > len) {
			snprintf(out + n, len - n, "...");
			return;
		}
		memcpy(out + n, item, k + 1);
		n += k;
		c = last;
	}
}

int cpu_list_available(const char *s, char *why, size_t whylen)
{
	cpu_set_t allowed, wanted;
	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) || parse_cpus(s, &wanted))
		return 0; /* more CPUs than CPU_SETSIZE, or not a list: cannot tell here */
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &wanted) || CPU_ISSET(c, &allowed))
			continue;
		char list[128];
		format_set(&allowed, list, sizeof(list));
		snprintf(why, whylen, "CPU %d is not available here (expected CPUs from %s)", c,
			 list);
		return -1;
	}
	return 0;
}
