#!/usr/bin/env bats
# copyscope agent on 127.0.0.1 (no root needed): how it starts, its key file,
# hostile peers speaking the agent protocol (tests/e2e/agent_client.py, a
# second implementation of harness/agentwire.h written from the header), and
# `copyscope run --remote` against it end to end. Each hostile case is
# refused as the protocol says, with one line on the agent's stderr naming
# the peer, and the same agent serves a correct session after it.
# remote.bats runs the agent and the harness in two network namespaces.

load harness_helpers
load workload_helpers
load agent_helpers

setup() {
	harness_setup
	EV=perfcfg/events/software.events
	agent_setup
}

teardown() {
	stop_agent
}

# remote_run ARGS...: `copyscope run` against the agent with a short stream
# run, its row into $T/runs.csv (run's status and output as bats's run sets them).
remote_run() {
	run "$CS" run --remote "127.0.0.1:$AGENT_PORT" --key-file "$T/agent.key" --impl two-copy \
		--size 1K --duration 0.2 --warmup 0.1 --events "$EV" --out "$T/runs.csv" "$@"
	echo "$output"
}

@test "the agent says where it listens, and that loopback is all it accepts" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	[ "$(cat "$T/agent.err")" = "copyscope agent: listening on 127.0.0.1:$AGENT_PORT (loopback only: other hosts cannot reach it; --listen ADDR to accept them)" ]
	[ "$AGENT_PORT" -gt 0 ]
}

@test "a key file others may read or write is refused at start: exit 2, one line" {
	for mode in 644 640 604 660 606; do
		cp "$T/agent.key" "$T/k$mode"
		chmod "$mode" "$T/k$mode"
		run timeout 10 "$CS" agent --key-file "$T/k$mode" --listen 127.0.0.1:0
		echo "$mode -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[ "$output" = "copyscope agent: key file $T/k$mode: readable or writable by others; chmod 600 $T/k$mode" ]
	done
}

@test "a key too short, not a file, absent, or no --key-file at all: exit 2, one line" {
	printf '0123456789abcde\n' >"$T/short" # 15 bytes of key
	chmod 600 "$T/short"
	mkdir -m 700 "$T/dir"
	K="--key-file $T/agent.key"
	for args in "--key-file $T/short --listen 127.0.0.1:0" "--key-file $T/dir --listen 127.0.0.1:0" \
		"--key-file $T/none --listen 127.0.0.1:0" "--listen 127.0.0.1:0" \
		"$K --listen 127.0.0.1:99999" "$K --listen localhost:0" "$K --listen 127.0.0.1:x"; do
		run timeout 10 "$CS" agent $args
		echo "$args -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "copyscope agent: "* ]]
	done
}

@test "--new-key writes 64 hex digits, mode 600 whatever the umask, and never replaces a file" {
	run bash -c "umask 000 && '$CS' agent --new-key '$T/new.key'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$T/new.key")" = 600 ]
	grep -Eqx '[0-9a-f]{64}' "$T/new.key"
	[ "$(wc -c <"$T/new.key")" -eq 65 ]
	cp "$T/new.key" "$T/before"
	run "$CS" agent --new-key "$T/new.key"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"$T/new.key: exists"* ]]
	cmp "$T/new.key" "$T/before"
	[ "$(stat -c %a "$T/new.key")" = 600 ]
	# two keys made one after the other differ
	"$CS" agent --new-key "$T/other.key" >/dev/null
	run cmp -s "$T/new.key" "$T/other.key"
	[ "$status" -eq 1 ]
	# alone: with anything else it writes nothing
	run "$CS" agent --new-key "$T/third.key" --key-file "$T/agent.key"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$T/third.key" ]
}

@test "a correct session: the agent's HELLO, WELCOME and a tagged MACHINE, one line logged" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	since=$(log_lines)
	run client handshake
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "OK host=$(uname -n) copyscope="* ]]
	logged 1 ': done: no run$' "$since"
}

