#!/usr/bin/env python3
"""A second, independent implementation of the harness's end of the agent
protocol (harness/agentwire.h), written from the header alone, standard
library only. The tests use it as a hostile peer: each case below sends the
agent what a broken or malicious harness would, prints what the agent
answered, and exits 0 when the agent refused it as the protocol says (an
ERROR with the expected reason, or the connection closed where the byte
stream itself is broken), 1 otherwise, 2 on bad usage.

    agent_client.py --port PORT --key FILE [--host H] [--marker PATH] CASE

Every connection the agent must refuse is announced on a line
"peer=ADDR:PORT" (this end's address, as the agent sees it), so that a test
can find the one line the agent logged about it. `handshake` is the correct
session (authenticate, DESCRIBE, a tagged MACHINE back) and prints OK;
`hold` keeps one open a while.
"""

import argparse
import hashlib
import hmac
import os
import random
import socket
import struct
import sys
import time

# harness/agentwire.h, restated on purpose: a change there must break here.
VERSION = 1
HEADER = 8
TAG = 32
NONCE = 32
PAYLOAD_MAX = 65536
KEY_MAX = 32
VALUE_MAX = 4096
LINES_MAX = 1024
HANDSHAKE_S = 5.0
WINDOW_MAX = 3 * 3600.0 + 120.0  # 3 * SECONDS_MAX_S + 120

TYPES = ["HELLO", "AUTH", "WELCOME", "ERROR", "DESCRIBE", "MACHINE", "EVENTS", "RUN",
         "LISTENING", "BEGIN", "END", "STOP", "OK", "TOTALS", "RESULT"]
T = {name: i + 1 for i, name in enumerate(TYPES)}

LABEL_HARNESS = b"copyscope-agent 1 harness"
LABEL_AGENT = b"copyscope-agent 1 agent"
LABEL_SESSION = b"copyscope-agent 1 session"

# what the agent is given to count: one software event any Linux counts
EVENTS = b"task_clock - PERF_COUNT_SW_TASK_CLOCK\n"

READ_S = HANDSHAKE_S + 3.0  # the agent's own time-outs, and some slack


class Closed(Exception):
    """The agent closed the connection (or reset it)."""


class Broken(Exception):
    """The agent sent something the protocol does not allow."""


def type_name(t):
    return TYPES[t - 1] if 1 <= t <= len(TYPES) else "type%d" % t


def mac(key, label, na, nh):
    return hmac.new(key, label + na + nh, hashlib.sha256).digest()


def header(ftype, length, version=VERSION, magic=b"CS"):
    return magic + struct.pack(">BBI", version, ftype, length)


def kv(*pairs):
    return b"".join(k.encode() + b"=" + (v if isinstance(v, bytes) else v.encode()) + b"\n"
                    for k, v in pairs)


def parse_kv(payload):
    out = {}
    for line in payload.split(b"\n"):
        if line:
            k, _, v = line.partition(b"=")
            out[k.decode("ascii", "replace")] = v.decode("ascii", "replace")
    return out


