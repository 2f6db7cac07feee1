/*
 * compare — `copyscope compare A B`: the command over a comparison
 * (comparison.h, which says what is compared and how): its options and
 * --help, the checks that every output can be written before any is, and the
 * outputs: Markdown (stdout or --out), the per-point CSV (--csv), a figure of
 * the ratios (--plot, drawn by plots/compare.gp with gnuplot), and with
 * --agree, exit 1 when an answer significant in one folder is not the same in
 * the other (docs/compare.md).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "commands.h"
#include "comparison.h"
#include "env.h"
#include "errmsg.h"
#include "results.h"
#include "spawn.h"
#include "stats.h"
#include "units.h"

#define PROG	  "copyscope compare"
#define GNUPLOT_S 60.0 /* seconds gnuplot may take */

struct compare_options {
	const char *out, *csv, *plot;
	int agree;
};

/* ---- Markdown ------------------------------------------------------------- */

static const char *sz(char *buf, double bytes)
{
	format_size(buf, 32, bytes, SIZE_LONG);
	return buf;
}

static const char *threads_word(long t)
{
	return t == 1 ? "thread" : "threads";
}

static void write_folder(FILE *out, const struct comparison *c, int f)
{
	const struct results_dir *rd = &c->rd[f];
	char env[4200], date[64] = "", sweep[256] = "", rev[64] = "";
	size_t failed = 0;
	int status = dataset_col(&rd->runs, "status");
	for (size_t r = 0; r < rd->runs.nrows; r++)
		failed += strcmp(dataset_cell(&rd->runs, r, status), "ok") != 0;
	snprintf(env, sizeof(env), "%s/env.txt", rd->path);
	env_read_key(env, "date", date, sizeof(date));
	env_read_key(env, "sweep", sweep, sizeof(sweep));
	env_read_key(env, "git_rev", rev, sizeof(rev));
	fprintf(out, "- **%s**: `%s`: %zu runs (%zu failed)", f == FOLDER_A ? "A" : "B", rd->name,
		rd->runs.nrows, failed);
	if (sweep[0])
		fprintf(out, ", sweep `%s`", sweep);
	if (date[0])
		fprintf(out, ", %s", date);
	if (rev[0])
		fprintf(out, ", git %s", rev);
	fprintf(out, "\n");
}

static void write_header(FILE *out, const struct comparison *c)
{
	fprintf(out, "# copyscope compare: B against A\n\n");
	write_folder(out, c, FOLDER_A);
	write_folder(out, c, FOLDER_B);
	fprintf(out,
		"\nEach point (a distinct value of the columns before `rep` in runs.csv) is "
		"compared by the median over its ok runs of `throughput_gbps` (stream; higher "
		"is better) or `lat_p50_us` (rr; lower is better). B ÷ A is the ratio of the "
		"medians, with its %.0f%% bootstrap interval (%d resamples of each folder's "
		"runs, seeded from the values: the same runs give the same interval; see "
		"docs/compare.md). **Significant**: the interval leaves out 1 and the ratio "
		"differs from 1 by %.0f%% or more.\n\n",
		STATS_LEVEL * 100, STATS_RESAMPLES, (STATS_MIN_EFFECT - 1) * 100);
	for (size_t i = 0; i < c->nnote; i++)
		fprintf(out, "Note: %s\n\n", c->note[i]);
}

static void write_summary(FILE *out, const struct comparison *c)
{
	size_t both = 0, only[2] = {0, 0}, faster = 0, slower = 0, flips = 0, sig_flips = 0;
	for (size_t p = 0; p < c->npt; p++) {
		const struct compared_point *pt = &c->pt[p];
		if (!pt->in[FOLDER_A].rows || !pt->in[FOLDER_B].rows) {
			only[pt->in[FOLDER_A].rows ? FOLDER_A : FOLDER_B]++;
			continue;
		}
		both++;
		int up = pt->m->lower_better ? -pt->side : pt->side;
		faster += up > 0;
		slower += up < 0;
	}
	for (size_t i = 0; i < c->nan; i++) {
		flips += c->an[i].flips;
		sig_flips += c->an[i].disagrees;
	}
	size_t checked, dis = comparison_disagreements(c, &checked);
	fprintf(out, "## Summary\n\n");
	fprintf(out, "- Points: %zu in both folders, %zu only in A, %zu only in B.\n", both,
		only[FOLDER_A], only[FOLDER_B]);
	fprintf(out,
		"- Significant differences: %zu of %zu points (B faster at %zu, slower at "
		"%zu).\n",
		faster + slower, both, faster, slower);
	fprintf(out,
		"- Answers that flip between A and B: %zu of %zu (%zu significant in A or B).\n",
		flips, c->nan, sig_flips);
	if (dis)
		fprintf(out,
			"- Agreement: **%zu of %zu answers significant in A or B are not the same "
			"in the other** (see [Agreement](#agreement)).\n\n",
			dis, checked);
	else
		fprintf(out,
			"- Agreement: every answer significant in A or B is the same in the other "
			"(%zu checked).\n\n",
			checked);
}

