/* uring_zc.c — see uring_zc.h. The ledger needs only the uapi CQE layout and
 * is always built; the strategy needs liburing and is built only with it. */
#include "uring_zc.h"

#include "sockio.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

void uzc_ledger_init(struct uzc_ledger *l)
{
	memset(l, 0, sizeof(*l));
	l->next_id = 1; /* a zeroed CQE never names a request */
}

bool uzc_ledger_can_issue(const struct uzc_ledger *l)
{
	return l->req[l->next_id % UZC_REQS].id == 0;
}

uint64_t uzc_ledger_issue(struct uzc_ledger *l, unsigned slot)
{
	uint64_t id = l->next_id++;
	l->req[id % UZC_REQS] = (struct uzc_request){.id = id, .slot = slot};
	l->in_flight++;
	l->slot_busy[slot]++;
	return id;
}

bool uzc_ledger_slot_free(const struct uzc_ledger *l, unsigned slot)
{
	return l->slot_busy[slot] == 0;
}

bool uzc_ledger_idle(const struct uzc_ledger *l)
{
	return l->in_flight == 0;
}

/* Files one CQE into its request; -1 when it cannot belong there. */
static int request_update(struct uzc_request *r, const struct io_uring_cqe *cqe, char *err,
			  size_t errlen)
{
	const char *wrong = NULL;
	if (cqe->flags & IORING_CQE_F_NOTIF) {
		if (r->notif_in)
			wrong = "a second notification";
		else if (r->result_in && !r->more)
			wrong = "a notification its result did not promise (no IORING_CQE_F_MORE)";
		r->notif_in = true;
		r->copied = (uint32_t)cqe->res & IORING_NOTIF_USAGE_ZC_COPIED;
	} else {
		if (r->result_in)
			wrong = "a second result";
		else if (r->notif_in && !(cqe->flags & IORING_CQE_F_MORE))
			wrong = "a result without IORING_CQE_F_MORE after its notification";
		r->result_in = true;
		r->more = cqe->flags & IORING_CQE_F_MORE;
		r->res = cqe->res;
	}
	if (wrong) {
		snprintf(err, errlen, "io_uring request %llu: %s", (unsigned long long)r->id,
			 wrong);
		return -1;
	}
	return 0;
}

int uzc_ledger_cqe(struct uzc_ledger *l, const struct io_uring_cqe *cqe, struct uzc_event *ev,
		   char *err, size_t errlen)
{
	uint64_t id = cqe->user_data;
	struct uzc_request *r = &l->req[id % UZC_REQS];
	if (id == 0 || r->id != id) {
		snprintf(err, errlen, "io_uring CQE for request %llu, which is not in flight",
			 (unsigned long long)id);
		return -1;
	}
	struct uzc_request before = *r;
	if (request_update(r, cqe, err, errlen) < 0) {
		*r = before; /* a refused CQE changes nothing */
		return -1;
	}
	*ev = (struct uzc_event){
	    .id = id, .slot = r->slot, .notif = cqe->flags & IORING_CQE_F_NOTIF, .res = cqe->res};
	if (!ev->notif && r->res > 0)
		l->sends++;
	if (!r->result_in || (r->more && !r->notif_in))
		return 0;
	if (r->res > 0 && r->notif_in) {
		l->completions++;
		l->copied += r->copied;
	}
	ev->finished = true;
	l->slot_busy[r->slot]--;
	l->in_flight--;
	r->id = 0;
	return 0;
}

#ifdef HAVE_LIBURING
/* --- the strategy ---------------------------------------------------------- */

#define UZC_SQ_ENTRIES	8   /* one request in flight at a time */
#define UZC_DRAIN_LIMIT 2.0 /* seconds teardown waits for the last notifications */
#define UZC_TICK_NS	100000000L

struct uzc_sender {
	struct io_uring ring;
	bool ring_ok;
	struct uzc_ledger ledger;
	/* The request in flight: what it sends (the kernel may read the msghdr
	 * and iovec until its result), and its result once in. */
	struct msghdr mh;
	struct iovec iov[MESSAGE_FIELDS];
	uint64_t awaited;
	bool awaited_in;
	int32_t awaited_res;
	char failure[200]; /* why the send path gave up, for teardown */
};

/* Takes every CQE queued, waiting up to one tick for the first when `wait`.
 * Returns how many, or -1 with z->failure set. */