class Session:
    """One connection to the agent, this end the harness."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=READ_S)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.session = None  # the session key, once authenticated
        self.seq_out = 0
        self.seq_in = 0
        self.na = None
        self.sent = []  # every frame sent, as bytes, for replays

    def peer(self):
        addr, port = self.sock.getsockname()[:2]
        return "%s:%d" % (addr, port)

    def close(self):
        """Closes this end and waits until the agent has closed its own, so
        that a session is over before the next connection (else: busy)."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            while self.sock.recv(4096):
                pass
        except OSError:
            pass
        self.sock.close()

    def raw(self, data):
        self.sock.sendall(data)

    def recv_exact(self, n, deadline):
        buf = b""
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no answer within %.1f s" % READ_S)
            self.sock.settimeout(left)
            try:
                b = self.sock.recv(n - len(buf))
            except ConnectionResetError:
                raise Closed("reset")
            if not b:
                if buf:
                    raise Broken("the agent closed inside a frame (%d of %d bytes)" %
                                 (len(buf), n))
                raise Closed("closed")
            buf += b
        return buf

    def tag(self, direction, seq, hdr, payload):
        return hmac.new(self.session, direction + struct.pack(">Q", seq) + hdr + payload,
                        hashlib.sha256).digest()

    def frame(self, ftype, payload, seq=None, direction=b"H", tagged=None):
        """A frame's bytes; tagged (once authenticated) with seq and direction."""
        hdr = header(ftype, len(payload))
        if tagged is None:
            tagged = self.session is not None
        if not tagged:
            return hdr + payload
        return hdr + payload + self.tag(direction, self.seq_out if seq is None else seq, hdr,
                                        payload)

    def send(self, ftype, payload=b""):
        data = self.frame(ftype, payload)
        self.raw(data)
        self.sent.append(data)
        if self.session is not None:
            self.seq_out += 1
        return data

    def recv(self):
        """One frame from the agent, its tag checked once authenticated: (type, payload)."""
        deadline = time.monotonic() + READ_S
        hdr = self.recv_exact(HEADER, deadline)
        magic, version, ftype, length = hdr[:2], hdr[2], hdr[3], struct.unpack(">I", hdr[4:])[0]
        if magic != b"CS" or version != VERSION or not 1 <= ftype <= len(TYPES):
            raise Broken("a malformed header from the agent: %s" % hdr.hex())
        if length > PAYLOAD_MAX:
            raise Broken("the agent announced %d bytes" % length)
        payload = self.recv_exact(length, deadline)
        if self.session is not None:
            tag = self.recv_exact(TAG, deadline)
            if not hmac.compare_digest(tag, self.tag(b"A", self.seq_in, hdr, payload)):
                raise Broken("%s %d from the agent: its tag does not match" %
                             (type_name(ftype), self.seq_in))
            self.seq_in += 1
        if b"\0" in payload:
            raise Broken("a NUL in the agent's %s" % type_name(ftype))
        return ftype, payload

    def expect(self, want):
        ftype, payload = self.recv()
        if ftype != want:
            raise Broken("%s where %s was due: %r" % (type_name(ftype), type_name(want),
                                                      payload[:200]))
        return parse_kv(payload) if want not in (T["EVENTS"], T["TOTALS"]) else payload

    def hello(self):
        h = self.expect(T["HELLO"])
        if h.get("version") != "1" or len(h.get("nonce", "")) != 2 * NONCE:
            raise Broken("HELLO: %r" % h)
        self.na = bytes.fromhex(h["nonce"])
        return h

    def auth_frame(self, key, nh=None):
        nh = nh or os.urandom(NONCE)
        return nh, self.frame(T["AUTH"], kv(("nonce", nh.hex()),
                                            ("mac", mac(key, LABEL_HARNESS, self.na, nh).hex())))

    def handshake(self, key):
        """HELLO, AUTH, WELCOME, checking the agent's mac: the AUTH frame sent."""
        self.hello()
        nh, auth = self.auth_frame(key)
        self.raw(auth)
        w = self.expect(T["WELCOME"])
        if not hmac.compare_digest(w.get("mac", ""), mac(key, LABEL_AGENT, self.na, nh).hex()):
            raise Broken("WELCOME: the agent's mac does not match the key")
        self.session = mac(key, LABEL_SESSION, self.na, nh)
        return auth


