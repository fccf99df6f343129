#!/usr/bin/env bats
# The docs agree with the program: the exit statuses in the same words in
# --help, the README and the manual page; every option in the manual's
# SYNOPSIS and in --help; the manual page built with the paths it installs
# to.

load common

TOP=$BATS_TEST_DIRNAME/../..

# man_page [MAKE ARGS...]: the manual page as `make` builds it, rendered as
# man shows it, without fonts and with no line wrapped; built in a copy of
# the Makefile, VERSION and docs/, so that the tree is not touched.
man_page() {
	local dir=$BATS_TEST_TMPDIR/build
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$TOP/Makefile" "$TOP/VERSION" "$TOP/docs" "$dir/"
	make -s -C "$dir" vfio-bind.8 "$@" >&2 || return 1
	groff -man -Tascii -P-cbou -rLL=3000n "$dir/vfio-bind.8"
}

# status_lines: "N text" for each exit status of the text on stdin, in
# one of three layouts (--help's, the README's table, the rendered manual),
# in the same words: markup, case of the first letter, a final period and
# line breaks aside.
help_statuses() {
	sed -n '/^Exit status:/,/^$/p' | awk '
		/^ [0-9]  / { if (s != "") print s; s = $0; next }
		/^    / { s = s " " $0 }
		END { if (s != "") print s }'
}

readme_statuses() {
	sed -n 's/^| \([0-9]\) | \(.*\) |$/\1 \2/p' | sed 's/`//g; s/\*\*//g'
}

man_statuses() {
	sed -n '/^EXIT STATUS/,/^FILES/p' | sed -n 's/^ *\([0-9]\)  *\(.*\)$/\1 \2/p'
}

normalise() {
	tr -s ' ' | sed -E 's/^ //; s/^([0-9]) (.)/\1 \l\2/; s/\.$//'
}

@test "the exit statuses read the same in --help, the README and the manual page" {
	local help readme man
	help=$("$VFIO_BIND" --help | help_statuses | normalise)
	readme=$(readme_statuses <"$TOP/README.md" | normalise)
	man=$(man_page | man_statuses | normalise)
	[[ $(wc -l <<<"$help") == 4 ]] || fail "--help does not list 4 statuses: $help"
	assert_equal "$readme" "$help"
	assert_equal "$man" "$help"
	# and they say what check does
	[[ $help == *"2 vfio-pci cannot take the devices"*"for check: the IOMMU is off"* ]]
	[[ $help == *"3 some selected functions"*"check found another problem"* ]]
}

@test "the exit-status comparison can fail: a changed word shows" {
	local help readme
	help=$("$VFIO_BIND" --help | help_statuses | normalise)
	readme=$(sed 's/found another problem/found a problem/' "$TOP/README.md" |
		readme_statuses | normalise)
	[[ $readme != "$help" ]]
}

@test "check exits as the docs say: 2 with the IOMMU off, 3 for another problem, 0 for none" {
	fake_workstation "quiet vfio-pci.ids=10de:1c30"
	fake_set_driver 0000:0b:00.0 vfio-pci
	fake_vfio_node 0000:0b:00.0
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	fake_set_driver 0000:0b:00.0 nouveau
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	fake_cmdline "quiet"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_output --partial "no PCI function is selected"
	fake_cmdline "quiet vfio-pci.ids=10de:1c30"
	rm -rf "$ROOT"/sys/kernel/iommu_groups/* "$ROOT"/sys/devices/pci0000:00/*/iommu_group
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_output --partial "IOMMU is off"
}

@test "every option is in the manual's SYNOPSIS and in --help" {
	local synopsis help opt
	local -a opts
	# the long options of main.c's table
	mapfile -t opts < <(sed -n 's/^[[:space:]]*{"\([a-z-]*\)", [a-z_]*_argument,.*/\1/p' \
		"$TOP/helper/commands/main.c")
	[[ ${#opts[@]} -ge 10 ]] || fail "cannot read the options of helper/commands/main.c: ${opts[*]}"
	synopsis=$(man_page | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p')
	help=$("$VFIO_BIND" --help)
	for opt in "${opts[@]}"; do
		[[ $help == *"--$opt"* ]] || fail "--help lacks --$opt"
		case $opt in
		# the short forms stand for these in the SYNOPSIS
		dry-run) opt=-n ;; root) opt=-r ;; verbose) opt=-v ;; quiet) opt=-q ;;
		help) opt=-h ;; version) opt=-V ;;
		*) opt=--$opt ;;
		esac
		[[ $synopsis == *"$opt"* ]] || fail "the SYNOPSIS lacks $opt: $synopsis"
	done
}

@test "the manual page is built with the paths it installs to, and no placeholder left" {
	run -0 man_page
	assert_line --regexp '^ +/usr/sbin/vfio-bind$'
	assert_line --regexp '^ +/usr/share/vfio-bind/vfio-bind\.sh$'
	# (a placeholder is @NAME@; ADDRESS@VENDOR:DEVICE is no placeholder)
	refute_output --regexp '@[A-Z_]+@'
	run -0 man_page PREFIX=/usr/local
	assert_line --regexp '^ +/usr/local/sbin/vfio-bind$'
	assert_line --regexp '^ +/usr/local/share/vfio-bind/vfio-bind\.sh$'
	assert_line --regexp '^ +/usr/lib/dracut/modules.d/50vfio-bind/$'
	refute_line --regexp '^ +/usr/sbin/vfio-bind$'
	refute_output --regexp '@[A-Z_]+@'
}

@test "a page built by a plain make is rebuilt for the PREFIX of a later make" {
	local dir=$BATS_TEST_TMPDIR/build
	man_page >/dev/null
	run grep -c '^\.I /usr/sbin/vfio-bind$' "$dir/vfio-bind.8"
	assert_output 1
	# as `make && make install PREFIX=/opt/vb` would
	make -s -C "$dir" vfio-bind.8 PREFIX=/opt/vb >&2
	run grep -c '^\.I /opt/vb/sbin/vfio-bind$' "$dir/vfio-bind.8"
	assert_output 1
}

# architecture_files: the helper's files that docs/architecture.md names,
# with their folders.
architecture_files() {
	grep -oE '`[a-z]+/[a-z0-9-]+\.[ch]`' "$1" | tr -d '`' | sort -u
}

@test "docs/architecture.md names every file of helper/, and only files that exist" {
	local doc=$TOP/docs/architecture.md named missing extra
	named=$(architecture_files "$doc")
	missing=$(cd "$TOP/helper" && ls -- */*.c | sort | comm -23 - <(echo "$named"))
	extra=$(cd "$TOP/helper" && echo "$named" |
		while read -r f; do [[ -e $f ]] || echo "$f"; done)
	[[ -z $missing ]] || fail "not in docs/architecture.md: $missing"
	[[ -z $extra ]] || fail "in docs/architecture.md but not in helper/: $extra"
	# control: a file the document does not name is found
	mkdir "$BATS_TEST_TMPDIR/boot"
	touch "$BATS_TEST_TMPDIR/boot/new-stage.c"
	run comm -23 <(cd "$BATS_TEST_TMPDIR" && ls -- */*.c) <(echo "$named")
	assert_output boot/new-stage.c
}
