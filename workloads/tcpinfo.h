/*
 * tcpinfo — what TCP did with a connection's bytes over the measured window:
 * getsockopt(TCP_INFO) at the window's two edges, never per message, so
 * reading it costs the workload nothing it would measure.
 *
 * A sample is the kernel's struct tcp_info cut to the fields copyscope
 * reports; an older kernel returns a shorter struct, and a field it did not
 * fill is marked missing (from the length it returned), so that its key is
 * not printed and its cell stays empty, never 0.
 *
 * Over a window, connections open at both edges count: segments, bytes and
 * retransmissions are the sum of their deltas; the chrono counters (busy,
 * receive-window-limited, send-buffer-limited) are the delta's share of the
 * window, averaged over connections; smoothed RTT, its variation and cwnd
 * are the mean at the window's end; the delivery rate and unacked bytes are
 * the sum at the end.
 */
#ifndef COPYSCOPE_TCPINFO_H
#define COPYSCOPE_TCPINFO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum tcp_field {
	TF_SEGS_OUT,
	TF_SEGS_IN,
	TF_DATA_SEGS_OUT,
	TF_DATA_SEGS_IN,
	TF_BYTES_SENT,
	TF_BYTES_ACKED,
	TF_BYTES_RECEIVED,
	TF_RETRANS,
	TF_BUSY_US,
	TF_RWND_LIMITED_US,
	TF_SNDBUF_LIMITED_US,
	TF_RTT_US,
	TF_RTTVAR_US,
	TF_CWND,
	TF_DELIVERY_RATE, /* bytes per second */
	TF_UNACKED,
	TF_COUNT
};

struct tcp_sample {
	uint64_t v[TF_COUNT];
	uint32_t have; /* bit f set: the kernel filled field f */
};

/* 0 when the environment says COPYSCOPE_TCP_INFO=off (bench/tcpinfo.sh
 * measures the workloads with and without the reads), else 1. */
int tcp_info_wanted(void);

/* Reads TCP_INFO of fd into s; 0, or -1 with errno (s then has no field). */
int tcp_sample_read(int fd, struct tcp_sample *s);

/* Fills s from a struct tcp_info of len bytes as getsockopt returned it
 * (info: a struct tcp_info of <linux/tcp.h>; len may be shorter). */
void tcp_sample_from(const void *info, size_t len, struct tcp_sample *s);

struct tcp_window {
	unsigned conns;	     /* connections open at both edges */
	uint32_t have;	     /* fields every one of them had */
	uint64_t sum[TF_COUNT]; /* deltas or end values, summed */
};

void tcp_window_init(struct tcp_window *w);
/* Adds one connection's samples at the window's begin and end. */
void tcp_window_add(struct tcp_window *w, const struct tcp_sample *begin,
		    const struct tcp_sample *end);
/* One connection (fd) at one edge of the window: at the begin edge (end 0)
 * its sample is kept in *begin; at the end edge it is added to w when both
 * edges were read. An fd that cannot be read (closed: -1) leaves it out. */
void tcp_window_edge(struct tcp_window *w, int fd, struct tcp_sample *begin, int end);

/* Prints the window's key=value lines (common/wire.h) for the fields every
 * connection had; nothing when no connection counted. window_s: its length. */
void tcp_window_print(FILE *out, const struct tcp_window *w, double window_s);

#endif
