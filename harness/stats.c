/*
 * stats — bootstrap intervals of a median and of a ratio of medians (see
 * stats.h): resampling with replacement, the generator seeded from the data.
 */
#include "splitmix.h"
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME  1099511628211ull

/* One side's values: the non-NAN inputs, ascending, and the scratch that one
 * resample counts its draws in. */
struct sample {
	double *v;
	size_t n;
	unsigned *drawn; /* drawn[i]: how often v[i] was drawn in this resample */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void sample_free(struct sample *s)
{
	free(s->v);
	free(s->drawn);
}

static int sample_init(struct sample *s, const double *values, size_t n)
{
	s->n = 0;
	s->v = malloc((n ? n : 1) * sizeof(*s->v));
	s->drawn = malloc((n ? n : 1) * sizeof(*s->drawn));
	if (!s->v || !s->drawn) {
		sample_free(s);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!isnan(values[i]))
			s->v[s->n++] = values[i] == 0 ? 0.0 : values[i]; /* -0 hashes as 0 */
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	return 0;
}

/* The median as summary.csv has it: an even count gives the mean of the middle two. */
static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* FNV-1a over the values' bit patterns: sorted values, so the order of the
 * input cannot change the seed. */
static uint64_t fnv1a(uint64_t h, const struct sample *s)
{
	for (size_t i = 0; i < s->n; i++) {
		uint64_t bits;
		memcpy(&bits, &s->v[i], sizeof(bits));
		for (int b = 0; b < 64; b += 8) {
			h ^= (bits >> b) & 0xff;
			h *= FNV_PRIME;
		}
	}
	/* the count ends a side, so ({1, 2}, {3}) and ({1}, {2, 3}) differ */
	for (int b = 0; b < 64; b += 8) {
		h ^= ((uint64_t)s->n >> b) & 0xff;
		h *= FNV_PRIME;
	}
	return h;
}

/* A uniform index below n (< 2^32): the top 32 bits of a draw scaled to n,
 * a multiplication where `% n` would be a division (the bias is below n / 2^32). */
static size_t draw_index(uint64_t *state, size_t n)
{
	return (size_t)(((splitmix_next(state) >> 32) * (uint64_t)n) >> 32);
}

/* The median of one resample (n draws with replacement): the draws are only
 * counted, and the middle ranks read off the counts, as v is sorted. */
static double resample_median(struct sample *s, uint64_t *state)
{
	size_t lo_rank = (s->n - 1) / 2, hi_rank = s->n / 2, seen = 0;
	double lo = 0;
	memset(s->drawn, 0, s->n * sizeof(*s->drawn));
	for (size_t i = 0; i < s->n; i++)
		s->drawn[draw_index(state, s->n)]++;
	for (size_t j = 0; j < s->n; j++) {
		size_t before = seen;
		seen += s->drawn[j];
		if (before <= lo_rank && lo_rank < seen)
			lo = s->v[j];
		if (hi_rank < seen)
			return lo_rank == hi_rank ? lo : (lo + s->v[j]) / 2.0;
	}
	return lo; /* not reached: the counts sum to n */
}

static void swap(double *x, size_t i, size_t j)
{
	double t = x[i];
	x[i] = x[j];
	x[j] = t;
}

/* The value of 0-based rank k among x[0..n-1] (quickselect with a three-way
 * partition, as resampled medians repeat a lot); reorders x. */
static double select_rank(double *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n;
	for (;;) {
		double p = x[lo + (hi - lo) / 2];
		size_t lt = lo, i = lo, gt = hi;
		while (i < gt) {
			if (x[i] < p)
				swap(x, lt++, i++);
			else if (x[i] > p)
				swap(x, i, --gt);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return p;
	}
}

/*
 * The percentile interval of the resampled statistics t[0..STATS_RESAMPLES-1]
 * by nearest rank: the p-th percentile is the value of rank ceil(p * R)
 * (1-based), for p = (1 - level) / 2 and 1 - p: ranks 50 and 1950 of 2000.
 * The estimate is kept inside (a skewed small sample can leave it out).
 */
static void percentile_interval(double *t, struct interval *out)
{
	double tail = (1 - STATS_LEVEL) / 2;
	size_t r_lo = (size_t)ceil(tail * STATS_RESAMPLES - 1e-9);
	size_t r_hi = (size_t)ceil((1 - tail) * STATS_RESAMPLES - 1e-9);
	out->lo = select_rank(t, STATS_RESAMPLES, r_lo - 1);
	out->hi = select_rank(t, STATS_RESAMPLES, r_hi - 1);
	if (out->lo > out->est)
		out->lo = out->est;
	if (out->hi < out->est)
		out->hi = out->est;
}

int stats_median_ci(const double *v, size_t n, struct interval *out)
{
	struct sample s;
	*out = (struct interval){NAN, NAN, NAN};
	if (sample_init(&s, v, n))
		return -1;
	int rc = 0;
	if (s.n) {
		out->est = median_sorted(s.v, s.n);
		out->lo = out->hi = out->est; /* one value, or all alike: every resample agrees */
	}
	if (s.n && s.v[0] != s.v[s.n - 1]) {
		double *t = malloc(STATS_RESAMPLES * sizeof(*t));
		if (t) {
			uint64_t state = fnv1a(FNV_OFFSET, &s);
			for (size_t r = 0; r < STATS_RESAMPLES; r++)
				t[r] = resample_median(&s, &state);
			percentile_interval(t, out);
			free(t);
		} else {
			*out = (struct interval){NAN, NAN, NAN};
			rc = -1;
		}
	}
	sample_free(&s);
	return rc;
}

int stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, struct interval *out)
{
	struct sample sa, sb;
	*out = (struct interval){NAN, NAN, NAN};
	if (sample_init(&sa, a, na))
		return -1;
	if (sample_init(&sb, b, nb)) {
		sample_free(&sa);
		return -1;
	}
	int rc = 0;
	/* every resampled base must be > 0: no base value may be <= 0 */
	if (sa.n && sb.n && sa.v[0] > 0) {
		double *t = malloc(STATS_RESAMPLES * sizeof(*t));
		if (t) {
			uint64_t state = fnv1a(fnv1a(FNV_OFFSET, &sa), &sb);
			out->est = median_sorted(sb.v, sb.n) / median_sorted(sa.v, sa.n);
			for (size_t r = 0; r < STATS_RESAMPLES; r++) {
				double base = resample_median(&sa, &state);
				t[r] = resample_median(&sb, &state) / base;
			}
			percentile_interval(t, out);
			free(t);
		} else {
			rc = -1;
		}
	}
	sample_free(&sa);
	sample_free(&sb);
	return rc;
}

int stats_ratio_side(const struct interval *ratio)
{
	if (ratio->lo > 1 && ratio->est >= STATS_MIN_EFFECT)
		return 1;
	if (ratio->hi < 1 && ratio->est <= 1 / STATS_MIN_EFFECT)
		return -1;
	return 0; /* holds 1, within the margin, or NAN: the comparisons are false */
}

double stats_rel_halfwidth(const struct interval *iv)
{
	if (isnan(iv->est) || iv->est == 0)
		return NAN;
	return (iv->hi - iv->lo) / 2 / fabs(iv->est);
}
