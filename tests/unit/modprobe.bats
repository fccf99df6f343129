#!/usr/bin/env bats
# modprobe.d's options vfio-pci ids= as a selection, read as libkmod reads
# it (libkmod/libkmod-config.c): its directories, a name in an earlier one
# hiding the same name in a later one, files in name order, joined lines,
# the command line's ids= after modprobe.d's; and driverctl's overrides.

load common

setup() {
	fake_workstation
}

# conf DIR NAME TEXT: a modprobe.d file under the root
conf() {
	mkdir -p "$ROOT/$1"
	printf '%s\n' "$3" >"$ROOT/$1/$2"
}

plan() {
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run "$@"
}

@test "control: without modprobe.d or driverctl nothing is selected" {
	plan
	assert_success
	assert_output ""
}

@test "options vfio-pci ids= in /etc/modprobe.d selects, with nothing on the command line" {
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=10de:1c30,10de:10f1"
	plan
	assert_success
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci
$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	stderr_has "$GPU [10de:1c30] selected by options vfio-pci ids= in /etc/modprobe.d/vfio.conf line 1"
}

@test "every directory libkmod reads counts, vfio_pci is the same module" {
	local dir
	for dir in run/modprobe.d usr/local/lib/modprobe.d usr/lib/modprobe.d lib/modprobe.d; do
		rm -rf "$ROOT/etc" "$ROOT/run" "$ROOT/usr" "$ROOT/lib"
		conf "$dir" vfio.conf "options vfio_pci ids=10de:10f1"
		plan
		assert_success
		assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
		stderr_has "selected by options vfio-pci ids= in /$dir/vfio.conf line 1"
	done
}

@test "files are read in name order whatever their directory: the last ids= wins" {
	conf etc/modprobe.d b.conf "options vfio-pci ids=10de:1c30"
	conf usr/lib/modprobe.d a.conf "options vfio-pci ids=10de:10f1"
	plan
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
	# and the other way round
	mv "$ROOT/etc/modprobe.d/b.conf" "$ROOT/etc/modprobe.d/0.conf"
	plan
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	stderr_has "selected by options vfio-pci ids= in /usr/lib/modprobe.d/a.conf line 1"
}

@test "a NUL byte ends its line, not the file, as libkmod reads it" {
	mkdir -p "$ROOT/etc/modprobe.d"
	printf '# \0options vfio-pci ids=10de:10f1\noptions vfio-pci ids=10de:1c30\0,10de:10f1\n' \
		>"$ROOT/etc/modprobe.d/vfio.conf"
	plan
	assert_success
	# the line after the first NUL is read; in each line, nothing after it
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
	stderr_has "$GPU [10de:1c30] selected by options vfio-pci ids= in /etc/modprobe.d/vfio.conf line 2"
}

