/*
 * report_zerocopy — answer 1 of the report (report_parts.h): where each
 * zero-copy strategy lost, its copied fallback, what it costs each side
 * against two-copy, and where its server's CPU went (sampling; figure 8),
 * the last two also shown under answer 5; on the remote topology, whether
 * the far host's device took its pages (the copied share per size) and
 * where that paid against the copying strategies.
 */
#include "report_parts.h"
#include "metrics.h"
#include "strategy_info.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- where its server's CPU goes (sampling; figure 8) ---------------------- */

/*
 * What zero-copy's server pays for by design, at (size, th): page pinning,
 * completions, and the kernel copy that loopback still makes (two-copy's
 * beside it), as shares of its samples and CPU ns per byte, into buf. ""
 * when none of them was sampled there.
 */
static const char *zc_where(char *buf, size_t len, const struct results_dir *rd, const char *impl,
			    long size, long th)
{
	static const char *const cats[] = {"pinning", "zc_completion", "kernel_copy"};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < 3 && used < len; k++) {
		double pct = cat_val(rd, impl, size, th, "srv", cats[k], "pct");
		double ns = cat_val(rd, impl, size, th, "srv", cats[k], "ns_per_byte");
		if (isnan(pct)) /* not sampled there, or not a category of this folder's */
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s %.1f%%", used ? ", " : "",
					 results_dir_category_label(cats[k]), pct);
		if (!isnan(ns) && used < len)
			used += (size_t)snprintf(buf + used, len - used, " (%.3g ns/B)", ns);
	}
	double two = cat_val(rd, "two-copy", size, th, "srv", "kernel_copy", "pct");
	double two_ns = cat_val(rd, "two-copy", size, th, "srv", "kernel_copy", "ns_per_byte");
	if (!used || used >= len || isnan(two) || !strcmp(impl, "two-copy"))
		return buf;
	used += (size_t)snprintf(buf + used, len - used, "; two-copy's kernel copy: %.1f%%", two);
	if (!isnan(two_ns) && used < len)
		snprintf(buf + used, len - used, " (%.3g ns/B)", two_ns);
	return buf;
}

/* Q5: under "what each side pays", where zero-copy's server CPU went. */
void write_zc_where_at(FILE *out, const struct results_dir *rd, const char *impl, long size,
		       long th)
{
	char a[32], f8[96], text[1024];
	if (zc_where(text, sizeof(text), rd, impl, size, th)[0])
		fprintf(out,
			"  Where the server's CPU went at %s, %ld %s (share of its samples and CPU "
			"ns per byte, medians; %s): %s.\n",
			sz(a, (double)size), th, threads_word(th),
			fig_link(f8, sizeof(f8), FIG_CPU_WHERE), text);
}

/* Q1: where impl's server CPU went at the smallest and the largest size. */
static void write_zc_where(FILE *out, const struct results_dir *rd, const char *impl)
{
	char a[32], f8[96], text[1024];
	if (!rd->nsizes || !rd->nthreads)
		return;
	long th = rd->threads[0], pick[2] = {rd->sizes[0], rd->sizes[rd->nsizes - 1]};
	for (size_t p = 0, shown = 0; p < (rd->nsizes > 1 ? 2u : 1u); p++) {
		if (!zc_where(text, sizeof(text), rd, impl, pick[p], th)[0])
			continue;
		if (!shown++)
			fprintf(out,
				"- **%s**, where its server's CPU went (share of its samples and "
				"CPU ns per byte, medians; %s):\n",
				impl, fig_link(f8, sizeof(f8), FIG_CPU_WHERE));
		fprintf(out, "  - at %s, %ld %s: %s.\n", sz(a, (double)pick[p]), th,
			threads_word(th), text);
	}
}

/* ---- question 1: zero-copy ------------------------------------------------ */

struct loss {
	double pct, mine, theirs;
	long size, threads;
	const char *winner;
};

static const char *fastest(const struct results_dir *rd, long size, long threads, double *v)
{
	const char *best = NULL;
	*v = NAN;
	for (size_t i = 0; i < rd->nimpls; i++) {
		double x = tput(rd, rd->impls[i], size, threads, "median");
		if (!isnan(x) && (!best || x > *v)) {
			best = rd->impls[i];
			*v = x;
		}
	}
	return best;
}

