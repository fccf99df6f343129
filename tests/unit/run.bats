#!/usr/bin/env bats
# tests/run, which make check runs: the total line at the end, summed over
# the suites, whatever the output goes to.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

RUN=$BATS_TEST_DIRNAME/../run

setup() {
	mkdir -p "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	printf '%s\n' '@test one { true; }' '@test two { false; }' \
		'@test three { skip "not here"; }' >"$BATS_TEST_TMPDIR/a/a.bats"
	printf '%s\n' '@test four { true; }' '@test five { true; }' \
		>"$BATS_TEST_TMPDIR/b/b.bats"
}

@test "the last line sums passed, failed and skipped over the suites, and the status says failed" {
	run -1 --separate-stderr "$RUN" "bats:$BATS_TEST_TMPDIR/a" "bats:$BATS_TEST_TMPDIR/b"
	assert_equal "${lines[-1]}" "3 passed, 1 failed, 1 skipped"
}

# Inside a test, PATH starts with bats' libexec, whose bats needs the
# bats_readlinkf function that /usr/bin/bats exports. script(1) runs the
# command with $SHELL, /bin/sh (dash) when SHELL is unset as on CI, and dash
# drops exported functions: the inner run is given the real entry point.
@test "the same on a terminal, with or without a TERM that tput knows" {
	local term
	for term in TERM=xterm TERM=dumb "-u TERM"; do
		# shellcheck disable=SC2086 # "-u TERM" is two words
		run -1 env $term SHELL=/bin/sh BATS="$BATS_ROOT/bin/bats" \
			script -qec "$RUN bats:$BATS_TEST_TMPDIR/a bats:$BATS_TEST_TMPDIR/b" /dev/null \
			</dev/null
		output=${output//$'\r'/}
		printf '%s\n' "-- with $term:" "$output"
		assert_equal "$(tail -n 1 <<<"$output")" "3 passed, 1 failed, 1 skipped"
	done
}

@test "no skipped part when nothing is skipped, and success when nothing failed" {
	run -0 --separate-stderr "$RUN" "bats:$BATS_TEST_TMPDIR/b"
	assert_equal "${lines[-1]}" "2 passed, 0 failed"
}

@test "tests a failed setup_file kept from running count as failed" {
	printf '%s\n' 'setup_file() { false; }' '@test six { true; }' \
		'@test seven { true; }' >"$BATS_TEST_TMPDIR/b/c.bats"
	run -1 --separate-stderr "$RUN" "bats:$BATS_TEST_TMPDIR/b/c.bats"
	assert_equal "${lines[-1]}" "0 passed, 2 failed"
}

@test "an unknown suite is refused" {
	run -2 --separate-stderr "$RUN" nonsense
	[[ $stderr == *"unknown suite nonsense"* ]]
}