static void write_point_row(FILE *out, const struct comparison *c, const struct compared_point *pt)
{
	char a[32];
	fprintf(out, "|");
	for (size_t i = 0; i < c->nid; i++) {
		if (!c->id[i].shown)
			continue;
		if ((int)i == c->size_id)
			fprintf(out, " %s |", sz(a, (double)pt->size));
		else
			fprintf(out, " %s |", pt->cell[i][0] ? pt->cell[i] : "-");
	}
	fprintf(out, " %s |", pt->m->column);
	for (int f = FOLDER_A; f <= FOLDER_B; f++) {
		const struct folder_runs *r = &pt->in[f];
		if (!r->rows)
			fprintf(out, " not measured |");
		else if (!r->n)
			fprintf(out, " no ok run (%zu failed) |", r->rows);
		else
			fprintf(out, " %.4g (%zu) |", r->med.est, r->n);
	}
	if (isnan(pt->ratio.est)) {
		fprintf(out, " - | - | - |\n");
		return;
	}
	int up = pt->m->lower_better ? -pt->side : pt->side;
	fprintf(out, " %.3f | %.3f–%.3f | %s |\n", pt->ratio.est, pt->ratio.lo, pt->ratio.hi,
		up > 0	 ? "**yes: B faster**"
		: up < 0 ? "**yes: B slower**"
			 : "no");
}

static void write_points(FILE *out, const struct comparison *c)
{
	fprintf(out, "## Per point\n\nMedians with the number of ok runs in brackets; "
		     "Gbit/s for throughput_gbps, µs for lat_p50_us.\n\n|");
	for (size_t i = 0; i < c->nid; i++)
		if (c->id[i].shown)
			fprintf(out, " %s |", c->id[i].name);
	fprintf(out, " metric | A | B | B ÷ A | %.0f%% interval | significant |\n|",
		STATS_LEVEL * 100);
	for (size_t i = 0; i < c->nid; i++)
		if (c->id[i].shown)
			fprintf(out, "---|");
	fprintf(out, "---|---:|---:|---:|---|---|\n");
	for (size_t p = 0; p < c->npt; p++)
		write_point_row(out, c, &c->pt[p]);
	fprintf(out, "\n");
}

static void point_name(const struct comparison *c, const struct compared_point *pt, char *buf,
		       size_t len)
{
	char a[32];
	snprintf(buf, len, "%s, %s, %s, %ld %s", pt->impl, c->sl[pt->slice].label,
		 sz(a, (double)pt->size), pt->threads, threads_word(pt->threads));
}

static void write_one_folder(FILE *out, const struct comparison *c)
{
	char name[512];
	size_t n = 0;
	for (size_t p = 0; p < c->npt; p++)
		n += !c->pt[p].in[FOLDER_A].rows || !c->pt[p].in[FOLDER_B].rows;
	if (!n)
		return;
	fprintf(out, "## Points in one folder only\n\n");
	for (size_t p = 0; p < c->npt; p++) {
		const struct compared_point *pt = &c->pt[p];
		if (pt->in[FOLDER_A].rows && pt->in[FOLDER_B].rows)
			continue;
		point_name(c, pt, name, sizeof(name));
		fprintf(out, "- only in %s: %s (%zu runs)\n", pt->in[FOLDER_A].rows ? "A" : "B",
			name, pt->in[pt->in[FOLDER_A].rows ? FOLDER_A : FOLDER_B].rows);
	}
	fprintf(out, "\n");
}

