#!/usr/bin/env bats
# The io_uring zero-copy strategy (uring-zc, a4) end to end on 127.0.0.1:
# verified byte for byte, every notification accounted. Skipped, with the
# reason, only where the machine refuses io_uring (workload_helpers.bash,
# URING_CANNOT). A build without uring-zc fails every test here: `make check`
# installs liburing-dev and builds every strategy, so a server that leaves
# uring-zc out is a build that forgot it. Never asserts on timings.

load workload_helpers

setup() {
	wl_setup
	if ! "$BIN/copyscope-server" --list-impls | grep -qx 'uring-zc a4'; then
		echo "$BIN/copyscope-server does not list uring-zc a4; its --list-absent says:" >&2
		"$BIN/copyscope-server" --list-absent >&2 || echo "(--list-absent failed)" >&2
		echo "every strategy must be built for the tests (make check installs liburing-dev)" >&2
		return 1
	fi
}

teardown() {
	wl_teardown
}

# stop_server, and the server said nothing on stderr.
stop_server_quietly() {
	stop_server
	cat "$TMP/srv.err" >&2
	[ ! -s "$TMP/srv.err" ]
}

# client_ok, and the server really ran uring-zc.
uring_client_ok() {
	client_ok "$@" && [ "$(value impl "$TMP/cli.out")" = uring-zc ]
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
	start_server --impl uring-zc
	for size in 1000 65536; do
		uring_client_ok --mode "$1" --size "$size" --threads 4
		[ "$(value threads "$TMP/cli.out")" = 4 ]
		if [ "$1" = rr ]; then
			[ -n "$(value lat_p99_us "$TMP/cli.out")" ]
		fi
	done
	stop_server_quietly
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
	start_server --impl a4
	uring_client_ok --layout contiguous --size 65536 --threads 2
	uring_client_ok --size 8
	uring_client_ok --size 12345 --threads 3
	uring_client_ok --mode rr --size 1048577 --threads 2
	stop_server_quietly
	notifications_balance
}

@test "SIGINT stops a uring-zc server cleanly while a client is connected" {
	sigint_with_client_connected uring-zc --size 65536
}

@test "the harness runs uring-zc like any other strategy" {
	# the tests run what make builds: a missing harness is a broken build
	[ -x "$BIN/copyscope" ] || { echo "no $BIN/copyscope: the build is incomplete" >&2; return 1; }
	start_server --impl uring-zc # only to skip where the kernel refuses
	stop_server_quietly
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
# The row covers the window: completions of sends made before it land in
# it, and sends near its end are still in flight, so the two differ by at
# most what the 2 connections keep in flight (UZC_REQS = 256 each).
sends, done = int(r["zc_sends"]), int(r["zc_completions"])
assert sends > 0 and abs(sends - done) <= 2 * 256, r
assert r["zc_copied"] == r["zc_completions"], r
PY
}
