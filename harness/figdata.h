/*
 * figdata — the data the gnuplot scripts of plots/ draw, written from a
 * results folder (resultsdir.h), and the table of figures.
 *
 * For each figure of figure_table: DIR/FIGn.dat, rows "panel strategy x
 * median lo hi" (or the figure's own columns, see figdata.c), sorted by
 * panel, strategy and x, so that each strategy's points in a panel are one
 * run of lines (figure 8, a stacked histogram: one block per side and size,
 * a row per strategy, see cpu_where in figdata.c). Every value is a summary.csv cell, a fixed rescaling of one
 * (per message -> per MiB), or a ratio of two (speed-up over two-copy,
 * copied-fallback share); lo and hi are its 95% interval from the runs
 * (resultsdir.h, docs/confidence.md), or without runs.csv the repetitions'
 * min and max (meta.sh's ci says which). Beside them, OUT/meta.sh (shell
 * assignments: what each figure has and, for what it lacks, why; the footer
 * naming the system) and OUT/draw.list, one line per figure that
 * plots/render.sh draws: SCRIPT NAME DATA PANELS EMPTY MISS
 * GNUPLOT-ASSIGNMENTS, separated by the unit separator (0x1f), so that empty
 * fields stay fields in sh's read.
 *
 * The report and render.sh name figures from this table only.
 */
#ifndef COPYSCOPE_FIGDATA_H
#define COPYSCOPE_FIGDATA_H

#include <stddef.h>

#include "resultsdir.h"

struct figure {
	const char *script; /* plots/SCRIPT */
	const char *name;   /* figures/NAME.png and .svg */
	const char *label;  /* the report's link text */
	const char *title;  /* what it shows, for --help and docs */
};

enum figure_id {
	FIG_THROUGHPUT,
	FIG_LATENCY,
	FIG_CACHE,
	FIG_CPU,
	FIG_SPEEDUP,
	FIG_ZEROCOPY,
	FIG_TCP,
	FIG_CPU_WHERE,
	FIG_COUNT
};

extern const struct figure figure_table[FIG_COUNT];

/* Writes the data files, meta.sh and draw.list of rd into the folder out
 * (which must exist). 0, or -1 with err naming the file that failed. */
int figdata_write(const struct results_dir *rd, const char *out, char *err, size_t errlen);

#endif
