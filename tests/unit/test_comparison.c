/*
 * The comparison of two results folders (comparison.h) over the fixture
 * folders: a folder against itself, a copy where one strategy is slower,
 * folders that share only some points, and a folder that is not a sweep's.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comparison.h"

#define FIXTURE "tests/fixtures/nopmu"

static struct comparison *compared(const char *a, const char *b)
{
	struct comparison *c = malloc(sizeof(*c));
	char err[1024];
	cr_assert_not_null(c);
	cr_assert_eq(comparison_load(c, a, b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(comparison_build(c, err, sizeof(err)), 0, "%s", err);
	return c;
}

static void release(struct comparison *c)
{
	comparison_free(c);
	free(c);
}

static void copy_file(const char *from, const char *to)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	cr_assert(in && out, "%s -> %s", from, to);
	while (getline(&line, &cap, in) > 0)
		fputs(line, out);
	free(line);
	fclose(in);
	fclose(out);
}

/*
 * A copy of FIXTURE in a new temporary folder dir (char[64]) whose runs of
 * impl (NULL: none) have throughput_gbps times k (the column found by name).
 */
static void fixture_copy(const char *impl, double k, char *dir)
{
	static const char *const copied[] = {"summary.csv", "events.events", "env.txt"};
	char from[256], to[256], *line = NULL;
	size_t cap = 0;
	int col = -1;
	snprintf(dir, 64, "/tmp/copyscope-comparison-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
		snprintf(from, sizeof(from), FIXTURE "/%s", copied[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, copied[i]);
		copy_file(from, to);
	}
	snprintf(to, sizeof(to), "%s/runs.csv", dir);
	FILE *in = fopen(FIXTURE "/runs.csv", "r"), *out = fopen(to, "w");
	cr_assert(in && out);
	for (int row = 0; getline(&line, &cap, in) > 0; row++) {
		char *rest = line, *field;
		int scaled = 0;
		line[strcspn(line, "\n")] = '\0';
		for (int c = 0; (field = strsep(&rest, ",")); c++) {
			if (row == 0 && !strcmp(field, "throughput_gbps"))
				col = c;
			if (c == 0)
				scaled = row && impl && !strcmp(field, impl);
			fputs(c ? "," : "", out);
			if (scaled && c == col && *field)
				fprintf(out, "%.6f", atof(field) * k);
			else
				fputs(field, out);
		}
		fputc('\n', out);
	}
	cr_assert_geq(col, 0, "no throughput_gbps in " FIXTURE "/runs.csv");
	free(line);
	fclose(in);
	fclose(out);
}

static void remove_copy(const char *dir)
{
	static const char *const files[] = {"summary.csv", "events.events", "env.txt", "runs.csv"};
	char path[256];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

Test(comparison, a_folder_against_itself_has_every_ratio_one_and_nothing_flips)
{
	struct comparison *c = compared(FIXTURE, FIXTURE);
	size_t checked;
	cr_assert_eq(c->npt, 216);
	for (size_t p = 0; p < c->npt; p++) {
		const struct compared_point *pt = &c->pt[p];
		cr_assert(pt->in[FOLDER_A].rows && pt->in[FOLDER_B].rows);
		cr_assert_float_eq(pt->ratio.est, 1.0, 1e-12, "point %zu", p);
		cr_assert_eq(pt->side, 0, "point %zu", p);
	}
	for (size_t i = 0; i < c->nan; i++)
		cr_assert(!c->an[i].flips, "answer %zu", i);
	cr_assert_eq(comparison_disagreements(c, &checked), 0);
	cr_assert_gt(checked, 0);
	release(c);
}

Test(comparison, points_come_by_slice_then_threads_strategy_and_size)
{
	struct comparison *c = compared(FIXTURE, FIXTURE);
	cr_assert_eq(c->nsl, 2);
	cr_assert_str_eq(c->sl[0].label, "stream");
	cr_assert_str_eq(c->sl[1].label, "rr");
	for (size_t p = 1; p < c->npt; p++) {
		const struct compared_point *x = &c->pt[p - 1], *y = &c->pt[p];
		if (x->slice != y->slice) {
			cr_assert_eq(y->slice, x->slice + 1);
			continue;
		}
		cr_assert_leq(x->threads, y->threads, "point %zu", p);
		if (x->threads == y->threads && !strcmp(x->impl, y->impl))
			cr_assert_lt(x->size, y->size, "point %zu", p);
	}
	cr_assert_str_eq(c->pt[0].impl, "two-copy");
	cr_assert_str_eq(c->pt[0].m->column, "throughput_gbps");
	cr_assert_str_eq(c->pt[c->npt - 1].m->column, "lat_p50_us");
	release(c);
}

Test(comparison, a_slower_strategy_is_significant_and_its_flipped_answers_disagree)
{
	char dir[64];
	size_t checked;
	fixture_copy("one-copy", 0.5, dir);
	struct comparison *c = compared(FIXTURE, dir);
	for (size_t p = 0; p < c->npt; p++) {
		const struct compared_point *pt = &c->pt[p];
		int stream_one_copy = !strcmp(pt->impl, "one-copy") && !strcmp(pt->mode, "stream");
		cr_assert_eq(pt->side, stream_one_copy ? -1 : 0, "%s %s %ld", pt->impl, pt->mode,
			     pt->size);
	}
	const struct comparison_answer *fastest = NULL;
	for (size_t i = 0; i < c->nan && !fastest; i++)
		if (c->an[i].q == QUESTION_FASTEST && c->an[i].threads == 1 &&
		    c->an[i].size == 4096 && !strcmp(c->sl[c->an[i].slice].label, "stream"))
			fastest = &c->an[i];
	cr_assert_not_null(fastest);
	cr_assert_str_eq(fastest->v[FOLDER_A].impl, "one-copy");
	cr_assert_str_eq(fastest->v[FOLDER_B].impl, "two-copy");
	cr_assert(fastest->flips && fastest->disagrees);
	cr_assert_gt(comparison_disagreements(c, &checked), 0);
	release(c);
	remove_copy(dir);
}

Test(comparison, points_in_one_folder_only_are_kept_without_a_ratio)
{
	struct comparison *c = compared("tests/golden/quick", FIXTURE);
	size_t both = 0, only_b = 0;
	cr_assert_eq(c->npt, 216);
	for (size_t p = 0; p < c->npt; p++) {
		const struct compared_point *pt = &c->pt[p];
		cr_assert(pt->in[FOLDER_A].rows || pt->in[FOLDER_B].rows);
		if (pt->in[FOLDER_A].rows && pt->in[FOLDER_B].rows) {
			both++;
			continue;
		}
		cr_assert_eq(pt->in[FOLDER_A].rows, 0, "a point only in A");
		cr_assert(isnan(pt->ratio.est) && isnan(pt->in[FOLDER_A].med.est));
		only_b++;
	}
	cr_assert_eq(both, 16);
	cr_assert_eq(only_b, 200);
	release(c);
}

Test(comparison, a_folder_without_runs_is_refused_in_one_line)
{
	char dir[64], path[128], err[1024];
	struct comparison *c = malloc(sizeof(*c));
	cr_assert_not_null(c);
	fixture_copy(NULL, 1, dir);
	snprintf(path, sizeof(path), "%s/runs.csv", dir);
	unlink(path);
	cr_assert_eq(comparison_load(c, FIXTURE, dir, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "/runs.csv: missing"), "%s", err);
	cr_assert_null(strchr(err, '\n'), "%s", err);
	cr_assert_eq(comparison_load(c, "tests/fixtures/nowhere", FIXTURE, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "tests/fixtures/nowhere"), "%s", err);
	free(c);
	remove_copy(dir);
}
