#!/usr/bin/env bats
# copyscope-server and copyscope-client end to end on 127.0.0.1: every
# strategy, both modes, verified byte for byte; hostile peers; bad input;
# the harness's control socket. Never asserts on timings.

load workload_helpers

setup() {
	wl_setup
}

teardown() {
	wl_teardown
}

# every_size IMPL MODE: one server, a verified client per size.
every_size() {
	start_server --impl "$1"
	for size in 8 1000 16384 65536; do
		client_ok --mode "$2" --size "$size"
		[ "$(value impl "$TMP/cli.out")" = "$1" ]
		if [ "$2" = rr ]; then
			[ -n "$(value lat_p99_us "$TMP/cli.out")" ]
		fi
	done
	stop_server
	[ "$(value conns "$TMP/srv.out")" = 4 ]
	[ "$(value msgs "$TMP/srv.out")" -gt 0 ]
}

zc_counts_balance() {
	local sends done copied
	sends=$(value zc_sends "$TMP/srv.out")
	done=$(value zc_completions "$TMP/srv.out")
	copied=$(value zc_copied "$TMP/srv.out")
	echo "zc_sends=$sends zc_completions=$done zc_copied=$copied" >&2
	[ "$sends" -gt 0 ]
	[ "$done" = "$sends" ]
	[ "$copied" = "$done" ] # loopback always copies
}

@test "two-copy stream delivers every size intact" {
	every_size two-copy stream
}

@test "two-copy rr delivers every size intact" {
	every_size two-copy rr
}

@test "one-copy stream delivers every size intact" {
	every_size one-copy stream
}

@test "one-copy rr delivers every size intact" {
	every_size one-copy rr
}

@test "zero-copy stream delivers every size intact and accounts every completion" {
	every_size zero-copy stream
	zc_counts_balance
}

@test "zero-copy rr delivers every size intact and accounts every completion" {
	every_size zero-copy rr
	zc_counts_balance
}

@test "contiguous layout, odd size and several threads verify for every strategy" {
	for impl in a1 a2 a3; do
		start_server --impl "$impl"
		client_ok --layout contiguous --size 12345 --threads 3
		[ "$(value layout "$TMP/cli.out")" = contiguous ]
		[ "$(value threads "$TMP/cli.out")" = 3 ]
		client_ok --mode rr --size 1048577 --threads 2
		stop_server
		[ "$(value conns "$TMP/srv.out")" = 5 ]
	done
}

@test "busy-poll rr verifies and says so" {
	start_server --impl one-copy
	client_ok --mode rr --size 256 --busy-poll
	[ "$(value busy_poll "$TMP/cli.out")" = 1 ]
}

@test "a bad hello closes that connection and the server keeps serving" {
	start_server --impl one-copy
	python3 - "$PORT" <<'PY'
import socket, struct, sys
port = int(sys.argv[1])
def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=5)
good = struct.pack("<IHBBIIQQ", 0x43534331, 1, 0, 0, 0, 0, 16384, 0)
cases = {
    "bad magic": b"GET / HTTP/1.1\r\n\r\n" + b"x" * 14,
    "bad version": good[:4] + struct.pack("<H", 9) + good[6:],
    "size zero": good[:16] + struct.pack("<Q", 0) + good[24:],
    "size huge": good[:16] + struct.pack("<Q", 1 << 40) + good[24:],
    "truncated": good[:11],
}
for name, data in cases.items():
    s = conn()
    s.sendall(data)
    if name == "truncated":
        s.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        chunk = s.recv(64)
        if not chunk:
            break
        reply += chunk
    s.close()
    # refused: at most a 16-byte reply with a non-zero status, then EOF
    assert len(reply) in (0, 16), (name, reply)
    if reply:
        assert struct.unpack_from("<H", reply, 6)[0] != 0, name
PY
	client_ok --size 1000
	stop_server
	grep -q 'bad hello magic' "$TMP/srv.err"
	grep -q 'hello size 0' "$TMP/srv.err"
}

@test "a fake server sending garbage makes the client fail with a clear line" {
	python3 - >"$TMP/fake.port" <<'PY' &
import socket, sys
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
srv.settimeout(20)
c, _ = srv.accept()
c.recv(64)
c.sendall(b"\xde\xad\xbe\xef" * 64)
c.close()
PY
	local fake=$!
	for _ in $(seq 100); do [ -s "$TMP/fake.port" ] && break; sleep 0.05; done
	run "$BIN/copyscope-client" --port "$(cat "$TMP/fake.port")" --duration 0.3
	wait "$fake" || true
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"not a copyscope server"* ]]
}

