/*
 * client.c — copyscope-client: receives messages and measures.
 *
 * T threads, one connection each. The main thread connects every
 * connection and exchanges the hellos (so a refusal is reported before any
 * thread runs), lets the threads receive through the warm-up, opens the
 * measured window (after the harness's "begin"/"ok" when --ctl-fd is given),
 * closes it after --duration, and only then stops the threads by shutting
 * their sockets down. Threads own their counters; the main thread reads them
 * at the window's edges and at every --interval edge inside it (relaxed
 * atomics written by one thread each; intervals.h), so the hot path has no
 * contended cache line, no allocation and no output. With --thread-cpus each
 * worker pins itself to its connection's CPU before it allocates anything.
 */
#include "ctl.h"
#include "hello.h"
#include "histogram.h"
#include "intervals.h"
#include "options.h"
#include "sockio.h"
#include "strategy.h"
#include "tcpinfo.h"
#include "wire.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define PROG		"copyscope-client"
#define HELLO_TIMEOUT_S 10.0
#define BUSY_POLL_US	50
#define STOP_GRACE_S	5 /* seconds the server gets to finish after "stop" */

struct client_config {
	const char *host, *port;
	uint64_t size, threads;
	double duration, warmup, interval;
	const char *interval_arg;  /* --interval as given; NULL: the default */
	const char *intervals_out; /* --intervals-out FILE, or NULL */
	enum wl_mode mode;
	enum message_layout layout;
	bool busy_poll, verify, pin, thread_pin;
	int ctl_fd;
	cpu_set_t cpus;			 /* --cpus */
	struct cpu_sequence thread_cpus; /* --thread-cpus */
};

struct worker {
	alignas(64) _Atomic uint64_t msgs; /* written by the worker only */
	_Atomic uint64_t bytes;
	uint64_t verify_errors; /* read after join */
	struct histogram hist;	/* round trips inside the window, rr only */
	pthread_t thread;
	int fd;
	uint32_t conn;
	struct client *client;
	char err[256]; /* why it failed; empty when it did not */
};

struct client {
	struct client_config cfg;
	const struct strategy *strategy;
	atomic_bool stop;   /* the main thread is tearing down */
	atomic_bool window; /* the measured window is open */
	int alarm_fd;	    /* eventfd: a worker failed */
	struct worker *workers;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --port P [--host H] [--size B] [--threads T] [--duration S]\n"
		"       [--warmup S] [--mode stream|rr] [--layout scattered|contiguous]\n"
		"       [--busy-poll] [--verify] [--ctl-fd N] [--cpus LIST | --thread-cpus LIST]\n"
		"       [--interval S] [--intervals-out FILE]\n"
		"Receives messages from copyscope-server over T connections and measures.\n"
		"  --host H        server address (default 127.0.0.1)\n"
		"  --port P        server port (required)\n"
		"  --size B        message size, 8 B to 64 MiB; suffix K, M or KiB, MiB (default 16K)\n"
		"  --threads T     connections, one thread each, 1..1024 (default 1)\n"
		"  --duration S    measured window in seconds (default 1)\n"
		"  --warmup S      seconds received before the window opens (default 0)\n"
		"  --mode M        stream: the server sends without pause (default);\n"
		"                  rr: send a small request, time the one-message reply\n"
		"  --layout L      the 8 fields as separate heap blocks (scattered, default)\n"
		"                  or side by side in one page-aligned block (contiguous);\n"
		"                  the server lays out its fields the same way\n"
		"  --busy-poll     both sides set SO_BUSY_POLL (%d us) and spin on\n"
		"                  non-blocking receives instead of sleeping\n"
		"  --verify        check every byte received; bad messages count in verify_errors\n"
		"  --ctl-fd N      control socket from the harness: \"begin\"/\"end\" around the\n"
		"                  window, each answered with \"ok\"\n"
		"  --cpus LIST     pin every thread to these CPUs, e.g. 0 or 0-1,3\n"
		"  --thread-cpus LIST  pin connection i's thread to the (i mod n)-th CPU of\n"
		"                  LIST, in LIST's order (1,0: connection 0 on CPU 1), each\n"
		"                  CPU once; not with --cpus\n"
		"  --interval S    throughput interval inside the window, 0.01 s up to the\n"
		"                  window (default 0.1); a last partial interval is dropped\n"
		"  --intervals-out FILE  write the intervals as CSV: t_s,bytes,gbps\n"
		"                  (rr: and round_trips), one line per interval\n"
		"  --help          this text\n"
		"Prints impl= mode= size= threads= layout= busy_poll= verify= bytes= msgs=\n"
		"seconds= throughput_gbps= verify_errors= utime_s= stime_s= (the window's),\n"
		"interval_s= intervals= interval_cv= interval_step= interval_step_ratio=\n"
		"(those that apply), and in rr mode lat_p50_us= lat_p90_us= lat_p99_us=\n"
		"lat_p999_us= lat_max_us=.\n"
		"Exit status: 0 ok, 1 runtime failure, 2 bad input.\n",
		BUSY_POLL_US);
}

