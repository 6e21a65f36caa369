#!/usr/bin/env bats
# Every man page: mandoc -Tlint clean (when mandoc is installed), and its
# EXAMPLES run and print what they show.

load common

setup() {
	common_setup
}

@test "man: every tool has a page, and every page's EXAMPLES run" {
	for c in "$ROOT"/cmd/*.c; do
		n=$(basename "$c" .c)
		[ -f "$ROOT/man/man1/$n.1" ] || fail "no man page for $n"
		run sh "$ROOT/tests/man-examples" "$ROOT/man/man1/$n.1" "$TD/man/$n.setup"
		[ "$status" -eq 0 ] || fail "$n(1): $output"
	done
}

@test "man: pages are mandoc -Tlint clean" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -Tlint -Wwarning "$ROOT"/man/man*/*.[157]
	assert_success
	assert_output ''
}
