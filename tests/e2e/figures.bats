#!/usr/bin/env bats
# Figures (plots/render.sh), tables (copyscope table) and the report
# (copyscope report) from the fixture results folders of tests/fixtures/:
# one with hardware counters, one without, one swept with sample = on. Fixtures
# are copied to a temporary folder first, since rendering writes into the
# results folder.

setup() {
	BIN=${COPYSCOPE_BIN:-bin}
	TMP=$(mktemp -d)
	cp -r tests/fixtures/pmu tests/fixtures/nopmu tests/fixtures/sampled "$TMP/"
}

teardown() {
	rm -rf "$TMP"
}

FIGURES="throughput latency cache-misses cpu-per-byte speedup zerocopy tcp cpu-where"

# png_size FILE: "WIDTHxHEIGHT" from the PNG's IHDR chunk
png_size() {
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", (($1*256+$2)*256+$3)*256+$4, (($5*256+$6)*256+$7)*256+$8 }'
}

@test "every figure renders as a 1280x720 PNG and an SVG with hardware counters" {
	run plots/render.sh "$TMP/pmu"
	[ "$status" -eq 0 ]
	for f in $FIGURES; do
		[ "$(png_size "$TMP/pmu/figures/$f.png")" = 1280x720 ]
		grep -q '<svg' "$TMP/pmu/figures/$f.svg"
	done
}

@test "every figure renders as a 1280x720 PNG and an SVG without hardware counters" {
	run plots/render.sh "$TMP/nopmu"
	[ "$status" -eq 0 ]
	for f in $FIGURES; do
		[ "$(png_size "$TMP/nopmu/figures/$f.png")" = 1280x720 ]
		grep -q '<svg' "$TMP/nopmu/figures/$f.svg"
	done
}

# variant NAME FROM: a copy of the fixture folder $TMP/FROM as $TMP/NAME; prints its path.
variant() {
	cp -r "$TMP/$2" "$TMP/$1"
	echo "$TMP/$1"
}

# blank DIR COLUMN...: empties COLUMN in every row of DIR/summary.csv (each column must exist).
blank() {
	local d=$1
	shift
	awk -F, -v OFS=, -v want="$*" 'NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) c[$i] = i
			for (k = 1; k <= n; k++) if (!(w[k] in c)) { print "no column " w[k] > "/dev/stderr"; bad = 1; exit 1 }
			print; next }
		{ for (k = 1; k <= n; k++) $c[w[k]] = ""; print }
		END { exit bad }' "$d/summary.csv" >"$d/summary.new" || return 1
	mv "$d/summary.new" "$d/summary.csv"
}

# set_filled DIR COLUMN VALUE: sets every non-empty cell of COLUMN in DIR/summary.csv to VALUE.
set_filled() {
	awk -F, -v OFS=, -v name="$2" -v val="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i
			if (!c) { print "no column " name > "/dev/stderr"; bad = 1; exit 1 }
			print; next }
		$c != "" { $c = val } 1
		END { exit bad }' "$1/summary.csv" >"$1/summary.new" || return 1
	mv "$1/summary.new" "$1/summary.csv"
}

# drop_rows DIR COLUMN VALUE...: deletes the rows of DIR/summary.csv whose COLUMN is one of VALUEs.
drop_rows() {
	local d=$1 name=$2
	shift 2
	awk -F, -v name="$name" -v vals=" $* " 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i
			if (!c) { print "no column " name > "/dev/stderr"; bad = 1; exit 1 }
			print; next }
		index(vals, " " $c " ") == 0
		END { exit bad }' "$d/summary.csv" >"$d/summary.new" || return 1
	mv "$d/summary.new" "$d/summary.csv"
}

# drop_cols DIR REGEX: removes the columns of DIR/summary.csv whose name matches REGEX.
drop_cols() {
	awk -F, -v OFS=, -v re="$2" 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = $i !~ re }
		{ line = ""; n = 0; for (i = 1; i <= NF; i++) if (keep[i]) line = line (n++ ? OFS : "") $i
		  print line }' "$1/summary.csv" >"$1/summary.new" || return 1
	mv "$1/summary.new" "$1/summary.csv"
}

