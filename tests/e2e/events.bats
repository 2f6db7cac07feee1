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

@test "no argument: the event set of this machine's PMU is named, with why" {
	run "$CS" events
	[ "$status" -eq 0 ]
	echo "$output" | grep -Eq '^# event set: [a-z0-9-]+\.events: .+$'
	if echo "$output" | grep -q '^# hardware PMU: yes'; then skip "this machine has a hardware PMU"; fi
	# libpfm4 may detect a core PMU from the CPU; without the kernel's, parte.events stays
	echo "$output" | grep -Eq '^# event set: parte\.events: .*(does not count cycles|no hardware PMU)'
	echo "$output" | grep -Eq '^llc_misses +LLC +LLC-LOAD-MISSES .* no: no hardware PMU exposed \(ENOENT\)$'
}

@test "--pmu NAME: each family's set, native names encoded for NAME, software names still resolve" {
	for pair in hsw:intel-core icl:intel-core spr:intel-core skx:intel-core \
		amd64_fam17h_zen2:amd-zen2 amd64_fam19h_zen3:amd-zen3 amd64_fam19h_zen4:amd-zen4; do
		pmu=${pair%%:*} file=${pair#*:}.events
		run "$CS" events --pmu "$pmu"
		echo "$pmu: $output"
		[ "$status" -eq 0 ]
		echo "$output" | grep -Eq "^# event set: $file: the set for $pmu \(.*\), assumed with --pmu\$"
		for k in l1d_misses l2_misses llc_misses; do
			echo "$output" | grep -Eq "^$k +L(1|2|LC) +[^ ]+ +4 +0x[0-9a-f]+ +$pmu::"
		done
		echo "$output" | grep -Eq '^task_clock +- +PERF_COUNT_SW_TASK_CLOCK +1 +0x1 .* yes$'
		echo "$output" | grep -Eq '^rx_copies +- +tracepoint:skb:skb_copy_datagram_iovec +2 '
		echo "$output" | grep -Eq '^cycles +- +PERF_COUNT_HW_CPU_CYCLES +0 +0x0 +perf::'
	done
}

@test "--pmu NAME of a PMU this machine lacks: native events are not opened, and say so" {
	run "$CS" events --pmu amd64_fam19h_zen4
	[ "$status" -eq 0 ]
	if echo "$output" | grep -q '^l1d_misses .* yes$'; then skip "this machine is a Zen 4"; fi
	echo "$output" | grep -Eq '^l2_misses .* no: encoded for amd64_fam19h_zen4 \(--pmu\), which this machine does not have \(its core PMU: [a-z0-9_ ]+\): not opened$'
}

@test "--pmu NAME with a file: the file, encoded for NAME" {
	run "$CS" events --pmu amd64_fam17h_zen2 perfcfg/events/amd-zen2.events
	[ "$status" -eq 0 ]
	echo "$output" | grep -Eq '^l1d_misses +L1 +amd64_fam17h_zen2::REQUESTS_TO_L2_GROUP1:RD_BLK_L:RD_BLK_X +4 +0x'
	echo "$output" | grep -Eq '^# event set: perfcfg/events/amd-zen2.events, as named \(the set for the PMU assumed: amd-zen2.events: '
}

@test "--pmu: an unknown PMU, a missing name, a native name the PMU lacks: exit 2" {
	run "$CS" events --pmu no_such_pmu
	[ "$status" -eq 2 ]
	[[ "$output" == "copyscope events: --pmu no_such_pmu: not a PMU this libpfm4 knows (expected a core PMU such as: "* ]]
	run "$CS" events --pmu
	[ "$status" -eq 2 ]
	[[ "$output" == "copyscope events: --pmu: expected a libpfm4 PMU name"* ]]
	run "$CS" events --pmu amd64_fam19h_zen3 L1D:REPLACEMENT
	[ "$status" -eq 2 ]
	[ "$output" = "copyscope events: command line: L1D:REPLACEMENT: not an event of PMU amd64_fam19h_zen3 (assumed with --pmu): event not found" ]
}

@test "--pmu arm_n1 on an x86 libpfm4: refused, saying why" {
	[ "$(uname -m)" = x86_64 ] || skip "not x86_64"
	run "$CS" events --pmu arm_n1
	[ "$status" -eq 2 ]
	[[ "$output" == *"--pmu arm_n1: this libpfm4 has no PMU arm_n1 (arm-neoverse.events): a libpfm4 build has the PMUs of its own architecture only"* ]]
}

@test "a native name of a PMU this machine lacks: exit 2, pointing at --pmu" {
	run "$CS" events amd64_fam19h_zen3::CORE_TO_L2_CACHEABLE_REQUEST_ACCESS_STATUS:LS_RD_BLK_C
	if [ "$status" -eq 0 ]; then skip "this machine is a Zen 3"; fi
	[ "$status" -eq 2 ]
	[[ "$output" == *"amd64_fam19h_zen3 is not this machine's PMU ("*"); copyscope events --pmu amd64_fam19h_zen3 encodes for it" ]]
}
