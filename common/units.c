/* units.c — see units.h. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
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
