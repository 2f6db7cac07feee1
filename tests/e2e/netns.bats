#!/usr/bin/env bats
# copyscope run --topology netns: server and client in two network namespaces
# joined by a veth pair, built for the run and always removed after it — after
# a normal run, a failed one, an interrupted harness and a killed one.
#
# Needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) and iproute2: every test that
# builds a link skips with the reason otherwise. Other copyscope processes may
# build links at the same time (namespaces cs-<their pid>-*), so "nothing left
# behind" is checked on the namespaces of the harness under test, and on the
# links of the namespace the tests run in.

load harness_helpers

setup() {
	harness_setup
	EV=perfcfg/events/software.events
	U=$(mktemp -d /tmp/copyscope-netns.XXXXXX) # outside $T: nobody may not reach that
}

teardown() { # a failed test must not leave its decoys behind either
	local ns
	if [ -n "${U:-}" ]; then rm -rf "$U"; fi
	for ns in cs-notours "cs-$$-0-srv" "cs-${DEAD_PID:-x}-0-srv"; do
		if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
	done
	return 0
}

need_root() { need_netns "the netns topology creates namespaces and a veth pair"; }

# The namespaces a harness with pid PID made (cs-PID-*), one a line; fails when
# ip cannot list them.
ours() {
	local list
	list=$(ip netns list) || return 1
	awk -v p="cs-$1-" 'index($1, p) == 1 { print $1 }' <<<"$list"
}

# none_ours PID: the harness with pid PID left no namespace; fails naming those it
# left, or when ip cannot list them ([ -z "$(ours PID)" ] would pass then).
none_ours() {
	local left
	[ -n "$1" ] || { echo "none_ours: no pid" >&2; return 1; }
	left=$(ours "$1") || return 1
	[ -z "$left" ] || { echo "left behind: $left" >&2; return 1; }
}

# What must be the same before and after a run: the other namespaces (not
# copyscope's) and the links of this namespace.
world() {
	ip netns list | awk '$1 !~ /^cs-[0-9]+-[0-9]+-(srv|cli)$/ { print $1 }' | sort
	ip -o link show | awk -F': ' '{ print $2 }' | sort
}

# Starts copyscope run ARGS... in the background, recording its pid in $T/cs.pid
# and its exit status in $T/cs.rc once it ends.
start_bg() {
	(
		"$CS" run "$@" >"$T/cs.out" 2>"$T/cs.err" &
		echo $! >"$T/cs.pid"
		rc=0
		wait $! || rc=$?
		echo "$rc" >"$T/cs.rc"
	) &
	for _ in $(seq 100); do
		[ -s "$T/cs.pid" ] && return 0
		sleep 0.05
	done
	return 1
}

# Waits up to 10 s until the harness in the background has its link up.
wait_link() {
	local pid
	pid=$(cat "$T/cs.pid")
	for _ in $(seq 200); do
		ip -n "cs-$pid-0-cli" -o link show cs-cli 2>/dev/null | grep -q 'state UP' && return 0
		sleep 0.05
	done
	echo "no link up in cs-$pid-0-cli" >&2
	return 1
}

# Waits up to 30 s for the background harness to end; prints its exit status.
wait_bg() {
	for _ in $(seq 600); do
		if [ -s "$T/cs.rc" ]; then
			cat "$T/cs.rc"
			return 0
		fi
		sleep 0.05
	done
	kill -KILL "$(cat "$T/cs.pid")"
	echo "harness still running after 30 s" >&2
	return 1
}

# unprivileged ARGS...: `run copyscope ARGS...` as nobody without capabilities when
# we are root (as we are otherwise); $U (see setup) is a folder it may write.
unprivileged() {
	if [ "$(id -u)" -ne 0 ]; then
		run "$CS" "$@"
		return
	fi
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to drop root"
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all true 2>/dev/null ||
		skip "setpriv cannot drop to nobody here"
	[ -x "$CS" ] && setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		test -x "$CS" || skip "nobody cannot reach $CS"
	chmod 777 "$U"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$CS" "$@"
}

@test "every strategy streams verified bytes across the namespaces" {
	need_root
	impls=$("$BIN/copyscope-server" --list-impls | awk '{ print $1 }')
	[ -n "$impls" ]
	for impl in $impls; do
		run "$CS" run --topology netns --impl "$impl" --size 16K --warmup 0.1 --duration 0.4 \
			--verify --events "$EV" --out "$T/$impl.csv"
		echo "$impl -> $status: $output"
		[ "$status" -eq 0 ]
		[ "$(col status "$T/$impl.csv")" = ok ]
		[ "$(col topology "$T/$impl.csv")" = netns ]
		[ "$(col bytes "$T/$impl.csv")" -gt 0 ]
		[ "$(col verify_errors "$T/$impl.csv")" = 0 ]
	done
}

@test "request/response crosses the namespaces too" {
	need_root
	run "$CS" run --topology netns --impl two-copy --size 256 --mode rr --warmup 0.1 \
		--duration 0.4 --verify --events "$EV" --out "$T/rr.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(col status "$T/rr.csv")" = ok ]
	[ -n "$(col lat_p99_us "$T/rr.csv")" ]
}

