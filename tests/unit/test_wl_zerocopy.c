/* Zero-copy completion accounting, fed synthetic error-queue records. */
#include "zerocopy.h"

#include <criterion/criterion.h>

#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

static struct zc_ledger l;
static char err[200];

static void issue(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		zc_ledger_issue(&l);
}

static int complete(uint32_t lo, uint32_t hi, bool copied)
{
	struct sock_extended_err ee = {
	    .ee_origin = SO_EE_ORIGIN_ZEROCOPY,
	    .ee_code = copied ? SO_EE_CODE_ZEROCOPY_COPIED : 0,
	    .ee_info = lo,
	    .ee_data = hi,
	};
	err[0] = '\0';
	return zc_ledger_complete(&l, &ee, err, sizeof(err));
}

static void setup(void)
{
	zc_ledger_init(&l);
}

TestSuite(zc_ledger, .init = setup);

Test(zc_ledger, ids_are_issued_in_order_from_zero)
{
	cr_assert_eq(zc_ledger_issue(&l), 0);
	cr_assert_eq(zc_ledger_issue(&l), 1);
	cr_assert_eq(l.sends, 2);
	cr_assert_not(zc_ledger_idle(&l));
}

Test(zc_ledger, one_record_per_send_completes_each)
{
	issue(3);
	for (uint32_t id = 0; id < 3; id++) {
		cr_assert_not(zc_ledger_done(&l, id));
		cr_assert_eq(complete(id, id, false), 0);
		cr_assert(zc_ledger_done(&l, id));
	}
	cr_assert(zc_ledger_idle(&l));
	cr_assert_eq(l.completions, 3);
	cr_assert_eq(l.copied, 0);
}

Test(zc_ledger, coalesced_range_completes_every_id_in_it)
{
	issue(10);
	cr_assert_eq(complete(0, 9, false), 0);
	cr_assert_eq(l.completions, 10);
	cr_assert(zc_ledger_idle(&l));
}

Test(zc_ledger, copied_code_counts_the_whole_range)
{
	issue(10);
	cr_assert_eq(complete(0, 3, true), 0);
	cr_assert_eq(complete(4, 9, false), 0);
	cr_assert_eq(l.copied, 4);
	cr_assert_eq(l.completions, 10);
}

Test(zc_ledger, out_of_order_ranges_complete_only_when_the_gap_fills)
{
	issue(10);
	cr_assert_eq(complete(5, 7, false), 0);
	cr_assert_not(zc_ledger_done(&l, 0));
	cr_assert_not(zc_ledger_done(&l, 5), "done means: it and every id before it");
	cr_assert_eq(complete(8, 9, true), 0);
	cr_assert_eq(complete(0, 2, false), 0);
	cr_assert(zc_ledger_done(&l, 2));
	cr_assert_not(zc_ledger_done(&l, 3));
	cr_assert_eq(complete(3, 4, false), 0);
	cr_assert(zc_ledger_idle(&l), "the pending ranges merge once the gap closes");
	cr_assert_eq(l.npending, 0);
	cr_assert_eq(l.completions, 10);
	cr_assert_eq(l.copied, 2);
}

Test(zc_ledger, pending_ranges_arriving_in_reverse_merge)
{
	issue(8);
	for (uint32_t id = 7; id >= 1; id--)
		cr_assert_eq(complete(id, id, false), 0);
	cr_assert_eq(l.npending, 7);
	cr_assert_eq(complete(0, 0, false), 0);
	cr_assert(zc_ledger_idle(&l));
}

Test(zc_ledger, duplicate_completion_is_refused)
{
	issue(4);
	cr_assert_eq(complete(0, 1, false), 0);
	cr_assert_eq(complete(1, 1, false), -1);
	cr_assert_eq(complete(3, 3, false), 0);
	cr_assert_eq(complete(2, 3, false), -1);
	cr_assert(strstr(err, "twice"));
	cr_assert_eq(l.completions, 3, "a refused record counts nothing");
}

Test(zc_ledger, ids_never_issued_are_refused)
{
	issue(2);
	cr_assert_eq(complete(0, 2, false), -1);
	cr_assert_eq(complete(5, 5, false), -1);
	cr_assert_eq(complete(1, 0, false), -1, "an inverted range");
	cr_assert_eq(l.completions, 0);
}

Test(zc_ledger, records_that_are_not_completions_are_refused)
{
	issue(1);
	struct sock_extended_err ee = {.ee_origin = 2 /* ICMP */, .ee_errno = 113};
	cr_assert_eq(zc_ledger_complete(&l, &ee, err, sizeof(err)), -1);
	ee = (struct sock_extended_err){.ee_origin = SO_EE_ORIGIN_ZEROCOPY, .ee_errno = 12};
	cr_assert_eq(zc_ledger_complete(&l, &ee, err, sizeof(err)), -1);
}

Test(zc_ledger, ids_wrap_around_32_bits)
{
	l.next_id = l.done_below = UINT32_MAX - 1;
	issue(4); /* ids 4294967294, 4294967295, 0, 1 */
	cr_assert_eq(complete(0, 1, true), 0);
	cr_assert_not(zc_ledger_idle(&l));
	cr_assert_eq(complete(UINT32_MAX - 1, UINT32_MAX, true), 0);
	cr_assert(zc_ledger_idle(&l));
	cr_assert(zc_ledger_done(&l, 1));
	cr_assert_eq(l.completions, 4);
	cr_assert_eq(l.copied, 4);
}

Test(zc_ledger, coalesced_range_spanning_the_wrap)
{
	l.next_id = l.done_below = UINT32_MAX - 2;
	issue(6);
	cr_assert_eq(complete(UINT32_MAX - 2, 2, false), 0);
	cr_assert(zc_ledger_idle(&l));
	cr_assert_eq(l.completions, 6);
}

Test(zc_slots, pool_is_bounded_both_ways)
{
	cr_assert_eq(zc_slots_for(8), 64);
	cr_assert_eq(zc_slots_for(16384), 64);
	cr_assert_eq(zc_slots_for(65536), 16);
	cr_assert_eq(zc_slots_for(64u << 20), 4);
}