static void write_zc_losses(FILE *out, const struct results_dir *rd, const char *impl)
{
	size_t points = 0, led = 0, behind_two = 0, sig_behind = 0;
	struct loss worst = {.pct = 0, .winner = NULL};
	struct interval iv;
	char a[32], c[128];
	for (size_t t = 0; t < rd->nthreads; t++)
		for (size_t s = 0; s < rd->nsizes; s++) {
			long size = rd->sizes[s], th = rd->threads[t];
			double mine = tput(rd, impl, size, th, "median"), top;
			const char *winner = fastest(rd, size, th, &top);
			if (isnan(mine) || !winner)
				continue;
			points++;
			led += !strcmp(winner, impl);
			if (mine < tput(rd, "two-copy", size, th, "median")) {
				behind_two++;
				ratio_at(rd, "two-copy", impl, rd->mode, size, th,
					 "throughput_gbps", &iv);
				sig_behind += ratio_side(&iv) < 0;
			}
			double pct = (mine - top) / top * 100;
			if (strcmp(winner, impl) && (!worst.winner || pct < worst.pct))
				worst = (struct loss){pct, mine, top, size, th, winner};
		}
	fprintf(out,
		"- **%s** was the fastest strategy at %zu of %zu points and behind two-copy at "
		"%zu",
		impl, led, points, behind_two);
	if (behind_two && results_dir_has_intervals(rd))
		fprintf(out,
			" (significantly at %zu: the 95%% interval of %s ÷ two-copy lies below 1, "
			"and two-copy is %.0f%% or more faster)",
			sig_behind, impl, (STATS_MIN_EFFECT - 1) * 100);
	fprintf(out, ".");
	if (worst.winner) {
		ratio_at(rd, worst.winner, impl, rd->mode, worst.size, worst.threads,
			 "throughput_gbps", &iv);
		fprintf(out,
			" Its largest loss: %s with %ld %s, %.4g Gbit/s against %s's %.4g "
			"Gbit/s (%s).",
			sz(a, (double)worst.size), worst.threads, threads_word(worst.threads),
			worst.mine, worst.winner, worst.theirs, change_text(c, sizeof(c), &iv, 1));
	}
	fprintf(out, "\n");
}

static void write_fallback(FILE *out, const struct results_dir *rd, const char *impl)
{
	struct copied_shares cs;
	copied_shares_of(rd, impl, &cs);
	if (cs.points == 0)
		fprintf(out,
			"- **%s**: no zero-copy completions were counted (zc_completions is "
			"empty), so the copied-fallback rate is not known.\n",
			impl);
	else
		fprintf(out,
			"- **%s**: the kernel reported %.1f%%–%.1f%% of its completions as "
			"copied anyway (zc_copied ÷ zc_completions, medians, over %zu points).\n",
			impl, cs.lo, cs.hi, cs.points);
}

/* Share of the window a side spent on a CPU: (user + system time) ÷ window. */
static double busy_share(const struct results_dir *rd, const char *impl, long size, long th,
			 const char *side)
{
	char u[32], k[32];
	snprintf(u, sizeof(u), "%s_utime_s", side);
	snprintf(k, sizeof(k), "%s_stime_s", side);
	double window =
	    results_dir_num(rd, results_dir_row(rd, impl, rd->mode, size, th), "duration_s");
	return metric_busy_pct(val(rd, impl, rd->mode, size, th, u, "median"),
			       val(rd, impl, rd->mode, size, th, k, "median"), window);
}

/*
 * What impl costs each side against two-copy at one point: CPU per byte and
 * how busy each side was. On loopback the sender's sendmsg also runs the
 * receive path, so the server is often the side near 100% of a CPU, and then
 * its cost per byte, not the client's, sets the throughput.
 */
