/*
 * The agent protocol (agentwire.h): frames over a socketpair, tagged and not;
 * what a receiver refuses (a changed byte, a replay, a cut frame, a bad
 * header, silence); the key=value table; the handshake from both ends, with
 * the macs recomputed here from the header's description; key files.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agentwire.h"

static char err[1024];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A connected pair of ends: h the harness, a the agent. */
static void pair(struct agentwire *h, struct agentwire *a, int authenticated)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	agentwire_init(h, sv[0], 0, "agent:1");
	agentwire_init(a, sv[1], 1, "harness:2");
	if (authenticated) {
		cr_assert_geq(sodium_init(), 0);
		randombytes_buf(h->session, sizeof(h->session));
		memcpy(a->session, h->session, sizeof(a->session));
		h->authenticated = a->authenticated = 1;
	}
}

static void unpair(struct agentwire *h, struct agentwire *a)
{
	close(h->fd);
	close(a->fd);
}

static int send_text(struct agentwire *w, int type, const char *text)
{
	err[0] = '\0';
	return agentwire_send(w, type, text, strlen(text), err, sizeof(err));
}

static const char *recv_fails(struct agentwire *w, double timeout_s)
{
	struct agentwire_frame f;
	const char *why = NULL;
	err[0] = '\0';
	cr_assert_eq(agentwire_recv(w, timeout_s, &f, &why, err, sizeof(err)), -1,
		     "a frame was taken");
	cr_assert_not_null(why);
	cr_assert_neq(err[0], '\0');
	cr_assert_null(f.payload);
	return why;
}

static void expect_frame(struct agentwire *w, int type, const char *text)
{
	struct agentwire_frame f;
	const char *why = NULL;
	cr_assert_eq(agentwire_recv(w, 1.0, &f, &why, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.type, type);
	cr_assert_eq(f.len, strlen(text));
	cr_assert_str_eq(f.payload, text);
	agentwire_frame_free(&f);
}

/* The bytes sender puts on the wire for one frame (a second socketpair). */
static size_t capture(struct agentwire *sender, int type, const char *text, unsigned char *buf,
		      size_t len)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int fd = sender->fd;
	sender->fd = sv[0];
	cr_assert_eq(send_text(sender, type, text), 0, "%s", err);
	sender->fd = fd;
	close(sv[0]);
	size_t n = 0;
	ssize_t r;
	while ((r = read(sv[1], buf + n, len - n)) > 0)
		n += (size_t)r;
	close(sv[1]);
	return n;
}

static void write_raw(int fd, const void *buf, size_t len)
{
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
}

static void header(unsigned char *h, int type, uint32_t len)
{
	h[0] = 'C';
	h[1] = 'S';
	h[2] = AGENTWIRE_VERSION;
	h[3] = (unsigned char)type;
	h[4] = (unsigned char)(len >> 24);
	h[5] = (unsigned char)(len >> 16);
	h[6] = (unsigned char)(len >> 8);
	h[7] = (unsigned char)len;
}

/* --- frames --------------------------------------------------------------- */

Test(agentwire, frames_round_trip_both_ways_untagged)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	cr_assert_eq(send_text(&h, AW_RUN, "impl=sendfile\nwindow=7.5\n"), 0, "%s", err);
	expect_frame(&a, AW_RUN, "impl=sendfile\nwindow=7.5\n");
	cr_assert_eq(send_text(&a, AW_LISTENING, "port=40000\n"), 0, "%s", err);
	expect_frame(&h, AW_LISTENING, "port=40000\n");
	cr_assert_eq(send_text(&h, AW_STOP, ""), 0, "%s", err);
	expect_frame(&a, AW_STOP, "");
	cr_assert_eq(h.seq_out, 0, "untagged frames count no sequence");
	unpair(&h, &a);
}

Test(agentwire, frames_round_trip_both_ways_tagged_in_sequence)
{
	struct agentwire h, a;
	pair(&h, &a, 1);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(send_text(&h, AW_BEGIN, ""), 0, "%s", err);
		expect_frame(&a, AW_BEGIN, "");
		cr_assert_eq(send_text(&a, AW_OK, ""), 0, "%s", err);
		expect_frame(&h, AW_OK, "");
	}
	cr_assert_eq(send_text(&a, AW_TOTALS, "bytes=1\nany text\n"), 0, "%s", err);
	expect_frame(&h, AW_TOTALS, "bytes=1\nany text\n");
	cr_assert_eq(h.seq_out, 3);
	cr_assert_eq(h.seq_in, 4);
	cr_assert_eq(a.seq_out, 4);
	cr_assert_eq(a.seq_in, 3);
	unpair(&h, &a);
}

Test(agentwire, largest_payload_round_trips)
{
	struct agentwire h, a;
	pair(&h, &a, 1);
	int big = 1 << 20;
	setsockopt(h.fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	char *text = malloc(AGENTWIRE_PAYLOAD_MAX + 1);
	memset(text, 'x', AGENTWIRE_PAYLOAD_MAX);
	text[AGENTWIRE_PAYLOAD_MAX] = '\0';
	cr_assert_eq(send_text(&h, AW_EVENTS, text), 0, "%s", err);
	expect_frame(&a, AW_EVENTS, text);
	free(text);
	unpair(&h, &a);
}

Test(agentwire, sender_refuses_oversized_nul_and_unknown_type)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	char *text = calloc(1, AGENTWIRE_PAYLOAD_MAX + 2);
	memset(text, 'x', AGENTWIRE_PAYLOAD_MAX + 1);
	cr_assert_eq(send_text(&h, AW_EVENTS, text), -1);
	cr_assert_not_null(strstr(err, "at most"), "%s", err);
	free(text);
	cr_assert_eq(agentwire_send(&h, AW_EVENTS, "a\0b", 3, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "NUL"), "%s", err);
	cr_assert_eq(send_text(&h, 0, ""), -1);
	cr_assert_eq(send_text(&h, AW_TYPE_MAX + 1, ""), -1);
	cr_assert_str_eq(recv_fails(&a, 0.05), "timeout", "nothing went out");
	unpair(&h, &a);
}

