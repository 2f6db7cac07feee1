/*
 * top — `copyscope top DIR`: where the CPU went in a results folder swept
 * with sampling (sampler.h), strategy by strategy, side by side.
 *
 *     copyscope top DIR [--impl LIST] [--size B] [--threads N] [--side srv|cli|both]
 *                       [--top N] [--categories FILE]
 *
 * Reads the folded stacks of DIR/raw/ (RUN.server.folded, RUN.client.folded;
 * RUN names the run as a sweep does: IMPL_MODE_SIZEB_Nt..._rREP), keeps the
 * runs the filters name, adds up each strategy's chains, and puts them into
 * categories again with the category file (default: the one sampling used,
 * perfcfg/categories/default.cat): a file just extended applies to folders
 * already swept. Prints, per side:
 *   - each category's share of the samples, one column per strategy;
 *   - the top N functions per strategy by self samples (the first frame of a
 *     chain that a `pass` rule does not pass: the leaf unless the leaf is
 *     where interrupts came back on), with their category;
 *   - the top N of those self frames in chains no rule decided (other,
 *     unmatched), to extend the category file with.
 *
 * Exit status (commands.h): 0; 2 bad input (an option, a bad category file,
 * a folder with no folded stacks that the filters keep, a bad folded line:
 * FILE:LINE).
 */
#include "commands.h"

#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "categories.h"
#include "commands.h"
#include "errmsg.h"
#include "stacks.h"
#include "strategy_info.h"
#include "units.h"

#define PROG	    "copyscope top"
#define TOP_MAX	    100
#define TOP_DEFAULT 10
#define GROUPS_MAX  16
#define NAME_COL    30 /* characters of a function name shown */

static const char *const side_names[2] = {"server", "client"};
static const char *const side_files[2] = {".server.folded", ".client.folded"};

struct top_args {
	const char *dir;
	const char *impls; /* comma-separated; NULL: all */
	uint64_t size;	   /* 0: all */
	uint64_t threads;  /* 0: all */
	int sides[2];	   /* which to show */
	unsigned top;
	const char *categories;
};

struct top_group {
	char impl[64];
	size_t runs;
	struct folded *side[2];
};

struct top_state {
	struct top_args a;
	struct category_set *cats;
	size_t n;
	struct top_group g[GROUPS_MAX];
};

/* --- the arguments ------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " DIR [--impl LIST] [--size B] [--threads N] [--side srv|cli|both]\n"
		"                     [--top N] [--categories FILE]\n\n"
		"Where the CPU went in a results folder swept with sample = on: each category's\n"
		"share of the samples and the top functions, strategy by strategy, then the\n"
		"functions no rule of the category file decided (to extend it with).\n\n"
		"  --impl LIST        strategies to show, comma-separated (default: all)\n"
		"  --size B           only runs of this message size (256, 16K)\n"
		"  --threads N        only runs with this many client threads\n"
		"  --side S           srv, cli or both (default both)\n"
		"  --top N            functions listed per strategy, 1 to %d (default %d)\n"
		"  --categories FILE  the category file (default perfcfg/categories/default.cat)\n",
		TOP_MAX, TOP_DEFAULT);
}

/* "copyscope top: --opt VALUE: expected WHAT" on stderr; returns 2. */
static int refuse(const char *opt, const char *value, const char *expected, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(const char *opt, const char *value, const char *expected, ...)
{
	fprintf(stderr, PROG ": %s %s: expected ", opt, value);
	va_list ap;
	va_start(ap, expected);
	vfprintf(stderr, expected, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* One option's value into a: 0, or 2 when it is bad (said). */
static int take_option(int c, const char *value, struct top_args *a)
{
	uint64_t v;
	switch (c) {
	case 'i':
		a->impls = value;
		return 0;
	case 's':
		return parse_size(value, MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE, &a->size)
			   ? refuse("--size", value, "a message size such as 256 or 16K")
			   : 0;
	case 't':
		return parse_uint(value, 1, CLIENT_THREADS_MAX, &a->threads)
			   ? refuse("--threads", value, "a thread count from 1 to %u",
				    CLIENT_THREADS_MAX)
			   : 0;
	case 'S':
		if (strcmp(value, "both") && strcmp(value, "srv") && strcmp(value, "cli"))
			return refuse("--side", value, "srv, cli or both");
		a->sides[0] = strcmp(value, "cli") != 0;
		a->sides[1] = strcmp(value, "srv") != 0;
		return 0;
	case 'n':
		if (parse_uint(value, 1, TOP_MAX, &v))
			return refuse("--top", value, "a count from 1 to %d", TOP_MAX);
		a->top = (unsigned)v;
		return 0;
	default: /* 'c' */
		a->categories = value;
		return 0;
	}
}

/* -1: parsed; 0: --help done; 2: bad input (said). */
static int parse_args(int argc, char **argv, struct top_args *a)
{
	static const struct option longs[] = {
	    {"impl", required_argument, 0, 'i'},    {"size", required_argument, 0, 's'},
	    {"threads", required_argument, 0, 't'}, {"side", required_argument, 0, 'S'},
	    {"top", required_argument, 0, 'n'},	    {"categories", required_argument, 0, 'c'},
	    {"help", no_argument, 0, 'h'},	    {0, 0, 0, 0}};
	*a = (struct top_args){.sides = {1, 1}, .top = TOP_DEFAULT};
	optind = 0;
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, ":h", longs, NULL)) != -1;) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == ':' || c == '?') {
			fprintf(stderr, PROG ": %s: %s\n", argv[optind - 1],
				c == ':' ? "expected a value" : "unknown option (see --help)");
			return 2;
		}
		if (take_option(c, optarg, a))
			return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, PROG ": expected one results folder, got %d\n", argc - optind);
		return 2;
	}
	a->dir = argv[optind];
	return -1;
}

