#!/usr/bin/env bash
# bench/remote.sh — does running the server under `copyscope agent` (the
# remote topology, docs/remote.md) change what is measured? Both sides on
# this host: `copyscope run` with a local server, against `copyscope run
# --remote 127.0.0.1:PORT` with the agent spawning and counting the server,
# alternating in rotating order. Points: two-copy 16 KiB stream (throughput)
# and two-copy 256 B rr (the client's p50 round trip); 1 connection, no
# pinning on either side (the agent takes no placement).
# Target: agent / local within 0.95..1.05 for both medians: the relay of
# begin and end over the control connection must not show in the window.
# Also shown: the server's task-clock per message on both sides, which must
# agree as well (the agent counts the same event file).
. "$(dirname "$0")/lib.sh"

POINTS=("two-copy 16384 stream throughput_gbps" "two-copy 256 rr lat_p50_us")
TARGET_LO=0.95
TARGET_HI=1.05

bench_usage() {
	cat <<EOF
usage: $BENCH_NAME [--pairs N] [--duration S] [--warmup S] [--record]

two-copy 16 KiB stream and 256 B rr, 1 connection, under 'copyscope run
--events perfcfg/events/software.events', with the server local and with the
server under 'copyscope agent' on 127.0.0.1. Target: agent / local of the
medians (throughput, and the p50 round trip) within $TARGET_LO..$TARGET_HI.
EOF
	bench_usage_common
}

bench_parse_args "$@"
bench_need_workloads
bench_need_copyscope
EVENTS=$BENCH_ROOT/perfcfg/events/software.events
KEY=$BENCH_TMP/agent.key
"$COPYSCOPE" agent --new-key "$KEY" >/dev/null || bench_die 1 "copyscope agent --new-key failed"
PORT=$(bench_free_port)
bench_spawn "$BENCH_TMP/agent.err" "$COPYSCOPE" agent --key-file "$KEY" --listen "127.0.0.1:$PORT" --quiet
AGENT_PID=$SPAWNED_PID
bench_wait_line "$AGENT_PID" "$BENCH_TMP/agent.err" 'listening on' ||
	bench_die 1 "copyscope agent did not start: $(head -c 300 "$BENCH_TMP/agent.err")"

# Sets RESULT (the point's measure) and TASK (srv_task_clock_per_msg) of one
# `copyscope run`: $1 impl, $2 size, $3 mode, $4 column, $5 local or agent.
run_side() {
	local csv=$BENCH_TMP/run.csv err=$BENCH_TMP/run.err remote=()
	[ "$5" = agent ] && remote=(--remote "127.0.0.1:$PORT" --key-file "$KEY")
	rm -f "$csv"
	bench_spawn "$err" "$COPYSCOPE" run --impl "$1" --size "$2" --threads 1 --mode "$3" \
		--duration "$DURATION" --warmup "$WARMUP" --events "$EVENTS" --out "$csv" "${remote[@]}"
	bench_wait "$SPAWNED_PID" || bench_die 1 "copyscope run ($5) failed: $(tail -n3 "$err")"
	RESULT=$(bench_csv_cell "$csv" "$4")
	TASK=$(bench_csv_cell "$csv" srv_task_clock_per_msg)
	[ -n "$RESULT" ] || bench_die 1 "copyscope run ($5) gave no $4: $(head -c 300 "$err")"
	[ "$(bench_csv_cell "$csv" topology)" = "$([ "$5" = agent ] && echo remote || echo loopback)" ] ||
		bench_die 1 "copyscope run ($5): unexpected topology"
}

