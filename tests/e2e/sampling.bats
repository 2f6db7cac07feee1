#!/usr/bin/env bats
# copyscope run --sample: where each workload's CPU goes, sampled over the
# window and put into categories (docs/sampling.md). Shares are statistics
# of samples, so each test asserts what holds with any count of them (a
# share above 0, a share of exactly 0, shares that sum to 100), never a
# timing; the event file samples at 4999 Hz so that short windows hold many.

load harness_helpers

setup() {
	harness_setup
	cat >"$T/fast.events" <<'EOF'
task_clock  -  task-clock
cs          -  context-switches
sample hz=4999 event=cycles,task-clock
EOF
}

# sampled IMPL SIZE [ARGS...]: one sampled run into $T/runs.csv, stacks at $T/st.*
sampled() {
	local impl=$1 size=$2
	shift 2
	rm -f "$T/runs.csv"
	run "$CS" run --impl "$impl" --size "$size" --warmup 0.3 --duration 1 \
		--events "$T/fast.events" --sample --stacks "$T/st" --out "$T/runs.csv" "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(col status "$T/runs.csv")" = ok ]
}

# sum_pct SIDE: the sum of SIDE's category shares in the last row
sum_pct() {
	awk -F, -v side="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ "^" side "_cat_.*_pct$") c[i] = 1; next }
		{ s = 0; for (i in c) s += $i } END { printf "%.4f\n", s }' "$T/runs.csv"
}

# above NAME LIMIT: column NAME of the last row is a number above LIMIT
above() {
	local v
	v=$(col "$1" "$T/runs.csv") || return 1
	echo "$1 = $v"
	awk -v v="$v" -v l="$2" 'BEGIN { exit !(v != "" && v + 0 > l + 0) }'
}

@test "two-copy's server spends samples copying in user space; one-copy's almost none" {
	sampled two-copy 64K
	above srv_cat_user_copy_pct 0
	two=$(col srv_cat_user_copy_pct "$T/runs.csv")
	sampled one-copy 64K
	one=$(col srv_cat_user_copy_pct "$T/runs.csv")
	echo "user copy: two-copy $two%, one-copy $one%"
	awk -v one="$one" -v two="$two" 'BEGIN { exit !(one < 2 && one < two) }'
}

@test "zero-copy's server pins pages; two-copy's never does" {
	sampled zero-copy 256
	above srv_cat_pinning_pct 0
	sampled two-copy 256
	[ "$(col srv_cat_pinning_pct "$T/runs.csv")" = 0 ]
}

@test "each side's shares sum to 100% and its ns per byte to its CPU ns per byte" {
	sampled one-copy 16K
	for side in srv cli; do
		s=$(sum_pct $side)
		echo "$side: shares sum to $s"
		awk -v s="$s" 'BEGIN { exit !(s > 99.99 && s < 100.01) }'
	done
	total=$(col srv_cpu_ns_per_byte "$T/runs.csv")
	parts=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^srv_cat_.*_ns_per_byte$/) c[i] = 1; next }
		{ s = 0; for (i in c) s += $i } END { print s }' "$T/runs.csv")
	echo "srv_cpu_ns_per_byte $total, categories $parts"
	awk -v t="$total" -v p="$parts" 'BEGIN { d = t - p; if (d < 0) d = -d; exit !(t > 0 && d <= 1e-4 * t) }'
}

@test "the frequency, the samples and the lost samples are recorded" {
	sampled one-copy 4K
	[ "$(col sample_hz "$T/runs.csv")" = 4999 ]
	above srv_samples 0
	above cli_samples 0
	for side in srv cli; do
		lost=$(col ${side}_samples_lost "$T/runs.csv")
		[[ $lost =~ ^[0-9]+$ ]]
	done
}

@test "folded stacks are written for both sides, one chain a line, counts adding up" {
	sampled zero-copy 256
	for side in server client; do
		f="$T/st.$side.folded"
		[ -s "$f" ]
		run grep -cvE '^[^ ]+ [0-9]+$' "$f" # lines that are not "chain count"
		[ "$output" = 0 ]
		grep -q '_\[k\]' "$f"
	done
	n=$(awk '{ s += $NF } END { print s }' "$T/st.server.folded")
	[ "$n" = "$(col srv_samples "$T/runs.csv")" ]
	grep -q 'zc_send' "$T/st.server.folded" # the workload's own functions are named
}

@test "a stripped server still gets its kernel categories" {
	strip -o "$T/server" "$BIN/copyscope-server"
	COPYSCOPE_SERVER="$T/server" sampled zero-copy 256
	above srv_cat_tcp_ip_pct 0
	above srv_cat_pinning_pct 0
	grep -q 'tcp_sendmsg_\[k\]' "$T/st.server.folded"
	run grep -c 'zc_send' "$T/st.server.folded" # its own functions have no names left
	[ "$output" = 0 ]
}

@test "hidden kernel symbols are said plainly, and kernel frames read [kernel]" {
	COPYSCOPE_KALLSYMS=tests/fixtures/sampling/kallsyms-hidden sampled one-copy 4K --verbose
	[[ $output == *"kernel symbols hidden: "*"kernel.kptr_restrict="* ]]
	grep -q '\[kernel\]_\[k\]' "$T/st.server.folded"
	run grep -c 'tcp_sendmsg_\[k\]' "$T/st.server.folded"
	[ "$output" = 0 ]
}

@test "--verbose says what was sampled and how long naming took after the window" {
	sampled one-copy 4K --verbose
	[[ $output == *"copyscope run: sampled "*" at 4999 Hz: server "*" samples ("*" lost), client "*"after the window in "*" s"* ]]
}

@test "a bad category file is one line naming FILE:LINE, exit 2, nothing written" {
	run "$CS" run --impl one-copy --size 4K --duration 0.2 --warmup 0 --events "$T/fast.events" \
		--sample --categories tests/fixtures/sampling/bad.cat --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "copyscope run: tests/fixtures/sampling/bad.cat:3: category 'TCP'"* ]]
	[ ! -e "$T/runs.csv" ]
}

@test "an unknown sample event is one line naming FILE:LINE, exit 2" {
	printf 'cs - context-switches\n\nsample event=no-such-event-xyz\n' >"$T/bad.events"
	run "$CS" run --impl one-copy --size 4K --duration 0.2 --warmup 0 --events "$T/bad.events" \
		--sample --out "$T/runs.csv"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "copyscope run: $T/bad.events:3: no-such-event-xyz: unknown event"* ]]
	[ ! -e "$T/runs.csv" ]
}

@test "a bad sample line is one line naming FILE:LINE, exit 2" {
	printf 'cs - context-switches\nsample hz=0\n' >"$T/bad.events"
	run "$CS" run --impl one-copy --size 4K --duration 0.2 --events "$T/bad.events"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "copyscope run: $T/bad.events:2: sample hz=0: expected hz=N"* ]]
}

@test "--categories and --stacks need --sample; without it the row has no sampling columns" {
	run "$CS" run --impl one-copy --size 4K --stacks "$T/st"
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "copyscope run: --stacks"*"--sample"* ]]
	run "$CS" run --impl one-copy --size 4K --duration 0.2 --warmup 0 --events "$T/fast.events" \
		--out "$T/runs.csv"
	[ "$status" -eq 0 ]
	header=$(head -n1 "$T/runs.csv")
	[[ $header != *sample_hz* ]]
	[[ $header != *_cat_* ]]
}
