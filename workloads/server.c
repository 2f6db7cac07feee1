/*
 * server.c — copyscope-server: sends messages with one strategy.
 *
 * One thread per accepted connection. Each connection opens with a hello
 * (hello.h) that is validated and bounded before anything is allocated; the
 * thread then sends messages until the client leaves (stream) or answers
 * each request with one message (rr); with --thread-cpus it first pins
 * itself to the CPU of the connection the hello names (conn=i), before it
 * allocates the connection's messages. The main thread only accepts, serves
 * the harness's control socket and waits for SIGTERM/SIGINT through a
 * signalfd; then it shuts every connection down, joins the threads, and
 * prints the totals as key=value lines.
 */
#include "ctl.h"
#include "hello.h"
#include "options.h"
#include "sockio.h"
#include "strategy.h"
#include "tcpinfo.h"
#include "wire.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define PROG		"copyscope-server"
#define HELLO_TIMEOUT_S 5.0
#define BUSY_POLL_US	50
/* Connections served at once: the client's --threads bound, and then some
 * room. One more is closed at once, so a flood of peers costs a bounded
 * number of threads. */
#define CONNS_MAX 1100

struct server_config {
	const struct strategy *strategy;
	const char *host, *port;
	int ctl_fd;
	bool pin, thread_pin;
	cpu_set_t cpus;			 /* --cpus */
	struct cpu_sequence thread_cpus; /* --thread-cpus */
	uint64_t mem_max; /* bytes of message pools all connections may hold together */
};

/* A connection's tx_stats as its thread last published them (after every
 * message and once more at the end), so that the main thread can sum them
 * at the window's edges while the thread runs. */
struct live_stats {
	_Atomic uint64_t msgs, bytes, zc_sends, zc_completions, zc_copied, zc_enobufs;
};

struct conn {
	struct conn *next;
	pthread_t thread;
	int fd; /* guarded by server.lock; -1 once the thread closed it */
	atomic_bool done;
	uint64_t mem;	       /* bytes reserved against server.mem_used */
	struct tx_stats stats; /* the thread's totals, valid once done */
	struct live_stats live;
	struct server *server;
	char peer[64];
	struct tcp_sample tcp_begin; /* TCP_INFO at the window's begin; have 0: none */
};

struct server {
	struct server_config cfg;
	atomic_bool stop;
	pthread_mutex_t lock;
	struct conn *conns;
	struct tx_stats totals;
	uint64_t nconns;
	unsigned live;		       /* connections in the list; main thread only */
	uint64_t refused;	       /* connections closed for CONNS_MAX */
	atomic_uint_fast64_t mem_used; /* bytes of message pools held now */
	struct cpu_time begin, end;
	struct tx_stats at_begin, at_end; /* counts at the window's edges */
	bool began, ended;
	double t_begin, t_end;	/* CLOCK_MONOTONIC seconds at the window's edges */
	struct tcp_window tcp;	/* connections open at both edges */
};

static void usage(FILE *f)
{
	char names[256];
	strategy_names(names, sizeof(names));
	fprintf(f,
		"usage: " PROG " --impl I [--host ADDR] [--port N] [--ctl-fd N]\n"
		"       [--cpus LIST | --thread-cpus LIST] [--max-mem MIB]\n"
		"       " PROG " --list-impls | --list-absent\n"
		"Sends messages to copyscope-client connections with one strategy.\n"
		"  --impl I      strategy: %s\n"
		"  --host ADDR   address to listen on (default 127.0.0.1)\n"
		"  --port N      port, 0..65535 (default 0: the kernel picks; see the first line)\n"
		"  --ctl-fd N    control socket from the harness: answers \"begin\"/\"end\" with "
		"\"ok\";\n"
		"                the totals then cover the window between them (conns: all)\n"
		"  --cpus LIST   pin every thread to these CPUs, e.g. 0 or 0-1,3\n"
		"  --thread-cpus LIST  pin the thread serving connection i (the hello's\n"
		"                conn=i) to the (i mod n)-th CPU of LIST, in LIST's order\n"
		"                (1,0: connection 0 on CPU 1), each CPU once; not with --cpus\n"
		"  --max-mem MIB message memory all connections may hold together (default:\n"
		"                half the RAM); a hello that would pass it is refused\n"
		"  --list-impls  print the strategies, one \"name alias\" a line, and exit\n"
		"  --list-absent print the strategies this build left out, one \"name alias why\"\n"
		"                a line (nothing when none), and exit\n"
		"  --help        this text\n"
		"Message size, mode, layout and busy polling come from each client's hello.\n"
		"Prints \"listening HOST:PORT\" first; on SIGTERM or SIGINT stops and prints\n"
		"impl= msgs= bytes= conns= utime_s= stime_s= (and zc_sends= zc_completions=\n"
		"zc_copied= zc_enobufs= for zero-copy strategies), one per line.\n",
		names);
}

