/*
 * Call chains (stacks.h): raw ones counted by identical chain while the
 * window runs, folded ones written the way flame-graph tools read them
 * ("frame;frame;frame count", root first, kernel frames "_[k]"), read back,
 * and counted per category.
 */
#include <criterion/criterion.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stacks.h"

#define FIXTURE "tests/fixtures/sampling/"
#define KCTX	((uint64_t)PERF_CONTEXT_KERNEL)
#define UCTX	((uint64_t)PERF_CONTEXT_USER)

static char err[512];

/* What f writes, in a string the caller frees. */
static char *written(const struct folded *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	cr_assert_eq(folded_write(f, out), 0);
	fclose(out);
	return buf;
}

Test(stacks, identical_raw_chains_are_counted_once_with_their_count)
{
	struct stack_table *t = stack_table_new();
	uint64_t a[] = {KCTX, 0xffffffff81001010ull, UCTX, 0x401000};
	uint64_t b[] = {UCTX, 0x401000};
	cr_assert_eq(stack_table_add(t, a, 4), 0);
	cr_assert_eq(stack_table_add(t, b, 2), 0);
	cr_assert_eq(stack_table_add(t, a, 4), 0);
	cr_assert_eq(stack_table_samples(t), 3);
	cr_assert_eq(stack_table_unique(t), 2);
	cr_assert_eq(stack_table_add(t, a, 0), -1, "an empty chain is dropped");
	cr_assert_eq(stack_table_add(t, a, STACKS_FRAMES_MAX + 1), -1, "too long: dropped");
	stack_table_free(t);
}

Test(stacks, many_distinct_chains_grow_the_table)
{
	struct stack_table *t = stack_table_new();
	for (uint64_t i = 0; i < 5000; i++) {
		uint64_t c[] = {UCTX, 0x400000 + i, 0x500000 + i % 7};
		cr_assert_eq(stack_table_add(t, c, 3), 0);
	}
	uint64_t again[] = {UCTX, 0x400000 + 4321, 0x500000 + 4321 % 7};
	cr_assert_eq(stack_table_add(t, again, 3), 0);
	cr_assert_eq(stack_table_unique(t), 5000);
	cr_assert_eq(stack_table_samples(t), 5001);
	stack_table_free(t);
}

Test(stacks, folding_names_frames_root_first_with_kernel_suffixes)
{
	struct ksyms *k = NULL;
	cr_assert_eq(ksyms_load(FIXTURE "kallsyms", &k, err, sizeof(err)), 0, "%s", err);
	struct stack_table *t = stack_table_new();
	/* leaf: the unlock; beyond it, return addresses (looked up one byte back) */
	uint64_t chain[] = {KCTX, 0xffffffff81000810ull, /* the leaf: _raw_spin_unlock_irqrestore */
			    0xffffffff81001040ull,	 /* returns into tcp_write_xmit */
			    /* returns to tcp_sendmsg's first byte: the call was the last
			     * instruction of tcp_write_xmit, which the byte before names */
			    0xffffffff81002000ull, UCTX, 0x10};
	cr_assert_eq(stack_table_add(t, chain, 6), 0);
	cr_assert_eq(stack_table_add(t, chain, 6), 0);
	struct folded *f = NULL;
	cr_assert_eq(stacks_fold(t, k, NULL, &f, err, sizeof(err)), 0, "%s", err);
	char *text = written(f);
	cr_assert_str_eq(text,
			 "[unknown];tcp_write_xmit_[k];tcp_write_xmit_[k];"
			 "_raw_spin_unlock_irqrestore_[k] 2\n",
			 "got %s", text);
	free(text);
	folded_free(f);
	stack_table_free(t);
	ksyms_free(k);
}

Test(stacks, folding_orders_user_then_kernel_frames_outermost_first)
{
	struct ksyms *k = NULL;
	cr_assert_eq(ksyms_load(FIXTURE "kallsyms", &k, err, sizeof(err)), 0, "%s", err);
	struct stack_table *t = stack_table_new();
	uint64_t chain[] = {KCTX, 0xffffffff81004010ull /* gup_fast_fallback */,
			    0xffffffff81002010ull /* tcp_sendmsg */,
			    0xffffffff81005010ull /* entry */};
	cr_assert_eq(stack_table_add(t, chain, 4), 0);
	struct folded *f = NULL;
	cr_assert_eq(stacks_fold(t, k, NULL, &f, err, sizeof(err)), 0, "%s", err);
	char *text = written(f);
	cr_assert_str_eq(text, "entry_SYSCALL_64_[k];tcp_sendmsg_[k];gup_fast_fallback_[k] 1\n",
			 "got %s", text);
	const struct chain_frame *frames;
	size_t n;
	uint64_t count;
	folded_entry(f, 0, &frames, &n, &count);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(frames[0].name, "gup_fast_fallback", "leaf first, suffix cut");
	cr_assert(frames[0].kernel);
	cr_assert_eq(count, 1);
	free(text);
	folded_free(f);
	stack_table_free(t);
	ksyms_free(k);
}

