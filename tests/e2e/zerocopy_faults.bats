#!/usr/bin/env bats
# zero-copy (a3) when the kernel says no (README, "Zero-copy accounting";
# workloads/zerocopy.c).
#  - A refused SO_ZEROCOPY fails that connection, named on both sides, and
#    nothing is sent: never a silent fallback to copying sends. The refusal
#    comes from tests/shims/refuse_zerocopy.c, preloaded into the server.
#  - sendmsg(MSG_ZEROCOPY) refused with ENOBUFS (too many notifications
#    pending) is retried after draining: counted in zc_enobufs, every send
#    still completed, every byte verified. The shortage is made with a tiny
#    net.core.optmem_max in a network namespace of the test's own (the
#    kernel charges each pending notification to the socket's optmem).
# Never asserts on timings.

load harness_helpers
load workload_helpers

SHIM_SRC="$BATS_TEST_DIRNAME/../shims/refuse_zerocopy.c"

setup_file() {
	cc -shared -fPIC -Wall -Wextra -Werror -o "$BATS_FILE_TMPDIR/refuse_zerocopy.so" \
		"$SHIM_SRC" -ldl
}

setup() {
	wl_setup
	SHIM=$BATS_FILE_TMPDIR/refuse_zerocopy.so
	NS=
}

teardown() {
	local rc=0
	wl_teardown || rc=1 # ends the server first: it may live in the namespace
	if [ -n "$NS" ]; then
		ip netns del "$NS" || rc=1
	fi
	return "$rc"
}

# preload_for PROGRAM: the LD_PRELOAD that puts the shim under PROGRAM. A
# program linked with a shared sanitizer runtime (gcc's libasan, libtsan)
# needs that runtime first in the list, or ASan stops at start ("ASan
# runtime does not come first in initial library list"); so it goes first,
# as ASan asks, and its interceptors then call into the shim. Runtimes
# linked in statically (clang's) need nothing.
preload_for() {
	local rt
	rt=$(ldd "$1" | awk '$1 ~ /^lib(asan|tsan)\.so/ { printf "%s:", $3 }')
	echo "$rt$SHIM"
}

# shim_count KEY LOG: a count from the shim's exit line in LOG.
shim_count() {
	sed -n "s/^exit .*\\b$1=\\([0-9]*\\).*/\\1/p" "$2"
}

# refused ERRNO STRERROR: a zero-copy server whose SO_ZEROCOPY is refused
# with ERRNO serves one client and is stopped.
refused() {
	local errno=$1 text=$2 log=$TMP/shim-$1.log
	SRV_ENV=("LD_PRELOAD=$(preload_for "$BIN/copyscope-server")" "SHIM_ZEROCOPY_ERRNO=$errno"
		"SHIM_LOG=$log")
	start_server --impl zero-copy
	run "$BIN/copyscope-client" --port "$PORT" --size 16K --duration 0.3 --warmup 0 --verify
	echo "$errno: client exit $status: $output"
	# the client: a runtime failure, one line, the server's refusal
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "copyscope-client: 127.0.0.1:$PORT: server refused the hello: the server's kernel refused a socket option for this strategy" ]
	stop_server # still serving, exit 0, no sanitizer report
	cat "$TMP/srv.out" "$TMP/srv.err" "$log"
	# the server: names the option and the kernel's errno, and nothing else went wrong
	[ "$(grep -c . "$TMP/srv.err")" = 1 ]
	grep -Eqx "copyscope-server: 127\\.0\\.0\\.1:[0-9]+: SO_ZEROCOPY: $text \\(this kernel refuses zero-copy sends\\)" "$TMP/srv.err"
	# ... and counted nothing
	[ "$(value conns "$TMP/srv.out")" = 1 ]
	for key in msgs bytes zc_sends zc_completions zc_copied zc_enobufs; do
		[ "$(value "$key" "$TMP/srv.out")" = 0 ]
	done
	# the shim: one refusal; on that socket only the 16-byte refusal reply
	# went out; no MSG_ZEROCOPY send at all; nothing else sent anywhere
	grep -Eqx "refused SO_ZEROCOPY on fd [0-9]+ with $errno" "$log"
	[ "$(shim_count refused "$log")" = 1 ]
	[ "$(shim_count refused_fd_calls "$log")" = 1 ]
	[ "$(shim_count refused_fd_bytes "$log")" = 16 ]
	[ "$(shim_count zerocopy_calls "$log")" = 0 ]
	[ "$(shim_count sent_bytes "$log")" = 16 ]
}

