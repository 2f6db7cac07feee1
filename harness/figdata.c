/* figdata — the figures' data files (see figdata.h). */
#include "figdata.h"
#include "atomicfile.h"
#include "errmsg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "env.h"
#include "metrics.h"
#include "results.h"
#include "stats.h"
#include "strategy_info.h"
#include "units.h"

const struct figure figure_table[FIG_COUNT] = {
    [FIG_THROUGHPUT] = {"fig1_throughput.gp", "throughput", "throughput",
			"throughput vs message size, per thread count"},
    [FIG_LATENCY] = {"fig2_latency.gp", "latency", "latency", "rr p50/p99 vs thread count, per message size"},
    [FIG_CACHE] = {"fig3_cache_misses.gp", "cache-misses", "cache misses",
		   "server misses per KiB, per cache level of events.events"},
    [FIG_CPU] = {"fig4_cpu_per_byte.gp", "cpu-per-byte", "CPU per byte",
		 "cycles (or CPU ns) per byte, server and client"},
    [FIG_SPEEDUP] = {"fig5_speedup.gp", "speedup", "speed-up", "throughput / two-copy, per thread count"},
    [FIG_ZEROCOPY] = {"fig6_zerocopy.gp", "zerocopy", "zero-copy",
		      "copied-fallback share and context switches per MiB"},
    [FIG_TCP] = {"fig7_tcp.gp", "tcp", "what TCP did",
		 "the sender's bytes per data segment, and its busy and limited shares"},
    [FIG_CPU_WHERE] = {"fig8_cpu_where.gp", "cpu-where", "where the CPU goes",
		       "each category's share of the samples, per strategy and size, server and "
		       "client (sample = on)"},
};

#define PANELS_MAX 64
#define TEXT_MAX   4096
#define MAX_RR_PANELS 6 /* latency panels: the smallest, the largest and some between */
#define MAX_CLUSTERS  6 /* figure 8's size clusters, picked the same way */

/* One figure's data file and the points each of its panels got. */
struct fig {
	FILE *f; /* af.f while it is written */
	struct atomic_file af;
	char path[4200];
	size_t n; /* points in all */
	size_t npanels;
	char panel[PANELS_MAX][48];
	size_t npts[PANELS_MAX];
};

struct figdata {
	const struct results_dir *rd;
	struct fig fig[FIG_COUNT];
	/* the axes of the base slice */
	long rrsizes[RESULTS_MAX_SIZES], rrthreads[RESULTS_MAX_THREADS];
	size_t nrs, nrt;
	long wsizes[RESULTS_MAX_SIZES]; /* figure 8's clusters */
	size_t nws;
	/* cache-level events: keys and panel titles */
	const char *ckey[EVENT_SET_MAX];
	char ctitle[EVENT_SET_MAX][EVENT_KEY_MAX + EVENT_LEVEL_MAX + 2];
	size_t nl;
	const char *tclock_key, *ctx_key;
	int cycles; /* cycles per byte measured somewhere: figure 4 shows cycles */
	char zcbuf[1 << 16];
	size_t zclen;
	const char *zc_impls[RESULTS_MAX_IMPLS];
	size_t nzi;
	int zc_seen;
	int ci; /* bars are 95% intervals (runs.csv, or summary.csv's X_ci_lo), else min-max */
};

static void count(struct fig *g, const char *panel)
{
	g->n++;
	for (size_t i = 0; i < g->npanels; i++)
		if (!strcmp(g->panel[i], panel)) {
			g->npts[i]++;
			return;
		}
	if (g->npanels < PANELS_MAX) {
		snprintf(g->panel[g->npanels], sizeof(g->panel[0]), "%s", panel);
		g->npts[g->npanels++] = 1;
	}
}

static size_t points_in(const struct fig *g, const char *panel)
{
	for (size_t i = 0; i < g->npanels; i++)
		if (!strcmp(g->panel[i], panel))
			return g->npts[i];
	return 0;
}

static const char *cell(const struct figdata *d, long r, const char *column)
{
	return results_dir_cell(d->rd, r, column);
}

