/* The strategy table and the strategies' properties (common/strategy_info.c):
 * one row each, every code row tied to its properties. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "strategy.h"

Test(strategy_info, names_aliases_and_wire_ids_are_unique)
{
	for (size_t i = 0; i < strategy_ninfos; i++)
		for (size_t j = i + 1; j < strategy_ninfos; j++) {
			const struct strategy_info *a = &strategy_infos[i], *b = &strategy_infos[j];
			cr_expect_str_neq(a->name, b->name);
			cr_expect_str_neq(a->alias, b->alias);
			cr_expect_neq(a->wire_id, b->wire_id, "%s and %s", a->name, b->name);
		}
}

Test(strategy_info, every_strategy_is_built_or_says_why_not)
{
	for (size_t i = 0; i < strategy_ninfos; i++) {
		const struct strategy_info *info = &strategy_infos[i];
		const struct strategy *s = strategy_find(info->name);
		if (s) {
			cr_expect_eq(strategy_info_of(s), info, "%s", info->name);
			cr_expect_eq(strategy_find(info->alias), s, "%s", info->alias);
			cr_expect_eq(strategy_by_wire_id(info->wire_id), s, "%s", info->name);
			cr_expect_null(strategy_absent(info->name));
		} else {
			cr_expect_not_null(info->build_needs, "%s is missing without a reason",
					   info->name);
			cr_expect_str_eq(strategy_absent(info->alias), info->build_needs);
		}
	}
	cr_expect_null(strategy_info_find("four-copy"));
	cr_expect_null(strategy_absent("four-copy"));
}

Test(strategy_info, zero_copy_kinds_come_from_the_table)
{
	cr_expect(strategy_is_zerocopy("zero-copy"));
	cr_expect(strategy_is_zerocopy("a4"));
	cr_expect_not(strategy_is_zerocopy("two-copy"));
	cr_expect_not(strategy_is_zerocopy("one-copy"));
	cr_expect_not(strategy_is_zerocopy("four-copy"));
}

/* --list-impls and --list-absent together name every strategy once. */
Test(strategy_info, the_two_listings_cover_the_table)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cr_assert_not_null(f);
	cr_assert_eq(strategy_list(f), 0);
	cr_assert_eq(strategy_list_absent(f), 0);
	fclose(f);
	size_t lines = 0;
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	cr_expect_eq(lines, strategy_ninfos, "%s", text);
	for (size_t i = 0; i < strategy_ninfos; i++) {
		char want[64];
		snprintf(want, sizeof(want), "%s %s", strategy_infos[i].name, strategy_infos[i].alias);
		cr_expect_not_null(strstr(text, want), "%s", want);
	}
	free(text);
}
