/*
 * fuzz_agentwire — libFuzzer target for the agent protocol's reader
 * (harness/agentwire.h): the input's bytes arrive on a socket as an agent
 * would read them, before the handshake (untagged) and in a session with a
 * fixed key (tagged), and every frame taken is run through agentwire_check.
 * The input is also sent as one tagged frame (first byte the type), which
 * must arrive exactly as sent, and parsed from bytes as the agent parses a
 * peer's frames before authentication (agentwire_frame_parse), every prefix
 * of it, which must agree with the socket's reader. A frame taken must obey the documented
 * bounds; an error must be one line with a known why.
 */
#include "agentwire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const unsigned char session_key[32] = "fuzz_agentwire fixed session key";

static void known_why(const char *why)
{
	static const char *const whys[] = {"closed", "timeout", "protocol", "version", "tag"};
	for (size_t i = 0; i < sizeof(whys) / sizeof(whys[0]); i++)
		if (why && strcmp(why, whys[i]) == 0)
			return;
	abort();
}

static void one_line(const char *err)
{
	if (!err[0] || strchr(err, '\n'))
		abort();
}

static void check_frame(const struct agentwire_frame *f)
{
	if (f->type < AW_HELLO || f->type > AW_TYPE_MAX || f->len > AGENTWIRE_PAYLOAD_MAX)
		abort();
	if (!f->payload || f->payload[f->len] != '\0' || strlen(f->payload) != f->len)
		abort();
	char err[512] = "";
	if (agentwire_check(f, err, sizeof(err)) < 0) {
		one_line(err);
		return;
	}
	/* a checked payload gives back each of its lines' values */
	const char *keys = agentwire_keys(f->type);
	if (!keys)
		return;
	static char value[AGENTWIRE_VALUE_MAX + 1];
	for (const char *p = f->payload; *p;) {
		const char *eq = strchr(p, '='), *nl = strchr(p, '\n');
		if (!eq || !nl || eq > nl || eq - p > AGENTWIRE_KEY_MAX)
			abort();
		char key[AGENTWIRE_KEY_MAX + 1];
		memcpy(key, p, (size_t)(eq - p));
		key[eq - p] = '\0';
		if (agentwire_get(f, key, value, sizeof(value)) < 0 ||
		    strlen(value) != (size_t)(nl - eq - 1) || memcmp(value, eq + 1, strlen(value)))
			abort();
		p = nl + 1;
	}
}

/* Feeds data to an agent's end and takes frames until one is refused. */
static void read_as_agent(const uint8_t *data, size_t size, int authenticated)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	int big = 1 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (size && write(sv[0], data, size) != (ssize_t)size)
		abort(); /* libFuzzer's inputs are far below a socket's buffer */
	shutdown(sv[0], SHUT_WR);
	struct agentwire a;
	agentwire_init(&a, sv[1], 1, "fuzz");
	if (authenticated) {
		memcpy(a.session, session_key, sizeof(a.session));
		a.authenticated = 1;
	}
	for (;;) {
		struct agentwire_frame f;
		const char *why = NULL;
		char err[512] = "";
		uint64_t seq = a.seq_in;
		/* the input is all there: a time-out would be a reader that lost bytes */
		if (agentwire_recv(&a, 5.0, &f, &why, err, sizeof(err)) < 0) {
			known_why(why);
			one_line(err);
			if (strcmp(why, "timeout") == 0 || a.seq_in != seq || f.payload)
				abort();
			break;
		}
		if (a.seq_in != seq + (authenticated ? 1 : 0))
			abort();
		check_frame(&f);
		agentwire_frame_free(&f);
	}
	close(sv[0]);
	close(sv[1]);
}

/* Sends the input as one tagged frame from the harness; the agent must take
 * exactly that, or the sender must have refused it. */
static void round_trip(const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	int big = 1 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	struct agentwire h, a;
	agentwire_init(&h, sv[0], 0, "fuzz-h");
	agentwire_init(&a, sv[1], 1, "fuzz-a");
	memcpy(h.session, session_key, sizeof(h.session));
	memcpy(a.session, session_key, sizeof(a.session));
	h.authenticated = a.authenticated = 1;
	int type = data[0];
	const char *payload = (const char *)data + 1;
	size_t len = size - 1;
	char err[512] = "";
	int sendable = type >= AW_HELLO && type <= AW_TYPE_MAX && !memchr(payload, '\0', len);
	if (agentwire_send(&h, type, payload, len, err, sizeof(err)) < 0) {
		one_line(err);
		if (sendable)
			abort();
	} else {
		if (!sendable)
			abort();
		struct agentwire_frame f;
		const char *why = NULL;
		if (agentwire_recv(&a, 5.0, &f, &why, err, sizeof(err)) < 0)
			abort();
		if (f.type != type || f.len != len || memcmp(f.payload, payload, len) != 0)
			abort();
		check_frame(&f);
		agentwire_frame_free(&f);
	}
	close(sv[0]);
	close(sv[1]);
}

/* agentwire_frame_parse on every prefix of the input: it asks for more until
 * the frame is whole, never for less than it has, and takes what
 * agentwire_recv takes from the same bytes (untagged). */
static void parse_prefixes(const uint8_t *data, size_t size)
{
	size_t whole = 0;
	for (size_t got = 0; got <= size && !whole; got++) {
		struct agentwire_frame f;
		const char *why = NULL;
		char err[512] = "";
		size_t used = 0;
		int rc = agentwire_frame_parse(data, got, &used, &f, &why, err, sizeof(err));
		if (rc < 0) {
			known_why(why);
			one_line(err);
			if (f.payload || got < AGENTWIRE_HEADER)
				abort();
			return;
		}
		if (rc == 0) {
			if (f.payload || used <= got ||
			    used > AGENTWIRE_HEADER + AGENTWIRE_PAYLOAD_MAX)
				abort();
			continue;
		}
		if (used != got || f.len + AGENTWIRE_HEADER != used ||
		    memcmp(f.payload, data + AGENTWIRE_HEADER, f.len))
			abort();
		check_frame(&f);
		agentwire_frame_free(&f);
		whole = used;
	}
	if (!whole)
		return;
	/* the socket's reader takes the same frame from the same bytes */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	int big = 1 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (write(sv[0], data, whole) != (ssize_t)whole)
		abort();
	struct agentwire a;
	agentwire_init(&a, sv[1], 1, "fuzz-p");
	struct agentwire_frame f;
	const char *why = NULL;
	char err[512] = "";
	if (agentwire_recv(&a, 5.0, &f, &why, err, sizeof(err)) < 0 ||
	    f.len + AGENTWIRE_HEADER != whole)
		abort();
	agentwire_frame_free(&f);
	close(sv[0]);
	close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > AGENTWIRE_PAYLOAD_MAX + 64)
		return 0; /* larger inputs add nothing but socket-buffer waits */
	read_as_agent(data, size, 0);
	read_as_agent(data, size, 1);
	round_trip(data, size);
	parse_prefixes(data, size);
	return 0;
}