/* --- reading the folder --------------------------------------------------------- */

/* The strategy, size and threads of a run name "IMPL_MODE_SIZEB_Nt...". 0, or -1. */
static int parse_run_name(const char *name, char *impl, size_t len, uint64_t *size,
			  uint64_t *threads)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", name);
	char *save = NULL, *tok[4];
	for (int i = 0; i < 4; i++)
		if (!(tok[i] = strtok_r(i ? NULL : buf, "_", &save)))
			return -1;
	size_t ls = strlen(tok[2]), lt = strlen(tok[3]);
	if (ls < 2 || tok[2][ls - 1] != 'B' || lt < 2 || tok[3][lt - 1] != 't')
		return -1;
	tok[2][ls - 1] = tok[3][lt - 1] = '\0';
	if (parse_uint(tok[2], 1, UINT64_MAX, size) || parse_uint(tok[3], 1, UINT64_MAX, threads))
		return -1;
	snprintf(impl, len, "%s", tok[0]);
	return 0;
}

static int impl_wanted(const char *list, const char *impl)
{
	if (!list)
		return 1;
	const struct strategy_info *want = strategy_info_find(impl);
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", list);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!strcmp(t, impl) || (want && strategy_info_find(t) == want))
			return 1;
	return 0;
}

static struct top_group *group_of(struct top_state *st, const char *impl)
{
	for (size_t i = 0; i < st->n; i++)
		if (!strcmp(st->g[i].impl, impl))
			return &st->g[i];
	if (st->n == GROUPS_MAX)
		return NULL;
	struct top_group *g = &st->g[st->n];
	snprintf(g->impl, sizeof(g->impl), "%s", impl);
	g->side[0] = folded_new();
	g->side[1] = folded_new();
	if (!g->side[0] || !g->side[1]) {
		folded_free(g->side[0]);
		folded_free(g->side[1]);
		return NULL;
	}
	st->n++;
	return g;
}