/* A verdict as a table cell: the answer, "\*" when significant. */
static const char *verdict_text(const struct comparison_answer *a, int f, char *buf, size_t len)
{
	const struct folder_verdict *v = &a->v[f];
	char x[32], y[32], z[32];
	const char *star = v->significant ? "\\*" : "";
	if (!v->answered)
		snprintf(buf, len, "-");
	else if (a->q == QUESTION_FASTEST || a->q == QUESTION_SLOWEST)
		snprintf(buf, len, "%s%s", v->impl, star);
	else if (a->q == QUESTION_BEST_THREADS)
		snprintf(buf, len, "%ld%s", v->threads, star);
	else if (!v->crossing && a->k)
		snprintf(buf, len, "no further crossing (%s)", v->upward ? "ahead" : "behind");
	else if (!v->crossing)
		snprintf(buf, len, "none: %s at every size, %s–%s%s",
			 v->upward ? "ahead" : "behind", sz(x, (double)v->first),
			 sz(y, (double)v->last), star);
	else if (v->lo > 0 && !isinf(v->hi))
		snprintf(buf, len, "%s at ≈ %s (%s–%s)%s", v->upward ? "overtakes" : "falls behind",
			 sz(x, v->at), sz(y, v->lo), sz(z, v->hi), star);
	else
		snprintf(buf, len, "%s at ≈ %s (%s–%s)", v->upward ? "overtakes" : "falls behind",
			 sz(x, v->at), v->lo > 0 ? sz(y, v->lo) : "open",
			 isinf(v->hi) ? "open" : sz(z, v->hi));
	return buf;
}

static const char *flip_text(const struct comparison_answer *a)
{
	return a->disagrees ? "**flips**" : a->flips ? "flips" : "";
}

static void write_ranks(FILE *out, const struct comparison *c)
{
	char s[32], f0[160], f1[160], s0[160], s1[160];
	fprintf(out, "## Fastest and slowest strategy\n\n"
		     "Per mode, thread count and size, by median (rr: lowest p50 latency is "
		     "fastest). `*`: significant in that folder (the interval of its ratio to "
		     "the runner-up leaves out 1, and the ratio is %.0f%% or more). **flips**: "
		     "the folders differ and one of them is significant.\n\n"
		     "| mode | threads | size | fastest in A | fastest in B | slowest in A | "
		     "slowest in B | |\n|---|---:|---|---|---|---|---|---|\n",
		(STATS_MIN_EFFECT - 1) * 100);
	for (size_t i = 0; i + 1 < c->nan; i++) {
		const struct comparison_answer *fa = &c->an[i], *sl = &c->an[i + 1];
		if (fa->q != QUESTION_FASTEST || sl->q != QUESTION_SLOWEST)
			continue;
		const char *flip = fa->disagrees || sl->disagrees ? "**flips**"
				   : fa->flips || sl->flips	  ? "flips"
								  : "";
		fprintf(out, "| %s | %ld | %s | %s | %s | %s | %s | %s |\n", c->sl[fa->slice].label,
			fa->threads, sz(s, (double)fa->size),
			verdict_text(fa, FOLDER_A, f0, sizeof(f0)),
			verdict_text(fa, FOLDER_B, f1, sizeof(f1)),
			verdict_text(sl, FOLDER_A, s0, sizeof(s0)),
			verdict_text(sl, FOLDER_B, s1, sizeof(s1)), flip);
	}
	fprintf(out, "\n");
}

static void write_best_threads(FILE *out, const struct comparison *c)
{
	char s[32], x[160], y[160];
	size_t n = 0;
	for (size_t i = 0; i < c->nan; i++)
		n += c->an[i].q == QUESTION_BEST_THREADS;
	fprintf(out, "## Best thread count per strategy\n\n");
	if (!n) {
		fprintf(out, "Not answered: neither folder measured a strategy at more than one "
			     "thread count.\n\n");
		return;
	}
	fprintf(out, "By median, per mode, strategy and size. `*`: significant (against the "
		     "second-best thread count).\n\n"
		     "| mode | strategy | size | best in A | best in B | |\n"
		     "|---|---|---|---:|---:|---|\n");
	for (size_t i = 0; i < c->nan; i++) {
		const struct comparison_answer *a = &c->an[i];
		if (a->q == QUESTION_BEST_THREADS)
			fprintf(out, "| %s | %s | %s | %s | %s | %s |\n", c->sl[a->slice].label,
				a->impl, sz(s, (double)a->size),
				verdict_text(a, FOLDER_A, x, sizeof(x)),
				verdict_text(a, FOLDER_B, y, sizeof(y)), flip_text(a));
	}
	fprintf(out, "\n");
}

