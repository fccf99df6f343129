#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/..
# vfio-bind kargs --apply and --remove with the boot loader's real tool:
# the Debian 13 system tests/boot/distro makes (debian13 of
# tests/boot/distributions), on an overlay that goes when the test is done,
# never this machine's own /boot or /etc. The host's helper runs with
# --root on it and runs the tool inside it (chroot ROOT kernel-install ...,
# chroot ROOT update-grub).
# The running command line is a file bound over the overlay's
# /proc/cmdline: systemd-boot's initrd=\EFI\... and a vfio-pci.ids=.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

# shellcheck source=tests/boot/lib.sh
. "$BATS_TEST_DIRNAME/../lib.sh"

VFIO_BIND=$VB_TOP/vfio-bind
SYSTEM=$VB_CACHE/distros/debian13/root

# The system, made or checked by its own script (tests/run runs this file
# after the distributions' boots, which made it).
setup_file() {
	mkdir -p "$VB_CACHE/distros"
	"$VB_DIR/distro" debian13 >"$VB_CACHE/distros/debian13.log" 2>&1 || {
		tail -n 20 "$VB_CACHE/distros/debian13.log" >&2
		return 1
	}
}

setup() {
	WORK=$BATS_TEST_TMPDIR/overlay
	mkdir -p "$WORK/upper" "$WORK/work" "$WORK/merged"
	cmdline 'initrd=\EFI\debian\initrd.img root=/dev/vda1 ro vfio-pci.ids=10de:1c30'
	printf 'vendor_id\t: GenuineIntel\n' >"$WORK/cpuinfo"
	# grub-probe asks the kernel which disk holds / and /boot, which in an
	# overlay is none: this one answers for a disk with one ext4 partition,
	# the rest of grub-mkconfig (10_linux, the drop-ins) is Debian's own.
	cat >"$WORK/grub-probe" <<-'EOF'
		#!/bin/sh
		for arg; do
			case $arg in --target=*) target=${arg#--target=} ;; esac
		done
		case $target in
		device) echo /dev/vda1 ;;
		fs) echo ext2 ;;
		fs_uuid) echo 6f1b0e3a-7c55-4d1b-9b4e-2f0b7c1d5e01 ;;
		partuuid) echo 0e5c1a2b-01 ;;
		partmap) echo msdos ;;
		drive) echo '(hd0,msdos1)' ;;
		esac
	EOF
	chmod +x "$WORK/grub-probe"
}

# cmdline TEXT: the running command line
cmdline() {
	printf '%s\n' "$1" >"$WORK/cmdline"
}

# in_overlay SCRIPT: SCRIPT (sh) in a mount namespace of its own, with the
# system at $m as an overlay whose changes go to $WORK/upper
in_overlay() {
	# shellcheck disable=SC2016 # expanded by that sh
	run --separate-stderr unshare --mount --propagation private -- /bin/sh -ec '
		m=$1/merged
		mount -t overlay vfio-bind-test \
			-o "lowerdir=$2,upperdir=$1/upper,workdir=$1/work" "$m"
		mount -t proc proc "$m/proc"
		mount -t tmpfs vfio-bind-test "$m/tmp"
		mount -t tmpfs vfio-bind-test "$m/run"
		mount --bind "$1/cmdline" "$m/proc/cmdline"
		mount --bind "$1/cpuinfo" "$m/proc/cpuinfo"
		[ ! -e "$m/usr/sbin/grub-probe" ] || mount --bind "$1/grub-probe" "$m/usr/sbin/grub-probe"
		vfio_bind=$3
		shift 3
		eval "$1"' in-overlay "$WORK" "$SYSTEM" "$VFIO_BIND" "$1"
}

