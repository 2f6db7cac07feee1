/* Option tables (harness/opttable.c): one row drives parsing, the bound
 * check, the refusal and --help. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stddef.h>
#include <string.h>

#include "opttable.h"

struct args {
	unsigned long size;
	unsigned count;
	double secs;
	const char *mode, *name;
	int flag;
};

static const struct opt_def table[] = {
    {"size", "B", OPT_SIZE, 8, 1024, NULL, offsetof(struct args, size), 1, NULL, "the size"},
    {"count", "N", OPT_COUNT, 1, 4, NULL, offsetof(struct args, count), 0, "1", "how many"},
    {"secs", "S", OPT_SECONDS, 0.5, 10, NULL, offsetof(struct args, secs), 0, "1", "how long"},
    {"mode", "M", OPT_CHOICE, 0, 0, "a b c", offsetof(struct args, mode), 0, "a", "a, b or c"},
    {"name", "X", OPT_STRING, 0, 0, NULL, offsetof(struct args, name), 0, NULL, "a name"},
    {"flag", NULL, OPT_FLAG, 0, 0, NULL, offsetof(struct args, flag), 0, NULL, "a flag"},
    OPT_END,
};

static int parse(struct args *a, int argc, char **argv)
{
	*a = (struct args){.count = 1, .secs = 1, .mode = "a"};
	return opt_parse("t", table, argc, argv, a, "About t.");
}

Test(opttable, every_kind_lands_in_its_field)
{
	char *argv[] = {"t",	  "--size", "1K",   "--count", "4",	"--secs", "700ms",
			"--mode", "c",	    "--name", "x",	 "--flag", NULL};
	struct args a;
	cr_assert_eq(parse(&a, 12, argv), -1);
	cr_expect_eq(a.size, 1024);
	cr_expect_eq(a.count, 4);
	cr_expect_float_eq(a.secs, 0.7, 1e-12);
	cr_expect_str_eq(a.mode, "c");
	cr_expect_str_eq(a.name, "x");
	cr_expect_eq(a.flag, 1);
}

Test(opttable, a_value_past_its_bound_is_refused_naming_option_and_bound, .init = cr_redirect_stderr)
{
	char *argv[] = {"t", "--size", "2K", NULL};
	struct args a;
	cr_assert_eq(parse(&a, 3, argv), 2);
	fflush(stderr);
	cr_assert_stderr_eq_str("t: --size 2K: expected a size in bytes, 8..1024 (suffix K, M, G or "
				"KiB, MiB, GiB)\n");
}

Test(opttable, a_choice_outside_its_words_is_refused, .init = cr_redirect_stderr)
{
	char *argv[] = {"t", "--size", "8", "--mode", "ab", NULL};
	struct args a;
	cr_assert_eq(parse(&a, 5, argv), 2);
	fflush(stderr);
	cr_assert_stderr_eq_str("t: --mode ab: expected a, b or c\n");
}

Test(opttable, a_missing_required_option_is_refused, .init = cr_redirect_stderr)
{
	char *argv[] = {"t", "--count", "2", NULL};
	struct args a;
	cr_assert_eq(parse(&a, 3, argv), 2);
	fflush(stderr);
	cr_assert_stderr_eq_str("t: --size B: expected the size (required)\n");
}

Test(opttable, defaults_stay_when_an_option_is_not_given)
{
	char *argv[] = {"t", "--size", "8", NULL};
	struct args a;
	cr_assert_eq(parse(&a, 3, argv), -1);
	cr_expect_eq(a.count, 1);
	cr_expect_str_eq(a.mode, "a");
	cr_expect_eq(a.flag, 0);
}

Test(opttable, help_lists_every_row_with_its_bounds_and_default, .init = cr_redirect_stdout)
{
	char *argv[] = {"t", "--help", NULL};
	struct args a;
	cr_assert_eq(parse(&a, 2, argv), 0);
	fflush(stdout);
	FILE *f = cr_get_redirected_stdout();
	char text[4096] = "";
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	cr_expect(strstr(text, "usage: t --size B [--count N] [--secs S]"), "%s", text);
	for (const struct opt_def *o = table; o->name; o++) {
		char want[32];
		snprintf(want, sizeof(want), "  --%s", o->name);
		cr_expect(strstr(text, want), "%s missing from --help", o->name);
	}
	cr_expect(strstr(text, "a whole number, 1..4 (default 1)"), "%s", text);
}