static void write_crossovers(FILE *out, const struct comparison *c)
{
	char x[256], y[256];
	size_t n = 0;
	for (size_t i = 0; i < c->nan; i++)
		n += c->an[i].q == QUESTION_CROSSOVER;
	fprintf(out, "## Crossovers over %s\n\n", COMPARISON_BASE_IMPL);
	if (!n) {
		fprintf(out,
			"Not answered: no mode and thread count has %s and another strategy "
			"at two sizes or more in either folder.\n\n",
			COMPARISON_BASE_IMPL);
		return;
	}
	fprintf(out,
		"Where a strategy's median overtakes %s's or falls behind it, interpolated "
		"on the log2 size axis (as the report does). In brackets: from the last size "
		"where it is significantly on its old side to the first where it is "
		"significantly on its new side, \"open\" where there is no such size; `*`: "
		"both ends exist (for \"none\": it is significantly on one side at every "
		"size). Two crossovers agree when they go the same way and their brackets "
		"overlap.\n\n"
		"| mode | threads | strategy | A | B | |\n|---|---:|---|---|---|---|\n",
		COMPARISON_BASE_IMPL);
	for (size_t i = 0; i < c->nan; i++) {
		const struct comparison_answer *a = &c->an[i];
		if (a->q == QUESTION_CROSSOVER)
			fprintf(out, "| %s | %ld | %s | %s | %s | %s |\n", c->sl[a->slice].label,
				a->threads, a->impl, verdict_text(a, FOLDER_A, x, sizeof(x)),
				verdict_text(a, FOLDER_B, y, sizeof(y)), flip_text(a));
	}
	fprintf(out, "\n");
}

static void question_text(const struct comparison *c, const struct comparison_answer *a, char *buf,
			  size_t len)
{
	char s[32];
	const char *label = c->sl[a->slice].label;
	if (a->q == QUESTION_FASTEST || a->q == QUESTION_SLOWEST)
		snprintf(buf, len, "%s strategy, %s, %ld %s, %s",
			 a->q == QUESTION_FASTEST ? "fastest" : "slowest", label, a->threads,
			 threads_word(a->threads), sz(s, (double)a->size));
	else if (a->q == QUESTION_BEST_THREADS)
		snprintf(buf, len, "best thread count of %s, %s, %s", a->impl, label,
			 sz(s, (double)a->size));
	else
		snprintf(buf, len, "crossover %zu of %s over %s, %s, %ld %s", a->k + 1, a->impl,
			 COMPARISON_BASE_IMPL, label, a->threads, threads_word(a->threads));
}

static void write_agreement(FILE *out, const struct comparison *c)
{
	char q[512], x[256], y[256];
	size_t checked, n = comparison_disagreements(c, &checked);
	fprintf(out, "## Agreement\n\n"
		     "Every answer above that is significant in A or in B, checked against the "
		     "other folder (`copyscope compare --agree` exits 1 when one is not the "
		     "same).\n\n");
	if (!n) {
		fprintf(out, "All %zu agree.\n", checked);
		return;
	}
	fprintf(out, "%zu of %zu do not:\n\n", n, checked);
	for (size_t i = 0; i < c->nan; i++) {
		const struct comparison_answer *a = &c->an[i];
		if (!a->disagrees)
			continue;
		question_text(c, a, q, sizeof(q));
		fprintf(out, "- %s: A %s, B %s\n", q, verdict_text(a, FOLDER_A, x, sizeof(x)),
			verdict_text(a, FOLDER_B, y, sizeof(y)));
	}
}

static void write_markdown(FILE *out, const struct comparison *c)
{
	write_header(out, c);
	write_summary(out, c);
	write_points(out, c);
	write_one_folder(out, c);
	write_ranks(out, c);
	write_best_threads(out, c);
	write_crossovers(out, c);
	write_agreement(out, c);
}

/* ---- the CSV -------------------------------------------------------------- */