# render DIR: plots/render.sh DIR succeeds.
render() {
	run plots/render.sh "$1"
	echo "$output"
	[ "$status" -eq 0 ]
}

# says SVG TEXT: the figure shows TEXT as a label, on one line or, in a figure of
# several panels, as "what:" and "why" on two (style.gp's wrap()).
says() {
	grep -o '>[^<][^<]*<' "$1" | sed 's/^>//; s/<$//' |
		awk -v t="$2" '{ l[NR] = $0 } END { for (i = 1; i <= NR; i++)
			if (l[i] == t || (i < NR && l[i] " " l[i + 1] == t)) exit 0
			exit 1 }' ||
		{ echo "${1#"$TMP"/}: no label '$2'"; return 1; }
}

# says_all_measured SVG: the figure has no "not measured" / "not computed" text.
says_all_measured() {
	run grep -E 'not (measured|computed)' "$1"
	echo "$output"
	[ "$status" -eq 1 ]
}

@test "throughput figure: says inside the plot when no throughput was measured" {
	render "$TMP/pmu"
	says_all_measured "$TMP/pmu/figures/throughput.svg"
	d=$(variant nothroughput pmu)
	blank "$d" throughput_gbps_median
	render "$d"
	says "$d/figures/throughput.svg" 'Throughput not measured: no successful stream run in summary.csv'
}

@test "latency figure: says inside the plot when the rr runs gave no latency, or there were none" {
	render "$TMP/pmu"
	says_all_measured "$TMP/pmu/figures/latency.svg"
	d=$(variant nolatency pmu)
	blank "$d" lat_p50_us_median
	render "$d"
	says "$d/figures/latency.svg" 'Latency not measured: the rr runs reported no latency'
	d=$(variant norr pmu)
	drop_rows "$d" mode rr
	render "$d"
	says "$d/figures/latency.svg" 'Latency not measured: this sweep ran no request-response (rr) points'
}

@test "cache-miss figure: says inside the plot which level was not measured and why" {
	render "$TMP/pmu"
	says_all_measured "$TMP/pmu/figures/cache-misses.svg"
	render "$TMP/nopmu"
	says "$TMP/nopmu/figures/cache-misses.svg" 'L1/LLC misses not measured: no hardware PMU exposed'
	# a machine with a PMU whose cache events were not supported
	d=$(variant unsupported pmu)
	blank "$d" srv_l1d_misses_per_kb_median srv_llc_misses_per_kb_median
	render "$d"
	says "$d/figures/cache-misses.svg" \
		'L1/LLC misses not measured: the counters were not supported here (see copyscope events)'
	# one level missing: its own panel says so, the other is drawn
	d=$(variant nollc pmu)
	blank "$d" srv_llc_misses_per_kb_median
	render "$d"
	says "$d/figures/cache-misses.svg" \
		'LLC misses not measured: the counters were not supported here (see copyscope events)'
	run grep -c 'L1 misses not measured' "$d/figures/cache-misses.svg"
	[ "$output" = 0 ]
	# an event file without a cache level
	d=$(variant nolevel nopmu)
	awk '$2 == "L1" || $2 == "LLC" { next } 1' "$d/events.events" >"$d/events.new"
	mv "$d/events.new" "$d/events.events"
	render "$d"
	says "$d/figures/cache-misses.svg" 'Cache misses not measured: the event file names no cache level'
}

@test "CPU cost figure: says inside the plot when no CPU time was measured" {
	render "$TMP/nopmu"
	says_all_measured "$TMP/nopmu/figures/cpu-per-byte.svg"
	d=$(variant nocpu nopmu)
	blank "$d" srv_cpu_ns_per_byte_median cli_cpu_ns_per_byte_median
	render "$d"
	says "$d/figures/cpu-per-byte.svg" 'CPU cost per byte not measured: no cycles, task-clock or rusage data'
}

