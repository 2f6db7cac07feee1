/* Message fill and verify: every byte checked, any damage found. */
#include "message.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static struct message msg;
static unsigned char *pattern;

static void make(size_t size, enum message_layout layout, uint32_t conn, uint32_t seq)
{
	cr_assert_eq(message_alloc(&msg, size, layout), 0);
	pattern = malloc(size);
	message_pattern(pattern, size, conn);
	message_fill(&msg, pattern);
	message_stamp(&msg, seq, conn);
}

static void cleanup(void)
{
	message_free(&msg);
	free(pattern);
	pattern = NULL;
}

TestSuite(message, .fini = cleanup);

/* Byte at logical offset off, across fields. */
static unsigned char *byte_at(size_t off)
{
	for (int i = 0; i < MESSAGE_FIELDS; i++) {
		if (off < msg.iov[i].iov_len)
			return (unsigned char *)msg.iov[i].iov_base + off;
		off -= msg.iov[i].iov_len;
	}
	return NULL;
}

Test(message, fields_split_size_and_last_takes_remainder)
{
	make(1003, LAYOUT_SCATTERED, 1, 0);
	size_t total = 0;
	for (int i = 0; i < MESSAGE_FIELDS - 1; i++) {
		cr_assert_eq(msg.iov[i].iov_len, 125);
		total += msg.iov[i].iov_len;
	}
	cr_assert_eq(msg.iov[7].iov_len, 128);
	cr_assert_eq(total + msg.iov[7].iov_len, 1003);
}

Test(message, contiguous_fields_sit_side_by_side_page_aligned)
{
	make(16384, LAYOUT_CONTIGUOUS, 1, 0);
	cr_assert_eq((uintptr_t)msg.iov[0].iov_base % 4096, 0);
	for (int i = 1; i < MESSAGE_FIELDS; i++)
		cr_assert_eq((char *)msg.iov[i].iov_base,
			     (char *)msg.iov[i - 1].iov_base + msg.iov[i - 1].iov_len);
}

Test(message, sizes_outside_bounds_are_refused)
{
	struct message m;
	cr_assert_eq(message_alloc(&m, 7, LAYOUT_SCATTERED), -1);
	cr_assert_eq(message_alloc(&m, MESSAGE_MAX_SIZE + 1, LAYOUT_SCATTERED), -1);
	cr_assert_eq(message_alloc(&m, 0, LAYOUT_CONTIGUOUS), -1);
}

Test(message, intact_message_verifies_at_every_odd_size)
{
	static const size_t sizes[] = {8, 9, 15, 63, 64, 65, 1000, 4097, 16384, 65537};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (int layout = 0; layout < 2; layout++) {
			make(sizes[k], layout, 7, 12345);
			cr_assert(message_verify(&msg, pattern, 12345, 7), "size %zu layout %d",
				  sizes[k], layout);
			cleanup();
		}
	}
}

Test(message, one_flipped_byte_anywhere_is_detected)
{
	make(1001, LAYOUT_SCATTERED, 3, 9);
	for (size_t off = 0; off < 1001; off++) {
		*byte_at(off) ^= 0x01;
		cr_assert_not(message_verify(&msg, pattern, 9, 3), "offset %zu", off);
		*byte_at(off) ^= 0x01;
	}
	cr_assert(message_verify(&msg, pattern, 9, 3));
}

Test(message, wrong_sequence_is_detected)
{
	make(64, LAYOUT_SCATTERED, 3, 41);
	cr_assert_not(message_verify(&msg, pattern, 42, 3));
	cr_assert(message_verify(&msg, pattern, 41, 3));
}

Test(message, other_connection_is_detected)
{
	make(4096, LAYOUT_SCATTERED, 3, 41);
	cr_assert_not(message_verify(&msg, pattern, 41, 4));
}

Test(message, bytes_shifted_by_any_amount_are_detected)
{
	make(4096, LAYOUT_CONTIGUOUS, 5, 1);
	unsigned char *body = msg.block;
	unsigned char saved[4096];
	memcpy(saved, body, sizeof(saved));
	for (size_t shift = 1; shift <= 512; shift++) {
		memmove(body + 1024, saved + 1024 + shift, 1024);
		cr_assert_not(message_verify(&msg, pattern, 1, 5), "shift %zu", shift);
		memcpy(body, saved, sizeof(saved));
	}
}

Test(message, swapped_chunks_are_detected)
{
	make(65536, LAYOUT_CONTIGUOUS, 5, 1);
	unsigned char *body = msg.block, tmp[256];
	memcpy(tmp, body + 1024, 256);
	memcpy(body + 1024, body + 1024 + 256, 256);
	memcpy(body + 1024 + 256, tmp, 256);
	cr_assert_not(message_verify(&msg, pattern, 1, 5));
}

Test(message, pattern_is_not_periodic_at_256)
{
	unsigned char p[4096];
	message_pattern(p, sizeof(p), 1);
	cr_assert_neq(memcmp(p, p + 256, 256), 0);
	cr_assert_neq(memcmp(p + 8, p + 8 + 4096 / 2, 64), 0);
}

Test(message, gather_then_scatter_round_trips)
{
	make(1000, LAYOUT_SCATTERED, 2, 77);
	unsigned char buf[1000];
	message_gather(&msg, buf);
	struct message other;
	cr_assert_eq(message_alloc(&other, 1000, LAYOUT_CONTIGUOUS), 0);
	message_scatter(&other, buf);
	cr_assert(message_verify(&other, pattern, 77, 2));
	message_free(&other);
}

Test(message, staging_offset_avoids_sharing_page_offsets)
{
	make(16384, LAYOUT_CONTIGUOUS, 1, 0);
	unsigned char *area = aligned_alloc(4096, 16384 + 4096);
	size_t off = message_staging_offset(&msg, area);
	cr_assert(off >= 64 && off < 4096);
	size_t d = off % 4096; /* the block is page-aligned: every field is off apart */
	cr_assert(d >= 256 && d <= 4096 - 256, "offset %zu", off);
	free(area);
}
