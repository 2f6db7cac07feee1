#!/usr/bin/env bats
# copyscope run: one point, counted over the measured window only, one CSV
# row; failures recorded and cleaned up; bad input refused before anything runs.

load harness_helpers

setup() {
	harness_setup
}

hw_pmu() {
	"$CS" events cycles | grep -q '^cycles .* yes$'
}

@test "run with parte.events: status ok, software counters and tracepoint counted" {
	[ -d /sys/kernel/tracing/events ] || skip "tracefs not mounted (mount -t tracefs nodev /sys/kernel/tracing)"
	run "$CS" run --impl one-copy --size 16384 --threads 1 --warmup 0.5 --duration 1 \
		--events perfcfg/events/parte.events --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(col status "$T/runs.csv")" = ok ]
	[ "$(col impl "$T/runs.csv")" = one-copy ]
	[ "$(col bytes "$T/runs.csv")" -gt 0 ]
	[ "$(col srv_ctx_switches "$T/runs.csv")" -gt 0 ]
	[ "$(col cli_task_clock "$T/runs.csv")" -gt 0 ]
	[ "$(col cli_rx_copies "$T/runs.csv")" -gt 0 ]
	[ -n "$(col srv_task_clock_running "$T/runs.csv")" ]
	[ -n "$(col srv_cpu_ns_per_byte "$T/runs.csv")" ]
}

@test "without a hardware PMU, cycles and cache misses are empty cells that events explains" {
	hw_pmu && skip "this machine has a hardware PMU"
	run "$CS" run --impl a2 --size 4096 --threads 1 --warmup 0.2 --duration 0.5 --out "$T/runs.csv"
	[ "$status" -eq 0 ]
	[ "$(col status "$T/runs.csv")" = ok ]
	empty_col srv_cycles "$T/runs.csv"
	empty_col srv_cycles_running "$T/runs.csv"
	empty_col srv_l1d_misses "$T/runs.csv"
	empty_col cli_llc_misses "$T/runs.csv"
	empty_col srv_cycles_per_byte "$T/runs.csv"
	empty_col srv_l1d_misses_per_kb "$T/runs.csv"
	run "$CS" events perfcfg/events/parte.events
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^cycles .* no: no hardware PMU exposed \(ENOENT\)$'
	echo "$output" | grep -E '^l1d_misses .* no: no hardware PMU exposed \(ENOENT\)$'
}

@test "counters and CPU times cover the window only: warm-up 2 s, window 0.5 s" {
	run "$CS" run --impl one-copy --size 16384 --threads 1 --warmup 2 --duration 0.5 --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(col status "$T/runs.csv")" = ok ]
	# the perf counter and the server's own rusage measure the same window, whatever the load
	task_clock_matches_cpu srv "$T/runs.csv"
	# one busy thread each: at most 0.5 s of CPU in the window (+ the moments its begin and
	# end take), however busy the machine; had the 2 s warm-up been counted, it would add all
	# the CPU the workload got in it
	cpu_below srv "$T/runs.csv" 0.75
	cpu_below cli "$T/runs.csv" 0.75
}

@test "rr mode fills latency percentiles" {
	run "$CS" run --impl two-copy --size 256 --threads 1 --warmup 0.2 --duration 0.5 --mode rr --out "$T/runs.csv"
	[ "$status" -eq 0 ]
	[ "$(col mode "$T/runs.csv")" = rr ]
	[ -n "$(col lat_p99_us "$T/runs.csv")" ]
	empty_col zc_completions "$T/runs.csv"
}

@test "a server killed mid-run: status failed, exit 1, no process left" {
	wrapper srv "$BIN/copyscope-server" '( sleep 1; kill -KILL $$ ) </dev/null >/dev/null 2>&1 &'
	wrapper cli "$BIN/copyscope-client"
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" \
		run "$CS" run --impl one-copy --size 16384 --warmup 0.2 --duration 3 --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(col status "$T/runs.csv")" = failed:server_signal_SIGKILL ]
	empty_col bytes "$T/runs.csv"
	gone "$T/srv.pid" "$T/cli.pid" # both started, both ended
}

