#!/usr/bin/env bats
# The remote topology across two "hosts": two network namespaces joined by a
# veth pair, the agent in one (csr-PID-a, 198.19.0.1), the harness and its
# client in the other (csr-PID-h, 198.19.0.2). A whole quick sweep, the agent
# SIGKILLed mid-run, a wrong key, and --resume after an interrupt.
#
# Needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) and iproute2: every test skips
# with the reason otherwise. The namespaces are built per test and removed in
# teardown whatever happened, with every process the test left in them.
# 198.19.0.0/30, not the netns topology's 198.18.0.0/30, so that the two
# never meet.

load harness_helpers
load workload_helpers
load agent_helpers

AGENT_ADDR=198.19.0.1

setup() {
	harness_setup
	NA="csr-$$-a"
	NH="csr-$$-h"
	need_netns "two network namespaces stand for the two hosts"
	agent_setup
	two_hosts
	AGENT_EXEC=(ip netns exec "$NA")
	AGENT_HOST=$AGENT_ADDR
	CLIENT_EXEC=(ip netns exec "$NH")
	mkdir -p "$T/sweeps" "$T/events"
	cp perfcfg/events/software.events "$T/events/"
}

teardown() {
	local rc=0 ns
	stop_agent || rc=1
	for ns in "$NA" "$NH"; do
		[ -e "/run/netns/$ns" ] || continue
		# whatever a failed test left running there: only ours live in these namespaces
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
		for _ in $(seq 40); do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.05
		done
		ip netns del "$ns" || rc=1
	done
	return "$rc"
}

# two_hosts: the namespaces and the veth pair between them, lo up in both.
two_hosts() {
	ip netns add "$NA"
	ip netns add "$NH"
	ip link add csr-a netns "$NA" type veth peer name csr-h netns "$NH"
	ip -n "$NA" addr add "$AGENT_ADDR/30" dev csr-a
	ip -n "$NH" addr add 198.19.0.2/30 dev csr-h
	ip -n "$NA" link set lo up
	ip -n "$NH" link set lo up
	ip -n "$NA" link set csr-a up
	ip -n "$NH" link set csr-h up
}

# on_h ARGS...: copyscope ARGS... on the harness's host.
on_h() {
	ip netns exec "$NH" "$CS" "$@"
}

# remote_sweep NAME [LINE...]: a sweep file sweeps/NAME.ini for the agent, from
# perfcfg/sweeps/quick.ini with placement free (remote takes no other), 0.2 s
# runs and LINEs appended; prints its path.
remote_sweep() {
	local f="$T/sweeps/$1.ini"
	shift
	sed -e 's/^placement *=.*/placement = free/' -e 's/^duration *=.*/duration = 0.2/' \
		perfcfg/sweeps/quick.ini >"$f"
	printf '%s\n' "remote = $AGENT_ADDR:$AGENT_PORT" "key_file = $T/agent.key" "$@" >>"$f"
	echo "$f"
}

# nothing_left NS...: no process runs in these namespaces (within 5 s: a
# server's PR_SET_PDEATHSIG is delivered, not instant). Names what is left.
nothing_left() {
	local ns left
	for _ in $(seq 100); do
		left=
		for ns in "$@"; do left="$left$(ip netns pids "$ns")"; done
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	for ns in "$@"; do
		for p in $(ip netns pids "$ns"); do ps -o pid,ppid,stat,args -p "$p" >&2; done
	done
	return 1
}

# How many runs a quick-derived sweep plans: the strategies of quick.ini this
# build has, x 2 sizes x 2 modes x 2 reps.
quick_runs() {
	local n
	n=$("$BIN/copyscope-server" --list-impls | awk '{ print $1 }' |
		grep -cxE 'two-copy|one-copy|zero-copy|uring-zc')
	echo $((n * 8))
}