Test(agentwire, changed_payload_byte_fails_the_tag)
{
	struct agentwire h, a;
	pair(&h, &a, 1);
	unsigned char buf[256];
	size_t n = capture(&h, AW_RUN, "impl=sendfile\nwindow=7.5\n", buf, sizeof(buf));
	cr_assert_eq(n, AGENTWIRE_HEADER + 25 + AGENTWIRE_TAG);
	buf[AGENTWIRE_HEADER + 5] ^= 0x01;
	write_raw(h.fd, buf, n);
	cr_assert_str_eq(recv_fails(&a, 1.0), "tag");
	cr_assert_eq(a.seq_in, 0);
	unpair(&h, &a);
}

Test(agentwire, replayed_frame_fails_the_tag)
{
	struct agentwire h, a;
	pair(&h, &a, 1);
	unsigned char buf[256];
	size_t n = capture(&h, AW_BEGIN, "", buf, sizeof(buf));
	write_raw(h.fd, buf, n);
	write_raw(h.fd, buf, n);
	expect_frame(&a, AW_BEGIN, "");
	cr_assert_str_eq(recv_fails(&a, 1.0), "tag");
	unpair(&h, &a);
}

Test(agentwire, skipped_sequence_number_fails_the_tag)
{
	struct agentwire h, a;
	pair(&h, &a, 1);
	h.seq_out = 1;
	cr_assert_eq(send_text(&h, AW_BEGIN, ""), 0, "%s", err);
	cr_assert_str_eq(recv_fails(&a, 1.0), "tag");
	unpair(&h, &a);
}

Test(agentwire, frame_of_the_other_direction_fails_the_tag)
{
	/* an agent's own frame reflected back at it */
	struct agentwire h, a;
	pair(&h, &a, 1);
	unsigned char buf[256];
	size_t n = capture(&a, AW_OK, "", buf, sizeof(buf));
	write_raw(h.fd, buf, n);
	cr_assert_str_eq(recv_fails(&a, 1.0), "tag");
	unpair(&h, &a);
}

Test(agentwire, untagged_frame_in_a_session_fails)
{
	struct agentwire h, a;
	pair(&h, &a, 1);
	h.authenticated = 0;
	cr_assert_eq(send_text(&h, AW_BEGIN, ""), 0, "%s", err);
	shutdown(h.fd, SHUT_WR);
	cr_assert_str_eq(recv_fails(&a, 1.0), "protocol", "the tag's bytes never came");
	unpair(&h, &a);
}

Test(agentwire, close_between_frames_is_closed)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	cr_assert_eq(send_text(&h, AW_BEGIN, ""), 0, "%s", err);
	shutdown(h.fd, SHUT_WR);
	expect_frame(&a, AW_BEGIN, "");
	cr_assert_str_eq(recv_fails(&a, 1.0), "closed");
	unpair(&h, &a);
}

Test(agentwire, close_inside_the_header_is_protocol)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	unsigned char hdr[AGENTWIRE_HEADER];
	header(hdr, AW_RUN, 4);
	write_raw(h.fd, hdr, 5);
	shutdown(h.fd, SHUT_WR);
	cr_assert_str_eq(recv_fails(&a, 1.0), "protocol");
	cr_assert_not_null(strstr(err, "inside a frame"), "%s", err);
	unpair(&h, &a);
}

Test(agentwire, close_inside_the_payload_is_protocol)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	unsigned char hdr[AGENTWIRE_HEADER];
	header(hdr, AW_RUN, 10);
	write_raw(h.fd, hdr, sizeof(hdr));
	write_raw(h.fd, "impl", 4);
	shutdown(h.fd, SHUT_WR);
	cr_assert_str_eq(recv_fails(&a, 1.0), "protocol");
	cr_assert_not_null(strstr(err, "4 of 10"), "%s", err);
	unpair(&h, &a);
}

Test(agentwire, silence_is_a_timeout)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	double t0 = now_s();
	cr_assert_str_eq(recv_fails(&a, 0.05), "timeout");
	double took = now_s() - t0;
	cr_assert_geq(took, 0.05);
	cr_assert_lt(took, 1.0);
	unpair(&h, &a);
}

Test(agentwire, half_a_frame_then_silence_is_a_timeout)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	unsigned char hdr[AGENTWIRE_HEADER];
	header(hdr, AW_RUN, 10);
	write_raw(h.fd, hdr, sizeof(hdr));
	cr_assert_str_eq(recv_fails(&a, 0.05), "timeout");
	unpair(&h, &a);
}

Test(agentwire, oversized_length_is_refused_before_its_payload)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	unsigned char hdr[AGENTWIRE_HEADER];
	header(hdr, AW_EVENTS, AGENTWIRE_PAYLOAD_MAX + 1);
	write_raw(h.fd, hdr, sizeof(hdr));
	double t0 = now_s();
	cr_assert_str_eq(recv_fails(&a, 5.0), "protocol", "no wait for a payload never sent");
	cr_assert_lt(now_s() - t0, 1.0);
	cr_assert_not_null(strstr(err, "65537"), "%s", err);
	header(hdr, AW_EVENTS, 0xffffffffu);
	write_raw(h.fd, hdr, sizeof(hdr));
	cr_assert_str_eq(recv_fails(&a, 5.0), "protocol");
	unpair(&h, &a);
}

static const char *refused_header(unsigned char b0, unsigned char b1, unsigned char version,
				  unsigned char type)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	unsigned char hdr[AGENTWIRE_HEADER] = {b0, b1, version, type, 0, 0, 0, 0};
	write_raw(h.fd, hdr, sizeof(hdr));
	const char *why = recv_fails(&a, 1.0);
	unpair(&h, &a);
	return why;
}

Test(agentwire, bad_magic_is_protocol)
{
	cr_assert_str_eq(refused_header('C', 'T', AGENTWIRE_VERSION, AW_OK), "protocol");
	cr_assert_str_eq(refused_header('G', 'E', 'T', ' '), "protocol");
}

Test(agentwire, another_version_is_version_and_named)
{
	cr_assert_str_eq(refused_header('C', 'S', AGENTWIRE_VERSION + 1, AW_HELLO), "version");
	cr_assert_not_null(strstr(err, "version 2"), "%s", err);
	cr_assert_not_null(strstr(err, "version 1"), "%s", err);
}

Test(agentwire, type_zero_and_past_the_last_are_protocol)
{
	cr_assert_str_eq(refused_header('C', 'S', AGENTWIRE_VERSION, 0), "protocol");
	cr_assert_str_eq(refused_header('C', 'S', AGENTWIRE_VERSION, AW_TYPE_MAX + 1), "protocol");
	cr_assert_str_eq(refused_header('C', 'S', AGENTWIRE_VERSION, 255), "protocol");
}