static int uzc_reap(struct uzc_sender *z, bool wait)
{
	struct io_uring_cqe *cqe;
	int got = 0;
	if (wait) {
		struct __kernel_timespec ts = {.tv_nsec = UZC_TICK_NS};
		int r = io_uring_wait_cqe_timeout(&z->ring, &cqe, &ts);
		if (r < 0 && r != -ETIME && r != -EINTR) {
			snprintf(z->failure, sizeof(z->failure), "io_uring_wait_cqe: %s",
				 strerror(-r));
			return -1;
		}
	}
	while (io_uring_peek_cqe(&z->ring, &cqe) == 0 && cqe) {
		struct uzc_event ev;
		int r = uzc_ledger_cqe(&z->ledger, cqe, &ev, z->failure, sizeof(z->failure));
		io_uring_cqe_seen(&z->ring, cqe);
		if (r < 0)
			return -1;
		if (!ev.notif && ev.id == z->awaited) {
			z->awaited_in = true;
			z->awaited_res = ev.res;
		}
		got++;
	}
	return got;
}

enum uzc_until { UNTIL_SLOT_FREE, UNTIL_CAN_ISSUE, UNTIL_RESULT, UNTIL_IDLE, UNTIL_ANY };

static bool uzc_reached(const struct uzc_sender *z, enum uzc_until what, unsigned slot)
{
	switch (what) {
	case UNTIL_SLOT_FREE:
		return uzc_ledger_slot_free(&z->ledger, slot);
	case UNTIL_CAN_ISSUE:
		return uzc_ledger_can_issue(&z->ledger);
	case UNTIL_RESULT:
		return z->awaited_in;
	case UNTIL_IDLE:
		return uzc_ledger_idle(&z->ledger);
	case UNTIL_ANY:
		return false;
	}
	return false;
}

/* Reaps until `what` holds (UNTIL_ANY: until one CQE came). Gives up when
 * the server stops (stop != NULL) or at deadline (> 0): -1, errno
 * ECANCELED/ETIMEDOUT; EPROTO when the ring misbehaved (z->failure). */
static int uzc_wait(struct uzc_sender *z, enum uzc_until what, unsigned slot,
		    const atomic_bool *stop, double deadline)
{
	while (!uzc_reached(z, what, slot)) {
		int n = uzc_reap(z, true);
		if (n < 0) {
			errno = EPROTO;
			return -1;
		}
		if (n > 0 && what == UNTIL_ANY)
			return 0;
		if (n > 0)
			continue;
		if (tx_wait_expired(stop, deadline) < 0)
			return -1;
	}
	return 0;
}

/* Submits one SENDMSG_ZC of (v, cnt) from `slot` and waits for its result
 * (not its notification). The wait ignores `stop`: shutting the socket down,
 * as the server does when it stops, ends the request. */
static int uzc_request(int fd, struct uzc_sender *z, unsigned slot, struct iovec *v, int cnt,
		       unsigned extra_flags, int32_t *res)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&z->ring);
	if (!sqe) {
		snprintf(z->failure, sizeof(z->failure), "io_uring: submission queue full");
		errno = EPROTO;
		return -1;
	}
	z->mh = (struct msghdr){.msg_iov = v, .msg_iovlen = (size_t)cnt};
	io_uring_prep_sendmsg_zc(sqe, fd, &z->mh, MSG_WAITALL | MSG_NOSIGNAL);
	sqe->ioprio |= IORING_SEND_ZC_REPORT_USAGE | extra_flags;
	z->awaited = uzc_ledger_issue(&z->ledger, slot);
	z->awaited_in = false;
	io_uring_sqe_set_data64(sqe, z->awaited);
	int r = io_uring_submit(&z->ring);
	if (r != 1) {
		snprintf(z->failure, sizeof(z->failure), "io_uring_submit: %s",
			 r < 0 ? strerror(-r) : "request not taken");
		errno = EPROTO;
		return -1;
	}
	if (uzc_wait(z, UNTIL_RESULT, 0, NULL, 0) < 0)
		return -1;
	*res = z->awaited_res;
	return 0;
}

/* -ENOBUFS/-ENOMEM: the kernel is short of memory for zero-copy state. Wait
 * for one of our notifications to give some back; with none due, it is a
 * real shortage. */
static int uzc_relieve(struct tx *tx, struct uzc_sender *z, int32_t res)
{
	z->ledger.enobufs++;
	if (uzc_ledger_idle(&z->ledger)) {
		errno = -res;
		return -1;
	}
	return uzc_wait(z, UNTIL_ANY, 0, tx->stop, 0);
}

