/*
 * spawn — a workload process: fork, hold it before exec until its counters
 * are attached, capture its output, end it and reap it by pid.
 *
 * The sequence is libpfm4's perf_examples/task.c: spawn_prepare() forks a
 * child that blocks reading a "go" pipe; the caller opens counters on
 * child->pid (counters.h); spawn_release() writes "go" and the child
 * execve()s the program (argv as given, never a shell). An exec failure
 * comes back through a close-on-exec pipe, so spawn_release() can tell
 * "running" from "could not start" without guessing.
 *
 * The child gets stdin from /dev/null, stdout and stderr into pipes the
 * caller drains with spawn_pump() (copied to a log file when one is named),
 * and, when asked, one end of an AF_UNIX socketpair at fd SPAWN_CTL_FD (the
 * workloads' --ctl-fd). Every other descriptor is closed at exec. When
 * spawn_child.netns names a network namespace (a /run/netns/NAME file), the
 * child setns()es into it before exec: its sockets live there while its pid,
 * its counters and its pipes stay the harness's. The child
 * asks for SIGKILL when the harness thread that forked it dies
 * (PR_SET_PDEATHSIG), so even a SIGKILLed harness leaves no workload behind.
 *
 * Memory: a spawn_child owns its descriptors and buffers; spawn_end() kills
 * the process if it still runs, reaps it, and releases everything.
 * Errors: functions return -1 and write one line into err.
 */
#ifndef COPYSCOPE_SPAWN_H
#define COPYSCOPE_SPAWN_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define SPAWN_CTL_FD	  3	     /* the child's control socket */
#define SPAWN_CAPTURE_MAX (1u << 20) /* bytes of each stream kept in memory */

struct spawn_buf {
	char *data; /* NUL-terminated */
	size_t len, cap;
};

struct spawn_child {
	const char *name;  /* "server", "client": for messages */
	const char *netns; /* network namespace to enter before exec; NULL: the harness's.
			      Set it between spawn_init() and spawn_prepare(); not owned. */
	pid_t pid;	   /* 0 before prepare */
	int pid_fd;	   /* pidfd: readable once the process exits; -1 where unsupported */
	int go_fd;	   /* write end of the go pipe; -1 once released */
	int exec_fd;	   /* read end of the exec-status pipe; -1 once released */
	int out_fd;	   /* read end of its stdout; -1 at EOF */
	int err_fd;	   /* read end of its stderr; -1 at EOF */
	int ctl_fd;	   /* the harness's end of the control socket; -1 when none */
	struct spawn_buf out, err;
	FILE *log;  /* copy of everything it wrote, or NULL */
	int reaped; /* 1 once waitpid() returned it */
	int status; /* its wait status once reaped */
};

/* Zeroes c and marks every descriptor closed, so spawn_end() is always safe. */
void spawn_init(struct spawn_child *c, const char *name);

/*
 * Forks a child that waits for spawn_release() and then executes path with
 * argv (NULL-terminated; argv[0] as given). with_ctl: hand it a control
 * socket at SPAWN_CTL_FD (argv should say --ctl-fd 3). log_path: append a
 * copy of its output there (NULL: none).
 */
int spawn_prepare(struct spawn_child *c, const char *path, char *const argv[], int with_ctl,
		  const char *log_path, char *err, size_t errlen);

/*
 * Lets the child exec. -1 when it could not (err: "server: cannot execute:
 * No such file or directory", "server: cannot enter network namespace
 * /run/netns/NAME: ...").
 */
int spawn_release(struct spawn_child *c, char *err, size_t errlen);

/* Reads what is available on fd (c->out_fd or c->err_fd) without blocking: 0, or 1 at EOF. */
int spawn_pump(struct spawn_child *c, int fd);

/* Reaps the child if it has exited (never blocks): 1 reaped (now or before), 0 still running. */
int spawn_try_reap(struct spawn_child *c);

/*
 * Waits up to timeout_s for the child to exit, draining its output meanwhile;
 * then reads its output to EOF (bounded). 1 reaped, 0 still running.
 */
int spawn_wait(struct spawn_child *c, double timeout_s);

/* Sends sig to the child's pid unless it was already reaped. */
void spawn_signal(struct spawn_child *c, int sig);

/* SIGKILLs the child if still running, reaps it, closes and frees everything. */
void spawn_end(struct spawn_child *c);

/*
 * How a reaped child failed, as a row says it: reason "NAME_exit_1",
 * "NAME_signal_SIGSEGV" (no spaces or commas: it follows "failed:"), detail
 * "NAME exit 1: <the last line it wrote on stderr>".
 */
void spawn_failure(const struct spawn_child *c, char *reason, size_t rlen, char *detail,
		   size_t dlen);

/* "exit 0", "exit 1", "signal SIGKILL": the reaped child's status, no commas. */
const char *spawn_status_text(int status, char *buf, size_t len);

/* Runs path argv to completion (no ctl, no log) within timeout_s; its stdout
 * into *out (caller frees). Returns the wait status, or -1 (err says why). */
int spawn_capture(const char *path, char *const argv[], double timeout_s, char **out, char *err,
		  size_t errlen);

/*
 * Says word (CTL_BEGIN, CTL_END: wire.h) on the child's control socket and
 * waits up to timeout_s for its CTL_OK line. 0, or -1 with err ("server: no ok
 * to begin within 5 s", "server: control socket closed at end", ...).
 */
int spawn_ctl_say(struct spawn_child *c, const char *word, double timeout_s, char *err,
		  size_t errlen);

/* Monotonic clock in seconds. */
double spawn_now(void);

#endif
