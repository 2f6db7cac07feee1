#!/usr/bin/env bats
# The test files themselves: no check that cannot fail. bats runs a test under
# `set -e`, which ignores the status of `! cmd` and of every command of an
# `a && b` list but the last, unless that command is the last of the test or
# function (its status is then the test's). So a mid-test `! grep -q x f`
# passes whether or not f holds x, and `[ -f a ] && [ -f b ]` passes without a.
# Write `run cmd` + `[ "$status" -eq 1 ]`, `[[ ... ]]`, or one check a line.

# lint_silent FILE...: prints FILE:LINE: WHY for every command that starts
# with `!`, and every `a && b` list, that is neither the last command of its
# function or test nor one of these forms, whose failure is meant to be
# ignored or is seen:
#   if/elif/while/until conditions          if ! kill -0 "$pid"; then ...
#   a list with an || fallback              [ -x f ] && g || skip "..."
#   a guard whose last step leaves          [ -s f ] && return 0, && break
#     (return, break, continue, exit, skip)
#   inside [[ ]], (( )), ( ), $( ), quotes, comments and here-documents
# Exit status 1 when it printed anything. Reads any shell mawk can split: it
# follows quotes, $( ), ${ } and here-documents across lines.
lint_silent() {
	awk '
	function emit(f, l, why) { printf "%s:%d: %s\n", f, l, why; bad = 1 }
	function push(k) { if (!sp) add("Q"); stk[++sp] = k }
	function add(s) {
		if (sp || dbr) return
		if (skel ~ /^[ \t]*$/ && s !~ /^[ \t]$/) { sline = FNR; sphys = $0 }
		skel = skel s
	}
	# a pending candidate is dropped when the next command closes its function
	function settle(closes) {
		if (pend && !closes) emit(pfile, pend, pwhy)
		pend = 0
	}
	function statement(   s, w, last, k) {
		s = skel; skel = ""
		gsub(/^[ \t]+|[ \t]+$/, "", s)
		if (s == "") return
		if (s == "}") { settle(sphys ~ /^[ \t]*}[ \t]*$/); return }
		settle(0)
		while (match(s, /^(then|do|else|\{)([ \t]+|$)/)) s = substr(s, RLENGTH + 1)
		if (s == "") return
		w = s; sub(/[ \t].*/, "", w)
		if (w ~ /^(if|elif|while|until|for|case|fi|done|esac|\})$/) return
		if (index(s, "||")) return
		if (w == "!") { pend = sline; pfile = FILENAME
			pwhy = "`! cmd` mid-test never fails the test: use `run cmd` and check $status"
			return }
		if (!index(s, "&&")) return
		last = s; while (k = index(last, "&&")) last = substr(last, k + 2)
		sub(/^[ \t]+/, "", last)
		if (last ~ /^(return|break|continue|exit|skip)([ \t;]|$)/) return
		pend = sline; pfile = FILENAME
		pwhy = "`a && b` mid-test: a false `a` never fails the test: one check a line"
	}
	FNR == 1 {
		settle(0)
		sp = 0; dbr = 0; hd = ""; hdnext = ""; skel = ""
	}
	hd != "" {
		t = $0
		if (hdstrip) sub(/^\t+/, "", t)
		if (t == hd) hd = ""
		next
	}
	{
		n = length($0); i = 1; cont = 0
		while (i <= n) {
			c = substr($0, i, 1); c2 = substr($0, i, 2); top = sp ? stk[sp] : ""
			prev = i > 1 ? substr($0, i - 1, 1) : " "
			if (top == "SQ") { if (c == "\047") sp--; i++; continue }
			if (top == "ANSI") { if (c == "\\") i++; else if (c == "\047") sp--; i++; continue }
			if (top == "DQ") {
				if (c == "\\") i += 2
				else if (c == "\"") { sp--; i++ }
				else if (c2 == "$(") { push("CMD"); i += 2 }
				else if (c2 == "${") { push("PARAM"); i += 2 }
				else i++
				continue
			}
			if (c == "\\") { if (i == n) cont = 1; else add("E"); i += 2; continue }
			if (c == "\047") { push(prev == "$" ? "ANSI" : "SQ"); i++; continue }
			if (c == "\"") { push("DQ"); i++; continue }
			if (c2 == "$(" || c2 == "${") { push(c2 == "$(" ? "CMD" : "PARAM"); i += 2; continue }
			if (c == "(") { push("CMD"); i++; continue }
			if (c == ")") { if (top == "CMD") sp--; i++; continue } # else a case pattern
			if (c == "}" && top == "PARAM") { sp--; i++; continue }
			if (top == "PARAM") { i++; continue }
			if (c == "#" && prev ~ /[ \t;|&(]/) break # a comment
			if (c2 == "<<" && substr($0, i + 2, 1) != "<") {
				j = i + 2; strip = 0
				if (substr($0, j, 1) == "-") { strip = 1; j++ }
				while (substr($0, j, 1) ~ /[ \t]/) j++
				q = substr($0, j, 1)
				if (q == "\047" || q == "\"") j++; else q = ""
				w = substr($0, j)
				if (match(w, /^[A-Za-z_][A-Za-z0-9_]*/)) {
					hdnext = substr(w, 1, RLENGTH); hdnextstrip = strip
					i = j + RLENGTH + (q != ""); add("<<H"); continue
				}
			}
			if (sp) { i++; continue }
			if (dbr) { if (c2 == "]]" && prev ~ /[ \t]/) { dbr = 0; add("]]"); i += 2 } else i++; continue }
			if (c2 == "[[" && prev ~ /[ \t;!(]/ && substr($0, i + 2, 1) ~ /[ \t]/) {
				add("[[Q"); dbr = 1; i += 2; continue
			}
			if (c == ";") { statement(); i += c2 == ";;" ? 2 : 1; continue }
			if (c2 == "&&") { add("&&"); i += 2; continue }
			if (c == "&" && prev != ">" && prev != "<" && substr($0, i + 1, 1) != ">") {
				statement(); i++; continue
			}
			add(c); i++
		}
		if (hdnext != "") { hd = hdnext; hdstrip = hdnextstrip; hdnext = "" }
		t = skel; sub(/[ \t]+$/, "", t)
		if (cont || sp || dbr || t ~ /(\||&&)$/) { add(" "); next }
		statement()
	}
	END { settle(0); exit bad }
	' "$@"
}

@test "no test file has a check that cannot fail (mid-test ! or &&)" {
	run lint_silent "$BATS_TEST_DIRNAME"/*.bats "$BATS_TEST_DIRNAME"/*.bash
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the lint names file:line of a planted mid-test ! and &&, and only those" {
	f="$BATS_TEST_TMPDIR/planted.bats"
	# "%test" here, made "@test" below: bats would take a line that starts with @test for one of its own
	cat >"$f" <<'BATS'
%test "silent checks" {
	! true
	[ -f /nonexistent ] && [ -f /etc/passwd ]
	echo "a later line makes both mid-test"
}

%test "the forms that fail, or mean to ignore" {
	if ! true; then echo; fi
	[[ ! -e /nonexistent && -z "" ]]
	grep -q x /dev/null || true
	[ -s /nonexistent ] && return 0
	for _ in 1; do [ -e / ] && break; done
	x=$(false && true) # ! a && b in a comment
	cat <<EOF
! true
a && b
EOF
	awk '{ if (a && b) print }
! x' /dev/null
	[ -x /bin/sh ] && echo sh \
		|| echo none
	! false
}

helper() {
	true && false
}
BATS
	sed -i 's/^%test /@test /' "$f"
	run lint_silent "$f"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "$f:2: \`! cmd\` mid-test never fails the test"* ]]
	[[ "${lines[1]}" == "$f:3: \`a && b\` mid-test"* ]]
	# the same lines last in their test: the test's status, so not flagged
	sed -i '4d' "$f"
	run lint_silent "$f"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "$f:2: "* ]]
}