@test "speed-up figure: says inside the plot when it has no throughput or no two-copy to divide by" {
	render "$TMP/pmu"
	says_all_measured "$TMP/pmu/figures/speedup.svg"
	d=$(variant nothroughput pmu)
	blank "$d" throughput_gbps_median
	render "$d"
	says "$d/figures/speedup.svg" 'Speed-up not computed: no throughput to compare'
	d=$(variant nobaseline pmu)
	drop_rows "$d" impl two-copy
	render "$d"
	says "$d/figures/speedup.svg" 'Speed-up not computed: the sweep has no two-copy baseline'
}

@test "zero-copy figure: each panel says inside the plot what was not measured and why" {
	render "$TMP/pmu"
	says_all_measured "$TMP/pmu/figures/zerocopy.svg"
	d=$(variant nocompletions pmu)
	set_filled "$d" zc_completions_median 0
	render "$d"
	says "$d/figures/zerocopy.svg" 'Copied fallback not measured: no zero-copy completions arrived'
	d=$(variant nozc pmu)
	drop_rows "$d" impl zero-copy uring-zc
	render "$d"
	says "$d/figures/zerocopy.svg" 'Copied fallback not measured: no zero-copy strategy in this sweep'
	d=$(variant noctx pmu)
	blank "$d" srv_ctx_switches_per_msg_median cli_ctx_switches_per_msg_median
	render "$d"
	says "$d/figures/zerocopy.svg" 'Context switches not measured on this machine'
	d=$(variant noctxevent pmu)
	awk '$1 == "ctx_switches" { next } 1' "$d/events.events" >"$d/events.new"
	mv "$d/events.new" "$d/events.events"
	render "$d"
	says "$d/figures/zerocopy.svg" 'Context switches not measured: the event file has no context-switch event'
}

@test "TCP figure: says inside the plot when the results predate TCP_INFO" {
	d=$(variant notcp pmu)
	drop_cols "$d" '^(srv|cli)_tcp_'
	render "$d"
	says "$d/figures/tcp.svg" \
		'What TCP did not measured: summary.csv has no srv_tcp_* columns (results from before copyscope read TCP_INFO)'
	if head -n 1 "$TMP/pmu/summary.csv" | grep -q ',srv_tcp_'; then # fixtures with TCP_INFO columns
		render "$TMP/pmu"
		says_all_measured "$TMP/pmu/figures/tcp.svg"
	fi
}

@test "where-the-CPU figure: stacks each category's share per strategy and size, server and client" {
	mkdir "$TMP/out"
	"$BIN/copyscope" figdata "$TMP/sampled" "$TMP/out"
	# one block per side and size, a row per strategy: the medians of the shares
	grep -qx 'srv 16384 zero-copy 0 5 25 3 4 10 20 5 20 6 2' "$TMP/out/fig8.dat"
	grep -qx 'cli 1024 two-copy 10 40 0 0 2 15 15 5 5 7 1' "$TMP/out/fig8.dat"
	[ "$(grep -c '^# ' "$TMP/out/fig8.dat")" -eq 4 ]
	render "$TMP/sampled"
	says_all_measured "$TMP/sampled/figures/cpu-where.svg"
	run grep -c 'not sampled' "$TMP/sampled/figures/cpu-where.svg"
	[ "$output" = 0 ]
	for label in 'user copy' 'page pinning' 'zero-copy completions' 'other' 'server (sender)' \
		'client (receiver)' 'two-copy' '16K'; do
		grep -q ">$label<" "$TMP/sampled/figures/cpu-where.svg" || { echo "no label '$label'"; return 1; }
	done
}

