/* ctl.c — see ctl.h. */
#include "ctl.h"

#include "sockio.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int ctl_fd_valid(int fd)
{
	return fcntl(fd, F_GETFD) < 0 ? -1 : 0;
}

int ctl_request(int fd, const char *word, char *err, size_t errlen)
{
	char line[CTL_LINE_MAX];
	int n = snprintf(line, sizeof(line), "%s\n", word);
	if (send_full(fd, line, (size_t)n) < 0) {
		if (errno == EPIPE || errno == ECONNRESET)
			return 1;
		snprintf(err, errlen, "control socket: write: %s", strerror(errno));
		return -1;
	}
	/* Read byte by byte: the answer is 3 bytes, and nothing after it may be
	 * consumed by accident. */
	size_t got = 0;
	while (got < 3) {
		ssize_t r = read(fd, line + got, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "control socket: read: %s", strerror(errno));
			return -1;
		}
		if (r == 0 && got == 0)
			return 1;
		if (r == 0) {
			snprintf(err, errlen, "control socket: truncated answer to \"%s\"", word);
			return -1;
		}
		got++;
	}
	if (memcmp(line, CTL_OK "\n", 3) != 0) {
		snprintf(err, errlen, "control socket: expected \"" CTL_OK "\" after \"%s\"", word);
		return -1;
	}
	return 0;
}

int ctl_next_line(struct ctl_reader *r, int fd, int read_more, char *line, size_t len)
{
	if (read_more) {
		ssize_t n;
		do
			n = read(fd, r->buf + r->used, sizeof(r->buf) - r->used);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
		if (n == 0)
			return 2;
		r->used += (size_t)n;
	}
	char *nl = memchr(r->buf, '\n', r->used);
	if (!nl)
		return r->used == sizeof(r->buf) ? -1 : 0;
	size_t l = (size_t)(nl - r->buf);
	if (l >= len)
		return -1;
	memcpy(line, r->buf, l);
	line[l] = '\0';
	r->used -= l + 1;
	memmove(r->buf, nl + 1, r->used);
	return 1;
}

int ctl_ok(int fd)
{
	return send_full(fd, CTL_OK "\n", 3);
}

int cpu_time_now(struct cpu_time *t)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	t->user = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6;
	t->sys = (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
	return 0;
}
