/*
 * copyscope run — one point from the command line (commands.h, run.h).
 *
 * Everything that can be checked is checked before anything runs (sizes,
 * the strategy, every event name, the --out file), so bad input never
 * leaves a half-written file or a stray process.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "bounds.h" /* what the workloads take, as they read it: */
#include "counters.h"
#include "cpulist.h"
#include "units.h"
#include "eventfile.h"
#include "netns.h"
#include "results.h"
#include "programs.h"
#include "row.h"
#include "run.h"


struct run_args {
	struct run_spec spec;
	const char *events;
	const char *out;
	int verbose;
	const char *impl_arg; /* as given */
	char impl[64];	      /* canonical */
	char events_default[4096];
};

static int bad(const char *input, const char *expected)
{
	fprintf(stderr, "copyscope run: %s: expected %s\n", input, expected);
	return 2;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: copyscope run --impl I --size B [--threads T] [--duration S] [--warmup S]\n"
	    "                     [--mode stream|rr] [--layout scattered|contiguous] "
	    "[--busy-poll]\n"
	    "                     [--verify] [--events FILE] [--out CSV] [--server-cpus LIST]\n"
	    "                     [--client-cpus LIST] [--topology loopback|netns] [--mtu N]\n"
	    "                     [--verbose]\n"
	    "Runs one point and writes a CSV header and row (stdout, or appended to --out).\n"
	    "  --impl I       two-copy, one-copy, zero-copy, uring-zc (or a1..a4)\n"
	    "  --size B       message size in bytes, 8..64Mi (suffix K, M: KiB, MiB; any case)\n"
	    "  --threads T    client connections/threads, 1..1024 (default 1)\n"
	    "  --duration S   measured window in seconds, 0.001..3600 (default 5; or 500ms)\n"
	    "  --warmup S     seconds before the window opens, [0, 3600] (default 1)\n"
	    "  --mode M       stream (default: the server sends, the client counts) or rr\n"
	    "                 (request-response: round-trip latency percentiles)\n"
	    "  --layout L     scattered (default: 8 heap fields) or contiguous (one\n"
	    "                 page-aligned block)\n"
	    "  --busy-poll    SO_BUSY_POLL on both ends, which spin instead of sleeping\n"
	    "  --verify       the client checks every byte it receives (verify_errors)\n"
	    "  --events FILE  what to count (default perfcfg/events/parte.events)\n"
	    "  --out CSV      append the row to CSV (the header must match; a new file\n"
	    "                 gets one) instead of printing header and row on stdout\n"
	    "  --server-cpus LIST, --client-cpus LIST\n"
	    "                 pin that workload's threads, e.g. 0 or 0-1,3 (CPUs this\n"
	    "                 machine lets copyscope run on)\n"
	    "  --topology T   loopback (127.0.0.1, default) or netns (two network namespaces\n"
	    "                 joined by a veth pair; needs root)\n"
	    "  --mtu N        netns only: the veth's MTU, 68..65535 (default 1500)\n"
	    "  --verbose      print on stderr what the harness itself cost\n"
	    "Exit status: 0 ok, 1 the run failed (row has status=failed:<reason>), 2 bad input,\n"
	    "130 interrupted.\n");
}

