/*
 * comparison — two results folders point by point, from their runs
 * (runs.csv): each point's median in A and in B, the ratio B ÷ A with its 95%
 * interval (stats.h) and whether it is significant; the report's answers in
 * each folder (fastest and slowest strategy, best thread count, crossovers
 * over two-copy), which of them flip, and whether every answer significant in
 * one folder is the same in the other. `copyscope compare` (compare.c) prints
 * it; nothing here writes a file.
 *
 * A point is a distinct value of the identity columns (every column before
 * `rep` in runs.csv). A column only one folder has names points only where it
 * takes more than one value there; with one value it is left out of the
 * match, and a note says so. A point may be in A, in B or in both: its runs in
 * a folder that lacks it are empty (rows 0), its medians and ratio then NAN.
 * The metric of a point is lat_p50_us in rr mode (lower is better), else
 * throughput_gbps (higher is better).
 *
 * Points come ordered by slice (the identity less impl, msg_size and threads:
 * stream, then rr, then other modes by name; other columns numbers first),
 * then threads, strategy (common/strategy_info.c's order, then by name) and
 * size. Answers come slice by slice: fastest then slowest per thread count
 * and size, best thread count per strategy and size, then crossovers per
 * thread count and strategy (only in slices that have two-copy).
 *
 * An answer is significant in a folder when the 95% interval of the winner's
 * ratio to the runner-up leaves out 1 (a crossover: when both ends of its
 * bracket exist; docs/compare.md). Where two or more candidates were measured
 * in both folders, each folder answers from those alone, so that a strategy,
 * thread count or size one folder lacks cannot make an answer flip.
 *
 * Memory: a comparison owns everything it holds, strings included (they point
 * into its results_dirs); comparison_free() after comparison_load() succeeded.
 * The struct is large (two results_dirs): allocate it, do not put it on the
 * stack. Errors: -1 and one line in err (errmsg.h).
 */
#ifndef COPYSCOPE_COMPARISON_H
#define COPYSCOPE_COMPARISON_H

#include <stddef.h>

#include "resultsdir.h"
#include "stats.h"

#define COMPARISON_ID_MAX    32 /* identity columns, A's and B's together */
#define COMPARISON_NOTE_MAX  COMPARISON_ID_MAX
#define COMPARISON_BASE_IMPL "two-copy" /* the strategy crossovers are measured against */

enum comparison_folder { FOLDER_A, FOLDER_B }; /* the index of every [2] below */

/* What a point's runs are compared by. */
struct comparison_metric {
	const char *mode; /* the mode it serves; NULL: any other */
	const char *column, *label, *unit;
	int lower_better;
};

struct identity_column {
	const char *name;
	int col[2];    /* its column in A's and B's runs.csv, -1 where that folder lacks it */
	int matched;   /* points are told apart by it */
	int slice_key; /* slices are told apart by it: matched, not impl, msg_size or threads */
	int shown;     /* a column of the tables: impl, mode, msg_size, threads, or it varies */
};

struct folder_runs {   /* one folder's runs of a point */
	double *v;     /* the ok runs' values of the metric */
	size_t n, cap; /* values */
	size_t rows;   /* rows of the point in runs.csv, failed ones too; 0: not measured */
	struct interval med;
};

struct compared_point {
	const char *cell[COMPARISON_ID_MAX]; /* the identity, one cell per identity_column */
	const char *impl, *mode;
	long size, threads;
	size_t slice; /* its index in comparison.sl */
	const struct comparison_metric *m;
	struct folder_runs in[2];
	struct interval ratio; /* B ÷ A */
	int side;	       /* stats_ratio_side(&ratio) */
};

struct comparison_slice { /* the identity less impl, size and threads: mode, topology, ... */
	char label[256];
	size_t first, end; /* its points, pt[first..end-1] */
};

enum comparison_question {
	QUESTION_FASTEST,
	QUESTION_SLOWEST,
	QUESTION_BEST_THREADS,
	QUESTION_CROSSOVER
};

struct folder_verdict { /* one folder's answer to one question */
	int answered;
	int significant;
	const char *impl;     /* QUESTION_FASTEST, QUESTION_SLOWEST */
	long threads;	      /* QUESTION_BEST_THREADS */
	int crossing, upward; /* QUESTION_CROSSOVER: one found, and its direction (none: ahead) */
	double at, lo, hi;    /* QUESTION_CROSSOVER: its size and interval (0, INFINITY: open) */
	long first, last;     /* QUESTION_CROSSOVER: the sizes measured */
};

struct comparison_answer {
	enum comparison_question q;
	size_t slice, k; /* k: which crossing */
	long threads, size;
	const char *impl;
	struct folder_verdict v[2];
	int flips;     /* answered in both folders, and not the same */
	int disagrees; /* flips, and significant in one folder at least */
};

struct comparison {
	struct results_dir rd[2];
	const char *arg[2]; /* the folders as given */
	struct identity_column id[COMPARISON_ID_MAX];
	size_t nid;
	int impl_id, mode_id, size_id, threads_id; /* their index in id */
	struct compared_point *pt;
	size_t npt, cap;
	struct comparison_slice *sl;
	size_t nsl;
	struct comparison_answer *an;
	size_t nan, cap_an;
	char note[COMPARISON_NOTE_MAX][320]; /* sentences on how points were matched */
	size_t nnote;
};

/* Loads folders a and b (as given: they name them in err) and their identity
 * columns: -1 with err naming the one that is not a results folder of copyscope
 * sweep (no runs.csv, or one without impl, mode, msg_size and threads before
 * rep). Nothing to free after an error. */
int comparison_load(struct comparison *c, const char *a, const char *b, char *err, size_t errlen);

/* The points, their statistics and the answers. -1 with err on ENOMEM only;
 * comparison_free() still applies. */
int comparison_build(struct comparison *c, char *err, size_t errlen);

void comparison_free(struct comparison *c);

/* The answers significant in A or B that the other folder does not give: how
 * many; *checked: the answers significant in A or B and answered in both. */
size_t comparison_disagreements(const struct comparison *c, size_t *checked);

#endif
