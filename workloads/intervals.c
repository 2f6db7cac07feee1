/* intervals.c — see intervals.h. */
#include "intervals.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int interval_series_init(struct interval_series *s, size_t cap)
{
	*s = (struct interval_series){0};
	if (cap == 0)
		return 0;
	s->v = calloc(cap, sizeof(*s->v));
	if (!s->v)
		return -1;
	s->cap = cap;
	return 0;
}

void interval_series_free(struct interval_series *s)
{
	free(s->v);
	*s = (struct interval_series){0};
}

void interval_series_add(struct interval_series *s, const struct interval_sample *sample)
{
	if (s->n < s->cap)
		s->v[s->n++] = *sample;
}

double interval_gbps(const struct interval_sample *sample)
{
	return sample->len_s > 0 ? (double)sample->bytes * 8 / sample->len_s / 1e9 : 0;
}

int interval_series_write_csv(const struct interval_series *s, FILE *f, bool round_trips)
{
	fprintf(f, "t_s,bytes,gbps%s\n", round_trips ? ",round_trips" : "");
	for (size_t i = 0; i < s->n; i++) {
		const struct interval_sample *x = &s->v[i];
		fprintf(f, "%.6f,%llu,%.6f", x->end_s, (unsigned long long)x->bytes,
			interval_gbps(x));
		if (round_trips)
			fprintf(f, ",%llu", (unsigned long long)x->msgs);
		fputc('\n', f);
	}
	return fflush(f) != 0 || ferror(f) ? -1 : 0;
}

static double cv_of(const double *x, size_t n, double mean)
{
	if (n < 2 || mean <= 0)
		return NAN;
	double sq = 0;
	for (size_t i = 0; i < n; i++)
		sq += (x[i] - mean) * (x[i] - mean);
	return sqrt(sq / (double)(n - 1)) / mean;
}

/* Sum of squares about the mean of a segment with k values summing to s1,
 * their squares to s2. */
static double sse(double s1, double s2, size_t k)
{
	double v = s2 - s1 * s1 / (double)k;
	return v > 0 ? v : 0;
}

/*
 * The best single split of rate: the k in [SEG, n - SEG] minimising the two
 * segments' sums of squares, found in one pass with running sums of the
 * values centred on their mean (so that the sums stay small). Fills split,
 * the segments' means and explained; sst is the total sum of squares.
 */
static void best_split(const double *rate, size_t n, double mean, double sst,
		       struct interval_stability *out)
{
	double tot1 = 0, tot2 = 0, l1 = 0, l2 = 0, best = INFINITY;
	for (size_t i = 0; i < n; i++) {
		tot1 += rate[i] - mean;
		tot2 += (rate[i] - mean) * (rate[i] - mean);
	}
	for (size_t k = 1; k + INTERVAL_SEGMENT_MIN <= n; k++) {
		double x = rate[k - 1] - mean;
		l1 += x;
		l2 += x * x;
		if (k < INTERVAL_SEGMENT_MIN)
			continue;
		double within = sse(l1, l2, k) + sse(tot1 - l1, tot2 - l2, n - k);
		if (within < best) {
			best = within;
			out->split = k;
			out->mean_before = mean + l1 / (double)k;
			out->mean_after = mean + (tot1 - l1) / (double)(n - k);
		}
	}
	out->explained = 1 - best / sst;
}

void interval_stability_of(const double *rate, size_t n, struct interval_stability *out)
{
	double mean = 0, sst = 0;
	for (size_t i = 0; i < n; i++)
		mean += rate[i];
	mean = n ? mean / (double)n : 0;
	for (size_t i = 0; i < n; i++)
		sst += (rate[i] - mean) * (rate[i] - mean);
	*out = (struct interval_stability){.n = n,
					   .cv = cv_of(rate, n, mean),
					   .step = n < 2 * INTERVAL_SEGMENT_MIN ? -1 : 0,
					   .mean_before = mean,
					   .mean_after = mean,
					   .ratio = NAN};
	/* too short, or no variance but rounding's: nothing to split */
	if (out->step < 0 || sst <= 1e-12 * (mean * mean + 1) * (double)n)
		return;
	best_split(rate, n, mean, sst, out);
	double lo = fmin(out->mean_before, out->mean_after);
	double hi = fmax(out->mean_before, out->mean_after);
	out->step =
	    hi > lo * (1 + INTERVAL_STEP_DIFFER) && out->explained >= INTERVAL_STEP_EXPLAINED;
	if (out->step && out->mean_before > 0)
		out->ratio = out->mean_after / out->mean_before;
}

int interval_series_stability(const struct interval_series *s, struct interval_stability *out)
{
	double *rate = malloc((s->n ? s->n : 1) * sizeof(*rate));
	if (!rate) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < s->n; i++)
		rate[i] = interval_gbps(&s->v[i]);
	interval_stability_of(rate, s->n, out);
	free(rate);
	return 0;
}
