/* The hello and its reply: hostile input is refused before anything is allocated. */
#include "hello.h"

#include <criterion/criterion.h>
#include <string.h>

static const struct hello good = {
    .mode = MODE_RR, .layout = 1, .flags = HELLO_F_BUSY_POLL, .conn = 7, .size = 16384};

static int decode(const unsigned char *buf, size_t len, uint16_t *status)
{
	struct hello h;
	char err[160] = "";
	int rc = hello_decode(buf, len, &h, status, err, sizeof(err));
	if (rc < 0)
		cr_assert_neq(err[0], '\0', "a refusal says why");
	return rc;
}

static void put_size(unsigned char *buf, uint64_t size)
{
	for (int i = 0; i < 8; i++)
		buf[16 + i] = (unsigned char)(size >> (8 * i));
}

Test(hello, round_trips)
{
	unsigned char buf[HELLO_SIZE];
	struct hello h;
	uint16_t status;
	char err[160];
	hello_encode(&good, buf);
	cr_assert_eq(hello_decode(buf, sizeof(buf), &h, &status, err, sizeof(err)), 0);
	cr_assert_eq(h.mode, MODE_RR);
	cr_assert_eq(h.layout, 1);
	cr_assert_eq(h.flags, HELLO_F_BUSY_POLL);
	cr_assert_eq(h.conn, 7);
	cr_assert_eq(h.size, 16384);
}

Test(hello, bad_magic_gets_no_reply)
{
	unsigned char buf[HELLO_SIZE];
	uint16_t status;
	hello_encode(&good, buf);
	buf[0] ^= 0xff;
	cr_assert_eq(decode(buf, sizeof(buf), &status), -1);
	cr_assert_eq(status, HELLO_OK);
}

Test(hello, http_request_is_not_a_hello)
{
	const char *get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n....";
	uint16_t status;
	cr_assert_eq(decode((const unsigned char *)get, HELLO_SIZE, &status), -1);
}

Test(hello, bad_version_is_refused_with_its_status)
{
	unsigned char buf[HELLO_SIZE];
	uint16_t status;
	hello_encode(&good, buf);
	buf[4] = 99;
	cr_assert_eq(decode(buf, sizeof(buf), &status), -1);
	cr_assert_eq(status, HELLO_BAD_VERSION);
}

Test(hello, size_zero_is_refused)
{
	unsigned char buf[HELLO_SIZE];
	uint16_t status;
	hello_encode(&good, buf);
	put_size(buf, 0);
	cr_assert_eq(decode(buf, sizeof(buf), &status), -1);
	cr_assert_eq(status, HELLO_BAD_REQUEST);
}

Test(hello, huge_sizes_are_refused)
{
	static const uint64_t sizes[] = {(64u << 20) + 1, 1ull << 32, UINT64_MAX};
	unsigned char buf[HELLO_SIZE];
	uint16_t status;
	for (size_t i = 0; i < 3; i++) {
		hello_encode(&good, buf);
		put_size(buf, sizes[i]);
		cr_assert_eq(decode(buf, sizeof(buf), &status), -1);
		cr_assert_eq(status, HELLO_BAD_REQUEST);
	}
}

Test(hello, bounds_themselves_are_accepted)
{
	unsigned char buf[HELLO_SIZE];
	uint16_t status;
	hello_encode(&good, buf);
	put_size(buf, 8);
	cr_assert_eq(decode(buf, sizeof(buf), &status), 0);
	put_size(buf, 64u << 20);
	cr_assert_eq(decode(buf, sizeof(buf), &status), 0);
}

Test(hello, truncated_hello_is_refused_at_every_length)
{
	unsigned char buf[HELLO_SIZE];
	uint16_t status;
	hello_encode(&good, buf);
	for (size_t len = 0; len < HELLO_SIZE; len++)
		cr_assert_eq(decode(buf, len, &status), -1, "length %zu", len);
}

Test(hello, unknown_mode_layout_flags_and_reserved_are_refused)
{
	unsigned char buf[HELLO_SIZE];
	uint16_t status;
	static const size_t offs[] = {6, 7, 8, 24, 31};
	static const unsigned char vals[] = {2, 2, 0x2, 1, 1};
	for (size_t i = 0; i < 5; i++) {
		hello_encode(&good, buf);
		buf[offs[i]] = vals[i];
		cr_assert_eq(decode(buf, sizeof(buf), &status), -1, "byte %zu", offs[i]);
		cr_assert_eq(status, HELLO_BAD_REQUEST);
	}
}

Test(hello_reply, round_trips_and_refuses_garbage)
{
	unsigned char buf[HELLO_REPLY_SIZE];
	struct hello_reply r;
	char err[160];
	hello_reply_encode(&(struct hello_reply){.status = HELLO_OK, .impl = 3, .slots = 64}, buf);
	cr_assert_eq(hello_reply_decode(buf, sizeof(buf), &r, err, sizeof(err)), 0);
	cr_assert_eq(r.impl, 3);
	cr_assert_eq(r.slots, 64);
	cr_assert_eq(hello_reply_decode(buf, sizeof(buf) - 1, &r, err, sizeof(err)), -1);
	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(hello_reply_decode(buf, sizeof(buf), &r, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not a copyscope server"));
}

Test(rr_request, carries_its_sequence_and_refuses_garbage)
{
	unsigned char buf[RR_REQUEST_SIZE];
	uint32_t seq = 0;
	rr_request_encode(0xdeadbeef, buf);
	cr_assert_eq(rr_request_decode(buf, &seq), 0);
	cr_assert_eq(seq, 0xdeadbeef);
	buf[7] ^= 1;
	cr_assert_eq(rr_request_decode(buf, &seq), -1);
}