@test "a refused connection is a runtime failure" {
	start_server --impl one-copy
	local port=$PORT
	stop_server
	run "$BIN/copyscope-client" --port "$port" --duration 0.1
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused"* ]]
}

@test "bad command-line input gets one line naming it and exit 2" {
	local cli="$BIN/copyscope-client" srv="$BIN/copyscope-server"
	while IFS='|' read -r opt args; do
		run $args
		echo "$args -> $status: $output" >&2
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == *"$opt"* ]]
	done <<EOF2
--size|$cli --port 1 --size 0
--size|$cli --port 1 --size 65M
--threads|$cli --port 1 --threads 0
--threads|$cli --port 1 --threads 1025
--duration|$cli --port 1 --duration abc
--duration|$cli --port 1 --duration 0
--mode|$cli --port 1 --mode pingpong
--layout|$cli --port 1 --layout diagonal
--port|$cli --port 70000
--port|$cli --size 8
--bogus|$cli --port 1 --bogus
--ctl-fd|$cli --port 1 --ctl-fd 999
--cpus|$cli --port 1 --cpus 3-1
--cpus 1000: CPU 1000 is not available here|$cli --port 1 --cpus 1000
--cpus 0,1000: CPU 1000 is not available here|$srv --impl a1 --cpus 0,1000
--impl|$srv --impl foo
--impl|$srv
--port|$srv --impl a1 --port 70000
--host|$cli --port 1 --host
--interval|$cli --port 1 --interval 5ms
--interval|$cli --port 1 --interval abc
--interval 2|$cli --port 1 --duration 1 --interval 2
--intervals-out $TMP/no/such/dir/iv.csv: No such file|$cli --port 1 --intervals-out $TMP/no/such/dir/iv.csv
--thread-cpus|$cli --port 1 --thread-cpus 0,0
--thread-cpus|$cli --port 1 --thread-cpus 1-0
--thread-cpus|$srv --impl a1 --thread-cpus 0-1,1
--thread-cpus 0,1000: CPU 1000 is not available here|$cli --port 1 --thread-cpus 0,1000
--thread-cpus 1000: CPU 1000 is not available here|$srv --impl a1 --thread-cpus 1000
--thread-cpus: expected either --cpus or --thread-cpus, not both|$cli --port 1 --cpus 0 --thread-cpus 0
--thread-cpus: expected either --cpus or --thread-cpus, not both|$srv --impl a1 --thread-cpus 0 --cpus 0
EOF2
	[ ! -e "$TMP/no" ]
}

@test "--help names every option" {
	run "$BIN/copyscope-client" --help
	[ "$status" -eq 0 ]
	for o in host port size threads duration warmup mode layout busy-poll verify ctl-fd cpus \
		thread-cpus interval intervals-out; do
		[[ "$output" == *"--$o"* ]]
	done
	run "$BIN/copyscope-server" --help
	[ "$status" -eq 0 ]
	for o in impl host port ctl-fd cpus thread-cpus; do
		[[ "$output" == *"--$o"* ]]
	done
}

@test "the client's control socket handshake frames the window" {
	start_server --impl one-copy
	python3 - "$BIN/copyscope-client" "$PORT" >"$TMP/ctl.out" <<'PY'
import socket, subprocess, sys
ours, theirs = socket.socketpair()
p = subprocess.Popen([sys.argv[1], "--port", sys.argv[2], "--duration", "0.3",
                      "--ctl-fd", str(theirs.fileno()), "--verify"],
                     pass_fds=[theirs.fileno()], stdout=subprocess.PIPE)
theirs.close()
f = ours.makefile("rwb", buffering=0)
assert f.readline() == b"begin\n"
f.write(b"ok\n")
assert f.readline() == b"end\n"
f.write(b"ok\n")
out, _ = p.communicate(timeout=20)
assert p.returncode == 0, p.returncode
sys.stdout.write(out.decode())
PY
	[ "$(value verify_errors "$TMP/ctl.out")" = 0 ]
	[ "$(value bytes "$TMP/ctl.out")" -gt 0 ]
}

