/*
 * run — one point: the server, the client, their counters, one row (see run.h).
 */
#include "run.h"
#include "kv.h"
#include "programs.h"
#include "row.h"
#include "wire.h"
#include "errmsg.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "counters.h"
#include "hostdesc.h"
#include "netns.h"
#include "oncpu.h"
#include "remote.h"
#include "sampler.h"
#include "spawn.h"

#define LISTEN_TIMEOUT_S     10.0 /* server start to "listening" (sanitized builds are slow) */
#define LISTENING_LEN	     (sizeof(WIRE_LISTENING " ") - 1)
#define CTL_TIMEOUT_S	     5.0  /* server's "ok" to a begin/end */
#define STOP_TIMEOUT_S	     10.0 /* SIGTERM to exit: the server drains and prints */
#define SERVER_DEATH_GRACE_S 0.5  /* a failed client: did its server die first? */
#define WAKE_MS		     250  /* longest sleep in poll: bounds how late a stop is seen */

static volatile sig_atomic_t stop_flag;

void run_request_stop(void)
{
	stop_flag = 1;
}

int run_stop_requested(void)
{
	return stop_flag != 0;
}

/* --- one run ------------------------------------------------------------------ */

struct side {
	struct spawn_child proc;
	struct counter_set *counters;
	struct counter_value *values;
	struct oncpu *where;	     /* its on-CPU time per CPU (placement) */
	struct oncpu_sample where_s; /* ... read at the window's end */
	const char *thread_cpus;     /* --thread-cpus, NULL: not pinned by placement */
	struct sampler *sampler;     /* its call chains (sampler.h); NULL: not sampled */
	struct sample_result samples; /* ... once the window has closed */
	char ctl_buf[64];
	size_t ctl_len;
};

struct run_state {
	const struct run_spec *spec;
	const struct counter_plan *plan;
	struct side srv, cli;
	struct netns_link link; /* netns topology: the namespaces; empty on loopback */
	struct remote *remote;	/* remote topology: the agent's session; NULL otherwise */
	struct remote_result far; /* ... and what it returned once the server stopped */
	int window_opened, window_closed, interrupted;
	char reason[96]; /* failed:<reason>; empty while all is well */
	char detail[512];
};

