#!/usr/bin/env bats
# copyscope sweep: a grid into a results folder, interrupted and resumed,
# and the bad sweep files it refuses. The quick grid runs once (setup_file)
# and several tests read its results folder.

REPO="$BATS_TEST_DIRNAME/../.."

load harness_helpers # rows, cols

setup_file() {
	export CS="${COPYSCOPE_BIN:-bin}/copyscope"
	[[ "$CS" = /* ]] || CS="$PWD/$CS"
	export QUICK="$BATS_FILE_TMPDIR/quick"
	"$CS" sweep "$REPO/perfcfg/sweeps/quick.ini" --out "$QUICK" --quiet \
		>"$BATS_FILE_TMPDIR/quick.out" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/quick.rc"
}

setup() {
	# a sweeps/ + events/ tree, as perfcfg/ has, for the small grids of these tests
	mkdir -p "$BATS_TEST_TMPDIR/sweeps" "$BATS_TEST_TMPDIR/events"
	cp "$REPO/perfcfg/events/software.events" "$BATS_TEST_TMPDIR/events/"
}

# Writes a small sweep file sweeps/NAME.ini (4 points x 2 reps) plus extra lines; prints its path.
small_sweep() {
	local name=$1
	shift
	local f="$BATS_TEST_TMPDIR/sweeps/$name.ini"
	{
		echo "impls = two-copy one-copy"
		echo "sizes = 1K 4K"
		echo "threads = 1"
		echo "duration = 0.25"
		echo "warmup = 0.05"
		echo "reps = 2"
		echo "events = software"
		printf '%s\n' "$@"
	} >"$f"
	echo "$f"
}

# The identity + rep of every row, sorted, for duplicate checks; fails with cols.
run_keys() {
	local keys
	keys=$(cols "$1" impl mode topology layout busy_poll msg_size threads rep) || return 1
	sort <<<"$keys"
}

# no_dup_runs FILE: every row of runs.csv FILE is another point or rep (fails, naming
# the duplicates, also when a key column is missing: [ -z "$(run_keys F | uniq -d)" ] would pass).
no_dup_runs() {
	local keys dups
	keys=$(run_keys "$1") || return 1
	[ -n "$keys" ] || { echo "$1: no rows" >&2; return 1; }
	dups=$(uniq -d <<<"$keys")
	[ -z "$dups" ] || { echo "duplicate runs in $1: $dups" >&2; return 1; }
}

@test "quick grid: one row per point and rep, all ok" {
	[ "$(cat "$BATS_FILE_TMPDIR/quick.rc")" = 0 ] || cat "$BATS_FILE_TMPDIR/quick.out"
	[ "$(cat "$BATS_FILE_TMPDIR/quick.rc")" = 0 ]
	# quick.ini: 4 impls x 2 sizes x 2 modes x 1 thread count = 16 points, 2 reps;
	# make check builds every strategy, so uring-zc? is in the grid
	[ "$(rows "$QUICK/runs.csv")" = 32 ]
	[ "$(rows "$QUICK/summary.csv")" = 16 ]
	[ "$(cols "$QUICK/runs.csv" impl | sort -u | tr '\n' ' ')" = "one-copy two-copy uring-zc zero-copy " ]
	no_dup_runs "$QUICK/runs.csv"
	[ "$(cols "$QUICK/runs.csv" status | sort -u)" = ok ]
}

@test "quick grid: every summary median, min and max recomputed from runs.csv" {
	run grep -q '"' "$QUICK/runs.csv" "$QUICK/summary.csv" # plain cells: awk -F, reads them
	[ "$status" -eq 1 ]
	run awk -F, -f - "$QUICK/runs.csv" "$QUICK/summary.csv" <<'EOF'
function key(c,   i, k) { # a point: every runs.csv column before rep
	for (i = 1; i < rc["rep"]; i++) k = k "|" $c[rname[i]]
	return k }
function near(a, b) { d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a; return d <= 1e-9 * m + 1e-12 }
function stat(k, j, what,   n, i, t, x, v) {   # median/min/max of the ok values, or ""
	n = cnt[k, j]
	if (n == 0) return ""
	for (i = 1; i <= n; i++) v[i] = val[k, j, i] + 0
	for (i = 2; i <= n; i++) { x = v[i]; for (t = i - 1; t >= 1 && v[t] > x; t--) v[t + 1] = v[t]; v[t + 1] = x }
	if (what == "min") return v[1]
	if (what == "max") return v[n]
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
FNR == 1 && NR == 1 { for (i = 1; i <= NF; i++) { rc[$i] = i; rname[i] = $i }; first = rc["status"] + 1; nr = NF; next }
NR == FNR { if ($rc["status"] != "ok") next
	k = key(rc); for (j = first; j <= nr; j++) if ($j != "") val[k, j, ++cnt[k, j]] = $j
	next }
FNR == 1 { for (i = 1; i <= NF; i++) sc[$i] = i; next }
{ k = key(sc); points++
  for (j = first; j <= nr; j++) {
	split("median min max", whats, " ")
	for (w = 1; w <= 3; w++) {
		want = stat(k, j, whats[w]); got = $sc[rname[j] "_" whats[w]]
		checked++
		if (want == "" && got == "") continue
		if (want == "" || got == "" || !near(got + 0, want + 0)) {
			printf "%s %s_%s: summary %s, runs.csv gives %s\n", k, rname[j], whats[w], got, want
			bad++
		}
	}
  } }
END { printf "%d points, %d cells checked, %d wrong\n", points, checked, bad; exit bad > 0 || points == 0 }
EOF
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "quick grid: raw logs and intervals named by the run's parameters" {
	for rep in 1 2; do
		for impl in two-copy one-copy zero-copy uring-zc; do
			for mode in stream rr; do
				for size in 1024 16384; do
					base=$QUICK/raw/${impl}_${mode}_${size}B_1t_same_r$rep
					[ -s "$base.server.log" ]
					[ -s "$base.client.log" ]
					# the window interval by interval: a header, then 0.3 s of 0.1 s intervals
					head -n1 "$base.intervals.csv" | grep -q '^t_s,bytes,gbps'
					[ "$(tail -n +2 "$base.intervals.csv" | wc -l)" -ge 2 ]
				done
			done
		done
	done
	[ "$(ls "$QUICK/raw" | wc -l)" = 96 ]
}

@test "quick grid: env.txt, sweep.ini and events.events describe the run" {
	cmp "$QUICK/sweep.ini" "$REPO/perfcfg/sweeps/quick.ini"
	cmp "$QUICK/events.events" "$REPO/perfcfg/events/software.events"
	for key in date kernel cpu_model cpus mem_total_kib cpu_topology smt_siblings llc_shared \
		hw_pmu libpfm gnuplot perf_event_paranoid optmem_max tcp_rmem tcp_wmem lo_mtu \
		governor git_rev sweep events seed topology placement; do
		grep -q "^$key=" "$QUICK/env.txt" || { echo "no $key= in env.txt"; false; }
	done
	# the CPUs it may use, as sysfs groups them: "cpu_topology=2 CPUs, 1 package, ..."
	grep -Eq "^cpu_topology=$(nproc) CPUs?, [0-9]+ packages?, [0-9]+ cores?, " "$QUICK/env.txt"
	grep -Eq '^hw_pmu=(yes|no)$' "$QUICK/env.txt"
	grep -Eq '^seed=[0-9]+$' "$QUICK/env.txt"
	grep -q '^# --- sweep file: ' "$QUICK/env.txt"
	grep -q '^# --- event file: ' "$QUICK/env.txt"
}

@test "quick grid: resuming a complete folder runs nothing and keeps every row" {
	cp "$QUICK/runs.csv" "$BATS_TEST_TMPDIR/before.csv"
	run "$CS" sweep --resume "$QUICK"
	[ "$status" -eq 0 ]
	[[ "$output" == *"32 already in runs.csv, 0 to run"* ]]
	cmp "$QUICK/runs.csv" "$BATS_TEST_TMPDIR/before.csv"
}

@test "--dry-run prints the plan and writes nothing" {
	run "$CS" sweep "$REPO/perfcfg/sweeps/quick.ini" --out "$BATS_TEST_TMPDIR/dry" --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"16 points x 2 reps = 32 runs"* ]]
	[[ "$output" == *"estimated wall time"* ]]
	[[ "$output" == *"two-copy_stream_1024B_1t_same_r1"* ]]
	[ "$(grep -c '_r[12]$' <<<"$output")" = 32 ]
	[ ! -e "$BATS_TEST_TMPDIR/dry" ]
}

@test "SIGTERM and SIGINT keep finished rows, then --resume completes without duplicates" {
	sweep=$(small_sweep resume "order = sequential")
	dir="$BATS_TEST_TMPDIR/out"
	wait_rows() { # until runs.csv has at least $1 rows (or 60 s)
		for _ in $(seq 600); do
			[ -f "$dir/runs.csv" ] && [ "$(rows "$dir/runs.csv")" -ge "$1" ] && return 0
			sleep 0.1
		done
		return 1
	}
	"$CS" sweep "$sweep" --out "$dir" --quiet 3>&- &
	pid=$!
	wait_rows 1
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	first=$(rows "$dir/runs.csv")
	[ "$first" -lt 8 ]
	[ -f "$dir/summary.csv" ]
	[ ! -e "$dir/summary.csv.tmp" ]

	"$CS" sweep --resume "$dir" --quiet 3>&- &
	pid=$!
	wait_rows $((first + 1))
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	# every row whole: as many fields as the header, and no interrupted run's row
	awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$dir/runs.csv"
	run grep -q ',interrupted,' "$dir/runs.csv"
	[ "$status" -eq 1 ]

	run "$CS" sweep --resume "$dir" --quiet
	[ "$status" -eq 0 ]
	[ "$(rows "$dir/runs.csv")" = 8 ]
	no_dup_runs "$dir/runs.csv"
	[ "$(rows "$dir/summary.csv")" = 4 ]
	[ "$(cols "$dir/summary.csv" runs | awk '{ s += $1 } END { print s }')" = 8 ]
}

@test "a failed run stays in runs.csv, leaves the medians and the sweep goes on: exit 1" {
	# a server that lists its strategies (so the sweep file is valid) but fails at every start
	printf '#!/bin/sh\n[ "$1" = --list-impls ] && exec "%s" --list-impls\necho "bind: Address in use" >&2\nexit 1\n' \
		"$(dirname "$CS")/copyscope-server" >"$BATS_TEST_TMPDIR/srv"
	chmod +x "$BATS_TEST_TMPDIR/srv"
	sweep=$(small_sweep failing)
	sed -i 's/^reps = 2$/reps = 1/' "$sweep"
	COPYSCOPE_SERVER="$BATS_TEST_TMPDIR/srv" run "$CS" sweep "$sweep" --out "$BATS_TEST_TMPDIR/f"
	[ "$status" -eq 1 ]
	[[ "$output" == *"4 run(s) failed"* ]]
	[ "$(rows "$BATS_TEST_TMPDIR/f/runs.csv")" = 4 ]
	[ "$(grep -c ',failed:server_exit_1,' "$BATS_TEST_TMPDIR/f/runs.csv")" = 4 ]
	[ "$(cols "$BATS_TEST_TMPDIR/f/summary.csv" runs failed bytes_median | sort -u)" = "1/1/" ]
}

@test "a non-empty results folder is refused without --resume" {
	mkdir "$BATS_TEST_TMPDIR/full"
	echo keep >"$BATS_TEST_TMPDIR/full/notes"
	run "$CS" sweep "$(small_sweep x)" --out "$BATS_TEST_TMPDIR/full"
	[ "$status" -eq 2 ]
	[[ "$output" == *"full: exists and is not empty"* ]]
	[ "$(ls "$BATS_TEST_TMPDIR/full")" = notes ]
}

@test "resuming a folder with another sweep file is refused" {
	run "$CS" sweep "$(small_sweep other)" --out "$QUICK" --resume
	[ "$status" -eq 2 ]
	[[ "$output" == *"sweep.ini: differs from"* ]]
}

# Runs copyscope sweep on a sweep file whose line LINE is bad: exit 2, one line
# naming FILE:LINE and saying WHAT, no results folder.
expect_bad_line() {
	local sweep=$1 line=$2 what=$3
	run "$CS" sweep "$sweep" --out "$BATS_TEST_TMPDIR/never"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "copyscope: $sweep:$line: "*"$what"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/never" ]
}

@test "bad values in a sweep file: exit 2 naming file:line, nothing written" {
	f=$(small_sweep bad)
	sed -i 's/^sizes = .*/sizes = 1K 12Q/' "$f"
	expect_bad_line "$f" 2 "sizes: 12Q: expected a size"
	sed -i 's/^sizes = .*/sizes = 1K/; s/^threads = .*/threads = 0/' "$f"
	expect_bad_line "$f" 3 "threads: 0: expected a thread count"
	sed -i 's/^threads = .*/threads = 1/; s/^impls = .*/impls =/' "$f"
	expect_bad_line "$f" 1 "impls: expected at least one strategy"
	sed -i 's/^impls =.*/impls = two-copy four-copy/' "$f"
	expect_bad_line "$f" 1 "four-copy"
	sed -i 's/^impls =.*/impls = a1/; s/^reps = .*/reps = 0/' "$f"
	expect_bad_line "$f" 6 "reps: 0: expected"
	sed -i 's/^reps = .*/repetitions = 2/' "$f"
	expect_bad_line "$f" 6 "repetitions: unknown key"
	sed -i 's/^repetitions = .*/reps 2/' "$f"
	expect_bad_line "$f" 6 "expected KEY = VALUE"
	# below what copyscope-client takes (0.001 s): every run would fail
	sed -i 's/^reps 2$/reps = 2/; s/^duration = .*/duration = 0.0001/' "$f"
	expect_bad_line "$f" 4 "duration: 0.0001: expected seconds from 0.001"
	run "$CS" sweep "$f" --out "$BATS_TEST_TMPDIR/never" --dry-run
	[ "$status" -eq 2 ]
	[[ "$output" == *"$f:4: duration: 0.0001: expected seconds from 0.001"* ]]
	sed -i 's/^duration = .*/duration = 1ms/' "$f"
	run "$CS" sweep "$f" --out "$BATS_TEST_TMPDIR/never" --dry-run
	[ "$status" -eq 0 ]
}

@test "unknown or missing event files in a sweep file: exit 2 naming file:line" {
	f=$(small_sweep ev)
	sed -i 's/^events = .*/events = nosuch/' "$f"
	expect_bad_line "$f" 7 "events/nosuch.events: No such file"
	printf 'bogus - NO_SUCH_EVENT_ANYWHERE\n' >"$BATS_TEST_TMPDIR/events/bogus.events"
	sed -i 's/^events = .*/events = bogus/' "$f"
	expect_bad_line "$f" 7 "NO_SUCH_EVENT_ANYWHERE"
}

@test "a missing sweep file: exit 2 naming it" {
	run "$CS" sweep "$BATS_TEST_TMPDIR/nope.ini" --out "$BATS_TEST_TMPDIR/never"
	[ "$status" -eq 2 ]
	[[ "$output" == "copyscope: $BATS_TEST_TMPDIR/nope.ini: No such file"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/never" ]
}

@test "a sweep file of the user's, anywhere, finds parte or a named set as copyscope run does" {
	mkdir -p "$BATS_TEST_TMPDIR/elsewhere/sweeps" # no events/ beside it
	f=$BATS_TEST_TMPDIR/elsewhere/sweeps/mine.ini
	printf '%s\n' "impls = one-copy" "sizes = 1K" "threads = 1" "duration = 0.1" >"$f"
	run "$CS" sweep "$f" --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"events perfcfg/events/parte.events"* ]]
	echo "events = software" >>"$f"
	run "$CS" sweep "$f" --dry-run
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"events perfcfg/events/software.events"* ]]
	# and run takes the same bare name
	run "$CS" run --impl one-copy --size 1K --duration 0.05 --warmup 0 --events software
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *",srv_task_clock,"* ]]
	[[ "${lines[0]}" != *",srv_cycles,"* ]]
}