@test "a client whose control socket answers anything but ok fails" {
	start_server --impl one-copy
	python3 - "$BIN/copyscope-client" "$PORT" <<'PY'
import socket, subprocess, sys
ours, theirs = socket.socketpair()
p = subprocess.Popen([sys.argv[1], "--port", sys.argv[2], "--duration", "0.2",
                      "--ctl-fd", str(theirs.fileno())],
                     pass_fds=[theirs.fileno()], stderr=subprocess.PIPE)
theirs.close()
f = ours.makefile("rwb", buffering=0)
assert f.readline() == b"begin\n"
f.write(b"no\n")
_, err = p.communicate(timeout=20)
assert p.returncode == 1, p.returncode
assert b"control socket" in err, err
PY
}

@test "the server's control socket answers begin and end, then reports the window" {
	python3 - "$BIN/copyscope-server" >"$TMP/srv.out" <<'PY'
import signal, socket, subprocess, sys
ours, theirs = socket.socketpair()
p = subprocess.Popen([sys.argv[1], "--impl", "a2", "--ctl-fd", str(theirs.fileno())],
                     pass_fds=[theirs.fileno()], stdout=subprocess.PIPE)
theirs.close()
assert p.stdout.readline().startswith(b"listening 127.0.0.1:")
f = ours.makefile("rwb", buffering=0)
for word in (b"begin\n", b"end\n"):
    f.write(word)
    assert f.readline() == b"ok\n", word
p.send_signal(signal.SIGTERM)
out, _ = p.communicate(timeout=20)
assert p.returncode == 0, p.returncode
sys.stdout.write(out.decode())
PY
	[ "$(value impl "$TMP/srv.out")" = one-copy ]
	[ -n "$(value utime_s "$TMP/srv.out")" ]
	[ -n "$(value stime_s "$TMP/srv.out")" ]
}

@test "with a window, the server's msgs and zc_* cover it, not the whole stream" {
	# A client measuring 1 s after 0.5 s of warm-up; begin and end 0.3 s apart
	# inside its window. Counted over the whole stream, the server's msgs would
	# be about 1.5x the client's.
	python3 - "$BIN/copyscope-server" "$BIN/copyscope-client" >"$TMP/srv.out" <<'PY'
import re, signal, socket, subprocess, sys, time
ours, theirs = socket.socketpair()
p = subprocess.Popen([sys.argv[1], "--impl", "a3", "--ctl-fd", str(theirs.fileno())],
                     pass_fds=[theirs.fileno()], stdout=subprocess.PIPE)
theirs.close()
port = re.match(rb"listening 127\.0\.0\.1:(\d+)", p.stdout.readline()).group(1).decode()
c = subprocess.Popen([sys.argv[2], "--port", port, "--size", "16K", "--warmup", "0.5",
                      "--duration", "1"], stdout=subprocess.PIPE)
f = ours.makefile("rwb", buffering=0)
time.sleep(0.6)
for word in (b"begin\n", b"end\n"):
    f.write(word)
    assert f.readline() == b"ok\n", word
    time.sleep(0.3)
client, _ = c.communicate(timeout=30)
assert c.returncode == 0
p.send_signal(signal.SIGTERM)
out, _ = p.communicate(timeout=20)
assert p.returncode == 0, p.returncode
sys.stdout.write(out.decode())
sys.stdout.write("client_" + client.decode().replace("\n", "\nclient_"))
PY
	cat "$TMP/srv.out" >&2
	msgs=$(value msgs "$TMP/srv.out")
	[ "$msgs" -lt "$(value client_msgs "$TMP/srv.out")" ]
	sends=$(value zc_sends "$TMP/srv.out")
	[ "$msgs" -gt 0 ]
	# the ledger and the message count move together, within what is in flight
	[ "$sends" -le $((msgs + msgs / 4 + 64)) ]
	[ "$sends" -ge $((msgs - msgs / 4 - 64)) ]
}

@test "SIGINT stops the server cleanly while a client is connected" {
	sigint_with_client_connected zero-copy
}

@test "the client reads sizes and seconds as run and sweep files do: 16k, 300ms" {
	start_server --impl a2
	client_ok --size 16k --duration 300ms --warmup 100ms
	[ "$(value size "$TMP/cli.out")" = 16384 ]
	stop_server
}

# csv_sum COLUMN FILE: the sum of a column of an intervals CSV (by header name).
csv_sum() {
	awk -F, -v col="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ s += $c } END { printf "%.0f\n", s }' "$2"
}