def refusal(s, reasons, closed_ok):
    """Reads what the agent answers to a hostile frame: an ERROR whose reason is
    one of reasons, and then the connection closed; or, where closed_ok, the
    connection closed at once. Prints the answer; True when it is a refusal."""
    try:
        ftype, payload = s.recv()
    except Closed as e:
        print("answer: the connection %s" % e)
        return closed_ok
    except (Broken, socket.timeout, OSError) as e:
        print("answer: %s" % e)
        return False
    if ftype != T["ERROR"]:
        print("answer: %s %r (not a refusal)" % (type_name(ftype), payload[:300]))
        return False
    err = parse_kv(payload)
    print("answer: ERROR reason=%s detail=%s" % (err.get("reason", ""), err.get("detail", "")))
    if err.get("reason") not in reasons:
        print("expected reason %s" % " or ".join(reasons))
        return False
    try:  # ERROR closes the session: nothing more may come, and the end must
        ftype, payload = s.recv()
        print("after ERROR: %s %r" % (type_name(ftype), payload[:200]))
        return False
    except Closed:
        return True
    except (Broken, socket.timeout, OSError) as e:
        print("after ERROR: %s" % e)
        return False


def connect(a):
    s = Session(a.host, a.port)
    return s


def hostile(a):
    s = connect(a)
    print("peer=%s" % s.peer())
    return s


def authed(a, key, events=True):
    """A hostile connection, authenticated, with EVENTS sent and acknowledged."""
    s = hostile(a)
    s.handshake(key)
    if events:
        s.send(T["EVENTS"], EVENTS)
        s.expect(T["OK"])
    return s


def run_payload(impl="two-copy", window="2", extra=()):
    return kv(("impl", impl), ("window", window), *extra)


# --- the cases -------------------------------------------------------------------

def case_handshake(a, key):
    """The correct session: authenticate, DESCRIBE, MACHINE (tagged) back."""
    s = connect(a)
    s.handshake(key)
    s.send(T["DESCRIBE"])
    m = s.expect(T["MACHINE"])
    s.close()
    print("OK host=%s copyscope=%s" % (m.get("host", "?"), m.get("copyscope", "?")))
    return True


def case_hold(a, key):
    """A correct session held --hold seconds (a DESCRIBE each second keeps it
    from the agent's idle time-out), "held" said once it is: a test makes
    other connections meanwhile. Prints OK."""
    s = connect(a)
    s.handshake(key)
    print("held", flush=True)
    end = time.monotonic() + a.hold
    while time.monotonic() < end:
        time.sleep(max(0.0, min(1.0, end - time.monotonic())))
        s.send(T["DESCRIBE"])
        s.expect(T["MACHINE"])
    s.close()
    print("OK")
    return True


def case_wrong_key(a, key):
    s = hostile(a)
    s.hello()
    _, auth = s.auth_frame(b"not the agent's key, but long enough")
    s.raw(auth)
    return refusal(s, ["auth"], False)


def case_replay(a, key):
    """A good session's AUTH, recorded, sent again on a fresh connection."""
    first = connect(a)
    auth = first.handshake(key)
    na1 = first.na
    first.close()
    s = hostile(a)
    s.hello()
    if s.na == na1:
        print("the agent sent the same nonce twice: %s" % na1.hex())
        return False
    s.raw(auth)
    return refusal(s, ["auth"], False)


def case_random(a, key):
    rnd = random.Random(a.seed)
    print("seed=%d" % a.seed)
    data = bytearray(rnd.getrandbits(8) for _ in range(rnd.randrange(64, 4096)))
    if data[0] == ord("C"):  # not by chance a frame's magic
        data[0] = ord("c")
    s = hostile(a)
    s.hello()
    s.raw(bytes(data))
    return refusal(s, ["protocol"], True)


def case_truncated(a, key):
    """A header promising 100 bytes, 10 sent, then this end's half closed."""
    s = hostile(a)
    s.hello()
    s.raw(header(T["AUTH"], 100) + b"nonce=0123")
    s.sock.shutdown(socket.SHUT_WR)
    return refusal(s, ["protocol"], True)


def case_truncated_wait(a, key):
    """The same, but the connection left open: the agent must give up by itself."""
    s = hostile(a)
    s.hello()
    start = time.monotonic()
    s.raw(header(T["AUTH"], 100) + b"nonce=0123")
    ok = refusal(s, ["protocol", "timeout"], True)
    took = time.monotonic() - start
    print("the agent gave up after %.1f s (its handshake time-out: %.0f s)" % (took, HANDSHAKE_S))
    return ok and took < HANDSHAKE_S + 2.5


