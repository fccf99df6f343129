#!/usr/bin/env bats
# Why the IOMMU is off: the firmware (no ACPI DMAR or IVRS table), an
# argument that turns it off, a kernel that needs intel_iommu=on, or the
# kernel itself; check and the boot job name the one this host shows.

load common

# A function selected and no IOMMU group: the IOMMU is off.
no_iommu() {
	fake_root "${1:-quiet} vfio-pci.ids=10de:1c30"
	fake_vfio_loaded
	fake_function "$GPU" 10de:1c30 driver=nouveau group=none
}

# Debian's kernels: on by default, integrated GPUs excepted.
DEFAULT_ON=(CONFIG_INTEL_IOMMU=y "# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set"
	CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y)
# Mainline's default.
DEFAULT_OFF=(CONFIG_INTEL_IOMMU=y "# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set")

@test "intel_iommu=on on the command line, no DMAR table: VT-d is off in the firmware, not the argument missing" {
	no_iommu "intel_iommu=on"
	fake_cpu GenuineIntel
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: VT-d is off in the firmware: it describes no IOMMU to the kernel (no ACPI DMAR table in /sys/firmware/acpi/tables)"
	assert_line --index 1 "      fix: enable VT-d (Intel Virtualization Technology for Directed I/O) in the firmware setup, then boot again"
	refute_output --partial "add intel_iommu=on"
}

@test "control: with the DMAR table and a kernel off by default, the argument is what is missing" {
	no_iommu
	fake_cpu GenuineIntel DMAR
	fake_kernel_config 6.1.0-test "${DEFAULT_OFF[@]}"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: the firmware describes VT-d (ACPI DMAR), but this kernel starts Intel's IOMMU only with intel_iommu=on, which its command line lacks"
	assert_line --index 1 "      fix: add intel_iommu=on to the kernel command line where your boot loader reads it (vfio-bind kargs prints it)"
}

@test "the fix names the boot loader's file and command: Debian's GRUB, kernel-install" {
	no_iommu
	fake_cpu GenuineIntel DMAR
	fake_kernel_config 6.1.0-test "${DEFAULT_OFF[@]}"
	mkdir -p "$ROOT/etc/default" "$ROOT/usr/sbin"
	echo 'GRUB_CMDLINE_LINUX=""' >"$ROOT/etc/default/grub"
	: >"$ROOT/usr/sbin/update-grub"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 1 "      fix: vfio-bind kargs --apply: it adds intel_iommu=on to /etc/default/grub.d/vfio-bind.cfg and runs update-grub (GRUB with update-grub), then reboot"
	rm -r "$ROOT/etc/default" "$ROOT/usr/sbin/update-grub"
	mkdir -p "$ROOT/etc/kernel"
	echo "root=UUID=1234 ro" >"$ROOT/etc/kernel/cmdline"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 1 "      fix: vfio-bind kargs --apply: it adds intel_iommu=on to /etc/kernel/cmdline and runs kernel-install add VERSION /boot/vmlinuz-VERSION (kernel-install), then reboot"
}

@test "a kernel on by default (Debian's INTGPU_OFF) with DMAR and no argument: the kernel did not start it, see its log" {
	no_iommu
	fake_cpu GenuineIntel DMAR
	fake_kernel_config 6.1.0-test "${DEFAULT_ON[@]}"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: the firmware describes VT-d (ACPI DMAR) and nothing turns it off, but the kernel did not start it"
	assert_line --index 1 "      fix: read why in the kernel's log: dmesg | grep -e DMAR"
}

@test "a kernel built without CONFIG_INTEL_IOMMU" {
	no_iommu "intel_iommu=on"
	fake_cpu GenuineIntel DMAR
	fake_kernel_config 6.1.0-test "# CONFIG_INTEL_IOMMU is not set"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: this kernel is built without CONFIG_INTEL_IOMMU (its config in /boot)"
}

@test "the last of intel_iommu=on and intel_iommu=off wins, and iommu=off turns it off whatever intel_iommu= says" {
	no_iommu "intel_iommu=on intel_iommu=igfx_off,off"
	fake_cpu GenuineIntel DMAR
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: the kernel command line turns it off (intel_iommu=off)"
	assert_line --index 1 "      fix: remove intel_iommu=off from the kernel command line"
	# control: on after off turns it back on, so the argument is not the cause
	fake_cmdline "intel_iommu=off intel_iommu=on vfio-pci.ids=10de:1c30"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	refute_output --partial "turns it off ("
	fake_cmdline "intel_iommu=on iommu=off vfio-pci.ids=10de:1c30"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: the kernel command line turns it off (iommu=off)"
}

@test "AMD: no IVRS table is AMD-Vi off in the firmware, and no argument is asked for" {
	no_iommu
	fake_cpu AuthenticAMD
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: AMD-Vi is off in the firmware: it describes no IOMMU to the kernel (no ACPI IVRS table in /sys/firmware/acpi/tables)"
	refute_output --partial "amd_iommu=on"
	# control: with IVRS and amd_iommu=off, the argument is the cause
	fake_cpu AuthenticAMD IVRS
	fake_cmdline "amd_iommu=off vfio-pci.ids=10de:1c30"
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: the kernel command line turns it off (amd_iommu=off)"
}

@test "Hygon's CPUs carry AMD's IOMMU" {
	no_iommu
	fake_cpu HygonGenuine IVRS
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: the firmware describes AMD-Vi (ACPI IVRS) and nothing turns it off, but the kernel did not start it"
}

@test "nothing to tell by (no cpuinfo, no ACPI tables): the generic fix, no cause made up" {
	no_iommu
	run -2 --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "FAIL  IOMMU is off: no IOMMU group"
	assert_line --index 1 "      fix: enable the IOMMU in the firmware, and its driver on the kernel command line"
}

@test "the boot job says the same cause, in one line, and changes nothing" {
	no_iommu "intel_iommu=on"
	fake_cpu GenuineIntel
	run -2 --separate-stderr vfio_bind_traced
	stderr_has "IOMMU is off: VT-d is off in the firmware: it describes no IOMMU to the kernel (no ACPI DMAR table in /sys/firmware/acpi/tables), so vfio-pci can take no device: enable VT-d (Intel Virtualization Technology for Directed I/O) in the firmware setup, then boot again; nothing changed"
	run sysfs_writes
	assert_output ""
}

@test "with the IOMMU on, none of it is said" {
	no_iommu "intel_iommu=off"
	fake_cpu GenuineIntel
	fake_function "$GPU" 10de:1c30 driver=nouveau group=14
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
	assert_line --index 0 "ok    IOMMU is on"
	refute_output --partial "firmware"
}
