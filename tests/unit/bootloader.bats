#!/usr/bin/env bats
# check says why a kernel argument is missing: the boot loader's
# configuration has it, the running kernel did not get it. One fake tree
# per layout; check only reads them.

load common

# A GPU selected but the IOMMU off (no group), and nothing else.
iommu_off() {
	fake_root "${1:-quiet vfio-pci.ids=10de:1c30}"
	fake_vfio_loaded
	fake_function "$GPU" 10de:1c30 driver=nouveau group=none
}

# put PATH TEXT: a file of the boot loader's configuration
put() {
	mkdir -p "$(dirname "$ROOT/$1")"
	printf '%s\n' "$2" >"$ROOT/$1"
}

check() {
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check
}

@test "control: no boot loader configuration, no line about it" {
	iommu_off
	check
	assert_failure 2
	refute_output --partial "running kernel's command line"
}

@test "/etc/default/grub: update-grub" {
	iommu_off
	put etc/default/grub 'GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"
GRUB_CMDLINE_LINUX=""'
	check
	assert_failure 2
	assert_line "FAIL  the IOMMU's argument is in /etc/default/grub (GRUB_CMDLINE_LINUX_DEFAULT), not on the running kernel's command line"
	assert_line "      fix: run update-grub, then reboot"
}

@test "a grub.d drop-in that adds it with \$GRUB_CMDLINE_LINUX_DEFAULT is named" {
	iommu_off
	put etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"'
	put etc/default/grub.d/iommu.cfg 'GRUB_CMDLINE_LINUX_DEFAULT="${GRUB_CMDLINE_LINUX_DEFAULT} amd_iommu=on"'
	check
	assert_line "FAIL  the IOMMU's argument is in /etc/default/grub.d/iommu.cfg (GRUB_CMDLINE_LINUX_DEFAULT), not on the running kernel's command line"
}

@test "a later grub.d drop-in that drops it wins, and is named" {
	iommu_off
	put etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"'
	put etc/default/grub.d/50-cloudimg-settings.cfg "GRUB_CMDLINE_LINUX_DEFAULT='console=tty1 console=ttyS0'"
	check
	assert_line "FAIL  the IOMMU's argument is in an earlier GRUB_CMDLINE_LINUX_DEFAULT, but /etc/default/grub.d/50-cloudimg-settings.cfg sets it again without it, not on the running kernel's command line"
	assert_line "      fix: add it in that file (later files win), run update-grub, then reboot"
	# control: a drop-in that keeps it
	put etc/default/grub.d/50-cloudimg-settings.cfg 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT console=tty1"'
	check
	assert_line "FAIL  the IOMMU's argument is in /etc/default/grub.d/50-cloudimg-settings.cfg (GRUB_CMDLINE_LINUX_DEFAULT), not on the running kernel's command line"
}

@test "/etc/kernel/cmdline: proxmox-boot-tool refresh, or kernel-install" {
	iommu_off
	put etc/kernel/cmdline "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on"
	put etc/kernel/proxmox-boot-uuids "1234-ABCD"
	check
	assert_line "FAIL  the IOMMU's argument is in /etc/kernel/cmdline, not on the running kernel's command line"
	assert_line "      fix: run proxmox-boot-tool refresh, then reboot"
	rm "$ROOT/etc/kernel/proxmox-boot-uuids"
	check
	assert_line "      fix: run kernel-install add \$(uname -r) /boot/vmlinuz-\$(uname -r), then reboot"
}

@test "/etc/default/grub on proxmox-boot-tool's ESPs: proxmox-boot-tool refresh; with grub2-mkconfig alone: grub2-mkconfig -o" {
	iommu_off
	put etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"'
	put etc/kernel/proxmox-boot-uuids "1234-ABCD"
	check
	assert_line "FAIL  the IOMMU's argument is in /etc/default/grub (GRUB_CMDLINE_LINUX_DEFAULT), not on the running kernel's command line"
	assert_line "      fix: run proxmox-boot-tool refresh, then reboot"
	rm "$ROOT/etc/kernel/proxmox-boot-uuids"
	put usr/sbin/grub2-mkconfig ''
	check
	assert_line "      fix: run grub2-mkconfig -o (or grub-mkconfig -o) on the grub.cfg the firmware's GRUB reads, then reboot"
	# control: Debian's update-grub beside it
	put usr/sbin/update-grub ''
	check
	assert_line "      fix: run update-grub, then reboot"
}

@test "BLS entries: grubby when only /etc/default/grub has it; the entry when it has it" {
	iommu_off
	put etc/default/grub 'GRUB_CMDLINE_LINUX="rhgb quiet intel_iommu=on"'
	put boot/loader/entries/abc-6.8.5.conf 'title Fedora Linux
version 6.8.5
linux /vmlinuz-6.8.5
options root=UUID=1234 ro rhgb quiet'
	check
	assert_line "FAIL  the IOMMU's argument is in /etc/default/grub (GRUB_CMDLINE_LINUX), not on the running kernel's command line"
	assert_line --partial "fix: BLS entries do not follow /etc/default/grub: run grubby --update-kernel=ALL --args="
	put boot/loader/entries/abc-6.8.5.conf 'title Fedora Linux
options root=UUID=1234 ro rhgb quiet intel_iommu=on'
	check
	assert_line "FAIL  the IOMMU's argument is in /boot/loader/entries/abc-6.8.5.conf, not on the running kernel's command line"
}

@test "an argument the running kernel has needs no boot loader line" {
	iommu_off "quiet intel_iommu=on vfio-pci.ids=10de:1c30"
	put etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"'
	check
	assert_failure 2
	refute_output --partial "running kernel's command line"
}

@test "nothing selected on a host whose boot loader kargs knows: the fix names the functions to give it" {
	fake_root quiet
	fake_vfio_loaded
	fake_function "$GPU" 10de:1c30 driver=nouveau
	put etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"'
	put usr/sbin/update-grub ''
	check
	assert_failure 3
	assert_line "FAIL  no PCI function is selected"
	assert_line "      fix: vfio-bind kargs --apply ADDRESS...: it adds vfio-pci.ids= to /etc/default/grub.d/vfio-bind.cfg and runs update-grub (GRUB with update-grub), then reboot"
}

@test "the selection: vfio-pci.ids= in the boot loader, not on the command line" {
	fake_root quiet
	fake_vfio_loaded
	fake_function "$GPU" 10de:1c30 driver=nouveau
	put etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet vfio-pci.ids=10de:1c30"'
	check
	assert_failure 3
	assert_line "FAIL  no PCI function is selected"
	assert_line "FAIL  the selection is in /etc/default/grub (GRUB_CMDLINE_LINUX_DEFAULT), not on the running kernel's command line"
	# control: with the IOMMU on, the IOMMU's argument is not looked for
	refute_output --partial "the IOMMU's argument"
}
