/*
 * copyscope events — resolve event names and say whether this machine can
 * count them (commands.h). Each event is test-opened on this process, the
 * same way `run` opens it on a workload, so "yes" here means a cell there.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "counters.h"
#include "errmsg.h"
#include "eventfile.h"
#include "pmusets.h"
#include "programs.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: copyscope events [--pmu NAME] [FILE | NAME...]\n"
		"Resolves each event of FILE (default: the event set of this machine's PMU,\n"
		"perfcfg/events/parte.events where it has none) or each NAME (a libpfm4 name\n"
		"or tracepoint:<system>:<name>; an argument with a '/' or '.events' is a FILE)\n"
		"and prints: key, level, name as given, perf type and config, libpfm4's\n"
		"canonical string, and whether this machine can count it ('yes' or\n"
		"'no: <reason>'), then which event set fits this machine's PMU, and why.\n"
		"An event it cannot count is an empty cell in runs.csv.\n"
		"  --pmu NAME  assume libpfm4's PMU NAME (icl, amd64_fam19h_zen3, arm_n1, ...):\n"
		"              its event set by default, native names encoded for it (never\n"
		"              opened unless this machine has it); generic names unchanged\n"
		"  --help      this text\n"
		"Exit 0 even when some events cannot be counted; 2 for an unknown name or PMU.\n");
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

/* Loads what the arguments name; *named: 1 a file or names given, 0 the choice's file. */
static int load(int argc, char **argv, const struct pmu_choice *c, struct event_set *events,
		int *named, char *err, size_t errlen)
{
	char path[4096];
	*named = argc >= 2;
	if (argc < 2) {
		pmuset_path(c->file, path, sizeof(path));
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
	/* Opened as run opens them (on this process): a group that cannot get on
	 * the PMU together is split, and says so. */
	struct counter_set *set = NULL;
	char err[256];
	if (counter_set_open(plan, getpid(), &set, err, sizeof(err)))
		set = NULL;
	printf("%-*s  %-5s  %-*s  %-4s  %-10s  %-*s  %s\n", wk, "key", "level", wn, "name", "type",
	       "config", wf, "libpfm", "countable");
	for (size_t i = 0; i < n; i++) {
		struct counter_desc d;
		counter_plan_describe(plan, i, &d);
		char reason[COUNTER_REASON_MAX], config[24];
		int yes = counter_probe(plan, i, reason, sizeof(reason));
		const char *note = yes && set ? counter_set_note(set, i) : NULL;
		snprintf(config, sizeof(config), "0x%llx", (unsigned long long)d.config);
		printf("%-*s  %-5s  %-*s  %-4u  %-10s  %-*s  %s%s%s%s\n", wk, d.key, d.level, wn,
		       d.name, d.type, config, wf, d.fstr, yes ? "yes" : "no: ", yes ? "" : reason,
		       note ? ", " : "", note ? note : "");
	}
	counter_set_close(set);
}

int cmd_events(int argc, char **argv)
{
	const char *assume = NULL;
	while (argc > 1 && !strcmp(argv[1], "--pmu")) {
		if (argc < 3 || !argv[2][0] || argv[2][0] == '-') {
			fprintf(stderr, "copyscope events: --pmu: expected a libpfm4 PMU name "
					"(icl, amd64_fam19h_zen3, arm_n1, ...)\n");
			return 2;
		}
		assume = argv[2];
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-' && argv[1][1] == '-') {
		fprintf(stderr,
			"copyscope events: %s: expected --pmu NAME, an event file or event names\n",
			argv[1]);
		return 2;
	}
	char err[1024];
	struct pmu_choice choice;
	if (pmuset_detect(assume, &choice, err, sizeof(err))) {
		fprintf(stderr, "copyscope events: %s\n", err);
		return 2;
	}
	struct event_set events;
	int named;
	if (load(argc, argv, &choice, &events, &named, err, sizeof(err))) {
		fprintf(stderr, "copyscope events: %s\n", err);
		return 2;
	}
	struct counter_plan *plan = NULL;
	int rc = pmuset_plan_build(&events, &choice, &plan, err, sizeof(err));
	char source[sizeof(events.source)];
	snprintf(source, sizeof(source), "%s", events.source);
	eventfile_free(&events);
	if (rc) {
		fprintf(stderr, "copyscope events: %s\n", err);
		return 2;
	}
	print_table(plan);
	counter_plan_free(plan);
	if (named)
		printf("# event set: %s, as named (the set for %s: %s: %s)\n", source,
		       choice.assumed ? "the PMU assumed" : "this machine", choice.file,
		       choice.why);
	else
		printf("# event set: %s: %s\n", choice.file, choice.why);
	char reason[COUNTER_REASON_MAX];
	int pmu = counters_hw_pmu_available(reason, sizeof(reason));
	printf("# hardware PMU: %s%s\n", pmu ? "yes" : "no: ", pmu ? "" : reason);
	return 0;
}
