/* Command-line values: the whole string or nothing. */
#include "options.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(options, sizes_with_binary_suffixes)
{
	uint64_t v;
	cr_assert_eq(parse_size("16384", 8, 1 << 26, &v), 0);
	cr_assert_eq(v, 16384);
	cr_assert_eq(parse_size("16K", 8, 1 << 26, &v), 0);
	cr_assert_eq(v, 16384);
	cr_assert_eq(parse_size("1MiB", 8, 1 << 26, &v), 0);
	cr_assert_eq(v, 1 << 20);
	cr_assert_eq(parse_size("16k", 8, 1 << 26, &v), 0, "any case, as run and sweep files");
	cr_assert_eq(v, 16384);
	cr_assert_eq(parse_size("2mib", 8, 1 << 26, &v), 0);
	cr_assert_eq(v, 2 << 20);
}

Test(options, bad_sizes_are_refused)
{
	uint64_t v = 42;
	static const char *bad[] = {
	    "0", "7", "", "-8", "16X", "1.5K", "65M", " 16", "99999999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_size(bad[i], 8, 64u << 20, &v), -1, "%s", bad[i]);
	cr_assert_eq(v, 42, "untouched on error");
}

Test(options, integers_in_range)
{
	uint64_t v;
	cr_assert_eq(parse_uint("1024", 1, 1024, &v), 0);
	cr_assert_eq(parse_uint("1025", 1, 1024, &v), -1);
	cr_assert_eq(parse_uint("0", 1, 1024, &v), -1);
	cr_assert_eq(parse_uint("70000", 0, 65535, &v), -1);
	cr_assert_eq(parse_uint("12a", 0, 65535, &v), -1);
}

Test(options, seconds)
{
	double s;
	cr_assert_eq(parse_seconds("0.3", 0.001, 86400, &s), 0);
	cr_assert_float_eq(s, 0.3, 1e-12);
	cr_assert_eq(parse_seconds("0", 0.001, 86400, &s), -1);
	cr_assert_eq(parse_seconds("abc", 0, 86400, &s), -1);
	cr_assert_eq(parse_seconds("nan", 0, 86400, &s), -1);
	cr_assert_eq(parse_seconds("1s", 0, 86400, &s), 0, "s and ms, as sweep files");
	cr_assert_float_eq(s, 1.0, 1e-12);
	cr_assert_eq(parse_seconds("300ms", 0, 86400, &s), 0);
	cr_assert_float_eq(s, 0.3, 1e-12);
	cr_assert_eq(parse_seconds("0.5ms", 0.001, 86400, &s), -1, "below the minimum");
	cr_assert_eq(parse_seconds("1sec", 0, 86400, &s), -1);
	cr_assert_eq(parse_seconds("5m", 0, 86400, &s), 0, "minutes, as units.h says");
	cr_assert_float_eq(s, 300.0, 1e-9);
	cr_assert_eq(parse_seconds("5min", 0, 86400, &s), -1);
	cr_assert_eq(parse_seconds("ms", 0, 86400, &s), -1);
}

Test(options, cpu_lists)
{
	cpu_set_t set;
	cr_assert_eq(parse_cpus("0-1,3", &set), 0);
	cr_assert(CPU_ISSET(0, &set) && CPU_ISSET(1, &set) && CPU_ISSET(3, &set));
	cr_assert_not(CPU_ISSET(2, &set));
	cr_assert_eq(CPU_COUNT(&set), 3);
	static const char *bad[] = {"", "a", "1-", "3-1", "0,,1", "0,", "99999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_cpus(bad[i], &set), -1, "%s", bad[i]);
}

Test(options, thread_cpu_lists_keep_their_order)
{
	struct cpu_sequence seq;
	cr_assert_eq(parse_cpu_sequence("1,0", &seq), 0);
	cr_assert_eq(seq.n, 2);
	cr_assert_eq(seq.cpu[0], 1, "LIST order, not ascending");
	cr_assert_eq(seq.cpu[1], 0);
	cr_assert_eq(parse_cpu_sequence("6-7,0-1,4", &seq), 0);
	static const unsigned short want[] = {6, 7, 0, 1, 4};
	cr_assert_eq(seq.n, 5);
	for (unsigned i = 0; i < 5; i++)
		cr_assert_eq(seq.cpu[i], want[i], "item %u", i);
}

Test(options, connection_i_gets_the_i_mod_n_th_cpu)
{
	struct cpu_sequence seq;
	cr_assert_eq(parse_cpu_sequence("3,1,2", &seq), 0);
	static const int want[] = {3, 1, 2, 3, 1, 2, 3};
	for (uint64_t i = 0; i < 7; i++)
		cr_assert_eq(cpu_sequence_at(&seq, i), want[i], "connection %llu",
			     (unsigned long long)i);
	cr_assert_eq(parse_cpu_sequence("5", &seq), 0);
	cr_assert_eq(cpu_sequence_at(&seq, 1023), 5, "one CPU: every connection on it");
}

Test(options, thread_cpu_lists_refuse_duplicates_and_what_cpus_refuses)
{
	struct cpu_sequence seq = {.n = 42};
	static const char *bad[] = {"0,0", "0-2,1", "1,0-3", "", "a", "1-", "3-1", "0,,1", "0,",
				    "99999", "1, 0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_cpu_sequence(bad[i], &seq), -1, "%s", bad[i]);
	cr_assert_eq(seq.n, 42, "untouched on error");
}

Test(options, the_longest_thread_cpu_list_fits)
{
	char list[32];
	snprintf(list, sizeof(list), "%d-%d", CPU_SETSIZE / 2, CPU_SETSIZE - 1);
	size_t n = strlen(list);
	snprintf(list + n, sizeof(list) - n, ",0-%d", CPU_SETSIZE / 2 - 1);
	struct cpu_sequence *seq = malloc(sizeof(*seq));
	cr_assert_eq(parse_cpu_sequence(list, seq), 0, "%s", list);
	cr_assert_eq(seq->n, CPU_SETSIZE);
	cr_assert_eq(cpu_sequence_at(seq, 0), CPU_SETSIZE / 2);
	cr_assert_eq(cpu_sequence_at(seq, CPU_SETSIZE - 1), CPU_SETSIZE / 2 - 1);
	free(seq);
}

/* One table of units reads and writes sizes: what format_size writes,
 * parse_size reads back. */
Test(options, sizes_written_read_back)
{
	static const struct {
		double bytes;
		const char *shrt, *lng;
	} cases[] = {{256, "256", "256 B"},
		     {1024, "1K", "1 KiB"},
		     {16384, "16K", "16 KiB"},
		     {2896, "2896", "2896 B"},
		     {1048576, "1M", "1 MiB"},
		     {67108864, "64M", "64 MiB"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char a[32], b[32];
		uint64_t v;
		format_size(a, sizeof(a), cases[i].bytes, SIZE_SHORT);
		format_size(b, sizeof(b), cases[i].bytes, SIZE_LONG);
		cr_expect_str_eq(a, cases[i].shrt);
		cr_expect_str_eq(b, cases[i].lng);
		cr_expect_eq(parse_size(a, 1, 1ull << 40, &v), 0, "%s", a);
		cr_expect_eq(v, (uint64_t)cases[i].bytes);
	}
}