@test "kernel-install (systemd): --apply gives the BLS entry the arguments, --remove restores /etc/kernel/cmdline byte for byte" {
	# layout=bls: 90-loaderentry.install writes an entry (kernel-install's
	# other plugins, which build an initramfs, are left out)
	# shellcheck disable=SC2016 # expanded in the overlay's sh
	in_overlay '
		mkdir -p "$m/boot/loader/entries"
		echo layout=bls >"$m/etc/kernel/install.conf"
		printf "root=/dev/vda1 ro quiet\n" >"$m/etc/kernel/cmdline"
		cp "$m/etc/kernel/cmdline" "$m/tmp/cmdline.before"
		export KERNEL_INSTALL_PLUGINS=/usr/lib/kernel/install.d/90-loaderentry.install
		"$vfio_bind" --root "$m" kargs --apply
		echo "entry: $(grep -h "^options" "$m"/boot/loader/entries/*.conf)"
		"$vfio_bind" --root "$m" kargs --apply
		"$vfio_bind" --root "$m" kargs --remove
		cmp "$m/tmp/cmdline.before" "$m/etc/kernel/cmdline" && echo "cmdline restored"
		# control: the entry kernel-install wrote again after --remove
		echo "entry after --remove: $(grep -h "^options" "$m"/boot/loader/entries/*.conf)"'
	assert_success
	assert_line --regexp '^entry: options +root=/dev/vda1 ro quiet intel_iommu=on vfio-pci.ids=10de:1c30$'
	assert_line 'cmdline restored'
	assert_line --regexp '^entry after --remove: options +root=/dev/vda1 ro quiet$'
	# shellcheck disable=SC2154 # run --separate-stderr sets it
	[[ $stderr == *"ran kernel-install add "*"already configured: nothing to change"* ]]
}

@test "update-grub (grub2-common): --apply's drop-in puts the arguments on each linux line of grub.cfg, --remove restores /etc/default byte for byte" {
	cmdline 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 ro vfio-pci.ids=10de:1c30'
	# shellcheck disable=SC2016 # expanded in the overlay's sh
	in_overlay '
		# /etc/default/grub as grub-pc'"'"'s postinst installs it (ucf)
		cp "$m/usr/share/grub/default/grub" "$m/etc/default/grub"
		mkdir -p "$m/boot/grub"
		cp -a "$m/etc/default" "$m/tmp/default.before"
		"$vfio_bind" --root "$m" kargs --apply
		grep -E "^[[:space:]]+linux[[:space:]]" "$m/boot/grub/grub.cfg" | sed "s/^/applied: /"
		echo "linux lines without them: $(grep -E "^[[:space:]]+linux[[:space:]]" "$m/boot/grub/grub.cfg" |
			grep -cv " intel_iommu=on vfio-pci.ids=10de:1c30")"
		# check --next-boot on the grub.cfg update-grub wrote, its image
		# read by the real lsinitramfs
		"$vfio_bind" --root "$m" check --next-boot | sed "s/^/next: /"
		"$vfio_bind" --root "$m" kargs --apply
		"$vfio_bind" --root "$m" kargs --remove
		diff -r --no-dereference "$m/tmp/default.before" "$m/etc/default" && echo "/etc/default restored"
		# control: the grub.cfg update-grub wrote again after --remove
		grep -E "^[[:space:]]+linux[[:space:]]" "$m/boot/grub/grub.cfg" | sed "s/^/removed: /"
		"$vfio_bind" --root "$m" check --next-boot | sed "s/^/next after --remove: /"'
	assert_success
	# every entry, normal and recovery (GRUB_CMDLINE_LINUX)
	assert_line --regexp '^applied: [[:space:]]+linux[[:space:]]+/boot/vmlinuz-[^ ]+ root=/dev/vda1 ro +intel_iommu=on vfio-pci.ids=10de:1c30 quiet$'
	assert_line --regexp '^applied: [[:space:]]+linux[[:space:]]+/boot/vmlinuz-[^ ]+ root=/dev/vda1 ro single.* intel_iommu=on vfio-pci.ids=10de:1c30$'
	assert_line 'linux lines without them: 0'
	assert_line '/etc/default restored'
	assert_line --regexp '^removed: .*linux.*/vmlinuz-'
	refute_line --regexp '^removed: .*vfio-pci.ids='
	assert_line --regexp "^next: ok    the next boot is the GRUB entry 'Debian GNU/Linux', /boot/grub/grub.cfg: kernel /boot/vmlinuz-"
	assert_line "next: ok    the next boot (GRUB entry 'Debian GNU/Linux', /boot/grub/grub.cfg) carries vfio-pci.ids=10de:1c30"
	assert_line --regexp "^next: (ok|FAIL)  the next boot's initramfs /boot/initrd.img-[^ ]+ (carries|lacks) vfio-bind$"
	assert_line "next after --remove: FAIL  the next boot (GRUB entry 'Debian GNU/Linux', /boot/grub/grub.cfg) lacks vfio-pci.ids=10de:1c30"
	assert_line "next after --remove:       fix: vfio-bind kargs --apply: it adds vfio-pci.ids=10de:1c30 to /etc/default/grub.d/vfio-bind.cfg and runs update-grub (GRUB with update-grub), then reboot"
	# shellcheck disable=SC2154 # run --separate-stderr sets it
	[[ $stderr == *"ran update-grub"*"already configured: nothing to change"* ]]
}
