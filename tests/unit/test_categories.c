/*
 * Category files and the rule (categories.h): the first frame from the leaf
 * outwards that a rule matches decides; pass frames never do; ^ is self time;
 * k: and u: pick a side; bad input is one FILE:LINE line.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "categories.h"

static char err[512];

static struct category_set *parse(const char *text)
{
	struct category_set *set = NULL;
	err[0] = '\0';
	cr_assert_eq(categories_parse(text, strlen(text), "t.cat", &set, err, sizeof(err)), 0, "%s",
		     err);
	return set;
}

static void expect_error(const char *text, const char *fragment)
{
	struct category_set *set = (void *)1;
	cr_assert_eq(categories_parse(text, strlen(text), "t.cat", &set, err, sizeof(err)), -1,
		     "accepted: %s", text);
	cr_assert_null(set);
	cr_assert_not_null(strstr(err, fragment), "message '%s' lacks '%s'", err, fragment);
	cr_assert_null(strchr(err, '\n'), "one line: %s", err);
}

#define K(name)                                                                                    \
	{                                                                                          \
		name, 1                                                                            \
	}
#define U(name)                                                                                    \
	{                                                                                          \
		name, 0                                                                            \
	}

static const char *category_of(const struct category_set *set, const struct chain_frame *f,
			       size_t n)
{
	return categories_name(set, categories_match(set, f, n, NULL));
}

static const char rules[] = "# the house rules, in miniature\n"
			    "pass      k:_raw_spin_unlock_irqrestore\n"
			    "user_copy u:memcpy u:__memmove_*\n"
			    "tcp_ip    k:tcp_*   # TCP\n"
			    "sched     k:sock_def_readable k:finish_task_switch*\n"
			    "syscall   ^k:do_syscall_64\n"
			    "locks     k:_raw_spin_lock*\n";

Test(categories, columns_in_file_order_with_other_last)
{
	struct category_set *set = parse(rules);
	cr_assert_eq(categories_count(set), 6);
	cr_assert_str_eq(categories_name(set, 0), "user_copy");
	cr_assert_str_eq(categories_name(set, 4), "locks");
	cr_assert_str_eq(categories_name(set, categories_other(set)), "other");
	cr_assert_null(categories_name(set, 6));
	categories_free(set);
}

Test(categories, the_leaf_decides_when_it_matches)
{
	struct category_set *set = parse(rules);
	struct chain_frame f[] = {U("__memmove_avx_unaligned_erms"), U("two_copy_send"), U("main")};
	cr_assert_str_eq(category_of(set, f, 3), "user_copy");
	categories_free(set);
}

Test(categories, a_pass_frame_hands_the_sample_to_its_caller)
{
	struct category_set *set = parse(rules);
	struct chain_frame xmit[] = {K("_raw_spin_unlock_irqrestore"), K("tcp_write_xmit"),
				     K("do_syscall_64")};
	struct chain_frame wake[] = {K("_raw_spin_unlock_irqrestore"), K("__wake_up_sync_key"),
				     K("sock_def_readable"), K("tcp_data_queue")};
	size_t decided;
	cr_assert_str_eq(category_of(set, xmit, 3), "tcp_ip");
	cr_assert_eq(categories_match(set, wake, 4, &decided), 2); /* sched */
	cr_assert_eq(decided, 2, "unmatched __wake_up_sync_key goes on outwards");
	cr_assert_eq(categories_self(set, wake, 4), 1);
	categories_free(set);
}

Test(categories, a_leaf_only_rule_is_self_time_not_every_path_below_it)
{
	struct category_set *set = parse(rules);
	struct chain_frame self[] = {K("do_syscall_64"), U("send")};
	struct chain_frame below[] = {K("mystery_fn"), K("do_syscall_64"), U("send")};
	struct chain_frame passed[] = {K("_raw_spin_unlock_irqrestore"), K("do_syscall_64")};
	size_t decided;
	cr_assert_str_eq(category_of(set, self, 2), "syscall");
	cr_assert_eq(categories_match(set, below, 3, &decided), categories_other(set));
	cr_assert_eq(decided, 3, "no rule decided: unmatched");
	cr_assert_str_eq(category_of(set, passed, 2), "syscall", "the first frame not passed");
	categories_free(set);
}

Test(categories, kernel_and_user_rules_see_only_their_side)
{
	struct category_set *set = parse(rules);
	struct chain_frame kernel_memcpy[] = {K("memcpy"), K("tcp_sendmsg")};
	struct chain_frame user_tcp[] = {U("tcp_helper")};
	cr_assert_str_eq(category_of(set, kernel_memcpy, 2), "tcp_ip");
	cr_assert_str_eq(category_of(set, user_tcp, 1), "other");
	categories_free(set);
}

