/* agentwire — frames, the handshake and the message table; see agentwire.h. */
#include "agentwire.h"

#include "errmsg.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const type_names[AW_TYPE_MAX + 1] = {
    [AW_HELLO] = "HELLO",   [AW_AUTH] = "AUTH",		[AW_WELCOME] = "WELCOME",
    [AW_ERROR] = "ERROR",   [AW_DESCRIBE] = "DESCRIBE", [AW_MACHINE] = "MACHINE",
    [AW_EVENTS] = "EVENTS", [AW_RUN] = "RUN",		[AW_LISTENING] = "LISTENING",
    [AW_BEGIN] = "BEGIN",   [AW_END] = "END",		[AW_STOP] = "STOP",
    [AW_OK] = "OK",	    [AW_TOTALS] = "TOTALS",	[AW_RESULT] = "RESULT",
};

/*
 * The keys each type takes, the table of agentwire.h in one place:
 * agentwire_check reads it. "[k]" is optional, "k.N" stands for k.0 ..
 * k.(LINES_MAX - 1).
 * MACHINE's "*" takes any key; EVENTS and TOTALS are text (NULL).
 */
static const char *const type_keys[AW_TYPE_MAX + 1] = {
    [AW_HELLO] = "version nonce agent",
    [AW_AUTH] = "nonce mac",
    [AW_WELCOME] = "mac",
    [AW_ERROR] = "reason [detail]",
    [AW_DESCRIBE] = "",
    [AW_MACHINE] = "*",
    [AW_EVENTS] = NULL,
    [AW_RUN] = "impl window [cpus] [thread_cpus]",
    [AW_LISTENING] = "port",
    [AW_BEGIN] = "",
    [AW_END] = "",
    [AW_STOP] = "",
    [AW_OK] = "",
    [AW_TOTALS] = NULL,
    [AW_RESULT] = "status [detail] [oncpu] [counter.N] [reason.N]",
};

const char *agentwire_type_name(int type)
{
	if (type < AW_HELLO || type > AW_TYPE_MAX)
		return "?";
	return type_names[type];
}

const char *agentwire_keys(int type)
{
	if (type < AW_HELLO || type > AW_TYPE_MAX)
		return NULL;
	return type_keys[type];
}

/* sodium_init() is idempotent and thread-safe; it fails only when the
 * system has no randomness source, which nothing here can work without. */
static int sodium_ready(char *err, size_t errlen)
{
	if (sodium_init() < 0)
		return errmsg_set(err, errlen,
				  "libsodium: cannot initialise (no randomness source?)");
	return 0;
}

/* --- keys ------------------------------------------------------------------ */

static int read_key_bytes(int fd, const char *path, struct agentwire_key *key, char *err,
			  size_t errlen)
{
	/* one byte more than the bound, to tell a file that grew past it */
	unsigned char buf[AGENTWIRE_KEYFILE_MAX + 1];
	size_t got = 0;
	while (got < sizeof(buf)) {
		ssize_t r = read(fd, buf + got, sizeof(buf) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errmsg_set(err, errlen, "key file %s: %s", path, strerror(errno));
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > AGENTWIRE_KEYFILE_MAX) {
		sodium_memzero(buf, sizeof(buf));
		return errmsg_set(err, errlen,
				  "key file %s: longer than %d bytes; a key file is at most that", path,
				  AGENTWIRE_KEYFILE_MAX);
	}
	if (got && buf[got - 1] == '\n')
		got--;
	if (got < AGENTWIRE_KEYFILE_MIN) {
		sodium_memzero(buf, sizeof(buf));
		return errmsg_set(err, errlen, "key file %s: %zu bytes of key; at least %d wanted", path,
				  got, AGENTWIRE_KEYFILE_MIN);
	}
	memcpy(key->bytes, buf, got);
	key->len = got;
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

int agentwire_key_load(const char *path, struct agentwire_key *key, char *err, size_t errlen)
{
	memset(key, 0, sizeof(*key));
	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errmsg_set(err, errlen, "key file %s: %s", path, strerror(errno));
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) < 0)
		errmsg_set(err, errlen, "key file %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		errmsg_set(err, errlen, "key file %s: not a regular file", path);
	else if (st.st_mode & 077)
		errmsg_set(err, errlen, "key file %s: readable or writable by others; chmod 600 %s", path,
			   path);
	else if (st.st_size > AGENTWIRE_KEYFILE_MAX)
		errmsg_set(err, errlen, "key file %s: %lld bytes; a key file is at most %d", path,
			   (long long)st.st_size, AGENTWIRE_KEYFILE_MAX);
	else
		rc = read_key_bytes(fd, path, key, err, errlen);
	close(fd);
	return rc;
}

int agentwire_key_new(const char *path, char *err, size_t errlen)
{
	if (sodium_ready(err, errlen) < 0)
		return -1;
	unsigned char raw[32];
	char text[2 * sizeof(raw) + 2];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(text, sizeof(text), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	size_t n = strlen(text);
	text[n++] = '\n';

	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return errmsg_set(err, errlen, "%s: %s", path,
				  errno == EEXIST ? "exists; a new key never replaces one"
						  : strerror(errno));
	int rc = 0;
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, text + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = errmsg_set(err, errlen, "%s: %s", path,
					w < 0 ? strerror(errno) : "short write");
			break;
		}
		done += (size_t)w;
	}
	if (close(fd) < 0 && rc == 0)
		rc = errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
	sodium_memzero(text, sizeof(text));
	if (rc < 0)
		unlink(path); /* no half-written key left for a later load to take */
	return rc;
}

