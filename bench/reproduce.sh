#!/usr/bin/env bash
# bench/reproduce.sh — does a sweep reproduce? Runs one sweep file twice
# (perfcfg/sweeps/quick.ini by default) into two results folders, then
# `copyscope compare A B --agree`, which says whether every answer that is
# significant in one run (fastest and slowest strategy, best thread count,
# crossovers over two-copy) is the same in the other. The judgement is
# compare's (harness/compare.c, docs/compare.md); this script only runs.
#
#   bench/reproduce.sh [SWEEP.ini] [--out DIR] [--record]
#
# DIR (default results/<UTC stamp>-reproduce-<sweep name>) gets a/ and b/
# (the two results folders), compare.md, compare.csv and, where gnuplot is
# installed, compare.svg.
# Exit: 0 every significant answer agrees; 1 one does not, or a sweep or the
# comparison failed; 2 bad input.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_usage() {
	cat <<EOF
usage: $BENCH_NAME [SWEEP.ini] [--out DIR] [--record]

Runs SWEEP.ini (default perfcfg/sweeps/quick.ini) twice, into DIR/a and DIR/b
(default results/<UTC stamp>-reproduce-<sweep name>), then
copyscope compare DIR/a DIR/b --agree, writing DIR/compare.md, DIR/compare.csv
and (with gnuplot) DIR/compare.svg. Exit 0 when every answer significant in
one run is the same in the other, 1 when one is not (or a step failed), 2 on
bad input. --record replaces section "reproduce" of bench/RESULTS.md.
EOF
}

SWEEP=$BENCH_ROOT/perfcfg/sweeps/quick.ini
OUT=
RECORD=0
while [ $# -gt 0 ]; do
	case $1 in
	--record) RECORD=1 && shift ;;
	--out)
		[ $# -ge 2 ] || bench_die 2 "--out: expected a folder"
		OUT=$2 && shift 2 ;;
	--help | -h) bench_usage && exit 0 ;;
	-*) bench_die 2 "$1: unknown option (see --help)" ;;
	*)
		[ -f "$1" ] || bench_die 2 "$1: expected a sweep file (e.g. perfcfg/sweeps/quick.ini)"
		SWEEP=$1 && shift ;;
	esac
done
name=$(basename "$SWEEP" .ini)
OUT=${OUT:-$BENCH_ROOT/results/$(date -u +%Y%m%dT%H%M%SZ)-reproduce-$name}
if [ -e "$OUT/a" ] || [ -e "$OUT/b" ]; then
	bench_die 2 "$OUT: holds a/ or b/ already (expected a new folder)"
fi
mkdir -p "$OUT" || bench_die 2 "$OUT: cannot create it"

bench_need_workloads
bench_need_copyscope

echo "reproduce: $SWEEP twice, into $OUT/a and $OUT/b"
LOAD_BEFORE=$(bench_loadavg)
echo "machine: $(bench_machine); load average before: $LOAD_BEFORE"
START=$(date +%s)
for side in a b; do
	"$COPYSCOPE" sweep "$SWEEP" --out "$OUT/$side" --quiet
	rc=$?
	case $rc in
	0) ;;
	1) echo "$BENCH_NAME: sweep $side: some runs failed (compare lists them)" >&2 ;;
	*) bench_die "$((rc == 2 ? 2 : 1))" "sweep $side failed (exit $rc)" ;;
	esac
done
echo "load average after: $(bench_loadavg)"

plot=()
command -v gnuplot >/dev/null 2>&1 && plot=(--plot "$OUT/compare.svg")
"$COPYSCOPE" compare "$OUT/a" "$OUT/b" --out "$OUT/compare.md" --csv "$OUT/compare.csv" \
	"${plot[@]}" --agree
rc=$?
grep -E '^- (Points|Significant differences|Answers that flip|Agreement)' "$OUT/compare.md"
case $rc in
0) verdict="every significant answer agrees" ;;
*) verdict="some significant answers differ (or compare failed)" ;;
esac
echo "reproduce: $verdict; see $OUT/compare.md"
if [ "$RECORD" = 1 ]; then
	section=$BENCH_TMP/section.md
	{
		echo "## reproduce"
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); both sweeps took $(($(date +%s) - START)) s"
		echo "- command: \`$BENCH_CMDLINE\` (sweep file $(basename "$SWEEP"))"
		echo "- machine: $(bench_machine); load average before: $LOAD_BEFORE"
		echo "- verdict: **$verdict** (\`copyscope compare a b --agree\` exit $rc)"
		echo
		grep -E '^- (Points|Significant differences|Answers that flip|Agreement)' "$OUT/compare.md"
		echo
		# compare's Agreement section, its heading one level down
		sed -n '/^## Agreement/,/^## [^A]/p' "$OUT/compare.md" | grep -v '^## [^A]' |
			sed 's/^## /### /'
	} >"$section"
	bench_record reproduce "$section"
fi
exit "$rc"
