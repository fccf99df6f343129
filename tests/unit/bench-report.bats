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

@test "without the boot harness, the image section and the image target say why" {
	results
	jq '.unavailable = "no-unmkinitramfs" | .images = []' "$RESULTS/boot.json" >"$COPY/boot.json"
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line "| under 64 KiB added to an image beyond the vfio modules | not measured (see below) | – |"
	assert_line "Not measured: unmkinitramfs (initramfs-tools-core) is not installed."
	refute_output --partial "| dracut-systemd |"
	assert_line "The sections add up to 69485"
}

@test "the own-work miss at the largest size names the kernel's share only when it alone is over the target" {
	run -0 --separate-stderr "$REPORT" "$RESULTS"
	assert_line "  helper's system time is 2.87 µs a function at 1024 here"
	results
	jq '(.results[] | select(.command == "helper") | .system) = 0.001' \
		"$RESULTS/hyperfine/1024-helper.json" >"$COPY/hyperfine/1024-helper.json"
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line --partial "- **Own work on 1024 functions.**"
	refute_output --partial "system time is"
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

@test "it takes one directory, and a previous document before it" {
	run -2 --separate-stderr "$REPORT"
	stderr_is "usage: bench/report.py [--previous OLD.md] RESULTS >docs/benchmarks.md"
	run ! "$REPORT" "$RESULTS" "$RESULTS"
	run ! "$REPORT" --previous "$EXPECTED" "$RESULTS" "$RESULTS"
	run -0 "$REPORT" --previous "$EXPECTED" "$RESULTS"
}

# The boot's path: the fixture's paired rounds (hyperfine/paths) put the
# helper's dry run at 1.5× its floor at 1024 functions.

# paths_ratio RATIO: results() with the boot's path's helper at RATIO times
# its floor in every round at 1024 functions.
paths_ratio() {
	local f
	rm -rf "$BATS_TEST_TMPDIR/results"
	results
	for f in "$RESULTS"/hyperfine/paths/1024-*.json; do
		jq --argjson k "$1" '(.results[] | select(.command == "boot-floor") | .times) as $floor
			| (.results[] | select(.command == "boot-helper") | .times) = [$floor[] * $k]' \
			"$f" >"$COPY/hyperfine/paths/${f##*/}"
	done
}

@test "the boot's path: helper and floor on both paths, the target at the largest size, and where the time above the floor goes" {
	run -0 --separate-stderr "$REPORT" "$RESULTS"
	assert_line "| helper within 1.15× of the floor on the boot's path on 1024 functions | 1.50× (12.4 ms ÷ 8.28 ms, dry run ÷ floor; median of 2 paired rounds, 1.50–1.50×); under \`--root\` 1.44× | **missed** |"
	assert_line "| 1024 | the boot's path | 12.4 [12.1–12.6] | 8.28 [8.06–8.38] | 1.50× | 1.50–1.50× | 4.04 |"
	assert_line "| 64 | \`--root\` | 3.31 [3.22–3.35] | 2.17 [2.12–2.20] | 1.52× | 1.52–1.52× | 17.78 |"
	# system calls per function by kind, after the empty tree's
	assert_line "| \`read\` | 2.25 | 1.00 | 0.00 | 1.00 | +1.25 |"
	assert_line "| \`openat2\` | 0.00 | 0.00 | 0.00 | 1.00 | |"
	assert_line "| **total** | 5.63 | 3.00 | 4.01 | 3.00 | +2.62 |"
	assert_line "  It makes 5.63 system calls a function to the floor's 3.00: \`read\` +1.25, \`newfstatat\` +1.12, \`close\` +0.12, \`openat\` +0.12."
	assert_line "  Attributes it opens, per function: \`vendor\` 1.000, \`device\` 0.125 (the floor: \`vendor\` 1)."
	assert_line --partial "configuration directories the host has (\`/etc/modprobe.d\`, \`/usr/lib/modprobe.d\`),"
}

@test "the boot's path within 1.15× of its floor meets the target, and the targets explain nothing" {
	paths_ratio 1.15
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line --regexp '^\| helper within 1\.15× of the floor on the boot.s path on 1024 functions \| 1\.15× .* \| met \|$'
	refute_output --partial "- **The boot's path on 1024 functions.**"
	# the section keeps its breakdown
	assert_line "| **total** | 5.63 | 3.00 | 4.01 | 3.00 | +2.62 |"
	# control: just over it
	paths_ratio 1.16
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line --regexp '^\| helper within 1\.15× .* \| \*\*missed\*\* \|$'
}

@test "a paired timing or a trace of the boot's path missing is named, and no document is written" {
	results
	rm "$COPY"/hyperfine/paths/1024-*.json
	run -1 --separate-stderr "$REPORT" "$COPY"
	assert_output ""
	stderr_is "bench/report.py: no paired timing of boot-helper on 1024 functions"
	rm -rf "$COPY"
	results
	sed -i '/\tboot-floor\t/d' "$COPY/syscalls.tsv"
	run -1 --separate-stderr "$REPORT" "$COPY"
	stderr_is "bench/report.py: no system calls of boot-floor on 1024 and 0 functions"
}

@test "a note on the machine's other work is printed in bold under the machine" {
	results
	jq '.note = "Another build ran meanwhile."' "$RESULTS/run.json" >"$COPY/run.json"
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line "**Another build ran meanwhile.**"
	run -0 --separate-stderr "$REPORT" "$RESULTS"
	refute_output --partial "ran meanwhile"
}

# The paired boots (bench/boot, bench/boottime.py): fixtures/bench/boots holds
# a made-up run of three pairs (one boot not counted) and a serial log.
BOOTTIME=$BATS_TEST_DIRNAME/../../bench/boottime.py
BOOTS=$BATS_TEST_DIRNAME/fixtures/bench/boots

# with_boots: results() and the made-up paired boots, in $COPY/boots.
with_boots() {
	rm -rf "$BATS_TEST_TMPDIR/results"
	results
	mkdir "$COPY/boots"
	cp "$BOOTS/run.json" "$BOOTS/boots.tsv" "$COPY/boots/"
}

# with_modules CONDITION VALUE: with_boots, the column of the module loading
# set to VALUE in the boots where the awk CONDITION holds.
with_modules() {
	with_boots
	awk -F'\t' -v OFS='\t' -v value="$2" "!/^#/ && ($1) { \$11 = value } 1" \
		"$BOOTS/boots.tsv" >"$COPY/boots/boots.tsv"
}

@test "a serial log gives the real root's uptime, /init, and the helper's two runs" {
	run -0 --separate-stderr "$BOOTTIME" parse "$BOOTS/sample.log"
	stderr_is ""
	# status real_root initramfs run1 (start, first decision, end) modules
	# (the helper's own time of its loading) run2 (start, end)
	assert_output "$(printf '%s\t' ok 31.250000 2.500000 10.000000 10.250000 \
		10.270000 0.175500 25.000000)25.040000"
	# without the helper's line (vfio-pci was loaded already), no time
	grep -v 'vfio-bind: loaded vfio-pci' "$BOOTS/sample.log" >"$BATS_TEST_TMPDIR/none.log"
	run -0 "$BOOTTIME" parse "$BATS_TEST_TMPDIR/none.log"
	assert_output --regexp $'^ok\t31\.250000\t2\.500000\t10\.000000\t10\.250000\t10\.270000\t-\t25\.000000\t'
	# the line of a second run is not the first run's loading
	sed 's/^\(VFIOTEST dmesg \[   25\.040000\]\) .*/\1 vfio-bind: loaded vfio-pci and the modules it needs in 9.0 ms/' \
		"$BATS_TEST_TMPDIR/none.log" >"$BATS_TEST_TMPDIR/late.log"
	run -0 "$BOOTTIME" parse "$BATS_TEST_TMPDIR/late.log"
	assert_output --regexp $'^ok\t31\.250000\t2\.500000\t10\.000000\t10\.250000\t10\.270000\t-\t25\.000000\t'
}

@test "a boot that never reached the real root, or did not finish, is not counted" {
	grep -v '^VFIOTEST uptime' "$BOOTS/sample.log" >"$BATS_TEST_TMPDIR/noroot.log"
	run -0 "$BOOTTIME" parse "$BATS_TEST_TMPDIR/noroot.log"
	assert_output --regexp $'^no-real-root\t-\t2\\.500000\t'
	grep -v '^VFIOTEST done' "$BOOTS/sample.log" >"$BATS_TEST_TMPDIR/unfinished.log"
	run -0 "$BOOTTIME" parse "$BATS_TEST_TMPDIR/unfinished.log"
	assert_output --regexp $'^unfinished\t31\\.250000\t'
}

@test "the paired boots' table: medians, spread, the difference, its interval and the verdict" {
	with_boots
	run -0 --separate-stderr "$REPORT" "$COPY"
	stderr_is ""
	# 0.04 s more, the whole interval under 1% of 60 s
	assert_line "| dracut, systemd /init | \`dracut-systemd\` | 3 | 60.05 | 60.05–60.05 | 60.04–60.06 | +0.04 | +0.02 … +0.06 | +0.1% | met |"
	assert_line "|  | \`dracut-systemd-control\` | 3 | 60.01 | 60.00–60.02 | 60.00–60.02 |  |  |  |  |"
	# 2 s more, the whole interval over 1% of 50 s
	assert_line "| initramfs-tools | \`mkinitramfs\` | 3 | 52.00 | 51.75–52.25 | 51.50–52.50 | +2.00 | +1.00 … +3.00 | +4.0% | **missed** |"
	# an interval that spans the target shows nothing; the boot that did
	# not finish is left out, and named
	assert_line --regexp '^\| dracut host-only, systemd /init \| .dracut-hostonly-boot. \| 3 \| .* \| not shown \(the interval spans the target\) \|$'
	assert_line --regexp '^\|  \| .dracut-hostonly-boot-control. \| 2 \| 40\.25 \|'
	assert_line "Not counted: \`dracut-hostonly-boot-control\` boot 3 (unfinished)."
	# a pair not booted has no line
	refute_output --partial "dracut-shell-control\` |"
	assert_line "**A made-up run: another test run used the CPU.**"
	assert_line --partial "the guest kernel 6.1.0-99-amd64; QEMU emulator version 7.2.99."
}

@test "a release's pairs are named by the release, with the release's kernel" {
	with_boots
	# the rows of the dracut-systemd pair again, as Debian 13's
	awk -F'\t' -v OFS='\t' '!/^#/ && $1 == "dracut-systemd" { $1 = "debian13/" $1; $4 = "debian13/" $4; print }' \
		"$BOOTS/boots.tsv" >>"$COPY/boots/boots.tsv"
	jq '.kernels = {"debian13": "6.12.99-amd64"}' "$BOOTS/run.json" >"$COPY/boots/run.json"
	run -0 --separate-stderr "$REPORT" "$COPY"
	stderr_is ""
	assert_line "| Debian 13 (trixie): dracut, systemd /init | \`debian13/dracut-systemd\` | 3 | 60.05 | 60.05–60.05 | 60.04–60.06 | +0.04 | +0.02 … +0.06 | +0.1% | met |"
	assert_line "|  | \`debian13/dracut-systemd-control\` | 3 | 60.01 | 60.00–60.02 | 60.00–60.02 |  |  |  |  |"
	assert_line --partial "the guest kernel 6.1.0-99-amd64, and each release's own for its images (debian13: 6.12.99-amd64); QEMU"
	# control: a release not booted has no line
	refute_output --partial "sid/"
}

@test "the helper's runs, apart from the boots' spread, against the 1%" {
	with_boots
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line "| \`mkinitramfs\` | 10000 [10000–10000] | 42000 [41500–42500] | 600 [600–600] | 400 [400–400] | 500 [500–500] | 8400 [8400–8400] | 200 [200–200] |"
	assert_line "- dracut, systemd /init: the helper's two runs, 310 ms (median, first to last line of each), are 0.52% of the median time to the real root without it (60.01 s): within the 1%. Loading vfio-pci and its modules takes 100 ms of them; the rest, 210 ms, is 0.35%: within the 1%."
	assert_line "- initramfs-tools: the helper's two runs, 800 ms (median, first to last line of each), are 1.60% of the median time to the real root without it (50.00 s): **over** the 1%. Loading vfio-pci and its modules takes 400 ms of them; the rest, 400 ms, is 0.80%: within the 1%."
	assert_line --partial "Where the helper's runs come to more than 1% (initramfs-tools), the module loading is what goes over, and it must be paid:"
	refute_output --partial "without the module loading"
}

@test "the helper's runs without the module loading, over the 1%, are flagged" {
	# shellcheck disable=SC2016 # awk's fields
	with_modules '$1 == "mkinitramfs" && $2 == "with"' 0.100000
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line --partial "the rest, 700 ms, is 1.40%: **over** the 1%."
	assert_line "**Over the 1% without the module loading: initramfs-tools.** Nothing here explains that part."
	refute_output --partial "the module loading is what goes over"
}

@test "boots with no second run (nothing left for it) count the one run" {
	with_boots
	# shellcheck disable=SC2016 # awk's fields
	awk -F'\t' -v OFS='\t' '!/^#/ && $1 == "dracut-systemd" && $2 == "with" { $12 = "-"; $13 = "-" } 1' \
		"$BOOTS/boots.tsv" >"$COPY/boots/boots.tsv"
	run -0 --separate-stderr "$REPORT" "$COPY"
	# shellcheck disable=SC2016 # the table's backquotes
	assert_line --regexp '^\| `dracut-systemd` \|( [^|]+ \|){5} – \| – \|$'
	assert_line "- dracut, systemd /init: the helper's one run, 300 ms (median, first to last line), is 0.50% of the median time to the real root without it (60.01 s): within the 1%. Loading vfio-pci and its modules takes 100 ms of it; the rest, 200 ms, is 0.33%: within the 1%."
	# control: the pair whose boots kept it
	assert_line --partial "- initramfs-tools: the helper's two runs, 800 ms"
}

@test "boots whose helper loaded nothing give no module figures" {
	with_modules 1 -
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line "| \`mkinitramfs\` | 10000 [10000–10000] | 42000 [41500–42500] | 600 [600–600] | – | 500 [500–500] | 8400 [8400–8400] | 200 [200–200] |"
	assert_line "- initramfs-tools: the helper's two runs, 800 ms (median, first to last line of each), are 1.60% of the median time to the real root without it (50.00 s): **over** the 1%."
	refute_output --partial "Loading vfio-pci and its modules"
}

@test "one boot of an image gives no interval and no verdict" {
	with_boots
	awk -F'\t' '$1 != "mkinitramfs" || $3 == 1' "$BOOTS/boots.tsv" >"$COPY/boots/boots.tsv"
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line "| initramfs-tools | \`mkinitramfs\` | 1 | 52.00 | 52.00–52.00 | 52.00–52.00 | – | – | – | not shown (fewer than 2 boots of an image) |"
}

@test "paired boots not run, or unreadable, are said so" {
	with_boots
	echo '{"unavailable": "BENCH_BOOTS=0", "boots": 0}' >"$COPY/boots/run.json"
	run -0 --separate-stderr "$REPORT" "$COPY"
	assert_line "Not measured: BENCH_BOOTS=0."
	refute_output --partial "| integration | image |"
	with_boots
	printf 'mkinitramfs\twith\t1\n' >>"$COPY/boots/boots.tsv"
	run -1 --separate-stderr "$REPORT" "$COPY"
	assert_output ""
	stderr_has "boots.tsv:20: 3 columns, not 13"
}

# A run without boots and the document it replaces (bench/run: --previous
# BENCH_OUT).

# boots_section FILE: its "## Boot timing" section, to the next section.
boots_section() {
	awk '/^## / { on = /^## Boot timing/ } on' "$1"
}

# no_boots: results() as a run with BENCH_BOOTS=0.
no_boots() {
	with_boots
	echo '{"unavailable": "BENCH_BOOTS=0", "boots": 0}' >"$COPY/boots/run.json"
}

@test "a run without boots carries over the previous document's measured boots, verbatim, under one line" {
	with_boots
	"$REPORT" "$COPY" >"$BATS_TEST_TMPDIR/old.md"
	no_boots
	"$REPORT" --previous "$BATS_TEST_TMPDIR/old.md" "$COPY" >"$BATS_TEST_TMPDIR/new.md"
	run -1 diff <(boots_section "$BATS_TEST_TMPDIR/old.md") \
		<(boots_section "$BATS_TEST_TMPDIR/new.md")
	assert_output "2a3,4
> Carried over from the run of 2026-11-25 16:45 UTC (the previous document, verbatim below): this run made no boots (BENCH_BOOTS=0).
> "
	# the rest is this run's
	run -0 grep -c "^## " "$BATS_TEST_TMPDIR/new.md"
	assert_output "$(grep -c "^## " "$BATS_TEST_TMPDIR/old.md")"
	# carried over again, it still names the run that booted, once
	"$REPORT" --previous "$BATS_TEST_TMPDIR/new.md" "$COPY" >"$BATS_TEST_TMPDIR/newer.md"
	run -0 diff <(boots_section "$BATS_TEST_TMPDIR/new.md") \
		<(boots_section "$BATS_TEST_TMPDIR/newer.md")
	# a run with boots writes its own
	with_boots
	run -0 --separate-stderr "$REPORT" --previous "$BATS_TEST_TMPDIR/new.md" "$COPY"
	refute_output --partial "Carried over"
	assert_line "**A made-up run: another test run used the CPU.**"
}

@test "a run without boots says so when the previous document measured none, or there is none" {
	no_boots
	"$REPORT" "$COPY" >"$BATS_TEST_TMPDIR/old.md"
	run -0 --separate-stderr "$REPORT" --previous "$BATS_TEST_TMPDIR/old.md" "$COPY"
	assert_line "Not measured: BENCH_BOOTS=0."
	refute_output --partial "Carried over"
	run -0 --separate-stderr "$REPORT" --previous "$BATS_TEST_TMPDIR/missing.md" "$COPY"
	assert_line "Not measured: BENCH_BOOTS=0."
	# a document with no boot section at all
	printf '# Benchmarks\n\n## Time\n\nNothing.\n' >"$BATS_TEST_TMPDIR/other.md"
	run -0 --separate-stderr "$REPORT" --previous "$BATS_TEST_TMPDIR/other.md" "$COPY"
	assert_line "Not measured: BENCH_BOOTS=0."
}