Test(agentwire, nul_in_a_payload_is_protocol)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	unsigned char frame[AGENTWIRE_HEADER + 3];
	header(frame, AW_EVENTS, 3);
	memcpy(frame + AGENTWIRE_HEADER, "a\0b", 3);
	write_raw(h.fd, frame, sizeof(frame));
	cr_assert_str_eq(recv_fails(&a, 1.0), "protocol");
	unpair(&h, &a);
}

Test(agentwire, type_names)
{
	cr_assert_str_eq(agentwire_type_name(AW_HELLO), "HELLO");
	cr_assert_str_eq(agentwire_type_name(AW_RESULT), "RESULT");
	cr_assert_str_eq(agentwire_type_name(0), "?");
	cr_assert_str_eq(agentwire_type_name(AW_TYPE_MAX + 1), "?");
	cr_assert_str_eq(agentwire_type_name(-1), "?");
}

/* --- payloads ------------------------------------------------------------- */

static int check(int type, const char *text)
{
	struct agentwire_frame f = {.type = type, .payload = (char *)text, .len = strlen(text)};
	err[0] = '\0';
	return agentwire_check(&f, err, sizeof(err));
}

static void expect_refused(int type, const char *text, const char *fragment)
{
	cr_assert_eq(check(type, text), -1, "accepted: %s", text);
	cr_assert_not_null(strstr(err, fragment), "message '%s' lacks '%s'", err, fragment);
	cr_assert_null(strchr(err, '\n'));
}

Test(agentwire_check, each_type_takes_its_keys)
{
	cr_assert_eq(check(AW_HELLO, "version=1\nnonce=ab\nagent=0.9.0\n"), 0, "%s", err);
	cr_assert_eq(check(AW_ERROR, "reason=auth\n"), 0, "%s", err);
	cr_assert_eq(check(AW_ERROR, "reason=auth\ndetail=wrong key\n"), 0, "%s", err);
	cr_assert_eq(check(AW_RUN, "window=3\nimpl=splice\ncpus=0-3\nthread_cpus=1\n"), 0, "%s",
		     err);
	cr_assert_eq(check(AW_DESCRIBE, ""), 0, "%s", err);
	cr_assert_eq(check(AW_MACHINE, "host=a\nwhatever.key_9=x=y\n"), 0, "%s", err);
	cr_assert_eq(check(AW_RESULT, "status=ok\noncpu=0:5;1:6\ncounter.0=1 5 6 6\n"
				      "counter.1023=0 0 0 0\nreason.7=unsupported\n"),
		     0, "%s", err);
	cr_assert_eq(check(AW_LISTENING, "port=\n"), 0, "an empty value is a value: %s", err);
}

Test(agentwire_check, text_types_take_any_byte_but_nul)
{
	cr_assert_eq(check(AW_EVENTS, "cycles - cycles\n\ttabs\r\nno = key\xff"), 0, "%s", err);
	cr_assert_eq(check(AW_TOTALS, "bytes=5\n"), 0, "%s", err);
	struct agentwire_frame f = {.type = AW_TOTALS, .payload = "a\0b", .len = 3};
	cr_assert_eq(agentwire_check(&f, err, sizeof(err)), -1);
}

Test(agentwire_check, unknown_key)
{
	expect_refused(AW_RUN, "impl=a\nwindow=1\nport=5\n", "port");
	expect_refused(AW_OK, "x=1\n", "line 1");
	expect_refused(AW_RESULT, "status=ok\ncounter=1\n", "counter");
	expect_refused(AW_RESULT, "status=ok\ncounter.=1\n", "counter.");
}

Test(agentwire_check, duplicate_key)
{
	expect_refused(AW_RUN, "impl=a\nwindow=1\nimpl=b\n", "impl a second time");
	expect_refused(AW_MACHINE, "host=a\nkernel=6\nhost=a\n", "line 3");
	expect_refused(AW_RESULT, "status=ok\ncounter.3=1\ncounter.3=1\n", "counter.3");
}

Test(agentwire_check, missing_required_key)
{
	expect_refused(AW_RUN, "impl=a\n", "window");
	expect_refused(AW_AUTH, "", "nonce");
	expect_refused(AW_RESULT, "counter.0=1 1 1 1\n", "status");
}

Test(agentwire_check, key_bounds_and_bytes)
{
	char text[128];
	snprintf(text, sizeof(text), "%.*s=1\n", AGENTWIRE_KEY_MAX,
		 "abcdefghijabcdefghijabcdefghijabcdefghij");
	cr_assert_eq(check(AW_MACHINE, text), 0, "%s", err);
	snprintf(text, sizeof(text), "%.*s=1\n", AGENTWIRE_KEY_MAX + 1,
		 "abcdefghijabcdefghijabcdefghijabcdefghij");
	expect_refused(AW_MACHINE, text, "line 1");
	expect_refused(AW_MACHINE, "=1\n", "line 1");
	expect_refused(AW_MACHINE, "Host=a\n", "key");
	expect_refused(AW_MACHINE, "ho-st=a\n", "key");
	expect_refused(AW_MACHINE, "host\n", "key=value");
}

Test(agentwire_check, value_bounds_and_bytes)
{
	char *text = malloc(AGENTWIRE_VALUE_MAX + 16);
	strcpy(text, "host=");
	memset(text + 5, 'v', AGENTWIRE_VALUE_MAX);
	strcpy(text + 5 + AGENTWIRE_VALUE_MAX, "\n");
	cr_assert_eq(check(AW_MACHINE, text), 0, "%s", err);
	strcpy(text + 5 + AGENTWIRE_VALUE_MAX, "v\n");
	expect_refused(AW_MACHINE, text, "4097");
	free(text);
	expect_refused(AW_MACHINE, "host=a\tb\n", "0x09");
	expect_refused(AW_MACHINE, "host=a\rb\n", "0x0d");
	expect_refused(AW_MACHINE, "host=\x7f\n", "0x7f");
	expect_refused(AW_MACHINE, "host=\xc3\xa9\n", "0xc3");
}

Test(agentwire_check, lines_end_in_newline_and_are_not_empty)
{
	expect_refused(AW_LISTENING, "port=5", "newline");
	expect_refused(AW_LISTENING, "port=5\n\n", "line 2");
}

