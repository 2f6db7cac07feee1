/*
 * metrics — every number derived from summary.csv cells, computed here once:
 * the report, the tables and the figures' data print them, and never compute
 * their own. Each takes cells (NAN when not measured) and gives NAN when an
 * input is missing or the ratio has no meaning (a zero or negative base).
 * Crossovers are found here too; the report's flips and bumps are still
 * found where they are printed (report.c).
 */
#ifndef COPYSCOPE_METRICS_H
#define COPYSCOPE_METRICS_H

#include <stddef.h>

/* a ÷ b, for b > 0: a strategy's throughput over two-copy's (the speed-up),
 * or a bar's end (min ÷ two-copy's max, max ÷ two-copy's min). */
double metric_ratio(double a, double b);

/* The share of zero-copy completions the kernel copied anyway, in percent:
 * 100 × zc_copied ÷ zc_completions. */
double metric_copied_pct(double copied, double completions);

/* Whether a zero-copy strategy avoided the copy at a point: its copied share
 * (metric_copied_pct) under 100%, so the sending host's device took some of
 * its pages. On loopback and veth every completion is copied (100%). 0 for
 * NAN (no completion counted). */
int metric_copy_avoided(double copied_pct);

/* A zero-copy strategy's copied shares (metric_copied_pct, one per point),
 * folded: the points with completions counted, those where the copy was
 * avoided (metric_copy_avoided), and the smallest and largest share (NAN
 * when no point counted any). */
struct copied_shares {
	size_t points, avoided;
	double lo, hi;
};
void metric_copied_shares(const double *pct, size_t n, struct copied_shares *out);

/* How much smaller one-copy's count is than two-copy's, in percent of
 * two-copy's: (two − one) ÷ two × 100 (misses per KiB, CPU ns per byte). */
double metric_reduction_pct(double two, double one);

/* User time's share of a side's CPU time, in percent: user ÷ (user + sys). */
double metric_user_pct(double user_s, double sys_s);

/* A side's CPU time over the window, in percent of one CPU. */
double metric_busy_pct(double user_s, double sys_s, double window_s);

/* Where the speed-up curve crosses 1.0, interpolated linearly on log2(size). */
struct crossing {
	double size;   /* bytes */
	int upward;    /* 1: from <= 1 to > 1 (overtakes); 0: falls behind */
	size_t before; /* index of the measured point below the crossing */
};

/* The crossings of ratio[0..n-1] measured at sizes[0..n-1] (ascending; NANs skipped). */
size_t metric_crossings(const long *sizes, const double *ratio, size_t n, struct crossing *out,
			size_t max);

/*
 * Physical plausibility of a count (docs/counting.md#physical-plausibility).
 *
 * A receiver that ran on other cores than its sender loads every received
 * byte from lines the other core wrote last: at least one L1 miss per
 * 64-byte line, 16 per KiB received. A count below that floor, or one whose
 * counter was on the PMU for under 5% of the window (a scaled guess), is
 * implausible: shown flagged, never used for an answer.
 */
#define METRIC_LINE_BYTES	64   /* a cache line */
#define METRIC_RUNNING_MIN	0.05 /* a counter on the PMU for less of the window: a guess */
#define METRIC_RR_REQUEST_BYTES 8    /* an rr request (docs/workloads.md) */

/* The bytes side ("srv" or "cli") received in the window, from the point's
 * bytes (what the client received) and msgs: the client receives every
 * message in both modes; the server receives nothing in stream mode and one
 * 8-byte request per message in rr mode. NAN when mode or side is unknown. */
double metric_received_bytes(const char *mode, const char *side, double bytes, double msgs);

/*
 * The share of two sides' on-CPU time spent on cores both used: the sum over
 * cores of the smaller of the two sides' shares, as cpu_overlap is over
 * CPUs, but SMT siblings (which share a core's L1) count as one. srv and cli
 * are runs.csv's srv_cpus and cli_cpus ("CPU:percent;..."); core_of[cpu] is
 * the core of each CPU below ncpu (-1: its own). NAN when a list is empty or
 * not of that form.
 */
double metric_core_overlap(const char *srv, const char *cli, const int *core_of, size_t ncpu);

/* The fewest L1 misses per KiB of `bytes` that side can show: one per
 * 64-byte line it received, where every run of the point kept the two sides
 * on different cores (overlap_max: the point's largest core overlap, else
 * cpu_overlap_max; at most PLACEMENT_SPREAD_MAX, as `placed` spread). NAN
 * where no floor applies: the sides shared cores, the overlap was not
 * measured, or the side received nothing. */
double metric_l1_floor_per_kb(const char *mode, const char *side, double bytes, double msgs,
			      double overlap_max);

enum count_doubt {
	COUNT_PLAUSIBLE,
	COUNT_BELOW_FLOOR, /* fewer than the floor: per_kb < floor */
	COUNT_RUNNING_LOW, /* the counter was on the PMU for < 5% of some run's window */
};

/* Whether a count per KiB can be used: floor_per_kb NAN is no floor,
 * running_min NAN is no fraction recorded (both: plausible). A count not
 * measured (NAN) is plausible: it is simply absent. */
enum count_doubt metric_count_doubt(double per_kb, double floor_per_kb, double running_min);

#endif