/* --- frames ------------------------------------------------------------------ */

void agentwire_init(struct agentwire *w, int fd, int is_agent, const char *peer)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->is_agent = is_agent;
	snprintf(w->peer, sizeof(w->peer), "%s", peer && peer[0] ? peer : "peer");
	/* libsodium wants initialising before use; should it fail, the handshake
	 * asks again (sodium_ready) and says so */
	if (sodium_init() < 0)
		return;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Waits until fd is ready for events or deadline passes: 1, 0 (time-out), -1 (errno). */
static int wait_fd(int fd, short events, double deadline)
{
	for (;;) {
		double left = deadline - now_s();
		/* rounded up, so that a wake-up never comes before the deadline;
		 * capped, so that the conversion stays within an int */
		int ms = left <= 0 ? 0 : left > 1e6 ? 1000000000 : (int)(left * 1000.0) + 1;
		struct pollfd p = {.fd = fd, .events = events};
		int rc = poll(&p, 1, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -1;
		if (rc > 0)
			return 1;
		if (ms == 0 || now_s() >= deadline)
			return 0;
	}
}

static unsigned char dir_out(const struct agentwire *w)
{
	return w->is_agent ? 'A' : 'H';
}

static unsigned char dir_in(const struct agentwire *w)
{
	return w->is_agent ? 'H' : 'A';
}

static void frame_tag(const struct agentwire *w, unsigned char dir, uint64_t seq,
		      const unsigned char *hdr, const void *payload, size_t len,
		      unsigned char out[AGENTWIRE_TAG])
{
	unsigned char pre[9];
	pre[0] = dir;
	for (int i = 0; i < 8; i++)
		pre[1 + i] = (unsigned char)(seq >> (56 - 8 * i));
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, w->session, sizeof(w->session));
	crypto_auth_hmacsha256_update(&st, pre, sizeof(pre));
	crypto_auth_hmacsha256_update(&st, hdr, AGENTWIRE_HEADER);
	if (len)
		crypto_auth_hmacsha256_update(&st, payload, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

static void put_header(unsigned char *hdr, int type, size_t len)
{
	hdr[0] = 'C';
	hdr[1] = 'S';
	hdr[2] = AGENTWIRE_VERSION;
	hdr[3] = (unsigned char)type;
	hdr[4] = (unsigned char)(len >> 24);
	hdr[5] = (unsigned char)(len >> 16);
	hdr[6] = (unsigned char)(len >> 8);
	hdr[7] = (unsigned char)len;
}

/* Sends all of buf, waiting for room at most until deadline. */
static int send_whole(struct agentwire *w, const unsigned char *buf, size_t len, double deadline,
		      char *err, size_t errlen)
{
	while (len) {
		ssize_t s = send(w->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (s > 0) {
			buf += s;
			len -= (size_t)s;
			continue;
		}
		if (s < 0 && errno == EINTR)
			continue;
		if (s < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && w->send_now)
			return errmsg_set(err, errlen, "%s: makes no room for %zu bytes at once",
					  w->peer, len);
		if (s < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int rc = wait_fd(w->fd, POLLOUT, deadline);
			if (rc < 0)
				return errmsg_set(err, errlen, "%s: %s", w->peer, strerror(errno));
			if (rc == 0)
				return errmsg_set(err, errlen, "%s: takes no data for %g s",
						  w->peer, AGENTWIRE_SEND_S);
			continue;
		}
		if (s < 0 && (errno == EPIPE || errno == ECONNRESET))
			return errmsg_set(err, errlen, "%s: closed the connection", w->peer);
		return errmsg_set(err, errlen, "%s: %s", w->peer,
				  s < 0 ? strerror(errno) : "send wrote nothing");
	}
	return 0;
}

int agentwire_send(struct agentwire *w, int type, const char *payload, size_t len, char *err,
		   size_t errlen)
{
	if (type < AW_HELLO || type > AW_TYPE_MAX)
		return errmsg_set(err, errlen, "%s: cannot send a frame of type %d", w->peer, type);
	if (len > AGENTWIRE_PAYLOAD_MAX)
		return errmsg_set(err, errlen, "%s: %s of %zu bytes; at most %u", w->peer,
				  agentwire_type_name(type), len, AGENTWIRE_PAYLOAD_MAX);
	if (len && memchr(payload, '\0', len))
		return errmsg_set(err, errlen, "%s: %s with a NUL byte", w->peer,
				  agentwire_type_name(type));
	size_t total = AGENTWIRE_HEADER + len + (w->authenticated ? AGENTWIRE_TAG : 0);
	unsigned char *buf = malloc(total);
	if (!buf)
		return errmsg_set(err, errlen, "%s: out of memory", w->peer);
	put_header(buf, type, len);
	if (len)
		memcpy(buf + AGENTWIRE_HEADER, payload, len);
	if (w->authenticated)
		frame_tag(w, dir_out(w), w->seq_out, buf, payload, len,
			  buf + AGENTWIRE_HEADER + len);
	int rc = send_whole(w, buf, total, now_s() + AGENTWIRE_SEND_S, err, errlen);
	free(buf);
	if (rc == 0 && w->authenticated)
		w->seq_out++;
	return rc;
}

enum read_end { READ_OK, READ_EOF, READ_TIMEOUT, READ_ERROR };

/* Reads all len bytes by deadline; *got says how many came before it ended. */
static enum read_end read_whole(int fd, unsigned char *buf, size_t len, double deadline,
				size_t *got)
{
	*got = 0;
	while (*got < len) {
		int rc = wait_fd(fd, POLLIN, deadline);
		if (rc < 0)
			return READ_ERROR;
		if (rc == 0)
			return READ_TIMEOUT;
		ssize_t r = read(fd, buf + *got, len - *got);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r < 0)
			return errno == ECONNRESET ? READ_EOF : READ_ERROR;
		if (r == 0)
			return READ_EOF;
		*got += (size_t)r;
	}
	return READ_OK;
}

/*
 * Reads one piece of a frame (what names it in messages). started: whether
 * bytes of this frame came before, so that an end here is a cut frame
 * ("protocol") rather than a closed connection ("closed").
 */
static int read_part(struct agentwire *w, unsigned char *buf, size_t len, double deadline,
		     double timeout_s, int started, const char *what, const char **why, char *err,
		     size_t errlen)
{
	size_t got;
	switch (read_whole(w->fd, buf, len, deadline, &got)) {
	case READ_OK:
		return 0;
	case READ_TIMEOUT:
		*why = "timeout";
		return errmsg_set(err, errlen, "%s: no %s within %g s (%zu of %zu bytes came)",
				  w->peer, what, timeout_s, got, len);
	case READ_EOF:
		if (!started && got == 0) {
			*why = "closed";
			return errmsg_set(err, errlen, "%s: closed the connection", w->peer);
		}
		*why = "protocol";
		return errmsg_set(err, errlen,
				  "%s: closed the connection inside a frame (%zu of %zu bytes of "
				  "its %s)",
				  w->peer, got, len, what);
	case READ_ERROR:
		break;
	}
	*why = "closed";
	return errmsg_set(err, errlen, "%s: %s", w->peer, strerror(errno));
}

/* Checks the 8 header bytes; the payload's length into *len. peer: the
 * messages' first word ("PEER: "), none when NULL. */
static int check_header(const char *peer, const unsigned char *hdr, size_t *len, const char **why,
			char *err, size_t errlen)
{
	const char *sep = peer ? ": " : "";
	peer = peer ? peer : "";
	*why = "protocol";
	if (hdr[0] != 'C' || hdr[1] != 'S')
		return errmsg_set(err, errlen, "%s%snot a copyscope agent frame (magic %02x %02x)",
				  peer, sep, hdr[0], hdr[1]);
	if (hdr[2] != AGENTWIRE_VERSION) {
		*why = "version";
		return errmsg_set(err, errlen,
				  "%s%sspeaks agent protocol version %u, this end version %d", peer,
				  sep, hdr[2], AGENTWIRE_VERSION);
	}
	if (hdr[3] < AW_HELLO || hdr[3] > AW_TYPE_MAX)
		return errmsg_set(err, errlen, "%s%sframe type %u is no message type", peer, sep,
				  hdr[3]);
	uint32_t n = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 |
		     (uint32_t)hdr[7];
	if (n > AGENTWIRE_PAYLOAD_MAX)
		return errmsg_set(err, errlen, "%s%s%s of %u bytes; at most %u", peer, sep,
				  agentwire_type_name(hdr[3]), (unsigned)n, AGENTWIRE_PAYLOAD_MAX);
	*len = n;
	return 0;
}

int agentwire_recv(struct agentwire *w, double timeout_s, struct agentwire_frame *f,
		   const char **why, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	double deadline = now_s() + timeout_s;
	unsigned char hdr[AGENTWIRE_HEADER];
	size_t len = 0;
	if (read_part(w, hdr, sizeof(hdr), deadline, timeout_s, 0, "frame", why, err, errlen) < 0)
		return -1;
	if (check_header(w->peer, hdr, &len, why, err, errlen) < 0)
		return -1;
	int type = hdr[3];
	unsigned char *payload = malloc(len + 1);
	if (!payload) {
		*why = "protocol";
		return errmsg_set(err, errlen, "%s: out of memory for %zu bytes", w->peer, len);
	}
	if (read_part(w, payload, len, deadline, timeout_s, 1, "payload", why, err, errlen) < 0)
		goto fail;
	payload[len] = '\0';
	if (w->authenticated) {
		unsigned char tag[AGENTWIRE_TAG], want[AGENTWIRE_TAG];
		if (read_part(w, tag, sizeof(tag), deadline, timeout_s, 1, "tag", why, err,
			      errlen) < 0)
			goto fail;
		frame_tag(w, dir_in(w), w->seq_in, hdr, payload, len, want);
		if (sodium_memcmp(tag, want, sizeof(tag)) != 0) {
			*why = "tag";
			errmsg_set(err, errlen,
				   "%s: %s frame %llu: its tag does not match (altered, replayed "
				   "or out of order)",
				   w->peer, agentwire_type_name(type),
				   (unsigned long long)w->seq_in);
			goto fail;
		}
	}
	if (memchr(payload, '\0', len)) {
		*why = "protocol";
		errmsg_set(err, errlen, "%s: %s with a NUL byte", w->peer,
			   agentwire_type_name(type));
		goto fail;
	}
	if (w->authenticated)
		w->seq_in++;
	f->type = type;
	f->payload = (char *)payload;
	f->len = len;
	return 0;
fail:
	free(payload);
	return -1;
}

void agentwire_frame_free(struct agentwire_frame *f)
{
	if (!f)
		return;
	free(f->payload);
	f->payload = NULL;
	f->len = 0;
}

int agentwire_frame_parse(const void *buf, size_t len, size_t *used, struct agentwire_frame *f,
			  const char **why, char *err, size_t errlen)
{
	const unsigned char *b = buf;
	size_t plen = 0;
	memset(f, 0, sizeof(*f));
	*used = AGENTWIRE_HEADER;
	if (len < AGENTWIRE_HEADER)
		return 0;
	if (check_header(NULL, b, &plen, why, err, errlen) < 0)
		return -1;
	*used = AGENTWIRE_HEADER + plen;
	if (len < *used)
		return 0;
	const unsigned char *payload = b + AGENTWIRE_HEADER;
	if (memchr(payload, '\0', plen)) {
		*why = "protocol";
		return errmsg_set(err, errlen, "%s with a NUL byte", agentwire_type_name(b[3]));
	}
	char *copy = malloc(plen + 1);
	if (!copy) {
		*why = "protocol";
		return errmsg_set(err, errlen, "out of memory for %zu bytes", plen);
	}
	memcpy(copy, payload, plen);
	copy[plen] = '\0';
	f->type = b[3];
	f->payload = copy;
	f->len = plen;
	return 1;
}

/* --- payloads ------------------------------------------------------------- */

struct kv_line {
	const char *key;
	size_t klen;
	unsigned line;
};

static int key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static int value_char(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

static int cmp_line(const void *a, const void *b)
{
	const struct kv_line *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Whether key (klen bytes) is "stem.N", N a decimal below LINES_MAX without
 * leading zeros. */
static int indexed_key(const char *key, size_t klen, const char *stem, size_t slen)
{
	if (klen <= slen + 1 || memcmp(key, stem, slen) != 0 || key[slen] != '.')
		return 0;
	const char *d = key + slen + 1;
	size_t nd = klen - slen - 1;
	if (nd > 4 || (d[0] == '0' && nd > 1))
		return 0;
	unsigned v = 0;
	for (size_t i = 0; i < nd; i++) {
		if (d[i] < '0' || d[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(d[i] - '0');
	}
	return v < AGENTWIRE_LINES_MAX;
}

/* Whether the table entry spec (a token, brackets stripped) names key. */
static int token_names(const char *tok, size_t tlen, const char *key, size_t klen)
{
	if (tlen > 2 && tok[tlen - 2] == '.' && tok[tlen - 1] == 'N')
		return indexed_key(key, klen, tok, tlen - 2);
	return tlen == klen && memcmp(tok, key, klen) == 0;
}

/* Walks the table's tokens of spec: each with its optional flag. */
static const char *next_token(const char *s, const char **tok, size_t *tlen, int *optional)
{
	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	const char *e = s;
	while (*e && *e != ' ')
		e++;
	*optional = *s == '[';
	*tok = s + *optional;
	*tlen = (size_t)(e - s) - (size_t)(*optional ? 2 : 0);
	return e;
}

static int spec_takes(const char *spec, const char *key, size_t klen)
{
	const char *tok;
	size_t tlen;
	int opt;
	for (const char *s = spec; (s = next_token(s, &tok, &tlen, &opt));)
		if (token_names(tok, tlen, key, klen))
			return 1;
	return 0;
}

/* Splits the payload into lines and checks each one's syntax and bounds. */
static int split_lines(const struct agentwire_frame *f, struct kv_line *lines, size_t *n, char *err,
		       size_t errlen)
{
	const char *tn = agentwire_type_name(f->type);
	const char *p = f->payload, *end = f->payload + f->len;
	*n = 0;
	while (p < end) {
		unsigned ln = (unsigned)*n + 1;
		if (*n == AGENTWIRE_LINES_MAX)
			return errmsg_set(err, errlen, "%s line %u: more than %d lines", tn, ln,
					  AGENTWIRE_LINES_MAX);
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return errmsg_set(err, errlen, "%s line %u: no newline at its end", tn, ln);
		const char *eq = memchr(p, '=', (size_t)(nl - p));
		if (!eq)
			return errmsg_set(err, errlen, "%s line %u: not key=value", tn, ln);
		size_t klen = (size_t)(eq - p), vlen = (size_t)(nl - eq - 1);
		if (klen < 1 || klen > AGENTWIRE_KEY_MAX)
			return errmsg_set(err, errlen, "%s line %u: a key of %zu bytes; 1..%d", tn,
					  ln, klen, AGENTWIRE_KEY_MAX);
		for (size_t i = 0; i < klen; i++)
			if (!key_char((unsigned char)p[i]))
				return errmsg_set(err, errlen,
						  "%s line %u: byte 0x%02x in a key; keys are "
						  "[a-z0-9_.]",
						  tn, ln, (unsigned char)p[i]);
		if (vlen > AGENTWIRE_VALUE_MAX)
			return errmsg_set(err, errlen,
					  "%s line %u: %.*s's value of %zu bytes; at "
					  "most %d",
					  tn, ln, (int)klen, p, vlen, AGENTWIRE_VALUE_MAX);
		for (size_t i = 0; i < vlen; i++)
			if (!value_char((unsigned char)eq[1 + i]))
				return errmsg_set(err, errlen,
						  "%s line %u: byte 0x%02x in %.*s's value; values "
						  "are 0x20..0x7e",
						  tn, ln, (unsigned char)eq[1 + i], (int)klen, p);
		lines[*n] = (struct kv_line){.key = p, .klen = klen, .line = ln};
		(*n)++;
		p = nl + 1;
	}
	return 0;
}

static int check_keys(const struct agentwire_frame *f, const char *spec,
		      const struct kv_line *lines, size_t n, char *err, size_t errlen)
{
	const char *tn = agentwire_type_name(f->type);
	int any = strcmp(spec, "*") == 0;
	for (size_t i = 0; !any && i < n; i++)
		if (!spec_takes(spec, lines[i].key, lines[i].klen))
			return errmsg_set(err, errlen,
					  "%s line %u: %.*s is not one of its keys (%s)", tn,
					  lines[i].line, (int)lines[i].klen, lines[i].key,
					  spec[0] ? spec : "none");
	const char *tok;
	size_t tlen;
	int opt;
	for (const char *s = spec; !any && (s = next_token(s, &tok, &tlen, &opt));) {
		if (opt)
			continue;
		size_t i = 0;
		while (i < n && !token_names(tok, tlen, lines[i].key, lines[i].klen))
			i++;
		if (i == n)
			return errmsg_set(err, errlen, "%s: no %.*s line", tn, (int)tlen, tok);
	}
	return 0;
}

int agentwire_check(const struct agentwire_frame *f, char *err, size_t errlen)
{
	if (f->type < AW_HELLO || f->type > AW_TYPE_MAX)
		return errmsg_set(err, errlen, "frame type %d is no message type", f->type);
	if (f->len > AGENTWIRE_PAYLOAD_MAX || (f->len && !f->payload))
		return errmsg_set(err, errlen, "%s: a payload of %zu bytes",
				  agentwire_type_name(f->type), f->len);
	if (f->len && memchr(f->payload, '\0', f->len))
		return errmsg_set(err, errlen, "%s: a NUL byte", agentwire_type_name(f->type));
	const char *spec = type_keys[f->type];
	if (!spec)
		return 0; /* text */
	struct kv_line *lines = malloc(AGENTWIRE_LINES_MAX * sizeof(*lines));
	if (!lines)
		return errmsg_set(err, errlen, "%s: out of memory", agentwire_type_name(f->type));
	size_t n;
	int rc = split_lines(f, lines, &n, err, errlen);
	if (rc == 0 && n > 1) {
		/* sorted by key, then line: a key twice sits next to itself */
		qsort(lines, n, sizeof(*lines), cmp_line);
		for (size_t i = 1; i < n && rc == 0; i++)
			if (lines[i].klen == lines[i - 1].klen &&
			    memcmp(lines[i].key, lines[i - 1].key, lines[i].klen) == 0)
				rc =
				    errmsg_set(err, errlen,
					       "%s line %u: %.*s a second time (first on line %u)",
					       agentwire_type_name(f->type), lines[i].line,
					       (int)lines[i].klen, lines[i].key, lines[i - 1].line);
	}
	if (rc == 0)
		rc = check_keys(f, spec, lines, n, err, errlen);
	free(lines);
	return rc;
}

int agentwire_get(const struct agentwire_frame *f, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	if (!f->payload || !klen || !len)
		return -1;
	const char *p = f->payload, *end = f->payload + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if ((size_t)(e - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t vlen = (size_t)(e - p) - klen - 1;
			if (vlen >= len)
				return -1;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return 0;
		}
		p = e + 1;
	}
	return -1;
}

int agentwire_put(char *buf, size_t len, size_t *used, const char *key, const char *fmt, ...)
{
	size_t klen = strlen(key);
	if (klen < 1 || klen > AGENTWIRE_KEY_MAX || *used >= len)
		return -1;
	for (size_t i = 0; i < klen; i++)
		if (!key_char((unsigned char)key[i]))
			return -1;
	char value[AGENTWIRE_VALUE_MAX + 1];
	va_list ap;
	va_start(ap, fmt);
	int vn = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (vn < 0 || (size_t)vn > AGENTWIRE_VALUE_MAX)
		return -1;
	for (int i = 0; i < vn; i++)
		if (!value_char((unsigned char)value[i]))
			return -1;
	/* key '=' value '\n' and the NUL */
	if (len - *used < klen + (size_t)vn + 3)
		return -1;
	char *p = buf + *used;
	memcpy(p, key, klen);
	p[klen] = '=';
	memcpy(p + klen + 1, value, (size_t)vn);
	p[klen + 1 + (size_t)vn] = '\n';
	p[klen + 2 + (size_t)vn] = '\0';
	*used += klen + (size_t)vn + 2;
	return 0;
}

/* A copy of s with bytes outside 0x20..0x7e as '?', cut to fit out. */
static void printable(char *out, size_t len, const char *s)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < len; i++)
		out[i] = value_char((unsigned char)s[i]) ? s[i] : '?';
	out[i] = '\0';
}

void agentwire_send_error(struct agentwire *w, const char *reason, const char *detail)
{
	char r[AGENTWIRE_VALUE_MAX + 1], d[AGENTWIRE_VALUE_MAX + 1];
	char buf[2 * AGENTWIRE_VALUE_MAX + 64];
	size_t used = 0;
	char err[256];
	printable(r, sizeof(r), reason && reason[0] ? reason : "error");
	buf[0] = '\0';
	if (agentwire_put(buf, sizeof(buf), &used, "reason", "%s", r) < 0)
		return;
	if (detail) {
		printable(d, sizeof(d), detail);
		(void)agentwire_put(buf, sizeof(buf), &used, "detail", "%s", d);
	}
	(void)agentwire_send(w, AW_ERROR, buf, used, err, sizeof(err));
}

/* --- the handshake --------------------------------------------------------- */

static void handshake_mac(const struct agentwire_key *key, const char *label,
			  const unsigned char *na, const unsigned char *nh, unsigned char out[32])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key->bytes, key->len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
	crypto_auth_hmacsha256_update(&st, na, AGENTWIRE_NONCE);
	crypto_auth_hmacsha256_update(&st, nh, AGENTWIRE_NONCE);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

#define STR_(x)	      #x
#define STR(x)	      STR_(x)
#define VERSION_TEXT  STR(AGENTWIRE_VERSION)
#define LABEL_HARNESS "copyscope-agent " VERSION_TEXT " harness"
#define LABEL_AGENT   "copyscope-agent " VERSION_TEXT " agent"
#define LABEL_SESSION "copyscope-agent " VERSION_TEXT " session"
#define VERSION_SAID  "this harness speaks agent protocol version " VERSION_TEXT

/* 32 bytes from exactly 64 lowercase hex digits: 0 or -1. */
static int hex32(const char *hex, unsigned char out[32])
{
	if (strlen(hex) != 64)
		return -1;
	for (int i = 0; i < 64; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return -1;
	size_t n = 0;
	if (sodium_hex2bin(out, 32, hex, 64, NULL, &n, NULL) != 0 || n != 32)
		return -1;
	return 0;
}

/* err less its leading "PEER: ", as the detail of an ERROR to that peer. */
static const char *unpeered(const struct agentwire *w, const char *err)
{
	size_t n = strlen(w->peer);
	if (strncmp(err, w->peer, n) == 0 && err[n] == ':' && err[n + 1] == ' ')
		return err + n + 2;
	return err;
}

/* The why of an ERROR received during the handshake, by its reason: the
 * reasons a caller acts on keep their name, any other is a refusal. */
static const char *refusal_why(const char *reason)
{
	static const char *const kept[] = {"auth", "version", "stopped", "timeout"};
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (strcmp(reason, kept[i]) == 0)
			return kept[i];
	return "refused";
}

/* Checks the frame the handshake expects next: want, or ERROR turned into
 * *why. The frame is freed on -1. */
static int check_step(struct agentwire *w, int want, struct agentwire_frame *f, const char **why,
		      char *err, size_t errlen)
{
	if (f->type == AW_ERROR && want != AW_ERROR) {
		char reason[64] = "", detail[256] = "";
		(void)agentwire_get(f, "reason", reason, sizeof(reason));
		(void)agentwire_get(f, "detail", detail, sizeof(detail));
		printable(reason, sizeof(reason), reason);
		printable(detail, sizeof(detail), detail);
		*why = refusal_why(reason);
		errmsg_set(err, errlen, "%s: refused the session (reason=%s%s%s)", w->peer,
			   reason[0] ? reason : "?", detail[0] ? " detail=" : "", detail);
		agentwire_frame_free(f);
		return -1;
	}
	if (f->type != want) {
		*why = "protocol";
		errmsg_set(err, errlen, "%s: %s where %s was due", w->peer,
			   agentwire_type_name(f->type), agentwire_type_name(want));
		agentwire_frame_free(f);
		return -1;
	}
	char version[16], msg[256];
	if (f->type == AW_HELLO && agentwire_get(f, "version", version, sizeof(version)) == 0 &&
	    strcmp(version, VERSION_TEXT) != 0) {
		/* before the keys: another version may well take others */
		char agent[64] = "";
		(void)agentwire_get(f, "agent", agent, sizeof(agent));
		printable(version, sizeof(version), version);
		printable(agent, sizeof(agent), agent);
		*why = "version";
		errmsg_set(err, errlen,
			   "%s: the agent (copyscope %s) speaks protocol version %s, this harness "
			   "version %d",
			   w->peer, agent[0] ? agent : "?", version, AGENTWIRE_VERSION);
		agentwire_frame_free(f);
		return -1;
	}
	if (agentwire_check(f, msg, sizeof(msg)) < 0) {
		*why = "protocol";
		errmsg_set(err, errlen, "%s: %s", w->peer, msg);
		agentwire_frame_free(f);
		return -1;
	}
	return 0;
}

/* Reads the frame the handshake expects next (check_step). */
static int recv_step(struct agentwire *w, int want, struct agentwire_frame *f, const char **why,
		     char *err, size_t errlen)
{
	if (agentwire_recv(w, AGENTWIRE_HANDSHAKE_S, f, why, err, errlen) < 0)
		return -1;
	return check_step(w, want, f, why, err, errlen);
}

static void start_session(struct agentwire *w, const struct agentwire_key *key,
			  const unsigned char *na, const unsigned char *nh)
{
	handshake_mac(key, LABEL_SESSION, na, nh, w->session);
	w->authenticated = 1;
	w->seq_in = w->seq_out = 0;
}

int agentwire_hello_send(struct agentwire *w, char *err, size_t errlen)
{
	char hex[2 * AGENTWIRE_NONCE + 1], buf[512];
	size_t used = 0;
	if (sodium_ready(err, errlen) < 0)
		return -1;
	w->authenticated = 0;
	w->seq_in = w->seq_out = 0;
	w->send_now = 1;
	randombytes_buf(w->nonce_a, sizeof(w->nonce_a));
	sodium_bin2hex(hex, sizeof(hex), w->nonce_a, sizeof(w->nonce_a));
	buf[0] = '\0';
	agentwire_put(buf, sizeof(buf), &used, "version", "%d", AGENTWIRE_VERSION);
	agentwire_put(buf, sizeof(buf), &used, "nonce", "%s", hex);
	agentwire_put(buf, sizeof(buf), &used, "agent", "%s", COPYSCOPE_VERSION);
	return agentwire_send(w, AW_HELLO, buf, used, err, errlen);
}

/* AUTH's nonce and mac, checked against the key: 0, or -1 with ERROR sent. */
static int auth_verify(struct agentwire *w, const struct agentwire_key *key,
		       const struct agentwire_frame *f, unsigned char nh[AGENTWIRE_NONCE],
		       const char **why, char *err, size_t errlen)
{
	unsigned char mac[32], want[32];
	char nonce_hex[AGENTWIRE_VALUE_MAX + 1] = "", mac_hex[AGENTWIRE_VALUE_MAX + 1] = "";
	agentwire_get(f, "nonce", nonce_hex, sizeof(nonce_hex));
	agentwire_get(f, "mac", mac_hex, sizeof(mac_hex));
	if (hex32(nonce_hex, nh) < 0 || hex32(mac_hex, mac) < 0) {
		*why = "protocol";
		errmsg_set(err, errlen, "%s: AUTH: nonce and mac are 64 lowercase hex digits each",
			   w->peer);
		agentwire_send_error(w, "protocol", unpeered(w, err));
		return -1;
	}
	handshake_mac(key, LABEL_HARNESS, w->nonce_a, nh, want);
	if (sodium_memcmp(mac, want, sizeof(mac)) != 0) {
		*why = "auth";
		agentwire_send_error(w, "auth", "the harness's key is not this agent's");
		return errmsg_set(err, errlen, "%s: AUTH with another key (or replayed); refused",
				  w->peer);
	}
	return 0;
}

int agentwire_auth_check(struct agentwire *w, const struct agentwire_key *key,
			 const struct agentwire_frame *f, const char *busy, const char **why,
			 char *err, size_t errlen)
{
	unsigned char nh[AGENTWIRE_NONCE], mac[32];
	char hex[2 * AGENTWIRE_NONCE + 1], buf[128];
	*why = "protocol";
	if (sodium_ready(err, errlen) < 0)
		return -1;
	if (key->len < AGENTWIRE_KEYFILE_MIN || key->len > AGENTWIRE_KEYFILE_MAX) {
		*why = "auth";
		return errmsg_set(err, errlen, "a key of %zu bytes; %d..%d", key->len,
				  AGENTWIRE_KEYFILE_MIN, AGENTWIRE_KEYFILE_MAX);
	}
	/* check_step frees what it refuses: it works on a copy of the caller's */
	struct agentwire_frame copy = {.type = f->type, .len = f->len};
	if (!(copy.payload = malloc(f->len + 1))) {
		*why = "protocol";
		return errmsg_set(err, errlen, "%s: out of memory", w->peer);
	}
	if (f->len)
		memcpy(copy.payload, f->payload, f->len);
	copy.payload[f->len] = '\0';
	if (check_step(w, AW_AUTH, &copy, why, err, errlen) < 0) {
		/* an ERROR ended it: nothing to answer */
		if (f->type != AW_ERROR &&
		    (strcmp(*why, "protocol") == 0 || strcmp(*why, "version") == 0))
			agentwire_send_error(w, *why, unpeered(w, err));
		return -1;
	}
	int rc = auth_verify(w, key, &copy, nh, why, err, errlen);
	agentwire_frame_free(&copy);
	if (rc < 0)
		return -1;
	if (busy) {
		*why = "busy";
		agentwire_send_error(w, "busy", busy);
		return errmsg_set(err, errlen, "%s: busy: %s", w->peer, busy);
	}
	handshake_mac(key, LABEL_AGENT, w->nonce_a, nh, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	size_t used = 0;
	buf[0] = '\0';
	agentwire_put(buf, sizeof(buf), &used, "mac", "%s", hex);
	if (agentwire_send(w, AW_WELCOME, buf, used, err, errlen) < 0) {
		*why = "closed";
		return -1;
	}
	w->send_now = 0;
	start_session(w, key, w->nonce_a, nh);
	return 0;
}

static int agent_handshake(struct agentwire *w, const struct agentwire_key *key, const char **why,
			   char *err, size_t errlen)
{
	if (agentwire_hello_send(w, err, errlen) < 0) {
		*why = "closed";
		return -1;
	}
	struct agentwire_frame f;
	if (agentwire_recv(w, AGENTWIRE_HANDSHAKE_S, &f, why, err, errlen) < 0) {
		if (strcmp(*why, "protocol") == 0 || strcmp(*why, "version") == 0)
			agentwire_send_error(w, *why, unpeered(w, err));
		return -1;
	}
	int rc = agentwire_auth_check(w, key, &f, NULL, why, err, errlen);
	agentwire_frame_free(&f);
	return rc;
}

static int harness_handshake(struct agentwire *w, const struct agentwire_key *key, const char **why,
			     char *err, size_t errlen)
{
	unsigned char nh[AGENTWIRE_NONCE], mac[32], want[32];
	char hex[2 * AGENTWIRE_NONCE + 1], value[AGENTWIRE_VALUE_MAX + 1], buf[512];
	struct agentwire_frame f;
	if (recv_step(w, AW_HELLO, &f, why, err, errlen) < 0) {
		if (strcmp(*why, "version") == 0)
			agentwire_send_error(w, "version", VERSION_SAID);
		else if (strcmp(*why, "protocol") == 0)
			agentwire_send_error(w, "protocol", unpeered(w, err));
		return -1;
	}
	agentwire_get(&f, "nonce", value, sizeof(value));
	agentwire_frame_free(&f);
	if (hex32(value, w->nonce_a) < 0) {
		*why = "protocol";
		errmsg_set(err, errlen, "%s: HELLO: a nonce is 64 lowercase hex digits", w->peer);
		agentwire_send_error(w, "protocol", unpeered(w, err));
		return -1;
	}
	randombytes_buf(nh, sizeof(nh));
	handshake_mac(key, LABEL_HARNESS, w->nonce_a, nh, mac);
	size_t used = 0;
	buf[0] = '\0';
	sodium_bin2hex(hex, sizeof(hex), nh, sizeof(nh));
	agentwire_put(buf, sizeof(buf), &used, "nonce", "%s", hex);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	agentwire_put(buf, sizeof(buf), &used, "mac", "%s", hex);
	if (agentwire_send(w, AW_AUTH, buf, used, err, errlen) < 0) {
		*why = "closed";
		return -1;
	}
	if (recv_step(w, AW_WELCOME, &f, why, err, errlen) < 0) {
		if (strcmp(*why, "protocol") == 0)
			agentwire_send_error(w, "protocol", unpeered(w, err));
		return -1;
	}
	agentwire_get(&f, "mac", value, sizeof(value));
	agentwire_frame_free(&f);
	if (hex32(value, mac) < 0) {
		*why = "protocol";
		errmsg_set(err, errlen, "%s: WELCOME: a mac is 64 lowercase hex digits", w->peer);
		agentwire_send_error(w, "protocol", unpeered(w, err));
		return -1;
	}
	handshake_mac(key, LABEL_AGENT, w->nonce_a, nh, want);
	if (sodium_memcmp(mac, want, sizeof(mac)) != 0) {
		*why = "auth";
		agentwire_send_error(w, "auth", "the agent's key is not this harness's");
		return errmsg_set(err, errlen,
				  "%s: WELCOME with another key; not the agent asked for", w->peer);
	}
	start_session(w, key, w->nonce_a, nh);
	return 0;
}

int agentwire_handshake(struct agentwire *w, const struct agentwire_key *key, const char **why,
			char *err, size_t errlen)
{
	*why = "protocol";
	if (sodium_ready(err, errlen) < 0)
		return -1;
	if (key->len < AGENTWIRE_KEYFILE_MIN || key->len > AGENTWIRE_KEYFILE_MAX) {
		*why = "auth";
		return errmsg_set(err, errlen, "a key of %zu bytes; %d..%d", key->len,
				  AGENTWIRE_KEYFILE_MIN, AGENTWIRE_KEYFILE_MAX);
	}
	w->authenticated = 0;
	w->seq_in = w->seq_out = 0;
	return w->is_agent ? agent_handshake(w, key, why, err, errlen)
			   : harness_handshake(w, key, why, err, errlen);
}
