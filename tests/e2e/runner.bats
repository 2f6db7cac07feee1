#!/usr/bin/env bats
# tests/run.sh, the runner CI reads: a suite that crashes, stops short of its
# plan or was never built is a failure in the closing line, never "0 failed".
# Each test runs the runner over stub unit binaries only (TESTS matches no
# bats file, so it does not recurse into the end-to-end suite).

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	S=$BATS_TEST_TMPDIR
}

# stub NAME BODY: an executable unit binary stub whose script is BODY.
stub() {
	printf '#!/bin/sh\n%s\n' "$2" >"$S/$1"
	chmod +x "$S/$1"
}

# runner UNIT...: tests/run.sh over these unit binaries and no bats file.
runner() {
	UNITS="$*" TESTS=no-such-bats-file SANITIZE= run "$REPO/tests/run.sh"
	echo "$output"
}

# A stub that writes TAP with PLAN and RESULTS to the file its --tap= names.
tap_stub() {
	stub "$1" "for a; do case \$a in --tap=*) f=\${a#--tap=};; esac; done
printf '$2' >\"\$f\"
exit $3"
}

@test "a unit binary that exits 86 and writes no TAP is a failure, named" {
	tap_stub good '1..1\nok 1 - s::t\n' 0
	stub crash 'exit 86'
	runner "$S/good" "$S/crash"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	[[ "$output" == *"broken suites, each counted as one failure: crash (exit 86, no TAP plan)"* ]]
}

@test "a suite that reports fewer results than its plan is a failure" {
	tap_stub short '1..3\nok 1 - s::a\n' 0
	runner "$S/short"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	[[ "$output" == *"short (exit 0, 1 of 3 results)"* ]]
}

@test "a suite that exits non-zero with every result ok is a failure" {
	tap_stub lying '1..1\nok 1 - s::a\n' 139
	runner "$S/lying"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
}

@test "a failing test is one failure, not a broken suite" {
	tap_stub red '1..2\nok 1 - s::a\nnot ok 2 - s::b\n' 1
	runner "$S/red"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	[[ "$output" != *"broken suites"* ]]
}

@test "a unit binary the build should have made but did not is a failure" {
	tap_stub good '1..1\nok 1 - s::t\n' 0
	runner "$S/good" "$S/unit-missing"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
	[[ "$output" == *"unit-missing (the build did not make $S/unit-missing)"* ]]
}

@test "a run that executes no test fails" {
	runner
	[ "$status" -ne 0 ]
	[[ "$output" == *"all (no test ran)"* ]]
	[ "${lines[-1]}" = "0 passed, 1 failed, 0 skipped" ]
}

@test "skips are counted in the closing line" {
	tap_stub mixed '1..3\nok 1 - s::a\nok 2 - s::b # SKIP no tracefs\nok 3 - s::c\n' 0
	runner "$S/mixed"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "2 passed, 0 failed, 1 skipped" ]
}