Test(agentwire_check, too_many_lines)
{
	size_t cap = (AGENTWIRE_LINES_MAX + 1) * 16;
	char *text = malloc(cap);
	size_t used = 0;
	text[0] = '\0';
	for (int i = 0; i < AGENTWIRE_LINES_MAX; i++)
		cr_assert_eq(agentwire_put(text, cap, &used, "k", "%d", i), 0);
	/* distinct keys for the bound itself */
	used = 0;
	for (int i = 0; i < AGENTWIRE_LINES_MAX; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		cr_assert_eq(agentwire_put(text, cap, &used, key, "1"), 0);
	}
	cr_assert_eq(check(AW_MACHINE, text), 0, "%s", err);
	cr_assert_eq(agentwire_put(text, cap, &used, "one_more", "1"), 0);
	expect_refused(AW_MACHINE, text, "more than 1024 lines");
	free(text);
}

Test(agentwire_check, counter_index_forms)
{
	cr_assert_eq(check(AW_RESULT, "status=ok\ncounter.0=1 1 1 1\n"), 0, "%s", err);
	cr_assert_eq(check(AW_RESULT, "status=ok\ncounter.10=1 1 1 1\nreason.99=x\n"), 0, "%s",
		     err);
	expect_refused(AW_RESULT, "status=ok\ncounter.01=1 1 1 1\n", "counter.01");
	expect_refused(AW_RESULT, "status=ok\ncounter.x=1 1 1 1\n", "counter.x");
	expect_refused(AW_RESULT, "status=ok\ncounter.1024=1 1 1 1\n", "counter.1024");
	expect_refused(AW_RESULT, "status=ok\ncounter.00=1\n", "counter.00");
	expect_refused(AW_RESULT, "status=ok\nreason.-1=x\n", "line 2");
	expect_refused(AW_RESULT, "status=ok\ncounter.1.2=1\n", "counter.1.2");
}

Test(agentwire_check, unknown_type)
{
	struct agentwire_frame f = {.type = 0, .payload = "", .len = 0};
	cr_assert_eq(agentwire_check(&f, err, sizeof(err)), -1);
	f.type = AW_TYPE_MAX + 1;
	cr_assert_eq(agentwire_check(&f, err, sizeof(err)), -1);
}

Test(agentwire_check, keys_table_spells_each_type)
{
	cr_assert_str_eq(agentwire_keys(AW_RUN), "impl window [cpus] [thread_cpus]");
	cr_assert_str_eq(agentwire_keys(AW_MACHINE), "*");
	cr_assert_str_eq(agentwire_keys(AW_OK), "");
	cr_assert_null(agentwire_keys(AW_EVENTS));
	cr_assert_null(agentwire_keys(0));
}

