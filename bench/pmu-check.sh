#!/usr/bin/env bash
# bench/pmu-check.sh — are the per-cache-level counters right on this
# machine's PMU? For the first machine with a hardware PMU: a small grid
# under `copyscope run` with the event set `copyscope events` picks for the
# PMU (two-copy and one-copy, 16 KiB and 64 KiB, stream, 1 connection,
# placement spread: server and client on different CPUs), then three checks:
#   1. every cache-level counter ran: its running fraction is > 0 on both
#      sides of every run (a group that never got on the PMU reads 0);
#   2. the client, which receives on another CPU than the sender, has at
#      least 16 L1 misses per KiB received: every received byte comes from
#      outside its L1, one miss per 64-byte line;
#   3. at 16 KiB, two-copy's server (which copies each message once more, in
#      user space) misses L1 more per KiB than one-copy's (medians over runs).
# Records the machine, the set, every run and the verdicts in section
# "## pmu-check" of bench/RESULTS.md (--no-record: print only). Under 3
# minutes with the defaults (4 points x 5 rounds x 4 s).
# On a machine without a hardware PMU it says so and exits 0, recording
# nothing. Exit status: 0 every check passed (or no PMU), 1 a check failed
# or a run failed, 2 bad options.
. "$(dirname "$0")/lib.sh"

IMPLS=(two-copy one-copy)
SIZES=(16384 65536)
MIN_L1_PER_KIB=16

bench_usage() {
	cat <<EOF
usage: $BENCH_NAME [--pairs N] [--duration S] [--warmup S] [--no-record]

Runs two-copy and one-copy, 16 KiB and 64 KiB, stream, 1 connection, server
and client pinned to different CPUs, under 'copyscope run' with the event set
of this machine's PMU ('copyscope events' names it), and checks: every cache
counter ran (running > 0); the client has >= $MIN_L1_PER_KIB L1 misses per KiB
received; two-copy's server misses L1 more per KiB than one-copy's at 16 KiB.
Records the result in bench/RESULTS.md unless --no-record. Without a hardware
PMU: says so, exits 0, records nothing.
  --no-record     print only
EOF
	bench_usage_common
}

# shellcheck disable=SC2034 # read by bench_parse_args (lib.sh)
BENCH_OWN_OPTS="--no-record"
bench_parse_args "$@"
RECORD=1
for a in "${BENCH_REST[@]}"; do [ "$a" = --no-record ] && RECORD=0; done
bench_need_workloads
COPYSCOPE=$BIN/copyscope
[ -x "$COPYSCOPE" ] || bench_die 2 "$COPYSCOPE: expected the copyscope program (make all)"

# What copyscope makes of this machine's PMU.
cd "$BENCH_ROOT" || bench_die 1 "cannot enter $BENCH_ROOT"
"$COPYSCOPE" events >"$BENCH_TMP/events.txt" 2>&1 || bench_die 1 "copyscope events failed: $(tail -n3 "$BENCH_TMP/events.txt")"
HW=$(sed -n 's/^# hardware PMU: //p' "$BENCH_TMP/events.txt")
SET_LINE=$(sed -n 's/^# event set: //p' "$BENCH_TMP/events.txt")
if [ "$HW" != yes ]; then
	echo "pmu-check: no hardware PMU on this machine (${HW#no: }): the cache counters cannot be checked here; nothing recorded."
	echo "pmu-check: copyscope's choice: $SET_LINE"
	exit 0
fi
SET=${SET_LINE%%: *}
EVENTS=perfcfg/events/$SET
[ -f "$EVENTS" ] || bench_die 1 "$EVENTS: the event set copyscope picked is missing"
# The cache-level keys of the set, and its L1 key.
mapfile -t LEVEL_KEYS < <(awk '!/^[ \t]*#/ && NF >= 3 && $2 != "-" { print $1 }' "$EVENTS")
L1_KEY=$(awk '!/^[ \t]*#/ && NF >= 3 && toupper($2) == "L1" { print $1; exit }' "$EVENTS")
if [ "${#LEVEL_KEYS[@]}" -eq 0 ] || [ -z "$L1_KEY" ]; then
	bench_die 1 "$EVENTS: no cache level, or no L1 key"
fi

# placement spread puts the client on another CPU than the server (placement.h).
if [ "$(nproc)" -lt 2 ]; then
	echo "pmu-check: one CPU only: the receiver cannot run on another CPU than the sender; nothing checked, nothing recorded."
	exit 0
fi

CSV=$BENCH_TMP/runs.csv
echo "pmu-check: $(bench_machine); event set $SET ($SET_LINE)"
echo "grid: ${IMPLS[*]} x ${SIZES[*]} B, stream, 1 connection, placement spread (server and client on different CPUs); $PAIRS rounds, ${DURATION}s after ${WARMUP}s warm-up"
POINTS=()
for impl in "${IMPLS[@]}"; do for size in "${SIZES[@]}"; do POINTS+=("$impl:$size"); done; done
for ((r = 1; r <= PAIRS; r++)); do
	mapfile -t order < <(bench_order "$r" "${POINTS[@]}")
	for p in "${order[@]}"; do
		impl=${p%%:*} size=${p#*:}
		bench_spawn "$BENCH_TMP/run.err" "$COPYSCOPE" run --impl "$impl" --size "$size" --threads 1 \
			--mode stream --duration "$DURATION" --warmup "$WARMUP" --events "$EVENTS" \
			--placement spread --out "$CSV"
		bench_wait "$SPAWNED_PID" || bench_die 1 "copyscope run --impl $impl --size $size failed: $(tail -n3 "$BENCH_TMP/run.err")"
	done
done

# One line per run: impl size <key>=<srv running>/<cli running>... srv_l1 cli_l1 (per KiB).
COLS="impl msg_size status"
for k in "${LEVEL_KEYS[@]}"; do COLS="$COLS srv_${k}_running cli_${k}_running srv_${k}_per_kb cli_${k}_per_kb"; done
awk -F, -v cols="$COLS" '
	NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i; n = split(cols, c, " ")
	          for (j = 1; j <= n; j++) if (!(c[j] in at)) { print "missing column " c[j] > "/dev/stderr"; exit 1 }
	          next }
	{ line = ""; for (j = 1; j <= n; j++) line = line (j > 1 ? " " : "") ($(at[c[j]]) == "" ? "-" : $(at[c[j]])); print line }' \
	"$CSV" >"$BENCH_TMP/runs.txt" || bench_die 1 "runs.csv lacks a column the checks need"

