#!/usr/bin/env bats
# The docs stay true to the programs: README.md is short, every long option a
# program's --help prints is in its man page, every key the sweep-file parser
# takes is in copyscope-sweep(5), every relative link of the Markdown docs
# points at a file of the repository, and no doc sends the reader to a file
# outside it. Each failure names what is missing and where.

setup() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	BIN=${COPYSCOPE_BIN:-bin}
	case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
	MAN=$ROOT/man
}

# roff_text PAGE: the page's source with the escapes that matter here undone
# (\- is -, font changes \fB \fI \fR \fP and \& dropped), so "\fB\-\-impl\fR"
# reads "--impl".
roff_text() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$1"
}

# long_options: the --options in the text on stdin, one a line, each once.
long_options() {
	grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# has_option TEXT OPTION: OPTION appears in TEXT as a whole option (--size,
# not --size-max).
has_option() {
	printf '%s\n' "$1" | grep -qE -- "$2([^a-z0-9-]|\$)"
}

# section_of PAGE COMMAND: the text of copyscope(1)'s "copyscope COMMAND"
# subsection, up to the next .SS or .SH.
section_of() {
	roff_text "$1" | awk -v want="copyscope $2" '
		/^\.S[SH] / { t = $0; sub(/^\.S[SH] +/, "", t); gsub(/"/, "", t); on = (t == want); next }
		on { print }'
}

# options_of PAGE: the text of PAGE's OPTIONS section (the synopsis and the
# examples do not count).
options_of() {
	roff_text "$1" | awk '/^\.SH / { on = ($2 == "OPTIONS"); next } on'
}

# program_help PROGRAM [ARGS]: what PROGRAM --help prints; fails the test
# (naming the program) when it does not exit 0 or prints nothing.
program_help() {
	local out rc=0
	out=$("$@" --help 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] || [ -z "$out" ]; then
		echo "$* --help: exit $rc, output: $out" >&2
		return 1
	fi
	printf '%s\n' "$out"
}

# anchors_of FILE: the anchors GitHub gives FILE's headings (outside code
# blocks), one a line: lower case, punctuation dropped, spaces made dashes.
anchors_of() {
	LC_ALL=C awk '/^```/ { code = !code; next } !code && /^#+ / { sub(/^#+ +/, ""); print }' "$1" |
		LC_ALL=C tr 'A-Z' 'a-z' | LC_ALL=C sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}

# md_files: README.md and docs/*.md, relative to ROOT.
md_files() {
	(cd "$ROOT" && ls README.md docs/*.md)
}

# doc_files: every doc this file checks, relative to ROOT.
doc_files() {
	(cd "$ROOT" && ls README.md docs/*.md man/*)
}

@test "README.md is at most 12 KiB (12288 bytes)" {
	size=$(wc -c <"$ROOT/README.md")
	echo "README.md: $size bytes"
	if [ "$size" -gt 12288 ]; then
		echo "README.md is $size bytes, more than 12288: move the detail into docs/" >&2
		return 1
	fi
}

@test "man pages render without warnings" {
	command -v groff >/dev/null || skip "groff is not installed"
	for page in "$MAN"/*.[15]; do
		err=$(groff -man -Tascii -ww -z "$page" 2>&1)
		if [ -n "$err" ]; then
			echo "$page: $err" >&2
			return 1
		fi
	done
}

@test "every command copyscope --help lists has its section in copyscope(1)" {
	help=$(program_help "$BIN/copyscope")
	cmds=$(printf '%s\n' "$help" | awk '/^  [a-z]+ / { print $1 }')
	[ -n "$cmds" ] || { echo "copyscope --help lists no command: $help" >&2; return 1; }
	missing=
	for c in $cmds; do
		[ -n "$(section_of "$MAN/copyscope.1" "$c")" ] ||
			missing="$missing man/copyscope.1: no section \"copyscope $c\";"
	done
	[ -z "$missing" ] || { echo "$missing" >&2; return 1; }
}

@test "every long option of copyscope and of each command's --help is in that command's section of copyscope(1)" {
	help=$(program_help "$BIN/copyscope")
	page=$(roff_text "$MAN/copyscope.1")
	missing=
	for o in $(printf '%s\n' "$help" | long_options); do
		has_option "$page" "$o" || missing="$missing copyscope $o: not in man/copyscope.1;"
	done
	for c in $(printf '%s\n' "$help" | awk '/^  [a-z]+ / { print $1 }'); do
		sub=$(program_help "$BIN/copyscope" "$c")
		section=$(section_of "$MAN/copyscope.1" "$c")
		for o in $(printf '%s\n' "$sub" | long_options) --help; do
			has_option "$section" "$o" ||
				missing="$missing copyscope $c $o: not in man/copyscope.1 (section \"copyscope $c\");"
		done
	done
	[ -z "$missing" ] || { echo "$missing" >&2; return 1; }
}

@test "every long option of copyscope-server --help is in the OPTIONS of copyscope-server(1)" {
	help=$(program_help "$BIN/copyscope-server")
	page=$(options_of "$MAN/copyscope-server.1")
	[ -n "$page" ] || { echo "man/copyscope-server.1 has no OPTIONS section" >&2; return 1; }
	missing=
	for o in $(printf '%s\n' "$help" | long_options); do
		has_option "$page" "$o" || missing="$missing copyscope-server $o: not in the OPTIONS section of man/copyscope-server.1;"
	done
	[ -z "$missing" ] || { echo "$missing" >&2; return 1; }
}

@test "every long option of copyscope-client --help is in the OPTIONS of copyscope-client(1)" {
	help=$(program_help "$BIN/copyscope-client")
	page=$(options_of "$MAN/copyscope-client.1")
	[ -n "$page" ] || { echo "man/copyscope-client.1 has no OPTIONS section" >&2; return 1; }
	missing=
	for o in $(printf '%s\n' "$help" | long_options); do
		has_option "$page" "$o" || missing="$missing copyscope-client $o: not in the OPTIONS section of man/copyscope-client.1;"
	done
	[ -z "$missing" ] || { echo "$missing" >&2; return 1; }
}

@test "every key harness/sweepfile.c accepts is described in copyscope-sweep(5)" {
	keys=$(sed -n 's/^[[:space:]]*\[K_[A-Z_]*\][[:space:]]*=[[:space:]]*{[[:space:]]*"\([a-z_]*\)".*/\1/p' \
		"$ROOT/harness/sweepfile.c")
	[ "$(printf '%s\n' "$keys" | grep -c .)" -ge 10 ] || {
		echo "found only these keys in harness/sweepfile.c's key table: $keys" >&2
		return 1
	}
	# the KEYS section, where each key's entry is a tag line "KEY = VALUE"
	# (\fBKEY\fR = ...); the examples elsewhere do not count
	page=$(roff_text "$MAN/copyscope-sweep.5" | awk '/^\.SH / { on = ($2 == "KEYS"); next } on')
	[ -n "$page" ] || { echo "man/copyscope-sweep.5 has no KEYS section" >&2; return 1; }
	missing=
	for k in $keys; do
		printf '%s\n' "$page" | grep -qE "^$k = " ||
			missing="$missing key $k: no \"$k = ...\" entry in the KEYS section of man/copyscope-sweep.5;"
	done
	[ -z "$missing" ] || { echo "$missing" >&2; return 1; }
}

@test "every relative link in README.md and docs/*.md points at a file (and heading) in the repository" {
	bad=
	for f in $(md_files); do
		dir=$(dirname "$ROOT/$f")
		# inline links and images: ](target) or ](target "title")
		for target in $(grep -oE '\]\([^) ]+' "$ROOT/$f" | sed 's/^](//'); do
			case $target in
			http://* | https://* | mailto:*) continue ;;
			esac
			path=${target%%#*}
			anchor=
			case $target in *'#'*) anchor=${target#*#} ;; esac
			[ -n "$path" ] || path=$(basename "$f")
			resolved=$(realpath -m "$dir/$path")
			case $resolved in
			"$ROOT" | "$ROOT"/*) ;;
			*)
				bad="$bad $f: $target: outside the repository;"
				continue
				;;
			esac
			if [ ! -e "$resolved" ]; then
				bad="$bad $f: $target: no such file;"
			elif [ -n "$anchor" ] && [ "${resolved%.md}" != "$resolved" ] &&
				! anchors_of "$resolved" | grep -qxF -- "$anchor"; then
				bad="$bad $f: $target: no heading with that anchor;"
			fi
		done
	done
	[ -z "$bad" ] || { echo "$bad" >&2; return 1; }
}

@test "no doc mentions DESIGN.md or a path outside the repository" {
	bad=
	for f in $(doc_files); do
		if grep -niE 'design\.md' "$ROOT/$f" >/dev/null; then
			bad="$bad $f: mentions $(grep -noiE 'design\.md' "$ROOT/$f" | head -n 1);"
		fi
		# absolute paths: only the kernel's and the system's interfaces
		# (/sys, /proc, /run/netns, /dev, /usr, /etc) may be named
		hits=$(grep -noE '(^|[[:space:]`("'\''=])(/[A-Za-z0-9._-]+)+' "$ROOT/$f" |
			sed -E 's/^([0-9]+):[[:space:]`("'\''=]?/\1:/' |
			grep -vE '^[0-9]+:/(sys|proc|run|dev|usr|etc)(/|$)' || true)
		[ -z "$hits" ] || bad="$bad $f: names $(printf '%s' "$hits" | tr '\n' ' ');"
		# home folders and parent folders of the checkout
		hits=$(grep -noE '(~/|\$HOME|(\.\./){2,})[^ )]*' "$ROOT/$f" || true)
		[ -z "$hits" ] || bad="$bad $f: names $(printf '%s' "$hits" | tr '\n' ' ');"
	done
	[ -z "$bad" ] || { echo "$bad" >&2; return 1; }
}
