#!/usr/bin/env bats
# A real sweep, rendered: the path `make profile` takes after its sweep
# (`make render`: figures, tables.md, report.md), on data this machine just
# measured rather than on fixtures.

REPO="$BATS_TEST_DIRNAME/../.."

setup_file() {
	export CS="${COPYSCOPE_BIN:-bin}/copyscope"
	[[ "$CS" = /* ]] || CS="$PWD/$CS"
	export DIR="$BATS_FILE_TMPDIR/real"
	mkdir -p "$BATS_FILE_TMPDIR/sweeps" "$BATS_FILE_TMPDIR/events"
	cp "$REPO/perfcfg/events/parte.events" "$BATS_FILE_TMPDIR/events/"
	cat >"$BATS_FILE_TMPDIR/sweeps/render.ini" <<-INI
		impls    = two-copy one-copy zero-copy
		sizes    = 1K 16K
		threads  = 1 2
		modes    = stream rr
		reps     = 1
		duration = 0.2
		warmup   = 0.05
		events   = parte
	INI
	"$CS" sweep "$BATS_FILE_TMPDIR/sweeps/render.ini" --out "$DIR" --quiet \
		>"$BATS_FILE_TMPDIR/sweep.out" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/sweep.rc"
	make -C "$REPO" --no-print-directory render RESULTS="$DIR" \
		>"$BATS_FILE_TMPDIR/render.out" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/render.rc"
}

# Width and height of a PNG, from its IHDR chunk.
png_size() {
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d\n", $3 * 256 + $4, $7 * 256 + $8 }'
}

@test "the sweep finished every run" {
	cat "$BATS_FILE_TMPDIR/sweep.out"
	[ "$(cat "$BATS_FILE_TMPDIR/sweep.rc")" -eq 0 ]
	[ -s "$DIR/summary.csv" ]
}

@test "make render succeeds on a real results folder" {
	cat "$BATS_FILE_TMPDIR/render.out"
	[ "$(cat "$BATS_FILE_TMPDIR/render.rc")" -eq 0 ]
}

@test "every figure is rendered as PNG and SVG at 1280x720" {
	for f in $("$CS" figdata --names); do
		[ -s "$DIR/figures/$f.png" ] || { echo "missing $f.png"; return 1; }
		[ -s "$DIR/figures/$f.svg" ] || { echo "missing $f.svg"; return 1; }
		[ "$(png_size "$DIR/figures/$f.png")" = 1280x720 ] ||
			{ echo "$f.png is $(png_size "$DIR/figures/$f.png")"; return 1; }
	done
}

@test "figures that need a hardware PMU say so when there is none" {
	grep -q '^hw_pmu=yes' "$DIR/env.txt" && skip "this machine exposes a hardware PMU"
	grep -q 'not measured' "$DIR/figures/cache-misses.svg"
}

@test "the measured strategies appear in the throughput figure" {
	for impl in two-copy one-copy zero-copy; do
		grep -q ">$impl<" "$DIR/figures/throughput.svg" || { echo "no $impl"; return 1; }
	done
}

@test "tables.md and report.md are written, with every Part E question" {
	[ -s "$DIR/tables.md" ]
	[ -s "$DIR/report.md" ]
	for q in "## 1." "## 2." "## 3." "## 4." "## 5." "## 6."; do
		grep -qF "$q" "$DIR/report.md" || { echo "no '$q'"; return 1; }
	done
}

@test "the report answers the crossover questions from the measured sizes" {
	# Per strategy and thread count: a crossover between 1 KiB and 16 KiB,
	# ahead everywhere, or none in range -- one of the report's three answers.
	for impl in one-copy zero-copy; do
		n=$(grep -cE "^- \*\*[0-9]+ threads?:\*\* ($impl (overtakes|falls behind) two-copy (at|between)|$impl is (significantly )?ahead at every measured size|not within 1 KiB–16 KiB: $impl|\*\*no significant crossover\*\* within 1 KiB–16 KiB: $impl)" "$DIR/report.md")
		[ "$n" -eq 2 ] || { echo "$impl: $n answers for 2 thread counts"; grep -n "$impl" "$DIR/report.md"; return 1; }
	done
}

@test "the report quotes the zero-copy fallback rate this sweep measured" {
	# What report.c computes: zc_copied ÷ zc_completions of the medians, over the stream
	# points where completions were counted, quoted as its lowest and highest share.
	want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["impl"] == "zero-copy" && $c["mode"] == "stream" && $c["zc_completions_median"] > 0 {
			r = $c["zc_copied_median"] / $c["zc_completions_median"] * 100
			if (!n || r < lo) lo = r
			if (!n || r > hi) hi = r
			n++ }
		END { if (!n) exit 1
			printf "%.1f%%–%.1f%% of its completions as copied anyway (zc_copied ÷ zc_completions, medians, over %d points)", lo, hi, n }' \
		"$DIR/summary.csv")
	echo "from summary.csv: $want"
	grep -F -- "- **zero-copy**: the kernel reported $want." "$DIR/report.md"
	# a local receiver: the kernel copied every zero-copy send (README, zero-copy accounting)
	[[ "$want" == "100.0%–100.0% "* ]]
}

@test "a sweep without sample = on: the where-the-CPU figure and the report say how to get it" {
	grep -q 'CPU not sampled: sweep with sample = on' "$DIR/figures/cpu-where.svg"
	grep -qF 'Not sampled: sweep with `sample = on` (or `copyscope run --sample`) to see ' "$DIR/report.md"
}

@test "make tables prints the text tables and rewrites DIR/tables.md as make render does" {
	cp "$DIR/tables.md" "$BATS_TEST_TMPDIR/render.md"
	echo stale >"$DIR/tables.md"
	run make -C "$REPO" --no-print-directory tables RESULTS="$DIR"
	[ "$status" -eq 0 ]
	[[ "$output" == "Server-side cache misses: stream mode, 1 thread, "* ]] # text, not "## "
	[[ "$output" == *"copyscope: tables in $DIR/tables.md" ]]
	cmp "$DIR/tables.md" "$BATS_TEST_TMPDIR/render.md"
	[ ! -e "$DIR/tables.md.tmp" ]
}

@test "tables.md and report.md name the results folder, not the symlink they were made through" {
	real=$(realpath "$DIR")
	ln -sfn "$DIR" "$BATS_FILE_TMPDIR/latest"
	make -C "$REPO" --no-print-directory tables report RESULTS="$BATS_FILE_TMPDIR/latest" >/dev/null
	grep -qF "from $real/summary.csv)" "$DIR/tables.md"
	[ "$(head -n 1 "$DIR/report.md")" = "# copyscope report: the Part E questions, answered from \`$real\`" ]
	run grep -q latest "$DIR/tables.md" "$DIR/report.md"
	[ "$status" -eq 1 ]
}

@test "no y-axis label touches the left edge of a figure drawn from measured data" {
	for f in throughput latency cache-misses cpu-per-byte speedup zerocopy; do
		x=$(grep -o 'translate([0-9.]*,[0-9.]*) rotate(270)' "$DIR/figures/$f.svg" |
			sed 's/translate(\([0-9.]*\),.*/\1/' | head -n 1)
		[ -n "$x" ] || continue
		awk -v x="$x" 'BEGIN { exit !(x >= 24) }' || { echo "$f: y-axis label at x=$x"; return 1; }
	done
}

@test "the sweep's plan line counts in words that agree, and a resumed sweep keeps its name" {
	run "$CS" sweep --resume "$DIR" --dry-run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "copyscope: sweep render: 24 points x 1 rep = 24 runs (24 already in runs.csv, 0 to run)" ]
	[[ "$output" == *"(0 runs x ("* ]]
	# without env.txt, a <stamp>-<name> folder names it
	copy="$BATS_TEST_TMPDIR/20250101T120000Z-copied"
	cp -r "$DIR" "$copy"
	rm "$copy/env.txt"
	run "$CS" sweep --resume "$copy" --dry-run
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "copyscope: sweep copied: 24 points x 1 rep = 24 runs "* ]]
	# one point, one rep, one run
	printf '%s\n' "impls = one-copy" "sizes = 1K" "threads = 1" "duration = 0.2" \
		"events = parte" >"$BATS_FILE_TMPDIR/sweeps/one.ini"
	run "$CS" sweep "$BATS_FILE_TMPDIR/sweeps/one.ini" --out "$BATS_TEST_TMPDIR/one" --dry-run
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "copyscope: sweep one: 1 point x 1 rep = 1 run" ]
	[[ "$output" == *"(1 run x ("* ]]
	[ ! -e "$BATS_TEST_TMPDIR/one" ]
}