/* One folded file of the folder into its strategy's group (when the filters keep it). */
static int take_file(struct top_state *st, const char *file, char *err, size_t errlen)
{
	for (int s = 0; s < 2; s++) {
		size_t n = strlen(file), k = strlen(side_files[s]);
		if (n <= k || strcmp(file + n - k, side_files[s]) || !st->a.sides[s])
			continue;
		char run[256], impl[64];
		uint64_t size, threads;
		snprintf(run, sizeof(run), "%.*s", (int)(n - k), file);
		if (parse_run_name(run, impl, sizeof(impl), &size, &threads) ||
		    !impl_wanted(st->a.impls, impl) || (st->a.size && size != st->a.size) ||
		    (st->a.threads && threads != st->a.threads))
			return 0;
		struct top_group *g = group_of(st, impl);
		if (!g)
			return errmsg_set(err, errlen, "more than %d strategies", GROUPS_MAX);
		char path[PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/raw/%s", st->a.dir, file);
		g->runs += s == 0 || !st->a.sides[0];
		return folded_read(g->side[s], path, err, errlen);
	}
	return 0;
}

static int read_folder(struct top_state *st, char *err, size_t errlen)
{
	char raw[PATH_MAX];
	snprintf(raw, sizeof(raw), "%s/raw", st->a.dir);
	DIR *d = opendir(raw);
	if (!d)
		return errmsg_set(err, errlen, "%.900s: cannot be read (expected a results folder)",
				  raw);
	int rc = 0;
	for (struct dirent *e; !rc && (e = readdir(d));)
		rc = take_file(st, e->d_name, err, errlen);
	closedir(d);
	if (!rc && st->n == 0)
		return errmsg_set(
		    err, errlen,
		    "%.900s: no folded stacks%s (expected a folder swept with sample = on)", raw,
		    st->a.impls || st->a.size || st->a.threads ? " the filters keep" : "");
	return rc;
}

/* Groups in the order tables list strategies; others after, by name. */
static int group_rank(const struct top_group *g)
{
	const struct strategy_info *i = strategy_info_find(g->impl);
	return i ? (int)(i - strategy_infos) : (int)strategy_ninfos;
}

static int by_strategy(const void *a, const void *b)
{
	const struct top_group *x = a, *y = b;
	int rx = group_rank(x), ry = group_rank(y);
	return rx != ry ? rx - ry : strcmp(x->impl, y->impl);
}

/* --- tallies of self frames ---------------------------------------------------------- */

struct self_count {
	const char *name;
	int kernel;
	size_t category;
	uint64_t count;
	unsigned impls; /* bit g: strategy g has it */
};

struct self_tally {
	size_t n, cap;
	struct self_count *e;
};

static int tally_add(struct self_tally *t, const struct chain_frame *f, size_t category,
		     uint64_t count, size_t group)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].kernel == f->kernel && !strcmp(t->e[i].name, f->name)) {
			t->e[i].count += count;
			t->e[i].impls |= 1u << group;
			return 0;
		}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct self_count *e = realloc(t->e, cap * sizeof(*e));
		if (!e)
			return -1;
		t->e = e, t->cap = cap;
	}
	t->e[t->n++] = (struct self_count){f->name, f->kernel, category, count, 1u << group};
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct self_count *x = a, *y = b;
	return x->count != y->count ? (x->count < y->count ? 1 : -1) : strcmp(x->name, y->name);
}

/* The self frames of f's chains (all of them, or only the unmatched) into t. */
static int tally_selves(const struct category_set *cats, const struct folded *f, size_t group,
			int unmatched_only, struct self_tally *t)
{
	static const struct chain_frame none = {"[no frame]", 0};
	for (size_t i = 0; i < folded_count(f); i++) {
		const struct chain_frame *frames;
		size_t n, decided;
		uint64_t count;
		folded_entry(f, i, &frames, &n, &count);
		size_t c = categories_match(cats, frames, n, &decided);
		if (unmatched_only && decided < n)
			continue;
		size_t self = categories_self(cats, frames, n);
		if (tally_add(t, self < n ? &frames[self] : &none, c, count, group))
			return -1;
	}
	if (t->n > 1)
		qsort(t->e, t->n, sizeof(*t->e), by_count);
	return 0;
}

/* --- printing ----------------------------------------------------------------- */

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_categories(const struct top_state *st, int s)
{
	size_t nc = categories_count(st->cats);
	uint64_t per[GROUPS_MAX][CATEGORY_MAX];
	printf("%-16s", "category");
	for (size_t g = 0; g < st->n; g++) {
		folded_categorize(st->g[g].side[s], st->cats, per[g], NULL);
		printf(" %12.12s", st->g[g].impl);
	}
	printf("\n");
	for (size_t c = 0; c < nc; c++) {
		printf("%-16s", categories_name(st->cats, c));
		for (size_t g = 0; g < st->n; g++)
			printf(" %11.1f%%", pct(per[g][c], folded_samples(st->g[g].side[s])));
		printf("\n");
	}
	printf("%-16s", "samples");
	for (size_t g = 0; g < st->n; g++)
		printf(" %12llu", (unsigned long long)folded_samples(st->g[g].side[s]));
	printf("\n%-16s", "runs");
	for (size_t g = 0; g < st->n; g++)
		printf(" %12zu", st->g[g].runs);
	printf("\n");
}

