/*
 * agent_session — one authenticated session of `copyscope agent`: its
 * requests in turn (DESCRIBE, EVENTS, RUN, BEGIN, END, STOP), its server,
 * its counters and its answers (agent_session.h; agent.c is the command).
 *
 * A session runs at most one copyscope-server, started as run.c starts it
 * (spawn.h: held before exec until its counters are open, PR_SET_PDEATHSIG),
 * and whatever ends the session ends and reaps it: no server outlives its
 * session, nor the agent. The agent runs no other program, and never a shell.
 * While it waits for a request or for its server, the session still polls the
 * listening socket and the peers in their handshake (agent.c's, told busy).
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_session.h"
#include "agentwire.h"
#include "counters.h"
#include "cpulist.h"
#include "eventfile.h"
#include "hostdesc.h"
#include "oncpu.h"
#include "programs.h"
#include "spawn.h"
#include "units.h"
#include "wire.h"

/* A request outside a run: a harness sends DESCRIBE, EVENTS and RUN back to
 * back, so one that stays silent longer is gone or stuck, and holds the agent. */
#define IDLE_S AGENTWIRE_ANSWER_S
/* The server's ok to a control word: under the harness's wait for our answer,
 * so that it hears why rather than timing out. */
#define CTL_TIMEOUT_S  (AGENTWIRE_ANSWER_S - 1.0)
#define STOP_TIMEOUT_S 10.0 /* SIGTERM to exit, as run.c; under AGENTWIRE_STOP_S */
#define DEATH_GRACE_S  0.5  /* a control word unanswered: did the server die? */

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
		if (agent_stop_signal)
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
		agent_pendings_poll(a, p + 5);
		int ms = left * 1000 < WAKE_MS ? (int)(left * 1000) + 1 : WAKE_MS;
		int ready = poll(p, 5 + PENDING_MAX, ms);
		agent_pendings_serve(a, ready > 0 ? p + 5 : NULL, s->w.peer, NULL, NULL);
		agent_refusals_sum(a, 0);
		if (ready <= 0)
			continue;
		if (p[2].revents)
			spawn_pump(&s->srv, s->srv.out_fd);
		if (p[3].revents)
			spawn_pump(&s->srv, s->srv.err_fd);
		if (p[1].revents)
			agent_refuse_busy(a, s->w.peer);
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
	agent_say("%s: closed: cannot send %s: %s", s->w.peer, agentwire_type_name(type),
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
	agent_say("%s: %s: %s", s->w.peer, what, detail);
	return SESSION_FAILED;
}

static int session_stopped(struct session *s)
{
	char detail[64];
	snprintf(detail, sizeof(detail), "the agent was stopped (%s)", agent_stop_name());
	agentwire_send_error(&s->w, "stopped", detail);
	agent_say("%s: ended: %s", s->w.peer, detail);
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
	agent_say("%s: failed: impl=%s status=failed:%s: %s", s->w.peer, s->impl, s->reason,
		  s->detail);
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
		agent_say("%s: failed: impl=%s status=failed:%s: %s", s->w.peer, s->impl, s->reason,
			  s->detail);
		return SESSION_FAILED;
	}
	if (!a->quiet)
		agent_say("%s: done: impl=%s status=ok", s->w.peer, s->impl);
	return SESSION_WELL;
}

static int harness_error(struct session *s, const struct agentwire_frame *f)
{
	char reason[AGENTWIRE_VALUE_MAX + 1] = "", detail[AGENTWIRE_VALUE_MAX + 1] = "";
	agentwire_get(f, "reason", reason, sizeof(reason));
	agentwire_get(f, "detail", detail, sizeof(detail));
	agent_say("%s: the harness ended the session: %.64s%s%.400s", s->w.peer, reason,
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
			agent_say("%s: done: no run", s->w.peer);
		return SESSION_WELL;
	}
	if (!strcmp(why, "closed")) {
		agent_say("%s: closed mid-run (expected %s)", s->w.peer, expected_next[s->state]);
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
int agent_session_run(struct agent *a, const struct agentwire *w)
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
	agent_endpoint_of(&ss, &local);
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