@test "a wrong key and a replayed AUTH are refused with reason auth, one line each" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	refused wrong-key replay
	[ "$(grep -c ': refused: wrong key$' "$T/agent.err")" -eq 2 ]
}

@test "malformed frames before authentication: refused, one line each, the agent serves on" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	refused random truncated oversize bad-magic bad-version out-of-turn auth-bad-hex \
		auth-extra-key
}

@test "tampered, replayed, reordered or untagged frames in a session: refused, one line each" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	refused bad-tag no-tag replay-frame skip-seq reflect unknown-type oversize-session
	[ "$(grep -c 'its tag does not match' "$T/agent.err")" -ge 5 ]
}

@test "payloads outside the message table: refused with reason protocol, one line each" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	refused unknown-key missing-key dup-key bad-key-chars ctrl-value nul long-value long-key \
		many-lines auth-again begin-before-run run-before-events
}

@test "a run's fields outside a local run's bounds: refused, no server started" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	refused bad-impl bad-cpus bad-thread-cpus bad-window bad-events
	[ -z "$(agent_children)" ]
	run grep -c ': done: impl=' "$T/agent.err"
	[ "$output" = 0 ] # not one run was started
}

@test "a shell command in impl or cpus is refused, and never runs" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	refused shell shell-cpus
	[ ! -e "$T/pwned" ]
}

@test "a peer that stops mid-frame, or says nothing, is dropped after the 5 s handshake time-out" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	refused truncated-wait silent
	[ "$(grep -c ': timeout: ' "$T/agent.err")" -eq 2 ]
}

@test "idle connections hold neither the agent nor its session: a harness behind ten gets ok at once, each idle one is dropped at the handshake time-out, one line each" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	since=$(log_lines)
	client idle --count 10 >"$T/idle.out" 2>&1 3>&- &
	idle=$!
	for _ in $(seq 100); do
		grep -q '^idle connections open' "$T/idle.out" && break
		sleep 0.05
	done
	grep -qx 'idle connections open: 10' "$T/idle.out"
	t0=$(date +%s.%N)
	remote_run
	t1=$(date +%s.%N)
	[ "$status" -eq 0 ]
	[ "$(col status "$T/runs.csv")" = ok ]
	# a protocol deadline, not a performance number: well inside the 5 s an idle
	# peer may keep its handshake, which the run must not have waited for
	awk -v a="$t0" -v b="$t1" 'BEGIN { d = b - a; print "the run took " d " s"; exit !(d < 4) }'
	rc=0
	wait "$idle" || rc=$?
	cat "$T/idle.out"
	[ "$rc" -eq 0 ]
	for p in $(sed -n 's/^peer=//p' "$T/idle.out"); do
		peer_logged "$p" "$since"
	done
	# 8 handshakes at most at once: the harness and the 9th and 10th took the
	# slots of the 3 oldest; the other 7 timed out
	added=$(tail -n +"$((since + 1))" "$T/agent.err")
	echo "$added"
	[ "$(grep -c ': timeout: no AUTH within 5 s (0 bytes came)$' <<<"$added")" -eq 7 ]
	[ "$(grep -c ': dropped: 8 handshakes under way, this one the oldest$' <<<"$added")" -eq 3 ]
	serves
}

@test "refusals are logged at a bounded rate: 200 connections during a held session make a few lines and one that sums up the rest" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	client hold --hold 4 >"$T/hold.out" 2>&1 3>&- &
	holder=$!
	for _ in $(seq 100); do
		grep -q '^held$' "$T/hold.out" && break
		sleep 0.05
	done
	grep -q '^held$' "$T/hold.out"
	for _ in $(seq 200); do
		exec 5<>"/dev/tcp/127.0.0.1/$AGENT_PORT"
		exec 5>&-
	done
	rc=0
	wait "$holder" || rc=$?
	cat "$T/hold.out"
	[ "$rc" -eq 0 ]
	# the sum comes 5 s after the first line left out: within 10 s
	for _ in $(seq 200); do
		one=$(grep -c ': refused: busy (a session with 127\.0\.0\.1:[0-9]* is running)$' "$T/agent.err") || true
		summed=$(sed -n 's/^copyscope agent: \([0-9]*\) more connections refused (busy) in the last [0-9]* s, not logged one by one$/\1/p' \
			"$T/agent.err" | awk '{ n += $1 } END { print n + 0 }')
		[ $((one + summed)) -ge 200 ] && break
		sleep 0.05
	done
	cat "$T/agent.err"
	echo "one by one: $one, summed up: $summed"
	[ "$one" -ge 10 ] # a burst, as a test's sequence of refusals
	[ "$one" -le 20 ]
	[ "$summed" -gt 0 ]
	[ $((one + summed)) -eq 200 ]
	serves
}