/* "tcp_write_xmit [k]" cut to the column. */
static void frame_label(const struct self_count *e, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s%s", NAME_COL - (e->kernel ? 4 : 0), e->name,
		 e->kernel ? " [k]" : "");
}

static int print_functions(const struct top_state *st, int s)
{
	struct self_tally t[GROUPS_MAX] = {0};
	int rc = 0;
	for (size_t g = 0; g < st->n && !rc; g++)
		rc = tally_selves(st->cats, st->g[g].side[s], g, 0, &t[g]);
	for (size_t g = 0; g < st->n && !rc; g++)
		printf("%s%-*.*s", g ? "  " : "", NAME_COL + 22, NAME_COL + 22, st->g[g].impl);
	printf("\n");
	for (unsigned r = 0; r < st->a.top && !rc; r++) {
		for (size_t g = 0; g < st->n; g++) {
			char label[NAME_COL + 8] = "";
			const struct self_count *e = r < t[g].n ? &t[g].e[r] : NULL;
			if (e)
				frame_label(e, label, sizeof(label));
			if (e)
				printf("%s%5.1f%% %-*s %-14.14s", g ? "  " : "",
				       pct(e->count, folded_samples(st->g[g].side[s])), NAME_COL,
				       label, categories_name(st->cats, e->category));
			else
				printf("%s%-*s", g ? "  " : "", NAME_COL + 22, "");
		}
		printf("\n");
	}
	for (size_t g = 0; g < st->n; g++)
		free(t[g].e);
	return rc;
}

static int print_unmatched(const struct top_state *st, int s)
{
	struct self_tally t = {0};
	uint64_t total = 0, unmatched = 0;
	int rc = 0;
	for (size_t g = 0; g < st->n && !rc; g++) {
		rc = tally_selves(st->cats, st->g[g].side[s], g, 1, &t);
		total += folded_samples(st->g[g].side[s]);
	}
	for (size_t i = 0; i < t.n; i++)
		unmatched += t.e[i].count;
	printf("%.1f%% of the %s's samples matched no rule (other):\n", pct(unmatched, total),
	       side_names[s]);
	for (size_t i = 0; i < t.n && i < st->a.top && !rc; i++) {
		char label[NAME_COL + 8];
		frame_label(&t.e[i], label, sizeof(label));
		printf("  %5.1f%% %-*s ", pct(t.e[i].count, total), NAME_COL, label);
		for (size_t g = 0; g < st->n; g++)
			if (t.e[i].impls & (1u << g))
				printf(" %s", st->g[g].impl);
		printf("\n");
	}
	free(t.e);
	return rc;
}

static int print_top(struct top_state *st)
{
	qsort(st->g, st->n, sizeof(st->g[0]), by_strategy);
	printf("# %s: where the CPU went, by %s\n", st->a.dir, categories_source(st->cats));
	for (int s = 0; s < 2; s++) {
		if (!st->a.sides[s])
			continue;
		printf("\n## %s: %% of samples per category\n", side_names[s]);
		print_categories(st, s);
		printf("\n## %s: top functions (self, after pass frames), %% of samples and "
		       "category\n",
		       side_names[s]);
		if (print_functions(st, s))
			return -1;
		printf("\n## %s: unmatched, to extend %s with\n", side_names[s],
		       categories_source(st->cats));
		if (print_unmatched(st, s))
			return -1;
	}
	return fflush(stdout) ? -1 : 0;
}

int cmd_top(int argc, char **argv)
{
	struct top_state st = {.n = 0};
	int rc = parse_args(argc, argv, &st.a);
	if (rc >= 0)
		return rc;
	char path[PATH_MAX], err[1024];
	categories_find(st.a.categories ? st.a.categories : CATEGORY_DEFAULT, NULL, path,
			sizeof(path));
	if (categories_load(path, &st.cats, err, sizeof(err)) ||
	    read_folder(&st, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = 2;
	} else if (print_top(&st)) {
		fprintf(stderr, PROG ": out of memory, or stdout failed\n");
		rc = 1;
	} else {
		rc = 0;
	}
	for (size_t g = 0; g < st.n; g++) {
		folded_free(st.g[g].side[0]);
		folded_free(st.g[g].side[1]);
	}
	categories_free(st.cats);
	return rc;
}
