#!/bin/sh
# Regenerates tests/golden/*/expected/ from the inputs beside them, with the
# programs in ${COPYSCOPE_BIN:-bin}. golden.bats checks that today's programs
# still write exactly these bytes: summary.csv (recomputed from runs.csv),
# tables.md, report.md and the figures' data (copyscope figdata).
#
# Run it only for a change that is meant to alter what is written, and say
# which outputs changed and why in that change's commit.
#   tests/golden/quick/  a quick sweep (perfcfg/sweeps/quick.ini) recorded
#                        on a 2-core VM without a hardware PMU, 2026-11-30
#   tests/fixtures/pmu, tests/fixtures/nopmu: the fixtures (make-fixtures.sh)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin=${COPYSCOPE_BIN:-bin}
. tests/golden/render-golden.sh
for src in tests/golden/quick tests/fixtures/pmu tests/fixtures/nopmu; do
	name=$(basename "$src")
	out=tests/golden/expected/$name
	rm -rf "$out"
	mkdir -p "$out"
	render_golden "$bin" "$src" "$out"
	echo "golden: $out"
done
