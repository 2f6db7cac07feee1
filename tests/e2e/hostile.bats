#!/usr/bin/env bats
# Hostile peers. The server fed random, oversized, truncated or silent hellos
# by many connections closes each of them, keeps serving real clients, and
# its memory stays bounded; hellos that would make it allocate past its
# budget are refused. The client fed garbage by a fake server fails with one
# clear line and exit status 1, never hangs. (workloads.bats pins the
# individual malformed hello fields; this file pins volume and variety.)

load workload_helpers

setup() {
	wl_setup
	T="$TMP"
}

teardown() {
	wl_teardown
}

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

threads_of() {
	awk '/^Threads:/ { print $2 }' "/proc/$1/status"
}

client_verifies() {
	run "$BIN/copyscope-client" --port "$PORT" --size 4096 --duration 0.2 --warmup 0 --verify
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"verify_errors=0"* ]]
}

# hostile PORT N: N connections with random, truncated, oversized, one-bit-off,
# absurd-size or zero hellos; each must be closed after at most a reply.
hostile() {
	python3 - "$1" "$2" <<'PY'
import os, random, socket, struct, sys
port = int(sys.argv[1])
seed = int.from_bytes(os.urandom(4), "little")
print("seed", seed)
rnd = random.Random(seed)
good = struct.pack("<IHBBIIQQ", 0x43534331, 1, 0, 0, 0, 0, 4096, 0)
def case(i):
    k = i % 6
    if k == 0: return bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 200)))
    if k == 1: return good[:rnd.randrange(1, 32)]                         # truncated
    if k == 2: return good + os.urandom(rnd.randrange(1, 1 << 16))        # oversized
    if k == 3:                                                            # one bad field
        b = bytearray(good); j = rnd.randrange(4, 32); b[j] ^= 1 << rnd.randrange(8); return bytes(b)
    if k == 4: return struct.pack("<IHBBIIQQ", 0x43534331, 1, 0, 0, 0, 0, (1 << 64) - 1, 0)
    return b"\0" * 4096                                                   # zeros, more than a hello
for i in range(int(sys.argv[2])):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(case(i))
        s.shutdown(socket.SHUT_WR)
        got = 0
        while True:             # the server answers at most a reply, then closes
            b = s.recv(65536)
            if not b: break
            got += len(b)
            assert got <= 16 or i % 6 == 3, (i, got)
    except OSError:
        pass                    # closed (or reset) on us while we were still sending: fine
    finally:
        s.close()
PY
}

@test "hundreds of random, oversized and truncated hellos: each closed, the server serves on, memory bounded" {
	# a sanitized server holds freed memory in quarantine: keep that small here
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=8:thread_local_quarantine_size_kb=64" \
		start_server --impl zero-copy
	client_verifies
	hostile "$PORT" 60 # first touches of the allocator, thread stacks, ...
	before=$(rss_kib "$SRV_PID")
	hostile "$PORT" 300
	client_verifies
	after=$(rss_kib "$SRV_PID")
	echo "server VmRSS: $before KiB before, $after KiB after 300 hostile connections"
	# bounded: nothing per hostile connection survives it (generous: 64 MiB)
	[ "$after" -lt $((before + 65536)) ]
	kill -0 "$SRV_PID"
}

@test "a hundred silent connections hold no more than a thread each, and a real client still gets through" {
	start_server --impl one-copy
	python3 - "$PORT" "$BIN/copyscope-client" "$SRV_PID" <<'PY'
import socket, subprocess, sys
port, client, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3]
silent = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(100)]
out = subprocess.run([client, "--port", str(port), "--size", "1024", "--duration", "0.2",
                      "--warmup", "0", "--verify"], capture_output=True, timeout=30)
assert out.returncode == 0, out.stderr
assert b"verify_errors=0" in out.stdout
status = {l.split(":")[0]: l.split()[1] for l in open(f"/proc/{pid}/status") if len(l.split()) > 1}
print("with 100 silent peers: VmRSS", status["VmRSS"], "KiB, threads", status["Threads"])
assert int(status["Threads"]) <= 100 + 8, status["Threads"]
assert int(status["VmRSS"]) < 256 * 1024, status["VmRSS"]
for s in silent: s.close()
PY
	client_verifies
}

@test "hellos that would pass the server's memory budget are refused with a reply, others served" {
	start_server --impl zero-copy --max-mem 64
	run "$BIN/copyscope-client" --port "$PORT" --size 64M --duration 0.2 --warmup 0
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"server refused the hello: out of memory"* ]]
	grep -q 'allowed (--max-mem)' "$T/srv.err"
	client_verifies
	run "$BIN/copyscope-server" --impl a1 --max-mem 0
	[ "$status" -eq 2 ]
	[[ "$output" == *"--max-mem 0: expected"* ]]
}

