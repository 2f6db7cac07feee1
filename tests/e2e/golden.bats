#!/usr/bin/env bats
# The same results, byte for byte: for a recorded quick sweep and the two
# fixture folders, today's programs write exactly the summary.csv, tables.md,
# report.md and figure data in tests/golden/expected/. A change meant to alter
# them regenerates them (tests/golden/make-golden.sh) and says why.

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	BIN=${COPYSCOPE_BIN:-bin}
	case $BIN in /*) ;; *) BIN=$REPO/$BIN ;; esac
	. "$REPO/tests/golden/render-golden.sh"
}

# same SRC NAME: render SRC and compare with expected/NAME, every file.
same() {
	out=$BATS_TEST_TMPDIR/$2
	mkdir -p "$out"
	render_golden "$BIN" "$REPO/$1" "$out"
	expected=$REPO/tests/golden/expected/$2
	[ -n "$(ls "$expected")" ]
	diff -r "$expected" "$out"
}

@test "a recorded quick sweep: summary, tables, report and figure data unchanged" {
	same tests/golden/quick quick
}

@test "the PMU fixture: tables, report and figure data unchanged" {
	same tests/fixtures/pmu pmu
}

@test "the no-PMU fixture: tables, report and figure data unchanged" {
	same tests/fixtures/nopmu nopmu
}

@test "the golden check bites: one changed median is a difference" {
	cp -r "$REPO/tests/golden/quick" "$BATS_TEST_TMPDIR/changed"
	# a different first median in runs.csv changes the summary it is recomputed from
	awk -F, -v OFS=, 'NR == 2 { $14 = $14 + 4096 } 1' "$REPO/tests/golden/quick/runs.csv" \
		>"$BATS_TEST_TMPDIR/changed/runs.csv"
	mkdir "$BATS_TEST_TMPDIR/out"
	render_golden "$BIN" "$BATS_TEST_TMPDIR/changed" "$BATS_TEST_TMPDIR/out"
	run diff -r "$REPO/tests/golden/expected/quick" "$BATS_TEST_TMPDIR/out"
	[ "$status" -ne 0 ]
}
