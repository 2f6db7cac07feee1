#!/usr/bin/env bash
# bench/overhead.sh — does copyscope disturb what it measures? The same point
# (one-copy, 16 KiB stream, 1 connection) run by hand (copyscope-server +
# copyscope-client) and under `copyscope run` with parte.events, alternating
# in rotating order. Targets: median throughput under the harness >= 0.98x
# the workload alone, and the harness's own CPU time (getrusage of itself,
# printed by `copyscope run --verbose`) < 1% of the workloads' CPU time.
. "$(dirname "$0")/lib.sh"

SIZE=16384
IMPL=one-copy
TARGET_RATIO=0.98
TARGET_CPU_PCT=1

bench_usage() {
	cat <<EOF
usage: $BENCH_NAME [--pairs N] [--duration S] [--warmup S] [--record]

$IMPL, $SIZE B stream, 1 connection, loopback: the workloads alone against
the same point under 'copyscope run --events perfcfg/events/parte.events'.
Targets: harness/alone throughput >= $TARGET_RATIO (ratio of medians); the
harness's CPU time < $TARGET_CPU_PCT% of the workloads' (median over runs).
EOF
	bench_usage_common
}

bench_parse_args "$@"
bench_need_workloads
bench_need_copyscope
EVENTS=$BENCH_ROOT/perfcfg/events/parte.events

# Sets RESULT (Gbit/s, the client's figure) of one run by hand.
run_alone() {
	local srv=$BENCH_TMP/srv.out cli=$BENCH_TMP/cli.out
	bench_start_server "$srv" --impl "$IMPL"
	if ! "$CLIENT" --host 127.0.0.1 --port "$SERVER_PORT" --size "$SIZE" --threads 1 \
		--mode stream --duration "$DURATION" --warmup "$WARMUP" </dev/null >"$cli" 2>&1; then
		bench_stop "$SERVER_PID"
		bench_die 1 "copyscope-client failed: $(tail -n3 "$cli")"
	fi
	bench_stop "$SERVER_PID" || bench_die 1 "copyscope-server exited badly: $(tail -n3 "$srv")"
	RESULT=$(bench_kv throughput_gbps "$cli")
	[ -n "$RESULT" ] || bench_die 1 "copyscope-client printed no throughput_gbps=: $(head -c 300 "$cli")"
}

# Sets RESULT (Gbit/s), HARNESS_S, WORKLOADS_S and CPU_PCT of one `copyscope run`.
run_harness() {
	local csv=$BENCH_TMP/run.csv err=$BENCH_TMP/run.err
	rm -f "$csv"
	bench_spawn "$err" "$COPYSCOPE" run --impl "$IMPL" --size "$SIZE" --threads 1 --mode stream \
		--duration "$DURATION" --warmup "$WARMUP" --events "$EVENTS" --out "$csv" --verbose
	bench_wait "$SPAWNED_PID" || bench_die 1 "copyscope run failed: $(tail -n3 "$err")"
	RESULT=$(bench_csv_cell "$csv" throughput_gbps)
	HARNESS_S=$(sed -n 's/.*harness cpu \([0-9.]*\) s, workloads cpu \([0-9.]*\) s.*/\1/p' "$err")
	WORKLOADS_S=$(sed -n 's/.*harness cpu \([0-9.]*\) s, workloads cpu \([0-9.]*\) s.*/\2/p' "$err")
	[ -n "$RESULT" ] && [ -n "$HARNESS_S" ] || bench_die 1 "copyscope run gave no throughput or cost: $(head -c 300 "$err")"
	CPU_PCT=$(awk -v h="$HARNESS_S" -v w="$WORKLOADS_S" 'BEGIN { printf "%.4f\n", (w > 0) ? 100 * h / w : 0 }')
}

