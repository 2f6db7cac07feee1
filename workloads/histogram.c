/* histogram.c — see histogram.h. */
#include "histogram.h"

#include <math.h>
#include <string.h>

void histogram_init(struct histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static unsigned bucket_of(uint64_t v)
{
	if (v < 2 * HISTOGRAM_SUB)
		return (unsigned)v;
	unsigned shift = 63 - (unsigned)__builtin_clzll(v) - HISTOGRAM_SUB_BITS;
	return shift * HISTOGRAM_SUB + (unsigned)(v >> shift);
}

/* Largest value that falls in bucket b. */
static uint64_t bucket_top(unsigned b)
{
	if (b < 2 * HISTOGRAM_SUB)
		return b;
	unsigned shift = b / HISTOGRAM_SUB - 1;
	uint64_t mant = b % HISTOGRAM_SUB + HISTOGRAM_SUB;
	return ((mant + 1) << shift) - 1;
}

void histogram_record(struct histogram *h, uint64_t v)
{
	h->buckets[bucket_of(v)]++;
	h->count++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void histogram_merge(struct histogram *into, const struct histogram *from)
{
	for (unsigned b = 0; b < HISTOGRAM_BUCKETS; b++)
		into->buckets[b] += from->buckets[b];
	into->count += from->count;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

uint64_t histogram_percentile(const struct histogram *h, double p)
{
	if (h->count == 0)
		return 0;
	uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned b = 0; b < HISTOGRAM_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen >= rank) {
			uint64_t v = bucket_top(b);
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	return h->max;
}
