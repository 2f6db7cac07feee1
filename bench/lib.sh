# shellcheck shell=bash disable=SC2034
# bench/lib.sh — helpers shared by the bench/ scripts; sourced, never run.
#
# What it gives a script:
#   bench_parse_args "$@"     the common options (--pairs, --duration, --warmup,
#                             --record, --help); sets PAIRS DURATION WARMUP RECORD
#                             and leaves the script's own options in BENCH_REST
#   bench_need_tool CMD PKG   installs PKG with apt-get when root, else prints the
#                             exact apt-get line and exits 2
#   bench_need_workloads      finds (or builds with `make all`) the workloads
#   bench_start_server OUT ARGS…   starts copyscope-server on 127.0.0.1 port 0,
#                             sets SERVER_PID and SERVER_PORT
#   bench_spawn OUT CMD…      starts CMD in the background, sets SPAWNED_PID
#   bench_stop PID            SIGTERM, then waits for it; only our own pids
#   bench_kv KEY FILE         the value of a key=value line
#   bench_median V…           median of numbers (mean of the middle two if even)
#   bench_ratio A B           A/B with 3 decimals, or "-" when B is 0/empty
#   bench_order PAIR SIDE…    the sides in the order pair number PAIR runs them
#   bench_record NAME FILE    replaces (or appends) section "## NAME" of
#                             bench/RESULTS.md with FILE, keeping every other
#                             section as it is
#   bench_machine             one line: CPU model, cores, kernel
#
# Errors: bad options print `bench/<script>: <option>: <what was expected>`
# and exit 2; a workload that fails to start or dies makes the script exit 1.
# Every process started here is recorded in BENCH_PIDS and ended on exit,
# SIGINT and SIGTERM, by pid (never by name).

set -u

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_NAME=bench/$(basename "$0")
BENCH_PIDS=()
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/copyscope-bench.XXXXXX")
BENCH_CMDLINE="$BENCH_NAME $*"

bench_cleanup() {
	local pid
	for pid in "${BENCH_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${BENCH_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	BENCH_PIDS=()
	rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
trap 'echo "$BENCH_NAME: interrupted" >&2; exit 130' INT TERM

bench_die() { # STATUS MESSAGE
	echo "$BENCH_NAME: $2" >&2
	exit "$1"
}

bench_usage_common() {
	cat <<EOF
common options:
  --pairs N       alternating rounds, each side once per round (default 5, at least 1)
  --duration S    measured whole seconds per run (default 3; iperf3 and
                  sockperf take whole seconds)
  --warmup S      unmeasured whole seconds before the window (default 1)
  --record        replace this script's section of bench/RESULTS.md
  --help          this text
environment: COPYSCOPE_BIN (default bin) names the folder of the workloads.
EOF
}

bench_is_posint() { [[ $1 =~ ^[1-9][0-9]{0,3}$ ]]; }

# Parses the common options. A script's own options (those it lists in
# BENCH_OWN_OPTS as "--name" for flags and "--name=" for options with a value)
# go to BENCH_REST in order; anything else is bad input.
bench_parse_args() {
	PAIRS=5 DURATION=3 WARMUP=1 RECORD=0
	BENCH_REST=()
	while [ $# -gt 0 ]; do
		case $1 in
		--pairs)
			[ $# -ge 2 ] && bench_is_posint "$2" || bench_die 2 "--pairs: expected a whole number from 1 to 9999"
			PAIRS=$2 && shift 2 ;;
		--duration)
			[ $# -ge 2 ] && bench_is_posint "$2" && [ "$2" -le 600 ] || bench_die 2 "--duration: expected whole seconds from 1 to 600"
			DURATION=$2 && shift 2 ;;
		--warmup)
			[ $# -ge 2 ] && [[ $2 =~ ^[0-9]{1,2}$ ]] || bench_die 2 "--warmup: expected whole seconds from 0 to 99"
			WARMUP=$2 && shift 2 ;;
		--record) RECORD=1 && shift ;;
		--help | -h) bench_usage; exit 0 ;;
		*)
			if [[ " ${BENCH_OWN_OPTS:-} " == *" $1= "* ]]; then
				[ $# -ge 2 ] || bench_die 2 "$1: expected a value"
				BENCH_REST+=("$1" "$2") && shift 2
			elif [[ " ${BENCH_OWN_OPTS:-} " == *" $1 "* ]]; then
				BENCH_REST+=("$1") && shift
			else
				bench_die 2 "$1: unknown option (see --help)"
			fi ;;
		esac
	done
}