static int parse_option(int c, const char *arg, struct client_config *cfg)
{
	uint64_t v;
	switch (c) {
	case 'H':
		cfg->host = arg;
		return 0;
	case 'p':
		cfg->port = arg;
		return parse_uint(arg, 1, 65535, &v) < 0
			   ? bad_input(PROG, "--port", arg, "a port number 1..65535")
			   : 0;
	case 's':
		return parse_size(arg, MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE, &cfg->size) < 0
			   ? bad_input(PROG, "--size", arg, "a message size from 8 B to 64 MiB")
			   : 0;
	case 't':
		return parse_uint(arg, 1, CLIENT_THREADS_MAX, &cfg->threads) < 0
			   ? bad_input(PROG, "--threads", arg, "a thread count from 1 to 1024")
			   : 0;
	case 'd':
		return parse_seconds(arg, DURATION_MIN_S, SECONDS_MAX_S, &cfg->duration) < 0
			   ? bad_input(PROG, "--duration", arg, "seconds, from 0.001 to 3600")
			   : 0;
	case 'w':
		return parse_seconds(arg, 0, SECONDS_MAX_S, &cfg->warmup) < 0
			   ? bad_input(PROG, "--warmup", arg, "seconds, from 0 to 3600")
			   : 0;
	case 'm':
		return wl_mode_parse(arg, &cfg->mode) < 0
			   ? bad_input(PROG, "--mode", arg, "stream or rr")
			   : 0;
	case 'l':
		return message_layout_parse(arg, &cfg->layout) < 0
			   ? bad_input(PROG, "--layout", arg, "scattered or contiguous")
			   : 0;
	case 'b':
		cfg->busy_poll = true;
		return 0;
	case 'v':
		cfg->verify = true;
		return 0;
	case 'c':
		if (parse_uint(arg, 0, 1 << 20, &v) < 0 || ctl_fd_valid((int)v) < 0)
			return bad_input(PROG, "--ctl-fd", arg, "an open file descriptor");
		cfg->ctl_fd = (int)v;
		return 0;
	case 'C':
		cfg->pin = true;
		return parse_cpu_option(PROG, arg, &cfg->cpus);
	case 'T':
		cfg->thread_pin = true;
		return parse_thread_cpus_option(PROG, arg, &cfg->thread_cpus);
	case 'i':
		cfg->interval_arg = arg;
		return parse_seconds(arg, INTERVAL_MIN_S, SECONDS_MAX_S, &cfg->interval) < 0
			   ? bad_input(PROG, "--interval", arg,
				       "seconds, from 0.01 to the window (--duration)")
			   : 0;
	case 'o':
		cfg->intervals_out = arg;
		return 0;
	}
	return 2;
}

