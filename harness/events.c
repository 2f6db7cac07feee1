/*
 * copyscope events — resolve event names and say whether this machine can
 * count them (commands.h). Each event is test-opened on this process, the
 * same way `run` opens it on a workload, so "yes" here means a cell there.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "counters.h"
#include "errmsg.h"
#include "eventfile.h"
#include "programs.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: copyscope events [FILE | NAME...]\n"
		"Resolves each event of FILE (default perfcfg/events/parte.events) or each NAME\n"
		"(a libpfm4 name or tracepoint:<system>:<name>; an argument with a '/' or\n"
		"'.events' is a FILE) and prints: key, level, name as\n"
		"given, perf type and config, libpfm4's canonical string, and whether this\n"
		"machine can count it ('yes' or 'no: <reason>'). An event it cannot count\n"
		"is an empty cell in runs.csv. Exit 0 even then; 2 for an unknown name.\n");
}

static int is_file(const char *arg)
{
	struct stat st;
	return !stat(arg, &st) && S_ISREG(st.st_mode);
}

/* A path, not an event name: no libpfm4 or tracepoint name has a '/' or ".events". */
static int names_a_file(const char *arg)
{
	return strchr(arg, '/') || strstr(arg, ".events");
}

static int load(int argc, char **argv, struct event_set *events, char *err, size_t errlen)
{
	char path[4096];
	if (argc < 2) {
		program_default_events(path, sizeof(path));
		return eventfile_load(path, events, err, errlen);
	}
	if (argc == 2 && (is_file(argv[1]) || names_a_file(argv[1])))
		return eventfile_load(argv[1], events, err, errlen);
	for (int i = 1; i < argc; i++)
		if (names_a_file(argv[i]))
			return errmsg_set(err, errlen,
					  "%s: expected one event file alone, or event names",
					  argv[i]);
	return event_set_from_names(argv + 1, argc - 1, events, err, errlen);
}

static void print_table(const struct counter_plan *plan)
{
	size_t n = counter_plan_count(plan);
	int wk = 3, wn = 4, wf = 6;
	for (size_t i = 0; i < n; i++) {
		struct counter_desc d;
		counter_plan_describe(plan, i, &d);
		int k = (int)strlen(d.key), m = (int)strlen(d.name), f = (int)strlen(d.fstr);
		wk = k > wk ? k : wk;
		wn = m > wn ? m : wn;
		wf = f > wf ? f : wf;
	}
	printf("%-*s  %-5s  %-*s  %-4s  %-10s  %-*s  %s\n", wk, "key", "level", wn, "name", "type",
	       "config", wf, "libpfm", "countable");
	for (size_t i = 0; i < n; i++) {
		struct counter_desc d;
		counter_plan_describe(plan, i, &d);
		char reason[COUNTER_REASON_MAX], config[24];
		int yes = counter_probe(plan, i, reason, sizeof(reason));
		snprintf(config, sizeof(config), "0x%llx", (unsigned long long)d.config);
		printf("%-*s  %-5s  %-*s  %-4u  %-10s  %-*s  %s%s\n", wk, d.key, d.level, wn,
		       d.name, d.type, config, wf, d.fstr, yes ? "yes" : "no: ", yes ? "" : reason);
	}
	char reason[COUNTER_REASON_MAX];
	int pmu = counters_hw_pmu_available(reason, sizeof(reason));
	printf("# hardware PMU: %s%s\n", pmu ? "yes" : "no: ", pmu ? "" : reason);
}

int cmd_events(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-' && argv[1][1] == '-') {
		fprintf(stderr, "copyscope events: %s: expected an event file or event names\n",
			argv[1]);
		return 2;
	}
	char err[1024];
	struct event_set events;
	if (load(argc, argv, &events, err, sizeof(err))) {
		fprintf(stderr, "copyscope events: %s\n", err);
		return 2;
	}
	struct counter_plan *plan = NULL;
	int rc = counter_plan_build(&events, &plan, err, sizeof(err));
	eventfile_free(&events);
	if (rc) {
		fprintf(stderr, "copyscope events: %s\n", err);
		return 2;
	}
	print_table(plan);
	counter_plan_free(plan);
	return 0;
}
