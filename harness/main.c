/*
 * copyscope — what each way of sending bytes over TCP costs on this machine.
 * main() only dispatches to a subcommand (commands.h).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} subcommands[] = {
    {"run", cmd_run, "run one point (strategy x size x threads) and print its CSV row"},
    {"sweep", cmd_sweep, "run a grid from a sweep file into a results folder"},
    {"events", cmd_events, "resolve event names and say whether this machine can count them"},
    {"table", cmd_table, "print per-cache-level miss tables of a results folder"},
    {"report", cmd_report, "write the Part E report of a results folder"},
    {"figdata", cmd_figdata, "write the data the figures of a results folder draw"},
    {"compare", cmd_compare, "compare two results folders point by point, with 95% intervals"},
    {"top", cmd_top, "where the CPU went per strategy, from a folder swept with sample = on"},
    {"agent", cmd_agent, "run and count the server side for a harness on another host"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: copyscope <command> [options]   (copyscope <command> --help)\n\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-8s %s\n", subcommands[i].name, subcommands[i].usage);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "copyscope: %s: unknown command (expected one of", argv[1]);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(stderr, "%s %s", i ? "," : "", subcommands[i].name);
	fprintf(stderr, ")\n");
	return 2;
}
