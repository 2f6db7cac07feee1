#!/usr/bin/env bash
# bench/run-all.sh — what `make bench` runs: every comparison in bench/, one
# after the other (never at once: they would compete for the same CPUs), with
# the same options (--pairs, --duration, --warmup, --record). A script that
# fails does not stop the others; the exit status is the worst one (2 bad
# input or a missing tool, 1 a failed run, 0 all ran). A missed target is a
# result, not a failure: it is printed, and recorded with --record.
set -u
here=$(dirname "$0")
case " $* " in
*" --help "* | *" -h "*)
	echo "usage: bench/run-all.sh [--pairs N] [--duration S] [--warmup S] [--record]"
	echo "runs bench/vs-iperf3.sh, vs-sockperf.sh, zerocopy.sh, overhead.sh, tcpinfo.sh, sampling.sh, placement.sh and remote.sh with these options"
	exit 0 ;;
esac
worst=0 summary=()
for script in vs-iperf3.sh vs-sockperf.sh zerocopy.sh overhead.sh tcpinfo.sh sampling.sh placement.sh remote.sh; do
	echo "=== bench/$script $*"
	out=$(mktemp)
	"$here/$script" "$@" | tee "$out"
	status=${PIPESTATUS[0]}
	[ "$status" -eq 130 ] && { rm -f "$out"; exit 130; }
	[ "$status" -gt "$worst" ] && worst=$status
	if [ "$status" -eq 0 ]; then
		while IFS= read -r line; do summary+=("bench/$script: $line"); done < <(grep -E '\(target ' "$out")
	else
		summary+=("bench/$script: failed with status $status")
	fi
	rm -f "$out"
	echo
done
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit "$worst"
