#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# vfio-bind kargs --apply and --remove with the boot loader's real tool:
# the Debian 13 system tests/boot/distro makes (debian13 of
# tests/boot/distributions), on an overlay that goes when the test is done,
# never this machine's own /boot or /etc. The host's helper runs with
# --root on it and runs the tool inside it (chroot ROOT kernel-install ...).
# The running command line is a file bound over the overlay's
# /proc/cmdline: systemd-boot's initrd=\EFI\... and a vfio-pci.ids=.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

# shellcheck source=lib.sh
. "$BATS_TEST_DIRNAME/lib.sh"

VFIO_BIND=$VB_TOP/vfio-bind
SYSTEM=$VB_CACHE/distros/debian13/root

setup() {
	[[ -d $SYSTEM/usr/lib/kernel/install.d ]] ||
		skip "no Debian 13 system in $SYSTEM: tests/boot/distro debian13 makes it"
	WORK=$BATS_TEST_TMPDIR/overlay
	mkdir -p "$WORK/upper" "$WORK/work" "$WORK/merged"
	printf '%s\n' 'initrd=\EFI\debian\initrd.img root=/dev/vda1 ro vfio-pci.ids=10de:1c30' \
		>"$WORK/cmdline"
	printf 'vendor_id\t: GenuineIntel\n' >"$WORK/cpuinfo"
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
