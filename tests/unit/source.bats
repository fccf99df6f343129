#!/usr/bin/env bats
# The helper's source keeps each message in one string literal, so that a
# line seen in dmesg greps back to where it is written.

load common

TOP=$BATS_TEST_DIRNAME/../..

# split_literals FILE...: "FILE:LINE" for each string literal that goes on
# in a literal on the next line, unless it ends a line of output ("...\n",
# as in --help).
split_literals() {
	awk '
		prev ~ /"[ \t]*$/ && prev !~ /\\n"[ \t]*$/ && $0 ~ /^[ \t]*"/ {
			print FILENAME ":" FNR - 1
		}
		{ prev = $0 }
	' "$@"
}

@test "no message in helper/ is split across string literals" {
	run -0 split_literals "$TOP"/helper/*/*.[ch]
	assert_output ""
}

@test "control: a message split over two literals is found" {
	printf '%s\n' 'ERR("cannot read the '"'"'vendor'"'"' of %s: "' \
		'    "%m", addr);' 'puts("one line\n"' '     "another\n");' \
		>"$BATS_TEST_TMPDIR/split.c"
	run split_literals "$BATS_TEST_TMPDIR/split.c"
	assert_output "$BATS_TEST_TMPDIR/split.c:1"
}
