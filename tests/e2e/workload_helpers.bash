# Helpers for the bats files that drive copyscope-server and copyscope-client
# by hand (workloads.bats, uring.bats, hostile.bats, zerocopy_faults.bats):
# `load workload_helpers`. They use $BIN (the programs) and $TMP (a scratch
# folder), set SRV_PID and PORT, and kill only the server they started.
#
# Every server a test starts must end well: stop_server, the SIGINT helper
# and the teardown all send it a signal, wait for it (30 s at most) and fail
# the test unless it exits 0 with no sanitizer report on its stderr, which
# they then print. That is where a leak found at exit (LeakSanitizer), or a
# report from a thread that served a hostile peer, shows up. A test that
# means its server to end otherwise (killed, an expected non-zero exit) must
# reap it itself, check what it expects, and clear SRV_PID.

# The lines that start a sanitizer report: ASan/LSan/TSan/MSan say
# "==PID==ERROR: AddressSanitizer: ..." or "WARNING: ThreadSanitizer: ...",
# UBSan "file.c:L:C: runtime error: ...", and each ends with "SUMMARY: ...".
SANITIZER_REPORT='(ERROR|WARNING): [A-Za-z]*Sanitizer|: runtime error: |^SUMMARY: [A-Za-z]*Sanitizer'

# What a uring-zc server says, as its whole stderr (exit 1), when this
# machine cannot run io_uring zero-copy at all (README, "Requirements and
# errors"; workloads/uring_zc.c, uzc_ring_init and uzc_probe): io_uring
# switched off (EPERM: sysctl kernel.io_uring_disabled, or a seccomp filter
# as in Docker's default profile), no io_uring in this kernel (ENOSYS), a
# kernel older than IORING_OP_SENDMSG_ZC (6.1), or one without
# IORING_SEND_ZC_REPORT_USAGE (6.1; uzc_check). Only these, to the letter,
# skip. Anything else fails: another errno from io_uring_queue_init
# (ENOMEM, EINVAL from a changed ring set-up, ...), a probe that cannot be
# read (IORING_REGISTER_PROBE came in 5.6, long before SENDMSG_ZC, so on a
# kernel of the supported era that is a failure of ours), a message that
# changed, or anything more on stderr (a sanitizer report).
URING_CANNOT=(
	"copyscope-server: uring-zc: io_uring_queue_init: Operation not permitted (io_uring disabled: sysctl kernel.io_uring_disabled, or a seccomp filter)"
	"copyscope-server: uring-zc: io_uring_queue_init: Function not implemented (this kernel has no io_uring)"
	"copyscope-server: uring-zc: io_uring: this kernel lacks IORING_OP_SENDMSG_ZC (zero-copy sendmsg, Linux 6.1+)"
	"copyscope-server: uring-zc: io_uring: this kernel refuses IORING_SEND_ZC_REPORT_USAGE (zero-copy sendmsg that reports copies, Linux 6.2+)"
)

# wl_setup / wl_teardown: the setup() and teardown() these files share.
# WL_EXEC, empty by default, is a command prefix for both programs (e.g.
# `ip netns exec NS`); SRV_ENV, empty by default, NAME=VALUE words for the
# server's environment alone (e.g. LD_PRELOAD=...: given to `env`, so that
# none of the helpers' own commands get it). Both exec, so SRV_PID stays the
# server's pid.
wl_setup() {
	BIN=${COPYSCOPE_BIN:-bin}
	SRV_PID=
	SRV_START=
	WL_EXEC=()
	SRV_ENV=()
	TMP=$(mktemp -d)
}

# Stops a server the test left running and fails the test (with the
# server's stderr) unless it ended well.
wl_teardown() {
	local rc=0
	if [ -n "$SRV_PID" ]; then
		end_server TERM || rc=1
	fi
	rm -rf "$TMP"
	return "$rc"
}

