#!/usr/bin/env bats
# vfio-bind kargs: the arguments the host needs, the boot loader that keeps
# them (from the files of each layout and the running command line's
# marks), and --apply/--remove written the loader's own way. Under --root
# the loader's tool runs as "chroot ROOT TOOL...": a stub chroot first on
# PATH records it instead.

load common

GRUB_CMDLINE='BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=/dev/sda1 ro quiet'
STUB_CMDLINE='initrd=\EFI\debian\initrd.img root=/dev/sda1 ro quiet'

setup() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	TOOL_LOG="$BATS_TEST_TMPDIR/tools"
	: >"$TOOL_LOG"
	cat >"$BATS_TEST_TMPDIR/bin/chroot" <<EOF
#!/bin/sh
shift
echo "\$*" >>"$TOOL_LOG"
EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/chroot"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH"
}

# put PATH TEXT: a file of the tree
put() {
	mkdir -p "$(dirname "$ROOT/$1")"
	printf '%s\n' "$2" >"$ROOT/$1"
}

# host CMDLINE [VENDOR]: the workstation, its CPU's vendor (GenuineIntel)
host() {
	fake_workstation "$1"
	put proc/cpuinfo "vendor_id	: ${2:-GenuineIntel}"
}

debian_grub() {
	host "$GRUB_CMDLINE${1:+ $1}"
	put etc/default/grub 'GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""'
	put usr/sbin/update-grub ''
}

kernel_install() {
	host "$STUB_CMDLINE${1:+ $1}"
	put etc/kernel/cmdline 'root=/dev/sda1 ro quiet'
	put usr/lib/modules/6.1.0-18-amd64/modules.dep ''
	put boot/vmlinuz-6.1.0-18-amd64 ''
}

bls() {
	host "$GRUB_CMDLINE${1:+ $1}"
	put boot/loader/entries/abc-6.5.conf 'title Fedora
linux /vmlinuz-6.5
options root=/dev/vda1 ro'
	put usr/sbin/grubby ''
}

kargs() {
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" kargs "$@"
}

snapshot() {
	rm -rf "$BATS_TEST_TMPDIR/before"
	cp -a "$ROOT" "$BATS_TEST_TMPDIR/before"
}

# The tree is as it was before, byte for byte (diff -r compares contents).
unchanged() {
	run diff -r --no-dereference "$BATS_TEST_TMPDIR/before" "$ROOT"
	assert_success
}

@test "GRUB (Debian): the IOMMU switch and the running selection, the drop-in and update-grub" {
	debian_grub 'vfio-pci.ids=10de:1c30'
	kargs
	assert_success
	assert_output 'intel_iommu=on vfio-pci.ids=10de:1c30'
	stderr_has 'boot loader: GRUB with update-grub (/usr/sbin/update-grub; BOOT_IMAGE= on the running command line: GRUB)'
	stderr_has 'missing: intel_iommu=on vfio-pci.ids=10de:1c30; they go in /etc/default/grub.d/vfio-bind.cfg, applied by update-grub'
}

@test "AMD: no IOMMU switch, AMD-Vi is on by default; --iommu-pt adds iommu=pt" {
	debian_grub 'vfio-pci.ids=10de:1c30'
	put proc/cpuinfo 'vendor_id	: AuthenticAMD'
	kargs
	assert_output 'vfio-pci.ids=10de:1c30'
	kargs --iommu-pt
	assert_output 'iommu=pt vfio-pci.ids=10de:1c30'
}

@test "addresses given: their IDs, as ids prints them" {
	debian_grub
	kargs 0b:00
	assert_success
	assert_output 'intel_iommu=on vfio-pci.ids=10de:1c30,10de:10f1'
	# control: nothing selected and nothing given on AMD
	put proc/cpuinfo 'vendor_id	: AuthenticAMD'
	kargs
	assert_failure 1
	stderr_has 'no argument to add'
}

@test "VENDOR:DEVICE given: as they are, with no function of this host's; mixed with addresses: refused" {
	debian_grub
	kargs 1234:1111 8086:293e
	assert_success
	assert_output 'intel_iommu=on vfio-pci.ids=1234:1111,8086:293e'
	# control: the host has no such function, so an address of one fails
	kargs 00:05.0
	assert_failure 1
	stderr_has 'no PCI function at the addresses given'
	kargs 0b:00 1234:1111
	assert_failure 1
	stderr_has 'kargs takes addresses (their IDs read on this host) or VENDOR:DEVICE pairs (as they are), not both: give one kind'
}

@test "GRUB --apply --dry-run: the drop-in's diff and update-grub, nothing changed" {
	debian_grub
	snapshot
	kargs --apply --dry-run 0b:00.0
	assert_success
	assert_output '--- /dev/null
+++ /etc/default/grub.d/vfio-bind.cfg
+# Written by vfio-bind kargs --apply; vfio-bind kargs --remove deletes it.
+# It made /etc/default/grub.d, which --remove removes when empty.
+GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX intel_iommu=on vfio-pci.ids=10de:1c30"
would run: chroot '"$ROOT"' update-grub'
	unchanged
	run cat "$TOOL_LOG"
	assert_output ''
}