Test(agentwire_put, appends_lines_and_refuses_what_does_not_fit)
{
	char buf[32];
	size_t used = 0;
	buf[0] = '\0';
	cr_assert_eq(agentwire_put(buf, sizeof(buf), &used, "port", "%d", 40000), 0);
	cr_assert_eq(agentwire_put(buf, sizeof(buf), &used, "impl", "%s", "sendfile"), 0);
	cr_assert_str_eq(buf, "port=40000\nimpl=sendfile\n");
	cr_assert_eq(used, strlen(buf));
	cr_assert_eq(agentwire_put(buf, sizeof(buf), &used, "x", "%s", "too long now"), -1);
	cr_assert_eq(agentwire_put(buf, sizeof(buf), &used, "y", "a\nb"), -1);
	cr_assert_eq(agentwire_put(buf, sizeof(buf), &used, "Y", "1"), -1);
	cr_assert_str_eq(buf, "port=40000\nimpl=sendfile\n", "a refusal leaves buf as it was");
	struct agentwire_frame f = {.type = AW_RUN, .payload = buf, .len = used};
	char v[16];
	cr_assert_eq(agentwire_get(&f, "impl", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "sendfile");
	cr_assert_eq(agentwire_get(&f, "port", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "40000");
	cr_assert_eq(agentwire_get(&f, "por", v, sizeof(v)), -1);
	cr_assert_eq(agentwire_get(&f, "window", v, sizeof(v)), -1);
	cr_assert_eq(agentwire_get(&f, "impl", v, 8), -1, "does not fit");
}

Test(agentwire, send_error_cleans_and_cuts_detail)
{
	struct agentwire h, a;
	pair(&h, &a, 1);
	char *detail = malloc(3 * AGENTWIRE_VALUE_MAX);
	memset(detail, 'd', 3 * AGENTWIRE_VALUE_MAX - 1);
	detail[3 * AGENTWIRE_VALUE_MAX - 1] = '\0';
	detail[0] = '\n';
	detail[1] = '\x01';
	agentwire_send_error(&a, "server_exit_1", detail);
	free(detail);
	struct agentwire_frame f;
	const char *why;
	cr_assert_eq(agentwire_recv(&h, 1.0, &f, &why, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.type, AW_ERROR);
	cr_assert_eq(agentwire_check(&f, err, sizeof(err)), 0, "%s", err);
	char v[AGENTWIRE_VALUE_MAX + 1];
	cr_assert_eq(agentwire_get(&f, "reason", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "server_exit_1");
	cr_assert_eq(agentwire_get(&f, "detail", v, sizeof(v)), 0);
	cr_assert_eq(strlen(v), AGENTWIRE_VALUE_MAX);
	cr_assert_eq(strncmp(v, "??ddd", 5), 0, "%.8s", v);
	agentwire_frame_free(&f);
	unpair(&h, &a);
}

/* --- the handshake -------------------------------------------------------- */

static struct agentwire_key test_key(char fill)
{
	struct agentwire_key k;
	memset(&k, 0, sizeof(k));
	memset(k.bytes, fill, 32);
	k.len = 32;
	return k;
}

struct side {
	struct agentwire *w;
	struct agentwire_key key;
	int rc;
	const char *why;
	char err[512];
};

static void *run_side(void *arg)
{
	struct side *s = arg;
	s->why = NULL;
	s->rc = agentwire_handshake(s->w, &s->key, &s->why, s->err, sizeof(s->err));
	return NULL;
}

/* Runs the agent's handshake in a thread and the harness's here. */
static void handshake_both(struct agentwire *h, struct agentwire *a, struct side *hs,
			   struct side *as)
{
	pthread_t t;
	hs->w = h;
	as->w = a;
	cr_assert_eq(pthread_create(&t, NULL, run_side, as), 0);
	run_side(hs);
	pthread_join(t, NULL);
}

Test(agentwire_handshake, same_key_authenticates_both_ends)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct side hs = {.key = test_key('k')}, as = {.key = test_key('k')};
	handshake_both(&h, &a, &hs, &as);
	cr_assert_eq(hs.rc, 0, "%s", hs.err);
	cr_assert_eq(as.rc, 0, "%s", as.err);
	cr_assert(h.authenticated && a.authenticated);
	cr_assert_eq(memcmp(h.session, a.session, sizeof(h.session)), 0);
	cr_assert_eq(memcmp(h.nonce_a, a.nonce_a, sizeof(h.nonce_a)), 0);
	cr_assert_eq(send_text(&h, AW_DESCRIBE, ""), 0, "%s", err);
	expect_frame(&a, AW_DESCRIBE, "");
	cr_assert_eq(h.seq_out, 1, "the first frame after WELCOME is 0");
	unpair(&h, &a);
}

Test(agentwire_handshake, sessions_have_different_keys)
{
	unsigned char first[32];
	for (int i = 0; i < 2; i++) {
		struct agentwire h, a;
		pair(&h, &a, 0);
		struct side hs = {.key = test_key('k')}, as = {.key = test_key('k')};
		handshake_both(&h, &a, &hs, &as);
		cr_assert_eq(hs.rc, 0, "%s", hs.err);
		if (i == 0)
			memcpy(first, h.session, sizeof(first));
		else
			cr_assert_neq(memcmp(first, h.session, sizeof(first)), 0);
		unpair(&h, &a);
	}
}

Test(agentwire_handshake, wrong_key_is_auth_at_both_ends)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct side hs = {.key = test_key('k')}, as = {.key = test_key('j')};
	handshake_both(&h, &a, &hs, &as);
	cr_assert_eq(as.rc, -1);
	cr_assert_str_eq(as.why, "auth", "%s", as.err);
	cr_assert_eq(hs.rc, -1);
	cr_assert_str_eq(hs.why, "auth", "%s", hs.err);
	cr_assert_not_null(strstr(hs.err, "reason=auth"), "%s", hs.err);
	cr_assert(!h.authenticated && !a.authenticated);
	unpair(&h, &a);
}

/* What the header says the macs are, computed here on their own. */
static void mac_of(const struct agentwire_key *k, const char *label, const unsigned char *na,
		   const unsigned char *nh, unsigned char out[32])
{
	unsigned char msg[64 + 2 * AGENTWIRE_NONCE];
	size_t n = strlen(label);
	memcpy(msg, label, n);
	memcpy(msg + n, na, AGENTWIRE_NONCE);
	memcpy(msg + n + AGENTWIRE_NONCE, nh, AGENTWIRE_NONCE);
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, k->bytes, k->len);
	crypto_auth_hmacsha256_update(&st, msg, n + 2 * AGENTWIRE_NONCE);
	crypto_auth_hmacsha256_final(&st, out);
}

static void hex_of(const unsigned char *b, char *out)
{
	sodium_bin2hex(out, 65, b, 32);
}

/* Reads the agent's HELLO as a harness written from the header would. */
static void read_hello(struct agentwire *h, unsigned char na[32])
{
	struct agentwire_frame f;
	const char *why;
	char v[128];
	cr_assert_eq(agentwire_recv(h, 2.0, &f, &why, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.type, AW_HELLO);
	cr_assert_eq(agentwire_check(&f, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(agentwire_get(&f, "version", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "1");
	cr_assert_eq(agentwire_get(&f, "nonce", v, sizeof(v)), 0);
	cr_assert_eq(strlen(v), 64);
	size_t n;
	cr_assert_eq(sodium_hex2bin(na, 32, v, 64, NULL, &n, NULL), 0);
	agentwire_frame_free(&f);
}

static void send_auth(struct agentwire *h, const unsigned char nh[32], const unsigned char mac[32])
{
	char text[200], hn[65], hm[65];
	hex_of(nh, hn);
	hex_of(mac, hm);
	snprintf(text, sizeof(text), "nonce=%s\nmac=%s\n", hn, hm);
	cr_assert_eq(send_text(h, AW_AUTH, text), 0, "%s", err);
}

Test(agentwire_handshake, agent_follows_the_documented_macs)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct side as = {.key = test_key('k'), .w = &a};
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, run_side, &as), 0);
	unsigned char na[32], nh[32], mac[32], want[32], session[32];
	read_hello(&h, na);
	randombytes_buf(nh, sizeof(nh));
	mac_of(&as.key, "copyscope-agent 1 harness", na, nh, mac);
	send_auth(&h, nh, mac);
	struct agentwire_frame f;
	const char *why;
	cr_assert_eq(agentwire_recv(&h, 2.0, &f, &why, err, sizeof(err)), 0, "%s", err);
	pthread_join(t, NULL);
	cr_assert_eq(as.rc, 0, "%s", as.err);
	cr_assert_eq(f.type, AW_WELCOME);
	char v[128], hw[65];
	cr_assert_eq(agentwire_get(&f, "mac", v, sizeof(v)), 0);
	mac_of(&as.key, "copyscope-agent 1 agent", na, nh, want);
	hex_of(want, hw);
	cr_assert_str_eq(v, hw);
	agentwire_frame_free(&f);
	mac_of(&as.key, "copyscope-agent 1 session", na, nh, session);
	cr_assert_eq(memcmp(a.session, session, 32), 0);
	unpair(&h, &a);
}

Test(agentwire_handshake, auth_replayed_from_an_earlier_session_is_refused)
{
	struct agentwire_key key = test_key('k');
	unsigned char na[32], nh[32], mac[32];
	/* session 1: a genuine AUTH, recorded */
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct side as = {.key = key, .w = &a};
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, run_side, &as), 0);
	read_hello(&h, na);
	randombytes_buf(nh, sizeof(nh));
	mac_of(&key, "copyscope-agent 1 harness", na, nh, mac);
	send_auth(&h, nh, mac);
	pthread_join(t, NULL);
	cr_assert_eq(as.rc, 0, "%s", as.err);
	unpair(&h, &a);

	/* session 2: the same AUTH played back */
	pair(&h, &a, 0);
	struct side as2 = {.key = key, .w = &a};
	cr_assert_eq(pthread_create(&t, NULL, run_side, &as2), 0);
	unsigned char na2[32];
	read_hello(&h, na2);
	cr_assert_neq(memcmp(na, na2, 32), 0);
	send_auth(&h, nh, mac);
	struct agentwire_frame f;
	const char *why;
	cr_assert_eq(agentwire_recv(&h, 2.0, &f, &why, err, sizeof(err)), 0, "%s", err);
	pthread_join(t, NULL);
	cr_assert_eq(as2.rc, -1);
	cr_assert_str_eq(as2.why, "auth");
	cr_assert(!a.authenticated);
	cr_assert_eq(f.type, AW_ERROR, "untagged ERROR: there is no session key");
	char v[64];
	cr_assert_eq(agentwire_get(&f, "reason", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "auth");
	agentwire_frame_free(&f);
	unpair(&h, &a);
}

Test(agentwire_handshake, harness_refuses_another_protocol_version)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	cr_assert_eq(send_text(&a, AW_HELLO, "version=2\nnonce=00\nagent=9.9.9\nnew_key=1\n"), 0);
	struct side hs = {.key = test_key('k'), .w = &h};
	run_side(&hs);
	cr_assert_eq(hs.rc, -1);
	cr_assert_str_eq(hs.why, "version", "%s", hs.err);
	cr_assert_not_null(strstr(hs.err, "version 2"), "%s", hs.err);
	cr_assert_not_null(strstr(hs.err, "version 1"), "%s", hs.err);
	cr_assert_not_null(strstr(hs.err, "9.9.9"), "%s", hs.err);
	expect_frame(&a, AW_ERROR,
		     "reason=version\ndetail=this harness speaks agent protocol "
		     "version 1\n");
	unpair(&h, &a);
}

