#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# Boots with the distribution packages' files instead of this tree's
# `make install`: tests/package/build builds the .deb and the .rpm from a
# clean copy, `dpkg -x` (or rpm2cpio) unpacks them, and tests/boot/build
# (VFIO_BIND_DESTDIR) puts that tree at the real paths for the real dracut
# and mkinitramfs. The real root runs the package's helper too.
# Each boot is of the GPU + audio pair, IOMMU on:
#   package-deb-IMAGE          the .deb's files, IMAGE dracut-systemd and
#                              mkinitramfs: both functions on vfio-pci
#   package-deb-nohooks-IMAGE  control: the same files without the dracut
#                              module and the initramfs-tools hook and
#                              scripts; the host drivers must win
#   package-rpm-dracut-systemd, package-rpm-nohooks-dracut-systemd
#                              the same with the RPM's files (it has no
#                              initramfs-tools files)
# Each set of files has its own cache under tests/boot/cache
# (package-deb/, package-deb-nohooks/, ...), sharing the main cache's
# unpacked kernel.

# shellcheck source=common.bash
. "$BATS_TEST_DIRNAME/common.bash"

# The integration's files: what the control leaves out of the package.
HOOK_FILES="usr/lib/dracut/modules.d/50vfio-bind
usr/share/initramfs-tools/hooks/vfio-bind
usr/share/initramfs-tools/scripts/init-top/00-vfio-bind
usr/share/initramfs-tools/scripts/local-premount/vfio-bind
usr/share/initramfs-tools/scripts/nfs-bottom/vfio-bind
usr/share/initramfs-tools/scripts/init-bottom/vfio-bind"

# VARIANT: the images each set of files is booted with
declare -A IMAGES=(
	[deb]="dracut-systemd mkinitramfs"
	[deb-nohooks]="dracut-systemd mkinitramfs"
	[rpm]="dracut-systemd"
	[rpm-nohooks]="dracut-systemd"
)

# unpack KIND DIR: the files of the package of that kind, into DIR
unpack() {
	local version
	version=$(cat "$VB_TOP/VERSION")
	mkdir -p "$2"
	case $1 in
	deb) dpkg -x "$VB_PKG/deb/vfio-bind_${version}_amd64.deb" "$2" ;;
	rpm) rpm2cpio "$VB_PKG/rpm/vfio-bind-$version-1.x86_64.rpm" |
		(cd "$2" && cpio -idm --quiet) ;;
	esac
}

setup_file() {
	local kind variant f cache image
	local -a boots=()
	vb_lock
	export VB_PKG=$VB_CACHE/package
	mkdir -p "$VB_PKG"
	for kind in deb rpm; do
		logged "$VB_PKG/$kind.log" "$VB_TOP/tests/package/build" "$kind" "$VB_PKG/$kind" ||
			return 1
	done
	for variant in deb deb-nohooks rpm rpm-nohooks; do
		cache=$VB_CACHE/package-$variant
		rm -rf "$cache/tree"
		unpack "${variant%-nohooks}" "$cache/tree"
		if [[ $variant == *-nohooks ]]; then
			for f in $HOOK_FILES; do
				[[ $variant == rpm-* && $f == */initramfs-tools/* ]] && continue
				[[ -e $cache/tree/$f ]] || { echo "the package has no $f" >&3; return 1; }
				rm -r "${cache:?}/tree/$f"
			done
		fi
		# the kernel the other boot tests unpacked, if they did
		[[ -e $cache/kernel || ! -d $VB_CACHE/kernel ]] || ln -s ../kernel "$cache/kernel"
		[[ -e $cache/downloads ]] || { mkdir -p "$VB_CACHE/downloads" && ln -s ../downloads "$cache/downloads"; }
		# shellcheck disable=SC2086 # a list of names
		logged "$cache/build.log" env VB_CACHE="$cache" \
			VFIO_BIND_DESTDIR="$cache/tree" "$VB_DIR/build" ${IMAGES[$variant]} ||
			return 1
		for image in ${IMAGES[$variant]}; do
			boots+=("package-$variant-$image")
		done
	done
	vb_boot_all boot_one "${boots[@]}"
}

# boot_one NAME: NAME is package-VARIANT-IMAGE; the image and the real
# root (with the package's helper) of that variant's cache.
boot_one() {
	local name=$1 variant image cmdline
	case $name in
	package-*-nohooks-*) variant=${name#package-} variant=${variant%%-nohooks-*}-nohooks ;;
	*) variant=${name#package-} variant=${variant%%-*} ;;
	esac
	image=${name#package-"$variant"-}
	vb_kernel_vars
	VB_ROOTFS=$VB_CACHE/package-$variant/rootfs.img
	vb_devices
	# check asks the kernel for a type1 IOMMU, which vfio_iommu_type1
	# refuses without interrupt remapping (VB_DEV_IOMMU has none)
	cmdline="$(vb_cmdline) vfio_iommu_type1.allow_unsafe_interrupts=1"
	vb_boot "$name" "$VB_CACHE/package-$variant/images/$image.img" \
		"$cmdline intel_iommu=on $(vb_action check check)" \
		"${VB_DEV_IOMMU[@]}" "${VB_DEV_GPU[@]}" "${VB_DEV_ROOT[@]}"
}

# helper_in_image VARIANT IMAGE: the sha256 of each helper in that image
# (none: no output)
helper_in_image() {
	local dir=$BATS_TEST_TMPDIR/unpacked
	rm -rf "$dir"
	unmkinitramfs "$VB_CACHE/package-$1/images/$2.img" "$dir" >/dev/null
	find "$dir" -path '*/sbin/vfio-bind' -type f -exec sha256sum {} + | cut -d' ' -f1
}

# check_package KIND IMAGE
check_package() {
	local kind=$1 image=$2 want
	# The image carries the package's helper, byte for byte.
	want=$(sha256sum <"$VB_CACHE/package-$kind/tree/usr/sbin/vfio-bind" | cut -d' ' -f1)
	run -0 helper_in_image "$kind" "$image"
	assert_output "$want"
	run_boot "package-$kind-$image"
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

# check_package_nohooks KIND IMAGE
check_package_nohooks() {
	local kind=$1 image=$2
	# The control's image has no helper: nothing else added one.
	run -0 helper_in_image "$kind-nohooks" "$image"
	assert_output ""
	run_boot "package-$kind-nohooks-$image"
	host_drivers_kept
	assert_line "VFIOTEST status check 3"
}

@test "deb, dracut-systemd: the .deb's files put both functions on vfio-pci" {
	check_package deb dracut-systemd
}
@test "deb, dracut-systemd: control: without its dracut module the host drivers win" {
	check_package_nohooks deb dracut-systemd
}
@test "deb, mkinitramfs: the .deb's files put both functions on vfio-pci" {
	check_package deb mkinitramfs
}
@test "deb, mkinitramfs: control: without its hook and scripts the host drivers win" {
	check_package_nohooks deb mkinitramfs
}
@test "rpm, dracut-systemd: the .rpm's files put both functions on vfio-pci" {
	check_package rpm dracut-systemd
}
@test "rpm, dracut-systemd: control: without its dracut module the host drivers win" {
	check_package_nohooks rpm dracut-systemd
}