/* 0 to run, -1 after --help, 2 on bad input. */
static int parse_args(int argc, char **argv, struct client_config *cfg)
{
	static const struct option opts[] = {
	    {"host", required_argument, 0, 'H'},
	    {"port", required_argument, 0, 'p'},
	    {"size", required_argument, 0, 's'},
	    {"threads", required_argument, 0, 't'},
	    {"duration", required_argument, 0, 'd'},
	    {"warmup", required_argument, 0, 'w'},
	    {"mode", required_argument, 0, 'm'},
	    {"layout", required_argument, 0, 'l'},
	    {"busy-poll", no_argument, 0, 'b'},
	    {"verify", no_argument, 0, 'v'},
	    {"ctl-fd", required_argument, 0, 'c'},
	    {"cpus", required_argument, 0, 'C'},
	    {"thread-cpus", required_argument, 0, 'T'},
	    {"interval", required_argument, 0, 'i'},
	    {"intervals-out", required_argument, 0, 'o'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	*cfg = (struct client_config){.host = "127.0.0.1",
				      .size = 16384,
				      .threads = 1,
				      .duration = 1,
				      .interval = INTERVAL_DEFAULT_S,
				      .ctl_fd = -1};
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, ":", opts, NULL)) != -1;) {
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c == ':')
			return bad_input(PROG, argv[optind - 1], NULL, "a value");
		if (c == '?')
			return bad_input(PROG, argv[optind - 1], NULL,
					 "a known option (see --help)");
		if (parse_option(c, optarg, cfg) != 0)
			return 2;
	}
	if (optind < argc)
		return bad_input(PROG, argv[optind], NULL, "no arguments besides options");
	if (!cfg->port)
		return bad_input(PROG, "--port", NULL, "the server's port (required)");
	if (cfg->pin && cfg->thread_pin)
		return bad_input(PROG, "--thread-cpus", NULL,
				 "either --cpus or --thread-cpus, not both");
	if (cfg->interval_arg && cfg->interval > cfg->duration)
		return bad_input(PROG, "--interval", cfg->interval_arg,
				 "seconds, from 0.01 to the window (--duration)");
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reads and checks the server's hello reply: 0 with *s set, or -1 and why. */
static int read_reply(int fd, const struct strategy **s, char *why, size_t len)
{
	unsigned char buf[HELLO_REPLY_SIZE];
	struct hello_reply r;
	int got = recv_full(fd, buf, sizeof(buf), false);
	if (got == 0) {
		snprintf(why, len, "server closed the connection without answering the hello");
		return -1;
	}
	if (got < 0) {
		snprintf(why, len, "hello reply: %s",
			 errno == EAGAIN || errno == EWOULDBLOCK ? "none within 10 s"
			 : errno == ECONNRESET
			     ? "truncated (the server closed the connection inside it)"
			     : strerror(errno));
		return -1;
	}
	if (hello_reply_decode(buf, sizeof(buf), &r, why, len) < 0)
		return -1;
	if (r.status != HELLO_OK) {
		snprintf(why, len, "server refused the hello: %s", hello_status_name(r.status));
		return -1;
	}
	*s = strategy_by_wire_id(r.impl);
	if (!*s) {
		snprintf(why, len, "server names unknown strategy id %u", r.impl);
		return -1;
	}
	return 0;
}

/* Connects connection `conn` and exchanges the hellos; the server's strategy
 * comes back in *s. Returns the socket, or -1 with a line in err. */
static int open_connection(const struct client_config *cfg, uint32_t conn,
			   const struct strategy **s, char *err, size_t errlen)
{
	int fd = sock_connect(cfg->host, cfg->port, err, errlen);
	if (fd < 0)
		return -1;
	struct hello h = {.mode = cfg->mode,
			  .layout = (uint8_t)cfg->layout,
			  .flags = cfg->busy_poll ? HELLO_F_BUSY_POLL : 0,
			  .conn = conn,
			  .size = cfg->size};
	unsigned char buf[HELLO_SIZE];
	char why[160];
	hello_encode(&h, buf);
	if (cfg->mode == MODE_RR && sock_set_nodelay(fd) < 0)
		snprintf(why, sizeof(why), "TCP_NODELAY: %s", strerror(errno));
	else if (cfg->busy_poll && sock_set_busy_poll(fd, BUSY_POLL_US) < 0)
		snprintf(why, sizeof(why), "--busy-poll: SO_BUSY_POLL: %s", strerror(errno));
	else if (sock_set_rcvtimeo(fd, HELLO_TIMEOUT_S) < 0)
		snprintf(why, sizeof(why), "SO_RCVTIMEO: %s", strerror(errno));
	else if (send_full(fd, buf, sizeof(buf)) < 0)
		snprintf(why, sizeof(why), "sending the hello: %s", strerror(errno));
	else if (read_reply(fd, s, why, sizeof(why)) == 0) {
		if (sock_set_rcvtimeo(fd, 0) == 0)
			return fd;
		snprintf(why, sizeof(why), "SO_RCVTIMEO: %s", strerror(errno));
	}
	snprintf(err, errlen, "%s:%s: %s", cfg->host, cfg->port, why);
	close(fd);
	return -1;
}

