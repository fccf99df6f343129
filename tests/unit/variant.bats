#!/usr/bin/env bats
# A function on a VFIO variant driver, a driver built on vfio-pci-core
# (nvgrace_gpu_vfio_pci for a GB200, mlx5_vfio_pci): check counts it ready,
# bind and the boot job leave it there, nova-config describes it. What
# makes a driver one is its module in vfio_pci_core's holders; each case's
# control is the same driver whose module is not there.

load common

GB200=0000:09:00.0

setup() {
	fake_workstation "quiet vfio-pci.ids=10de:2941"
	fake_function "$GB200" 10de:2941 class=0x030200 driver=nvgrace-gpu-vfio-pci group=7
	fake_vfio_variant nvgrace-gpu-vfio-pci nvgrace_gpu_vfio_pci
}

# not_a_variant: the driver's module no longer uses vfio_pci_core
not_a_variant() {
	rm "$ROOT/sys/module/vfio_pci_core/holders/nvgrace_gpu_vfio_pci"
}

@test "check: on the variant driver it is ready; control: a driver that is not one fails" {
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "ok    $GB200 [10de:2941] is on nvgrace-gpu-vfio-pci, a VFIO driver built on vfio-pci-core"
	refute_line --partial "$GB200 [10de:2941] is on nvgrace-gpu-vfio-pci, not vfio-pci"
	not_a_variant
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "FAIL  $GB200 [10de:2941] is on nvgrace-gpu-vfio-pci, not vfio-pci"
}

@test "the boot job leaves it on the variant driver, writing nothing for it, and records it unchanged" {
	run -0 --separate-stderr vfio_bind_traced
	stderr_has "$GB200 [10de:2941] on nvgrace-gpu-vfio-pci, a VFIO driver built on vfio-pci-core: left there"
	run sysfs_writes
	refute_output --partial "$GB200"
	refute_output --partial "nvgrace-gpu-vfio-pci/unbind"
	assert_equal "$(fake_attr "$GB200" driver_override)" "(null)"
	run grep "\"address\": \"$GB200\"" "$ROOT/run/vfio-bind/boot-late.json"
	assert_output --partial '"outcome": "unchanged"'
	# control: not a variant driver, the job moves it to vfio-pci
	not_a_variant
	run --separate-stderr vfio_bind_traced
	run sysfs_writes
	assert_line "sys/bus/pci/devices/$GB200/driver_override"
	assert_line "sys/bus/pci/drivers/nvgrace-gpu-vfio-pci/unbind"
}

@test "the dry run names it no change; control: a host driver's function goes to vfio-pci" {
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line "$GB200 10de:2941 nvgrace-gpu-vfio-pci (no change: a VFIO variant driver)"
	not_a_variant
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line "$GB200 10de:2941 nvgrace-gpu-vfio-pci -> vfio-pci"
}

@test "bind leaves it there too" {
	run -0 --separate-stderr vfio_bind_traced bind "$GB200"
	stderr_has "on nvgrace-gpu-vfio-pci, a VFIO driver built on vfio-pci-core: left there"
	run sysfs_writes
	refute_output --partial "$GB200"
}

@test "nova-config describes it; control: not a variant, nothing is on a VFIO driver" {
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --force
	assert_line --partial '"vendor_id": "10de", "product_id": "2941"'
	not_a_variant
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" nova-config --force
	assert_failure
	stderr_has "no PCI function is on vfio-pci or a VFIO variant driver"
}
