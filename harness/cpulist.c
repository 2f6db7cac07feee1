/*
 * cpulist — see cpulist.h.
 */
#include "cpulist.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Reads the next item of a list cpu_list_valid accepts: *lo..*hi, and moves
 * *s past it and its comma. 0, or -1 at the end of the list or a bad item.
 */
static int next_range(const char **s, unsigned long *lo, unsigned long *hi)
{
	const char *p = *s;
	char *end;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*lo = *hi = strtoul(p, &end, 10);
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -1;
		*hi = strtoul(end + 1, &end, 10);
	}
	if (errno || *hi < *lo || *hi >= CPU_SETSIZE) /* what the workloads accept */
		return -1;
	if (*end == ',' && end[1])
		end++;
	else if (*end)
		return -1;
	*s = end;
	return 0;
}

int cpu_list_valid(const char *s)
{
	if (!*s)
		return 0;
	while (*s) {
		unsigned long lo, hi;
		if (next_range(&s, &lo, &hi))
			return 0;
	}
	return 1;
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
	cpu_set_t allowed;
	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return 0; /* more CPUs than CPU_SETSIZE: cannot tell here */
	while (*s) {
		unsigned long lo, hi;
		if (next_range(&s, &lo, &hi))
			return 0; /* not a list: cpu_list_valid's business */
		for (unsigned long c = lo; c <= hi; c++) {
			if (CPU_ISSET(c, &allowed))
				continue;
			char list[128];
			format_set(&allowed, list, sizeof(list));
			snprintf(why, whylen,
				 "CPU %lu is not available here (expected CPUs from %s)", c, list);
			return -1;
		}
	}
	return 0;
}
