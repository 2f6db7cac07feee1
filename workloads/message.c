/* message.c — see message.h. */
#include "message.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u

static size_t field_len(size_t size, int i)
{
	size_t base = size / MESSAGE_FIELDS;
	return i == MESSAGE_FIELDS - 1 ? size - base * (MESSAGE_FIELDS - 1) : base;
}

int message_alloc(struct message *m, size_t size, enum message_layout layout)
{
	memset(m, 0, sizeof(*m));
	if (size < MESSAGE_MIN_SIZE || size > MESSAGE_MAX_SIZE ||
	    (layout != LAYOUT_SCATTERED && layout != LAYOUT_CONTIGUOUS)) {
		errno = EINVAL;
		return -1;
	}
	m->size = size;
	m->layout = layout;
	if (layout == LAYOUT_CONTIGUOUS) {
		size_t rounded = (size + PAGE - 1) / PAGE * PAGE;
		m->block = aligned_alloc(PAGE, rounded);
		if (!m->block)
			return -1;
	}
	size_t off = 0;
	for (int i = 0; i < MESSAGE_FIELDS; i++) {
		size_t len = field_len(size, i);
		void *base = m->block ? (unsigned char *)m->block + off : malloc(len ? len : 1);
		if (!base) {
			message_free(m);
			errno = ENOMEM;
			return -1;
		}
		m->iov[i].iov_base = base;
		m->iov[i].iov_len = len;
		off += len;
	}
	return 0;
}

void message_free(struct message *m)
{
	if (!m->block) {
		for (int i = 0; i < MESSAGE_FIELDS; i++)
			free(m->iov[i].iov_base);
	}
	free(m->block);
	memset(m, 0, sizeof(*m));
}

const char *message_layout_name(enum message_layout layout)
{
	return layout == LAYOUT_CONTIGUOUS ? "contiguous" : "scattered";
}

int message_layout_parse(const char *name, enum message_layout *out)
{
	if (strcmp(name, "scattered") == 0)
		*out = LAYOUT_SCATTERED;
	else if (strcmp(name, "contiguous") == 0)
		*out = LAYOUT_CONTIGUOUS;
	else
		return -1;
	return 0;
}

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void message_pattern(unsigned char *dst, size_t size, uint32_t conn)
{
	uint64_t key = (uint64_t)conn << 40;
	for (size_t w = 0; w * 8 < size; w++) {
		uint64_t v = mix64(key ^ w);
		size_t n = size - w * 8 < 8 ? size - w * 8 : 8;
		for (size_t b = 0; b < n; b++)
			dst[w * 8 + b] = (unsigned char)(v >> (8 * b));
	}
}

void message_fill(struct message *m, const unsigned char *pattern)
{
	message_scatter(m, pattern);
}

static void header_bytes(unsigned char h[MESSAGE_HEADER], uint32_t seq, uint32_t conn)
{
	for (int b = 0; b < 4; b++) {
		h[b] = (unsigned char)(seq >> (8 * b));
		h[4 + b] = (unsigned char)(conn >> (8 * b));
	}
}

void message_stamp(struct message *m, uint32_t seq, uint32_t conn)
{
	unsigned char h[MESSAGE_HEADER];
	header_bytes(h, seq, conn);
	size_t done = 0;
	for (int i = 0; i < MESSAGE_FIELDS && done < MESSAGE_HEADER; i++) {
		size_t n = m->iov[i].iov_len;
		if (n > MESSAGE_HEADER - done)
			n = MESSAGE_HEADER - done;
		memcpy(m->iov[i].iov_base, h + done, n);
		done += n;
	}
}

bool message_verify(const struct message *m, const unsigned char *pattern, uint32_t seq,
		    uint32_t conn)
{
	unsigned char h[MESSAGE_HEADER];
	header_bytes(h, seq, conn);
	size_t off = 0;
	for (int i = 0; i < MESSAGE_FIELDS; i++) {
		const unsigned char *f = m->iov[i].iov_base;
		size_t len = m->iov[i].iov_len;
		size_t k = 0;
		for (; k < len && off + k < MESSAGE_HEADER; k++) {
			if (f[k] != h[off + k])
				return false;
		}
		if (memcmp(f + k, pattern + off + k, len - k) != 0)
			return false;
		off += len;
	}
	return true;
}

void message_gather(const struct message *m, unsigned char *dst)
{
	for (int i = 0; i < MESSAGE_FIELDS; i++) {
		memcpy(dst, m->iov[i].iov_base, m->iov[i].iov_len);
		dst += m->iov[i].iov_len;
	}
}

void message_scatter(struct message *m, const unsigned char *src)
{
	for (int i = 0; i < MESSAGE_FIELDS; i++) {
		memcpy(m->iov[i].iov_base, src, m->iov[i].iov_len);
		src += m->iov[i].iov_len;
	}
}

/* Distance from a field to its image, folded to [0, 2048]: small means the
 * two share (nearly) their offset within a page. */
static size_t page_distance(const void *field, const unsigned char *image)
{
	size_t d = ((uintptr_t)image - (uintptr_t)field) % PAGE;
	return d > PAGE / 2 ? PAGE - d : d;
}

size_t message_staging_offset(const struct message *m, const unsigned char *area)
{
	size_t best = 64, best_score = (size_t)-1;
	for (size_t cand = 64; cand < PAGE; cand += 64) {
		size_t score = 0, off = cand;
		for (int i = 0; i < MESSAGE_FIELDS; i++) {
			if (m->iov[i].iov_len &&
			    page_distance(m->iov[i].iov_base, area + off) < 256)
				score++;
			off += m->iov[i].iov_len;
		}
		if (score < best_score) {
			best = cand;
			best_score = score;
		}
		if (score == 0)
			break;
	}
	return best;
}
