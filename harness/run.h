/*
 * run — one point of a sweep: fork the server, then the client, count both
 * over the measured window, and fill one result_row.
 *
 * Sequence (docs/architecture.md, "How data flows"): the server is spawned with
 * counters opened disabled on it before it execs; its "listening HOST:PORT"
 * line gives the port (no fixed port, no sleep). The client is spawned the
 * same way. The client's "begin" on its control socket makes the harness
 * enable both processes' counter groups (and tell the server "begin"); its
 * "end" disables and reads them. Then the client exits, the server gets
 * SIGTERM and prints its totals. A workload that dies, exits non-zero or
 * overruns warm-up + duration + grace is ended and reaped by pid, and the row
 * says status=failed:<reason>.
 *
 * With spec->sample (sampler.h), each workload's call chains are sampled
 * too: opened with its counters, enabled and disabled with them, drained by
 * the same poll loop while the window runs, its memory map read when the
 * window closes; after the run (never inside the window) they are named,
 * written as folded stacks and counted per category into the row. A folded
 * file that cannot be written is the harness's failure, as a log is.
 *
 * With spec->remote the server runs on another host under `copyscope agent`
 * (remote.h): the agent spawns and counts it there, relays begin and end,
 * and returns its totals and counters after the client has exited; the rest
 * is as above. An agent that cannot be reached, refuses, or goes away makes
 * the row status=failed:agent_<reason>.
 *
 * Memory: the caller owns spec, plan and row; run_point fills row (which must
 * be initialised) with every column of the contract, in order.
 */
#ifndef COPYSCOPE_RUN_H
#define COPYSCOPE_RUN_H

#include <stddef.h>

#include "placement.h"
#include "results.h"

struct counter_plan; /* counters.h */
struct sample_plan;  /* sampler.h */

struct run_spec {
	const char *impl;     /* canonical strategy name, e.g. "one-copy" */
	const char *mode;     /* "stream" or "rr" */
	const char *layout;   /* "scattered" or "contiguous" */
	const char *topology; /* "loopback", "netns" or "remote" (with remote below) */
	int busy_poll;	      /* 0 or 1 */
	unsigned long msg_size;
	unsigned threads;
	unsigned rep;
	double duration_s;
	double warmup_s;
	enum placement placement; /* where connection threads go (placement.h); free: nowhere */
	const char *server_cpus; /* CPU list for the server, NULL: not pinned (placement free only) */
	const char *client_cpus; /* CPU list for the client, NULL: not pinned (placement free only) */
	unsigned mtu;		 /* netns veth MTU; 0: the default */
	const char *server_log;	 /* copy of the server's output, NULL: none */
	const char *client_log;	 /* copy of the client's output, NULL: none */
	const char *intervals;	 /* the client's per-interval CSV (--intervals-out), NULL: none */
	int verify;		 /* pass --verify to the client; verify_errors is empty without */
	struct run_cost *cost;	 /* out, optional: what the run cost the machine */
	/* where the CPU goes (sampler.h): sample both workloads' call chains over the
	 * window, and add the sampling columns (schema_sample_columns); NULL: not sampled */
	struct sample_plan *sample;
	/* their folded stacks (stacks.h); NULL: beside server_log/client_log, with
	 * ".folded" for ".log", or none without a log */
	const char *server_stacks;
	const char *client_stacks;
	/* topology "remote" (remote.h): the agent that runs and counts the server on
	 * its host, and the event file's text it is sent (it resolves the events on
	 * its own PMU; the plan's order is the file's); NULL on the other topologies */
	const struct remote_target *remote;
	const char *events_text;
	size_t events_len;
};

/* What run_point() itself cost, to show the harness does not disturb the workloads. */
struct run_cost {
	double harness_cpu_s;	/* getrusage(RUSAGE_SELF) during run_point: the harness */
	double workloads_cpu_s; /* getrusage(RUSAGE_CHILDREN) during run_point: server + client */
	double wall_s;
	double sampling_after_s; /* of wall_s: naming, folding and writing the samples, after the window */
};

enum run_outcome {
	RUN_ERROR = -1,	     /* the harness itself could not run it (err says why) */
	RUN_OK = 0,	     /* row status=ok */
	RUN_FAILED = 1,	     /* row status=failed:<reason> */
	RUN_INTERRUPTED = 2, /* run_request_stop() was called; row status=interrupted */
};

/*
 * Runs one point; returns an enum run_outcome. The row always gets every
 * column and a status (RUN_ERROR: status=failed:harness). RUN_FAILED: err
 * holds one line of detail (e.g. "client exit 1: <its last stderr line>").
 *
 * Test hooks: the environment variables COPYSCOPE_SERVER and COPYSCOPE_CLIENT
 * name other programs to run instead of the workloads next to the executable
 * (tests use them to run a workload that crashes); COPYSCOPE_TRACEFS names
 * another tracefs root (counters.c).
 */
int run_point(const struct run_spec *spec, const struct counter_plan *plan, struct result_row *row,
	      char *err, size_t errlen);

/*
 * Asks a run in progress (now or later) to end its workloads and return
 * RUN_INTERRUPTED. Async-signal-safe: call it from a SIGINT/SIGTERM handler.
 */
void run_request_stop(void);

/* True once run_request_stop() was called. */
int run_stop_requested(void);

#endif