@test "a file in /etc/modprobe.d hides the same name in /usr/lib/modprobe.d" {
	conf usr/lib/modprobe.d vfio.conf "options vfio-pci ids=10de:1c30"
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=10de:10f1"
	plan
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	# a link to /dev/null masks it (the root's /dev/null)
	mkdir -p "$ROOT/dev"
	mknod "$ROOT/dev/null" c 1 3
	ln -sf /dev/null "$ROOT/etc/modprobe.d/vfio.conf"
	plan
	assert_success
	assert_output ""
	# control: without the mask the lower one applies
	rm "$ROOT/etc/modprobe.d/vfio.conf"
	plan
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "a link in modprobe.d leads within the root, as on the system it is the root of" {
	# /vfio-bind-test.conf is the root's only: the host has none
	[[ ! -e /vfio-bind-test.conf ]]
	printf 'options vfio-pci ids=10de:1c30\n' >"$ROOT/vfio-bind-test.conf"
	mkdir -p "$ROOT/etc/modprobe.d"
	ln -s /vfio-bind-test.conf "$ROOT/etc/modprobe.d/vfio.conf"
	plan
	assert_success
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
	# control: a link to a directory of the root is skipped, as libkmod
	# skips a directory
	rm "$ROOT/vfio-bind-test.conf"
	mkdir "$ROOT/vfio-bind-test.conf"
	plan
	assert_success
	assert_output ""
}

@test "only *.conf files count, hidden ones and directories not" {
	conf etc/modprobe.d vfio.txt "options vfio-pci ids=10de:1c30"
	conf etc/modprobe.d .vfio.conf "options vfio-pci ids=10de:1c30"
	conf etc/modprobe.d/dir.conf x.conf "options vfio-pci ids=10de:1c30"
	plan
	assert_output ""
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=10de:1c30"
	plan
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "two ids= in one file: the later line wins, and it is named" {
	conf etc/modprobe.d vfio.conf "# passthrough
options vfio-pci ids=10de:1c30
options vfio-pci disable_vga=1 ids=10de:10f1 nointxmask=1"
	plan
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	stderr_has "selected by options vfio-pci ids= in /etc/modprobe.d/vfio.conf line 3"
}

@test "a backslash joins lines, as libkmod reads them" {
	conf etc/modprobe.d vfio.conf 'options vfio-pci \
	ids=10de:1c30,\
10de:10f1'
	plan
	assert_line --index 0 "$GPU 10de:1c30 nouveau -> vfio-pci"
	assert_line --index 1 "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
}

@test "the command line's vfio-pci.ids= comes after modprobe.d's and wins" {
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=10de:1c30"
	fake_cmdline "quiet vfio-pci.ids=10de:10f1"
	plan
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	stderr_has "$AUDIO [10de:10f1] selected by vfio-pci.ids= on the kernel command line"
	# control: without it, modprobe.d's applies
	fake_cmdline "quiet"
	plan
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "vfio-bind.addrs= adds to modprobe.d's IDs, each function naming its source" {
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=10de:1c30"
	fake_cmdline "vfio-bind.addrs=$AUDIO"
	plan
	assert_success
	stderr_has "$GPU [10de:1c30] selected by options vfio-pci ids= in /etc/modprobe.d/vfio.conf line 1"
	stderr_has "$AUDIO [10de:10f1] selected by vfio-bind.addrs= on the kernel command line"
}

@test "another module's options and other parameters select nothing" {
	conf etc/modprobe.d other.conf "options snd-hda-intel ids=10de:10f1
options vfio-pci disable_vga=1
softdep nouveau pre: vfio-pci"
	plan
	assert_success
	assert_output ""
}

@test "malformed lines: one warning each naming the fix, the rest still applies" {
	conf etc/modprobe.d vfio.conf "option vfio-pci ids=10de:1c30
options vfio-pci.ids=10de:1c30
options vfio-pci
options vfio-pci ids=10de:10f1
blacklist nouveau"
	plan
	assert_success
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	stderr_has '/etc/modprobe.d/vfio.conf line 1: "option vfio-pci ids=10de:1c30" is no modprobe.d line that vfio-pci gets; skipped: write options vfio-pci ids=vendor:device[,...]'
	stderr_has '/etc/modprobe.d/vfio.conf line 2: "options vfio-pci.ids=10de:1c30" is no modprobe.d line'
	stderr_has '/etc/modprobe.d/vfio.conf line 3: "options vfio-pci" is no modprobe.d line'
	stderr_lacks "line 4:"
	stderr_lacks "line 5:"
}

@test "a bad entry in modprobe.d's ids= is named with its file and line" {
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=10de:1c30,junk"
	plan
	assert_success
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
	stderr_has 'options vfio-pci ids= in /etc/modprobe.d/vfio.conf line 1: entry "junk" is not vendor:device'
}

@test "an ids= in modprobe.d that vfio-pci would refuse stops the run, naming the line" {
	conf etc/modprobe.d vfio.conf "options vfio-pci ids"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_has "vfio-pci.ids without '=' makes vfio-pci fail to load (in /etc/modprobe.d/vfio.conf line 1)"
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=$(printf '10de:1c30,%.0s' {1..103})"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_has "vfio-pci.ids= (in /etc/modprobe.d/vfio.conf line 1) is 1030 characters long"
}

@test "list marks the functions modprobe.d selects" {
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=10de:1c30"
	run -0 "$VFIO_BIND" --root "$ROOT" list --json
	[[ $output == *'"address": "0000:0b:00.0"'*'"selected": true'* ]]
}

@test "check names where each function's selection is written" {
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=10de:1c30,10de:10f1"
	fake_set_driver "$GPU" vfio-pci
	fake_set_driver "$AUDIO" vfio-pci
	fake_vfio_node "$GPU"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "ok    $GPU [10de:1c30] is selected by options vfio-pci ids= in /etc/modprobe.d/vfio.conf line 1"
	assert_line "ok    $AUDIO [10de:10f1] is selected by options vfio-pci ids= in /etc/modprobe.d/vfio.conf line 1"
}

# --- driverctl ---------------------------------------------------------

# override ADDRESS DRIVER: what driverctl set-override saves
override() {
	mkdir -p "$ROOT/etc/driverctl.d"
	echo "$2" >"$ROOT/etc/driverctl.d/pci-$1"
}

@test "a driverctl override to vfio-pci selects its function" {
	override "$AUDIO" vfio-pci
	plan
	assert_success
	assert_output "$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	stderr_has "$AUDIO [10de:10f1] selected by driverctl's /etc/driverctl.d/pci-$AUDIO"
}

@test "a driverctl override to another driver selects nothing" {
	override "$AUDIO" snd_hda_intel
	plan
	assert_success
	assert_output ""
}

@test "a driverctl file that names no function is skipped with a warning" {
	override 0b:00 vfio-pci
	override "$GPU" vfio-pci
	plan
	assert_success
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
	stderr_has '/etc/driverctl.d/pci-0b:00: "0b:00" is not a PCI function'"'"'s address'
}

# --- what the integrations carry into the image (hook/vfio-bind-build.sh) -

carry() {
	# shellcheck source=/dev/null
	. "$BATS_TEST_DIRNAME/../../hook/vfio-bind-build.sh"
	vfio_bind_carry_modprobe_options "$ROOT" "$BATS_TEST_TMPDIR/image"
}

@test "the image gets vfio-pci's options lines only, in libkmod's order" {
	conf usr/lib/modprobe.d vfio.conf "options vfio-pci ids=10de:1c30"
	conf etc/modprobe.d vfio.conf "options vfio-pci ids=10de:10f1"
	conf usr/lib/modprobe.d a.conf "options vfio_pci disable_vga=1"
	conf run/modprobe.d z.conf 'options snd-hda-intel model=auto
options	vfio-pci \
nointxmask=1'
	carry
	run -0 cat "$BATS_TEST_TMPDIR/image/etc/modprobe.d/zz-vfio-bind.conf"
	assert_output "# vfio-pci's options lines on the system the image was built on
# /usr/lib/modprobe.d/a.conf
options vfio_pci disable_vga=1
# /etc/modprobe.d/vfio.conf
options vfio_pci ids=10de:10f1
# /run/modprobe.d/z.conf
options vfio_pci nointxmask=1"
}

@test "the carried lines select in the image what the host's files select" {
	conf usr/lib/modprobe.d 0.conf "options vfio-pci ids=10de:1c30"
	conf etc/modprobe.d b.conf "options vfio-pci ids=10de:10f1,10de:1c30"
	conf etc/modprobe.d a.conf "options vfio-pci ids=10de:1c30"
	plan
	local host=$output
	assert_equal "$(wc -l <<<"$host")" 2
	carry
	rm -r "$ROOT/etc" "$ROOT/usr"
	plan
	assert_output ""
	mkdir -p "$ROOT/etc"
	cp -r "$BATS_TEST_TMPDIR/image/etc/modprobe.d" "$ROOT/etc/"
	plan
	assert_output "$host"
}

@test "nothing to carry: no file in the image" {
	conf etc/modprobe.d other.conf "options snd-hda-intel model=auto"
	carry
	[[ ! -e $BATS_TEST_TMPDIR/image/etc/modprobe.d/zz-vfio-bind.conf ]]
}

@test "the driverctl files are listed as on the system" {
	override "$GPU" vfio-pci
	override "$AUDIO" snd_hda_intel
	# shellcheck source=/dev/null
	. "$BATS_TEST_DIRNAME/../../hook/vfio-bind-build.sh"
	run -0 vfio_bind_driverctl_files "$ROOT"
	assert_output "/etc/driverctl.d/pci-$GPU
/etc/driverctl.d/pci-$AUDIO"
}

@test "check reports a driverctl override to another driver for a selected function" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	fake_set_driver "$GPU" vfio-pci
	override "$GPU" nouveau
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_failure 3
	assert_line "FAIL  $GPU conflicts with driverctl's /etc/driverctl.d/pci-$GPU, which gives it to nouveau at every boot"
	assert_line "      fix: driverctl unset-override $GPU"
	# control: an override to vfio-pci is no conflict
	override "$GPU" vfio-pci
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_output --partial "conflicts with driverctl"
}

# --- check: what fights the binding -----------------------------------

# The pair selected and on vfio-pci, a second audio function left on the host.
selected_pair() {
	fake_cmdline "${1:-vfio-pci.ids=10de:1c30,10de:10f1}"
	fake_set_driver "$GPU" vfio-pci
	fake_set_driver "$AUDIO" vfio-pci
	[[ -e $ROOT/sys/bus/pci/devices/0000:00:1f.3 ]] ||
		fake_function 0000:00:1f.3 8086:a348 class=0x040300 driver=snd_hda_intel
}

@test "check warns about a blacklist of a driver a host function needs" {
	selected_pair
	conf etc/modprobe.d blacklist.conf "blacklist nouveau
blacklist snd-hda-intel"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "WARN  0000:00:1f.3 [8086:a348] is not selected and needs snd_hda_intel, which /etc/modprobe.d/blacklist.conf line 2 blacklists: udev will not load it"
	# nouveau drives nothing left to the host: no line
	refute_output --partial "needs nouveau"
	# the same from the command line
	rm "$ROOT/etc/modprobe.d/blacklist.conf"
	selected_pair "vfio-pci.ids=10de:1c30,10de:10f1 modprobe.blacklist=nouveau,snd_hda_intel"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "WARN  0000:00:1f.3 [8086:a348] is not selected and needs snd_hda_intel, which modprobe.blacklist= blacklists: udev will not load it"
	# control: without a blacklist, no such line
	selected_pair
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_output --partial "blacklists"
}

@test "check: a blacklisted vfio-pci fails, softdep and rd.driver.pre are noted as not needed" {
	selected_pair "vfio-pci.ids=10de:1c30,10de:10f1 rd.driver.pre=vfio-pci"
	conf etc/modprobe.d vfio.conf "softdep nouveau pre: vfio-pci
blacklist vfio-pci"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_failure 3
	assert_line "FAIL  blacklist vfio_pci (/etc/modprobe.d/vfio.conf line 2) keeps vfio-bind from loading vfio-pci"
	assert_line "ok    softdep nouveau pre: vfio-pci (/etc/modprobe.d/vfio.conf line 1) is not needed: vfio-bind puts the functions on vfio-pci before udev loads nouveau"
	assert_line --partial "ok    rd.driver.pre=vfio-pci is not needed"
}

@test "check warns when vfio-pci is built into the kernel" {
	selected_pair
	mkdir -p "$ROOT/proc/sys/kernel" "$ROOT/lib/modules/6.1.0-test"
	echo 6.1.0-test >"$ROOT/proc/sys/kernel/osrelease"
	echo "kernel/drivers/vfio/vfio.ko" >"$ROOT/lib/modules/6.1.0-test/modules.builtin"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_output --partial "built into the kernel"
	echo "kernel/drivers/vfio/pci/vfio-pci.ko" >>"$ROOT/lib/modules/6.1.0-test/modules.builtin"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --partial "WARN  vfio-pci is built into the kernel (modules.builtin): modprobe.d's options never reach it"
}