@test "a client that exits 1: status failed with its exit, server ended" {
	wrapper srv "$BIN/copyscope-server"
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT=/bin/false \
		run "$CS" run --impl one-copy --size 64 --duration 1 --out "$T/runs.csv"
	[ "$status" -eq 1 ]
	[ "$(col status "$T/runs.csv")" = failed:client_exit_1 ]
	gone "$T/srv.pid"
}

@test "a client that hangs: status failed:timeout, both killed" {
	printf '#!/bin/sh\necho $$ > "%s/cli.pid"\nexec sleep 600\n' "$T" >"$T/cli"
	chmod +x "$T/cli"
	wrapper srv "$BIN/copyscope-server"
	COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" \
		run "$CS" run --impl one-copy --size 64 --warmup 0 --duration 0.1 --out "$T/runs.csv"
	[ "$status" -eq 1 ]
	[ "$(col status "$T/runs.csv")" = failed:timeout ]
	gone "$T/srv.pid" "$T/cli.pid"
}

@test "a server that cannot start: status failed, exit 1" {
	printf '#!/bin/sh\n[ "$1" = --list-impls ] && exec "%s" --list-impls\necho "bind: Address in use" >&2\nexit 1\n' \
		"$BIN/copyscope-server" >"$T/srv"
	chmod +x "$T/srv"
	COPYSCOPE_SERVER="$T/srv" run "$CS" run --impl one-copy --size 64 --duration 1 --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(col status "$T/runs.csv")" = failed:server_exit_1 ]
	[[ "$output" == *"Address in use"* ]]
}

@test "unknown event: exit 2 naming it and file:line, nothing written" {
	printf 'ctx_switches - context-switches\nbad - NO_SUCH_EVENT_QQ\n' >"$T/bad.events"
	run "$CS" run --impl one-copy --size 64 --duration 1 --events "$T/bad.events" --out "$T/runs.csv"
	[ "$status" -eq 2 ]
	[[ "$output" == *"$T/bad.events:2: NO_SUCH_EVENT_QQ: unknown event"* ]]
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$T/runs.csv" ]
}

@test "bad input is refused with one line and exit 2" {
	for args in "--size 0" "--size 67108865" "--size 12x" "--threads 0" "--threads 1025" \
		"--duration 0" "--duration 0.0001" "--duration 3601" "--duration -1" "--warmup -1" "--mode bulk" \
		"--layout diagonal" "--server-cpus x" "--events /nonexistent.events" "--bogus"; do
		run "$CS" run --impl one-copy --size 64 --duration 1 $args --out "$T/runs.csv"
		echo "$args -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "copyscope run: "* ]]
	done
	run "$CS" run --impl no-such-copy --size 64 --out "$T/runs.csv"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no-such-copy: unknown strategy"* ]]
	run "$CS" run --size 64
	[ "$status" -eq 2 ]
	[ ! -e "$T/runs.csv" ]
}

@test "unwritable --out is refused before anything runs" {
	run "$CS" run --impl one-copy --size 64 --duration 1 --out /nonexistent-dir/runs.csv
	[ "$status" -eq 2 ]
	[[ "$output" == *"/nonexistent-dir/runs.csv"* ]]
}

@test "--out in /sys or /proc is refused even for root, before any workload runs" {
	[ "$(id -u)" = 0 ] || skip "not root: access() already says no to others"
	wrapper srv "$BIN/copyscope-server"
	wrapper cli "$BIN/copyscope-client"
	for out in /sys/copyscope-runs.csv /proc/copyscope-runs.csv; do
		[ -e "${out%/*}/self" ] || [ -e "${out%/*}/kernel" ] || continue # not mounted here
		COPYSCOPE_SERVER="$T/srv" COPYSCOPE_CLIENT="$T/cli" \
			run "$CS" run --impl one-copy --size 64 --warmup 0 --duration 0.2 --out "$out"
		echo "$out -> $status: $output"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "copyscope run: $out: cannot create it: "* ]]
		[ ! -e "$T/srv.pid" ] # no workload started
		[ ! -e "$T/cli.pid" ]
		[ ! -e "$out" ]
	done
}

