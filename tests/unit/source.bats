#!/usr/bin/env bats
# The helper's source keeps each message in one string literal, so that a
# line seen in dmesg greps back to where it is written; and its folders in
# the layers helper/layers orders, so that a lower one never includes a
# higher one.

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

# layer_violations DIR: a line for each source directly in DIR, each folder
# DIR/layers does not name, each include of a header from a folder after
# the file's own in DIR/layers (or from one it does not name), and each
# two folders that include each other.
layer_violations() {
	local dir=$1 file
	for file in "$dir"/*.[ch]; do
		[[ -e $file ]] && echo "${file##*/} is in no folder"
	done
	awk '
		FILENAME ~ /\/layers$/ {
			if ($0 !~ /^(#|$)/)
				rank[$1] = n++
			next
		}
		FNR == 1 {
			n_parts = split(FILENAME, part, "/")
			folder = part[n_parts - 1]
			file = folder "/" part[n_parts]
			if (!(folder in rank) && !(folder in told))
				print folder "/ is not in layers"
			told[folder] = 1
		}
		/^#include "[^"]*\// {
			header = $0
			sub(/^#include "/, "", header)
			sub(/".*/, "", header)
			to = header
			sub(/\/.*/, "", to)
			if (!(to in rank))
				print file " includes " header ": " to "/ is not in layers"
			else if (folder in rank && rank[to] > rank[folder])
				print file " includes " header ": " to "/ is above " folder "/"
			if (to != folder)
				edge[folder, to] = 1
		}
		END {
			for (k in edge) {
				split(k, pair, SUBSEP)
				if ((pair[2], pair[1]) in edge && pair[1] < pair[2])
					print pair[1] "/ and " pair[2] "/ include each other"
			}
		}
	' "$dir/layers" "$dir"/*/*.[ch]
}

# fake_helper FILE LINE...: FILE under a copy of helper/layers in
# $BATS_TEST_TMPDIR/helper, with the lines given.
fake_helper() {
	local file=$BATS_TEST_TMPDIR/helper/$1
	shift
	mkdir -p "${file%/*}"
	cp "$TOP/helper/layers" "$BATS_TEST_TMPDIR/helper/"
	printf '%s\n' "$@" >"$file"
}

@test "no folder of helper/ includes a header of a folder above it" {
	run -0 layer_violations "$TOP/helper"
	assert_output ""
}

@test "control: a lower folder that includes a higher one's header is found" {
	fake_helper pci/pci.c '#include "shared/log.h"' '#include "boot/take.h"'
	fake_helper boot/take.c '#include "shared/log.h"' '#include "boot/take.h"'
	run -0 layer_violations "$BATS_TEST_TMPDIR/helper"
	assert_output "pci/pci.c includes boot/take.h: boot/ is above pci/"
}

@test "control: two folders that include each other are found" {
	fake_helper guard/guard.c '#include "pci/pci.h"'
	fake_helper pci/pci.c '#include "guard/guard.h"'
	run -0 layer_violations "$BATS_TEST_TMPDIR/helper"
	assert_line "pci/pci.c includes guard/guard.h: guard/ is above pci/"
	assert_line "guard/ and pci/ include each other"
	assert_equal "${#lines[@]}" 2
}

@test "control: a folder or a source outside the layers is found" {
	fake_helper tools/tool.c '#include "shared/log.h"'
	fake_helper shared/log.c '#include "extra/x.h"'
	fake_helper stray.c ''
	run -0 layer_violations "$BATS_TEST_TMPDIR/helper"
	assert_line "stray.c is in no folder"
	assert_line "tools/ is not in layers"
	assert_line "shared/log.c includes extra/x.h: extra/ is not in layers"
	assert_equal "${#lines[@]}" 3
}

# layers DIR: the folders DIR/layers names, lowest first.
layers() {
	grep -v -e '^#' -e '^$' "$1/layers"
}

# may_include DIR FOLDER: the folders DIR/layers lets FOLDER include, as
# its README says them ("shared/, pci/").
may_include() {
	local folder list=
	while read -r folder; do
		list+="${list:+, }$folder/"
		[[ $folder == "$2" ]] && break
	done < <(layers "$1")
	echo "$list"
}

@test "each folder's README says what helper/layers lets it include" {
	local folder readme line
	while read -r folder; do
		readme=$TOP/helper/$folder/README.md
		line="May include: $(may_include "$TOP/helper" "$folder")."
		[[ -e $readme ]] || fail "helper/$folder has no README.md"
		grep -qxF "$line" "$readme" || fail "helper/$folder/README.md does not say: $line"
	done < <(layers "$TOP/helper")
	# control: a README that lets its folder include a higher one is found
	fake_helper pci/README.md "May include: shared/, pci/, boot/."
	run -1 grep -qxF "May include: $(may_include "$BATS_TEST_TMPDIR/helper" pci)." \
		"$BATS_TEST_TMPDIR/helper/pci/README.md"
}

# pictured_layers DOC: the folders DOC's picture of the layers draws
# ("helper/FOLDER/  ..." lines, the highest on top), lowest first.
pictured_layers() {
	sed -n 's|^helper/\([a-z]*\)/ .*|\1|p' "$1" | tac
}

@test "docs/architecture.md draws the layers in helper/layers' order" {
	run -0 diff <(layers "$TOP/helper") <(pictured_layers "$TOP/docs/architecture.md")
	# control: a picture with config/ and guard/ swapped differs
	printf 'helper/%s/  files\n' commands boot config guard pci shared \
		>"$BATS_TEST_TMPDIR/picture.md"
	run -1 diff <(layers "$TOP/helper") <(pictured_layers "$BATS_TEST_TMPDIR/picture.md")
}