@test "a whole quick sweep across the two hosts: every row remote and ok, env.txt says both hosts" {
	start_agent --key-file "$T/agent.key" --listen "$AGENT_ADDR:0"
	sweep=$(remote_sweep quick)
	run on_h sweep "$sweep" --out "$T/res" --quiet
	echo "$output"
	[ "$status" -eq 0 ]
	want=$(quick_runs)
	[ "$(rows "$T/res/runs.csv")" -eq "$want" ]
	[ "$(cols "$T/res/runs.csv" topology status | sort | uniq -c | awk '{ print $1, $2 }')" = \
		"$want remote/ok" ]
	# the server's side came from the agent: counted, and its own totals
	[ "$(cols "$T/res/runs.csv" srv_task_clock | grep -cE '^[1-9][0-9]*$')" -eq "$want" ]
	# env.txt: this host, the link towards the agent, and the far host as it described itself
	grep -qx 'hosts=2' "$T/res/env.txt"
	grep -qx 'link_iface=csr-h' "$T/res/env.txt"
	grep -qx 'remote_iface=csr-a' "$T/res/env.txt"
	grep -qx 'remote_mtu=1500' "$T/res/env.txt"
	# the same build on both hosts
	[ "$(sed -n 's/^remote_copyscope=//p' "$T/res/env.txt")" = \
		"$(sed -n 's/^copyscope=//p' "$T/res/env.txt")" ]
	grep -q '^remote_kernel=.' "$T/res/env.txt"
	run "$CS" report "$T/res"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -s "$T/res/report.md" ]
	# each run's session ended well, and nothing but the agent is left running
	logged "$want" ': done: impl=[a-z-]+ status=ok$'
	nothing_left "$NH"
	[ "$(ip netns pids "$NA")" = "$AGENT_PID" ]
}

@test "the agent SIGKILLed mid-run: the row fails with an agent_ reason, no process left on either host" {
	start_agent --key-file "$T/agent.key" --listen "$AGENT_ADDR:0"
	ip netns exec "$NH" "$CS" run --remote "$AGENT_ADDR:$AGENT_PORT" --key-file "$T/agent.key" \
		--impl one-copy --size 16K --duration 3 --warmup 0.1 \
		--events perfcfg/events/software.events --out "$T/runs.csv" >"$T/cs.out" 2>"$T/cs.err" 3>&- &
	cs=$!
	srv=$(agent_child)
	sleep 1
	cli=$(pgrep -P "$cs" || true) # the harness's child: the client
	[ -n "$cli" ]
	pid=$AGENT_PID
	AGENT_PID= # not stopped but killed: teardown must not expect exit 0
	kill -KILL "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 137 ]
	rc=0
	wait "$cs" || rc=$?
	cat "$T/cs.err"
	[ "$rc" -eq 1 ]
	st=$(col status "$T/runs.csv")
	echo "status=$st"
	[[ "$st" == failed:agent_* ]]
	[ "$(col topology "$T/runs.csv")" = remote ]
	nothing_left "$NA" "$NH"
	gone_pid $srv $cli
}

@test "a wrong key: the sweep stops before anything runs, exit 2, one line; the agent logs one" {
	start_agent --key-file "$T/agent.key" --listen "$AGENT_ADDR:0"
	"$CS" agent --new-key "$T/wrong.key" >/dev/null
	sweep=$(remote_sweep wrong)
	sed -i "s|^key_file = .*|key_file = $T/wrong.key|" "$sweep"
	since=$(log_lines)
	run on_h sweep "$sweep" --out "$T/res"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"(agent_auth)" ]]
	[ ! -e "$T/res" ]
	# one line, naming the harness's address
	logged 1 '^copyscope agent: 198\.19\.0\.2:[0-9]+: refused: wrong key$' "$since"
	[ "$(log_lines)" -eq $((since + 1)) ]
	[ -z "$(agent_children)" ]
}

