/*
 * copyscope top (top.h), on a fixture folder of folded stacks: each
 * strategy's categories side by side, its top functions past the pass
 * frames, the unmatched leaves, the filters, and bad input as exit 2.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"

#define FIXTURE "tests/fixtures/sampling/results"

static int top(int argc, char **argv)
{
	return cmd_top(argc, argv);
}

/* Everything the command printed on stdout (redirected), NUL-terminated. */
static char *printed(void)
{
	fflush(stdout);
	FILE *f = cr_get_redirected_stdout();
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return buf;
}

/* The line of the server's (first) section that starts with word. */
static const char *line_of(const char *text, const char *word)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, word, strlen(word)) && p[strlen(word)] == ' ')
			return p;
	return "";
}

Test(top, categories_per_strategy_side_by_side_in_table_order, .init = cr_redirect_stdout)
{
	char *argv[] = {"top", FIXTURE, NULL};
	cr_assert_eq(top(2, argv), 0);
	char *out = printed();
	char header[256];
	snprintf(header, sizeof(header), "%.*s", (int)strcspn(line_of(out, "category"), "\n"),
		 line_of(out, "category"));
	cr_assert(strstr(header, "two-copy") && strstr(header, "zero-copy") &&
		      strstr(header, "two-copy") < strstr(header, "zero-copy"),
		  "%s", header);
	/* two-copy server: 40 of 110 samples in memmove; zero-copy: 25 of 200 in gup */
	cr_assert(strstr(line_of(out, "user_copy"), "36.4%"), "%s", out);
	cr_assert(strstr(line_of(out, "pinning"), "0.0%") &&
		      strstr(line_of(out, "pinning"), "12.5%"),
		  "%s", out);
	cr_assert(strstr(line_of(out, "samples"), "110") && strstr(line_of(out, "samples"), "200"));
	cr_assert(strstr(line_of(out, "runs"), " 2 "), "%s", line_of(out, "runs"));
}

Test(top, functions_are_past_the_pass_frames_with_their_category, .init = cr_redirect_stdout)
{
	char *argv[] = {"top", FIXTURE, "--side", "srv", "--impl", "two-copy", NULL};
	cr_assert_eq(top(6, argv), 0);
	char *out = printed();
	cr_assert_not_null(strstr(out, "36.4% tcp_write_xmit [k]"), "%s", out);
	cr_assert_null(strstr(out, "_raw_spin_unlock_irqrestore [k]"), "%s", out);
	cr_assert_not_null(strstr(out, "36.4% __memmove_avx_unaligned_erms"), "%s", out);
	cr_assert_null(strstr(out, "## client"), "--side srv");
}

Test(top, unmatched_leaves_are_listed_to_extend_the_file, .init = cr_redirect_stdout)
{
	char *argv[] = {"top", FIXTURE, "--side", "srv", NULL};
	cr_assert_eq(top(4, argv), 0);
	char *out = printed();
	const char *u = strstr(out, "matched no rule");
	cr_assert_not_null(u, "%s", out);
	cr_assert_not_null(strstr(u, "mystery_fn [k]"), "%s", u);
	cr_assert_not_null(strstr(u, "two-copy"), "%s", u);
}

Test(top, filters_keep_the_runs_they_name, .init = cr_redirect_stdout)
{
	char *argv[] = {"top", FIXTURE, "--impl", "a3", "--size", "256", "--threads", "1", NULL};
	cr_assert_eq(top(8, argv), 0);
	char *out = printed();
	cr_assert_null(strstr(line_of(out, "category"), "two-copy"), "%s", out);
	cr_assert(strstr(line_of(out, "pinning"), "25.0%"), "%s", out);
	cr_assert(strstr(line_of(out, "zc_completion"), "25.0%"), "%s", out);
}

Test(top, a_folder_without_folded_stacks_is_bad_input, .init = cr_redirect_stderr)
{
	char *argv[] = {"top", "tests/fixtures/nopmu", NULL};
	cr_assert_eq(top(2, argv), 2);
	char *keep[] = {"top", FIXTURE, "--size", "64K", NULL};
	cr_assert_eq(top(4, keep), 2);
	char *none[] = {"top", "tests/fixtures/no-such-folder", NULL};
	cr_assert_eq(top(2, none), 2);
}

Test(top, bad_options_and_files_are_one_line_and_exit_2, .init = cr_redirect_stderr)
{
	char *size[] = {"top", FIXTURE, "--size", "12Q", NULL};
	cr_assert_eq(top(4, size), 2);
	char *side[] = {"top", FIXTURE, "--side", "middle", NULL};
	cr_assert_eq(top(4, side), 2);
	char *two[] = {"top", FIXTURE, FIXTURE, NULL};
	cr_assert_eq(top(3, two), 2);
	char *cats[] = {"top", FIXTURE, "--categories", "tests/fixtures/sampling/bad.cat", NULL};
	cr_assert_eq(top(4, cats), 2);
	fflush(stderr);
	FILE *f = cr_get_redirected_stderr();
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	cr_assert_not_null(strstr(buf, "copyscope top: --size 12Q: expected"), "%s", buf);
	cr_assert_not_null(strstr(buf, "tests/fixtures/sampling/bad.cat:3: category 'TCP'"), "%s",
			   buf);
}

Test(top, a_bad_folded_line_names_its_file_and_line, .init = cr_redirect_stderr)
{
	char dir[] = "/tmp/copyscope-top-XXXXXX", raw[64], file[128];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(raw, sizeof(raw), "%s/raw", dir);
	cr_assert_eq(mkdir(raw, 0700), 0);
	snprintf(file, sizeof(file), "%s/one-copy_stream_256B_1t_r0.server.folded", raw);
	FILE *f = fopen(file, "w");
	fputs("a;b 3\nno count here\n", f);
	fclose(f);
	char *argv[] = {"top", dir, NULL};
	cr_assert_eq(top(2, argv), 2);
	fflush(stderr);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr());
	buf[n] = '\0';
	char want[160];
	snprintf(want, sizeof(want), "%s:2:", file);
	cr_assert_not_null(strstr(buf, want), "%s", buf);
	unlink(file);
	rmdir(raw);
	rmdir(dir);
}

Test(top, help_says_what_it_does, .init = cr_redirect_stdout)
{
	char *argv[] = {"top", "--help", NULL};
	cr_assert_eq(top(2, argv), 0);
	cr_assert_not_null(strstr(printed(), "usage: copyscope top DIR"));
}
