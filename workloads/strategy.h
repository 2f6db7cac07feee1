/*
 * strategy.h — THE table of send strategies; adding one is adding a row.
 *
 * A strategy is how a server sends a message and how a client receives it:
 *
 *   two-copy  (a1)  gather the fields into one buffer (memcpy), send()
 *                   | recv() into a staging buffer, unpack into the fields
 *   one-copy  (a2)  one sendmsg() with an 8-entry iovec | recvmsg() scattering
 *   zero-copy (a3)  SO_ZEROCOPY + sendmsg(MSG_ZEROCOPY), a message slot is
 *                   reused only after its completion  | as one-copy
 *   uring-zc  (a4)  io_uring SENDMSG_ZC over the 8-entry iovec, a slot is
 *                   reused only after its notification CQE | as one-copy
 *                   (a row only in builds with liburing; see uring_zc.h)
 *
 * The harness knows strategies only by name; a workload knows them only
 * through this table. A row gives the name, its alias, a stable wire id (the
 * server's hello reply names its strategy by it), whether it is zero-copy
 * (the server then reports zc_* counters), and the functions below.
 *
 * Ownership: a struct tx / struct rx belongs to one connection thread.
 * tx_open()/rx_open() allocate everything (slots, buffers, strategy state);
 * tx_close()/rx_close() release it and are safe after a failed open. No
 * function here prints; errors come back as -1 with errno and, for the
 * open/close functions, a line in err.
 */
#ifndef COPYSCOPE_STRATEGY_H
#define COPYSCOPE_STRATEGY_H

#include "message.h"
#include "strategy_info.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Totals of one connection's sending side, written by its thread only. */
struct tx_stats {
	uint64_t msgs, bytes;
	/* The same meaning for every zero-copy row: */
	uint64_t zc_sends;	 /* sendmsg(MSG_ZEROCOPY) calls / io_uring requests
				    that took bytes */
	uint64_t zc_completions; /* of those, how many the kernel reported done */
	uint64_t zc_copied;	 /* of those, how many it had copied anyway */
	uint64_t zc_enobufs;	 /* sends refused with ENOBUFS(/ENOMEM), then retried */
};

struct tx {
	int fd;
	uint32_t conn;
	struct message *slots; /* the pool; a strategy sends from slot[next] */
	unsigned nslots, next;
	const atomic_bool *stop; /* set when the server shuts down */
	void *state;		 /* the strategy's own, from tx_open */
	struct tx_stats stats;
};

struct rx {
	int fd;
	bool spin;	    /* busy-poll: non-blocking receives in a loop */
	struct message msg; /* where each message lands */
	void *state;
};

/* A row of the code: name names its strategy_info row (common/), which holds
 * the alias, the wire id and whether it is a zero-copy strategy. */
struct strategy {
	const char *name;
	/* Optional: can this machine run the strategy at all? Checked once by
	 * the server at start, so a missing kernel feature is one clear line
	 * instead of a refusal per connection. */
	int (*check)(char *err, size_t errlen);
	/* Message slots the sender keeps: 1 unless buffers stay in flight. */
	unsigned (*slots_for)(size_t size);
	/* After the slots exist and are filled: socket options, buffers. */
	int (*tx_setup)(struct tx *tx, char *err, size_t errlen);
	/* Stamps seq into a free slot and sends it whole. */
	int (*send)(struct tx *tx, uint32_t seq);
	/* Waits for what is still in flight, then frees the state. */
	int (*tx_teardown)(struct tx *tx, char *err, size_t errlen);
	/* Optional receive-side state (a staging buffer). */
	int (*rx_setup)(struct rx *rx);
	/* One whole message into rx->msg: 1, 0 on EOF at a boundary, -1. */
	int (*recv)(struct rx *rx);
	void (*rx_teardown)(struct rx *rx);
};

/* By name or alias; NULL when unknown or not in this build. */
const struct strategy *strategy_find(const char *name);
/* Its properties (common/strategy_info.h). */
const struct strategy_info *strategy_info_of(const struct strategy *s);
const struct strategy *strategy_by_wire_id(uint16_t id);
/* For a strategy this build left out (name or alias), why and what to do,
 * e.g. liburing missing at build time; NULL otherwise. */
const char *strategy_absent(const char *name);
/* "two-copy (a1), one-copy (a2), ..." for usage and error lines. */
void strategy_names(char *buf, size_t len);
/* One line per row, "name alias": what `copyscope-server --list-impls` prints
 * and the harness reads, so a new row needs no change in the harness. */
int strategy_list(FILE *out);
/* One line per row this build left out, "name alias why": what
 * `copyscope-server --list-absent` prints, so the harness can say how to get it. */
int strategy_list_absent(FILE *out);

/* Generic open/close around a strategy's own setup: allocate nslots
 * messages of `size` bytes in `layout`, filled with connection `conn`'s
 * pattern. */
int tx_open(struct tx *tx, const struct strategy *s, int fd, uint32_t conn, size_t size,
	    enum message_layout layout, char *err, size_t errlen);
int tx_close(struct tx *tx, const struct strategy *s, char *err, size_t errlen);
int rx_open(struct rx *rx, const struct strategy *s, int fd, size_t size,
	    enum message_layout layout, bool spin);
void rx_close(struct rx *rx, const struct strategy *s);

/* The paths shared by several rows (strategy.c, zerocopy.c). */
int one_copy_recv(struct rx *rx);
unsigned one_slot(size_t size);

/* For the zero-copy rows' waits on the kernel: CLOCK_MONOTONIC seconds, and
 * whether to give up, -1 with errno ECANCELED when *stop is set (stop may be
 * NULL) or ETIMEDOUT past deadline (0: none); 0 to go on waiting. */
double tx_now_s(void);
int tx_wait_expired(const atomic_bool *stop, double deadline);
/* A zero-copy row's ledger counts into tx->stats, after every send (the
 * server publishes them while the connection runs) and at teardown. */
void tx_zc_counts(struct tx *tx, uint64_t sends, uint64_t completions, uint64_t copied,
		  uint64_t enobufs);

#endif
