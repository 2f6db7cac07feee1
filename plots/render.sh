#!/bin/sh
# render.sh DIR — draws the six figures of a results folder into DIR/figures/
# (PNG through pngcairo and SVG, 1280x720 each). `make plots` calls it.
#
#   1 throughput.{png,svg}      throughput vs message size, per thread count
#   2 latency.{png,svg}         rr p50/p99 vs thread count, per message size
#   3 cache-misses.{png,svg}    server misses per KiB, per cache level of events.events
#   4 cpu-per-byte.{png,svg}    cycles (or CPU ns) per byte, server and client
#   5 speedup.{png,svg}         throughput / two-copy, per thread count
#   6 zerocopy.{png,svg}        copied-fallback share and context switches per MiB
#
# extract.awk turns summary.csv into one small data file per figure and a
# meta.sh that says which panels exist and, for data not measured, why; each
# figure script then draws from its file (see plots/style.gp for its variables).
# Exit status: 0 drawn; 2 bad input (one line on stderr, nothing written);
# 1 gnuplot failed.
set -u
me=plots/render.sh
dir=${1:-}
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
	echo "$me: ${dir:-(none)}: expected a results folder (e.g. results/latest)" >&2
	exit 2
fi
if [ ! -f "$dir/summary.csv" ]; then
	echo "$me: $dir/summary.csv: missing (expected the output of copyscope sweep)" >&2
	exit 2
fi
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "$me: gnuplot: not found (make deps installs gnuplot-nox)" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

events=/dev/null envf=/dev/null
[ -f "$dir/events.events" ] && events=$dir/events.events
[ -f "$dir/env.txt" ] && envf=$dir/env.txt
awk -v tmp="$tmp" -f "$here/extract.awk" "$events" "$envf" "$dir/summary.csv" || {
	echo "$me: $dir/summary.csv: could not be read as a summary" >&2
	exit 2
}
. "$tmp/meta.sh"

# The footer: the system configuration of env.txt, apostrophes dropped
# because gnuplot reads it as a single-quoted string.
envval() {
	[ -f "$envf" ] || return 0
	awk -v k="$1" '!/^[a-z_0-9]+=/ { exit } index($0, k "=") == 1 {
		sub(/^[^=]*=/, ""); gsub(/\047/, ""); print; exit }' "$envf"
}
case $hw_pmu in
yes) counters="hardware counters: yes" ;;
no) counters="hardware counters: no (no PMU exposed)" ;;
*) counters="hardware counters: unknown" ;;
esac
footer="$(envval cpu_model) · $(envval cpus) CPUs · kernel $(envval kernel) · topology $(envval topology) · $counters"
[ -f "$envf" ] || footer="no env.txt in $dir · $counters"

figdir=$dir/figures
mkdir -p "$figdir" || exit 2
status=0
# draw SCRIPT NAME DATA PANELS EMPTY MISS [extra gnuplot assignments]
draw() {
	script=$1 name=$2 data=$3 pan=$4 emp=$5 miss=$6
	shift 6
	for fmt in png svg; do
		if ! gnuplot -e "in='$data'; out='$tmp/$name'; fmt='$fmt'; footer='$footer'" \
			-e "impls='$impls'; panels='$pan'; empty='$emp'; miss='$miss'; xt='$xt'; xr='$xr'" \
			-e "${*:-x=0}" "$here/$script" 2>"$tmp/$name.err"; then
			echo "$me: $script: gnuplot failed: $(head -n 3 "$tmp/$name.err")" >&2
			status=1
			continue
		fi
		mv "$tmp/$name.$fmt" "$figdir/$name.$fmt" || status=1
	done
}

# A figure whose data is all missing gets one panel that says so.
one() { [ -n "$2" ] && echo "-" || echo "$1"; }

draw fig1_throughput.gp throughput "$tmp/fig1.dat" "$(one "$p1" "$miss1")" "$e1" "$miss1" \
	"tmode='$tmode'"
draw fig2_latency.gp latency "$tmp/fig2.dat" "$(one "$p2" "$miss2")" "$e2" "$miss2" "tt='$tt'"
draw fig3_cache_misses.gp cache-misses "$tmp/fig3.dat" "$(one "$p3" "$miss3")" "$e3" "$miss3" \
	"titles='$cache_titles'; keys='$p3'; why='$why3'; t1='$t1'; tmode='$tmode'"
draw fig4_cpu_per_byte.gp cpu-per-byte "$tmp/fig4.dat" "$(one "$p4" "$miss4")" "$e4" "$miss4" \
	"metric='$cpu_metric'; clock='$cpu_clock'; t1='$t1'; tmode='$tmode'"
draw fig5_speedup.gp speedup "$tmp/fig5.dat" "$(one "$p5" "$miss5")" "$e5" "$miss5" \
	"tmode='$tmode'"
draw fig6_zerocopy.gp zerocopy "$tmp/fig6.dat" "$p6" "$e6" "" \
	"zc_impls='$zc_impls'; miss_zc='$miss6a'; miss_ctx='$miss6b'; t1='$t1'; tmode='$tmode'"
[ $status -eq 0 ] && echo "$me: figures in $figdir"
exit $status