# Check 1: every cache counter ran, both sides, every run.
NOT_RAN=$(awk -v nk="${#LEVEL_KEYS[@]}" -v keys="${LEVEL_KEYS[*]}" '
	BEGIN { split(keys, k, " ") }
	{ for (j = 0; j < nk; j++) { s = $(4 + 4 * j); c = $(5 + 4 * j)
	    if (s == "-" || s + 0 <= 0) print $1 " " $2 " B: srv_" k[j + 1] "_running=" s
	    if (c == "-" || c + 0 <= 0) print $1 " " $2 " B: cli_" k[j + 1] "_running=" c } }' "$BENCH_TMP/runs.txt")
# Medians of the L1 per-KiB columns per point (the L1 key is the first with level L1).
l1_col=0
for ((j = 0; j < ${#LEVEL_KEYS[@]}; j++)); do [ "${LEVEL_KEYS[$j]}" = "$L1_KEY" ] && l1_col=$j; done
med_of() { # IMPL SIZE FIELD
	local v
	mapfile -t v < <(awk -v i="$1" -v s="$2" -v f="$3" '$1 == i && $2 == s { print $f }' "$BENCH_TMP/runs.txt")
	bench_median "${v[@]}"
}
SRV_F=$((6 + 4 * l1_col)) CLI_F=$((7 + 4 * l1_col))
declare -A SRV CLI
for p in "${POINTS[@]}"; do
	impl=${p%%:*} size=${p#*:}
	SRV[$p]=$(med_of "$impl" "$size" "$SRV_F")
	CLI[$p]=$(med_of "$impl" "$size" "$CLI_F")
done
# Check 2: the client's L1 misses per KiB, every point.
LOW=
for p in "${POINTS[@]}"; do
	ok=$(awk -v v="${CLI[$p]}" -v t="$MIN_L1_PER_KIB" 'BEGIN { print (v != "-" && v + 0 >= t) ? 1 : 0 }')
	[ "$ok" = 1 ] || LOW="$LOW ${p/:/ } B: ${CLI[$p]};"
done
# Check 3: two-copy's server misses more per KiB than one-copy's at 16 KiB.
MORE=$(awk -v a="${SRV[two-copy:16384]}" -v b="${SRV[one-copy:16384]}" 'BEGIN { print (a != "-" && b != "-" && a + 0 > b + 0) ? 1 : 0 }')

V1=$([ -z "$NOT_RAN" ] && echo passed || echo failed)
V2=$([ -z "$LOW" ] && echo passed || echo failed)
V3=$([ "$MORE" = 1 ] && echo passed || echo failed)
printf '%-9s %7s %22s %22s\n' impl size "srv ${L1_KEY}/KiB" "cli ${L1_KEY}/KiB"
for p in "${POINTS[@]}"; do printf '%-9s %7s %22s %22s\n' "${p%%:*}" "${p#*:}" "${SRV[$p]}" "${CLI[$p]}"; done
echo "1. every cache counter ran (running > 0, both sides, every run): $V1${NOT_RAN:+: $(echo "$NOT_RAN" | head -n 5 | tr '\n' ';')}"
echo "2. client ${L1_KEY} >= $MIN_L1_PER_KIB per KiB received, every point: $V2${LOW:+:$LOW}"
echo "3. at 16 KiB, two-copy's server ${L1_KEY}/KiB (${SRV[two-copy:16384]}) > one-copy's (${SRV[one-copy:16384]}): $V3"

if [ "$RECORD" = 1 ]; then
	body=$BENCH_TMP/section.md
	{
		echo "## pmu-check"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "- command: \`$BENCH_CMDLINE\` (pairs $PAIRS, ${DURATION} s measured after ${WARMUP} s warm-up)"
		echo "- machine: $(bench_machine)"
		echo "- event set: \`$EVENTS\` ($SET_LINE)"
		echo "- grid: \`copyscope run --mode stream --threads 1 --placement spread\`, ${IMPLS[*]} x ${SIZES[*]} B; medians over the rounds"
		echo
		echo "| impl | size | srv ${L1_KEY}/KiB | cli ${L1_KEY}/KiB |"
		echo "|---|---:|---:|---:|"
		for p in "${POINTS[@]}"; do echo "| ${p%%:*} | ${p#*:} | ${SRV[$p]} | ${CLI[$p]} |"; done
		echo
		echo "| check | result |"
		echo "|---|---|"
		echo "| every cache counter ran (running > 0) | $V1 |"
		echo "| client ${L1_KEY} >= $MIN_L1_PER_KIB per KiB received | $V2 |"
		echo "| two-copy server > one-copy server, ${L1_KEY}/KiB at 16 KiB | $V3 |"
		echo
		echo "Every run (for each cache key: srv and cli running fractions, then srv and cli per KiB):"
		echo
		echo '```'
		echo "$COLS"
		cat "$BENCH_TMP/runs.txt"
		echo '```'
	} >"$body"
	bench_record pmu-check "$body"
fi
[ "$V1$V2$V3" = passedpassedpassed ]
