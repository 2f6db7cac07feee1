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

@test "all six figures are rendered as PNG and SVG at 1280x720" {
	for f in throughput latency cache-misses cpu-per-byte speedup zerocopy; do
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
		n=$(grep -cE "^- \*\*[0-9]+ threads?:\*\* $impl (overtakes|falls behind) two-copy at|$impl is ahead at every measured size|not within 1 KiB–16 KiB: $impl" "$DIR/report.md")
		[ "$n" -eq 2 ] || { echo "$impl: $n answers for 2 thread counts"; grep -n "$impl" "$DIR/report.md"; return 1; }
	done
}

@test "the report quotes the zero-copy fallback rate this sweep measured" {
	run awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["impl"] == "zero-copy" && $c["zc_completions_median"] > 0 { n++ } END { exit !n }' \
		"$DIR/summary.csv"
	[ "$status" -eq 0 ]
	grep -qiE 'copied' "$DIR/report.md"
}