# Writes sweeps/NAME.ini: 2 points, reps = auto, plus extra lines; prints its path.
auto_sweep() {
	local name=$1
	shift
	local f="$BATS_TEST_TMPDIR/sweeps/$name.ini"
	printf '%s\n' "impls = two-copy one-copy" "sizes = 4K" "threads = 1" "duration = 0.1" \
		"warmup = 0.05" "reps = auto" "min_reps = 2" "max_reps = 3" "events = software" \
		"$@" >"$f"
	echo "$f"
}

# rows of runs.csv per point (impl,msg_size): "N impl,size" lines
rows_per_point() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ n[$c["impl"] "," $c["msg_size"]]++ } END { for (k in n) print n[k], k }' "$1"
}

@test "reps = auto: every point gets min_reps, then rounds repeat the noisy ones up to max_reps" {
	# a 0.1% target: two 0.1 s loopback runs practically never agree that closely
	sweep=$(auto_sweep tight "target = 0.1%")
	run "$CS" sweep "$sweep" --out "$BATS_TEST_TMPDIR/res"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reps auto: then rounds of the points whose median's 95% interval is wider than +-0.1%, up to 3 reps"* ]]
	[[ "$output" == *"reps auto: round 3: "*" points not yet within +-0.1%"* ]]
	[[ "$output" == *"reps auto: "*" of 2 points within +-0.1%"* ]]
	rows_per_point "$BATS_TEST_TMPDIR/res/runs.csv" >"$BATS_TEST_TMPDIR/n"
	cat "$BATS_TEST_TMPDIR/n"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/n")" -eq 2 ]
	# between min_reps and max_reps each, and no rep number twice
	awk '$1 < 2 || $1 > 3 { exit 1 }' "$BATS_TEST_TMPDIR/n"
	awk '$1 == 3 { found = 1 } END { exit !found }' "$BATS_TEST_TMPDIR/n"
	[ -z "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print $c["impl"], $c["msg_size"], $c["rep"] }' "$BATS_TEST_TMPDIR/res/runs.csv" |
		sort | uniq -d)" ]
}