static const char *cellf(const struct figdata *d, long r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static const char *cellf(const struct figdata *d, long r, const char *fmt, ...)
{
	char column[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(column, sizeof(column), fmt, ap);
	va_end(ap);
	return cell(d, r, column);
}

/* A bar's end: the number, or the median where it has none (no bar). */
static const char *end_or(double v, const char *median, char *buf, size_t len)
{
	if (isnan(v))
		return median;
	csv_format_num(v, CSV_NUM_SHORT, buf, len);
	return buf;
}

/*
 * "MEDIAN LO HI" of NAME at row r into buf: the bar is the median's 95%
 * interval, or without intervals the repetitions' min to max. "" when the
 * median was not measured.
 */
static const char *bar(const struct figdata *d, long r, const char *name, double scale, char *buf,
		       size_t len)
{
	const char *m = cellf(d, r, "%s_median", name);
	char med[64], a[64], b[64], col[192];
	struct interval iv;
	buf[0] = '\0';
	if (!m[0])
		return buf;
	if (d->ci) {
		results_dir_median_ci(d->rd, r, name, &iv);
	} else {
		snprintf(col, sizeof(col), "%s_min", name);
		iv.lo = results_dir_num(d->rd, r, col);
		snprintf(col, sizeof(col), "%s_max", name);
		iv.hi = results_dir_num(d->rd, r, col);
	}
	if (scale == 1)
		snprintf(med, sizeof(med), "%s", m);
	else
		csv_format_num(strtod(m, NULL) * scale, CSV_NUM_SHORT, med, sizeof(med));
	snprintf(buf, len, "%s %s %s", med, end_or(iv.lo * scale, med, a, sizeof(a)),
		 end_or(iv.hi * scale, med, b, sizeof(b)));
	return buf;
}

/* "panel impl x median lo hi" when the median of NAME was measured. */
static size_t put(struct fig *g, const char *panel, const char *impl, long x,
		  const struct figdata *d, long r, const char *name)
{
	char v[200];
	if (!bar(d, r, name, 1, v, sizeof(v))[0])
		return 0;
	fprintf(g->f, "%s %s %ld %s\n", panel, impl, x, v);
	count(g, panel);
	return 1;
}

/* ---- what the figures have ----------------------------------------------- */

static void find_events(struct figdata *d)
{
	const struct event_set *ev = &d->rd->events;
	for (size_t k = 0; k < ev->n; k++) {
		const struct event_spec *e = &ev->ev[k];
		if (!strncmp(e->name, "PERF_COUNT_SW_TASK_CLOCK", 24) || !strcmp(e->key, "task_clock"))
			d->tclock_key = e->key;
		if (!strncmp(e->name, "PERF_COUNT_SW_CONTEXT_SWITCHES", 30) ||
		    !strcmp(e->key, "ctx_switches") || !strcmp(e->key, "context_switches"))
			d->ctx_key = e->key;
		if (strcmp(e->level, "-"))
			d->ckey[d->nl++] = e->key;
	}
	/* panels named by level, and by key where a level has several */
	for (size_t k = 0; k < d->nl; k++) {
		const char *lev = event_set_find(ev, d->ckey[k])->level;
		int dup = 0;
		for (size_t j = 0; j < d->nl; j++)
			dup |= j != k && !strcmp(event_set_find(ev, d->ckey[j])->level, lev);
		snprintf(d->ctitle[k], sizeof(d->ctitle[k]), dup ? "%s/%s" : "%s", lev, d->ckey[k]);
	}
	for (size_t r = 0; r < d->rd->summary.nrows; r++)
		if (cell(d, (long)r, "srv_cycles_per_byte_median")[0] ||
		    cell(d, (long)r, "cli_cycles_per_byte_median")[0])
			d->cycles = 1;
}

/* Keeps at most max (2 or more) of the ascending sizes v[0..*n-1]: the
 * smallest, the largest and evenly spread ones between. */
static void pick_spread(long *v, size_t *n, size_t max)
{
	long pick[RESULTS_MAX_SIZES];
	if (*n <= max || max > RESULTS_MAX_SIZES)
		return;
	for (size_t i = 0; i < max; i++)
		pick[i] = v[(size_t)((double)i * (double)(*n - 1) / (double)(max - 1) + 0.5)];
	memcpy(v, pick, max * sizeof(*v));
	*n = max;
}

static void axes(struct figdata *d)
{
	d->nrs = results_dir_axis(d->rd, "rr", "msg_size", d->rrsizes, RESULTS_MAX_SIZES);
	d->nrt = results_dir_axis(d->rd, "rr", "threads", d->rrthreads, RESULTS_MAX_THREADS);
	pick_spread(d->rrsizes, &d->nrs, MAX_RR_PANELS);
	d->nws = d->rd->nsizes;
	memcpy(d->wsizes, d->rd->sizes, d->nws * sizeof(*d->wsizes));
	pick_spread(d->wsizes, &d->nws, MAX_CLUSTERS);
}

/* ---- the figures ------------------------------------------------------------ */

/*
 * A row of figure 5: the ratio of impl's median throughput to two-copy's
 * (row b), and its 95% interval; without intervals, the bar runs from
 * impl's min over two-copy's max to its max over two-copy's min (an end not
 * measured counts as 0, as the figure always drew it).
 */
static void speedup_row(struct figdata *d, const char *panel, const char *impl, long size, long b,
			long r)
{
	const struct results_dir *rd = d->rd;
	const char *m = cell(d, r, "throughput_gbps_median");
	double bm = results_dir_num(rd, b, "throughput_gbps_median");
	double blo = results_dir_num(rd, b, "throughput_gbps_min");
	double bhi = results_dir_num(rd, b, "throughput_gbps_max");
	if (!m[0] || !(bm > 0) || !(blo > 0) || !(bhi > 0))
		return;
	struct interval iv = {metric_ratio(strtod(m, NULL), bm), NAN, NAN};
	if (d->ci) {
		/* the point is the medians' ratio, as the report's; the bar is the runs' */
		results_dir_ratio_ci(rd, b, r, "throughput_gbps", &iv);
		iv.est = metric_ratio(strtod(m, NULL), bm);
	} else {
		double lo = results_dir_num(rd, r, "throughput_gbps_min");
		double hi = results_dir_num(rd, r, "throughput_gbps_max");
		iv.lo = metric_ratio(isnan(lo) ? 0 : lo, bhi);
		iv.hi = metric_ratio(isnan(hi) ? 0 : hi, blo);
	}
	fprintf(d->fig[FIG_SPEEDUP].f, "%s %s %ld %.6g %.6g %.6g\n", panel, impl, size, iv.est,
		isnan(iv.lo) ? iv.est : fmin(iv.lo, iv.est),
		isnan(iv.hi) ? iv.est : fmax(iv.hi, iv.est));
	count(&d->fig[FIG_SPEEDUP], panel);
}

/* Figures 1 and 5: throughput, and its ratio to two-copy's. */
static void throughput(struct figdata *d)
{
	const struct results_dir *rd = d->rd;
	for (size_t p = 0; p < rd->nthreads; p++) {
		char panel[32];
		snprintf(panel, sizeof(panel), "%ld", rd->threads[p]);
		for (size_t i = 0; i < rd->nimpls; i++)
			for (size_t s = 0; s < rd->nsizes; s++) {
				long r = results_dir_row(rd, rd->impls[i], rd->mode, rd->sizes[s],
							 rd->threads[p]);
				if (r < 0)
					continue;
				put(&d->fig[FIG_THROUGHPUT], panel, rd->impls[i], rd->sizes[s], d, r,
				    "throughput_gbps");
				long b = results_dir_row(rd, "two-copy", rd->mode, rd->sizes[s],
							 rd->threads[p]);
				if (!strcmp(rd->impls[i], "two-copy") || b < 0)
					continue;
				speedup_row(d, panel, rd->impls[i], rd->sizes[s], b, r);
			}
	}
}

/* Figure 2: p50 and p99 round trips, per size, against thread count. */
static void latency(struct figdata *d)
{
	const struct results_dir *rd = d->rd;
	struct fig *g = &d->fig[FIG_LATENCY];
	for (size_t p = 0; p < d->nrs; p++) {
		char panel[32];
		snprintf(panel, sizeof(panel), "%ld", d->rrsizes[p]);
		for (size_t i = 0; i < rd->nimpls; i++)
			for (size_t t = 0; t < d->nrt; t++) {
				long r = results_dir_row(rd, rd->impls[i], "rr", d->rrsizes[p],
							 d->rrthreads[t]);
				char p50[200], p99[200];
				if (r < 0 || !bar(d, r, "lat_p50_us", 1, p50, sizeof(p50))[0])
					continue;
				if (!bar(d, r, "lat_p99_us", 1, p99, sizeof(p99))[0])
					snprintf(p99, sizeof(p99), "NaN NaN NaN");
				fprintf(g->f, "%s %s %ld %s %s\n", panel, rd->impls[i],
					d->rrthreads[t], p50, p99);
				count(g, panel);
			}
	}
}

/* Figure 3: server misses per KiB, one panel per cache level, one thread count. */
static void cache_misses(struct figdata *d)
{
	const struct results_dir *rd = d->rd;
	if (!rd->nthreads)
		return;
	for (size_t k = 0; k < d->nl; k++)
		for (size_t i = 0; i < rd->nimpls; i++)
			for (size_t s = 0; s < rd->nsizes; s++) {
				long r = results_dir_row(rd, rd->impls[i], rd->mode, rd->sizes[s],
							 rd->threads[0]);
				char name[128];
				snprintf(name, sizeof(name), "srv_%s_per_kb", d->ckey[k]);
				if (r >= 0)
					put(&d->fig[FIG_CACHE], d->ckey[k], rd->impls[i], rd->sizes[s], d,
					    r, name);
			}
}

/* The 95% interval of the copied share (0..1): the median of each run's own
 * zc_copied ÷ zc_completions (the two counts of a run belong together). */
static void copied_ci(const struct figdata *d, long r, struct interval *iv)
{
	double v[RESULTS_MAX_REPS];
	size_t n =
	    results_dir_run_ratios(d->rd, r, "zc_copied", "zc_completions", v, RESULTS_MAX_REPS);
	if (!n || stats_median_ci(v, n, iv))
		*iv = (struct interval){NAN, NAN, NAN};
}

/* Figures 4 and 6: CPU per byte per side; context switches per MiB and the
 * zero-copy strategies' copied share (server side), at one thread count. */
static void cpu_and_zerocopy(struct figdata *d)
{
	static const char *const sides[] = {"srv", "cli"};
	const struct results_dir *rd = d->rd;
	if (!rd->nthreads)
		return;
	for (size_t side = 0; side < 2; side++)
		for (size_t i = 0; i < rd->nimpls; i++)
			for (size_t s = 0; s < rd->nsizes; s++) {
				const char *impl = rd->impls[i];
				long size = rd->sizes[s];
				long r = results_dir_row(rd, impl, rd->mode, size, rd->threads[0]);
				if (r < 0)
					continue;
				char name[128];
				snprintf(name, sizeof(name), "%s_%s", sides[side],
					 d->cycles ? "cycles_per_byte" : "cpu_ns_per_byte");
				put(&d->fig[FIG_CPU], sides[side], impl, size, d, r, name);
				char v[200], per_msg[128];
				snprintf(per_msg, sizeof(per_msg), "%s_%s_per_msg", sides[side],
					 d->ctx_key ? d->ctx_key : "-");
				if (d->ctx_key &&
				    bar(d, r, per_msg, 1048576 / (double)size, v, sizeof(v))[0]) {
					fprintf(d->fig[FIG_ZEROCOPY].f, "ctx %s %ld %s %s\n", impl,
						size, v, sides[side]);
					count(&d->fig[FIG_ZEROCOPY], "ctx");
				}
				if (side != 0 || !cell(d, r, "zc_completions_median")[0])
					continue;
				d->zc_seen = 1;
				double pct = metric_copied_pct(
				    strtod(cell(d, r, "zc_copied_median"), NULL),
				    results_dir_num(rd, r, "zc_completions_median"));
				if (isnan(pct))
					continue;
				struct interval iv = {NAN, NAN, NAN};
				if (d->ci)
					copied_ci(d, r, &iv);
				int n = snprintf(d->zcbuf + d->zclen, sizeof(d->zcbuf) - d->zclen,
						 "zc %s %ld %.6g %.6g %.6g srv\n", impl, size, pct,
						 isnan(iv.lo) ? pct : fmin(iv.lo * 100, pct),
						 isnan(iv.hi) ? pct : fmax(iv.hi * 100, pct));
				if (n > 0 && (size_t)n < sizeof(d->zcbuf) - d->zclen)
					d->zclen += (size_t)n;
				count(&d->fig[FIG_ZEROCOPY], "zc");
				size_t z = 0;
				while (z < d->nzi && strcmp(d->zc_impls[z], impl))
					z++;
				if (z == d->nzi)
					d->zc_impls[d->nzi++] = impl;
			}
	/* after the ctx rows: each strategy's lines stay one run of rows */
	fputs(d->zcbuf, d->fig[FIG_ZEROCOPY].f);
}

/* Figure 7: what TCP did on the sending side (the server, which sends in
 * both modes), at one thread count: bytes per data segment, the share of the
 * window it was busy, and the shares limited by the receive window (rwnd)
 * and by the send buffer (sndbuf). */
static void tcp_figure(struct figdata *d)
{
	static const struct {
		const char *tag, *panel, *column;
	} rows[] = {{"seg", "seg", "srv_tcp_bytes_per_seg"},
		    {"busy", "busy", "srv_tcp_busy_pct"},
		    {"rwnd", "limited", "srv_tcp_rwnd_limited_pct"},
		    {"sndbuf", "limited", "srv_tcp_sndbuf_limited_pct"}};
	const struct results_dir *rd = d->rd;
	struct fig *g = &d->fig[FIG_TCP];
	if (!rd->nthreads)
		return;
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
		for (size_t i = 0; i < rd->nimpls; i++)
			for (size_t s = 0; s < rd->nsizes; s++) {
				long r = results_dir_row(rd, rd->impls[i], rd->mode, rd->sizes[s],
							 rd->threads[0]);
				char v[200];
				if (r < 0 || !bar(d, r, rows[k].column, 1, v, sizeof(v))[0])
					continue;
				fprintf(g->f, "%s %s %ld %s\n", rows[k].tag, rd->impls[i],
					rd->sizes[s], v);
				count(g, rows[k].panel);
			}
}

/*
 * Figure 8: where each side's CPU went (sample = on), at one thread count, as
 * a stacked histogram: one block per side (srv, then cli) and size (wsizes),
 * blocks apart by two blank lines (gnuplot's index), and in each a row per
 * strategy, "side size impl PCT...": each category's median share of the
 * side's samples, in rd->cats' order. A strategy not sampled there has NaNs,
 * so that every cluster has a bar's place for each strategy.
 */
static void cpu_where(struct figdata *d)
{
	static const char *const sides[] = {"srv", "cli"};
	const struct results_dir *rd = d->rd;
	struct fig *g = &d->fig[FIG_CPU_WHERE];
	if (!rd->nthreads || !rd->ncats)
		return;
	for (size_t side = 0; side < 2; side++)
		for (size_t s = 0; s < d->nws; s++) {
			fprintf(g->f, "%s# %s %ld\n", side || s ? "\n\n" : "", sides[side],
				d->wsizes[s]);
			for (size_t i = 0; i < rd->nimpls; i++) {
				long r = results_dir_row(rd, rd->impls[i], rd->mode, d->wsizes[s],
							 rd->threads[0]);
				int sampled = 0;
				fprintf(g->f, "%s %ld %s", sides[side], d->wsizes[s], rd->impls[i]);
				for (size_t c = 0; c < rd->ncats; c++) {
					const char *v = cellf(d, r, "%s_cat_%s_pct_median",
							      sides[side], rd->cats[c]);
					sampled |= v[0] != '\0';
					fprintf(g->f, " %s", v[0] ? v : "NaN");
				}
				fputc('\n', g->f);
				if (sampled)
					count(g, sides[side]);
			}
		}
}

/* ---- meta.sh and draw.list --------------------------------------------------- */

/* k='v' with apostrophes dropped: render.sh sources it, gnuplot reads v quoted. */
static void meta(FILE *f, const char *k, const char *v)
{
	fprintf(f, "%s='", k);
	for (const char *p = v; *p; p++)
		if (*p != '\'')
			fputc(*p, f);
	fputs("'\n", f);
}

/* Appends to a space-separated list. */
static void words_add(char *buf, size_t len, const char *w)
{
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%s%s", n ? " " : "", w);
}

static void words_of_longs(char *buf, size_t len, const long *v, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char w[32];
		snprintf(w, sizeof(w), "%ld", v[i]);
		words_add(buf, len, w);
	}
}

/* The panels of list (space-separated) with no point in g. */
static void empty_panels(char *buf, size_t len, const struct fig *g, const char *list)
{
	char copy[TEXT_MAX];
	snprintf(copy, sizeof(copy), "%s", list);
	buf[0] = '\0';
	for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (!points_in(g, w))
			words_add(buf, len, w);
}

/* The system the figures were drawn from: env.txt's values, one parser (env.c). */
static void footer(const struct results_dir *rd, char *buf, size_t len)
{
	const char *counters = !strcmp(rd->hw_pmu, "yes")  ? "hardware counters: yes"
			       : !strcmp(rd->hw_pmu, "no") ? "hardware counters: no (no PMU exposed)"
							   : "hardware counters: unknown";
	char env[4200], cpu[256] = "", cpus[32] = "", kernel[128] = "", topo[64] = "";
	snprintf(env, sizeof(env), "%s/env.txt", rd->path);
	FILE *f = fopen(env, "r");
	if (!f) {
		snprintf(buf, len, "no env.txt in %s · %s", rd->path, counters);
		return;
	}
	fclose(f);
	env_read_key(env, "cpu_model", cpu, sizeof(cpu));
	env_read_key(env, "cpus", cpus, sizeof(cpus));
	env_read_key(env, "kernel", kernel, sizeof(kernel));
	env_read_key(env, "topology", topo, sizeof(topo));
	snprintf(buf, len, "%s · %s CPUs · kernel %s · topology %s%s%s · %s", cpu, cpus, kernel, topo,
		 rd->placement[0] ? " · placement " : "", rd->placement, counters);
}

struct meta_text {
	char impls[TEXT_MAX], threads[TEXT_MAX], rr_sizes[TEXT_MAX], xt[TEXT_MAX], tt[TEXT_MAX];
	char cats[TEXT_MAX], cat_labels[TEXT_MAX], wsizes[TEXT_MAX], wlabels[TEXT_MAX];
	char xr[128], keys[TEXT_MAX], titles[TEXT_MAX], levels[TEXT_MAX], zc_impls[TEXT_MAX];
	char empty[FIG_COUNT][TEXT_MAX], miss[FIG_COUNT][TEXT_MAX + 256], miss6a[256], miss6b[256];
	char why3[128], foot[4400], t1[32];
	const char *panels[FIG_COUNT]; /* each figure's panels, space-separated */
};

static void axes_text(const struct figdata *d, struct meta_text *m)
{
	const struct results_dir *rd = d->rd;
	for (size_t i = 0; i < rd->nimpls; i++)
		words_add(m->impls, sizeof(m->impls), rd->impls[i]);
	words_of_longs(m->threads, sizeof(m->threads), rd->threads, rd->nthreads);
	words_of_longs(m->rr_sizes, sizeof(m->rr_sizes), d->rrsizes, d->nrs);
	snprintf(m->t1, sizeof(m->t1), "%ld", rd->nthreads ? rd->threads[0] : 0L);
	if (!rd->nthreads)
		m->t1[0] = '\0';
	size_t n = (size_t)snprintf(m->xt, sizeof(m->xt), "(");
	for (size_t i = 0; i < rd->nsizes && n < sizeof(m->xt); i++) {
		char label[32];
		format_size(label, sizeof(label), (double)rd->sizes[i], SIZE_SHORT);
		n += (size_t)snprintf(m->xt + n, sizeof(m->xt) - n, "%s\"%s\" %ld", i ? ", " : "",
				      label, rd->sizes[i]);
	}
	if (n < sizeof(m->xt))
		snprintf(m->xt + n, sizeof(m->xt) - n, ")");
	n = (size_t)snprintf(m->tt, sizeof(m->tt), "(");
	for (size_t i = 0; i < d->nrt && n < sizeof(m->tt); i++)
		n += (size_t)snprintf(m->tt + n, sizeof(m->tt) - n, "%s\"%ld\" %ld", i ? ", " : "",
				      d->rrthreads[i], d->rrthreads[i]);
	if (n < sizeof(m->tt))
		snprintf(m->tt + n, sizeof(m->tt) - n, ")");
	if (rd->nsizes)
		snprintf(m->xr, sizeof(m->xr), "[%.6g:%.6g]", (double)rd->sizes[0] / 1.2,
			 (double)rd->sizes[rd->nsizes - 1] * 1.2);
	else
		snprintf(m->xr, sizeof(m->xr), "[*:*]");
	for (size_t k = 0; k < d->nl; k++) {
		words_add(m->keys, sizeof(m->keys), d->ckey[k]);
		words_add(m->titles, sizeof(m->titles), d->ctitle[k]);
		size_t l = strlen(m->levels);
		snprintf(m->levels + l, sizeof(m->levels) - l, "%s%s", k ? "/" : "", d->ctitle[k]);
	}
	for (size_t z = 0; z < d->nzi; z++)
		words_add(m->zc_impls, sizeof(m->zc_impls), d->zc_impls[z]);
	words_of_longs(m->wsizes, sizeof(m->wsizes), d->wsizes, d->nws);
	for (size_t i = 0; i < d->nws; i++) {
		char label[32];
		format_size(label, sizeof(label), (double)d->wsizes[i], SIZE_SHORT);
		words_add(m->wlabels, sizeof(m->wlabels), label);
	}
	for (size_t c = 0; c < rd->ncats; c++) { /* a label of two words is one quoted word */
		char label[CATEGORY_NAME_MAX + 64];
		words_add(m->cats, sizeof(m->cats), rd->cats[c]);
		snprintf(label, sizeof(label), "\"%s\"", results_dir_category_label(rd->cats[c]));
		words_add(m->cat_labels, sizeof(m->cat_labels), label);
	}
	const char *panels[FIG_COUNT] = {m->threads,	     m->rr_sizes, m->keys,
					 "srv cli",	     m->threads,  "zc ctx",
					 "seg busy limited", "srv cli"};
	memcpy(m->panels, panels, sizeof(panels));
}

/* What each figure lacks, and why (the "not measured" texts). */
static void missing_text(const struct figdata *d, struct meta_text *m)
{
	const struct results_dir *rd = d->rd;
	const struct fig *f = d->fig;
	snprintf(m->why3, sizeof(m->why3), "%s",
		 !strcmp(rd->hw_pmu, "no")
		     ? "no hardware PMU exposed"
		     : "the counters were not supported here (see copyscope events)");
	if (!f[FIG_THROUGHPUT].n)
		snprintf(m->miss[FIG_THROUGHPUT], sizeof(m->miss[0]),
			 "Throughput not measured: no successful %s run in summary.csv", rd->mode);
	if (!f[FIG_LATENCY].n)
		snprintf(m->miss[FIG_LATENCY], sizeof(m->miss[0]), "%s",
			 d->nrs ? "Latency not measured: the rr runs reported no latency"
				: "Latency not measured: this sweep ran no request-response (rr) "
				  "points");
	if (!f[FIG_CACHE].n && d->nl)
		snprintf(m->miss[FIG_CACHE], sizeof(m->miss[0]), "%s misses not measured: %s", m->levels, m->why3);
	else if (!f[FIG_CACHE].n)
		snprintf(m->miss[FIG_CACHE], sizeof(m->miss[0]),
			 "Cache misses not measured: the event file names no cache level");
	if (!f[FIG_CPU].n)
		snprintf(m->miss[FIG_CPU], sizeof(m->miss[0]),
			 "CPU cost per byte not measured: no cycles, task-clock or rusage data");
	int has_two = 0;
	for (size_t i = 0; i < rd->nimpls; i++)
		has_two |= !strcmp(rd->impls[i], "two-copy");
	if (!f[FIG_SPEEDUP].n)
		snprintf(m->miss[FIG_SPEEDUP], sizeof(m->miss[0]), "%s",
			 has_two ? "Speed-up not computed: no throughput to compare"
				 : "Speed-up not computed: the sweep has no two-copy baseline");
	if (!f[FIG_TCP].n)
		snprintf(m->miss[FIG_TCP], sizeof(m->miss[0]), "%s",
			 "What TCP did not measured: summary.csv has no srv_tcp_* columns "
			 "(results from before copyscope read TCP_INFO)");
	if (!f[FIG_CPU_WHERE].n)
		snprintf(m->miss[FIG_CPU_WHERE], sizeof(m->miss[0]), "%s",
			 rd->ncats ? "CPU not sampled: no samples at these points"
				   : "CPU not sampled: sweep with sample = on");
	if (!points_in(&f[FIG_ZEROCOPY], "zc"))
		snprintf(m->miss6a, sizeof(m->miss6a), "%s",
			 d->zc_seen ? "Copied fallback not measured: no zero-copy completions arrived"
				    : "Copied fallback not measured: no zero-copy strategy in this "
				      "sweep");
	if (!points_in(&f[FIG_ZEROCOPY], "ctx"))
		snprintf(m->miss6b, sizeof(m->miss6b), "%s",
			 d->ctx_key ? "Context switches not measured on this machine"
				    : "Context switches not measured: the event file has no "
				      "context-switch event");
}

/* OUT/NAME, written whole. */
static int open_in(struct atomic_file *af, const char *out, const char *name, char *err,
		   size_t errlen)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", out, name) >= sizeof(path))
		return errmsg_set(err, errlen, "%s/%s: path too long", out, name);
	return atomic_open(af, path, err, errlen);
}