declare -A GBPS PCT HS WS
echo "overhead: $IMPL $SIZE B stream, 1 connection; $PAIRS rounds x (alone, copyscope run), ${DURATION}s each after ${WARMUP}s warm-up"
echo "machine: $(bench_machine); load average before: $(bench_loadavg)"
printf '%-6s %-16s %12s %12s %14s %16s %10s\n' round order alone harness harness_cpu_s workloads_cpu_s harness_%
for ((r = 1; r <= PAIRS; r++)); do
	mapfile -t order < <(bench_order "$r" alone harness)
	for side in "${order[@]}"; do
		if [ "$side" = alone ]; then
			run_alone
		else
			run_harness
			PCT[$r]=$CPU_PCT HS[$r]=$HARNESS_S WS[$r]=$WORKLOADS_S
		fi
		GBPS[$side,$r]=$RESULT
	done
	printf '%-6s %-16s %12s %12s %14s %16s %10s\n' "$r" "$(IFS=,; echo "${order[*]}")" \
		"${GBPS[alone,$r]}" "${GBPS[harness,$r]}" "${HS[$r]}" "${WS[$r]}" "${PCT[$r]}"
done

med() { local v=() r; for ((r = 1; r <= PAIRS; r++)); do v+=("${GBPS[$1,$r]}"); done; bench_median "${v[@]}"; }
M_ALONE=$(med alone)
M_HARNESS=$(med harness)
RATIO=$(bench_ratio "$M_HARNESS" "$M_ALONE")
M_PCT=$(printf '%s\n' "${PCT[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "%.4f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
MAX_PCT=$(printf '%s\n' "${PCT[@]}" | sort -g | tail -n1)
V_RATIO=$(bench_verdict "$RATIO" ge "$TARGET_RATIO")
V_PCT=$(bench_verdict "$M_PCT" le "$TARGET_CPU_PCT")
printf '%-6s %-16s %12s %12s\n' median "" "$M_ALONE" "$M_HARNESS"
echo "harness / alone throughput = $RATIO (target >= $TARGET_RATIO: $V_RATIO)"
echo "harness CPU = $M_PCT% of the workloads' (median; max $MAX_PCT%) (target <= $TARGET_CPU_PCT%: $V_PCT)"
echo "load average after: $(bench_loadavg)"

if [ "$RECORD" = 1 ]; then
	body=$BENCH_TMP/section.md
	{
		echo "## overhead"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- command: \`$BENCH_CMDLINE\` (pairs $PAIRS, ${DURATION} s measured after ${WARMUP} s warm-up)"
		echo "- machine: $(bench_machine)"
		echo "- compared: \`copyscope-server --impl $IMPL\` + \`copyscope-client --mode stream --size $SIZE --threads 1\` by hand, against \`copyscope run --impl $IMPL --size $SIZE --threads 1 --events perfcfg/events/parte.events --verbose\`, rotating order each round. Gbit/s is the client's throughput_gbps. Harness CPU is getrusage(RUSAGE_SELF) of copyscope over the whole run_point (fork, counter set-up, poll loop, reaping); workloads CPU is getrusage(RUSAGE_CHILDREN) over the same span (warm-up included)."
		echo
		echo "| round | alone Gbit/s | copyscope run Gbit/s | harness CPU s | workloads CPU s | harness % |"
		echo "|---|---:|---:|---:|---:|---:|"
		for ((r = 1; r <= PAIRS; r++)); do
			echo "| $r | ${GBPS[alone,$r]} | ${GBPS[harness,$r]} | ${HS[$r]} | ${WS[$r]} | ${PCT[$r]} |"
		done
		echo "| **median** | **$M_ALONE** | **$M_HARNESS** | | | **$M_PCT** |"
		echo
		echo "| measure | value | target | |"
		echo "|---|---:|---:|---|"
		echo "| copyscope run / alone throughput (ratio of medians) | $RATIO | >= $TARGET_RATIO | $V_RATIO |"
		echo "| harness CPU / workloads CPU (median of runs) | $M_PCT% | <= $TARGET_CPU_PCT% | $V_PCT |"
	} >"$body"
	bench_record overhead "$body"
fi
