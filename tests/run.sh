#!/usr/bin/env bash
# Runs every test suite of copyscope and ends with one line CI reads:
#   N passed, N failed, N skipped
# Unit tests are Criterion binaries, end-to-end tests are bats files; both
# speak TAP, which is what is counted here. TESTS=pattern narrows the bats
# files (e.g. TESTS=workloads).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/default}
export COPYSCOPE_BIN=${COPYSCOPE_BIN:-bin}
export COPYSCOPE_BUILD=$BUILD
tapdir=$(mktemp -d)
trap 'rm -rf "$tapdir"' EXIT

for t in "$BUILD"/tests/unit-*; do
	[ -x "$t" ] || continue
	echo "== unit: $t"
	"$t" --jobs 2 --tap="$tapdir/$(basename "$t").tap"
done

files=()
for f in tests/e2e/*.bats; do
	[ -f "$f" ] || continue
	case "$f" in *"${TESTS:-}"*) files+=("$f") ;; esac
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
