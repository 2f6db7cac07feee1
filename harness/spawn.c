/*
 * spawn — fork/exec of the workloads with a "go" pipe (see spawn.h).
 */
#include "spawn.h"
#include "errmsg.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

double spawn_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void spawn_init(struct spawn_child *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->pid_fd = c->go_fd = c->exec_fd = c->out_fd = c->err_fd = c->ctl_fd = -1;
}

/* Where a child failed before its program ran: written on the exec-status pipe with errno. */
enum child_stage { STAGE_EXEC, STAGE_FDS, STAGE_NETNS };

static __attribute__((noreturn)) void child_fail(int exec_w, int stage)
{
	int report[2] = {stage, errno};
	(void)!write(exec_w, report, sizeof(report));
	_exit(127);
}

/* Joins the network namespace at path (a /run/netns/NAME file). 0 or -1 (errno). */
static int child_enter_netns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = setns(fd, CLONE_NEWNET);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

/*
 * In the child, between fork and exec: only async-signal-safe calls. Moves
 * the wanted descriptors above the 0..3 range first, so that no dup2() can
 * clobber another source descriptor.
 */
static void child_exec(pid_t parent, int go_r, int exec_w, int out_w, int err_w, int ctl,
		       const char *netns, const char *path, char *const argv[])
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* the harness died before prctl took effect */
		_exit(127);
	char go;
	if (read(go_r, &go, 1) != 1) /* EOF: the harness gave up on us */
		_exit(127);
	/* After "go": the counters are attached, so a failure here reads like a failed exec. */
	if (netns && child_enter_netns(netns))
		child_fail(exec_w, STAGE_NETNS);
	int devnull = open("/dev/null", O_RDONLY);
	int hi_out = fcntl(out_w, F_DUPFD_CLOEXEC, 10);
	int hi_err = fcntl(err_w, F_DUPFD_CLOEXEC, 10);
	int hi_ctl = ctl >= 0 ? fcntl(ctl, F_DUPFD_CLOEXEC, 10) : -1;
	int hi_null = devnull >= 0 ? fcntl(devnull, F_DUPFD_CLOEXEC, 10) : -1;
	if (hi_out < 0 || hi_err < 0 || hi_null < 0 || (ctl >= 0 && hi_ctl < 0) ||
	    dup2(hi_null, 0) < 0 || dup2(hi_out, 1) < 0 || dup2(hi_err, 2) < 0 ||
	    (hi_ctl >= 0 && dup2(hi_ctl, SPAWN_CTL_FD) < 0))
		child_fail(exec_w, STAGE_FDS);
	/* Nothing else crosses exec: not the other workload's pipes, not perf fds. */
	syscall(SYS_close_range, hi_ctl >= 0 ? SPAWN_CTL_FD + 1 : 3, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(path, argv, environ);
	child_fail(exec_w, STAGE_EXEC);
}

