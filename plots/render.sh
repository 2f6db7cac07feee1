#!/bin/sh
# render.sh DIR — draws the figures of a results folder into DIR/figures/
# (PNG through pngcairo and SVG, 1280x720 each). `make plots` calls it. The
# figures are those of copyscope figdata's table (`copyscope figdata --help`
# lists them): throughput, latency, cache misses, CPU per byte, speed-up,
# zero-copy, what TCP did, where the CPU goes (from a sweep with sample = on).
#
# `copyscope figdata` (harness/figdata.c) turns summary.csv into one small data
# file per figure, a meta.sh that says which panels exist and, for data not
# measured, why, and draw.list, one line per figure of its figure table; each
# figure script then draws from its file (see plots/style.gp for its
# variables). COPYSCOPE names the program (default: bin/copyscope beside plots/).
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
copyscope=${COPYSCOPE:-$here/../bin/copyscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$copyscope" figdata "$dir" "$tmp" 2>"$tmp/figdata.err"; then
	echo "$me: $(head -n 1 "$tmp/figdata.err")" >&2
	exit 2
fi
. "$tmp/meta.sh"

figdir=$dir/figures
mkdir -p "$figdir" || exit 2
status=0
# draw SCRIPT NAME DATA PANELS EMPTY MISS EXTRA: one line of draw.list
draw() {
	script=$1 name=$2 data=$3 pan=$4 emp=$5 miss=$6 extra=$7
	for fmt in png svg; do
		if ! gnuplot -e "in='$data'; out='$tmp/$name'; fmt='$fmt'; footer='$footer'" \
			-e "impls='$impls'; panels='$pan'; empty='$emp'; miss='$miss'; xt='$xt'; xr='$xr'; ci='${ci:-1}'" \
			-e "${extra:-x=0}" "$here/$script" 2>"$tmp/$name.err"; then
			echo "$me: $script: gnuplot failed: $(head -n 3 "$tmp/$name.err")" >&2
			status=1
			continue
		fi
		mv "$tmp/$name.$fmt" "$figdir/$name.$fmt" || status=1
	done
}

us=$(printf '\037') # draw.list's separator: empty fields stay fields
while IFS=$us read -r script name data pan emp miss extra; do
	draw "$script" "$name" "$data" "$pan" "$emp" "$miss" "$extra"
done <"$tmp/draw.list"
[ $status -eq 0 ] && echo "$me: figures in $figdir"
exit $status
