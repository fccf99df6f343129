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

# The lookup, in modules of the tree's own made with the real depmod.
load fake-modules

# gb200_driverless: the GB200 with no driver yet, as before udev
gb200_driverless() {
	fake_set_driver "$GB200" ""
	fake_variant_modules
}

@test "lookup: modules.alias has the variant's vfio_pci: alias and vfio-pci's catch-all, as depmod indexes them" {
	fake_variant_modules
	run grep -c '^alias vfio_pci:' "$ROOT/lib/modules/$FAKE_RELEASE/modules.alias"
	assert_output 7
	assert [ -s "$ROOT/lib/modules/$FAKE_RELEASE/modules.alias.bin" ]
}

@test "the dry run names the variant driver's module for a GB200, vfio-pci for a function no variant is for" {
	gb200_driverless
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run bind "$GB200" "$GPU"
	assert_line "$GB200 10de:2941 none -> nvgrace-gpu-vfio-pci"
	assert_line "$GPU 10de:1c30 nouveau -> vfio-pci"
	# its module not loaded yet: named by the module, which the bind loads
	rm -r "$ROOT/sys/module/nvgrace_gpu_vfio_pci"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run bind "$GB200"
	assert_line "$GB200 10de:2941 none -> nvgrace_gpu_vfio_pci's driver"
	# control: without the index, no variant is known
	rm "$ROOT/lib/modules/$FAKE_RELEASE/modules.alias.bin"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run bind "$GB200"
	assert_line "$GB200 10de:2941 none -> vfio-pci"
}

@test "a ConnectX VF: mlx5_vfio_pci, not mlx5_core whose pci: alias matches it too" {
	fake_variant_modules
	fake_function 0000:0c:00.1 15b3:101e class=0x020000 driver=mlx5_core group=9
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run bind 0000:0c:00.1
	assert_line "0000:0c:00.1 15b3:101e mlx5_core -> mlx5_vfio_pci's driver"
}

@test "the boot job gives a driverless GB200 to its variant driver, registered already: override, bind, as for vfio-pci" {
	gb200_driverless
	run --separate-stderr vfio_bind_traced
	run sysfs_writes
	assert_line --index 0 "sys/bus/pci/devices/$GB200/driver_override"
	assert_line --index 1 "sys/bus/pci/drivers/nvgrace-gpu-vfio-pci/bind"
	assert_equal "$(cat "$ROOT/sys/bus/pci/drivers/nvgrace-gpu-vfio-pci/bind")" "$GB200"
	refute_line "sys/bus/pci/drivers/vfio-pci/bind"
	# a fake tree attaches nothing: the bind is not confirmed, and undone
	stderr_has "$GB200 [10de:2941] not taken: nvgrace-gpu-vfio-pci did not attach"
	# control: without the index, vfio-pci
	rm "$ROOT/lib/modules/$FAKE_RELEASE/modules.alias.bin"
	run --separate-stderr vfio_bind_traced
	run sysfs_writes
	assert_line "sys/bus/pci/drivers/vfio-pci/bind"
	refute_line "sys/bus/pci/drivers/nvgrace-gpu-vfio-pci/bind"
}

@test "a function on vfio-pci moves to its variant driver; one on another variant driver stays" {
	gb200_driverless
	fake_set_driver "$GB200" vfio-pci
	run --separate-stderr vfio_bind_traced
	run sysfs_writes
	assert_line --index 0 "sys/bus/pci/devices/$GB200/driver_override"
	assert_line --index 1 "sys/bus/pci/drivers/vfio-pci/unbind"
	assert_line --index 2 "sys/bus/pci/drivers/nvgrace-gpu-vfio-pci/bind"
	fake_vfio_variant other-vfio-pci other_vfio_pci
	fake_set_driver "$GB200" other-vfio-pci
	run --separate-stderr vfio_bind_traced
	stderr_has "$GB200 [10de:2941] on other-vfio-pci, a VFIO driver built on vfio-pci-core: left there"
	run sysfs_writes
	refute_output --partial "$GB200"
}

@test "the closest alias wins; two as close: vfio-pci, said in one line" {
	gb200_driverless
	# a vendor-wide one: more wildcards than nvgrace's
	fake_module drivers/vfio/pci/nv nv_any_vfio_pci 'vfio_pci:v000010DEd*sv*sd*bc*sc*i*'
	depmod -b "$ROOT" "$FAKE_RELEASE" 2>/dev/null
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run bind "$GB200"
	assert_line "$GB200 10de:2941 none -> nvgrace-gpu-vfio-pci"
	fake_module drivers/vfio/pci/twin twin_vfio_pci 'vfio_pci:v000010DEd00002941sv*sd*bc*sc*i*'
	depmod -b "$ROOT" "$FAKE_RELEASE" 2>/dev/null
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run bind "$GB200"
	assert_line "$GB200 10de:2941 none -> vfio-pci"
	stderr_has "$GB200 [10de:2941]: the vfio_pci: aliases of two VFIO variant drivers match it as closely, and vfio-bind cannot choose between them: vfio-pci"
}