@test "zero-copy over veth: completions counted, every one copied because the receiver is local" {
	need_root
	run "$CS" run --topology netns --impl zero-copy --size 64K --warmup 0.1 --duration 0.4 \
		--events "$EV" --out "$T/zc.csv"
	[ "$status" -eq 0 ]
	[ "$(col status "$T/zc.csv")" = ok ]
	completions=$(col zc_completions "$T/zc.csv")
	copied=$(col zc_copied "$T/zc.csv")
	echo "zc_completions=$completions zc_copied=$copied"
	[ "$completions" -gt 0 ]
	# the receiver is a local socket: the kernel copies every zero-copy send (README)
	[ "$copied" -eq "$completions" ]
}

@test "the row says topology=netns, the veth's MTU (1500 by default) and its offloads" {
	need_root
	run "$CS" run --topology netns --impl one-copy --size 4K --warmup 0 --duration 0.3 \
		--events "$EV" --out "$T/runs.csv"
	[ "$status" -eq 0 ]
	[ "$(col topology "$T/runs.csv")" = netns ]
	[ "$(col mtu "$T/runs.csv")" = 1500 ]
	[[ "$(col offloads "$T/runs.csv")" =~ ^tso=(on|off|\?)\;gso=(on|off|\?)\;gro=(on|off|\?)$ ]]
}

@test "--mtu 9000 and --mtu 65535 are set on the veth and recorded" {
	need_root
	for mtu in 9000 65535; do
		run "$CS" run --topology netns --mtu "$mtu" --impl one-copy --size 64K --warmup 0 \
			--duration 0.3 --verify --events "$EV" --out "$T/$mtu.csv"
		echo "$output"
		[ "$status" -eq 0 ]
		[ "$(col mtu "$T/$mtu.csv")" = "$mtu" ]
		[ "$(col verify_errors "$T/$mtu.csv")" = 0 ]
	done
}

@test "the link exists while the run lasts, in namespaces only, with the asked MTU" {
	need_root
	start_bg --topology netns --mtu 9000 --impl one-copy --size 4K --warmup 0 --duration 2 \
		--events "$EV" --out "$T/runs.csv"
	wait_link
	pid=$(cat "$T/cs.pid")
	ip -n "cs-$pid-0-srv" -o link show cs-srv | grep -q 'mtu 9000 .*state UP'
	ip -n "cs-$pid-0-cli" -o addr show cs-cli | grep -q 'inet 198\.18\.0\.2/30'
	links=$(ip -o link show)
	[[ "$links" != *cs-srv* ]] # not in the namespace the tests run in
	[[ "$links" != *cs-cli* ]]
	[ "$(wait_bg)" = 0 ]
	none_ours "$pid"
}

@test "teardown leaves nothing behind after a run" {
	need_root
	world >"$T/before"
	start_bg --topology netns --impl two-copy --size 4K --warmup 0 --duration 0.3 \
		--events "$EV" --out "$T/runs.csv"
	[ "$(wait_bg)" = 0 ]
	none_ours "$(cat "$T/cs.pid")"
	world >"$T/after"
	diff "$T/before" "$T/after"
}

@test "a server killed mid-run: status failed, exit 1, nothing left behind" {
	need_root
	world >"$T/before"
	wrapper srv "$BIN/copyscope-server" '( sleep 1; kill -KILL $$ ) </dev/null >/dev/null 2>&1 &'
	wrapper cli "$BIN/copyscope-client"
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" \
		start_bg --topology netns --impl one-copy --size 16K --warmup 0.2 --duration 3 \
		--events "$EV" --out "$T/runs.csv"
	[ "$(wait_bg)" = 1 ]
	[ "$(col status "$T/runs.csv")" = failed:server_signal_SIGKILL ]
	[ "$(col topology "$T/runs.csv")" = netns ]
	none_ours "$(cat "$T/cs.pid")"
	gone "$T/srv.pid" "$T/cli.pid"
	world >"$T/after"
	diff "$T/before" "$T/after"
}

@test "SIGINT to the harness mid-run: exit 130, status interrupted, nothing left behind" {
	need_root
	world >"$T/before"
	start_bg --topology netns --impl one-copy --size 16K --warmup 0 --duration 20 \
		--events "$EV" --out "$T/runs.csv"
	wait_link
	sleep 0.5
	kill -INT "$(cat "$T/cs.pid")"
	[ "$(wait_bg)" = 130 ]
	[ "$(col status "$T/runs.csv")" = interrupted ]
	none_ours "$(cat "$T/cs.pid")"
	world >"$T/after"
	diff "$T/before" "$T/after"
}

@test "SIGTERM to the harness mid-run: exit 143, nothing left behind" {
	need_root
	world >"$T/before"
	start_bg --topology netns --impl zero-copy --size 16K --warmup 0 --duration 20 \
		--events "$EV" --out "$T/runs.csv"
	wait_link
	sleep 0.5
	kill -TERM "$(cat "$T/cs.pid")"
	[ "$(wait_bg)" = 143 ] # 128 + SIGTERM (docs/failures.md)
	none_ours "$(cat "$T/cs.pid")"
	world >"$T/after"
	diff "$T/before" "$T/after"
}