int spawn_prepare(struct spawn_child *c, const char *path, char *const argv[], int with_ctl,
		  const char *log_path, char *err, size_t errlen)
{
	int go[2] = {-1, -1}, ex[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
	int sv[2] = {-1, -1};
	if (log_path && !(c->log = fopen(log_path, "a")))
		return errmsg_set(err, errlen, "%s: %s", log_path, strerror(errno));
	if (pipe2(go, O_CLOEXEC) || pipe2(ex, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
	    pipe2(er, O_CLOEXEC) ||
	    (with_ctl && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))) {
		int e = errno;
		for (int i = 0; i < 2; i++) {
			close_fd(&go[i]), close_fd(&ex[i]), close_fd(&out[i]);
			close_fd(&er[i]), close_fd(&sv[i]);
		}
		return errmsg_set(err, errlen, "%s: cannot create pipes: %s", c->name, strerror(e));
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		child_exec(parent, go[0], ex[1], out[1], er[1], sv[1], c->netns, path, argv);
	int e = errno;
	close_fd(&go[0]), close_fd(&ex[1]), close_fd(&out[1]), close_fd(&er[1]), close_fd(&sv[1]);
	c->go_fd = go[1];
	c->exec_fd = ex[0];
	c->out_fd = out[0];
	c->err_fd = er[0];
	c->ctl_fd = sv[0];
	if (pid < 0)
		return errmsg_set(err, errlen, "%s: fork: %s", c->name, strerror(e));
	c->pid = pid;
	c->pid_fd = (int)syscall(SYS_pidfd_open, pid, 0);
	fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(c->err_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

int spawn_release(struct spawn_child *c, char *err, size_t errlen)
{
	char go = 'g';
	ssize_t w = write(c->go_fd, &go, 1);
	close_fd(&c->go_fd);
	if (w != 1)
		return errmsg_set(err, errlen, "%s: could not release the child: %s", c->name,
				  strerror(errno));
	/* EOF: exec succeeded (the pipe closed on exec); else {stage, errno}. */
	int report[2] = {0, 0};
	ssize_t got;
	do
		got = read(c->exec_fd, report, sizeof(report));
	while (got < 0 && errno == EINTR);
	close_fd(&c->exec_fd);
	if (got != (ssize_t)sizeof(report))
		return 0;
	if (report[0] == STAGE_NETNS)
		return errmsg_set(err, errlen, "%s: cannot enter network namespace %s: %s", c->name,
				  c->netns, strerror(report[1]));
	if (report[0] == STAGE_FDS)
		return errmsg_set(err, errlen, "%s: cannot set up its descriptors: %s", c->name,
				  strerror(report[1]));
	return errmsg_set(err, errlen, "%s: cannot execute: %s", c->name, strerror(report[1]));
}

static void keep(struct spawn_buf *b, const char *data, size_t n)
{
	if (b->len + n > SPAWN_CAPTURE_MAX)
		n = b->len < SPAWN_CAPTURE_MAX ? SPAWN_CAPTURE_MAX - b->len : 0;
	if (!n)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

int spawn_pump(struct spawn_child *c, int fd)
{
	if (fd < 0)
		return 1;
	int *slot = fd == c->out_fd ? &c->out_fd : &c->err_fd;
	struct spawn_buf *b = fd == c->out_fd ? &c->out : &c->err;
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n > 0) {
			keep(b, chunk, (size_t)n);
			if (c->log)
				fwrite(chunk, 1, (size_t)n, c->log);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		close_fd(slot); /* EOF or a broken pipe: nothing more will come */
		return 1;
	}
}

int spawn_try_reap(struct spawn_child *c)
{
	if (c->reaped || c->pid <= 0)
		return 1;
	int st;
	pid_t r = waitpid(c->pid, &st, WNOHANG);
	if (r == c->pid) {
		c->reaped = 1;
		c->status = st;
		return 1;
	}
	if (r < 0 && errno == ECHILD) { /* someone else reaped it: count it gone */
		c->reaped = 1;
		c->status = 0x7f00;
		return 1;
	}
	return 0;
}

int spawn_wait(struct spawn_child *c, double timeout_s)
{
	double deadline = spawn_now() + timeout_s;
	while (!spawn_try_reap(c)) {
		double left = deadline - spawn_now();
		if (left <= 0)
			return 0;
		struct pollfd p[3] = {
		    {c->out_fd, POLLIN, 0}, {c->err_fd, POLLIN, 0}, {c->pid_fd, POLLIN, 0}};
		/* Without a pidfd, exit is noticed by polling waitpid every 20 ms. */
		int ms = (int)(left * 1000) + 1;
		if (c->pid_fd < 0 && ms > 20)
			ms = 20;
		if (poll(p, 3, ms) > 0) {
			if (p[0].revents)
				spawn_pump(c, c->out_fd);
			if (p[1].revents)
				spawn_pump(c, c->err_fd);
		}
	}
	/* Exited: what it wrote is in the pipes; a grandchild could hold them, so bound it. */
	double drain_end = spawn_now() + 1.0;
	while ((c->out_fd >= 0 || c->err_fd >= 0) && spawn_now() < drain_end) {
		struct pollfd p[2] = {{c->out_fd, POLLIN, 0}, {c->err_fd, POLLIN, 0}};
		if (poll(p, 2, 100) <= 0)
			continue;
		if (p[0].revents)
			spawn_pump(c, c->out_fd);
		if (p[1].revents)
			spawn_pump(c, c->err_fd);
	}
	return 1;
}

void spawn_signal(struct spawn_child *c, int sig)
{
	/* An unreaped child's pid cannot be reused, so this never hits a stranger. */
	if (c->pid > 0 && !c->reaped)
		kill(c->pid, sig);
}

void spawn_end(struct spawn_child *c)
{
	close_fd(&c->go_fd); /* a child still waiting for "go" exits on EOF */
	if (c->pid > 0 && !spawn_try_reap(c)) {
		spawn_signal(c, SIGKILL);
		int st;
		while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
			;
		c->reaped = 1;
		c->status = st;
	}
	close_fd(&c->exec_fd), close_fd(&c->out_fd), close_fd(&c->err_fd);
	close_fd(&c->ctl_fd), close_fd(&c->pid_fd);
	if (c->log)
		fclose(c->log);
	c->log = NULL;
	free(c->out.data);
	free(c->err.data);
	c->out = c->err = (struct spawn_buf){0};
}

const char *spawn_status_text(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		const char *name = sigabbrev_np(WTERMSIG(status));
		if (name)
			snprintf(buf, len, "signal SIG%s", name);
		else
			snprintf(buf, len, "signal %d", WTERMSIG(status));
	} else
		snprintf(buf, len, "status %#x", status);
	return buf;
}

int spawn_capture(const char *path, char *const argv[], double timeout_s, char **out, char *err,
		  size_t errlen)
{
	*out = NULL;
	struct spawn_child c;
	spawn_init(&c, path);
	if (spawn_prepare(&c, path, argv, 0, NULL, err, errlen) || spawn_release(&c, err, errlen)) {
		spawn_end(&c);
		return -1;
	}
	if (!spawn_wait(&c, timeout_s)) {
		spawn_end(&c);
		return errmsg_set(err, errlen, "%s: no answer within %.0f s", path, timeout_s);
	}
	int status = c.status;
	*out = c.out.data ? c.out.data : strdup("");
	c.out.data = NULL;
	spawn_end(&c);
	if (!*out)
		return errmsg_set(err, errlen, "out of memory");
	return status;
}

int spawn_ctl_say(struct spawn_child *c, const char *word, double timeout_s, char *err,
		  size_t errlen)
{
	char line[16], buf[64];
	int n = snprintf(line, sizeof(line), "%s\n", word);
	if (send(c->ctl_fd, line, (size_t)n, MSG_NOSIGNAL) != n)
		return errmsg_set(err, errlen, "%s: control socket: %s", c->name, strerror(errno));
	double deadline = spawn_now() + timeout_s;
	size_t len = 0;
	while (!memchr(buf, '\n', len) && len < sizeof(buf) - 1) {
		int ms = (int)((deadline - spawn_now()) * 1000);
		struct pollfd p = {c->ctl_fd, POLLIN, 0};
		if (ms <= 0 || poll(&p, 1, ms) == 0)
			return errmsg_set(err, errlen, "%s: no ok to %s within %.0f s", c->name, word,
					  timeout_s);
		ssize_t got = recv(c->ctl_fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return errmsg_set(err, errlen, "%s: control socket closed at %s", c->name,
					  word);
		len += (size_t)got;
	}
	buf[len] = '\0';
	if (strcmp(buf, CTL_OK "\n"))
		return errmsg_set(err, errlen, "%s: answered something else than ok to %s", c->name,
				  word);
	return 0;
}

void spawn_failure(const struct spawn_child *c, char *reason, size_t rlen, char *detail,
		   size_t dlen)
{
	char text[48];
	spawn_status_text(c->status, text, sizeof(text));
	snprintf(reason, rlen, "%s_%s", c->name, text);
	for (char *p = reason; *p; p++)
		if (*p == ' ')
			*p = '_';
	const char *last = c->err.data ? c->err.data : "";
	size_t n = strlen(last);
	while (n && last[n - 1] == '\n')
		n--;
	const char *start = last + n;
	while (start > last && start[-1] != '\n')
		start--;
	snprintf(detail, dlen, "%s %s%s%.*s", c->name, text, n ? ": " : "",
		 (int)(last + n - start), start);
}
