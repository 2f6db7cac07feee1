/*
 * table — per-cache-level miss tables of a results folder (see table.h).
 */
#include "table.h"
#include "units.h"
#include "errmsg.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "env.h"
#include "bounds.h"
#include "schema.h"
#include "strategy_info.h"
#include "metrics.h"

/* ---- a grid of cells, printed aligned, as Markdown or as CSV ----------- */

#define CELL_MAX 64

struct grid {
	size_t ncols, nrows, cap;
	char (*cells)[CELL_MAX]; /* row 0 is the header */
	int *right;		 /* per column: right-aligned (numbers) */
};

static int grid_init(struct grid *g, size_t ncols, size_t nrows)
{
	g->ncols = ncols;
	g->nrows = 0;
	g->cap = nrows + 1;
	g->cells = calloc(g->cap * ncols, CELL_MAX);
	g->right = calloc(ncols, sizeof(int));
	return g->cells && g->right ? 0 : -1;
}

static void grid_free(struct grid *g)
{
	free(g->cells);
	free(g->right);
}

static char *grid_at(struct grid *g, size_t row, size_t col)
{
	return g->cells[row * g->ncols + col];
}

static void grid_set(struct grid *g, size_t row, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void grid_set(struct grid *g, size_t row, size_t col, const char *fmt, ...)
{
	va_list ap;
	if (row >= g->cap || col >= g->ncols)
		return;
	va_start(ap, fmt);
	vsnprintf(grid_at(g, row, col), CELL_MAX, fmt, ap);
	va_end(ap);
	if (row >= g->nrows)
		g->nrows = row + 1;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void grid_print(FILE *out, struct grid *g, enum table_format format)
{
	size_t width[64] = {0};
	for (size_t r = 0; r < g->nrows; r++)
		for (size_t c = 0; c < g->ncols && c < 64; c++)
			if (text_width(grid_at(g, r, c)) > width[c])
				width[c] = text_width(grid_at(g, r, c));
	for (size_t r = 0; r < g->nrows; r++) {
		for (size_t c = 0; c < g->ncols && c < 64; c++) {
			const char *s = grid_at(g, r, c);
			int pad = (int)(width[c] - text_width(s));
			if (format == TABLE_CSV)
				fprintf(out, "%s%s", c ? "," : "", s);
			else if (format == TABLE_MD)
				fprintf(out, "| %s ", s);
			else if (g->right[c] && r > 0)
				fprintf(out, "%s%*s%s", c ? "  " : "", pad, "", s);
			else
				fprintf(out, "%s%s%*s", c ? "  " : "", s,
					c + 1 < g->ncols ? pad : 0, "");
		}
		fputs(format == TABLE_MD ? "|\n" : "\n", out);
		if (r == 0 && format == TABLE_MD)
			for (size_t c = 0; c < g->ncols; c++)
				fputs(c + 1 < g->ncols ? (g->right[c] ? "|---:" : "|---")
						       : (g->right[c] ? "|---:|\n" : "|---|\n"),
				      out);
	}
}

/* ---- the miss table ------------------------------------------------------ */

static int level_matches(const struct event_spec *ev, const char *filter)
{
	return event_is_cache_level(ev) &&
	       (!strcmp(filter, "all") || !strcasecmp(ev->level, filter));
}

/* "L1", or "L1/l1d_misses" when another event counts the same level. */
static void level_name(const struct results_dir *rd, const struct event_spec *ev, char *buf,
		       size_t len)
{
	int dup = 0;
	for (size_t e = 0; e < rd->events.n; e++)
		if (&rd->events.ev[e] != ev && !strcmp(rd->events.ev[e].level, ev->level))
			dup = 1;
	if (dup)
		snprintf(buf, len, "%s/%s", ev->level, ev->key);
	else
		snprintf(buf, len, "%s", ev->level);
}

static double per_kb(const struct results_dir *rd, const char *impl, const char *side,
		     const struct event_spec *ev, long size, long threads)
{
	char col[128];
	snprintf(col, sizeof(col), "%s_%s_per_kb_median", side, ev->key);
	return results_dir_num(rd, results_dir_row(rd, impl, rd->mode, size, threads), col);
}

/* The doubt about impl's count of ev at (size, threads) on side (metrics.h). */
static enum count_doubt doubt_of(const struct results_dir *rd, const char *impl, const char *side,
				 const struct event_spec *ev, long size, long threads)
{
	struct count_check ck;
	results_dir_check_count(rd, results_dir_row(rd, impl, rd->mode, size, threads), side, ev,
				&ck);
	return ck.doubt;
}

const struct event_spec *table_largest_reduction(const struct results_dir *rd, const char *side,
						 long size, long threads, const char *level_filter,
						 double *reduction_pct)
{
	const struct event_spec *best = NULL;
	for (size_t e = 0; e < rd->events.n; e++) {
		const struct event_spec *ev = &rd->events.ev[e];
		if (!level_matches(ev, level_filter) ||
		    doubt_of(rd, "two-copy", side, ev, size, threads) ||
		    doubt_of(rd, "one-copy", side, ev, size, threads))
			continue;
		double two = per_kb(rd, "two-copy", side, ev, size, threads);
		double one = per_kb(rd, "one-copy", side, ev, size, threads);
		double red = metric_reduction_pct(two, one);
		if (isnan(red))
			continue;
		if (!best || red > *reduction_pct) {
			best = ev;
			*reduction_pct = red;
		}
	}
	return best;
}

/*
 * A number for people: integers exactly, others with 4 significant digits
 * (CSV: 6, as summary.csv holds them; not 8.8381199999999993e-05).
 */
static void fmt_num(char *buf, size_t len, double v, enum table_format format)
{
	if (isnan(v))
		snprintf(buf, len, "%s", format == TABLE_CSV ? "" : "-");
	else if (v == floor(v))
		snprintf(buf, len, "%.17g", v);
	else
		snprintf(buf, len, format == TABLE_CSV ? "%.6g" : "%.4g", v);
}

/* Columns per level: misses, per KiB, against two-copy; CSV adds the flag. */
static size_t level_cols(enum table_format format)
{
	return format == TABLE_CSV ? 4 : 3;
}

/* The marker a doubtful cell carries (its footnote: write_doubt_notes), and
 * the CSV flag. */
static const char *const doubt_mark[] = {
    [COUNT_PLAUSIBLE] = "", [COUNT_BELOW_FLOOR] = " !", [COUNT_RUNNING_LOW] = " ?"};
static const char *const doubt_flag[] = {[COUNT_PLAUSIBLE] = "",
					 [COUNT_BELOW_FLOOR] = "below_floor",
					 [COUNT_RUNNING_LOW] = "running_low"};

static void miss_header(struct grid *g, const struct results_dir *rd, const struct event_spec **lv,
			size_t nl, enum table_format format)
{
	char name[96];
	size_t w = level_cols(format);
	grid_set(g, 0, 0, "strategy");
	grid_set(g, 0, 1, format == TABLE_CSV ? "msg_size" : "size");
	for (size_t l = 0; l < nl; l++) {
		level_name(rd, lv[l], name, sizeof(name));
		if (format == TABLE_CSV) {
			grid_set(g, 0, 2 + w * l, "%s_misses", name);
			grid_set(g, 0, 3 + w * l, "%s_misses_per_kib", name);
			grid_set(g, 0, 4 + w * l, "%s_vs_two_copy_pct", name);
			grid_set(g, 0, 5 + w * l, "%s_flag", name);
		} else {
			grid_set(g, 0, 2 + w * l, "%s misses", name);
			grid_set(g, 0, 3 + w * l, "%s /KiB", name);
			grid_set(g, 0, 4 + w * l, "%s vs two-copy", name);
		}
		g->right[2 + w * l] = g->right[3 + w * l] = g->right[4 + w * l] = 1;
	}
}

/* One level's cells of one row; returns the doubt about its count. */
static enum count_doubt miss_cells(struct grid *g, size_t row, const struct results_dir *rd,
				   const char *impl, const struct event_spec *ev, size_t first,
				   long size, const struct table_options *opt)
{
	char col[128], num[CELL_MAX];
	int csv = opt->format == TABLE_CSV;
	long r = results_dir_row(rd, impl, rd->mode, size, opt->threads);
	snprintf(col, sizeof(col), "%s_%s_median", opt->side, ev->key);
	fmt_num(num, sizeof(num), results_dir_num(rd, r, col), opt->format);
	grid_set(g, row, first, "%s", num);
	enum count_doubt doubt = doubt_of(rd, impl, opt->side, ev, size, opt->threads);
	enum count_doubt two_doubt = doubt_of(rd, "two-copy", opt->side, ev, size, opt->threads);
	const char *mark = csv ? "" : doubt_mark[doubt];
	double kb = per_kb(rd, impl, opt->side, ev, size, opt->threads);
	fmt_num(num, sizeof(num), kb, opt->format);
	grid_set(g, row, first + 1, "%s%s", num, mark);
	double two = per_kb(rd, "two-copy", opt->side, ev, size, opt->threads);
	/* a change from a doubtful count carries that count's mark */
	const char *vs_mark = csv ? "" : doubt ? mark : doubt_mark[two_doubt];
	if (!strcmp(impl, "two-copy") || isnan(kb) || isnan(two) || two <= 0)
		grid_set(g, row, first + 2, "%s", csv ? "" : "-");
	else if (csv)
		grid_set(g, row, first + 2, "%.4f", (kb - two) / two * 100);
	else
		grid_set(g, row, first + 2, "%+.1f%%%s", (kb - two) / two * 100, vs_mark);
	if (csv)
		grid_set(g, row, first + 3, "%s", doubt_flag[doubt]);
	return doubt;
}

/* The footnotes of the marks the table used (seen[doubt] set). */
static void write_doubt_notes(FILE *out, const int *seen, const struct table_options *opt)
{
	const char *bullet = opt->format == TABLE_MD ? "- " : "";
	if (!seen[COUNT_BELOW_FLOOR] && !seen[COUNT_RUNNING_LOW])
		return;
	fputc('\n', out);
	if (seen[COUNT_BELOW_FLOOR])
		fprintf(out, "%s!: implausible, %s (docs/counting.md). Used for no answer.\n",
			bullet, results_dir_doubt_why(COUNT_BELOW_FLOOR));
	if (seen[COUNT_RUNNING_LOW])
		fprintf(out, "%s?: implausible, %s. Used for no answer.\n", bullet,
			results_dir_doubt_why(COUNT_RUNNING_LOW));
}

/* Whether two-copy's or one-copy's count of some level of opt is doubtful at size. */
static int doubtful_level(const struct results_dir *rd, const struct table_options *opt, long size)
{
	for (size_t e = 0; e < rd->events.n; e++)
		if (level_matches(&rd->events.ev[e], opt->level) &&
		    (doubt_of(rd, "two-copy", opt->side, &rd->events.ev[e], size, opt->threads) ||
		     doubt_of(rd, "one-copy", opt->side, &rd->events.ev[e], size, opt->threads)))
			return 1;
	return 0;
}

static void write_reductions(FILE *out, const struct results_dir *rd,
			     const struct table_options *opt)
{
	char sz[32], name[96];
	fprintf(out, "\n%s\n",
		opt->format == TABLE_MD
		    ? "**Largest reduction of misses per KiB, two-copy → one-copy:**\n"
		    : "Largest reduction of misses per KiB, two-copy -> one-copy:");
	for (size_t s = 0; s < rd->nsizes; s++) {
		double red = 0;
		format_size(sz, sizeof(sz), (double)rd->sizes[s], SIZE_LONG);
		const struct event_spec *ev = table_largest_reduction(
		    rd, opt->side, rd->sizes[s], opt->threads, opt->level, &red);
		fprintf(out, "%s%-8s ", opt->format == TABLE_MD ? "- " : "  ", sz);
		if (!ev) {
			fprintf(out, "%s\n",
				doubtful_level(rd, opt, rd->sizes[s])
				    ? "not answered: two-copy's or one-copy's count is implausible "
				      "(marked above)"
				    : "not measured (two-copy or one-copy has no misses here)");
			continue;
		}
		level_name(rd, ev, name, sizeof(name));
		fprintf(out, "%s: %.1f%% %s misses per KiB%s\n", name, fabs(red),
			red >= 0 ? "fewer" : "more (no level improved)",
			doubtful_level(rd, opt, rd->sizes[s])
			    ? " (a level whose count is implausible left out)"
			    : "");
	}
}

static void write_miss_table(FILE *out, const struct results_dir *rd,
			     const struct table_options *opt)
{
	const struct event_spec *lv[EVENT_SET_MAX];
	size_t nl = 0;
	for (size_t e = 0; e < rd->events.n; e++)
		if (level_matches(&rd->events.ev[e], opt->level) && nl < 20)
			lv[nl++] = &rd->events.ev[e];
	struct grid g;
	size_t w = level_cols(opt->format);
	int seen[3] = {0};
	if (grid_init(&g, 2 + w * nl, rd->nimpls * rd->nsizes)) {
		grid_free(&g);
		return;
	}
	miss_header(&g, rd, lv, nl, opt->format);
	g.right[1] = 1;
	size_t row = 1;
	for (size_t i = 0; i < rd->nimpls; i++)
		for (size_t s = 0; s < rd->nsizes; s++, row++) {
			grid_set(&g, row, 0, "%s", rd->impls[i]);
			if (opt->format == TABLE_CSV)
				grid_set(&g, row, 1, "%ld", rd->sizes[s]);
			else
				format_size(grid_at(&g, row, 1), CELL_MAX, (double)rd->sizes[s], SIZE_LONG);
			for (size_t l = 0; l < nl; l++)
				seen[miss_cells(&g, row, rd, rd->impls[i], lv[l], 2 + w * l,
						rd->sizes[s], opt)] = 1;
		}
	grid_print(out, &g, opt->format);
	grid_free(&g);
	if (opt->format != TABLE_CSV) {
		write_doubt_notes(out, seen, opt);
		write_reductions(out, rd, opt);
	}
}

/* ---- without miss data: what was measured instead ------------------------ */

static void instead_cells(struct grid *g, size_t row, const struct results_dir *rd, long r,
			  const struct table_options *opt)
{
	char col[128], num[CELL_MAX];
	const char *side = opt->side;
	snprintf(col, sizeof(col), "%s_cpu_ns_per_byte_median", side);
	fmt_num(num, sizeof(num), results_dir_num(rd, r, col), opt->format);
	grid_set(g, row, 2, "%s", num);
	snprintf(col, sizeof(col), "%s_utime_s_median", side);
	double user = results_dir_num(rd, r, col);
	snprintf(col, sizeof(col), "%s_stime_s_median", side);
	double sys = results_dir_num(rd, r, col);
	double user_pct = metric_user_pct(user, sys);
	if (isnan(user_pct))
		grid_set(g, row, 3, "%s", opt->format == TABLE_CSV ? "" : "-");
	else
		grid_set(g, row, 3, opt->format == TABLE_CSV ? "%.4f" : "%.0f%%", user_pct);
	const char *ctx = results_dir_key(rd, "PERF_COUNT_SW_CONTEXT_SWITCHES", "ctx_switches");
	snprintf(col, sizeof(col), "%s_%s_per_msg_median", side, ctx ? ctx : "-");
	fmt_num(num, sizeof(num), results_dir_num(rd, r, col), opt->format);
	grid_set(g, row, 4, "%s", num);
	const char *rx = results_dir_key(rd, "tracepoint:skb:skb_copy_datagram_iovec", "rx_copies");
	snprintf(col, sizeof(col), "cli_%s_per_msg_median", rx ? rx : "-");
	fmt_num(num, sizeof(num), results_dir_num(rd, r, col), opt->format);
	grid_set(g, row, 5, "%s", num);
}

static void write_instead_table(FILE *out, const struct results_dir *rd,
				const struct table_options *opt)
{
	static const char *const text_head[] = {"strategy",   "size",
						"CPU ns/B",   "user share",
						"ctx sw/msg", "kernel copies/msg (cli rx)"};
	static const char *const csv_head[] = {"strategy",
					       "msg_size",
					       "cpu_ns_per_byte",
					       "user_share_pct",
					       "ctx_switches_per_msg",
					       "cli_rx_copies_per_msg"};
	struct grid g;
	if (grid_init(&g, 6, rd->nimpls * rd->nsizes)) {
		grid_free(&g);
		return;
	}
	for (size_t c = 0; c < 6; c++) {
		grid_set(&g, 0, c, "%s", opt->format == TABLE_CSV ? csv_head[c] : text_head[c]);
		g.right[c] = c > 0;
	}
	size_t row = 1;
	for (size_t i = 0; i < rd->nimpls; i++)
		for (size_t s = 0; s < rd->nsizes; s++, row++) {
			long r =
			    results_dir_row(rd, rd->impls[i], rd->mode, rd->sizes[s], opt->threads);
			grid_set(&g, row, 0, "%s", rd->impls[i]);
			if (opt->format == TABLE_CSV)
				grid_set(&g, row, 1, "%ld", rd->sizes[s]);
			else
				format_size(grid_at(&g, row, 1), CELL_MAX, (double)rd->sizes[s], SIZE_LONG);
			instead_cells(&g, row, rd, r, opt);
		}
	grid_print(out, &g, opt->format);
	grid_free(&g);
}

/* ---- the command --------------------------------------------------------- */

static int check_options(const struct results_dir *rd, const struct table_options *opt, char *err,
			 size_t errlen)
{
	char levels[256] = "", threads[256] = "";
	int level_ok = !strcmp(opt->level, "all");
	for (size_t e = 0; e < rd->events.n; e++) {
		const struct event_spec *ev = &rd->events.ev[e];
		if (!event_is_cache_level(ev))
			continue;
		level_ok |= !strcasecmp(ev->level, opt->level);
		if (!strstr(levels, ev->level))
			snprintf(levels + strlen(levels), sizeof(levels) - strlen(levels), "%s, ",
				 ev->level);
	}
	if (!level_ok)
		return errmsg_set(
		    err, errlen,
		    "--level %s: expected %sall (the cache levels of %s/events.events)", opt->level,
		    levels, rd->path);
	for (size_t t = 0; t < rd->nthreads; t++) {
		if (rd->threads[t] == opt->threads)
			return 0;
		snprintf(threads + strlen(threads), sizeof(threads) - strlen(threads), "%s%ld",
			 t ? ", " : "", rd->threads[t]);
	}
	return errmsg_set(err, errlen,
			  "--threads %ld: expected one of %s (the thread counts in %s)",
			  opt->threads, threads, rd->path);
}

int table_write(FILE *out, const struct results_dir *rd, const struct table_options *opt, char *err,
		size_t errlen)
{
	char why[512];
	if (check_options(rd, opt, err, errlen))
		return -1;
	const char *side = !strcmp(opt->side, "cli") ? "client" : "server";
	const char *Side = !strcmp(opt->side, "cli") ? "Client" : "Server";
	int misses = results_dir_has_misses(rd, opt->side);
	if (opt->format != TABLE_CSV)
		fprintf(out,
			"%s%s-side cache misses: %s mode, %ld thread%s, %s%s%s (medians of the "
			"repetitions; from %s/summary.csv)\n\n",
			opt->format == TABLE_MD ? "## " : "", Side, rd->mode, opt->threads,
			opt->threads == 1 ? "" : "s", rd->topology,
			rd->placement[0] ? ", placement " : "", rd->placement, rd->name);
	if (misses) {
		write_miss_table(out, rd, opt);
		return 0;
	}
	results_dir_why_no_misses(rd, why, sizeof(why));
	if (opt->format != TABLE_CSV)
		fprintf(out,
			"Cache misses not measured on this machine: %s.\n"
			"Measured instead (%s side; kernel copies are the client's receive "
			"copies, tracepoint skb:skb_copy_datagram_iovec):\n\n",
			why, side);
	write_instead_table(out, rd, opt);
	return 0;
}

static void table_usage(FILE *out)
{
	fprintf(out, "usage: copyscope table DIR [--level L1|LLC|...|all] [--side srv|cli]\n"
		     "                       [--threads N] [--format text|md|csv]\n"
		     "Per-cache-level miss tables of a results folder (DIR/summary.csv).\n");
}

static int parse_table_args(int argc, char **argv, struct table_options *opt, long *threads_set)
{
	static const struct option longopts[] = {
	    {"level", required_argument, 0, 'l'},   {"side", required_argument, 0, 's'},
	    {"threads", required_argument, 0, 't'}, {"format", required_argument, 0, 'f'},
	    {"help", no_argument, 0, 'h'},	    {0, 0, 0, 0}};
	int c;
	char *end, shortopt[3] = "-?";
	optind = 0;
	opterr = 0; /* one line of ours, not getopt's plus the usage */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			opt->level = optarg;
			break;
		case 's':
			if (strcmp(optarg, "srv") && strcmp(optarg, "cli"))
				return fprintf(stderr,
					       "copyscope table: --side %s: expected srv or cli\n",
					       optarg),
				       2;
			opt->side = optarg;
			break;
		case 't':
			errno = 0;
			opt->threads = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || opt->threads < 1 ||
			    opt->threads > (long)CLIENT_THREADS_MAX)
				return fprintf(stderr,
					       "copyscope table: --threads %s: expected a thread "
					       "count from 1 to %u\n",
					       optarg, CLIENT_THREADS_MAX),
				       2;
			*threads_set = 1;
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				opt->format = TABLE_TEXT;
			else if (!strcmp(optarg, "md"))
				opt->format = TABLE_MD;
			else if (!strcmp(optarg, "csv"))
				opt->format = TABLE_CSV;
			else
				return fprintf(stderr,
					       "copyscope table: --format %s: expected text, md or "
					       "csv\n",
					       optarg),
				       2;
			break;
		case 'h':
			table_usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "copyscope table: %s: expected a value\n",
				argv[optind - 1]);
			return 2;
		default: /* optopt: an unknown short option; 0: a long one, argv[optind - 1] */
			shortopt[1] = (char)optopt;
			fprintf(
			    stderr,
			    "copyscope table: %s: unknown option (see copyscope table --help)\n",
			    optopt ? shortopt : argv[optind - 1]);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "copyscope table: expected one results folder (DIR), got %d\n",
			argc - optind);
		return 2;
	}
	return -1;
}

int cmd_table(int argc, char **argv)
{
	struct table_options opt = {
	    .level = "all", .side = "srv", .threads = 0, .format = TABLE_TEXT};
	struct results_dir rd;
	char err[1024];
	long threads_set = 0;
	int rc = parse_table_args(argc, argv, &opt, &threads_set);
	if (rc >= 0)
		return rc;
	if (results_dir_load(argv[optind], &rd, err, sizeof(err))) {
		fprintf(stderr, "copyscope: %s\n", err);
		return 2;
	}
	if (!threads_set)
		opt.threads = rd.nthreads ? rd.threads[0] : 1;
	rc = table_write(stdout, &rd, &opt, err, sizeof(err)) ? 2 : 0;
	if (rc)
		fprintf(stderr, "copyscope: %s\n", err);
	results_dir_free(&rd);
	return rc;
}