def case_silent(a, key):
    """Connected, HELLO read, nothing sent."""
    s = hostile(a)
    s.hello()
    start = time.monotonic()
    ok = refusal(s, ["protocol", "timeout"], True)
    took = time.monotonic() - start
    print("the agent gave up after %.1f s" % took)
    return ok and took < HANDSHAKE_S + 2.5


def case_idle(a, key):
    """--count connections that say nothing, not even read HELLO: each is
    announced at once ("idle connections open" after the last, so that a test
    can act while they are held), and the agent must drop each by itself,
    within its handshake time-out (ERROR reason=timeout, or reason=busy for one
    dropped to make room, then the close; or the close alone)."""
    conns = []
    for _ in range(a.count):
        s = hostile(a)
        conns.append(s)
    print("idle connections open: %d" % len(conns), flush=True)
    start = time.monotonic()
    ok = True
    for s in conns:
        # HELLO came at once and sits unread in the buffer: read past it now
        try:
            s.hello()
        except (Closed, Broken, socket.timeout, OSError) as e:
            print("%s: no HELLO: %s" % (s.peer(), e))
            ok = False
            continue
        ok = refusal(s, ["timeout", "busy"], True) and ok
    took = time.monotonic() - start
    print("the agent dropped all %d after %.1f s (its handshake time-out: %.0f s)" %
          (len(conns), took, HANDSHAKE_S))
    return ok and took < HANDSHAKE_S + 2.5


def case_oversize(a, key):
    """A header announcing AGENTWIRE_PAYLOAD_MAX + 1 bytes: refused on the header alone."""
    s = hostile(a)
    s.hello()
    s.raw(header(T["AUTH"], PAYLOAD_MAX + 1))
    return refusal(s, ["protocol"], True)


def case_oversize_session(a, key):
    """The same once authenticated (a tag cannot make a frame longer)."""
    s = authed(a, key, events=False)
    s.raw(header(T["EVENTS"], PAYLOAD_MAX + 1))
    return refusal(s, ["protocol"], True)


def case_bad_magic(a, key):
    s = hostile(a)
    s.hello()
    s.raw(header(T["AUTH"], 4, magic=b"XS") + b"a=b\n")
    return refusal(s, ["protocol"], True)


def case_bad_version(a, key):
    s = hostile(a)
    s.hello()
    s.raw(header(T["AUTH"], 4, version=2) + b"a=b\n")
    return refusal(s, ["protocol", "version"], True)


def case_unknown_type(a, key):
    s = authed(a, key)
    s.raw(s.frame(99, b""))
    return refusal(s, ["protocol"], True)


def case_auth_bad_hex(a, key):
    """AUTH whose nonce and mac are not 64 lowercase hex digits."""
    s = hostile(a)
    s.hello()
    nh = os.urandom(NONCE)
    good = mac(key, LABEL_HARNESS, s.na, nh).hex()
    s.raw(s.frame(T["AUTH"], kv(("nonce", nh.hex().upper()), ("mac", good.upper()))))
    return refusal(s, ["protocol", "auth"], False)


def case_auth_extra_key(a, key):
    """A correct AUTH with one key more than AUTH takes."""
    s = hostile(a)
    s.hello()
    nh = os.urandom(NONCE)
    s.raw(s.frame(T["AUTH"], kv(("nonce", nh.hex()),
                                ("mac", mac(key, LABEL_HARNESS, s.na, nh).hex()),
                                ("admin", "1"))))
    return refusal(s, ["protocol"], False)


def case_out_of_turn(a, key):
    """RUN before the handshake: the agent wants AUTH."""
    s = hostile(a)
    s.hello()
    s.raw(s.frame(T["RUN"], run_payload()))
    return refusal(s, ["protocol"], False)


def case_unknown_key(a, key):
    s = authed(a, key)
    s.send(T["RUN"], run_payload(extra=[("shell", "/bin/sh")]))
    return refusal(s, ["protocol"], False)


