#!/usr/bin/env bash
# bench/vs-sockperf.sh — copyscope request/response round trip (256 B, p50)
# against sockperf ping-pong over TCP on loopback, copyscope both blocking and
# with --busy-poll, both compared with plain (blocking) sockperf. sockperf
# reports half the round trip: its p50 is doubled here. Every round runs the
# three sides once, in an order that rotates from round to round; the result
# is the ratio of the medians.
# Targets: blocking <= 1.1x, busy-poll <= 0.8x of sockperf's round trip.
. "$(dirname "$0")/lib.sh"

SIZE=256
TARGET_BLOCK=1.1
TARGET_BUSY=0.8

bench_usage() {
	cat <<EOF
usage: $BENCH_NAME [--pairs N] [--duration S] [--warmup S] [--impl I] [--record]

p50 round trip at $SIZE B, 1 connection, loopback: copyscope-client --mode rr
--size $SIZE (lat_p50_us), blocking and with --busy-poll, against
sockperf ping-pong --tcp -m $SIZE (its p50 is half a round trip: doubled).
sockperf drops its own warm-up (about 0.4 s) and takes no --warmup.
  --impl I        the copyscope server strategy (default one-copy)
Targets: blocking <= ${TARGET_BLOCK}x, busy-poll <= ${TARGET_BUSY}x of sockperf.
EOF
	bench_usage_common
}

BENCH_OWN_OPTS="--impl="
bench_parse_args "$@"
IMPL=one-copy
set -- "${BENCH_REST[@]}"
while [ $# -gt 0 ]; do
	case $1 in --impl) IMPL=$2 && shift 2 ;; *) shift ;; esac
done
bench_need_tool sockperf sockperf
bench_need_workloads

# Sets RESULT to the p50 round trip in µs of one copyscope rr run; EXTRA
# holds client flags (--busy-poll). Runs in this shell so the trap knows
# every pid.
run_copyscope() { # CLIENT-FLAGS…
	local srv=$BENCH_TMP/srv.out cli=$BENCH_TMP/cli.out
	bench_start_server "$srv" --impl "$IMPL"
	if ! "$CLIENT" --host 127.0.0.1 --port "$SERVER_PORT" --size "$SIZE" --threads 1 \
		--mode rr --duration "$DURATION" --warmup "$WARMUP" "$@" </dev/null >"$cli" 2>&1; then
		bench_stop "$SERVER_PID"
		bench_die 1 "copyscope-client --mode rr $* failed: $(tail -n3 "$cli")"
	fi
	bench_stop "$SERVER_PID" || bench_die 1 "copyscope-server --impl $IMPL exited badly: $(tail -n3 "$srv")"
	RESULT=$(bench_kv lat_p50_us "$cli")
	[ -n "$RESULT" ] || bench_die 1 "copyscope-client printed no lat_p50_us=: $(head -c 300 "$cli")"
	RESULT=$(awk -v v="$RESULT" 'BEGIN { printf "%.2f\n", v }')
}

# Sets RESULT to twice sockperf's p50 (its p50 is half a round trip).
run_sockperf() {
	local port srv=$BENCH_TMP/sockperf-srv.out cli=$BENCH_TMP/sockperf.out half i
	port=$(bench_free_port)
	bench_spawn "$srv" sockperf server --tcp -i 127.0.0.1 -p "$port"
	bench_wait_line "$SPAWNED_PID" "$srv" 'PORT = ' ||
		bench_die 1 "sockperf server did not start: $(head -c 300 "$srv")" # the trap ends it
	for i in $(seq 1 50); do # it prints before it listens: wait for the port
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.05
	done
	if ! sockperf ping-pong --tcp -i 127.0.0.1 -p "$port" -m "$SIZE" -t "$DURATION" </dev/null >"$cli" 2>&1; then
		bench_stop "$SPAWNED_PID"
		bench_die 1 "sockperf ping-pong failed: $(tail -n3 "$cli")"
	fi
	bench_stop "$SPAWNED_PID" || true # sockperf ends on SIGTERM with a status of its own
	half=$(sed -n 's/.*percentile 50\.000 *= *\([0-9.][0-9.]*\).*/\1/p' "$cli" | head -n1)
	[ -n "$half" ] || bench_die 1 "sockperf printed no 'percentile 50.000 =' line: $(tail -n3 "$cli")"
	RESULT=$(awk -v h="$half" 'BEGIN { printf "%.2f\n", 2 * h }')
}

