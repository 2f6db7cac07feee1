#!/usr/bin/env bash
# bench/zerocopy.sh — zero-copy ÷ one-copy stream throughput on loopback at
# 16 KiB and 64 KiB, both layouts (scattered, contiguous), one connection;
# uring-zc too when the server lists it (copyscope-server --list-impls).
# Every round runs every side of every point once, in an order that rotates
# from round to round; the result is the ratio of the medians.
# Target: zero-copy >= 0.5x one-copy with --layout contiguous. Loopback always
# copies (SO_EE_CODE_ZEROCOPY_COPIED), so zero-copy can only lose here: the
# question is how little.
. "$(dirname "$0")/lib.sh"

SIZES=(16384 65536)
LAYOUTS=(scattered contiguous)
TARGET=0.5

bench_usage() {
	cat <<EOF
usage: $BENCH_NAME [--pairs N] [--duration S] [--warmup S] [--record]

Stream throughput, 1 connection, loopback, at ${SIZES[*]} B and layouts
${LAYOUTS[*]}: zero-copy (MSG_ZEROCOPY) and, when the server lists it,
uring-zc (io_uring SEND_ZC), each divided by one-copy.
Target: zero-copy / one-copy >= ${TARGET} with --layout contiguous.
EOF
	bench_usage_common
}

bench_parse_args "$@"
bench_need_workloads

IMPLS=(one-copy zero-copy)
if "$SERVER" --list-impls 2>/dev/null | awk '{ print $1 }' | grep -qx uring-zc; then
	IMPLS+=(uring-zc)
fi

declare -A GBPS COPIED COMPLETIONS