@test "a second harness is told busy while a session is held; the held session goes on" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	refused busy
	grep -q ': refused: busy (a session with 127\.0\.0\.1:[0-9]* is running)$' "$T/agent.err"
}

@test "after every kind of hostile peer, copyscope run --remote still gets an ok row" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	for c in $(python3 "$CLIENT" --port 1 --key /dev/null list); do
		case $c in truncated-wait | silent | idle) continue ;; esac # the tests below and above: 5 s each
		client "$c" >/dev/null || { echo "$c was not refused" >&2; false; }
	done
	kill -0 "$AGENT_PID"
	remote_run
	[ "$status" -eq 0 ]
	[ "$(col status "$T/runs.csv")" = ok ]
	[ -z "$(agent_children)" ]
}

@test "copyscope run --remote: one row, topology remote, the server's columns counted by the agent" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	remote_run
	[ "$status" -eq 0 ]
	[ "$(col topology "$T/runs.csv")" = remote ]
	[ "$(col status "$T/runs.csv")" = ok ]
	[ "$(col impl "$T/runs.csv")" = two-copy ]
	[ "$(col bytes "$T/runs.csv")" -gt 0 ]
	# the server's own totals, relayed: it sent what the client received (TCP_INFO)
	sent=$(col srv_tcp_bytes_sent "$T/runs.csv")
	[ "$sent" -gt 0 ]
	# its counters, read by the agent on the server: task-clock agrees with its own
	# CPU time. Where this user may count nothing here (perf_event_paranoid, not
	# root), the client's counters are empty too, and so must the server's be.
	if [ -n "$(col cli_task_clock "$T/runs.csv")" ]; then
		task_clock_matches_cpu srv "$T/runs.csv"
		[ "$(col srv_task_clock_running "$T/runs.csv")" = 1 ]
		[[ "$(col srv_ctx_switches "$T/runs.csv")" =~ ^[0-9]+$ ]]
		# where it ran (per-CPU task-clock), on the far host's CPUs
		[[ "$(col srv_cpus "$T/runs.csv")" =~ ^[0-9]+:[0-9] ]]
	else
		echo "no counter here for $(id -un): both sides' counter cells stay empty"
		empty_col srv_task_clock "$T/runs.csv"
		empty_col srv_ctx_switches "$T/runs.csv"
	fi
	# what two hosts cannot share stays empty
	empty_col placed "$T/runs.csv"
	empty_col cpu_overlap "$T/runs.csv"
	logged 1 ": done: impl=two-copy status=ok$"
	[ -z "$(agent_children)" ]
}

@test "copyscope run --remote with request/response and zero-copy: ok rows" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	remote_run --mode rr --verify
	[ "$status" -eq 0 ]
	[ "$(col status "$T/runs.csv")" = ok ]
	[ -n "$(col lat_p99_us "$T/runs.csv")" ]
	[ "$(col verify_errors "$T/runs.csv")" = 0 ]
	run "$CS" run --remote "127.0.0.1:$AGENT_PORT" --key-file "$T/agent.key" --impl zero-copy \
		--size 16K --duration 0.2 --warmup 0.1 --events "$EV" --out "$T/zc.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(col status "$T/zc.csv")" = ok ]
	[ "$(col zc_completions "$T/zc.csv")" -gt 0 ] # the far server's own totals
}