@test "SIGINT or SIGTERM mid-run: one line saying so, exit 130 or 143, row status interrupted" {
	for sig in INT TERM; do
		want=130 # 128 + the signal's number (docs/failures.md)
		if [ "$sig" = TERM ]; then want=143; fi
		wrapper srv "$BIN/copyscope-server"
		rm -f "$T/srv.pid"
		COPYSCOPE_SERVER="$T/srv" "$CS" run --impl one-copy --size 1K --warmup 0 --duration 20 \
			--events perfcfg/events/software.events --out "$T/$sig.csv" 2>"$T/$sig.err" &
		pid=$!
		for _ in $(seq 100); do
			[ -s "$T/srv.pid" ] && break
			sleep 0.05
		done
		sleep 0.3
		kill -"$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		cat "$T/$sig.err"
		[ "$rc" -eq "$want" ]
		[ "$(cat "$T/$sig.err")" = "copyscope run: interrupted (SIG$sig)" ]
		[ "$(col status "$T/$sig.csv")" = interrupted ]
		gone "$T/srv.pid"
	done
}

@test "--out appends under the same header and refuses another one" {
	run "$CS" run --impl one-copy --size 64 --warmup 0 --duration 0.3 --events perfcfg/events/software.events --out "$T/runs.csv"
	[ "$status" -eq 0 ]
	run "$CS" run --impl two-copy --size 64 --warmup 0 --duration 0.3 --events perfcfg/events/software.events --out "$T/runs.csv"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/runs.csv")" -eq 3 ]
	[ "$(head -1 "$T/runs.csv" | tr -cd , | wc -c)" -eq "$(tail -1 "$T/runs.csv" | tr -cd , | wc -c)" ]
	cp "$T/runs.csv" "$T/before.csv"
	run "$CS" run --impl one-copy --size 64 --duration 0.3 --out "$T/runs.csv"
	[ "$status" -eq 2 ]
	[[ "$output" == *"different CSV header"* ]]
	cmp "$T/runs.csv" "$T/before.csv"
}

@test "stdout gets the header and one row; the header is the contract's" {
	run "$CS" run --impl one-copy --size 64 --warmup 0 --duration 0.3 --events perfcfg/events/parte.events
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	want="impl,mode,topology,mtu,layout,busy_poll,placement,msg_size,threads,rep,duration_s,warmup_s,offloads,placed,srv_cpus,cli_cpus,status,bytes,msgs,throughput_gbps,lat_p50_us,lat_p90_us,lat_p99_us,lat_p999_us,lat_max_us,intervals,interval_cv,interval_step,interval_step_ratio,verify_errors,zc_sends,zc_completions,zc_copied,zc_enobufs,srv_utime_s,srv_stime_s,cli_utime_s,cli_stime_s,cpu_overlap"
	for side in srv cli; do # TCP_INFO at the window's edges (docs/results.md)
		for f in segs_out segs_in data_segs_out data_segs_in bytes_sent bytes_acked bytes_received \
			retrans busy_pct rwnd_limited_pct sndbuf_limited_pct srtt_us rttvar_us cwnd \
			delivery_rate_gbps unacked; do
			want="$want,${side}_tcp_$f"
		done
	done
	for k in cycles instructions l1d_misses llc_misses ctx_switches cpu_migrations task_clock page_faults rx_copies; do
		want="$want,srv_$k,srv_${k}_running,cli_$k,cli_${k}_running"
	done
	want="$want,srv_cycles_per_byte,cli_cycles_per_byte,srv_cpu_ns_per_byte,cli_cpu_ns_per_byte"
	want="$want,srv_l1d_misses_per_kb,cli_l1d_misses_per_kb,srv_llc_misses_per_kb,cli_llc_misses_per_kb"
	for k in cycles instructions l1d_misses llc_misses ctx_switches cpu_migrations task_clock page_faults rx_copies; do
		want="$want,srv_${k}_per_msg,cli_${k}_per_msg"
	done
	want="$want,srv_tcp_bytes_per_seg,cli_tcp_bytes_per_seg,srv_tcp_segs_per_msg,cli_tcp_segs_per_msg"
	[ "${lines[0]}" = "$want" ]
}

