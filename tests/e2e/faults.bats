#!/usr/bin/env bats
# Faults during a run and during a sweep. Every fault ends as a run marked
# failed with its reason, within warm-up + duration + the grace period (never
# an assertion on speed: the bound is generous), with every process reaped and
# none left; a sweep goes on past failed runs; an interrupted sweep keeps every
# finished row whole and --resume completes it; a full or read-only results
# folder is a clear error, never a torn row. (run.bats covers a server
# SIGKILLed mid-run, a client exiting 1 or hanging, and a server that cannot
# start; sweep.bats one deterministic SIGTERM + SIGINT + resume.)

REPO="$BATS_TEST_DIRNAME/../.."

setup() {
	BIN=${COPYSCOPE_BIN:-bin}
	BIN=$(cd "$BIN" && pwd)
	CS="$BIN/copyscope"
	T="$BATS_TEST_TMPDIR"
	MOUNTED=
	mkdir -p "$T/sweeps" "$T/events"
	cp "$REPO/perfcfg/events/software.events" "$T/events/"
}

teardown() {
	if [ -n "$MOUNTED" ]; then
		chattr -i "$MOUNTED" 2>/dev/null || true
		umount "$MOUNTED" 2>/dev/null || true
	fi
}

# col NAME FILE: the values of column NAME, one per data row (no quoted cells here);
# a missing column: a line on stderr and exit 1 (lost inside "$(...)": see bytes below).
col() {
	awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i
			if (!c) { print "no column " name > "/dev/stderr"; exit 1 }; next }
		{ print $c }' "$2"
}

rows() { echo $(($(wc -l <"$1") - 1)); }

# whole_rows FILE: every line has the header's number of fields and ends in a newline.
whole_rows() {
	[ ! -s "$1" ] && return 0
	[ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || { echo "$1: last row cut short"; return 1; }
	awk -F, 'NR == 1 { n = NF } NF != n { printf "%s:%d: %d fields, header has %d\n", FILENAME, NR, NF, n; bad = 1 }
		END { exit bad }' "$1"
}

# wrapper NAME REAL [SHELL-LINE]: a program that appends its pid to $T/pids,
# runs SHELL-LINE, then becomes REAL (same pid). --list-impls goes straight through.
wrapper() {
	cat >"$T/$1" <<SH
#!/bin/sh
if [ "\$1" = --list-impls ]; then exec "$2" --list-impls; fi
echo \$\$ >> "$T/pids"
${3:-}
exec "$2" "\$@"
SH
	chmod +x "$T/$1"
}

# none_left: no pid recorded in $T/pids is still alive (a stopped one counts as alive).
none_left() {
	[ -f "$T/pids" ] || return 0
	local pid left=0
	while read -r pid; do
		if kill -0 "$pid" 2>/dev/null; then
			ps -o pid,ppid,stat,args -p "$pid" >&2
			left=1
		fi
	done <"$T/pids"
	[ "$left" -eq 0 ]
}

# a small sweep file: 2 strategies x 2 sizes, REPS reps, short runs, plus extra lines
small_sweep() {
	local name=$1 reps=$2
	shift 2
	{
		echo "impls = two-copy one-copy"
		echo "sizes = 1K 4K"
		echo "threads = 1"
		echo "duration = 0.2"
		echo "warmup = 0.05"
		echo "reps = $reps"
		echo "events = software"
		printf '%s\n' "$@"
	} >"$T/sweeps/$name.ini"
	echo "$T/sweeps/$name.ini"
}

@test "client SIGKILLed mid-run: failed:client_signal_SIGKILL, both reaped, none left" {
	wrapper srv "$BIN/copyscope-server"
	wrapper cli "$BIN/copyscope-client" '( sleep 0.7; kill -KILL $$ ) </dev/null >/dev/null 2>&1 &'
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" \
		run "$CS" run --impl one-copy --size 16384 --warmup 0.2 --duration 3 --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(col status "$T/runs.csv")" = failed:client_signal_SIGKILL ]
	bytes=$(col bytes "$T/runs.csv") # on its own line: a missing column fails here
	[ -z "$bytes" ]
	[ "$(wc -l <"$T/pids")" -eq 2 ]
	none_left
}