Test(agentwire_handshake, harness_refuses_a_welcome_of_another_key)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct side hs = {.key = test_key('k'), .w = &h};
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, run_side, &hs), 0);
	/* an impostor agent: takes any AUTH, answers with a made-up mac */
	unsigned char na[32], bogus[32];
	char text[200], hn[65];
	randombytes_buf(na, 32);
	hex_of(na, hn);
	snprintf(text, sizeof(text), "version=1\nnonce=%s\nagent=x\n", hn);
	cr_assert_eq(send_text(&a, AW_HELLO, text), 0);
	struct agentwire_frame f;
	const char *why;
	cr_assert_eq(agentwire_recv(&a, 2.0, &f, &why, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.type, AW_AUTH);
	agentwire_frame_free(&f);
	randombytes_buf(bogus, 32);
	hex_of(bogus, hn);
	snprintf(text, sizeof(text), "mac=%s\n", hn);
	cr_assert_eq(send_text(&a, AW_WELCOME, text), 0);
	pthread_join(t, NULL);
	cr_assert_eq(hs.rc, -1);
	cr_assert_str_eq(hs.why, "auth", "%s", hs.err);
	cr_assert(!h.authenticated);
	unpair(&h, &a);
}

Test(agentwire_handshake, malformed_hello_is_protocol)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	cr_assert_eq(send_text(&a, AW_HELLO, "version=1\nnonce=XYZ\nagent=x\n"), 0);
	struct side hs = {.key = test_key('k'), .w = &h};
	run_side(&hs);
	cr_assert_eq(hs.rc, -1);
	cr_assert_str_eq(hs.why, "protocol", "%s", hs.err);
	unpair(&h, &a);
}

Test(agentwire_handshake, agent_refuses_a_malformed_auth_with_error_protocol)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct side as = {.key = test_key('k'), .w = &a};
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, run_side, &as), 0);
	unsigned char na[32];
	read_hello(&h, na);
	cr_assert_eq(send_text(&h, AW_AUTH, "nonce=ABC\nmac=00\n"), 0, "%s", err);
	struct agentwire_frame f;
	const char *why;
	cr_assert_eq(agentwire_recv(&h, 2.0, &f, &why, err, sizeof(err)), 0, "%s", err);
	pthread_join(t, NULL);
	cr_assert_eq(as.rc, -1);
	cr_assert_str_eq(as.why, "protocol", "%s", as.err);
	cr_assert_eq(f.type, AW_ERROR);
	char v[256];
	cr_assert_eq(agentwire_get(&f, "reason", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "protocol");
	cr_assert_eq(agentwire_get(&f, "detail", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "AUTH: nonce and mac are 64 lowercase hex digits each",
			 "the detail does not name the reader's own peer");
	agentwire_frame_free(&f);
	unpair(&h, &a);
}

Test(agentwire_handshake, harness_sees_a_busy_agent_as_refused)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	agentwire_send_error(&a, "busy", "another harness's session is running");
	struct side hs = {.key = test_key('k'), .w = &h};
	run_side(&hs);
	cr_assert_eq(hs.rc, -1);
	cr_assert_str_eq(hs.why, "refused", "%s", hs.err);
	cr_assert_not_null(strstr(hs.err, "reason=busy detail=another harness's session"), "%s",
			   hs.err);
	unpair(&h, &a);
}

Test(agentwire_handshake, agent_that_never_speaks_is_a_timeout, .timeout = 20)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct side hs = {.key = test_key('k'), .w = &h};
	double t0 = now_s();
	run_side(&hs);
	cr_assert_eq(hs.rc, -1);
	cr_assert_str_eq(hs.why, "timeout", "%s", hs.err);
	cr_assert_geq(now_s() - t0, AGENTWIRE_HANDSHAKE_S);
	unpair(&h, &a);
}

Test(agentwire_handshake, harness_sees_a_stopped_or_timed_out_agent_as_such)
{
	static const char *const reasons[] = {"stopped", "timeout"};
	for (int i = 0; i < 2; i++) {
		struct agentwire h, a;
		pair(&h, &a, 0);
		agentwire_send_error(&a, reasons[i], "said by the agent");
		struct side hs = {.key = test_key('k'), .w = &h};
		run_side(&hs);
		cr_assert_eq(hs.rc, -1);
		cr_assert_str_eq(hs.why, reasons[i], "%s", hs.err);
		unpair(&h, &a);
	}
}

/* --- the agent's handshake in pieces ---------------------------------------- */

