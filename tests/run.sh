#!/usr/bin/env bash
# Runs every test suite of copyscope and ends with one line CI reads:
#   N passed, N failed, N skipped
# Unit tests are Criterion binaries, end-to-end tests are bats files; both
# speak TAP, which is what is counted here. TESTS narrows the bats files to
# those whose name contains one of its words (e.g. TESTS=workloads or
# TESTS="workloads uring").
#
# SANITIZE (as given to make) says how the programs were built. A sanitizer
# report ends the program with a distinctive exit status (below), which every
# test sees as a failure: the harness records a sanitized workload's report as
# a failed run. Under SANITIZE=thread, Criterion's runner cannot start
# ("Could not initialize inheritable arena"), so the unit binaries are skipped
# (counted as skipped, with the reason) and, unless TESTS says otherwise, the
# end-to-end files of the threaded programs run.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/default}
SANITIZE=${SANITIZE:-}
export COPYSCOPE_BIN=${COPYSCOPE_BIN:-bin}
export COPYSCOPE_BUILD=$BUILD
export COPYSCOPE_FUZZ=${COPYSCOPE_FUZZ:-build/fuzz}
export ASAN_OPTIONS="halt_on_error=1:exitcode=86:detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export TSAN_OPTIONS="halt_on_error=1:exitcode=88:second_deadlock_stack=1:${TSAN_OPTIONS:-}"
tapdir=$(mktemp -d)
trap 'rm -rf "$tapdir"' EXIT

units_skip=
case ",$SANITIZE," in
*,thread,*)
	units_skip="Criterion cannot start under ThreadSanitizer (Could not initialize inheritable arena)"
	TESTS=${TESTS:-workloads uring hostile run}
	;;
esac

for t in "$BUILD"/tests/unit-*; do
	[ -x "$t" ] || continue
	if [ -n "$units_skip" ]; then
		echo "== unit: $t skipped: $units_skip"
		echo "ok 1 $(basename "$t") # skip $units_skip" >"$tapdir/$(basename "$t").tap"
		continue
	fi
	echo "== unit: $t"
	"$t" --jobs 2 --tap="$tapdir/$(basename "$t").tap"
done

files=()
for f in tests/e2e/*.bats; do
	[ -f "$f" ] || continue
	if [ -z "${TESTS:-}" ]; then
		files+=("$f")
		continue
	fi
	for word in $TESTS; do
		case "$f" in *"$word"*)
			files+=("$f")
			break
			;;
		esac
	done
done
if [ ${#files[@]} -gt 0 ]; then
	echo "== end to end: ${files[*]}"
	bats --tap "${files[@]}" | tee "$tapdir/e2e.tap"
fi

cat "$tapdir"/*.tap 2>/dev/null >"$tapdir/all" || true
skipped=$(grep -Eic '^ok .*# skip' "$tapdir/all")
ok=$(grep -Ec '^ok ' "$tapdir/all")
failed=$(grep -Ec '^not ok ' "$tapdir/all")
passed=$((ok - skipped))
if [ $((passed + failed)) -eq 0 ]; then
	echo "no test ran" >&2
	failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