@test "check: on vfio-pci while a variant driver is for it, a warning with the fix; control: no variant, no warning" {
	gb200_driverless
	fake_set_driver "$GB200" vfio-pci
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "ok    $GB200 [10de:2941] is on vfio-pci"
	assert_line "WARN  $GB200 has a VFIO variant driver, nvgrace_gpu_vfio_pci, which gives a guest what vfio-pci does not; the next boot job gives it that one"
	assert_line "      fix: vfio-bind bind $GB200"
	rm "$ROOT/lib/modules/$FAKE_RELEASE/modules.alias.bin"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_line --partial "has a VFIO variant driver"
}

@test "the image builders' list: every variant driver for a generic image, this host's for a host-only one" {
	# shellcheck source=/dev/null
	. "$BATS_TEST_DIRNAME/../../hook/vfio-bind-build.sh"
	fake_variant_modules
	run -0 vfio_bind_variant_modules "$ROOT/lib/modules/$FAKE_RELEASE"
	assert_output "mlx5_vfio_pci
nvgrace_gpu_vfio_pci"
	# host-only: the GB200 is there, no ConnectX VF
	run -0 vfio_bind_variant_modules "$ROOT/lib/modules/$FAKE_RELEASE" "$ROOT/sys"
	assert_output "nvgrace_gpu_vfio_pci"
	# control: no function a variant is for
	rm -r "$ROOT/sys/devices/pci0000:00/$GB200" "$ROOT/sys/bus/pci/devices/$GB200"
	run -0 vfio_bind_variant_modules "$ROOT/lib/modules/$FAKE_RELEASE" "$ROOT/sys"
	assert_output ""
	# a kernel without any: nothing
	run -0 vfio_bind_variant_modules "$BATS_TEST_TMPDIR/none"
	assert_output ""
}

@test "a later pass: the override an earlier one set to the variant driver is no other driver's; control: a host driver's override is" {
	gb200_driverless
	fake_set_driver "$GB200" nvgrace-gpu-vfio-pci
	echo nvgrace-gpu-vfio-pci >"$ROOT/sys/devices/pci0000:00/$GB200/driver_override"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line "$GB200 10de:2941 nvgrace-gpu-vfio-pci (no change)"
	echo nouveau >"$ROOT/sys/devices/pci0000:00/$GB200/driver_override"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line --partial "$GB200 10de:2941 skip: "
	assert_line --partial "nouveau"
}

@test "unbind gives a function on its variant driver back to the host: override cleared, unbound from it, reprobed" {
	run --separate-stderr vfio_bind_traced unbind "$GB200"
	run sysfs_writes
	assert_line --index 0 "sys/bus/pci/devices/$GB200/driver_override"
	assert_line --index 1 "sys/bus/pci/drivers/nvgrace-gpu-vfio-pci/unbind"
	assert_line --index 2 "sys/bus/pci/drivers_probe"
	# control: not a variant driver, unbind leaves it
	not_a_variant
	run --separate-stderr vfio_bind_traced unbind "$GB200"
	run sysfs_writes
	assert_output ""
}

@test "vfio-bind.driver=: vfio-pci forced for the GB200, a variant module named for a slot, the last entry wins, a malformed one said" {
	gb200_driverless
	fake_cmdline "quiet vfio-pci.ids=10de:2941 vfio-bind.driver=10de:2941=vfio-pci"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line "$GB200 10de:2941 none -> vfio-pci"
	# by address, later: the variant again, named with '-' as modprobe takes it
	fake_cmdline "quiet vfio-pci.ids=10de:2941 vfio-bind.driver=10de:2941=vfio-pci vfio-bind.driver=09:00.0=nvgrace-gpu-vfio-pci"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line "$GB200 10de:2941 none -> nvgrace-gpu-vfio-pci"
	# a module for a function no alias names
	fake_vfio_variant other-vfio-pci other_vfio_pci
	fake_cmdline "quiet vfio-pci.ids=10de:1c30 vfio-bind.driver=0b:00=other_vfio_pci,bogus"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_line "$GPU 10de:1c30 nouveau -> other-vfio-pci"
	stderr_has "vfio-bind.driver=bogus: not SELECTOR=DRIVER (an address, a slot or VENDOR:DEVICE, then vfio-pci or a VFIO variant driver's module): left out"
	# check: vfio-pci forced, no warning for the GB200 on vfio-pci
	fake_set_driver "$GB200" vfio-pci
	fake_cmdline "quiet vfio-pci.ids=10de:2941 vfio-bind.driver=10de:2941=vfio-pci"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_line --partial "has a VFIO variant driver"
	# control: without it, the warning
	fake_cmdline "quiet vfio-pci.ids=10de:2941"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --partial "$GB200 has a VFIO variant driver, nvgrace_gpu_vfio_pci"
}

@test "check: another function of the group on a variant driver leaves the group viable; control: on a host driver it does not" {
	fake_function 0000:09:00.1 10de:22e8 class=0x040300 driver=other-vfio-pci group=7
	fake_vfio_variant other-vfio-pci other_vfio_pci
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line "ok    $GB200 IOMMU group 7 is viable"
	rm "$ROOT/sys/module/vfio_pci_core/holders/other_vfio_pci"
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_line "ok    $GB200 IOMMU group 7 is viable"
	assert_line --partial "0000:09:00.1"
}
