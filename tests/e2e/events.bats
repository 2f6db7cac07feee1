#!/usr/bin/env bats
# copyscope events: names resolved through libpfm4 / tracefs, and whether
# this machine can count each one, and why not.

setup() {
	CS="${COPYSCOPE_BIN:-bin}/copyscope"
}

# As run.bats: tracepoints resolve only through a mounted tracefs.
need_tracefs() {
	[ -d /sys/kernel/tracing/events ] || skip "tracefs not mounted (mount -t tracefs nodev /sys/kernel/tracing)"
}

@test "default event file: every key listed with its canonical name and an answer" {
	run "$CS" events
	echo "$output"
	[ "$status" -eq 0 ]
	for k in cycles instructions l1d_misses llc_misses ctx_switches cpu_migrations task_clock page_faults rx_copies; do
		echo "$output" | grep -Eq "^$k +"
	done
	echo "$output" | grep -Eq '^cycles .* perf::PERF_COUNT_HW_CPU_CYCLES:'
	echo "$output" | grep -Eq '^ctx_switches +- +PERF_COUNT_SW_CONTEXT_SWITCHES +1 +0x3 .* yes$'
	echo "$output" | grep -Eq '^# hardware PMU: (yes|no: .*)$'
}

@test "without a hardware PMU, cycles says why and the exit is still 0" {
	run "$CS" events cycles L1-DCACHE-LOAD-MISSES task-clock
	[ "$status" -eq 0 ]
	if echo "$output" | grep -q '^# hardware PMU: yes'; then skip "this machine has a hardware PMU"; fi
	echo "$output" | grep -Eq '^cycles .* no: no hardware PMU exposed \(ENOENT\)$'
	echo "$output" | grep -Eq '^l1_dcache_load_misses .* no: no hardware PMU exposed \(ENOENT\)$'
	echo "$output" | grep -Eq '^task_clock .* yes$'
}

@test "a tracepoint resolves from tracefs" {
	need_tracefs
	run "$CS" events tracepoint:skb:skb_copy_datagram_iovec
	[ "$status" -eq 0 ]
	id=$(cat /sys/kernel/tracing/events/skb/skb_copy_datagram_iovec/id)
	echo "$output" | grep -Eq "^skb_skb_copy_datagram_iovec +- +tracepoint:skb:skb_copy_datagram_iovec +2 +$(printf '0x%x' "$id") .* yes$"
}

@test "tracefs not mounted is a reason, not an error" {
	COPYSCOPE_TRACEFS=/nonexistent run "$CS" events tracepoint:skb:skb_copy_datagram_iovec
	[ "$status" -eq 0 ]
	[[ "$output" == *"no: tracefs not mounted (mount -t tracefs nodev /sys/kernel/tracing)"* ]]
}

@test "modifiers are kept in the canonical string" {
	run "$CS" events perf::PERF_COUNT_SW_TASK_CLOCK:u
	[ "$status" -eq 0 ]
	[[ "$output" == *"u=1:k=0"* ]]
}

@test "unknown name: exit 2 naming it" {
	run "$CS" events task-clock NO_SUCH_EVENT_QQ
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "copyscope events: "*"NO_SUCH_EVENT_QQ: unknown event"* ]]
}

@test "unknown name in a file: exit 2 naming file:line" {
	need_tracefs # without it, an unknown tracepoint is "not countable here", not an error
	printf '# x\ncs - context-switches\nbad - tracepoint:skb:no_such_tp\n' >"$BATS_TEST_TMPDIR/x.events"
	run "$CS" events "$BATS_TEST_TMPDIR/x.events"
	[ "$status" -eq 2 ]
	[[ "$output" == *"x.events:3: tracepoint:skb:no_such_tp: unknown tracepoint"* ]]
}

@test "missing event file: exit 2" {
	run "$CS" events /nonexistent/x.events
	[ "$status" -eq 2 ]
	[[ "$output" == *"/nonexistent/x.events"* ]]
}

@test "an argument with a '/' is an event file, not an event name" {
	run "$CS" events /nonexist
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "copyscope events: /nonexist: No such file or directory (expected an event file)" ]
	run "$CS" events "$BATS_TEST_TMPDIR"
	[ "$status" -eq 2 ]
	[ "$output" = "copyscope events: $BATS_TEST_TMPDIR: Is a directory (expected an event file)" ]
	run "$CS" events task-clock ./my.events
	[ "$status" -eq 2 ]
	[ "$output" = "copyscope events: ./my.events: expected one event file alone, or event names" ]
}

@test "--help exits 0" {
	run "$CS" events --help
	[ "$status" -eq 0 ]
	[[ "$output" == usage:* ]]
}
