/*
 * copyscope run — one point from the command line (commands.h, run.h).
 *
 * Everything that can be checked is checked before anything runs (sizes,
 * the strategy, every event name, the --out file), so bad input never
 * leaves a half-written file or a stray process.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h" /* the bounds the workloads take */
#include "categories.h"
#include "commands.h"
#include "counters.h"
#include "eventfile.h"
#include "netns.h"
#include "results.h"
#include "programs.h"
#include "row.h"
#include "opttable.h"
#include "placement.h"
#include "pmusets.h"
#include "remote.h"
#include "run.h"
#include "sampler.h"

struct run_args {
	struct run_spec spec;
	const char *events;
	const char *out;
	int verbose;
	int sample;
	const char *categories; /* NULL: perfcfg/categories/default.cat */
	const char *stacks;	/* PREFIX of the folded stacks; NULL: none written */
	char categories_path[4096];
	char stacks_srv[4096], stacks_cli[4096];
	const char *impl_arg; /* as given */
	const char *placement;
	char impl[64];	      /* canonical */
	char events_default[4096];
	const char *remote;   /* --remote HOST[:PORT], NULL: none */
	const char *key_file; /* --key-file */
	struct remote_target target;
	char events_text[EVENT_SET_MAX * (EVENT_KEY_MAX + EVENT_LEVEL_MAX + EVENT_NAME_MAX + 3) + 1];
};

#define PROG "copyscope run"
#define SPEC(field) (offsetof(struct run_args, spec) + offsetof(struct run_spec, field))
#define ARG(field)  offsetof(struct run_args, field)

/* copyscope run's options: parsing, bounds and --help come from these rows. */
static const struct opt_def run_options[] = {
    {"impl", "I", OPT_STRING, 0, 0, NULL, ARG(impl_arg), 1, NULL,
     "the strategy: two-copy, one-copy, zero-copy, uring-zc (or a1..a4)"},
    {"size", "B", OPT_SIZE, MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE, NULL, SPEC(msg_size), 1, NULL,
     "the message size"},
    {"threads", "T", OPT_COUNT, 1, CLIENT_THREADS_MAX, NULL, SPEC(threads), 0, "1",
     "client connections, one thread each"},
    {"duration", "S", OPT_SECONDS, DURATION_MIN_S, SECONDS_MAX_S, NULL, SPEC(duration_s), 0, "5",
     "the measured window"},
    {"warmup", "S", OPT_SECONDS, 0, SECONDS_MAX_S, NULL, SPEC(warmup_s), 0, "1",
     "time before the window opens"},
    {"mode", "M", OPT_CHOICE, 0, 0, "stream rr", SPEC(mode), 0, "stream",
     "the server streams and the client counts, or request-response with round-trip "
     "latency percentiles"},
    {"layout", "L", OPT_CHOICE, 0, 0, "scattered contiguous", SPEC(layout), 0, "scattered",
     "8 heap fields, or one page-aligned block"},
    {"busy-poll", NULL, OPT_FLAG, 0, 0, NULL, SPEC(busy_poll), 0, NULL,
     "SO_BUSY_POLL on both ends, which spin instead of sleeping"},
    {"verify", NULL, OPT_FLAG, 0, 0, NULL, SPEC(verify), 0, NULL,
     "the client checks every byte it receives (verify_errors)"},
    {"events", "FILE", OPT_STRING, 0, 0, NULL, ARG(events), 0,
     "the set of this machine's PMU, else perfcfg/events/parte.events: copyscope events says "
     "which",
     "what to count"},
    {"out", "CSV", OPT_STRING, 0, 0, NULL, ARG(out), 0, NULL,
     "append the row to CSV (the header must match; a new file gets one) instead of "
     "printing header and row on stdout"},
    {"placement", "P", OPT_CHOICE, 0, 0, PLACEMENT_WORDS, ARG(placement), 0, "free",
     "where each connection's server and client threads run: unpinned, on one CPU, or on "
     "CPUs as far apart as the topology allows"},
    {"server-cpus", "LIST", OPT_CPUS, 0, 0, NULL, SPEC(server_cpus), 0, NULL,
     "pin the server's threads to CPUs this machine lets copyscope run on (placement "
     "free only)"},
    {"client-cpus", "LIST", OPT_CPUS, 0, 0, NULL, SPEC(client_cpus), 0, NULL,
     "pin the client's threads, likewise"},
    {"topology", "T", OPT_CHOICE, 0, 0, "loopback netns remote", SPEC(topology), 0, "loopback",
     "127.0.0.1, two network namespaces joined by a veth pair (needs root), or the server "
     "on another host (--remote)"},
    {"remote", "HOST[:PORT]", OPT_STRING, 0, 0, NULL, ARG(remote), 0, NULL,
     "run and count the server on HOST under `copyscope agent` (port " AGENTWIRE_PORT
     " unless named); the client runs here; implies --topology remote"},
    {"key-file", "FILE", OPT_STRING, 0, 0, NULL, ARG(key_file), 0, NULL,
     "with --remote: the key shared with the agent (mode 600)"},
    {"mtu", "N", OPT_COUNT, NETNS_MIN_MTU, NETNS_MAX_MTU, NULL, SPEC(mtu), 0, "1500",
     "netns only: the veth's MTU"},
    {"sample", NULL, OPT_FLAG, 0, 0, NULL, ARG(sample), 0, NULL,
     "sample both workloads' call chains over the window (the event file's sample line) "
     "and add where their CPU time goes, per category, to the row"},
    {"categories", "FILE", OPT_STRING, 0, 0, NULL, ARG(categories), 0,
     "perfcfg/categories/default.cat", "with --sample: the category file"},
    {"stacks", "PREFIX", OPT_STRING, 0, 0, NULL, ARG(stacks), 0, NULL,
     "with --sample: write the folded stacks to PREFIX.server.folded and "
     "PREFIX.client.folded"},
    {"verbose", NULL, OPT_FLAG, 0, 0, NULL, ARG(verbose), 0, NULL,
     "print on stderr what the harness itself cost, and what sampling saw"},
    OPT_END,
};