void write_sides_vs_two(FILE *out, const struct results_dir *rd, const char *impl, long size,
			long th)
{
	static const char *const side[] = {"srv", "cli"}, *const name[] = {"server", "client"};
	char a[32], col[64];
	int shown = 0;
	for (int i = 0; i < 2; i++) {
		snprintf(col, sizeof(col), "%s_cpu_ns_per_byte", side[i]);
		double x = val(rd, impl, rd->mode, size, th, col, "median");
		double two = val(rd, "two-copy", rd->mode, size, th, col, "median");
		if (isnan(x) || isnan(two) || two <= 0)
			continue;
		if (!shown++)
			fprintf(out,
				"  CPU per byte at %s, %ld %s (medians): ", sz(a, (double)size), th,
				threads_word(th));
		else
			fprintf(out, "; ");
		struct interval iv;
		char c[128];
		ratio_at(rd, "two-copy", impl, rd->mode, size, th, col, &iv);
		fprintf(out, "%s %s %.4g ns, two-copy %.4g ns (%s)", name[i], impl, x, two,
			change_text(c, sizeof(c), &iv, 0));
		double busy = busy_share(rd, impl, size, th, side[i]);
		double busy2 = busy_share(rd, "two-copy", size, th, side[i]);
		if (!isnan(busy) && !isnan(busy2))
			fprintf(out, ", using %.0f%% and %.0f%% of a CPU", busy, busy2);
	}
	if (shown)
		fprintf(out, " (user + system time ÷ window).\n");
}

static void write_zc_cost(FILE *out, const struct results_dir *rd, const char *impl)
{
	const char *ctx = results_dir_key(rd, "PERF_COUNT_SW_CONTEXT_SWITCHES", "ctx_switches");
	char col[128], a[32];
	if (!ctx || rd->nsizes == 0 || !rd->nthreads)
		return;
	long size = rd->sizes[rd->nsizes - 1], th = rd->threads[0];
	snprintf(col, sizeof(col), "srv_%s_per_msg", ctx);
	double z = val(rd, impl, rd->mode, size, th, col, "median");
	double two = val(rd, "two-copy", rd->mode, size, th, col, "median");
	if (isnan(z) || isnan(two))
		return;
	fprintf(out,
		"  Server context switches per message at %s, %ld %s: %s %.4g, two-copy "
		"%.4g.\n",
		sz(a, (double)size), th, threads_word(th), impl, z, two);
	write_sides_vs_two(out, rd, impl, size, th);
}

/* ---- remote: where zero-copy paid (a device that takes the pages) ---------- */

const char *copied_by_size(char *buf, size_t len, const struct results_dir *rd, const char *impl,
			   long th)
{
	char a[32], p[32];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t s = 0; s < rd->nsizes && used < len; s++) {
		double pct = copied_share(rd, impl, rd->sizes[s], th);
		if (!isnan(pct))
			used += (size_t)snprintf(buf + used, len - used, "%s%s %s",
						 used ? ", " : "", sz(a, (double)rd->sizes[s]),
						 pct_text(p, sizeof(p), pct));
	}
	return buf;
}

static const char *const copying[] = {"two-copy", "one-copy"};

/* Whether impl was ahead in iv: significantly where the point has an
 * interval, else by the medians (the report then calls nothing significant). */
static int ahead(const struct interval *iv)
{
	return has_interval(iv) ? ratio_side(iv) > 0 : iv->est > 1;
}

/*
 * Whether impl paid at (size, th): ahead of every copying strategy measured
 * there (iv[k]: impl ÷ copying[k], est NAN where not measured). -1 when no
 * copying strategy was measured there.
 */
static int paid_at(const struct results_dir *rd, const char *impl, long size, long th,
		   struct interval *iv)
{
	int bases = 0, beaten = 0;
	for (size_t k = 0; k < 2; k++) {
		iv[k] = (struct interval){NAN, NAN, NAN};
		if (has_impl(rd, copying[k]))
			ratio_at(rd, copying[k], impl, rd->mode, size, th, "throughput_gbps",
				 &iv[k]);
		if (isnan(iv[k].est))
			continue;
		bases++;
		beaten += ahead(&iv[k]);
	}
	return bases ? beaten == bases : -1;
}