static void count(struct worker *w, uint64_t msgs, uint64_t bytes)
{
	atomic_store_explicit(&w->msgs, msgs, memory_order_relaxed);
	atomic_store_explicit(&w->bytes, bytes, memory_order_relaxed);
}

/* After the receive loop ended with r (0 EOF, -1 error): fine while the
 * main thread is stopping, a failure otherwise. */
static void ended(struct worker *w, int r, const char *what)
{
	if (atomic_load_explicit(&w->client->stop, memory_order_relaxed))
		return;
	snprintf(w->err, sizeof(w->err), "connection %u: %s", w->conn,
		 r == 0 ? "server closed the connection" : what);
	uint64_t one = 1;
	if (write(w->client->alarm_fd, &one, sizeof(one)) < 0)
		perror(PROG ": eventfd"); /* cannot happen with a valid eventfd */
}

static void stream_loop(struct worker *w, struct rx *rx, const unsigned char *pattern)
{
	const struct strategy *s = w->client->strategy;
	uint64_t msgs = 0, bytes = 0, size = rx->msg.size;
	for (uint32_t seq = 0;; seq++) {
		int r = s->recv(rx);
		if (r <= 0) {
			ended(w, r, strerror(errno));
			return;
		}
		if (pattern && !message_verify(&rx->msg, pattern, seq, w->conn))
			w->verify_errors++;
		count(w, ++msgs, bytes += size);
	}
}