Test(stacks, without_kernel_symbols_kernel_frames_read_kernel)
{
	struct stack_table *t = stack_table_new();
	uint64_t chain[] = {KCTX, 0xffffffff81004010ull, 0xffffffff81002010ull};
	cr_assert_eq(stack_table_add(t, chain, 3), 0);
	struct folded *f = NULL;
	cr_assert_eq(stacks_fold(t, NULL, NULL, &f, err, sizeof(err)), 0, "%s", err);
	char *text = written(f);
	cr_assert_str_eq(text, "[kernel]_[k];[kernel]_[k] 1\n");
	free(text);
	folded_free(f);
	stack_table_free(t);
}

Test(stacks, folded_lines_add_up_and_write_sorted)
{
	struct folded *f = folded_new();
	cr_assert_eq(folded_add_line(f, "main;b 2\n", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(folded_add_line(f, "main;a_[k] 5", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(folded_add_line(f, "main;b   3\r\n", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(folded_count(f), 2);
	cr_assert_eq(folded_samples(f), 10);
	char *text = written(f);
	cr_assert_str_eq(text, "main;a_[k] 5\nmain;b 5\n");
	free(text);
	folded_free(f);
}

Test(stacks, a_line_without_a_count_is_refused)
{
	struct folded *f = folded_new();
	cr_assert_eq(folded_add_line(f, "main;b", err, sizeof(err)), -1);
	cr_assert_eq(folded_add_line(f, "main;b x3", err, sizeof(err)), -1);
	cr_assert_eq(folded_add_line(f, " 12", err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "COUNT"), "%s", err);
	cr_assert_eq(folded_count(f), 0);
	folded_free(f);
}

Test(stacks, a_bad_line_in_a_file_names_file_and_line)
{
	char path[] = "/tmp/copyscope-test-folded-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *out = fdopen(fd, "w");
	fputs("a;b 1\n\nnot a line\n", out);
	fclose(out);
	struct folded *f = folded_new();
	cr_assert_eq(folded_read(f, path, err, sizeof(err)), -1);
	char want[128];
	snprintf(want, sizeof(want), "%s:3:", path);
	cr_assert_not_null(strstr(err, want), "%s", err);
	folded_free(f);
	unlink(path);
}

Test(stacks, written_and_read_back_is_the_same)
{
	struct folded *f = folded_new();
	cr_assert_eq(folded_read(f,
				 FIXTURE "results/raw/two-copy_stream_16384B_1t_r0.server.folded",
				 err, sizeof(err)),
		     0, "%s", err);
	char path[] = "/tmp/copyscope-test-folded-XXXXXX";
	close(mkstemp(path));
	cr_assert_eq(folded_write_file(f, path, err, sizeof(err)), 0, "%s", err);
	struct folded *g = folded_new();
	cr_assert_eq(folded_read(g, path, err, sizeof(err)), 0, "%s", err);
	char *a = written(f), *b = written(g);
	cr_assert_str_eq(a, b);
	cr_assert_eq(folded_samples(g), 100);
	free(a);
	free(b);
	folded_free(f);
	folded_free(g);
	unlink(path);
}

Test(stacks, categorized_shares_sum_to_every_sample)
{
	static const char rules[] = "pass k:_raw_spin_unlock_irqrestore\n"
				    "user_copy u:__memmove_*\n"
				    "kernel_copy k:_copy_from_iter\n"
				    "tcp_ip k:tcp_*\n";
	struct category_set *cats = NULL;
	cr_assert_eq(categories_parse(rules, strlen(rules), "t.cat", &cats, err, sizeof(err)), 0);
	struct folded *f = folded_new();
	cr_assert_eq(folded_read(f,
				 FIXTURE "results/raw/two-copy_stream_16384B_1t_r0.server.folded",
				 err, sizeof(err)),
		     0, "%s", err);
	uint64_t per[CATEGORY_MAX], unmatched, sum = 0;
	folded_categorize(f, cats, per, &unmatched);
	for (size_t c = 0; c < categories_count(cats); c++)
		sum += per[c];
	cr_assert_eq(sum, folded_samples(f));
	cr_assert_eq(per[0], 30); /* user_copy */
	cr_assert_eq(per[1], 20); /* kernel_copy */
	cr_assert_eq(per[2], 40); /* tcp_ip: past the unlock */
	cr_assert_eq(per[3], 10); /* other */
	cr_assert_eq(unmatched, 10);
	folded_free(f);
	categories_free(cats);
}
