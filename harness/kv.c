/* kv — the workloads' key=value output; see kv.h. */
#include "kv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The value of "key=" on a line of out, or NULL; copied into buf. */
const char *kv_get(const char *out, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	for (const char *line = out; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (n > klen && !strncmp(line, key, klen) && line[klen] == '=') {
			size_t v = n - klen - 1;
			if (v >= len)
				v = len - 1;
			memcpy(buf, line + klen + 1, v);
			buf[v] = '\0';
			return buf;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* The numeric value of key, or NAN when absent or not a number. */
double kv_num(const char *out, const char *key)
{
	char buf[64];
	const char *s = kv_get(out ? out : "", key, buf, sizeof(buf));
	if (!s || !*s)
		return NAN;
	char *end;
	double v = strtod(s, &end);
	return *end || !isfinite(v) ? NAN : v;
}