static void rr_loop(struct worker *w, struct rx *rx, const unsigned char *pattern)
{
	const struct strategy *s = w->client->strategy;
	const atomic_bool *window = &w->client->window;
	uint64_t msgs = 0, bytes = 0, size = rx->msg.size;
	unsigned char req[RR_REQUEST_SIZE];
	for (uint32_t seq = 0;; seq++) {
		rr_request_encode(seq, req);
		uint64_t t0 = now_ns();
		if (send_full(w->fd, req, sizeof(req)) < 0) {
			ended(w, -1, strerror(errno));
			return;
		}
		int r = s->recv(rx);
		if (r <= 0) {
			ended(w, r, strerror(errno));
			return;
		}
		uint64_t t1 = now_ns();
		if (atomic_load_explicit(window, memory_order_relaxed))
			histogram_record(&w->hist, t1 - t0);
		if (pattern && !message_verify(&rx->msg, pattern, seq, w->conn))
			w->verify_errors++;
		count(w, ++msgs, bytes += size);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct client_config *cfg = &w->client->cfg;
	struct rx rx;
	unsigned char *pattern = NULL;
	char why[96];
	name_connection_thread("cli", w->conn);
	/* pinned first, so that the messages are allocated where they are read */
	if (cfg->thread_pin && pin_connection_thread(&cfg->thread_cpus, w->conn) < 0) {
		snprintf(why, sizeof(why), "--thread-cpus: CPU %d: %s",
			 cpu_sequence_at(&cfg->thread_cpus, w->conn), strerror(errno));
		ended(w, -1, why);
		return NULL;
	}
	if (rx_open(&rx, w->client->strategy, w->fd, cfg->size, cfg->layout, cfg->busy_poll) < 0 ||
	    (cfg->verify && !(pattern = malloc(cfg->size)))) {
		ended(w, -1, strerror(errno));
	} else {
		if (pattern)
			message_pattern(pattern, cfg->size, w->conn);
		if (cfg->mode == MODE_RR)
			rr_loop(w, &rx, pattern);
		else
			stream_loop(w, &rx, pattern);
	}
	free(pattern);
	rx_close(&rx, w->client->strategy);
	return NULL;
}

struct window {
	uint64_t t0, t1, msgs0, msgs1, bytes0, bytes1;
	uint64_t len_ns, interval_ns; /* --duration and --interval */
	struct cpu_time cpu0, cpu1;
	struct tcp_sample *tcp0; /* per connection, at the window's edges */
	struct tcp_window tcp;
	struct interval_series series; /* the window's full intervals */
};

/* Every connection's TCP_INFO at one edge of the window (tcpinfo.h). */
static void tcp_edge(struct client *cl, struct window *w, int end)
{
	for (uint64_t i = 0; w->tcp0 && i < cl->cfg.threads; i++)
		tcp_window_edge(&w->tcp, cl->workers[i].fd, &w->tcp0[i], end);
}

static void snapshot(struct client *cl, uint64_t *msgs, uint64_t *bytes)
{
	*msgs = *bytes = 0;
	for (uint64_t i = 0; i < cl->cfg.threads; i++) {
		*msgs += atomic_load_explicit(&cl->workers[i].msgs, memory_order_relaxed);
		*bytes += atomic_load_explicit(&cl->workers[i].bytes, memory_order_relaxed);
	}
}

/* Sleeps until deadline (CLOCK_MONOTONIC ns); -1 as soon as a worker fails. */
static int wait_until(struct client *cl, uint64_t deadline)
{
	for (uint64_t now; (now = now_ns()) < deadline;) {
		uint64_t left = deadline - now;
		struct timespec ts = {.tv_sec = (time_t)(left / 1000000000u),
				      .tv_nsec = (long)(left % 1000000000u)};
		struct pollfd p = {.fd = cl->alarm_fd, .events = POLLIN};
		int r = ppoll(&p, 1, &ts, NULL);
		if (r > 0 || (r < 0 && errno != EINTR))
			return -1;
	}
	return 0;
}

/* The harness handshake around a window edge; a closed control socket just
 * ends the handshakes. */
static int handshake(struct client *cl, const char *word, char *err, size_t errlen)
{
	if (cl->cfg.ctl_fd < 0)
		return 0;
	int r = ctl_request(cl->cfg.ctl_fd, word, err, errlen);
	if (r == 1)
		cl->cfg.ctl_fd = -1;
	return r < 0 ? -1 : 0;
}

/*
 * The window, interval by interval: wakes at every interval edge (and at the
 * window's end), sums the workers' counters and keeps each full interval;
 * the window's end is the last wake-up. -1 as soon as a worker failed.
 */
static int sample_window(struct client *cl, struct window *w)
{
	uint64_t t = w->t0, msgs = w->msgs0, bytes = w->bytes0;
	for (uint64_t k = 1;; k++) {
		uint64_t edge = k * w->interval_ns, at = edge < w->len_ns ? edge : w->len_ns;
		uint64_t prev_t = t, prev_msgs = msgs, prev_bytes = bytes;
		if (wait_until(cl, w->t0 + at) < 0)
			return -1;
		t = now_ns();
		snapshot(cl, &msgs, &bytes);
		if (at == edge) /* a full interval; a last, shorter one is dropped */
			interval_series_add(&w->series, &(struct interval_sample){
							    .end_s = (double)(t - w->t0) * 1e-9,
							    .len_s = (double)(t - prev_t) * 1e-9,
							    .bytes = bytes - prev_bytes,
							    .msgs = msgs - prev_msgs,
							});
		if (at == w->len_ns) {
			w->t1 = t;
			w->msgs1 = msgs;
			w->bytes1 = bytes;
			return 0;
		}
	}
}

/* Warm-up, then the window. -1 with err empty when a worker failed. */
static int measure(struct client *cl, struct window *w, char *err, size_t errlen)
{
	const struct client_config *cfg = &cl->cfg;
	if (wait_until(cl, now_ns() + (uint64_t)(cfg->warmup * 1e9)) < 0 ||
	    handshake(cl, CTL_BEGIN, err, errlen) < 0)
		return -1;
	atomic_store_explicit(&cl->window, true, memory_order_relaxed);
	tcp_edge(cl, w, 0);
	snapshot(cl, &w->msgs0, &w->bytes0);
	if (cpu_time_now(&w->cpu0) < 0)
		goto rusage_failed;
	w->t0 = now_ns();
	if (sample_window(cl, w) < 0)
		return -1;
	tcp_edge(cl, w, 1);
	if (cpu_time_now(&w->cpu1) < 0)
		goto rusage_failed;
	atomic_store_explicit(&cl->window, false, memory_order_relaxed);
	return handshake(cl, CTL_END, err, errlen);
rusage_failed:
	snprintf(err, errlen, "getrusage: %s", strerror(errno));
	return -1;
}

/* The intervals' keys: the count always, the others when they are defined
 * (intervals.h): a key not printed is an empty cell. */
static void print_stability(const struct window *w)
{
	struct interval_stability st;
	printf(KEY_INTERVAL_S "=%.6f\n" KEY_INTERVALS "=%zu\n", (double)w->interval_ns * 1e-9,
	       w->series.n);
	if (interval_series_stability(&w->series, &st) < 0)
		return; /* no memory for the rates: nothing said rather than a guess */
	if (!isnan(st.cv))
		printf(KEY_INTERVAL_CV "=%.6f\n", st.cv);
	if (st.step >= 0)
		printf(KEY_INTERVAL_STEP "=%d\n", st.step);
	if (!isnan(st.ratio))
		printf(KEY_INTERVAL_STEP_RATIO "=%.6f\n", st.ratio);
}

static void print_results(const struct client *cl, const struct window *w)
{
	const struct client_config *cfg = &cl->cfg;
	struct histogram all;
	uint64_t verify_errors = 0, bytes = w->bytes1 - w->bytes0;
	double seconds = (double)(w->t1 - w->t0) * 1e-9;
	histogram_init(&all);
	for (uint64_t i = 0; i < cfg->threads; i++) {
		verify_errors += cl->workers[i].verify_errors;
		histogram_merge(&all, &cl->workers[i].hist);
	}
	printf("impl=%s\nmode=%s\nsize=%llu\nthreads=%llu\nlayout=%s\nbusy_poll=%d\nverify=%d\n",
	       cl->strategy->name, wl_mode_name(cfg->mode), (unsigned long long)cfg->size,
	       (unsigned long long)cfg->threads, message_layout_name(cfg->layout), cfg->busy_poll,
	       cfg->verify);
	printf(KEY_BYTES "=%llu\n" KEY_MSGS "=%llu\n" KEY_SECONDS "=%.6f\n" KEY_THROUGHPUT_GBPS
			 "=%.6f\n" KEY_VERIFY_ERRORS "=%llu\n" KEY_UTIME_S "=%.6f\n" KEY_STIME_S
			 "=%.6f\n",
	       (unsigned long long)bytes, (unsigned long long)(w->msgs1 - w->msgs0), seconds,
	       (double)bytes * 8 / seconds / 1e9, (unsigned long long)verify_errors,
	       w->cpu1.user - w->cpu0.user, w->cpu1.sys - w->cpu0.sys);
	if (cfg->mode == MODE_RR) {
		static const struct {
			const char *key;
			double p;
		} pct[] = {{KEY_LAT_P50_US, 50},
			   {KEY_LAT_P90_US, 90},
			   {KEY_LAT_P99_US, 99},
			   {KEY_LAT_P999_US, 99.9},
			   {KEY_LAT_MAX_US, 100}};
		for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++)
			printf("%s=%.3f\n", pct[i].key,
			       (double)histogram_percentile(&all, pct[i].p) / 1e3);
	}
	print_stability(w);
	tcp_window_print(stdout, &w->tcp, seconds);
	fflush(stdout);
}

