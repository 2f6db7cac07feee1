/* io_uring zero-copy notification accounting, fed synthetic CQEs. */
#include "uring_zc.h"

#include <criterion/criterion.h>
#include <errno.h>

static struct uzc_ledger l;
static struct uzc_event ev;
static char err[200];

static int cqe(uint64_t id, int32_t res, uint32_t flags)
{
	struct io_uring_cqe c = {.user_data = id, .res = res, .flags = flags};
	err[0] = '\0';
	memset(&ev, 0, sizeof(ev));
	return uzc_ledger_cqe(&l, &c, &ev, err, sizeof(err));
}

/* The kernel's usual pair: the result, promising a notification, then it. */
static int result(uint64_t id, int32_t res)
{
	return cqe(id, res, IORING_CQE_F_MORE);
}

static int notif(uint64_t id, bool copied)
{
	return cqe(id, copied ? (int32_t)IORING_NOTIF_USAGE_ZC_COPIED : 0, IORING_CQE_F_NOTIF);
}

static void setup(void)
{
	uzc_ledger_init(&l);
}

TestSuite(uzc_ledger, .init = setup);

Test(uzc_ledger, slot_is_free_only_after_the_notification)
{
	uint64_t id = uzc_ledger_issue(&l, 3);
	cr_assert_not(uzc_ledger_slot_free(&l, 3));
	cr_assert(uzc_ledger_slot_free(&l, 2), "other slots are untouched");
	cr_assert_eq(result(id, 1000), 0);
	cr_assert_not(ev.notif);
	cr_assert_not(ev.finished);
	cr_assert_eq(ev.res, 1000);
	cr_assert_eq(ev.slot, 3);
	cr_assert_not(uzc_ledger_slot_free(&l, 3), "the kernel may still read the pages");
	cr_assert_eq(notif(id, false), 0);
	cr_assert(ev.notif);
	cr_assert(ev.finished);
	cr_assert(uzc_ledger_slot_free(&l, 3));
	cr_assert(uzc_ledger_idle(&l));
	cr_assert_eq(l.sends, 1);
	cr_assert_eq(l.completions, 1);
	cr_assert_eq(l.copied, 0);
}

Test(uzc_ledger, copied_usage_flag_counts_as_copied)
{
	uint64_t a = uzc_ledger_issue(&l, 0), b = uzc_ledger_issue(&l, 1);
	cr_assert_eq(result(a, 10), 0);
	cr_assert_eq(result(b, 10), 0);
	cr_assert_eq(notif(b, true), 0);
	cr_assert_eq(notif(a, false), 0, "notifications may come in any order");
	cr_assert_eq(l.completions, 2);
	cr_assert_eq(l.copied, 1);
}

Test(uzc_ledger, short_send_frees_the_slot_only_when_every_notification_is_in)
{
	uint64_t first = uzc_ledger_issue(&l, 5);
	cr_assert_eq(result(first, 600), 0); /* of 1000 */
	uint64_t rest = uzc_ledger_issue(&l, 5);
	cr_assert_eq(result(rest, 400), 0);
	cr_assert_eq(notif(rest, true), 0);
	cr_assert_not(uzc_ledger_slot_free(&l, 5));
	cr_assert_eq(notif(first, true), 0);
	cr_assert(uzc_ledger_slot_free(&l, 5));
	cr_assert_eq(l.sends, 2, "two requests took bytes");
	cr_assert_eq(l.completions, 2);
	cr_assert_eq(l.copied, 2);
}

Test(uzc_ledger, error_without_more_frees_the_slot_and_counts_nothing)
{
	uint64_t id = uzc_ledger_issue(&l, 0);
	cr_assert_eq(cqe(id, -EINVAL, 0), 0);
	cr_assert(ev.finished);
	cr_assert_eq(ev.res, -EINVAL);
	cr_assert(uzc_ledger_slot_free(&l, 0));
	cr_assert(uzc_ledger_idle(&l));
	cr_assert_eq(l.sends + l.completions + l.copied, 0);
}

Test(uzc_ledger, notification_of_a_request_that_sent_nothing_is_drained_not_counted)
{
	/* The kernel reports ZC_COPIED for a request that never used zero-copy. */
	uint64_t id = uzc_ledger_issue(&l, 0);
	cr_assert_eq(result(id, -EPIPE), 0);
	cr_assert_not(uzc_ledger_slot_free(&l, 0));
	cr_assert_eq(notif(id, true), 0);
	cr_assert(uzc_ledger_slot_free(&l, 0));
	cr_assert_eq(l.sends + l.completions + l.copied, 0);
	id = uzc_ledger_issue(&l, 0);
	cr_assert_eq(result(id, 0), 0, "an empty request (setup's proof) likewise");
	cr_assert_eq(notif(id, true), 0);
	cr_assert_eq(l.sends + l.completions + l.copied, 0);
}

