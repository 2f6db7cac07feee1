/*
 * uring_zc.h — io_uring zero-copy sends (IORING_OP_SENDMSG_ZC) and their
 * notification accounting.
 *
 * Every SENDMSG_ZC / SEND_ZC request completes with a result CQE (res: bytes
 * taken, or -errno). When that CQE carries IORING_CQE_F_MORE, a second CQE
 * with the same user_data and IORING_CQE_F_NOTIF follows once the kernel no
 * longer references the request's pages: only then may the buffer change.
 * Requested with IORING_SEND_ZC_REPORT_USAGE, the notification's res has
 * IORING_NOTIF_USAGE_ZC_COPIED set when the kernel copied the data after all
 * (always so on loopback and veth, as with MSG_ZEROCOPY). The kernel also
 * sets it for a request that sent nothing (zero-copy never used), which is
 * why such notifications are drained but not counted.
 *
 * struct uzc_ledger is that accounting and nothing else: no I/O, so a unit
 * test can feed it synthetic CQEs. Each request gets a user_data from
 * uzc_ledger_issue() naming the message slot it sends from; a slot is free
 * again only when every request sent from it has its result and, where one
 * was promised, its notification. The counters mean what they mean for the
 * zero-copy (MSG_ZEROCOPY) strategy:
 *   sends        requests whose result took bytes (res > 0)
 *   completions  notifications of those requests
 *   copied       of those notifications, how many said ZC_COPIED
 *   enobufs      requests refused with ENOBUFS/ENOMEM, then retried
 * so after a clean drain completions == sends. uzc_ledger_cqe() rejects (-1
 * and a line in err) a CQE for a request not in flight, a second result or
 * notification, or a notification that its result did not promise.
 *
 * The uring-zc strategy (a row in strategy.c, built only with liburing)
 * keeps a ring per connection thread and a pool of message slots (as many as
 * zero-copy's). Each message goes out as ONE sendmsg_zc request over the 8
 * fields' iovec, MSG_WAITALL so the kernel itself resumes a short send; a
 * result that is still short (a signal, an error after progress) is resumed
 * from where it stopped by a further request. One request is in flight at a
 * time (TCP byte order); notifications are reaped while waiting. -EAGAIN is
 * retried with IORING_RECVSEND_POLL_FIRST; -ENOBUFS/-ENOMEM waits for a
 * notification of ours and retries (counted in enobufs). Teardown waits for
 * every notification (bounded) before the ring and socket close. Setup
 * proves the kernel takes SENDMSG_ZC with REPORT_USAGE on this socket (an
 * empty request) and otherwise fails naming what is missing: there is never
 * a silent fallback to plain sends.
 */
#ifndef COPYSCOPE_URING_ZC_H
#define COPYSCOPE_URING_ZC_H

#include "strategy.h"

#ifdef HAVE_LIBURING
#include <liburing.h>
#else
#include <linux/io_uring.h>
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* liburing 2.3 ships a copy of the uapi header from before Linux 6.2, which
 * added these two (include/uapi/linux/io_uring.h); the values are ABI. */
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

#define UZC_REQS      256u /* requests whose CQEs may be due at once; a power of 2 */
#define UZC_SLOTS_MAX 64u

struct uzc_request {
	uint64_t id; /* its user_data; 0 when the entry is free */
	unsigned slot;
	bool result_in, more, notif_in, copied;
	int32_t res;
};

struct uzc_ledger {
	uint64_t next_id;		   /* user_data of the next request; starts at 1 */
	struct uzc_request req[UZC_REQS];  /* request id sits at id % UZC_REQS */
	unsigned in_flight;		   /* entries in use */
	unsigned slot_busy[UZC_SLOTS_MAX]; /* per slot: its requests not finished */
	uint64_t sends, completions, copied, enobufs;
};

/* What one CQE was about. finished: the request needs nothing more. */
struct uzc_event {
	uint64_t id;
	unsigned slot;
	bool notif;    /* else the request's result */
	bool finished; /* the request needs no further CQE */
	int32_t res;   /* the CQE's res */
};

void uzc_ledger_init(struct uzc_ledger *l);
/* Is there room for one more request (its entry is free)? */
bool uzc_ledger_can_issue(const struct uzc_ledger *l);
/* A request about to be submitted from `slot` (< UZC_SLOTS_MAX), when
 * can_issue: its user_data. */
uint64_t uzc_ledger_issue(struct uzc_ledger *l, unsigned slot);
int uzc_ledger_cqe(struct uzc_ledger *l, const struct io_uring_cqe *cqe, struct uzc_event *ev,
		   char *err, size_t errlen);
bool uzc_ledger_slot_free(const struct uzc_ledger *l, unsigned slot);
bool uzc_ledger_idle(const struct uzc_ledger *l);

#ifdef HAVE_LIBURING
/* The strategy's functions (see struct strategy). */
int uzc_check(char *err, size_t errlen);
int uzc_tx_setup(struct tx *tx, char *err, size_t errlen);
int uzc_send(struct tx *tx, uint32_t seq);
int uzc_tx_teardown(struct tx *tx, char *err, size_t errlen);
#endif

#endif
