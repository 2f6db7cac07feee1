#!/usr/bin/env bash
# bench/placement.sh — which placement gives answers that hold? The same
# points (two-copy and one-copy: 16 KiB stream and 256 B rr, 1 connection)
# under placement free, same and spread, as one shuffled sweep per mode (so
# the three alternate in every round), --pairs repetitions each. Per
# placement and point: the median, the spread of the repetitions
# ((max - min) / median), and where the runs were measured to be (placed).
# The placement whose spreads are smallest, all else equal, is parte.ini's
# default.
. "$(dirname "$0")/lib.sh"

bench_usage() {
	cat <<USAGE
usage: $BENCH_NAME [--pairs N] [--duration S] [--warmup S] [--record]

two-copy and one-copy, 16 KiB stream and 256 B rr, 1 connection, loopback,
under placement = free same spread: N shuffled rounds. Prints the median and
the spread of the repetitions per placement; no target, a choice.
USAGE
	bench_usage_common
}

bench_parse_args "$@"
bench_need_workloads
bench_need_copyscope

mkdir -p "$BENCH_TMP/sweeps" "$BENCH_TMP/events"
cp "$BENCH_ROOT/perfcfg/events/software.events" "$BENCH_TMP/events/"
for mode in stream rr; do
	size=16K
	[ "$mode" = rr ] && size=256
	printf '%s\n' "impls = two-copy one-copy" "sizes = $size" "threads = 1" "modes = $mode" \
		"placement = free same spread" "reps = $PAIRS" "duration = $DURATION" \
		"warmup = $WARMUP" "events = software" >"$BENCH_TMP/sweeps/$mode.ini"
done

echo "placement: two-copy, one-copy; 16K stream and 256 B rr; 1 connection; $PAIRS shuffled rounds, ${DURATION}s after ${WARMUP}s"
LOAD_BEFORE=$(bench_loadavg)
echo "machine: $(bench_machine); load average before: $LOAD_BEFORE"
for mode in stream rr; do
	bench_spawn "$BENCH_TMP/$mode.log" "$COPYSCOPE" sweep "$BENCH_TMP/sweeps/$mode.ini" \
		--out "$BENCH_TMP/$mode" --quiet
	bench_wait "$SPAWNED_PID" || bench_die 1 "the $mode sweep failed: $(tail -n3 "$BENCH_TMP/$mode.log")"
done

# "| impl | mode | placement | median | spread | placed |" from runs.csv's ok rows
table() {
	awk -F, '
	FNR == 1 { delete c; for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["status"] == "ok" {
		m = $c["mode"]; v = m == "rr" ? $c["lat_p50_us"] : $c["throughput_gbps"]
		k = $c["impl"] "|" m "|" $c["placement"]
		vals[k] = vals[k] " " v; placed[k] = placed[k] " " $c["placed"]
	}
	END {
		for (k in vals) {
			n = split(vals[k], a, " ")
			for (i = 2; i <= n; i++) # insertion sort: mawk has no asort
				for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			med = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			split(k, id, "|")
			np = split(placed[k], p, " "); delete cnt; s = ""
			for (i = 1; i <= np; i++) cnt[p[i]]++
			for (x in cnt) s = s (s ? ", " : "") x " " cnt[x]
			printf "| %s | %s | %s | %.2f | %.0f%% | %s |\n", id[1], id[2], id[3], med,
				100 * (a[n] - a[1]) / med, s
		}
	}' "$BENCH_TMP/stream/runs.csv" "$BENCH_TMP/rr/runs.csv" | sort
}

out=$BENCH_TMP/section.md
{
	echo "## placement"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- command: \`$BENCH_CMDLINE\` ($PAIRS shuffled rounds, ${DURATION} s measured after ${WARMUP} s warm-up)"
	echo "- machine: $(bench_machine); load average before: $LOAD_BEFORE"
	echo "- median: Gbit/s in stream, p50 µs in rr; spread: (max − min) / median over the rounds"
	echo
	echo "| impl | mode | placement | median | spread | placed (measured) |"
	echo "|---|---|---|---:|---:|---|"
	table
} >"$out"
cat "$out"
[ "$RECORD" = 1 ] && bench_record placement "$out"
exit 0
