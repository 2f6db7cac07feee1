/*
 * agentwire — the protocol between the harness and `copyscope agent`: frames,
 * the authentication, and the fields each message may carry.
 *
 * One TCP connection carries one session: the agent's HELLO, the harness's
 * AUTH, the agent's WELCOME, then requests and answers, in turn, until the
 * harness closes it (or either side sends ERROR and closes it). A session
 * runs at most one server (docs/remote.md).
 *
 * A frame (all integers big-endian):
 *
 *     offset 0  'C' 'S'                    magic
 *            2  u8 AGENTWIRE_VERSION       the protocol's version (1)
 *            3  u8 type                    enum agentwire_type
 *            4  u32 length                 of the payload, <= AGENTWIRE_PAYLOAD_MAX
 *            8  payload                    length bytes
 *            .  tag                        32 bytes, on every frame once authenticated
 *
 * The tag is HMAC-SHA256(session key, direction || seq || the 8 header bytes
 * || payload): direction is one byte, 'H' for harness to agent and 'A' for
 * agent to harness; seq is a u64 counted per direction from 0 (the first
 * frame after WELCOME is 0). A frame whose tag does not match, or that
 * repeats or skips a sequence number, ends the session.
 *
 * The handshake (HMAC-SHA256 with the shared key; na and nh are 32 random
 * bytes each, fresh per session, sent as 64 lowercase hex digits):
 *
 *     agent   -> HELLO    version=1  nonce=<na>  agent=<COPYSCOPE_VERSION>
 *     harness -> AUTH     nonce=<nh>  mac=<HMAC(key, "copyscope-agent 1 harness" || na || nh)>
 *     agent   -> WELCOME  mac=<HMAC(key, "copyscope-agent 1 agent" || na || nh)>
 *     session key = HMAC(key, "copyscope-agent 1 session" || na || nh)
 *
 * (the labels' bytes without a NUL, then the nonces' 32 raw bytes each). The
 * harness reads HELLO's version before its other keys, since another version
 * may take others, and answers another version with ERROR reason=version.
 *
 * The key never crosses the wire; a recorded AUTH is worth nothing in another
 * session (its na differs); the harness checks the agent's mac too, so an
 * impostor cannot hand it made-up counts. An agent that refuses sends ERROR
 * reason=auth (untagged: there is no session key) and closes.
 *
 * Payloads are key=value lines ("\n" after each), except EVENTS and TOTALS
 * whose payload is text (any byte but NUL). A key is 1..AGENTWIRE_KEY_MAX
 * characters of [a-z0-9_.]; a value 0..AGENTWIRE_VALUE_MAX bytes from 0x20
 * to 0x7e; at most AGENTWIRE_LINES_MAX lines; no key twice. Every message
 * type names the keys it takes (agentwire_keys): any other key, a missing
 * required key, an unknown type or a type out of turn ends the session.
 *
 *     type       from     keys                                    answer
 *     HELLO      agent    version nonce agent                     AUTH
 *     AUTH       harness  nonce mac                               WELCOME or ERROR
 *     WELCOME    agent    mac                                     -
 *     ERROR      either   reason [detail]                         (closes)
 *     DESCRIBE   harness  -                                       MACHINE
 *     MACHINE    agent    hostdesc's keys (hostdesc.h)            -
 *     EVENTS     harness  text: an event file (eventfile.h)       OK or ERROR
 *     RUN        harness  impl window [cpus] [thread_cpus]        LISTENING, RESULT or ERROR
 *     LISTENING  agent    port                                    -
 *     BEGIN      harness  -                                       OK or RESULT
 *     END        harness  -                                       OK or RESULT
 *     STOP       harness  -                                       TOTALS then RESULT
 *     OK         agent    -                                       -
 *     TOTALS     agent    text: the server's stdout (its totals)  -
 *     RESULT     agent    status [detail] [oncpu] [counter.N]... -
 *                         [reason.N]...
 *
 * RUN: impl a strategy name; window the seconds the run may take from
 * LISTENING to STOP (warm-up + duration + grace, at most AGENTWIRE_WINDOW_MAX);
 * cpus and thread_cpus as copyscope-server's --cpus and --thread-cpus.
 * EVENTS must come before RUN. A RESULT in place of OK or LISTENING means
 * the server failed (status=failed:server_<...>) and the session is over.
 * RESULT: status "ok" or "failed:<reason>"; oncpu "<cpu>:<ns>;..." (oncpu.h);
 * counter.N "<counted 0|1> <raw> <time_enabled> <time_running>" for the N-th
 * event of EVENTS (from 0), reason.N why it was not counted.
 *
 * Time-outs: every read has one. The handshake's reads AGENTWIRE_HANDSHAKE_S;
 * an answer AGENTWIRE_ANSWER_S (LISTENING: AGENTWIRE_RUN_S; TOTALS and
 * RESULT after STOP: AGENTWIRE_STOP_S); the agent waits for the next request
 * of a run at most its window.
 *
 * Memory: a frame's payload is owned by the caller's struct agentwire_frame
 * (agentwire_frame_free). Errors: -1 with one line in err.
 */