static int write_meta(const struct figdata *d, const struct meta_text *m, const char *out,
		      char *err, size_t errlen)
{
	struct atomic_file af;
	if (open_in(&af, out, "meta.sh", err, errlen))
		return -1;
	FILE *f = af.f;
	const struct results_dir *rd = d->rd;
	meta(f, "impls", m->impls);
	meta(f, "tmode", rd->mode);
	meta(f, "threads", m->threads);
	meta(f, "t1", m->t1);
	meta(f, "xt", m->xt);
	meta(f, "xr", m->xr);
	meta(f, "tt", m->tt);
	meta(f, "rr_sizes", m->rr_sizes);
	meta(f, "cache_keys", m->keys);
	meta(f, "cache_titles", m->titles);
	meta(f, "cpu_metric", d->cycles ? "cycles" : "cpu_ns");
	meta(f, "cpu_clock", d->tclock_key ? "task-clock" : "user+system time");
	meta(f, "hw_pmu", rd->hw_pmu[0] ? rd->hw_pmu : "unknown");
	/* "1", or why the bars are min-max: style.gp's bars_text */
	meta(f, "ci",
	     d->ci ? "1" : rd->runs.nrows ? "fewer than two runs a point" : "no runs.csv");
	char name[16];
	for (size_t i = 0; i < FIG_COUNT; i++) { /* pN, eN: figure N's panels, the empty ones */
		snprintf(name, sizeof(name), "p%zu", i + 1);
		meta(f, name, m->panels[i]);
		snprintf(name, sizeof(name), "e%zu", i + 1);
		meta(f, name, m->empty[i]);
	}
	meta(f, "zc_impls", m->zc_impls);
	meta(f, "why3", m->why3);
	for (size_t i = 0; i < FIG_COUNT; i++) /* figure 6 says it per panel: miss6a, miss6b */
		if (i != FIG_ZEROCOPY) {
			snprintf(name, sizeof(name), "miss%zu", i + 1);
			meta(f, name, m->miss[i]);
		}
	meta(f, "miss6a", m->miss6a);
	meta(f, "miss6b", m->miss6b);
	meta(f, "footer", m->foot);
	return atomic_commit(&af, err, errlen);
}

