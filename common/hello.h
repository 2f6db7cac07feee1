/*
 * hello.h — the first bytes of every connection, both ways.
 *
 * The client opens with a fixed-size hello (HELLO_SIZE bytes) saying what it
 * wants; the server validates and bounds every field before it allocates
 * anything, then answers with a fixed-size reply (HELLO_REPLY_SIZE bytes)
 * carrying a status and the wire id of its strategy, so the client picks the
 * matching receive path. All integers are little-endian; reserved bytes must
 * be zero, so a later version can give them a meaning.
 *
 *   hello  0 u32 magic  4 u16 version  6 u8 mode  7 u8 layout
 *          8 u32 flags  12 u32 conn  16 u64 size  24 u64 reserved (0)
 *   reply  0 u32 magic  4 u16 version  6 u16 status  8 u16 impl
 *          10 u16 reserved  12 u32 slots (messages the server keeps in flight)
 *
 * In rr mode each request is RR_REQUEST_SIZE bytes: u32 seq, u32 RR_MAGIC; the
 * server answers with one message stamped with that seq.
 *
 * Errors: the decoders return -1 and write one line (no newline) naming the
 * field and what was expected into err. They never read past `len`.
 */
#ifndef COPYSCOPE_HELLO_H
#define COPYSCOPE_HELLO_H

#include <stddef.h>
#include <stdint.h>

#define HELLO_MAGIC	  0x43534331u /* "1CSC" on the wire */
#define HELLO_REPLY_MAGIC 0x43535231u
#define HELLO_VERSION	  1
#define HELLO_SIZE	  32
#define HELLO_REPLY_SIZE  16
#define RR_MAGIC	  0x52525131u
#define RR_REQUEST_SIZE	  8

enum wl_mode { MODE_STREAM = 0, MODE_RR = 1 };
enum message_layout { LAYOUT_SCATTERED = 0, LAYOUT_CONTIGUOUS = 1 };

#define HELLO_F_BUSY_POLL 0x1u
#define HELLO_F_KNOWN	  HELLO_F_BUSY_POLL

enum hello_status {
	HELLO_OK = 0,
	HELLO_BAD_REQUEST = 1, /* a field out of bounds or unknown */
	HELLO_BAD_VERSION = 2,
	HELLO_UNSUPPORTED = 3, /* the kernel refused an option (SO_ZEROCOPY, SO_BUSY_POLL) */
	HELLO_NO_MEMORY = 4,
};

struct hello {
	enum wl_mode mode;
	uint8_t layout; /* enum message_layout */
	uint32_t flags;
	uint32_t conn;
	uint64_t size;
};

struct hello_reply {
	uint16_t status;
	uint16_t impl; /* strategy wire id */
	uint32_t slots;
};

const char *wl_mode_name(enum wl_mode mode);
int wl_mode_parse(const char *name, enum wl_mode *out);
const char *hello_status_name(uint16_t status);

void hello_encode(const struct hello *h, unsigned char buf[HELLO_SIZE]);
/* On error, *status says which reply the server may send (HELLO_BAD_VERSION
 * or HELLO_BAD_REQUEST), or is HELLO_OK when the peer is no copyscope
 * client at all (bad magic, truncated) and deserves no reply. */
int hello_decode(const unsigned char *buf, size_t len, struct hello *h, uint16_t *status, char *err,
		 size_t errlen);

void hello_reply_encode(const struct hello_reply *r, unsigned char buf[HELLO_REPLY_SIZE]);
int hello_reply_decode(const unsigned char *buf, size_t len, struct hello_reply *r, char *err,
		       size_t errlen);

void rr_request_encode(uint32_t seq, unsigned char buf[RR_REQUEST_SIZE]);
int rr_request_decode(const unsigned char buf[RR_REQUEST_SIZE], uint32_t *seq);

#endif
