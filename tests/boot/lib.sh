# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source it
# The QEMU boot harness, sourced by tests/boot/build, tests/boot/*.bats and
# tests/boot/demo.
#
# Everything generated lives in $VB_CACHE (tests/boot/cache, git-ignored):
#   kernel/VERSION/       the unpacked Debian kernel, never installed:
#                         boot/{vmlinuz,config}-VERSION, usr/lib/modules/VERSION
#   kernel/META           the kernel package that META (VB_KERNEL_META)
#                         depended on when it was unpacked
#   stage/                `make install-strip DESTDIR=` of this tree
#   rootfs.img            the tiny real root (busybox init, see rootfs-init,
#                         and the staged helper with its libraries)
#   spare.img             a blank disk, for NVMe controllers without root
#   btrfs-a.img, btrfs-b.img
#                         the same real root as one btrfs RAID1 filesystem
#                         over two disks (UUID $VB_BTRFS_UUID)
#   data.img              a btrfs data disk, mounted by the real root
#   mask/                 whiteouts over the host's vfio-bind paths
#   images/NAME.img       initramfs images, with NAME.inputs (what built them)
#   logs/NAME.log         the serial console of the last boot called NAME
#   images-SERIES/, logs-SERIES/
#                         the same for the kernel series VB_KERNEL=SERIES
#   distros/NAME/         a Debian release's own system, and the images and
#                         logs of its boots (tests/boot/distro,
#                         VB_DISTRO=NAME)
#
# The real tools (dracut, mkinitramfs) run in a private mount namespace where
# an overlay puts the staged files and the kernel's modules at their real
# paths (/usr/sbin, /usr/lib/dracut/modules.d, /usr/share/initramfs-tools,
# /lib/modules, /boot) and hides any vfio-bind installed on the host:
# nothing on the host outside $VB_CACHE and /tmp is touched, and nothing of
# the host's vfio-bind gets into an image.
#
# A new kind of boot: build (or reuse) an image with tests/boot/build, then
# call vb_boot with its own devices and kernel arguments (vb_devices gives
# the usual sets; VB_ROOT_ARG moves the root, VB_IDS changes
# vfio-pci.ids=), from a function handed to vb_boot_all so that it runs
# beside the others (in a .bats file: boot_setup_file, common.bash); the
# real root's init (rootfs-init) prints the machine-readable lines to assert
# on, and runs the actions named by vfiotest.action= on the kernel command
# line, in order: vb_action NAME ARG... has it run `vfio-bind ARG...`.

VB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VB_TOP=$(cd "$VB_DIR/../.." && pwd)
VB_CACHE=${VB_CACHE:-$VB_DIR/cache}
# The kernel the boots run: unset or empty, Debian's default (the one
# linux-image-amd64 depends on: 6.1 on Debian 12); a series such as 6.12,
# the one linux-image-SERIES-amd64 depends on. Each kernel has its own
# images and logs; the real root (no modules) is shared.
VB_KERNEL=${VB_KERNEL-}
VB_KERNEL_META=linux-image-${VB_KERNEL:+$VB_KERNEL-}amd64
VB_LOGS=$VB_CACHE/logs${VB_KERNEL:+-$VB_KERNEL}
VB_IMAGES=$VB_CACHE/images${VB_KERNEL:+-$VB_KERNEL}
# The releases whose GRUB disks tests/boot/distro makes (grub-setup) and
# distros/boot.bats boots: a boot through a real boot loader costs a copy of
# the system and two boots, one release shows it.
VB_GRUB_DISTROS=${VB_GRUB_DISTROS-debian13}
# Another Debian release (a NAME of tests/boot/distributions): its own
# system built the images (tests/boot/distro), and its kernel boots them.
VB_DISTRO=${VB_DISTRO-}
if [[ -n $VB_DISTRO ]]; then
	VB_DISTRO_DIR=$VB_CACHE/distros/$VB_DISTRO
	VB_LOGS=$VB_DISTRO_DIR/logs
	VB_IMAGES=$VB_DISTRO_DIR/images