/* One line per figure: what render.sh hands gnuplot. A figure whose data is
 * all missing gets one panel ("-") that says why. */
static int write_draw_list(const struct figdata *d, const struct meta_text *m, const char *out,
			   char *err, size_t errlen)
{
	struct atomic_file af;
	if (open_in(&af, out, "draw.list", err, errlen))
		return -1;
	FILE *f = af.f;
	const char *tmode = d->rd->mode;
	for (size_t i = 0; i < FIG_COUNT; i++) {
		const char *miss = i == FIG_ZEROCOPY ? "" : m->miss[i];
		fprintf(f, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f", figure_table[i].script, figure_table[i].name,
			d->fig[i].path, miss[0] ? "-" : m->panels[i], m->empty[i], miss);
		switch (i) {
		case FIG_THROUGHPUT:
		case FIG_SPEEDUP:
			fprintf(f, "tmode='%s'", tmode);
			break;
		case FIG_LATENCY:
			fprintf(f, "tt='%s'", m->tt);
			break;
		case FIG_CACHE:
			fprintf(f, "titles='%s'; keys='%s'; why='%s'; t1='%s'; tmode='%s'", m->titles,
				m->keys, m->why3, m->t1, tmode);
			break;
		case FIG_CPU:
			fprintf(f, "metric='%s'; clock='%s'; t1='%s'; tmode='%s'",
				d->cycles ? "cycles" : "cpu_ns",
				d->tclock_key ? "task-clock" : "user+system time", m->t1, tmode);
			break;
		case FIG_TCP:
			fprintf(f, "t1='%s'; tmode='%s'", m->t1, tmode);
			break;
		case FIG_ZEROCOPY:
			fprintf(f, "zc_impls='%s'; miss_zc='%s'; miss_ctx='%s'; t1='%s'; tmode='%s'",
				m->zc_impls, m->miss6a, m->miss6b, m->t1, tmode);
			break;
		case FIG_CPU_WHERE:
			fprintf(f,
				"cats='%s'; cat_labels='%s'; sizes='%s'; size_labels='%s'; "
				"miss_side='%s'; t1='%s'; tmode='%s'",
				m->cats, m->cat_labels, m->wsizes, m->wlabels,
				"Not sampled: no samples of this side at these points", m->t1, tmode);
			break;
		}
		fputc('\n', f);
	}
	return atomic_commit(&af, err, errlen);
}