static int write_csv(FILE *out, const struct comparison *c)
{
	static const char *const tail[] = {"metric",   "a_runs",   "b_runs",
					   "a_median", "b_median", "ratio",
					   "ratio_lo", "ratio_hi", "significant"};
	enum { NTAIL = sizeof(tail) / sizeof(tail[0]) };
	char *cells[COMPARISON_ID_MAX + NTAIL], num[NTAIL][64];
	size_t n = 0;
	for (size_t i = 0; i < c->nid; i++)
		if (c->id[i].matched)
			cells[n++] = (char *)c->id[i].name;
	for (size_t t = 0; t < NTAIL; t++)
		cells[n + t] = (char *)tail[t];
	if (csv_write_record(out, cells, n + NTAIL))
		return -1;
	for (size_t p = 0; p < c->npt; p++) {
		const struct compared_point *pt = &c->pt[p];
		size_t k = 0;
		for (size_t i = 0; i < c->nid; i++)
			if (c->id[i].matched)
				cells[k++] = (char *)pt->cell[i];
		double v[] = {pt->in[FOLDER_A].med.est, pt->in[FOLDER_B].med.est, pt->ratio.est,
			      pt->ratio.lo, pt->ratio.hi};
		cells[k++] = (char *)pt->m->column;
		for (int f = FOLDER_A; f <= FOLDER_B; f++) {
			snprintf(num[f], sizeof(num[f]), pt->in[f].rows ? "%zu" : "", pt->in[f].n);
			cells[k++] = num[f];
		}
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			csv_format_num(v[i], CSV_NUM_EXACT, num[2 + i], sizeof(num[0]));
			cells[k++] = num[2 + i];
		}
		cells[k++] = isnan(pt->ratio.est) ? "" : pt->side ? "yes" : "no";
		if (csv_write_record(out, cells, k))
			return -1;
	}
	return 0;
}

/* ---- the figure: plots/compare.gp through gnuplot --------------------------- */

/* plots/compare.gp under the current folder, else beside the executable's ../ */
static int find_script(char *path, size_t len)
{
	char exe[PATH_MAX] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, len, "plots/compare.gp");
	if (access(path, R_OK) == 0)
		return 0;
	if (exe[0]) {
		snprintf(path, len, "%s/../plots/compare.gp", exe);
		if (access(path, R_OK) == 0)
			return 0;
	}
	snprintf(path, len, "plots/compare.gp");
	return -1;
}

/* Appends s to buf as gnuplot's single-quoted text ('' for a quote). */
static void gp_quote(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);
	for (; *s && n + 3 < len; s++) {
		if (*s == '\'')
			buf[n++] = '\'';
		buf[n++] = *s;
	}
	buf[n] = '\0';
}

static void gp_assign(char *buf, size_t len, const char *name, const char *value)
{
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%s='", name);
	gp_quote(buf, len, value);
	n = strlen(buf);
	snprintf(buf + n, len - n, "'; ");
}

/* Appends w to the space-separated words of buf, unless it is one already. */
static void words_add(char *buf, size_t len, const char *w)
{
	size_t wl = strlen(w);
	for (const char *p = buf; (p = strstr(p, w)); p += wl)
		if ((p == buf || p[-1] == ' ') && (p[wl] == ' ' || !p[wl]))
			return;
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%s%s", n ? " " : "", w);
}

/* The slice the figure draws: A's base topology, layout and busy-poll where
 * those vary, else the first point's value, for every other varying column. */
static void figure_only(const struct comparison *c, char *buf, size_t len)
{
	const struct results_dir *rd = &c->rd[FOLDER_A];
	for (size_t i = 0; i < c->nid; i++) {
		if (!c->id[i].slice_key || (int)i == c->mode_id || !c->id[i].shown)
			continue;
		const char *name = c->id[i].name, *v = c->pt[0].cell[i];
		if (!strcmp(name, "topology"))
			v = rd->topology;
		else if (!strcmp(name, "layout"))
			v = rd->layout;
		else if (!strcmp(name, "busy_poll"))
			v = rd->busy_poll;
		if (!*v || strpbrk(v, " ='"))
			continue;
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "", name, v);
	}
}

/* Does pt have every COLUMN=VALUE of only? */
static int in_figure(const struct comparison *c, const struct compared_point *pt, const char *only)
{
	for (size_t i = 0; i < c->nid; i++) {
		size_t nl = strlen(c->id[i].name);
		for (const char *at = only; (at = strstr(at, c->id[i].name)); at += nl) {
			if ((at != only && at[-1] != ' ') || at[nl] != '=')
				continue;
			size_t vl = strcspn(at + nl + 1, " ");
			if (vl != strlen(pt->cell[i]) || strncmp(at + nl + 1, pt->cell[i], vl))
				return 0;
		}
	}
	return 1;
}

