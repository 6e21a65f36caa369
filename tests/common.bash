# Shared setup of the bats suite: bats-support and bats-assert from
# Debian's packages, the tools of this tree on PATH (make check sets it),
# a scratch folder per test, and where the fixtures are.
bats_require_minimum_version 1.5.0

common_setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	ROOT="${ADSIG_ROOT:-$BATS_TEST_DIRNAME/..}"
	export ADSIG_ROOT="$ROOT"	# for the man pages' setup files
	adsig_path
	TD="$ROOT/testdata"
	SHARED="$ROOT/../shared"
	T="$BATS_TEST_TMPDIR"
	export LC_ALL=C
}

# The tools of this tree first on PATH; under make check VALGRIND=1 the
# valgrind wrappers of tests/valgrind before them.
adsig_path() {
	PATH="${ROOT:-${ADSIG_ROOT:-$BATS_TEST_DIRNAME/..}}/bin:$PATH"
	[ -z "${ADSIG_VALGRIND:-}" ] || PATH="$ADSIG_VALGRIND:$PATH"
}

# skip_valgrind REASON: skips a test that valgrind cannot run in
# reasonable time (or whose point is a property valgrind changes, such
# as peak memory or timing).
skip_valgrind() {
	[ -z "${ADSIG_VALGRIND:-}" ] || skip "under valgrind: $*"
}

# Numeric comparison of two values within a relative tolerance (1e-9 by
# default): the contract's rule for computed values.
assert_near() {
	local got="$1" want="$2" tol="${3:-1e-9}"
	awk -v g="$got" -v w="$want" -v t="$tol" 'BEGIN {
		d = g - w; if (d < 0) d = -d; a = w < 0 ? -w : w
		exit !(d <= t * a + 1e-12) }' ||
		fail "got $got, want $want (relative tolerance $tol)"
}