/* One point where the copy was avoided: its share, throughput against the
 * copying strategies, and its server's CPU per byte against two-copy's. */
static void write_payoff_point(FILE *out, const struct results_dir *rd, const char *impl, long size,
			       long th, const struct interval *iv)
{
	char a[32], p[32], r[128];
	fprintf(out, "  - %s, %ld %s, %s copied: ", sz(a, (double)size), th, threads_word(th),
		pct_text(p, sizeof(p), copied_share(rd, impl, size, th)));
	for (size_t k = 0, n = 0; k < 2; k++)
		if (!isnan(iv[k].est))
			fprintf(out, "%s ÷ %s = %s", n++ ? ";" : impl, copying[k],
				ratio_text(r, sizeof(r), &iv[k]));
	struct interval cpu;
	ratio_at(rd, "two-copy", impl, rd->mode, size, th, "srv_cpu_ns_per_byte", &cpu);
	if (!isnan(cpu.est))
		fprintf(out, "; its server's CPU per byte against two-copy's: %s",
			change_text(r, sizeof(r), &cpu, 0));
	fprintf(out, ".\n");
}

/* "  Where it paid, with copies avoided (throughput significantly above
 * two-copy's and one-copy's):" */
static void write_payoff_heading(FILE *out, const struct results_dir *rd, int paid)
{
	int two = has_impl(rd, "two-copy"), one = has_impl(rd, "one-copy");
	if (!paid) {
		fprintf(out, "  Where it did not, with copies avoided:\n");
		return;
	}
	fprintf(out, "  Where it paid, with copies avoided (throughput %s%s%s%s):\n",
		results_dir_has_intervals(rd) ? "significantly above " : "above, by the medians, ",
		two ? "two-copy's" : "", two && one ? " and " : "", one ? "one-copy's" : "");
}

/* The points where impl avoided the copy and paid (paid 1) or did not (0). */
static void write_payoff(FILE *out, const struct results_dir *rd, const char *impl, int paid)
{
	size_t found = 0;
	struct interval iv[2];
	for (size_t t = 0; t < rd->nthreads; t++)
		for (size_t s = 0; s < rd->nsizes; s++) {
			long size = rd->sizes[s], th = rd->threads[t];
			if (!metric_copy_avoided(copied_share(rd, impl, size, th)) ||
			    paid_at(rd, impl, size, th, iv) != paid)
				continue;
			if (!found++)
				write_payoff_heading(out, rd, paid);
			if (found <= MAX_LIST)
				write_payoff_point(out, rd, impl, size, th, iv);
		}
	if (found > MAX_LIST)
		fprintf(out, "  - … and %zu more.\n", found - MAX_LIST);
	if (!found && paid)
		fprintf(out,
			"  It paid nowhere: at no point where copies were avoided was its "
			"throughput %sabove every copying strategy's.\n",
			results_dir_has_intervals(rd) ? "significantly " : "");
}

/* On remote: whether the far host's device took impl's pages, and where that paid. */
static void write_remote_zc(FILE *out, const struct results_dir *rd, const char *impl)
{
	struct copied_shares cs;
	char p[32], list[2048];
	copied_shares_of(rd, impl, &cs);
	if (cs.points == 0) {
		fprintf(out,
			"- **%s**: no completions were counted (zc_completions is empty), so "
			"whether the far host's device took its pages is not known.\n",
			impl);
		return;
	}
	if (!cs.avoided) {
		fprintf(
		    out,
		    "- **%s**: the far host copied every one of its completions too (%s at all "
		    "%zu points): its kernel could not hand the pages to the network device "
		    "(a veth pair, as when the two hosts are network namespaces, or a NIC or "
		    "driver without scatter-gather or TSO), so on this topology (**%s**) "
		    "zero-copy paid those costs and still copied, as on loopback. Only a device "
		    "that takes the pages can show its gain.\n",
		    impl, pct_text(p, sizeof(p), cs.hi), cs.points, rd->topology);
		return;
	}
	fprintf(out,
		"- **%s**: the far host's device took some of its pages: not every completion "
		"was copied at %zu of %zu points (copied share, zc_copied ÷ zc_completions, "
		"medians:",
		impl, cs.avoided, cs.points);
	for (size_t t = 0; t < rd->nthreads; t++)
		fprintf(out, "%s %ld %s: %s", t ? ";" : "", rd->threads[t],
			threads_word(rd->threads[t]),
			copied_by_size(list, sizeof(list), rd, impl, rd->threads[t]));
	fprintf(out, ").\n");
	if (!has_impl(rd, "two-copy") && !has_impl(rd, "one-copy")) {
		fprintf(out,
			"  Whether that paid is not known: no copying strategy was measured.\n");
		return;
	}
	write_payoff(out, rd, impl, 1);
	write_payoff(out, rd, impl, 0);
}