@test "the client reports its window interval by interval, and the intervals add up to it" {
	start_server --impl one-copy
	client_ok --threads 2 --duration 0.6 --interval 100ms --intervals-out "$TMP/iv.csv"
	cat "$TMP/cli.out" "$TMP/iv.csv" >&2
	[ "$(value interval_s "$TMP/cli.out")" = 0.100000 ]
	[ "$(value intervals "$TMP/cli.out")" = 6 ] # enough for a step to be decided
	[ "$(head -n 1 "$TMP/iv.csv")" = t_s,bytes,gbps ]
	[ "$(grep -c . "$TMP/iv.csv")" = 7 ]
	# the last interval ends where the window does: together they are its bytes
	[ "$(csv_sum bytes "$TMP/iv.csv")" = "$(value bytes "$TMP/cli.out")" ]
	[ -n "$(value interval_cv "$TMP/cli.out")" ]
	step=$(value interval_step "$TMP/cli.out")
	[ "$step" = 0 ] || [ "$step" = 1 ]
	if [ "$step" = 0 ]; then
		[ "$(grep -c '^interval_step_ratio=' "$TMP/cli.out")" = 0 ]
	fi
}

@test "in rr mode the intervals count round trips too" {
	start_server --impl two-copy
	client_ok --mode rr --size 1000 --duration 0.4 --interval 0.1 --intervals-out "$TMP/iv.csv"
	cat "$TMP/iv.csv" >&2
	[ "$(head -n 1 "$TMP/iv.csv")" = t_s,bytes,gbps,round_trips ]
	[ "$(value intervals "$TMP/cli.out")" = 4 ]
	[ "$(csv_sum round_trips "$TMP/iv.csv")" = "$(value msgs "$TMP/cli.out")" ]
	[ "$(csv_sum bytes "$TMP/iv.csv")" = "$(value bytes "$TMP/cli.out")" ]
}

@test "a last partial interval is dropped from the series, not from the window" {
	start_server --impl one-copy
	client_ok --duration 0.25 --interval 0.1 --intervals-out "$TMP/iv.csv"
	[ "$(value intervals "$TMP/cli.out")" = 2 ]
	[ "$(grep -c . "$TMP/iv.csv")" = 3 ]
	[ "$(csv_sum bytes "$TMP/iv.csv")" -lt "$(value bytes "$TMP/cli.out")" ]
	[ -z "$(value interval_step "$TMP/cli.out")" ] # two intervals decide nothing
}

@test "a window shorter than the default interval has no intervals and no cv" {
	start_server --impl one-copy
	client_ok --duration 0.05 --warmup 0 --intervals-out "$TMP/iv.csv"
	[ "$(value intervals "$TMP/cli.out")" = 0 ]
	[ "$(grep -c '^interval_cv=' "$TMP/cli.out")" = 0 ]
	[ "$(cat "$TMP/iv.csv")" = t_s,bytes,gbps ]
}

# task_of PID NAME: the thread of PID named NAME (its /proc/PID/task/TID
# folder), waiting up to 10 s for it to appear.
task_of() {
	local t
	for _ in $(seq 100); do
		for t in /proc/"$1"/task/*; do
			if [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ]; then
				echo "$t"
				return 0
			fi
		done
		sleep 0.1
	done
	echo "no thread $2 in process $1" >&2
	return 1
}

# cpus_of TASKDIR: the CPUs that thread may run on, as the kernel lists them.
cpus_of() {
	sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$1/status"
}

@test "--thread-cpus pins connection i's thread on both sides to the i-th CPU of the list, cycling" {
	read -r a b _ < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')
	[ -n "$b" ] || skip "this test needs two CPUs it may run on"
	# spread: connection i's server and client threads on different CPUs
	start_server --impl one-copy --thread-cpus "$b,$a"
	"$BIN/copyscope-client" --port "$PORT" --threads 3 --duration 3 --verify \
		--thread-cpus "$a,$b" >"$TMP/cli.out" 2>"$TMP/cli.err" &
	local cli=$! t want
	local -A client_want=([0]=$a [1]=$b [2]=$a) server_want=([0]=$b [1]=$a [2]=$b)
	for i in 0 1 2; do
		t=$(task_of "$cli" "cli-conn-$i")
		want=${client_want[$i]}
		echo "client connection $i: $(cpus_of "$t"), want $want" >&2
		[ "$(cpus_of "$t")" = "$want" ]
		t=$(task_of "$SRV_PID" "srv-conn-$i")
		want=${server_want[$i]}
		echo "server connection $i: $(cpus_of "$t"), want $want" >&2
		[ "$(cpus_of "$t")" = "$want" ]
	done
	wait "$cli" || { cat "$TMP/cli.err" >&2; return 1; }
	[ "$(value verify_errors "$TMP/cli.out")" = 0 ]
	[ "$(value bytes "$TMP/cli.out")" -gt 0 ]
}