@test "where-the-CPU figure: says inside the plot how to sample, or which side has no samples" {
	render "$TMP/nopmu"
	says "$TMP/nopmu/figures/cpu-where.svg" 'CPU not sampled: sweep with sample = on'
	d=$(variant nocli sampled)
	blank "$d" $(head -n 1 "$d/summary.csv" | tr ',' '\n' | grep '^cli_cat_.*_pct_median$')
	render "$d"
	says "$d/figures/cpu-where.svg" 'Not sampled: no samples of this side at these points'
	grep -q '>page pinning<' "$d/figures/cpu-where.svg" # the server's bars and the key
	d=$(variant nosrv sampled)
	blank "$d" $(head -n 1 "$d/summary.csv" | tr ',' '\n' | grep '^srv_cat_.*_pct_median$')
	render "$d"
	says "$d/figures/cpu-where.svg" 'Not sampled: no samples of this side at these points'
	grep -q '>page pinning<' "$d/figures/cpu-where.svg" # the key comes with the client's bars
	d=$(variant nopoint sampled)
	blank "$d" $(head -n 1 "$d/summary.csv" | tr ',' '\n' | grep '^\(srv\|cli\)_cat_.*_pct_median$')
	render "$d"
	says "$d/figures/cpu-where.svg" 'CPU not sampled: no samples at these points'
}

@test "the CPU cost figure falls back to task-clock time per byte without cycles" {
	plots/render.sh "$TMP/nopmu"
	grep -q 'CPU time per byte (ns/B, from task-clock)' "$TMP/nopmu/figures/cpu-per-byte.svg"
	plots/render.sh "$TMP/pmu"
	grep -q 'CPU cycles per byte (cycles/B)' "$TMP/pmu/figures/cpu-per-byte.svg"
}

@test "every figure carries the system footer from env.txt" {
	plots/render.sh "$TMP/nopmu"
	for f in $FIGURES; do
		grep -q 'Fixture CPU 3000 @ 3.00GHz · 4 CPUs · kernel 6.1.0-21-amd64 · topology loopback · hardware counters: no' \
			"$TMP/nopmu/figures/$f.svg"
	done
}

# The x of every y-axis label of an SVG figure: the label is drawn rotated,
# its glyphs reaching about a font size (12) left of that x.
ylabel_x() {
	grep -o 'translate([0-9.]*,[0-9.]*) rotate(270)' "$1" | sed 's/translate(\([0-9.]*\),.*/\1/'
}

@test "no y-axis label touches the left edge of its figure" {
	plots/render.sh "$TMP/pmu"
	plots/render.sh "$TMP/nopmu"
	for d in pmu nopmu; do
		for f in $FIGURES; do
			x=$(ylabel_x "$TMP/$d/figures/$f.svg" | head -n 1)
			[ -n "$x" ] || continue # a figure whose data is all missing has none
			awk -v x="$x" 'BEGIN { exit !(x >= 24) }' ||
				{ echo "$d/$f: y-axis label at x=$x"; return 1; }
		done
	done
}

@test "a strategy added later is drawn with a colour of its own" {
	sed 's/^uring-zc,/sendfile,/' "$TMP/pmu/summary.csv" >"$TMP/pmu/s"
	mv "$TMP/pmu/s" "$TMP/pmu/summary.csv"
	run plots/render.sh "$TMP/pmu"
	[ "$status" -eq 0 ]
	grep -q '>sendfile<' "$TMP/pmu/figures/throughput.svg"
}

@test "render.sh without a results folder or summary.csv: one line, exit 2" {
	run plots/render.sh "$TMP/none"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	mkdir "$TMP/empty"
	run plots/render.sh "$TMP/empty"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *summary.csv* ]]
	[ ! -e "$TMP/empty/figures" ]
}

@test "copyscope table prints the fixture's miss counts per level" {
	run "$BIN/copyscope" table "$TMP/pmu"
	[ "$status" -eq 0 ]
	[[ "$output" == *"L1 misses"*"LLC misses"* ]]
	[[ "$output" == *"14648438"* ]]   # two-copy, 256 B, srv_l1d_misses_median
	[[ "$output" == *"256 B    L1: 40.0% fewer misses per KiB"* ]]
	[[ "$output" == *"64 KiB   LLC: 61.0% fewer misses per KiB"* ]]
}