Test(categories, rules_of_one_frame_are_tried_in_file_order)
{
	struct category_set *set = parse("locks k:_raw_spin_lock_bh\ntcp_ip k:*\n");
	struct chain_frame f[] = {K("_raw_spin_lock_bh")};
	cr_assert_str_eq(category_of(set, f, 1), "locks");
	categories_free(set);
}

Test(categories, other_may_be_named_and_stays_last)
{
	struct category_set *set = parse("other k:noise*\nsched k:schedule\n");
	cr_assert_eq(categories_count(set), 2);
	cr_assert_str_eq(categories_name(set, 0), "sched");
	cr_assert_str_eq(categories_name(set, 1), "other");
	struct chain_frame noise[] = {K("noise_fn"), K("schedule")};
	size_t decided;
	cr_assert_eq(categories_match(set, noise, 2, &decided), 1);
	cr_assert_eq(decided, 0, "other on purpose is matched, not unmatched");
	struct chain_frame s[] = {K("schedule")};
	cr_assert_str_eq(category_of(set, s, 1), "sched");
	categories_free(set);
}

Test(categories, an_empty_chain_is_other)
{
	struct category_set *set = parse(rules);
	cr_assert_eq(categories_match(set, NULL, 0, NULL), categories_other(set));
	categories_free(set);
}

Test(categories, bad_input_is_one_line_naming_file_and_line)
{
	expect_error("tcp_ip k:tcp_*\nBadName k:x\n", "t.cat:2: category 'BadName'");
	expect_error("tcp_ip\n", "t.cat:1: category tcp_ip: expected at least one pattern");
	expect_error("tcp_ip k:\n", "t.cat:1: pattern 'k:'");
	expect_error("# nothing\n", "t.cat: no rules");
	struct category_set *set = (void *)1;
	cr_assert_eq(categories_parse("a k:x\n\0b k:y\n", 12, "t.cat", &set, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "t.cat:2: NUL byte"), "%s", err);
}

Test(categories, too_many_categories_are_refused)
{
	char text[4096] = "";
	for (int i = 0; i < CATEGORY_MAX; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "c%d k:f%d\n", i, i);
	expect_error(text, "more than 32 categories");
}

Test(categories, the_shipped_file_parses_and_names_the_issue_s_categories)
{
	struct category_set *set = NULL;
	cr_assert_eq(categories_load("perfcfg/categories/default.cat", &set, err, sizeof(err)), 0,
		     "%s", err);
	const char *want[] = {"user_copy", "kernel_copy", "pinning",	    "zc_completion",
			      "tcp_ip",	   "skb_mm",	  "netdev_softirq", "sched",
			      "syscall",   "locks",	  "other"};
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		size_t i = 0;
		while (i < categories_count(set) && strcmp(categories_name(set, i), want[w]))
			i++;
		cr_expect_lt(i, categories_count(set), "no category %s", want[w]);
	}
	/* the skid of the measured zero-copy server: the chain decides, not the unlock */
	struct chain_frame xmit[] = {K("_raw_spin_unlock_irqrestore"), K("tcp_write_xmit"),
				     K("__tcp_push_pending_frames"), K("tcp_sendmsg_locked")};
	struct chain_frame wake[] = {K("_raw_spin_unlock_irqrestore"), K("sock_def_readable"),
				     K("tcp_data_queue"), K("tcp_rcv_established")};
	struct chain_frame pin[] = {K("gup_fast_fallback"), K("__iov_iter_get_pages_alloc"),
				    K("zerocopy_fill_skb_from_iter"), K("tcp_sendmsg_locked")};
	struct chain_frame ucopy[] = {U("__memmove_avx512_unaligned_erms"), U("[unknown]")};
	cr_assert_str_eq(category_of(set, xmit, 4), "tcp_ip");
	cr_assert_str_eq(category_of(set, wake, 4), "sched");
	cr_assert_str_eq(category_of(set, pin, 4), "pinning");
	cr_assert_str_eq(category_of(set, ucopy, 2), "user_copy");
	categories_free(set);
}

Test(categories, find_adds_the_extension_and_takes_paths_as_given)
{
	char path[4400];
	categories_find("default", NULL, path, sizeof(path));
	cr_assert_str_eq(path, "perfcfg/categories/default.cat");
	categories_find("x/mine.cat", NULL, path, sizeof(path));
	cr_assert_str_eq(path, "x/mine.cat");
	categories_find("default", "perfcfg/sweeps", path, sizeof(path));
	cr_assert_str_eq(path, "perfcfg/sweeps/../categories/default.cat");
}