int uzc_send(struct tx *tx, uint32_t seq)
{
	struct uzc_sender *z = tx->state;
	unsigned slot = tx->next, flags = 0;
	if (uzc_wait(z, UNTIL_SLOT_FREE, slot, tx->stop, 0) < 0)
		return -1;
	struct message *m = &tx->slots[slot];
	struct iovec *v = z->iov;
	int cnt = MESSAGE_FIELDS;
	message_stamp(m, seq, tx->conn);
	memcpy(z->iov, m->iov, sizeof(z->iov));
	while (cnt > 0) {
		int32_t res;
		if (uzc_wait(z, UNTIL_CAN_ISSUE, 0, tx->stop, 0) < 0 ||
		    uzc_request(tx->fd, z, slot, v, cnt, flags, &res) < 0)
			return -1;
		flags = 0;
		if (res > 0) {
			iov_advance(&v, &cnt, (size_t)res);
		} else if (res == 0 || res == -EAGAIN) {
			flags = IORING_RECVSEND_POLL_FIRST; /* wait for room, then retry */
		} else if (res == -ENOBUFS || res == -ENOMEM) {
			if (uzc_relieve(tx, z, res) < 0)
				return -1;
		} else if (res != -EINTR) {
			errno = -res;
			return -1;
		}
	}
	tx->next = (slot + 1) % tx->nslots;
	tx_zc_counts(tx, z->ledger.sends, z->ledger.completions, z->ledger.copied,
		     z->ledger.enobufs);
	return 0;
}

/* Can this kernel do io_uring SENDMSG_ZC at all? */
static int uzc_probe(struct io_uring *ring, char *err, size_t errlen)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(ring);
	if (!p) {
		snprintf(err, errlen,
			 "io_uring: this kernel cannot list its operations (IORING_REGISTER_PROBE, "
			 "Linux 5.6+); uring-zc needs IORING_OP_SENDMSG_ZC (Linux 6.1+)");
		return -1;
	}
	bool ok = io_uring_opcode_supported(p, IORING_OP_SENDMSG_ZC);
	io_uring_free_probe(p);
	if (!ok) {
		snprintf(err, errlen,
			 "io_uring: this kernel lacks IORING_OP_SENDMSG_ZC (zero-copy sendmsg, "
			 "Linux 6.1+)");
		return -1;
	}
	return 0;
}

/*
 * Rings are mapped and unmapped under one lock. liburing maps them with its
 * own system calls, which ThreadSanitizer does not see, so when a finished
 * connection's ring is unmapped and the next connection's ring lands at the
 * same address, it reported the new thread's first SQE write as a race with
 * the old thread's last one. The kernel does order them (the address is
 * reused only after the munmap); this lock says so where the tool can see it.
 * It is taken only when a connection opens or closes, never per message.
 */
static pthread_mutex_t ring_map_lock = PTHREAD_MUTEX_INITIALIZER;

static void uzc_ring_exit(struct io_uring *ring)
{
	pthread_mutex_lock(&ring_map_lock);
	io_uring_queue_exit(ring);
	pthread_mutex_unlock(&ring_map_lock);
}

static int uzc_ring_init(struct io_uring *ring, char *err, size_t errlen)
{
	/* Room in the completion queue for every request's two CQEs. */
	struct io_uring_params p = {.flags = IORING_SETUP_CQSIZE, .cq_entries = 2 * UZC_REQS};
	pthread_mutex_lock(&ring_map_lock);
	int r = io_uring_queue_init_params(UZC_SQ_ENTRIES, ring, &p);
	pthread_mutex_unlock(&ring_map_lock);
	if (r < 0) {
		snprintf(err, errlen, "io_uring_queue_init: %s%s", strerror(-r),
			 r == -EPERM	? " (io_uring disabled: sysctl kernel.io_uring_disabled, "
					  "or a seccomp filter)"
			 : r == -ENOSYS ? " (this kernel has no io_uring)"
					: "");
		return -1;
	}
	return 0;
}

/*
 * Does this kernel take IORING_SEND_ZC_REPORT_USAGE (Linux 6.2+), which tells
 * copied sends from zero-copy ones? An empty request on a TCP socket that is
 * not connected answers at once: -EINVAL when the flag is unknown (6.1),
 * another error (ENOTCONN, EPIPE) when it is known. Nothing is sent.
 */
