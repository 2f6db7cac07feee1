# Helpers for the bats files that drive copyscope-server and copyscope-client
# by hand (workloads.bats, uring.bats, hostile.bats): `load workload_helpers`.
# They use $BIN (the programs) and $TMP (a scratch folder), set SRV_PID and
# PORT, and kill only the server they started.

# wl_setup / wl_teardown: the setup() and teardown() these files share.
wl_setup() {
	BIN=${COPYSCOPE_BIN:-bin}
	SRV_PID=
	TMP=$(mktemp -d)
}

wl_teardown() {
	if [ -n "$SRV_PID" ]; then
		kill -TERM "$SRV_PID" 2>/dev/null || true
		wait "$SRV_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}

# start_server ARGS...: a server on 127.0.0.1, port 0, in the background.
# A server that refuses at start because the kernel lacks io_uring zero-copy
# (exit 1, one line naming what is missing) skips the test with that line.
start_server() {
	"$BIN/copyscope-server" "$@" >"$TMP/srv.out" 2>"$TMP/srv.err" &
	SRV_PID=$!
	for _ in $(seq 200); do
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

# stop_server: SIGTERM, expect exit 0; its totals are then in $TMP/srv.out.
stop_server() {
	kill -TERM "$SRV_PID"
	local rc=0
	wait "$SRV_PID" || rc=$?
	SRV_PID=
	[ "$rc" -eq 0 ] || { echo "the server exited $rc" >&2; server_said; return 1; }
}

# value KEY FILE: the value of a key=value line.
value() {
	sed -n "s/^$1=//p" "$2"
}

# server_said: the server's stderr so far, when it said anything; a client
# failure is often the server's (it refused, or a sanitizer stopped it).
server_said() {
	if [ -s "$TMP/srv.err" ]; then
		echo "the server's stderr:" >&2
		head -n 60 "$TMP/srv.err" >&2
	fi
}

# client_ok ARGS...: a verified client against $PORT; bytes > 0, verify_errors=0.
client_ok() {
	"$BIN/copyscope-client" --port "$PORT" --duration 0.3 --warmup 0.1 --verify "$@" \
		>"$TMP/cli.out" 2>"$TMP/cli.err" || {
		echo "client $* failed:" >&2
		cat "$TMP/cli.err" >&2
		server_said
		return 1
	}
	local bytes errors
	bytes=$(value bytes "$TMP/cli.out")
	errors=$(value verify_errors "$TMP/cli.out")
	[ "${bytes:-0}" -gt 0 ] || { echo "client $*: bytes=$bytes" >&2; return 1; }
	[ "$errors" = 0 ] || { echo "client $*: verify_errors=$errors" >&2; return 1; }
}

# sigint_with_client_connected IMPL [CLIENT-ARGS...]: SIGINT reaches a server
# of IMPL while a client streams; it exits 0 with its totals, and every
# zero-copy send it made has its completion.
sigint_with_client_connected() {
	local impl=$1
	shift
	start_server --impl "$impl"
	"$BIN/copyscope-client" --port "$PORT" --duration 30 "$@" >/dev/null 2>&1 &
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