# start_server ARGS...: a server on 127.0.0.1, port 0, in the background.
# A server that refuses at start because this machine cannot run io_uring
# zero-copy (exit 1, its whole stderr one of URING_CANNOT) skips the test
# with that line; any other failure to start fails it.
start_server() {
	local cmd=("${WL_EXEC[@]}")
	if [ ${#SRV_ENV[@]} -gt 0 ]; then
		cmd+=(env "${SRV_ENV[@]}")
	fi
	"${cmd[@]}" "$BIN/copyscope-server" "$@" >"$TMP/srv.out" 2>"$TMP/srv.err" &
	SRV_PID=$!
	SRV_START=$(start_time "$SRV_PID")
	for _ in $(seq 200); do
		grep -q '^listening ' "$TMP/srv.out" 2>/dev/null && break
		if ! kill -0 "$SRV_PID" 2>/dev/null; then
			local rc=0 said line
			wait "$SRV_PID" || rc=$?
			SRV_PID=
			said=$(cat "$TMP/srv.err")
			if [ "$rc" -eq 1 ]; then
				for line in "${URING_CANNOT[@]}"; do
					if [ "$said" = "$line" ]; then
						skip "$said"
					fi
				done
			fi
			echo "the server did not start (exit $rc):" >&2
			cat "$TMP/srv.err" >&2
			return 1
		fi
		sleep 0.05
	done
	PORT=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/srv.out")
	[ -n "$PORT" ] || { echo "the server never said 'listening 127.0.0.1:PORT'" >&2; return 1; }
}

# start_time PID: the process's start time (field 22 of /proc/PID/stat), so
# that a pid the kernel has handed to someone else is never taken for ours.
start_time() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# server_gone PID: the server has exited (a zombie, reaped, or its pid reused).
server_gone() {
	local stat
	stat=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -n "$stat" ] || return 0
	[ "${stat%% *}" = Z ] && return 0
	[ "$(echo "$stat" | cut -d' ' -f20)" != "$SRV_START" ]
}

# end_server [SIGNAL]: sends SIGNAL (default TERM) to the server, waits for
# it (30 s, then SIGKILL) and checks that it ended well (server_ended_well).
# Its totals are then in $TMP/srv.out.
end_server() {
	local sig=${1:-TERM} pid=$SRV_PID rc=0
	SRV_PID=
	server_gone "$pid" || kill -"$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 300); do
		server_gone "$pid" && break
		sleep 0.1
	done
	if ! server_gone "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		echo "the server was still running 30 s after SIG$sig: killed it" >&2
		server_said
		return 1
	fi
	wait "$pid" || rc=$?
	server_ended_well "$rc"
}

# server_ended_well RC: the server exited with RC; fine when RC is 0 and its
# stderr holds no sanitizer report. Otherwise says what went wrong, with the
# server's stderr. tests/run.sh makes a sanitizer end the program with 86
# (ASan, LSan), 87 (UBSan) or 88 (TSan).
server_ended_well() {
	local rc=$1 why=
	case $rc in
	0) if grep -qE "$SANITIZER_REPORT" "$TMP/srv.err"; then
		why="exit 0, but its stderr holds a sanitizer report"
	fi ;;
	86) why="exit 86: an AddressSanitizer or LeakSanitizer report" ;;
	87) why="exit 87: an UndefinedBehaviorSanitizer report" ;;
	88) why="exit 88: a ThreadSanitizer report" ;;
	*) if [ "$rc" -gt 128 ]; then
		why="killed by signal $((rc - 128)) (SIG$(kill -l $((rc - 128)) 2>/dev/null))"
	else
		why="exit $rc"
	fi ;;
	esac
	if [ -z "$why" ]; then
		return 0
	fi
	echo "the server ended badly: $why" >&2
	server_said
	return 1
}

# stop_server: SIGTERM, expect exit 0 and no sanitizer report; its totals are
# then in $TMP/srv.out.
stop_server() {
	end_server TERM
}

# value KEY FILE: the value of a key=value line.
value() {
	sed -n "s/^$1=//p" "$2"
}

# server_said: the server's stderr so far, when it said anything; a client
# failure is often the server's (it refused, or a sanitizer stopped it).
# A long one (hundreds of hostile peers each get a line) is cut to 200
# lines: from where a sanitizer report starts, or else its first 20 and
# last 180 lines.
server_said() {
	local f=$TMP/srv.err n at
	[ -s "$f" ] || return 0
	n=$(wc -l <"$f")
	if [ "$n" -le 200 ]; then
		echo "the server's stderr:" >&2
		cat "$f" >&2
		return 0
	fi
	at=$(grep -nE "$SANITIZER_REPORT" "$f" | head -n 1 | cut -d: -f1)
	if [ -n "$at" ]; then
		at=$((at > 1 ? at - 1 : 1)) # the ===... line above ASan's report
		echo "the server's stderr ($n lines), from its sanitizer report (line $at) on:" >&2
		tail -n "+$at" "$f" | head -n 200 >&2
	else
		echo "the server's stderr ($n lines), its first 20 and last 180:" >&2
		head -n 20 "$f" >&2
		echo "[...]" >&2
		tail -n 180 "$f" >&2
	fi
}

# client_ok ARGS...: a verified client against $PORT; bytes > 0, verify_errors=0.
client_ok() {
	"${WL_EXEC[@]}" "$BIN/copyscope-client" --port "$PORT" --duration 0.3 --warmup 0.1 --verify "$@" \
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
# of IMPL while a client streams; it exits 0 with its totals and no sanitizer
# report, and every zero-copy send it made has its completion.
sigint_with_client_connected() {
	local impl=$1
	shift
	start_server --impl "$impl"
	"$BIN/copyscope-client" --port "$PORT" --duration 30 "$@" >/dev/null 2>&1 &
	local cli=$!
	sleep 0.3
	end_server INT
	wait "$cli" || true
	[ "$(value conns "$TMP/srv.out")" = 1 ]
	[ "$(value zc_completions "$TMP/srv.out")" = "$(value zc_sends "$TMP/srv.out")" ]
}
