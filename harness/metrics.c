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