@test "a wrong key: status failed:agent_auth, exit 1, the agent logs one line" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	"$CS" agent --new-key "$T/wrong.key" >/dev/null
	since=$(log_lines)
	run "$CS" run --remote "127.0.0.1:$AGENT_PORT" --key-file "$T/wrong.key" --impl two-copy \
		--size 1K --duration 0.2 --warmup 0.1 --events "$EV" --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(col status "$T/runs.csv")" = failed:agent_auth ]
	[ "$(col topology "$T/runs.csv")" = remote ]
	# one line, naming the harness's address
	logged 1 '^copyscope agent: 127\.0\.0\.1:[0-9]+: refused: wrong key$' "$since"
	[ "$(log_lines)" -eq $((since + 1)) ]
	serves
}

@test "no agent listening: status failed:agent_connect, exit 1" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	stop_agent # its port is free now
	remote_run
	[ "$status" -eq 1 ]
	[ "$(col status "$T/runs.csv")" = failed:agent_connect ]
	[ "$(col topology "$T/runs.csv")" = remote ]
}

@test "bad --remote input: exit 2, one line, nothing written, the agent never contacted" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	cp "$T/agent.key" "$T/k644"
	chmod 644 "$T/k644"
	since=$(log_lines)
	A="127.0.0.1:$AGENT_PORT"
	K="--key-file $T/agent.key"
	for args in "--remote $A" "--remote $A $K --placement same" "--remote $A $K --placement spread" \
		"--remote $A $K --sample" "--remote $A $K --server-cpus 0" \
		"--remote $A $K --topology netns" "--remote $A $K --mtu 9000" "$K" "--topology remote" \
		"--topology remote $K" "--remote 127.0.0.1:70000 $K" "--remote 127.0.0.1:0 $K" \
		"--remote :$AGENT_PORT $K" "--remote $A --key-file $T/k644" "--remote $A --key-file $T/none"; do
		run "$CS" run $args --impl two-copy --size 1K --duration 0.2 --warmup 0.1 \
			--events "$EV" --out "$T/runs.csv"
		echo "$args -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "copyscope run: "* ]]
		[ ! -e "$T/runs.csv" ]
	done
	[ "$(log_lines)" -eq "$since" ]
}

@test "SIGTERM to the agent mid-run: the row is failed:agent_stopped (or agent_closed, if the harness saw the close first), no server left" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0
	"$CS" run --remote "127.0.0.1:$AGENT_PORT" --key-file "$T/agent.key" --impl one-copy \
		--size 16K --duration 3 --warmup 0.1 --events "$EV" --out "$T/runs.csv" \
		>"$T/cs.out" 2>"$T/cs.err" 3>&- &
	cs=$!
	srv=$(agent_child)
	sleep 0.5
	pid=$AGENT_PID
	AGENT_PID=
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] # stopped by SIGTERM: exit 0, its session ended
	rc=0
	wait "$cs" || rc=$?
	cat "$T/cs.err"
	[ "$rc" -eq 1 ]
	st=$(col status "$T/runs.csv")
	echo "status=$st"
	[[ "$st" == failed:agent_stopped || "$st" == failed:agent_closed ]]
	gone_pid "$srv"
	grep -q ': ended: the agent was stopped (SIGTERM)$' "$T/agent.err"
	run grep -Eq "$SANITIZER_REPORT" "$T/agent.err"
	[ "$status" -eq 1 ]
}

@test "--once: one session, then exit 0 when it ended well, 1 when it was refused" {
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0 --once
	serves
	rc=0
	wait "$AGENT_PID" || rc=$?
	AGENT_PID=
	[ "$rc" -eq 0 ]
	start_agent --key-file "$T/agent.key" --listen 127.0.0.1:0 --once
	client wrong-key
	rc=0
	wait "$AGENT_PID" || rc=$?
	AGENT_PID=
	[ "$rc" -eq 1 ]
}