@test "GRUB --apply: the drop-in, update-grub run; again: no change; --remove: byte for byte" {
	debian_grub
	snapshot
	kargs --apply 0b:00.0
	assert_success
	run cat "$ROOT/etc/default/grub.d/vfio-bind.cfg"
	assert_line 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX intel_iommu=on vfio-pci.ids=10de:1c30"'
	run cat "$TOOL_LOG"
	assert_output 'update-grub'
	# the drop-in, sourced after /etc/default/grub as grub-mkconfig does
	run sh -c ". '$ROOT/etc/default/grub'; . '$ROOT/etc/default/grub.d/vfio-bind.cfg'; echo \"\$GRUB_CMDLINE_LINUX\""
	assert_output ' intel_iommu=on vfio-pci.ids=10de:1c30'
	: >"$TOOL_LOG"
	kargs --apply 0b:00.0
	assert_success
	stderr_has 'already configured: nothing to change'
	run cat "$TOOL_LOG"
	assert_output ''
	kargs --remove
	assert_success
	run cat "$TOOL_LOG"
	assert_output 'update-grub'
	unchanged
}

@test "GRUB: a grub.d that was there stays, with its drop-ins, after --remove" {
	debian_grub
	put etc/default/grub.d/50-cloudimg-settings.cfg 'GRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0"'
	snapshot
	kargs --apply 0b:00.0
	run cat "$ROOT/etc/default/grub.d/vfio-bind.cfg"
	refute_line --partial 'made /etc/default/grub.d'
	kargs --remove
	assert_success
	unchanged
	# control: without the drop-in that was there, --remove removes grub.d
	rm "$ROOT/etc/default/grub.d/50-cloudimg-settings.cfg"
	rmdir "$ROOT/etc/default/grub.d"
	kargs --apply 0b:00.0
	kargs --remove
	assert [ ! -e "$ROOT/etc/default/grub.d" ]
}

@test "GRUB: an argument already in /etc/default/grub is not added again; another value refuses" {
	debian_grub
	put etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"'
	kargs --apply --dry-run 0b:00.0
	assert_success
	assert_line '+GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX vfio-pci.ids=10de:1c30"'
	# everything there: nothing to do
	put etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on vfio-pci.ids=10de:1c30"'
	snapshot
	kargs --apply 0b:00.0
	assert_success
	stderr_has 'already configured: nothing to change'
	unchanged
	# another value, in a drop-in: one line, no change
	put etc/default/grub.d/50-gpu.cfg 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX vfio-pci.ids=10de:aaaa"'
	snapshot
	kargs --apply 0b:00.0
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 1
	stderr_has 'vfio-pci.ids= is already set to another value'
	unchanged
}

@test "GRUB: an argument somewhere update-grub does not read (a drop-in not named .cfg) is added" {
	debian_grub
	put etc/default/grub.d/gpu.conf 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX intel_iommu=on"'
	kargs 0b:00.0
	stderr_has 'missing: intel_iommu=on vfio-pci.ids=10de:1c30;'
}

@test "kernel-install: /etc/kernel/cmdline's own arguments, kernel-install add per kernel; --remove byte for byte" {
	kernel_install
	printf 'root=/dev/sda1 ro quiet' >"$ROOT/etc/kernel/cmdline" # no newline
	snapshot
	kargs 0b:00.0
	stderr_has 'boot loader: kernel-install (/etc/kernel/cmdline; initrd=\EFI\... on the running command line: systemd-boot or the EFI stub)'
	kargs --apply --dry-run 0b:00.0
	assert_success
	assert_line '-root=/dev/sda1 ro quiet'
	assert_line '+root=/dev/sda1 ro quiet intel_iommu=on vfio-pci.ids=10de:1c30'
	assert_line "would run: chroot $ROOT kernel-install add 6.1.0-18-amd64 /boot/vmlinuz-6.1.0-18-amd64"
	unchanged
	kargs --apply 0b:00.0
	assert_success
	run cat "$ROOT/etc/kernel/cmdline"
	assert_output 'root=/dev/sda1 ro quiet intel_iommu=on vfio-pci.ids=10de:1c30'
	run cat "$TOOL_LOG"
	assert_output 'kernel-install add 6.1.0-18-amd64 /boot/vmlinuz-6.1.0-18-amd64'
	: >"$TOOL_LOG"
	kargs --apply 0b:00.0
	assert_success
	stderr_has 'already configured: nothing to change'
	run cat "$TOOL_LOG"
	assert_output ''
	kargs --remove
	assert_success
	unchanged
}