@test "the shim sees every byte a zero-copy server sends, and every MSG_ZEROCOPY send (so that its zeros below mean nothing was sent)" {
	local log=$TMP/shim.log
	SRV_ENV=("LD_PRELOAD=$(preload_for "$BIN/copyscope-server")" "SHIM_LOG=$log")
	start_server --impl zero-copy
	client_ok --size 16K --threads 2
	stop_server
	cat "$TMP/srv.out" "$log"
	[ ! -s "$TMP/srv.err" ]
	local bytes conns sends
	bytes=$(value bytes "$TMP/srv.out")
	conns=$(value conns "$TMP/srv.out")
	sends=$(value zc_sends "$TMP/srv.out")
	[ "$sends" -gt 0 ]
	[ "$(shim_count refused "$log")" = 0 ]
	# the messages and a 16-byte hello reply per connection, to the byte
	[ "$(shim_count sent_bytes "$log")" = $((bytes + 16 * conns)) ]
	# every zero-copy sendmsg that took bytes is one the server counted
	[ "$(shim_count zerocopy_sent "$log")" = "$sends" ]
}

@test "SO_ZEROCOPY refused with EPERM: the connection fails, both sides say so, nothing is sent (no fallback to copying)" {
	refused EPERM "Operation not permitted"
}

@test "SO_ZEROCOPY refused with ENOPROTOOPT: the connection fails, both sides say so, nothing is sent (no fallback to copying)" {
	refused ENOPROTOOPT "Protocol not available"
}

# OPTMEM: bytes of option memory a socket may hold in the namespace. Each
# MSG_ZEROCOPY send holds an empty skb against it (sock_omalloc, via
# msg_zerocopy_alloc) until its notification is read off the error queue;
# such an skb is charged 600 to 1000 B on x86_64, so 1024 fits one: the next
# send fails with ENOBUFS while the previous one's notification is pending.
# (Measured on 6.18: 4 KiB messages, one ENOBUFS per send; 64 KiB, one in
# two. 512 fits none, and every connection fails; 4096, none at all.)
OPTMEM=1024

@test "zero-copy sends refused with ENOBUFS (tiny net.core.optmem_max in a netns) are retried: zc_enobufs > 0, every send completed, every byte verified" {
	need_netns "the test makes a network namespace to lower net.core.optmem_max in"
	NS=copyscope-zcf-$$-$BATS_TEST_NUMBER
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	# A kernel whose optmem_max is one for the whole machine shows it only in
	# the first namespace; lowering it there would starve every other socket.
	ip netns exec "$NS" test -e /proc/sys/net/core/optmem_max ||
		skip "net.core.optmem_max is not per network namespace on this kernel ($(uname -r)): lowering it would change it for the whole machine"
	local host_optmem
	host_optmem=$(cat /proc/sys/net/core/optmem_max)
	ip netns exec "$NS" sh -c "echo $OPTMEM >/proc/sys/net/core/optmem_max"
	[ "$(ip netns exec "$NS" cat /proc/sys/net/core/optmem_max)" = "$OPTMEM" ]
	[ "$(cat /proc/sys/net/core/optmem_max)" = "$host_optmem" ] # the machine's is untouched
	WL_EXEC=(ip netns exec "$NS")
	start_server --impl zero-copy
	client_ok --size 4K --threads 2
	client_ok --size 64K --threads 2
	stop_server
	cat "$TMP/srv.out" "$TMP/srv.err"
	[ ! -s "$TMP/srv.err" ] # no connection failed: every ENOBUFS was relieved
	local sends done copied enobufs
	sends=$(value zc_sends "$TMP/srv.out")
	done=$(value zc_completions "$TMP/srv.out")
	copied=$(value zc_copied "$TMP/srv.out")
	enobufs=$(value zc_enobufs "$TMP/srv.out")
	[ "$(value conns "$TMP/srv.out")" = 4 ]
	[ "$sends" -gt 0 ]
	[ "$enobufs" -gt 0 ]
	[ "$done" = "$sends" ]
	[ "$copied" = "$done" ] # loopback: the kernel copies, and says so
}
