/* metrics — numbers derived from summary cells; see metrics.h. */
#include "metrics.h"

#include <math.h>

double metric_ratio(double a, double b)
{
	return b > 0 && !isnan(a) ? a / b : NAN;
}

double metric_copied_pct(double copied, double completions)
{
	return completions > 0 && !isnan(copied) ? 100 * copied / completions : NAN;
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