@test "kernel-install: an argument that was there before is kept by --remove" {
	kernel_install
	put etc/kernel/cmdline 'root=/dev/sda1 intel_iommu=on ro'
	snapshot
	kargs --apply 0b:00.0
	run cat "$ROOT/etc/kernel/cmdline"
	assert_output 'root=/dev/sda1 intel_iommu=on ro vfio-pci.ids=10de:1c30'
	kargs --remove
	assert_success
	unchanged
}

@test "control: BOOT_IMAGE= with /etc/kernel/cmdline and /etc/default/grub: GRUB, not kernel-install" {
	kernel_install
	printf '%s\n' "$GRUB_CMDLINE" >"$ROOT/proc/cmdline"
	put etc/default/grub 'GRUB_CMDLINE_LINUX=""'
	put usr/sbin/update-grub ''
	kargs 0b:00.0
	stderr_has 'boot loader: GRUB with update-grub (/usr/sbin/update-grub; BOOT_IMAGE= on the running command line: GRUB)'
}

@test "Proxmox: /etc/kernel/cmdline and proxmox-boot-tool refresh" {
	kernel_install
	put etc/kernel/proxmox-boot-uuids 'ABCD-1234'
	kargs --apply 0b:00.0
	assert_success
	run cat "$TOOL_LOG"
	assert_output 'proxmox-boot-tool refresh'
	run cat "$ROOT/etc/kernel/cmdline"
	assert_output 'root=/dev/sda1 ro quiet intel_iommu=on vfio-pci.ids=10de:1c30'
}

@test "BLS (grubby): grubby --update-kernel=ALL --args, and --remove-args of the same" {
	bls
	kargs 0b:00.0
	stderr_has 'boot loader: GRUB with BLS entries (grubby) (/usr/sbin/grubby; BOOT_IMAGE= on the running command line: GRUB)'
	kargs --apply 0b:00.0
	assert_success
	run cat "$TOOL_LOG"
	assert_output 'grubby --update-kernel=ALL --args=intel_iommu=on vfio-pci.ids=10de:1c30'
	: >"$TOOL_LOG"
	kargs --remove
	assert_success
	run cat "$TOOL_LOG"
	assert_output 'grubby --update-kernel=ALL --remove-args=intel_iommu=on vfio-pci.ids=10de:1c30'
	assert [ ! -e "$ROOT/etc/vfio-bind/kargs" ]
}

@test "BLS with grubenv's \$kernelopts: an argument there is configured" {
	bls
	put boot/loader/entries/abc-6.5.conf 'title Fedora
options $kernelopts'
	put boot/grub2/grubenv '# GRUB Environment Block
kernelopts=root=/dev/vda1 ro intel_iommu=on vfio-pci.ids=10de:1c30'
	snapshot
	kargs --apply 0b:00.0
	assert_success
	stderr_has 'already configured: nothing to change'
	unchanged
	# control: another entry lacks it
	put boot/loader/entries/def-6.6.conf 'options root=/dev/vda1 ro'
	kargs --apply 0b:00.0
	run cat "$TOOL_LOG"
	assert_output 'grubby --update-kernel=ALL --args=intel_iommu=on vfio-pci.ids=10de:1c30'
}

@test "ostree: rpm-ostree kargs --append-if-missing for each argument" {
	bls
	put run/ostree-booted ''
	kargs --apply 0b:00.0
	assert_success
	run cat "$TOOL_LOG"
	assert_output 'rpm-ostree kargs --append-if-missing=intel_iommu=on --append-if-missing=vfio-pci.ids=10de:1c30'
	: >"$TOOL_LOG"
	kargs --remove
	run cat "$TOOL_LOG"
	assert_output 'rpm-ostree kargs --delete-if-present=intel_iommu=on --delete-if-present=vfio-pci.ids=10de:1c30'
}

@test "a boot loader it does not know: one line, nothing changed" {
	host "$STUB_CMDLINE"
	put etc/default/grub 'GRUB_CMDLINE_LINUX=""'
	put usr/sbin/update-grub ''
	snapshot
	kargs --apply 0b:00.0
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 1
	stderr_has 'does not know this boot loader'
	unchanged
	run cat "$TOOL_LOG"
	assert_output ''
}

@test "usage: --apply with --remove, --dry-run alone, --apply elsewhere" {
	debian_grub
	kargs --apply --remove
	assert_failure 1
	kargs --dry-run
	assert_failure 1
	run "$VFIO_BIND" --root "$ROOT" --apply list
	assert_failure 1
}

@test "a tool that fails: its status said, exit 1" {
	debian_grub
	printf '#!/bin/sh\nexit 3\n' >"$BATS_TEST_TMPDIR/bin/chroot"
	kargs --apply 0b:00.0
	assert_failure 1
	stderr_has 'update-grub failed (exit status 3)'
}
