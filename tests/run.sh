#!/usr/bin/env bash
# Runs every test suite of copyscope and ends with one line CI reads:
#   N passed, N failed, N skipped
# Unit tests are Criterion binaries, end-to-end tests are bats files; both
# speak TAP, which is what is counted here. TESTS narrows the bats files to
# those whose name contains one of its words (e.g. TESTS=workloads or
# TESTS="workloads uring").
#
# A suite is only as good as its exit status and its plan: a suite that exits
# non-zero, or reports fewer results than its TAP plan (`1..N`) announced,
# or a unit binary the build should have made (UNITS, from make) that is
# missing, counts as one failure more, and is named on the line before the
# closing one. A crash therefore never reads as "0 failed".
#
# SANITIZE (as given to make) says how the programs were built. A sanitizer
# report ends the program with a distinctive exit status (below), which every
# test sees as a failure: the harness records a sanitized workload's report as
# a failed run. Under SANITIZE=thread, Criterion's runner cannot start
# ("Could not initialize inheritable arena"), so each unit binary counts as
# one skip, with the reason; and unless TESTS says otherwise only the
# end-to-end files of the threaded programs run, the others' tests counted as
# skipped, with the reason.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/default}
SANITIZE=${SANITIZE:-}
UNITS=${UNITS-$(ls "$BUILD"/tests/unit-* 2>/dev/null)}
export COPYSCOPE_BIN=${COPYSCOPE_BIN:-bin}
# plots/render.sh runs `copyscope figdata`: the build under test, wherever a test runs it
case $COPYSCOPE_BIN in /*) export COPYSCOPE=$COPYSCOPE_BIN/copyscope ;; *) export COPYSCOPE=$PWD/$COPYSCOPE_BIN/copyscope ;; esac
export COPYSCOPE_BUILD=$BUILD
export COPYSCOPE_FUZZ=${COPYSCOPE_FUZZ:-build/fuzz}
export ASAN_OPTIONS="halt_on_error=1:exitcode=86:detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export TSAN_OPTIONS="halt_on_error=1:exitcode=88:second_deadlock_stack=1:${TSAN_OPTIONS:-}"
tapdir=$(mktemp -d)
trap 'rm -rf "$tapdir"' EXIT

broken=() # "suite (why)", one per suite that did not finish as it should

# check_suite NAME RC TAPFILE: a suite that exited non-zero or ran fewer tests
# than its plan is broken (one failure more). A failing test makes bats and
# Criterion exit 1 by themselves: that alone is not a broken suite.
check_suite() {
	local name=$1 rc=$2 tap=$3 plan results failed
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$tap" 2>/dev/null | head -n 1)
	results=$(grep -Ec '^(not )?ok ' "$tap" 2>/dev/null)
	failed=$(grep -Ec '^not ok ' "$tap" 2>/dev/null)
	if [ -z "$plan" ]; then
		broken+=("$name (exit $rc, no TAP plan)")
	elif [ "$results" -lt "$plan" ]; then
		broken+=("$name (exit $rc, $results of $plan results)")
	elif [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 1 ] && [ "$failed" -gt 0 ]; }; then
		broken+=("$name (exit $rc with $failed failed)")
	fi
}

units_skip=
case ",$SANITIZE," in
*,thread,*)
	units_skip="Criterion cannot start under ThreadSanitizer (Could not initialize inheritable arena)"
	tsan_narrowed=${TESTS:-}
	TESTS=${TESTS:-workloads uring hostile run zerocopy}
	;;
esac

for t in $UNITS; do
	name=$(basename "$t")
	if [ ! -x "$t" ]; then
		broken+=("$name (the build did not make $t)")
		continue
	fi
	if [ -n "$units_skip" ]; then
		echo "== unit: $t skipped: $units_skip"
		printf '1..1\nok 1 %s # skip %s\n' "$name" "$units_skip" >"$tapdir/$name.tap"
		continue
	fi
	echo "== unit: $t"
	rc=0
	"$t" --jobs 2 --tap="$tapdir/$name.tap" || rc=$?
	check_suite "$name" "$rc" "$tapdir/$name.tap"
done

files=()
unselected=()
for f in tests/e2e/*.bats; do
	[ -f "$f" ] || continue
	if [ -z "${TESTS:-}" ]; then
		files+=("$f")
		continue
	fi
	picked=
	for word in $TESTS; do
		case "$f" in *"$word"*)
			picked=1
			break
			;;
		esac
	done
	if [ -n "$picked" ]; then files+=("$f"); else unselected+=("$f"); fi
done
if [ ${#files[@]} -gt 0 ]; then
	echo "== end to end: ${files[*]}"
	bats --tap "${files[@]}" | tee "$tapdir/e2e.tap"
	check_suite "bats" "${PIPESTATUS[0]}" "$tapdir/e2e.tap"
fi

# Under TSan, the files left out are skipped, not silently absent.
if [ -n "$units_skip" ] && [ -z "${tsan_narrowed:-}" ] && [ ${#unselected[@]} -gt 0 ]; then
	why="the ThreadSanitizer pass runs the threaded programs' files only (workloads, uring, hostile, run, zerocopy)"
	echo "== end to end skipped: ${unselected[*]}: $why"
	for f in "${unselected[@]}"; do
		n=$(bats --count "$f")
		printf "1..%d\n" "$n"
		for i in $(seq "$n"); do echo "ok $i $(basename "$f") # skip $why"; done
	done >"$tapdir/tsan-unselected.tap"
fi

cat "$tapdir"/*.tap 2>/dev/null >"$tapdir/all" || true
skipped=$(grep -Eic '^ok .*# skip' "$tapdir/all")
ok=$(grep -Ec '^ok ' "$tapdir/all")
failed=$(grep -Ec '^not ok ' "$tapdir/all")
passed=$((ok - skipped))
if [ $((passed + failed)) -eq 0 ]; then
	broken+=("all (no test ran)")
fi
if [ ${#broken[@]} -gt 0 ]; then
	failed=$((failed + ${#broken[@]}))
	printf 'broken suites, each counted as one failure: %s\n' "$(printf '%s; ' "${broken[@]}" | sed 's/; $//')"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