/* OUT is a folder, and every file figdata writes there is a regular file or
 * absent: checked before anything is written, so a refusal leaves OUT as it was. */
static int check_out(const char *out, char *err, size_t errlen)
{
	struct stat sb;
	if (stat(out, &sb) || !S_ISDIR(sb.st_mode))
		return errmsg_set(err, errlen, "%s: %s (expected a folder to write the data into)",
				  out, errno && stat(out, &sb) ? strerror(errno) : "not a folder");
	for (size_t i = 0; i < FIG_COUNT + 2; i++) {
		char path[PATH_MAX];
		if (i < FIG_COUNT)
			snprintf(path, sizeof(path), "%s/fig%zu.dat", out, i + 1);
		else
			snprintf(path, sizeof(path), "%s/%s", out,
				 i == FIG_COUNT ? "meta.sh" : "draw.list");
		if (!lstat(path, &sb) && !S_ISREG(sb.st_mode))
			return errmsg_set(err, errlen,
					  "%s: exists and is not a regular file (expected a folder "
					  "copyscope figdata may write its files into)",
					  path);
	}
	return 0;
}

int figdata_write(const struct results_dir *rd, const char *out, char *err, size_t errlen)
{
	struct figdata *d = calloc(1, sizeof(*d));
	struct meta_text *m = calloc(1, sizeof(*m));
	int rc = -1;
	if (!d || !m) {
		errmsg_set(err, errlen, "out of memory");
		goto done;
	}
	d->rd = rd;
	if (check_out(out, err, errlen))
		goto done;
	for (size_t i = 0; i < FIG_COUNT; i++) {
		snprintf(d->fig[i].path, sizeof(d->fig[i].path), "%s/fig%zu.dat", out, i + 1);
		if (atomic_open(&d->fig[i].af, d->fig[i].path, err, errlen))
			goto done;
		d->fig[i].f = d->fig[i].af.f;
	}
	d->ci = results_dir_has_intervals(rd) ||
		dataset_col(&rd->summary, "throughput_gbps_ci_lo") >= 0;
	find_events(d);
	axes(d);
	throughput(d);
	latency(d);
	cache_misses(d);
	cpu_and_zerocopy(d);
	tcp_figure(d);
	cpu_where(d);
	for (size_t i = 0; i < FIG_COUNT; i++) {
		d->fig[i].f = NULL;
		if (atomic_commit(&d->fig[i].af, err, errlen))
			goto done;
	}
	axes_text(d, m);
	for (size_t i = 0; i < FIG_COUNT; i++)
		empty_panels(m->empty[i], sizeof(m->empty[i]), &d->fig[i], m->panels[i]);
	missing_text(d, m);
	footer(rd, m->foot, sizeof(m->foot));
	rc = write_meta(d, m, out, err, errlen) || write_draw_list(d, m, out, err, errlen) ? -1 : 0;
done:
	for (size_t i = 0; d && i < FIG_COUNT; i++)
		if (d->fig[i].f)
			atomic_abort(&d->fig[i].af);
	free(d);
	free(m);
	return rc;
}

