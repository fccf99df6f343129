#!/usr/bin/env bats
# bind's failure paths: a signal between unbind and bind, a rollback that
# fails too, a run without root, a function that vanishes while it is read.

load common

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

setup() {
	fake_workstation "quiet vfio-pci.ids=10de:1c30,10de:10f1"
}

teardown() {
	[[ -z ${PUBLIC:-} ]] || rm -rf "$PUBLIC"
}

# A copy of the helper (and, with PUBLIC_TREE, of the tree) that user
# nobody can reach: $BATS_TEST_TMPDIR is root's alone.
public_copy() {
	PUBLIC=$(mktemp -d /tmp/vfio-bind-nobody.XXXXXX)
	chmod 755 "$PUBLIC"
	cp "$VFIO_BIND" "$PUBLIC/vfio-bind"
	if [[ ${1:-} == tree ]]; then
		cp -a "$ROOT" "$PUBLIC/root"
		chown -R 65534:65534 "$PUBLIC/root"
	fi
}

@test "the boot job run without a terminal leads a process group, for the hook's limit to signal what it starts; a command does not" {
	run -0 --separate-stderr strace_helper -qq -o "$BATS_TEST_TMPDIR/trace" \
		-e trace=setpgid "$VFIO_BIND" --root "$ROOT" --dry-run </dev/null
	run -0 cat "$BATS_TEST_TMPDIR/trace"
	assert_output --regexp '^setpgid\(0, 0\) += 0$'
	# control: a command (bind) leaves the process group as it was
	run -0 --separate-stderr strace_helper -qq -o "$BATS_TEST_TMPDIR/trace" \
		-e trace=setpgid "$VFIO_BIND" --root "$ROOT" bind --dry-run "$GPU" </dev/null
	run -0 cat "$BATS_TEST_TMPDIR/trace"
	assert_output ""
}

@test "SIGTERM between unbind and bind waits until the rollback is done and logged" {
	# the signal arrives as the host driver is unbound
	run -143 --separate-stderr strace_helper -qq -o /dev/null \
		-P "$ROOT/sys/bus/pci/drivers/nouveau/unbind" \
		-e inject=write:signal=SIGTERM "$VFIO_BIND" --root "$ROOT"
	stderr_has "$GPU [10de:1c30] not taken: vfio-pci did not attach (No such device); it is on nouveau"
	# bound, then rolled back: the override cleared, the function reprobed
	assert_equal "$(cat "$ROOT/sys/bus/pci/drivers/vfio-pci/bind")" "$GPU"
	assert_equal "$(fake_attr "$GPU" driver_override)" ""
	assert_equal "$(cat "$ROOT/sys/bus/pci/drivers_probe")" "$GPU"
	# and then the signal: the next function is never touched
	assert_equal "$(fake_attr "$AUDIO" driver_override)" "(null)"
	# (its one line says it is selected, before any bind)
	assert_equal "$(grep -F "$AUDIO" <<<"$stderr")" \
		"vfio-bind: $AUDIO [10de:10f1] selected by vfio-pci.ids= on the kernel command line"
}

@test "SIGINT and SIGHUP wait the same way" {
	local sig
	for sig in SIGINT SIGHUP; do
		fake_workstation "vfio-pci.ids=10de:1c30"
		run ! --separate-stderr strace_helper -qq -o /dev/null \
			-P "$ROOT/sys/bus/pci/drivers/nouveau/unbind" \
			-e inject=write:signal="$sig" "$VFIO_BIND" --root "$ROOT"
		assert_equal "$(cat "$ROOT/sys/bus/pci/drivers_probe")" "$GPU"
		assert_equal "$(fake_attr "$GPU" driver_override)" ""
		rm -rf "$ROOT"
	done
}

@test "a failed rollback is logged as such, with the bind's error, and where it left the function" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	rm "$ROOT/sys/bus/pci/drivers_probe"
	mkdir "$ROOT/sys/bus/pci/drivers_probe"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	stderr_has "$GPU [10de:1c30] not taken: vfio-pci did not attach (No such device), and the rollback failed (Is a directory); it is on nouveau"
	stderr_lacks "did not attach (Is a directory)"
}

@test "a function the failed rollback leaves without a driver is named, with the commands that give it back" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	fake_set_driver "$GPU" ""
	rm "$ROOT/sys/bus/pci/drivers_probe"
	mkdir "$ROOT/sys/bus/pci/drivers_probe"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	stderr_has "$GPU [10de:1c30] left without a driver: vfio-pci did not attach (No such device), and the rollback failed (Is a directory); give it back: echo > /sys/bus/pci/devices/$GPU/driver_override; echo $GPU > /sys/bus/pci/drivers_probe"
	run cat "$ROOT/dev/kmsg"
	assert_line --partial "<3>vfio-bind: $GPU [10de:1c30] left without a driver:"
}