@test "reps = auto: a loose target stops at min_reps; the budget caps the extra rounds" {
	sweep=$(auto_sweep loose "target = 50%")
	run "$CS" sweep "$sweep" --out "$BATS_TEST_TMPDIR/loose" --quiet
	[ "$status" -eq 0 ]
	[ "$(rows_per_point "$BATS_TEST_TMPDIR/loose/runs.csv" | awk '{ s += $1 } END { print s }')" -eq 4 ]
	# a 1 s budget is spent by the first rounds, which every point gets anyway
	sweep=$(auto_sweep budget "target = 0.1%" "budget = 1")
	run "$CS" sweep "$sweep" --out "$BATS_TEST_TMPDIR/budget"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(rows_per_point "$BATS_TEST_TMPDIR/budget/runs.csv" | awk '{ s += $1 } END { print s }')" -eq 4 ]
	[[ "$output" == *"the budget ran out"* ]]
}

@test "reps = auto: --dry-run says rounds may follow; --resume gives a point its min_reps" {
	sweep=$(auto_sweep dry "target = 50%")
	run "$CS" sweep "$sweep" --out "$BATS_TEST_TMPDIR/dry" --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"then: rounds of the points not yet within +-50% (reps = auto)"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/dry" ]
	run "$CS" sweep "$sweep" --out "$BATS_TEST_TMPDIR/res" --quiet
	[ "$status" -eq 0 ]
	# a point that lost a row (as after an interrupt) gets it back on --resume
	sed -i '$d' "$BATS_TEST_TMPDIR/res/runs.csv"
	run "$CS" sweep --resume "$BATS_TEST_TMPDIR/res" --quiet
	[ "$status" -eq 0 ]
	[ "$(rows_per_point "$BATS_TEST_TMPDIR/res/runs.csv" | awk '{ s += $1 } END { print s }')" -eq 4 ]
}