/* A frame's bytes, untagged, as a peer before authentication sends them. */
static size_t raw_frame(unsigned char *buf, int version, int type, const char *payload)
{
	size_t n = strlen(payload);
	buf[0] = 'C';
	buf[1] = 'S';
	buf[2] = (unsigned char)version;
	buf[3] = (unsigned char)type;
	buf[4] = (unsigned char)(n >> 24);
	buf[5] = (unsigned char)(n >> 16);
	buf[6] = (unsigned char)(n >> 8);
	buf[7] = (unsigned char)n;
	memcpy(buf + 8, payload, n);
	return 8 + n;
}

Test(agentwire_parse, takes_a_frame_byte_by_byte_saying_what_it_needs)
{
	unsigned char buf[128];
	size_t n = raw_frame(buf, 1, AW_AUTH, "nonce=ab\nmac=cd\n");
	buf[n] = 'X'; /* a byte of the next frame: not this one's */
	struct agentwire_frame f;
	const char *why = NULL;
	size_t used;
	for (size_t got = 0; got < n; got++) {
		cr_assert_eq(agentwire_frame_parse(buf, got, &used, &f, &why, err, sizeof(err)), 0);
		cr_assert_eq(used, got < 8 ? 8 : n, "at %zu bytes it asked for %zu", got, used);
		cr_assert_null(f.payload);
	}
	cr_assert_eq(agentwire_frame_parse(buf, n + 1, &used, &f, &why, err, sizeof(err)), 1, "%s",
		     err);
	cr_assert_eq(used, n);
	cr_assert_eq(f.type, AW_AUTH);
	cr_assert_str_eq(f.payload, "nonce=ab\nmac=cd\n");
	cr_assert_eq(agentwire_check(&f, err, sizeof(err)), 0, "%s", err);
	agentwire_frame_free(&f);
}

Test(agentwire_parse, refuses_on_the_header_alone)
{
	unsigned char buf[64];
	struct agentwire_frame f;
	const char *why = NULL;
	size_t used;
	raw_frame(buf, 2, AW_AUTH, "");
	cr_assert_eq(agentwire_frame_parse(buf, 8, &used, &f, &why, err, sizeof(err)), -1);
	cr_assert_str_eq(why, "version");
	raw_frame(buf, 1, 99, "");
	cr_assert_eq(agentwire_frame_parse(buf, 8, &used, &f, &why, err, sizeof(err)), -1);
	cr_assert_str_eq(why, "protocol");
	raw_frame(buf, 1, AW_AUTH, "");
	buf[0] = 'X';
	cr_assert_eq(agentwire_frame_parse(buf, 8, &used, &f, &why, err, sizeof(err)), -1);
	cr_assert_str_eq(why, "protocol");
	cr_assert_not_null(strstr(err, "magic"), "%s", err);
	raw_frame(buf, 1, AW_AUTH, "");
	buf[4] = 0x7f; /* far over AGENTWIRE_PAYLOAD_MAX */
	cr_assert_eq(agentwire_frame_parse(buf, 8, &used, &f, &why, err, sizeof(err)), -1);
	cr_assert_str_eq(why, "protocol");
	cr_assert_null(f.payload);
	size_t n = raw_frame(buf, 1, AW_AUTH, "a=b\n");
	buf[9] = '\0';
	cr_assert_eq(agentwire_frame_parse(buf, n, &used, &f, &why, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "NUL"), "%s", err);
}

