/*
 * agent — `copyscope agent`: the server side of runs whose harness is on
 * another host (agentwire.h is the protocol, docs/remote.md the why). This
 * file is the command, its listening socket and serve loop, the peers in the
 * handshake and the refusal log; agent_session.c serves one session.
 *
 * One harness at a time, in one thread. A connection is not the session's
 * until it has proved it holds the key: up to PENDING_MAX peers go through
 * the handshake at once in the one poll loop, each with its own deadline and
 * buffer, none able to hold the agent or the session's slot (a silent one is
 * dropped at its deadline; the rest go on meanwhile). A session is served to
 * its end while the listening socket and the pending peers are still polled
 * (agent_session.h: what this file lends it), so that a second harness is
 * told "busy" at once instead of waiting in the backlog.
 *
 * Every refused or failed connection is one line on stderr naming the peer,
 * at a bounded rate for those refused before or at authentication (anyone can
 * make them: LOG_BURST, then one a second, then a line that sums up the
 * rest); a session that ended well is one line too (not with --quiet).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent_session.h"
#include "agentwire.h"
#include "commands.h"
#include "opttable.h"
#include "spawn.h"
#include "units.h"

#define PROG	       "copyscope agent"
#define LISTEN_DEFAULT "127.0.0.1"
#define PEER_MAX       96 /* struct agentwire's peer */
/* Lines about connections refused before authentication, per kind: a burst
 * (what a test's sequence of refusals makes), then one each LOG_EVERY_S; the
 * rest are counted and summed up in one line LOG_SUM_S after the first left out. */
#define LOG_BURST   10
#define LOG_EVERY_S 1.0
#define LOG_SUM_S   5.0

volatile sig_atomic_t agent_stop_signal;

static void on_stop(int sig)
{
	agent_stop_signal = sig;
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

const char *agent_stop_name(void)
{
	return agent_stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
}

/* One line on stderr: "copyscope agent: ...". What a peer sent can reach it
 * (an event name in a parser's message): no byte of it may steer a terminal. */
void agent_say(const char *fmt, ...)
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

/* A v4-mapped IPv6 address reads as IPv4: the server binds it, hostdesc finds
 * its interface, and a reader recognises it. */
void agent_endpoint_of(const struct sockaddr_storage *ss, struct endpoint *e)
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
	agent_endpoint_of(&ss, &e);
	endpoint_text(&e, text, sizeof(text));
	if (is_loopback(&ss))
		agent_say(
		    "listening on %s (loopback only: other hosts cannot reach it; --listen ADDR to "
		    "accept them)",
		    text);
	else
		agent_say("listening on %s", text);
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
	agent_endpoint_of(&ss, &e);
	endpoint_text(&e, peer, len);
	return fd;
}

/* --- the refusal log ------------------------------------------------------------- */

static const char *const refusal_sum[R_KINDS] = {
    [R_BUSY] = "connections refused (busy)",
    [R_FULL] = "connections dropped (too many handshakes at once)",
    [R_AUTH] = "connections refused (wrong key)",
    [R_PROTOCOL] = "connections refused (protocol)",
    [R_TIMEOUT] = "connections dropped (handshake time-out)",
    [R_CLOSED] = "connections closed during the handshake",
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
void agent_refusals_sum(struct agent *a, int now_all)
{
	double now = spawn_now();
	for (int k = 0; k < R_KINDS; k++) {
		struct log_limit *l = &a->limit[k];
		if (!l->left_out || (!now_all && now - l->since < LOG_SUM_S))
			continue;
		double span = now - l->since < 1 ? 1 : now - l->since;
		agent_say("%lu more %s in the last %.0f s, not logged one by one", l->left_out,
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
			agent_say("cannot accept: %s", strerror(errno));
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
void agent_pendings_poll(const struct agent *a, struct pollfd *p)
{
	for (int i = 0; i < PENDING_MAX; i++)
		p[i] = (struct pollfd){.fd = a->pending[i].w.fd, .events = POLLIN};
}

/*
 * Serves the pending peers poll found readable (p from agent_pendings_poll; NULL:
 * none polled), and drops those past their deadline. holder: the session's
 * peer, while one is held (a peer that authenticates is told busy). The number
 * of handshakes that ended; *welcomed (outside a session) the peer welcomed,
 * if one was: the caller's to serve, its slot free.
 */
int agent_pendings_serve(struct agent *a, const struct pollfd *p, const char *holder,
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
	snprintf(detail, sizeof(detail), "the agent was stopped (%s)", agent_stop_name());
	for (int i = 0; i < PENDING_MAX; i++) {
		struct pending *q = &a->pending[i];
		if (q->w.fd < 0)
			continue;
		if (stopped) {
			agentwire_send_error(&q->w, "stopped", detail);
			agent_say("%s: ended: %s", q->w.peer, detail);
		}
		pending_close(q);
	}
}

/* --- serving --------------------------------------------------------------------- */

/* Refuses the connection waiting on the listening socket: one session at a time. */
void agent_refuse_busy(struct agent *a, const char *holder)
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

/* How serve() ends: the pending peers told (stopped) or closed, the lines
 * left out summed up. */
static int serve_end(struct agent *a, int stopped, int rc)
{
	pendings_end(a, stopped);
	agent_refusals_sum(a, 1);
	if (stopped)
		agent_say("stopped (%s)", agent_stop_name());
	return rc;
}

/* Accepts connections, takes them through the handshake side by side, and
 * serves the sessions one at a time, until a stop (0) or, with once, the
 * first connection's end (0 its session ended well, 1 not). */
static int serve(struct agent *a, int once)
{
	for (;;) {
		if (agent_stop_signal)
			return serve_end(a, 1, 0);
		struct pollfd p[1 + PENDING_MAX] = {{a->listen_fd, POLLIN, 0}};
		agent_pendings_poll(a, p + 1);
		int ready = poll(p, 1 + PENDING_MAX, WAKE_MS);
		struct agentwire w;
		int welcomed = 0;
		int ended = agent_pendings_serve(a, ready > 0 ? p + 1 : NULL, NULL, &w, &welcomed);
		agent_refusals_sum(a, 0);
		if (welcomed) {
			int rc = agent_session_run(a, &w);
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
