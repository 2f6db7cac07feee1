# Helpers for the bats files that drive copyscope run (run.bats, netns.bats):
# `load harness_helpers`. They use $T (the test's scratch folder).

# col NAME FILE: the value of column NAME in the last row of CSV FILE (no quoted cells here).
col() {
	awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		{ v = $c } END { if (!c) { print "no column " name > "/dev/stderr"; exit 1 } print v }' "$2"
}

# wrapper NAME REAL [SHELL-LINE]: a program that records its pid in
# $T/NAME.pid, runs SHELL-LINE, then becomes REAL (same pid); --list-impls
# goes straight through.
wrapper() {
	local name=$1 real=$2 extra=${3:-}
	cat >"$T/$name" <<SH
#!/bin/sh
if [ "\$1" = --list-impls ]; then exec "$real" --list-impls; fi
echo \$\$ > "$T/$name.pid"
$extra
exec "$real" "\$@"
SH
	chmod +x "$T/$name"
}
