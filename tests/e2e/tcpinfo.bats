#!/usr/bin/env bats
# What TCP did (srv_tcp_*, cli_tcp_* columns): TCP_INFO at the window's edges,
# through `copyscope run` on loopback and, as root, on the netns topology.
# Never asserts on timings.

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	BIN=${COPYSCOPE_BIN:-bin}
	case $BIN in /*) ;; *) BIN=$REPO/$BIN ;; esac
	T=$BATS_TEST_TMPDIR
}

# row IMPL SIZE [ARGS...]: one stream run into $T/IMPL.csv.
row() {
	local impl=$1 size=$2
	shift 2
	"$BIN/copyscope" run --impl "$impl" --size "$size" --duration 0.3 --warmup 0.1 \
		--events "$REPO/perfcfg/events/software.events" "$@" >"$T/$impl.csv"
}

# cell FILE COLUMN: a cell of the one row, failing when the column is missing.
cell() {
	awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		{ v = $c } END { if (!c) { print "no column " name > "/dev/stderr"; exit 1 } print v }' "$1"
}

@test "where bytes were sent, the sender's segments and bytes are counted, the receiver's too" {
	row two-copy 16K
	for col in srv_tcp_segs_out srv_tcp_data_segs_out srv_tcp_bytes_sent srv_tcp_bytes_acked \
		cli_tcp_segs_in cli_tcp_data_segs_in cli_tcp_bytes_received cli_tcp_segs_out; do
		v=$(cell "$T/two-copy.csv" "$col")
		[ -n "$v" ] && [ "$v" -gt 0 ] || { echo "$col=$v"; false; }
	done
	# what the client received in the window is what TCP says it received, near enough
	# (the window edges of the two reads are microseconds apart)
	bytes=$(cell "$T/two-copy.csv" bytes)
	tcp=$(cell "$T/two-copy.csv" cli_tcp_bytes_received)
	awk -v a="$bytes" -v b="$tcp" 'BEGIN { exit !(b > 0.9 * a && b < 1.1 * a) }'
}

@test "a side that sent no data segment has empty per-segment cells, not 0" {
	row one-copy 1K
	[ "$(cell "$T/one-copy.csv" cli_tcp_data_segs_out)" = 0 ]
	v=$(cell "$T/one-copy.csv" cli_tcp_bytes_per_seg)
	[ -z "$v" ]
	v=$(cell "$T/one-copy.csv" cli_tcp_segs_per_msg)
	[ -z "$v" ]
}

# A property of the kernel that this test documents: on loopback, small
# MSG_ZEROCOPY sends each leave as a segment of their own, while plain send()s
# are coalesced into large segments. If a kernel changes that, this fails and
# says so.
@test "loopback: two-copy 256 B puts more bytes in each segment than zero-copy 256 B" {
	row two-copy 256
	row zero-copy 256
	two=$(cell "$T/two-copy.csv" srv_tcp_bytes_per_seg)
	zc=$(cell "$T/zero-copy.csv" srv_tcp_bytes_per_seg)
	echo "bytes per data segment: two-copy $two, zero-copy $zc"
	awk -v a="$two" -v b="$zc" 'BEGIN { exit !(a > 0 && b > 0 && a > 4 * b) }' || {
		echo "this kernel no longer coalesces two-copy's small sends beyond zero-copy's (4x)"
		false
	}
}

@test "the netns topology fills the TCP columns too" {
	[ "$(id -u)" -eq 0 ] || skip "needs root: the netns topology creates namespaces and a veth pair"
	command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
	row one-copy 16K --topology netns
	[ "$(cell "$T/one-copy.csv" status)" = ok ]
	v=$(cell "$T/one-copy.csv" srv_tcp_data_segs_out)
	[ "$v" -gt 0 ]
	v=$(cell "$T/one-copy.csv" srv_tcp_bytes_per_seg)
	[ -n "$v" ]
	v=$(cell "$T/one-copy.csv" cli_tcp_srtt_us)
	[ -n "$v" ]
}