/* The agent's pieces on a, an AUTH made here with key k on h: auth_check's rc. */
static int pieces_auth(struct agentwire *h, struct agentwire *a,
		       const struct agentwire_key *agent_key, char fill, const char *busy,
		       const char **why)
{
	cr_assert_eq(agentwire_hello_send(a, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(a->send_now, 1);
	unsigned char na[32], nh[32], mac[32];
	read_hello(h, na);
	cr_assert_eq(memcmp(na, a->nonce_a, 32), 0);
	randombytes_buf(nh, sizeof(nh));
	struct agentwire_key k = test_key(fill);
	mac_of(&k, "copyscope-agent 1 harness", na, nh, mac);
	char text[200], hn[65], hm[65];
	hex_of(nh, hn);
	hex_of(mac, hm);
	snprintf(text, sizeof(text), "nonce=%s\nmac=%s\n", hn, hm);
	unsigned char buf[256];
	size_t n = raw_frame(buf, 1, AW_AUTH, text), used;
	struct agentwire_frame f;
	cr_assert_eq(agentwire_frame_parse(buf, n, &used, &f, why, err, sizeof(err)), 1, "%s", err);
	int rc = agentwire_auth_check(a, agent_key, &f, busy, why, err, sizeof(err));
	agentwire_frame_free(&f);
	return rc;
}

static void expect_error(struct agentwire *h, const char *reason)
{
	struct agentwire_frame f;
	const char *why;
	char v[256];
	cr_assert_eq(agentwire_recv(h, 2.0, &f, &why, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.type, AW_ERROR, "%s", agentwire_type_name(f.type));
	cr_assert_eq(agentwire_get(&f, "reason", v, sizeof(v)), 0);
	cr_assert_str_eq(v, reason);
	agentwire_frame_free(&f);
}

Test(agentwire_pieces, right_mac_is_welcomed_and_the_session_begins)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct agentwire_key k = test_key('k');
	const char *why = NULL;
	cr_assert_eq(pieces_auth(&h, &a, &k, 'k', NULL, &why), 0, "%s", err);
	cr_assert(a.authenticated);
	cr_assert_eq(a.send_now, 0, "the session's sends may wait again");
	cr_assert_eq(a.seq_in, 0);
	cr_assert_eq(a.seq_out, 0);
	struct agentwire_frame f;
	cr_assert_eq(agentwire_recv(&h, 2.0, &f, &why, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(f.type, AW_WELCOME);
	agentwire_frame_free(&f);
	unpair(&h, &a);
}

Test(agentwire_pieces, wrong_mac_is_auth_even_when_busy)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct agentwire_key k = test_key('k');
	const char *why = NULL;
	cr_assert_eq(pieces_auth(&h, &a, &k, 'j', "a session is running", &why), -1);
	cr_assert_str_eq(why, "auth", "%s", err);
	cr_assert(!a.authenticated);
	expect_error(&h, "auth");
	unpair(&h, &a);
}

Test(agentwire_pieces, right_mac_while_busy_is_busy_not_welcome)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct agentwire_key k = test_key('k');
	const char *why = NULL;
	cr_assert_eq(pieces_auth(&h, &a, &k, 'k', "a session is running", &why), -1);
	cr_assert_str_eq(why, "busy", "%s", err);
	cr_assert(!a.authenticated);
	expect_error(&h, "busy");
	unpair(&h, &a);
}

Test(agentwire_pieces, a_frame_not_auth_is_protocol_and_an_error_gets_no_answer)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	struct agentwire_key k = test_key('k');
	const char *why = NULL;
	cr_assert_eq(agentwire_hello_send(&a, err, sizeof(err)), 0, "%s", err);
	unsigned char na[32];
	read_hello(&h, na);
	struct agentwire_frame f = {.type = AW_RUN, .payload = "impl=x\nwindow=1\n", .len = 16};
	cr_assert_eq(agentwire_auth_check(&a, &k, &f, NULL, &why, err, sizeof(err)), -1);
	cr_assert_str_eq(why, "protocol");
	expect_error(&h, "protocol");
	struct agentwire_frame e = {.type = AW_ERROR, .payload = "reason=version\n", .len = 15};
	cr_assert_eq(agentwire_auth_check(&a, &k, &e, NULL, &why, err, sizeof(err)), -1);
	cr_assert_str_eq(why, "version");
	/* nothing was answered to the ERROR */
	cr_assert_str_eq(recv_fails(&h, 0.2), "timeout");
	unpair(&h, &a);
}

Test(agentwire_pieces, hello_to_a_peer_that_makes_no_room_fails_at_once)
{
	struct agentwire h, a;
	pair(&h, &a, 0);
	int small = 4096;
	setsockopt(a.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	char junk[4096];
	memset(junk, 'j', sizeof(junk));
	while (send(a.fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		; /* the peer reads nothing: its buffer and ours are full */
	double t0 = now_s();
	cr_assert_eq(agentwire_hello_send(&a, err, sizeof(err)), -1);
	cr_assert_lt(now_s() - t0, 1.0, "it waited for room");
	cr_assert_not_null(strstr(err, "harness:2"), "%s", err);
	unpair(&h, &a);
}

/* --- key files ------------------------------------------------------------ */

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/agentwire-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void drop_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void expect_key_refused(const char *path, const char *fragment)
{
	struct agentwire_key k;
	err[0] = '\0';
	cr_assert_eq(agentwire_key_load(path, &k, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, path), "'%s' names no file", err);
	cr_assert_not_null(strstr(err, fragment), "'%s' lacks '%s'", err, fragment);
}

Test(agentwire_key, good_file_loads_less_its_newline, .init = make_dir, .fini = drop_dir)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/key", dir);
	write_file(path, "0123456789abcdef0123\n", 21, 0600);
	struct agentwire_key k;
	cr_assert_eq(agentwire_key_load(path, &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(k.len, 20);
	cr_assert_eq(memcmp(k.bytes, "0123456789abcdef0123", 20), 0);
	write_file(path, "0123456789abcdef", 16, 0400);
	cr_assert_eq(agentwire_key_load(path, &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(k.len, 16);
}

Test(agentwire_key, file_others_may_read_is_refused, .init = make_dir, .fini = drop_dir)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/key", dir);
	write_file(path, "0123456789abcdef0123\n", 21, 0644);
	expect_key_refused(path, "chmod 600");
	write_file(path, "0123456789abcdef0123\n", 21, 0620);
	expect_key_refused(path, "readable or writable by others");
}

Test(agentwire_key, short_long_missing_and_odd_files_are_refused, .init = make_dir,
     .fini = drop_dir)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/key", dir);
	write_file(path, "0123456789abcde\n", 16, 0600);
	expect_key_refused(path, "15 bytes of key");
	write_file(path, "", 0, 0600);
	expect_key_refused(path, "0 bytes of key");
	char *big = malloc(AGENTWIRE_KEYFILE_MAX + 1);
	memset(big, 'k', AGENTWIRE_KEYFILE_MAX + 1);
	write_file(path, big, AGENTWIRE_KEYFILE_MAX, 0600);
	struct agentwire_key k;
	cr_assert_eq(agentwire_key_load(path, &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(k.len, AGENTWIRE_KEYFILE_MAX);
	write_file(path, big, AGENTWIRE_KEYFILE_MAX + 1, 0600);
	expect_key_refused(path, "at most");
	free(big);
	snprintf(path, sizeof(path), "%s/none", dir);
	expect_key_refused(path, "No such file");
	expect_key_refused(dir, "not a regular file");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	expect_key_refused(path, "not a regular file");
}

Test(agentwire_key, new_key_is_0600_hex_and_loads, .init = make_dir, .fini = drop_dir)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/new.key", dir);
	mode_t old = umask(0);
	int rc = agentwire_key_new(path, err, sizeof(err));
	umask(old);
	cr_assert_eq(rc, 0, "%s", err);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(st.st_size, 65);
	struct agentwire_key k;
	cr_assert_eq(agentwire_key_load(path, &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(k.len, 64);
	for (size_t i = 0; i < k.len; i++)
		cr_assert(strchr("0123456789abcdef", k.bytes[i]) && k.bytes[i]);
	/* two keys differ */
	char path2[128];
	snprintf(path2, sizeof(path2), "%s/new2.key", dir);
	cr_assert_eq(agentwire_key_new(path2, err, sizeof(err)), 0, "%s", err);
	struct agentwire_key k2;
	cr_assert_eq(agentwire_key_load(path2, &k2, err, sizeof(err)), 0, "%s", err);
	cr_assert_neq(memcmp(k.bytes, k2.bytes, 64), 0);
}

Test(agentwire_key, new_key_never_replaces_a_file, .init = make_dir, .fini = drop_dir)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/key", dir);
	write_file(path, "precious\n", 9, 0600);
	err[0] = '\0';
	cr_assert_eq(agentwire_key_new(path, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, path), "%s", err);
	cr_assert_not_null(strstr(err, "exists"), "%s", err);
	char buf[16] = "";
	int fd = open(path, O_RDONLY);
	cr_assert_eq(read(fd, buf, sizeof(buf)), 9);
	close(fd);
	cr_assert_str_eq(buf, "precious\n");
}