fi
VB_ROOTFS=$VB_CACHE/rootfs.img
VB_SPARE=$VB_CACHE/spare.img
VB_BTRFS_A=$VB_CACHE/btrfs-a.img
VB_BTRFS_B=$VB_CACHE/btrfs-b.img
VB_DATA=$VB_CACHE/data.img
# the overlay layer that hides a vfio-bind installed on the host (vb_in_root)
VB_MASK=$VB_CACHE/mask
# The real root's ext4 UUID, for boots that say root=UUID=.
VB_ROOT_UUID=6f1b0e3a-7c55-4d1b-9b4e-2f0b7c1d5e01
# The btrfs RAID1 copy of the real root, for boots with root=UUID= of it.
VB_BTRFS_UUID=0c7e5d2a-41b6-4f8e-9d3c-5a1b2c3d4e5f
# dracut, mkinitramfs and QEMU's snapshot=on write their temporary files here
# rather than in /var/tmp.
VB_TMP=$VB_CACHE/tmp

# The functions under test: a GPU-like function and its HDMI-audio-like
# function in one multifunction slot, and an unrelated device (the root
# disk) that must keep its own driver.
VB_GPU=0000:00:05.0
VB_GPU_ID=1234:1111 # bochs-display, host driver bochs-drm
VB_AUDIO=0000:00:05.1
VB_AUDIO_ID=8086:293e # ich9-intel-hda, host driver snd_hda_intel
VB_DISK=0000:00:03.0
VB_DISK_ID=1af4:1001 # virtio-blk-pci (transitional), driver virtio-pci
VB_IDS=$VB_GPU_ID,$VB_AUDIO_ID
# A second GPU-like function, identical to the first, alone in its slot.
VB_GPU2=0000:00:06.0
# Two identical NVMe controllers (QEMU's nvme, driver nvme): the storage
# guard must keep the one that carries the root and may take the other.
VB_NVME_A=0000:00:04.0
VB_NVME_B=0000:00:07.0
VB_NVME_ID=1b36:0010
# A third identical NVMe controller, and two virtio disks (a data disk and
# a blank one), for the btrfs RAID1 root and the busy mount table.
VB_NVME_C=0000:00:0a.0
VB_DATA_DISK=0000:00:0b.0
VB_BLANK_DISK=0000:00:0c.0
# Two identical USB controllers (QEMU's qemu-xhci, driver xhci_hcd), a root
# disk can sit behind one: the guard must treat them as storage controllers.
VB_XHCI_A=0000:00:08.0
VB_XHCI_B=0000:00:09.0
VB_XHCI_ID=1b36:000d
# A PCI serial port (QEMU's pci-serial), held from the start by a driver
# built into the kernel (8250_pci, driver "serial"): no race to win, the
# helper must unbind it.
VB_SERIAL=0000:00:0e.0
VB_SERIAL_ID=1b36:0002
# Many functions with no host driver (QEMU's pci-testdev), for a run that
# logs more lines than the kernel lets one open file of /dev/kmsg write.
VB_TESTDEV_ID=1b36:0005
VB_TESTDEV_SLOTS="10 11 12 13 14 15 16 17 18 19 1a 1b"

# Two identical NICs (QEMU's e1000e, driver e1000e), each on its own hub:
# the network guard must keep the one under the default route, through a
# bridge or a bond, and may take the other.
VB_NIC_A=0000:00:1c.0
VB_NIC_B=0000:00:1d.0
VB_NIC_ID=8086:10d3

# The four models the distributions' boots select (tests/boot/distros): the
# pair, the serial port and the NVMe controllers.
VB_DISTRO_IDS=$VB_IDS,$VB_SERIAL_ID,$VB_NVME_ID

# The host drivers that race vfio-pci; every image carries them so that
# udev loads them inside the initramfs. nvme too: dracut gets it named
# (build), mkinitramfs's MODULES=most must bring it by itself (a test
# checks that).
# The images' compression: zstd at level 3. dracut's own zstd level is 15,
# over half a minute of CPU for each of the harness's images (150 MB
# unpacked), initramfs-tools' 9; the level changes nothing a test looks at,
# and the kernel unpacks zstd as fast at any level.
VB_ZSTD_LEVEL=3
VB_ZSTD="zstd -$VB_ZSTD_LEVEL -q -T0"

VB_COMPETING_DRIVERS="bochs snd-hda-intel snd-hda-codec-generic"
VB_STORAGE_DRIVERS="nvme"
# The NICs' driver and what the real root builds over them (dracut images
# only; the boot loads bridge and bonding with rd.driver.pre=).
VB_NETWORK_DRIVERS="e1000e bridge bonding"

