/* zerocopy.c — see zerocopy.h. Kept as plain as the kernel's selftest
 * (tools/testing/selftests/net/msg_zerocopy.c): every syscall checked where
 * it is made, the completion loop short enough to read by eye. */
#include "zerocopy.h"

#include "sockio.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

/* Bytes of messages the sender may keep in flight: enough to cover the
 * socket buffer while completions come back, small enough that the pool
 * does not swamp the caches the measurement is about. */
#define ZC_POOL_BYTES  (1u << 20)
#define ZC_SLOTS_MIN   4u
#define ZC_SLOTS_MAX   64u
#define ZC_DRAIN_LIMIT 2.0 /* seconds teardown waits for the last completions */

void zc_ledger_init(struct zc_ledger *l)
{
	memset(l, 0, sizeof(*l));
}

uint32_t zc_ledger_issue(struct zc_ledger *l)
{
	l->sends++;
	return l->next_id++;
}

bool zc_ledger_done(const struct zc_ledger *l, uint32_t id)
{
	return (int32_t)(id - l->done_below) < 0;
}

bool zc_ledger_idle(const struct zc_ledger *l)
{
	return l->done_below == l->next_id;
}

/* Offsets from done_below make every comparison immune to id wrap-around. */
static int ledger_check(const struct zc_ledger *l, uint32_t lo, uint32_t hi, char *err,
			size_t errlen)
{
	uint32_t outstanding = l->next_id - l->done_below;
	uint32_t olo = lo - l->done_below, ohi = hi - l->done_below;
	if (olo > ohi || ohi >= outstanding) {
		snprintf(err, errlen,
			 "zero-copy completion [%u, %u] outside the outstanding ids [%u, %u)", lo,
			 hi, l->done_below, l->next_id);
		return -1;
	}
	for (unsigned i = 0; i < l->npending; i++) {
		const struct zc_range *p = &l->pending[i];
		if (!(ohi < p->lo - l->done_below || olo > p->hi - l->done_below)) {
			snprintf(err, errlen, "zero-copy completion [%u, %u] reported twice", lo,
				 hi);
			return -1;
		}
	}
	if (olo != 0 && l->npending == ZC_PENDING_MAX) {
		snprintf(err, errlen, "more than %d zero-copy completions out of order",
			 ZC_PENDING_MAX);
		return -1;
	}
	return 0;
}

static void ledger_insert(struct zc_ledger *l, uint32_t lo, uint32_t hi)
{
	unsigned i = l->npending;
	while (i > 0 && l->pending[i - 1].lo - l->done_below > lo - l->done_below) {
		l->pending[i] = l->pending[i - 1];
		i--;
	}
	l->pending[i] = (struct zc_range){lo, hi};
	l->npending++;
}

int zc_ledger_complete(struct zc_ledger *l, const struct sock_extended_err *ee, char *err,
		       size_t errlen)
{
	if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_errno != 0) {
		snprintf(err, errlen, "error queue: origin %u errno %u (%s), not a completion",
			 ee->ee_origin, ee->ee_errno, strerror((int)ee->ee_errno));
		return -1;
	}
	uint32_t lo = ee->ee_info, hi = ee->ee_data;
	if (ledger_check(l, lo, hi, err, errlen) < 0)
		return -1;
	uint64_t count = (uint64_t)(hi - lo) + 1;
	l->completions += count;
	if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
		l->copied += count;
	if (lo != l->done_below) {
		ledger_insert(l, lo, hi);
		return 0;
	}
	l->done_below = hi + 1;
	while (l->npending > 0 && l->pending[0].lo == l->done_below) {
		l->done_below = l->pending[0].hi + 1;
		l->npending--;
		memmove(l->pending, l->pending + 1, l->npending * sizeof(l->pending[0]));
	}
	return 0;
}

/* --- the strategy ---------------------------------------------------------- */

struct zc_sender {
	struct zc_ledger ledger;
	uint32_t *last_id; /* per slot: the id of its latest send */
	bool *in_flight;   /* per slot: sent and not yet known complete */
	char failure[160]; /* why the send path gave up, for teardown */
};

unsigned zc_slots_for(size_t size)
{
	size_t n = ZC_POOL_BYTES / size;
	return n < ZC_SLOTS_MIN ? ZC_SLOTS_MIN : n > ZC_SLOTS_MAX ? ZC_SLOTS_MAX : (unsigned)n;
}

int zc_tx_setup(struct tx *tx, char *err, size_t errlen)
{
	int one = 1;
	if (setsockopt(tx->fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) < 0) {
		snprintf(err, errlen, "SO_ZEROCOPY: %s (this kernel refuses zero-copy sends)",
			 strerror(errno));
		return -1;
	}
	struct zc_sender *z = calloc(1, sizeof(*z));
	if (z) {
		z->last_id = calloc(tx->nslots, sizeof(*z->last_id));
		z->in_flight = calloc(tx->nslots, sizeof(*z->in_flight));
	}
	tx->state = z;
	if (!z || !z->last_id || !z->in_flight) {
		snprintf(err, errlen, "zero-copy state: %s", strerror(ENOMEM));
		return -1;
	}
	zc_ledger_init(&z->ledger);
	return 0;
}

