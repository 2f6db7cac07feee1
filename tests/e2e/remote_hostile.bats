#!/usr/bin/env bats
# The harness's end of the remote topology against a hostile agent
# (tests/e2e/fake_agent.py: it authenticates properly, runs a real
# copyscope-server for the client, then answers what each case says is
# wrong). A far host that lies must never crash the harness, write past a
# bound or put a malformed word into runs.csv: each case is a failed row
# (failed:agent_protocol, or agent_version), exit status 1, and no process
# left behind.

load harness_helpers
load workload_helpers

setup() {
	harness_setup
	EV=perfcfg/events/software.events
	"$CS" agent --new-key "$T/agent.key" >/dev/null
	FAKE_PID=
}

teardown() {
	if [ -n "${FAKE_PID:-}" ]; then kill "$FAKE_PID" 2>/dev/null || true; fi
	return 0
}

# fake MODE: the hostile agent in the background; sets FAKE_PID and PORT.
fake() {
	python3 "$BATS_TEST_DIRNAME/fake_agent.py" "$T/agent.key" "$BIN/copyscope-server" "$1" \
		>"$T/fake.out" 2>"$T/fake.err" &
	FAKE_PID=$!
	PORT=
	for _ in $(seq 100); do
		PORT=$(head -n1 "$T/fake.out")
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	cat "$T/fake.err" >&2
	return 1
}

# against_fake MODE: one `copyscope run --remote` against it; its row in $T/runs.csv.
against_fake() {
	fake "$1"
	run timeout 60 "$CS" run --remote "127.0.0.1:$PORT" --key-file "$T/agent.key" --impl two-copy \
		--size 1K --duration 0.3 --warmup 0.1 --events "$EV" --out "$T/runs.csv"
	echo "rc=$status: $output"
	cat "$T/fake.err"
	RUN_STATUS=$status RUN_OUT=$output
	wait "$FAKE_PID" || true
	FAKE_PID=
	[ "$RUN_STATUS" -eq "$([ "$1" = ok ] && echo 0 || echo 1)" ]
	run grep -Eq "$SANITIZER_REPORT" <<<"$RUN_OUT"
	[ "$status" -eq 1 ]
}

@test "a correct fake agent: the row is ok, its counts come from the agent" {
	against_fake ok
	[ "$(col status "$T/runs.csv")" = ok ]
	[ "$(col topology "$T/runs.csv")" = remote ]
	[ "$(col srv_ctx_switches "$T/runs.csv")" = 100 ]
}

@test "a RESULT whose failure is no word: failed:agent_protocol, the word never reaches runs.csv" {
	against_fake status
	[ "$(col status "$T/runs.csv")" = failed:agent_protocol ]
	run grep -q '"y"' "$T/runs.csv"
	[ "$status" -eq 1 ]
}

@test "CPU numbers out of range, a signed count: failed:agent_protocol" {
	against_fake oncpu
	[ "$(col status "$T/runs.csv")" = failed:agent_protocol ]
	against_fake counter
	[ "$(col status "$T/runs.csv")" = failed:agent_protocol ]
}

@test "half a frame unasked mid-run: a failed agent_ row within the answer time-out, no workload left" {
	against_fake midrun
	st=$(col status "$T/runs.csv")
	[[ "$st" == failed:agent_protocol || "$st" == failed:agent_timeout ]]
	run pgrep -f "copyscope-client --host 127.0.0.1 --port $PORT "
	[ "$status" -eq 1 ]
}

@test "an agent of another protocol version: failed:agent_version, naming both versions" {
	against_fake version
	[ "$(col status "$T/runs.csv")" = failed:agent_version ]
	[[ "$RUN_OUT" == *"version 2, this end version 1"* ]]
}