# Seconds one boot may take, however loaded the machine is.
VB_BOOT_TIMEOUT=${VB_BOOT_TIMEOUT:-300}
# Boots run side by side (each QEMU under TCG keeps one core busy).
VB_JOBS=${VB_JOBS:-$(nproc)}

# vb_lock: wait for, then hold until this process exits, the cache's lock,
# so that two runs in one tree (make check, make demo) take turns.
vb_lock() {
	mkdir -p "$VB_CACHE"
	exec {VB_LOCK_FD}>"$VB_CACHE/.lock"
	if ! flock -n "$VB_LOCK_FD"; then
		echo "boot harness: waiting for another run to release $VB_CACHE/.lock" >&2
		flock "$VB_LOCK_FD"
	fi
}

vb_die() {
	echo "boot harness: $*" >&2
	exit 1
}

# The kernel package that $VB_KERNEL_META currently depends on, e.g.
# linux-image-6.1.0-56-amd64; with no apt lists, the one cached for it last
# (kernel/META, build_kernel).
vb_kernel_package() {
	local pkg
	pkg=$(apt-cache depends "$VB_KERNEL_META" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	[[ -n $pkg ]] || pkg=$(cat "$VB_CACHE/kernel/$VB_KERNEL_META" 2>/dev/null) || :
	[[ -n $pkg ]] || vb_die "cannot tell which kernel $VB_KERNEL_META needs (run apt-get update)"
	echo "$pkg"
}

# Sets VB_KVER and VB_KDIR (the unpacked kernel); call vb_build_kernel first
# where the cache may be cold. With VB_DISTRO, the kernel installed in that
# release's system.
vb_kernel_vars() {
	local pkg
	if [[ -n $VB_DISTRO ]]; then
		VB_KDIR=$VB_DISTRO_DIR/root
		VB_KVER=$(cat "$VB_DISTRO_DIR/kernel" 2>/dev/null) ||
			vb_die "no kernel recorded in $VB_DISTRO_DIR (tests/boot/distro $VB_DISTRO makes it)"
		VB_VMLINUZ=$VB_KDIR/boot/vmlinuz-$VB_KVER
		return 0
	fi
	pkg=$(vb_kernel_package) || return 1
	VB_KVER=${pkg#linux-image-}
	VB_KDIR=$VB_CACHE/kernel/$VB_KVER
	VB_VMLINUZ=$VB_KDIR/boot/vmlinuz-$VB_KVER
}

# vb_host_install_paths STAGE: where a vfio-bind installed on this host
# would be, relative to /: each path STAGE (a DESTDIR) holds, cut at its
# first component named after vfio-bind (a directory is masked whole, so no
# file of an older install stays), and the same under usr/local, where
# PREFIX=/usr/local puts the program and its shared files.
vb_host_install_paths() {
	(cd "$1" && find usr -type f) | awk -F/ '{
		p = $1
		for (i = 2; i <= NF && index($(i - 1), "vfio-bind") == 0; i++)
			p = p "/" $i
		print p
		sub(/^usr\//, "usr/local/", p)
		print p
	}' | LC_ALL=C sort -u
}

# vb_make_mask STAGE: $VB_MASK, an overlay layer of whiteouts (character
# devices 0/0, Documentation/filesystems/overlayfs.rst) that hides
# vb_host_install_paths from the layers under it.
vb_make_mask() {
	local p
	rm -rf "$VB_MASK"
	mkdir -p "$VB_MASK/usr"
	while read -r p; do
		mkdir -p "$VB_MASK/${p%/*}"
		mknod "$VB_MASK/$p" c 0 0
	done < <(vb_host_install_paths "$1")
}

# vb_image_files IMAGE: the paths in an initramfs image (dracut's, NAME
# dracut-*.img, or mkinitramfs's), one a line, as the tools of the system
# that built it list it: this machine's lsinitrd or lsinitramfs, or with
# VB_DISTRO that release's own (a newer dracut's or initramfs-tools' image
# need not be one this machine's tools read whole); fails when the image
# cannot be listed. lsinitrd also prints dracut's arguments and modules:
# only its file lines count.
vb_image_files() {
	local list tool=lsinitramfs
	[[ ${1##*/} == dracut-* ]] && tool=lsinitrd
	if [[ -z $VB_DISTRO ]]; then
		list=$("$tool" "$1") || return 1
	else
		# shellcheck disable=SC2016 # expanded by that sh
		list=$(unshare --mount --propagation private -- /bin/sh -ec '
			mount --bind "${2%/*}" "$1/mnt"
			mount -t proc proc "$1/proc"
			mount --rbind /dev "$1/dev"
			exec chroot "$1" "$3" "/mnt/${2##*/}"' list-image \
			"$VB_DISTRO_DIR/root" "$1" "$tool") || return 1
	fi
	case $tool in
	lsinitrd) awk '$1 ~ /^[-dlcbps][-rwxsStT]+$/ { print $9 }' <<<"$list" ;;
	*) printf '%s\n' "$list" ;;
	esac
}

# vb_vfio_bind_files IMAGE: the paths in an initramfs image that name
# vfio-bind, one a line (vb_image_files)
vb_vfio_bind_files() {
	local list
	list=$(vb_image_files "$1") || return 1
	grep vfio-bind <<<"$list" || :
}

# Run "$@" in a private mount namespace where STAGE (a DESTDIR, or "" for
# none) and the cached kernel appear at their real paths, and a vfio-bind
# installed on the host does not (vb_make_mask): control images and the
# demo's "without" image must not pick it up. /var/lib/dracut is a private
# tmpfs there: dracut modules keep state in it while they build (the
# check() of 09console-setup removes and remakes console-setup-dir), so two
# dracut runs at once, ours or another tree's, would race on the host's.
# With VB_ETC_LAYER set, that directory is laid over /etc too (the
# operator's modprobe.d and driverctl.d of the images that read them).
vb_in_root() {
	local stage=$1 layers etc=/etc
	shift
	[[ -d $VB_MASK/usr ]] || vb_die "no mask layer $VB_MASK (tests/boot/build makes it)"
	layers=$VB_KDIR/usr:$VB_MASK/usr:/usr
	[[ -n $stage ]] && layers=$stage/usr:$layers
	[[ -n ${VB_ETC_LAYER-} ]] && etc=$VB_ETC_LAYER:/etc
	[[ $layers$etc == *,* ]] && vb_die "overlay paths must not contain commas: $layers $etc"
	# shellcheck disable=SC2016 # expanded by that sh
	unshare --mount --propagation private -- /bin/sh -c '
		set -e
		mount -t overlay vfio-bind-test -o "lowerdir=$1" /usr
		mount --bind "$2" /boot
		if [ "$3" != /etc ]; then
			mount -t overlay vfio-bind-test -o "lowerdir=$3" /etc
		fi
		if [ -d /var/lib/dracut ]; then
			mount -t tmpfs vfio-bind-test /var/lib/dracut
		fi
		shift 3
		exec "$@"' vb-in-root "$layers" "$VB_KDIR/boot" "$etc" "$@"
}

# A fingerprint of files and directories: names, modes, link targets and
# contents.
vb_fingerprint() {
	local p
	for p in "$@"; do
		if [[ -d $p ]]; then
			(cd "$p" && find . -printf '%p %m %l\n' | LC_ALL=C sort &&
				find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
		else
			echo "$p"
			sha256sum <"$p"
		fi
	done | sha256sum | cut -d' ' -f1
}

# vb_cmdline: the kernel command line every boot shares, with
# $VB_ROOT_ARG (unset: root=/dev/vda; e.g. root=UUID=$VB_ROOT_UUID; empty:
# no root=, for images that store it), rootfstype=$VB_ROOTFSTYPE (unset:
# ext4) and
# vfio-pci.ids=$VB_IDS (none when VB_IDS is empty); callers add the test's
# own arguments.
# no_timer_check: under software emulation on a loaded machine the kernel's
# check of the IO-APIC timer can fail and panic the boot.
vb_cmdline() {
	echo "console=ttyS0,115200 no_timer_check ${VB_ROOT_ARG-root=/dev/vda} rootfstype=${VB_ROOTFSTYPE:-ext4} ro" \
		"init=/sbin/init rd.shell=0 rd.emergency=poweroff panic=-1" \
		"${VB_IDS:+vfio-pci.ids=$VB_IDS}"
}

# QEMU device sets, as arrays for vb_boot.
# shellcheck disable=SC2054 # QEMU's options have commas
vb_devices() {
	# Interrupt remapping is not what vfio-pci's binding needs, and under
	# TCG it makes early boot timing-sensitive.
	VB_DEV_IOMMU=(-device intel-iommu,intremap=off)
	VB_DEV_GPU=(
		-device bochs-display,bus=pcie.0,addr=05.0,multifunction=on
		-device ich9-intel-hda,id=hda,bus=pcie.0,addr=05.1
		-audiodev none,id=snd0
		-device hda-duplex,bus=hda.0,audiodev=snd0
	)
	VB_DEV_ROOT=(
		-drive "file=$VB_ROOTFS,format=raw,if=none,id=rootdisk,snapshot=on"
		-device virtio-blk-pci,drive=rootdisk,bus=pcie.0,addr=03.0
	)
	VB_DEV_SERIAL=(-device "pci-serial,bus=pcie.0,addr=${VB_SERIAL#0000:00:}")
	# a second bochs-display, alone in slot 06
	VB_DEV_GPU2=(-device bochs-display,bus=pcie.0,addr=06.0)
	# The two NVMe controllers: the real root on the first, a blank disk on
	# the second; VB_DEV_NVME_IDLE: a blank disk on both (the root is then
	# elsewhere, VB_DEV_ROOT).
	VB_DEV_NVME_ROOT=(
		-drive "file=$VB_ROOTFS,format=raw,if=none,id=nvmea,snapshot=on"
		-device "nvme,serial=vfb-nvme-a,drive=nvmea,bus=pcie.0,addr=${VB_NVME_A#0000:00:}"
		-drive "file=$VB_SPARE,format=raw,if=none,id=nvmeb,snapshot=on"
		-device "nvme,serial=vfb-nvme-b,drive=nvmeb,bus=pcie.0,addr=${VB_NVME_B#0000:00:}"
	)
	# The two USB controllers: the real root on a USB disk behind the first
	# (VB_DEV_USB_ROOT) or a blank one (VB_DEV_USB_IDLE); nothing behind
	# the second.
	VB_DEV_USB_ROOT=(
		-device "qemu-xhci,id=xhcia,bus=pcie.0,addr=${VB_XHCI_A#0000:00:}"
		-drive "file=$VB_ROOTFS,format=raw,if=none,id=usbdisk,snapshot=on"
		-device usb-storage,bus=xhcia.0,drive=usbdisk
		-device "qemu-xhci,id=xhcib,bus=pcie.0,addr=${VB_XHCI_B#0000:00:}"
	)
	VB_DEV_USB_IDLE=(
		-device "qemu-xhci,id=xhcia,bus=pcie.0,addr=${VB_XHCI_A#0000:00:}"
		-drive "file=$VB_SPARE,format=raw,if=none,id=usbdisk,snapshot=on"
		-device usb-storage,bus=xhcia.0,drive=usbdisk
		-device "qemu-xhci,id=xhcib,bus=pcie.0,addr=${VB_XHCI_B#0000:00:}"
	)
	# Three identical NVMe controllers: the btrfs RAID1 root over the first
	# two, a blank disk on the third; and the two virtio disks.
	VB_DEV_BTRFS_ROOT=(
		-drive "file=$VB_BTRFS_A,format=raw,if=none,id=nvmea,snapshot=on"
		-device "nvme,serial=vfb-nvme-a,drive=nvmea,bus=pcie.0,addr=${VB_NVME_A#0000:00:}"
		-drive "file=$VB_BTRFS_B,format=raw,if=none,id=nvmeb,snapshot=on"
		-device "nvme,serial=vfb-nvme-b,drive=nvmeb,bus=pcie.0,addr=${VB_NVME_B#0000:00:}"
		-drive "file=$VB_SPARE,format=raw,if=none,id=nvmec,snapshot=on"
		-device "nvme,serial=vfb-nvme-c,drive=nvmec,bus=pcie.0,addr=${VB_NVME_C#0000:00:}"
	)
	VB_DEV_DATA=(
		-drive "file=$VB_DATA,format=raw,if=none,id=datadisk,snapshot=on"
		-device "virtio-blk-pci,drive=datadisk,bus=pcie.0,addr=${VB_DATA_DISK#0000:00:}"
		-drive "file=$VB_SPARE,format=raw,if=none,id=blankdisk,snapshot=on"
		-device "virtio-blk-pci,drive=blankdisk,bus=pcie.0,addr=${VB_BLANK_DISK#0000:00:}"
	)
	VB_DEV_TESTDEVS=()
	local slot
	for slot in $VB_TESTDEV_SLOTS; do
		VB_DEV_TESTDEVS+=(-device "pci-testdev,bus=pcie.0,addr=$slot.0")
	done
	# The NVMe root with two identical blank controllers beside it: the
	# real root on the first, blank disks on the second and the third.
	VB_DEV_NVME_ROOT_TWINS=(
		"${VB_DEV_NVME_ROOT[@]}"
		-drive "file=$VB_SPARE,format=raw,if=none,id=nvmec,snapshot=on"
		-device "nvme,serial=vfb-nvme-c,drive=nvmec,bus=pcie.0,addr=${VB_NVME_C#0000:00:}"
	)
	VB_DEV_NICS=(
		-netdev hubport,id=nica,hubid=0
		-device "e1000e,netdev=nica,mac=52:54:00:00:1c:00,bus=pcie.0,addr=${VB_NIC_A#0000:00:}"
		-netdev hubport,id=nicb,hubid=1
		-device "e1000e,netdev=nicb,mac=52:54:00:00:1d:00,bus=pcie.0,addr=${VB_NIC_B#0000:00:}"
	)
	VB_DEV_NVME_IDLE=(
		-drive "file=$VB_SPARE,format=raw,if=none,id=nvmea,snapshot=on"
		-device "nvme,serial=vfb-nvme-a,drive=nvmea,bus=pcie.0,addr=${VB_NVME_A#0000:00:}"
		-drive "file=$VB_SPARE,format=raw,if=none,id=nvmeb,snapshot=on"
		-device "nvme,serial=vfb-nvme-b,drive=nvmeb,bus=pcie.0,addr=${VB_NVME_B#0000:00:}"
	)
}

# vb_boot NAME INITRD CMDLINE [QEMU ARGS...]
# Boot the cached kernel with INITRD under QEMU q35 (software emulation)
# and write the serial console to $VB_LOGS/NAME.log. The real root prints
# "VFIOTEST ..." lines and powers off; a hung boot is killed after
# $VB_BOOT_TIMEOUT seconds. Returns QEMU's status (124: timed out).
vb_boot() {
	local name=$1 initrd=$2 cmdline=$3
	shift 3
	[[ -r $initrd ]] || vb_die "no image $initrd"
	vb_boot_firmware "$name" -kernel "$VB_VMLINUZ" -initrd "$initrd" \
		-append "$cmdline" "$@"
}

# vb_boot_firmware NAME [QEMU ARGS...]: the same machine, booted by its
# firmware (SeaBIOS) from its disks, through the boot loader on them
vb_boot_firmware() {
	local name=$1 log
	shift
	log=$VB_LOGS/$name.log
	mkdir -p "$VB_LOGS" "$VB_TMP"
	rm -f "$log"
	TMPDIR=$VB_TMP timeout --kill-after=10 "$VB_BOOT_TIMEOUT" \
		qemu-system-x86_64 -machine q35 -accel tcg -smp 1 -m 1024 \
		-nodefaults -no-user-config -display none -vga none -no-reboot \
		-serial "file:$log" -monitor none \
		"$@" </dev/null >"$VB_LOGS/$name.qemu" 2>&1
}

# vb_boot_all FUNCTION ARG...
# Run "FUNCTION ARG" for every ARG, $VB_JOBS at a time, and wait for all;
# FUNCTION calls vb_boot. Failures show in the logs, not in the status.
vb_boot_all() {
	local fn=$1 arg running=0
	shift
	for arg in "$@"; do
		if ((running >= VB_JOBS)); then
			wait -n || :
			running=$((running - 1))
		fi
		"$fn" "$arg" &
		running=$((running + 1))
	done
	wait || :
}

# vb_action NAME ARG...: the kernel argument that has the real root's init
# run `vfio-bind ARG...` and report it as NAME (see rootfs-init).
vb_action() {
	local name=$1 IFS=,
	shift
	echo "vfiotest.action=vfio-bind:$name:$*"
}

# The "VFIOTEST pci PHASE ADDR ID DRIVER OVERRIDE" line of one function.
vb_pci_line() {
	local log=$1 phase=$2 addr=$3
	grep -a "^VFIOTEST pci $phase $addr " "$log" | tr -d '\r'
}