static void figure_vars(const struct comparison *c, char *buf, size_t len)
{
	char only[1024] = "", impls[1024] = "", panels[2048] = "", xt[4096] = "(", xr[128];
	char foot[4096], w[128], label[32];
	long lo = 0, hi = 0;
	size_t have = 0;
	figure_only(c, only, sizeof(only));
	for (size_t p = 0; p < c->npt; p++) {
		const struct compared_point *pt = &c->pt[p];
		if (!in_figure(c, pt, only))
			continue;
		words_add(impls, sizeof(impls), pt->impl);
		snprintf(w, sizeof(w), "%s:%ld", pt->mode, pt->threads);
		words_add(panels, sizeof(panels), w);
		lo = !lo || pt->size < lo ? pt->size : lo;
		hi = pt->size > hi ? pt->size : hi;
		have += !isnan(pt->ratio.est);
		format_size(label, sizeof(label), (double)pt->size, SIZE_SHORT);
		snprintf(w, sizeof(w), "\"%s\" %ld", label, pt->size);
		if (!strstr(xt, w)) {
			size_t n = strlen(xt);
			snprintf(xt + n, sizeof(xt) - n, "%s%s", n > 1 ? ", " : "", w);
		}
	}
	size_t n = strlen(xt);
	snprintf(xt + n, sizeof(xt) - n, ")");
	snprintf(xr, sizeof(xr), "[%.6g:%.6g]", (double)(lo ? lo : 1) / 1.2,
		 (double)(hi ? hi : 1) * 1.2);
	snprintf(foot, sizeof(foot), "A: %.1000s · B: %.1000s%s%s", c->rd[FOLDER_A].name,
		 c->rd[FOLDER_B].name, only[0] ? " · " : "", only);
	buf[0] = '\0';
	gp_assign(buf, len, "impls", impls);
	gp_assign(buf, len, "panels", panels);
	gp_assign(buf, len, "only", only);
	gp_assign(buf, len, "xt", xt);
	gp_assign(buf, len, "xr", xr);
	gp_assign(buf, len, "footer", foot);
	gp_assign(buf, len, "miss", have ? "" : "No point has ok runs in both folders");
}

/* Runs gnuplot on script with the CSV at csv, writing plot (.svg or .png)
 * through plot.tmp.EXT and a rename. -1 with err. */
static int draw_figure(const struct comparison *c, const char *script, const char *csv,
		       const char *plot, char *err, size_t errlen)
{
	const char *ext = strrchr(plot, '.') + 1;
	char stem[PATH_MAX], tmp[PATH_MAX + 16], files[3 * PATH_MAX], vars[16384];
	snprintf(stem, sizeof(stem), "%.*s.tmp", (int)(ext - 1 - plot), plot);
	snprintf(tmp, sizeof(tmp), "%s.%s", stem, ext);
	files[0] = '\0';
	gp_assign(files, sizeof(files), "in", csv);
	gp_assign(files, sizeof(files), "out", stem);
	gp_assign(files, sizeof(files), "fmt", ext);
	figure_vars(c, vars, sizeof(vars));
	char *argv[] = {"env", "gnuplot", "-e", files, "-e", vars, (char *)script, NULL};
	struct spawn_child ch;
	spawn_init(&ch, "gnuplot");
	if (spawn_prepare(&ch, "/usr/bin/env", argv, 0, NULL, err, errlen) ||
	    spawn_release(&ch, err, errlen)) {
		spawn_end(&ch);
		return -1;
	}
	int done = spawn_wait(&ch, GNUPLOT_S), status = ch.status;
	char why[512];
	snprintf(why, sizeof(why), "%s", ch.err.data ? ch.err.data : "");
	why[strcspn(why, "\n")] = '\0';
	spawn_end(&ch);
	if (!done || status) {
		unlink(tmp);
		if (!done)
			return errmsg_set(err, errlen, "gnuplot: no end within %.0f s", GNUPLOT_S);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			return errmsg_set(err, errlen,
					  "gnuplot: not found (make deps installs gnuplot-nox)");
		return errmsg_set(err, errlen, "gnuplot %s failed: %s", script, why);
	}
	if (rename(tmp, plot)) {
		int e = errno;
		unlink(tmp);
		return errmsg_set(err, errlen, "%s: %s", plot, strerror(e));
	}
	return 0;
}

