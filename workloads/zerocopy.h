/*
 * zerocopy.h — MSG_ZEROCOPY sends and their completion accounting.
 *
 * The kernel numbers every sendmsg(MSG_ZEROCOPY) call that takes at least one
 * byte with a 32-bit id (0, 1, 2, ... per socket, wrapping) and later reports
 * on the socket's error queue that ids [ee_info, ee_data] are done: their
 * pages are no longer referenced, so the buffers may be modified or reused.
 * Reports may cover several sends (coalesced) and, in principle, arrive out
 * of order. ee_code SO_EE_CODE_ZEROCOPY_COPIED says the kernel copied the
 * data after all (always so on loopback and veth); those ids count in
 * `copied`. (Documentation/networking/msg_zerocopy.rst.)
 *
 * struct zc_ledger is that accounting and nothing else: no I/O, so a unit
 * test can feed it synthetic sock_extended_err records. zc_ledger_complete()
 * rejects (-1 and a line in err) a record that is not a zero-copy
 * notification, or names ids never issued or already completed.
 *
 * The zero-copy strategy (its functions are rows in strategy.c) keeps a pool
 * of message slots; a slot is stamped and sent only when every id of its
 * previous send has completed. ENOBUFS from sendmsg (too many notifications
 * pending) drains the error queue and retries, counted in `enobufs`.
 * Teardown waits for every completion (bounded) before the socket closes.
 * If the kernel refuses SO_ZEROCOPY, setup fails with a clear error: there
 * is never a silent fallback to plain sends.
 */
#ifndef COPYSCOPE_ZEROCOPY_H
#define COPYSCOPE_ZEROCOPY_H

#include "strategy.h"

#include <linux/errqueue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZC_PENDING_MAX 64

struct zc_range {
	uint32_t lo, hi; /* inclusive */
};

struct zc_ledger {
	uint32_t next_id;    /* the id the kernel gives the next send */
	uint32_t done_below; /* every id before this one has completed */
	/* Completed ranges past done_below (out of order), sorted, disjoint. */
	struct zc_range pending[ZC_PENDING_MAX];
	unsigned npending;
	uint64_t sends, completions, copied, enobufs;
};

void zc_ledger_init(struct zc_ledger *l);
/* One sendmsg(MSG_ZEROCOPY) that returned > 0: its id. */
uint32_t zc_ledger_issue(struct zc_ledger *l);
int zc_ledger_complete(struct zc_ledger *l, const struct sock_extended_err *ee, char *err,
		       size_t errlen);
/* Has id (issued earlier) completed? */
bool zc_ledger_done(const struct zc_ledger *l, uint32_t id);
/* Has every issued id completed? */
bool zc_ledger_idle(const struct zc_ledger *l);

/* The strategy's functions (see struct strategy). */
unsigned zc_slots_for(size_t size);
int zc_tx_setup(struct tx *tx, char *err, size_t errlen);
int zc_send(struct tx *tx, uint32_t seq);
int zc_tx_teardown(struct tx *tx, char *err, size_t errlen);

#endif