# Sets RESULT to the Gbit/s of one run; adds the server's zc_copied and
# zc_completions to the per-impl totals. Runs in this shell so the trap knows
# every pid.
run_copyscope() { # IMPL SIZE LAYOUT
	local srv=$BENCH_TMP/srv.out cli=$BENCH_TMP/cli.out bytes seconds v
	bench_start_server "$srv" --impl "$1"
	if ! "$CLIENT" --host 127.0.0.1 --port "$SERVER_PORT" --size "$2" --threads 1 --mode stream \
		--layout "$3" --duration "$DURATION" --warmup "$WARMUP" </dev/null >"$cli" 2>&1; then
		bench_stop "$SERVER_PID"
		bench_die 1 "copyscope-client against --impl $1 --size $2 --layout $3 failed: $(tail -n3 "$cli")"
	fi
	bench_stop "$SERVER_PID" || bench_die 1 "copyscope-server --impl $1 exited badly: $(tail -n3 "$srv")"
	bytes=$(bench_kv bytes "$cli")
	seconds=$(bench_kv seconds "$cli")
	[ -n "$bytes" ] && [ -n "$seconds" ] || bench_die 1 "copyscope-client printed no bytes=/seconds=: $(head -c 300 "$cli")"
	RESULT=$(awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.3f\n", b * 8 / s / 1e9 }')
	v=$(bench_kv zc_copied "$srv") && [ -n "$v" ] && COPIED[$1]=$((${COPIED[$1]:-0} + v))
	v=$(bench_kv zc_completions "$srv") && [ -n "$v" ] && COMPLETIONS[$1]=$((${COMPLETIONS[$1]:-0} + v))
	return 0
}

POINTS=()
for size in "${SIZES[@]}"; do
	for layout in "${LAYOUTS[@]}"; do POINTS+=("$size/$layout"); done
done

echo "zerocopy: stream, 1 connection, loopback; impls ${IMPLS[*]}; points ${POINTS[*]}; $PAIRS rounds, ${DURATION}s each after ${WARMUP}s warm-up"
echo "machine: $(bench_machine); load average before: $(bench_loadavg)"
for ((r = 1; r <= PAIRS; r++)); do
	for point in "${POINTS[@]}"; do
		size=${point%/*} layout=${point#*/}
		line=$(printf '%-6s %-18s' "$r" "$point")
		mapfile -t order < <(bench_order "$r" "${IMPLS[@]}")
		for impl in "${order[@]}"; do
			run_copyscope "$impl" "$size" "$layout"
			GBPS[$point,$impl,$r]=$RESULT
		done
		for impl in "${IMPLS[@]}"; do line+=$(printf ' %10s=%-8s' "$impl" "${GBPS[$point,$impl,$r]}"); done
		echo "$line Gbit/s"
	done
done

med() { local v=() r; for ((r = 1; r <= PAIRS; r++)); do v+=("${GBPS[$1,$2,$r]}"); done; bench_median "${v[@]}"; }
declare -A MED RATIO VERDICT
echo
printf '%-18s' point
for impl in "${IMPLS[@]}"; do printf ' %14s' "$impl"; done
for impl in "${IMPLS[@]:1}"; do printf ' %20s' "$impl/one-copy"; done
echo
for point in "${POINTS[@]}"; do
	printf '%-18s' "$point"
	for impl in "${IMPLS[@]}"; do
		MED[$point,$impl]=$(med "$point" "$impl")
		printf ' %14s' "${MED[$point,$impl]}"
	done
	for impl in "${IMPLS[@]:1}"; do
		RATIO[$point,$impl]=$(bench_ratio "${MED[$point,$impl]}" "${MED[$point,one-copy]}")
		VERDICT[$point,$impl]="-"
		if [[ $point == */contiguous ]] && [ "$impl" = zero-copy ]; then
			VERDICT[$point,$impl]=$(bench_verdict "${RATIO[$point,$impl]}" ge "$TARGET")
		fi
		printf ' %20s' "${RATIO[$point,$impl]}"
	done
	echo
done
for point in "${POINTS[@]}"; do
	[[ $point == */contiguous ]] &&
		echo "zero-copy / one-copy at $point = ${RATIO[$point,zero-copy]} (target >= $TARGET: ${VERDICT[$point,zero-copy]})"
done
fallback() { # IMPL: "copied of completions (percent)"
	local c=${COPIED[$1]:-} n=${COMPLETIONS[$1]:-}
	[ -n "$n" ] || { echo "not reported"; return; }
	awk -v c="${c:-0}" -v n="$n" 'BEGIN { printf "%d of %d completions copied (%.1f%%)\n", c, n, n ? 100 * c / n : 0 }'
}
for impl in "${IMPLS[@]:1}"; do echo "$impl fallback (all runs): $(fallback "$impl")"; done
echo "load average after: $(bench_loadavg)"

if [ "$RECORD" = 1 ]; then
	body=$BENCH_TMP/section.md
	{
		echo "## zerocopy"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- command: \`$BENCH_CMDLINE\` (pairs $PAIRS, ${DURATION} s measured after ${WARMUP} s warm-up)"
		echo "- machine: $(bench_machine)"
		echo "- compared: \`copyscope-server --impl I\` + \`copyscope-client --mode stream --threads 1 --size S --layout L\`, I in ${IMPLS[*]}, every point and side once per round in rotating order; Gbit/s from the client's bytes and seconds"
		echo
		printf '| round | point |'
		for impl in "${IMPLS[@]}"; do printf ' %s Gbit/s |' "$impl"; done
		echo
		printf '|---|---|'
		for impl in "${IMPLS[@]}"; do printf -- '---:|'; done
		echo
		for ((r = 1; r <= PAIRS; r++)); do
			for point in "${POINTS[@]}"; do
				printf '| %s | %s |' "$r" "$point"
				for impl in "${IMPLS[@]}"; do printf ' %s |' "${GBPS[$point,$impl,$r]}"; done
				echo
			done
		done
		echo
		printf '| point (medians) |'
		for impl in "${IMPLS[@]}"; do printf ' %s Gbit/s |' "$impl"; done
		for impl in "${IMPLS[@]:1}"; do printf ' %s / one-copy |' "$impl"; done
		echo " target |"
		printf '|---|'
		for impl in "${IMPLS[@]}" "${IMPLS[@]:1}"; do printf -- '---:|'; done
		echo "---|"
		for point in "${POINTS[@]}"; do
			printf '| %s |' "$point"
			for impl in "${IMPLS[@]}"; do printf ' %s |' "${MED[$point,$impl]}"; done
			for impl in "${IMPLS[@]:1}"; do printf ' %s |' "${RATIO[$point,$impl]}"; done
			if [[ $point == */contiguous ]]; then
				echo " zero-copy >= $TARGET: ${VERDICT[$point,zero-copy]} |"
			else
				echo " (none) |"
			fi
		done
		echo
		for impl in "${IMPLS[@]:1}"; do echo "- $impl fallback over all runs (loopback always copies): $(fallback "$impl")"; done
		[[ " ${IMPLS[*]} " == *" uring-zc "* ]] || echo "- uring-zc: not listed by \`copyscope-server --list-impls\` on this build, not measured"
	} >"$body"
	bench_record zerocopy "$body"
fi