static int parse_args(int argc, char **argv, struct server_config *cfg)
{
	static const struct option opts[] = {
	    {"impl", required_argument, 0, 'i'},
	    {"host", required_argument, 0, 'H'},
	    {"port", required_argument, 0, 'p'},
	    {"ctl-fd", required_argument, 0, 'c'},
	    {"cpus", required_argument, 0, 'C'},
	    {"thread-cpus", required_argument, 0, 'T'},
	    {"max-mem", required_argument, 0, 'm'},
	    {"list-impls", no_argument, 0, 'l'},
	    {"list-absent", no_argument, 0, 'L'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	uint64_t v;
	char names[256];
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	*cfg = (struct server_config){
	    .host = "127.0.0.1",
	    .port = "0",
	    .ctl_fd = -1,
	    .mem_max = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page / 2 : 1ull << 30,
	};
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, ":", opts, NULL)) != -1;) {
		switch (c) {
		case 'i':
			cfg->strategy = strategy_find(optarg);
			if (!cfg->strategy && strategy_absent(optarg)) {
				fprintf(stderr, PROG ": --impl %s: %s\n", optarg,
					strategy_absent(optarg));
				return 2;
			}
			if (!cfg->strategy) {
				strategy_names(names, sizeof(names));
				return bad_input(PROG, "--impl", optarg, names);
			}
			break;
		case 'H':
			cfg->host = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, 0, 65535, &v) < 0)
				return bad_input(PROG, "--port", optarg, "a port number 0..65535");
			cfg->port = optarg;
			break;
		case 'c':
			if (parse_uint(optarg, 0, 1 << 20, &v) < 0 || ctl_fd_valid((int)v) < 0)
				return bad_input(PROG, "--ctl-fd", optarg,
						 "an open file descriptor");
			cfg->ctl_fd = (int)v;
			break;
		case 'C':
			if (parse_cpu_option(PROG, optarg, &cfg->cpus))
				return 2;
			cfg->pin = true;
			break;
		case 'T':
			if (parse_thread_cpus_option(PROG, optarg, &cfg->thread_cpus))
				return 2;
			cfg->thread_pin = true;
			break;
		case 'm':
			if (parse_uint(optarg, 1, 1u << 24, &v) < 0)
				return bad_input(PROG, "--max-mem", optarg,
						 "MiB from 1 to 16777216");
			cfg->mem_max = v << 20;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'l':
			return strategy_list(stdout) ? 1 : -1;
		case 'L':
			return strategy_list_absent(stdout) ? 1 : -1;
		case ':':
			return bad_input(PROG, argv[optind - 1], NULL, "a value");
		default:
			return bad_input(PROG, argv[optind - 1], NULL,
					 "a known option (see --help)");
		}
	}
	if (optind < argc)
		return bad_input(PROG, argv[optind], NULL, "no arguments besides options");
	if (!cfg->strategy) {
		strategy_names(names, sizeof(names));
		return bad_input(PROG, "--impl", NULL, names);
	}
	if (cfg->pin && cfg->thread_pin)
		return bad_input(PROG, "--thread-cpus", NULL,
				 "either --cpus or --thread-cpus, not both");
	return 0;
}