@test "copyscope table as Markdown and CSV" {
	run "$BIN/copyscope" table "$TMP/pmu" --format md --level L1 --threads 2
	[ "$status" -eq 0 ]
	[[ "$output" == *"| strategy | size | L1 misses | L1 /KiB | L1 vs two-copy |"* ]]
	run "$BIN/copyscope" table "$TMP/pmu" --format csv --side cli
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "strategy,msg_size,L1_misses,L1_misses_per_kib,L1_vs_two_copy_pct,L1_flag,LLC_misses,LLC_misses_per_kib,LLC_vs_two_copy_pct,LLC_flag" ]
	[ "${#lines[@]}" -eq 37 ]
}

@test "copyscope table without hardware counters says so and shows what was measured" {
	run "$BIN/copyscope" table "$TMP/nopmu"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Cache misses not measured on this machine: no hardware PMU exposed"* ]]
	[[ "$output" == *"CPU ns/B"*"user share"*"ctx sw/msg"*"kernel copies/msg"* ]]
}

@test "copyscope table bad input: one line, exit 2" {
	for args in "$TMP/none" "$TMP/pmu --level L2" "$TMP/pmu --threads 0" \
		"$TMP/pmu --threads 3" "$TMP/pmu --format html" "$TMP/pmu --side both" "" \
		"$TMP/pmu --bogus" "$TMP/pmu -x" "$TMP/pmu --level"; do
		run "$BIN/copyscope" table $args
		[ "$status" -eq 2 ] || { echo "table $args: exit $status"; return 1; }
		[ "${#lines[@]}" -eq 1 ] || { echo "table $args: $output"; return 1; }
	done
}

@test "copyscope table names an unknown option and the thread bound of copyscope run" {
	run "$BIN/copyscope" table "$TMP/pmu" --bogus
	[ "$status" -eq 2 ]
	[ "$output" = "copyscope table: --bogus: unknown option (see copyscope table --help)" ]
	run "$BIN/copyscope" table "$TMP/pmu" --threads 0
	[ "$status" -eq 2 ]
	[ "$output" = "copyscope table: --threads 0: expected a thread count from 1 to 1024" ]
	run "$BIN/copyscope" table "$TMP/pmu" --threads 1025
	[ "$status" -eq 2 ]
	[[ "$output" == *"from 1 to 1024" ]]
}

@test "copyscope table --format csv: numbers to 6 significant digits" {
	run "$BIN/copyscope" table "$TMP/nopmu" --format csv
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n'"two-copy,256,3.92,20.0000,0.0100001,1.01563"$'\n'* ]]
	# every number with a fraction or an exponent: at most 6 significant digits
	awk -F, 'NR > 1 { for (i = 3; i <= NF; i++) if ($i ~ /[.e]/) {
			m = $i; sub(/e.*/, "", m); gsub(/[-.]/, "", m); sub(/^0+/, "", m)
			if (length(m) > 6) { print "too long: " $i; bad = 1 } } }
		END { exit bad }' <<<"$output"
}

@test "copyscope report writes report.md with the crossovers and the anomaly" {
	run "$BIN/copyscope" report "$TMP/pmu"
	[ "$status" -eq 0 ]
	[ -f "$TMP/pmu/report.md" ]
	[ ! -e "$TMP/pmu/report.md.tmp" ]
	grep -q 'one-copy overtakes two-copy between \*\*2 KiB and 8 KiB\*\*.*the medians cross 1.0 at ≈ 2896 B' "$TMP/pmu/report.md"
	grep -q 'zero-copy overtakes two-copy between \*\*16 KiB and 32 KiB\*\*.*≈ 23170 B' "$TMP/pmu/report.md"
	grep -q 'two-copy, 4 threads: throughput dips at 8 KiB' "$TMP/pmu/report.md"
	grep -q '^## 6. What was unexpected?' "$TMP/pmu/report.md"
}

