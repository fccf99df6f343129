#!/usr/bin/env bats
# bench/report.py, which writes docs/benchmarks.md for make bench, fed the
# raw results of a small made-up run (fixtures/bench/results, laid out as
# bench/run writes bench/cache): the document it must write is
# fixtures/bench/benchmarks.md. When the document changes on purpose:
#   bench/report.py tests/unit/fixtures/bench/results \
#       >tests/unit/fixtures/bench/benchmarks.md

load common

REPORT=$BATS_TEST_DIRNAME/../../bench/report.py
RESULTS=$BATS_TEST_DIRNAME/fixtures/bench/results
EXPECTED=$BATS_TEST_DIRNAME/fixtures/bench/benchmarks.md

# results: a copy of the fixture's results to change, in $COPY.
results() {
	COPY=$BATS_TEST_TMPDIR/results
	cp -r "$RESULTS" "$COPY"
}

@test "the results of a run make the expected document, and nothing goes to stderr" {
	run -0 --separate-stderr "$REPORT" "$RESULTS"
	stderr_is ""
	# run drops the last newlines: compare the bytes as written.
	"$REPORT" "$RESULTS" >"$BATS_TEST_TMPDIR/benchmarks.md"
	run -0 diff -u "$EXPECTED" "$BATS_TEST_TMPDIR/benchmarks.md"
}

@test "without the boot harness, both of its sections and the image target say why" {
	results
	jq '.unavailable = "no-unmkinitramfs" | .images = []' "$RESULTS/boot.json" >"$COPY/boot.json"
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line "| under 64 KiB added to an image beyond the vfio modules | not measured (see below) | – |"
	assert_equal "$(grep -c '^Not measured: unmkinitramfs (initramfs-tools-core) is not installed\.$' <<<"$output")" 2
	refute_output --partial "| dracut-systemd |"
	assert_line "The sections add up to 69485"
}

@test "a peak under 2 MiB meets its target, with no explanation" {
	results
	sed -i 's/^1024\t\(helper\|dry-run\|idempotent\)\t2[0-9]*$/1024\t\1\t1900/' "$COPY/rss.tsv"
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line "| peak memory under 2 MiB | 1900 KiB at most (all sizes, all paths); 1880 KiB at most on 256 functions | met |"
	refute_output --partial "**Peak memory.**"
	assert_line "| **total** | 1780 |"
}

@test "without smaps, no table of mappings, and a peak over 2 MiB goes unexplained" {
	results
	rm "$COPY/smaps"
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line "| peak memory under 2 MiB | 2100 KiB at most (all sizes, all paths); 1880 KiB at most on 256 functions | **missed** |"
	refute_output --partial "| mapping | resident |"
	refute_output --partial "**Peak memory.**"
}

@test "a result missing is named, and no document is written" {
	results
	rm "$COPY/hyperfine/1024-shell.json"
	run -1 --separate-stderr "$REPORT" "$COPY"
	assert_output ""
	stderr_is "bench/report.py: no timing of busybox on 1024 functions"
}

@test "a directory with no run in it is refused" {
	run -1 --separate-stderr "$REPORT" "$BATS_TEST_TMPDIR"
	assert_output ""
	stderr_has "holds no run (no run.json)"
}

@test "it takes one directory" {
	run -2 --separate-stderr "$REPORT"
	stderr_is "usage: bench/report.py RESULTS >docs/benchmarks.md"
	run ! "$REPORT" "$RESULTS" "$RESULTS"
}