@test "make profile needs only the packages of building and profiling; make deps the tests' too" {
	# make profile's prerequisites, from make's database (-q runs no recipe)
	# (each installs first, then builds in a second make that probes the new headers)
	run make -C "$REPO" --no-print-directory -pq tracefs
	grep -qx 'profile: deps-profile' <<<"$output"
	grep -qx 'check: deps' <<<"$output"
	grep -A6 -x 'profile: deps-profile' <<<"$output" | grep -qxF $'\t@$(MAKE) --no-print-directory all'
	grep -A6 -x 'check: deps' <<<"$output" | grep -qxF $'\t@$(MAKE) --no-print-directory test'
	# not root; every package installed but two that only the tests need
	stubs="$BATS_TEST_TMPDIR/stubs"
	mkdir -p "$stubs"
	printf '#!/bin/sh\necho 1000\n' >"$stubs/id"
	printf '#!/bin/sh\nfor p; do :; done\ncase $p in bats|python3) exit 1 ;; esac\necho "install ok installed"\n' \
		>"$stubs/dpkg-query"
	chmod +x "$stubs/id" "$stubs/dpkg-query"
	run env PATH="$stubs:$PATH" make -C "$REPO" --no-print-directory deps-profile
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run env PATH="$stubs:$PATH" make -C "$REPO" --no-print-directory deps
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "copyscope: missing packages; run: sudo apt-get install -y bats python3" ]
	# a package of building missing: make profile's check names it alone
	sed -i 's/bats|python3/bats|gnuplot-nox/' "$stubs/dpkg-query"
	run env PATH="$stubs:$PATH" make -C "$REPO" --no-print-directory deps-profile
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "copyscope: missing packages; run: sudo apt-get install -y gnuplot-nox" ]
}
