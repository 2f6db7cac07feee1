/*
 * opttable — a command's options as one table: each row (in the manner of
 * neper's DEFINE_FLAG) names the option, its value's kind and bounds, its
 * default, its help and where the value goes. The same rows drive parsing,
 * the check of each value against its bounds (the bounds of common/bounds.h,
 * never typed into a string), the one-line refusal naming the option and
 * what was expected, and the --help text with its synopsis.
 *
 * Errors: opt_parse prints one line "PROG: --opt VALUE: expected WHAT" on
 * stderr and returns 2 (bad input), 0 after printing --help, -1 parsed.
 */
#ifndef COPYSCOPE_OPTTABLE_H
#define COPYSCOPE_OPTTABLE_H

#include <stddef.h>
#include <stdio.h>

enum opt_kind {
	OPT_FLAG,    /* no value: sets an int to 1 */
	OPT_STRING,  /* any value: a const char * */
	OPT_CHOICE,  /* one of the words of choices: a const char * */
	OPT_SIZE,    /* bytes with an optional K/M/G suffix (parse_size): unsigned long */
	OPT_COUNT,   /* a whole number in [min, max]: unsigned */
	OPT_SECONDS, /* seconds, "s" or "ms" (parse_seconds): double */
	OPT_CPUS,    /* a CPU list of CPUs this process may use: a const char * */
};

struct opt_def {
	const char *name;    /* "size": the option is --size */
	const char *metavar; /* "B" in "--size B"; NULL for a flag */
	enum opt_kind kind;
	double min, max;     /* OPT_SIZE, OPT_COUNT, OPT_SECONDS */
	const char *choices; /* OPT_CHOICE: "stream rr" */
	size_t offset;	     /* where the value goes in the command's struct */
	int required;	     /* the command refuses to run without it */
	const char *def;     /* the default as help shows it; NULL: none */
	const char *help;    /* what it is; the bounds and default are added */
};

#define OPT_END {NULL, NULL, OPT_FLAG, 0, 0, NULL, 0, 0, NULL, NULL}

/*
 * Parses argv (getopt_long, no positional arguments) into the struct at
 * dest, after the table's rows; --help prints usage and returns 0. A
 * required option missing is refused too. prog names the command in
 * messages ("copyscope run"); about is one paragraph for --help.
 */
int opt_parse(const char *prog, const struct opt_def *table, int argc, char **argv, void *dest,
	      const char *about);

/* The --help text: synopsis, about, one entry per row. */
void opt_usage(FILE *out, const char *prog, const struct opt_def *table, const char *about);

/* "PROG: INPUT: expected WHAT" on stderr; returns 2. */
int opt_refuse(const char *prog, const char *input, const char *expected);

#endif
