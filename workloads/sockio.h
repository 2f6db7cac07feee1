/*
 * sockio.h — blocking socket I/O that finishes what it starts.
 *
 * TCP may accept or deliver fewer bytes than asked; these helpers loop until
 * the whole buffer or iovec is done, retry EINTR, and never raise SIGPIPE
 * (MSG_NOSIGNAL). With `spin` the receive helpers poll with MSG_DONTWAIT
 * instead of sleeping in the kernel (the --busy-poll setting); without it
 * they ask for MSG_WAITALL so one call usually brings a whole message.
 *
 * Returns: the send helpers 0 or -1 (errno set; EPIPE/ECONNRESET mean the
 * peer left). The receive helpers 1 when everything arrived, 0 on EOF
 * before the first byte, -1 on error (errno set; EOF in the middle gives
 * ECONNRESET). The iovec helpers modify the iovec array they are given.
 */
#ifndef COPYSCOPE_SOCKIO_H
#define COPYSCOPE_SOCKIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Drops n bytes from the front of (*iov, *cnt). */
void iov_advance(struct iovec **iov, int *cnt, size_t n);

int send_full(int fd, const void *buf, size_t len);
int sendmsg_full(int fd, struct iovec *iov, int cnt);
int recv_full(int fd, void *buf, size_t len, bool spin);
int recvmsg_full(int fd, struct iovec *iov, int cnt, bool spin);

/* Connection setup. host/port are numeric or names (getaddrinfo). They
 * return a socket or -1 with a message in err. */
int sock_listen(const char *host, const char *port, char *err, size_t errlen);
int sock_connect(const char *host, const char *port, char *err, size_t errlen);
/* "HOST:PORT" ("[v6]:PORT") of a socket's local address. */
int sock_local_name(int fd, char *buf, size_t len);
int sock_peer_name(int fd, char *buf, size_t len);

/* Per-socket settings; -1 with errno on failure. */
int sock_set_nodelay(int fd);
int sock_set_busy_poll(int fd, int usec);
int sock_set_rcvtimeo(int fd, double seconds);

#endif
