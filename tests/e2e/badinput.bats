#!/usr/bin/env bats
# Bad input to every command: one line on stderr naming the input and what
# was expected, exit status 2, and nothing written or overwritten: an
# existing --out file, results folder or report.md is byte-identical after.
# (run.bats, sweep.bats and workloads.bats pin the common cases of each
# command; these are the edges: values that parse halfway, sizes at the
# bounds, files that are not what they claim, and what is left on disk.)

REPO="$BATS_TEST_DIRNAME/../.."

setup() {
	BIN=${COPYSCOPE_BIN:-bin}
	CS="$BIN/copyscope"
	T="$BATS_TEST_TMPDIR"
	mkdir -p "$T/sweeps" "$T/events"
	cp "$REPO/perfcfg/events/software.events" "$T/events/"
	# a results folder with a report, from the fixtures: what must survive
	cp -r "$REPO/tests/fixtures/nopmu" "$T/res"
	echo "# an earlier report" >"$T/res/report.md"
	snapshot "$T/res" >"$T/res.before"
}

# snapshot DIR: every file's checksum, to compare a folder before and after.
snapshot() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# refused WANT CMD...: exit 2, exactly one line, which contains WANT.
refused() {
	local want=$1
	shift
	run "$@"
	echo "$* -> $status: $output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"$want"* ]]
}

sweep_file() { # sweep_file NAME LINE...: a sweep file of these lines
	printf '%s\n' "${@:2}" >"$T/sweeps/$1.ini"
	echo "$T/sweeps/$1.ini"
}

# A CPU below CPU_SETSIZE (1024) that this process may not run on (nothing if none).
unavailable_cpu() {
	awk -F'\t' '/^Cpus_allowed_list:/ { n = split($2, r, ",")
			for (i = 1; i <= n; i++) { k = split(r[i], b, "-"); for (c = b[1]; c <= b[k]; c++) ok[c] = 1 } }
		END { for (c = 1023; c >= 0; c--) if (!(c in ok)) { print c; exit } }' /proc/self/status
}

@test "run: values that parse halfway or sit past a bound are refused, --out untouched" {
	printf 'keep me: not a CSV of ours\n' >"$T/out.csv"
	cp "$T/out.csv" "$T/out.before"
	for args in "--size 4|--size 4: expected a size in bytes, 8" \
		"--size 1e3|--size 1e3: expected" \
		"--size -8|--size -8: expected" \
		"--size 18446744073709551616|--size 18446744073709551616: expected" \
		"--size 64M1|--size 64M1: expected" \
		"--threads 0x10|--threads 0x10: expected" \
		"--threads 4294967297|--threads 4294967297: expected" \
		"--duration nan|--duration nan: expected" \
		"--duration inf|--duration inf: expected" \
		"--warmup nan|--warmup nan: expected" \
		"--server-cpus 0-99999|--server-cpus 0-99999: expected a CPU list" \
		"--client-cpus 3-1|--client-cpus 3-1: expected a CPU list" \
		"--client-cpus 0,,1|--client-cpus 0,,1: expected a CPU list" \
		"--duration 0.0001|--duration 0.0001: expected seconds, at least 0.001" \
		"--duration 0.000999|--duration 0.000999: expected seconds, at least 0.001" \
		"--warmup -0|--warmup -0: expected seconds"; do
		refused "${args#*|}" "$CS" run --impl one-copy --size 64 --duration 0.3 ${args%|*} --out "$T/out.csv"
		cmp "$T/out.csv" "$T/out.before"
	done
}

