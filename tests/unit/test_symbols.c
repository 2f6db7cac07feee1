/*
 * Kernel symbols from a kallsyms file (symbols.h): text symbols only,
 * sorted, the symbol at or below an address; hidden addresses said plainly.
 * A workload's through libdwfl: this test binary's own functions by name.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "symbols.h"

#define FIXTURE "tests/fixtures/sampling/"

static char err[512];

Test(symbols, kallsyms_lookup_finds_the_text_symbol_at_or_below)
{
	struct ksyms *k = NULL;
	cr_assert_eq(ksyms_load(FIXTURE "kallsyms", &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ksyms_count(k), 8, "data symbols are left out");
	cr_assert_str_eq(ksyms_note(k), "");
	uint64_t off = 1;
	cr_assert_str_eq(ksyms_lookup(k, 0xffffffff81001000ull, &off), "tcp_write_xmit");
	cr_assert_eq(off, 0);
	cr_assert_str_eq(ksyms_lookup(k, 0xffffffff81001abcull, &off), "tcp_write_xmit");
	cr_assert_eq(off, 0xabc);
	cr_assert_str_eq(ksyms_lookup(k, 0xffffffff81000900ull, NULL),
			 "_raw_spin_unlock_irqrestore", "unsorted input is sorted");
	cr_assert_str_eq(ksyms_lookup(k, 0xffffffff81003800ull, NULL), "tcp_sendmsg",
			 "a data symbol is no boundary");
	cr_assert_str_eq(ksyms_lookup(k, 0xffffffff81006010ull, NULL), "weak_text");
	cr_assert_str_eq(ksyms_lookup(k, 0xffffffffc0001010ull, NULL), "loop_module_fn");
	ksyms_free(k);
}

Test(symbols, kallsyms_lookup_outside_the_text_is_null)
{
	struct ksyms *k = NULL;
	cr_assert_eq(ksyms_load(FIXTURE "kallsyms", &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(ksyms_lookup(k, 0xffffffff80000000ull, NULL), "below the first");
	cr_assert_null(ksyms_lookup(k, 0xffffffffc0001000ull + (2u << 20), NULL),
		       "far beyond the last");
	ksyms_free(k);
}

Test(symbols, hidden_kallsyms_is_an_empty_table_that_says_why)
{
	struct ksyms *k = NULL;
	cr_assert_eq(ksyms_load(FIXTURE "kallsyms-hidden", &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ksyms_count(k), 0);
	cr_assert_not_null(strstr(ksyms_note(k), "kernel.kptr_restrict="), "%s", ksyms_note(k));
	cr_assert_not_null(strstr(ksyms_note(k), SYMBOLS_KERNEL_UNKNOWN), "%s", ksyms_note(k));
	cr_assert_null(ksyms_lookup(k, 0xffffffff81001000ull, NULL));
	ksyms_free(k);
}

Test(symbols, a_missing_kallsyms_is_an_error_naming_it)
{
	struct ksyms *k = (void *)1;
	cr_assert_eq(ksyms_load(FIXTURE "no-such-kallsyms", &k, err, sizeof(err)), -1);
	cr_assert_null(k);
	cr_assert_not_null(strstr(err, "no-such-kallsyms"), "%s", err);
}

/* A function of this binary, not inlined, to find by address. */
__attribute__((noinline)) int symbols_test_marker(int x)
{
	return x * 3 + 1;
}

Test(symbols, a_process_s_own_functions_are_named_through_its_maps)
{
	char *maps = NULL;
	size_t len = 0;
	cr_assert_eq(symbols_read_maps(getpid(), &maps, &len, err, sizeof(err)), 0, "%s", err);
	struct usyms *u = usyms_open(maps, len, err, sizeof(err));
	cr_assert_not_null(u, "%s", err);
	uint64_t addr = (uint64_t)(uintptr_t)&symbols_test_marker;
	cr_assert_str_eq(usyms_lookup(u, addr + 2), "symbols_test_marker");
	cr_assert_str_eq(usyms_lookup(u, addr + 2), "symbols_test_marker", "cached");
	cr_assert_str_eq(usyms_lookup(u, 8), SYMBOLS_USER_UNKNOWN, "nothing maps page 0");
	usyms_close(u);
	free(maps);
}

Test(symbols, an_address_without_a_symbol_is_named_after_its_mapping)
{
	static const char maps[] = "7f0000000000-7f0000001000 r-xp 00000000 00:00 0 "
				   "/nonexistent/lib/libgone.so.1\n"
				   "7ffd00000000-7ffd00001000 r-xp 00000000 00:00 0 [vdso]\n";
	struct usyms *u = usyms_open(maps, strlen(maps), err, sizeof(err));
	cr_assert_not_null(u, "%s", err);
	cr_assert_str_eq(usyms_lookup(u, 0x7f0000000010ull), "[libgone.so.1]");
	cr_assert_str_eq(usyms_lookup(u, 0x7ffd00000010ull), "[vdso]");
	usyms_close(u);
}
