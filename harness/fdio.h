/*
 * fdio — whole reads and writes on a file descriptor, through EINTR and
 * short transfers: 0, or -1 (errno set; a read that meets end of file
 * early is -1 with errno 0).
 */
#ifndef COPYSCOPE_FDIO_H
#define COPYSCOPE_FDIO_H

#include <stddef.h>

int fd_write_all(int fd, const void *buf, size_t len);
int fd_read_all(int fd, void *buf, size_t len);

#endif
