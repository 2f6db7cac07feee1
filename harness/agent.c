/*
 * agent — `copyscope agent`: the server side of runs whose harness is on
 * another host (agentwire.h is the protocol, docs/remote.md the why).
 *
 * One harness at a time, in one thread. A connection is not the session's
 * until it has proved it holds the key: up to PENDING_MAX peers go through
 * the handshake at once in the one poll loop, each with its own deadline and
 * buffer, none able to hold the agent or the session's slot (a silent one is
 * dropped at its deadline; the rest go on meanwhile). A session is served to
 * its end while the listening socket and the pending peers are still polled,
 * so that a second harness is told "busy" at once instead of waiting in the
 * backlog. A session runs at most one
 * copyscope-server, started as run.c starts it (spawn.h: held before exec
 * until its counters are open, PR_SET_PDEATHSIG), and whatever ends the
 * session ends and reaps it: no server outlives its session, nor the agent.
 * The agent runs no other program, and never a shell.
 *
 * Every refused or failed connection is one line on stderr naming the peer,
 * at a bounded rate for those refused before or at authentication (anyone can
 * make them: LOG_BURST, then one a second, then a line that sums up the
 * rest); a session that ended well is one line too (not with --quiet).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agentwire.h"
#include "commands.h"
#include "counters.h"
#include "cpulist.h"
#include "eventfile.h"
#include "hostdesc.h"
#include "oncpu.h"
#include "opttable.h"
#include "programs.h"
#include "spawn.h"
#include "units.h"
#include "wire.h"

#define PROG	       "copyscope agent"
#define LISTEN_DEFAULT "127.0.0.1"
/* A request outside a run: a harness sends DESCRIBE, EVENTS and RUN back to
 * back, so one that stays silent longer is gone or stuck, and holds the agent. */
#define IDLE_S AGENTWIRE_ANSWER_S
/* The server's ok to a control word: under the harness's wait for our answer,
 * so that it hears why rather than timing out. */
#define CTL_TIMEOUT_S  (AGENTWIRE_ANSWER_S - 1.0)
#define STOP_TIMEOUT_S 10.0 /* SIGTERM to exit, as run.c; under AGENTWIRE_STOP_S */
#define DEATH_GRACE_S  0.5  /* a control word unanswered: did the server die? */
#define WAKE_MS	       250  /* longest sleep in poll: bounds how late a stop is seen */
#define PEER_MAX       96   /* struct agentwire's peer */
#define PENDING_MAX    8    /* handshakes at once; one more drops the oldest */
/* A frame before authentication at most: AUTH is two 64-digit values */
#define AUTH_PAYLOAD_MAX 512
/* Lines about connections refused before authentication, per kind: a burst
 * (what a test's sequence of refusals makes), then one each LOG_EVERY_S; the
 * rest are counted and summed up in one line LOG_SUM_S after the first left out. */
#define LOG_BURST   10
#define LOG_EVERY_S 1.0
#define LOG_SUM_S   5.0

static volatile sig_atomic_t stop_signal; /* SIGINT or SIGTERM, once one came */

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_pipe(int sig)
{
	(void)sig;
}

/* No SA_RESTART: poll() returns at once. SIGPIPE gets a handler that does
 * nothing rather than SIG_IGN, which the server would inherit across exec. */
static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_pipe;
	sigaction(SIGPIPE, &sa, NULL);
}

static void say_v(const char *fmt, va_list ap);

static const char *stop_name(void)
{
	return stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
}

/* One line on stderr: "copyscope agent: ...". What a peer sent can reach it
 * (an event name in a parser's message): no byte of it may steer a terminal. */
static __attribute__((format(printf, 1, 2))) void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say_v(fmt, ap);
	va_end(ap);
}

static void say_v(const char *fmt, va_list ap)
{
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	for (char *p = line; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	fprintf(stderr, PROG ": %s\n", line);
}

/* --- addresses ------------------------------------------------------------------ */

struct endpoint {
	char host[INET6_ADDRSTRLEN];
	unsigned port;
	int v6;
};

/* A v4-mapped IPv6 address reads as IPv4: the server binds it, hostdesc finds
 * its interface, and a reader recognises it. */
static void endpoint_of(const struct sockaddr_storage *ss, struct endpoint *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->host, sizeof(e->host), "?");
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;
		e->port = ntohs(a->sin_port);
		inet_ntop(AF_INET, &a->sin_addr, e->host, sizeof(e->host));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		e->port = ntohs(a->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
			inet_ntop(AF_INET, a->sin6_addr.s6_addr + 12, e->host, sizeof(e->host));
			return;
		}
		e->v6 = 1;
		inet_ntop(AF_INET6, &a->sin6_addr, e->host, sizeof(e->host));
	}
}

/* "ADDR:PORT", "[ADDR]:PORT" for IPv6. */
static void endpoint_text(const struct endpoint *e, char *buf, size_t len)
{
	snprintf(buf, len, e->v6 ? "[%s]:%u" : "%s:%u", e->host, e->port);
}

static int is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;
		return ntohl(a->sin_addr.s_addr) >> 24 == 127;
	}
	const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

/*
 * --listen: "ADDR", "ADDR:PORT", "[ADDR]:PORT", "[ADDR]", or an IPv6 address
 * without brackets (then without a port); ADDR numeric, so that what is bound
 * is what was typed. 0, or -1: not such an address.
 */
static int listen_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *sslen)
{
	const char *host = spec, *port = AGENTWIRE_PORT;
	size_t hlen;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || (close[1] && close[1] != ':'))
			return -1;
		host = spec + 1;
		hlen = (size_t)(close - host);
		if (close[1])
			port = close + 2;
	} else {
		const char *colon = strchr(spec, ':');
		int one_colon = colon && !strchr(colon + 1, ':');
		hlen = one_colon ? (size_t)(colon - spec) : strlen(spec);
		if (one_colon)
			port = colon + 1;
	}
	char text[INET6_ADDRSTRLEN];
	uint64_t p;
	if (hlen == 0 || hlen >= sizeof(text) || parse_uint(port, 0, 65535, &p))
		return -1;
	memcpy(text, host, hlen);
	text[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	struct in_addr a4;
	struct in6_addr a6;
	if (spec[0] != '[' && inet_pton(AF_INET, text, &a4) == 1) {
		struct sockaddr_in sin = {
		    .sin_family = AF_INET, .sin_port = htons((uint16_t)p), .sin_addr = a4};
		memcpy(ss, &sin, sizeof(sin));
		*sslen = sizeof(sin);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &a6) == 1) {
		struct sockaddr_in6 sin6 = {
		    .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)p), .sin6_addr = a6};
		memcpy(ss, &sin6, sizeof(sin6));
		*sslen = sizeof(sin6);
		return 0;
	}
	return -1;
}