static const char about[] =
    "Runs one point and writes a CSV header and row (stdout, or appended to --out).\n"
    "Exit status: 0 ok, 1 the run failed (row has status=failed:<reason>), 2 bad input,\n"
    "130 interrupted by SIGINT, 143 by SIGTERM (128 + the signal).";

/* --remote: what a far server allows, and the agent's key. -1: go on; 2: refused (said). */
static int check_remote(struct run_args *a)
{
	char err[1024];
	if (!a->remote)
		return opt_refuse(PROG, "--topology remote", "--remote HOST[:PORT]");
	if (a->spec.topology && strcmp(a->spec.topology, "remote"))
		return opt_refuse(PROG, "--remote", "--topology remote (the default with --remote)");
	a->spec.topology = "remote";
	if (a->sample)
		return opt_refuse(PROG, "--sample", "a local server (the agent counts, it does "
						   "not sample)");
	if (a->placement && strcmp(a->placement, "free"))
		return opt_refuse(PROG, "--placement",
				  "a local server (two hosts share no CPU; use --client-cpus)");
	if (a->spec.server_cpus)
		return opt_refuse(PROG, "--server-cpus", "a local server (the far host's CPUs are "
							  "not checked here)");
	if (remote_target_parse(a->remote, a->key_file, &a->target, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	a->spec.remote = &a->target;
	return -1;
}

/* -1: parsed, go on; 0: --help done; 2: bad input (said). */
static int parse_args(int argc, char **argv, struct run_args *a)
{
	int rc = opt_parse(PROG, run_options, argc, argv, a, about);
	if (rc >= 0)
		return rc;
	char err[1024];
	if (a->remote || (a->spec.topology && !strcmp(a->spec.topology, "remote"))) {
		int rc = check_remote(a);
		if (rc >= 0)
			return rc;
	} else if (a->key_file) {
		return opt_refuse(PROG, "--key-file", "--remote");
	}
	if (!a->spec.topology) /* not named: loopback, or remote with --remote (above) */
		a->spec.topology = "loopback";
	if (strcmp(a->spec.topology, "netns")) {
		if (a->spec.mtu)
			return opt_refuse(PROG, "--mtu", "--topology netns (loopback's MTU is lo's)");
	} else if (netns_check_privileges(err, sizeof(err))) { /* before anything runs */
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	if (!a->sample && (a->categories || a->stacks))
		return opt_refuse(PROG, a->categories ? "--categories" : "--stacks", "--sample");
	placement_parse(a->placement, &a->spec.placement); /* one of the choices */
	if (a->spec.placement != PLACEMENT_FREE && (a->spec.server_cpus || a->spec.client_cpus))
		return opt_refuse(PROG, a->spec.server_cpus ? "--server-cpus" : "--client-cpus",
				  "--placement free (placement pins the threads itself)");
	if (placement_check(a->spec.placement, err, sizeof(err))) {
		fprintf(stderr, PROG ": --%s\n", err);
		return 2;
	}
	if (program_resolve_impl(a->impl_arg, a->impl, sizeof(a->impl), err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	a->spec.impl = a->impl;
	return -1;
}

static volatile sig_atomic_t caught_signal; /* SIGINT or SIGTERM, once one came */

static void on_signal(int sig)
{
	caught_signal = sig;
	run_request_stop();
}

/* What a run that did not end ok says on stderr: one line. */
static void say_outcome(int outcome, const struct result_row *row, const char *err)
{
	if (outcome == RUN_INTERRUPTED)
		fprintf(stderr, "copyscope run: interrupted%s\n",
			caught_signal == SIGTERM  ? " (SIGTERM)"
			: caught_signal == SIGINT ? " (SIGINT)"
						  : "");
	else if (outcome != RUN_OK && err[0])
		fprintf(stderr, "copyscope run: %s: %s\n", result_row_get(row, "status"), err);
}

/* --sample: the sample plan (the event file's sample line, the category file)
 * and where the folded stacks go. 0, or -1 with err: bad input. */
static int prepare_sampling(struct run_args *a, const struct event_set *events, char *err,
			    size_t errlen)
{
	categories_find(a->categories ? a->categories : CATEGORY_DEFAULT, NULL, a->categories_path,
			sizeof(a->categories_path));
	if (sample_plan_build(&events->sample, events->source, a->categories_path, &a->spec.sample,
			      err, errlen))
		return -1;
	if (a->stacks) {
		snprintf(a->stacks_srv, sizeof(a->stacks_srv), "%s.server.folded", a->stacks);
		snprintf(a->stacks_cli, sizeof(a->stacks_cli), "%s.client.folded", a->stacks);
		a->spec.server_stacks = a->stacks_srv;
		a->spec.client_stacks = a->stacks_cli;
	}
	return 0;
}

/* A cell as --verbose shows it: "-" when empty or absent. */
static const char *shown(const struct result_row *row, const char *name)
{
	const char *v = result_row_get(row, name);
	return v && *v ? v : "-";
}

/* With --verbose: what sampling saw, and what naming it cost after the window. */
static void say_sampling(const struct run_args *a, const struct result_row *row,
			 const struct run_cost *cost)
{
	struct sample_plan *p = a->spec.sample;
	const char *event = sample_plan_event(p), *knote = "";
	sample_plan_ksyms(p, &knote);
	if (event)
		fprintf(stderr,
			PROG ": sampled %s at %u Hz: server %s samples (%s lost), client %s (%s "
			     "lost); named, folded and written after the window in %.3f s\n",
			event, sample_plan_hz(p), shown(row, "srv_samples"),
			shown(row, "srv_samples_lost"), shown(row, "cli_samples"),
			shown(row, "cli_samples_lost"), cost->sampling_after_s);
	if (sample_plan_note(p)[0])
		fprintf(stderr, PROG ": sampling: %s\n", sample_plan_note(p));
	if (event && knote[0])
		fprintf(stderr, PROG ": sampling: %s\n", knote);
}

/* Loads, resolves and checks everything; 0 ready, 2 bad input. */
static int prepare(struct run_args *a, struct counter_plan **plan, struct result_row *row)
{
	char err[1024];
	struct event_set events;
	if (!a->events) { /* the set of this machine's PMU, else parte.events */
		char why[512];
		pmuset_default_events(a->events_default, sizeof(a->events_default), why,
				      sizeof(why));
		a->events = a->events_default;
		if (a->verbose)
			fprintf(stderr, PROG ": event set: %s\n", why);
	}
	if (!strchr(a->events, '/') && access(a->events, F_OK)) { /* a bare name: software */
		eventfile_find(a->events, NULL, a->events_default, sizeof(a->events_default));
		a->events = a->events_default;
	}
	if (eventfile_load(a->events, &events, err, sizeof(err))) {
		fprintf(stderr, "copyscope run: %s\n", err);
		return 2;
	}
	int rc = counter_plan_build(&events, plan, err, sizeof(err));
	if (!rc && a->spec.remote) { /* the agent counts the same events, in the same order */
		a->spec.events_len = eventfile_format(&events, a->events_text, sizeof(a->events_text));
		a->spec.events_text = a->events_text;
	}
	if (!rc && a->sample)
		rc = prepare_sampling(a, &events, err, sizeof(err));
	eventfile_free(&events);
	if (rc) {
		fprintf(stderr, "copyscope run: %s\n", err);
		return 2;
	}
	if (row_template(&a->spec, *plan, row)) {
		fprintf(stderr, "copyscope run: out of memory\n");
		return 2;
	}
	if (a->out && results_check_appendable(a->out, row, err, sizeof(err))) {
		fprintf(stderr, "copyscope run: %s\n", err);
		return 2;
	}
	return 0;
}

static int emit(const struct run_args *a, const struct result_row *row)
{
	char err[1024];
	if (a->out) {
		if (results_append(a->out, row, err, sizeof(err))) {
			fprintf(stderr, "copyscope run: %s\n", err);
			return -1;
		}
		return 0;
	}
	if (results_write_header(stdout, row) || results_write_row(stdout, row) || fflush(stdout)) {
		fprintf(stderr, "copyscope run: stdout: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {.placement = "free",
			     .spec = {.mode = "stream",
				      .layout = "scattered",
				      .threads = 1,
				      .duration_s = 5.0,
				      .warmup_s = 1.0}};
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	struct counter_plan *plan = NULL;
	struct result_row row, fresh;
	result_row_init(&row);
	result_row_init(&fresh);
	rc = prepare(&a, &plan, &row);
	if (rc == 0) {
		struct run_cost cost = {0};
		a.spec.cost = &cost;
		struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		char err[1024];
		int outcome = run_point(&a.spec, plan, &fresh, err, sizeof(err));
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		say_outcome(outcome, &fresh, err);
		if (a.verbose)
			fprintf(stderr,
				"copyscope run: harness cpu %.6f s, workloads cpu %.6f s (%.4f%%), "
				"wall %.3f s\n",
				cost.harness_cpu_s, cost.workloads_cpu_s,
				cost.workloads_cpu_s > 0
				    ? 100.0 * cost.harness_cpu_s / cost.workloads_cpu_s
				    : NAN,
				cost.wall_s);
		if (a.verbose && a.spec.sample)
			say_sampling(&a, &fresh, &cost);
		rc = emit(&a, &fresh)		  ? 1
		     : outcome == RUN_OK	  ? 0
		     : outcome == RUN_INTERRUPTED ? 128 + (caught_signal ? caught_signal : SIGINT)
						  : 1;
	}
	result_row_free(&row);
	result_row_free(&fresh);
	counter_plan_free(plan);
	sample_plan_free(a.spec.sample);
	return rc;
}
