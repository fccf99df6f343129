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

@test "Proxmox booted through GRUB (legacy BIOS): the grub.d drop-in, proxmox-boot-tool refresh, not update-grub" {
	debian_grub
	# what proxmox-boot-tool init leaves, and the /etc/kernel/cmdline a
	# systemd-boot ESP would read (zz-proxmox-boot leaves it unread for GRUB)
	put etc/kernel/proxmox-boot-uuids 'ABCD-1234'
	put etc/kernel/cmdline 'root=ZFS=rpool/ROOT/pve-1 boot=zfs'
	kargs 0b:00.0
	stderr_has "boot loader: GRUB on proxmox-boot-tool's ESPs (/etc/kernel/proxmox-boot-uuids; BOOT_IMAGE= on the running command line: GRUB)"
	stderr_has "they go in /etc/default/grub.d/vfio-bind.cfg, applied by proxmox-boot-tool refresh"
	snapshot
	kargs --apply 0b:00.0
	assert_success
	run cat "$TOOL_LOG"
	assert_output 'proxmox-boot-tool refresh'
	run cat "$ROOT/etc/default/grub.d/vfio-bind.cfg"
	assert_line 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX intel_iommu=on vfio-pci.ids=10de:1c30"'
	run cat "$ROOT/etc/kernel/cmdline"
	assert_output 'root=ZFS=rpool/ROOT/pve-1 boot=zfs'
	: >"$TOOL_LOG"
	kargs --remove
	assert_success
	run cat "$TOOL_LOG"
	assert_output 'proxmox-boot-tool refresh'
	unchanged
	# control: booted by systemd-boot from those ESPs, /etc/kernel/cmdline
	printf '%s\n' 'initrd=\EFI\proxmox\6.8.12-4-pve\initrd.img-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs' >"$ROOT/proc/cmdline"
	kargs 0b:00.0
	stderr_has 'boot loader: proxmox-boot-tool (/etc/kernel/proxmox-boot-uuids; initrd=\EFI\... on the running command line: systemd-boot or the EFI stub)'
}

@test "GRUB with grub2-mkconfig and no drop-ins (Fedora, RHEL without BLS): our line in /etc/default/grub, grub2-mkconfig -o the grub.cfg the ESP's stub names" {
	host "$GRUB_CMDLINE"
	put etc/default/grub 'GRUB_TIMEOUT=5
GRUB_CMDLINE_LINUX="rd.lvm.lv=rhel/root rhgb quiet"
GRUB_ENABLE_BLSCFG=false'
	put usr/sbin/grub2-mkconfig ''
	mkdir -p "$ROOT/sys/firmware/efi"
	put boot/efi/EFI/fedora/grub.cfg 'search --no-floppy --fs-uuid --set=dev 1234
set prefix=($dev)/grub2
export $prefix
configfile $prefix/grub.cfg'
	put boot/grub2/grub.cfg "menuentry 'Fedora' {
	linux /vmlinuz-6.5 root=/dev/vda1 ro
}"
	kargs 0b:00.0
	stderr_has 'boot loader: GRUB with grub-mkconfig (no grub.d drop-ins) (/usr/sbin/grub2-mkconfig; BOOT_IMAGE= on the running command line: GRUB)'
	snapshot
	kargs --apply --dry-run 0b:00.0
	assert_success
	assert_output '--- /etc/default/grub
+++ /etc/default/grub
+GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX intel_iommu=on vfio-pci.ids=10de:1c30" # vfio-bind kargs --remove deletes this line
would run: chroot '"$ROOT"' grub2-mkconfig -o /boot/grub2/grub.cfg'
	unchanged
	kargs --apply 0b:00.0
	assert_success
	run cat "$TOOL_LOG"
	assert_output 'grub2-mkconfig -o /boot/grub2/grub.cfg'
	# the file as grub2-mkconfig sources it
	run sh -c ". '$ROOT/etc/default/grub'; echo \"\$GRUB_CMDLINE_LINUX\""
	assert_output 'rd.lvm.lv=rhel/root rhgb quiet intel_iommu=on vfio-pci.ids=10de:1c30'
	: >"$TOOL_LOG"
	kargs --apply 0b:00.0
	stderr_has 'already configured: nothing to change'
	# another function: our line rewritten with both, not a second line
	kargs --apply --iommu-pt 0b:00.0
	assert_success
	run grep -c 'vfio-bind kargs' "$ROOT/etc/default/grub"
	assert_output 1
	run sh -c ". '$ROOT/etc/default/grub'; echo \"\$GRUB_CMDLINE_LINUX\""
	assert_output 'rd.lvm.lv=rhel/root rhgb quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:1c30'
	: >"$TOOL_LOG"
	kargs --remove
	assert_success
	run cat "$TOOL_LOG"
	assert_output 'grub2-mkconfig -o /boot/grub2/grub.cfg'
	unchanged
	kargs --remove
	stderr_has 'vfio-bind added no kernel argument here: nothing to remove'
	# a RHEL 8 ESP whose grub.cfg is the menu itself: that file
	put boot/efi/EFI/fedora/grub.cfg "menuentry 'RHEL' {
	linux /vmlinuz-4.18 root=/dev/vda1 ro
}"
	kargs --apply --dry-run 0b:00.0
	assert_line 'would run: chroot '"$ROOT"' grub2-mkconfig -o /boot/efi/EFI/fedora/grub.cfg'
	# control: with BLS entries grub2-mkconfig's arguments reach no entry and
	# there is no grubby: a loader vfio-bind does not know
	put boot/loader/entries/abc-6.5.conf 'options root=/dev/vda1 ro'
	kargs --apply 0b:00.0
	assert_failure 2
	stderr_has 'does not know this boot loader'
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

@test "--apply --dry-run on each other layout: its command, nothing changed; control: already there, nothing to run" {
	local layout
	for layout in proxmox proxmox-grub bls ostree; do
		case $layout in
		proxmox) kernel_install; put etc/kernel/proxmox-boot-uuids 'ABCD-1234' ;;
		proxmox-grub) debian_grub; put etc/kernel/proxmox-boot-uuids 'ABCD-1234' ;;
		bls) bls ;;
		ostree) bls; put run/ostree-booted '' ;;
		esac
		snapshot
		kargs --apply --dry-run 0b:00.0
		assert_success
		case $layout in
		proxmox | proxmox-grub) assert_line "would run: chroot $ROOT proxmox-boot-tool refresh" ;;
		bls) assert_line "would run: chroot $ROOT grubby --update-kernel=ALL --args=intel_iommu=on vfio-pci.ids=10de:1c30" ;;
		ostree) assert_line "would run: chroot $ROOT rpm-ostree kargs --append-if-missing=intel_iommu=on --append-if-missing=vfio-pci.ids=10de:1c30" ;;
		esac
		unchanged
		run cat "$TOOL_LOG"
		assert_output ''
		# control: the running command line's values already configured
		case $layout in
		proxmox) put etc/kernel/cmdline 'root=/dev/sda1 ro intel_iommu=on vfio-pci.ids=10de:1c30' ;;
		proxmox-grub) put etc/default/grub.d/local.cfg 'GRUB_CMDLINE_LINUX="intel_iommu=on vfio-pci.ids=10de:1c30"' ;;
		bls | ostree) put boot/loader/entries/abc-6.5.conf 'options root=/dev/vda1 ro intel_iommu=on vfio-pci.ids=10de:1c30' ;;
		esac
		kargs --apply --dry-run 0b:00.0
		assert_success
		stderr_has 'already configured: nothing to change'
		refute_output --partial 'would run:'
		rm -rf "$ROOT"
	done
}
