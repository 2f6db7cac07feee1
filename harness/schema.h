/*
 * schema.h — every column of runs.csv, declared once.
 *
 * A row is, in this order:
 *   - the point's identity (impl, mode, topology, layout, busy_poll,
 *     placement, msg_size, threads: a point of the grid; summary.csv has one
 *     row each), interleaved with what describes the run (mtu, rep,
 *     duration_s, warmup_s, offloads, where its threads ran: placed,
 *     srv_cpus, cli_cpus; status);
 *   - the workloads' totals, each copied from one key of the client's or the
 *     server's key=value output (with the client's throughput interval by
 *     interval: intervals, interval_cv, and interval_step = 1 for a run
 *     with two modes, workloads/intervals.h), the harness's measures of placement
 *     (cpu_overlap; migrations are the event files' cpu_migrations), and what TCP did on
 *     each side (srv_tcp_*, cli_tcp_*: TCP_INFO at the window's edges);
 *   - per event of the event file and side (srv_, cli_): the count and its
 *     running fraction, then the derived columns (cycles and CPU ns per
 *     byte, cache misses per KiB, counts per message, then TCP's bytes per
 *     data segment and data segments per message).
 * Row writing, --resume's done keys, summary.csv, `copyscope table` and the
 * docs' column list all take the names from here. A missing value is an
 * empty cell, never 0.
 */
#ifndef COPYSCOPE_SCHEMA_H
#define COPYSCOPE_SCHEMA_H

#include <stddef.h>

#include "counters.h"

enum column_kind {
	COL_POINT,    /* names a point of the grid */
	COL_RUN,      /* describes one run of a point (rep, status, ...) */
	COL_WORKLOAD, /* a workload's total, copied from its output */
	COL_MEASURED, /* measured by the harness over the window (placement) */
};

enum column_source {
	FROM_HARNESS, /* the harness fills it from the run's spec or link */
	FROM_CLIENT,  /* key= of copyscope-client's output */
	FROM_SERVER,  /* key= of copyscope-server's output */
};

struct column {
	const char *name;
	enum column_kind kind;
	enum column_source source;
	const char *key; /* the workload's output key (FROM_CLIENT/FROM_SERVER) */
	int only_verified; /* filled only when the client verified every byte */
};

/* The fixed columns, in row order: identity, run and workload columns. */
extern const struct column schema_fixed[];
extern const size_t schema_nfixed;

/* The point columns every runs.csv has (COL_POINT), in row order, and the
 * one that numbers repetitions: a run is a point plus its rep. A point column
 * added later names points too where a folder has it: SCHEMA_PLACEMENT
 * (folders written before it ran unpinned, i.e. free). */
#define SCHEMA_NPOINT 7
extern const char *const schema_point[SCHEMA_NPOINT];
#define schema_npoint ((size_t)SCHEMA_NPOINT)
#define SCHEMA_REP "rep"
#define SCHEMA_PLACEMENT "placement"

/* The column a point's repetitions are judged by: throughput_gbps in stream
 * mode, lat_p50_us in rr (the median reps = auto narrows; compare's ratios). */
const char *schema_headline(const char *mode);

/* Calls emit(name, ctx) for every column of a row counted with plan, in row
 * order: the fixed ones, then each event's and the derived ones. Stops at
 * and returns the first non-zero emit() result; else 0. */
int schema_columns(const struct counter_plan *plan, int (*emit)(const char *name, void *ctx),
		   void *ctx);

/*
 * The columns sampling adds (copyscope run --sample, sweep key sample = on;
 * sampler.h) after every other column, in this order: sample_hz (the
 * frequency sampled at), srv_samples, srv_samples_lost, cli_samples,
 * cli_samples_lost, then for each side srv_cat_<c>_pct for each category c
 * of cats in its order (other last; the shares of a side's samples, which
 * sum to 100), then cli_, then srv_cat_<c>_ns_per_byte and cli_ (the share
 * times cpu_ns_per_byte, where samples measure CPU time). Same contract as
 * schema_columns.
 */
struct category_set; /* categories.h */
int schema_sample_columns(const struct category_set *cats,
			  int (*emit)(const char *name, void *ctx), void *ctx);

#endif
