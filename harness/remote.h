/*
 * remote — the harness's end of a run whose server runs on another host,
 * under `copyscope agent` (agentwire.h is the protocol; docs/remote.md).
 *
 * run.c drives it as it drives a local server: remote_start() where it would
 * spawn the server (connect, authenticate, send the event file and the run,
 * wait for the server's port), remote_say(BEGIN) and remote_say(END) at the
 * window's edges, remote_stop() after the client has exited (the server's
 * totals, its counters' readings and where it ran). remote_fd() is polled with
 * the client's descriptors: it turns readable only when the agent spoke out of
 * turn or went away.
 *
 * Failures are the row's: each function returns -1 with reason, a word for
 * status=failed:<reason> ("agent_connect", "agent_auth", "agent_version",
 * "agent_closed", "agent_stopped", "agent_timeout", "agent_protocol",
 * "agent_refused", "agent_events", "agent_busy", or the server's own "server_exit_1", ... relayed), and one
 * line of detail.
 *
 * Memory: a remote owns its socket; remote_close() ends the session (the agent
 * then ends and reaps its server, whatever state it was in).
 */
#ifndef COPYSCOPE_REMOTE_H
#define COPYSCOPE_REMOTE_H

#include <stddef.h>

#include "agentwire.h"
#include "counters.h"
#include "oncpu.h"

#define REMOTE_REASON_MAX 48
#define REMOTE_DETAIL_MAX 512

/* Where the agent is and the key it shares. */
struct remote_target {
	char host[256];	 /* a name or an address */
	char port[8];	 /* AGENTWIRE_PORT when none is named */
	struct agentwire_key key;
};

/* The HOST of "HOST[:PORT]" ("[ADDR]:PORT" for IPv6; a bare IPv6 address has
 * no port) into host: 0, or -1 when spec has none or it does not fit. */
int remote_spec_host(const char *spec, char *host, size_t len);

/*
 * "HOST[:PORT]" ("[v6addr]:PORT" for IPv6) and a key file into t: 0, or -1
 * with one line naming what is wrong (bad input: nothing was contacted).
 */
int remote_target_parse(const char *spec, const char *key_file, struct remote_target *t,
			char *err, size_t errlen);

/* 1 when reason (a remote_failure's) means the agent could not be reached or
 * refused the session, so no server ever started: agent_connect, agent_auth,
 * agent_version, agent_busy. */
int remote_never_started(const char *reason);

/* What the server on the far host is asked to run. */
struct remote_run {
	const char *impl;	 /* canonical strategy name */
	const char *cpus;	 /* the server's --cpus there, or NULL */
	const char *thread_cpus; /* its --thread-cpus there, or NULL */
	double window_s;	 /* LISTENING to STOP at most: warm-up + duration + grace */
	const char *events;	 /* the event file's text, and its length */
	size_t events_len;
};

/* What came back once the server has stopped. */
struct remote_result {
	char *totals;			/* the server's key=value totals (owned; "" when none) */
	struct counter_value *values;	/* one per event of the plan, as counter_set_read's */
	struct oncpu_sample where;	/* where it ran, on the far host's CPUs */
};

struct remote;

struct remote_failure {
	char reason[REMOTE_REASON_MAX];
	char detail[REMOTE_DETAIL_MAX];
};

/* Connects, authenticates, sends EVENTS and RUN and waits for LISTENING: the
 * address (as connected) and port the client must reach go into host, port. */
int remote_start(const struct remote_target *t, const struct remote_run *run, struct remote **r,
		 char *host, size_t hlen, char *port, size_t plen, struct remote_failure *why);

/* Readable when the agent spoke out of turn or went away; -1 when none. */
int remote_fd(const struct remote *r);

/* What the agent said when remote_fd() turned readable unasked: -1 always,
 * with why (agent_closed when it went away, agent_stopped when it was
 * stopped, its ERROR's reason, or agent_protocol). */
int remote_heard(struct remote *r, struct remote_failure *why);

/* BEGIN or END (AW_BEGIN, AW_END) and its OK. */
int remote_say(struct remote *r, int type, struct remote_failure *why);

/* STOP: the totals, the counters (nvalues of them) and where it ran into res
 * (remote_result_free). A RESULT whose status is failed comes back as -1 with
 * its reason and detail, and res still filled as far as it came. */
int remote_stop(struct remote *r, size_t nvalues, struct remote_result *res,
		struct remote_failure *why);

void remote_result_free(struct remote_result *res);

/* Ends the session (NULL: nothing). */
void remote_close(struct remote *r);

/* A session of its own that asks DESCRIBE: the far host's hostdesc lines into
 * *text (caller frees). 0, or -1 with why. */
int remote_describe(const struct remote_target *t, char **text, struct remote_failure *why);

#endif