def case_missing_key(a, key):
    s = authed(a, key)
    s.send(T["RUN"], kv(("impl", "two-copy")))
    return refusal(s, ["protocol"], False)


def case_dup_key(a, key):
    s = authed(a, key)
    s.send(T["RUN"], kv(("impl", "two-copy"), ("impl", "one-copy"), ("window", "2")))
    return refusal(s, ["protocol"], False)


def case_bad_key_chars(a, key):
    s = authed(a, key)
    s.send(T["RUN"], kv(("impl", "two-copy"), ("window", "2"), ("CPUS", "0")))
    return refusal(s, ["protocol"], False)


def case_ctrl_value(a, key):
    s = authed(a, key)
    s.send(T["RUN"], kv(("impl", b"two-copy\x1b[2J"), ("window", "2")))
    return refusal(s, ["protocol"], False)


def case_nul(a, key):
    s = authed(a, key)
    s.send(T["RUN"], kv(("impl", b"two-copy\x00rm"), ("window", "2")))
    return refusal(s, ["protocol"], True)


def case_long_value(a, key):
    s = authed(a, key)
    s.send(T["RUN"], run_payload(impl="a" * (VALUE_MAX + 1)))
    return refusal(s, ["protocol"], False)


def case_long_key(a, key):
    s = authed(a, key)
    s.send(T["RUN"], run_payload(extra=[("k" * (KEY_MAX + 1), "1")]))
    return refusal(s, ["protocol"], False)


def case_many_lines(a, key):
    """LINES_MAX + 1 lines in one RUN (keys it does not take, but no RUN could
    carry that many that it does)."""
    s = authed(a, key)
    s.send(T["RUN"], kv(*[("x%d" % i, "") for i in range(LINES_MAX + 1)]))
    return refusal(s, ["protocol"], False)


def case_run_before_events(a, key):
    s = authed(a, key, events=False)
    s.send(T["RUN"], run_payload())
    return refusal(s, ["protocol", "events"], False)


def case_begin_before_run(a, key):
    s = authed(a, key)
    s.send(T["BEGIN"])
    return refusal(s, ["protocol"], False)


def case_auth_again(a, key):
    """AUTH once more inside a session."""
    s = authed(a, key)
    s.send(T["AUTH"], kv(("nonce", "0" * 64), ("mac", "0" * 64)))
    return refusal(s, ["protocol"], False)


def case_bad_events(a, key):
    s = authed(a, key, events=False)
    s.send(T["EVENTS"], b"task_clock - NO_SUCH_EVENT_ANYWHERE\n")
    return refusal(s, ["events"], False)


def case_bad_tag(a, key):
    """A correct handshake, then a frame whose tag has one bit flipped."""
    s = authed(a, key, events=False)
    data = bytearray(s.frame(T["DESCRIBE"], b""))
    data[-1] ^= 1
    s.raw(bytes(data))
    return refusal(s, ["protocol", "tag"], True)


def case_no_tag(a, key):
    """A correct handshake, then untagged frames (as before authentication): five
    DESCRIBEs, so that the first one's tag is read from the next four."""
    s = authed(a, key, events=False)
    s.raw(5 * s.frame(T["DESCRIBE"], b"", tagged=False))
    return refusal(s, ["protocol", "tag"], True)


def case_replay_frame(a, key):
    """A tagged frame sent twice: the second repeats its sequence number."""
    s = authed(a, key, events=False)
    data = s.send(T["EVENTS"], EVENTS)
    s.expect(T["OK"])
    s.raw(data)
    return refusal(s, ["protocol", "tag"], True)


def case_skip_seq(a, key):
    """A tagged frame with sequence number 1 where 0 is due."""
    s = authed(a, key, events=False)
    s.raw(s.frame(T["DESCRIBE"], b"", seq=1))
    return refusal(s, ["protocol", "tag"], True)