#ifndef COPYSCOPE_AGENTWIRE_H
#define COPYSCOPE_AGENTWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "programs.h"

#define AGENTWIRE_VERSION     1
#define AGENTWIRE_PORT	      "7190" /* the agent's port when none is named */
#define AGENTWIRE_HEADER      8
#define AGENTWIRE_TAG	      32
#define AGENTWIRE_NONCE	      32
#define AGENTWIRE_PAYLOAD_MAX 65536u
#define AGENTWIRE_KEY_MAX     32
#define AGENTWIRE_VALUE_MAX   4096
#define AGENTWIRE_LINES_MAX   1024
#define AGENTWIRE_KEYFILE_MIN 16   /* bytes of key, at least */
#define AGENTWIRE_KEYFILE_MAX 1024 /* bytes of key file, at most */

#define AGENTWIRE_HANDSHAKE_S 5.0
#define AGENTWIRE_ANSWER_S    5.0
#define AGENTWIRE_LISTEN_S    10.0 /* the agent's wait for its server's listening line */
/* The harness's wait for RUN's answer: the agent may ask its server twice what
 * it offers (program_resolve_impl), then wait for the listening line. */
#define AGENTWIRE_RUN_S	      (2 * PROGRAM_LISTING_S + AGENTWIRE_LISTEN_S + AGENTWIRE_ANSWER_S)
#define AGENTWIRE_STOP_S      15.0
#define AGENTWIRE_SEND_S      5.0 /* a send the peer makes no room for within this fails */
/* A run's window at most: what a local run may take from listening to stop
 * (warm-up and duration up to SECONDS_MAX_S each, the grace of half the
 * duration twice, the starts and the stop), with room to spare. */
#define AGENTWIRE_WINDOW_MAX  (3 * SECONDS_MAX_S + 120.0)

enum agentwire_type {
	AW_HELLO = 1,
	AW_AUTH,
	AW_WELCOME,
	AW_ERROR,
	AW_DESCRIBE,
	AW_MACHINE,
	AW_EVENTS,
	AW_RUN,
	AW_LISTENING,
	AW_BEGIN,
	AW_END,
	AW_STOP,
	AW_OK,
	AW_TOTALS,
	AW_RESULT,
	AW_TYPE_MAX = AW_RESULT,
};

/* "HELLO", "RUN", ...; "?" for a number that is no type. */
const char *agentwire_type_name(int type);

/*
 * The keys a type takes, as the table above spells them: "impl window [cpus]
 * [thread_cpus]" ("[k]" optional, "k.N" for k.0 .. k.<AGENTWIRE_LINES_MAX - 1>),
 * "" for none, "*" for any (MACHINE); NULL for a text payload (EVENTS,
 * TOTALS) or a number that is no type. agentwire_check reads this table.
 */
const char *agentwire_keys(int type);

/* The shared key, from a file (agentwire_key_load). */
struct agentwire_key {
	unsigned char bytes[AGENTWIRE_KEYFILE_MAX];
	size_t len;
};

/*
 * Reads the key: the file's bytes less one trailing newline, at least
 * AGENTWIRE_KEYFILE_MIN; the file at most AGENTWIRE_KEYFILE_MAX bytes.
 * Refuses a file with any group or other permission bit (mode & 077: "KEY:
 * readable or writable by others; chmod 600 KEY"), or that is not a regular
 * file (checked on the opened file, so a FIFO does not hang it). 0 or -1,
 * the error naming the file.
 */
int agentwire_key_load(const char *path, struct agentwire_key *key, char *err, size_t errlen);

/* Writes a new key (32 random bytes as 64 hex digits and a newline) to path,
 * created mode 0600; refuses a path that exists. 0 or -1. */
int agentwire_key_new(const char *path, char *err, size_t errlen);

/* One end of a session. */
struct agentwire {
	int fd;
	int is_agent;				/* 1: this end is the agent */
	int authenticated;			/* frames carry tags from now on */
	unsigned char session[32];		/* the session key, once authenticated */
	uint64_t seq_out, seq_in;		/* next sequence numbers */
	unsigned char nonce_a[AGENTWIRE_NONCE]; /* the agent's nonce */
	char peer[96];				/* "ADDR:PORT" of the other end, for messages */
	int send_now; /* 1: a send that cannot complete at once fails (agentwire_hello_send) */
};

/* A frame as read. */
struct agentwire_frame {
	int type;
	char *payload; /* NUL-terminated (a NUL inside is refused); owned */
	size_t len;
};

void agentwire_init(struct agentwire *w, int fd, int is_agent, const char *peer);

/* Sends one frame (tagged once authenticated; then seq_out counts it).
 * Refuses a payload over AGENTWIRE_PAYLOAD_MAX or with a NUL byte, and a peer
 * that makes no room for AGENTWIRE_SEND_S. Never raises SIGPIPE. 0 or -1. */
int agentwire_send(struct agentwire *w, int type, const char *payload, size_t len, char *err,
		   size_t errlen);

