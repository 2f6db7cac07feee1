/* metrics — numbers derived from summary cells; see metrics.h. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "placement.h"

double metric_ratio(double a, double b)
{
	return b > 0 && !isnan(a) ? a / b : NAN;
}

double metric_copied_pct(double copied, double completions)
{
	return completions > 0 && !isnan(copied) ? 100 * copied / completions : NAN;
}

int metric_copy_avoided(double copied_pct)
{
	return copied_pct < 100; /* NAN compares false */
}

void metric_copied_shares(const double *pct, size_t n, struct copied_shares *out)
{
	*out = (struct copied_shares){0, 0, NAN, NAN};
	for (size_t i = 0; i < n; i++) {
		if (isnan(pct[i]))
			continue;
		out->lo = out->points && out->lo < pct[i] ? out->lo : pct[i];
		out->hi = out->points && out->hi > pct[i] ? out->hi : pct[i];
		out->points++;
		out->avoided += (size_t)metric_copy_avoided(pct[i]);
	}
}

double metric_reduction_pct(double two, double one)
{
	return two > 0 && !isnan(one) ? (two - one) / two * 100 : NAN;
}

double metric_user_pct(double user_s, double sys_s)
{
	return user_s + sys_s > 0 ? user_s / (user_s + sys_s) * 100 : NAN;
}

double metric_busy_pct(double user_s, double sys_s, double window_s)
{
	return window_s > 0 ? (user_s + sys_s) / window_s * 100 : NAN;
}

size_t metric_crossings(const long *sizes, const double *ratio, size_t n, struct crossing *out,
			size_t max)
{
	size_t found = 0, prev = n;
	for (size_t i = 0; i < n; i++) {
		if (isnan(ratio[i]) || sizes[i] <= 0)
			continue;
		if (prev < n && found < max) {
			double a = ratio[prev], b = ratio[i];
			int up = a <= 1 && b > 1, down = a > 1 && b <= 1;
			if (up || down) {
				double x0 = log2((double)sizes[prev]), x1 = log2((double)sizes[i]);
				double x = x0 + (1 - a) / (b - a) * (x1 - x0);
				out[found++] = (struct crossing){exp2(x), up, prev};
			}
		}
		prev = i;
	}
	return found;
}

double metric_received_bytes(const char *mode, const char *side, double bytes, double msgs)
{
	int rr = !strcmp(mode, "rr"), stream = !strcmp(mode, "stream");
	if (!rr && !stream)
		return NAN;
	if (!strcmp(side, "cli"))
		return bytes;
	if (strcmp(side, "srv"))
		return NAN;
	return rr ? msgs * METRIC_RR_REQUEST_BYTES : 0;
}

#define CORES_MAX 1024

/* "CPU:percent;..." summed per core into core[] and share[] (0..1): how
 * many cores, or -1 when the list is empty or not of that form. */
static int shares_by_core(const char *list, const int *core_of, size_t ncpu, int *core,
			  double *share)
{
	int n = 0;
	const char *p = list;
	while (*p) {
		char *end;
		long cpu = strtol(p, &end, 10);
		if (end == p || *end != ':' || cpu < 0)
			return -1;
		p = end + 1;
		double pct = strtod(p, &end);
		if (end == p || (*end && *end != ';'))
			return -1;
		p = *end ? end + 1 : end;
		int c = (size_t)cpu < ncpu && core_of[cpu] >= 0 ? core_of[cpu] : (int)cpu;
		int k = 0;
		while (k < n && core[k] != c)
			k++;
		if (k == n && n == CORES_MAX)
			return -1;
		if (k == n) {
			core[n] = c;
			share[n++] = 0;
		}
		share[k] += pct / 100;
	}
	return n > 0 ? n : -1;
}

double metric_core_overlap(const char *srv, const char *cli, const int *core_of, size_t ncpu)
{
	int sc[CORES_MAX], cc[CORES_MAX];
	double ss[CORES_MAX], cs[CORES_MAX];
	int ns = shares_by_core(srv, core_of, ncpu, sc, ss);
	int nc = shares_by_core(cli, core_of, ncpu, cc, cs);
	if (ns < 0 || nc < 0)
		return NAN;
	double overlap = 0;
	for (int i = 0; i < ns; i++)
		for (int j = 0; j < nc; j++)
			if (sc[i] == cc[j])
				overlap += fmin(ss[i], cs[j]);
	return overlap;
}

double metric_l1_floor_per_kb(const char *mode, const char *side, double bytes, double msgs,
			      double overlap_max)
{
	double received = metric_received_bytes(mode, side, bytes, msgs);
	if (!(overlap_max <= PLACEMENT_SPREAD_MAX) || !(received > 0) || !(bytes > 0))
		return NAN;
	return 1024.0 / METRIC_LINE_BYTES * received / bytes;
}

enum count_doubt metric_count_doubt(double per_kb, double floor_per_kb, double running_min)
{
	if (isnan(per_kb))
		return COUNT_PLAUSIBLE;
	if (running_min < METRIC_RUNNING_MIN)
		return COUNT_RUNNING_LOW;
	if (per_kb < floor_per_kb)
		return COUNT_BELOW_FLOOR;
	return COUNT_PLAUSIBLE;
}