def case_reflect(a, key):
    """A frame tagged as the agent's own direction ('A'), as a reflection would be."""
    s = authed(a, key, events=False)
    s.raw(s.frame(T["DESCRIBE"], b"", direction=b"A"))
    return refusal(s, ["protocol", "tag"], True)


def case_busy(a, key):
    """A second connection while a session is held: ERROR reason=busy at once
    (no HELLO), and the session held is served on."""
    holder = connect(a)
    holder.handshake(key)
    s = hostile(a)
    ok = refusal(s, ["busy"], False)
    s.close()
    holder.send(T["DESCRIBE"])
    holder.expect(T["MACHINE"])
    holder.close()
    return ok


def case_bad_impl(a, key):
    s = authed(a, key)
    s.send(T["RUN"], run_payload(impl="nosuch"))
    return refusal(s, ["refused"], False)


def case_bad_cpus(a, key):
    ok = True
    for cpus in ["100000", "0-", "a", "-1"]:
        s = authed(a, key)
        s.send(T["RUN"], run_payload(extra=[("cpus", cpus)]))
        print("cpus=%s" % cpus)
        ok = refusal(s, ["refused"], False) and ok
        s.close()
    return ok


def case_bad_thread_cpus(a, key):
    s = authed(a, key)
    s.send(T["RUN"], run_payload(extra=[("thread_cpus", "100000,0")]))
    return refusal(s, ["refused"], False)


def case_bad_window(a, key):
    ok = True
    for window in ["%g" % (WINDOW_MAX + 1), "%.3f" % (WINDOW_MAX + 0.001), "-1", "0", "0s",
                   "nan", "inf", "1e999", "2 s", "2x", ""]:
        s = authed(a, key)
        s.send(T["RUN"], run_payload(window=window))
        print("window=%s" % window)
        ok = refusal(s, ["refused"], False) and ok
        s.close()
    return ok


def shell_case(a, key, field):
    """A field carrying a shell command: refused, and the command never runs."""
    marker = a.marker
    if not marker:
        print("--marker PATH is needed")
        return False
    ok = True
    for value in ["two-copy; touch %s" % marker, "$(touch %s)" % marker,
                  "`touch %s`" % marker, "two-copy --listen 0.0.0.0 && touch %s" % marker]:
        s = authed(a, key)
        if field == "impl":
            s.send(T["RUN"], run_payload(impl=value))
        else:
            s.send(T["RUN"], run_payload(extra=[(field, value)]))
        print("%s=%s" % (field, value))
        ok = refusal(s, ["refused"], False) and ok
        s.close()
    time.sleep(0.2)
    if os.path.exists(marker):
        print("%s exists: a shell ran what the agent was sent" % marker)
        return False
    return ok


def case_shell(a, key):
    return shell_case(a, key, "impl")


def case_shell_cpus(a, key):
    return shell_case(a, key, "cpus")


CASES = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("case_")}


CORRECT = ("handshake", "hold")  # the cases that are no hostile peer


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True, help="the key file (the agent's, or any)")
    p.add_argument("--marker", help="shell cases: a path that must never be created")
    p.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "little"))
    p.add_argument("--count", type=int, default=10, help="idle: how many connections")
    p.add_argument("--hold", type=float, default=3.0, help="hold: seconds")
    p.add_argument("case", choices=sorted(CASES) + ["list"])
    a = p.parse_args()
    if a.case == "list":
        print("\n".join(sorted(c for c in CASES if c not in CORRECT)))
        return 0
    with open(a.key, "rb") as f:
        key = f.read()
    if key.endswith(b"\n"):
        key = key[:-1]
    try:
        ok = CASES[a.case](a, key)
    except (Closed, Broken, socket.timeout, OSError) as e:
        # before the hostile frame went out: the agent refused what it had to accept
        print("the session broke before the case's point: %s: %s" % (type(e).__name__, e))
        ok = False
    if a.case not in CORRECT:
        print("refused as the protocol says" if ok else "NOT as the protocol says")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