Test(uzc_ledger, notification_before_its_result_is_kept_until_the_result)
{
	uint64_t id = uzc_ledger_issue(&l, 2);
	cr_assert_eq(notif(id, true), 0);
	cr_assert_not(ev.finished);
	cr_assert_not(uzc_ledger_slot_free(&l, 2));
	cr_assert_eq(result(id, 77), 0);
	cr_assert(ev.finished);
	cr_assert(uzc_ledger_slot_free(&l, 2));
	cr_assert_eq(l.completions, 1);
	cr_assert_eq(l.copied, 1);
}

Test(uzc_ledger, cqe_for_a_request_not_in_flight_is_refused)
{
	cr_assert_eq(result(0, 1), -1);
	cr_assert_eq(result(1, 1), -1, "never issued");
	uint64_t id = uzc_ledger_issue(&l, 0);
	cr_assert_eq(result(id + UZC_REQS, 1), -1, "same entry, another request");
	cr_assert(strstr(err, "not in flight"));
	cr_assert_eq(result(id, 1), 0);
	cr_assert_eq(notif(id, false), 0);
	cr_assert_eq(notif(id, false), -1, "finished requests are forgotten");
}

Test(uzc_ledger, duplicate_or_unpromised_cqes_are_refused_and_change_nothing)
{
	uint64_t id = uzc_ledger_issue(&l, 0);
	cr_assert_eq(result(id, 5), 0);
	cr_assert_eq(result(id, 5), -1);
	cr_assert(strstr(err, "second result"));
	cr_assert_eq(l.sends, 1);
	uint64_t plain = uzc_ledger_issue(&l, 1);
	cr_assert_eq(notif(plain, false), 0);
	cr_assert_eq(notif(plain, false), -1);
	cr_assert(strstr(err, "second notification"));
	cr_assert_eq(cqe(plain, 5, 0), -1, "a notification came, so the result must promise one");
	cr_assert_eq(l.sends, 1, "a refused CQE counts nothing");
	cr_assert_eq(result(plain, 5), 0);
	cr_assert_eq(notif(id, false), 0);
	cr_assert(uzc_ledger_idle(&l));
	cr_assert_eq(l.completions, 2);
}

Test(uzc_ledger, a_notification_after_a_result_without_more_is_refused)
{
	uint64_t a = uzc_ledger_issue(&l, 0), b = uzc_ledger_issue(&l, 0);
	cr_assert_eq(cqe(a, 5, 0), 0);
	cr_assert(ev.finished, "nothing promised: done at once");
	cr_assert_eq(cqe(b, 5, 0), 0);
	cr_assert_eq(l.sends, 2);
	cr_assert_eq(l.completions, 0, "so completions != sends shows it");
	cr_assert_eq(notif(b, false), -1);
}

Test(uzc_ledger, issuing_stops_when_the_table_is_full)
{
	uint64_t first = 0;
	for (unsigned i = 0; i < UZC_REQS; i++) {
		cr_assert(uzc_ledger_can_issue(&l));
		uint64_t id = uzc_ledger_issue(&l, i % UZC_SLOTS_MAX);
		if (i == 0)
			first = id;
	}
	cr_assert_not(uzc_ledger_can_issue(&l));
	cr_assert_eq(result(first, 1), 0);
	cr_assert_not(uzc_ledger_can_issue(&l), "its notification is still due");
	cr_assert_eq(notif(first, false), 0);
	cr_assert(uzc_ledger_can_issue(&l));
	cr_assert_eq(l.in_flight, UZC_REQS - 1);
}

Test(uring_zc_row, is_in_the_table_or_names_what_is_missing)
{
	const struct strategy *s = strategy_find("a4");
	if (s) {
		cr_assert_str_eq(s->name, "uring-zc");
		cr_assert(strategy_info_of(s)->zerocopy, "the server then reports zc_* counters");
		cr_assert_eq(strategy_by_wire_id(4), s);
		cr_assert_null(strategy_absent("uring-zc"));
	} else {
		cr_assert_not_null(strategy_absent("uring-zc"));
		cr_assert(strstr(strategy_absent("a4"), "liburing"));
	}
	cr_assert_null(strategy_absent("one-copy"));
	cr_assert_null(strategy_absent("bogus"));
}
