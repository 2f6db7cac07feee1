/* strategy.c — the strategy table and the copying paths; see strategy.h. */
#include "strategy.h"

#include "sockio.h"
#include "zerocopy.h"

/* io_uring needs liburing at build time. COPYSCOPE_NO_URING leaves the row
 * out of builds that do not link uring_zc.c and -luring (the fuzz targets). */
#if defined(HAVE_LIBURING) && !defined(COPYSCOPE_NO_URING)
#define WITH_URING_ZC 1
#include "uring_zc.h"
#else
#define WITH_URING_ZC 0
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE 4096u

/*
 * A staging buffer for two-copy: page-aligned area, the buffer itself
 * deliberately placed at an offset where no field of `m` shares its offset
 * within a page with its image in the buffer. Without that, a page-aligned
 * contiguous message and a page-aligned buffer alias on every load and store
 * of the memcpy (4K aliasing) and the copy can run many times slower: the
 * measurement would show the accident, not the cost of copying.
 */
struct staging {
	unsigned char *area;
	unsigned char *buf;
};

static struct staging *staging_new(const struct message *m)
{
	struct staging *st = malloc(sizeof(*st));
	if (!st)
		return NULL;
	size_t len = (m->size + 2 * PAGE - 1) / PAGE * PAGE;
	st->area = aligned_alloc(PAGE, len);
	if (!st->area) {
		free(st);
		return NULL;
	}
	st->buf = st->area + message_staging_offset(m, st->area);
	return st;
}

static void staging_free(struct staging *st)
{
	if (st)
		free(st->area);
	free(st);
}

