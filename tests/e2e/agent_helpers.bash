# Helpers for the bats files that drive `copyscope agent` (agent.bats,
# remote.bats): `load agent_helpers` after harness_helpers and
# workload_helpers (SANITIZER_REPORT). They use $CS and $T, set AGENT_PID and
# AGENT_PORT, and kill only the agent they started.
#
# Every agent a test starts must end well: stop_agent sends it SIGTERM and
# fails the test unless it exits 0 within 10 s, with no sanitizer report on
# its stderr and no child left (a server must never outlive its session).

CLIENT="$BATS_TEST_DIRNAME/agent_client.py"

# agent_setup: what setup() of these files starts with: no agent yet, agents
# and agent_client.py run here (AGENT_EXEC and CLIENT_EXEC: command prefixes
# such as `ip netns exec NS`, empty by default), and a key in $T/agent.key.
agent_setup() {
	AGENT_PID=
	AGENT_PORT=
	AGENT_EXEC=()
	CLIENT_EXEC=()
	"$CS" agent --new-key "$T/agent.key" >/dev/null
}

# start_agent ARGS...: `copyscope agent ARGS...` in the background, its stderr
# in $T/agent.err; waits (10 s at most) for its "listening on ADDR:PORT" line
# and sets AGENT_PID and AGENT_PORT (pass --listen ADDR:0: the agent takes a
# free port and says which).
start_agent() {
	"${AGENT_EXEC[@]}" "$CS" agent "$@" >"$T/agent.out" 2>"$T/agent.err" 3>&- &
	AGENT_PID=$!
	AGENT_PORT=
	for _ in $(seq 200); do
		AGENT_PORT=$(sed -n 's/^copyscope agent: listening on .*:\([0-9][0-9]*\)\( (.*)\)\{0,1\}$/\1/p' \
			"$T/agent.err")
		[ -n "$AGENT_PORT" ] && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "the agent did not say where it listens; its stderr:" >&2
	cat "$T/agent.err" >&2
	return 1
}

# agent_children: the pids of the agent's children (its server), one a line.
agent_children() {
	pgrep -P "$AGENT_PID" || true
}

# agent_child: waits (5 s at most) until the agent has started a server and
# prints its pid; fails when none came.
agent_child() {
	local srv
	for _ in $(seq 100); do
		srv=$(agent_children)
		if [ -n "$srv" ]; then
			echo "$srv"
			return 0
		fi
		sleep 0.05
	done
	echo "the agent started no server within 5 s" >&2
	return 1
}

# stop_agent: SIGTERM to the agent; it must exit 0 within 10 s, leave no
# child and no sanitizer report. Clears AGENT_PID; prints its stderr when not.
stop_agent() {
	local pid=$AGENT_PID rc=0 kids left=
	[ -n "$pid" ] || return 0
	kids=$(agent_children)
	AGENT_PID=
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "the agent still runs 10 s after SIGTERM" >&2
		kill -KILL "$pid"
	fi
	wait "$pid" || rc=$?
	if [ -n "$kids" ] && ! gone_pid $kids; then
		left=$kids
	fi
	if [ "$rc" -ne 0 ] || [ -n "$left" ] || grep -Eq "$SANITIZER_REPORT" "$T/agent.err"; then
		echo "agent: exit $rc${left:+, children left: $left}; its stderr:" >&2
		cat "$T/agent.err" >&2
		return 1
	fi
}

# log_lines: how many lines the agent has written to its stderr so far.
log_lines() {
	wc -l <"$T/agent.err"
}

# peer_logged PEER SINCE: the agent's stderr, after its first SINCE lines,
# has exactly one line about PEER ("copyscope agent: PEER: ..."), within 3 s.
peer_logged() {
	local n=0
	for _ in $(seq 60); do
		n=$(tail -n +"$(($2 + 1))" "$T/agent.err" | grep -cF "copyscope agent: $1: ") || true
		[ "$n" -ge 1 ] && break
		sleep 0.05
	done
	sleep 0.05 # a second line would come at once
	n=$(tail -n +"$(($2 + 1))" "$T/agent.err" | grep -cF "copyscope agent: $1: ") || true
	[ "$n" -eq 1 ] || {
		echo "$n lines about $1 in the agent's stderr, expected 1:" >&2
		tail -n +"$(($2 + 1))" "$T/agent.err" >&2
		return 1
	}
}

# logged N REGEX [SINCE]: the agent's stderr, after its first SINCE lines (0),
# has exactly N lines matching REGEX (grep -E), within 3 s: it logs a session's
# end after its last frame, so a moment after the peer has seen it.
logged() {
	local n=0
	for _ in $(seq 60); do
		n=$(tail -n +"$((${3:-0} + 1))" "$T/agent.err" | grep -cE "$2") || true
		[ "$n" -ge "$1" ] && break
		sleep 0.05
	done
	[ "$n" -eq "$1" ] || {
		echo "$n lines match '$2' in the agent's stderr, expected $1:" >&2
		cat "$T/agent.err" >&2
		return 1
	}
}

# client CASE [ARGS...]: agent_client.py CASE against the agent, its output
# on stdout; its exit status.
client() {
	"${CLIENT_EXEC[@]}" python3 "$CLIENT" --host "${AGENT_HOST:-127.0.0.1}" --port "$AGENT_PORT" \
		--key "$T/agent.key" --marker "$T/pwned" "$@"
}

# serves: the agent still serves a correct session (handshake, DESCRIBE, MACHINE).
serves() {
	local out
	out=$(client handshake) || {
		echo "the agent no longer serves a correct session: $out" >&2
		return 1
	}
	[[ "$out" == "OK host="* ]]
}

# refused CASE...: for each case of agent_client.py, the agent refuses it as
# the protocol says, logs exactly one line about each connection refused
# (and nothing else but the "done" line of a good session the case made),
# and serves a correct session after it.
refused() {
	local c since out rc peers p added expect
	for c in "$@"; do
		since=$(log_lines)
		rc=0
		out=$(client "$c") || rc=$?
		printf '== %s: exit %s\n%s\n' "$c" "$rc" "$out"
		[ "$rc" -eq 0 ] || return 1
		peers=$(sed -n 's/^peer=//p' <<<"$out")
		[ -n "$peers" ] || { echo "$c: no refused connection announced" >&2; return 1; }
		expect=0
		for p in $peers; do
			peer_logged "$p" "$since" || return 1
			expect=$((expect + 1))
		done
		added=$(tail -n +"$((since + 1))" "$T/agent.err")
		expect=$((expect + $(grep -c ': done: no run$' <<<"$added" || true)))
		[ "$(grep -c . <<<"$added")" -eq "$expect" ] || {
			echo "$c: the agent wrote lines beyond one per refused peer:" >&2
			echo "$added" >&2
			return 1
		}
		serves || return 1
	done
}

# gone_pid PID...: none of these processes runs any more, within 5 s (a
# server's PR_SET_PDEATHSIG is delivered, not instant). A zombie has ended:
# the init it was handed to reaps it in its own time.
gone_pid() {
	local p left
	for _ in $(seq 100); do
		left=
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null || continue
			[ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" = Z ] && continue
			left="$left $p"
		done
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	ps -o pid,ppid,stat,args -p "${left# }" >&2
	return 1
}
