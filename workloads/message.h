/*
 * message.h — the unit a workload sends: 8 fields whose bytes the receiver
 * can check one by one.
 *
 * A message of `size` bytes is split into MESSAGE_FIELDS fields of size/8
 * bytes, the last taking the remainder. With LAYOUT_SCATTERED each field is
 * its own heap allocation (what a real application's structure looks like);
 * with LAYOUT_CONTIGUOUS the same fields sit side by side in one page-aligned
 * block, which separates the cost of copying from the cost of scatter.
 *
 * Content: byte at offset o of connection c is message_pattern_byte(c, o),
 * except the first MESSAGE_HEADER bytes, which carry the sequence number and
 * the connection (little-endian u32 each). Senders fill a message once
 * (message_fill) and only stamp the header per send (message_stamp), so no
 * strategy pays a per-send regeneration cost. The pattern is a 64-bit hash
 * of (connection, offset / 8): not periodic, so a shifted, swapped or
 * repeated chunk fails verification.
 *
 * Memory: message_alloc() owns every field; message_free() releases them and
 * is safe on a zeroed or already freed message. Errors: message_alloc()
 * returns -1 with errno set (EINVAL for a size outside the bounds, ENOMEM).
 */
#ifndef COPYSCOPE_MESSAGE_H
#define COPYSCOPE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "bounds.h" /* MESSAGE_FIELDS, MESSAGE_HEADER, the size bounds */
#include "hello.h"  /* enum message_layout, as the hello carries it */


struct message {
	size_t size;
	enum message_layout layout;
	/* iov[i] is field i: base and length, ready for sendmsg/recvmsg. */
	struct iovec iov[MESSAGE_FIELDS];
	void *block; /* the one allocation of LAYOUT_CONTIGUOUS, else NULL */
};

int message_alloc(struct message *m, size_t size, enum message_layout layout);
void message_free(struct message *m);

/* "scattered" / "contiguous"; parse returns -1 on anything else. */
const char *message_layout_name(enum message_layout layout);
int message_layout_parse(const char *name, enum message_layout *out);

/* The expected bytes of every message of connection `conn`, header aside:
 * writes `size` bytes to dst (its first MESSAGE_HEADER bytes are pattern
 * too; stamp and verify skip them). */
void message_pattern(unsigned char *dst, size_t size, uint32_t conn);

/* Copies `pattern` (message_pattern of m->size bytes) into the fields. */
void message_fill(struct message *m, const unsigned char *pattern);

/* Writes the header (seq, conn) into the first MESSAGE_HEADER bytes, which
 * may span several fields when size < 64. */
void message_stamp(struct message *m, uint32_t seq, uint32_t conn);

/* True when the header says (seq, conn) and every other byte equals the
 * pattern. */
bool message_verify(const struct message *m, const unsigned char *pattern, uint32_t seq,
		    uint32_t conn);

/* Gather the fields into dst (m->size bytes) / scatter src into the fields. */
void message_gather(const struct message *m, unsigned char *dst);
void message_scatter(struct message *m, const unsigned char *src);

/*
 * Where to place a staging buffer of m->size bytes inside a page-aligned
 * area of m->size + 4096 bytes so that no field shares (nearly) its offset
 * within a page with its image in the buffer: copies between addresses
 * that alias in their low 12 bits can stall on store-to-load forwarding
 * checks (4K aliasing). Returns an offset in [64, 4096), a multiple of 64.
 */
size_t message_staging_offset(const struct message *m, const unsigned char *area);

#endif
