/*
 * intervals — the client's throughput interval by interval (100 ms by
 * default, as iperf3's intervals), over the measured window only, and what
 * that series says about the run's stability.
 *
 * The client's main thread, which already waits for the window to end,
 * wakes at every interval edge, sums the workers' counters (relaxed atomics,
 * one writer each) and adds one sample: the bytes and messages (rr: round
 * trips) of all connections since the last edge, and how long that was by
 * the clock. Only full intervals are kept: when the window is not a
 * multiple of the interval, the shorter last piece counts in the window's
 * totals but is dropped from the series (a piece of 1 ms would otherwise
 * weigh as much as a whole interval, with a hundred times the noise).
 *
 * Stability, from the series' rates (bytes per second of each interval, its
 * own measured length; in rr mode that is round trips per second times the
 * size, so the same numbers):
 *   - cv: the sample standard deviation over the mean (as summary.csv's
 *     _cv columns); undefined (NAN) below 2 intervals or with a mean of 0.
 *   - step: two modes within one run. The series is split at the one point
 *     that minimises the sum of squares within the two segments, each at
 *     least INTERVAL_SEGMENT_MIN intervals long. A step is flagged when
 *     both (a) the higher segment mean exceeds the lower by more than
 *     INTERVAL_STEP_DIFFER (20%), and (b) the split explains at least
 *     INTERVAL_STEP_EXPLAINED (80%) of the series' variance
 *     (1 - SSE_within / SSE_total). (a) alone would flag a noisy steady
 *     series, whose best split always finds some difference; (b) alone a
 *     very steady one, where tiny differences explain much of a tiny
 *     variance. 80% also leaves out a steady ramp, whose best split
 *     explains 75%, and a lone slow interval, which a segment of three
 *     cannot isolate. Fewer than 2 * INTERVAL_SEGMENT_MIN intervals: not
 *     decided. A series with no variance (all equal, all zero): no step.
 *     On simulated series with normal noise: a steady one is flagged never
 *     with 5% noise, about 1 in 700 with 10% at 10 intervals, none seen at
 *     20 or more; 12 then 22 Gbit/s is flagged every time with 5% noise,
 *     96-100% with 10%, and about half with 15%, where the noise alone
 *     explains a fifth of the variance (the cv then tells the story).
 *
 * No I/O but the CSV writer, which writes to a FILE the caller opened.
 * Errors: interval_series_init returns -1 (errno ENOMEM); the writer -1
 * when the stream reports an error.
 */
#ifndef COPYSCOPE_INTERVALS_H
#define COPYSCOPE_INTERVALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define INTERVAL_DEFAULT_S	0.1  /* --interval's default */
#define INTERVAL_MIN_S		0.01 /* shorter would measure the main thread's wake-ups */
#define INTERVAL_SEGMENT_MIN	3    /* intervals on each side of a split */
#define INTERVAL_STEP_DIFFER	0.20 /* higher mean / lower mean - 1, more than this */
#define INTERVAL_STEP_EXPLAINED 0.80 /* share of the variance the split explains, at least */

/* One full interval. */
struct interval_sample {
	double end_s;	/* its end, seconds since the window opened */
	double len_s;	/* its length by the clock (the main thread may wake late) */
	uint64_t bytes; /* received by all connections in it */
	uint64_t msgs;	/* messages received; in rr mode, round trips completed */
};

/* The series: the caller owns it; v is allocated by interval_series_init
 * for cap samples and freed by interval_series_free. */
struct interval_series {
	size_t n, cap;
	struct interval_sample *v;
};

/* Room for cap samples (0 is fine: no interval fits the window). 0 or -1. */
int interval_series_init(struct interval_series *s, size_t cap);
void interval_series_free(struct interval_series *s);
/* Appends a sample; one beyond cap is dropped (never happens when cap is
 * the number of full intervals in the window). */
void interval_series_add(struct interval_series *s, const struct interval_sample *sample);

/* The CSV: a header "t_s,bytes,gbps" (",round_trips" with round_trips),
 * then one line per sample: its end, its bytes, its Gbit/s. 0, or -1 when
 * writing failed (ferror). */
int interval_series_write_csv(const struct interval_series *s, FILE *f, bool round_trips);

/* What the series says (see the top of this file). */
struct interval_stability {
	size_t n;	    /* intervals */
	double cv;	    /* NAN when undefined */
	int step;	    /* 1 a step, 0 none, -1 not decided (too few intervals) */
	size_t split;	    /* the first interval of the second segment (step >= 0, variance > 0) */
	double mean_before; /* the two segments' means, in the unit given */
	double mean_after;
	double explained; /* 1 - SSE_within / SSE_total of the best split; 0 with no variance */
	double ratio;	  /* mean_after / mean_before when step is 1, else NAN; NAN too
			   * when mean_before is 0 (a stall that ended) */
};

/* The stability of n rates (any unit, each >= 0). */
void interval_stability_of(const double *rate, size_t n, struct interval_stability *out);

/* The same, of a series' rates in Gbit/s. 0, or -1 (ENOMEM). */
int interval_series_stability(const struct interval_series *s, struct interval_stability *out);

/* A sample's rate in Gbit/s (0 for a sample of no length). */
double interval_gbps(const struct interval_sample *sample);

#endif
