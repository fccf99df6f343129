#!/usr/bin/env bats
# check --next-boot reads the entry the boot loader will pick, as the boot
# loader reads its configuration, and the listing of that entry's
# initramfs. One fake tree per layout; each case with its control: the
# argument somewhere the boot loader does not read.

load common

KERNEL=6.1.0-13-amd64

setup() {
	fake_root "quiet"
	fake_cpu GenuineIntel DMAR
	fake_kernel_config "$KERNEL" CONFIG_INTEL_IOMMU=y
	LISTERS="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$LISTERS"
}

# put PATH TEXT: a file of the boot loader's configuration
put() {
	mkdir -p "$(dirname "$ROOT/$1")"
	printf '%s\n' "$2" >"$ROOT/$1"
}

# stub_lister NAME: a lister that prints IMAGE.listing, the image's files
stub_lister() {
	printf '#!/bin/sh\nwhile IFS= read -r l; do printf "%%s\\n" "$l"; done <"$1.listing"\n' >"$LISTERS/$1"
	chmod +x "$LISTERS/$1"
}

# image PATH FILE...: an initramfs under the root, and what a lister lists in it
image() {
	local path=$1
	shift
	put "$path" "not a real image"
	printf '%s\n' "$@" >"$ROOT/$path.listing"
}

# good_image PATH: vfio-bind and vfio-pci in it
good_image() {
	image "$1" usr/sbin/vfio-bind \
		"usr/lib/modules/$KERNEL/kernel/drivers/vfio/pci/vfio-pci.ko.xz" "${@:2}"
}

next_boot() {
	run --separate-stderr env PATH="$LISTERS" "$VFIO_BIND" --root "$ROOT" check --next-boot "$@"
}