/* Reads every notification queued now (error-queue reads never block).
 * Returns how many, or -1 with z->failure set. */
static int zc_reap(int fd, struct zc_sender *z)
{
	int got = 0;
	for (;;) {
		char control[CMSG_SPACE(sizeof(struct sock_extended_err) + 32)];
		struct msghdr mh = {.msg_control = control, .msg_controllen = sizeof(control)};
		if (recvmsg(fd, &mh, MSG_ERRQUEUE) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return got;
			if (errno == EINTR)
				continue;
			snprintf(z->failure, sizeof(z->failure), "recvmsg(MSG_ERRQUEUE): %s",
				 strerror(errno));
			return -1;
		}
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		if (!cm || !((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
			     (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR))) {
			snprintf(z->failure, sizeof(z->failure),
				 "error queue: no IP_RECVERR control message");
			return -1;
		}
		struct sock_extended_err ee;
		memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
		if (zc_ledger_complete(&z->ledger, &ee, z->failure, sizeof(z->failure)) < 0)
			return -1;
		got++;
	}
}

/* Waits until id and every id before it completed. Gives up when the server
 * stops (stop != NULL) or at deadline (> 0): -1, errno ECANCELED/ETIMEDOUT. */
static int zc_wait(struct tx *tx, struct zc_sender *z, uint32_t id, const atomic_bool *stop,
		   double deadline)
{
	while (!zc_ledger_done(&z->ledger, id)) {
		int n = zc_reap(tx->fd, z);
		if (n < 0) {
			errno = EPROTO;
			return -1;
		}
		if (n > 0)
			continue;
		if (tx_wait_expired(stop, deadline) < 0)
			return -1;
		/* POLLERR means the error queue has something, or the socket an
		 * error (the peer left); the latter stays set, so nap then. */
		struct pollfd p = {.fd = tx->fd, .events = 0};
		int r = poll(&p, 1, 100);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0 && zc_reap(tx->fd, z) == 0)
			nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
	return 0;
}

/* ENOBUFS: the kernel holds too many notifications or in-flight buffers for
 * this socket. Take what is queued; if nothing was, wait for the oldest. */
static int zc_relieve(struct tx *tx, struct zc_sender *z)
{
	z->ledger.enobufs++;
	int n = zc_reap(tx->fd, z);
	if (n < 0) {
		errno = EPROTO;
		return -1;
	}
	if (n == 0 && zc_ledger_idle(&z->ledger)) {
		errno = ENOBUFS; /* nothing of ours to wait for: a real shortage */
		return -1;
	}
	return n > 0 ? 0 : zc_wait(tx, z, z->ledger.done_below, tx->stop, 0);
}

int zc_send(struct tx *tx, uint32_t seq)
{
	struct zc_sender *z = tx->state;
	unsigned slot = tx->next;
	if (z->in_flight[slot] && zc_wait(tx, z, z->last_id[slot], tx->stop, 0) < 0)
		return -1;
	z->in_flight[slot] = false;

	struct message *m = &tx->slots[slot];
	struct iovec iov[MESSAGE_FIELDS], *v = iov;
	int cnt = MESSAGE_FIELDS;
	message_stamp(m, seq, tx->conn);
	memcpy(iov, m->iov, sizeof(iov));
	while (cnt > 0) {
		struct msghdr mh = {.msg_iov = v, .msg_iovlen = (size_t)cnt};
		ssize_t n = sendmsg(tx->fd, &mh, MSG_ZEROCOPY | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS && zc_relieve(tx, z) == 0)
				continue;
			return -1;
		}
		if (n > 0) {
			z->last_id[slot] = zc_ledger_issue(&z->ledger);
			z->in_flight[slot] = true;
		}
		iov_advance(&v, &cnt, (size_t)n);
	}
	tx->next = (slot + 1) % tx->nslots;
	tx_zc_counts(tx, z->ledger.sends, z->ledger.completions, z->ledger.copied,
		     z->ledger.enobufs);
	return 0;
}

int zc_tx_teardown(struct tx *tx, char *err, size_t errlen)
{
	struct zc_sender *z = tx->state;
	int rc = 0;
	if (!z)
		return 0;
	if (z->failure[0]) {
		snprintf(err, errlen, "%s", z->failure);
		rc = -1;
	} else if (z->last_id && !zc_ledger_idle(&z->ledger) &&
		   zc_wait(tx, z, z->ledger.next_id - 1, NULL, tx_now_s() + ZC_DRAIN_LIMIT) < 0) {
		snprintf(err, errlen, "%llu of %llu zero-copy completions missing at close: %s",
			 (unsigned long long)(z->ledger.sends - z->ledger.completions),
			 (unsigned long long)z->ledger.sends,
			 z->failure[0] ? z->failure : strerror(errno));
		rc = -1;
	}
	tx_zc_counts(tx, z->ledger.sends, z->ledger.completions, z->ledger.copied,
		     z->ledger.enobufs);
	free(z->last_id);
	free(z->in_flight);
	free(z);
	tx->state = NULL;
	return rc;
}