declare -A VAL TASKS
echo "remote: ${POINTS[*]}; $PAIRS rounds x (local, agent), ${DURATION}s each after ${WARMUP}s warm-up"
echo "machine: $(bench_machine); load average before: $(bench_loadavg)"
for p in "${!POINTS[@]}"; do
	read -r impl size mode col <<<"${POINTS[$p]}"
	echo "== $impl $size B $mode ($col)"
	printf '%-6s %-12s %12s %12s %14s %14s\n' round order local agent local_task/msg agent_task/msg
	for ((r = 1; r <= PAIRS; r++)); do
		mapfile -t order < <(bench_order "$r" local agent)
		for side in "${order[@]}"; do
			run_side "$impl" "$size" "$mode" "$col" "$side"
			VAL[$p,$side,$r]=$RESULT
			TASKS[$p,$side,$r]=$TASK
		done
		printf '%-6s %-12s %12s %12s %14s %14s\n' "$r" "$(IFS=,; echo "${order[*]}")" \
			"${VAL[$p,local,$r]}" "${VAL[$p,agent,$r]}" "${TASKS[$p,local,$r]}" "${TASKS[$p,agent,$r]}"
	done
done

med() { local v=() r; for ((r = 1; r <= PAIRS; r++)); do v+=("$(eval echo "\${$1[$2,$3,$r]}")"); done; bench_median "${v[@]}"; }
declare -A M_LOC M_AG T_LOC T_AG RATIO TRATIO VERDICT
for p in "${!POINTS[@]}"; do
	M_LOC[$p]=$(med VAL "$p" local)
	M_AG[$p]=$(med VAL "$p" agent)
	T_LOC[$p]=$(med TASKS "$p" local)
	T_AG[$p]=$(med TASKS "$p" agent)
	RATIO[$p]=$(bench_ratio "${M_AG[$p]}" "${M_LOC[$p]}")
	TRATIO[$p]=$(bench_ratio "${T_AG[$p]}" "${T_LOC[$p]}")
	lo=$(bench_verdict "${RATIO[$p]}" ge "$TARGET_LO")
	hi=$(bench_verdict "${RATIO[$p]}" le "$TARGET_HI")
	VERDICT[$p]=$([ "$lo" = met ] && [ "$hi" = met ] && echo met || echo missed)
	echo "${POINTS[$p]}: medians ${M_LOC[$p]} local, ${M_AG[$p]} agent: agent / local = ${RATIO[$p]} (target $TARGET_LO..$TARGET_HI: ${VERDICT[$p]}); server task-clock per message agent / local = ${TRATIO[$p]}"
done
echo "load average after: $(bench_loadavg)"

if [ "$RECORD" = 1 ]; then
	body=$BENCH_TMP/section.md
	{
		echo "## remote"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- command: \`$BENCH_CMDLINE\` (pairs $PAIRS, ${DURATION} s measured after ${WARMUP} s warm-up)"
		echo "- machine: $(bench_machine)"
		echo "- compared: \`copyscope run --threads 1 --events perfcfg/events/software.events\` with the server local (topology loopback) and under \`copyscope agent\` on 127.0.0.1 (\`--remote\`, topology remote), rotating order each round; no pinning on either side. task/msg is the server's srv_task_clock_per_msg (ns), counted by the harness or by the agent."
		for p in "${!POINTS[@]}"; do
			echo
			echo "### ${POINTS[$p]}"
			echo
			echo "| round | local | agent | local task/msg | agent task/msg |"
			echo "|---|---:|---:|---:|---:|"
			for ((r = 1; r <= PAIRS; r++)); do
				echo "| $r | ${VAL[$p,local,$r]} | ${VAL[$p,agent,$r]} | ${TASKS[$p,local,$r]} | ${TASKS[$p,agent,$r]} |"
			done
			echo "| **median** | **${M_LOC[$p]}** | **${M_AG[$p]}** | **${T_LOC[$p]}** | **${T_AG[$p]}** |"
		done
		echo
		echo "| measure | value | target | |"
		echo "|---|---:|---:|---|"
		for p in "${!POINTS[@]}"; do
			echo "| ${POINTS[$p]}: agent / local (ratio of medians) | ${RATIO[$p]} | $TARGET_LO..$TARGET_HI | ${VERDICT[$p]} |"
			echo "| ${POINTS[$p]}: server task-clock per message, agent / local | ${TRATIO[$p]} | | |"
		done
	} >"$body"
	bench_record remote "$body"
fi