@test "run --help describes every option its synopsis lists" {
	run "$CS" run --help
	[ "$status" -eq 0 ]
	synopsis=$(sed -n '/^usage:/,/^[^ u]/p' <<<"$output" | grep -o -- '--[a-z-]*' | sort -u)
	[ -n "$synopsis" ]
	for opt in $synopsis; do
		grep -Eq -- "^  (--[a-z-]+ [A-Z]+, )?$opt( |,|\$)" <<<"$output" ||
			{ echo "$opt is in the synopsis but not described" >&2; return 1; }
	done
}

@test "run reads sizes and seconds as the client and sweep files do: 1k, 200ms" {
	run "$CS" run --impl a1 --size 1k --duration 200ms --warmup 0ms \
		--events perfcfg/events/software.events
	echo "$output" >&2
	[ "$status" -eq 0 ]
	echo "$output" >"$T/row.csv"
	[ "$(col msg_size "$T/row.csv")" = 1024 ]
	[ "$(col duration_s "$T/row.csv")" = 0.2 ]
}

@test "placement same: each connection's threads share a CPU, and the row says so" {
	run "$CS" run --impl two-copy --size 16K --threads 2 --warmup 0.2 --duration 0.5 \
		--placement same --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(col status "$T/runs.csv")" = ok ]
	[ "$(col placement "$T/runs.csv")" = same ]
	[ "$(col placed "$T/runs.csv")" = same ]
	awk -v o="$(col cpu_overlap "$T/runs.csv")" 'BEGIN { exit !(o >= 0.9) }'
	[ -n "$(col srv_cpus "$T/runs.csv")" ]
}

@test "placement spread: the sides run on different CPUs, measured by the kernel" {
	[ "$(nproc)" -ge 2 ] || skip "spread needs two CPUs; this machine lets us use $(nproc)"
	run "$CS" run --impl one-copy --size 16K --threads 2 --warmup 0.2 --duration 0.5 \
		--placement spread --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(col placement "$T/runs.csv")" = spread ]
	[ "$(col placed "$T/runs.csv")" = spread ]
	awk -v o="$(col cpu_overlap "$T/runs.csv")" 'BEGIN { exit !(o <= 0.1) }'
	# no CPU in both lists: "0:100" against "1:100"
	srv=$(col srv_cpus "$T/runs.csv") cli=$(col cli_cpus "$T/runs.csv")
	[ -n "$srv" ]
	[ -n "$cli" ]
	for c in $(echo "$srv" | tr ';' '\n' | cut -d: -f1); do
		run grep -qx "$c" <(echo "$cli" | tr ';' '\n' | cut -d: -f1)
		[ "$status" -eq 1 ]
	done
}

@test "placement free: where they ran is recorded, and placed is measured" {
	run "$CS" run --impl two-copy --size 4K --threads 1 --warmup 0.2 --duration 0.3 --out "$T/runs.csv"
	[ "$status" -eq 0 ]
	[ "$(col placement "$T/runs.csv")" = free ]
	case $(col placed "$T/runs.csv") in same|spread|mixed) ;; *) false ;; esac
	[ -n "$(col cli_cpus "$T/runs.csv")" ]
}

@test "placement refuses what it cannot do: one line, exit 2, nothing written" {
	run "$CS" run --impl two-copy --size 4K --placement spread --server-cpus 0 --out "$T/r.csv"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"--server-cpus"*"--placement free"* ]]
	run taskset -c 0 "$CS" run --impl two-copy --size 4K --placement spread --out "$T/r.csv"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"spread: needs two CPUs"* ]]
	run "$CS" run --impl two-copy --size 4K --placement near --out "$T/r.csv"
	[ "$status" -eq 2 ]
	[ ! -e "$T/r.csv" ]
}
