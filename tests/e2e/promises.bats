#!/usr/bin/env bats
# Promises of the README that no other file checks:
#   - a SIGKILLed `copyscope run` leaves no workload behind, without root
#     (PR_SET_PDEATHSIG, README "Running one point");
#   - the derived columns of a real row equal their inputs: *_per_msg,
#     *_per_kb, *_cycles_per_byte, and *_cpu_ns_per_byte from task-clock or,
#     without one, from user + system time (README "CSV columns");
#   - a failed row has every measured cell empty, for the failures the
#     README names (failed:server_no_listen, failed:server_ctl) and for a
#     server that fails after the window was measured;
#   - an interrupted shuffled sweep, resumed, keeps the rows written before
#     the interrupt byte for byte, at the top and in order, and completes the
#     grid in the order of its seed (README "Interrupting and resuming").

load harness_helpers

REPO="$BATS_TEST_DIRNAME/../.."

setup() {
	harness_setup
	SHARED=
}

teardown() {
	# whatever a failed test left running: only the pids it recorded
	local f pid
	for f in "$T"/*.pid "${SHARED:-/nonexistent}"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		if [ -n "$pid" ] && alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
	done
	[ -z "$SHARED" ] || rm -rf "$SHARED"
}


# alive PID: the process exists and is not a zombie (a zombie runs nothing;
# whether it is reaped is up to init, not copyscope)
alive() {
	local state
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# dead PID: the process has ended (a check that can fail mid-test, unlike `! alive`)
dead() {
	if alive "$1"; then
		ps -o pid,ppid,stat,args -p "$1" >&2
		return 1
	fi
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- 1. PR_SET_PDEATHSIG ---------------------------------------------------------

@test "SIGKILL of copyscope run, not root: every workload is gone within 1 s (PR_SET_PDEATHSIG)" {
	# A folder nobody can write: the wrappers record their pids there.
	SHARED=$(mktemp -d /tmp/copyscope-pdeathsig.XXXXXX)
	chmod 0777 "$SHARED"
	as=()
	if [ "$(id -u)" = 0 ]; then
		# PDEATHSIG must hold for an unprivileged harness, so run it as nobody
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
		"${as[@]}" sh -c "test -x '$CS' && test -x '$BIN/copyscope-server' && touch '$SHARED/probe'" ||
			skip "cannot run copyscope as nobody here (setpriv, or the build is not readable by nobody)"
	fi
	printf 'ctx_switches - PERF_COUNT_SW_CONTEXT_SWITCHES\ntask_clock - PERF_COUNT_SW_TASK_CLOCK\n' \
		>"$SHARED/sw.events"
	T="$SHARED" wrapper srv "$BIN/copyscope-server"
	T="$SHARED" wrapper cli "$BIN/copyscope-client"
	# a 30 s window: without PDEATHSIG both workloads would outlive the test's 1 s by far
	COPYSCOPE_SERVER="$SHARED/srv" COPYSCOPE_CLIENT="$SHARED/cli" \
		"${as[@]}" "$CS" run --impl one-copy --size 16K --warmup 0.2 --duration 30 \
		--events "$SHARED/sw.events" >"$SHARED/out" 2>&1 3>&- &
	pid=$!
	for _ in $(seq 200); do # both started (10 s at most)
		[ -s "$SHARED/srv.pid" ] && [ -s "$SHARED/cli.pid" ] && break
		sleep 0.05
	done
	sleep 0.5 # the client is past its exec and in the window
	srv=$(cat "$SHARED/srv.pid")
	cli=$(cat "$SHARED/cli.pid")
	if [ "$(id -u)" = 0 ]; then # the harness and its workloads really are unprivileged
		nobody=$(id -u nobody)
		[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = "$nobody" ]
		[ "$(awk '/^Uid:/ { print $2 }' "/proc/$srv/status")" = "$nobody" ]
	fi
	alive "$srv" || { cat "$SHARED/out"; false; }
	alive "$cli" || { cat "$SHARED/out"; false; }
	[ "$(awk '/^PPid:/ { print $2 }' "/proc/$srv/status")" = "$pid" ] # children of the harness
	[ "$(awk '/^PPid:/ { print $2 }' "/proc/$cli/status")" = "$pid" ]

	kill -KILL "$pid"
	t0=$(now_ms)
	{ wait "$pid"; } 2>/dev/null || true # bash would say "Killed"
	while { alive "$srv" || alive "$cli"; } && [ $(($(now_ms) - t0)) -lt 1000 ]; do
		sleep 0.02
	done
	left=
	if alive "$srv"; then left="$left server $srv"; fi
	if alive "$cli"; then left="$left client $cli"; fi
	[ -z "$left" ] || { echo "still running 1 s after the SIGKILL:$left"; ps -o pid,ppid,stat,user,args -p "$srv,$cli"; false; }
}

# --- 2. derived columns ------------------------------------------------------------

# check_derived FILE: in the last row of FILE, every derived column equals its
# inputs to the 6 significant digits it is printed with, and is empty exactly
# when an input is (or a denominator is 0). Derived columns (README "CSV
# columns", harness/schema.c): SIDE_cycles_per_byte, SIDE_cpu_ns_per_byte,
# SIDE_KEY_per_kb, SIDE_KEY_per_msg, SIDE_tcp_bytes_per_seg, SIDE_tcp_segs_per_msg.
# Prints what it checked, and every mismatch.
check_derived() {
	awk -F, '
function is_empty(x) { return x == "" }
# got (a cell) equals want (a number) to %.6g: relative error at most 5e-6
function same(got, want,   d) { d = got - want; if (d < 0) d = -d
	return d <= 5e-6 * (want < 0 ? -want : want) + 1e-300 }
function expect(name, num, den, label,   got) {
	got = $c[name]; checked++
	if (is_empty(num) || is_empty(den) || den + 0 <= 0) {
		if (!is_empty(got)) { printf "%s = %s: expected empty (%s empty)\n", name, got, label; bad++ }
		return
	}
	if (is_empty(got)) { printf "%s is empty, %s = %s / %s\n", name, label, num, den; bad++; return }
	if (!same(got, num / den)) { printf "%s = %s, %s = %s / %s = %.10g\n", name, got, label, num, den, num / den; bad++; return }
	filled++
}
NR == 1 { for (i = 1; i <= NF; i++) { c[$i] = i; names[i] = $i }; n = NF; next }
{ row = $0 }
END {
	$0 = row
	if ($c["status"] != "ok") { print "status " $c["status"]; exit 1 }
	msgs = $c["msgs"]; bytes = $c["bytes"]
	if (!(msgs > 0 && bytes > 0)) { print "no msgs or bytes"; exit 1 }
	for (i = 1; i <= n; i++) {
		name = names[i]
		if (name ~ /^(srv|cli)_tcp_bytes_per_seg$/) { # bytes per data segment the side sent
			side = substr(name, 1, 3)
			expect(name, $c[side "_tcp_bytes_sent"], $c[side "_tcp_data_segs_out"],
			       "tcp_bytes_sent / tcp_data_segs_out")
		} else if (name ~ /^(srv|cli)_tcp_segs_per_msg$/) {
			segs = $c[substr(name, 1, 3) "_tcp_data_segs_out"]
			expect(name, segs + 0 > 0 ? segs : "", msgs, "tcp_data_segs_out / msgs")
		} else if (name ~ /_per_msg$/) {
			base = substr(name, 1, length(name) - 8)
			if (!(base in c)) { print name ": no column " base; bad++; continue }
			expect(name, $c[base], msgs, base " / msgs"); npm++
		} else if (name ~ /_per_kb$/) {
			base = substr(name, 1, length(name) - 7)
			if (!(base in c)) { print name ": no column " base; bad++; continue }
			expect(name, $c[base], bytes / 1024, base " / (bytes / 1024)")
		} else if (name ~ /^(srv|cli)_cycles_per_byte$/) {
			expect(name, $c[substr(name, 1, 3) "_cycles"], bytes, "cycles / bytes")
		} else if (name ~ /^(srv|cli)_cpu_ns_per_byte$/) {
			side = substr(name, 1, 3)
			if ((side "_task_clock") in c && $c[side "_task_clock"] != "")
				expect(name, $c[side "_task_clock"], bytes, "task_clock / bytes")
			else {
				u = $c[side "_utime_s"]; s = $c[side "_stime_s"]
				expect(name, is_empty(u) || is_empty(s) ? "" : (u + s) * 1e9, bytes,
				       "(utime + stime) x 1e9 / bytes")
				rusage++
			}
			if ($c[name] == "") { print name ": empty"; bad++ }
		}
	}
	printf "%d derived cells checked (%d per_msg), %d filled, %d from user + system time, %d wrong\n",
		checked, npm, filled, rusage, bad
	exit bad > 0 || npm < 2 || filled < 4
}' "$1"
}

@test "derived columns of a real row equal their inputs: per_msg, per_kb, per_byte, tcp; cpu_ns from task-clock" {
	run "$CS" run --impl one-copy --size 4K --warmup 0.2 --duration 0.5 \
		--events "$REPO/perfcfg/events/parte.events" --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	tc=$(col srv_task_clock "$T/runs.csv")
	run check_derived "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	if [ -n "$tc" ]; then
		[[ "$output" == *", 0 from user + system time,"* ]]
	else # task-clock not countable here (perf_event_paranoid, not root): the fallback
		[[ "$output" == *", 2 from user + system time,"* ]]
	fi
}

@test "derived columns without task_clock: *_cpu_ns_per_byte = (utime + stime) x 1e9 / bytes" {
	grep -v '^task_clock' "$REPO/perfcfg/events/parte.events" >"$T/no-task-clock.events"
	run "$CS" run --impl two-copy --size 16K --warmup 0.2 --duration 0.5 \
		--events "$T/no-task-clock.events" --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	run grep -c task_clock <(head -n 1 "$T/runs.csv" | tr , '\n')
	[ "$output" = 0 ] # no task_clock column
	run check_derived "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *", 2 from user + system time,"* ]]
}

# --- 3. failed rows --------------------------------------------------------------

# The columns before status (row.c's row_template sets most before a run):
# identity, then duration_s, warmup_s, offloads, where the threads ran, and
# status. Everything after status is measured.
IDENTITY="impl mode topology mtu layout busy_poll placement msg_size threads rep duration_s warmup_s offloads placed srv_cpus cli_cpus status"

# failed_row_empty FILE STATUS: the last row has that status, its identity
# filled (mtu and offloads may be empty: lo unreadable; placed, srv_cpus and
# cli_cpus are measured, so empty), and every column after status empty.
failed_row_empty() {
	awk -F, -v want="$2" -v ident="$IDENTITY" '
NR == 1 { for (i = 1; i <= NF; i++) { c[$i] = i; names[i] = $i }; n = NF; next }
{ row = $0 }
END {
	$0 = row
	k = split(ident, id, " ")
	for (j = 1; j <= k; j++) if (!(id[j] in c)) { print "no column " id[j]; exit 1 }
	if (c["status"] != k) { print "status is column " c["status"] ", expected " k; exit 1 }
	if ($c["status"] != want) { print "status " $c["status"] ", expected " want; exit 1 }
	for (j = 1; j <= k; j++)
		if (id[j] ~ /^(placed|srv_cpus|cli_cpus)$/) {
			if ($c[id[j]] != "") { print id[j] " = " $c[id[j]] " in a failed row"; bad++ }
		} else if (id[j] != "mtu" && id[j] != "offloads" && $c[id[j]] == "") { print id[j] " is empty"; bad++ }
	for (i = c["status"] + 1; i <= n; i++) {
		measured++
		if ($i != "") { printf "%s = %s in a failed row\n", names[i], $i; bad++ }
	}
	printf "%d measured columns, %d filled\n", measured, bad
	exit bad > 0 || measured < 30
}' "$1"
}

@test "failed:server_no_listen: a server that never says listening; every measured cell empty" {
	# alive but silent: the harness waits its 10 s for "listening HOST:PORT"
	wrapper srv "$BIN/copyscope-server" 'exec sleep 60'
	wrapper cli "$BIN/copyscope-client"
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" \
		run "$CS" run --impl one-copy --size 4K --warmup 0.1 --duration 0.3 \
		--events "$REPO/perfcfg/events/parte.events" --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 1 ]
	run failed_row_empty "$T/runs.csv" failed:server_no_listen
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -f "$T/cli.pid" ] # no client without a port
	dead "$(cat "$T/srv.pid")"
}

@test "failed:server_ctl: a server that closed its control socket; every measured cell empty" {
	# the real server, without --ctl-fd and with fd 3 closed: begin finds no one
	wrapper srv "$BIN/copyscope-server" \
		'for a in "$@"; do shift; if [ -n "$skip" ]; then skip=; continue; fi
		 case $a in --ctl-fd) skip=1 ;; *) set -- "$@" "$a" ;; esac; done
		 exec 3>&-'
	wrapper cli "$BIN/copyscope-client"
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" \
		run "$CS" run --impl one-copy --size 4K --warmup 0.2 --duration 0.5 \
		--events "$REPO/perfcfg/events/parte.events" --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"control socket"* ]]
	run failed_row_empty "$T/runs.csv" failed:server_ctl
	echo "$output"
	[ "$status" -eq 0 ]
	dead "$(cat "$T/srv.pid")"
	dead "$(cat "$T/cli.pid")"
}

@test "a server that fails after the measured window: failed:server_exit_1, every measured cell empty" {
	# The window opens and closes, the counters are read and the client prints
	# its numbers; only then does the server, told to stop, exit 1.
	cat >"$T/srv" <<SH
#!/bin/sh
if [ "\$1" = --list-impls ]; then exec "$BIN/copyscope-server" --list-impls; fi
echo \$\$ > "$T/srv.pid"
"$BIN/copyscope-server" "\$@" &
child=\$!
echo \$child > "$T/srv-child.pid"
trap 'kill -TERM \$child; wait \$child; exit 1' TERM
wait \$child
exit 1
SH
	chmod +x "$T/srv"
	wrapper cli "$BIN/copyscope-client"
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" \
		run "$CS" run --impl one-copy --size 4K --warmup 0.2 --duration 0.5 \
		--events "$REPO/perfcfg/events/parte.events" --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 1 ]
	run failed_row_empty "$T/runs.csv" failed:server_exit_1
	echo "$output"
	[ "$status" -eq 0 ]
	dead "$(cat "$T/srv.pid")"
	dead "$(cat "$T/srv-child.pid")"
}

# --- 4. resume in shuffled order -------------------------------------------------

# a small shuffled sweep: 2 strategies x 2 sizes x 2 reps = 8 runs, plus extra lines
shuffled_sweep() {
	local name=$1
	shift
	mkdir -p "$T/sweeps" "$T/events"
	cp "$REPO/perfcfg/events/software.events" "$T/events/"
	{
		echo "impls = two-copy one-copy"
		echo "sizes = 1K 4K"
		echo "threads = 1"
		echo "duration = 0.2"
		echo "warmup = 0.05"
		echo "reps = 2"
		echo "events = software"
		echo "order = shuffled"
		printf '%s\n' "$@"
	} >"$T/sweeps/$name.ini"
	echo "$T/sweeps/$name.ini"
}

# The run names of a dry run's plan, in order.
plan_order() {
	"$CS" sweep "$@" --dry-run | awk '/^ +[0-9]+  [^ ]+$/ { print $2 }'
}

# The run names of runs.csv's rows, in order (loopback, scattered, busy-poll off).
row_order() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ printf "%s_%s_%sB_%st_r%s\n", $c["impl"], $c["mode"], $c["msg_size"], $c["threads"], $c["rep"] }' "$1"
}

# interrupt_after N DIR COMMAND...: starts the sweep, sends SIGINT once runs.csv
# has N rows, expects exit 130; prints how many rows it kept.
interrupt_after() {
	local n=$1 dir=$2 pid rc=0
	shift 2
	"$@" --quiet >"$T/sweep.log" 2>&1 3>&- &
	pid=$!
	for _ in $(seq 600); do
		[ -f "$dir/runs.csv" ] && [ "$(rows "$dir/runs.csv")" -ge "$n" ] && break
		sleep 0.05
	done
	kill -INT "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ] || { echo "exit $rc, expected 130" >&2; cat "$T/sweep.log" >&2; return 1; }
	rows "$dir/runs.csv"
}

# resumed_ok DIR KEPT FULL_ORDER_FILE: the first KEPT rows of before.csv are the
# first lines of runs.csv byte for byte; 8 rows, no duplicates, every point x rep;
# the rows in the plan's order.
resumed_ok() {
	local dir=$1 kept=$2 order=$3
	head -n $((kept + 1)) "$dir/runs.csv" | cmp - "$T/before.csv" ||
		{ echo "rows written before the interrupt changed"; diff <(head -n $((kept + 1)) "$dir/runs.csv") "$T/before.csv"; return 1; }
	[ "$(rows "$dir/runs.csv")" -eq 8 ] || { echo "$(rows "$dir/runs.csv") rows, expected 8"; return 1; }
	[ -z "$(sed 1d "$dir/runs.csv" | sort | uniq -d)" ] || { echo "duplicate lines"; return 1; }
	[ -z "$(row_order "$dir/runs.csv" | sort | uniq -d)" ] || { echo "a run twice"; return 1; }
	want=$(for impl in two-copy one-copy; do for size in 1024 4096; do for rep in 1 2; do
		echo "${impl}_stream_${size}B_1t_r$rep"; done; done; done | sort)
	[ "$(row_order "$dir/runs.csv" | sort)" = "$want" ] || { echo "the grid is not complete"; return 1; }
	diff <(row_order "$dir/runs.csv") "$order" || { echo "rows not in the seed's order"; return 1; }
	awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$dir/runs.csv"
}

@test "resume of a shuffled sweep with a seed: earlier rows byte-identical at the top, grid complete in the seed's order" {
	sweep=$(shuffled_sweep seeded "seed = 7")
	dir="$T/out"
	plan_order "$sweep" --out "$T/never" >"$T/order"
	[ "$(wc -l <"$T/order")" -eq 8 ]
	# shuffled indeed: not the grid's order
	[ "$(cat "$T/order")" != "$(for impl in two-copy one-copy; do for size in 1024 4096; do for rep in 1 2; do
		echo "${impl}_stream_${size}B_1t_r$rep"; done; done; done)" ]
	kept=$(interrupt_after 3 "$dir" "$CS" sweep "$sweep" --out "$dir")
	echo "kept $kept rows"
	[ "$kept" -ge 3 ]
	[ "$kept" -lt 8 ]
	cp "$dir/runs.csv" "$T/before.csv"
	run "$CS" sweep --resume "$dir" --quiet
	echo "$output"
	[ "$status" -eq 0 ]
	resumed_ok "$dir" "$kept" "$T/order"
	[ "$(rows "$dir/summary.csv")" -eq 4 ]
}

@test "resume of a shuffled sweep without a seed key: env.txt's seed gives the rest of the order" {
	sweep=$(shuffled_sweep unseeded)
	dir="$T/out"
	kept=$(interrupt_after 2 "$dir" "$CS" sweep "$sweep" --out "$dir")
	echo "kept $kept rows"
	[ "$kept" -ge 2 ]
	[ "$kept" -lt 8 ]
	cp "$dir/runs.csv" "$T/before.csv"
	seed=$(sed -n 's/^seed=//p' "$dir/env.txt")
	[ -n "$seed" ]
	# the whole plan of the seed the sweep drew, through a sweep file that names it
	mkdir -p "$T/with-seed/sweeps" "$T/with-seed/events"
	cp "$T/events/software.events" "$T/with-seed/events/"
	{ cat "$sweep"; echo "seed = $seed"; } >"$T/with-seed/sweeps/unseeded.ini"
	plan_order "$T/with-seed/sweeps/unseeded.ini" --out "$T/never" >"$T/order"
	diff <(row_order "$T/before.csv") <(head -n "$kept" "$T/order")
	run "$CS" sweep --resume "$dir" --quiet
	echo "$output"
	[ "$status" -eq 0 ]
	resumed_ok "$dir" "$kept" "$T/order"
}
