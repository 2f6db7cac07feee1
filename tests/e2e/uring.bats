#!/usr/bin/env bats
# The io_uring zero-copy strategy (uring-zc, a4) end to end on 127.0.0.1:
# verified byte for byte, every notification accounted. Skipped, with the
# reason, where the build has no liburing or the machine refuses io_uring.
# Never asserts on timings.

setup() {
	BIN=${COPYSCOPE_BIN:-bin}
	SRV_PID=
	TMP=$(mktemp -d)
	if ! "$BIN/copyscope-server" --list-impls | grep -qx 'uring-zc a4'; then
		skip "copyscope-server does not list uring-zc: built without liburing (liburing-dev)"
	fi
}

teardown() {
	if [ -n "$SRV_PID" ]; then
		kill -TERM "$SRV_PID" 2>/dev/null || true
		wait "$SRV_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}

# start_server IMPL: background server, sets SRV_PID and PORT. A server that
# refuses at start because the kernel lacks io_uring zero-copy (its check:
# exit 1, one line naming what is missing) skips the test with that line.
start_server() {
	"$BIN/copyscope-server" --impl "$1" >"$TMP/srv.out" 2>"$TMP/srv.err" &
	SRV_PID=$!
	for _ in $(seq 100); do
		grep -q '^listening ' "$TMP/srv.out" 2>/dev/null && break
		if ! kill -0 "$SRV_PID" 2>/dev/null; then
			local rc=0
			wait "$SRV_PID" || rc=$?
			SRV_PID=
			if [ "$rc" -eq 1 ] && grep -q '^copyscope-server: uring-zc: io_uring' "$TMP/srv.err"; then
				skip "$(cat "$TMP/srv.err")"
			fi
			cat "$TMP/srv.err" >&2
			return 1
		fi
		sleep 0.05
	done
	PORT=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/srv.out")
	[ -n "$PORT" ]
}

# stop_server: SIGTERM, expect exit 0 and nothing on stderr; totals in srv.out.
stop_server() {
	kill -TERM "$SRV_PID"
	local rc=0
	wait "$SRV_PID" || rc=$?
	SRV_PID=
	cat "$TMP/srv.err" >&2
	[ "$rc" -eq 0 ]
	[ ! -s "$TMP/srv.err" ]
}

value() {
	sed -n "s/^$1=//p" "$2"
}

# client_ok ARGS...: a verified client; bytes > 0 and verify_errors=0.
client_ok() {
	"$BIN/copyscope-client" --port "$PORT" --duration 0.3 --warmup 0.1 --verify "$@" \
		>"$TMP/cli.out" 2>"$TMP/cli.err" || {
		echo "client $* failed:" >&2
		cat "$TMP/cli.err" >&2
		return 1
	}
	local bytes errors
	bytes=$(value bytes "$TMP/cli.out")
	errors=$(value verify_errors "$TMP/cli.out")
	[ "${bytes:-0}" -gt 0 ] || { echo "client $*: bytes=$bytes" >&2; return 1; }
	[ "$errors" = 0 ] || { echo "client $*: verify_errors=$errors" >&2; return 1; }
	[ "$(value impl "$TMP/cli.out")" = uring-zc ]
}

# Every request that took bytes got its notification, and on loopback every
# notification says IORING_NOTIF_USAGE_ZC_COPIED: the receiving socket is
# local, so the kernel copies the pinned pages before queueing them to it
# (skb_orphan_frags_rx), exactly as MSG_ZEROCOPY reports ZEROCOPY_COPIED.
notifications_balance() {
	local sends done copied enobufs
	sends=$(value zc_sends "$TMP/srv.out")
	done=$(value zc_completions "$TMP/srv.out")
	copied=$(value zc_copied "$TMP/srv.out")
	enobufs=$(value zc_enobufs "$TMP/srv.out")
	echo "zc_sends=$sends zc_completions=$done zc_copied=$copied zc_enobufs=$enobufs" >&2
	[ "$sends" -gt 0 ]
	[ "$done" = "$sends" ]
	[ "$copied" = "$done" ]
	[ -n "$enobufs" ]
}

# sizes MODE: one server, 4 threads, 1000 B and 64 KiB.
sizes() {
	start_server uring-zc
	for size in 1000 65536; do
		client_ok --mode "$1" --size "$size" --threads 4
		[ "$(value threads "$TMP/cli.out")" = 4 ]
		if [ "$1" = rr ]; then
			[ -n "$(value lat_p99_us "$TMP/cli.out")" ]
		fi
	done
	stop_server
	[ "$(value impl "$TMP/srv.out")" = uring-zc ]
	[ "$(value conns "$TMP/srv.out")" = 8 ]
	[ "$(value msgs "$TMP/srv.out")" -gt 0 ]
	notifications_balance
}

@test "uring-zc is listed with its alias a4" {
	run "$BIN/copyscope-server" --list-impls
	[ "$status" -eq 0 ]
	[[ "$output" == *"uring-zc a4"* ]]
}

@test "uring-zc stream, 1000 B and 64 KiB on 4 threads, verifies and accounts every notification" {
	sizes stream
}

@test "uring-zc rr, 1000 B and 64 KiB on 4 threads, verifies and accounts every notification" {
	sizes rr
}

@test "uring-zc verifies contiguous, tiny, odd and large messages" {
	start_server a4
	client_ok --layout contiguous --size 65536 --threads 2
	client_ok --size 8
	client_ok --size 12345 --threads 3
	client_ok --mode rr --size 1048577 --threads 2
	stop_server
	notifications_balance
}

@test "SIGINT stops a uring-zc server cleanly while a client is connected" {
	start_server uring-zc
	"$BIN/copyscope-client" --port "$PORT" --size 65536 --duration 30 >/dev/null 2>&1 &
	local cli=$!
	sleep 0.3
	kill -INT "$SRV_PID"
	local rc=0
	wait "$SRV_PID" || rc=$?
	SRV_PID=
	wait "$cli" || true
	[ "$rc" -eq 0 ]
	[ "$(value conns "$TMP/srv.out")" = 1 ]
	[ "$(value zc_completions "$TMP/srv.out")" = "$(value zc_sends "$TMP/srv.out")" ]
}

@test "the harness runs uring-zc like any other strategy" {
	[ -x "$BIN/copyscope" ] || skip "no $BIN/copyscope"
	start_server uring-zc # only to skip where the kernel refuses
	stop_server
	run "$BIN/copyscope" run --impl a4 --size 16384 --threads 2 --duration 0.3
	echo "$output" >&2
	[ "$status" -eq 0 ]
	python3 - "$output" <<'PY'
import csv, io, sys
rows = list(csv.DictReader(io.StringIO(sys.argv[1])))
assert len(rows) == 1, rows
r = rows[0]
assert r["impl"] == "uring-zc", r["impl"]
assert r["status"] == "ok", r["status"]
assert int(r["zc_sends"]) > 0 and r["zc_completions"] == r["zc_sends"], r
PY
}
