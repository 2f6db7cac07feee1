/*
 * agent_session — one authenticated session of `copyscope agent`, and what
 * the command (agent.c) lends it (agentwire.h is the protocol, docs/remote.md
 * the why).
 *
 * agent.c listens, takes peers through the handshake and hands the one it
 * welcomed to agent_session_run(), which serves its requests (DESCRIBE,
 * EVENTS, RUN, BEGIN, END, STOP) to the session's end in the same thread.
 * While the session waits it keeps the agent's other duties going with what
 * agent.c declares below: the listening socket (a newcomer is told busy), the
 * peers in their handshake (one that authenticates is told busy), the refusal
 * lines left out and summed up, and the stop signal.
 *
 * Memory: struct agent is agent.c's (its listening socket, key, pending peers
 * and log limits); a session reads listen_fd and quiet, and passes the agent
 * back to agent.c's functions for the rest. agent_session_run() takes over the
 * welcomed connection: it closes the socket and wipes its copy of the state;
 * the server it started is ended and reaped before it returns.
 *
 * Errors: nothing is returned as an error: how a session ended is one line on
 * stderr (agent_say) and one of the SESSION_* outcomes.
 */
#ifndef COPYSCOPE_AGENT_SESSION_H
#define COPYSCOPE_AGENT_SESSION_H

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>

#include "agentwire.h"

#define WAKE_MS	    250 /* longest sleep in poll: bounds how late a stop is seen */
#define PENDING_MAX 8	/* handshakes at once; one more drops the oldest */
/* A frame before authentication at most: AUTH is two 64-digit values */
#define AUTH_PAYLOAD_MAX 512

/* Kinds of refusal before or at authentication, each rate-limited on its own. */
enum refusal { R_BUSY, R_FULL, R_AUTH, R_PROTOCOL, R_TIMEOUT, R_CLOSED, R_KINDS };

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

/* --- what agent.c lends a session --------------------------------------------- */

extern volatile sig_atomic_t agent_stop_signal; /* SIGINT or SIGTERM, once one came */

/* "SIGINT" or "SIGTERM": the stop signal's name. */
const char *agent_stop_name(void);

/* One line on stderr, "copyscope agent: ...", bytes outside 0x20..0x7e as '?'. */
__attribute__((format(printf, 1, 2))) void agent_say(const char *fmt, ...);

struct endpoint {
	char host[INET6_ADDRSTRLEN];
	unsigned port;
	int v6;
};

/* A socket address as host and port (a v4-mapped IPv6 address as IPv4). */
void agent_endpoint_of(const struct sockaddr_storage *ss, struct endpoint *e);

/* The pending peers' slots in a poll set: PENDING_MAX entries from p. */
void agent_pendings_poll(const struct agent *a, struct pollfd *p);

/* Serves the readable pending peers and drops those past their deadline;
 * holder: the session's peer while one is held (welcomed, got_welcomed NULL). */
int agent_pendings_serve(struct agent *a, const struct pollfd *p, const char *holder,
			 struct agentwire *welcomed, int *got_welcomed);

/* The refusal lines left out, summed up per kind: when due, or all now (now_all). */
void agent_refusals_sum(struct agent *a, int now_all);

/* Tells the connection waiting on the listening socket "busy"; holder the session's peer. */
void agent_refuse_busy(struct agent *a, const char *holder);

/* --- the session ------------------------------------------------------------------ */

/* How a session ended; GOES_ON while it has not. */
enum { SESSION_GOES_ON = -1, SESSION_WELL = 0, SESSION_FAILED = 1, SESSION_STOPPED = 2 };

/* Serves one authenticated connection (w, the handshake done) to its end:
 * SESSION_WELL, SESSION_FAILED, or SESSION_STOPPED (a stop signal came). */
int agent_session_run(struct agent *a, const struct agentwire *w);

#endif