static bool peer_left(int err)
{
	return err == EPIPE || err == ECONNRESET || err == ECANCELED;
}

static void reply(int fd, uint16_t status, uint16_t impl, uint32_t slots)
{
	unsigned char buf[HELLO_REPLY_SIZE];
	hello_reply_encode(&(struct hello_reply){.status = status, .impl = impl, .slots = slots},
			   buf);
	(void)send_full(fd, buf, sizeof(buf)); /* the peer may be gone: nothing to do */
}

/* Reads and checks the hello; on failure answers when the peer deserves it. */
static int read_hello(int fd, struct hello *h, char *err, size_t errlen)
{
	unsigned char buf[HELLO_SIZE];
	uint16_t status;
	if (sock_set_rcvtimeo(fd, HELLO_TIMEOUT_S) < 0) {
		snprintf(err, errlen, "SO_RCVTIMEO: %s", strerror(errno));
		return -1;
	}
	int r = recv_full(fd, buf, sizeof(buf), false);
	if (r <= 0) {
		snprintf(err, errlen, "hello: %s",
			 r == 0		       ? "connection closed before it"
			 : errno == EAGAIN     ? "none within 5 s"
			 : errno == ECONNRESET ? "truncated (connection closed inside it)"
					       : strerror(errno));
		return -1;
	}
	if (hello_decode(buf, sizeof(buf), h, &status, err, errlen) < 0) {
		if (status != HELLO_OK)
			reply(fd, status, 0, 0);
		return -1;
	}
	if (sock_set_rcvtimeo(fd, 0) < 0) {
		snprintf(err, errlen, "SO_RCVTIMEO: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Has the client closed its side (its way of saying "stop")? One
 * non-blocking peek; a stream client never sends anything after its hello. */
static int peer_finished(int fd)
{
	char b;
	ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0)
		return 1;
	if (n > 0) {
		errno = EPROTO;
		return -1;
	}
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : 1;
}

static void publish(struct conn *c, const struct tx_stats *t)
{
	struct live_stats *l = &c->live;
	atomic_store_explicit(&l->msgs, t->msgs, memory_order_relaxed);
	atomic_store_explicit(&l->bytes, t->bytes, memory_order_relaxed);
	atomic_store_explicit(&l->zc_sends, t->zc_sends, memory_order_relaxed);
	atomic_store_explicit(&l->zc_completions, t->zc_completions, memory_order_relaxed);
	atomic_store_explicit(&l->zc_copied, t->zc_copied, memory_order_relaxed);
	atomic_store_explicit(&l->zc_enobufs, t->zc_enobufs, memory_order_relaxed);
}

/* One message with the connection's strategy, counted and published: 1 sent,
 * 0 the peer left, -1 an error (err). */
static int send_one(struct conn *c, struct tx *tx, uint32_t seq, char *err, size_t errlen)
{
	if (c->server->cfg.strategy->send(tx, seq) < 0) {
		if (peer_left(errno))
			return 0;
		snprintf(err, errlen, "send: %s", strerror(errno));
		return -1;
	}
	tx->stats.msgs++;
	tx->stats.bytes += tx->slots[0].size;
	publish(c, &tx->stats);
	return 1;
}

/*
 * Sends until the client shuts its side down, then returns so that teardown
 * waits for the last zero-copy completions while the client reads what is
 * still queued: no buffer is left in flight, and no data is thrown away (a
 * purged buffer would report "not copied" and skew zc_copied). Looking for
 * the client's FIN costs one syscall per `every` messages (at most 4 MiB
 * apart), the same for every strategy.
 */
static int serve_stream(struct conn *c, struct tx *tx, char *err, size_t errlen)
{
	size_t size = tx->slots[0].size;
	uint32_t every = size >= (4u << 20) ? 1 : (4u << 20) / size > 64 ? 64 : (4u << 20) / size;
	for (uint32_t seq = 0; !atomic_load_explicit(&c->server->stop, memory_order_relaxed);
	     seq++) {
		int fin = seq % every == 0 ? peer_finished(tx->fd) : 0;
		if (fin < 0) {
			snprintf(err, errlen, "stream client sent data after its hello");
			return -1;
		}
		if (fin > 0)
			return 0;
		int sent = send_one(c, tx, seq, err, errlen);
		if (sent <= 0)
			return sent;
	}
	return 0;
}

static int serve_rr(struct conn *c, struct tx *tx, bool spin, char *err, size_t errlen)
{
	unsigned char req[RR_REQUEST_SIZE];
	uint32_t seq;
	for (;;) {
		int r = recv_full(tx->fd, req, sizeof(req), spin);
		if (r == 0 || (r < 0 && peer_left(errno)))
			return 0;
		if (r < 0) {
			snprintf(err, errlen, "request: %s", strerror(errno));
			return -1;
		}
		if (rr_request_decode(req, &seq) < 0) {
			snprintf(err, errlen, "malformed rr request");
			return -1;
		}
		int sent = send_one(c, tx, seq, err, errlen);
		if (sent <= 0)
			return sent;
	}
}

/* Socket options the hello asked for; the reply status when refused. */
static int apply_hello(int fd, const struct hello *h, char *err, size_t errlen)
{
	if (h->mode == MODE_RR && sock_set_nodelay(fd) < 0) {
		snprintf(err, errlen, "TCP_NODELAY: %s", strerror(errno));
		return -1;
	}
	if ((h->flags & HELLO_F_BUSY_POLL) && sock_set_busy_poll(fd, BUSY_POLL_US) < 0) {
		snprintf(err, errlen, "SO_BUSY_POLL: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* What a connection's message pool takes: slots x size, each rounded up to pages. */
static uint64_t pool_bytes(const struct hello *h, const struct strategy *s)
{
	uint64_t per = (h->size + 8 * 4096 + 4095) & ~(uint64_t)4095; /* fields, page-rounded */
	return per * s->slots_for(h->size);
}

/* Every size a peer sends is bounded one by one (hello.h); this bounds their
 * sum, so many peers cannot make the server allocate without limit. */
static int reserve_memory(struct server *sv, const struct hello *h, const struct strategy *s,
			  char *err, size_t errlen)
{
	uint64_t need = pool_bytes(h, s);
	uint64_t used = atomic_fetch_add(&sv->mem_used, need);
	if (used + need <= sv->cfg.mem_max)
		return 0;
	atomic_fetch_sub(&sv->mem_used, need);
	snprintf(err, errlen,
		 "hello asks for %llu MiB of messages; %llu of the %llu MiB allowed (--max-mem) "
		 "are taken",
		 (unsigned long long)(need >> 20), (unsigned long long)(used >> 20),
		 (unsigned long long)(sv->cfg.mem_max >> 20));
	return -1;
}

/* Names the thread after the connection the hello names and, with
 * --thread-cpus, pins it to that connection's CPU. */
static int place_thread(const struct server_config *cfg, const struct hello *h, char *err,
			size_t errlen)
{
	name_connection_thread("srv", h->conn);
	if (!cfg->thread_pin || pin_connection_thread(&cfg->thread_cpus, h->conn) == 0)
		return 0;
	snprintf(err, errlen, "connection %u: --thread-cpus: CPU %d: %s", h->conn,
		 cpu_sequence_at(&cfg->thread_cpus, h->conn), strerror(errno));
	return -1;
}

static int serve(struct conn *c, char *err, size_t errlen)
{
	const struct strategy *s = c->server->cfg.strategy;
	struct hello h;
	struct tx tx;
	if (read_hello(c->fd, &h, err, errlen) < 0)
		return -1;
	if (place_thread(&c->server->cfg, &h, err, errlen) < 0) {
		reply(c->fd, HELLO_UNSUPPORTED, 0, 0);
		return -1;
	}
	if (apply_hello(c->fd, &h, err, errlen) < 0) {
		reply(c->fd, HELLO_UNSUPPORTED, 0, 0);
		return -1;
	}
	if (reserve_memory(c->server, &h, s, err, errlen) < 0) {
		reply(c->fd, HELLO_NO_MEMORY, 0, 0);
		return -1;
	}
	c->mem = pool_bytes(&h, s);
	if (tx_open(&tx, s, c->fd, h.conn, h.size, h.layout, err, errlen) < 0) {
		char ignored[256];
		reply(c->fd, errno == ENOMEM ? HELLO_NO_MEMORY : HELLO_UNSUPPORTED, 0, 0);
		tx_close(&tx, s, ignored, sizeof(ignored));
		return -1;
	}
	tx.stop = &c->server->stop;
	reply(c->fd, HELLO_OK, strategy_info_of(s)->wire_id, tx.nslots);
	bool spin = h.flags & HELLO_F_BUSY_POLL;
	int rc = h.mode == MODE_RR ? serve_rr(c, &tx, spin, err, errlen)
				   : serve_stream(c, &tx, err, errlen);
	char close_err[256];
	if (tx_close(&tx, s, close_err, sizeof(close_err)) < 0) {
		size_t used = rc < 0 ? strlen(err) : 0;
		snprintf(err + used, errlen - used, "%s%s", used ? "; " : "", close_err);
		rc = -1;
	}
	c->stats = tx.stats;
	publish(c, &c->stats);
	return rc;
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	char err[512] = "";
	if (serve(c, err, sizeof(err)) < 0)
		fprintf(stderr, PROG ": %s: %s\n", c->peer, err);
	atomic_fetch_sub(&c->server->mem_used, c->mem);
	pthread_mutex_lock(&c->server->lock);
	close(c->fd);
	c->fd = -1;
	pthread_mutex_unlock(&c->server->lock);
	atomic_store_explicit(&c->done, true, memory_order_release);
	return NULL;
}

static void add_stats(struct tx_stats *to, const struct tx_stats *from)
{
	to->msgs += from->msgs;
	to->bytes += from->bytes;
	to->zc_sends += from->zc_sends;
	to->zc_completions += from->zc_completions;
	to->zc_copied += from->zc_copied;
	to->zc_enobufs += from->zc_enobufs;
}

/* Joins the threads that finished (all of them with `all`), adding their
 * totals. Called by the main thread only. */
static void reap(struct server *sv, bool all)
{
	for (struct conn **pc = &sv->conns; *pc;) {
		struct conn *c = *pc;
		if (!all && !atomic_load_explicit(&c->done, memory_order_acquire)) {
			pc = &c->next;
			continue;
		}
		pthread_join(c->thread, NULL);
		add_stats(&sv->totals, &c->stats);
		*pc = c->next;
		free(c);
		sv->live--;
	}
}

static void accept_one(struct server *sv, int listen_fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = accept4(listen_fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) {
			fprintf(stderr, PROG ": accept: %s\n", strerror(errno));
			usleep(10000); /* EMFILE and friends: do not spin */
		}
		return;
	}
	reap(sv, false);
	if (sv->live >= CONNS_MAX) {
		close(fd); /* a flood: the peers already served keep their threads */
		if (!sv->refused++)
			fprintf(stderr,
				PROG ": more than %d connections at once: closing new ones\n",
				CONNS_MAX);
		return;
	}
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		fprintf(stderr, PROG ": connection: %s\n", strerror(ENOMEM));
		close(fd);
		return;
	}
	c->fd = fd;
	c->server = sv;
	if (sock_peer_name(fd, c->peer, sizeof(c->peer)) < 0)
		snprintf(c->peer, sizeof(c->peer), "peer");
	int rc = pthread_create(&c->thread, NULL, conn_main, c);
	if (rc != 0) {
		fprintf(stderr, PROG ": thread: %s\n", strerror(rc));
		close(fd);
		free(c);
		return;
	}
	c->next = sv->conns;
	sv->conns = c;
	sv->nconns++;
	sv->live++;
}

/* What every connection sent so far: the reaped ones' totals plus what the
 * live ones published. Main thread only (it alone changes the list). */
static void count_now(const struct server *sv, struct tx_stats *t)
{
	*t = sv->totals;
	for (const struct conn *c = sv->conns; c; c = c->next) {
		const struct live_stats *l = &c->live;
		t->msgs += atomic_load_explicit(&l->msgs, memory_order_relaxed);
		t->bytes += atomic_load_explicit(&l->bytes, memory_order_relaxed);
		t->zc_sends += atomic_load_explicit(&l->zc_sends, memory_order_relaxed);
		t->zc_completions += atomic_load_explicit(&l->zc_completions, memory_order_relaxed);
		t->zc_copied += atomic_load_explicit(&l->zc_copied, memory_order_relaxed);
		t->zc_enobufs += atomic_load_explicit(&l->zc_enobufs, memory_order_relaxed);
	}
}

/* Every open connection's TCP_INFO at one edge of the window (tcpinfo.h),
 * read under the lock its thread closes its fd under. */
static void tcp_edge(struct server *sv, int end)
{
	if (!tcp_info_wanted())
		return;
	if (!end)
		tcp_window_init(&sv->tcp);
	(end ? &sv->t_end : &sv->t_begin)[0] = tx_now_s();
	pthread_mutex_lock(&sv->lock);
	for (struct conn *c = sv->conns; c; c = c->next)
		tcp_window_edge(&sv->tcp, c->fd, &c->tcp_begin, end);
	pthread_mutex_unlock(&sv->lock);
}

/* One line from the harness: "begin" or "end". Returns -1 when the control
 * socket is finished with (EOF or error). */
static int serve_ctl(struct server *sv, int fd, struct ctl_reader *rd)
{
	char line[CTL_LINE_MAX];
	int r, more = 1;
	while ((r = ctl_next_line(rd, fd, more, line, sizeof(line))) == 1) {
		more = 0;
		struct cpu_time *t = strcmp(line, CTL_BEGIN) == 0 ? &sv->begin
				     : strcmp(line, CTL_END) == 0   ? &sv->end
								: NULL;
		if (!t) {
			fprintf(stderr, PROG ": control socket: unknown line \"%s\"\n", line);
			continue;
		}
		/* TCP_INFO before the "ok": once the harness has it, the client may
		 * shut its connections down, and their fds be closed under us */
		tcp_edge(sv, t == &sv->end);
		if (cpu_time_now(t) < 0 || ctl_ok(fd) < 0) {
			fprintf(stderr, PROG ": control socket: %s\n", strerror(errno));
			return -1;
		}
		count_now(sv, t == &sv->begin ? &sv->at_begin : &sv->at_end);
		if (t == &sv->begin) {
			sv->began = true;
			sv->ended = false;
		} else {
			sv->ended = sv->began;
		}
	}
	if (r == -1)
		fprintf(stderr, PROG ": control socket: %s\n",
			errno ? strerror(errno) : "line too long");
	return r == 0 ? 0 : -1;
}

/* Accepts and serves the control socket until a signal arrives. */
static int run(struct server *sv, int listen_fd, int sig_fd)
{
	struct ctl_reader rd = {0};
	struct pollfd pf[3] = {
	    {.fd = listen_fd, .events = POLLIN},
	    {.fd = sig_fd, .events = POLLIN},
	    {.fd = sv->cfg.ctl_fd, .events = POLLIN},
	};
	for (;;) {
		if (poll(pf, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			return 1;
		}
		if (pf[1].revents)
			return 0;
		if (pf[0].revents)
			accept_one(sv, listen_fd);
		if (pf[2].revents && serve_ctl(sv, pf[2].fd, &rd) < 0)
			pf[2].fd = -1;
	}
}

static void stop_all(struct server *sv)
{
	atomic_store_explicit(&sv->stop, true, memory_order_relaxed);
	pthread_mutex_lock(&sv->lock);
	for (struct conn *c = sv->conns; c; c = c->next) {
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR); /* wakes a thread blocked in send/recv */
	}
	pthread_mutex_unlock(&sv->lock);
	reap(sv, true);
}

/* With a window (begin and end on the control socket), every count and the
 * CPU time cover it; else the server's whole life. conns is always the whole. */
static void print_totals(const struct server *sv, const struct cpu_time *start,
			 const struct cpu_time *now)
{
	const struct cpu_time *a = sv->began ? &sv->begin : start;
	const struct cpu_time *b = sv->ended ? &sv->end : now;
	static const struct tx_stats none;
	const struct tx_stats *from = sv->began ? &sv->at_begin : &none;
	const struct tx_stats *to = sv->ended ? &sv->at_end : &sv->totals;
	printf(KEY_IMPL "=%s\n" KEY_MSGS "=%llu\n" KEY_BYTES "=%llu\n" KEY_CONNS "=%llu\n" KEY_UTIME_S
			"=%.6f\n" KEY_STIME_S "=%.6f\n",
	       sv->cfg.strategy->name, (unsigned long long)(to->msgs - from->msgs),
	       (unsigned long long)(to->bytes - from->bytes), (unsigned long long)sv->nconns,
	       b->user - a->user, b->sys - a->sys);
	if (strategy_info_of(sv->cfg.strategy)->zerocopy)
		printf(KEY_ZC_SENDS "=%llu\n" KEY_ZC_COMPLETIONS "=%llu\n" KEY_ZC_COPIED
				    "=%llu\n" KEY_ZC_ENOBUFS "=%llu\n",
		       (unsigned long long)(to->zc_sends - from->zc_sends),
		       (unsigned long long)(to->zc_completions - from->zc_completions),
		       (unsigned long long)(to->zc_copied - from->zc_copied),
		       (unsigned long long)(to->zc_enobufs - from->zc_enobufs));
	if (sv->began && sv->ended)
		tcp_window_print(stdout, &sv->tcp, sv->t_end - sv->t_begin);
	fflush(stdout);
}

/* SIGTERM/SIGINT go to a signalfd (blocked in every thread, which inherit
 * the mask); SIGPIPE is ignored (sends use MSG_NOSIGNAL anyway). */
static int signals_to_fd(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

int main(int argc, char **argv)
{
	static struct server sv;
	char err[256], name[128];
	int rc = parse_args(argc, argv, &sv.cfg);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (sv.cfg.pin && sched_setaffinity(0, sizeof(sv.cfg.cpus), &sv.cfg.cpus) < 0) {
		fprintf(stderr, PROG ": --cpus: %s\n", strerror(errno));
		return 2;
	}
	if (sv.cfg.strategy->check && sv.cfg.strategy->check(err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", sv.cfg.strategy->name, err);
		return 1;
	}
	pthread_mutex_init(&sv.lock, NULL);
	int sig_fd = signals_to_fd();
	if (sig_fd < 0) {
		fprintf(stderr, PROG ": signalfd: %s\n", strerror(errno));
		return 1;
	}
	int listen_fd = sock_listen(sv.cfg.host, sv.cfg.port, err, sizeof(err));
	if (listen_fd < 0) {
		fprintf(stderr, PROG ": listen %s\n", err);
		return 1;
	}
	if (sock_local_name(listen_fd, name, sizeof(name)) < 0) {
		fprintf(stderr, PROG ": getsockname: %s\n", strerror(errno));
		return 1;
	}
	printf(WIRE_LISTENING " %s\n", name);
	fflush(stdout);
	struct cpu_time start, now;
	cpu_time_now(&start);
	rc = run(&sv, listen_fd, sig_fd);
	close(listen_fd);
	stop_all(&sv);
	if (cpu_time_now(&now) < 0) {
		fprintf(stderr, PROG ": getrusage: %s\n", strerror(errno));
		return 1;
	}
	print_totals(&sv, &start, &now);
	return rc;
}
