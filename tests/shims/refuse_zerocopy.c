/*
 * refuse_zerocopy.c — an LD_PRELOAD shim for tests/e2e/zerocopy_faults.bats.
 *
 * With SHIM_ZEROCOPY_ERRNO=EPERM or =ENOPROTOOPT, setsockopt(SOL_SOCKET,
 * SO_ZEROCOPY) fails with that errno, as where a kernel or a policy refuses
 * zero-copy sends; unset, every call goes through and the shim only counts.
 *
 * It counts what the process sends on sockets: calls on a socket whose
 * SO_ZEROCOPY it refused (any of send, sendto, sendmsg, sendmmsg, write,
 * writev; the mark goes with close), calls carrying MSG_ZEROCOPY (anywhere)
 * and those of them that took bytes, and the bytes every send-family call
 * took. SHIM_LOG (a file) gets one line per refusal at once and the counts
 * at exit:
 *   refused SO_ZEROCOPY on fd N with EPERM
 *   exit refused=N refused_fd_calls=N refused_fd_bytes=N zerocopy_calls=N
 *        zerocopy_sent=N sent_bytes=N            (one line)
 *
 * Built by the bats file: cc -shared -fPIC -o x.so refuse_zerocopy.c -ldl.
 * Under a program linked with a shared sanitizer runtime, that runtime must
 * come first in LD_PRELOAD (the bats file sees to it); its interceptors
 * then call into this shim, which calls the C library.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

#define FDS 65536

static unsigned char refused_fd[FDS]; /* 1: this fd's SO_ZEROCOPY was refused */
static unsigned long long n_refused, refused_calls, refused_bytes, zc_calls, zc_sent, sent_bytes;

#define ADD(v, n) __atomic_add_fetch(&(v), (n), __ATOMIC_RELAXED)
#define GET(v)	  __atomic_load_n(&(v), __ATOMIC_RELAXED)

/* The next definition of `name` (the C library's, or a sanitizer's). */
static void *next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		static const char msg[] = "refuse_zerocopy shim: dlsym(RTLD_NEXT) failed\n";
		syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		abort();
	}
	return f;
}

#define REAL(ret, name, ...)                                                                    \
	static ret (*real)(__VA_ARGS__);                                                         \
	if (!__atomic_load_n(&real, __ATOMIC_ACQUIRE))                                           \
		__atomic_store_n(&real, (ret(*)(__VA_ARGS__))next(#name), __ATOMIC_RELEASE)

/* Appends one line to $SHIM_LOG with raw system calls: nothing here may
 * come back into the shim's own write(). */
static void log_line(const char *fmt, ...)
{
	const char *path = getenv("SHIM_LOG");
	char line[256];
	va_list ap;
	if (!path)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			      0644);
	if (fd < 0)
		return;
	syscall(SYS_write, fd, line, (size_t)n);
	syscall(SYS_close, fd);
}

/* The errno to refuse SO_ZEROCOPY with; 0: let it through. */
static int refusal(const char **name)
{
	const char *e = getenv("SHIM_ZEROCOPY_ERRNO");
	*name = e;
	if (!e || !*e)
		return 0;
	if (strcmp(e, "EPERM") == 0)
		return EPERM;
	if (strcmp(e, "ENOPROTOOPT") == 0)
		return ENOPROTOOPT;
	static const char msg[] = "refuse_zerocopy shim: SHIM_ZEROCOPY_ERRNO: EPERM or ENOPROTOOPT\n";
	syscall(SYS_write, 2, msg, sizeof(msg) - 1);
	abort();
}

static int is_refused(int fd)
{
	return fd >= 0 && fd < FDS && __atomic_load_n(&refused_fd[fd], __ATOMIC_RELAXED);
}

static void account(int fd, int flags, long long n, int socket_call)
{
	if (is_refused(fd)) {
		ADD(refused_calls, 1);
		if (n > 0)
			ADD(refused_bytes, (unsigned long long)n);
	}
	if (flags & MSG_ZEROCOPY) {
		ADD(zc_calls, 1);
		if (n > 0)
			ADD(zc_sent, 1);
	}
	if (socket_call && n > 0)
		ADD(sent_bytes, (unsigned long long)n);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	REAL(int, setsockopt, int, int, int, const void *, socklen_t);
	const char *ename;
	int e;
	if (level == SOL_SOCKET && name == SO_ZEROCOPY && (e = refusal(&ename)) != 0) {
		if (fd >= 0 && fd < FDS)
			__atomic_store_n(&refused_fd[fd], 1, __ATOMIC_RELAXED);
		ADD(n_refused, 1);
		log_line("refused SO_ZEROCOPY on fd %d with %s\n", fd, ename);
		errno = e;
		return -1;
	}
	return real(fd, level, name, val, len);
}

int close(int fd)
{
	REAL(int, close, int);
	if (fd >= 0 && fd < FDS)
		__atomic_store_n(&refused_fd[fd], 0, __ATOMIC_RELAXED);
	return real(fd);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	REAL(ssize_t, send, int, const void *, size_t, int);
	ssize_t n = real(fd, buf, len, flags);
	int saved = errno;
	account(fd, flags, n, 1);
	errno = saved;
	return n;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	REAL(ssize_t, sendto, int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t n = real(fd, buf, len, flags, to, tolen);
	int saved = errno;
	account(fd, flags, n, 1);
	errno = saved;
	return n;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	REAL(ssize_t, sendmsg, int, const struct msghdr *, int);
	ssize_t n = real(fd, msg, flags);
	int saved = errno;
	account(fd, flags, n, 1);
	errno = saved;
	return n;
}

int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	REAL(int, sendmmsg, int, struct mmsghdr *, unsigned int, int);
	int n = real(fd, vec, vlen, flags);
	int saved = errno;
	long long bytes = n < 0 ? -1 : 0;
	for (int i = 0; i < n; i++)
		bytes += vec[i].msg_len;
	account(fd, flags, bytes, 1);
	errno = saved;
	return n;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	REAL(ssize_t, write, int, const void *, size_t);
	ssize_t n = real(fd, buf, len);
	if (is_refused(fd)) {
		int saved = errno;
		account(fd, 0, n, 1);
		errno = saved;
	}
	return n;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	REAL(ssize_t, writev, int, const struct iovec *, int);
	ssize_t n = real(fd, iov, cnt);
	if (is_refused(fd)) {
		int saved = errno;
		account(fd, 0, n, 1);
		errno = saved;
	}
	return n;
}

__attribute__((destructor)) static void report(void)
{
	log_line("exit refused=%llu refused_fd_calls=%llu refused_fd_bytes=%llu zerocopy_calls=%llu "
		 "zerocopy_sent=%llu sent_bytes=%llu\n",
		 GET(n_refused), GET(refused_calls), GET(refused_bytes), GET(zc_calls), GET(zc_sent),
		 GET(sent_bytes));
}