/*
 * Stops the workers: each socket's sending side is shut down, which tells
 * the server to stop; a stream worker reads (and verifies) what is still on
 * the way until the server closes, an rr worker finishes its round trip.
 * A worker still running after STOP_GRACE_S gets its socket shut down
 * completely. Returns the first worker failure's line, or NULL.
 */
static const char *stop_workers(struct client *cl, uint64_t started)
{
	const char *failure = NULL;
	struct timespec deadline;
	atomic_store_explicit(&cl->stop, true, memory_order_relaxed);
	for (uint64_t i = 0; i < cl->cfg.threads; i++)
		shutdown(cl->workers[i].fd, SHUT_WR);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += STOP_GRACE_S;
	for (uint64_t i = 0; i < started; i++) {
		struct worker *w = &cl->workers[i];
		if (pthread_timedjoin_np(w->thread, NULL, &deadline) != 0) {
			shutdown(w->fd, SHUT_RDWR);
			pthread_join(w->thread, NULL);
		}
		if (!failure && w->err[0])
			failure = w->err;
	}
	for (uint64_t i = 0; i < cl->cfg.threads; i++)
		close(cl->workers[i].fd);
	return failure;
}

static int connect_all(struct client *cl)
{
	char err[320];
	for (uint64_t i = 0; i < cl->cfg.threads; i++) {
		const struct strategy *s = NULL;
		int fd = open_connection(&cl->cfg, (uint32_t)i, &s, err, sizeof(err));
		if (fd < 0 || (cl->strategy && s != cl->strategy)) {
			fprintf(stderr, PROG ": %s\n",
				fd < 0 ? err : "server changed its strategy between connections");
			if (fd >= 0)
				close(fd);
			while (i-- > 0)
				close(cl->workers[i].fd);
			return -1;
		}
		cl->strategy = s;
		cl->workers[i].fd = fd;
		cl->workers[i].conn = (uint32_t)i;
		cl->workers[i].client = cl;
		histogram_init(&cl->workers[i].hist);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct client cl;
	static struct window w; /* static, as cl: what it holds lives until exit */
	char err[320] = "";
	int rc = parse_args(argc, argv, &cl.cfg);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (cl.cfg.pin && sched_setaffinity(0, sizeof(cl.cfg.cpus), &cl.cfg.cpus) < 0) {
		fprintf(stderr, PROG ": --cpus: %s\n", strerror(errno));
		return 2;
	}
	FILE *intervals_out = NULL;
	if (cl.cfg.intervals_out && !(intervals_out = fopen(cl.cfg.intervals_out, "we"))) {
		fprintf(stderr, PROG ": --intervals-out %s: %s\n", cl.cfg.intervals_out,
			strerror(errno));
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	w.len_ns = (uint64_t)llround(cl.cfg.duration * 1e9);
	w.interval_ns = (uint64_t)llround(cl.cfg.interval * 1e9);
	cl.alarm_fd = eventfd(0, EFD_CLOEXEC);
	cl.workers = aligned_alloc(64, sizeof(*cl.workers) * cl.cfg.threads);
	w.tcp0 = tcp_info_wanted() ? calloc(cl.cfg.threads, sizeof(*w.tcp0)) : NULL;
	tcp_window_init(&w.tcp);
	if (cl.alarm_fd < 0 || !cl.workers || (tcp_info_wanted() && !w.tcp0) ||
	    interval_series_init(&w.series, w.len_ns / w.interval_ns) < 0) {
		fprintf(stderr, PROG ": setup: %s\n", strerror(errno));
		return 1;
	}
	memset(cl.workers, 0, sizeof(*cl.workers) * cl.cfg.threads);
	if (connect_all(&cl) < 0)
		return 1;
	uint64_t started = 0;
	for (; started < cl.cfg.threads; started++) {
		rc = pthread_create(&cl.workers[started].thread, NULL, worker_main,
				    &cl.workers[started]);
		if (rc != 0) {
			snprintf(err, sizeof(err), "thread: %s", strerror(rc));
			break;
		}
	}
	rc = started == cl.cfg.threads ? measure(&cl, &w, err, sizeof(err)) : -1;
	const char *failure = stop_workers(&cl, started);
	if (rc < 0 || failure) {
		fprintf(stderr, PROG ": %s\n", failure ? failure : err[0] ? err : "failed");
		return 1;
	}
	if (intervals_out &&
	    (interval_series_write_csv(&w.series, intervals_out, cl.cfg.mode == MODE_RR) < 0 ||
	     fclose(intervals_out) != 0)) {
		fprintf(stderr, PROG ": --intervals-out %s: %s\n", cl.cfg.intervals_out,
			strerror(errno));
		return 1;
	}
	print_results(&cl, &w);
	interval_series_free(&w.series);
	return 0;
}
