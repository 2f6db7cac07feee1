#!/usr/bin/env bats
# What a build without a strategy does (issue: the two commands on a fresh
# machine). `make check` builds every strategy, so a build without liburing is
# stood in for by a server that lists uring-zc as absent, the way
# `copyscope-server --list-absent` does in such a build.

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	BIN=${COPYSCOPE_BIN:-bin}
	case $BIN in /*) ;; *) BIN=$REPO/$BIN ;; esac
	T=$BATS_TEST_TMPDIR
	cat >"$T/server" <<SH
#!/bin/sh
case "\$1" in
--list-impls) "$BIN/copyscope-server" --list-impls | grep -v '^uring-zc ' ;;
--list-absent) echo "uring-zc a4 not in this build: <liburing.h> was missing when copyscope was built (install liburing-dev, then make)" ;;
*) exec "$BIN/copyscope-server" "\$@" ;;
esac
SH
	chmod +x "$T/server"
	export COPYSCOPE_SERVER=$T/server
}

@test "the recorded configuration matches what the server was built with" {
	unset COPYSCOPE_SERVER
	cfg=$REPO/${COPYSCOPE_BUILD:-build/default}/config.h
	[ -f "$cfg" ]
	run "$BIN/copyscope-server" --list-impls
	[ "$status" -eq 0 ]
	if grep -q '^#define HAVE_LIBURING 1$' "$cfg"; then
		[[ "$output" == *"uring-zc a4"* ]]
	else
		[[ "$output" != *"uring-zc"* ]]
	fi
	run "$BIN/copyscope-server" --list-absent
	[ "$status" -eq 0 ]
}

@test "a grid marking uring-zc optional runs without it and says so once" {
	run "$BIN/copyscope" sweep "$REPO/perfcfg/sweeps/parte.ini" --out "$T/res" --dry-run
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'left out of this sweep: uring-zc: not in this build' <<<"$output")" = 1 ]
	[[ "$output" == *"install liburing-dev, then make"* ]]
	[[ "$output" == *"120 points x 3 reps = 360 runs"* ]]
	[[ "$output" != *"uring-zc_"* ]]
}

@test "a sweep file naming uring-zc without the mark is bad input that says how to get it" {
	printf 'impls = two-copy uring-zc\nsizes = 1K\nthreads = 1\nduration = 0.1\nevents = software\n' >"$T/mine.ini"
	run "$BIN/copyscope" sweep "$T/mine.ini" --out "$T/res" --dry-run
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "copyscope: $T/mine.ini:1: impls: uring-zc: not in this build: "*"(install liburing-dev, then make)" ]]
	[ ! -e "$T/res" ]
}

@test "copyscope run --impl uring-zc on such a build is bad input that says how to get it" {
	run "$BIN/copyscope" run --impl a4 --size 1K --duration 0.1
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"a4: not in this build: "*"(install liburing-dev, then make)"* ]]
}

@test "an unknown strategy is still named as unknown, with the known ones" {
	run "$BIN/copyscope" run --impl four-copy --size 1K --duration 0.1
	[ "$status" -eq 2 ]
	[[ "$output" == *"four-copy: unknown strategy (expected one of two-copy (a1), one-copy (a2), zero-copy (a3))"* ]]
}

# A stub PATH: not root, and dpkg-query says every package but those named is installed.
stub_packages() {
	stubs="$BATS_TEST_TMPDIR/stubs"
	mkdir -p "$stubs"
	printf '#!/bin/sh\necho 1000\n' >"$stubs/id"
	printf '#!/bin/sh\nfor p; do :; done\ncase " %s " in *" $p "*) exit 1 ;; esac\necho "install ok installed"\n' \
		"$*" >"$stubs/dpkg-query"
	printf '#!/bin/sh\necho "apt-get must not run" >&2\nexit 99\n' >"$stubs/apt-get"
	chmod +x "$stubs/id" "$stubs/dpkg-query" "$stubs/apt-get"
}

@test "without root and without liburing-dev, make profile's packages step goes on, quietly" {
	stub_packages liburing-dev
	run env PATH="$stubs:$PATH" make -C "$REPO" --no-print-directory deps-profile
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ] # the sweep says, once, that uring-zc is left out
	# make check needs every strategy: there the same machine is told what to install
	run env PATH="$stubs:$PATH" make -C "$REPO" --no-print-directory deps
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "copyscope: missing packages; run: sudo apt-get install -y liburing-dev" ]
}

@test "the packages CI removes are the Makefile's, less those a new machine has" {
	run make -C "$REPO" -s print-debs-added
	[ "$status" -eq 0 ]
	[[ " $output " == *" liburing-dev "* ]]
	[[ " $output " == *" libpfm4-dev "* ]]
	[[ " $output " != *" gcc "* ]]
	[[ " $output " != *" make "* ]]
}
