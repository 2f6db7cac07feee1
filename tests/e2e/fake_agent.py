#!/usr/bin/env python3
"""A hostile `copyscope agent` for the harness's side of the protocol
(harness/agentwire.h), written apart from the C code: it authenticates
properly, runs a real copyscope-server for the client, and then answers
the harness with what MODE says is wrong. Usage:

    fake_agent.py KEYFILE SERVER MODE

It prints the port it listens on (127.0.0.1), serves one harness, and exits.
MODE: ok (a correct agent), status (a RESULT whose failure is no word),
oncpu (CPU numbers out of range), counter (a signed count), midrun (half a
frame sent unasked during the window), version (a HELLO of version 2).
"""
import hashlib
import hmac
import os
import socket
import struct
import subprocess
import sys
import time

TYPES = "HELLO AUTH WELCOME ERROR DESCRIBE MACHINE EVENTS RUN LISTENING BEGIN END STOP OK TOTALS RESULT".split()
T = {n: i + 1 for i, n in enumerate(TYPES)}
NAME = {v: k for k, v in T.items()}
LABEL = {"harness": b"copyscope-agent 1 harness", "agent": b"copyscope-agent 1 agent",
         "session": b"copyscope-agent 1 session"}


def mac(key, label, na, nh):
    return hmac.new(key, LABEL[label] + na + nh, hashlib.sha256).digest()


def kv(items):
    return b"".join(k.encode() + b"=" + v.encode() + b"\n" for k, v in items)


class Wire:
    def __init__(self, sock, key):
        self.sock, self.key, self.session, self.seq_out, self.seq_in = sock, key, None, 0, 0

    def read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError("harness closed")
            buf += chunk
        return buf

    def send(self, kind, payload=b"", version=1):
        head = b"CS" + struct.pack(">BBI", version, T[kind], len(payload))
        tag = b""
        if self.session:
            tag = hmac.new(self.session, b"A" + struct.pack(">Q", self.seq_out) + head + payload,
                           hashlib.sha256).digest()
            self.seq_out += 1
        self.sock.sendall(head + payload + tag)

    def recv(self):
        head = self.read(8)
        payload = self.read(struct.unpack(">I", head[4:])[0])
        if self.session:
            tag = self.read(32)
            want = hmac.new(self.session, b"H" + struct.pack(">Q", self.seq_in) + head + payload,
                            hashlib.sha256).digest()
            if not hmac.compare_digest(tag, want):
                raise ValueError("bad tag from the harness")
            self.seq_in += 1
        return NAME.get(head[3], "?"), payload


def main():
    keyfile, server, mode = sys.argv[1:4]
    key = open(keyfile, "rb").read()
    key = key[:-1] if key.endswith(b"\n") else key
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print(listener.getsockname()[1], flush=True)
    conn, _ = listener.accept()
    conn.settimeout(30)
    w = Wire(conn, key)
    na = os.urandom(32)
    w.send("HELLO", kv([("version", "2" if mode == "version" else "1"), ("nonce", na.hex()),
                        ("agent", "fake")]), version=2 if mode == "version" else 1)
    if mode == "version":
        time.sleep(1)
        return
    kind, payload = w.recv()
    fields = dict(line.split("=", 1) for line in payload.decode().splitlines())
    nh = bytes.fromhex(fields["nonce"])
    w.send("WELCOME", kv([("mac", mac(key, "agent", na, nh).hex())]))
    w.session = mac(key, "session", na, nh)
    srv = None
    nevents = 0
    try:
        while True:
            kind, payload = w.recv()
            if kind == "EVENTS":
                nevents = len([l for l in payload.decode().splitlines() if l.strip()])
                w.send("OK")
            elif kind == "RUN":
                srv = subprocess.Popen([server, "--impl", "two-copy", "--host", "127.0.0.1", "--port", "0"],
                                       stdout=subprocess.PIPE)
                port = srv.stdout.readline().decode().strip().rsplit(":", 1)[1]
                w.send("LISTENING", kv([("port", port)]))
                if mode == "midrun":
                    time.sleep(0.05)
                    conn.sendall(b"CS\x01\x0d")  # half a header, unasked
            elif kind in ("BEGIN", "END"):
                w.send("OK")
            elif kind == "STOP":
                srv.terminate()
                w.send("TOTALS", srv.communicate()[0])
                srv = None
                items = [("status", 'failed:x,"y" z' if mode == "status" else "ok")]
                if mode == "oncpu":
                    items.append(("oncpu", "4294967295:1;0:5"))
                for i in range(nevents):
                    items.append(("counter.%d" % i, "-1 5 10 10" if mode == "counter" else "1 100 10 10"))
                w.send("RESULT", kv(items))
                time.sleep(0.5)
                return
    except (EOFError, ConnectionError):
        pass
    finally:
        if srv:
            srv.kill()
            srv.wait()


if __name__ == "__main__":
    main()
