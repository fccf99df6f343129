#!/usr/bin/env bats
# The command line, and bad input: a clear message and a clean exit.

load common

@test "--help goes to stdout and documents the exit statuses" {
	run -0 --separate-stderr "$VFIO_BIND" --help
	assert_line --index 0 "Usage:"
	assert_output --partial " 2  vfio-pci cannot take the devices"
	stderr_is ""
}

@test "--version" {
	run -0 "$VFIO_BIND" --version
	assert_output --regexp '^vfio-bind [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "an unknown option fails with a pointer to --help" {
	run -1 --separate-stderr "$VFIO_BIND" --frobnicate
	stderr_has "Try 'vfio-bind --help' for more information."
}

@test "an unknown command fails with a pointer to --help" {
	run -1 --separate-stderr "$VFIO_BIND" frobnicate
	stderr_has "vfio-bind: unknown command 'frobnicate'"
	stderr_has "Try 'vfio-bind --help'"
}

@test "an argument a command does not take fails with a pointer to --help" {
	run -1 --separate-stderr "$VFIO_BIND" list 0b:00
	stderr_has "vfio-bind: unexpected argument '0b:00'"
	stderr_has "Try 'vfio-bind --help'"
}

@test "an option a command does not take is refused" {
	run -1 --separate-stderr "$VFIO_BIND" --json
	stderr_has "--json needs a command"
	run -1 --separate-stderr "$VFIO_BIND" --dry-run list
	stderr_has "--dry-run does not apply to 'list'"
	run -1 --separate-stderr "$VFIO_BIND" --alias x check
	stderr_has "--alias applies only to nova-config"
}

@test "a missing root is reported" {
	run -1 --separate-stderr "$VFIO_BIND" --root "$BATS_TEST_TMPDIR/nowhere"
	stderr_is "vfio-bind: cannot open root $BATS_TEST_TMPDIR/nowhere: No such file or directory"
}

@test "a root without proc/cmdline is reported" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run -1 --separate-stderr "$VFIO_BIND" --root "$BATS_TEST_TMPDIR/empty"
	stderr_has "cannot read proc/cmdline under $BATS_TEST_TMPDIR/empty: No such file or directory"
}

@test "a root without PCI devices is reported" {
	fake_root "vfio-pci.ids=10de:1c30"
	rm -r "$ROOT/sys/bus/pci"
	run -1 --separate-stderr "$VFIO_BIND" --root "$ROOT"
	stderr_has "cannot list PCI functions under $ROOT: No such file or directory"
}

@test "unreadable IDs are reported for that function; the others go on" {
	fake_workstation "vfio-pci.ids=10de:1c30"
	# read from sysfs: proc/bus/pci/devices does not vouch for it
	fake_proc_pci_drop 0000:03:00.0
	echo garbage >"$ROOT/sys/devices/pci0000:00/0000:03:00.0/vendor"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_has "0000:03:00.0 not taken: its IDs cannot be read (Invalid argument)"
	assert_line "0000:0b:00.0 10de:1c30 nouveau -> vfio-pci"
}

@test "a command line of binary junk does not crash" {
	fake_workstation
	head -c 3000 /dev/urandom >"$ROOT/proc/cmdline"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert [ "$status" -le 3 ]
}