void write_q1(FILE *out, const struct results_dir *rd)
{
	size_t nzc = 0;
	fprintf(out, "## 1. Why does zero-copy not always give the best throughput?\n\n");
	for (size_t i = 0; i < rd->nimpls; i++)
		nzc += strategy_is_zerocopy(rd->impls[i]);
	if (nzc == 0) {
		fprintf(out, "No zero-copy strategy (");
		for (size_t i = 0, k = 0; i < strategy_ninfos; i++)
			if (strategy_infos[i].zerocopy)
				fprintf(out, "%s%s", k++ ? ", " : "", strategy_infos[i].name);
		fprintf(out, ") was measured in this sweep.\n\n");
		return;
	}
	char f1[96], f5[96], f6[96];
	fprintf(out, "Throughput medians, %s mode, every size and thread count (%s, %s, %s):\n\n",
		rd->mode, fig_link(f1, sizeof(f1), FIG_THROUGHPUT),
		fig_link(f5, sizeof(f5), FIG_SPEEDUP), fig_link(f6, sizeof(f6), FIG_ZEROCOPY));
	for (size_t i = 0; i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i]))
			write_zc_losses(out, rd, rd->impls[i]);
	fprintf(out, "\nCopied fallback:\n\n");
	for (size_t i = 0; i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i])) {
			write_fallback(out, rd, rd->impls[i]);
			write_zc_cost(out, rd, rd->impls[i]);
		}
	for (size_t i = 0; i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i]))
			write_tcp(out, rd, rd->impls[i]);
	for (size_t i = 0; sampled(rd) && i < rd->nimpls; i++)
		if (strategy_is_zerocopy(rd->impls[i]))
			write_zc_where(out, rd, rd->impls[i]);
	fprintf(out, "\nZero-copy saves the copy of the sent bytes only when the kernel can hand "
		     "the pages to a device; in exchange it pins the pages and reports every "
		     "completion on the socket's error queue (io_uring: a notification CQE), and a "
		     "buffer is reused only after its completion. Data bound for a local socket is "
		     "always copied (kernel Documentation/networking/msg_zerocopy.rst)");
	if (is_remote(rd)) {
		fprintf(out,
			". On this sweep's topology (**%s**: the server, which sends, on "
			"another host) the copy is saved only where that host's network "
			"device takes the pages:\n\n",
			rd->topology);
		for (size_t i = 0; i < rd->nimpls; i++)
			if (strategy_is_zerocopy(rd->impls[i]))
				write_remote_zc(out, rd, rd->impls[i]);
		fprintf(out, "\n");
	} else if (!strcmp(rd->topology, "loopback") || !strcmp(rd->topology, "netns"))
		fprintf(out,
			", so on this sweep's topology (**%s**: %s) zero-copy pays those costs "
			"and still copies; the copied-fallback rate above is the measure of it. "
			"Only a real NIC can show its gain.\n\n",
			rd->topology,
			!strcmp(rd->topology, "loopback") ? "127.0.0.1"
							  : "a veth pair between "
							    "two network namespaces");
	else
		fprintf(out,
			", so the copied-fallback rate above says how often it paid those costs "
			"without saving the copy (topology: %s).\n\n",
			rd->topology);
	if (!sampled(rd))
		write_not_sampled(out, "what each zero-copy strategy's server spends on page "
				       "pinning, on completions and on the kernel copy that "
				       "loopback still makes");
}
