/*
 * commands.h — the subcommands of bin/copyscope.
 *
 * Each takes the arguments after its own name (argv[0] is the subcommand's
 * name, as getopt expects) and returns the process exit status:
 *   0  success
 *   1  the work ran but something in it failed (a run, a sweep point)
 *   2  bad input (one line on stderr naming the input; nothing written)
 * main() only dispatches; every command owns its option parsing and --help.
 */
#ifndef COPYSCOPE_COMMANDS_H
#define COPYSCOPE_COMMANDS_H

int cmd_run(int argc, char **argv);    /* run.c:    one point, one CSV row */
int cmd_events(int argc, char **argv); /* events.c: can this machine count these? */
int cmd_sweep(int argc, char **argv);  /* sweep.c:  a grid of runs into a results folder */
int cmd_table(int argc, char **argv);  /* table.c:  per-cache-level miss tables */
int cmd_report(int argc, char **argv); /* report.c: the Part E report */
int cmd_figdata(int argc, char **argv); /* figdata.c: the figures' data, for plots/ */
int cmd_compare(int argc, char **argv); /* compare.c: two results folders, point by point */
int cmd_top(int argc, char **argv);     /* top.c:     where the CPU went, from sampled runs */
int cmd_agent(int argc, char **argv);   /* agent.c:   the server side for a harness elsewhere */

#endif