/* ---- the command ------------------------------------------------------------ */

static void figdata_usage(FILE *out)
{
	fprintf(out, "usage: copyscope figdata DIR OUT\n"
		     "Writes the data plots/render.sh draws for results folder DIR into folder OUT:\n");
	for (size_t i = 0; i < FIG_COUNT; i++)
		fprintf(out, "  fig%zu.dat  %s: %s\n", i + 1, figure_table[i].name,
			figure_table[i].title);
	fprintf(out, "  meta.sh   what each figure has and, for what it lacks, why\n"
		     "  draw.list one line per figure: script, name, data and gnuplot settings\n"
		     "usage: copyscope figdata --names\n"
		     "Prints the figures' names, one a line (figures/NAME.png and .svg).\n");
}

int cmd_figdata(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		figdata_usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--names")) {
		for (size_t i = 0; i < FIG_COUNT; i++)
			printf("%s\n", figure_table[i].name);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "copyscope figdata: expected DIR OUT (see --help)\n");
		return 2;
	}
	char err[1024];
	struct results_dir rd;
	if (results_dir_load(argv[1], &rd, err, sizeof(err))) {
		fprintf(stderr, "copyscope figdata: %s\n", err);
		return 2;
	}
	int rc = figdata_write(&rd, argv[2], err, sizeof(err));
	results_dir_free(&rd);
	if (rc) {
		fprintf(stderr, "copyscope figdata: %s\n", err);
		return 2;
	}
	return 0;
}
