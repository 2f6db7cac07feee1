#!/usr/bin/env bats
# The gnuplot scripts of plots/: each figure of the figure table has its
# script, and no key box covers data (each script reserves room for its key
# above the data, or sets it beside the panels).

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	BIN=${COPYSCOPE_BIN:-bin}
	case $BIN in /*) ;; *) BIN=$REPO/$BIN ;; esac
}

@test "every figure of copyscope figdata's table has its gnuplot script, and no other script exists" {
	run "$BIN/copyscope" figdata --help
	[ "$status" -eq 0 ]
	n=$("$BIN/copyscope" figdata --names | wc -l)
	[ "$n" -eq "$(ls "$REPO"/plots/fig*.gp | wc -l)" ]
	mkdir "$BATS_TEST_TMPDIR/out"
	"$BIN/copyscope" figdata "$REPO/tests/fixtures/pmu" "$BATS_TEST_TMPDIR/out"
	while IFS=$(printf '\037') read -r script name _; do
		[ -f "$REPO/plots/$script" ] || { echo "draw.list names plots/$script: missing"; false; }
	done <"$BATS_TEST_TMPDIR/out/draw.list"
}

@test "every figure script that draws a key reserves room for it above the data, or sets it beside the panels" {
	for gp in "$REPO"/plots/fig*.gp; do
		grep -q 'title word' "$gp" || continue # a script whose plots have no key entry
		grep -Eq 'reserve_key|key_room' "$gp" && continue
		# right of the last panel (style.gp's right_margin), outside every plot area
		grep -Eq '^right_margin = ' "$gp" && grep -q 'set key at screen right_margin +' "$gp" ||
			{ echo "$gp: a key with no room reserved"; false; }
	done
}