/* ---- the command ------------------------------------------------------------ */

static void compare_usage(FILE *out)
{
	fprintf(out,
		"usage: copyscope compare A B [--out FILE.md] [--csv FILE.csv] [--plot "
		"FILE.svg|FILE.png] [--agree]\n"
		"Compares two results folders point by point from their runs.csv: each point's "
		"median\n"
		"throughput (stream) or p50 latency (rr) in A and B, the ratio B / A with its "
		"95%%\n"
		"bootstrap interval and whether it is significant (the interval leaves out 1\n"
		"and the ratio differs from 1 by %.0f%% or more), points\n"
		"in only one folder, and which of the report's answers flip (fastest and "
		"slowest\n"
		"strategy, best thread count, crossovers over two-copy). Writes Markdown to "
		"stdout.\n"
		"  --out FILE.md    write the Markdown to FILE.md instead\n"
		"  --csv FILE.csv   also write the per-point ratios as CSV\n"
		"  --plot FILE.svg  also draw the ratios (plots/compare.gp; .png for PNG); needs "
		"gnuplot\n"
		"  --agree          exit 1 when an answer significant in one folder is not the "
		"same in\n"
		"                   the other, and say so on stderr\n"
		"  --help           this text\n"
		"Exit: 0 written (with --agree: every significant answer agrees); 1 a significant\n"
		"answer disagrees (--agree), or writing or gnuplot failed; 2 bad input (nothing "
		"written).\n",
		(STATS_MIN_EFFECT - 1) * 100);
}

static int bad_ext(const char *path, const char *const *exts)
{
	const char *dot = strrchr(path, '.');
	if (dot && dot != path && !strchr(dot, '/'))
		for (; *exts; exts++)
			if (!strcmp(dot, *exts))
				return 0;
	return 1;
}

static int parse_compare_args(int argc, char **argv, struct compare_options *opt)
{
	static const struct option longopts[] = {
	    {"out", required_argument, 0, 'o'},	 {"csv", required_argument, 0, 'c'},
	    {"plot", required_argument, 0, 'p'}, {"agree", no_argument, 0, 'a'},
	    {"help", no_argument, 0, 'h'},	 {0, 0, 0, 0}};
	static const char *const plot_exts[] = {".svg", ".png", NULL};
	int ch;
	char shortopt[3] = "-?";
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			opt->out = optarg;
			break;
		case 'c':
			opt->csv = optarg;
			break;
		case 'p':
			if (bad_ext(optarg, plot_exts))
				return fprintf(stderr,
					       PROG ": --plot %s: expected a file name ending in "
						    ".svg or .png\n",
					       optarg),
				       2;
			opt->plot = optarg;
			break;
		case 'a':
			opt->agree = 1;
			break;
		case 'h':
			compare_usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, PROG ": %s: expected a value\n", argv[optind - 1]);
			return 2;
		default:
			shortopt[1] = (char)optopt;
			fprintf(stderr,
				PROG ": %s: unknown option (see copyscope compare --help)\n",
				optopt ? shortopt : argv[optind - 1]);
			return 2;
		}
	}
	if (optind + 2 != argc) {
		fprintf(stderr, PROG ": expected two results folders (A B), got %d%s%s\n",
			argc - optind, argc - optind > 2 ? ": " : "",
			argc - optind > 2 ? argv[optind + 2] : "");
		return 2;
	}
	return -1;
}

/* Nothing may be written when an output cannot be: checked before any is. */
static int outputs_writable(const struct compare_options *opt, const char *script, char *err,
			    size_t errlen)
{
	const char *paths[] = {opt->out, opt->csv, opt->plot};
	for (size_t i = 0; i < 3; i++) {
		if (!paths[i])
			continue;
		char dir[PATH_MAX];
		struct stat st;
		snprintf(dir, sizeof(dir), "%s", paths[i]);
		char *slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir ? 1 : 0] = '\0';
		int exists = stat(paths[i], &st) == 0;
		if (exists && !S_ISREG(st.st_mode) &&
		    (paths[i] == opt->plot || access(paths[i], W_OK)))
			return errmsg_set(
			    err, errlen, "%s: not a regular file (expected a file name)", paths[i]);
		if (exists && !S_ISREG(st.st_mode))
			continue; /* /dev/stdout and the like: written directly */
		if (!paths[i][0] ||
		    (slash ? stat(dir, &st) || !S_ISDIR(st.st_mode) || access(dir, W_OK)
			   : access(".", W_OK)))
			return errmsg_set(err, errlen,
					  "%s: cannot write there (expected a file in a writable "
					  "folder)",
					  paths[i]);
	}
	if (opt->plot && !script[0])
		return errmsg_set(err, errlen,
				  "plots/compare.gp: not found (expected the plots/ "
				  "folder of copyscope's source tree)");
	return 0;
}