bench_need_tool() { # COMMAND DEBIAN-PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "$BENCH_NAME: $1 is missing; installing $2" >&2
		# A fresh machine may have no package lists yet: update once, then retry.
		DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >&2 ||
			{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >&2; } ||
			bench_die 2 "$1: apt-get install -y $2 failed"
		command -v "$1" >/dev/null 2>&1 || bench_die 2 "$1: still missing after installing $2"
		return 0
	fi
	echo "$BENCH_NAME: $1 is missing; install it with: sudo apt-get install -y $2" >&2
	exit 2
}

bench_need_workloads() {
	BIN=${COPYSCOPE_BIN:-bin}
	case $BIN in /*) ;; *) BIN=$BENCH_ROOT/$BIN ;; esac
	if [ ! -x "$BIN/copyscope-server" ] || [ ! -x "$BIN/copyscope-client" ]; then
		[ -z "${COPYSCOPE_BIN:-}" ] || bench_die 2 "COPYSCOPE_BIN=$COPYSCOPE_BIN: expected a folder holding copyscope-server and copyscope-client"
		echo "$BENCH_NAME: building the workloads (make all)" >&2
		make -C "$BENCH_ROOT" all >&2 || bench_die 1 "make all failed"
	fi
	SERVER=$BIN/copyscope-server
	CLIENT=$BIN/copyscope-client
}

# COPYSCOPE: the harness beside the workloads (after bench_need_workloads).
bench_need_copyscope() {
	COPYSCOPE=$BIN/copyscope
	[ -x "$COPYSCOPE" ] || bench_die 2 "$COPYSCOPE: expected the copyscope program (make all)"
}

# The cell of COLUMN in the last row of a CSV `copyscope run --out` wrote.
bench_csv_cell() { # FILE COLUMN
	awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { v = $c } END { print v }' "$1"
}

bench_spawn() { # OUTFILE COMMAND…
	local out=$1
	shift
	"$@" </dev/null >"$out" 2>&1 &
	SPAWNED_PID=$!
	BENCH_PIDS+=("$SPAWNED_PID")
}

bench_forget() { # PID
	local kept=() p
	for p in "${BENCH_PIDS[@]}"; do
		[ "$p" = "$1" ] || kept+=("$p")
	done
	BENCH_PIDS=("${kept[@]}")
}

bench_stop() { # PID: SIGTERM, then reap; returns its exit status
	local status=0
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null || status=$?
	bench_forget "$1"
	return "$status"
}

bench_wait() { # PID: reap a process that ends by itself
	local status=0
	wait "$1" 2>/dev/null || status=$?
	bench_forget "$1"
	return "$status"
}

# Waits up to 5 s for a line matching REGEX in FILE while PID lives.
bench_wait_line() { # PID FILE REGEX
	local i
	for i in $(seq 1 100); do
		grep -qE "$3" "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

bench_start_server() { # OUTFILE SERVER-ARGS…
	local out=$1
	shift
	bench_spawn "$out" "$SERVER" --host 127.0.0.1 --port 0 "$@"
	SERVER_PID=$SPAWNED_PID
	if ! bench_wait_line "$SERVER_PID" "$out" '^listening '; then
		bench_stop "$SERVER_PID"
		bench_die 1 "copyscope-server $* did not print 'listening HOST:PORT': $(head -c 300 "$out")"
	fi
	SERVER_PORT=$(sed -n 's/^listening .*:\([0-9][0-9]*\)$/\1/p' "$out" | head -n1)
	[ -n "$SERVER_PORT" ] || bench_die 1 "copyscope-server: cannot read the port from: $(head -n1 "$out")"
}

# A free loopback port for tools that cannot take port 0 (iperf3, sockperf):
# bind port 0, read it back, release it. A small race, reported if lost.
bench_free_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	bench_die 1 "no free loopback port found"
}

bench_kv() { # KEY FILE
	sed -n "s/^$1=//p" "$2" | head -n1
}

bench_median() {
	printf '%s\n' "$@" | grep -E '^[0-9.eE+-]+$' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_ratio() { # A B
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.3f\n", a / b }'
}

# Is RATIO OP TARGET? (OP is ge or le.) Prints "met" or "missed".
bench_verdict() { # RATIO OP TARGET
	awk -v r="$1" -v op="$2" -v t="$3" 'BEGIN {
		if (r == "-") { print "not measured"; exit }
		ok = (op == "ge") ? (r + 0 >= t + 0) : (r + 0 <= t + 0)
		print ok ? "met" : "missed" }'
}

# The order of the sides in round PAIR: rotated by one each round, so that no
# side always runs first (right after a quiet spell) or last.
bench_order() { # PAIR SIDE…
	local pair=$1
	shift
	local n=$# i
	local sides=("$@")
	for ((i = 0; i < n; i++)); do
		printf '%s\n' "${sides[$(((i + pair - 1) % n))]}"
	done
}

bench_machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)
	printf '%s, %s cores, Linux %s' "${cpu:-unknown CPU}" "$(nproc)" "$(uname -r)"
}

bench_loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Replaces section "## NAME" (up to the next "## " heading) of
# bench/RESULTS.md with FILE, or appends it; other sections stay byte for
# byte. A "### Notes" part at the end of the old section (the written
# explanation of a missed target) is kept under the new figures. The file is
# read right before it is rewritten and replaced by rename, so a concurrent
# writer of another section loses nothing unless both write in the same
# instant; writers that take the same flock are fully serialised.
bench_record() { # NAME FILE
	local results=$BENCH_ROOT/bench/RESULTS.md tmp
	tmp=$(mktemp "$BENCH_ROOT/bench/.RESULTS.md.XXXXXX")
	(
		command -v flock >/dev/null 2>&1 && flock -w 30 9
		if [ ! -s "$results" ]; then
			printf '# copyscope benchmarks\n\nWritten by the bench/ scripts with `--record` (and by the harness for "overhead"); each section is replaced by the run that wrote it. See bench/README.md for what each compares.\n' >"$results"
		fi
		awk -v name="$1" -v body="$2" '
			function emit(   line) {
				while ((getline line < body) > 0) print line
				close(body)
				while (nnote && note[nnote] == "") nnote--
				if (nnote) { print ""; for (i = 1; i <= nnote; i++) print note[i] }
				done = 1
			}
			FNR == NR {   # first pass: keep the old section notes
				if (/^## /) { insec = ($0 == "## " name); innote = 0 }
				else if (insec && /^### Notes/) innote = 1
				if (insec && innote) note[++nnote] = $0
				next
			}
			/^## / { skip = 0
			         if ($0 == "## " name) { if (!done) { emit(); print "" } skip = 1; next } }
			!skip { print }
			END { if (!done) { print ""; emit() } }' "$results" "$results" >"$tmp" &&
			# trailing blank lines of a kept note would pile up: drop them
			awk '{ l[NR] = $0 } END { n = NR; while (n > 0 && l[n] == "") n--; for (i = 1; i <= n; i++) print l[i] }' "$tmp" >"$tmp.2" &&
			mv "$tmp.2" "$results"
	) 9>>"${TMPDIR:-/tmp}/copyscope-bench-RESULTS.lock"
	rm -f "$tmp" "$tmp.2"
	echo "$BENCH_NAME: recorded section \"$1\" in bench/RESULTS.md" >&2
}
