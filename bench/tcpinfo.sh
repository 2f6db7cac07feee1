#!/usr/bin/env bash
# bench/tcpinfo.sh — does reading TCP_INFO at the window's edges cost the
# workloads anything? The same point (zero-copy, 256 B stream: the most
# messages per second, so the most sensitive; 1 connection) under
# `copyscope run`, with the reads and without (COPYSCOPE_TCP_INFO=off, which
# both workloads inherit), alternating in rotating order.
# Target: median throughput with the reads >= 0.98x without.
. "$(dirname "$0")/lib.sh"

SIZE=256
IMPL=zero-copy
TARGET_RATIO=0.98

bench_usage() {
	cat <<EOF
usage: $BENCH_NAME [--pairs N] [--duration S] [--warmup S] [--record]

$IMPL, $SIZE B stream, 1 connection, loopback: the workloads with TCP_INFO
read at the window's edges (the default) against COPYSCOPE_TCP_INFO=off.
Target: with/without throughput >= $TARGET_RATIO (ratio of medians).
EOF
	bench_usage_common
}

bench_parse_args "$@"
bench_need_workloads

bench_need_copyscope
EVENTS=$BENCH_ROOT/perfcfg/events/software.events

# Sets RESULT (Gbit/s, the client's figure) of one `copyscope run`; $1 is on
# or off (both workloads inherit COPYSCOPE_TCP_INFO).
run_side() {
	local csv=$BENCH_TMP/run.csv err=$BENCH_TMP/run.err
	rm -f "$csv"
	COPYSCOPE_TCP_INFO=$1 bench_spawn "$err" "$COPYSCOPE" run --impl "$IMPL" --size "$SIZE" \
		--threads 1 --mode stream --duration "$DURATION" --warmup "$WARMUP" --events "$EVENTS" \
		--out "$csv"
	bench_wait "$SPAWNED_PID" || bench_die 1 "copyscope run failed: $(tail -n3 "$err")"
	RESULT=$(bench_csv_cell "$csv" throughput_gbps)
	[ -n "$RESULT" ] || bench_die 1 "copyscope run gave no throughput: $(head -c 300 "$err")"
	local seen
	seen=$(bench_csv_cell "$csv" srv_tcp_data_segs_out)
	if [ "$1" = on ] && [ -z "$seen" ]; then
		bench_die 1 "no srv_tcp_ cells with the reads on"
	elif [ "$1" = off ] && [ -n "$seen" ]; then
		bench_die 1 "COPYSCOPE_TCP_INFO=off still filled srv_tcp_ cells"
	fi
}

declare -A GBPS
echo "tcpinfo: $IMPL $SIZE B stream, 1 connection; $PAIRS rounds x (on, off), ${DURATION}s each after ${WARMUP}s warm-up"
echo "machine: $(bench_machine); load average before: $(bench_loadavg)"
printf '%-6s %-10s %12s %12s\n' round order on off
for ((r = 1; r <= PAIRS; r++)); do
	mapfile -t order < <(bench_order "$r" on off)
	for side in "${order[@]}"; do
		run_side "$side"
		GBPS[$side,$r]=$RESULT
	done
	printf '%-6s %-10s %12s %12s\n' "$r" "$(IFS=,; echo "${order[*]}")" "${GBPS[on,$r]}" "${GBPS[off,$r]}"
done

med() { local v=() r; for ((r = 1; r <= PAIRS; r++)); do v+=("${GBPS[$1,$r]}"); done; bench_median "${v[@]}"; }
M_ON=$(med on)
M_OFF=$(med off)
RATIO=$(bench_ratio "$M_ON" "$M_OFF")
VERDICT=$(bench_verdict "$RATIO" ge "$TARGET_RATIO")
printf '%-6s %-10s %12s %12s\n' median "" "$M_ON" "$M_OFF"
echo "with / without TCP_INFO reads = $RATIO (target >= $TARGET_RATIO: $VERDICT)"
echo "load average after: $(bench_loadavg)"

if [ "$RECORD" = 1 ]; then
	body=$BENCH_TMP/section.md
	{
		echo "## tcpinfo"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- command: \`$BENCH_CMDLINE\` (pairs $PAIRS, ${DURATION} s measured after ${WARMUP} s warm-up)"
		echo "- machine: $(bench_machine)"
		echo "- compared: \`copyscope run --impl $IMPL --mode stream --size $SIZE --threads 1 --events perfcfg/events/software.events\`, with TCP_INFO read on each connection by both workloads at the window's two edges (the default) and with \`COPYSCOPE_TCP_INFO=off\`, rotating order each round. Gbit/s is the client's throughput_gbps."
		echo
		echo "| round | with Gbit/s | without Gbit/s |"
		echo "|---|---:|---:|"
		for ((r = 1; r <= PAIRS; r++)); do
			echo "| $r | ${GBPS[on,$r]} | ${GBPS[off,$r]} |"
		done
		echo "| **median** | **$M_ON** | **$M_OFF** |"
		echo
		echo "| measure | value | target | |"
		echo "|---|---:|---:|---|"
		echo "| with / without (ratio of medians) | $RATIO | >= $TARGET_RATIO | $VERDICT |"
	} >"$body"
	bench_record tcpinfo "$body"
fi
