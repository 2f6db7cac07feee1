#!/usr/bin/env bats
# Fuzz smoke: each libFuzzer target (tests/fuzz/fuzz_*.c, built by `make
# check` into build/fuzz/) replays every regression input that once crashed
# it, then fuzzes for a few thousand inputs from its seed corpus. A crash,
# a sanitizer report or a leak fails the test. `make fuzz` is the long run.

REPO="$BATS_TEST_DIRNAME/../.."

setup() {
	FUZZ=${COPYSCOPE_FUZZ:-$REPO/build/fuzz}
}

# smoke TARGET: replay tests/fuzz/regressions/TARGET/*, then a short run.
smoke() {
	local t=$1 bin="$FUZZ/$1"
	# make check installs clang and libclang-rt-14-dev and builds every target:
	# a target that is not there is a build that forgot it, not a skip
	[ -x "$bin" ] || { echo "$bin not built (make check builds it with clang's libFuzzer)"; false; }
	local seeds="$REPO/tests/fuzz/corpus/$t" regs="$REPO/tests/fuzz/regressions/$t"
	[ -d "$seeds" ]
	[ -n "$(ls -A "$seeds")" ]
	local files=()
	if [ -d "$regs" ]; then
		for f in "$regs"/*; do
			if [ -f "$f" ]; then files+=("$f"); fi
		done
	fi
	if [ ${#files[@]} -gt 0 ]; then
		run "$bin" -rss_limit_mb=1024 "${files[@]}"
		[ "$status" -eq 0 ] || { echo "$output" | tail -30; false; }
	fi
	# the first corpus folder is where libFuzzer writes what it finds: a scratch one
	mkdir -p "$BATS_TEST_TMPDIR/corpus"
	run "$bin" -runs=3000 -max_total_time=15 -rss_limit_mb=1024 -max_len=8192 \
		-artifact_prefix="$BATS_TEST_TMPDIR/" "$BATS_TEST_TMPDIR/corpus" "$seeds"
	if [ "$status" -ne 0 ]; then
		echo "$output" | tail -40
		ls "$BATS_TEST_TMPDIR" >&2
		echo "keep the crashing input as a regression: cp $BATS_TEST_TMPDIR/crash-* $regs/" >&2
		false
	fi
}

@test "fuzz smoke: sweep-file parser" {
	smoke fuzz_sweepfile
}

@test "fuzz smoke: event-file parser" {
	smoke fuzz_eventfile
}

@test "fuzz smoke: hello, reply and rr request decoders" {
	smoke fuzz_hello
}

@test "fuzz smoke: the agent protocol's frame reader and key checks" {
	smoke fuzz_agentwire
}

@test "fuzz smoke: CSV reader" {
	smoke fuzz_csv
}
