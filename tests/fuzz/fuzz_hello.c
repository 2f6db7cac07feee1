/*
 * fuzz_hello — libFuzzer target for the wire decoders of workloads/hello.h:
 * the hello a server reads from any peer, the reply a client reads, the rr
 * request. A decoded hello must be within the documented bounds, and must
 * encode back to the same bytes (reserved bytes are zero).
 */
#include "hello.h"
#include "bounds.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_hello(const uint8_t *data, size_t size)
{
	struct hello h;
	uint16_t status = 0xffff;
	char err[256] = "";
	if (hello_decode(data, size, &h, &status, err, sizeof(err)) < 0) {
		if (!err[0] || (size < HELLO_SIZE && status != HELLO_OK))
			abort();
		if (status != HELLO_OK && status != HELLO_BAD_VERSION &&
		    status != HELLO_BAD_REQUEST)
			abort();
		return;
	}
	if (status != HELLO_OK || size < HELLO_SIZE)
		abort();
	if (h.size < MESSAGE_MIN_SIZE || h.size > MESSAGE_MAX_SIZE)
		abort();
	if (h.mode != MODE_STREAM && h.mode != MODE_RR)
		abort();
	if (h.layout != LAYOUT_SCATTERED && h.layout != LAYOUT_CONTIGUOUS)
		abort();
	if (h.flags & ~HELLO_F_KNOWN)
		abort();
	unsigned char again[HELLO_SIZE];
	hello_encode(&h, again);
	if (memcmp(again, data, HELLO_SIZE) != 0)
		abort();
}

static void check_reply(const uint8_t *data, size_t size)
{
	struct hello_reply r;
	char err[256] = "";
	if (hello_reply_decode(data, size, &r, err, sizeof(err)) < 0) {
		if (!err[0])
			abort();
		return;
	}
	(void)hello_status_name(r.status); /* any status has a name */
	unsigned char again[HELLO_REPLY_SIZE];
	hello_reply_encode(&r, again);
	if (memcmp(again, data, HELLO_REPLY_SIZE) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* copies of exactly the given length, so ASan sees any read past it */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	check_hello(copy, size);
	check_reply(copy, size);
	if (size >= RR_REQUEST_SIZE) {
		uint32_t seq;
		if (rr_request_decode(copy, &seq) == 0) {
			unsigned char again[RR_REQUEST_SIZE];
			rr_request_encode(seq, again);
			if (memcmp(again, copy, RR_REQUEST_SIZE) != 0)
				abort();
		}
	}
	free(copy);
	return 0;
}