# A Debian grub.cfg: two entries at the top, the second a submenu.
debian_grub() {
	put boot/grub/grub.cfg "if [ -s \$prefix/grubenv ]; then
  load_env
fi
if [ \"\${next_entry}\" ] ; then
   set default=\"\${next_entry}\"
   set next_entry=
   save_env next_entry
else
   set default=\"${1:-0}\"
fi
function load_video {
  insmod all_video
}
menuentry 'Debian GNU/Linux' --class debian \$menuentry_id_option 'gnulinux-simple-1234' {
	load_video
	echo	'Loading Linux $KERNEL ...'
	linux	/boot/vmlinuz-$KERNEL root=UUID=1234 ro quiet ${2:-}
	initrd	/boot/initrd.img-$KERNEL
}
submenu 'Advanced options for Debian GNU/Linux' \$menuentry_id_option 'gnulinux-advanced-1234' {
	menuentry 'Debian GNU/Linux, with Linux 6.5.0' \$menuentry_id_option 'gnulinux-6.5.0-advanced-1234' {
		linux	/boot/vmlinuz-6.5.0 root=UUID=1234 ro ${3:-}
		initrd	/boot/initrd.img-6.5.0
	}
	menuentry 'Debian GNU/Linux, with Linux 6.5.0 (recovery mode)' {
		linux	/boot/vmlinuz-6.5.0 root=UUID=1234 ro single ${4:-}
		initrd	/boot/initrd.img-6.5.0
	}
}"
	good_image "boot/initrd.img-$KERNEL"
	good_image boot/initrd.img-6.5.0
}

@test "GRUB: default=0 carries intel_iommu=on" {
	stub_lister lsinitramfs
	debian_grub 0 intel_iommu=on
	next_boot
	assert_success
	assert_line "ok    the next boot is the GRUB entry 'Debian GNU/Linux', /boot/grub/grub.cfg: kernel /boot/vmlinuz-$KERNEL"
	assert_line "ok    the next boot (GRUB entry 'Debian GNU/Linux', /boot/grub/grub.cfg) carries intel_iommu=on"
	assert_line "ok    the next boot's initramfs /boot/initrd.img-$KERNEL carries vfio-bind"
	assert_line "ok    the next boot's initramfs /boot/initrd.img-$KERNEL carries vfio-pci"
}

@test "GRUB: only in a non-default entry and in /etc/default/grub, it lacks it" {
	stub_lister lsinitramfs
	debian_grub 0 "" intel_iommu=on intel_iommu=on
	put etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"'
	next_boot
	assert_failure 2
	assert_line "FAIL  the next boot (GRUB entry 'Debian GNU/Linux', /boot/grub/grub.cfg) lacks intel_iommu=on"
	assert_line "      fix: add intel_iommu=on to the kernel command line where your boot loader reads it (vfio-bind kargs prints it)"
	# Debian's update-grub there: the fix is check's, with its file and tool
	put usr/sbin/update-grub ''
	next_boot
	assert_line "      fix: vfio-bind kargs --apply: it adds intel_iommu=on to /etc/default/grub.d/vfio-bind.cfg and runs update-grub (GRUB with update-grub), then reboot"
}

@test "GRUB: default=\"1>0\" is the submenu's first entry" {
	stub_lister lsinitramfs
	debian_grub "1>0" "" intel_iommu=on
	next_boot
	assert_success
	assert_line "ok    the next boot is the GRUB entry 'Debian GNU/Linux, with Linux 6.5.0', /boot/grub/grub.cfg: kernel /boot/vmlinuz-6.5.0"
	# control: its sibling, the recovery entry, lacks it
	debian_grub "1>1" "" intel_iommu=on
	next_boot
	assert_failure 2
	assert_line --partial "lacks intel_iommu=on"
}

@test "GRUB: default=saved reads grubenv's saved_entry, by id or title" {
	stub_lister lsinitramfs
	debian_grub '${saved_entry}' "" intel_iommu=on
	put boot/grub/grubenv "# GRUB Environment Block
saved_entry=gnulinux-advanced-1234>gnulinux-6.5.0-advanced-1234
#######"
	next_boot
	assert_success
	assert_line --partial "GRUB entry 'Debian GNU/Linux, with Linux 6.5.0', /boot/grub/grub.cfg"
	# control: saved_entry names the first entry, which lacks it
	put boot/grub/grubenv "saved_entry=Debian GNU/Linux"
	next_boot
	assert_failure 2
	assert_line --partial "GRUB entry 'Debian GNU/Linux', /boot/grub/grub.cfg) lacks intel_iommu=on"
}

@test "GRUB: grubenv's next_entry wins, once" {
	stub_lister lsinitramfs
	debian_grub 0 "" intel_iommu=on
	put boot/grub/grubenv "next_entry=1>0"
	next_boot
	assert_success
	assert_line --partial "Linux 6.5.0', /boot/grub/grub.cfg: kernel /boot/vmlinuz-6.5.0; grubenv's next_entry names it for one boot only"
	# control: no next_entry, default=0
	put boot/grub/grubenv "next_entry="
	next_boot
	assert_failure 2
}

@test "GRUB: a variable it cannot expand is named" {
	stub_lister lsinitramfs
	debian_grub 0 'intel_iommu=on $vt_handoff'
	sed -i '1i if [ x ]; then set vt_handoff=vt.handoff=7; else set vt_handoff= ; fi' "$ROOT/boot/grub/grub.cfg"
	next_boot
	assert_success
	assert_line "WARN  the next boot's command line has variables GRUB sets at boot, read here as empty: \$vt_handoff"
}

# Fedora on EFI: a stub beside grubx64.efi, the real grub.cfg with blscfg.
fedora() {
	mkdir -p "$ROOT/sys/firmware/efi"
	put boot/efi/EFI/fedora/grub.cfg "search --no-floppy --fs-uuid --set=dev abcd
set prefix=(\$dev)/grub2
export \$prefix
configfile \$prefix/grub.cfg"
	put boot/grub2/grub.cfg "set pager=1
if [ -f \${config_directory}/grubenv ]; then
  load_env -f \${config_directory}/grubenv
fi
if [ \"\${next_entry}\" ] ; then
   set default=\"\${next_entry}\"
else
   set default=\"\${saved_entry}\"
fi
insmod blscfg
blscfg"
	put boot/grub2/grubenv "saved_entry=abc-6.5.6-300.fc39.x86_64
kernelopts=root=UUID=1234 ro rhgb quiet $1"
	put boot/loader/entries/abc-6.5.6-300.fc39.x86_64.conf "title Fedora Linux (6.5.6-300.fc39.x86_64) 39
version 6.5.6-300.fc39.x86_64
linux /vmlinuz-6.5.6-300.fc39.x86_64
initrd /initramfs-6.5.6-300.fc39.x86_64.img
options \$kernelopts"
	put boot/loader/entries/abc-6.4.1-200.fc39.x86_64.conf "title Fedora Linux (6.4.1-200.fc39.x86_64) 39
linux /vmlinuz-6.4.1-200.fc39.x86_64
initrd /initramfs-6.4.1-200.fc39.x86_64.img
options root=UUID=1234 ro intel_iommu=on"
	good_image boot/initramfs-6.5.6-300.fc39.x86_64.img
}

@test "Fedora: the EFI stub's configfile, BLS entries, grubenv's kernelopts" {
	stub_lister lsinitrd
	fedora intel_iommu=on
	next_boot
	assert_success
	assert_line "ok    the next boot is the GRUB's BLS entry 'Fedora Linux (6.5.6-300.fc39.x86_64) 39', /boot/grub2/grub.cfg: kernel /boot/vmlinuz-6.5.6-300.fc39.x86_64"
	assert_line --partial "carries intel_iommu=on"
	assert_line "ok    the next boot's initramfs /boot/initramfs-6.5.6-300.fc39.x86_64.img carries vfio-bind"
}

@test "Fedora: kernelopts without it, only the older entry has it" {
	stub_lister lsinitrd
	fedora ""
	next_boot
	assert_failure 2
	assert_line --partial "BLS entry 'Fedora Linux (6.5.6-300.fc39.x86_64) 39', /boot/grub2/grub.cfg) lacks intel_iommu=on"
}

@test "Fedora: a number as default counts the BLS entries newest first" {
	stub_lister lsinitrd
	fedora ""
	sed -i 's/set default="${saved_entry}"/set default="1"/' "$ROOT/boot/grub2/grub.cfg"
	good_image boot/initramfs-6.4.1-200.fc39.x86_64.img
	next_boot
	assert_success
	assert_line --partial "BLS entry 'Fedora Linux (6.4.1-200.fc39.x86_64) 39'"
}

@test "Debian on EFI: the stub's prefix leads to /boot/grub/grub.cfg" {
	stub_lister lsinitramfs
	debian_grub 0 intel_iommu=on
	mkdir -p "$ROOT/sys/firmware/efi"
	put boot/efi/EFI/debian/grub.cfg "search.fs_uuid 1234 root hd0,gpt2
set prefix=(\$root)'/boot/grub'
configfile \$prefix/grub.cfg"
	next_boot
	assert_success
	assert_line --partial "the next boot is the GRUB entry 'Debian GNU/Linux', /boot/grub/grub.cfg"
	# control: a full grub.cfg beside the EFI image is the one loaded
	put boot/efi/EFI/debian/grub.cfg "menuentry 'Debian from the ESP' {
	linux /vmlinuz-$KERNEL root=UUID=1234 ro
	initrd /initrd.img-$KERNEL
}"
	next_boot
	assert_failure 2
	assert_line --partial "GRUB entry 'Debian from the ESP', /boot/efi/EFI/debian/grub.cfg) lacks intel_iommu=on"
}

@test "ostree: /boot/loader a symlink to loader.1, read through it" {
	stub_lister lsinitrd
	put boot/grub2/grub.cfg "set default=0
blscfg"
	put boot/loader.1/entries/ostree-1-fedora-coreos.conf "title Fedora CoreOS 39 (ostree:0)
version 1
options root=UUID=1234 rw ostree=/ostree/boot.1/fedora-coreos/abc/0 $1
linux /ostree/fedora-coreos-abc/vmlinuz-6.5.6-300.fc39.x86_64
initrd /ostree/fedora-coreos-abc/initramfs-6.5.6-300.fc39.x86_64.img"
	ln -s loader.1 "$ROOT/boot/loader"
	good_image boot/ostree/fedora-coreos-abc/initramfs-6.5.6-300.fc39.x86_64.img
	next_boot
	assert_failure 2
	assert_line --partial "BLS entry 'Fedora CoreOS 39 (ostree:0)', /boot/grub2/grub.cfg) lacks intel_iommu=on"
	put boot/loader.1/entries/ostree-1-fedora-coreos.conf "title Fedora CoreOS 39 (ostree:0)
options root=UUID=1234 rw intel_iommu=on
linux /ostree/fedora-coreos-abc/vmlinuz-6.5.6-300.fc39.x86_64
initrd /ostree/fedora-coreos-abc/initramfs-6.5.6-300.fc39.x86_64.img"
	next_boot
	assert_success
	assert_line --partial "carries vfio-bind"
}

# systemd-boot: loader.conf in the ESP, two entries.
sdboot() {
	put boot/efi/loader/loader.conf "timeout 3
default $1"
	put boot/efi/loader/entries/pve-6.2.16-3.conf "title Proxmox VE
version 6.2.16-3-pve
options root=ZFS=rpool/ROOT/pve-1 boot=zfs
options $2
linux /EFI/proxmox/6.2.16-3-pve/vmlinuz-6.2.16-3-pve
initrd /EFI/proxmox/6.2.16-3-pve/initrd.img-6.2.16-3-pve"
	put boot/efi/loader/entries/pve-6.5.11-4.conf "title Proxmox VE
version 6.5.11-4-pve
options root=ZFS=rpool/ROOT/pve-1 boot=zfs $3
linux /EFI/proxmox/6.5.11-4-pve/vmlinuz-6.5.11-4-pve
initrd /EFI/proxmox/6.5.11-4-pve/initrd.img-6.5.11-4-pve"
	good_image boot/efi/EFI/proxmox/6.2.16-3-pve/initrd.img-6.2.16-3-pve
	good_image boot/efi/EFI/proxmox/6.5.11-4-pve/initrd.img-6.5.11-4-pve
}

@test "systemd-boot: loader.conf's glob picks the newest match; options lines joined" {
	stub_lister lsinitramfs
	sdboot 'pve-*' "" intel_iommu=on
	next_boot
	assert_success
	assert_line "ok    the next boot is the systemd-boot entry 'Proxmox VE', /boot/efi/loader/loader.conf: kernel /boot/efi/EFI/proxmox/6.5.11-4-pve/vmlinuz-6.5.11-4-pve; the EFI variables LoaderEntryOneShot and LoaderEntryDefault, which choose first, were not read (no efivarfs)"
	# control: the glob names the older entry, whose second options line has it
	sdboot 'pve-6.2*' "intel_iommu=on" ""
	next_boot
	assert_success
	assert_line --partial "kernel /boot/efi/EFI/proxmox/6.2.16-3-pve/vmlinuz-6.2.16-3-pve"
	# and the newest without it fails
	sdboot 'pve-*' "intel_iommu=on" ""
	next_boot
	assert_failure 2
	assert_line "      fix: add intel_iommu=on to the kernel command line where your boot loader reads it (vfio-bind kargs prints it)"
}

# efivar NAME VALUE: systemd-boot's variable in efivarfs, attributes and UTF-16
efivar() {
	mkdir -p "$ROOT/sys/firmware/efi/efivars"
	python3 -c 'import sys; open(sys.argv[1], "wb").write(b"\x07\0\0\0" + (sys.argv[2] + "\0").encode("utf-16-le"))' \
		"$ROOT/sys/firmware/efi/efivars/$1-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f" "$2"
}

@test "systemd-boot: LoaderEntryOneShot, then LoaderEntryDefault, choose before loader.conf" {
	stub_lister lsinitramfs
	sdboot 'pve-*' "intel_iommu=on" ""
	mkdir -p "$ROOT/sys/firmware/efi/efivars"
	next_boot
	assert_failure 2
	refute_line --partial "were not read"
	efivar LoaderEntryDefault pve-6.2.16-3.conf
	next_boot
	assert_success
	assert_line --partial "vmlinuz-6.2.16-3-pve; the EFI variable LoaderEntryDefault names it (bootctl set-default)"
	efivar LoaderEntryOneShot pve-6.5.11-4.conf
	next_boot
	assert_failure 2
	assert_line --partial "vmlinuz-6.5.11-4-pve; the EFI variable LoaderEntryOneShot names it for one boot only"
}

@test "systemd-boot: /etc/kernel/cmdline has it, the entry not: refresh" {
	stub_lister lsinitramfs
	sdboot 'pve-*' "" ""
	put etc/kernel/cmdline "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on"
	next_boot
	assert_failure 2
	assert_line "      fix: /etc/kernel/cmdline has it, the entry was written before: run proxmox-boot-tool refresh (Proxmox VE) or kernel-install add for the kernel, then reboot"
	# control: /etc/kernel/cmdline without it
	put etc/kernel/cmdline "root=ZFS=rpool/ROOT/pve-1 boot=zfs"
	next_boot
	assert_line "      fix: vfio-bind kargs --apply: it adds intel_iommu=on to /etc/kernel/cmdline and runs kernel-install add VERSION /boot/vmlinuz-VERSION (kernel-install), then reboot"
}

# uki PATH CMDLINE: a PE image with one .cmdline section (no optional header)
uki() {
	mkdir -p "$(dirname "$ROOT/$1")"
	python3 - "$ROOT/$1" "$2" <<'EOF'
import struct, sys
cmd = sys.argv[2].encode() + b"\n"
sections = 0x40 + 4 + 20
data = sections + 40
header = struct.pack('<IIIIIIHHI', len(cmd), 0x1000, len(cmd), data, 0, 0, 0, 0, 0x40000040)
image = (b'MZ' + bytes(0x3a) + struct.pack('<I', 0x40) + b'PE\0\0' +
         struct.pack('<HHIIIHH', 0x8664, 1, 0, 0, 0, 0, 0) + b'.cmdline' + header + cmd)
open(sys.argv[1], 'wb').write(image)
EOF
}

@test "systemd-boot: a unified kernel image's .cmdline section" {
	stub_lister lsinitramfs
	put efi/loader/loader.conf "timeout 0"
	uki efi/EFI/Linux/debian-6.5.0.efi "root=UUID=1234 intel_iommu=on quiet"
	next_boot
	assert_success
	assert_line --partial "the next boot is the systemd-boot's unified kernel image 'debian-6.5.0.efi', /efi/loader/loader.conf: kernel /efi/EFI/Linux/debian-6.5.0.efi"
	assert_line --partial "carries intel_iommu=on"
	assert_line "skip  the next boot's unified kernel image carries its initramfs inside, which is not listed"
	# control: its command line without it
	uki efi/EFI/Linux/debian-6.5.0.efi "root=UUID=1234 quiet"
	next_boot
	assert_failure 2
}

@test "a truncated PE image is no entry" {
	stub_lister lsinitramfs
	put efi/loader/loader.conf "timeout 0"
	uki efi/EFI/Linux/debian-6.5.0.efi "root=UUID=1234 intel_iommu=on quiet"
	truncate -s 100 "$ROOT/efi/EFI/Linux/debian-6.5.0.efi"
	next_boot
	assert_failure 3
	assert_line "FAIL  cannot tell what the next boot gets: the boot loader's default names no entry"
}

@test "initramfs without vfio-bind or vfio-pci" {
	stub_lister lsinitramfs
	debian_grub 0 intel_iommu=on
	image "boot/initrd.img-$KERNEL" usr/bin/busybox
	next_boot
	assert_failure 3
	assert_line "FAIL  the next boot's initramfs /boot/initrd.img-$KERNEL lacks vfio-bind"
	assert_line "FAIL  the next boot's initramfs /boot/initrd.img-$KERNEL lacks vfio-pci's module"
}

@test "vfio-pci built into the next kernel needs no module" {
	stub_lister lsinitramfs
	debian_grub 0 intel_iommu=on
	image "boot/initrd.img-$KERNEL" usr/sbin/vfio-bind
	echo CONFIG_VFIO_PCI=y >>"$ROOT/boot/config-$KERNEL"
	next_boot
	assert_success
	assert_line "ok    the next boot's kernel has vfio-pci built in"
}

@test "dracut's lsinitrd: ls -l lines" {
	stub_lister lsinitrd
	debian_grub 0 intel_iommu=on
	image "boot/initrd.img-$KERNEL" \
		"-rwxr-xr-x   1 root     root        92000 Dec  7 20:00 usr/sbin/vfio-bind" \
		"-rw-r--r--   1 root     root        30000 Dec  7 20:00 usr/lib/modules/$KERNEL/kernel/drivers/vfio/pci/vfio-pci.ko.zst"
	next_boot
	assert_success
	assert_line --partial "carries vfio-bind"
}

@test "no lister: a skip, never a pass" {
	debian_grub 0 intel_iommu=on
	next_boot
	assert_success
	assert_line "skip  the next boot's initramfs is not checked: neither lsinitramfs (initramfs-tools) nor lsinitrd (dracut) is installed"
	refute_line --partial "carries vfio-bind"
}

@test "the real lsinitramfs on a cpio made here" {
	command -v lsinitramfs || skip "initramfs-tools-core is not installed"
	debian_grub 0 intel_iommu=on
	local tree="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$tree/usr/sbin" "$tree/usr/lib/modules/$KERNEL/kernel/drivers/vfio/pci"
	: >"$tree/usr/sbin/vfio-bind"
	: >"$tree/usr/lib/modules/$KERNEL/kernel/drivers/vfio/pci/vfio-pci.ko"
	(cd "$tree" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$ROOT/boot/initrd.img-$KERNEL"
	ln -s "$(command -v lsinitramfs)" "$LISTERS/lsinitramfs"
	run --separate-stderr env PATH="$LISTERS:/usr/bin:/bin" "$VFIO_BIND" --root "$ROOT" check --next-boot
	assert_success
	assert_line "ok    the next boot's initramfs /boot/initrd.img-$KERNEL carries vfio-bind"
	# control: an image without it
	rm "$tree/usr/sbin/vfio-bind"
	(cd "$tree" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$ROOT/boot/initrd.img-$KERNEL"
	run --separate-stderr env PATH="$LISTERS:/usr/bin:/bin" "$VFIO_BIND" --root "$ROOT" check --next-boot
	assert_failure 3
	assert_line "FAIL  the next boot's initramfs /boot/initrd.img-$KERNEL lacks vfio-bind"
}

@test "the running selection on the command line must be in the next entry" {
	stub_lister lsinitramfs
	fake_cmdline "quiet intel_iommu=on vfio-pci.ids=10de:1c30,10de:10f1"
	debian_grub 0 "intel_iommu=on vfio-pci.ids=10de:1c30,10de:10f1"
	next_boot
	assert_success
	assert_line --partial "carries vfio-pci.ids=10de:1c30,10de:10f1"
	# control: the next entry lost it
	debian_grub 0 "intel_iommu=on"
	next_boot
	assert_failure 3
	assert_line --partial "lacks vfio-pci.ids=10de:1c30,10de:10f1"
}

@test "a modprobe.d selection must be in the image" {
	stub_lister lsinitramfs
	debian_grub 0 intel_iommu=on
	put etc/modprobe.d/vfio.conf "options vfio-pci ids=10de:1c30"
	good_image "boot/initrd.img-$KERNEL" etc/modprobe.d/vfio.conf
	next_boot
	assert_success
	assert_line "ok    the next boot's initramfs carries /etc/modprobe.d/vfio.conf (options vfio-pci ids=)"
	# control: an image built before the file
	good_image "boot/initrd.img-$KERNEL"
	next_boot
	assert_failure 3
	assert_line "FAIL  the next boot's initramfs lacks /etc/modprobe.d/vfio.conf, whose options vfio-pci ids= select"
}

@test "AMD needs no argument; an Intel kernel that turns it on by default neither" {
	stub_lister lsinitramfs
	debian_grub 0 ""
	fake_cpu AuthenticAMD IVRS
	next_boot
	assert_success
	assert_line --partial "needs no argument for the IOMMU: the kernel starts AMD-Vi whenever the firmware describes it"
	fake_cpu GenuineIntel DMAR
	echo CONFIG_INTEL_IOMMU_DEFAULT_ON=y >>"$ROOT/boot/config-$KERNEL"
	next_boot
	assert_success
	assert_line --partial "needs no intel_iommu=on: /boot/config-$KERNEL turns Intel's IOMMU on by default"
}

@test "no boot loader configuration: it cannot tell" {
	next_boot
	assert_failure 3
	assert_line --partial "FAIL  cannot tell what the next boot gets: no boot loader configuration"
}

@test "proxmox-boot-tool: its ESPs are not mounted, /boot's grub.cfg is not what boots: it cannot tell" {
	stub_lister lsinitramfs
	debian_grub 0 intel_iommu=on
	# control: the same grub.cfg without proxmox-boot-tool passes
	next_boot
	assert_success
	put etc/kernel/proxmox-boot-uuids '1234-ABCD'
	next_boot
	assert_failure 3
	assert_line "FAIL  cannot tell what the next boot gets: proxmox-boot-tool keeps it on the ESPs /etc/kernel/proxmox-boot-uuids names, mounted only while it writes them (proxmox-boot-tool refresh, which vfio-bind kargs --apply runs; proxmox-boot-tool status lists them)"
	refute_line --partial "carries intel_iommu=on"
}

@test "--json" {
	stub_lister lsinitramfs
	debian_grub 0 intel_iommu=on
	next_boot --json
	assert_success
	echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["ok"]; assert len(d["checks"]) == 4'
}

@test "--next-boot is check's only, and takes no address" {
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" list --next-boot
	assert_failure 1
	run --separate-stderr "$VFIO_BIND" --root "$ROOT" check --next-boot "$GPU"
	assert_failure 1
}
