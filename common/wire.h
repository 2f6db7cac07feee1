/*
 * wire.h — the words the harness and the workloads exchange, spelled once.
 *
 * The control socket (--ctl-fd, AF_UNIX SOCK_STREAM) carries one word a
 * line: the client tells the harness CTL_BEGIN and CTL_END around its
 * measured window; the harness relays each to the server and answers the
 * client with CTL_OK once the server has answered CTL_OK.
 *
 * The server's first line on stdout is WIRE_LISTENING " HOST:PORT". At exit
 * each workload prints its totals as key=value lines, with the keys below;
 * the harness copies them into runs.csv (schema.c names which column takes
 * which key). A key a workload does not print is an empty cell.
 */
#ifndef COPYSCOPE_WIRE_H
#define COPYSCOPE_WIRE_H

#define CTL_BEGIN "begin"
#define CTL_END	  "end"
#define CTL_OK	  "ok"

#define WIRE_LISTENING "listening"

/* Both workloads: what ran and what it cost. */
#define KEY_IMPL    "impl"
#define KEY_BYTES   "bytes"
#define KEY_MSGS    "msgs"
#define KEY_UTIME_S "utime_s"
#define KEY_STIME_S "stime_s"

/* The client only. */
#define KEY_SECONDS	    "seconds"
#define KEY_THROUGHPUT_GBPS "throughput_gbps"
#define KEY_VERIFY_ERRORS   "verify_errors"
#define KEY_LAT_P50_US	    "lat_p50_us"
#define KEY_LAT_P90_US	    "lat_p90_us"
#define KEY_LAT_P99_US	    "lat_p99_us"
#define KEY_LAT_P999_US	    "lat_p999_us"
#define KEY_LAT_MAX_US	    "lat_max_us"
/* ... and the window's throughput interval by interval (workloads/intervals.h):
 * the interval's length, how many full intervals, their coefficient of
 * variation, a step between two modes (0/1), and the ratio of the later
 * mode's mean to the earlier's when there is one. */
#define KEY_INTERVAL_S		"interval_s"
#define KEY_INTERVALS		"intervals"
#define KEY_INTERVAL_CV		"interval_cv"
#define KEY_INTERVAL_STEP	"interval_step"
#define KEY_INTERVAL_STEP_RATIO "interval_step_ratio"

/* The server only; the ZC_ keys for zero-copy strategies alone. */
#define KEY_CONNS	   "conns"
#define KEY_ZC_SENDS	   "zc_sends"
#define KEY_ZC_COMPLETIONS "zc_completions"
#define KEY_ZC_COPIED	   "zc_copied"
#define KEY_ZC_ENOBUFS	   "zc_enobufs"

/* Both workloads, from TCP_INFO at the window's edges (workloads/tcpinfo.h):
 * sums of deltas over connections ... */
#define KEY_TCP_SEGS_OUT       "tcp_segs_out"
#define KEY_TCP_SEGS_IN	       "tcp_segs_in"
#define KEY_TCP_DATA_SEGS_OUT  "tcp_data_segs_out"
#define KEY_TCP_DATA_SEGS_IN   "tcp_data_segs_in"
#define KEY_TCP_BYTES_SENT     "tcp_bytes_sent"
#define KEY_TCP_BYTES_ACKED    "tcp_bytes_acked"
#define KEY_TCP_BYTES_RECEIVED "tcp_bytes_received"
#define KEY_TCP_RETRANS	       "tcp_retrans"
/* ... shares of the window, in percent, averaged over connections ... */
#define KEY_TCP_BUSY_PCT	   "tcp_busy_pct"
#define KEY_TCP_RWND_LIMITED_PCT   "tcp_rwnd_limited_pct"
#define KEY_TCP_SNDBUF_LIMITED_PCT "tcp_sndbuf_limited_pct"
/* ... and values at the window's end: means, or sums over connections */
#define KEY_TCP_SRTT_US		   "tcp_srtt_us"
#define KEY_TCP_RTTVAR_US	   "tcp_rttvar_us"
#define KEY_TCP_CWND		   "tcp_cwnd"
#define KEY_TCP_DELIVERY_RATE_GBPS "tcp_delivery_rate_gbps"
#define KEY_TCP_UNACKED		   "tcp_unacked"

#endif