@test "SIGINT mid-sweep, then --resume finishes it with the same agent: every planned row once" {
	start_agent --key-file "$T/agent.key" --listen "$AGENT_ADDR:0"
	sweep=$(remote_sweep resume "order = sequential")
	sed -i -e 's/^impls *=.*/impls = two-copy one-copy/' -e 's/^modes *=.*/modes = stream/' \
		-e 's/^warmup *=.*/warmup = 0.05/' "$sweep"
	dir="$T/res"
	ip netns exec "$NH" "$CS" sweep "$sweep" --out "$dir" --quiet >"$T/sweep.out" 2>&1 3>&- &
	pid=$!
	for _ in $(seq 300); do # until 2 rows of 8 are in (30 s at most)
		[ -f "$dir/runs.csv" ] && [ "$(rows "$dir/runs.csv")" -ge 2 ] && break
		sleep 0.1
	done
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	cat "$T/sweep.out"
	[ "$rc" -eq 130 ]
	first=$(rows "$dir/runs.csv")
	echo "$first rows before the interrupt"
	[ "$first" -ge 2 ]
	[ "$first" -lt 8 ]
	nothing_left "$NH"
	kill -0 "$AGENT_PID"
	[ -z "$(agent_children)" ] # the interrupted run's server ended with its session

	run on_h sweep --resume "$dir" --quiet
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(rows "$dir/runs.csv")" -eq 8 ]
	keys=$(cols "$dir/runs.csv" impl mode topology msg_size threads rep status)
	echo "$keys"
	[ "$(sort <<<"$keys" | uniq -d)" = "" ]
	[ "$(grep -c '/remote/.*/ok$' <<<"$keys")" -eq 8 ]
	awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$dir/runs.csv"
	[ "$(rows "$dir/summary.csv")" -eq 4 ]
	serves
}

@test "the agent SIGKILLed mid-sweep: that run's row fails, the sweep stops at the next (exit 2, no row, the resume line), --resume finishes once the agent is back" {
	start_agent --key-file "$T/agent.key" --listen "$AGENT_ADDR:0"
	port=$AGENT_PORT
	sweep=$(remote_sweep died "order = sequential")
	sed -i -e 's/^impls *=.*/impls = two-copy one-copy/' -e 's/^modes *=.*/modes = stream/' \
		-e 's/^warmup *=.*/warmup = 0.05/' -e 's/^duration *=.*/duration = 1/' "$sweep"
	dir="$T/res"
	ip netns exec "$NH" "$CS" sweep "$sweep" --out "$dir" --quiet >"$T/sweep.out" 2>&1 3>&- &
	pid=$!
	for _ in $(seq 300); do # until 2 rows of 8 are in, and the third run's server is up
		[ -f "$dir/runs.csv" ] && [ "$(rows "$dir/runs.csv")" -ge 2 ] && [ -n "$(agent_children)" ] && break
		sleep 0.05
	done
	kill -KILL "$AGENT_PID"
	AGENT_PID=
	rc=0
	wait "$pid" || rc=$?
	cat "$T/sweep.out"
	[ "$rc" -eq 2 ]
	grep -q "failed:agent_connect: .*no row written for it: start the agent (or fix the key), then copyscope sweep --resume $dir\$" "$T/sweep.out"
	keys=$(cols "$dir/runs.csv" status)
	echo "$keys"
	[ "$(grep -vc '^ok$' <<<"$keys")" -eq 1 ] # the run the agent died in, and only it
	grep -qx 'failed:agent_closed' <<<"$keys"
	nothing_left "$NA" "$NH"

	start_agent --key-file "$T/agent.key" --listen "$AGENT_ADDR:$port"
	run on_h sweep --resume "$dir" --quiet
	echo "$output"
	[ "$status" -eq 1 ] # the failed row stays: a run that did start
	[ "$(rows "$dir/runs.csv")" -eq 8 ]
	[ "$(cols "$dir/runs.csv" impl mode topology msg_size threads rep | sort | uniq -d)" = "" ]
}
