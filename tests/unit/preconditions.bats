#!/usr/bin/env bats
# What must hold before anything changes: IOMMU groups (or vfio's no-IOMMU
# mode) and a registered vfio-pci. When it does not, nothing is written.

load common

no_iommu_workstation() {
	fake_root "vfio-pci.ids=10de:1c30,10de:10f1"
	fake_vfio_loaded
	fake_function "$GPU" 10de:1c30 driver=nouveau group=none
	fake_function "$AUDIO" 10de:10f1 class=0x040300 driver=snd_hda_intel group=none
}

@test "IOMMU off: refuse, name the fix, change nothing" {
	no_iommu_workstation
	run -2 --separate-stderr vfio_bind_traced
	stderr_has "IOMMU is off: no IOMMU group, so vfio-pci can take no device: enable the IOMMU in the firmware, and its driver on the kernel command line; nothing changed"
	run sysfs_writes
	assert_output ""
	run grep -c '^<3>vfio-bind: IOMMU is off' "$ROOT/dev/kmsg"
	assert_output 1
}

@test "IOMMU off is reported by --dry-run too" {
	no_iommu_workstation
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output ""
	stderr_has "IOMMU is off"
}

@test "vfio's no-IOMMU mode lets vfio-pci take functions without groups" {
	no_iommu_workstation
	echo Y >"$ROOT/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_has "vfio's unsafe no-IOMMU mode is on"
	assert_line --index 0 "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "before vfio is loaded, no-IOMMU mode is read from modprobe.d and the command line, in that order" {
	local mode
	no_iommu_workstation
	rm -r "$ROOT/sys/module/vfio" "$ROOT/sys/module/vfio_pci"
	mkdir -p "$ROOT/etc/modprobe.d"
	for mode in command-line modprobe.d; do
		if [[ $mode == modprobe.d ]]; then
			echo "options vfio enable_unsafe_noiommu_mode=1" >"$ROOT/etc/modprobe.d/noiommu.conf"
			fake_cmdline "vfio-pci.ids=10de:1c30"
		else
			fake_cmdline "vfio.enable_unsafe_noiommu_mode=1 vfio-pci.ids=10de:1c30"
		fi
		run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
		stderr_has "no-IOMMU mode is on"
		# the command line's comes after modprobe.d's, and wins
		fake_cmdline "vfio.enable_unsafe_noiommu_mode=off vfio-pci.ids=10de:1c30"
		run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
		stderr_has "IOMMU is off"
	done
}

@test "a function outside every IOMMU group is skipped; the others are taken" {
	fake_workstation "vfio-pci.ids=10de:1c30,10de:10f1"
	rm "$ROOT/sys/devices/pci0000:00/$AUDIO/iommu_group"
	run -3 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_has "$AUDIO [10de:10f1] not taken: it has no IOMMU group"
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci
$AUDIO 10de:10f1 skip: it has no IOMMU group (the IOMMU does not cover it)"
}

@test "vfio-pci not registered under --root: refuse, change nothing" {
	fake_workstation "vfio-pci.ids=10de:1c30"
	rm -r "$ROOT/sys/bus/pci/drivers/vfio-pci"
	run -2 --separate-stderr vfio_bind_traced
	stderr_has "vfio-pci is not loaded in $ROOT, and modules are loaded only on the running system (--root /); nothing changed"
	run sysfs_writes
	assert_output ""
}

@test "--dry-run says a real run would load vfio-pci" {
	fake_workstation "vfio-pci.ids=10de:1c30"
	rm -r "$ROOT/sys/bus/pci/drivers/vfio-pci"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	stderr_has "vfio-pci is not loaded; a real run loads it"
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "a bare -- in vfio-pci's options stops the run before vfio-pci is loaded, and names the fix" {
	fake_workstation "vfio-pci.ids=10de:1c30"
	rm -r "$ROOT/sys/bus/pci/drivers/vfio-pci"
	mkdir -p "$ROOT/etc/modprobe.d"
	# the kernel would set nothing after it: not the empty ids= vfio-bind adds
	echo "options vfio-pci disable_vga=1 --" >"$ROOT/etc/modprobe.d/vfio.conf"
	run -2 --separate-stderr vfio_bind_traced
	# (the operator's selection still stands: it is vfio-pci's load that would go wrong)
	stderr_has "vfio-pci's options hold a bare \"--\" (modprobe.d or the command line): the kernel ignores every option after it, the empty ids= vfio-bind adds so that vfio-pci takes nothing by itself among them; remove the \"--\"; nothing changed"
	run sysfs_writes
	assert_output ""
	# control: without it, a dry run plans the function
	echo "options vfio-pci disable_vga=1" >"$ROOT/etc/modprobe.d/vfio.conf"
	run -0 --separate-stderr "$VFIO_BIND" --root "$ROOT" --dry-run
	assert_output "$GPU 10de:1c30 nouveau -> vfio-pci"
}

@test "nothing selected: vfio-pci is not needed and nothing is checked" {
	fake_root "vfio-pci.ids=10de:1c30"
	fake_function 0000:03:00.0 8086:1533 class=0x020000 driver=igb group=none
	run -0 --separate-stderr vfio_bind_traced
	stderr_is "vfio-bind: the selection names no PCI function"
}
