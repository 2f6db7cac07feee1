/* units.c — see units.h. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int parse_digits(const char *s, const char **end, uint64_t *out)
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

/* The binary units of sizes, read and written: one table (as wrk's units.c). */
static const struct {
	const char *short_name, *long_name;
} size_units[] = {{"", "B"}, {"K", "KiB"}, {"M", "MiB"}, {"G", "GiB"}};
#define SIZE_UNITS (int)(sizeof(size_units) / sizeof(size_units[0]))

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	if (parse_digits(s, &end, &v) < 0)
		return -1;
	for (int i = 0; i < SIZE_UNITS; i++) {
		if (!strcasecmp(end, size_units[i].short_name) ||
		    (i > 0 && !strcasecmp(end, size_units[i].long_name))) {
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

void format_size(char *buf, size_t len, double bytes, enum size_style style)
{
	long long b = llround(bytes);
	int u = 0;
	while (u + 1 < SIZE_UNITS && b != 0 && b % (1ll << (10 * (u + 1))) == 0)
		u++;
	long long v = b >> (10 * u);
	if (style == SIZE_SHORT)
		snprintf(buf, len, "%lld%s", v, size_units[u].short_name);
	else
		snprintf(buf, len, "%lld %s", v, size_units[u].long_name);
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
	else if (!strcmp(end, "m"))
		v *= 60;
	else if (*end && strcmp(end, "s"))
		return -1;
	if (errno || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
