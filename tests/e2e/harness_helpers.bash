# Helpers for the bats files that drive copyscope run (run.bats, netns.bats,
# promises.bats): `load harness_helpers`. They use $T (the test's scratch folder).

# harness_setup: BIN (the programs, absolute), CS (copyscope) and T, as every
# such file's setup() starts.
harness_setup() {
	BIN=${COPYSCOPE_BIN:-bin}
	BIN=$(cd "$BIN" && pwd)
	CS="$BIN/copyscope"
	T="$BATS_TEST_TMPDIR"
}

# col NAME FILE: the value of column NAME in the last row of CSV FILE (no quoted cells here).
# A missing column or a file without a data row: a line on stderr and exit 1. Inside
# [ "$(col ...)" ... ] that status is lost: compare it with something it cannot be
# when empty, or use `v=$(col ...)` on a line of its own, or empty_col.
col() {
	awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		{ v = $c; rows++ } END {
		if (!c) { print "no column " name > "/dev/stderr"; exit 1 }
		if (!rows) { print "no data row in " FILENAME > "/dev/stderr"; exit 1 }
		print v }' "$2"
}

# empty_col NAME FILE: succeeds only when the last row of CSV FILE has an empty cell in
# column NAME; a missing column, no data row or a filled cell fail, saying which.
# (Not [ -z "$(col NAME FILE)" ]: that passes when the column is gone.)
empty_col() {
	local v
	v=$(col "$1" "$2") || return 1
	[ -z "$v" ] || { echo "$1 = $v in $2, expected an empty cell" >&2; return 1; }
}

# gone PIDFILE...: each file exists and the pid it records is no longer running.
gone() {
	local f pid
	for f in "$@"; do
		[ -s "$f" ] || { echo "$f: no pid recorded (the program never started)" >&2; return 1; }
		pid=$(cat "$f")
		if kill -0 "$pid" 2>/dev/null; then
			ps -o pid,ppid,stat,args -p "$pid" >&2
			return 1
		fi
	done
}

# cpu_s SIDE FILE: SIDE's (srv or cli) in-window user + system seconds, from the
# SIDE_utime_s and SIDE_stime_s columns of the last row.
cpu_s() {
	local u s
	u=$(col "$1_utime_s" "$2") || return 1
	s=$(col "$1_stime_s" "$2") || return 1
	awk -v u="$u" -v s="$s" 'BEGIN { if (u == "" || s == "") exit 1; printf "%.6f\n", u + s }' ||
		{ echo "$1_utime_s=$u $1_stime_s=$s: expected two numbers" >&2; return 1; }
}

# task_clock_matches_cpu SIDE FILE: SIDE_task_clock (ns, the perf counter the harness
# reads) and SIDE's own user + system time (s) agree within 20% (+ 10 ms for the
# moments between the workload's and the counters' begin and end).
task_clock_matches_cpu() {
	local tc cpu
	tc=$(col "$1_task_clock" "$2") || return 1
	cpu=$(cpu_s "$1" "$2") || return 1
	echo "$1_task_clock=$tc ns, $1_utime_s+$1_stime_s=$cpu s"
	awk -v tc="$tc" -v cpu="$cpu" 'BEGIN { t = tc / 1e9; d = t - cpu; if (d < 0) d = -d
		exit !(tc != "" && t > 0 && cpu > 0 && d <= 0.2 * (t > cpu ? t : cpu) + 0.01) }' ||
		{ echo "$1: task-clock and user+system time differ by more than 20%" >&2; return 1; }
}

# cpu_below SIDE FILE LIMIT: SIDE's in-window user + system time is below LIMIT seconds.
cpu_below() {
	local cpu
	cpu=$(cpu_s "$1" "$2") || return 1
	echo "$1 in-window CPU ${cpu}s, limit $3 s"
	awk -v cpu="$cpu" -v lim="$3" 'BEGIN { exit !(cpu < lim) }' ||
		{ echo "$1: ${cpu}s of CPU in the window, not below $3 s" >&2; return 1; }
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

# need_netns WHY: root with CAP_NET_ADMIN and CAP_SYS_ADMIN (ip netns add
# mounts), else the test is skipped, saying "needs root: WHY". iproute2 is
# one of the packages `make deps` installs: without it the test fails.
need_netns() {
	[ "$(id -u)" -eq 0 ] || skip "needs root: $1"
	local eff
	eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
	# CAP_NET_ADMIN is bit 12, CAP_SYS_ADMIN bit 21
	(((0x$eff >> 12) & 1 && (0x$eff >> 21) & 1)) ||
		skip "root without CAP_NET_ADMIN/CAP_SYS_ADMIN (a restricted container): $1"
	command -v ip >/dev/null || { echo "iproute2 (ip) is missing: make deps installs it" >&2; return 1; }
}

rows() { # data rows of a CSV
	echo $(($(wc -l <"$1") - 1))
}

# The named columns of every data row of a CSV, joined with "/": cols FILE NAME...
cols() {
	local f=$1
	shift
	awk -F, -v want="$*" 'NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) c[$i] = i
		for (k = 1; k <= n; k++) if (!(w[k] in c)) { print "no column " w[k] > "/dev/stderr"; exit 1 }; next }
		{ line = $c[w[1]]; for (k = 2; k <= n; k++) line = line "/" $c[w[k]]; print line }' "$f"
}
