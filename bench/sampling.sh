#!/usr/bin/env bash
# bench/sampling.sh — does sampling where the CPU goes (copyscope run --sample:
# call chains at the event file's frequency, drained while the window runs)
# cost the workloads anything? Two points under `copyscope run`, with and
# without --sample, alternating in rotating order: two-copy 16 KiB (the
# copies) and zero-copy 256 B (the most sends per second); 1 connection.
# Target: median throughput with sampling >= 0.97x without, at each point.
# Also shown: samples taken and lost, and the seconds spent naming them after
# the window (never inside it).
. "$(dirname "$0")/lib.sh"

POINTS=("two-copy 16384" "zero-copy 256")
TARGET_RATIO=0.97

bench_usage() {
	cat <<EOF
usage: $BENCH_NAME [--pairs N] [--duration S] [--warmup S] [--record]

two-copy 16 KiB and zero-copy 256 B stream, 1 connection, loopback, under
'copyscope run --events perfcfg/events/software.events', with --sample
(task-clock, or cycles where a PMU is, at the event file's frequency) and
without. Target: with/without throughput >= $TARGET_RATIO at each point
(ratio of medians).
EOF
	bench_usage_common
}

bench_parse_args "$@"
bench_need_workloads
bench_need_copyscope
EVENTS=$BENCH_ROOT/perfcfg/events/software.events

# Sets RESULT (Gbit/s), SAMPLES, LOST and AFTER_S of one `copyscope run`:
# $1 impl, $2 size, $3 on or off.
run_side() {
	local csv=$BENCH_TMP/run.csv err=$BENCH_TMP/run.err sample=()
	[ "$3" = on ] && sample=(--sample --verbose)
	rm -f "$csv"
	bench_spawn "$err" "$COPYSCOPE" run --impl "$1" --size "$2" --threads 1 --mode stream \
		--duration "$DURATION" --warmup "$WARMUP" --events "$EVENTS" --out "$csv" "${sample[@]}"
	bench_wait "$SPAWNED_PID" || bench_die 1 "copyscope run failed: $(tail -n3 "$err")"
	RESULT=$(bench_csv_cell "$csv" throughput_gbps)
	[ -n "$RESULT" ] || bench_die 1 "copyscope run gave no throughput: $(head -c 300 "$err")"
	SAMPLES=- LOST=- AFTER_S=-
	if [ "$3" = on ]; then
		SAMPLES=$(bench_csv_cell "$csv" srv_samples)
		LOST=$(bench_csv_cell "$csv" srv_samples_lost)
		AFTER_S=$(sed -n 's/.*written after the window in \([0-9.]*\) s.*/\1/p' "$err")
		[ -n "$SAMPLES" ] || bench_die 1 "--sample filled no srv_samples: $(head -c 300 "$err")"
	fi
}

declare -A GBPS INFO
echo "sampling: ${POINTS[*]} (impl size), stream, 1 connection; $PAIRS rounds x (on, off), ${DURATION}s each after ${WARMUP}s warm-up"
echo "machine: $(bench_machine); load average before: $(bench_loadavg)"
for p in "${!POINTS[@]}"; do
	read -r impl size <<<"${POINTS[$p]}"
	echo "== $impl $size B"
	printf '%-6s %-8s %12s %12s %10s %6s %8s\n' round order on off srv_samples lost after_s
	for ((r = 1; r <= PAIRS; r++)); do
		mapfile -t order < <(bench_order "$r" on off)
		for side in "${order[@]}"; do
			run_side "$impl" "$size" "$side"
			GBPS[$p,$side,$r]=$RESULT
			[ "$side" = on ] && INFO[$p,$r]="$SAMPLES $LOST $AFTER_S"
		done
		read -r s l a <<<"${INFO[$p,$r]}"
		printf '%-6s %-8s %12s %12s %10s %6s %8s\n' "$r" "$(IFS=,; echo "${order[*]}")" \
			"${GBPS[$p,on,$r]}" "${GBPS[$p,off,$r]}" "$s" "$l" "$a"
	done
done

med() { local v=() r; for ((r = 1; r <= PAIRS; r++)); do v+=("${GBPS[$1,$2,$r]}"); done; bench_median "${v[@]}"; }
declare -A M_ON M_OFF RATIO VERDICT
for p in "${!POINTS[@]}"; do
	M_ON[$p]=$(med "$p" on)
	M_OFF[$p]=$(med "$p" off)
	RATIO[$p]=$(bench_ratio "${M_ON[$p]}" "${M_OFF[$p]}")
	VERDICT[$p]=$(bench_verdict "${RATIO[$p]}" ge "$TARGET_RATIO")
	echo "${POINTS[$p]} B: medians ${M_ON[$p]} with, ${M_OFF[$p]} without: with / without = ${RATIO[$p]} (target >= $TARGET_RATIO: ${VERDICT[$p]})"
done
echo "load average after: $(bench_loadavg)"

if [ "$RECORD" = 1 ]; then
	body=$BENCH_TMP/section.md
	{
		echo "## sampling"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- command: \`$BENCH_CMDLINE\` (pairs $PAIRS, ${DURATION} s measured after ${WARMUP} s warm-up)"
		echo "- machine: $(bench_machine)"
		echo "- compared: \`copyscope run --mode stream --threads 1 --events perfcfg/events/software.events\` with \`--sample\` (its sample line: task-clock where no PMU is, at its frequency) and without, rotating order each round. Gbit/s is the client's throughput_gbps; srv_samples and lost are the server's; after_s is the time spent naming, folding and writing both sides' samples after the window."
		for p in "${!POINTS[@]}"; do
			echo
			echo "### ${POINTS[$p]} B"
			echo
			echo "| round | with Gbit/s | without Gbit/s | srv_samples | lost | after_s |"
			echo "|---|---:|---:|---:|---:|---:|"
			for ((r = 1; r <= PAIRS; r++)); do
				read -r s l a <<<"${INFO[$p,$r]}"
				echo "| $r | ${GBPS[$p,on,$r]} | ${GBPS[$p,off,$r]} | $s | $l | $a |"
			done
			echo "| **median** | **${M_ON[$p]}** | **${M_OFF[$p]}** | | | |"
		done
		echo
		echo "| measure | value | target | |"
		echo "|---|---:|---:|---|"
		for p in "${!POINTS[@]}"; do
			echo "| ${POINTS[$p]} B: with / without (ratio of medians) | ${RATIO[$p]} | >= $TARGET_RATIO | ${VERDICT[$p]} |"
		done
	} >"$body"
	bench_record sampling "$body"
fi