static const struct option run_options[] = {
    {"impl", required_argument, 0, 'i'},
    {"size", required_argument, 0, 's'},
    {"threads", required_argument, 0, 't'},
    {"duration", required_argument, 0, 'd'},
    {"warmup", required_argument, 0, 'w'},
    {"mode", required_argument, 0, 'm'},
    {"layout", required_argument, 0, 'l'},
    {"busy-poll", no_argument, 0, 'b'},
    {"verify", no_argument, 0, 'V'},
    {"events", required_argument, 0, 'e'},
    {"out", required_argument, 0, 'o'},
    {"server-cpus", required_argument, 0, 'S'},
    {"client-cpus", required_argument, 0, 'C'},
    {"topology", required_argument, 0, 'T'},
    {"mtu", required_argument, 0, 'M'},
    {"verbose", no_argument, 0, 'v'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

/* "--size 0": the option and its value, for messages. */
static void option_input(int c, const char *value, char *input, size_t len)
{
	const char *name = "?";
	for (const struct option *o = run_options; o->name; o++)
		if (o->val == c)
			name = o->name;
	snprintf(input, len, "--%s %.200s", name, value);
}

static int bad_value(int c, const char *value, const char *expected)
{
	char input[256];
	option_input(c, value, input, sizeof(input));
	return bad(input, expected);
}

/* --server-cpus/--client-cpus: a CPU list naming only CPUs this machine lets us run on. */
static int take_cpus(int c, const char *arg, const char **out)
{
	char input[256], why[256];
	if (!cpu_list_valid(arg))
		return bad_value(c, arg, "a CPU list such as 0 or 0-1,3");
	if (cpu_list_available(arg, why, sizeof(why))) {
		option_input(c, arg, input, sizeof(input));
		fprintf(stderr, "copyscope run: %s: %s\n", input, why);
		return 2;
	}
	*out = arg;
	return -1;
}

/* Takes one parsed option: -1 taken, 2 bad input. */
static int take_option(int c, char *arg, struct run_args *a)
{
	struct run_spec *sp = &a->spec;
	char *end;
	switch (c) {
	case 's': {
		uint64_t v;
		if (parse_size(arg, MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE, &v))
			return bad_value(c, arg, "a size in bytes, 8..67108864 (64 MiB)");
		sp->msg_size = (unsigned long)v;
		return -1;
	}
	case 't': {
		long t = strtol(arg, &end, 10);
		if (end == arg || *end || t < 1 || t > CLIENT_THREADS_MAX)
			return bad_value(c, arg, "a thread count, 1..1024");
		sp->threads = (unsigned)t;
		return -1;
	}
	case 'd':
		return parse_seconds(arg, DURATION_MIN_S, SECONDS_MAX_S, &sp->duration_s)
			   ? bad_value(c, arg,
				       "seconds, at least 0.001 (the client's shortest window), "
				       "at most 3600")
			   : -1;
	case 'w':
		return parse_seconds(arg, 0.0, SECONDS_MAX_S, &sp->warmup_s)
			   ? bad_value(c, arg, "seconds, 0..3600")
			   : -1;
	case 'm':
		if (strcmp(arg, "stream") && strcmp(arg, "rr"))
			return bad_value(c, arg, "stream or rr");
		sp->mode = arg;
		return -1;
	case 'l':
		if (strcmp(arg, "scattered") && strcmp(arg, "contiguous"))
			return bad_value(c, arg, "scattered or contiguous");
		sp->layout = arg;
		return -1;
	case 'T':
		if (strcmp(arg, "loopback") && strcmp(arg, "netns"))
			return bad_value(c, arg, "loopback or netns");
		sp->topology = arg;
		return -1;
	case 'M': {
		long m = strtol(arg, &end, 10);
		if (end == arg || *end || m < NETNS_MIN_MTU || m > NETNS_MAX_MTU)
			return bad_value(c, arg, "an MTU, 68..65535 (e.g. 1500, 9000, 65535)");
		sp->mtu = (unsigned)m;
		return -1;
	}
	case 'S':
		return take_cpus(c, arg, &sp->server_cpus);
	case 'C':
		return take_cpus(c, arg, &sp->client_cpus);
	}
	switch (c) { /* the options that cannot be wrong */
	case 'i':
		a->impl_arg = arg;
		break;
	case 'b':
		sp->busy_poll = 1;
		break;
	case 'V':
		sp->verify = 1;
		break;
	case 'e':
		a->events = arg;
		break;
	case 'o':
		a->out = arg;
		break;
	case 'v':
		a->verbose = 1;
		break;
	}
	return -1;
}

/* -1: parsed, go on; 0: --help done; 2: bad input (said). */
static int parse_args(int argc, char **argv, struct run_args *a)
{
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", run_options, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == ':')
			return bad(argv[optind - 1], "a value after it");
		if (c == '?')
			return bad(argv[optind - 1], "an option of copyscope run (see --help)");
		int rc = take_option(c, optarg, a);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return bad(argv[optind], "no arguments besides options");
	if (!a->impl_arg)
		return bad("--impl", "a strategy (two-copy, one-copy, zero-copy, uring-zc)");
	if (!a->spec.msg_size)
		return bad("--size", "a message size in bytes");
	char err[1024];
	if (strcmp(a->spec.topology, "netns")) {
		if (a->spec.mtu)
			return bad("--mtu", "--topology netns (loopback's MTU is lo's)");
	} else if (netns_check_privileges(err, sizeof(err))) { /* before anything runs */
		fprintf(stderr, "copyscope run: %s\n", err);
		return 2;
	}
	if (program_resolve_impl(a->impl_arg, a->impl, sizeof(a->impl), err, sizeof(err))) {
		fprintf(stderr, "copyscope run: %s\n", err);
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

/* Loads, resolves and checks everything; 0 ready, 2 bad input. */
static int prepare(struct run_args *a, struct counter_plan **plan, struct result_row *row)
{
	char err[1024];
	struct event_set events;
	if (!a->events) {
		program_default_events(a->events_default, sizeof(a->events_default));
		a->events = a->events_default;
	}
	if (eventfile_load(a->events, &events, err, sizeof(err))) {
		fprintf(stderr, "copyscope run: %s\n", err);
		return 2;
	}
	int rc = counter_plan_build(&events, plan, err, sizeof(err));
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
	struct run_args a = {.spec = {.mode = "stream",
				      .layout = "scattered",
				      .topology = "loopback",
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
		rc = emit(&a, &fresh)		  ? 1
		     : outcome == RUN_OK	  ? 0
		     : outcome == RUN_INTERRUPTED ? 130
						  : 1;
	}
	result_row_free(&row);
	result_row_free(&fresh);
	counter_plan_free(plan);
	return rc;
}
