#!/usr/bin/env bash
# bench/vs-iperf3.sh — copyscope one-copy and two-copy stream throughput
# against iperf3 on loopback, same direction (the server sends), 16 KiB
# writes, one connection. Every round runs the three sides once, in an order
# that rotates from round to round; the result is the ratio of the medians.
# Targets: one-copy >= 1.3x iperf3, two-copy >= 1.2x iperf3.
. "$(dirname "$0")/lib.sh"

SIZE=16384
TARGET_ONE=1.3
TARGET_TWO=1.2

bench_usage() {
	cat <<EOF
usage: $BENCH_NAME [--pairs N] [--duration S] [--warmup S] [--record]

Stream throughput at $SIZE B, 1 connection, loopback: copyscope one-copy and
two-copy (copyscope-client --mode stream --size $SIZE --threads 1) against
iperf3 -R -l 16K (the iperf3 server sends, like the copyscope server).
iperf3's first WARMUP seconds are omitted (-O) like copyscope's --warmup.
Targets: one-copy >= ${TARGET_ONE}x, two-copy >= ${TARGET_TWO}x of iperf3.
EOF
	bench_usage_common
}

bench_parse_args "$@"
bench_need_tool iperf3 iperf3
bench_need_workloads
OMIT=$WARMUP # iperf3 -O: the same unmeasured seconds

# Sets RESULT to the Gbit/s of one copyscope run of IMPL. (Runs in this
# shell, not in $(...), so that the exit trap knows every pid.)
run_copyscope() { # IMPL
	local srv=$BENCH_TMP/srv.out cli=$BENCH_TMP/cli.out bytes seconds
	bench_start_server "$srv" --impl "$1"
	if ! "$CLIENT" --host 127.0.0.1 --port "$SERVER_PORT" --size "$SIZE" --threads 1 \
		--mode stream --duration "$DURATION" --warmup "$WARMUP" </dev/null >"$cli" 2>&1; then
		bench_stop "$SERVER_PID"
		bench_die 1 "copyscope-client against --impl $1 failed: $(tail -n3 "$cli")"
	fi
	bench_stop "$SERVER_PID" || bench_die 1 "copyscope-server --impl $1 exited badly: $(tail -n3 "$srv")"
	bytes=$(bench_kv bytes "$cli")
	seconds=$(bench_kv seconds "$cli")
	[ -n "$bytes" ] && [ -n "$seconds" ] || bench_die 1 "copyscope-client printed no bytes=/seconds=: $(head -c 300 "$cli")"
	RESULT=$(awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.3f\n", b * 8 / s / 1e9 }')
}

# Sets RESULT to the Gbit/s of one iperf3 run (received bytes over the unomitted seconds).
run_iperf3() {
	local port srv=$BENCH_TMP/iperf3-srv.out cli=$BENCH_TMP/iperf3.json bps
	port=$(bench_free_port)
	bench_spawn "$srv" iperf3 -s -B 127.0.0.1 -p "$port" -1 --forceflush
	bench_wait_line "$SPAWNED_PID" "$srv" 'Server listening' ||
		bench_die 1 "iperf3 server did not start: $(head -c 300 "$srv")" # the trap ends it
	if ! iperf3 -c 127.0.0.1 -p "$port" -R -l 16K -t "$DURATION" -O "$OMIT" -J </dev/null >"$cli" 2>&1; then
		bench_stop "$SPAWNED_PID"
		bench_die 1 "iperf3 client failed: $(head -c 300 "$cli")"
	fi
	bench_wait "$SPAWNED_PID"
	bps=$(awk '/"sum_received"/ { f = 1 } f && /"bits_per_second"/ { gsub(/[^0-9.eE+-]/, "", $2); print $2; exit }' "$cli")
	[ -n "$bps" ] || bench_die 1 "iperf3 -J output has no end.sum_received.bits_per_second"
	RESULT=$(awk -v b="$bps" 'BEGIN { printf "%.3f\n", b / 1e9 }')
}

declare -A GBPS
echo "vs-iperf3: $SIZE B stream, 1 connection, loopback; $PAIRS rounds x (iperf3, one-copy, two-copy), ${DURATION}s each after ${WARMUP}s warm-up"
echo "machine: $(bench_machine); load average before: $(bench_loadavg)"
printf '%-6s %-28s %12s %12s %12s\n' round order iperf3 one-copy two-copy
for ((r = 1; r <= PAIRS; r++)); do
	mapfile -t order < <(bench_order "$r" iperf3 one-copy two-copy)
	for side in "${order[@]}"; do
		if [ "$side" = iperf3 ]; then run_iperf3; else run_copyscope "$side"; fi
		GBPS[$side,$r]=$RESULT
	done
	printf '%-6s %-28s %12s %12s %12s\n' "$r" "$(IFS=,; echo "${order[*]}")" \
		"${GBPS[iperf3,$r]}" "${GBPS[one-copy,$r]}" "${GBPS[two-copy,$r]}"
done

med() { local v=() r; for ((r = 1; r <= PAIRS; r++)); do v+=("${GBPS[$1,$r]}"); done; bench_median "${v[@]}"; }
M_IPERF=$(med iperf3)
M_ONE=$(med one-copy)
M_TWO=$(med two-copy)
R_ONE=$(bench_ratio "$M_ONE" "$M_IPERF")
R_TWO=$(bench_ratio "$M_TWO" "$M_IPERF")
V_ONE=$(bench_verdict "$R_ONE" ge "$TARGET_ONE")
V_TWO=$(bench_verdict "$R_TWO" ge "$TARGET_TWO")
printf '%-6s %-28s %12s %12s %12s\n' median "" "$M_IPERF" "$M_ONE" "$M_TWO"
echo "one-copy / iperf3 = $R_ONE (target >= $TARGET_ONE: $V_ONE)"
echo "two-copy / iperf3 = $R_TWO (target >= $TARGET_TWO: $V_TWO)"
echo "load average after: $(bench_loadavg)"

if [ "$RECORD" = 1 ]; then
	body=$BENCH_TMP/section.md
	{
		echo "## vs-iperf3"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- command: \`$BENCH_CMDLINE\` (pairs $PAIRS, ${DURATION} s measured after ${WARMUP} s warm-up)"
		echo "- machine: $(bench_machine)"
		echo "- compared: \`copyscope-client --mode stream --size $SIZE --threads 1\` against \`iperf3 -c 127.0.0.1 -R -l 16K -t $DURATION -O $OMIT\` ($(iperf3 --version 2>/dev/null | head -n1 | cut -d' ' -f1-2)), rotating order each round"
		echo
		echo "| round | iperf3 Gbit/s | one-copy Gbit/s | two-copy Gbit/s |"
		echo "|---|---:|---:|---:|"
		for ((r = 1; r <= PAIRS; r++)); do
			echo "| $r | ${GBPS[iperf3,$r]} | ${GBPS[one-copy,$r]} | ${GBPS[two-copy,$r]} |"
		done
		echo "| **median** | **$M_IPERF** | **$M_ONE** | **$M_TWO** |"
		echo
		echo "| ratio of medians | value | target | |"
		echo "|---|---:|---:|---|"
		echo "| one-copy / iperf3 | $R_ONE | >= $TARGET_ONE | $V_ONE |"
		echo "| two-copy / iperf3 | $R_TWO | >= $TARGET_TWO | $V_TWO |"
	} >"$body"
	bench_record vs-iperf3 "$body"
fi
