#!/usr/bin/env bats
# bind's failure paths: a signal between unbind and bind, a rollback that
# fails too.

load common

GPU=0000:0b:00.0
AUDIO=0000:0b:00.1

setup() {
	fake_workstation "quiet vfio-pci.ids=10de:1c30,10de:10f1"
}

@test "SIGTERM between unbind and bind waits until the rollback is done and logged" {
	# the signal arrives as the host driver is unbound
	run --separate-stderr strace_helper -qq -o /dev/null \
		-P "$ROOT/sys/bus/pci/drivers/nouveau/unbind" \
		-e inject=write:signal=SIGTERM "$VFIO_BIND" --root "$ROOT"
	assert_failure 143
	stderr_has "$GPU [10de:1c30] not taken: vfio-pci did not attach (No such device); it is on nouveau"
	# bound, then rolled back: the override cleared, the function reprobed
	assert_equal "$(cat "$ROOT/sys/bus/pci/drivers/vfio-pci/bind")" "$GPU"
	assert_equal "$(fake_attr "$GPU" driver_override)" ""
	assert_equal "$(cat "$ROOT/sys/bus/pci/drivers_probe")" "$GPU"
	# and then the signal: the next function is never touched
	assert_equal "$(fake_attr "$AUDIO" driver_override)" "(null)"
	stderr_lacks "$AUDIO"
}

@test "SIGINT and SIGHUP wait the same way" {
	local sig
	for sig in SIGINT SIGHUP; do
		fake_workstation "vfio-pci.ids=10de:1c30"
		run --separate-stderr strace_helper -qq -o /dev/null \
			-P "$ROOT/sys/bus/pci/drivers/nouveau/unbind" \
			-e inject=write:signal="$sig" "$VFIO_BIND" --root "$ROOT"
		assert_failure
		assert_equal "$(cat "$ROOT/sys/bus/pci/drivers_probe")" "$GPU"
		assert_equal "$(fake_attr "$GPU" driver_override)" ""
		rm -rf "$ROOT"
	done
}

@test "a failed rollback is logged as such, with the bind's error, and where it left the function" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	rm "$ROOT/sys/bus/pci/drivers_probe"
	mkdir "$ROOT/sys/bus/pci/drivers_probe"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT"
	assert_failure 3
	stderr_has "$GPU [10de:1c30] not taken: vfio-pci did not attach (No such device), and the rollback failed (Is a directory); it is on nouveau"
	stderr_lacks "did not attach (Is a directory)"
}

@test "a function the failed rollback leaves without a driver is named, with the commands that give it back" {
	fake_cmdline "vfio-pci.ids=10de:1c30"
	fake_set_driver "$GPU" ""
	rm "$ROOT/sys/bus/pci/drivers_probe"
	mkdir "$ROOT/sys/bus/pci/drivers_probe"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT"
	assert_failure 3
	stderr_has "$GPU [10de:1c30] left without a driver: vfio-pci did not attach (No such device), and the rollback failed (Is a directory); give it back: echo > /sys/bus/pci/devices/$GPU/driver_override; echo $GPU > /sys/bus/pci/drivers_probe"
	run cat "$ROOT/dev/kmsg"
	assert_line --partial "<3>vfio-bind: $GPU [10de:1c30] left without a driver:"
}