@test "copyscope report says when a crossover is not significant" {
	# The fixture's crossover at 1 thread is clear: significant on both sides.
	run "$BIN/copyscope" report "$TMP/pmu"
	[ "$status" -eq 0 ]
	grep -q '^- \*\*1 thread:\*\* one-copy overtakes two-copy between' "$TMP/pmu/report.md"
	# Scatter one-copy's repetitions (x0.5, x1, x1.5) until no size is significant.
	awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
		$c["impl"] == "one-copy" && $c["status"] == "ok" {
			$c["throughput_gbps"] *= $c["rep"] == 1 ? 0.5 : $c["rep"] == 3 ? 1.5 : 1 } 1' \
		"$TMP/pmu/runs.csv" >"$TMP/pmu/runs.new"
	mv "$TMP/pmu/runs.new" "$TMP/pmu/runs.csv"
	run "$BIN/copyscope" report "$TMP/pmu"
	[ "$status" -eq 0 ]
	grep -q '^- \*\*1 thread:\*\* \*\*no significant crossover\*\* within 256 B–64 KiB: one-copy' "$TMP/pmu/report.md"
}

@test "copyscope report without runs.csv says a crossover lies within the spread of the repetitions" {
	rm "$TMP/pmu/runs.csv"
	run "$BIN/copyscope" report "$TMP/pmu"
	[ "$status" -eq 0 ]
	grep -q 'Intervals are unavailable' "$TMP/pmu/report.md"
	run grep -q '2896 B.*within the min–max spread' "$TMP/pmu/report.md"
	[ "$status" -eq 1 ]
	# Widen one-copy's repetitions until they overlap two-copy's everywhere.
	awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
		$c["impl"] == "one-copy" { $c["throughput_gbps_min"] = 0; $c["throughput_gbps_max"] = 1000 } 1' \
		"$TMP/pmu/summary.csv" >"$TMP/pmu/summary.new"
	mv "$TMP/pmu/summary.new" "$TMP/pmu/summary.csv"
	run "$BIN/copyscope" report "$TMP/pmu"
	[ "$status" -eq 0 ]
	grep -q '2896 B\*\* (interpolated [^)]*), within the min–max spread of the repetitions' "$TMP/pmu/report.md"
}

@test "figures draw 95% intervals from runs.csv, and min-max without it" {
	mkdir "$TMP/out" "$TMP/out2"
	"$BIN/copyscope" figdata "$TMP/pmu" "$TMP/out"
	grep -qx "ci='1'" "$TMP/out/meta.sh"
	# speed-up, 1 thread, one-copy at 4 KiB: ratio 1.1, its interval from both strategies' runs
	grep -q '^1 one-copy 4096 1.1 1.0[0-9]* 1.1[0-9]*$' "$TMP/out/fig5.dat"
	render "$TMP/pmu"
	grep -q 'bars: 95% interval' "$TMP/pmu/figures/throughput.svg"
	rm "$TMP/pmu/runs.csv"
	"$BIN/copyscope" figdata "$TMP/pmu" "$TMP/out2"
	grep -qx "ci='no runs.csv'" "$TMP/out2/meta.sh"
	render "$TMP/pmu"
	grep -q 'bars: min–max, no intervals (no runs.csv)' "$TMP/pmu/figures/throughput.svg"
}

@test "copyscope report without hardware counters says misses were not measured" {
	run "$BIN/copyscope" report "$TMP/nopmu"
	[ "$status" -eq 0 ]
	grep -q 'Cache misses were \*\*not measured\*\* on this machine: no hardware PMU exposed' "$TMP/nopmu/report.md"
}

@test "copyscope report bad input: one line, exit 2, nothing written" {
	run "$BIN/copyscope" report "$TMP/none"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	mkdir "$TMP/empty"
	run "$BIN/copyscope" report "$TMP/empty"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$TMP/empty/report.md" ]
	run "$BIN/copyscope" report
	[ "$status" -eq 2 ]
}
