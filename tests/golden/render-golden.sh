# render_golden BIN SRC OUT: what the programs write for the results folder
# SRC (its runs.csv, summary.csv, env.txt, events.events, sweep.ini), into OUT:
# summary.csv recomputed from runs.csv (where SRC has a sweep.ini), tables.md,
# report.md with the folder's name as DIR, and the figures' data. Used by
# make-golden.sh and golden.bats alike, so both produce the same way.
render_golden() {
	bin=$1 src=$2 out=$3
	case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
	work=$(mktemp -d)
	mkdir "$work/DIR"
	for f in runs.csv summary.csv env.txt events.events sweep.ini; do
		[ -f "$src/$f" ] && cp "$src/$f" "$work/DIR/"
	done
	if [ -f "$work/DIR/sweep.ini" ]; then
		rm "$work/DIR/summary.csv"
		(cd "$work" && "$bin/copyscope" sweep --resume DIR --quiet >/dev/null 2>&1) || {
			echo "render_golden: sweep --resume $src failed" >&2
			rm -rf "$work"
			return 1
		}
		cp "$work/DIR/summary.csv" "$out/summary.csv"
	fi
	(cd "$work" && "$bin/copyscope" table DIR --level all --format md) >"$out/tables.md"
	(cd "$work" && "$bin/copyscope" report DIR >/dev/null && cat DIR/report.md) >"$out/report.md"
	mkdir "$work/fig"
	(cd "$work" && "$bin/copyscope" figdata DIR fig)
	for f in "$work"/fig/fig*.dat; do cp "$f" "$out/"; done
	cp "$work/fig/meta.sh" "$out/meta.sh"
	rm -rf "$work"
}
