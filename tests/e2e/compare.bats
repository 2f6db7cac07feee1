#!/usr/bin/env bats
# copyscope compare A B: two results folders point by point, from the fixture
# folders of tests/fixtures/ and the recorded quick sweep of tests/golden/
# (copied into a temporary folder, and changed there with awk): a folder
# against itself, against a copy twice as fast, against one whose answers
# flip, and bad input, which writes nothing.

REPO="$BATS_TEST_DIRNAME/../.."

setup() {
	CS=${COPYSCOPE_BIN:-bin}/copyscope
	[[ "$CS" = /* ]] || CS="$PWD/$CS"
	T="$BATS_TEST_TMPDIR"
	cp -r "$REPO/tests/fixtures/nopmu" "$T/a"
	cp -r "$REPO/tests/fixtures/nopmu" "$T/same"
}

# scaled SRC DST IMPL FACTOR: a copy of folder SRC whose runs.csv has
# throughput_gbps times FACTOR in the rows of IMPL (any: every row).
scaled() {
	cp -r "$1" "$2"
	awk -F, -v OFS=, -v impl="$3" -v k="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "throughput_gbps") c = i; print; next }
		{ if ((impl == "any" || $1 == impl) && $c != "") $c = $c * k; print }' \
		"$1/runs.csv" >"$2/runs.csv"
}

# csv_col NAME FILE: column NAME of every data row of CSV FILE, one a line.
csv_col() {
	awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i
			if (!c) { print "no column " name > "/dev/stderr"; exit 1 }; next }
		{ print $c }' "$2"
}

# refused WANT CMD...: exit 2, one line on stderr or stdout, which contains WANT.
refused() {
	local want=$1
	shift
	run "$@"
	echo "$* -> $status: $output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"$want"* ]]
}

@test "a folder against itself: every ratio is 1 and none is significant" {
	run "$CS" compare "$T/a" "$T/same" --csv "$T/c.csv" --agree
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"every answer significant in A or B agrees"* ]]
	[ "$(csv_col ratio "$T/c.csv" | sort -u)" = 1 ]
	[ "$(csv_col significant "$T/c.csv" | sort -u)" = no ]
	[ "$(wc -l <"$T/c.csv")" -eq 217 ] # a header and the 216 points of the fixture
}

@test "a copy whose throughputs are doubled: every stream point is significant, at 2" {
	scaled "$T/a" "$T/b" any 2
	run "$CS" compare "$T/a" "$T/b" --csv "$T/c.csv" --out "$T/c.md"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		function off(x) { return x > 2 ? x - 2 : 2 - x } # awk wrote the doubled values to 6 digits
		$h["mode"] == "stream" && (off($h["ratio"]) > 1e-5 || $h["significant"] != "yes") { bad++ }
		$h["mode"] == "rr" && $h["significant"] != "no" { bad++ }
		END { exit bad > 0 }' "$T/c.csv"
	grep -q 'Significant differences: 108 of 216 points (B faster at 108, slower at 0)' "$T/c.md"
}

@test "a latency twice as high in B reads as B slower" {
	cp -r "$T/a" "$T/b"
	awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "lat_p50_us") c = i; print; next }
		{ if ($c != "") $c = $c * 2; print }' "$T/a/runs.csv" >"$T/b/runs.csv"
	run "$CS" compare "$T/a" "$T/b"
	[ "$status" -eq 0 ]
	[[ "$output" == *"B faster at 0, slower at 108"* ]]
	[[ "$output" == *"| rr | 1 KiB | 1 | lat_p50_us |"*"| 2.000 |"*"yes: B slower"* ]]
}

@test "every interval holds its ratio, and the same folders give the same bytes" {
	scaled "$T/a" "$T/b" one-copy 1.1
	"$CS" compare "$T/a" "$T/b" --csv "$T/1.csv" --out "$T/1.md"
	"$CS" compare "$T/a" "$T/b" --csv "$T/2.csv" --out "$T/2.md"
	cmp "$T/1.csv" "$T/2.csv"
	cmp "$T/1.md" "$T/2.md"
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["ratio"] != "" && !($h["ratio_lo"] <= $h["ratio"] && $h["ratio"] <= $h["ratio_hi"]) { bad++ }
		END { exit bad > 0 }' "$T/1.csv"
}

@test "points in only one folder are listed, not dropped" {
	run "$CS" compare "$REPO/tests/golden/quick" "$T/a" --csv "$T/c.csv" --out "$T/c.md"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/c.csv")" -eq 217 ]
	grep -q 'Points: 16 in both folders, 0 only in A, 200 only in B' "$T/c.md"
	grep -q '^- only in B: two-copy, stream, 256 B, 1 thread (3 runs)$' "$T/c.md"
	# a point only in B: its A cells are empty, never 0
	[ "$(awk -F, '$1 == "two-copy" && $2 == "stream" && $7 == 256 && $8 == 1 { print $10 "|" $12 "|" $14 }' "$T/c.csv")" = "||" ]
}

@test "--agree exits 1 when an answer significant in one folder is not the same in the other" {
	scaled "$T/a" "$T/b" one-copy 0.5
	run "$CS" compare "$T/a" "$T/b" --out "$T/c.md" --agree
	[ "$status" -eq 1 ]
	[[ "$output" == *"answers significant in A or B are not the same in the other"* ]]
	# at 4 KiB one-copy leads A by 5%, under the 10% margin: not an answer; at 8 KiB, 30%
	grep -q '^- fastest strategy, stream, 1 thread, 8 KiB: A one-copy\\\*, B two-copy\\\*$' "$T/c.md"
	grep -q '| stream | 1 | one-copy | overtakes at ≈ 2896 B (2 KiB–8 KiB)\\\* | none: behind at every size' "$T/c.md"
	# without --agree the same comparison is a success
	run "$CS" compare "$T/a" "$T/b" --out "$T/c.md"
	[ "$status" -eq 0 ]
}

@test "a column only one folder has, with one value there, is left out of the match and said" {
	awk -F, -v OFS=, '{ $4 = ""; sub(/,,/, ",") } 1' "$T/a/runs.csv" >"$T/same/runs.csv"
	head -n 1 "$T/same/runs.csv" | grep -q '^impl,mode,topology,layout,'
	run "$CS" compare "$T/a" "$T/same" --csv "$T/c.csv"
	[ "$status" -eq 0 ]
	[[ "$output" == *'Note: `mtu` is only in A'"'"'s runs.csv, where every run has `65536`'* ]]
	[[ "$output" == *"Points: 216 in both folders, 0 only in A, 0 only in B."* ]]
	head -n 1 "$T/c.csv" | grep -q '^impl,mode,topology,layout,busy_poll,msg_size,threads,metric,'
}

@test "--plot draws the ratios as an SVG, from --csv's file or without one" {
	command -v gnuplot >/dev/null || skip "gnuplot is not installed"
	scaled "$T/a" "$T/b" zero-copy 1.5
	run "$CS" compare "$T/a" "$T/b" --out "$T/c.md" --plot "$T/c.svg"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '<svg' "$T/c.svg"
	grep -q 'width="1280"' "$T/c.svg"
	for t in "stream, 1 thread" "rr, 4 threads" zero-copy "no difference (1.0)"; do
		grep -qF "$t" "$T/c.svg" || { echo "no '$t' in the figure"; return 1; }
	done
	run "$CS" compare "$T/a" "$T/b" --out "$T/c.md" --csv "$T/c.csv" --plot "$T/d.png"
	[ "$status" -eq 0 ]
	[ -s "$T/d.png" ]
	[ -z "$(find "$T" -name '*.tmp*')" ]
}

@test "--help names every option and the exit statuses" {
	run "$CS" compare --help
	[ "$status" -eq 0 ]
	for o in --out --csv --plot --agree --help "Exit:"; do
		[[ "$output" == *"$o"* ]] || { echo "--help lacks $o"; return 1; }
	done
}

@test "bad input: one line naming it, exit 2, nothing written" {
	mkdir "$T/empty" "$T/out"
	cp -r "$T/a" "$T/noruns"
	rm "$T/noruns/runs.csv"
	refused "$T/nowhere: expected a results folder" "$CS" compare "$T/nowhere" "$T/a" --out "$T/out/c.md"
	refused "$T/empty/summary.csv: missing" "$CS" compare "$T/a" "$T/empty" --csv "$T/out/c.csv"
	refused "$T/noruns/runs.csv: missing" "$CS" compare "$T/noruns" "$T/a" --out "$T/out/c.md"
	refused "expected two results folders (A B), got 1" "$CS" compare "$T/a"
	refused "got 3: $T/out" "$CS" compare "$T/a" "$T/same" "$T/out"
	refused "--bogus: unknown option" "$CS" compare "$T/a" "$T/same" --bogus
	refused "--out: expected a value" "$CS" compare "$T/a" "$T/same" --out
	refused "--plot $T/out/c.pdf: expected a file name ending in .svg or .png" \
		"$CS" compare "$T/a" "$T/same" --plot "$T/out/c.pdf"
	refused "$T/nodir/c.md: cannot write there" "$CS" compare "$T/a" "$T/same" --csv "$T/out/c.csv" --out "$T/nodir/c.md"
	[ -z "$(ls -A "$T/out")" ]
}