# fake_server MODE: a python server on 127.0.0.1 that answers a client's hello
# as MODE says; sets FAKE (pid) and FAKE_PORT.
fake_server() {
	python3 - "$1" >"$T/fake.port" 2>"$T/fake.err" <<'PY' &
import os, socket, struct, sys, time
mode = sys.argv[1]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
print(srv.getsockname()[1], flush=True)
srv.settimeout(30)
c, _ = srv.accept()
hello = b""
while len(hello) < 32:                 # the whole hello: closing with unread bytes would reset
    b = c.recv(32 - len(hello))
    if not b: break
    hello += b
ok = struct.pack("<IHHHHI", 0x43535231, 1, 0, 2, 0, 4)
if mode == "short":      c.sendall(ok[:7])
elif mode == "version":  c.sendall(ok[:4] + struct.pack("<H", 7) + ok[6:])
elif mode == "impl":     c.sendall(ok[:8] + struct.pack("<H", 999) + ok[10:])
elif mode == "status":   c.sendall(ok[:6] + struct.pack("<H", 4242) + ok[8:])
elif mode == "then-close": c.sendall(ok)
elif mode == "then-stall": c.sendall(ok); time.sleep(8)
elif mode == "random":   c.sendall(os.urandom(1 << 16))
c.shutdown(socket.SHUT_WR)
time.sleep(0.2)
c.close()
PY
	FAKE=$!
	for _ in $(seq 100); do [ -s "$T/fake.port" ] && break; sleep 0.05; done
	FAKE_PORT=$(cat "$T/fake.port")
}

@test "the client fed garbage by a fake server fails with one clear line, every time" {
	while IFS='|' read -r mode want; do
		fake_server "$mode"
		# a long window: the fake server's close must come inside it
		run timeout 20 "$BIN/copyscope-client" --port "$FAKE_PORT" --size 1024 --duration 5 --warmup 0
		wait "$FAKE" || true
		echo "$mode -> $status: $output"
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "copyscope-client: "*"$want"* ]]
	done <<'EOF2'
short|truncated
version|reply version 7
impl|unknown strategy id 999
status|unknown status
then-close|server closed the connection
random|not a copyscope server
EOF2
}

@test "a fake server that answers the hello and then stalls: the client ends on time, exit 0 with nothing counted or 1" {
	fake_server then-stall
	start=$(date +%s)
	run timeout 20 "$BIN/copyscope-client" --port "$FAKE_PORT" --size 1024 --duration 0.5 --warmup 0
	end=$(date +%s)
	kill "$FAKE" 2>/dev/null || true
	wait "$FAKE" || true
	echo "exit $status after $((end - start)) s: $output"
	# on time: ended by itself (not by timeout(1), 124), well inside 15 s
	[ $((end - start)) -lt 15 ]
	case $status in
	0) # the window closed with nothing received, and said so: nothing counted
		printf '%s\n' "$output" >"$T/cli.out"
		[ "$(value impl "$T/cli.out")" = one-copy ] # the strategy the fake server named
		[ "$(value bytes "$T/cli.out")" = 0 ]
		[ "$(value msgs "$T/cli.out")" = 0 ]
		[ "$(value verify_errors "$T/cli.out")" = 0 ]
		;;
	1) # or it gave up on the silent server: one clear line
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "copyscope-client: "* ]]
		;;
	*) # a crash (139), a sanitizer report (86, 87, 88), a hang (124), ...
		false
		;;
	esac
}

@test "security: harness and workloads run programs with execve and an argv, never a shell" {
	cd "$BATS_TEST_DIRNAME/../.."
	# code only: comments may say "never through a shell"
	run bash -c "grep -nHE '\\b(system|popen|execl|execlp|execle|execvp|execvpe|posix_spawnp?|wordexp)[[:space:]]*\\(|\"(/bin/)?(ba)?sh\"|sh -c' harness/*.c workloads/*.c | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\\*|//)'"
	echo "$output"
	[ "$status" -eq 1 ] # grep found nothing
	grep -q 'execve(' harness/spawn.c
}

@test "security: the server listens on 127.0.0.1 unless --host says otherwise" {
	start_server --impl a1
	grep -q '^listening 127\.0\.0\.1:' "$T/srv.out"
	# and the socket the kernel holds is bound to loopback, not the wildcard
	ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q "127.0.0.1:$PORT" || {
		grep -q "0100007F:$(printf '%04X' "$PORT") 00000000:0000 0A" /proc/net/tcp
	}
}