/* An output file: written whole, or in place where it is a device (atomicfile.h). */
struct output {
	struct atomic_file af;
	FILE *f;
};

static int output_open(struct output *o, const char *path, char *err, size_t errlen)
{
	if (atomic_open(&o->af, path, err, errlen))
		return -1;
	o->f = o->af.f;
	return 0;
}

static void output_abort(struct output *o)
{
	atomic_abort(&o->af);
}

static int output_close(struct output *o, const char *path, int failed, char *err, size_t errlen)
{
	if (failed) {
		atomic_abort(&o->af);
		return errmsg_set(err, errlen, "%s: cannot write", path);
	}
	return atomic_commit(&o->af, err, errlen);
}

/* Writes the Markdown and the CSV. */
static int write_outputs(const struct comparison *c, const struct compare_options *opt, char *err,
			 size_t errlen)
{
	struct output md, cf;
	if (opt->out && output_open(&md, opt->out, err, errlen))
		return -1;
	if (opt->csv && output_open(&cf, opt->csv, err, errlen)) {
		if (opt->out)
			output_abort(&md);
		return -1;
	}
	write_markdown(opt->out ? md.f : stdout, c);
	if (opt->csv && output_close(&cf, opt->csv, write_csv(cf.f, c), err, errlen)) {
		if (opt->out)
			output_abort(&md);
		return -1;
	}
	if (opt->out)
		return output_close(&md, opt->out, 0, err, errlen);
	return fflush(stdout) ? errmsg_set(err, errlen, "stdout: %s", strerror(errno)) : 0;
}

/* The figure, from --csv's file or a temporary one. */
static int plot(const struct comparison *c, const struct compare_options *opt, const char *script,
		char *err, size_t errlen)
{
	if (opt->csv)
		return draw_figure(c, script, opt->csv, opt->plot, err, errlen);
	char dir[] = "/tmp/copyscope-compare-XXXXXX", csv[64];
	if (!mkdtemp(dir))
		return errmsg_set(err, errlen, "%s: %s", dir, strerror(errno));
	snprintf(csv, sizeof(csv), "%s/compare.csv", dir);
	FILE *f = fopen(csv, "w");
	int rc = !f || write_csv(f, c) ? -1 : 0;
	if (f && fclose(f))
		rc = -1;
	rc = rc ? errmsg_set(err, errlen, "%s: cannot write", csv)
		: draw_figure(c, script, csv, opt->plot, err, errlen);
	unlink(csv);
	rmdir(dir);
	return rc;
}

static int finish(struct comparison *c, const struct compare_options *opt, const char *script)
{
	char err[1024];
	if (write_outputs(c, opt, err, sizeof(err)) ||
	    (opt->plot && plot(c, opt, script, err, sizeof(err)))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if (!opt->agree)
		return 0;
	size_t checked, n = comparison_disagreements(c, &checked);
	if (n)
		fprintf(stderr,
			PROG ": %zu of %zu answers significant in A or B are not the same "
			     "in the other (see the Agreement section)\n",
			n, checked);
	else
		fprintf(stderr, PROG ": every answer significant in A or B agrees (%zu checked)\n",
			checked);
	return n ? 1 : 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_options opt = {0};
	struct comparison *c;
	char err[1024], script[PATH_MAX] = "";
	int rc = parse_compare_args(argc, argv, &opt);
	if (rc >= 0)
		return rc;
	if (!(c = malloc(sizeof(*c)))) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	if (comparison_load(c, argv[optind], argv[optind + 1], err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		free(c);
		return 2;
	}
	if (opt.plot && find_script(script, sizeof(script)))
		script[0] = '\0';
	if (outputs_writable(&opt, script, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = 2;
	} else if (comparison_build(c, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = 1;
	} else {
		rc = finish(c, &opt, script);
	}
	comparison_free(c);
	free(c);
	return rc;
}
