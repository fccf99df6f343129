#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# Boots with the Debian package's files instead of this tree's
# `make install`: tests/package/build builds the .deb from a clean copy,
# `dpkg -x` unpacks it, and tests/boot/build (VFIO_BIND_DESTDIR) puts that
# tree at the real paths for the real dracut and mkinitramfs. The real root
# runs the package's helper too. For each of dracut-systemd and
# mkinitramfs, two boots of the GPU + audio pair, IOMMU on:
#   package-IMAGE          the package's files: both functions on vfio-pci
#   package-nohooks-IMAGE  control: the same files without the dracut
#                          module and the initramfs-tools hook and scripts;
#                          the host drivers must win
# Each set of files has its own cache under tests/boot/cache (package/,
# package-nohooks/), sharing the unpacked kernel of the main cache.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

# The integration's files: what the control leaves out of the package.
HOOK_FILES="usr/lib/dracut/modules.d/50vfio-bind
usr/share/initramfs-tools/hooks/vfio-bind
usr/share/initramfs-tools/scripts/init-top/00-vfio-bind
usr/share/initramfs-tools/scripts/local-premount/vfio-bind"

setup_file() {
	# shellcheck source=common.bash
	. "$BATS_TEST_DIRNAME/common.bash"
	local variant f cache
	vb_lock
	export VB_PKG=$VB_CACHE/package
	mkdir -p "$VB_PKG"
	if ! "$VB_TOP/tests/package/build" deb "$VB_PKG/deb" >"$VB_PKG/deb.log" 2>&1; then
		tail -n 40 "$VB_PKG/deb.log" >&3
		return 1
	fi
	for variant in package package-nohooks; do
		cache=$VB_CACHE/$variant
		rm -rf "$cache/tree"
		mkdir -p "$cache"
		dpkg -x "$VB_PKG/deb/vfio-bind_$(cat "$VB_TOP/VERSION")_amd64.deb" "$cache/tree"
		if [[ $variant == package-nohooks ]]; then
			for f in $HOOK_FILES; do
				[[ -e $cache/tree/$f ]] || { echo "the package has no $f" >&3; return 1; }
				rm -r "${cache:?}/tree/$f"
			done
		fi
		# the kernel the other boot tests unpacked, if they did
		[[ -e $cache/kernel || ! -d $VB_CACHE/kernel ]] || ln -s ../kernel "$cache/kernel"
		[[ -e $cache/downloads ]] || { mkdir -p "$VB_CACHE/downloads" && ln -s ../downloads "$cache/downloads"; }
		if ! VB_CACHE=$cache VFIO_BIND_DESTDIR=$cache/tree "$VB_DIR/build" \
			dracut-systemd mkinitramfs >"$cache/build.log" 2>&1; then
			tail -n 40 "$cache/build.log" >&3
			return 1
		fi
	done
	vb_boot_all boot_one package-dracut-systemd package-mkinitramfs \
		package-nohooks-dracut-systemd package-nohooks-mkinitramfs
}

# boot_one NAME: NAME is VARIANT-IMAGE; the image and the real root (with
# the package's helper) of that variant's cache.
boot_one() {
	local name=$1 variant image cmdline
	case $name in
	package-nohooks-*) variant=package-nohooks ;;
	*) variant=package ;;
	esac
	image=${name#"$variant"-}
	vb_kernel_vars
	VB_ROOTFS=$VB_CACHE/$variant/rootfs.img
	vb_devices
	cmdline=$(vb_cmdline)
	vb_boot "$name" "$VB_CACHE/$variant/images/$image.img" \
		"$cmdline intel_iommu=on $(vb_action check check)" \
		"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_ROOT[@]}"
}

setup() {
	# shellcheck source=common.bash
	. "$BATS_TEST_DIRNAME/common.bash"
	VB_PKG=$VB_CACHE/package
}

# helper_in_image VARIANT IMAGE: the sha256 of each helper in that image
# (none: no output)
helper_in_image() {
	local dir=$BATS_TEST_TMPDIR/unpacked
	rm -rf "$dir"
	unmkinitramfs "$VB_CACHE/$1/images/$2.img" "$dir" >/dev/null
	find "$dir" -path '*/sbin/vfio-bind' -type f -exec sha256sum {} + | cut -d' ' -f1
}

check_package() {
	local image=$1 want
	# The image carries the package's helper, byte for byte.
	want=$(sha256sum <"$VB_CACHE/package/tree/usr/sbin/vfio-bind" | cut -d' ' -f1)
	run -0 helper_in_image package "$image"
	assert_output "$want"
	run_boot "package-$image"
	pci initial "$VB_GPU" "$VB_GPU_ID" vfio-pci vfio-pci
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" vfio-pci vfio-pci
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
	# udev loaded the host drivers in the initramfs, and they lost
	assert_line "VFIOTEST module bochs"
	assert_line "VFIOTEST module snd_hda_intel"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_GPU") \\[$VB_GPU_ID\\] .*vfio-pci"
	assert_line --regexp "^VFIOTEST kmsg .*vfio-bind: $(re "$VB_AUDIO") \\[$VB_AUDIO_ID\\] .*vfio-pci"
	# and the package's helper in the real root agrees
	assert_line "VFIOTEST status check 0"
}

check_package_nohooks() {
	local image=$1
	# The control's image has no helper: nothing else added one.
	run -0 helper_in_image package-nohooks "$image"
	assert_output ""
	run_boot "package-nohooks-$image"
	pci initial "$VB_GPU" "$VB_GPU_ID" bochs-drm -
	pci initial "$VB_AUDIO" "$VB_AUDIO_ID" snd_hda_intel -
	pci initial "$VB_DISK" "$VB_DISK_ID" virtio-pci -
	refute_line --partial "VFIOTEST kmsg"
	assert_line "VFIOTEST status check 3"
}

@test "package, dracut-systemd: the .deb's files put both functions on vfio-pci" {
	check_package dracut-systemd
}
@test "package, dracut-systemd: control: without its dracut module the host drivers win" {
	check_package_nohooks dracut-systemd
}
@test "package, mkinitramfs: the .deb's files put both functions on vfio-pci" {
	check_package mkinitramfs
}
@test "package, mkinitramfs: control: without its hook and scripts the host drivers win" {
	check_package_nohooks mkinitramfs
}
