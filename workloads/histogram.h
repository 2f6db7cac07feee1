/*
 * histogram.h — log-linear latency histogram, no I/O.
 *
 * Values (nanoseconds, or any unit) below 64 get a bucket each; above, every
 * power of two is cut into HISTOGRAM_SUB equal buckets, so a percentile is
 * off by less than 1/HISTOGRAM_SUB (about 3%) of its value at any scale.
 * The minimum and maximum are kept exactly. Recording is a few instructions
 * and no allocation; one histogram belongs to one thread, and merging is how
 * threads' histograms are combined after they stop.
 */
#ifndef COPYSCOPE_HISTOGRAM_H
#define COPYSCOPE_HISTOGRAM_H

#include <stdint.h>

#define HISTOGRAM_SUB_BITS 5
#define HISTOGRAM_SUB	   (1u << HISTOGRAM_SUB_BITS)
#define HISTOGRAM_BUCKETS  ((65 - HISTOGRAM_SUB_BITS) * HISTOGRAM_SUB)

struct histogram {
	uint64_t count, min, max;
	uint64_t buckets[HISTOGRAM_BUCKETS];
};

void histogram_init(struct histogram *h);
void histogram_record(struct histogram *h, uint64_t value);
void histogram_merge(struct histogram *into, const struct histogram *from);
/* The value at percentile p (0 < p <= 100): the upper edge of the bucket
 * that holds the ceil(p/100 * count)-th smallest value, clamped to [min,
 * max]. 0 for an empty histogram. */
uint64_t histogram_percentile(const struct histogram *h, double p);

#endif