static int set_failed(struct run_state *st, const char *reason, const char *fmt, ...)
{
	if (st->reason[0])
		return -1; /* the first failure is the one that explains the rest */
	snprintf(st->reason, sizeof(st->reason), "%s", reason);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->detail, sizeof(st->detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* "server_exit_1", "client_signal_SIGSEGV" (spawn_failure), with its last words. */
static int failed_exit(struct run_state *st, struct side *s)
{
	char reason[64], detail[sizeof(st->detail)];
	spawn_failure(&s->proc, reason, sizeof(reason), detail, sizeof(detail));
	return set_failed(st, reason, "%s", detail);
}

static int start_side(struct run_state *st, struct side *s, const char *path, char *argv[],
		      const char *log, char *err, size_t errlen)
{
	if (spawn_prepare(&s->proc, path, argv, 1, log, err, errlen))
		return -1;
	if (counter_set_open(st->plan, s->proc.pid, &s->counters, err, errlen))
		return -1;
	s->values = calloc(counter_plan_count(st->plan) + 1, sizeof(*s->values));
	s->where = oncpu_open(s->proc.pid);
	if (st->spec->sample)
		s->sampler = sampler_open(st->spec->sample, s->proc.pid);
	if (!s->values || !s->where || (st->spec->sample && !s->sampler))
		return errmsg_set(err, errlen, "out of memory");
	char why[256];
	if (spawn_release(&s->proc, why, sizeof(why))) {
		char reason[32];
		snprintf(reason, sizeof(reason), "%s_exec", s->proc.name);
		set_failed(st, reason, "%s", why);
	}
	return 0;
}

static int send_line(int fd, const char *line)
{
	size_t n = strlen(line);
	return send(fd, line, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* Says word to the server and waits for its ok. */
static int server_ctl(struct run_state *st, const char *word)
{
	char why[160];
	if (spawn_ctl_say(&st->srv.proc, word, CTL_TIMEOUT_S, why, sizeof(why)))
		return set_failed(st, "server_ctl", "%s", why);
	return 0;
}

/* The far host's server (remote topology): begin and end go through its agent. */
static int remote_failed(struct run_state *st, const struct remote_failure *why)
{
	return set_failed(st, why->reason, "%s", why->detail);
}

static int remote_begin(struct run_state *st)
{
	struct remote_failure why;
	return remote_say(st->remote, AW_BEGIN, &why) ? remote_failed(st, &why) : 0;
}

static int remote_end(struct run_state *st)
{
	struct remote_failure why;
	return remote_say(st->remote, AW_END, &why) ? remote_failed(st, &why) : 0;
}

/* After the client: the far server's totals, counters and CPUs. 0 or -1 (row failed). */
static int remote_finish(struct run_state *st)
{
	struct remote_failure why;
	if (remote_stop(st->remote, counter_plan_count(st->plan), &st->far, &why))
		return remote_failed(st, &why);
	return 0;
}

/* The agent's socket turned readable while nobody asked it anything: it went
 * away (killed, or its host), it was stopped, or it spoke out of turn. */
static int agent_spoke(struct run_state *st)
{
	struct remote_failure why;
	remote_heard(st->remote, &why);
	return remote_failed(st, &why);
}

static int open_window(struct run_state *st)
{
	if (st->window_opened)
		return set_failed(st, "client_protocol", "client: begin sent twice");
	if (st->remote ? remote_begin(st) : server_ctl(st, CTL_BEGIN))
		return -1;
	/* a window whose counters did not start would read as never enabled */
	if ((!st->remote && counter_set_enable(st->srv.counters)) ||
	    counter_set_enable(st->cli.counters))
		return set_failed(st, "counters", "harness: cannot enable the counters: %s",
				  strerror(errno));
	/* where they run is a row's context, not its measure: a counter that cannot
	 * be switched leaves those cells empty (oncpu_read), never the run failed */
	oncpu_enable(st->srv.where);
	oncpu_enable(st->cli.where);
	/* likewise samples: a sampler that cannot be switched on counts none */
	sampler_enable(st->srv.sampler);
	sampler_enable(st->cli.sampler);
	st->window_opened = 1;
	if (send_line(st->cli.proc.ctl_fd, CTL_OK "\n"))
		return set_failed(st, "client_ctl", "client: control socket: %s", strerror(errno));
	return 0;
}

static int close_window(struct run_state *st, char *err, size_t errlen)
{
	if (!st->window_opened || st->window_closed)
		return set_failed(st, "client_protocol", "client: end without begin");
	counter_set_disable(st->cli.counters);
	if (!st->remote)
		counter_set_disable(st->srv.counters);
	oncpu_disable(st->cli.where);
	oncpu_disable(st->srv.where);
	sampler_disable(st->cli.sampler);
	sampler_disable(st->srv.sampler);
	st->window_closed = 1;
	/* their memory maps name their samples later: read now, while both still run
	 * (the client waits for its ok); a map that cannot be read names nothing */
	sampler_keep_maps(st->cli.sampler, st->cli.proc.pid);
	sampler_keep_maps(st->srv.sampler, st->srv.proc.pid);
	if (st->remote ? remote_end(st) : server_ctl(st, CTL_END))
		return -1;
	if (send_line(st->cli.proc.ctl_fd, CTL_OK "\n"))
		return set_failed(st, "client_ctl", "client: control socket: %s", strerror(errno));
	/* Counters are read after the client is released: off its critical path. */
	if ((!st->remote && counter_set_read(st->srv.counters, st->srv.values, err, errlen)) ||
	    counter_set_read(st->cli.counters, st->cli.values, err, errlen))
		return set_failed(st, "counters", "%s", err);
	oncpu_read(st->srv.where, &st->srv.where_s);
	oncpu_read(st->cli.where, &st->cli.where_s);
	sampler_drain(st->srv.sampler);
	sampler_drain(st->cli.sampler);
	return 0;
}

/* Handles what the client wrote on its control socket. */
static int client_ctl(struct run_state *st, char *err, size_t errlen)
{
	struct side *c = &st->cli;
	ssize_t n = recv(c->proc.ctl_fd, c->ctl_buf + c->ctl_len,
			 sizeof(c->ctl_buf) - 1 - c->ctl_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) { /* the client is going away; its exit status tells the rest */
		close(c->proc.ctl_fd);
		c->proc.ctl_fd = -1;
		return 0;
	}
	c->ctl_len += (size_t)n;
	c->ctl_buf[c->ctl_len] = '\0';
	char *nl;
	while ((nl = strchr(c->ctl_buf, '\n'))) {
		*nl = '\0';
		int rc = !strcmp(c->ctl_buf, CTL_BEGIN) ? open_window(st)
			 : !strcmp(c->ctl_buf, CTL_END)
			     ? close_window(st, err, errlen)
			     : set_failed(st, "client_protocol", "client: unexpected control line");
		if (rc)
			return -1;
		size_t used = (size_t)(nl + 1 - c->ctl_buf);
		memmove(c->ctl_buf, nl + 1, c->ctl_len - used + 1);
		c->ctl_len -= used;
	}
	if (c->ctl_len == sizeof(c->ctl_buf) - 1)
		return set_failed(st, "client_protocol", "client: control line too long");
	return 0;
}

enum { P_SRV_OUT, P_SRV_ERR, P_SRV_PID, P_CLI_OUT, P_CLI_ERR, P_CLI_PID, P_CLI_CTL, P_AGENT, P_N };
#define P_SAMPLERS_MAX (2 * SAMPLER_CPUS_MAX)

/* The samplers' descriptors after p[P_N], while the window is open (a
 * descriptor of a workload gone polls readable for ever): how many. */
static size_t sampler_pollfds(const struct run_state *st, struct pollfd *p)
{
	if (!st->window_opened || st->window_closed)
		return 0;
	int fds[P_SAMPLERS_MAX];
	size_t n = sampler_fds(st->srv.sampler, fds, SAMPLER_CPUS_MAX);
	n += sampler_fds(st->cli.sampler, fds + n, SAMPLER_CPUS_MAX);
	for (size_t i = 0; i < n; i++)
		p[i] = (struct pollfd){fds[i], POLLIN, 0};
	return n;
}

/*
 * Sleeps in poll() on both workloads until until(st) holds, a workload dies,
 * the deadline passes or a stop is requested. 0 when until() holds, else -1.
 */
static int wait_for(struct run_state *st, double deadline, const char *timeout_reason,
		    int (*until)(struct run_state *), char *err, size_t errlen)
{
	int with_client = st->cli.proc.pid > 0;
	while (!until(st)) {
		if (stop_flag) {
			st->interrupted = 1;
			return -1;
		}
		if (!st->remote && spawn_try_reap(&st->srv.proc)) {
			spawn_wait(&st->srv.proc, 0); /* its last words */
			return failed_exit(st, &st->srv);
		}
		double left = deadline - spawn_now();
		if (left <= 0)
			return set_failed(st, timeout_reason, "%s", timeout_reason);
		struct pollfd p[P_N + P_SAMPLERS_MAX] = {
		    [P_SRV_OUT] = {st->srv.proc.out_fd, POLLIN, 0},
		    [P_SRV_ERR] = {st->srv.proc.err_fd, POLLIN, 0},
		    [P_SRV_PID] = {st->srv.proc.pid_fd, POLLIN, 0},
		    [P_CLI_OUT] = {with_client ? st->cli.proc.out_fd : -1, POLLIN, 0},
		    [P_CLI_ERR] = {with_client ? st->cli.proc.err_fd : -1, POLLIN, 0},
		    [P_CLI_PID] = {with_client && !st->cli.proc.reaped ? st->cli.proc.pid_fd : -1,
				   POLLIN, 0},
		    [P_CLI_CTL] = {with_client ? st->cli.proc.ctl_fd : -1, POLLIN, 0},
		    [P_AGENT] = {remote_fd(st->remote), POLLIN, 0},
		};
		size_t nsamplers = sampler_pollfds(st, p + P_N);
		int ms = left * 1000 < WAKE_MS ? (int)(left * 1000) + 1 : WAKE_MS;
		int ready = poll(p, P_N + nsamplers, ms);
		if (nsamplers) { /* half full, or a wake-up anyway: empty them while it runs */
			sampler_drain(st->srv.sampler);
			sampler_drain(st->cli.sampler);
		}
		if (ready <= 0)
			continue;
		if (p[P_SRV_OUT].revents)
			spawn_pump(&st->srv.proc, st->srv.proc.out_fd);
		if (p[P_SRV_ERR].revents)
			spawn_pump(&st->srv.proc, st->srv.proc.err_fd);
		if (p[P_CLI_OUT].revents)
			spawn_pump(&st->cli.proc, st->cli.proc.out_fd);
		if (p[P_CLI_ERR].revents)
			spawn_pump(&st->cli.proc, st->cli.proc.err_fd);
		if (p[P_CLI_CTL].revents && client_ctl(st, err, errlen))
			return -1;
		if (p[P_AGENT].revents && agent_spoke(st))
			return -1;
		if (with_client)
			spawn_try_reap(&st->cli.proc);
	}
	return 0;
}

static int server_listening(struct run_state *st)
{
	const char *out = st->srv.proc.out.data;
	return out && !strncmp(out, WIRE_LISTENING " ", LISTENING_LEN) && strchr(out, '\n');
}

static int client_gone(struct run_state *st)
{
	return st->cli.proc.reaped;
}

static double grace_s(const struct run_spec *spec)
{
	return spec->duration_s * 0.5 > 5.0 ? spec->duration_s * 0.5 : 5.0;
}

static int start_server(struct run_state *st, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (program_path("server", path, sizeof(path), err, errlen))
		return -1;
	char ctl[16];
	snprintf(ctl, sizeof(ctl), "%d", SPAWN_CTL_FD);
	char *host = run_spec_is_netns(st->spec) ? NETNS_SRV_ADDR : "127.0.0.1";
	char *argv[16] = {
	    path, "--impl", (char *)st->spec->impl, "--host", host, "--port", "0", "--ctl-fd", ctl};
	int n = 9;
	if (st->spec->server_cpus) {
		argv[n++] = "--cpus";
		argv[n++] = (char *)st->spec->server_cpus;
	}
	if (st->srv.thread_cpus) {
		argv[n++] = "--thread-cpus";
		argv[n++] = (char *)st->srv.thread_cpus;
	}
	argv[n] = NULL;
	st->srv.proc.netns = st->link.srv_path[0] ? st->link.srv_path : NULL;
	return start_side(st, &st->srv, path, argv, st->spec->server_log, err, errlen);
}

static int start_client(struct run_state *st, const char *host, const char *port, char *err,
			size_t errlen)
{
	const struct run_spec *sp = st->spec;
	char path[PATH_MAX];
	if (program_path("client", path, sizeof(path), err, errlen))
		return -1;
	char size[32], threads[16], dur[32], warm[32], ctl[16];
	snprintf(size, sizeof(size), "%lu", sp->msg_size);
	snprintf(threads, sizeof(threads), "%u", sp->threads);
	snprintf(dur, sizeof(dur), "%g", sp->duration_s);
	snprintf(warm, sizeof(warm), "%g", sp->warmup_s);
	snprintf(ctl, sizeof(ctl), "%d", SPAWN_CTL_FD);
	char *argv[32] = {path,
			  "--host",
			  (char *)host,
			  "--port",
			  (char *)port,
			  "--size",
			  size,
			  "--threads",
			  threads,
			  "--duration",
			  dur,
			  "--warmup",
			  warm,
			  "--mode",
			  (char *)sp->mode,
			  "--layout",
			  (char *)sp->layout,
			  "--ctl-fd",
			  ctl};
	int n = 19;
	if (sp->busy_poll)
		argv[n++] = "--busy-poll";
	if (sp->verify)
		argv[n++] = "--verify";
	if (sp->client_cpus) {
		argv[n++] = "--cpus";
		argv[n++] = (char *)sp->client_cpus;
	}
	if (st->cli.thread_cpus) {
		argv[n++] = "--thread-cpus";
		argv[n++] = (char *)st->cli.thread_cpus;
	}
	if (sp->intervals) {
		argv[n++] = "--intervals-out";
		argv[n++] = (char *)sp->intervals;
	}
	argv[n] = NULL;
	st->cli.proc.netns = st->link.cli_path[0] ? st->link.cli_path : NULL;
	return start_side(st, &st->cli, path, argv, sp->client_log, err, errlen);
}

/* The server on the far host, through its agent: the address and port for the client. */
static int start_remote_server(struct run_state *st, char *host, size_t hlen, char *port,
			       size_t plen)
{
	const struct run_spec *sp = st->spec;
	struct remote_run req = {
	    .impl = sp->impl,
	    .cpus = sp->server_cpus,
	    /* from its listening line to its stop: the client's start, warm-up, window,
	     * the grace a local run gets, and the stop */
	    .window_s = LISTEN_TIMEOUT_S + sp->warmup_s + sp->duration_s + 2 * grace_s(sp) +
			STOP_TIMEOUT_S,
	    .events = sp->events_text,
	    .events_len = sp->events_len,
	};
	struct remote_failure why;
	if (remote_start(sp->remote, &req, &st->remote, host, hlen, port, plen, &why))
		return remote_failed(st, &why);
	return 0;
}

/*
 * The connection threads' CPUs for the spec's placement (placement.h), from
 * the CPUs this process may use: into srv and cli, and st's sides point at
 * them. -1 with err when this machine cannot hold it.
 */
static int place_threads(struct run_state *st, char *srv, char *cli, size_t len, char *err,
			 size_t errlen)
{
	if (st->spec->placement == PLACEMENT_FREE)
		return 0;
	if (st->spec->server_cpus || st->spec->client_cpus)
		return errmsg_set(err, errlen, "placement %s: pins the threads itself (no server or "
					       "client CPU list with it)",
				  placement_name(st->spec->placement));
	static struct cpu_topo topo;
	if (cputopo_read(&topo, err, errlen) ||
	    placement_lists(&topo, st->spec->placement, srv, len, cli, len, err, errlen))
		return -1;
	st->srv.thread_cpus = srv;
	st->cli.thread_cpus = cli;
	return 0;
}

/* Runs the workloads through the window; st->reason says how it went. -1: harness error. */
static int run_workloads(struct run_state *st, char *err, size_t errlen)
{
	char srv_cpus[CPUTOPO_MAX * 6], cli_cpus[CPUTOPO_MAX * 6];
	if (place_threads(st, srv_cpus, cli_cpus, sizeof(srv_cpus), err, errlen))
		return -1;
	char host[128], port[16];
	if (st->spec->remote) {
		if (start_remote_server(st, host, sizeof(host), port, sizeof(port)))
			return 0;
	} else {
		if (start_server(st, err, errlen))
			return -1;
		if (st->reason[0])
			return 0;
		if (wait_for(st, spawn_now() + LISTEN_TIMEOUT_S, "server_no_listen",
			     server_listening, err, errlen))
			return 0;
		if (program_listening(st->srv.proc.out.data, host, sizeof(host), port,
				      sizeof(port))) {
			set_failed(st, "server_output",
				   "server: expected 'listening HOST:PORT' first");
			return 0;
		}
	}
	if (start_client(st, host, port, err, errlen))
		return -1;
	if (st->reason[0])
		return 0;
	double deadline =
	    spawn_now() + st->spec->warmup_s + st->spec->duration_s + grace_s(st->spec);
	if (wait_for(st, deadline, "timeout", client_gone, err, errlen))
		return 0;
	spawn_wait(&st->cli.proc, 0); /* drain what it printed last */
	if (!WIFEXITED(st->cli.proc.status) || WEXITSTATUS(st->cli.proc.status) != 0) {
		/* A client fails when its server dies under it, and may be reaped
		 * first: then the server's death is the reason, not the client's exit
		 * (on a far host, the agent says so when asked to stop it). */
		if (st->remote)
			return remote_finish(st) ? 0 : (failed_exit(st, &st->cli), 0);
		if (spawn_wait(&st->srv.proc, SERVER_DEATH_GRACE_S) &&
		    (!WIFEXITED(st->srv.proc.status) || WEXITSTATUS(st->srv.proc.status) != 0))
			return failed_exit(st, &st->srv), 0;
		return failed_exit(st, &st->cli), 0;
	}
	if (!st->window_closed)
		return set_failed(st, "no_window", "client: exited without a measured window"), 0;
	if (st->remote) {
		if (!remote_finish(st) && isnan(kv_num(st->cli.proc.out.data, KEY_BYTES)))
			set_failed(st, "client_output", "client: printed no bytes=");
		return 0;
	}
	spawn_signal(&st->srv.proc, SIGTERM);
	if (!spawn_wait(&st->srv.proc, STOP_TIMEOUT_S))
		return set_failed(st, "server_stop_timeout",
				  "server: still running %.0f s after SIGTERM", STOP_TIMEOUT_S),
		       0;
	if (!WIFEXITED(st->srv.proc.status) || WEXITSTATUS(st->srv.proc.status) != 0)
		return failed_exit(st, &st->srv), 0;
	if (isnan(kv_num(st->cli.proc.out.data, KEY_BYTES)))
		set_failed(st, "client_output", "client: printed no bytes=");
	return 0;
}

/* Remote: this host's interface towards the agent (hostdesc.h); what cannot
 * be read leaves its cell empty. */
static void near_link(const struct remote_target *t, struct result_row *row)
{
	struct hostdesc_iface ifc;
	char err[256];
	hostdesc_iface_towards(t->host, &ifc, err, sizeof(err));
	if (ifc.mtu[0])
		result_row_set(row, "mtu", "%s", ifc.mtu);
	if (ifc.offloads[0])
		result_row_set(row, "offloads", "%s", ifc.offloads);
}

/*
 * The link the bytes will cross: on netns, built (privileges checked first,
 * since a sweep reaches here without cmd_run's check); on loopback, lo as it
 * is. Its MTU and offloads go into the row whatever the run's fate. 0, or -1
 * with err: the harness cannot set up the topology.
 */
static int set_up_link(struct run_state *st, struct result_row *row, char *err, size_t errlen)
{
	unsigned mtu;
	char offloads[NETNS_OFFLOADS_MAX];
	if (st->spec->remote) {
		near_link(st->spec->remote, row);
		return 0;
	}
	if (!run_spec_is_netns(st->spec)) {
		if (!netns_link_info(NULL, "lo", &mtu, offloads, sizeof(offloads), err, errlen)) {
			result_row_set(row, "mtu", "%u", mtu);
			result_row_set(row, "offloads", "%s", offloads);
		}
		err[0] = '\0'; /* lo unreadable costs two cells, not the run */
		return 0;
	}
	if (netns_check_privileges(err, errlen) ||
	    netns_create(&st->link, st->spec->mtu, err, errlen))
		return -1;
	result_row_set(row, "mtu", "%u", st->link.mtu);
	result_row_set(row, "offloads", "%s", st->link.offloads);
	return 0;
}

/* Where a side's folded stacks go: as asked, else beside its log; NULL: nowhere. */
static const char *stacks_path(const char *asked, const char *log, char *buf, size_t len)
{
	if (asked || !log)
		return asked;
	size_t n = strlen(log);
	if (n > 4 && !strcmp(log + n - 4, ".log"))
		n -= 4;
	snprintf(buf, len, "%.*s.folded", (int)n, log);
	return buf;
}

/*
 * After the window: each side's samples named, folded, written and put into
 * categories (sampler_finish); *took: the seconds it took. 0, or -1 with err
 * when a folded file cannot be written (as a log that cannot be: the
 * harness's failure).
 */
static int finish_samples(struct run_state *st, double *took, char *err, size_t errlen)
{
	const struct run_spec *sp = st->spec;
	*took = 0;
	if (!sp->sample)
		return 0;
	char buf[2][PATH_MAX + 16];
	const char *path[2] = {stacks_path(sp->server_stacks, sp->server_log, buf[0], sizeof(buf[0])),
			       stacks_path(sp->client_stacks, sp->client_log, buf[1], sizeof(buf[1]))};
	struct side *side[2] = {&st->srv, &st->cli};
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		if (sampler_finish(side[i]->sampler, sp->sample, path[i], &side[i]->samples, err,
				   errlen))
			rc = -1;
		*took += side[i]->samples.after_s;
	}
	return rc;
}

static double cpu_seconds(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int run_point(const struct run_spec *spec, const struct counter_plan *plan, struct result_row *row,
	      char *err, size_t errlen)
{
	double self0 = cpu_seconds(RUSAGE_SELF), kids0 = cpu_seconds(RUSAGE_CHILDREN);
	double wall0 = spawn_now();
	err[0] = '\0';
	if (row_template(spec, plan, row))
		return errmsg_set(err, errlen, "out of memory"), RUN_ERROR;
	if (strcmp(run_spec_topology(spec), "loopback") && !run_spec_is_netns(spec) &&
	    !run_spec_is_remote(spec)) {
		result_row_set(row, "status", "failed:topology");
		return errmsg_set(err, errlen,
				  "%s: unknown topology (expected loopback, netns, or remote with "
				  "an agent)",
				  spec->topology),
		       RUN_ERROR;
	}
	struct run_state st = {.spec = spec, .plan = plan};
	spawn_init(&st.srv.proc, "server");
	spawn_init(&st.cli.proc, "client");
	int harness_error = set_up_link(&st, row, err, errlen);
	if (!harness_error)
		harness_error = run_workloads(&st, err, errlen);
	if (harness_error && stop_flag) /* a Ctrl-C reaches ip and the workloads too */
		harness_error = 0, st.interrupted = 1;
	double sampling_s = 0;
	if (!harness_error && !st.interrupted && !st.reason[0])
		harness_error = finish_samples(&st, &sampling_s, err, errlen);
	int outcome;
	if (harness_error) {
		result_row_set(row, "status", "failed:harness");
		outcome = RUN_ERROR;
	} else if (st.interrupted) {
		result_row_set(row, "status", "interrupted");
		snprintf(err, errlen, "interrupted");
		outcome = RUN_INTERRUPTED;
	} else if (st.reason[0]) {
		result_row_set(row, "status", "failed:%s", st.reason);
		snprintf(err, errlen, "%s", st.detail);
		outcome = RUN_FAILED;
	} else {
		result_row_set(row, "status", "ok");
		int far = st.remote != NULL;
		row_fill(row, spec, plan,
			 &(struct row_side){far ? st.far.totals : st.srv.proc.out.data,
					    far ? st.far.values : st.srv.values,
					    far ? &st.far.where : &st.srv.where_s,
					    spec->sample ? &st.srv.samples : NULL},
			 &(struct row_side){st.cli.proc.out.data, st.cli.values, &st.cli.where_s,
					    spec->sample ? &st.cli.samples : NULL});
		outcome = RUN_OK;
	}
	/* Whatever happened, nothing outlives the run: killed if need be, and reaped. */
	spawn_end(&st.cli.proc);
	spawn_end(&st.srv.proc);
	netns_destroy(&st.link); /* after the workloads: nothing is left inside */
	remote_close(st.remote); /* the agent ends and reaps its server */
	remote_result_free(&st.far);
	for (struct side *s = &st.srv; s; s = s == &st.srv ? &st.cli : NULL) {
		counter_set_close(s->counters);
		oncpu_close(s->where);
		sampler_close(s->sampler);
		free(s->values);
	}
	if (spec->cost) {
		spec->cost->harness_cpu_s = cpu_seconds(RUSAGE_SELF) - self0;
		spec->cost->workloads_cpu_s = cpu_seconds(RUSAGE_CHILDREN) - kids0;
		spec->cost->wall_s = spawn_now() - wall0;
		spec->cost->sampling_after_s = sampling_s;
	}
	return outcome;
}
