/*
 * report_text — how the report writes its numbers (report_parts.h): sizes,
 * thread counts, runs of sizes, figure links, ratios and changes with their
 * 95% intervals (docs/confidence.md), and the "not sampled" sentence.
 */
#include "report_parts.h"
#include "units.h"

#include <math.h>
#include <stdio.h>

/* "[figure N](figures/NAME.png)": figures are named in figure_table only. */
const char *fig_link(char *buf, size_t len, enum figure_id id)
{
	snprintf(buf, len, "[figure %d](figures/%s.png)", (int)id + 1, figure_table[id].name);
	return buf;
}

const char *sz(char *buf, double bytes)
{
	format_size(buf, 32, bytes, SIZE_LONG);
	return buf;
}

const char *threads_word(long t)
{
	return t == 1 ? "thread" : "threads";
}

/* "256 B–2 KiB, 16 KiB" from a mask over rd->sizes */
void size_ranges(const struct results_dir *rd, const int *mask, char *buf, size_t len)
{
	char a[32], b[32];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < rd->nsizes; i++) {
		if (!mask[i])
			continue;
		size_t j = i;
		while (j + 1 < rd->nsizes && mask[j + 1])
			j++;
		used +=
		    (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s%s%s",
				     used ? ", " : "", sz(a, (double)rd->sizes[i]),
				     j > i ? "–" : "", j > i ? sz(b, (double)rd->sizes[j]) : "");
		if (used >= len)
			return;
		i = j;
	}
}

/* "1.25 [1.21, 1.3]": a ratio and its interval; ", no significant difference"
 * when the interval holds 1. Without an interval, the ratio alone. */
const char *ratio_text(char *buf, size_t len, const struct interval *iv)
{
	if (!has_interval(iv))
		snprintf(buf, len, "%.3g", iv->est);
	else
		snprintf(buf, len, "%.3g [%.3g, %.3g]%s", iv->est, iv->lo, iv->hi,
			 stats_ratio_side(iv) ? "" : ", no significant difference");
	return buf;
}

/* " [lo, hi]" of a ratio, or "" without an interval. */
const char *ci_text(char *buf, size_t len, const struct interval *iv)
{
	if (!has_interval(iv))
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, " [%.3g, %.3g]", iv->lo, iv->hi);
	return buf;
}

/* x rounded to decimals, without the sign of a negative zero. */
double unsigned_zero(double x, int decimals)
{
	double unit = pow(10, -decimals) / 2;
	return fabs(x) < unit ? 0 : x;
}

/* A share in percent: a share that is not all or nothing never reads as
 * 100.0% or 0.0%, which would say the opposite. */
const char *pct_text(char *buf, size_t len, double pct)
{
	int decimals = 1;
	while (decimals < 3 && pct > 0 && pct < 100 &&
	       (pct < 0.5 * pow(10, -decimals) || pct >= 100 - 0.5 * pow(10, -decimals)))
		decimals++;
	snprintf(buf, len, "%.*f%%", decimals, pct);
	return buf;
}

/* A ratio as a change in percent, "(r - 1) x 100": "-23% [-25%, -21%]", with
 * ", no significant difference" when the interval holds 1. decimals: at
 * least that many, more while a significant interval would read as 0. */
const char *change_text(char *buf, size_t len, const struct interval *iv, int decimals)
{
	double e = (iv->est - 1) * 100, lo = (iv->lo - 1) * 100, hi = (iv->hi - 1) * 100;
	if (!has_interval(iv)) {
		snprintf(buf, len, "%+.*f%%", decimals, unsigned_zero(e, decimals));
		return buf;
	}
	int side = stats_ratio_side(iv);
	while (side && decimals < 3 &&
	       (!unsigned_zero(lo, decimals) || !unsigned_zero(hi, decimals)))
		decimals++;
	snprintf(buf, len, "%+.*f%% [%+.*f%%, %+.*f%%]%s", decimals, unsigned_zero(e, decimals),
		 decimals, unsigned_zero(lo, decimals), decimals, unsigned_zero(hi, decimals),
		 side ? "" : ", no significant difference");
	return buf;
}

/* One sentence where the folder was not sampled: how to get what it would show. */
void write_not_sampled(FILE *out, const char *what)
{
	char f8[96];
	fprintf(out,
		"Not sampled: sweep with `sample = on` (or `copyscope run --sample`) to see %s "
		"(%s; docs/sampling.md).\n\n",
		what, fig_link(f8, sizeof(f8), FIG_CPU_WHERE));
}
