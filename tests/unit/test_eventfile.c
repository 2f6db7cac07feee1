/*
 * Event files (eventfile.h): what the parser accepts, and the one line it
 * writes naming FILE:LINE when it does not.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eventfile.h"

static char err[512];

static int parse(const char *text, struct event_set *set)
{
	err[0] = '\0';
	return eventfile_parse(text, strlen(text), "t.events", set, err, sizeof(err));
}

static void expect_error(const char *text, const char *fragment)
{
	struct event_set set;
	cr_assert_eq(parse(text, &set), -1, "accepted: %s", text);
	cr_assert_not_null(strstr(err, fragment), "message '%s' lacks '%s'", err, fragment);
	cr_assert_null(set.ev);
	cr_assert_eq(set.n, 0);
}

Test(eventfile, three_fields_per_line_in_file_order)
{
	struct event_set set;
	cr_assert_eq(parse("cycles - PERF_COUNT_HW_CPU_CYCLES\n"
			   "l1d_misses L1 L1-DCACHE-LOAD-MISSES\n"
			   "rx_copies - tracepoint:skb:skb_copy_datagram_iovec\n",
			   &set),
		     0, "%s", err);
	cr_assert_eq(set.n, 3);
	cr_assert_str_eq(set.ev[0].key, "cycles");
	cr_assert_str_eq(set.ev[1].level, "L1");
	cr_assert_str_eq(set.ev[2].name, "tracepoint:skb:skb_copy_datagram_iovec");
	cr_assert_eq(set.ev[2].line, 3);
	cr_assert_str_eq(set.source, "t.events");
	eventfile_free(&set);
}

Test(eventfile, comments_blank_lines_tabs_and_crlf_are_ignored)
{
	struct event_set set;
	cr_assert_eq(parse("# header\r\n\r\n   \n\tcycles\t-\tcycles   # trailing comment\r\n"
			   "#task_clock - task-clock\n"
			   "llc_misses LLC LLC-LOAD-MISSES",
			   &set),
		     0, "%s", err);
	cr_assert_eq(set.n, 2);
	cr_assert_str_eq(set.ev[0].name, "cycles");
	cr_assert_eq(set.ev[0].line, 4);
	cr_assert_str_eq(set.ev[1].key, "llc_misses");
	cr_assert_eq(set.ev[1].line, 6, "a last line without newline still counts");
	eventfile_free(&set);
}

Test(eventfile, modifiers_and_native_names_pass_through_untouched)
{
	struct event_set set;
	cr_assert_eq(parse("k L2 amd64_fam19h_zen3::L2_CACHE_REQ_STAT:LS_RD_BLK_C:u\n", &set), 0);
	cr_assert_str_eq(set.ev[0].name, "amd64_fam19h_zen3::L2_CACHE_REQ_STAT:LS_RD_BLK_C:u");
	cr_assert(event_is_cache_level(&set.ev[0]));
	eventfile_free(&set);
}

Test(eventfile, text_need_not_be_nul_terminated)
{
	const char text[] = "a - cycles\nb - instructions\nGARBAGE";
	struct event_set set;
	size_t len = strlen("a - cycles\nb - instructions\n");
	cr_assert_eq(eventfile_parse(text, len, "t", &set, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(set.n, 2);
	eventfile_free(&set);
}

Test(eventfile, two_fields_is_an_error_naming_file_and_line)
{
	expect_error("a - cycles\nb -\n", "t.events:2: expected 'key level event', found 2 fields");
}

Test(eventfile, one_field_is_an_error)
{
	expect_error("cycles\n", "t.events:1: expected 'key level event', found 1 field");
}

Test(eventfile, four_fields_is_an_error)
{
	expect_error("a - cycles extra\n", "t.events:1: expected 'key level event', found more");
}

Test(eventfile, upper_case_key_is_rejected)
{
	expect_error("Cycles - cycles\n", "t.events:1: key 'Cycles'");
}

Test(eventfile, key_with_dash_is_rejected)
{
	expect_error("l1d-misses L1 x\n", "key 'l1d-misses'");
}

Test(eventfile, key_of_40_chars_is_accepted_41_rejected)
{
	char text[128];
	struct event_set set;
	snprintf(text, sizeof(text), "%s - cycles\n", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	cr_assert_eq(parse(text, &set), 0, "%s", err);
	eventfile_free(&set);
	snprintf(text, sizeof(text), "%s - cycles\n", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	expect_error(text, "at most 40 chars");
}

Test(eventfile, level_must_be_dash_or_alphanumeric)
{
	expect_error("a L-1 cycles\n", "t.events:1: level 'L-1'");
	expect_error("a L1_ cycles\n", "level 'L1_'");
	expect_error("a LLLLLLLLLLLLLLLLL cycles\n", "level 'LLLLLLLLLLLLLLLLL'");
}

Test(eventfile, duplicate_key_names_the_second_line)
{
	expect_error("a - cycles\n# x\na - instructions\n", "t.events:3: key 'a' given twice");
}

Test(eventfile, empty_file_has_no_events)
{
	expect_error("", "t.events: no events");
	expect_error("# only a comment\n\n", "t.events: no events");
}

Test(eventfile, nul_byte_is_rejected_with_its_line)
{
	const char text[] = "a - cycles\nb - x\0y\n";
	struct event_set set;
	cr_assert_eq(eventfile_parse(text, sizeof(text) - 1, "t.events", &set, err, sizeof(err)),
		     -1);
	cr_assert_not_null(strstr(err, "t.events:2: NUL byte"), "%s", err);
}

Test(eventfile, control_character_in_name_is_rejected_with_a_true_message)
{
	expect_error("a - cyc\x01les\n", "t.events:1: event name: expected at most 256 printable");
}

Test(eventfile, name_of_256_chars_is_accepted_257_rejected)
{
	char name[300], text[400];
	struct event_set set;
	memset(name, 'x', 256);
	name[256] = '\0';
	snprintf(text, sizeof(text), "a - %s\n", name);
	cr_assert_eq(parse(text, &set), 0, "%s", err);
	cr_assert_eq(strlen(set.ev[0].name), 256);
	eventfile_free(&set);
	memset(name, 'x', 257);
	name[257] = '\0';
	snprintf(text, sizeof(text), "a - %s\n", name);
	expect_error(text, "event name");
}

Test(eventfile, more_than_64_events_is_an_error)
{
	char text[8192] = "";
	for (int i = 0; i <= EVENT_SET_MAX; i++) {
		char line[64];
		snprintf(line, sizeof(line), "k%d - cycles\n", i);
		strcat(text, line);
	}
	expect_error(text, "t.events:65: more than 64 events");
}

Test(eventfile, load_reads_a_file_and_names_it_in_errors)
{
	char path[] = "/tmp/copyscope-eventfile-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	const char text[] = "a - cycles\nb\n";
	cr_assert_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	struct event_set set;
	cr_assert_eq(eventfile_load(path, &set, err, sizeof(err)), -1);
	char want[128];
	snprintf(want, sizeof(want), "%s:2:", path);
	cr_assert_not_null(strstr(err, want), "%s", err);
	unlink(path);
}

Test(eventfile, missing_file_is_an_error_naming_it)
{
	struct event_set set;
	cr_assert_eq(eventfile_load("/nonexistent/x.events", &set, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "/nonexistent/x.events: No such file"), "%s", err);
}

Test(eventfile, a_folder_is_an_error_saying_what_it_is)
{
	struct event_set set;
	cr_assert_eq(eventfile_load("/tmp", &set, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "/tmp: Is a directory (expected an event file)");
}

Test(eventfile, shipped_event_files_parse)
{
	static const char *const files[] = {"perfcfg/events/parte.events",
					    "perfcfg/events/software.events"};
	for (size_t i = 0; i < 2; i++) {
		struct event_set set;
		cr_assert_eq(eventfile_load(files[i], &set, err, sizeof(err)), 0, "%s", err);
		cr_assert_not_null(event_set_find(&set, "ctx_switches"));
		cr_assert_not_null(event_set_find(&set, "task_clock"));
		eventfile_free(&set);
	}
	struct event_set set;
	cr_assert_eq(eventfile_load(files[0], &set, err, sizeof(err)), 0);
	static const char *const keys[] = {"cycles",	 "instructions", "l1d_misses",
					   "llc_misses", "ctx_switches", "cpu_migrations",
					   "task_clock", "page_faults",	 "rx_copies"};
	cr_assert_eq(set.n, 9);
	for (size_t i = 0; i < 9; i++)
		cr_assert_str_eq(set.ev[i].key, keys[i]);
	cr_assert_str_eq(event_set_find(&set, "l1d_misses")->level, "L1");
	cr_assert_str_eq(event_set_find(&set, "llc_misses")->level, "LLC");
	cr_assert_str_eq(event_set_find(&set, "rx_copies")->name,
			 "tracepoint:skb:skb_copy_datagram_iovec");
	eventfile_free(&set);
}

Test(eventfile, names_from_a_command_line_get_derived_keys)
{
	char *names[] = {"perf::CYCLES:u", "tracepoint:skb:kfree_skb", "L1-DCACHE-LOAD-MISSES",
			 "cycles"};
	struct event_set set;
	cr_assert_eq(event_set_from_names(names, 4, &set, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(set.n, 4);
	cr_assert_str_eq(set.ev[0].key, "cycles_u");
	cr_assert_str_eq(set.ev[1].key, "skb_kfree_skb");
	cr_assert_str_eq(set.ev[2].key, "l1_dcache_load_misses");
	cr_assert_str_eq(set.ev[3].key, "cycles");
	cr_assert_eq(set.ev[0].line, 0);
	cr_assert_str_eq(set.ev[0].level, "-");
	cr_assert_str_eq(set.source, "command line");
	eventfile_free(&set);
}

Test(eventfile, names_folding_to_one_key_are_numbered)
{
	char *names[] = {"cycles", "CYCLES", "Cycles"};
	struct event_set set;
	cr_assert_eq(event_set_from_names(names, 3, &set, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(set.ev[0].key, "cycles");
	cr_assert_str_eq(set.ev[1].key, "cycles_2");
	cr_assert_str_eq(set.ev[2].key, "cycles_3");
	eventfile_free(&set);
}

Test(eventfile, a_name_without_letters_or_digits_is_rejected)
{
	char *names[] = {"cycles", ":::"};
	struct event_set set;
	cr_assert_eq(event_set_from_names(names, 2, &set, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, ":::: expected an event name"), "%s", err);
	cr_assert_null(set.ev);
}

Test(eventfile, find_and_cache_level)
{
	struct event_set set;
	cr_assert_eq(parse("a - x\nb L1 y\n", &set), 0);
	cr_assert_null(event_set_find(&set, "c"));
	cr_assert_not(event_is_cache_level(event_set_find(&set, "a")));
	cr_assert(event_is_cache_level(event_set_find(&set, "b")));
	eventfile_free(&set);
	eventfile_free(&set); /* freeing twice is safe */
}