double tx_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int tx_wait_expired(const atomic_bool *stop, double deadline)
{
	if (stop && atomic_load_explicit(stop, memory_order_relaxed)) {
		errno = ECANCELED;
		return -1;
	}
	if (deadline > 0 && tx_now_s() > deadline) {
		errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}

void tx_zc_counts(struct tx *tx, uint64_t sends, uint64_t completions, uint64_t copied,
		  uint64_t enobufs)
{
	tx->stats.zc_sends = sends;
	tx->stats.zc_completions = completions;
	tx->stats.zc_copied = copied;
	tx->stats.zc_enobufs = enobufs;
}

unsigned one_slot(size_t size)
{
	(void)size;
	return 1;
}

static int two_copy_tx_setup(struct tx *tx, char *err, size_t errlen)
{
	tx->state = staging_new(&tx->slots[0]);
	if (!tx->state) {
		snprintf(err, errlen, "send buffer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int two_copy_send(struct tx *tx, uint32_t seq)
{
	struct staging *st = tx->state;
	struct message *m = &tx->slots[0];
	message_stamp(m, seq, tx->conn);
	message_gather(m, st->buf);
	return send_full(tx->fd, st->buf, m->size);
}

static int two_copy_tx_teardown(struct tx *tx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	staging_free(tx->state);
	tx->state = NULL;
	return 0;
}

static int two_copy_rx_setup(struct rx *rx)
{
	rx->state = staging_new(&rx->msg);
	return rx->state ? 0 : -1;
}

static int two_copy_recv(struct rx *rx)
{
	struct staging *st = rx->state;
	int r = recv_full(rx->fd, st->buf, rx->msg.size, rx->spin);
	if (r > 0)
		message_scatter(&rx->msg, st->buf);
	return r;
}

static void two_copy_rx_teardown(struct rx *rx)
{
	staging_free(rx->state);
	rx->state = NULL;
}

static int one_copy_send(struct tx *tx, uint32_t seq)
{
	struct message *m = &tx->slots[0];
	struct iovec iov[MESSAGE_FIELDS];
	message_stamp(m, seq, tx->conn);
	memcpy(iov, m->iov, sizeof(iov));
	return sendmsg_full(tx->fd, iov, MESSAGE_FIELDS);
}

int one_copy_recv(struct rx *rx)
{
	struct iovec iov[MESSAGE_FIELDS];
	memcpy(iov, rx->msg.iov, sizeof(iov));
	return recvmsg_full(rx->fd, iov, MESSAGE_FIELDS, rx->spin);
}

static const struct strategy strategies[] = {
    {
	.name = "two-copy",
	.slots_for = one_slot,
	.tx_setup = two_copy_tx_setup,
	.send = two_copy_send,
	.tx_teardown = two_copy_tx_teardown,
	.rx_setup = two_copy_rx_setup,
	.recv = two_copy_recv,
	.rx_teardown = two_copy_rx_teardown,
    },
    {
	.name = "one-copy",
	.slots_for = one_slot,
	.send = one_copy_send,
	.recv = one_copy_recv,
    },
    {
	.name = "zero-copy",
	.slots_for = zc_slots_for,
	.tx_setup = zc_tx_setup,
	.send = zc_send,
	.tx_teardown = zc_tx_teardown,
	.recv = one_copy_recv,
    },
#if WITH_URING_ZC
    {
	.name = "uring-zc",
	.check = uzc_check,
	.slots_for = zc_slots_for, /* the same pool as zero-copy: a fair comparison */
	.tx_setup = uzc_tx_setup,
	.send = uzc_send,
	.tx_teardown = uzc_tx_teardown,
	.recv = one_copy_recv,
    },
#endif
};

#define NSTRATEGIES (sizeof(strategies) / sizeof(strategies[0]))

/* Every row names a strategy_info row (tests/unit/test_wl_strategy.c checks). */
const struct strategy_info *strategy_info_of(const struct strategy *s)
{
	return strategy_info_find(s->name);
}

const struct strategy *strategy_find(const char *name)
{
	const struct strategy_info *info = strategy_info_find(name);
	for (size_t i = 0; info && i < NSTRATEGIES; i++)
		if (strcmp(info->name, strategies[i].name) == 0)
			return &strategies[i];
	return NULL;
}

const struct strategy *strategy_by_wire_id(uint16_t id)
{
	for (size_t i = 0; i < NSTRATEGIES; i++)
		if (strategy_info_of(&strategies[i])->wire_id == id)
			return &strategies[i];
	return NULL;
}

const char *strategy_absent(const char *name)
{
	const struct strategy_info *info = strategy_info_find(name);
	return info && !strategy_find(name) ? info->build_needs : NULL;
}

int strategy_list(FILE *out)
{
	for (size_t i = 0; i < NSTRATEGIES; i++)
		if (fprintf(out, "%s %s\n", strategies[i].name,
			    strategy_info_of(&strategies[i])->alias) < 0)
			return -1;
	return fflush(out);
}

int strategy_list_absent(FILE *out)
{
	for (size_t i = 0; i < strategy_ninfos; i++) {
		const struct strategy_info *info = &strategy_infos[i];
		if (!strategy_find(info->name) &&
		    fprintf(out, "%s %s %s\n", info->name, info->alias,
			    info->build_needs ? info->build_needs : "not in this build") < 0)
			return -1;
	}
	return fflush(out);
}

void strategy_names(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NSTRATEGIES && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s (%s)", i ? ", " : "",
				 strategies[i].name, strategy_info_of(&strategies[i])->alias);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int tx_open(struct tx *tx, const struct strategy *s, int fd, uint32_t conn, size_t size,
	    enum message_layout layout, char *err, size_t errlen)
{
	memset(tx, 0, sizeof(*tx));
	tx->fd = fd;
	tx->conn = conn;
	unsigned n = s->slots_for(size);
	unsigned char *pattern = malloc(size);
	tx->slots = calloc(n, sizeof(*tx->slots));
	if (!pattern || !tx->slots) {
		free(pattern);
		snprintf(err, errlen, "message pool: %s", strerror(ENOMEM));
		return -1;
	}
	message_pattern(pattern, size, conn);
	for (; tx->nslots < n; tx->nslots++) {
		if (message_alloc(&tx->slots[tx->nslots], size, layout) < 0) {
			snprintf(err, errlen, "message pool: %s", strerror(errno));
			free(pattern);
			return -1;
		}
		message_fill(&tx->slots[tx->nslots], pattern);
	}
	free(pattern);
	return s->tx_setup ? s->tx_setup(tx, err, errlen) : 0;
}

int tx_close(struct tx *tx, const struct strategy *s, char *err, size_t errlen)
{
	int rc = s->tx_teardown ? s->tx_teardown(tx, err, errlen) : 0;
	for (unsigned i = 0; i < tx->nslots; i++)
		message_free(&tx->slots[i]);
	free(tx->slots);
	tx->slots = NULL;
	tx->nslots = 0;
	return rc;
}

int rx_open(struct rx *rx, const struct strategy *s, int fd, size_t size,
	    enum message_layout layout, bool spin)
{
	memset(rx, 0, sizeof(*rx));
	rx->fd = fd;
	rx->spin = spin;
	if (message_alloc(&rx->msg, size, layout) < 0)
		return -1;
	return s->rx_setup ? s->rx_setup(rx) : 0;
}

void rx_close(struct rx *rx, const struct strategy *s)
{
	if (s->rx_teardown)
		s->rx_teardown(rx);
	message_free(&rx->msg);
}