declare -A RTT
echo "vs-sockperf: $SIZE B request/response, 1 connection, loopback, server --impl $IMPL; $PAIRS rounds x (sockperf, blocking, busy-poll), ${DURATION}s each"
echo "machine: $(bench_machine); load average before: $(bench_loadavg)"
printf '%-6s %-30s %14s %14s %14s\n' round order 'sockperf us' 'blocking us' 'busy-poll us'
for ((r = 1; r <= PAIRS; r++)); do
	mapfile -t order < <(bench_order "$r" sockperf blocking busy-poll)
	for side in "${order[@]}"; do
		case $side in
		sockperf) run_sockperf ;;
		blocking) run_copyscope ;;
		busy-poll) run_copyscope --busy-poll ;;
		esac
		RTT[$side,$r]=$RESULT
	done
	printf '%-6s %-30s %14s %14s %14s\n' "$r" "$(IFS=,; echo "${order[*]}")" \
		"${RTT[sockperf,$r]}" "${RTT[blocking,$r]}" "${RTT[busy-poll,$r]}"
done

med() { local v=() r; for ((r = 1; r <= PAIRS; r++)); do v+=("${RTT[$1,$r]}"); done; bench_median "${v[@]}"; }
M_SP=$(med sockperf)
M_BLOCK=$(med blocking)
M_BUSY=$(med busy-poll)
R_BLOCK=$(bench_ratio "$M_BLOCK" "$M_SP")
R_BUSY=$(bench_ratio "$M_BUSY" "$M_SP")
V_BLOCK=$(bench_verdict "$R_BLOCK" le "$TARGET_BLOCK")
V_BUSY=$(bench_verdict "$R_BUSY" le "$TARGET_BUSY")
printf '%-6s %-30s %14s %14s %14s\n' median "" "$M_SP" "$M_BLOCK" "$M_BUSY"
echo "blocking / sockperf = $R_BLOCK (target <= $TARGET_BLOCK: $V_BLOCK)"
echo "busy-poll / sockperf = $R_BUSY (target <= $TARGET_BUSY: $V_BUSY)"
echo "load average after: $(bench_loadavg)"

if [ "$RECORD" = 1 ]; then
	body=$BENCH_TMP/section.md
	{
		echo "## vs-sockperf"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- command: \`$BENCH_CMDLINE\` (pairs $PAIRS, ${DURATION} s measured; copyscope after ${WARMUP} s warm-up, sockperf after its own 0.4 s)"
		echo "- machine: $(bench_machine)"
		echo "- compared: \`copyscope-server --impl $IMPL\` + \`copyscope-client --mode rr --size $SIZE --threads 1 [--busy-poll]\` (lat_p50_us) against \`sockperf server --tcp\` + \`sockperf ping-pong --tcp -m $SIZE -t $DURATION\` ($(sockperf --version 2>/dev/null | sed -n 's/.*version \([^ ]*\).*/\1/p' | head -n1); its p50 is half a round trip, doubled here), rotating order each round"
		echo
		echo "| round | sockperf RTT p50 µs | copyscope blocking p50 µs | copyscope busy-poll p50 µs |"
		echo "|---|---:|---:|---:|"
		for ((r = 1; r <= PAIRS; r++)); do
			echo "| $r | ${RTT[sockperf,$r]} | ${RTT[blocking,$r]} | ${RTT[busy-poll,$r]} |"
		done
		echo "| **median** | **$M_SP** | **$M_BLOCK** | **$M_BUSY** |"
		echo
		echo "| ratio of medians | value | target | |"
		echo "|---|---:|---:|---|"
		echo "| blocking / sockperf | $R_BLOCK | <= $TARGET_BLOCK | $V_BLOCK |"
		echo "| busy-poll / sockperf | $R_BUSY | <= $TARGET_BUSY | $V_BUSY |"
	} >"$body"
	bench_record vs-sockperf "$body"
fi