@test "server SIGSTOPped so the client hangs: failed within duration + grace, the stopped server killed" {
	wrapper srv "$BIN/copyscope-server" '( sleep 0.5; kill -STOP $$ ) </dev/null >/dev/null 2>&1 &'
	wrapper cli "$BIN/copyscope-client"
	start=$(date +%s)
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" \
		run "$CS" run --impl one-copy --size 16384 --warmup 0.2 --duration 1 --out "$T/runs.csv"
	took=$(($(date +%s) - start))
	echo "$output"
	echo "took ${took}s"
	[ "$status" -eq 1 ]
	[[ "$(col status "$T/runs.csv")" == failed:* ]]
	# warm-up + duration + grace (5 s) + the kill and reap: far below 30 s
	[ "$took" -lt 30 ]
	none_left
}

@test "client program missing: failed:client_exec naming it, the server ended" {
	wrapper srv "$BIN/copyscope-server"
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/no-such-client" \
		run "$CS" run --impl one-copy --size 64 --duration 0.3 --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(col status "$T/runs.csv")" = failed:client_exec ]
	[[ "$output" == *"cannot execute: No such file or directory"* ]]
	none_left
}

@test "server program missing: exit 2 before anything runs, naming it" {
	COPYSCOPE_SERVER="$T/no-such-server" run "$CS" run --impl one-copy --size 64 --duration 0.3 --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"$T/no-such-server: cannot execute"* ]]
	[ ! -e "$T/runs.csv" ]
}

@test "a fixed --port already in use: one line naming the address, exit 1, nothing left" {
	"$BIN/copyscope-server" --impl a2 >"$T/first.out" 2>&1 &
	first=$!
	for _ in $(seq 100); do grep -q '^listening' "$T/first.out" && break; sleep 0.05; done
	port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/first.out")
	[ -n "$port" ]
	run timeout 20 "$BIN/copyscope-server" --impl a2 --port "$port"
	kill -TERM "$first"
	wait "$first" || true
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"127.0.0.1:$port"*"Address already in use"* ]]
}

@test "a sweep goes on past a killed server: that run failed, every other ok, exit 1, none left" {
	# the first server started kills itself mid-run; the later ones behave
	wrapper srv "$BIN/copyscope-server" \
		"if mkdir \"$T/once\" 2>/dev/null; then ( sleep 0.3; kill -KILL \$\$ ) </dev/null >/dev/null 2>&1 & fi"
	wrapper cli "$BIN/copyscope-client"
	sweep=$(small_sweep goes-on 1 "order = sequential" "duration = 0.5")
	sed -i '0,/^duration = 0.2$/{/^duration = 0.2$/d}' "$sweep"
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" run "$CS" sweep "$sweep" --out "$T/res" --quiet
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(rows "$T/res/runs.csv")" -eq 4 ]
	# killed mid-run, or on a slow machine before it listened: either way the server's fault
	[ "$(col status "$T/res/runs.csv" | grep -c '^failed:server_')" -eq 1 ]
	[ "$(col status "$T/res/runs.csv" | grep -c '^ok$')" -eq 3 ]
	whole_rows "$T/res/runs.csv"
	whole_rows "$T/res/summary.csv"
	none_left
}

@test "a sweep whose client is missing: every run failed:client_exec, exit 1, every row whole" {
	sweep=$(small_sweep noclient 1)
	COPYSCOPE_CLIENT="$T/no-such-client" run "$CS" sweep "$sweep" --out "$T/res" --quiet
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(rows "$T/res/runs.csv")" -eq 4 ]
	[ "$(col status "$T/res/runs.csv" | sort -u)" = failed:client_exec ]
	whole_rows "$T/res/runs.csv"
}

