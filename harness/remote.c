/*
 * remote — the harness's end of a run whose server runs under `copyscope
 * agent` on another host (see remote.h; the protocol is agentwire.h).
 */
#include "remote.h"
#include "errmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "spawn.h"

struct remote {
	struct agentwire w;
};

static int fail(struct remote_failure *why, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct remote_failure *why, const char *reason, const char *fmt, ...)
{
	snprintf(why->reason, sizeof(why->reason), "%s", reason);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why->detail, sizeof(why->detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* Where HOST ends in spec, and where PORT starts (NULL: none); -1: malformed. */
static int split_spec(const char *spec, const char **host, size_t *hlen, const char **port)
{
	*host = spec, *port = NULL;
	if (spec[0] == '[') { /* [v6]:port or [v6] */
		const char *close = strchr(spec, ']');
		if (!close || (close[1] && close[1] != ':'))
			return -1;
		*host = spec + 1;
		*hlen = (size_t)(close - *host);
		*port = close[1] ? close + 2 : NULL;
	} else {
		const char *colon = strchr(spec, ':');
		if (colon && strchr(colon + 1, ':')) /* a bare IPv6 address */
			colon = NULL;
		*hlen = colon ? (size_t)(colon - spec) : strlen(spec);
		*port = colon ? colon + 1 : NULL;
	}
	return *hlen == 0 || strcspn(*host, " \t\n") < *hlen ? -1 : 0;
}

int remote_spec_host(const char *spec, char *host, size_t len)
{
	const char *h, *port;
	size_t hlen;
	if (split_spec(spec, &h, &hlen, &port) || hlen >= len)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	return 0;
}

int remote_target_parse(const char *spec, const char *key_file, struct remote_target *t, char *err,
			size_t errlen)
{
	memset(t, 0, sizeof(*t));
	const char *port;
	if (remote_spec_host(spec, t->host, sizeof(t->host)))
		return errmsg_set(err, errlen,
				  "remote %s: expected HOST[:PORT] ([ADDR]:PORT for "
				  "IPv6)",
				  spec);
	const char *h;
	size_t hlen;
	split_spec(spec, &h, &hlen, &port);
	if (!port) {
		snprintf(t->port, sizeof(t->port), "%s", AGENTWIRE_PORT);
	} else {
		char *end;
		errno = 0;
		unsigned long p = strtoul(port, &end, 10);
		if (!*port || *end || errno || p == 0 || p > 65535 || port[0] == '+' ||
		    port[0] == '-')
			return errmsg_set(err, errlen, "remote %s: port %s: expected 1..65535",
					  spec, port);
		snprintf(t->port, sizeof(t->port), "%lu", p);
	}
	if (!key_file)
		return errmsg_set(err, errlen,
				  "remote %s: needs a key file (the agent's, shared: "
				  "copyscope agent --new-key FILE makes one)",
				  spec);
	return agentwire_key_load(key_file, &t->key, err, errlen);
}

/* The numeric address of a connected socket's peer, into buf. */
static void peer_address(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	buf[0] = '\0';
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
		getnameinfo((struct sockaddr *)&ss, sl, buf, (socklen_t)len, NULL, 0,
			    NI_NUMERICHOST);
}

/* A TCP connection to the agent within AGENTWIRE_HANDSHAKE_S: its fd, or -1. */
static int connect_to(const struct remote_target *t, struct remote_failure *why)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
	int rc = getaddrinfo(t->host, t->port, &hints, &ai);
	if (rc)
		return fail(why, "agent_connect", "agent %s:%s: %s", t->host, t->port,
			    gai_strerror(rc));
	int fd = -1, last = 0;
	for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    a->ai_protocol);
		if (fd < 0) {
			last = errno;
			continue;
		}
		int e = 0;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			e = 0;
		else if (errno != EINPROGRESS)
			e = errno;
		else { /* a bounded wait: an unreachable host must not hang the sweep */
			struct pollfd p = {fd, POLLOUT, 0};
			socklen_t el = sizeof(e);
			if (poll(&p, 1, (int)(AGENTWIRE_HANDSHAKE_S * 1000)) != 1)
				e = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el))
				e = errno;
		}
		if (e) {
			last = e;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0)
		return fail(why, "agent_connect",
			    "agent %s:%s: connect: %s (is `copyscope agent --listen ADDR` running "
			    "there, on an address this host can reach?)",
			    t->host, t->port, strerror(last ? last : ECONNREFUSED));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* A failure word of agentwire's, as a row's reason; detail tells a busy agent
 * from one that refused otherwise (the handshake's "refused" quotes its ERROR). */
static const char *reason_of(const char *why, const char *detail)
{
	return !strcmp(why, "auth")	 ? "agent_auth"
	       : !strcmp(why, "version") ? "agent_version"
	       : !strcmp(why, "closed")	 ? "agent_closed"
	       : !strcmp(why, "timeout") ? "agent_timeout"
	       : !strcmp(why, "stopped") ? "agent_stopped"
	       : !strcmp(why, "refused") ? (strstr(detail, "busy") ? "agent_busy" : "agent_refused")
					 : "agent_protocol";
}

int remote_never_started(const char *reason)
{
	static const char *const words[] = {"agent_connect", "agent_auth", "agent_version",
					     "agent_busy"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(reason, words[i]))
			return 1;
	return 0;
}

/* Connects and authenticates: a session, or NULL with why. */
static struct remote *session(const struct remote_target *t, struct remote_failure *why)
{
	int fd = connect_to(t, why);
	if (fd < 0)
		return NULL;
	struct remote *r = calloc(1, sizeof(*r));
	if (!r) {
		close(fd);
		fail(why, "agent_connect", "out of memory");
		return NULL;
	}
	char peer[sizeof(r->w.peer)];
	/* a long host name is cut in messages, never in what is connected to */
	snprintf(peer, sizeof(peer), "%.80s:%s", t->host, t->port);
	agentwire_init(&r->w, fd, 0, peer);
	const char *w = "protocol";
	char err[REMOTE_DETAIL_MAX];
	if (agentwire_handshake(&r->w, &t->key, &w, err, sizeof(err))) {
		const char *reason = reason_of(w, err);
		fail(why, reason, "%s%s", err,
		     strcmp(reason, "agent_auth") ? ""
						  : " (the two ends' key files differ: copy the "
						    "agent's key file here, mode 600)");
		remote_close(r);
		return NULL;
	}
	return r;
}

/* A value of f however long, cut to buf's size ("" when absent). */
static void get_cut(const struct agentwire_frame *f, const char *key, char *buf, size_t len)
{
	char whole[AGENTWIRE_VALUE_MAX + 1];
	buf[0] = '\0';
	if (!agentwire_get(f, key, whole, sizeof(whole))) {
		size_t n = strnlen(whole, len - 1); /* cut, on purpose */
		memcpy(buf, whole, n);
		buf[n] = '\0';
	}
}

/* "failed:server_exit_1" and its detail from a RESULT, as the row's failure;
 * the reason goes into a status cell, so it must be a word (else: protocol). */
static int result_failure(const struct agentwire_frame *f, struct remote_failure *why)
{
	char status[96], detail[REMOTE_DETAIL_MAX];
	if (agentwire_get(f, "status", status, sizeof(status)))
		return fail(why, "agent_protocol", "agent: a RESULT without a status that fits");
	get_cut(f, "detail", detail, sizeof(detail));
	const char *reason = status + 7;
	size_t n = strlen(reason);
	if (strncmp(status, "failed:", 7) || n == 0 || n >= REMOTE_REASON_MAX ||
	    strspn(reason, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		return fail(why, "agent_protocol", "agent: status %.80s (expected failed:WORD)",
			    status);
	return fail(why, reason, "%s", detail[0] ? detail : reason);
}

/*
 * Reads the answer of type want within timeout_s, checked (agentwire_check).
 * ERROR and, in place of another answer, a failed RESULT become the row's
 * failure; so does anything else than want.
 */
static int expect(struct remote *r, int want, double timeout_s, struct agentwire_frame *f,
		  struct remote_failure *why)
{
	const char *w = "protocol";
	char err[REMOTE_DETAIL_MAX];
	memset(f, 0, sizeof(*f));
	if (agentwire_recv(&r->w, timeout_s, f, &w, err, sizeof(err)))
		return fail(why, reason_of(w, err), "%s", err);
	if (agentwire_check(f, err, sizeof(err))) {
		agentwire_frame_free(f);
		return fail(why, "agent_protocol", "agent %s: %s", r->w.peer, err);
	}
	if (f->type == AW_ERROR) {
		char reason[32], detail[REMOTE_DETAIL_MAX - 64];
		get_cut(f, "reason", reason, sizeof(reason));
		get_cut(f, "detail", detail, sizeof(detail));
		agentwire_frame_free(f);
		const char *word = !strcmp(reason, "refused")	? "agent_refused"
				   : !strcmp(reason, "events")	? "agent_events"
				   : !strcmp(reason, "busy")	? "agent_busy"
				   : !strcmp(reason, "auth")	? "agent_auth"
				   : !strcmp(reason, "timeout") ? "agent_timeout"
				   : !strcmp(reason, "stopped")
				       ? "agent_stopped" /* SIGINT/SIGTERM there */
				       : "agent_protocol";
		return fail(why, word, "agent %s: %s%s%s", r->w.peer, reason, detail[0] ? ": " : "",
			    detail);
	}
	if (f->type == AW_RESULT && want != AW_RESULT) {
		int rc = result_failure(f, why);
		agentwire_frame_free(f);
		return rc;
	}
	if (f->type != want) {
		int got = f->type;
		agentwire_frame_free(f);
		if (!want)
			return fail(why, "agent_protocol", "agent %s: sent %s mid-run, unasked",
				    r->w.peer, agentwire_type_name(got));
		return fail(why, "agent_protocol", "agent %s: answered %s where %s was due",
			    r->w.peer, agentwire_type_name(got), agentwire_type_name(want));
	}
	return 0;
}

static int send_frame(struct remote *r, int type, const char *payload, size_t len,
		      struct remote_failure *why)
{
	char err[REMOTE_DETAIL_MAX];
	if (agentwire_send(&r->w, type, payload, len, err, sizeof(err)))
		return fail(why, "agent_closed", "%s", err);
	return 0;
}

/* Sends type with payload and reads its answer want (freed: only success counts). */
static int ask(struct remote *r, int type, const char *payload, size_t len, int want,
	       double timeout_s, struct remote_failure *why)
{
	struct agentwire_frame f;
	if (send_frame(r, type, payload, len, why) || expect(r, want, timeout_s, &f, why))
		return -1;
	agentwire_frame_free(&f);
	return 0;
}

int remote_start(const struct remote_target *t, const struct remote_run *run, struct remote **out,
		 char *host, size_t hlen, char *port, size_t plen, struct remote_failure *why)
{
	*out = NULL;
	struct remote *r = session(t, why);
	if (!r)
		return -1;
	char req[1024];
	size_t used = 0;
	req[0] = '\0';
	if (agentwire_put(req, sizeof(req), &used, "impl", "%s", run->impl) ||
	    agentwire_put(req, sizeof(req), &used, "window", "%.3f", run->window_s) ||
	    (run->cpus && agentwire_put(req, sizeof(req), &used, "cpus", "%s", run->cpus)) ||
	    (run->thread_cpus &&
	     agentwire_put(req, sizeof(req), &used, "thread_cpus", "%s", run->thread_cpus))) {
		remote_close(r);
		return fail(why, "agent_refused", "the run does not fit the agent's request");
	}
	struct agentwire_frame f;
	if (ask(r, AW_EVENTS, run->events, run->events_len, AW_OK, AGENTWIRE_ANSWER_S, why) ||
	    send_frame(r, AW_RUN, req, used, why) ||
	    expect(r, AW_LISTENING, AGENTWIRE_RUN_S, &f, why)) {
		remote_close(r);
		return -1;
	}
	int bad = agentwire_get(&f, "port", port, plen) ||
		  strspn(port, "0123456789") != strlen(port) || !port[0];
	agentwire_frame_free(&f);
	if (bad) {
		remote_close(r);
		return fail(why, "agent_protocol", "agent %s: LISTENING without a port", t->host);
	}
	peer_address(r->w.fd, host, hlen);
	*out = r;
	return 0;
}

int remote_heard(struct remote *r, struct remote_failure *why)
{
	struct agentwire_frame f;
	if (expect(r, 0, AGENTWIRE_ANSWER_S, &f, why)) /* nothing is due: any frame fails */
		return -1;
	agentwire_frame_free(&f);
	return fail(why, "agent_protocol", "agent %s: spoke mid-run, unasked", r->w.peer);
}

int remote_fd(const struct remote *r)
{
	return r ? r->w.fd : -1;
}

int remote_say(struct remote *r, int type, struct remote_failure *why)
{
	return ask(r, type, "", 0, AW_OK, AGENTWIRE_ANSWER_S, why);
}

/* A decimal number at *p (digits only: no sign, no blank), then sep or the end:
 * 0 with *p past it, or -1 (also on overflow). */
static int take_u64(const char **p, char sep, uint64_t *v)
{
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || (*end != sep && *end != '\0'))
		return -1;
	*v = x;
	*p = *end ? end + 1 : end;
	return 0;
}

/* "<counted> <raw> <enabled> <running>" of counter.i, and reason.i, into v. */
static int read_counter(const struct agentwire_frame *f, size_t i, struct counter_value *v)
{
	char key[32], cell[128];
	int counted;
	uint64_t raw, enabled, running;
	snprintf(key, sizeof(key), "counter.%zu", i);
	memset(v, 0, sizeof(*v));
	v->value = v->running = NAN;
	if (agentwire_get(f, key, cell, sizeof(cell)))
		return -1;
	const char *p = cell;
	uint64_t c;
	if (take_u64(&p, ' ', &c) || c > 1 || take_u64(&p, ' ', &raw) ||
	    take_u64(&p, ' ', &enabled) || take_u64(&p, ' ', &running) || *p)
		return -1;
	counted = (int)c;
	snprintf(key, sizeof(key), "reason.%zu", i);
	agentwire_get(f, key, v->reason, sizeof(v->reason));
	v->counted = counted;
	if (!counted)
		return 0;
	v->raw = raw, v->time_enabled = enabled, v->time_running = running;
	counter_scale(raw, enabled, running, &v->value, &v->running);
	return 0;
}

/* "<cpu>:<ns>;..." into where. */
static int read_oncpu(const struct agentwire_frame *f, struct oncpu_sample *where)
{
	char cell[AGENTWIRE_VALUE_MAX + 1];
	where->n = 0;
	if (agentwire_get(f, "oncpu", cell, sizeof(cell)) || !cell[0])
		return 0; /* not measured there: empty cells */
	for (char *save = NULL, *item = strtok_r(cell, ";", &save); item;
	     item = strtok_r(NULL, ";", &save)) {
		uint64_t cpu, ns;
		const char *p = item;
		if (where->n == ONCPU_MAX || take_u64(&p, ':', &cpu) || cpu >= CPU_SETSIZE ||
		    take_u64(&p, ';', &ns) || *p)
			return -1;
		where->cpu[where->n] = (int)cpu;
		where->ns[where->n++] = (double)ns;
	}
	return 0;
}

int remote_stop(struct remote *r, size_t nvalues, struct remote_result *res,
		struct remote_failure *why)
{
	memset(res, 0, sizeof(*res));
	res->values = calloc(nvalues + 1, sizeof(*res->values));
	res->totals = strdup("");
	if (!res->values || !res->totals)
		return fail(why, "agent_protocol", "out of memory");
	struct agentwire_frame f;
	if (send_frame(r, AW_STOP, "", 0, why) || expect(r, AW_TOTALS, AGENTWIRE_STOP_S, &f, why))
		return -1;
	free(res->totals);
	res->totals = f.payload; /* NUL-terminated; now ours */
	f.payload = NULL;
	agentwire_frame_free(&f);
	if (expect(r, AW_RESULT, AGENTWIRE_STOP_S, &f, why))
		return -1;
	char status[96] = "";
	agentwire_get(&f, "status", status, sizeof(status));
	int rc = 0;
	if (strcmp(status, "ok"))
		rc = result_failure(&f, why);
	for (size_t i = 0; !rc && i < nvalues; i++)
		if (read_counter(&f, i, &res->values[i]))
			rc = fail(why, "agent_protocol",
				  "agent %s: counter.%zu missing or malformed "
				  "(the agent counted another event file?)",
				  r->w.peer, i);
	if (!rc && read_oncpu(&f, &res->where))
		rc = fail(why, "agent_protocol", "agent %s: oncpu malformed", r->w.peer);
	agentwire_frame_free(&f);
	return rc;
}

void remote_result_free(struct remote_result *res)
{
	free(res->totals);
	free(res->values);
	res->totals = NULL;
	res->values = NULL;
}

void remote_close(struct remote *r)
{
	if (!r)
		return;
	if (r->w.fd >= 0)
		close(r->w.fd);
	free(r);
}

int remote_describe(const struct remote_target *t, char **text, struct remote_failure *why)
{
	*text = NULL;
	struct remote *r = session(t, why);
	if (!r)
		return -1;
	struct agentwire_frame f;
	int rc = send_frame(r, AW_DESCRIBE, "", 0, why) ||
		 expect(r, AW_MACHINE, AGENTWIRE_ANSWER_S, &f, why);
	if (!rc) {
		*text = f.payload;
		f.payload = NULL;
		agentwire_frame_free(&f);
	}
	remote_close(r);
	return rc ? -1 : 0;
}