static int uzc_probe_report_usage(struct io_uring *ring, char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "io_uring check: socket: %s", strerror(errno));
		return -1;
	}
	struct msghdr mh = {0};
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	io_uring_prep_sendmsg_zc(sqe, fd, &mh, MSG_NOSIGNAL);
	sqe->ioprio |= IORING_SEND_ZC_REPORT_USAGE;
	int32_t res = 0;
	int r = io_uring_submit(ring);
	for (int more = r == 1; more;) {
		struct io_uring_cqe *cqe;
		if ((r = io_uring_wait_cqe(ring, &cqe)) < 0)
			break;
		if (!(cqe->flags & IORING_CQE_F_NOTIF))
			res = cqe->res;
		more = (cqe->flags & IORING_CQE_F_MORE) != 0;
		io_uring_cqe_seen(ring, cqe);
	}
	close(fd);
	if (r < 0) {
		snprintf(err, errlen, "io_uring check: %s", strerror(-r));
		return -1;
	}
	if (res == -EINVAL) {
		snprintf(err, errlen,
			 "io_uring: this kernel refuses IORING_SEND_ZC_REPORT_USAGE (zero-copy "
			 "sendmsg that reports copies, Linux 6.2+)");
		return -1;
	}
	return 0;
}

int uzc_check(char *err, size_t errlen)
{
	struct io_uring ring;
	if (uzc_ring_init(&ring, err, errlen) < 0)
		return -1;
	int rc = uzc_probe(&ring, err, errlen);
	if (rc == 0)
		rc = uzc_probe_report_usage(&ring, err, errlen);
	uzc_ring_exit(&ring);
	return rc;
}

/* An empty request proves the kernel takes SENDMSG_ZC with REPORT_USAGE on
 * this socket before the client is told yes; it sends nothing. */
static int uzc_prove(struct tx *tx, struct uzc_sender *z, char *err, size_t errlen)
{
	int32_t res;
	if (uzc_request(tx->fd, z, 0, z->iov, 0, 0, &res) < 0) {
		snprintf(err, errlen, "%s", z->failure);
		return -1;
	}
	if (res == -EINVAL)
		snprintf(err, errlen,
			 "io_uring SENDMSG_ZC refused IORING_SEND_ZC_REPORT_USAGE: %s (needs Linux "
			 "6.2+)",
			 strerror(-res));
	else if (res < 0)
		snprintf(err, errlen, "io_uring SENDMSG_ZC on this socket: %s%s", strerror(-res),
			 res == -EOPNOTSUPP ? " (no zero-copy send support here)" : "");
	return res < 0 ? -1 : 0;
}

int uzc_tx_setup(struct tx *tx, char *err, size_t errlen)
{
	struct uzc_sender *z = calloc(1, sizeof(*z));
	tx->state = z;
	if (!z) {
		snprintf(err, errlen, "io_uring zero-copy state: %s", strerror(ENOMEM));
		return -1;
	}
	uzc_ledger_init(&z->ledger);
	if (tx->nslots > UZC_SLOTS_MAX)
		snprintf(err, errlen, "io_uring zero-copy: %u slots, at most %u", tx->nslots,
			 UZC_SLOTS_MAX);
	else if (uzc_ring_init(&z->ring, err, errlen) == 0) {
		z->ring_ok = true;
		if (uzc_probe(&z->ring, err, errlen) == 0 && uzc_prove(tx, z, err, errlen) == 0)
			return 0;
	}
	snprintf(z->failure, sizeof(z->failure), "%s", err); /* teardown: no drain */
	return -1;
}

int uzc_tx_teardown(struct tx *tx, char *err, size_t errlen)
{
	struct uzc_sender *z = tx->state;
	int rc = 0;
	if (!z)
		return 0;
	if (z->failure[0]) {
		snprintf(err, errlen, "%s", z->failure);
		rc = -1;
	} else if (uzc_wait(z, UNTIL_IDLE, 0, NULL, tx_now_s() + UZC_DRAIN_LIMIT) < 0) {
		snprintf(err, errlen,
			 "%u io_uring zero-copy requests still without their notification at "
			 "close (%llu sent): %s",
			 z->ledger.in_flight, (unsigned long long)z->ledger.sends,
			 z->failure[0] ? z->failure : strerror(errno));
		rc = -1;
	}
	tx_zc_counts(tx, z->ledger.sends, z->ledger.completions, z->ledger.copied,
		     z->ledger.enobufs);
	if (z->ring_ok)
		uzc_ring_exit(&z->ring);
	free(z);
	tx->state = NULL;
	return rc;
}
#endif