@test "run: CPUs this machine does not offer are refused before anything runs, --out untouched" {
	cpu=$(unavailable_cpu)
	[ -n "$cpu" ] || skip "every CPU below 1024 is available here"
	first=$(awk -F'\t' '/^Cpus_allowed_list:/ { split($2, r, "[,-]"); print r[1] }' /proc/self/status)
	printf 'keep me: not a CSV of ours\n' >"$T/out.csv"
	cp "$T/out.csv" "$T/out.before"
	refused "copyscope run: --server-cpus $cpu: CPU $cpu is not available here (expected CPUs from " \
		"$CS" run --impl one-copy --size 64 --duration 0.3 --server-cpus "$cpu" --out "$T/out.csv"
	# one CPU of the list is enough: sched_setaffinity would quietly drop it
	refused "copyscope run: --client-cpus $first,$cpu: CPU $cpu is not available here" \
		"$CS" run --impl one-copy --size 64 --duration 0.3 --client-cpus "$first,$cpu" --out "$T/out.csv"
	cmp "$T/out.csv" "$T/out.before"
	# and a CPU that is there is taken
	run "$CS" run --impl one-copy --size 64 --warmup 0 --duration 0.2 --server-cpus "$first" \
		--client-cpus "$first" --events "$T/events/software.events" --out "$T/ok.csv"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "sweep: server_cpus or client_cpus this machine does not offer is refused naming FILE:LINE, --dry-run too" {
	cpu=$(unavailable_cpu)
	[ -n "$cpu" ] || skip "every CPU below 1024 is available here"
	f=$(sweep_file cpus "impls = a1" "sizes = 1K" "threads = 1" "duration = 1" "events = software" "server_cpus = $cpu")
	refused "copyscope: $f:6: server_cpus: $cpu: CPU $cpu is not available here (expected CPUs from " \
		"$CS" sweep "$f" --out "$T/never"
	refused "$f:6: server_cpus: $cpu: CPU $cpu is not available here" "$CS" sweep "$f" --out "$T/never" --dry-run
	f=$(sweep_file cpus "impls = a1" "sizes = 1K" "threads = 1" "duration = 1" "events = software" "client_cpus = 0-$cpu")
	refused "$f:6: client_cpus: 0-$cpu: CPU " "$CS" sweep "$f" --out "$T/never" --dry-run
	[ ! -e "$T/never" ]
}

@test "run: an event file with a bad line is refused naming FILE:LINE, --out untouched" {
	"$CS" run --impl a1 --size 64 --warmup 0 --duration 0.2 --events "$T/events/software.events" --out "$T/out.csv"
	cp "$T/out.csv" "$T/out.before"
	printf 'ctx_switches - context-switches\nCycles - cycles\n' >"$T/upper.events"
	refused "$T/upper.events:2: key 'Cycles': expected [a-z0-9_]" \
		"$CS" run --impl a1 --size 64 --duration 0.2 --events "$T/upper.events" --out "$T/out.csv"
	printf 'a - context-switches\na - cycles\n' >"$T/dup.events"
	refused "$T/dup.events:2: key 'a' given twice" \
		"$CS" run --impl a1 --size 64 --duration 0.2 --events "$T/dup.events" --out "$T/out.csv"
	cmp "$T/out.csv" "$T/out.before"
}

@test "sweep: a binary, oversized or NaN sweep file is refused, nothing written" {
	printf 'impls = a1\nsizes = 1K\x00\nthreads = 1\nduration = 1\n' >"$T/sweeps/nul.ini"
	refused "nul.ini: binary data" "$CS" sweep "$T/sweeps/nul.ini" --out "$T/never"
	{ echo "impls = a1"; head -c 1100000 /dev/zero | tr '\0' '#'; } >"$T/sweeps/big.ini"
	refused "big.ini: larger than 1 MiB" "$CS" sweep "$T/sweeps/big.ini" --out "$T/never"
	f=$(sweep_file nan "impls = a1" "sizes = 1K" "threads = 1" "duration = nan" "events = software")
	refused "nan.ini:4: duration: nan: expected" "$CS" sweep "$f" --out "$T/never"
	f=$(sweep_file big "impls = a1" "sizes = 64M 65M" "threads = 1" "duration = 1" "events = software")
	refused "big.ini:2: sizes: 65M: expected" "$CS" sweep "$f" --out "$T/never"
	f=$(sweep_file cpus "impls = a1" "sizes = 1K" "threads = 1" "duration = 1" "server_cpus = 0-99999" "events = software")
	refused "cpus.ini:5: server_cpus: 0-99999: expected a CPU list" "$CS" sweep "$f" --out "$T/never"
	[ ! -e "$T/never" ]
}

@test "sweep: bad options and resuming what is not a results folder leave the folder as it was" {
	refused "--bogus" "$CS" sweep "$REPO/perfcfg/sweeps/quick.ini" --out "$T/res" --bogus
	refused "$T/res" "$CS" sweep --resume "$T/res" # the fixture has no sweep.ini
	refused "$T/res: exists and is not empty" "$CS" sweep "$REPO/perfcfg/sweeps/quick.ini" --out "$T/res"
	snapshot "$T/res" | diff - "$T/res.before"
}

@test "events: a duplicate key, too many events or a 300-character name is refused naming FILE:LINE" {
	printf 'a - context-switches\nb - cycles\na - cycles\n' >"$T/dup.events"
	refused "$T/dup.events:3: key 'a' given twice" "$CS" events "$T/dup.events"
	for i in $(seq 65); do echo "e$i - context-switches"; done >"$T/many.events"
	refused "$T/many.events:65: more than 64 events" "$CS" events "$T/many.events"
	printf 'long - %s\n' "$(head -c 300 /dev/zero | tr '\0' x)" >"$T/long.events"
	refused "$T/long.events:1: event name: expected at most 256" "$CS" events "$T/long.events"
	refused "NO_SUCH_EVENT_QQ: unknown event" "$CS" events NO_SUCH_EVENT_QQ
}

@test "table: bad options and a malformed summary.csv are refused, the folder untouched" {
	refused "--threads abc: expected a thread count" "$CS" table "$T/res" --threads abc
	refused "--level L7: expected" "$CS" table "$T/res" --level L7
	refused "--format xml: expected" "$CS" table "$T/res" --format xml
	cp -r "$T/res" "$T/bad"
	printf 'impl,mode\none-copy,"stream\n' >"$T/bad/summary.csv"
	refused "$T/bad/summary.csv" "$CS" table "$T/bad"
	snapshot "$T/res" | diff - "$T/res.before"
}

@test "report: bad arguments and a malformed summary.csv leave report.md as it was" {
	refused "--bogus: expected one results folder" "$CS" report "$T/res" --bogus
	refused "$T/other: expected one results folder" "$CS" report "$T/res" "$T/other"
	refused "expected one results folder" "$CS" report
	snapshot "$T/res" | diff - "$T/res.before"
	cp -r "$T/res" "$T/bad"
	printf 'impl,mode\none-copy\n' >"$T/bad/summary.csv"
	cp "$T/bad/report.md" "$T/report.before"
	refused "$T/bad/summary.csv" "$CS" report "$T/bad"
	cmp "$T/bad/report.md" "$T/report.before"
	[ ! -e "$T/bad/report.md.tmp" ]
}

@test "report: a results folder it cannot write into is refused with exit 2, the old report kept" {
	[ "$(id -u)" = 0 ] || skip "a read-only mount needs root"
	mkdir "$T/ro"
	mount -t tmpfs -o size=1m tmpfs "$T/ro" || skip "cannot mount a tmpfs here"
	cp -r "$T/res/." "$T/ro/"
	mount -o remount,ro "$T/ro"
	refused "cannot write" "$CS" report "$T/ro"
	snapshot "$T/ro" | diff - "$T/res.before"
	umount "$T/ro"
}

@test "workloads: edge values are refused with one line naming the option, exit 2" {
	refused "--duration nan" "$BIN/copyscope-client" --port 1 --duration nan
	refused "--warmup -1" "$BIN/copyscope-client" --port 1 --warmup -1
	refused "--size 7" "$BIN/copyscope-client" --port 1 --size 7
	refused "--threads 99999999999999999999" "$BIN/copyscope-client" --port 1 --threads 99999999999999999999
	refused "--cpus 0-99999" "$BIN/copyscope-server" --impl a1 --cpus 0-99999
	refused "--max-mem abc" "$BIN/copyscope-server" --impl a1 --max-mem abc
	refused "--port -1" "$BIN/copyscope-server" --impl a1 --port -1
	refused "extra" "$BIN/copyscope-server" --impl a1 extra
}

@test "copyscope: an unknown command or none is refused with exit 2" {
	refused "frobnicate: unknown command" "$CS" frobnicate
	run "$CS"
	[ "$status" -eq 2 ]
}

@test "sweep: an --out it cannot create names the folder it could not make and what it expected" {
	run "$CS" sweep "$REPO/perfcfg/sweeps/quick.ini" --out /proc/copyscope-nowhere/res
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${lines[-1]}" = "copyscope: /proc/copyscope-nowhere/res: cannot create /proc/copyscope-nowhere: No such file or directory (expected a folder copyscope may create, e.g. results/mine)" ]
}

@test "figdata: an OUT it cannot fill is refused before anything in it is touched" {
	mkdir -p "$T/out/fig5.dat"
	echo ORIGINAL >"$T/out/fig1.dat"
	refused "$T/out/fig5.dat: exists and is not a regular file" "$CS" figdata "$REPO/tests/fixtures/nopmu" "$T/out"
	[ "$(cat "$T/out/fig1.dat")" = ORIGINAL ]
	[ "$(ls "$T/out" | tr '\n' ' ')" = "fig1.dat fig5.dat " ]
	refused "$T/nowhere: No such file or directory (expected a folder" "$CS" figdata "$REPO/tests/fixtures/nopmu" "$T/nowhere"
}
