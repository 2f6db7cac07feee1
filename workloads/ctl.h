/*
 * ctl.h — the control socket to the harness, and the measured window's CPU time.
 *
 * The harness passes --ctl-fd N, a connected AF_UNIX SOCK_STREAM socket.
 * Client side: ctl_request() writes "begin\n" or "end\n" and blocks until
 * it reads "ok\n". Server side: a ctl_reader collects the harness's lines
 * ("begin", "end") and the server answers each with ctl_ok().
 *
 * Returns: 0 ok; 1 the harness closed the socket (the workload then runs on
 * without it); -1 anything else, with a line in err.
 */
#ifndef COPYSCOPE_CTL_H
#define COPYSCOPE_CTL_H

#include <stddef.h>

#define CTL_LINE_MAX 64

/* 0 when fd is an open file descriptor, else -1. */
int ctl_fd_valid(int fd);

int ctl_request(int fd, const char *word, char *err, size_t errlen);

struct ctl_reader {
	char buf[CTL_LINE_MAX];
	size_t used;
};

/* Reads what is available (one read) and returns 1 with the next complete
 * line (no newline) in line, 0 when no line is complete yet, 2 on EOF, -1 on
 * error or a line longer than CTL_LINE_MAX. Call again while it returns 1:
 * several lines may have come in one read (pass read_more = 0 then). */
int ctl_next_line(struct ctl_reader *r, int fd, int read_more, char *line, size_t len);
int ctl_ok(int fd);

/* User and system CPU time of the whole process (every thread), seconds. */
struct cpu_time {
	double user, sys;
};
int cpu_time_now(struct cpu_time *t);

#endif
