/*
 * strategy_info.h — what each send strategy is, for every part of copyscope:
 * its names, its wire id, whether it sends by reference (zero-copy), and
 * what a build needs to have it. The workloads add the code (their strategy
 * table, workloads/strategy.c, names each row's info by name); the harness's
 * tables, report and figures take the order and the properties from here.
 * A new strategy is a row here and a row there, nothing else.
 */
#ifndef COPYSCOPE_STRATEGY_INFO_H
#define COPYSCOPE_STRATEGY_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strategy_info {
	const char *name;  /* as runs.csv, sweep files and --impl write it */
	const char *alias; /* a1, a2, ...: the Part E names */
	uint16_t wire_id;  /* in the hello reply */
	bool zerocopy;	   /* sends by reference: the server reports zc_*, and the
			      report's zero-copy questions are about it */
	/* NULL, or why a build may lack it and how to get it (--list-absent) */
	const char *build_needs;
};

/* Every strategy, in the order tables, figures and the report list them. */
extern const struct strategy_info strategy_infos[];
extern const size_t strategy_ninfos;

/* By name or alias; NULL when unknown. */
const struct strategy_info *strategy_info_find(const char *name);

/* 1 when name (or alias) is a zero-copy strategy; 0 otherwise or unknown. */
int strategy_is_zerocopy(const char *name);

#endif