@test "a SIGKILLed harness leaves namespaces that the next netns run removes" {
	need_root
	start_bg --topology netns --impl one-copy --size 4K --warmup 0 --duration 20 \
		--events "$EV" --out "$T/killed.csv"
	wait_link
	pid=$(cat "$T/cs.pid")
	kill -KILL "$pid"
	wait_bg || true
	[ -n "$(ours "$pid")" ] # nothing can clean up after SIGKILL...
	run "$CS" run --topology netns --impl one-copy --size 4K --warmup 0 --duration 0.2 \
		--events "$EV" --out "$T/next.csv"
	[ "$status" -eq 0 ]
	none_ours "$pid" # ...but the next run does
}

@test "the stale sweep removes only copyscope's namespaces of dead processes" {
	need_root
	sh -c 'exit 0' &
	DEAD_PID=$!
	wait "$DEAD_PID" || true
	if kill -0 "$DEAD_PID" 2>/dev/null; then skip "pid $DEAD_PID was reused at once"; fi
	ip netns add cs-notours
	ip netns add "cs-$$-0-srv"         # copyscope-like, but its pid (this shell) runs
	ip netns add "cs-$DEAD_PID-0-srv" # left by a dead copyscope
	run "$CS" run --topology netns --impl one-copy --size 4K --warmup 0 --duration 0.2 \
		--events "$EV" --out "$T/runs.csv"
	[ "$status" -eq 0 ]
	list=$(ip netns list)
	grep -qx 'cs-notours\( .*\)\?' <<<"$list"
	grep -q "^cs-$$-0-srv" <<<"$list"
	run grep -q "^cs-$DEAD_PID-0-srv" <<<"$list"
	[ "$status" -eq 1 ]
}

@test "a link that cannot be built: exit 1, failed:harness, what was built is removed" {
	need_root
	# an ip that builds the namespaces and the pair but refuses addresses
	cat >"$T/ip" <<SH
#!/bin/sh
for a in "\$@"; do [ "\$a" = addr ] && { echo "RTNETLINK answers: Operation not supported" >&2; exit 2; }; done
exec $(command -v ip) "\$@"
SH
	chmod +x "$T/ip"
	world >"$T/before"
	COPYSCOPE_IP="$T/ip" start_bg --topology netns --impl one-copy --size 4K --duration 0.3 \
		--events "$EV" --out "$T/runs.csv"
	[ "$(wait_bg)" = 1 ]
	[ "$(col status "$T/runs.csv")" = failed:harness ]
	grep -q 'RTNETLINK answers: Operation not supported' "$T/cs.err"
	none_ours "$(cat "$T/cs.pid")"
	world >"$T/after"
	diff "$T/before" "$T/after"
}

@test "a sweep with both topologies: rows for loopback and netns, nothing left behind" {
	need_root
	mkdir -p "$T/sweeps" "$T/events"
	cp "$EV" "$T/events/"
	printf '%s\n' "impls = one-copy zero-copy" "sizes = 4K" "threads = 1" "modes = stream" \
		"topologies = loopback netns" "reps = 1" "duration = 0.2" "warmup = 0" \
		"events = software" >"$T/sweeps/topo.ini"
	world >"$T/before"
	run "$CS" sweep "$T/sweeps/topo.ini" --out "$T/res" --quiet
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "topology") c = i; next }
		{ print $c }' "$T/res/runs.csv" | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')" = \
		"loopback=2 netns=2 " ]
	[ "$(grep -c ',netns,' "$T/res/summary.csv")" = 2 ]
	world >"$T/after"
	diff "$T/before" "$T/after"
}

@test "without CAP_NET_ADMIN: one line that says so, exit 2, nothing run or written" {
	unprivileged run --topology netns --impl one-copy --size 4K --duration 0.3 --out "$U/runs.csv"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "copyscope run: --topology netns: needs CAP_NET_ADMIN (run as root); loopback works unprivileged" ]
	[ ! -e "$U/runs.csv" ]
}

@test "loopback still works unprivileged and records lo's MTU" {
	unprivileged run --impl one-copy --size 4K --warmup 0 --duration 0.3 --events "$EV" \
		--out "$U/runs.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(col topology "$U/runs.csv")" = loopback ]
	[ "$(col mtu "$U/runs.csv")" = "$(cat /sys/class/net/lo/mtu)" ]
}

@test "bad --topology and --mtu are refused with one line and exit 2" {
	for args in "--topology bridge" "--topology netns --mtu 67" "--topology netns --mtu 65536" \
		"--topology netns --mtu 9k" "--mtu 9000"; do
		run "$CS" run --impl one-copy --size 64 --duration 1 $args --out "$T/runs.csv"
		echo "$args -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "copyscope run: "* ]]
	done
	[ ! -e "$T/runs.csv" ]
}