/*
 * Reads one frame within timeout_s (for the whole frame): checks the magic,
 * the version, the type, the length (before reading or allocating the
 * payload) and (once authenticated) the tag and sequence. 0, or -1 with err
 * and *why one of "closed" (the peer closed the connection between frames, or
 * reset it), "timeout", "protocol" (anything malformed, a NUL in the payload,
 * and a frame cut short by the peer closing inside it), "version" (a frame
 * header of another protocol version; err names both), "tag" (a tag that does
 * not match: a changed byte, a replayed, reordered or reflected frame).
 * A frame of type AW_ERROR is returned as read: the caller decides. After
 * -1 the session is over: the caller closes it.
 */
int agentwire_recv(struct agentwire *w, double timeout_s, struct agentwire_frame *f,
		   const char **why, char *err, size_t errlen);

void agentwire_frame_free(struct agentwire_frame *f);

/*
 * Checks a key=value payload against what its type takes (the table above):
 * each line's syntax and bounds, no key twice, every key known for the type,
 * every required key there. For MACHINE any key of the syntax is taken. 0 or
 * -1 naming the line.
 */
int agentwire_check(const struct agentwire_frame *f, char *err, size_t errlen);

/* The value of key in a checked payload into buf (NUL-terminated): 0, or -1
 * when absent (or longer than len - 1). */
int agentwire_get(const struct agentwire_frame *f, const char *key, char *buf, size_t len);

/*
 * The handshake, from either end, within AGENTWIRE_HANDSHAKE_S a read.
 * Agent: sends HELLO, checks AUTH, sends WELCOME; a wrong mac gets ERROR
 * reason=auth and -1 with *why "auth". Harness: checks HELLO's version, sends
 * AUTH, checks WELCOME's mac (*why "auth" when it does not match or the agent
 * answered ERROR reason=auth; "version" for another protocol version, err
 * naming both; "stopped" when the agent answered ERROR reason=stopped: it was
 * stopped by a signal). Either end: "timeout" when the other answered ERROR
 * reason=timeout (it gave up on this end), "refused" when it answered ERROR
 * with another reason (err quotes its reason and detail); a malformed message gets
 * ERROR reason=protocol before -1. On success w->authenticated is 1 and both
 * sequences are 0. 0 or -1 (*why as agentwire_recv's, or "auth", "version",
 * "stopped", "refused"). The agent's end is built on the pieces below.
 */
int agentwire_handshake(struct agentwire *w, const struct agentwire_key *key, const char **why,
			char *err, size_t errlen);

/*
 * The agent's end of the handshake in pieces, for an agent that keeps several
 * peers not yet authenticated in one poll loop, none of which may hold it:
 * agentwire_hello_send, then the AUTH frame's bytes read as they come
 * (agentwire_frame_parse), then agentwire_auth_check.
 */

/* Sends HELLO with a fresh nonce (kept in w->nonce_a) and sets w->send_now:
 * from here to WELCOME no send of w waits for the peer to make room. 0 or -1. */
int agentwire_hello_send(struct agentwire *w, char *err, size_t errlen);

/*
 * One untagged frame from the first len bytes of buf (a frame before
 * authentication; the caller reads the bytes). 1: a whole frame, f filled (its
 * payload owned, as agentwire_recv's) and *used the bytes it took. 0: more
 * bytes needed, *used the bytes the frame takes in all (AGENTWIRE_HEADER
 * until the header is there, so that a caller bounds what it reads on the
 * header alone). -1: malformed, *why "protocol" or "version" as
 * agentwire_recv's, err without a peer. Checks what agentwire_recv checks.
 */
int agentwire_frame_parse(const void *buf, size_t len, size_t *used, struct agentwire_frame *f,
			  const char **why, char *err, size_t errlen);

/*
 * Checks the frame a peer sent after HELLO (agentwire_hello_send) as the
 * agent's handshake does: an AUTH whose mac is the key's gets WELCOME (then
 * w->authenticated is 1, both sequences 0, w->send_now 0) and 0. Else -1 with
 * *why: "auth" (ERROR reason=auth sent), "protocol" (not AUTH, or a malformed
 * one: ERROR reason=protocol sent), "busy" (the mac is right but busy is not
 * NULL: ERROR reason=busy detail=busy sent instead of WELCOME, so a peer
 * learns the agent is busy only once it proved it holds the key), or as
 * agentwire_handshake's for an ERROR the peer sent (nothing sent). The frame
 * stays the caller's. err names w->peer.
 */
int agentwire_auth_check(struct agentwire *w, const struct agentwire_key *key,
			 const struct agentwire_frame *f, const char *busy, const char **why,
			 char *err, size_t errlen);

/* Sends ERROR reason=reason detail=detail (detail's bytes outside 0x20..0x7e
 * become '?', and it is cut to fit); best effort, no error. */
void agentwire_send_error(struct agentwire *w, const char *reason, const char *detail);

/* Appends "key=value\n" to buf (len bytes, NUL-terminated) at *used; -1 when
 * it does not fit or value has a byte outside 0x20..0x7e. */
int agentwire_put(char *buf, size_t len, size_t *used, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