@test "SIGINT and SIGTERM at random moments: finished rows whole, summary whole, --resume completes without duplicates" {
	wrapper srv "$BIN/copyscope-server"
	wrapper cli "$BIN/copyscope-client"
	export COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli"
	sweep=$(small_sweep random 5) # 4 points x 5 reps = 20 runs
	dir="$T/res"
	seed=${FAULTS_SEED:-$RANDOM}
	echo "FAULTS_SEED=$seed" # rerun with this to replay the same moments
	RANDOM=$seed
	for trial in 1 2 3 4 5 6; do
		sig=$([ $((trial % 2)) -eq 0 ] && echo INT || echo TERM)
		ms=$((200 + RANDOM % 2300)) # 0.2 s to 2.5 s: set-up, mid-run, between runs
		delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
		if [ -f "$dir/sweep.ini" ]; then
			"$CS" sweep --resume "$dir" --quiet >>"$T/log" 2>&1 3>&- &
		else
			rm -rf "$dir"
			"$CS" sweep "$sweep" --out "$dir" --quiet >>"$T/log" 2>&1 3>&- &
		fi
		pid=$!
		sleep "$delay"
		kill "-$sig" "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" || rc=$?
		echo "trial $trial: SIG$sig after ${delay}s -> exit $rc, $( [ -f "$dir/runs.csv" ] && rows "$dir/runs.csv" || echo 0) rows"
		case "$rc" in 0 | 130 | 143) ;; *) cat "$T/log"; false ;; esac
		if [ -f "$dir/runs.csv" ]; then
			whole_rows "$dir/runs.csv"
			run grep -q ',interrupted,' "$dir/runs.csv"
			[ "$status" -eq 1 ]
		fi
		[ ! -e "$dir/summary.csv.tmp" ]
		if [ -f "$dir/summary.csv" ]; then whole_rows "$dir/summary.csv"; fi
		none_left
	done
	if [ -f "$dir/sweep.ini" ]; then
		run "$CS" sweep --resume "$dir" --quiet
	else
		rm -rf "$dir"
		run "$CS" sweep "$sweep" --out "$dir" --quiet
	fi
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(rows "$dir/runs.csv")" -eq 20 ]
	# a run is its point and rep: every column up to rep
	dups=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "rep") last = i; next }
		{ k = ""; for (i = 1; i <= last; i++) k = k "," $i; print k }' "$dir/runs.csv" | sort | uniq -d)
	[ -z "$dups" ]
	[ "$(rows "$dir/summary.csv")" -eq 4 ]
	whole_rows "$dir/runs.csv"
	whole_rows "$dir/summary.csv"
	none_left
}

@test "results folder on a full file system: a clear error naming it, no torn row, exit 2" {
	[ "$(id -u)" = 0 ] || skip "mounting a small tmpfs needs root"
	mkdir "$T/full"
	mount -t tmpfs -o size=64k tmpfs "$T/full" || skip "cannot mount a tmpfs here"
	MOUNTED="$T/full"
	sweep=$(small_sweep full 20) # 80 runs: far more than 64 KiB holds
	run "$CS" sweep "$sweep" --out "$T/full/res" --quiet
	echo "$output" | tail -5
	[ "$status" -eq 2 ]
	[[ "$output" == *"No space left on device"* ]]
	if [ -f "$T/full/res/runs.csv" ]; then
		whole_rows "$T/full/res/runs.csv"
		echo "$(rows "$T/full/res/runs.csv") whole rows kept"
	fi
	[ ! -e "$T/full/res/summary.csv.tmp" ]
	if [ -f "$T/full/res/summary.csv" ]; then whole_rows "$T/full/res/summary.csv"; fi
}

@test "results folder not writable: exit 2 before anything runs" {
	[ "$(id -u)" = 0 ] || skip "a read-only mount needs root"
	mkdir "$T/ro"
	mount -t tmpfs -o size=1m tmpfs "$T/ro" || skip "cannot mount a tmpfs here"
	MOUNTED="$T/ro"
	mount -o remount,ro "$T/ro"
	wrapper srv "$BIN/copyscope-server"
	sweep=$(small_sweep ro 1)
	COPYSCOPE_SERVER="$T/srv" run "$CS" sweep "$sweep" --out "$T/ro/res" --quiet
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"$T/ro/res"* ]]
	[ ! -e "$T/pids" ] # no workload was started
	# and a folder made immutable (root ignores mode bits, not chattr +i)
	mkdir "$T/imm"
	chattr +i "$T/imm" 2>/dev/null || skip "chattr +i not supported on this file system"
	COPYSCOPE_SERVER="$T/srv" run "$CS" sweep "$sweep" --out "$T/imm" --quiet
	chattr -i "$T/imm"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$T/pids" ]
}
