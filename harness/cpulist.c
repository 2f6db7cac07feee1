/*
 * cpulist — see cpulist.h.
 */
#include "cpulist.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

int cpu_list_valid(const char *s)
{
	if (!*s)
		return 0;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return 0;
		errno = 0;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return 0;
			hi = strtoul(end + 1, &end, 10);
		}
		if (errno || hi < lo || hi >= CPU_SETSIZE) /* what the workloads accept */
			return 0;
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return 0;
		s = end;
	}
	return 1;
}