/* The listening socket, non-blocking (a connection reset before accept()
 * must not stall the session in progress). fd, or -1 with err. */
static int listen_open(const char *spec, const struct sockaddr_storage *ss, socklen_t sslen,
		       char *err, size_t errlen)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)ss, sslen) || listen(fd, 16)) {
		snprintf(err, errlen, "--listen %s: cannot listen there: %s", spec,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void say_listening(int fd)
{
	struct sockaddr_storage ss;
	socklen_t n = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	getsockname(fd, (struct sockaddr *)&ss, &n);
	struct endpoint e;
	char text[PEER_MAX];
	endpoint_of(&ss, &e);
	endpoint_text(&e, text, sizeof(text));
	if (is_loopback(&ss))
		say("listening on %s (loopback only: other hosts cannot reach it; --listen ADDR to "
		    "accept them)",
		    text);
	else
		say("listening on %s", text);
}

/* The next connection, close-on-exec, and its peer's "ADDR:PORT". fd or -1. */
static int accept_peer(int listen_fd, char *peer, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t n = sizeof(ss);
	/* non-blocking: a peer's reads before authentication must never wait, and
	 * agentwire's reads and sends wait in poll() */
	int fd = accept4(listen_fd, (struct sockaddr *)&ss, &n, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return -1;
	struct endpoint e;
	endpoint_of(&ss, &e);
	endpoint_text(&e, peer, len);
	return fd;
}

/* --- a session ------------------------------------------------------------------ */

/* Kinds of refusal before or at authentication, each rate-limited on its own. */
enum refusal { R_BUSY, R_FULL, R_AUTH, R_PROTOCOL, R_TIMEOUT, R_CLOSED, R_KINDS };

static const char *const refusal_sum[R_KINDS] = {
    [R_BUSY] = "connections refused (busy)",
    [R_FULL] = "connections dropped (too many handshakes at once)",
    [R_AUTH] = "connections refused (wrong key)",
    [R_PROTOCOL] = "connections refused (protocol)",
    [R_TIMEOUT] = "connections dropped (handshake time-out)",
    [R_CLOSED] = "connections closed during the handshake",
};

struct log_limit {
	double tokens, last; /* lines it may write now; when it was last asked */
	unsigned long left_out;
	double since; /* the first left out */
};

/* A peer in the handshake: HELLO sent, its AUTH read as it comes. */
struct pending {
	struct agentwire w; /* w.fd -1: a free slot */
	double deadline;
	size_t got;
	unsigned char buf[AGENTWIRE_HEADER + AUTH_PAYLOAD_MAX];
};

struct agent {
	int listen_fd;
	struct agentwire_key key;
	int quiet;
	struct pending pending[PENDING_MAX];
	struct log_limit limit[R_KINDS];
};

/* A line about a refused connection, unless its kind has had its share. */
static __attribute__((format(printf, 3, 4))) void refusal_say(struct agent *a, enum refusal kind,
							      const char *fmt, ...)
{
	struct log_limit *l = &a->limit[kind];
	double now = spawn_now();
	l->tokens = l->last == 0 ? LOG_BURST : l->tokens + (now - l->last) / LOG_EVERY_S;
	if (l->tokens > LOG_BURST)
		l->tokens = LOG_BURST;
	l->last = now;
	if (l->tokens < 1) {
		if (l->left_out++ == 0)
			l->since = now;
		return;
	}
	l->tokens -= 1;
	va_list ap;
	va_start(ap, fmt);
	say_v(fmt, ap);
	va_end(ap);
}

/* The lines left out, summed up per kind: LOG_SUM_S after the first, or all now. */
static void refusals_sum(struct agent *a, int now_all)
{
	double now = spawn_now();
	for (int k = 0; k < R_KINDS; k++) {
		struct log_limit *l = &a->limit[k];
		if (!l->left_out || (!now_all && now - l->since < LOG_SUM_S))
			continue;
		double span = now - l->since < 1 ? 1 : now - l->since;
		say("%lu more %s in the last %.0f s, not logged one by one", l->left_out,
		    refusal_sum[k], span);
		l->left_out = 0;
	}
}

/* --- peers in the handshake ------------------------------------------------------ */

static void pending_close(struct pending *p)
{
	close(p->w.fd);
	p->w.fd = -1;
	p->got = 0;
}

/*
 * Logs how a pending peer's handshake ended (why as agentwire_auth_check's;
 * holder the session's peer when busy) and closes it. What it was due has
 * been sent already.
 */
static void pending_end(struct agent *a, struct pending *p, const char *why, const char *err,
			const char *holder)
{
	const char *peer = p->w.peer, *detail = err;
	size_t n = strlen(peer);
	if (!strncmp(err, peer, n) && !strncmp(err + n, ": ", 2))
		detail = err + n + 2;
	if (!strcmp(why, "auth"))
		refusal_say(a, R_AUTH, "%s: refused: wrong key", peer);
	else if (!strcmp(why, "busy"))
		refusal_say(a, R_BUSY, "%s: refused: busy (a session with %s is running)", peer,
			    holder ? holder : "?");
	else if (!strcmp(why, "closed"))
		refusal_say(a, R_CLOSED, "%s: closed during the handshake", peer);
	else if (!strcmp(why, "timeout"))
		refusal_say(a, R_TIMEOUT, "%s: timeout: %s", peer, detail);
	else if (!strcmp(why, "protocol") || !strcmp(why, "version"))
		refusal_say(a, R_PROTOCOL, "%s: protocol: %s", peer, detail);
	else /* it sent ERROR */
		refusal_say(a, R_CLOSED, "%s: the harness ended the session: %s", peer, detail);
	pending_close(p);
}

/* Refuses a pending peer with ERROR reason=why detail=detail. */
static void pending_refuse(struct agent *a, struct pending *p, const char *why, const char *detail)
{
	agentwire_send_error(&p->w, why, detail);
	pending_end(a, p, why, detail, NULL);
}

/* A connection waiting on the listening socket, outside a session: HELLO at
 * once, and a slot; with PENDING_MAX under way, the oldest's. */
static void pending_accept(struct agent *a)
{
	char peer[PEER_MAX], err[512];
	int fd = accept_peer(a->listen_fd, peer, sizeof(peer));
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			say("cannot accept: %s", strerror(errno));
			poll(NULL, 0, 100); /* EMFILE and the like: do not spin */
		}
		return;
	}
	struct pending *p = NULL, *oldest = &a->pending[0];
	for (int i = 0; i < PENDING_MAX && !p; i++) {
		if (a->pending[i].w.fd < 0)
			p = &a->pending[i];
		else if (a->pending[i].deadline < oldest->deadline)
			oldest = &a->pending[i];
	}
	if (!p) {
		/* the oldest makes room, not the newcomer: a harness authenticates in
		 * one round trip, so peers that only hold their slots cannot shut it out */
		p = oldest;
		agentwire_send_error(&p->w, "busy", "too many handshakes at once");
		refusal_say(a, R_FULL, "%s: dropped: %d handshakes under way, this one the oldest",
			    p->w.peer, PENDING_MAX);
		pending_close(p);
	}
	agentwire_init(&p->w, fd, 1, peer);
	p->got = 0;
	p->deadline = spawn_now() + AGENTWIRE_HANDSHAKE_S;
	if (agentwire_hello_send(&p->w, err, sizeof(err)))
		pending_end(a, p, "closed", err, NULL);
}

/* The peer's frame is whole: WELCOME (1) or its end (0). */
static int pending_auth(struct agent *a, struct pending *p, const struct agentwire_frame *f,
			const char *holder)
{
	char err[512];
	const char *why = "protocol";
	if (!agentwire_auth_check(&p->w, &a->key, f,
				  holder ? "another harness's session is running" : NULL, &why, err,
				  sizeof(err)))
		return 1;
	pending_end(a, p, why, err, holder);
	return 0;
}

/* Reads what a readable pending peer sent, never waiting: -1 it ended, 0 it
 * goes on, 1 it was welcomed (its session may begin). */
static int pending_read(struct agent *a, struct pending *p, const char *holder)
{
	char err[512];
	const char *why = "protocol";
	for (;;) {
		struct agentwire_frame f;
		size_t need;
		int rc = agentwire_frame_parse(p->buf, p->got, &need, &f, &why, err, sizeof(err));
		if (rc == 1) {
			rc = pending_auth(a, p, &f, holder);
			agentwire_frame_free(&f);
			return rc ? 1 : -1;
		}
		if (rc < 0) {
			pending_refuse(a, p, why, err);
			return -1;
		}
		if (need > sizeof(p->buf)) {
			snprintf(err, sizeof(err),
				 "a frame of %zu bytes before authentication; at most %d",
				 need - AGENTWIRE_HEADER, AUTH_PAYLOAD_MAX);
			pending_refuse(a, p, "protocol", err);
			return -1;
		}
		ssize_t r = read(p->w.fd, p->buf + p->got, need - p->got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r > 0) {
			p->got += (size_t)r;
			continue;
		}
		if (r < 0 || p->got == 0) {
			pending_end(a, p, "closed", r < 0 ? strerror(errno) : "", NULL);
			return -1;
		}
		snprintf(err, sizeof(err),
			 "closed the connection inside a frame (%zu of %zu bytes of it)", p->got,
			 need);
		pending_refuse(a, p, "protocol", err);
		return -1;
	}
}

/* The pending peers' slots in a poll set: PENDING_MAX entries from p. */
static void pendings_poll(const struct agent *a, struct pollfd *p)
{
	for (int i = 0; i < PENDING_MAX; i++)
		p[i] = (struct pollfd){.fd = a->pending[i].w.fd, .events = POLLIN};
}

/*
 * Serves the pending peers poll found readable (p from pendings_poll; NULL:
 * none polled), and drops those past their deadline. holder: the session's
 * peer, while one is held (a peer that authenticates is told busy). The number
 * of handshakes that ended; *welcomed (outside a session) the peer welcomed,
 * if one was: the caller's to serve, its slot free.
 */
static int pendings_serve(struct agent *a, const struct pollfd *p, const char *holder,
			  struct agentwire *welcomed, int *got_welcomed)
{
	int ended = 0;
	double now = spawn_now();
	for (int i = 0; i < PENDING_MAX; i++) {
		struct pending *q = &a->pending[i];
		if (q->w.fd < 0)
			continue;
		if (p && p[i].fd == q->w.fd && p[i].revents && (!got_welcomed || !*got_welcomed)) {
			int rc = pending_read(a, q, holder);
			if (rc < 0)
				ended++;
			if (rc > 0) {
				*welcomed = q->w;
				*got_welcomed = 1;
				q->w.fd = -1; /* the session's now */
				q->got = 0;
			}
			if (rc)
				continue;
		}
		if (now >= q->deadline) {
			char detail[128];
			snprintf(detail, sizeof(detail), "no AUTH within %g s (%zu bytes came)",
				 AGENTWIRE_HANDSHAKE_S, q->got);
			pending_refuse(a, q, "timeout", detail);
			ended++;
		}
	}
	return ended;
}

/* Every pending peer told why the agent ends (stopped: a signal) or closed. */
static void pendings_end(struct agent *a, int stopped)
{
	char detail[64];
	snprintf(detail, sizeof(detail), "the agent was stopped (%s)", stop_name());
	for (int i = 0; i < PENDING_MAX; i++) {
		struct pending *q = &a->pending[i];
		if (q->w.fd < 0)
			continue;
		if (stopped) {
			agentwire_send_error(&q->w, "stopped", detail);
			say("%s: ended: %s", q->w.peer, detail);
		}
		pending_close(q);
	}
}

enum session_state {
	S_IDLE,	  /* authenticated: DESCRIBE or EVENTS */
	S_EVENTS, /* the plan is built: DESCRIBE or RUN */
	S_RUN,	  /* the server listens: BEGIN or STOP */
	S_WINDOW, /* counting: END or STOP */
	S_ENDED,  /* counted: STOP */
};

static const char *const expected_next[] = {
    [S_IDLE] = "DESCRIBE or EVENTS",
    [S_EVENTS] = "DESCRIBE or RUN",
    [S_RUN] = "BEGIN or STOP",
    [S_WINDOW] = "END or STOP",
    [S_ENDED] = "STOP",
};

/* How a session ended; GOES_ON while it has not. */
enum { SESSION_GOES_ON = -1, SESSION_WELL = 0, SESSION_FAILED = 1, SESSION_STOPPED = 2 };

struct session {
	struct agentwire w;
	char local[INET6_ADDRSTRLEN]; /* the address the harness reached: the server's */
	enum session_state state;
	struct counter_plan *plan;
	size_t nvalues;
	struct spawn_child srv;
	struct counter_set *counters;
	struct counter_value *values;
	struct oncpu *where;
	struct oncpu_sample where_s;
	int counted;	 /* values and where_s are read */
	double window_s; /* the run's: LISTENING to STOP at most */
	double deadline; /* ... from the LISTENING sent */
	char impl[64];	 /* canonical, once RUN was taken */
	char reason[64]; /* the server's first failure (failed:<reason>); empty while all is well */
	char detail[512]; /* ... in one line */
};

/* agentwire's messages start with the peer, which our lines name already. */
static const char *unpeered(const struct session *s, const char *err)
{
	size_t n = strlen(s->w.peer);
	return !strncmp(err, s->w.peer, n) && !strncmp(err + n, ": ", 2) ? err + n + 2 : err;
}

static __attribute__((format(printf, 3, 4))) int
server_failed(struct session *s, const char *reason, const char *fmt, ...)
{
	if (s->reason[0])
		return -1; /* the first failure is the one that explains the rest */
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* The reaped server's status as a local run names it (spawn_failure:
 * "server_exit_1", "server_signal_SIGSEGV"), with its last stderr line. */
static void server_exited(struct session *s)
{
	char reason[64], detail[512];
	spawn_failure(&s->srv, reason, sizeof(reason), detail, sizeof(detail));
	server_failed(s, reason, "%s", detail);
}

/* 1 when the server has failed (now noticed, or before): the session's reason says how. */
static int server_gone(struct session *s)
{
	if (s->reason[0])
		return 1;
	if (s->srv.pid > 0 && spawn_try_reap(&s->srv)) {
		spawn_wait(&s->srv, 0); /* its last words */
		server_exited(s);
		return 1;
	}
	return 0;
}

/* Refuses the connection waiting on the listening socket: one session at a time. */
static void refuse_busy(struct agent *a, const char *holder)
{
	char peer[PEER_MAX];
	int fd = accept_peer(a->listen_fd, peer, sizeof(peer));
	if (fd < 0)
		return;
	struct agentwire w;
	agentwire_init(&w, fd, 1, peer);
	w.send_now = 1; /* a peer not authenticated never holds the session */
	agentwire_send_error(&w, "busy", "another harness's session is running");
	close(fd);
	refusal_say(a, R_BUSY, "%s: refused: busy (a session with %s is running)", peer, holder);
}

static int server_listening(const struct session *s)
{
	return s->srv.out.data && strchr(s->srv.out.data, '\n');
}

enum wake { WAKE_REQUEST, WAKE_LISTENING, WAKE_TIMEOUT, WAKE_STOP };

/*
 * Sleeps in poll() on the harness's socket (unless want_listening), the
 * listening socket (a newcomer is refused), the peers in their handshake (one
 * that authenticates is told busy) and the server (its output drained
 * so that it never blocks, its exit kept as the session's failure) until: a
 * request is readable, the server has printed its first line or failed
 * (want_listening), the deadline, or a stop signal. Nothing is sent.
 */
static enum wake session_wait(struct agent *a, struct session *s, double deadline,
			      int want_listening)
{
	for (;;) {
		if (stop_signal)
			return WAKE_STOP;
		int gone = s->srv.pid <= 0 || server_gone(s);
		if (want_listening && (gone || server_listening(s)))
			return WAKE_LISTENING;
		double left = deadline - spawn_now();
		if (left <= 0)
			return WAKE_TIMEOUT;
		struct pollfd p[5 + PENDING_MAX] = {
		    {want_listening ? -1 : s->w.fd, POLLIN, 0},
		    {a->listen_fd, POLLIN, 0},
		    {s->srv.out_fd, POLLIN, 0},
		    {s->srv.err_fd, POLLIN, 0},
		    {gone ? -1 : s->srv.pid_fd, POLLIN,
		     0}, /* a pidfd stays readable once it exits */
		};
		pendings_poll(a, p + 5);
		int ms = left * 1000 < WAKE_MS ? (int)(left * 1000) + 1 : WAKE_MS;
		int ready = poll(p, 5 + PENDING_MAX, ms);
		pendings_serve(a, ready > 0 ? p + 5 : NULL, s->w.peer, NULL, NULL);
		refusals_sum(a, 0);
		if (ready <= 0)
			continue;
		if (p[2].revents)
			spawn_pump(&s->srv, s->srv.out_fd);
		if (p[3].revents)
			spawn_pump(&s->srv, s->srv.err_fd);
		if (p[1].revents)
			refuse_busy(a, s->w.peer);
		if (p[0].revents)
			return WAKE_REQUEST;
	}
}

/* Sends a frame; a send that fails ends the session (logged). 0 or -1. */
static int send_frame(struct session *s, int type, const char *payload, size_t len)
{
	char err[256];
	if (!agentwire_send(&s->w, type, payload, len, err, sizeof(err)))
		return 0;
	say("%s: closed: cannot send %s: %s", s->w.peer, agentwire_type_name(type),
	    unpeered(s, err));
	return -1;
}

static int answer(struct session *s, int type, const char *payload, size_t len)
{
	return send_frame(s, type, payload, len) ? SESSION_FAILED : SESSION_GOES_ON;
}

/* ERROR reason=reason detail=..., logged as "PEER: what: detail"; the session ends. */
static __attribute__((format(printf, 4, 5))) int
end_with_error(struct session *s, const char *reason, const char *what, const char *fmt, ...)
{
	char detail[AGENTWIRE_VALUE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	agentwire_send_error(&s->w, reason, detail);
	say("%s: %s: %s", s->w.peer, what, detail);
	return SESSION_FAILED;
}

static int session_stopped(struct session *s)
{
	char detail[64];
	snprintf(detail, sizeof(detail), "the agent was stopped (%s)", stop_name());
	agentwire_send_error(&s->w, "stopped", detail);
	say("%s: ended: %s", s->w.peer, detail);
	return SESSION_STOPPED;
}

/* text as a value may carry it: bytes outside 0x20..0x7e become '?', cut to fit. */
static void printable(const char *text, char *out, size_t len)
{
	size_t n = 0;
	for (; text[n] && n + 1 < len && n < AGENTWIRE_VALUE_MAX; n++)
		out[n] = text[n] >= 0x20 && text[n] <= 0x7e ? text[n] : '?';
	out[n] = '\0';
}

/* "<cpu>:<ns>;...": the CPUs it ran on (a CPU left out: 0 ns; measured but
 * nowhere: its first CPU at 0). 0, or -1 when not measured or too long for a
 * value: then none is sent, never a part (its shares would lie). */
static int oncpu_text(const struct oncpu_sample *w, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < w->n; i++) {
		if (w->ns[i] <= 0 && (used || i + 1 < w->n))
			continue;
		int k = snprintf(buf + used, len - used, "%s%d:%.0f", used ? ";" : "", w->cpu[i],
				 w->ns[i] > 0 ? w->ns[i] : 0.0);
		if (k < 0 || (size_t)k >= len - used)
			return -1;
		used += (size_t)k;
	}
	return used ? 0 : -1;
}

/* The counters' lines: counter.N "<counted> <raw> <time_enabled> <time_running>",
 * reason.N where the counter has one. 0, or -1 when they do not fit. */
static int put_counters(const struct session *s, char *buf, size_t len, size_t *used)
{
	char key[32], text[AGENTWIRE_VALUE_MAX + 1];
	for (size_t i = 0; i < s->nvalues; i++) {
		const struct counter_value *v = &s->values[i];
		snprintf(key, sizeof(key), "counter.%zu", i);
		if (agentwire_put(buf, len, used, key, "%d %llu %llu %llu", v->counted,
				  (unsigned long long)v->raw, (unsigned long long)v->time_enabled,
				  (unsigned long long)v->time_running))
			return -1;
		if (!v->reason[0])
			continue;
		snprintf(key, sizeof(key), "reason.%zu", i);
		printable(v->reason, text, sizeof(text));
		if (agentwire_put(buf, len, used, key, "%s", text))
			return -1;
	}
	return 0;
}

/* RESULT: the status (and the failure's detail), and the counts when read. */
static int send_result(struct session *s)
{
	char *buf = malloc(AGENTWIRE_PAYLOAD_MAX);
	if (!buf) {
		const char *oom = "status=failed:agent\ndetail=agent: out of memory\n";
		return send_frame(s, AW_RESULT, oom, strlen(oom));
	}
	char text[AGENTWIRE_VALUE_MAX + 1];
	size_t used = 0;
	buf[0] = '\0';
	if (s->reason[0]) {
		agentwire_put(buf, AGENTWIRE_PAYLOAD_MAX, &used, "status", "failed:%s", s->reason);
		printable(s->detail, text, sizeof(text));
		agentwire_put(buf, AGENTWIRE_PAYLOAD_MAX, &used, "detail", "%s", text);
	} else {
		agentwire_put(buf, AGENTWIRE_PAYLOAD_MAX, &used, "status", "ok");
	}
	if (s->counted) {
		if (!oncpu_text(&s->where_s, text, sizeof(text)))
			agentwire_put(buf, AGENTWIRE_PAYLOAD_MAX, &used, "oncpu", "%s", text);
		/* 64 events with their reasons fit many times over: not reached */
		if (put_counters(s, buf, AGENTWIRE_PAYLOAD_MAX, &used))
			used = strlen(buf);
	}
	int rc = send_frame(s, AW_RESULT, buf, used);
	free(buf);
	return rc;
}

/* The server failed (s->reason): RESULT in place of the answer; the session ends. */
static int run_failed(struct session *s)
{
	send_result(s);
	say("%s: failed: impl=%s status=failed:%s: %s", s->w.peer, s->impl, s->reason, s->detail);
	return SESSION_FAILED;
}

/* --- the requests ----------------------------------------------------------------- */

static int describe(struct session *s)
{
	char *buf = malloc(AGENTWIRE_PAYLOAD_MAX), err[256];
	if (!buf)
		return end_with_error(s, "agent", "failed", "agent: out of memory");
	int rc = hostdesc_write(s->local, buf, AGENTWIRE_PAYLOAD_MAX, err, sizeof(err))
		     ? end_with_error(s, "agent", "failed", "agent: %s", err)
		     : answer(s, AW_MACHINE, buf, strlen(buf));
	free(buf);
	return rc;
}

static int take_events(struct session *s, const struct agentwire_frame *f)
{
	struct event_set set;
	char err[1024];
	if (eventfile_parse(f->payload, f->len, "EVENTS", &set, err, sizeof(err)) ||
	    counter_plan_build(&set, &s->plan, err, sizeof(err))) {
		eventfile_free(&set);
		return end_with_error(s, "events", "refused", "%s", err);
	}
	eventfile_free(&set); /* the plan keeps what it needs */
	s->nvalues = counter_plan_count(s->plan);
	s->values = calloc(s->nvalues + 1, sizeof(*s->values));
	if (!s->values)
		return end_with_error(s, "agent", "failed", "agent: out of memory");
	s->state = S_EVENTS;
	return answer(s, AW_OK, "", 0);
}

/*
 * RUN's fields against the bounds of a local run: window in (0,
 * AGENTWIRE_WINDOW_MAX], cpus a CPU list and thread_cpus an ordered one
 * (cpulist.h), not both, of CPUs this agent may run on. NULL, or the key
 * refused with why.
 */
static const char *check_run(const char *window, const char *cpus, const char *tcpus,
			     double *window_s, char *why, size_t len)
{
	struct cpu_sequence seq;
	if (parse_seconds(window, 0, AGENTWIRE_WINDOW_MAX, window_s) || !(*window_s > 0)) {
		snprintf(why, len, "%.64s: expected seconds, more than 0, at most %g", window,
			 AGENTWIRE_WINDOW_MAX);
		return "window";
	}
	if (cpus && tcpus) {
		snprintf(why, len, "not with cpus (the server takes one or the other)");
		return "thread_cpus";
	}
	if (cpus && !cpu_list_valid(cpus)) {
		snprintf(why, len, "%.64s: expected a CPU list such as 0 or 0-1,3", cpus);
		return "cpus";
	}
	if (cpus && cpu_list_available(cpus, why, len))
		return "cpus";
	if (tcpus && parse_cpu_sequence(tcpus, &seq)) {
		snprintf(why, len,
			 "%.64s: expected an ordered CPU list like 1,0 or 2-3,0-1, each "
			 "CPU once",
			 tcpus);
		return "thread_cpus";
	}
	if (tcpus && cpu_list_available(tcpus, why, len))
		return "thread_cpus";
	return NULL;
}

/* Starts the server as run.c's start_server does, its counters open before it
 * execs. 0, or -1 with the session's reason set. */
static int launch_server(struct session *s, const char *cpus, const char *tcpus)
{
	char path[PATH_MAX], why[512], ctl[16];
	if (program_path("server", path, sizeof(path), why, sizeof(why)))
		return server_failed(s, "server_exec", "%s", why);
	snprintf(ctl, sizeof(ctl), "%d", SPAWN_CTL_FD);
	char *argv[16] = {path,	    "--impl", s->impl,	  "--host", s->local,
			  "--port", "0",      "--ctl-fd", ctl};
	int n = 9;
	if (cpus) {
		argv[n++] = "--cpus";
		argv[n++] = (char *)cpus;
	}
	if (tcpus) {
		argv[n++] = "--thread-cpus";
		argv[n++] = (char *)tcpus;
	}
	argv[n] = NULL;
	if (spawn_prepare(&s->srv, path, argv, 1, NULL, why, sizeof(why)))
		return server_failed(s, "server_exec", "%s", why);
	if (counter_set_open(s->plan, s->srv.pid, &s->counters, why, sizeof(why)))
		return server_failed(s, "counters", "%s", why);
	if (!(s->where = oncpu_open(s->srv.pid)))
		return server_failed(s, "agent", "agent: out of memory");
	if (spawn_release(&s->srv, why, sizeof(why)))
		return server_failed(s, "server_exec", "%s", why);
	return 0;
}

/* RUN: the fields checked, the server started, its port once it listens. */
static int start_run(struct agent *a, struct session *s, const struct agentwire_frame *f)
{
	char impl[AGENTWIRE_VALUE_MAX + 1], window[AGENTWIRE_VALUE_MAX + 1];
	char cpus[AGENTWIRE_VALUE_MAX + 1], tcpus[AGENTWIRE_VALUE_MAX + 1], why[512];
	int has_cpus = !agentwire_get(f, "cpus", cpus, sizeof(cpus));
	int has_tcpus = !agentwire_get(f, "thread_cpus", tcpus, sizeof(tcpus));
	agentwire_get(f, "impl", impl, sizeof(impl)); /* both required: checked */
	agentwire_get(f, "window", window, sizeof(window));
	const char *key = check_run(window, has_cpus ? cpus : NULL, has_tcpus ? tcpus : NULL,
				    &s->window_s, why, sizeof(why));
	if (key)
		return end_with_error(s, "refused", "refused", "%s: %s", key, why);
	int rc = program_resolve_impl(impl, s->impl, sizeof(s->impl), why, sizeof(why));
	if (rc == -2) { /* the server cannot even list its strategies */
		snprintf(s->impl, sizeof(s->impl), "%.63s", impl);
		server_failed(s, "server_exec", "%s", why);
		return run_failed(s);
	}
	if (rc)
		return end_with_error(s, "refused", "refused", "impl: %s", why);
	if (launch_server(s, has_cpus ? cpus : NULL, has_tcpus ? tcpus : NULL))
		return run_failed(s);
	enum wake w = session_wait(a, s, spawn_now() + AGENTWIRE_LISTEN_S, 1);
	if (w == WAKE_STOP)
		return session_stopped(s);
	if (w == WAKE_TIMEOUT)
		server_failed(s, "server_no_listen", "server: no listening line within %.0f s",
			      AGENTWIRE_LISTEN_S);
	char host[128], port[16], payload[64];
	if (!s->reason[0] &&
	    program_listening(s->srv.out.data, host, sizeof(host), port, sizeof(port)))
		server_failed(s, "server_output", "server: expected 'listening HOST:PORT' first");
	if (s->reason[0])
		return run_failed(s);
	size_t used = 0;
	payload[0] = '\0';
	agentwire_put(payload, sizeof(payload), &used, "port", "%s", port);
	s->state = S_RUN;
	s->deadline = spawn_now() + s->window_s;
	return answer(s, AW_LISTENING, payload, used);
}

/* A control word unanswered: the server's death explains it better, if it died. */
static void ctl_failed(struct session *s, const char *why)
{
	if (spawn_wait(&s->srv, DEATH_GRACE_S))
		server_exited(s);
	else
		server_failed(s, "server_ctl", "%s", why);
}

static int read_counts(struct session *s)
{
	char err[256];
	s->counted = 1;
	oncpu_read(s->where, &s->where_s);
	if (counter_set_read(s->counters, s->values, err, sizeof(err)))
		return server_failed(s, "counters", "agent: %s", err);
	return 0;
}

/* BEGIN, in run.c's order: the server's ok, then the counters. */
static int begin_window(struct session *s)
{
	char why[256];
	if (server_gone(s))
		return run_failed(s);
	if (spawn_ctl_say(&s->srv, CTL_BEGIN, CTL_TIMEOUT_S, why, sizeof(why))) {
		ctl_failed(s, why);
		return run_failed(s);
	}
	if (counter_set_enable(s->counters)) {
		server_failed(s, "counters", "agent: cannot enable the counters: %s",
			      strerror(errno));
		return run_failed(s);
	}
	/* where it runs is context, not measure: a CPU that cannot be switched is
	 * left out by oncpu_read, never the run failed (as run.c) */
	oncpu_enable(s->where);
	s->state = S_WINDOW;
	return answer(s, AW_OK, "", 0);
}

/* END: the counters stopped, the server's ok, then read off its critical path. */
static int end_window(struct session *s)
{
	char why[256];
	counter_set_disable(s->counters);
	oncpu_disable(s->where);
	s->state = S_ENDED;
	if (server_gone(s))
		return run_failed(s);
	if (spawn_ctl_say(&s->srv, CTL_END, CTL_TIMEOUT_S, why, sizeof(why))) {
		ctl_failed(s, why);
		return run_failed(s);
	}
	if (read_counts(s))
		return run_failed(s);
	return answer(s, AW_OK, "", 0);
}

/* The server's stdout, cut at a line to fit a frame. */
static int send_totals(struct session *s)
{
	const char *out = s->srv.out.data ? s->srv.out.data : "";
	size_t n = strlen(out);
	if (n > AGENTWIRE_PAYLOAD_MAX) {
		n = AGENTWIRE_PAYLOAD_MAX;
		while (n && out[n - 1] != '\n')
			n--;
	}
	return send_frame(s, AW_TOTALS, out, n);
}

/* STOP: counts read if END did not, the server ended by SIGTERM, then TOTALS
 * and RESULT, whatever became of it. The session is over. */
static int stop_run(struct agent *a, struct session *s)
{
	if (s->state == S_WINDOW) {
		counter_set_disable(s->counters);
		oncpu_disable(s->where);
	}
	if (!s->counted)
		read_counts(s);
	/* gone before STOP, even with exit 0, is a failure; server_failed keeps
	 * the first reason, so one seen earlier still explains it */
	int gone_before = spawn_try_reap(&s->srv);
	if (!gone_before)
		spawn_signal(&s->srv, SIGTERM);
	if (!spawn_wait(&s->srv, gone_before ? 0 : STOP_TIMEOUT_S))
		server_failed(s, "server_stop_timeout",
			      "server: still running %.0f s after SIGTERM", STOP_TIMEOUT_S);
	else if (gone_before || !WIFEXITED(s->srv.status) || WEXITSTATUS(s->srv.status) != 0)
		server_exited(s);
	if (send_totals(s) || send_result(s))
		return SESSION_FAILED;
	if (s->reason[0]) {
		say("%s: failed: impl=%s status=failed:%s: %s", s->w.peer, s->impl, s->reason,
		    s->detail);
		return SESSION_FAILED;
	}
	if (!a->quiet)
		say("%s: done: impl=%s status=ok", s->w.peer, s->impl);
	return SESSION_WELL;
}

static int harness_error(struct session *s, const struct agentwire_frame *f)
{
	char reason[AGENTWIRE_VALUE_MAX + 1] = "", detail[AGENTWIRE_VALUE_MAX + 1] = "";
	agentwire_get(f, "reason", reason, sizeof(reason));
	agentwire_get(f, "detail", detail, sizeof(detail));
	say("%s: the harness ended the session: %.64s%s%.400s", s->w.peer, reason,
	    detail[0] ? ": " : "", detail);
	return SESSION_FAILED;
}

/* One checked request, in turn or not. */
static int handle(struct agent *a, struct session *s, const struct agentwire_frame *f)
{
	switch (f->type) {
	case AW_DESCRIBE:
		if (s->state <= S_EVENTS)
			return describe(s);
		break;
	case AW_EVENTS:
		if (s->state == S_IDLE)
			return take_events(s, f);
		break;
	case AW_RUN:
		if (s->state == S_EVENTS)
			return start_run(a, s, f);
		break;
	case AW_BEGIN:
		if (s->state == S_RUN)
			return begin_window(s);
		break;
	case AW_END:
		if (s->state == S_WINDOW)
			return end_window(s);
		break;
	case AW_STOP:
		if (s->state >= S_RUN)
			return stop_run(a, s);
		break;
	case AW_ERROR:
		return harness_error(s, f);
	}
	return end_with_error(s, "protocol", "protocol", "%s: out of turn (expected %s)",
			      agentwire_type_name(f->type), expected_next[s->state]);
}

/* A request could not be read: the harness left, stalled or spoke nonsense. */
static int recv_failed(struct agent *a, struct session *s, const char *why, const char *err)
{
	if (!strcmp(why, "closed") && s->state <= S_EVENTS) {
		if (!a->quiet)
			say("%s: done: no run", s->w.peer);
		return SESSION_WELL;
	}
	if (!strcmp(why, "closed")) {
		say("%s: closed mid-run (expected %s)", s->w.peer, expected_next[s->state]);
		return SESSION_FAILED;
	}
	if (!strcmp(why, "timeout"))
		return end_with_error(s, "timeout", "timeout", "%s", unpeered(s, err));
	return end_with_error(s, "protocol", "protocol", "%s", unpeered(s, err));
}

/* Requests in turn until one ends the session. */
static int session_serve(struct agent *a, struct session *s)
{
	for (;;) {
		int in_run = s->state >= S_RUN;
		double limit = in_run ? s->window_s : IDLE_S;
		enum wake w = session_wait(a, s, in_run ? s->deadline : spawn_now() + IDLE_S, 0);
		if (w == WAKE_STOP)
			return session_stopped(s);
		if (w == WAKE_TIMEOUT)
			return end_with_error(s, "timeout", "timeout", "no request within %g s%s",
					      limit, in_run ? " (the run's window)" : "");
		struct agentwire_frame f = {0};
		const char *why = "protocol";
		char err[512];
		if (agentwire_recv(&s->w, AGENTWIRE_ANSWER_S, &f, &why, err, sizeof(err)))
			return recv_failed(a, s, why, err);
		int rc = agentwire_check(&f, err, sizeof(err))
			     ? end_with_error(s, "protocol", "protocol", "%s", err)
			     : handle(a, s, &f);
		agentwire_frame_free(&f);
		if (rc != SESSION_GOES_ON)
			return rc;
	}
}

/* Serves one authenticated connection (w, the handshake done) to its end:
 * whatever ended it, the server is ended and reaped, its counters closed, the
 * plan freed, the connection closed. */
static int session_run(struct agent *a, const struct agentwire *w)
{
	struct session s;
	memset(&s, 0, sizeof(s));
	spawn_init(&s.srv, "server");
	s.w = *w;
	struct sockaddr_storage ss;
	socklen_t n = sizeof(ss);
	struct endpoint local;
	memset(&ss, 0, sizeof(ss));
	getsockname(s.w.fd, (struct sockaddr *)&ss, &n);
	endpoint_of(&ss, &local);
	snprintf(s.local, sizeof(s.local), "%s", local.host);
	/* the answers to BEGIN and END are small frames on the window's edges:
	 * none may wait for an ACK (Nagle) */
	int one = 1;
	setsockopt(s.w.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int rc = session_serve(a, &s);
	spawn_end(&s.srv);
	counter_set_close(s.counters);
	oncpu_close(s.where);
	free(s.values);
	counter_plan_free(s.plan);
	close(s.w.fd);
	explicit_bzero(&s.w, sizeof(s.w));
	return rc;
}

/* How serve() ends: the pending peers told (stopped) or closed, the lines
 * left out summed up. */
static int serve_end(struct agent *a, int stopped, int rc)
{
	pendings_end(a, stopped);
	refusals_sum(a, 1);
	if (stopped)
		say("stopped (%s)", stop_name());
	return rc;
}

/* Accepts connections, takes them through the handshake side by side, and
 * serves the sessions one at a time, until a stop (0) or, with once, the
 * first connection's end (0 its session ended well, 1 not). */
static int serve(struct agent *a, int once)
{
	for (;;) {
		if (stop_signal)
			return serve_end(a, 1, 0);
		struct pollfd p[1 + PENDING_MAX] = {{a->listen_fd, POLLIN, 0}};
		pendings_poll(a, p + 1);
		int ready = poll(p, 1 + PENDING_MAX, WAKE_MS);
		struct agentwire w;
		int welcomed = 0;
		int ended = pendings_serve(a, ready > 0 ? p + 1 : NULL, NULL, &w, &welcomed);
		refusals_sum(a, 0);
		if (welcomed) {
			int rc = session_run(a, &w);
			if (rc == SESSION_STOPPED)
				return serve_end(a, 1, 0);
			if (once)
				return serve_end(a, 0, rc == SESSION_WELL ? 0 : 1);
			continue;
		}
		if (once && ended)
			return serve_end(a, 0, 1);
		if (ready > 0 && p[0].revents)
			pending_accept(a);
	}
}

/* --- the command ---------------------------------------------------------------- */

struct agent_args {
	const char *key_file, *listen, *new_key;
	int once, quiet;
};

#define ARG(field) offsetof(struct agent_args, field)

static const struct opt_def agent_options[] = {
    {"key-file", "FILE", OPT_STRING, 0, 0, NULL, ARG(key_file), 0, NULL,
     "the key shared with the harness: at least 16 bytes, readable by its owner only "
     "(mode 600); needed to serve"},
    {"listen", "ADDR[:PORT]", OPT_STRING, 0, 0, NULL, ARG(listen), 0,
     LISTEN_DEFAULT ":" AGENTWIRE_PORT,
     "the numeric address (and port) to accept harnesses on; [ADDR]:PORT for IPv6, 0.0.0.0 "
     "or [::] for every interface; port 0 takes a free one, said at start"},
    {"once", NULL, OPT_FLAG, 0, 0, NULL, ARG(once), 0, NULL,
     "serve one connection, then exit: 0 if its session ended well, else 1"},
    {"quiet", NULL, OPT_FLAG, 0, 0, NULL, ARG(quiet), 0, NULL,
     "no line for a session that ended well (refusals and failures are still said)"},
    {"new-key", "FILE", OPT_STRING, 0, 0, NULL, ARG(new_key), 0, NULL,
     "write a new random key to FILE (mode 600; refused if FILE exists) and exit; alone"},
    OPT_END,
};

static const char about[] =
    "Runs and counts the server side of runs for a harness on another host (docs/remote.md):\n"
    "one harness at a time, authenticated with the shared key (HMAC-SHA256; the key never\n"
    "crosses the wire). It starts copyscope-server only, with the strategy, CPUs and window a\n"
    "run asks for, checked as a local run checks them, and ends it with the session. One\n"
    "line on stderr per refused or failed connection and per session that ended well.\n"
    "Exit status: 0 stopped by SIGINT or SIGTERM (the session in progress is ended, its\n"
    "server too), or --once and its session ended well; 1 --once and it did not; 2 bad\n"
    "input (an option, the key file, an address that cannot be listened on).";

static int new_key(const struct agent_args *args)
{
	char err[512];
	if (args->key_file || args->listen || args->once || args->quiet)
		return opt_refuse(PROG, "--new-key", "alone (it writes a key and exits)");
	if (agentwire_key_new(args->new_key, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	printf(PROG ": wrote a new key to %s (mode 600); copy it to the other host, keep it "
		    "mode 600 there too, and give it to both ends\n",
	       args->new_key);
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	struct agent_args args = {0};
	int rc = opt_parse(PROG, agent_options, argc, argv, &args, about);
	if (rc >= 0)
		return rc;
	if (args.new_key)
		return new_key(&args);
	if (!args.key_file)
		return opt_refuse(PROG, "--key-file FILE",
				  "the shared key (required; copyscope agent --new-key FILE writes "
				  "one)");
	struct agent a = {.listen_fd = -1, .quiet = args.quiet};
	for (int i = 0; i < PENDING_MAX; i++)
		a.pending[i].w.fd = -1;
	char err[1024];
	if (agentwire_key_load(args.key_file, &a.key, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	const char *spec = args.listen ? args.listen : LISTEN_DEFAULT;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	char input[300];
	snprintf(input, sizeof(input), "--listen %.200s", spec);
	if (listen_parse(spec, &ss, &sslen))
		return opt_refuse(PROG, input,
				  "ADDR[:PORT], a numeric IPv4 or IPv6 address ([ADDR]:PORT for "
				  "IPv6) and a port 0..65535");
	if ((a.listen_fd = listen_open(spec, &ss, sslen, err, sizeof(err))) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	catch_signals(); /* before the line a test waits for */
	say_listening(a.listen_fd);
	rc = serve(&a, args.once);
	close(a.listen_fd);
	explicit_bzero(&a.key, sizeof(a.key));
	return rc;
}
