/* hello.c — see hello.h. */
#include "hello.h"

#include "bounds.h"

#include <stdio.h>
#include <string.h>

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

const char *wl_mode_name(enum wl_mode mode)
{
	return mode == MODE_RR ? "rr" : "stream";
}

int wl_mode_parse(const char *name, enum wl_mode *out)
{
	if (strcmp(name, "stream") == 0)
		*out = MODE_STREAM;
	else if (strcmp(name, "rr") == 0)
		*out = MODE_RR;
	else
		return -1;
	return 0;
}

const char *hello_status_name(uint16_t status)
{
	switch (status) {
	case HELLO_OK:
		return "ok";
	case HELLO_BAD_REQUEST:
		return "request out of bounds";
	case HELLO_BAD_VERSION:
		return "protocol version not supported";
	case HELLO_UNSUPPORTED:
		return "the server's kernel refused a socket option for this strategy";
	case HELLO_NO_MEMORY:
		return "out of memory";
	}
	return "unknown status";
}

void hello_encode(const struct hello *h, unsigned char buf[HELLO_SIZE])
{
	memset(buf, 0, HELLO_SIZE);
	put32(buf, HELLO_MAGIC);
	put16(buf + 4, HELLO_VERSION);
	buf[6] = (unsigned char)h->mode;
	buf[7] = h->layout;
	put32(buf + 8, h->flags);
	put32(buf + 12, h->conn);
	put64(buf + 16, h->size);
}

int hello_decode(const unsigned char *buf, size_t len, struct hello *h, uint16_t *status, char *err,
		 size_t errlen)
{
	*status = HELLO_OK;
	if (len < HELLO_SIZE) {
		snprintf(err, errlen, "hello truncated: %zu of %d bytes", len, HELLO_SIZE);
		return -1;
	}
	if (get32(buf) != HELLO_MAGIC) {
		snprintf(err, errlen, "bad hello magic 0x%08x: not a copyscope client", get32(buf));
		return -1;
	}
	*status = HELLO_BAD_VERSION;
	if (get16(buf + 4) != HELLO_VERSION) {
		snprintf(err, errlen, "hello version %u: expected %d", get16(buf + 4),
			 HELLO_VERSION);
		return -1;
	}
	*status = HELLO_BAD_REQUEST;
	h->mode = buf[6];
	h->layout = buf[7];
	h->flags = get32(buf + 8);
	h->conn = get32(buf + 12);
	h->size = get64(buf + 16);
	if (buf[6] != MODE_STREAM && buf[6] != MODE_RR) {
		snprintf(err, errlen, "hello mode %u: expected 0 (stream) or 1 (rr)", buf[6]);
		return -1;
	}
	if (h->layout != LAYOUT_SCATTERED && h->layout != LAYOUT_CONTIGUOUS) {
		snprintf(err, errlen, "hello layout %u: expected 0 (scattered) or 1 (contiguous)",
			 h->layout);
		return -1;
	}
	if (h->flags & ~HELLO_F_KNOWN) {
		snprintf(err, errlen, "hello flags 0x%x: unknown bits", h->flags);
		return -1;
	}
	if (h->size < MESSAGE_MIN_SIZE || h->size > MESSAGE_MAX_SIZE) {
		snprintf(err, errlen, "hello size %llu: expected %u to %u bytes",
			 (unsigned long long)h->size, MESSAGE_MIN_SIZE, MESSAGE_MAX_SIZE);
		return -1;
	}
	if (get64(buf + 24) != 0) {
		snprintf(err, errlen, "hello reserved bytes not zero");
		return -1;
	}
	*status = HELLO_OK;
	return 0;
}

void hello_reply_encode(const struct hello_reply *r, unsigned char buf[HELLO_REPLY_SIZE])
{
	memset(buf, 0, HELLO_REPLY_SIZE);
	put32(buf, HELLO_REPLY_MAGIC);
	put16(buf + 4, HELLO_VERSION);
	put16(buf + 6, r->status);
	put16(buf + 8, r->impl);
	put32(buf + 12, r->slots);
}

int hello_reply_decode(const unsigned char *buf, size_t len, struct hello_reply *r, char *err,
		       size_t errlen)
{
	if (len < HELLO_REPLY_SIZE) {
		snprintf(err, errlen, "reply truncated: %zu of %d bytes", len, HELLO_REPLY_SIZE);
		return -1;
	}
	if (get32(buf) != HELLO_REPLY_MAGIC) {
		snprintf(err, errlen, "bad reply magic 0x%08x: not a copyscope server", get32(buf));
		return -1;
	}
	if (get16(buf + 4) != HELLO_VERSION) {
		snprintf(err, errlen, "reply version %u: expected %d", get16(buf + 4),
			 HELLO_VERSION);
		return -1;
	}
	r->status = get16(buf + 6);
	r->impl = get16(buf + 8);
	r->slots = get32(buf + 12);
	if (get16(buf + 10) != 0) {
		snprintf(err, errlen, "reply reserved bytes not zero");
		return -1;
	}
	return 0;
}

void rr_request_encode(uint32_t seq, unsigned char buf[RR_REQUEST_SIZE])
{
	put32(buf, seq);
	put32(buf + 4, RR_MAGIC);
}

int rr_request_decode(const unsigned char buf[RR_REQUEST_SIZE], uint32_t *seq)
{
	if (get32(buf + 4) != RR_MAGIC)
		return -1;
	*seq = get32(buf);
	return 0;
}