@test "bind, unbind and the boot job refuse to run on the system without root, before any write" {
	public_copy
	run -1 --separate-stderr strace_helper -qq -f -e trace=openat,openat2 \
		-o "$BATS_TEST_TMPDIR/trace" "${NOBODY[@]}" "$PUBLIC/vfio-bind" bind "$GPU"
	stderr_is "vfio-bind: vfio-bind bind needs root; nothing changed"
	run grep -c 'O_WRONLY' "$BATS_TEST_TMPDIR/trace"
	assert_output 0
	run -1 --separate-stderr "${NOBODY[@]}" "$PUBLIC/vfio-bind" unbind "$GPU"
	stderr_is "vfio-bind: vfio-bind unbind needs root; nothing changed"
	run -1 --separate-stderr "${NOBODY[@]}" "$PUBLIC/vfio-bind"
	stderr_is "vfio-bind: vfio-bind needs root; nothing changed"
}

@test "control: without root, --dry-run and a --root tree are not refused" {
	public_copy tree
	run -3 --separate-stderr "${NOBODY[@]}" "$PUBLIC/vfio-bind" --root "$PUBLIC/root" bind "$GPU"
	stderr_lacks "needs root"
	assert_equal "$(cat "$PUBLIC/root/sys/bus/pci/drivers/vfio-pci/bind")" "$GPU"
	run --separate-stderr "${NOBODY[@]}" "$PUBLIC/vfio-bind" --dry-run bind "$GPU"
	stderr_lacks "needs root"
}

@test "a function that vanishes between listing and reading is dropped, not reported" {
	ln -s ../../../devices/pci0000:00/0000:0c:00.0 "$ROOT/sys/bus/pci/devices/0000:0c:00.0"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run -v
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci
$AUDIO 10de:10f1 snd_hda_intel -> vfio-pci"
	stderr_has "0000:0c:00.0 vanished while it was read: dropped"
	stderr_lacks "not taken"
}

@test "a vanished function named by address is reported" {
	fake_cmdline "vfio-bind.addrs=0c:00.0 vfio-pci.ids=10de:1c30"
	ln -s ../../../devices/pci0000:00/0000:0c:00.0 "$ROOT/sys/bus/pci/devices/0000:0c:00.0"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line "0000:0c:00.0 0000:0000 skip: its IDs cannot be read (No such file or directory)"
	assert_line "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "a FIFO or a device in place of a file the helper reads is refused, not waited on" {
	fake_workstation "vfio-pci.ids=10de:1c30"
	mkdir -p "$ROOT/etc/modprobe.d"
	mkfifo "$ROOT/etc/modprobe.d/vfio.conf"
	run timeout 10 "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_failure
	assert_output --partial "cannot read /etc/modprobe.d/vfio.conf: Invalid argument"
	# check, without the configuration it could not read, still reports
	run -3 timeout 10 "$VFIO_BIND" --root "$ROOT" check
	assert_line "vfio-bind: cannot read /etc/modprobe.d/vfio.conf: Invalid argument"
	assert_line --regexp '^FAIL +no PCI function is selected$'
	# a character device too, but /dev/null masks a name as libkmod reads it
	rm "$ROOT/etc/modprobe.d/vfio.conf"
	mknod "$ROOT/etc/modprobe.d/vfio.conf" c 1 8
	run timeout 10 "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_failure
	rm "$ROOT/etc/modprobe.d/vfio.conf"
	mknod "$ROOT/etc/modprobe.d/vfio.conf" c 1 3
	run -0 --separate-stderr timeout 10 "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
	# and a FIFO in procfs' place
	rm "$ROOT/proc/cmdline"
	mkfifo "$ROOT/proc/cmdline"
	run timeout 10 "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_failure
	assert_output --partial "cannot read proc/cmdline under $ROOT: Invalid argument"
}

@test "a kernel command line longer than libkmod reads is read in full, with one warning" {
	local pad
	pad=$(printf 'x%.0s' {1..5000})
	fake_workstation "quiet bootconfig.pad=$pad vfio-pci.ids=10de:1c30"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
	stderr_has "the kernel command line is 5044 bytes: libkmod reads only its first 4095, so a vfio-pci option after them does not reach vfio-pci"
	# control: a short one gives no such line
	fake_cmdline "vfio-pci.ids=10de:1c30"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_lacks "libkmod reads only"
}
